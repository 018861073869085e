/*
 * test_jb.c -- the jitter buffer under reordering, loss and jitter (every
 * packet that arrives in time plays once, in order, losses are concealed
 * frame for frame), under clock drift both ways (the delay stays bounded),
 * and the echo canceller (ERLE on a synthetic echo path; 2100 Hz with phase
 * reversals turns it off, plain 2100 Hz does not).
 */
#include "config.h"
#include <math.h>
#include <spandsp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media_fixture.h"
#include "media_int.h"
#include "test.h"

static uint32_t lcg = 12345;

static uint32_t rnd(void)
{
	lcg = lcg * 1103515245u + 12345u;
	return lcg >> 8;
}

static int16_t level_of(unsigned i)
{
	return ulaw_to_linear((uint8_t)(0xef - (i % 64)));     /* 64 distinct levels */
}

struct sim {
	double rate;            /* producer speed vs the reader's clock */
	unsigned jitter_ms;     /* uniform arrival jitter */
	unsigned loss_pct;
	unsigned packets;
	/* results */
	unsigned played, out_of_order, lost, max_depth, min_depth_late;
	uint64_t concealed, late, dropped;
};

static int run(struct sim *sm)
{
	struct media_codec_state dec;
	struct media_jb jb;
	struct media_rx_seq rxs;
	int16_t out[160];
	uint8_t pl[160];
	double *arr = NULL;
	unsigned next = 0, last_idx = 0;
	bool have_last = false;
	int err = 0;

	memset(&jb, 0, sizeof(jb));
	TEST_ERR(media_codec_init(&dec, MEDIA_CODEC_PCMU));
	TEST_ERR(media_jb_init(&jb, &dec, 20, 200));
	media_rx_seq_reset(&rxs);
	arr = calloc(sm->packets, sizeof(*arr));
	TEST_ASSERT(arr);
	/* arrival times in reader samples; lost packets never arrive */
	for (unsigned i = 0; i < sm->packets; i++) {
		arr[i] = 160.0 * i / sm->rate + (sm->jitter_ms ? (double)(rnd() % (sm->jitter_ms * 8)) : 0);
		if (sm->loss_pct && rnd() % 100 < sm->loss_pct && i > 5) {
			arr[i] = -1;
			sm->lost++;
		}
	}
	for (uint64_t t = 0; t < (uint64_t)(160.0 * sm->packets / sm->rate); t += 160) {
		/* everything that arrived by t, in arrival order (reorders) */
		for (;;) {
			int best = -1;

			for (unsigned i = next; i < sm->packets && i < next + 64; i++)
				if (arr[i] >= 0 && arr[i] <= (double)t && (best < 0 || arr[i] < arr[best]))
					best = (int)i;
			if (best < 0)
				break;
			memset(pl, 0xef - (best % 64), sizeof(pl));
			media_rx_seq_update(&rxs, (uint16_t)best);
			media_rx_jitter(&rxs, (uint32_t)arr[best], 160u * (unsigned)best);
			media_jb_put(&jb, (uint16_t)best, 1000 + 160u * (unsigned)best, pl, 160, false);
			arr[best] = -2;
		}
		while (next < sm->packets && arr[next] < 0)     /* consumed or lost */
			next++;
		media_jb_set_jitter(&jb, rxs.jitter);
		media_jb_get(&jb, out, 160);
		if (media_jb_depth(&jb) > sm->max_depth && t > 8000 * 2)
			sm->max_depth = media_jb_depth(&jb);
		/* runs of one packet's level are that packet (frames may
		 * straddle two packets once the buffer has skipped) */
		for (unsigned k = 0; k < 160;) {
			unsigned r = k;

			while (r < 160 && out[r] == out[k])
				r++;
			for (unsigned i = 0; r - k >= 16 && i < 64; i++) {
				if (out[k] != level_of(i))
					continue;
				if (have_last && i == last_idx)
					break;  /* the same packet, or PLC repeating it */
				sm->played++;
				if (have_last && ((i - last_idx) & 63) >= 32)
					sm->out_of_order++;
				last_idx = i;
				have_last = true;
				break;
			}
			k = r;
		}
	}
	sm->concealed = jb.concealed;
	sm->late = jb.late;
	sm->dropped = jb.dropped;
 out:
	free(arr);
	media_jb_fini(&jb);
	media_codec_fini(&dec);
	return err;
}

int test_media_jb_plays_reordered_packets_once_and_conceals_loss(void)
{
	struct sim sm = { .rate = 1.0, .jitter_ms = 40, .loss_pct = 5, .packets = 3000 };
	int err = 0;

	TEST_ERR(run(&sm));
	printf("# played %u late %llu lost %u concealed %llu dropped %llu max depth %u\n", sm.played,
	       (unsigned long long)sm.late, sm.lost, (unsigned long long)sm.concealed,
	       (unsigned long long)sm.dropped, sm.max_depth);
	/* every packet that came plays, once and in order (a few late ones
	 * while the target delay adapts at the start are allowed) */
	TEST_EQ(0, sm.out_of_order);
	TEST_ASSERT(sm.late < 30);
	TEST_ASSERT(sm.played + sm.late + sm.lost >= sm.packets - 12);
	/* losses concealed frame for frame: no gap left silent */
	TEST_ASSERT(sm.concealed >= 160ull * sm.lost);
	TEST_ASSERT(sm.concealed <= 160ull * (sm.lost + sm.late + 40));
	/* 40 ms of jitter fits under the 200 ms bound */
	TEST_ASSERT(sm.max_depth <= 200 * 8 + 160);
 out:
	return err;
}

int test_media_jb_drift_does_not_accumulate(void)
{
	struct sim fast = { .rate = 1.005, .jitter_ms = 10, .packets = 30000 };        /* +0.5 %, 10 min */
	struct sim slow = { .rate = 0.995, .jitter_ms = 10, .packets = 30000 };
	int err = 0;

	TEST_ERR(run(&fast));
	/* 0.5 % of 600 s is 3 s of audio the reader cannot play: it is shed,
	 * and the buffer never holds more than its bound */
	TEST_ASSERT(fast.dropped > 8000 * 2);
	TEST_ASSERT(fast.max_depth <= 200 * 8 + 160);
	TEST_ASSERT(fast.max_depth < 80 * 8);
	TEST_ERR(run(&slow));
	/* too slow: gaps are concealed, the delay does not grow either */
	TEST_ASSERT(slow.concealed > 8000 * 2);
	TEST_ASSERT(slow.max_depth < 80 * 8);
	TEST_EQ(0, slow.out_of_order);
 out:
	return err;
}

int test_media_ec_cancels_a_synthetic_echo_path(void)
{
	static const double fir[] = { 0.30, 0.18, -0.12, 0.06, -0.03 };
	struct media_ec ec;
	enum { N = 8000 * 12, DELAY = 160 };
	int16_t *far = calloc(N, sizeof(int16_t)), near[160], out[160];
	double pin = 0, pout = 0, erle;
	int err = 0;

	TEST_ASSERT(far);
	TEST_ERR(media_ec_init(&ec, 160, 64));
	lcg = 99;
	for (size_t i = 0; i < N; i++)  /* white noise, about -20 dBFS */
		far[i] = (int16_t)((int)(rnd() % 10000) - 5000);
	for (size_t off = 0; off < N; off += 160) {
		for (size_t k = 0; k < 160; k++) {
			double e = 0;
			size_t i = off + k;

			for (size_t j = 0; j < sizeof(fir) / sizeof(fir[0]); j++)
				if (i >= DELAY + j)
					e += fir[j] * far[i - DELAY - j];
			near[k] = (int16_t)lrint(e);
		}
		media_ec_process(&ec, near, far + off, out, 160);
		if (off >= (size_t)N - 8000 * 2) {      /* the last 2 s */
			for (size_t k = 0; k < 160; k++) {
				pin += (double)near[k] * near[k];
				pout += (double)out[k] * out[k];
			}
		}
	}
	erle = 10 * log10(pin / (pout > 1 ? pout : 1));
	printf("# ERLE %.1f dB (20 ms delay, 5-tap FIR, -9 dB)\n", erle);
	TEST_ASSERT(erle > 20);
 out:
	media_ec_fini(&ec);
	free(far);
	return err;
}

int test_media_ec_turns_off_on_answer_tone_with_phase_reversals(void)
{
	struct media_ec ec = { 0 }, ec2 = { 0 };
	int16_t buf[160];
	bool seen = false, seen2 = false;
	int err = 0;

	TEST_ERR(media_ec_init(&ec, 160, 64));
	TEST_ERR(media_ec_init(&ec2, 160, 64));
	/* 4 s of 2100 Hz, phase reversed every 450 ms (V.25 ANS/PR) */
	for (size_t off = 0; off < 8000 * 4; off += 160) {
		for (size_t k = 0; k < 160; k++) {
			size_t i = off + k;
			double ph = ((i / 3600) % 2) ? M_PI : 0;

			buf[k] = (int16_t)lrint(6000 * sin(2 * M_PI * 2100 * i / 8000.0 + ph));
		}
		seen |= media_ec_tone(&ec, buf, 160);
		/* the same without reversals (fax CED): the canceller stays */
		for (size_t k = 0; k < 160; k++)
			buf[k] = (int16_t)lrint(6000 * sin(2 * M_PI * 2100 * (off + k) / 8000.0));
		seen2 |= media_ec_tone(&ec2, buf, 160);
	}
	TEST_ASSERT(seen);
	TEST_ASSERT(ec.disabled);
	TEST_ASSERT(!seen2);
	TEST_ASSERT(!ec2.disabled);
 out:
	media_ec_fini(&ec);
	media_ec_fini(&ec2);
	return err;
}

int test_media_jb_plays_comfort_noise_at_the_cn_level(void)
{
	struct media_codec_state dec;
	struct media_jb jb;
	uint8_t pl[160], cn = 40;       /* -40 dBov */
	int16_t out[1600];
	double rms;
	int err = 0;

	memset(&jb, 0, sizeof(jb));
	TEST_ERR(media_codec_init(&dec, MEDIA_CODEC_PCMU));
	TEST_ERR(media_jb_init(&jb, &dec, 20, 200));
	memset(pl, 0xef, sizeof(pl));
	for (unsigned i = 0; i < 5; i++) {
		media_jb_put(&jb, (uint16_t)i, 160 * i, pl, 160, false);
		media_jb_get(&jb, out, 160);
	}
	media_jb_put(&jb, 5, 800, &cn, 1, true);
	for (unsigned i = 0; i < 20; i++)       /* drain what is left, then silence period */
		media_jb_get(&jb, out, 160);
	media_jb_get(&jb, out, 1600);
	rms = mf_rms(out, 1600);
	printf("# comfort noise at -40 dBov: rms %.0f (328 expected)\n", rms);
	/* -40 dBov of 32767 is 328 rms: within 2 dB */
	TEST_ASSERT(rms > 328 * 0.79 && rms < 328 * 1.26);
	/* speech resumes: no more noise */
	media_jb_put(&jb, 6, 160 * 40, pl, 160, false);
	TEST_EQ(0, jb.cn_level);
 out:
	media_jb_fini(&jb);
	media_codec_fini(&dec);
	return err;
}
