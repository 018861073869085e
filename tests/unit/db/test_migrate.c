/*
 * test_migrate.c -- opening, checking and migrating the store (db/db.c).
 * Every file in tests/data/db/ is a saved database of an older (or the
 * current) schema, as SQL text; each must upgrade to the latest schema with
 * every row it had still there.
 */
#include "config.h"
#include <dirent.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "test.h"
#include "tg_config.h"

int test_migrate_fresh_database_reaches_latest_schema(void);
int test_migrate_fixtures_upgrade_and_keep_rows(void);
int test_migrate_each_older_version_upgrades_with_data(void);
int test_migrate_refuses_newer_schema_and_leaves_file_untouched(void);
int test_migrate_refuses_non_database_and_leaves_file_untouched(void);
int test_migrate_refuses_corrupt_database_and_leaves_file_untouched(void);

static void db_file(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", test_tmpdir(), name);
}

static char *read_all(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)len + 1);
		if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
			free(buf);
			buf = NULL;
		}
		if (buf) {
			buf[len] = '\0';
			*lenp = (size_t)len;
		}
	}
	fclose(f);
	return buf;
}

/* Row counts of every user table, as "name=N;" text, through plain sqlite3. */
static int table_counts(const char *path, char *out, size_t len)
{
	sqlite3 *conn;
	sqlite3_stmt *st;
	int rc;

	out[0] = '\0';
	if (sqlite3_open_v2(path, &conn, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return EIO;
	rc = sqlite3_prepare_v2(conn, "SELECT name FROM sqlite_master WHERE type = 'table' "
				"AND name NOT LIKE 'sqlite_%' ORDER BY name", -1, &st, NULL);
	while (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		char sql[200];
		sqlite3_stmt *c;
		size_t n = strlen(out);

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"", sqlite3_column_text(st, 0));
		if (sqlite3_prepare_v2(conn, sql, -1, &c, NULL) == SQLITE_OK && sqlite3_step(c) == SQLITE_ROW)
			snprintf(out + n, len - n, "%s=%lld;", sqlite3_column_text(st, 0),
				 (long long)sqlite3_column_int64(c, 0));
		sqlite3_finalize(c);
	}
	sqlite3_finalize(st);
	sqlite3_close(conn);
	return rc == SQLITE_OK ? 0 : EIO;
}

static int load_sql_into(const char *dbpath, const char *sqlpath)
{
	size_t len;
	char *sql = read_all(sqlpath, &len);
	sqlite3 *conn;
	int rc;

	if (!sql)
		return ENOENT;
	rc = sqlite3_open(dbpath, &conn);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(conn, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		printf("# %s: %s\n", sqlpath, sqlite3_errmsg(conn));
	sqlite3_close(conn);
	free(sql);
	return rc == SQLITE_OK ? 0 : EIO;
}

int test_migrate_fresh_database_reaches_latest_schema(void)
{
	char path[512], msg[DB_ERR_LEN] = "";
	struct db *db = NULL;
	unsigned v = 0;
	long long n = -1;
	int err;

	db_file(path, sizeof(path), "fresh.db");
	err = db_open(&db, path, DB_OPEN_MIGRATE, msg, sizeof(msg));
	TEST_ERR(err);
	err = db_schema_version(db, &v);
	TEST_ERR(err);
	TEST_ASSERT(db_schema_latest() >= 1);
	TEST_EQ(db_schema_latest(), v);
	err = db_count(db, "cdrs", &n);
	TEST_ERR(err);
	TEST_EQ(0, n);
	TEST_EQ(EINVAL, db_count(db, "sqlite_master; DROP TABLE users", &n));
	/* opening again is a no-op migration */
	db_close(db);
	db = NULL;
	err = db_open(&db, path, DB_OPEN_MIGRATE, msg, sizeof(msg));
	TEST_ERR(err);
 out:
	if (err)
		printf("# %s\n", msg);
	db_close(db);
	return err;
}

int test_migrate_fixtures_upgrade_and_keep_rows(void)
{
	char dir[512], sqlpath[1024], path[1024], before[4096], after[4096], msg[DB_ERR_LEN] = "";
	struct dirent *de;
	unsigned fixtures = 0;
	DIR *d = NULL;
	int err = 0;

	snprintf(dir, sizeof(dir), "%s/tests/data/db", test_srcdir());
	d = opendir(dir);
	TEST_ASSERT(d != NULL);
	while ((de = readdir(d))) {
		struct db *db = NULL;
		size_t nl = strlen(de->d_name);
		unsigned v = 0;

		if (nl < 5 || strcmp(de->d_name + nl - 4, ".sql") != 0)
			continue;
		fixtures++;
		snprintf(sqlpath, sizeof(sqlpath), "%s/%s", dir, de->d_name);
		snprintf(path, sizeof(path), "%s/%s.db", test_tmpdir(), de->d_name);
		err = load_sql_into(path, sqlpath);
		TEST_ERR(err);
		err = table_counts(path, before, sizeof(before));
		TEST_ERR(err);
		err = db_open(&db, path, DB_OPEN_MIGRATE, msg, sizeof(msg));
		if (err)
			printf("# %s: %s\n", de->d_name, msg);
		TEST_ERR(err);
		db_schema_version(db, &v);
		db_close(db);
		TEST_EQ(db_schema_latest(), v);
		err = table_counts(path, after, sizeof(after));
		TEST_ERR(err);
		/* every table the old schema had keeps its row count */
		for (char *p = before; *p; ) {
			char *semi = strchr(p, ';');

			*semi = '\0';
			if (!strstr(after, p))
				printf("# %s: %s changed after the upgrade (after: %s)\n", de->d_name, p, after);
			TEST_CONTAINS(after, p);
			p = semi + 1;
		}
	}
	TEST_ASSERT(fixtures >= 1);
 out:
	if (d)
		closedir(d);
	return err;
}

int test_migrate_each_older_version_upgrades_with_data(void)
{
	char path[512], msg[DB_ERR_LEN] = "";
	struct db *db = NULL;
	struct db_user u;
	unsigned v;
	int err = 0;

	/* Build every schema version this binary knows, put a row in, upgrade. */
	for (unsigned target = 1; target <= db_schema_latest(); target++) {
		snprintf(path, sizeof(path), "%s/v%u.db", test_tmpdir(), target);
		err = db_open_at(&db, path, target, msg, sizeof(msg));
		TEST_ERR(err);
		err = db_schema_version(db, &v);
		TEST_ERR(err);
		TEST_EQ(target, v);
		err = db_user_create(db, "old", "$y$j9T$x", "viewer", false, NULL);
		TEST_ERR(err);
		db_close(db);
		db = NULL;
		err = db_open(&db, path, DB_OPEN_MIGRATE, msg, sizeof(msg));
		TEST_ERR(err);
		err = db_schema_version(db, &v);
		TEST_ERR(err);
		TEST_EQ(db_schema_latest(), v);
		err = db_user_get(db, "old", &u);
		TEST_ERR(err);
		TEST_STREQ("viewer", u.role);
		db_close(db);
		db = NULL;
	}
 out:
	if (err)
		printf("# %s\n", msg);
	db_close(db);
	return err;
}

static int sha_file(const char *path, char *out, size_t len)
{
	char cmd[1200];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "sha256sum '%s'", path);
	p = popen(cmd, "r");
	if (!p)
		return errno;
	if (!fgets(out, (int)len, p))
		out[0] = '\0';
	return pclose(p) == 0 ? 0 : EIO;
}

/* Also checks no -wal/-shm file appears next to a refused database. */
static int check_refused_untouched(const char *path, int want_rc, const char *want_msg)
{
	char before[200], after[200], side[600], msg[DB_ERR_LEN] = "";
	struct db *db = NULL;
	struct stat st;
	int err, rc;

	err = sha_file(path, before, sizeof(before));
	TEST_ERR(err);
	rc = db_open(&db, path, DB_OPEN_MIGRATE, msg, sizeof(msg));
	TEST_EQ(want_rc, rc);
	TEST_CONTAINS(msg, want_msg);
	TEST_CONTAINS(msg, "left untouched");
	err = sha_file(path, after, sizeof(after));
	TEST_ERR(err);
	TEST_STREQ(before, after);
	snprintf(side, sizeof(side), "%s-wal", path);
	TEST_ASSERT(stat(side, &st) != 0);
 out:
	db_close(db);
	return err;
}

int test_migrate_refuses_newer_schema_and_leaves_file_untouched(void)
{
	char path[512], msg[DB_ERR_LEN] = "", sql[64];
	struct db *db = NULL;
	int err;

	db_file(path, sizeof(path), "newer.db");
	err = db_open(&db, path, DB_OPEN_MIGRATE, msg, sizeof(msg));
	TEST_ERR(err);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %u; PRAGMA journal_mode=DELETE;",
		 db_schema_latest() + 1);
	err = db_exec_script(db, sql, msg, sizeof(msg));
	TEST_ERR(err);
	db_close(db);
	db = NULL;
	err = check_refused_untouched(path, ENOTSUP, "newer than this trunkgated knows");
 out:
	db_close(db);
	return err;
}

int test_migrate_refuses_non_database_and_leaves_file_untouched(void)
{
	char path[512];
	FILE *f;
	int err = 0;

	db_file(path, sizeof(path), "text.db");
	f = fopen(path, "w");
	TEST_ASSERT(f != NULL);
	for (int i = 0; i < 200; i++)
		fputs("this is not a database, it is a text file someone put here\n", f);
	fclose(f);
	err = check_refused_untouched(path, EINVAL, "not a usable trunkgate database");
 out:
	return err;
}

int test_migrate_refuses_corrupt_database_and_leaves_file_untouched(void)
{
	char path[512], msg[DB_ERR_LEN] = "";
	struct db *db = NULL;
	struct stat st;
	int err, fd = -1;

	db_file(path, sizeof(path), "corrupt.db");
	err = db_open(&db, path, DB_OPEN_MIGRATE, msg, sizeof(msg));
	TEST_ERR(err);
	/* enough rows for several pages, then back to a single file */
	err = db_exec_script(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
			     "WHERE i < 2000) INSERT INTO events (at, severity, kind, message) "
			     "SELECT i, 'info', 'test', printf('event %08d with some padding text', i) "
			     "FROM n; PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;",
			     msg, sizeof(msg));
	TEST_ERR(err);
	db_close(db);
	db = NULL;
	/* scribble over the middle of the file, past the header page */
	TEST_ASSERT(stat(path, &st) == 0 && st.st_size > 16384);
	fd = open(path, O_WRONLY);
	TEST_ASSERT(fd >= 0);
	{
		char junk[4096];

		memset(junk, 0xA5, sizeof(junk));
		TEST_ASSERT(pwrite(fd, junk, sizeof(junk), st.st_size / 2 / 4096 * 4096) ==
			    (ssize_t)sizeof(junk));
	}
	close(fd);
	fd = -1;
	err = check_refused_untouched(path, EIO, "integrity check");
 out:
	if (fd >= 0)
		close(fd);
	db_close(db);
	return err;
}
