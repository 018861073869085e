/*
 * bypass.c -- survivability in the REST API:
 *
 *   /api/v1/bypass-pairs[/{id}]        bypass relay pairs, create/read/update/
 *                                      delete through the generic routing
 *                                      resource handlers (routing.c): one
 *                                      transaction with an audit row and a new
 *                                      generation, applied live.
 *   PUT /api/v1/trunk-groups/{id}/state  {"down": true|false}: mark a trunk
 *                                      group down or up.  Runtime state, not
 *                                      configuration: nothing is written, the
 *                                      main thread holds it, a restart forgets
 *                                      it.  The answer comes once the main
 *                                      thread has applied it (and published
 *                                      status, which the route tester reads).
 *
 * HTTP threads.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "api"
#include "log.h"
#include "api.h"
#include "db.h"
#include "fields.h"
#include "mainq.h"
#include "routing_int.h"
#include "tg.h"

static const char *const modes[] = { "auto", "engaged", "released", NULL };

#define F(n, k, m, ...) { .name = n, .kind = k, .off = offsetof(struct db_bypass_pair, m), \
	.size = sizeof(((struct db_bypass_pair *)0)->m), __VA_ARGS__ }

static const struct api_field pair_fields[] = {
	F("id", API_ID, id, .readonly = true),
	F("name", API_STRING, name, .required = true, .min = 1, .max = 32, .chars = API_NAME_CHARS),
	F("span_a", API_STRING, span_a, .required = true, .min = 1, .max = 32, .chars = API_NAME_CHARS),
	F("span_b", API_STRING, span_b, .required = true, .min = 1, .max = 32, .chars = API_NAME_CHARS),
	F("mode", API_ENUM, mode, .choices = modes),
};

const struct api_schema api_schema_bypass_pair = {
	.out = "BypassPair", .create = "BypassPairCreate", .update = "BypassPairUpdate",
	.fields = pair_fields, .nfields = TG_ARRAY_SIZE(pair_fields),
};

static void pair_init(void *obj)
{
	tg_strlcpy(((struct db_bypass_pair *)obj)->mode, "auto", sizeof(((struct db_bypass_pair *)0)->mode));
}

/* Both spans exist and are not in another pair: checked by db/bypass.c in
 * the write's transaction (400 naming span_a/span_b).  Here, what needs no
 * database. */
static bool pair_check(void *obj, const void *old, json_t *body, char *field, char *msg,
		       size_t msglen)
{
	const struct db_bypass_pair *p = obj;

	if (!strcmp(p->span_a, p->span_b))
		return api_rt_bad(field, "span_b", msg, msglen, "span_b: a pair joins two different "
				  "spans (both are %s)", p->span_a);
	return true;
}

static const char *pair_name(const void *obj, char *buf, size_t len)
{
	return ((const struct db_bypass_pair *)obj)->name;
}

static int pair_list(struct db *db, void **vp, size_t *np)
{
	return db_bypass_list(db, (struct db_bypass_pair **)vp, np);
}

static int pair_get(struct db *db, const char *key, void *obj)
{
	return db_bypass_get(db, key, obj);
}

static int pair_create(struct db *db, void *obj, struct db_routing_write *w)
{
	return db_bypass_create(db, obj, w);
}

static int pair_update(struct db *db, void *obj, struct db_routing_write *w)
{
	return db_bypass_update(db, obj, w);
}

const struct api_rt_resource api_rt_bypass_pairs = {
	.what = "bypass pair", .list_key = "bypass_pairs", .size = sizeof(struct db_bypass_pair),
	.fields = pair_fields, .nfields = TG_ARRAY_SIZE(pair_fields), .init = pair_init,
	.check = pair_check, .name = pair_name, .list = pair_list, .get = pair_get,
	.create = pair_create, .update = pair_update, .del = db_bypass_delete,
};

enum MHD_Result api_bypass_list(struct web_req *r) { return api_rt_list(r, &api_rt_bypass_pairs); }
enum MHD_Result api_bypass_get(struct web_req *r) { return api_rt_get(r, &api_rt_bypass_pairs); }
enum MHD_Result api_bypass_create(struct web_req *r) { return api_rt_create(r, &api_rt_bypass_pairs); }
enum MHD_Result api_bypass_update(struct web_req *r) { return api_rt_update(r, &api_rt_bypass_pairs); }
enum MHD_Result api_bypass_delete(struct web_req *r) { return api_rt_delete(r, &api_rt_bypass_pairs); }

enum MHD_Result api_trunk_group_state(struct web_req *r)
{
	struct mainq_msg msg = { .type = MAINQ_GROUP_STATE };
	struct mainq_reply *reply = NULL;
	struct db *db = web_db(r);
	struct db_trunk_group *g = NULL;
	enum MHD_Result mrc;
	json_t *body, *v;
	const char *key;
	bool given = false;
	int rc;

	if (!db)
		return web_reply_error(r, 500, "internal", NULL, "database unavailable");
	body = web_body_object(r, &mrc);
	if (!body)
		return mrc;
	json_object_foreach(body, key, v) {
		if (strcmp(key, "down")) {
			mrc = web_reply_error(r, 400, "invalid_field", key, "unknown field \"%s\"", key);
			goto out;
		}
		if (!json_is_boolean(v)) {
			mrc = web_reply_error(r, 400, "invalid_field", "down", "down must be true or false");
			goto out;
		}
		msg.u.group_state.down = json_is_true(v);
		given = true;
	}
	if (!given) {
		mrc = web_reply_error(r, 400, "invalid_field", "down", "down is required (true or false)");
		goto out;
	}
	g = calloc(1, sizeof(*g));             /* large: members inline */
	if (!g) {
		mrc = web_reply_error(r, 500, "internal", NULL, "out of memory");
		goto out;
	}
	rc = db_trunk_group_get(db, r->param[0], g);
	if (rc) {
		mrc = rc == ENOENT ? web_reply_error(r, 404, "not_found", NULL, "no trunk group %s",
						     r->param[0]) :
		      web_reply_error(r, 500, "internal", NULL, "cannot read trunk group");
		goto out;
	}
	reply = mainq_reply_new();
	if (!reply) {
		mrc = web_reply_error(r, 500, "internal", NULL, "out of memory");
		goto out;
	}
	msg.u.group_state.group_id = g->id;
	msg.u.group_state.reply = reply;
	rc = mainq_request(&msg, reply, 5000);
	if (rc) {
		mrc = web_reply_error(r, 503, "unavailable", NULL, "the daemon did not answer: %s",
				      strerror(rc));
	} else if (reply->rc) {
		mrc = web_reply_error(r, 409, "not_applied", NULL, "trunk group %s: %s", g->name, reply->msg);
	} else {
		struct db_actor who = { r->user, r->remote };

		log_info("%s marked trunk group %s %s", r->user, g->name,
			 msg.u.group_state.down ? "down" : "up");
		db_audit_add(db, &who, msg.u.group_state.down ? "mark-down" : "mark-up", "trunk_group",
			     g->name);
		mrc = web_reply_json(r, 200, json_pack("{s:s, s:b, s:s}", "name", g->name, "down",
					msg.u.group_state.down, "result", reply->msg));
	}
 out:
	mainq_reply_unref(reply);
	free(g);
	json_decref(body);
	return mrc;
}
