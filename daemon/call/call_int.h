/*
 * call_int.h -- what the call core's files share (call.c, transfer.c): the
 * call and core structs and the helpers both use.  Main thread only.
 */
#ifndef TG_CALL_INT_H
#define TG_CALL_INT_H

#include <stdbool.h>

#include "call.h"
#include "db.h"

struct call_xfer;

enum call_state { CALL_ROUTING, CALL_OUTGOING, CALL_ANSWERED, CALL_ENDING };

struct call {
	struct call *next, *prev;
	struct call_core *core;
	char id[48];
	enum call_state state;
	struct route_table *table;      /* the routing it started under */
	/* The routing decision's destinations, in order, for failover (the
	 * decision itself, with its explanation, is ~10 KiB: not kept). */
	struct route_target *targets;
	unsigned ntargets, next_target;
	struct call_setup setup;
	struct leg *in, *out;
	long long in_group, out_group;  /* counted against the groups' max_calls; 0 = none */
	bool proceeding_sent, alerting_sent;
	bool media_on;                  /* the legs' media are connected */
	struct media_engine *xc_engine; /* PRI<->PRI: the cross-connect made, by one end */
	unsigned long long xc_key;
	unsigned xc_ts;
	unsigned no_answer_s, max_duration_s;  /* as when the call started; 0 = off */
	void *no_answer_timer, *max_timer;      /* armed timer handles, or NULL */
	struct call_end end;
	bool end_set;
	unsigned depth;                 /* core entry points on the stack for this call */
	char released_by[8];
	struct db_cdr cdr;
	struct call_xfer *xfer;         /* a transfer under way (transfer.c); NULL: none */
	unsigned segment;               /* transfers completed: the CDR id's -tN */
	char base_id[40];               /* the id the call started with */
};

/* Calls using each trunk group now, for max_calls.  A plain array: a gateway
 * has tens of groups, and it is touched once per call set-up and end. */
struct group_use {
	long long id;
	unsigned calls;
};

struct call_core {
	struct call_core_cfg cfg;
	struct group_use *use;
	size_t nuse, capuse;
	struct route_table *table;
	long long *down;
	size_t ndown;
	struct call *calls;
	unsigned active;
	unsigned long long total, seq;
	unsigned no_answer_s, max_duration_s;  /* for calls starting now */
};

/* call.c */
long long call_now_ms(struct call_core *core);
bool call_group_take(struct call *call, long long id);
void call_group_give(struct call_core *c, long long id);
void call_cdr_leg(const struct leg *l, char *kind, char *group, char *trunk, int *chan);
/* Core entry points nest: a call is finished when the outermost leaves. */
void call_enter(struct call *call);
void call_leave(struct call *call);
void call_media_connect(struct call *call);
void call_media_disconnect(struct call *call);
void call_set_end(struct call *call, const struct call_end *why, const char *by);
void call_release_leg(struct leg *l, const struct call_end *why);
void call_timer_cancel(struct call *call, void **hp);
void call_timers_stop(struct call *call);
void call_timer_arm(struct call *call, void **hp, unsigned s, call_timer_fire_h *fire,
		    const char *what);
/* Place an outgoing leg to t (the group's max_calls counted): 0 with *legp,
 * or a Q.850 cause. */
int  call_place_target(struct call *call, const struct route_target *t, const struct call_setup *s,
		       struct leg **legp);

/* transfer.c: hooks from call.c's event functions.  True when the event
 * was the transfer's (the caller returns). */
bool call_xfer_event(struct call *call, struct leg *l, int what);
enum { CALL_XFER_ALERTING, CALL_XFER_ANSWERED };
/* A leg of the call was released: true if the transfer took the event
 * whole; false: call.c goes on (it may have aborted the transfer). */
bool call_xfer_released(struct call *call, struct leg *l, const struct call_end *why);
/* The call is being cleared or freed: end the transfer (its new leg too). */
void call_xfer_abort(struct call *call, const struct call_end *why);

#endif
