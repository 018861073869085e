/*
 * db_int.h -- what the db/ files share among themselves.
 */
#ifndef TG_DB_INT_H
#define TG_DB_INT_H

#include <sqlite3.h>
#include "db.h"

struct db_migration {
	unsigned version;
	const char *name;
	const char *sql;
};
extern const struct db_migration db_migrations[];
extern const unsigned db_migration_count;

struct db {
	sqlite3 *conn;
	char path[4096];
};

/* BEGIN IMMEDIATE ... COMMIT helpers; db_rollback never fails the caller. */
int db_begin(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);
/* sqlite result code to errno */
int db_errno(int rc);
/* sqlite3_prepare_v2 as an errno. */
int db_prepare(struct db *db, sqlite3_stmt **stp, const char *sql);
/* Step a statement that returns no rows, finalize it; 0 or an errno. */
int db_step_done(sqlite3_stmt *st);
/* End a change begun with db_begin(): when rc is 0, write its audit row and
 * commit; otherwise, or if that fails, roll back.  Returns the first error. */
int db_end_change(struct db *db, int rc, const struct db_actor *who, const char *action,
		  const char *object_type, const char *object_id);
/* Bump config_state.generation inside the current transaction. */
int db_bump_generation(struct db *db, const char *actor, unsigned long long *genp);
int db_audit_in_tx(struct db *db, const struct db_actor *who, const char *action,
		   const char *object_type, const char *object_id, const char *before_json,
		   const char *after_json);
long long db_now_ms(void);

#endif
