/*
 * test_transfer.c -- transfers in the call core (daemon/call/transfer.c):
 * blind transfer replacing the transferor's leg when the target answers,
 * the call kept when the target fails, the transfer going on after the
 * transferor left, the transfer abandoned when the other party leaves or an
 * operator hangs up, and the join of two calls (attended transfer); the CDR
 * split each time.  Fake legs and routing from fake_legs.c.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "call.h"
#include "db.h"
#include "fake_legs.h"
#include "test.h"

int test_transfer_blind_replaces_the_transferors_leg_when_the_target_answers(void);
int test_transfer_to_a_failing_target_keeps_the_call(void);
int test_transfer_goes_on_after_the_transferor_left(void);
int test_transfer_join_moves_the_other_party_into_the_first_call(void);
int test_transfer_is_abandoned_when_the_other_party_leaves(void);

/* what call_xfer_h reported: -1 not called, 0 connected, else the cause */
static int result;

static void done(void *arg, const struct call_end *why)
{
	(void)arg;
	result = why ? why->cause : 0;
}

static int transfer_to(struct leg *by, const char *called)
{
	struct call_setup s = { 0 };

	snprintf(s.called.digits, sizeof(s.called.digits), "%s", called);
	s.called.ton = s.called.npi = s.called.presentation = -1;
	s.calling.ton = s.calling.npi = s.calling.presentation = -1;
	result = -1;
	return call_transfer(by, &s, done, NULL);
}

/* the carrier's call to 4930100123, answered by outs[0] */
static void answered_call(struct call_core *core, struct fake_leg *in)
{
	incoming(core, in, "4930100123");
	call_leg_answered(&outs[nouts - 1].leg);
}

int test_transfer_blind_replaces_the_transferors_leg_when_the_target_answers(void)
{
	struct call_core *core = NULL;
	struct route_table *t = NULL;
	struct fake_leg in;
	int err;

	err = setup_core(&core, &t);
	TEST_ERR(err);
	/* not before the answer */
	incoming(core, &in, "4930100123");
	TEST_EQ(EBUSY, transfer_to(&outs[0].leg, "5550001"));
	call_leg_answered(&outs[0].leg);
	/* the callee transfers the caller to 5550001 (routed from its group) */
	TEST_ERR(transfer_to(&outs[0].leg, "5550001"));
	TEST_STREQ("20:4930100123,30:5550001", placed);
	TEST_EQ(2, nouts);
	TEST_EQ(-1, result);
	TEST_EQ(EBUSY, transfer_to(&outs[0].leg, "5550002"));   /* one at a time */
	result = -1;
	call_leg_alerting(&outs[1].leg, true);
	TEST_STREQ("answer", in.log);           /* the target's progress stays with us */
	TEST_STREQ("", outs[0].log);
	call_leg_answered(&outs[1].leg);
	TEST_EQ(0, result);
	TEST_STREQ("release:16", outs[0].log);
	TEST_STREQ("answer", in.log);
	TEST_EQ(1, call_core_active(core));
	/* the record until the transfer, then the rest under -t1 */
	TEST_EQ(1, nsunk_cdrs);
	TEST_STREQ("callee", sunk_cdrs[0].released_by);
	TEST_STREQ("span20", sunk_cdrs[0].out_trunk);
	far_release(&in, 16);
	TEST_STREQ("release:16", outs[1].log);
	TEST_EQ(0, call_core_active(core));
	TEST_EQ(2, nsunk_cdrs);
	TEST_CONTAINS(sunk_cdrs[1].call_id, sunk_cdrs[0].call_id);
	TEST_CONTAINS(sunk_cdrs[1].call_id, "-t1");
	TEST_STREQ("span30", sunk_cdrs[1].out_trunk);
	TEST_STREQ("5550001", sunk_cdrs[1].called);
	TEST_STREQ("5551234", sunk_cdrs[1].calling);
	TEST_STREQ("caller", sunk_cdrs[1].released_by);
	TEST_STREQ("to-backup", sunk_cdrs[1].route);
 out:
	call_core_destroy(core);
	route_table_unref(t);
	return err;
}

int test_transfer_to_a_failing_target_keeps_the_call(void)
{
	struct call_core *core = NULL;
	struct route_table *t = NULL;
	struct fake_leg in;
	int err;

	err = setup_core(&core, &t);
	TEST_ERR(err);
	answered_call(core, &in);
	/* the target is busy: reported, the call stays */
	TEST_ERR(transfer_to(&outs[0].leg, "5550001"));
	outs[1].gone = true;
	call_leg_released(&outs[1].leg, &(struct call_end){ .cause = 17, .sip_status = 486 });
	TEST_EQ(17, result);
	TEST_STREQ("", outs[0].log);
	TEST_STREQ("answer", in.log);
	TEST_EQ(0, nsunk_cdrs);
	/* no route for the target: reported at once */
	TEST_ERR(transfer_to(&in.leg, "7777"));
	TEST_ASSERT(result == 1 || result == 3);
	TEST_STREQ("", outs[0].log);
	/* and the call goes on to its normal end: one whole record */
	far_release(&outs[0], 16);
	TEST_STREQ("answer,release:16", in.log);
	TEST_EQ(1, nsunk_cdrs);
	TEST_ASSERT(!strstr(sunk_cdrs[0].call_id, "-t"));
	TEST_EQ(0, call_core_active(core));
 out:
	call_core_destroy(core);
	route_table_unref(t);
	return err;
}

int test_transfer_goes_on_after_the_transferor_left(void)
{
	struct call_core *core = NULL;
	struct route_table *t = NULL;
	struct fake_leg in;
	int err;

	err = setup_core(&core, &t);
	TEST_ERR(err);
	answered_call(core, &in);
	TEST_ERR(transfer_to(&outs[0].leg, "5550001"));
	/* the transferor hangs up after the 202: the caller stays */
	far_release(&outs[0], 16);
	TEST_STREQ("answer", in.log);
	TEST_EQ(1, call_core_active(core));
	call_leg_answered(&outs[1].leg);
	TEST_EQ(-1, result);                    /* nobody left to tell */
	TEST_EQ(1, nsunk_cdrs);
	far_release(&outs[1], 16);
	TEST_STREQ("answer,release:16", in.log);
	TEST_EQ(2, nsunk_cdrs);
	TEST_STREQ("callee", sunk_cdrs[1].released_by);
	/* again, but the target fails: the caller is released with its cause */
	nouts = 0;
	placed[0] = '\0';
	answered_call(core, &in);
	TEST_ERR(transfer_to(&outs[0].leg, "5550001"));
	far_release(&outs[0], 16);
	far_release(&outs[1], 17);
	TEST_STREQ("answer,release:17", in.log);
	TEST_EQ(0, call_core_active(core));
 out:
	call_core_destroy(core);
	route_table_unref(t);
	return err;
}

int test_transfer_join_moves_the_other_party_into_the_first_call(void)
{
	struct call_core *core = NULL;
	struct route_table *t = NULL;
	struct fake_leg a, b;
	int err;

	err = setup_core(&core, &t);
	TEST_ERR(err);
	answered_call(core, &a);                /* a <-> outs[0] */
	answered_call(core, &b);                /* b <-> outs[1] */
	TEST_EQ(2, call_core_active(core));
	TEST_EQ(EINVAL, call_join(&outs[0].leg, &a.leg, done, NULL));  /* one call */
	result = -1;
	/* outs[0] and outs[1] are the transferor's two dialogs */
	TEST_ERR(call_join(&outs[0].leg, &outs[1].leg, done, NULL));
	TEST_EQ(0, result);
	TEST_STREQ("release:16", outs[0].log);
	TEST_STREQ("release:16", outs[1].log);
	TEST_STREQ("answer", a.log);
	TEST_STREQ("answer", b.log);
	TEST_EQ(1, call_core_active(core));
	TEST_EQ(2, nsunk_cdrs);                 /* a's first part, and b's call */
	/* a and b are now one call: a hangs up, b is released */
	far_release(&a, 16);
	TEST_STREQ("answer,release:16", b.log);
	TEST_EQ(0, call_core_active(core));
	TEST_EQ(3, nsunk_cdrs);
	TEST_CONTAINS(sunk_cdrs[2].call_id, "-t1");
	TEST_STREQ("carrier", sunk_cdrs[2].out_trunk);
 out:
	call_core_destroy(core);
	route_table_unref(t);
	return err;
}

static void first_id(void *arg, const struct call_info *ci)
{
	char *id = arg;

	if (!id[0])
		snprintf(id, 48, "%s", ci->id);
}

int test_transfer_is_abandoned_when_the_other_party_leaves(void)
{
	struct call_core *core = NULL;
	struct route_table *t = NULL;
	struct fake_leg in;
	char id[48] = "";
	int err;

	err = setup_core(&core, &t);
	TEST_ERR(err);
	answered_call(core, &in);
	TEST_ERR(transfer_to(&outs[0].leg, "5550001"));
	TEST_EQ(2, nouts);
	/* the caller (who was to be transferred) hangs up while the target rings */
	far_release(&in, 16);
	TEST_STREQ("release:16", outs[1].log);  /* the new leg is given up */
	TEST_EQ(16, result);                    /* the transferor is told */
	TEST_STREQ("release:16", outs[0].log);  /* and released as in any call */
	TEST_EQ(0, call_core_active(core));
	TEST_EQ(1, nsunk_cdrs);
	TEST_STREQ("caller", sunk_cdrs[0].released_by);
	/* an operator's hang-up while a transfer rings clears all three */
	nouts = 0;
	placed[0] = '\0';
	answered_call(core, &in);
	TEST_ERR(transfer_to(&outs[0].leg, "5550001"));
	result = -1;
	call_core_foreach(core, first_id, id);
	TEST_EQ(0, call_core_hangup(core, id));
	TEST_STREQ("release:16", outs[1].log);
	TEST_EQ(16, result);
	TEST_STREQ("answer,release:16", in.log);
	TEST_EQ(0, call_core_active(core));
 out:
	call_core_destroy(core);
	route_table_unref(t);
	return err;
}
