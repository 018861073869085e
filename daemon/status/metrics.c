/*
 * metrics.c -- the status snapshot in the Prometheus text exposition format
 * (version 0.0.4), for GET /metrics.  Every family has # HELP and # TYPE
 * lines before its samples and appears once; counters end in _total and
 * only ever grow (a re-opened span's counters start again from zero, which
 * Prometheus treats as a counter reset); per-span samples carry span="NAME".
 * SIP trunks carry trunk="NAME", their next hops trunk="NAME" and
 * hop="HOST:PORT/TRANSPORT".  Calls per minute, ASR and ACD are gauges over
 * the windows of status/callstats.h; their counters (_total) let Prometheus
 * compute its own over any range.
 * Pure function of the snapshot; any thread.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isdn.h"
#include "status_json.h"
#include "status_metrics.h"

/* Label values escape backslash, double quote and newline. */
static void label(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(f, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void span_sample(FILE *f, const char *name, const struct status_span *ss,
			const char *extra_key, const char *extra_val, unsigned long long v)
{
	fprintf(f, "%s{span=\"", name);
	label(f, ss->name);
	if (extra_key) {
		fprintf(f, "\",%s=\"", extra_key);
		label(f, extra_val);
	}
	fprintf(f, "\"} %llu\n", v);
}

/* The cumulative counters of hw_counters, one counter family each. */
static const struct {
	const char *name, *help;
	size_t off;
} span_counters[] = {
	{ "trunkgate_span_line_code_violations_total", "Line code violations (BPV) since the span was opened",
	  offsetof(struct hw_counters, line_code_violations) },
	{ "trunkgate_span_crc_errors_total", "CRC-4/CRC-6 errors (path code violations) since the span was opened",
	  offsetof(struct hw_counters, crc_errors) },
	{ "trunkgate_span_frame_slips_total", "Controlled frame slips since the span was opened",
	  offsetof(struct hw_counters, frame_slips) },
	{ "trunkgate_span_errored_seconds_total", "Errored seconds (ES) since the span was opened",
	  offsetof(struct hw_counters, errored_seconds) },
	{ "trunkgate_span_severely_errored_seconds_total", "Severely errored seconds (SES) since the span was opened",
	  offsetof(struct hw_counters, severely_errored_seconds) },
	{ "trunkgate_span_unavailable_seconds_total", "Unavailable seconds (UAS) since the span was opened",
	  offsetof(struct hw_counters, unavailable_seconds) },
	{ "trunkgate_span_rx_missing_periods_total", "Audio periods with nothing from the far end",
	  offsetof(struct hw_counters, rx_missing) },
	{ "trunkgate_span_dchan_rx_frames_total", "D-channel frames received",
	  offsetof(struct hw_counters, dchan_rx) },
	{ "trunkgate_span_dchan_tx_frames_total", "D-channel frames sent",
	  offsetof(struct hw_counters, dchan_tx) },
};

/* The DS1-MIB figures of the current interval and of the last 24 hours. */
static const struct {
	const char *suffix, *what;
	size_t off;
} ds1_figures[] = {
	{ "errored_seconds", "errored seconds", offsetof(struct ds1_stats, es) },
	{ "severely_errored_seconds", "severely errored seconds", offsetof(struct ds1_stats, ses) },
	{ "unavailable_seconds", "unavailable seconds", offsetof(struct ds1_stats, uas) },
	{ "controlled_slip_seconds", "controlled slip seconds", offsetof(struct ds1_stats, css) },
	{ "path_code_violations", "path code violations", offsetof(struct ds1_stats, pcv) },
	{ "line_code_violations", "line code violations", offsetof(struct ds1_stats, lcv) },
};

static const char *const alarm_names[] = { "LOS", "RED", "BLUE", "YELLOW" };

static void system_metrics(FILE *f, const struct status *st, long long db_size)
{
	family(f, "trunkgate_build_info", "gauge", "Version of trunkgated (always 1)");
	fprintf(f, "trunkgate_build_info{version=\"");
	label(f, st->version);
	fprintf(f, "\"} 1\n");
	family(f, "trunkgate_start_time_seconds", "gauge", "When trunkgated started (Unix time)");
	fprintf(f, "trunkgate_start_time_seconds %.3f\n", (double)st->started_at_ms / 1000);
	family(f, "process_cpu_seconds_total", "counter", "User and system CPU time of trunkgated");
	fprintf(f, "process_cpu_seconds_total %.3f\n", st->cpu_seconds);
	family(f, "process_resident_memory_bytes", "gauge", "Resident memory of trunkgated");
	fprintf(f, "process_resident_memory_bytes %llu\n", st->rss_bytes);
	if (db_size >= 0) {
		family(f, "trunkgate_database_size_bytes", "gauge", "SQLite database with its WAL");
		fprintf(f, "trunkgate_database_size_bytes %lld\n", db_size);
	}
	family(f, "trunkgate_config_generation", "gauge", "Configuration generation applied");
	fprintf(f, "trunkgate_config_generation %llu\n", st->config_generation);
	family(f, "trunkgate_config_changed_time_seconds", "gauge",
	       "When the applied configuration was changed (Unix time)");
	fprintf(f, "trunkgate_config_changed_time_seconds %.3f\n", (double)st->config_changed_at_ms / 1000);
	family(f, "trunkgate_calls_active", "gauge", "Calls in progress");
	fprintf(f, "trunkgate_calls_active %u\n", st->active_calls);
	family(f, "trunkgate_calls_total", "counter", "Calls since start");
	fprintf(f, "trunkgate_calls_total %llu\n", st->total_calls);
	/* SIP protection (trunk_guard.c) */
	family(f, "trunkgate_sip_rate_limited_sources", "gauge",
	       "Source addresses the SIP rate limit refuses now");
	fprintf(f, "trunkgate_sip_rate_limited_sources %u\n", st->sip_limited_sources);
	family(f, "trunkgate_sip_rate_limited_requests_total", "counter",
	       "New SIP requests refused by the per-source rate limit");
	fprintf(f, "trunkgate_sip_rate_limited_requests_total %llu\n", st->sip_rate_limited);
	family(f, "trunkgate_sip_max_calls_refused_total", "counter",
	       "SIP calls refused or moved on because a trunk was at its max_calls");
	fprintf(f, "trunkgate_sip_max_calls_refused_total %llu\n", st->sip_max_calls_refused);
}

static void span_metrics(FILE *f, const struct status *st)
{
	char name[96], help[128];

	family(f, "trunkgate_span_up", "gauge", "1 if the span is up (no alarm, ISDN layer 2 up)");
	for (unsigned i = 0; i < st->nspans; i++)
		span_sample(f, "trunkgate_span_up", &st->spans[i], NULL, NULL,
			    strcmp(status_span_state(&st->spans[i]), "up") == 0);
	family(f, "trunkgate_span_alarm", "gauge", "1 while the span has this alarm");
	for (unsigned i = 0; i < st->nspans; i++)
		for (unsigned a = 0; a < 4; a++)
			span_sample(f, "trunkgate_span_alarm", &st->spans[i], "alarm", alarm_names[a],
				    (st->spans[i].alarms >> a) & 1);
	family(f, "trunkgate_span_link_up", "gauge", "1 while the D channel (ISDN layer 2) is up");
	for (unsigned i = 0; i < st->nspans; i++)
		span_sample(f, "trunkgate_span_link_up", &st->spans[i], NULL, NULL, st->spans[i].link_up);
	family(f, "trunkgate_span_calls_active", "gauge", "Calls in progress on the span");
	for (unsigned i = 0; i < st->nspans; i++)
		span_sample(f, "trunkgate_span_calls_active", &st->spans[i], NULL, NULL,
			    st->spans[i].active_calls);
	family(f, "trunkgate_span_calls_total", "counter", "Calls on the span since start");
	for (unsigned i = 0; i < st->nspans; i++)
		span_sample(f, "trunkgate_span_calls_total", &st->spans[i], NULL, NULL,
			    st->spans[i].total_calls);
	family(f, "trunkgate_span_channels", "gauge", "B channels by state");
	for (unsigned i = 0; i < st->nspans; i++) {
		const struct status_span *ss = &st->spans[i];
		unsigned n[ISDN_CHAN_OUT_OF_SERVICE + 1] = { 0 };

		for (unsigned c = 0; c < ss->nchannels; c++)
			if (ss->channel_state[c] <= ISDN_CHAN_OUT_OF_SERVICE)
				n[ss->channel_state[c]]++;
		for (unsigned k = 0; k <= ISDN_CHAN_OUT_OF_SERVICE; k++)
			span_sample(f, "trunkgate_span_channels", ss, "state",
				    isdn_channel_state_name((enum isdn_channel_state)k), n[k]);
	}
	for (size_t k = 0; k < sizeof(span_counters) / sizeof(span_counters[0]); k++) {
		family(f, span_counters[k].name, "counter", span_counters[k].help);
		for (unsigned i = 0; i < st->nspans; i++) {
			const uint64_t *v = (const uint64_t *)(const void *)
				((const char *)&st->spans[i].counters + span_counters[k].off);

			span_sample(f, span_counters[k].name, &st->spans[i], NULL, NULL, *v);
		}
	}
	for (int tot = 0; tot < 2; tot++) {
		for (size_t k = 0; k < sizeof(ds1_figures) / sizeof(ds1_figures[0]); k++) {
			snprintf(name, sizeof(name), "trunkgate_span_ds1_%s_%s",
				 tot ? "24h" : "current", ds1_figures[k].suffix);
			snprintf(help, sizeof(help), "DS1-MIB %s, %s", ds1_figures[k].what,
				 tot ? "the 96 intervals before the current one" : "current 15-minute interval");
			family(f, name, "gauge", help);
			for (unsigned i = 0; i < st->nspans; i++) {
				const struct ds1_stats *s = tot ? &st->spans[i].ds1.total : &st->spans[i].ds1.current;
				const uint32_t *v = (const uint32_t *)(const void *)
					((const char *)s + ds1_figures[k].off);

				span_sample(f, name, &st->spans[i], NULL, NULL, *v);
			}
		}
	}
	family(f, "trunkgate_span_ds1_time_elapsed_seconds", "gauge",
	       "Seconds into the current 15-minute interval");
	for (unsigned i = 0; i < st->nspans; i++)
		span_sample(f, "trunkgate_span_ds1_time_elapsed_seconds", &st->spans[i], NULL, NULL,
			    st->spans[i].ds1.elapsed_s);
}

/* Trunk groups' health and the bypass relays (survivability). */
static void group_metrics(FILE *f, const struct status *st)
{
	family(f, "trunkgate_group_up", "gauge", "1 while the trunk group is healthy (survivability)");
	for (unsigned i = 0; i < st->ngroups; i++) {
		fputs("trunkgate_group_up{group=\"", f);
		label(f, st->groups[i].name);
		fputs("\",kind=\"", f);
		label(f, st->groups[i].kind);
		fprintf(f, "\"} %d\n", !st->groups[i].down);
	}
	family(f, "trunkgate_bypass_relay_engaged", "gauge", "1 while the bypass relay cross-connects the pair");
	for (unsigned i = 0; i < st->nbypass; i++) {
		fputs("trunkgate_bypass_relay_engaged{pair=\"", f);
		label(f, st->bypass[i].name);
		fprintf(f, "\"} %d\n", st->bypass[i].engaged);
	}
}

/* The entities with call figures: spans, SIP trunks, next hops. */
enum ent_kind { ENT_SPAN, ENT_TRUNK, ENT_HOP };

static const char *const ent_prefix[] = { "trunkgate_span", "trunkgate_trunk", "trunkgate_hop" };

static unsigned ent_count(const struct status *st, enum ent_kind k, unsigned t)
{
	return k == ENT_SPAN ? st->nspans : k == ENT_TRUNK ? st->nsip_trunks : st->sip_trunks[t].nhops;
}

/* NAME{labels} of entity i (of trunk t for hops) */
static const struct callstats_fig *ent_sample(FILE *f, const char *name, const struct status *st,
					      enum ent_kind k, unsigned t, unsigned i)
{
	fprintf(f, "%s{", name);
	if (k == ENT_SPAN) {
		fputs("span=\"", f);
		label(f, st->spans[i].name);
		fputs("\"} ", f);
		return &st->spans[i].call_stats;
	}
	fputs("trunk=\"", f);
	label(f, st->sip_trunks[t].name);
	if (k == ENT_TRUNK) {
		fputs("\"} ", f);
		return &st->sip_trunks[t].call_stats;
	}
	fputs("\",hop=\"", f);
	label(f, st->sip_trunks[t].hops[i].host);
	fprintf(f, ":%u/", st->sip_trunks[t].hops[i].port);
	label(f, st->sip_trunks[t].hops[i].transport);
	fputs("\"} ", f);
	return &st->sip_trunks[t].hops[i].call_stats;
}

/* Calls per minute, ASR and ACD families of one kind of entity; ASR and
 * ACD have no sample while undefined (no attempt, no answered call). */
static void call_figure_metrics(FILE *f, const struct status *st, enum ent_kind k)
{
	static const char *const what[] = { "on the span", "on the SIP trunk (legs in and out)",
					    "sent to the next hop" };
	unsigned nt = k == ENT_HOP ? st->nsip_trunks : 1;
	char name[96], help[200];

	for (int fig = 0; fig < 6; fig++) {
		static const char *const suffix[] = { "calls_ended_total", "calls_answered_total",
			"answered_seconds_total", "calls_per_minute", "asr_ratio", "acd_seconds" };
		static const char *const text[] = { "Call attempts ended since start",
			"Answered calls ended since start", "Time answered calls were held, since start",
			"Call attempts ended in the last 60 seconds",
			"Answer-seizure ratio of the attempts ended in the last 15 minutes",
			"Average duration of the answered calls ended in the last 15 minutes" };

		snprintf(name, sizeof(name), "%s_%s", ent_prefix[k], suffix[fig]);
		snprintf(help, sizeof(help), "%s, %s", text[fig], what[k]);
		family(f, name, fig < 3 ? "counter" : "gauge", help);
		for (unsigned t = 0; t < nt; t++)
			for (unsigned i = 0; i < ent_count(st, k, t); i++) {
				const struct callstats_fig *c = k == ENT_SPAN ? &st->spans[i].call_stats :
					k == ENT_TRUNK ? &st->sip_trunks[i].call_stats :
					&st->sip_trunks[t].hops[i].call_stats;

				if ((fig == 4 && !c->attempts_15m) || (fig == 5 && !c->answered_15m))
					continue;
				ent_sample(f, name, st, k, k == ENT_TRUNK ? i : t, i);
				switch (fig) {
				case 0: fprintf(f, "%llu\n", c->attempts); break;
				case 1: fprintf(f, "%llu\n", c->answered); break;
				case 2: fprintf(f, "%.3f\n", (double)c->held_ms / 1000); break;
				case 3: fprintf(f, "%u\n", c->per_minute); break;
				case 4: fprintf(f, "%.4f\n", (double)c->answered_15m / c->attempts_15m); break;
				default: fprintf(f, "%.3f\n", (double)c->held_ms_15m / c->answered_15m / 1000); break;
				}
			}
	}
}

/* SIP trunks and next hops: health, active calls. */
static void sip_metrics(FILE *f, const struct status *st)
{
	family(f, "trunkgate_trunk_up", "gauge",
	       "1 unless every probed next hop of the SIP trunk is down or it is disabled");
	for (unsigned t = 0; t < st->nsip_trunks; t++) {
		ent_sample(f, "trunkgate_trunk_up", st, ENT_TRUNK, t, 0);
		fprintf(f, "%d\n", st->sip_trunks[t].enabled && strcmp(st->sip_trunks[t].state, "down") != 0);
	}
	family(f, "trunkgate_trunk_calls_active", "gauge", "SIP legs in progress on the trunk");
	for (unsigned t = 0; t < st->nsip_trunks; t++) {
		ent_sample(f, "trunkgate_trunk_calls_active", st, ENT_TRUNK, t, 0);
		fprintf(f, "%u\n", st->sip_trunks[t].active_calls);
	}
	family(f, "trunkgate_hop_up", "gauge", "1 unless the next hop's OPTIONS probes marked it down");
	for (unsigned t = 0; t < st->nsip_trunks; t++)
		for (unsigned i = 0; i < st->sip_trunks[t].nhops; i++) {
			ent_sample(f, "trunkgate_hop_up", st, ENT_HOP, t, i);
			fprintf(f, "%d\n", strcmp(st->sip_trunks[t].hops[i].state, "down") != 0);
		}
	family(f, "trunkgate_hop_options_rtt_seconds", "gauge",
	       "Round-trip time of the last answered OPTIONS probe");
	for (unsigned t = 0; t < st->nsip_trunks; t++)
		for (unsigned i = 0; i < st->sip_trunks[t].nhops; i++) {
			if (st->sip_trunks[t].hops[i].rtt_ms < 0)
				continue;
			ent_sample(f, "trunkgate_hop_options_rtt_seconds", st, ENT_HOP, t, i);
			fprintf(f, "%.6f\n", st->sip_trunks[t].hops[i].rtt_ms / 1000);
		}
	for (enum ent_kind k = ENT_SPAN; k <= ENT_HOP; k++)
		call_figure_metrics(f, st, k);
}

int status_metrics(const struct status *st, long long db_size, char **textp, size_t *lenp)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return ENOMEM;
	system_metrics(f, st, db_size);
	span_metrics(f, st);
	group_metrics(f, st);
	sip_metrics(f, st);
	if (ferror(f)) {
		fclose(f);
		free(text);
		return ENOMEM;
	}
	fclose(f);
	*textp = text;
	*lenp = len;
	return 0;
}
