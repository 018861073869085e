/*
 * analog.c -- the analog_ports table: FXS/FXO ports (name, driver and
 * position, kind, the line's own number, a device string).  Configuration
 * only: no analog driver exists yet, the daemon does not open them (a call
 * routed to an analog group is refused, daemon/main.c place()).  Writes go
 * through the routing write machinery of routing.c (db_rt_*): one
 * transaction with the row, an audit row rendered by SQLite and the
 * generation bump; refusals name the field in w->field/w->msg.  Any thread.
 *
 * Rules kept here: a position left out (0) is the first free one on the
 * driver; the name and (driver, position) are unique (EEXIST
 * naming "name" or "position"); a port a trunk group lists is not deleted
 * (EBUSY naming the group).
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_int.h"

#define PORT_COLS "id, name, enabled, driver, position, kind, number, device"
#define PORT_JSON "SELECT json_object('id', id, 'name', name, 'enabled', json(CASE WHEN " \
	"enabled THEN 'true' ELSE 'false' END), 'driver', driver, 'position', position, " \
	"'kind', kind, 'number', number, 'device', device) FROM analog_ports WHERE id = ?1"

static void row_to_port(sqlite3_stmt *st, void *item)
{
	struct db_analog_port *p = item;

	p->id = sqlite3_column_int64(st, 0);
	db_col_text(st, 1, p->name, sizeof(p->name));
	p->enabled = sqlite3_column_int(st, 2) != 0;
	db_col_text(st, 3, p->driver, sizeof(p->driver));
	p->position = (unsigned)sqlite3_column_int(st, 4);
	db_col_text(st, 5, p->kind, sizeof(p->kind));
	db_col_text(st, 6, p->number, sizeof(p->number));
	db_col_text(st, 7, p->device, sizeof(p->device));
}

int db_analog_list(struct db *db, struct db_analog_port **vp, size_t *np)
{
	return db_list(db, "SELECT " PORT_COLS " FROM analog_ports ORDER BY id", sizeof(**vp),
		       row_to_port, (void **)vp, np);
}

int db_analog_get(struct db *db, const char *key, struct db_analog_port *p)
{
	bool by_id = key[0] && strspn(key, "0123456789") == strlen(key);
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, &st, by_id ? "SELECT " PORT_COLS " FROM analog_ports WHERE id = ?1" :
			"SELECT " PORT_COLS " FROM analog_ports WHERE name = ?1");
	if (rc)
		return rc;
	if (by_id)
		sqlite3_bind_int64(st, 1, strtoll(key, NULL, 10));
	else
		sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(p, 0, sizeof(*p));
		row_to_port(st, p);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? ENOENT : db_errno(rc);
}

/* Another port on the same driver and position? */
static bool position_taken(struct db *db, const struct db_analog_port *p, char *other, size_t len)
{
	sqlite3_stmt *st;
	bool taken;

	if (db_prepare(db, &st, "SELECT name FROM analog_ports WHERE driver = ?1 AND position = ?2 "
		       "AND id <> ?3"))
		return false;   /* the UNIQUE constraint still holds */
	sqlite3_bind_text(st, 1, p->driver, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, p->position);
	sqlite3_bind_int64(st, 3, p->id);
	taken = sqlite3_step(st) == SQLITE_ROW;
	if (taken)
		db_col_text(st, 0, other, len);
	sqlite3_finalize(st);
	return taken;
}

/* The first position not used on the port's driver (a create that left it out). */
static int first_free(struct db *db, struct db_analog_port *p)
{
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, &st, "SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM analog_ports WHERE "
			"driver = ?1 AND position = 1) THEN 1 ELSE (SELECT MIN(a.position) + 1 FROM "
			"analog_ports a WHERE a.driver = ?1 AND a.position >= 1 AND NOT EXISTS (SELECT "
			"1 FROM analog_ports b WHERE b.driver = ?1 AND b.position = a.position + 1)) END");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, p->driver, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		p->position = (unsigned)sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : db_errno(rc);
}

int db_rt_analog_write(struct db *db, struct db_analog_port *p, struct db_routing_write *w,
		       bool create)
{
	char other[33] = "";
	sqlite3_stmt *st;
	int rc;

	if (create)
		p->id = 0;
	if (db_rt_name_taken(db, "analog_ports", p->name, p->id)) {
		snprintf(w->field, sizeof(w->field), "name");
		snprintf(w->msg, sizeof(w->msg), "an analog port named %s exists already", p->name);
		return EEXIST;
	}
	if (!p->position && (rc = first_free(db, p)))
		return rc;
	if (position_taken(db, p, other, sizeof(other))) {
		snprintf(w->field, sizeof(w->field), "position");
		snprintf(w->msg, sizeof(w->msg), "position %u on driver %s is analog port %s already",
			 p->position, p->driver, other);
		return EEXIST;
	}
	rc = db_prepare(db, &st, create ?
			"INSERT INTO analog_ports (name, enabled, driver, position, kind, number, "
			"device, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)" :
			"UPDATE analog_ports SET name = ?1, enabled = ?2, driver = ?3, position = ?4, "
			"kind = ?5, number = ?6, device = ?7, updated_at = ?8 WHERE id = ?9");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, p->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, p->enabled ? 1 : 0);
	sqlite3_bind_text(st, 3, p->driver, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, p->position);
	sqlite3_bind_text(st, 5, p->kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, p->number, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, p->device, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 8, db_now_ms());
	if (!create)
		sqlite3_bind_int64(st, 9, p->id);
	rc = db_rt_step(st);
	if (!rc && create)
		p->id = sqlite3_last_insert_rowid(db->conn);
	return rc;
}

static int write_port(struct db *db, void *obj, struct db_routing_write *w, bool create)
{
	return db_rt_analog_write(db, obj, w, create);
}

static const char *const port_users[] = {
	"SELECT 'trunk group ' || g.name FROM trunk_group_members m JOIN trunk_groups g "
	"ON g.id = m.group_id WHERE m.analog_port_id = ?1 ORDER BY g.id",
};

static const struct db_rt_kind port_kind = {
	.type = "analog_port",
	.table = "analog_ports",
	.json_sql = PORT_JSON,
	.write = write_port,
	.label = "analog port",
	.users = port_users,
	.nusers = sizeof(port_users) / sizeof(port_users[0]),
};

int db_analog_create(struct db *db, struct db_analog_port *p, struct db_routing_write *w)
{
	return db_rt_change(db, &port_kind, DB_RT_CREATE, p, &p->id, w);
}

int db_analog_update(struct db *db, struct db_analog_port *p, struct db_routing_write *w)
{
	return db_rt_change(db, &port_kind, DB_RT_UPDATE, p, &p->id, w);
}

int db_analog_delete(struct db *db, long long id, struct db_routing_write *w)
{
	return db_rt_change(db, &port_kind, DB_RT_DELETE, NULL, &id, w);
}
