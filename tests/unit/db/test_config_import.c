/*
 * test_config_import.c -- db_config_import: the whole configuration in one
 * transaction (one generation, one audit row); spans and SIP trunks of a
 * name that exists keep their rows, missing ones go; any refused object
 * leaves everything as it was, naming the object and field; a dry run
 * leaves nothing.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "test.h"
#include "tg.h"

int test_db_config_import_replaces_in_one_transaction(void);
int test_db_config_import_refused_changes_nothing(void);

struct doc {
	struct db_span spans[3];
	struct db_sip_trunk trunk;
	struct db_trunk_group groups[2];
	struct db_number_range range;
	struct db_route route;
	struct db_bypass_pair pair;
	struct db_kv settings[1];
	const char *unset[1];
	struct db_config_import c;
};

static void span(struct db_span *sp, const char *name, unsigned position)
{
	*sp = (struct db_span){ .enabled = true, .driver = "sim", .position = position, .type = "E1",
				.framing = "CCS", .line_code = "HDB3", .clock_source = "line",
				.signalling = "pri", .pri_side = "user", .switch_type = "euroisdn",
				.hunting = "ascending", .busy_out_method = "dchan" };
	tg_strlcpy(sp->name, name, sizeof(sp->name));
}

/* carrier, pbx (busied out by the ev group), spare; a SIP trunk with a
 * password; groups carrier (span) and ev (sip); a range and a route to ev;
 * a bypass pair; one setting. */
static struct doc *make_doc(void)
{
	struct doc *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	span(&d->spans[0], "carrier", 1);
	span(&d->spans[1], "pbx", 2);
	tg_strlcpy(d->spans[1].busy_out_group, "ev", sizeof(d->spans[1].busy_out_group));
	span(&d->spans[2], "spare", 3);
	d->trunk = (struct db_sip_trunk){ .enabled = true, .profile = "generic", .transport = "udp",
					  .srtp_mode = "off", .refer_mode = "reject", .nhops = 1,
					  .options_down_after = 3, .options_up_after = 1,
					  .register_expires = 3600 };
	tg_strlcpy(d->trunk.name, "mediation", sizeof(d->trunk.name));
	tg_strlcpy(d->trunk.auth_password, "s3cret", sizeof(d->trunk.auth_password));
	tg_strlcpy(d->trunk.hops[0].host, "127.0.0.1", sizeof(d->trunk.hops[0].host));
	d->groups[0] = (struct db_trunk_group){ .name = "carrier", .kind = "span", .hunting = "ascending",
						.nmembers = 1 };
	tg_strlcpy(d->groups[0].members[0].name, "carrier", sizeof(d->groups[0].members[0].name));
	d->groups[0].members[0].weight = 1;
	d->groups[1] = (struct db_trunk_group){ .name = "ev", .kind = "sip", .hunting = "ascending",
						.nmembers = 1 };
	tg_strlcpy(d->groups[1].members[0].name, "mediation", sizeof(d->groups[1].members[0].name));
	d->groups[1].members[0].weight = 1;
	d->range = (struct db_number_range){ .name = "ev-users", .prefix = "49301001", .group = "ev" };
	d->route = (struct db_route){ .name = "from-carrier", .enabled = true, .source_group = "carrier",
				      .range = "ev-users", .ndests = 1 };
	tg_strlcpy(d->route.dests[0].group, "ev", sizeof(d->route.dests[0].group));
	d->pair = (struct db_bypass_pair){ .name = "relay1", .span_a = "carrier", .span_b = "pbx",
					   .mode = "auto" };
	d->settings[0] = (struct db_kv){ "system_name", "gw-test" };
	d->unset[0] = "location";
	d->c = (struct db_config_import){
		.spans = d->spans, .nspans = 3, .sip_trunks = &d->trunk, .nsip_trunks = 1,
		.groups = d->groups, .ngroups = 2, .ranges = &d->range, .nranges = 1,
		.routes = &d->route, .nroutes = 1, .pairs = &d->pair, .npairs = 1,
		.settings = d->settings, .nsettings = 1, .settings_unset = d->unset, .nunset = 1,
		.summary_json = "{}",
	};
	return d;
}

static int open_db(struct db **dbp, const char *name)
{
	char path[512], msg[DB_ERR_LEN];

	snprintf(path, sizeof(path), "%s/%s.db", test_tmpdir(), name);
	return db_open(dbp, path, DB_OPEN_MIGRATE, msg, sizeof(msg));
}

/* "spans trunks groups ranges rules routes pairs audit generation" */
static void counts(struct db *db, char *buf, size_t len)
{
	static const char *const tables[] = { "spans", "sip_trunks", "trunk_groups", "number_ranges",
					      "manipulation_rules", "routes", "bypass_pairs", "audit_log" };
	unsigned long long gen = 0;
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < TG_ARRAY_SIZE(tables); i++) {
		long long c = -1;

		db_count(db, tables[i], &c);
		n += (size_t)snprintf(buf + n, len - n, "%lld ", c);
	}
	db_config_generation(db, &gen, NULL);
	snprintf(buf + n, len - n, "g%llu", gen);
}

int test_db_config_import_replaces_in_one_transaction(void)
{
	struct db_actor who = { "admin", "" };
	struct db_routing_write w = { .who = &who };
	struct doc *d = make_doc();
	struct db_sip_trunk t;
	struct db_span sp, old;
	struct db *db = NULL;
	char got[128], v[64];
	int err = 0;

	TEST_ASSERT(d);
	TEST_ERR(open_db(&db, "import1"));
	span(&old, "old", 9);
	TEST_ERR(db_span_create(db, &old, &who, NULL));         /* not in the document: goes */
	span(&sp, "pbx", 7);
	TEST_ERR(db_span_create(db, &sp, &who, NULL));          /* in it: keeps its row */
	counts(db, got, sizeof(got));
	TEST_STREQ("2 0 0 0 0 0 0 2 g2", got);

	d->c.dry_run = true;
	TEST_ERR(db_config_import(db, &d->c, &w));
	counts(db, got, sizeof(got));
	TEST_STREQ("2 0 0 0 0 0 0 2 g2", got);                  /* a dry run leaves nothing */

	d->c.dry_run = false;
	TEST_ERR(db_config_import(db, &d->c, &w));
	counts(db, got, sizeof(got));
	TEST_STREQ("3 1 2 1 0 1 1 3 g3", got);                  /* one audit row, one generation */
	TEST_EQ(3ULL, w.generation);
	TEST_ERR(db_span_get(db, "pbx", &sp));
	TEST_EQ(2LL, sp.id);                                    /* the same row, new values */
	TEST_EQ(2U, sp.position);
	TEST_STREQ("ev", sp.busy_out_group);
	TEST_EQ(ENOENT, db_span_get(db, "old", &sp));
	TEST_ERR(db_sip_trunk_get(db, "mediation", &t));
	TEST_STREQ("s3cret", t.auth_password);
	TEST_EQ(1U, t.nhops);
	TEST_ERR(db_setting_get(db, "system_name", v, sizeof(v)));
	TEST_STREQ("gw-test", v);

	/* again, with the spans' positions swapped: no clash on (driver, position) */
	d->spans[0].position = 2;
	d->spans[1].position = 1;
	TEST_ERR(db_config_import(db, &d->c, &w));
	TEST_ERR(db_span_get(db, "pbx", &sp));
	TEST_EQ(2LL, sp.id);
	TEST_EQ(1U, sp.position);
	counts(db, got, sizeof(got));
	TEST_STREQ("3 1 2 1 0 1 1 4 g4", got);
 out:
	db_close(db);
	free(d);
	return err;
}

int test_db_config_import_refused_changes_nothing(void)
{
	struct db_actor who = { "admin", "" };
	struct db_routing_write w = { .who = &who };
	struct doc *d = make_doc();
	struct db *db = NULL;
	char before[128], got[128];
	int err = 0;

	TEST_ASSERT(d);
	TEST_ERR(open_db(&db, "import2"));
	TEST_ERR(db_config_import(db, &d->c, &w));
	counts(db, before, sizeof(before));

	/* the last object written refers to nothing */
	tg_strlcpy(d->pair.span_b, "nosuch", sizeof(d->pair.span_b));
	TEST_EQ(EINVAL, db_config_import(db, &d->c, &w));
	TEST_STREQ("bypass_pairs[0].span_b", w.field);
	counts(db, got, sizeof(got));
	TEST_STREQ(before, got);
	tg_strlcpy(d->pair.span_b, "pbx", sizeof(d->pair.span_b));

	tg_strlcpy(d->route.range, "nosuch", sizeof(d->route.range));
	TEST_EQ(EINVAL, db_config_import(db, &d->c, &w));
	TEST_STREQ("routes[0].range", w.field);
	tg_strlcpy(d->route.range, "ev-users", sizeof(d->route.range));

	tg_strlcpy(d->spans[1].busy_out_group, "nosuch", sizeof(d->spans[1].busy_out_group));
	TEST_EQ(EINVAL, db_config_import(db, &d->c, &w));
	TEST_STREQ("spans[1].busy_out_group", w.field);
	tg_strlcpy(d->spans[1].busy_out_group, "ev", sizeof(d->spans[1].busy_out_group));

	d->spans[2].position = 1;                               /* two spans at sim/1 */
	TEST_EQ(EINVAL, db_config_import(db, &d->c, &w));
	TEST_STREQ("spans[2].position", w.field);
	counts(db, got, sizeof(got));
	TEST_STREQ(before, got);
 out:
	db_close(db);
	free(d);
	return err;
}
