/*
 * spans.c -- /api/v1/spans: T1/E1 spans, create/read/update/delete.  A write
 * is one transaction (row + audit + generation) and the main thread then
 * opens, re-opens or closes the span live.  HTTP threads.
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
#include "hw.h"
#include "mainq.h"
#include "routing_int.h"
#include "tg.h"

static const char *const drivers[] = { "sim", "dahdi", NULL };
static const char *const types[] = { "T1", "E1", NULL };
static const char *const framings[] = { "ESF", "D4", "CCS", "CAS", NULL };
static const char *const line_codes[] = { "B8ZS", "AMI", "HDB3", NULL };
static const char *const clocks[] = { "line", "internal", NULL };
static const char *const signallings[] = { "pri", NULL };
static const char *const sides[] = { "network", "user", NULL };
static const char *const switches[] = { "ni2", "5ess", "dms100", "euroisdn", "qsig", NULL };
static const char *const huntings[] = { "ascending", "descending", "round-robin", NULL };
static const char *const busy_out_methods[] = { "dchan", "service", NULL };

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"
#define F(n, k, m, ...) { .name = n, .kind = k, .off = offsetof(struct db_span, m), \
	.size = sizeof(((struct db_span *)0)->m), __VA_ARGS__ }

static const struct api_field span_fields[] = {
	F("id", API_ID, id, .readonly = true),
	F("name", API_STRING, name, .required = true, .min = 1, .max = 32, .chars = NAME_CHARS),
	F("enabled", API_BOOL, enabled),
	F("driver", API_ENUM, driver, .choices = drivers),
	F("position", API_UINT, position, .min = 1, .max = 128),
	F("type", API_ENUM, type, .required = true, .choices = types),
	F("framing", API_ENUM, framing, .choices = framings),
	F("line_code", API_ENUM, line_code, .choices = line_codes),
	F("crc4", API_BOOL, crc4),
	F("clock_source", API_ENUM, clock_source, .choices = clocks),
	F("signalling", API_ENUM, signalling, .choices = signallings),
	F("pri_side", API_ENUM, pri_side, .choices = sides),
	F("switch_type", API_ENUM, switch_type, .choices = switches),
	F("hunting", API_ENUM, hunting, .choices = huntings),
	F("test_number", API_STRING, test_number, .max = 32, .chars = "0123456789*#+"),
	F("debug", API_BOOL, debug),
	F("sim_attach", API_STRING, sim_attach, .max = 255),
	F("busy_out_group", API_STRING, busy_out_group, .nullable = true, .max = 32, .chars = NAME_CHARS),
	F("busy_out_method", API_ENUM, busy_out_method, .choices = busy_out_methods),
	F("echo_tail_ms", API_UINT, echo_tail_ms, .min = 0, .max = 128),
};
#define NFIELDS TG_ARRAY_SIZE(span_fields)

const struct api_schema api_schema_span = {
	.out = "Span", .create = "SpanCreate", .update = "SpanUpdate",
	.fields = span_fields, .nfields = NFIELDS,
};

/* Type-dependent defaults for what the body left out. */
static void span_defaults(struct db_span *sp, json_t *body, bool type_changed)
{
	bool t1 = strcmp(sp->type, "T1") == 0;

	if (!api_field_given(body, "framing") && (type_changed || !sp->framing[0]))
		tg_strlcpy(sp->framing, t1 ? "ESF" : "CCS", sizeof(sp->framing));
	if (!api_field_given(body, "line_code") && (type_changed || !sp->line_code[0]))
		tg_strlcpy(sp->line_code, t1 ? "B8ZS" : "HDB3", sizeof(sp->line_code));
	if (!api_field_given(body, "crc4") && type_changed)
		sp->crc4 = !t1;
	if (!api_field_given(body, "switch_type") && (type_changed || !sp->switch_type[0]))
		tg_strlcpy(sp->switch_type, t1 ? "ni2" : "euroisdn", sizeof(sp->switch_type));
}

/* Rules across fields; false with field and message. */
static bool span_check(const struct db_span *sp, const char **field, char *msg, size_t len)
{
	bool t1 = strcmp(sp->type, "T1") == 0;

	if (t1 ? (strcmp(sp->framing, "ESF") && strcmp(sp->framing, "D4")) :
		 (strcmp(sp->framing, "CCS") && strcmp(sp->framing, "CAS"))) {
		*field = "framing";
		snprintf(msg, len, "framing %s does not fit a %s span (%s)", sp->framing, sp->type,
			 t1 ? "ESF or D4" : "CCS or CAS");
		return false;
	}
	if (t1 ? !strcmp(sp->line_code, "HDB3") : !strcmp(sp->line_code, "B8ZS")) {
		*field = "line_code";
		snprintf(msg, len, "line code %s does not fit a %s span (%s)", sp->line_code, sp->type,
			 t1 ? "B8ZS or AMI" : "HDB3 or AMI");
		return false;
	}
	if (t1 && sp->crc4) {
		*field = "crc4";
		snprintf(msg, len, "crc4 is an E1 option; a T1 span checks CRC-6 with ESF framing");
		return false;
	}
	if (!strcmp(sp->framing, "CAS")) {
		*field = "framing";
		snprintf(msg, len, "CAS signalling is not supported yet; use CCS (ISDN PRI)");
		return false;
	}
	if (!hw_driver_find(sp->driver)) {
		*field = "driver";
		snprintf(msg, len, "driver %s is not built into this trunkgated", sp->driver);
		return false;
	}
	if (sp->sim_attach[0] && strcmp(sp->driver, "sim")) {
		*field = "sim_attach";
		snprintf(msg, len, "sim_attach applies to sim spans only");
		return false;
	}
	if (sp->sim_attach[0] && sp->sim_attach[0] != '/') {
		*field = "sim_attach";
		snprintf(msg, len, "sim_attach must be an absolute path to another span's socket");
		return false;
	}
	if (!strcmp(sp->busy_out_method, "service") && strcmp(sp->switch_type, "ni2") &&
	    strcmp(sp->switch_type, "5ess") && strcmp(sp->switch_type, "dms100")) {
		*field = "busy_out_method";
		snprintf(msg, len, "busy_out_method service (Q.931 SERVICE messages) needs switch_type "
			 "ni2, 5ess or dms100, not %s; use dchan", sp->switch_type);
		return false;
	}
	if (sp->echo_tail_ms && sp->echo_tail_ms < 32) {
		*field = "echo_tail_ms";
		snprintf(msg, len, "echo_tail_ms %u: the echo canceller's tail is 32..128 ms "
			 "(0 turns it off)", sp->echo_tail_ms);
		return false;
	}
	if (!strcmp(sp->busy_out_method, "service")) {
		*field = "busy_out_method";
		snprintf(msg, len, "busy_out_method service is not implemented yet; use dchan");
		return false;
	}
	return true;
}

/* The busy-out group must be a SIP trunk group: busy-out answers "the SIP
 * side is unreachable", and a SIP group's health never depends on spans, so
 * no two spans can hold each other out of service. */
static bool busy_out_check(struct db *db, const struct db_span *sp, const char **field, char *msg,
			   size_t len)
{
	struct db_trunk_group *g;
	bool ok = true;
	int rc;

	if (!sp->busy_out_group[0])
		return true;
	*field = "busy_out_group";
	g = calloc(1, sizeof(*g));
	if (!g) {
		snprintf(msg, len, "out of memory");
		return false;
	}
	rc = db_trunk_group_get(db, sp->busy_out_group, g);
	if (rc) {
		snprintf(msg, len, "busy_out_group: %s", rc == ENOENT ? "no trunk group by that name" :
			 "cannot read trunk groups");
		ok = false;
	} else if (strcmp(g->kind, "sip")) {
		snprintf(msg, len, "busy_out_group %s is a %s group; busy-out follows a sip trunk group",
			 g->name, g->kind);
		ok = false;
	}
	free(g);
	return ok;
}

/* A new span's defaults, before the body. */
static void span_init(void *obj)
{
	struct db_span *sp = obj;

	sp->enabled = true;
	tg_strlcpy(sp->driver, "sim", sizeof(sp->driver));
	tg_strlcpy(sp->clock_source, "line", sizeof(sp->clock_source));
	tg_strlcpy(sp->signalling, "pri", sizeof(sp->signalling));
	tg_strlcpy(sp->pri_side, "user", sizeof(sp->pri_side));
	tg_strlcpy(sp->hunting, "ascending", sizeof(sp->hunting));
	tg_strlcpy(sp->busy_out_method, "dchan", sizeof(sp->busy_out_method));
}

/* After the body's fields: the type's defaults, then the rules across fields. */
static bool span_complete(struct db_span *sp, json_t *body, const char **field, char *msg,
			  size_t len)
{
	span_defaults(sp, body, true);
	if (!api_field_given(body, "crc4"))
		sp->crc4 = !strcmp(sp->type, "E1");
	return span_check(sp, field, msg, len);
}

/* The configuration export/import's view of spans (routing_int.h): a new
 * span decoded as a create decodes it.  busy_out_group is checked against
 * the document's groups by the import, position filled in there. */
static bool span_import_check(void *obj, const void *old, json_t *body, char *field, char *msg,
			      size_t msglen)
{
	const char *fname = NULL;

	(void)old;
	if (span_complete(obj, body, &fname, msg, msglen))
		return true;
	snprintf(field, API_FIELD_LEN, "%s", fname ? fname : "");
	return false;
}

static const char *span_name(const void *obj, char *buf, size_t len)
{
	return ((const struct db_span *)obj)->name;
}

static int span_list(struct db *db, void **vp, size_t *np)
{
	return db_span_list(db, (struct db_span **)vp, np);
}

static int span_get(struct db *db, const char *key, void *obj)
{
	return db_span_get(db, key, obj);
}

const struct api_rt_resource api_rt_spans = {
	.what = "span", .list_key = "spans", .size = sizeof(struct db_span),
	.fields = span_fields, .nfields = NFIELDS, .init = span_init, .check = span_import_check,
	.name = span_name, .list = span_list, .get = span_get,
};

static enum MHD_Result reply_span(struct web_req *r, unsigned status, const struct db_span *sp,
				  unsigned long long gen)
{
	json_t *o = api_fields_to_json(span_fields, NFIELDS, sp);

	if (gen)
		json_object_set_new(o, "generation", json_integer((json_int_t)gen));
	return web_reply_json_etag(r, status, o);
}

/* If-Match against the span as it is now. */
static bool span_if_match(struct web_req *r, const struct db_span *sp, enum MHD_Result *mrc)
{
	json_t *cur = api_fields_to_json(span_fields, NFIELDS, sp);
	bool ok = web_if_match(r, cur, mrc);

	json_decref(cur);
	return ok;
}

static void post_generation(unsigned long long gen)
{
	mainq_post(&(struct mainq_msg){ .type = MAINQ_CONFIG_GENERATION, .u.config.generation = gen });
}

enum MHD_Result api_spans_list(struct web_req *r)
{
	struct db_span *v = NULL;
	struct db *db = web_db(r);
	json_t *arr;
	size_t n = 0;

	if (!db || db_span_list(db, &v, &n))
		return web_reply_error(r, 500, "internal", NULL, "cannot read spans");
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, api_fields_to_json(span_fields, NFIELDS, &v[i]));
	free(v);
	return web_reply_json(r, 200, json_pack("{s:o}", "spans", arr));
}

enum MHD_Result api_span_get(struct web_req *r)
{
	struct db *db = web_db(r);
	struct db_span sp;
	int rc;

	if (!db)
		return web_reply_error(r, 500, "internal", NULL, "database unavailable");
	rc = db_span_get(db, r->param[0], &sp);
	if (rc == ENOENT)
		return web_reply_error(r, 404, "not_found", NULL, "no span %s", r->param[0]);
	if (rc)
		return web_reply_error(r, 500, "internal", NULL, "cannot read span");
	return reply_span(r, 200, &sp, 0);
}

static enum MHD_Result write_error(struct web_req *r, int rc, const struct db_span *sp, struct db *db)
{
	if (rc == EINVAL)       /* the group went away between the check and the write */
		return web_reply_error(r, 400, "invalid_field", "busy_out_group",
				       "busy_out_group: no trunk group named %s", sp->busy_out_group);
	if (rc == EEXIST)
		return web_reply_error(r, 409, "conflict", "name",
				       "a span named %s, or span %u on driver %s, exists already",
				       sp->name, sp->position, sp->driver);
	log_err("span write failed: %s", db_errmsg(db));
	return web_reply_error(r, 500, "internal", NULL, "the change was not saved");
}

/* The first position not used by another span of the same driver. */
static unsigned free_position(struct db *db, const char *driver)
{
	struct db_span *v = NULL;
	unsigned pos = 1;
	size_t n = 0;
	bool taken = true;

	if (db_span_list(db, &v, &n))
		return 1;
	while (taken) {
		taken = false;
		for (size_t i = 0; i < n; i++)
			if (!strcmp(v[i].driver, driver) && v[i].position == pos) {
				taken = true;
				pos++;
				break;
			}
	}
	free(v);
	return pos;
}

enum MHD_Result api_span_create(struct web_req *r)
{
	struct db_actor who = { r->user, r->remote };
	struct db_span sp = { 0 };
	unsigned long long gen = 0;
	const char *field = NULL;
	enum MHD_Result mrc;
	struct db *db = web_db(r);
	char msg[300];
	json_t *body;
	int rc;

	body = web_body_object(r, &mrc);
	if (!body)
		return mrc;
	span_init(&sp);
	if (!api_fields_apply(span_fields, NFIELDS, body, &sp, true, &field, msg, sizeof(msg)) ||
	    !span_complete(&sp, body, &field, msg, sizeof(msg))) {
		mrc = web_reply_error(r, 400, "invalid_field", field, "%s", msg);
		goto out;
	}
	if (!db) {
		mrc = web_reply_error(r, 500, "internal", NULL, "database unavailable");
		goto out;
	}
	if (!busy_out_check(db, &sp, &field, msg, sizeof(msg))) {
		mrc = web_reply_error(r, 400, "invalid_field", field, "%s", msg);
		goto out;
	}
	if (!api_field_given(body, "position"))
		sp.position = free_position(db, sp.driver);
	rc = db_span_create(db, &sp, &who, &gen);
	if (rc) {
		mrc = write_error(r, rc, &sp, db);
		goto out;
	}
	log_info("%s created span %s (%s, %s)", r->user, sp.name, sp.type, sp.switch_type);
	post_generation(gen);
	mrc = reply_span(r, 201, &sp, gen);
 out:
	json_decref(body);
	return mrc;
}

enum MHD_Result api_span_update(struct web_req *r)
{
	struct db_actor who = { r->user, r->remote };
	unsigned long long gen = 0;
	const char *field = NULL;
	enum MHD_Result mrc;
	struct db *db = web_db(r);
	struct db_span sp;
	char msg[300], old_type[4];
	json_t *body;
	int rc;

	if (!db)
		return web_reply_error(r, 500, "internal", NULL, "database unavailable");
	rc = db_span_get(db, r->param[0], &sp);
	if (rc == ENOENT)
		return web_reply_error(r, 404, "not_found", NULL, "no span %s", r->param[0]);
	if (rc)
		return web_reply_error(r, 500, "internal", NULL, "cannot read span");
	if (!span_if_match(r, &sp, &mrc))
		return mrc;
	body = web_body_object(r, &mrc);
	if (!body)
		return mrc;
	tg_strlcpy(old_type, sp.type, sizeof(old_type));
	if (!api_fields_apply(span_fields, NFIELDS, body, &sp, false, &field, msg, sizeof(msg))) {
		mrc = web_reply_error(r, 400, "invalid_field", field, "%s", msg);
		goto out;
	}
	span_defaults(&sp, body, strcmp(old_type, sp.type) != 0);
	if (!span_check(&sp, &field, msg, sizeof(msg)) || !busy_out_check(db, &sp, &field, msg, sizeof(msg))) {
		mrc = web_reply_error(r, 400, "invalid_field", field, "%s", msg);
		goto out;
	}
	rc = db_span_update(db, &sp, &who, &gen);
	if (rc) {
		mrc = rc == ENOENT ? web_reply_error(r, 404, "not_found", NULL, "no span %s", r->param[0]) :
		      write_error(r, rc, &sp, db);
		goto out;
	}
	log_info("%s changed span %s", r->user, sp.name);
	post_generation(gen);
	mrc = reply_span(r, 200, &sp, gen);
 out:
	json_decref(body);
	return mrc;
}

enum MHD_Result api_span_delete(struct web_req *r)
{
	struct db_actor who = { r->user, r->remote };
	enum MHD_Result mrc;
	unsigned long long gen = 0;
	struct db *db = web_db(r);
	struct db_span sp;
	char why[128] = "";
	int rc;

	if (!db)
		return web_reply_error(r, 500, "internal", NULL, "database unavailable");
	rc = db_span_get(db, r->param[0], &sp);
	if (rc == ENOENT)
		return web_reply_error(r, 404, "not_found", NULL, "no span %s", r->param[0]);
	if (!rc && !span_if_match(r, &sp, &mrc))
		return mrc;
	if (!rc)
		rc = db_span_delete(db, sp.id, &who, &gen, why, sizeof(why));
	if (rc == EBUSY)
		return web_reply_error(r, 409, "in_use", NULL, "span %s is used by %s", sp.name, why);
	if (rc == ENOENT)
		return web_reply_error(r, 404, "not_found", NULL, "no span %s", r->param[0]);
	if (rc)
		return web_reply_error(r, 500, "internal", NULL, "the span was not deleted");
	log_info("%s deleted span %s", r->user, sp.name);
	post_generation(gen);
	return web_reply_empty(r, 204);
}

/* POST /api/v1/spans/{id}/test-call {"called", "calling", "hold_seconds"}:
 * place a call out of the span from the gateway itself (commissioning). */
enum MHD_Result api_span_test_call(struct web_req *r)
{
	static const char digits[] = "0123456789*#+";
	struct mainq_msg msg = { .type = MAINQ_SPAN_TEST_CALL };
	struct mainq_reply *reply = NULL;
	struct db *db = web_db(r);
	enum MHD_Result mrc;
	struct db_span sp;
	json_t *body, *v;
	const char *key;
	int rc;

	if (!db)
		return web_reply_error(r, 500, "internal", NULL, "database unavailable");
	rc = db_span_get(db, r->param[0], &sp);
	if (rc == ENOENT)
		return web_reply_error(r, 404, "not_found", NULL, "no span %s", r->param[0]);
	body = web_body_object(r, &mrc);
	if (!body)
		return mrc;
	msg.u.test_call.span_id = sp.id;
	msg.u.test_call.hold_seconds = 10;
	json_object_foreach(body, key, v) {
		char *dst = NULL;

		if (!strcmp(key, "called"))
			dst = msg.u.test_call.called;
		else if (!strcmp(key, "calling"))
			dst = msg.u.test_call.calling;
		else if (!strcmp(key, "hold_seconds")) {
			if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 86400) {
				mrc = web_reply_error(r, 400, "invalid_field", key,
						      "hold_seconds must be an integer 0..86400 (0: until the far end hangs up)");
				goto out;
			}
			msg.u.test_call.hold_seconds = (unsigned)json_integer_value(v);
			continue;
		} else {
			mrc = web_reply_error(r, 400, "invalid_field", key, "unknown field \"%s\"", key);
			goto out;
		}
		if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 32 ||
		    strspn(json_string_value(v), digits) != json_string_length(v)) {
			mrc = web_reply_error(r, 400, "invalid_field", key,
					      "%s must be 1 to 32 digits (0-9, *, #, leading +)", key);
			goto out;
		}
		tg_strlcpy(dst, json_string_value(v), 33);
	}
	if (!msg.u.test_call.called[0]) {
		mrc = web_reply_error(r, 400, "invalid_field", "called", "called is required");
		goto out;
	}
	reply = mainq_reply_new();
	if (!reply) {
		mrc = web_reply_error(r, 500, "internal", NULL, "out of memory");
		goto out;
	}
	msg.u.test_call.reply = reply;
	rc = mainq_request(&msg, reply, 5000);
	if (rc)
		mrc = web_reply_error(r, 503, "unavailable", NULL, "the daemon did not answer: %s",
				      strerror(rc));
	else if (reply->rc)
		mrc = web_reply_error(r, reply->rc == ENOENT ? 409 : 503,
				      reply->rc == EBUSY ? "no_circuit" : "span_unavailable", NULL,
				      "span %s: %s", sp.name, reply->msg);
	else
		mrc = web_reply_json(r, 202, json_pack("{s:s, s:s, s:i, s:s}", "span", sp.name,
					"called", msg.u.test_call.called, "channel", (int)reply->channel,
					"result", reply->msg));
 out:
	mainq_reply_unref(reply);
	json_decref(body);
	return mrc;
}
