/*
 * routing_routes.c -- number manipulation rules and routes (with their
 * ordered destinations).  Writes go through the routing write machinery in
 * routing.c: one transaction with names resolved under the lock, the whole
 * configuration verified before the commit, an audit row rendered by SQLite
 * and a generation bump.  Any thread, one connection each.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_int.h"

static bool is_id(const char *key)
{
	return key[0] && strspn(key, "0123456789") == strlen(key);
}

/* ---- manipulation rules ---- */

#define RULE_COLS "r.id, g.name, r.direction, r.field, r.position, r.match_type, r.pattern, " \
	"r.replacement, r.strip, r.prepend, r.set_ton, r.set_npi, r.presentation, r.description " \
	"FROM manipulation_rules r JOIN trunk_groups g ON g.id = r.group_id"

#define RULE_JSON "SELECT json_object('id', r.id, 'group', g.name, 'direction', r.direction, " \
	"'field', r.field, 'position', r.position, 'match', r.match_type, 'pattern', r.pattern, " \
	"'replacement', r.replacement, 'strip', r.strip, 'prepend', r.prepend, " \
	"'set_ton', CASE r.set_ton WHEN '' THEN NULL ELSE CAST(r.set_ton AS INTEGER) END, " \
	"'set_npi', CASE r.set_npi WHEN '' THEN NULL ELSE CAST(r.set_npi AS INTEGER) END, " \
	"'presentation', r.presentation, 'description', r.description) " \
	"FROM manipulation_rules r JOIN trunk_groups g ON g.id = r.group_id WHERE r.id = ?1"

/* TON/NPI are stored as text, '' meaning "leave it". */
static int int_or_unset(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t && *t ? atoi((const char *)t) : -1;
}

static void bind_int_or_unset(sqlite3_stmt *st, int i, int v)
{
	char buf[16] = "";

	if (v >= 0)
		snprintf(buf, sizeof(buf), "%d", v);
	sqlite3_bind_text(st, i, buf, -1, SQLITE_TRANSIENT);
}

static void row_to_rule(sqlite3_stmt *st, void *item)
{
	struct db_manip_rule *r = item;

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	db_col_text(st, 1, r->group, sizeof(r->group));
	db_col_text(st, 2, r->direction, sizeof(r->direction));
	db_col_text(st, 3, r->field, sizeof(r->field));
	r->position = (unsigned)sqlite3_column_int(st, 4);
	db_col_text(st, 5, r->match, sizeof(r->match));
	db_col_text(st, 6, r->pattern, sizeof(r->pattern));
	db_col_text(st, 7, r->replacement, sizeof(r->replacement));
	r->strip = (unsigned)sqlite3_column_int(st, 8);
	db_col_text(st, 9, r->prepend, sizeof(r->prepend));
	r->set_ton = int_or_unset(st, 10);
	r->set_npi = int_or_unset(st, 11);
	db_col_text(st, 12, r->presentation, sizeof(r->presentation));
	db_col_text(st, 13, r->description, sizeof(r->description));
}

int db_rule_list(struct db *db, struct db_manip_rule **vp, size_t *np)
{
	return db_list(db, "SELECT " RULE_COLS " ORDER BY r.group_id, r.direction, r.field, "
		       "r.position, r.id", sizeof(**vp), row_to_rule, (void **)vp, np);
}

int db_rule_get(struct db *db, const char *key, struct db_manip_rule *r)
{
	sqlite3_stmt *st;
	int rc;

	if (!is_id(key))
		return ENOENT;          /* rules have no names */
	rc = db_prepare(db, &st, "SELECT " RULE_COLS " WHERE r.id = ?1");
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, strtoll(key, NULL, 10));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row_to_rule(st, r);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? ENOENT : db_errno(rc);
}

int db_rt_rule_write(struct db *db, struct db_manip_rule *r, struct db_routing_write *w,
		     bool create)
{
	long long group_id = 0;
	sqlite3_stmt *st;
	int rc;

	rc = db_rt_resolve(db, "trunk_groups", r->group, sizeof(r->group), &group_id);
	if (rc == ENOENT)
		return db_rt_bad(w, "group", "group: no trunk group named %s", r->group);
	if (rc)
		return rc;
	rc = db_prepare(db, &st, create ?
		"INSERT INTO manipulation_rules (group_id, direction, field, position, match_type, "
		"pattern, replacement, strip, prepend, set_ton, set_npi, presentation, description, "
		"created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
		"?13, ?14, ?14)" :
		"UPDATE manipulation_rules SET group_id = ?1, direction = ?2, field = ?3, position = ?4, "
		"match_type = ?5, pattern = ?6, replacement = ?7, strip = ?8, prepend = ?9, "
		"set_ton = ?10, set_npi = ?11, presentation = ?12, description = ?13, updated_at = ?14 "
		"WHERE id = ?15");
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, group_id);
	sqlite3_bind_text(st, 2, r->direction, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, r->field, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 4, (int)r->position);
	sqlite3_bind_text(st, 5, r->match, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, r->pattern, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, r->replacement, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 8, (int)r->strip);
	sqlite3_bind_text(st, 9, r->prepend, -1, SQLITE_TRANSIENT);
	bind_int_or_unset(st, 10, r->set_ton);
	bind_int_or_unset(st, 11, r->set_npi);
	sqlite3_bind_text(st, 12, r->presentation, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 13, r->description, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 14, db_now_ms());
	if (!create)
		sqlite3_bind_int64(st, 15, r->id);
	rc = db_rt_step(st);
	if (!rc && create)
		r->id = sqlite3_last_insert_rowid(db->conn);
	return rc;
}

static int write_rule(struct db *db, void *obj, struct db_routing_write *w, bool create)
{
	return db_rt_rule_write(db, obj, w, create);
}

static const struct db_rt_kind rule_kind = {
	.type = "manipulation_rule",
	.table = "manipulation_rules",
	.json_sql = RULE_JSON,
	.write = write_rule,
};

int db_rule_create(struct db *db, struct db_manip_rule *r, struct db_routing_write *w)
{
	return db_rt_change(db, &rule_kind, DB_RT_CREATE, r, &r->id, w);
}

int db_rule_update(struct db *db, struct db_manip_rule *r, struct db_routing_write *w)
{
	return db_rt_change(db, &rule_kind, DB_RT_UPDATE, r, &r->id, w);
}

int db_rule_delete(struct db *db, long long id, struct db_routing_write *w)
{
	return db_rt_change(db, &rule_kind, DB_RT_DELETE, NULL, &id, w);
}

/* ---- routes ---- */

#define ROUTE_COLS "r.id, r.name, r.enabled, r.position, COALESCE(sg.name, ''), " \
	"COALESCE(nr.name, ''), r.called_prefix, r.calling_prefix, r.days, r.time_from, " \
	"r.time_to, COALESCE(vg.name, ''), r.survivability_forward " \
	"FROM routes r LEFT JOIN trunk_groups sg ON sg.id = r.source_group_id " \
	"LEFT JOIN number_ranges nr ON nr.id = r.range_id " \
	"LEFT JOIN trunk_groups vg ON vg.id = r.survivability_group_id"

#define ROUTE_JSON "SELECT json_object('id', r.id, 'name', r.name, " \
	"'enabled', json(CASE r.enabled WHEN 1 THEN 'true' ELSE 'false' END), " \
	"'position', r.position, 'source_group', sg.name, 'range', nr.name, " \
	"'called_prefix', r.called_prefix, 'calling_prefix', r.calling_prefix, 'days', r.days, " \
	"'time_from', r.time_from, 'time_to', r.time_to, 'survivability_group', vg.name, " \
	"'survivability_forward', r.survivability_forward, 'destinations', json((" \
	"SELECT json_group_array(json_object('group', " \
	"(SELECT name FROM trunk_groups WHERE id = d.group_id), 'position', d.position, " \
	"'weight', d.weight, 'failover_causes', d.failover_causes)) " \
	"FROM (SELECT * FROM route_destinations WHERE route_id = r.id ORDER BY position, id) d))) " \
	"FROM routes r LEFT JOIN trunk_groups sg ON sg.id = r.source_group_id " \
	"LEFT JOIN number_ranges nr ON nr.id = r.range_id " \
	"LEFT JOIN trunk_groups vg ON vg.id = r.survivability_group_id WHERE r.id = ?1"

static void row_to_route(sqlite3_stmt *st, void *item)
{
	struct db_route *r = item;

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	db_col_text(st, 1, r->name, sizeof(r->name));
	r->enabled = sqlite3_column_int(st, 2) != 0;
	r->position = (unsigned)sqlite3_column_int(st, 3);
	db_col_text(st, 4, r->source_group, sizeof(r->source_group));
	db_col_text(st, 5, r->range, sizeof(r->range));
	db_col_text(st, 6, r->called_prefix, sizeof(r->called_prefix));
	db_col_text(st, 7, r->calling_prefix, sizeof(r->calling_prefix));
	db_col_text(st, 8, r->days, sizeof(r->days));
	db_col_text(st, 9, r->time_from, sizeof(r->time_from));
	db_col_text(st, 10, r->time_to, sizeof(r->time_to));
	db_col_text(st, 11, r->survivability_group, sizeof(r->survivability_group));
	db_col_text(st, 12, r->survivability_forward, sizeof(r->survivability_forward));
}

static int read_dests(struct db *db, struct db_route *r)
{
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, &st, "SELECT g.name, d.weight, d.failover_causes FROM route_destinations d "
			"JOIN trunk_groups g ON g.id = d.group_id WHERE d.route_id = ?1 "
			"ORDER BY d.position, d.id");
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, r->id);
	r->ndests = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && r->ndests < DB_ROUTE_MAX_DESTS) {
		struct db_route_dest *d = &r->dests[r->ndests++];

		db_col_text(st, 0, d->group, sizeof(d->group));
		d->weight = (unsigned)sqlite3_column_int(st, 1);
		db_col_text(st, 2, d->failover_causes, sizeof(d->failover_causes));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_errno(rc);
}

int db_route_list(struct db *db, struct db_route **vp, size_t *np)
{
	struct db_route *v = NULL;
	size_t n = 0;
	int rc = db_list(db, "SELECT " ROUTE_COLS " ORDER BY r.position, r.id", sizeof(*v),
			 row_to_route, (void **)&v, &n);

	for (size_t i = 0; !rc && i < n; i++)
		rc = read_dests(db, &v[i]);
	if (rc) {
		free(v);
		return rc;
	}
	*vp = v;
	*np = n;
	return 0;
}

int db_route_get(struct db *db, const char *key, struct db_route *r)
{
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, &st, is_id(key) ? "SELECT " ROUTE_COLS " WHERE r.id = ?1" :
			"SELECT " ROUTE_COLS " WHERE r.name = ?1");
	if (rc)
		return rc;
	if (is_id(key))
		sqlite3_bind_int64(st, 1, strtoll(key, NULL, 10));
	else
		sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row_to_route(st, r);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? ENOENT : db_errno(rc);
	return read_dests(db, r);
}

/* A group reference: "" is none (NULL); a name must exist. */
static int resolve_group(struct db *db, char *name, size_t len, const char *field,
			 long long *idp, struct db_routing_write *w)
{
	int rc;

	*idp = 0;
	if (!name[0])
		return 0;
	rc = db_rt_resolve(db, "trunk_groups", name, len, idp);
	if (rc == ENOENT)
		return db_rt_bad(w, field, "%s: no trunk group named %s", field, name);
	return rc;
}

static void bind_id_or_null(sqlite3_stmt *st, int i, long long id)
{
	if (id)
		sqlite3_bind_int64(st, i, id);
	else
		sqlite3_bind_null(st, i);
}

/* The destinations as a whole.  Stored position: the try order, except that
 * a run of consecutive weighted destinations (weight > 0) shares the position
 * of its first, which is how route.h shares calls among them. */
static int write_dests(struct db *db, struct db_route *r, struct db_routing_write *w)
{
	long long ids[DB_ROUTE_MAX_DESTS];
	sqlite3_stmt *st;
	unsigned pos = 0;
	int rc;

	rc = db_prepare(db, &st, "DELETE FROM route_destinations WHERE route_id = ?1");
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, r->id);
	rc = db_rt_step(st);
	for (unsigned i = 0; !rc && i < r->ndests && i < DB_ROUTE_MAX_DESTS; i++) {
		struct db_route_dest *d = &r->dests[i];
		char field[48];

		snprintf(field, sizeof(field), "destinations[%u].group", i);
		if (!d->group[0])
			return db_rt_bad(w, field, "%s is required", field);
		rc = resolve_group(db, d->group, sizeof(d->group), field, &ids[i], w);
		if (rc)
			return rc;
		for (unsigned j = 0; j < i; j++)
			if (ids[j] == ids[i])
				return db_rt_bad(w, field, "%s: %s is destination %u already", field,
						 d->group, j);
		if (!(i > 0 && d->weight > 0 && r->dests[i - 1].weight > 0))
			pos = i;
		rc = db_prepare(db, &st, "INSERT INTO route_destinations (route_id, group_id, position, "
				"weight, failover_causes) VALUES (?1, ?2, ?3, ?4, ?5)");
		if (rc)
			return rc;
		sqlite3_bind_int64(st, 1, r->id);
		sqlite3_bind_int64(st, 2, ids[i]);
		sqlite3_bind_int(st, 3, (int)pos);
		sqlite3_bind_int(st, 4, (int)d->weight);
		sqlite3_bind_text(st, 5, d->failover_causes, -1, SQLITE_TRANSIENT);
		rc = db_rt_step(st);
	}
	return rc;
}

int db_rt_route_write(struct db *db, struct db_route *r, struct db_routing_write *w, bool create)
{
	long long src = 0, range = 0, surv = 0;
	sqlite3_stmt *st;
	int rc;

	if (db_rt_name_taken(db, "routes", r->name, create ? 0 : r->id)) {
		snprintf(w->field, sizeof(w->field), "name");
		snprintf(w->msg, sizeof(w->msg), "a route named %s exists already", r->name);
		return EEXIST;
	}
	rc = resolve_group(db, r->source_group, sizeof(r->source_group), "source_group", &src, w);
	if (!rc && r->range[0]) {
		rc = db_rt_resolve(db, "number_ranges", r->range, sizeof(r->range), &range);
		if (rc == ENOENT)
			return db_rt_bad(w, "range", "range: no number range named %s", r->range);
	}
	if (!rc)
		rc = resolve_group(db, r->survivability_group, sizeof(r->survivability_group),
				   "survivability_group", &surv, w);
	if (rc)
		return rc;
	rc = db_prepare(db, &st, create ?
		"INSERT INTO routes (name, enabled, position, source_group_id, range_id, called_prefix, "
		"calling_prefix, days, time_from, time_to, survivability_group_id, "
		"survivability_forward, created_at, updated_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)" :
		"UPDATE routes SET name = ?1, enabled = ?2, position = ?3, source_group_id = ?4, "
		"range_id = ?5, called_prefix = ?6, calling_prefix = ?7, days = ?8, time_from = ?9, "
		"time_to = ?10, survivability_group_id = ?11, survivability_forward = ?12, "
		"updated_at = ?13 WHERE id = ?14");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, r->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, r->enabled);
	sqlite3_bind_int(st, 3, (int)r->position);
	bind_id_or_null(st, 4, src);
	bind_id_or_null(st, 5, range);
	sqlite3_bind_text(st, 6, r->called_prefix, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, r->calling_prefix, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 8, r->days, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 9, r->time_from, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 10, r->time_to, -1, SQLITE_TRANSIENT);
	bind_id_or_null(st, 11, surv);
	sqlite3_bind_text(st, 12, r->survivability_forward, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 13, db_now_ms());
	if (!create)
		sqlite3_bind_int64(st, 14, r->id);
	rc = db_rt_step(st);
	if (rc)
		return rc;
	if (create)
		r->id = sqlite3_last_insert_rowid(db->conn);
	return write_dests(db, r, w);
}

static int write_route(struct db *db, void *obj, struct db_routing_write *w, bool create)
{
	return db_rt_route_write(db, obj, w, create);
}

/* Delete: destinations go with it (ON DELETE CASCADE). */
static const struct db_rt_kind route_kind = {
	.type = "route",
	.table = "routes",
	.json_sql = ROUTE_JSON,
	.write = write_route,
};

int db_route_create(struct db *db, struct db_route *r, struct db_routing_write *w)
{
	return db_rt_change(db, &route_kind, DB_RT_CREATE, r, &r->id, w);
}

int db_route_update(struct db *db, struct db_route *r, struct db_routing_write *w)
{
	return db_rt_change(db, &route_kind, DB_RT_UPDATE, r, &r->id, w);
}

int db_route_delete(struct db *db, long long id, struct db_routing_write *w)
{
	return db_rt_change(db, &route_kind, DB_RT_DELETE, NULL, &id, w);
}
