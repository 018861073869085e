/*
 * hw_sim.c -- benchmark of the sim driver: N E1 spans (34 by default: 1,020
 * B-channels) moving audio for a while with no DSP, owner and attached
 * ends in two processes (as trunkgated and tgsim run) or in one.
 *
 * Per process it reports, over the measured window (after all spans are
 * linked and a warm-up):
 *   - CPU as % of one core (getrusage, user + system, whole process);
 *   - the interval between consecutive audio callbacks of a span, over all
 *     spans: p50/p99/max in ms, and the jitter |interval - frame| p99/max;
 *   - the received sample rate per span: periods of real audio received
 *     times samples, over the CLOCK_MONOTONIC time between the first and the
 *     last of them (no quantisation to the window's edges), and the worst
 *     span's deviation from 8000/s -- the pacing check of the issue is
 *     "within 0.1% over 10 s";
 *   - rx_missing, slips, periods skipped after stalls, gaps in the sequence.
 * The callback writes a sequence number into each period it sends and fills
 * the rest with one memset, as a channel mixer would fill the span; the
 * receiver checks the sequence.
 *
 * Usage: hw_sim [--spans N] [--seconds S] [--warmup S] [--procs 1|2] [--frame-ms MS]
 */
#include "config.h"
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hw.h"
#include "log.h"
#include "sim.h"
#include "sim_int.h"

#define FILL 0x55               /* never the A-law idle code 0xD5 */

struct bspan {
	struct hw_span *span;
	unsigned frame_ms;
	uint32_t tx_seq;
	uint64_t last_cb;
	uint32_t *iv;                   /* intervals in ns, in the window */
	size_t niv, cap;
	/* received audio in the window */
	uint64_t rx_first, rx_last;
	uint64_t rx_count, rx_gaps;
	uint32_t rx_last_seq;
	bool rx_any;
};

static atomic_bool measuring;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void on_audio(void *arg, const uint8_t *rx, uint8_t *tx, unsigned samples)
{
	struct bspan *b = arg;
	uint64_t t = now_ns();
	bool m = atomic_load_explicit(&measuring, memory_order_relaxed);
	size_t bytes = (size_t)31 * samples;
	uint32_t seq;

	if (m && b->last_cb && b->niv < b->cap)
		b->iv[b->niv++] = (uint32_t)(t - b->last_cb);
	b->last_cb = t;
	memset(tx, FILL, bytes);
	memcpy(tx, &b->tx_seq, sizeof(b->tx_seq));
	b->tx_seq++;
	if (rx[4] != FILL)
		return;                 /* idle: nothing came */
	memcpy(&seq, rx, sizeof(seq));
	if (m) {
		if (!b->rx_count)
			b->rx_first = t;
		else if (seq != b->rx_last_seq + 1)
			b->rx_gaps++;
		b->rx_last = t;
		b->rx_count++;
	}
	b->rx_last_seq = seq;
}

static const struct hw_span_events events = { .audio = on_audio };

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double pct(const uint32_t *v, size_t n, double p)
{
	size_t i;

	if (!n)
		return 0;
	i = (size_t)(p * (double)(n - 1) + 0.5);
	return v[i] / 1e6;
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

static int open_spans(struct bspan *b, unsigned n, const char *dir, bool attach,
		      unsigned frame_ms, unsigned seconds)
{
	for (unsigned i = 0; i < n; i++) {
		char path[256], name[32];
		struct hw_span_cfg cfg = {
			.name = name, .position = i + 1, .type = HW_SPAN_E1,
			.framing = HW_FRAMING_CCS, .line_code = HW_LINE_HDB3, .crc4 = true,
			.signalling = HW_SIG_PRI, .frame_ms = frame_ms, .device = path,
			.attach = attach,
		};
		int err;

		snprintf(path, sizeof(path), "%s/span%u.sock", dir, i + 1);
		snprintf(name, sizeof(name), "%s%u", attach ? "far" : "near", i + 1);
		b[i].frame_ms = frame_ms;
		b[i].cap = (size_t)seconds * 1000 / frame_ms * 2 + 64;
		b[i].iv = calloc(b[i].cap, sizeof(uint32_t));
		if (!b[i].iv)
			return ENOMEM;
		err = hw_span_open(&hw_sim_driver, &b[i].span, &cfg, &events, &b[i]);
		if (err) {
			fprintf(stderr, "hw_sim: open %s: %s\n", path, strerror(err));
			return err;
		}
	}
	return 0;
}

static bool all_linked(struct bspan *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (!hw_sim_connected(b[i].span) || hw_span_alarms(b[i].span))
			return false;
	return true;
}

struct snap {
	uint64_t rx_periods, tx_periods, rx_missing, slips;
	unsigned late, tx_dropped;
};

static struct snap snapshot(struct bspan *b, unsigned n)
{
	struct snap s = { 0 };

	for (unsigned i = 0; i < n; i++) {
		struct hw_counters c;
		struct hw_sim_stats st;

		hw_span_counters(b[i].span, &c);
		hw_sim_stats(b[i].span, &st);
		s.rx_periods += c.rx_periods;
		s.tx_periods += c.tx_periods;
		s.rx_missing += c.rx_missing;
		s.slips += c.frame_slips;
		s.late += st.late_periods;
		s.tx_dropped += st.tx_dropped;
	}
	return s;
}

/* One line about a set of spans; returns false if a target was missed. */
static bool report(FILE *out, const char *label, struct bspan *b, unsigned n, double cpu_pct,
		   const struct snap *s0, const struct snap *s1, double window_s)
{
	size_t total = 0, k = 0;
	uint32_t *all, *jit;
	double worst_dev = 0, sum_rate = 0, p99j;
	uint64_t gaps = 0, period_ns = (uint64_t)b[0].frame_ms * 1000000ULL;
	unsigned samples = hw_samples_per_period(b[0].frame_ms), rated = 0;
	bool ok;

	for (unsigned i = 0; i < n; i++)
		total += b[i].niv;
	all = malloc((total + 1) * sizeof(*all));
	jit = malloc((total + 1) * sizeof(*jit));
	if (!all || !jit) {
		free(all);
		free(jit);
		return false;
	}
	for (unsigned i = 0; i < n; i++) {
		for (size_t j = 0; j < b[i].niv; j++, k++) {
			all[k] = b[i].iv[j];
			jit[k] = (uint32_t)(b[i].iv[j] > period_ns ? b[i].iv[j] - period_ns :
					    period_ns - b[i].iv[j]);
		}
		gaps += b[i].rx_gaps;
		if (b[i].rx_count > 1 && b[i].rx_last > b[i].rx_first) {
			double rate = (double)(b[i].rx_count - 1) * samples * 1e9 /
				      (double)(b[i].rx_last - b[i].rx_first);
			double dev = rate > 8000 ? rate / 8000 - 1 : 1 - rate / 8000;

			sum_rate += rate;
			rated++;
			if (dev > worst_dev)
				worst_dev = dev;
		} else {
			worst_dev = 1;  /* a span that received nothing fails */
		}
	}
	qsort(all, total, sizeof(*all), cmp_u32);
	qsort(jit, total, sizeof(*jit), cmp_u32);
	p99j = pct(jit, total, 0.99);
	fprintf(out, "%-7s cpu %5.2f%% of one core | callback interval ms p50 %.3f p99 %.3f max %.3f"
		" | jitter ms p99 %.3f max %.3f (n=%zu)\n", label, cpu_pct,
		pct(all, total, 0.5), pct(all, total, 0.99), pct(all, total, 1.0),
		p99j, pct(jit, total, 1.0), total);
	fprintf(out, "%-7s rx sample rate %.3f/s per span (mean), worst span off by %.4f%% "
		"over %.1f s | rx_missing %llu slips %llu late periods %u tx dropped %u seq gaps %llu"
		" | periods rx %llu tx %llu\n", label, rated ? sum_rate / rated : 0, worst_dev * 100,
		window_s, (unsigned long long)(s1->rx_missing - s0->rx_missing),
		(unsigned long long)(s1->slips - s0->slips), s1->late - s0->late,
		s1->tx_dropped - s0->tx_dropped, (unsigned long long)gaps,
		(unsigned long long)(s1->rx_periods - s0->rx_periods),
		(unsigned long long)(s1->tx_periods - s0->tx_periods));
	ok = cpu_pct < 10.0 && p99j < 2.0 && worst_dev < 0.001;
	/* the pacing check is defined over 10 s; a shorter run is only indicative */
	fprintf(out, "%-7s targets: cpu < 10%% %s, p99 jitter < 2 ms %s, 8000/s within 0.1%% over "
		"%.0f s %s\n", label, cpu_pct < 10.0 ? "PASS" : "FAIL", p99j < 2.0 ? "PASS" : "FAIL",
		window_s, worst_dev >= 0.001 ? "FAIL" : window_s >= 9.99 ? "PASS" : "pass (< 10 s)");
	free(all);
	free(jit);
	return ok;
}

/* Link up, warm up, measure; the caller reports. */
static int run_side(struct bspan *b, unsigned n, struct bspan *b2, double warmup,
		    unsigned seconds, double *cpu_pct, struct snap *s0, struct snap *s1,
		    struct snap *f0, struct snap *f1, double *window)
{
	uint64_t t0, t1;
	double c0, c1;

	for (int i = 0; i < 30000 && !(all_linked(b, n) && (!b2 || all_linked(b2, n))); i++)
		poll(NULL, 0, 1);
	if (!all_linked(b, n) || (b2 && !all_linked(b2, n))) {
		fprintf(stderr, "hw_sim: spans did not link within 30 s\n");
		return ETIMEDOUT;
	}
	sleep_s(warmup);
	*s0 = snapshot(b, n);
	if (b2)
		*f0 = snapshot(b2, n);
	c0 = cpu_s();
	t0 = now_ns();
	atomic_store(&measuring, true);
	sleep_s(seconds);
	atomic_store(&measuring, false);
	t1 = now_ns();
	c1 = cpu_s();
	*s1 = snapshot(b, n);
	if (b2)
		*f1 = snapshot(b2, n);
	*window = (double)(t1 - t0) / 1e9;
	*cpu_pct = (c1 - c0) / *window * 100;
	return 0;
}

static void close_spans(struct bspan *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		hw_span_close(b[i].span);
		free(b[i].iv);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "spans", 1, NULL, 'n' }, { "seconds", 1, NULL, 's' }, { "warmup", 1, NULL, 'w' },
		{ "procs", 1, NULL, 'p' }, { "frame-ms", 1, NULL, 'f' }, { NULL, 0, NULL, 0 },
	};
	unsigned nspans = 34, seconds = 20, procs = 2, frame_ms = 20;
	double warmup = 1, cpu_pct, window;
	char dir[] = "/tmp/tg-bench-hwsim-XXXXXX";
	struct bspan *own, *far;
	struct snap s0, s1, f0, f1;
	bool ok = true;
	int c, err;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': nspans = (unsigned)atoi(optarg); break;
		case 's': seconds = (unsigned)atoi(optarg); break;
		case 'w': warmup = atof(optarg); break;
		case 'p': procs = (unsigned)atoi(optarg); break;
		case 'f': frame_ms = (unsigned)atoi(optarg); break;
		default:
			fprintf(stderr, "usage: hw_sim [--spans N] [--seconds S] [--warmup S] "
				"[--procs 1|2] [--frame-ms MS]\n");
			return 2;
		}
	}
	if (!nspans || !seconds || (procs != 1 && procs != 2)) {
		fprintf(stderr, "hw_sim: bad arguments\n");
		return 2;
	}
	log_init(LOG_LEVEL_WARN);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	own = calloc(nspans, sizeof(*own));
	far = calloc(nspans, sizeof(*far));
	if (!own || !far)
		return 1;
	printf("hw_sim: %u E1 spans (%u B-channels), %u ms periods, %u s measured after %.1f s warm-up, "
	       "%u process%s, %ld cores\n", nspans, nspans * 30, frame_ms, seconds, warmup, procs,
	       procs == 2 ? "es (owner | attach)" : " (owner + attach ends)", sysconf(_SC_NPROCESSORS_ONLN));
	fflush(stdout);

	if (procs == 1) {
		err = open_spans(own, nspans, dir, false, frame_ms, seconds);
		if (!err)
			err = open_spans(far, nspans, dir, true, frame_ms, seconds);
		if (!err)
			err = run_side(own, nspans, far, warmup, seconds, &cpu_pct, &s0, &s1,
				       &f0, &f1, &window);
		if (!err) {
			/* one process: CPU is for both ends; per-end lines share it */
			ok = report(stdout, "owner", own, nspans, cpu_pct, &s0, &s1, window);
			ok &= report(stdout, "attach", far, nspans, cpu_pct, &f0, &f1, window);
			printf("(one process: the cpu figure covers both ends, %u spans)\n", 2 * nspans);
		}
		close_spans(far, nspans);
		close_spans(own, nspans);
	} else {
		int rep[2], done[2];
		pid_t pid;
		char buf[4096];
		ssize_t r;

		if (pipe(rep) || pipe(done))
			return 1;
		fflush(stdout);
		pid = fork();           /* before any span: the driver's thread is not forked */
		if (pid < 0)
			return 1;
		if (pid == 0) {
			FILE *out;

			close(rep[0]);
			close(done[1]);
			out = fdopen(rep[1], "w");
			err = open_spans(far, nspans, dir, true, frame_ms, seconds);
			if (!err)
				err = run_side(far, nspans, NULL, warmup, seconds, &cpu_pct,
					       &s0, &s1, NULL, NULL, &window);
			if (!err)
				ok = report(out, "attach", far, nspans, cpu_pct, &s0, &s1, window);
			fclose(out);
			(void)!read(done[0], buf, 1);   /* keep the line up until the owner measured */
			close_spans(far, nspans);
			_exit(err ? 1 : ok ? 0 : 3);
		}
		close(rep[1]);
		close(done[0]);
		err = open_spans(own, nspans, dir, false, frame_ms, seconds);
		if (!err)
			err = run_side(own, nspans, NULL, warmup, seconds, &cpu_pct, &s0, &s1,
				       NULL, NULL, &window);
		if (!err)
			ok = report(stdout, "owner", own, nspans, cpu_pct, &s0, &s1, window);
		fflush(stdout);
		close(done[1]);         /* EOF: the attacher may hang up */
		while ((r = read(rep[0], buf, sizeof(buf))) > 0)
			fwrite(buf, 1, (size_t)r, stdout);
		close_spans(own, nspans);
		if (waitpid(pid, &c, 0) == pid && WIFEXITED(c) && WEXITSTATUS(c) != 0) {
			if (WEXITSTATUS(c) == 3)
				ok = false;
			else
				err = EIO;
		}
	}
	rmdir(dir);
	printf("hw_sim: %s\n", err ? "ERROR" : ok ? "all targets met" : "a target was missed");
	return err ? 1 : ok ? 0 : 3;
}
