/*
 * route_decide.c -- deciding where one call goes, and saying why.
 *
 * 1. The source group's inbound rules rewrite the called and calling
 *    numbers (route_rule.c).
 * 2. The ranges holding the called number are found, most specific first
 *    (route_range.c); the first is the call's range.
 * 3. Candidate routes are those listed under one of these ranges, under a
 *    called prefix the number starts with, or under "any called number"
 *    (route_table.c's index); each is checked for source group, called
 *    prefix, calling prefix and time window, and the best by route.h's
 *    precedence wins (cand_cmp below).  A route without destinations
 *    delivers to the owner of the call's range, so it needs one.
 * 4. Its destinations are put in try order: by position; among equal
 *    positions the weighted ones by a weighted draw without replacement
 *    seeded from q->draw, then the unweighted ones as given.  Down groups
 *    are skipped; with none left the survivability group, then the forward
 *    number, apply; else the call fails with cause 34.
 * 5. Each target's outbound rules rewrite the numbers it will carry.
 *
 * Every step is written to d->steps, so the route tester shows the same
 * reasoning real calls follow.  No I/O, no clock, no randomness of its own,
 * no allocation but PCRE2's match data (once per call, only if a regex
 * rule is tried).  Any thread.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "route_int.h"

#define CAUSE_UNALLOCATED  1
#define CAUSE_NO_ROUTE     3
#define CAUSE_REDIRECTION 23
#define CAUSE_NO_CIRCUIT  34
#define RT_SKIPPED_MAX  16    /* routes not taken that the steps can name */

void rt_step(struct route_decision *d, const char *fmt, ...)
{
	va_list ap;

	if (d->nsteps >= ROUTE_MAX_STEPS)
		return;
	if (d->nsteps == ROUTE_MAX_STEPS - 1) {
		rt_fmt(d->steps[d->nsteps++], sizeof(d->steps[0]), "(further steps left out)");
		return;
	}
	va_start(ap, fmt);
	rt_vfmt(d->steps[d->nsteps++], sizeof(d->steps[0]), fmt, ap);
	va_end(ap);
}

static void number_copy(struct route_number *dst, const struct route_number *src)
{
	size_t n = strnlen(src->digits, RT_NUMBER_LEN);

	memcpy(dst->digits, src->digits, n);
	dst->digits[n] = '\0';
	dst->ton = src->ton;
	dst->npi = src->npi;
	dst->presentation = src->presentation;
}

static bool group_down(const struct route_query *q, long long id)
{
	for (size_t i = 0; i < q->ndown; i++)
		if (q->down_groups[i] == id)
			return true;
	return false;
}

/* ---- time windows ---- */

static bool day_in(unsigned days, int wd)
{
	return (days & 0x7f) == 0 || (days & (1u << wd));
}

/* A window belongs to the day it starts on (see route.h). */
static bool window_match(const struct route_route *r, int wd, int minute)
{
	if (wd < 0 || wd > 6 || minute < 0 || minute > 1439)
		return false;
	if (r->time_from < 0)
		return day_in(r->days, wd);
	if (r->time_from < r->time_to)
		return minute >= r->time_from && minute < r->time_to && day_in(r->days, wd);
	if (minute >= r->time_from)
		return day_in(r->days, wd);
	if (minute < r->time_to)
		return day_in(r->days, (wd + 6) % 7);
	return false;
}

static void window_describe(const struct route_route *r, char *buf, size_t len)
{
	char days[40] = "", from[8], to[8];

	if (r->days & 0x7f)
		rt_days_format(r->days, days, sizeof(days));
	if (r->time_from < 0) {
		rt_fmt(buf, len, "%s", days);
		return;
	}
	rt_time_format(r->time_from, from, sizeof(from));
	rt_time_format(r->time_to, to, sizeof(to));
	rt_fmt(buf, len, "%s%s%s-%s", days, days[0] ? " " : "", from, to);
}

/* "called prefix +1425555, calling prefix 0, from carrier, mon-fri 08:00-18:00" */
static void route_describe(const struct route_table *t, const struct rt_route *r, char *buf,
			   size_t len)
{
	size_t o = 0;

	if (r->range != RT_NONE)
		o += rt_fmt(buf + o, len - o, "range %s", t->ranges[r->range].pub.name);
	if (r->called_len && o < len)
		o += rt_fmt(buf + o, len - o, "%scalled prefix %s", o ? ", " : "",
				      r->pub.called_prefix);
	if (!o)
		o += rt_fmt(buf, len, "%s", r->pub.ndests ? "any called number" :
				      "the owner of the called number's range");
	if (r->calling_len && o < len)
		o += rt_fmt(buf + o, len - o, ", calling prefix %s", r->pub.calling_prefix);
	if (r->source != RT_NONE && o < len)
		o += rt_fmt(buf + o, len - o, ", from %s", t->groups[r->source].pub.name);
	if (r->window && o < len) {
		char w[64];

		window_describe(&r->pub, w, sizeof(w));
		rt_fmt(buf + o, len - o, ", %s", w);
	}
}

/* ---- choosing the route ---- */

struct cand {
	const struct rt_route *r;
	uint64_t width;                 /* numbers of this length the called match admits */
	uint32_t rank;                  /* the range's place among those holding the number */
	bool owner;                     /* a range owner route, ranked as the call's range */
};

enum skip_why { SKIP_CALLING, SKIP_WINDOW };

struct choice {
	const struct route_table *t;
	const struct route_query *q;
	struct route_decision *d;
	const char *called, *calling;
	size_t called_len, calling_len;
	const uint32_t *set;            /* ranges holding the called number, best first */
	const uint64_t *width;
	size_t nset;
	struct cand best;
	unsigned nmatched;
	/* routes that matched the called number but not the calling number or
	 * the time: reported only if they would have beaten the winner */
	struct cand skipped[RT_SKIPPED_MAX];
	uint8_t why[RT_SKIPPED_MAX];
	unsigned nskipped;
};

/* < 0 when a is the better route (route.h's precedence) */
static int cand_cmp(const struct cand *a, const struct cand *b)
{
	const struct rt_route *x = a->r, *y = b->r;

	if (a->width != b->width)
		return a->width < b->width ? -1 : 1;
	if ((a->rank != RT_NONE) != (b->rank != RT_NONE))
		return a->rank != RT_NONE ? -1 : 1;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	/* a route naming the range beats a range owner route as specific as it */
	if (a->owner != b->owner)
		return a->owner ? 1 : -1;
	if (x->called_len != y->called_len)
		return x->called_len > y->called_len ? -1 : 1;
	if (x->calling_len != y->calling_len)
		return x->calling_len > y->calling_len ? -1 : 1;
	if (x->window != y->window)
		return x->window ? -1 : 1;
	if (x->pub.position != y->pub.position)
		return x->pub.position < y->pub.position ? -1 : 1;
	return x->input < y->input ? -1 : x->input > y->input;
}

static void consider(struct choice *c, const struct rt_route *r, uint32_t rank)
{
	struct cand k = { r, UINT64_MAX, rank, false };
	int why = -1;

	if (r->source != RT_NONE && r->pub.source_group_id != c->q->source_group_id)
		return;
	if (r->pub.ndests == 0) {               /* a range owner route */
		if (!c->nset || !c->t->ranges[c->set[0]].pub.group_id)
			return;
		if (rank == RT_NONE) {
			k.rank = rank = 0;      /* as specific as the call's range */
			k.owner = true;
		}
	}
	if (r->called_len && (c->called_len < r->called_len ||
			      memcmp(c->called, r->pub.called_prefix, r->called_len) != 0))
		return;
	if (rank != RT_NONE)
		k.width = c->width[rank];
	if (r->called_len) {
		uint64_t w = rt_pow10_sat((unsigned)(c->called_len - r->called_len));

		if (w < k.width)
			k.width = w;
	}
	if (r->calling_len && (c->calling_len < r->calling_len ||
			       memcmp(c->calling, r->pub.calling_prefix, r->calling_len) != 0))
		why = SKIP_CALLING;
	else if (r->window && !window_match(&r->pub, c->q->weekday, c->q->minute))
		why = SKIP_WINDOW;
	if (why >= 0) {
		if (c->nskipped < RT_SKIPPED_MAX) {
			c->why[c->nskipped] = (uint8_t)why;
			c->skipped[c->nskipped++] = k;
		}
		return;
	}
	c->nmatched++;
	if (!c->best.r || cand_cmp(&k, &c->best) < 0)
		c->best = k;
}

static void choose(struct choice *c)
{
	const struct route_table *t = c->t;
	uint32_t h[ROUTE_NUMBER_MAX + 1];
	uint64_t lens;

	for (size_t i = 0; i < c->nset; i++) {
		const struct rt_range *rg = &t->ranges[c->set[i]];

		for (uint32_t j = 0; j < rg->nroutes; j++)
			consider(c, &t->routes[t->range_routes[rg->routes_off + j]], (uint32_t)i);
	}
	lens = t->route_prefixes.lens & ((2ull << c->called_len) - 1);
	if (lens) {
		rt_prefix_hashes(c->called, c->called_len, h);
		while (lens) {
			unsigned l = 63 - (unsigned)__builtin_clzll(lens);
			const struct rt_strent *e;

			lens &= ~(1ull << l);
			if (!(e = rt_strmap_get(&t->route_prefixes, c->called, l, h[l])))
				continue;
			for (uint32_t j = 0; j < e->n; j++)
				consider(c, &t->routes[t->prefix_routes[e->val + j]], RT_NONE);
		}
	}
	for (size_t j = 0; j < t->nany; j++)
		consider(c, &t->routes[t->any_routes[j]], RT_NONE);
}

/* Say why routes more specific than the winner were not taken. */
static void skipped_steps(struct choice *c)
{
	for (unsigned i = 0; i < c->nskipped; i++) {
		const struct rt_route *r = c->skipped[i].r;
		char w[64];

		if (c->best.r && cand_cmp(&c->skipped[i], &c->best) > 0)
			continue;
		if (c->why[i] == SKIP_CALLING) {
			rt_step(c->d, "route %s not taken: calling number %s does not start with %s",
				r->pub.name, c->calling, r->pub.calling_prefix);
		} else {
			window_describe(&r->pub, w, sizeof(w));
			rt_step(c->d, "route %s not taken: outside %s", r->pub.name, w);
		}
	}
}

/* ---- destinations ---- */

static uint32_t mix32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

/* Try order of r's destinations for this draw (see the file comment). */
static unsigned dest_order(const struct rt_route *r, uint32_t draw, uint8_t *out,
			   struct route_decision *d, const struct route_table *t)
{
	const struct route_dest *dv = r->pub.dests;
	unsigned n = 0, k = 0;

	for (unsigned i = 0; i < r->pub.ndests;) {
		uint8_t w[ROUTE_MAX_DESTS];
		unsigned j = i, nw = 0, first = n;
		uint64_t total = 0;

		while (j < r->pub.ndests && dv[r->order[j]].position == dv[r->order[i]].position)
			j++;
		for (unsigned m = i; m < j; m++)
			if (dv[r->order[m]].weight) {
				w[nw++] = r->order[m];
				total += dv[r->order[m]].weight;
			}
		while (nw) {            /* weighted draw without replacement */
			uint64_t m = mix32(draw + 0x9e3779b9u * ++k), x;
			unsigned p = 0;

			/* x = floor(m * total / 2^32) in [0, total): total may pass
			 * 2^32 (8 weights of up to 2^32 - 1), so in two halves */
			x = m * (total >> 32) + ((m * (total & 0xffffffffu)) >> 32);

			while (p + 1 < nw && x >= dv[w[p]].weight) {
				x -= dv[w[p]].weight;
				p++;
			}
			out[n++] = w[p];
			total -= dv[w[p]].weight;
			memmove(&w[p], &w[p + 1], (size_t)(nw - p - 1));
			nw--;
		}
		if (n - first > 1) {
			char buf[128];
			size_t o = 0;

			for (unsigned m = first; m < n && o < sizeof(buf); m++)
				o += rt_fmt(buf + o, sizeof(buf) - o, "%s%s (%u)",
						      m > first ? ", " : "",
						      t->groups[r->dest_group[out[m]]].pub.name,
						      dv[out[m]].weight);
			rt_step(d, "weighted draw at position %d: %s", dv[out[first]].position, buf);
		}
		for (unsigned m = i; m < j; m++)
			if (!dv[r->order[m]].weight)
				out[n++] = r->order[m];
		i = j;
	}
	return n;
}

static void target_add(const struct route_table *t, uint32_t group,
		       const struct route_dest *dest, bool surv, struct route_decision *d)
{
	struct route_target *tg = &d->targets[d->ntargets++];

	tg->group_id = t->groups[group].pub.id;
	tg->group_name = t->groups[group].pub.name;
	tg->dest = dest;
	tg->survivability = surv;
	tg->called = d->called_in;
	tg->calling = d->calling_in;
}

/* No destination is up: the survivability group, the forward number, or 34. */
static void survive(const struct route_table *t, const struct route_query *q,
		    const struct rt_route *r, struct route_decision *d)
{
	if (r->surv_group != RT_NONE) {
		const struct rt_group *g = &t->groups[r->surv_group];

		if (!group_down(q, g->pub.id)) {
			rt_step(d, "every destination is down: survivability group %s", g->pub.name);
			target_add(t, r->surv_group, NULL, true, d);
			return;
		}
		rt_step(d, "survivability group %s skipped: down", g->pub.name);
	}
	if (r->pub.survivability_forward[0]) {
		d->outcome = ROUTE_FORWARD;
		d->cause = CAUSE_REDIRECTION;
		rt_fmt(d->forward, sizeof(d->forward), "%s", r->pub.survivability_forward);
		rt_step(d, "every destination is down: forward to %s", d->forward);
		return;
	}
	d->outcome = ROUTE_ALL_DOWN;
	d->cause = CAUSE_NO_CIRCUIT;
	rt_step(d, "every destination is down and there is no alternative: cause 34");
}

static void targets(const struct route_table *t, const struct route_query *q,
		    const struct rt_route *r, uint32_t range, struct route_decision *d)
{
	uint8_t order[ROUTE_MAX_DESTS];
	unsigned n;

	d->outcome = ROUTE_OK;
	d->cause = 0;
	if (r->pub.ndests == 0) {               /* to the range's owner */
		const struct rt_range *rg = range != RT_NONE ? &t->ranges[range] : NULL;
		uint32_t owner = rg && rg->pub.group_id ? rt_group_index(t, rg->pub.group_id)
							: RT_NONE;

		if (owner == RT_NONE) {
			d->outcome = rg ? ROUTE_NO_ROUTE : ROUTE_UNALLOCATED;
			d->cause = rg ? CAUSE_NO_ROUTE : CAUSE_UNALLOCATED;
			rt_step(d, "route %s has no destinations and the called number is in no "
				"range with an owner: cause %d", r->pub.name, d->cause);
			return;
		}
		if (group_down(q, t->groups[owner].pub.id)) {
			rt_step(d, "range owner %s skipped: down", t->groups[owner].pub.name);
			survive(t, q, r, d);
		} else {
			rt_step(d, "to the range's owner %s", t->groups[owner].pub.name);
			target_add(t, owner, NULL, false, d);
		}
		return;
	}
	n = dest_order(r, q->draw, order, d, t);
	for (unsigned i = 0; i < n; i++) {
		const struct route_dest *dest = &r->pub.dests[order[i]];
		uint32_t g = r->dest_group[order[i]];

		if (group_down(q, dest->group_id)) {
			rt_step(d, "destination %s skipped: down", t->groups[g].pub.name);
			continue;
		}
		rt_step(d, "destination %u: %s", d->ntargets + 1, t->groups[g].pub.name);
		target_add(t, g, dest, false, d);
	}
	if (d->ntargets == 0)
		survive(t, q, r, d);
}

/* ---- the decision ---- */

void route_decide(const struct route_table *t, const struct route_query *q,
		  struct route_decision *d)
{
	uint32_t set[RT_MAX_CONTAINING], src = RT_NONE;
	uint64_t width[RT_MAX_CONTAINING];
	struct rt_scratch s = { NULL };
	struct choice c;
	char desc[160];

	d->outcome = ROUTE_NO_ROUTE;
	d->cause = CAUSE_NO_ROUTE;
	d->route = NULL;
	d->range = NULL;
	d->ntargets = 0;
	d->forward[0] = '\0';
	d->nsteps = 0;
	if (!t || !q) {
		rt_step(d, "no routing table: cause 3");
		return;
	}
	number_copy(&d->called_in, &q->called);
	number_copy(&d->calling_in, &q->calling);

	/* 1. inbound manipulation */
	if (q->source_group_id && (src = rt_group_index(t, q->source_group_id)) == RT_NONE)
		rt_step(d, "call from unknown group %lld: no inbound rules", q->source_group_id);
	if (src != RT_NONE) {
		rt_rules_apply(t, src, ROUTE_DIR_IN, ROUTE_FIELD_CALLED, &d->called_in, &s, d);
		rt_rules_apply(t, src, ROUTE_DIR_IN, ROUTE_FIELD_CALLING, &d->calling_in, &s, d);
	}

	/* 2. the called number's range */
	memset(&c, 0, sizeof(c));
	c.t = t;
	c.q = q;
	c.d = d;
	c.called = d->called_in.digits;
	c.called_len = strlen(c.called);
	c.calling = d->calling_in.digits;
	c.calling_len = strlen(c.calling);
	c.nset = rt_ranges_containing(t, c.called, c.called_len, set, width, RT_MAX_CONTAINING);
	c.set = set;
	c.width = width;
	if (c.nset) {
		d->range = &t->ranges[set[0]].pub;
		rt_step(d, "range %s matched (%llu numbers)", d->range->name,
			(unsigned long long)width[0]);
	} else {
		rt_step(d, "called number %s is in no range", c.called);
	}

	/* 3. the route */
	choose(&c);
	skipped_steps(&c);
	if (!c.best.r) {
		d->outcome = c.nset ? ROUTE_NO_ROUTE : ROUTE_UNALLOCATED;
		d->cause = c.nset ? CAUSE_NO_ROUTE : CAUSE_UNALLOCATED;
		rt_step(d, "no route matched: cause %d (%s)", d->cause,
			c.nset ? "no route to destination" : "unallocated number");
		goto out;
	}
	d->route = &c.best.r->pub;
	route_describe(t, c.best.r, desc, sizeof(desc));
	rt_step(d, "route %s matched: %s", d->route->name, desc);
	if (c.nmatched > 1)
		rt_step(d, "route %s is the most specific of %u that matched", d->route->name,
			c.nmatched);

	/* 4. destinations, 5. outbound manipulation */
	targets(t, q, c.best.r, c.nset ? set[0] : RT_NONE, d);
	for (unsigned i = 0; i < d->ntargets; i++) {
		uint32_t g = rt_group_index(t, d->targets[i].group_id);

		rt_rules_apply(t, g, ROUTE_DIR_OUT, ROUTE_FIELD_CALLED, &d->targets[i].called, &s, d);
		rt_rules_apply(t, g, ROUTE_DIR_OUT, ROUTE_FIELD_CALLING, &d->targets[i].calling, &s,
			       d);
	}
 out:
	pcre2_match_data_free(s.md);            /* NULL-safe */
}
