/*
 * test_health.c -- the pure parts of survivability (daemon/surv/health.c):
 * the down set with its reasons, and when a span group counts as down.
 */
#include "config.h"
#include <string.h>

#include "surv/surv.h"
#include "surv/surv_int.h"
#include "test.h"
#include "tg_config.h"

int test_surv_group_is_down_while_any_reason_holds(void);
int test_surv_down_list_keeps_order_and_forgets_removed_groups(void);
int test_surv_span_group_is_down_only_when_every_member_span_is(void);
int test_surv_reason_text_names_each_reason(void);

int test_surv_group_is_down_while_any_reason_holds(void)
{
	struct surv_health h = { 0 };
	bool changed = true;
	long long ids[4];
	int err = 0;

	TEST_EQ(0, surv_health_reasons(&h, 7));
	err = surv_health_set(&h, 7, SURV_DOWN_SPANS, false, &changed);
	TEST_ERR(err);
	TEST_ASSERT(!changed);                          /* clearing what is not set */
	err = surv_health_set(&h, 7, SURV_DOWN_API, true, &changed);
	TEST_ERR(err);
	TEST_ASSERT(changed);                           /* up -> down */
	err = surv_health_set(&h, 7, SURV_DOWN_SIP, true, &changed);
	TEST_ERR(err);
	TEST_ASSERT(!changed);                          /* down for a second reason */
	TEST_EQ(SURV_DOWN_API | SURV_DOWN_SIP, surv_health_reasons(&h, 7));
	err = surv_health_set(&h, 7, SURV_DOWN_API, false, &changed);
	TEST_ERR(err);
	TEST_ASSERT(!changed);                          /* the SIP reason still holds */
	TEST_EQ(1, surv_health_down(&h, ids, 4));
	TEST_EQ(7, ids[0]);
	err = surv_health_set(&h, 7, SURV_DOWN_SIP, false, &changed);
	TEST_ERR(err);
	TEST_ASSERT(changed);                           /* down -> up */
	TEST_EQ(0, surv_health_down(&h, ids, 4));
	TEST_EQ(0, surv_health_reasons(&h, 7));
 out:
	surv_health_free(&h);
	return err;
}

int test_surv_down_list_keeps_order_and_forgets_removed_groups(void)
{
	struct surv_health h = { 0 };
	long long ids[16], keep[] = { 3, 12 };
	int err = 0;

	for (long long id = 1; id <= 12; id++) {       /* past the first allocation */
		err = surv_health_set(&h, id, SURV_DOWN_API, true, NULL);
		TEST_ERR(err);
	}
	err = surv_health_set(&h, 5, SURV_DOWN_API, false, NULL);
	TEST_ERR(err);
	TEST_EQ(11, surv_health_down(&h, ids, 16));
	TEST_EQ(4, ids[3]);
	TEST_EQ(6, ids[4]);                             /* 5 is gone, order kept */
	TEST_EQ(11, surv_health_down(&h, ids, 2));      /* the count, even past max */
	surv_health_keep(&h, keep, 2);
	TEST_EQ(2, surv_health_down(&h, ids, 16));
	TEST_EQ(3, ids[0]);
	TEST_EQ(12, ids[1]);
	TEST_EQ(0, surv_health_reasons(&h, 4));
 out:
	surv_health_free(&h);
	return err;
}

static bool fake_link_up(void *arg, long long span_id)
{
	const bool *up = arg;

	return span_id >= 1 && span_id <= 4 && up[span_id - 1];
}

int test_surv_span_group_is_down_only_when_every_member_span_is(void)
{
	struct tg_config_member m[] = {
		{ .group_id = 10, .span_id = 1 }, { .group_id = 10, .span_id = 2 },
		{ .group_id = 20, .span_id = 3 },
	};
	struct tg_config cfg = { .members = m, .nmembers = 3 };
	bool up[4] = { false, true, false, true };
	int err = 0;

	TEST_ASSERT(!surv_span_group_down(&cfg, 10, fake_link_up, up));   /* span 2 is up */
	TEST_ASSERT(surv_span_group_down(&cfg, 20, fake_link_up, up));    /* its one span is down */
	up[1] = false;
	TEST_ASSERT(surv_span_group_down(&cfg, 10, fake_link_up, up));
	up[2] = true;
	TEST_ASSERT(!surv_span_group_down(&cfg, 20, fake_link_up, up));
	/* a group without member spans (SIP, or empty) is never down by this rule */
	TEST_ASSERT(!surv_span_group_down(&cfg, 30, fake_link_up, up));
 out:
	return err;
}

int test_surv_reason_text_names_each_reason(void)
{
	char buf[128];
	int err = 0;

	TEST_STREQ("", surv_reason_text(0, buf, sizeof(buf)));
	TEST_STREQ("marked down by API", surv_reason_text(SURV_DOWN_API, buf, sizeof(buf)));
	TEST_STREQ("marked down by API, all spans down",
		   surv_reason_text(SURV_DOWN_API | SURV_DOWN_SPANS, buf, sizeof(buf)));
	TEST_STREQ("SIP trunks not answering", surv_reason_text(SURV_DOWN_SIP, buf, sizeof(buf)));
	surv_reason_text(SURV_DOWN_API | SURV_DOWN_SPANS | SURV_DOWN_SIP, buf, 10);
	TEST_EQ(9, strlen(buf));                        /* truncated, terminated */
 out:
	return err;
}
