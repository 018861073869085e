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

#include "log.h"
#include "test.h"

#define TESTS(X) \
	X(test_conf_file_sets_every_key) \
	X(test_conf_unknown_key_names_file_and_line) \
	X(test_conf_bad_value_names_key_and_expectation) \
	X(test_conf_options_override_file) \
	X(test_conf_demo_uses_demo_state_dir) \
	X(test_conf_missing_explicit_file_is_an_error) \
	X(test_conf_hostport_forms) \
	X(test_conf_args_reject_unknown_and_missing_values) \
	X(test_conf_sighup_rereads_log_level_only) \
	X(test_secret_password_hash_verifies_and_rejects) \
	X(test_secret_generated_password_uses_unambiguous_alphabet) \
	X(test_secret_token_hex_is_random_hex) \
	X(test_secret_equal_compares_whole_strings) \
	X(test_migrate_fresh_database_reaches_latest_schema) \
	X(test_migrate_fixtures_upgrade_and_keep_rows) \
	X(test_migrate_each_older_version_upgrades_with_data) \
	X(test_migrate_refuses_newer_schema_and_leaves_file_untouched) \
	X(test_migrate_refuses_non_database_and_leaves_file_untouched) \
	X(test_migrate_refuses_corrupt_database_and_leaves_file_untouched) \
	X(test_db_wal_and_foreign_keys_are_on) \
	X(test_db_settings_put_audits_and_bumps_generation) \
	X(test_db_user_create_rejects_duplicates) \
	X(test_db_second_connection_sees_committed_change) \
	X(test_config_snapshot_loads_generation_and_settings) \
	X(test_static_serves_files_inside_root) \
	X(test_static_refuses_traversal) \
	X(test_static_refuses_symlink_out_of_root) \
	X(test_static_mime_types)

#define DECLARE(fn) int fn(void);
TESTS(DECLARE)

static const struct {
	const char *name;
	int (*fn)(void);
} tests[] = {
#define ENTRY(fn) { #fn, fn },
	TESTS(ENTRY)
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
