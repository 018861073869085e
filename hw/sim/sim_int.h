/*
 * sim_int.h -- what the files of hw/sim share: the span struct, the I/O
 * thread's services (sim_io.c), the link and its protocol (sim_link.c), and
 * a few hooks for the unit tests.  Nothing outside hw/sim and its tests
 * includes this.
 *
 * Who owns what in a struct sim_span:
 *   - set at open, read-only after: base, ev, arg, attach, path, sizes, buffers;
 *   - the I/O thread alone: sockets (conn_fd changes under fd_lock so that
 *     hw_dchan_send on the owner thread never sends on a stale descriptor),
 *     the ring, line and link state, deadlines;
 *   - atomics, read from any thread: alarms, link_ok, pulled, peer_pulled, relay;
 *   - stat_lock: the counters, the per-second accumulators, the debug stats.
 */
#ifndef TG_HW_SIM_INT_H
#define TG_HW_SIM_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "hw.h"
#include "sim.h"
#include "sim_proto.h"

#define SIM_RING 4                      /* received periods buffered (a framer's slip buffer) */
#define SIM_PREFILL 2                   /* periods buffered before playing: one of cushion */
#define SIM_RETRY_NS (200 * 1000000ULL) /* attach: connect again after this long */
#define SIM_HELLO_NS (2000 * 1000000ULL)        /* a connection must say HELLO within this */
#define SIM_CATCHUP 4                   /* periods run back to back after a stall, at most */
#define SIM_SECOND_NS 1000000000ULL
#define SIM_SES_CRC 320                 /* DS1-MIB: >= 320 CRC errors in a second is SES */

/* Counts for tests and debugging; not part of hw_counters. */
struct hw_sim_stats {
	unsigned accepted;              /* owner: connections accepted as the peer */
	unsigned refused;               /* owner: connections refused (a peer was attached) */
	unsigned connects;              /* attach: successful connects */
	unsigned hello_mismatch;        /* peers whose span type or frame_ms differs */
	unsigned proto_errors;          /* malformed messages (each ended the connection) */
	unsigned tx_dropped;            /* periods not sent: the socket was full */
	unsigned late_periods;          /* periods skipped after a stall of the I/O thread */
	unsigned dchan_lost;            /* D-channel frames dropped on a pulled cable */
};

enum sim_fd_kind { SIM_FD_LISTEN, SIM_FD_CONN };

struct sim_span;

/* What an epoll event points at. */
struct sim_fdref {
	struct sim_span *s;
	enum sim_fd_kind kind;
};

struct sim_span {
	struct hw_span base;            /* first: the HAL's part */
	struct hw_span_events ev;
	void *arg;
	bool attach;
	char path[108];                 /* sizeof(sun_path) */
	unsigned timeslots, samples;
	size_t period_bytes;

	/* sockets (I/O thread) */
	int listen_fd;
	dev_t sock_dev;                 /* the socket file we bound, to unlink only ours */
	ino_t sock_ino;
	pthread_mutex_t fd_lock;        /* conn_fd and link_ok change under it */
	int conn_fd;
	struct sim_fdref lref, cref;
	atomic_uint tx_seq;

	/* link (I/O thread) */
	atomic_bool link_ok;            /* HELLOs exchanged and matching */
	bool hello_seen;                /* the peer's HELLO came (matching or not) */
	bool played;                    /* a period was played on this link: rx_missing counts from here */
	bool primed;                    /* the ring held SIM_PREFILL periods since the last underflow */
	uint64_t hello_deadline;
	uint64_t retry_at;              /* attach: next connect attempt */
	bool refused_warned, connect_warned;
	uint64_t warned_at;             /* rate limit for protocol warnings */

	/* our line (faults; I/O thread) and the peer's (LINE) */
	atomic_bool pulled;
	bool ais, rai_manual;
	int line_sent;                  /* flags in the last LINE sent, -1: none yet */
	uint32_t pend_crc, pend_slips, pend_bpv;
	atomic_bool peer_pulled;
	uint8_t peer_flags;
	atomic_uint alarms;
	unsigned drop_periods;

	/* bypass relay: the owner's own relay, or (attach) what the owner reports */
	atomic_bool relay;
	bool relay_dead;
	bool relay_dirty;               /* owner: RELAY to send */
	uint64_t relay_wd_ns;           /* the watchdog's timeout, 0 = none (attach: the owner's) */
	uint64_t relay_deadline;        /* a released relay falls back to engaged then; 0 = never */

	/* audio (I/O thread); no allocation after open */
	uint8_t *ring;                  /* SIM_RING periods */
	unsigned ring_head, ring_count;
	uint8_t *idle;                  /* one period of idle code, never written */
	uint8_t *txbuf;                 /* sim_hdr + one period */
	uint8_t *rxbuf;                 /* sim_hdr + SIM_MAX_PAYLOAD */
	size_t rxcap;
	uint64_t period_ns, next_period, next_second;

	/* counters */
	pthread_mutex_t stat_lock;
	struct hw_counters cnt;
	unsigned sec_crc, sec_slips, sec_bpv, sec_alarms;
	struct hw_sim_stats dbg;

	struct sim_span *next;          /* the I/O thread's list */
};

/* sim_io.c: the one I/O thread of the driver. */
int  sim_io_add(struct sim_span *s);            /* start the thread if first; register */
void sim_io_remove(struct sim_span *s);         /* unregister; join the thread if last */
/* Run fn(arg) on the I/O thread and wait for it (directly when called there). */
void sim_io_call(void (*fn)(void *arg), void *arg);
bool sim_io_on_thread(void);
int  sim_io_watch(int fd, struct sim_fdref *ref);
void sim_io_unwatch(int fd);
uint64_t sim_now(void);
bool sim_io_manual_seconds(void);

/* sim_link.c: connection, protocol, line state and alarms (I/O thread). */
int  sim_link_start(struct sim_span *s, uint64_t now);    /* 0 or errno */
void sim_link_stop(struct sim_span *s);
void sim_link_event(struct sim_fdref *ref);
void sim_link_timers(struct sim_span *s, uint64_t now);
void sim_link_update(struct sim_span *s);       /* recompute alarms, send LINE if it changed */
void sim_link_send_relay(struct sim_span *s);
/* The relay watchdog (I/O thread): at `now`, fall back to engaged if due. */
void sim_relay_check(struct sim_span *s, uint64_t now);
static inline uint64_t sim_relay_deadline(uint64_t now, uint64_t timeout_ns)
{
	return timeout_ns ? now + timeout_ns : 0;
}
int  sim_link_send(struct sim_span *s, uint8_t type, const void *payload, size_t len);

/* sim.c */
void sim_eval_second(struct sim_span *s);
static inline void sim_count(struct sim_span *s, uint64_t *field, uint64_t n)
{
	pthread_mutex_lock(&s->stat_lock);
	*field += n;
	pthread_mutex_unlock(&s->stat_lock);
}

/* Test hooks.  Manual seconds: the I/O thread stops evaluating seconds (all
 * sim spans) and a test runs the evaluation with hw_sim_eval_second(). */
void hw_sim_test_manual_seconds(bool manual);
void hw_sim_eval_second(struct hw_span *span);
void hw_sim_stats(struct hw_span *span, struct hw_sim_stats *st);
unsigned hw_sim_open_spans(void);
/* Run the relay watchdog of this end as if the clock read now_ns (sim_now()
 * scale): lets a test expire a watchdog without waiting for it. */
void hw_sim_test_relay_check(struct hw_span *span, uint64_t now_ns);

#endif
