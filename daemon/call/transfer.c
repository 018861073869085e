/*
 * transfer.c -- call transfer in the call core (see call_transfer and
 * call_join in call.h).  Main thread only.
 *
 * Blind transfer: the transferor's leg x stays in its slot (in or out) while
 * a new leg is placed through routing, as a new call from x's group would be
 * (the decision is kept in struct call_xfer; failover as the route says; the
 * new leg gets the whole no_answer_timeout).  The new leg's events come
 * through the same call_leg_* functions, which hand them here first.  When
 * it answers, it replaces x in the slot, takes over x's group place, and the
 * media are bridged anew; x is detached (leg->call = NULL) before its owner
 * is asked to release it, so its release does not reach the call again.
 *
 * Attended transfer (join): the other party of the second call is moved
 * into the first call in place of x1; the second call is left with x2 only
 * and ends when x2's owner reports it released.
 *
 * CDRs: a transfer splits the call's record.  The part before it is handed
 * to the sink at once (released_by the transferor's side: "caller" when x
 * was the incoming leg, else "callee"; cause 16); the call then goes on
 * under the id "<first id>-tN" with a record whose setup/alert/answer times
 * are those of the new leg and whose x side (kind, group, trunk, channel,
 * numbers) is the new party.  An attended transfer's second call gets its
 * own ordinary record.
 *
 * Invariant: done is only called while x is attached to the call; when x
 * leaves, done is dropped (its owner may be gone).
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "call"
#include "log.h"
#include "call_int.h"
#include "tg.h"

struct call_xfer {
	struct leg *by;                 /* the transferor; NULL once it left */
	bool by_in;                     /* it is (was) the call's in leg */
	struct leg *leg;                /* the new leg being placed; NULL: none now */
	long long group;                /* the new leg's group place */
	struct route_decision dec;
	unsigned next_target;
	struct call_setup setup;
	call_xfer_h *done;
	void *arg;
	void *timer;
	bool alerted;
	long long setup_at, alert_at;
	char called_out[33], calling_out[33];
};

struct leg *call_leg_peer(const struct leg *l)
{
	struct call *call = l ? l->call : NULL;

	if (!call)
		return NULL;
	return l == call->in ? call->out : l == call->out ? call->in : NULL;
}

static struct leg **slot_of(struct call *call, const struct leg *l)
{
	return l == call->in ? &call->in : l == call->out ? &call->out : NULL;
}

static void xfer_done(struct call_xfer *x, const struct call_end *why)
{
	call_xfer_h *done = x->done;

	x->done = NULL;
	if (done)
		done(x->arg, why);
}

static void xfer_free(struct call *call)
{
	struct call_xfer *x = call->xfer;

	if (!x)
		return;
	call_timer_cancel(call, &x->timer);
	call->xfer = NULL;
	free(x);
}

/* Give up the new leg (detached first, so its release stays away). */
static void xfer_drop_leg(struct call *call, const struct call_end *why)
{
	struct call_xfer *x = call->xfer;
	struct leg *l = x->leg;

	call_timer_cancel(call, &x->timer);
	if (!l)
		return;
	x->leg = NULL;
	l->call = NULL;
	call_group_give(call->core, x->group);
	x->group = 0;
	if (why)
		call_release_leg(l, why);
}

void call_xfer_abort(struct call *call, const struct call_end *why)
{
	if (!call->xfer)
		return;
	log_info("%s: transfer abandoned", call->id);
	xfer_drop_leg(call, why);
	if (why)
		xfer_done(call->xfer, why);
	xfer_free(call);
}

/* The new leg failed for good: tell the transferor and keep the call; or,
 * with the transferor gone, end the call. */
static void xfer_failed(struct call *call, int cause, int sip_status)
{
	struct call_end why = { .cause = cause, .sip_status = sip_status, .reason = "transfer failed" };
	struct leg *other;

	log_info("%s: transfer failed: cause %d (%s)", call->id, cause, call_cause_name(cause));
	xfer_done(call->xfer, &why);
	if (!call->xfer->by) {
		other = call->in ? call->in : call->out;
		xfer_free(call);
		call_set_end(call, &why, "gateway");
		call->state = CALL_ENDING;
		call_timers_stop(call);
		call_release_leg(other, &why);
		return;
	}
	xfer_free(call);
}

static void on_xfer_no_answer(void *arg)
{
	struct call *call = arg;
	struct call_xfer *x = call->xfer;
	struct call_end why;
	int cause;

	x->timer = NULL;
	cause = x->alerted ? 19 : 18;
	why = (struct call_end){ .cause = cause, .sip_status = call_cause_to_sip(cause),
				 .reason = "no answer" };
	log_info("%s: transfer target not answered within %u s", call->id, call->no_answer_s);
	call_enter(call);
	xfer_drop_leg(call, &why);
	xfer_failed(call, cause, why.sip_status);
	call_leave(call);
}

/* Place the next targets; false when none could be (done has been called). */
static bool xfer_try(struct call *call)
{
	struct call_xfer *x = call->xfer;
	int last = 34;

	while (x->next_target < x->dec.ntargets) {
		const struct route_target *t = &x->dec.targets[x->next_target++];
		struct call_setup s = x->setup;
		struct leg *l = NULL;
		int cause;

		s.called = t->called;
		s.calling = t->calling;
		cause = call_place_target(call, t, &s, &l);
		if (cause == 0) {
			x->leg = l;
			x->group = t->group_id;
			l->call = call;
			snprintf(x->called_out, sizeof(x->called_out), "%s", t->called.digits);
			snprintf(x->calling_out, sizeof(x->calling_out), "%s", t->calling.digits);
			call_timer_arm(call, &x->timer, call->no_answer_s, on_xfer_no_answer,
				       "transfer no-answer");
			log_info("%s: transfer to %s via %s (%s, channel %u)", call->id,
				 t->called.digits, t->group_name, l->trunk, l->channel);
			return true;
		}
		last = cause;
		if (!(t->dest && route_should_failover(t->dest, last)))
			break;
	}
	xfer_failed(call, last, 0);
	return false;
}

/* The record of the call up to now goes to the sink; the call goes on as
 * "<first id>-tN" with the x side's fields left to the caller to fill. */
static void cdr_split(struct call *call, bool by_in)
{
	struct db_cdr seg = call->cdr;
	struct call_core *core = call->core;

	seg.end_at = call_now_ms(core);
	seg.cause = 16;
	seg.sip_status = 0;
	snprintf(seg.released_by, sizeof(seg.released_by), "%s", by_in ? "caller" : "callee");
	log_info("%s: transferred: the record so far is written", call->id);
	if (core->cfg.cdr)
		core->cfg.cdr(core->cfg.cdr_arg, &seg);
	call->segment++;
	snprintf(call->id, sizeof(call->id), "%s-t%u", call->base_id, call->segment);
	snprintf(call->cdr.call_id, sizeof(call->cdr.call_id), "%s", call->id);
	call->cdr.quality[0] = '\0';
	call->cdr.alert_at = 0;
}

/* Fill the x side of the record with the new party's leg and numbers. */
static void cdr_side(struct call *call, bool in_side, const struct leg *l, const char *number,
		     const char *number_out)
{
	struct db_cdr *r = &call->cdr;

	if (in_side) {
		call_cdr_leg(l, r->in_kind, r->in_group, r->in_trunk, &r->in_channel);
		snprintf(r->calling, sizeof(r->calling), "%s", number);
	} else {
		call_cdr_leg(l, r->out_kind, r->out_group, r->out_trunk, &r->out_channel);
		snprintf(r->called, sizeof(r->called), "%s", number);
		snprintf(r->called_out, sizeof(r->called_out), "%s", number_out);
	}
}

/* The new leg answered: it takes the transferor's place. */
static void xfer_complete(struct call *call)
{
	struct call_xfer *x = call->xfer;
	struct call_end bye = { .cause = 16, .reason = "transferred" };
	struct leg *by = x->by, *l = x->leg;
	struct leg **slot = x->by_in ? &call->in : &call->out;
	long long *group = x->by_in ? &call->in_group : &call->out_group;

	call_timer_cancel(call, &x->timer);
	call_media_disconnect(call);
	cdr_split(call, x->by_in);
	call->cdr.setup_at = x->setup_at;
	call->cdr.alert_at = x->alert_at;
	call->cdr.answer_at = call_now_ms(call->core);
	cdr_side(call, x->by_in, l, x->setup.called.digits, x->called_out);
	if (x->dec.route)
		snprintf(call->cdr.route, sizeof(call->cdr.route), "%s", x->dec.route->name);
	call_group_give(call->core, *group);
	*group = x->group;
	*slot = l;
	x->leg = NULL;
	log_info("%s: transfer target answered: connected", call->id);
	xfer_done(x, NULL);
	xfer_free(call);
	if (by) {
		by->call = NULL;
		call_release_leg(by, &bye);
	}
	call_media_connect(call);
}

bool call_xfer_event(struct call *call, struct leg *l, int what)
{
	struct call_xfer *x = call->xfer;

	if (!x || l != x->leg)
		return false;
	call_enter(call);
	if (what == CALL_XFER_ALERTING) {
		x->alerted = true;
		if (!x->alert_at)
			x->alert_at = call_now_ms(call->core);
	} else if (what == CALL_XFER_ANSWERED) {
		xfer_complete(call);
	}
	call_leave(call);
	return true;
}

bool call_xfer_released(struct call *call, struct leg *l, const struct call_end *why)
{
	struct call_xfer *x = call->xfer;
	const struct route_target *t;

	if (l == x->leg) {
		/* the new leg failed before it answered */
		t = x->next_target ? &x->dec.targets[x->next_target - 1] : NULL;
		xfer_drop_leg(call, NULL);
		l->call = NULL;
		if (t && t->dest && route_should_failover(t->dest, why->cause) &&
		    x->next_target < x->dec.ntargets) {
			log_info("%s: transfer target failed with cause %d, trying the next", call->id,
				 why->cause);
			xfer_try(call);
		} else {
			xfer_failed(call, why->cause, why->sip_status);
		}
		return true;
	}
	if (l == x->by) {
		/* The transferor hangs up while the target is called (common
		 * after a 202): the transfer goes on; nobody is told. */
		log_info("%s: the transferor left; the transfer goes on", call->id);
		call_media_disconnect(call);
		*slot_of(call, l) = NULL;
		l->call = NULL;
		x->by = NULL;
		x->done = NULL;
		return true;
	}
	/* the other party left: no one to transfer */
	call_xfer_abort(call, why);
	return false;
}

int call_transfer(struct leg *by, const struct call_setup *s, call_xfer_h *done, void *arg)
{
	struct call *call = by ? by->call : NULL;
	struct route_query q = { 0 };
	struct call_xfer *x;
	struct leg *other;
	long long ms;

	ASSERT_MAIN();
	if (!call || !slot_of(call, by))
		return EINVAL;
	other = call_leg_peer(by);
	if (call->state != CALL_ANSWERED || call->xfer || !other || !call->table)
		return EBUSY;
	x = calloc(1, sizeof(*x));
	if (!x)
		return ENOMEM;
	x->by = by;
	x->by_in = by == call->in;
	x->done = done;
	x->arg = arg;
	x->setup = *s;
	if (!x->setup.calling.digits[0]) {
		/* the one who stays is the caller of the new leg */
		snprintf(x->setup.calling.digits, sizeof(x->setup.calling.digits), "%s",
			 x->by_in ? call->cdr.called : call->cdr.calling);
		x->setup.calling.ton = x->setup.calling.npi = x->setup.calling.presentation = -1;
	}
	x->setup.source_group_id = x->by_in ? call->in_group : call->out_group;
	call->xfer = x;
	q.source_group_id = x->setup.source_group_id;
	q.called = x->setup.called;
	q.calling = x->setup.calling;
	call->core->cfg.clock(&q.weekday, &q.minute, &ms);
	q.draw = call->core->cfg.random();
	q.down_groups = call->core->down;
	q.ndown = call->core->ndown;
	x->setup_at = ms;
	log_info("%s: transfer of the %s party to %s", call->id, x->by_in ? "calling" : "called",
		 x->setup.called.digits);
	call_enter(call);
	route_decide(call->table, &q, &x->dec);
	if (x->dec.outcome != ROUTE_OK || x->dec.ntargets == 0)
		xfer_failed(call, x->dec.cause ? x->dec.cause : 3, 0);
	else
		xfer_try(call);
	call_leave(call);
	return 0;
}

int call_join(struct leg *x1, struct leg *x2, call_xfer_h *done, void *arg)
{
	struct call *a = x1 ? x1->call : NULL, *b = x2 ? x2->call : NULL;
	struct call_end bye = { .cause = 16, .reason = "transferred" };
	struct leg *o2, **slot_a, **slot_b;
	long long *group_a, *group_b;
	bool x1_in, o2_in;

	ASSERT_MAIN();
	if (!a || !b || a == b || !slot_of(a, x1) || !slot_of(b, x2))
		return EINVAL;
	o2 = call_leg_peer(x2);
	if (a->state != CALL_ANSWERED || b->state != CALL_ANSWERED || a->xfer || b->xfer || !o2 ||
	    !call_leg_peer(x1))
		return EBUSY;
	x1_in = x1 == a->in;
	o2_in = o2 == b->in;
	slot_a = slot_of(a, x1);
	slot_b = slot_of(b, o2);
	group_a = x1_in ? &a->in_group : &a->out_group;
	group_b = o2_in ? &b->in_group : &b->out_group;
	log_info("%s: attended transfer: joined with %s", a->id, b->id);
	call_enter(a);
	call_enter(b);
	call_media_disconnect(a);
	call_media_disconnect(b);
	cdr_split(a, x1_in);
	a->cdr.answer_at = call_now_ms(a->core);
	cdr_side(a, x1_in, o2, o2_in ? b->cdr.calling : b->cdr.called,
		 o2_in ? b->cdr.calling_out : b->cdr.called_out);
	/* the second call: left with x2, ends as x2 is released */
	call_set_end(b, &bye, x2 == b->in ? "caller" : "callee");
	b->state = CALL_ENDING;
	call_timers_stop(b);
	*slot_b = NULL;
	/* the moved party's group place goes with it */
	call_group_give(a->core, *group_a);
	*group_a = *group_b;
	*group_b = 0;
	*slot_a = o2;
	o2->call = a;
	if (done)
		done(arg, NULL);
	x1->call = NULL;
	call_release_leg(x1, &bye);
	call_release_leg(x2, &bye);
	call_media_connect(a);
	call_leave(b);
	call_leave(a);
	return 0;
}
