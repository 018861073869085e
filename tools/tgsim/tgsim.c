/*
 * tgsim.c -- a simulated carrier switch or PBX: attaches to trunkgated's sim
 * spans (or owns spans another program attaches to) with the same hw/sim and
 * ISDN code as the daemon, and runs a script of commands (script.h) read
 * from a file or stdin.  Everything that happens is printed as one JSON
 * object a line on stdout, for tests to parse; a failed `expect` prints
 * {"event":"expect-failed",...} and exits 1.
 *
 *   tgsim [-f SCRIPT] [--stay] [--debug]
 *
 * One thread runs a sofia-sip su_root (as trunkgated's main thread does); the
 * hw/sim I/O thread posts D-channel frames and alarms to it through mainq,
 * and plays and listens to the B channels itself (audio.c).
 */
#include "config.h"
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>
#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>

#define LOG_MODULE "tgsim"
#include "log.h"
#include "audio.h"
#include "hw.h"
#include "isdn.h"
#include "mainq.h"
#include "script.h"
#include "sim.h"
#include "tg.h"

#define MAX_SPANS TGSIM_AUDIO_SPANS
#define LINK_SETTLE_MS 300

struct sspan {
	char name[33];
	unsigned long long instance;
	struct hw_span *hw;
	struct isdn_span *isdn;
	su_timer_t *timer;
	unsigned alarms;
	bool link_up;
	unsigned long long link_up_at;  /* monotonic ms */
	enum tgsim_auto auto_mode;
	int auto_cause;
	bool relay;
};

struct scall {
	struct scall *next;
	unsigned id;
	char label[33];
	struct sspan *span;
	struct isdn_call *ic;           /* NULL once released */
	bool outgoing, proceeding, alerting, answered, released, claimed, load;
	int cause;
	char from[33], to[33];
	unsigned channel;
	su_timer_t *hold;
};

static struct {
	su_root_t *root;
	struct sspan spans[MAX_SPANS];
	unsigned nspans;
	struct scall *calls;
	unsigned next_call_id;
	struct tgsim_cmd *cmds;
	size_t ncmds, pc;
	bool waiting;                   /* cmds[pc] is blocking */
	su_timer_t *wait_timer;
	su_timer_t *kick_timer;         /* runs the script after the current event */
	su_timer_t *load_timer;
	struct { unsigned placed, answered, failed, ended, active; double hold, tone; } load;
	unsigned long long t0;
	int exit_code;
	bool stay;
	bool debug;
	unsigned long long next_instance;
	size_t listen_pc;               /* expect tone: listening started for cmds[listen_pc - 1] */
} g;

static void run_script(void);
static void kick(void);
static void on_kick(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg);

/* ---- output ---- */

static void emit(const char *event, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void emit(const char *event, const char *fmt, ...)
{
	char rest[768] = "";
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(rest, sizeof(rest), fmt, ap);
		va_end(ap);
	}
	printf("{\"t\":%.3f,\"event\":\"%s\"%s%s}\n", (double)(tg_now_ms() - g.t0) / 1000.0, event,
	       rest[0] ? "," : "", rest);
	fflush(stdout);
}

static void finish(int code)
{
	g.exit_code = code;
	su_root_break(g.root);
}

/* ---- spans ---- */

static struct sspan *span_by_name(const char *name)
{
	for (unsigned i = 0; i < g.nspans; i++)
		if (!strcmp(g.spans[i].name, name))
			return &g.spans[i];
	return NULL;
}

static struct sspan *span_by_instance(unsigned long long inst)
{
	for (unsigned i = 0; i < g.nspans; i++)
		if (g.spans[i].instance == inst)
			return &g.spans[i];
	return NULL;
}

static void rearm(struct sspan *s);

static void on_span_timer(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	struct sspan *s = (struct sspan *)arg;

	isdn_run_timers(s->isdn);
	rearm(s);
}

static void rearm(struct sspan *s)
{
	long ms = isdn_next_timer_ms(s->isdn);

	su_timer_reset(s->timer);
	if (ms >= 0)
		su_timer_set_interval(s->timer, on_span_timer, (su_timer_arg_t *)s,
				      (su_duration_t)(ms > 0 ? ms : 1));
}

static void hw_alarm(void *arg, unsigned alarms, unsigned old)
{
	mainq_post(&(struct mainq_msg){ .type = MAINQ_SPAN_ALARM,
		.u.alarm = { (unsigned long long)(uintptr_t)arg, alarms, old } });
}

static void hw_dchan(void *arg, const uint8_t *frame, size_t len)
{
	struct mainq_msg m = { .type = MAINQ_SPAN_DCHAN };

	if (len > sizeof(m.u.dchan.data))
		return;
	m.u.dchan.instance = (unsigned long long)(uintptr_t)arg;
	m.u.dchan.len = (uint16_t)len;
	memcpy(m.u.dchan.data, frame, len);
	mainq_post(&m);
}

static void hw_relay(void *arg, bool engaged)
{
	/* relay changes are rare: report through the alarm path's message */
	mainq_post(&(struct mainq_msg){ .type = MAINQ_SPAN_ALARM,
		.u.alarm = { (unsigned long long)(uintptr_t)arg, engaged ? ~0u : ~1u, 0 } });
}

static const struct hw_span_events hw_ev = { .alarm = hw_alarm, .dchan = hw_dchan, .relay = hw_relay,
					     .audio = tgsim_audio_period };

/* ---- calls ---- */

static struct scall *call_new(struct sspan *s, struct isdn_call *ic, bool outgoing)
{
	struct scall *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->id = ++g.next_call_id;
	snprintf(c->label, sizeof(c->label), "c%u", c->id);
	c->span = s;
	c->ic = ic;
	c->outgoing = outgoing;
	c->cause = -1;
	c->next = g.calls;
	g.calls = c;
	return c;
}

/* The call a command names: by label, else the newest call still up. */
static struct scall *call_find(const char *label)
{
	for (struct scall *c = g.calls; c; c = c->next) {
		if (label[0] ? !strcmp(c->label, label) : !c->released)
			return c;
	}
	return NULL;
}

static void load_done_check(void);

static void on_hold_over(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	struct scall *c = (struct scall *)arg;

	if (c->ic) {
		isdn_call_hangup(c->ic, ISDN_CAUSE_NORMAL_CLEARING);
		rearm(c->span);
	}
}

static void ev_dchan_tx(void *arg, const uint8_t *frame, size_t len)
{
	struct sspan *s = arg;

	hw_dchan_send(s->hw, frame, len);
}

static void ev_link(void *arg, bool up)
{
	struct sspan *s = arg;

	s->link_up = up;
	s->link_up_at = tg_now_ms();
	emit("link", "\"span\":\"%s\",\"up\":%s", s->name, up ? "true" : "false");
	kick();
}

static void ev_incoming(void *arg, struct isdn_call *ic, const struct isdn_setup *su)
{
	struct sspan *s = arg;
	struct scall *c = call_new(s, ic, false);

	if (!c) {
		isdn_call_hangup(ic, ISDN_CAUSE_TEMPORARY_FAILURE);
		return;
	}
	isdn_call_set_user(ic, c);
	tg_strlcpy(c->from, su->calling.digits, sizeof(c->from));
	tg_strlcpy(c->to, su->called.digits, sizeof(c->to));
	c->channel = isdn_call_channel(ic);
	tgsim_audio_start(s->instance, c->channel);
	emit("call-in", "\"span\":\"%s\",\"call\":\"%s\",\"from\":\"%s\",\"to\":\"%s\",\"channel\":%u,"
	     "\"ton\":%d,\"npi\":%d,\"pres\":%d,\"name\":\"%s\",\"calling_ton\":%d,"
	     "\"redirecting\":\"%s\",\"reason\":%d", s->name, c->label, c->from, c->to,
	     c->channel, su->called.ton, su->called.npi, su->calling.pres, su->calling_name,
	     su->calling.ton, su->redirecting.digits, su->redirect_reason);
	if (s->auto_mode == AUTO_ANSWER) {
		isdn_call_proceeding(ic);
		isdn_call_alerting(ic, false);
		isdn_call_answer(ic);
		c->answered = true;
	} else if (s->auto_mode == AUTO_REJECT) {
		isdn_call_hangup(ic, s->auto_cause);
	}
	rearm(s);
	kick();
}

static void ev_state(void *arg, struct isdn_call *ic, const char *what)
{
	struct scall *c = isdn_call_user(ic);

	if (!c)
		return;
	if (!strcmp(what, "proceeding"))
		c->proceeding = true;
	else if (!strcmp(what, "alerting"))
		c->alerting = true;
	else if (!strcmp(what, "answered"))
		c->answered = true;
	emit(what, "\"span\":\"%s\",\"call\":\"%s\",\"channel\":%u", c->span->name, c->label,
	     isdn_call_channel(ic));
	if (!strcmp(what, "answered") && c->load) {
		g.load.answered++;
		if (g.load.tone > 0)    /* something to hear on the far side, and to measure */
			tgsim_audio_tone(c->span->instance, isdn_call_channel(ic), g.load.tone);
		c->hold = su_timer_create(su_root_task(g.root), 1000);
		if (c->hold)
			su_timer_set_interval(c->hold, on_hold_over, (su_timer_arg_t *)c,
					      (su_duration_t)(g.load.hold * 1000));
	}
	kick();
}

static void ev_proceeding(void *arg, struct isdn_call *ic) { ev_state(arg, ic, "proceeding"); }
static void ev_alerting(void *arg, struct isdn_call *ic, bool inband) { ev_state(arg, ic, "alerting"); }
static void ev_progress(void *arg, struct isdn_call *ic, bool inband) { ev_state(arg, ic, "progress"); }
static void ev_answered(void *arg, struct isdn_call *ic) { ev_state(arg, ic, "answered"); }

static void ev_released(void *arg, struct isdn_call *ic, int cause)
{
	struct scall *c = isdn_call_user(ic);

	if (!c)
		return;
	c->released = true;
	c->cause = cause;
	c->ic = NULL;
	tgsim_audio_reset(c->span->instance, c->channel);
	su_timer_destroy(c->hold);
	c->hold = NULL;
	emit("released", "\"span\":\"%s\",\"call\":\"%s\",\"cause\":%d", c->span->name, c->label, cause);
	if (c->load) {
		g.load.ended++;
		g.load.active--;
		if (!c->answered)
			g.load.failed++;
		load_done_check();
	}
	kick();
}

static void ev_restarted(void *arg, unsigned channel)
{
	struct sspan *s = arg;

	emit("restart", "\"span\":\"%s\",\"channel\":%u", s->name, channel);
}

static const struct isdn_events isdn_ev = {
	.dchan_tx = ev_dchan_tx, .link = ev_link, .incoming = ev_incoming,
	.proceeding = ev_proceeding, .alerting = ev_alerting, .progress = ev_progress,
	.answered = ev_answered, .released = ev_released, .restarted = ev_restarted,
};

static int span_add(const struct tgsim_cmd *c, char *err, size_t errlen)
{
	struct isdn_span_cfg ic = { 0 };
	struct hw_span_cfg hc = { 0 };
	struct sspan *s;
	int rc;

	if (g.nspans == MAX_SPANS || span_by_name(c->span)) {
		snprintf(err, errlen, "span %s: too many spans or name used twice", c->span);
		return EINVAL;
	}
	s = &g.spans[g.nspans];
	memset(s, 0, sizeof(*s));
	tg_strlcpy(s->name, c->span, sizeof(s->name));
	s->instance = ++g.next_instance;
	hc.name = s->name;
	hc.type = strcmp(c->type, "T1") ? HW_SPAN_E1 : HW_SPAN_T1;
	hc.framing = hc.type == HW_SPAN_T1 ? HW_FRAMING_ESF : HW_FRAMING_CCS;
	hc.line_code = hc.type == HW_SPAN_T1 ? HW_LINE_B8ZS : HW_LINE_HDB3;
	hc.crc4 = hc.type == HW_SPAN_E1;
	hc.clock = HW_CLOCK_INTERNAL;               /* the carrier provides the clock */
	hc.signalling = HW_SIG_PRI;
	hc.frame_ms = HW_FRAME_MS_DEFAULT;
	hc.device = c->path;
	hc.attach = !c->listen;
	ic.name = s->name;
	ic.type = hc.type;
	ic.debug = g.debug;
	if (!isdn_switch_parse(c->sw, &ic.sw) || !isdn_side_parse(c->side, &ic.side) ||
	    !isdn_hunting_parse(c->hunting, &ic.hunting)) {
		snprintf(err, errlen, "span %s: bad switch, side or hunting", c->span);
		return EINVAL;
	}
	rc = isdn_span_create(&s->isdn, &ic, &isdn_ev, s);
	if (rc) {
		snprintf(err, errlen, "span %s: ISDN: %s", c->span, strerror(rc));
		return rc;
	}
	s->timer = su_timer_create(su_root_task(g.root), 1000);
	tgsim_audio_span(s->instance, hc.type == HW_SPAN_T1);
	rc = hw_span_open(&hw_sim_driver, &s->hw, &hc, &hw_ev, (void *)(uintptr_t)s->instance);
	if (rc) {
		snprintf(err, errlen, "span %s: %s: %s", c->span, c->path, strerror(rc));
		isdn_span_destroy(s->isdn);
		su_timer_destroy(s->timer);
		return rc;
	}
	g.nspans++;
	s->alarms = hw_span_alarms(s->hw);
	isdn_layer1(s->isdn, !(s->alarms & (HW_ALARM_LOS | HW_ALARM_RED | HW_ALARM_BLUE)));
	rearm(s);
	emit("span", "\"span\":\"%s\",\"path\":\"%s\",\"type\":\"%s\",\"switch\":\"%s\",\"side\":\"%s\"",
	     s->name, c->path, c->type, c->sw, c->side);
	return 0;
}

/* ---- mainq: frames and alarms from the hw thread ---- */

static void on_mainq(const struct mainq_msg *msg, void *arg)
{
	struct sspan *s;
	char names[64];

	switch (msg->type) {
	case MAINQ_SPAN_DCHAN:
		s = span_by_instance(msg->u.dchan.instance);
		if (s) {
			isdn_dchan_rx(s->isdn, msg->u.dchan.data, msg->u.dchan.len);
			rearm(s);
		}
		break;
	case MAINQ_SPAN_ALARM:
		s = span_by_instance(msg->u.alarm.instance);
		if (!s)
			break;
		if (msg->u.alarm.alarms == ~0u || msg->u.alarm.alarms == ~1u) {
			s->relay = msg->u.alarm.alarms == ~0u;
			emit("relay", "\"span\":\"%s\",\"engaged\":%s", s->name, s->relay ? "true" : "false");
			break;
		}
		{
			bool was = !(s->alarms & (HW_ALARM_LOS | HW_ALARM_RED | HW_ALARM_BLUE));
			bool now = !(msg->u.alarm.alarms & (HW_ALARM_LOS | HW_ALARM_RED | HW_ALARM_BLUE));

			s->alarms = msg->u.alarm.alarms;
			emit("alarm", "\"span\":\"%s\",\"alarms\":\"%s\"", s->name,
			     hw_alarm_names(s->alarms, names, sizeof(names)));
			if (was != now) {
				isdn_layer1(s->isdn, now);
				rearm(s);
			}
		}
		run_script();
		break;
	default:
		break;
	}
}

/* ---- the script ---- */

/* Events arrive from inside libpri's processing of a frame or timer; acting
 * on them there (placing a call from the DCHAN_UP event, say) re-enters
 * libpri in the middle of its own work -- seen to lose a SETUP sent at
 * layer 2 re-establishment.  So the script runs on the next loop turn. */
static void on_kick(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	run_script();
}

static void kick(void)
{
	su_timer_set_interval(g.kick_timer, on_kick, NULL, 0);
}

static void on_wait_timeout(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	const struct tgsim_cmd *c = &g.cmds[g.pc];

	if (c->op == OP_SLEEP) {
		g.waiting = false;
		g.pc++;
		run_script();
		return;
	}
	emit("expect-failed", "\"line\":%u,\"within\":%.3f", c->line, c->within);
	finish(1);
}

/* The live call a play/send/expect names (default: the newest), with its B
 * channel now (a user side learns it from the network's answer). */
static struct scall *audio_call(const struct tgsim_cmd *c, unsigned *ch)
{
	struct scall *call = call_find(c->label);

	if (!call && !c->label[0])
		call = g.calls;
	if (!call || !call->ic)
		return NULL;
	*ch = isdn_call_channel(call->ic) ? isdn_call_channel(call->ic) : call->channel;
	if (*ch != call->channel) {
		call->channel = *ch;
		tgsim_audio_start(call->span->instance, *ch);
	}
	return call;
}

/* expect tone / expect dtmf: audio is no event, so poll every period. */
static bool audio_met(const struct tgsim_cmd *c)
{
	struct scall *call;
	unsigned ch = 0;
	char got[80];
	struct tgsim_heard h;
	int heard;

	call = audio_call(c, &ch);
	if (!call) {
		emit("expect-failed", "\"line\":%u,\"message\":\"no live call %s\"", c->line, c->label);
		finish(1);
		return false;
	}
	if (c->op == OP_EXPECT_TONE) {
		if (g.listen_pc != g.pc + 1) {
			g.listen_pc = g.pc + 1;
			tgsim_audio_listen(call->span->instance, ch, c->freq, c->continuous_s);
		}
		heard = tgsim_audio_heard(call->span->instance, ch, &h);
		if (heard) {
			tgsim_audio_listen(call->span->instance, ch, 0, 0);
			g.listen_pc = 0;
		}
		if (heard < 0) {
			emit("expect-failed", "\"line\":%u,\"call\":\"%s\",\"tone\":%.1f,"
			     "\"message\":\"a gap longer than one frame\",\"gap_at\":%.3f",
			     c->line, call->label, c->freq, h.gap_at);
			finish(1);
			return false;
		}
		if (heard > 0 && c->continuous_s > 0) {
			emit("expect-ok", "\"line\":%u,\"call\":\"%s\",\"tone\":%.1f,\"dbfs\":%.1f,"
			     "\"continuous\":%.3f,\"max_gap_ms\":%.0f", c->line, call->label, c->freq,
			     h.dbfs, h.checked_s, h.max_gap_ms);
			return true;
		}
		if (heard > 0) {
			emit("expect-ok", "\"line\":%u,\"call\":\"%s\",\"tone\":%.1f,\"dbfs\":%.1f",
			     c->line, call->label, c->freq, h.dbfs);
			return true;
		}
	} else if (tgsim_audio_digits(call->span->instance, ch, c->dtmf, got, sizeof(got))) {
		/* before: digits that came ahead of the match (taken with it) */
		emit("expect-ok", "\"line\":%u,\"call\":\"%s\",\"dtmf\":\"%s\",\"before\":\"%.*s\"",
		     c->line, call->label, c->dtmf, (int)(strstr(got, c->dtmf) - got), got);
		return true;
	}
	su_timer_set_interval(g.kick_timer, on_kick, NULL, 20);
	return false;
}

/* Is the expectation cmds[pc] met now?  Marks what it consumed. */
static bool expectation_met(const struct tgsim_cmd *c)
{
	struct scall *call;
	struct sspan *s;

	switch (c->op) {
	case OP_EXPECT_CALL:
		/* the oldest unclaimed incoming call that fits */
		for (struct scall *x = g.calls, *best = NULL;; x = x->next) {
			if (!x) {
				if (!best)
					return false;
				best->claimed = true;
				if (c->label[0])
					tg_strlcpy(best->label, c->label, sizeof(best->label));
				emit("expect-ok", "\"line\":%u,\"call\":\"%s\"", c->line, best->label);
				return true;
			}
			if (x->outgoing || x->claimed || (c->to[0] && strcmp(c->to, x->to)) ||
			    (c->from[0] && strcmp(c->from, x->from)) ||
			    (c->span[0] && strcmp(c->span, x->span->name)))
				continue;
			best = x;       /* the list is newest first: keep going to the oldest */
		}
	case OP_EXPECT_ANSWER:
	case OP_EXPECT_ALERTING:
	case OP_EXPECT_PROCEEDING:
		call = call_find(c->label);
		if (!call && !c->label[0])
			call = g.calls;         /* newest, even if already released */
		if (!call)
			return false;
		if (c->op == OP_EXPECT_ANSWER ? call->answered :
		    c->op == OP_EXPECT_ALERTING ? call->alerting : call->proceeding) {
			emit("expect-ok", "\"line\":%u,\"call\":\"%s\"", c->line, call->label);
			return true;
		}
		if (call->released) {
			emit("expect-failed", "\"line\":%u,\"call\":\"%s\",\"released\":%d", c->line,
			     call->label, call->cause);
			finish(1);
		}
		return false;
	case OP_EXPECT_RELEASE:
		call = NULL;
		for (struct scall *x = g.calls; x; x = x->next)
			if (c->label[0] ? !strcmp(x->label, c->label) : !x->load) {
				call = x;
				break;
			}
		if (!call || !call->released)
			return false;
		if (c->cause >= 0 && call->cause != c->cause) {
			emit("expect-failed", "\"line\":%u,\"call\":\"%s\",\"cause\":%d,\"wanted\":%d",
			     c->line, call->label, call->cause, c->cause);
			finish(1);
			return false;
		}
		emit("expect-ok", "\"line\":%u,\"call\":\"%s\",\"cause\":%d", c->line, call->label,
		     call->cause);
		return true;
	case OP_EXPECT_LINK:
		s = span_by_name(c->span);
		if (!s || s->link_up != c->up)
			return false;
		/* "Up" means up and settled: when both ends re-establish layer 2
		 * at once (a cable plugged back), a SABME collision resets the
		 * link once more right after the first UA, and Q.921 drops the
		 * I-frames queued then -- a SETUP sent at that moment is lost.
		 * A real switch waits too; 300 ms covers the collision. */
		if (c->up && tg_now_ms() - s->link_up_at < LINK_SETTLE_MS) {
			su_timer_set_interval(g.kick_timer, on_kick, NULL,
					      (su_duration_t)(LINK_SETTLE_MS - (tg_now_ms() - s->link_up_at)));
			return false;
		}
		emit("expect-ok", "\"line\":%u", c->line);
		return true;
	case OP_EXPECT_TONE:
	case OP_EXPECT_DTMF:
		return audio_met(c);
	case OP_EXPECT_ALARM:
		s = span_by_name(c->span);
		if (!s || (c->alarms ? (s->alarms & c->alarms) != c->alarms : s->alarms != 0))
			return false;
		emit("expect-ok", "\"line\":%u", c->line);
		return true;
	default:
		return true;
	}
}

static void load_done_check(void)
{
	const struct tgsim_cmd *c = &g.cmds[g.pc];

	if (!g.waiting || c->op != OP_LOAD || !c->count || g.load.placed < c->count || g.load.active)
		return;
	su_timer_reset(g.load_timer);
	emit("load-done", "\"placed\":%u,\"answered\":%u,\"failed\":%u", g.load.placed,
	     g.load.answered, g.load.failed);
	g.waiting = false;
	g.pc++;
	run_script();
}

static void on_load_tick(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	const struct tgsim_cmd *c = &g.cmds[g.pc];
	struct sspan *s = span_by_name(c->span);
	struct isdn_setup su = { .exclusive = true };
	struct isdn_call *ic = NULL;
	struct scall *call;
	int rc;

	if (!s || (c->count && g.load.placed >= c->count))
		return;
	g.load.placed++;
	tg_strlcpy(su.called.digits, c->to, sizeof(su.called.digits));
	tg_strlcpy(su.calling.digits, c->from, sizeof(su.calling.digits));
	call = call_new(s, NULL, true);
	if (!call)
		return;
	call->load = true;
	rc = isdn_call_place(s->isdn, &su, call, &ic);
	if (rc) {
		g.load.failed++;
		g.load.ended++;
		call->released = true;
		call->cause = rc == EBUSY ? ISDN_CAUSE_NO_CIRCUIT : ISDN_CAUSE_NETWORK_OUT_OF_ORDER;
		emit("released", "\"span\":\"%s\",\"call\":\"%s\",\"cause\":%d", s->name,
		     call->label, call->cause);
		load_done_check();
		return;
	}
	g.load.active++;
	call->ic = ic;
	call->channel = isdn_call_channel(ic);
	rearm(s);
}

/* Drop finished calls now and then, so a long load run stays small. */
static void reap_calls(void)
{
	unsigned kept = 0;

	for (struct scall **pp = &g.calls, *c; (c = *pp);) {
		if (c->released && ++kept > 64) {
			*pp = c->next;
			free(c);
		} else {
			pp = &c->next;
		}
	}
}

/* One command that does not wait; false if it failed (the script stops). */
static bool do_command(const struct tgsim_cmd *c)
{
	struct scall *call;
	struct sspan *s = c->span[0] ? span_by_name(c->span) : NULL;
	char err[300];
	int rc = 0;

	if (c->span[0] && !s && c->op != OP_SPAN && c->op != OP_EXPECT_CALL) {
		emit("error", "\"line\":%u,\"message\":\"no span %s\"", c->line, c->span);
		return false;
	}
	switch (c->op) {
	case OP_SPAN:
		if ((rc = span_add(c, err, sizeof(err)))) {
			emit("error", "\"line\":%u,\"message\":\"%s\"", c->line, err);
			return false;
		}
		return true;
	case OP_CALL: {
		struct isdn_setup su = { .channel = c->channel, .exclusive = true };
		struct isdn_call *ic = NULL;

		tg_strlcpy(su.called.digits, c->to, sizeof(su.called.digits));
		tg_strlcpy(su.calling.digits, c->from, sizeof(su.calling.digits));
		su.called.ton = ISDN_TON_NATIONAL;
		su.called.npi = ISDN_NPI_E164;
		su.calling.ton = ISDN_TON_NATIONAL;
		su.calling.npi = ISDN_NPI_E164;
		if (c->ton >= 0)
			su.called.ton = su.calling.ton = (enum isdn_ton)c->ton;
		if (c->redirecting[0]) {
			tg_strlcpy(su.redirecting.digits, c->redirecting, sizeof(su.redirecting.digits));
			su.redirecting.ton = su.calling.ton;
			su.redirecting.npi = ISDN_NPI_E164;
			su.redirect_reason = (int)c->reason;
		}
		call = call_new(s, NULL, true);
		if (!call)
			return false;
		if (c->label[0])
			tg_strlcpy(call->label, c->label, sizeof(call->label));
		tg_strlcpy(call->from, c->from, sizeof(call->from));
		tg_strlcpy(call->to, c->to, sizeof(call->to));
		rc = isdn_call_place(s->isdn, &su, call, &ic);
		if (rc) {
			call->released = true;
			call->cause = rc == EBUSY ? ISDN_CAUSE_NO_CIRCUIT : ISDN_CAUSE_NETWORK_OUT_OF_ORDER;
			emit("call-failed", "\"span\":\"%s\",\"call\":\"%s\",\"cause\":%d,\"error\":\"%s\"",
			     s->name, call->label, call->cause, strerror(rc));
			return true;    /* a refused call is an outcome, for expect release */
		}
		call->ic = ic;
		call->channel = isdn_call_channel(ic);
		tgsim_audio_start(s->instance, call->channel);
		emit("call-out", "\"span\":\"%s\",\"call\":\"%s\",\"from\":\"%s\",\"to\":\"%s\",\"channel\":%u",
		     s->name, call->label, c->from, c->to, call->channel);
		rearm(s);
		return true;
	}
	case OP_PROCEED:
	case OP_ALERT:
	case OP_ANSWER:
	case OP_HANGUP:
		call = call_find(c->label);
		if (!call || !call->ic) {
			emit("error", "\"line\":%u,\"message\":\"no live call %s\"", c->line, c->label);
			return false;
		}
		rc = c->op == OP_PROCEED ? isdn_call_proceeding(call->ic) :
		     c->op == OP_ALERT ? isdn_call_alerting(call->ic, c->inband) :
		     c->op == OP_ANSWER ? isdn_call_answer(call->ic) :
		     isdn_call_hangup(call->ic, c->cause);
		if (c->op == OP_ANSWER && !rc)
			call->answered = true;
		rearm(call->span);
		return true;
	case OP_AUTO:
		for (unsigned i = 0; i < g.nspans; i++) {
			if (s && &g.spans[i] != s)
				continue;
			g.spans[i].auto_mode = c->auto_mode;
			g.spans[i].auto_cause = c->cause;
		}
		return true;
	case OP_ALARM: {
		enum hw_sim_fault f = !strcmp(c->what, "los") ? (c->up ? HW_SIM_CABLE_PULL : HW_SIM_CABLE_PLUG) :
				      !strcmp(c->what, "ais") ? (c->up ? HW_SIM_AIS_ON : HW_SIM_AIS_OFF) :
				      (c->up ? HW_SIM_RAI_ON : HW_SIM_RAI_OFF);

		rc = hw_sim_fault(s->hw, f, 0);
		emit("fault", "\"span\":\"%s\",\"what\":\"%s\",\"on\":%s", s->name, c->what,
		     c->up ? "true" : "false");
		return rc == 0;
	}
	case OP_INJECT:
		rc = hw_sim_fault(s->hw, !strcmp(c->what, "crc") ? HW_SIM_CRC_ERRORS :
				  !strcmp(c->what, "slips") ? HW_SIM_SLIPS : HW_SIM_BPV, c->count);
		emit("fault", "\"span\":\"%s\",\"what\":\"%s\",\"count\":%u", s->name, c->what, c->count);
		return rc == 0;
	case OP_RESTART:
		rc = isdn_restart(s->isdn);
		rearm(s);
		emit("restart-sent", "\"span\":\"%s\",\"ok\":%s", s->name, rc ? "false" : "true");
		return rc == 0;
	case OP_PLAY_TONE:
	case OP_SEND_DTMF: {
		unsigned ch = 0;

		call = audio_call(c, &ch);
		if (!call) {
			emit("error", "\"line\":%u,\"message\":\"no live call %s\"", c->line, c->label);
			return false;
		}
		if (c->op == OP_PLAY_TONE) {
			tgsim_audio_tone(call->span->instance, ch, c->freq);
			emit("play", "\"call\":\"%s\",\"channel\":%u,\"tone\":%.1f", call->label, ch,
			     c->freq);
			return true;
		}
		rc = tgsim_audio_dtmf(call->span->instance, ch, c->dtmf);
		emit("dtmf-sent", "\"call\":\"%s\",\"channel\":%u,\"digits\":\"%s\",\"ok\":%s",
		     call->label, ch, c->dtmf, rc ? "false" : "true");
		return rc == 0;
	}
	case OP_ECHO: {
		unsigned ch = 0;

		call = audio_call(c, &ch);
		if (!call) {
			emit("error", "\"line\":%u,\"message\":\"no live call %s\"", c->line, c->label);
			return false;
		}
		tgsim_audio_echo(call->span->instance, ch, c->up, c->echo_delay_ms, c->echo_loss_db);
		emit("echo", "\"call\":\"%s\",\"channel\":%u,\"on\":%s,\"delay_ms\":%.0f,"
		     "\"loss_db\":%.1f", call->label, ch, c->up ? "true" : "false", c->echo_delay_ms,
		     c->echo_loss_db);
		return true;
	}
	case OP_QUIT:
		finish(0);
		return true;
	default:
		return true;
	}
}

static bool is_expect(enum tgsim_op op)
{
	return op == OP_EXPECT_CALL || op == OP_EXPECT_ANSWER || op == OP_EXPECT_ALERTING ||
	       op == OP_EXPECT_PROCEEDING || op == OP_EXPECT_RELEASE || op == OP_EXPECT_LINK ||
	       op == OP_EXPECT_ALARM || op == OP_EXPECT_TONE || op == OP_EXPECT_DTMF;
}

/* Run commands until one has to wait, or the script ends. */
static void run_script(void)
{
	static bool running;

	if (running)
		return;         /* an event inside a command: the loop below re-checks */
	running = true;
	reap_calls();
	while (g.pc < g.ncmds && g.exit_code == 0) {
		const struct tgsim_cmd *c = &g.cmds[g.pc];

		if (g.waiting) {
			if (is_expect(c->op) && expectation_met(c)) {
				su_timer_reset(g.wait_timer);
				g.waiting = false;
				g.pc++;
				continue;
			}
			break;
		}
		if (is_expect(c->op) || c->op == OP_SLEEP) {
			g.waiting = true;
			su_timer_set_interval(g.wait_timer, on_wait_timeout, NULL,
					      (su_duration_t)((c->op == OP_SLEEP ? c->seconds : c->within) * 1000));
			continue;       /* checked at once: it may be met already */
		}
		if (c->op == OP_LOAD) {
			memset(&g.load, 0, sizeof(g.load));
			g.load.hold = c->hold;
			g.load.tone = c->freq;
			g.waiting = true;
			emit("load", "\"span\":\"%s\",\"rate\":%.3f,\"hold\":%.3f,\"count\":%u",
			     c->span, c->rate, c->hold, c->count);
			/* a periodic timer's interval is fixed at creation */
			su_timer_destroy(g.load_timer);
			g.load_timer = su_timer_create(su_root_task(g.root),
						       (su_duration_t)fmax(1.0, 1000.0 / c->rate));
			if (g.load_timer)
				su_timer_run(g.load_timer, on_load_tick, NULL);
			break;
		}
		if (!do_command(c)) {
			finish(1);
			break;
		}
		g.pc++;
	}
	if (g.pc >= g.ncmds && g.exit_code == 0 && !g.stay)
		finish(0);
	running = false;
}

/* ---- start-up ---- */

static int on_signal(su_root_magic_t *m, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct signalfd_siginfo si;
	int fd = *(int *)arg;

	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		;
	emit("stopping", NULL);
	finish(0);
	return 0;
}

static int load_script(FILE *f, const char *name)
{
	char line[1024], err[300];
	unsigned lineno = 0;
	size_t cap = 0;

	while (fgets(line, sizeof(line), f)) {
		struct tgsim_cmd c;
		int r;

		lineno++;
		r = tgsim_parse_line(line, lineno, &c, err, sizeof(err));
		if (r < 0) {
			fprintf(stderr, "tgsim: %s: %s\n", name, err);
			return EINVAL;
		}
		if (r == 0)
			continue;
		if (g.ncmds == cap) {
			struct tgsim_cmd *n = realloc(g.cmds, (cap ? cap * 2 : 32) * sizeof(*n));

			if (!n)
				return ENOMEM;
			g.cmds = n;
			cap = cap ? cap * 2 : 32;
		}
		g.cmds[g.ncmds++] = c;
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: tgsim [-f SCRIPT] [--stay] [--debug]\n"
		   "A simulated carrier or PBX for trunkgate's sim spans.  Reads commands from\n"
		   "SCRIPT (or stdin), prints one JSON object per event on stdout.\n"
		   "  -f, --file SCRIPT  the command script (default: stdin)\n"
		   "  -s, --stay         keep running after the script ends (until SIGTERM)\n"
		   "  -d, --debug        log Q.921/Q.931 and hw details to stderr\n"
		   "  -h, --help         this help\n"
		   "Commands: see tools/tgsim/script.h or docs/tgsim.md.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' }, { "stay", no_argument, NULL, 's' },
		{ "debug", no_argument, NULL, 'd' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = NULL;
	su_wait_t wait[1];
	sigset_t set;
	int ch, rc, sfd;
	FILE *f;

	while ((ch = getopt_long(argc, argv, "f:sdh", opts, NULL)) != -1) {
		switch (ch) {
		case 'f': file = optarg; break;
		case 's': g.stay = true; break;
		case 'd': g.debug = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	log_init(g.debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARN);
	f = file ? fopen(file, "r") : stdin;
	if (!f) {
		fprintf(stderr, "tgsim: %s: %s\n", file, strerror(errno));
		return 2;
	}
	rc = load_script(f, file ? file : "stdin");
	if (file)
		fclose(f);
	if (rc)
		return 2;
	tg_set_main_thread();
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	su_init();
	g.root = su_root_create(NULL);
	su_root_threading(g.root, 0);
	sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	su_wait_create(wait, sfd, SU_WAIT_IN);
	su_root_register(g.root, wait, on_signal, (su_wakeup_arg_t *)&sfd, 0);
	mainq_init(g.root, on_mainq, NULL);
	g.wait_timer = su_timer_create(su_root_task(g.root), 1000);
	g.kick_timer = su_timer_create(su_root_task(g.root), 0);
	g.t0 = tg_now_ms();
	run_script();
	if (g.pc < g.ncmds || g.stay || g.waiting)
		su_root_run(g.root);
	for (unsigned i = 0; i < g.nspans; i++) {
		hw_span_close(g.spans[i].hw);
		isdn_span_destroy(g.spans[i].isdn);
		su_timer_destroy(g.spans[i].timer);
	}
	tgsim_audio_fini();
	for (struct scall *c = g.calls, *n; c; c = n) {
		n = c->next;
		su_timer_destroy(c->hold);
		free(c);
	}
	su_timer_destroy(g.wait_timer);
	su_timer_destroy(g.kick_timer);
	su_timer_destroy(g.load_timer);
	mainq_close();
	su_root_destroy(g.root);
	su_deinit();
	close(sfd);
	free(g.cmds);
	emit("exit", "\"code\":%d", g.exit_code);
	return g.exit_code;
}
