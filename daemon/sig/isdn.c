/*
 * isdn.c -- one ISDN PRI span on libpri 1.6: the span's lifecycle, the
 * D-channel glue, timers, layer 1, libpri's events and the names used by the
 * config store.  Calls, channels and RESTART live in isdn_call.c.
 *
 * How frames flow: libpri (pri_new_cb) writes each Q.921 frame followed by
 * 2 FCS placeholder bytes, as DAHDI's HDLC driver would fill them; we hand
 * ev->dchan_tx the frame without them.  isdn_dchan_rx parks the received
 * frame and calls pri_check_event(), whose read callback returns it plus 2
 * dummy FCS bytes, which libpri strips.  Every event pri_check_event() or
 * pri_schedule_run() returns is handled before we return.
 *
 * Layer 1: libpri has no notion of it.  On loss we clear the calls (cause
 * 38), stop feeding libpri and drop what it sends, and hand it a DISC as if
 * the peer had sent one: that is the state libpri would reach by itself
 * after T203 + N200 x T200 (~13 s) of silence, only at once.  It then asks
 * for the link with SABME every T200, which gets through when layer 1 is
 * back; channels return to idle on DCHAN_UP.
 *
 * libpri has no destructor for a `struct pri` (pri_ctrl_destroy is static).
 * A destroyed span's controller is parked on a process-wide list, never run
 * again: a few KB per span re-creation (config changes), and it stays
 * reachable, so the leak checker is right not to report it.
 *
 * Callbacks: ev->released is held back until the outermost isdn_* entry
 * returns (isdn_leave), so a handle never dies under libpri's event or under
 * an owner callback still using it; isdn_call_hangup, isdn_restart and
 * isdn_layer1 may hand releases out just before they return.  The other
 * callbacks come straight from libpri's events.  Main thread only, all spans
 * (libpri's message hooks are global).
 */
#include "config.h"
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "isdn_int.h"
#include "tg.h"

#define LOG_MODULE "isdn"
#include "log.h"

/* ---- libpri's global hooks and parked controllers ---- */

struct isdn_parked {
	struct pri *pri;
	struct isdn_parked *next;
};

static struct isdn_parked *parked;      /* destroyed spans' controllers */
static pthread_mutex_t parked_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

static void pri_log(struct pri *pri, char *text, bool error)
{
	struct isdn_span *s = pri ? pri_get_userdata(pri) : NULL;
	size_t n = strlen(text);

	if (s && s->quiet)
		return;
	while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		n--;
	if (!n)
		return;
	/* Per message: libpri prints a line per decoded IE when tracing. */
	if (error)
		log_debug("%s: libpri error: %.*s", s ? s->name : "-", (int)n, text);
	else
		log_debug("%s: %.*s", s ? s->name : "-", (int)n, text);
}

static void pri_message_hook(struct pri *pri, char *text)
{
	pri_log(pri, text, false);
}

static void pri_error_hook(struct pri *pri, char *text)
{
	pri_log(pri, text, true);
}

static void hooks_init(void)
{
	pri_set_message(pri_message_hook);
	pri_set_error(pri_error_hook);
}

static void park(struct pri *pri)
{
	struct isdn_parked *p = malloc(sizeof(*p));

	if (!p)
		return;         /* cannot even park it: let it go (a true leak) */
	p->pri = pri;
	pthread_mutex_lock(&parked_lock);
	p->next = parked;
	parked = p;
	pthread_mutex_unlock(&parked_lock);
}

/* ---- D channel ---- */

static int pri_read_cb(struct pri *pri, void *buf, int buflen)
{
	struct isdn_span *s = pri_get_userdata(pri);
	size_t n;

	if (!s || !s->rx || buflen < 2)
		return 0;
	n = s->rx_len;
	if (n > (size_t)buflen - 2)
		n = (size_t)buflen - 2;
	memcpy(buf, s->rx, n);
	memset((uint8_t *)buf + n, 0, 2);       /* the FCS libpri expects and drops */
	s->rx = NULL;
	return (int)n + 2;
}

static int pri_write_cb(struct pri *pri, void *buf, int len)
{
	struct isdn_span *s = pri_get_userdata(pri);

	/* A dead line eats frames; say they went so libpri does not complain. */
	if (s && s->l1_up && len > 2)
		s->ev.dchan_tx(s->arg, buf, (size_t)len - 2);
	return len;
}

static void l2_up(struct isdn_span *s)
{
	if (s->l2_up)
		return;
	s->l2_up = true;
	isdn_chan_set_free(s, ISDN_CHAN_IDLE);
	log_info("%s: D channel up (%s, %s side)", s->name, isdn_switch_name(s->cfg.sw),
		 isdn_side_name(s->cfg.side));
	if (s->ev.link)
		s->ev.link(s->arg, true);
}

static void l2_down(struct isdn_span *s)
{
	if (!s->l2_up)
		return;
	s->l2_up = false;
	/* Calls keep their channels: libpri clears them itself (at once, or
	 * after T309 for answered calls, which survive a short outage). */
	s->restart_idx = s->nchan;
	isdn_chan_set_free(s, ISDN_CHAN_OUT_OF_SERVICE);
	log_info("%s: D channel down", s->name);
	if (s->ev.link)
		s->ev.link(s->arg, false);
}

static void handle_event(struct isdn_span *s, pri_event *e)
{
	switch (e->e) {
	case PRI_EVENT_DCHAN_UP:
		l2_up(s);
		break;
	case PRI_EVENT_DCHAN_DOWN:
		l2_down(s);
		break;
	case PRI_EVENT_RESTART:
		isdn_on_restart(s, e->restart.channel);
		break;
	case PRI_EVENT_RESTART_ACK:
		isdn_on_restart_ack(s, e->restartack.channel);
		break;
	case PRI_EVENT_RING:
		isdn_on_ring(s, &e->ring);
		break;
	case PRI_EVENT_PROCEEDING:
	case PRI_EVENT_PROGRESS:
		isdn_on_answer_side(s, e->e, e->proceeding.call, e->proceeding.channel,
				    e->proceeding.progressmask);
		break;
	case PRI_EVENT_RINGING:
		isdn_on_answer_side(s, e->e, e->ringing.call, e->ringing.channel,
				    e->ringing.progressmask);
		break;
	case PRI_EVENT_ANSWER:
		isdn_on_answer_side(s, e->e, e->answer.call, e->answer.channel,
				    e->answer.progressmask);
		break;
	case PRI_EVENT_SETUP_ACK:
		isdn_on_answer_side(s, e->e, e->setup_ack.call, e->setup_ack.channel,
				    e->setup_ack.progressmask);
		break;
	case PRI_EVENT_HANGUP:
	case PRI_EVENT_HANGUP_REQ:
	case PRI_EVENT_HANGUP_ACK:
		isdn_on_hangup(s, e->e, e->hangup.call, e->hangup.cause);
		break;
	case PRI_EVENT_CONFIG_ERR:
		log_warn("%s: libpri: %s", s->name, e->err.err);
		break;
	default:
		log_debug("%s: %s not used", s->name, pri_event2str(e->e));
		break;
	}
}

/* Hand one frame to libpri and handle what comes of it. */
static void feed(struct isdn_span *s, const uint8_t *frame, size_t len)
{
	pri_event *e;

	s->rx = frame;
	s->rx_len = len;
	e = pri_check_event(s->pri);
	s->rx = NULL;
	if (e)
		handle_event(s, e);
	isdn_sweep(s);
}

void isdn_dchan_rx(struct isdn_span *s, const uint8_t *frame, size_t len)
{
	ASSERT_MAIN();
	if (!s || !frame || !len || !s->l1_up)
		return;
	isdn_enter(s);
	feed(s, frame, len);
	isdn_leave(s);
}

/*
 * The probe behind isdn_sweep: libpri frees some calls without an event --
 * RELEASE COMPLETE answering our RELEASE, the one we send to refuse a SETUP,
 * and any clearing of an incoming call the owner has not answered yet
 * (libpri calls it "not alive" until PROCEEDING, ALERTING or CONNECT goes
 * out).  pri_get_crv() checks the pointer against libpri's call list and
 * touches nothing; its complaint about a stale pointer is silenced.  We probe
 * right after each libpri call, before anything can reuse the memory.
 * O(calls x calls) per step, fine for 30 channels.
 */
static bool pri_knows(struct isdn_span *s, q931_call *qc)
{
	bool known;

	s->quiet = true;
	known = pri_get_crv(s->pri, qc, NULL) >= 0;
	s->quiet = false;
	return known;
}

void isdn_sweep(struct isdn_span *s)
{
	struct isdn_call *c, *next;

	for (c = s->calls; c; c = next) {
		next = c->next;
		if (c->qc && !pri_knows(s, c->qc)) {
			/* No cause yet: libpri dropped a call nobody was
			 * clearing, and kept the reason to itself. */
			c->qc = NULL;
			isdn_call_release(c, c->cause ? c->cause : ISDN_CAUSE_NORMAL_CLEARING);
		}
	}
}

void isdn_enter(struct isdn_span *s)
{
	s->depth++;
}

void isdn_leave(struct isdn_span *s)
{
	struct isdn_call *c;

	if (s->depth > 1) {
		s->depth--;
		return;
	}
	/* depth stays 1 while handing out: the owner may call us back. */
	while ((c = s->released)) {
		s->released = c->next;
		if (s->ev.released)
			s->ev.released(s->arg, c, c->cause);
		su_free(s->home, c);
	}
	s->depth = 0;
}

/* ---- timers ---- */

long isdn_next_timer_ms(struct isdn_span *s)
{
	struct timeval *next, now;
	long long us;

	ASSERT_MAIN();
	if (!s)
		return -1;
	if (s->released)
		return 0;
	next = pri_schedule_next(s->pri);
	if (!next)
		return -1;
	gettimeofday(&now, NULL);
	us = (long long)(next->tv_sec - now.tv_sec) * 1000000 + (next->tv_usec - now.tv_usec);
	if (us <= 0)
		return 0;
	return (long)((us + 999) / 1000);       /* never wake before it is due */
}

void isdn_run_timers(struct isdn_span *s)
{
	pri_event *e;
	unsigned n;

	ASSERT_MAIN();
	if (!s)
		return;
	isdn_enter(s);
	/* pri_schedule_run stops at each timer that makes an event; a bound
	 * guards against a timer that keeps rescheduling itself at 0 ms. */
	for (n = 0; n < 1000; n++) {
		e = pri_schedule_run(s->pri);
		if (!e)
			break;
		handle_event(s, e);
		isdn_sweep(s);
	}
	isdn_sweep(s);
	isdn_leave(s);
}

/* ---- layer 1 ---- */

/* A DISC command from the peer, as libpri reads it: SAPI 0, TEI 0. */
static void fake_disc(struct isdn_span *s)
{
	uint8_t disc[3];

	/* C/R: a command from the user side has C/R 0, from the network 1. */
	disc[0] = (uint8_t)((s->cfg.side == ISDN_SIDE_NETWORK ? 0 : 1) << 1);
	disc[1] = 0x01;                 /* TEI 0, EA */
	disc[2] = 0x53;                 /* DISC, P=1 */
	feed(s, disc, sizeof(disc));
}

void isdn_layer1(struct isdn_span *s, bool up)
{
	struct isdn_call *c, *next;
	unsigned n = 0;

	ASSERT_MAIN();
	if (!s || up == s->l1_up)
		return;
	isdn_enter(s);
	if (up) {
		s->l1_up = true;
		log_info("%s: layer 1 up, waiting for the D channel", s->name);
		goto out;
	}
	s->l1_up = false;
	for (c = s->calls; c; c = next) {
		next = c->next;
		isdn_call_drop(c, ISDN_CAUSE_NETWORK_OUT_OF_ORDER);
		n++;
	}
	s->restart_idx = s->nchan;
	log_info("%s: layer 1 down, %u call(s) cleared", s->name, n);
	fake_disc(s);
	l2_down(s);             /* in case libpri's link was not up (no DCHAN_DOWN) */
	isdn_chan_set_free(s, ISDN_CHAN_OUT_OF_SERVICE);
 out:
	isdn_leave(s);
}

/* ---- span ---- */

static int pri_switch_of(const struct isdn_span_cfg *cfg)
{
	switch (cfg->sw) {
	case ISDN_SWITCH_NI2:
		return PRI_SWITCH_NI2;
	case ISDN_SWITCH_5ESS:
		return PRI_SWITCH_LUCENT5E;
	case ISDN_SWITCH_DMS100:
		return PRI_SWITCH_DMS100;
	case ISDN_SWITCH_EUROISDN:
		return cfg->type == HW_SPAN_T1 ? PRI_SWITCH_EUROISDN_T1 : PRI_SWITCH_EUROISDN_E1;
	case ISDN_SWITCH_QSIG:
		return PRI_SWITCH_QSIG;
	}
	return -1;
}

static void span_destructor(void *arg)
{
	struct isdn_span *s = arg;

	if (!s->pri)
		return;
	isdn_call_free_all(s);
	pri_set_userdata(s->pri, NULL);
	park(s->pri);
}

int isdn_span_create(struct isdn_span **sp, const struct isdn_span_cfg *cfg,
		     const struct isdn_events *ev, void *arg)
{
	struct isdn_span *s;
	int sw, err = 0;

	ASSERT_MAIN();
	if (!sp || !cfg || !ev || !ev->dchan_tx)
		return EINVAL;
	if ((cfg->type != HW_SPAN_T1 && cfg->type != HW_SPAN_E1)
	    || (cfg->side != ISDN_SIDE_NETWORK && cfg->side != ISDN_SIDE_USER)
	    || !isdn_hunting_name(cfg->hunting) || (sw = pri_switch_of(cfg)) < 0)
		return EINVAL;
	pthread_once(&hooks_once, hooks_init);

	s = su_home_new(sizeof(*s));
	if (!s)
		return ENOMEM;
	su_home_destructor(s->home, span_destructor);
	s->name = su_strdup(s->home, cfg->name ? cfg->name : "isdn");
	if (!s->name) {
		err = ENOMEM;
		goto out;
	}
	s->cfg = *cfg;
	s->cfg.name = s->name;
	s->ev = *ev;
	s->arg = arg;
	s->l1_up = true;        /* the owner reports alarms; a new span assumes none */
	isdn_chan_init(s);
	s->restart_idx = s->nchan;

	/* libpri sends its first SABME from inside pri_new_cb. */
	isdn_enter(s);
	s->pri = pri_new_cb(-1, cfg->side == ISDN_SIDE_NETWORK ? PRI_NETWORK : PRI_CPE, sw,
			    pri_read_cb, pri_write_cb, s);
	isdn_leave(s);
	if (!s->pri) {
		err = ENOMEM;
		goto out;
	}
	/* Q.931 5.3.2 a): causes 1, 34, 44, 82 go in RELEASE COMPLETE only
	 * before any other message; libpri's legacy mode would use it always. */
	pri_hangup_fix_enable(s->pri, 1);
	/* Calling name as a facility (NI2, Q.SIG); the others use Display. */
	pri_facility_enable(s->pri);
	if (cfg->debug)
		pri_set_debug(s->pri, PRI_DEBUG_Q931_DUMP | PRI_DEBUG_Q921_STATE);
	log_info("%s: %s %s, %s side, %u B channels", s->name, cfg->type == HW_SPAN_T1 ? "T1" : "E1",
		 isdn_switch_name(cfg->sw), isdn_side_name(cfg->side), s->nchan);
 out:
	if (err)
		su_home_unref(s->home);
	else
		*sp = s;
	return err;
}

void isdn_span_destroy(struct isdn_span *s)
{
	ASSERT_MAIN();
	if (s)
		su_home_unref(s->home);
}

/* ---- state for status ---- */

bool isdn_link_up(const struct isdn_span *s)
{
	return s && s->l2_up;
}

unsigned isdn_channel_count(const struct isdn_span *s)
{
	return s ? s->nchan : 0;
}

unsigned isdn_channel_number(const struct isdn_span *s, unsigned i)
{
	return s && i < s->nchan ? s->chan[i].number : 0;
}

enum isdn_channel_state isdn_channel_state(const struct isdn_span *s, unsigned channel)
{
	const struct isdn_chan *ch = s ? isdn_chan_find((struct isdn_span *)s, channel) : NULL;

	return ch ? ch->state : ISDN_CHAN_OUT_OF_SERVICE;
}

unsigned isdn_active_calls(const struct isdn_span *s)
{
	const struct isdn_call *c;
	unsigned n = 0;

	for (c = s ? s->calls : NULL; c; c = c->next)
		n++;
	return n;
}

/* ---- names ---- */

static const char *const switch_names[] = {
	[ISDN_SWITCH_NI2] = "ni2",
	[ISDN_SWITCH_5ESS] = "5ess",
	[ISDN_SWITCH_DMS100] = "dms100",
	[ISDN_SWITCH_EUROISDN] = "euroisdn",
	[ISDN_SWITCH_QSIG] = "qsig",
};
static const char *const side_names[] = {
	[ISDN_SIDE_NETWORK] = "network",
	[ISDN_SIDE_USER] = "user",
};
static const char *const hunting_names[] = {
	[ISDN_HUNT_ASCENDING] = "ascending",
	[ISDN_HUNT_DESCENDING] = "descending",
	[ISDN_HUNT_ROUND_ROBIN] = "round-robin",
};
static const char *const state_names[] = {
	[ISDN_CHAN_IDLE] = "idle",
	[ISDN_CHAN_BUSY] = "busy",
	[ISDN_CHAN_RESTARTING] = "restarting",
	[ISDN_CHAN_OUT_OF_SERVICE] = "out-of-service",
};

static const char *name_of(const char *const *names, size_t n, unsigned v)
{
	return v < n ? names[v] : NULL;
}

/* Exact names only: they are what the config store keeps. */
static bool parse(const char *const *names, size_t n, const char *s, unsigned *vp)
{
	for (size_t i = 0; s && i < n; i++) {
		if (names[i] && strcmp(names[i], s) == 0) {
			*vp = (unsigned)i;
			return true;
		}
	}
	return false;
}

const char *isdn_switch_name(enum isdn_switch sw)
{
	return name_of(switch_names, TG_ARRAY_SIZE(switch_names), sw);
}

bool isdn_switch_parse(const char *s, enum isdn_switch *swp)
{
	unsigned v;

	if (!parse(switch_names, TG_ARRAY_SIZE(switch_names), s, &v))
		return false;
	*swp = (enum isdn_switch)v;
	return true;
}

const char *isdn_side_name(enum isdn_side side)
{
	return name_of(side_names, TG_ARRAY_SIZE(side_names), side);
}

bool isdn_side_parse(const char *s, enum isdn_side *sidep)
{
	unsigned v;

	if (!parse(side_names, TG_ARRAY_SIZE(side_names), s, &v))
		return false;
	*sidep = (enum isdn_side)v;
	return true;
}

const char *isdn_hunting_name(enum isdn_hunting h)
{
	return name_of(hunting_names, TG_ARRAY_SIZE(hunting_names), h);
}

bool isdn_hunting_parse(const char *s, enum isdn_hunting *hp)
{
	unsigned v;

	if (!parse(hunting_names, TG_ARRAY_SIZE(hunting_names), s, &v))
		return false;
	*hp = (enum isdn_hunting)v;
	return true;
}

const char *isdn_channel_state_name(enum isdn_channel_state st)
{
	return name_of(state_names, TG_ARRAY_SIZE(state_names), st);
}
