/*
 * callstats.h -- call figures per span, SIP trunk and SIP next hop: calls
 * per minute, ASR (answer-seizure ratio) and ACD (average call duration),
 * counted from call completions on the main thread (no SQL, no locks).
 *
 * Windows (docs/metrics.md says the same to operators):
 *  - per_minute: attempts that ended in the last 60 seconds, at 1-second
 *    resolution (the current second and the 59 before it);
 *  - last 15 minutes: attempts, answered and held time of the attempts that
 *    ended in the current 10-second slot and the 89 before it (a window of
 *    890 to 900 s);
 *  - since start: the same, since trunkgated started.
 * ASR = answered / attempts; ACD = held time / answered (an attempt counts
 * when it ends, so a call in progress is not in the figures yet).
 *
 * An entity is named by a key: "s:SPAN", "t:TRUNK" or "h:TRUNK|HOST:PORT/T"
 * (callstats_hop_key).  Entities are made on first use and live until
 * callstats_destroy (a renamed trunk starts again from zero under its new
 * name).  Time is passed in (monotonic ms), so tests drive the clock.
 */
#ifndef TG_CALLSTATS_H
#define TG_CALLSTATS_H

#include <stdbool.h>
#include <stddef.h>

struct callstats;

/* The figures of one entity at a moment. */
struct callstats_fig {
	unsigned per_minute;                    /* attempts ended in the last 60 s */
	unsigned attempts_15m, answered_15m;    /* ended in the last 15 minutes */
	unsigned long long held_ms_15m;         /* of the answered ones */
	unsigned long long attempts, answered;  /* since start */
	unsigned long long held_ms;
};

int  callstats_create(struct callstats **csp);
void callstats_destroy(struct callstats *cs);
/* One attempt ended at now_ms; held_ms counts only when answered.  Out of
 * memory drops the record (logged once). */
void callstats_record(struct callstats *cs, const char *key, unsigned long long now_ms,
		      bool answered, unsigned long long held_ms);
/* The figures of key at now_ms; all zero for a key never recorded. */
void callstats_get(struct callstats *cs, const char *key, unsigned long long now_ms,
		   struct callstats_fig *f);
/* "h:TRUNK|HOST:PORT/TRANSPORT" into buf. */
void callstats_hop_key(char *buf, size_t len, const char *trunk, const char *host,
		       unsigned port, const char *transport);

/* The main thread's instance (made on first use; NULL if out of memory),
 * fed by the daemon's CDR sink and the SIP side's next-hop attempts. */
struct callstats *callstats_main(void);
void callstats_main_destroy(void);

#endif
