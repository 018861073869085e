/*
 * test_trunk_guard.c -- the per-source rate limit and max_calls
 * (daemon/sip/trunk_guard.c) on an explicit clock: an agent with no su_root
 * (no sweep timer: the test sweeps), no database (no events written) and a
 * configuration with no trunks (every source untrusted).
 */
#include "config.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>

#include "test.h"
#include "status/status.h"
#include "trunk_int.h"

#define X(fn) int fn(void);
#include "tests.def"
#undef X

static struct sockaddr_in v4(uint32_t host_order)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	sin.sin_addr.s_addr = htonl(host_order);
	return sin;
}

static struct sockaddr *sa(struct sockaddr_in *s)
{
	return (struct sockaddr *)s;
}

/* An agent with only what the guard reads. */
static int agent_new(struct trunk_agent **ap, struct tg_config **cp, unsigned rate, unsigned burst)
{
	struct trunk_agent *a = calloc(1, sizeof(*a));
	struct tg_config *c = calloc(1, sizeof(*c));
	int rc;

	if (!a || !c) {
		free(a);
		free(c);
		return ENOMEM;
	}
	c->sip_rate_limit = rate;
	c->sip_rate_burst = burst;
	a->cfg = c;
	rc = trunk_guard_create(a);
	if (rc) {
		free(a);
		free(c);
		return rc;
	}
	trunk_guard_apply(a);
	*ap = a;
	*cp = c;
	return 0;
}

static void agent_free(struct trunk_agent *a, struct tg_config *c)
{
	if (a)
		trunk_guard_destroy(a);
	free(a);
	free(c);
}

int test_trunk_guard_bucket_refills_at_the_rate(void)
{
	struct trunk_agent *a = NULL;
	struct tg_config *c = NULL;
	struct sockaddr_in x = v4(0xc0000201), y = v4(0xc0000202);      /* 192.0.2.1, .2 */
	struct status *st = calloc(1, sizeof(*st));
	unsigned long long t = 1000000;
	int err = 0;

	TEST_ASSERT(st != NULL);
	TEST_ERR(agent_new(&a, &c, 10, 5));
	for (int i = 0; i < 5; i++)
		TEST_ASSERT(trunk_guard_check_at(a, sa(&x), t));
	TEST_ASSERT(!trunk_guard_check_at(a, sa(&x), t));        /* the burst is spent */
	TEST_ASSERT(trunk_guard_check_at(a, sa(&y), t));         /* another source is not */
	TEST_ASSERT(!trunk_guard_check_at(a, sa(&x), t + 99));   /* 0.99 tokens */
	TEST_ASSERT(trunk_guard_check_at(a, sa(&x), t + 100));   /* 10/s: one per 100 ms */
	TEST_ASSERT(!trunk_guard_check_at(a, sa(&x), t + 100));
	trunk_guard_status(a, st);
	TEST_EQ(1, st->sip_limited_sources);
	TEST_EQ(1, st->sip_rate_limit_episodes);
	TEST_EQ(3, st->sip_rate_limited);
	TEST_EQ(2, st->sip_sources_tracked);
	TEST_EQ(1, trunk_guard_retry_after(a));
	/* quiet for 5 s: no longer limited; a long pause refills only the burst */
	trunk_guard_sweep_at(a, t + 100 + 4999);
	trunk_guard_status(a, st);
	TEST_EQ(1, st->sip_limited_sources);
	trunk_guard_sweep_at(a, t + 100 + 5000);
	trunk_guard_status(a, st);
	TEST_EQ(0, st->sip_limited_sources);
	for (int i = 0; i < 5; i++)
		TEST_ASSERT(trunk_guard_check_at(a, sa(&x), t + 30000));
	TEST_ASSERT(!trunk_guard_check_at(a, sa(&x), t + 30000));
	trunk_guard_status(a, st);
	TEST_EQ(2, st->sip_rate_limit_episodes);
	/* idle 60 s: forgotten (y was last seen at t) */
	trunk_guard_sweep_at(a, t + 60001);
	trunk_guard_status(a, st);
	TEST_EQ(1, st->sip_sources_tracked);
	/* off */
	c->sip_rate_limit = 0;
	trunk_guard_apply(a);
	for (int i = 0; i < 100; i++)
		TEST_ASSERT(trunk_guard_check_at(a, sa(&x), t + 30000));
 out:
	agent_free(a, c);
	free(st);
	return err;
}

int test_trunk_guard_table_grows_then_shares_an_overflow_bucket(void)
{
	struct trunk_agent *a = NULL;
	struct tg_config *c = NULL;
	struct status *st = calloc(1, sizeof(*st));
	unsigned long long t = 5000;
	uint32_t base = 0x0a000000;     /* 10.0.0.0/8 */
	int err = 0, refused = 0;

	TEST_ASSERT(st != NULL);
	TEST_ERR(agent_new(&a, &c, 1, 3));
	/* 32768 sources fill the table to half of its 65536 entries */
	for (uint32_t i = 0; i < 32768; i++) {
		struct sockaddr_in s = v4(base + i);

		TEST_ASSERT(trunk_guard_check_at(a, sa(&s), t));
	}
	trunk_guard_status(a, st);
	TEST_EQ(32768, st->sip_sources_tracked);
	/* newcomers now share one bucket of 3 */
	for (uint32_t i = 32768; i < 32778; i++) {
		struct sockaddr_in s = v4(base + i);

		refused += !trunk_guard_check_at(a, sa(&s), t);
	}
	TEST_EQ(7, refused);
	/* known sources keep their own */
	{
		struct sockaddr_in s = v4(base + 5);

		TEST_ASSERT(trunk_guard_check_at(a, sa(&s), t));
	}
	trunk_guard_status(a, st);
	TEST_EQ(1, st->sip_limited_sources);
	/* a minute later the idle ones are forgotten: room again */
	trunk_guard_sweep_at(a, t + 70000);
	trunk_guard_status(a, st);
	TEST_EQ(0, st->sip_sources_tracked);
	TEST_EQ(0, st->sip_limited_sources);
 out:
	agent_free(a, c);
	free(st);
	return err;
}

int test_trunk_guard_max_calls_counts_per_trunk(void)
{
	struct trunk_agent *a = NULL;
	struct tg_config *c = NULL;
	struct tg_config_sip_trunk t1 = { .id = 1, .name = "a", .max_calls = 2 };
	struct tg_config_sip_trunk t2 = { .id = 2, .name = "b", .max_calls = 0 };
	struct status *st = calloc(1, sizeof(*st));
	int err = 0;

	TEST_ASSERT(st != NULL);
	TEST_ERR(agent_new(&a, &c, 0, 0));
	TEST_ASSERT(trunk_guard_admit(a, &t1));
	trunk_guard_call_add(a, 1);
	TEST_ASSERT(trunk_guard_admit(a, &t1));
	trunk_guard_call_add(a, 1);
	TEST_ASSERT(!trunk_guard_admit(a, &t1));        /* at 2 */
	for (int i = 0; i < 50; i++) {                  /* 0: unlimited */
		TEST_ASSERT(trunk_guard_admit(a, &t2));
		trunk_guard_call_add(a, 2);
	}
	/* the counts status shows as the trunks' active_calls */
	TEST_EQ(2, trunk_guard_calls(a, 1));
	TEST_EQ(50, trunk_guard_calls(a, 2));
	TEST_EQ(0, trunk_guard_calls(a, 3));            /* never had a call */
	trunk_guard_call_give(a, 1);
	TEST_EQ(1, trunk_guard_calls(a, 1));
	TEST_ASSERT(trunk_guard_admit(a, &t1));
	trunk_guard_call_give(a, 1);
	trunk_guard_call_give(a, 1);                    /* one too many: stays at 0 */
	TEST_EQ(0, trunk_guard_calls(a, 1));
	TEST_EQ(50, trunk_guard_calls(a, 2));
	trunk_guard_call_add(a, 1);
	trunk_guard_call_add(a, 1);
	TEST_ASSERT(!trunk_guard_admit(a, &t1));
	t1.max_calls = 3;                               /* a new generation raises it */
	TEST_ASSERT(trunk_guard_admit(a, &t1));
	trunk_guard_status(a, st);
	TEST_EQ(2, st->sip_max_calls_refused);
 out:
	agent_free(a, c);
	free(st);
	return err;
}
