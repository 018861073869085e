/*
 * ds1_interval.h -- DS1-MIB (RFC 4805) performance intervals of one span,
 * computed from the driver's cumulative counters (hw.h struct hw_counters).
 * Pure: no clock, no I/O, no locks; the caller passes the time in, so tests
 * drive roll-overs, stalls and counter resets with a clock of their own.
 *
 * dsx1CurrentTable   = ds1_perf.cur and ds1_perf_elapsed()
 * dsx1IntervalTable  = ds1_perf_interval(p, 1..96), 1 the most recent
 * dsx1TotalTable     = ds1_perf_total(): the sum over the recorded intervals
 *                      (the 24 hours preceding the current interval)
 * dsx1ValidIntervals = ds1_perf.nintervals, dsx1InvalidIntervals = ds1_perf_invalid().
 */
#ifndef TG_DS1_INTERVAL_H
#define TG_DS1_INTERVAL_H

#include <stdbool.h>
#include <stdint.h>

#include "hw.h"

#define DS1_INTERVAL_S  900             /* 15 minutes, aligned to the wall clock's quarter hours */
#define DS1_INTERVALS   96              /* 24 hours of history */
/* Two samples further apart than this, across an interval boundary, are a
 * stall: the counts between them cannot be placed in the right interval. */
#define DS1_STALL_S     10

/* The figures of one interval, named after their DS1-MIB columns. */
struct ds1_stats {
	uint32_t es;            /* dsx1IntervalESs: errored seconds */
	uint32_t ses;           /* dsx1IntervalSESs: severely errored seconds */
	uint32_t uas;           /* dsx1IntervalUASs: unavailable seconds */
	uint32_t css;           /* dsx1IntervalCSSs: controlled slip seconds (slips) */
	uint32_t pcv;           /* dsx1IntervalPCVs: path code violations (CRC errors) */
	uint32_t lcv;           /* dsx1IntervalLCVs: line code violations */
};

struct ds1_interval {
	struct ds1_stats s;
	bool valid;             /* dsx1IntervalValidData */
};

struct ds1_perf {
	bool started;
	int64_t start_s;                /* wall-clock start of the current interval */
	int64_t last_s;                 /* time of the last sample */
	struct ds1_stats cur;           /* the current interval so far */
	bool cur_valid;                 /* false: seen only in part (start-up, stall, span closed) */
	struct hw_counters last;        /* cumulative counters at the last sample */
	unsigned nintervals;            /* recorded intervals, 0..96 (dsx1ValidIntervals) */
	unsigned head;                  /* ring index of the most recent one */
	struct ds1_interval ring[DS1_INTERVALS];
};

void ds1_perf_init(struct ds1_perf *p);

/*
 * Fold one sample of the cumulative counters taken at now_s (seconds, wall
 * clock) into the intervals.  open: the span is open and counting; a closed
 * span's interval is marked invalid.  Counters lower than the last sample's
 * mean the driver started again from zero (the span was re-opened): the new
 * values are counted from zero, nothing is lost or wrapped.  Returns true
 * when at least one interval was closed into the history.
 */
bool ds1_perf_update(struct ds1_perf *p, const struct hw_counters *c, bool open, int64_t now_s);

/* Seconds since the current interval began (dsx1TimeElapsed), 0..899. */
unsigned ds1_perf_elapsed(const struct ds1_perf *p, int64_t now_s);

/* Interval n (1 = the most recent completed one, up to nintervals); NULL if none. */
const struct ds1_interval *ds1_perf_interval(const struct ds1_perf *p, unsigned n);

/* Intervals among the recorded ones whose data is not valid. */
unsigned ds1_perf_invalid(const struct ds1_perf *p);

/* The sum over the recorded intervals (valid or not: their counts are real). */
void ds1_perf_total(const struct ds1_perf *p, struct ds1_stats *t);

#endif
