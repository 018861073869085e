/*
 * sip_auth.c -- a SIP trunk's digest credentials and registration settings
 * (migration 0004): read and written beside the trunk row by sip.c, in the
 * same transaction.  The password is stored as given (a digest client needs
 * it); db_sip_trunk carries it to the daemon, the API never prints it.
 */
#include "config.h"
#include <errno.h>
#include <string.h>

#include "db_int.h"

int db_sip_auth_read(struct db *db, struct db_sip_trunk *t)
{
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, &st, "SELECT auth_username, auth_password, auth_realm, register, "
			"register_expires FROM sip_trunks WHERE id = ?1");
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, t->id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		db_col_text(st, 0, t->auth_username, sizeof(t->auth_username));
		db_col_text(st, 1, t->auth_password, sizeof(t->auth_password));
		t->auth_password_set = t->auth_password[0] != '\0';
		db_col_text(st, 2, t->auth_realm, sizeof(t->auth_realm));
		t->do_register = sqlite3_column_int(st, 3) != 0;
		t->register_expires = (unsigned)sqlite3_column_int(st, 4);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? ENOENT : db_errno(rc);
}

int db_sip_auth_write(struct db *db, const struct db_sip_trunk *t)
{
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, &st, "UPDATE sip_trunks SET auth_username = ?1, auth_password = ?2, "
			"auth_realm = ?3, register = ?4, register_expires = ?5 WHERE id = ?6");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, t->auth_username, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, t->auth_password, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, t->auth_realm, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 4, t->do_register);
	sqlite3_bind_int(st, 5, (int)t->register_expires);
	sqlite3_bind_int64(st, 6, t->id);
	return db_rt_step(st);
}
