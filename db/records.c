/*
 * records.c -- reading what the gateway recorded: CDRs, the audit log and
 * events, filtered and paged, and an online backup of the whole database.
 *
 * Each kind has one fixed SQL text whose filters are all bound parameters
 * ("?3 IS NULL OR ..."), so no SQL is ever built from a request.  Rows go
 * to a callback column by column, so the caller can write JSON or CSV
 * without a struct per table.  Any thread with its own connection.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "db_int.h"

_Static_assert(DB_REC_INTEGER == SQLITE_INTEGER && DB_REC_NULL == SQLITE_NULL,
	       "db_rec_type follows SQLite");

/* Per kind: the columns (as the API names them), the table's time column,
 * and the filters it understands, in bind order ?3.. (?1 from, ?2 to). */
static const struct rec_kind {
	const char *cols, *from, *time, *where;
} kinds[] = {
	[DB_REC_CDRS] = {
		"id, call_id, setup_at, alert_at, answer_at, end_at, "
		"CASE WHEN answer_at IS NULL THEN 0 ELSE (end_at - answer_at) / 1000 END AS duration_s, "
		"in_kind, in_group, in_trunk, in_channel, out_kind, out_group, out_trunk, out_channel, "
		"calling, called, calling_out, called_out, route, cause, sip_status, released_by, "
		"quality_json, media_bypass",
		"cdrs", "end_at",
		/* ?3 number prefix, ?4 trunk or group, ?5 cause */
		"(?3 IS NULL OR substr(called, 1, length(?3)) = ?3 OR substr(calling, 1, length(?3)) = ?3 "
		"OR substr(called_out, 1, length(?3)) = ?3 OR substr(calling_out, 1, length(?3)) = ?3) "
		"AND (?4 IS NULL OR ?4 IN (in_trunk, out_trunk, in_group, out_group)) "
		"AND (?5 IS NULL OR cause = ?5)",
	},
	[DB_REC_AUDIT] = {
		"id, at, actor, remote, action, object_type, object_id, before_json, after_json",
		"audit_log", "at",
		/* ?3 actor, ?4 object_type, ?5 unused */
		"(?3 IS NULL OR actor = ?3) AND (?4 IS NULL OR object_type = ?4) AND ?5 IS NULL",
	},
	[DB_REC_EVENTS] = {
		"id, at, severity, kind, source, message",
		"events", "at",
		/* ?3 severity, ?4 kind, ?5 source */
		"(?3 IS NULL OR severity = ?3) AND (?4 IS NULL OR kind = ?4) AND (?5 IS NULL OR source = ?5)",
	},
};

static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (v && v[0])
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void bind_filters(sqlite3_stmt *st, const struct db_rec_query *q)
{
	if (q->from_ms > 0)
		sqlite3_bind_int64(st, 1, q->from_ms);
	else
		sqlite3_bind_null(st, 1);
	if (q->to_ms > 0)
		sqlite3_bind_int64(st, 2, q->to_ms);
	else
		sqlite3_bind_null(st, 2);
	bind_opt(st, 3, q->f1);
	bind_opt(st, 4, q->f2);
	if (q->kind == DB_REC_CDRS) {
		if (q->cause > 0)
			sqlite3_bind_int(st, 5, q->cause);
		else
			sqlite3_bind_null(st, 5);
	} else {
		bind_opt(st, 5, q->f3);
	}
}

int db_records(struct db *db, const struct db_rec_query *q, db_rec_row_h *row, void *arg,
	       long long *totalp)
{
	const struct rec_kind *k;
	const char *names[32], *values[32];
	char sql[1536];
	sqlite3_stmt *st;
	int rc, n;

	if ((unsigned)q->kind >= sizeof(kinds) / sizeof(kinds[0]))
		return EINVAL;
	k = &kinds[q->kind];
	rc = db_read_begin(db);         /* the count and the page from one snapshot */
	if (rc)
		return rc;
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE (?1 IS NULL OR %s >= ?1) AND "
		 "(?2 IS NULL OR %s < ?2) AND %s", k->from, k->time, k->time, k->where);
	rc = db_prepare(db, &st, sql);
	if (rc)
		goto out;
	bind_filters(st, q);
	rc = sqlite3_step(st);
	*totalp = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW) {
		rc = db_errno(rc);
		goto out;
	}
	snprintf(sql, sizeof(sql), "SELECT %s FROM %s WHERE (?1 IS NULL OR %s >= ?1) AND "
		 "(?2 IS NULL OR %s < ?2) AND %s ORDER BY id %s LIMIT ?6 OFFSET ?7", k->cols, k->from,
		 k->time, k->time, k->where, q->ascending ? "ASC" : "DESC");
	rc = db_prepare(db, &st, sql);
	if (rc)
		goto out;
	bind_filters(st, q);
	sqlite3_bind_int64(st, 6, q->limit);
	sqlite3_bind_int64(st, 7, q->offset);
	n = sqlite3_column_count(st);
	if (n > 32)
		n = 32;
	for (int i = 0; i < n; i++)
		names[i] = sqlite3_column_name(st, i);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int types[32];

		for (int i = 0; i < n; i++) {
			types[i] = sqlite3_column_type(st, i);
			values[i] = (const char *)sqlite3_column_text(st, i);
		}
		if (row(arg, n, names, values, types)) {
			rc = SQLITE_DONE;       /* the reader has enough */
			break;
		}
	}
	sqlite3_finalize(st);
	rc = rc == SQLITE_DONE ? 0 : db_errno(rc);
 out:
	db_read_end(db);
	return rc;
}

int db_backup_to(struct db *db, const char *path)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	int rc;

	rc = sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc == SQLITE_OK) {
		b = sqlite3_backup_init(dst, "main", db->conn, "main");
		if (b) {
			/* all pages in one step: a consistent copy, writers wait briefly */
			rc = sqlite3_backup_step(b, -1);
			sqlite3_backup_finish(b);
			rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
		} else {
			rc = sqlite3_errcode(dst);
		}
	}
	sqlite3_close(dst);
	return rc == SQLITE_OK ? 0 : db_errno(rc);
}

const char *db_path(const struct db *db)
{
	return db->path;
}

static int prune_chunk(struct db *db, const char *sql, long long arg, unsigned *n)
{
	sqlite3_stmt *st;
	int rc = db_begin(db);

	if (rc)
		return rc;
	rc = db_prepare(db, &st, sql);
	if (!rc) {
		sqlite3_bind_int64(st, 1, arg);
		rc = db_step_done(st);
		*n = (unsigned)sqlite3_changes(db->conn);
	}
	if (!rc)
		rc = db_commit(db);
	if (rc)
		db_rollback(db);
	return rc;
}

/* Delete in chunks until a chunk comes back short. */
static int prune_all(struct db *db, const char *sql, long long arg, unsigned long long *deleted)
{
	unsigned n;
	int rc;

	do {
		n = 0;
		rc = prune_chunk(db, sql, arg, &n);
		*deleted += n;
	} while (!rc && n >= 5000);
	return rc;
}

int db_prune(struct db *db, const struct db_retention *r, long long now_ms,
	     unsigned long long *deleted)
{
	int rc = 0;

	*deleted = 0;
	if (r->cdr_days)
		rc = prune_all(db, "DELETE FROM cdrs WHERE id IN (SELECT id FROM cdrs WHERE end_at < ?1 "
			       "ORDER BY id LIMIT 5000)", now_ms - r->cdr_days * 86400000LL, deleted);
	if (!rc && r->cdr_max)
		rc = prune_all(db, "DELETE FROM cdrs WHERE id IN (SELECT id FROM cdrs WHERE id <= "
			       "(SELECT id FROM cdrs ORDER BY id DESC LIMIT 1 OFFSET ?1) ORDER BY id LIMIT 5000)",
			       r->cdr_max, deleted);
	if (!rc && r->event_days)
		rc = prune_all(db, "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE at < ?1 "
			       "ORDER BY id LIMIT 5000)", now_ms - r->event_days * 86400000LL, deleted);
	if (!rc && r->event_max)
		rc = prune_all(db, "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE id <= "
			       "(SELECT id FROM events ORDER BY id DESC LIMIT 1 OFFSET ?1) ORDER BY id LIMIT 5000)",
			       r->event_max, deleted);
	return rc;
}

void db_retention_get(struct db *db, struct db_retention *r)
{
	static const struct { const char *key; size_t off; } keys[] = {
		{ "cdr_retention_days", offsetof(struct db_retention, cdr_days) },
		{ "cdr_retention_max", offsetof(struct db_retention, cdr_max) },
		{ "event_retention_days", offsetof(struct db_retention, event_days) },
		{ "event_retention_max", offsetof(struct db_retention, event_max) },
	};
	const struct db_retention def = DB_RETENTION_DEFAULT;

	*r = def;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char v[32];

		if (db_setting_get(db, keys[i].key, v, sizeof(v)) == 0)
			*(unsigned *)((char *)r + keys[i].off) = (unsigned)strtoul(v, NULL, 10);
	}
}
