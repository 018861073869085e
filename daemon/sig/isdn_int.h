/*
 * isdn_int.h -- what the ISDN module's files share: the span and call
 * structs, the channel table, and the hooks between the libpri glue
 * (isdn.c) and the call logic (isdn_call.c).  Nothing outside daemon/sig
 * includes this.
 *
 * Invariants:
 *  - a live call is on span->calls; a B channel in state BUSY points at the
 *    one call holding it and that call's chan names it (or the call holds
 *    no channel: chan 0);
 *  - a call that is over moves to span->released and is handed to
 *    ev->released exactly once, when the outermost isdn_* entry returns
 *    (isdn_leave), then freed;
 *  - call->qc is NULL once libpri no longer knows the call, so an event
 *    naming that q931_call can never reach a stale handle.
 */
#ifndef TG_ISDN_INT_H
#define TG_ISDN_INT_H

#include <stdbool.h>
#include <libpri.h>
#include <sofia-sip/su_alloc.h>

#include "isdn.h"

#define ISDN_MAX_CHANNELS 30            /* E1: 1..15 and 17..31 */

struct isdn_call {
	struct isdn_span *span;
	struct isdn_call *next;         /* span->calls or span->released */
	q931_call *qc;                  /* libpri's call; NULL once libpri let go */
	void *user;
	unsigned chan;                  /* B channel held; 0 = none (yet, or lost to glare) */
	int cause;                      /* cause to report; 0 = not known yet */
	bool outgoing;
	bool responded;                 /* the SETUP was answered: by the far end (outgoing)
					 * or by us (incoming) */
	bool clearing;                  /* pri_hangup was called: waiting for libpri to let go */
	bool released;                  /* on span->released */
};

struct isdn_chan {
	unsigned number;                /* as on the wire: the timeslot */
	enum isdn_channel_state state;
	struct isdn_call *call;         /* holder while BUSY */
};

struct isdn_span {
	su_home_t home[1];              /* first: su_home_new() hands it back */
	char *name;                     /* from home */
	struct isdn_span_cfg cfg;       /* cfg.name points at name */
	struct isdn_events ev;
	void *arg;
	struct pri *pri;
	bool l1_up;
	bool l2_up;                     /* as last reported through ev->link */
	bool quiet;                     /* drop libpri's messages (validity probes) */
	unsigned depth;                 /* nesting of isdn_* entries; callbacks flush at 0 */
	unsigned nchan;
	struct isdn_chan chan[ISDN_MAX_CHANNELS];
	unsigned rr_next;               /* round-robin: index to try first */
	unsigned restart_idx;           /* own RESTART: channel index awaiting ACK; nchan = none */
	struct isdn_call *calls;        /* live */
	struct isdn_call *released;     /* over, waiting for ev->released (FIFO) */
	const uint8_t *rx;              /* frame being handed to libpri's read callback */
	size_t rx_len;
};

/* isdn.c: entry/exit of every public function (callbacks flush at depth 0). */
void isdn_enter(struct isdn_span *s);
void isdn_leave(struct isdn_span *s);
/* isdn.c: after any libpri call that may have freed a call silently. */
void isdn_sweep(struct isdn_span *s);

/* isdn_call.c: channel table. */
void isdn_chan_init(struct isdn_span *s);
struct isdn_chan *isdn_chan_find(struct isdn_span *s, unsigned number);
struct isdn_chan *isdn_chan_hunt(struct isdn_span *s);
/* Every channel not held by a call (or restarting) to st. */
void isdn_chan_set_free(struct isdn_span *s, enum isdn_channel_state st);

/* isdn_call.c: calls. */
struct isdn_call *isdn_call_find(struct isdn_span *s, const q931_call *qc);
/* The call is over: free its channel, queue ev->released(cause). */
void isdn_call_release(struct isdn_call *c, int cause);
/* Forget the call in libpri without a message (RESTART, layer 1 loss). */
void isdn_call_drop(struct isdn_call *c, int cause);
void isdn_call_free_all(struct isdn_span *s);

/* isdn_call.c: call events from libpri. */
void isdn_on_ring(struct isdn_span *s, const pri_event_ring *r);
void isdn_on_answer_side(struct isdn_span *s, int event, q931_call *qc, int channel,
			 int progressmask);
void isdn_on_hangup(struct isdn_span *s, int event, q931_call *qc, int cause);
void isdn_on_restart(struct isdn_span *s, int channel);
void isdn_on_restart_ack(struct isdn_span *s, int channel);
/* Send RESTART for the next channel in the own restart sequence, if any. */
void isdn_restart_next(struct isdn_span *s);

#endif
