/*
 * cdr_writer.c -- CDRs written off the main thread with group commit (see
 * db.h).  The main thread ends a call and hands a copy of its CDR to
 * db_cdr_writer_add: a malloc'd node appended to a list under a mutex, and a
 * condition variable signalled.  The writer thread, with its own SQLite
 * connection, takes the whole list at once (a pointer swap under the mutex)
 * and INSERTs it in ONE transaction: one fsync (synchronous=FULL, WAL) for
 * the batch.  While it commits, new CDRs queue up and form the next batch, so
 * batches grow by themselves with the call rate and no timer or batch size
 * needs tuning: at one call a second every batch is one row, at a thousand a
 * second a batch holds what arrived during one fsync.
 *
 * Invariants: rows are inserted in the order they were added; the mutex is
 * never held across SQLite calls, so add never waits on the disk; `finished`
 * (written + failed) only grows, and flush waits on it.
 *
 * Errors: a row the database refuses (a constraint: a duplicate call_id)
 * fails that statement only -- SQLite rolls back just the statement and the
 * transaction goes on -- so it is logged, counted in `failed`, and the rest
 * of the batch is committed.  An error that ends the transaction (disk full,
 * I/O error, a failed COMMIT) rolls the batch back and retries it whole after
 * a back-off (100 ms doubling to 5 s) for as long as the daemon runs; while
 * stopping it gives up after STOP_ATTEMPTS and logs how many were lost,
 * rather than hang the shutdown.
 *
 * The queue is bounded (`capacity` rows, 64k by default, about 30 MB if ever
 * full): when the database stalls that long, add refuses with ENOSPC and the
 * drop is counted and logged (once per run of drops), since the main thread
 * must never block.  The high-water mark shows how close it came.
 *
 * Between batches the thread also applies the retention settings (db_prune,
 * once an hour) and, when configured, appends each committed batch to a
 * JSON-lines file for billing systems (db_cdr_writer_options).
 */
#include "config.h"
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_MODULE "cdr"
#include "log.h"
#include "db_int.h"

#define STOP_ATTEMPTS 5
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000

struct cdr_node {
	struct cdr_node *next;
	struct db_cdr r;
	bool failed;                    /* refused in this attempt */
};

struct db_cdr_writer {
	pthread_mutex_t mu;
	pthread_cond_t wake;            /* the writer: work or stop */
	pthread_cond_t done;            /* flush: rows finished */
	struct cdr_node *head, **tail;
	bool stop;
	bool dropping;                  /* in a run of drops (logged once) */
	unsigned long long finished;    /* rows written or failed */
	struct db_cdr_stats st;         /* under mu */
	pthread_t thread;
	struct db *db;                  /* the writer thread's own */
	sqlite3_stmt *ins;
	char *jsonl;                    /* append committed CDRs here as JSON lines; NULL = not */
	unsigned prune_s;               /* retention every so many seconds; 0 = never */
	struct timespec next_prune;     /* CLOCK_REALTIME, for pthread_cond_timedwait */
};

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* One attempt at the batch in one transaction.  0: committed (rows refused
 * on their own are marked failed); otherwise the transaction is rolled back
 * and nothing of it was written. */
static int write_batch(struct db_cdr_writer *w, struct cdr_node *batch)
{
	int rc;

	rc = db_begin(w->db);
	for (struct cdr_node *n = batch; !rc && n; n = n->next) {
		int src;

		n->failed = false;
		db_cdr_bind(w->ins, &n->r);
		src = sqlite3_step(w->ins);
		if (src == SQLITE_DONE)
			continue;
		if (sqlite3_get_autocommit(w->db->conn)) {
			/* the error ended the transaction: the batch is gone */
			rc = db_errno(src);
			log_warn("CDR batch rolled back at %s: %s", n->r.call_id, db_errmsg(w->db));
			break;
		}
		n->failed = true;
		log_err("CDR %s not written: %s", n->r.call_id, db_errmsg(w->db));
	}
	sqlite3_reset(w->ins);
	if (!rc)
		rc = db_commit(w->db);
	if (rc) {
		if (!sqlite3_get_autocommit(w->db->conn))
			log_warn("CDR batch not committed: %s", db_errmsg(w->db));
		db_rollback(w->db);
	}
	return rc;
}

static void json_str(FILE *f, const char *k, const char *v, bool comma)
{
	fprintf(f, "%s\"%s\":\"", comma ? "," : "", k);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void json_num(FILE *f, const char *k, long long v, bool null_if_zero)
{
	if (null_if_zero && v <= 0)
		fprintf(f, ",\"%s\":null", k);
	else
		fprintf(f, ",\"%s\":%lld", k, v);
}

/* The committed rows as JSON lines, for a billing system to tail. */
static void append_jsonl(const char *path, const struct cdr_node *batch)
{
	FILE *f = fopen(path, "ae");

	if (!f) {
		log_warn("CDR stream %s: %s", path, strerror(errno));
		return;
	}
	for (const struct cdr_node *n = batch; n; n = n->next) {
		const struct db_cdr *c = &n->r;

		if (n->failed)
			continue;
		fputc('{', f);
		json_str(f, "call_id", c->call_id, false);
		json_num(f, "setup_at", c->setup_at, true);
		json_num(f, "alert_at", c->alert_at, true);
		json_num(f, "answer_at", c->answer_at, true);
		json_num(f, "end_at", c->end_at, true);
		json_str(f, "in_kind", c->in_kind, true);
		json_str(f, "in_group", c->in_group, true);
		json_str(f, "in_trunk", c->in_trunk, true);
		json_num(f, "in_channel", c->in_channel, false);
		json_str(f, "out_kind", c->out_kind, true);
		json_str(f, "out_group", c->out_group, true);
		json_str(f, "out_trunk", c->out_trunk, true);
		json_num(f, "out_channel", c->out_channel, false);
		json_str(f, "calling", c->calling, true);
		json_str(f, "called", c->called, true);
		json_str(f, "calling_out", c->calling_out, true);
		json_str(f, "called_out", c->called_out, true);
		json_str(f, "route", c->route, true);
		json_num(f, "cause", c->cause, false);
		json_num(f, "sip_status", c->sip_status, true);
		json_str(f, "released_by", c->released_by, true);
		fputs("}\n", f);
	}
	if (fclose(f))
		log_warn("CDR stream %s: %s", path, strerror(errno));
}

static void prune(struct db_cdr_writer *w)
{
	struct db_retention r;
	unsigned long long n = 0;
	struct timespec now;
	int rc;

	clock_gettime(CLOCK_REALTIME, &now);
	db_retention_get(w->db, &r);
	rc = db_prune(w->db, &r, (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000, &n);
	if (rc)
		log_warn("retention: %s", db_errmsg(w->db));
	else if (n)
		log_info("retention: %llu old CDRs and events deleted", n);
}

static void free_list(struct cdr_node *n)
{
	while (n) {
		struct cdr_node *next = n->next;

		free(n);
		n = next;
	}
}

static void *writer_main(void *arg)
{
	struct db_cdr_writer *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct cdr_node *batch;
		unsigned long long nrows = 0, nfailed = 0;
		unsigned attempts = 0, backoff = BACKOFF_MIN_MS;
		bool stopping;
		int rc;

		while (!w->head && !w->stop) {
			struct timespec now;

			if (!w->prune_s) {
				pthread_cond_wait(&w->wake, &w->mu);
				continue;
			}
			clock_gettime(CLOCK_REALTIME, &now);
			if (now.tv_sec > w->next_prune.tv_sec) {
				w->next_prune.tv_sec = now.tv_sec + w->prune_s;
				pthread_mutex_unlock(&w->mu);
				prune(w);       /* its own transactions, between batches */
				pthread_mutex_lock(&w->mu);
				continue;
			}
			pthread_cond_timedwait(&w->wake, &w->mu, &w->next_prune);
		}
		if (!w->head)
			break;          /* stopping, and drained */
		batch = w->head;
		w->head = NULL;
		w->tail = &w->head;
		w->st.pending = 0;
		pthread_mutex_unlock(&w->mu);

		for (struct cdr_node *n = batch; n; n = n->next)
			nrows++;
		for (;;) {
			rc = write_batch(w, batch);
			attempts++;
			if (!rc)
				break;
			pthread_mutex_lock(&w->mu);
			w->st.retries++;
			stopping = w->stop;
			pthread_mutex_unlock(&w->mu);
			if (stopping && attempts >= STOP_ATTEMPTS) {
				log_err("%llu CDRs lost: the database kept failing while stopping (%s)",
					nrows, strerror(rc));
				break;
			}
			sleep_ms(backoff);
			backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
		}
		for (struct cdr_node *n = batch; n; n = n->next)
			nfailed += rc || n->failed;
		if (!rc && w->jsonl)
			append_jsonl(w->jsonl, batch);
		free_list(batch);

		pthread_mutex_lock(&w->mu);
		if (!rc)
			w->st.batches++;
		w->st.written += nrows - nfailed;
		w->st.failed += nfailed;
		w->finished += nrows;
		pthread_cond_broadcast(&w->done);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Free what start made (the thread is not running, or has been joined). */
static void writer_free(struct db_cdr_writer *w)
{
	free_list(w->head);             /* empty after a drain: nothing is added after stop */
	sqlite3_finalize(w->ins);
	db_close(w->db);
	free(w->jsonl);
	pthread_cond_destroy(&w->done);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

int db_cdr_writer_start(struct db_cdr_writer **wp, const char *path, size_t capacity,
			char *err, size_t errlen)
{
	struct db_cdr_writer *w = calloc(1, sizeof(*w));
	int rc;

	if (!w)
		return ENOMEM;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->wake, NULL);
	pthread_cond_init(&w->done, NULL);
	w->tail = &w->head;
	w->st.capacity = capacity ? capacity : DB_CDR_QUEUE_DEFAULT;
	rc = db_open(&w->db, path, 0, err, errlen);
	if (!rc) {
		rc = db_cdr_prepare(w->db, &w->ins);
		if (rc)
			snprintf(err, errlen, "%s: CDR writer: %s", path, db_errmsg(w->db));
	}
	if (!rc) {
		rc = pthread_create(&w->thread, NULL, writer_main, w);
		if (rc)
			snprintf(err, errlen, "CDR writer thread: %s", strerror(rc));
	}
	if (rc) {
		writer_free(w);
		return rc;
	}
	*wp = w;
	return 0;
}

void db_cdr_writer_options(struct db_cdr_writer *w, const char *jsonl_path, unsigned prune_s)
{
	pthread_mutex_lock(&w->mu);
	free(w->jsonl);
	w->jsonl = jsonl_path ? strdup(jsonl_path) : NULL;
	w->prune_s = prune_s;
	clock_gettime(CLOCK_REALTIME, &w->next_prune);
	w->next_prune.tv_sec += 5;      /* the first run soon after start */
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->mu);
}

int db_cdr_writer_add(struct db_cdr_writer *w, const struct db_cdr *c)
{
	struct cdr_node *n = malloc(sizeof(*n));
	bool first_drop = false;
	int rc = 0;

	pthread_mutex_lock(&w->mu);
	if (!n || w->st.pending >= w->st.capacity) {
		w->st.dropped++;
		first_drop = !w->dropping;
		w->dropping = true;
		rc = n ? ENOSPC : ENOMEM;
	} else {
		n->next = NULL;
		n->r = *c;
		*w->tail = n;
		w->tail = &n->next;
		w->st.queued++;
		if (++w->st.pending > w->st.high_water)
			w->st.high_water = w->st.pending;
		w->dropping = false;
		pthread_cond_signal(&w->wake);
	}
	pthread_mutex_unlock(&w->mu);
	if (rc) {
		free(n);
		if (first_drop)
			log_err("CDR %s dropped: %s (%zu queued); further drops are counted in status",
				c->call_id, rc == ENOSPC ? "the CDR queue is full" : "out of memory",
				w->st.capacity);
	}
	return rc;
}

void db_cdr_writer_flush(struct db_cdr_writer *w)
{
	pthread_mutex_lock(&w->mu);
	/* rows added so far: queued counts every one the writer will finish */
	for (unsigned long long target = w->st.queued; w->finished < target; )
		pthread_cond_wait(&w->done, &w->mu);
	pthread_mutex_unlock(&w->mu);
}

void db_cdr_writer_stats(struct db_cdr_writer *w, struct db_cdr_stats *st)
{
	pthread_mutex_lock(&w->mu);
	*st = w->st;
	pthread_mutex_unlock(&w->mu);
}

void db_cdr_writer_stop(struct db_cdr_writer *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);     /* the thread drains the queue first */
	writer_free(w);
}
