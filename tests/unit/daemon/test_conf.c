/*
 * test_conf.c -- bootstrap file and command-line parsing (daemon/conf.c).
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>

#include "conf.h"
#include "rt.h"
#include "test.h"

int test_conf_file_sets_every_key(void);
int test_conf_unknown_key_names_file_and_line(void);
int test_conf_bad_value_names_key_and_expectation(void);
int test_conf_options_override_file(void);
int test_conf_demo_uses_demo_state_dir(void);
int test_conf_missing_explicit_file_is_an_error(void);
int test_conf_hostport_forms(void);
int test_conf_args_reject_unknown_and_missing_values(void);
int test_conf_sighup_rereads_log_level_only(void);

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return errno;
	fputs(text, f);
	return fclose(f) ? errno : 0;
}

int test_conf_file_sets_every_key(void)
{
	char msg[CONF_ERR_LEN] = "";
	struct conf c;
	int err;

	conf_defaults(&c);
	err = conf_load_text(&c,
		"# comment\n"
		"\n"
		"state_dir = /srv/tg\n"
		"  db=/srv/tg/x.db  \n"
		"web_root = /usr/share/tg/web\n"
		"http = [::1]:8443\n"
		"sip = 192.0.2.1:5068\r\n"
		"log_level = debug\n"
		"http_threads = 8\n"
		"rt_priority = 0\n", "t.conf", msg, sizeof(msg));
	TEST_ERR(err);
	TEST_STREQ("/srv/tg", c.state_dir);
	TEST_STREQ("/srv/tg/x.db", c.db_path);
	TEST_STREQ("/usr/share/tg/web", c.web_root);
	TEST_STREQ("[::1]:8443", c.http);
	TEST_STREQ("192.0.2.1:5068", c.sip);
	TEST_EQ(LOG_LEVEL_DEBUG, c.log_level);
	TEST_EQ(8, c.http_threads);
	TEST_EQ(0, c.rt_priority);                      /* default is RT_PRIORITY_DEFAULT */
 out:
	return err;
}

int test_conf_unknown_key_names_file_and_line(void)
{
	char msg[CONF_ERR_LEN] = "";
	struct conf c;
	int err = 0, rc;

	conf_defaults(&c);
	rc = conf_load_text(&c, "http = 127.0.0.1:80\n\nhtpp = 1\n", "/etc/t.conf", msg, sizeof(msg));
	TEST_EQ(EINVAL, rc);
	TEST_CONTAINS(msg, "/etc/t.conf:3");
	TEST_CONTAINS(msg, "unknown key \"htpp\"");
	rc = conf_load_text(&c, "just words\n", "x.conf", msg, sizeof(msg));
	TEST_EQ(EINVAL, rc);
	TEST_CONTAINS(msg, "x.conf:1: expected \"key = value\"");
 out:
	return err;
}

int test_conf_bad_value_names_key_and_expectation(void)
{
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
		{ "http = 127.0.0.1\n", "http = \"127.0.0.1\": expected ADDRESS:PORT" },
		{ "http = 127.0.0.1:70000\n", "expected ADDRESS:PORT" },
		{ "http = 127.0.0.1:-1\n", "expected ADDRESS:PORT" },
		{ "http = ::1:80\n", "expected ADDRESS:PORT" },
		{ "sip = host:\n", "sip = \"host:\"" },
		{ "log_level = loud\n", "expected err, warn, info or debug" },
		{ "http_threads = 0\n", "a number from 1 to 64" },
		{ "http_threads = 4x\n", "a number from 1 to 64" },
		{ "state_dir =\n", "state_dir = \"\": expected a folder path" },
		{ "rt_priority = 100\n", "rt_priority = \"100\": expected 0 (off) or a SCHED_FIFO" },
		{ "rt_priority = -1\n", "from 1 to 99" },
		{ "rt_priority =\n", "from 1 to 99" },
	};
	char msg[CONF_ERR_LEN];
	struct conf c;
	int err = 0, rc;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		conf_defaults(&c);
		msg[0] = '\0';
		rc = conf_load_text(&c, cases[i].text, "t.conf", msg, sizeof(msg));
		TEST_EQ(EINVAL, rc);
		TEST_CONTAINS(msg, cases[i].want);
		TEST_CONTAINS(msg, "t.conf:1:");
	}
 out:
	return err;
}

int test_conf_options_override_file(void)
{
	char path[512], msg[CONF_ERR_LEN] = "";
	char *argv[] = { "trunkgated", "-c", path, "--http", "127.0.0.1:0", "-l", "warn",
			 "--state-dir", "/tmp/other", "--rt-priority", "20", NULL };
	struct conf_args a;
	struct conf c;
	int err;

	snprintf(path, sizeof(path), "%s/t.conf", test_tmpdir());
	err = write_text(path, "state_dir = /srv/tg\nhttp = 0.0.0.0:8080\nlog_level = debug\n"
			 "sip = 127.0.0.1:5070\nrt_priority = 0\n");
	TEST_ERR(err);
	err = conf_parse_args(&a, 11, argv, msg, sizeof(msg));
	TEST_ERR(err);
	err = conf_resolve(&c, &a, msg, sizeof(msg));
	TEST_ERR(err);
	TEST_STREQ("127.0.0.1:0", c.http);              /* option wins */
	TEST_EQ(LOG_LEVEL_WARN, c.log_level);
	TEST_STREQ("/tmp/other", c.state_dir);
	TEST_STREQ("/tmp/other/trunkgate.db", c.db_path);   /* derived after overrides */
	TEST_STREQ("127.0.0.1:5070", c.sip);            /* file value kept */
	TEST_EQ(20, c.rt_priority);
	TEST_STREQ(path, c.config_file);
 out:
	return err;
}

int test_conf_demo_uses_demo_state_dir(void)
{
	char msg[CONF_ERR_LEN] = "";
	char *argv[] = { "trunkgated", "--demo", NULL };
	struct conf_args a;
	struct conf c;
	int err;

	err = conf_parse_args(&a, 2, argv, msg, sizeof(msg));
	TEST_ERR(err);
	err = conf_resolve(&c, &a, msg, sizeof(msg));
	TEST_ERR(err);
	TEST_ASSERT(c.demo);
	TEST_STREQ(CONF_DEMO_STATE, c.state_dir);
	TEST_STREQ(CONF_DEFAULT_HTTP, c.http);
	TEST_EQ(RT_PRIORITY_DEFAULT, c.rt_priority);
	TEST_STREQ("", c.config_file);                  /* the system file is not read */
 out:
	return err;
}

int test_conf_missing_explicit_file_is_an_error(void)
{
	char msg[CONF_ERR_LEN] = "";
	char *argv[] = { "trunkgated", "--config", "/nonexistent/trunkgate.conf", NULL };
	struct conf_args a;
	struct conf c;
	int err, rc;

	err = conf_parse_args(&a, 3, argv, msg, sizeof(msg));
	TEST_ERR(err);
	rc = conf_resolve(&c, &a, msg, sizeof(msg));
	TEST_EQ(ENOENT, rc);
	TEST_CONTAINS(msg, "/nonexistent/trunkgate.conf");
 out:
	return err;
}

int test_conf_hostport_forms(void)
{
	static const struct {
		const char *in;
		int rc;
		const char *host;
		unsigned port;
	} cases[] = {
		{ "127.0.0.1:8080", 0, "127.0.0.1", 8080 },
		{ "[::1]:443", 0, "::1", 443 },
		{ ":5060", 0, "", 5060 },
		{ "*:5060", 0, "", 5060 },
		{ "gw.example.net:0", 0, "gw.example.net", 0 },
		{ "127.0.0.1", EINVAL, NULL, 0 },
		{ "::1:80", EINVAL, NULL, 0 },
		{ "[::1]80", EINVAL, NULL, 0 },
		{ "host:65536", EINVAL, NULL, 0 },
		{ "host:+5", EINVAL, NULL, 0 },
		{ "host:5x", EINVAL, NULL, 0 },
	};
	char host[64];
	unsigned port;
	int err = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = conf_split_hostport(cases[i].in, host, sizeof(host), &port);

		if (rc != cases[i].rc)
			printf("# case %s\n", cases[i].in);
		TEST_EQ(cases[i].rc, rc);
		if (rc == 0) {
			TEST_STREQ(cases[i].host, host);
			TEST_EQ(cases[i].port, port);
		}
	}
 out:
	return err;
}

int test_conf_args_reject_unknown_and_missing_values(void)
{
	char msg[CONF_ERR_LEN] = "";
	char *bad[] = { "trunkgated", "--frobnicate", NULL };
	char *missing[] = { "trunkgated", "--http", NULL };
	char *extra[] = { "trunkgated", "stray", NULL };
	char *ok[] = { "trunkgated", "-V", "--demo", "--sip", "127.0.0.1:5099", NULL };
	struct conf_args a;
	int err = 0, rc;

	rc = conf_parse_args(&a, 2, bad, msg, sizeof(msg));
	TEST_EQ(EINVAL, rc);
	TEST_CONTAINS(msg, "unknown option --frobnicate");
	rc = conf_parse_args(&a, 2, missing, msg, sizeof(msg));
	TEST_EQ(EINVAL, rc);
	TEST_CONTAINS(msg, "--http needs a value");
	rc = conf_parse_args(&a, 2, extra, msg, sizeof(msg));
	TEST_EQ(EINVAL, rc);
	TEST_CONTAINS(msg, "stray");
	rc = conf_parse_args(&a, 5, ok, msg, sizeof(msg));
	TEST_ERR(rc);
	TEST_ASSERT(a.version && a.demo);
	TEST_STREQ("127.0.0.1:5099", a.sip);
 out:
	return err;
}

int test_conf_sighup_rereads_log_level_only(void)
{
	char path[512], msg[CONF_ERR_LEN] = "";
	char *argv[] = { "trunkgated", "-c", path, NULL };
	char *argv_forced[] = { "trunkgated", "-c", path, "--log-level", "err", NULL };
	enum log_level lvl;
	struct conf_args a;
	struct conf c;
	int err;

	snprintf(path, sizeof(path), "%s/t.conf", test_tmpdir());
	err = write_text(path, "log_level = info\nhttp = 127.0.0.1:1\n");
	TEST_ERR(err);
	err = conf_parse_args(&a, 3, argv, msg, sizeof(msg));
	TEST_ERR(err);
	err = conf_resolve(&c, &a, msg, sizeof(msg));
	TEST_ERR(err);
	err = write_text(path, "log_level = debug\nhttp = 127.0.0.1:2\n");
	TEST_ERR(err);
	err = conf_reload_log_level(&c, &a, &lvl, msg, sizeof(msg));
	TEST_ERR(err);
	TEST_EQ(LOG_LEVEL_DEBUG, lvl);
	TEST_STREQ("127.0.0.1:1", c.http);              /* nothing else changes */
	/* an explicit --log-level keeps winning over the file */
	err = conf_parse_args(&a, 5, argv_forced, msg, sizeof(msg));
	TEST_ERR(err);
	err = conf_reload_log_level(&c, &a, &lvl, msg, sizeof(msg));
	TEST_ERR(err);
	TEST_EQ(LOG_LEVEL_ERR, lvl);
 out:
	return err;
}
