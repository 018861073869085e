/*
 * trunk_call.c -- SIP legs of calls: an INVITE in becomes an incoming leg of
 * the call core, the core's placing callback (trunk_place) sends an INVITE
 * out to a trunk's next hop, and progress, answer and release are mapped
 * both ways:
 *
 *   core -> incoming SIP leg:  alerting -> 180 (183 with SDP when the far
 *   end gives in-band tones: early media), progress with in-band -> 183 with
 *   SDP, answer -> 200 with SDP, release -> the mapped final response (or
 *   BYE once answered) with Reason: Q.850;cause=N.
 *   outgoing SIP leg -> core:  100 -> proceeding, 180 -> alerting, 183 ->
 *   progress (in-band when it carries SDP), 200 -> answer, a final error ->
 *   release with the Reason header's Q.850 cause, else the status mapped by
 *   call_sip_to_cause().  On 408 (timeout), 503 or a transport error the
 *   next hop of the same trunk is tried before the failure is reported.
 *
 * Offer/answer is nua's (soa): we hand it our own SDP and it answers an
 * offer, or offers in the 200 when the INVITE had none (delayed offer,
 * answer in the ACK).  Our SDP and the leg's RTP session come from
 * trunk_media.c (the far end's offer from the INVITE, its answer from
 * nua_i_state); without a media engine our SDP names a port nobody uses.
 *
 * Lifetime: a struct trunk_call lives from the INVITE (or trunk_place) until
 * nua reports its handle terminated; the core holds &tc->leg until we
 * report call_leg_released (leg.call NULL after that).  Main thread only.
 */
#include "config.h"
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sofia-sip/msg_addr.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_extra.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/soa_tag.h>

#define LOG_MODULE "sip"
#include "log.h"
#include "status/callstats.h"
#include "tg.h"
#include "trunk_int.h"
#include "trunk_profile.h"

/* ---- RTP ports (handed out only: see the file comment) ---- */

static unsigned rtp_take(struct trunk_agent *a)
{
	unsigned n = (a->rtp_max - a->rtp_min) / 2 + 1;

	/* O(range) in the worst case; a full range means 16,000 calls. */
	for (unsigned i = 0; i < n; i++) {
		unsigned port = a->rtp_next, k = (port - a->rtp_min) / 2;

		a->rtp_next = port + 2 > a->rtp_max ? a->rtp_min : port + 2;
		if (!(a->rtp_used[k / 8] & (1u << (k % 8)))) {
			a->rtp_used[k / 8] |= (uint8_t)(1u << (k % 8));
			return port;
		}
	}
	return 0;
}

static void rtp_give(struct trunk_agent *a, unsigned port)
{
	unsigned k;

	if (!port)
		return;
	k = (port - a->rtp_min) / 2;
	a->rtp_used[k / 8] &= (uint8_t)~(1u << (k % 8));
}

/* Our SDP: trunk_media.c's answer or offer; without a session, the
 * gateway's own media description (no RTP flows then). */
static void our_sdp(struct trunk_call *tc, char *buf, size_t len)
{
	const struct trunk_agent *a = tc->agent;
	const char *ip = a->v6 || strchr(a->host, ':') ? "IP6" : "IP4";

	if (trunk_media_sdp(tc, buf, len))
		return;
	snprintf(buf, len,
		 "v=0\r\n"
		 "o=trunkgate %u 1 IN %s %s\r\n"
		 "s=trunkgate\r\n"
		 "c=IN %s %s\r\n"
		 "t=0 0\r\n"
		 "m=audio %u RTP/AVP 0 8 101\r\n"
		 "a=rtpmap:0 PCMU/8000\r\n"
		 "a=rtpmap:8 PCMA/8000\r\n"
		 "a=rtpmap:101 telephone-event/8000\r\n"
		 "a=fmtp:101 0-16\r\n"
		 "a=ptime:20\r\n"
		 "a=sendrecv\r\n",
		 tc->rtp_port, ip, a->host, ip, a->host, tc->rtp_port);
}

/* ---- helpers ---- */

static bool has_sdp(const sip_t *sip)
{
	return sip && sip->sip_payload && sip->sip_payload->pl_len && sip->sip_content_type &&
	       sip->sip_content_type->c_type &&
	       !strcasecmp(sip->sip_content_type->c_type, "application/sdp");
}

/* The Q.850 cause of a Reason header (RFC 3326), 0 if none. */
static int reason_cause(const sip_t *sip)
{
	for (const sip_reason_t *re = sip ? sip->sip_reason : NULL; re; re = re->re_next)
		if (re->re_protocol && !strcasecmp(re->re_protocol, "Q.850") && re->re_cause) {
			int c = atoi(re->re_cause);

			if (c >= 1 && c <= 127)
				return c;
		}
	return 0;
}

static void reason_header(char *buf, size_t len, int cause)
{
	snprintf(buf, len, "Q.850;cause=%d;text=\"%s\"", cause, call_cause_name(cause));
}

/* Tell the core the leg is gone (once). */
static void leg_gone(struct trunk_call *tc, int cause, int status)
{
	struct call_end why = { .cause = cause, .sip_status = status };

	tc->ended = true;
	if (tc->leg.call)
		call_leg_released(&tc->leg, &why);
}

/* The attempt on next hop tc->hop is over: count it for the hop's call
 * figures (status/callstats.h), once. */
static void hop_done(struct trunk_call *tc)
{
	const struct tg_config_sip_hop *h = &tc->trunk->hops[tc->hop];
	unsigned long long now = tg_now_ms();
	char key[400];

	if (!tc->hop_open)
		return;
	tc->hop_open = false;
	callstats_hop_key(key, sizeof(key), tc->trunk->name, h->host, h->port, h->transport);
	callstats_record(callstats_main(), key, now, tc->answered,
			 tc->answered ? now - tc->answered_ms : 0);
}

void trunk_call_free(struct trunk_call *tc)
{
	struct trunk_agent *a = tc->agent;

	hop_done(tc);
	leg_gone(tc, 41, 503);
	trunk_refer_free(tc);
	trunk_pass_free(tc);
	if (tc->nh) {
		nua_handle_bind(tc->nh, NULL);
		nua_handle_destroy(tc->nh);
	}
	if (tc->ms) {
		trunk_media_close(tc);
	} else {
		trunk_media_close(tc);  /* a bypass leg's SDP copies */
		rtp_give(a, tc->rtp_port);
	}
	if (tc->prev)
		tc->prev->next = tc->next;
	else
		a->calls = tc->next;
	if (tc->next)
		tc->next->prev = tc->prev;
	a->ncalls--;
	trunk_guard_call_give(a, tc->trunk->id);
	su_home_unref(tc->cfg->home);
	free(tc);
}

/* ---- what the core asks of a SIP leg ---- */

static const struct trunk_interop *interop(const struct trunk_call *tc)
{
	return &tc->trunk->interop;
}

/* Session timer tags (RFC 4028) for our INVITE or our 200: the trunk's
 * interval and who refreshes. */
#define SESSION_TAGS(tc) \
	TAG_IF(interop(tc)->session_timer, NUTAG_SESSION_TIMER(interop(tc)->session_timer)), \
	TAG_IF(interop(tc)->session_timer, NUTAG_MIN_SE(90)),   /* nua's default is 120 */ \
	TAG_IF(interop(tc)->session_timer, NUTAG_SESSION_REFRESHER( \
		interop(tc)->refresher == TRUNK_REFRESHER_US ? nua_local_refresher : \
		interop(tc)->refresher == TRUNK_REFRESHER_PEER ? nua_remote_refresher : \
		nua_any_refresher))

/* The tags of our SDP: soa's user SDP (it answers or offers from it), or,
 * when `raw` (the SDP passes end to end, or nua's offer/answer is off on
 * the handle: trunk_pass.c), the body itself (none if raw_sdp is NULL). */
#define SDP_TAGS(on, soa_sdp, raw, raw_sdp) \
	TAG_IF((on) && !(raw), SOATAG_USER_SDP_STR(soa_sdp)), \
	TAG_IF((on) && !(raw), TRUNK_SOA_ANSWER), \
	TAG_IF((on) && (raw) && (raw_sdp), SIPTAG_CONTENT_TYPE_STR("application/sdp")), \
	TAG_IF((on) && (raw) && (raw_sdp), SIPTAG_PAYLOAD_STR(raw_sdp))

static int respond_18x(struct trunk_call *tc, int status, bool sdp)
{
	char body[512] = "";
	const char *pass_sdp = NULL, *raw;
	bool pass;

	if (tc->outgoing || tc->final_sent || tc->ended || !tc->nh)
		return 0;
	pass = trunk_pass_answer(tc, status, &pass_sdp);
	if (!pass)
		our_sdp(tc, body, sizeof(body));
	raw = pass ? pass_sdp : body;
	/* 100rel: a reliable 18x (Require: 100rel, RSeq) when the trunk has it
	 * on and the caller supports it; nua answers the PRACK. */
	nua_respond(tc->nh, status, sip_status_phrase(status),
		    TAG_IF(sdp && !pass, NUTAG_EARLY_ANSWER(1)),
		    SDP_TAGS(sdp, body, pass || tc->soa_off, raw),
		    TAG_IF(tc->rel100, SIPTAG_REQUIRE_STR("100rel")),
		    TAG_END());
	return 0;
}

/* early_media=immediate: 183 with SDP at once, so Lync's fast failover
 * timer sees progress while the PRI side still sets up. */
static int leg_proceeding(struct leg *l)
{
	struct trunk_call *tc = l->owner;

	if (interop(tc)->early == TRUNK_EARLY_IMMEDIATE && !tc->early_sent) {
		tc->early_sent = true;
		return respond_18x(tc, 183, true);
	}
	return 0;       /* nua sent 100 Trying when the INVITE came in */
}

static int leg_alerting(struct leg *l, bool inband)
{
	struct trunk_call *tc = l->owner;

	/* In-band ringback (the PRI side's progress indicator) is early media:
	 * 183 with SDP, as Lync expects; plain alerting is 180. */
	if (interop(tc)->early == TRUNK_EARLY_OFF)
		return respond_18x(tc, 180, false);
	return respond_18x(tc, inband ? 183 : 180, inband);
}

static int leg_progress(struct leg *l, bool inband)
{
	struct trunk_call *tc = l->owner;

	return inband && interop(tc)->early != TRUNK_EARLY_OFF ? respond_18x(tc, 183, true) : 0;
}

static int leg_answer(struct leg *l)
{
	struct trunk_call *tc = l->owner;
	char body[512] = "";
	const char *pass_sdp = NULL, *raw;
	bool pass;

	if (tc->outgoing || tc->final_sent || tc->ended || !tc->nh)
		return 0;
	pass = trunk_pass_answer(tc, 200, &pass_sdp);
	if (!pass)
		our_sdp(tc, body, sizeof(body));
	raw = pass ? pass_sdp : body;
	nua_respond(tc->nh, SIP_200_OK, SDP_TAGS(true, body, pass || tc->soa_off, raw),
		    SESSION_TAGS(tc), TAG_END());
	tc->final_sent = true;
	tc->answered = true;
	return 0;
}

static int leg_release(struct leg *l, const struct call_end *why)
{
	struct trunk_call *tc = l->owner;
	/* The trunk's cause map first, then a status the other leg gave, then
	 * the common table. */
	int status = trunk_interop_status(interop(tc), why->cause,
		why->sip_status >= 300 && why->sip_status <= 699 ? why->sip_status :
		call_cause_to_sip(why->cause));
	const char *phrase = sip_status_phrase(status);
	char reason[96];

	reason_header(reason, sizeof(reason), why->cause);
	if (!tc->ended && tc->nh) {
		trunk_pass_release(tc);
		if (tc->answered)
			nua_bye(tc->nh, SIPTAG_REASON_STR(reason), TAG_END());
		else if (tc->outgoing)
			nua_cancel(tc->nh, SIPTAG_REASON_STR(reason), TAG_END());
		else if (!tc->final_sent)
			nua_respond(tc->nh, status, phrase ? phrase : "Call Failed",
				    SIPTAG_REASON_STR(reason),
				    TAG_IF(tc->warning[0], SIPTAG_WARNING_STR(tc->warning)), TAG_END());
		tc->final_sent = true;
	}
	leg_gone(tc, why->cause, why->sip_status);
	return 0;
}

static const struct leg_ops sip_leg_ops = {
	.proceeding = leg_proceeding, .alerting = leg_alerting, .progress = leg_progress,
	.answer = leg_answer, .release = leg_release, .media = trunk_media_leg,
};

static struct trunk_call *tcall_new(struct trunk_agent *a, const struct tg_config_sip_trunk *t,
				    const char *group, bool outgoing)
{
	struct trunk_call *tc = calloc(1, sizeof(*tc));

	if (!tc)
		return NULL;
	tc->agent = a;
	tc->cfg = a->cfg;
	su_home_ref(tc->cfg->home);
	tc->trunk = t;
	tc->outgoing = outgoing;
	if (trunk_media_open(tc))
		tc->rtp_port = rtp_take(a);
	tc->leg.ops = &sip_leg_ops;
	tc->leg.owner = tc;
	tc->leg.kind = LEG_SIP;
	tg_strlcpy(tc->leg.trunk, t->name, sizeof(tc->leg.trunk));
	tg_strlcpy(tc->leg.group, group, sizeof(tc->leg.group));
	tc->next = a->calls;
	if (a->calls)
		a->calls->prev = tc;
	a->calls = tc;
	a->ncalls++;
	trunk_guard_call_add(a, t->id);         /* max_calls */
	return tc;
}

/* ---- incoming ---- */

static bool privacy_id(const sip_t *sip)
{
	const sip_privacy_t *p = sip_privacy(sip);

	for (size_t i = 0; p && p->priv_values && p->priv_values[i]; i++)
		if (!strcasecmp(p->priv_values[i], "id") || !strcasecmp(p->priv_values[i], "user"))
			return true;
	return false;
}

/* The caller: P-Asserted-Identity, else Remote-Party-ID (party=calling),
 * else From.  Privacy: id (or user), an RPID privacy=full/uri, or no number
 * at all make it restricted. */
static void caller_identity(const sip_t *sip, struct route_number *n)
{
	const sip_p_asserted_identity_t *paid = sip_p_asserted_identity(sip);
	const sip_remote_party_id_t *rpid;
	bool restricted = privacy_id(sip);

	n->digits[0] = '\0';
	if (paid && trunk_number_from_user(paid->paid_url->url_user, n->digits, sizeof(n->digits)))
		goto done;
	for (rpid = sip_remote_party_id(sip); rpid; rpid = rpid->rpid_next) {
		if (rpid->rpid_party && strcasecmp(rpid->rpid_party, "calling"))
			continue;
		if (trunk_number_from_user(rpid->rpid_url->url_user, n->digits, sizeof(n->digits))) {
			restricted |= trunk_rpid_restricted(rpid->rpid_privacy);
			goto done;
		}
	}
	if (!(sip->sip_from && trunk_number_from_user(sip->sip_from->a_url->url_user, n->digits,
						      sizeof(n->digits))))
		n->digits[0] = '\0';
done:
	n->presentation = restricted || !n->digits[0] ? 1 : 0;
}

/* Diversion (its first entry), else History-Info: the number that forwarded
 * the call, into cs->redirecting.  True if there was one. */
static bool redirection(const sip_t *sip, struct call_setup *cs)
{
	char hist[1024];
	size_t n = 0;

	for (const sip_unknown_t *u = sip->sip_unknown; u; u = u->un_next)
		if (u->un_name && !strcasecmp(u->un_name, "Diversion") && u->un_value)
			return trunk_diversion_parse(u->un_value, cs->redirecting.digits,
						     sizeof(cs->redirecting.digits),
						     &cs->redirect_reason);
	hist[0] = '\0';
	for (const sip_unknown_t *u = sip->sip_unknown; u; u = u->un_next)
		if (u->un_name && !strcasecmp(u->un_name, "History-Info") && u->un_value &&
		    n < sizeof(hist))
			n += (size_t)snprintf(hist + n, sizeof(hist) - n, "%s%s", n ? "," : "",
					      u->un_value);
	return hist[0] && n < sizeof(hist) &&
	       trunk_history_parse(hist, cs->redirecting.digits, sizeof(cs->redirecting.digits),
				   &cs->redirect_reason);
}

void trunk_call_incoming(struct trunk_agent *a, nua_t *nua, nua_handle_t *nh, const sip_t *sip)
{
	msg_t *msg = nua_current_request(nua);
	su_addrinfo_t *ai = msg ? msg_addrinfo(msg) : NULL;
	const struct tg_config_sip_trunk *t = NULL;
	struct call_setup cs = { 0 };
	struct trunk_call *tc;
	const char *group = "";
	char src[64] = "?";

	ASSERT_MAIN();
	if (ai && ai->ai_addr) {
		const void *addr = ai->ai_addr->sa_family == AF_INET6 ?
			(const void *)&((const struct sockaddr_in6 *)ai->ai_addr)->sin6_addr :
			(const void *)&((const struct sockaddr_in *)ai->ai_addr)->sin_addr;

		inet_ntop(ai->ai_addr->sa_family, addr, src, sizeof(src));
		if (a->cfg)
			t = trunk_by_source(a, ai->ai_addr);
	}
	if (t && trunk_nua(a, t) != nua && (t->listen[0] || nua != a->nua)) {
		/* A trunk with its own listening address takes calls there only
		 * (an implicit TLS client's trunk takes them on the shared one). */
		log_info("INVITE from %s refused with 403: trunk %s listens on %s, not here", src,
			 t->name, t->listen[0] ? t->listen : "the shared SIP address");
		nua_respond(nh, SIP_403_FORBIDDEN, TAG_END());
		return;
	}
	if (!t) {
		/* Only configured peers are trusted.  The handle stays unowned
		 * and is dropped when nua reports it terminated. */
		log_info("INVITE from %s refused with 403: not a configured SIP trunk", src);
		nua_respond(nh, SIP_403_FORBIDDEN, TAG_END());
		return;
	}
	for (size_t i = 0; i < a->cfg->nsip_members; i++)
		if (a->cfg->sip_members[i].trunk_id == t->id) {
			cs.source_group_id = a->cfg->sip_members[i].group_id;
			group = a->cfg->sip_members[i].group;
			break;
		}
	if (!trunk_guard_admit(a, t)) {
		log_info("%s: INVITE from %s refused with 503: max_calls (%u) reached", t->name,
			 src, t->max_calls);
		nua_respond(nh, SIP_503_SERVICE_UNAVAILABLE, SIPTAG_REASON_STR("Q.850;cause=34"),
			    TAG_END());
		return;
	}
	if (!sip->sip_request ||
	    !trunk_number_from_user(sip->sip_request->rq_url->url_user, cs.called.digits,
				    sizeof(cs.called.digits))) {
		log_info("%s: INVITE from %s refused with 404: no number in the Request-URI",
			 t->name, src);
		nua_respond(nh, SIP_404_NOT_FOUND, TAG_END());
		return;
	}
	tc = tcall_new(a, t, group, false);
	if (!tc) {
		nua_respond(nh, SIP_503_SERVICE_UNAVAILABLE, TAG_END());
		return;
	}
	tc->nh = nh;
	tc->nua = nua;
	nua_handle_bind(nh, (nua_hmagic_t *)tc);
	tc->offerless = !has_sdp(sip);
	tc->peer_update = sip_is_allowed(sip->sip_allow, sip_method_update, NULL);
	if (has_sdp(sip)) {
		trunk_media_offer_in(tc, sip->sip_payload->pl_data, sip->sip_payload->pl_len);
		/* no codec of the trunk's, or SRTP mismatch: 488 + Warning, cause 88 */
		if (!trunk_media_offer_ok(tc, sip->sip_payload->pl_data, sip->sip_payload->pl_len)) {
			cs.refuse_cause = 88;
			cs.refuse_status = 488;
		}
	}
	cs.called.ton = cs.called.npi = cs.calling.ton = cs.calling.npi = -1;
	cs.redirecting.ton = cs.redirecting.npi = cs.redirecting.presentation = -1;
	caller_identity(sip, &cs.calling);
	trunk_number_in(&t->interop, cs.called.digits, &cs.called.ton, &cs.called.npi);
	trunk_number_in(&t->interop, cs.calling.digits, &cs.calling.ton, &cs.calling.npi);
	if (redirection(sip, &cs))
		trunk_number_in(&t->interop, cs.redirecting.digits, &cs.redirecting.ton,
				&cs.redirecting.npi);
	cs.called.presentation = -1;
	tc->rel100 = t->interop.rel100 != TRUNK_100REL_OFF &&
		     (sip_has_supported(sip->sip_supported, "100rel") ||
		      sip_has_feature((const msg_list_t *)sip->sip_require, "100rel"));
	tg_strlcpy(tc->called, cs.called.digits, sizeof(tc->called));
	tg_strlcpy(tc->calling, cs.calling.digits, sizeof(tc->calling));
	log_debug("%s: INVITE from %s: %s -> %s%s%s", t->name, src, tc->calling, tc->called,
		  cs.redirecting.digits[0] ? ", forwarded by " : "", cs.redirecting.digits);
	call_incoming(a->core, &tc->leg, &cs);
	/* The core may have released the leg already (tc lives until nua says
	 * the handle is terminated). */
	if (t->interop.early == TRUNK_EARLY_IMMEDIATE && tc->leg.call && !tc->early_sent) {
		tc->early_sent = true;
		respond_18x(tc, 183, true);
	}
}

/* ---- outgoing ---- */

/* INVITE to next hop tc->hop; false if it could not even be sent.  The interop switches shape the headers:
 * docs/sip.md. */
static bool send_invite(struct trunk_call *tc)
{
	struct trunk_agent *a = tc->agent;
	const struct trunk_interop *ti = interop(tc);
	const struct tg_config_sip_hop *h = &tc->trunk->hops[tc->hop];
	bool v6 = strchr(h->host, ':') != NULL;
	enum trunk_uri ruri_kind = ti->uri == TRUNK_URI_TEL ? TRUNK_URI_PHONE : ti->uri;
	char called[40], calling[40], redir[40], hostport[300], ruri[512], to[512], from[512];
	char myhost[80], me[512], callee[500], div_uri[512], hdrs[1024], body[512] = "";
	char port[8] = "";
	bool pass;
	size_t n;

	trunk_number_out(ti, tc->called, tc->called_ton, called, sizeof(called));
	trunk_number_out(ti, tc->calling, tc->calling_ton, calling, sizeof(calling));
	if (h->port)
		snprintf(port, sizeof(port), ":%u", h->port);
	snprintf(hostport, sizeof(hostport), "%s%s%s%s", v6 ? "[" : "", h->host, v6 ? "]" : "", port);
	trunk_uri(ruri, sizeof(ruri) - 32, ruri_kind, called, hostport);
	n = strlen(ruri);
	snprintf(ruri + n, sizeof(ruri) - n, ";transport=%s",
		 ti->transport[0] ? ti->transport : h->transport);
	trunk_uri(callee, sizeof(callee), ti->uri, called, hostport);
	snprintf(to, sizeof(to), "<%s>", callee);
	snprintf(myhost, sizeof(myhost), "%s%s%s", strchr(a->host, ':') ? "[" : "", a->host,
		 strchr(a->host, ':') ? "]" : "");
	trunk_uri(me, sizeof(me), ti->uri, calling[0] ? calling : "anonymous", myhost);
	if (tc->restricted || !calling[0])
		snprintf(from, sizeof(from), "\"Anonymous\" <sip:anonymous@anonymous.invalid>");
	else
		snprintf(from, sizeof(from), "<%s>", me);
	trunk_identity_headers(ti, calling[0] ? me : "", tc->restricted, hdrs, sizeof(hdrs));
	if (tc->redirecting[0]) {
		trunk_number_out(ti, tc->redirecting, tc->redirecting_ton, redir, sizeof(redir));
		trunk_uri(div_uri, sizeof(div_uri), ti->uri, redir, myhost);
		n = strlen(hdrs);
		trunk_diversion_headers(ti, div_uri, callee, tc->redirect_reason, hdrs + n,
					sizeof(hdrs) - n);
	}
	if (tc->referred_by[0]) {       /* a call the gateway places for a transfer */
		n = strlen(hdrs);
		snprintf(hdrs + n, sizeof(hdrs) - n, "Referred-By: %s\r\n", tc->referred_by);
	}
	/* media bypass passing SDP end to end: the caller's offer (or none)
	 * as our body, nua's offer/answer off (trunk_pass.c) */
	pass = tc->bypass_pass;
	if (!pass)
		our_sdp(tc, body, sizeof(body));
	tc->nua = trunk_nua(a, tc->trunk);
	tc->nh = tc->nua ? nua_handle(tc->nua, (nua_hmagic_t *)tc, SIPTAG_TO_STR(to),
				      SIPTAG_FROM_STR(from),
				      TAG_IF(pass, NUTAG_MEDIA_ENABLE(0)), TAG_IF(pass, NUTAG_AUTOACK(0)),
				      TAG_END()) : NULL;
	if (!tc->nh)
		return false;
	if (pass) {
		tc->soa_off = true;
		tc->pass_sent_body = tc->pass_offer != NULL;
		free(tc->pass_tx);
		tc->pass_tx = tc->pass_offer ? strdup(tc->pass_offer) : NULL;
	}
	log_debug("%s: INVITE %s (next hop %u of %zu)", tc->trunk->name, ruri, tc->hop + 1,
		  tc->trunk->nhops);
	nua_invite(tc->nh, NUTAG_URL(ruri), TAG_IF(pass, NUTAG_MEDIA_ENABLE(0)),
		   TAG_IF(pass, NUTAG_AUTOACK(0)), SDP_TAGS(true, body, pass, tc->pass_offer),
		   TAG_IF(hdrs[0], SIPTAG_HEADER_STR(hdrs)),
		   /* 100rel: Supported (on) or Require (require); nua PRACKs
		    * reliable 18x itself. */
		   NUTAG_EARLY_MEDIA(ti->rel100 != TRUNK_100REL_OFF),
		   TAG_IF(ti->rel100 == TRUNK_100REL_REQUIRE, SIPTAG_REQUIRE_STR("100rel")),
		   SESSION_TAGS(tc),
		   /* nua follows a 3xx's Contact itself unless told not to
		    * (this also stops its own retries after 401/407). */
		   TAG_IF(ti->redirect != TRUNK_REDIR_FOLLOW, NUTAG_RETRY_COUNT(0)),
		   TAG_END());
	tc->hop_open = true;
	return true;
}

int trunk_place(void *arg, const struct route_target *t, const struct call_setup *s,
		struct leg **legp)
{
	struct trunk_agent *a = arg;
	bool any = false, full = false;

	ASSERT_MAIN();
	for (size_t i = 0; a && a->cfg && i < a->cfg->nsip_members; i++) {
		const struct tg_config_sip_member *m = &a->cfg->sip_members[i];
		const struct tg_config_sip_trunk *tr = NULL;
		struct trunk_call *tc;
		unsigned first = 0;

		if (m->group_id != t->group_id)
			continue;
		for (size_t k = 0; k < a->cfg->nsip_trunks; k++)
			if (a->cfg->sip_trunks[k].id == m->trunk_id)
				tr = &a->cfg->sip_trunks[k];
		if (!tr || !tr->enabled || !tr->nhops || !trunk_nua(a, tr))
			continue;
		while (first < tr->nhops && !trunk_hop_usable(a, tr, first))
			first++;        /* down by its OPTIONS probes (trunk_health.c) */
		if (first >= tr->nhops)
			continue;       /* every next hop down: like no trunk (38) */
		if (!trunk_guard_admit(a, tr)) {
			log_info("%s: at max_calls (%u): the call tries the next trunk", tr->name,
				 tr->max_calls);
			full = true;
			continue;
		}
		any = true;
		tc = tcall_new(a, tr, m->group, true);
		if (!tc)
			return 41;
		tc->hop = first;
		tg_strlcpy(tc->called, s->called.digits, sizeof(tc->called));
		tg_strlcpy(tc->calling, s->calling.digits, sizeof(tc->calling));
		tc->called_ton = s->called.ton;
		tc->calling_ton = s->calling.ton;
		tc->restricted = s->calling.presentation == 1;
		tg_strlcpy(tc->redirecting, s->redirecting.digits, sizeof(tc->redirecting));
		tc->redirecting_ton = s->redirecting.ton;
		tc->redirect_reason = s->redirect_reason;
		tg_strlcpy(tc->referred_by, s->referred_by, sizeof(tc->referred_by));
		trunk_media_place(tc, s->in);
		if (!send_invite(tc)) {
			trunk_call_free(tc);
			continue;
		}
		*legp = &tc->leg;
		return 0;
	}
	/* 34 (no circuit): every usable trunk is at max_calls, and routing
	 * fails over to the next group; 38 (network out of order): the group
	 * has no usable trunk. */
	return any ? 41 : full ? 34 : 38;
}

/* 408, 503 and transport errors (nua's own 5xx, no message from the peer)
 * move to the next hop of the same trunk. */
static bool next_hop(struct trunk_call *tc, int status, const sip_t *sip)
{
	nua_handle_t *old = tc->nh;

	if (!(status == 408 || status == 503 || (status >= 500 && !sip)) ||
	    tc->hop + 1 >= tc->trunk->nhops || !tc->leg.call)
		return false;
	log_info("%s: next hop %s:%u failed with %d, trying %s:%u", tc->trunk->name,
		 tc->trunk->hops[tc->hop].host, tc->trunk->hops[tc->hop].port, status,
		 tc->trunk->hops[tc->hop + 1].host, tc->trunk->hops[tc->hop + 1].port);
	hop_done(tc);
	/* No more events come for a destroyed handle. */
	nua_handle_bind(old, NULL);
	nua_handle_destroy(old);
	tc->nh = NULL;
	while (++tc->hop < tc->trunk->nhops)
		if (trunk_hop_usable(tc->agent, tc->trunk, tc->hop) && send_invite(tc))
			return true;
	/* No handle is left to report terminated: end the leg here. */
	leg_gone(tc, 41, status);
	trunk_call_free(tc);
	return true;
}

/* A 3xx that reaches us: with redirect=follow nua has followed the
 * Contact itself (up to its retry count) and this one is a failure; with
 * redirect=return the redirection goes back to the caller as cause 23.
 * True if handled here. */
static bool redirected(struct trunk_call *tc, int status)
{
	if (status < 300 || status >= 400 || !tc->leg.call ||
	    interop(tc)->redirect != TRUNK_REDIR_RETURN)
		return false;
	log_info("%s: %d redirects the call: returned to the caller (cause 23)", tc->trunk->name,
		 status);
	leg_gone(tc, 23, 0);
	return true;
}

static void on_invite_response(struct trunk_call *tc, int status, const sip_t *sip)
{
	if (tc->answered && status < 300 && tc->leg.call && !tc->ended)
		return;         /* our re-INVITE (a session refresh) went through */
	if (tc->answered && status >= 300) {
		/* Our re-INVITE (a session refresh) failed: the peer is gone or
		 * lost the dialog; the call ends (cause 102).  RFC 4028 section
		 * 10 wants a BYE: after a 408 nua has ended the dialog itself and
		 * sends none (the peer does not answer anyway); where the dialog
		 * is still there, this BYE goes out. */
		char reason[96];

		log_info("%s: session refresh failed with %d: ending the call", tc->trunk->name,
			 status);
		reason_header(reason, sizeof(reason), 102);
		if (!tc->ended)
			nua_bye(tc->nh, SIPTAG_REASON_STR(reason), TAG_END());
		leg_gone(tc, 102, status);
		return;
	}
	if (status < 200) {
		if (!tc->leg.call)
			return;
		if (status == 180)
			call_leg_alerting(&tc->leg, has_sdp(sip));
		else if (status == 183)
			call_leg_progress(&tc->leg, has_sdp(sip));
		else
			call_leg_proceeding(&tc->leg);
		return;
	}
	if (status < 300) {
		tc->answered = true;
		tc->answered_ms = tg_now_ms();
		if (!tc->leg.call || tc->ended) {
			/* The 200 crossed our CANCEL: nua has ACKed it; end it. */
			nua_bye(tc->nh, TAG_END());
			return;
		}
		call_leg_answered(&tc->leg);
		return;
	}
	if (trunk_auth_challenge(tc->agent, tc->trunk, tc->nh, status, sip, &tc->auth_tries))
		return;         /* 401/407: asked again with the trunk's credentials */
	if (next_hop(tc, status, sip) || redirected(tc, status))
		return;
	leg_gone(tc, reason_cause(sip) ? reason_cause(sip) :
		 trunk_interop_cause(interop(tc), status, call_sip_to_cause(status)), status);
}

void trunk_call_on_event(struct trunk_agent *a, nua_event_t event, int status, const char *phrase,
			 nua_handle_t *nh, struct trunk_call *tc, const sip_t *sip, tagi_t tags[])
{
	int cs = -1;

	ASSERT_MAIN();
	if (nh != tc->nh)
		return;         /* a handle we already left (failover) */
	switch (event) {
	case nua_i_invite: {
		/* A re-INVITE (hold, resume, a new offer or none): with the SDP
		 * passing end to end, passed to the other leg; else answered
		 * with our SDP, which nua's offer/answer turns into an answer
		 * or, for an INVITE without SDP, an offer. */
		char body[512];
		const char *raw = body;

		if (status >= 300)
			break;  /* nua refused it itself (491 on glare, 500 on overlap) */
		/* status 200: nua's offer/answer answered an anchored re-INVITE
		 * at once; the media session must still follow the new offer
		 * (hold: stop sending), so go on; the nua_respond below is then
		 * a no-op. */
		if (trunk_pass_invite_in(tc, sip))
			break;  /* media bypass: passed to the other leg (trunk_pass.c) */
		if (has_sdp(sip) && !trunk_media_offer_ok(tc, sip->sip_payload->pl_data,
							  sip->sip_payload->pl_len)) {
			nua_respond(nh, SIP_488_NOT_ACCEPTABLE, SIPTAG_WARNING_STR(tc->warning),
				    TAG_END());
			break;  /* the call goes on as it was */
		}
		trunk_media_offer_in(tc, has_sdp(sip) ? sip->sip_payload->pl_data : NULL,
				     has_sdp(sip) ? sip->sip_payload->pl_len : 0);
		our_sdp(tc, body, sizeof(body));
		nua_respond(nh, SIP_200_OK, SDP_TAGS(true, body, tc->soa_off, raw), TAG_END());
		break;
	}
	case nua_r_invite:
		/* media bypass: for the caller; early media from the first fork
		 * with SDP only (as nua's offer/answer does when anchored), the
		 * answering fork's SDP at the 2xx */
		if (has_sdp(sip) && status < 300 && (status >= 200 || !tc->far_sdp))
			trunk_media_far_sdp(tc, sip->sip_payload->pl_data, sip->sip_payload->pl_len);
		if (trunk_pass_r_invite(tc, status, sip))
			break;  /* the answer to a passed offer (trunk_pass.c) */
		if (tc->outgoing || tc->answered)
			on_invite_response(tc, status, sip);
		break;
	case nua_i_ack:
		trunk_pass_ack_in(tc, sip);
		break;
	case nua_i_update:
		trunk_pass_update_in(tc, status, sip);
		break;
	case nua_i_refer:
	case nua_r_refer:
	case nua_i_notify:
		trunk_refer_on_event(tc, event, status, sip, tags);
		break;
	case nua_i_cancel:
		log_debug("%s: CANCEL from the caller", tc->trunk->name);
		leg_gone(tc, reason_cause(sip) ? reason_cause(sip) : 16, 487);
		break;
	case nua_i_bye:
		leg_gone(tc, reason_cause(sip) ? reason_cause(sip) : 16, 0);
		break;
	case nua_i_state: {
		const char *rsdp = NULL;
		int answer_recv = 0;

		tl_gets(tags, NUTAG_CALLSTATE_REF(cs), NUTAG_ANSWER_RECV_REF(answer_recv),
			SOATAG_REMOTE_SDP_STR_REF(rsdp), TAG_END());
		if (answer_recv && rsdp)
			trunk_media_answer_in(tc, rsdp);
		if (cs == nua_callstate_terminated) {
			log_debug("%s: SIP leg terminated (%d %s)", tc->trunk->name, status,
				  phrase ? phrase : "");
			/* Not ended by a message we saw: the dialog timed out or the
			 * transport failed (41, temporary failure). */
			if (!tc->ended)
				leg_gone(tc, status >= 300 ? call_sip_to_cause(status) : 41,
					 status >= 300 ? status : 0);
			trunk_call_free(tc);
		}
		break;
	}
	default:
		break;
	}
}
