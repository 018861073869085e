/*
 * route_int.h -- what the route module keeps to itself: the layout of a
 * built table and the helpers its files share.  Nothing outside
 * daemon/route includes this (the benchmark and unit tests only read
 * route_table_memory() through route.h).
 *
 * A table copies everything it is built from: public structs are copied
 * into the `pub` member that starts each internal struct (so a pointer
 * handed out, e.g. decision->route, is &rt_route.pub and points into the
 * table), and every string lives in the table's string pool.  After
 * route_table_build() returns, nothing in a table is ever written again.
 */
#ifndef TG_ROUTE_INT_H
#define TG_ROUTE_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdarg.h>
#include <sofia-sip/su_alloc.h>

#include "route.h"

#define RT_NONE          UINT32_MAX
#define RT_NUMBER_LEN    (ROUTE_NUMBER_MAX - 1)   /* 32 characters, '+' included */
#define RT_RANGE_DIGITS  18     /* first..last ranges: values fit a uint64_t */
#define RT_MAX_CONTAINING 64    /* ranges containing one number, most specific first */
#define RT_FAILOVER_MAX  (sizeof(((struct route_dest *)0)->failover) / sizeof(uint16_t))

/* An open-addressing map from strings (number prefixes) to two values.
 * `lens` has bit L set when some key is L characters long, so a longest-
 * prefix search probes only the lengths that exist. */
struct rt_strent {
	const char *s;
	uint32_t len, hash;
	uint32_t val, n;
};

struct rt_strmap {
	struct rt_strent *ent;
	uint32_t nent;
	uint32_t *slot;                 /* entry index + 1; 0 = empty */
	uint32_t mask;
	uint64_t lens;
};

struct rt_group {
	struct route_group pub;
	/* manipulation rules of this group, [dir][field], into table->rules */
	uint32_t rules_off[2][2], rules_n[2][2];
};

struct rt_range {
	struct route_range pub;
	uint64_t first, last;           /* first..last as numbers; prefix: unused */
	uint8_t ndigits;                /* digits of first (or of the prefix), '+' not counted */
	uint8_t nchars;                 /* characters of first (or the prefix), '+' counted */
	bool plus, is_prefix;
	uint32_t same_next;             /* prefix: the next range with the very same prefix */
	uint32_t routes_off, nroutes;   /* routes bound to this range, into table->range_routes */
};

struct rt_rule {
	struct route_rule pub;
	uint32_t group;                 /* index into table->groups */
	uint32_t input;                 /* index in the config: ties on position */
	uint8_t pattern_len, prepend_len;
	pcre2_code *re;                 /* regex rules */
};

struct rt_route {
	struct route_route pub;
	uint32_t input;                 /* index in the config: last tie-break */
	uint32_t range;                 /* index into table->ranges, or RT_NONE */
	uint32_t source;                /* group index, or RT_NONE for any */
	uint32_t surv_group;            /* group index, or RT_NONE */
	uint32_t dest_group[ROUTE_MAX_DESTS];
	uint8_t order[ROUTE_MAX_DESTS]; /* dests sorted by position, then as given */
	uint8_t called_len, calling_len;
	bool window;                    /* a day set or a time of day is set */
};

/* The first..last ranges of one number length (and sign), flattened into
 * sorted, disjoint segments; see route_range.c. */
struct rt_seglist {
	uint32_t off, n;
};

struct route_table {
	su_home_t home[1];              /* first: su_home_new() hands it back */
	size_t mem;                     /* bytes allocated from home, for route_table_memory */

	struct rt_group *groups;        /* sorted by id */
	size_t ngroups;
	struct rt_range *ranges;        /* as given */
	size_t nranges;
	struct rt_rule *rules;          /* by group, dir, field, position, as given */
	size_t nrules;
	struct rt_route *routes;        /* as given, disabled ones left out */
	size_t nroutes;

	/* range resolution (route_range.c) */
	struct rt_strmap prefixes;      /* prefix -> most specific range with it */
	struct rt_seglist lists[2][RT_RANGE_DIGITS + 1];   /* [plus][digits] */
	uint64_t *seg_lo, *seg_hi;
	uint32_t *seg_set;              /* offset into setpool */
	uint16_t *seg_nset;
	size_t nsegs;
	uint32_t *setpool;              /* range indices, most specific first */
	size_t nsetpool;

	/* route index (route_table.c) */
	uint32_t *range_routes;
	struct rt_strmap route_prefixes;        /* called prefix -> prefix_routes[val..val+n) */
	uint32_t *prefix_routes;
	uint32_t *any_routes;           /* neither a range nor a called prefix */
	size_t nany;

	pcre2_match_context *mctx;      /* match limits for every regex rule */
	uint32_t max_captures;

	char *pool;                     /* string pool: current chunk */
	size_t pool_left;
};

/* ---- route_table.c ---- */
void *rt_alloc(struct route_table *t, size_t size);     /* zeroed, from home, counted */
const char *rt_strdup(struct route_table *t, const char *s);   /* NULL -> "" */
const struct rt_group *rt_group_find(const struct route_table *t, long long id);
uint32_t rt_group_index(const struct route_table *t, long long id);    /* RT_NONE if absent */
void rt_errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *rt_range_label(const struct route_range *r, char *buf, size_t len);

/* ---- route_util.c: strings, numbers, string maps ---- */
bool rt_is_prefix_chars(const char *s, size_t max);     /* "" or a number prefix */
bool rt_is_digits(const char *s, size_t n);
uint64_t rt_pow10_sat(unsigned e);              /* 10^e, UINT64_MAX when too big */
uint32_t rt_hash(const char *s, size_t n);
int  rt_strmap_init(struct route_table *t, struct rt_strmap *m, size_t n);
/* Insert key; returns the entry (new, or the existing one with that key:
 * *fresh tells which). */
struct rt_strent *rt_strmap_put(struct rt_strmap *m, const char *s, uint32_t len, bool *fresh);
const struct rt_strent *rt_strmap_get(const struct rt_strmap *m, const char *s, uint32_t len,
				      uint32_t hash);
/* FNV-1a of every prefix of s: h[L] is the hash of s[0..L), L = 0..n. */
void rt_prefix_hashes(const char *s, size_t n, uint32_t *h);
/* printf-like, the subset the steps use, fast (route_util.c) */
size_t rt_vfmt(char *buf, size_t len, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
size_t rt_fmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void rt_days_format(unsigned days, char *buf, size_t len);
void rt_time_format(int minute, char *buf, size_t len);

/* ---- route_range.c ---- */
int  rt_ranges_build(struct route_table *t, const struct route_config *cfg, char *err,
		     size_t errlen);
/* The ranges containing number (len characters), most specific first, each
 * with how many numbers of this length it holds (made monotone: never less
 * than the one before, so specificity agrees with resolution order even
 * where an override won).  Returns how many were written (<= max). */
size_t rt_ranges_containing(const struct route_table *t, const char *number, size_t len,
			    uint32_t *idx, uint64_t *width, size_t max);

/* ---- route_rule.c ---- */
struct rt_scratch {                     /* per route_decide call */
	pcre2_match_data *md;
};
int  rt_rules_build(struct route_table *t, const struct route_config *cfg, char *err,
		    size_t errlen);
void rt_rules_free(struct route_table *t);
void rt_rules_apply(const struct route_table *t, uint32_t group, enum route_dir dir,
		    enum route_field field, struct route_number *n, struct rt_scratch *s,
		    struct route_decision *d);

/* ---- route_decide.c ---- */
void rt_step(struct route_decision *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
