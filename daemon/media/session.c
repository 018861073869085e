/*
 * session.c -- one RTP leg: its sockets' receive path (SRTP check, source
 * latching, sequence/jitter statistics, telephone-event, CN, the jitter
 * buffer or a bridged peer), RTCP every few seconds whatever the direction
 * (Lync ends a call after 30 s without RTCP, also on hold), and the TDM
 * side's per-period audio (echo canceller, in-band DTMF both ways, packets
 * out at the span's clock).
 *
 * Locking: s->lock covers everything in the session.  The media thread
 * holds the engine lock while it handles a socket or a timer, so a peer
 * pointer it follows cannot be freed under it; it never holds two session
 * locks at once (a relay copies the packet out, drops its own lock, then
 * takes the peer's).  The TDM clock owner (the HAL's I/O thread) takes only
 * the session lock.  Main-thread calls take the engine lock, then s->lock.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <spandsp.h>

#define LOG_MODULE "media"
#include "log.h"
#include "media_int.h"

#define FRAME(s) (8 * (s)->cfg.ptime_ms)

static bool same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
			memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
	}
	return false;
}

static socklen_t addr_len(const struct sockaddr_storage *a)
{
	return a->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

static uint16_t addr_port(const struct sockaddr_storage *a)
{
	return ntohs(a->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)a)->sin6_port
					      : ((const struct sockaddr_in *)a)->sin_port);
}

static void addr_set_port(struct sockaddr_storage *a, uint16_t port)
{
	if (a->ss_family == AF_INET6)
		((struct sockaddr_in6 *)a)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)a)->sin_port = htons(port);
}

/* The jitter buffer, made when first needed (see media_int.h); NULL only
 * when memory ran out: the packet is then dropped, the period silent. */
static struct media_jb *jb_need(struct media_session *s)
{
	struct media_jb *jb;

	if (s->jb)
		return s->jb;
	jb = malloc(sizeof(*jb));
	if (!jb)
		return NULL;
	if (media_jb_init(jb, &s->dec, s->cfg.jb_min_ms, s->cfg.jb_max_ms)) {
		media_jb_fini(jb);
		free(jb);
		return NULL;
	}
	s->jb = jb;
	return jb;
}

void media_session_jb_drop(struct media_session *s)
{
	if (!s->jb)
		return;
	media_jb_fini(s->jb);
	free(s->jb);
	s->jb = NULL;
}

/* Where RTP goes: the latched source (symmetric RTP), else the SDP's. */
static const struct sockaddr_storage *rtp_dest(const struct media_session *s)
{
	if (s->cfg.latch && s->have_src)
		return &s->src;
	return s->cfg.remote.ss_family == AF_UNSPEC ? NULL : &s->cfg.remote;
}

int media_session_send_rtp(struct media_session *s, uint8_t pt, bool marker,
			   uint32_t ts, const uint8_t *pl, size_t plen)
{
	uint8_t buf[MEDIA_MAX_PKT + 160];
	const struct sockaddr_storage *to = rtp_dest(s);
	struct media_rtp_pkt p = { .pt = pt, .marker = marker, .seq = s->seq, .ts = ts,
				   .ssrc = s->ssrc, .payload = pl, .plen = plen };
	int len;

	if (!to)
		return ENOTCONN;
	len = (int)media_rtp_write(buf, MEDIA_MAX_PKT, &p);
	if (!len)
		return EMSGSIZE;
	s->seq++;
	if (media_srtp_protect(&s->srtp_tx, buf, &len, false))
		return EIO;
	if (sendto(s->rtp.fd, buf, (size_t)len, 0, (const struct sockaddr *)to, addr_len(to)) < 0)
		return errno;
	s->st.tx_packets++;
	s->st.tx_bytes += plen;
	s->sent_packets++;
	s->sent_octets += (uint32_t)plen;
	s->sent_since_report = true;
	return 0;
}

/* One frame of 8 kHz audio gathered in s->acc goes out (or an event). */
static void send_frame(struct media_session *s)
{
	uint32_t frame = FRAME(s);
	uint8_t pl[MEDIA_MAX_FRAME], ev[3][4];
	unsigned k = 0;
	uint32_t ets = 0;
	bool marker = false;

	if (s->cfg.te_pt)
		k = media_te_tx_frame(&s->te_tx, s->ts, frame, ev, &ets, &marker);
	if (!(s->cfg.dir & MEDIA_DIR_SENDONLY) || !rtp_dest(s)) {
		s->ts += frame;
		return;
	}
	if (k) {
		/* RFC 4733 2.5.1.1: no audio for the event's duration */
		for (unsigned i = 0; i < k; i++)
			media_session_send_rtp(s, s->cfg.te_pt, marker && i == 0, ets, ev[i], 4);
	} else {
		size_t len;

		if (s->dtmf_gen) {      /* in-band digits for a leg without events */
			int16_t tone[MEDIA_MAX_FRAME];
			int got = dtmf_tx(s->dtmf_gen, tone, (int)frame);

			if (got > 0)
				memcpy(s->acc, tone, (size_t)got * sizeof(int16_t));
		}
		len = media_codec_encode(&s->enc, s->acc, frame, pl);
		media_session_send_rtp(s, s->cfg.pt, false, s->ts, pl, len);
	}
	s->ts += frame;
}

static void post(struct media_session *s, enum media_event_type type, char digit,
		 enum media_dtmf_source src, unsigned ms)
{
	struct media_event ev = { .type = type, .cookie = s->cfg.cookie, .digit = digit,
				  .source = src, .duration_ms = ms };

	media_post_event(s->e, &ev);
}

/* What a received packet hands to the peer once our lock is dropped. */
struct relay {
	enum { RELAY_NONE, RELAY_PAYLOAD, RELAY_PCM, RELAY_EVENT } kind;
	enum media_codec codec;
	bool marker;
	uint32_t ts, ssrc;
	size_t len;
	uint8_t data[MEDIA_MAX_FRAME];
	int16_t pcm[MEDIA_MAX_FRAME];
};

static void rx_rtp(struct media_session *s, uint8_t *buf, int len,
		   const struct sockaddr_storage *from, uint64_t now, struct relay *out)
{
	struct media_rtp_pkt p;
	int err;

	/* strict sources: a packet from elsewhere is dropped before SRTP sees
	 * it, so that a copy of the stream from another address cannot move
	 * the replay window ahead of the real packets */
	if (!s->cfg.latch && s->cfg.remote.ss_family != AF_UNSPEC && !same_addr(from, &s->cfg.remote)) {
		s->st.foreign_packets++;
		return;
	}
	if (s->srtp_rx.ctx) {
		err = media_srtp_unprotect(&s->srtp_rx, buf, &len, false);
		if (err) {
			s->st.srtp_fail++;
			return;
		}
	}
	if (media_rtp_parse(buf, (size_t)len, &p)) {
		s->st.bad_packets++;
		return;
	}
	if (!s->cfg.latch) {
		s->have_src = true;
		s->src = *from;
	} else if (!s->have_src || !same_addr(from, &s->src)) {
		/* latch onto the first source, and re-latch only to a new
		 * stream (new SSRC): a copy of the same stream from a second
		 * address is someone else's */
		if (s->have_src && p.ssrc == s->rx_ssrc) {
			s->st.foreign_packets++;
			return;
		}
		if (s->have_src || (s->cfg.remote.ss_family != AF_UNSPEC && !same_addr(from, &s->cfg.remote)))
			post(s, MEDIA_EV_LATCHED, 0, 0, 0);
		s->have_src = true;
		s->src = *from;
	}
	if (!s->rxs.init || p.ssrc != s->rx_ssrc) {
		media_rx_seq_reset(&s->rxs);
		memset(&s->te_rx, 0, sizeof(s->te_rx));
		if (s->jb)
			media_jb_reset(s->jb);
		s->rx_ssrc = p.ssrc;
		s->relay_ts_set = false;
	}
	if (!media_rx_seq_update(&s->rxs, p.seq))
		return;
	s->st.rx_packets++;
	s->st.rx_bytes += p.plen;
	s->last_rx_us = now;
	s->timeout_reported = false;
	if (!(s->cfg.dir & MEDIA_DIR_RECVONLY))
		return;                 /* counted, not played: we are on hold */

	if (s->cfg.te_pt && p.pt == s->cfg.te_pt) {
		uint32_t end = 0;
		bool bad;
		char d = media_te_rx_packet(&s->te_rx, &p, &end, &bad);

		if (bad) {
			s->st.bad_packets++;
			return;
		}
		if (d) {
			post(s, MEDIA_EV_DTMF, d, MEDIA_DTMF_RFC4733, end / 8);
			if (s->tdm && !s->peer) {
				if (!s->dtmf_tx)
					s->dtmf_tx = dtmf_tx_init(NULL);
				if (s->dtmf_tx) {
					dtmf_tx_set_timing(s->dtmf_tx, 100, 50);
					dtmf_tx_put(s->dtmf_tx, (char[]){ d, 0 }, 1);
				}
			}
		}
		if (s->peer && p.plen >= 4) {
			out->kind = RELAY_EVENT;
			out->ts = p.ts;
			out->marker = p.marker;
			out->ssrc = p.ssrc;
			out->len = 4;
			memcpy(out->data, p.payload, 4);
		}
		return;
	}
	if (s->cfg.cn_pt && p.pt == s->cfg.cn_pt) {
		/* the level for the buffer's comfort noise; not relayed */
		if (!s->peer && jb_need(s))
			media_jb_put(s->jb, p.seq, p.ts, p.payload, p.plen, true);
		return;
	}
	if (p.pt != s->cfg.pt || p.plen > MEDIA_MAX_FRAME) {
		s->st.bad_packets++;
		return;
	}
	media_rx_jitter(&s->rxs, (uint32_t)(now * 8 / 1000), p.ts);
	if (s->peer) {
		out->ts = p.ts;
		out->ssrc = p.ssrc;
		out->marker = p.marker;
		out->codec = s->cfg.codec;
		if (s->peer->cfg.codec == s->cfg.codec) {
			out->kind = RELAY_PAYLOAD;
			out->len = p.plen;
			memcpy(out->data, p.payload, p.plen);
		} else {
			out->kind = RELAY_PCM;
			out->len = media_codec_decode(&s->dec, p.payload, p.plen, out->pcm);
		}
		return;
	}
	if (jb_need(s))
		media_jb_put(s->jb, p.seq, p.ts, p.payload, p.plen, false);
}

static void relay_to(struct media_session *b, const struct relay *r)
{
	pthread_mutex_lock(&b->lock);
	if (!(b->cfg.dir & MEDIA_DIR_SENDONLY))
		goto out;
	if (r->kind == RELAY_PAYLOAD || r->kind == RELAY_EVENT) {
		uint32_t ts;

		if (r->kind == RELAY_EVENT && !b->cfg.te_pt)
			goto out;       /* no events on b: dropped (see docs/media.md) */
		if (!b->relay_ts_set || b->relay_in_ssrc != r->ssrc) {
			b->relay_ts_off = b->ts - r->ts;
			b->relay_in_ssrc = r->ssrc;
			b->relay_ts_set = true;
		}
		ts = r->ts + b->relay_ts_off;
		media_session_send_rtp(b, r->kind == RELAY_EVENT ? b->cfg.te_pt : b->cfg.pt,
				       r->marker, ts, r->data, r->len);
		if (r->kind == RELAY_PAYLOAD && (int32_t)(ts + r->len - b->ts) > 0)
			b->ts = ts + (uint32_t)r->len;
	} else if (r->kind == RELAY_PCM) {
		uint32_t frame = FRAME(b);

		for (size_t i = 0; i < r->len; i++) {
			b->acc[b->acc_n++] = r->pcm[i];
			if (b->acc_n >= frame) {
				send_frame(b);
				b->acc_n = 0;
			}
		}
	}
 out:
	pthread_mutex_unlock(&b->lock);
}

static void rx_rtcp(struct media_session *s, uint8_t *buf, int len)
{
	struct media_rtcp_in in;

	if (s->srtp_rx.ctx && media_srtp_unprotect(&s->srtp_rx, buf, &len, true)) {
		s->st.srtp_fail++;
		return;
	}
	if (media_rtcp_parse(buf, (size_t)len, s->ssrc, &in)) {
		s->st.bad_packets++;
		return;
	}
	s->st.rtcp_rx++;
	if (in.have_sr) {
		s->lsr = in.sr_ntp_mid;
		s->lsr_at_ntp = media_ntp_now();
	}
	if (in.have_block) {
		double rtt = media_rtcp_rtt_ms(&in.block, media_ntp_now());

		if (rtt >= 0)
			s->st.rtt_ms = rtt;
		s->st.remote_loss_pct = in.block.fraction * 100.0 / 256.0;
	}
}

/* Media thread, engine lock held: drain one socket. */
void media_session_rx(struct media_session *s, bool rtcp_sock)
{
	uint8_t buf[MEDIA_MAX_PKT + 160];
	struct relay r;

	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(rtcp_sock ? s->rtcp.fd : s->rtp.fd, buf, MEDIA_MAX_PKT, 0,
				     (struct sockaddr *)&from, &fl);

		if (n < 0)
			break;
		r.kind = RELAY_NONE;
		pthread_mutex_lock(&s->lock);
		if (rtcp_sock || (s->cfg.rtcp_mux && media_rtp_is_rtcp(buf, (size_t)n)))
			rx_rtcp(s, buf, (int)n);
		else
			rx_rtp(s, buf, (int)n, &from, media_now_us(), &r);
		pthread_mutex_unlock(&s->lock);
		if (r.kind != RELAY_NONE && s->peer)
			relay_to(s->peer, &r);
	}
}

static void send_rtcp(struct media_session *s)
{
	uint8_t buf[256 + 160];
	struct media_rtcp_out o = { .ssrc = s->ssrc, .sr = s->sent_since_report,
				    .ntp = media_ntp_now(), .rtp_ts = s->ts,
				    .packets = s->sent_packets, .octets = s->sent_octets };
	const struct sockaddr_storage *rtp = rtp_dest(s);
	struct sockaddr_storage to;
	char cname[32];
	int len;

	if (!rtp)
		return;
	to = *rtp;
	if (!s->cfg.rtcp_mux) {
		if (s->cfg.remote_rtcp_port && !(s->cfg.latch && s->have_src))
			addr_set_port(&to, s->cfg.remote_rtcp_port);
		else
			addr_set_port(&to, (uint16_t)(addr_port(rtp) + 1));
	}
	if (s->rxs.init) {
		o.have_block = true;
		o.block.ssrc = s->rx_ssrc;
		o.block.fraction = media_rx_fraction(&s->rxs);
		o.block.lost = media_rx_lost(&s->rxs);
		o.block.ext_max = media_rx_ext_max(&s->rxs);
		o.block.jitter = (uint32_t)s->rxs.jitter;
		o.block.lsr = s->lsr;
		o.block.dlsr = s->lsr ? (uint32_t)((o.ntp - s->lsr_at_ntp) >> 16) : 0;
	}
	snprintf(cname, sizeof(cname), "trunkgate-%08x", s->ssrc);
	o.cname = cname;
	len = (int)media_rtcp_build(buf, 256, &o);
	if (!len || media_srtp_protect(&s->srtp_tx, buf, &len, true))
		return;
	if (sendto(s->cfg.rtcp_mux ? s->rtp.fd : s->rtcp.fd, buf, (size_t)len, 0,
		   (const struct sockaddr *)&to, addr_len(&to)) >= 0)
		s->st.rtcp_tx++;
	s->sent_since_report = false;
}

/* Media thread, every 20 ms, engine lock held. */
void media_session_tick(struct media_session *s, uint64_t now)
{
	uint64_t iv = 1000ull * (s->e->cfg.rtcp_interval_ms ? s->e->cfg.rtcp_interval_ms : 5000);

	pthread_mutex_lock(&s->lock);
	if (now >= s->next_rtcp_us) {
		send_rtcp(s);
		/* RFC 3550 6.2: randomised over [0.5, 1.5] x the interval */
		s->next_rtcp_us = now + iv / 2 + (uint64_t)rand() % (iv + 1);
	}
	if (s->cfg.rtp_timeout_ms && !s->timeout_reported &&
	    ((s->cfg.dir & MEDIA_DIR_RECVONLY) || s->cfg.timeout_on_hold) &&
	    now - s->last_rx_us > 1000ull * s->cfg.rtp_timeout_ms) {
		s->timeout_reported = true;
		post(s, MEDIA_EV_RTP_TIMEOUT, 0, 0, 0);
	}
	/* events on a leg that no TDM clock drives (nor a peer) go out here */
	if (!s->tdm && !s->peer && s->cfg.te_pt && (s->te_tx.active || s->te_tx.qlen)) {
		uint8_t ev[3][4];
		uint32_t ets;
		bool marker;
		unsigned k = media_te_tx_frame(&s->te_tx, s->ts, 160, ev, &ets, &marker);

		for (unsigned i = 0; i < k; i++)
			if (s->cfg.dir & MEDIA_DIR_SENDONLY)
				media_session_send_rtp(s, s->cfg.te_pt, marker && i == 0, ets, ev[i], 4);
		s->ts += 160;
	}
	if (s->jb)
		media_jb_set_jitter(s->jb, s->rxs.jitter);
	pthread_mutex_unlock(&s->lock);
}

static void inband_cb(void *arg, int code, int level, int delay)
{
	struct media_session *s = arg;

	if (code) {
		s->inband_digit = (char)code;
		s->inband_start_ts = s->ts;
		post(s, MEDIA_EV_DTMF, (char)code, MEDIA_DTMF_INBAND, 0);
		if (s->cfg.te_pt)
			media_te_tx_queue(&s->te_tx, (char)code, 0);
	} else if (s->inband_digit) {
		s->inband_digit = 0;
		/* at least 40 ms, what a receiver needs to see a digit */
		media_te_tx_stop(&s->te_tx, 320);
	}
}

int media_session_audio_io(struct media_session *s, const int16_t *in, int16_t *out, size_t n)
{
	int16_t clean[MEDIA_MAX_FRAME];
	uint32_t frame;

	if (n == 0 || n > MEDIA_MAX_FRAME)
		return EINVAL;
	pthread_mutex_lock(&s->lock);
	s->tdm = true;
	frame = FRAME(s);
	if ((s->cfg.dir & MEDIA_DIR_RECVONLY) && jb_need(s))
		media_jb_get(s->jb, out, n);
	else
		memset(out, 0, n * sizeof(*out));
	if (s->dtmf_tx) {               /* digits that came as RFC 4733 */
		int16_t tone[MEDIA_MAX_FRAME];
		int got = dtmf_tx(s->dtmf_tx, tone, (int)n);

		if (got > 0)
			memcpy(out, tone, (size_t)got * sizeof(int16_t));
	}
	if ((s->cfg.echo_cancel || s->ec_span_tail) && !s->ec.st && !s->ec.disabled)
		if (media_ec_init(&s->ec, (unsigned)n, s->ec_span_tail ? s->ec_span_tail :
				  s->cfg.ec_tail_ms))
			s->ec.disabled = true;
	if (s->ec.st && !s->ec.disabled) {
		if (media_ec_tone(&s->ec, in, n) || media_ec_tone(&s->ec, out, n))
			post(s, MEDIA_EV_ANSWER_TONE, 0, 0, 0);
		media_ec_process(&s->ec, in, out, clean, n);
	} else {
		memcpy(clean, in, n * sizeof(*in));
	}
	if (s->cfg.inband_dtmf) {
		if (!s->dtmf_rx) {
			s->dtmf_rx = dtmf_rx_init(NULL, NULL, NULL);
			if (s->dtmf_rx)
				dtmf_rx_set_realtime_callback(s->dtmf_rx, inband_cb, s);
		}
		if (s->dtmf_rx)
			dtmf_rx(s->dtmf_rx, clean, (int)n);
	}
	for (size_t i = 0; i < n; i++) {
		s->acc[s->acc_n++] = clean[i];
		if (s->acc_n >= frame) {
			send_frame(s);
			s->acc_n = 0;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return 0;
}

void media_session_set_echo(struct media_session *s, unsigned tail_ms)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	if (s->ec_span_tail != tail_ms) {
		media_ec_fini(&s->ec);          /* (re)made at the next period, or off */
		s->ec.disabled = false;
		s->ec_span_tail = tail_ms;
	}
	pthread_mutex_unlock(&s->lock);
}

int media_session_send_dtmf(struct media_session *s, char digit, unsigned ms)
{
	int err = 0;

	if (media_dtmf_event_code(digit) < 0)
		return EINVAL;
	if (ms < 40)
		ms = 40;
	pthread_mutex_lock(&s->lock);
	if (s->cfg.te_pt) {
		err = media_te_tx_queue(&s->te_tx, digit, ms);
	} else {
		if (!s->dtmf_gen)
			s->dtmf_gen = dtmf_tx_init(NULL);
		if (!s->dtmf_gen) {
			err = ENOMEM;
		} else {
			dtmf_tx_set_timing(s->dtmf_gen, (int)ms, 60);
			dtmf_tx_put(s->dtmf_gen, (char[]){ digit, 0 }, 1);
		}
	}
	pthread_mutex_unlock(&s->lock);
	return err;
}

void media_session_stats(struct media_session *s, struct media_stats *st)
{
	double loss, delay;

	pthread_mutex_lock(&s->lock);
	s->st.expected = media_rx_expected(&s->rxs);
	s->st.lost = (int64_t)s->st.expected - s->rxs.received;
	s->st.jitter_ms = s->rxs.jitter / 8.0;
	if (s->jb) {    /* none: nothing played toward TDM (or nothing buffered) */
		s->st.late = s->jb->late;
		s->st.concealed_ms = s->jb->concealed / 8;
		s->st.dropped_ms = s->jb->dropped / 8;
		s->st.jb_delay_ms = media_jb_depth(s->jb) / 8;
		s->st.jb_max_delay_ms = s->jb->max_depth / 8;
	} else {
		s->st.jb_delay_ms = 0;
	}
	loss = s->st.expected ? 100.0 * (s->st.lost > 0 ? (double)s->st.lost : 0) / (double)s->st.expected : 0;
	if (s->st.remote_loss_pct > loss)
		loss = s->st.remote_loss_pct;
	/* one-way: half the round trip, the buffer, one packet of codec delay */
	delay = s->st.rtt_ms / 2 + s->st.jb_delay_ms + s->cfg.ptime_ms;
	s->st.r_factor = media_emodel_r(s->cfg.codec, delay, loss);
	s->st.mos = media_r_to_mos(s->st.r_factor);
	*st = s->st;
	pthread_mutex_unlock(&s->lock);
}
