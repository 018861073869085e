/*
 * test_rt.c -- real-time scheduling of the time-critical threads (daemon/rt.c).
 *
 * A thread of ours calls rt_thread_enter() and reports its own policy.  When
 * the process may not use SCHED_FIFO (no CAP_SYS_NICE, RLIMIT_RTPRIO 0) the
 * call must fail with EPERM and leave the thread as it was; either way the
 * calling (test) thread keeps its policy.
 */
#include "config.h"
#include <errno.h>
#include <pthread.h>
#include <sched.h>

#include "rt.h"
#include "test.h"

int test_rt_thread_enter_makes_only_the_calling_thread_fifo(void);
int test_rt_priority_zero_leaves_threads_alone(void);

struct probe {
	int rc;                 /* rt_thread_enter() */
	int policy;
	int prio;
};

static void *probe_main(void *arg)
{
	struct probe *p = arg;
	struct sched_param sp;

	p->rc = rt_thread_enter("test");
	if (pthread_getschedparam(pthread_self(), &p->policy, &sp) == 0)
		p->prio = sp.sched_priority;
	return NULL;
}

static int probe(struct probe *p)
{
	pthread_t t;
	int err;

	err = pthread_create(&t, NULL, probe_main, p);
	if (!err)
		err = pthread_join(t, NULL);
	return err;
}

int test_rt_thread_enter_makes_only_the_calling_thread_fifo(void)
{
	struct probe p = { .rc = -1, .policy = -1 };
	struct sched_param sp;
	int err, policy;

	rt_set_priority(7);
	TEST_EQ(7, rt_priority());
	err = probe(&p);
	TEST_ERR(err);
	if (p.rc == 0) {
		TEST_EQ(SCHED_FIFO, p.policy);
		TEST_EQ(7, p.prio);
	} else {
		TEST_EQ(EPERM, p.rc);                   /* not permitted here: unchanged */
		TEST_EQ(SCHED_OTHER, p.policy);
	}
	err = pthread_getschedparam(pthread_self(), &policy, &sp);
	TEST_ERR(err);
	TEST_EQ(SCHED_OTHER, policy);                   /* the caller is never touched */
	rt_set_priority(RT_PRIORITY_MAX + 5);
	TEST_EQ(RT_PRIORITY_MAX, rt_priority());        /* clamped */
 out:
	rt_set_priority(0);
	return err;
}

int test_rt_priority_zero_leaves_threads_alone(void)
{
	struct probe p = { .rc = -1, .policy = -1 };
	int err;

	rt_set_priority(0);
	err = probe(&p);
	TEST_ERR(err);
	TEST_EQ(0, p.rc);
	TEST_EQ(SCHED_OTHER, p.policy);
 out:
	return err;
}
