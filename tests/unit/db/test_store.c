/*
 * test_store.c -- the store API: connection settings, settings with audit and
 * generation, users, and the config snapshot built from it.
 */
#include "config.h"
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#include "db.h"
#include "test.h"
#include "tg.h"
#include "tg_config.h"

int test_db_wal_and_foreign_keys_are_on(void);
int test_db_settings_put_audits_and_bumps_generation(void);
int test_db_user_create_rejects_duplicates(void);
int test_db_second_connection_sees_committed_change(void);
int test_config_snapshot_loads_generation_and_settings(void);
int test_db_user_lockout_doubles_and_a_success_clears_it(void);
int test_db_user_changes_keep_an_enabled_admin(void);

static int open_fresh(struct db **dbp, char *path, size_t len)
{
	char msg[DB_ERR_LEN];
	int rc;

	snprintf(path, len, "%s/store.db", test_tmpdir());
	rc = db_open(dbp, path, DB_OPEN_MIGRATE, msg, sizeof(msg));
	if (rc)
		printf("# %s\n", msg);
	return rc;
}

int test_db_wal_and_foreign_keys_are_on(void)
{
	char path[512], msg[DB_ERR_LEN] = "";
	struct db *db = NULL;
	int err, rc;

	err = open_fresh(&db, path, sizeof(path));
	TEST_ERR(err);
	TEST_EQ(1, test_query_int(path, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"));
	/* a member pointing at a span that does not exist violates a foreign key */
	rc = db_exec_script(db, "INSERT INTO trunk_groups (name, kind, created_at, updated_at) "
			    "VALUES ('g', 'span', 0, 0);"
			    "INSERT INTO trunk_group_members (group_id, span_id) VALUES (1, 99);",
			    msg, sizeof(msg));
	TEST_ASSERT(rc != 0);
	TEST_CONTAINS(msg, "FOREIGN KEY");
 out:
	db_close(db);
	return err;
}

int test_db_settings_put_audits_and_bumps_generation(void)
{
	const struct db_kv kv[] = { { "system_name", "gw-berlin-1" }, { "location", "Rack 4" } };
	const struct db_kv kv2[] = { { "location", "Rack \"5\"" } };
	struct db_actor who = { "admin", "127.0.0.1" };
	unsigned long long g0 = 0, g1 = 0, g2 = 0;
	char path[512], v[64];
	struct db *db = NULL;
	long long n;
	int err;

	err = open_fresh(&db, path, sizeof(path));
	TEST_ERR(err);
	err = db_config_generation(db, &g0, NULL);
	TEST_ERR(err);
	err = db_settings_put(db, kv, 2, &who, &g1);
	TEST_ERR(err);
	TEST_EQ(g0 + 1, g1);
	err = db_settings_put(db, kv2, 1, &who, &g2);
	TEST_ERR(err);
	TEST_EQ(g1 + 1, g2);
	err = db_setting_get(db, "location", v, sizeof(v));
	TEST_ERR(err);
	TEST_STREQ("Rack \"5\"", v);
	TEST_EQ(ENOENT, db_setting_get(db, "contact", v, sizeof(v)));
	err = db_count(db, "audit_log", &n);
	TEST_ERR(err);
	TEST_EQ(2, n);
	TEST_EQ(1, test_query_int(path, "SELECT count(*) FROM audit_log WHERE actor = 'admin' AND "
			     "remote = '127.0.0.1' AND before_json = '{\"location\":\"Rack 4\"}' AND "
			     "after_json = '{\"location\":\"Rack \\\"5\\\"\"}'"));
 out:
	db_close(db);
	return err;
}

int test_db_user_create_rejects_duplicates(void)
{
	char path[512];
	struct db *db = NULL;
	struct db_user u;
	int err, rc;

	err = open_fresh(&db, path, sizeof(path));
	TEST_ERR(err);
	err = db_user_create(db, "alice", "$y$a", "operator", true, NULL);
	TEST_ERR(err);
	rc = db_user_create(db, "alice", "$y$b", "viewer", false, NULL);
	TEST_EQ(EEXIST, rc);
	rc = db_user_create(db, "bob", "$y$b", "superuser", false, NULL);   /* role CHECK */
	TEST_EQ(EEXIST, rc);
	err = db_user_get(db, "alice", &u);
	TEST_ERR(err);
	TEST_STREQ("$y$a", u.password_hash);
	TEST_STREQ("operator", u.role);
	TEST_ASSERT(u.must_change_password);
	err = db_user_set_password(db, "alice", "$y$c", NULL);
	TEST_ERR(err);
	err = db_user_get(db, "alice", &u);
	TEST_ERR(err);
	TEST_ASSERT(!u.must_change_password);
	TEST_EQ(ENOENT, db_user_set_password(db, "nobody", "$y$c", NULL));
	TEST_EQ(ENOENT, db_user_get(db, "nobody", &u));
 out:
	db_close(db);
	return err;
}

int test_db_second_connection_sees_committed_change(void)
{
	const struct db_kv kv[] = { { "contact", "noc@example.net" } };
	char path[512], msg[DB_ERR_LEN], v[64];
	struct db *a = NULL, *b = NULL;
	unsigned long long gen = 0, seen = 0;
	int err;

	err = open_fresh(&a, path, sizeof(path));
	TEST_ERR(err);
	err = db_open(&b, path, 0, msg, sizeof(msg));    /* an HTTP thread's connection */
	TEST_ERR(err);
	err = db_settings_put(b, kv, 1, NULL, &gen);
	TEST_ERR(err);
	err = db_config_generation(a, &seen, NULL);
	TEST_ERR(err);
	TEST_EQ(gen, seen);
	err = db_setting_get(a, "contact", v, sizeof(v));
	TEST_ERR(err);
	TEST_STREQ("noc@example.net", v);
 out:
	db_close(a);
	db_close(b);
	return err;
}

int test_config_snapshot_loads_generation_and_settings(void)
{
	const struct db_kv kv[] = { { "system_name", "gw1" } };
	const struct db_kv timers[] = { { "no_answer_timeout", "2" }, { "max_call_duration", "7200" } };
	const struct db_kv bad[] = { { "no_answer_timeout", "3601" } };
	struct tg_config *c1 = NULL, *c2 = NULL;
	char path[512], msg[256];
	struct db *db = NULL;
	unsigned long long gen;
	int err;

	err = open_fresh(&db, path, sizeof(path));
	TEST_ERR(err);
	err = tg_config_load(&c1, db, msg, sizeof(msg));
	TEST_ERR(err);
	TEST_STREQ("", c1->system_name);
	err = db_settings_put(db, kv, 1, NULL, &gen);
	TEST_ERR(err);
	err = tg_config_load(&c2, db, msg, sizeof(msg));
	TEST_ERR(err);
	TEST_EQ(gen, c2->generation);
	TEST_STREQ("gw1", c2->system_name);
	TEST_STREQ("", c1->system_name);                /* the old snapshot is unchanged */
	TEST_ASSERT(c1->generation < c2->generation);
	/* the call timers: defaults while unset, then the stored values */
	TEST_EQ(180, c1->no_answer_timeout_s);
	TEST_EQ(0, c1->max_call_duration_s);
	tg_unref(&c2);
	err = db_settings_put(db, timers, 2, NULL, &gen);
	TEST_ERR(err);
	err = tg_config_load(&c2, db, msg, sizeof(msg));
	TEST_ERR(err);
	TEST_EQ(2, c2->no_answer_timeout_s);
	TEST_EQ(7200, c2->max_call_duration_s);
	TEST_EQ(180, c1->no_answer_timeout_s);
	/* a value the API would never store (a hand-edited database) fails the load */
	tg_unref(&c2);
	err = db_settings_put(db, bad, 1, NULL, &gen);
	TEST_ERR(err);
	TEST_EQ(EINVAL, tg_config_load(&c2, db, msg, sizeof(msg)));
	TEST_CONTAINS(msg, "no_answer_timeout");
 out:
	tg_unref(&c1);
	tg_unref(&c2);
	db_close(db);
	return err;
}

/* The fifth failure in a row locks for 1 minute, each one after doubles it
 * up to 16 minutes; a success clears the count and the lock. */
int test_db_user_lockout_doubles_and_a_success_clears_it(void)
{
	static const long long minutes[] = { 0, 0, 0, 0, 1, 2, 4, 8, 16, 16 };
	char path[512];
	struct db *db = NULL;
	struct db_user u;
	long long until;
	int err;

	err = open_fresh(&db, path, sizeof(path));
	TEST_ERR(err);
	TEST_ERR(db_user_create(db, "alice", "$y$a", "operator", false, NULL));
	for (size_t i = 0; i < TG_ARRAY_SIZE(minutes); i++) {
		long long before = tg_wall_ms(), after;

		TEST_ERR(db_user_note_login(db, "alice", false, &until));
		after = tg_wall_ms();
		if (!minutes[i]) {
			TEST_EQ(0, until);
			continue;
		}
		printf("# failure %zu: locked for %lld ms\n", i + 1, until - before);
		TEST_ASSERT(until >= before + minutes[i] * 60000 && until <= after + minutes[i] * 60000);
	}
	TEST_ERR(db_user_get(db, "alice", &u));
	TEST_EQ(TG_ARRAY_SIZE(minutes), u.failed_logins);
	TEST_ERR(db_user_note_login(db, "alice", true, &until));
	TEST_EQ(0, until);
	TEST_ERR(db_user_get(db, "alice", &u));
	TEST_EQ(0, u.failed_logins);
	TEST_EQ(0, u.locked_until);
	TEST_ASSERT(u.last_login_at > 0);
	TEST_ERR(db_user_note_login(db, "nobody", false, &until));     /* unknown: nothing, no error */
	TEST_EQ(0, until);
 out:
	db_close(db);
	return err;
}

int test_db_user_changes_keep_an_enabled_admin(void)
{
	struct db_user_change demote = { .role = "viewer", .disabled = -1, .must_change_password = -1 };
	struct db_user_change disable = { .disabled = 1, .must_change_password = -1 };
	char path[512];
	struct db *db = NULL;
	struct db_user u;
	int err;

	err = open_fresh(&db, path, sizeof(path));
	TEST_ERR(err);
	TEST_ERR(db_user_create(db, "root", "$y$a", "admin", false, NULL));
	TEST_ERR(db_user_create(db, "ops", "$y$b", "admin", false, NULL));
	TEST_ERR(db_user_update(db, "ops", &disable, NULL));
	TEST_EQ(EBUSY, db_user_update(db, "root", &demote, NULL));
	TEST_EQ(EBUSY, db_user_update(db, "root", &disable, NULL));
	TEST_EQ(EBUSY, db_user_delete(db, "root", NULL));
	TEST_ERR(db_user_get(db, "root", &u));
	TEST_STREQ("admin", u.role);                    /* refused changes left it alone */
	TEST_ASSERT(!u.disabled);
	TEST_ERR(db_user_delete(db, "ops", NULL));
	TEST_EQ(ENOENT, db_user_update(db, "ops", &demote, NULL));
	TEST_EQ(ENOENT, db_user_delete(db, "ops", NULL));
 out:
	db_close(db);
	return err;
}
