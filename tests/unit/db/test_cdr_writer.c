/*
 * test_cdr_writer.c -- the CDR writer thread (db/cdr_writer.c): everything
 * queued is committed in order; a row the database refuses does not take the
 * rest of its batch with it; stop drains the queue; a full queue refuses and
 * counts instead of blocking.  Batches are made deterministic by holding the
 * database's write lock on another connection while rows queue up.
 */
#include "config.h"
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "test.h"

int test_cdr_writer_commits_everything_queued_in_order(void);
int test_cdr_writer_refused_row_does_not_lose_the_rest_of_its_batch(void);
int test_cdr_writer_stop_drains_the_queue(void);
int test_cdr_writer_full_queue_refuses_and_counts(void);

/* A fresh database (the main connection, in *dbp) and a writer on it. */
static int setup(struct db **dbp, struct db_cdr_writer **wp, char *path, size_t len, size_t cap)
{
	char msg[DB_ERR_LEN];
	int rc;

	snprintf(path, len, "%s/cdr.db", test_tmpdir());
	rc = db_open(dbp, path, DB_OPEN_MIGRATE, msg, sizeof(msg));
	if (!rc)
		rc = db_cdr_writer_start(wp, path, cap, msg, sizeof(msg));
	if (rc)
		printf("# %s\n", msg);
	return rc;
}

static struct db_cdr cdr(const char *id, long long seq)
{
	struct db_cdr r = { .setup_at = seq, .end_at = seq + 1, .in_channel = 1, .out_channel = -1,
			    .cause = 16 };

	snprintf(r.call_id, sizeof(r.call_id), "%s", id);
	snprintf(r.in_kind, sizeof(r.in_kind), "pri");
	snprintf(r.released_by, sizeof(r.released_by), "caller");
	return r;
}

/* n rows with call ids prefix00000, prefix00001, ... and setup_at 0, 1, ... */
static int add_many(struct db_cdr_writer *w, const char *prefix, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		char id[32];
		struct db_cdr r;
		int rc;

		snprintf(id, sizeof(id), "%s%05u", prefix, i);
		r = cdr(id, i);
		rc = db_cdr_writer_add(w, &r);
		if (rc)
			return rc;
	}
	return 0;
}

/* Until the writer has taken everything queued (it then blocks on the lock). */
static void wait_taken(struct db_cdr_writer *w)
{
	struct db_cdr_stats st;

	for (;;) {
		db_cdr_writer_stats(w, &st);
		if (st.pending == 0)
			return;
		sched_yield();
	}
}

int test_cdr_writer_commits_everything_queued_in_order(void)
{
	struct db_cdr_writer *w = NULL;
	struct db_cdr_stats st;
	struct db *db = NULL;
	char path[512];
	int err;

	err = setup(&db, &w, path, sizeof(path), 0);
	TEST_ERR(err);
	err = add_many(w, "c", 2000);
	TEST_ERR(err);
	db_cdr_writer_flush(w);
	db_cdr_writer_stats(w, &st);
	TEST_EQ(2000, st.queued);
	TEST_EQ(2000, st.written);
	TEST_EQ(0, st.failed);
	TEST_EQ(0, st.dropped);
	TEST_EQ(0, st.pending);
	TEST_ASSERT(st.batches >= 1 && st.batches <= 2000);
	TEST_ASSERT(st.high_water >= 1);
	TEST_EQ(DB_CDR_QUEUE_DEFAULT, st.capacity);
	TEST_EQ(2000, test_query_int(path, "SELECT count(*) FROM cdrs"));
	/* in the order added: rowids ascend with setup_at */
	TEST_EQ(0, test_query_int(path, "SELECT count(*) FROM cdrs a JOIN cdrs b ON a.id < b.id "
			     "AND a.setup_at > b.setup_at"));
	TEST_EQ(0, test_query_int(path, "SELECT count(*) FROM cdrs WHERE call_id != printf('c%05d', setup_at)"));
	TEST_EQ(1, test_query_int(path, "SELECT in_channel = 1 AND out_channel IS NULL AND alert_at IS NULL "
			     "FROM cdrs WHERE call_id = 'c00007'"));
 out:
	db_cdr_writer_stop(w);
	db_close(db);
	return err;
}

int test_cdr_writer_refused_row_does_not_lose_the_rest_of_its_batch(void)
{
	static const char *const ids[] = { "x1", "dup", "x2" };
	struct db_cdr_writer *w = NULL;
	struct db_cdr_stats st;
	struct db_cdr r;
	struct db *db = NULL;
	char path[512], msg[256];
	bool locked = false;
	int err;

	err = setup(&db, &w, path, sizeof(path), 0);
	TEST_ERR(err);
	r = cdr("dup", 100);
	err = db_cdr_add(db, &r);               /* the one the batch will collide with */
	TEST_ERR(err);
	/* Hold the write lock: the writer takes "first" and waits on BEGIN, while
	 * x1, dup and x2 queue up behind it as the next batch. */
	err = db_exec_script(db, "BEGIN IMMEDIATE", msg, sizeof(msg));
	TEST_ERR(err);
	locked = true;
	r = cdr("first", 0);
	err = db_cdr_writer_add(w, &r);
	TEST_ERR(err);
	wait_taken(w);
	for (int i = 0; i < 3; i++) {
		r = cdr(ids[i], i + 1);
		err = db_cdr_writer_add(w, &r);
		TEST_ERR(err);
	}
	err = db_exec_script(db, "ROLLBACK", msg, sizeof(msg));
	locked = false;
	TEST_ERR(err);
	db_cdr_writer_flush(w);
	db_cdr_writer_stats(w, &st);
	TEST_EQ(2, st.batches);
	TEST_EQ(3, st.written);
	TEST_EQ(1, st.failed);
	TEST_EQ(3, st.high_water);
	TEST_EQ(1, test_query_int(path, "SELECT count(*) FROM cdrs WHERE call_id IN ('x1')"));
	TEST_EQ(1, test_query_int(path, "SELECT count(*) FROM cdrs WHERE call_id IN ('x2')"));
	TEST_EQ(100, test_query_int(path, "SELECT setup_at FROM cdrs WHERE call_id = 'dup'"));
	TEST_EQ(4, test_query_int(path, "SELECT count(*) FROM cdrs"));
 out:
	if (locked)
		db_exec_script(db, "ROLLBACK", msg, sizeof(msg));
	db_cdr_writer_stop(w);
	db_close(db);
	return err;
}

int test_cdr_writer_stop_drains_the_queue(void)
{
	struct db_cdr_writer *w = NULL;
	struct db *db = NULL;
	char path[512];
	int err;

	err = setup(&db, &w, path, sizeof(path), 0);
	TEST_ERR(err);
	err = add_many(w, "s", 500);
	TEST_ERR(err);
	db_cdr_writer_stop(w);                  /* no flush: stop itself drains */
	w = NULL;
	TEST_EQ(500, test_query_int(path, "SELECT count(*) FROM cdrs"));
 out:
	db_cdr_writer_stop(w);
	db_close(db);
	return err;
}

int test_cdr_writer_full_queue_refuses_and_counts(void)
{
	struct db_cdr_writer *w = NULL;
	struct db_cdr_stats st;
	struct db_cdr r;
	struct db *db = NULL;
	char path[512], msg[256];
	bool locked = false;
	int err;

	err = setup(&db, &w, path, sizeof(path), 2);
	TEST_ERR(err);
	err = db_exec_script(db, "BEGIN IMMEDIATE", msg, sizeof(msg));
	TEST_ERR(err);
	locked = true;
	r = cdr("a", 0);
	err = db_cdr_writer_add(w, &r);
	TEST_ERR(err);
	wait_taken(w);                          /* "a" is in the writer's hands */
	r = cdr("b", 1);
	err = db_cdr_writer_add(w, &r);
	TEST_ERR(err);
	r = cdr("c", 2);
	err = db_cdr_writer_add(w, &r);
	TEST_ERR(err);
	r = cdr("d", 3);
	TEST_EQ(ENOSPC, db_cdr_writer_add(w, &r));      /* full: refused at once, not waited for */
	db_cdr_writer_stats(w, &st);
	TEST_EQ(1, st.dropped);
	TEST_EQ(2, st.pending);
	TEST_EQ(2, st.high_water);
	err = db_exec_script(db, "ROLLBACK", msg, sizeof(msg));
	locked = false;
	TEST_ERR(err);
	db_cdr_writer_flush(w);
	db_cdr_writer_stats(w, &st);
	TEST_EQ(3, st.written);
	TEST_EQ(3, test_query_int(path, "SELECT count(*) FROM cdrs"));
	TEST_EQ(0, test_query_int(path, "SELECT count(*) FROM cdrs WHERE call_id = 'd'"));
 out:
	if (locked)
		db_exec_script(db, "ROLLBACK", msg, sizeof(msg));
	db_cdr_writer_stop(w);
	db_close(db);
	return err;
}
