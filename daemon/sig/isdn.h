/*
 * isdn.h -- ISDN PRI signalling on one span, on libpri.  One code path serves
 * trunkgated and tgsim: the module owns a `struct pri` per span and nothing
 * else -- no sockets, no threads, no clock.  Its owner feeds it received
 * D-channel frames and layer-1 state, asks when its next timer is due and
 * runs it, and gets everything back through struct isdn_events.  All calls
 * on one span come from one thread (trunkgated's main thread).
 *
 * Channels are B-channel numbers as Q.931 names them: T1 1..23 (24 is the D
 * channel), E1 1..15 and 17..31 (16 is the D channel), i.e. the timeslot.
 */
#ifndef TG_ISDN_H
#define TG_ISDN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw.h"

enum isdn_switch {
	ISDN_SWITCH_NI2,
	ISDN_SWITCH_5ESS,
	ISDN_SWITCH_DMS100,
	ISDN_SWITCH_EUROISDN,           /* EuroISDN on E1 or T1 */
	ISDN_SWITCH_QSIG,
};

enum isdn_side { ISDN_SIDE_NETWORK, ISDN_SIDE_USER };
enum isdn_hunting { ISDN_HUNT_ASCENDING, ISDN_HUNT_DESCENDING, ISDN_HUNT_ROUND_ROBIN };

/* Q.931 type of number / numbering plan, as coded on the wire. */
enum isdn_ton { ISDN_TON_UNKNOWN = 0, ISDN_TON_INTERNATIONAL = 1, ISDN_TON_NATIONAL = 2,
		ISDN_TON_NETWORK = 3, ISDN_TON_SUBSCRIBER = 4, ISDN_TON_ABBREVIATED = 6 };
enum isdn_npi { ISDN_NPI_UNKNOWN = 0, ISDN_NPI_E164 = 1, ISDN_NPI_PRIVATE = 9 };
enum isdn_pres { ISDN_PRES_ALLOWED = 0, ISDN_PRES_RESTRICTED = 1, ISDN_PRES_UNAVAILABLE = 2 };
enum isdn_screen { ISDN_SCREEN_USER_NOT_SCREENED = 0, ISDN_SCREEN_USER_PASSED = 1,
		   ISDN_SCREEN_USER_FAILED = 2, ISDN_SCREEN_NETWORK = 3 };

/* Q.850 causes used by name in the code (any 1..127 may be passed). */
enum {
	ISDN_CAUSE_UNALLOCATED = 1,
	ISDN_CAUSE_NO_ROUTE = 3,
	ISDN_CAUSE_NORMAL_CLEARING = 16,
	ISDN_CAUSE_USER_BUSY = 17,
	ISDN_CAUSE_NO_ANSWER = 19,
	ISDN_CAUSE_CALL_REJECTED = 21,
	ISDN_CAUSE_NORMAL_UNSPECIFIED = 31,
	ISDN_CAUSE_NO_CIRCUIT = 34,
	ISDN_CAUSE_NETWORK_OUT_OF_ORDER = 38,
	ISDN_CAUSE_TEMPORARY_FAILURE = 41,
	ISDN_CAUSE_CONGESTION = 42,
	ISDN_CAUSE_CHANNEL_UNAVAILABLE = 44,
	ISDN_CAUSE_RECOVERY_ON_TIMER = 102,
};

struct isdn_span_cfg {
	const char *name;
	enum hw_span_type type;         /* T1 or E1: the channel map */
	enum isdn_switch sw;
	enum isdn_side side;
	enum isdn_hunting hunting;
	bool debug;                     /* decoded Q.921/Q.931 trace through the log */
};

struct isdn_number {
	char digits[33];
	enum isdn_ton ton;
	enum isdn_npi npi;
	enum isdn_pres pres;
	enum isdn_screen screen;
};

struct isdn_setup {
	struct isdn_number called;
	struct isdn_number calling;
	char calling_name[49];
	/* Redirecting number (Q.931 4.5.x, a forwarded call): digits "" = none;
	 * reason as libpri codes it (PRI_REDIR_*: 0 unknown, 1 busy, 2 no reply,
	 * 3 deflection, 9 out of order, 10 by the DTE, 15 unconditional). */
	struct isdn_number redirecting;
	int redirect_reason;
	unsigned channel;               /* 0 = let the span hunt; else this B channel */
	bool exclusive;                 /* channel is "exclusive" rather than "preferred" */
};

enum isdn_channel_state {
	ISDN_CHAN_IDLE,
	ISDN_CHAN_BUSY,                 /* a call holds it */
	ISDN_CHAN_RESTARTING,           /* a RESTART for it is outstanding */
	ISDN_CHAN_OUT_OF_SERVICE,       /* layer 1 or 2 down */
};

struct isdn_span;
struct isdn_call;

struct isdn_events {
	/* Send one D-channel frame (no FCS).  Required.  Called from inside
	 * any isdn_* function, isdn_span_create included (the first SABME);
	 * it must not feed frames back into a span synchronously. */
	void (*dchan_tx)(void *arg, const uint8_t *frame, size_t len);
	/* Layer 2 (the D channel's LAPD link) came up or went down. */
	void (*link)(void *arg, bool up);
	/* A new incoming call (SETUP).  The owner answers with isdn_call_*
	 * (proceeding, alerting, answer) or isdn_call_hangup(cause).  If it has
	 * not answered when this returns, the span sends CALL PROCEEDING.  A
	 * calling name whose presentation is restricted is not passed on. */
	void (*incoming)(void *arg, struct isdn_call *c, const struct isdn_setup *s);
	void (*proceeding)(void *arg, struct isdn_call *c);
	void (*alerting)(void *arg, struct isdn_call *c, bool inband);
	void (*progress)(void *arg, struct isdn_call *c, bool inband);
	void (*answered)(void *arg, struct isdn_call *c);
	/* The call is over (cleared either way, refused, or lost with the link);
	 * the handle is freed when this returns.  Exactly once per call; never
	 * from inside another callback, but possibly just before
	 * isdn_call_hangup, isdn_restart or isdn_layer1 returns. */
	void (*released)(void *arg, struct isdn_call *c, int cause);
	/* The far end restarted channel (0 = the whole interface). */
	void (*restarted)(void *arg, unsigned channel);
};

int  isdn_span_create(struct isdn_span **sp, const struct isdn_span_cfg *cfg,
		      const struct isdn_events *ev, void *arg);
/* NULL-safe; releases no calls on the wire and calls no callback.  Not from
 * inside a callback of the same span. */
void isdn_span_destroy(struct isdn_span *s);

/* Feed the span. */
void isdn_dchan_rx(struct isdn_span *s, const uint8_t *frame, size_t len);
/* Layer 1 (alarms): down clears every call (cause 38) and marks the channels
 * out of service; up lets layer 2 come up again.  A new span assumes layer 1
 * is up. */
void isdn_layer1(struct isdn_span *s, bool up);
/* Milliseconds until the next libpri timer (0 = now), -1 if none. */
long isdn_next_timer_ms(struct isdn_span *s);
void isdn_run_timers(struct isdn_span *s);

/* Calls.  isdn_call_place: ENOTCONN if layer 2 is down, EBUSY if no B channel
 * is free (the caller maps that to cause 34). */
int  isdn_call_place(struct isdn_span *s, const struct isdn_setup *setup, void *user,
		     struct isdn_call **cp);
int  isdn_call_proceeding(struct isdn_call *c);
int  isdn_call_alerting(struct isdn_call *c, bool inband);
int  isdn_call_progress(struct isdn_call *c, bool inband);
int  isdn_call_answer(struct isdn_call *c);
int  isdn_call_hangup(struct isdn_call *c, int cause);
void *isdn_call_user(const struct isdn_call *c);
void isdn_call_set_user(struct isdn_call *c, void *user);
unsigned isdn_call_channel(const struct isdn_call *c);
bool isdn_call_outgoing(const struct isdn_call *c);

/* RESTART (Q.931 5.5) of the whole interface: busy channels are cleared
 * (released with cause 41), then each B channel is restarted in turn and is
 * "restarting" until its RESTART ACKNOWLEDGE.  ENOTCONN if layer 2 is down. */
int  isdn_restart(struct isdn_span *s);

/* State for status. */
bool isdn_link_up(const struct isdn_span *s);
unsigned isdn_channel_count(const struct isdn_span *s);         /* 23 or 30 */
/* i-th B channel (0-based) and its state. */
unsigned isdn_channel_number(const struct isdn_span *s, unsigned i);
enum isdn_channel_state isdn_channel_state(const struct isdn_span *s, unsigned channel);
unsigned isdn_active_calls(const struct isdn_span *s);

/* Names and parsing for the config store and the API: "ni2", "5ess",
 * "dms100", "euroisdn", "qsig"; "network", "user"; "ascending",
 * "descending", "round-robin". */
const char *isdn_switch_name(enum isdn_switch sw);
bool isdn_switch_parse(const char *s, enum isdn_switch *swp);
const char *isdn_side_name(enum isdn_side side);
bool isdn_side_parse(const char *s, enum isdn_side *sidep);
const char *isdn_hunting_name(enum isdn_hunting h);
bool isdn_hunting_parse(const char *s, enum isdn_hunting *hp);
const char *isdn_channel_state_name(enum isdn_channel_state st);

#endif
