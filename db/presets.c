/*
 * presets.c -- deployment presets: a coherent starting configuration (trunk
 * groups, a SIP trunk, number ranges, manipulation rules, routes) for each
 * of the deployments in ARCHITECTURE.md, made from a few answers and written
 * in one transaction.
 *
 * db_preset_plan() is pure: it turns the answers into the objects (tests
 * look at the plan without a database).  db_preset_apply() writes the plan
 * with the same row writers the REST API's single-object writes use, runs
 * the routing check on the result (overlapping ranges, rules that do not
 * compile...), writes one audit row and bumps the generation once: the
 * daemon swaps the whole new routing in at once, or nothing changes.
 *
 * The three presets (names as the API takes them):
 *
 *   ev-in-front-of-pbx  carrier span + PBX span + SIP trunk.  Calls from any
 *                       side to a number in a range go to the range's owner
 *                       (EV range: the SIP trunk; PBX range: the PBX span),
 *                       so PBX <-> EV calls cross the gateway and moving a
 *                       department is giving its range to the other group;
 *                       PBX and EV calls to anything else go to the carrier.
 *   ev-behind-pbx       PBX span + SIP trunk (the PBX keeps the carrier).
 *                       PBX calls to the EV range go to the SIP trunk;
 *                       every other EV call goes to the PBX (PSTN through it).
 *   voip-only           SIP trunk + a small PSTN span: carrier calls to the
 *                       EV range (or any number, when no range is given) go
 *                       to the SIP trunk; EV calls go to the carrier.
 *
 * Numbers: with sip_e164_plus (the default) the SIP side sees E.164 numbers
 * with a leading + (as Lync's Direct SIP expects) and the spans see the same
 * digits without it; ranges are then given as the spans see them.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_int.h"

static const struct {
	const char *name, *title;
	bool carrier, pbx;              /* which spans it needs */
} presets[] = {
	{ "ev-in-front-of-pbx", "Enterprise Voice in front of the PBX", true, true },
	{ "ev-behind-pbx", "Enterprise Voice behind the PBX", false, true },
	{ "voip-only", "VoIP-only site", true, false },
};

const char *db_preset_title(const char *name)
{
	for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
		if (!strcmp(presets[i].name, name))
			return presets[i].title;
	return NULL;
}

const char *db_preset_name(unsigned i)
{
	return i < sizeof(presets) / sizeof(presets[0]) ? presets[i].name : NULL;
}

static int bad(char *field, size_t flen, char *msg, size_t mlen, const char *f, const char *m)
{
	snprintf(field, flen, "%s", f);
	snprintf(msg, mlen, "%s: %s", f, m);
	return EINVAL;
}

static bool range_given(const struct db_preset_range *r)
{
	return r->prefix[0] || r->first[0];
}

static bool range_has_plus(const struct db_preset_range *r)
{
	return r->prefix[0] == '+' || r->first[0] == '+';
}

static struct db_trunk_group *add_group(struct db_preset_plan *p, const char *name,
					const char *kind, const char *hunting, const char *member)
{
	struct db_trunk_group *g = &p->groups[p->ngroups++];

	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", name);
	snprintf(g->kind, sizeof(g->kind), "%s", kind);
	snprintf(g->hunting, sizeof(g->hunting), "%s", hunting);
	g->nmembers = 1;
	g->members[0].weight = 1;       /* as the API's default: 0 is not a weight it takes */
	snprintf(g->members[0].name, sizeof(g->members[0].name), "%s", member);
	return g;
}

static void add_range(struct db_preset_plan *p, const char *name, const struct db_preset_range *r,
		      const char *group, const char *description)
{
	struct db_number_range *n = &p->ranges[p->nranges++];

	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	snprintf(n->first, sizeof(n->first), "%s", r->first);
	snprintf(n->last, sizeof(n->last), "%s", r->last);
	snprintf(n->prefix, sizeof(n->prefix), "%s", r->prefix);
	snprintf(n->group, sizeof(n->group), "%s", group);
	snprintf(n->description, sizeof(n->description), "%s", description);
}

/* A route from `source` for `range` ("" = any number) to `dest`; dest NULL
 * makes a range owner route: each called number goes to whichever group
 * owns the range it is in, so moving a department is editing its range. */
static struct db_route *add_route(struct db_preset_plan *p, const char *name, const char *source,
				  const char *range, const char *dest)
{
	struct db_route *r = &p->routes[p->nroutes];

	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->enabled = true;
	r->position = p->nroutes++;
	snprintf(r->source_group, sizeof(r->source_group), "%s", source);
	snprintf(r->range, sizeof(r->range), "%s", range);
	if (!dest)
		return r;
	r->ndests = 1;
	snprintf(r->dests[0].group, sizeof(r->dests[0].group), "%s", dest);
	/* Q.850 34/38/41/42/44 and SIP 408/480/500/503: the usual "try elsewhere" set */
	snprintf(r->dests[0].failover_causes, sizeof(r->dests[0].failover_causes),
		 "34,38,41,42,44,408,480,500,503");
	return r;
}

static void add_rule(struct db_preset_plan *p, const char *group, const char *dir,
		     const char *field, const char *match, const char *pattern,
		     const char *replacement, unsigned strip, const char *description)
{
	struct db_manip_rule *r = &p->rules[p->nrules];

	memset(r, 0, sizeof(*r));
	snprintf(r->group, sizeof(r->group), "%s", group);
	snprintf(r->direction, sizeof(r->direction), "%s", dir);
	snprintf(r->field, sizeof(r->field), "%s", field);
	r->position = p->nrules++;
	snprintf(r->match, sizeof(r->match), "%s", match);
	snprintf(r->pattern, sizeof(r->pattern), "%s", pattern);
	snprintf(r->replacement, sizeof(r->replacement), "%s", replacement);
	r->strip = strip;
	r->set_ton = r->set_npi = -1;
	snprintf(r->description, sizeof(r->description), "%s", description);
}

/* The SIP side in E.164 with +: strip it coming in, add it going out. */
static void add_plus_rules(struct db_preset_plan *p, const char *group)
{
	static const char *const fields[] = { "called", "calling" };

	for (size_t i = 0; i < 2; i++) {
		add_rule(p, group, "in", fields[i], "prefix", "+", "", 1,
			 "preset: the spans see E.164 digits without +");
		add_rule(p, group, "out", fields[i], "regex", "^([0-9]+)$", "+$1", 0,
			 "preset: the SIP side sees E.164 with +");
	}
}

int db_preset_plan(const struct db_preset *a, struct db_preset_plan *p, char *field, size_t flen,
		   char *msg, size_t mlen)
{
	const char *surv_group = "";
	struct db_route *surv = NULL;
	bool need_carrier = false, need_pbx = false, known = false;
	bool front, behind;

	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
		if (!strcmp(presets[i].name, a->preset)) {
			known = true;
			need_carrier = presets[i].carrier;
			need_pbx = presets[i].pbx;
		}
	if (!known)
		return bad(field, flen, msg, mlen, "preset",
			   "must be ev-in-front-of-pbx, ev-behind-pbx or voip-only");
	front = !strcmp(a->preset, "ev-in-front-of-pbx");
	behind = !strcmp(a->preset, "ev-behind-pbx");
	if (need_carrier && !a->carrier_span[0])
		return bad(field, flen, msg, mlen, "carrier_span", "this preset needs the carrier's span");
	if (!need_carrier && a->carrier_span[0])
		return bad(field, flen, msg, mlen, "carrier_span",
			   "not used by this preset (the PBX keeps the carrier)");
	if (need_pbx && !a->pbx_span[0])
		return bad(field, flen, msg, mlen, "pbx_span", "this preset needs the PBX's span");
	if (!need_pbx && a->pbx_span[0])
		return bad(field, flen, msg, mlen, "pbx_span", "not used by this preset");
	if (a->carrier_span[0] && !strcmp(a->carrier_span, a->pbx_span))
		return bad(field, flen, msg, mlen, "pbx_span", "must differ from carrier_span");
	if (!a->sip_trunk[0])
		return bad(field, flen, msg, mlen, "sip_trunk", "a name for the SIP trunk is required");
	if ((front || behind) && !range_given(&a->ev_range))
		return bad(field, flen, msg, mlen, "ev_range", "this preset needs the Enterprise Voice users' range");
	if (front && !range_given(&a->pbx_range))
		return bad(field, flen, msg, mlen, "pbx_range", "this preset needs the PBX users' range");
	if (!front && range_given(&a->pbx_range))
		return bad(field, flen, msg, mlen, "pbx_range",
			   "not used by this preset (the PBX's numbers are everything else)");
	if (a->sip_e164_plus && (range_has_plus(&a->ev_range) || range_has_plus(&a->pbx_range)))
		return bad(field, flen, msg, mlen, range_has_plus(&a->ev_range) ? "ev_range" : "pbx_range",
			   "with sip_e164_plus give ranges as the spans see them, without +");
	if (!strcmp(a->survivability, "pbx")) {
		if (!a->pbx_span[0])
			return bad(field, flen, msg, mlen, "survivability", "\"pbx\" needs a PBX span");
		surv_group = "pbx";
	} else if (a->survivability[0] && strcmp(a->survivability, "none") &&
		   (a->survivability[0] == '+' || (a->survivability[0] >= '0' && a->survivability[0] <= '9'))) {
		/* a number to forward to: checked as a route field by the writer */
	} else if (a->survivability[0] && strcmp(a->survivability, "none")) {
		return bad(field, flen, msg, mlen, "survivability", "must be \"pbx\", \"none\" or a number");
	}

	/* groups: carrier, pbx, ev */
	if (a->carrier_span[0])
		add_group(p, "carrier", "span", "ascending", a->carrier_span);
	if (a->pbx_span[0])
		add_group(p, "pbx", "span", "descending", a->pbx_span);
	add_group(p, "ev", "sip", "ascending", a->sip_trunk);
	if (a->sip_e164_plus)
		add_plus_rules(p, "ev");

	if (range_given(&a->ev_range))
		add_range(p, "ev-users", &a->ev_range, "ev", "preset: Enterprise Voice users");
	if (range_given(&a->pbx_range))
		add_range(p, "pbx-users", &a->pbx_range, "pbx", "preset: the PBX's users");

	/* Calls from a side to numbers in ranges go to the range's owner (owner
	 * routes); anything else a user side dials goes out to the PSTN. */
	if (front) {
		surv = add_route(p, "from-carrier", "carrier", "", NULL);
		add_route(p, "from-pbx", "pbx", "", NULL);
		add_route(p, "from-ev", "ev", "", NULL);
		add_route(p, "pbx-to-pstn", "pbx", "", "carrier");
		add_route(p, "ev-to-pstn", "ev", "", "carrier");
	} else if (behind) {
		add_route(p, "from-pbx", "pbx", "", NULL);
		add_route(p, "ev-to-pbx", "ev", "", "pbx");
	} else {
		surv = range_given(&a->ev_range) ? add_route(p, "from-carrier", "carrier", "", NULL) :
			add_route(p, "carrier-to-ev", "carrier", "", "ev");
		add_route(p, "ev-to-pstn", "ev", "", "carrier");
	}
	/* the survivability alternative where PSTN calls come in: while the ev
	 * group is down its users' calls go to the PBX (or a number) */
	if (surv && surv_group[0])
		snprintf(surv->survivability_group, sizeof(surv->survivability_group), "%s", surv_group);
	else if (surv && strcmp(a->survivability, "none") && a->survivability[0])
		snprintf(surv->survivability_forward, sizeof(surv->survivability_forward), "%s",
			 a->survivability);
	return 0;
}

/* ---- writing it ---- */

static int exec(struct db *db, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(db->conn, sql, NULL, NULL, &err);

	sqlite3_free(err);
	return rc == SQLITE_OK ? 0 : db_errno(rc);
}

/* Is there routing configuration a preset would clash with? */
static int routing_in_use(struct db *db, char *what, size_t len)
{
	static const char *const q =
		"SELECT 'trunk group ' || name FROM trunk_groups UNION ALL "
		"SELECT 'number range ' || name FROM number_ranges UNION ALL "
		"SELECT 'route ' || name FROM routes LIMIT 1";
	sqlite3_stmt *st;
	int rc = db_prepare(db, &st, q);

	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(what, len, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? EEXIST : rc == SQLITE_DONE ? 0 : db_errno(rc);
}

/* Replace: everything routing goes.  A span's busy-out names its group by
 * id; the name is kept aside (a temporary table of this connection) and
 * pointed at the new group of that name afterwards (keep_busy_out). */
static int clear_routing(struct db *db)
{
	/* children first: routes hold destinations, groups hold members and rules */
	return exec(db, "DROP TABLE IF EXISTS temp.preset_busy_out; "
		    "CREATE TEMP TABLE preset_busy_out AS SELECT s.id AS span_id, g.name AS grp "
		    "FROM spans s JOIN trunk_groups g ON g.id = s.busy_out_group_id; "
		    "UPDATE spans SET busy_out_group_id = NULL WHERE busy_out_group_id IS NOT NULL; "
		    "DELETE FROM route_destinations; DELETE FROM routes; "
		    "DELETE FROM manipulation_rules; DELETE FROM number_ranges; "
		    "DELETE FROM trunk_group_members; DELETE FROM trunk_groups");
}

/* Spans that depended on a SIP group of a name the preset made again keep
 * depending on it; any other dependency is dropped with the old group. */
static int keep_busy_out(struct db *db)
{
	return exec(db, "UPDATE spans SET busy_out_group_id = (SELECT g.id FROM temp.preset_busy_out p "
		    "JOIN trunk_groups g ON g.name = p.grp AND g.kind = 'sip' WHERE p.span_id = spans.id) "
		    "WHERE id IN (SELECT span_id FROM temp.preset_busy_out); "
		    "DROP TABLE temp.preset_busy_out");
}

static int span_exists(struct db *db, const char *name)
{
	long long id = 0;
	char buf[33];

	snprintf(buf, sizeof(buf), "%s", name);
	return db_rt_resolve(db, "spans", buf, sizeof(buf), &id);
}

/* The SIP trunk: an existing one is used as it is when no next hop is
 * given; otherwise created (Lync profile) with its one next hop, or, with
 * replace, given that next hop instead of its old ones. */
static int write_trunk(struct db *db, const struct db_preset *a, struct db_routing_write *w)
{
	long long id = 0;
	char name[33];
	sqlite3_stmt *st;
	int rc;

	snprintf(name, sizeof(name), "%s", a->sip_trunk);
	rc = db_rt_resolve(db, "sip_trunks", name, sizeof(name), &id);
	if (rc == 0 && !a->sip_host[0])
		return 0;
	if (rc == 0 && !a->replace)
		return db_rt_bad(w, "sip_trunk", "sip_trunk: a SIP trunk named %s exists already; leave "
				 "out sip_next_hop to use it as it is, or set replace", a->sip_trunk);
	if (rc && rc != ENOENT)
		return rc;
	if (rc == ENOENT && !a->sip_host[0])
		return db_rt_bad(w, "sip_trunk", "sip_trunk: no SIP trunk named %s (give sip_next_hop "
				 "to create it)", a->sip_trunk);
	/* a new trunk, or (replace) the old one with only the new next hop */
	rc = db_prepare(db, &st, id ?
		"UPDATE sip_trunks SET transport = ?2, updated_at = ?3 WHERE name = ?1" :
		"INSERT INTO sip_trunks (name, profile, transport, created_at, updated_at) "
		"VALUES (?1, 'lync2013', ?2, ?3, ?3)");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, a->sip_trunk, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, a->sip_transport[0] ? a->sip_transport : "tcp", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, db_now_ms());
	rc = db_rt_step(st);
	if (rc)
		return rc;
	if (id) {
		rc = db_prepare(db, &st, "DELETE FROM sip_peers WHERE trunk_id = ?1");
		if (rc)
			return rc;
		sqlite3_bind_int64(st, 1, id);
		rc = db_rt_step(st);
		if (rc)
			return rc;
	} else {
		id = sqlite3_last_insert_rowid(db->conn);
	}
	rc = db_prepare(db, &st, "INSERT INTO sip_peers (trunk_id, host, port, transport) "
			"VALUES (?1, ?2, ?3, ?4)");
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, a->sip_host, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 3, (int)a->sip_port);
	sqlite3_bind_text(st, 4, a->sip_transport, -1, SQLITE_TRANSIENT);
	return db_rt_step(st);
}

int db_preset_apply(struct db *db, const struct db_preset *a, const struct db_preset_plan *plan,
		    const char *answers_json, struct db_routing_write *w)
{
	struct db_preset_plan *p;
	bool cleared = false;
	char what[80];
	int rc;

	p = malloc(sizeof(*p));        /* the writers fill in ids */
	if (!p)
		return ENOMEM;
	*p = *plan;
	rc = db_rt_begin(db, w);
	if (rc) {
		free(p);
		return rc;
	}
	rc = routing_in_use(db, what, sizeof(what));
	if (rc == EEXIST && a->replace && !(rc = clear_routing(db)))
		cleared = true;
	else if (rc == EEXIST)
		snprintf(w->msg, sizeof(w->msg), "routing is configured already (%s): "
			 "set replace to true to replace all of it", what);
	if (!rc && a->carrier_span[0] && (rc = span_exists(db, a->carrier_span)) == ENOENT)
		rc = db_rt_bad(w, "carrier_span", "carrier_span: no span named %s", a->carrier_span);
	if (!rc && a->pbx_span[0] && (rc = span_exists(db, a->pbx_span)) == ENOENT)
		rc = db_rt_bad(w, "pbx_span", "pbx_span: no span named %s", a->pbx_span);
	if (!rc)
		rc = write_trunk(db, a, w);
	for (unsigned i = 0; !rc && i < p->ngroups; i++)
		rc = db_rt_blame(w, db_rt_group_write(db, &p->groups[i], w, true), "trunk_groups", i);
	for (unsigned i = 0; !rc && i < p->nranges; i++)
		rc = db_rt_blame(w, db_rt_range_write(db, &p->ranges[i], w, true), "number_ranges", i);
	for (unsigned i = 0; !rc && i < p->nrules; i++)
		rc = db_rt_blame(w, db_rt_rule_write(db, &p->rules[i], w, true), "rules", i);
	for (unsigned i = 0; !rc && i < p->nroutes; i++)
		rc = db_rt_blame(w, db_rt_route_write(db, &p->routes[i], w, true), "routes", i);
	if (!rc && cleared)
		rc = keep_busy_out(db);
	if (!rc)
		rc = db_rt_verify(db, w);
	rc = db_rt_commit(db, rc, w, "apply", "preset", a->preset, NULL, answers_json, a->dry_run);
	free(p);
	return rc;
}
