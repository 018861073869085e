/*
 * test_callstats.c -- call figures per entity (daemon/status/callstats.c):
 * calls per minute over the last 60 s, ASR and ACD over the last 15 minutes
 * and since start, and the CDR sink's keys.  The clock is passed in.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "status/callstats.h"
#include "status/status.h"
#include "test.h"

#define X(fn) int fn(void);
#include "status/tests.def"
#undef X

#define T0 1000000000ULL        /* some monotonic ms */

int test_callstats_windows_per_minute_and_15_minutes(void)
{
	struct callstats *cs = NULL;
	struct callstats_fig f;
	int err;

	err = callstats_create(&cs);
	TEST_ERR(err);
	callstats_get(cs, "t:none", T0, &f);
	TEST_EQ(0, f.attempts);
	TEST_EQ(0, f.per_minute);
	/* 3 answered (held 10, 20, 30 s) and 1 refused, at T0 */
	callstats_record(cs, "t:a", T0, true, 10000);
	callstats_record(cs, "t:a", T0 + 100, true, 20000);
	callstats_record(cs, "t:a", T0 + 200, true, 30000);
	callstats_record(cs, "t:a", T0 + 300, false, 99999);   /* held ignored: not answered */
	callstats_get(cs, "t:a", T0 + 500, &f);
	TEST_EQ(4, f.per_minute);
	TEST_EQ(4, f.attempts_15m);
	TEST_EQ(3, f.answered_15m);
	TEST_EQ(60000, f.held_ms_15m);
	TEST_EQ(4, f.attempts);
	TEST_EQ(3, f.answered);
	TEST_EQ(60000, f.held_ms);
	/* another key is separate */
	callstats_get(cs, "t:b", T0, &f);
	TEST_EQ(0, f.attempts);
	/* 59 s later they still count per minute; at 60 s they do not */
	callstats_get(cs, "t:a", T0 + 59000, &f);
	TEST_EQ(4, f.per_minute);
	callstats_get(cs, "t:a", T0 + 60000, &f);
	TEST_EQ(0, f.per_minute);
	TEST_EQ(4, f.attempts_15m);
	/* one more refused at +10 min: ASR 3/5 over 15 minutes */
	callstats_record(cs, "t:a", T0 + 600000, false, 0);
	callstats_get(cs, "t:a", T0 + 600000, &f);
	TEST_EQ(1, f.per_minute);
	TEST_EQ(5, f.attempts_15m);
	TEST_EQ(3, f.answered_15m);
	/* 15 minutes after the first four they leave the window; the totals stay */
	callstats_get(cs, "t:a", T0 + 900000, &f);
	TEST_EQ(1, f.attempts_15m);
	TEST_EQ(0, f.answered_15m);
	TEST_EQ(0, f.held_ms_15m);
	TEST_EQ(5, f.attempts);
	TEST_EQ(3, f.answered);
	/* hours of silence empty both windows */
	callstats_get(cs, "t:a", T0 + 5 * 3600000ULL, &f);
	TEST_EQ(0, f.per_minute);
	TEST_EQ(0, f.attempts_15m);
	TEST_EQ(5, f.attempts);
	/* a burst in one second, then the ring wraps around it */
	for (int i = 0; i < 100; i++)
		callstats_record(cs, "t:a", T0 + 6 * 3600000ULL + (unsigned)i, true, 1000);
	callstats_get(cs, "t:a", T0 + 6 * 3600000ULL + 30000, &f);
	TEST_EQ(100, f.per_minute);
	TEST_EQ(100, f.answered_15m);
	TEST_EQ(100000, f.held_ms_15m);
 out:
	callstats_destroy(cs);
	return err;
}

int test_callstats_cdr_counts_span_and_sip_legs(void)
{
	struct db_cdr r;
	struct status *st = calloc(1, sizeof(*st));
	unsigned long long now = T0;
	int err = 0;

	TEST_ASSERT(st != NULL);
	callstats_main_destroy();
	/* carrier span -> itsp (answered, 42.5 s), then one refused by itsp */
	memset(&r, 0, sizeof(r));
	strcpy(r.in_kind, "pri");
	strcpy(r.in_trunk, "carrier");
	strcpy(r.out_kind, "sip");
	strcpy(r.out_trunk, "itsp");
	r.setup_at = 5000;
	r.answer_at = 6000;
	r.end_at = 48500;
	status_calls_record(&r, now);
	r.answer_at = 0;
	status_calls_record(&r, now);
	/* a call that never left routing: only its in leg counts */
	r.out_kind[0] = r.out_trunk[0] = '\0';
	status_calls_record(&r, now);
	callstats_record(callstats_main(), "h:itsp|192.0.2.1:5060/udp", now, true, 2000);
	st->nspans = 1;
	strcpy(st->spans[0].name, "carrier");
	st->nsip_trunks = 1;
	strcpy(st->sip_trunks[0].name, "itsp");
	st->sip_trunks[0].nhops = 1;
	strcpy(st->sip_trunks[0].hops[0].host, "192.0.2.1");
	st->sip_trunks[0].hops[0].port = 5060;
	strcpy(st->sip_trunks[0].hops[0].transport, "udp");
	status_calls_fill(st, now + 1000);
	TEST_EQ(3, st->spans[0].call_stats.attempts);
	TEST_EQ(1, st->spans[0].call_stats.answered);
	TEST_EQ(42500, st->spans[0].call_stats.held_ms);
	TEST_EQ(2, st->sip_trunks[0].call_stats.attempts_15m);
	TEST_EQ(1, st->sip_trunks[0].call_stats.answered_15m);
	TEST_EQ(42500, st->sip_trunks[0].call_stats.held_ms_15m);
	TEST_EQ(2, st->sip_trunks[0].call_stats.per_minute);
	TEST_EQ(1, st->sip_trunks[0].hops[0].call_stats.answered);
	TEST_EQ(2000, st->sip_trunks[0].hops[0].call_stats.held_ms);
 out:
	callstats_main_destroy();
	free(st);
	return err;
}
