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
 *   event: events
 *   data: {"events":[...the newest 20 events, newest first, as GET /api/v1/events...]}
 *
 * A stream gets the current snapshot at once, then a new one whenever it
 * changes: news (anything but the routine figures that move every second:
 * uptime, CPU, memory, database size) at once, at most once a second, and
 * routine changes at most once a second on their own; an events frame whenever a new event was
 * written (checked at the same pace; a client that falls behind gets the
 * newest frame, so it keeps the events it has by id); and a keep-alive
 * comment every 15 s.
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
	unsigned long long seq, ev_seq, ping;   /* the hub's, as last sent */
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
	unsigned long long ev_seq;      /* of ev_frame */
	char *ev_frame;                 /* the latest events frame; NULL before an event */
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

/* What changes by itself every second (uptime, CPU, memory, database
 * size): a change of these alone is routine, anything else is news. */
static const char *const routine[] = {
	"uptime_seconds", "cpu_seconds", "cpu_percent", "rss_bytes", "db_size_bytes",
};

/* The snapshot as a frame, and in *keyp its text without the routine
 * figures; NULL on out of memory. */
static char *status_frame(struct web_events *hub, struct status *st, char **keyp)
{
	json_t *doc, *sys;
	char *text, *frame = NULL;

	*keyp = NULL;
	status_get(st);
	doc = status_json(st, db_path_size(hub->db_path), tg_now_ms());
	text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	sys = json_object_get(doc, "system");
	for (size_t i = 0; sys && i < TG_ARRAY_SIZE(routine); i++)
		json_object_del(sys, routine[i]);
	if (text)
		*keyp = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (text && *keyp && asprintf(&frame, "event: status\ndata: %s\n\n", text) < 0)
		frame = NULL;
	free(text);
	if (!frame) {
		free(*keyp);
		*keyp = NULL;
	}
	return frame;
}

/* The newest events as a frame when the newest id is not *last_id (which
 * it then becomes); NULL when nothing is new or on failure.  The first
 * look only notes where the events stand. */
static char *events_frame(struct db **dbp, const char *path, long long *last_id, bool *primed)
{
	struct db_rec_query q = { .kind = DB_REC_EVENTS, .limit = 20 };
	char err[DB_ERR_LEN], *text, *frame = NULL;
	json_t *arr, *top, *doc;
	long long total = 0, id;

	if (!*dbp && db_open(dbp, path, 0, err, sizeof(err)))
		return NULL;
	arr = json_array();
	if (!arr || db_records(*dbp, &q, web_record_json, arr, &total)) {
		json_decref(arr);
		return NULL;
	}
	top = json_object_get(json_array_get(arr, 0), "id");
	id = top ? json_integer_value(top) : 0;
	if (id == *last_id || !*primed) {
		*last_id = id;
		*primed = true;
		json_decref(arr);
		return NULL;
	}
	*last_id = id;
	doc = json_pack("{s:o}", "events", arr);       /* steals arr */
	text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	if (text && asprintf(&frame, "event: events\ndata: %s\n\n", text) < 0)
		frame = NULL;
	free(text);
	return frame;
}

static void *notifier(void *arg)
{
	struct web_events *hub = arg;
	struct status *st = malloc(sizeof(*st));        /* large: spans, groups, trunks */
	unsigned long long last_push = 0, last_news = 0, last_ping = tg_now_ms();
	char *last_key = NULL;          /* the last news pushed, routine figures left out */
	long long last_event = 0;
	struct db *db = NULL;
	bool primed = false;

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
		if (st && listening) {
			char *key = NULL, *frame = status_frame(hub, st, &key);
			bool news = frame && (!last_key || strcmp(key, last_key));

			/* news goes out at once (at most once a second), a
			 * routine change at most once a second on its own budget,
			 * so the seconds ticking never delay a cable pull */
			pthread_mutex_lock(&hub->lock);
			if (frame && ((news && now - last_news >= PUSH_MIN_MS) ||
				      (!news && now - last_push >= PUSH_MIN_MS &&
				       (!hub->frame || strcmp(frame, hub->frame))))) {
				free(hub->frame);
				hub->frame = frame;
				frame = NULL;
				hub->seq++;
				resume_all(hub);
				last_push = now;
				if (news) {
					last_news = now;
					free(last_key);
					last_key = key;
					key = NULL;
				}
			}
			pthread_mutex_unlock(&hub->lock);
			free(frame);
			free(key);
			frame = events_frame(&db, hub->db_path, &last_event, &primed);
			pthread_mutex_lock(&hub->lock);
			if (frame) {
				free(hub->ev_frame);
				hub->ev_frame = frame;
				hub->ev_seq++;
				resume_all(hub);
			}
			pthread_mutex_unlock(&hub->lock);
		}
		pthread_mutex_lock(&hub->lock);
		if (now - last_ping >= KEEPALIVE_MS) {
			hub->ping++;
			resume_all(hub);
			last_ping = now;
		}
	}
	pthread_mutex_unlock(&hub->lock);
	db_close(db);
	free(last_key);
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
	free(hub->ev_frame);
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
		if (s->ev_seq != hub->ev_seq && stream_add(s, hub->ev_frame))
			s->ev_seq = hub->ev_seq;
		if (!s->len && s->ping != hub->ping && stream_add(s, ": keep-alive\n\n"))
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
	s->ev_seq = hub->ev_seq;        /* events from before it came are not news */
	s->ping = hub->ping;
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
