/*
 * test_route_parse.c -- the small parsers: failover lists, day sets, times
 * of day; and which strings are numbers.
 */
#include "config.h"
/* case tables leave trailing fields zero */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <stdio.h>
#include <string.h>

#include "route.h"
#include "test.h"
#include "tg.h"

int test_route_failover_parse_reads_lists_and_names_the_bad_item(void);
int test_route_days_parse_reads_names_and_ranges(void);
int test_route_time_parse_reads_hh_mm(void);
int test_route_number_valid_takes_routable_numbers_only(void);

int test_route_failover_parse_reads_lists_and_names_the_bad_item(void)
{
	static const struct {
		const char *s;
		unsigned n;
		uint16_t first, last;
		const char *msg;                /* NULL: accepted */
	} cases[] = {
		{ "34,38,41,42,44,408,503", 7, 34, 503, NULL },
		{ "34", 1, 34, 34, NULL },
		{ "", 0, 0, 0, NULL },
		{ "   ", 0, 0, 0, NULL },
		{ " 34 , 38 ,503 ", 3, 34, 503, NULL },
		{ "1,127,300,699", 4, 1, 699, NULL },
		{ "34,34,38", 2, 34, 38, NULL },        /* repeats count once */
		{ "503,34", 2, 503, 34, NULL },
		{ "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,"
		  "31,32", 32, 1, 32, NULL },
		{ "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,"
		  "31,32,33", 0, 0, 0, "failover causes: more than 32" },
		{ "0", 0, 0, 0, "failover causes: 0 is neither a Q.850 cause (1-127) nor a SIP "
		  "status (300-699)" },
		{ "128", 0, 0, 0, "128 is neither" },
		{ "200", 0, 0, 0, "200 is neither" },
		{ "299", 0, 0, 0, "299 is neither" },
		{ "700", 0, 0, 0, "700 is neither" },
		{ "34,x", 0, 0, 0, "failover causes: \"x\" is not a number" },
		{ "34,,38", 0, 0, 0, "failover causes: empty item in \"34,,38\"" },
		{ "34,", 0, 0, 0, "empty item" },
		{ ",34", 0, 0, 0, "empty item" },
		{ "-34", 0, 0, 0, "\"-34\" is not a number" },
		{ "+34", 0, 0, 0, "\"+34\" is not a number" },
		{ "3 4", 0, 0, 0, "\"3 4\" is not a number" },
		{ "34;38", 0, 0, 0, "\"34;38\" is not a number" },
		{ "0x22", 0, 0, 0, "\"0x22\" is not a number" },
		{ "99999999999999999999", 0, 0, 0, "is not a number" },
		{ "034", 1, 34, 34, NULL },
	};
	int err = 0;

	for (size_t i = 0; i < TG_ARRAY_SIZE(cases); i++) {
		struct route_dest d = { .nfailover = 99 };
		char msg[ROUTE_ERR_LEN] = "";
		int rc = route_failover_parse(cases[i].s, &d, msg, sizeof(msg));

		if (cases[i].msg) {
			TEST_EQ(EINVAL, rc);
			TEST_CONTAINS(msg, cases[i].msg);
			TEST_EQ(99, d.nfailover);       /* untouched on error */
			continue;
		}
		if (rc)
			printf("# case %zu: %s\n", i, msg);
		TEST_EQ(0, rc);
		TEST_EQ(cases[i].n, d.nfailover);
		if (cases[i].n) {
			TEST_EQ(cases[i].first, d.failover[0]);
			TEST_EQ(cases[i].last, d.failover[cases[i].n - 1]);
		}
	}
	{
		struct route_dest d;
		char msg[ROUTE_ERR_LEN];

		TEST_EQ(EINVAL, route_failover_parse(NULL, &d, msg, sizeof(msg)));
		TEST_EQ(EINVAL, route_failover_parse("34", NULL, msg, sizeof(msg)));
		TEST_EQ(EINVAL, route_failover_parse("0", &d, NULL, 0));
	}
 out:
	return err;
}

int test_route_days_parse_reads_names_and_ranges(void)
{
	static const struct {
		const char *s;
		int days;                       /* -1: refused */
	} cases[] = {
		{ "mon-fri,sun", 0x5f },
		{ "mon-fri", 0x1f },
		{ "sat,sun", 0x60 },
		{ "mon", 0x01 },
		{ "sun", 0x40 },
		{ "tue,thu", 0x0a },
		{ "", 0 },
		{ "  ", 0 },
		{ "MON-FRI", 0x1f },
		{ "Mon-Fri, Sun", 0x5f },
		{ " mon - wed ", 0x07 },
		{ "fri-mon", 0x71 },            /* wraps past Sunday */
		{ "sun-sun", 0x40 },
		{ "sat-fri", 0x7f },
		{ "mon-sun", 0x7f },
		{ "wed,wed", 0x04 },
		{ "mon-tue,tue-wed", 0x07 },
		{ "monday", -1 },
		{ "mo", -1 },
		{ "mon,", -1 },
		{ ",mon", -1 },
		{ "mon,,tue", -1 },
		{ "mon-", -1 },
		{ "-fri", -1 },
		{ "mon-fri-sat", -1 },
		{ "mon;tue", -1 },
		{ "1-5", -1 },
		{ "weekdays", -1 },
		{ "mon fri", -1 },
	};
	int err = 0;

	for (size_t i = 0; i < TG_ARRAY_SIZE(cases); i++) {
		unsigned days = 0xdead;
		int rc = route_days_parse(cases[i].s, &days);

		if (cases[i].days < 0) {
			if (rc == 0)
				printf("# \"%s\" accepted as 0x%x\n", cases[i].s, days);
			TEST_EQ(EINVAL, rc);
			TEST_EQ(0xdead, days);
			continue;
		}
		if (rc)
			printf("# \"%s\" refused\n", cases[i].s);
		TEST_EQ(0, rc);
		TEST_EQ(cases[i].days, days);
	}
	TEST_EQ(EINVAL, route_days_parse(NULL, &(unsigned){ 0 }));
	TEST_EQ(EINVAL, route_days_parse("mon", NULL));
 out:
	return err;
}

int test_route_time_parse_reads_hh_mm(void)
{
	static const struct {
		const char *s;
		int minute;                     /* -1: refused */
	} cases[] = {
		{ "00:00", 0 },
		{ "08:00", 480 },
		{ "8:00", 480 },
		{ "18:30", 1110 },
		{ "23:59", 1439 },
		{ "24:00", 1440 },
		{ "0:05", 5 },
		{ "12:00", 720 },
		{ "24:01", -1 },
		{ "25:00", -1 },
		{ "12:60", -1 },
		{ "12:5", -1 },
		{ "123:00", -1 },
		{ "12-00", -1 },
		{ "1200", -1 },
		{ "", -1 },
		{ "12:00 ", -1 },
		{ " 12:00", -1 },
		{ "ab:cd", -1 },
		{ "-1:00", -1 },
		{ "12:0a", -1 },
		{ "99:99", -1 },
		{ ":00", -1 },
	};
	int err = 0;

	for (size_t i = 0; i < TG_ARRAY_SIZE(cases); i++) {
		int m = -99, rc = route_time_parse(cases[i].s, &m);

		if (cases[i].minute < 0) {
			if (rc == 0)
				printf("# \"%s\" accepted as %d\n", cases[i].s, m);
			TEST_EQ(EINVAL, rc);
			TEST_EQ(-99, m);
			continue;
		}
		TEST_EQ(0, rc);
		TEST_EQ(cases[i].minute, m);
	}
	TEST_EQ(EINVAL, route_time_parse(NULL, &(int){ 0 }));
	TEST_EQ(EINVAL, route_time_parse("12:00", NULL));
 out:
	return err;
}

int test_route_number_valid_takes_routable_numbers_only(void)
{
	static const struct {
		const char *s;
		bool valid;
	} cases[] = {
		{ "1", true },
		{ "+14255550123", true },
		{ "0301234567", true },
		{ "*72", true },
		{ "#31#0301234", true },
		{ "+*1", true },
		{ "12345678901234567890123456789012", true },
		{ "+1234567890123456789012345678901", true },
		{ "123456789012345678901234567890123", false },
		{ "+12345678901234567890123456789012", false },
		{ "", false },
		{ "+", false },
		{ "++1", false },
		{ "1+1", false },
		{ "12a", false },
		{ "1 2", false },
		{ "1-2", false },
		{ "tel:+1", false },
		{ "1\n", false },
	};
	int err = 0;

	for (size_t i = 0; i < TG_ARRAY_SIZE(cases); i++) {
		if (route_number_valid(cases[i].s) != cases[i].valid)
			printf("# \"%s\"\n", cases[i].s);
		TEST_EQ(cases[i].valid, route_number_valid(cases[i].s));
	}
	TEST_ASSERT(!route_number_valid(NULL));
 out:
	return err;
}
