/*
 * users.c -- admin/operator/viewer accounts.  Only password hashes are stored
 * (made by the caller; see daemon/secret.h).  Any thread.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "db_int.h"

int db_user_count(struct db *db, unsigned *np)
{
	long long n;
	int rc = db_count(db, "users", &n);

	if (!rc)
		*np = (unsigned)n;
	return rc;
}

int db_user_get(struct db *db, const char *username, struct db_user *u)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db->conn,
		"SELECT id, username, password_hash, role, must_change_password, disabled "
		"FROM users WHERE username = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_errno(rc);
	sqlite3_bind_text(st, 1, username, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(u, 0, sizeof(*u));
		u->id = sqlite3_column_int64(st, 0);
		snprintf(u->username, sizeof(u->username), "%s", (const char *)sqlite3_column_text(st, 1));
		snprintf(u->password_hash, sizeof(u->password_hash), "%s",
			 (const char *)sqlite3_column_text(st, 2));
		snprintf(u->role, sizeof(u->role), "%s", (const char *)sqlite3_column_text(st, 3));
		u->must_change_password = sqlite3_column_int(st, 4) != 0;
		u->disabled = sqlite3_column_int(st, 5) != 0;
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? ENOENT : db_errno(rc);
	}
	sqlite3_finalize(st);
	return rc;
}

int db_user_create(struct db *db, const char *username, const char *hash, const char *role,
		   bool must_change, const struct db_actor *who)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = db_begin(db);
	if (rc)
		return rc;
	rc = db_prepare(db, &st,
		"INSERT INTO users (username, password_hash, role, must_change_password, created_at, "
		"updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)");
	if (!rc) {
		sqlite3_bind_text(st, 1, username, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, hash, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, role, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 4, must_change ? 1 : 0);
		sqlite3_bind_int64(st, 5, db_now_ms());
		rc = db_step_done(st);
	}
	return db_end_change(db, rc, who, "create", "user", username);
}

int db_user_set_password(struct db *db, const char *username, const char *hash,
			 const struct db_actor *who)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = db_begin(db);
	if (rc)
		return rc;
	rc = db_prepare(db, &st,
		"UPDATE users SET password_hash = ?2, must_change_password = 0, updated_at = ?3 "
		"WHERE username = ?1");
	if (!rc) {
		sqlite3_bind_text(st, 1, username, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, hash, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 3, db_now_ms());
		rc = db_step_done(st);
	}
	if (!rc && sqlite3_changes(db->conn) == 0)
		rc = ENOENT;
	return db_end_change(db, rc, who, "change-password", "user", username);
}

int db_user_note_login(struct db *db, const char *username, bool ok)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db->conn, ok ?
		"UPDATE users SET failed_logins = 0, last_login_at = ?2 WHERE username = ?1" :
		"UPDATE users SET failed_logins = failed_logins + 1 WHERE username = ?1",
		-1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_errno(rc);
	sqlite3_bind_text(st, 1, username, -1, SQLITE_TRANSIENT);
	if (ok)
		sqlite3_bind_int64(st, 2, db_now_ms());
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_errno(rc);
}
