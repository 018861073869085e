/*
 * trunk_media.c -- the RTP side of SIP legs: one media engine session per
 * leg (daemon/media), created with the leg so that its port goes into our
 * first SDP, updated by every offer/answer, destroyed with the leg.
 *
 * Offer/answer stays nua's (soa): trunk_call.c hands soa the SDP we build
 * here.  An offer we receive (in an INVITE or re-INVITE) is answered with
 * media_sdp_answer(), which picks exactly one codec (plus telephone-event
 * when offered), so what soa sends is what the session uses.  When we offer
 * (outgoing calls, INVITEs without SDP), the far end's answer arrives in
 * nua_i_state (SOATAG_REMOTE_SDP_STR with NUTAG_ANSWER_RECV) and goes
 * through media_sdp_parse_answer().
 *
 * The trunk's media settings (tg_config_sip_trunk, docs/media.md): its
 * codec preference list (telephone-event 101 always offered, CN accepted
 * when the far end offers it), SRTP mode with our own SDES keys, RTP
 * timeout (never while held unless rtp_timeout_on_hold), and media bypass:
 * latching to whatever address sends the media (no check against the SDP's
 * address), and for a call between two bypass trunks no RTP session at all
 * -- the caller's offer goes out in our INVITE and the callee's answer back
 * in our answer (bypass_pass).  A bypass trunk's session is therefore made
 * when its SDP is first needed, not with the leg.  In-band DTMF detection
 * toward RFC 4733 on TDM-bridged legs.
 *
 * Main thread only.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "sip"
#include "log.h"
#include "media.h"
#include "tg.h"
#include "trunk_int.h"

#define TRUNK_MEDIA_TE_PT 101

void trunk_agent_set_media(struct trunk_agent *a, struct media_engine *e)
{
	if (a)
		a->media = e;
}

/* Our SDES keys, made once per leg: AES_CM_128_HMAC_SHA1_80 (tag 1) and
 * _32 (tag 2), the suites Lync and most SBCs offer. */
static void ensure_keys(struct trunk_call *tc)
{
	if (tc->trunk->srtp == MEDIA_SRTP_OFF || tc->nkeys)
		return;
	/* We offer the two suites every SDES peer has (Lync offers _80);
	 * the AES-256 key is used only to answer an offer that leads with
	 * AES_256_CM_HMAC_SHA1_80. */
	if (media_srtp_key_random(&tc->keys[0], MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, 1, 0, 0) ||
	    media_srtp_key_random(&tc->keys[1], MEDIA_SRTP_AES_CM_128_HMAC_SHA1_32, 2, 0, 0) ||
	    media_srtp_key_random(&tc->keys[2], MEDIA_SRTP_AES_256_CM_HMAC_SHA1_80, 3, 0, 0)) {
		log_warn("%s: no SRTP keys could be made", tc->trunk->name);
		return;
	}
	tc->nkeys = 3;
}

static void local_sdp(struct trunk_call *tc, struct media_sdp_local *l)
{
	memset(l, 0, sizeof(*l));
	ensure_keys(tc);
	l->addr = tc->agent->host;
	l->port = (uint16_t)tc->rtp_port;
	l->codecs = tc->trunk->codecs;
	l->ncodecs = tc->trunk->ncodecs;
	l->te_pt = TRUNK_MEDIA_TE_PT;
	l->cn = tc->offer != NULL;      /* CN: accepted when offered, not offered */
	l->ptime_ms = 20;
	l->dir = MEDIA_DIR_SENDRECV;
	l->srtp = tc->nkeys ? tc->trunk->srtp : MEDIA_SRTP_OFF;
	l->keys = tc->keys;
	l->nkeys = tc->nkeys;
	l->noffer_keys = tc->nkeys ? 2 : 0;
	l->sess_id = tc->media_id;
	l->sess_version = tc->sdp_version;
}

static void base_cfg(const struct trunk_call *tc, struct media_session_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->cookie = tc->media_id;
	c->remote.ss_family = AF_UNSPEC;
	c->codec = MEDIA_CODEC_PCMU;
	c->pt = 0;
	c->ptime_ms = 20;
	c->dir = MEDIA_DIR_SENDRECV;
	c->rtp_timeout_ms = tc->trunk->rtp_timeout_s * 1000u;
	c->timeout_on_hold = tc->trunk->rtp_timeout_on_hold;
	c->latch = tc->trunk->media_bypass;     /* bypass: media from wherever it comes */
	c->inband_dtmf = true;
}

/* The other leg when it is SIP and both trunks have media bypass on. */
static struct trunk_call *bypass_peer(struct trunk_call *tc, struct leg *other)
{
	struct trunk_call *p;

	if (!tc->trunk->media_bypass)
		return NULL;
	if (!other)
		other = call_leg_peer(&tc->leg);
	if (!other || other->kind != LEG_SIP)
		return NULL;
	p = other->owner;
	return p && p->trunk->media_bypass ? p : NULL;
}

static int open_session(struct trunk_call *tc)
{
	struct trunk_agent *a = tc->agent;
	struct media_session_cfg c;
	int err;

	if (tc->ms)
		return 0;
	base_cfg(tc, &c);
	err = media_session_create(&tc->ms, a->media, &c);
	if (err) {
		log_warn("%s: no RTP port for a call: %s", tc->trunk->name, strerror(err));
		tc->ms = NULL;
		return err;
	}
	tc->rtp_port = media_session_local_port(tc->ms);
	return 0;
}

int trunk_media_open(struct trunk_call *tc)
{
	struct trunk_agent *a = tc->agent;

	if (!a->media)
		return ENODEV;
	tc->media_id = ++a->media_seq;
	tc->sdp_version = 1;
	tc->media_dir = MEDIA_DIR_SENDRECV;
	if (tc->trunk->media_bypass)
		return 0;       /* made when the SDP needs it: SIP<->SIP bypass needs none */
	return open_session(tc);
}

void trunk_media_close(struct trunk_call *tc)
{
	media_session_destroy(tc->ms);     /* NULL-safe; unhooks its bridges */
	tc->ms = NULL;
	free(tc->offer);
	tc->offer = NULL;
	free(tc->far_sdp);
	tc->far_sdp = NULL;
	free(tc->pass_offer);
	tc->pass_offer = NULL;
	memset(tc->keys, 0, sizeof(tc->keys));
	tc->nkeys = 0;
}

static bool deferred(const struct trunk_call *tc)
{
	return tc->media_id && tc->trunk->media_bypass;
}

static unsigned neg_port(const struct media_sdp_neg *neg)
{
	if (neg->remote.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&neg->remote)->sin6_port);
	return ntohs(((const struct sockaddr_in *)&neg->remote)->sin_port);
}

static void apply(struct trunk_call *tc, const struct media_sdp_neg *neg, const char *what)
{
	struct media_session_cfg c;
	int err;

	base_cfg(tc, &c);
	media_sdp_neg_to_cfg(neg, &c);
	err = media_session_update(tc->ms, &c);
	if (err) {
		log_warn("%s: %s: media not updated: %s", tc->trunk->name, what, strerror(err));
		return;
	}
	tc->media_dir = neg->dir;
	log_debug("%s: %s: RTP %u to %s:%u %s/%u, telephone-event %u, %s", tc->trunk->name,
		  what, tc->rtp_port, neg->remote_addr, neg_port(neg), media_codec_name(neg->codec), neg->pt, neg->te_pt,
		  neg->dir == MEDIA_DIR_SENDRECV ? "sendrecv" : neg->dir == MEDIA_DIR_INACTIVE ?
		  "inactive" : neg->dir == MEDIA_DIR_SENDONLY ? "sendonly" : "recvonly");
}

void trunk_media_offer_in(struct trunk_call *tc, const char *sdp, size_t len)
{
	char *copy = NULL;

	if (!tc->ms && !deferred(tc))
		return;
	if (sdp && len) {
		copy = malloc(len + 1);
		if (!copy)
			return;
		memcpy(copy, sdp, len);
		copy[len] = '\0';
	}
	free(tc->offer);
	tc->offer = copy;       /* NULL: no offer (delayed offer), we offer */
	tc->sdp_version++;
}

bool trunk_media_sdp(struct trunk_call *tc, char *buf, size_t len)
{
	struct media_sdp_local l;
	struct media_sdp_neg neg;
	struct trunk_call *peer;
	char err[128];

	if (tc->bypass_pass && tc->pass_offer) {        /* outgoing: the caller's offer */
		snprintf(buf, len, "%s", tc->pass_offer);
		return strlen(tc->pass_offer) < len;
	}
	if (tc->offer && (peer = bypass_peer(tc, NULL)) && peer->bypass_pass) {
		/* incoming: the callee's answer, as it came */
		tc->bypass_pass = true;
		if (!peer->far_sdp)
			return false;   /* none yet (a 180 carries no SDP) */
		snprintf(buf, len, "%s", peer->far_sdp);
		return strlen(peer->far_sdp) < len;
	}
	if (!tc->ms && (!deferred(tc) || open_session(tc)))
		return false;
	local_sdp(tc, &l);
	if (tc->offer) {
		if (media_sdp_answer(tc->offer, &l, &neg, buf, len, err, sizeof(err)) == 0) {
			apply(tc, &neg, "answer");
			return true;
		}
		log_info("%s: cannot answer the offer (%s): offering ours instead", tc->trunk->name, err);
	}
	return media_sdp_offer(&l, buf, len) == 0;
}

void trunk_media_answer_in(struct trunk_call *tc, const char *sdp)
{
	struct media_sdp_local l;
	struct media_sdp_neg neg;
	char err[128];

	if (tc->bypass_pass && sdp && !tc->offer) {     /* for the caller's leg */
		trunk_media_far_sdp(tc, sdp, strlen(sdp));
		return;
	}
	if (!tc->ms || !sdp || tc->offer)
		return;         /* we answered an offer ourselves: nothing to read */
	local_sdp(tc, &l);
	if (media_sdp_parse_answer(sdp, &l, &neg, err, sizeof(err))) {
		log_info("%s: the far end's SDP answer is not usable: %s", tc->trunk->name, err);
		return;
	}
	apply(tc, &neg, "far end's answer");
}

int trunk_media_leg(struct leg *l, struct leg_media *m)
{
	struct trunk_call *tc = l->owner;
	struct trunk_call *peer;

	m->bypass = tc->trunk->media_bypass;
	/* A bypass trunk's session is made when first needed: the core may
	 * connect the media before our answer's SDP is built.  Not for
	 * SIP<->SIP bypass, which has none. */
	if (!tc->ms && deferred(tc) && !tc->bypass_pass &&
	    !((peer = bypass_peer(tc, NULL)) && peer->bypass_pass))
		open_session(tc);
	if (!tc->ms)
		return ENOENT;  /* none, or SIP<->SIP bypass */
	m->rtp = tc->ms;
	return 0;
}

bool trunk_media_offer_ok(struct trunk_call *tc, const char *sdp, size_t len)
{
	struct media_sdp_local l;
	struct media_sdp_neg neg;
	char err[128], *copy, *scratch;
	char *saved = tc->offer;
	bool ok;

	tc->warning[0] = '\0';
	if (!sdp || !len)
		return true;
	copy = malloc(len + 1);
	scratch = malloc(4096);
	if (!copy || !scratch) {
		free(copy);
		free(scratch);
		return true;    /* no memory: let the call try */
	}
	memcpy(copy, sdp, len);
	copy[len] = '\0';
	tc->offer = copy;       /* as answering it would see it */
	local_sdp(tc, &l);
	ok = media_sdp_answer(copy, &l, &neg, scratch, 4096, err, sizeof(err)) != EPROTO;
	tc->offer = saved;
	if (!ok) {
		/* RFC 3261 20.43: code, agent (a pseudonym), quoted text */
		snprintf(tc->warning, sizeof(tc->warning), "%u trunkgate \"%s\"",
			 neg.warning ? neg.warning : 304, err);
		log_info("%s: offer refused with 488 (%s)", tc->trunk->name, err);
	}
	memset(&neg, 0, sizeof(neg));
	free(copy);
	free(scratch);
	return ok;
}

void trunk_media_far_sdp(struct trunk_call *tc, const char *sdp, size_t len)
{
	char *copy;

	if (!tc->bypass_pass || tc->offer || !sdp || !len || !(copy = malloc(len + 1)))
		return;
	memcpy(copy, sdp, len);
	copy[len] = '\0';
	free(tc->far_sdp);
	tc->far_sdp = copy;
}

void trunk_media_place(struct trunk_call *tc, struct leg *in)
{
	struct trunk_call *p = bypass_peer(tc, in);

	if (!p || !p->offer)
		return;         /* anchored (or the caller made no offer: we offer) */
	tc->pass_offer = strdup(p->offer);
	tc->bypass_pass = tc->pass_offer != NULL;
	if (tc->bypass_pass)
		log_debug("%s: media bypass: the caller's SDP goes end to end", tc->trunk->name);
}

void trunk_media_event(struct trunk_agent *a, const struct media_event *ev)
{
	struct trunk_call *tc;

	if (!a)
		return;
	for (tc = a->calls; tc && tc->media_id != ev->cookie; tc = tc->next)
		;
	if (!tc || !tc->ms)
		return;         /* the leg is gone already */
	switch (ev->type) {
	case MEDIA_EV_DTMF:
		/* Digits can be PINs or card numbers: debug only. */
		log_debug("%s: DTMF %c (%s)", tc->trunk->name, ev->digit,
			 ev->source == MEDIA_DTMF_RFC4733 ? "RFC 4733" : "in-band");
		break;
	case MEDIA_EV_RTP_TIMEOUT:
		/* The engine reports it only while we expect media (not on
		 * hold); before the answer there may be none. */
		if (!tc->answered || tc->ended || !tc->leg.call ||
		    (!(tc->media_dir & MEDIA_DIR_RECVONLY) && !tc->trunk->rtp_timeout_on_hold))
			break;
		log_info("%s: no RTP for %u s: ending the call (cause 41)", tc->trunk->name,
			 tc->trunk->rtp_timeout_s);
		tc->leg.ops->release(&tc->leg, &(struct call_end){ .cause = 41,
			.sip_status = 0, .reason = "RTP timeout" });
		break;
	case MEDIA_EV_ANSWER_TONE:
		log_info("%s: 2100 Hz answer tone with phase reversals: echo canceller off",
			 tc->trunk->name);
		break;
	case MEDIA_EV_LATCHED:
		log_debug("%s: RTP now comes from a new address", tc->trunk->name);
		break;
	}
}
