/*
 * sim_io.c -- the one I/O thread of hw/sim, shared by every sim span of the
 * process: started by the first span_open, joined by the last span_close.
 *
 * It waits in epoll on the spans' sockets, an eventfd (calls from other
 * threads) and one CLOCK_MONOTONIC timerfd.  Periods are paced on a grid
 * fixed when the thread starts (epoch + k * frame_ms), per span: spans with
 * the same frame_ms tick in the same wake-up, spans with another frame_ms
 * keep their own deadlines, and the timer is armed (absolute) at the
 * earliest one.  A span late after a stall runs up to SIM_CATCHUP periods
 * back to back and skips the rest, so the sample rate stays exact without
 * unbounded bursts.  No sleeps, no allocation per period.
 *
 * Other threads never touch the span list or the sockets' life cycle: they
 * run a function on the I/O thread with sim_io_call(), which waits for it.
 * Calls run after the epoll batch is handled, so an event in the batch never
 * points at a span a call has just freed.  Open and close are serialised
 * under io.lock (the owner thread opens and closes; the lock makes two
 * owners safe too).
 */
#include "config.h"
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define LOG_MODULE "hw-sim"
#include "log.h"
#include "rt.h"
#include "sim_int.h"

struct sim_call {
	void (*fn)(void *arg);
	void *arg;
	bool done;
	struct sim_call *next;
};

static struct {
	pthread_mutex_t lock;           /* open/close: nspans and the thread's life */
	unsigned nspans;
	pthread_t thread;
	int epfd, evfd, tfd;
	uint64_t epoch;

	pthread_mutex_t call_lock;      /* the call queue */
	pthread_cond_t call_cond;
	struct sim_call *calls, **calls_tail;

	struct sim_span *spans;         /* I/O thread only */
	bool stop;                      /* I/O thread only */
	atomic_bool manual_seconds;
} io = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.call_lock = PTHREAD_MUTEX_INITIALIZER,
	.call_cond = PTHREAD_COND_INITIALIZER,
	.epfd = -1, .evfd = -1, .tfd = -1,
	.calls_tail = &io.calls,
};

/* epoll marks for the driver's own descriptors */
static char timer_mark, call_mark;
static _Thread_local bool on_io_thread;

uint64_t sim_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

bool sim_io_on_thread(void)
{
	return on_io_thread;
}

bool sim_io_manual_seconds(void)
{
	return atomic_load(&io.manual_seconds);
}

void hw_sim_test_manual_seconds(bool manual)
{
	atomic_store(&io.manual_seconds, manual);
}

unsigned hw_sim_open_spans(void)
{
	unsigned n;

	pthread_mutex_lock(&io.lock);
	n = io.nspans;
	pthread_mutex_unlock(&io.lock);
	return n;
}

int sim_io_watch(int fd, struct sim_fdref *ref)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = ref };

	return epoll_ctl(io.epfd, EPOLL_CTL_ADD, fd, &ev) ? errno : 0;
}

void sim_io_unwatch(int fd)
{
	epoll_ctl(io.epfd, EPOLL_CTL_DEL, fd, NULL);
}

void sim_io_call(void (*fn)(void *arg), void *arg)
{
	struct sim_call c = { .fn = fn, .arg = arg };
	uint64_t one = 1;

	if (on_io_thread) {             /* from an event callback: we are there */
		fn(arg);
		return;
	}
	pthread_mutex_lock(&io.call_lock);
	*io.calls_tail = &c;
	io.calls_tail = &c.next;
	pthread_mutex_unlock(&io.call_lock);
	/* An eventfd write only fails when the counter would overflow; the
	 * thread is awake then anyway. */
	(void)!write(io.evfd, &one, sizeof(one));
	pthread_mutex_lock(&io.call_lock);
	while (!c.done)
		pthread_cond_wait(&io.call_cond, &io.call_lock);
	pthread_mutex_unlock(&io.call_lock);
}

static void run_calls(void)
{
	struct sim_call *c, *next;

	pthread_mutex_lock(&io.call_lock);
	c = io.calls;
	io.calls = NULL;
	io.calls_tail = &io.calls;
	pthread_mutex_unlock(&io.call_lock);
	for (; c; c = next) {
		next = c->next;         /* c lives on its caller's stack until done */
		c->fn(c->arg);
		pthread_mutex_lock(&io.call_lock);
		c->done = true;
		pthread_cond_broadcast(&io.call_cond);
		pthread_mutex_unlock(&io.call_lock);
	}
}

/* One period of one span: hand the oldest received period (or idle) and the
 * transmit buffer to the owner, then send what it wrote. */
static void span_period(struct sim_span *s)
{
	const uint8_t *rx = s->idle;
	bool linked = atomic_load(&s->link_ok), from_ring = false;
	unsigned missing = 0, sent = 0;

	/* Play from the ring once it has a period of cushion, so that a period
	 * arriving a little late (two processes ticking nearly in phase) is no
	 * underflow; after an underflow, build the cushion again. */
	if (s->ring_count && (s->primed || s->ring_count >= SIM_PREFILL)) {
		rx = s->ring + (size_t)s->ring_head * s->period_bytes;
		from_ring = s->primed = s->played = true;
	} else {
		if (linked && s->played)
			missing = 1;
		if (!s->ring_count)
			s->primed = false;
	}
	if (s->ev.audio)
		s->ev.audio(s->arg, rx, s->txbuf, s->samples);
	if (from_ring) {
		s->ring_head = (s->ring_head + 1) % SIM_RING;
		s->ring_count--;
	}
	if (linked && !atomic_load(&s->pulled) && !atomic_load(&s->peer_pulled)) {
		if (s->drop_periods) {
			s->drop_periods--;
		} else {
			int err = sim_link_send(s, SIM_MSG_AUDIO, s->txbuf, s->period_bytes);

			if (!err)
				sent = 1;
			else if (err == EAGAIN)
				missing |= 2;   /* the peer does not read: counted below */
		}
	}
	pthread_mutex_lock(&s->stat_lock);
	s->cnt.tx_periods += sent;
	s->cnt.rx_missing += missing & 1;
	s->dbg.tx_dropped += (missing & 2) ? 1 : 0;
	pthread_mutex_unlock(&s->stat_lock);
}

/* Periods due, link timers and the once-a-second evaluation, every span.
 * O(spans) per wake-up: at most a few dozen, once per period. */
static void run_due(uint64_t now)
{
	bool manual = atomic_load(&io.manual_seconds);

	for (struct sim_span *s = io.spans; s; s = s->next) {
		unsigned n = 0;

		while (s->next_period <= now && n++ < SIM_CATCHUP) {
			span_period(s);
			s->next_period += s->period_ns;
		}
		if (s->next_period <= now) {
			uint64_t skip = (now - s->next_period) / s->period_ns + 1;

			s->next_period += skip * s->period_ns;
			pthread_mutex_lock(&s->stat_lock);
			s->dbg.late_periods += (unsigned)skip;
			pthread_mutex_unlock(&s->stat_lock);
		}
		sim_link_timers(s, now);
		if (now >= s->next_second) {
			if (!manual)
				sim_eval_second(s);
			s->next_second += SIM_SECOND_NS;
			if (s->next_second <= now)
				s->next_second = now + SIM_SECOND_NS;
		}
	}
}

static void arm_timer(void)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	uint64_t min = UINT64_MAX;

	for (struct sim_span *s = io.spans; s; s = s->next)
		if (s->next_period < min)
			min = s->next_period;
	if (min != UINT64_MAX) {
		its.it_value.tv_sec = (time_t)(min / 1000000000ULL);
		its.it_value.tv_nsec = (long)(min % 1000000000ULL);
		if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
			its.it_value.tv_nsec = 1;
	}
	timerfd_settime(io.tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void *io_main(void *unused)
{
	struct epoll_event evs[128];
	bool warned = false;

	on_io_thread = true;
	rt_thread_enter("hw-sim I/O");
	while (!io.stop) {
		bool calls = false;
		uint64_t junk;
		int n;

		n = epoll_wait(io.epfd, evs, (int)(sizeof(evs) / sizeof(evs[0])), -1);
		if (n < 0) {
			if (errno != EINTR && !warned) {
				log_err("epoll_wait: %s", strerror(errno));
				warned = true;
			}
			continue;
		}
		for (int i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;

			if (p == &timer_mark) {
				(void)!read(io.tfd, &junk, sizeof(junk));
			} else if (p == &call_mark) {
				(void)!read(io.evfd, &junk, sizeof(junk));
				calls = true;
			} else {
				sim_link_event(p);
			}
		}
		run_due(sim_now());
		if (calls)
			run_calls();
		arm_timer();
	}
	return NULL;
}

struct add_call {
	struct sim_span *s;
	int err;
};

static void add_fn(void *arg)
{
	struct add_call *c = arg;
	struct sim_span *s = c->s;
	uint64_t now = sim_now();

	/* the next point of this span's grid; seconds count from now */
	s->next_period = io.epoch + ((now - io.epoch) / s->period_ns + 1) * s->period_ns;
	s->next_second = now + SIM_SECOND_NS;
	c->err = sim_link_start(s, now);
	if (c->err)
		return;
	s->next = io.spans;
	io.spans = s;
}

static void remove_fn(void *arg)
{
	struct sim_span *s = arg, **pp;

	for (pp = &io.spans; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	sim_link_stop(s);
}

static void stop_fn(void *arg)
{
	io.stop = true;
}

static void io_teardown(void)
{
	if (io.epfd >= 0)
		close(io.epfd);
	if (io.evfd >= 0)
		close(io.evfd);
	if (io.tfd >= 0)
		close(io.tfd);
	io.epfd = io.evfd = io.tfd = -1;
}

static int io_start(void)
{
	struct epoll_event te = { .events = EPOLLIN, .data.ptr = &timer_mark };
	struct epoll_event ce = { .events = EPOLLIN, .data.ptr = &call_mark };
	int err;

	io.epfd = epoll_create1(EPOLL_CLOEXEC);
	io.evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	io.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (io.epfd < 0 || io.evfd < 0 || io.tfd < 0 ||
	    epoll_ctl(io.epfd, EPOLL_CTL_ADD, io.tfd, &te) ||
	    epoll_ctl(io.epfd, EPOLL_CTL_ADD, io.evfd, &ce)) {
		err = errno;
		io_teardown();
		return err;
	}
	io.epoch = sim_now();
	io.stop = false;
	io.spans = NULL;
	err = pthread_create(&io.thread, NULL, io_main, NULL);
	if (err) {
		io_teardown();
		return err;
	}
	pthread_setname_np(io.thread, "hw-sim");
	return 0;
}

static void io_stop(void)
{
	sim_io_call(stop_fn, NULL);
	pthread_join(io.thread, NULL);
	io_teardown();
}

int sim_io_add(struct sim_span *s)
{
	struct add_call c = { .s = s };

	pthread_mutex_lock(&io.lock);
	if (io.nspans == 0) {
		c.err = io_start();
		if (c.err)
			goto out;
	}
	sim_io_call(add_fn, &c);
	if (c.err) {
		if (io.nspans == 0)
			io_stop();
		goto out;
	}
	io.nspans++;
 out:
	pthread_mutex_unlock(&io.lock);
	return c.err;
}

void sim_io_remove(struct sim_span *s)
{
	pthread_mutex_lock(&io.lock);
	sim_io_call(remove_fn, s);
	if (--io.nspans == 0)
		io_stop();
	pthread_mutex_unlock(&io.lock);
}
