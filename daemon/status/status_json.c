/*
 * status_json.c -- see status_json.h.  Field names are the REST API's
 * (docs/api.md); the DS1 figures use the long names of RFC 4805's columns
 * (dsx1CurrentESs -> errored_seconds ...).  Any thread.
 */
#include "config.h"
#include <string.h>

#define LOG_MODULE "status"
#include "log.h"
#include "isdn.h"
#include "surv/surv.h"
#include "status_json.h"

const char *status_span_state(const struct status_span *ss)
{
	if (!ss->enabled)
		return "disabled";
	if (!ss->open)
		return "error";
	if (ss->busy_out)
		return "busy_out";
	if (ss->alarms & (HW_ALARM_LOS | HW_ALARM_RED | HW_ALARM_BLUE))
		return "alarm";
	if (!ss->link_up)
		return "down";
	return "up";
}

static json_t *ds1_stats_json(const struct ds1_stats *s)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}",
		"errored_seconds", (json_int_t)s->es,
		"severely_errored_seconds", (json_int_t)s->ses,
		"unavailable_seconds", (json_int_t)s->uas,
		"controlled_slip_seconds", (json_int_t)s->css,
		"path_code_violations", (json_int_t)s->pcv,
		"line_code_violations", (json_int_t)s->lcv);
}

static json_t *counters_json(const struct hw_counters *k)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"line_code_violations", (json_int_t)k->line_code_violations,
		"crc_errors", (json_int_t)k->crc_errors, "frame_slips", (json_int_t)k->frame_slips,
		"errored_seconds", (json_int_t)k->errored_seconds,
		"severely_errored_seconds", (json_int_t)k->severely_errored_seconds,
		"unavailable_seconds", (json_int_t)k->unavailable_seconds,
		"rx_missing_periods", (json_int_t)k->rx_missing,
		"dchan_rx", (json_int_t)k->dchan_rx, "dchan_tx", (json_int_t)k->dchan_tx);
}

/* One window of call figures: ASR = answered / attempts (null without
 * attempts), ACD = held time / answered (null without answered calls). */
static json_t *call_window_json(unsigned long long attempts, unsigned long long answered,
				unsigned long long held_ms)
{
	return json_pack("{s:I, s:I, s:o, s:o}", "attempts", (json_int_t)attempts,
		"answered", (json_int_t)answered,
		"asr", attempts ? json_real((double)(long long)((double)answered * 10000 / attempts + 0.5) / 10000) :
			json_null(),
		"acd_seconds", answered ? json_real((double)(long long)((double)held_ms / answered + 0.5) / 1000) :
			json_null());
}

/* Calls per minute, ASR and ACD (daemon/status/callstats.h has the windows). */
static json_t *call_stats_json(const struct callstats_fig *f)
{
	return json_pack("{s:i, s:o, s:o}", "calls_per_minute", (int)f->per_minute,
		"last_15m", call_window_json(f->attempts_15m, f->answered_15m, f->held_ms_15m),
		"since_start", call_window_json(f->attempts, f->answered, f->held_ms));
}

static json_t *span_json(const struct status_span *ss)
{
	const struct status_ds1 *d = &ss->ds1;
	char alarms[64];
	json_t *o, *chans, *alist;
	json_error_t jerr;

	alist = json_array();
	hw_alarm_names(ss->alarms, alarms, sizeof(alarms));
	for (char *save = NULL, *tok = strtok_r(alarms, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		json_array_append_new(alist, json_string(tok));
	chans = json_array();
	for (unsigned i = 0; i < ss->nchannels; i++)
		json_array_append_new(chans, json_pack("{s:i, s:s}", "channel", ss->channel[i], "state",
			isdn_channel_state_name((enum isdn_channel_state)ss->channel_state[i])));
	o = json_pack_ex(&jerr, 0, "{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:b, s:i, s:I, s:o}",
		"id", (json_int_t)ss->id, "name", ss->name, "type", ss->type, "driver", ss->driver,
		"switch_type", ss->switch_type, "pri_side", ss->side, "state", status_span_state(ss),
		"alarms", alist, "alarm_bits", (json_int_t)ss->alarms,
		"link_up", ss->link_up, "active_calls", (int)ss->active_calls,
		"total_calls", (json_int_t)ss->total_calls, "channels", chans);
	if (!o) {
		log_err("status of span %s: %s", ss->name, jerr.text);
		return NULL;
	}
	if (ss->error[0])
		json_object_set_new(o, "error", json_string(ss->error));
	json_object_set_new(o, "busy_out", json_boolean(ss->busy_out));
	json_object_set_new(o, "call_stats", call_stats_json(&ss->call_stats));
	json_object_set_new(o, "line", json_pack("{s:s, s:s, s:b, s:s}", "framing", ss->framing,
		"line_code", ss->line_code, "crc4", ss->crc4, "clock", ss->clock));
	json_object_set_new(o, "counters", counters_json(&ss->counters));
	json_object_set_new(o, "ds1", json_pack("{s:i, s:i, s:i, s:i, s:o, s:o}",
		"interval_seconds", DS1_INTERVAL_S, "time_elapsed", (int)d->elapsed_s,
		"valid_intervals", (int)d->valid_intervals, "invalid_intervals", (int)d->invalid_intervals,
		"current", ds1_stats_json(&d->current), "total", ds1_stats_json(&d->total)));
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

static json_t *sip_trunks_json(const struct status *st)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < st->nsip_trunks; i++) {
		const struct status_sip_trunk *t = &st->sip_trunks[i];
		json_t *hops = json_array();

		for (unsigned k = 0; k < t->nhops; k++) {
			const struct status_sip_hop *h = &t->hops[k];

			json_array_append_new(hops, json_pack("{s:s, s:i, s:s, s:s, s:o, s:o, s:o, s:o}",
				"host", h->host, "port", (int)h->port, "transport", h->transport,
				"state", h->state,
				"rtt_ms", h->rtt_ms >= 0 ? json_real((double)(long long)(h->rtt_ms * 100) / 100) :
					json_null(),
				"last_status", h->last_status ? json_integer(h->last_status) : json_null(),
				"last_change", h->changed_at_ms ? json_integer(h->changed_at_ms) : json_null(),
				"call_stats", call_stats_json(&h->call_stats)));
		}
		json_array_append_new(a, json_pack("{s:I, s:s, s:b, s:s, s:i, s:o, s:o, s:o}",
			"id", (json_int_t)t->id, "name", t->name, "enabled", t->enabled,
			"state", t->state, "active_calls", (int)t->active_calls,
			"call_stats", call_stats_json(&t->call_stats), "next_hops", hops,
			"registration", !t->reg_state[0] ? json_null() : json_pack("{s:s, s:o, s:o}",
				"state", t->reg_state,
				"last_status", t->reg_status ? json_integer(t->reg_status) : json_null(),
				"expires_at", t->reg_expires_at_ms ? json_integer(t->reg_expires_at_ms) :
					json_null())));
	}
	return a;
}

json_t *status_json(const struct status *st, long long db_size, unsigned long long now_ms)
{
	json_t *spans = json_array(), *sys, *cdrs;

	for (unsigned i = 0; i < st->nspans; i++)
		json_array_append_new(spans, span_json(&st->spans[i]));
	sys = json_pack("{s:s, s:I, s:I, s:I, s:f, s:f, s:I, s:s, s:s, s:s, s:b}",
		"version", st->version,
		"started_at", (json_int_t)st->started_at_ms,
		"uptime_seconds", (json_int_t)((now_ms - st->started_mono_ms) / 1000),
		"db_size_bytes", (json_int_t)db_size,
		"cpu_seconds", st->cpu_seconds, "cpu_percent", st->cpu_percent,
		"memory_rss_bytes", (json_int_t)st->rss_bytes,
		"system_name", st->system_name, "location", st->location, "contact", st->contact,
		"demo", st->demo);
	cdrs = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"written", (json_int_t)st->cdr_written, "batches", (json_int_t)st->cdr_batches,
		"failed", (json_int_t)st->cdr_failed, "dropped", (json_int_t)st->cdr_dropped,
		"pending", (json_int_t)st->cdr_pending,
		"queue_high_water", (json_int_t)st->cdr_queue_high_water,
		"queue_capacity", (json_int_t)st->cdr_queue_capacity);
	return json_pack("{s:o, s:{s:I, s:I, s:s?}, s:{s:I, s:I}, s:o, s:o, s:o, s:o, s:o, "
			 "s:{s:I, s:I, s:I, s:I, s:I, s:I}}",
		"system", sys,
		"config", "generation", (json_int_t)st->config_generation,
		"changed_at", (json_int_t)st->config_changed_at_ms,
		"last_error", st->config_error[0] ? st->config_error : NULL,
		"calls", "active", (json_int_t)st->active_calls, "total", (json_int_t)st->total_calls,
		"spans", spans, "trunk_groups", groups_json(st), "bypass_pairs", bypass_json(st),
		"sip_trunks", sip_trunks_json(st), "cdrs", cdrs,
		"sip", "rate_limit", (json_int_t)st->sip_rate_limit,
		"limited_sources", (json_int_t)st->sip_limited_sources,
		"sources_tracked", (json_int_t)st->sip_sources_tracked,
		"rate_limited_requests", (json_int_t)st->sip_rate_limited,
		"rate_limit_episodes", (json_int_t)st->sip_rate_limit_episodes,
		"max_calls_refused", (json_int_t)st->sip_max_calls_refused);
}

json_t *status_intervals_json(const struct status_span *ss, const struct ds1_perf *p)
{
	json_t *list = json_array();

	for (unsigned n = 1; n <= p->nintervals; n++) {
		const struct ds1_interval *iv = ds1_perf_interval(p, n);
		json_t *o = ds1_stats_json(&iv->s);

		json_object_set_new(o, "number", json_integer(n));
		json_object_set_new(o, "valid", json_boolean(iv->valid));
		json_array_append_new(list, o);
	}
	return json_pack("{s:s, s:i, s:i, s:i, s:i, s:o, s:o}",
		"span", ss->name, "interval_seconds", DS1_INTERVAL_S,
		"time_elapsed", (int)ss->ds1.elapsed_s,
		"valid_intervals", (int)ss->ds1.valid_intervals,
		"invalid_intervals", (int)ss->ds1.invalid_intervals,
		"current", ds1_stats_json(&ss->ds1.current), "intervals", list);
}

const struct status_span *status_span_by_name(const struct status *st, const char *name)
{
	for (unsigned i = 0; i < st->nspans; i++)
		if (strcmp(st->spans[i].name, name) == 0)
			return &st->spans[i];
	return NULL;
}
