/*
 * media_peer.c -- drives one media session against a real RTP peer for the
 * integration tests: a threaded engine receives, this program is the 8 kHz
 * clock (20 ms periods, paced by clock_nanosleep), sends a 1004 Hz tone and
 * measures what comes back (Goertzel: frequency and level) and the
 * session's statistics.  Prints one line of key=value results; exit 0 when
 * the tone came back at 1004 Hz within 1 dB with no loss.
 *
 *   media_peer PORT SECONDS [pcmu|pcma|g722] [SRTP-SUITE [MKI-LEN]]
 *
 * With SRTP the echoed packets are our own: the receive key is our key.
 */
#include "config.h"
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "media_int.h"

static double goertzel(const int16_t *x, size_t n, double f)
{
	double w = 2 * M_PI * f / 8000, c = 2 * cos(w), s1 = 0, s2 = 0, p;

	for (size_t i = 0; i < n; i++) {
		double s = x[i] + c * s1 - s2;

		s2 = s1;
		s1 = s;
	}
	p = s1 * s1 + s2 * s2 - c * s1 * s2;
	return 2 * sqrt(p > 0 ? p : 0) / (double)n;
}

int main(int argc, char **argv)
{
	struct media_engine_cfg ec = { .bind_addr = "127.0.0.1", .port_min = 33000,
				       .port_max = 34999, .threaded = true };
	struct media_engine *e = NULL;
	struct media_session *s = NULL;
	struct media_session_cfg c;
	struct media_stats st;
	struct timespec next;
	int16_t in[160], *out;
	unsigned seconds, periods;
	double peak = 0, bp = -1, level;
	const char *codec = argc > 3 ? argv[3] : "pcmu";
	int err;

	if (argc < 3) {
		fprintf(stderr, "usage: %s PORT SECONDS [pcmu|pcma|g722] [SUITE [MKI-LEN]]\n", argv[0]);
		return 2;
	}
	seconds = (unsigned)atoi(argv[2]);
	periods = seconds * 50;
	out = calloc(periods * 160, sizeof(int16_t));
	memset(&c, 0, sizeof(c));
	{
		struct sockaddr_in *a = (void *)&c.remote;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)atoi(argv[1]));
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	}
	c.codec = media_codec_by_name(codec);
	c.pt = media_codec_static_pt(c.codec);
	c.ptime_ms = 20;
	c.dir = MEDIA_DIR_SENDRECV;
	c.jb_min_ms = 20;
	c.jb_max_ms = 200;
	if (argc > 4) {
		enum media_srtp_suite su = media_srtp_suite_by_name(argv[4]);

		if (su == MEDIA_SRTP_NONE ||
		    media_srtp_key_random(&c.srtp_tx, su, 1, argc > 5 ? (unsigned)atoi(argv[5]) : 0, 1)) {
			fprintf(stderr, "bad suite %s\n", argv[4]);
			return 2;
		}
		c.srtp_rx = c.srtp_tx;
	}
	if (!out || c.codec == MEDIA_CODEC_NONE)
		return 2;
	if ((err = media_engine_create(&e, &ec)) || (err = media_session_create(&s, e, &c))) {
		fprintf(stderr, "media: %s\n", strerror(err));
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (unsigned k = 0; k < periods; k++) {
		for (unsigned i = 0; i < 160; i++)
			in[i] = (int16_t)lrint(8000 * sin(2 * M_PI * 1004 * (double)(k * 160 + i) / 8000));
		media_session_audio_io(s, in, out + (size_t)k * 160, 160);
		next.tv_nsec += 20000000;
		if (next.tv_nsec >= 1000000000) {
			next.tv_nsec -= 1000000000;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	media_session_stats(s, &st);
	/* the last second: well past the buffer's start */
	for (double f = 300; f <= 3400; f += 1) {
		double p = goertzel(out + (periods - 50) * 160, 8000, f);

		if (p > bp) {
			bp = p;
			peak = f;
		}
	}
	level = goertzel(out + (periods - 50) * 160, 8000, 1004);
	printf("codec=%s srtp=%s peak_hz=%.0f level_db=%.2f tx=%llu rx=%llu lost=%lld "
	       "jitter_ms=%.2f concealed_ms=%llu srtp_fail=%llu bad=%llu jb_ms=%u mos=%.2f\n",
	       codec, argc > 4 ? argv[4] : "none", peak, 20 * log10(level / 8000),
	       (unsigned long long)st.tx_packets, (unsigned long long)st.rx_packets,
	       (long long)st.lost, st.jitter_ms, (unsigned long long)st.concealed_ms,
	       (unsigned long long)st.srtp_fail, (unsigned long long)st.bad_packets,
	       st.jb_delay_ms, st.mos);
	err = fabs(peak - 1004) <= 1 && fabs(20 * log10(level / 8000)) < 1 && st.lost == 0 &&
	      st.rx_packets + 2 >= st.tx_packets && st.srtp_fail == 0 ? 0 : 1;
	media_session_destroy(s);
	media_engine_destroy(e);
	free(out);
	return err;
}
