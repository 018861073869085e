/*
 * call.h -- the call model: a call joins an incoming leg and an outgoing leg.
 * A leg is a PRI, SIP or analog channel behind one small ops table; the call
 * core does not know which.  The core asks routing where a call goes, asks
 * the owner of the destination group to place the outgoing leg, passes
 * progress both ways, fails over to the next destination on the causes the
 * route names, and writes one CDR when the call ends.  Main thread only.
 *
 * Causes: a call ends with a struct call_end (Q.850 cause, SIP status, short
 * reason); the mapping between Q.850 and SIP is one table (cause.c).
 */
#ifndef TG_CALL_H
#define TG_CALL_H

#include <stdbool.h>
#include <stddef.h>

#include "route.h"

struct call;
struct leg;
struct call_core;
struct db;

enum leg_kind { LEG_PRI, LEG_SIP, LEG_ANALOG };

struct call_end {
	int cause;                      /* Q.850 1..127 */
	int sip_status;                 /* 0 when none */
	const char *reason;             /* short text for logs and the CDR */
};

/* What a leg's owner does when the core asks. */
struct leg_ops {
	int (*proceeding)(struct leg *l);
	int (*alerting)(struct leg *l, bool inband);
	int (*progress)(struct leg *l, bool inband);
	int (*answer)(struct leg *l);
	/* Clear the leg with this cause; the owner later reports
	 * call_leg_released() (or may already have). */
	int (*release)(struct leg *l, const struct call_end *why);
};

struct leg {
	const struct leg_ops *ops;
	void *owner;                    /* the signalling module's handle (e.g. isdn_call) */
	struct call *call;              /* set by the core */
	enum leg_kind kind;
	char trunk[33];                 /* span or SIP trunk name */
	char group[33];                 /* trunk group name */
	unsigned channel;
};

struct call_setup {
	long long source_group_id;
	struct route_number called, calling;
};

/* Placing an outgoing leg: the core asks the owner of the destination group
 * (for span groups, the span manager).  0 with *legp filled, or a Q.850 cause
 * (>0) if it could not (34: no circuit free in the group, 38: all spans down). */
typedef int (call_place_h)(void *arg, const struct route_target *t, const struct call_setup *s,
			   struct leg **legp);

struct call_core_cfg {
	call_place_h *place;
	void *place_arg;
	struct db *db;                  /* CDRs; NULL: none written (tests) */
	/* Local time for routing windows: weekday 0 = Monday, minute of the day.
	 * NULL: the system's local time. */
	void (*clock)(int *weekday, int *minute, long long *wall_ms);
	unsigned (*random)(void);       /* NULL: random() */
};

int  call_core_create(struct call_core **cp, const struct call_core_cfg *cfg);
void call_core_destroy(struct call_core *c);   /* ends every call (cause 41) */
/* The routing table new calls use; calls in progress keep theirs. */
void call_core_set_table(struct call_core *c, struct route_table *t);
/* Groups that are down now (survivability); copied. */
void call_core_set_down_groups(struct call_core *c, const long long *ids, size_t n);

/* A leg's owner reports a new incoming call.  The core routes it and either
 * places the outgoing leg or releases `in` with the routing cause (the owner
 * gets ops->release).  Everything after that arrives as ops calls; the
 * return value is always NULL (the call may be over before this returns). */
struct call *call_incoming(struct call_core *c, struct leg *in, const struct call_setup *s);

/* Events from either leg. */
void call_leg_proceeding(struct leg *l);
void call_leg_alerting(struct leg *l, bool inband);
void call_leg_progress(struct leg *l, bool inband);
void call_leg_answered(struct leg *l);
/* The leg is gone (the owner frees it after this returns). */
void call_leg_released(struct leg *l, const struct call_end *why);

/* Live numbers for status. */
unsigned call_core_active(const struct call_core *c);
unsigned long long call_core_total(const struct call_core *c);

/* Q.850 <-> SIP, one table (RFC 3398 section 8.2.6 and 7.2.4.1; RFC 4497 for
 * QSIG).  The SIP status a cause maps to, and the cause a status maps to. */
int call_cause_to_sip(int cause);
int call_sip_to_cause(int status);
const char *call_cause_name(int cause);

#endif
