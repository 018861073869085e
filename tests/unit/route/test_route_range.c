/*
 * test_route_range.c -- number ranges: checks, specificity, overlaps, and the
 * flattened lookup against a brute-force reference.
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

int test_route_range_check_accepts_good_ranges_and_names_the_bad_field(void);
int test_route_range_most_specific_range_wins(void);
int test_route_range_nested_ok_crossing_refused_override_wins(void);
int test_route_range_lookup_agrees_with_a_brute_force_reference(void);
int test_route_range_table_is_refcounted_and_owns_its_copies(void);

#define R(id, name, first, last, prefix, group, ovr) \
	{ id, name, first, last, prefix, group, ovr }

int test_route_range_check_accepts_good_ranges_and_names_the_bad_field(void)
{
	static const struct {
		const char *first, *last, *prefix;
		long long group;
		const char *field;      /* NULL: accepted */
		const char *msg;
	} cases[] = {
		{ "1000", "1999", "", 1, NULL, NULL },
		{ "+4930100", "+4930199", "", 1, NULL, NULL },
		{ "", "", "+4930", 1, NULL, NULL },
		{ "", "", "0", 0, NULL, NULL },
		{ "", "", "+1", 2, NULL, NULL },
		{ "5", "5", "", 1, NULL, NULL },
		{ "000", "999", "", 1, NULL, NULL },
		{ "123456789012345678", "123456789012345679", "", 1, NULL, NULL },
		{ "+123456789012345678", "+123456789012345678", "", 1, NULL, NULL },
		{ "", "", "12345678901234567890123456789012", 1, NULL, NULL },
		{ "", "", "+1234567890123456789012345678901", 1, NULL, NULL },
		{ "1999", "1000", "", 1, "last", "number range r: last is before first" },
		{ "+4930199", "+4930100", "", 1, "last", "last is before first" },
		{ "100", "1999", "", 1, "last", "must have as many digits as first (3)" },
		{ "1000", "999", "", 1, "last", "as many digits" },
		{ "+1000", "1999", "", 1, "last", "both start with + or neither" },
		{ "1000", "+199", "", 1, "last", "both start with + or neither" },
		{ "10a0", "1999", "", 1, "first", "first: \"10a0\" is not a number" },
		{ "1000", "19#9", "", 1, "last", "last: \"19#9\" is not a number" },
		{ "+", "+", "", 1, "first", "is not a number" },
		{ "1000", "", "", 1, "last", "last: \"\" is not a number" },
		{ "", "1999", "", 1, "first", "first: \"\" is not a number" },
		{ "++100", "++199", "", 1, "first", "is not a number" },
		{ "10 0", "1999", "", 1, "first", "is not a number" },
		{ "1234567890123456789", "1234567890123456789", "", 1, "first",
		  "more than 18 digits (use a prefix)" },
		{ "", "", "", 1, "prefix", "needs a prefix or first and last" },
		{ "1000", "1999", "1", 1, "prefix", "not both" },
		{ "", "1999", "1", 1, "prefix", "not both" },
		{ "", "", "+", 1, "prefix", "is not a number prefix" },
		{ "", "", "49*", 1, "prefix", "is not a number prefix" },
		{ "", "", "4+9", 1, "prefix", "is not a number prefix" },
		{ "", "", "123456789012345678901234567890123", 1, "prefix", "not a number prefix" },
		{ "", "", "+12345678901234567890123456789012", 1, "prefix", "not a number prefix" },
		{ "", "", "49", -1, "group_id", "group_id: -1 is not a group" },
	};
	int err = 0;

	for (size_t i = 0; i < TG_ARRAY_SIZE(cases); i++) {
		struct route_range r = { 7, "r", cases[i].first, cases[i].last, cases[i].prefix,
					 cases[i].group, false };
		const char *field = NULL;
		char msg[ROUTE_ERR_LEN] = "";
		int rc = route_range_check(&r, &field, msg, sizeof(msg));

		if (!cases[i].field) {
			if (rc)
				printf("# case %zu: %s\n", i, msg);
			TEST_EQ(0, rc);
			continue;
		}
		if (rc != EINVAL)
			printf("# case %zu accepted\n", i);
		TEST_EQ(EINVAL, rc);
		TEST_STREQ(cases[i].field, field);
		TEST_CONTAINS(msg, cases[i].msg);
	}
	/* NULL strings are empty strings; an unnamed range is named by its id */
	{
		struct route_range r = { 42, NULL, NULL, NULL, NULL, 1, false };
		char msg[ROUTE_ERR_LEN];

		TEST_EQ(EINVAL, route_range_check(&r, NULL, msg, sizeof(msg)));
		TEST_CONTAINS(msg, "number range #42: needs a prefix");
	}
 out:
	return err;
}

static const struct route_range plan[] = {
	R(1, "de", "", "", "+49", G_CARRIER, false),
	R(2, "berlin", "", "", "+4930", G_CARRIER, false),
	R(3, "hq-pbx", "+493012340000", "+493012349999", "", G_PBX, false),
	R(4, "ev-sales", "+493012345000", "+493012345999", "", G_LYNC, false),
	R(5, "ev-exec", "", "", "+49301234599", G_LYNC, false),
	R(6, "fax", "+493012340100", "+493012340199", "", G_FAX, false),
	R(7, "pilot", "+493012340000", "+493012340000", "", G_LYNC, false),
	R(8, "lab", "+493012349950", "+493012350049", "", G_LYNC, true),
	R(9, "national", "", "", "0", G_CARRIER, false),
	R(10, "berlin-national", "0301234000", "0301234999", "", G_PBX, false),
	R(11, "intl", "", "", "00", G_CARRIER, false),
	R(12, "ext", "1000", "1999", "", G_PBX, false),
	R(13, "ext-ev", "1500", "1599", "", G_LYNC, false),
	R(14, "ext-ev-pfx", "", "", "15", G_LYNC, false),
	R(15, "us", "", "", "+1", G_ITSP, false),
	R(16, "redmond", "+14255550000", "+14255559999", "", G_LYNC, false),
	R(17, "emergency", "", "", "112", G_CARRIER, false),
	R(18, "long", "", "", "+4930123456789012345678901", G_ITSP, false),
};

int test_route_range_most_specific_range_wins(void)
{
	static const struct {
		const char *number, *range;     /* NULL: in no range */
		unsigned long long count;       /* the step's "(N numbers)", 0: unchecked */
	} cases[] = {
		{ "+493012345123", "ev-sales", 1000 },
		{ "+493012345000", "ev-sales", 0 },
		{ "+493012345999", "ev-exec", 10 },
		{ "+493012345995", "ev-exec", 10 },
		{ "+493012345989", "ev-sales", 0 },
		{ "+4930123459951", "ev-exec", 100 },
		{ "+49301234599", "ev-exec", 1 },
		{ "+493012344000", "hq-pbx", 10000 },
		{ "+493012346000", "hq-pbx", 0 },
		{ "+493012340150", "fax", 100 },
		{ "+493012340100", "fax", 0 },
		{ "+493012340199", "fax", 0 },
		{ "+493012340200", "hq-pbx", 0 },
		{ "+493012340099", "hq-pbx", 0 },
		{ "+493012340000", "pilot", 1 },
		{ "+493012340001", "hq-pbx", 0 },
		{ "+493012349949", "hq-pbx", 0 },
		{ "+493012349950", "lab", 100 },
		{ "+493012349999", "lab", 0 },
		{ "+493012350000", "lab", 0 },
		{ "+493012350049", "lab", 0 },
		{ "+493012350050", "berlin", 0 },
		{ "+493012339999", "berlin", 0 },
		{ "+49301234", "berlin", 0 },
		{ "+4930", "berlin", 1 },
		{ "+493", "de", 0 },
		{ "+4940123", "de", 0 },
		{ "+49", "de", 0 },
		{ "+44123", NULL, 0 },
		{ "+4", NULL, 0 },
		{ "+", NULL, 0 },
		{ "0301234567", "berlin-national", 1000 },
		{ "0301234000", "berlin-national", 0 },
		{ "0301234999", "berlin-national", 0 },
		{ "0301235000", "national", 0 },
		{ "030123456", "national", 0 },
		{ "03012345678", "national", 0 },
		{ "00441234", "intl", 0 },
		{ "0", "national", 0 },
		{ "1234", "ext", 1000 },
		{ "1000", "ext", 0 },
		{ "1999", "ext", 0 },
		{ "1499", "ext", 0 },
		{ "1500", "ext-ev", 100 },
		{ "1550", "ext-ev", 0 },
		{ "1599", "ext-ev", 0 },
		{ "1600", "ext", 0 },
		{ "15", "ext-ev-pfx", 1 },
		{ "155", "ext-ev-pfx", 10 },
		{ "15500", "ext-ev-pfx", 1000 },
		{ "1125", "emergency", 10 },
		{ "112", "emergency", 1 },
		{ "11", NULL, 0 },
		{ "2000", NULL, 0 },
		{ "999", NULL, 0 },
		{ "0999", "national", 0 },
		{ "+14255551234", "redmond", 10000 },
		{ "+14255561234", "us", 0 },
		{ "+1425555123", "us", 0 },
		{ "+142555512345", "us", 0 },
		{ "+1", "us", 0 },
		{ "", NULL, 0 },
		{ "*72", NULL, 0 },
		{ "#31#", NULL, 0 },
		{ "+4930*1", "berlin", 0 },
		{ "4930", NULL, 0 },
		{ "49301234500", NULL, 0 },
		{ "+4930123456789012345678901", "long", 1 },
		{ "+4930123456789012345678901234", "long", 1000 },
		{ "+493012345678901234567890", "berlin", 0 },
		{ "+4930123456789012345678901234567", "long", 0 },
	};
	struct route_table *t = NULL;
	struct route_decision *d = NULL;
	char msg[ROUTE_ERR_LEN];
	int err;

	err = fx_build(&t, plan, TG_ARRAY_SIZE(plan), NULL, 0, NULL, 0, msg, sizeof(msg));
	if (err)
		printf("# %s\n", msg);
	TEST_ERR(err);
	d = calloc(1, sizeof(*d));
	TEST_ASSERT(d);
	for (size_t i = 0; i < TG_ARRAY_SIZE(cases); i++) {
		const struct route_range *r = route_range_lookup(t, cases[i].number);
		struct route_query q;

		if (!cases[i].range) {
			if (r)
				printf("# %s: got %s\n", cases[i].number, r->name);
			TEST_ASSERT(r == NULL);
			continue;
		}
		TEST_ASSERT(r != NULL);
		if (strcmp(r->name, cases[i].range))
			printf("# %s\n", cases[i].number);
		TEST_STREQ(cases[i].range, r->name);
		/* route_decide sees the same range and says how many numbers it holds */
		fx_query(&q, 0, cases[i].number, "");
		route_decide(t, &q, d);
		TEST_ASSERT(d->range == r);
		if (cases[i].count) {
			char want[96];

			snprintf(want, sizeof(want), "range %s matched (%llu numbers)", cases[i].range,
				 cases[i].count);
			TEST_CONTAINS(d->steps[0], want);
		}
	}
	TEST_ASSERT(route_range_lookup(NULL, "1234") == NULL);
	TEST_ASSERT(route_range_lookup(t, NULL) == NULL);
 out:
	free(d);
	route_table_unref(t);
	return err;
}

int test_route_range_nested_ok_crossing_refused_override_wins(void)
{
	static const struct {
		struct route_range r[3];
		const char *msg;                /* NULL: accepted */
		const char *probe[4][2];        /* number, range name ("-" = none) */
	} cases[] = {
		{ { R(1, "A", "1000", "1999", "", 1, 0), R(2, "B", "1500", "1599", "", 1, 0) }, NULL,
		  { { "1550", "B" }, { "1450", "A" }, { "1600", "A" } } },
		{ { R(1, "A", "1000", "1599", "", 1, 0), R(2, "B", "1500", "1999", "", 1, 0) },
		  "number ranges A (1000-1599) and B (1500-1999) overlap and neither contains the "
		  "other (mark the one that should win override_allowed)" },
		{ { R(1, "A", "1000", "1599", "", 1, 0), R(2, "B", "1500", "1999", "", 1, 1) }, NULL,
		  { { "1550", "B" }, { "1450", "A" }, { "1650", "B" }, { "1499", "A" } } },
		{ { R(1, "A", "1000", "1599", "", 1, 1), R(2, "B", "1500", "1999", "", 1, 0) }, NULL,
		  { { "1550", "A" }, { "1650", "B" }, { "1599", "A" }, { "1600", "B" } } },
		{ { R(1, "A", "1000", "1599", "", 1, 1), R(2, "B", "1500", "1999", "", 1, 1) },
		  "overlap and neither contains the other; both allow override" },
		{ { R(1, "A", "1000", "1999", "", 1, 0), R(2, "B", "1000", "1999", "", 1, 0) },
		  "number ranges A (1000-1999) and B (1000-1999) are equal (mark" },
		{ { R(1, "A", "1000", "1999", "", 1, 0), R(2, "B", "1000", "1999", "", 1, 1) }, NULL,
		  { { "1000", "B" }, { "1999", "B" } } },
		{ { R(1, "A", "1000", "1999", "", 1, 1), R(2, "B", "1000", "1999", "", 1, 0) }, NULL,
		  { { "1500", "A" } } },
		{ { R(1, "A", "1000", "1999", "", 1, 1), R(2, "B", "1000", "1999", "", 1, 1) },
		  "are equal and both allow override" },
		{ { R(1, "A", "", "", "49", 1, 0), R(2, "B", "", "", "49", 1, 0) },
		  "number ranges A (prefix 49) and B (prefix 49) are equal" },
		{ { R(1, "A", "", "", "49", 1, 0), R(2, "B", "", "", "49", 1, 1) }, NULL,
		  { { "49", "B" }, { "4912", "B" }, { "5", "-" } } },
		{ { R(1, "A", "", "", "49", 1, 1), R(2, "B", "", "", "49", 1, 0) }, NULL,
		  { { "491", "A" } } },
		{ { R(1, "A", "", "", "49", 1, 0), R(2, "B", "", "", "49", 1, 1),
		    R(3, "C", "", "", "49", 1, 0) }, "are equal" },
		{ { R(1, "A", "", "", "49", 1, 0), R(2, "B", "", "", "49", 1, 1),
		    R(3, "C", "", "", "49", 1, 1) }, "are equal and both allow override" },
		{ { R(1, "A", "1000", "1999", "", 1, 0), R(2, "P", "", "", "15", 1, 0) }, NULL,
		  { { "1550", "P" }, { "1450", "A" }, { "15", "P" }, { "150000", "P" } } },
		{ { R(1, "A", "1000", "1549", "", 1, 0), R(2, "P", "", "", "15", 1, 0) },
		  "number ranges A (1000-1549) and P (prefix 15) overlap" },
		{ { R(1, "A", "1000", "1549", "", 1, 0), R(2, "P", "", "", "15", 1, 1) }, NULL,
		  { { "1520", "P" }, { "1490", "A" }, { "1590", "P" } } },
		{ { R(1, "A", "1000", "1549", "", 1, 1), R(2, "P", "", "", "15", 1, 0) }, NULL,
		  { { "1520", "A" }, { "1560", "P" }, { "15", "P" }, { "1549", "A" } } },
		{ { R(1, "A", "1500", "1599", "", 1, 0), R(2, "P", "", "", "15", 1, 0) }, NULL,
		  { { "1550", "A" }, { "155", "P" }, { "15500", "P" }, { "1600", "-" } } },
		{ { R(1, "P", "", "", "1", 1, 0), R(2, "A", "1500", "1599", "", 1, 0) }, NULL,
		  { { "1550", "A" }, { "1650", "P" }, { "1", "P" } } },
		{ { R(1, "A", "100", "199", "", 1, 0), R(2, "B", "1000", "1999", "", 1, 0) }, NULL,
		  { { "150", "A" }, { "1500", "B" }, { "15", "-" } } },
		{ { R(1, "A", "+1000", "+1999", "", 1, 0), R(2, "B", "1000", "1999", "", 1, 0) },
		  NULL, { { "+1500", "A" }, { "1500", "B" } } },
		{ { R(1, "A", "1000", "9999", "", 1, 0), R(2, "B", "1000", "1999", "", 1, 0),
		    R(3, "C", "1000", "1099", "", 1, 0) }, NULL,
		  { { "1050", "C" }, { "1500", "B" }, { "5000", "A" }, { "0999", "-" } } },
		{ { R(1, "A", "1000", "1499", "", 1, 0), R(2, "B", "1500", "1999", "", 1, 0) }, NULL,
		  { { "1499", "A" }, { "1500", "B" } } },
		{ { R(1, "A", "1000", "1500", "", 1, 0), R(2, "B", "1500", "1999", "", 1, 0) },
		  "overlap and neither contains the other" },
		{ { R(1, "A", "1000", "1999", "", 1, 0), R(2, "B", "1234", "1234", "", 1, 0) }, NULL,
		  { { "1234", "B" }, { "1233", "A" }, { "1235", "A" } } },
		{ { R(1, "A", "1000", "1999", "", 1, 0), R(2, "B", "1100", "1300", "", 1, 1),
		    R(3, "C", "1200", "1400", "", 1, 1) }, "B (1100-1300) and C (1200-1400) overlap" },
		{ { R(1, "A", "1000", "1499", "", 1, 0), R(2, "B", "1500", "1999", "", 1, 0),
		    R(3, "C", "1400", "1600", "", 1, 1) }, NULL,
		  { { "1450", "C" }, { "1550", "C" }, { "1350", "A" }, { "1700", "B" } } },
		{ { R(1, "P", "", "", "49", 1, 0), R(2, "Q", "", "", "4930", 1, 0) }, NULL,
		  { { "493055", "Q" }, { "4931", "P" }, { "493", "P" } } },
		{ { R(1, "A", "100", "199", "", 1, 0), R(2, "P", "", "", "1500", 1, 0) }, NULL,
		  { { "150", "A" }, { "15001", "P" }, { "1500", "P" } } },
		{ { R(1, "A", "1000", "1999", "", 1, 0), R(2, "B", "1200", "1299", "", 1, 1) }, NULL,
		  { { "1250", "B" }, { "1300", "A" } } },
		{ { R(1, "A", "15", "15", "", 1, 0), R(2, "P", "", "", "15", 1, 0) }, NULL,
		  { { "15", "A" }, { "150", "P" } } },
		{ { R(1, "A", "0000", "9999", "", 1, 0), R(2, "P", "", "", "0", 1, 0),
		    R(3, "Q", "", "", "9", 1, 0) }, NULL,
		  { { "0123", "P" }, { "5123", "A" }, { "9999", "Q" }, { "0", "P" } } },
		{ { R(1, "A", "0000", "5000", "", 1, 0), R(2, "P", "", "", "5", 1, 0) },
		  "A (0000-5000) and P (prefix 5) overlap" },
		{ { R(1, "A", "1000", "1999", "", 1, 0), R(2, "B", "1500", "2499", "", 1, 1),
		    R(3, "C", "2000", "2999", "", 1, 0) }, NULL,
		  { { "1499", "A" }, { "1700", "B" }, { "2100", "B" }, { "2500", "C" } } },
		{ { R(1, "A", "1000", "1999", "", 1, 0), R(2, "B", "1500", "2499", "", 1, 1),
		    R(3, "C", "2000", "2999", "", 1, 1) }, "B (1500-2499) and C (2000-2999) overlap" },
		{ { R(1, "A", "123456789012345670", "123456789012345679", "", 1, 0),
		    R(2, "P", "", "", "12345678901234567", 1, 0) }, NULL,
		  { { "123456789012345675", "A" }, { "12345678901234567", "P" },
		    { "1234567890123456789", "P" } } },
	};
	int err = 0;

	for (size_t i = 0; i < TG_ARRAY_SIZE(cases); i++) {
		struct route_table *t = NULL;
		char msg[ROUTE_ERR_LEN] = "";
		size_t n = 0;
		int rc;

		while (n < 3 && cases[i].r[n].id)
			n++;
		rc = fx_build(&t, cases[i].r, n, NULL, 0, NULL, 0, msg, sizeof(msg));
		if (cases[i].msg) {
			if (rc == 0)
				printf("# case %zu built\n", i);
			route_table_unref(t);
			TEST_EQ(EINVAL, rc);
			TEST_CONTAINS(msg, cases[i].msg);
			continue;
		}
		if (rc)
			printf("# case %zu: %s\n", i, msg);
		TEST_ERR(rc);
		for (size_t k = 0; k < 4 && cases[i].probe[k][0]; k++) {
			const struct route_range *r = route_range_lookup(t, cases[i].probe[k][0]);
			const char *got = r ? r->name : "-";

			if (strcmp(got, cases[i].probe[k][1]))
				printf("# case %zu: %s -> %s\n", i, cases[i].probe[k][0], got);
			if (strcmp(got, cases[i].probe[k][1]))
				err = EINVAL;
		}
		route_table_unref(t);
		TEST_ERR(err);
	}
 out:
	return err;
}

/* ---- brute force ---- */

struct ref {
	bool prefix, ovr;
	char a[8], b[8];        /* first, last (or the prefix in a) */
};

static unsigned long long val(const char *s, size_t n)
{
	unsigned long long v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	return v;
}

/* The interval r holds among numbers of n digits; false if none. */
static bool ref_iv(const struct ref *r, size_t n, unsigned long long *lo, unsigned long long *hi)
{
	size_t l = strlen(r->a);
	unsigned long long s = 1;

	if (!r->prefix) {
		if (l != n)
			return false;
		*lo = val(r->a, l);
		*hi = val(r->b, l);
		return true;
	}
	if (l > n)
		return false;
	for (size_t i = l; i < n; i++)
		s *= 10;
	*lo = val(r->a, l) * s;
	*hi = *lo + s - 1;
	return true;
}

/* 1: x beats y, 0: y beats x, -1: conflict (both hold numbers of length n) */
static int ref_beats(const struct ref *x, const struct ref *y, size_t n)
{
	unsigned long long xl, xh, yl, yh;

	ref_iv(x, n, &xl, &xh);
	ref_iv(y, n, &yl, &yh);
	if (xl == yl && xh == yh) {
		if (x->prefix != y->prefix)
			return !x->prefix;
	} else if (xl >= yl && xh <= yh) {
		return 1;
	} else if (yl >= xl && yh <= xh) {
		return 0;
	}
	if (x->ovr == y->ovr)
		return -1;
	return x->ovr;
}

static bool ref_valid(const struct ref *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			for (size_t len = 1; len <= 5; len++) {
				unsigned long long a, b, c, d;

				if (!ref_iv(&v[i], len, &a, &b) || !ref_iv(&v[j], len, &c, &d))
					continue;
				if (b < c || d < a)
					continue;
				if (ref_beats(&v[i], &v[j], len) < 0)
					return false;
			}
	return true;
}

/* The most specific range holding number s; -1 if none, -2 if no winner. */
static int ref_lookup(const struct ref *v, size_t n, const char *s)
{
	size_t len = strlen(s);
	int w = -1;

	for (size_t i = 0; i < n; i++) {
		unsigned long long lo, hi, x = val(s, len);

		if (!ref_iv(&v[i], len, &lo, &hi) || x < lo || x > hi)
			continue;
		if (w < 0 || ref_beats(&v[i], &v[w], len) == 1)
			w = (int)i;
	}
	for (size_t i = 0; w >= 0 && i < n; i++) {     /* the winner must beat every other */
		unsigned long long lo, hi, x = val(s, len);

		if ((int)i == w || !ref_iv(&v[i], len, &lo, &hi) || x < lo || x > hi)
			continue;
		if (ref_beats(&v[w], &v[i], len) != 1)
			return -2;
	}
	return w;
}

static void ref_random(struct ref *r, uint32_t *seed)
{
	memset(r, 0, sizeof(*r));
	r->ovr = fx_rand(seed) % 5 == 0;
	if (fx_rand(seed) % 2) {
		size_t l = 1 + fx_rand(seed) % 3;

		r->prefix = true;
		for (size_t i = 0; i < l; i++)
			r->a[i] = (char)('0' + fx_rand(seed) % 4);     /* few digits: more overlap */
		return;
	}
	size_t l = 2 + fx_rand(seed) % 3;
	unsigned long long max = 1, lo, span, hi;

	for (size_t i = 0; i < l; i++)
		max *= 10;
	lo = fx_rand(seed) % (max / 2);
	span = fx_rand(seed) % 3 == 0 ? fx_rand(seed) % 10 : fx_rand(seed) % (max / 3);
	hi = lo + span < max ? lo + span : max - 1;
	snprintf(r->a, sizeof(r->a), "%0*llu", (int)l, lo);
	snprintf(r->b, sizeof(r->b), "%0*llu", (int)l, hi);
}

static int ref_build(struct route_table **tp, const struct ref *v, size_t n, char *msg, size_t len)
{
	struct route_range rr[16];
	char names[16][8];

	for (size_t i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "r%zu", i);
		rr[i] = (struct route_range){ (long long)i + 1, names[i], v[i].prefix ? "" : v[i].a,
					      v[i].prefix ? "" : v[i].b, v[i].prefix ? v[i].a : "",
					      1, v[i].ovr };
	}
	return fx_build(tp, rr, n, NULL, 0, NULL, 0, msg, len);
}

int test_route_range_lookup_agrees_with_a_brute_force_reference(void)
{
	uint32_t seed = 12345;
	unsigned valid_sets = 0, refused_sets = 0, lookups = 0;
	int err = 0;

	for (int iter = 0; iter < 300; iter++) {
		struct ref cand[12], v[12];
		struct route_table *t = NULL;
		char msg[ROUTE_ERR_LEN];
		size_t n = 0;
		int rc;

		for (size_t i = 0; i < 12; i++)
			ref_random(&cand[i], &seed);
		/* the whole random set: built iff the reference finds it valid */
		rc = ref_build(&t, cand, 12, msg, sizeof(msg));
		route_table_unref(t);
		t = NULL;
		if ((rc == 0) != ref_valid(cand, 12))
			printf("# iteration %d: build %d (%s), reference says %svalid\n", iter, rc, msg,
			       ref_valid(cand, 12) ? "" : "in");
		TEST_EQ(ref_valid(cand, 12), rc == 0);
		refused_sets += rc != 0;
		/* a valid subset, grown one range at a time */
		for (size_t i = 0; i < 12; i++) {
			v[n] = cand[i];
			if (ref_valid(v, n + 1))
				n++;
		}
		rc = ref_build(&t, v, n, msg, sizeof(msg));
		if (rc)
			printf("# iteration %d: %s\n", iter, msg);
		TEST_ERR(rc);
		valid_sets++;
		for (size_t len = 1; len <= 5 && !err; len++) {
			unsigned long long max = 1;

			for (size_t i = 0; i < len; i++)
				max *= 10;
			for (unsigned long long x = 0; x < max; x += len == 5 ? 7 : 1) {
				char s[8];
				const struct route_range *r;
				int w;

				snprintf(s, sizeof(s), "%0*llu", (int)len, x);
				w = ref_lookup(v, n, s);
				r = route_range_lookup(t, s);
				lookups++;
				if (w == -2 || (w < 0) != (r == NULL) ||
				    (r && r->id != (long long)w + 1)) {
					printf("# iteration %d: %s -> %s, reference %d\n", iter, s,
					       r ? r->name : "none", w);
					err = EINVAL;
					break;
				}
			}
		}
		route_table_unref(t);
		TEST_ERR(err);
	}
	printf("# %u valid sets, %u random sets refused, %u lookups compared\n", valid_sets,
	       refused_sets, lookups);
	TEST_ASSERT(refused_sets > 30 && refused_sets < 290);
 out:
	return err;
}

int test_route_range_table_is_refcounted_and_owns_its_copies(void)
{
	struct route_table *t = NULL, *held;
	char first[16], last[16], name[16], msg[ROUTE_ERR_LEN];
	struct route_range r = { 1, name, first, last, "", G_PBX, false };
	const struct route_range *hit;
	int err;

	snprintf(name, sizeof(name), "pbx");
	snprintf(first, sizeof(first), "2000");
	snprintf(last, sizeof(last), "2999");
	err = fx_build(&t, &r, 1, NULL, 0, NULL, 0, msg, sizeof(msg));
	TEST_ERR(err);
	/* the config was borrowed: scribbling over it changes nothing */
	memset(name, 'x', sizeof(name) - 1);
	memset(first, '9', sizeof(first) - 1);
	memset(last, '9', sizeof(last) - 1);
	hit = route_range_lookup(t, "2500");
	TEST_ASSERT(hit != NULL);
	TEST_STREQ("pbx", hit->name);
	TEST_STREQ("2000", hit->first);
	TEST_ASSERT(route_table_memory(t) > 0);
	TEST_EQ(0, route_table_memory(NULL));
	/* a second holder keeps it alive after the first lets go */
	held = t;
	route_table_ref(held);
	route_table_unref(t);
	t = NULL;
	hit = route_range_lookup(held, "2999");
	TEST_ASSERT(hit && strcmp(hit->name, "pbx") == 0);
	tg_unref(&held);                /* the table is a su_home: tg_unref works too */
	TEST_ASSERT(held == NULL);
	route_table_unref(NULL);
	route_table_ref(NULL);
	/* a failed build hands nothing back and leaks nothing */
	r.last = "1000";
	TEST_EQ(EINVAL, fx_build(&t, &r, 1, NULL, 0, NULL, 0, msg, sizeof(msg)));
	TEST_ASSERT(t == NULL);
	TEST_EQ(EINVAL, route_table_build(&t, NULL, msg, sizeof(msg)));
 out:
	route_table_unref(t);
	return err;
}
