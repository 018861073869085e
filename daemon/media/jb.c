/*
 * jb.c -- the jitter buffer between RTP and a TDM channel: adaptive, bounded,
 * clocked by its reader.  Packets are kept sorted by RTP timestamp (at most
 * MEDIA_JB_SLOTS); the reader, the span's exact 8 kHz clock, takes n samples
 * per period and the play point advances by exactly n.  Gaps are filled by
 * spandsp's PLC (or comfort noise after an RFC 3389 CN packet); packets
 * behind the play point are late and dropped.
 *
 * Delay: playing starts (and restarts after an underrun) once a target depth
 * is buffered: one packet plus max(jb_min, 3 x jitter), at most jb_max.  An
 * underrun rebuffers, which adds delay when the far end's clock is slower
 * than the span's or jitter grew.  When the smallest depth seen over one
 * second of playout stays above target + 10 ms, the excess is skipped, which
 * sheds delay when the far end's clock is faster; so drift never accumulates
 * and the delay stays within [target, target + 10 ms + one second's drift].
 * Skips are simple cuts (a time-scale modifier would hide them better).
 * Not thread-safe: the session's lock covers it.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <string.h>
#include <spandsp.h>

#include "media_int.h"

#define SLACK 80                        /* 10 ms above target before skipping */
#define WINDOW 8000                     /* one second of playout */

int media_jb_init(struct media_jb *jb, struct media_codec_state *codec,
		  unsigned min_ms, unsigned max_ms)
{
	memset(jb, 0, sizeof(*jb));
	jb->codec = codec;
	jb->min_samples = 8 * (min_ms ? min_ms : 20);
	jb->max_samples = 8 * (max_ms ? max_ms : 200);
	if (jb->max_samples < jb->min_samples + 160)
		jb->max_samples = jb->min_samples + 160;
	jb->plc = plc_init(NULL);
	jb->noise_seed = 0x1234567;
	media_jb_reset(jb);
	return jb->plc ? 0 : ENOMEM;
}

void media_jb_fini(struct media_jb *jb)
{
	if (jb->plc)
		plc_free(jb->plc);
	jb->plc = NULL;
	if (jb->noise)
		noise_free(jb->noise);
	jb->noise = NULL;
}

void media_jb_reset(struct media_jb *jb)
{
	jb->n = 0;
	jb->playing = false;
	jb->cur_valid = false;
	jb->target = jb->min_samples + 160;
	jb->win_min = UINT32_MAX;
	jb->win_pulls = 0;
}

static uint32_t buf_end(const struct media_jb *jb)
{
	const struct media_jb_pkt *p = &jb->pkt[jb->n - 1];

	return p->ts + p->len;
}

unsigned media_jb_depth(const struct media_jb *jb)
{
	int32_t d;

	if (!jb->n)
		return 0;
	d = (int32_t)(buf_end(jb) - (jb->playing ? jb->play_ts : jb->pkt[0].ts));
	return d > 0 ? (unsigned)d : 0;
}

void media_jb_set_jitter(struct media_jb *jb, double jitter_ts)
{
	unsigned frame = jb->n ? jb->pkt[jb->n - 1].len : 160;
	double extra = 3 * jitter_ts;
	unsigned t;

	if (extra < jb->min_samples)
		extra = jb->min_samples;
	t = frame + (unsigned)extra;
	jb->target = t > jb->max_samples ? jb->max_samples : t;
}

void media_jb_put(struct media_jb *jb, uint16_t seq, uint32_t ts, const uint8_t *pl,
		  size_t len, bool cn)
{
	unsigned i;

	if (cn) {
		/* RFC 3389: the level byte, -dBov; noise until speech resumes */
		jb->cn_level = len ? (pl[0] & 0x7f) : 127;
		if (!jb->cn_level)
			jb->cn_level = 1;
		return;
	}
	if (!len || len > MEDIA_MAX_FRAME)
		return;
	if (jb->playing || jb->cur_valid) {
		int32_t behind = (int32_t)(jb->play_ts - ts);

		if (behind > (int32_t)(4 * jb->max_samples) || -behind > (int32_t)(4 * jb->max_samples)) {
			media_jb_reset(jb);     /* the stream jumped: new timeline */
		} else if ((int32_t)(ts + len - jb->play_ts) <= 0) {
			jb->late++;
			return;
		}
	}
	for (i = jb->n; i > 0 && (int32_t)(jb->pkt[i - 1].ts - ts) > 0; i--)
		;
	if (i > 0 && jb->pkt[i - 1].ts == ts)
		return;                 /* duplicate */
	if (jb->n == MEDIA_JB_SLOTS) {
		if (i == 0)
			return;         /* older than all we hold: no room */
		memmove(&jb->pkt[0], &jb->pkt[1], (MEDIA_JB_SLOTS - 1) * sizeof(jb->pkt[0]));
		jb->n--;
		i--;
		jb->overflows++;
	}
	memmove(&jb->pkt[i + 1], &jb->pkt[i], (jb->n - i) * sizeof(jb->pkt[0]));
	jb->pkt[i].ts = ts;
	jb->pkt[i].seq = seq;
	jb->pkt[i].len = (uint16_t)len;
	jb->pkt[i].cn = false;
	memcpy(jb->pkt[i].data, pl, len);
	jb->n++;
	jb->cn_level = 0;
}

/*
 * spandsp 0.0.6's save_history() (run by plc_rx() and plc_fillin()) shifts
 * its history buffer with memcpy() over overlapping ranges when a block does
 * not fit behind buf_ptr: undefined behaviour that ASan reports.  Doing the
 * very same shift first with memmove() leaves it nothing to shift.
 * plc_fillin() after good audio (missing_samples == 0) first rotates the
 * history to buf_ptr 0 itself, so it is left alone then.
 */
static void plc_make_room(plc_state_t *p, int len, bool fillin)
{
	if (fillin && p->missing_samples == 0)
		return;
	if (len < PLC_HISTORY_LEN && p->buf_ptr + len > PLC_HISTORY_LEN) {
		memmove(p->history, p->history + p->buf_ptr + len - PLC_HISTORY_LEN,
			sizeof(int16_t) * (size_t)(PLC_HISTORY_LEN - len));
		p->buf_ptr = PLC_HISTORY_LEN - len;
	}
}

static void plc_in(struct media_jb *jb, int16_t *a, int len)
{
	plc_make_room(jb->plc, len, false);
	plc_rx(jb->plc, a, len);
}

static void plc_out(struct media_jb *jb, int16_t *a, int len)
{
	plc_make_room(jb->plc, len, true);
	plc_fillin(jb->plc, a, len);
}

static void fill_gap(struct media_jb *jb, int16_t *out, size_t k)
{
	if (jb->cn_level) {
		/* RFC 3389 comfort noise: spandsp's Hoth noise (the spectrum of
		 * room noise) at the level the far end sent (-dBov: rms
		 * relative to full scale, as RFC 3389 and the unit test say). */
		if (!jb->noise || jb->noise_level != jb->cn_level) {
			if (jb->noise)
				noise_free(jb->noise);
			jb->noise = noise_init_dbov(NULL, (int)jb->noise_seed,
						    -(float)jb->cn_level, NOISE_CLASS_HOTH, 7);
			jb->noise_level = jb->cn_level;
		}
		if (jb->noise) {
			for (size_t i = 0; i < k; i++)
				out[i] = noise(jb->noise);
			return;
		}
	}
	plc_out(jb, out, (int)k);
}

static void drop_played(struct media_jb *jb)
{
	unsigned k = 0;

	while (k < jb->n && (int32_t)(jb->pkt[k].ts + jb->pkt[k].len - jb->play_ts) <= 0)
		k++;
	if (k) {
		memmove(&jb->pkt[0], &jb->pkt[k], (jb->n - k) * sizeof(jb->pkt[0]));
		jb->n -= k;
	}
}

static void regulate(struct media_jb *jb, size_t pulled)
{
	unsigned depth = media_jb_depth(jb);

	if (depth > jb->max_depth)
		jb->max_depth = depth;
	if (!jb->playing)
		return;
	if (depth > jb->max_samples + SLACK) {
		/* hard bound: a burst arrived; keep the target, drop the rest */
		uint32_t skip = depth - jb->target;

		jb->play_ts += skip;
		jb->dropped += skip;
		jb->cur_valid = false;
		drop_played(jb);
		jb->win_min = UINT32_MAX;
		jb->win_pulls = 0;
		return;
	}
	if (depth < jb->win_min)
		jb->win_min = depth;
	jb->win_pulls += (unsigned)pulled;
	if (jb->win_pulls < WINDOW)
		return;
	if (jb->win_min != UINT32_MAX && jb->win_min > jb->target + SLACK) {
		uint32_t skip = jb->win_min - jb->target;

		jb->play_ts += skip;
		jb->dropped += skip;
		drop_played(jb);
	}
	jb->win_min = UINT32_MAX;
	jb->win_pulls = 0;
}

void media_jb_get(struct media_jb *jb, int16_t *out, size_t n)
{
	size_t total = n;

	while (n > 0) {
		struct media_jb_pkt *p;
		size_t k;

		if (!jb->playing) {
			if (jb->n && media_jb_depth(jb) >= jb->target) {
				jb->playing = true;
				if (!jb->cur_valid || (int32_t)(jb->pkt[0].ts - jb->play_ts) > 0)
					jb->play_ts = jb->pkt[0].ts;
			} else {
				fill_gap(jb, out, n);
				if (jb->cur_valid)      /* a stream that paused */
					jb->concealed += n;
				break;
			}
		}
		drop_played(jb);
		if (!jb->n) {
			/* underrun: conceal, then rebuffer to the target */
			fill_gap(jb, out, n);
			jb->concealed += n;
			jb->underruns++;
			jb->playing = false;
			break;
		}
		p = &jb->pkt[0];
		if ((int32_t)(p->ts - jb->play_ts) > 0) {
			k = p->ts - jb->play_ts;       /* lost packet(s) */
			if (k > n)
				k = n;
			fill_gap(jb, out, k);
			jb->concealed += k;
		} else {
			size_t off = jb->play_ts - p->ts;

			if (!jb->cur_valid || jb->cur_ts != p->ts) {
				size_t got = jb->codec ? media_codec_decode(jb->codec, p->data, p->len, jb->cur) : 0;

				if (got < p->len)
					memset(jb->cur + got, 0, (p->len - got) * sizeof(int16_t));
				plc_in(jb, jb->cur, p->len);
				jb->cur_ts = p->ts;
				jb->cur_len = p->len;
				jb->cur_valid = true;
			}
			k = jb->cur_len - off;
			if (k > n)
				k = n;
			memcpy(out, jb->cur + off, k * sizeof(int16_t));
		}
		out += k;
		n -= k;
		jb->play_ts += (uint32_t)k;
	}
	if (jb->cur_valid || jb->playing)
		regulate(jb, total);
}
