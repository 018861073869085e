/*
 * system.c -- GET /api/v1/health, GET /api/v1/status, and the system settings
 * (GET/PUT /api/v1/settings: name, location, contact, as SNMP's sysName,
 * sysLocation and sysContact will report them; the call timers
 * no_answer_timeout and max_call_duration, in seconds).  Settings are
 * key/value text rows; numbers are stored in decimal and shown as JSON
 * integers, with their default while unset.  HTTP threads.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "api"
#include "log.h"
#include "db.h"
#include "hw.h"
#include "isdn.h"
#include "mainq.h"
#include "status/status.h"
#include "surv/surv.h"
#include "tg.h"
#include "call.h"
#include "api.h"


enum MHD_Result api_health(struct web_req *r)
{
	struct status st;

	status_get(&st);
	return web_reply_json(r, st.stopping ? 503 : 200,
		json_pack("{s:s, s:s, s:I}", "status", st.stopping ? "stopping" : "ok",
			  "version", PACKAGE_VERSION, "schema_version", (json_int_t)db_schema_latest()));
}

static json_t *span_status_json(const struct status_span *ss)
{
	const struct hw_counters *k = &ss->counters;
	char alarms[64];
	json_t *o, *chans, *alist;
	const char *state;

	if (!ss->enabled)
		state = "disabled";
	else if (!ss->open)
		state = "error";
	else if (ss->busy_out)
		state = "busy_out";
	else if (ss->alarms & (HW_ALARM_LOS | HW_ALARM_RED | HW_ALARM_BLUE))
		state = "alarm";
	else if (!ss->link_up)
		state = "down";
	else
		state = "up";
	alist = json_array();
	hw_alarm_names(ss->alarms, alarms, sizeof(alarms));
	for (char *tok = strtok(alarms, ","); tok; tok = strtok(NULL, ","))
		json_array_append_new(alist, json_string(tok));
	chans = json_array();
	for (unsigned i = 0; i < ss->nchannels; i++)
		json_array_append_new(chans, json_pack("{s:i, s:s}", "channel", ss->channel[i], "state",
			isdn_channel_state_name((enum isdn_channel_state)ss->channel_state[i])));
	json_error_t jerr;

	o = json_pack_ex(&jerr, 0, "{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:b, s:i, s:I, s:o}",
		"id", (json_int_t)ss->id, "name", ss->name, "type", ss->type, "driver", ss->driver,
		"switch_type", ss->switch_type, "pri_side", ss->side, "state", state,
		"alarms", alist, "link_up", ss->link_up, "active_calls", (int)ss->active_calls,
		"total_calls", (json_int_t)ss->total_calls, "channels", chans);
	if (!o) {
		log_err("status of span %s: %s", ss->name, jerr.text);
		return NULL;
	}
	if (ss->error[0])
		json_object_set_new(o, "error", json_string(ss->error));
	json_object_set_new(o, "busy_out", json_boolean(ss->busy_out));
	json_object_set_new(o, "counters", json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"line_code_violations", (json_int_t)k->line_code_violations,
		"crc_errors", (json_int_t)k->crc_errors, "frame_slips", (json_int_t)k->frame_slips,
		"errored_seconds", (json_int_t)k->errored_seconds,
		"severely_errored_seconds", (json_int_t)k->severely_errored_seconds,
		"unavailable_seconds", (json_int_t)k->unavailable_seconds,
		"rx_missing_periods", (json_int_t)k->rx_missing,
		"dchan_rx", (json_int_t)k->dchan_rx, "dchan_tx", (json_int_t)k->dchan_tx));
	return o;
}

/* Trunk groups' health and the bypass relays (survivability). */
static json_t *groups_json(const struct status *st)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < st->ngroups; i++) {
		const struct status_group *g = &st->groups[i];
		char why[128];

		json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:s, s:s?}", "id", (json_int_t)g->id,
			"name", g->name, "kind", g->kind, "state", g->down ? "down" : "up",
			"reason", g->down ? surv_reason_text(g->reasons, why, sizeof(why)) : NULL));
	}
	return a;
}

static json_t *bypass_json(const struct status *st)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < st->nbypass; i++) {
		const struct status_bypass *b = &st->bypass[i];

		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?}", "name", b->name,
			"span_a", b->span_a, "span_b", b->span_b, "mode", b->mode,
			"relay", b->engaged ? "engaged" : "released", "error", b->error[0] ? b->error : NULL));
	}
	return a;
}

/* SIP trunks: health per next hop (OPTIONS probes), calls, registration. */
static json_t *sip_trunks_json(const struct status *st)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < st->nsip_trunks; i++) {
		const struct status_sip_trunk *t = &st->sip_trunks[i];
		json_t *hops = json_array();

		for (unsigned k = 0; k < t->nhops; k++) {
			const struct status_sip_hop *h = &t->hops[k];

			json_array_append_new(hops, json_pack("{s:s, s:i, s:s, s:s, s:o, s:o, s:o}",
				"host", h->host, "port", (int)h->port, "transport", h->transport,
				"state", h->state,
				"rtt_ms", h->rtt_ms >= 0 ? json_real((double)(long long)(h->rtt_ms * 100) / 100) :
					json_null(),
				"last_status", h->last_status ? json_integer(h->last_status) : json_null(),
				"last_change", h->changed_at_ms ? json_integer(h->changed_at_ms) : json_null()));
		}
		json_array_append_new(a, json_pack("{s:I, s:s, s:b, s:s, s:i, s:o, s:o}",
			"id", (json_int_t)t->id, "name", t->name, "enabled", t->enabled,
			"state", t->state, "active_calls", (int)t->active_calls, "next_hops", hops,
			"registration", !t->reg_state[0] ? json_null() : json_pack("{s:s, s:o, s:o}",
				"state", t->reg_state,
				"last_status", t->reg_status ? json_integer(t->reg_status) : json_null(),
				"expires_at", t->reg_expires_at_ms ? json_integer(t->reg_expires_at_ms) :
					json_null())));
	}
	return a;
}

enum MHD_Result api_status(struct web_req *r)
{
	struct status st;
	struct db *db = web_db(r);
	json_t *sys, *cdrs;

	json_t *spans = json_array();

	status_get(&st);
	for (unsigned i = 0; i < st.nspans; i++) {
		json_array_append_new(spans, span_status_json(&st.spans[i]));
	}
	sys = json_pack("{s:s, s:I, s:I, s:I, s:s, s:s, s:s, s:b}",
		"version", st.version,
		"started_at", (json_int_t)st.started_at_ms,
		"uptime_seconds", (json_int_t)((tg_now_ms() - st.started_mono_ms) / 1000),
		"db_size_bytes", (json_int_t)(db ? db_file_size(db) : -1),
		"system_name", st.system_name, "location", st.location, "contact", st.contact,
		"demo", st.demo);
	cdrs = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"written", (json_int_t)st.cdr_written, "batches", (json_int_t)st.cdr_batches,
		"failed", (json_int_t)st.cdr_failed, "dropped", (json_int_t)st.cdr_dropped,
		"pending", (json_int_t)st.cdr_pending,
		"queue_high_water", (json_int_t)st.cdr_queue_high_water,
		"queue_capacity", (json_int_t)st.cdr_queue_capacity);
	return web_reply_json(r, 200, json_pack("{s:o, s:{s:I, s:I, s:s?}, s:{s:I, s:I}, s:o, s:o, s:o, s:o, s:o}",
		"system", sys,
		"config", "generation", (json_int_t)st.config_generation,
		"changed_at", (json_int_t)st.config_changed_at_ms,
		"last_error", st.config_error[0] ? st.config_error : NULL,
		"calls", "active", (json_int_t)st.active_calls, "total", (json_int_t)st.total_calls,
		"spans", spans, "trunk_groups", groups_json(&st), "bypass_pairs", bypass_json(&st),
		"sip_trunks", sip_trunks_json(&st), "cdrs", cdrs));
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
};

static bool printable_utf8(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;    /* jansson has already rejected invalid UTF-8 */
}

static json_t *settings_json(struct db *db)
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

enum MHD_Result api_settings_get(struct web_req *r)
{
	struct db *db = web_db(r);

	if (!db)
		return web_reply_error(r, 500, "internal", NULL, "database unavailable");
	return web_reply_json(r, 200, settings_json(db));
}

enum MHD_Result api_settings_put(struct web_req *r)
{
	struct db_kv kv[TG_ARRAY_SIZE(setting_fields)];
	char numbers[TG_ARRAY_SIZE(setting_fields)][24];
	struct db_actor who = { r->user, r->remote };
	unsigned long long gen = 0;
	enum MHD_Result mrc;
	const char *key;
	struct db *db;
	json_t *body, *val, *out;
	size_t n = 0;
	int rc;

	body = web_body_object(r, &mrc);
	if (!body)
		return mrc;
	json_object_foreach(body, key, val) {
		size_t i;

		for (i = 0; i < TG_ARRAY_SIZE(setting_fields); i++)
			if (strcmp(key, setting_fields[i].name) == 0)
				break;
		if (i == TG_ARRAY_SIZE(setting_fields)) {
			mrc = web_reply_error(r, 400, "invalid_field", key, "unknown field \"%s\"", key);
			goto out;
		}
		if (setting_fields[i].number) {
			json_int_t v = json_is_integer(val) ? json_integer_value(val) : -1;

			if (v < 0 || v > (json_int_t)setting_fields[i].max) {
				mrc = web_reply_error(r, 400, "invalid_field", key,
						      "%s: must be an integer from 0 to %u (seconds; 0 = off)",
						      key, setting_fields[i].max);
				goto out;
			}
			snprintf(numbers[n], sizeof(numbers[n]), "%lld", (long long)v);
			kv[n].key = setting_fields[i].name;
			kv[n].value = numbers[n];
			n++;
			continue;
		}
		if (!json_is_string(val)) {
			mrc = web_reply_error(r, 400, "invalid_field", key, "%s: must be a string", key);
			goto out;
		}
		if (json_string_length(val) > setting_fields[i].max) {
			mrc = web_reply_error(r, 400, "invalid_field", key, "%s: longer than %u characters",
					      key, setting_fields[i].max);
			goto out;
		}
		if (!printable_utf8(json_string_value(val)) ||
		    strlen(json_string_value(val)) != json_string_length(val)) {
			mrc = web_reply_error(r, 400, "invalid_field", key,
					      "%s: control characters are not allowed", key);
			goto out;
		}
		kv[n].key = setting_fields[i].name;
		kv[n].value = json_string_value(val);
		n++;
	}
	if (n == 0) {
		mrc = web_reply_error(r, 400, "bad_request", NULL, "no settings given");
		goto out;
	}
	db = web_db(r);
	if (!db) {
		mrc = web_reply_error(r, 500, "internal", NULL, "database unavailable");
		goto out;
	}
	rc = db_settings_put(db, kv, n, &who, &gen);
	if (rc) {
		log_err("settings update by %s failed: %s", r->user, db_errmsg(db));
		mrc = web_reply_error(r, 500, "internal", NULL, "the change was not saved: %s",
				      strerror(rc));
		goto out;
	}
	mainq_post(&(struct mainq_msg){ .type = MAINQ_CONFIG_GENERATION, .u.config.generation = gen });
	out = settings_json(db);
	json_object_set_new(out, "generation", json_integer((json_int_t)gen));
	mrc = web_reply_json(r, 200, out);
 out:
	json_decref(body);
	return mrc;
}
