/*
 * route.c -- benchmark of the routing table: build time, memory and
 * route_decide() latency at the scale of a large gateway.
 *
 * The synthetic numbering plan is E.164-like: 40 country codes, ~14,000
 * area-code prefixes under them, and inside each area DID blocks of 1,000
 * and 100 numbers (aligned, so they nest), 10-number sub-blocks and
 * one-digit-longer prefixes nested in those (departments moved elsewhere),
 * unaligned first..last ranges carved out of dedicated blocks, and override
 * ranges crossing two neighbouring 100-blocks -- 100,000 ranges in all by
 * default.  10,000 manipulation rules over 200 trunk groups (90 % prefix,
 * 10 % PCRE2 in the style of Lync normalization rules), and 3,000 routes
 * (bound to ranges, to called prefixes, with time windows, calling
 * prefixes, weighted destinations, survivability; one owner route).
 *
 * Lookups: 80 % called numbers inside a random range, 20 % random
 * E.164-like numbers; random source group, time of day and draw; three
 * groups down.  Each route_decide() is timed on its own with
 * CLOCK_MONOTONIC (the clock read, ~20 ns, is included).
 *
 * Usage: route [--ranges N] [--rules N] [--routes N] [--lookups N] [--seed S]
 * Targets: build < 1 s, median route_decide < 5 us.
 */
#include "config.h"
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "route.h"

#define NGROUPS 200

static uint64_t rng = 88172645463325252ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned rndn(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static long rss_kb(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Strings live for the whole run: a bump arena keeps malloc out of it. */
static char *arena, *chunks[1024];
static size_t arena_left, nchunks;

static char *sdup(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *sdup(const char *fmt, ...)
{
	char buf[96];
	va_list ap;
	size_t n;
	char *p;

	va_start(ap, fmt);
	n = (size_t)vsnprintf(buf, sizeof(buf), fmt, ap) + 1;     /* NULs inside count */
	va_end(ap);
	if (n > arena_left) {
		arena = malloc(1 << 20);
		arena_left = 1 << 20;
		if (!arena || nchunks == sizeof(chunks) / sizeof(chunks[0])) {
			fprintf(stderr, "route: out of memory\n");
			exit(1);
		}
		chunks[nchunks++] = arena;
	}
	p = arena;
	memcpy(p, buf, n);
	arena += n;
	arena_left -= n;
	return p;
}

struct plan {
	struct route_group groups[NGROUPS];
	struct route_range *ranges;
	size_t nranges, cap;
	struct route_rule *rules;
	size_t nrules;
	struct route_route *routes;
	size_t nroutes;
	char **areas;                   /* "+49301" ... */
	unsigned *area_sub;             /* subscriber digits after the area prefix */
	size_t nareas;
};

static long long group_id(void)
{
	return 1 + rndn(NGROUPS);
}

static void range_add(struct plan *p, const char *first, const char *last, const char *prefix,
		      bool ovr)
{
	struct route_range *r;

	if (p->nranges == p->cap)
		return;
	r = &p->ranges[p->nranges];
	r->id = (long long)p->nranges + 1;
	r->name = sdup("r%zu", p->nranges + 1);
	r->first = first;
	r->last = last;
	r->prefix = prefix;
	r->group_id = rndn(33) ? group_id() : 0;       /* a few ranges have no owner */
	r->override_allowed = ovr;
	p->nranges++;
}

/* 1,000-blocks already furnished, per area: (area << 32 | block) */
static uint64_t *used_set;
static size_t used_mask;

static bool block_take(size_t area, unsigned long long k)
{
	uint64_t key = ((uint64_t)area << 32 | k) + 1;
	size_t i = (size_t)(key * 0x9e3779b97f4a7c15ull) & used_mask;

	for (; used_set[i]; i = (i + 1) & used_mask)
		if (used_set[i] == key)
			return false;
	used_set[i] = key;
	return true;
}

/* Furnish n of one area's 1,000-blocks, each in one of a few ways. */
static void area_fill(struct plan *p, size_t ai, unsigned n)
{
	const char *area = p->areas[ai];
	unsigned sub = p->area_sub[ai];
	unsigned long long space = 1;

	for (unsigned i = 0; i < sub; i++)
		space *= 10;
	for (unsigned b = 0; b < n && p->nranges < p->cap; b++) {
		unsigned long long k = rnd() % (space / 1000), base = k * 1000;
		unsigned kind = rndn(100);

		if (!block_take(ai, k))
			continue;
#define NUM(v) sdup("%s%0*llu", area, (int)sub, (unsigned long long)(v))
		if (kind < 35) {                /* a whole block, a department inside */
			unsigned long long h = base + 100ull * rndn(10), ten = h + 10ull * rndn(10);

			range_add(p, NUM(base), NUM(base + 999), "", false);
			range_add(p, NUM(h), NUM(h + 99), "", false);
			if (rndn(2))
				range_add(p, NUM(ten), NUM(ten + 9), "", false);
			else            /* the same ten as a prefix: also holds longer numbers */
				range_add(p, "", "", sdup("%s%0*llu", area, (int)sub - 1, ten / 10), false);
		} else if (kind < 75) {         /* a few 100-blocks */
			unsigned taken = 0, m = 2 + rndn(4);

			for (unsigned i = 0; i < m; i++) {
				unsigned h = rndn(10);

				if (taken & (1u << h))
					continue;
				taken |= 1u << h;
				range_add(p, NUM(base + 100ull * h), NUM(base + 100ull * h + 99), "",
					  false);
			}
		} else if (kind < 90) {         /* unaligned ranges carved in a row */
			unsigned long long at = base + rndn(50);

			while (at + 5 < base + 999) {
				unsigned long long len = 5 + rndn(120);

				if (at + len > base + 999)
					len = base + 999 - at;
				range_add(p, NUM(at), NUM(at + len), "", false);
				at += len + 1 + rndn(30);
			}
		} else {                        /* two 100-blocks and an override across them */
			unsigned long long a = base + 100ull * rndn(9);

			range_add(p, NUM(a), NUM(a + 99), "", false);
			range_add(p, NUM(a + 100), NUM(a + 199), "", false);
			range_add(p, NUM(a + 50), NUM(a + 149), "", true);
		}
#undef NUM
	}
}

static int strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

static void plan_ranges(struct plan *p, size_t target)
{
	static const char *cc[] = {
		"1", "7", "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43",
		"44", "45", "46", "47", "48", "49", "51", "52", "54", "55", "56", "57", "60", "61",
		"62", "63", "64", "65", "66", "81", "82", "84", "86", "90", "91", "358",
	};
	size_t ncc = sizeof(cc) / sizeof(cc[0]), nareas = target * 14 / 100 + ncc, na = 0;
	char **all = calloc(nareas, sizeof(*all));
	size_t *leaf;

	p->cap = target;
	p->ranges = calloc(target, sizeof(*p->ranges));
	p->areas = calloc(nareas, sizeof(*p->areas));
	p->area_sub = calloc(nareas, sizeof(*p->area_sub));
	leaf = calloc(nareas, sizeof(*leaf));
	used_mask = 1;
	while (used_mask < target)
		used_mask <<= 1;
	used_mask = 2 * used_mask - 1;
	used_set = calloc(used_mask + 1, sizeof(*used_set));
	if (!all || !p->ranges || !p->areas || !p->area_sub || !leaf || !used_set) {
		fprintf(stderr, "route: out of memory\n");
		exit(1);
	}
	/* country codes, then area codes under them (the subscriber length
	 * rides along after a NUL, so sorting keeps it) */
	for (size_t i = 0; i < ncc; i++)
		all[na++] = sdup("+%s%c", cc[i], 0);
	while (na < nareas) {
		const char *c = cc[rndn((unsigned)ncc)];
		unsigned alen = 1 + rndn(4), total = 11 + rndn(2);
		unsigned sub = total - (unsigned)strlen(c) - alen;
		static const unsigned mod[] = { 0, 10, 100, 1000, 10000 };
		char *a;

		if (sub < 5 || sub > 9)
			continue;
		a = sdup("+%s%0*u%c%u", c, (int)alen, rndn(mod[alen]), 0, sub);
		all[na++] = a;
	}
	qsort(all, na, sizeof(*all), strp_cmp);
	for (size_t i = 0; i < na; i++) {
		const char *s = all[i];
		size_t l = strlen(s);

		if (i + 1 < na && strcmp(all[i + 1], s) == 0)
			continue;               /* the same prefix twice: keep one */
		range_add(p, "", "", s, false);
		if (s[l + 1] == '\0')
			continue;               /* a country code: no blocks of its own */
		p->areas[p->nareas] = (char *)s;
		p->area_sub[p->nareas] = (unsigned)atoi(s + l + 1);
		/* blocks only under areas no other area extends: sorted, the
		 * extensions of s follow s directly */
		if (!(i + 1 < na && strncmp(all[i + 1], s, l) == 0))
			leaf[p->nareas] = 1;
		p->nareas++;
	}
	{
		size_t nleaf = 0;

		for (size_t i = 0; i < p->nareas; i++)
			if (leaf[i])
				leaf[nleaf++] = i;
		while (p->nranges < target)
			area_fill(p, leaf[rndn((unsigned)nleaf)], 1 + rndn(6));
	}
	for (size_t i = 0; i < p->nranges; i++)
		p->ranges[i].id = (long long)i + 1;
	free(all);
	free(leaf);
	free(used_set);
}

static void plan_rules(struct plan *p, size_t n)
{
	static const char *rx[][2] = {
		{ "^(\\d{4})$", "+1425555$1" },
		{ "^0(\\d{6,})$", "+49$1" },
		{ "^00(\\d+)$", "+$1" },
		{ "^9(\\d{10})$", "+1$1" },
		{ "^9011(\\d{7,})$", "+$1" },
		{ "^(?:\\+1)?([2-9]\\d{9})$", "+1$1" },
		{ "^\\+49(\\d+)$", "0$1" },
		{ "^(\\d{3})$", "+4930123$1" },
		{ "^\\+?1?(425)(\\d{7})$", "+1$1$2" },
		{ "^8(\\d{4})$", "+4930123$1" },
	};
	static const char *pfx[][2] = {
		{ "0", "+49" }, { "00", "+" }, { "+49", "0" }, { "+1", "" }, { "9", "" },
		{ "+4930", "" }, { "", "" }, { "*", "" }, { "011", "+" }, { "+44", "0" },
	};

	p->rules = calloc(n, sizeof(*p->rules));
	p->nrules = n;
	for (size_t i = 0; i < n; i++) {
		struct route_rule *r = &p->rules[i];
		unsigned k = rndn(10);

		r->id = (long long)i + 1;
		r->group_id = group_id();
		r->dir = rndn(2) ? ROUTE_DIR_IN : ROUTE_DIR_OUT;
		r->field = rndn(3) ? ROUTE_FIELD_CALLED : ROUTE_FIELD_CALLING;
		r->position = (int)rndn(100);
		r->set_ton = rndn(4) ? -1 : (int)rndn(5);
		r->set_npi = -1;
		r->presentation = rndn(20) ? -1 : 1;
		if (i % 10 == 0) {
			r->match = ROUTE_MATCH_REGEX;
			r->pattern = rx[k][0];
			r->replacement = rx[k][1];
			r->prepend = "";
		} else {
			r->match = ROUTE_MATCH_PREFIX;
			/* mostly specific patterns: a rule per carrier code or area */
			if (rndn(4))
				r->pattern = sdup("%s%u", pfx[k][0], rndn(1000));
			else
				r->pattern = pfx[k][0];
			r->strip = (unsigned)strlen(pfx[k][0]);
			r->prepend = pfx[k][1];
			r->replacement = "";
		}
	}
}

static void plan_routes(struct plan *p, size_t n)
{
	p->routes = calloc(n, sizeof(*p->routes));
	p->nroutes = n;
	for (size_t i = 0; i < n; i++) {
		struct route_route *r = &p->routes[i];
		unsigned kind = rndn(100);

		r->id = (long long)i + 1;
		r->name = sdup("route%zu", i + 1);
		r->enabled = rndn(50) != 0;
		r->position = (int)rndn(10);
		r->called_prefix = "";
		r->calling_prefix = "";
		r->survivability_forward = "";
		r->time_from = r->time_to = -1;
		if (i == 0) {
			r->ndests = 0;  /* deliver every range to its owner */
			continue;
		}
		if (kind < 40)
			r->range_id = 1 + rndn((unsigned)p->nranges);
		else if (kind < 90)
			r->called_prefix = rndn(4) ? p->areas[rndn((unsigned)p->nareas)] :
				sdup("+%u", 1 + rndn(99));
		else if (kind < 92)
			;                       /* any called number */
		else
			r->called_prefix = sdup("%s%u", p->areas[rndn((unsigned)p->nareas)], rndn(10));
		if (rndn(10) == 0)
			r->source_group_id = group_id();
		if (rndn(30) == 0)
			r->calling_prefix = sdup("+%u", 1 + rndn(99));
		if (rndn(10) == 0) {
			r->days = 0x1f;
			r->time_from = 8 * 60;
			r->time_to = 18 * 60;
		} else if (rndn(20) == 0) {
			r->time_from = 22 * 60;
			r->time_to = 6 * 60;
		}
		if (rndn(5) == 0)
			r->survivability_group_id = group_id();
		else if (rndn(10) == 0)
			r->survivability_forward = "+4930999999";
		r->ndests = 1 + rndn(4);
		for (unsigned d = 0; d < r->ndests; d++) {
			r->dests[d].group_id = group_id();
			r->dests[d].position = (int)(d / 2);
			r->dests[d].weight = rndn(3) ? 0 : 1 + rndn(100);
			r->dests[d].nfailover = 5;
			memcpy(r->dests[d].failover, (uint16_t[]){ 34, 38, 41, 42, 44 },
			       5 * sizeof(uint16_t));
		}
	}
}

/* A called number inside a random range (80 %) or a random E.164-like one. */
static void pick_number(const struct plan *p, char *out, size_t len)
{
	const struct route_range *r;

	if (rndn(5) == 0) {
		snprintf(out, len, "+%u%09u", 1 + rndn(999), rndn(1000000000));
		return;
	}
	r = &p->ranges[rndn((unsigned)p->nranges)];
	if (r->prefix[0]) {
		size_t pl = strlen(r->prefix), total = r->prefix[1] == '1' ? 12 : 13;

		snprintf(out, len, "%s", r->prefix);
		for (size_t i = pl; i < total && i + 1 < len; i++)
			out[i] = (char)('0' + rndn(10));
		out[total < len ? total : len - 1] = '\0';
		return;
	}
	{
		unsigned long long a = strtoull(r->first + 1, NULL, 10);
		unsigned long long b = strtoull(r->last + 1, NULL, 10);

		snprintf(out, len, "+%0*llu", (int)strlen(r->first) - 1, a + rnd() % (b - a + 1));
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double pct(const uint32_t *v, size_t n, double p)
{
	return n ? v[(size_t)(p * (double)(n - 1) + 0.5)] / 1000.0 : 0;
}

int main(int argc, char **argv)
{
	size_t nranges = 100000, nrules = 10000, nroutes = 3000, nlookups = 1000000;
	static const long long down[] = { 3, 50, 120 };
	static const struct option opts[] = {
		{ "ranges", required_argument, NULL, 'r' }, { "rules", required_argument, NULL, 'u' },
		{ "routes", required_argument, NULL, 'o' }, { "lookups", required_argument, NULL, 'l' },
		{ "seed", required_argument, NULL, 's' }, { NULL, 0, NULL, 0 },
	};
	struct route_decision *d = malloc(sizeof(*d));
	struct route_table *t = NULL;
	struct plan p = { 0 };
	struct route_config cfg;
	char msg[ROUTE_ERR_LEN], (*called)[24];
	unsigned outcomes[5] = { 0 }, nranged = 0, ntargets = 0, nsteps = 0;
	uint32_t *lat, *lat_lookup;
	uint64_t t0, t1, sum = 0;
	long rss0, rss1;
	int c, err;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': nranges = strtoul(optarg, NULL, 10); break;
		case 'u': nrules = strtoul(optarg, NULL, 10); break;
		case 'o': nroutes = strtoul(optarg, NULL, 10); break;
		case 'l': nlookups = strtoul(optarg, NULL, 10); break;
		case 's': rng = strtoull(optarg, NULL, 10) | 1; break;
		default:
			fprintf(stderr, "usage: route [--ranges N] [--rules N] [--routes N] "
				"[--lookups N] [--seed S]\n");
			return 2;
		}
	}
	for (int i = 0; i < NGROUPS; i++)
		p.groups[i] = (struct route_group){ i + 1, sdup("group%d", i + 1),
						    (enum route_group_kind)(i % 3), 0 };
	plan_ranges(&p, nranges);
	plan_rules(&p, nrules);
	plan_routes(&p, nroutes);
	cfg = (struct route_config){ p.groups, NGROUPS, p.ranges, p.nranges, p.rules, p.nrules,
				     p.routes, p.nroutes };
	called = malloc(nlookups * sizeof(*called));
	lat = malloc(nlookups * sizeof(*lat));
	lat_lookup = malloc(nlookups * sizeof(*lat_lookup));
	if (!d || !called || !lat || !lat_lookup || !p.ranges || !p.rules || !p.routes) {
		fprintf(stderr, "route: out of memory\n");
		return 1;
	}
	for (size_t i = 0; i < nlookups; i++)
		pick_number(&p, called[i], sizeof(called[i]));

	rss0 = rss_kb();
	t0 = now_ns();
	err = route_table_build(&t, &cfg, msg, sizeof(msg));
	t1 = now_ns();
	rss1 = rss_kb();
	if (err) {
		fprintf(stderr, "route: build failed: %s\n", msg);
		return 1;
	}
	printf("route: %zu ranges, %zu rules (%zu regex), %zu routes, %d groups\n", p.nranges,
	       p.nrules, (p.nrules + 9) / 10, p.nroutes, NGROUPS);
	printf("route: build %.1f ms; table %.1f MiB (route_table_memory), RSS +%.1f MiB\n",
	       (t1 - t0) / 1e6, route_table_memory(t) / 1048576.0, (rss1 - rss0) / 1024.0);

	for (size_t i = 0; i < nlookups; i++) {
		struct route_query q = { 0 };
		uint64_t a, b;

		q.source_group_id = group_id();
		snprintf(q.called.digits, sizeof(q.called.digits), "%s", called[i]);
		snprintf(q.calling.digits, sizeof(q.calling.digits), "+4930%07u", rndn(10000000));
		q.called.ton = q.calling.ton = q.called.npi = q.calling.npi = -1;
		q.called.presentation = q.calling.presentation = -1;
		q.weekday = (int)rndn(7);
		q.minute = (int)rndn(1440);
		q.draw = (uint32_t)rnd();
		q.down_groups = down;
		q.ndown = 3;
		a = now_ns();
		route_decide(t, &q, d);
		b = now_ns();
		lat[i] = (uint32_t)(b - a);
		sum += b - a;
		outcomes[d->outcome]++;
		nranged += d->range != NULL;
		ntargets += d->ntargets;
		nsteps += d->nsteps;
		a = now_ns();
		if (route_range_lookup(t, called[i]))
			nranged += 0;
		b = now_ns();
		lat_lookup[i] = (uint32_t)(b - a);
	}
	qsort(lat, nlookups, sizeof(*lat), cmp_u32);
	qsort(lat_lookup, nlookups, sizeof(*lat_lookup), cmp_u32);
	printf("route: %zu route_decide: median %.2f us, p99 %.2f us, max %.1f us, mean %.2f us\n",
	       nlookups, pct(lat, nlookups, 0.5), pct(lat, nlookups, 0.99),
	       lat[nlookups - 1] / 1000.0, sum / 1000.0 / (double)nlookups);
	printf("route: range lookup alone: median %.3f us, p99 %.3f us, max %.1f us\n",
	       pct(lat_lookup, nlookups, 0.5), pct(lat_lookup, nlookups, 0.99),
	       lat_lookup[nlookups - 1] / 1000.0);
	printf("route: outcomes ok %u, no-route %u, unallocated %u, all-down %u, forward %u; "
	       "%.1f %% in a range, %.2f targets and %.1f steps per call\n", outcomes[ROUTE_OK],
	       outcomes[ROUTE_NO_ROUTE], outcomes[ROUTE_UNALLOCATED], outcomes[ROUTE_ALL_DOWN],
	       outcomes[ROUTE_FORWARD], 100.0 * nranged / (double)nlookups,
	       (double)ntargets / (double)nlookups, (double)nsteps / (double)nlookups);
	printf("route: targets: build < 1 s %s, median < 5 us %s\n",
	       (t1 - t0) < 1000000000ull ? "met" : "MISSED",
	       pct(lat, nlookups, 0.5) < 5.0 ? "met" : "MISSED");
	route_table_unref(t);
	free(p.ranges);
	free(p.rules);
	free(p.routes);
	free(p.areas);
	free(p.area_sub);
	while (nchunks)
		free(chunks[--nchunks]);
	free(d);
	free(called);
	free(lat);
	free(lat_lookup);
	return 0;
}
