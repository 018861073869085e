/*
 * routing_load.c -- db_routing_load: the routing tables as one struct
 * route_config, the input of route_table_build.  The daemon builds its live
 * routing table from exactly this, the route tester (POST /api/v1/route-test)
 * too, and so does every routing write's check before its commit; so what
 * the tester shows is what calls get.
 *
 * Every table is read in one read transaction (or the caller's, when one is
 * open), so a configuration never mixes two generations.  Stored text is
 * turned into types here with route.h's own parsers (days, HH:MM, failover
 * causes); a stored value that does not parse (a hand-edited database) fails
 * the load with EINVAL naming the object and field.  Arrays and strings come
 * from the caller's home.  Any thread.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sofia-sip/su_alloc.h>

#include "db_int.h"
#include "route.h"

_Static_assert(DB_ROUTE_MAX_DESTS == ROUTE_MAX_DESTS, "route destinations: db and route disagree");

struct loader {
	struct db *db;
	su_home_t *home;
	struct route_config *cfg;
	char *err;
	size_t errlen;
	size_t groups_cap, ranges_cap, rules_cap, routes_cap;   /* allocated lengths */
};

/* Append one element to a home-allocated array of n elements (O(n) copies
 * overall, by doubling). */
static void *push(struct loader *l, void **vp, size_t *np, size_t *capp, size_t size)
{
	char *v = *vp;

	if (*np == *capp) {
		size_t cap = *capp ? *capp * 2 : 16;

		v = su_realloc(l->home, v, cap * size);
		if (!v)
			return NULL;
		*vp = v;
		*capp = cap;
	}
	memset(v + *np * size, 0, size);
	return v + (*np)++ * size;
}

static const char *text(struct loader *l, sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return su_strdup(l->home, t ? (const char *)t : "");
}

/* what: "route ev-in: days" */
static int bad(struct loader *l, const char *what, const char *value)
{
	snprintf(l->err, l->errlen, "%s: stored value \"%s\" does not parse", what, value);
	return EINVAL;
}

/* Run sql, calling row() for each row; rows are pushed by row(). */
static int each_row(struct loader *l, const char *sql, int (*row)(struct loader *, sqlite3_stmt *))
{
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(l->db, &st, sql);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rc = row(l, st);
		if (rc) {
			sqlite3_finalize(st);
			return rc;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

static int group_row(struct loader *l, sqlite3_stmt *st)
{
	struct route_group *g = push(l, (void **)&l->cfg->groups, &l->cfg->ngroups, &l->groups_cap,
				     sizeof(*g));
	const char *kind = (const char *)sqlite3_column_text(st, 2);

	if (!g)
		return ENOMEM;
	g->id = sqlite3_column_int64(st, 0);
	g->name = text(l, st, 1);
	g->max_calls = (unsigned)sqlite3_column_int(st, 3);
	if (!strcmp(kind, "span"))
		g->kind = ROUTE_GROUP_SPAN;
	else if (!strcmp(kind, "sip"))
		g->kind = ROUTE_GROUP_SIP;
	else
		g->kind = ROUTE_GROUP_ANALOG;
	return g->name ? 0 : ENOMEM;
}

static int range_row(struct loader *l, sqlite3_stmt *st)
{
	struct route_range *r = push(l, (void **)&l->cfg->ranges, &l->cfg->nranges, &l->ranges_cap,
				     sizeof(*r));

	if (!r)
		return ENOMEM;
	r->id = sqlite3_column_int64(st, 0);
	r->name = text(l, st, 1);
	r->first = text(l, st, 2);
	r->last = text(l, st, 3);
	r->prefix = text(l, st, 4);
	r->group_id = sqlite3_column_int64(st, 5);         /* NULL reads as 0: none */
	r->override_allowed = sqlite3_column_int(st, 6) != 0;
	return r->name && r->first && r->last && r->prefix ? 0 : ENOMEM;
}

/* '' = leave unchanged (-1); else a small number. */
static int small_int(struct loader *l, sqlite3_stmt *st, int i, long long id, const char *field,
		     int *out)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	char *end;
	long v;

	if (!t || !*t) {
		*out = -1;
		return 0;
	}
	v = strtol(t, &end, 10);
	if (*end || v < 0 || v > 15) {
		char what[64];

		snprintf(what, sizeof(what), "rule %lld: %s", id, field);
		return bad(l, what, t);
	}
	*out = (int)v;
	return 0;
}

static int rule_row(struct loader *l, sqlite3_stmt *st)
{
	struct route_rule *r = push(l, (void **)&l->cfg->rules, &l->cfg->nrules, &l->rules_cap,
				    sizeof(*r));
	const char *pres;
	int rc;

	if (!r)
		return ENOMEM;
	r->id = sqlite3_column_int64(st, 0);
	r->group_id = sqlite3_column_int64(st, 1);
	r->dir = !strcmp((const char *)sqlite3_column_text(st, 2), "out") ? ROUTE_DIR_OUT : ROUTE_DIR_IN;
	r->field = !strcmp((const char *)sqlite3_column_text(st, 3), "calling") ?
		   ROUTE_FIELD_CALLING : ROUTE_FIELD_CALLED;
	r->position = sqlite3_column_int(st, 4);
	r->match = !strcmp((const char *)sqlite3_column_text(st, 5), "regex") ?
		   ROUTE_MATCH_REGEX : ROUTE_MATCH_PREFIX;
	r->pattern = text(l, st, 6);
	r->replacement = text(l, st, 7);
	r->strip = (unsigned)sqlite3_column_int(st, 8);
	r->prepend = text(l, st, 9);
	rc = small_int(l, st, 10, r->id, "set_ton", &r->set_ton);
	if (!rc)
		rc = small_int(l, st, 11, r->id, "set_npi", &r->set_npi);
	if (rc)
		return rc;
	pres = (const char *)sqlite3_column_text(st, 12);
	r->presentation = !strcmp(pres, "allowed") ? 0 : !strcmp(pres, "restricted") ? 1 : -1;
	return r->pattern && r->replacement && r->prepend ? 0 : ENOMEM;
}

static int route_time(struct loader *l, const char *name, const char *field, const char *t,
		      int *minute)
{
	char what[80];

	if (!t[0]) {
		*minute = -1;
		return 0;
	}
	snprintf(what, sizeof(what), "route %s: %s", name, field);
	return route_time_parse(t, minute) ? bad(l, what, t) : 0;
}

static int route_row(struct loader *l, sqlite3_stmt *st)
{
	struct route_route *r = push(l, (void **)&l->cfg->routes, &l->cfg->nroutes, &l->routes_cap,
				     sizeof(*r));
	const char *days, *from, *to;
	char what[80];
	int rc;

	if (!r)
		return ENOMEM;
	r->id = sqlite3_column_int64(st, 0);
	r->name = text(l, st, 1);
	r->enabled = sqlite3_column_int(st, 2) != 0;
	r->position = sqlite3_column_int(st, 3);
	r->source_group_id = sqlite3_column_int64(st, 4);
	r->range_id = sqlite3_column_int64(st, 5);
	r->called_prefix = text(l, st, 6);
	r->calling_prefix = text(l, st, 7);
	r->survivability_group_id = sqlite3_column_int64(st, 11);
	r->survivability_forward = text(l, st, 12);
	if (!r->name || !r->called_prefix || !r->calling_prefix || !r->survivability_forward)
		return ENOMEM;
	days = (const char *)sqlite3_column_text(st, 8);
	from = (const char *)sqlite3_column_text(st, 9);
	to = (const char *)sqlite3_column_text(st, 10);
	snprintf(what, sizeof(what), "route %s: days", r->name);
	if (days[0] && route_days_parse(days, &r->days))
		return bad(l, what, days);
	rc = route_time(l, r->name, "time_from", from, &r->time_from);
	if (!rc)
		rc = route_time(l, r->name, "time_to", to, &r->time_to);
	if (!rc && (r->time_from < 0) != (r->time_to < 0)) {
		snprintf(l->err, l->errlen, "route %s: time_from and time_to go together", r->name);
		rc = EINVAL;
	}
	return rc;
}

/* Each route's destinations, in try order. */
static int load_dests(struct loader *l)
{
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(l->db, &st, "SELECT group_id, position, weight, failover_causes "
			"FROM route_destinations WHERE route_id = ?1 ORDER BY position, id");
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < l->cfg->nroutes; i++) {
		struct route_route *r = (struct route_route *)&l->cfg->routes[i];

		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, r->id);
		while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *causes = (const char *)sqlite3_column_text(st, 3);
			struct route_dest *d, parsed = { 0 };
			char msg[ROUTE_ERR_LEN];

			if (r->ndests == ROUTE_MAX_DESTS) {
				snprintf(l->err, l->errlen, "route %s: more than %d destinations",
					 r->name, ROUTE_MAX_DESTS);
				rc = EINVAL;
				break;
			}
			if (causes[0] && route_failover_parse(causes, &parsed, msg, sizeof(msg))) {
				snprintf(l->err, l->errlen, "route %s: destinations[%u].failover_causes: %s",
					 r->name, r->ndests, msg);
				rc = EINVAL;
				break;
			}
			d = &r->dests[r->ndests++];
			d->group_id = sqlite3_column_int64(st, 0);
			d->position = sqlite3_column_int(st, 1);
			d->weight = (unsigned)sqlite3_column_int(st, 2);
			d->nfailover = parsed.nfailover;
			memcpy(d->failover, parsed.failover, sizeof(d->failover));
			rc = 0;
		}
		if (rc == SQLITE_DONE)
			rc = 0;
		else if (rc && rc != EINVAL)
			rc = db_errno(rc);
	}
	sqlite3_finalize(st);
	return rc;
}

int db_routing_load(struct db *db, struct route_config *out, su_home_t *home,
		    unsigned long long *genp, char *err, size_t errlen)
{
	struct route_config cfg = { 0 };
	struct loader l = { .db = db, .home = home, .cfg = &cfg, .err = err, .errlen = errlen };
	bool own = sqlite3_get_autocommit(db->conn) != 0;   /* no transaction open yet */
	int rc = 0;

	err[0] = '\0';
	if (own)
		rc = db_read_begin(db);
	if (!rc && genp)
		rc = db_config_generation(db, genp, NULL);
	if (!rc)
		rc = each_row(&l, "SELECT id, name, kind, max_calls FROM trunk_groups ORDER BY id", group_row);
	if (!rc)
		rc = each_row(&l, "SELECT id, name, first_number, last_number, prefix, group_id, "
			      "override_allowed FROM number_ranges ORDER BY id", range_row);
	if (!rc)
		rc = each_row(&l, "SELECT id, group_id, direction, field, position, match_type, "
			      "pattern, replacement, strip, prepend, set_ton, set_npi, presentation "
			      "FROM manipulation_rules ORDER BY group_id, direction, field, position, id",
			      rule_row);
	if (!rc)
		rc = each_row(&l, "SELECT id, name, enabled, position, source_group_id, range_id, "
			      "called_prefix, calling_prefix, days, time_from, time_to, "
			      "survivability_group_id, survivability_forward FROM routes "
			      "ORDER BY position, id", route_row);
	if (!rc)
		rc = load_dests(&l);
	if (own)
		db_read_end(db);
	if (rc && !err[0])
		snprintf(err, errlen, "cannot read the routing configuration: %s",
			 rc == ENOMEM ? "out of memory" : db_errmsg(db));
	if (!rc)
		*out = cfg;
	return rc;
}
