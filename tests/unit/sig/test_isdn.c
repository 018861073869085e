/*
 * test_isdn.c -- the ISDN span module (daemon/sig) end to end: a network side
 * and a user side joined by the in-memory loop of isdn_loop.c, real Q.921
 * and Q.931 between them, libpri's timers on a fake clock.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "isdn.h"
#include "isdn_loop.h"
#include "test.h"
#include "tg.h"

int test_isdn_layer2_comes_up_for_every_switch_type_and_side(void);
int test_isdn_call_carries_numbers_and_clears_with_the_cause_on_both_sides(void);
int test_isdn_alerting_and_progress_report_inband_information(void);
int test_isdn_incoming_call_refused_at_once_reaches_the_caller_with_its_cause(void);
int test_isdn_caller_giving_up_before_an_answer_releases_both_ends(void);
int test_isdn_all_t1_channels_busy_refuses_the_next_call(void);
int test_isdn_all_e1_channels_busy_refuses_the_next_call(void);
int test_isdn_setup_with_no_free_channel_is_refused_with_cause_34(void);
int test_isdn_glare_on_an_exclusive_channel_lets_the_network_call_win(void);
int test_isdn_glare_on_a_preferred_channel_moves_the_user_call(void);
int test_isdn_restart_releases_calls_and_returns_channels_to_idle(void);
int test_isdn_layer1_loss_clears_calls_with_cause_38_and_recovers(void);
int test_isdn_layer2_loss_clears_unanswered_calls_and_keeps_answered_ones_for_t309(void);
int test_isdn_hunting_picks_channels_in_the_configured_order(void);
int test_isdn_call_place_before_layer2_is_up_fails_with_enotconn(void);
int test_isdn_channel_map_follows_the_span_type(void);
int test_isdn_span_destroy_with_calls_up_leaks_nothing(void);
int test_isdn_parsers_refuse_unknown_names(void);

/* ---- the switch types ---- */

static const struct swcase {
	const char *what;
	enum hw_span_type type;
	enum isdn_switch sw;
	bool name_to_user, name_to_net;         /* the switch carries the calling name */
	bool allowed_is_network;                /* libpri sends "allowed" as network-provided */
} switches[] = {
	{ "NI2 on T1", HW_SPAN_T1, ISDN_SWITCH_NI2, true, true, false },
	{ "5ESS on T1", HW_SPAN_T1, ISDN_SWITCH_5ESS, true, true, false },
	{ "DMS100 on T1", HW_SPAN_T1, ISDN_SWITCH_DMS100, true, true, true },
	{ "EuroISDN on E1", HW_SPAN_E1, ISDN_SWITCH_EUROISDN, true, false, false },
	{ "EuroISDN on T1", HW_SPAN_T1, ISDN_SWITCH_EUROISDN, true, false, false },
	{ "QSIG on E1", HW_SPAN_E1, ISDN_SWITCH_QSIG, true, true, false },
};

int test_isdn_layer2_comes_up_for_every_switch_type_and_side(void)
{
	struct loop_pair p = { 0 };
	int err = 0;

	for (unsigned i = 0; i < TG_ARRAY_SIZE(switches); i++) {
		for (int user_first = 0; user_first < 2; user_first++) {
			struct loop_cfg pc = { .type = switches[i].type, .sw = switches[i].sw,
					       .user_first = user_first };

			printf("# %s, %s side first\n", switches[i].what, user_first ? "user" : "network");
			CHECK(loop_up(&p, &pc));
			TEST_ASSERT(isdn_link_up(p.net->span) && isdn_link_up(p.user->span));
			TEST_EQ(1, p.net->link_ups);
			TEST_EQ(1, p.user->link_ups);
			TEST_EQ(switches[i].type == HW_SPAN_T1 ? 23 : 30,
				isdn_channel_count(p.net->span));
			loop_close(&p);
		}
	}
 out:
	loop_close(&p);
	return err;
}

/* One call: numbers as sent arrive as sent; cleared by `hang_caller` or not. */
static int numbered_call(struct loop_pair *p, const struct swcase *sc, bool from_net,
			 bool restricted, bool hang_caller, int cause)
{
	struct loop_side *from = from_net ? p->net : p->user;
	struct loop_rec *out = NULL, *in = NULL;
	struct isdn_setup st = { 0 };
	bool name_carried = from_net ? sc->name_to_user : sc->name_to_net;
	int err;

	loop_number_set(&st.called, "4930123456", ISDN_TON_NATIONAL, ISDN_NPI_E164, 0, 0);
	if (restricted)
		loop_number_set(&st.calling, "2125550100", ISDN_TON_SUBSCRIBER, ISDN_NPI_PRIVATE,
			   ISDN_PRES_RESTRICTED, ISDN_SCREEN_NETWORK);
	else
		loop_number_set(&st.calling, "15551230000", ISDN_TON_INTERNATIONAL, ISDN_NPI_E164,
			   ISDN_PRES_ALLOWED, ISDN_SCREEN_USER_PASSED);
	snprintf(st.calling_name, sizeof(st.calling_name), "Alice Example");

	err = loop_place(p, from, &st, &out, &in);
	TEST_ERR(err);
	TEST_ASSERT(in != NULL);
	TEST_EQ(isdn_call_channel(out->c), isdn_call_channel(in->c));
	TEST_ASSERT(isdn_call_outgoing(out->c) && !isdn_call_outgoing(in->c));
	TEST_STREQ("4930123456", in->setup.called.digits);
	TEST_EQ(ISDN_TON_NATIONAL, in->setup.called.ton);
	TEST_EQ(ISDN_NPI_E164, in->setup.called.npi);
	TEST_STREQ(st.calling.digits, in->setup.calling.digits);
	TEST_EQ(st.calling.ton, in->setup.calling.ton);
	TEST_EQ(st.calling.npi, in->setup.calling.npi);
	TEST_EQ(st.calling.pres, in->setup.calling.pres);
	TEST_EQ(!restricted && sc->allowed_is_network ? ISDN_SCREEN_NETWORK : st.calling.screen,
		in->setup.calling.screen);
	if (restricted)
		TEST_STREQ("", in->setup.calling_name);         /* withheld */
	else if (name_carried)
		TEST_STREQ("Alice Example", in->setup.calling_name);
	CHECK(loop_answer(p, out, in));
	CHECK(loop_hang_up(p, hang_caller ? out : in, hang_caller ? in : out, cause));
	CHECK(loop_all_idle(p));
 out:
	return err;
}

int test_isdn_call_carries_numbers_and_clears_with_the_cause_on_both_sides(void)
{
	struct loop_pair p = { 0 };
	int err = 0;

	for (unsigned i = 0; i < TG_ARRAY_SIZE(switches); i++) {
		struct loop_cfg pc = { .type = switches[i].type, .sw = switches[i].sw };

		printf("# %s\n", switches[i].what);
		CHECK(loop_up(&p, &pc));
		/* network to user, and back; the caller or the callee clears */
		CHECK(numbered_call(&p, &switches[i], true, false, true, ISDN_CAUSE_NORMAL_CLEARING));
		CHECK(numbered_call(&p, &switches[i], false, false, false, ISDN_CAUSE_USER_BUSY));
		CHECK(numbered_call(&p, &switches[i], true, true, false, ISDN_CAUSE_USER_BUSY));
		CHECK(numbered_call(&p, &switches[i], false, true, true, ISDN_CAUSE_NORMAL_CLEARING));
		loop_close(&p);
	}
 out:
	loop_close(&p);
	return err;
}

int test_isdn_alerting_and_progress_report_inband_information(void)
{
	struct loop_cfg pc = { .type = HW_SPAN_E1, .sw = ISDN_SWITCH_EUROISDN };
	struct loop_pair p = { 0 };
	struct loop_rec *out = NULL, *in = NULL;
	int err;

	err = loop_up(&p, &pc);
	TEST_ERR(err);
	CHECK(loop_place(&p, p.net, &loop_plain_setup, &out, &in));
	TEST_ASSERT(in != NULL);
	CHECK(isdn_call_proceeding(in->c));
	CHECK(isdn_call_progress(in->c, true));
	TEST_ASSERT(loop_pump(&p));
	TEST_EQ(1, out->progress);
	TEST_ASSERT(out->inband);
	CHECK(isdn_call_alerting(in->c, false));
	TEST_ASSERT(loop_pump(&p));
	TEST_EQ(1, out->alerting);
	TEST_ASSERT(!out->inband);
	TEST_EQ(EINVAL, isdn_call_answer(out->c));     /* the caller does not answer */
	CHECK(isdn_call_answer(in->c));
	TEST_ASSERT(loop_pump(&p));
	TEST_EQ(1, out->answered);
	CHECK(loop_hang_up(&p, out, in, ISDN_CAUSE_NORMAL_CLEARING));
	CHECK(loop_all_idle(&p));

	/* the user side alerts with in-band tones towards the network */
	CHECK(loop_place(&p, p.user, &loop_plain_setup, &out, &in));
	CHECK(isdn_call_alerting(in->c, true));
	TEST_ASSERT(loop_pump(&p));
	TEST_EQ(1, out->alerting);
	TEST_ASSERT(out->inband);
	CHECK(loop_hang_up(&p, in, out, ISDN_CAUSE_NO_ANSWER));
	CHECK(loop_all_idle(&p));
 out:
	loop_close(&p);
	return err;
}

/* The owner refuses inside incoming(): libpri needs RELEASE COMPLETE causes
 * (34) and others (17, 21) sent differently; the caller gets the cause. */
int test_isdn_incoming_call_refused_at_once_reaches_the_caller_with_its_cause(void)
{
	static const int causes[] = { ISDN_CAUSE_USER_BUSY, ISDN_CAUSE_NO_CIRCUIT,
				      ISDN_CAUSE_CALL_REJECTED, ISDN_CAUSE_UNALLOCATED };
	struct loop_cfg pc = { .type = HW_SPAN_T1, .sw = ISDN_SWITCH_5ESS };
	struct loop_rec *out = NULL, *in = NULL;
	struct loop_pair p = { 0 };
	int err;

	err = loop_up(&p, &pc);
	TEST_ERR(err);
	for (unsigned i = 0; i < TG_ARRAY_SIZE(causes); i++) {
		struct loop_side *to = i % 2 ? p.net : p.user;

		to->refuse = causes[i];
		CHECK(loop_place(&p, to->peer, &loop_plain_setup, &out, &in));
		TEST_ASSERT(in != NULL);
		TEST_EQ(1, out->released);
		TEST_EQ(causes[i], out->cause);
		TEST_EQ(1, in->released);
		TEST_EQ(causes[i], in->cause);
		TEST_EQ(0, out->answered);
		CHECK(loop_all_idle(&p));
		to->refuse = 0;
	}
 out:
	loop_close(&p);
	return err;
}

/* The caller clears before the called owner has said anything itself. */
int test_isdn_caller_giving_up_before_an_answer_releases_both_ends(void)
{
	struct loop_cfg pc = { .type = HW_SPAN_E1, .sw = ISDN_SWITCH_QSIG };
	struct loop_rec *out = NULL, *in = NULL;
	struct loop_pair p = { 0 };
	int err;

	err = loop_up(&p, &pc);
	TEST_ERR(err);
	CHECK(loop_place(&p, p.user, &loop_plain_setup, &out, &in));
	TEST_ASSERT(in && in->c);
	TEST_EQ(1, out->proceeding);            /* the span answered the SETUP itself */
	CHECK(loop_hang_up(&p, out, in, ISDN_CAUSE_NO_ANSWER));
	CHECK(loop_all_idle(&p));
	/* and before anything came back at all */
	out = loop_rec_new(p.net);
	CHECK(isdn_call_place(p.net->span, &loop_plain_setup, out, &out->c));
	CHECK(isdn_call_hangup(out->c, ISDN_CAUSE_NORMAL_CLEARING));
	TEST_ASSERT(loop_pump(&p));
	TEST_EQ(1, out->released);
	TEST_EQ(ISDN_CAUSE_NORMAL_CLEARING, out->cause);
	TEST_EQ(1, p.user->last_in->released);
	CHECK(loop_all_idle(&p));
 out:
	loop_close(&p);
	return err;
}

/* Fill every B channel from the network side, answered. */
static int fill(struct loop_pair *p, unsigned n, struct loop_rec **outs, struct loop_rec **ins)
{
	int err = 0;

	for (unsigned i = 0; i < n; i++) {
		err = loop_place(p, p->net, &loop_plain_setup, &outs[i], &ins[i]);
		TEST_ERR(err);
		TEST_ASSERT(ins[i] != NULL);
		CHECK(isdn_call_answer(ins[i]->c));
	}
	TEST_ASSERT(loop_pump(p));
	for (unsigned i = 0; i < n; i++)
		TEST_EQ(1, outs[i]->answered);
 out:
	return err;
}

static int all_busy(enum hw_span_type type)
{
	struct loop_cfg pc = { .type = type,
			       .sw = type == HW_SPAN_T1 ? ISDN_SWITCH_NI2 : ISDN_SWITCH_EUROISDN };
	struct loop_rec *outs[30] = { 0 }, *ins[30] = { 0 }, *extra = NULL;
	unsigned n = type == HW_SPAN_T1 ? 23 : 30;
	struct loop_pair p = { 0 };
	struct isdn_call *c = NULL;
	int err;

	err = loop_up(&p, &pc);
	TEST_ERR(err);
	CHECK(fill(&p, n, outs, ins));
	TEST_EQ(n, isdn_active_calls(p.net->span));
	TEST_EQ(n, isdn_active_calls(p.user->span));
	TEST_ASSERT(loop_all_channels(p.net, ISDN_CHAN_BUSY));
	TEST_ASSERT(loop_all_channels(p.user, ISDN_CHAN_BUSY));
	TEST_EQ(EBUSY, isdn_call_place(p.net->span, &loop_plain_setup, NULL, &c));
	TEST_EQ(EBUSY, isdn_call_place(p.user->span, &loop_plain_setup, NULL, &c));
	TEST_EQ(EBUSY, loop_place(&p, p.user, &loop_plain_setup, &extra, NULL));
	for (unsigned i = 0; i < n; i++)
		CHECK(isdn_call_hangup(i % 2 ? outs[i]->c : ins[i]->c, ISDN_CAUSE_NORMAL_CLEARING));
	TEST_ASSERT(loop_pump(&p));
	for (unsigned i = 0; i < n; i++) {
		TEST_EQ(1, outs[i]->released);
		TEST_EQ(1, ins[i]->released);
	}
	CHECK(loop_all_idle(&p));
 out:
	loop_close(&p);
	return err;
}

int test_isdn_all_t1_channels_busy_refuses_the_next_call(void)
{
	return all_busy(HW_SPAN_T1);
}

int test_isdn_all_e1_channels_busy_refuses_the_next_call(void)
{
	return all_busy(HW_SPAN_E1);
}

/* Both ends hunt the last free channel at once: the network's SETUP takes
 * it, the user's (offered preferred) finds nothing else free: cause 34. */
int test_isdn_setup_with_no_free_channel_is_refused_with_cause_34(void)
{
	struct loop_cfg pc = { .type = HW_SPAN_T1, .sw = ISDN_SWITCH_NI2 };
	struct loop_rec *outs[23] = { 0 }, *ins[23] = { 0 }, *nout = NULL, *uout = NULL, *nin = NULL;
	struct loop_pair p = { 0 };
	int err;

	err = loop_up(&p, &pc);
	TEST_ERR(err);
	CHECK(fill(&p, 22, outs, ins));
	TEST_EQ(1, loop_channels_in(p.net, ISDN_CHAN_IDLE));
	nout = loop_rec_new(p.net);
	uout = loop_rec_new(p.user);
	CHECK(isdn_call_place(p.net->span, &loop_plain_setup, nout, &nout->c));
	CHECK(isdn_call_place(p.user->span, &loop_plain_setup, uout, &uout->c));
	TEST_EQ(23, isdn_call_channel(nout->c));
	TEST_EQ(23, isdn_call_channel(uout->c));
	TEST_ASSERT(loop_pump(&p));
	TEST_EQ(1, uout->released);
	TEST_EQ(ISDN_CAUSE_NO_CIRCUIT, uout->cause);
	nin = p.user->last_in;
	TEST_ASSERT(nin && nin->c);
	TEST_EQ(23, isdn_call_channel(nin->c));
	CHECK(loop_answer(&p, nout, nin));
	CHECK(loop_hang_up(&p, nout, nin, ISDN_CAUSE_NORMAL_CLEARING));
	for (unsigned i = 0; i < 22; i++)
		CHECK(isdn_call_hangup(outs[i]->c, ISDN_CAUSE_NORMAL_CLEARING));
	TEST_ASSERT(loop_pump(&p));
	CHECK(loop_all_idle(&p));
 out:
	loop_close(&p);
	return err;
}

static int glare(bool user_exclusive)
{
	struct loop_cfg pc = { .type = HW_SPAN_E1, .sw = ISDN_SWITCH_EUROISDN };
	struct isdn_setup st = loop_plain_setup;
	struct loop_rec *nout, *uout, *nin, *uin = NULL;
	struct loop_pair p = { 0 };
	int err;

	err = loop_up(&p, &pc);
	TEST_ERR(err);
	nout = loop_rec_new(p.net);
	uout = loop_rec_new(p.user);
	st.channel = 5;
	st.exclusive = true;
	CHECK(isdn_call_place(p.net->span, &st, nout, &nout->c));
	st.exclusive = user_exclusive;
	CHECK(isdn_call_place(p.user->span, &st, uout, &uout->c));
	TEST_ASSERT(loop_pump(&p));
	/* the network's call has channel 5 at both ends */
	nin = p.user->last_in;
	TEST_ASSERT(nin && nin->c);
	TEST_EQ(5, isdn_call_channel(nin->c));
	TEST_EQ(5, isdn_call_channel(nout->c));
	if (user_exclusive) {
		TEST_EQ(1, uout->released);
		TEST_EQ(ISDN_CAUSE_CHANNEL_UNAVAILABLE, uout->cause);
	} else {
		/* the network moved the user's call to the first free channel */
		uin = p.net->last_in;
		TEST_ASSERT(uin && uin->c);
		TEST_EQ(1, isdn_call_channel(uin->c));
		CHECK(loop_answer(&p, uout, uin));
		TEST_EQ(1, isdn_call_channel(uout->c));
	}
	CHECK(loop_answer(&p, nout, nin));
	TEST_EQ(user_exclusive ? 1 : 2, loop_channels_in(p.user, ISDN_CHAN_BUSY));
	TEST_EQ(user_exclusive ? 1 : 2, loop_channels_in(p.net, ISDN_CHAN_BUSY));
	CHECK(loop_hang_up(&p, nin, nout, ISDN_CAUSE_NORMAL_CLEARING));
	if (uin)
		CHECK(loop_hang_up(&p, uout, uin, ISDN_CAUSE_NORMAL_CLEARING));
	CHECK(loop_all_idle(&p));
 out:
	loop_close(&p);
	return err;
}

int test_isdn_glare_on_an_exclusive_channel_lets_the_network_call_win(void)
{
	return glare(true);
}

int test_isdn_glare_on_a_preferred_channel_moves_the_user_call(void)
{
	return glare(false);
}

int test_isdn_restart_releases_calls_and_returns_channels_to_idle(void)
{
	struct loop_cfg pc = { .type = HW_SPAN_T1, .sw = ISDN_SWITCH_NI2 };
	struct loop_rec *out[3] = { 0 }, *in[3] = { 0 };
	struct loop_pair p = { 0 };
	int err;

	err = loop_up(&p, &pc);
	TEST_ERR(err);
	CHECK(loop_connect(&p, p.net, &loop_plain_setup, &out[0], &in[0]));
	CHECK(loop_connect(&p, p.net, &loop_plain_setup, &out[1], &in[1]));
	CHECK(loop_connect(&p, p.user, &loop_plain_setup, &out[2], &in[2]));
	TEST_EQ(EINVAL, isdn_restart(NULL));

	CHECK(isdn_restart(p.net->span));
	/* our own end: released at once, channels restarting until acknowledged */
	TEST_EQ(0, isdn_active_calls(p.net->span));
	TEST_EQ(1, out[0]->released);
	TEST_EQ(1, in[2]->released);
	TEST_EQ(ISDN_CAUSE_TEMPORARY_FAILURE, out[0]->cause);
	TEST_EQ(23, loop_channels_in(p.net, ISDN_CHAN_RESTARTING));
	TEST_ASSERT(loop_pump(&p));
	for (unsigned i = 0; i < 3; i++) {
		TEST_EQ(1, out[i]->released);
		TEST_EQ(1, in[i]->released);
		TEST_EQ(ISDN_CAUSE_TEMPORARY_FAILURE, i == 2 ? out[i]->cause : in[i]->cause);
	}
	TEST_EQ(23, p.user->restarted);
	CHECK(loop_all_idle(&p));
	/* and calls work afterwards, both ways */
	CHECK(loop_connect(&p, p.user, &loop_plain_setup, &out[0], &in[0]));
	CHECK(loop_hang_up(&p, in[0], out[0], ISDN_CAUSE_NORMAL_CLEARING));
	CHECK(loop_connect(&p, p.net, &loop_plain_setup, &out[1], &in[1]));
	CHECK(loop_hang_up(&p, out[1], in[1], ISDN_CAUSE_NORMAL_CLEARING));
	CHECK(loop_all_idle(&p));
 out:
	loop_close(&p);
	return err;
}

int test_isdn_layer1_loss_clears_calls_with_cause_38_and_recovers(void)
{
	struct loop_cfg pc = { .type = HW_SPAN_E1, .sw = ISDN_SWITCH_EUROISDN };
	struct loop_rec *out[2] = { 0 }, *in[2] = { 0 }, *r = NULL;
	struct loop_pair p = { 0 };
	int err;

	err = loop_up(&p, &pc);
	TEST_ERR(err);
	CHECK(loop_connect(&p, p.net, &loop_plain_setup, &out[0], &in[0]));
	CHECK(loop_connect(&p, p.user, &loop_plain_setup, &out[1], &in[1]));

	isdn_layer1(p.net->span, false);
	isdn_layer1(p.user->span, false);
	for (unsigned i = 0; i < 2; i++) {
		TEST_EQ(1, out[i]->released);
		TEST_EQ(1, in[i]->released);
		TEST_EQ(ISDN_CAUSE_NETWORK_OUT_OF_ORDER, out[i]->cause);
		TEST_EQ(ISDN_CAUSE_NETWORK_OUT_OF_ORDER, in[i]->cause);
	}
	TEST_ASSERT(!p.net->link && !p.user->link);
	TEST_ASSERT(!isdn_link_up(p.net->span) && !isdn_link_up(p.user->span));
	TEST_ASSERT(loop_all_channels(p.net, ISDN_CHAN_OUT_OF_SERVICE));
	TEST_ASSERT(loop_all_channels(p.user, ISDN_CHAN_OUT_OF_SERVICE));
	TEST_EQ(ENOTCONN, loop_place(&p, p.net, &loop_plain_setup, &r, NULL));
	/* libpri keeps asking for the link into the dead line */
	loop_wait(&p, loop_never, 10);
	TEST_ASSERT(!p.net->link && !p.user->link);

	isdn_layer1(p.net->span, true);
	isdn_layer1(p.user->span, true);
	TEST_ASSERT(loop_wait(&p, loop_links_up, 50));
	TEST_EQ(2, p.net->link_ups);
	TEST_EQ(2, p.user->link_ups);
	CHECK(loop_all_idle(&p));
	CHECK(loop_connect(&p, p.net, &loop_plain_setup, &out[0], &in[0]));
	CHECK(loop_hang_up(&p, in[0], out[0], ISDN_CAUSE_NORMAL_CLEARING));
	CHECK(loop_connect(&p, p.user, &loop_plain_setup, &out[1], &in[1]));
	CHECK(loop_hang_up(&p, out[1], in[1], ISDN_CAUSE_NORMAL_CLEARING));
	CHECK(loop_all_idle(&p));
 out:
	loop_close(&p);
	return err;
}

/* The line goes silent with layer 1 still up (nobody tells the spans):
 * libpri finds out by T203/T200, clears calls not yet answered at once and
 * gives answered ones T309 (6 s) to see the link come back. */
int test_isdn_layer2_loss_clears_unanswered_calls_and_keeps_answered_ones_for_t309(void)
{
	struct loop_cfg pc = { .type = HW_SPAN_E1, .sw = ISDN_SWITCH_EUROISDN };
	struct loop_rec *aout = NULL, *ain = NULL, *bout = NULL, *bin = NULL;
	struct loop_pair p = { 0 };
	unsigned achan;
	int err;

	err = loop_up(&p, &pc);
	TEST_ERR(err);
	CHECK(loop_connect(&p, p.net, &loop_plain_setup, &aout, &ain));
	CHECK(loop_place(&p, p.user, &loop_plain_setup, &bout, &bin));
	achan = isdn_call_channel(aout->c);

	p.cut = true;
	TEST_ASSERT(loop_wait(&p, loop_links_down, 100));
	/* libpri first tries to re-establish; when that fails too (N200 x
	 * T200) it clears the unanswered call and starts T309 */
	p.watch[0] = bout;
	p.watch[1] = bin;
	TEST_ASSERT(loop_wait(&p, loop_watched_released, 100));
	TEST_EQ(1, bout->released);
	TEST_EQ(1, bin->released);
	TEST_EQ(27, bout->cause);               /* destination out of order */
	TEST_EQ(27, bin->cause);
	TEST_EQ(0, aout->released);
	TEST_EQ(0, ain->released);
	TEST_EQ(ISDN_CHAN_BUSY, isdn_channel_state(p.net->span, achan));
	TEST_EQ(29, loop_channels_in(p.net, ISDN_CHAN_OUT_OF_SERVICE));
	TEST_EQ(29, loop_channels_in(p.user, ISDN_CHAN_OUT_OF_SERVICE));

	/* back within T309: the answered call carries on */
	p.cut = false;
	TEST_ASSERT(loop_wait(&p, loop_links_up, 100));
	TEST_EQ(0, aout->released);
	TEST_EQ(1, isdn_active_calls(p.net->span));
	TEST_EQ(29, loop_channels_in(p.user, ISDN_CHAN_IDLE));

	/* gone for longer than T309: it is cleared too */
	p.cut = true;
	p.watch[0] = aout;
	p.watch[1] = ain;
	TEST_ASSERT(loop_wait(&p, loop_watched_released, 100));
	TEST_ASSERT(!p.net->link && !p.user->link);
	TEST_EQ(27, aout->cause);
	TEST_EQ(27, ain->cause);
	TEST_ASSERT(loop_all_channels(p.net, ISDN_CHAN_OUT_OF_SERVICE));
	p.cut = false;
	TEST_ASSERT(loop_wait(&p, loop_links_up, 100));
	CHECK(loop_all_idle(&p));
	CHECK(loop_connect(&p, p.user, &loop_plain_setup, &aout, &ain));
	CHECK(loop_hang_up(&p, aout, ain, ISDN_CAUSE_NORMAL_CLEARING));
 out:
	loop_close(&p);
	return err;
}

/* Place n calls from the network side; the channels they got, in order. */
static int hunt(struct loop_pair *p, unsigned n, struct loop_rec **outs, unsigned *chans)
{
	struct loop_rec *in;
	int err = 0;

	for (unsigned i = 0; i < n; i++) {
		CHECK(loop_place(p, p->net, &loop_plain_setup, &outs[i], &in));
		chans[i] = isdn_call_channel(outs[i]->c);
	}
 out:
	return err;
}

static int hang_up_all(struct loop_pair *p, struct loop_rec **outs, unsigned n)
{
	int err = 0;

	for (unsigned i = 0; i < n; i++)
		if (outs[i] && outs[i]->c)
			CHECK(isdn_call_hangup(outs[i]->c, ISDN_CAUSE_NORMAL_CLEARING));
	TEST_ASSERT(loop_pump(p));
	CHECK(loop_all_idle(p));
 out:
	return err;
}

int test_isdn_hunting_picks_channels_in_the_configured_order(void)
{
	struct loop_cfg asc = { .type = HW_SPAN_T1, .sw = ISDN_SWITCH_NI2,
				.hunt_net = ISDN_HUNT_ASCENDING };
	struct loop_cfg desc = { .type = HW_SPAN_T1, .sw = ISDN_SWITCH_NI2,
				 .hunt_net = ISDN_HUNT_DESCENDING };
	struct loop_cfg rr = { .type = HW_SPAN_T1, .sw = ISDN_SWITCH_NI2,
			       .hunt_net = ISDN_HUNT_ROUND_ROBIN };
	struct loop_cfg e1 = { .type = HW_SPAN_E1, .sw = ISDN_SWITCH_EUROISDN,
			       .hunt_net = ISDN_HUNT_ASCENDING };
	struct loop_cfg e1d = { .type = HW_SPAN_E1, .sw = ISDN_SWITCH_EUROISDN,
				.hunt_net = ISDN_HUNT_DESCENDING };
	struct loop_rec *outs[16] = { 0 };
	unsigned ch[16];
	struct loop_pair p = { 0 };
	int err;

	err = loop_up(&p, &asc);
	TEST_ERR(err);
	CHECK(hunt(&p, 3, outs, ch));
	TEST_EQ(1, ch[0]);
	TEST_EQ(2, ch[1]);
	TEST_EQ(3, ch[2]);
	CHECK(hang_up_all(&p, outs, 3));
	CHECK(hunt(&p, 1, outs, ch));
	TEST_EQ(1, ch[0]);                      /* lowest free again */
	CHECK(hang_up_all(&p, outs, 1));
	loop_close(&p);

	CHECK(loop_up(&p, &desc));
	CHECK(hunt(&p, 3, outs, ch));
	TEST_EQ(23, ch[0]);
	TEST_EQ(22, ch[1]);
	TEST_EQ(21, ch[2]);
	CHECK(hang_up_all(&p, outs, 3));
	loop_close(&p);

	CHECK(loop_up(&p, &rr));
	CHECK(hunt(&p, 3, outs, ch));
	TEST_EQ(1, ch[0]);
	TEST_EQ(2, ch[1]);
	TEST_EQ(3, ch[2]);
	CHECK(hang_up_all(&p, outs, 3));
	CHECK(hunt(&p, 2, outs, ch));
	TEST_EQ(4, ch[0]);                      /* goes on after the last one used */
	TEST_EQ(5, ch[1]);
	CHECK(hang_up_all(&p, outs, 2));
	loop_close(&p);

	/* E1: channel 16 is the D channel, loop_never hunted */
	CHECK(loop_up(&p, &e1));
	CHECK(hunt(&p, 16, outs, ch));
	TEST_EQ(15, ch[14]);
	TEST_EQ(17, ch[15]);
	CHECK(hang_up_all(&p, outs, 16));
	loop_close(&p);
	CHECK(loop_up(&p, &e1d));
	CHECK(hunt(&p, 1, outs, ch));
	TEST_EQ(31, ch[0]);
	CHECK(hang_up_all(&p, outs, 1));
 out:
	loop_close(&p);
	return err;
}

int test_isdn_call_place_before_layer2_is_up_fails_with_enotconn(void)
{
	struct loop_cfg pc = { .type = HW_SPAN_T1, .sw = ISDN_SWITCH_DMS100 };
	struct isdn_call *c = NULL;
	struct loop_pair p = { 0 };
	int err;

	err = loop_open(&p, &pc);
	TEST_ERR(err);
	TEST_ASSERT(!isdn_link_up(p.net->span));
	TEST_ASSERT(loop_all_channels(p.net, ISDN_CHAN_OUT_OF_SERVICE));
	TEST_EQ(ENOTCONN, isdn_call_place(p.net->span, &loop_plain_setup, NULL, &c));
	TEST_EQ(ENOTCONN, isdn_restart(p.user->span));
	TEST_ASSERT(c == NULL);
	TEST_ASSERT(loop_wait(&p, loop_links_up, 50));
	CHECK(loop_all_idle(&p));
 out:
	loop_close(&p);
	return err;
}

int test_isdn_channel_map_follows_the_span_type(void)
{
	struct loop_cfg t1 = { .type = HW_SPAN_T1, .sw = ISDN_SWITCH_NI2 };
	struct loop_cfg e1 = { .type = HW_SPAN_E1, .sw = ISDN_SWITCH_QSIG };
	struct loop_pair p = { 0 };
	int err;

	err = loop_up(&p, &t1);
	TEST_ERR(err);
	TEST_EQ(23, isdn_channel_count(p.net->span));
	for (unsigned i = 0; i < 23; i++)
		TEST_EQ(i + 1, isdn_channel_number(p.net->span, i));
	TEST_EQ(0, isdn_channel_number(p.net->span, 23));
	TEST_EQ(ISDN_CHAN_OUT_OF_SERVICE, isdn_channel_state(p.net->span, 24));  /* D channel */
	loop_close(&p);

	CHECK(loop_up(&p, &e1));
	TEST_EQ(30, isdn_channel_count(p.user->span));
	TEST_EQ(1, isdn_channel_number(p.user->span, 0));
	TEST_EQ(15, isdn_channel_number(p.user->span, 14));
	TEST_EQ(17, isdn_channel_number(p.user->span, 15));
	TEST_EQ(31, isdn_channel_number(p.user->span, 29));
	TEST_EQ(ISDN_CHAN_OUT_OF_SERVICE, isdn_channel_state(p.user->span, 16));
	TEST_EQ(ISDN_CHAN_IDLE, isdn_channel_state(p.user->span, 31));
 out:
	loop_close(&p);
	return err;
}

int test_isdn_span_destroy_with_calls_up_leaks_nothing(void)
{
	struct loop_cfg pc = { .type = HW_SPAN_E1, .sw = ISDN_SWITCH_QSIG };
	struct loop_rec *out = NULL, *in = NULL, *half = NULL;
	struct loop_pair p = { 0 };
	int err;

	err = loop_up(&p, &pc);
	TEST_ERR(err);
	CHECK(loop_connect(&p, p.net, &loop_plain_setup, &out, &in));
	CHECK(loop_place(&p, p.user, &loop_plain_setup, &half, NULL));
	CHECK(isdn_call_hangup(out->c, ISDN_CAUSE_NORMAL_CLEARING));     /* mid-clearing */
	/* destroying says nothing on the wire and hands out no more events */
	isdn_span_destroy(p.net->span);
	p.net->span = NULL;
	TEST_EQ(0, out->released);
	isdn_span_destroy(p.user->span);
	p.user->span = NULL;
	TEST_EQ(0, in->released);
	TEST_EQ(0, half->released);
	isdn_span_destroy(NULL);
 out:
	loop_close(&p);
	return err;
}

int test_isdn_parsers_refuse_unknown_names(void)
{
	enum isdn_switch sw = ISDN_SWITCH_QSIG;
	enum isdn_side side = ISDN_SIDE_USER;
	enum isdn_hunting h = ISDN_HUNT_ROUND_ROBIN;
	const char *bad[] = { "", "4ess", "NI2", "ni-2", "euro", "dms-100", "qsig ", "5ESS" };
	int err = 0;

	for (int v = ISDN_SWITCH_NI2; v <= ISDN_SWITCH_QSIG; v++) {
		TEST_ASSERT(isdn_switch_parse(isdn_switch_name(v), &sw));
		TEST_EQ(v, sw);
	}
	TEST_STREQ("5ess", isdn_switch_name(ISDN_SWITCH_5ESS));
	TEST_STREQ("euroisdn", isdn_switch_name(ISDN_SWITCH_EUROISDN));
	for (unsigned i = 0; i < TG_ARRAY_SIZE(bad); i++)
		TEST_ASSERT(!isdn_switch_parse(bad[i], &sw));
	TEST_ASSERT(!isdn_switch_parse(NULL, &sw));
	TEST_EQ(ISDN_SWITCH_QSIG, sw);          /* untouched on failure */
	TEST_ASSERT(isdn_switch_name((enum isdn_switch)99) == NULL);

	TEST_ASSERT(isdn_side_parse("network", &side));
	TEST_EQ(ISDN_SIDE_NETWORK, side);
	TEST_ASSERT(isdn_side_parse("user", &side));
	TEST_EQ(ISDN_SIDE_USER, side);
	TEST_ASSERT(!isdn_side_parse("cpe", &side));
	TEST_ASSERT(!isdn_side_parse("net", &side));

	TEST_ASSERT(isdn_hunting_parse("ascending", &h));
	TEST_EQ(ISDN_HUNT_ASCENDING, h);
	TEST_ASSERT(isdn_hunting_parse("descending", &h));
	TEST_EQ(ISDN_HUNT_DESCENDING, h);
	TEST_ASSERT(isdn_hunting_parse("round-robin", &h));
	TEST_EQ(ISDN_HUNT_ROUND_ROBIN, h);
	TEST_ASSERT(!isdn_hunting_parse("roundrobin", &h));
	TEST_ASSERT(!isdn_hunting_parse("random", &h));

	TEST_STREQ("idle", isdn_channel_state_name(ISDN_CHAN_IDLE));
	TEST_STREQ("busy", isdn_channel_state_name(ISDN_CHAN_BUSY));
	TEST_STREQ("restarting", isdn_channel_state_name(ISDN_CHAN_RESTARTING));
	TEST_STREQ("out-of-service", isdn_channel_state_name(ISDN_CHAN_OUT_OF_SERVICE));
 out:
	return err;
}
