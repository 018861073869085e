/*
 * test_presets.c -- deployment presets (db/presets.c): the plan each preset
 * makes from its answers, table-driven, including every refused answer; and
 * applying one: the routing it writes decides calls as the deployment says,
 * in one generation, and a refused one (a span that does not exist) leaves
 * nothing behind.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sofia-sip/su_alloc.h>

#include "db.h"
#include "route.h"
#include "test.h"
#include "tg.h"

int test_db_preset_plans(void);
int test_db_preset_apply_routes_as_the_deployment_says(void);
int test_db_preset_refused_midway_writes_nothing(void);

/* The answers most cases start from: EV in front of the PBX. */
static void front(struct db_preset *a)
{
	memset(a, 0, sizeof(*a));
	tg_strlcpy(a->preset, "ev-in-front-of-pbx", sizeof(a->preset));
	tg_strlcpy(a->carrier_span, "carrier", sizeof(a->carrier_span));
	tg_strlcpy(a->pbx_span, "pbx", sizeof(a->pbx_span));
	tg_strlcpy(a->sip_trunk, "mediation", sizeof(a->sip_trunk));
	tg_strlcpy(a->sip_host, "10.0.0.5", sizeof(a->sip_host));
	tg_strlcpy(a->ev_range.prefix, "49301001", sizeof(a->ev_range.prefix));
	tg_strlcpy(a->pbx_range.prefix, "49301002", sizeof(a->pbx_range.prefix));
	tg_strlcpy(a->survivability, "pbx", sizeof(a->survivability));
	a->sip_e164_plus = true;
}

/* A plan in one line: groups; ranges; rules; routes "name:src:range>dest[/surv]"
 * (dest "*": a range owner route). */
static void summary(const struct db_preset_plan *p, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < p->ngroups; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s=%s", i ? "," : "", p->groups[i].name,
				      p->groups[i].members[0].name);
	n += (size_t)snprintf(buf + n, len - n, ";");
	for (unsigned i = 0; i < p->nranges; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s>%s", i ? "," : "", p->ranges[i].name,
				      p->ranges[i].group);
	n += (size_t)snprintf(buf + n, len - n, ";%u;", p->nrules);
	for (unsigned i = 0; i < p->nroutes; i++) {
		const struct db_route *r = &p->routes[i];

		n += (size_t)snprintf(buf + n, len - n, "%s%s:%s:%s>%s%s%s", i ? "," : "", r->name,
				      r->source_group, r->range, r->ndests ? r->dests[0].group : "*",
				      r->survivability_group[0] || r->survivability_forward[0] ? "/" : "",
				      r->survivability_group[0] ? r->survivability_group :
				      r->survivability_forward);
	}
}

enum change { NONE, NO_CARRIER, NO_PBX, NO_EV, NO_PBXR, PLUS_RANGE, SURV_NONE, SURV_NUMBER,
	      SURV_BAD, BEHIND, BEHIND_WITH_CARRIER, VOIP, VOIP_RANGE, VOIP_WITH_PBX, SAME_SPAN,
	      UNKNOWN, NO_PLUS, NO_TRUNK_NAME };

static void change(struct db_preset *a, enum change c)
{
	front(a);
	switch (c) {
	case NONE: break;
	case NO_CARRIER: a->carrier_span[0] = '\0'; break;
	case NO_PBX: a->pbx_span[0] = '\0'; break;
	case NO_EV: a->ev_range.prefix[0] = '\0'; break;
	case NO_PBXR: a->pbx_range.prefix[0] = '\0'; break;
	case PLUS_RANGE: tg_strlcpy(a->ev_range.prefix, "+49301001", sizeof(a->ev_range.prefix)); break;
	case SURV_NONE: tg_strlcpy(a->survivability, "none", sizeof(a->survivability)); break;
	case SURV_NUMBER: tg_strlcpy(a->survivability, "4930100999", sizeof(a->survivability)); break;
	case SURV_BAD: tg_strlcpy(a->survivability, "voicemail", sizeof(a->survivability)); break;
	case BEHIND:
	case BEHIND_WITH_CARRIER:
		tg_strlcpy(a->preset, "ev-behind-pbx", sizeof(a->preset));
		if (c == BEHIND)
			a->carrier_span[0] = '\0';
		a->pbx_range.prefix[0] = '\0';
		break;
	case VOIP:
	case VOIP_RANGE:
	case VOIP_WITH_PBX:
		tg_strlcpy(a->preset, "voip-only", sizeof(a->preset));
		if (c != VOIP_WITH_PBX)
			a->pbx_span[0] = '\0';
		a->pbx_range.prefix[0] = '\0';
		if (c == VOIP)
			a->ev_range.prefix[0] = '\0';
		tg_strlcpy(a->survivability, "none", sizeof(a->survivability));
		break;
	case SAME_SPAN: tg_strlcpy(a->pbx_span, "carrier", sizeof(a->pbx_span)); break;
	case UNKNOWN: tg_strlcpy(a->preset, "pbx-only", sizeof(a->preset)); break;
	case NO_PLUS: a->sip_e164_plus = false; break;
	case NO_TRUNK_NAME: a->sip_trunk[0] = '\0'; break;
	}
}

#define FRONT_ROUTES "from-carrier:carrier:>*/pbx,from-pbx:pbx:>*,from-ev:ev:>*," \
	"pbx-to-pstn:pbx:>carrier,ev-to-pstn:ev:>carrier"

static const struct {
	enum change c;
	const char *field;              /* refused: the answer named; NULL: accepted */
	const char *plan;               /* accepted: summary() */
} cases[] = {
	{ NONE, NULL, "carrier=carrier,pbx=pbx,ev=mediation;ev-users>ev,pbx-users>pbx;4;" FRONT_ROUTES },
	{ NO_PLUS, NULL, "carrier=carrier,pbx=pbx,ev=mediation;ev-users>ev,pbx-users>pbx;0;" FRONT_ROUTES },
	{ SURV_NONE, NULL, "carrier=carrier,pbx=pbx,ev=mediation;ev-users>ev,pbx-users>pbx;4;"
	  "from-carrier:carrier:>*,from-pbx:pbx:>*,from-ev:ev:>*,"
	  "pbx-to-pstn:pbx:>carrier,ev-to-pstn:ev:>carrier" },
	{ SURV_NUMBER, NULL, "carrier=carrier,pbx=pbx,ev=mediation;ev-users>ev,pbx-users>pbx;4;"
	  "from-carrier:carrier:>*/4930100999,from-pbx:pbx:>*,from-ev:ev:>*,"
	  "pbx-to-pstn:pbx:>carrier,ev-to-pstn:ev:>carrier" },
	{ BEHIND, NULL, "pbx=pbx,ev=mediation;ev-users>ev;4;from-pbx:pbx:>*,ev-to-pbx:ev:>pbx" },
	{ VOIP, NULL, "carrier=carrier,ev=mediation;;4;carrier-to-ev:carrier:>ev,ev-to-pstn:ev:>carrier" },
	{ VOIP_RANGE, NULL, "carrier=carrier,ev=mediation;ev-users>ev;4;"
	  "from-carrier:carrier:>*,ev-to-pstn:ev:>carrier" },
	{ NO_CARRIER, "carrier_span", NULL },
	{ NO_PBX, "pbx_span", NULL },
	{ NO_EV, "ev_range", NULL },
	{ NO_PBXR, "pbx_range", NULL },
	{ PLUS_RANGE, "ev_range", NULL },
	{ SURV_BAD, "survivability", NULL },
	{ BEHIND_WITH_CARRIER, "carrier_span", NULL },
	{ VOIP_WITH_PBX, "pbx_span", NULL },
	{ SAME_SPAN, "pbx_span", NULL },
	{ UNKNOWN, "preset", NULL },
	{ NO_TRUNK_NAME, "sip_trunk", NULL },
};

int test_db_preset_plans(void)
{
	struct db_preset_plan *p = malloc(sizeof(*p));
	char field[48], msg[300], got[1024];
	struct db_preset a;
	int err = 0;

	TEST_ASSERT(p);
	for (size_t i = 0; i < TG_ARRAY_SIZE(cases); i++) {
		int rc;

		change(&a, cases[i].c);
		field[0] = msg[0] = '\0';
		rc = db_preset_plan(&a, p, field, sizeof(field), msg, sizeof(msg));
		printf("# case %zu: rc %d field \"%s\" %s\n", i, rc, field, msg);
		if (cases[i].field) {
			TEST_EQ(EINVAL, rc);
			TEST_STREQ(cases[i].field, field);
			TEST_ASSERT(!strncmp(msg, field, strlen(field)));      /* the message names it */
		} else {
			TEST_EQ(0, rc);
			summary(p, got, sizeof(got));
			TEST_STREQ(cases[i].plan, got);
		}
	}
 out:
	free(p);
	return err;
}

static int open_with_spans(struct db **dbp, bool pbx)
{
	struct db_span sp = { .enabled = true, .driver = "sim", .position = 1, .type = "E1",
			      .framing = "CCS", .line_code = "HDB3", .clock_source = "line",
			      .signalling = "pri", .pri_side = "user", .switch_type = "euroisdn",
			      .hunting = "ascending", .name = "carrier" };
	char path[512], msg[DB_ERR_LEN];
	int rc;

	snprintf(path, sizeof(path), "%s/presets.db", test_tmpdir());
	rc = db_open(dbp, path, DB_OPEN_MIGRATE, msg, sizeof(msg));
	if (!rc)
		rc = db_span_create(*dbp, &sp, NULL, NULL);
	sp.position = 2;
	tg_strlcpy(sp.name, "pbx", sizeof(sp.name));
	if (!rc && pbx)
		rc = db_span_create(*dbp, &sp, NULL, NULL);
	return rc;
}

static long long group_id(const struct route_config *c, const char *name)
{
	for (size_t i = 0; i < c->ngroups; i++)
		if (!strcmp(c->groups[i].name, name))
			return c->groups[i].id;
	return 0;
}

/* Where a call from `src` to `called` goes: "group called", or "cause N". */
static void decide(struct route_table *t, long long src, const char *called, const long long *down,
		   size_t ndown, char *out, size_t len)
{
	struct route_decision *d = calloc(1, sizeof(*d));
	struct route_query q = { .source_group_id = src, .weekday = 1, .minute = 600,
				 .down_groups = down, .ndown = ndown };

	tg_strlcpy(q.called.digits, called, sizeof(q.called.digits));
	tg_strlcpy(q.calling.digits, "4930555123", sizeof(q.calling.digits));
	route_decide(t, &q, d);
	if (d->outcome == ROUTE_OK && d->ntargets)
		snprintf(out, len, "%s %s", d->targets[0].group_name, d->targets[0].called.digits);
	else
		snprintf(out, len, "cause %d", d->cause);
	free(d);
}

int test_db_preset_apply_routes_as_the_deployment_says(void)
{
	struct db_preset_plan *p = malloc(sizeof(*p));
	struct db_routing_write w = { 0 };
	struct route_table *t = NULL;
	struct route_config cfg;
	unsigned long long g0 = 0, g1 = 0;
	char field[48], msg[300], got[128];
	su_home_t *home = su_home_new(sizeof(*home));
	struct db *db = NULL;
	struct db_preset a;
	long long carrier, pbx, ev, n = -1;
	int err;

	TEST_ASSERT(p && home);
	err = open_with_spans(&db, true);
	TEST_ERR(err);
	front(&a);
	TEST_ERR(db_preset_plan(&a, p, field, sizeof(field), msg, sizeof(msg)));
	TEST_ERR(db_config_generation(db, &g0, NULL));
	a.dry_run = true;               /* checks all of it, leaves nothing */
	TEST_ERR(db_preset_apply(db, &a, p, "{}", &w));
	TEST_ERR(db_config_generation(db, &g1, NULL));
	TEST_EQ(g0, g1);
	TEST_ERR(db_count(db, "routes", &n));
	TEST_EQ(0, n);
	a.dry_run = false;
	TEST_ERR(db_preset_apply(db, &a, p, "{}", &w));
	TEST_ERR(db_config_generation(db, &g1, NULL));
	TEST_EQ(g0 + 1, g1);
	TEST_EQ(g1, w.generation);
	TEST_ERR(db_routing_load(db, &cfg, home, NULL, msg, sizeof(msg)));
	TEST_ERR(route_table_build(&t, &cfg, msg, sizeof(msg)));
	carrier = group_id(&cfg, "carrier");
	pbx = group_id(&cfg, "pbx");
	ev = group_id(&cfg, "ev");
	TEST_ASSERT(carrier && pbx && ev);
	decide(t, carrier, "4930100234", NULL, 0, got, sizeof(got));
	TEST_STREQ("pbx 4930100234", got);
	decide(t, carrier, "4930100111", NULL, 0, got, sizeof(got));
	TEST_STREQ("ev +4930100111", got);
	decide(t, carrier, "4930100111", &ev, 1, got, sizeof(got));
	TEST_STREQ("pbx 4930100111", got);                     /* survivability */
	decide(t, carrier, "4940123456", NULL, 0, got, sizeof(got));
	TEST_STREQ("cause 1", got);                             /* not ours: unallocated */
	decide(t, pbx, "030555123", NULL, 0, got, sizeof(got));
	TEST_STREQ("carrier 030555123", got);
	decide(t, pbx, "4930100111", NULL, 0, got, sizeof(got));
	TEST_STREQ("ev +4930100111", got);
	decide(t, ev, "+4930100234", NULL, 0, got, sizeof(got));
	TEST_STREQ("pbx 4930100234", got);
	decide(t, ev, "+4940123456", NULL, 0, got, sizeof(got));
	TEST_STREQ("carrier 4940123456", got);
	/* moving a department: the PBX range given to ev moves its calls from every side */
	{
		struct db_number_range nr;

		TEST_ERR(db_range_get(db, "pbx-users", &nr));
		tg_strlcpy(nr.group, "ev", sizeof(nr.group));
		w = (struct db_routing_write){ 0 };
		TEST_ERR(db_range_update(db, &nr, &w));
		route_table_unref(t);
		t = NULL;
		TEST_ERR(db_routing_load(db, &cfg, home, NULL, msg, sizeof(msg)));
		TEST_ERR(route_table_build(&t, &cfg, msg, sizeof(msg)));
		decide(t, carrier, "4930100234", NULL, 0, got, sizeof(got));
		TEST_STREQ("ev +4930100234", got);
		decide(t, pbx, "4930100234", NULL, 0, got, sizeof(got));
		TEST_STREQ("ev +4930100234", got);
	}
	/* a second preset needs replace */
	w = (struct db_routing_write){ 0 };
	TEST_EQ(EEXIST, db_preset_apply(db, &a, p, "{}", &w));
	TEST_CONTAINS(w.msg, "replace");
	a.replace = true;
	TEST_ERR(db_preset_apply(db, &a, p, "{}", &w));
 out:
	route_table_unref(t);
	su_home_unref(home);
	db_close(db);
	free(p);
	return err;
}

int test_db_preset_refused_midway_writes_nothing(void)
{
	static const char *const tables[] = { "sip_trunks", "trunk_groups", "number_ranges", "routes" };
	struct db_preset_plan *p = malloc(sizeof(*p));
	struct db_routing_write w = { 0 };
	unsigned long long g0 = 0, g1 = 0;
	char field[48], msg[300];
	struct db *db = NULL;
	struct db_preset a;
	long long n = -1;
	int err;

	TEST_ASSERT(p);
	err = open_with_spans(&db, false);     /* no span "pbx" */
	TEST_ERR(err);
	front(&a);
	TEST_ERR(db_preset_plan(&a, p, field, sizeof(field), msg, sizeof(msg)));
	TEST_ERR(db_config_generation(db, &g0, NULL));
	TEST_EQ(EINVAL, db_preset_apply(db, &a, p, "{}", &w));
	TEST_STREQ("pbx_span", w.field);
	TEST_ERR(db_config_generation(db, &g1, NULL));
	TEST_EQ(g0, g1);
	for (size_t i = 0; i < TG_ARRAY_SIZE(tables); i++) {
		TEST_ERR(db_count(db, tables[i], &n));
		TEST_EQ(0, n);
	}
 out:
	db_close(db);
	free(p);
	return err;
}
