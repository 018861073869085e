/*
 * test_script.c -- tgsim's command parser (tools/tgsim/script.c).
 */
#include "config.h"
#include <stdio.h>

#include "hw.h"
#include "script.h"
#include "test.h"

int test_tgsim_parses_every_command(void);
int test_tgsim_rejects_bad_lines_naming_the_line(void);

int test_tgsim_parses_every_command(void)
{
	struct tgsim_cmd c;
	char msg[300] = "";
	int err = 0;

	TEST_EQ(0, tgsim_parse_line("   # only a comment", 1, &c, msg, sizeof(msg)));
	TEST_EQ(0, tgsim_parse_line("", 2, &c, msg, sizeof(msg)));
	TEST_EQ(1, tgsim_parse_line("span carrier /tmp/s.sock type=T1 switch=ni2 side=user hunting=ascending",
				    3, &c, msg, sizeof(msg)));
	TEST_EQ(OP_SPAN, c.op);
	TEST_STREQ("carrier", c.span);
	TEST_STREQ("/tmp/s.sock", c.path);
	TEST_STREQ("T1", c.type);
	TEST_STREQ("ni2", c.sw);
	TEST_STREQ("user", c.side);
	TEST_ASSERT(!c.listen);
	TEST_EQ(1, tgsim_parse_line("call carrier 5550000 +4930100123 channel=5 as=first", 4, &c, msg, sizeof(msg)));
	TEST_EQ(OP_CALL, c.op);
	TEST_STREQ("5550000", c.from);
	TEST_STREQ("+4930100123", c.to);
	TEST_EQ(5, c.channel);
	TEST_STREQ("first", c.label);
	TEST_EQ(1, tgsim_parse_line("call carrier 1 2 as second", 4, &c, msg, sizeof(msg)));
	TEST_STREQ("second", c.label);
	TEST_EQ(1, tgsim_parse_line("hangup first 17", 5, &c, msg, sizeof(msg)));
	TEST_EQ(OP_HANGUP, c.op);
	TEST_EQ(17, c.cause);
	TEST_STREQ("first", c.label);
	TEST_EQ(1, tgsim_parse_line("hangup", 6, &c, msg, sizeof(msg)));
	TEST_EQ(16, c.cause);
	TEST_EQ(1, tgsim_parse_line("expect call to 1000 on pbx as in1 within 2.5", 7, &c, msg, sizeof(msg)));
	TEST_EQ(OP_EXPECT_CALL, c.op);
	TEST_STREQ("1000", c.to);
	TEST_STREQ("pbx", c.span);
	TEST_STREQ("in1", c.label);
	TEST_ASSERT(c.within > 2.49 && c.within < 2.51);
	TEST_EQ(1, tgsim_parse_line("expect release in1 cause 34 within 5", 8, &c, msg, sizeof(msg)));
	TEST_EQ(OP_EXPECT_RELEASE, c.op);
	TEST_EQ(34, c.cause);
	TEST_STREQ("in1", c.label);
	TEST_EQ(1, tgsim_parse_line("expect release within 5", 9, &c, msg, sizeof(msg)));
	TEST_EQ(-1, c.cause);
	TEST_EQ(1, tgsim_parse_line("expect alarm carrier LOS,RED within 3", 10, &c, msg, sizeof(msg)));
	TEST_EQ(HW_ALARM_LOS | HW_ALARM_RED, c.alarms);
	TEST_EQ(1, tgsim_parse_line("expect alarm carrier none within 3", 11, &c, msg, sizeof(msg)));
	TEST_EQ(0, c.alarms);
	TEST_EQ(1, tgsim_parse_line("expect link up carrier within 10", 12, &c, msg, sizeof(msg)));
	TEST_ASSERT(c.up);
	TEST_EQ(1, tgsim_parse_line("alarm carrier los on", 13, &c, msg, sizeof(msg)));
	TEST_EQ(OP_ALARM, c.op);
	TEST_STREQ("los", c.what);
	TEST_ASSERT(c.up);
	TEST_EQ(1, tgsim_parse_line("inject carrier crc 400", 14, &c, msg, sizeof(msg)));
	TEST_EQ(400, c.count);
	TEST_EQ(1, tgsim_parse_line("auto reject 17 pbx", 15, &c, msg, sizeof(msg)));
	TEST_EQ(AUTO_REJECT, c.auto_mode);
	TEST_EQ(17, c.cause);
	TEST_STREQ("pbx", c.span);
	TEST_EQ(1, tgsim_parse_line("load carrier rate=2.5 hold=3 answer=0.8 count=100 to=1000", 16, &c, msg, sizeof(msg)));
	TEST_EQ(OP_LOAD, c.op);
	TEST_EQ(100, c.count);
	TEST_ASSERT(c.rate > 2.49 && c.rate < 2.51);
	TEST_EQ(1, tgsim_parse_line("sleep 0.5", 17, &c, msg, sizeof(msg)));
	TEST_EQ(OP_SLEEP, c.op);
	TEST_EQ(1, tgsim_parse_line("restart carrier", 18, &c, msg, sizeof(msg)));
	TEST_EQ(OP_RESTART, c.op);
	TEST_EQ(1, tgsim_parse_line("alert c1", 18, &c, msg, sizeof(msg)));
	TEST_EQ(OP_ALERT, c.op);
	TEST_STREQ("c1", c.label);
	TEST_ASSERT(!c.inband);
	TEST_EQ(1, tgsim_parse_line("alert inband c2", 18, &c, msg, sizeof(msg)));
	TEST_STREQ("c2", c.label);
	TEST_ASSERT(c.inband);
	TEST_EQ(-1, tgsim_parse_line("answer c1 inband", 18, &c, msg, sizeof(msg)));
	TEST_EQ(1, tgsim_parse_line("play tone 1004 c1", 19, &c, msg, sizeof(msg)));
	TEST_EQ(OP_PLAY_TONE, c.op);
	TEST_ASSERT(c.freq > 1003.9 && c.freq < 1004.1);
	TEST_STREQ("c1", c.label);
	TEST_EQ(1, tgsim_parse_line("play tone off", 20, &c, msg, sizeof(msg)));
	TEST_EQ(OP_PLAY_TONE, c.op);
	TEST_ASSERT(c.freq == 0);
	TEST_EQ(1, tgsim_parse_line("echo on c1 delay=32 loss=9.5", 21, &c, msg, sizeof(msg)));
	TEST_EQ(OP_ECHO, c.op);
	TEST_ASSERT(c.up);
	TEST_STREQ("c1", c.label);
	TEST_ASSERT(c.echo_delay_ms == 32 && c.echo_loss_db == 9.5);
	TEST_EQ(1, tgsim_parse_line("echo off", 21, &c, msg, sizeof(msg)));
	TEST_ASSERT(!c.up && !c.label[0] && c.echo_delay_ms == 20 && c.echo_loss_db == 6);
	TEST_EQ(1, tgsim_parse_line("send dtmf 12*#AD c2 # a comment", 21, &c, msg, sizeof(msg)));
	TEST_EQ(OP_SEND_DTMF, c.op);
	TEST_STREQ("12*#AD", c.dtmf);
	TEST_STREQ("c2", c.label);
	TEST_EQ(1, tgsim_parse_line("expect tone 2000 within 3", 22, &c, msg, sizeof(msg)));
	TEST_EQ(OP_EXPECT_TONE, c.op);
	TEST_ASSERT(c.freq > 1999.9 && c.freq < 2000.1 && c.within > 2.9 && c.within < 3.1);
	TEST_ASSERT(c.continuous_s == 0);
	TEST_EQ(1, tgsim_parse_line("expect tone 1004 c1 continuous 6 within 20", 22, &c, msg,
				    sizeof(msg)));
	TEST_EQ(OP_EXPECT_TONE, c.op);
	TEST_STREQ("c1", c.label);
	TEST_ASSERT(c.continuous_s > 5.9 && c.continuous_s < 6.1 && c.within > 19.9);
	TEST_EQ(1, tgsim_parse_line("expect tone 1004 continuous 2 within 9", 22, &c, msg,
				    sizeof(msg)));
	TEST_ASSERT(!c.label[0] && c.continuous_s > 1.9 && c.continuous_s < 2.1);
	TEST_EQ(1, tgsim_parse_line("expect dtmf 159# c3 within 8", 23, &c, msg, sizeof(msg)));
	TEST_EQ(OP_EXPECT_DTMF, c.op);
	TEST_STREQ("159#", c.dtmf);
	TEST_STREQ("c3", c.label);
 out:
	if (err)
		printf("# %s\n", msg);
	return err;
}

int test_tgsim_rejects_bad_lines_naming_the_line(void)
{
	static const struct {
		const char *line;
		const char *want;
	} bad[] = {
		{ "dial 123", "unknown command \"dial\"" },
		{ "call carrier abc 123", "call SPAN FROM TO" },
		{ "call carrier 1 2 channel=40", "bad option \"channel=40\"" },
		{ "expect call to 1000", "within SECONDS" },
		{ "expect release cause 300 within 1", "cause must be 1..127" },
		{ "expect alarm carrier PURPLE within 1", "expect alarm SPAN" },
		{ "expect dinner within 1", "not something tgsim can wait for" },
		{ "play tone 5000", "play tone FREQ|off" },
		{ "play music 440", "play tone FREQ|off" },
		{ "send dtmf 12x", "send dtmf DIGITS" },
		{ "echo maybe", "echo on|off" },
		{ "echo on delay=300", "echo: delay=MS is 0..200" },
		{ "echo on c1 c2", "echo: bad option" },
		{ "echo on loss=x", "echo: loss=DB is 0..60" },
		{ "expect tone 0 within 1", "expect tone FREQ" },
		{ "expect tone 1004 c1 continuous 0 within 9", "continuous S within S" },
		{ "expect tone 1004 c1 c2 continuous 2 within 9", "[continuous S]" },
		{ "expect dtmf E within 1", "expect dtmf DIGITS" },
		{ "alarm carrier fire on", "alarm SPAN los|ais|rai on|off" },
		{ "hangup 0", "cause must be 1..127" },
		{ "load carrier hold=3", "rate=CPS is required" },
		{ "sleep -1", "sleep SECONDS" },
		{ "span carrier /x colour=red", "unknown option \"colour=red\"" },
	};
	struct tgsim_cmd c;
	char msg[300];
	int err = 0;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		msg[0] = '\0';
		TEST_EQ(-1, tgsim_parse_line(bad[i].line, 42, &c, msg, sizeof(msg)));
		TEST_CONTAINS(msg, "line 42: ");
		TEST_CONTAINS(msg, bad[i].want);
	}
 out:
	return err;
}
