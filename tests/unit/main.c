/*
 * main.c -- the selftest runner: runs every test in the table (or those whose
 * names contain an argument), each in a fresh temporary folder, and prints
 * TAP for automake's driver.  No test sleeps or measures time.
 */
#include "config.h"
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>

#include "log.h"
#include "test.h"

/* Each module lists its tests in its own tests.def, one X(name) a line. */
#define X(fn) int fn(void);
#include "daemon/tests.def"
#include "db/tests.def"
#include "web/tests.def"
#include "hw/tests.def"
#include "sig/tests.def"
#include "tools/tests.def"
#include "call/tests.def"
#include "route/tests.def"
#include "status/tests.def"
#include "surv/tests.def"
#include "sip/tests.def"
#include "media/tests.def"
#undef X

static const struct {
	const char *name;
	int (*fn)(void);
} tests[] = {
#define X(fn) { #fn, fn },
#include "daemon/tests.def"
#include "db/tests.def"
#include "web/tests.def"
#include "hw/tests.def"
#include "sig/tests.def"
#include "tools/tests.def"
#include "call/tests.def"
#include "route/tests.def"
#include "status/tests.def"
#include "surv/tests.def"
#include "sip/tests.def"
#include "media/tests.def"
#undef X
};

static char tmpdir[256];
static int failures_in_test;

void test_fail(const char *file, int line, const char *what)
{
	printf("# %s:%d: %s\n", file, line, what);
	failures_in_test++;
}

const char *test_tmpdir(void)
{
	return tmpdir;
}

const char *test_srcdir(void)
{
	const char *s = getenv("TG_SRCDIR");

	return s ? s : ".";
}

long long test_query_int(const char *path, const char *sql)
{
	sqlite3 *conn;
	sqlite3_stmt *st;
	long long v = -1;

	if (sqlite3_open_v2(path, &conn, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(conn, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(conn);
	return v;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static bool selected(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (strstr(name, argv[i]))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	size_t n = sizeof(tests) / sizeof(tests[0]), planned = 0, num = 0;
	int failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	log_init(getenv("TG_TEST_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERR);
	for (size_t i = 0; i < n; i++)
		planned += selected(tests[i].name, argc, argv);
	printf("1..%zu\n", planned);
	for (size_t i = 0; i < n; i++) {
		int err;

		if (!selected(tests[i].name, argc, argv))
			continue;
		num++;
		snprintf(tmpdir, sizeof(tmpdir), "%s/tg-selftest-XXXXXX",
			 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (!mkdtemp(tmpdir)) {
			printf("not ok %zu - %s # cannot make a temporary folder\n", num, tests[i].name);
			failed++;
			continue;
		}
		failures_in_test = 0;
		err = tests[i].fn();
		if (err || failures_in_test) {
			printf("not ok %zu - %s\n", num, tests[i].name);
			failed++;
		} else {
			printf("ok %zu - %s\n", num, tests[i].name);
		}
		nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
	printf("# %zu passed, %d failed\n", num - (size_t)failed, failed);
	return failed ? 1 : 0;
}
