/*
 * mainq.h -- the main thread's mailbox.  Other threads (HTTP, later media)
 * post a copy of a small message; an eventfd registered with the main
 * thread's su_root wakes it, and it runs the handler for each message in
 * order.  Posting never blocks on the main thread.
 */
#ifndef TG_MAINQ_H
#define TG_MAINQ_H

#include <stdbool.h>
#include <stdint.h>
#include <sofia-sip/su_wait.h>

#include "hw.h"

enum mainq_type {
	MAINQ_CONFIG_GENERATION,        /* a committed config change: apply generation N */
	MAINQ_CONFIG_READY,             /* loader thread: a snapshot is built (tg_loader_take) */
	MAINQ_CALL_HANGUP,              /* HTTP thread: clear a call (answer in `reply`) */
	MAINQ_SPAN_DCHAN,               /* hw thread: a D-channel frame arrived */
	MAINQ_SPAN_ALARM,               /* hw thread: the alarm set changed */
	MAINQ_SPAN_TEST_CALL,           /* HTTP thread: place a test call (answer in `reply`) */
	MAINQ_GROUP_STATE,              /* HTTP thread: mark a trunk group down/up (answer in `reply`) */
	MAINQ_CALLS_LIST,               /* HTTP thread: publish the live call list (answer in `reply`) */
	MAINQ__COUNT
};

/* A synchronous request: the poster waits on it, the main thread answers.
 * Refcounted, so a poster that gives up waiting cannot leave the main thread
 * writing into freed memory. */
struct mainq_reply {
	int refs;
	int rc;                         /* errno-style result */
	bool done;
	char msg[256];                  /* human-readable outcome */
	unsigned channel;               /* test call: the B channel taken */
};

struct mainq_msg {
	enum mainq_type type;
	union {
		struct { unsigned long long generation; } config;
		/* span messages name the span by the instance number it was opened
		 * with, so a message from a span since closed is dropped */
		struct { unsigned long long instance; uint16_t len; uint8_t data[HW_DCHAN_MAX]; } dchan;
		struct { unsigned long long instance; unsigned alarms, old; } alarm;
		struct { char id[48]; struct mainq_reply *reply; } hangup;
		struct { struct mainq_reply *reply; } calls;
		struct {
			long long span_id;
			char called[33], calling[33];
			unsigned hold_seconds;
			struct mainq_reply *reply;
		} test_call;
		struct {
			long long group_id;
			bool down;
			struct mainq_reply *reply;
		} group_state;
	} u;
};

typedef void (mainq_handler_h)(const struct mainq_msg *msg, void *arg);

/* Main thread: create the queue on root, dispatching to h. */
int mainq_init(su_root_t *root, mainq_handler_h *h, void *arg);
void mainq_close(void);
/* Any thread.  ENOMEM, or ESHUTDOWN once closed. */
int mainq_post(const struct mainq_msg *msg);

/* Post msg (whose request carries `reply`) and wait up to timeout_ms for the
 * main thread to answer.  ETIMEDOUT if it did not.  The caller owns one
 * reference to reply (mainq_reply_new) and drops it with mainq_reply_unref. */
struct mainq_reply *mainq_reply_new(void);
int mainq_request(struct mainq_msg *msg, struct mainq_reply *reply, unsigned timeout_ms);
/* Main thread: answer a request (once), dropping its reference. */
void mainq_reply_done(struct mainq_reply *reply, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void mainq_reply_unref(struct mainq_reply *reply);

#endif
