/*
 * system.c -- GET /api/v1/health, GET /api/v1/status, and the system settings
 * (GET/PUT /api/v1/settings: name, location, contact, as SNMP's sysName,
 * sysLocation and sysContact will report them; the call timers
 * no_answer_timeout and max_call_duration, in seconds).  Settings are
 * key/value text rows; numbers are stored in decimal and shown as JSON
 * integers, with their default while unset.  The status document is built
 * by daemon/status/status_json.c, shared with the status socket.
 * HTTP threads.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "api"
#include "log.h"
#include "db.h"
#include "mainq.h"
#include "status/status_json.h"
#include "tg.h"
#include "call.h"
#include "api.h"
#include "config_int.h"
#include "routing_int.h"


enum MHD_Result api_health(struct web_req *r)
{
	struct status st;

	status_get(&st);
	return web_reply_json(r, st.stopping ? 503 : 200,
		json_pack("{s:s, s:s, s:I}", "status", st.stopping ? "stopping" : "ok",
			  "version", PACKAGE_VERSION, "schema_version", (json_int_t)db_schema_latest()));
}

enum MHD_Result api_status(struct web_req *r)
{
	struct status st;
	json_t *doc;

	status_get(&st);
	doc = status_json(&st, db_path_size(r->web->db_path), tg_now_ms());
	return doc ? web_reply_json(r, 200, doc) : MHD_NO;
}

/* GET /api/v1/status/spans/{name}/intervals: the span's 96 DS1 intervals. */
enum MHD_Result api_status_intervals(struct web_req *r)
{
	const struct status_span *ss;
	struct ds1_perf perf;
	struct status st;

	status_get(&st);
	ss = status_span_by_name(&st, r->param[0]);
	if (!ss || !status_perf_history(ss->id, &perf))
		return web_reply_error(r, 404, "not_found", NULL, "no span named \"%s\" in status",
				       r->param[0]);
	return web_reply_json(r, 200, status_intervals_json(ss, &perf));
}

/* One table drives decoding, validation and the error naming the bad field. */
static const struct {
	const char *name;
	bool number;                    /* an integer 0..max; else a string of at most max characters */
	unsigned max;
	unsigned def;                   /* number: the value while unset */
} setting_fields[] = {
	{ "system_name", false, 128, 0 },
	{ "location", false, 128, 0 },
	{ "contact", false, 128, 0 },
	{ "no_answer_timeout", true, CALL_NO_ANSWER_MAX_S, CALL_NO_ANSWER_DEFAULT_S },
	{ "max_call_duration", true, CALL_MAX_DURATION_MAX_S, 0 },
	{ "cdr_retention_days", true, 36500, 365 },     /* DB_RETENTION_DEFAULT; 0 = keep */
	{ "cdr_retention_max", true, 100000000, 5000000 },
	{ "event_retention_days", true, 36500, 90 },
	{ "event_retention_max", true, 100000000, 200000 },
};

_Static_assert(TG_ARRAY_SIZE(setting_fields) <= API_SETTINGS_MAX, "raise API_SETTINGS_MAX");

static bool printable_utf8(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;    /* jansson has already rejected invalid UTF-8 */
}

json_t *api_settings_json(struct db *db)
{
	json_t *o = json_object();

	for (size_t i = 0; i < TG_ARRAY_SIZE(setting_fields); i++) {
		char v[256] = "";
		int rc = db_setting_get(db, setting_fields[i].name, v, sizeof(v));

		if (setting_fields[i].number)
			json_object_set_new(o, setting_fields[i].name, json_integer(rc ?
				(json_int_t)setting_fields[i].def : strtoll(v, NULL, 10)));
		else
			json_object_set_new(o, setting_fields[i].name, json_string(v));
	}
	return o;
}

const char *api_setting_name(size_t i)
{
	return i < TG_ARRAY_SIZE(setting_fields) ? setting_fields[i].name : NULL;
}

bool api_settings_decode(json_t *body, struct api_settings *out, char *field, char *msg,
			 size_t msglen)
{
	const char *key;
	json_t *val;

	out->n = 0;
	json_object_foreach(body, key, val) {
		size_t i, n = out->n;

		for (i = 0; i < TG_ARRAY_SIZE(setting_fields); i++)
			if (strcmp(key, setting_fields[i].name) == 0)
				break;
		if (i == TG_ARRAY_SIZE(setting_fields))
			return api_rt_bad(field, key, msg, msglen, "unknown field \"%s\"", key);
		out->kv[n].key = setting_fields[i].name;
		if (setting_fields[i].number) {
			json_int_t v = json_is_integer(val) ? json_integer_value(val) : -1;

			if (v < 0 || v > (json_int_t)setting_fields[i].max)
				return api_rt_bad(field, key, msg, msglen,
						  "%s: must be an integer from 0 to %u (seconds; 0 = off)",
						  key, setting_fields[i].max);
			snprintf(out->numbers[n], sizeof(out->numbers[n]), "%lld", (long long)v);
			out->kv[n].value = out->numbers[n];
		} else if (!json_is_string(val)) {
			return api_rt_bad(field, key, msg, msglen, "%s: must be a string", key);
		} else if (json_string_length(val) > setting_fields[i].max) {
			return api_rt_bad(field, key, msg, msglen, "%s: longer than %u characters", key,
					  setting_fields[i].max);
		} else if (!printable_utf8(json_string_value(val)) ||
			   strlen(json_string_value(val)) != json_string_length(val)) {
			return api_rt_bad(field, key, msg, msglen,
					  "%s: control characters are not allowed", key);
		} else {
			out->kv[n].value = json_string_value(val);     /* borrowed from body */
		}
		out->n++;
	}
	return true;
}

enum MHD_Result api_settings_get(struct web_req *r)
{
	struct db *db = web_db(r);

	if (!db)
		return web_reply_error(r, 500, "internal", NULL, "database unavailable");
	return web_reply_json(r, 200, api_settings_json(db));
}

enum MHD_Result api_settings_put(struct web_req *r)
{
	struct db_actor who = { r->user, r->remote };
	char field[API_FIELD_LEN] = "", msg[300];
	unsigned long long gen = 0;
	struct api_settings set;
	enum MHD_Result mrc;
	struct db *db;
	json_t *body, *out;
	int rc;

	body = web_body_object(r, &mrc);
	if (!body)
		return mrc;
	if (!api_settings_decode(body, &set, field, msg, sizeof(msg))) {
		mrc = web_reply_error(r, 400, "invalid_field", field, "%s", msg);
		goto out;
	}
	if (set.n == 0) {
		mrc = web_reply_error(r, 400, "bad_request", NULL, "no settings given");
		goto out;
	}
	db = web_db(r);
	if (!db) {
		mrc = web_reply_error(r, 500, "internal", NULL, "database unavailable");
		goto out;
	}
	rc = db_settings_put(db, set.kv, set.n, &who, &gen);
	if (rc) {
		log_err("settings update by %s failed: %s", r->user, db_errmsg(db));
		mrc = web_reply_error(r, 500, "internal", NULL, "the change was not saved: %s",
				      strerror(rc));
		goto out;
	}
	mainq_post(&(struct mainq_msg){ .type = MAINQ_CONFIG_GENERATION, .u.config.generation = gen });
	out = api_settings_json(db);
	json_object_set_new(out, "generation", json_integer((json_int_t)gen));
	mrc = web_reply_json(r, 200, out);
 out:
	json_decref(body);
	return mrc;
}
