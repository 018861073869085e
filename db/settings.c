/*
 * settings.c -- settings rows, the configuration generation, the audit log and
 * events.  A config change is one transaction: the rows, one audit row, and
 * the generation bump, so the daemon never sees a change without its
 * generation nor an audit trail without its change.  Any thread.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "db_int.h"
#include "log.h"

/* Bind helper: NULL text binds SQL NULL. */
static int bind_text(sqlite3_stmt *st, int i, const char *s)
{
	return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

int db_config_generation(struct db *db, unsigned long long *genp, long long *changed_atp)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db->conn, "SELECT generation, changed_at FROM config_state WHERE id = 1",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_errno(rc);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*genp = (unsigned long long)sqlite3_column_int64(st, 0);
		if (changed_atp)
			*changed_atp = sqlite3_column_int64(st, 1);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? ENOENT : db_errno(rc);
	}
	sqlite3_finalize(st);
	return rc;
}

int db_bump_generation(struct db *db, const char *actor, unsigned long long *genp)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db->conn,
		"UPDATE config_state SET generation = generation + 1, changed_at = ?1, changed_by = ?2 "
		"WHERE id = 1 RETURNING generation", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_errno(rc);
	sqlite3_bind_int64(st, 1, db_now_ms());
	bind_text(st, 2, actor ? actor : "");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (genp)
			*genp = (unsigned long long)sqlite3_column_int64(st, 0);
		rc = SQLITE_DONE;
	}
	/* RETURNING rows are only final once the statement is reset */
	rc = rc == SQLITE_DONE ? sqlite3_reset(st) : rc;
	sqlite3_finalize(st);
	return db_errno(rc);
}

int db_audit_in_tx(struct db *db, const struct db_actor *who, const char *action,
		   const char *object_type, const char *object_id, const char *before_json,
		   const char *after_json)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db->conn,
		"INSERT INTO audit_log (at, actor, remote, action, object_type, object_id, "
		"before_json, after_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_errno(rc);
	sqlite3_bind_int64(st, 1, db_now_ms());
	bind_text(st, 2, who && who->user ? who->user : "system");
	bind_text(st, 3, who && who->remote ? who->remote : "");
	bind_text(st, 4, action);
	bind_text(st, 5, object_type ? object_type : "");
	bind_text(st, 6, object_id ? object_id : "");
	bind_text(st, 7, before_json);
	bind_text(st, 8, after_json);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

int db_audit_add(struct db *db, const struct db_actor *who, const char *action,
		 const char *object_type, const char *object_id)
{
	return db_audit_in_tx(db, who, action, object_type, object_id, NULL, NULL);
}

int db_setting_get(struct db *db, const char *key, char *buf, size_t len)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db->conn, "SELECT value FROM settings WHERE key = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_errno(rc);
	bind_text(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? ENOENT : db_errno(rc);
	}
	sqlite3_finalize(st);
	return rc;
}

/* The audit row records old and new values as a small JSON object each. */
static void json_append_kv(char *buf, size_t len, const char *k, const char *v)
{
	size_t n = strlen(buf);

	snprintf(buf + n, len - n, "%s\"%s\":", n > 1 ? "," : "", k);
	n = strlen(buf);
	if (!v) {
		snprintf(buf + n, len - n, "null");
		return;
	}
	if (n + 1 < len)
		buf[n++] = '"';
	for (; *v && n + 7 < len; v++) {
		unsigned char ch = (unsigned char)*v;

		if (ch == '"' || ch == '\\') {
			buf[n++] = '\\';
			buf[n++] = (char)ch;
		} else if (ch < 0x20) {
			n += (size_t)snprintf(buf + n, len - n, "\\u%04x", ch);
		} else {
			buf[n++] = (char)ch;
		}
	}
	if (n + 1 < len)
		buf[n++] = '"';
	buf[n] = '\0';
}

int db_settings_put(struct db *db, const struct db_kv *kv, size_t n, const struct db_actor *who,
		    unsigned long long *genp)
{
	char before[4096] = "{", after[4096] = "{";
	sqlite3_stmt *st = NULL;
	int rc;

	rc = db_begin(db);
	if (rc)
		return rc;
	rc = sqlite3_prepare_v2(db->conn,
		"INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3) "
		"ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
		-1, &st, NULL);
	if (rc != SQLITE_OK) {
		rc = db_errno(rc);
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		char old[1024];
		int grc = db_setting_get(db, kv[i].key, old, sizeof(old));

		json_append_kv(before, sizeof(before), kv[i].key, grc == 0 ? old : NULL);
		json_append_kv(after, sizeof(after), kv[i].key, kv[i].value);
		sqlite3_reset(st);
		bind_text(st, 1, kv[i].key);
		bind_text(st, 2, kv[i].value);
		sqlite3_bind_int64(st, 3, db_now_ms());
		rc = sqlite3_step(st);
		if (rc != SQLITE_DONE) {
			rc = db_errno(rc);
			goto fail;
		}
	}
	sqlite3_finalize(st);
	st = NULL;
	strncat(before, "}", sizeof(before) - strlen(before) - 1);
	strncat(after, "}", sizeof(after) - strlen(after) - 1);
	rc = db_audit_in_tx(db, who, "update", "settings", "", before, after);
	if (!rc)
		rc = db_bump_generation(db, who ? who->user : NULL, genp);
	if (!rc)
		rc = db_commit(db);
	if (rc)
		goto fail;
	return 0;
 fail:
	sqlite3_finalize(st);
	db_rollback(db);
	return rc;
}

int db_event_add(struct db *db, const char *severity, const char *kind, const char *source,
		 const char *message)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db->conn,
		"INSERT INTO events (at, severity, kind, source, message) VALUES (?1, ?2, ?3, ?4, ?5)",
		-1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_errno(rc);
	sqlite3_bind_int64(st, 1, db_now_ms());
	bind_text(st, 2, severity);
	bind_text(st, 3, kind);
	bind_text(st, 4, source ? source : "");
	bind_text(st, 5, message);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	log_event(severity, kind, source ? source : "", message);      /* and to the journal */
	return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

int db_count(struct db *db, const char *table, long long *np)
{
	/* Table names cannot be bound: only names from this fixed list are accepted. */
	static const char *const tables[] = {
		"settings", "users", "api_tokens", "sip_trunks", "sip_peers", "spans",
		"analog_ports", "trunk_groups", "trunk_group_members", "number_ranges",
		"manipulation_rules", "routes", "route_destinations", "bypass_pairs",
		"audit_log", "events", "cdrs",
	};
	char sql[96];
	sqlite3_stmt *st;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		if (strcmp(tables[i], table) == 0)
			break;
	if (i == sizeof(tables) / sizeof(tables[0]))
		return EINVAL;
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", tables[i]);
	rc = sqlite3_prepare_v2(db->conn, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_errno(rc);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*np = sqlite3_column_int64(st, 0);
		rc = 0;
	} else {
		rc = db_errno(rc);
	}
	sqlite3_finalize(st);
	return rc;
}
