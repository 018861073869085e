/*
 * rtp.c -- RTP packets (RFC 3550 section 5), the receive statistics of
 * RFC 3550 appendix A (sequence validation with wrap-around, expected and
 * lost counts, interarrival jitter), and the E-model quality estimate.
 * Pure functions; the caller (a session, under its lock) owns the state.
 */
#include "config.h"
#include <errno.h>
#include <string.h>

#include "media_int.h"

#define RTP_SEQ_MOD (1u << 16)
#define MAX_DROPOUT 3000
#define MAX_MISORDER 100

int media_rtp_parse(const uint8_t *b, size_t len, struct media_rtp_pkt *p)
{
	size_t off = MEDIA_RTP_HDR;
	unsigned cc;

	if (len < MEDIA_RTP_HDR || (b[0] >> 6) != 2)
		return EBADMSG;
	cc = b[0] & 0x0f;
	off += 4 * cc;
	if (b[0] & 0x10) {              /* header extension: 4 bytes + length words */
		if (len < off + 4)
			return EBADMSG;
		off += 4 + 4 * (((size_t)b[off + 2] << 8) | b[off + 3]);
	}
	if (len < off)
		return EBADMSG;
	if (b[0] & 0x20) {              /* padding: the last byte counts it */
		unsigned pad = b[len - 1];

		if (pad == 0 || off + pad > len)
			return EBADMSG;
		len -= pad;
	}
	p->marker = b[1] >> 7;
	p->pt = b[1] & 0x7f;
	p->seq = (uint16_t)(b[2] << 8 | b[3]);
	p->ts = (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 | b[7];
	p->ssrc = (uint32_t)b[8] << 24 | (uint32_t)b[9] << 16 | (uint32_t)b[10] << 8 | b[11];
	p->payload = b + off;
	p->plen = len - off;
	return 0;
}

size_t media_rtp_write(uint8_t *b, size_t cap, const struct media_rtp_pkt *p)
{
	if (cap < MEDIA_RTP_HDR + p->plen)
		return 0;
	b[0] = 0x80;
	b[1] = (uint8_t)((p->marker ? 0x80 : 0) | (p->pt & 0x7f));
	b[2] = (uint8_t)(p->seq >> 8);
	b[3] = (uint8_t)p->seq;
	b[4] = (uint8_t)(p->ts >> 24);
	b[5] = (uint8_t)(p->ts >> 16);
	b[6] = (uint8_t)(p->ts >> 8);
	b[7] = (uint8_t)p->ts;
	b[8] = (uint8_t)(p->ssrc >> 24);
	b[9] = (uint8_t)(p->ssrc >> 16);
	b[10] = (uint8_t)(p->ssrc >> 8);
	b[11] = (uint8_t)p->ssrc;
	if (p->plen)
		memcpy(b + MEDIA_RTP_HDR, p->payload, p->plen);
	return MEDIA_RTP_HDR + p->plen;
}

bool media_rtp_is_rtcp(const uint8_t *b, size_t len)
{
	return len >= 2 && b[1] >= 192 && b[1] <= 223;
}

static void seq_init(struct media_rx_seq *s, uint16_t seq)
{
	s->init = true;
	s->base_seq = seq;
	s->max_seq = seq;
	s->bad_seq = RTP_SEQ_MOD + 1;   /* so seq == bad_seq is false */
	s->cycles = 0;
	s->received = 0;
	s->received_prior = 0;
	s->expected_prior = 0;
}

void media_rx_seq_reset(struct media_rx_seq *s)
{
	memset(s, 0, sizeof(*s));
}

/* RFC 3550 A.1 without the probation period: a gateway plays the first
 * packet of a new source rather than wait for a second one; a big jump is
 * still confirmed by a second packet before the state restarts. */
bool media_rx_seq_update(struct media_rx_seq *s, uint16_t seq)
{
	uint16_t udelta;

	if (!s->init) {
		seq_init(s, seq);
		s->received = 1;
		return true;
	}
	udelta = (uint16_t)(seq - s->max_seq);
	if (udelta < MAX_DROPOUT) {
		if (seq < s->max_seq)   /* wrapped */
			s->cycles += RTP_SEQ_MOD;
		s->max_seq = seq;
	} else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
		if (seq == s->bad_seq) {
			/* two sequential packets after a jump: the source restarted */
			seq_init(s, seq);
			s->have_transit = false;
		} else {
			s->bad_seq = (seq + 1) & (RTP_SEQ_MOD - 1);
			return false;
		}
	}
	/* else: duplicate or reordered packet, counted (A.1 does) */
	s->received++;
	return true;
}

void media_rx_jitter(struct media_rx_seq *s, uint32_t arrival, uint32_t ts)
{
	int32_t transit = (int32_t)(arrival - ts), d;

	if (s->have_transit) {
		d = transit - s->transit;
		if (d < 0)
			d = -d;
		s->jitter += (1.0 / 16.0) * ((double)d - s->jitter);
	}
	s->transit = transit;
	s->have_transit = true;
}

uint32_t media_rx_ext_max(const struct media_rx_seq *s)
{
	return s->cycles + s->max_seq;
}

uint32_t media_rx_expected(const struct media_rx_seq *s)
{
	return s->init ? media_rx_ext_max(s) - s->base_seq + 1 : 0;
}

int32_t media_rx_lost(const struct media_rx_seq *s)
{
	int64_t lost = (int64_t)media_rx_expected(s) - s->received;

	/* clamped to the 24-bit signed field of a report block */
	if (lost > 0x7fffff)
		lost = 0x7fffff;
	if (lost < -0x800000)
		lost = -0x800000;
	return (int32_t)lost;
}

uint8_t media_rx_fraction(struct media_rx_seq *s)
{
	uint32_t expected = media_rx_expected(s);
	uint32_t exp_int = expected - s->expected_prior;
	uint32_t rec_int = s->received - s->received_prior;
	int64_t lost_int = (int64_t)exp_int - rec_int;

	s->expected_prior = expected;
	s->received_prior = s->received;
	if (exp_int == 0 || lost_int <= 0)
		return 0;
	return (uint8_t)((lost_int << 8) / exp_int);
}

/*
 * E-model, ITU-T G.107 with default values except the codec impairment:
 * R = 93.2 - Id - Ie,eff.  Id from the one-way delay (the G.107 Annex
 * approximation of Cole and Rosenbluth); Ie,eff from random loss with the
 * codec's Bpl (G.113 Appendix I: G.711 with PLC 25.1; G.722 in its
 * narrowband-equivalent use here the same).  An estimate for a live view,
 * not a measurement: it does not see burstiness or the far end's devices.
 */
double media_emodel_r(enum media_codec c, double d, double ppl)
{
	double ie = 0, bpl = 25.1, id, ie_eff;

	(void)c;
	if (d < 0)
		d = 0;
	if (ppl < 0)
		ppl = 0;
	id = 0.024 * d + (d > 177.3 ? 0.11 * (d - 177.3) : 0);
	ie_eff = ie + (95 - ie) * ppl / (ppl + bpl);
	return 93.2 - id - ie_eff;
}

double media_r_to_mos(double r)
{
	if (r <= 0)
		return 1.0;
	if (r >= 100)
		return 4.5;
	return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
}
