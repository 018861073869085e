/*
 * calls.c -- the calls up now:
 *
 *   GET    /api/v1/calls        the live calls with their legs and media figures
 *   DELETE /api/v1/calls/{id}   clear one (operator): both legs, cause 16
 *
 * The list is a document the main thread builds when asked
 * (MAINQ_CALLS_LIST, status_calls_build): an idle daemon holding many calls
 * builds none.  It reuses the last one for a quarter of a second while no
 * call started or ended (status_calls_stale).  A hang-up is a request to
 * the main thread too, which owns the calls.  HTTP threads.
 */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "api"
#include "log.h"
#include "api.h"
#include "mainq.h"
#include "status/status.h"
#include "tg.h"

/* The list as the main thread has it now, in *text (malloc'd). */
static int calls_text(char **text)
{
	/* twice: the text may be dropped (not read for seconds) between the
	 * answer and the copy if this thread stalls that long */
	for (int tries = 0; tries < 2; tries++) {
		struct mainq_msg msg = { .type = MAINQ_CALLS_LIST };
		struct mainq_reply *reply = mainq_reply_new();
		int rc;

		if (!reply)
			return ENOMEM;
		msg.u.calls.reply = reply;
		rc = mainq_request(&msg, reply, 5000);
		if (!rc)
			rc = reply->rc;
		mainq_reply_unref(reply);
		if (rc)
			return rc;
		*text = status_calls_get();
		if (*text)
			return 0;
	}
	return ENOMEM;
}

enum MHD_Result api_calls_list(struct web_req *r)
{
	char *text = NULL;
	json_t *doc;
	int rc = calls_text(&text);

	if (rc == ETIMEDOUT || rc == ESHUTDOWN)
		return web_reply_error(r, 503, "unavailable", NULL, "the daemon did not answer: %s",
				       strerror(rc));
	doc = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	if (!doc)
		return web_reply_error(r, 500, "internal", NULL, "cannot read the live calls");
	return web_reply_json(r, 200, doc);
}

enum MHD_Result api_call_hangup(struct web_req *r)
{
	struct mainq_msg msg = { .type = MAINQ_CALL_HANGUP };
	struct mainq_reply *reply;
	enum MHD_Result mrc;
	int rc;

	if (!r->param[0][0] || strlen(r->param[0]) >= sizeof(msg.u.hangup.id))
		return web_reply_error(r, 404, "not_found", NULL, "no call %s", r->param[0]);
	tg_strlcpy(msg.u.hangup.id, r->param[0], sizeof(msg.u.hangup.id));
	reply = mainq_reply_new();
	if (!reply)
		return web_reply_error(r, 500, "internal", NULL, "out of memory");
	msg.u.hangup.reply = reply;
	rc = mainq_request(&msg, reply, 5000);
	if (rc)
		mrc = web_reply_error(r, 503, "unavailable", NULL, "the daemon did not answer: %s",
				      strerror(rc));
	else if (reply->rc == ENOENT)
		mrc = web_reply_error(r, 404, "not_found", NULL, "no call %s (it may have ended)",
				      r->param[0]);
	else {
		log_info("%s hung up call %s", r->user, r->param[0]);
		mrc = web_reply_empty(r, 204);
	}
	mainq_reply_unref(reply);
	return mrc;
}
