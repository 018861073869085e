/*
 * trunk_refer.c -- REFER (RFC 3515) in a SIP leg's dialog, by the trunk's
 * `refer` switch (docs/sip.md, section REFER, has the exact wire behaviour):
 *
 *   reject: 403 Forbidden; the call goes on.
 *   act:    the gateway is the transferee.  202 Accepted, then NOTIFY
 *           (Event: refer, message/sipfrag "SIP/2.0 100 Trying"); the core
 *           places the new call (call_transfer) or, with Replaces in the
 *           Refer-To, joins the two calls (call_join); the result is the
 *           final NOTIFY ("SIP/2.0 200 OK" or the failure's status,
 *           Subscription-State: terminated), then the core releases the
 *           transferor's leg (BYE).
 *   pass:   on a SIP<->SIP call, a new REFER goes out in the other leg's
 *           dialog with the Refer-To and Referred-By rewritten to point at
 *           the gateway (topology hiding: the far end's INVITE for the
 *           transfer comes back to us and is routed by number); the other
 *           side's answer to it is our answer to the REFER (we keep a
 *           reference to the request until then), and the sipfrag status
 *           lines of its NOTIFYs are relayed as ours.  Another leg kind: 403.
 *           Attended (Replaces in the Refer-To): the dialog it names is one
 *           of the transferor's with us (the consultation call's leg on its
 *           side), which the transferee could not reach through a B2BUA
 *           that hides topology; both calls run through us, so we complete
 *           the transfer ourselves as refer=act does (RFC 5589 section 7,
 *           the transferee's part played by the gateway): 202, NOTIFYs, the
 *           consultation's other party joined into the first call in the
 *           transferor's place (call_join), BYE on both transferor dialogs.
 *           The transferee and the target see no signalling; their media
 *           are re-bridged.  Replaces naming no dialog here: NOTIFY 481.
 *   With the SDP passed end to end (media bypass, bypass_pass) a join
 *   cannot re-bridge the media: NOTIFY 488 and the calls go on.
 *
 * nua answers nothing itself (NUTAG_APPL_METHOD("REFER")); it keeps the
 * subscription the 202 creates, and we NOTIFY on it with the Event nua
 * gives in NUTAG_REFER_EVENT ("refer", or "refer;id=CSeq" for a later REFER
 * in the dialog).  A NOTIFY is sent only while the leg's dialog lives; the
 * core never calls us back after the transferor's leg was released
 * (call.h).  Main thread only.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_extra.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_protos.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/msg.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/url.h>

#define LOG_MODULE "sip"
#include "log.h"
#include "tg.h"
#include "trunk_int.h"
#include "trunk_profile.h"

/* One NOTIFY with a sipfrag body; final ones end the subscription. */
static void notify(struct trunk_call *tc, int status, const char *phrase, bool final)
{
	char frag[128];

	if (!tc->refer_event[0] || !tc->nh || tc->ended)
		return;
	snprintf(frag, sizeof(frag), "SIP/2.0 %d %s\r\n", status, phrase ? phrase : "");
	log_debug("%s: NOTIFY (%s) SIP/2.0 %d %s%s", tc->trunk->name, tc->refer_event, status,
		  phrase ? phrase : "", final ? ", subscription terminated" : "");
	nua_notify(tc->nh, SIPTAG_EVENT_STR(tc->refer_event),
		   SIPTAG_SUBSCRIPTION_STATE_STR(final ? "terminated;reason=noresource" :
						 "active;expires=60"),
		   SIPTAG_CONTENT_TYPE_STR("message/sipfrag;version=2.0"),
		   SIPTAG_PAYLOAD_STR(frag), TAG_END());
	if (final)
		tc->refer_event[0] = '\0';
}

/* The Event nua made for this REFER's subscription, as a string. */
static void take_event(struct trunk_call *tc, tagi_t tags[])
{
	const sip_event_t *ev = NULL;
	size_t n;

	tl_gets(tags, NUTAG_REFER_EVENT_REF(ev), TAG_END());
	n = (size_t)snprintf(tc->refer_event, sizeof(tc->refer_event), "%s",
			     ev && ev->o_type ? ev->o_type : "refer");
	for (size_t i = 0; ev && ev->o_params && ev->o_params[i] && n < sizeof(tc->refer_event); i++)
		n += (size_t)snprintf(tc->refer_event + n, sizeof(tc->refer_event) - n, ";%s",
				      ev->o_params[i]);
}

/* The number a Refer-To names: a sip:/sips: URI's user part, a tel: URI's
 * number. */
static bool target_number(const url_t *u, char *out, size_t len)
{
	const char *user = u->url_type == url_tel ? u->url_host : u->url_user;

	return user && trunk_number_from_user(user, out, len);
}

/* Replaces=... among the Refer-To URI's headers, unescaped; NULL if none. */
static sip_replaces_t *refer_replaces(su_home_t *home, const url_t *u)
{
	const char *h = u->url_headers, *p;
	char *v;
	size_t n;

	for (p = h; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL)
		if (!strncasecmp(p, "Replaces=", 9))
			break;
	if (!p || !*p)
		return NULL;
	p += 9;
	n = strcspn(p, "&");
	v = su_strndup(home, p, n);
	if (!v)
		return NULL;
	url_unescape(v, v);
	return sip_replaces_make(home, v);
}

static bool same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* The SIP leg whose dialog a Replaces names (RFC 3891: the Call-ID and the
 * two tags; which tag is which is taken either way, as UAs differ). */
static struct trunk_call *by_replaces(struct trunk_agent *a, su_home_t *home,
				      const sip_replaces_t *rp)
{
	for (struct trunk_call *tc = a->calls; tc; tc = tc->next) {
		sip_replaces_t *mine;

		if (!tc->nh || tc->ended || !tc->leg.call)
			continue;
		mine = nua_handle_make_replaces(tc->nh, home, 0);
		if (!mine || !same(mine->rp_call_id, rp->rp_call_id))
			continue;
		if ((!rp->rp_to_tag && !rp->rp_from_tag) ||
		    (same(mine->rp_to_tag, rp->rp_to_tag) && same(mine->rp_from_tag, rp->rp_from_tag)) ||
		    (same(mine->rp_to_tag, rp->rp_from_tag) && same(mine->rp_from_tag, rp->rp_to_tag)))
			return tc;
	}
	return NULL;
}

/* call_xfer_h: the transfer's outcome, to the transferor. */
static void transfer_done(void *arg, const struct call_end *why)
{
	struct trunk_call *tc = arg;
	int status;

	if (!why) {
		notify(tc, 200, "OK", true);
		return;
	}
	status = why->sip_status >= 300 && why->sip_status <= 699 ? why->sip_status :
		 call_cause_to_sip(why->cause);
	notify(tc, status, sip_status_phrase(status) ? sip_status_phrase(status) : "Failed", true);
}

/* The SDP of x's call passes end to end (SIP<->SIP media bypass). */
static bool bypassed(const struct trunk_call *x)
{
	struct leg *peer = call_leg_peer(&x->leg);
	const struct trunk_call *p = peer && peer->kind == LEG_SIP ? peer->owner : NULL;

	return x->bypass_pass || (p && p->bypass_pass);
}

static void refer_act(struct trunk_call *tc, const sip_t *sip)
{
	const url_t *u = sip->sip_refer_to->r_url;
	struct call_setup s = { 0 };
	su_home_t home[1] = { SU_HOME_INIT(home) };
	sip_replaces_t *rp = refer_replaces(home, u);
	int err;

	if (rp) {
		struct trunk_call *other = by_replaces(tc->agent, home, rp);

		if (!other || other == tc) {
			log_info("%s: REFER with Replaces: no such call here (%s)", tc->trunk->name,
				 rp->rp_call_id);
			notify(tc, 481, "Call/Transaction Does Not Exist", true);
		} else if (bypassed(tc) || bypassed(other)) {
			log_info("%s: attended transfer refused: media bypass passes the SDP end to "
				 "end, a join cannot re-bridge it", tc->trunk->name);
			notify(tc, 488, "Not Acceptable Here", true);
		} else {
			log_info("%s: attended transfer (REFER with Replaces)", tc->trunk->name);
			err = call_join(&tc->leg, &other->leg, transfer_done, tc);
			if (err) {
				log_info("%s: attended transfer refused: %s", tc->trunk->name,
					 strerror(err));
				notify(tc, 603, "Declined", true);
			}
		}
		su_home_deinit(home);
		return;
	}
	su_home_deinit(home);
	if (!target_number(u, s.called.digits, sizeof(s.called.digits))) {
		notify(tc, 404, "Not Found", true);
		return;
	}
	s.called.ton = s.called.npi = s.called.presentation = -1;
	s.calling.ton = s.calling.npi = s.calling.presentation = -1;
	s.redirecting.ton = s.redirecting.npi = s.redirecting.presentation = -1;
	/* the same number handling as a call in from this trunk */
	trunk_number_in(&tc->trunk->interop, s.called.digits, &s.called.ton, &s.called.npi);
	if (sip->sip_referred_by) {
		char *by = url_as_string(NULL, sip->sip_referred_by->b_url);

		if (by)
			snprintf(s.referred_by, sizeof(s.referred_by), "<%s>", by);
		su_free(NULL, by);
	}
	log_info("%s: blind transfer to %s", tc->trunk->name, s.called.digits);
	err = call_transfer(&tc->leg, &s, transfer_done, tc);
	if (err) {
		log_info("%s: transfer refused: %s", tc->trunk->name, strerror(err));
		notify(tc, 603, "Declined", true);
	}
}

/* Where the far end of `to` reaches us: the trunk's own listen address, or
 * the daemon's SIP address. */
static void our_hostport(const struct trunk_call *to, char *out, size_t len)
{
	const struct trunk_agent *a = to->agent;
	bool v6 = strchr(a->host, ':') != NULL;

	if (to->trunk->listen && to->trunk->listen[0])
		snprintf(out, len, "%s", to->trunk->listen);
	else
		snprintf(out, len, "%s%s%s%s%s", v6 ? "[" : "", a->host, v6 ? "]" : "",
			 a->sip_port[0] ? ":" : "", a->sip_port);
}

/* refer=pass: a new REFER in the other SIP leg's dialog; false: refused. */
static bool refer_pass(struct trunk_call *tc, const sip_t *sip)
{
	struct leg *peer = call_leg_peer(&tc->leg);
	struct trunk_call *to = peer && peer->kind == LEG_SIP ? peer->owner : NULL;
	const url_t *u = sip->sip_refer_to->r_url;
	char num[40], by[40], hp[128], refer_to[256], referred_by[256] = "";

	if (!to || !to->nh || to->ended || to->refer_relay) {
		log_info("%s: REFER refused with 403: refer=pass and the other leg is not SIP",
			 tc->trunk->name);
		return false;
	}
	if (!target_number(u, num, sizeof(num))) {
		log_info("%s: REFER refused with 403: refer=pass takes a number", tc->trunk->name);
		return false;
	}
	our_hostport(to, hp, sizeof(hp));
	snprintf(refer_to, sizeof(refer_to), "<sip:%s@%s>", num, hp);
	if (sip->sip_referred_by && target_number(sip->sip_referred_by->b_url, by, sizeof(by)))
		snprintf(referred_by, sizeof(referred_by), "<sip:%s@%s>", by, hp);
	log_info("%s: REFER passed to %s: Refer-To %s", tc->trunk->name, to->trunk->name, refer_to);
	to->refer_relay = true;
	nua_refer(to->nh, SIPTAG_REFER_TO_STR(refer_to),
		  TAG_IF(referred_by[0], SIPTAG_REFERRED_BY_STR(referred_by)), TAG_END());
	return true;
}

/* refer=pass, the other side: its answer to our REFER and its NOTIFYs go
 * to the leg that sent us the REFER. */
static void relay(struct trunk_call *to, nua_event_t event, int status, const sip_t *sip,
		  tagi_t tags[])
{
	struct leg *peer = call_leg_peer(&to->leg);
	struct trunk_call *tc = peer && peer->kind == LEG_SIP ? peer->owner : NULL;
	int substate = nua_substate_active;
	char frag[128];
	size_t n;

	if (!to->refer_relay)
		return;
	if (event == nua_r_refer) {
		if (status < 200)
			return;
		if (status >= 300)
			to->refer_relay = false;
		if (tc && tc->refer_req) {
			/* the far side's answer is ours (a 2xx sets up the
			 * subscription its NOTIFYs are relayed on) */
			nua_respond(tc->nh, status, sip_status_phrase(status) ?
				    sip_status_phrase(status) : "Failed",
				    NUTAG_WITH(tc->refer_req), TAG_END());
			trunk_refer_free(tc);
			if (status >= 300)
				tc->refer_event[0] = '\0';
		}
		return;
	}
	/* nua_i_notify: nua has answered it */
	tl_gets(tags, NUTAG_SUBSTATE_REF(substate), TAG_END());
	if (substate == nua_substate_terminated)
		to->refer_relay = false;
	if (!tc || !sip || !sip->sip_payload || !sip->sip_payload->pl_data)
		return;
	n = sip->sip_payload->pl_len < sizeof(frag) - 1 ? sip->sip_payload->pl_len : sizeof(frag) - 1;
	memcpy(frag, sip->sip_payload->pl_data, n);
	frag[n] = '\0';
	frag[strcspn(frag, "\r\n")] = '\0';
	/* "SIP/2.0 NNN phrase": relayed as its status line */
	if (strncmp(frag, "SIP/2.0 ", 8) || atoi(frag + 8) < 100)
		return;
	notify(tc, atoi(frag + 8), strlen(frag) > 12 ? frag + 12 : "",
	       substate == nua_substate_terminated);
}

void trunk_refer_on_event(struct trunk_call *tc, nua_event_t event, int status, const sip_t *sip,
			  tagi_t tags[])
{
	enum trunk_refer mode = tc->trunk->interop.refer;
	const url_t *u;

	ASSERT_MAIN();
	if (event != nua_i_refer) {
		relay(tc, event, status, sip, tags);
		return;
	}
	if (mode == TRUNK_REFER_REJECT) {
		log_debug("%s: REFER refused (refer=reject)", tc->trunk->name);
		nua_respond(tc->nh, SIP_403_FORBIDDEN, NUTAG_WITH_THIS(tc->nua), TAG_END());
		return;
	}
	if (!sip || !sip->sip_refer_to) {
		nua_respond(tc->nh, SIP_400_BAD_REQUEST, NUTAG_WITH_THIS(tc->nua), TAG_END());
		return;
	}
	/* refer=pass, attended: completed here (see the top of the file) */
	u = sip->sip_refer_to->r_url;
	if (mode == TRUNK_REFER_PASS && u->url_headers && strcasestr(u->url_headers, "replaces=")) {
		log_info("%s: refer=pass with Replaces: the gateway joins the calls itself",
			 tc->trunk->name);
		mode = TRUNK_REFER_ACT;
	}
	if (tc->refer_event[0] || !tc->answered || !tc->leg.call ||
	    (mode == TRUNK_REFER_PASS && !refer_pass(tc, sip))) {
		/* one transfer at a time, in an answered call */
		nua_respond(tc->nh, SIP_403_FORBIDDEN, NUTAG_WITH_THIS(tc->nua), TAG_END());
		return;
	}
	take_event(tc, tags);
	if (mode == TRUNK_REFER_PASS) {
		/* answered when the other side answers our REFER (relay) */
		tc->refer_req = msg_ref_create(nua_current_request(tc->nua));
		return;
	}
	nua_respond(tc->nh, SIP_202_ACCEPTED, NUTAG_WITH_THIS(tc->nua), TAG_END());
	notify(tc, 100, "Trying", false);
	refer_act(tc, sip);
}

void trunk_refer_free(struct trunk_call *tc)
{
	if (tc->refer_req)
		msg_destroy(tc->refer_req);     /* drops our reference */
	tc->refer_req = NULL;
}
