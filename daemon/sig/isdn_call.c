/*
 * isdn_call.c -- calls and B channels on one ISDN span: the channel table
 * and hunting, SETUP both ways, the answer-side messages, clearing, and
 * RESTART (Q.931 5.5).  The libpri glue that calls into this is isdn.c.
 *
 * Channels: a B channel is idle, busy (one call holds it), restarting (our
 * RESTART for it awaits RESTART ACKNOWLEDGE) or out of service (layer 1 or
 * 2 down).  Outgoing calls hunt an idle channel in the configured order; the
 * network side offers it exclusive, the user side preferred (the network may
 * move the call, and says so in its first answer).
 *
 * Glare (both ends pick the same channel at once) is settled the way Q.931
 * settles it, the network side wins: the network refuses the user's SETUP
 * (cause 44 if the channel was exclusive; if preferred it moves the call to
 * another idle channel, or refuses with 34 when there is none), and the user
 * side gives the channel to the network's call, leaving its own call without
 * a channel until the network's answer moves or clears it.
 *
 * Clearing: every call ends with exactly one ev->released.  libpri reports
 * the end of a call in three ways -- HANGUP (we must pri_hangup to finish),
 * HANGUP_ACK, or not at all (RELEASE COMPLETE after our RELEASE, the one we
 * send to refuse a SETUP, an unanswered incoming call the caller clears) --
 * so isdn_sweep() releases a call as soon as libpri no longer knows it, with
 * the cause that started the clearing.
 * Main thread only.
 */
#include "config.h"
#include <errno.h>
#include <string.h>

#include "isdn_int.h"
#include "tg.h"

#define LOG_MODULE "isdn"
#include "log.h"

static bool cause_valid(int cause)
{
	return cause > 0 && cause < 128;
}

/* ---- channel table ---- */

void isdn_chan_init(struct isdn_span *s)
{
	unsigned ts, last = s->cfg.type == HW_SPAN_T1 ? 23 : 31;

	s->nchan = 0;
	for (ts = 1; ts <= last; ts++) {
		if (s->cfg.type == HW_SPAN_E1 && ts == 16)
			continue;               /* the D channel */
		s->chan[s->nchan].number = ts;
		s->chan[s->nchan].state = ISDN_CHAN_OUT_OF_SERVICE;     /* until layer 2 */
		s->chan[s->nchan].call = NULL;
		s->nchan++;
	}
}

struct isdn_chan *isdn_chan_find(struct isdn_span *s, unsigned number)
{
	unsigned i;

	if (number < 1 || (s->cfg.type == HW_SPAN_T1 && number > 23)
	    || (s->cfg.type == HW_SPAN_E1 && (number == 16 || number > 31)))
		return NULL;
	i = (s->cfg.type == HW_SPAN_E1 && number > 16) ? number - 2 : number - 1;
	return &s->chan[i];
}

/* O(n) over at most 30 channels, once per call. */
struct isdn_chan *isdn_chan_hunt(struct isdn_span *s)
{
	unsigned i, k;

	for (k = 0; k < s->nchan; k++) {
		switch (s->cfg.hunting) {
		case ISDN_HUNT_DESCENDING:
			i = s->nchan - 1 - k;
			break;
		case ISDN_HUNT_ROUND_ROBIN:
			i = (s->rr_next + k) % s->nchan;
			break;
		default:
			i = k;
			break;
		}
		if (s->chan[i].state == ISDN_CHAN_IDLE) {
			if (s->cfg.hunting == ISDN_HUNT_ROUND_ROBIN)
				s->rr_next = (i + 1) % s->nchan;
			return &s->chan[i];
		}
	}
	return NULL;
}

void isdn_chan_set_free(struct isdn_span *s, enum isdn_channel_state st)
{
	for (unsigned i = 0; i < s->nchan; i++)
		if (!s->chan[i].call)
			s->chan[i].state = st;
}

static void chan_take(struct isdn_chan *ch, struct isdn_call *c)
{
	ch->state = ISDN_CHAN_BUSY;
	ch->call = c;
	c->chan = ch->number;
}

static void chan_put(struct isdn_call *c)
{
	struct isdn_span *s = c->span;
	struct isdn_chan *ch = c->chan ? isdn_chan_find(s, c->chan) : NULL;

	if (ch && ch->call == c) {
		ch->call = NULL;
		ch->state = s->l1_up && s->l2_up ? ISDN_CHAN_IDLE : ISDN_CHAN_OUT_OF_SERVICE;
	}
	c->chan = 0;
}

/* ---- call handles ---- */

static struct isdn_call *call_new(struct isdn_span *s, q931_call *qc, bool outgoing, void *user)
{
	struct isdn_call *c = su_zalloc(s->home, sizeof(*c));

	if (!c)
		return NULL;
	c->span = s;
	c->qc = qc;
	c->outgoing = outgoing;
	c->user = user;
	c->next = s->calls;
	s->calls = c;
	return c;
}

struct isdn_call *isdn_call_find(struct isdn_span *s, const q931_call *qc)
{
	struct isdn_call *c;

	for (c = s->calls; qc && c; c = c->next)
		if (c->qc == qc)
			return c;
	return NULL;
}

void isdn_call_release(struct isdn_call *c, int cause)
{
	struct isdn_span *s = c->span;
	struct isdn_call **pp;

	if (c->released)
		return;
	for (pp = &s->calls; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	log_debug("%s: call on channel %u released, cause %d", s->name, c->chan, cause);
	chan_put(c);
	c->released = true;
	c->clearing = true;
	c->qc = NULL;
	c->cause = cause_valid(cause) ? cause : ISDN_CAUSE_NORMAL_UNSPECIFIED;
	c->next = NULL;
	for (pp = &s->released; *pp; pp = &(*pp)->next)
		;
	*pp = c;
}

void isdn_call_drop(struct isdn_call *c, int cause)
{
	if (c->qc)
		pri_destroycall(c->span->pri, c->qc);
	c->qc = NULL;
	isdn_call_release(c, cause);
}

void isdn_call_free_all(struct isdn_span *s)
{
	struct isdn_call *c;

	while ((c = s->calls)) {
		s->calls = c->next;
		if (c->qc)
			pri_destroycall(s->pri, c->qc);
		su_free(s->home, c);
	}
	while ((c = s->released)) {
		s->released = c->next;
		su_free(s->home, c);
	}
}

/* Causes libpri (hangup fix on) sends in RELEASE COMPLETE to refuse a SETUP. */
static bool refusal_cause(int cause)
{
	switch (cause) {
	case PRI_CAUSE_UNALLOCATED:
	case PRI_CAUSE_NORMAL_CIRCUIT_CONGESTION:
	case PRI_CAUSE_REQUESTED_CHAN_UNAVAIL:
	case PRI_CAUSE_IDENTIFIED_CHANNEL_NOTEXIST:
	case PRI_CAUSE_INCOMPATIBLE_DESTINATION:
		return true;
	default:
		return false;
	}
}

/* Start clearing from our side; isdn_sweep() or libpri's event ends it. */
static void clear(struct isdn_call *c, int cause)
{
	struct isdn_span *s = c->span;

	if (c->clearing)
		return;
	c->clearing = true;
	c->cause = cause_valid(cause) ? cause : ISDN_CAUSE_NORMAL_CLEARING;
	if (!c->qc)
		return;
	/* libpri sends nothing for a DISCONNECT on an incoming call it has
	 * not answered yet (its "alive" flag is off); answer it first. */
	if (!c->outgoing && !c->responded && !refusal_cause(c->cause)) {
		pri_proceeding(s->pri, c->qc, (int)c->chan, 0);
		c->responded = true;
	}
	pri_hangup(s->pri, c->qc, c->cause);
}

/* ---- incoming SETUP ---- */

static void number_from(struct isdn_number *n, const char *digits, int plan, int pres)
{
	tg_strlcpy(n->digits, digits, sizeof(n->digits));
	if (plan < 0)
		plan = 0;
	n->ton = (enum isdn_ton)((plan >> 4) & 0x7);
	n->npi = (enum isdn_npi)(plan & 0xf);
	if (pres < 0)
		pres = PRI_PRES_ALLOWED;
	switch (pres & PRI_PRES_RESTRICTION) {
	case PRI_PRES_RESTRICTED:
		n->pres = ISDN_PRES_RESTRICTED;
		break;
	case PRI_PRES_UNAVAILABLE:
	case PRI_PRES_RESERVED:
		n->pres = ISDN_PRES_UNAVAILABLE;
		break;
	default:
		n->pres = ISDN_PRES_ALLOWED;
		break;
	}
	n->screen = (enum isdn_screen)(pres & PRI_PRES_NUMBER_TYPE);
}

/* The user side's own SETUP, not answered yet, loses a glare. */
static bool glare_loser(const struct isdn_span *s, const struct isdn_chan *ch)
{
	return s->cfg.side == ISDN_SIDE_USER && ch->state == ISDN_CHAN_BUSY && ch->call
	       && ch->call->outgoing && !ch->call->responded;
}

/* Which channel an incoming SETUP gets (*stealp: taken from our own call,
 * which lost a glare), or NULL and the cause refusing it. */
static struct isdn_chan *pick_incoming(struct isdn_span *s, int channel, bool flexible,
				       bool *stealp, int *causep)
{
	unsigned num = channel < 0 ? 0 : (unsigned)channel & 0xff;
	struct isdn_chan *ch, *hunted;

	*stealp = false;
	if (num == 0 || num == 0xff) {
		ch = NULL;                      /* "any channel" */
	} else {
		ch = isdn_chan_find(s, num);
		if (ch && ch->state == ISDN_CHAN_IDLE)
			return ch;
		if (ch && glare_loser(s, ch)) {
			*stealp = true;
			return ch;
		}
		if (!flexible) {
			*causep = ch ? ISDN_CAUSE_CHANNEL_UNAVAILABLE : PRI_CAUSE_IDENTIFIED_CHANNEL_NOTEXIST;
			return NULL;
		}
	}
	hunted = isdn_chan_hunt(s);
	if (!hunted)
		*causep = ISDN_CAUSE_NO_CIRCUIT;
	return hunted;
}

void isdn_on_ring(struct isdn_span *s, const pri_event_ring *r)
{
	struct isdn_setup setup;
	struct isdn_call *c;
	struct isdn_chan *ch;
	bool steal;
	int cause = 0;

	ch = pick_incoming(s, r->channel, r->flexible, &steal, &cause);
	if (ch && !s->ev.incoming)
		cause = ISDN_CAUSE_CALL_REJECTED;
	c = ch && !cause ? call_new(s, r->call, false, NULL) : NULL;
	if (!c) {
		if (!cause)
			cause = ISDN_CAUSE_TEMPORARY_FAILURE;   /* out of memory */
		log_debug("%s: SETUP for channel %d refused, cause %d", s->name, r->channel, cause);
		pri_hangup(s->pri, r->call, cause);
		return;
	}
	if (steal) {
		/* Our call waits for the network's answer to move or clear it. */
		log_debug("%s: glare on channel %u: the network's call wins", s->name, ch->number);
		ch->call->chan = 0;
		ch->call = NULL;
	}
	chan_take(ch, c);

	memset(&setup, 0, sizeof(setup));
	number_from(&setup.called, r->callednum, r->calledplan, PRI_PRES_ALLOWED);
	if (r->calling.number.valid)
		number_from(&setup.calling, r->calling.number.str, r->calling.number.plan,
			    r->calling.number.presentation);
	else
		number_from(&setup.calling, "", 0, PRES_NUMBER_NOT_AVAILABLE);
	/* isdn_setup has no presentation for the name: a name the caller asked
	 * to restrict is withheld here (facility-borne names -- NI2, Q.SIG --
	 * arrive even when restricted; Display-borne ones do not). */
	if (r->calling.name.valid
	    && (r->calling.name.presentation & PRI_PRES_RESTRICTION) == PRI_PRES_ALLOWED)
		tg_strlcpy(setup.calling_name, r->calling.name.str, sizeof(setup.calling_name));
	if (r->redirectingnum[0]) {
		number_from(&setup.redirecting, r->redirectingnum, r->callingplanrdnis,
			    PRI_PRES_ALLOWED);
		setup.redirect_reason = r->redirectingreason >= 0 ? r->redirectingreason : 0;
	}
	setup.channel = c->chan;
	setup.exclusive = !r->flexible;
	log_debug("%s: incoming call on channel %u to %s", s->name, c->chan, setup.called.digits);
	s->ev.incoming(s->arg, c, &setup);
	/* Not answered in the callback: CALL PROCEEDING now.  It stops T303 at
	 * the caller, and without it libpri loses a call the caller clears
	 * first: it answers RELEASE COMPLETE itself, keeps a dead record and
	 * says nothing.  (c is not freed before isdn_leave.) */
	if (!c->responded && !c->clearing && c->qc) {
		pri_proceeding(s->pri, c->qc, (int)c->chan, 0);
		c->responded = true;
	}
}

/* ---- answers to our SETUP ---- */

/* The far end named a channel in its answer: the network may move a call
 * we offered preferred, or give one to a call that lost it in a glare. */
static bool follow_channel(struct isdn_call *c, int channel)
{
	struct isdn_span *s = c->span;
	unsigned num = channel < 0 ? 0 : (unsigned)channel & 0xff;
	struct isdn_chan *ch;

	if (num == 0 || num == 0xff || num == c->chan)
		return true;
	ch = isdn_chan_find(s, num);
	if (!ch || ch->state != ISDN_CHAN_IDLE) {
		log_warn("%s: far end put our call on channel %u, which is not free", s->name, num);
		clear(c, ISDN_CAUSE_CHANNEL_UNAVAILABLE);
		return false;
	}
	log_debug("%s: call moved from channel %u to %u", s->name, c->chan, num);
	chan_put(c);
	chan_take(ch, c);
	return true;
}

void isdn_on_answer_side(struct isdn_span *s, int event, q931_call *qc, int channel,
			 int progressmask)
{
	struct isdn_call *c = isdn_call_find(s, qc);
	bool inband = progressmask & PRI_PROG_INBAND_AVAILABLE;

	if (!c || c->clearing || !c->outgoing) {
		log_debug("%s: %s for no call of ours", s->name, pri_event2str(event));
		return;
	}
	c->responded = true;
	if (!follow_channel(c, channel))
		return;
	switch (event) {
	case PRI_EVENT_PROCEEDING:
		if (s->ev.proceeding)
			s->ev.proceeding(s->arg, c);
		break;
	case PRI_EVENT_RINGING:
		if (s->ev.alerting)
			s->ev.alerting(s->arg, c, inband);
		break;
	case PRI_EVENT_PROGRESS:
		if (s->ev.progress)
			s->ev.progress(s->arg, c, inband);
		break;
	case PRI_EVENT_ANSWER:
		/* CONNECT ACKNOWLEDGE is libpri's job. */
		if (s->ev.answered)
			s->ev.answered(s->arg, c);
		break;
	default:
		break;          /* SETUP ACK: we always send the number complete */
	}
}

/* ---- clearing from the far end ---- */

void isdn_on_hangup(struct isdn_span *s, int event, q931_call *qc, int cause)
{
	struct isdn_call *c = isdn_call_find(s, qc);

	if (c) {
		c->clearing = true;
		/* The cause that started the clearing is the call's: ours if we
		 * hung up, the DISCONNECT's if the far end did. */
		if (!c->cause && cause_valid(cause))
			c->cause = cause;
	}
	switch (event) {
	case PRI_EVENT_HANGUP_REQ:      /* DISCONNECT: answer with RELEASE */
	case PRI_EVENT_HANGUP:          /* RELEASE (COMPLETE): libpri waits for us to finish */
		pri_hangup(s->pri, qc, c && c->cause ? c->cause
			   : cause_valid(cause) ? cause : ISDN_CAUSE_NORMAL_CLEARING);
		break;
	default:                        /* HANGUP_ACK: libpri is done already */
		break;
	}
	/* isdn_sweep(), right after this event, releases the call once libpri
	 * has let go of it. */
}

/* ---- RESTART ---- */

void isdn_on_restart(struct isdn_span *s, int channel)
{
	unsigned num = channel < 0 ? 0 : (unsigned)channel & 0xff;
	struct isdn_call *c, *next;
	struct isdn_chan *ch;

	/* The restarting side releases the call references without a message
	 * (Q.931 5.5.2); libpri has acknowledged already. */
	if (num == 0 || num == 0xff) {
		log_info("%s: far end restarted the interface", s->name);
		for (c = s->calls; c; c = next) {
			next = c->next;
			isdn_call_drop(c, ISDN_CAUSE_TEMPORARY_FAILURE);
		}
		s->restart_idx = s->nchan;
		isdn_chan_set_free(s, ISDN_CHAN_IDLE);
		num = 0;
	} else {
		ch = isdn_chan_find(s, num);
		if (!ch) {
			log_warn("%s: far end restarted channel %u, which this span does not have",
				 s->name, num);
			return;
		}
		log_debug("%s: far end restarted channel %u", s->name, num);
		if (ch->call)
			isdn_call_drop(ch->call, ISDN_CAUSE_TEMPORARY_FAILURE);
		ch->state = ISDN_CHAN_IDLE;
	}
	if (s->ev.restarted)
		s->ev.restarted(s->arg, num);
}

void isdn_restart_next(struct isdn_span *s)
{
	for (; s->restart_idx < s->nchan; s->restart_idx++) {
		struct isdn_chan *ch = &s->chan[s->restart_idx];

		if (ch->state != ISDN_CHAN_RESTARTING)
			continue;
		/* One RESTART outstanding at a time: libpri keeps one RESTART
		 * record (global call reference) and matches one ACK. */
		if (pri_reset(s->pri, (int)ch->number) == 0)
			return;
		log_warn("%s: RESTART for channel %u could not be sent", s->name, ch->number);
		ch->state = ISDN_CHAN_IDLE;
	}
	log_info("%s: RESTART complete", s->name);
}

void isdn_on_restart_ack(struct isdn_span *s, int channel)
{
	unsigned num = channel < 0 ? 0 : (unsigned)channel & 0xff;
	struct isdn_chan *ch = isdn_chan_find(s, num);

	if (ch && ch->state == ISDN_CHAN_RESTARTING)
		ch->state = ISDN_CHAN_IDLE;
	if (s->restart_idx < s->nchan && s->chan[s->restart_idx].number == num) {
		s->restart_idx++;
		isdn_restart_next(s);
	}
}

int isdn_restart(struct isdn_span *s)
{
	struct isdn_call *c, *next;
	int err = 0;

	ASSERT_MAIN();
	if (!s)
		return EINVAL;
	isdn_enter(s);
	if (!s->l1_up || !s->l2_up) {
		err = ENOTCONN;
		goto out;
	}
	log_info("%s: restarting all B channels", s->name);
	for (c = s->calls; c; c = next) {
		next = c->next;
		isdn_call_drop(c, ISDN_CAUSE_TEMPORARY_FAILURE);
	}
	for (unsigned i = 0; i < s->nchan; i++)
		s->chan[i].state = ISDN_CHAN_RESTARTING;
	s->restart_idx = 0;
	isdn_restart_next(s);
 out:
	isdn_leave(s);
	return err;
}

/* ---- outgoing calls ---- */

/* libpri's dialplan value: type of number << 4 | numbering plan. */
static int plan_of(const struct isdn_number *n)
{
	return (int)(((unsigned)n->ton & 0x7) << 4 | ((unsigned)n->npi & 0xf));
}

static int pres_of(const struct isdn_number *n)
{
	int pres = n->pres == ISDN_PRES_RESTRICTED ? PRI_PRES_RESTRICTED
		   : n->pres == ISDN_PRES_UNAVAILABLE ? PRI_PRES_UNAVAILABLE : PRI_PRES_ALLOWED;

	return pres | ((int)n->screen & PRI_PRES_NUMBER_TYPE);
}

/* libpri wants char *; copy what the owner lent us. */
static void copy_field(char *dst, const char *src, size_t n)
{
	size_t len = strnlen(src, n - 1);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

static int send_setup(struct isdn_span *s, q931_call *qc, const struct isdn_setup *setup,
		      unsigned chan, bool exclusive)
{
	char called[sizeof(setup->called.digits)], calling[sizeof(setup->calling.digits)];
	char name[sizeof(setup->calling_name)], redir[sizeof(setup->redirecting.digits)];
	struct pri_sr *sr = pri_sr_new();
	int rc;

	if (!sr)
		return ENOMEM;
	copy_field(called, setup->called.digits, sizeof(called));
	copy_field(calling, setup->calling.digits, sizeof(calling));
	copy_field(name, setup->calling_name, sizeof(name));
	pri_sr_set_channel(sr, (int)chan, exclusive, 0);
	pri_sr_set_bearer(sr, PRI_TRANS_CAP_SPEECH,
			  s->cfg.type == HW_SPAN_T1 ? PRI_LAYER_1_ULAW : PRI_LAYER_1_ALAW);
	pri_sr_set_called(sr, called, plan_of(&setup->called), 1);
	pri_sr_set_caller(sr, calling[0] ? calling : NULL, name[0] ? name : NULL,
			  plan_of(&setup->calling), pres_of(&setup->calling));
	copy_field(redir, setup->redirecting.digits, sizeof(redir));
	if (redir[0])
		pri_sr_set_redirecting(sr, redir, plan_of(&setup->redirecting),
				       pres_of(&setup->redirecting), setup->redirect_reason);
	rc = pri_setup(s->pri, qc, sr);
	pri_sr_free(sr);
	return rc ? EIO : 0;
}

int isdn_call_place(struct isdn_span *s, const struct isdn_setup *setup, void *user,
		    struct isdn_call **cp)
{
	struct isdn_call *c = NULL;
	struct isdn_chan *ch;
	q931_call *qc;
	bool exclusive;
	int err = 0;

	ASSERT_MAIN();
	if (!s || !setup || !cp)
		return EINVAL;
	isdn_enter(s);
	if (!s->l1_up || !s->l2_up) {
		err = ENOTCONN;
		goto out;
	}
	if (setup->channel) {
		ch = isdn_chan_find(s, setup->channel);
		exclusive = setup->exclusive;
		if (!ch) {
			err = EINVAL;
			goto out;
		}
		if (ch->state != ISDN_CHAN_IDLE)
			ch = NULL;
	} else {
		ch = isdn_chan_hunt(s);
		exclusive = s->cfg.side == ISDN_SIDE_NETWORK;
	}
	if (!ch) {
		err = EBUSY;
		goto out;
	}
	qc = pri_new_call(s->pri);
	c = qc ? call_new(s, qc, true, user) : NULL;
	if (!c) {
		if (qc)
			pri_destroycall(s->pri, qc);
		err = ENOMEM;
		goto out;
	}
	chan_take(ch, c);
	err = send_setup(s, qc, setup, ch->number, exclusive);
	if (err) {
		/* Never reached the wire: the owner gets the error, not a release. */
		struct isdn_call **pp;

		chan_put(c);
		for (pp = &s->calls; *pp != c; pp = &(*pp)->next)
			;
		*pp = c->next;
		pri_destroycall(s->pri, qc);
		su_free(s->home, c);
		goto out;
	}
	log_debug("%s: calling %s on channel %u", s->name, setup->called.digits, c->chan);
	*cp = c;
 out:
	isdn_leave(s);
	return err;
}

/* The answer side's messages, for an incoming call. */
enum respond { RESPOND_PROCEEDING, RESPOND_ALERTING, RESPOND_PROGRESS, RESPOND_ANSWER };

static int respond(struct isdn_call *c, enum respond what, bool inband)
{
	struct isdn_span *s;
	int rc = 0, err = 0;

	ASSERT_MAIN();
	if (!c)
		return EINVAL;
	s = c->span;
	isdn_enter(s);
	if (c->outgoing) {
		err = EINVAL;
	} else if (c->clearing || !c->qc) {
		err = ENOTCONN;
	} else {
		switch (what) {
		case RESPOND_PROCEEDING:
			rc = pri_proceeding(s->pri, c->qc, (int)c->chan, 0);
			break;
		case RESPOND_ALERTING:
			rc = pri_acknowledge(s->pri, c->qc, (int)c->chan, inband);
			break;
		case RESPOND_PROGRESS:
			rc = pri_progress(s->pri, c->qc, (int)c->chan, inband);
			break;
		case RESPOND_ANSWER:
			rc = pri_answer(s->pri, c->qc, (int)c->chan, 0);
			break;
		}
		err = rc ? EIO : 0;
		if (!err)
			c->responded = true;
	}
	isdn_sweep(s);
	isdn_leave(s);
	return err;
}

int isdn_call_proceeding(struct isdn_call *c)
{
	return respond(c, RESPOND_PROCEEDING, false);
}

int isdn_call_alerting(struct isdn_call *c, bool inband)
{
	return respond(c, RESPOND_ALERTING, inband);
}

int isdn_call_progress(struct isdn_call *c, bool inband)
{
	return respond(c, RESPOND_PROGRESS, inband);
}

int isdn_call_answer(struct isdn_call *c)
{
	return respond(c, RESPOND_ANSWER, false);
}

int isdn_call_hangup(struct isdn_call *c, int cause)
{
	struct isdn_span *s;

	ASSERT_MAIN();
	if (!c)
		return EINVAL;
	s = c->span;
	isdn_enter(s);
	clear(c, cause);
	isdn_sweep(s);          /* refusing a SETUP ends the call at once */
	isdn_leave(s);
	return 0;
}

void *isdn_call_user(const struct isdn_call *c)
{
	return c ? c->user : NULL;
}

void isdn_call_set_user(struct isdn_call *c, void *user)
{
	if (c)
		c->user = user;
}

unsigned isdn_call_channel(const struct isdn_call *c)
{
	return c ? c->chan : 0;
}

bool isdn_call_outgoing(const struct isdn_call *c)
{
	return c && c->outgoing;
}
