/*
 * dtmf.c -- RFC 4733 telephone-event, both ways.  Sending: one event is
 * carried by packets that all share the event's start timestamp; each frame
 * period sends one with the duration so far (the first with the marker
 * bit), and the end is sent three times with the E bit and the final
 * duration (RFC 4733 2.5.1.4) so one lost end packet does not stretch the
 * digit.  Receiving: an event is new when its timestamp or code differs from
 * the last one; retransmissions and end packets of an event already seen
 * are absorbed, so a digit is reported exactly once.  Pure state machines;
 * the session calls them under its lock.
 */
#include "config.h"
#include <errno.h>
#include <string.h>

#include "media_int.h"

static const char digits[] = "0123456789*#ABCD";

int media_dtmf_event_code(char d)
{
	const char *p;

	if (d >= 'a' && d <= 'd')
		d = (char)(d - 'a' + 'A');
	p = d ? strchr(digits, d) : NULL;
	return p ? (int)(p - digits) : -1;
}

char media_dtmf_event_digit(int code)
{
	return code >= 0 && code < 16 ? digits[code] : 0;
}

int media_te_tx_queue(struct media_te_tx *t, char digit, unsigned ms)
{
	if (media_dtmf_event_code(digit) < 0)
		return EINVAL;
	if (t->qlen >= sizeof(t->queue))
		return ENOBUFS;
	if (ms > 8000)                  /* 16-bit duration at 8 kHz */
		ms = 8000;
	t->queue[t->qlen] = digit;
	t->qdur[t->qlen] = (uint16_t)ms;
	t->qlen++;
	return 0;
}

void media_te_tx_stop(struct media_te_tx *t, uint32_t min_duration)
{
	if (!t->active || t->ending)
		return;
	t->total = t->duration > min_duration ? t->duration : min_duration;
}

static void payload(uint8_t pl[4], uint8_t code, bool end, uint32_t dur)
{
	if (dur > 0xffff)
		dur = 0xffff;
	pl[0] = code;
	pl[1] = (uint8_t)((end ? 0x80 : 0) | 10);      /* volume -10 dBm0 */
	pl[2] = (uint8_t)(dur >> 8);
	pl[3] = (uint8_t)dur;
}

unsigned media_te_tx_frame(struct media_te_tx *t, uint32_t now, uint32_t frame,
			   uint8_t pl[][4], uint32_t *ts, bool *marker)
{
	if (!t->active && t->qlen) {
		t->active = true;
		t->ending = false;
		t->code = (uint8_t)media_dtmf_event_code(t->queue[0]);
		t->total = t->qdur[0] * 8u;
		t->duration = 0;
		t->ts = now;
		t->marker = true;
		t->end_left = 3;
		memmove(t->queue, t->queue + 1, --t->qlen);
		memmove(t->qdur, t->qdur + 1, t->qlen * sizeof(t->qdur[0]));
	}
	if (!t->active)
		return 0;
	*ts = t->ts;
	*marker = t->marker;
	t->marker = false;
	if (!t->ending) {
		t->duration += frame;
		if (t->total && t->duration >= t->total) {
			t->duration = t->total;
			t->ending = true;
		} else {
			payload(pl[0], t->code, false, t->duration);
			return 1;
		}
	}
	/* the end, three times in this frame: RFC 4733 allows sending the
	 * retransmissions back to back; it keeps the digit's length exact */
	for (unsigned i = 0; i < t->end_left; i++)
		payload(pl[i], t->code, true, t->duration);
	t->active = false;
	return t->end_left;
}

char media_te_rx_packet(struct media_te_rx *r, const struct media_rtp_pkt *p,
			uint32_t *end_duration, bool *bad)
{
	uint8_t code;
	bool end;
	uint32_t dur;

	*bad = false;
	if (p->plen < 4) {
		*bad = true;
		return 0;
	}
	code = p->payload[0];
	end = p->payload[1] & 0x80;
	dur = (uint32_t)p->payload[2] << 8 | p->payload[3];
	if (code > 15)                  /* not DTMF (flash, tones): ignored */
		return 0;
	if (r->have && (int16_t)(p->seq - r->last_seq) < 0 && p->ts != r->ts)
		return 0;               /* a late packet of an older event */
	r->last_seq = p->seq;
	if (r->have && p->ts == r->ts && code == r->code) {
		if (end && !r->ended) {
			r->ended = true;
			*end_duration = dur;
		}
		return 0;
	}
	r->have = true;
	r->ts = p->ts;
	r->code = code;
	r->ended = end;
	if (end)
		*end_duration = dur;
	return media_dtmf_event_digit(code);
}
