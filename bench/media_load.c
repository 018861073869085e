/*
 * media_load.c -- `make bench` (bench/media_load.sh): how many concurrent
 * G.711 20 ms calls RTP<->TDM the media engine carries with no late frame,
 * and the CPU per call, at full scale with real sockets and real threads.
 *
 * The gateway side (this process) is what trunkgated runs for such calls:
 * one media engine with its own epoll thread (threaded = true), one session
 * per call (PCMA, jitter buffer on, in-band DTMF detector on, optionally SRTP
 * AES_CM_128_HMAC_SHA1_80 and the echo canceller), each bridged to a B
 * channel of an E1 hw/sim span whose audio callback (the sim driver's one
 * I/O thread, paced by CLOCK_MONOTONIC) calls media_span_audio() -- the same
 * call path as daemon/sig/spanmgr.c.  Not in it: SIP and the call core (the
 * calls are set up directly), since they are idle during a call.
 *
 * The far end (a forked process, as tgsim and a SIP peer would be) attaches
 * to every span and plays A-law audio, and is the RTP peer: every 20 ms, by
 * its own clock, one RTP packet per call (SRTP-protected with that call's
 * key when asked) from one UDP socket, and it receives the gateway's RTP.
 *
 * A frame is late when any of these happens in the measured window:
 *   - jb: the jitter buffer played concealment (no packet in time) or got a
 *     packet behind its play point (RTP -> TDM);
 *   - tdm: a span's audio callback finished more than one period after its
 *     slot (first callback of the window + k x 20 ms), or hw/sim skipped
 *     periods after a stall of its I/O thread;
 *   - rtp: the peer saw more than 40 ms between two packets of a call or a
 *     sequence gap (TDM -> RTP).
 * The peer also reports how often it was itself more than 5 ms late sending
 * (peer-late: the 2 cores are shared with it), so a miss can be told apart.
 *
 * CPU: user + system time of this process (media thread + hw/sim I/O thread)
 * over the window, as % of one core and us per call per 20 ms period.
 *
 * --rt runs both processes SCHED_FIFO (priority 10), as a TDM gateway's media
 * and span threads would be run on a shared machine: it separates what the
 * engine costs from other processes' preemption (this machine is shared).
 *
 * --rt-priority N instead makes only this process's media engine and hw/sim
 * I/O threads SCHED_FIFO at N, by trunkgated's own path (daemon/rt.c,
 * rt_priority in trunkgate.conf); the peer keeps normal scheduling unless
 * --peer-rt makes it SCHED_FIFO too (a far end on another machine does not
 * compete with the gateway for these 2 cores).
 *
 * Usage: media_load [--calls N,N,...] [--seconds S] [--warmup S] [--srtp] [--ec]
 *                   [--rt | --rt-priority N [--peer-rt]]
 */
#include "config.h"
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <spandsp.h>

#include "hw.h"
#include "log.h"
#include "media_int.h"
#include "sim.h"
#include "sim_int.h"
#include "rt.h"

#define PERIOD_NS 20000000ULL
#define SAMPLES 160
#define E1_SLOTS 31

struct gspan {                          /* the gateway's end of one E1 */
	struct hw_span *span;
	struct media_engine *e;
	uint64_t key;
	uint64_t first, k;              /* window: first callback, callbacks since */
	uint64_t late, max_late_ns;     /* callbacks ending after their slot + 1 period */
};

static atomic_bool measuring;
static bool opt_srtp, opt_ec, opt_rt, opt_peer_rt;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* B channel of call i: E1 timeslots 1-15 and 17-31 (16 is the D channel). */
static void call_slot(unsigned i, unsigned *span, unsigned *ts)
{
	unsigned b = i % 30;

	*span = i / 30;
	*ts = b < 15 ? b + 1 : b + 2;
}

/* Both ends derive call i's keys: dir 0 peer -> gateway, 1 gateway -> peer. */
static void call_key(struct media_srtp_key *k, unsigned i, unsigned dir)
{
	memset(k, 0, sizeof(*k));
	k->suite = MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80;
	k->tag = 1;
	k->key_len = media_srtp_suite_key_len(k->suite);
	for (unsigned b = 0; b < k->key_len; b++)
		k->key[b] = (uint8_t)(i * 7 + b * 13 + dir * 101 + (i >> 8));
}

static void gw_audio(void *arg, const uint8_t *rx, uint8_t *tx, unsigned samples)
{
	struct gspan *g = arg;
	uint64_t t;

	memset(tx, hw_idle_code(HW_SPAN_E1), (size_t)E1_SLOTS * samples);
	media_span_audio(g->e, g->key, false, rx, tx, E1_SLOTS, samples);
	if (!atomic_load_explicit(&measuring, memory_order_relaxed)) {
		g->first = 0;
		return;
	}
	t = now_ns();
	if (!g->first) {
		g->first = t;
		g->k = 0;
		return;
	}
	g->k++;
	if (t > g->first + (g->k + 1) * PERIOD_NS) {
		uint64_t l = t - (g->first + g->k * PERIOD_NS);

		g->late++;
		if (l > g->max_late_ns)
			g->max_late_ns = l;
	}
}

static void far_audio(void *arg, const uint8_t *rx, uint8_t *tx, unsigned samples)
{
	const uint8_t *tone = arg;

	(void)rx;
	for (unsigned ts = 0; ts < E1_SLOTS; ts++)
		memcpy(tx + (size_t)ts * samples, tone, samples);
}

static int open_span(struct hw_span **sp, const char *dir, unsigned i, bool attach,
		     const struct hw_span_events *ev, void *arg)
{
	char path[256], name[32];
	struct hw_span_cfg cfg = {
		.name = name, .position = i + 1, .type = HW_SPAN_E1, .framing = HW_FRAMING_CCS,
		.line_code = HW_LINE_HDB3, .crc4 = true, .signalling = HW_SIG_PRI,
		.frame_ms = 20, .device = path, .attach = attach,
	};

	snprintf(path, sizeof(path), "%s/span%u.sock", dir, i + 1);
	snprintf(name, sizeof(name), "%s%u", attach ? "far" : "gw", i + 1);
	return hw_span_open(&hw_sim_driver, sp, &cfg, ev, arg);
}

struct peer_report {
	uint64_t rx, seq_gaps, late40, peer_late, sent;
	uint64_t max_gap_ns;
};

/* The far end's packets for one period, SRTP-protected when asked, made
 * after the period before is sent: the burst itself is only sendmmsg, as
 * in the plain case, so packets reach the gateway in the same pattern with
 * and without SRTP (protecting inside the burst stretched it by the far
 * end's own SRTP time). */
static void prepare(uint8_t (*sbuf)[256], int *slen, struct media_srtp *tx, unsigned calls,
		    uint16_t seq, const uint8_t *pl)
{
	for (unsigned i = 0; i < calls; i++) {
		struct media_rtp_pkt p = { .pt = 8, .seq = seq, .ts = 160u * seq,
					   .ssrc = 0x10000 + i, .payload = pl, .plen = SAMPLES };

		slen[i] = (int)media_rtp_write(sbuf[i], 256, &p);
		if (opt_srtp)
			media_srtp_protect(&tx[i], sbuf[i], &slen[i], false);
	}
}

/* The far end: spans attached, RTP out every 20 ms, RTP in counted. */
static int peer_main(int sock, unsigned calls, unsigned nspans, const char *dir, int cmd, int rep)
{
	static const struct hw_span_events ev = { .audio = far_audio };
	struct hw_span **spans = calloc(nspans, sizeof(*spans));
	uint16_t *ports = calloc(calls, sizeof(*ports));
	uint32_t *idx = calloc(65536, sizeof(*idx));
	uint64_t *last = calloc(calls, sizeof(*last));
	uint16_t *lseq = calloc(calls, sizeof(*lseq));
	struct media_srtp *tx = calloc(calls, sizeof(*tx));
	struct sockaddr_in *to = calloc(calls, sizeof(*to));
	uint8_t tone[SAMPLES], pl[SAMPLES];
	struct peer_report r = { 0 };
	bool meas = false;
	uint64_t next;
	uint16_t seq = 0;
	enum { BATCH = 64 };
	static uint8_t rbuf[BATCH][256];
	uint8_t (*sbuf)[256] = calloc(calls, sizeof(*sbuf));   /* the next period's packets */
	int *slen = calloc(calls, sizeof(*slen));
	struct mmsghdr smsg[BATCH], rmsg[BATCH];
	struct iovec siov[BATCH], riov[BATCH];
	struct sockaddr_in from[BATCH];

	if (!spans || !ports || !idx || !last || !lseq || !tx || !to || !sbuf || !slen)
		return 1;
	if (read(cmd, ports, calls * sizeof(*ports)) != (ssize_t)(calls * sizeof(*ports)))
		return 1;
	for (unsigned i = 0; i < SAMPLES; i++) {
		tone[i] = linear_to_alaw((int16_t)(4000 * sin(2 * M_PI * 1004 * i / 8000.0)));
		pl[i] = linear_to_alaw((int16_t)(3000 * sin(2 * M_PI * 697 * i / 8000.0)));
	}
	for (unsigned i = 0; i < nspans; i++)
		if (open_span(&spans[i], dir, i, true, &ev, tone))
			return 1;
	for (unsigned i = 0; i < calls; i++) {
		idx[ports[i]] = i + 1;
		to[i].sin_family = AF_INET;
		to[i].sin_port = htons(ports[i]);
		to[i].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (opt_srtp) {
			struct media_srtp_key k;

			call_key(&k, i, 0);
			if (media_srtp_start(&tx[i], &k, true))
				return 1;
		}
	}
	for (unsigned b = 0; b < BATCH; b++) {
		riov[b] = (struct iovec){ rbuf[b], sizeof(rbuf[b]) };
		rmsg[b].msg_hdr = (struct msghdr){ .msg_name = &from[b], .msg_namelen = sizeof(from[b]),
						   .msg_iov = &riov[b], .msg_iovlen = 1 };
	}
	prepare(sbuf, slen, tx, calls, seq, pl);
	next = now_ns();
	for (;;) {
		uint64_t t = now_ns();
		int wait = t >= next ? 0 : (int)((next - t) / 1000000);
		struct pollfd pf[2] = { { sock, POLLIN, 0 }, { cmd, POLLIN, 0 } };

		poll(pf, 2, wait);
		if (pf[1].revents) {
			char c = 0;

			if (read(cmd, &c, 1) != 1 || c == 'E')
				break;
			if (c == 'S') {
				memset(&r, 0, sizeof(r));
				memset(last, 0, calls * sizeof(*last));
				meas = true;
			}
		}
		for (;;) {
			int n = recvmmsg(sock, rmsg, BATCH, MSG_DONTWAIT, NULL);

			if (n <= 0)
				break;
			t = now_ns();
			for (int m = 0; m < n; m++) {
				unsigned i = idx[ntohs(from[m].sin_port)];
				uint16_t s;

				if (!i-- || rmsg[m].msg_len < 12 || (rbuf[m][1] & 0x7f) >= 72)
					continue;       /* RTCP and strays */
				s = (uint16_t)(rbuf[m][2] << 8 | rbuf[m][3]);
				if (meas) {
					r.rx++;
					if (last[i]) {
						uint64_t gap = t - last[i];

						if (gap > 2 * PERIOD_NS)
							r.late40++;
						if (gap > r.max_gap_ns)
							r.max_gap_ns = gap;
						if (s != (uint16_t)(lseq[i] + 1))
							r.seq_gaps++;
					}
					last[i] = t;
				}
				lseq[i] = s;
			}
		}
		t = now_ns();
		if (t < next)
			continue;
		if (meas && t > next + 5000000)
			r.peer_late++;
		for (unsigned i = 0; i < calls; ) {
			unsigned b = 0;

			for (; b < BATCH && i < calls; b++, i++) {
				siov[b] = (struct iovec){ sbuf[i], (size_t)slen[i] };
				smsg[b].msg_hdr = (struct msghdr){ .msg_name = &to[i], .msg_namelen = sizeof(to[i]),
								   .msg_iov = &siov[b], .msg_iovlen = 1 };
			}
			for (unsigned off = 0; off < b; ) {
				int n = sendmmsg(sock, smsg + off, b - off, 0);

				if (n <= 0)
					break;
				off += (unsigned)n;
				if (meas)
					r.sent += (unsigned)n;
			}
		}
		prepare(sbuf, slen, tx, calls, (uint16_t)(seq + 1), pl);
		seq++;
		next += PERIOD_NS;
		if (next + 10 * PERIOD_NS < now_ns())   /* far behind: do not burst */
			next = now_ns();
	}
	if (write(rep, &r, sizeof(r)) != (ssize_t)sizeof(r))
		return 1;
	for (unsigned i = 0; i < nspans; i++)
		hw_span_close(spans[i]);
	for (unsigned i = 0; i < calls; i++)
		media_srtp_stop(&tx[i]);
	return 0;
}

struct sums {
	uint64_t late, concealed_ms, rx, tx, srtp_fail, foreign;
	unsigned sim_late;
};

static struct sums sum(struct media_session **s, unsigned calls, struct gspan *g, unsigned nspans)
{
	struct sums x = { 0 };

	for (unsigned i = 0; i < calls; i++) {
		struct media_stats st;

		media_session_stats(s[i], &st);
		x.late += st.late;
		x.concealed_ms += st.concealed_ms;
		x.rx += st.rx_packets;
		x.tx += st.tx_packets;
		x.srtp_fail += st.srtp_fail;
		x.foreign += st.foreign_packets;
	}
	for (unsigned i = 0; i < nspans; i++) {
		struct hw_sim_stats st;

		hw_sim_stats(g[i].span, &st);
		x.sim_late += st.late_periods;
	}
	return x;
}

/* One run with `calls` calls; prints one line; returns 0 if nothing was late. */
static int trial(unsigned calls, unsigned seconds, double warmup)
{
	static const struct hw_span_events ev = { .audio = gw_audio };
	struct media_engine_cfg ec = { .bind_addr = "127.0.0.1", .port_min = 16384, .port_max = 32767,
				       .threaded = true };
	unsigned nspans = (calls + 29) / 30;
	struct media_session **s = calloc(calls, sizeof(*s));
	struct gspan *g = calloc(nspans, sizeof(*g));
	uint16_t *ports = calloc(calls, sizeof(*ports));
	struct sockaddr_in pa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t pl = sizeof(pa);
	char dir[] = "/tmp/tg-bench-mload-XXXXXX";
	int cmd[2], rep[2], sock, big = 32 << 20, st = 0, bad = 0;
	struct media_engine *e = NULL;
	struct peer_report pr = { 0 };
	struct sums a, b;
	double c0, c1, t0, t1, cpu_pct, us;
	uint64_t late_cb = 0, max_late = 0;
	pid_t pid;

	if (!s || !g || !ports || !mkdtemp(dir) || pipe(cmd) || pipe(rep))
		return -1;
	/* the peer's port is ephemeral (32768 and up), outside the engine's
	 * range: the gateway's RTCP goes to port + 1, never into a session */
	sock = socket(AF_INET, SOCK_DGRAM, 0);
	setsockopt(sock, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	setsockopt(sock, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
	if (bind(sock, (struct sockaddr *)&pa, sizeof(pa)) || getsockname(sock, (struct sockaddr *)&pa, &pl))
		return -1;
	fflush(stdout);
	pid = fork();           /* before any thread of ours exists */
	if (pid == 0) {
		close(cmd[1]);
		close(rep[0]);
		/* the far end (tgsim's part) keeps normal scheduling under
		 * --rt-priority unless --peer-rt; --rt made the whole process
		 * SCHED_FIFO */
		if (!opt_rt)
			rt_set_priority(0);
		if (opt_peer_rt && !opt_rt) {
			struct sched_param sp = { .sched_priority = 10 };

			if (sched_setscheduler(0, SCHED_FIFO, &sp))
				perror("media_load: peer SCHED_FIFO (normal scheduling instead)");
		}
		_exit(peer_main(sock, calls, nspans, dir, cmd[0], rep[1]));
	}
	close(sock);
	close(cmd[0]);
	close(rep[1]);
	if (media_engine_create(&e, &ec))
		goto fail;
	for (unsigned i = 0; i < nspans; i++) {
		g[i].e = e;
		g[i].key = i + 1;
	}
	for (unsigned i = 0; i < calls; i++) {
		struct media_session_cfg c;
		unsigned sp, ts;

		memset(&c, 0, sizeof(c));
		c.codec = MEDIA_CODEC_PCMA;
		c.pt = media_codec_static_pt(c.codec);
		c.ptime_ms = 20;
		c.dir = MEDIA_DIR_SENDRECV;
		memcpy(&c.remote, &pa, sizeof(pa));
		c.inband_dtmf = true;
		c.echo_cancel = opt_ec;
		if (opt_srtp) {
			call_key(&c.srtp_rx, i, 0);
			call_key(&c.srtp_tx, i, 1);
		}
		if (media_session_create(&s[i], e, &c)) {
			fprintf(stderr, "media_load: cannot create session %u (ports 16384-32767 used up?)\n", i);
			goto fail;
		}
		call_slot(i, &sp, &ts);
		if (media_bridge_tdm(s[i], g[sp].key, ts))
			goto fail;
		ports[i] = media_session_local_port(s[i]);
	}
	for (unsigned i = 0; i < nspans; i++)
		if (open_span(&g[i].span, dir, i, false, &ev, &g[i]))
			goto fail;
	if (write(cmd[1], ports, calls * sizeof(*ports)) != (ssize_t)(calls * sizeof(*ports)))
		goto fail;
	for (int w = 0; w < 3000; w++) {
		unsigned up = 0;

		for (unsigned i = 0; i < nspans; i++)
			up += hw_sim_connected(g[i].span) && !hw_span_alarms(g[i].span);
		if (up == nspans)
			break;
		poll(NULL, 0, 10);
	}
	sleep_s(warmup);
	a = sum(s, calls, g, nspans);
	atomic_store(&measuring, true);
	if (write(cmd[1], "S", 1) != 1)
		goto fail;
	c0 = cpu_s();
	t0 = (double)now_ns() / 1e9;
	sleep_s(seconds);
	c1 = cpu_s();
	t1 = (double)now_ns() / 1e9;
	atomic_store(&measuring, false);
	b = sum(s, calls, g, nspans);
	if (write(cmd[1], "E", 1) != 1 || read(rep[0], &pr, sizeof(pr)) != (ssize_t)sizeof(pr))
		goto fail;
	for (unsigned i = 0; i < nspans; i++) {
		late_cb += g[i].late;
		if (g[i].max_late_ns > max_late)
			max_late = g[i].max_late_ns;
	}
	cpu_pct = (c1 - c0) / (t1 - t0) * 100;
	us = (c1 - c0) * 1e6 / ((t1 - t0) / 0.02) / calls;
	bad = (b.late - a.late) || (b.concealed_ms - a.concealed_ms) || late_cb ||
	      (b.sim_late - a.sim_late) || pr.late40 || pr.seq_gaps;
	printf("%5u calls%s%s: cpu %5.1f%% of one core, %5.2f us/call/20ms | late: jb %llu+%llu ms "
	       "concealed, tdm %llu (max %.1f ms) + %u skipped, rtp %llu gaps>40ms %llu seq | "
	       "rtp in %.0f/s out %.0f/s, peer-late %llu%s\n",
	       calls, opt_srtp ? " SRTP" : "", opt_ec ? " +EC" : "", cpu_pct, us,
	       (unsigned long long)(b.late - a.late), (unsigned long long)(b.concealed_ms - a.concealed_ms),
	       (unsigned long long)late_cb, max_late / 1e6, b.sim_late - a.sim_late,
	       (unsigned long long)pr.late40, (unsigned long long)pr.seq_gaps,
	       (b.rx - a.rx) / (t1 - t0), pr.rx / (t1 - t0), (unsigned long long)pr.peer_late,
	       bad ? "  LATE" : "  ok");
	if (b.srtp_fail != a.srtp_fail || b.foreign != a.foreign)
		printf("      (srtp_fail %llu, foreign %llu)\n",
		       (unsigned long long)(b.srtp_fail - a.srtp_fail),
		       (unsigned long long)(b.foreign - a.foreign));
	goto done;
 fail:
	bad = -1;
	if (write(cmd[1], "E", 1) != 1)
		bad = -1;
 done:
	close(cmd[1]);
	for (unsigned i = 0; i < nspans; i++)
		if (g[i].span)
			hw_span_close(g[i].span);
	for (unsigned i = 0; i < calls; i++)
		if (s[i])
			media_session_destroy(s[i]);
	if (e)
		media_engine_destroy(e);
	waitpid(pid, &st, 0);
	close(rep[0]);
	free(s);
	free(g);
	free(ports);
	{
		char path[300];

		for (unsigned i = 0; i < nspans; i++) {
			snprintf(path, sizeof(path), "%s/span%u.sock", dir, i + 1);
			unlink(path);
		}
	}
	rmdir(dir);
	fflush(stdout);
	return bad;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "calls", 1, NULL, 'n' }, { "seconds", 1, NULL, 's' }, { "warmup", 1, NULL, 'w' },
		{ "srtp", 0, NULL, 'S' }, { "ec", 0, NULL, 'E' }, { "rt", 0, NULL, 'R' },
		{ "rt-priority", 1, NULL, 'P' }, { "peer-rt", 0, NULL, 'Q' }, { NULL, 0, NULL, 0 },
	};
	const char *list = "500,1000,1500,2000";
	unsigned seconds = 10, best = 0;
	double warmup = 3;
	struct rlimit rl;
	char *dup, *tok, *save = NULL;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': list = optarg; break;
		case 's': seconds = (unsigned)atoi(optarg); break;
		case 'w': warmup = atof(optarg); break;
		case 'S': opt_srtp = true; break;
		case 'E': opt_ec = true; break;
		case 'R': opt_rt = true; break;
		case 'P': rt_set_priority((unsigned)atoi(optarg)); break;
		case 'Q': opt_peer_rt = true; break;
		default:
			fprintf(stderr, "usage: media_load [--calls N,N,...] [--seconds S] [--warmup S] "
				"[--srtp] [--ec] [--rt | --rt-priority N [--peer-rt]]\n");
			return 2;
		}
	}
	log_init(LOG_LEVEL_WARN);
	if (opt_rt) {
		struct sched_param sp = { .sched_priority = 10 };

		/* both processes and every thread they start (inherited) */
		if (sched_setscheduler(0, SCHED_FIFO, &sp)) {
			perror("media_load: SCHED_FIFO (normal scheduling instead)");
			opt_rt = false;
		}
	}
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	printf("media_load: G.711 (PCMA) 20 ms calls RTP<->TDM (E1 hw/sim spans), jitter buffer on%s%s%s; "
	       "%u s measured after %.0f s; SRTP crypto %s; %ld cores, load average at start:",
	       opt_srtp ? ", SRTP AES_CM_128_HMAC_SHA1_80" : "", opt_ec ? ", echo canceller 64 ms" : "",
	       opt_rt ? ", SCHED_FIFO" : rt_priority() ? ", media+span threads SCHED_FIFO (rt_priority)" : "",
	       seconds, warmup, media_srtp_crypto_backend(), sysconf(_SC_NPROCESSORS_ONLN));
	{
		double la[3];

		if (getloadavg(la, 3) == 3)
			printf(" %.2f %.2f %.2f", la[0], la[1], la[2]);
		printf("\n");
	}
	dup = strdup(list);
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned n = (unsigned)atoi(tok);
		int r;

		if (!n)
			continue;
		r = trial(n, seconds, warmup);
		if (r < 0) {
			rc = 1;
			break;
		}
		if (r == 0 && n > best)
			best = n;
	}
	free(dup);
	printf("media_load: most calls with no late frame: %u\n", best);
	return rc;
}
