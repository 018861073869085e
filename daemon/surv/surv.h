/*
 * surv.h -- survivability: which trunk groups are down, and what the gateway
 * does about it.  Main thread only.
 *
 *  - Group health.  A trunk group is down while any reason holds: marked
 *    down through the API (runtime state, not configuration: forgotten on
 *    restart), every member span's D channel is down (span groups, computed
 *    here from the span manager), or -- from the SIP module, once it probes
 *    with OPTIONS -- every SIP trunk of the group failing.  Every reporter
 *    goes through surv_group_report(); whenever the down set changes, the
 *    call core gets it (call_core_set_down_groups), so routing skips down
 *    groups and applies the route's survivability alternative, and the
 *    status snapshot shows it, where the route tester reads it too.
 *  - Busy-out.  A span may name a group it depends on (busy_out_group);
 *    while that group is down the span is taken out of service so the PBX
 *    or carrier routes elsewhere, and brought back when it is up again.
 *    Only that group matters: one group's outage never touches spans that
 *    depend on another.
 *  - Bypass relays.  Each pair's two spans have their relay released while
 *    the daemon runs its main loop (mode auto) and engaged otherwise: the
 *    relay watchdog (hw_bypass_watchdog) is re-armed from surv_tick on the
 *    main loop, so a dead or hung loop engages the relay; engaged/released
 *    force it.
 */
#ifndef TG_SURV_H
#define TG_SURV_H

#include <stdbool.h>
#include <stddef.h>

struct surv;
struct spanmgr;
struct call_core;
struct tg_config;
struct status;
struct db;

/* Why a group is down: a bit set. */
enum surv_reason {
	SURV_DOWN_API = 1 << 0,         /* marked down through the API */
	SURV_DOWN_SPANS = 1 << 1,       /* span group: every member span's D channel is down */
	SURV_DOWN_SIP = 1 << 2,         /* SIP group: every trunk fails its OPTIONS (SIP module) */
};

#define SURV_RELAY_WATCHDOG_MS 3000     /* a hung main loop engages the relays after this */

int  surv_create(struct surv **sp, struct spanmgr *spans, struct call_core *core, struct db *db);
void surv_destroy(struct surv *s);
/* A new configuration (after spanmgr_apply): groups, busy-out, pairs. */
void surv_apply(struct surv *s, const struct tg_config *cfg);
/* Group `group_id` is (or is no longer) down for `reason`.  ENOENT if the
 * applied configuration has no such group. */
int  surv_group_report(struct surv *s, long long group_id, enum surv_reason reason, bool down);
/* A span's D channel went up or down: recompute the span groups. */
void surv_links_changed(struct surv *s);
/* From the main loop's status timer: re-arm the relays (the loop is alive). */
void surv_tick(struct surv *s);
/* Stopping: engage every relay in mode auto before the spans close. */
void surv_shutdown(struct surv *s);
/* Did the down set change since the last call?  (Publish status now.) */
bool surv_take_changed(struct surv *s);
/* Fill st->groups and st->bypass. */
void surv_status(struct surv *s, struct status *st);
/* "marked down by API, all spans down" into buf ("" when up). */
const char *surv_reason_text(unsigned reasons, char *buf, size_t len);

#endif
