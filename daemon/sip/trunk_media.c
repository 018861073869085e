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
 * Fixed for now (per-trunk settings need a migration, later): PCMU then
 * PCMA, telephone-event 101, ptime 20, no SRTP, no latching, no echo
 * canceller, in-band DTMF detection toward RFC 4733 on TDM-bridged legs,
 * RTP timeout TRUNK_MEDIA_RTP_TIMEOUT_MS once answered.
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

#define TRUNK_MEDIA_RTP_TIMEOUT_MS 60000
#define TRUNK_MEDIA_TE_PT 101

static const enum media_codec our_codecs[] = { MEDIA_CODEC_PCMU, MEDIA_CODEC_PCMA };

void trunk_agent_set_media(struct trunk_agent *a, struct media_engine *e)
{
	if (a)
		a->media = e;
}

static void local_sdp(const struct trunk_call *tc, struct media_sdp_local *l)
{
	memset(l, 0, sizeof(*l));
	l->addr = tc->agent->host;
	l->port = (uint16_t)tc->rtp_port;
	l->codecs = our_codecs;
	l->ncodecs = sizeof(our_codecs) / sizeof(our_codecs[0]);
	l->te_pt = TRUNK_MEDIA_TE_PT;
	l->ptime_ms = 20;
	l->dir = MEDIA_DIR_SENDRECV;
	l->srtp = MEDIA_SRTP_OFF;
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
	c->rtp_timeout_ms = TRUNK_MEDIA_RTP_TIMEOUT_MS;
	c->inband_dtmf = true;
}

int trunk_media_open(struct trunk_call *tc)
{
	struct trunk_agent *a = tc->agent;
	struct media_session_cfg c;
	int err;

	if (!a->media)
		return ENODEV;
	tc->media_id = ++a->media_seq;
	tc->sdp_version = 1;
	tc->media_dir = MEDIA_DIR_SENDRECV;
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

void trunk_media_close(struct trunk_call *tc)
{
	media_session_destroy(tc->ms);     /* NULL-safe; unhooks its bridges */
	tc->ms = NULL;
	free(tc->offer);
	tc->offer = NULL;
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

	if (!tc->ms)
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
	char err[128];

	if (!tc->ms)
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

	if (!tc->ms)
		return ENOENT;
	m->rtp = tc->ms;
	return 0;
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
		    !(tc->media_dir & MEDIA_DIR_RECVONLY))
			break;
		log_info("%s: no RTP for %u s: ending the call (cause 41)", tc->trunk->name,
			 TRUNK_MEDIA_RTP_TIMEOUT_MS / 1000);
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
