/*
 * snmp_view.c -- see snmp_view.h.  The view is rebuilt from each status
 * document (every few seconds) and then sorted, so GETNEXT is a binary
 * search.  What is served:
 *
 * DS1-MIB (RFC 4805), one row per span, index dsx1LineIndex = the span's
 * database id (stable across renames; there are no IF-MIB rows for spans, so
 * it is not an ifIndex):
 *   dsx1ConfigTable   LineIndex, TimeElapsed, ValidIntervals, LineType,
 *                     LineCoding, SendCode (no code), CircuitIdentifier (the
 *                     span's name), LoopbackConfig (no loop), LineStatus,
 *                     SignalMode (messageOriented: PRI), TransmitClockSource,
 *                     Fdl (none), InvalidIntervals
 *   dsx1CurrentTable, dsx1IntervalTable (with ValidData), dsx1TotalTable:
 *                     ESs, SESs, UASs, CSSs, PCVs, LCVs.  SEFSs, LESs, BESs
 *                     and DMs are not measured by our drivers and are left
 *                     out (a GET answers noSuchInstance), as the RFC allows
 *                     for what the interface cannot count.
 * TRUNKGATE-MIB: system and call scalars, tgSpanTable (with the call
 * figures of callstats.h), tgChannelTable,
 * tgTrunkTable (index: the trunk's database id) and tgHopTable (trunk id,
 * position of the next hop from 1).
 *
 * Thread: the subagent's only thread.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snmp_view.h"

#define DS1 1, 3, 6, 1, 2, 1, 10, 18
#define TG  1, 3, 6, 1, 4, 1, TGSNMP_ENTERPRISE

const uint32_t tgsnmp_ds1_root[8] = { DS1 };
const uint32_t tgsnmp_tg_root[8] = { TG, 1 };
const uint32_t tgsnmp_notif_alarm_raised[9] = { TG, 0, 1 };
const uint32_t tgsnmp_notif_alarm_cleared[9] = { TG, 0, 2 };
const uint32_t tgsnmp_col_span_name[12] = { TG, 1, 3, 1, 1, 2 };
const uint32_t tgsnmp_col_span_alarms[12] = { TG, 1, 3, 1, 1, 5 };
const uint32_t tgsnmp_notif_trunk_down[9] = { TG, 0, 3 };
const uint32_t tgsnmp_notif_trunk_up[9] = { TG, 0, 4 };
const uint32_t tgsnmp_notif_hop_down[9] = { TG, 0, 5 };
const uint32_t tgsnmp_notif_hop_up[9] = { TG, 0, 6 };
const uint32_t tgsnmp_col_trunk_name[12] = { TG, 1, 4, 1, 1, 2 };
const uint32_t tgsnmp_col_trunk_state[12] = { TG, 1, 4, 1, 1, 3 };
const uint32_t tgsnmp_col_hop_address[12] = { TG, 1, 4, 2, 1, 2 };
const uint32_t tgsnmp_col_hop_state[12] = { TG, 1, 4, 2, 1, 3 };

static struct tgsnmp_var *add(struct tgsnmp_view *view, const uint32_t *prefix, size_t plen,
			      const uint32_t *suffix, size_t slen, enum tgsnmp_type type)
{
	struct tgsnmp_var *v;

	if (plen + slen > TGSNMP_OID_MAX)
		return NULL;
	if (view->n == view->cap) {
		size_t cap = view->cap ? view->cap * 2 : 256;
		struct tgsnmp_var *nv = realloc(view->v, cap * sizeof(*nv));

		if (!nv)
			return NULL;
		view->v = nv;
		view->cap = cap;
	}
	v = &view->v[view->n++];
	memset(v, 0, sizeof(*v));
	memcpy(v->oid, prefix, plen * sizeof(*prefix));
	memcpy(v->oid + plen, suffix, slen * sizeof(*suffix));
	v->len = plen + slen;
	v->type = type;
	return v;
}

/* Builders keep the first error; the caller checks once at the end. */
struct build {
	struct tgsnmp_view *view;
	int err;
};

static void put_int(struct build *b, const uint32_t *col, size_t clen, const uint32_t *idx,
		    size_t ilen, enum tgsnmp_type type, int64_t val)
{
	struct tgsnmp_var *v = add(b->view, col, clen, idx, ilen, type);

	if (!v) {
		b->err = ENOMEM;
		return;
	}
	v->i = val;
}

static void put_c64(struct build *b, const uint32_t *col, size_t clen, const uint32_t *idx,
		    size_t ilen, uint64_t val)
{
	struct tgsnmp_var *v = add(b->view, col, clen, idx, ilen, TGSNMP_COUNTER64);

	if (!v) {
		b->err = ENOMEM;
		return;
	}
	v->u = val;
}

static void put_str(struct build *b, const uint32_t *col, size_t clen, const uint32_t *idx,
		    size_t ilen, const char *s)
{
	struct tgsnmp_var *v = add(b->view, col, clen, idx, ilen, TGSNMP_STRING);

	if (!v || !(v->s = strdup(s ? s : ""))) {
		if (v)
			b->view->n--;
		b->err = ENOMEM;
	}
}

static long long jint(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* dsx1LineType: dsx1ESF(2), dsx1D4(3), dsx1E1(4), dsx1E1CRC(5), dsx1E1MF(6), dsx1E1CRCMF(7) */
static int line_type(json_t *span)
{
	json_t *line = json_object_get(span, "line");
	const char *framing = jstr(line, "framing");
	bool crc4 = json_is_true(json_object_get(line, "crc4"));

	if (!strcmp(framing, "ESF"))
		return 2;
	if (!strcmp(framing, "D4"))
		return 3;
	if (!strcmp(framing, "CAS"))
		return crc4 ? 7 : 6;
	if (!strcmp(framing, "CCS"))
		return crc4 ? 5 : 4;
	return 1;       /* other */
}

/* dsx1LineCoding: dsx1B8ZS(2), dsx1HDB3(3), dsx1AMI(5), other(6) */
static int line_coding(json_t *span)
{
	const char *lc = jstr(json_object_get(span, "line"), "line_code");

	return !strcmp(lc, "B8ZS") ? 2 : !strcmp(lc, "HDB3") ? 3 : !strcmp(lc, "AMI") ? 5 : 6;
}

/* dsx1LineStatus bits from our alarms: dsx1NoAlarm(1), dsx1RcvFarEndLOF(2) for
 * YELLOW, dsx1RcvAIS(8) for BLUE, dsx1LossOfFrame(32) for RED,
 * dsx1LossOfSignal(64) for LOS. */
static int line_status(unsigned alarms)
{
	int s = 0;

	if (alarms & 1)
		s |= 64;
	if (alarms & 2)
		s |= 32;
	if (alarms & 4)
		s |= 8;
	if (alarms & 8)
		s |= 2;
	return s ? s : 1;
}

/* The six figures we measure and their column numbers in the three tables. */
static const struct {
	const char *key;
	uint32_t cur_col, int_col, tot_col;
} figures[] = {
	{ "errored_seconds", 2, 3, 2 },
	{ "severely_errored_seconds", 3, 4, 3 },
	{ "unavailable_seconds", 5, 6, 5 },
	{ "controlled_slip_seconds", 6, 7, 6 },
	{ "path_code_violations", 7, 8, 7 },
	{ "line_code_violations", 11, 12, 11 },
};

static void ds1_span(struct build *b, json_t *span, uint32_t idx)
{
	json_t *ds1 = json_object_get(span, "ds1"), *cur = json_object_get(ds1, "current"),
	       *tot = json_object_get(ds1, "total"), *ivs = json_object_get(span, "intervals"), *iv;
	const char *clock = jstr(json_object_get(span, "line"), "clock");
	size_t k;

#define CFG(c) (const uint32_t[]){ DS1, 6, 1, (c) }, 11, &idx, 1
	put_int(b, CFG(1), TGSNMP_INTEGER, idx);
	put_int(b, CFG(3), TGSNMP_INTEGER, jint(ds1, "time_elapsed"));
	put_int(b, CFG(4), TGSNMP_INTEGER, jint(ds1, "valid_intervals"));
	put_int(b, CFG(5), TGSNMP_INTEGER, line_type(span));
	put_int(b, CFG(6), TGSNMP_INTEGER, line_coding(span));
	put_int(b, CFG(7), TGSNMP_INTEGER, 1);                  /* dsx1SendNoCode */
	put_str(b, CFG(8), jstr(span, "name"));
	put_int(b, CFG(9), TGSNMP_INTEGER, 1);                  /* dsx1NoLoop */
	put_int(b, CFG(10), TGSNMP_INTEGER, line_status((unsigned)jint(span, "alarm_bits")));
	put_int(b, CFG(11), TGSNMP_INTEGER, 4);                 /* messageOriented */
	put_int(b, CFG(12), TGSNMP_INTEGER, !strcmp(clock, "internal") ? 2 : 1);
	put_int(b, CFG(13), TGSNMP_INTEGER, 8);                 /* dsx1FdlNone */
	put_int(b, CFG(14), TGSNMP_INTEGER, jint(ds1, "invalid_intervals"));
#undef CFG
	for (size_t f = 0; f < sizeof(figures) / sizeof(figures[0]); f++) {
		const uint32_t ccol[] = { DS1, 7, 1, figures[f].cur_col };
		const uint32_t tcol[] = { DS1, 9, 1, figures[f].tot_col };

		put_int(b, ccol, 11, &idx, 1, TGSNMP_GAUGE, jint(cur, figures[f].key));
		put_int(b, tcol, 11, &idx, 1, TGSNMP_GAUGE, jint(tot, figures[f].key));
	}
	put_int(b, (const uint32_t[]){ DS1, 7, 1, 1 }, 11, &idx, 1, TGSNMP_INTEGER, idx);
	put_int(b, (const uint32_t[]){ DS1, 9, 1, 1 }, 11, &idx, 1, TGSNMP_INTEGER, idx);
	json_array_foreach(ivs, k, iv) {
		uint32_t num = (uint32_t)jint(iv, "number"), ix[2] = { idx, num };

		if (num < 1 || num > 96)
			continue;
		put_int(b, (const uint32_t[]){ DS1, 8, 1, 1 }, 11, ix, 2, TGSNMP_INTEGER, idx);
		put_int(b, (const uint32_t[]){ DS1, 8, 1, 2 }, 11, ix, 2, TGSNMP_INTEGER, num);
		for (size_t f = 0; f < sizeof(figures) / sizeof(figures[0]); f++)
			put_int(b, (const uint32_t[]){ DS1, 8, 1, figures[f].int_col }, 11, ix, 2,
				TGSNMP_GAUGE, jint(iv, figures[f].key));
		/* dsx1IntervalValidData: TruthValue true(1), false(2) */
		put_int(b, (const uint32_t[]){ DS1, 8, 1, 13 }, 11, ix, 2, TGSNMP_INTEGER,
			json_is_true(json_object_get(iv, "valid")) ? 1 : 2);
	}
}

/* tgSpanState: up(1), down(2), alarm(3), error(4), disabled(5) */
static int span_state(const char *s)
{
	static const char *const names[] = { "up", "down", "alarm", "error", "disabled" };

	for (int i = 0; i < 5; i++)
		if (!strcmp(s, names[i]))
			return i + 1;
	return 4;
}

/* tgChannelState: idle(1), busy(2), restarting(3), outOfService(4) */
static int channel_state(const char *s)
{
	return !strcmp(s, "idle") ? 1 : !strcmp(s, "busy") ? 2 : !strcmp(s, "restarting") ? 3 : 4;
}

/* The nine call figure columns from a call_stats object, from column
 * first on (5-13 of tgTrunkTable and tgHopTable, 20-28 of tgSpanTable):
 * ASR in hundredths of a percent, ACD in ms, 0 when undefined. */
static void call_figures(struct build *b, const uint32_t *entry, uint32_t first, const uint32_t *idx,
			 size_t ilen, json_t *cs)
{
	json_t *w = json_object_get(cs, "last_15m"), *all = json_object_get(cs, "since_start");
	uint32_t col[12];
	long long att = jint(w, "attempts"), ans = jint(w, "answered");
	long long tatt = jint(all, "attempts"), tans = jint(all, "answered");

	memcpy(col, entry, 11 * sizeof(*col));
#define FIG(c, type, v) (col[11] = first + (c), put_int(b, col, 12, idx, ilen, (type), (v)))
	FIG(0, TGSNMP_GAUGE, jint(cs, "calls_per_minute"));
	col[11] = first + 1;
	put_c64(b, col, 12, idx, ilen, (uint64_t)tatt);
	col[11] = first + 2;
	put_c64(b, col, 12, idx, ilen, (uint64_t)tans);
	FIG(3, TGSNMP_GAUGE, att & 0xffffffff);
	FIG(4, TGSNMP_GAUGE, ans & 0xffffffff);
	FIG(5, TGSNMP_GAUGE, att ? (ans * 10000 + att / 2) / att : 0);
	FIG(6, TGSNMP_GAUGE, (int64_t)(json_number_value(json_object_get(w, "acd_seconds")) * 1000 + 0.5));
	FIG(7, TGSNMP_GAUGE, tatt ? (tans * 10000 + tatt / 2) / tatt : 0);
	FIG(8, TGSNMP_GAUGE, (int64_t)(json_number_value(json_object_get(all, "acd_seconds")) * 1000 + 0.5));
#undef FIG
}

static void tg_span(struct build *b, json_t *span, uint32_t idx)
{
	json_t *k = json_object_get(span, "counters"), *chans = json_object_get(span, "channels"), *ch;
	unsigned nstate[5] = { 0 };
	size_t i;

#define COL(c) (const uint32_t[]){ TG, 1, 3, 1, 1, (c) }, 12, &idx, 1
	put_str(b, COL(2), jstr(span, "name"));
	put_int(b, COL(3), TGSNMP_INTEGER, !strcmp(jstr(span, "type"), "E1") ? 2 : 1);
	put_int(b, COL(4), TGSNMP_INTEGER, span_state(jstr(span, "state")));
	put_int(b, COL(5), TGSNMP_GAUGE, jint(span, "alarm_bits"));
	put_int(b, COL(6), TGSNMP_INTEGER, json_is_true(json_object_get(span, "link_up")) ? 1 : 2);
	put_int(b, COL(7), TGSNMP_GAUGE, jint(span, "active_calls"));
	put_c64(b, COL(8), (uint64_t)jint(span, "total_calls"));
	put_str(b, COL(9), jstr(span, "switch_type"));
	put_str(b, COL(10), jstr(span, "pri_side"));
	put_c64(b, COL(11), (uint64_t)jint(k, "crc_errors"));
	put_c64(b, COL(12), (uint64_t)jint(k, "line_code_violations"));
	put_c64(b, COL(13), (uint64_t)jint(k, "frame_slips"));
	put_c64(b, COL(14), (uint64_t)jint(k, "errored_seconds"));
	put_c64(b, COL(15), (uint64_t)jint(k, "severely_errored_seconds"));
	put_c64(b, COL(16), (uint64_t)jint(k, "unavailable_seconds"));
	json_array_foreach(chans, i, ch) {
		uint32_t ix[2] = { idx, (uint32_t)jint(ch, "channel") };
		int st = channel_state(jstr(ch, "state"));

		nstate[st]++;
		put_int(b, (const uint32_t[]){ TG, 1, 3, 2, 1, 2 }, 12, ix, 2, TGSNMP_INTEGER, st);
	}
	put_int(b, COL(17), TGSNMP_GAUGE, nstate[1]);
	put_int(b, COL(18), TGSNMP_GAUGE, nstate[2]);
	put_int(b, COL(19), TGSNMP_GAUGE, nstate[3] + nstate[4]);
#undef COL
	call_figures(b, (const uint32_t[]){ TG, 1, 3, 1, 1 }, 20, &idx, 1, json_object_get(span, "call_stats"));
}

static void tg_system(struct build *b, json_t *doc)
{
	json_t *sys = json_object_get(doc, "system"), *cfg = json_object_get(doc, "config"),
	       *calls = json_object_get(doc, "calls");
	const uint32_t zero[1] = { 0 };

#define SYS(c) (const uint32_t[]){ TG, 1, 1, (c) }, 10, zero, 1
	put_str(b, SYS(1), jstr(sys, "version"));
	put_int(b, SYS(2), TGSNMP_TIMETICKS, (jint(sys, "uptime_seconds") * 100) & 0xffffffff);
	put_int(b, SYS(3), TGSNMP_GAUGE,
		(int64_t)(json_number_value(json_object_get(sys, "cpu_percent")) * 100 + 0.5));
	put_int(b, SYS(4), TGSNMP_GAUGE, jint(sys, "memory_rss_bytes") / 1024);
	put_int(b, SYS(5), TGSNMP_GAUGE, jint(sys, "db_size_bytes") < 0 ? 0 : jint(sys, "db_size_bytes") / 1024);
	put_int(b, SYS(6), TGSNMP_GAUGE, jint(cfg, "generation") & 0xffffffff);
	put_int(b, SYS(7), TGSNMP_GAUGE, (jint(cfg, "changed_at") / 1000) & 0xffffffff);
#undef SYS
	put_int(b, (const uint32_t[]){ TG, 1, 2, 1 }, 10, zero, 1, TGSNMP_GAUGE, jint(calls, "active"));
	put_c64(b, (const uint32_t[]){ TG, 1, 2, 2 }, 10, zero, 1, (uint64_t)jint(calls, "total"));
}

static int name_index(const char *s, const char *const *names, int n, int other)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return i + 1;
	return other;
}

/* tgTrunkState: up(1), down(2), unknown(3), unprobed(4), disabled(5);
 * tgHopState: up(1), down(2), unknown(3), off(4) */
static const char *const trunk_states[] = { "up", "down", "unknown", "unprobed", "disabled" };
static const char *const hop_states[] = { "up", "down", "unknown", "off" };

static void tg_sip(struct build *b, json_t *doc)
{
	json_t *trunks = json_object_get(doc, "sip_trunks"), *t, *hops, *h;
	size_t i, k;
	const uint32_t tentry[11] = { TG, 1, 4, 1, 1 }, hentry[11] = { TG, 1, 4, 2, 1 };

	b->view->sip = calloc(json_array_size(trunks) * 9 + 1, sizeof(*b->view->sip));
	if (!b->view->sip) {
		b->err = ENOMEM;
		return;
	}
	json_array_foreach(trunks, i, t) {
		long long id = jint(t, "id");
		uint32_t idx = (uint32_t)id;
		struct tgsnmp_sip_state *ss;

		if (id < 1 || id > 0x7fffffff)
			continue;
		put_str(b, (const uint32_t[]){ TG, 1, 4, 1, 1, 2 }, 12, &idx, 1, jstr(t, "name"));
		put_int(b, (const uint32_t[]){ TG, 1, 4, 1, 1, 3 }, 12, &idx, 1, TGSNMP_INTEGER,
			name_index(jstr(t, "state"), trunk_states, 5, 3));
		put_int(b, (const uint32_t[]){ TG, 1, 4, 1, 1, 4 }, 12, &idx, 1, TGSNMP_GAUGE,
			jint(t, "active_calls"));
		call_figures(b, tentry, 5, &idx, 1, json_object_get(t, "call_stats"));
		ss = &b->view->sip[b->view->nsip++];
		ss->trunk = id;
		snprintf(ss->name, sizeof(ss->name), "%s", jstr(t, "name"));
		ss->state = name_index(jstr(t, "state"), trunk_states, 5, 3);
		hops = json_object_get(t, "next_hops");
		json_array_foreach(hops, k, h) {
			uint32_t ix[2] = { idx, (uint32_t)k + 1 };
			char addr[280];
			json_t *rtt = json_object_get(h, "rtt_ms");

			if (k >= 8)
				break;
			snprintf(addr, sizeof(addr), "%s:%lld/%s", jstr(h, "host"), jint(h, "port"),
				 jstr(h, "transport"));
			put_str(b, (const uint32_t[]){ TG, 1, 4, 2, 1, 2 }, 12, ix, 2, addr);
			put_int(b, (const uint32_t[]){ TG, 1, 4, 2, 1, 3 }, 12, ix, 2, TGSNMP_INTEGER,
				name_index(jstr(h, "state"), hop_states, 4, 3));
			put_int(b, (const uint32_t[]){ TG, 1, 4, 2, 1, 4 }, 12, ix, 2, TGSNMP_GAUGE,
				json_is_number(rtt) ? (int64_t)(json_number_value(rtt) * 1000 + 0.5) : 0);
			call_figures(b, hentry, 5, ix, 2, json_object_get(h, "call_stats"));
			ss = &b->view->sip[b->view->nsip++];
			ss->trunk = id;
			ss->hop = (unsigned)k + 1;
			snprintf(ss->name, sizeof(ss->name), "%s", jstr(t, "name"));
			snprintf(ss->address, sizeof(ss->address), "%s", addr);
			ss->state = name_index(jstr(h, "state"), hop_states, 4, 3);
		}
	}
}

static int var_cmp(const void *a, const void *b)
{
	const struct tgsnmp_var *x = a, *y = b;

	return tgsnmp_oid_cmp(x->oid, x->len, y->oid, y->len);
}

void tgsnmp_view_clear(struct tgsnmp_view *view)
{
	for (size_t i = 0; i < view->n; i++)
		free(view->v[i].s);
	free(view->v);
	free(view->spans);
	free(view->sip);
	memset(view, 0, sizeof(*view));
}

int tgsnmp_view_build(struct tgsnmp_view *view, json_t *doc)
{
	struct build b = { view, 0 };
	json_t *spans = json_object_get(doc, "spans"), *span;
	size_t i;

	tgsnmp_view_clear(view);
	if (!json_is_object(json_object_get(doc, "system")) || !json_is_array(spans))
		return EINVAL;
	view->spans = calloc(json_array_size(spans) + 1, sizeof(*view->spans));
	if (!view->spans)
		return ENOMEM;
	tg_system(&b, doc);
	json_array_foreach(spans, i, span) {
		long long id = jint(span, "id");
		struct tgsnmp_span_alarm *sa;

		if (id < 1 || id > 0x7fffffff)
			continue;       /* not a valid index */
		sa = &view->spans[view->nspans++];
		sa->index = id;
		snprintf(sa->name, sizeof(sa->name), "%s", jstr(span, "name"));
		sa->alarms = (unsigned)jint(span, "alarm_bits");
		ds1_span(&b, span, (uint32_t)id);
		tg_span(&b, span, (uint32_t)id);
	}
	tg_sip(&b, doc);
	if (b.err) {
		tgsnmp_view_clear(view);
		return b.err;
	}
	qsort(view->v, view->n, sizeof(*view->v), var_cmp);
	return 0;
}

int tgsnmp_oid_cmp(const uint32_t *a, size_t alen, const uint32_t *b, size_t blen)
{
	for (size_t i = 0; i < alen && i < blen; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/* The first entry >= oid (binary search). */
static size_t lower_bound(const struct tgsnmp_view *view, const uint32_t *oid, size_t len)
{
	size_t lo = 0, hi = view->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (tgsnmp_oid_cmp(view->v[mid].oid, view->v[mid].len, oid, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct tgsnmp_var *tgsnmp_view_get(const struct tgsnmp_view *view, const uint32_t *oid, size_t len)
{
	size_t i = lower_bound(view, oid, len);

	if (i < view->n && tgsnmp_oid_cmp(view->v[i].oid, view->v[i].len, oid, len) == 0)
		return &view->v[i];
	return NULL;
}

const struct tgsnmp_var *tgsnmp_view_next(const struct tgsnmp_view *view, const uint32_t *oid,
					  size_t len, bool inclusive)
{
	size_t i = lower_bound(view, oid, len);

	if (i < view->n && !inclusive && tgsnmp_oid_cmp(view->v[i].oid, view->v[i].len, oid, len) == 0)
		i++;
	return i < view->n ? &view->v[i] : NULL;
}

void tgsnmp_oid_str(const uint32_t *oid, size_t len, char *out, size_t outlen)
{
	size_t off = 0;

	out[0] = '\0';
	for (size_t i = 0; i < len && off < outlen; i++) {
		int n = snprintf(out + off, outlen - off, "%s%u", i ? "." : "", oid[i]);

		if (n < 0)
			break;
		off += (size_t)n;
	}
}
