/*
 * cdr.c -- benchmark of CDR writing: one transaction per CDR (db_cdr_add,
 * autocommit, one fsync each) against the CDR writer thread's group commit
 * (db_cdr_writer_add from this thread, committed in batches on the writer's
 * own connection).  Both on a fresh database in a temporary folder (TMPDIR,
 * default /tmp: its file system decides the fsync cost), WAL and
 * synchronous=FULL as the daemon runs them.
 *
 * Each run writes N CDRs shaped like a real call's and is timed from the
 * first write to the last commit (for the writer: add N, then flush); the
 * rate is N / time.  The median of R runs is printed for each, and the ratio.
 * The writer's numbers also show how many batches it took and the queue's
 * high-water mark: with a producer that never waits, batches grow to what
 * arrives during one commit.
 *
 * Usage: cdr [--count N] [--single-count N] [--runs R]
 *   --count: CDRs per writer run (default 20000)
 *   --single-count: CDRs per one-per-transaction run (default: --count); a
 *                   smaller one keeps the slow side's runs short
 */
#include "config.h"
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "bench_util.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct db_cdr make_cdr(unsigned run, unsigned i)
{
	long long t = 1800000000000LL + (long long)i * 10;
	struct db_cdr r = {
		.setup_at = t, .alert_at = t + 1200, .answer_at = t + 4000, .end_at = t + 95000,
		.in_channel = (int)(i % 30) + 1, .out_channel = (int)(i % 23) + 1, .cause = 16,
	};

	snprintf(r.call_id, sizeof(r.call_id), "tg-%x-%08x", run, i);
	snprintf(r.in_kind, sizeof(r.in_kind), "pri");
	snprintf(r.out_kind, sizeof(r.out_kind), "pri");
	snprintf(r.in_group, sizeof(r.in_group), "carrier");
	snprintf(r.in_trunk, sizeof(r.in_trunk), "carrier-1");
	snprintf(r.out_group, sizeof(r.out_group), "pbx");
	snprintf(r.out_trunk, sizeof(r.out_trunk), "pbx-1");
	snprintf(r.calling, sizeof(r.calling), "+4930555%04u", i % 10000);
	snprintf(r.called, sizeof(r.called), "4930100%04u", i % 10000);
	snprintf(r.calling_out, sizeof(r.calling_out), "+4930555%04u", i % 10000);
	snprintf(r.called_out, sizeof(r.called_out), "2%03u", i % 1000);
	snprintf(r.route, sizeof(r.route), "in-pbx");
	snprintf(r.released_by, sizeof(r.released_by), "caller");
	return r;
}

static int fresh_db(struct db **dbp, char *path, size_t len, const char *dir, unsigned run)
{
	char err[DB_ERR_LEN];
	int rc;

	snprintf(path, len, "%s/cdr-%u.db", dir, run);
	rc = db_open(dbp, path, DB_OPEN_MIGRATE, err, sizeof(err));
	if (rc)
		fprintf(stderr, "cdr: %s\n", err);
	return rc;
}

static void remove_db(const char *path)
{
	char p[600];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

/* One transaction per CDR: the daemon's way before the writer. */
static int run_single(const char *dir, unsigned run, unsigned n, double *rate)
{
	struct db *db = NULL;
	char path[512];
	double t0;
	int rc;

	rc = fresh_db(&db, path, sizeof(path), dir, run);
	if (rc)
		return rc;
	t0 = now_s();
	for (unsigned i = 0; !rc && i < n; i++) {
		struct db_cdr r = make_cdr(run, i);

		rc = db_cdr_add(db, &r);
	}
	*rate = n / (now_s() - t0);
	db_close(db);
	remove_db(path);
	return rc;
}

static int run_writer(const char *dir, unsigned run, unsigned n, double *rate,
		      struct db_cdr_stats *st)
{
	struct db_cdr_writer *w = NULL;
	struct db *db = NULL;
	char path[512], err[DB_ERR_LEN];
	double t0;
	int rc;

	rc = fresh_db(&db, path, sizeof(path), dir, run);
	if (rc)
		return rc;
	rc = db_cdr_writer_start(&w, path, DB_CDR_QUEUE_DEFAULT, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "cdr: %s\n", err);
		db_close(db);
		return rc;
	}
	t0 = now_s();
	for (unsigned i = 0; !rc && i < n; i++) {
		struct db_cdr r = make_cdr(run, i);

		rc = db_cdr_writer_add(w, &r);
	}
	db_cdr_writer_flush(w);
	*rate = n / (now_s() - t0);
	db_cdr_writer_stats(w, st);
	db_cdr_writer_stop(w);
	if (!rc && st->written != n) {
		fprintf(stderr, "cdr: the writer committed %llu of %u\n", st->written, n);
		rc = EIO;
	}
	db_close(db);
	remove_db(path);
	return rc;
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "single-count", required_argument, NULL, 's' },
		{ "runs", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned n = 20000, nsingle = 0, runs = 3;
	double single[16], writer[16], ms, mw;
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char dir[512];
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': n = (unsigned)strtoul(optarg, NULL, 10); break;
		case 's': nsingle = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'r': runs = (unsigned)strtoul(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: cdr [--count N] [--single-count N] [--runs R]\n");
			return 2;
		}
	}
	if (!nsingle)
		nsingle = n;
	if (!n || !runs || runs > 16) {
		fprintf(stderr, "cdr: --count must be > 0 and --runs 1..16\n");
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/tg-bench-cdr-XXXXXX", tmp);
	if (!mkdtemp(dir)) {
		perror("cdr: mkdtemp");
		return 1;
	}
	printf("CDR writing, %s (WAL, synchronous=FULL), median of %u runs\n", dir, runs);
	for (unsigned r = 0; r < runs; r++) {
		struct db_cdr_stats st;

		if (run_single(dir, 2 * r, nsingle, &single[r]) ||
		    run_writer(dir, 2 * r + 1, n, &writer[r], &st)) {
			rmdir(dir);
			return 1;
		}
		printf("  run %u: one transaction per CDR %9.0f CDRs/s (%u); writer %9.0f CDRs/s "
		       "(%u in %llu batches, queue high-water %zu)\n", r + 1, single[r], nsingle,
		       writer[r], n, st.batches, st.high_water);
	}
	ms = median(single, runs);
	mw = median(writer, runs);
	printf("one transaction per CDR (db_cdr_add): %9.0f CDRs/s\n", ms);
	printf("writer thread, group commit:          %9.0f CDRs/s\n", mw);
	printf("ratio:                                %9.1fx\n", mw / ms);
	rmdir(dir);
	return 0;
}
