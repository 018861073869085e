/*
 * trunk_guard.c -- protection of the SIP side: per-source rate limiting of
 * new requests (like Kamailio's pike) and max_calls per SIP trunk.  Main
 * thread only.
 *
 * Rate limiting: a token bucket per source IP address, `sip_rate_limit`
 * requests a second with a burst of `sip_rate_burst` (settings).  Every new
 * request (INVITE, OPTIONS, REGISTER, REFER... outside a dialog) is checked
 * first thing in trunk_on_nua, before the trust lookup or any call work.
 * A source over its limit is answered `503` with Retry-After (no silent
 * drop: nua answers a request whose handle we destroy unanswered itself,
 * 480 or 500, and its retransmissions 481; docs/sip.md).  Sources of configured trunks (next hops,
 * allowed_sources) are not limited: their calls are bounded by the trunk's
 * max_calls.
 *
 * The table: open addressing with linear probing, power-of-two capacity,
 * grown (doubled) while warming up, never per request once big enough.  A
 * sweep every second clears sources that have stayed under their limit for
 * GUARD_QUIET_MS (one `sip-rate-limit-end` event each) and rebuilds the
 * table without entries idle for GUARD_IDLE_MS, into a spare array of the
 * same size (no allocation).  When the table is at GUARD_MAX_ENTRIES and
 * full, the newcomers share one overflow bucket: a flood from spoofed
 * addresses then limits only unknown sources, never a trunk's peers.
 *
 * Events: `sip-rate-limit` (warning) when a source starts being limited,
 * `sip-rate-limit-end` (cleared) when it stops, with how many requests were
 * refused; never per request.  At most GUARD_MAX_EVENTS sources have an
 * event open at once; the others are only counted.
 */
#include "config.h"
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sofia-sip/su_wait.h>

#define LOG_MODULE "sip"
#include "log.h"
#include "db.h"
#include "status/status.h"
#include "tg.h"
#include "trunk_int.h"

#define GUARD_MIN_ENTRIES 1024u
#define GUARD_MAX_ENTRIES 65536u
#define GUARD_SWEEP_MS 1000u
#define GUARD_QUIET_MS 5000u            /* no refusal this long: no longer limited */
#define GUARD_IDLE_MS 60000u            /* no request this long: forgotten */
#define GUARD_MAX_EVENTS 16u

struct guard_entry {
	uint8_t addr[16];
	uint8_t family;                 /* 0: free slot */
	bool limited;
	bool evented;                   /* a sip-rate-limit event is open for it */
	uint32_t milli;                 /* tokens x 1000 */
	unsigned long long last_ms;     /* last request */
	unsigned long long refill_ms;   /* tokens counted up to here */
	unsigned long long since_ms;    /* limited since */
	unsigned long long refused_ms;  /* last refusal */
	unsigned long long refused;     /* while limited */
};

struct trunk_guard {
	struct guard_entry *tab, *spare;
	size_t cap, used;
	struct guard_entry overflow;
	unsigned rate, burst;           /* per second; rate 0: off */
	su_timer_t *sweep;
	unsigned events_open;
	/* counters for status */
	unsigned long long refused_total, episodes, max_calls_refused;
	unsigned limited_now;
	/* calls per trunk id, for max_calls (kept across generations) */
	struct guard_count { long long id; unsigned n; } *counts;
	size_t ncounts, capcounts;
};

/* ---- the table ---- */

static size_t key_of(const struct sockaddr *sa, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (sa->sa_family == AF_INET) {
		memcpy(addr, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return 4;
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(addr, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
		return 16;
	}
	return 0;
}

static size_t hash_of(const uint8_t addr[16], uint8_t family)
{
	/* FNV-1a: sources are not chosen to collide in a table this size
	 * without also being limited as one overflow bucket. */
	uint64_t h = 1469598103934665603ULL ^ family;

	for (int i = 0; i < 16; i++)
		h = (h ^ addr[i]) * 1099511628211ULL;
	return (size_t)(h ^ (h >> 29));
}

static struct guard_entry *slot(struct guard_entry *tab, size_t cap, const uint8_t addr[16],
				uint8_t family)
{
	size_t i = hash_of(addr, family) & (cap - 1);

	while (tab[i].family && (tab[i].family != family || memcmp(tab[i].addr, addr, 16)))
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

/* Rebuild into a fresh array of cap entries, keeping what keep() says. */
static int rehash(struct trunk_guard *g, size_t cap, unsigned long long now)
{
	struct guard_entry *nt, *ns;

	if (cap == g->cap) {
		nt = g->spare;
		memset(nt, 0, cap * sizeof(*nt));
		ns = g->tab;
	} else {
		nt = calloc(cap, sizeof(*nt));
		ns = calloc(cap, sizeof(*ns));
		if (!nt || !ns) {
			free(nt);
			free(ns);
			return ENOMEM;
		}
	}
	g->used = 0;
	for (size_t i = 0; i < g->cap; i++) {
		const struct guard_entry *e = &g->tab[i];

		if (!e->family || (!e->limited && now - e->last_ms > GUARD_IDLE_MS))
			continue;
		*slot(nt, cap, e->addr, e->family) = *e;
		g->used++;
	}
	if (cap != g->cap) {
		free(g->tab);
		free(g->spare);
		g->cap = cap;
	}
	g->tab = nt;
	g->spare = ns;
	return 0;
}

/* ---- events ---- */

static void addr_text(const struct guard_entry *e, char *buf, size_t len)
{
	if (e == NULL || !e->family)
		snprintf(buf, len, "(table full: new sources)");
	else
		inet_ntop(e->family == 4 ? AF_INET : AF_INET6, e->addr, buf, (socklen_t)len);
}

static void start_limited(struct trunk_agent *a, struct guard_entry *e, unsigned long long now)
{
	struct trunk_guard *g = a->guard;
	char src[64], msg[200];

	e->limited = true;
	e->since_ms = now;
	e->refused = 0;
	g->limited_now++;
	g->episodes++;
	addr_text(e, src, sizeof(src));
	snprintf(msg, sizeof(msg), "source %s over %u requests/s (burst %u): answered 503", src,
		 g->rate, g->burst);
	log_warn("%s", msg);
	if (g->events_open >= GUARD_MAX_EVENTS)
		return;         /* counted in status only */
	e->evented = true;
	g->events_open++;
	if (a->db)
		db_event_add(a->db, "warning", "sip-rate-limit", src, msg);
}

static void end_limited(struct trunk_agent *a, struct guard_entry *e, unsigned long long now)
{
	struct trunk_guard *g = a->guard;
	char src[64], msg[200];

	e->limited = false;
	g->limited_now--;
	addr_text(e, src, sizeof(src));
	snprintf(msg, sizeof(msg), "source %s back under the limit after %llu s: %llu requests refused",
		 src, (now - e->since_ms + 500) / 1000, e->refused);
	log_info("%s", msg);
	if (!e->evented)
		return;
	e->evented = false;
	g->events_open--;
	if (a->db)
		db_event_add(a->db, "cleared", "sip-rate-limit-end", src, msg);
}

void trunk_guard_sweep_at(struct trunk_agent *a, unsigned long long now)
{
	struct trunk_guard *g = a->guard;

	if (!g)
		return;
	for (size_t i = 0; i < g->cap; i++) {
		struct guard_entry *e = &g->tab[i];

		if (e->family && e->limited && now - e->refused_ms >= GUARD_QUIET_MS)
			end_limited(a, e, now);
	}
	if (g->overflow.limited && now - g->overflow.refused_ms >= GUARD_QUIET_MS)
		end_limited(a, &g->overflow, now);
	rehash(g, g->cap, now);         /* same size: cannot fail */
}

static void sweep(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	(void)magic;
	(void)t;
	trunk_guard_sweep_at((struct trunk_agent *)arg, tg_now_ms());
}

/* ---- the check ---- */

static bool bucket_take(const struct trunk_guard *g, struct guard_entry *e, unsigned long long now)
{
	unsigned long long add = (now - e->refill_ms) * g->rate;    /* rate/s = rate milli/ms */
	unsigned long long full = (unsigned long long)g->burst * 1000;

	e->refill_ms = now;
	e->milli = (uint32_t)(e->milli + add > full ? full : e->milli + add);
	if (e->milli < 1000)
		return false;
	e->milli -= 1000;
	return true;
}

static struct guard_entry *entry_of(struct trunk_guard *g, const struct sockaddr *sa,
				    unsigned long long now)
{
	uint8_t addr[16];
	uint8_t family;
	struct guard_entry *e;

	family = (uint8_t)key_of(sa, addr);
	if (!family)
		return NULL;
	e = slot(g->tab, g->cap, addr, family);
	if (e->family)
		return e;
	/* New source: keep the load under 1/2, growing up to the cap. */
	if ((g->used + 1) * 2 > g->cap) {
		if (g->cap >= GUARD_MAX_ENTRIES || rehash(g, g->cap * 2, now)) {
			if (!g->overflow.refill_ms) {
				g->overflow.refill_ms = now;
				g->overflow.milli = g->burst * 1000;
			}
			return &g->overflow;
		}
		e = slot(g->tab, g->cap, addr, family);
	}
	memcpy(e->addr, addr, 16);
	e->family = family;
	e->milli = g->burst * 1000;
	e->refill_ms = now;
	g->used++;
	return e;
}

bool trunk_guard_check(struct trunk_agent *a, const struct sockaddr *sa)
{
	return trunk_guard_check_at(a, sa, tg_now_ms());
}

bool trunk_guard_check_at(struct trunk_agent *a, const struct sockaddr *sa, unsigned long long now)
{
	struct trunk_guard *g = a->guard;
	struct guard_entry *e;

	if (!g || !g->rate || !sa)
		return true;
	if (a->cfg && trunk_by_source(a, sa))
		return true;        /* a trunk's peer: bounded by max_calls */
	e = entry_of(g, sa, now);
	if (!e)
		return true;
	e->last_ms = now;
	if (bucket_take(g, e, now))
		return true;
	if (!e->limited)
		start_limited(a, e, now);
	e->refused++;
	e->refused_ms = now;
	g->refused_total++;
	return false;
}

unsigned trunk_guard_retry_after(const struct trunk_agent *a)
{
	const struct trunk_guard *g = a->guard;

	/* time to refill the burst: a well-behaved sender comes back to a
	 * full bucket */
	return g && g->rate && g->burst / g->rate > 1 ? g->burst / g->rate : 1;
}

/* ---- max_calls ---- */

static struct guard_count *count_of(struct trunk_guard *g, long long id, bool add)
{
	for (size_t i = 0; i < g->ncounts; i++)
		if (g->counts[i].id == id)
			return &g->counts[i];
	if (!add)
		return NULL;
	if (g->ncounts == g->capcounts) {
		size_t cap = g->capcounts * 2 + 8;
		struct guard_count *v = realloc(g->counts, cap * sizeof(*v));

		if (!v)
			return NULL;
		g->counts = v;
		g->capcounts = cap;
	}
	g->counts[g->ncounts] = (struct guard_count){ .id = id };
	return &g->counts[g->ncounts++];
}

void trunk_guard_call_add(struct trunk_agent *a, long long trunk_id)
{
	struct guard_count *c = a->guard ? count_of(a->guard, trunk_id, true) : NULL;

	if (c)
		c->n++;
}

void trunk_guard_call_give(struct trunk_agent *a, long long trunk_id)
{
	struct guard_count *c = a->guard ? count_of(a->guard, trunk_id, false) : NULL;

	if (c && c->n)
		c->n--;
}

unsigned trunk_guard_calls(const struct trunk_agent *a, long long trunk_id)
{
	const struct trunk_guard *g = a->guard;

	for (size_t i = 0; g && i < g->ncounts; i++)
		if (g->counts[i].id == trunk_id)
			return g->counts[i].n;
	return 0;
}

bool trunk_guard_admit(struct trunk_agent *a, const struct tg_config_sip_trunk *t)
{
	struct trunk_guard *g = a->guard;
	const struct guard_count *c;

	if (!g || !t->max_calls)
		return true;
	c = count_of(g, t->id, false);
	if (!c || c->n < t->max_calls)
		return true;
	g->max_calls_refused++;
	return false;
}

/* ---- life ---- */

void trunk_guard_apply(struct trunk_agent *a)
{
	struct trunk_guard *g = a->guard;

	if (!g || !a->cfg)
		return;
	g->rate = a->cfg->sip_rate_limit;
	g->burst = a->cfg->sip_rate_burst ? a->cfg->sip_rate_burst : 2 * g->rate;
	if (g->burst < 1)
		g->burst = 1;
}

int trunk_guard_create(struct trunk_agent *a)
{
	struct trunk_guard *g = calloc(1, sizeof(*g));

	if (!g)
		return ENOMEM;
	g->cap = GUARD_MIN_ENTRIES;
	g->tab = calloc(g->cap, sizeof(*g->tab));
	g->spare = calloc(g->cap, sizeof(*g->spare));
	/* no root (unit tests): the caller sweeps with trunk_guard_sweep_at */
	g->sweep = a->root ? su_timer_create(su_root_task(a->root), GUARD_SWEEP_MS) : NULL;
	if (!g->tab || !g->spare || (a->root && !g->sweep)) {
		su_timer_destroy(g->sweep);
		free(g->tab);
		free(g->spare);
		free(g);
		return ENOMEM;
	}
	if (g->sweep)
		su_timer_set_for_ever(g->sweep, sweep, (su_timer_arg_t *)a);
	a->guard = g;
	return 0;
}

void trunk_guard_destroy(struct trunk_agent *a)
{
	struct trunk_guard *g = a->guard;

	if (!g)
		return;
	su_timer_destroy(g->sweep);
	free(g->tab);
	free(g->spare);
	free(g->counts);
	free(g);
	a->guard = NULL;
}

void trunk_guard_status(const struct trunk_agent *a, struct status *st)
{
	const struct trunk_guard *g = a ? a->guard : NULL;

	st->sip_rate_limit = g ? g->rate : 0;
	st->sip_limited_sources = g ? g->limited_now : 0;
	st->sip_rate_limited = g ? g->refused_total : 0;
	st->sip_rate_limit_episodes = g ? g->episodes : 0;
	st->sip_max_calls_refused = g ? g->max_calls_refused : 0;
	st->sip_sources_tracked = g ? (unsigned)g->used : 0;
}
