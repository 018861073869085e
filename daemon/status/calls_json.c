/*
 * calls_json.c -- the live calls as GET /api/v1/calls shows them, built on
 * the main thread from the call core (call_core_foreach) with each RTP
 * leg's media figures when a reader asks (MAINQ_CALLS_LIST), and published
 * as one JSON text (status_calls_publish) for the HTTP threads.
 *
 * Each call's object is dumped and freed before the next is made, so the
 * text is all that grows (about 1.3 KiB a call): a tree of every call, as
 * this was first built, held about 6 KiB a call twice a second, which the
 * heap kept (docs/sip.md, "Memory per held call and open files").
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* The text being built: room for the {"active":N,"calls":[ head in front. */
#define CALLS_HEAD 48
struct calls_text {
	char *buf;
	size_t len, cap;
	size_t n;                       /* calls in it */
	bool failed;                    /* out of memory: published as no text */
};

static int text_add(const char *buffer, size_t size, void *arg)
{
	struct calls_text *t = arg;

	if (t->failed)
		return -1;
	if (t->len + size + 3 > t->cap) {       /* and "]}" + NUL at the end */
		size_t cap = t->cap ? t->cap * 2 : 4096;
		char *b;

		while (cap < t->len + size + 3)
			cap *= 2;
		b = realloc(t->buf, cap);
		if (!b) {
			t->failed = true;
			return -1;
		}
		t->buf = b;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, buffer, size);
	t->len += size;
	return 0;
}

static void add_call(void *arg, const struct call_info *ci)
{
	struct calls_text *t = arg;
	const struct db_cdr *c = ci->cdr;
	long long now = tg_wall_ms();
	json_t *o;

	o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:I, s:o, s:o, s:s, s:s, "
		"s:s, s:s, s:s, s:b, s:b, s:{s:o, s:o}}",
		"id", ci->id, "state", ci->state, "setup_at", ms_or_null(c->setup_at),
		"alert_at", ms_or_null(c->alert_at), "answer_at", ms_or_null(c->answer_at),
		"duration_s", (json_int_t)(c->answer_at > 0 ? (now - c->answer_at) / 1000 : 0),
		"in", leg_json(c->in_kind, c->in_group, c->in_trunk, c->in_channel),
		"out", leg_json(c->out_kind, c->out_group, c->out_trunk, c->out_channel),
		"calling", c->calling, "called", c->called, "calling_out", c->calling_out,
		"called_out", c->called_out, "route", c->route, "media_connected", ci->media_connected,
		"media_bypass", ci->media_bypass,
		"media", "in", media_json(ci->rtp[0]), "out", media_json(ci->rtp[1]));
	if (!o) {
		t->failed = true;
		return;
	}
	if ((t->n && text_add(",", 1, t)) || json_dump_callback(o, text_add, t, JSON_COMPACT))
		t->failed = true;
	json_decref(o);
	t->n++;
}

char *status_calls_build(struct call_core *core)
{
	struct calls_text t = { 0 };
	char head[CALLS_HEAD];
	int hl;

	t.cap = 4096;
	t.buf = malloc(t.cap);
	if (!t.buf)
		return NULL;
	t.len = CALLS_HEAD;             /* the head goes in front once n is known */
	if (core)
		call_core_foreach(core, add_call, &t);
	if (t.failed) {
		free(t.buf);
		return NULL;
	}
	hl = snprintf(head, sizeof(head), "{\"active\":%zu,\"calls\":[", t.n);
	memcpy(t.buf + CALLS_HEAD - hl, head, (size_t)hl);
	memcpy(t.buf + t.len, "]}", 3);
	memmove(t.buf, t.buf + CALLS_HEAD - hl, t.len + 3 - (CALLS_HEAD - hl));
	return t.buf;
}
