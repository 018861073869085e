/*
 * db.c -- opening the store, checking it, and migrating its schema.
 *
 * Start-up order matters for "never touch a file we refuse": the checks run on
 * a read-only connection first (is it a database, is its schema one we know,
 * does quick_check pass); only then is the file opened read-write, switched to
 * WAL and migrated.  All migrations due run in one transaction that ends by
 * setting PRAGMA user_version, so a crash mid-migration leaves the old schema.
 *
 * Each connection: WAL, foreign keys on, synchronous=FULL (a committed config
 * change or CDR survives power loss, not only a process crash), and a busy
 * timeout so the HTTP threads and the main thread wait for each other's write
 * instead of failing.  Any thread, one connection per thread.
 */
#include "config.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db_int.h"

#define BUSY_TIMEOUT_MS 10000

long long db_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000LL + ts.tv_nsec / 1000000LL;
}

int db_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK: return 0;
	case SQLITE_NOMEM: return ENOMEM;
	case SQLITE_BUSY: case SQLITE_LOCKED: return EBUSY;
	case SQLITE_CONSTRAINT: return EEXIST;
	case SQLITE_NOTFOUND: return ENOENT;
	case SQLITE_READONLY: case SQLITE_PERM: case SQLITE_AUTH: return EACCES;
	case SQLITE_FULL: return ENOSPC;
	case SQLITE_CANTOPEN: return ENOENT;
	default: return EIO;
	}
}

unsigned db_schema_latest(void)
{
	return db_migration_count;
}

const char *db_errmsg(struct db *db)
{
	return db && db->conn ? sqlite3_errmsg(db->conn) : "no database";
}

int db_exec_script(struct db *db, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db->conn, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return db_errno(rc);
	}
	return 0;
}

static int read_user_version(sqlite3 *conn, unsigned *vp)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(conn, "PRAGMA user_version", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*vp = (unsigned)sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

int db_schema_version(struct db *db, unsigned *vp)
{
	return db_errno(read_user_version(db->conn, vp));
}

/* The checks, on a read-only connection so a refused file is never written. */
static int precheck(const char *path, char *err, size_t errlen)
{
	sqlite3 *conn = NULL;
	sqlite3_stmt *st = NULL;
	unsigned v = 0;
	int rc, ret = 0;

	rc = sqlite3_open_v2(path, &conn, SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open: %s", path, sqlite3_errstr(rc));
		ret = db_errno(rc);
		goto out;
	}
	sqlite3_busy_timeout(conn, BUSY_TIMEOUT_MS);
	rc = read_user_version(conn, &v);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s is not a usable trunkgate database (%s); "
			 "the file was left untouched: restore a backup or move it away",
			 path, sqlite3_errmsg(conn));
		ret = EINVAL;
		goto out;
	}
	if (v > db_migration_count) {
		snprintf(err, errlen, "%s has schema version %u, newer than this trunkgated knows (%u): "
			 "it was written by a newer release; install that release or restore a backup "
			 "(the file was left untouched)", path, v, db_migration_count);
		ret = ENOTSUP;
		goto out;
	}
	rc = sqlite3_prepare_v2(conn, "PRAGMA quick_check", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0) {
		snprintf(err, errlen, "%s failed its integrity check (%s); the file was left "
			 "untouched: restore a backup or move it away", path,
			 rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : sqlite3_errmsg(conn));
		ret = EIO;
	}
 out:
	sqlite3_finalize(st);
	sqlite3_close(conn);
	return ret;
}

static int setup_conn(struct db *db, char *err, size_t errlen)
{
	static const char *const pragmas =
		"PRAGMA journal_mode=WAL;"
		"PRAGMA foreign_keys=ON;"
		"PRAGMA synchronous=FULL;";

	sqlite3_busy_timeout(db->conn, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(db->conn, 1);
	return db_exec_script(db, pragmas, err, errlen);
}

int db_migrate(struct db *db, unsigned target, char *err, size_t errlen)
{
	unsigned v;
	int rc;

	if (target > db_migration_count)
		target = db_migration_count;
	rc = db_begin(db);
	if (rc) {
		snprintf(err, errlen, "%s: cannot start migration: %s", db->path, db_errmsg(db));
		return rc;
	}
	rc = db_schema_version(db, &v);
	if (rc)
		goto fail;
	for (; v < target; v++) {
		const struct db_migration *m = &db_migrations[v];
		char msg[256];

		rc = db_exec_script(db, m->sql, msg, sizeof(msg));
		if (rc) {
			snprintf(err, errlen, "%s: migration %s failed: %s", db->path, m->name, msg);
			db_rollback(db);
			return rc;
		}
	}
	{
		char sql[64];

		snprintf(sql, sizeof(sql), "PRAGMA user_version = %u", v);
		rc = db_exec_script(db, sql, err, errlen);
		if (rc)
			goto fail;
	}
	rc = db_commit(db);
	if (rc)
		goto fail;
	return 0;
 fail:
	snprintf(err, errlen, "%s: migration failed: %s", db->path, db_errmsg(db));
	db_rollback(db);
	return rc;
}

static int open_conn(struct db **dbp, const char *path, unsigned flags, unsigned target,
		     char *err, size_t errlen)
{
	struct db *db;
	struct stat st;
	int rc;

	if (stat(path, &st) == 0) {
		rc = precheck(path, err, errlen);
		if (rc)
			return rc;
	}
	db = calloc(1, sizeof(*db));
	if (!db)
		return ENOMEM;
	snprintf(db->path, sizeof(db->path), "%s", path);
	rc = sqlite3_open_v2(path, &db->conn, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			     SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
			 db->conn ? sqlite3_errmsg(db->conn) : sqlite3_errstr(rc));
		rc = db_errno(rc);
		goto fail;
	}
	rc = setup_conn(db, err, errlen);
	if (rc)
		goto fail;
	if (flags & DB_OPEN_MIGRATE) {
		rc = db_migrate(db, target, err, errlen);
		if (rc)
			goto fail;
	} else {
		unsigned v;

		rc = db_schema_version(db, &v);
		if (!rc && v != db_migration_count) {
			snprintf(err, errlen, "%s: schema version %u, expected %u", path, v,
				 db_migration_count);
			rc = ENOTSUP;
		}
		if (rc)
			goto fail;
	}
	*dbp = db;
	return 0;
 fail:
	db_close(db);
	return rc;
}

int db_open(struct db **dbp, const char *path, unsigned flags, char *err, size_t errlen)
{
	return open_conn(dbp, path, flags, db_migration_count, err, errlen);
}

int db_open_at(struct db **dbp, const char *path, unsigned version, char *err, size_t errlen)
{
	return open_conn(dbp, path, DB_OPEN_MIGRATE, version, err, errlen);
}

void db_close(struct db *db)
{
	if (!db)
		return;
	/* sqlite3_close_v2 defers until statements are finalized; we keep none open. */
	sqlite3_close_v2(db->conn);
	free(db);
}

long long db_file_size(struct db *db)
{
	return db_path_size(db->path);
}

long long db_path_size(const char *path)
{
	char wal[PATH_MAX + 8];
	struct stat st;
	long long n;

	if (stat(path, &st) != 0)
		return -1;
	n = (long long)st.st_size;
	/* Under WAL, recent commits live in the -wal file until a checkpoint. */
	snprintf(wal, sizeof(wal), "%s-wal", path);
	if (stat(wal, &st) == 0)
		n += (long long)st.st_size;
	return n;
}

int db_begin(struct db *db)
{
	return db_errno(sqlite3_exec(db->conn, "BEGIN IMMEDIATE", NULL, NULL, NULL));
}

int db_prepare(struct db *db, sqlite3_stmt **stp, const char *sql)
{
	return db_errno(sqlite3_prepare_v2(db->conn, sql, -1, stp, NULL));
}

int db_step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

int db_end_change(struct db *db, int rc, const struct db_actor *who, const char *action,
		  const char *object_type, const char *object_id)
{
	if (!rc)
		rc = db_audit_in_tx(db, who, action, object_type, object_id, NULL, NULL);
	if (!rc)
		rc = db_commit(db);
	if (rc)
		db_rollback(db);
	return rc;
}

void db_col_text(sqlite3_stmt *st, int i, char *dst, size_t n)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(dst, n, "%s", t ? (const char *)t : "");
}

int db_grow(void **vp, size_t *capp, size_t n, size_t size)
{
	void *nv;
	size_t cap;

	if (n < *capp)
		return 0;
	cap = *capp ? *capp * 2 : 8;
	nv = realloc(*vp, cap * size);
	if (!nv)
		return ENOMEM;
	*vp = nv;
	*capp = cap;
	return 0;
}

int db_list(struct db *db, const char *sql, size_t size, db_row_h *row, void **vp, size_t *np)
{
	sqlite3_stmt *st;
	size_t n = 0, cap = 0;
	char *v = NULL;
	int rc;

	rc = db_prepare(db, &st, sql);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (db_grow((void **)&v, &cap, n, size)) {
			rc = SQLITE_NOMEM;
			break;
		}
		memset(v + n * size, 0, size);
		row(st, v + n * size);
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(v);
		return db_errno(rc);
	}
	*vp = v;
	*np = n;
	return 0;
}

int db_read_begin(struct db *db)
{
	return db_errno(sqlite3_exec(db->conn, "BEGIN DEFERRED", NULL, NULL, NULL));
}

void db_read_end(struct db *db)
{
	db_rollback(db);
}

int db_commit(struct db *db)
{
	return db_errno(sqlite3_exec(db->conn, "COMMIT", NULL, NULL, NULL));
}

void db_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->conn))
		sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
}
