/*
 * rtcp.c -- RTCP compound packets (RFC 3550 section 6): we send SR (when we
 * sent RTP since the last report) or RR, each with at most one report block
 * about the source we receive, plus SDES CNAME, as section 6.1 requires of a
 * compound packet.  Incoming: SR (for LSR), report blocks about our SSRC
 * (for loss, jitter and the round trip of 6.4.1), BYE.  Pure functions.
 */
#include "config.h"
#include <errno.h>
#include <string.h>

#include "media_int.h"

static void put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void put_block(uint8_t *b, const struct media_rtcp_report *r)
{
	uint32_t lost = (uint32_t)r->lost & 0xffffff;

	put32(b, r->ssrc);
	put32(b + 4, (uint32_t)r->fraction << 24 | lost);
	put32(b + 8, r->ext_max);
	put32(b + 12, r->jitter);
	put32(b + 16, r->lsr);
	put32(b + 20, r->dlsr);
}

size_t media_rtcp_build(uint8_t *b, size_t cap, const struct media_rtcp_out *o)
{
	size_t n = 0, cl = o->cname ? strlen(o->cname) : 0, sdes;
	unsigned rc = o->have_block ? 1 : 0;
	size_t first = (o->sr ? 28 : 8) + 24 * rc;

	if (cl > 255)
		cl = 255;
	sdes = 8 + 2 + cl + 1;          /* header, SSRC, CNAME item, END */
	sdes = (sdes + 3) & ~(size_t)3;
	if (cap < first + sdes)
		return 0;
	b[0] = (uint8_t)(0x80 | rc);
	b[1] = o->sr ? 200 : 201;
	b[2] = 0;
	b[3] = (uint8_t)(first / 4 - 1);
	put32(b + 4, o->ssrc);
	n = 8;
	if (o->sr) {
		put32(b + 8, (uint32_t)(o->ntp >> 32));
		put32(b + 12, (uint32_t)o->ntp);
		put32(b + 16, o->rtp_ts);
		put32(b + 20, o->packets);
		put32(b + 24, o->octets);
		n = 28;
	}
	if (rc) {
		put_block(b + n, &o->block);
		n += 24;
	}
	memset(b + n, 0, sdes);
	b[n] = 0x81;
	b[n + 1] = 202;
	b[n + 3] = (uint8_t)(sdes / 4 - 1);
	put32(b + n + 4, o->ssrc);
	b[n + 8] = 1;                   /* CNAME */
	b[n + 9] = (uint8_t)cl;
	if (cl)
		memcpy(b + n + 10, o->cname, cl);
	return n + sdes;
}

static void get_block(const uint8_t *b, struct media_rtcp_report *r)
{
	uint32_t w = get32(b + 4);

	r->ssrc = get32(b);
	r->fraction = (uint8_t)(w >> 24);
	r->lost = (int32_t)(w << 8) >> 8;       /* sign-extend 24 bits */
	r->ext_max = get32(b + 8);
	r->jitter = get32(b + 12);
	r->lsr = get32(b + 16);
	r->dlsr = get32(b + 20);
}

int media_rtcp_parse(const uint8_t *b, size_t len, uint32_t want, struct media_rtcp_in *in)
{
	memset(in, 0, sizeof(*in));
	if (len < 8)
		return EBADMSG;
	/* 6.4.1: the first packet of a compound is SR or RR */
	if (b[1] != 200 && b[1] != 201)
		return EBADMSG;
	while (len >= 4) {
		size_t plen = 4 * ((size_t)(b[2] << 8 | b[3]) + 1), off;
		unsigned rc = b[0] & 0x1f;

		if ((b[0] >> 6) != 2 || plen > len)
			return EBADMSG;
		if (b[1] == 200 || b[1] == 201) {
			off = b[1] == 200 ? 28 : 8;
			if (plen < off + 24 * rc)
				return EBADMSG;
			if (b[1] == 200) {
				in->have_sr = true;
				in->sr_ssrc = get32(b + 4);
				in->sr_ntp_mid = get32(b + 8) << 16 | get32(b + 12) >> 16;
			}
			for (unsigned i = 0; i < rc; i++) {
				struct media_rtcp_report r;

				get_block(b + off + 24 * i, &r);
				if (r.ssrc == want) {
					in->block = r;
					in->have_block = true;
				}
			}
		} else if (b[1] == 203) {
			in->bye = true;
		}
		b += plen;
		len -= plen;
	}
	return len ? EBADMSG : 0;
}

double media_rtcp_rtt_ms(const struct media_rtcp_report *r, uint64_t ntp_now)
{
	uint32_t a = (uint32_t)(ntp_now >> 16), rtt;

	if (!r->lsr)
		return -1;
	rtt = a - r->lsr - r->dlsr;     /* 1/65536 s */
	if (rtt > 0x80000000u)          /* clocks disagree: no estimate */
		return -1;
	return rtt * 1000.0 / 65536.0;
}
