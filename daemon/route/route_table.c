/*
 * route_table.c -- building a routing table from one configuration snapshot:
 * copying and validating groups, ranges, rules and routes, indexing routes
 * by what their called number must match, and the table's lifetime.
 *
 * A table is a refcounted sofia-sip home (made thread-safe, since calls on
 * any thread may hold a reference) that owns copies of everything: the
 * config passed to route_table_build() is only borrowed.  Big arrays and
 * one string pool come from the home, so freeing the home frees them; the
 * compiled regexes are PCRE2's and the destructor frees them.  After the
 * build nothing is written, so lookups need no lock.
 *
 * Route index: a route bound to a range is listed under that range; a
 * route with only a called prefix is listed under the prefix in a string
 * map (one probe per prefix length that exists); the rest match any called
 * number.  route_decide() visits just these candidates.
 *
 * Called by whoever loads a config generation (the main thread); the
 * route tester may build its own table on an HTTP thread.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "route_int.h"

#define POOL_CHUNK 65536

void rt_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void *rt_alloc(struct route_table *t, size_t size)
{
	void *p = su_zalloc(t->home, (isize_t)size);

	if (p)
		t->mem += size;
	return p;
}

const char *rt_strdup(struct route_table *t, const char *s)
{
	size_t n;
	char *p;

	if (!s || !*s)
		return "";
	n = strlen(s) + 1;
	if (n > POOL_CHUNK / 8)
		p = rt_alloc(t, n);             /* a long name: its own block */
	else {
		if (n > t->pool_left) {
			t->pool = rt_alloc(t, POOL_CHUNK);
			t->pool_left = t->pool ? POOL_CHUNK : 0;
			if (!t->pool)
				return NULL;
		}
		p = t->pool;
		t->pool += n;
		t->pool_left -= n;
	}
	if (p)
		memcpy(p, s, n);
	return p;
}

/* ---- groups ---- */

uint32_t rt_group_index(const struct route_table *t, long long id)
{
	size_t a = 0, z = t->ngroups;

	while (a < z) {
		size_t m = (a + z) / 2;

		if (t->groups[m].pub.id < id)
			a = m + 1;
		else
			z = m;
	}
	return a < t->ngroups && t->groups[a].pub.id == id ? (uint32_t)a : RT_NONE;
}

const struct rt_group *rt_group_find(const struct route_table *t, long long id)
{
	uint32_t i = rt_group_index(t, id);

	return i == RT_NONE ? NULL : &t->groups[i];
}

const struct route_group *route_group_by_id(const struct route_table *t, long long id)
{
	const struct rt_group *g = t ? rt_group_find(t, id) : NULL;

	return g ? &g->pub : NULL;
}

static int group_cmp(const void *a, const void *b)
{
	const struct rt_group *x = a, *y = b;

	return x->pub.id < y->pub.id ? -1 : x->pub.id > y->pub.id;
}

static int groups_build(struct route_table *t, const struct route_config *cfg, char *err,
			size_t errlen)
{
	t->groups = rt_alloc(t, (cfg->ngroups + 1) * sizeof(*t->groups));
	if (!t->groups)
		return ENOMEM;
	for (size_t i = 0; i < cfg->ngroups; i++) {
		const struct route_group *c = &cfg->groups[i];
		struct rt_group *g = &t->groups[i];

		if (c->id <= 0) {
			rt_errf(err, errlen, "group %s: id %lld is not positive", c->name ? c->name : "",
				c->id);
			return EINVAL;
		}
		if (c->kind != ROUTE_GROUP_SPAN && c->kind != ROUTE_GROUP_SIP &&
		    c->kind != ROUTE_GROUP_ANALOG) {
			rt_errf(err, errlen, "group %s: kind: %d is not span, sip or analog",
				c->name ? c->name : "", (int)c->kind);
			return EINVAL;
		}
		g->pub = *c;
		if (!(g->pub.name = rt_strdup(t, c->name)))
			return ENOMEM;
	}
	t->ngroups = cfg->ngroups;
	qsort(t->groups, t->ngroups, sizeof(*t->groups), group_cmp);
	for (size_t i = 1; i < t->ngroups; i++)
		if (t->groups[i].pub.id == t->groups[i - 1].pub.id) {
			rt_errf(err, errlen, "groups %s and %s have the same id %lld",
				t->groups[i - 1].pub.name, t->groups[i].pub.name, t->groups[i].pub.id);
			return EINVAL;
		}
	return 0;
}

/* ---- routes ---- */

static const char *route_label(const struct route_route *r, char *buf, size_t len)
{
	if (r->name && r->name[0])
		snprintf(buf, len, "%s", r->name);
	else
		snprintf(buf, len, "#%lld", r->id);
	return buf;
}

int route_route_check(const struct route_route *r, const char **field, char *err, size_t errlen)
{
	const char *called = r->called_prefix ? r->called_prefix : "";
	const char *calling = r->calling_prefix ? r->calling_prefix : "";
	const char *fwd = r->survivability_forward ? r->survivability_forward : "";
	const char *f = NULL;
	char lb[64], msg[160];

	route_label(r, lb, sizeof(lb));
	msg[0] = '\0';
	if (r->source_group_id < 0)
		f = "source_group_id", snprintf(msg, sizeof(msg), "%lld is not a group",
						r->source_group_id);
	else if (r->range_id < 0)
		f = "range_id", snprintf(msg, sizeof(msg), "%lld is not a range", r->range_id);
	else if (!rt_is_prefix_chars(called, RT_NUMBER_LEN))
		f = "called_prefix", snprintf(msg, sizeof(msg), "\"%s\" is not a number prefix "
					      "(0-9 * #, optionally a leading +)", called);
	else if (!rt_is_prefix_chars(calling, RT_NUMBER_LEN))
		f = "calling_prefix", snprintf(msg, sizeof(msg), "\"%s\" is not a number prefix "
					       "(0-9 * #, optionally a leading +)", calling);
	else if (r->days & ~0x7fu)
		f = "days", snprintf(msg, sizeof(msg), "0x%x has bits beyond Sunday", r->days);
	else if (r->time_from < -1 || r->time_from > 1439)
		f = "time_from", snprintf(msg, sizeof(msg), "%d is not a minute of the day "
					  "(0-1439, or -1 for all day)", r->time_from);
	else if (r->time_to < -1 || r->time_to > 1440)
		f = "time_to", snprintf(msg, sizeof(msg), "%d is not a minute of the day "
					"(0-1440, or -1 for all day)", r->time_to);
	else if ((r->time_from < 0) != (r->time_to < 0))
		f = r->time_from < 0 ? "time_from" : "time_to",
		snprintf(msg, sizeof(msg), "give both ends of the time window or neither");
	else if (r->time_from >= 0 && r->time_from == r->time_to)
		f = "time_to", snprintf(msg, sizeof(msg), "the window starts and ends at the same "
					"time (leave both unset for all day)");
	else if (r->survivability_group_id < 0)
		f = "survivability_group_id", snprintf(msg, sizeof(msg), "%lld is not a group",
						       r->survivability_group_id);
	else if (*fwd && !route_number_valid(fwd))
		f = "survivability_forward", snprintf(msg, sizeof(msg), "\"%s\" is not a number", fwd);
	else if (r->ndests > ROUTE_MAX_DESTS)
		f = "dests", snprintf(msg, sizeof(msg), "%u destinations, at most %d", r->ndests,
				      ROUTE_MAX_DESTS);
	for (unsigned i = 0; !f && i < r->ndests; i++) {
		const struct route_dest *d = &r->dests[i];

		if (d->group_id <= 0)
			f = "dests", snprintf(msg, sizeof(msg), "destination %u: %lld is not a group",
					      i + 1, d->group_id);
		else if (d->nfailover > RT_FAILOVER_MAX)
			f = "dests", snprintf(msg, sizeof(msg), "destination %u: %u failover causes, at "
					      "most %d", i + 1, d->nfailover, (int)RT_FAILOVER_MAX);
		for (unsigned j = 0; !f && j < d->nfailover; j++) {
			unsigned c = d->failover[j];

			if (!((c >= 1 && c <= 127) || (c >= 300 && c <= 699)))
				f = "dests", snprintf(msg, sizeof(msg), "destination %u: failover cause "
						      "%u is neither a Q.850 cause (1-127) nor a SIP "
						      "status (300-699)", i + 1, c);
		}
	}
	if (!f)
		return 0;
	if (field)
		*field = f;
	rt_errf(err, errlen, "route %s: %s: %s", lb, f, msg);
	return EINVAL;
}

static int range_id_cmp(const void *a, const void *b)
{
	const struct rt_range *x = *(const struct rt_range * const *)a;
	const struct rt_range *y = *(const struct rt_range * const *)b;

	return x->pub.id < y->pub.id ? -1 : x->pub.id > y->pub.id;
}

/* Ranges by id (for the routes' range_id), refusing duplicate ids. */
static int ranges_by_id(struct route_table *t, struct rt_range ***byidp, char *err, size_t errlen)
{
	struct rt_range **v = malloc((t->nranges + 1) * sizeof(*v));
	char la[64], lb[64];

	if (!v)
		return ENOMEM;
	for (size_t i = 0; i < t->nranges; i++)
		v[i] = &t->ranges[i];
	qsort(v, t->nranges, sizeof(*v), range_id_cmp);
	for (size_t i = 1; i < t->nranges; i++)
		if (v[i]->pub.id == v[i - 1]->pub.id) {
			rt_errf(err, errlen, "number ranges %s and %s have the same id %lld",
				rt_range_label(&v[i - 1]->pub, la, sizeof(la)),
				rt_range_label(&v[i]->pub, lb, sizeof(lb)), v[i]->pub.id);
			free(v);
			return EINVAL;
		}
	*byidp = v;
	return 0;
}

static uint32_t range_find(const struct route_table *t, struct rt_range **byid, long long id)
{
	size_t a = 0, z = t->nranges;

	while (a < z) {
		size_t m = (a + z) / 2;

		if (byid[m]->pub.id < id)
			a = m + 1;
		else
			z = m;
	}
	return a < t->nranges && byid[a]->pub.id == id ? (uint32_t)(byid[a] - t->ranges) : RT_NONE;
}

/* Resolve one route's references and precompute what deciding needs. */
static int route_copy(struct route_table *t, struct rt_route *r, const struct route_route *c,
		      struct rt_range **byid, char *err, size_t errlen)
{
	char lb[64];
	int e;

	if ((e = route_route_check(c, NULL, err, errlen)))
		return e;
	route_label(c, lb, sizeof(lb));
	r->pub = *c;
	r->pub.name = rt_strdup(t, c->name);
	r->pub.called_prefix = rt_strdup(t, c->called_prefix);
	r->pub.calling_prefix = rt_strdup(t, c->calling_prefix);
	r->pub.survivability_forward = rt_strdup(t, c->survivability_forward);
	if (!r->pub.name || !r->pub.called_prefix || !r->pub.calling_prefix ||
	    !r->pub.survivability_forward)
		return ENOMEM;
	r->source = RT_NONE;
	if (c->source_group_id && (r->source = rt_group_index(t, c->source_group_id)) == RT_NONE) {
		rt_errf(err, errlen, "route %s: source group %lld does not exist", lb,
			c->source_group_id);
		return EINVAL;
	}
	r->range = RT_NONE;
	if (c->range_id && (r->range = range_find(t, byid, c->range_id)) == RT_NONE) {
		rt_errf(err, errlen, "route %s: number range %lld does not exist", lb, c->range_id);
		return EINVAL;
	}
	r->surv_group = RT_NONE;
	if (c->survivability_group_id &&
	    (r->surv_group = rt_group_index(t, c->survivability_group_id)) == RT_NONE) {
		rt_errf(err, errlen, "route %s: survivability group %lld does not exist", lb,
			c->survivability_group_id);
		return EINVAL;
	}
	for (unsigned i = 0; i < c->ndests; i++) {
		r->dest_group[i] = rt_group_index(t, c->dests[i].group_id);
		if (r->dest_group[i] == RT_NONE) {
			rt_errf(err, errlen, "route %s: destination %u: group %lld does not exist", lb,
				i + 1, c->dests[i].group_id);
			return EINVAL;
		}
	}
	/* destinations by position, stable (insertion sort of <= 8) */
	for (unsigned i = 0; i < c->ndests; i++) {
		unsigned j = i;

		while (j > 0 && c->dests[r->order[j - 1]].position > c->dests[i].position) {
			r->order[j] = r->order[j - 1];
			j--;
		}
		r->order[j] = (uint8_t)i;
	}
	r->called_len = (uint8_t)strlen(r->pub.called_prefix);
	r->calling_len = (uint8_t)strlen(r->pub.calling_prefix);
	r->window = (c->days & 0x7f) || c->time_from >= 0;
	return 0;
}

static int routes_index(struct route_table *t)
{
	size_t nprefixed = 0, off = 0;
	uint32_t *fill;
	int e;

	for (size_t i = 0; i < t->nroutes; i++) {
		const struct rt_route *r = &t->routes[i];

		if (r->range != RT_NONE)
			t->ranges[r->range].nroutes++;
		else if (r->called_len)
			nprefixed++;
		else
			t->nany++;
	}
	t->range_routes = rt_alloc(t, (t->nroutes + 1) * sizeof(*t->range_routes));
	t->prefix_routes = rt_alloc(t, (nprefixed + 1) * sizeof(*t->prefix_routes));
	t->any_routes = rt_alloc(t, (t->nany + 1) * sizeof(*t->any_routes));
	fill = calloc(t->nranges + 1, sizeof(*fill));
	if (!t->range_routes || !t->prefix_routes || !t->any_routes || !fill ||
	    (e = rt_strmap_init(t, &t->route_prefixes, nprefixed)) != 0) {
		free(fill);
		return ENOMEM;
	}
	for (size_t i = 0; i < t->nranges; i++) {
		t->ranges[i].routes_off = (uint32_t)off;
		off += t->ranges[i].nroutes;
	}
	/* prefixes: count per key, then lay the lists out, then fill */
	for (size_t i = 0; i < t->nroutes; i++) {
		const struct rt_route *r = &t->routes[i];
		struct rt_strent *ent;
		bool fresh;

		if (r->range != RT_NONE || !r->called_len)
			continue;
		ent = rt_strmap_put(&t->route_prefixes, r->pub.called_prefix, r->called_len, &fresh);
		ent->n++;
	}
	off = 0;
	for (size_t i = 0; i < t->route_prefixes.nent; i++) {
		t->route_prefixes.ent[i].val = (uint32_t)off;
		off += t->route_prefixes.ent[i].n;
		t->route_prefixes.ent[i].n = 0;
	}
	t->nany = 0;
	for (size_t i = 0; i < t->nroutes; i++) {
		const struct rt_route *r = &t->routes[i];

		if (r->range != RT_NONE) {
			t->range_routes[t->ranges[r->range].routes_off + fill[r->range]++] = (uint32_t)i;
		} else if (r->called_len) {
			struct rt_strent *ent;
			bool fresh;

			ent = rt_strmap_put(&t->route_prefixes, r->pub.called_prefix, r->called_len,
					    &fresh);
			t->prefix_routes[ent->val + ent->n++] = (uint32_t)i;
		} else {
			t->any_routes[t->nany++] = (uint32_t)i;
		}
	}
	free(fill);
	return 0;
}

static int routes_build(struct route_table *t, const struct route_config *cfg, char *err,
			size_t errlen)
{
	struct rt_range **byid = NULL;
	int e;

	if ((e = ranges_by_id(t, &byid, err, errlen)))
		return e;
	t->routes = rt_alloc(t, (cfg->nroutes + 1) * sizeof(*t->routes));
	if (!t->routes) {
		e = ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < cfg->nroutes; i++) {
		struct rt_route tmp = { .input = (uint32_t)i };

		if ((e = route_copy(t, &tmp, &cfg->routes[i], byid, err, errlen)))
			goto out;
		if (tmp.pub.enabled)            /* disabled routes are checked, then left out */
			t->routes[t->nroutes++] = tmp;
	}
	e = routes_index(t);
 out:
	free(byid);
	return e;
}

/* ---- lifetime ---- */

static void table_destructor(void *arg)
{
	rt_rules_free(arg);
}

int route_table_build(struct route_table **tp, const struct route_config *cfg, char *err,
		      size_t errlen)
{
	struct route_table *t;
	int e;

	if (err && errlen)
		err[0] = '\0';
	if (!tp || !cfg)
		return EINVAL;
	t = su_home_new(sizeof(*t));
	if (!t)
		return ENOMEM;
	if (su_home_destructor(t->home, table_destructor) < 0 || su_home_threadsafe(t->home) < 0) {
		e = ENOMEM;
		goto out;
	}
	t->mem = sizeof(*t);
	if ((e = groups_build(t, cfg, err, errlen)) ||
	    (e = rt_rules_build(t, cfg, err, errlen)) ||
	    (e = rt_ranges_build(t, cfg, err, errlen)) ||
	    (e = routes_build(t, cfg, err, errlen)))
		goto out;
 out:
	if (e) {
		if (e == ENOMEM && err && errlen && !err[0])
			rt_errf(err, errlen, "out of memory building the routing table");
		su_home_unref(t->home);         /* runs the destructor */
	} else {
		*tp = t;
	}
	return e;
}

void route_table_ref(struct route_table *t)
{
	if (t)
		su_home_ref(t->home);
}

void route_table_unref(struct route_table *t)
{
	if (t)
		su_home_unref(t->home);
}

size_t route_table_memory(const struct route_table *t)
{
	return t ? t->mem : 0;
}
