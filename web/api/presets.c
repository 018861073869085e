/*
 * presets.c -- deployment presets over the REST API:
 *
 *   GET  /api/v1/presets          the presets and the answers each takes
 *   POST /api/v1/presets/{name}   apply one: the answers in the body
 *
 * The answers are decoded by field tables (every field checked and named),
 * turned into objects by db_preset_plan() and written by db_preset_apply()
 * in one transaction with the whole-routing check the single-object writes
 * use (routing.c's verify).  "dry_run": true checks everything, writes
 * nothing and shows what would be created.  HTTP threads.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "api"
#include "log.h"
#include "api.h"
#include "mainq.h"
#include "route.h"
#include "routing_int.h"
#include "tg.h"

#define PF(n, k, m, ...) { .name = n, .kind = k, .off = offsetof(struct db_preset, m), \
	.size = sizeof(((struct db_preset *)0)->m), __VA_ARGS__ }

static const struct api_field preset_fields[] = {
	PF("carrier_span", API_STRING, carrier_span, .max = 32, .chars = API_NAME_CHARS),
	PF("pbx_span", API_STRING, pbx_span, .max = 32, .chars = API_NAME_CHARS),
	PF("sip_trunk", API_STRING, sip_trunk, .min = 1, .max = 32, .chars = API_NAME_CHARS),
	PF("survivability", API_STRING, survivability, .min = 1, .max = 32,
	   .chars = API_NAME_CHARS "+*#"),
	PF("sip_e164_plus", API_BOOL, sip_e164_plus),
	PF("replace", API_BOOL, replace),
	PF("dry_run", API_BOOL, dry_run),
};

#define RF(n, m) { .name = n, .kind = API_STRING, .off = offsetof(struct db_preset_range, m), \
	.size = sizeof(((struct db_preset_range *)0)->m), .min = 1, .max = 32, .chars = API_NUMBER_CHARS }

static const struct api_field range_fields[] = {
	RF("first", first), RF("last", last), RF("prefix", prefix),
};

static const char *const transports[] = { "udp", "tcp", "tls", NULL };

#define HF(n, k, m, ...) { .name = n, .kind = k, .off = offsetof(struct db_preset, m), \
	.size = sizeof(((struct db_preset *)0)->m), __VA_ARGS__ }

static const struct api_field hop_fields[] = {
	HF("host", API_STRING, sip_host, .required = true, .min = 1, .max = 253,
	   .chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]"),
	HF("port", API_UINT, sip_port, .min = 0, .max = 65535),
	HF("transport", API_ENUM, sip_transport, .choices = transports),
};

const struct api_schema api_schema_preset = {
	.create = "PresetAnswers", .fields = preset_fields, .nfields = TG_ARRAY_SIZE(preset_fields),
};
const struct api_schema api_schema_preset_range = {
	.create = "PresetRange", .fields = range_fields, .nfields = TG_ARRAY_SIZE(range_fields),
};
const struct api_schema api_schema_preset_hop = {
	.create = "PresetNextHop", .fields = hop_fields, .nfields = TG_ARRAY_SIZE(hop_fields),
};

/* A nested object by its table; the field named "outer.inner". */
static bool nested(json_t *body, const char *key, const struct api_field *f, size_t n, void *obj,
		   char *field, char *msg, size_t msglen)
{
	json_t *v = json_object_get(body, key);
	const char *inner = NULL;
	char m[300];

	if (!v || json_is_null(v))
		return true;
	if (!json_is_object(v))
		return api_rt_bad(field, key, msg, msglen, "%s: must be an object", key);
	if (!api_fields_apply(f, n, v, obj, true, &inner, m, sizeof(m))) {
		snprintf(field, API_FIELD_LEN, "%s.%s", key, inner ? inner : "");
		snprintf(msg, msglen, "%s: %s", key, m);
		return false;
	}
	return true;
}

static bool range_ok(const struct db_preset_range *rg, const char *key, char *field, char *msg,
		     size_t msglen)
{
	char name[48];

	if (rg->prefix[0] && (rg->first[0] || rg->last[0]))
		return api_rt_bad(field, key, msg, msglen, "%s: give first and last, or a prefix, not both",
				  key);
	if (!rg->prefix[0] && !rg->first[0] != !rg->last[0])
		return api_rt_bad(field, key, msg, msglen, "%s: first and last go together", key);
	snprintf(name, sizeof(name), "%s.last", key);
	if (strlen(rg->first) != strlen(rg->last))
		return api_rt_bad(field, name, msg, msglen, "%s: must have as many digits as first (%zu)",
				  name, strlen(rg->first));
	snprintf(name, sizeof(name), "%s.first", key);
	if (!api_rt_number_ok(rg->first, name, field, msg, msglen))
		return false;
	snprintf(name, sizeof(name), "%s.last", key);
	if (!api_rt_number_ok(rg->last, name, field, msg, msglen))
		return false;
	snprintf(name, sizeof(name), "%s.prefix", key);
	return api_rt_number_ok(rg->prefix, name, field, msg, msglen);
}

static bool decode(json_t *body, struct db_preset *a, char *field, char *msg, size_t msglen)
{
	json_t *scalars = json_copy(body);
	const char *fname = NULL;
	bool ok;

	if (!scalars)
		return api_rt_bad(field, "", msg, msglen, "out of memory");
	json_object_del(scalars, "sip_next_hop");
	json_object_del(scalars, "ev_range");
	json_object_del(scalars, "pbx_range");
	ok = api_fields_apply(preset_fields, TG_ARRAY_SIZE(preset_fields), scalars, a, true, &fname,
			      msg, msglen);
	if (!ok)                        /* fname is a key of scalars: copy it first */
		snprintf(field, API_FIELD_LEN, "%s", fname ? fname : "");
	json_decref(scalars);
	if (!ok)
		return false;
	return nested(body, "sip_next_hop", hop_fields, TG_ARRAY_SIZE(hop_fields), a, field, msg,
		      msglen) &&
	       nested(body, "ev_range", range_fields, TG_ARRAY_SIZE(range_fields), &a->ev_range, field,
		      msg, msglen) &&
	       nested(body, "pbx_range", range_fields, TG_ARRAY_SIZE(range_fields), &a->pbx_range,
		      field, msg, msglen) &&
	       range_ok(&a->ev_range, "ev_range", field, msg, msglen) &&
	       range_ok(&a->pbx_range, "pbx_range", field, msg, msglen) &&
	       (strcmp(a->survivability, "pbx") && strcmp(a->survivability, "none") ?
		api_rt_number_ok(a->survivability, "survivability", field, msg, msglen) : true);
}

static json_t *plan_json(const struct db_preset *a, const struct db_preset_plan *p)
{
	json_t *groups = json_array(), *ranges = json_array(), *routes = json_array();
	json_t *rules = json_array();

	for (unsigned i = 0; i < p->ngroups; i++)
		json_array_append_new(groups, json_pack("{s:s,s:s,s:s}", "name", p->groups[i].name,
			"kind", p->groups[i].kind, "member", p->groups[i].members[0].name));
	for (unsigned i = 0; i < p->nranges; i++) {
		const struct db_number_range *n = &p->ranges[i];

		json_array_append_new(ranges, n->prefix[0] ?
			json_pack("{s:s,s:s,s:s}", "name", n->name, "prefix", n->prefix, "group", n->group) :
			json_pack("{s:s,s:s,s:s,s:s}", "name", n->name, "first", n->first, "last", n->last,
				  "group", n->group));
	}
	for (unsigned i = 0; i < p->nrules; i++) {
		const struct db_manip_rule *m = &p->rules[i];

		json_array_append_new(rules, json_pack("{s:s,s:s,s:s,s:s,s:s}", "group", m->group,
			"direction", m->direction, "field", m->field, "match", m->match,
			"pattern", m->pattern));
	}
	for (unsigned i = 0; i < p->nroutes; i++) {
		const struct db_route *r = &p->routes[i];
		/* destination null: a range owner route (to whoever owns the number's range) */
		json_t *o = json_pack("{s:s,s:s,s:s,s:s?}", "name", r->name, "source_group",
				      r->source_group, "range", r->range, "destination",
				      r->ndests ? r->dests[0].group : NULL);

		if (r->survivability_group[0])
			json_object_set_new(o, "survivability_group", json_string(r->survivability_group));
		if (r->survivability_forward[0])
			json_object_set_new(o, "survivability_forward", json_string(r->survivability_forward));
		json_array_append_new(routes, o);
	}
	return json_pack("{s:s,s:s,s:b,s:s,s:o,s:o,s:o,s:o}", "preset", a->preset,
			 "title", db_preset_title(a->preset), "dry_run", a->dry_run, "sip_trunk",
			 a->sip_trunk, "trunk_groups", groups, "number_ranges", ranges,
			 "manipulation_rules", rules, "routes", routes);
}

enum MHD_Result api_presets_list(struct web_req *r)
{
	json_t *arr = json_array();
	const char *name;

	for (unsigned i = 0; (name = db_preset_name(i)); i++)
		json_array_append_new(arr, json_pack("{s:s,s:s}", "name", name, "title",
						     db_preset_title(name)));
	return web_reply_json(r, 200, json_pack("{s:o}", "presets", arr));
}

enum MHD_Result api_preset_apply(struct web_req *r)
{
	struct db_actor who = { r->user, r->remote };
	struct db_routing_write w = { .who = &who, .verify = api_rt_verify };
	struct db_preset_plan *plan = NULL;
	char field[API_FIELD_LEN] = "", msg[400] = "";
	struct db *db = web_db(r);
	struct db_preset a = { 0 };
	enum MHD_Result mrc;
	json_t *body, *out;
	char *answers = NULL;
	int rc;

	if (!db_preset_title(r->param[0]))
		return web_reply_error(r, 404, "not_found", NULL, "no preset %s (there are "
				       "ev-in-front-of-pbx, ev-behind-pbx and voip-only)", r->param[0]);
	body = web_body_object(r, &mrc);
	if (!body)
		return mrc;
	snprintf(a.preset, sizeof(a.preset), "%s", r->param[0]);
	snprintf(a.sip_trunk, sizeof(a.sip_trunk), "mediation");
	a.sip_e164_plus = true;
	if (!decode(body, &a, field, msg, sizeof(msg))) {
		mrc = web_reply_error(r, 400, "invalid_field", field[0] ? field : NULL, "%s", msg);
		goto out;
	}
	if (!api_field_given(body, "survivability"))
		snprintf(a.survivability, sizeof(a.survivability), "%s", a.pbx_span[0] ? "pbx" : "none");
	plan = malloc(sizeof(*plan));
	if (!plan || !db) {
		mrc = web_reply_error(r, 500, "internal", NULL, plan ? "database unavailable" : "out of memory");
		goto out;
	}
	if (db_preset_plan(&a, plan, field, sizeof(field), msg, sizeof(msg))) {
		mrc = web_reply_error(r, 400, "invalid_field", field, "%s", msg);
		goto out;
	}
	answers = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	rc = db_preset_apply(db, &a, plan, answers, &w);
	if (rc == EINVAL)
		mrc = web_reply_error(r, 400, w.field[0] ? "invalid_field" : "invalid_config",
				      w.field[0] ? w.field : NULL, "%s", w.msg);
	else if (rc == EEXIST)
		mrc = web_reply_error(r, 409, "conflict", w.field[0] ? w.field : NULL, "%s", w.msg);
	else if (rc) {
		log_err("preset %s not applied: %s", a.preset, db_errmsg(db));
		mrc = web_reply_error(r, 500, "internal", NULL, "the preset was not applied");
	} else {
		out = plan_json(&a, plan);
		if (!a.dry_run) {
			log_info("%s applied the preset %s", r->user, a.preset);
			mainq_post(&(struct mainq_msg){ .type = MAINQ_CONFIG_GENERATION,
							.u.config.generation = w.generation });
			json_object_set_new(out, "generation", json_integer((json_int_t)w.generation));
		}
		mrc = web_reply_json(r, a.dry_run ? 200 : 201, out);
	}
 out:
	free(answers);
	free(plan);
	json_decref(body);
	return mrc;
}
