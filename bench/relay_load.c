/*
 * relay_load.c -- load generator and meter for anchored RTP relays
 * (bench/relay.sh): trunkgate's engine (bench/media_relay) and rtpengine
 * (bench/rtpengine_ng.py sets its calls up) get the same streams.
 *
 *   relay_load --calls N [--seconds S] [--warmup S] [--pid PID] [--label L]
 *              [--direct | -- SETUP_COMMAND ARGS...]
 *
 * Two UDP sockets, A and B, stand for every call's two SIP endpoints.  The
 * setup command is run with "CALLS A_PORT B_PORT" appended; it prints one
 * line per call, "<port A sends to> <port B sends to>", and stays up until
 * its stdin closes (then it tears its calls down).  --direct sends A to B
 * and B to A with no relay: the baseline the added latency is taken from.
 *
 * Every 20 ms each call sends one 172-byte RTP packet (PCMU, 160 bytes) each
 * way, the calls' phases spread over the period in 1 ms steps; the payload carries the call, the direction and the send time
 * (CLOCK_MONOTONIC), so the receiver gets the one-way latency of every
 * packet whatever the relay does to SSRC, sequence and timestamp.
 * Reported over the window: packets relayed per second, loss, latency p50,
 * p99, max, and the relay's CPU (utime + stime of --pid, or of the setup
 * command) as % of one core and per call.
 */
#include "config.h"
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PERIOD_NS 20000000ULL
#define PKT 172
#define BATCH 64
#define SLOTS 20                /* send phases per period, 1 ms apart */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int udp(uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0), big = 32 << 20;

	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || getsockname(fd, (struct sockaddr *)&a, &l))
		return -1;
	*port = ntohs(a.sin_port);
	return fd;
}

static double proc_cpu_s(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	p = strrchr(buf, ')');  /* the name may hold spaces */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

struct meter {
	uint32_t *lat;                  /* ns */
	size_t n, cap;
	uint64_t rx, sent, bad;
	atomic_bool on, stop;
	int fa, fb;
	unsigned calls;
};

static void drain(int fd, struct meter *m, unsigned calls)
{
	static uint8_t buf[BATCH][2048];
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];

	for (unsigned b = 0; b < BATCH; b++) {
		iov[b] = (struct iovec){ buf[b], sizeof(buf[b]) };
		msg[b].msg_hdr = (struct msghdr){ .msg_iov = &iov[b], .msg_iovlen = 1 };
	}
	for (;;) {
		int n = recvmmsg(fd, msg, BATCH, MSG_DONTWAIT, NULL);
		uint64_t t = now_ns();

		if (n <= 0)
			return;
		for (int i = 0; i < n; i++) {
			uint32_t id;
			uint64_t sent;

			/* RTCP (trunkgate sends it on every leg) and strays */
			if (msg[i].msg_len != PKT || (buf[i][1] & 0x7f) >= 72) {
				continue;
			}
			memcpy(&id, buf[i] + 12, 4);
			memcpy(&sent, buf[i] + 16, 8);
			if ((id & 0x7fffffff) >= calls || sent > t) {
				m->bad++;
				continue;
			}
			if (!m->on)
				continue;
			m->rx++;
			if (m->n < m->cap)
				m->lat[m->n++] = (uint32_t)(t - sent < UINT32_MAX ? t - sent : UINT32_MAX);
		}
	}
}

/* The receiver runs on its own thread, so a packet is stamped when it comes
 * in, not when the sender is done with its batch. */
static void *receiver(void *arg)
{
	struct meter *m = arg;

	while (!atomic_load(&m->stop)) {
		struct pollfd pf[2] = { { m->fa, POLLIN, 0 }, { m->fb, POLLIN, 0 } };

		poll(pf, 2, 10);
		drain(m->fa, m, m->calls);
		drain(m->fb, m, m->calls);
	}
	return NULL;
}

/* Calls first, first + SLOTS, ... (one of the 20 1-ms phases of a period). */
static void send_slot(int fd, const uint16_t *to_port, unsigned calls, unsigned first, uint32_t dir,
		      uint16_t seq, struct meter *m)
{
	static uint8_t buf[BATCH][PKT];
	struct sockaddr_in to[BATCH];
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];

	for (unsigned i = first; i < calls; ) {
		unsigned b = 0;

		for (; b < BATCH && i < calls; b++, i += SLOTS) {
			uint32_t id = i | dir << 31, ts = 160u * seq;
			uint64_t t = now_ns();

			buf[b][0] = 0x80;
			buf[b][1] = 0;          /* PCMU */
			buf[b][2] = (uint8_t)(seq >> 8);
			buf[b][3] = (uint8_t)seq;
			buf[b][4] = (uint8_t)(ts >> 24);
			buf[b][5] = (uint8_t)(ts >> 16);
			buf[b][6] = (uint8_t)(ts >> 8);
			buf[b][7] = (uint8_t)ts;
			memcpy(buf[b] + 8, &id, 4);     /* SSRC */
			memset(buf[b] + 12, 0xff, PKT - 12);
			memcpy(buf[b] + 12, &id, 4);
			memcpy(buf[b] + 16, &t, 8);
			to[b] = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(to_port[i]),
						      .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
			iov[b] = (struct iovec){ buf[b], PKT };
			msg[b].msg_hdr = (struct msghdr){ .msg_name = &to[b], .msg_namelen = sizeof(to[b]),
							  .msg_iov = &iov[b], .msg_iovlen = 1 };
		}
		for (unsigned off = 0; off < b; ) {
			int n = sendmmsg(fd, msg + off, b - off, 0);

			if (n <= 0)
				break;
			off += (unsigned)n;
			if (m->on)
				m->sent += (unsigned)n;
		}
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "calls", 1, NULL, 'n' }, { "seconds", 1, NULL, 's' }, { "warmup", 1, NULL, 'w' },
		{ "pid", 1, NULL, 'p' }, { "label", 1, NULL, 'l' }, { "direct", 0, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned calls = 100, seconds = 10;
	double warmup = 2;
	const char *label = "relay";
	pid_t pid = 0, child = 0;
	bool direct = false;
	uint16_t pa, pb, *to_a, *to_b, seq = 0;
	unsigned slot = 0;
	int fa, fb, in[2] = { -1, -1 }, out[2] = { -1, -1 }, c;
	struct meter m = { 0 };
	uint64_t t0, t1, next, end_warm, end;
	double c0 = 0, c1 = 0, win;
	FILE *lines = NULL;
	pthread_t rx_thread;

	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'n': calls = (unsigned)atoi(optarg); break;
		case 's': seconds = (unsigned)atoi(optarg); break;
		case 'w': warmup = atof(optarg); break;
		case 'p': pid = atoi(optarg); break;
		case 'l': label = optarg; break;
		case 'd': direct = true; break;
		default: return 2;
		}
	}
	if (!calls || (!direct && optind >= argc)) {
		fprintf(stderr, "usage: relay_load --calls N [--seconds S] [--warmup S] [--pid PID] "
			"[--label L] [--direct | -- SETUP_COMMAND ARGS...]\n");
		return 2;
	}
	to_a = calloc(calls, sizeof(*to_a));
	to_b = calloc(calls, sizeof(*to_b));
	m.cap = (size_t)calls * 2 * 50 * (seconds + 1);
	m.lat = malloc(m.cap * sizeof(*m.lat));
	fa = udp(&pa);
	fb = udp(&pb);
	if (!to_a || !to_b || !m.lat || fa < 0 || fb < 0)
		return 1;
	if (direct) {
		for (unsigned i = 0; i < calls; i++) {
			to_a[i] = pb;
			to_b[i] = pa;
		}
	} else {
		static char *av[64], n[3][16];
		int k = 0;

		if (argc - optind > 60 || pipe(in) || pipe(out))
			return 1;
		for (int i = optind; i < argc; i++)
			av[k++] = argv[i];
		snprintf(n[0], sizeof(n[0]), "%u", calls);
		snprintf(n[1], sizeof(n[1]), "%u", pa);
		snprintf(n[2], sizeof(n[2]), "%u", pb);
		av[k++] = n[0];
		av[k++] = n[1];
		av[k++] = n[2];
		child = fork();
		if (child == 0) {
			dup2(in[0], 0);
			dup2(out[1], 1);
			close(in[1]);
			close(out[0]);
			close(fa);
			close(fb);
			execvp(av[0], av);
			_exit(127);
		}
		close(in[0]);
		close(out[1]);
		lines = fdopen(out[0], "r");
		for (unsigned i = 0; i < calls; i++) {
			unsigned x, y;

			if (!lines || fscanf(lines, "%u %u", &x, &y) != 2) {
				fprintf(stderr, "relay_load: %s: setup failed at call %u\n", label, i);
				return 1;
			}
			to_a[i] = (uint16_t)x;
			to_b[i] = (uint16_t)y;
		}
		if (!pid)
			pid = child;
	}
	t0 = now_ns();
	end_warm = t0 + (uint64_t)(warmup * 1e9);
	end = end_warm + (uint64_t)seconds * 1000000000ULL;
	next = t0;
	t1 = t0;
	m.fa = fa;
	m.fb = fb;
	m.calls = calls;
	if (pthread_create(&rx_thread, NULL, receiver, &m))
		return 1;
	while ((t1 = now_ns()) < end) {
		if (!m.on && t1 >= end_warm) {
			m.on = true;
			c0 = pid ? proc_cpu_s(pid) : 0;
			t0 = t1;
		}
		if (t1 >= next) {
			/* calls' periods are spread over the 20 ms, as real calls
			 * started at different times are: a burst of every call at
			 * once would measure the relay's queue, not its latency */
			send_slot(fa, to_a, calls, slot, 0, seq, &m);
			send_slot(fb, to_b, calls, slot, 1, seq, &m);
			if (++slot == SLOTS) {
				slot = 0;
				seq++;
			}
			next += PERIOD_NS / SLOTS;
			if (next + 10 * PERIOD_NS < now_ns())
				next = now_ns();
		}
		t1 = now_ns();
		if (next > t1) {
			uint64_t d = next - t1;
			struct timespec ts = { (time_t)(d / 1000000000ULL), (long)(d % 1000000000ULL) };

			nanosleep(&ts, NULL);
		}
	}
	c1 = pid ? proc_cpu_s(pid) : 0;
	poll(NULL, 0, 100);     /* the last packets in flight */
	atomic_store(&m.stop, true);
	pthread_join(rx_thread, NULL);
	win = (double)(t1 - t0) / 1e9;
	qsort(m.lat, m.n, sizeof(*m.lat), cmp_u32);
	{
		double p50 = m.n ? m.lat[m.n / 2] / 1e3 : 0, p99 = m.n ? m.lat[(size_t)(m.n * 0.99)] / 1e3 : 0;
		double mx = m.n ? m.lat[m.n - 1] / 1e3 : 0, cpu = (c1 - c0) / win * 100;

		printf("%-10s %5u calls: %7.0f pkt/s relayed, loss %.3f%% | latency us p50 %7.1f p99 %7.1f "
		       "max %8.1f | cpu %5.1f%% of one core = %.4f%% per call (%.2f us per packet)\n",
		       label, calls, m.rx / win, m.sent ? 100.0 * (double)(m.sent - (m.rx < m.sent ? m.rx : m.sent)) /
		       (double)m.sent : 0, p50, p99, mx, pid ? cpu : 0, pid ? cpu / calls : 0,
		       pid && m.rx ? (c1 - c0) * 1e6 / (double)m.rx : 0);
	}
	if (child) {
		int st;

		close(in[1]);
		fclose(lines);
		waitpid(child, &st, 0);
	}
	close(fa);
	close(fb);
	free(m.lat);
	free(to_a);
	free(to_b);
	return 0;
}
