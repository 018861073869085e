/*
 * spans.c -- the spans table.  Each write is one transaction: the row, an
 * audit row whose before/after JSON SQLite itself renders (json_object), and
 * the generation bump, through the routing write machinery (db_rt_change in
 * routing.c; the verify hook is not used here).  Any thread.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_int.h"

/* The busy-out group by name ('' = none), for reads and the audit JSON. */
#define BUSY_OUT_GROUP "COALESCE((SELECT g.name FROM trunk_groups g WHERE g.id = spans.busy_out_group_id), '')"

#define SPAN_COLS "id, name, enabled, driver, position, type, framing, line_code, crc4, " \
	"clock_source, signalling, pri_side, switch_type, hunting, test_number, debug, sim_attach, " \
	BUSY_OUT_GROUP ", busy_out_method, echo_tail_ms"

#define SPAN_JSON "json_object('id', id, 'name', name, 'enabled', enabled, 'driver', driver, " \
	"'position', position, 'type', type, 'framing', framing, 'line_code', line_code, " \
	"'crc4', crc4, 'clock_source', clock_source, 'signalling', signalling, " \
	"'pri_side', pri_side, 'switch_type', switch_type, 'hunting', hunting, " \
	"'test_number', test_number, 'debug', debug, 'sim_attach', sim_attach, " \
	"'busy_out_group', " BUSY_OUT_GROUP ", 'busy_out_method', busy_out_method, " \
	"'echo_tail_ms', echo_tail_ms)"

static void row_to_span(sqlite3_stmt *st, void *item)
{
	struct db_span *sp = item;

	memset(sp, 0, sizeof(*sp));
	sp->id = sqlite3_column_int64(st, 0);
	db_col_text(st, 1, sp->name, sizeof(sp->name));
	sp->enabled = sqlite3_column_int(st, 2) != 0;
	db_col_text(st, 3, sp->driver, sizeof(sp->driver));
	sp->position = (unsigned)sqlite3_column_int(st, 4);
	db_col_text(st, 5, sp->type, sizeof(sp->type));
	db_col_text(st, 6, sp->framing, sizeof(sp->framing));
	db_col_text(st, 7, sp->line_code, sizeof(sp->line_code));
	sp->crc4 = sqlite3_column_int(st, 8) != 0;
	db_col_text(st, 9, sp->clock_source, sizeof(sp->clock_source));
	db_col_text(st, 10, sp->signalling, sizeof(sp->signalling));
	db_col_text(st, 11, sp->pri_side, sizeof(sp->pri_side));
	db_col_text(st, 12, sp->switch_type, sizeof(sp->switch_type));
	db_col_text(st, 13, sp->hunting, sizeof(sp->hunting));
	db_col_text(st, 14, sp->test_number, sizeof(sp->test_number));
	sp->debug = sqlite3_column_int(st, 15) != 0;
	db_col_text(st, 16, sp->sim_attach, sizeof(sp->sim_attach));
	db_col_text(st, 17, sp->busy_out_group, sizeof(sp->busy_out_group));
	db_col_text(st, 18, sp->busy_out_method, sizeof(sp->busy_out_method));
	sp->echo_tail_ms = (unsigned)sqlite3_column_int(st, 19);
}

int db_span_list(struct db *db, struct db_span **vp, size_t *np)
{
	return db_list(db, "SELECT " SPAN_COLS " FROM spans ORDER BY id", sizeof(**vp), row_to_span,
		       (void **)vp, np);
}

int db_span_get(struct db *db, const char *key, struct db_span *sp)
{
	bool by_id = key[0] && strspn(key, "0123456789") == strlen(key);
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, &st, by_id ? "SELECT " SPAN_COLS " FROM spans WHERE id = ?1" :
			"SELECT " SPAN_COLS " FROM spans WHERE name = ?1");
	if (rc)
		return rc;
	if (by_id)
		sqlite3_bind_int64(st, 1, strtoll(key, NULL, 10));
	else
		sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row_to_span(st, sp);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? ENOENT : db_errno(rc);
}

static void bind_span(sqlite3_stmt *st, const struct db_span *sp)
{
	sqlite3_bind_text(st, 1, sp->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, sp->enabled);
	sqlite3_bind_text(st, 3, sp->driver, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 4, (int)sp->position);
	sqlite3_bind_text(st, 5, sp->type, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, sp->framing, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, sp->line_code, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 8, sp->crc4);
	sqlite3_bind_text(st, 9, sp->clock_source, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 10, sp->signalling, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 11, sp->pri_side, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 12, sp->switch_type, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 13, sp->hunting, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 14, sp->test_number, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 15, sp->debug);
	sqlite3_bind_text(st, 16, sp->sim_attach, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 17, db_now_ms());
	sqlite3_bind_text(st, 18, sp->busy_out_group, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 19, sp->busy_out_method[0] ? sp->busy_out_method : "dchan", -1,
			  SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 21, (int)sp->echo_tail_ms);
}

/* The busy-out group is stored by id, resolved from its name in the write's
 * own transaction: a name that names nothing (deleted in between) is EINVAL. */
#define BUSY_OUT_GROUP_ID "(SELECT id FROM trunk_groups WHERE name = ?18)"

static int check_busy_out_group(struct db *db, const struct db_span *sp)
{
	sqlite3_stmt *st;
	int rc;

	if (!sp->busy_out_group[0])
		return 0;
	rc = db_prepare(db, &st, "SELECT busy_out_group_id IS NOT NULL FROM spans WHERE id = ?1");
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, sp->id);
	rc = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) ? 0 : EINVAL;
	sqlite3_finalize(st);
	return rc;
}

/* The row itself (insert, or update by sp->id), inside the caller's
 * transaction; EINVAL: busy_out_group names no group. */
int db_rt_span_write(struct db *db, struct db_span *sp, bool create)
{
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, &st, create ?
		"INSERT INTO spans (name, enabled, driver, position, type, framing, line_code, crc4, "
		"clock_source, signalling, pri_side, switch_type, hunting, test_number, debug, "
		"sim_attach, busy_out_group_id, busy_out_method, echo_tail_ms, created_at, updated_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
		BUSY_OUT_GROUP_ID ", ?19, ?21, ?17, ?17)" :
		"UPDATE spans SET name = ?1, enabled = ?2, driver = ?3, position = ?4, type = ?5, "
		"framing = ?6, line_code = ?7, crc4 = ?8, clock_source = ?9, signalling = ?10, "
		"pri_side = ?11, switch_type = ?12, hunting = ?13, test_number = ?14, debug = ?15, "
		"sim_attach = ?16, busy_out_group_id = " BUSY_OUT_GROUP_ID ", busy_out_method = ?19, "
		"echo_tail_ms = ?21, updated_at = ?17 WHERE id = ?20");
	if (rc)
		return rc;
	bind_span(st, sp);
	if (!create)
		sqlite3_bind_int64(st, 20, sp->id);
	rc = db_step_done(st);
	if (!rc && create)
		sp->id = sqlite3_last_insert_rowid(db->conn);
	return rc ? rc : check_busy_out_group(db, sp);
}

static int write_span(struct db *db, void *obj, struct db_routing_write *w, bool create)
{
	(void)w;
	return db_rt_span_write(db, obj, create);
}

/* Name the referrer, rather than let the foreign key fail anonymously. */
static const char *const span_users[] = {
	"SELECT 'trunk group ' || g.name FROM trunk_group_members m JOIN trunk_groups g "
	"ON g.id = m.group_id WHERE m.span_id = ?1",
	"SELECT 'bypass pair ' || name FROM bypass_pairs WHERE span_a_id = ?1 OR span_b_id = ?1",
};

/* No label: the API's refusal names the span itself, `why` the referrer. */
static const struct db_rt_kind span_kind = {
	.type = "span",
	.table = "spans",
	.json_sql = "SELECT " SPAN_JSON " FROM spans WHERE id = ?1",
	.write = write_span,
	.users = span_users,
	.nusers = sizeof(span_users) / sizeof(span_users[0]),
};

/* The span API predates struct db_routing_write: who in, generation and the
 * referrer out. */
static int span_change(struct db *db, enum db_rt_action action, struct db_span *sp,
		       long long id, const struct db_actor *who, unsigned long long *genp,
		       char *why, size_t whylen)
{
	struct db_routing_write w = { .who = who };
	int rc;

	rc = db_rt_change(db, &span_kind, action, sp, sp ? &sp->id : &id, &w);
	if (!rc && genp)
		*genp = w.generation;
	if (rc == EBUSY && why)
		snprintf(why, whylen, "%s", w.msg);
	return rc;
}

int db_span_create(struct db *db, struct db_span *sp, const struct db_actor *who,
		   unsigned long long *genp)
{
	return span_change(db, DB_RT_CREATE, sp, 0, who, genp, NULL, 0);
}

int db_span_update(struct db *db, const struct db_span *sp, const struct db_actor *who,
		   unsigned long long *genp)
{
	struct db_span copy = *sp;

	return span_change(db, DB_RT_UPDATE, &copy, 0, who, genp, NULL, 0);
}

int db_span_delete(struct db *db, long long id, const struct db_actor *who,
		   unsigned long long *genp, char *why, size_t whylen)
{
	return span_change(db, DB_RT_DELETE, NULL, id, who, genp, why, whylen);
}

static void row_to_member(sqlite3_stmt *st, void *item)
{
	struct db_span_member *m = item;

	m->group_id = sqlite3_column_int64(st, 0);
	db_col_text(st, 1, m->group, sizeof(m->group));
	m->span_id = sqlite3_column_int64(st, 2);
	m->first_channel = (unsigned)sqlite3_column_int(st, 3);
	m->last_channel = (unsigned)sqlite3_column_int(st, 4);
}

int db_span_members(struct db *db, struct db_span_member **vp, size_t *np)
{
	return db_list(db, "SELECT m.group_id, g.name, m.span_id, m.first_channel, m.last_channel "
		       "FROM trunk_group_members m JOIN trunk_groups g ON g.id = m.group_id "
		       "WHERE m.span_id IS NOT NULL ORDER BY m.group_id, m.position, m.id",
		       sizeof(**vp), row_to_member, (void **)vp, np);
}
