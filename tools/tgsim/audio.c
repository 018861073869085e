/*
 * audio.c -- tgsim's B-channel audio (see audio.h).
 *
 * Tone detection: per period, the Goertzel power at the frequency asked for
 * against the period's whole energy; a pure tone scores 1 (2|X|^2 / (N E)),
 * anything else far less.  A period counts when it scores over 0.6 and is
 * louder than -50 dBFS; TGSIM_AUDIO_TONE_MS of such periods in a row is a
 * tone heard.
 *
 * Continuity (expect tone ... continuous S): once the tone is heard, the
 * next S seconds of audio -- counted in samples, not wall time -- are cut
 * into GAP_BLOCK-sample blocks, each scored the same way and also failing
 * when more than GAP_DROP_DB below the level heard.  A 20 ms frame missing
 * (160 samples) touches at most 5 blocks; more failing blocks in a row than
 * that is a gap longer than one frame.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <spandsp.h>

#include "audio.h"
#include "hw.h"

#define MAX_CH 32
#define DIGITS_MAX 64
#define ECHO_MAX 2048                   /* samples of echo delay line: 256 ms */
#define GAP_BLOCK 40                    /* samples: continuity is checked per 5 ms */
#define GAP_MAX (160 + GAP_BLOCK)       /* a 20 ms frame, and the blocks it straddles */
#define GAP_DROP_DB 10.0

struct chan {
	double freq, phase;             /* playing; freq 0 = silence */
	dtmf_tx_state_t *dtx;           /* digits being played; NULL = none yet */
	double listen;                  /* looking for this frequency; 0 = not */
	unsigned run_ms;                /* the tone unbroken for this long */
	bool heard;
	double level;                   /* dBFS of the tone when heard */
	unsigned cont_left;             /* samples still to check for gaps once heard */
	unsigned cont_done;             /* samples checked */
	int16_t blk[GAP_BLOCK];         /* the block being filled */
	unsigned blk_n;
	unsigned bad_run, max_bad;      /* samples not the tone in a row; the longest run */
	bool gap;                       /* a run longer than GAP_MAX: the check failed */
	double gap_at;                  /* seconds into the check where it started */
	dtmf_rx_state_t *drx;
	char digits[DIGITS_MAX + 1];    /* received, not yet taken */
	bool echo;                      /* echo path on */
	double echo_gain;
	unsigned echo_delay, echo_pos;  /* samples; write position in echo_buf */
	int16_t echo_buf[ECHO_MAX];     /* what arrived, the last ECHO_MAX samples */
};

struct aspan {
	bool used, ulaw;
	struct chan ch[MAX_CH];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct aspan spans[TGSIM_AUDIO_SPANS + 1];

static struct chan *chan_of(unsigned long long span, unsigned ch)
{
	if (span < 1 || span > TGSIM_AUDIO_SPANS || ch < 1 || ch >= MAX_CH)
		return NULL;
	return &spans[span].ch[ch];
}

void tgsim_audio_span(unsigned long long span, bool ulaw)
{
	pthread_mutex_lock(&lock);
	if (span >= 1 && span <= TGSIM_AUDIO_SPANS) {
		spans[span].used = true;
		spans[span].ulaw = ulaw;
	}
	pthread_mutex_unlock(&lock);
}

static void on_digits(void *user, const char *digits, int len)
{
	struct chan *c = user;
	size_t n = strlen(c->digits);

	for (int i = 0; i < len; i++) {
		if (n == DIGITS_MAX) {          /* keep the newest */
			memmove(c->digits, c->digits + 1, DIGITS_MAX);
			n--;
		}
		c->digits[n++] = digits[i];
	}
	c->digits[n] = '\0';
}

/* Does x[0..n) score as the tone?  *ms: its mean square. */
static bool is_tone(double freq, const int16_t *x, unsigned n, double *ms)
{
	double w = 2.0 * M_PI * freq / 8000.0, k = 2.0 * cos(w), s1 = 0, s2 = 0, e = 0, p;

	for (unsigned i = 0; i < n; i++) {
		double s0 = x[i] + k * s1 - s2;

		s2 = s1;
		s1 = s0;
		e += (double)x[i] * x[i];
	}
	p = s1 * s1 + s2 * s2 - k * s1 * s2;            /* |X|^2 */
	*ms = e / n;                                     /* mean square */
	return e > 0 && 2.0 * p / (n * e) > 0.6 && *ms > 32767.0 * 32767.0 / 2 * 1e-5;
}

/* The continuity check on what arrives after the tone was heard. */
static void check_gaps(struct chan *c, const int16_t *x, unsigned n)
{
	for (unsigned i = 0; i < n && c->cont_left && !c->gap; i++) {
		double ms;

		c->blk[c->blk_n++] = x[i];
		if (c->blk_n < GAP_BLOCK)
			continue;
		c->blk_n = 0;
		if (is_tone(c->listen, c->blk, GAP_BLOCK, &ms) &&
		    10.0 * log10(ms / (32767.0 * 32767.0 / 2)) >= c->level - GAP_DROP_DB) {
			c->bad_run = 0;
		} else {
			c->bad_run += GAP_BLOCK;
			if (c->bad_run > c->max_bad)
				c->max_bad = c->bad_run;
			if (c->bad_run > GAP_MAX) {
				c->gap = true;
				c->gap_at = (c->cont_done - (c->bad_run - GAP_BLOCK)) / 8000.0;
			}
		}
		c->cont_done += GAP_BLOCK;
		c->cont_left = c->cont_left > GAP_BLOCK ? c->cont_left - GAP_BLOCK : 0;
	}
}

static void detect(struct chan *c, const int16_t *x, unsigned n)
{
	double ms;

	if (c->heard) {
		check_gaps(c, x, n);
		return;
	}
	if (is_tone(c->listen, x, n, &ms)) {
		c->run_ms += n / 8;
		if (c->run_ms >= TGSIM_AUDIO_TONE_MS && !c->heard) {
			c->heard = true;
			c->level = 10.0 * log10(ms / (32767.0 * 32767.0 / 2));
		}
	} else {
		c->run_ms = 0;
	}
}

static void play(struct chan *c, int16_t *out, unsigned n)
{
	double amp = 32767.0 * pow(10.0, TGSIM_AUDIO_TONE_DBFS / 20.0);
	double step = 2.0 * M_PI * c->freq / 8000.0;

	memset(out, 0, n * sizeof(*out));
	if (c->freq > 0) {
		for (unsigned i = 0; i < n; i++) {
			out[i] = (int16_t)lrint(amp * sin(c->phase));
			c->phase += step;
		}
		c->phase = fmod(c->phase, 2.0 * M_PI);
	}
	if (c->dtx) {
		int16_t d[320];
		int got = dtmf_tx(c->dtx, d, (int)(n < 320 ? n : 320));

		for (int i = 0; i < got; i++) {
			int v = out[i] + d[i];

			out[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
		}
	}
}

void tgsim_audio_period(void *arg, const uint8_t *rx, uint8_t *tx, unsigned samples)
{
	unsigned long long span = (unsigned long long)(uintptr_t)arg;
	int16_t in[320], out[320];
	struct aspan *sp;

	if (span < 1 || span > TGSIM_AUDIO_SPANS || samples > 320)
		return;
	sp = &spans[span];
	pthread_mutex_lock(&lock);
	for (unsigned ts = 1; sp->used && ts <= hw_span_timeslots(sp->ulaw ? HW_SPAN_T1 : HW_SPAN_E1);
	     ts++) {
		struct chan *c = &sp->ch[ts];
		const uint8_t *r = rx + (size_t)(ts - 1) * samples;
		uint8_t *t = tx + (size_t)(ts - 1) * samples;

		if (c->listen || c->drx || c->echo)
			for (unsigned i = 0; i < samples; i++)
				in[i] = sp->ulaw ? ulaw_to_linear(r[i]) : alaw_to_linear(r[i]);
		if (c->freq > 0 || c->dtx || c->echo) {
			play(c, out, samples);
			for (unsigned i = 0; c->echo && i < samples; i++) {
				/* the delay line: in[i] written, the sample
				 * echo_delay before it (itself with delay 0)
				 * read back, attenuated */
				unsigned rd;
				long v;

				c->echo_buf[c->echo_pos] = in[i];
				rd = (c->echo_pos + ECHO_MAX - c->echo_delay) % ECHO_MAX;
				v = out[i] + lrint(c->echo_buf[rd] * c->echo_gain);
				c->echo_pos = (c->echo_pos + 1) % ECHO_MAX;
				out[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
			}
			for (unsigned i = 0; i < samples; i++)
				t[i] = sp->ulaw ? linear_to_ulaw(out[i]) : linear_to_alaw(out[i]);
		} else {
			memset(t, sp->ulaw ? 0xFF : 0xD5, samples);
		}
		if (!c->listen && !c->drx)
			continue;
		if (c->listen)
			detect(c, in, samples);
		if (c->drx)
			dtmf_rx(c->drx, in, (int)samples);
	}
	pthread_mutex_unlock(&lock);
}

void tgsim_audio_echo(unsigned long long span, unsigned ch, bool on, double delay_ms,
		      double loss_db)
{
	struct chan *c;

	pthread_mutex_lock(&lock);
	if ((c = chan_of(span, ch))) {
		c->echo = on;
		c->echo_gain = pow(10.0, -loss_db / 20.0);
		c->echo_delay = (unsigned)lrint(delay_ms * 8);
		if (c->echo_delay >= ECHO_MAX)
			c->echo_delay = ECHO_MAX - 1;
		memset(c->echo_buf, 0, sizeof(c->echo_buf));
		c->echo_pos = 0;
	}
	pthread_mutex_unlock(&lock);
}

void tgsim_audio_tone(unsigned long long span, unsigned ch, double freq)
{
	struct chan *c = chan_of(span, ch);

	pthread_mutex_lock(&lock);
	if (c) {
		c->freq = freq;
		c->phase = 0;
	}
	pthread_mutex_unlock(&lock);
}

int tgsim_audio_dtmf(unsigned long long span, unsigned ch, const char *digits)
{
	struct chan *c = chan_of(span, ch);
	int err = 0;

	if (!c)
		return EINVAL;
	pthread_mutex_lock(&lock);
	if (!c->dtx)
		c->dtx = dtmf_tx_init(NULL);
	if (!c->dtx)
		err = ENOMEM;
	else if (dtmf_tx_put(c->dtx, digits, -1) != 0)
		err = EINVAL;   /* the buffer is full */
	pthread_mutex_unlock(&lock);
	return err;
}

void tgsim_audio_start(unsigned long long span, unsigned ch)
{
	struct chan *c;

	tgsim_audio_reset(span, ch);
	c = chan_of(span, ch);
	pthread_mutex_lock(&lock);
	if (c)
		c->drx = dtmf_rx_init(NULL, on_digits, c);
	pthread_mutex_unlock(&lock);
}

void tgsim_audio_listen(unsigned long long span, unsigned ch, double freq, double continuous_s)
{
	struct chan *c = chan_of(span, ch);

	pthread_mutex_lock(&lock);
	if (c) {
		c->listen = freq;
		c->run_ms = 0;
		c->heard = false;
		c->cont_left = (unsigned)lrint(continuous_s * 8000);
		c->cont_done = c->blk_n = c->bad_run = c->max_bad = 0;
		c->gap = false;
	}
	pthread_mutex_unlock(&lock);
}

int tgsim_audio_heard(unsigned long long span, unsigned ch, struct tgsim_heard *h)
{
	struct chan *c = chan_of(span, ch);
	int r = 0;

	pthread_mutex_lock(&lock);
	if (c && c->heard && (c->gap || !c->cont_left)) {
		r = c->gap ? -1 : 1;
		h->dbfs = c->level;
		h->max_gap_ms = c->max_bad / 8.0;
		h->gap_at = c->gap_at;
		h->checked_s = c->cont_done / 8000.0;
	}
	pthread_mutex_unlock(&lock);
	return r;
}

bool tgsim_audio_digits(unsigned long long span, unsigned ch, const char *want, char *got,
			size_t len)
{
	struct chan *c = chan_of(span, ch);
	bool found = false;
	char *at;

	if (len)
		got[0] = '\0';
	if (!c)
		return false;
	pthread_mutex_lock(&lock);
	if (len)
		snprintf(got, len, "%s", c->digits);
	at = strstr(c->digits, want);
	if (at) {
		found = true;
		memmove(c->digits, at + strlen(want), strlen(at + strlen(want)) + 1);
	}
	pthread_mutex_unlock(&lock);
	return found;
}

void tgsim_audio_reset(unsigned long long span, unsigned ch)
{
	struct chan *c = chan_of(span, ch);

	pthread_mutex_lock(&lock);
	if (c) {
		if (c->dtx)
			dtmf_tx_free(c->dtx);
		if (c->drx)
			dtmf_rx_free(c->drx);
		memset(c, 0, sizeof(*c));
	}
	pthread_mutex_unlock(&lock);
}

void tgsim_audio_fini(void)
{
	for (unsigned s = 1; s <= TGSIM_AUDIO_SPANS; s++)
		for (unsigned ch = 1; ch < MAX_CH; ch++)
			tgsim_audio_reset(s, ch);
}
