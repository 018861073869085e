/*
 * media_relay.c -- trunkgate's anchored SIP<->SIP relay on its own, for
 * bench/relay.sh: the same media engine trunkgated runs (one epoll thread),
 * N calls, each two PCMU sessions joined with media_bridge_rtp() as the call
 * core does for an anchored SIP<->SIP call (strict sources, no latching).
 *
 *   media_relay CALLS A_PORT B_PORT
 *
 * Leg A of every call talks to 127.0.0.1:A_PORT, leg B to 127.0.0.1:B_PORT.
 * Prints one line per call, "<port A sends to> <port B sends to>", then
 * relays until stdin is closed.
 */
#include "config.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "log.h"
#include "media_int.h"

static void leg_cfg(struct media_session_cfg *c, unsigned port)
{
	struct sockaddr_in *a = (void *)&c->remote;

	memset(c, 0, sizeof(*c));
	c->codec = MEDIA_CODEC_PCMU;
	c->pt = media_codec_static_pt(c->codec);
	c->ptime_ms = 20;
	c->dir = MEDIA_DIR_SENDRECV;
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

int main(int argc, char **argv)
{
	struct media_engine_cfg ec = { .bind_addr = "127.0.0.1", .port_min = 16384, .port_max = 32767,
				       .threaded = true };
	struct media_engine *e;
	struct media_session **s;
	struct rlimit rl;
	unsigned calls;
	char buf[256];

	if (argc != 4) {
		fprintf(stderr, "usage: media_relay CALLS A_PORT B_PORT\n");
		return 2;
	}
	calls = (unsigned)atoi(argv[1]);
	log_init(LOG_LEVEL_WARN);
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	s = calloc(2 * (size_t)calls, sizeof(*s));
	if (!s || media_engine_create(&e, &ec))
		return 1;
	for (unsigned i = 0; i < calls; i++) {
		struct media_session_cfg a, b;

		leg_cfg(&a, (unsigned)atoi(argv[2]));
		leg_cfg(&b, (unsigned)atoi(argv[3]));
		if (media_session_create(&s[2 * i], e, &a) || media_session_create(&s[2 * i + 1], e, &b) ||
		    media_bridge_rtp(s[2 * i], s[2 * i + 1])) {
			fprintf(stderr, "media_relay: cannot set up call %u\n", i);
			return 1;
		}
		printf("%u %u\n", media_session_local_port(s[2 * i]), media_session_local_port(s[2 * i + 1]));
	}
	fflush(stdout);
	while (read(0, buf, sizeof(buf)) > 0)
		;
	for (unsigned i = 0; i < 2 * calls; i++)
		media_session_destroy(s[i]);
	media_engine_destroy(e);
	free(s);
	return 0;
}
