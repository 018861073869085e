/*
 * callstats.c -- see callstats.h.  Each entity keeps two rings: 60 one-second
 * slots of attempts (calls per minute) and 90 ten-second slots of attempts,
 * answered and held time (the 15-minute window), plus totals; about 1.7 KB.
 * A ring is brought up to date (slots that passed without calls cleared)
 * before every record and read.  Entities hang in a small hash table of
 * chains.  Main thread only.
 */
#include "config.h"
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "status"
#include "log.h"
#include "callstats.h"
#include "db.h"
#include "status.h"

#define SEC_SLOTS 60
#define WIN_SLOTS 90
#define WIN_SLOT_S 10
#define BUCKETS 256

struct win_slot {
	uint32_t attempts, answered;
	uint64_t held_ms;
};

struct entity {
	struct entity *next;
	uint64_t sec;                           /* second of the newest per_sec slot */
	uint64_t win;                           /* 10-s index of the newest win slot */
	uint32_t per_sec[SEC_SLOTS];
	struct win_slot slot[WIN_SLOTS];
	unsigned long long attempts, answered, held_ms;
	char key[];
};

struct callstats {
	struct entity *bucket[BUCKETS];
	bool oom_logged;
};

int callstats_create(struct callstats **csp)
{
	struct callstats *cs = calloc(1, sizeof(*cs));

	if (!cs)
		return ENOMEM;
	*csp = cs;
	return 0;
}

void callstats_destroy(struct callstats *cs)
{
	if (!cs)
		return;
	for (size_t b = 0; b < BUCKETS; b++)
		for (struct entity *e = cs->bucket[b], *n; e; e = n) {
			n = e->next;
			free(e);
		}
	free(cs);
}

static unsigned hash(const char *s)
{
	uint32_t h = 2166136261u;       /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h % BUCKETS;
}

static struct entity *find(struct callstats *cs, const char *key, bool make)
{
	unsigned b = hash(key);
	struct entity *e;
	size_t len;

	for (e = cs->bucket[b]; e; e = e->next)
		if (!strcmp(e->key, key))
			return e;
	if (!make)
		return NULL;
	len = strlen(key);
	e = calloc(1, sizeof(*e) + len + 1);
	if (!e)
		return NULL;
	memcpy(e->key, key, len + 1);
	e->next = cs->bucket[b];
	cs->bucket[b] = e;
	return e;
}

/* Clear the slots between the newest and now; a clock that went back
 * (it is monotonic: never) is treated as now. */
static void advance(struct entity *e, unsigned long long now_ms)
{
	uint64_t s = now_ms / 1000, w = s / WIN_SLOT_S;

	if (s > e->sec) {
		uint64_t n = s - e->sec < SEC_SLOTS ? s - e->sec : SEC_SLOTS;

		for (uint64_t i = 1; i <= n; i++)
			e->per_sec[(e->sec + i) % SEC_SLOTS] = 0;
		e->sec = s;
	}
	if (w > e->win) {
		uint64_t n = w - e->win < WIN_SLOTS ? w - e->win : WIN_SLOTS;

		for (uint64_t i = 1; i <= n; i++)
			memset(&e->slot[(e->win + i) % WIN_SLOTS], 0, sizeof(e->slot[0]));
		e->win = w;
	}
}

void callstats_record(struct callstats *cs, const char *key, unsigned long long now_ms,
		      bool answered, unsigned long long held_ms)
{
	struct entity *e = cs ? find(cs, key, true) : NULL;
	struct win_slot *ws;

	if (!e) {
		if (cs && !cs->oom_logged)
			log_err("call figures: out of memory; %s and later ones are not counted", key);
		if (cs)
			cs->oom_logged = true;
		return;
	}
	if (!answered)
		held_ms = 0;
	advance(e, now_ms);
	e->per_sec[e->sec % SEC_SLOTS]++;
	ws = &e->slot[e->win % WIN_SLOTS];
	ws->attempts++;
	ws->answered += answered;
	ws->held_ms += held_ms;
	e->attempts++;
	e->answered += answered;
	e->held_ms += held_ms;
}

void callstats_get(struct callstats *cs, const char *key, unsigned long long now_ms,
		   struct callstats_fig *f)
{
	struct entity *e = cs ? find(cs, key, false) : NULL;

	memset(f, 0, sizeof(*f));
	if (!e)
		return;
	advance(e, now_ms);
	for (size_t i = 0; i < SEC_SLOTS; i++)
		f->per_minute += e->per_sec[i];
	for (size_t i = 0; i < WIN_SLOTS; i++) {
		f->attempts_15m += e->slot[i].attempts;
		f->answered_15m += e->slot[i].answered;
		f->held_ms_15m += e->slot[i].held_ms;
	}
	f->attempts = e->attempts;
	f->answered = e->answered;
	f->held_ms = e->held_ms;
}

void callstats_hop_key(char *buf, size_t len, const char *trunk, const char *host,
		       unsigned port, const char *transport)
{
	snprintf(buf, len, "h:%s|%s:%u/%s", trunk, host, port, transport);
}

static struct callstats *main_cs;

struct callstats *callstats_main(void)
{
	if (!main_cs && callstats_create(&main_cs))
		main_cs = NULL;
	return main_cs;
}

void callstats_main_destroy(void)
{
	callstats_destroy(main_cs);
	main_cs = NULL;
}

/* ---- the daemon's snapshot ---- */

static void record_leg(struct callstats *cs, const char *kind, const char *name,
		       const struct db_cdr *r, unsigned long long now_ms)
{
	char key[40];
	bool answered = r->answer_at > 0;

	if (!name[0] || (strcmp(kind, "pri") && strcmp(kind, "sip")))
		return;
	snprintf(key, sizeof(key), "%c:%s", kind[0] == 'p' ? 's' : 't', name);
	callstats_record(cs, key, now_ms, answered,
			 answered && r->end_at > r->answer_at ? (unsigned long long)(r->end_at - r->answer_at) : 0);
}

void status_calls_record(const struct db_cdr *r, unsigned long long now_ms)
{
	struct callstats *cs = callstats_main();

	if (!cs)
		return;
	record_leg(cs, r->in_kind, r->in_trunk, r, now_ms);
	record_leg(cs, r->out_kind, r->out_trunk, r, now_ms);
}

void status_calls_fill(struct status *s, unsigned long long now_ms)
{
	struct callstats *cs = callstats_main();
	char key[400];

	for (unsigned i = 0; i < s->nspans; i++) {
		snprintf(key, sizeof(key), "s:%s", s->spans[i].name);
		callstats_get(cs, key, now_ms, &s->spans[i].call_stats);
	}
	for (unsigned i = 0; i < s->nsip_trunks; i++) {
		struct status_sip_trunk *t = &s->sip_trunks[i];

		snprintf(key, sizeof(key), "t:%s", t->name);
		callstats_get(cs, key, now_ms, &t->call_stats);
		for (unsigned k = 0; k < t->nhops; k++) {
			struct status_sip_hop *h = &t->hops[k];

			callstats_hop_key(key, sizeof(key), t->name, h->host, h->port, h->transport);
			callstats_get(cs, key, now_ms, &h->call_stats);
		}
	}
}
