/*
 * call.h -- the call model: a call joins an incoming leg and an outgoing leg.
 * A leg is a PRI, SIP or analog channel behind one small ops table; the call
 * core does not know which.  The core asks routing where a call goes, asks
 * the owner of the destination group to place the outgoing leg, passes
 * progress both ways, fails over to the next destination on the causes the
 * route names, and hands one CDR to its sink when the call ends.  Main
 * thread only.
 *
 * Timers: a call that stays unanswered no_answer_timeout seconds after its
 * outgoing leg was placed is cleared by the gateway (the caller gets cause 19,
 * or 18 if the callee never alerted); an answered call is cleared with cause
 * 16 after max_call_duration seconds.  Each call takes both values when it
 * starts.  The core arms timers through struct call_timers, so tests drive a
 * fake clock and the daemon uses su_timer (call_sutimers_*).
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
struct db_cdr;
struct su_root_s;
struct media_session;
struct media_engine;

enum leg_kind { LEG_PRI, LEG_SIP, LEG_ANALOG };

/* A leg's media endpoint, as its ops->media reports it: a SIP leg's RTP
 * session, or a PRI leg's B channel (the span's instance number, the key of
 * media_span_audio(), and the timeslot). */
struct leg_media {
	struct media_session *rtp;      /* NULL: not an RTP leg */
	unsigned long long span_key;
	unsigned timeslot;              /* 0: not a TDM leg */
	struct media_engine *tdm;       /* TDM legs: the engine carrying the span's audio */
	unsigned ec_tail_ms;            /* TDM legs: the span's echo canceller tail, 0 = off */
	bool bypass;                    /* SIP legs: the trunk has media bypass on */
};

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
	/* Optional: fill *m with the leg's media endpoint; 0 when it has one.
	 * Media attach: the core connects the two legs' media at early media
	 * (alerting or progress with in-band information) or at the answer,
	 * whichever comes first -- SIP<->PRI with media_bridge_tdm(), SIP<->SIP
	 * anchored with media_bridge_rtp() -- and disconnects them (media_unbridge)
	 * when either leg is released; PRI<->PRI with media_bridge_tdm_tdm() (the
	 * engine cross-connects the two B channels). */
	int (*media)(struct leg *l, struct leg_media *m);
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
	/* A forwarded call: who forwarded it (digits "" = not forwarded) and
	 * why (Q.931 redirecting reason: 0 unknown, 1 busy, 2 no reply,
	 * 3 deflection, 9 out of order, 10 by the DTE, 15 unconditional). */
	struct route_number redirecting;
	int redirect_reason;
	/* A call the gateway places for a transfer (call_transfer): the
	 * Referred-By URI to send on ("" = none). */
	char referred_by[256];
	/* Refused by the incoming leg's owner before routing (e.g. a SIP offer
	 * with no acceptable codec: 88 with SIP status 488): the core releases
	 * `in` with this cause and status and writes the CDR.  0 = route it. */
	int refuse_cause, refuse_status;
	/* Set by the core for place(): the incoming leg (media bypass looks
	 * at it).  Valid only during the place() call. */
	struct leg *in;
};

/* Placing an outgoing leg: the core asks the owner of the destination group
 * (for span groups, the span manager).  0 with *legp filled, or a Q.850 cause
 * (>0) if it could not (34: no circuit free in the group, 38: all spans down). */
typedef int (call_place_h)(void *arg, const struct route_target *t, const struct call_setup *s,
			   struct leg **legp);

/* One-shot timers.  set() arms one that calls fire(arg) once after ms and
 * returns its handle, or NULL if it could not (the call then goes on without
 * that timer; logged).  A handle is valid until it fires or is cancelled,
 * whichever comes first; cancel() is never called with a handle that fired. */
typedef void (call_timer_fire_h)(void *arg);
struct call_timers {
	void *(*set)(void *ctx, unsigned ms, call_timer_fire_h *fire, void *arg);
	void (*cancel)(void *ctx, void *handle);
	void *ctx;
};

/* Where a finished call's CDR goes: the sink copies it before returning. */
typedef void (call_cdr_h)(void *arg, const struct db_cdr *r);

struct call_core_cfg {
	call_place_h *place;
	void *place_arg;
	call_cdr_h *cdr;                /* NULL: none written (tests) */
	void *cdr_arg;
	struct call_timers timers;      /* set NULL: no timers (tests that do not need them) */
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

/* Timer values for calls that start from now on, in seconds; 0 turns a timer
 * off.  Until set: no answer 180 s, no maximum duration. */
#define CALL_NO_ANSWER_DEFAULT_S 180
#define CALL_NO_ANSWER_MAX_S 3600               /* the settings' limits */
#define CALL_MAX_DURATION_MAX_S 86400
void call_core_set_timeouts(struct call_core *c, unsigned no_answer_s, unsigned max_duration_s);

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

/* Transfers (transfer.c; a REFER acted on, daemon/sip/trunk_refer.c).
 *
 * call_transfer: blind.  x is one leg of an answered call (the transferor);
 * the core routes s as a new call from x's group (s->called: the target;
 * s->calling "" = the other party's number) and places a new leg, failing
 * over as the route says.  While it is placed the call stays as it is.  When
 * it answers, it takes x's place: the other party's media are bridged to it,
 * x is released (cause 16) after done(arg, NULL) was called, and the call's
 * CDR is split (the part before the transfer is written at once; the call
 * goes on as "<id>-t1").  If it fails, done(arg, why) and the call stays.
 * If x leaves first (the transferor hangs up), the transfer goes on without
 * anyone to tell; should it then fail, the other party is released.
 * done is never called after x was released.  0: started; EBUSY: the call
 * is not answered or is transferring; EINVAL: x is in no call; ENOMEM.
 *
 * call_join: attended.  x1 and x2 are legs of two answered calls (the
 * transferor's two dialogs); the other party of x2's call takes x1's place
 * in x1's call, done(arg, NULL) is called, then x1 and x2 are released
 * (cause 16).  x2's call ends (its CDR written); x1's call is split as above.
 * Same errors, plus EINVAL for two legs of one call. */
typedef void (call_xfer_h)(void *arg, const struct call_end *why);
int call_transfer(struct leg *x, const struct call_setup *s, call_xfer_h *done, void *arg);
int call_join(struct leg *x1, struct leg *x2, call_xfer_h *done, void *arg);
/* The other leg of l's call (NULL: none, or l is in no call). */
struct leg *call_leg_peer(const struct leg *l);

/* Live calls, for GET /api/v1/calls: each call in turn (main thread). */
struct call_info {
	const char *id;
	const char *state;              /* routing, outgoing, answered, ending */
	const struct db_cdr *cdr;       /* times, legs, numbers, route so far */
	struct media_session *rtp[2];   /* the in and out legs' RTP sessions, NULL if none */
	bool media_connected;
	bool media_bypass;              /* media goes (or would go) around the gateway */
};
typedef void (call_info_h)(void *arg, const struct call_info *ci);
void call_core_foreach(struct call_core *c, call_info_h *fn, void *arg);
/* Clear a call from the gateway (an operator's hang-up): both legs with
 * cause 16, released by "gateway".  ENOENT if there is no such call. */
int  call_core_hangup(struct call_core *c, const char *id);

/* Live numbers for status. */
unsigned call_core_active(const struct call_core *c);
unsigned long long call_core_total(const struct call_core *c);

/* Q.850 <-> SIP, one table (RFC 3398 section 8.2.6 and 7.2.4.1; RFC 4497 for
 * QSIG).  The SIP status a cause maps to, and the cause a status maps to. */
int call_cause_to_sip(int cause);
int call_sip_to_cause(int status);
const char *call_cause_name(int cause);

/* The daemon's struct call_timers on sofia-sip su_timers of the main su_root
 * (sutimer.c).  Main thread.  Destroying it cancels what is still armed. */
struct call_sutimers;
int  call_sutimers_create(struct call_sutimers **tp, struct su_root_s *root);
void call_sutimers_destroy(struct call_sutimers *t);
struct call_timers call_sutimers_ops(struct call_sutimers *t);

#endif
