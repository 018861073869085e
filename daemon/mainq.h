/*
 * mainq.h -- the main thread's mailbox.  Other threads (HTTP, later media)
 * post a copy of a small message; an eventfd registered with the main
 * thread's su_root wakes it, and it runs the handler for each message in
 * order.  Posting never blocks on the main thread.
 */
#ifndef TG_MAINQ_H
#define TG_MAINQ_H

#include <sofia-sip/su_wait.h>

enum mainq_type {
	MAINQ_CONFIG_GENERATION,        /* a committed config change: apply generation N */
	MAINQ__COUNT
};

struct mainq_msg {
	enum mainq_type type;
	union {
		struct { unsigned long long generation; } config;
	} u;
};

typedef void (mainq_handler_h)(const struct mainq_msg *msg, void *arg);

/* Main thread: create the queue on root, dispatching to h. */
int mainq_init(su_root_t *root, mainq_handler_h *h, void *arg);
void mainq_close(void);
/* Any thread.  ENOMEM, or ESHUTDOWN once closed. */
int mainq_post(const struct mainq_msg *msg);

#endif
