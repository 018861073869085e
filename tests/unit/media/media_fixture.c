/*
 * media_fixture.c -- see media_fixture.h.
 */
#include "config.h"
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <string.h>

#include "media_fixture.h"

void mf_tone(int16_t *out, size_t n, double f, double amp, unsigned rate, size_t start)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (int16_t)lrint(amp * sin(2 * M_PI * f * (double)(start + i) / rate));
}

double mf_goertzel(const int16_t *x, size_t n, double f, unsigned rate)
{
	double w = 2 * M_PI * f / rate, c = 2 * cos(w), s1 = 0, s2 = 0, p;

	for (size_t i = 0; i < n; i++) {
		double s = x[i] + c * s1 - s2;

		s2 = s1;
		s1 = s;
	}
	p = s1 * s1 + s2 * s2 - c * s1 * s2;
	return 2 * sqrt(p > 0 ? p : 0) / (double)n;
}

double mf_peak(const int16_t *x, size_t n, double lo, double hi, double step, unsigned rate)
{
	double best = lo, bp = -1;

	for (double f = lo; f <= hi; f += step) {
		double p = mf_goertzel(x, n, f, rate);

		if (p > bp) {
			bp = p;
			best = f;
		}
	}
	return best;
}

double mf_rms(const int16_t *x, size_t n)
{
	double s = 0;

	for (size_t i = 0; i < n; i++)
		s += (double)x[i] * x[i];
	return n ? sqrt(s / (double)n) : 0;
}

void mf_addr(struct sockaddr_storage *ss, uint16_t port)
{
	struct sockaddr_in *a = (void *)ss;

	memset(ss, 0, sizeof(*ss));
	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

void mf_cfg(struct media_session_cfg *c, uint16_t port)
{
	memset(c, 0, sizeof(*c));
	if (port)
		mf_addr(&c->remote, port);
	c->codec = MEDIA_CODEC_PCMU;
	c->pt = 0;
	c->te_pt = 101;
	c->cn_pt = 13;
	c->ptime_ms = 20;
	c->dir = MEDIA_DIR_SENDRECV;
	c->jb_min_ms = 20;
	c->jb_max_ms = 200;
}

void mf_pump(struct media_engine *e, int rounds)
{
	for (int i = 0; i < rounds; i++)
		media_engine_poll(e, 0);
}
