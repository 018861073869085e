/*
 * test_session.c -- sessions over loopback in one process (unthreaded
 * engine, the test is the 8 kHz clock): a tone through PCMU, G.722 and SRTP
 * (with MKI) arrives at the right frequency with no loss; RTCP flows and
 * gives a round trip, also on hold; latching and strict sources; DTMF
 * RFC 4733 <-> in-band both ways exactly once; an anchored SIP<->SIP
 * bridge transcodes PCMU to G.722; garbage and replays are counted.
 */
#include "config.h"
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <spandsp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "media_fixture.h"
#include "media_int.h"
#include "test.h"

static int engine(struct media_engine **e)
{
	struct media_engine_cfg c = { .bind_addr = "127.0.0.1", .port_min = 31000, .port_max = 32999 };

	return media_engine_create(e, &c);
}

/* Pair a and b (created with no remote) at each other. */
static int pair(struct media_session *a, struct media_session_cfg *ca,
		struct media_session *b, struct media_session_cfg *cb)
{
	int err;

	mf_addr(&ca->remote, media_session_local_port(b));
	mf_addr(&cb->remote, media_session_local_port(a));
	if ((err = media_session_update(a, ca)))
		return err;
	return media_session_update(b, cb);
}

/* n periods of 160: a's TDM in is a 1004 Hz tone, b's TDM out collected. */
static void run_tone(struct media_engine *e, struct media_session *a, struct media_session *b,
		     int16_t *got, size_t periods)
{
	int16_t in[160], out[160], silence[160] = { 0 };

	for (size_t k = 0; k < periods; k++) {
		mf_tone(in, 160, 1004, 8000, 8000, k * 160);
		media_session_audio_io(a, in, out, 160);
		mf_pump(e, 2);
		media_session_audio_io(b, silence, got + k * 160, 160);
	}
}

static int tone_case(enum media_codec codec, uint8_t pt, enum media_srtp_suite suite, unsigned mki_len,
		     bool bare)
{
	struct media_engine *e = NULL;
	struct media_session *a = NULL, *b = NULL;
	struct media_session_cfg ca, cb;
	struct media_stats sa, sb;
	static int16_t got[160 * 100];
	int err = 0;

	TEST_ERR(engine(&e));
	mf_cfg(&ca, 0);
	ca.codec = codec;
	ca.pt = pt;
	if (bare)                       /* no telephone-event, no CN negotiated */
		ca.te_pt = ca.cn_pt = 0;
	cb = ca;
	if (suite) {
		TEST_ERR(media_srtp_key_random(&ca.srtp_tx, suite, 1, mki_len, 1));
		TEST_ERR(media_srtp_key_random(&cb.srtp_tx, suite, 1, mki_len, 2));
		ca.srtp_rx = cb.srtp_tx;
		cb.srtp_rx = ca.srtp_tx;
	}
	TEST_ERR(media_session_create(&a, e, &ca));
	TEST_ERR(media_session_create(&b, e, &cb));
	TEST_ASSERT(media_session_local_port(a) % 2 == 0);
	TEST_ASSERT(media_session_local_port(a) != media_session_local_port(b));
	TEST_ERR(pair(a, &ca, b, &cb));
	run_tone(e, a, b, got, 100);
	/* after the buffer's start-up delay, the tone */
	TEST_ASSERT(fabs(mf_peak(got + 1600, 8000, 300, 3400, 1, 8000) - 1004) <= 1);
	TEST_ASSERT(mf_goertzel(got + 1600, 8000, 1004, 8000) > 8000 * 0.85);
	media_session_stats(a, &sa);
	media_session_stats(b, &sb);
	TEST_EQ(100, sa.tx_packets);
	TEST_EQ(100, sb.rx_packets);
	TEST_EQ(0, sb.lost);
	TEST_EQ(0, sb.srtp_fail);
	TEST_EQ(0, sb.bad_packets);
	TEST_ASSERT(sb.mos > 4.0);
 out:
	media_session_destroy(a);
	media_session_destroy(b);
	media_engine_destroy(e);
	return err;
}

int test_media_session_tone_through_pcmu_g722_and_srtp(void)
{
	int err = 0;

	TEST_ERR(tone_case(MEDIA_CODEC_PCMU, 0, MEDIA_SRTP_NONE, 0, false));
	TEST_ERR(tone_case(MEDIA_CODEC_PCMU, 0, MEDIA_SRTP_NONE, 0, true));
	TEST_ERR(tone_case(MEDIA_CODEC_PCMA, 8, MEDIA_SRTP_NONE, 0, false));
	TEST_ERR(tone_case(MEDIA_CODEC_G722, 9, MEDIA_SRTP_NONE, 0, true));
	for (int s = 1; s < MEDIA_SRTP__COUNT; s++) {
		TEST_ERR(tone_case(MEDIA_CODEC_PCMU, 0, (enum media_srtp_suite)s, 0, false));
		TEST_ERR(tone_case(MEDIA_CODEC_PCMU, 0, (enum media_srtp_suite)s, 1, true));
	}
 out:
	return err;
}

int test_media_session_rtcp_flows_and_measures_rtt_also_on_hold(void)
{
	struct media_engine *e = NULL;
	struct media_session *a = NULL, *b = NULL;
	struct media_session_cfg ca, cb;
	struct media_stats sa, sb;
	static int16_t got[160 * 20];
	int err = 0;

	TEST_ERR(engine(&e));
	mf_cfg(&ca, 0);
	cb = ca;
	TEST_ERR(media_session_create(&a, e, &ca));
	TEST_ERR(media_session_create(&b, e, &cb));
	TEST_ERR(pair(a, &ca, b, &cb));
	run_tone(e, a, b, got, 20);
	/* a's report is due (the test moves the clock, not the wall) */
	media_session_tick(a, media_now_us() + 60000000ull);
	mf_pump(e, 2);
	media_session_tick(b, media_now_us() + 60000000ull);
	mf_pump(e, 2);
	media_session_stats(a, &sa);
	media_session_stats(b, &sb);
	TEST_EQ(1, sa.rtcp_tx);
	TEST_EQ(1, sb.rtcp_rx);
	TEST_EQ(1, sa.rtcp_rx);
	TEST_ASSERT(sa.rtt_ms >= 0 && sa.rtt_ms < 1000);
	/* hold both ways: no RTP, RTCP still goes (Lync needs it) */
	ca.dir = MEDIA_DIR_INACTIVE;
	cb.dir = MEDIA_DIR_INACTIVE;
	TEST_ERR(media_session_update(a, &ca));
	TEST_ERR(media_session_update(b, &cb));
	run_tone(e, a, b, got, 20);
	media_session_stats(a, &sa);
	TEST_EQ(20, sa.tx_packets);
	media_session_tick(a, media_now_us() + 120000000ull);
	mf_pump(e, 2);
	media_session_stats(a, &sa);
	media_session_stats(b, &sb);
	TEST_EQ(2, sa.rtcp_tx);
	TEST_EQ(2, sb.rtcp_rx);
	/* on hold no RTP timeout unless asked for; off hold it fires once */
	ca.rtp_timeout_ms = 1000;
	TEST_ERR(media_session_update(a, &ca));
	media_session_tick(a, media_now_us() + 130000000ull);
	{
		struct media_event ev[4];

		TEST_EQ(0, media_engine_events_take(e, ev, 4));
		ca.dir = MEDIA_DIR_SENDRECV;
		TEST_ERR(media_session_update(a, &ca));
		media_session_tick(a, media_now_us() + 140000000ull);
		media_session_tick(a, media_now_us() + 150000000ull);
		TEST_EQ(1, media_engine_events_take(e, ev, 4));
		TEST_EQ(MEDIA_EV_RTP_TIMEOUT, ev[0].type);
	}
 out:
	media_session_destroy(a);
	media_session_destroy(b);
	media_engine_destroy(e);
	return err;
}

int test_media_session_latches_or_rejects_foreign_sources(void)
{
	struct media_engine *e = NULL;
	struct media_session *a = NULL, *b = NULL, *c = NULL;
	struct media_session_cfg ca, cb, cc;
	struct media_stats st;
	struct media_event ev[4];
	static int16_t got[160 * 20];
	int err = 0;

	TEST_ERR(engine(&e));
	mf_cfg(&ca, 0);
	cb = cc = ca;
	TEST_ERR(media_session_create(&a, e, &ca));
	TEST_ERR(media_session_create(&b, e, &cb));
	TEST_ERR(media_session_create(&c, e, &cc));
	/* b expects media from c's address but takes what comes (bypass) */
	mf_addr(&ca.remote, media_session_local_port(b));
	mf_addr(&cb.remote, media_session_local_port(c));
	cb.latch = true;
	cb.cookie = 77;
	TEST_ERR(media_session_update(a, &ca));
	TEST_ERR(media_session_update(b, &cb));
	run_tone(e, a, b, got, 20);
	media_session_stats(b, &st);
	TEST_EQ(20, st.rx_packets);
	TEST_EQ(1, media_engine_events_take(e, ev, 4));
	TEST_EQ(MEDIA_EV_LATCHED, ev[0].type);
	TEST_EQ(77, ev[0].cookie);
	/* b sends to a (symmetric RTP), not to c: b's 20 frames of the
	 * first round and 10 more */
	run_tone(e, b, a, got, 10);
	mf_pump(e, 2);                  /* a's last frame to b */
	media_session_stats(a, &st);
	TEST_EQ(30, st.rx_packets);
	media_session_stats(c, &st);
	TEST_EQ(0, st.rx_packets);
	/* strict: b no longer latches; a's packets are foreign */
	cb.latch = false;
	TEST_ERR(media_session_update(b, &cb));
	run_tone(e, a, b, got, 10);
	media_session_stats(b, &st);
	TEST_EQ(10, st.foreign_packets);
	TEST_EQ(30, st.rx_packets);     /* 20, and a's 10 of the second round */
 out:
	media_session_destroy(a);
	media_session_destroy(b);
	media_session_destroy(c);
	media_engine_destroy(e);
	return err;
}

struct digits {
	char rfc[32], inband[32];
	unsigned nrfc, ninband;
};

static void collect(struct media_engine *e, struct digits *d)
{
	struct media_event ev[16];
	size_t n;

	while ((n = media_engine_events_take(e, ev, 16)))
		for (size_t i = 0; i < n; i++)
			if (ev[i].type == MEDIA_EV_DTMF) {
				if (ev[i].source == MEDIA_DTMF_RFC4733 && d->nrfc < 31)
					d->rfc[d->nrfc++] = ev[i].digit;
				else if (d->ninband < 31)
					d->inband[d->ninband++] = ev[i].digit;
			}
}

int test_media_session_dtmf_rfc4733_and_inband_both_ways_once(void)
{
	struct media_engine *e = NULL;
	struct media_session *a = NULL, *b = NULL;
	struct media_session_cfg ca, cb;
	dtmf_tx_state_t *gen = NULL;
	dtmf_rx_state_t *det = NULL;
	struct digits d = { 0 };
	int16_t in[160], out[160], silence[160] = { 0 };
	char heard[32] = "";
	int err = 0;

	TEST_ERR(engine(&e));
	mf_cfg(&ca, 0);
	ca.inband_dtmf = true;          /* a is the TDM leg */
	cb = ca;
	cb.inband_dtmf = false;
	TEST_ERR(media_session_create(&a, e, &ca));
	TEST_ERR(media_session_create(&b, e, &cb));
	TEST_ERR(pair(a, &ca, b, &cb));
	/* in-band on a's TDM side -> RFC 4733 toward b, once each */
	gen = dtmf_tx_init(NULL);
	det = dtmf_rx_init(NULL, NULL, NULL);
	TEST_ASSERT(gen && det);
	dtmf_tx_set_timing(gen, 80, 80);
	dtmf_tx_put(gen, "0123456789*#ABCD", -1);
	for (int k = 0; k < 16 * 8 + 20; k++) {
		int n = dtmf_tx(gen, in, 160);

		if (n < 160)
			memset(in + n, 0, (size_t)(160 - n) * sizeof(int16_t));
		media_session_audio_io(a, in, out, 160);
		mf_pump(e, 2);
		media_session_audio_io(b, silence, out, 160);
	}
	collect(e, &d);
	d.rfc[d.nrfc] = d.inband[d.ninband] = 0;
	TEST_STREQ("0123456789*#ABCD", d.inband);       /* a saw them in-band */
	TEST_STREQ("0123456789*#ABCD", d.rfc);          /* b got them as events */
	/* RFC 4733 from b -> in-band on a's TDM side, heard once each */
	memset(&d, 0, sizeof(d));
	for (const char *p = "159#"; *p; p++)
		TEST_ERR(media_session_send_dtmf(b, *p, 100));
	for (int k = 0; k < 4 * 12 + 20; k++) {
		media_session_audio_io(b, silence, out, 160);
		mf_pump(e, 2);
		media_session_audio_io(a, silence, out, 160);
		dtmf_rx(det, out, 160);
	}
	dtmf_rx_get(det, heard, sizeof(heard) - 1);
	TEST_STREQ("159#", heard);
	collect(e, &d);
	d.rfc[d.nrfc] = 0;
	TEST_STREQ("159#", d.rfc);
	TEST_EQ(0, d.ninband);          /* our own generated tones are not re-detected */
 out:
	if (gen)
		dtmf_tx_free(gen);
	if (det)
		dtmf_rx_free(det);
	media_session_destroy(a);
	media_session_destroy(b);
	media_engine_destroy(e);
	return err;
}

int test_media_session_bridge_transcodes_pcmu_to_g722(void)
{
	struct media_engine *e = NULL;
	struct media_session *a = NULL, *m1 = NULL, *m2 = NULL, *b = NULL;
	struct media_session_cfg ca, c1, c2, cb;
	struct media_stats st;
	static int16_t got[160 * 100];
	int err = 0;

	TEST_ERR(engine(&e));
	mf_cfg(&ca, 0);
	c1 = ca;
	c2 = ca;
	c2.codec = MEDIA_CODEC_G722;
	c2.pt = 9;
	cb = c2;
	TEST_ERR(media_session_create(&a, e, &ca));
	TEST_ERR(media_session_create(&m1, e, &c1));
	TEST_ERR(media_session_create(&m2, e, &c2));
	TEST_ERR(media_session_create(&b, e, &cb));
	TEST_ERR(pair(a, &ca, m1, &c1));
	TEST_ERR(pair(m2, &c2, b, &cb));
	TEST_ERR(media_bridge_rtp(m1, m2));
	run_tone(e, a, b, got, 100);
	TEST_ASSERT(fabs(mf_peak(got + 1600, 8000, 300, 3400, 1, 8000) - 1004) <= 1);
	TEST_ASSERT(mf_goertzel(got + 1600, 8000, 1004, 8000) > 8000 * 0.8);
	media_session_stats(b, &st);
	TEST_EQ(100, st.rx_packets);
	TEST_EQ(0, st.bad_packets);
	/* same codec both sides: relayed, 100 more packets, still a tone */
	c2.codec = MEDIA_CODEC_PCMU;
	c2.pt = 0;
	cb.codec = MEDIA_CODEC_PCMU;
	cb.pt = 0;
	TEST_ERR(media_session_update(m2, &c2));
	TEST_ERR(media_session_update(b, &cb));
	run_tone(e, a, b, got, 100);
	TEST_ASSERT(fabs(mf_peak(got + 1600, 8000, 300, 3400, 1, 8000) - 1004) <= 1);
	media_session_stats(b, &st);
	TEST_EQ(200, st.rx_packets);
	TEST_EQ(0, st.lost);
 out:
	media_session_destroy(a);
	media_session_destroy(m1);
	media_session_destroy(m2);
	media_session_destroy(b);
	media_engine_destroy(e);
	return err;
}

static void garbage_to(int fd, uint16_t port)
{
	struct sockaddr_storage to;

	mf_addr(&to, port);
	sendto(fd, "hello world, not RTP", 20, 0, (struct sockaddr *)&to, sizeof(struct sockaddr_in));
	sendto(fd, "\x80", 1, 0, (struct sockaddr *)&to, sizeof(struct sockaddr_in));
	mf_addr(&to, port + 1);
	sendto(fd, "\x81\xc8\x00\x01garbage", 11, 0, (struct sockaddr *)&to, sizeof(struct sockaddr_in));
}

int test_media_session_counts_garbage_and_srtp_replays(void)
{
	struct media_engine *e = NULL;
	struct media_session *a = NULL, *b = NULL;
	struct media_session_cfg ca, cb;
	struct media_stats st;
	struct media_srtp tx = { 0 };
	struct sockaddr_storage to;
	uint8_t buf[400], pl[160] = { 0 };
	struct media_rtp_pkt p = { .pt = 0, .seq = 5, .ts = 800, .ssrc = 9, .payload = pl, .plen = 160 };
	int fd = -1, len, err = 0;

	TEST_ERR(engine(&e));
	mf_cfg(&ca, 0);
	cb = ca;
	ca.latch = cb.latch = true;
	TEST_ERR(media_srtp_key_random(&ca.srtp_rx, MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, 1, 0, 0));
	TEST_ERR(media_session_create(&a, e, &ca));
	TEST_ERR(media_session_create(&b, e, &cb));
	TEST_ERR(media_srtp_start(&tx, &ca.srtp_rx, true));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	TEST_ASSERT(fd >= 0);
	/* plain RTP leg: garbage, a 1-byte packet, a broken RTCP packet */
	garbage_to(fd, media_session_local_port(b));
	/* SRTP leg: the same fail authentication; a good packet, its replay */
	garbage_to(fd, media_session_local_port(a));
	len = (int)media_rtp_write(buf, sizeof(buf), &p);
	TEST_ERR(media_srtp_protect(&tx, buf, &len, false));
	mf_addr(&to, media_session_local_port(a));
	sendto(fd, buf, (size_t)len, 0, (struct sockaddr *)&to, sizeof(struct sockaddr_in));
	sendto(fd, buf, (size_t)len, 0, (struct sockaddr *)&to, sizeof(struct sockaddr_in));
	mf_pump(e, 3);
	media_session_stats(b, &st);
	TEST_EQ(0, st.rx_packets);
	TEST_EQ(3, st.bad_packets);
	media_session_stats(a, &st);
	TEST_EQ(1, st.rx_packets);
	TEST_EQ(4, st.srtp_fail);
 out:
	if (fd >= 0)
		close(fd);
	media_srtp_stop(&tx);
	media_session_destroy(a);
	media_session_destroy(b);
	media_engine_destroy(e);
	return err;
}

int test_media_span_audio_moves_a_bridged_timeslot_only(void)
{
	struct media_engine *e = NULL;
	struct media_session *a = NULL, *b = NULL;
	struct media_session_cfg ca, cb;
	enum { TS = 24, N = 160 };
	static uint8_t rx[TS * N], tx[TS * N];
	static int16_t got[N * 60];
	int16_t silence[N] = { 0 }, tone[N];
	int err = 0;

	TEST_ERR(engine(&e));
	mf_cfg(&ca, 0);
	cb = ca;
	TEST_ERR(media_session_create(&a, e, &ca));
	TEST_ERR(media_session_create(&b, e, &cb));
	TEST_ERR(pair(a, &ca, b, &cb));
	TEST_ERR(media_bridge_tdm(a, 7, 3));
	TEST_EQ(EBUSY, media_bridge_tdm(b, 7, 3));
	TEST_EQ(EINVAL, media_bridge_tdm(b, 7, 0));
	for (int k = 0; k < 60; k++) {
		/* a T1 period: timeslot 3 carries a tone, the others idle */
		memset(rx, 0xff, sizeof(rx));
		memset(tx, 0x7f, sizeof(tx));
		mf_tone(tone, N, 1004, 8000, 8000, (size_t)k * N);
		for (int i = 0; i < N; i++)
			rx[2 * N + i] = linear_to_ulaw(tone[i]);
		media_span_audio(e, 7, true, rx, tx, TS, N);
		media_span_audio(e, 8, true, rx, tx, TS, N);    /* no such span: nothing */
		mf_pump(e, 2);
		media_session_audio_io(b, silence, got + k * N, N);
		/* only timeslot 3 was written (b sends silence back) */
		TEST_EQ(0x7f, tx[0]);
		TEST_EQ(0x7f, tx[3 * N]);
	}
	TEST_ASSERT(fabs(mf_peak(got + 1600, 8000, 300, 3400, 1, 8000) - 1004) <= 1);
	media_unbridge(a);
	TEST_ERR(media_bridge_tdm(b, 7, 3));    /* the timeslot is free again */
 out:
	media_session_destroy(a);
	media_session_destroy(b);
	media_engine_destroy(e);
	return err;
}

int test_media_session_bridge_relays_telephone_events(void)
{
	struct media_engine *e = NULL;
	struct media_session *a = NULL, *m1 = NULL, *m2 = NULL, *b = NULL;
	struct media_session_cfg ca, c1, c2, cb;
	struct media_event ev[32];
	int16_t silence[160] = { 0 }, out[160];
	char got[16] = "";
	unsigned n = 0;
	int err = 0;

	TEST_ERR(engine(&e));
	mf_cfg(&ca, 0);
	c1 = c2 = cb = ca;
	c2.te_pt = cb.te_pt = 96;       /* another PT number on the far side */
	cb.cookie = 5;
	TEST_ERR(media_session_create(&a, e, &ca));
	TEST_ERR(media_session_create(&m1, e, &c1));
	TEST_ERR(media_session_create(&m2, e, &c2));
	TEST_ERR(media_session_create(&b, e, &cb));
	TEST_ERR(pair(a, &ca, m1, &c1));
	TEST_ERR(pair(m2, &c2, b, &cb));
	TEST_ERR(media_bridge_rtp(m1, m2));
	TEST_ERR(media_session_send_dtmf(a, '7', 80));
	TEST_ERR(media_session_send_dtmf(a, '#', 80));
	for (int k = 0; k < 30; k++) {
		media_session_audio_io(a, silence, out, 160);
		mf_pump(e, 3);
		media_session_audio_io(b, silence, out, 160);
	}
	for (size_t i = 0, k = media_engine_events_take(e, ev, 32); i < k; i++)
		if (ev[i].type == MEDIA_EV_DTMF && ev[i].cookie == 5)
			got[n++] = ev[i].digit;
	got[n] = 0;
	TEST_STREQ("7#", got);
 out:
	media_session_destroy(a);
	media_session_destroy(m1);
	media_session_destroy(m2);
	media_session_destroy(b);
	media_engine_destroy(e);
	return err;
}

int test_media_session_rekeys_on_update_without_losing_audio(void)
{
	struct media_engine *e = NULL;
	struct media_session *a = NULL, *b = NULL;
	struct media_session_cfg ca, cb;
	struct media_stats st;
	static int16_t got[160 * 60];
	int err = 0;

	TEST_ERR(engine(&e));
	mf_cfg(&ca, 0);
	TEST_ERR(media_srtp_key_random(&ca.srtp_tx, MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, 1, 1, 1));
	cb = ca;
	TEST_ERR(media_srtp_key_random(&cb.srtp_tx, MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, 1, 1, 1));
	ca.srtp_rx = cb.srtp_tx;
	cb.srtp_rx = ca.srtp_tx;
	TEST_ERR(media_session_create(&a, e, &ca));
	TEST_ERR(media_session_create(&b, e, &cb));
	TEST_ERR(pair(a, &ca, b, &cb));
	run_tone(e, a, b, got, 30);
	/* a re-INVITE brings new keys (AES-256, another MKI) on both sides */
	TEST_ERR(media_srtp_key_random(&ca.srtp_tx, MEDIA_SRTP_AES_256_CM_HMAC_SHA1_80, 2, 2, 513));
	cb.srtp_rx = ca.srtp_tx;
	TEST_ERR(media_session_update(a, &ca));
	TEST_ERR(media_session_update(b, &cb));
	run_tone(e, a, b, got, 60);
	TEST_ASSERT(fabs(mf_peak(got + 1600, 8000, 300, 3400, 1, 8000) - 1004) <= 1);
	media_session_stats(b, &st);
	TEST_EQ(90, st.rx_packets);
	TEST_EQ(0, st.srtp_fail);
	TEST_EQ(0, st.lost);
	/* a key b does not know: every packet fails and is counted */
	TEST_ERR(media_srtp_key_random(&ca.srtp_tx, MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, 1, 0, 0));
	TEST_ERR(media_session_update(a, &ca));
	run_tone(e, a, b, got, 10);
	media_session_stats(b, &st);
	TEST_EQ(90, st.rx_packets);
	TEST_EQ(10, st.srtp_fail);
 out:
	media_session_destroy(a);
	media_session_destroy(b);
	media_engine_destroy(e);
	return err;
}
