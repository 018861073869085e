/*
 * spanmgr.h -- the spans at run time: for each configured span, its HAL span
 * (the card) and its ISDN signalling, opened, re-opened and closed as the
 * configuration changes (reconcile, don't restart).  Main thread only.
 *
 * Until the call core and routing exist, a span's calls end here: an incoming
 * call to the span's test number is answered by the gateway itself (a
 * commissioning aid, as gateways offer); any other incoming call is refused
 * with cause 1 (unallocated number); test calls can be placed out of a span
 * through the API.
 */
#ifndef TG_SPANMGR_H
#define TG_SPANMGR_H

#include <stdbool.h>
#include <sofia-sip/su_wait.h>

struct spanmgr;
struct tg_config;
struct mainq_msg;
struct status;
struct db;

int  spanmgr_create(struct spanmgr **mp, su_root_t *root, const char *state_dir, struct db *db);
void spanmgr_destroy(struct spanmgr *m);            /* closes every span */
/* Bring the running spans in line with cfg. */
void spanmgr_apply(struct spanmgr *m, const struct tg_config *cfg);
/* MAINQ_SPAN_* messages. */
void spanmgr_on_msg(struct spanmgr *m, const struct mainq_msg *msg);
/* Fill st->spans from the running spans. */
void spanmgr_status(struct spanmgr *m, struct status *st);
/* Routed calls go through the call core; spanmgr_place is its call_place_h
 * for span trunk groups (arg = the spanmgr). */
struct call_core;
struct route_target;
struct call_setup;
struct leg;
void spanmgr_set_core(struct spanmgr *m, struct call_core *core);
int  spanmgr_place(void *arg, const struct route_target *t, const struct call_setup *s,
		   struct leg **legp);

/* Survivability (daemon/surv drives these; main thread).  A span id that
 * is not running is ignored (busy-out) or ENODEV (relay). */
bool spanmgr_link_up(struct spanmgr *m, long long span_id);
/* Called after any span's ISDN layer 2 went up or down. */
void spanmgr_set_link_hook(struct spanmgr *m, void (*fn)(void *arg), void *arg);
/* Busy-out: take the span out of service (its D channel goes silent, so the
 * far end's layer 2 drops and it routes elsewhere) or back in. */
void spanmgr_busy_out(struct spanmgr *m, long long span_id, bool out);
/* Set the span's bypass relay, arming its watchdog with watchdog_ms (0: none)
 * first when that changed; a released relay is re-armed by each call. */
int  spanmgr_relay(struct spanmgr *m, long long span_id, bool engaged, unsigned watchdog_ms);

/* The media engine whose media_span_audio() gets every span's audio (set
 * before spans open; NULL: idle code on every timeslot). */
struct media_engine;
void spanmgr_set_media(struct spanmgr *m, struct media_engine *e);

/* Where the sim span `name` listens: <state_dir>/sim/<name>.sock */
void spanmgr_sim_path(const char *state_dir, const char *name, char *out, size_t len);

#endif
