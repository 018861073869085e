/*
 * surv.c -- survivability at run time (see surv.h): the down set of trunk
 * groups and what follows from it (the call core's view, busy-out), and the
 * bypass relays of the configured span pairs.  Main thread only.
 *
 * Invariants: the call core's down list is the health set's down groups,
 * pushed on every change; a span with a busy-out group is out of service
 * exactly while that group is down (re-applied after every configuration,
 * since a re-opened span starts in service); a relay in mode auto is
 * released, with the watchdog armed, only from surv_tick or surv_apply,
 * i.e. from the running main loop.
 *
 * Events: a group going down or up for the API or SIP reasons is written to
 * the events table in place (rare; as spanmgr does); span-group changes are
 * logged only, since the span's own link events are recorded already.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "surv"
#include "log.h"
#include "call.h"
#include "db.h"
#include "route.h"
#include "spanmgr.h"
#include "status/status.h"
#include "surv.h"
#include "surv_int.h"
#include "tg.h"
#include "tg_config.h"

#define MAX_DOWN 256

/* A pair's relay as last set. */
struct relay {
	bool engaged;
	bool set;                               /* set at least once on these spans */
	int err;                                /* the last set failed: why */
};

struct surv {
	struct spanmgr *spans;
	struct call_core *core;
	struct db *db;
	const struct tg_config *cfg;            /* borrowed: main keeps it until the next apply */
	struct surv_health health;
	struct relay *relays;                   /* one per cfg->bypass */
	bool changed;
	bool stopping;
};

static const char *const mode_names[] = { "auto", "engaged", "released" };

const char *surv_reason_text(unsigned reasons, char *buf, size_t len)
{
	static const struct {
		unsigned bit;
		const char *text;
	} names[] = {
		{ SURV_DOWN_API, "marked down by API" },
		{ SURV_DOWN_SPANS, "all spans down" },
		{ SURV_DOWN_SIP, "SIP trunks not answering" },
	};
	size_t off = 0;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < TG_ARRAY_SIZE(names); i++)
		if ((reasons & names[i].bit) && off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? ", " : "", names[i].text);
	return buf;
}

static const struct route_group *group_by_id(const struct surv *s, long long id)
{
	for (size_t i = 0; s->cfg && i < s->cfg->ngroups; i++)
		if (s->cfg->groups[i].id == id)
			return &s->cfg->groups[i];
	return NULL;
}

/* Busy-out follows the down set; a span's group never affects other spans.
 * Only SIP groups count (the API accepts no other): a span group's health
 * changes inside a span's ISDN callback (surv_links_changed), and busying
 * out a span from there could re-enter that span's signalling. */
static void busy_out_reconcile(struct surv *s)
{
	for (size_t i = 0; s->cfg && i < s->cfg->nspans; i++) {
		const struct tg_config_span *sp = &s->cfg->spans[i];
		const struct route_group *g = group_by_id(s, sp->busy_out_group_id);

		spanmgr_busy_out(s->spans, sp->id, g && g->kind == ROUTE_GROUP_SIP &&
				 surv_health_reasons(&s->health, g->id) != 0);
	}
}

static void down_set_changed(struct surv *s)
{
	long long ids[MAX_DOWN];
	size_t n = surv_health_down(&s->health, ids, MAX_DOWN);

	call_core_set_down_groups(s->core, ids, n < MAX_DOWN ? n : MAX_DOWN);
	busy_out_reconcile(s);
	s->changed = true;
}

static void report(struct surv *s, const struct route_group *g, unsigned reason, bool down)
{
	unsigned before = surv_health_reasons(&s->health, g->id);
	char why[96];
	bool changed = false;
	int rc;

	rc = surv_health_set(&s->health, g->id, reason, down, &changed);
	if (rc) {
		log_err("trunk group %s: health not recorded: %s", g->name, strerror(rc));
		return;
	}
	if (before == surv_health_reasons(&s->health, g->id))
		return;
	s->changed = true;                      /* the reasons show in status */
	if (!changed)
		return;
	surv_reason_text(down ? reason : before, why, sizeof(why));
	if (down && reason == SURV_DOWN_SPANS)    /* the spans' own alarms were logged */
		log_info("trunk group %s is down (%s)", g->name, why);
	else if (down)
		log_warn("trunk group %s is down (%s): routing uses the survivability alternatives",
			 g->name, why);
	else
		log_info("trunk group %s is up again (was: %s)", g->name, why);
	if (s->db && reason != SURV_DOWN_SPANS)
		db_event_add(s->db, down ? "major" : "cleared", down ? "group-down" : "group-up", g->name,
			     why);
	down_set_changed(s);
}

int surv_group_report(struct surv *s, long long group_id, enum surv_reason reason, bool down)
{
	const struct route_group *g = group_by_id(s, group_id);

	ASSERT_MAIN();
	if (!g)
		return ENOENT;
	report(s, g, reason, down);
	return 0;
}

static bool link_up(void *arg, long long span_id)
{
	return spanmgr_link_up(arg, span_id);
}

void surv_links_changed(struct surv *s)
{
	ASSERT_MAIN();
	for (size_t i = 0; s->cfg && i < s->cfg->ngroups; i++) {
		const struct route_group *g = &s->cfg->groups[i];

		if (g->kind == ROUTE_GROUP_SPAN)
			report(s, g, SURV_DOWN_SPANS, surv_span_group_down(s->cfg, g->id, link_up, s->spans));
	}
}

/* One pair's relay: what the mode asks of a running, healthy daemon. */
static void relay_drive(struct surv *s, size_t i, bool healthy)
{
	const struct tg_config_bypass *p = &s->cfg->bypass[i];
	struct relay *r = &s->relays[i];
	bool engaged = p->mode == TG_BYPASS_ENGAGED || (p->mode == TG_BYPASS_AUTO && !healthy);
	/* auto: the watchdog hands the line over if the loop stops re-arming */
	unsigned wd = p->mode == TG_BYPASS_AUTO ? SURV_RELAY_WATCHDOG_MS : 0;
	int rc = spanmgr_relay(s->spans, p->span_a, engaged, wd);

	if (!rc)
		rc = spanmgr_relay(s->spans, p->span_b, engaged, wd);
	if (rc && rc != r->err)
		log_warn("bypass pair %s: relay not %s: %s", p->name, engaged ? "engaged" : "released",
			 rc == ENODEV ? "a span is not running" : strerror(rc));
	else if (!rc && (!r->set || r->engaged != engaged || r->err))
		log_info("bypass pair %s: relay %s (mode %s)", p->name, engaged ? "engaged" : "released",
			 mode_names[p->mode]);
	if (!rc) {
		r->set = true;
		r->engaged = engaged;
	}
	r->err = rc;
}

void surv_tick(struct surv *s)
{
	ASSERT_MAIN();
	for (size_t i = 0; !s->stopping && s->cfg && i < s->cfg->nbypass; i++)
		relay_drive(s, i, true);
}

void surv_shutdown(struct surv *s)
{
	ASSERT_MAIN();
	for (size_t i = 0; s->cfg && i < s->cfg->nbypass; i++)
		relay_drive(s, i, false);
	s->stopping = true;
}

void surv_apply(struct surv *s, const struct tg_config *cfg)
{
	long long *ids = NULL;
	struct relay *relays;

	ASSERT_MAIN();
	relays = calloc(cfg->nbypass ? cfg->nbypass : 1, sizeof(*relays));
	if (!relays) {
		log_err("survivability: out of memory; keeping the previous pairs");
		return;
	}
	free(s->relays);
	s->relays = relays;
	s->cfg = cfg;
	/* groups that are gone lose their state (an id is never reused for
	 * another group while we run, but the list must not grow forever) */
	ids = calloc(cfg->ngroups ? cfg->ngroups : 1, sizeof(*ids));
	if (ids) {
		size_t before = s->health.n;

		for (size_t i = 0; i < cfg->ngroups; i++)
			ids[i] = cfg->groups[i].id;
		surv_health_keep(&s->health, ids, cfg->ngroups);
		free(ids);
		if (s->health.n != before)
			down_set_changed(s);
	}
	surv_links_changed(s);          /* members may have changed */
	down_set_changed(s);            /* re-opened spans start in service: re-apply busy-out */
	surv_tick(s);
}

bool surv_take_changed(struct surv *s)
{
	bool c = s->changed;

	s->changed = false;
	return c;
}

static const char *span_name(const struct tg_config *cfg, long long id)
{
	for (size_t i = 0; i < cfg->nspans; i++)
		if (cfg->spans[i].id == id)
			return cfg->spans[i].name;
	return "";
}

void surv_status(struct surv *s, struct status *st)
{
	static const char *const kinds[] = { "span", "sip", "analog" };
	unsigned n = 0;

	for (size_t i = 0; s->cfg && i < s->cfg->ngroups && n < STATUS_MAX_GROUPS; i++, n++) {
		const struct route_group *g = &s->cfg->groups[i];
		struct status_group *sg = &st->groups[n];

		memset(sg, 0, sizeof(*sg));
		sg->id = g->id;
		tg_strlcpy(sg->name, g->name, sizeof(sg->name));
		tg_strlcpy(sg->kind, (unsigned)g->kind < TG_ARRAY_SIZE(kinds) ? kinds[g->kind] : "?",
			   sizeof(sg->kind));
		sg->reasons = surv_health_reasons(&s->health, g->id);
		sg->down = sg->reasons != 0;
	}
	st->ngroups = n;
	n = 0;
	for (size_t i = 0; s->cfg && i < s->cfg->nbypass && n < STATUS_MAX_BYPASS; i++, n++) {
		const struct tg_config_bypass *p = &s->cfg->bypass[i];
		struct status_bypass *sb = &st->bypass[n];

		memset(sb, 0, sizeof(*sb));
		tg_strlcpy(sb->name, p->name, sizeof(sb->name));
		tg_strlcpy(sb->span_a, span_name(s->cfg, p->span_a), sizeof(sb->span_a));
		tg_strlcpy(sb->span_b, span_name(s->cfg, p->span_b), sizeof(sb->span_b));
		tg_strlcpy(sb->mode, mode_names[p->mode], sizeof(sb->mode));
		/* never set (no span running): a relay without drive is engaged */
		sb->engaged = !s->relays[i].set || s->relays[i].engaged;
		if (s->relays[i].err)
			snprintf(sb->error, sizeof(sb->error), "%s", s->relays[i].err == ENODEV ?
				 "a span of the pair is not running" : strerror(s->relays[i].err));
	}
	st->nbypass = n;
}

int surv_create(struct surv **sp, struct spanmgr *spans, struct call_core *core, struct db *db)
{
	struct surv *s = calloc(1, sizeof(*s));

	if (!s)
		return ENOMEM;
	s->spans = spans;
	s->core = core;
	s->db = db;
	*sp = s;
	return 0;
}

void surv_destroy(struct surv *s)
{
	if (!s)
		return;
	surv_health_free(&s->health);
	free(s->relays);
	free(s);
}
