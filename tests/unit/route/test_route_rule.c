/*
 * test_route_rule.c -- number manipulation rules: checks, prefix rules,
 * regex rules (the Lync normalization example among them), chaining in
 * position order, and what happens to results that are not numbers.
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

int test_route_rule_check_names_the_bad_field(void);
int test_route_rule_invalid_regex_is_refused_naming_the_rule_and_offset(void);
int test_route_rule_prefix_rules_strip_then_prepend(void);
int test_route_rule_regex_rules_substitute_capture_groups(void);
int test_route_rule_rules_chain_in_position_order_per_direction_and_field(void);
int test_route_rule_results_that_are_not_numbers_are_not_applied(void);

#define PFX(pat, n, pre) .match = ROUTE_MATCH_PREFIX, .pattern = pat, .strip = n, \
	.prepend = pre, .set_ton = -1, .set_npi = -1, .presentation = -1
#define RX(pat, repl) .match = ROUTE_MATCH_REGEX, .pattern = pat, .replacement = repl, \
	.set_ton = -1, .set_npi = -1, .presentation = -1

int test_route_rule_check_names_the_bad_field(void)
{
	static const struct {
		struct route_rule r;
		const char *field, *msg;        /* field NULL: accepted */
	} cases[] = {
		{ { 1, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, PFX("0", 1, "+49") }, NULL, NULL },
		{ { 1, 1, ROUTE_DIR_OUT, ROUTE_FIELD_CALLING, 0, PFX("", 0, "+") }, NULL, NULL },
		{ { 1, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, PFX("+49", 3, "0") }, NULL, NULL },
		{ { 1, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, PFX("*72", 3, "") }, NULL, NULL },
		{ { 1, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, PFX("#", 0, "") }, NULL, NULL },
		{ { 1, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, RX("^(\\d{4})$", "+1425555$1") },
		  NULL, NULL },
		{ { 1, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, RX("^0(\\d+)$", "+49${1}") },
		  NULL, NULL },
		{ { 1, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, RX("^(?:\\+1)?(\\d{10})$", "+1$1") },
		  NULL, NULL },
		{ { 1, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, RX("^9(\\d*)$", "$1") }, NULL, NULL },
		{ { 1, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, RX("^1$", "") }, NULL, NULL },
		{ { 1, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, RX("^(1)(2)(3)(4)(5)(6)(7)(8)(9)$",
								  "$9$8$7$6$5$4$3$2$1") }, NULL, NULL },
		{ { 1, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, RX("^\\d+$", "$0") }, NULL, NULL },
		{ { 3, 1, 7, ROUTE_FIELD_CALLED, 0, PFX("0", 1, "") }, "dir",
		  "rule 3: dir: must be in or out" },
		{ { 3, 1, ROUTE_DIR_IN, 9, 0, PFX("0", 1, "") }, "field", "must be called or calling" },
		{ { 3, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, .match = 5, .pattern = "0",
		    .set_ton = -1, .set_npi = -1, .presentation = -1 }, "match",
		  "must be prefix or regex" },
		{ { 3, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, PFX("0a", 1, "") }, "pattern",
		  "rule 3: pattern: \"0a\" is not a number prefix" },
		{ { 3, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, PFX("0+", 1, "") }, "pattern",
		  "is not a number prefix" },
		{ { 3, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, PFX("0", 33, "") }, "strip",
		  "rule 3: strip: 33 is more than a number holds (32)" },
		{ { 3, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, PFX("0", 1, "+4 9") }, "prepend",
		  "rule 3: prepend: \"+4 9\" is not a number prefix" },
		{ { 3, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, PFX("0", 1, "00x") }, "prepend",
		  "is not a number prefix" },
		{ { 3, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, .match = ROUTE_MATCH_PREFIX,
		    .pattern = "0", .set_ton = 8, .set_npi = -1, .presentation = -1 }, "set_ton",
		  "rule 3: set_ton: 8 is not a type of number (0-7)" },
		{ { 3, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, .match = ROUTE_MATCH_PREFIX,
		    .pattern = "0", .set_ton = -2, .set_npi = -1, .presentation = -1 }, "set_ton",
		  "set_ton" },
		{ { 3, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, .match = ROUTE_MATCH_PREFIX,
		    .pattern = "0", .set_ton = 1, .set_npi = 16, .presentation = -1 }, "set_npi",
		  "rule 3: set_npi: 16 is not a numbering plan (0-15)" },
		{ { 3, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, .match = ROUTE_MATCH_PREFIX,
		    .pattern = "0", .set_ton = 1, .set_npi = 1, .presentation = 2 }, "presentation",
		  "rule 3: presentation: 2 is neither allowed (0) nor restricted (1)" },
		{ { 3, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, RX("", "1") }, "pattern",
		  "rule 3: pattern: empty" },
		{ { 3, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, RX("^(\\d{4})$", "+1425555$2") },
		  "replacement", "rule 3: replacement: $2 refers to group 2 but the pattern has 1" },
		{ { 3, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, RX("^(\\d{4})$", "+1425555$10") },
		  "replacement", "$10 refers to group 10 but the pattern has 1 (write ${1}0 for "
		  "group 1 followed by 0)" },
		{ { 3, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, RX("^(\\d{4})$", "+1425555${2}") },
		  "replacement", "$2 refers to group 2 but the pattern has 1" },
		{ { 3, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, RX("^\\d+$", "$1") }, "replacement",
		  "$1 refers to group 1 but the pattern has 0" },
		{ { 3, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, RX("^(\\d+)$", "+1$") },
		  "replacement", "$ must be followed by a group number" },
		{ { 3, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, RX("^(\\d+)$", "+1${x}") },
		  "replacement", "${ must hold a group number and a }" },
		{ { 3, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, RX("^(\\d+)$", "+1${1") },
		  "replacement", "${ must hold a group number and a }" },
		{ { 3, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, RX("^(\\d+)$", "tel:$1") },
		  "replacement", "rule 3: replacement: 't' cannot be part of a number" },
		{ { 3, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, RX("^(\\d+)$", "$$1") },
		  "replacement", "$ must be followed by a group number" },
		{ { 3, 1, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, RX("^(\\d+)$", "1-$1") },
		  "replacement", "'-' cannot be part of a number" },
	};
	int err = 0;

	for (size_t i = 0; i < TG_ARRAY_SIZE(cases); i++) {
		const char *field = NULL;
		char msg[ROUTE_ERR_LEN] = "";
		int rc = route_rule_check(&cases[i].r, &field, msg, sizeof(msg));

		if (!cases[i].field) {
			if (rc)
				printf("# case %zu: %s\n", i, msg);
			TEST_EQ(0, rc);
			continue;
		}
		if (rc == 0)
			printf("# case %zu accepted\n", i);
		TEST_EQ(EINVAL, rc);
		TEST_STREQ(cases[i].field, field);
		TEST_CONTAINS(msg, cases[i].msg);
	}
 out:
	return err;
}

int test_route_rule_invalid_regex_is_refused_naming_the_rule_and_offset(void)
{
	static const struct {
		const char *pattern, *msg;
	} cases[] = {
		{ "(\\d", "rule 12: pattern: missing closing parenthesis at offset 3" },
		{ "^(\\d{4}$", "rule 12: pattern: missing closing parenthesis at offset 8" },
		{ "^\\d{4})$", "rule 12: pattern: unmatched closing parenthesis at offset 6" },
		{ "[0-9", "missing terminating ] for character class at offset 4" },
		{ "^\\d{4,2}$", "numbers out of order in {} quantifier at offset 7" },
		{ "*1", "quantifier does not follow a repeatable item at offset 0" },
		{ "^(?<n>\\d)(?<n>\\d)$", "two named subpatterns have the same name" },
		{ "\\", "\\ at end of pattern at offset 1" },
		{ "(?P<1>x)", "at offset" },
		{ "^\\k<nope>$", "reference to non-existent subpattern" },
		{ "a{99999}", "number too big in {} quantifier" },
		{ "(?<=\\d+)1", "lookbehind assertion is not fixed length" },
		{ "[z-a]", "range out of order in character class" },
	};
	int err = 0;

	for (size_t i = 0; i < TG_ARRAY_SIZE(cases); i++) {
		struct route_rule r = { 12, G_CARRIER, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0,
					RX(cases[i].pattern, "1") };
		struct route_table *t = NULL;
		const char *field = NULL;
		char msg[ROUTE_ERR_LEN] = "";

		TEST_EQ(EINVAL, route_rule_check(&r, &field, msg, sizeof(msg)));
		TEST_STREQ("pattern", field);
		TEST_CONTAINS(msg, cases[i].msg);
		TEST_CONTAINS(msg, "rule 12: pattern: ");
		/* the table refuses it the same way */
		msg[0] = '\0';
		TEST_EQ(EINVAL, fx_build(&t, NULL, 0, &r, 1, NULL, 0, msg, sizeof(msg)));
		TEST_ASSERT(t == NULL);
		TEST_CONTAINS(msg, cases[i].msg);
	}
	/* a rule on a group that does not exist */
	{
		struct route_rule r = { 13, 99, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0, PFX("0", 1, "") };
		struct route_table *t = NULL;
		char msg[ROUTE_ERR_LEN];

		TEST_EQ(EINVAL, fx_build(&t, NULL, 0, &r, 1, NULL, 0, msg, sizeof(msg)));
		TEST_STREQ("rule 13: group 99 does not exist", msg);
	}
 out:
	return err;
}

/* Run the inbound called rules of G_CARRIER on `in` with a route-less
 * table; return the manipulated number in out. */
static int manipulate(const struct route_rule *rules, size_t n, const char *in, char *out,
		      size_t outlen, struct route_decision *d)
{
	struct route_table *t = NULL;
	struct route_query q;
	char msg[ROUTE_ERR_LEN];
	int err = fx_build(&t, NULL, 0, rules, n, NULL, 0, msg, sizeof(msg));

	if (err) {
		printf("# %s\n", msg);
		return err;
	}
	fx_query(&q, G_CARRIER, in, "100");
	route_decide(t, &q, d);
	snprintf(out, outlen, "%s", d->called_in.digits);
	route_table_unref(t);
	return 0;
}

int test_route_rule_prefix_rules_strip_then_prepend(void)
{
	static const struct {
		const char *pattern;
		unsigned strip;
		const char *prepend, *in, *out;
	} cases[] = {
		{ "0", 1, "+49", "030123456", "+4930123456" },
		{ "00", 2, "+", "0014255551234", "+14255551234" },
		{ "0", 1, "+49", "0014255551234", "+49014255551234" },
		{ "+49", 3, "0", "+4930123456", "030123456" },
		{ "+1", 2, "", "+14255551234", "4255551234" },
		{ "9", 1, "", "90301234", "0301234" },
		{ "9", 0, "", "90301234", "90301234" },
		{ "", 0, "+", "4930123", "+4930123" },
		{ "", 0, "+", "", "" },             /* "+" alone is no number: not applied */
		{ "", 3, "", "12345", "45" },
		{ "1", 5, "2", "12", "2" },         /* strips more than there is: all of it */
		{ "1", 2, "", "12", "" },
		{ "12", 1, "", "1", "1" },          /* shorter than the pattern: no match */
		{ "5", 1, "6", "4555", "4555" },
		{ "*72", 3, "", "*7212345", "12345" },
		{ "#", 1, "", "#31#1234", "31#1234" },
		{ "0", 0, "", "0", "0" },
		{ "0", 1, "", "0", "" },
		{ "+", 1, "00", "+4930", "004930" },
		{ "4930", 0, "+", "4930123", "+4930123" },
		{ "4930", 4, "+4930", "4930123", "+4930123" },
		{ "1425555", 7, "", "14255551234", "1234" },
		{ "", 0, "12345678901234567890123456789012", "1", "1" },   /* too long */
		{ "", 0, "1234567890123456789012345678901", "2", "12345678901234567890123456789012" },
		{ "", 1, "1234567890123456789012345678901", "23", "12345678901234567890123456789013" },
		{ "0", 1, "+", "+0", "+0" },        /* no match: starts with + */
		{ "", 0, "+", "+4930", "+4930" },   /* "++4930" is no number: not applied */
		{ "3", 1, "+", "30", "+0" },
		{ "030", 3, "+4930", "030", "+4930" },
		{ "0", 1, "0", "0123", "0123" },
	};
	struct route_decision *d = calloc(1, sizeof(*d));
	int err = 0;

	TEST_ASSERT(d);
	for (size_t i = 0; i < TG_ARRAY_SIZE(cases); i++) {
		struct route_rule r = { 100 + (long long)i, G_CARRIER, ROUTE_DIR_IN,
					ROUTE_FIELD_CALLED, 0,
					PFX(cases[i].pattern, cases[i].strip, cases[i].prepend) };
		char out[ROUTE_NUMBER_MAX];

		err = manipulate(&r, 1, cases[i].in, out, sizeof(out), d);
		TEST_ERR(err);
		if (strcmp(out, cases[i].out)) {
			printf("# case %zu\n", i);
			fx_steps_print(d);
		}
		TEST_STREQ(cases[i].out, out);
	}
 out:
	free(d);
	return err;
}

int test_route_rule_regex_rules_substitute_capture_groups(void)
{
	static const struct {
		const char *pattern, *repl, *in, *out;
	} cases[] = {
		/* the Lync/Skype normalization example from DEPENDENCIES.md */
		{ "^(\\d{4})$", "+1425555$1", "0123", "+14255550123" },
		{ "^(\\d{4})$", "+1425555$1", "01234", "01234" },
		{ "^(\\d{4})$", "+1425555$1", "123", "123" },
		{ "^(\\d{4})$", "+1425555${1}", "4567", "+14255554567" },
		/* more Lync-style rules */
		{ "^9(\\d{10})$", "+1$1", "94255551234", "+14255551234" },
		{ "^9011(\\d{7,})$", "+$1", "901149301234567", "+49301234567" },
		{ "^(?:\\+1)?(\\d{10})$", "+1$1", "4255551234", "+14255551234" },
		{ "^(?:\\+1)?(\\d{10})$", "+1$1", "+14255551234", "+14255551234" },
		{ "^\\+?1?(425)(\\d{7})$", "+1$1$2", "14255551234", "+14255551234" },
		{ "^([2-9]\\d\\d)(\\d{4})$", "+1425$1$2", "5551234", "+14255551234" },
		{ "^([2-9]\\d\\d)(\\d{4})$", "+1425$1$2", "1551234", "1551234" },
		{ "^0(\\d+)$", "+49$1", "030123456", "+4930123456" },
		{ "^00(\\d+)$", "+$1", "0044207123", "+44207123" },
		{ "^\\+49(\\d+)$", "0$1", "+4930123", "030123" },
		{ "^\\+49(\\d+)$", "0$1", "+4430123", "+4430123" },
		/* ${n} to follow a group with a digit, $0 the whole match */
		{ "^(\\d{4})$", "${1}0", "1234", "12340" },
		{ "^(\\d)(\\d)$", "$2$1", "12", "21" },
		{ "^(1)(2)(3)(4)(5)(6)(7)(8)(9)$", "$9$8$7$6$5$4$3$2$1", "123456789", "987654321" },
		{ "^(\\d+)$", "$0$0", "12", "1212" },
		{ "^(\\d{3})(\\d*)$", "$2", "555", "" },
		/* unanchored: replaced everywhere, as .NET's Regex.Replace does */
		{ "1", "2", "1213", "2223" },
		{ "^1", "2", "1213", "2213" },
		{ "\\*", "", "*72*1", "721" },
		{ "(\\d)#$", "$1", "123#", "123" },
		/* no match leaves the number alone */
		{ "^5\\d+$", "1", "4555", "4555" },
		{ "^$", "1", "", "1" },
		/* optional group that did not take part: empty */
		{ "^(\\+)?(\\d+)$", "00$2", "4930", "004930" },
		{ "^(\\+)?(\\d+)$", "$1$2", "4930", "4930" },
		/* case and character classes as Lync writes them */
		{ "^(?:tel:)?(\\d+)$", "$1", "4930", "4930" },
		{ "^[0-9]{3}$", "911", "112", "911" },
		/* result too long or not a number: not applied */
		{ "^(\\d+)$", "$1$1$1", "12345678901", "12345678901" },
		{ "^(\\d+)$", "+$1+", "1234", "1234" },
		{ "^(\\d+)$", "++$1", "1234", "1234" },
	};
	struct route_decision *d = calloc(1, sizeof(*d));
	int err = 0;

	TEST_ASSERT(d);
	for (size_t i = 0; i < TG_ARRAY_SIZE(cases); i++) {
		struct route_rule r = { 200 + (long long)i, G_CARRIER, ROUTE_DIR_IN,
					ROUTE_FIELD_CALLED, 0, RX(cases[i].pattern, cases[i].repl) };
		char out[ROUTE_NUMBER_MAX];

		err = manipulate(&r, 1, cases[i].in, out, sizeof(out), d);
		TEST_ERR(err);
		if (strcmp(out, cases[i].out)) {
			printf("# case %zu: %s\n", i, cases[i].pattern);
			fx_steps_print(d);
		}
		TEST_STREQ(cases[i].out, out);
	}
	/* the Lync example leaves its step for the route tester */
	{
		struct route_rule r = { 4, G_CARRIER, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0,
					RX("^(\\d{4})$", "+1425555$1") };
		char out[ROUTE_NUMBER_MAX];

		err = manipulate(&r, 1, "0123", out, sizeof(out), d);
		TEST_ERR(err);
		TEST_STREQ("inbound rule 4 on carrier: called 0123 -> +14255550123", d->steps[0]);
	}
	/* a result too long says so */
	{
		struct route_rule r = { 5, G_CARRIER, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 0,
					RX("^(\\d+)$", "$1$1$1") };
		char out[ROUTE_NUMBER_MAX];

		err = manipulate(&r, 1, "12345678901", out, sizeof(out), d);
		TEST_ERR(err);
		TEST_ASSERT(fx_step_has(d, "inbound rule 5 on carrier: called 12345678901: result "
					"longer than 32 characters; not applied"));
	}
 out:
	free(d);
	return err;
}

int test_route_rule_rules_chain_in_position_order_per_direction_and_field(void)
{
	/* given out of order: applied by position, each to the previous result */
	static const struct route_rule rules[] = {
		{ 30, G_CARRIER, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 30, RX("^\\+1425555(\\d{4})$",
									 "$1") },
		{ 10, G_CARRIER, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 10, PFX("9", 1, "") },
		{ 20, G_CARRIER, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 20, RX("^(\\d{4})$",
									 "+1425555$1") },
		{ 25, G_CARRIER, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 20, PFX("+1", 0, "") },
		{ 40, G_CARRIER, ROUTE_DIR_IN, ROUTE_FIELD_CALLING, 10, .match = ROUTE_MATCH_PREFIX,
		  .pattern = "0", .strip = 1, .prepend = "+49", .set_ton = 1, .set_npi = 1,
		  .presentation = 1 },
		{ 41, G_CARRIER, ROUTE_DIR_IN, ROUTE_FIELD_CALLING, 5, PFX("00", 2, "+") },
		{ 50, G_CARRIER, ROUTE_DIR_OUT, ROUTE_FIELD_CALLED, 1, PFX("", 0, "out-") },
		{ 60, G_PBX, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 1, PFX("", 0, "7") },
		{ 70, G_CARRIER, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 40, .match = ROUTE_MATCH_PREFIX,
		  .pattern = "", .set_ton = 4, .set_npi = -1, .presentation = 0 },
	};
	static const struct {
		const char *called, *calling, *called_out, *calling_out;
		int ton, npi, pres, calling_ton, calling_npi, calling_pres;
	} cases[] = {
		/* 9 stripped, then the 4 digits made E.164, then back (30) */
		{ "91234", "0301234", "1234", "+49301234", 4, -1, 0, 1, 1, 1 },
		{ "1234", "00441234", "1234", "+441234", 4, -1, 0, -1, -1, -1 },
		{ "912345", "123", "12345", "123", 4, -1, 0, -1, -1, -1 },
		{ "+14255551234", "0", "1234", "+49", 4, -1, 0, 1, 1, 1 },
		{ "+14255561234", "", "+14255561234", "", 4, -1, 0, -1, -1, -1 },
		{ "", "000", "", "+0", 4, -1, 0, -1, -1, -1 },
	};
	struct route_decision *d = calloc(1, sizeof(*d));
	struct route_table *t = NULL;
	char msg[ROUTE_ERR_LEN];
	int err;

	TEST_ASSERT(d);
	/* the out rule with "out-" is no number prefix: refused */
	err = fx_build(&t, NULL, 0, rules, TG_ARRAY_SIZE(rules), NULL, 0, msg, sizeof(msg));
	TEST_EQ(EINVAL, err);
	TEST_CONTAINS(msg, "rule 50: prepend");
	{
		struct route_rule fixed[TG_ARRAY_SIZE(rules)];

		memcpy(fixed, rules, sizeof(rules));
		fixed[6].prepend = "0";
		err = fx_build(&t, NULL, 0, fixed, TG_ARRAY_SIZE(fixed), NULL, 0, msg, sizeof(msg));
		TEST_ERR(err);
	}
	for (size_t i = 0; i < TG_ARRAY_SIZE(cases); i++) {
		struct route_query q;

		fx_query(&q, G_CARRIER, cases[i].called, cases[i].calling);
		route_decide(t, &q, d);
		if (strcmp(cases[i].called_out, d->called_in.digits))
			fx_steps_print(d);
		TEST_STREQ(cases[i].called_out, d->called_in.digits);
		TEST_STREQ(cases[i].calling_out, d->calling_in.digits);
		TEST_EQ(cases[i].ton, d->called_in.ton);
		TEST_EQ(cases[i].npi, d->called_in.npi);
		TEST_EQ(cases[i].pres, d->called_in.presentation);
		TEST_EQ(cases[i].calling_ton, d->calling_in.ton);
		TEST_EQ(cases[i].calling_npi, d->calling_in.npi);
		TEST_EQ(cases[i].calling_pres, d->calling_in.presentation);
	}
	/* the steps show the chain in order */
	{
		struct route_query q;

		fx_query(&q, G_CARRIER, "91234", "0301234");
		route_decide(t, &q, d);
		TEST_STREQ("inbound rule 10 on carrier: called 91234 -> 1234", d->steps[0]);
		TEST_STREQ("inbound rule 20 on carrier: called 1234 -> +14255551234", d->steps[1]);
		/* rule 25 shares position 20 with rule 20 and was given after it */
		TEST_STREQ("inbound rule 25 on carrier: called +14255551234 -> +14255551234",
			   d->steps[2]);
		TEST_STREQ("inbound rule 30 on carrier: called +14255551234 -> 1234", d->steps[3]);
		TEST_STREQ("inbound rule 70 on carrier: called 1234 -> 1234, TON 4, "
			   "presentation allowed", d->steps[4]);
		TEST_STREQ("inbound rule 40 on carrier: calling 0301234 -> +49301234, TON 1, "
			   "NPI 1, presentation restricted", d->steps[5]);
	}
	/* another group's rules and other directions do not apply */
	{
		struct route_query q;

		fx_query(&q, G_PBX, "91234", "0301234");
		route_decide(t, &q, d);
		TEST_STREQ("791234", d->called_in.digits);
		TEST_STREQ("0301234", d->calling_in.digits);
		fx_query(&q, 0, "91234", "0301234");
		route_decide(t, &q, d);
		TEST_STREQ("91234", d->called_in.digits);
		fx_query(&q, 77, "91234", "0301234");   /* unknown group */
		route_decide(t, &q, d);
		TEST_STREQ("91234", d->called_in.digits);
		TEST_ASSERT(fx_step_has(d, "call from unknown group 77: no inbound rules"));
	}
 out:
	free(d);
	route_table_unref(t);
	return err;
}

int test_route_rule_results_that_are_not_numbers_are_not_applied(void)
{
	static const struct route_rule rules[] = {
		{ 1, G_CARRIER, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 1, RX("^(\\d+)$", "+$1+") },
		{ 2, G_CARRIER, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 2, PFX("", 0, "+") },
		{ 3, G_CARRIER, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, 3, PFX("+", 0, "+") },
		/* catastrophic backtracking stops at the match limit and does not apply */
		{ 4, G_CARRIER, ROUTE_DIR_IN, ROUTE_FIELD_CALLING, 1, RX("^(\\d+)+$", "1") },
		{ 5, G_CARRIER, ROUTE_DIR_IN, ROUTE_FIELD_CALLING, 2, RX("^(\\d|\\d\\d)+x\\d$", "2") },
	};
	struct route_decision *d = calloc(1, sizeof(*d));
	struct route_table *t = NULL;
	struct route_query q;
	char msg[ROUTE_ERR_LEN];
	int err;

	TEST_ASSERT(d);
	err = fx_build(&t, NULL, 0, rules, TG_ARRAY_SIZE(rules), NULL, 0, msg, sizeof(msg));
	TEST_ERR(err);
	fx_query(&q, G_CARRIER, "1234", "12345678901234567890123456789012");
	route_decide(t, &q, d);
	TEST_STREQ("+1234", d->called_in.digits);
	TEST_ASSERT(fx_step_has(d, "inbound rule 1 on carrier: called 1234 -> +1234+ is not a "
				"number; not applied"));
	TEST_ASSERT(fx_step_has(d, "inbound rule 2 on carrier: called 1234 -> +1234"));
	TEST_ASSERT(fx_step_has(d, "inbound rule 3 on carrier: called +1234 -> ++1234 is not a "
				"number; not applied"));
	/* rule 4 matches at once, rule 5 fails at once */
	TEST_STREQ("1", d->calling_in.digits);
	/* with an x at the end both backtrack until the limit */
	fx_query(&q, G_CARRIER, "1", "1234567890123456789012345678901");
	memcpy(q.calling.digits, "12345678901234567890123456789x", 31);
	route_decide(t, &q, d);
	TEST_STREQ("12345678901234567890123456789x", d->calling_in.digits);
	TEST_ASSERT(fx_step_has(d, "inbound rule 4 on carrier: calling "
				"12345678901234567890123456789x: match limit exceeded; not applied"));
	TEST_ASSERT(fx_step_has(d, "inbound rule 5 on carrier: calling "
				"12345678901234567890123456789x: match limit exceeded; not applied"));
 out:
	free(d);
	route_table_unref(t);
	return err;
}
