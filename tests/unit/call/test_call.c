/*
 * test_call.c -- the call core (daemon/call): cause mapping both ways, and
 * calls between fake legs routed by a real routing table: progress passed
 * through, failover on the route's causes, refusal causes, release from
 * either side, one CDR-worthy end per call; the no-answer and
 * maximum-duration timers on a fake clock; media attach (legs' media
 * connected at early media or answer, disconnected at release) with real
 * media engine sessions on loopback.  The fake legs: fake_legs.c.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "db.h"
#include "media_int.h"
#include "route.h"
#include "test.h"
#include "fake_legs.h"

int test_call_causes_map_to_sip_both_ways(void);
int test_call_is_routed_and_progress_passes_through(void);
int test_call_fails_over_on_listed_causes_only(void);
int test_call_unrouted_number_is_refused_with_the_routing_cause(void);
int test_call_release_from_either_side_ends_both_legs(void);
int test_call_group_at_max_calls_refuses_with_34(void);
int test_call_unanswered_after_alerting_is_cleared_with_19(void);
int test_call_unanswered_without_alerting_is_cleared_with_18(void);
int test_call_answer_cancels_the_no_answer_timer(void);
int test_call_max_duration_ends_an_answered_call_with_16(void);
int test_call_timer_values_are_taken_at_call_start(void);
int test_call_release_before_expiry_cancels_the_timers(void);
int test_call_failover_gives_the_next_destination_the_whole_no_answer_time(void);
int test_call_media_is_connected_at_early_media_or_answer_and_undone_at_release(void);
int test_call_refused_before_routing_gets_its_cause_status_and_a_cdr(void);
int test_call_media_bypass_and_the_span_echo_tail_reach_media_and_cdr(void);

int test_call_causes_map_to_sip_both_ways(void)
{
	static const int pairs[][2] = {
		{ 1, 404 }, { 3, 404 }, { 16, 480 }, { 17, 486 }, { 18, 408 }, { 19, 480 },
		{ 21, 403 }, { 22, 410 }, { 27, 502 }, { 28, 484 }, { 34, 503 }, { 38, 503 },
		{ 41, 503 }, { 42, 503 }, { 58, 503 }, { 65, 488 }, { 79, 501 }, { 102, 504 },
		{ 127, 500 },
		/* by class, for causes with no row */
		{ 5, 480 }, { 35, 503 }, { 66, 501 }, { 90, 400 }, { 100, 500 },
	};
	static const int back[][2] = {
		{ 404, 1 }, { 486, 17 }, { 480, 18 }, { 408, 102 }, { 403, 21 }, { 484, 28 },
		{ 503, 41 }, { 502, 38 }, { 504, 102 }, { 600, 17 }, { 603, 21 }, { 488, 65 },
		/* by class */
		{ 499, 21 }, { 599, 41 }, { 699, 31 },
	};
	int err = 0;

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		if (call_cause_to_sip(pairs[i][0]) != pairs[i][1])
			printf("# cause %d\n", pairs[i][0]);
		TEST_EQ(pairs[i][1], call_cause_to_sip(pairs[i][0]));
	}
	for (size_t i = 0; i < sizeof(back) / sizeof(back[0]); i++) {
		if (call_sip_to_cause(back[i][0]) != back[i][1])
			printf("# status %d\n", back[i][0]);
		TEST_EQ(back[i][1], call_sip_to_cause(back[i][0]));
	}
	TEST_STREQ("no circuit/channel available", call_cause_name(34));
 out:
	return err;
}

int test_call_is_routed_and_progress_passes_through(void)
{
	struct call_core *core = NULL;
	struct route_table *t = NULL;
	struct fake_leg in;
	int err;

	err = setup_core(&core, &t);
	TEST_ERR(err);
	incoming(core, &in, "4930100123");
	TEST_STREQ("20:4930100123", placed);
	TEST_EQ(1, nouts);
	TEST_EQ(1, call_core_active(core));
	call_leg_proceeding(&outs[0].leg);
	call_leg_alerting(&outs[0].leg, true);
	call_leg_answered(&outs[0].leg);
	TEST_STREQ("proceeding,alerting+inband,answer", in.log);
	/* the callee hangs up: the caller is released with the same cause */
	far_release(&outs[0], 16);
	TEST_STREQ("proceeding,alerting+inband,answer,release:16", in.log);
	TEST_EQ(0, call_core_active(core));
	TEST_EQ(1, call_core_total(core));
 out:
	call_core_destroy(core);
	route_table_unref(t);
	return err;
}

int test_call_fails_over_on_listed_causes_only(void)
{
	struct call_core *core = NULL;
	struct route_table *t = NULL;
	struct fake_leg in;
	int err;

	err = setup_core(&core, &t);
	TEST_ERR(err);
	/* placing refused with 34 (listed): the next destination */
	refuse20 = 34;
	incoming(core, &in, "4930100123");
	TEST_STREQ("20:4930100123,30:4930100123", placed);
	TEST_EQ(1, nouts);
	far_release(&outs[0], 16);
	TEST_EQ(0, call_core_active(core));
	/* the first destination fails after it was placed, with 38 (listed) */
	refuse20 = 0;
	nouts = 0;
	placed[0] = '\0';
	incoming(core, &in, "4930100124");
	TEST_EQ(1, nouts);
	far_release(&outs[0], 38);
	TEST_STREQ("20:4930100124,30:4930100124", placed);
	TEST_EQ(2, nouts);
	TEST_STREQ("", in.log);                 /* the caller saw nothing of it */
	far_release(&outs[1], 17);
	TEST_STREQ("release:17", in.log);
	/* 17 (busy) is not listed: no failover, the caller gets 17 */
	nouts = 0;
	placed[0] = '\0';
	incoming(core, &in, "4930100125");
	far_release(&outs[0], 17);
	TEST_STREQ("20:4930100125", placed);
	TEST_STREQ("release:17", in.log);
	TEST_EQ(0, call_core_active(core));
 out:
	call_core_destroy(core);
	route_table_unref(t);
	return err;
}

int test_call_unrouted_number_is_refused_with_the_routing_cause(void)
{
	struct call_core *core = NULL;
	struct route_table *t = NULL;
	struct fake_leg in;
	int err;

	err = setup_core(&core, &t);
	TEST_ERR(err);
	incoming(core, &in, "7777");
	TEST_STREQ("", placed);
	TEST_ASSERT(in.released_cause == 1 || in.released_cause == 3);
	TEST_EQ(0, call_core_active(core));
	/* a route whose only destination refuses with an unlisted cause */
	refuse20 = 0;
	nouts = 4;              /* fake_place now answers 34 for every group */
	incoming(core, &in, "5559999");
	TEST_STREQ("30:5559999", placed);
	TEST_EQ(34, in.released_cause);
	TEST_EQ(0, call_core_active(core));
 out:
	call_core_destroy(core);
	route_table_unref(t);
	return err;
}

int test_call_release_from_either_side_ends_both_legs(void)
{
	struct call_core *core = NULL;
	struct route_table *t = NULL;
	struct fake_leg in;
	int err;

	err = setup_core(&core, &t);
	TEST_ERR(err);
	incoming(core, &in, "5550001");
	TEST_EQ(1, nouts);
	call_leg_answered(&outs[0].leg);
	/* the caller hangs up: the callee is released */
	far_release(&in, 16);
	TEST_STREQ("release:16", outs[0].log);
	TEST_EQ(0, call_core_active(core));
	/* a call still up when the core is destroyed is ended, not leaked */
	incoming(core, &in, "5550002");
	TEST_EQ(1, call_core_active(core));
 out:
	call_core_destroy(core);
	route_table_unref(t);
	return err;
}

int test_call_group_at_max_calls_refuses_with_34(void)
{
	struct call_core *core = NULL;
	struct route_table *t = NULL;
	struct fake_leg in1, in2, in3;
	int err;

	backup_max = 1;
	err = setup_core(&core, &t);
	backup_max = 0;
	TEST_ERR(err);
	incoming(core, &in1, "5550001");
	TEST_EQ(1, nouts);
	incoming(core, &in2, "5550002");        /* backup is full: not even offered */
	TEST_EQ(1, nouts);
	TEST_EQ(34, in2.released_cause);
	TEST_STREQ("30:5550001", placed);
	far_release(&outs[0], 16);
	incoming(core, &in3, "5550003");        /* a place is free again */
	TEST_EQ(2, nouts);
	far_release(&outs[1], 16);
	TEST_EQ(0, call_core_active(core));
 out:
	call_core_destroy(core);
	route_table_unref(t);
	return err;
}

/* ---- timers on a fake clock ---- */

struct fake_timer {
	bool armed;
	unsigned long long due;
	call_timer_fire_h *fire;
	void *arg;
};
static struct fake_timer ftimers[16];
static unsigned long long fake_now;     /* ms */
static unsigned bad_cancels;            /* cancel of a handle that is not armed */
static struct db_cdr last_cdr;
static unsigned ncdrs;

static void *ft_set(void *ctx, unsigned ms, call_timer_fire_h *fire, void *arg)
{
	for (size_t i = 0; i < sizeof(ftimers) / sizeof(ftimers[0]); i++) {
		if (!ftimers[i].armed) {
			ftimers[i] = (struct fake_timer){ true, fake_now + ms, fire, arg };
			return &ftimers[i];
		}
	}
	return NULL;
}

static void ft_cancel(void *ctx, void *h)
{
	struct fake_timer *t = h;

	if (!t->armed)
		bad_cancels++;
	t->armed = false;
}

static unsigned ft_armed(void)
{
	unsigned n = 0;

	for (size_t i = 0; i < sizeof(ftimers) / sizeof(ftimers[0]); i++)
		n += ftimers[i].armed;
	return n;
}

/* Move the clock on by ms, firing what falls due, earliest first. */
static void advance(unsigned long long ms)
{
	unsigned long long end = fake_now + ms;

	for (;;) {
		struct fake_timer *next = NULL;

		for (size_t i = 0; i < sizeof(ftimers) / sizeof(ftimers[0]); i++)
			if (ftimers[i].armed && ftimers[i].due <= end &&
			    (!next || ftimers[i].due < next->due))
				next = &ftimers[i];
		if (!next)
			break;
		fake_now = next->due;
		next->armed = false;    /* fired: the handle is gone */
		next->fire(next->arg);
	}
	fake_now = end;
}

static void fake_clock(int *weekday, int *minute, long long *wall_ms)
{
	*weekday = 1;
	*minute = 600;
	*wall_ms = 1800000000000LL + (long long)fake_now;
}

static void fake_cdr(void *arg, const struct db_cdr *r)
{
	last_cdr = *r;
	ncdrs++;
}

static int setup_timed(struct call_core **corep, struct route_table **tp, unsigned no_answer_s,
		       unsigned max_s)
{
	int rc = build_table(tp);

	memset(ftimers, 0, sizeof(ftimers));
	fake_now = 0;
	bad_cancels = 0;
	ncdrs = 0;
	memset(&last_cdr, 0, sizeof(last_cdr));
	if (!rc)
		rc = call_core_create(corep, &(struct call_core_cfg){ .place = fake_place,
			.clock = fake_clock, .random = fixed_random, .cdr = fake_cdr,
			.timers = { .set = ft_set, .cancel = ft_cancel } });
	if (!rc) {
		call_core_set_table(*corep, *tp);
		call_core_set_timeouts(*corep, no_answer_s, max_s);
	}
	nouts = 0;
	refuse20 = 0;
	placed[0] = '\0';
	return rc;
}

int test_call_unanswered_after_alerting_is_cleared_with_19(void)
{
	struct call_core *core = NULL;
	struct route_table *t = NULL;
	struct fake_leg in;
	int err;

	err = setup_timed(&core, &t, 10, 0);
	TEST_ERR(err);
	incoming(core, &in, "5550001");
	TEST_EQ(1, nouts);
	TEST_EQ(1, ft_armed());
	advance(2000);
	call_leg_alerting(&outs[0].leg, false);
	advance(7999);                          /* 9.999 s after the placing */
	TEST_EQ(1, call_core_active(core));
	TEST_EQ(0, in.released_cause);
	advance(1);
	TEST_STREQ("alerting,release:19", in.log);
	TEST_STREQ("release:19", outs[0].log);
	TEST_EQ(0, call_core_active(core));
	TEST_EQ(1, ncdrs);
	TEST_EQ(19, last_cdr.cause);
	TEST_STREQ("gateway", last_cdr.released_by);
	TEST_EQ(1800000000000LL + 2000, last_cdr.alert_at);
	TEST_EQ(0, last_cdr.answer_at);
	TEST_EQ(1800000000000LL + 10000, last_cdr.end_at);
	TEST_EQ(0, ft_armed());
	TEST_EQ(0, bad_cancels);
 out:
	call_core_destroy(core);
	route_table_unref(t);
	return err;
}

int test_call_unanswered_without_alerting_is_cleared_with_18(void)
{
	struct call_core *core = NULL;
	struct route_table *t = NULL;
	struct fake_leg in;
	int err;

	err = setup_timed(&core, &t, 10, 0);
	TEST_ERR(err);
	incoming(core, &in, "5550001");
	call_leg_proceeding(&outs[0].leg);      /* proceeding is not alerting */
	advance(10000);
	TEST_STREQ("proceeding,release:18", in.log);
	TEST_STREQ("release:18", outs[0].log);
	TEST_EQ(0, call_core_active(core));
	TEST_EQ(18, last_cdr.cause);
	TEST_STREQ("gateway", last_cdr.released_by);
	TEST_EQ(0, ft_armed());
	TEST_EQ(0, bad_cancels);
 out:
	call_core_destroy(core);
	route_table_unref(t);
	return err;
}

int test_call_answer_cancels_the_no_answer_timer(void)
{
	struct call_core *core = NULL;
	struct route_table *t = NULL;
	struct fake_leg in;
	int err;

	err = setup_timed(&core, &t, 10, 0);
	TEST_ERR(err);
	incoming(core, &in, "5550001");
	call_leg_alerting(&outs[0].leg, false);
	advance(9000);
	call_leg_answered(&outs[0].leg);
	TEST_EQ(0, ft_armed());                 /* no maximum duration set */
	advance(3600 * 1000);
	TEST_EQ(1, call_core_active(core));
	TEST_STREQ("alerting,answer", in.log);
	TEST_STREQ("", outs[0].log);
	far_release(&in, 16);
	TEST_EQ(0, call_core_active(core));
	TEST_STREQ("caller", last_cdr.released_by);
	TEST_EQ(0, bad_cancels);
 out:
	call_core_destroy(core);
	route_table_unref(t);
	return err;
}

int test_call_max_duration_ends_an_answered_call_with_16(void)
{
	struct call_core *core = NULL;
	struct route_table *t = NULL;
	struct fake_leg in;
	int err;

	err = setup_timed(&core, &t, 10, 60);
	TEST_ERR(err);
	incoming(core, &in, "5550001");
	advance(5000);
	call_leg_answered(&outs[0].leg);
	TEST_EQ(1, ft_armed());                 /* the no-answer timer went, the maximum came */
	advance(59999);
	TEST_EQ(1, call_core_active(core));
	advance(1);
	TEST_STREQ("answer,release:16", in.log);
	TEST_STREQ("release:16", outs[0].log);
	TEST_EQ(0, call_core_active(core));
	TEST_EQ(16, last_cdr.cause);
	TEST_STREQ("gateway", last_cdr.released_by);
	TEST_EQ(1800000000000LL + 65000, last_cdr.end_at);
	TEST_EQ(0, ft_armed());
	TEST_EQ(0, bad_cancels);
	/* 0 turns it off: an answered call then runs on */
	call_core_set_timeouts(core, 10, 0);
	nouts = 0;
	incoming(core, &in, "5550002");
	call_leg_answered(&outs[0].leg);
	advance(86400 * 1000ULL);
	TEST_EQ(1, call_core_active(core));
 out:
	call_core_destroy(core);
	route_table_unref(t);
	return err;
}

int test_call_timer_values_are_taken_at_call_start(void)
{
	struct call_core *core = NULL;
	struct route_table *t = NULL;
	struct fake_leg a, b, c;
	int err;

	err = setup_timed(&core, &t, 10, 20);
	TEST_ERR(err);
	incoming(core, &a, "5550001");          /* 10 s / 20 s */
	call_core_set_timeouts(core, 30, 40);   /* a config change: new calls only */
	incoming(core, &b, "5550002");          /* 30 s / 40 s */
	call_core_set_timeouts(core, 0, 0);
	incoming(core, &c, "5550003");          /* no timers */
	TEST_EQ(3, nouts);
	TEST_EQ(2, ft_armed());
	call_leg_answered(&outs[1].leg);        /* b answered at 0: ends at 40 s */
	advance(10000);
	TEST_EQ(18, a.released_cause);
	TEST_EQ(0, b.released_cause);
	advance(29999);
	TEST_EQ(0, b.released_cause);
	advance(1);
	TEST_EQ(16, b.released_cause);
	advance(3600 * 1000);
	TEST_EQ(0, c.released_cause);
	TEST_EQ(1, call_core_active(core));
	TEST_EQ(0, bad_cancels);
 out:
	call_core_destroy(core);
	route_table_unref(t);
	return err;
}

int test_call_release_before_expiry_cancels_the_timers(void)
{
	struct call_core *core = NULL;
	struct route_table *t = NULL;
	struct fake_leg in;
	int err;

	err = setup_timed(&core, &t, 10, 20);
	TEST_ERR(err);
	/* the caller gives up while it rings */
	incoming(core, &in, "5550001");
	call_leg_alerting(&outs[0].leg, false);
	advance(5000);
	far_release(&in, 16);
	TEST_EQ(0, call_core_active(core));
	TEST_EQ(0, ft_armed());
	/* the callee hangs up an answered call */
	nouts = 0;
	incoming(core, &in, "5550002");
	call_leg_answered(&outs[0].leg);
	advance(5000);
	far_release(&outs[0], 16);
	TEST_EQ(0, call_core_active(core));
	TEST_EQ(0, ft_armed());
	/* the callee refuses (busy) before the timer */
	nouts = 0;
	incoming(core, &in, "5550003");
	far_release(&outs[0], 17);
	TEST_EQ(17, in.released_cause);
	TEST_EQ(0, ft_armed());
	/* a call still ringing when the core goes: its timer goes too */
	nouts = 0;
	incoming(core, &in, "5550004");
	TEST_EQ(1, ft_armed());
	call_core_destroy(core);
	core = NULL;
	TEST_EQ(0, ft_armed());
	advance(3600 * 1000);                   /* nothing left to fire (ASan: no use after free) */
	TEST_EQ(0, bad_cancels);
	TEST_EQ(4, ncdrs);
 out:
	call_core_destroy(core);
	route_table_unref(t);
	return err;
}

int test_call_failover_gives_the_next_destination_the_whole_no_answer_time(void)
{
	struct call_core *core = NULL;
	struct route_table *t = NULL;
	struct fake_leg in;
	int err;

	err = setup_timed(&core, &t, 10, 0);
	TEST_ERR(err);
	incoming(core, &in, "4930100123");      /* to 20, failover on 34/38 to 30 */
	advance(8000);
	far_release(&outs[0], 38);
	TEST_EQ(2, nouts);
	TEST_EQ(1, ft_armed());
	advance(9999);
	TEST_EQ(1, call_core_active(core));
	advance(1);
	TEST_EQ(18, in.released_cause);
	TEST_EQ(18, outs[1].released_cause);
	TEST_EQ(0, call_core_active(core));
	TEST_EQ(0, bad_cancels);
 out:
	call_core_destroy(core);
	route_table_unref(t);
	return err;
}

/* ---- media attach ---- */

/* The session bridged to timeslot ts of span key, or NULL. */
static struct media_session *tdm_at(struct media_engine *e, uint64_t key, unsigned ts)
{
	for (unsigned i = 0; i < e->nspans; i++)
		if (e->spans[i].key == key)
			return e->spans[i].chan[ts];
	return NULL;
}

int test_call_media_is_connected_at_early_media_or_answer_and_undone_at_release(void)
{
	struct media_session_cfg sc = { .codec = MEDIA_CODEC_PCMU, .dir = MEDIA_DIR_SENDRECV };
	struct media_session *a = NULL, *b = NULL;
	struct media_engine *e = NULL;
	struct call_core *core = NULL;
	struct route_table *t = NULL;
	struct fake_leg in;
	int err;

	err = media_engine_create(&e, &(struct media_engine_cfg){ .bind_addr = "127.0.0.1",
		.port_min = 41000, .port_max = 41999 });
	TEST_ERR(err);
	TEST_ERR(media_session_create(&a, e, &sc));
	TEST_ERR(media_session_create(&b, e, &sc));
	err = setup_core(&core, &t);
	TEST_ERR(err);

	/* PRI in -> SIP out: nothing before early media, bridged at 183 */
	incoming(core, &in, "4930100123");
	TEST_EQ(1, nouts);
	in.media = (struct leg_media){ .span_key = 7, .timeslot = 5 };
	outs[0].media = (struct leg_media){ .rtp = a };
	call_leg_proceeding(&outs[0].leg);
	call_leg_alerting(&outs[0].leg, false);
	TEST_ASSERT(tdm_at(e, 7, 5) == NULL);
	call_leg_progress(&outs[0].leg, true);
	TEST_ASSERT(tdm_at(e, 7, 5) == a);
	call_leg_answered(&outs[0].leg);
	TEST_ASSERT(tdm_at(e, 7, 5) == a);
	/* the caller hangs up: the timeslot is free again */
	far_release(&in, 16);
	TEST_ASSERT(tdm_at(e, 7, 5) == NULL);
	TEST_EQ(0, call_core_active(core));

	/* SIP in -> SIP out: anchored, bridged at the answer */
	nouts = 0;
	incoming(core, &in, "4930100124");
	in.media = (struct leg_media){ .rtp = a };
	outs[0].media = (struct leg_media){ .rtp = b };
	call_leg_alerting(&outs[0].leg, false);
	TEST_ASSERT(a->peer == NULL && b->peer == NULL);
	call_leg_answered(&outs[0].leg);
	TEST_ASSERT(a->peer == b && b->peer == a);
	far_release(&outs[0], 16);
	TEST_ASSERT(a->peer == NULL && b->peer == NULL);

	/* PRI <-> PRI: no TDM-to-TDM path, nothing is bridged */
	nouts = 0;
	incoming(core, &in, "4930100125");
	in.media = (struct leg_media){ .span_key = 7, .timeslot = 6 };
	outs[0].media = (struct leg_media){ .span_key = 8, .timeslot = 1 };
	call_leg_answered(&outs[0].leg);
	TEST_ASSERT(tdm_at(e, 7, 6) == NULL && tdm_at(e, 8, 1) == NULL);
	TEST_EQ(1, call_core_active(core));
	far_release(&outs[0], 16);
 out:
	call_core_destroy(core);
	route_table_unref(t);
	media_session_destroy(a);
	media_session_destroy(b);
	media_engine_destroy(e);
	return err;
}

/* A SIP offer the trunk cannot answer: the owner asks for 88/488. */
int test_call_refused_before_routing_gets_its_cause_status_and_a_cdr(void)
{
	struct call_core *core = NULL;
	struct route_table *t = NULL;
	struct fake_leg in;
	struct call_setup s = { .source_group_id = 10, .refuse_cause = 88, .refuse_status = 488 };
	int err;

	err = setup_timed(&core, &t, 10, 0);
	TEST_ERR(err);
	memset(&in, 0, sizeof(in));
	in.leg.ops = &fake_ops;
	in.leg.kind = LEG_SIP;
	snprintf(in.leg.trunk, sizeof(in.leg.trunk), "lync");
	snprintf(s.called.digits, sizeof(s.called.digits), "4930100123");
	call_incoming(core, &in.leg, &s);
	TEST_STREQ("", placed);         /* never routed */
	TEST_EQ(88, in.released_cause);
	TEST_EQ(488, in.released_status);
	TEST_EQ(0, call_core_active(core));
	TEST_EQ(1, ncdrs);
	TEST_EQ(88, last_cdr.cause);
	TEST_EQ(488, last_cdr.sip_status);
	TEST_STREQ("4930100123", last_cdr.called);
	TEST_STREQ("lync", last_cdr.in_trunk);
 out:
	call_core_destroy(core);
	route_table_unref(t);
	return err;
}

int test_call_media_bypass_and_the_span_echo_tail_reach_media_and_cdr(void)
{
	struct media_session_cfg sc = { .codec = MEDIA_CODEC_PCMU, .dir = MEDIA_DIR_SENDRECV };
	struct media_session *a = NULL;
	struct media_engine *e = NULL;
	struct call_core *core = NULL;
	struct route_table *t = NULL;
	struct fake_leg in;
	int err;

	err = media_engine_create(&e, &(struct media_engine_cfg){ .bind_addr = "127.0.0.1",
		.port_min = 42000, .port_max = 42999 });
	TEST_ERR(err);
	TEST_ERR(media_session_create(&a, e, &sc));
	err = setup_timed(&core, &t, 0, 0);
	TEST_ERR(err);

	/* PRI (span with a 128 ms echo tail) -> SIP on a bypass trunk */
	incoming(core, &in, "4930100123");
	in.media = (struct leg_media){ .span_key = 7, .timeslot = 5, .ec_tail_ms = 128 };
	outs[0].media = (struct leg_media){ .rtp = a, .bypass = true };
	call_leg_answered(&outs[0].leg);
	TEST_ASSERT(tdm_at(e, 7, 5) == a);
	TEST_EQ(128, a->ec_span_tail);  /* the canceller runs on the span's tail */
	far_release(&outs[0], 16);
	TEST_EQ(1, ncdrs);
	TEST_ASSERT(last_cdr.media_bypass);

	/* the same without bypass, on a span without the canceller */
	nouts = 0;
	incoming(core, &in, "4930100124");
	in.media = (struct leg_media){ .span_key = 7, .timeslot = 6 };
	outs[0].media = (struct leg_media){ .rtp = a };
	call_leg_answered(&outs[0].leg);
	TEST_EQ(0, a->ec_span_tail);
	far_release(&outs[0], 16);
	TEST_EQ(2, ncdrs);
	TEST_ASSERT(!last_cdr.media_bypass);

	/* SIP <-> SIP, both bypass: no session on either leg, still bypass */
	nouts = 0;
	incoming(core, &in, "4930100125");
	in.leg.kind = LEG_SIP;
	in.media = (struct leg_media){ .bypass = true };
	outs[0].leg.kind = LEG_SIP;
	outs[0].media = (struct leg_media){ .bypass = true };
	call_leg_answered(&outs[0].leg);
	far_release(&outs[0], 16);
	TEST_EQ(3, ncdrs);
	TEST_ASSERT(last_cdr.media_bypass);

	/* SIP <-> SIP, one of them anchored: not bypass */
	nouts = 0;
	incoming(core, &in, "4930100126");
	in.leg.kind = LEG_SIP;
	in.media = (struct leg_media){ .bypass = true };
	outs[0].leg.kind = LEG_SIP;
	outs[0].media = (struct leg_media){ .rtp = a };
	call_leg_answered(&outs[0].leg);
	far_release(&outs[0], 16);
	TEST_EQ(4, ncdrs);
	TEST_ASSERT(!last_cdr.media_bypass);
 out:
	call_core_destroy(core);
	route_table_unref(t);
	media_session_destroy(a);
	media_engine_destroy(e);
	return err;
}
