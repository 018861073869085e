/*
 * test_ds1_interval.c -- DS1-MIB intervals from cumulative counters
 * (daemon/status/ds1_interval.c), driven by a test clock: roll-over at the
 * quarter hour, stalls, counter resets, the 96-interval ring.
 */
#include "config.h"
#include <string.h>

#include "status/ds1_interval.h"
#include "test.h"

#define X(fn) int fn(void);
#include "status/tests.def"
#undef X

#define T0 ((int64_t)1800000000 / DS1_INTERVAL_S * DS1_INTERVAL_S)     /* a quarter hour */

static struct hw_counters cnt(uint64_t es, uint64_t crc)
{
	return (struct hw_counters){ .errored_seconds = es, .crc_errors = crc,
				     .rx_periods = 1000 + es, .tx_periods = 1000 + es };
}

int test_ds1_interval_rolls_over_at_quarter_hour(void)
{
	struct ds1_perf p;
	struct hw_counters c;
	int err = 0;

	ds1_perf_init(&p);
	c = cnt(0, 0);
	TEST_ASSERT(!ds1_perf_update(&p, &c, true, T0));
	c = cnt(3, 5);
	TEST_ASSERT(!ds1_perf_update(&p, &c, true, T0 + 10));
	TEST_EQ(3, p.cur.es);
	TEST_EQ(5, p.cur.pcv);
	TEST_EQ(10, ds1_perf_elapsed(&p, T0 + 10));
	c = cnt(4, 5);
	TEST_ASSERT(!ds1_perf_update(&p, &c, true, T0 + 899));
	TEST_EQ(899, ds1_perf_elapsed(&p, T0 + 899));
	TEST_EQ(0, p.nintervals);
	/* the sample at the boundary closes the interval with what it brought */
	c = cnt(6, 7);
	TEST_ASSERT(ds1_perf_update(&p, &c, true, T0 + 900));
	TEST_EQ(1, p.nintervals);
	TEST_EQ(6, ds1_perf_interval(&p, 1)->s.es);
	TEST_EQ(7, ds1_perf_interval(&p, 1)->s.pcv);
	TEST_ASSERT(ds1_perf_interval(&p, 1)->valid);
	TEST_EQ(0, ds1_perf_invalid(&p));
	TEST_EQ(0, p.cur.es);
	TEST_EQ(0, ds1_perf_elapsed(&p, T0 + 900));
	c = cnt(7, 7);
	TEST_ASSERT(!ds1_perf_update(&p, &c, true, T0 + 901));
	TEST_EQ(1, p.cur.es);
	{
		struct ds1_stats t;

		ds1_perf_total(&p, &t);
		TEST_EQ(6, t.es);       /* totals: the completed intervals only */
		TEST_EQ(7, t.pcv);
	}
	TEST_ASSERT(ds1_perf_interval(&p, 2) == NULL);
 out:
	return err;
}

int test_ds1_interval_first_partial_interval_is_invalid(void)
{
	struct ds1_perf p;
	struct hw_counters c = cnt(2, 0);
	int err = 0;

	ds1_perf_init(&p);
	ds1_perf_update(&p, &c, true, T0 + 300);    /* started mid-interval */
	TEST_EQ(2, p.cur.es);                        /* counted from the span's open */
	c = cnt(2, 0);
	ds1_perf_update(&p, &c, true, T0 + 899);
	ds1_perf_update(&p, &c, true, T0 + 900);
	ds1_perf_update(&p, &c, true, T0 + 1799);
	ds1_perf_update(&p, &c, true, T0 + 1800);
	TEST_EQ(2, p.nintervals);
	TEST_ASSERT(ds1_perf_interval(&p, 1)->valid);   /* watched whole */
	TEST_ASSERT(!ds1_perf_interval(&p, 2)->valid);  /* partial */
	TEST_EQ(1, ds1_perf_invalid(&p));
 out:
	return err;
}

int test_ds1_interval_stall_marks_missing_intervals_invalid(void)
{
	struct ds1_perf p;
	struct hw_counters c;
	struct ds1_stats t;
	int err = 0;

	ds1_perf_init(&p);
	c = cnt(0, 0);
	ds1_perf_update(&p, &c, true, T0);
	c = cnt(1, 0);
	ds1_perf_update(&p, &c, true, T0 + 100);
	/* nothing sampled for 45 minutes: three boundaries pass */
	c = cnt(9, 4);
	TEST_ASSERT(ds1_perf_update(&p, &c, true, T0 + 3 * 900 + 50));
	TEST_EQ(3, p.nintervals);
	TEST_EQ(9, ds1_perf_interval(&p, 3)->s.es);     /* the stall's counts stay, flagged */
	TEST_ASSERT(!ds1_perf_interval(&p, 3)->valid);
	TEST_EQ(0, ds1_perf_interval(&p, 2)->s.es);
	TEST_ASSERT(!ds1_perf_interval(&p, 2)->valid);
	TEST_ASSERT(!ds1_perf_interval(&p, 1)->valid);
	TEST_EQ(3, ds1_perf_invalid(&p));
	TEST_EQ(50, ds1_perf_elapsed(&p, T0 + 3 * 900 + 50));
	ds1_perf_total(&p, &t);
	TEST_EQ(9, t.es);
	TEST_EQ(4, t.pcv);
	/* the interval the stall ended in was seen only in part */
	c = cnt(10, 4);
	ds1_perf_update(&p, &c, true, T0 + 4 * 900);
	TEST_ASSERT(!ds1_perf_interval(&p, 1)->valid);
	TEST_EQ(1, ds1_perf_interval(&p, 1)->s.es);
	/* and sampling as usual again gives a valid one */
	c = cnt(10, 4);
	ds1_perf_update(&p, &c, true, T0 + 4 * 900 + 450);
	ds1_perf_update(&p, &c, true, T0 + 5 * 900 - 1);
	ds1_perf_update(&p, &c, true, T0 + 5 * 900);
	TEST_ASSERT(ds1_perf_interval(&p, 1)->valid);
	TEST_EQ(5, p.nintervals);
	/* a long stall within one interval loses nothing: no invalid mark */
	c = cnt(12, 4);
	ds1_perf_update(&p, &c, true, T0 + 5 * 900 + 800);
	ds1_perf_update(&p, &c, true, T0 + 6 * 900 - 2);
	ds1_perf_update(&p, &c, true, T0 + 6 * 900);
	TEST_ASSERT(ds1_perf_interval(&p, 1)->valid);
	TEST_EQ(2, ds1_perf_interval(&p, 1)->s.es);
 out:
	return err;
}

int test_ds1_interval_counter_reset_on_reopen_counts_from_zero(void)
{
	static const struct hw_counters closed;
	struct ds1_perf p;
	struct hw_counters c;
	int err = 0;

	ds1_perf_init(&p);
	c = cnt(0, 0);
	ds1_perf_update(&p, &c, true, T0);
	c = cnt(10, 100);
	ds1_perf_update(&p, &c, true, T0 + 20);
	TEST_EQ(10, p.cur.es);
	/* the span is re-opened: the driver counts from zero again */
	ds1_perf_update(&p, &closed, false, T0 + 21);
	TEST_EQ(10, p.cur.es);
	c = cnt(2, 3);
	ds1_perf_update(&p, &c, true, T0 + 22);
	TEST_EQ(12, p.cur.es);          /* not 2 - 10 wrapped */
	TEST_EQ(103, p.cur.pcv);
	/* re-opened between two samples (no closed sample seen) */
	c = cnt(1, 0);
	ds1_perf_update(&p, &c, true, T0 + 23);
	TEST_EQ(13, p.cur.es);
	TEST_EQ(103, p.cur.pcv);
	ds1_perf_update(&p, &c, true, T0 + 900);
	TEST_EQ(13, ds1_perf_interval(&p, 1)->s.es);
	TEST_ASSERT(!ds1_perf_interval(&p, 1)->valid);  /* the span was closed for a while */
 out:
	return err;
}

int test_ds1_interval_keeps_the_last_96(void)
{
	struct ds1_perf p;
	struct hw_counters c;
	struct ds1_stats t;
	uint64_t es = 0;
	int err = 0;

	ds1_perf_init(&p);
	c = cnt(0, 0);
	ds1_perf_update(&p, &c, true, T0);
	for (unsigned i = 1; i <= 100; i++) {
		es += i;                        /* interval i-1 sees i errored seconds */
		c = cnt(es, 0);
		ds1_perf_update(&p, &c, true, T0 + (int64_t)i * 900 - 5);
		ds1_perf_update(&p, &c, true, T0 + (int64_t)i * 900);
	}
	TEST_EQ(96, p.nintervals);
	TEST_EQ(100, ds1_perf_interval(&p, 1)->s.es);
	TEST_EQ(5, ds1_perf_interval(&p, 96)->s.es);
	TEST_ASSERT(ds1_perf_interval(&p, 97) == NULL);
	TEST_ASSERT(ds1_perf_interval(&p, 0) == NULL);
	ds1_perf_total(&p, &t);
	TEST_EQ(5050 - (1 + 2 + 3 + 4), t.es);
	TEST_EQ(0, ds1_perf_invalid(&p));
 out:
	return err;
}

int test_ds1_interval_clock_stepped_back_starts_over(void)
{
	struct ds1_perf p;
	struct hw_counters c;
	int err = 0;

	ds1_perf_init(&p);
	c = cnt(0, 0);
	ds1_perf_update(&p, &c, true, T0 + 1000);
	c = cnt(4, 0);
	TEST_ASSERT(ds1_perf_update(&p, &c, true, T0 + 10));    /* NTP stepped back */
	TEST_EQ(1, p.nintervals);
	TEST_EQ(4, ds1_perf_interval(&p, 1)->s.es);
	TEST_ASSERT(!ds1_perf_interval(&p, 1)->valid);
	TEST_EQ(10, ds1_perf_elapsed(&p, T0 + 10));
	TEST_EQ(0, p.cur.es);
 out:
	return err;
}
