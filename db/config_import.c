/*
 * config_import.c -- replace the whole configuration in one transaction
 * (POST /api/v1/config/import): spans, SIP trunks, analog ports (when the
 * document has them), trunk groups, number ranges, manipulation rules,
 * routes, bypass pairs and settings.
 *
 * The objects come decoded and checked by the API's field tables; here
 * they are written with the same row writers the single-object writes use
 * (db_rt_*_write), the whole routing configuration is checked by the
 * caller's verify hook, one audit row is written and the generation is
 * bumped once.  Any error rolls everything back and names the object and
 * field ("routes[3].range"); a dry run checks everything the same way and
 * rolls back at the end.
 *
 * Spans, SIP trunks and analog ports are matched by name: one that exists keeps its row
 * (its id, so the daemon updates it in place rather than closing and
 * reopening it), one the document lacks is deleted, a new one is inserted.
 * Trunk groups, ranges, rules, routes and bypass pairs are deleted and
 * written again, as a preset's replace does.  Users and API tokens are not
 * touched, nor are analog ports when the document has no analog_ports
 * section (older documents).  Any thread.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_int.h"

static int exec(struct db *db, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(db->conn, sql, NULL, NULL, &err);

	sqlite3_free(err);
	return rc == SQLITE_OK ? 0 : db_errno(rc);
}

/* Everything that refers to spans or SIP trunks goes first; a span's
 * busy-out group is set again once the groups are written. */
static int clear_dependents(struct db *db)
{
	return exec(db, "DELETE FROM bypass_pairs; "
		    "UPDATE spans SET busy_out_group_id = NULL WHERE busy_out_group_id IS NOT NULL; "
		    "DELETE FROM route_destinations; DELETE FROM routes; "
		    "DELETE FROM manipulation_rules; DELETE FROM number_ranges; "
		    "DELETE FROM trunk_group_members; DELETE FROM trunk_groups; "
		    /* positions out of the way: two spans may swap them */
		    "UPDATE spans SET position = -id");
}

/* Delete the rows of table (spans, sip_trunks) whose name is not among the
 * n names at names + i * stride. */
static int delete_missing(struct db *db, const char *table, const char *names, size_t n,
			  size_t stride)
{
	char sql[160];
	sqlite3_stmt *st;
	int rc;

	rc = exec(db, "DROP TABLE IF EXISTS temp.import_keep; "
		  "CREATE TEMP TABLE import_keep (name TEXT PRIMARY KEY)");
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < n; i++) {
		rc = db_prepare(db, &st, "INSERT OR IGNORE INTO temp.import_keep (name) VALUES (?1)");
		if (rc)
			break;
		sqlite3_bind_text(st, 1, names + i * stride, -1, SQLITE_TRANSIENT);
		rc = db_rt_step(st);
	}
	snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE name NOT IN (SELECT name FROM temp.import_keep)",
		 table);
	if (!rc)
		rc = exec(db, sql);
	if (!rc)
		rc = exec(db, "DROP TABLE temp.import_keep");
	return rc;
}

/* The id of the row named `name` in table, 0 if none. */
static int id_by_name(struct db *db, const char *table, const char *name, long long *idp)
{
	char buf[64];
	int rc;

	*idp = 0;
	snprintf(buf, sizeof(buf), "%s", name);
	rc = db_rt_resolve(db, table, buf, sizeof(buf), idp);
	if (rc == ENOENT) {
		*idp = 0;
		return 0;
	}
	return rc;
}

static int write_spans(struct db *db, struct db_config_import *c, struct db_routing_write *w)
{
	int rc = delete_missing(db, "spans", c->spans ? c->spans[0].name : NULL, c->nspans,
				sizeof(c->spans[0]));

	for (size_t i = 0; !rc && i < c->nspans; i++) {
		struct db_span sp = c->spans[i];

		sp.busy_out_group[0] = '\0';    /* the groups are not there yet */
		rc = id_by_name(db, "spans", sp.name, &sp.id);
		if (!rc)
			rc = db_rt_span_write(db, &sp, sp.id == 0);
		if (rc == EEXIST)
			rc = db_rt_bad(w, "position", "position: span %u on driver %s is given twice",
				       sp.position, sp.driver);
		rc = db_rt_blame(w, rc, "spans", (unsigned)i);
		c->spans[i].id = sp.id;
	}
	return rc;
}

static int write_busy_out(struct db *db, struct db_config_import *c, struct db_routing_write *w)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < c->nspans; i++) {
		if (!c->spans[i].busy_out_group[0])
			continue;
		rc = db_rt_span_write(db, &c->spans[i], false);
		if (rc == EINVAL)
			rc = db_rt_bad(w, "busy_out_group", "busy_out_group: no trunk group named %s",
				       c->spans[i].busy_out_group);
		rc = db_rt_blame(w, rc, "spans", (unsigned)i);
	}
	return rc;
}

static int write_trunks(struct db *db, struct db_config_import *c, struct db_routing_write *w)
{
	int rc = delete_missing(db, "sip_trunks", c->sip_trunks ? c->sip_trunks[0].name : NULL,
				c->nsip_trunks, sizeof(c->sip_trunks[0]));

	for (size_t i = 0; !rc && i < c->nsip_trunks; i++) {
		struct db_sip_trunk *t = &c->sip_trunks[i];

		rc = id_by_name(db, "sip_trunks", t->name, &t->id);
		if (!rc)
			rc = db_rt_sip_trunk_write(db, t, w, t->id == 0);
		rc = db_rt_blame(w, rc, "sip_trunks", (unsigned)i);
	}
	return rc;
}

/* Analog ports, when the document has them: positions out of the way
 * first (two ports may swap them), the ports with a position before those
 * that take the first free one. */
static int write_analog(struct db *db, struct db_config_import *c, struct db_routing_write *w)
{
	int rc;

	if (!c->analog_given)
		return 0;
	rc = exec(db, "UPDATE analog_ports SET position = -id");
	if (!rc)
		rc = delete_missing(db, "analog_ports", c->analog_ports ? c->analog_ports[0].name : NULL,
				    c->nanalog_ports, sizeof(c->analog_ports[0]));
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; !rc && i < c->nanalog_ports; i++) {
			struct db_analog_port *p = &c->analog_ports[i];

			if (!p->position != (pass == 1))
				continue;
			rc = id_by_name(db, "analog_ports", p->name, &p->id);
			if (!rc)
				rc = db_rt_analog_write(db, p, w, p->id == 0);
			rc = db_rt_blame(w, rc, "analog_ports", (unsigned)i);
		}
	return rc;
}

static int write_settings(struct db *db, const struct db_config_import *c)
{
	sqlite3_stmt *st;
	int rc = 0;

	for (size_t i = 0; !rc && i < c->nsettings; i++) {
		rc = db_prepare(db, &st, "INSERT INTO settings (key, value, updated_at) VALUES "
				"(?1, ?2, ?3) ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
				"updated_at = excluded.updated_at");
		if (rc)
			break;
		sqlite3_bind_text(st, 1, c->settings[i].key, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, c->settings[i].value, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 3, db_now_ms());
		rc = db_rt_step(st);
	}
	for (size_t i = 0; !rc && i < c->nunset; i++) {
		rc = db_prepare(db, &st, "DELETE FROM settings WHERE key = ?1");
		if (rc)
			break;
		sqlite3_bind_text(st, 1, c->settings_unset[i], -1, SQLITE_TRANSIENT);
		rc = db_rt_step(st);
	}
	return rc;
}

int db_config_import(struct db *db, struct db_config_import *c, struct db_routing_write *w)
{
	int rc = db_rt_begin(db, w);

	if (rc)
		return rc;
	rc = clear_dependents(db);
	if (!rc)
		rc = write_spans(db, c, w);
	if (!rc)
		rc = write_trunks(db, c, w);
	if (!rc)
		rc = write_analog(db, c, w);
	for (size_t i = 0; !rc && i < c->ngroups; i++)
		rc = db_rt_blame(w, db_rt_group_write(db, &c->groups[i], w, true), "trunk_groups",
				 (unsigned)i);
	for (size_t i = 0; !rc && i < c->nranges; i++)
		rc = db_rt_blame(w, db_rt_range_write(db, &c->ranges[i], w, true), "number_ranges",
				 (unsigned)i);
	for (size_t i = 0; !rc && i < c->nrules; i++)
		rc = db_rt_blame(w, db_rt_rule_write(db, &c->rules[i], w, true), "manipulation_rules",
				 (unsigned)i);
	for (size_t i = 0; !rc && i < c->nroutes; i++)
		rc = db_rt_blame(w, db_rt_route_write(db, &c->routes[i], w, true), "routes",
				 (unsigned)i);
	if (!rc)
		rc = write_busy_out(db, c, w);
	for (size_t i = 0; !rc && i < c->npairs; i++)
		rc = db_rt_blame(w, db_rt_bypass_write(db, &c->pairs[i], w, true), "bypass_pairs",
				 (unsigned)i);
	if (!rc)
		rc = write_settings(db, c);
	if (!rc)
		rc = db_rt_verify(db, w);
	return db_rt_commit(db, rc, w, "import", "config", "", NULL, c->summary_json, c->dry_run);
}
