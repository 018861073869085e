/*
 * test_routing.c -- the routing store (db/routing*.c): a write refused by its
 * whole-configuration check leaves nothing behind, the check sees the change
 * before the commit, deleting something in use names the referrer, and the
 * loader turns stored text into route.h's types.
 *
 * The loader's days/time/failover parsing is route.h's; these tests use plain
 * inputs every implementation parses alike.
 */
#include "config.h"
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sofia-sip/su_alloc.h>

#include "db.h"
#include "route.h"
#include "test.h"
#include "tg.h"

int test_db_routing_write_refused_by_its_check_writes_nothing(void);
int test_db_routing_check_sees_the_change_before_commit(void);
int test_db_routing_delete_in_use_names_the_referrer(void);
int test_db_routing_load_types_the_stored_text(void);
int test_db_analog_ports_positions_conflicts_and_referrers(void);
int test_db_routing_load_refuses_unparseable_stored_days(void);

static int open_fresh(struct db **dbp)
{
	char path[512], msg[DB_ERR_LEN];
	int rc;

	snprintf(path, sizeof(path), "%s/routing.db", test_tmpdir());
	rc = db_open(dbp, path, DB_OPEN_MIGRATE, msg, sizeof(msg));
	if (rc)
		printf("# %s\n", msg);
	return rc;
}

/* Two spans, group "pstn" on the first, group "lync" on the second. */
static int two_groups(struct db *db)
{
	struct db_span sp = { .enabled = true, .driver = "sim", .position = 1, .type = "E1",
			      .framing = "CCS", .line_code = "HDB3", .clock_source = "line",
			      .signalling = "pri", .pri_side = "user", .switch_type = "euroisdn",
			      .hunting = "ascending" };
	struct db_trunk_group g = { .kind = "span", .hunting = "ascending", .nmembers = 1 };
	struct db_routing_write w = { 0 };
	int rc;

	tg_strlcpy(sp.name, "carrier", sizeof(sp.name));
	rc = db_span_create(db, &sp, NULL, NULL);
	sp.position = 2;
	tg_strlcpy(sp.name, "pbx", sizeof(sp.name));
	if (!rc)
		rc = db_span_create(db, &sp, NULL, NULL);
	tg_strlcpy(g.name, "pstn", sizeof(g.name));
	tg_strlcpy(g.members[0].name, "carrier", sizeof(g.members[0].name));
	g.members[0].weight = 1;
	if (!rc)
		rc = db_trunk_group_create(db, &g, &w);
	g.id = 0;
	g.members[0].ref_id = 0;
	tg_strlcpy(g.name, "lync", sizeof(g.name));
	tg_strlcpy(g.members[0].name, "pbx", sizeof(g.members[0].name));
	if (!rc)
		rc = db_trunk_group_create(db, &g, &w);
	return rc;
}

static int refuse(const struct route_config *cfg, void *arg, char *msg, size_t len)
{
	snprintf(msg, len, "number ranges ev-users and other overlap");
	return EINVAL;
}

int test_db_routing_write_refused_by_its_check_writes_nothing(void)
{
	struct db_number_range r = { .first = "+14255550100", .last = "+14255550199",
				     .group = "lync", .name = "ev-users" };
	struct db_routing_write w = { .verify = refuse };
	unsigned long long g0 = 0, g1 = 0;
	long long audits0 = 0, audits1 = 0, n = -1;
	struct db *db = NULL;
	int err;

	err = open_fresh(&db);
	TEST_ERR(err);
	err = two_groups(db);
	TEST_ERR(err);
	TEST_ERR(db_config_generation(db, &g0, NULL));
	TEST_ERR(db_count(db, "audit_log", &audits0));
	TEST_EQ(EINVAL, db_range_create(db, &r, &w));
	TEST_STREQ("", w.field);
	TEST_STREQ("number ranges ev-users and other overlap", w.msg);
	TEST_ERR(db_count(db, "number_ranges", &n));
	TEST_EQ(0, n);
	TEST_ERR(db_config_generation(db, &g1, NULL));
	TEST_EQ(g0, g1);
	TEST_ERR(db_count(db, "audit_log", &audits1));
	TEST_EQ(audits0, audits1);
 out:
	db_close(db);
	return err;
}

struct seen {
	size_t nranges;
	long long group_id;
};

static int look(const struct route_config *cfg, void *arg, char *msg, size_t len)
{
	struct seen *s = arg;

	s->nranges = cfg->nranges;
	s->group_id = cfg->nranges ? cfg->ranges[0].group_id : -1;
	return 0;
}

int test_db_routing_check_sees_the_change_before_commit(void)
{
	struct db_number_range r = { .prefix = "+4930", .group = "lync", .name = "berlin" };
	struct seen seen = { 0 };
	struct db_routing_write w = { .verify = look, .verify_arg = &seen };
	unsigned long long g0 = 0;
	struct db *db = NULL;
	int err;

	err = open_fresh(&db);
	TEST_ERR(err);
	err = two_groups(db);
	TEST_ERR(err);
	TEST_ERR(db_config_generation(db, &g0, NULL));
	err = db_range_create(db, &r, &w);
	TEST_ERR(err);
	TEST_EQ(1, seen.nranges);
	TEST_EQ(2, seen.group_id);      /* lync, resolved inside the transaction */
	TEST_EQ(g0 + 1, w.generation);
 out:
	db_close(db);
	return err;
}

int test_db_routing_delete_in_use_names_the_referrer(void)
{
	struct db_number_range r = { .prefix = "+4930", .group = "lync", .name = "berlin" };
	struct db_route rt = { .name = "berlin-in", .enabled = true, .range = "berlin", .ndests = 1 };
	struct db_routing_write w = { 0 };
	struct db_trunk_group g;
	struct db *db = NULL;
	long long n = 0;
	int err;

	err = open_fresh(&db);
	TEST_ERR(err);
	err = two_groups(db);
	TEST_ERR(err);
	TEST_ERR(db_range_create(db, &r, &w));
	tg_strlcpy(rt.dests[0].group, "pstn", sizeof(rt.dests[0].group));
	TEST_ERR(db_route_create(db, &rt, &w));
	TEST_EQ(EBUSY, db_range_delete(db, r.id, &w));
	TEST_STREQ("number range berlin is used by route berlin-in", w.msg);
	TEST_ERR(db_trunk_group_get(db, "pstn", &g));
	TEST_EQ(EBUSY, db_trunk_group_delete(db, g.id, &w));
	TEST_STREQ("trunk group pstn is used by route berlin-in", w.msg);
	TEST_ERR(db_route_delete(db, rt.id, &w));
	TEST_ERR(db_range_delete(db, r.id, &w));
	TEST_ERR(db_trunk_group_delete(db, g.id, &w));
	TEST_ERR(db_count(db, "trunk_groups", &n));
	TEST_EQ(1, n);
	TEST_EQ(ENOENT, db_route_delete(db, rt.id, &w));
 out:
	db_close(db);
	return err;
}

int test_db_routing_load_types_the_stored_text(void)
{
	struct db_number_range r = { .first = "+14255550100", .last = "+14255550199",
				     .group = "lync", .name = "ev-users" };
	struct db_manip_rule u = { .group = "pstn", .direction = "in", .field = "called",
				   .match = "prefix", .pattern = "425", .prepend = "+1",
				   .set_ton = -1, .set_npi = 1, .presentation = "restricted" };
	struct db_route rt = { .name = "ev-in", .enabled = true, .position = 3,
			       .source_group = "pstn", .range = "ev-users", .days = "mon-fri",
			       .time_from = "08:00", .time_to = "18:30",
			       .survivability_forward = "+18005550100", .ndests = 2 };
	struct db_routing_write w = { 0 };
	const struct route_route *cr;
	struct route_config cfg;
	unsigned long long gen = 0, want = 0;
	char msg[ROUTE_ERR_LEN];
	su_home_t *home = su_home_new(sizeof(*home));
	struct db *db = NULL;
	int err;

	err = open_fresh(&db);
	TEST_ERR(err);
	err = two_groups(db);
	TEST_ERR(err);
	TEST_ERR(db_range_create(db, &r, &w));
	TEST_ERR(db_rule_create(db, &u, &w));
	tg_strlcpy(rt.dests[0].group, "lync", sizeof(rt.dests[0].group));
	tg_strlcpy(rt.dests[0].failover_causes, "34,38,503", sizeof(rt.dests[0].failover_causes));
	tg_strlcpy(rt.dests[1].group, "pstn", sizeof(rt.dests[1].group));
	TEST_ERR(db_route_create(db, &rt, &w));
	TEST_ERR(db_config_generation(db, &want, NULL));
	err = db_routing_load(db, &cfg, home, &gen, msg, sizeof(msg));
	TEST_ERR(err);
	TEST_EQ(want, gen);
	TEST_EQ(2, cfg.ngroups);
	TEST_STREQ("lync", cfg.groups[1].name);
	TEST_EQ(ROUTE_GROUP_SPAN, cfg.groups[1].kind);
	TEST_EQ(1, cfg.nranges);
	TEST_STREQ("+14255550199", cfg.ranges[0].last);
	TEST_STREQ("", cfg.ranges[0].prefix);
	TEST_EQ(2, cfg.ranges[0].group_id);
	TEST_EQ(1, cfg.nrules);
	TEST_EQ(ROUTE_DIR_IN, cfg.rules[0].dir);
	TEST_EQ(ROUTE_MATCH_PREFIX, cfg.rules[0].match);
	TEST_EQ(-1, cfg.rules[0].set_ton);
	TEST_EQ(1, cfg.rules[0].set_npi);
	TEST_EQ(1, cfg.rules[0].presentation);
	TEST_STREQ("+1", cfg.rules[0].prepend);
	TEST_EQ(1, cfg.nroutes);
	cr = &cfg.routes[0];
	TEST_EQ(3, cr->position);
	TEST_EQ(1, cr->source_group_id);
	TEST_EQ(1, cr->range_id);
	TEST_EQ(0x1f, cr->days);        /* Monday..Friday */
	TEST_EQ(8 * 60, cr->time_from);
	TEST_EQ(18 * 60 + 30, cr->time_to);
	TEST_EQ(0, cr->survivability_group_id);
	TEST_STREQ("+18005550100", cr->survivability_forward);
	TEST_EQ(2, cr->ndests);
	TEST_EQ(2, cr->dests[0].group_id);
	TEST_EQ(3, cr->dests[0].nfailover);
	TEST_EQ(503, cr->dests[0].failover[2]);
	TEST_EQ(1, cr->dests[1].group_id);
	TEST_EQ(1, cr->dests[1].position);
	TEST_EQ(0, cr->dests[1].nfailover);     /* '' = no failover (the API's default is its own) */
 out:
	su_home_unref(home);
	db_close(db);
	return err;
}

int test_db_routing_load_refuses_unparseable_stored_days(void)
{
	struct route_config cfg;
	char msg[ROUTE_ERR_LEN];
	su_home_t *home = su_home_new(sizeof(*home));
	struct db *db = NULL;
	int err;

	err = open_fresh(&db);
	TEST_ERR(err);
	err = db_exec_script(db, "INSERT INTO routes (name, days, created_at, updated_at) "
			     "VALUES ('hand-edited', 'someday', 0, 0)", msg, sizeof(msg));
	TEST_ERR(err);
	TEST_EQ(EINVAL, db_routing_load(db, &cfg, home, NULL, msg, sizeof(msg)));
	TEST_CONTAINS(msg, "route hand-edited: days");
 out:
	su_home_unref(home);
	db_close(db);
	return err;
}

/* Analog ports: a position left out is the first free on the driver; a taken
 * name or position is EEXIST naming the field; a port an analog group lists
 * is not deleted (EBUSY naming the group); every write is audited. */
int test_db_analog_ports_positions_conflicts_and_referrers(void)
{
	struct db_analog_port a = { .enabled = true, .driver = "sim", .kind = "fxs", .position = 2 };
	struct db_analog_port b = { .enabled = true, .driver = "sim", .kind = "fxo" };
	struct db_trunk_group g = { .kind = "analog", .hunting = "ascending", .nmembers = 1 };
	struct db_routing_write w = { 0 };
	struct db_analog_port got;
	long long audits0 = 0, audits1 = 0, n = -1;
	struct db *db = NULL;
	int err;

	err = open_fresh(&db);
	TEST_ERR(err);
	TEST_ERR(db_count(db, "audit_log", &audits0));
	tg_strlcpy(a.name, "fax-1", sizeof(a.name));
	TEST_ERR(db_analog_create(db, &a, &w));
	tg_strlcpy(b.name, "line-1", sizeof(b.name));
	TEST_ERR(db_analog_create(db, &b, &w));
	TEST_EQ(1, b.position);                 /* the first free: 2 is fax-1's */
	b.id = 0;
	b.position = 0;
	tg_strlcpy(b.name, "line-2", sizeof(b.name));
	TEST_ERR(db_analog_create(db, &b, &w));
	TEST_EQ(3, b.position);
	b.position = 2;
	TEST_EQ(EEXIST, db_analog_update(db, &b, &w));
	TEST_STREQ("position", w.field);
	TEST_STREQ("position 2 on driver sim is analog port fax-1 already", w.msg);
	b.position = 3;
	tg_strlcpy(b.name, "fax-1", sizeof(b.name));
	TEST_EQ(EEXIST, db_analog_update(db, &b, &w));
	TEST_STREQ("name", w.field);
	TEST_ERR(db_analog_get(db, "line-2", &got));
	TEST_EQ(3, got.position);
	tg_strlcpy(g.name, "faxes", sizeof(g.name));
	tg_strlcpy(g.members[0].name, "fax-1", sizeof(g.members[0].name));
	g.members[0].weight = 1;
	TEST_ERR(db_trunk_group_create(db, &g, &w));
	TEST_EQ(EBUSY, db_analog_delete(db, a.id, &w));
	TEST_STREQ("analog port fax-1 is used by trunk group faxes", w.msg);
	TEST_ERR(db_analog_delete(db, got.id, &w));
	TEST_EQ(ENOENT, db_analog_delete(db, got.id, &w));
	TEST_ERR(db_count(db, "analog_ports", &n));
	TEST_EQ(2, n);
	TEST_ERR(db_count(db, "audit_log", &audits1));
	TEST_EQ(audits0 + 5, audits1);          /* 3 creates, the group, 1 delete */
 out:
	db_close(db);
	return err;
}
