/*
 * test_rtp.c -- RTP packets, RFC 3550 receive statistics on crafted
 * sequences, RTCP compound packets and the round trip, the E-model.
 */
#include "config.h"
#include <math.h>
#include <string.h>

#include "media_fixture.h"
#include "media_int.h"
#include "test.h"

int test_media_rtp_packet_round_trips(void)
{
	uint8_t pl[160], buf[200];
	struct media_rtp_pkt p = { .pt = 8, .marker = true, .seq = 65535, .ts = 0xdeadbeef,
				   .ssrc = 0x01020304, .payload = pl, .plen = sizeof(pl) }, q;
	size_t n;
	int err = 0;

	for (unsigned i = 0; i < sizeof(pl); i++)
		pl[i] = (uint8_t)i;
	n = media_rtp_write(buf, sizeof(buf), &p);
	TEST_EQ(172, n);
	TEST_ERR(media_rtp_parse(buf, n, &q));
	TEST_EQ(8, q.pt);
	TEST_ASSERT(q.marker);
	TEST_EQ(65535, q.seq);
	TEST_EQ(0xdeadbeef, q.ts);
	TEST_EQ(0x01020304, q.ssrc);
	TEST_EQ(160, q.plen);
	TEST_ASSERT(memcmp(q.payload, pl, 160) == 0);
	TEST_EQ(0, media_rtp_write(buf, 100, &p));      /* does not fit */
	/* malformed: short, version 1, padding longer than the packet,
	 * a CSRC count beyond the end, an extension beyond the end */
	TEST_EQ(EBADMSG, media_rtp_parse(buf, 11, &q));
	buf[0] = 0x40;
	TEST_EQ(EBADMSG, media_rtp_parse(buf, n, &q));
	buf[0] = 0xa0;
	buf[n - 1] = 200;
	TEST_EQ(EBADMSG, media_rtp_parse(buf, n, &q));
	buf[0] = 0x8f;
	TEST_EQ(EBADMSG, media_rtp_parse(buf, 20, &q));
	buf[0] = 0x90;
	buf[14] = 0xff;
	TEST_EQ(EBADMSG, media_rtp_parse(buf, 20, &q));
	/* padding of 4 bytes is stripped */
	buf[0] = 0xa0;
	buf[n - 1] = 4;
	TEST_ERR(media_rtp_parse(buf, n, &q));
	TEST_EQ(156, q.plen);
	/* RTCP on a muxed port is told apart by its PT */
	buf[1] = 200;
	TEST_ASSERT(media_rtp_is_rtcp(buf, n));
	buf[1] = 0x80 | 0;
	TEST_ASSERT(!media_rtp_is_rtcp(buf, n));
 out:
	return err;
}

int test_media_rtp_loss_counts_across_sequence_wrap(void)
{
	struct media_rx_seq s;
	int err = 0;

	media_rx_seq_reset(&s);
	/* 65530 .. 10, with 65533, 2 and 3 missing: 17 expected, 14 received */
	for (uint32_t q = 65530; q <= 65536 + 10; q++) {
		uint16_t seq = (uint16_t)q;

		if (seq == 65533 || seq == 2 || seq == 3)
			continue;
		TEST_ASSERT(media_rx_seq_update(&s, seq));
	}
	TEST_EQ(65536 + 10, media_rx_ext_max(&s));
	TEST_EQ(17, media_rx_expected(&s));
	TEST_EQ(3, media_rx_lost(&s));
	/* fraction lost: 3/17 in 8-bit fixed point, then 0 for the next interval */
	TEST_EQ((3 << 8) / 17, media_rx_fraction(&s));
	TEST_ASSERT(media_rx_seq_update(&s, 11));
	TEST_EQ(0, media_rx_fraction(&s));
	/* a late packet (2) arrives: counted, lost drops to 2 */
	TEST_ASSERT(media_rx_seq_update(&s, 2));
	TEST_EQ(2, media_rx_lost(&s));
	/* a jump of 10000 is dropped once, accepted when the next follows */
	TEST_ASSERT(!media_rx_seq_update(&s, 10011));
	TEST_ASSERT(media_rx_seq_update(&s, 10012));
	TEST_EQ(1, media_rx_expected(&s));
	TEST_EQ(0, media_rx_lost(&s));
 out:
	return err;
}

int test_media_rtp_jitter_follows_rfc3550(void)
{
	struct media_rx_seq s;
	int err = 0;

	media_rx_seq_reset(&s);
	/* evenly spaced: no jitter */
	for (uint32_t i = 0; i < 100; i++)
		media_rx_jitter(&s, 1000 + 160 * i, 5000 + 160 * i);
	TEST_ASSERT(s.jitter < 0.001);
	/* every other packet 40 ms (320 units) late: |D| = 320 each time,
	 * J converges to 320 */
	for (uint32_t i = 100; i < 400; i++)
		media_rx_jitter(&s, 1000 + 160 * i + (i % 2 ? 320 : 0), 5000 + 160 * i);
	TEST_ASSERT(fabs(s.jitter - 320) < 1);
 out:
	return err;
}

int test_media_rtcp_sr_rr_round_trip_and_rtt(void)
{
	uint8_t buf[300];
	struct media_rtcp_out o = { .ssrc = 0x11111111, .sr = true, .ntp = 0x0000000100020000ull,
				    .rtp_ts = 1234, .packets = 50, .octets = 8000, .have_block = true,
				    .cname = "trunkgate-test" };
	struct media_rtcp_in in;
	size_t n;
	double rtt;
	int err = 0;

	o.block = (struct media_rtcp_report){ .ssrc = 0x22222222, .fraction = 25, .lost = -3,
					      .ext_max = 70000, .jitter = 80, .lsr = 0x12345678,
					      .dlsr = 65536 };
	n = media_rtcp_build(buf, sizeof(buf), &o);
	TEST_ASSERT(n > 52 && n % 4 == 0);
	TEST_ERR(media_rtcp_parse(buf, n, 0x22222222, &in));
	TEST_ASSERT(in.have_sr);
	TEST_EQ(0x11111111, in.sr_ssrc);
	TEST_EQ(0x00010002, in.sr_ntp_mid);
	TEST_ASSERT(in.have_block);
	TEST_EQ(25, in.block.fraction);
	TEST_EQ(-3, in.block.lost);
	TEST_EQ(70000, in.block.ext_max);
	TEST_EQ(80, in.block.jitter);
	/* a block about someone else is not ours */
	TEST_ERR(media_rtcp_parse(buf, n, 0x33333333, &in));
	TEST_ASSERT(!in.have_block);
	/* RR without SR */
	o.sr = false;
	n = media_rtcp_build(buf, sizeof(buf), &o);
	TEST_ERR(media_rtcp_parse(buf, n, 0x22222222, &in));
	TEST_ASSERT(!in.have_sr && in.have_block);
	/* truncated or not starting with SR/RR: rejected */
	TEST_EQ(EBADMSG, media_rtcp_parse(buf, n - 4, 0x22222222, &in));
	buf[1] = 202;
	TEST_EQ(EBADMSG, media_rtcp_parse(buf, n, 0x22222222, &in));
	/* RTT: sent at LSR, held 1 s (DLSR), back 1.25 s after LSR -> 250 ms */
	rtt = media_rtcp_rtt_ms(&o.block, ((uint64_t)0x12345678 << 16) + ((uint64_t)(65536 + 16384) << 16));
	TEST_ASSERT(fabs(rtt - 250) < 0.1);
	o.block.lsr = 0;
	TEST_ASSERT(media_rtcp_rtt_ms(&o.block, 0) < 0);
 out:
	return err;
}

int test_media_emodel_mos_falls_with_loss_and_delay(void)
{
	double r0 = media_emodel_r(MEDIA_CODEC_PCMU, 20, 0);
	double r5 = media_emodel_r(MEDIA_CODEC_PCMU, 20, 5);
	double rd = media_emodel_r(MEDIA_CODEC_PCMU, 300, 0);
	int err = 0;

	/* G.711, no loss, short delay: R ~ 92.7, MOS ~ 4.4 */
	TEST_ASSERT(r0 > 92 && r0 < 93.2);
	TEST_ASSERT(media_r_to_mos(r0) > 4.3 && media_r_to_mos(r0) <= 4.5);
	/* 5 % random loss with PLC (Bpl 25.1): Ie,eff = 95*5/30.1 = 15.8 */
	TEST_ASSERT(fabs((r0 - r5) - 95.0 * 5 / 30.1) < 0.01);
	TEST_ASSERT(rd < r0 - 15);
	TEST_ASSERT(media_r_to_mos(-5) == 1.0 && media_r_to_mos(120) == 4.5);
 out:
	return err;
}
