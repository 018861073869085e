/*
 * test_route.c -- route_decide: which route wins (precedence), time windows,
 * NO_ROUTE vs UNALLOCATED, the deployments of ARCHITECTURE.md end to end,
 * the step list, and the references a table refuses.
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

int test_route_the_most_specific_matching_route_wins(void);
int test_route_time_windows_and_day_sets_incl_midnight_wrap(void);
int test_route_no_route_versus_unallocated_number(void);
int test_route_enterprise_voice_in_front_of_the_pbx_end_to_end(void);
int test_route_steps_explain_the_decision(void);
int test_route_build_refuses_bad_routes_naming_route_and_field(void);
int test_route_decisions_point_into_the_table_not_the_config(void);

#define RG(id, name, first, last, prefix, group, ovr) { id, name, first, last, prefix, group, ovr }
#define D1(g) .ndests = 1, .dests = { { g, 0, 0, 0, { 0 } } }
#define ALLDAY .time_from = -1, .time_to = -1

static const struct route_range prec_ranges[] = {
	RG(1, "ext", "1000", "1999", "", G_PBX, false),
	RG(2, "ext-ev", "1500", "1599", "", G_LYNC, false),
	RG(3, "de", "", "", "+49", 0, false),
	RG(4, "hq", "+493012340000", "+493012349999", "", G_PBX, false),
	RG(5, "hq-ev", "+493012345000", "+493012345999", "", G_LYNC, false),
	RG(6, "lab", "+493012349950", "+493012350049", "", G_ITSP, true),
	RG(7, "ext-2", "2000", "2999", "", 0, false),
};

static const struct route_route prec_routes[] = {
	{ 1, "to-ext", true, 0, 0, 1, "", "", 0, ALLDAY, 0, "", D1(G_PBX) },
	{ 2, "to-ext-ev", true, 0, 0, 2, "", "", 0, ALLDAY, 0, "", D1(G_LYNC) },
	{ 3, "ext-ev-night", true, 0, 0, 2, "", "", 0, 18 * 60, 8 * 60, 0, "", D1(G_PBX) },
	{ 4, "ext-ev-boss", true, 0, 0, 2, "", "+4930", 0, ALLDAY, 0, "", D1(G_ITSP) },
	{ 5, "pfx-15", true, 0, 0, 0, "15", "", 0, ALLDAY, 0, "", D1(G_FAX) },
	{ 6, "pfx-155", true, 0, 0, 0, "155", "", 0, ALLDAY, 0, "", D1(G_FAX) },
	{ 7, "germany", true, 0, 0, 0, "+49", "", 0, ALLDAY, 0, "", D1(G_CARRIER) },
	{ 8, "hq", true, 10, 0, 4, "", "", 0, ALLDAY, 0, "", D1(G_PBX) },
	{ 9, "hq-from-pbx", true, 5, G_PBX, 4, "", "", 0, ALLDAY, 0, "", D1(G_CARRIER) },
	{ 10, "hq-ev", true, 0, 0, 5, "", "", 0, ALLDAY, 0, "", D1(G_LYNC) },
	{ 11, "lab", true, 0, 0, 6, "", "", 0, ALLDAY, 0, "", D1(G_ITSP) },
	{ 12, "catch-all", true, 100, 0, 0, "", "", 0, ALLDAY, 0, "", .ndests = 0 },
	{ 13, "us", true, 0, 0, 0, "+1", "", 0, ALLDAY, 0, "", D1(G_ITSP) },
	{ 14, "us-redmond", true, 0, 0, 0, "+1425555", "", 0, ALLDAY, 0, "", D1(G_LYNC) },
	{ 15, "disabled", false, -100, 0, 1, "", "", 0, ALLDAY, 0, "", D1(G_FAX) },
	{ 16, "both", true, 0, 0, 5, "+4930123459", "", 0, ALLDAY, 0, "", D1(G_ITSP) },
	{ 17, "emergency", true, 0, 0, 0, "112", "", 0, ALLDAY, 0, "", D1(G_CARRIER) },
	{ 18, "intl", true, 0, 0, 0, "00", "", 0, ALLDAY, 0, "", D1(G_CARRIER) },
	{ 19, "intl-fax", true, 0, 0, 0, "00", "5", 0, ALLDAY, 0, "", D1(G_PSTN2) },
	{ 20, "intl-fax-long", true, 0, 0, 0, "00", "55", 0, ALLDAY, 0, "", D1(G_FAX) },
	{ 21, "late-ext", true, 0, 0, 1, "", "", 0x1f, 20 * 60, 22 * 60, 0, "", D1(G_FAX) },
	{ 22, "same-a", true, 2, 0, 0, "77", "", 0, ALLDAY, 0, "", D1(G_SIP_A) },
	{ 23, "same-b", true, 1, 0, 0, "77", "", 0, ALLDAY, 0, "", D1(G_SIP_B) },
	{ 24, "same-c", true, 1, 0, 0, "77", "", 0, ALLDAY, 0, "", D1(G_SIP_C) },
	{ 25, "from-fax", true, 0, G_FAX, 0, "78", "", 0, ALLDAY, 0, "", D1(G_SIP_A) },
	{ 26, "to-78", true, 9, 0, 0, "78", "", 0, ALLDAY, 0, "", D1(G_SIP_B) },
	{ 27, "owner-1", true, 0, 0, 0, "1", "", 0, ALLDAY, 0, "", .ndests = 0 },
};

int test_route_the_most_specific_matching_route_wins(void)
{
	static const struct {
		long long src;
		const char *called, *calling;
		int weekday, minute;
		const char *route;              /* NULL: none */
		enum route_outcome outcome;
		long long group;                /* first target, 0: none */
	} cases[] = {
		{ G_CARRIER, "1234", "", 0, 720, "to-ext", ROUTE_OK, G_PBX },
		{ G_CARRIER, "1501", "", 0, 720, "to-ext-ev", ROUTE_OK, G_LYNC },
		{ G_CARRIER, "1501", "", 0, 1200, "ext-ev-night", ROUTE_OK, G_PBX },
		{ G_CARRIER, "1501", "", 3, 300, "ext-ev-night", ROUTE_OK, G_PBX },
		{ G_CARRIER, "1501", "", 3, 480, "to-ext-ev", ROUTE_OK, G_LYNC },
		{ G_CARRIER, "1501", "+4930111", 0, 1200, "ext-ev-boss", ROUTE_OK, G_ITSP },
		{ G_CARRIER, "1501", "+4930111", 0, 720, "ext-ev-boss", ROUTE_OK, G_ITSP },
		{ G_CARRIER, "1501", "+4940111", 0, 720, "to-ext-ev", ROUTE_OK, G_LYNC },
		{ G_CARRIER, "1551", "", 0, 720, "pfx-155", ROUTE_OK, G_FAX },
		{ G_CARRIER, "1559", "+4930", 0, 1200, "pfx-155", ROUTE_OK, G_FAX },
		{ G_CARRIER, "1600", "", 0, 720, "to-ext", ROUTE_OK, G_PBX },
		{ G_CARRIER, "1600", "", 0, 1230, "late-ext", ROUTE_OK, G_FAX },
		{ G_CARRIER, "1600", "", 5, 1230, "to-ext", ROUTE_OK, G_PBX },
		{ G_CARRIER, "1501", "", 0, 1230, "ext-ev-night", ROUTE_OK, G_PBX },
		{ G_CARRIER, "15", "", 0, 720, "pfx-15", ROUTE_OK, G_FAX },
		{ G_CARRIER, "150", "", 0, 720, "pfx-15", ROUTE_OK, G_FAX },
		{ G_CARRIER, "155", "", 0, 720, "pfx-155", ROUTE_OK, G_FAX },
		{ G_CARRIER, "15000", "", 0, 720, "pfx-15", ROUTE_OK, G_FAX },
		/* the owner route needs a range with an owner */
		{ G_CARRIER, "2500", "", 0, 720, NULL, ROUTE_NO_ROUTE, 0 },
		{ G_CARRIER, "3000", "", 0, 720, NULL, ROUTE_UNALLOCATED, 0 },
		{ G_CARRIER, "", "", 0, 720, NULL, ROUTE_UNALLOCATED, 0 },
		{ G_CARRIER, "+493012344444", "", 0, 720, "hq", ROUTE_OK, G_PBX },
		{ 0, "+493012344444", "", 0, 720, "hq", ROUTE_OK, G_PBX },
		{ G_PBX, "+493012344444", "", 0, 720, "hq-from-pbx", ROUTE_OK, G_CARRIER },
		{ G_CARRIER, "+493012345123", "", 0, 720, "hq-ev", ROUTE_OK, G_LYNC },
		{ G_PBX, "+493012345123", "", 0, 720, "hq-ev", ROUTE_OK, G_LYNC },
		{ G_CARRIER, "+493012345923", "", 0, 720, "both", ROUTE_OK, G_ITSP },
		{ G_CARRIER, "+493012345999", "", 0, 720, "both", ROUTE_OK, G_ITSP },
		{ G_CARRIER, "+493012345899", "", 0, 720, "hq-ev", ROUTE_OK, G_LYNC },
		{ G_CARRIER, "+493012349960", "", 0, 720, "lab", ROUTE_OK, G_ITSP },
		{ G_PBX, "+493012349960", "", 0, 720, "lab", ROUTE_OK, G_ITSP },
		{ G_CARRIER, "+493012350010", "", 0, 720, "lab", ROUTE_OK, G_ITSP },
		{ G_CARRIER, "+493012350050", "", 0, 720, "germany", ROUTE_OK, G_CARRIER },
		{ G_CARRIER, "+4940111", "", 0, 720, "germany", ROUTE_OK, G_CARRIER },
		{ G_CARRIER, "+49", "", 0, 720, "germany", ROUTE_OK, G_CARRIER },
		{ G_CARRIER, "+4", "", 0, 720, NULL, ROUTE_UNALLOCATED, 0 },
		{ G_CARRIER, "+14255551234", "", 0, 720, "us-redmond", ROUTE_OK, G_LYNC },
		{ G_CARRIER, "+12065551234", "", 0, 720, "us", ROUTE_OK, G_ITSP },
		{ G_CARRIER, "+1425555", "", 0, 720, "us-redmond", ROUTE_OK, G_LYNC },
		{ G_CARRIER, "+142555", "", 0, 720, "us", ROUTE_OK, G_ITSP },
		{ G_CARRIER, "1125", "", 0, 720, "emergency", ROUTE_OK, G_CARRIER },
		{ G_CARRIER, "112", "", 0, 720, "emergency", ROUTE_OK, G_CARRIER },
		{ G_CARRIER, "0044123", "100", 0, 720, "intl", ROUTE_OK, G_CARRIER },
		{ G_CARRIER, "0044123", "5123", 0, 720, "intl-fax", ROUTE_OK, G_PSTN2 },
		{ G_CARRIER, "0044123", "5512", 0, 720, "intl-fax-long", ROUTE_OK, G_FAX },
		{ G_CARRIER, "0044123", "55", 0, 720, "intl-fax-long", ROUTE_OK, G_FAX },
		{ G_CARRIER, "0044123", "", 0, 720, "intl", ROUTE_OK, G_CARRIER },
		{ G_CARRIER, "0", "", 0, 720, NULL, ROUTE_UNALLOCATED, 0 },
		/* an owner route is as specific as the call's range: a route naming
		 * that range beats it (to-ext over owner-1 and catch-all) */
		{ G_CARRIER, "1999", "", 6, 720, "to-ext", ROUTE_OK, G_PBX },
		{ G_CARRIER, "1777", "", 6, 720, "to-ext", ROUTE_OK, G_PBX },
		/* equal in all but position: the lower position; equal position: as given */
		{ G_CARRIER, "7712", "", 0, 720, "same-b", ROUTE_OK, G_SIP_B },
		/* the source group is no part of precedence: position decides */
		{ G_FAX, "7812", "", 0, 720, "from-fax", ROUTE_OK, G_SIP_A },
		{ G_PBX, "7812", "", 0, 720, "to-78", ROUTE_OK, G_SIP_B },
	};
	struct route_decision *d = calloc(1, sizeof(*d));
	struct route_table *t = NULL;
	char msg[ROUTE_ERR_LEN];
	int err;

	TEST_ASSERT(d);
	err = fx_build(&t, prec_ranges, TG_ARRAY_SIZE(prec_ranges), NULL, 0, prec_routes,
		       TG_ARRAY_SIZE(prec_routes), msg, sizeof(msg));
	if (err)
		printf("# %s\n", msg);
	TEST_ERR(err);
	for (size_t i = 0; i < TG_ARRAY_SIZE(cases); i++) {
		struct route_query q;
		const char *got;

		fx_query(&q, cases[i].src, cases[i].called, cases[i].calling);
		q.weekday = cases[i].weekday;
		q.minute = cases[i].minute;
		route_decide(t, &q, d);
		got = d->route ? d->route->name : "(none)";
		if (strcmp(got, cases[i].route ? cases[i].route : "(none)") ||
		    d->outcome != cases[i].outcome) {
			printf("# case %zu: %s -> %s\n", i, cases[i].called, got);
			fx_steps_print(d);
		}
		TEST_STREQ(cases[i].route ? cases[i].route : "(none)", got);
		TEST_EQ(cases[i].outcome, d->outcome);
		if (cases[i].group) {
			TEST_EQ(1, d->ntargets);
			TEST_EQ(cases[i].group, d->targets[0].group_id);
		} else {
			TEST_EQ(0, d->ntargets);
		}
	}
 out:
	free(d);
	route_table_unref(t);
	return err;
}

int test_route_time_windows_and_day_sets_incl_midnight_wrap(void)
{
	enum { MON, TUE, WED, THU, FRI, SAT, SUN };
	static const struct {
		unsigned days;
		int from, to, weekday, minute;
		bool match;
	} cases[] = {
		{ 0x1f, -1, -1, MON, 0, true },
		{ 0x1f, -1, -1, FRI, 1439, true },
		{ 0x1f, -1, -1, SAT, 600, false },
		{ 0x1f, -1, -1, SUN, 600, false },
		{ 0x60, -1, -1, SUN, 0, true },
		{ 0x40, -1, -1, SAT, 0, false },
		{ 0, 480, 1080, MON, 479, false },
		{ 0, 480, 1080, MON, 480, true },
		{ 0, 480, 1080, SUN, 1079, true },
		{ 0, 480, 1080, TUE, 1080, false },
		{ 0, 480, 1080, WED, 0, false },
		{ 0x1f, 480, 1080, SAT, 600, false },
		{ 0x1f, 480, 1080, FRI, 600, true },
		{ 0, 1320, 360, MON, 1320, true },
		{ 0, 1320, 360, MON, 1319, false },
		{ 0, 1320, 360, MON, 0, true },
		{ 0, 1320, 360, MON, 359, true },
		{ 0, 1320, 360, MON, 360, false },
		{ 0, 1320, 360, MON, 1439, true },
		{ 0, 1320, 360, SUN, 720, false },
		/* mon-fri nights: the window belongs to the evening it starts */
		{ 0x1f, 1320, 360, MON, 1380, true },
		{ 0x1f, 1320, 360, TUE, 120, true },
		{ 0x1f, 1320, 360, MON, 120, false },
		{ 0x1f, 1320, 360, SAT, 120, true },
		{ 0x1f, 1320, 360, SAT, 1380, false },
		{ 0x1f, 1320, 360, SUN, 120, false },
		{ 0x1f, 1320, 360, SUN, 1380, false },
		{ 0x1f, 1320, 360, FRI, 1380, true },
		{ 0x1f, 1320, 360, FRI, 120, true },
		{ 0x40, 1320, 360, MON, 120, true },    /* Sunday night runs into Monday */
		{ 0x40, 1320, 360, SUN, 120, false },
		{ 0x60, 0, 1440, SAT, 0, true },
		{ 0x60, 0, 1440, SUN, 1439, true },
		{ 0x60, 0, 1440, MON, 0, false },
		{ 0, 1080, 1440, MON, 1439, true },
		{ 0, 1080, 1440, MON, 1079, false },
		{ 0x40, 0, 480, SUN, 0, true },
		{ 0x40, 0, 480, MON, 0, false },
		{ 0x40, 0, 480, SUN, 480, false },
		{ 0x71, -1, -1, SAT, 1, true },         /* fri-mon */
		{ 0x71, -1, -1, TUE, 1, false },
		{ 0, 1439, 1, MON, 1439, true },
		{ 0, 1439, 1, TUE, 0, true },
		{ 0, 1439, 1, TUE, 1, false },
		/* times outside the week or the day match no window */
		{ 0, 480, 1080, 7, 600, false },
		{ 0, 480, 1080, -1, 600, false },
		{ 0, 480, 1080, MON, 1440, false },
		{ 0, 480, 1080, MON, -1, false },
		{ 0x1f, -1, -1, 9, 600, false },
	};
	struct route_decision *d = calloc(1, sizeof(*d));
	int err = 0;

	TEST_ASSERT(d);
	for (size_t i = 0; i < TG_ARRAY_SIZE(cases); i++) {
		struct route_route routes[] = {
			{ 1, "window", true, 5, 0, 0, "", "", cases[i].days, cases[i].from,
			  cases[i].to, 0, "", D1(G_LYNC) },
			{ 2, "always", true, 1, 0, 0, "", "", 0, ALLDAY, 0, "", D1(G_PBX) },
		};
		struct route_table *t = NULL;
		struct route_query q;
		char msg[ROUTE_ERR_LEN];

		err = fx_build(&t, NULL, 0, NULL, 0, routes, 2, msg, sizeof(msg));
		if (err)
			printf("# case %zu: %s\n", i, msg);
		TEST_ERR(err);
		fx_query(&q, G_CARRIER, "1234", "");
		q.weekday = cases[i].weekday;
		q.minute = cases[i].minute;
		route_decide(t, &q, d);
		if (strcmp(d->route->name, cases[i].match ? "window" : "always"))
			printf("# case %zu\n", i);
		TEST_STREQ(cases[i].match ? "window" : "always", d->route->name);
		if (!cases[i].match)
			TEST_ASSERT(fx_step_has(d, "route window not taken: outside"));
		route_table_unref(t);
	}
 out:
	free(d);
	return err;
}

int test_route_no_route_versus_unallocated_number(void)
{
	static const struct route_range ranges[] = {
		RG(1, "pbx", "2000", "2999", "", G_PBX, false),
		RG(2, "ev", "", "", "+1425555", G_LYNC, false),
		RG(3, "orphans", "3000", "3999", "", 0, false),
	};
	static const struct route_route routes[] = {
		{ 1, "ev", true, 0, 0, 2, "", "", 0, ALLDAY, 0, "", D1(G_LYNC) },
		{ 2, "pbx-by-day", true, 0, 0, 1, "", "", 0x1f, 480, 1080, 0, "", D1(G_PBX) },
		{ 3, "from-pbx-only", true, 0, G_PBX, 3, "", "", 0, ALLDAY, 0, "", D1(G_PBX) },
		{ 4, "owner", true, 0, 0, 0, "9", "", 0, ALLDAY, 0, "", .ndests = 0 },
		{ 5, "orphan-owner", true, 0, 0, 3, "", "", 0, ALLDAY, 0, "", .ndests = 0 },
	};
	static const struct {
		long long src;
		const char *called;
		int weekday, minute;
		enum route_outcome outcome;
		int cause;
		const char *step;
	} cases[] = {
		{ G_CARRIER, "+14255551234", 0, 720, ROUTE_OK, 0, "route ev matched: range ev" },
		{ G_CARRIER, "2345", 0, 720, ROUTE_OK, 0, "route pbx-by-day matched" },
		/* in a range, but the only route for it is outside its window */
		{ G_CARRIER, "2345", 5, 720, ROUTE_NO_ROUTE, 3, "no route matched: cause 3 "
		  "(no route to destination)" },
		{ G_CARRIER, "2345", 0, 1200, ROUTE_NO_ROUTE, 3, "range pbx matched (1000 numbers)" },
		{ G_CARRIER, "3456", 0, 720, ROUTE_NO_ROUTE, 3, "no route matched: cause 3" },
		{ G_PBX, "3456", 0, 720, ROUTE_OK, 0, "route from-pbx-only matched" },
		/* in no range and no route */
		{ G_CARRIER, "4567", 0, 720, ROUTE_UNALLOCATED, 1, "called number 4567 is in no "
		  "range" },
		{ G_CARRIER, "4567", 0, 720, ROUTE_UNALLOCATED, 1, "no route matched: cause 1 "
		  "(unallocated number)" },
		{ G_CARRIER, "+14255561234", 0, 720, ROUTE_UNALLOCATED, 1, "no route matched" },
		/* an owner route without a range to deliver to does not match */
		{ G_CARRIER, "9123", 0, 720, ROUTE_UNALLOCATED, 1, "no route matched: cause 1" },
		{ G_CARRIER, "2999", 5, 720, ROUTE_NO_ROUTE, 3, "no route matched: cause 3" },
	};
	struct route_decision *d = calloc(1, sizeof(*d));
	struct route_table *t = NULL;
	char msg[ROUTE_ERR_LEN];
	int err;

	TEST_ASSERT(d);
	err = fx_build(&t, ranges, TG_ARRAY_SIZE(ranges), NULL, 0, routes, TG_ARRAY_SIZE(routes),
		       msg, sizeof(msg));
	TEST_ERR(err);
	for (size_t i = 0; i < TG_ARRAY_SIZE(cases); i++) {
		struct route_query q;

		fx_query(&q, cases[i].src, cases[i].called, "");
		q.weekday = cases[i].weekday;
		q.minute = cases[i].minute;
		route_decide(t, &q, d);
		if (d->outcome != cases[i].outcome || !fx_step_has(d, cases[i].step)) {
			printf("# case %zu\n", i);
			fx_steps_print(d);
		}
		TEST_EQ(cases[i].outcome, d->outcome);
		TEST_EQ(cases[i].cause, d->cause);
		TEST_ASSERT(fx_step_has(d, cases[i].step));
	}
	route_table_unref(t);
	t = NULL;
	/* a table with no routes at all */
	err = fx_build(&t, ranges, TG_ARRAY_SIZE(ranges), NULL, 0, NULL, 0, msg, sizeof(msg));
	TEST_ERR(err);
	{
		struct route_query q;

		fx_query(&q, G_CARRIER, "2000", "");
		route_decide(t, &q, d);
		TEST_EQ(ROUTE_NO_ROUTE, d->outcome);
		TEST_EQ(3, d->cause);
		TEST_ASSERT(d->range && strcmp(d->range->name, "pbx") == 0);
		TEST_ASSERT(d->route == NULL);
		fx_query(&q, G_CARRIER, "5000", "");
		route_decide(t, &q, d);
		TEST_EQ(ROUTE_UNALLOCATED, d->outcome);
		TEST_EQ(1, d->cause);
		TEST_ASSERT(d->range == NULL);
		/* no table, no query */
		route_decide(NULL, &q, d);
		TEST_EQ(ROUTE_NO_ROUTE, d->outcome);
		TEST_EQ(3, d->cause);
		TEST_ASSERT(fx_step_has(d, "no routing table"));
		route_decide(t, NULL, d);
		TEST_EQ(ROUTE_NO_ROUTE, d->outcome);
	}
 out:
	free(d);
	route_table_unref(t);
	return err;
}

/* ARCHITECTURE.md deployment 1: the carrier span in front, the PBX keeps its
 * numbers, Enterprise Voice users move in by range; one owner route
 * delivers every range, and departments move by editing ranges. */
int test_route_enterprise_voice_in_front_of_the_pbx_end_to_end(void)
{
	struct route_range ranges[] = {
		RG(1, "company", "+4930123400", "+4930123499", "", G_PBX, false),
		RG(2, "ev-sales", "+4930123450", "+4930123459", "", G_LYNC, false),
		RG(3, "fax", "+4930123490", "+4930123490", "", G_FAX, false),
	};
	static const struct route_rule rules[] = {
		/* the carrier sends national numbers and extensions: make E.164 */
		{ 1, G_CARRIER, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 1, .match = ROUTE_MATCH_REGEX,
		  .pattern = "^0(\\d+)$", .replacement = "+49$1", .set_ton = 1, .set_npi = 1,
		  .presentation = -1 },
		{ 2, G_CARRIER, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 2, .match = ROUTE_MATCH_REGEX,
		  .pattern = "^(\\d{2})$", .replacement = "+49301234$1", .set_ton = 1, .set_npi = 1,
		  .presentation = -1 },
		{ 3, G_CARRIER, ROUTE_DIR_IN, ROUTE_FIELD_CALLING, 1, .match = ROUTE_MATCH_PREFIX,
		  .pattern = "0", .strip = 1, .prepend = "+49", .set_ton = 1, .set_npi = 1,
		  .presentation = -1 },
		/* the PBX wants two-digit extensions, and sends them */
		{ 4, G_PBX, ROUTE_DIR_OUT, ROUTE_FIELD_CALLED, 1, .match = ROUTE_MATCH_PREFIX,
		  .pattern = "+49301234", .strip = 9, .prepend = "", .set_ton = 4, .set_npi = 9,
		  .presentation = -1 },
		{ 5, G_PBX, ROUTE_DIR_IN, ROUTE_FIELD_CALLING, 1, .match = ROUTE_MATCH_REGEX,
		  .pattern = "^(\\d{2})$", .replacement = "+49301234$1", .set_ton = -1,
		  .set_npi = -1, .presentation = -1 },
		/* the carrier wants national numbers */
		{ 6, G_CARRIER, ROUTE_DIR_OUT, ROUTE_FIELD_CALLED, 1, .match = ROUTE_MATCH_PREFIX,
		  .pattern = "+49", .strip = 3, .prepend = "0", .set_ton = 2, .set_npi = 1,
		  .presentation = -1 },
		{ 7, G_CARRIER, ROUTE_DIR_OUT, ROUTE_FIELD_CALLING, 1, .match = ROUTE_MATCH_PREFIX,
		  .pattern = "+49", .strip = 3, .prepend = "0", .set_ton = -1, .set_npi = -1,
		  .presentation = -1 },
	};
	static const struct route_route routes[] = {
		{ 1, "to-owner", true, 10, 0, 0, "", "", 0, ALLDAY, 0, "", .ndests = 0 },
		{ 2, "to-pstn", true, 20, 0, 0, "+", "", 0, ALLDAY, 0, "", D1(G_CARRIER) },
	};
	static const struct {
		long long src;
		const char *called, *calling;
		long long group;
		const char *called_out, *calling_out;
	} cases[] = {
		{ G_CARRIER, "030123451", "0401111", G_LYNC, "+4930123451", "+49401111" },
		{ G_CARRIER, "030123417", "0401111", G_PBX, "17", "+49401111" },
		{ G_CARRIER, "17", "0401111", G_PBX, "17", "+49401111" },
		{ G_CARRIER, "55", "0401111", G_LYNC, "+4930123455", "+49401111" },
		{ G_CARRIER, "90", "0401111", G_FAX, "+4930123490", "+49401111" },
		{ G_PBX, "+4930123455", "17", G_LYNC, "+4930123455", "+4930123417" },
		{ G_LYNC, "+4930123417", "+4930123455", G_PBX, "17", "+4930123455" },
		{ G_LYNC, "+4940555", "+4930123455", G_CARRIER, "040555", "030123455" },
		{ G_PBX, "+4940555", "17", G_CARRIER, "040555", "030123417" },
	};
	struct route_decision *d = calloc(1, sizeof(*d));
	struct route_table *t = NULL;
	char msg[ROUTE_ERR_LEN];
	int err;

	TEST_ASSERT(d);
	err = fx_build(&t, ranges, TG_ARRAY_SIZE(ranges), rules, TG_ARRAY_SIZE(rules), routes,
		       TG_ARRAY_SIZE(routes), msg, sizeof(msg));
	if (err)
		printf("# %s\n", msg);
	TEST_ERR(err);
	for (size_t i = 0; i < TG_ARRAY_SIZE(cases); i++) {
		struct route_query q;

		fx_query(&q, cases[i].src, cases[i].called, cases[i].calling);
		route_decide(t, &q, d);
		if (d->outcome != ROUTE_OK || d->targets[0].group_id != cases[i].group)
			fx_steps_print(d);
		TEST_EQ(ROUTE_OK, d->outcome);
		TEST_EQ(1, d->ntargets);
		TEST_EQ(cases[i].group, d->targets[0].group_id);
		/* the owner route has no destination of its own */
		TEST_ASSERT((d->targets[0].dest == NULL) == (strcmp(d->route->name, "to-owner") == 0));
		TEST_STREQ(cases[i].called_out, d->targets[0].called.digits);
		TEST_STREQ(cases[i].calling_out, d->targets[0].calling.digits);
	}
	/* TON/NPI as the PBX's outbound rule sets them */
	{
		struct route_query q;

		fx_query(&q, G_CARRIER, "17", "0401111");
		route_decide(t, &q, d);
		TEST_EQ(4, d->targets[0].called.ton);
		TEST_EQ(9, d->targets[0].called.npi);
		TEST_EQ(1, d->called_in.ton);
	}
	/* moving a department = editing ranges: sales grows to 40..59 */
	route_table_unref(t);
	t = NULL;
	ranges[1].first = "+4930123440";
	err = fx_build(&t, ranges, TG_ARRAY_SIZE(ranges), rules, TG_ARRAY_SIZE(rules), routes,
		       TG_ARRAY_SIZE(routes), msg, sizeof(msg));
	TEST_ERR(err);
	{
		struct route_query q;

		fx_query(&q, G_CARRIER, "44", "0401111");
		route_decide(t, &q, d);
		TEST_EQ(G_LYNC, d->targets[0].group_id);
		TEST_STREQ("ev-sales", d->range->name);
	}
 out:
	free(d);
	route_table_unref(t);
	return err;
}

int test_route_steps_explain_the_decision(void)
{
	static const struct route_range ranges[] = {
		RG(1, "ev-users", "+14255550000", "+14255550999", "", G_LYNC, false),
	};
	static const struct route_rule rules[] = {
		{ 4, G_CARRIER, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 1, .match = ROUTE_MATCH_REGEX,
		  .pattern = "^(\\d{4})$", .replacement = "+1425555$1", .set_ton = -1, .set_npi = -1,
		  .presentation = -1 },
		{ 5, G_ITSP, ROUTE_DIR_OUT, ROUTE_FIELD_CALLED, 1, .match = ROUTE_MATCH_PREFIX,
		  .pattern = "+1", .strip = 1, .prepend = "", .set_ton = -1, .set_npi = -1,
		  .presentation = -1 },
	};
	static const struct route_route routes[] = {
		{ 1, "ev-in", true, 0, G_CARRIER, 0, "+142555501", "", 0x1f, 480, 1080, 0, "",
		  .ndests = 3, .dests = { { G_PBX, 0, 1, 0, { 0 } }, { G_LYNC, 0, 2, 0, { 0 } },
					  { G_ITSP, 0, 3, 0, { 0 } } } },
		{ 2, "ev-any", true, 0, 0, 1, "", "", 0, ALLDAY, 0, "", D1(G_LYNC) },
	};
	static const long long down[] = { G_PBX };
	struct route_decision *d = calloc(1, sizeof(*d));
	struct route_table *t = NULL;
	struct route_query q;
	char msg[ROUTE_ERR_LEN];
	int err;

	TEST_ASSERT(d);
	err = fx_build(&t, ranges, 1, rules, 2, routes, 2, msg, sizeof(msg));
	TEST_ERR(err);
	fx_query(&q, G_CARRIER, "0123", "+4930111");
	q.down_groups = down;
	q.ndown = 1;
	route_decide(t, &q, d);
	TEST_EQ(ROUTE_OK, d->outcome);
	TEST_STREQ("inbound rule 4 on carrier: called 0123 -> +14255550123", d->steps[0]);
	TEST_STREQ("range ev-users matched (1000 numbers)", d->steps[1]);
	TEST_STREQ("route ev-in matched: called prefix +142555501, from carrier, mon-fri "
		   "08:00-18:00", d->steps[2]);
	TEST_STREQ("route ev-in is the most specific of 2 that matched", d->steps[3]);
	TEST_STREQ("destination pbx skipped: down", d->steps[4]);
	TEST_STREQ("destination 1: lync", d->steps[5]);
	TEST_STREQ("destination 2: itsp", d->steps[6]);
	TEST_STREQ("outbound rule 5 on itsp: called +14255550123 -> 14255550123", d->steps[7]);
	TEST_EQ(8, d->nsteps);
	TEST_STREQ("+14255550123", d->targets[0].called.digits);
	TEST_STREQ("14255550123", d->targets[1].called.digits);
	TEST_STREQ("lync", d->targets[0].group_name);
	/* on Saturday ev-in is outside its window */
	q.weekday = 5;
	route_decide(t, &q, d);
	TEST_ASSERT(fx_step_has(d, "route ev-in not taken: outside mon-fri 08:00-18:00"));
	TEST_ASSERT(fx_step_has(d, "route ev-any matched: range ev-users"));
	route_table_unref(t);
	t = NULL;

	/* many steps: capped, the last one says so, the decision is whole */
	{
		struct route_rule many[80];

		for (int i = 0; i < 80; i++)
			many[i] = (struct route_rule){ i + 1, G_CARRIER, ROUTE_DIR_IN,
						       ROUTE_FIELD_CALLED, i, .match = ROUTE_MATCH_PREFIX,
						       .pattern = "", .prepend = "", .set_ton = -1,
						       .set_npi = -1, .presentation = -1 };
		err = fx_build(&t, ranges, 1, many, 80, routes, 2, msg, sizeof(msg));
		TEST_ERR(err);
		fx_query(&q, G_CARRIER, "+14255550123", "");
		route_decide(t, &q, d);
		TEST_EQ(ROUTE_MAX_STEPS, d->nsteps);
		TEST_STREQ("(further steps left out)", d->steps[ROUTE_MAX_STEPS - 1]);
		TEST_EQ(ROUTE_OK, d->outcome);
		TEST_STREQ("ev-in", d->route->name);
	}
 out:
	free(d);
	route_table_unref(t);
	return err;
}

int test_route_build_refuses_bad_routes_naming_route_and_field(void)
{
	static const struct route_range ranges[] = {
		RG(1, "pbx", "2000", "2999", "", G_PBX, false),
	};
	static const struct {
		struct route_route r;
		const char *field;              /* route_route_check's; NULL: passes the check */
		const char *msg;                /* route_table_build's */
	} cases[] = {
		{ { 1, "r", true, 0, 0, 0, "", "", 0, ALLDAY, 0, "", D1(99) }, NULL,
		  "route r: destination 1: group 99 does not exist" },
		{ { 1, "r", true, 0, 0, 99, "", "", 0, ALLDAY, 0, "", D1(G_PBX) }, NULL,
		  "route r: number range 99 does not exist" },
		{ { 1, "r", true, 0, 99, 0, "", "", 0, ALLDAY, 0, "", D1(G_PBX) }, NULL,
		  "route r: source group 99 does not exist" },
		{ { 1, "r", true, 0, 0, 0, "", "", 0, ALLDAY, 99, "", D1(G_PBX) }, NULL,
		  "route r: survivability group 99 does not exist" },
		{ { 1, "r", false, 0, 0, 0, "", "", 0, ALLDAY, 0, "", D1(99) }, NULL,
		  "route r: destination 1: group 99 does not exist" },
		{ { 1, "r", true, 0, 0, 0, "", "", 0, ALLDAY, 0, "abc", D1(G_PBX) },
		  "survivability_forward", "route r: survivability_forward: \"abc\" is not a number" },
		{ { 1, "r", true, 0, 0, 0, "", "", 0, 1440, 60, 0, "", D1(G_PBX) }, "time_from",
		  "route r: time_from: 1440 is not a minute of the day" },
		{ { 1, "r", true, 0, 0, 0, "", "", 0, 60, 1441, 0, "", D1(G_PBX) }, "time_to",
		  "route r: time_to: 1441 is not a minute of the day" },
		{ { 1, "r", true, 0, 0, 0, "", "", 0, -2, 60, 0, "", D1(G_PBX) }, "time_from",
		  "time_from: -2" },
		{ { 1, "r", true, 0, 0, 0, "", "", 0, 600, -1, 0, "", D1(G_PBX) }, "time_to",
		  "route r: time_to: give both ends of the time window or neither" },
		{ { 1, "r", true, 0, 0, 0, "", "", 0, -1, 600, 0, "", D1(G_PBX) }, "time_from",
		  "give both ends" },
		{ { 1, "r", true, 0, 0, 0, "", "", 0, 600, 600, 0, "", D1(G_PBX) }, "time_to",
		  "starts and ends at the same time" },
		{ { 1, "r", true, 0, 0, 0, "", "", 0x80, ALLDAY, 0, "", D1(G_PBX) }, "days",
		  "route r: days: 0x80 has bits beyond Sunday" },
		{ { 1, "r", true, 0, 0, 0, "12a", "", 0, ALLDAY, 0, "", D1(G_PBX) }, "called_prefix",
		  "route r: called_prefix: \"12a\" is not a number prefix" },
		{ { 1, "r", true, 0, 0, 0, "", "1+2", 0, ALLDAY, 0, "", D1(G_PBX) }, "calling_prefix",
		  "route r: calling_prefix: \"1+2\" is not a number prefix" },
		{ { 1, "r", true, 0, -1, 0, "", "", 0, ALLDAY, 0, "", D1(G_PBX) }, "source_group_id",
		  "route r: source_group_id: -1 is not a group" },
		{ { 1, "r", true, 0, 0, -1, "", "", 0, ALLDAY, 0, "", D1(G_PBX) }, "range_id",
		  "route r: range_id: -1 is not a range" },
		{ { 1, "r", true, 0, 0, 0, "", "", 0, ALLDAY, -5, "", D1(G_PBX) },
		  "survivability_group_id", "survivability_group_id: -5 is not a group" },
		{ { 1, "r", true, 0, 0, 0, "", "", 0, ALLDAY, 0, "", .ndests = 9 }, "dests",
		  "route r: dests: 9 destinations, at most 8" },
		{ { 1, "r", true, 0, 0, 0, "", "", 0, ALLDAY, 0, "", D1(0) }, "dests",
		  "route r: dests: destination 1: 0 is not a group" },
		{ { 1, "r", true, 0, 0, 0, "", "", 0, ALLDAY, 0, "", .ndests = 2,
		    .dests = { { G_PBX, 0, 0, 1, { 34 } }, { G_LYNC, 0, 0, 2, { 34, 200 } } } },
		  "dests", "route r: dests: destination 2: failover cause 200 is neither a Q.850 "
		  "cause (1-127) nor a SIP status (300-699)" },
		{ { 1, "r", true, 0, 0, 0, "", "", 0, ALLDAY, 0, "", .ndests = 1,
		    .dests = { { G_PBX, 0, 0, 33, { 34 } } } }, "dests",
		  "destination 1: 33 failover causes, at most 32" },
		{ { 7, "", true, 0, 0, 0, "", "", 0, ALLDAY, 0, "", D1(99) }, NULL,
		  "route #7: destination 1: group 99 does not exist" },
	};
	int err = 0;

	for (size_t i = 0; i < TG_ARRAY_SIZE(cases); i++) {
		struct route_table *t = NULL;
		const char *field = NULL;
		char msg[ROUTE_ERR_LEN] = "";
		int rc = route_route_check(&cases[i].r, &field, msg, sizeof(msg));

		if (cases[i].field) {
			TEST_EQ(EINVAL, rc);
			TEST_STREQ(cases[i].field, field);
		} else {
			TEST_EQ(0, rc);
		}
		rc = fx_build(&t, ranges, 1, NULL, 0, &cases[i].r, 1, msg, sizeof(msg));
		route_table_unref(t);
		if (rc == 0)
			printf("# case %zu built\n", i);
		TEST_EQ(EINVAL, rc);
		TEST_CONTAINS(msg, cases[i].msg);
	}
	/* ids: two groups, two ranges with one id; a range naming a missing group */
	{
		static const struct route_group g2[] = { { 1, "a", ROUTE_GROUP_SIP, 0 },
							 { 1, "b", ROUTE_GROUP_SPAN, 0 } };
		static const struct route_group g3[] = { { 1, "a", 7 } };
		static const struct route_group g4[] = { { 0, "zero", ROUTE_GROUP_SIP, 0 } };
		static const struct route_range r2[] = { RG(5, "x", "", "", "1", G_PBX, false),
							 RG(5, "y", "", "", "2", G_PBX, false) };
		static const struct route_range r3[] = { RG(5, "x", "", "", "1", 99, false) };
		struct route_config cfg = { g2, 2, NULL, 0, NULL, 0, NULL, 0 };
		struct route_table *t = NULL;
		char msg[ROUTE_ERR_LEN];

		TEST_EQ(EINVAL, route_table_build(&t, &cfg, msg, sizeof(msg)));
		TEST_STREQ("groups a and b have the same id 1", msg);
		cfg.groups = g3;
		cfg.ngroups = 1;
		TEST_EQ(EINVAL, route_table_build(&t, &cfg, msg, sizeof(msg)));
		TEST_STREQ("group a: kind: 7 is not span, sip or analog", msg);
		cfg.groups = g4;
		TEST_EQ(EINVAL, route_table_build(&t, &cfg, msg, sizeof(msg)));
		TEST_STREQ("group zero: id 0 is not positive", msg);
		TEST_EQ(EINVAL, fx_build(&t, r2, 2, NULL, 0, NULL, 0, msg, sizeof(msg)));
		TEST_STREQ("number ranges x and y have the same id 5", msg);
		TEST_EQ(EINVAL, fx_build(&t, r3, 1, NULL, 0, NULL, 0, msg, sizeof(msg)));
		TEST_STREQ("number range x: group 99 does not exist", msg);
		/* no room for the message is no crash */
		TEST_EQ(EINVAL, fx_build(&t, r3, 1, NULL, 0, NULL, 0, NULL, 0));
		TEST_ASSERT(t == NULL);
		/* an empty config builds, and routes nothing */
		cfg = (struct route_config){ 0 };
		TEST_ERR(route_table_build(&t, &cfg, msg, sizeof(msg)));
		TEST_STREQ("", msg);
		TEST_ASSERT(route_group_by_id(t, 1) == NULL);
		route_table_unref(t);
	}
 out:
	return err;
}

int test_route_decisions_point_into_the_table_not_the_config(void)
{
	struct route_group *groups = calloc(2, sizeof(*groups));
	struct route_range *ranges = calloc(1, sizeof(*ranges));
	struct route_route *routes = calloc(1, sizeof(*routes));
	char *names[5] = { strdup("pbx"), strdup("lync"), strdup("ev"), strdup("ev-route"),
			   strdup("+1425") };
	struct route_decision *d = calloc(1, sizeof(*d));
	struct route_table *t = NULL, *call_ref = NULL;
	struct route_config cfg;
	struct route_query q;
	char msg[ROUTE_ERR_LEN];
	int err = 0;

	for (int i = 0; i < 5; i++)
		TEST_ASSERT(names[i]);
	TEST_ASSERT(groups && ranges && routes && d);
	groups[0] = (struct route_group){ 10, names[0], ROUTE_GROUP_SPAN, 0 };
	groups[1] = (struct route_group){ 20, names[1], ROUTE_GROUP_SIP, 0 };
	ranges[0] = (struct route_range){ 5, names[2], "", "", names[4], 20, false };
	routes[0] = (struct route_route){ 7, names[3], true, 0, 0, 5, "", "", 0, ALLDAY, 0, "",
					  .ndests = 1, .dests = { { 20, 0, 0, 2, { 34, 503 } } } };
	cfg = (struct route_config){ groups, 2, ranges, 1, NULL, 0, routes, 1 };
	err = route_table_build(&t, &cfg, msg, sizeof(msg));
	TEST_ERR(err);
	/* the config goes away, as the loader's snapshot would */
	for (int i = 0; i < 5; i++) {
		memset(names[i], 'x', strlen(names[i]));
		free(names[i]);
		names[i] = NULL;
	}
	memset(routes, 0, sizeof(*routes));
	free(groups);
	free(ranges);
	free(routes);
	groups = NULL;
	ranges = NULL;
	routes = NULL;
	/* a call keeps its own reference; the config generation lets go */
	call_ref = t;
	route_table_ref(call_ref);
	route_table_unref(t);
	t = NULL;
	fx_query(&q, 10, "+14255550123", "");
	route_decide(call_ref, &q, d);
	TEST_EQ(ROUTE_OK, d->outcome);
	TEST_STREQ("ev-route", d->route->name);
	TEST_STREQ("ev", d->range->name);
	TEST_STREQ("+1425", d->range->prefix);
	TEST_STREQ("lync", d->targets[0].group_name);
	TEST_ASSERT(route_should_failover(d->targets[0].dest, 503));
	TEST_ASSERT(!route_should_failover(d->targets[0].dest, 486));
	TEST_STREQ("pbx", route_group_by_id(call_ref, 10)->name);
	TEST_EQ(ROUTE_GROUP_SIP, route_group_by_id(call_ref, 20)->kind);
	TEST_ASSERT(route_group_by_id(call_ref, 30) == NULL);
	TEST_ASSERT(route_group_by_id(NULL, 10) == NULL);
 out:
	for (int i = 0; i < 5; i++)
		free(names[i]);
	free(groups);
	free(ranges);
	free(routes);
	free(d);
	route_table_unref(t);
	route_table_unref(call_ref);
	return err;
}
