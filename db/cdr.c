/*
 * cdr.c -- call detail records: the INSERT and its bindings, shared by
 * db_cdr_add (one row in its own transaction: for tests, tools and the
 * benchmark's baseline) and the CDR writer thread (cdr_writer.c), which is
 * how the daemon writes them.  Any thread, on its own connection.
 *
 * Durability: with synchronous=FULL a row is on disk once its transaction
 * commits.  db_cdr_add pays one fsync per row.  The daemon's writer commits
 * everything queued in one transaction per batch (group commit), so a CDR is
 * durable a few milliseconds after its call ended, not when it ended: a
 * SIGKILL, crash or power cut in that window loses the CDRs still queued or
 * in the uncommitted batch (never part of a row, never a committed one).  A
 * clean stop (SIGTERM) drains the queue first and loses none.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>

#include "db_int.h"

static void bind_time(sqlite3_stmt *st, int i, long long ms)
{
	if (ms > 0)
		sqlite3_bind_int64(st, i, ms);
	else
		sqlite3_bind_null(st, i);
}

static void bind_chan(sqlite3_stmt *st, int i, int ch)
{
	if (ch >= 0)
		sqlite3_bind_int(st, i, ch);
	else
		sqlite3_bind_null(st, i);
}

int db_cdr_prepare(struct db *db, sqlite3_stmt **stp)
{
	return db_prepare(db, stp,
		"INSERT INTO cdrs (call_id, setup_at, alert_at, answer_at, end_at, in_kind, in_group, "
		"in_trunk, in_channel, out_kind, out_group, out_trunk, out_channel, calling, called, "
		"calling_out, called_out, route, cause, sip_status, released_by, quality_json, "
		"media_bypass) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
		"?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)");
}

void db_cdr_bind(sqlite3_stmt *st, const struct db_cdr *c)
{
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, c->call_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, c->setup_at);
	bind_time(st, 3, c->alert_at);
	bind_time(st, 4, c->answer_at);
	sqlite3_bind_int64(st, 5, c->end_at);
	sqlite3_bind_text(st, 6, c->in_kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, c->in_group, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 8, c->in_trunk, -1, SQLITE_TRANSIENT);
	bind_chan(st, 9, c->in_channel);
	sqlite3_bind_text(st, 10, c->out_kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 11, c->out_group, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 12, c->out_trunk, -1, SQLITE_TRANSIENT);
	bind_chan(st, 13, c->out_channel);
	sqlite3_bind_text(st, 14, c->calling, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 15, c->called, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 16, c->calling_out, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 17, c->called_out, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 18, c->route, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 19, c->cause);
	if (c->sip_status)
		sqlite3_bind_int(st, 20, c->sip_status);
	else
		sqlite3_bind_null(st, 20);
	sqlite3_bind_text(st, 21, c->released_by, -1, SQLITE_TRANSIENT);
	if (c->quality[0])
		sqlite3_bind_text(st, 22, c->quality, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 22);
	sqlite3_bind_int(st, 23, c->media_bypass);
}

int db_cdr_add(struct db *db, const struct db_cdr *c)
{
	sqlite3_stmt *st;
	int rc;

	rc = db_cdr_prepare(db, &st);
	if (rc)
		return rc;
	db_cdr_bind(st, c);
	return db_step_done(st);
}
