/*
 * test_call.c -- the call core (daemon/call): cause mapping both ways, and
 * calls between fake legs routed by a real routing table: progress passed
 * through, failover on the route's causes, refusal causes, release from
 * either side, one CDR-worthy end per call.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "route.h"
#include "test.h"

int test_call_causes_map_to_sip_both_ways(void);
int test_call_is_routed_and_progress_passes_through(void);
int test_call_fails_over_on_listed_causes_only(void);
int test_call_unrouted_number_is_refused_with_the_routing_cause(void);
int test_call_release_from_either_side_ends_both_legs(void);
int test_call_group_at_max_calls_refuses_with_34(void);

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

/* ---- fake legs ---- */

struct fake_leg {
	struct leg leg;
	char log[256];                  /* what the core asked of it, in order */
	int released_cause;
	bool gone;
};

static void note(struct leg *l, const char *what)
{
	struct fake_leg *f = (struct fake_leg *)l;
	size_t n = strlen(f->log);

	snprintf(f->log + n, sizeof(f->log) - n, "%s%s", n ? "," : "", what);
}

static int f_proceeding(struct leg *l) { note(l, "proceeding"); return 0; }
static int f_alerting(struct leg *l, bool inband) { note(l, inband ? "alerting+inband" : "alerting"); return 0; }
static int f_progress(struct leg *l, bool inband) { note(l, "progress"); return 0; }
static int f_answer(struct leg *l) { note(l, "answer"); return 0; }

static int f_release(struct leg *l, const struct call_end *why)
{
	struct fake_leg *f = (struct fake_leg *)l;
	char buf[32];

	snprintf(buf, sizeof(buf), "release:%d", why->cause);
	note(l, buf);
	f->released_cause = why->cause;
	/* like an ISDN span: the released event comes back at once */
	if (!f->gone) {
		f->gone = true;
		call_leg_released(l, why);
	}
	return 0;
}

static const struct leg_ops fake_ops = {
	.proceeding = f_proceeding, .alerting = f_alerting, .progress = f_progress,
	.answer = f_answer, .release = f_release,
};

/* The placing side: group 20 refuses with `refuse20` (0 = accepts), group 30 accepts. */
static struct fake_leg outs[4];
static unsigned nouts;
static int refuse20;
static char placed[128];

static int fake_place(void *arg, const struct route_target *t, const struct call_setup *s,
		      struct leg **legp)
{
	size_t n = strlen(placed);

	snprintf(placed + n, sizeof(placed) - n, "%s%lld:%s", n ? "," : "", t->group_id, s->called.digits);
	if (t->group_id == 20 && refuse20)
		return refuse20;
	if (nouts == 4)
		return 34;
	memset(&outs[nouts], 0, sizeof(outs[nouts]));
	outs[nouts].leg.ops = &fake_ops;
	outs[nouts].leg.kind = LEG_PRI;
	snprintf(outs[nouts].leg.trunk, sizeof(outs[nouts].leg.trunk), "span%lld", t->group_id);
	*legp = &outs[nouts++].leg;
	return 0;
}

static void fixed_clock(int *weekday, int *minute, long long *wall_ms)
{
	*weekday = 1;
	*minute = 600;
	*wall_ms = 1800000000000LL;
}

static unsigned fixed_random(void)
{
	return 12345;
}

/* Groups 10 (carrier), 20 (pbx), 30 (backup); range 4930100xxx -> 20 with
 * failover on 34 and 38 to 30; prefix 555 -> 30 with no failover. */
static unsigned backup_max;             /* max_calls of group 30 */

static int build_table(struct route_table **tp)
{
	const struct route_group groups[] = {
		{ 10, "carrier", ROUTE_GROUP_SPAN, 0 }, { 20, "pbx", ROUTE_GROUP_SPAN, 0 },
		{ 30, "backup", ROUTE_GROUP_SPAN, backup_max },
	};
	static const struct route_range ranges[] = {
		{ .id = 1, .name = "pbx-users", .first = "4930100000", .last = "4930100999", .prefix = "",
		  .group_id = 20 },
	};
	static struct route_route routes[2];
	struct route_config cfg = { groups, 3, ranges, 1, NULL, 0, routes, 2 };
	char err[ROUTE_ERR_LEN];
	int rc;

	memset(routes, 0, sizeof(routes));
	routes[0] = (struct route_route){ .id = 1, .name = "to-pbx", .enabled = true, .source_group_id = 10,
		.range_id = 1, .called_prefix = "", .calling_prefix = "", .time_from = -1, .time_to = -1,
		.survivability_forward = "", .ndests = 2 };
	routes[0].dests[0] = (struct route_dest){ .group_id = 20, .position = 0, .nfailover = 2,
		.failover = { 34, 38 } };
	routes[0].dests[1] = (struct route_dest){ .group_id = 30, .position = 1 };
	routes[1] = (struct route_route){ .id = 2, .name = "to-backup", .enabled = true, .source_group_id = 0,
		.range_id = 0, .called_prefix = "555", .calling_prefix = "", .time_from = -1, .time_to = -1,
		.survivability_forward = "", .ndests = 1 };
	routes[1].dests[0] = (struct route_dest){ .group_id = 30, .position = 0 };
	rc = route_table_build(tp, &cfg, err, sizeof(err));
	if (rc)
		printf("# %s\n", err);
	return rc;
}

static int setup_core(struct call_core **corep, struct route_table **tp)
{
	int rc = build_table(tp);

	if (!rc)
		rc = call_core_create(corep, &(struct call_core_cfg){ .place = fake_place,
			.clock = fixed_clock, .random = fixed_random });
	if (!rc)
		call_core_set_table(*corep, *tp);
	nouts = 0;
	refuse20 = 0;
	placed[0] = '\0';
	return rc;
}

static void incoming(struct call_core *core, struct fake_leg *in, const char *called)
{
	struct call_setup s = { .source_group_id = 10 };

	memset(in, 0, sizeof(*in));
	in->leg.ops = &fake_ops;
	in->leg.kind = LEG_PRI;
	snprintf(in->leg.trunk, sizeof(in->leg.trunk), "carrier");
	snprintf(s.called.digits, sizeof(s.called.digits), "%s", called);
	snprintf(s.calling.digits, sizeof(s.calling.digits), "5551234");
	s.called.ton = s.called.npi = s.calling.ton = s.calling.npi = -1;
	s.called.presentation = s.calling.presentation = -1;
	call_incoming(core, &in->leg, &s);
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
	outs[0].gone = true;
	call_leg_released(&outs[0].leg, &(struct call_end){ .cause = 16 });
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
	outs[0].gone = true;
	call_leg_released(&outs[0].leg, &(struct call_end){ .cause = 16 });
	TEST_EQ(0, call_core_active(core));
	/* the first destination fails after it was placed, with 38 (listed) */
	refuse20 = 0;
	nouts = 0;
	placed[0] = '\0';
	incoming(core, &in, "4930100124");
	TEST_EQ(1, nouts);
	outs[0].gone = true;
	call_leg_released(&outs[0].leg, &(struct call_end){ .cause = 38 });
	TEST_STREQ("20:4930100124,30:4930100124", placed);
	TEST_EQ(2, nouts);
	TEST_STREQ("", in.log);                 /* the caller saw nothing of it */
	outs[1].gone = true;
	call_leg_released(&outs[1].leg, &(struct call_end){ .cause = 17 });
	TEST_STREQ("release:17", in.log);
	/* 17 (busy) is not listed: no failover, the caller gets 17 */
	nouts = 0;
	placed[0] = '\0';
	incoming(core, &in, "4930100125");
	outs[0].gone = true;
	call_leg_released(&outs[0].leg, &(struct call_end){ .cause = 17 });
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
	in.gone = true;
	call_leg_released(&in.leg, &(struct call_end){ .cause = 16 });
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
	outs[0].gone = true;
	call_leg_released(&outs[0].leg, &(struct call_end){ .cause = 16 });
	incoming(core, &in3, "5550003");        /* a place is free again */
	TEST_EQ(2, nouts);
	outs[1].gone = true;
	call_leg_released(&outs[1].leg, &(struct call_end){ .cause = 16 });
	TEST_EQ(0, call_core_active(core));
 out:
	call_core_destroy(core);
	route_table_unref(t);
	return err;
}
