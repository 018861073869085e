/*
 * calls_json.c -- the live calls as GET /api/v1/calls shows them, built on
 * the main thread from the call core (call_core_foreach) with each RTP
 * leg's media figures, and published as one JSON text (status_calls_publish)
 * for the HTTP threads.
 */
#include "config.h"
#include <jansson.h>

#include "call.h"
#include "db.h"
#include "media.h"
#include "status/status.h"
#include "tg.h"

static json_t *ms_or_null(long long ms)
{
	return ms > 0 ? json_integer(ms) : json_null();
}

static json_t *leg_json(const char *kind, const char *group, const char *trunk, int channel)
{
	if (!kind[0])
		return json_null();
	return json_pack("{s:s, s:s, s:s, s:o}", "kind", kind, "group", group, "trunk", trunk,
			 "channel", channel >= 0 ? json_integer(channel) : json_null());
}

static json_t *media_json(struct media_session *s)
{
	struct media_stats st;

	if (!s)
		return json_null();
	media_session_stats(s, &st);
	return json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:i, s:f, s:f}",
			 "local_port", (int)media_session_local_port(s),
			 "foreign_packets", (json_int_t)st.foreign_packets,
			 "bad_packets", (json_int_t)st.bad_packets, "srtp_fail", (json_int_t)st.srtp_fail,
			 "rx_packets", (json_int_t)st.rx_packets, "tx_packets", (json_int_t)st.tx_packets,
			 "lost", (json_int_t)st.lost, "concealed_ms", (json_int_t)st.concealed_ms,
			 "jitter_ms", st.jitter_ms, "jb_max_delay_ms", (int)st.jb_max_delay_ms,
			 "rtt_ms", st.rtt_ms, "mos", st.mos);
}

static void add_call(void *arg, const struct call_info *ci)
{
	const struct db_cdr *c = ci->cdr;
	long long now = tg_wall_ms();

	json_array_append_new(arg, json_pack("{s:s, s:s, s:o, s:o, s:o, s:I, s:o, s:o, s:s, s:s, "
		"s:s, s:s, s:s, s:b, s:b, s:{s:o, s:o}}",
		"id", ci->id, "state", ci->state, "setup_at", ms_or_null(c->setup_at),
		"alert_at", ms_or_null(c->alert_at), "answer_at", ms_or_null(c->answer_at),
		"duration_s", (json_int_t)(c->answer_at > 0 ? (now - c->answer_at) / 1000 : 0),
		"in", leg_json(c->in_kind, c->in_group, c->in_trunk, c->in_channel),
		"out", leg_json(c->out_kind, c->out_group, c->out_trunk, c->out_channel),
		"calling", c->calling, "called", c->called, "calling_out", c->calling_out,
		"called_out", c->called_out, "route", c->route, "media_connected", ci->media_connected,
		"media_bypass", ci->media_bypass,
		"media", "in", media_json(ci->rtp[0]), "out", media_json(ci->rtp[1])));
}

char *status_calls_build(struct call_core *core)
{
	json_t *arr = json_array(), *doc;
	char *text;

	if (core)
		call_core_foreach(core, add_call, arr);
	doc = json_pack("{s:I, s:o}", "active", (json_int_t)json_array_size(arr), "calls", arr);
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return text;
}
