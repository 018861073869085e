/*
 * rt.h -- real-time scheduling for the time-critical threads: the media
 * engine's thread and the span I/O threads of the HW drivers.
 *
 * One process-wide priority, set once at start (rt_priority in
 * trunkgate.conf, --rt-priority) before those threads start.  Each of them
 * calls rt_thread_enter() first thing, which makes the calling thread
 * SCHED_FIFO at that priority.  Nothing else (main thread, HTTP, SQLite,
 * resolver) ever becomes real-time.  Priority 0, the library default (unit
 * tests, tools), leaves every thread as it is.
 */
#ifndef TG_RT_H
#define TG_RT_H

#define RT_PRIORITY_MAX     99          /* SCHED_FIFO's range is 1..99 on Linux */
#define RT_PRIORITY_DEFAULT 10          /* trunkgated's default */

/* 0 = off, 1..RT_PRIORITY_MAX = SCHED_FIFO at that priority. */
void rt_set_priority(unsigned prio);
unsigned rt_priority(void);

/* Make the calling thread SCHED_FIFO at rt_priority() (nothing when 0).
 * Not permitted (EPERM: no CAP_SYS_NICE, RLIMIT_RTPRIO too low): logged once
 * per process at info, the thread runs on with normal scheduling.  Returns
 * 0 or the errno of pthread_setschedparam(). */
int rt_thread_enter(const char *what);

#endif
