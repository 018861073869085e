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

/* The CDR INSERT (cdr.c): prepare once, bind a row (resets the statement first). */
int db_cdr_prepare(struct db *db, sqlite3_stmt **stp);
void db_cdr_bind(sqlite3_stmt *st, const struct db_cdr *c);

/* ---- row helpers (db.c), shared by every table's file ---- */

/* Copy column i as text into dst (NULL reads as ""). */
void db_col_text(sqlite3_stmt *st, int i, char *dst, size_t n);
/* Collect rows of `size` bytes into a growing malloc'd array; ENOMEM. */
int db_grow(void **vp, size_t *capp, size_t n, size_t size);
/* Run sql (no parameters), turning each row into a zeroed item of `size`
 * bytes with row(), into a malloc'd array of *np items (NULL when none). */
typedef void (db_row_h)(sqlite3_stmt *st, void *item);
int db_list(struct db *db, const char *sql, size_t size, db_row_h *row, void **vp, size_t *np);
/* Refuse a routing write: field and message into w; returns EINVAL. */
int db_rt_bad(struct db_routing_write *w, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Start a routing write: BEGIN IMMEDIATE, clear w's outputs. */
int db_rt_begin(struct db *db, struct db_routing_write *w);
/* Is `name` taken in table (a constant from routing*.c) by a row other than id? */
bool db_rt_name_taken(struct db *db, const char *table, const char *name, long long id);
/* Resolve a name (or *idp when > 0) in table to its id and name; ENOENT. */
int db_rt_resolve(struct db *db, const char *table, char *name, size_t namelen, long long *idp);
/* One kind of routing object for db_rt_change(): its table, how it is
 * written and rendered, and what may still use it. */
typedef int (db_rt_write_h)(struct db *db, void *obj, struct db_routing_write *w, bool create);
struct db_rt_kind {
	const char *type;               /* the audit row's object_type: "sip_trunk" */
	const char *table;              /* a constant: "sip_trunks" */
	const char *json_sql;           /* the row as JSON for the audit row (?1 = id) */
	db_rt_write_h *write;           /* create/update: the row writer (db_rt_*_write) */
	/* Delete is refused (EBUSY) while one of these queries (?1 = id, one text
	 * column) names a referrer: w->msg says "<label> <name> is used by
	 * <referrer>", or names the referrer alone when label is NULL. */
	const char *label;              /* "SIP trunk" */
	const char *const *users;
	size_t nusers;
};
enum db_rt_action { DB_RT_CREATE, DB_RT_UPDATE, DB_RT_DELETE };
/* A routing write of one object in one transaction (db_rt_begin): create or
 * update obj with k->write (create sets *idp, which points at obj's id), or
 * delete row *idp (obj NULL); ENOENT when update or delete finds no row *idp.
 * Then w->verify, the audit row (before and after rendered by k->json_sql)
 * and the generation bump, committed by db_rt_commit. */
int db_rt_change(struct db *db, const struct db_rt_kind *k, enum db_rt_action action,
		 void *obj, long long *idp, struct db_routing_write *w);
/* End every configuration write begun with db_rt_begin: when rc is 0, the
 * audit row, the generation bump (w->generation) and the commit, or, for a
 * dry run, the rollback after all of them passed; otherwise, or when any of
 * that fails, roll back.  Returns the first error. */
int db_rt_commit(struct db *db, int rc, struct db_routing_write *w, const char *action,
		 const char *object_type, const char *object_id, const char *before,
		 const char *after, bool dry_run);
/* An UPDATE/INSERT/DELETE step as an errno (sqlite's constraint errors are EIO
 * here: every constraint we expect was checked first, with a message). */
int db_rt_step(sqlite3_stmt *st);
/* Run w->verify on the configuration as the open transaction would commit it. */
int db_rt_verify(struct db *db, struct db_routing_write *w);
/* A SIP trunk's credentials and registration columns (sip_auth.c), by t->id. */
int db_sip_auth_read(struct db *db, struct db_sip_trunk *t);
int db_sip_auth_write(struct db *db, const struct db_sip_trunk *t);
/* The row writers behind db_*_create/update, inside a transaction the caller
 * opened (db_rt_begin) and ends (db_rt_change, or db_rt_commit): a preset
 * writes many objects in one transaction with them.  Create sets ->id. */
int db_rt_group_write(struct db *db, struct db_trunk_group *g, struct db_routing_write *w,
		      bool create);
int db_rt_range_write(struct db *db, struct db_number_range *r, struct db_routing_write *w,
		      bool create);
int db_rt_rule_write(struct db *db, struct db_manip_rule *r, struct db_routing_write *w,
		     bool create);
int db_rt_route_write(struct db *db, struct db_route *r, struct db_routing_write *w, bool create);
int db_rt_sip_trunk_write(struct db *db, struct db_sip_trunk *t, struct db_routing_write *w,
			  bool create);
int db_rt_bypass_write(struct db *db, struct db_bypass_pair *p, struct db_routing_write *w,
		       bool create);
int db_rt_analog_write(struct db *db, struct db_analog_port *p, struct db_routing_write *w,
		       bool create);
/* A span row (insert, or update by ->id); EINVAL: busy_out_group names no group. */
int db_rt_span_write(struct db *db, struct db_span *sp, bool create);
/* Prefix a writer's field with the object it was writing ("routes[2].range"):
 * when rc is an error and w->field is set.  Returns rc. */
int db_rt_blame(struct db_routing_write *w, int rc, const char *what, unsigned i);

#endif
