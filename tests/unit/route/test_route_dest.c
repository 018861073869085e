/*
 * test_route_dest.c -- a route's destinations: try order by position,
 * weighted sharing from the query's draw, failover causes, down groups and
 * the survivability alternative.
 */
#include "config.h"
/* case tables leave trailing fields zero */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "route.h"
#include "route_fixture.h"
#include "test.h"
#include "tg.h"

int test_route_weighted_destinations_share_calls_by_weight(void);
int test_route_destinations_are_tried_by_position_with_their_failover_causes(void);
int test_route_down_groups_are_skipped_then_survivability_applies(void);

#define ALLDAY .time_from = -1, .time_to = -1
#define DEST(g, w, pos) { g, w, pos, 0, { 0 } }

/* route 1: sip-a 60, sip-b 30, sip-c 10 at position 1; pbx, itsp after */
static const struct route_route weighted[] = {
	{ 1, "shared", true, 0, 0, 0, "", "", 0, ALLDAY, 0, "", .ndests = 5,
	  .dests = { DEST(G_PBX, 0, 2), DEST(G_SIP_A, 60, 1), DEST(G_ITSP, 0, 2),
		     DEST(G_SIP_B, 30, 1), DEST(G_SIP_C, 10, 1) } },
	/* weighted and unweighted at one position: the weighted ones first */
	{ 2, "mixed", true, 0, 0, 0, "2", "", 0, ALLDAY, 0, "", .ndests = 4,
	  .dests = { DEST(G_PBX, 0, 1), DEST(G_SIP_A, 1, 1), DEST(G_ITSP, 0, 1),
		     DEST(G_SIP_B, 3, 1) } },
	/* one weighted destination alone, and a zero total at position 2 */
	{ 3, "single", true, 0, 0, 0, "3", "", 0, ALLDAY, 0, "", .ndests = 3,
	  .dests = { DEST(G_SIP_A, 5, 1), DEST(G_PBX, 0, 2), DEST(G_ITSP, 0, 2) } },
	/* weights across two positions are shared within each */
	{ 4, "two-tiers", true, 0, 0, 0, "4", "", 0, ALLDAY, 0, "", .ndests = 4,
	  .dests = { DEST(G_SIP_A, 50, 1), DEST(G_SIP_B, 50, 1), DEST(G_PBX, 1, 2),
		     DEST(G_ITSP, 3, 2) } },
	/* the largest weights: their sum passes 2^32 */
	{ 5, "huge", true, 0, 0, 0, "5", "", 0, ALLDAY, 0, "", .ndests = 3,
	  .dests = { DEST(G_SIP_A, UINT32_MAX, 1), DEST(G_SIP_B, UINT32_MAX, 1),
		     DEST(G_SIP_C, 1, 1) } },
};

static int idx_of(long long g)
{
	return g == G_SIP_A ? 0 : g == G_SIP_B ? 1 : g == G_SIP_C ? 2 : -1;
}

static bool near(double got, double want, double tol)
{
	if (got < want - tol || got > want + tol) {
		printf("# %.4f is not within %.4f of %.4f\n", got, tol, want);
		return false;
	}
	return true;
}

int test_route_weighted_destinations_share_calls_by_weight(void)
{
	/* P(order) for weights 60/30/10, drawn without replacement */
	static const struct {
		int a, b, c;
		double p;
	} perms[] = {
		{ 0, 1, 2, 0.6 * 30 / 40 }, { 0, 2, 1, 0.6 * 10 / 40 },
		{ 1, 0, 2, 0.3 * 60 / 70 }, { 1, 2, 0, 0.3 * 10 / 70 },
		{ 2, 0, 1, 0.1 * 60 / 90 }, { 2, 1, 0, 0.1 * 30 / 90 },
	};
	enum { N = 200000 };
	struct route_decision *d = calloc(1, sizeof(*d)), *d2 = calloc(1, sizeof(*d2));
	unsigned first[3] = { 0 }, firstc[3] = { 0 }, perm[6] = { 0 };
	unsigned mixed_first[4] = { 0 }, tiers[4] = { 0 }, huge[3] = { 0 };
	struct route_table *t = NULL;
	struct route_query q;
	char msg[ROUTE_ERR_LEN];
	uint32_t seed = 20240601;
	int err;

	TEST_ASSERT(d && d2);
	err = fx_build(&t, NULL, 0, NULL, 0, weighted, TG_ARRAY_SIZE(weighted), msg, sizeof(msg));
	TEST_ERR(err);
	fx_query(&q, G_CARRIER, "1234", "");
	for (unsigned i = 0; i < N; i++) {
		int o[3];

		q.draw = fx_rand(&seed);
		route_decide(t, &q, d);
		TEST_EQ(5, d->ntargets);
		for (int k = 0; k < 3; k++) {
			o[k] = idx_of(d->targets[k].group_id);
			TEST_ASSERT(o[k] >= 0);
		}
		TEST_ASSERT(o[0] != o[1] && o[1] != o[2] && o[0] != o[2]);
		/* position 2 keeps its given order after all of position 1 */
		TEST_EQ(G_PBX, d->targets[3].group_id);
		TEST_EQ(G_ITSP, d->targets[4].group_id);
		first[o[0]]++;
		for (size_t p = 0; p < TG_ARRAY_SIZE(perms); p++)
			if (perms[p].a == o[0] && perms[p].b == o[1])
				perm[p]++;
		/* the same draw gives the same order */
		if (i < 1000) {
			route_decide(t, &q, d2);
			for (int k = 0; k < 5; k++)
				TEST_EQ(d->targets[k].group_id, d2->targets[k].group_id);
		}
		/* a caller's plain counter as the draw is mixed just as well */
		q.draw = i;
		route_decide(t, &q, d2);
		firstc[idx_of(d2->targets[0].group_id)]++;
	}
	printf("# first choice a/b/c: %u %u %u (counter draws: %u %u %u)\n", first[0], first[1],
	       first[2], firstc[0], firstc[1], firstc[2]);
	TEST_ASSERT(near(first[0] / (double)N, 0.6, 0.01));
	TEST_ASSERT(near(first[1] / (double)N, 0.3, 0.01));
	TEST_ASSERT(near(first[2] / (double)N, 0.1, 0.005));
	TEST_ASSERT(near(firstc[0] / (double)N, 0.6, 0.01));
	TEST_ASSERT(near(firstc[1] / (double)N, 0.3, 0.01));
	TEST_ASSERT(near(firstc[2] / (double)N, 0.1, 0.005));
	for (size_t p = 0; p < TG_ARRAY_SIZE(perms); p++)
		TEST_ASSERT(near(perm[p] / (double)N, perms[p].p, 0.006));
	/* the step shows the draw */
	q.draw = 12345;
	route_decide(t, &q, d);
	TEST_ASSERT(fx_step_has(d, "weighted draw at position 1: "));
	TEST_ASSERT(fx_step_has(d, "sip-a (60)"));

	/* mixed: sip-a 1 : sip-b 3 first, then pbx, itsp in the given order */
	fx_query(&q, G_CARRIER, "2000", "");
	for (unsigned i = 0; i < 40000; i++) {
		q.draw = fx_rand(&seed);
		route_decide(t, &q, d);
		TEST_EQ(4, d->ntargets);
		TEST_ASSERT(d->targets[0].group_id == G_SIP_A || d->targets[0].group_id == G_SIP_B);
		TEST_ASSERT(d->targets[1].group_id == G_SIP_A || d->targets[1].group_id == G_SIP_B);
		TEST_EQ(G_PBX, d->targets[2].group_id);
		TEST_EQ(G_ITSP, d->targets[3].group_id);
		mixed_first[d->targets[0].group_id == G_SIP_B]++;
	}
	TEST_ASSERT(near(mixed_first[1] / 40000.0, 0.75, 0.012));

	/* a lone weighted destination is simply first */
	fx_query(&q, G_CARRIER, "3000", "");
	for (unsigned i = 0; i < 100; i++) {
		q.draw = fx_rand(&seed);
		route_decide(t, &q, d);
		TEST_EQ(3, d->ntargets);
		TEST_EQ(G_SIP_A, d->targets[0].group_id);
		TEST_EQ(G_PBX, d->targets[1].group_id);
		TEST_EQ(G_ITSP, d->targets[2].group_id);
	}
	TEST_ASSERT(!fx_step_has(d, "weighted draw"));

	/* two tiers: 50/50 on top, 1:3 below, independently */
	fx_query(&q, G_CARRIER, "4000", "");
	for (unsigned i = 0; i < 40000; i++) {
		q.draw = fx_rand(&seed);
		route_decide(t, &q, d);
		TEST_EQ(4, d->ntargets);
		TEST_ASSERT(d->targets[2].group_id == G_PBX || d->targets[2].group_id == G_ITSP);
		tiers[(d->targets[0].group_id == G_SIP_B) * 2 + (d->targets[2].group_id == G_ITSP)]++;
	}
	TEST_ASSERT(near(tiers[0] / 40000.0, 0.5 * 0.25, 0.01));
	TEST_ASSERT(near(tiers[1] / 40000.0, 0.5 * 0.75, 0.012));
	TEST_ASSERT(near(tiers[2] / 40000.0, 0.5 * 0.25, 0.01));
	TEST_ASSERT(near(tiers[3] / 40000.0, 0.5 * 0.75, 0.012));

	/* huge weights: shared evenly, the weight-1 one (almost) never first */
	fx_query(&q, G_CARRIER, "5000", "");
	for (unsigned i = 0; i < 40000; i++) {
		q.draw = fx_rand(&seed);
		route_decide(t, &q, d);
		TEST_EQ(3, d->ntargets);
		huge[d->targets[0].group_id - G_SIP_A]++;
		TEST_EQ(G_SIP_C, d->targets[2].group_id);
	}
	TEST_ASSERT(near(huge[0] / 40000.0, 0.5, 0.012));
	TEST_EQ(0, huge[2]);
 out:
	free(d);
	free(d2);
	route_table_unref(t);
	return err;
}

int test_route_destinations_are_tried_by_position_with_their_failover_causes(void)
{
	static const struct {
		const char *list;
		int code;
		bool failover;
	} cases[] = {
		{ "34,38,41,42,44,408,503", 34, true },
		{ "34,38,41,42,44,408,503", 38, true },
		{ "34,38,41,42,44,408,503", 41, true },
		{ "34,38,41,42,44,408,503", 42, true },
		{ "34,38,41,42,44,408,503", 44, true },
		{ "34,38,41,42,44,408,503", 408, true },
		{ "34,38,41,42,44,408,503", 503, true },
		{ "34,38,41,42,44,408,503", 16, false },        /* normal clearing */
		{ "34,38,41,42,44,408,503", 17, false },        /* user busy: the callee's answer */
		{ "34,38,41,42,44,408,503", 1, false },
		{ "34,38,41,42,44,408,503", 486, false },
		{ "34,38,41,42,44,408,503", 404, false },
		{ "34,38,41,42,44,408,503", 500, false },
		{ "34,38,41,42,44,408,503", 0, false },
		{ "34,38,41,42,44,408,503", -1, false },
		{ "34,38,41,42,44,408,503", 128, false },
		{ "34,38,41,42,44,408,503", 65536 + 34, false },
		{ "", 34, false },
		{ "", 503, false },
		{ "17,486,600", 17, true },
		{ "17,486,600", 486, true },
		{ "17,486,600", 600, true },
		{ "17,486,600", 603, false },
		{ "3", 3, true },
		{ "127,699,300", 127, true },
		{ "127,699,300", 300, true },
		{ "127,699,300", 699, true },
		{ "127,699,300", 299, false },
	};
	struct route_route routes[1] = {
		{ 1, "chain", true, 0, 0, 0, "", "", 0, ALLDAY, 0, "", .ndests = 4,
		  .dests = { DEST(G_PSTN2, 0, 30), DEST(G_LYNC, 0, 10), DEST(G_PBX, 0, 20),
			     DEST(G_ITSP, 0, 20) } },
	};
	struct route_decision *d = calloc(1, sizeof(*d));
	struct route_table *t = NULL;
	struct route_query q;
	char msg[ROUTE_ERR_LEN];
	int err = 0;

	TEST_ASSERT(d);
	for (size_t i = 0; i < TG_ARRAY_SIZE(cases); i++) {
		struct route_dest dest = { 0 };

		TEST_ERR(route_failover_parse(cases[i].list, &dest, msg, sizeof(msg)));
		if (route_should_failover(&dest, cases[i].code) != cases[i].failover)
			printf("# case %zu\n", i);
		TEST_EQ(cases[i].failover, route_should_failover(&dest, cases[i].code));
	}
	TEST_ASSERT(!route_should_failover(NULL, 34));
	TEST_ERR(route_failover_parse("34,503", &routes[0].dests[1], msg, sizeof(msg)));
	TEST_ERR(route_failover_parse("38", &routes[0].dests[2], msg, sizeof(msg)));
	TEST_ERR(route_failover_parse("486", &routes[0].dests[3], msg, sizeof(msg)));
	err = fx_build(&t, NULL, 0, NULL, 0, routes, 1, msg, sizeof(msg));
	TEST_ERR(err);
	fx_query(&q, G_CARRIER, "1234", "");
	route_decide(t, &q, d);
	/* by position 10, 20, 20, 30; equal positions as given */
	TEST_EQ(4, d->ntargets);
	TEST_EQ(G_LYNC, d->targets[0].group_id);
	TEST_EQ(G_PBX, d->targets[1].group_id);
	TEST_EQ(G_ITSP, d->targets[2].group_id);
	TEST_EQ(G_PSTN2, d->targets[3].group_id);
	/* each target carries its own destination's causes */
	TEST_ASSERT(route_should_failover(d->targets[0].dest, 503));
	TEST_ASSERT(!route_should_failover(d->targets[0].dest, 38));
	TEST_ASSERT(route_should_failover(d->targets[1].dest, 38));
	TEST_ASSERT(route_should_failover(d->targets[2].dest, 486));
	TEST_ASSERT(!route_should_failover(d->targets[3].dest, 34));
	for (unsigned i = 0; i < d->ntargets; i++)
		TEST_ASSERT(!d->targets[i].survivability);
 out:
	free(d);
	route_table_unref(t);
	return err;
}

int test_route_down_groups_are_skipped_then_survivability_applies(void)
{
	static const struct route_range ranges[] = {
		{ 1, "ev", "", "", "+1425555", G_LYNC, false },
		{ 2, "pbx", "", "", "+1425556", G_PBX, false },
	};
	static const struct route_rule rules[] = {
		{ 1, G_PBX, ROUTE_DIR_OUT, ROUTE_FIELD_CALLED, 1, .match = ROUTE_MATCH_PREFIX,
		  .pattern = "+1425555", .strip = 8, .prepend = "8", .set_ton = -1, .set_npi = -1,
		  .presentation = -1 },
	};
	static const struct route_route routes[] = {
		{ 1, "ev", true, 0, 0, 1, "", "", 0, ALLDAY, G_PBX, "", .ndests = 2,
		  .dests = { DEST(G_LYNC, 0, 1), DEST(G_ITSP, 0, 2) } },
		{ 2, "ev-fwd", true, 0, 0, 1, "", "+1", 0, ALLDAY, 0, "+4930999", .ndests = 1,
		  .dests = { DEST(G_LYNC, 0, 1) } },
		{ 3, "ev-both", true, 0, 0, 1, "", "+2", 0, ALLDAY, G_PBX, "+4930999", .ndests = 1,
		  .dests = { DEST(G_LYNC, 0, 1) } },
		{ 4, "ev-none", true, 0, 0, 1, "", "+3", 0, ALLDAY, 0, "", .ndests = 1,
		  .dests = { DEST(G_LYNC, 0, 1) } },
		{ 5, "owner", true, 0, 0, 0, "", "", 0, ALLDAY, G_FAX, "", .ndests = 0 },
		{ 6, "weighted", true, 0, 0, 1, "", "+4", 0, ALLDAY, 0, "", .ndests = 2,
		  .dests = { DEST(G_SIP_A, 1, 1), DEST(G_SIP_B, 1000, 1) } },
	};
	static const struct {
		const char *calling;
		const char *called;
		long long down[4];
		enum route_outcome outcome;
		int cause;
		long long targets[3];
		bool surv;
		const char *forward, *step, *called_out;
	} cases[] = {
		{ "", "+14255550001", { 0 }, ROUTE_OK, 0, { G_LYNC, G_ITSP }, false, "", "", NULL },
		{ "", "+14255550001", { G_LYNC }, ROUTE_OK, 0, { G_ITSP }, false, "",
		  "destination lync skipped: down", NULL },
		{ "", "+14255550001", { G_ITSP }, ROUTE_OK, 0, { G_LYNC }, false, "",
		  "destination itsp skipped: down", NULL },
		{ "", "+14255550001", { G_LYNC, G_ITSP }, ROUTE_OK, 0, { G_PBX }, true, "",
		  "every destination is down: survivability group pbx", "80001" },
		{ "", "+14255550001", { G_ITSP, G_FAX, G_LYNC }, ROUTE_OK, 0, { G_PBX }, true, "",
		  "survivability group pbx", NULL },
		{ "", "+14255550001", { G_LYNC, G_ITSP, G_PBX }, ROUTE_ALL_DOWN, 34, { 0 }, false,
		  "", "every destination is down and there is no alternative: cause 34", NULL },
		{ "+1", "+14255550001", { G_LYNC }, ROUTE_FORWARD, 23, { 0 }, false, "+4930999",
		  "every destination is down: forward to +4930999", NULL },
		{ "+1", "+14255550001", { G_PBX }, ROUTE_OK, 0, { G_LYNC }, false, "", "", NULL },
		{ "+2", "+14255550001", { G_LYNC }, ROUTE_OK, 0, { G_PBX }, true, "", "", "80001" },
		{ "+2", "+14255550001", { G_LYNC, G_PBX }, ROUTE_FORWARD, 23, { 0 }, false,
		  "+4930999", "survivability group pbx skipped: down", NULL },
		{ "+3", "+14255550001", { G_LYNC }, ROUTE_ALL_DOWN, 34, { 0 }, false, "",
		  "destination lync skipped: down", NULL },
		{ "+3", "+14255550001", { G_ITSP }, ROUTE_OK, 0, { G_LYNC }, false, "", "", NULL },
		/* the owner route: its owner down, its survivability group takes over */
		{ "", "+14255560001", { 0 }, ROUTE_OK, 0, { G_PBX }, false, "",
		  "to the range's owner pbx", "+14255560001" },
		{ "", "+14255560001", { G_PBX }, ROUTE_OK, 0, { G_FAX }, true, "",
		  "range owner pbx skipped: down", NULL },
		{ "", "+14255560001", { G_PBX, G_FAX }, ROUTE_ALL_DOWN, 34, { 0 }, false, "",
		  "survivability group fax skipped: down", NULL },
		/* a weighted destination that is down is passed over whatever the draw */
		{ "+4", "+14255550001", { G_SIP_B }, ROUTE_OK, 0, { G_SIP_A }, false, "", "", NULL },
		{ "+4", "+14255550001", { G_SIP_A }, ROUTE_OK, 0, { G_SIP_B }, false, "", "", NULL },
		{ "+4", "+14255550001", { G_SIP_A, G_SIP_B }, ROUTE_ALL_DOWN, 34, { 0 }, false, "",
		  "", NULL },
		/* groups down that the route does not use change nothing */
		{ "", "+14255550001", { G_CARRIER, G_PSTN2, G_SIP_C }, ROUTE_OK, 0,
		  { G_LYNC, G_ITSP }, false, "", "", NULL },
	};
	struct route_decision *d = calloc(1, sizeof(*d));
	struct route_table *t = NULL;
	char msg[ROUTE_ERR_LEN];
	int err;

	TEST_ASSERT(d);
	err = fx_build(&t, ranges, 2, rules, 1, routes, TG_ARRAY_SIZE(routes), msg, sizeof(msg));
	if (err)
		printf("# %s\n", msg);
	TEST_ERR(err);
	for (size_t i = 0; i < TG_ARRAY_SIZE(cases); i++) {
		struct route_query q;
		size_t ndown = 0, nt = 0;

		while (ndown < 4 && cases[i].down[ndown])
			ndown++;
		while (nt < 3 && cases[i].targets[nt])
			nt++;
		for (uint32_t draw = 0; draw < 4; draw++) {
			fx_query(&q, G_CARRIER, cases[i].called, cases[i].calling);
			q.down_groups = cases[i].down;
			q.ndown = ndown;
			q.draw = draw * 0x40000000u;
			route_decide(t, &q, d);
			if (d->outcome != cases[i].outcome || d->ntargets != nt) {
				printf("# case %zu\n", i);
				fx_steps_print(d);
			}
			TEST_EQ(cases[i].outcome, d->outcome);
			TEST_EQ(cases[i].cause, d->cause);
			TEST_EQ(nt, d->ntargets);
			for (size_t k = 0; k < nt; k++) {
				TEST_EQ(cases[i].targets[k], d->targets[k].group_id);
				TEST_EQ(cases[i].surv, d->targets[k].survivability);
			}
			TEST_STREQ(cases[i].forward, d->forward);
			if (cases[i].step[0])
				TEST_ASSERT(fx_step_has(d, cases[i].step));
			if (cases[i].called_out)
				TEST_STREQ(cases[i].called_out, d->targets[0].called.digits);
			if (cases[i].surv)
				TEST_ASSERT(d->targets[0].dest == NULL);
		}
	}
 out:
	free(d);
	route_table_unref(t);
	return err;
}
