/*
 * isdn_loop.c -- the ISDN tests' harness (see isdn_loop.h).  Every frame
 * crosses libpri on both ends, so the tests run real Q.921/Q.931.
 *
 * Time: libpri reads gettimeofday() itself and has no clock hook (its header
 * declares pri_schedule_run_tv, but libpri 1.6 does not define it).  So this
 * file defines gettimeofday(): the executable's definition comes first in
 * symbol lookup, libpri's calls land here, and the clock is the real one
 * plus test_clock_us.  loop_wait() moves it on to the next timer when
 * nothing else can happen, so steps driven by timers (SABME retries, T309)
 * take no real time and no test sleeps.  The clock only moves forward, so
 * the rest of the selftest just sees a later time.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "isdn_loop.h"

static long long test_clock_us;          /* how far the fake clock is ahead */

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	struct timespec ts;
	long long us;

	clock_gettime(CLOCK_REALTIME, &ts);
	us = (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 + test_clock_us;
	tv->tv_sec = (time_t)(us / 1000000);
	tv->tv_usec = (suseconds_t)(us % 1000000);
	return 0;
}

/* ---- the owner's callbacks ---- */

static void ev_dchan_tx(void *arg, const uint8_t *frame, size_t len)
{
	struct loop_side *from = arg, *to = from->peer;
	struct loop_frame *f;

	if (to->tail - to->head >= LOOP_QLEN || len > sizeof(f->data)) {
		from->overflow = true;
		return;
	}
	f = &to->q[to->tail++ % LOOP_QLEN];
	memcpy(f->data, frame, len);
	f->len = len;
}

static void ev_link(void *arg, bool up)
{
	struct loop_side *sd = arg;

	sd->link = up;
	if (up)
		sd->link_ups++;
	else
		sd->link_downs++;
}

struct loop_rec *loop_rec_new(struct loop_side *sd)
{
	for (unsigned i = 0; i < LOOP_MAX_RECS; i++) {
		if (!sd->recs[i].used) {
			memset(&sd->recs[i], 0, sizeof(sd->recs[i]));
			sd->recs[i].used = true;
			sd->recs[i].side = sd;
			return &sd->recs[i];
		}
	}
	return NULL;
}

static void ev_incoming(void *arg, struct isdn_call *c, const struct isdn_setup *s)
{
	struct loop_side *sd = arg;
	struct loop_rec *r = loop_rec_new(sd);

	if (!r) {
		isdn_call_hangup(c, ISDN_CAUSE_CONGESTION);
		return;
	}
	r->incoming = true;
	r->c = c;
	r->setup = *s;
	isdn_call_set_user(c, r);
	sd->last_in = r;
	if (sd->refuse)
		isdn_call_hangup(c, sd->refuse);
}

static void ev_proceeding(void *arg, struct isdn_call *c)
{
	((struct loop_rec *)isdn_call_user(c))->proceeding++;
}

static void ev_alerting(void *arg, struct isdn_call *c, bool inband)
{
	struct loop_rec *r = isdn_call_user(c);

	r->alerting++;
	r->inband = inband;
}

static void ev_progress(void *arg, struct isdn_call *c, bool inband)
{
	struct loop_rec *r = isdn_call_user(c);

	r->progress++;
	r->inband = inband;
}

static void ev_answered(void *arg, struct isdn_call *c)
{
	((struct loop_rec *)isdn_call_user(c))->answered++;
}

static void ev_released(void *arg, struct isdn_call *c, int cause)
{
	struct loop_rec *r = isdn_call_user(c);

	r->released++;
	r->cause = cause;
	r->c = NULL;
}

static void ev_restarted(void *arg, unsigned channel)
{
	((struct loop_side *)arg)->restarted++;
}

static const struct isdn_events events = {
	.dchan_tx = ev_dchan_tx, .link = ev_link, .incoming = ev_incoming,
	.proceeding = ev_proceeding, .alerting = ev_alerting, .progress = ev_progress,
	.answered = ev_answered, .released = ev_released, .restarted = ev_restarted,
};

/* ---- the loop ---- */

static int side_open(struct loop_side *sd, const struct loop_cfg *pc, enum isdn_side side)
{
	struct isdn_span_cfg cfg = {
		.name = sd->name, .type = pc->type, .sw = pc->sw, .side = side,
		.hunting = side == ISDN_SIDE_NETWORK ? pc->hunt_net : pc->hunt_user,
		.debug = getenv("TG_TEST_DEBUG") != NULL,
	};

	return isdn_span_create(&sd->span, &cfg, &events, sd);
}

int loop_open(struct loop_pair *p, const struct loop_cfg *pc)
{
	int err;

	p->net = calloc(1, sizeof(*p->net));
	p->user = calloc(1, sizeof(*p->user));
	if (!p->net || !p->user)
		return ENOMEM;
	p->net->name = "net";
	p->user->name = "user";
	p->net->peer = p->user;
	p->user->peer = p->net;
	if (pc->user_first) {
		err = side_open(p->user, pc, ISDN_SIDE_USER);
		if (!err)
			err = side_open(p->net, pc, ISDN_SIDE_NETWORK);
	} else {
		err = side_open(p->net, pc, ISDN_SIDE_NETWORK);
		if (!err)
			err = side_open(p->user, pc, ISDN_SIDE_USER);
	}
	return err;
}

void loop_close(struct loop_pair *p)
{
	if (p->net)
		isdn_span_destroy(p->net->span);
	if (p->user)
		isdn_span_destroy(p->user->span);
	free(p->net);
	free(p->user);
	p->net = p->user = NULL;
}

/* Deliver frames and run due timers until nothing moves. */
bool loop_pump(struct loop_pair *p)
{
	struct loop_side *sides[2] = { p->net, p->user };

	for (unsigned n = 0; n < 100000; n++) {
		bool moved = false;

		for (unsigned i = 0; i < 2; i++) {
			struct loop_side *sd = sides[i];

			if (sd->head != sd->tail) {
				struct loop_frame *f = &sd->q[sd->head++ % LOOP_QLEN];

				if (!p->cut)
					isdn_dchan_rx(sd->span, f->data, f->len);
				moved = true;
			}
			if (isdn_next_timer_ms(sd->span) == 0) {
				isdn_run_timers(sd->span);
				moved = true;
			}
		}
		if (!moved)
			return !p->net->overflow && !p->user->overflow;
	}
	return false;
}

/* loop_pump(), moving the clock on to the next timer while pred() is false. */
bool loop_wait(struct loop_pair *p, bool (*pred)(struct loop_pair *), unsigned max_jumps)
{
	for (unsigned j = 0; j <= max_jumps; j++) {
		long a, b, ms;

		if (!loop_pump(p))
			return false;
		if (pred(p))
			return true;
		a = isdn_next_timer_ms(p->net->span);
		b = isdn_next_timer_ms(p->user->span);
		ms = a < 0 ? b : b < 0 ? a : a < b ? a : b;
		if (ms < 0)
			return false;           /* nothing will ever happen */
		test_clock_us += ms * 1000;
	}
	return false;
}

bool loop_links_up(struct loop_pair *p)
{
	return p->net->link && p->user->link;
}

bool loop_links_down(struct loop_pair *p)
{
	return !p->net->link && !p->user->link;
}

bool loop_watched_released(struct loop_pair *p)
{
	return p->watch[0]->released && p->watch[1]->released;
}

bool loop_never(struct loop_pair *p)
{
	return false;
}

bool loop_all_channels(struct loop_side *sd, enum isdn_channel_state st)
{
	for (unsigned i = 0; i < isdn_channel_count(sd->span); i++)
		if (isdn_channel_state(sd->span, isdn_channel_number(sd->span, i)) != st)
			return false;
	return true;
}

unsigned loop_channels_in(struct loop_side *sd, enum isdn_channel_state st)
{
	unsigned n = 0;

	for (unsigned i = 0; i < isdn_channel_count(sd->span); i++)
		n += isdn_channel_state(sd->span, isdn_channel_number(sd->span, i)) == st;
	return n;
}

int loop_up(struct loop_pair *p, const struct loop_cfg *pc)
{
	int err = loop_open(p, pc);

	if (err)
		return err;
	if (!loop_wait(p, loop_links_up, 50) || !loop_all_channels(p->net, ISDN_CHAN_IDLE)
	    || !loop_all_channels(p->user, ISDN_CHAN_IDLE))
		return EPROTO;
	return 0;
}

/* ---- calls ---- */

void loop_number_set(struct isdn_number *n, const char *digits, enum isdn_ton ton,
		     enum isdn_npi npi, enum isdn_pres pres, enum isdn_screen screen)
{
	snprintf(n->digits, sizeof(n->digits), "%s", digits);
	n->ton = ton;
	n->npi = npi;
	n->pres = pres;
	n->screen = screen;
}

const struct isdn_setup loop_plain_setup = {
	.called = { "5551234", ISDN_TON_UNKNOWN, ISDN_NPI_E164, ISDN_PRES_ALLOWED, 0 },
	.calling = { "100", ISDN_TON_UNKNOWN, ISDN_NPI_E164, ISDN_PRES_ALLOWED, 0 },
};

/* Place a call from `from`; *inp is the far end's incoming call (or NULL). */
int loop_place(struct loop_pair *p, struct loop_side *from, const struct isdn_setup *st,
	       struct loop_rec **outp, struct loop_rec **inp)
{
	struct loop_rec *out = loop_rec_new(from);
	int err;

	if (!out)
		return ENOMEM;
	from->peer->last_in = NULL;
	err = isdn_call_place(from->span, st, out, &out->c);
	if (err) {
		out->used = false;
		return err;
	}
	*outp = out;
	if (!loop_pump(p))
		return EPROTO;
	if (inp)
		*inp = from->peer->last_in;
	return 0;
}

/* Proceeding, alerting, connect: both ends see each step. */
int loop_answer(struct loop_pair *p, struct loop_rec *out, struct loop_rec *in)
{
	int err = 0;

	TEST_ASSERT(in && in->c);
	CHECK(isdn_call_proceeding(in->c));
	TEST_ASSERT(loop_pump(p));
	TEST_EQ(1, out->proceeding);
	CHECK(isdn_call_alerting(in->c, false));
	TEST_ASSERT(loop_pump(p));
	TEST_EQ(1, out->alerting);
	CHECK(isdn_call_answer(in->c));
	TEST_ASSERT(loop_pump(p));
	TEST_EQ(1, out->answered);
 out:
	return err;
}

int loop_connect(struct loop_pair *p, struct loop_side *from, const struct isdn_setup *st,
		 struct loop_rec **outp, struct loop_rec **inp)
{
	int err;

	err = loop_place(p, from, st, outp, inp);
	TEST_ERR(err);
	err = loop_answer(p, *outp, *inp);
 out:
	return err;
}

/* Hang up `by`'s end with cause; both ends are released once with it. */
int loop_hang_up(struct loop_pair *p, struct loop_rec *by, struct loop_rec *other, int cause)
{
	int err = 0;

	CHECK(isdn_call_hangup(by->c, cause));
	TEST_ASSERT(loop_pump(p));
	TEST_EQ(1, by->released);
	TEST_EQ(1, other->released);
	TEST_EQ(cause, by->cause);
	TEST_EQ(cause, other->cause);
 out:
	return err;
}

int loop_all_idle(struct loop_pair *p)
{
	int err = 0;

	TEST_EQ(0, isdn_active_calls(p->net->span));
	TEST_EQ(0, isdn_active_calls(p->user->span));
	TEST_ASSERT(loop_all_channels(p->net, ISDN_CHAN_IDLE));
	TEST_ASSERT(loop_all_channels(p->user, ISDN_CHAN_IDLE));
 out:
	return err;
}

