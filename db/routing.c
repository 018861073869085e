/*
 * routing.c -- trunk groups (with their members) and number ranges, and the
 * write machinery every routing table shares (routing_routes.c has rules and
 * routes, routing_load.c the loader).
 *
 * A routing write is one BEGIN IMMEDIATE transaction: the rows; names of
 * other objects resolved to ids under the same lock, so a reference cannot
 * point at something deleted in between; then, before the commit, the
 * caller's check of the whole routing configuration as it would be committed
 * (db_routing_write.verify, which the API uses to build a routing table from
 * it: an overlap between two ranges is found there and nothing is written);
 * an audit row whose before/after JSON SQLite renders itself (json_object);
 * and the generation bump.  Any failure rolls all of it back.  One object's
 * create, update or delete is db_rt_change() with a struct db_rt_kind
 * describing its table (every routing table, SIP trunks, bypass pairs,
 * analog ports and spans); writes of many objects (presets, import) call the
 * row writers themselves and end with db_rt_commit().
 *
 * Names and values are validated by the API; what only the database can tell
 * (a name taken, a reference to nothing, a row still in use) is found here
 * and reported with the field to blame.  Any thread, one connection each.
 */
#include "config.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sofia-sip/su_alloc.h>

#include "db_int.h"
#include "route.h"

/* ---- shared machinery ---- */

int db_rt_bad(struct db_routing_write *w, const char *field, const char *fmt, ...)
{
	va_list ap;

	snprintf(w->field, sizeof(w->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(w->msg, sizeof(w->msg), fmt, ap);
	va_end(ap);
	return EINVAL;
}

int db_rt_begin(struct db *db, struct db_routing_write *w)
{
	w->generation = 0;
	w->field[0] = '\0';
	w->msg[0] = '\0';
	return db_begin(db);
}

int db_rt_blame(struct db_routing_write *w, int rc, const char *what, unsigned i)
{
	char f[sizeof(w->field)];

	if (rc && w->field[0]) {
		snprintf(f, sizeof(f), "%s", w->field);
		snprintf(w->field, sizeof(w->field), "%s[%u].%s", what, i, f);
	}
	return rc;
}

int db_rt_step(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
	return (rc & 0xff) == SQLITE_CONSTRAINT ? EIO : db_errno(rc);
}

bool db_rt_name_taken(struct db *db, const char *table, const char *name, long long id)
{
	sqlite3_stmt *st;
	char sql[128];
	bool taken;

	snprintf(sql, sizeof(sql), "SELECT 1 FROM %s WHERE name = ?1 AND id <> ?2", table);
	if (db_prepare(db, &st, sql))
		return false;   /* the UNIQUE constraint still holds */
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, id);
	taken = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return taken;
}

int db_rt_resolve(struct db *db, const char *table, char *name, size_t namelen, long long *idp)
{
	sqlite3_stmt *st;
	char sql[128];
	int rc;

	snprintf(sql, sizeof(sql), *idp > 0 ? "SELECT id, name FROM %s WHERE id = ?1" :
		 "SELECT id, name FROM %s WHERE name = ?1", table);
	rc = db_prepare(db, &st, sql);
	if (rc)
		return rc;
	if (*idp > 0)
		sqlite3_bind_int64(st, 1, *idp);
	else
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*idp = sqlite3_column_int64(st, 0);
		db_col_text(st, 1, name, namelen);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? ENOENT : db_errno(rc);
}

/* The first referrer of id named by one of the queries (?1 = id, one text
 * column): EBUSY with "<what> is used by <referrer>" in w->msg, or the
 * referrer alone when what is NULL. */
static int in_use(struct db *db, const char *const *queries, size_t n, long long id,
		  const char *what, struct db_routing_write *w)
{
	sqlite3_stmt *st;
	int rc;

	for (size_t i = 0; i < n; i++) {
		rc = db_prepare(db, &st, queries[i]);
		if (rc)
			return rc;
		sqlite3_bind_int64(st, 1, id);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			if (what)
				snprintf(w->msg, sizeof(w->msg), "%s is used by %s", what,
					 (const char *)sqlite3_column_text(st, 0));
			else
				snprintf(w->msg, sizeof(w->msg), "%s",
					 (const char *)sqlite3_column_text(st, 0));
			sqlite3_finalize(st);
			return EBUSY;
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return db_errno(rc);
	}
	return 0;
}

/* One row of `json_sql` (?1 = id) as a malloc'd string; NULL if there is none. */
static char *row_json(struct db *db, const char *json_sql, long long id)
{
	sqlite3_stmt *st;
	char *out = NULL;

	if (db_prepare(db, &st, json_sql))
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		out = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

/* The verify hook on what this transaction would commit. */
int db_rt_verify(struct db *db, struct db_routing_write *w)
{
	struct route_config cfg;
	su_home_t *home;
	int rc;

	if (!w->verify)
		return 0;
	home = su_home_new(sizeof(*home));
	if (!home)
		return ENOMEM;
	rc = db_routing_load(db, &cfg, home, NULL, w->msg, sizeof(w->msg));
	if (!rc && w->verify(&cfg, w->verify_arg, w->msg, sizeof(w->msg))) {
		w->field[0] = '\0';
		rc = EINVAL;
	}
	su_home_unref(home);
	return rc;
}

int db_rt_commit(struct db *db, int rc, struct db_routing_write *w, const char *action,
		 const char *object_type, const char *object_id, const char *before,
		 const char *after, bool dry_run)
{
	if (!rc)
		rc = db_audit_in_tx(db, w->who, action, object_type, object_id, before, after);
	if (!rc)
		rc = db_bump_generation(db, w->who ? w->who->user : NULL, &w->generation);
	if (!rc && !dry_run)
		rc = db_commit(db);
	if (rc || dry_run)
		db_rollback(db);        /* a dry run checks everything, then leaves no trace */
	return rc;
}

/* Delete row id of k's table, unless one of k->users still names it. */
static int delete_row(struct db *db, const struct db_rt_kind *k, long long id,
		      struct db_routing_write *w)
{
	sqlite3_stmt *st;
	char sql[128], name[64], what[64] = "";
	int rc = 0;

	if (k->nusers && k->label) {
		/* the object the refusal names: "<label> <name>" */
		snprintf(what, sizeof(what), "%s", k->label);
		snprintf(sql, sizeof(sql), "SELECT name FROM %s WHERE id = ?1", k->table);
		rc = db_prepare(db, &st, sql);
		if (!rc) {
			sqlite3_bind_int64(st, 1, id);
			if (sqlite3_step(st) == SQLITE_ROW) {
				db_col_text(st, 0, name, sizeof(name));
				snprintf(what, sizeof(what), "%s %s", k->label, name);
			}
			sqlite3_finalize(st);
		}
	}
	if (!rc && k->nusers)
		rc = in_use(db, k->users, k->nusers, id, k->label ? what : NULL, w);
	if (!rc) {
		snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE id = ?1", k->table);
		rc = db_prepare(db, &st, sql);
		if (!rc) {
			sqlite3_bind_int64(st, 1, id);
			rc = db_rt_step(st);
		}
	}
	return rc;
}

int db_rt_change(struct db *db, const struct db_rt_kind *k, enum db_rt_action action,
		 void *obj, long long *idp, struct db_routing_write *w)
{
	static const char *const names[] = {
		[DB_RT_CREATE] = "create", [DB_RT_UPDATE] = "update", [DB_RT_DELETE] = "delete",
	};
	char *before = NULL, *after = NULL;
	char idbuf[24];
	int rc = db_rt_begin(db, w);

	if (rc)
		return rc;
	if (action != DB_RT_CREATE) {
		before = row_json(db, k->json_sql, *idp);
		if (!before) {
			db_rollback(db);
			return ENOENT;
		}
	}
	if (action == DB_RT_DELETE)
		rc = delete_row(db, k, *idp, w);
	else
		rc = k->write(db, obj, w, action == DB_RT_CREATE);      /* create sets *idp */
	if (!rc)
		rc = db_rt_verify(db, w);
	if (!rc && action != DB_RT_DELETE) {
		after = row_json(db, k->json_sql, *idp);
		if (!after)
			rc = EIO;
	}
	snprintf(idbuf, sizeof(idbuf), "%lld", *idp);
	rc = db_rt_commit(db, rc, w, names[action], k->type, idbuf, before, after, false);
	free(before);
	free(after);
	return rc;
}

/* ---- trunk groups ---- */

#define GROUP_COLS "id, name, kind, hunting, max_calls"

/* Members render under their kind's key, as the API shows them. */
#define GROUP_JSON "SELECT json_object('id', g.id, 'name', g.name, 'kind', g.kind, " \
	"'hunting', g.hunting, 'max_calls', g.max_calls, 'members', json((" \
	"SELECT json_group_array(json_object(" \
	"CASE WHEN m.span_id IS NOT NULL THEN 'span' WHEN m.sip_trunk_id IS NOT NULL " \
	"THEN 'sip_trunk' ELSE 'analog_port' END, COALESCE(" \
	"(SELECT name FROM spans WHERE id = m.span_id), " \
	"(SELECT name FROM sip_trunks WHERE id = m.sip_trunk_id), " \
	"(SELECT name FROM analog_ports WHERE id = m.analog_port_id)), " \
	"'first_channel', m.first_channel, 'last_channel', m.last_channel, 'weight', m.weight)) " \
	"FROM (SELECT * FROM trunk_group_members WHERE group_id = g.id ORDER BY position, id) m))) " \
	"FROM trunk_groups g WHERE g.id = ?1"

static const struct member_kind {
	const char *kind, *key, *table, *column, *what;
} member_kinds[] = {
	{ "span", "span", "spans", "span_id", "span" },
	{ "sip", "sip_trunk", "sip_trunks", "sip_trunk_id", "SIP trunk" },
	{ "analog", "analog_port", "analog_ports", "analog_port_id", "analog port" },
};

static const struct member_kind *member_kind(const char *kind)
{
	for (size_t i = 0; i < sizeof(member_kinds) / sizeof(member_kinds[0]); i++)
		if (!strcmp(kind, member_kinds[i].kind))
			return &member_kinds[i];
	return NULL;
}

static int read_members(struct db *db, struct db_trunk_group *g)
{
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, &st,
		"SELECT COALESCE(m.span_id, m.sip_trunk_id, m.analog_port_id), "
		"COALESCE(s.name, t.name, a.name), m.first_channel, m.last_channel, m.weight "
		"FROM trunk_group_members m LEFT JOIN spans s ON s.id = m.span_id "
		"LEFT JOIN sip_trunks t ON t.id = m.sip_trunk_id "
		"LEFT JOIN analog_ports a ON a.id = m.analog_port_id "
		"WHERE m.group_id = ?1 ORDER BY m.position, m.id");
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, g->id);
	g->nmembers = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && g->nmembers < DB_TG_MAX_MEMBERS) {
		struct db_tg_member *m = &g->members[g->nmembers++];

		m->ref_id = sqlite3_column_int64(st, 0);
		db_col_text(st, 1, m->name, sizeof(m->name));
		m->first_channel = (unsigned)sqlite3_column_int(st, 2);
		m->last_channel = (unsigned)sqlite3_column_int(st, 3);
		m->weight = (unsigned)sqlite3_column_int(st, 4);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_errno(rc);
}

static void row_to_group(sqlite3_stmt *st, void *item)
{
	struct db_trunk_group *g = item;

	g->id = sqlite3_column_int64(st, 0);
	db_col_text(st, 1, g->name, sizeof(g->name));
	db_col_text(st, 2, g->kind, sizeof(g->kind));
	db_col_text(st, 3, g->hunting, sizeof(g->hunting));
	g->max_calls = (unsigned)sqlite3_column_int(st, 4);
	g->nmembers = 0;
}

int db_trunk_group_list(struct db *db, struct db_trunk_group **vp, size_t *np)
{
	struct db_trunk_group *v = NULL;
	size_t n = 0;
	int rc = db_list(db, "SELECT " GROUP_COLS " FROM trunk_groups ORDER BY id", sizeof(*v),
			 row_to_group, (void **)&v, &n);

	/* O(groups) queries: a gateway has tens of groups, read on a click. */
	for (size_t i = 0; !rc && i < n; i++)
		rc = read_members(db, &v[i]);
	if (rc) {
		free(v);
		return rc;
	}
	*vp = v;
	*np = n;
	return 0;
}

static bool is_id(const char *key)
{
	return key[0] && strspn(key, "0123456789") == strlen(key);
}

int db_trunk_group_get(struct db *db, const char *key, struct db_trunk_group *g)
{
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, &st, is_id(key) ?
			"SELECT " GROUP_COLS " FROM trunk_groups WHERE id = ?1" :
			"SELECT " GROUP_COLS " FROM trunk_groups WHERE name = ?1");
	if (rc)
		return rc;
	if (is_id(key))
		sqlite3_bind_int64(st, 1, strtoll(key, NULL, 10));
	else
		sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row_to_group(st, g);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? ENOENT : db_errno(rc);
	return read_members(db, g);
}

/* Two members on the same span: their channel ranges must not overlap
 * (0..0 is the whole span). */
static bool channels_overlap(const struct db_tg_member *a, const struct db_tg_member *b)
{
	if (!a->first_channel || !b->first_channel)
		return true;
	return a->first_channel <= b->last_channel && b->first_channel <= a->last_channel;
}

static bool span_is_t1(struct db *db, long long id)
{
	sqlite3_stmt *st;
	bool t1 = false;

	if (db_prepare(db, &st, "SELECT type = 'T1' FROM spans WHERE id = ?1"))
		return false;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		t1 = sqlite3_column_int(st, 0) != 0;
	sqlite3_finalize(st);
	return t1;
}

/* Resolve and write the member list as a whole (the old one goes). */
static int write_members(struct db *db, struct db_trunk_group *g, struct db_routing_write *w)
{
	const struct member_kind *k = member_kind(g->kind);
	sqlite3_stmt *st;
	char sql[256];
	int rc;

	if (!k)
		return db_rt_bad(w, "kind", "kind \"%s\" is not one of: span, sip, analog", g->kind);
	rc = db_prepare(db, &st, "DELETE FROM trunk_group_members WHERE group_id = ?1");
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, g->id);
	rc = db_rt_step(st);
	if (rc)
		return rc;
	snprintf(sql, sizeof(sql), "INSERT INTO trunk_group_members (group_id, %s, first_channel, "
		 "last_channel, position, weight) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", k->column);
	for (unsigned i = 0; i < g->nmembers; i++) {
		struct db_tg_member *m = &g->members[i];
		char field[48];

		snprintf(field, sizeof(field), "members[%u].%s", i, k->key);
		rc = db_rt_resolve(db, k->table, m->name, sizeof(m->name), &m->ref_id);
		if (rc == ENOENT)
			return m->ref_id > 0 ?
			       db_rt_bad(w, field, "%s: no %s with id %lld", field, k->what, m->ref_id) :
			       db_rt_bad(w, field, "%s: no %s named %s", field, k->what, m->name);
		if (rc)
			return rc;
		if (!strcmp(k->kind, "span") && m->last_channel > 24 && span_is_t1(db, m->ref_id))
			return db_rt_bad(w, field, "%s: span %s is a T1 with channels 1..24, not %u..%u",
					 field, m->name, m->first_channel, m->last_channel);
		for (unsigned j = 0; j < i; j++)
			if (g->members[j].ref_id == m->ref_id &&
			    (strcmp(k->kind, "span") || channels_overlap(&g->members[j], m)))
				return db_rt_bad(w, field, "%s: %s %s is already member %u%s", field,
						 k->what, m->name, j, strcmp(k->kind, "span") ? "" :
						 " (their channels overlap)");
		rc = db_prepare(db, &st, sql);
		if (rc)
			return rc;
		sqlite3_bind_int64(st, 1, g->id);
		sqlite3_bind_int64(st, 2, m->ref_id);
		sqlite3_bind_int(st, 3, (int)m->first_channel);
		sqlite3_bind_int(st, 4, (int)m->last_channel);
		sqlite3_bind_int(st, 5, (int)i);
		sqlite3_bind_int(st, 6, (int)m->weight);
		rc = db_rt_step(st);
		if (rc)
			return rc;
	}
	return 0;
}

int db_rt_group_write(struct db *db, struct db_trunk_group *g, struct db_routing_write *w,
		      bool create)
{
	sqlite3_stmt *st;
	int rc;

	if (db_rt_name_taken(db, "trunk_groups", g->name, create ? 0 : g->id)) {
		snprintf(w->field, sizeof(w->field), "name");
		snprintf(w->msg, sizeof(w->msg), "a trunk group named %s exists already", g->name);
		return EEXIST;
	}
	rc = db_prepare(db, &st, create ?
		"INSERT INTO trunk_groups (name, kind, hunting, max_calls, created_at, updated_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?5)" :
		"UPDATE trunk_groups SET name = ?1, kind = ?2, hunting = ?3, max_calls = ?4, "
		"updated_at = ?5 WHERE id = ?6");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, g->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, g->kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, g->hunting, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, g->max_calls);
	sqlite3_bind_int64(st, 5, db_now_ms());
	if (!create)
		sqlite3_bind_int64(st, 6, g->id);
	rc = db_rt_step(st);
	if (rc)
		return rc;
	if (create)
		g->id = sqlite3_last_insert_rowid(db->conn);
	return write_members(db, g, w);
}

static int write_group(struct db *db, void *obj, struct db_routing_write *w, bool create)
{
	return db_rt_group_write(db, obj, w, create);
}

static const char *const group_users[] = {
	"SELECT 'number range ' || name FROM number_ranges WHERE group_id = ?1",
	"SELECT 'route ' || name FROM routes WHERE source_group_id = ?1 "
	"OR survivability_group_id = ?1 OR id IN "
	"(SELECT route_id FROM route_destinations WHERE group_id = ?1) ORDER BY id",
	"SELECT 'span ' || name || ' (busy_out_group)' FROM spans WHERE busy_out_group_id = ?1",
};

/* Delete: members and manipulation rules go with it (ON DELETE CASCADE). */
static const struct db_rt_kind group_kind = {
	.type = "trunk_group",
	.table = "trunk_groups",
	.json_sql = GROUP_JSON,
	.write = write_group,
	.label = "trunk group",
	.users = group_users,
	.nusers = sizeof(group_users) / sizeof(group_users[0]),
};

int db_trunk_group_create(struct db *db, struct db_trunk_group *g, struct db_routing_write *w)
{
	return db_rt_change(db, &group_kind, DB_RT_CREATE, g, &g->id, w);
}

int db_trunk_group_update(struct db *db, struct db_trunk_group *g, struct db_routing_write *w)
{
	return db_rt_change(db, &group_kind, DB_RT_UPDATE, g, &g->id, w);
}

int db_trunk_group_delete(struct db *db, long long id, struct db_routing_write *w)
{
	return db_rt_change(db, &group_kind, DB_RT_DELETE, NULL, &id, w);
}

/* ---- number ranges ---- */

#define RANGE_COLS "r.id, r.name, r.first_number, r.last_number, r.prefix, " \
	"COALESCE(g.name, ''), r.override_allowed, r.description " \
	"FROM number_ranges r LEFT JOIN trunk_groups g ON g.id = r.group_id"

#define RANGE_JSON "SELECT json_object('id', r.id, 'name', r.name, 'first', r.first_number, " \
	"'last', r.last_number, 'prefix', r.prefix, 'group', g.name, " \
	"'override_allowed', json(CASE r.override_allowed WHEN 1 THEN 'true' ELSE 'false' END), " \
	"'description', r.description) " \
	"FROM number_ranges r LEFT JOIN trunk_groups g ON g.id = r.group_id WHERE r.id = ?1"

static void row_to_range(sqlite3_stmt *st, void *item)
{
	struct db_number_range *r = item;

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	db_col_text(st, 1, r->name, sizeof(r->name));
	db_col_text(st, 2, r->first, sizeof(r->first));
	db_col_text(st, 3, r->last, sizeof(r->last));
	db_col_text(st, 4, r->prefix, sizeof(r->prefix));
	db_col_text(st, 5, r->group, sizeof(r->group));
	r->override_allowed = sqlite3_column_int(st, 6) != 0;
	db_col_text(st, 7, r->description, sizeof(r->description));
}

int db_range_list(struct db *db, struct db_number_range **vp, size_t *np)
{
	return db_list(db, "SELECT " RANGE_COLS " ORDER BY r.id", sizeof(**vp), row_to_range,
		       (void **)vp, np);
}

int db_range_get(struct db *db, const char *key, struct db_number_range *r)
{
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, &st, is_id(key) ? "SELECT " RANGE_COLS " WHERE r.id = ?1" :
			"SELECT " RANGE_COLS " WHERE r.name = ?1");
	if (rc)
		return rc;
	if (is_id(key))
		sqlite3_bind_int64(st, 1, strtoll(key, NULL, 10));
	else
		sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row_to_range(st, r);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? ENOENT : db_errno(rc);
}

int db_rt_range_write(struct db *db, struct db_number_range *r, struct db_routing_write *w,
		      bool create)
{
	long long group_id = 0;
	sqlite3_stmt *st;
	int rc;

	if (db_rt_name_taken(db, "number_ranges", r->name, create ? 0 : r->id)) {
		snprintf(w->field, sizeof(w->field), "name");
		snprintf(w->msg, sizeof(w->msg), "a number range named %s exists already", r->name);
		return EEXIST;
	}
	if (r->group[0]) {
		rc = db_rt_resolve(db, "trunk_groups", r->group, sizeof(r->group), &group_id);
		if (rc == ENOENT)
			return db_rt_bad(w, "group", "group: no trunk group named %s", r->group);
		if (rc)
			return rc;
	}
	rc = db_prepare(db, &st, create ?
		"INSERT INTO number_ranges (name, first_number, last_number, prefix, group_id, "
		"override_allowed, description, created_at, updated_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)" :
		"UPDATE number_ranges SET name = ?1, first_number = ?2, last_number = ?3, prefix = ?4, "
		"group_id = ?5, override_allowed = ?6, description = ?7, updated_at = ?8 WHERE id = ?9");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, r->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, r->first, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, r->last, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, r->prefix, -1, SQLITE_TRANSIENT);
	if (group_id)
		sqlite3_bind_int64(st, 5, group_id);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_int(st, 6, r->override_allowed);
	sqlite3_bind_text(st, 7, r->description, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 8, db_now_ms());
	if (!create)
		sqlite3_bind_int64(st, 9, r->id);
	rc = db_rt_step(st);
	if (!rc && create)
		r->id = sqlite3_last_insert_rowid(db->conn);
	return rc;
}

static int write_range(struct db *db, void *obj, struct db_routing_write *w, bool create)
{
	return db_rt_range_write(db, obj, w, create);
}

static const char *const range_users[] = {
	"SELECT 'route ' || name FROM routes WHERE range_id = ?1 ORDER BY id",
};

static const struct db_rt_kind range_kind = {
	.type = "number_range",
	.table = "number_ranges",
	.json_sql = RANGE_JSON,
	.write = write_range,
	.label = "number range",
	.users = range_users,
	.nusers = sizeof(range_users) / sizeof(range_users[0]),
};

int db_range_create(struct db *db, struct db_number_range *r, struct db_routing_write *w)
{
	return db_rt_change(db, &range_kind, DB_RT_CREATE, r, &r->id, w);
}

int db_range_update(struct db *db, struct db_number_range *r, struct db_routing_write *w)
{
	return db_rt_change(db, &range_kind, DB_RT_UPDATE, r, &r->id, w);
}

int db_range_delete(struct db *db, long long id, struct db_routing_write *w)
{
	return db_rt_change(db, &range_kind, DB_RT_DELETE, NULL, &id, w);
}
