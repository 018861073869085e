/*
 * media_fixture.h -- helpers for the media unit tests: tones, the Goertzel
 * filter (power at one frequency), the strongest frequency of a block, and
 * two engines' sessions talking over loopback.
 */
#ifndef TG_TEST_MEDIA_FIXTURE_H
#define TG_TEST_MEDIA_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "media.h"

/* Every media test's prototype. */
#define X(fn) int fn(void);
#include "media/tests.def"
#undef X

/* amp * sin(2 pi f t) at rate, starting at sample index `start`. */
void mf_tone(int16_t *out, size_t n, double f, double amp, unsigned rate, size_t start);
/* Goertzel power of x at f, normalised to amplitude (a full-scale-a sine
 * at f gives ~a). */
double mf_goertzel(const int16_t *x, size_t n, double f, unsigned rate);
/* The frequency in [lo, hi] (step Hz) with the most power.  Over N samples
 * a tone is orthogonal to Goertzel bins rate/N apart: step below rate/N. */
double mf_peak(const int16_t *x, size_t n, double lo, double hi, double step, unsigned rate);
double mf_rms(const int16_t *x, size_t n);
/* An IPv4 loopback address with port. */
void mf_addr(struct sockaddr_storage *ss, uint16_t port);
/* A session config: PCMU, PT 0, te 101, 20 ms, sendrecv, to port. */
void mf_cfg(struct media_session_cfg *c, uint16_t remote_port);
/* Poll e (unthreaded) until nothing more arrives within 20 ms; rounds max. */
void mf_pump(struct media_engine *e, int rounds);

#endif
