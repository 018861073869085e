/*
 * sutimer.c -- the call core's timers (struct call_timers) on sofia-sip
 * su_timers of the main su_root.  Main thread only, like the core.
 *
 * A handle is one su_timer with the core's callback.  Handles are pooled:
 * one that fires or is cancelled goes back to the pool and is armed again for
 * the next request, so a busy gateway does not create and destroy an
 * su_timer per call, and no su_timer is ever destroyed from inside its own
 * callback (re-arming one there is fine: sofia-sip has taken it off its heap
 * before calling us).  The pool keeps as many timers as were ever armed at
 * once -- at most two per call -- until call_sutimers_destroy().
 */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <sofia-sip/su_wait.h>

#include "call.h"

struct sut {
	struct sut *next_all;           /* every handle, for destroy */
	struct sut *next_free;          /* the pool of idle ones */
	struct call_sutimers *owner;
	su_timer_t *t;
	call_timer_fire_h *fire;
	void *arg;
};

struct call_sutimers {
	su_root_t *root;
	struct sut *all, *free;
};

int call_sutimers_create(struct call_sutimers **tp, struct su_root_s *root)
{
	struct call_sutimers *s = calloc(1, sizeof(*s));

	if (!s)
		return ENOMEM;
	s->root = root;
	*tp = s;
	return 0;
}

void call_sutimers_destroy(struct call_sutimers *s)
{
	if (!s)
		return;
	while (s->all) {
		struct sut *h = s->all;

		s->all = h->next_all;
		su_timer_destroy(h->t);         /* also disarms it */
		free(h);
	}
	free(s);
}

static void on_fire(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	struct sut *h = (struct sut *)arg;
	call_timer_fire_h *fire = h->fire;
	void *farg = h->arg;

	/* Back to the pool first: the callback may arm a new timer (it may get
	 * this very one) and must not see its fired handle as still armed. */
	h->fire = NULL;
	h->next_free = h->owner->free;
	h->owner->free = h;
	fire(farg);
}

static void *sut_set(void *ctx, unsigned ms, call_timer_fire_h *fire, void *arg)
{
	struct call_sutimers *s = ctx;
	struct sut *h = s->free;

	if (h) {
		s->free = h->next_free;
	} else {
		h = calloc(1, sizeof(*h));
		if (!h)
			return NULL;
		h->t = su_timer_create(su_root_task(s->root), 0);
		if (!h->t) {
			free(h);
			return NULL;
		}
		h->owner = s;
		h->next_all = s->all;
		s->all = h;
	}
	h->fire = fire;
	h->arg = arg;
	if (su_timer_set_interval(h->t, on_fire, (su_timer_arg_t *)h, (su_duration_t)ms) < 0) {
		h->fire = NULL;
		h->next_free = s->free;
		s->free = h;
		return NULL;
	}
	return h;
}

static void sut_cancel(void *ctx, void *handle)
{
	struct call_sutimers *s = ctx;
	struct sut *h = handle;

	su_timer_reset(h->t);
	h->fire = NULL;
	h->next_free = s->free;
	s->free = h;
}

struct call_timers call_sutimers_ops(struct call_sutimers *s)
{
	return (struct call_timers){ .set = sut_set, .cancel = sut_cancel, .ctx = s };
}
