/*
 * bypass.c -- the bypass_pairs table: two spans joined by a bypass relay
 * (power-fail transfer) and the relay's mode.  Writes go through the routing
 * write machinery of routing.c (db_rt_*): one transaction with the row, an
 * audit row rendered by SQLite and the generation bump; refusals name the
 * field in w->field/w->msg.  The spans are named by the caller and resolved
 * to ids inside the same transaction.  Any thread.
 *
 * Rules kept here (the schema only checks span_a <> span_b): both spans
 * exist, they differ, and a span is in at most one pair.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_int.h"

#define PAIR_COLS "p.id, p.name, a.name, b.name, p.mode, p.span_a_id, p.span_b_id"
#define PAIR_FROM " FROM bypass_pairs p JOIN spans a ON a.id = p.span_a_id " \
	"JOIN spans b ON b.id = p.span_b_id"
#define PAIR_JSON "SELECT json_object('id', p.id, 'name', p.name, 'span_a', a.name, " \
	"'span_b', b.name, 'mode', p.mode)" PAIR_FROM " WHERE p.id = ?1"

static void row_to_pair(sqlite3_stmt *st, void *item)
{
	struct db_bypass_pair *p = item;

	p->id = sqlite3_column_int64(st, 0);
	db_col_text(st, 1, p->name, sizeof(p->name));
	db_col_text(st, 2, p->span_a, sizeof(p->span_a));
	db_col_text(st, 3, p->span_b, sizeof(p->span_b));
	db_col_text(st, 4, p->mode, sizeof(p->mode));
	p->span_a_id = sqlite3_column_int64(st, 5);
	p->span_b_id = sqlite3_column_int64(st, 6);
}

int db_bypass_list(struct db *db, struct db_bypass_pair **vp, size_t *np)
{
	return db_list(db, "SELECT " PAIR_COLS PAIR_FROM " ORDER BY p.id", sizeof(**vp), row_to_pair,
		       (void **)vp, np);
}

int db_bypass_get(struct db *db, const char *key, struct db_bypass_pair *p)
{
	bool by_id = key[0] && strspn(key, "0123456789") == strlen(key);
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, &st, by_id ? "SELECT " PAIR_COLS PAIR_FROM " WHERE p.id = ?1" :
			"SELECT " PAIR_COLS PAIR_FROM " WHERE p.name = ?1");
	if (rc)
		return rc;
	if (by_id)
		sqlite3_bind_int64(st, 1, strtoll(key, NULL, 10));
	else
		sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(p, 0, sizeof(*p));
		row_to_pair(st, p);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? ENOENT : db_errno(rc);
}

/* Resolve both spans and check the pair's rules; EINVAL naming the field. */
static int pair_check(struct db *db, struct db_bypass_pair *p, struct db_routing_write *w)
{
	static const char *const fields[] = { "span_a", "span_b" };
	char *names[] = { p->span_a, p->span_b };
	long long *ids[] = { &p->span_a_id, &p->span_b_id };
	sqlite3_stmt *st;
	int rc;

	if (db_rt_name_taken(db, "bypass_pairs", p->name, p->id)) {
		snprintf(w->field, sizeof(w->field), "name");
		snprintf(w->msg, sizeof(w->msg), "a bypass pair named %s exists already", p->name);
		return EEXIST;
	}
	for (int i = 0; i < 2; i++) {
		*ids[i] = 0;
		rc = db_rt_resolve(db, "spans", names[i], sizeof(p->span_a), ids[i]);
		if (rc == ENOENT)
			return db_rt_bad(w, fields[i], "%s: no span named %s", fields[i], names[i]);
		if (rc)
			return rc;
	}
	if (p->span_a_id == p->span_b_id)
		return db_rt_bad(w, "span_b", "span_b: a pair joins two different spans (both are %s)",
				 p->span_a);
	rc = db_prepare(db, &st, "SELECT name, CASE WHEN span_a_id IN (?1, ?2) THEN span_a_id "
			"ELSE span_b_id END FROM bypass_pairs WHERE id <> ?3 AND "
			"(span_a_id IN (?1, ?2) OR span_b_id IN (?1, ?2)) ORDER BY id");
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, p->span_a_id);
	sqlite3_bind_int64(st, 2, p->span_b_id);
	sqlite3_bind_int64(st, 3, p->id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		bool a = sqlite3_column_int64(st, 1) == p->span_a_id;

		rc = db_rt_bad(w, a ? "span_a" : "span_b", "%s: span %s is already in bypass pair %s",
			       a ? "span_a" : "span_b", a ? p->span_a : p->span_b,
			       (const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	return rc;
}

static void bind_pair(sqlite3_stmt *st, const struct db_bypass_pair *p)
{
	sqlite3_bind_text(st, 1, p->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, p->span_a_id);
	sqlite3_bind_int64(st, 3, p->span_b_id);
	sqlite3_bind_text(st, 4, p->mode, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, db_now_ms());
}

int db_rt_bypass_write(struct db *db, struct db_bypass_pair *p, struct db_routing_write *w,
		       bool create)
{
	sqlite3_stmt *st;
	int rc;

	if (create)
		p->id = 0;
	rc = pair_check(db, p, w);
	if (!rc)
		rc = db_prepare(db, &st, create ?
				"INSERT INTO bypass_pairs (name, span_a_id, span_b_id, mode, "
				"created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)" :
				"UPDATE bypass_pairs SET name = ?1, span_a_id = ?2, "
				"span_b_id = ?3, mode = ?4, updated_at = ?5 WHERE id = ?6");
	if (!rc) {
		bind_pair(st, p);
		if (!create)
			sqlite3_bind_int64(st, 6, p->id);
		rc = db_rt_step(st);
		if (create)
			p->id = sqlite3_last_insert_rowid(db->conn);
	}
	return rc;
}

static int write_pair(struct db *db, void *obj, struct db_routing_write *w, bool create)
{
	return db_rt_bypass_write(db, obj, w, create);
}

static const struct db_rt_kind pair_kind = {
	.type = "bypass_pair",
	.table = "bypass_pairs",
	.json_sql = PAIR_JSON,
	.write = write_pair,
};

int db_bypass_create(struct db *db, struct db_bypass_pair *p, struct db_routing_write *w)
{
	return db_rt_change(db, &pair_kind, DB_RT_CREATE, p, &p->id, w);
}

int db_bypass_update(struct db *db, struct db_bypass_pair *p, struct db_routing_write *w)
{
	return db_rt_change(db, &pair_kind, DB_RT_UPDATE, p, &p->id, w);
}

int db_bypass_delete(struct db *db, long long id, struct db_routing_write *w)
{
	return db_rt_change(db, &pair_kind, DB_RT_DELETE, NULL, &id, w);
}
