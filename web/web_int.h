/*
 * web_int.h -- what the web/ files share: the per-request state, the route
 * table's shape, replies and errors, sessions.  HTTP threads only.
 */
#ifndef TG_WEB_INT_H
#define TG_WEB_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <microhttpd.h>
#include <jansson.h>

#include "netacl.h"
#include "web.h"

struct db;

enum web_role {                 /* ordered: each includes the ones below */
	WEB_ROLE_NONE = 0,      /* no authentication needed */
	WEB_ROLE_VIEWER,
	WEB_ROLE_OPERATOR,
	WEB_ROLE_ADMIN,
};

#define WEB_MAX_PARAMS 4

struct web_req {
	struct web *web;
	struct MHD_Connection *conn;
	const char *method;
	const char *url;
	char remote[64];
	char *body;
	size_t body_len, body_cap;
	bool too_large;
	bool answered;
	/* who is asking (after authentication) */
	char user[64];
	enum web_role role;
	bool via_cookie;                /* cookie sessions need the CSRF header for writes */
	char session[72];
	/* {name} captures of the matched route */
	const char *param_name[WEB_MAX_PARAMS];
	char param[WEB_MAX_PARAMS][128];
	unsigned nparams;
};

typedef enum MHD_Result (api_handler_h)(struct web_req *r);

struct api_route {
	const char *method;
	const char *path;               /* "/api/v1/trunks/{id}" */
	api_handler_h *handler;
	enum web_role role;             /* least role allowed */
};

extern const struct api_route api_routes[];
extern const size_t api_route_count;

struct web {
	struct MHD_Daemon *mhd;
	char listen[300];
	char web_root[4096];            /* realpath, no trailing slash */
	char db_path[4096];
	char state_dir[4096];
	char url[320];
	unsigned port;
	size_t max_body;
	struct netacl metrics_acl;      /* may GET /metrics without logging in */
	bool tls;                       /* HTTPS: cookies get Secure */
	struct web_events *events;      /* status streams (events.c) */
};

/* Status event streams (events.c): a hub per server with its notifier
 * thread.  close ends every stream and stops the thread (before MHD stops);
 * free after MHD has stopped. */
#define WEB_STREAMS_MAX 32
struct web_events;
int web_events_start(struct web_events **hubp, const char *db_path);
void web_events_close(struct web_events *hub);
void web_events_free(struct web_events *hub);
unsigned web_events_count(struct web_events *hub);
/* A record row (db_records) appended to the JSON array arr as an object,
 * integers as numbers, stored JSON as JSON (api/records.c). */
int web_record_json(void *arr, int n, const char *const *names, const char *const *values,
		    const int *types);
/* GET /api/v1/status/stream (in the route table, api/routes.c) */
api_handler_h api_status_stream;

/* Replies (each queues the response; the return value goes back to MHD). */
enum MHD_Result web_reply_json(struct web_req *r, unsigned status, json_t *body);   /* steals body */
enum MHD_Result web_reply_error(struct web_req *r, unsigned status, const char *code,
				const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
enum MHD_Result web_reply_empty(struct web_req *r, unsigned status);
enum MHD_Result web_queue(struct web_req *r, unsigned status, struct MHD_Response *resp);
void web_add_security_headers(struct MHD_Response *resp);

/* Parse the request body as a JSON object; on failure the 400 is already queued
 * and *rcp holds what to return to MHD. */
json_t *web_body_object(struct web_req *r, enum MHD_Result *rcp);

/* The calling thread's own database connection (opened on first use). */
struct db *web_db(struct web_req *r);

/* GET /metrics (metrics.c) */
enum MHD_Result web_metrics(struct web_req *r);

/* Static files */
enum MHD_Result web_static(struct web_req *r);
/* Resolve url under root into out; false if it would leave the root or is not a file. */
bool web_static_path(const char *root, const char *url, char *out, size_t outlen);
const char *web_mime_type(const char *path);

/* Authentication: sets r->user/r->role, or queues 401.  Returns true if the
 * request may go on. */
bool web_authenticate(struct web_req *r, enum web_role need, enum MHD_Result *rcp);
const char *web_role_name(enum web_role role);
bool web_role_parse(const char *s, enum web_role *rolep);

/* Sessions (in memory; a restart logs everyone out). */
#define WEB_SESSION_IDLE_MS     (30LL * 60 * 1000)
#define WEB_SESSION_ABSOLUTE_MS (12LL * 60 * 60 * 1000)
int web_session_create(const char *user, enum web_role role, char *token, char *csrf);
bool web_session_lookup(const char *token, char *user, size_t userlen, enum web_role *rolep,
			char *csrf, size_t csrflen);
void web_session_destroy(const char *token);
void web_sessions_clear(void);
/* End every session of a user (disabled, deleted, role or password changed). */
void web_sessions_drop_user(const char *user);
/* Failed-login throttle per client address: after WEB_THROTTLE_FAILS
 * failures within WEB_THROTTLE_WINDOW_MS an address is refused until the
 * window ends.  throttled: seconds to wait (0 = go ahead). */
#define WEB_THROTTLE_FAILS      10
#define WEB_THROTTLE_WINDOW_MS  (60LL * 1000)
unsigned web_throttled(const char *remote);
void web_throttle_note(const char *remote, bool ok);
/* API tokens: "tgt_" and 48 hex characters. */
#define WEB_TOKEN_PREFIX "tgt_"
/* Optimistic concurrency: an object's ETag is a hash of its JSON as GET
 * shows it (a "generation" member left out), so any change to it changes
 * the tag.  web_reply_json_etag adds the tag of body to the reply.
 * web_if_match: true when the request has no If-Match, "*", or the tag of
 * current (not stolen); otherwise false with 412 sent. */
void web_etag(json_t *obj, char *out, size_t len);
enum MHD_Result web_reply_json_etag(struct web_req *r, unsigned status, json_t *body);
bool web_if_match(struct web_req *r, json_t *current, enum MHD_Result *mrc);
/* 429 with Retry-After. */
enum MHD_Result web_reply_too_many(struct web_req *r, unsigned seconds, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
