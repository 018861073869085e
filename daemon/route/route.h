/*
 * route.h -- routing as pure functions over a routing table built from one
 * configuration snapshot: number ranges, number manipulation rules, routes
 * with ordered destinations, failover causes, weights and time windows.  No
 * I/O, no clock, no randomness of its own: the caller passes the time and a
 * random draw, so every decision is reproducible and exhaustively testable,
 * and the route tester (POST /api/v1/route-test) runs exactly the code real
 * calls run.
 *
 * A table is built once per config generation (route_table_build) and then
 * only read, so any thread may look up in it; it is refcounted (a su_home):
 * calls keep a reference to the table they were routed with.
 */
#ifndef TG_ROUTE_H
#define TG_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ROUTE_NUMBER_MAX 33             /* digits, '+', '*', '#', NUL */
#define ROUTE_MAX_DESTS  8              /* destinations per route */
#define ROUTE_MAX_STEPS  64             /* explanation lines per decision */
#define ROUTE_ERR_LEN    256

/* ---- the configuration the table is built from (ids are the database's) ---- */

enum route_group_kind { ROUTE_GROUP_SPAN, ROUTE_GROUP_SIP, ROUTE_GROUP_ANALOG };

struct route_group {                    /* a trunk group */
	long long id;
	const char *name;
	enum route_group_kind kind;
	unsigned max_calls;             /* concurrent calls in or out of the group; 0 = no limit
					 * (enforced by the call core, not by route_decide) */
};

/* A number range: first..last (same length, compared as digit strings) or a
 * prefix; bound to a trunk group.  The most specific range that contains a
 * number wins: a range's specificity is how few numbers it holds (a prefix
 * of length L holds 10^(maxlen-L)).  Two overlapping ranges where neither
 * contains the other, or two equal ones, are a build error unless one is
 * marked override_allowed (then it wins; both marked is an error too).
 * Containment is judged per number length, because a prefix also holds
 * longer numbers: prefix 4930123 inside range 4930000000-4930999999 is
 * nested (the prefix wins for 10-digit numbers, and alone holds the
 * others); a first..last range equal to a prefix's numbers of that length
 * wins over the prefix.  first/last: digits with an optional leading + (on
 * both), at most 18 digits; prefix: digits with an optional leading +.
 * group_id 0 = no owner. */
struct route_range {
	long long id;
	const char *name;
	const char *first, *last;       /* "" when prefix is used */
	const char *prefix;             /* "" when first/last are used */
	long long group_id;
	bool override_allowed;
};

enum route_dir { ROUTE_DIR_IN, ROUTE_DIR_OUT };        /* in: as the call enters from the group; out: as it leaves into it */
enum route_field { ROUTE_FIELD_CALLED, ROUTE_FIELD_CALLING };
enum route_match { ROUTE_MATCH_PREFIX, ROUTE_MATCH_REGEX };

/* A number manipulation rule, applied in `position` order per group,
 * direction and field.  prefix: if the number starts with pattern, strip
 * `strip` leading characters, then prepend `prepend`.  regex (PCRE2, .NET-like
 * syntax as Lync normalization rules use: ^(\d{4})$ -> +1425555$1): if it
 * matches, the number becomes the substitution of `replacement` ($1..$9).
 * Then TON/NPI/presentation are set if given.  Every matching rule applies,
 * in order, each to the previous one's result. */
struct route_rule {
	long long id;
	long long group_id;
	enum route_dir dir;
	enum route_field field;
	int position;
	enum route_match match;
	const char *pattern;
	const char *replacement;        /* regex */
	unsigned strip;                 /* prefix */
	const char *prepend;            /* prefix */
	int set_ton;                    /* -1 = unchanged, else Q.931 TON */
	int set_npi;                    /* -1 = unchanged */
	int presentation;               /* -1 = unchanged, 0 allowed, 1 restricted */
};

struct route_dest {
	long long group_id;
	unsigned weight;                /* 0 = strict order; >0 = share among the weighted destinations of equal position */
	int position;
	/* Q.850 causes (1..127) and SIP statuses (300..699) that move the call to
	 * the next destination; the others end it. */
	unsigned nfailover;
	uint16_t failover[32];
};

/* A route: calls from source_group (0 = any) whose called number (after the
 * source group's inbound manipulation) is in range_id (0 = any) or starts
 * with called_prefix, whose calling number starts with calling_prefix, at a
 * time inside the window, go to dests in order.  Among matching routes the
 * most specific called match wins (range specificity, then prefix length),
 * then a set calling prefix, then a time window, then the lower position.
 * Details: a route giving both range_id and called_prefix needs both; the
 * called match's specificity is how many numbers of the called number's
 * length it admits (a range: as resolved, so an override range outranks the
 * one it overrides; a prefix of L characters: 10^(len-L); a range wins a
 * tie with a prefix); a longer calling prefix beats a shorter one; then the
 * order given breaks ties.  A window with from > to wraps past midnight and
 * belongs to the day it starts on: mon-fri 22:00-06:00 matches Saturday
 * 02:00 but not Monday 02:00; to is exclusive; from == to is refused.
 * A route with no destinations sends the call to the group that owns the
 * range the called number fell in, and matches only numbers in a range with
 * an owner; without range_id its called match is as specific as that range
 * (or its prefix, if narrower), and a route naming that range wins the tie.
 * One such route delivers every range to its owner, so moving a department
 * is editing ranges. */
struct route_route {
	long long id;
	const char *name;
	bool enabled;
	int position;
	long long source_group_id;      /* 0 = any */
	long long range_id;             /* 0 = none */
	const char *called_prefix;      /* "" = none */
	const char *calling_prefix;     /* "" = any */
	unsigned days;                  /* bit 0 = Monday .. bit 6 = Sunday; 0 = every day */
	int time_from, time_to;         /* minutes since midnight; -1 = all day; from > to wraps midnight */
	long long survivability_group_id;   /* 0 = none */
	const char *survivability_forward;  /* "" = none: a number to forward to instead */
	unsigned ndests;
	struct route_dest dests[ROUTE_MAX_DESTS];
};

struct route_config {
	const struct route_group *groups;
	size_t ngroups;
	const struct route_range *ranges;
	size_t nranges;
	const struct route_rule *rules;
	size_t nrules;
	const struct route_route *routes;
	size_t nroutes;
};

/* ---- building ---- */

struct route_table;

/* Build (and validate) a table.  EINVAL with the first problem in err, naming
 * the object and field ("number range ev-users: last is before first",
 * "rule 12: pattern: missing closing parenthesis at offset 5").  Regexes are
 * compiled here, once per table, never per call. */
int route_table_build(struct route_table **tp, const struct route_config *cfg, char *err,
		      size_t errlen);
void route_table_ref(struct route_table *t);
void route_table_unref(struct route_table *t);        /* NULL-safe */

/* Check one rule, range or route on its own (the API uses these to name the
 * bad field at save time; *field is the struct member's name).  0, or EINVAL
 * with a message.  A route's references to groups and ranges are checked
 * only by route_table_build. */
int route_rule_check(const struct route_rule *r, const char **field, char *err, size_t errlen);
int route_range_check(const struct route_range *r, const char **field, char *err, size_t errlen);
int route_route_check(const struct route_route *r, const char **field, char *err, size_t errlen);
/* Is s a number we route on: 1..32 characters of 0-9 * #, the first may be +? */
bool route_number_valid(const char *s);

/* ---- deciding ---- */

struct route_number {
	char digits[ROUTE_NUMBER_MAX];
	int ton, npi;                   /* Q.931 values; -1 = unknown */
	int presentation;               /* 0 allowed, 1 restricted, -1 unknown */
};

struct route_query {
	long long source_group_id;      /* the trunk group the call came in on */
	struct route_number called, calling;
	/* local time of the call: weekday 0 = Monday, minute of the day */
	int weekday, minute;
	uint32_t draw;                  /* random draw for weighted sharing */
	/* Groups that are unusable now (e.g. every SIP next hop down, or a span
	 * in alarm): skipped, and the route's survivability alternative applies
	 * when all its destinations are down. */
	const long long *down_groups;
	size_t ndown;
};

enum route_outcome {
	ROUTE_OK,                       /* dests[] holds the destinations in try order */
	ROUTE_NO_ROUTE,                 /* no route matched: cause 3 (no route to destination) */
	ROUTE_UNALLOCATED,              /* called number in no range and no route: cause 1 */
	ROUTE_ALL_DOWN,                 /* every destination down, no alternative: cause 34 */
	ROUTE_FORWARD,                  /* survivability: forward to `forward`: cause 23 (redirection) */
};

struct route_target {
	long long group_id;
	const char *group_name;
	struct route_number called, calling;    /* after the destination's outbound rules */
	const struct route_dest *dest;          /* failover causes; NULL for a range owner or
						 * the survivability group (no failover) */
	bool survivability;                     /* chosen as the survivability alternative */
};

struct route_decision {
	enum route_outcome outcome;
	int cause;                      /* Q.850 cause when not ROUTE_OK */
	const struct route_route *route;        /* NULL if none matched */
	const struct route_range *range;        /* the range the called number fell in, if any */
	struct route_number called_in, calling_in;  /* after the source group's inbound rules */
	unsigned ntargets;
	struct route_target targets[ROUTE_MAX_DESTS + 1];
	char forward[ROUTE_NUMBER_MAX];
	/* Every step, for the route tester: "inbound rule 4 on carrier: called
	 * 0123 -> +14255550123", "range ev-users matched (100 numbers)",
	 * "route ev-in matched: called prefix +1425555, weekdays 08:00-18:00",
	 * "destination pbx skipped: down", ... */
	unsigned nsteps;
	char steps[ROUTE_MAX_STEPS][160];
};

/* Decide where a call goes.  Never fails: the outcome says what happened.
 * d's pointers point into t: keep a reference to t while using them. */
void route_decide(const struct route_table *t, const struct route_query *q, struct route_decision *d);

/* Should a failure with this cause (Q.850 1..127) or SIP status (300..699)
 * move the call to the next destination? */
bool route_should_failover(const struct route_dest *d, int cause_or_status);

/* Lookups for callers */
const struct route_group *route_group_by_id(const struct route_table *t, long long id);
const struct route_range *route_range_lookup(const struct route_table *t, const char *number);
size_t route_table_memory(const struct route_table *t);        /* bytes, for the benchmark */

/* Parse the failover list "34,38,41,42,44,408,503" into d (EINVAL naming the bad item). */
int route_failover_parse(const char *s, struct route_dest *d, char *err, size_t errlen);
/* Parse "mon-fri,sun" into the days bit set (EINVAL). */
int route_days_parse(const char *s, unsigned *days);
/* Parse "HH:MM" into minutes since midnight (EINVAL). */
int route_time_parse(const char *s, int *minute);

#endif
