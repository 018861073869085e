/*
 * routing.c -- the routing REST resources' common handlers, and two of them:
 * /api/v1/trunk-groups and /api/v1/number-ranges (routing_routes.c has
 * manipulation rules and routes, route_test.c the route tester).
 *
 * Each resource is a descriptor (struct api_rt_resource): a field table
 * (fields.h) decodes and validates the scalar fields and names the bad one;
 * a decoder takes its array (members, destinations), a check its rules
 * across fields, with route.h's own checks (route_number_valid,
 * route_range_check, route_rule_check) at save time.  The db write then
 * resolves names under its lock (400 naming the field when one refers to
 * nothing) and, before its commit, hands the whole routing configuration as
 * it would be committed to api_rt_verify() below, which builds a routing
 * table from it: a change that would leave a configuration the daemon cannot load (two
 * overlapping ranges) is refused with 400 and nothing is written.  After a
 * commit the new generation goes to the main thread.  HTTP threads.
 */
#include "config.h"
#include <errno.h>
#include <stdarg.h>
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

/* ---- the generic handlers ---- */

bool api_rt_bad(char *field, const char *name, char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;

	snprintf(field, API_FIELD_LEN, "%s", name);
	va_start(ap, fmt);
	vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
	return false;
}

bool api_rt_number_ok(const char *v, const char *name, char *field, char *msg, size_t msglen)
{
	if (!v[0] || route_number_valid(v))
		return true;
	return api_rt_bad(field, name, msg, msglen, "%s \"%s\" is not a number (1 to 32 of 0-9 * #, "
			  "an optional leading +)", name, v);
}

/* The whole routing configuration, as the write would commit it, must build
 * into a routing table: the same check the daemon makes before it applies a
 * generation, made before the commit instead of after. */
int api_rt_verify(const struct route_config *cfg, void *arg, char *msg, size_t len)
{
	(void)arg;
	struct route_table *t = NULL;
	int rc;

	msg[0] = '\0';
	rc = route_table_build(&t, cfg, msg, len);
	route_table_unref(t);
	if (rc && !msg[0])
		snprintf(msg, len, "the routing configuration does not build: %s", strerror(rc));
	return rc;
}

json_t *api_rt_to_json(const struct api_rt_resource *res, const void *obj)
{
	json_t *o = api_fields_to_json(res->fields, res->nfields, obj);

	if (res->array_key)
		json_object_set_new(o, res->array_key, res->array_json(obj));
	return o;
}

static const char *obj_name(const struct api_rt_resource *res, const void *obj, char *buf,
			    size_t len)
{
	return res->name(obj, buf, len);
}

enum MHD_Result api_rt_list(struct web_req *r, const struct api_rt_resource *res)
{
	struct db *db = web_db(r);
	void *v = NULL;
	size_t n = 0;
	json_t *arr;

	if (!db || res->list(db, &v, &n))
		return web_reply_error(r, 500, "internal", NULL, "cannot read %ss", res->what);
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, api_rt_to_json(res, (char *)v + i * res->size));
	free(v);
	return web_reply_json(r, 200, json_pack("{s:o}", res->list_key, arr));
}

/* Read the object named by the path into obj; a reply on failure. */
static bool load(struct web_req *r, const struct api_rt_resource *res, struct db *db, void *obj,
		 enum MHD_Result *mrc)
{
	int rc;

	if (!db) {
		*mrc = web_reply_error(r, 500, "internal", NULL, "database unavailable");
		return false;
	}
	rc = res->get(db, r->param[0], obj);
	if (rc == ENOENT)
		*mrc = web_reply_error(r, 404, "not_found", NULL, "no %s %s", res->what, r->param[0]);
	else if (rc)
		*mrc = web_reply_error(r, 500, "internal", NULL, "cannot read %s", res->what);
	return rc == 0;
}

enum MHD_Result api_rt_get(struct web_req *r, const struct api_rt_resource *res)
{
	void *obj = calloc(1, res->size);
	enum MHD_Result mrc;

	if (!obj)
		return web_reply_error(r, 500, "internal", NULL, "out of memory");
	if (load(r, res, web_db(r), obj, &mrc))
		mrc = web_reply_json_etag(r, 200, api_rt_to_json(res, obj));
	free(obj);
	return mrc;
}

bool api_rt_decode(const struct api_rt_resource *res, json_t *body, void *obj, const void *old,
		   char *field, char *msg, size_t msglen)
{
	const char *fname = NULL;
	json_t *scalars = json_copy(body);         /* shallow: the array goes its own way */
	json_t *arr = res->array_key ? json_object_get(body, res->array_key) : NULL;
	bool ok;

	if (!scalars)
		return api_rt_bad(field, "", msg, msglen, "out of memory");
	if (res->array_key)
		json_object_del(scalars, res->array_key);
	ok = api_fields_apply(res->fields, res->nfields, scalars, obj, old == NULL, &fname, msg,
			      msglen);
	if (!ok)                        /* fname may be one of scalars' keys: copy it first */
		snprintf(field, API_FIELD_LEN, "%s", fname ? fname : "");
	json_decref(scalars);
	if (ok && arr)
		ok = res->decode_array(obj, arr, field, msg, msglen);
	if (ok)
		ok = res->check(obj, old, body, field, msg, msglen);
	return ok;
}

/* Decode the body onto obj (api_rt_decode); a 400 naming the field on failure. */
static bool decode(struct web_req *r, const struct api_rt_resource *res, json_t *body, void *obj,
		   const void *old, enum MHD_Result *mrc)
{
	char field[API_FIELD_LEN] = "", msg[400];

	if (api_rt_decode(res, body, obj, old, field, msg, sizeof(msg)))
		return true;
	*mrc = web_reply_error(r, 400, "invalid_field", field[0] ? field : NULL, "%s", msg);
	return false;
}

static enum MHD_Result write_error(struct web_req *r, const struct api_rt_resource *res, int rc,
				   const struct db_routing_write *w, struct db *db)
{
	if (rc == EINVAL && w->field[0])
		return web_reply_error(r, 400, "invalid_field", w->field, "%s", w->msg);
	if (rc == EINVAL)       /* the whole configuration would not build */
		return web_reply_error(r, 400, "invalid_config", NULL, "%s", w->msg);
	if (rc == EEXIST)
		return web_reply_error(r, 409, "conflict", w->field[0] ? w->field : NULL, "%s", w->msg);
	if (rc == EBUSY && w->msg[0])
		return web_reply_error(r, 409, "in_use", NULL, "%s", w->msg);
	if (rc == ENOENT)
		return web_reply_error(r, 404, "not_found", NULL, "no %s %s", res->what, r->param[0]);
	log_err("%s write failed: %s", res->what, db_errmsg(db));
	return web_reply_error(r, 500, "internal", NULL, "the change was not saved");
}

static void post_generation(unsigned long long gen)
{
	mainq_post(&(struct mainq_msg){ .type = MAINQ_CONFIG_GENERATION, .u.config.generation = gen });
}

/* If-Match against the object as it is now (read just before the write:
 * a lost update between two people's edits is caught; the write itself is
 * not conditional, so two writes within the same moment are not). */
static bool if_match(struct web_req *r, const struct api_rt_resource *res, const void *obj,
		     enum MHD_Result *mrc)
{
	json_t *cur = api_rt_to_json(res, obj);
	bool ok = web_if_match(r, cur, mrc);

	json_decref(cur);
	return ok;
}

static enum MHD_Result written(struct web_req *r, const struct api_rt_resource *res,
			       unsigned status, const void *obj, unsigned long long gen,
			       const char *verb)
{
	char name[64];
	json_t *o = api_rt_to_json(res, obj);

	log_info("%s %s %s %s", r->user, verb, res->what, obj_name(res, obj, name, sizeof(name)));
	post_generation(gen);
	json_object_set_new(o, "generation", json_integer((json_int_t)gen));
	return web_reply_json_etag(r, status, o);
}

static void write_init(struct db_routing_write *w, const struct db_actor *who)
{
	memset(w, 0, sizeof(*w));
	w->who = who;
	w->verify = api_rt_verify;
}

enum MHD_Result api_rt_create(struct web_req *r, const struct api_rt_resource *res)
{
	struct db_actor who = { r->user, r->remote };
	struct db_routing_write w;
	struct db *db = web_db(r);
	enum MHD_Result mrc;
	json_t *body;
	void *obj;
	int rc;

	body = web_body_object(r, &mrc);
	if (!body)
		return mrc;
	obj = calloc(1, res->size);
	if (!obj || !db) {
		mrc = web_reply_error(r, 500, "internal", NULL, obj ? "database unavailable" : "out of memory");
		goto out;
	}
	res->init(obj);
	if (!decode(r, res, body, obj, NULL, &mrc))
		goto out;
	write_init(&w, &who);
	rc = res->create(db, obj, &w);
	mrc = rc ? write_error(r, res, rc, &w, db) : written(r, res, 201, obj, w.generation, "created");
 out:
	free(obj);
	json_decref(body);
	return mrc;
}

enum MHD_Result api_rt_update(struct web_req *r, const struct api_rt_resource *res)
{
	struct db_actor who = { r->user, r->remote };
	struct db_routing_write w;
	struct db *db = web_db(r);
	enum MHD_Result mrc;
	json_t *body = NULL;
	void *obj = calloc(1, res->size), *old = calloc(1, res->size);
	int rc;

	if (!obj || !old) {
		mrc = web_reply_error(r, 500, "internal", NULL, "out of memory");
		goto out;
	}
	if (!load(r, res, db, obj, &mrc) || !if_match(r, res, obj, &mrc))
		goto out;
	memcpy(old, obj, res->size);
	body = web_body_object(r, &mrc);
	if (!body || !decode(r, res, body, obj, old, &mrc))
		goto out;
	write_init(&w, &who);
	rc = res->update(db, obj, &w);
	mrc = rc ? write_error(r, res, rc, &w, db) : written(r, res, 200, obj, w.generation, "changed");
 out:
	free(obj);
	free(old);
	json_decref(body);
	return mrc;
}

enum MHD_Result api_rt_delete(struct web_req *r, const struct api_rt_resource *res)
{
	struct db_actor who = { r->user, r->remote };
	struct db_routing_write w;
	struct db *db = web_db(r);
	enum MHD_Result mrc;
	void *obj = calloc(1, res->size);
	char name[64];
	int rc;

	if (!obj)
		return web_reply_error(r, 500, "internal", NULL, "out of memory");
	if (!load(r, res, db, obj, &mrc) || !if_match(r, res, obj, &mrc))
		goto out;
	write_init(&w, &who);
	rc = res->del(db, *(const long long *)obj, &w);
	if (rc) {
		mrc = write_error(r, res, rc, &w, db);
		goto out;
	}
	log_info("%s deleted %s %s", r->user, res->what, obj_name(res, obj, name, sizeof(name)));
	post_generation(w.generation);
	mrc = web_reply_empty(r, 204);
 out:
	free(obj);
	return mrc;
}

/* ---- trunk groups ---- */

static const char *const group_kinds[] = { "span", "sip", "analog", NULL };
static const char *const huntings[] = { "ascending", "descending", "round-robin", "weighted", NULL };

#define GF(n, k, m, ...) { .name = n, .kind = k, .off = offsetof(struct db_trunk_group, m), \
	.size = sizeof(((struct db_trunk_group *)0)->m), __VA_ARGS__ }

static const struct api_field group_fields[] = {
	GF("id", API_ID, id, .readonly = true),
	GF("name", API_STRING, name, .required = true, .min = 1, .max = 32, .chars = API_NAME_CHARS),
	GF("kind", API_ENUM, kind, .required = true, .choices = group_kinds),
	GF("hunting", API_ENUM, hunting, .choices = huntings),
	GF("max_calls", API_UINT, max_calls, .min = 0, .max = 100000),
};

#define MF(n, m, lo, hi) { .name = n, .kind = API_UINT, .off = offsetof(struct db_tg_member, m), \
	.size = sizeof(unsigned), .min = lo, .max = hi }

static const struct api_field member_fields[] = {
	MF("first_channel", first_channel, 0, 31),
	MF("last_channel", last_channel, 0, 31),
	MF("weight", weight, 1, 1000),
};

const struct api_schema api_schema_trunk_group = {
	.out = "TrunkGroup", .create = "TrunkGroupCreate", .update = "TrunkGroupUpdate",
	.fields = group_fields, .nfields = TG_ARRAY_SIZE(group_fields),
	.array_key = "members", .array_item = "TrunkGroupMember", .array_max = DB_TG_MAX_MEMBERS,
};
const struct api_schema api_schema_tg_member = {
	.create = "TrunkGroupMember", .fields = member_fields, .nfields = TG_ARRAY_SIZE(member_fields),
};

/* The member key of each group kind, and what it is called. */
static const char *member_key(const char *kind, const char **what)
{
	if (!strcmp(kind, "sip")) {
		*what = "SIP trunks";
		return "sip_trunk";
	}
	if (!strcmp(kind, "analog")) {
		*what = "analog ports";
		return "analog_port";
	}
	*what = "spans";
	return "span";
}

static void group_init(void *obj)
{
	struct db_trunk_group *g = obj;

	tg_strlcpy(g->hunting, "ascending", sizeof(g->hunting));
}

/* One member: {"span": name or id, "first_channel", "last_channel", "weight"}. */
static bool decode_member(const char *kind, json_t *e, unsigned i, struct db_tg_member *m,
			  char *field, char *msg, size_t msglen)
{
	static const char *const keys[] = { "span", "sip_trunk", "analog_port" };
	const char *what, *key = member_key(kind, &what), *fname = NULL;
	char at[24], fmsg[300];
	json_t *rest, *ref;
	bool ok;

	snprintf(at, sizeof(at), "members[%u]", i);
	if (!json_is_object(e))
		return api_rt_bad(field, at, msg, msglen, "%s must be an object", at);
	for (size_t k = 0; k < TG_ARRAY_SIZE(keys); k++)
		if (strcmp(keys[k], key) && json_object_get(e, keys[k])) {
			snprintf(field, API_FIELD_LEN, "%s.%s", at, keys[k]);
			snprintf(msg, msglen, "%s.%s: the members of a %s group are %s (\"%s\")", at,
				 keys[k], kind, what, key);
			return false;
		}
	memset(m, 0, sizeof(*m));
	m->weight = 1;
	ref = json_object_get(e, key);
	if (!ref) {
		snprintf(field, API_FIELD_LEN, "%s.%s", at, key);
		snprintf(msg, msglen, "%s.%s is required", at, key);
		return false;
	}
	if (json_is_integer(ref) && json_integer_value(ref) > 0) {
		m->ref_id = json_integer_value(ref);
	} else if (!json_is_string(ref) || json_string_length(ref) < 1 || json_string_length(ref) > 32 ||
		   strspn(json_string_value(ref), API_NAME_CHARS) != json_string_length(ref)) {
		snprintf(field, API_FIELD_LEN, "%s.%s", at, key);
		snprintf(msg, msglen, "%s.%s must be a name or an id", at, key);
		return false;
	} else {
		tg_strlcpy(m->name, json_string_value(ref), sizeof(m->name));
	}
	rest = json_copy(e);
	if (!rest)
		return api_rt_bad(field, at, msg, msglen, "out of memory");
	json_object_del(rest, key);
	ok = api_fields_apply(member_fields, TG_ARRAY_SIZE(member_fields), rest, m, false, &fname,
			      fmsg, sizeof(fmsg));
	if (!ok) {      /* before the decref: fname may be one of rest's keys */
		snprintf(field, API_FIELD_LEN, "%s.%s", at, fname);
		snprintf(msg, msglen, "%s: %s", at, fmsg);
	}
	json_decref(rest);
	if (!ok)
		return false;
	if (strcmp(kind, "span") && (m->first_channel || m->last_channel))
		return api_rt_bad(field, at, msg, msglen, "%s: channels apply to span members only", at);
	if (!m->first_channel != !m->last_channel) {
		snprintf(field, API_FIELD_LEN, "%s.%s", at, m->first_channel ? "last_channel" : "first_channel");
		snprintf(msg, msglen, "%s: give first_channel and last_channel, or neither (the whole span)", at);
		return false;
	}
	if (m->first_channel > m->last_channel) {
		snprintf(field, API_FIELD_LEN, "%s.last_channel", at);
		snprintf(msg, msglen, "%s: last_channel %u is before first_channel %u", at,
			 m->last_channel, m->first_channel);
		return false;
	}
	return true;
}

static bool group_decode_members(void *obj, json_t *arr, char *field, char *msg, size_t msglen)
{
	struct db_trunk_group *g = obj;
	size_t i;
	json_t *e;

	if (!json_is_array(arr) || json_array_size(arr) > DB_TG_MAX_MEMBERS)
		return api_rt_bad(field, "members", msg, msglen, "members must be a list of up to %d members",
				  DB_TG_MAX_MEMBERS);
	json_array_foreach(arr, i, e) {
		if (!decode_member(g->kind, e, (unsigned)i, &g->members[i], field, msg, msglen))
			return false;
	}
	g->nmembers = (unsigned)json_array_size(arr);
	return true;
}

static bool group_check(void *obj, const void *oldp, json_t *body, char *field, char *msg,
			size_t msglen)
{
	const struct db_trunk_group *g = obj, *old = oldp;

	/* (members in the body were decoded after the fields, as the new kind) */
	if (old && strcmp(old->kind, g->kind) && g->nmembers && !json_object_get(body, "members"))
		return api_rt_bad(field, "members", msg, msglen, "members: a %s group's members "
				  "cannot stay when its kind becomes %s; give its new members",
				  old->kind, g->kind);
	return true;
}

static json_t *group_members_json(const void *obj)
{
	const struct db_trunk_group *g = obj;
	const char *what, *key = member_key(g->kind, &what);
	json_t *arr = json_array();

	for (unsigned i = 0; i < g->nmembers; i++) {
		const struct db_tg_member *m = &g->members[i];
		json_t *o = json_pack("{s:s}", key, m->name);

		if (!strcmp(g->kind, "span")) {
			json_object_set_new(o, "first_channel", json_integer(m->first_channel));
			json_object_set_new(o, "last_channel", json_integer(m->last_channel));
		}
		json_object_set_new(o, "weight", json_integer(m->weight));
		json_array_append_new(arr, o);
	}
	return arr;
}

static const char *group_name(const void *obj, char *buf, size_t len)
{
	return ((const struct db_trunk_group *)obj)->name;
}

static int group_list(struct db *db, void **vp, size_t *np)
{
	return db_trunk_group_list(db, (struct db_trunk_group **)vp, np);
}

static int group_get(struct db *db, const char *key, void *obj)
{
	return db_trunk_group_get(db, key, obj);
}

static int group_create(struct db *db, void *obj, struct db_routing_write *w)
{
	return db_trunk_group_create(db, obj, w);
}

static int group_update(struct db *db, void *obj, struct db_routing_write *w)
{
	return db_trunk_group_update(db, obj, w);
}

const struct api_rt_resource api_rt_trunk_groups = {
	.what = "trunk group", .list_key = "trunk_groups", .size = sizeof(struct db_trunk_group),
	.fields = group_fields, .nfields = TG_ARRAY_SIZE(group_fields), .array_key = "members",
	.init = group_init, .decode_array = group_decode_members, .check = group_check,
	.array_json = group_members_json, .name = group_name, .list = group_list, .get = group_get,
	.create = group_create, .update = group_update, .del = db_trunk_group_delete,
};

enum MHD_Result api_trunk_groups_list(struct web_req *r) { return api_rt_list(r, &api_rt_trunk_groups); }
enum MHD_Result api_trunk_group_get(struct web_req *r) { return api_rt_get(r, &api_rt_trunk_groups); }
enum MHD_Result api_trunk_group_create(struct web_req *r) { return api_rt_create(r, &api_rt_trunk_groups); }
enum MHD_Result api_trunk_group_update(struct web_req *r) { return api_rt_update(r, &api_rt_trunk_groups); }
enum MHD_Result api_trunk_group_delete(struct web_req *r) { return api_rt_delete(r, &api_rt_trunk_groups); }

/* ---- number ranges ---- */

#define RF(n, k, m, ...) { .name = n, .kind = k, .off = offsetof(struct db_number_range, m), \
	.size = sizeof(((struct db_number_range *)0)->m), __VA_ARGS__ }

static const struct api_field range_fields[] = {
	RF("id", API_ID, id, .readonly = true),
	RF("name", API_STRING, name, .required = true, .min = 1, .max = 32, .chars = API_NAME_CHARS),
	RF("first", API_STRING, first, .max = 32, .chars = API_NUMBER_CHARS),
	RF("last", API_STRING, last, .max = 32, .chars = API_NUMBER_CHARS),
	RF("prefix", API_STRING, prefix, .max = 32, .chars = API_NUMBER_CHARS),
	RF("group", API_STRING, group, .required = true, .min = 1, .max = 32, .chars = API_NAME_CHARS),
	RF("override_allowed", API_BOOL, override_allowed),
	RF("description", API_STRING, description, .max = 128),
};

const struct api_schema api_schema_number_range = {
	.out = "NumberRange", .create = "NumberRangeCreate", .update = "NumberRangeUpdate",
	.fields = range_fields, .nfields = TG_ARRAY_SIZE(range_fields),
};

static void range_init(void *obj)
{
}

static bool range_check(void *obj, const void *old, json_t *body, char *field, char *msg,
			size_t msglen)
{
	struct db_number_range *n = obj;
	struct route_range rr = {
		.id = n->id, .name = n->name, .first = n->first, .last = n->last, .prefix = n->prefix,
		.override_allowed = n->override_allowed,
	};
	const char *bad = NULL;
	char err[ROUTE_ERR_LEN] = "";

	/* on an update, giving one form clears the other */
	if (old && api_field_given(body, "prefix") && n->prefix[0] &&
	    !api_field_given(body, "first") && !api_field_given(body, "last"))
		n->first[0] = n->last[0] = '\0';
	if (old && (api_field_given(body, "first") || api_field_given(body, "last")) &&
	    n->first[0] && !api_field_given(body, "prefix"))
		n->prefix[0] = '\0';
	if (n->prefix[0] && (n->first[0] || n->last[0]))
		return api_rt_bad(field, "prefix", msg, msglen, "number range %s: give a prefix or "
				  "first and last, not both", n->name);
	if (!n->prefix[0] && !n->first[0] && !n->last[0])
		return api_rt_bad(field, "prefix", msg, msglen, "number range %s: give a prefix, or "
				  "first and last", n->name);
	if (!n->prefix[0] && (!n->first[0] || !n->last[0]))
		return api_rt_bad(field, n->first[0] ? "last" : "first", msg, msglen, "%s is required "
				  "with %s", n->first[0] ? "last" : "first", n->first[0] ? "first" : "last");
	if (!api_rt_number_ok(n->first, "first", field, msg, msglen) ||
	    !api_rt_number_ok(n->last, "last", field, msg, msglen) ||
	    !api_rt_number_ok(n->prefix, "prefix", field, msg, msglen))
		return false;
	if (route_range_check(&rr, &bad, err, sizeof(err)))
		return api_rt_bad(field, bad ? bad : n->prefix[0] ? "prefix" : "first", msg, msglen,
				  "%s", err[0] ? err : "the range is not valid");
	return true;
}

static const char *range_name(const void *obj, char *buf, size_t len)
{
	return ((const struct db_number_range *)obj)->name;
}

static int range_list(struct db *db, void **vp, size_t *np)
{
	return db_range_list(db, (struct db_number_range **)vp, np);
}

static int range_get(struct db *db, const char *key, void *obj)
{
	return db_range_get(db, key, obj);
}

static int range_create(struct db *db, void *obj, struct db_routing_write *w)
{
	return db_range_create(db, obj, w);
}

static int range_update(struct db *db, void *obj, struct db_routing_write *w)
{
	return db_range_update(db, obj, w);
}

const struct api_rt_resource api_rt_number_ranges = {
	.what = "number range", .list_key = "number_ranges", .size = sizeof(struct db_number_range),
	.fields = range_fields, .nfields = TG_ARRAY_SIZE(range_fields), .init = range_init,
	.check = range_check, .name = range_name, .list = range_list, .get = range_get,
	.create = range_create, .update = range_update, .del = db_range_delete,
};

enum MHD_Result api_number_ranges_list(struct web_req *r) { return api_rt_list(r, &api_rt_number_ranges); }
enum MHD_Result api_number_range_get(struct web_req *r) { return api_rt_get(r, &api_rt_number_ranges); }
enum MHD_Result api_number_range_create(struct web_req *r) { return api_rt_create(r, &api_rt_number_ranges); }
enum MHD_Result api_number_range_update(struct web_req *r) { return api_rt_update(r, &api_rt_number_ranges); }
enum MHD_Result api_number_range_delete(struct web_req *r) { return api_rt_delete(r, &api_rt_number_ranges); }
