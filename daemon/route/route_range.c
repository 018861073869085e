/*
 * route_range.c -- number ranges: checking, overlap resolution at build, and
 * the lookup "which ranges contain this number, most specific first".
 *
 * Structure.  Prefix ranges sit in a string map (route_util.c) keyed by the
 * prefix; a longest-prefix search probes one slot per prefix length that
 * exists.  first..last ranges are flattened per sign and digit count: for
 * each (leading '+' or not, 1..18 digits) there is a sorted array of
 * disjoint segments [lo, hi] (numbers as uint64_t), each carrying the list
 * of ranges that hold it, most specific first.  A lookup parses the number
 * once, binary-searches the segments of its length, and only when it falls
 * in none (or has no first..last ranges of its length) walks the prefix
 * map, whose hits are nested by construction (a longer prefix is inside a
 * shorter one).  So a lookup is O(log segments) or O(prefix lengths),
 * independent of how ranges nest, and holds no lock.
 *
 * Resolution.  Prefixes hold numbers of every length, so containment is
 * judged per length: at n digits a prefix of L digits is the block
 * [P*10^(n-L), (P+1)*10^(n-L) - 1].  For each length with first..last
 * ranges, the segment list is built from those ranges plus the blocks of
 * every prefix that meets one of them, by a sweep over the sorted interval
 * ends.  When an interval enters the sweep it is compared with those still
 * open: nested is fine, crossing or equal needs exactly one side marked
 * override_allowed, else the build fails naming both ranges.  In each
 * segment the open intervals are ordered by "beats": the nested one wins,
 * a first..last range wins over a prefix of equal extent at that length,
 * override wins where they cross or are equal; the order is verified
 * pairwise, so a set that has no consistent winner is an error, never a
 * silent choice.  Outside all first..last ranges only prefixes apply, and
 * the prefix map answers.  Build cost: O(R log R) plus O(P x lengths) to
 * find the prefixes meeting each length's ranges plus O(segments x depth^2)
 * where depth (ranges open at one point) is small in any real numbering plan.
 *
 * Built once by route_table_build(); read by any thread.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "route_int.h"

struct iv {
	uint64_t lo, hi;
	uint32_t idx;
};

struct segbuf {                         /* segments while building (malloc) */
	uint64_t *lo, *hi;
	uint32_t *set;
	uint16_t *nset;
	size_t n, cap;
	uint32_t *pool;
	size_t npool, poolcap;
};

const char *rt_range_label(const struct route_range *r, char *buf, size_t len)
{
	if (r->name && r->name[0])
		snprintf(buf, len, "%s", r->name);
	else
		snprintf(buf, len, "#%lld", r->id);
	return buf;
}

/* A range's definition in words, for messages: "+4930100-+4930199", "prefix +49". */
static const char *range_def(const struct rt_range *r, char *buf, size_t len)
{
	if (r->is_prefix)
		snprintf(buf, len, "prefix %s", r->pub.prefix);
	else
		snprintf(buf, len, "%s-%s", r->pub.first, r->pub.last);
	return buf;
}

/* digits with an optional leading '+'; *nd = digit count */
static bool number_form(const char *s, unsigned *nd)
{
	size_t n = strlen(s), plus = s[0] == '+';

	if (n <= plus || !rt_is_digits(s + plus, n - plus))
		return false;
	*nd = (unsigned)(n - plus);
	return true;
}

static uint64_t digits_value(const char *s, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	return v;
}

int route_range_check(const struct route_range *r, const char **field, char *err, size_t errlen)
{
	const char *first = r->first ? r->first : "", *last = r->last ? r->last : "";
	const char *prefix = r->prefix ? r->prefix : "", *f = NULL;
	unsigned nf, nl, np;
	char lb[64];

	rt_range_label(r, lb, sizeof(lb));
	if (*prefix && (*first || *last)) {
		f = "prefix";
		rt_errf(err, errlen, "number range %s: give a prefix or first and last, not both", lb);
	} else if (!*prefix && !*first && !*last) {
		f = "prefix";
		rt_errf(err, errlen, "number range %s: needs a prefix or first and last", lb);
	} else if (*prefix) {
		if (!number_form(prefix, &np) || strlen(prefix) > RT_NUMBER_LEN) {
			f = "prefix";
			rt_errf(err, errlen, "number range %s: prefix: \"%s\" is not a number prefix "
				"(up to 32 digits, optionally a leading +)", lb, prefix);
		}
	} else if (!number_form(first, &nf)) {
		f = "first";
		rt_errf(err, errlen, "number range %s: first: \"%s\" is not a number "
			"(digits, optionally a leading +)", lb, first);
	} else if (!number_form(last, &nl)) {
		f = "last";
		rt_errf(err, errlen, "number range %s: last: \"%s\" is not a number "
			"(digits, optionally a leading +)", lb, last);
	} else if (nf > RT_RANGE_DIGITS) {
		f = "first";
		rt_errf(err, errlen, "number range %s: first: more than %d digits (use a prefix)",
			lb, RT_RANGE_DIGITS);
	} else if ((first[0] == '+') != (last[0] == '+')) {
		f = "last";
		rt_errf(err, errlen, "number range %s: last: first and last must both start "
			"with + or neither", lb);
	} else if (nf != nl) {
		f = "last";
		rt_errf(err, errlen, "number range %s: last: must have as many digits as first (%u)",
			lb, nf);
	} else if (strcmp(last, first) < 0) {
		f = "last";
		rt_errf(err, errlen, "number range %s: last is before first", lb);
	}
	if (!f && r->group_id < 0) {
		f = "group_id";
		rt_errf(err, errlen, "number range %s: group_id: %lld is not a group", lb, r->group_id);
	}
	if (f) {
		if (field)
			*field = f;
		return EINVAL;
	}
	return 0;
}

/* ---- overlap relations ---- */

enum rel { REL_A_IN_B, REL_B_IN_A, REL_EQUAL, REL_CROSS };

static enum rel relation(const struct iv *a, const struct iv *b)
{
	if (a->lo == b->lo && a->hi == b->hi)
		return REL_EQUAL;
	if (a->lo >= b->lo && a->hi <= b->hi)
		return REL_A_IN_B;
	if (b->lo >= a->lo && b->hi <= a->hi)
		return REL_B_IN_A;
	return REL_CROSS;
}

/* Does a win over b where both hold the number (see the file comment)? */
static bool beats(const struct route_table *t, const struct iv *a, const struct iv *b)
{
	const struct rt_range *ra = &t->ranges[a->idx], *rb = &t->ranges[b->idx];

	switch (relation(a, b)) {
	case REL_A_IN_B:
		return true;
	case REL_B_IN_A:
		return false;
	case REL_EQUAL:
		if (ra->is_prefix != rb->is_prefix)
			return !ra->is_prefix;
		/* fall through */
	default:
		return ra->pub.override_allowed && !rb->pub.override_allowed;
	}
}

static int overlap_error(const struct route_table *t, uint32_t a, uint32_t b, bool equal,
			 char *err, size_t errlen)
{
	const struct rt_range *ra = &t->ranges[a], *rb = &t->ranges[b];
	char la[64], lb[64], da[80], db[80];
	bool both = ra->pub.override_allowed && rb->pub.override_allowed;

	rt_range_label(&ra->pub, la, sizeof(la));
	rt_range_label(&rb->pub, lb, sizeof(lb));
	range_def(ra, da, sizeof(da));
	range_def(rb, db, sizeof(db));
	if (equal)
		rt_errf(err, errlen, "number ranges %s (%s) and %s (%s) are equal%s", la, da, lb, db,
			both ? " and both allow override" :
			" (mark the one that should win override_allowed)");
	else
		rt_errf(err, errlen, "number ranges %s (%s) and %s (%s) overlap and neither "
			"contains the other%s", la, da, lb, db,
			both ? "; both allow override" :
			" (mark the one that should win override_allowed)");
	return EINVAL;
}

/* ---- prefixes ---- */

static int prefixes_build(struct route_table *t, size_t nprefix, char *err, size_t errlen)
{
	int e = rt_strmap_init(t, &t->prefixes, nprefix);

	if (e)
		return e;
	for (uint32_t i = 0; i < t->nranges; i++) {
		struct rt_range *r = &t->ranges[i];
		struct rt_strent *ent;
		bool fresh;

		if (!r->is_prefix)
			continue;
		ent = rt_strmap_put(&t->prefixes, r->pub.prefix, r->nchars, &fresh);
		if (fresh) {
			ent->val = i;
			continue;
		}
		/* the same prefix twice: allowed once, with exactly one override */
		for (uint32_t o = ent->val; o != RT_NONE; o = t->ranges[o].same_next)
			if (t->ranges[o].pub.override_allowed == r->pub.override_allowed)
				return overlap_error(t, o, i, true, err, errlen);
		if (r->pub.override_allowed) {
			r->same_next = ent->val;
			ent->val = i;
		} else {
			t->ranges[ent->val].same_next = i;
		}
	}
	return 0;
}

/* ---- flattening first..last ranges per length ---- */

static int iv_cmp(const void *a, const void *b)
{
	const struct iv *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi > y->hi ? -1 : 1;  /* the wider one first */
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int seg_grow(struct segbuf *b, size_t k)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 1024;
		void *p;

		if (!(p = realloc(b->lo, cap * sizeof(*b->lo))))
			return ENOMEM;
		b->lo = p;
		if (!(p = realloc(b->hi, cap * sizeof(*b->hi))))
			return ENOMEM;
		b->hi = p;
		if (!(p = realloc(b->set, cap * sizeof(*b->set))))
			return ENOMEM;
		b->set = p;
		if (!(p = realloc(b->nset, cap * sizeof(*b->nset))))
			return ENOMEM;
		b->nset = p;
		b->cap = cap;
	}
	if (b->npool + k > b->poolcap) {
		size_t cap = b->poolcap ? 2 * b->poolcap : 4096;
		void *p;

		while (cap < b->npool + k)
			cap *= 2;
		if (!(p = realloc(b->pool, cap * sizeof(*b->pool))))
			return ENOMEM;
		b->pool = p;
		b->poolcap = cap;
	}
	return 0;
}

/* Order the open intervals most specific first and emit one segment. */
static int emit_segment(const struct route_table *t, struct iv *open, size_t k, uint64_t lo,
			uint64_t hi, struct segbuf *b, char *err, size_t errlen)
{
	int e;

	if (k > UINT16_MAX) {
		rt_errf(err, errlen, "number ranges: more than %d ranges hold one number", UINT16_MAX);
		return EINVAL;
	}
	/* insertion sort by beats(), then a pairwise check that it is an order */
	for (size_t i = 1; i < k; i++) {
		struct iv x = open[i];
		size_t j = i;

		while (j > 0 && beats(t, &x, &open[j - 1])) {
			open[j] = open[j - 1];
			j--;
		}
		open[j] = x;
	}
	for (size_t i = 0; i < k; i++)
		for (size_t j = i + 1; j < k; j++)
			if (!beats(t, &open[i], &open[j]))
				return overlap_error(t, open[i].idx, open[j].idx,
						     relation(&open[i], &open[j]) == REL_EQUAL,
						     err, errlen);
	if ((e = seg_grow(b, k)))
		return e;
	b->lo[b->n] = lo;
	b->hi[b->n] = hi;
	b->set[b->n] = (uint32_t)b->npool;
	b->nset[b->n] = (uint16_t)k;
	b->n++;
	for (size_t i = 0; i < k; i++)
		b->pool[b->npool++] = open[i].idx;
	return 0;
}

/* Admit interval x to the open set after checking it against each open one. */
static int sweep_admit(const struct route_table *t, struct iv *open, size_t *k,
		       const struct iv *x, char *err, size_t errlen)
{
	const struct rt_range *rx = &t->ranges[x->idx];

	for (size_t i = 0; i < *k; i++) {
		const struct rt_range *ro = &t->ranges[open[i].idx];
		enum rel rl = relation(&open[i], x);

		if (rl == REL_A_IN_B || rl == REL_B_IN_A)
			continue;
		if (rl == REL_EQUAL && (ro->is_prefix || rx->is_prefix))
			continue;       /* a range beats a prefix's equal block; same prefix: checked */
		if (ro->pub.override_allowed == rx->pub.override_allowed)
			return overlap_error(t, open[i].idx, x->idx, rl == REL_EQUAL, err, errlen);
	}
	open[(*k)++] = *x;
	return 0;
}

/* The sweep over one length's sorted intervals. */
static int sweep(const struct route_table *t, const struct iv *v, size_t n, struct segbuf *b,
		 char *err, size_t errlen)
{
	struct iv *open = malloc(n * sizeof(*open)), *tmp = malloc(n * sizeof(*tmp));
	size_t i = 0, k = 0;
	uint64_t p;
	int e = 0;

	if (!open || !tmp) {
		e = ENOMEM;
		goto out;
	}
	p = v[0].lo;
	while (i < n || k > 0) {
		uint64_t q = UINT64_MAX, minhi = UINT64_MAX;
		size_t nranges = 0, w = 0;

		for (size_t j = 0; j < k; j++)          /* close what ended before p */
			if (open[j].hi >= p)
				open[w++] = open[j];
		k = w;
		if (k == 0 && i < n && v[i].lo > p)
			p = v[i].lo;
		while (i < n && v[i].lo == p)
			if ((e = sweep_admit(t, open, &k, &v[i++], err, errlen)))
				goto out;
		if (k == 0)
			continue;
		for (size_t j = 0; j < k; j++) {
			if (open[j].hi < minhi)
				minhi = open[j].hi;
			nranges += !t->ranges[open[j].idx].is_prefix;
		}
		q = minhi;                              /* the segment is [p, q] */
		if (i < n && v[i].lo - 1 < q)
			q = v[i].lo - 1;
		if (nranges) {
			memcpy(tmp, open, k * sizeof(*tmp));
			if ((e = emit_segment(t, tmp, k, p, q, b, err, errlen)))
				goto out;
		}
		if (q == UINT64_MAX)
			break;
		p = q + 1;
	}
 out:
	free(open);
	free(tmp);
	return e;
}

static int span_cmp(const void *a, const void *b)
{
	const struct rt_range *x = *(const struct rt_range * const *)a;
	const struct rt_range *y = *(const struct rt_range * const *)b;

	if (x->plus != y->plus)
		return x->plus - y->plus;
	if (x->ndigits != y->ndigits)
		return x->ndigits - y->ndigits;
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return x->last < y->last ? -1 : x->last > y->last;
}

/* Build one length's intervals: its first..last ranges (r[0..nr)) and the
 * blocks of the prefixes that meet them. */
static int length_build(struct route_table *t, struct rt_range **r, size_t nr,
			struct rt_range **pfx, size_t npfx, struct segbuf *b, char *err,
			size_t errlen)
{
	unsigned nd = r[0]->ndigits;
	struct iv *v = malloc((nr + npfx) * sizeof(*v)), *u = malloc(nr * sizeof(*u));
	size_t nv = 0, nu = 0;
	int e = 0;

	if (!v || !u) {
		e = ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < nr; i++) {       /* r is sorted by first: merge the union */
		v[nv++] = (struct iv){ r[i]->first, r[i]->last, (uint32_t)(r[i] - t->ranges) };
		if (nu && r[i]->first <= u[nu - 1].hi + 1) {
			if (r[i]->last > u[nu - 1].hi)
				u[nu - 1].hi = r[i]->last;
		} else {
			u[nu++] = (struct iv){ r[i]->first, r[i]->last, 0 };
		}
	}
	for (size_t i = 0; i < npfx; i++) {
		const struct rt_range *p = pfx[i];
		uint64_t scale, lo, hi;
		size_t a = 0, z = nu;

		if (p->plus != r[0]->plus || p->ndigits > nd)
			continue;
		scale = rt_pow10_sat(nd - p->ndigits);
		lo = p->first * scale;
		hi = lo + scale - 1;
		while (a < z) {                 /* first union piece ending at or after lo */
			size_t m = (a + z) / 2;

			if (u[m].hi < lo)
				a = m + 1;
			else
				z = m;
		}
		if (a < nu && u[a].lo <= hi)
			v[nv++] = (struct iv){ lo, hi, (uint32_t)(p - t->ranges) };
	}
	qsort(v, nv, sizeof(*v), iv_cmp);
	t->lists[r[0]->plus][nd].off = (uint32_t)b->n;
	e = sweep(t, v, nv, b, err, errlen);
	t->lists[r[0]->plus][nd].n = (uint32_t)(b->n - t->lists[r[0]->plus][nd].off);
 out:
	free(v);
	free(u);
	return e;
}

static int segments_build(struct route_table *t, char *err, size_t errlen)
{
	struct rt_range **span = NULL, **pfx = NULL;
	struct segbuf b = { 0 };
	size_t nspan = 0, npfx = 0;
	int e = 0;

	span = malloc((t->nranges + 1) * sizeof(*span));
	pfx = malloc((t->nranges + 1) * sizeof(*pfx));
	if (!span || !pfx) {
		e = ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < t->nranges; i++) {
		if (t->ranges[i].is_prefix) {
			if (t->ranges[i].ndigits <= RT_RANGE_DIGITS)
				pfx[npfx++] = &t->ranges[i];
		} else {
			span[nspan++] = &t->ranges[i];
		}
	}
	qsort(span, nspan, sizeof(*span), span_cmp);
	for (size_t i = 0; i < nspan;) {
		size_t j = i;

		while (j < nspan && span[j]->plus == span[i]->plus &&
		       span[j]->ndigits == span[i]->ndigits)
			j++;
		if ((e = length_build(t, span + i, j - i, pfx, npfx, &b, err, errlen)))
			goto out;
		i = j;
	}
	t->nsegs = b.n;
	t->nsetpool = b.npool;
	t->seg_lo = rt_alloc(t, (b.n + 1) * sizeof(*t->seg_lo));
	t->seg_hi = rt_alloc(t, (b.n + 1) * sizeof(*t->seg_hi));
	t->seg_set = rt_alloc(t, (b.n + 1) * sizeof(*t->seg_set));
	t->seg_nset = rt_alloc(t, (b.n + 1) * sizeof(*t->seg_nset));
	t->setpool = rt_alloc(t, (b.npool + 1) * sizeof(*t->setpool));
	if (!t->seg_lo || !t->seg_hi || !t->seg_set || !t->seg_nset || !t->setpool) {
		e = ENOMEM;
		goto out;
	}
	if (b.n) {
		memcpy(t->seg_lo, b.lo, b.n * sizeof(*b.lo));
		memcpy(t->seg_hi, b.hi, b.n * sizeof(*b.hi));
		memcpy(t->seg_set, b.set, b.n * sizeof(*b.set));
		memcpy(t->seg_nset, b.nset, b.n * sizeof(*b.nset));
		memcpy(t->setpool, b.pool, b.npool * sizeof(*b.pool));
	}
 out:
	free(span);
	free(pfx);
	free(b.lo);
	free(b.hi);
	free(b.set);
	free(b.nset);
	free(b.pool);
	return e;
}

/* ---- building ---- */

static int range_copy(struct route_table *t, struct rt_range *r, const struct route_range *c,
		      char *err, size_t errlen)
{
	const char *s;
	int e;

	if ((e = route_range_check(c, NULL, err, errlen)))
		return e;
	r->pub = *c;
	r->pub.name = rt_strdup(t, c->name);
	r->pub.first = rt_strdup(t, c->first);
	r->pub.last = rt_strdup(t, c->last);
	r->pub.prefix = rt_strdup(t, c->prefix);
	if (!r->pub.name || !r->pub.first || !r->pub.last || !r->pub.prefix)
		return ENOMEM;
	r->is_prefix = r->pub.prefix[0] != '\0';
	s = r->is_prefix ? r->pub.prefix : r->pub.first;
	r->plus = s[0] == '+';
	r->nchars = (uint8_t)strlen(s);
	r->ndigits = (uint8_t)(r->nchars - r->plus);
	r->same_next = RT_NONE;
	if (r->ndigits <= RT_RANGE_DIGITS)
		r->first = digits_value(s + r->plus, r->ndigits);
	if (!r->is_prefix)
		r->last = digits_value(r->pub.last + r->plus, r->ndigits);
	return 0;
}

int rt_ranges_build(struct route_table *t, const struct route_config *cfg, char *err,
		    size_t errlen)
{
	size_t nprefix = 0;
	int e;

	t->nranges = cfg->nranges;
	t->ranges = rt_alloc(t, (cfg->nranges + 1) * sizeof(*t->ranges));
	if (!t->ranges)
		return ENOMEM;
	for (size_t i = 0; i < cfg->nranges; i++) {
		struct rt_range *r = &t->ranges[i];
		char lb[64];

		if ((e = range_copy(t, r, &cfg->ranges[i], err, errlen)))
			return e;
		if (r->pub.group_id && rt_group_index(t, r->pub.group_id) == RT_NONE) {
			rt_errf(err, errlen, "number range %s: group %lld does not exist",
				rt_range_label(&r->pub, lb, sizeof(lb)), r->pub.group_id);
			return EINVAL;
		}
		nprefix += r->is_prefix;
	}
	if ((e = prefixes_build(t, nprefix, err, errlen)))
		return e;
	return segments_build(t, err, errlen);
}

/* ---- lookup ---- */

static size_t from_segment(const struct route_table *t, const struct rt_seglist *l, uint64_t v,
			   unsigned nd, uint32_t *idx, uint64_t *width, size_t max)
{
	size_t a = l->off, z = (size_t)l->off + l->n, k = 0;
	const uint32_t *set;
	uint64_t prev = 0;

	while (a < z) {                 /* first segment with hi >= v */
		size_t m = (a + z) / 2;

		if (t->seg_hi[m] < v)
			a = m + 1;
		else
			z = m;
	}
	if (a == (size_t)l->off + l->n || t->seg_lo[a] > v)
		return 0;
	set = &t->setpool[t->seg_set[a]];
	for (size_t i = 0; i < t->seg_nset[a] && k < max; i++) {
		const struct rt_range *r = &t->ranges[set[i]];
		uint64_t w = r->is_prefix ? rt_pow10_sat(nd - r->ndigits) : r->last - r->first + 1;

		idx[k] = set[i];
		width[k] = prev = w > prev ? w : prev;
		k++;
	}
	return k;
}

size_t rt_ranges_containing(const struct route_table *t, const char *number, size_t len,
			    uint32_t *idx, uint64_t *width, size_t max)
{
	uint32_t h[ROUTE_NUMBER_MAX + 1];
	size_t plus = len > 0 && number[0] == '+', nd = len - plus, k = 0;
	uint64_t lens, prev = 0;

	if (len > RT_NUMBER_LEN || max == 0)
		return 0;
	if (nd >= 1 && nd <= RT_RANGE_DIGITS && t->lists[plus][nd].n &&
	    rt_is_digits(number + plus, nd)) {
		k = from_segment(t, &t->lists[plus][nd], digits_value(number + plus, nd),
				 (unsigned)nd, idx, width, max);
		if (k)
			return k;
	}
	lens = t->prefixes.lens & ((2ull << len) - 1);
	if (!lens)
		return 0;
	rt_prefix_hashes(number, len, h);
	while (lens && k < max) {
		unsigned l = 63 - (unsigned)__builtin_clzll(lens);
		const struct rt_strent *e;

		lens &= ~(1ull << l);
		e = rt_strmap_get(&t->prefixes, number, l, h[l]);
		if (!e)
			continue;
		for (uint32_t r = e->val; r != RT_NONE && k < max; r = t->ranges[r].same_next) {
			uint64_t w = rt_pow10_sat((unsigned)(len - l));

			idx[k] = r;
			width[k] = prev = w > prev ? w : prev;
			k++;
		}
	}
	return k;
}

const struct route_range *route_range_lookup(const struct route_table *t, const char *number)
{
	uint32_t idx;
	uint64_t w;
	size_t len;

	if (!t || !number)
		return NULL;
	len = strnlen(number, ROUTE_NUMBER_MAX);
	if (rt_ranges_containing(t, number, len, &idx, &w, 1) == 0)
		return NULL;
	return &t->ranges[idx].pub;
}
