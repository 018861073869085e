/*
 * events.c -- GET /api/v1/status/stream: the status snapshot as
 * Server-Sent Events (text/event-stream), for the dashboard's EventSource.
 *
 *   retry: 2000
 *
 *   event: status
 *   data: {...the document of GET /api/v1/status...}
 *
 *   : keep-alive
 *
 * A stream gets the current snapshot at once, then a new one whenever it
 * changes, at most once a second, and a keep-alive comment every 15 s.
 *
 * No pool thread is ever held: the response is a callback response; when
 * the callback has nothing to send it suspends its connection
 * (MHD_suspend_connection, the daemon runs with MHD_ALLOW_SUSPEND_RESUME)
 * and returns 0.  One notifier thread per server builds the frame (a
 * snapshot's JSON, only while someone listens), and resumes the suspended
 * streams when there is a new frame or a keep-alive is due; MHD then calls
 * the callback again on whatever pool thread owns the connection.
 *
 * Suspend and resume happen under the hub's lock together with the
 * stream's `suspended` flag, so a connection is resumed only if it is
 * suspended (MHD's rule).  Streams are capped (WEB_STREAMS_MAX, then 503:
 * the client polls instead).  At stop, every stream is resumed and ends
 * before MHD stops (MHD must not stop with suspended connections).
 */
#include "config.h"
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_MODULE "web"
#include "log.h"
#include "db.h"
#include "status/status_json.h"
#include "tg.h"
#include "web_int.h"

#define PUSH_MIN_MS     1000            /* at most one status frame a second */
#define KEEPALIVE_MS    15000
#define TICK_MS         200

struct web_stream {
	struct web_stream *next;
	struct web_events *hub;
	struct MHD_Connection *conn;
	bool suspended;
	bool started;                   /* the retry line went out */
	unsigned long long seq, ping;   /* the hub's, as last sent */
	char *buf;                      /* what is being sent */
	size_t len, off, cap;
};

struct web_events {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	bool thread_running;
	bool closing;
	struct web_stream *streams;
	unsigned nstreams;
	unsigned long long seq;         /* of frame */
	unsigned long long ping;        /* keep-alives due */
	char *frame;                    /* the latest status frame; NULL before the first */
	const char *db_path;            /* for the status document's database size */
};

/* Under the lock: resume every suspended stream. */
static void resume_all(struct web_events *hub)
{
	for (struct web_stream *s = hub->streams; s; s = s->next)
		if (s->suspended) {
			s->suspended = false;
			MHD_resume_connection(s->conn);
		}
}

/* The snapshot as a frame; NULL on out of memory. */
static char *status_frame(struct web_events *hub, struct status *st)
{
	json_t *doc;
	char *text, *frame = NULL;

	status_get(st);
	doc = status_json(st, db_path_size(hub->db_path), tg_now_ms());
	text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	if (text && asprintf(&frame, "event: status\ndata: %s\n\n", text) < 0)
		frame = NULL;
	free(text);
	return frame;
}

static void *notifier(void *arg)
{
	struct web_events *hub = arg;
	struct status *st = malloc(sizeof(*st));        /* large: spans, groups, trunks */
	unsigned long long last_push = 0, last_ping = tg_now_ms();

	if (!st) {
		log_err("status stream: out of memory; streams get keep-alives only");
	}
	pthread_mutex_lock(&hub->lock);
	while (!hub->closing) {
		struct timespec until;
		unsigned long long now;
		bool listening;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += TICK_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&hub->cond, &hub->lock, &until);
		if (hub->closing)
			break;
		listening = hub->nstreams > 0;
		pthread_mutex_unlock(&hub->lock);
		now = tg_now_ms();
		if (st && listening && now - last_push >= PUSH_MIN_MS) {
			char *frame = status_frame(hub, st);

			pthread_mutex_lock(&hub->lock);
			if (frame && (!hub->frame || strcmp(frame, hub->frame))) {
				free(hub->frame);
				hub->frame = frame;
				frame = NULL;
				hub->seq++;
				resume_all(hub);
				last_push = now;
			}
			pthread_mutex_unlock(&hub->lock);
			free(frame);
		}
		pthread_mutex_lock(&hub->lock);
		if (now - last_ping >= KEEPALIVE_MS) {
			hub->ping++;
			resume_all(hub);
			last_ping = now;
		}
	}
	pthread_mutex_unlock(&hub->lock);
	free(st);
	return NULL;
}

int web_events_start(struct web_events **hubp, const char *db_path)
{
	struct web_events *hub = calloc(1, sizeof(*hub));
	int rc;

	if (!hub)
		return ENOMEM;
	pthread_mutex_init(&hub->lock, NULL);
	pthread_cond_init(&hub->cond, NULL);
	hub->db_path = db_path;
	rc = pthread_create(&hub->thread, NULL, notifier, hub);
	if (rc) {
		pthread_cond_destroy(&hub->cond);
		pthread_mutex_destroy(&hub->lock);
		free(hub);
		return rc;
	}
	hub->thread_running = true;
	*hubp = hub;
	return 0;
}

void web_events_close(struct web_events *hub)
{
	if (!hub)
		return;
	pthread_mutex_lock(&hub->lock);
	hub->closing = true;
	resume_all(hub);                /* each callback then ends its stream */
	pthread_cond_broadcast(&hub->cond);
	pthread_mutex_unlock(&hub->lock);
	if (hub->thread_running)
		pthread_join(hub->thread, NULL);
	hub->thread_running = false;
}

unsigned web_events_count(struct web_events *hub)
{
	unsigned n;

	pthread_mutex_lock(&hub->lock);
	n = hub->nstreams;
	pthread_mutex_unlock(&hub->lock);
	return n;
}

void web_events_free(struct web_events *hub)
{
	if (!hub)
		return;
	web_events_close(hub);
	free(hub->frame);
	pthread_cond_destroy(&hub->cond);
	pthread_mutex_destroy(&hub->lock);
	free(hub);
}

/* Under the lock: add text to what the stream is sending. */
static bool stream_add(struct web_stream *s, const char *text)
{
	size_t n = strlen(text);

	if (s->len + n > s->cap) {
		size_t cap = (s->len + n) * 2;
		char *b = realloc(s->buf, cap);

		if (!b)
			return false;
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, text, n);
	s->len += n;
	return true;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct web_stream *s = cls;
	struct web_events *hub = s->hub;
	size_t n;

	(void)pos;
	pthread_mutex_lock(&hub->lock);
	if (s->off == s->len) {
		s->off = s->len = 0;
		if (hub->closing) {
			pthread_mutex_unlock(&hub->lock);
			return MHD_CONTENT_READER_END_OF_STREAM;
		}
		if (!s->started && stream_add(s, "retry: 2000\n\n"))
			s->started = true;
		if (s->seq != hub->seq && hub->frame && stream_add(s, hub->frame))
			s->seq = hub->seq;
		else if (s->ping != hub->ping && stream_add(s, ": keep-alive\n\n"))
			s->ping = hub->ping;
		if (!s->len) {          /* nothing to say: off the event loop until there is */
			s->suspended = true;
			MHD_suspend_connection(s->conn);
			pthread_mutex_unlock(&hub->lock);
			return 0;
		}
	}
	n = s->len - s->off < max ? s->len - s->off : max;
	memcpy(buf, s->buf + s->off, n);
	s->off += n;
	pthread_mutex_unlock(&hub->lock);
	return (ssize_t)n;
}

static void stream_free(void *cls)
{
	struct web_stream *s = cls;
	struct web_events *hub = s->hub;

	pthread_mutex_lock(&hub->lock);
	for (struct web_stream **p = &hub->streams; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			hub->nstreams--;
			break;
		}
	pthread_mutex_unlock(&hub->lock);
	free(s->buf);
	free(s);
}

enum MHD_Result api_status_stream(struct web_req *r)
{
	struct web_events *hub = r->web->events;
	struct MHD_Response *resp;
	struct web_stream *s;

	if (!hub)
		return web_reply_error(r, 503, "unavailable", NULL, "event streams are off");
	s = calloc(1, sizeof(*s));
	if (!s)
		return web_reply_error(r, 500, "internal", NULL, "out of memory");
	s->hub = hub;
	s->conn = r->conn;
	pthread_mutex_lock(&hub->lock);
	if (hub->closing || hub->nstreams >= WEB_STREAMS_MAX) {
		bool closing = hub->closing;

		pthread_mutex_unlock(&hub->lock);
		free(s);
		return web_reply_error(r, 503, "unavailable", NULL, closing ? "shutting down" :
				       "%u event streams are open already; poll GET /api/v1/status",
				       WEB_STREAMS_MAX);
	}
	s->next = hub->streams;
	hub->streams = s;
	hub->nstreams++;
	pthread_cond_broadcast(&hub->cond);     /* a first listener: build a frame now */
	pthread_mutex_unlock(&hub->lock);
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, stream_read, s,
						 stream_free);
	if (!resp) {
		stream_free(s);
		return web_reply_error(r, 500, "internal", NULL, "out of memory");
	}
	MHD_add_response_header(resp, "Content-Type", "text/event-stream");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Accel-Buffering", "no");
	return web_queue(r, 200, resp);
}
