/*
 * spanmgr.c -- see spanmgr.h.
 *
 * Threads: the HAL calls our hw callbacks on its I/O thread.  They never
 * touch a struct span: their argument is the span's instance number, and they
 * only post a copy (D-channel frame, alarm set) to the main thread's queue.
 * The audio callback hands each period to the media engine
 * (media_span_audio, keyed by the instance number), which fills the
 * timeslots bridged to RTP legs; the rest get the idle code.
 * A span re-opened gets a new instance number, so messages from its previous
 * life are dropped.  Everything else runs on the main thread.
 *
 * Each span has one su_timer, re-armed after everything that can change
 * libpri's schedule (a frame in, a call action), for isdn_next_timer_ms().
 */
#include "config.h"
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sofia-sip/su_wait.h>

#define LOG_MODULE "span"
#include "log.h"
#include "db.h"
#include "hw.h"
#include "call.h"
#include "isdn.h"
#include "mainq.h"
#include "media.h"
#include "spanmgr.h"
#include "status/status.h"
#include "tg.h"
#include "tg_config.h"

struct span {
	struct span *next;
	struct spanmgr *mgr;
	unsigned long long instance;
	struct tg_config_span cfg;              /* strings point into name/... below */
	char name[33], driver[8], test_number[33], device[4200];
	struct hw_span *hw;
	struct isdn_span *isdn;
	su_timer_t *timer;
	char error[128];
	unsigned alarms;
	bool link_up;
	bool busy_out;                          /* taken out of service (survivability) */
	unsigned relay_wd_ms;                   /* the relay watchdog as armed on s->hw */
	unsigned long long total_calls;
};

/* What a call placed or answered here needs to remember. */
struct span_call {
	struct span *span;
	su_timer_t *hangup;                     /* test calls: hang up after hold time */
	unsigned hold_seconds;
	bool test;
	bool routed;                            /* a leg of a call in the call core */
	struct isdn_call *ic;                   /* NULL once released */
	struct leg leg;
};

struct spanmgr {
	su_root_t *root;
	struct db *db;
	char state_dir[4096];
	struct span *spans;
	unsigned long long next_instance;
	struct call_core *core;                 /* routed calls; NULL: test calls only */
	const struct tg_config *cfg;            /* the snapshot applied last (members) */
	void (*link_hook)(void *arg);           /* survivability: a D channel went up or down */
	void *link_hook_arg;
};

/* Layer 1 as ISDN sees it: no receive alarm, and not busied out. */
static bool span_l1(const struct span *s, unsigned alarms)
{
	return !(alarms & (HW_ALARM_LOS | HW_ALARM_RED | HW_ALARM_BLUE)) && !s->busy_out;
}

void spanmgr_sim_path(const char *state_dir, const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/sim/%s.sock", state_dir, name);
}

/* ---- hw callbacks: HAL I/O thread, post copies only ---- */

static void hw_on_alarm(void *arg, unsigned alarms, unsigned old)
{
	mainq_post(&(struct mainq_msg){ .type = MAINQ_SPAN_ALARM,
		.u.alarm = { (unsigned long long)(uintptr_t)arg, alarms, old } });
}

static void hw_on_dchan(void *arg, const uint8_t *frame, size_t len)
{
	struct mainq_msg m = { .type = MAINQ_SPAN_DCHAN };

	if (len > sizeof(m.u.dchan.data))
		return;         /* longer than any Q.921 frame: line noise */
	m.u.dchan.instance = (unsigned long long)(uintptr_t)arg;
	m.u.dchan.len = (uint16_t)len;
	memcpy(m.u.dchan.data, frame, len);
	mainq_post(&m);
}

/* The media engine, set once by spanmgr_set_media() before spans open (read
 * on the HAL's I/O thread, hence atomic). */
static struct media_engine *_Atomic span_media;

static void span_audio(void *arg, enum hw_span_type type, const uint8_t *rx, uint8_t *tx,
		       unsigned samples)
{
	struct media_engine *e = atomic_load(&span_media);
	unsigned ts = hw_span_timeslots(type);

	memset(tx, hw_idle_code(type), (size_t)ts * samples);
	if (e)
		media_span_audio(e, (uint64_t)(uintptr_t)arg, type == HW_SPAN_T1, rx, tx, ts, samples);
}

static void hw_on_audio_t1(void *arg, const uint8_t *rx, uint8_t *tx, unsigned samples)
{
	span_audio(arg, HW_SPAN_T1, rx, tx, samples);
}

static void hw_on_audio_e1(void *arg, const uint8_t *rx, uint8_t *tx, unsigned samples)
{
	span_audio(arg, HW_SPAN_E1, rx, tx, samples);
}

static const struct hw_span_events hw_events_t1 = {
	.alarm = hw_on_alarm,
	.dchan = hw_on_dchan,
	.audio = hw_on_audio_t1,
};

static const struct hw_span_events hw_events_e1 = {
	.alarm = hw_on_alarm,
	.dchan = hw_on_dchan,
	.audio = hw_on_audio_e1,
};

void spanmgr_set_media(struct spanmgr *m, struct media_engine *e)
{
	(void)m;
	atomic_store(&span_media, e);
}

/* ---- ISDN timers ---- */

static void span_rearm(struct span *s);

static void on_span_timer(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	struct span *s = (struct span *)arg;

	isdn_run_timers(s->isdn);
	span_rearm(s);
}

static void span_rearm(struct span *s)
{
	long ms;

	if (!s->isdn || !s->timer)
		return;
	ms = isdn_next_timer_ms(s->isdn);
	su_timer_reset(s->timer);
	if (ms >= 0)
		su_timer_set_interval(s->timer, on_span_timer, (su_timer_arg_t *)s,
				      (su_duration_t)(ms > 0 ? ms : 1));
}

/* ---- ISDN events: main thread ---- */

static void span_event(struct span *s, const char *severity, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Span events are rare (alarms, link changes): written in place.  A burst of
 * them (a flapping line) would stall the loop on disk; counting and rate
 * limiting belong to the events work of the status issue. */
static void span_event(struct span *s, const char *severity, const char *kind, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s->mgr->db)
		db_event_add(s->mgr->db, severity, kind, s->name, msg);
}

static void isdn_on_dchan_tx(void *arg, const uint8_t *frame, size_t len)
{
	struct span *s = arg;

	if (s->hw)
		hw_dchan_send(s->hw, frame, len);
}

static void isdn_on_link(void *arg, bool up)
{
	struct span *s = arg;

	if (s->link_up == up)
		return;
	s->link_up = up;
	log_info("%s: ISDN layer 2 %s", s->name, up ? "up" : "down");
	span_event(s, up ? "cleared" : "major", up ? "span-link-up" : "span-link-down",
		   "D channel %s", up ? "up" : "down");
	if (s->mgr->link_hook)
		s->mgr->link_hook(s->mgr->link_hook_arg);
}

static struct span_call *call_new(struct span *s, bool test, unsigned hold)
{
	struct span_call *sc = calloc(1, sizeof(*sc));

	if (sc) {
		sc->span = s;
		sc->test = test;
		sc->hold_seconds = hold;
	}
	return sc;
}

/* ---- PRI legs for the call core ---- */

static int leg_proceeding(struct leg *l)
{
	struct span_call *sc = l->owner;

	return sc->ic ? isdn_call_proceeding(sc->ic) : 0;
}

static int leg_alerting(struct leg *l, bool inband)
{
	struct span_call *sc = l->owner;

	return sc->ic ? isdn_call_alerting(sc->ic, inband) : 0;
}

static int leg_progress(struct leg *l, bool inband)
{
	struct span_call *sc = l->owner;

	return sc->ic ? isdn_call_progress(sc->ic, inband) : 0;
}

static int leg_answer(struct leg *l)
{
	struct span_call *sc = l->owner;

	return sc->ic ? isdn_call_answer(sc->ic) : 0;
}

static int leg_release(struct leg *l, const struct call_end *why)
{
	struct span_call *sc = l->owner;
	struct span *s = sc->span;
	int rc = 0;

	/* The released event may come before isdn_call_hangup returns and free
	 * sc: touch only the span afterwards. */
	if (sc->ic)
		rc = isdn_call_hangup(sc->ic, why->cause);
	span_rearm(s);
	return rc;
}

/* The B channel, for the call core's media attach (channel = timeslot). */
static int leg_media(struct leg *l, struct leg_media *m)
{
	struct span_call *sc = l->owner;

	if (!sc->ic)
		return ENOENT;
	m->span_key = sc->span->instance;
	m->timeslot = isdn_call_channel(sc->ic);
	m->tdm = atomic_load(&span_media);
	m->ec_tail_ms = sc->span->cfg.echo_tail_ms;
	return 0;
}

static const struct leg_ops pri_leg_ops = {
	.proceeding = leg_proceeding, .alerting = leg_alerting, .progress = leg_progress,
	.answer = leg_answer, .release = leg_release, .media = leg_media,
};

/* The trunk group an incoming call on this span and B channel belongs to:
 * the member whose channel range holds the channel (a span split between
 * groups by channel ranges), else a whole-span member. */
static long long span_group(struct spanmgr *m, long long span_id, unsigned channel,
			    const char **name)
{
	const struct tg_config_member *whole = NULL;

	for (size_t i = 0; m->cfg && i < m->cfg->nmembers; i++) {
		const struct tg_config_member *mb = &m->cfg->members[i];

		if (mb->span_id != span_id)
			continue;
		if (mb->first_channel && channel >= mb->first_channel && channel <= mb->last_channel) {
			*name = mb->group;
			return mb->group_id;
		}
		if (!mb->first_channel && !whole)
			whole = mb;
	}
	*name = whole ? whole->group : "";
	return whole ? whole->group_id : 0;
}

static void number_in(struct route_number *rn, const struct isdn_number *n)
{
	tg_strlcpy(rn->digits, n->digits, sizeof(rn->digits));
	rn->ton = n->ton;
	rn->npi = n->npi;
	rn->presentation = n->pres;
}

static void number_out(struct isdn_number *n, const struct route_number *rn)
{
	tg_strlcpy(n->digits, rn->digits, sizeof(n->digits));
	n->ton = rn->ton >= 0 ? (enum isdn_ton)rn->ton : ISDN_TON_UNKNOWN;
	n->npi = rn->npi >= 0 ? (enum isdn_npi)rn->npi : ISDN_NPI_E164;
	n->pres = rn->presentation > 0 ? ISDN_PRES_RESTRICTED : ISDN_PRES_ALLOWED;
}

static struct span_call *call_new(struct span *s, bool test, unsigned hold);

static void fill_leg(struct span_call *sc, struct isdn_call *ic, const char *group)
{
	sc->routed = true;
	sc->ic = ic;
	sc->leg.ops = &pri_leg_ops;
	sc->leg.owner = sc;
	sc->leg.kind = LEG_PRI;
	tg_strlcpy(sc->leg.trunk, sc->span->name, sizeof(sc->leg.trunk));
	tg_strlcpy(sc->leg.group, group, sizeof(sc->leg.group));
	sc->leg.channel = isdn_call_channel(ic);
}

/* call_place_h: an outgoing PRI leg on the first member span of the group
 * with a free B channel.  Causes: 34 when every span is full, 38 when none
 * has its D channel up. */
int spanmgr_place(void *arg, const struct route_target *t, const struct call_setup *cs,
		  struct leg **legp)
{
	struct spanmgr *m = arg;
	bool any_up = false;

	for (size_t i = 0; m->cfg && i < m->cfg->nmembers; i++) {
		const struct tg_config_member *mem = &m->cfg->members[i];
		struct isdn_setup su = { .exclusive = false };
		struct isdn_call *ic = NULL;
		struct span_call *sc;
		struct span *s;
		int rc;

		if (mem->group_id != t->group_id)
			continue;
		for (s = m->spans; s && s->cfg.id != mem->span_id; s = s->next)
			;
		if (!s || !s->isdn || !isdn_link_up(s->isdn))
			continue;
		any_up = true;
		number_out(&su.called, &cs->called);
		number_out(&su.calling, &cs->calling);
		number_out(&su.redirecting, &cs->redirecting);
		su.redirect_reason = cs->redirect_reason;
		if (mem->first_channel) {
			/* The member is part of the span: hunt inside first..last only.
			 * O(channels), at most 31. */
			unsigned last = mem->last_channel ? mem->last_channel : mem->first_channel;

			for (unsigned ch = mem->first_channel; ch <= last && !su.channel; ch++)
				if (isdn_channel_state(s->isdn, ch) == ISDN_CHAN_IDLE)
					su.channel = ch;
			if (!su.channel)
				continue;       /* this part of the span is full */
			su.exclusive = true;
		}
		sc = call_new(s, false, 0);
		if (!sc)
			return ISDN_CAUSE_TEMPORARY_FAILURE;
		rc = isdn_call_place(s->isdn, &su, sc, &ic);
		if (rc) {
			free(sc);
			continue;       /* EBUSY: the next member span */
		}
		s->total_calls++;
		fill_leg(sc, ic, mem->group);
		span_rearm(s);
		*legp = &sc->leg;
		return 0;
	}
	return any_up ? ISDN_CAUSE_NO_CIRCUIT : ISDN_CAUSE_NETWORK_OUT_OF_ORDER;
}

static void isdn_on_incoming(void *arg, struct isdn_call *c, const struct isdn_setup *su)
{
	struct span *s = arg;
	struct span_call *sc;

	s->total_calls++;
	if (!s->test_number[0] || strcmp(su->called.digits, s->test_number) != 0) {
		struct call_setup cs = { 0 };
		const char *group;

		if (!s->mgr->core) {
			log_info("%s: call from %s to %s refused: no routing", s->name,
				 su->calling.digits, su->called.digits);
			isdn_call_hangup(c, ISDN_CAUSE_NO_ROUTE);
			span_rearm(s);
			return;
		}
		sc = call_new(s, false, 0);
		if (!sc) {
			isdn_call_hangup(c, ISDN_CAUSE_TEMPORARY_FAILURE);
			span_rearm(s);
			return;
		}
		cs.source_group_id = span_group(s->mgr, s->cfg.id, isdn_call_channel(c), &group);
		fill_leg(sc, c, group);
		isdn_call_set_user(c, sc);
		number_in(&cs.called, &su->called);
		number_in(&cs.calling, &su->calling);
		number_in(&cs.redirecting, &su->redirecting);
		cs.redirect_reason = su->redirect_reason;
		call_incoming(s->mgr->core, &sc->leg, &cs);
		span_rearm(s);
		return;
	}
	sc = call_new(s, true, 0);
	if (!sc) {
		isdn_call_hangup(c, ISDN_CAUSE_TEMPORARY_FAILURE);
		span_rearm(s);
		return;
	}
	isdn_call_set_user(c, sc);
	log_info("%s: test call from %s on channel %u answered", s->name, su->calling.digits,
		 isdn_call_channel(c));
	isdn_call_proceeding(c);
	isdn_call_alerting(c, false);
	isdn_call_answer(c);
	span_rearm(s);
}

static void on_hold_expired(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	struct isdn_call *c = (struct isdn_call *)arg;
	struct span_call *sc = isdn_call_user(c);

	log_info("%s: test call on channel %u: hold time over, hanging up", sc->span->name,
		 isdn_call_channel(c));
	isdn_call_hangup(c, ISDN_CAUSE_NORMAL_CLEARING);
	span_rearm(sc->span);
}

static void isdn_on_proceeding(void *arg, struct isdn_call *c)
{
	struct span_call *sc = isdn_call_user(c);

	if (sc && sc->routed)
		call_leg_proceeding(&sc->leg);
}

static void isdn_on_alerting(void *arg, struct isdn_call *c, bool inband)
{
	struct span_call *sc = isdn_call_user(c);

	if (sc && sc->routed)
		call_leg_alerting(&sc->leg, inband);
}

static void isdn_on_progress(void *arg, struct isdn_call *c, bool inband)
{
	struct span_call *sc = isdn_call_user(c);

	if (sc && sc->routed)
		call_leg_progress(&sc->leg, inband);
}

static void isdn_on_answered(void *arg, struct isdn_call *c)
{
	struct span *s = arg;
	struct span_call *sc = isdn_call_user(c);

	if (sc && sc->routed) {
		call_leg_answered(&sc->leg);
		return;
	}

	log_info("%s: call on channel %u answered", s->name, isdn_call_channel(c));
	if (sc && sc->hold_seconds && !sc->hangup) {
		sc->hangup = su_timer_create(su_root_task(s->mgr->root),
					     (su_duration_t)sc->hold_seconds * 1000);
		if (sc->hangup)
			su_timer_set(sc->hangup, on_hold_expired, (su_timer_arg_t *)c);
	}
}

static void isdn_on_released(void *arg, struct isdn_call *c, int cause)
{
	struct span *s = arg;
	struct span_call *sc = isdn_call_user(c);

	log_debug("%s: call on channel %u ended, cause %d", s->name, isdn_call_channel(c), cause);
	if (sc) {
		su_timer_destroy(sc->hangup);
		sc->ic = NULL;
		if (sc->routed) {
			struct call_end why = { .cause = cause, .sip_status = call_cause_to_sip(cause) };

			call_leg_released(&sc->leg, &why);
		}
		free(sc);
	}
}

static void isdn_on_restarted(void *arg, unsigned channel)
{
	struct span *s = arg;

	log_info("%s: far end restarted %s%u", s->name, channel ? "channel " : "the interface", channel);
}

static const struct isdn_events isdn_events = {
	.dchan_tx = isdn_on_dchan_tx,
	.link = isdn_on_link,
	.incoming = isdn_on_incoming,
	.proceeding = isdn_on_proceeding,
	.alerting = isdn_on_alerting,
	.progress = isdn_on_progress,
	.answered = isdn_on_answered,
	.released = isdn_on_released,
	.restarted = isdn_on_restarted,
};

/* ---- opening and closing ---- */

static void span_close(struct span *s)
{
	/* Close the card first: after hw_span_close no callback runs for it. */
	/* End the span's calls first, so the call core hears of every leg. */
	if (s->isdn)
		isdn_layer1(s->isdn, false);
	if (s->hw) {
		hw_span_close(s->hw);
		/* a sim span we own leaves no socket behind for a peer to find */
		if (!strcmp(s->driver, "sim") && !s->cfg.sim_attach[0])
			unlink(s->device);
	}
	s->hw = NULL;
	isdn_span_destroy(s->isdn);     /* frees its calls without wire messages */
	s->isdn = NULL;
	su_timer_destroy(s->timer);
	s->timer = NULL;
}

static void span_free(struct span *s)
{
	span_close(s);
	free(s);
}

static int mkdir_parent(const char *path)
{
	char dir[4200];
	char *slash;

	tg_strlcpy(dir, path, sizeof(dir));
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return errno;
	return 0;
}

/* Open the card and signalling for s->cfg; on failure the span stays in the
 * list, closed, with the reason shown in status. */
static void span_open(struct spanmgr *m, struct span *s)
{
	const struct hw_driver *drv;
	struct hw_span_cfg hc;
	char err[256] = "";
	int rc;

	s->error[0] = '\0';
	s->alarms = HW_ALARM_LOS | HW_ALARM_RED;
	s->link_up = false;
	if (!s->cfg.enabled)
		return;
	drv = hw_driver_find(s->driver);
	if (!drv) {
		snprintf(s->error, sizeof(s->error), "driver %s is not built in", s->driver);
		goto fail;
	}
	hc = s->cfg.hw;
	hc.name = s->name;
	hc.device = s->device;
	hc.attach = s->cfg.sim_attach && s->cfg.sim_attach[0];
	if (hw_span_cfg_check(&hc, err, sizeof(err))) {
		snprintf(s->error, sizeof(s->error), "%s", err);
		goto fail;
	}
	if (!strcmp(s->driver, "sim") && !hc.attach && (rc = mkdir_parent(s->device))) {
		snprintf(s->error, sizeof(s->error), "%s: %s", s->device, strerror(rc));
		goto fail;
	}
	s->instance = ++m->next_instance;
	s->cfg.isdn.name = s->name;
	rc = isdn_span_create(&s->isdn, &s->cfg.isdn, &isdn_events, s);
	if (rc) {
		snprintf(s->error, sizeof(s->error), "ISDN set-up failed: %s", strerror(rc));
		goto fail;
	}
	s->timer = su_timer_create(su_root_task(m->root), 1000);
	rc = hw_span_open(drv, &s->hw, &hc, hc.type == HW_SPAN_T1 ? &hw_events_t1 : &hw_events_e1,
			  (void *)(uintptr_t)s->instance);
	if (rc) {
		snprintf(s->error, sizeof(s->error), "%s span open failed: %s", s->driver, strerror(rc));
		goto fail;
	}
	s->alarms = hw_span_alarms(s->hw);
	s->relay_wd_ms = 0;
	isdn_layer1(s->isdn, span_l1(s, s->alarms));
	span_rearm(s);
	log_info("%s: opened (%s %s, %s, %s side%s%s)", s->name, s->driver, hw_span_type_name(hc.type),
		 isdn_switch_name(s->cfg.isdn.sw), isdn_side_name(s->cfg.isdn.side),
		 hc.attach ? ", attached to " : ", at ", s->device);
	return;
 fail:
	log_err("%s: %s", s->name, s->error);
	span_event(s, "major", "span-error", "%s", s->error);
	span_close(s);
}

static struct span *span_new(struct spanmgr *m, const struct tg_config_span *cs)
{
	struct span *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->mgr = m;
	s->cfg = *cs;
	tg_strlcpy(s->name, cs->name, sizeof(s->name));
	tg_strlcpy(s->driver, cs->driver, sizeof(s->driver));
	tg_strlcpy(s->test_number, cs->test_number, sizeof(s->test_number));
	if (cs->sim_attach[0])
		tg_strlcpy(s->device, cs->sim_attach, sizeof(s->device));
	else if (!strcmp(cs->driver, "sim"))
		spanmgr_sim_path(m->state_dir, s->name, s->device, sizeof(s->device));
	/* the config's strings belong to its snapshot: point at our copies */
	s->cfg.name = s->name;
	s->cfg.driver = s->driver;
	s->cfg.test_number = s->test_number;
	s->cfg.sim_attach = cs->sim_attach[0] ? s->device : "";
	return s;
}

void spanmgr_set_core(struct spanmgr *m, struct call_core *core)
{
	m->core = core;
}

void spanmgr_apply(struct spanmgr *m, const struct tg_config *cfg)
{
	struct span **pp, *s, *kept = NULL, **kt = &kept;

	ASSERT_MAIN();
	m->cfg = cfg;   /* the caller keeps it alive until the next apply */
	/* Keep the spans whose configuration did not change; close the rest. */
	for (pp = &m->spans; (s = *pp);) {
		const struct tg_config_span *cs = NULL;

		for (size_t i = 0; i < cfg->nspans; i++)
			if (cfg->spans[i].id == s->cfg.id)
				cs = &cfg->spans[i];
		*pp = s->next;
		if (cs) {
			struct span *probe = span_new(m, cs);

			if (probe && tg_config_span_equal(&probe->cfg, &s->cfg)) {
				free(probe);
				s->cfg.echo_tail_ms = cs->echo_tail_ms;    /* for new calls */
				s->next = NULL;
				*kt = s;
				kt = &s->next;
				continue;
			}
			free(probe);
			log_info("%s: configuration changed, re-opening", s->name);
		} else {
			log_info("%s: removed", s->name);
		}
		span_free(s);
	}
	m->spans = kept;
	if (kt == &kept)
		kt = &m->spans;         /* nothing kept: append to the (empty) list itself */
	/* Open what is new or changed, in configuration order. */
	for (size_t i = 0; i < cfg->nspans; i++) {
		bool have = false;

		for (s = m->spans; s; s = s->next)
			have |= s->cfg.id == cfg->spans[i].id;
		if (have)
			continue;
		s = span_new(m, &cfg->spans[i]);
		if (!s)
			continue;
		*kt = s;
		kt = &s->next;
		span_open(m, s);
	}
}

static struct span *by_instance(struct spanmgr *m, unsigned long long instance)
{
	for (struct span *s = m->spans; s; s = s->next)
		if (s->hw && s->instance == instance)
			return s;
	return NULL;
}

static void on_alarm(struct span *s, unsigned alarms)
{
	char now[64], was[64];
	bool l1_was = span_l1(s, s->alarms), l1 = span_l1(s, alarms);

	hw_alarm_names(alarms, now, sizeof(now));
	hw_alarm_names(s->alarms, was, sizeof(was));
	s->alarms = alarms;
	if (alarms)
		log_warn("%s: alarm %s%s%s%s", s->name, now, was[0] ? " (was " : "", was, was[0] ? ")" : "");
	else
		log_info("%s: alarms cleared (was %s)", s->name, was);
	span_event(s, alarms ? "critical" : "cleared", alarms ? "span-alarm" : "span-alarm-clear",
		   "%s%s", alarms ? "alarm " : "alarms cleared", now);
	if (l1 != l1_was) {
		isdn_layer1(s->isdn, l1);
		span_rearm(s);
	}
}

static void test_call(struct spanmgr *m, const struct mainq_msg *msg)
{
	struct mainq_reply *reply = msg->u.test_call.reply;
	struct isdn_setup su = { .exclusive = true };
	struct isdn_call *c = NULL;
	struct span_call *sc;
	struct span *s;
	int rc;

	for (s = m->spans; s; s = s->next)
		if (s->cfg.id == msg->u.test_call.span_id)
			break;
	if (!s || !s->isdn) {
		mainq_reply_done(reply, ENOENT, "the span is not running%s%s", s && s->error[0] ? ": " : "",
				 s ? s->error : "");
		return;
	}
	tg_strlcpy(su.called.digits, msg->u.test_call.called, sizeof(su.called.digits));
	tg_strlcpy(su.calling.digits, msg->u.test_call.calling, sizeof(su.calling.digits));
	sc = call_new(s, true, msg->u.test_call.hold_seconds);
	if (!sc) {
		mainq_reply_done(reply, ENOMEM, "out of memory");
		return;
	}
	rc = isdn_call_place(s->isdn, &su, sc, &c);
	if (rc) {
		free(sc);
		mainq_reply_done(reply, rc, rc == ENOTCONN ? "the span's D channel is down" :
				 rc == EBUSY ? "no free B channel (cause 34)" : "the call was not placed: %s",
				 strerror(rc));
		return;
	}
	s->total_calls++;
	reply->channel = isdn_call_channel(c);
	log_info("%s: test call to %s placed on channel %u", s->name, su.called.digits, reply->channel);
	span_rearm(s);
	mainq_reply_done(reply, 0, "placed on channel %u", reply->channel);
}

void spanmgr_on_msg(struct spanmgr *m, const struct mainq_msg *msg)
{
	struct span *s;

	ASSERT_MAIN();
	switch (msg->type) {
	case MAINQ_SPAN_DCHAN:
		s = by_instance(m, msg->u.dchan.instance);
		if (s && s->isdn) {
			isdn_dchan_rx(s->isdn, msg->u.dchan.data, msg->u.dchan.len);
			span_rearm(s);
		}
		break;
	case MAINQ_SPAN_ALARM:
		s = by_instance(m, msg->u.alarm.instance);
		if (s)
			on_alarm(s, msg->u.alarm.alarms);
		break;
	case MAINQ_SPAN_TEST_CALL:
		test_call(m, msg);
		break;
	default:
		break;
	}
}

void spanmgr_status(struct spanmgr *m, struct status *st)
{
	unsigned n = 0;

	for (struct span *s = m->spans; s && n < STATUS_MAX_SPANS; s = s->next, n++) {
		struct status_span *ss = &st->spans[n];

		memset(ss, 0, sizeof(*ss));
		ss->id = s->cfg.id;
		tg_strlcpy(ss->name, s->name, sizeof(ss->name));
		tg_strlcpy(ss->type, hw_span_type_name(s->cfg.hw.type), sizeof(ss->type));
		tg_strlcpy(ss->driver, s->driver, sizeof(ss->driver));
		tg_strlcpy(ss->switch_type, isdn_switch_name(s->cfg.isdn.sw), sizeof(ss->switch_type));
		tg_strlcpy(ss->side, isdn_side_name(s->cfg.isdn.side), sizeof(ss->side));
		tg_strlcpy(ss->framing, hw_framing_name(s->cfg.hw.framing), sizeof(ss->framing));
		tg_strlcpy(ss->line_code, hw_line_code_name(s->cfg.hw.line_code), sizeof(ss->line_code));
		tg_strlcpy(ss->clock, hw_clock_name(s->cfg.hw.clock), sizeof(ss->clock));
		ss->crc4 = s->cfg.hw.crc4;
		tg_strlcpy(ss->error, s->error, sizeof(ss->error));
		ss->enabled = s->cfg.enabled;
		ss->open = s->hw != NULL;
		ss->total_calls = s->total_calls;
		if (!s->hw)
			continue;
		ss->alarms = s->alarms;
		ss->busy_out = s->busy_out;
		ss->link_up = isdn_link_up(s->isdn);
		ss->active_calls = isdn_active_calls(s->isdn);
		hw_span_counters(s->hw, &ss->counters);
		ss->nchannels = isdn_channel_count(s->isdn);
		for (unsigned i = 0; i < ss->nchannels && i < HW_MAX_TIMESLOTS; i++) {
			unsigned ch = isdn_channel_number(s->isdn, i);

			ss->channel[i] = (uint8_t)ch;
			ss->channel_state[i] = (uint8_t)isdn_channel_state(s->isdn, ch);
		}
	}
	st->nspans = n;
}

/* ---- survivability ---- */

static struct span *by_id(struct spanmgr *m, long long span_id)
{
	for (struct span *s = m->spans; s; s = s->next)
		if (s->cfg.id == span_id)
			return s;
	return NULL;
}

bool spanmgr_link_up(struct spanmgr *m, long long span_id)
{
	struct span *s = by_id(m, span_id);

	return s && s->isdn && isdn_link_up(s->isdn);
}

void spanmgr_set_link_hook(struct spanmgr *m, void (*fn)(void *arg), void *arg)
{
	m->link_hook = fn;
	m->link_hook_arg = arg;
}

void spanmgr_busy_out(struct spanmgr *m, long long span_id, bool out)
{
	struct span *s = by_id(m, span_id);

	ASSERT_MAIN();
	if (!s || s->busy_out == out)
		return;
	s->busy_out = out;
	log_info("%s: %s", s->name, out ? "busied out: D channel taken down" : "back in service");
	span_event(s, out ? "major" : "cleared", out ? "span-busy-out" : "span-in-service", "%s",
		   out ? "taken out of service (busy-out)" : "back in service");
	if (s->isdn) {
		isdn_layer1(s->isdn, span_l1(s, s->alarms));
		span_rearm(s);
	}
}

int spanmgr_relay(struct spanmgr *m, long long span_id, bool engaged, unsigned watchdog_ms)
{
	struct span *s = by_id(m, span_id);
	int rc;

	ASSERT_MAIN();
	if (!s || !s->hw)
		return ENODEV;
	if (s->relay_wd_ms != watchdog_ms) {
		rc = hw_bypass_watchdog(s->hw, watchdog_ms);
		if (rc)
			return rc;
		s->relay_wd_ms = watchdog_ms;
	}
	return hw_bypass_set(s->hw, engaged);
}

int spanmgr_create(struct spanmgr **mp, su_root_t *root, const char *state_dir, struct db *db)
{
	struct spanmgr *m = calloc(1, sizeof(*m));

	if (!m)
		return ENOMEM;
	m->root = root;
	m->db = db;
	tg_strlcpy(m->state_dir, state_dir, sizeof(m->state_dir));
	*mp = m;
	return 0;
}

void spanmgr_destroy(struct spanmgr *m)
{
	struct span *s, *next;

	if (!m)
		return;
	for (s = m->spans; s; s = next) {
		next = s->next;
		span_free(s);
	}
	free(m);
}
