/*
 * rt.c -- SCHED_FIFO for the time-critical threads (see rt.h).
 *
 * Why: the span I/O thread must hand a frame to the driver every period
 * (20 ms) and the media thread must turn RTP into audio in time for it.
 * Under normal scheduling on a loaded machine other processes delay them
 * by whole periods (bench/media_load.sh, docs/media.md "Performance"); a
 * modest SCHED_FIFO priority puts them ahead of every normal process.
 * The kernel's RT throttling (sched_rt_runtime_us, 95 % by default) still
 * leaves the rest of the system some CPU if one of them ever spins.
 *
 * The priority is a process-wide value written once by the main thread
 * before any such thread starts and read by each thread as it starts;
 * every thread sets its own policy (pthread_setschedparam on itself), so
 * threads it does not concern keep the default.  Any thread.
 */
#include "config.h"
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

#define LOG_MODULE "rt"
#include "log.h"
#include "rt.h"

static atomic_uint rt_prio;
static atomic_bool rt_refused_logged;

void rt_set_priority(unsigned prio)
{
	atomic_store(&rt_prio, prio > RT_PRIORITY_MAX ? RT_PRIORITY_MAX : prio);
}

unsigned rt_priority(void)
{
	return atomic_load(&rt_prio);
}

int rt_thread_enter(const char *what)
{
	struct sched_param sp = { .sched_priority = (int)rt_priority() };
	int err;

	if (sp.sched_priority == 0)
		return 0;
	err = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	if (err == EPERM) {
		/* Once: every span and engine thread would say the same. */
		if (!atomic_exchange(&rt_refused_logged, true))
			log_info("real-time scheduling not permitted; running with normal priority "
				 "(needs CAP_SYS_NICE or RLIMIT_RTPRIO >= %d; rt_priority = 0 turns "
				 "this off)", sp.sched_priority);
	} else if (err) {
		log_warn("%s: SCHED_FIFO priority %d: %s; running with normal priority",
			 what, sp.sched_priority, strerror(err));
	} else {
		log_debug("%s: thread runs SCHED_FIFO, priority %d", what, sp.sched_priority);
	}
	return err;
}
