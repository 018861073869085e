/*
 * trunk_health.c -- OPTIONS health probes to every next hop of every
 * enabled SIP trunk whose options_interval is not 0 (issue 5, item 2).
 *
 *  - Every interval an OPTIONS goes to sip:HOST[:PORT];transport=T.  Any
 *    final response from the peer counts as up except 408 and 503; no answer
 *    within the interval (at most 32 s, nta's own timeout), a 408 or a
 *    transport error (nua's own 5xx, no message from the peer) counts as a
 *    failure.  The first probe goes out one interval after the hop appears
 *    (or its interval changes).  options_down_after failures in a row mark
 *    the hop down,
 *    options_up_after good answers in a row bring it back; a hop not yet
 *    probed (unknown) is usable, and its first good answer marks it up.
 *  - Each up/down change is a log line and an event (sip-hop-down major,
 *    sip-hop-up cleared, source = the trunk's name).
 *  - A down hop is skipped when calls are placed (trunk_hop_usable, asked by
 *    trunk_call.c).  When every next hop of every enabled trunk of a SIP trunk
 *    group is down, the group is reported down to survivability
 *    (surv_group_report, SURV_DOWN_SIP), so routing takes the route's
 *    survivability alternative; up again as soon as one hop is up.  Groups
 *    are (re)evaluated from the tick, not from apply: the agent is applied
 *    before surv learns the new groups.
 *
 * State is per (trunk id, host, port, transport): a new configuration keeps
 * what it knew about hops that stay.  One 250 ms timer drives all probes.
 * The probe structs are allocated one by one because a probe's address is
 * its nua handle's magic while an OPTIONS is in flight.  Main thread only.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_wait.h>

#define LOG_MODULE "sip"
#include "log.h"
#include "db.h"
#include "status/status.h"
#include "surv/surv.h"
#include "tg.h"
#include "trunk_int.h"

#define TICK_MS 250
#define PROBE_TIMEOUT_MAX_MS 32000      /* 64*T1: nta gives up by then anyway */

enum hop_state { HOP_UNKNOWN, HOP_UP, HOP_DOWN };

struct probe {
	long long trunk_id;
	char trunk[33];
	char host[254];
	unsigned port;
	char transport[4];
	unsigned interval_ms, down_after, up_after;     /* 0 interval: not probed */
	enum hop_state state;
	unsigned good, bad;                     /* answers in a row */
	nua_handle_t *nh;                       /* OPTIONS in flight */
	nua_t *nua;                             /* the one nh belongs to (the trunk's) */
	unsigned long long sent_us, next_ms;    /* monotonic */
	double rtt_ms;                          /* < 0: none yet */
	int last_status;
	long long changed_at_ms;                /* wall */
	bool keep;                              /* scratch of apply */
};

struct trunk_health {
	su_timer_t *timer;
	struct probe **v;
	size_t n;
	long long *down_groups;                 /* reported down to surv */
	size_t ndown;
	bool dirty;                             /* groups need a look */
};

static unsigned long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000;
}

static const char *state_name(enum hop_state s)
{
	return s == HOP_UP ? "up" : s == HOP_DOWN ? "down" : "unknown";
}

static bool same_hop(const struct probe *p, long long trunk_id, const struct tg_config_sip_hop *h)
{
	return p->trunk_id == trunk_id && p->port == h->port && !strcmp(p->host, h->host) &&
	       !strcmp(p->transport, h->transport);
}

static void probe_abort(struct probe *p)
{
	if (!p->nh)
		return;
	nua_handle_bind(p->nh, NULL);
	nua_handle_destroy(p->nh);      /* no event comes for it after this */
	p->nh = NULL;
}

/* ---- groups ---- */

static bool trunk_all_down(const struct trunk_health *h, const struct tg_config_sip_trunk *t)
{
	if (!t->nhops)
		return false;
	for (size_t k = 0; k < t->nhops; k++) {
		bool down = false;

		for (size_t i = 0; i < h->n; i++)
			if (same_hop(h->v[i], t->id, &t->hops[k])) {
				down = h->v[i]->interval_ms && h->v[i]->state == HOP_DOWN;
				break;
			}
		if (!down)
			return false;
	}
	return true;
}

/* Down when it has an enabled trunk with next hops and every such trunk has
 * every next hop down. */
static bool group_down(const struct trunk_agent *a, long long gid)
{
	size_t trunks = 0;

	for (size_t i = 0; i < a->cfg->nsip_members; i++) {
		const struct tg_config_sip_member *m = &a->cfg->sip_members[i];

		if (m->group_id != gid)
			continue;
		for (size_t k = 0; k < a->cfg->nsip_trunks; k++) {
			const struct tg_config_sip_trunk *t = &a->cfg->sip_trunks[k];

			if (t->id != m->trunk_id || !t->enabled || !t->nhops)
				continue;
			if (!trunk_all_down(a->health, t))
				return false;
			trunks++;
		}
	}
	return trunks > 0;
}

static bool reported_down(const struct trunk_health *h, long long gid, size_t *at)
{
	for (size_t i = 0; i < h->ndown; i++)
		if (h->down_groups[i] == gid) {
			*at = i;
			return true;
		}
	return false;
}

static void report(struct trunk_agent *a, long long gid, bool down)
{
	struct trunk_health *h = a->health;
	size_t at = 0;
	bool was = reported_down(h, gid, &at);
	long long *nv;

	if (was == down)
		return;
	if (a->surv && surv_group_report(a->surv, gid, SURV_DOWN_SIP, down)) {
		h->dirty = true;        /* surv does not know the group yet: next tick */
		return;
	}
	if (!down) {
		h->down_groups[at] = h->down_groups[--h->ndown];
		return;
	}
	nv = realloc(h->down_groups, (h->ndown + 1) * sizeof(*nv));
	if (!nv)
		return;
	h->down_groups = nv;
	h->down_groups[h->ndown++] = gid;
}

static void groups_check(struct trunk_agent *a)
{
	struct trunk_health *h = a->health;

	h->dirty = false;
	/* groups we reported down that are gone or up again */
	for (size_t i = h->ndown; i-- > 0;) {
		long long gid = h->down_groups[i];
		bool known = false;

		for (size_t k = 0; k < a->cfg->nsip_members && !known; k++)
			known = a->cfg->sip_members[k].group_id == gid;
		if (!known)
			h->down_groups[i] = h->down_groups[--h->ndown];  /* surv forgot it */
		else if (!group_down(a, gid))
			report(a, gid, false);
	}
	for (size_t i = 0; i < a->cfg->nsip_members; i++) {
		long long gid = a->cfg->sip_members[i].group_id;

		if (group_down(a, gid))
			report(a, gid, true);
	}
}

/* ---- probes ---- */

static void set_state(struct trunk_agent *a, struct probe *p, enum hop_state to, const char *why)
{
	char msg[400];
	enum hop_state from = p->state;

	p->state = to;
	if (from == HOP_UNKNOWN && to == HOP_UP) {
		log_info("%s: next hop %s:%u/%s is up (%s)", p->trunk, p->host, p->port, p->transport,
			 why);
		p->changed_at_ms = tg_wall_ms();
		return;         /* the first answer is no news worth an event */
	}
	p->changed_at_ms = tg_wall_ms();
	snprintf(msg, sizeof(msg), "next hop %s:%u/%s %s: %s", p->host, p->port, p->transport,
		 to == HOP_DOWN ? "down" : "up again", why);
	if (to == HOP_DOWN)
		log_warn("%s: %s; calls skip it", p->trunk, msg);
	else
		log_info("%s: %s", p->trunk, msg);
	if (a->db)
		db_event_add(a->db, to == HOP_DOWN ? "major" : "cleared",
			     to == HOP_DOWN ? "sip-hop-down" : "sip-hop-up", p->trunk, msg);
	a->health->dirty = true;
}

static void probe_result(struct trunk_agent *a, struct probe *p, bool ok, int status,
			 const char *phrase)
{
	char why[160];

	p->last_status = status;
	if (ok) {
		p->bad = 0;
		p->good++;
		snprintf(why, sizeof(why), "OPTIONS answered %d in %.1f ms", status, p->rtt_ms);
		if (p->state == HOP_UNKNOWN || (p->state == HOP_DOWN && p->good >= p->up_after))
			set_state(a, p, HOP_UP, why);
		return;
	}
	p->good = 0;
	p->bad++;
	snprintf(why, sizeof(why), "%u OPTIONS in a row failed (last: %d %s)", p->bad, status,
		 phrase ? phrase : "");
	if (p->state != HOP_DOWN && p->bad >= p->down_after)
		set_state(a, p, HOP_DOWN, why);
}

static void probe_send(struct trunk_agent *a, struct probe *p, unsigned long long now_ms)
{
	bool v6 = strchr(p->host, ':') != NULL;
	char uri[400], from[200], port[8] = "";

	if (p->port)
		snprintf(port, sizeof(port), ":%u", p->port);
	snprintf(uri, sizeof(uri), "sip:%s%s%s%s;transport=%s", v6 ? "[" : "", p->host,
		 v6 ? "]" : "", port, p->transport);
	snprintf(from, sizeof(from), "<sip:trunkgate@%s%s%s>", strchr(a->host, ':') ? "[" : "",
		 a->host, strchr(a->host, ':') ? "]" : "");
	p->next_ms = now_ms + p->interval_ms;
	/* From the nua the trunk's calls use (its own listener's or implicit
	 * TLS client's: the shared one has no TLS). */
	p->nua = a->nua;
	for (size_t i = 0; a->cfg && i < a->cfg->nsip_trunks; i++)
		if (a->cfg->sip_trunks[i].id == p->trunk_id && trunk_nua(a, &a->cfg->sip_trunks[i]))
			p->nua = trunk_nua(a, &a->cfg->sip_trunks[i]);
	p->nh = nua_handle(p->nua, (nua_hmagic_t *)p, SIPTAG_TO_STR(uri), SIPTAG_FROM_STR(from),
			   TAG_END());
	if (!p->nh)
		return;
	p->sent_us = now_us();
	nua_options(p->nh, NUTAG_URL(uri), TAG_END());
}

void trunk_health_forget_nua(struct trunk_agent *a, nua_t *nua)
{
	for (size_t i = 0; a->health && i < a->health->n; i++) {
		struct probe *p = a->health->v[i];

		if (p->nua == nua)
			probe_abort(p);         /* sent again at its next turn */
	}
}

void trunk_health_on_options(struct trunk_agent *a, int status, const char *phrase,
			     nua_handle_t *nh, nua_hmagic_t *hmagic, const sip_t *sip)
{
	struct probe *p = (struct probe *)hmagic;

	ASSERT_MAIN();
	if (!p || p->nh != nh) {
		nua_handle_destroy(nh);
		return;
	}
	if (status < 200)
		return;
	/* No message (sip NULL): nua's own answer -- timeout or transport error. */
	if (sip)
		p->rtt_ms = (double)(now_us() - p->sent_us) / 1000.0;
	probe_abort(p);
	probe_result(a, p, sip && status != 408 && status != 503, status, phrase);
}

static void on_tick(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	struct trunk_agent *a = (struct trunk_agent *)arg;
	struct trunk_health *h = a->health;
	unsigned long long now = tg_now_ms();

	for (size_t i = 0; i < h->n; i++) {
		struct probe *p = h->v[i];
		unsigned long long timeout;

		if (!p->interval_ms)
			continue;
		timeout = p->interval_ms < PROBE_TIMEOUT_MAX_MS ? p->interval_ms : PROBE_TIMEOUT_MAX_MS;
		if (p->nh && now_us() >= p->sent_us + timeout * 1000) {
			probe_abort(p);
			probe_result(a, p, false, 408, "no answer");
		}
		if (!p->nh && now >= p->next_ms)
			probe_send(a, p, now);
	}
	if (h->dirty && a->cfg)
		groups_check(a);
}

/* ---- lifecycle ---- */

int trunk_health_create(struct trunk_agent *a)
{
	a->health = calloc(1, sizeof(*a->health));
	if (!a->health)
		return ENOMEM;
	a->health->timer = su_timer_create(su_root_task(a->root), TICK_MS);
	if (!a->health->timer) {
		free(a->health);
		a->health = NULL;
		return ENOMEM;
	}
	su_timer_run(a->health->timer, on_tick, (su_timer_arg_t *)a);
	return 0;
}

static struct probe *probe_for(struct trunk_health *h, struct probe **nv, size_t *nn,
			       const struct tg_config_sip_trunk *t, const struct tg_config_sip_hop *hop)
{
	struct probe *p = NULL;

	for (size_t i = 0; i < h->n && !p; i++)
		if (h->v[i] && !h->v[i]->keep && same_hop(h->v[i], t->id, hop))
			p = h->v[i];
	if (p) {
		p->keep = true;
	} else {
		p = calloc(1, sizeof(*p));
		if (!p)
			return NULL;
		p->trunk_id = t->id;
		tg_strlcpy(p->host, hop->host, sizeof(p->host));
		p->port = hop->port;
		tg_strlcpy(p->transport, hop->transport, sizeof(p->transport));
		p->rtt_ms = -1;
		p->keep = true;
	}
	tg_strlcpy(p->trunk, t->name, sizeof(p->trunk));
	nv[(*nn)++] = p;
	return p;
}

void trunk_health_apply(struct trunk_agent *a)
{
	struct trunk_health *h = a ? a->health : NULL;
	struct probe **nv;
	size_t nn = 0, total = 0;
	unsigned long long now = tg_now_ms();

	if (!h || !a->cfg)
		return;
	for (size_t i = 0; i < a->cfg->nsip_trunks; i++)
		total += a->cfg->sip_trunks[i].nhops;
	nv = calloc(total ? total : 1, sizeof(*nv));
	if (!nv) {
		log_err("SIP health: out of memory; probes keep the previous configuration");
		return;
	}
	for (size_t i = 0; i < h->n; i++)
		h->v[i]->keep = false;
	for (size_t i = 0; i < a->cfg->nsip_trunks; i++) {
		const struct tg_config_sip_trunk *t = &a->cfg->sip_trunks[i];

		for (size_t k = 0; k < t->nhops; k++) {
			struct probe *p = probe_for(h, nv, &nn, t, &t->hops[k]);
			unsigned iv = t->enabled ? t->options_interval * 1000 : 0;

			if (!p)
				continue;
			if (iv != p->interval_ms) {
				if (!iv) {      /* probing off: forget what we knew */
					probe_abort(p);
					p->state = HOP_UNKNOWN;
					p->good = p->bad = 0;
				}
				/* the first probe after one interval: a hop that is
				 * configured and changed again at once is never probed */
				p->next_ms = now + iv;
			}
			p->interval_ms = iv;
			p->down_after = t->options_down_after ? t->options_down_after : 1;
			p->up_after = t->options_up_after ? t->options_up_after : 1;
		}
	}
	for (size_t i = 0; i < h->n; i++)
		if (!h->v[i]->keep) {
			probe_abort(h->v[i]);
			free(h->v[i]);
		}
	free(h->v);
	h->v = nv;
	h->n = nn;
	h->dirty = true;
}

void trunk_health_destroy(struct trunk_agent *a)
{
	struct trunk_health *h = a ? a->health : NULL;

	if (!h)
		return;
	su_timer_destroy(h->timer);
	for (size_t i = 0; i < h->n; i++) {
		probe_abort(h->v[i]);
		free(h->v[i]);
	}
	free(h->v);
	free(h->down_groups);
	free(h);
	a->health = NULL;
}

/* ---- questions ---- */

static const struct probe *probe_of(const struct trunk_health *h, long long trunk_id,
				    const struct tg_config_sip_hop *hop)
{
	for (size_t i = 0; h && i < h->n; i++)
		if (same_hop(h->v[i], trunk_id, hop))
			return h->v[i];
	return NULL;
}

bool trunk_hop_usable(const struct trunk_agent *a, const struct tg_config_sip_trunk *t,
		      unsigned hop)
{
	const struct probe *p;

	if (hop >= t->nhops)
		return false;
	p = probe_of(a->health, t->id, &t->hops[hop]);
	return !p || !p->interval_ms || p->state != HOP_DOWN;
}

void trunk_agent_status(const struct trunk_agent *a, struct status *st)
{
	st->nsip_trunks = 0;
	if (!a || !a->cfg)
		return;
	for (size_t i = 0; i < a->cfg->nsip_trunks && st->nsip_trunks < STATUS_MAX_SIP_TRUNKS; i++) {
		const struct tg_config_sip_trunk *t = &a->cfg->sip_trunks[i];
		struct status_sip_trunk *s = &st->sip_trunks[st->nsip_trunks++];
		unsigned up = 0, down = 0, probed = 0;

		memset(s, 0, sizeof(*s));
		s->id = t->id;
		tg_strlcpy(s->name, t->name, sizeof(s->name));
		s->enabled = t->enabled;
		if (a->guard)   /* counted as legs come and go */
			s->active_calls = trunk_guard_calls(a, t->id);
		else            /* the guard did not start (out of memory): count them */
			for (const struct trunk_call *tc = a->calls; tc; tc = tc->next)
				s->active_calls += tc->trunk->id == t->id;
		for (size_t k = 0; k < t->nhops && k < STATUS_MAX_SIP_HOPS; k++) {
			const struct probe *p = probe_of(a->health, t->id, &t->hops[k]);
			struct status_sip_hop *sh = &s->hops[s->nhops++];

			tg_strlcpy(sh->host, t->hops[k].host, sizeof(sh->host));
			sh->port = t->hops[k].port;
			tg_strlcpy(sh->transport, t->hops[k].transport, sizeof(sh->transport));
			sh->rtt_ms = -1;
			if (!p || !p->interval_ms) {
				tg_strlcpy(sh->state, "off", sizeof(sh->state));
				continue;
			}
			probed++;
			up += p->state == HOP_UP;
			down += p->state == HOP_DOWN;
			tg_strlcpy(sh->state, state_name(p->state), sizeof(sh->state));
			sh->rtt_ms = p->rtt_ms;
			sh->last_status = p->last_status;
			sh->changed_at_ms = p->changed_at_ms;
		}
		/* down only as trunk_all_down() sees it: a hop not probed is usable */
		tg_strlcpy(s->state, !t->enabled ? "disabled" : !probed ? "unprobed" :
			   down == s->nhops ? "down" : up ? "up" : "unknown", sizeof(s->state));
		trunk_auth_status(a, t->id, s);
	}
	trunk_guard_status(a, st);
}
