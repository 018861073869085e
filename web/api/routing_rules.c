/*
 * routing_rules.c -- /api/v1/manipulation-rules and /api/v1/routes, on the
 * generic routing handlers of routing.c (field table, array decoder, checks
 * with route.h's own functions, whole-configuration check before commit).
 * HTTP threads.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "route.h"
#include "routing_int.h"
#include "tg.h"

/* ---- manipulation rules ---- */

static const char *const directions[] = { "in", "out", NULL };
static const char *const number_fields[] = { "called", "calling", NULL };
static const char *const matches[] = { "prefix", "regex", NULL };
static const char *const presentations[] = { "allowed", "restricted", NULL };

#define UF(n, k, m, ...) { .name = n, .kind = k, .off = offsetof(struct db_manip_rule, m), \
	.size = sizeof(((struct db_manip_rule *)0)->m), __VA_ARGS__ }

static const struct api_field rule_fields[] = {
	UF("id", API_ID, id, .readonly = true),
	UF("group", API_STRING, group, .required = true, .min = 1, .max = 32, .chars = API_NAME_CHARS),
	UF("direction", API_ENUM, direction, .required = true, .choices = directions),
	UF("field", API_ENUM, field, .required = true, .choices = number_fields),
	UF("position", API_UINT, position, .min = 0, .max = 65535),
	UF("match", API_ENUM, match, .required = true, .choices = matches),
	UF("pattern", API_STRING, pattern, .required = true, .min = 1, .max = 256),
	UF("replacement", API_STRING, replacement, .max = 64),
	UF("strip", API_UINT, strip, .min = 0, .max = 32),
	UF("prepend", API_STRING, prepend, .max = 32, .chars = API_NUMBER_CHARS),
	UF("set_ton", API_INT, set_ton, .nullable = true, .min = 0, .max = 7),
	UF("set_npi", API_INT, set_npi, .nullable = true, .min = 0, .max = 15),
	UF("presentation", API_ENUM, presentation, .nullable = true, .choices = presentations),
	UF("description", API_STRING, description, .max = 128),
};

const struct api_schema api_schema_manip_rule = {
	.out = "ManipulationRule", .create = "ManipulationRuleCreate",
	.update = "ManipulationRuleUpdate", .fields = rule_fields, .nfields = TG_ARRAY_SIZE(rule_fields),
};

static void rule_init(void *obj)
{
	struct db_manip_rule *u = obj;

	u->set_ton = u->set_npi = -1;
}

static bool rule_check(void *obj, const void *old, json_t *body, char *field, char *msg,
		       size_t msglen)
{
	const struct db_manip_rule *u = obj;
	bool regex = !strcmp(u->match, "regex");
	struct route_rule rr = {
		.id = u->id, .dir = strcmp(u->direction, "out") ? ROUTE_DIR_IN : ROUTE_DIR_OUT,
		.field = strcmp(u->field, "calling") ? ROUTE_FIELD_CALLED : ROUTE_FIELD_CALLING,
		.position = (int)u->position, .match = regex ? ROUTE_MATCH_REGEX : ROUTE_MATCH_PREFIX,
		.pattern = u->pattern, .replacement = u->replacement, .strip = u->strip,
		.prepend = u->prepend, .set_ton = u->set_ton, .set_npi = u->set_npi,
		.presentation = !u->presentation[0] ? -1 : !strcmp(u->presentation, "allowed") ? 0 : 1,
	};
	const char *bad = NULL;
	char err[ROUTE_ERR_LEN] = "";

	if (regex && (u->strip || u->prepend[0]))
		return api_rt_bad(field, u->strip ? "strip" : "prepend", msg, msglen, "%s applies to "
				  "prefix rules; a regex rule rewrites with replacement",
				  u->strip ? "strip" : "prepend");
	if (!regex && u->replacement[0])
		return api_rt_bad(field, "replacement", msg, msglen, "replacement applies to regex "
				  "rules; a prefix rule rewrites with strip and prepend");
	/* "+" alone: strip the E.164 plus (the presets' rules do) */
	if (!regex && strcmp(u->pattern, "+") &&
	    !api_rt_number_ok(u->pattern, "pattern", field, msg, msglen))
		return false;
	if (strchr(u->prepend, '+') && u->prepend[0] != '+')
		return api_rt_bad(field, "prepend", msg, msglen, "prepend \"%s\": a + may only lead",
				  u->prepend);
	if (route_rule_check(&rr, &bad, err, sizeof(err)))
		return api_rt_bad(field, bad ? bad : "pattern", msg, msglen, "%s",
				  err[0] ? err : "the rule is not valid");
	return true;
}

static const char *rule_name(const void *obj, char *buf, size_t len)
{
	snprintf(buf, len, "%lld", ((const struct db_manip_rule *)obj)->id);
	return buf;
}

static int rule_list(struct db *db, void **vp, size_t *np)
{
	return db_rule_list(db, (struct db_manip_rule **)vp, np);
}

static int rule_get(struct db *db, const char *key, void *obj)
{
	return db_rule_get(db, key, obj);
}

static int rule_create(struct db *db, void *obj, struct db_routing_write *w)
{
	return db_rule_create(db, obj, w);
}

static int rule_update(struct db *db, void *obj, struct db_routing_write *w)
{
	return db_rule_update(db, obj, w);
}

const struct api_rt_resource api_rt_rules = {
	.what = "manipulation rule", .list_key = "manipulation_rules",
	.size = sizeof(struct db_manip_rule), .fields = rule_fields,
	.nfields = TG_ARRAY_SIZE(rule_fields), .init = rule_init, .check = rule_check,
	.name = rule_name, .list = rule_list, .get = rule_get, .create = rule_create,
	.update = rule_update, .del = db_rule_delete,
};

enum MHD_Result api_rules_list(struct web_req *r) { return api_rt_list(r, &api_rt_rules); }
enum MHD_Result api_rule_get(struct web_req *r) { return api_rt_get(r, &api_rt_rules); }
enum MHD_Result api_rule_create(struct web_req *r) { return api_rt_create(r, &api_rt_rules); }
enum MHD_Result api_rule_update(struct web_req *r) { return api_rt_update(r, &api_rt_rules); }
enum MHD_Result api_rule_delete(struct web_req *r) { return api_rt_delete(r, &api_rt_rules); }

/* ---- routes ---- */

#define DAY_CHARS "montuewdhfrisa-,"
#define TF(n, k, m, ...) { .name = n, .kind = k, .off = offsetof(struct db_route, m), \
	.size = sizeof(((struct db_route *)0)->m), __VA_ARGS__ }

static const struct api_field route_fields[] = {
	TF("id", API_ID, id, .readonly = true),
	TF("name", API_STRING, name, .required = true, .min = 1, .max = 32, .chars = API_NAME_CHARS),
	TF("enabled", API_BOOL, enabled),
	TF("position", API_UINT, position, .min = 0, .max = 65535),
	TF("source_group", API_STRING, source_group, .nullable = true, .max = 32, .chars = API_NAME_CHARS),
	TF("range", API_STRING, range, .nullable = true, .max = 32, .chars = API_NAME_CHARS),
	TF("called_prefix", API_STRING, called_prefix, .max = 32, .chars = API_NUMBER_CHARS),
	TF("calling_prefix", API_STRING, calling_prefix, .max = 32, .chars = API_NUMBER_CHARS),
	TF("days", API_STRING, days, .max = 63, .chars = DAY_CHARS),
	TF("time_from", API_STRING, time_from, .max = 5, .chars = "0123456789:"),
	TF("time_to", API_STRING, time_to, .max = 5, .chars = "0123456789:"),
	TF("survivability_group", API_STRING, survivability_group, .nullable = true, .max = 32,
	   .chars = API_NAME_CHARS),
	TF("survivability_forward", API_STRING, survivability_forward, .max = 32,
	   .chars = API_NUMBER_CHARS),
};

#define DF(n, k, m, ...) { .name = n, .kind = k, .off = offsetof(struct db_route_dest, m), \
	.size = sizeof(((struct db_route_dest *)0)->m), __VA_ARGS__ }

static const struct api_field dest_fields[] = {
	DF("group", API_STRING, group, .required = true, .min = 1, .max = 32, .chars = API_NAME_CHARS),
	DF("weight", API_UINT, weight, .min = 0, .max = 1000),
	DF("failover_causes", API_STRING, failover_causes, .max = 127, .chars = "0123456789,"),
};

const struct api_schema api_schema_route = {
	.out = "Route", .create = "RouteCreate", .update = "RouteUpdate",
	.fields = route_fields, .nfields = TG_ARRAY_SIZE(route_fields),
	.array_key = "destinations", .array_item = "RouteDestination", .array_max = DB_ROUTE_MAX_DESTS,
};
const struct api_schema api_schema_route_dest = {
	.create = "RouteDestination", .fields = dest_fields, .nfields = TG_ARRAY_SIZE(dest_fields),
};

#define DEFAULT_FAILOVER "34,38,41,42,44"

static void route_init(void *obj)
{
	struct db_route *t = obj;

	t->enabled = true;
}

static bool route_decode_dests(void *obj, json_t *arr, char *field, char *msg, size_t msglen)
{
	struct db_route *t = obj;
	size_t i;
	json_t *e;

	/* An empty list sends calls to the group that owns the range the called
	 * number is in: one such route delivers every range to its owner, so
	 * moving a department is editing its range. */
	if (!json_is_array(arr) || json_array_size(arr) > DB_ROUTE_MAX_DESTS)
		return api_rt_bad(field, "destinations", msg, msglen, "destinations must be a list of "
				  "0 to %d destinations", DB_ROUTE_MAX_DESTS);
	json_array_foreach(arr, i, e) {
		struct db_route_dest *d = &t->dests[i];
		const char *fname = NULL;
		char fmsg[300];

		memset(d, 0, sizeof(*d));
		tg_strlcpy(d->failover_causes, DEFAULT_FAILOVER, sizeof(d->failover_causes));
		if (!json_is_object(e)) {
			snprintf(field, API_FIELD_LEN, "destinations[%zu]", i);
			snprintf(msg, msglen, "destinations[%zu] must be an object", i);
			return false;
		}
		if (!api_fields_apply(dest_fields, TG_ARRAY_SIZE(dest_fields), e, d, true, &fname, fmsg,
				      sizeof(fmsg))) {
			snprintf(field, API_FIELD_LEN, "destinations[%zu].%s", i, fname);
			snprintf(msg, msglen, "destinations[%zu]: %s", i, fmsg);
			return false;
		}
	}
	t->ndests = (unsigned)json_array_size(arr);
	return true;
}

static bool time_ok(const char *v, const char *name, char *field, char *msg, size_t msglen)
{
	int minute;

	/* the API writes times as HH:MM, always five characters */
	if (!v[0] || (strlen(v) == 5 && !route_time_parse(v, &minute)))
		return true;
	return api_rt_bad(field, name, msg, msglen, "%s \"%s\" is not a time of day (HH:MM, 00:00 "
			  "to 23:59)", name, v);
}

static bool route_check(void *obj, const void *old, json_t *body, char *field, char *msg,
			size_t msglen)
{
	const struct db_route *t = obj;
	unsigned days;
	int from = -1, to = -1;

	if (!api_rt_number_ok(t->called_prefix, "called_prefix", field, msg, msglen) ||
	    !api_rt_number_ok(t->calling_prefix, "calling_prefix", field, msg, msglen) ||
	    !api_rt_number_ok(t->survivability_forward, "survivability_forward", field, msg, msglen))
		return false;
	if (t->range[0] && t->called_prefix[0])
		return api_rt_bad(field, "called_prefix", msg, msglen, "route %s: give a range or a "
				  "called_prefix, not both", t->name);
	if (t->days[0] && route_days_parse(t->days, &days))
		return api_rt_bad(field, "days", msg, msglen, "days \"%s\" is not a list of days "
				  "(mon..sun, ranges and commas: mon-fri,sun)", t->days);
	if (!time_ok(t->time_from, "time_from", field, msg, msglen) ||
	    !time_ok(t->time_to, "time_to", field, msg, msglen))
		return false;
	if (!t->time_from[0] != !t->time_to[0])
		return api_rt_bad(field, t->time_from[0] ? "time_to" : "time_from", msg, msglen,
				  "%s is required with %s", t->time_from[0] ? "time_to" : "time_from",
				  t->time_from[0] ? "time_from" : "time_to");
	if (t->time_from[0] && !route_time_parse(t->time_from, &from) &&
	    !route_time_parse(t->time_to, &to) && from == to)
		return api_rt_bad(field, "time_to", msg, msglen, "time_to %s equals time_from: the "
				  "window would be empty (leave both out for all day)", t->time_to);
	if (t->survivability_group[0] && t->survivability_forward[0])
		return api_rt_bad(field, "survivability_forward", msg, msglen, "route %s: give a "
				  "survivability_group or a survivability_forward number, not both",
				  t->name);
	for (unsigned i = 0; i < t->ndests; i++) {
		struct route_dest d = { 0 };
		char err[ROUTE_ERR_LEN] = "", name[API_FIELD_LEN];

		snprintf(name, sizeof(name), "destinations[%u].failover_causes", i);
		if (t->dests[i].failover_causes[0] &&
		    route_failover_parse(t->dests[i].failover_causes, &d, err, sizeof(err)))
			return api_rt_bad(field, name, msg, msglen, "%s: %s", name,
					  err[0] ? err : "not a list of causes");
	}
	return true;
}

static json_t *route_dests_json(const void *obj)
{
	const struct db_route *t = obj;
	json_t *arr = json_array();

	for (unsigned i = 0; i < t->ndests; i++)
		json_array_append_new(arr, api_fields_to_json(dest_fields, TG_ARRAY_SIZE(dest_fields),
							      &t->dests[i]));
	return arr;
}

static const char *route_name(const void *obj, char *buf, size_t len)
{
	return ((const struct db_route *)obj)->name;
}

static int route_list(struct db *db, void **vp, size_t *np)
{
	return db_route_list(db, (struct db_route **)vp, np);
}

static int route_get(struct db *db, const char *key, void *obj)
{
	return db_route_get(db, key, obj);
}

static int route_create(struct db *db, void *obj, struct db_routing_write *w)
{
	return db_route_create(db, obj, w);
}

static int route_update(struct db *db, void *obj, struct db_routing_write *w)
{
	return db_route_update(db, obj, w);
}

const struct api_rt_resource api_rt_routes = {
	.what = "route", .list_key = "routes", .size = sizeof(struct db_route),
	.fields = route_fields, .nfields = TG_ARRAY_SIZE(route_fields),
	.array_key = "destinations", .init = route_init, .decode_array = route_decode_dests,
	.check = route_check, .array_json = route_dests_json, .name = route_name,
	.list = route_list, .get = route_get, .create = route_create, .update = route_update,
	.del = db_route_delete,
};

enum MHD_Result api_routes_list(struct web_req *r) { return api_rt_list(r, &api_rt_routes); }
enum MHD_Result api_route_get(struct web_req *r) { return api_rt_get(r, &api_rt_routes); }
enum MHD_Result api_route_create(struct web_req *r) { return api_rt_create(r, &api_rt_routes); }
enum MHD_Result api_route_update(struct web_req *r) { return api_rt_update(r, &api_rt_routes); }
enum MHD_Result api_route_delete(struct web_req *r) { return api_rt_delete(r, &api_rt_routes); }
