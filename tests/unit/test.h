/*
 * test.h -- the unit-test harness: one selftest binary lists every test in a
 * table (tests/unit/main.c) and prints TAP.  A test returns 0 or an errno;
 * the TEST_* macros record where it failed and jump to the test's out: label.
 */
#ifndef TG_TEST_H
#define TG_TEST_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

void test_fail(const char *file, int line, const char *what);
/* A fresh temporary folder for this test (removed by the runner afterwards). */
const char *test_tmpdir(void);
/* Source tree root (for fixtures). */
const char *test_srcdir(void);
/* The first column of the first row of sql on the database at path, read on
 * a read-only connection of its own; -1 if there is none or on error. */
long long test_query_int(const char *path, const char *sql);

#define TEST_ERR(e) do { if ((e) != 0) { \
	char _m[160]; snprintf(_m, sizeof(_m), "%s = %d (%s)", #e, (int)(e), strerror(e)); \
	test_fail(__FILE__, __LINE__, _m); err = (e) ? (e) : EINVAL; goto out; } } while (0)
#define TEST_ASSERT(c) do { if (!(c)) { \
	test_fail(__FILE__, __LINE__, "assertion failed: " #c); err = EINVAL; goto out; } } while (0)
#define TEST_EQ(exp, act) do { long long _e = (long long)(exp), _a = (long long)(act); \
	if (_e != _a) { char _m[200]; snprintf(_m, sizeof(_m), "%s: expected %lld, got %lld", \
	#act, _e, _a); test_fail(__FILE__, __LINE__, _m); err = EINVAL; goto out; } } while (0)
#define TEST_STREQ(exp, act) do { const char *_e = (exp), *_a = (act); \
	if (!_a || strcmp(_e, _a) != 0) { char _m[400]; snprintf(_m, sizeof(_m), \
	"%s: expected \"%s\", got \"%s\"", #act, _e, _a ? _a : "(null)"); \
	test_fail(__FILE__, __LINE__, _m); err = EINVAL; goto out; } } while (0)
#define TEST_CONTAINS(hay, needle) do { const char *_h = (hay); \
	if (!_h || !strstr(_h, (needle))) { char _m[600]; snprintf(_m, sizeof(_m), \
	"%s: \"%s\" does not contain \"%s\"", #hay, _h ? _h : "(null)", (needle)); \
	test_fail(__FILE__, __LINE__, _m); err = EINVAL; goto out; } } while (0)

#endif
