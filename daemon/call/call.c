/*
 * call.c -- the call core (see call.h).  Main thread only.
 *
 * A call's life: call_incoming routes it (route_decide over the table the
 * call keeps a reference to), then tries the decision's targets in order
 * through the placing callback.  Progress from the outgoing leg is passed to
 * the incoming one.  When the outgoing leg fails before an answer with a
 * cause its route lists for failover, the next target is tried; otherwise
 * the failure is passed back.  Once both legs have been released the CDR is
 * handed to the sink (the daemon's CDR writer queue) and the call freed.
 *
 * Timers: placing an outgoing leg (re)arms the no-answer timer, so each
 * destination tried gets the whole no_answer_timeout; the answer cancels it
 * and arms the maximum-duration timer.  When either fires, the gateway clears
 * both legs itself (released_by "gateway").  Both are cancelled when the call
 * starts ending and again (no-op) when it is freed, so a timer never fires
 * for a freed call.  The values are copied into the call when it starts.
 *
 * Ownership: legs belong to their signalling modules; the core only holds
 * pointers to legs that have not yet reported call_leg_released().
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_MODULE "call"
#include "log.h"
#include "call.h"
#include "call_int.h"
#include "db.h"
#include "media.h"
#include "tg.h"

static void system_clock(int *weekday, int *minute, long long *wall_ms)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	*weekday = (tm.tm_wday + 6) % 7;        /* tm: 0 = Sunday; ours: 0 = Monday */
	*minute = tm.tm_hour * 60 + tm.tm_min;
	*wall_ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static unsigned system_random(void)
{
	return (unsigned)random();
}

long long call_now_ms(struct call_core *core)
{
	int wd, min;
	long long ms;

	core->cfg.clock(&wd, &min, &ms);
	return ms;
}

int call_core_create(struct call_core **cp, const struct call_core_cfg *cfg)
{
	struct call_core *c = calloc(1, sizeof(*c));

	if (!c)
		return ENOMEM;
	c->cfg = *cfg;
	if (!c->cfg.clock)
		c->cfg.clock = system_clock;
	if (!c->cfg.random)
		c->cfg.random = system_random;
	c->no_answer_s = CALL_NO_ANSWER_DEFAULT_S;
	*cp = c;
	return 0;
}

void call_core_set_table(struct call_core *c, struct route_table *t)
{
	if (t)
		route_table_ref(t);
	route_table_unref(c->table);
	c->table = t;
}

void call_core_set_down_groups(struct call_core *c, const long long *ids, size_t n)
{
	long long *v = n ? malloc(n * sizeof(*v)) : NULL;

	if (n && !v)
		return;         /* keep the old list rather than lose it */
	if (n)
		memcpy(v, ids, n * sizeof(*v));
	free(c->down);
	c->down = v;
	c->ndown = n;
}

void call_core_set_timeouts(struct call_core *c, unsigned no_answer_s, unsigned max_duration_s)
{
	c->no_answer_s = no_answer_s;
	c->max_duration_s = max_duration_s;
}

unsigned call_core_active(const struct call_core *c)
{
	return c->active;
}

unsigned long long call_core_total(const struct call_core *c)
{
	return c->total;
}

static struct group_use *group_use(struct call_core *c, long long id, bool add)
{
	for (size_t i = 0; i < c->nuse; i++)
		if (c->use[i].id == id)
			return &c->use[i];
	if (!add)
		return NULL;
	if (c->nuse == c->capuse) {
		size_t cap = c->capuse ? c->capuse * 2 : 16;
		struct group_use *v = realloc(c->use, cap * sizeof(*v));

		if (!v)
			return NULL;
		c->use = v;
		c->capuse = cap;
	}
	c->use[c->nuse] = (struct group_use){ .id = id };
	return &c->use[c->nuse++];
}

/* Take a place in the group if its max_calls allows; false when full. */
bool call_group_take(struct call *call, long long id)
{
	const struct route_group *g = call->table ? route_group_by_id(call->table, id) : NULL;
	struct group_use *u;

	if (!id)
		return true;
	u = group_use(call->core, id, true);
	if (!u)
		return true;    /* out of memory for the count: do not refuse calls for it */
	if (g && g->max_calls && u->calls >= g->max_calls)
		return false;
	u->calls++;
	return true;
}

void call_group_give(struct call_core *c, long long id)
{
	struct group_use *u = id ? group_use(c, id, false) : NULL;

	if (u && u->calls)
		u->calls--;
}

static const char *kind_name(enum leg_kind k)
{
	return k == LEG_PRI ? "pri" : k == LEG_SIP ? "sip" : "analog";
}

void call_cdr_leg(const struct leg *l, char *kind, char *group, char *trunk, int *chan)
{
	snprintf(kind, 8, "%s", kind_name(l->kind));
	snprintf(group, 33, "%s", l->group);
	snprintf(trunk, 33, "%s", l->trunk);
	*chan = l->channel ? (int)l->channel : -1;
}


/* ---- media attach (see leg_ops.media in call.h) ---- */

static bool leg_media(struct leg *l, struct leg_media *m)
{
	memset(m, 0, sizeof(*m));
	return l && l->ops && l->ops->media && l->ops->media(l, m) == 0;
}

void call_media_connect(struct call *call)
{
	struct leg_media a, b;
	bool ha, hb;
	int err = 0;

	if (call->media_on)
		return;
	ha = leg_media(call->in, &a);
	hb = leg_media(call->out, &b);
	if (!ha || !hb) {
		/* SIP<->SIP with both trunks bypassing: the SDP passed end to
		 * end, no RTP session on either leg (they report ENOENT) */
		if (call->in && call->out && call->in->kind == LEG_SIP &&
		    call->out->kind == LEG_SIP && a.bypass && b.bypass)
			call->cdr.media_bypass = true;
		return;
	}
	/* Media bypass (docs/media.md): TDM<->SIP with the SIP leg's trunk
	 * bypassing (its session takes media from wherever it comes).  Two
	 * SIP legs with sessions are anchored, bypass or not (the SDP could
	 * not pass end to end: the caller made no offer). */
	call->cdr.media_bypass = (a.bypass && b.timeslot) || (b.bypass && a.timeslot);
	if (a.rtp && b.rtp)
		err = media_bridge_rtp(a.rtp, b.rtp);
	else if (a.rtp && b.timeslot) {
		err = media_bridge_tdm(a.rtp, b.span_key, b.timeslot);
		media_session_set_echo(a.rtp, b.ec_tail_ms);
	} else if (b.rtp && a.timeslot) {
		err = media_bridge_tdm(b.rtp, a.span_key, a.timeslot);
		media_session_set_echo(b.rtp, a.ec_tail_ms);
	} else if (a.timeslot && b.timeslot && a.tdm) {
		err = media_bridge_tdm_tdm(a.tdm, a.span_key, a.timeslot, b.span_key, b.timeslot);
		if (!err) {     /* kept: the legs may be gone when it is undone */
			call->xc_engine = a.tdm;
			call->xc_key = a.span_key;
			call->xc_ts = a.timeslot;
		}
	}
	else {
		log_debug("%s: media not connected: no media engine", call->id);
		return;
	}
	if (err) {
		log_warn("%s: cannot connect the media: %s", call->id, strerror(err));
		return;
	}
	call->media_on = true;
	log_debug("%s: media connected", call->id);
}

/* Before either leg goes: its owner still holds its media. */
/* The RTP legs' figures as the CDR's quality_json. */
static void media_quality(struct call *call)
{
	struct leg *legs[2] = { call->in, call->out };
	static const char *const names[2] = { "in", "out" };
	char *q = call->cdr.quality;
	size_t n = 0, cap = sizeof(call->cdr.quality);
	struct leg_media m;

	for (unsigned i = 0; i < 2; i++) {
		struct media_stats st;

		if (!leg_media(legs[i], &m) || !m.rtp)
			continue;
		media_session_stats(m.rtp, &st);
		n += (size_t)snprintf(q + n, n < cap ? cap - n : 0,
			"%s\"%s\":{\"rx_packets\":%llu,\"tx_packets\":%llu,\"lost\":%lld,"
			"\"jitter_ms\":%.1f,\"jb_max_delay_ms\":%u,\"rtt_ms\":%.1f,\"mos\":%.2f}",
			n ? "," : "{", names[i], (unsigned long long)st.rx_packets,
			(unsigned long long)st.tx_packets, (long long)st.lost, st.jitter_ms,
			st.jb_max_delay_ms, st.rtt_ms, st.mos);
	}
	if (n && n + 2 < cap)
		snprintf(q + n, cap - n, "}");
	else
		q[0] = '\0';   /* none, or it did not fit: better none than broken */
}

void call_media_disconnect(struct call *call)
{
	struct leg_media m;

	if (!call->media_on)
		return;
	media_quality(call);
	call->media_on = false;
	if (call->xc_engine) {
		media_unbridge_tdm(call->xc_engine, call->xc_key, call->xc_ts);
		call->xc_engine = NULL;
	}
	if (leg_media(call->in, &m) && m.rtp)
		media_unbridge(m.rtp);
	if (leg_media(call->out, &m) && m.rtp)
		media_unbridge(m.rtp);
}

/* ---- timers ---- */

void call_timer_cancel(struct call *call, void **hp)
{
	if (*hp) {
		call->core->cfg.timers.cancel(call->core->cfg.timers.ctx, *hp);
		*hp = NULL;
	}
}

void call_timers_stop(struct call *call)
{
	call_timer_cancel(call, &call->no_answer_timer);
	call_timer_cancel(call, &call->max_timer);
}

void call_timer_arm(struct call *call, void **hp, unsigned s, call_timer_fire_h *fire,
		      const char *what)
{
	const struct call_timers *t = &call->core->cfg.timers;

	call_timer_cancel(call, hp);
	if (!s || !t->set)
		return;
	/* s <= 86400 (validated), so s * 1000 fits an unsigned */
	*hp = t->set(t->ctx, s * 1000u, fire, call);
	if (!*hp)
		log_warn("%s: cannot arm the %s timer; the call goes on without it", call->id, what);
}

/* The gateway clears both legs with this cause (the same cause both ways:
 * it is what happened to the call). */
static void clear_both(struct call *call, int cause, const char *reason)
{
	struct call_end why = { .cause = cause, .sip_status = call_cause_to_sip(cause),
				.reason = reason };

	call_enter(call);
	call_set_end(call, &why, "gateway");
	call->state = CALL_ENDING;
	call_timers_stop(call);
	call_xfer_abort(call, &why);
	call_release_leg(call->out, &why);
	call_release_leg(call->in, &why);    /* may be gone by now: release_leg takes NULL */
	call_leave(call);
}

static void on_no_answer(void *arg)
{
	struct call *call = arg;
	int cause;

	call->no_answer_timer = NULL;   /* fired: the handle is gone */
	if (call->state != CALL_OUTGOING)
		return;
	/* Q.850: 19 "no answer from user (user alerted)", 18 "no user
	 * responding" when the far end never even alerted. */
	cause = call->alerting_sent ? 19 : 18;
	log_info("%s: not answered within %u s: clearing with cause %d (%s)", call->id,
		 call->no_answer_s, cause, call_cause_name(cause));
	clear_both(call, cause, "no answer");
}

static void on_max_duration(void *arg)
{
	struct call *call = arg;

	call->max_timer = NULL;
	if (call->state != CALL_ANSWERED)
		return;
	log_info("%s: reached the maximum duration of %u s: clearing", call->id,
		 call->max_duration_s);
	clear_both(call, 16, "maximum duration");
}

static void call_free(struct call *call)
{
	struct call_core *core = call->core;

	call_timers_stop(call);
	call_xfer_abort(call, NULL);

	if (call->prev)
		call->prev->next = call->next;
	else
		core->calls = call->next;
	if (call->next)
		call->next->prev = call->prev;
	core->active--;
	call_group_give(core, call->in_group);
	call_group_give(core, call->out_group);
	route_table_unref(call->table);
	free(call->targets);
	free(call);
}

/* Both legs gone: the CDR, then the call. */
static void call_finish(struct call *call)
{
	struct db_cdr *r = &call->cdr;

	r->end_at = call_now_ms(call->core);
	r->cause = call->end_set ? call->end.cause : 16;
	r->sip_status = call->end_set ? call->end.sip_status : 0;
	snprintf(r->released_by, sizeof(r->released_by), "%s", call->released_by[0] ?
		 call->released_by : "gateway");
	log_info("%s: ended, cause %d (%s), released by %s", call->id, r->cause,
		 call_cause_name(r->cause), r->released_by);
	if (call->core->cfg.cdr)
		call->core->cfg.cdr(call->core->cfg.cdr_arg, r);
	call_free(call);
}

/* Legs' owners may report a release from inside our own request (hanging up
 * one leg can release it at once), so a call is only finished when the
 * outermost core entry point for it returns. */
void call_enter(struct call *call)
{
	call->depth++;
}

void call_leave(struct call *call)
{
	if (--call->depth == 0 && !call->in && !call->out)
		call_finish(call);
}

void call_set_end(struct call *call, const struct call_end *why, const char *by)
{
	if (call->end_set)
		return;
	call->end = *why;
	call->end.reason = NULL;        /* the pointer may not outlive the caller */
	call->end_set = true;
	snprintf(call->released_by, sizeof(call->released_by), "%s", by);
}

void call_release_leg(struct leg *l, const struct call_end *why)
{
	if (l && l->ops && l->ops->release)
		l->ops->release(l, why);
}

/* Refuse or end the incoming side with this cause. */
static void fail_in(struct call *call, int cause, const char *by)
{
	struct call_end why = { .cause = cause, .sip_status = call_cause_to_sip(cause) };

	if (call->setup.refuse_cause == cause && call->setup.refuse_status)
		why.sip_status = call->setup.refuse_status;
	call_set_end(call, &why, by);
	call->state = CALL_ENDING;
	call_timers_stop(call);
	call_release_leg(call->in, &why);
}

int call_place_target(struct call *call, const struct route_target *t, const struct call_setup *s,
		      struct leg **legp)
{
	int cause;

	if (!call_group_take(call, t->group_id))
		return 34;      /* no circuit: the group is at max_calls */
	*legp = NULL;
	cause = call->core->cfg.place(call->core->cfg.place_arg, t, s, legp);
	if (cause || !*legp) {
		call_group_give(call->core, t->group_id);
		return cause ? cause : 41;
	}
	return 0;
}

/* Try targets from next_target on; false if none could be placed (the
 * incoming leg has then been released with the last cause). */
static bool try_targets(struct call *call)
{
	int last = 34;

	while (call->next_target < call->ntargets) {
		const struct route_target *t = &call->targets[call->next_target++];
		struct call_setup s = call->setup;
		struct leg *out = NULL;
		int cause;

		s.called = t->called;
		s.calling = t->calling;
		s.in = call->in;
		cause = call_place_target(call, t, &s, &out);
		if (cause == 0)
			call->out_group = t->group_id;
		if (cause == 0 && out) {
			out->call = call;
			call->out = out;
			call->state = CALL_OUTGOING;
			call_timer_arm(call, &call->no_answer_timer, call->no_answer_s, on_no_answer,
				  "no-answer");
			snprintf(call->cdr.called_out, sizeof(call->cdr.called_out), "%s", t->called.digits);
			snprintf(call->cdr.calling_out, sizeof(call->cdr.calling_out), "%s", t->calling.digits);
			call_cdr_leg(out, call->cdr.out_kind, call->cdr.out_group, call->cdr.out_trunk,
				&call->cdr.out_channel);
			log_info("%s: to %s via %s%s (%s, channel %u)", call->id, t->called.digits,
				 t->group_name, t->survivability ? " (survivability)" : "", out->trunk,
				 out->channel);
			return true;
		}
		last = cause > 0 ? cause : 41;
		log_info("%s: %s could not take the call: cause %d (%s)%s", call->id, t->group_name,
			 last, call_cause_name(last),
			 t->dest && route_should_failover(t->dest, last) &&
			 call->next_target < call->ntargets ? ", trying the next" : "");
		if (!(t->dest && route_should_failover(t->dest, last)))
			break;
	}
	fail_in(call, last, "gateway");
	return false;
}

static void route_and_place(struct call *call, struct call_core *core, const struct call_setup *s,
			    struct leg *in);

struct call *call_incoming(struct call_core *core, struct leg *in, const struct call_setup *s)
{
	struct call *call;

	ASSERT_MAIN();
	call = calloc(1, sizeof(*call));
	if (!call) {
		struct call_end why = { .cause = 41, .sip_status = 503 };

		call_release_leg(in, &why);
		return NULL;
	}
	call->core = core;
	call->in = in;
	in->call = call;
	call->setup = *s;
	call->no_answer_s = core->no_answer_s;
	call->max_duration_s = core->max_duration_s;
	snprintf(call->id, sizeof(call->id), "tg-%llx-%08x", ++core->seq, core->cfg.random());
	snprintf(call->base_id, sizeof(call->base_id), "%s", call->id);
	call->next = core->calls;
	if (core->calls)
		core->calls->prev = call;
	core->calls = call;
	core->active++;
	core->total++;
	call_enter(call);
	route_and_place(call, core, s, in);
	call_leave(call);
	return NULL;    /* the call may be finished already: callers get events, not a handle */
}

static void route_and_place(struct call *call, struct call_core *core, const struct call_setup *s,
			    struct leg *in)
{
	struct route_query q = { 0 };
	struct route_decision *d;
	long long ms;
	int cause;

	/* routing */
	q.source_group_id = s->source_group_id;
	q.called = s->called;
	q.calling = s->calling;
	core->cfg.clock(&q.weekday, &q.minute, &ms);
	q.draw = core->cfg.random();
	q.down_groups = core->down;
	q.ndown = core->ndown;
	snprintf(call->cdr.call_id, sizeof(call->cdr.call_id), "%s", call->id);
	call->cdr.setup_at = ms;
	call->cdr.out_channel = -1;
	call_cdr_leg(in, call->cdr.in_kind, call->cdr.in_group, call->cdr.in_trunk, &call->cdr.in_channel);
	snprintf(call->cdr.called, sizeof(call->cdr.called), "%s", s->called.digits);
	snprintf(call->cdr.calling, sizeof(call->cdr.calling), "%s", s->calling.digits);
	log_info("%s: from %s to %s on %s channel %u", call->id, s->calling.digits, s->called.digits,
		 in->trunk, in->channel);
	if (s->refuse_cause) {
		log_info("%s: refused by %s before routing: cause %d (%s)", call->id, in->trunk,
			 s->refuse_cause, call_cause_name(s->refuse_cause));
		fail_in(call, s->refuse_cause, "gateway");
		return;
	}
	if (!core->table) {
		log_warn("%s: no routing table loaded", call->id);
		fail_in(call, 3, "gateway");
		return;
	}
	call->table = core->table;
	route_table_ref(call->table);
	if (!call_group_take(call, s->source_group_id)) {
		log_info("%s: group %s is at its call limit: cause 34", call->id, in->group);
		fail_in(call, 34, "gateway");
		return;
	}
	call->in_group = s->source_group_id;
	d = malloc(sizeof(*d));
	if (!d) {
		fail_in(call, 41, "gateway");
		return;
	}
	route_decide(call->table, &q, d);
	if (d->route)
		snprintf(call->cdr.route, sizeof(call->cdr.route), "%s", d->route->name);
	for (unsigned i = 0; i < d->nsteps; i++)
		log_debug("%s: route: %s", call->id, d->steps[i]);
	if (d->outcome == ROUTE_OK && d->ntargets) {
		call->targets = malloc(d->ntargets * sizeof(*call->targets));
		if (call->targets) {
			memcpy(call->targets, d->targets, d->ntargets * sizeof(*call->targets));
			call->ntargets = d->ntargets;
		}
	}
	cause = d->outcome != ROUTE_OK || !d->ntargets ? (d->cause ? d->cause : 3) :
		!call->targets ? 41 : 0;
	free(d);
	if (cause) {
		log_info("%s: not routed: cause %d (%s)", call->id, cause, call_cause_name(cause));
		fail_in(call, cause, "gateway");
		return;
	}
	try_targets(call);
}

void call_leg_proceeding(struct leg *l)
{
	struct call *call = l->call;

	if (!call || l != call->out || call->proceeding_sent || !call->in)
		return;         /* a transfer's new leg too: its progress is not passed on */
	call->proceeding_sent = true;
	if (call->in->ops->proceeding)
		call->in->ops->proceeding(call->in);
}

void call_leg_alerting(struct leg *l, bool inband)
{
	struct call *call = l->call;

	if (call && call_xfer_event(call, l, CALL_XFER_ALERTING))
		return;
	if (!call || l != call->out || !call->in)
		return;
	if (!call->cdr.alert_at)
		call->cdr.alert_at = call_now_ms(call->core);
	call->alerting_sent = true;
	if (inband)
		call_media_connect(call);
	if (call->in->ops->alerting)
		call->in->ops->alerting(call->in, inband);
}

void call_leg_progress(struct leg *l, bool inband)
{
	struct call *call = l->call;

	if (!call || l != call->out || !call->in)
		return;
	if (inband)
		call_media_connect(call);
	if (call->in->ops->progress)
		call->in->ops->progress(call->in, inband);
}

void call_leg_answered(struct leg *l)
{
	struct call *call = l->call;

	if (call && call_xfer_event(call, l, CALL_XFER_ANSWERED))
		return;
	if (!call || l != call->out || !call->in || call->state != CALL_OUTGOING)
		return;
	call->state = CALL_ANSWERED;
	call->cdr.answer_at = call_now_ms(call->core);
	log_info("%s: answered", call->id);
	call_timer_cancel(call, &call->no_answer_timer);
	call_timer_arm(call, &call->max_timer, call->max_duration_s, on_max_duration, "maximum-duration");
	call_media_connect(call);
	if (call->in->ops->answer)
		call->in->ops->answer(call->in);
}

void call_leg_released(struct leg *l, const struct call_end *why)
{
	struct call *call = l->call;

	if (!call)
		return;
	call_enter(call);
	if (call->xfer && call_xfer_released(call, l, why)) {
		call_leave(call);
		return;
	}
	call_media_disconnect(call);
	l->call = NULL;
	if (l == call->out) {
		const struct route_target *t = call->next_target ?
			&call->targets[call->next_target - 1] : NULL;

		call->out = NULL;
		/* Failover: before an answer, on a cause the route lists. */
		if (call->state == CALL_OUTGOING && call->in && t && t->dest &&
		    route_should_failover(t->dest, why->cause) && call->next_target < call->ntargets) {
			log_info("%s: %s failed with cause %d, trying the next destination", call->id,
				 t->group_name, why->cause);
			try_targets(call);
		} else if (call->in && call->state != CALL_ENDING) {
			call_set_end(call, why, call->state == CALL_ANSWERED ? "callee" : "gateway");
			call->state = CALL_ENDING;
			call_timers_stop(call);
			call_release_leg(call->in, why);
		} else {
			call_timers_stop(call);      /* e.g. failed over to nothing: no leg to time */
		}
	} else if (l == call->in) {
		call->in = NULL;
		call_set_end(call, why, "caller");
		if (call->out && call->state != CALL_ENDING) {
			call->state = CALL_ENDING;
			call_timers_stop(call);
			call_release_leg(call->out, why);
		}
	}
	call_leave(call);
}

void call_core_foreach(struct call_core *c, call_info_h *fn, void *arg)
{
	static const char *const states[] = { "routing", "outgoing", "answered", "ending" };

	ASSERT_MAIN();
	for (struct call *call = c->calls; call; call = call->next) {
		struct call_info ci = { .id = call->id, .state = states[call->state], .cdr = &call->cdr,
					.media_connected = call->media_on,
					.media_bypass = call->cdr.media_bypass };
		struct leg_media m;

		if (leg_media(call->in, &m))
			ci.rtp[0] = m.rtp;
		if (leg_media(call->out, &m))
			ci.rtp[1] = m.rtp;
		fn(arg, &ci);
	}
}

int call_core_hangup(struct call_core *c, const char *id)
{
	ASSERT_MAIN();
	for (struct call *call = c->calls; call; call = call->next)
		if (!strcmp(call->id, id)) {
			if (call->state == CALL_ENDING)
				return 0;       /* on its way out already */
			log_info("%s: hung up from the API", call->id);
			clear_both(call, 16, "hung up by an operator");
			return 0;
		}
	return ENOENT;
}

void call_core_destroy(struct call_core *c)
{
	if (!c)
		return;
	/* Shutting down: the legs' owners are closing their spans, which
	 * releases every leg; anything left is freed without a CDR wire
	 * exchange, but still gets its CDR. */
	while (c->calls) {
		struct call *call = c->calls;
		struct call_end why = { .cause = 41 };

		call_set_end(call, &why, "gateway");
		call_xfer_abort(call, NULL);
		if (call->in)
			call->in->call = NULL;
		if (call->out)
			call->out->call = NULL;
		call->in = call->out = NULL;
		call_finish(call);
	}
	route_table_unref(c->table);
	free(c->down);
	free(c->use);
	free(c);
}
