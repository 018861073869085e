/*
 * sdp.c -- SDP offer/answer (RFC 3264) for one audio stream, parsed with
 * sofia-sip's SDP parser.  We write our own SDP text (a fixed, small
 * layout) and read the far end's with sdp_parse(): the first audio m-line
 * with a port; the codec is the first of OUR preference list the far end
 * offers (matching by encoding name and 8000 Hz clock, so dynamic PT numbers
 * work); telephone-event, CN, ptime, a=rtcp, rtcp-mux and the direction are
 * taken as offered.  SRTP (RFC 4568 SDES): the answerer takes the offerer's
 * first a=crypto line with a suite it has a key for, and answers with that
 * tag; per trunk, SRTP is off, optional (RTP/AVP with crypto lines, as Lync
 * offers when encryption is "supported") or required (RTP/SAVP).
 * Any thread; no state.  Text here may hold keys: never log it.
 */
#include "config.h"
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/sdp.h>

#include "media_int.h"

struct out {
	char *buf;
	size_t cap, len;
	bool overflow;
};

static void __attribute__((format(printf, 2, 3))) put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap > o->len ? o->cap - o->len : 0, fmt, ap);
	va_end(ap);
	if (n < 0 || o->len + (size_t)n >= o->cap)
		o->overflow = true;
	else
		o->len += (size_t)n;
}

static const char *dir_attr(enum media_dir d)
{
	static const char *names[] = { "inactive", "sendonly", "recvonly", "sendrecv" };

	return names[d & 3];
}

static void header(struct out *o, const struct media_sdp_local *l)
{
	const char *ip = strchr(l->addr, ':') ? "IP6" : "IP4";

	put(o, "v=0\r\no=trunkgate %" PRIu64 " %" PRIu64 " IN %s %s\r\ns=trunkgate\r\n"
	    "c=IN %s %s\r\nt=0 0\r\n", l->sess_id, l->sess_version, ip, l->addr, ip, l->addr);
}

static void rtpmap(struct out *o, uint8_t pt, const char *name)
{
	put(o, "a=rtpmap:%u %s/8000\r\n", pt, name);
}

/* The keys an offer carries: the first noffer_keys, or all of them. */
static size_t offered_keys(const struct media_sdp_local *l)
{
	return l->noffer_keys && l->noffer_keys < l->nkeys ? l->noffer_keys : l->nkeys;
}

static void tail(struct out *o, const struct media_sdp_local *l, unsigned ptime, bool mux,
		 const struct media_srtp_key *keys, size_t nkeys, enum media_dir dir)
{
	char crypto[256];

	if (ptime)
		put(o, "a=ptime:%u\r\n", ptime);
	if (mux)
		put(o, "a=rtcp-mux\r\n");
	for (size_t i = 0; i < nkeys; i++)
		if (media_srtp_crypto_format(&keys[i], crypto, sizeof(crypto)) == 0)
			put(o, "a=crypto:%s\r\n", crypto);
	memset(crypto, 0, sizeof(crypto));
	put(o, "a=%s\r\n", dir_attr(dir));
}

int media_sdp_offer(const struct media_sdp_local *l, char *buf, size_t cap)
{
	struct out o = { buf, cap, 0, false };
	bool savp = l->srtp == MEDIA_SRTP_REQUIRED;

	if (!l->addr || !l->ncodecs || (l->srtp != MEDIA_SRTP_OFF && !l->nkeys))
		return EINVAL;
	header(&o, l);
	put(&o, "m=audio %u RTP/%s", l->port, savp ? "SAVP" : "AVP");
	for (size_t i = 0; i < l->ncodecs; i++)
		put(&o, " %u", media_codec_static_pt(l->codecs[i]));
	if (l->te_pt)
		put(&o, " %u", l->te_pt);
	if (l->cn)
		put(&o, " 13");
	put(&o, "\r\n");
	for (size_t i = 0; i < l->ncodecs; i++)
		rtpmap(&o, media_codec_static_pt(l->codecs[i]), media_codec_name(l->codecs[i]));
	if (l->te_pt) {
		rtpmap(&o, l->te_pt, "telephone-event");
		put(&o, "a=fmtp:%u 0-16\r\n", l->te_pt);
	}
	if (l->cn)
		rtpmap(&o, 13, "CN");
	tail(&o, l, l->ptime_ms, l->rtcp_mux, l->keys,
	     l->srtp == MEDIA_SRTP_OFF ? 0 : offered_keys(l), l->dir);
	return o.overflow ? ENOSPC : 0;
}

/* ---- reading the far end's SDP ---- */

struct parsed {
	su_home_t *home;
	sdp_parser_t *p;
	sdp_session_t *sess;
	sdp_media_t *m;
};

static void __attribute__((format(printf, 3, 4))) seterr(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

static void parsed_free(struct parsed *ps)
{
	if (ps->p)
		sdp_parser_free(ps->p);
	if (ps->home)
		su_home_unref(ps->home);
}

static int parse(struct parsed *ps, const char *text, char *err, size_t errlen)
{
	memset(ps, 0, sizeof(*ps));
	ps->home = su_home_new(sizeof(su_home_t));
	if (!ps->home)
		return ENOMEM;
	ps->p = sdp_parse(ps->home, text, (issize_t)strlen(text), 0);
	if (!ps->p || sdp_parsing_error(ps->p)) {
		seterr(err, errlen, "SDP does not parse: %s",
		       ps->p && sdp_parsing_error(ps->p) ? sdp_parsing_error(ps->p) : "no memory");
		return EPROTO;
	}
	ps->sess = sdp_session(ps->p);
	for (sdp_media_t *m = ps->sess ? ps->sess->sdp_media : NULL; m; m = m->m_next)
		if (m->m_type == sdp_media_audio && m->m_port) {
			ps->m = m;
			break;
		}
	if (!ps->m) {
		seterr(err, errlen, "no audio stream with a port");
		return EPROTO;
	}
	if (ps->m->m_proto != sdp_proto_rtp && ps->m->m_proto != sdp_proto_srtp) {
		seterr(err, errlen, "audio transport %s is not RTP/AVP or RTP/SAVP",
		       ps->m->m_proto_name ? ps->m->m_proto_name : "?");
		return EPROTO;
	}
	return 0;
}

static const char *attr(const sdp_media_t *m, const char *name)
{
	for (const sdp_attribute_t *a = m->m_attributes; a; a = a->a_next)
		if (strcasecmp(a->a_name, name) == 0)
			return a->a_value ? a->a_value : "";
	for (const sdp_attribute_t *a = m->m_session->sdp_attributes; a; a = a->a_next)
		if (strcasecmp(a->a_name, name) == 0)
			return a->a_value ? a->a_value : "";
	return NULL;
}

/* The PT the far end uses for name/8000, -1 if it lists none. */
static int find_pt(const sdp_media_t *m, const char *name)
{
	for (const sdp_rtpmap_t *rm = m->m_rtpmaps; rm; rm = rm->rm_next)
		if (rm->rm_encoding && strcasecmp(rm->rm_encoding, name) == 0 && rm->rm_rate == 8000 &&
		    (!rm->rm_params || strcmp(rm->rm_params, "1") == 0))
			return rm->rm_pt;       /* mono only: Lync offers G722/8000/2 too */
	/* static PTs listed without rtpmap lines */
	for (const sdp_list_t *f = m->m_format; f; f = f->l_next) {
		int pt = atoi(f->l_text);
		enum media_codec c = media_codec_by_name(name);

		if (c != MEDIA_CODEC_NONE && pt == media_codec_static_pt(c) && f->l_text[0] >= '0' &&
		    f->l_text[0] <= '9')
			return pt;
	}
	return -1;
}

static int remote_addr(const struct parsed *ps, struct media_sdp_neg *neg, char *err, size_t errlen)
{
	const sdp_connection_t *c = ps->m->m_connections ? ps->m->m_connections : ps->sess->sdp_connection;
	uint16_t port = (uint16_t)ps->m->m_port;

	if (!c || !c->c_address) {
		seterr(err, errlen, "no connection address");
		return EPROTO;
	}
	snprintf(neg->remote_addr, sizeof(neg->remote_addr), "%s", c->c_address);
	memset(&neg->remote, 0, sizeof(neg->remote));
	if (c->c_addrtype == sdp_addr_ip6) {
		struct sockaddr_in6 *a = (void *)&neg->remote;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		if (inet_pton(AF_INET6, c->c_address, &a->sin6_addr) != 1)
			goto bad;
	} else {
		struct sockaddr_in *a = (void *)&neg->remote;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		if (inet_pton(AF_INET, c->c_address, &a->sin_addr) != 1)
			goto bad;
	}
	return 0;
 bad:
	seterr(err, errlen, "connection address %s is not an IP address", c->c_address);
	return EPROTO;
}

static bool is_hold_addr(const struct media_sdp_neg *neg)
{
	return strcmp(neg->remote_addr, "0.0.0.0") == 0;
}

/* Everything but codec choice and crypto, common to offer and answer. */
static int common(const struct parsed *ps, const struct media_sdp_local *l,
		  struct media_sdp_neg *neg, char *err, size_t errlen)
{
	const char *v;
	int err2, pt;
	enum media_dir far;

	if ((err2 = remote_addr(ps, neg, err, errlen)))
		return err2;
	neg->ptime_ms = 20;
	if ((v = attr(ps->m, "ptime"))) {
		unsigned p = (unsigned)atoi(v);

		/* we send 10..60 ms in 10 ms steps; round what we cannot do */
		p = (p + 5) / 10 * 10;
		neg->ptime_ms = p < 10 ? 10 : p > 60 ? 60 : p;
	}
	neg->rtcp_mux = l->rtcp_mux && attr(ps->m, "rtcp-mux");
	neg->remote_rtcp_port = 0;
	if ((v = attr(ps->m, "rtcp")))
		neg->remote_rtcp_port = (uint16_t)atoi(v);
	neg->te_pt = 0;
	if (l->te_pt && (pt = find_pt(ps->m, "telephone-event")) >= 0)
		neg->te_pt = (uint8_t)pt;
	neg->cn_pt = 0;
	if (l->cn && (pt = find_pt(ps->m, "CN")) >= 0)
		neg->cn_pt = (uint8_t)pt;
	/* the far end's sendonly is our recvonly, and so on; then our own hold */
	far = (enum media_dir)ps->m->m_mode;
	neg->dir = (enum media_dir)(((far & MEDIA_DIR_SENDONLY) ? MEDIA_DIR_RECVONLY : 0) |
				    ((far & MEDIA_DIR_RECVONLY) ? MEDIA_DIR_SENDONLY : 0));
	neg->dir &= l->dir;
	if (is_hold_addr(neg))          /* RFC 2543 hold: nowhere to send to */
		neg->dir &= ~MEDIA_DIR_SENDONLY;
	return 0;
}

static const struct media_srtp_key *our_key(const struct media_sdp_local *l,
					    enum media_srtp_suite suite)
{
	for (size_t i = 0; i < l->nkeys; i++)
		if (l->keys[i].suite == suite)
			return &l->keys[i];
	return NULL;
}

int media_sdp_answer(const char *offer, const struct media_sdp_local *l,
		     struct media_sdp_neg *neg, char *buf, size_t cap, char *err, size_t errlen)
{
	struct parsed ps;
	struct out o = { buf, cap, 0, false };
	struct media_srtp_key ours;
	bool savp;
	int rc, pt = -1;
	unsigned warn = 304;

	memset(neg, 0, sizeof(*neg));
	if ((rc = parse(&ps, offer, err, errlen)))
		goto out;
	if ((rc = common(&ps, l, neg, err, errlen)))
		goto out;
	savp = ps.m->m_proto == sdp_proto_srtp;
	for (size_t i = 0; i < l->ncodecs && pt < 0; i++)
		if ((pt = find_pt(ps.m, media_codec_name(l->codecs[i]))) >= 0) {
			neg->codec = l->codecs[i];
			neg->pt = (uint8_t)pt;
		}
	if (pt < 0) {
		seterr(err, errlen, "no common codec");
		warn = 305;
		rc = EPROTO;
		goto out;
	}
	if (l->srtp != MEDIA_SRTP_OFF) {
		for (const sdp_attribute_t *a = ps.m->m_attributes; a && !neg->srtp; a = a->a_next) {
			const struct media_srtp_key *k;

			if (strcasecmp(a->a_name, "crypto") || !a->a_value)
				continue;
			if (media_srtp_crypto_parse(&neg->rx_key, a->a_value))
				continue;       /* a suite or form we do not do */
			if (!(k = our_key(l, neg->rx_key.suite)))
				continue;
			ours = *k;
			ours.tag = neg->rx_key.tag;
			neg->tx_key = ours;
			neg->srtp = true;
		}
		if (!neg->srtp)
			memset(&neg->rx_key, 0, sizeof(neg->rx_key));
	}
	if (savp && !neg->srtp) {
		seterr(err, errlen, l->srtp == MEDIA_SRTP_OFF ? "offer requires SRTP, which is off here"
							      : "no acceptable crypto suite");
		rc = EPROTO;
		goto out;
	}
	if (l->srtp == MEDIA_SRTP_REQUIRED && !neg->srtp) {
		seterr(err, errlen, "SRTP required, the offer has no usable crypto line");
		rc = EPROTO;
		goto out;
	}
	header(&o, l);
	put(&o, "m=audio %u RTP/%s %u", l->port, savp ? "SAVP" : "AVP", neg->pt);
	if (neg->te_pt)
		put(&o, " %u", neg->te_pt);
	if (neg->cn_pt)
		put(&o, " %u", neg->cn_pt);
	put(&o, "\r\n");
	rtpmap(&o, neg->pt, media_codec_name(neg->codec));
	if (neg->te_pt) {
		rtpmap(&o, neg->te_pt, "telephone-event");
		put(&o, "a=fmtp:%u 0-16\r\n", neg->te_pt);
	}
	if (neg->cn_pt)
		rtpmap(&o, neg->cn_pt, "CN");
	tail(&o, l, l->ptime_ms ? l->ptime_ms : (attr(ps.m, "ptime") ? neg->ptime_ms : 0),
	     neg->rtcp_mux, &neg->tx_key, neg->srtp ? 1 : 0, neg->dir);
	rc = o.overflow ? ENOSPC : 0;
 out:
	memset(&ours, 0, sizeof(ours));
	parsed_free(&ps);
	if (rc) {
		memset(neg, 0, sizeof(*neg));
		neg->warning = warn;
	}
	return rc;
}

int media_sdp_parse_answer(const char *answer, const struct media_sdp_local *l,
			   struct media_sdp_neg *neg, char *err, size_t errlen)
{
	struct parsed ps;
	int rc;

	memset(neg, 0, sizeof(*neg));
	if ((rc = parse(&ps, answer, err, errlen)))
		goto out;
	if ((rc = common(&ps, l, neg, err, errlen)))
		goto out;
	/* the answer's first format that we offered (sofia-sip keeps an RTP
	 * m-line's formats as rtpmaps, in m-line order) */
	for (const sdp_rtpmap_t *rm = ps.m->m_rtpmaps; rm && !neg->codec; rm = rm->rm_next)
		for (size_t i = 0; i < l->ncodecs; i++)
			if (find_pt(ps.m, media_codec_name(l->codecs[i])) == rm->rm_pt) {
				neg->codec = l->codecs[i];
				neg->pt = rm->rm_pt;
				break;
			}
	if (!neg->codec) {
		seterr(err, errlen, "answer has none of the offered codecs");
		rc = EPROTO;
		goto out;
	}
	if (l->srtp != MEDIA_SRTP_OFF) {
		for (const sdp_attribute_t *a = ps.m->m_attributes; a && !neg->srtp; a = a->a_next) {
			if (strcasecmp(a->a_name, "crypto") || !a->a_value ||
			    media_srtp_crypto_parse(&neg->rx_key, a->a_value))
				continue;
			for (size_t i = 0; i < offered_keys(l); i++)
				if (l->keys[i].tag == neg->rx_key.tag && l->keys[i].suite == neg->rx_key.suite) {
					neg->tx_key = l->keys[i];
					neg->srtp = true;
				}
		}
		if (!neg->srtp)
			memset(&neg->rx_key, 0, sizeof(neg->rx_key));
	}
	if ((ps.m->m_proto == sdp_proto_srtp || l->srtp == MEDIA_SRTP_REQUIRED) && !neg->srtp) {
		seterr(err, errlen, "answer has no crypto line matching the offer");
		rc = EPROTO;
	}
 out:
	parsed_free(&ps);
	if (rc)
		memset(neg, 0, sizeof(*neg));
	return rc;
}

void media_sdp_neg_to_cfg(const struct media_sdp_neg *neg, struct media_session_cfg *cfg)
{
	cfg->remote = neg->remote;
	cfg->remote_rtcp_port = neg->remote_rtcp_port;
	cfg->rtcp_mux = neg->rtcp_mux;
	cfg->codec = neg->codec;
	cfg->pt = neg->pt;
	cfg->te_pt = neg->te_pt;
	cfg->cn_pt = neg->cn_pt;
	cfg->ptime_ms = neg->ptime_ms;
	cfg->dir = neg->dir;
	if (neg->srtp) {
		cfg->srtp_tx = neg->tx_key;
		cfg->srtp_rx = neg->rx_key;
	} else {
		memset(&cfg->srtp_tx, 0, sizeof(cfg->srtp_tx));
		memset(&cfg->srtp_rx, 0, sizeof(cfg->srtp_rx));
	}
}
