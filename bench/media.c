/*
 * media.c -- `make bench`: what the media engine costs on this machine, as
 * CPU time of the thread doing the work (CLOCK_THREAD_CPUTIME_ID), median
 * of 5 runs:
 *   - anchored RTP relay (SIP<->SIP): per packet through a bridged pair, the
 *     same codec, PCMU -> G.722 transcoding, and SRTP in and out; turned
 *     into calls per core at 2 x 50 packets/s per call;
 *   - an RTP<->TDM leg: one packet in (jitter buffer) and one 20 ms period
 *     of audio_io (play out, encode, send) per call, plain and SRTP, with and
 *     without the echo canceller; calls per core at 50 periods/s;
 *   - the jitter buffer alone (put + get per 20 ms frame);
 *   - the echo canceller alone per channel (64 and 128 ms tails).
 * The packet generator's own sendto() is outside the timed sections.
 */
#include "config.h"
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "media_int.h"
#include "bench_util.h"

#define RUNS 5

static double median(double *v)
{
	qsort(v, RUNS, sizeof(*v), bench_cmp_double);
	return v[RUNS / 2];
}

static void addr(struct sockaddr_storage *ss, uint16_t port)
{
	struct sockaddr_in *a = (void *)ss;

	memset(ss, 0, sizeof(*ss));
	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

static void base_cfg(struct media_session_cfg *c, enum media_codec codec)
{
	memset(c, 0, sizeof(*c));
	c->codec = codec;
	c->pt = media_codec_static_pt(codec);
	c->ptime_ms = 20;
	c->dir = MEDIA_DIR_SENDRECV;
	c->latch = true;
}

static int udp_sink(uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	bind(fd, (struct sockaddr *)&a, sizeof(a));
	getsockname(fd, (struct sockaddr *)&a, &l);
	*port = ntohs(a.sin_port);
	return fd;
}

static void drain(int fd)
{
	char buf[2048];

	while (recv(fd, buf, sizeof(buf), 0) > 0)
		;
}

/* Microseconds of media-thread CPU per relayed packet. */
static double relay(enum media_codec out_codec, bool srtp)
{
	struct media_engine_cfg ec = { .bind_addr = "127.0.0.1", .port_min = 35000, .port_max = 39999 };
	struct media_engine *e;
	struct media_session *m1, *m2;
	struct media_session_cfg c1, c2;
	struct media_srtp gen_srtp = { 0 };
	struct sockaddr_storage to;
	uint16_t sink_port;
	int sink = udp_sink(&sink_port), gen = socket(AF_INET, SOCK_DGRAM, 0);
	uint8_t pkts[64][400], pl[160];
	int lens[64];
	double cpu = 0;
	unsigned total = 0;
	uint16_t seq = 1;

	media_engine_create(&e, &ec);
	base_cfg(&c1, MEDIA_CODEC_PCMU);
	base_cfg(&c2, out_codec);
	addr(&c2.remote, sink_port);
	if (srtp) {
		media_srtp_key_random(&c1.srtp_rx, MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, 1, 0, 0);
		media_srtp_key_random(&c2.srtp_tx, MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, 1, 0, 0);
		media_srtp_start(&gen_srtp, &c1.srtp_rx, true);
	}
	media_session_create(&m1, e, &c1);
	media_session_create(&m2, e, &c2);
	media_bridge_rtp(m1, m2);
	addr(&to, media_session_local_port(m1));
	for (unsigned i = 0; i < 160; i++)
		pl[i] = (uint8_t)(0x80 | (i * 7));
	for (int round = 0; round < 400; round++) {
		for (int i = 0; i < 64; i++) {
			struct media_rtp_pkt p = { .pt = 0, .seq = seq, .ts = 160u * seq, .ssrc = 42,
						   .payload = pl, .plen = 160 };

			seq++;
			lens[i] = (int)media_rtp_write(pkts[i], sizeof(pkts[i]), &p);
			if (srtp)
				media_srtp_protect(&gen_srtp, pkts[i], &lens[i], false);
			sendto(gen, pkts[i], (size_t)lens[i], 0, (struct sockaddr *)&to, sizeof(struct sockaddr_in));
		}
		{
			double t0 = bench_cpu_now();

			media_engine_poll(e, 0);
			media_engine_poll(e, 0);
			cpu += bench_cpu_now() - t0;
		}
		drain(sink);
	}
	{
		struct media_stats st;

		media_session_stats(m1, &st);
		total = (unsigned)st.rx_packets;
	}
	media_srtp_stop(&gen_srtp);
	media_engine_destroy(e);
	close(sink);
	close(gen);
	return total ? cpu * 1e6 / total : 0;
}

/* Microseconds per call per 20 ms period on an RTP<->TDM leg. */
static double tdm(unsigned calls, bool srtp, bool ec)
{
	struct media_engine_cfg cfg = { .bind_addr = "127.0.0.1", .port_min = 35000, .port_max = 39999 };
	struct media_engine *e;
	struct media_session **s = calloc(calls, sizeof(*s));
	struct media_srtp *gs = calloc(calls, sizeof(*gs));
	struct sockaddr_storage to;
	uint16_t gen_port;
	int gen = udp_sink(&gen_port);
	int16_t in[160], out[160];
	uint8_t pl[160], pkt[400];
	double cpu = 0;
	unsigned periods = 250;

	media_engine_create(&e, &cfg);
	for (unsigned i = 0; i < 160; i++) {
		in[i] = (int16_t)(3000 * sin(i * 0.785));
		pl[i] = (uint8_t)(0x80 | (i * 7));
	}
	for (unsigned c = 0; c < calls; c++) {
		struct media_session_cfg sc;

		base_cfg(&sc, MEDIA_CODEC_PCMU);
		addr(&sc.remote, gen_port);     /* strict source: the generator */
		sc.latch = false;
		sc.echo_cancel = ec;
		sc.inband_dtmf = true;
		if (srtp) {
			media_srtp_key_random(&sc.srtp_rx, MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, 1, 0, 0);
			media_srtp_key_random(&sc.srtp_tx, MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, 1, 0, 0);
			media_srtp_start(&gs[c], &sc.srtp_rx, true);
		}
		if (media_session_create(&s[c], e, &sc)) {
			fprintf(stderr, "bench: cannot create %u sessions\n", calls);
			calls = c;
			break;
		}
	}
	for (unsigned k = 0; k < periods; k++) {
		double t0;

		for (unsigned c = 0; c < calls; c++) {
			struct media_rtp_pkt p = { .pt = 0, .seq = (uint16_t)k, .ts = 160u * k, .ssrc = 1000 + c,
						   .payload = pl, .plen = 160 };
			int len = (int)media_rtp_write(pkt, sizeof(pkt), &p);

			if (srtp)
				media_srtp_protect(&gs[c], pkt, &len, false);
			addr(&to, media_session_local_port(s[c]));
			sendto(gen, pkt, (size_t)len, 0, (struct sockaddr *)&to, sizeof(struct sockaddr_in));
		}
		t0 = bench_cpu_now();
		media_engine_poll(e, 0);
		for (unsigned c = 0; c < calls; c++)
			media_session_audio_io(s[c], in, out, 160);
		cpu += bench_cpu_now() - t0;
		drain(gen);
	}
	for (unsigned c = 0; c < calls; c++)
		media_srtp_stop(&gs[c]);
	media_engine_destroy(e);
	close(gen);
	free(s);
	free(gs);
	return calls ? cpu * 1e6 / ((double)calls * periods) : 0;
}

static double jb_cost(void)
{
	struct media_codec_state dec;
	struct media_jb jb;
	uint8_t pl[160];
	int16_t out[160];
	double t0;
	unsigned n = 50000;

	memset(pl, 0x55, sizeof(pl));
	media_codec_init(&dec, MEDIA_CODEC_PCMU);
	media_jb_init(&jb, &dec, 20, 200);
	t0 = bench_cpu_now();
	for (unsigned i = 0; i < n; i++) {
		/* pairs swapped: some reordering to sort */
		unsigned q = i ^ 1;

		media_jb_put(&jb, (uint16_t)q, 160u * q, pl, 160, false);
		media_jb_get(&jb, out, 160);
	}
	t0 = bench_cpu_now() - t0;
	media_jb_fini(&jb);
	media_codec_fini(&dec);
	return t0 * 1e6 / n;
}

static double ec_cost(unsigned tail_ms)
{
	struct media_ec ec;
	int16_t far[160], near[160], out[160];
	unsigned n = 2000;
	uint32_t r = 1;
	double t0;

	media_ec_init(&ec, 160, tail_ms);
	t0 = bench_cpu_now();
	for (unsigned i = 0; i < n; i++) {
		for (unsigned k = 0; k < 160; k++) {
			r = r * 1103515245u + 12345u;
			far[k] = (int16_t)((int)(r >> 20) - 2048);
			near[k] = (int16_t)(far[k] / 4);
		}
		media_ec_process(&ec, near, far, out, 160);
	}
	t0 = bench_cpu_now() - t0;
	media_ec_fini(&ec);
	return t0 * 1e6 / n;    /* us per 20 ms frame */
}

static bool want(const char *name)
{
	const char *only = getenv("TG_BENCH_MEDIA");    /* e.g. "tdm-srtp": run one */

	return !only || strcmp(only, name) == 0;
}

int main(void)
{
	double v[RUNS], us;

	printf("== media engine (median of %d runs, CPU time of the working thread; SRTP crypto: %s)\n",
	       RUNS, media_srtp_crypto_backend());
	if (want("relay")) {
		for (int i = 0; i < RUNS; i++)
			v[i] = relay(MEDIA_CODEC_PCMU, false);
		us = median(v);
		printf("relay PCMU->PCMU:          %6.2f us/packet  -> %7.0f anchored calls per core (100 pkt/s each)\n",
		       us, 1e6 / (us * 100));
	}
	if (want("relay-g722")) {
		for (int i = 0; i < RUNS; i++)
			v[i] = relay(MEDIA_CODEC_G722, false);
		us = median(v);
		printf("relay PCMU->G.722:         %6.2f us/packet  -> %7.0f transcoded directions per core (50 pkt/s)\n",
		       us, 1e6 / (us * 50));
	}
	if (want("relay-srtp")) {
		for (int i = 0; i < RUNS; i++)
			v[i] = relay(MEDIA_CODEC_PCMU, true);
		us = median(v);
		printf("relay PCMU SRTP in+out:    %6.2f us/packet  -> %7.0f anchored calls per core\n",
		       us, 1e6 / (us * 100));
	}
	if (want("tdm")) {
		for (int i = 0; i < RUNS; i++)
			v[i] = tdm(200, false, false);
		us = median(v);
		printf("RTP<->TDM leg, PCMU:       %6.2f us/call/20ms -> %7.0f calls per core\n", us, 20000 / us);
	}
	if (want("tdm-srtp")) {
		for (int i = 0; i < RUNS; i++)
			v[i] = tdm(200, true, false);
		us = median(v);
		printf("RTP<->TDM leg, PCMU SRTP:  %6.2f us/call/20ms -> %7.0f calls per core\n", us, 20000 / us);
	}
	if (want("tdm-ec")) {
		for (int i = 0; i < RUNS; i++)
			v[i] = tdm(200, false, true);
		us = median(v);
		printf("RTP<->TDM leg, PCMU + EC:  %6.2f us/call/20ms -> %7.0f calls per core\n", us, 20000 / us);
	}
	if (want("jb")) {
		for (int i = 0; i < RUNS; i++)
			v[i] = jb_cost();
		printf("jitter buffer put+get:     %6.3f us per 20 ms frame\n", median(v));
	}
	if (want("ec64")) {
		for (int i = 0; i < RUNS; i++)
			v[i] = ec_cost(64);
		us = median(v);
		printf("echo canceller, 64 ms:     %6.2f us per 20 ms frame = %.3f %% of a core per channel\n",
		       us, us / 200);
	}
	if (want("ec128")) {
		for (int i = 0; i < RUNS; i++)
			v[i] = ec_cost(128);
		us = median(v);
		printf("echo canceller, 128 ms:    %6.2f us per 20 ms frame = %.3f %% of a core per channel\n",
		       us, us / 200);
	}
	return 0;
}
