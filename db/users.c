/*
 * users.c -- admin/operator/viewer accounts with failed-login lockout, and
 * API tokens.  Only hashes are stored (made by the caller; see
 * daemon/secret.h): yescrypt for passwords, SHA-256 for tokens.  Any thread.
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

#define USER_COLS "id, username, password_hash, role, must_change_password, disabled, " \
	"failed_logins, locked_until, created_at, COALESCE(last_login_at, 0)"

static void row_to_user(sqlite3_stmt *st, void *item)
{
	struct db_user *u = item;

	u->id = sqlite3_column_int64(st, 0);
	db_col_text(st, 1, u->username, sizeof(u->username));
	db_col_text(st, 2, u->password_hash, sizeof(u->password_hash));
	db_col_text(st, 3, u->role, sizeof(u->role));
	u->must_change_password = sqlite3_column_int(st, 4) != 0;
	u->disabled = sqlite3_column_int(st, 5) != 0;
	u->failed_logins = (unsigned)sqlite3_column_int(st, 6);
	u->locked_until = sqlite3_column_int64(st, 7);
	u->created_at = sqlite3_column_int64(st, 8);
	u->last_login_at = sqlite3_column_int64(st, 9);
}

int db_user_get(struct db *db, const char *username, struct db_user *u)
{
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, &st, "SELECT " USER_COLS " FROM users WHERE username = ?1");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, username, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(u, 0, sizeof(*u));
		row_to_user(st, u);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? ENOENT : db_errno(rc);
	}
	sqlite3_finalize(st);
	return rc;
}

int db_user_list(struct db *db, struct db_user **vp, size_t *np)
{
	return db_list(db, "SELECT " USER_COLS " FROM users ORDER BY username", sizeof(**vp),
		       row_to_user, (void **)vp, np);
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

/* Would the users table, as the open transaction leaves it, still have an
 * enabled admin?  EBUSY if not. */
static int admin_left(struct db *db)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, &st, "SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0");

	if (rc)
		return rc;
	rc = sqlite3_step(st);
	rc = rc == SQLITE_ROW ? (sqlite3_column_int(st, 0) > 0 ? 0 : EBUSY) : db_errno(rc);
	sqlite3_finalize(st);
	return rc;
}

int db_user_update(struct db *db, const char *username, const struct db_user_change *c,
		   const struct db_actor *who)
{
	sqlite3_stmt *st = NULL;
	int rc = db_begin(db);

	if (rc)
		return rc;
	rc = db_prepare(db, &st,
		"UPDATE users SET role = COALESCE(?2, role), "
		"disabled = CASE WHEN ?3 < 0 THEN disabled ELSE ?3 END, "
		"must_change_password = CASE WHEN ?4 < 0 THEN must_change_password ELSE ?4 END, "
		"password_hash = COALESCE(?5, password_hash), "
		"failed_logins = CASE WHEN ?6 THEN 0 ELSE failed_logins END, "
		"locked_until = CASE WHEN ?6 THEN 0 ELSE locked_until END, "
		"updated_at = ?7 WHERE username = ?1");
	if (!rc) {
		sqlite3_bind_text(st, 1, username, -1, SQLITE_TRANSIENT);
		if (c->role)
			sqlite3_bind_text(st, 2, c->role, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 3, c->disabled);
		sqlite3_bind_int(st, 4, c->must_change_password);
		if (c->password_hash)
			sqlite3_bind_text(st, 5, c->password_hash, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 6, c->unlock);
		sqlite3_bind_int64(st, 7, db_now_ms());
		rc = db_step_done(st);
	}
	if (!rc && sqlite3_changes(db->conn) == 0)
		rc = ENOENT;
	if (!rc)
		rc = admin_left(db);
	return db_end_change(db, rc, who, "update", "user", username);
}

int db_user_delete(struct db *db, const char *username, const struct db_actor *who)
{
	sqlite3_stmt *st = NULL;
	int rc = db_begin(db);

	if (rc)
		return rc;
	rc = db_prepare(db, &st, "DELETE FROM users WHERE username = ?1");
	if (!rc) {
		sqlite3_bind_text(st, 1, username, -1, SQLITE_TRANSIENT);
		rc = db_step_done(st);
	}
	if (!rc && sqlite3_changes(db->conn) == 0)
		rc = ENOENT;
	if (!rc)
		rc = admin_left(db);
	return db_end_change(db, rc, who, "delete", "user", username);
}

int db_user_note_login(struct db *db, const char *username, bool ok, long long *locked_until)
{
	sqlite3_stmt *st;
	long long now = db_now_ms();
	int rc;

	if (locked_until)
		*locked_until = 0;
	/* the lock doubles from one minute per failure past the limit, up to 16 */
	rc = db_prepare(db, &st, ok ?
		"UPDATE users SET failed_logins = 0, locked_until = 0, last_login_at = ?2 "
		"WHERE username = ?1 RETURNING 0" :
		"UPDATE users SET failed_logins = failed_logins + 1, locked_until = "
		"CASE WHEN failed_logins + 1 >= ?3 THEN ?2 + 60000 * "
		"(1 << MIN(failed_logins + 1 - ?3, 4)) ELSE locked_until END "
		"WHERE username = ?1 RETURNING locked_until");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, username, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, now);
	if (!ok)
		sqlite3_bind_int(st, 3, DB_LOCKOUT_AFTER);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && locked_until && sqlite3_column_int64(st, 0) > now)
		*locked_until = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_errno(rc);
}

/* ---- API tokens ---- */

#define TOKEN_COLS "t.id, t.name, t.role, COALESCE(u.username, ''), t.created_at, " \
	"COALESCE(t.expires_at, 0), COALESCE(t.last_used_at, 0), COALESCE(t.revoked_at, 0)"

static void row_to_token(sqlite3_stmt *st, void *item)
{
	struct db_token *t = item;

	t->id = sqlite3_column_int64(st, 0);
	db_col_text(st, 1, t->name, sizeof(t->name));
	db_col_text(st, 2, t->role, sizeof(t->role));
	db_col_text(st, 3, t->created_by, sizeof(t->created_by));
	t->created_at = sqlite3_column_int64(st, 4);
	t->expires_at = sqlite3_column_int64(st, 5);
	t->last_used_at = sqlite3_column_int64(st, 6);
	t->revoked_at = sqlite3_column_int64(st, 7);
}

int db_token_create(struct db *db, const char *name, const char *hash, const char *role,
		    long long expires_at, const struct db_actor *who, long long *idp)
{
	sqlite3_stmt *st = NULL;
	char id[24] = "";
	int rc = db_begin(db);

	if (rc)
		return rc;
	rc = db_prepare(db, &st,
		"INSERT INTO api_tokens (name, token_hash, role, created_by, created_at, expires_at) "
		"VALUES (?1, ?2, ?3, (SELECT id FROM users WHERE username = ?4), ?5, ?6)");
	if (!rc) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, hash, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, role, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, who && who->user ? who->user : "", -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 5, db_now_ms());
		if (expires_at > 0)
			sqlite3_bind_int64(st, 6, expires_at);
		rc = db_step_done(st);
	}
	if (!rc) {
		*idp = sqlite3_last_insert_rowid(db->conn);
		snprintf(id, sizeof(id), "%lld", *idp);
	}
	return db_end_change(db, rc, who, "create", "api_token", id);
}

int db_token_list(struct db *db, struct db_token **vp, size_t *np)
{
	return db_list(db, "SELECT " TOKEN_COLS " FROM api_tokens t LEFT JOIN users u "
		       "ON u.id = t.created_by ORDER BY t.id DESC", sizeof(**vp), row_to_token,
		       (void **)vp, np);
}

int db_token_revoke(struct db *db, long long id, const struct db_actor *who)
{
	sqlite3_stmt *st = NULL;
	char ids[24];
	int rc = db_begin(db);

	if (rc)
		return rc;
	snprintf(ids, sizeof(ids), "%lld", id);
	rc = db_prepare(db, &st, "UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL");
	if (!rc) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, db_now_ms());
		rc = db_step_done(st);
	}
	if (!rc && sqlite3_changes(db->conn) == 0)
		rc = ENOENT;
	return db_end_change(db, rc, who, "revoke", "api_token", ids);
}

int db_token_check(struct db *db, const char *hash, struct db_token *t)
{
	long long now = db_now_ms();
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, &st, "SELECT " TOKEN_COLS " FROM api_tokens t LEFT JOIN users u "
			"ON u.id = t.created_by WHERE t.token_hash = ?1 AND t.revoked_at IS NULL "
			"AND (t.expires_at IS NULL OR t.expires_at > ?2)");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(t, 0, sizeof(*t));
		row_to_token(st, t);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? ENOENT : db_errno(rc);
	if (now - t->last_used_at > 60000 &&
	    db_prepare(db, &st, "UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1") == 0) {
		sqlite3_bind_int64(st, 1, t->id);
		sqlite3_bind_int64(st, 2, now);
		sqlite3_step(st);       /* best effort: a busy database does not refuse the token */
		sqlite3_finalize(st);
	}
	return 0;
}
