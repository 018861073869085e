/*
 * audio.h -- tgsim's B-channel audio: a sine or DTMF digits played into a
 * channel, and what arrives on a channel checked for a tone (Goertzel) or
 * digits (spandsp dtmf_rx).
 *
 * Threads: tgsim_audio_period() is the sim span's audio callback and runs on
 * the hw/sim I/O thread; everything else on tgsim's main thread.  One mutex
 * between them.  Spans are known by tgsim's instance number (1..16), channels
 * by their timeslot (1..31).
 */
#ifndef TG_TGSIM_AUDIO_H
#define TG_TGSIM_AUDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TGSIM_AUDIO_SPANS 16
#define TGSIM_AUDIO_TONE_DBFS (-10.0)   /* level of `play tone` */
#define TGSIM_AUDIO_TONE_MS 200         /* a tone is heard after this long, unbroken */

/* Before the span opens: its companding (mu-law on T1, A-law on E1). */
void tgsim_audio_span(unsigned long long span, bool ulaw);
/* hw_span_events.audio, arg = the span's instance: one period, channel-major. */
void tgsim_audio_period(void *arg, const uint8_t *rx, uint8_t *tx, unsigned samples);

/* Play a sine of freq Hz (0: stop) into the channel. */
void tgsim_audio_tone(unsigned long long span, unsigned ch, double freq);
/* Queue DTMF digits (0-9 * # A-D) on the channel: 0 or EINVAL/ENOMEM. */
int  tgsim_audio_dtmf(unsigned long long span, unsigned ch, const char *digits);
/* An echo path on the channel (a 2-wire hybrid's): what arrives on it goes
 * back out delay_ms later (0..200), loss_db weaker, mixed with what plays.
 * on false: none. */
void tgsim_audio_echo(unsigned long long span, unsigned ch, bool on, double delay_ms,
		      double loss_db);
/* Start looking for freq Hz on the channel (resets what was heard); with
 * continuous_s > 0, once heard the next continuous_s seconds of audio are
 * checked for gaps longer than one 20 ms frame. */
void tgsim_audio_listen(unsigned long long span, unsigned ch, double freq, double continuous_s);
struct tgsim_heard {
	double dbfs;                    /* the tone's level when heard */
	double max_gap_ms;              /* continuity: the longest run not the tone (5 ms steps) */
	double gap_at;                  /* ... where the failing gap started (s into the check) */
	double checked_s;               /* audio checked for gaps */
};
/* Has the tone been on for TGSIM_AUDIO_TONE_MS since listen (and, with a
 * continuity check, stayed through it)?  1 yes, -1 a gap longer than a
 * frame, 0 not yet; *h filled unless 0. */
int tgsim_audio_heard(unsigned long long span, unsigned ch, struct tgsim_heard *h);
/* Did the digits received on the channel (and not yet taken) include
 * `want`?  Then they are taken up to the end of it.  got: what is there. */
bool tgsim_audio_digits(unsigned long long span, unsigned ch, const char *want, char *got,
			size_t len);
/* A call has the channel now: silence out, digits detected from now on. */
void tgsim_audio_start(unsigned long long span, unsigned ch);
/* The call on the channel is over: stop playing, forget what was heard. */
void tgsim_audio_reset(unsigned long long span, unsigned ch);
void tgsim_audio_fini(void);

#endif
