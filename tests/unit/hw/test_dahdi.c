/*
 * test_dahdi.c -- the DAHDI driver's kernel-free half (hw/dahdi/dahdi_map.c):
 * configuration -> DAHDI_SPANCONFIG/CHANCONFIG, alarm bits, DS1-MIB counters
 * and the audio period; and that probe/open fail cleanly where there is no
 * DAHDI (as here: no module, no /dev/dahdi).  Built only with --with-dahdi.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "dahdi/dahdi.h"
#include "dahdi/dahdi_int.h"

#define X(fn) int fn(void);
#include "hw/dahdi.def"
#undef X

static struct hw_span_cfg t1_cfg(void)
{
	return (struct hw_span_cfg){
		.name = "t1-a", .position = 1, .type = HW_SPAN_T1,
		.framing = HW_FRAMING_ESF, .line_code = HW_LINE_B8ZS,
		.clock = HW_CLOCK_LINE, .signalling = HW_SIG_PRI,
	};
}

static struct hw_span_cfg e1_cfg(void)
{
	return (struct hw_span_cfg){
		.name = "e1-a", .position = 2, .type = HW_SPAN_E1,
		.framing = HW_FRAMING_CCS, .line_code = HW_LINE_HDB3, .crc4 = true,
		.clock = HW_CLOCK_LINE, .signalling = HW_SIG_PRI,
	};
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

int test_dahdi_t1_esf_b8zs_maps_to_dahdi_lineconfig_and_channels(void)
{
	struct hw_span_cfg cfg = t1_cfg();
	struct dahdi_lineconfig lc;
	struct dahdi_chanconfig cc[HW_MAX_TIMESLOTS];
	char msg[200];
	unsigned n = 0;
	int err;

	err = dahdi_cfg_lineconfig(&cfg, &lc, msg, sizeof(msg));
	TEST_ERR(err);
	TEST_EQ(DAHDI_CONFIG_ESF | DAHDI_CONFIG_B8ZS, lc.lineconfig);
	TEST_EQ(1, lc.span);
	TEST_EQ(1, lc.sync);            /* clock from the line */
	TEST_EQ(0, lc.lbo);

	err = dahdi_cfg_chanconfig(&cfg, 25, cc, &n);
	TEST_ERR(err);
	TEST_EQ(24, n);
	for (unsigned i = 0; i < n; i++) {
		TEST_EQ(25 + (int)i, cc[i].chan);
		TEST_EQ(DAHDI_LAW_MULAW, cc[i].deflaw);
		TEST_EQ(i == 23 ? DAHDI_SIG_HDLCFCS : DAHDI_SIG_CLEAR, cc[i].sigtype);
	}
 out:
	return err;
}

int test_dahdi_t1_d4_ami_internal_clock_is_not_a_sync_source(void)
{
	struct hw_span_cfg cfg = t1_cfg();
	struct dahdi_lineconfig lc;
	char msg[200];
	int err;

	cfg.framing = HW_FRAMING_D4;
	cfg.line_code = HW_LINE_AMI;
	cfg.clock = HW_CLOCK_INTERNAL;
	cfg.position = 3;
	err = dahdi_cfg_lineconfig(&cfg, &lc, msg, sizeof(msg));
	TEST_ERR(err);
	TEST_EQ(DAHDI_CONFIG_D4 | DAHDI_CONFIG_AMI, lc.lineconfig);
	TEST_EQ(3, lc.span);
	TEST_EQ(0, lc.sync);
 out:
	return err;
}

int test_dahdi_e1_ccs_hdb3_crc4_maps_with_dchan_on_ts16(void)
{
	struct hw_span_cfg cfg = e1_cfg();
	struct dahdi_lineconfig lc;
	struct dahdi_chanconfig cc[HW_MAX_TIMESLOTS];
	char msg[200];
	unsigned n = 0;
	int err;

	err = dahdi_cfg_lineconfig(&cfg, &lc, msg, sizeof(msg));
	TEST_ERR(err);
	TEST_EQ(DAHDI_CONFIG_CCS | DAHDI_CONFIG_HDB3 | DAHDI_CONFIG_CRC4, lc.lineconfig);
	TEST_EQ(2, lc.span);
	TEST_EQ(1, lc.sync);

	cfg.crc4 = false;
	err = dahdi_cfg_lineconfig(&cfg, &lc, msg, sizeof(msg));
	TEST_ERR(err);
	TEST_EQ(DAHDI_CONFIG_CCS | DAHDI_CONFIG_HDB3, lc.lineconfig);

	err = dahdi_cfg_chanconfig(&cfg, 1, cc, &n);
	TEST_ERR(err);
	TEST_EQ(31, n);
	for (unsigned i = 0; i < n; i++) {
		TEST_EQ(1 + (int)i, cc[i].chan);
		TEST_EQ(DAHDI_LAW_ALAW, cc[i].deflaw);
		TEST_EQ(i == 15 ? DAHDI_SIG_HDLCFCS : DAHDI_SIG_CLEAR, cc[i].sigtype);
	}
 out:
	return err;
}

int test_dahdi_refuses_cas_and_mismatched_line_settings(void)
{
	struct hw_span_cfg cfg;
	struct dahdi_lineconfig lc;
	char msg[200];
	int err = 0;

	cfg = e1_cfg();
	cfg.signalling = HW_SIG_CAS;
	cfg.framing = HW_FRAMING_CAS;
	TEST_EQ(ENOTSUP, dahdi_cfg_lineconfig(&cfg, &lc, msg, sizeof(msg)));
	TEST_CONTAINS(msg, "CAS");

	cfg = e1_cfg();
	cfg.framing = HW_FRAMING_ESF;
	TEST_EQ(EINVAL, dahdi_cfg_lineconfig(&cfg, &lc, msg, sizeof(msg)));
	TEST_CONTAINS(msg, "framing");

	cfg = t1_cfg();
	cfg.line_code = HW_LINE_HDB3;
	TEST_EQ(EINVAL, dahdi_cfg_lineconfig(&cfg, &lc, msg, sizeof(msg)));
	TEST_CONTAINS(msg, "line code");

	cfg = t1_cfg();
	cfg.crc4 = true;
	TEST_EQ(EINVAL, dahdi_cfg_lineconfig(&cfg, &lc, msg, sizeof(msg)));
	TEST_CONTAINS(msg, "crc4");

	cfg = t1_cfg();
	cfg.position = 0;
	TEST_EQ(EINVAL, dahdi_cfg_lineconfig(&cfg, &lc, msg, sizeof(msg)));
	TEST_CONTAINS(msg, "position");
 out:
	return err;
}

int test_dahdi_span_fits_checks_type_channels_and_linecompat(void)
{
	struct hw_span_cfg cfg = e1_cfg();
	struct dahdi_lineconfig lc;
	struct dahdi_spaninfo si;
	char msg[200];
	int err;

	err = dahdi_cfg_lineconfig(&cfg, &lc, msg, sizeof(msg));
	TEST_ERR(err);
	memset(&si, 0, sizeof(si));
	memcpy(si.spantype, "E1", 3);
	si.totalchans = 31;
	si.linecompat = DAHDI_CONFIG_AMI | DAHDI_CONFIG_HDB3 | DAHDI_CONFIG_CCS | DAHDI_CONFIG_CRC4;
	err = dahdi_span_fits(&si, &cfg, &lc, msg, sizeof(msg));
	TEST_ERR(err);

	memcpy(si.spantype, "T1", 3);
	TEST_EQ(EINVAL, dahdi_span_fits(&si, &cfg, &lc, msg, sizeof(msg)));
	TEST_CONTAINS(msg, "is T1");

	memset(si.spantype, 0, sizeof(si.spantype));     /* old driver: by channels */
	si.totalchans = 24;
	TEST_EQ(EINVAL, dahdi_span_fits(&si, &cfg, &lc, msg, sizeof(msg)));
	TEST_CONTAINS(msg, "24 channels");

	si.totalchans = 31;
	si.linecompat = DAHDI_CONFIG_AMI | DAHDI_CONFIG_HDB3 | DAHDI_CONFIG_CCS;      /* no CRC4 */
	TEST_EQ(EINVAL, dahdi_span_fits(&si, &cfg, &lc, msg, sizeof(msg)));
	TEST_CONTAINS(msg, "cannot do");
	err = 0;
 out:
	return err;
}

int test_dahdi_alarm_bits_map_to_hw_alarms(void)
{
	int err = 0;

	TEST_EQ(0, dahdi_alarms_to_hw(DAHDI_ALARM_NONE));
	TEST_EQ(HW_ALARM_RED, dahdi_alarms_to_hw(DAHDI_ALARM_RED));
	TEST_EQ(HW_ALARM_RED | HW_ALARM_LOS, dahdi_alarms_to_hw(DAHDI_ALARM_RED | DAHDI_ALARM_LOS));
	TEST_EQ(HW_ALARM_RED | HW_ALARM_LOS, dahdi_alarms_to_hw(DAHDI_ALARM_LOS));
	TEST_EQ(HW_ALARM_RED, dahdi_alarms_to_hw(DAHDI_ALARM_LFA));
	TEST_EQ(HW_ALARM_RED, dahdi_alarms_to_hw(DAHDI_ALARM_LMFA));
	TEST_EQ(HW_ALARM_BLUE, dahdi_alarms_to_hw(DAHDI_ALARM_BLUE));
	TEST_EQ(HW_ALARM_YELLOW, dahdi_alarms_to_hw(DAHDI_ALARM_YELLOW));
	TEST_EQ(0, dahdi_alarms_to_hw(DAHDI_ALARM_RECOVER | DAHDI_ALARM_LOOPBACK | DAHDI_ALARM_NOTOPEN));
	TEST_EQ(HW_ALARM_YELLOW | HW_ALARM_BLUE,
		dahdi_alarms_to_hw(DAHDI_ALARM_YELLOW | DAHDI_ALARM_BLUE | DAHDI_ALARM_RECOVER));
 out:
	return err;
}

int test_dahdi_counters_come_from_spaninfo_and_proc(void)
{
	struct dahdi_spaninfo si;
	struct dahdi_raw raw;
	struct dahdi_perf p;
	struct hw_counters c;
	uint32_t slips = 0;
	int err = 0;

	TEST_ASSERT(dahdi_proc_timing_slips("Span 1: TE4/0/1 \"T4XXP\" (MASTER)\n"
					    "\tIRQ misses: 1\n\tTiming slips: 17\n\n", &slips));
	TEST_EQ(17, slips);
	TEST_ASSERT(!dahdi_proc_timing_slips("Span 1: TE4/0/1\n\tBPV count: 3\n", &slips));

	memset(&si, 0, sizeof(si));
	si.bpvcount = 100;
	si.cvcount = 5;
	si.crc4count = 7;
	si.fecount = 1;
	dahdi_raw_from_spaninfo(&raw, &si, 2);
	dahdi_perf_init(&p, DAHDI_PERF_ESF, &raw);  /* counts before open don't count */

	si.bpvcount = 110;      /* +10 */
	si.cvcount = 8;         /* +3 */
	si.crc4count = 9;       /* +2 */
	dahdi_raw_from_spaninfo(&raw, &si, 3);      /* +1 slip */
	dahdi_perf_second(&p, &raw, 0, 0);
	si.crc4count = 4;       /* counter reset (DAHDI_RESET_COUNTERS), then 4 */
	dahdi_raw_from_spaninfo(&raw, &si, 3);
	dahdi_perf_second(&p, &raw, 0, 0);
	memset(&c, 0, sizeof(c));
	dahdi_perf_counters(&p, &c);
	TEST_EQ(13, c.line_code_violations);
	TEST_EQ(6, c.crc_errors);
	TEST_EQ(1, c.frame_slips);
	TEST_EQ(2, c.errored_seconds);
	TEST_EQ(0, c.severely_errored_seconds);
	TEST_EQ(0, c.unavailable_seconds);
 out:
	return err;
}

/* Feed n seconds with the given per-second increments and alarms. */
static void seconds(struct dahdi_perf *p, struct dahdi_raw *r, unsigned n,
		    uint32_t crc, uint32_t bpv, uint32_t fe, unsigned alarms)
{
	for (unsigned i = 0; i < n; i++) {
		r->crc += crc;
		r->bpv += bpv;
		r->fe += fe;
		dahdi_perf_second(p, r, alarms, alarms);
	}
}

int test_dahdi_esf_errored_and_severely_errored_seconds(void)
{
	struct dahdi_raw r = { 0 };
	struct dahdi_perf p;
	struct hw_counters c;
	int err = 0;

	dahdi_perf_init(&p, DAHDI_PERF_ESF, &r);
	seconds(&p, &r, 3, 0, 0, 0, 0);         /* clean */
	seconds(&p, &r, 2, 5, 0, 0, 0);         /* ES */
	seconds(&p, &r, 1, 0, 50, 0, 0);        /* BPVs alone: no ES on ESF */
	seconds(&p, &r, 3, 320, 0, 0, 0);       /* SES (and ES) */
	seconds(&p, &r, 1, 319, 0, 0, 0);       /* ES only */
	seconds(&p, &r, 1, 0, 0, 0, HW_ALARM_YELLOW);   /* far-end alarm: no near-end ES */
	dahdi_perf_counters(&p, &c);
	TEST_EQ(6, c.errored_seconds);
	TEST_EQ(3, c.severely_errored_seconds);
	TEST_EQ(0, c.unavailable_seconds);
	TEST_EQ(5 * 2 + 320 * 3 + 319, c.crc_errors);
	TEST_EQ(50, c.line_code_violations);
 out:
	return err;
}

int test_dahdi_ten_ses_make_the_span_unavailable_from_their_onset(void)
{
	struct dahdi_raw r = { 0 };
	struct dahdi_perf p;
	struct hw_counters c;
	int err = 0;

	dahdi_perf_init(&p, DAHDI_PERF_ESF, &r);
	seconds(&p, &r, 9, 400, 0, 0, 0);
	dahdi_perf_counters(&p, &c);
	TEST_EQ(9, c.severely_errored_seconds);         /* not decided yet */
	TEST_EQ(0, c.unavailable_seconds);
	seconds(&p, &r, 3, 400, 0, 0, 0);               /* 10th: unavailable since the 1st */
	dahdi_perf_counters(&p, &c);
	TEST_EQ(0, c.errored_seconds);
	TEST_EQ(0, c.severely_errored_seconds);
	TEST_EQ(12, c.unavailable_seconds);
	/* 10 seconds without SES, one of them errored: available again from
	 * their onset, and that ES counts. */
	seconds(&p, &r, 4, 0, 0, 0, 0);
	seconds(&p, &r, 1, 3, 0, 0, 0);
	seconds(&p, &r, 5, 0, 0, 0, 0);
	dahdi_perf_counters(&p, &c);
	TEST_EQ(12, c.unavailable_seconds);
	TEST_EQ(1, c.errored_seconds);
	TEST_EQ(0, c.severely_errored_seconds);
	seconds(&p, &r, 1, 400, 0, 0, 0);               /* available: an SES counts */
	dahdi_perf_counters(&p, &c);
	TEST_EQ(1, c.severely_errored_seconds);
	TEST_EQ(2, c.errored_seconds);
 out:
	return err;
}

int test_dahdi_loss_of_signal_is_unavailable_with_the_ses_before_it(void)
{
	struct dahdi_raw r = { 0 };
	struct dahdi_perf p;
	struct hw_counters c;
	int err = 0;

	dahdi_perf_init(&p, DAHDI_PERF_E1_CRC, &r);
	seconds(&p, &r, 1, 10, 0, 0, 0);                        /* ES */
	/* Two seconds with a short OOF (seen, gone by the second's end): SES. */
	dahdi_perf_second(&p, &r, HW_ALARM_RED, 0);
	dahdi_perf_second(&p, &r, HW_ALARM_RED, 0);
	dahdi_perf_counters(&p, &c);
	TEST_EQ(2, c.severely_errored_seconds);
	/* Then a failure: unavailable from the onset of those two SES. */
	seconds(&p, &r, 15, 0, 0, 0, HW_ALARM_RED | HW_ALARM_LOS);
	dahdi_perf_counters(&p, &c);
	TEST_EQ(1, c.errored_seconds);
	TEST_EQ(0, c.severely_errored_seconds);
	TEST_EQ(17, c.unavailable_seconds);
	seconds(&p, &r, 9, 0, 0, 0, 0);
	dahdi_perf_counters(&p, &c);
	TEST_EQ(26, c.unavailable_seconds);             /* not decided yet */
	seconds(&p, &r, 1, 0, 0, 0, 0);
	dahdi_perf_counters(&p, &c);
	TEST_EQ(17, c.unavailable_seconds);
	TEST_EQ(1, c.errored_seconds);
	/* E1-CRC: 831 CRC errors are an ES, 832 an SES. */
	seconds(&p, &r, 1, 831, 0, 0, 0);
	seconds(&p, &r, 1, 832, 0, 0, 0);
	dahdi_perf_counters(&p, &c);
	TEST_EQ(3, c.errored_seconds);
	TEST_EQ(1, c.severely_errored_seconds);
 out:
	return err;
}

int test_dahdi_d4_and_e1_nocrc_count_line_code_violations(void)
{
	struct dahdi_raw r = { 0 };
	struct dahdi_perf p;
	struct hw_counters c;
	struct hw_span_cfg cfg = t1_cfg();
	int err = 0;

	cfg.framing = HW_FRAMING_D4;
	TEST_EQ(DAHDI_PERF_D4, dahdi_perf_mode(&cfg));
	dahdi_perf_init(&p, DAHDI_PERF_D4, &r);
	seconds(&p, &r, 1, 0, 1, 0, 0);         /* one BPV: ES on D4 */
	seconds(&p, &r, 1, 0, 1544, 0, 0);      /* SES */
	seconds(&p, &r, 1, 0, 0, 1, 0);         /* a framing error: SES on D4 */
	seconds(&p, &r, 1, 9, 0, 0, 0);         /* no CRC on D4: counted, no ES */
	dahdi_perf_counters(&p, &c);
	TEST_EQ(3, c.errored_seconds);
	TEST_EQ(2, c.severely_errored_seconds);

	cfg = e1_cfg();
	cfg.crc4 = false;
	TEST_EQ(DAHDI_PERF_E1_NOCRC, dahdi_perf_mode(&cfg));
	r = (struct dahdi_raw){ 0 };
	dahdi_perf_init(&p, DAHDI_PERF_E1_NOCRC, &r);
	seconds(&p, &r, 1, 0, 2047, 0, 0);
	seconds(&p, &r, 1, 0, 2048, 0, 0);
	dahdi_perf_counters(&p, &c);
	TEST_EQ(2, c.errored_seconds);
	TEST_EQ(1, c.severely_errored_seconds);
 out:
	return err;
}

int test_dahdi_period_gather_scatter_round_trip(void)
{
	enum { NTS = 31, SAMPLES = 160 };
	static uint8_t blocks[NTS][SAMPLES], back[NTS][SAMPLES], period[NTS * SAMPLES];
	const uint8_t *in[NTS];
	uint8_t *out[NTS];
	int err = 0;

	for (unsigned i = 0; i < NTS; i++) {
		for (unsigned j = 0; j < SAMPLES; j++)
			blocks[i][j] = (uint8_t)(i * 7 + j);
		in[i] = blocks[i];
		out[i] = back[i];
	}
	in[15] = NULL;          /* TS16: the D channel */
	in[3] = NULL;           /* TS4: no block this period */
	dahdi_period_gather(period, in, NTS, SAMPLES, 0xD5);
	/* Channel-major: TS n's samples at (n - 1) * SAMPLES. */
	TEST_EQ(blocks[0][0], period[0]);
	TEST_EQ(blocks[1][5], period[SAMPLES + 5]);
	TEST_EQ(0xD5, period[3 * SAMPLES]);
	TEST_EQ(0xD5, period[15 * SAMPLES + SAMPLES - 1]);
	TEST_EQ(blocks[30][SAMPLES - 1], period[NTS * SAMPLES - 1]);

	memset(back, 0, sizeof(back));
	out[15] = NULL;         /* nothing is written to the D channel */
	dahdi_period_scatter(period, out, NTS, SAMPLES);
	for (unsigned i = 0; i < NTS; i++) {
		if (i == 15) {
			TEST_EQ(0, back[i][0]);
			continue;
		}
		if (i == 3) {
			TEST_EQ(0xD5, back[i][SAMPLES / 2]);
			continue;
		}
		TEST_ASSERT(memcmp(back[i], blocks[i], SAMPLES) == 0);
	}
 out:
	return err;
}

int test_dahdi_driver_declares_t1_e1_pri_and_no_bypass(void)
{
	int err = 0;

	TEST_STREQ("dahdi", hw_dahdi_driver.name);
	TEST_EQ(HW_CAP_T1 | HW_CAP_E1 | HW_CAP_PRI, hw_dahdi_driver.caps);
	TEST_ASSERT(hw_dahdi_driver.bypass_set == NULL);
	TEST_ASSERT(hw_dahdi_driver.probe && hw_dahdi_driver.span_open && hw_dahdi_driver.span_close);
	TEST_ASSERT(hw_dahdi_driver.dchan_send && hw_dahdi_driver.alarms && hw_dahdi_driver.counters);
 out:
	return err;
}

int test_dahdi_probe_without_dahdi_is_enodev_with_no_side_effects(void)
{
	struct stat before, after;
	bool had_dev = stat("/dev/dahdi", &before) == 0;
	int fds = open_fds(), err = 0;

	if (had_dev) {
		/* A machine with DAHDI: probe must not fail, nor leave fds. */
		int r = hw_dahdi_driver.probe();

		TEST_ASSERT(r == 0 || r == ENODEV);
		TEST_EQ(fds, open_fds());
		goto out;
	}
	TEST_EQ(ENODEV, hw_dahdi_driver.probe());
	TEST_EQ(ENODEV, hw_dahdi_driver.probe());       /* and again: nothing changed */
	TEST_EQ(fds, open_fds());
	TEST_ASSERT(stat("/dev/dahdi", &after) != 0);
 out:
	return err;
}

int test_dahdi_span_open_fails_cleanly_without_a_card(void)
{
	struct hw_span_cfg cfg = e1_cfg();
	struct hw_span *span = NULL;
	char dir[512], ctl[600];
	int fds = open_fds(), fd, err = 0;

	/* CAS is refused before any device is touched. */
	cfg.device = "/nonexistent/dahdi";
	cfg.signalling = HW_SIG_CAS;
	cfg.framing = HW_FRAMING_CAS;
	TEST_EQ(ENOTSUP, hw_dahdi_driver.span_open(&span, &cfg, NULL, NULL));
	TEST_ASSERT(span == NULL);

	/* No ctl device: ENODEV. */
	cfg = e1_cfg();
	snprintf(dir, sizeof(dir), "%s", test_tmpdir());
	cfg.device = dir;
	TEST_EQ(ENODEV, hw_dahdi_driver.span_open(&span, &cfg, NULL, NULL));
	TEST_ASSERT(span == NULL);

	/* A ctl that is no DAHDI device (ioctl fails): ENODEV, nothing left open. */
	snprintf(ctl, sizeof(ctl), "%s/ctl", dir);
	fd = open(ctl, O_CREAT | O_WRONLY, 0600);
	TEST_ASSERT(fd >= 0);
	close(fd);
	TEST_EQ(ENODEV, hw_dahdi_driver.span_open(&span, &cfg, NULL, NULL));
	TEST_ASSERT(span == NULL);
	TEST_EQ(fds, open_fds());
 out:
	return err;
}
