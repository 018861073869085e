/*
 * mainq.c -- see mainq.h.  A mutex-protected FIFO plus an eventfd: posters
 * append and write 1 to the eventfd; the main thread's su_root callback reads
 * the eventfd and drains the whole list outside the lock.
 */
#include "config.h"
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define LOG_MODULE "mainq"
#include "log.h"
#include "mainq.h"
#include "tg.h"

struct node {
	struct node *next;
	struct mainq_msg msg;
};

static struct {
	pthread_mutex_t lock;
	struct node *head, **tail;
	int efd;
	su_root_t *root;
	su_wait_t wait[1];
	int reg;
	mainq_handler_h *h;
	void *arg;
	bool open;
} q = { .lock = PTHREAD_MUTEX_INITIALIZER, .efd = -1, .reg = -1 };

static int on_wake(su_root_magic_t *magic, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct node *list, *next;
	uint64_t v;

	ASSERT_MAIN();
	if (read(q.efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_warn("eventfd read: %m");
	pthread_mutex_lock(&q.lock);
	list = q.head;
	q.head = NULL;
	q.tail = &q.head;
	pthread_mutex_unlock(&q.lock);
	for (; list; list = next) {
		next = list->next;
		q.h(&list->msg, q.arg);
		free(list);
	}
	return 0;
}

int mainq_init(su_root_t *root, mainq_handler_h *h, void *arg)
{
	q.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (q.efd < 0)
		return errno;
	if (su_wait_create(q.wait, q.efd, SU_WAIT_IN) < 0)
		goto fail;
	q.reg = su_root_register(root, q.wait, on_wake, NULL, 0);
	if (q.reg < 0) {
		su_wait_destroy(q.wait);
		goto fail;
	}
	q.root = root;
	q.h = h;
	q.arg = arg;
	q.head = NULL;
	q.tail = &q.head;
	q.open = true;
	return 0;
 fail:
	close(q.efd);
	q.efd = -1;
	return EIO;
}

void mainq_close(void)
{
	struct node *n, *next;

	pthread_mutex_lock(&q.lock);
	q.open = false;
	n = q.head;
	q.head = NULL;
	q.tail = &q.head;
	pthread_mutex_unlock(&q.lock);
	for (; n; n = next) {
		next = n->next;
		if (n->msg.type == MAINQ_SPAN_TEST_CALL && n->msg.u.test_call.reply)
			mainq_reply_done(n->msg.u.test_call.reply, ESHUTDOWN, "shutting down");
		else if (n->msg.type == MAINQ_CALLS_LIST && n->msg.u.calls.reply)
			mainq_reply_done(n->msg.u.calls.reply, ESHUTDOWN, "shutting down");
		free(n);
	}
	if (q.reg >= 0)
		su_root_deregister(q.root, q.reg);  /* also destroys the wait object */
	q.reg = -1;
	if (q.efd >= 0)
		close(q.efd);
	q.efd = -1;
}

int mainq_post(const struct mainq_msg *msg)
{
	struct node *n = malloc(sizeof(*n));
	uint64_t one = 1;
	int rc = 0;

	if (!n)
		return ENOMEM;
	n->next = NULL;
	n->msg = *msg;
	pthread_mutex_lock(&q.lock);
	if (!q.open) {
		rc = ESHUTDOWN;
	} else {
		*q.tail = n;
		q.tail = &n->next;
		/* EAGAIN means the counter is already non-zero: the loop will wake. */
		if (write(q.efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			log_warn("eventfd write: %m");
	}
	pthread_mutex_unlock(&q.lock);
	if (rc == ESHUTDOWN)
		free(n);
	return rc;
}

/* One lock and condition variable serve every reply: requests are rare
 * (API actions), and a shared pair keeps struct mainq_reply plain data. */
static pthread_mutex_t rlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rcond = PTHREAD_COND_INITIALIZER;

struct mainq_reply *mainq_reply_new(void)
{
	struct mainq_reply *r = calloc(1, sizeof(*r));

	if (r)
		r->refs = 1;
	return r;
}

void mainq_reply_unref(struct mainq_reply *reply)
{
	bool last;

	if (!reply)
		return;
	pthread_mutex_lock(&rlock);
	last = --reply->refs == 0;
	pthread_mutex_unlock(&rlock);
	if (last)
		free(reply);
}

int mainq_request(struct mainq_msg *msg, struct mainq_reply *reply, unsigned timeout_ms)
{
	struct timespec until;
	int rc;

	pthread_mutex_lock(&rlock);
	reply->refs++;                  /* the main thread's reference */
	pthread_mutex_unlock(&rlock);
	rc = mainq_post(msg);
	if (rc) {
		mainq_reply_unref(reply);
		return rc;
	}
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&rlock);
	while (!reply->done && rc == 0)
		rc = pthread_cond_timedwait(&rcond, &rlock, &until);
	rc = reply->done ? 0 : ETIMEDOUT;
	pthread_mutex_unlock(&rlock);
	return rc;
}

void mainq_reply_done(struct mainq_reply *reply, int rc, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&rlock);
	reply->rc = rc;
	va_start(ap, fmt);
	vsnprintf(reply->msg, sizeof(reply->msg), fmt, ap);
	va_end(ap);
	reply->done = true;
	pthread_cond_broadcast(&rcond);
	pthread_mutex_unlock(&rlock);
	mainq_reply_unref(reply);
}
