/*
 * test_hal.c -- the HAL wrappers of hw/hal.c: the configuration check names
 * the bad field and value, caps are enforced before a driver is called (a
 * small fake driver counts the calls it gets), NULL is safe where hw.h says
 * so, and the facts and names about span types.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw.h"
#include "sim.h"
#include "test.h"

int test_hal_cfg_check_accepts_t1_and_e1(void);
int test_hal_cfg_check_names_the_bad_field_and_value(void);
int test_hal_open_refuses_a_span_type_the_driver_lacks(void);
int test_hal_bypass_without_the_cap_is_not_supported(void);
int test_hal_refuses_cas_and_bad_arguments(void);
int test_hal_close_and_reads_are_null_safe(void);
int test_hal_span_type_facts(void);
int test_hal_names_for_logs_and_status(void);
int test_hal_driver_table_finds_sim(void);

static const struct hw_span_cfg t1_cfg = {
	.name = "pbx", .position = 1, .type = HW_SPAN_T1, .framing = HW_FRAMING_ESF,
	.line_code = HW_LINE_B8ZS, .clock = HW_CLOCK_LINE, .signalling = HW_SIG_PRI,
};
static const struct hw_span_cfg e1_cfg = {
	.name = "carrier", .position = 2, .type = HW_SPAN_E1, .framing = HW_FRAMING_CCS,
	.line_code = HW_LINE_HDB3, .crc4 = true, .clock = HW_CLOCK_INTERNAL,
	.signalling = HW_SIG_PRI, .frame_ms = 20,
};

/* A driver with T1 and PRI only, no bypass cap but a bypass op: the HAL must
 * not call what the caps do not promise. */
static unsigned fake_opens, fake_bypass_calls, fake_dchan_calls;
static const struct hw_driver fake_driver;
static struct hw_span fake_span = { .drv = &fake_driver, .name = "fake", .type = HW_SPAN_T1 };

static int fake_open(struct hw_span **spanp, const struct hw_span_cfg *cfg,
		     const struct hw_span_events *ev, void *arg)
{
	fake_opens++;
	*spanp = &fake_span;
	return 0;
}

static void fake_close(struct hw_span *span)
{
}

static int fake_dchan(struct hw_span *span, const uint8_t *frame, size_t len)
{
	fake_dchan_calls++;
	return 0;
}

static int fake_bypass(struct hw_span *span, bool engaged)
{
	fake_bypass_calls++;
	return 0;
}

static const struct hw_driver fake_driver = {
	.name = "fake", .caps = HW_CAP_T1 | HW_CAP_PRI,
	.span_open = fake_open, .span_close = fake_close, .dchan_send = fake_dchan,
	.bypass_set = fake_bypass,
};

int test_hal_cfg_check_accepts_t1_and_e1(void)
{
	struct hw_span_cfg c = t1_cfg;
	char msg[160];
	int err = 0;

	TEST_EQ(0, hw_span_cfg_check(&t1_cfg, msg, sizeof(msg)));
	TEST_STREQ("", msg);
	TEST_EQ(0, hw_span_cfg_check(&e1_cfg, msg, sizeof(msg)));
	c.framing = HW_FRAMING_D4;
	c.line_code = HW_LINE_AMI;
	for (unsigned ms = 0; ms <= 40; ms += 10) {
		c.frame_ms = ms;
		TEST_EQ(0, hw_span_cfg_check(&c, NULL, 0));
	}
 out:
	return err;
}

int test_hal_cfg_check_names_the_bad_field_and_value(void)
{
	static const struct {
		const char *field, *value;
		int e1;                 /* start from the E1 configuration */
	} cases[] = {
		{ "framing", "CCS", 0 }, { "framing", "ESF", 1 }, { "framing", "CAS", 1 },
		{ "line_code", "HDB3", 0 }, { "line_code", "B8ZS", 1 }, { "crc4", "on", 0 },
		{ "frame_ms", "25", 1 }, { "frame_ms", "5", 0 }, { "signalling", "CAS", 1 },
		{ "type", "7", 0 }, { "clock", "9", 1 },
	};
	char msg[160];
	int err = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hw_span_cfg c = cases[i].e1 ? e1_cfg : t1_cfg;
		const char *f = cases[i].field, *v = cases[i].value;

		if (!strcmp(f, "framing"))
			c.framing = !strcmp(v, "CCS") ? HW_FRAMING_CCS : !strcmp(v, "ESF") ?
				    HW_FRAMING_ESF : HW_FRAMING_CAS;
		else if (!strcmp(f, "line_code"))
			c.line_code = !strcmp(v, "HDB3") ? HW_LINE_HDB3 : HW_LINE_B8ZS;
		else if (!strcmp(f, "crc4"))
			c.crc4 = true;
		else if (!strcmp(f, "frame_ms"))
			c.frame_ms = (unsigned)atoi(v);
		else if (!strcmp(f, "signalling"))
			c.signalling = HW_SIG_CAS;
		else if (!strcmp(f, "type"))
			c.type = (enum hw_span_type)7;
		else if (!strcmp(f, "clock"))
			c.clock = (enum hw_clock)9;
		msg[0] = 'x';
		TEST_EQ(EINVAL, hw_span_cfg_check(&c, msg, sizeof(msg)));
		TEST_CONTAINS(msg, f);
		TEST_CONTAINS(msg, v);
	}
	/* CAS in either place says it is not there yet, rather than "wrong" */
	{
		struct hw_span_cfg c = e1_cfg;

		c.signalling = HW_SIG_CAS;
		TEST_EQ(EINVAL, hw_span_cfg_check(&c, msg, sizeof(msg)));
		TEST_CONTAINS(msg, "not supported yet");
	}
	/* a small buffer truncates, never overflows */
	{
		struct hw_span_cfg c = t1_cfg;
		char tiny[8];

		c.frame_ms = 25;
		TEST_EQ(EINVAL, hw_span_cfg_check(&c, tiny, sizeof(tiny)));
		TEST_EQ(7, strlen(tiny));
	}
	TEST_EQ(EINVAL, hw_span_cfg_check(NULL, msg, sizeof(msg)));
 out:
	return err;
}

int test_hal_open_refuses_a_span_type_the_driver_lacks(void)
{
	struct hw_span *span = NULL;
	int err = 0;

	fake_opens = 0;
	TEST_EQ(ENOTSUP, hw_span_open(&fake_driver, &span, &e1_cfg, NULL, NULL));
	TEST_EQ(0, fake_opens);
	TEST_ASSERT(span == NULL);
	/* a bad configuration never reaches the driver either */
	{
		struct hw_span_cfg c = t1_cfg;

		c.frame_ms = 15;
		TEST_EQ(EINVAL, hw_span_open(&fake_driver, &span, &c, NULL, NULL));
		TEST_EQ(0, fake_opens);
	}
	TEST_EQ(0, hw_span_open(&fake_driver, &span, &t1_cfg, NULL, NULL));
	TEST_EQ(1, fake_opens);
	TEST_ASSERT(span == &fake_span);
	/* the type of an open span cannot change */
	TEST_EQ(EINVAL, hw_span_apply(span, &e1_cfg));
	/* a driver without span_apply: not supported, not a crash */
	TEST_EQ(ENOTSUP, hw_span_apply(span, &t1_cfg));
 out:
	hw_span_close(span);
	return err;
}

int test_hal_bypass_without_the_cap_is_not_supported(void)
{
	struct hw_span *span = NULL;
	uint8_t frame[HW_DCHAN_MAX + 1] = { 0x02, 0x01, 0x7f };
	int err = 0;

	fake_bypass_calls = fake_dchan_calls = 0;
	err = hw_span_open(&fake_driver, &span, &t1_cfg, NULL, NULL);
	TEST_ERR(err);
	TEST_EQ(ENOTSUP, hw_bypass_set(span, true));
	TEST_EQ(ENOTSUP, hw_bypass_set(span, false));
	TEST_EQ(ENOTSUP, hw_bypass_watchdog(span, 3000));
	TEST_EQ(0, fake_bypass_calls);
	/* D-channel frames: the HAL checks the length before the driver sees it */
	TEST_EQ(EINVAL, hw_dchan_send(span, frame, 0));
	TEST_EQ(EINVAL, hw_dchan_send(span, frame, HW_DCHAN_MAX + 1));
	TEST_EQ(EINVAL, hw_dchan_send(span, NULL, 3));
	TEST_EQ(0, fake_dchan_calls);
	TEST_EQ(0, hw_dchan_send(span, frame, 3));
	TEST_EQ(0, hw_dchan_send(span, frame, HW_DCHAN_MAX));
	TEST_EQ(2, fake_dchan_calls);
	/* a driver without an alarms op cannot tell: no signal */
	TEST_EQ(HW_ALARM_LOS | HW_ALARM_RED, hw_span_alarms(span));
 out:
	hw_span_close(span);
	return err;
}

int test_hal_refuses_cas_and_bad_arguments(void)
{
	struct hw_span_cfg c = e1_cfg;
	struct hw_span *span = NULL;
	int err = 0;

	c.signalling = HW_SIG_CAS;
	TEST_EQ(ENOTSUP, hw_span_open(&hw_sim_driver, &span, &c, NULL, NULL));
	c = e1_cfg;
	c.framing = HW_FRAMING_CAS;
	TEST_EQ(ENOTSUP, hw_span_open(&hw_sim_driver, &span, &c, NULL, NULL));
	TEST_EQ(EINVAL, hw_span_open(NULL, &span, &e1_cfg, NULL, NULL));
	TEST_EQ(EINVAL, hw_span_open(&hw_sim_driver, NULL, &e1_cfg, NULL, NULL));
	TEST_EQ(EINVAL, hw_span_open(&hw_sim_driver, &span, NULL, NULL, NULL));
	/* the sim needs a socket path */
	TEST_EQ(EINVAL, hw_span_open(&hw_sim_driver, &span, &e1_cfg, NULL, NULL));
	TEST_ASSERT(span == NULL);
	TEST_EQ(EINVAL, hw_span_apply(NULL, &e1_cfg));
	TEST_EQ(EINVAL, hw_bypass_set(NULL, true));
	TEST_EQ(EINVAL, hw_bypass_watchdog(NULL, 3000));
	TEST_EQ(EINVAL, hw_dchan_send(NULL, (const uint8_t *)"x", 1));
 out:
	return err;
}

int test_hal_close_and_reads_are_null_safe(void)
{
	struct hw_counters c;
	int err = 0;

	hw_span_close(NULL);
	memset(&c, 0xAA, sizeof(c));
	hw_span_counters(NULL, &c);
	TEST_EQ(0, c.crc_errors);
	TEST_EQ(0, c.rx_periods);
	hw_span_counters(NULL, NULL);
	TEST_EQ(HW_ALARM_LOS | HW_ALARM_RED, hw_span_alarms(NULL));
 out:
	return err;
}

int test_hal_span_type_facts(void)
{
	int err = 0;

	TEST_EQ(24, hw_span_timeslots(HW_SPAN_T1));
	TEST_EQ(31, hw_span_timeslots(HW_SPAN_E1));
	TEST_EQ(24, hw_dchan_timeslot(HW_SPAN_T1));
	TEST_EQ(16, hw_dchan_timeslot(HW_SPAN_E1));
	TEST_EQ(0xFF, hw_idle_code(HW_SPAN_T1));
	TEST_EQ(0xD5, hw_idle_code(HW_SPAN_E1));
	TEST_EQ(160, hw_samples_per_period(20));
	TEST_EQ(160, hw_samples_per_period(0));
	TEST_EQ(80, hw_samples_per_period(10));
	TEST_EQ(320, hw_samples_per_period(40));
 out:
	return err;
}

int test_hal_names_for_logs_and_status(void)
{
	char buf[32], tiny[6];
	int err = 0;

	TEST_STREQ("T1", hw_span_type_name(HW_SPAN_T1));
	TEST_STREQ("E1", hw_span_type_name(HW_SPAN_E1));
	TEST_STREQ("ESF", hw_framing_name(HW_FRAMING_ESF));
	TEST_STREQ("D4", hw_framing_name(HW_FRAMING_D4));
	TEST_STREQ("CCS", hw_framing_name(HW_FRAMING_CCS));
	TEST_STREQ("CAS", hw_framing_name(HW_FRAMING_CAS));
	TEST_STREQ("B8ZS", hw_line_code_name(HW_LINE_B8ZS));
	TEST_STREQ("AMI", hw_line_code_name(HW_LINE_AMI));
	TEST_STREQ("HDB3", hw_line_code_name(HW_LINE_HDB3));
	TEST_STREQ("line", hw_clock_name(HW_CLOCK_LINE));
	TEST_STREQ("internal", hw_clock_name(HW_CLOCK_INTERNAL));
	TEST_STREQ("?", hw_span_type_name((enum hw_span_type)9));
	TEST_STREQ("", hw_alarm_names(0, buf, sizeof(buf)));
	TEST_STREQ("LOS,RED", hw_alarm_names(HW_ALARM_LOS | HW_ALARM_RED, buf, sizeof(buf)));
	TEST_STREQ("LOS,RED,BLUE,YELLOW", hw_alarm_names(0xF, buf, sizeof(buf)));
	TEST_STREQ("YELLOW", hw_alarm_names(HW_ALARM_YELLOW, buf, sizeof(buf)));
	/* too small: whole names only */
	TEST_STREQ("LOS", hw_alarm_names(HW_ALARM_LOS | HW_ALARM_RED, tiny, 6));
	TEST_STREQ("", hw_alarm_names(HW_ALARM_LOS, NULL, 0));
 out:
	return err;
}

int test_hal_driver_table_finds_sim(void)
{
	int err = 0;
	size_t n = 0;

	TEST_ASSERT(hw_driver_find("sim") == &hw_sim_driver);
	TEST_ASSERT(hw_driver_find("nope") == NULL);
	TEST_ASSERT(hw_driver_find(NULL) == NULL);
	while (hw_drivers[n])
		n++;
	TEST_ASSERT(n >= 1);
	TEST_EQ(HW_CAP_T1 | HW_CAP_E1 | HW_CAP_PRI | HW_CAP_BYPASS | HW_CAP_FAULTS, hw_sim_driver.caps);
	TEST_EQ(0, hw_sim_driver.probe());
 out:
	return err;
}
