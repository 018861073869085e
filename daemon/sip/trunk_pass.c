/*
 * trunk_pass.c -- SIP<->SIP media bypass as a true pass-through (docs/media.md,
 * "Media bypass"): when both trunks of a SIP<->SIP call have media_bypass on,
 * the gateway has no media of its own and every offer/answer goes end to end:
 *
 *   - a re-INVITE or UPDATE with a new offer on one leg goes to the other
 *     leg as a re-INVITE with that SDP; the other side's answer comes back
 *     in our 2xx, its failure as a mapped status (491 stays 491, so glare
 *     is retried; the call goes on);
 *   - a re-INVITE without SDP (Lync's third-party call control) goes on
 *     without SDP: the other side's offer (in its 2xx) is the offer in our
 *     2xx, and the answer in the ACK we get goes in the ACK we send;
 *   - the initial INVITE without SDP (delayed offer) the same way
 *     (trunk_media_place decides, trunk_call.c sends).
 *
 * Session refreshes stay local: a re-INVITE or UPDATE whose SDP carries
 * the o= line the far end sent last (RFC 3264 section 8: the same version
 * means no change) is answered with the SDP we sent it last, an UPDATE
 * without SDP with a plain 200.  Our own refreshes are nua's, by UPDATE
 * (without SDP) where the far end allows UPDATE.
 *
 * nua's offer/answer engine (soa) is off on these handles
 * (NUTAG_MEDIA_ENABLE(0)): the bodies are ours and go as they came (soa
 * would rebuild them and keep the session-level c= of the first one), and
 * NUTAG_AUTOACK(0), since an ACK may have to carry the other leg's answer.
 * Each leg keeps the last SDP each way (pass_rx, pass_tx) and what is in
 * flight: pass_in (a request of the far end's we answer once the other leg
 * did), pass_out (our re-INVITE relaying it, its offer in pass_pend),
 * pass_ack (a 2xx with an offer whose ACK waits for the other leg's
 * answer).  One exchange at a time per call: another offer meanwhile gets
 * 491.  Main thread only.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sofia-sip/msg.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>

#define LOG_MODULE "sip"
#include "log.h"
#include "tg.h"
#include "trunk_int.h"

#define SDP_TYPE "application/sdp"

/* The SDP body of a message, as a string of its own; NULL if none. */
static char *body_dup(const sip_t *sip)
{
	char *s;

	if (!sip || !sip->sip_payload || !sip->sip_payload->pl_len || !sip->sip_content_type ||
	    !sip->sip_content_type->c_type ||
	    strcasecmp(sip->sip_content_type->c_type, SDP_TYPE))
		return NULL;
	s = malloc(sip->sip_payload->pl_len + 1);
	if (!s)
		return NULL;
	memcpy(s, sip->sip_payload->pl_data, sip->sip_payload->pl_len);
	s[sip->sip_payload->pl_len] = '\0';
	return s;
}

static void set_str(char **p, const char *s)
{
	char *copy = s ? strdup(s) : NULL;

	if (s && !copy)
		return;         /* no memory: keep the old one */
	free(*p);
	*p = copy;
}

/* The o= line of an SDP (up to its end), its length in *n; NULL if none. */
static const char *origin(const char *sdp, size_t *n)
{
	const char *o = !strncmp(sdp, "o=", 2) ? sdp : strstr(sdp, "\no=");

	if (!o)
		return NULL;
	if (*o == '\n')
		o++;
	*n = strcspn(o, "\r\n");
	return o;
}

/* Same session and version (RFC 3264 section 8: nothing changed)? */
static bool same_origin(const char *a, const char *b)
{
	size_t na, nb;
	const char *oa = origin(a, &na), *ob = origin(b, &nb);

	return oa && ob && na == nb && !memcmp(oa, ob, na);
}

/* The other leg of tc's call when it passes SDP end to end too. */
static struct trunk_call *other(const struct trunk_call *tc)
{
	struct leg *p = call_leg_peer(&tc->leg);
	struct trunk_call *o = p && p->kind == LEG_SIP ? p->owner : NULL;

	return o && o->bypass_pass && o->soa_off && o->nh && !o->ended ? o : NULL;
}

static bool busy(const struct trunk_call *tc)
{
	return tc->pass_in || tc->pass_out || tc->pass_ack;
}

void trunk_pass_begin(struct trunk_call *tc, bool peer_update)
{
	if (tc->soa_off || !tc->nh)
		return;
	tc->soa_off = true;
	nua_set_hparams(tc->nh, NUTAG_MEDIA_ENABLE(0), NUTAG_AUTOACK(0),
			TAG_IF(peer_update, NUTAG_UPDATE_REFRESH(1)), TAG_END());
	if (tc->offer)
		set_str(&tc->pass_rx, tc->offer);
}

bool trunk_pass_answer(struct trunk_call *tc, int status, const char **sdp)
{
	struct trunk_call *p;

	*sdp = NULL;
	if (tc->outgoing || !tc->nh)
		return false;
	p = trunk_media_bypass_peer(tc);
	tc->bypass_pass = p && p->bypass_pass;  /* the core may have moved on to another leg */
	if (!tc->bypass_pass)
		return false;
	/* An unreliable 18x carries the body with soa still on (it adds
	 * nothing then), so that a failover to an anchored leg still finds
	 * it; a reliable one or the 2xx is an answer soa must not make. */
	if (status >= 200 || tc->rel100)
		trunk_pass_begin(tc, tc->peer_update);
	if (status < 200 && !tc->offer)
		return true;    /* delayed offer: the offer goes in our 2xx only */
	*sdp = p->far_sdp;
	if (*sdp && status >= 200)
		set_str(&tc->pass_tx, *sdp);
	return true;
}

/* Answer the far end's pending request (op) on tc: status, and the SDP. */
static void respond(struct trunk_call *tc, enum trunk_pass_op op, int status, const char *sdp)
{
	const char *phrase = sip_status_phrase(status);

	if (op == TRUNK_PASS_UPDATE && !tc->pass_req)
		return;         /* nothing to answer (cannot happen) */
	nua_respond(tc->nh, status, phrase ? phrase : "Failed",
		    TAG_IF(op == TRUNK_PASS_UPDATE, NUTAG_WITH(tc->pass_req)),
		    TAG_IF(sdp, SIPTAG_CONTENT_TYPE_STR(SDP_TYPE)), TAG_IF(sdp, SIPTAG_PAYLOAD_STR(sdp)),
		    TAG_IF(status == 500, SIPTAG_RETRY_AFTER_STR("2")), TAG_END());
	if (tc->pass_req)
		msg_destroy(tc->pass_req);      /* drops our reference */
	tc->pass_req = NULL;
	if (sdp && status < 300)
		set_str(&tc->pass_tx, sdp);
}

/* A new offer (sdp; NULL: a re-INVITE without one) from tc's far end. */
static void offer_in(struct trunk_call *tc, enum trunk_pass_op op, char *sdp)
{
	struct trunk_call *to = other(tc);
	const char *what = op == TRUNK_PASS_UPDATE ? "UPDATE" : "re-INVITE";

	if (busy(tc) || (to && busy(to))) {
		log_info("%s: %s refused with 491: an offer is in progress", tc->trunk->name, what);
		respond(tc, op, 491, NULL);
		free(sdp);
		return;
	}
	if (sdp && tc->pass_rx && tc->pass_tx && same_origin(sdp, tc->pass_rx)) {
		/* a session refresh (or an unchanged offer): answered here */
		log_debug("%s: %s with an unchanged SDP answered here", tc->trunk->name, what);
		respond(tc, op, 200, tc->pass_tx);
		free(sdp);
		return;
	}
	if (!to || !to->answered) {
		log_info("%s: %s refused with 500: the other leg cannot take it", tc->trunk->name, what);
		respond(tc, op, 500, NULL);
		free(sdp);
		return;
	}
	log_debug("%s: media bypass: %s %s passed to %s", tc->trunk->name, what,
		 sdp ? "with SDP" : "without SDP", to->trunk->name);
	tc->pass_in = op;
	to->pass_out = TRUNK_PASS_INVITE;
	to->pass_sent_body = sdp != NULL;
	free(to->pass_pend);
	to->pass_pend = sdp;
	nua_invite(to->nh, TAG_IF(sdp, SIPTAG_CONTENT_TYPE_STR(SDP_TYPE)),
		   TAG_IF(sdp, SIPTAG_PAYLOAD_STR(sdp)), TAG_END());
}

bool trunk_pass_invite_in(struct trunk_call *tc, const sip_t *sip)
{
	if (!tc->soa_off || !tc->bypass_pass)
		return false;
	offer_in(tc, TRUNK_PASS_INVITE, body_dup(sip));
	return true;
}

void trunk_pass_update_in(struct trunk_call *tc, int status, const sip_t *sip)
{
	char *sdp;

	if (status >= 200 || !tc->nh)
		return;         /* nua answered it already (an overlap, 481) */
	if (!tc->soa_off || !tc->bypass_pass) {
		/* not passing: nua's offer/answer answers it, as always */
		nua_respond(tc->nh, SIP_200_OK, NUTAG_WITH_THIS(tc->nua), TAG_END());
		return;
	}
	sdp = body_dup(sip);
	if (!sdp) {             /* a session refresh */
		nua_respond(tc->nh, SIP_200_OK, NUTAG_WITH_THIS(tc->nua), TAG_END());
		return;
	}
	tc->pass_req = msg_ref_create(nua_current_request(tc->nua));
	offer_in(tc, TRUNK_PASS_UPDATE, sdp);
}

/* RFC 5057: what a failed re-INVITE's status says to the leg it goes back
 * to.  Only 481 and 408 end the dialog (the other one is gone anyway);
 * 491 stays, so that both sides retry; an offer the far end cannot take is
 * 488; anything else is 500 (in a dialog: this transaction failed). */
static int relayed_status(int status)
{
	switch (status) {
	case 408: case 481: case 491: case 486: case 480: case 403: case 603:
		return status;
	case 406: case 415: case 488: case 606:
		return 488;
	default:
		return 500;
	}
}

/* The far end's answer to our relaying re-INVITE. */
static void relay_response(struct trunk_call *tc, int status, const sip_t *sip)
{
	struct leg *pl = call_leg_peer(&tc->leg);
	struct trunk_call *from = pl && pl->kind == LEG_SIP ? pl->owner : NULL;
	enum trunk_pass_op op = from ? from->pass_in : TRUNK_PASS_NONE;
	char *sdp;

	if (status < 200)
		return;
	if (status >= 300 && trunk_auth_challenge(tc->agent, tc->trunk, tc->nh, status, sip,
						  &tc->auth_tries))
		return;         /* asked again with the trunk's credentials */
	tc->pass_out = TRUNK_PASS_NONE;
	if (from)
		from->pass_in = TRUNK_PASS_NONE;
	if (status >= 300) {
		log_info("%s: the passed re-INVITE failed with %d: %d to %s, the call goes on",
			 tc->trunk->name, status, relayed_status(status),
			 from ? from->trunk->name : "nobody");
		free(tc->pass_pend);
		tc->pass_pend = NULL;
		if (from && op && !from->ended)
			respond(from, op, relayed_status(status), NULL);
		return;
	}
	sdp = body_dup(sip);
	if (sdp)
		set_str(&tc->pass_rx, sdp);
	if (tc->pass_sent_body) {
		nua_ack(tc->nh, TAG_END());
		free(tc->pass_tx);
		tc->pass_tx = tc->pass_pend;    /* what the far end took */
		tc->pass_pend = NULL;
		if (from && tc->pass_tx)
			set_str(&from->pass_rx, tc->pass_tx);
	} else if (sdp && from && op == TRUNK_PASS_INVITE) {
		tc->pass_ack = true;    /* its offer: the ACK waits for the answer */
	} else {
		nua_ack(tc->nh, TAG_END());
	}
	if (from && op && !from->ended)
		/* no SDP in a 2xx to an offer breaks the rules: our last one
		 * keeps the other side's offer/answer whole */
		respond(from, op, status, sdp ? sdp : from->pass_tx);
	free(sdp);
}

bool trunk_pass_r_invite(struct trunk_call *tc, int status, const sip_t *sip)
{
	char *sdp;

	if (!tc->soa_off)
		return false;
	if (tc->pass_out) {
		relay_response(tc, status, sip);
		return true;
	}
	if (status < 200 || status >= 300)
		return false;
	/* the 2xx of the initial INVITE, or of nua's own session refresh */
	sdp = body_dup(sip);
	if (sdp)
		set_str(&tc->pass_rx, sdp);
	if (!tc->answered && sip && sip_is_allowed(sip->sip_allow, sip_method_update, NULL))
		nua_set_hparams(tc->nh, NUTAG_UPDATE_REFRESH(1), TAG_END());
	if (!tc->answered && sdp && !tc->pass_sent_body && tc->leg.call && !tc->ended)
		tc->pass_ack = true;    /* delayed offer: the caller's ACK has the answer */
	else
		/* a refresh of ours without SDP got an offer: our last SDP
		 * answers it (unchanged, or the refresh would not be ours) */
		nua_ack(tc->nh, TAG_IF(sdp && !tc->pass_sent_body && tc->pass_tx,
				       SIPTAG_CONTENT_TYPE_STR(SDP_TYPE)),
			TAG_IF(sdp && !tc->pass_sent_body && tc->pass_tx,
			       SIPTAG_PAYLOAD_STR(tc->pass_tx)), TAG_END());
	free(sdp);
	return false;
}

void trunk_pass_ack_in(struct trunk_call *tc, const sip_t *sip)
{
	struct leg *pl = call_leg_peer(&tc->leg);
	struct trunk_call *to = pl && pl->kind == LEG_SIP ? pl->owner : NULL;
	char *sdp;

	if (!tc->soa_off)
		return;
	sdp = body_dup(sip);
	if (sdp)
		set_str(&tc->pass_rx, sdp);
	if (to && to->pass_ack && to->nh) {
		to->pass_ack = false;
		log_debug("%s: ACK %s SDP passed to %s", tc->trunk->name, sdp ? "with" : "without",
			  to->trunk->name);
		nua_ack(to->nh, TAG_IF(sdp, SIPTAG_CONTENT_TYPE_STR(SDP_TYPE)),
			TAG_IF(sdp, SIPTAG_PAYLOAD_STR(sdp)), TAG_END());
		if (sdp)
			set_str(&to->pass_tx, sdp);
	}
	free(sdp);
}

void trunk_pass_release(struct trunk_call *tc)
{
	if (tc->nh && !tc->ended) {
		/* before the BYE: our ACK held for an answer, and the far end's
		 * request still waiting for the other leg (RFC 3261 15.1.2) */
		if (tc->pass_ack)
			nua_ack(tc->nh, TAG_END());
		if (tc->pass_in)
			respond(tc, tc->pass_in, 487, NULL);
	}
	tc->pass_ack = false;
	tc->pass_in = TRUNK_PASS_NONE;
}

void trunk_pass_free(struct trunk_call *tc)
{
	free(tc->pass_rx);
	free(tc->pass_tx);
	free(tc->pass_pend);
	tc->pass_rx = tc->pass_tx = tc->pass_pend = NULL;
	if (tc->pass_req)
		msg_destroy(tc->pass_req);
	tc->pass_req = NULL;
}
