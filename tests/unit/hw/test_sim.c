/*
 * test_sim.c -- the sim driver, in process: an owner span and an attached
 * span on a socket in the test's folder, driven through the HAL.  The event
 * callbacks (on the driver's I/O thread) record into a struct end with
 * atomics; the test waits for a condition with a bounded poll loop (a
 * liveness guard of ~10 s, never a pass/fail time).  The once-a-second
 * counter evaluation is run by hand (hw_sim_test_manual_seconds).
 *
 * "Nothing arrived" is checked with a barrier: a D-channel frame sent after
 * the thing that must not arrive; the socket keeps order, so once the
 * barrier is in, anything sent before it would be too.
 */
#include "config.h"
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hw.h"
#include "sim.h"
#include "sim_int.h"
#include "test.h"

int test_sim_spans_are_in_los_until_a_peer_attaches(void);
int test_sim_dchan_frames_arrive_intact_and_in_order_both_ways(void);
int test_sim_audio_periods_arrive_intact_on_every_timeslot(void);
int test_sim_periods_sent_are_periods_received_after_a_drain(void);
int test_sim_spans_with_different_frame_ms_run_side_by_side(void);
int test_sim_cable_pull_on_either_end_is_los_on_both_and_rai_far(void);
int test_sim_ais_raises_blue_and_rai_raises_yellow(void);
int test_sim_dchan_frames_are_lost_while_the_cable_is_pulled(void);
int test_sim_injected_errors_reach_far_end_counters_and_seconds(void);
int test_sim_unavailable_seconds_count_while_in_los(void);
int test_sim_attach_side_reopen_raises_and_clears_alarms(void);
int test_sim_attacher_reconnects_after_owner_restart(void);
int test_sim_relay_engaged_while_owner_absent_and_follows_bypass(void);
int test_sim_dead_relay_does_not_move(void);
int test_sim_relay_watchdog_engages_unless_rearmed_on_both_ends(void);
int test_sim_second_attacher_is_refused_while_one_is_connected(void);
int test_sim_stale_socket_is_replaced_and_live_one_refused(void);
int test_sim_span_type_mismatch_keeps_the_line_in_los(void);
int test_sim_malformed_message_drops_the_peer(void);
int test_sim_knobs_refuse_spans_of_other_drivers(void);

#define LOSRED (HW_ALARM_LOS | HW_ALARM_RED)

/* Wait (bounded: ~10 s) until expr holds, then assert it. */
#define WAIT_FOR(expr) do { for (int _i = 0; _i < 10000 && !(expr); _i++) \
	poll(NULL, 0, 1); } while (0)
#define TEST_WAIT(expr) do { WAIT_FOR(expr); TEST_ASSERT(expr); } while (0)

/* One end of a sim span and what its callbacks saw. */
struct end {
	struct hw_span *span;
	atomic_uint alarm_calls, alarms_seen, last_alarm;
	atomic_bool alarm_chain_broken;         /* an old set that was not the last new set */
	/* D-channel */
	atomic_uint frames, frames_bad;
	bool check_frames;                      /* frames must follow frame_gen() */
	uint8_t last_frame[HW_DCHAN_MAX];
	atomic_uint last_len;
	/* audio */
	atomic_uint audio_calls, audio_good, audio_idle, audio_bad, audio_gaps, bad_samples;
	unsigned tx_k;                          /* I/O thread only */
	int last_k;
	enum hw_span_type type;
	unsigned samples;                       /* expected per period; set before open */
	/* relay */
	atomic_uint relay_calls;
	atomic_bool relay_last;
};

static unsigned frame_len(unsigned i)
{
	return 3 + (i * 37) % 258;      /* 3..260 */
}

static uint8_t frame_byte(unsigned i, unsigned j)
{
	return (uint8_t)(i * 7 + j * 13 + 1);
}

static void on_alarm(void *arg, unsigned alarms, unsigned old)
{
	struct end *e = arg;

	if (atomic_load(&e->alarm_calls) && old != atomic_load(&e->last_alarm))
		atomic_store(&e->alarm_chain_broken, true);
	atomic_store(&e->last_alarm, alarms);
	atomic_fetch_or(&e->alarms_seen, alarms);
	atomic_fetch_add(&e->alarm_calls, 1);
}

static void on_dchan(void *arg, const uint8_t *frame, size_t len)
{
	struct end *e = arg;
	unsigned i = atomic_load(&e->frames);

	if (e->check_frames) {
		bool ok = len == frame_len(i);

		for (unsigned j = 0; ok && j < len; j++)
			ok = frame[j] == frame_byte(i, j);
		if (!ok)
			atomic_fetch_add(&e->frames_bad, 1);
	}
	memcpy(e->last_frame, frame, len);
	atomic_store(&e->last_len, (unsigned)len);
	atomic_fetch_add(&e->frames, 1);
}

/* Audio: period k carries byte (k + 11 * ts + 3 * i) at sample i of timeslot
 * ts (channel-major); the receiver checks every byte and that k counts up. */
static void on_audio(void *arg, const uint8_t *rx, uint8_t *tx, unsigned samples)
{
	struct end *e = arg;
	unsigned ts = hw_span_timeslots(e->type), k = e->tx_k++;
	uint8_t idle = hw_idle_code(e->type);
	bool all_idle = true, ok = true;

	if (samples != e->samples)
		atomic_fetch_add(&e->bad_samples, 1);
	for (unsigned t = 0; t < ts; t++)
		for (unsigned i = 0; i < samples; i++)
			tx[t * samples + i] = (uint8_t)(k + 11 * t + 3 * i);
	for (unsigned n = 0; n < ts * samples && all_idle; n++)
		all_idle = rx[n] == idle;
	atomic_fetch_add(&e->audio_calls, 1);
	if (all_idle) {
		atomic_fetch_add(&e->audio_idle, 1);
		return;
	}
	for (unsigned t = 0; t < ts && ok; t++)
		for (unsigned i = 0; i < samples && ok; i++)
			ok = rx[t * samples + i] == (uint8_t)(rx[0] + 11 * t + 3 * i);
	if (!ok) {
		atomic_fetch_add(&e->audio_bad, 1);
		return;
	}
	if (e->last_k >= 0 && rx[0] != (uint8_t)(e->last_k + 1))
		atomic_fetch_add(&e->audio_gaps, 1);
	e->last_k = rx[0];
	atomic_fetch_add(&e->audio_good, 1);
}

static void on_relay(void *arg, bool engaged)
{
	struct end *e = arg;

	atomic_store(&e->relay_last, engaged);
	atomic_fetch_add(&e->relay_calls, 1);
}

static const struct hw_span_events events = { on_alarm, on_dchan, on_audio, on_relay };

static void sock_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", test_tmpdir(), name);
}

static int open_end_ms(struct end *e, const char *path, bool attach, enum hw_span_type type,
		       unsigned frame_ms)
{
	struct hw_span_cfg cfg = {
		.name = attach ? "far" : "near", .position = 1, .type = type,
		.framing = type == HW_SPAN_T1 ? HW_FRAMING_ESF : HW_FRAMING_CCS,
		.line_code = type == HW_SPAN_T1 ? HW_LINE_B8ZS : HW_LINE_HDB3,
		.crc4 = type == HW_SPAN_E1, .signalling = HW_SIG_PRI, .frame_ms = frame_ms,
		.device = path, .attach = attach,
	};

	memset(e, 0, sizeof(*e));
	e->last_k = -1;
	e->type = type;
	e->samples = hw_samples_per_period(frame_ms);
	atomic_store(&e->relay_last, true);
	return hw_span_open(&hw_sim_driver, &e->span, &cfg, &events, e);
}

static int open_end(struct end *e, const char *path, bool attach)
{
	return open_end_ms(e, path, attach, HW_SPAN_E1, 20);
}

static void close_end(struct end *e)
{
	hw_span_close(e->span);
	e->span = NULL;
}

static struct hw_counters counters(struct end *e)
{
	struct hw_counters c;

	hw_span_counters(e->span, &c);
	return c;
}

static struct hw_sim_stats stats(struct end *e)
{
	struct hw_sim_stats st;

	hw_sim_stats(e->span, &st);
	return st;
}

/* Open an owner and an attacher on one socket and wait until they are linked. */
static int open_pair(struct end *o, struct end *p, const char *name)
{
	char path[256];
	int err;

	sock_path(path, sizeof(path), name);
	err = open_end(o, path, false);
	TEST_ERR(err);
	err = open_end(p, path, true);
	TEST_ERR(err);
	TEST_WAIT(hw_sim_connected(o->span) && hw_sim_connected(p->span));
	TEST_WAIT(hw_span_alarms(o->span) == 0 && hw_span_alarms(p->span) == 0);
 out:
	return err;
}

/* Every test leaves no span and so no I/O thread behind. */
static int leak_check(int err)
{
	hw_sim_test_manual_seconds(false);
	if (hw_sim_open_spans()) {
		test_fail(__FILE__, __LINE__, "sim spans left open");
		return err ? err : EINVAL;
	}
	return err;
}

/* A frame from `from` reaches `to` (and is the last one there). */
static int barrier(struct end *from, struct end *to, uint8_t tag)
{
	uint8_t f[3] = { 0xBB, tag, 0xBB };
	unsigned n = atomic_load(&to->frames);
	int err;

	err = hw_dchan_send(from->span, f, sizeof(f));
	TEST_ERR(err);
	TEST_WAIT(atomic_load(&to->frames) == n + 1);
	TEST_EQ(3, atomic_load(&to->last_len));
	TEST_EQ(tag, to->last_frame[1]);
 out:
	return err;
}

int test_sim_spans_are_in_los_until_a_peer_attaches(void)
{
	struct end o = { 0 }, p = { 0 };
	char path[256];
	int err;

	sock_path(path, sizeof(path), "los.sock");
	err = open_end(&o, path, false);
	TEST_ERR(err);
	/* the first alarm event says where the span starts */
	TEST_EQ(LOSRED, hw_span_alarms(o.span));
	TEST_EQ(1, atomic_load(&o.alarm_calls));
	TEST_EQ(LOSRED, atomic_load(&o.last_alarm));
	TEST_ASSERT(!hw_sim_connected(o.span));
	TEST_EQ(ENOTCONN, hw_dchan_send(o.span, (const uint8_t *)"abc", 3));
	err = open_end(&p, path, true);
	TEST_ERR(err);
	TEST_WAIT(hw_span_alarms(o.span) == 0 && hw_span_alarms(p.span) == 0);
	TEST_ASSERT(hw_sim_connected(o.span) && hw_sim_connected(p.span));
	TEST_WAIT(atomic_load(&o.last_alarm) == 0 && atomic_load(&p.last_alarm) == 0);
	TEST_ASSERT(atomic_load(&p.alarms_seen) & HW_ALARM_LOS);
	/* no YELLOW on the way up: RAI is only sent by an end in RED */
	TEST_ASSERT(!(atomic_load(&o.alarms_seen) & HW_ALARM_YELLOW));
	TEST_ASSERT(!(atomic_load(&p.alarms_seen) & HW_ALARM_YELLOW));
	TEST_ASSERT(!atomic_load(&o.alarm_chain_broken) && !atomic_load(&p.alarm_chain_broken));
 out:
	close_end(&p);
	close_end(&o);
	return leak_check(err);
}

static int send_frames(struct end *from, unsigned n)
{
	uint8_t f[HW_DCHAN_MAX];
	int err = 0;

	for (unsigned i = 0; i < n; i++) {
		for (unsigned j = 0; j < frame_len(i); j++)
			f[j] = frame_byte(i, j);
		/* the socket holds far more than this; ENOBUFS would be a bug here */
		err = hw_dchan_send(from->span, f, frame_len(i));
		TEST_ERR(err);
	}
 out:
	return err;
}

int test_sim_dchan_frames_arrive_intact_and_in_order_both_ways(void)
{
	struct end o = { 0 }, p = { 0 };
	struct hw_counters co, cp;
	int err;

	err = open_pair(&o, &p, "dchan.sock");
	TEST_ERR(err);
	o.check_frames = p.check_frames = true;
	err = send_frames(&o, 200);
	TEST_ERR(err);
	err = send_frames(&p, 200);
	TEST_ERR(err);
	TEST_WAIT(atomic_load(&p.frames) == 200 && atomic_load(&o.frames) == 200);
	TEST_EQ(0, atomic_load(&p.frames_bad));
	TEST_EQ(0, atomic_load(&o.frames_bad));
	co = counters(&o);
	cp = counters(&p);
	TEST_EQ(200, co.dchan_tx);
	TEST_EQ(200, co.dchan_rx);
	TEST_EQ(200, cp.dchan_tx);
	TEST_EQ(200, cp.dchan_rx);
 out:
	close_end(&p);
	close_end(&o);
	return leak_check(err);
}

int test_sim_audio_periods_arrive_intact_on_every_timeslot(void)
{
	struct end o = { 0 }, p = { 0 };
	int err;

	err = open_pair(&o, &p, "audio.sock");
	TEST_ERR(err);
	TEST_WAIT(atomic_load(&o.audio_good) >= 25 && atomic_load(&p.audio_good) >= 25);
	TEST_EQ(0, atomic_load(&o.audio_bad));
	TEST_EQ(0, atomic_load(&p.audio_bad));
	TEST_EQ(0, atomic_load(&o.bad_samples));
	TEST_EQ(0, atomic_load(&p.bad_samples));
	/* periods come in order; a gap is only allowed where a slip or a stall
	 * of the I/O thread was counted */
	if (atomic_load(&p.audio_gaps) || atomic_load(&o.audio_gaps))
		TEST_ASSERT(counters(&o).frame_slips + counters(&p).frame_slips +
			    stats(&o).late_periods + stats(&p).late_periods > 0);
 out:
	close_end(&p);
	close_end(&o);
	return leak_check(err);
}

int test_sim_periods_sent_are_periods_received_after_a_drain(void)
{
	struct end o = { 0 }, p = { 0 };
	struct hw_counters co, cp;
	uint64_t missing;
	int err;

	err = open_pair(&o, &p, "drain.sock");
	TEST_ERR(err);
	TEST_WAIT(counters(&p).rx_periods >= 10 && counters(&o).rx_periods >= 10);
	/* stop the owner sending: once the knob returns nothing more leaves it */
	err = hw_sim_fault(o.span, HW_SIM_DROP_PERIODS, UINT_MAX);
	TEST_ERR(err);
	co = counters(&o);
	TEST_WAIT(counters(&p).rx_periods == co.tx_periods);
	missing = counters(&p).rx_missing;
	TEST_WAIT(counters(&p).rx_missing >= missing + 3);      /* idle played meanwhile */
	TEST_EQ(co.tx_periods, counters(&o).tx_periods);
	/* and the other way */
	err = hw_sim_fault(p.span, HW_SIM_DROP_PERIODS, UINT_MAX);
	TEST_ERR(err);
	cp = counters(&p);
	TEST_WAIT(counters(&o).rx_periods == cp.tx_periods);
	/* every period sent was one the audio callback filled */
	TEST_ASSERT(atomic_load(&p.audio_calls) >= cp.tx_periods);
	TEST_ASSERT(cp.tx_periods > 0);
 out:
	close_end(&p);
	close_end(&o);
	return leak_check(err);
}

int test_sim_spans_with_different_frame_ms_run_side_by_side(void)
{
	static const struct {
		enum hw_span_type type;
		unsigned ms;
	} spans[] = { { HW_SPAN_E1, 10 }, { HW_SPAN_T1, 30 }, { HW_SPAN_E1, 40 }, { HW_SPAN_T1, 0 } };
	struct end o[4], p[4];
	char path[256];
	int err = 0;

	memset(o, 0, sizeof(o));
	memset(p, 0, sizeof(p));
	for (size_t i = 0; i < 4; i++) {
		char name[32];

		snprintf(name, sizeof(name), "ms%zu.sock", i);
		sock_path(path, sizeof(path), name);
		err = open_end_ms(&o[i], path, false, spans[i].type, spans[i].ms);
		TEST_ERR(err);
		err = open_end_ms(&p[i], path, true, spans[i].type, spans[i].ms);
		TEST_ERR(err);
	}
	for (size_t i = 0; i < 4; i++) {
		TEST_WAIT(atomic_load(&p[i].audio_good) >= 10 && atomic_load(&o[i].audio_good) >= 10);
		TEST_EQ(0, atomic_load(&p[i].audio_bad) + atomic_load(&o[i].audio_bad));
		TEST_EQ(0, atomic_load(&p[i].bad_samples) + atomic_load(&o[i].bad_samples));
	}
	TEST_EQ(20, p[3].span->frame_ms);
 out:
	for (size_t i = 0; i < 4; i++) {
		close_end(&p[i]);
		close_end(&o[i]);
	}
	return leak_check(err);
}

static int pull_and_plug(struct end *puller, struct end *far)
{
	const unsigned all = LOSRED | HW_ALARM_YELLOW;
	int err;

	err = hw_sim_fault(puller->span, HW_SIM_CABLE_PULL, 0);
	TEST_ERR(err);
	/* LOS on both; each end in RED sends RAI, so the far end sees YELLOW too */
	TEST_WAIT(hw_span_alarms(puller->span) == all && hw_span_alarms(far->span) == all);
	TEST_WAIT(atomic_load(&far->last_alarm) == all);
	TEST_ASSERT(hw_sim_connected(far->span));
	err = hw_sim_fault(puller->span, HW_SIM_CABLE_PLUG, 0);
	TEST_ERR(err);
	TEST_WAIT(hw_span_alarms(puller->span) == 0 && hw_span_alarms(far->span) == 0);
	TEST_WAIT(atomic_load(&far->last_alarm) == 0 && atomic_load(&puller->last_alarm) == 0);
 out:
	return err;
}

int test_sim_cable_pull_on_either_end_is_los_on_both_and_rai_far(void)
{
	struct end o = { 0 }, p = { 0 };
	int err;

	err = open_pair(&o, &p, "pull.sock");
	TEST_ERR(err);
	err = pull_and_plug(&o, &p);
	TEST_ERR(err);
	err = pull_and_plug(&p, &o);
	TEST_ERR(err);
	TEST_ASSERT(!atomic_load(&o.alarm_chain_broken) && !atomic_load(&p.alarm_chain_broken));
	/* audio flows again after the plug */
	{
		unsigned good = atomic_load(&p.audio_good);

		TEST_WAIT(atomic_load(&p.audio_good) >= good + 5);
	}
 out:
	close_end(&p);
	close_end(&o);
	return leak_check(err);
}

int test_sim_ais_raises_blue_and_rai_raises_yellow(void)
{
	struct end o = { 0 }, p = { 0 };
	int err;

	err = open_pair(&o, &p, "ais.sock");
	TEST_ERR(err);
	err = hw_sim_fault(o.span, HW_SIM_AIS_ON, 0);
	TEST_ERR(err);
	TEST_WAIT(hw_span_alarms(p.span) == HW_ALARM_BLUE);
	err = barrier(&p, &o, 1);       /* BLUE is no RED: the sender sees no RAI */
	TEST_ERR(err);
	TEST_EQ(0, hw_span_alarms(o.span));
	err = hw_sim_fault(o.span, HW_SIM_AIS_OFF, 0);
	TEST_ERR(err);
	TEST_WAIT(hw_span_alarms(p.span) == 0);
	err = hw_sim_fault(p.span, HW_SIM_RAI_ON, 0);
	TEST_ERR(err);
	TEST_WAIT(hw_span_alarms(o.span) == HW_ALARM_YELLOW);
	TEST_EQ(0, hw_span_alarms(p.span));
	err = hw_sim_fault(p.span, HW_SIM_RAI_OFF, 0);
	TEST_ERR(err);
	TEST_WAIT(hw_span_alarms(o.span) == 0 && atomic_load(&o.last_alarm) == 0);
 out:
	close_end(&p);
	close_end(&o);
	return leak_check(err);
}

int test_sim_dchan_frames_are_lost_while_the_cable_is_pulled(void)
{
	struct end o = { 0 }, p = { 0 };
	unsigned po, pp;
	int err;

	err = open_pair(&o, &p, "lost.sock");
	TEST_ERR(err);
	err = hw_sim_fault(o.span, HW_SIM_CABLE_PULL, 0);
	TEST_ERR(err);
	TEST_WAIT(hw_span_alarms(p.span) & HW_ALARM_LOS);
	po = atomic_load(&o.frames);
	pp = atomic_load(&p.frames);
	/* onto a dead line: accepted, as a wire would, and lost */
	TEST_EQ(0, hw_dchan_send(o.span, (const uint8_t *)"\x01\x02\x03", 3));
	TEST_EQ(0, hw_dchan_send(p.span, (const uint8_t *)"\x01\x02\x03", 3));
	err = hw_sim_fault(o.span, HW_SIM_CABLE_PLUG, 0);
	TEST_ERR(err);
	TEST_WAIT(hw_span_alarms(o.span) == 0 && hw_span_alarms(p.span) == 0);
	err = barrier(&o, &p, 2);
	TEST_ERR(err);
	err = barrier(&p, &o, 3);
	TEST_ERR(err);
	TEST_EQ(po + 1, atomic_load(&o.frames));
	TEST_EQ(pp + 1, atomic_load(&p.frames));
 out:
	close_end(&p);
	close_end(&o);
	return leak_check(err);
}

int test_sim_injected_errors_reach_far_end_counters_and_seconds(void)
{
	struct end o = { 0 }, p = { 0 };
	struct hw_counters b, c;
	int err;

	hw_sim_test_manual_seconds(true);
	err = open_pair(&o, &p, "errs.sock");
	TEST_ERR(err);
	hw_sim_eval_second(p.span);     /* the second with the LOS of start-up */
	hw_sim_eval_second(p.span);
	b = counters(&p);

	err = hw_sim_fault(o.span, HW_SIM_CRC_ERRORS, 5);
	TEST_ERR(err);
	TEST_WAIT(counters(&p).crc_errors == b.crc_errors + 5);
	hw_sim_eval_second(p.span);
	c = counters(&p);
	TEST_EQ(b.errored_seconds + 1, c.errored_seconds);
	TEST_EQ(b.severely_errored_seconds, c.severely_errored_seconds);
	TEST_EQ(b.unavailable_seconds, c.unavailable_seconds);

	err = hw_sim_fault(o.span, HW_SIM_CRC_ERRORS, 400);
	TEST_ERR(err);
	TEST_WAIT(counters(&p).crc_errors == b.crc_errors + 405);
	hw_sim_eval_second(p.span);
	c = counters(&p);
	TEST_EQ(b.errored_seconds + 2, c.errored_seconds);
	TEST_EQ(b.severely_errored_seconds + 1, c.severely_errored_seconds);
	/* the next second starts clean: no SES without new errors */
	hw_sim_eval_second(p.span);
	TEST_EQ(b.severely_errored_seconds + 1, counters(&p).severely_errored_seconds);

	err = hw_sim_fault(o.span, HW_SIM_SLIPS, 3);
	TEST_ERR(err);
	err = hw_sim_fault(o.span, HW_SIM_BPV, 2);
	TEST_ERR(err);
	TEST_WAIT(counters(&p).line_code_violations == b.line_code_violations + 2);
	b = c;
	c = counters(&p);
	TEST_ASSERT(c.frame_slips >= b.frame_slips + 3);
	hw_sim_eval_second(p.span);
	TEST_ASSERT(counters(&p).errored_seconds >= c.errored_seconds + 1);
	TEST_EQ(c.severely_errored_seconds, counters(&p).severely_errored_seconds);

	/* the errors were the far end's to count */
	TEST_EQ(0, counters(&o).crc_errors);
	TEST_EQ(0, counters(&o).line_code_violations);

	/* a second in LOS is unavailable and severely errored */
	c = counters(&p);
	err = hw_sim_fault(o.span, HW_SIM_CABLE_PULL, 0);
	TEST_ERR(err);
	TEST_WAIT(hw_span_alarms(p.span) & HW_ALARM_LOS);
	hw_sim_eval_second(p.span);
	TEST_EQ(c.unavailable_seconds + 1, counters(&p).unavailable_seconds);
	TEST_EQ(c.severely_errored_seconds + 1, counters(&p).severely_errored_seconds);
	TEST_EQ(c.errored_seconds + 1, counters(&p).errored_seconds);
 out:
	close_end(&p);
	close_end(&o);
	return leak_check(err);
}

int test_sim_unavailable_seconds_count_while_in_los(void)
{
	struct end o = { 0 }, p = { 0 };
	struct hw_counters c;
	char path[256];
	int err;

	hw_sim_test_manual_seconds(true);
	sock_path(path, sizeof(path), "uas.sock");
	err = open_end(&o, path, false);
	TEST_ERR(err);
	for (int i = 0; i < 3; i++)
		hw_sim_eval_second(o.span);
	c = counters(&o);
	TEST_EQ(3, c.unavailable_seconds);
	TEST_EQ(3, c.severely_errored_seconds);
	TEST_EQ(3, c.errored_seconds);
	err = open_end(&p, path, true);
	TEST_ERR(err);
	TEST_WAIT(hw_span_alarms(o.span) == 0);
	hw_sim_eval_second(o.span);     /* LOS ended during this second: still counted */
	TEST_EQ(4, counters(&o).unavailable_seconds);
	hw_sim_eval_second(o.span);
	TEST_EQ(4, counters(&o).unavailable_seconds);
	TEST_EQ(4, counters(&o).severely_errored_seconds);
 out:
	close_end(&p);
	close_end(&o);
	return leak_check(err);
}

int test_sim_attach_side_reopen_raises_and_clears_alarms(void)
{
	struct end o = { 0 }, p = { 0 };
	char path[256];
	unsigned calls;
	int err;

	sock_path(path, sizeof(path), "reopen.sock");
	err = open_pair(&o, &p, "reopen.sock");
	TEST_ERR(err);
	calls = atomic_load(&o.alarm_calls);
	close_end(&p);
	TEST_WAIT(hw_span_alarms(o.span) == LOSRED && atomic_load(&o.last_alarm) == LOSRED);
	TEST_ASSERT(!hw_sim_connected(o.span));
	TEST_EQ(ENOTCONN, hw_dchan_send(o.span, (const uint8_t *)"abc", 3));
	err = open_end(&p, path, true);
	TEST_ERR(err);
	TEST_WAIT(hw_span_alarms(o.span) == 0 && atomic_load(&o.last_alarm) == 0);
	TEST_ASSERT(atomic_load(&o.alarm_calls) >= calls + 2);
	TEST_ASSERT(!atomic_load(&o.alarm_chain_broken));
	err = barrier(&o, &p, 4);
	TEST_ERR(err);
	err = barrier(&p, &o, 5);
	TEST_ERR(err);
	TEST_WAIT(atomic_load(&p.audio_good) >= 5);
 out:
	close_end(&p);
	close_end(&o);
	return leak_check(err);
}

int test_sim_attacher_reconnects_after_owner_restart(void)
{
	struct end o = { 0 }, p = { 0 };
	char path[256];
	int err;

	sock_path(path, sizeof(path), "restart.sock");
	err = open_pair(&o, &p, "restart.sock");
	TEST_ERR(err);
	close_end(&o);
	TEST_WAIT(hw_span_alarms(p.span) == LOSRED && !hw_sim_connected(p.span));
	TEST_ASSERT(access(path, F_OK) != 0);   /* the owner removed its socket */
	err = open_end(&o, path, false);
	TEST_ERR(err);
	/* the attacher retries on its own */
	TEST_WAIT(hw_sim_connected(p.span) && hw_span_alarms(p.span) == 0);
	TEST_WAIT(hw_span_alarms(o.span) == 0);
	err = barrier(&o, &p, 6);
	TEST_ERR(err);
	err = barrier(&p, &o, 7);
	TEST_ERR(err);
	TEST_ASSERT(stats(&p).connects >= 2);
 out:
	close_end(&p);
	close_end(&o);
	return leak_check(err);
}

int test_sim_relay_engaged_while_owner_absent_and_follows_bypass(void)
{
	struct end o = { 0 }, p = { 0 };
	char path[256];
	int err;

	sock_path(path, sizeof(path), "relay.sock");
	err = open_end(&p, path, true);         /* the far end first: nobody drives the relay */
	TEST_ERR(err);
	TEST_ASSERT(hw_sim_relay_engaged(p.span));
	TEST_EQ(ENOTSUP, hw_bypass_set(p.span, false));        /* the relay is the owner's */
	err = open_end(&o, path, false);
	TEST_ERR(err);
	TEST_WAIT(hw_sim_connected(p.span));
	err = barrier(&o, &p, 8);
	TEST_ERR(err);
	TEST_ASSERT(hw_sim_relay_engaged(p.span));      /* until the owner releases it */
	TEST_EQ(0, atomic_load(&p.relay_calls));
	err = hw_bypass_set(o.span, false);
	TEST_ERR(err);
	TEST_WAIT(!hw_sim_relay_engaged(p.span));
	TEST_WAIT(atomic_load(&p.relay_calls) == 1 && !atomic_load(&p.relay_last));
	TEST_ASSERT(!hw_sim_relay_engaged(o.span));
	err = hw_bypass_set(o.span, true);
	TEST_ERR(err);
	TEST_WAIT(hw_sim_relay_engaged(p.span) && atomic_load(&p.relay_calls) == 2);
	err = hw_bypass_set(o.span, false);
	TEST_ERR(err);
	TEST_WAIT(!hw_sim_relay_engaged(p.span) && atomic_load(&p.relay_calls) == 3);
	/* power-fail transfer: the owner goes away, the relay falls back */
	close_end(&o);
	TEST_WAIT(hw_sim_relay_engaged(p.span) && atomic_load(&p.relay_calls) == 4);
	TEST_ASSERT(atomic_load(&p.relay_last));
 out:
	close_end(&p);
	close_end(&o);
	return leak_check(err);
}

/* The watchdog is run by hand with a clock reading far ahead of the real one
 * (hw_sim_test_relay_check), and its timeout is a minute so the real clock
 * never reaches it during the test: no sleeping, no timing assumption. */
int test_sim_relay_watchdog_engages_unless_rearmed_on_both_ends(void)
{
	const uint64_t wd = 60 * SIM_SECOND_NS, ms = SIM_SECOND_NS / 1000;
	struct end o = { 0 }, p = { 0 };
	uint64_t t0, t1;
	int err;

	err = open_pair(&o, &p, "watchdog.sock");
	TEST_ERR(err);
	TEST_EQ(ENOTSUP, hw_bypass_watchdog(p.span, 1000));    /* the relay is the owner's */
	err = hw_bypass_watchdog(o.span, (unsigned)(wd / ms));
	TEST_ERR(err);
	t0 = sim_now();
	err = hw_bypass_set(o.span, false);
	TEST_ERR(err);
	TEST_WAIT(!hw_sim_relay_engaged(p.span));
	t1 = sim_now();
	/* not yet due on either end: both were armed at or after t0 */
	hw_sim_test_relay_check(o.span, t0 + wd - ms);
	hw_sim_test_relay_check(p.span, t0 + wd - ms);
	err = barrier(&o, &p, 10);
	TEST_ERR(err);
	TEST_ASSERT(!hw_sim_relay_engaged(o.span) && !hw_sim_relay_engaged(p.span));
	/* the owner hangs: the far end's watchdog engages on its own */
	hw_sim_test_relay_check(p.span, t1 + wd + ms);
	TEST_ASSERT(hw_sim_relay_engaged(p.span));
	TEST_ASSERT(!hw_sim_relay_engaged(o.span));
	TEST_EQ(2, atomic_load(&p.relay_calls));
	/* a re-arm releases it again */
	err = hw_bypass_set(o.span, false);
	TEST_ERR(err);
	TEST_WAIT(!hw_sim_relay_engaged(p.span));
	/* the owner's own watchdog: engaged, and the far end is told */
	hw_sim_test_relay_check(o.span, sim_now() + wd + ms);
	TEST_ASSERT(hw_sim_relay_engaged(o.span));
	TEST_WAIT(hw_sim_relay_engaged(p.span));
	/* disarmed: released stays released whatever the clock says */
	err = hw_bypass_watchdog(o.span, 0);
	TEST_ERR(err);
	err = hw_bypass_set(o.span, false);
	TEST_ERR(err);
	TEST_WAIT(!hw_sim_relay_engaged(p.span));
	hw_sim_test_relay_check(o.span, sim_now() + 10 * wd);
	hw_sim_test_relay_check(p.span, sim_now() + 10 * wd);
	TEST_ASSERT(!hw_sim_relay_engaged(o.span) && !hw_sim_relay_engaged(p.span));
 out:
	close_end(&p);
	close_end(&o);
	return leak_check(err);
}

int test_sim_dead_relay_does_not_move(void)
{
	struct end o = { 0 }, p = { 0 };
	int err;

	err = open_pair(&o, &p, "dead.sock");
	TEST_ERR(err);
	err = hw_bypass_set(o.span, false);
	TEST_ERR(err);
	TEST_WAIT(!hw_sim_relay_engaged(p.span));
	err = hw_sim_fault(o.span, HW_SIM_RELAY_DEAD, 1);
	TEST_ERR(err);
	TEST_EQ(EIO, hw_bypass_set(o.span, true));
	err = barrier(&o, &p, 9);       /* a RELAY sent before it would be in by now */
	TEST_ERR(err);
	TEST_ASSERT(!hw_sim_relay_engaged(p.span));
	TEST_ASSERT(!hw_sim_relay_engaged(o.span));
	TEST_EQ(1, atomic_load(&p.relay_calls));
	err = hw_sim_fault(o.span, HW_SIM_RELAY_DEAD, 0);
	TEST_ERR(err);
	err = hw_bypass_set(o.span, true);
	TEST_ERR(err);
	TEST_WAIT(hw_sim_relay_engaged(p.span));
 out:
	close_end(&p);
	close_end(&o);
	return leak_check(err);
}

int test_sim_second_attacher_is_refused_while_one_is_connected(void)
{
	struct end o = { 0 }, p = { 0 }, q = { 0 };
	char path[256];
	int err;

	sock_path(path, sizeof(path), "second.sock");
	err = open_pair(&o, &p, "second.sock");
	TEST_ERR(err);
	err = open_end(&q, path, true);
	TEST_ERR(err);
	/* refused at least twice: it retries and is refused again */
	TEST_WAIT(stats(&o).refused >= 2);
	TEST_ASSERT(!hw_sim_connected(q.span));
	TEST_EQ(LOSRED, hw_span_alarms(q.span));
	TEST_ASSERT(hw_sim_connected(p.span));
	TEST_EQ(0, hw_span_alarms(o.span));
	err = barrier(&o, &p, 10);
	TEST_ERR(err);
	TEST_EQ(0, atomic_load(&q.frames));
	/* the first leaves: the second gets the line */
	close_end(&p);
	TEST_WAIT(hw_sim_connected(q.span) && hw_span_alarms(q.span) == 0);
	err = barrier(&o, &q, 11);
	TEST_ERR(err);
 out:
	close_end(&q);
	close_end(&p);
	close_end(&o);
	return leak_check(err);
}

int test_sim_stale_socket_is_replaced_and_live_one_refused(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct end o = { 0 }, p = { 0 }, o2 = { 0 };
	char path[256], file[256];
	FILE *f;
	int fd, err;

	sock_path(path, sizeof(path), "stale.sock");
	/* a socket file nobody listens on: what a crashed daemon leaves */
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	TEST_ASSERT(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	TEST_EQ(0, bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
	close(fd);
	TEST_EQ(0, access(path, F_OK));
	err = open_end(&o, path, false);
	TEST_ERR(err);
	err = open_end(&p, path, true);
	TEST_ERR(err);
	TEST_WAIT(hw_sim_connected(o.span) && hw_sim_connected(p.span));
	/* a second owner on a live socket is refused, and the first keeps its peer */
	TEST_EQ(EADDRINUSE, open_end(&o2, path, false));
	err = barrier(&o, &p, 12);
	TEST_ERR(err);
	TEST_ASSERT(hw_sim_connected(p.span));
	/* something that is not a socket is never removed */
	sock_path(file, sizeof(file), "file.sock");
	f = fopen(file, "w");
	TEST_ASSERT(f != NULL);
	fclose(f);
	TEST_EQ(EEXIST, open_end(&o2, file, false));
	TEST_EQ(0, access(file, F_OK));
 out:
	close_end(&p);
	close_end(&o);
	return leak_check(err);
}

int test_sim_span_type_mismatch_keeps_the_line_in_los(void)
{
	struct end o = { 0 }, p = { 0 };
	char path[256];
	int err;

	sock_path(path, sizeof(path), "mismatch.sock");
	err = open_end_ms(&o, path, false, HW_SPAN_E1, 20);
	TEST_ERR(err);
	err = open_end_ms(&p, path, true, HW_SPAN_T1, 20);
	TEST_ERR(err);
	TEST_WAIT(stats(&o).hello_mismatch == 1 && stats(&p).hello_mismatch == 1);
	TEST_EQ(LOSRED, hw_span_alarms(o.span));
	TEST_EQ(LOSRED, hw_span_alarms(p.span));
	TEST_ASSERT(!hw_sim_connected(o.span) && !hw_sim_connected(p.span));
	TEST_EQ(ENOTCONN, hw_dchan_send(p.span, (const uint8_t *)"abc", 3));
	TEST_EQ(0, stats(&o).proto_errors);
 out:
	close_end(&p);
	close_end(&o);
	return leak_check(err);
}

/* A raw client speaking the protocol badly. */
static int raw_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static int raw_send(int fd, uint8_t type, const void *p, size_t len, uint16_t len_field)
{
	uint8_t buf[64];
	struct sim_hdr h = { .type = type, .version = SIM_PROTO_VERSION, .len = len_field };

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), p, len);
	return send(fd, buf, sizeof(h) + len, MSG_NOSIGNAL) < 0 ? errno : 0;
}

int test_sim_malformed_message_drops_the_peer(void)
{
	struct sim_hello hello = { .span_type = HW_SPAN_E1, .frame_ms = 20, .role = SIM_ROLE_ATTACH };
	struct end o = { 0 }, p = { 0 };
	char path[256];
	int fd = -1, err;

	sock_path(path, sizeof(path), "bad.sock");
	err = open_end(&o, path, false);
	TEST_ERR(err);
	/* a length field that does not match the message */
	fd = raw_connect(path);
	TEST_ASSERT(fd >= 0);
	TEST_EQ(0, raw_send(fd, SIM_MSG_HELLO, &hello, sizeof(hello), sizeof(hello)));
	TEST_WAIT(hw_sim_connected(o.span));
	TEST_EQ(0, raw_send(fd, SIM_MSG_AUDIO, "xyz", 3, 4));
	TEST_WAIT(stats(&o).proto_errors == 1 && !hw_sim_connected(o.span));
	TEST_WAIT(hw_span_alarms(o.span) == LOSRED);
	close(fd);
	/* anything but HELLO first */
	fd = raw_connect(path);
	TEST_ASSERT(fd >= 0);
	TEST_EQ(0, raw_send(fd, SIM_MSG_DCHAN, "abc", 3, 3));
	TEST_WAIT(stats(&o).proto_errors == 2);
	close(fd);
	fd = -1;
	/* a proper peer still gets the line */
	err = open_end(&p, path, true);
	TEST_ERR(err);
	TEST_WAIT(hw_sim_connected(o.span) && hw_span_alarms(o.span) == 0);
	err = barrier(&p, &o, 13);
	TEST_ERR(err);
 out:
	if (fd >= 0)
		close(fd);
	close_end(&p);
	close_end(&o);
	return leak_check(err);
}

int test_sim_knobs_refuse_spans_of_other_drivers(void)
{
	static const struct hw_driver other = { .name = "other", .caps = HW_CAP_E1 };
	struct hw_span span = { .drv = &other, .name = "x", .type = HW_SPAN_E1 };
	struct end o = { 0 };
	char path[256];
	int err = 0;

	TEST_EQ(ENOTSUP, hw_sim_fault(&span, HW_SIM_CABLE_PULL, 0));
	TEST_EQ(EINVAL, hw_sim_fault(NULL, HW_SIM_CABLE_PULL, 0));
	TEST_ASSERT(!hw_sim_connected(&span));
	TEST_ASSERT(!hw_sim_relay_engaged(&span));
	sock_path(path, sizeof(path), "knob.sock");
	err = open_end(&o, path, false);
	TEST_ERR(err);
	TEST_EQ(EINVAL, hw_sim_fault(o.span, (enum hw_sim_fault)99, 0));
	/* apply: names change live, the socket does not */
	{
		struct hw_span_cfg c = {
			.name = "renamed", .type = HW_SPAN_E1, .framing = HW_FRAMING_CCS,
			.line_code = HW_LINE_AMI, .signalling = HW_SIG_PRI, .device = path,
		};

		TEST_EQ(0, hw_span_apply(o.span, &c));
		TEST_STREQ("renamed", o.span->name);
		c.device = "/nonexistent/other.sock";
		TEST_EQ(ENOTSUP, hw_span_apply(o.span, &c));
	}
 out:
	close_end(&o);
	return leak_check(err);
}
