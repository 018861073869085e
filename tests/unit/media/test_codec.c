/*
 * test_codec.c -- tones through G.711 and G.722 encode/decode keep their
 * frequency and level (Goertzel), G.722 made at 8 kHz decodes right in a
 * real 16 kHz G.722 decoder, RFC 4733 sends and receives each digit once
 * with the right duration, and spandsp's in-band generator and detector.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <spandsp.h>
#include <string.h>

#include "media_fixture.h"
#include "media_int.h"
#include "test.h"

static int tone_through(enum media_codec c, double f, double *peak, double *level)
{
	struct media_codec_state st;
	int16_t in[8000], out[8000];
	uint8_t pl[160];
	int err = 0;

	TEST_ERR(media_codec_init(&st, c));
	mf_tone(in, 8000, f, 8000, 8000, 0);
	for (size_t off = 0; off < 8000; off += 160) {
		size_t n = media_codec_encode(&st, in + off, 160, pl);

		TEST_EQ(160, n);
		TEST_EQ(160, media_codec_decode(&st, pl, n, out + off));
	}
	/* skip the codec's start-up (G.722's adaptive predictors) */
	*peak = mf_peak(out + 800, 7200, 300, 3400, 5, 8000);
	*level = mf_goertzel(out + 800, 7200, f, 8000);
 out:
	media_codec_fini(&st);
	return err;
}

int test_media_codec_tone_survives_g711_and_g722(void)
{
	static const enum media_codec cs[] = { MEDIA_CODEC_PCMU, MEDIA_CODEC_PCMA, MEDIA_CODEC_G722 };
	int err = 0;

	for (size_t i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
		double peak = 0, level = 0;

		TEST_ERR(tone_through(cs[i], 1004, &peak, &level));
		TEST_ASSERT(fabs(peak - 1005) <= 5);
		/* within 1 dB of the 8000 amplitude sent */
		TEST_ASSERT(level > 8000 * 0.89 && level < 8000 * 1.12);
	}
	TEST_STREQ("G722", media_codec_name(MEDIA_CODEC_G722));
	TEST_EQ(MEDIA_CODEC_PCMA, media_codec_by_name("pcma"));
	TEST_EQ(MEDIA_CODEC_NONE, media_codec_by_name("SILK"));
 out:
	return err;
}

int test_media_codec_g722_from_8k_plays_in_a_16k_decoder(void)
{
	struct media_codec_state st;
	g722_decode_state_t *wide = NULL;
	int16_t in[8000], out16[16000];
	uint8_t pl[8000];
	double peak, level;
	int err = 0;

	TEST_ERR(media_codec_init(&st, MEDIA_CODEC_G722));
	mf_tone(in, 8000, 1004, 8000, 8000, 0);
	TEST_EQ(8000, media_codec_encode(&st, in, 8000, pl));
	wide = g722_decode_init(NULL, 64000, 0);
	TEST_ASSERT(wide);
	TEST_EQ(16000, g722_decode(wide, out16, pl, 8000));
	peak = mf_peak(out16 + 1600, 14400, 300, 7000, 5, 16000);
	level = mf_goertzel(out16 + 1600, 14400, 1004, 16000);
	TEST_ASSERT(fabs(peak - 1005) <= 5);
	/* the QMF halves nothing: the wideband decoder hears the same level */
	TEST_ASSERT(level > 8000 * 0.7 && level < 8000 * 1.4);
	/* and nothing above 4 kHz leaks in */
	TEST_ASSERT(mf_goertzel(out16 + 1600, 14400, 6996, 16000) < level / 100);
 out:
	if (wide)
		g722_decode_free(wide);
	media_codec_fini(&st);
	return err;
}

int test_media_dtmf_rfc4733_each_digit_once_with_its_duration(void)
{
	struct media_te_tx tx = { 0 };
	struct media_te_rx rx = { 0 };
	const char *digits = "0123456789*#ABCD";
	char got[32] = "";
	unsigned ngot = 0, ends = 0, endpk = 0;
	uint32_t now = 1000, last_dur = 0;
	uint16_t seq = 100;
	int err = 0;

	for (const char *d = digits; *d; d++)
		TEST_ERR(media_te_tx_queue(&tx, *d, 100));
	TEST_EQ(EINVAL, media_te_tx_queue(&tx, 'x', 100));
	for (int frame = 0; frame < 16 * 8; frame++, now += 160) {
		uint8_t pl[3][4];
		uint32_t ts;
		bool marker;
		unsigned k = media_te_tx_frame(&tx, now, 160, pl, &ts, &marker);

		for (unsigned i = 0; i < k; i++) {
			struct media_rtp_pkt p = { .pt = 101, .seq = seq++, .ts = ts,
						   .payload = pl[i], .plen = 4, .marker = marker && !i };
			uint32_t end = 0;
			bool bad;
			char c;

			if (pl[i][1] & 0x80)
				endpk++;
			/* and every packet twice, as a network may duplicate */
			for (int dup = 0; dup < 2; dup++) {
				c = media_te_rx_packet(&rx, &p, &end, &bad);
				TEST_ASSERT(!bad);
				if (c) {
					TEST_ASSERT(marker && !i);
					got[ngot++] = c;
				}
				if (end) {
					ends++;
					last_dur = end;
					end = 0;
				}
			}
		}
	}
	got[ngot] = 0;
	TEST_STREQ(digits, got);
	TEST_EQ(16, ends);              /* one end per digit, however many came */
	TEST_EQ(16 * 3, endpk);         /* each end sent three times */
	TEST_EQ(800, last_dur);         /* 100 ms at 8 kHz, exactly */
	/* a new event with a lost start is still reported once, from its end */
	{
		uint8_t pl[4] = { 5, 0x80 | 10, 0x03, 0x20 };
		struct media_rtp_pkt p = { .pt = 101, .seq = seq++, .ts = now + 5000, .payload = pl, .plen = 4 };
		uint32_t end = 0;
		bool bad;

		TEST_EQ('5', media_te_rx_packet(&rx, &p, &end, &bad));
		TEST_EQ(800, end);
		p.seq = seq++;
		TEST_EQ(0, media_te_rx_packet(&rx, &p, &end, &bad));
	}
 out:
	return err;
}

int test_media_dtmf_inband_spandsp_detects_generated_digits(void)
{
	dtmf_tx_state_t *tx = dtmf_tx_init(NULL);
	dtmf_rx_state_t *rx = dtmf_rx_init(NULL, NULL, NULL);
	int16_t buf[160];
	char got[32] = "";
	int err = 0;

	TEST_ASSERT(tx && rx);
	dtmf_tx_set_timing(tx, 100, 60);
	dtmf_tx_put(tx, "0123456789*#ABCD", -1);
	for (int i = 0; i < 16 * 8 + 20; i++) {
		int n = dtmf_tx(tx, buf, 160);

		if (n < 160)
			memset(buf + n, 0, (size_t)(160 - n) * sizeof(int16_t));
		dtmf_rx(rx, buf, 160);
	}
	dtmf_rx_get(rx, got, sizeof(got) - 1);
	TEST_STREQ("0123456789*#ABCD", got);
 out:
	if (tx)
		dtmf_tx_free(tx);
	if (rx)
		dtmf_rx_free(rx);
	return err;
}

int test_media_codec_list_parses_a_trunk_preference_list(void)
{
	enum media_codec v[MEDIA_CODEC__COUNT];
	char e[160];
	size_t n = 0;
	int err = 0;

	TEST_ERR(media_codec_list_parse("G722, pcma,PCMU", v, MEDIA_CODEC__COUNT, &n, e, sizeof(e)));
	TEST_EQ(3, n);
	TEST_EQ(MEDIA_CODEC_G722, v[0]);
	TEST_EQ(MEDIA_CODEC_PCMA, v[1]);
	TEST_EQ(MEDIA_CODEC_PCMU, v[2]);
	TEST_ERR(media_codec_list_parse("PCMA", v, MEDIA_CODEC__COUNT, &n, e, sizeof(e)));
	TEST_EQ(1, n);
	TEST_EQ(EINVAL, media_codec_list_parse("PCMU,G729", v, MEDIA_CODEC__COUNT, &n, e, sizeof(e)));
	TEST_CONTAINS(e, "G729");
	TEST_EQ(EINVAL, media_codec_list_parse("PCMU,PCMU", v, MEDIA_CODEC__COUNT, &n, e, sizeof(e)));
	TEST_CONTAINS(e, "twice");
	TEST_EQ(EINVAL, media_codec_list_parse("PCMU,CN", v, MEDIA_CODEC__COUNT, &n, e, sizeof(e)));
	TEST_EQ(EINVAL, media_codec_list_parse("telephone-event", v, MEDIA_CODEC__COUNT, &n, e,
					       sizeof(e)));
	TEST_EQ(EINVAL, media_codec_list_parse("", v, MEDIA_CODEC__COUNT, &n, e, sizeof(e)));
	TEST_EQ(EINVAL, media_codec_list_parse("PCMU,", v, MEDIA_CODEC__COUNT, &n, e, sizeof(e)));
	TEST_EQ(EINVAL, media_codec_list_parse(",PCMU", v, MEDIA_CODEC__COUNT, &n, e, sizeof(e)));
	TEST_EQ(EINVAL, media_codec_list_parse("PCMU,PCMA", v, 1, &n, e, sizeof(e)));
	TEST_EQ(0, n);
 out:
	return err;
}
