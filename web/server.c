/*
 * server.c -- libmicrohttpd set-up, request life cycle, routing and replies.
 *
 * MHD calls on_request several times per request: first with headers only
 * (we allocate the per-request state and refuse an announced oversized body
 * at once with 413), then with pieces of the body (gathered up to the cap),
 * then once more with no data, when we dispatch.  on_completed frees the
 * state.  All of it runs on MHD's pool threads; each thread has its own
 * SQLite connection (web_db), so no lock is shared across requests but the
 * sessions' and the status snapshot's.
 */
#include "config.h"
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LOG_MODULE "web"
#include "log.h"
#include "conf.h"
#include "db.h"
#include "tg.h"
#include "secret.h"
#include "web_int.h"

static pthread_key_t db_key;
static unsigned busy;                   /* requests between first call and completion */

static bool web_busy_requests(void)
{
	return __atomic_load_n(&busy, __ATOMIC_RELAXED) > 0;
}
static pthread_once_t db_key_once = PTHREAD_ONCE_INIT;

static void db_key_free(void *p)
{
	db_close(p);
}

static void db_key_make(void)
{
	pthread_key_create(&db_key, db_key_free);
}

struct db *web_db(struct web_req *r)
{
	struct db *db;
	char err[DB_ERR_LEN];

	pthread_once(&db_key_once, db_key_make);
	db = pthread_getspecific(db_key);
	if (db)
		return db;
	if (db_open(&db, r->web->db_path, 0, err, sizeof(err))) {
		log_err("cannot open database for HTTP thread: %s", err);
		return NULL;
	}
	pthread_setspecific(db_key, db);
	return db;
}

void web_add_security_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Content-Security-Policy",
		"default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
}

enum MHD_Result web_queue(struct web_req *r, unsigned status, struct MHD_Response *resp)
{
	enum MHD_Result rc;

	if (!resp)
		return MHD_NO;
	web_add_security_headers(resp);
	rc = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	r->answered = true;
	log_debug("%s %s %s -> %u", r->remote, r->method, r->url, status);
	return rc;
}

/* A JSON response (body stolen), not yet queued; NULL on failure. */
static struct MHD_Response *json_response(json_t *body)
{
	struct MHD_Response *resp;
	char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	size_t len;

	json_decref(body);
	if (!text)
		return NULL;
	len = strlen(text);
	/* add a newline so curl output ends cleanly */
	text = realloc(text, len + 2);
	if (!text)
		return NULL;
	text[len++] = '\n';
	text[len] = '\0';
	resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return NULL;
	}
	MHD_add_response_header(resp, "Content-Type", "application/json");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	return resp;
}

enum MHD_Result web_reply_json(struct web_req *r, unsigned status, json_t *body)
{
	struct MHD_Response *resp = json_response(body);

	return resp ? web_queue(r, status, resp) : MHD_NO;
}

void web_etag(json_t *obj, char *out, size_t len)
{
	json_t *copy = json_copy(obj);
	char *text, hash[65] = "";

	json_object_del(copy, "generation");
	text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(copy);
	if (!text || secret_sha256_hex(text, hash))
		hash[0] = '\0';
	free(text);
	snprintf(out, len, "\"%.20s\"", hash);
}

enum MHD_Result web_reply_json_etag(struct web_req *r, unsigned status, json_t *body)
{
	char tag[32];
	struct MHD_Response *resp;

	web_etag(body, tag, sizeof(tag));
	resp = json_response(body);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "ETag", tag);
	return web_queue(r, status, resp);
}

bool web_if_match(struct web_req *r, json_t *current, enum MHD_Result *mrc)
{
	const char *want = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "If-Match");
	char tag[32];

	if (!want || !strcmp(want, "*"))
		return true;
	web_etag(current, tag, sizeof(tag));
	if (strstr(want, tag))          /* a list of tags, or W/"..." forms, still match */
		return true;
	*mrc = web_reply_error(r, 412, "precondition_failed", NULL, "the object changed since it was "
			       "read: its ETag is now %s (If-Match was %s); read it again", tag, want);
	return false;
}

enum MHD_Result web_reply_empty(struct web_req *r, unsigned status)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);

	if (resp)
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	return web_queue(r, status, resp);
}

enum MHD_Result web_reply_error(struct web_req *r, unsigned status, const char *code,
				const char *field, const char *fmt, ...)
{
	char msg[512];
	json_t *err;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err = json_pack("{s:s, s:s}", "code", code, "message", msg);
	if (field)
		json_object_set_new(err, "field", json_string(field));
	return web_reply_json(r, status, json_pack("{s:o}", "error", err));
}

enum MHD_Result web_reply_too_many(struct web_req *r, unsigned seconds, const char *fmt, ...)
{
	struct MHD_Response *resp;
	char msg[512], after[16];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	resp = json_response(json_pack("{s:{s:s, s:s}}", "error", "code", "too_many_attempts",
				       "message", msg));
	if (!resp)
		return MHD_NO;
	snprintf(after, sizeof(after), "%u", seconds ? seconds : 1);
	MHD_add_response_header(resp, "Retry-After", after);
	return web_queue(r, 429, resp);
}

json_t *web_body_object(struct web_req *r, enum MHD_Result *rcp)
{
	json_error_t jerr;
	json_t *j;

	if (!r->body_len) {
		*rcp = web_reply_error(r, 400, "bad_request", NULL, "a JSON object body is required");
		return NULL;
	}
	j = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j) {
		*rcp = web_reply_error(r, 400, "bad_json", NULL, "invalid JSON at line %d column %d: %s",
				       jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		*rcp = web_reply_error(r, 400, "bad_request", NULL, "the body must be a JSON object");
		return NULL;
	}
	return j;
}

/* Match "/api/v1/x/{id}" against a path, capturing the {name} segments. */
static bool route_match(const char *pattern, const char *path, struct web_req *r)
{
	unsigned np = 0;

	while (*pattern && *path) {
		if (*pattern == '{') {
			const char *pe = strchr(pattern, '}');
			size_t len = strcspn(path, "/");

			if (!pe || len == 0 || len >= sizeof(r->param[0]) || np >= WEB_MAX_PARAMS)
				return false;
			memcpy(r->param[np], path, len);
			r->param[np][len] = '\0';
			r->param_name[np++] = pattern;
			pattern = pe + 1;
			path += len;
			continue;
		}
		if (*pattern++ != *path++)
			return false;
	}
	if (*pattern || *path)
		return false;
	r->nparams = np;
	return true;
}

static enum MHD_Result dispatch_api(struct web_req *r)
{
	char allow[128] = "";
	enum MHD_Result rc;

	for (size_t i = 0; i < api_route_count; i++) {
		const struct api_route *rt = &api_routes[i];

		if (!route_match(rt->path, r->url, r))
			continue;
		if (strcmp(rt->method, r->method) != 0) {
			if (!strstr(allow, rt->method)) {
				size_t n = strlen(allow);

				snprintf(allow + n, sizeof(allow) - n, "%s%s", n ? ", " : "", rt->method);
			}
			continue;
		}
		if (!web_authenticate(r, rt->role, &rc))
			return rc;
		return rt->handler(r);
	}
	if (allow[0]) {
		json_t *j = json_pack("{s:{s:s,s:s}}", "error", "code", "method_not_allowed",
				      "message", "method not allowed here");
		struct MHD_Response *resp;
		char *text;

		text = j ? json_dumps(j, JSON_COMPACT) : NULL;
		json_decref(j);
		/* built by hand to add the Allow header */
		resp = text ? MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE) : NULL;
		if (!resp) {
			free(text);
			return MHD_NO;
		}
		MHD_add_response_header(resp, "Content-Type", "application/json");
		MHD_add_response_header(resp, "Allow", allow);
		return web_queue(r, 405, resp);
	}
	return web_reply_error(r, 404, "not_found", NULL, "no such API resource: %s", r->url);
}

static void remote_address(struct MHD_Connection *conn, char *out, size_t len)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	out[0] = '\0';
	if (!sa || getnameinfo(sa, sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
			       sizeof(struct sockaddr_in), out, (socklen_t)len, NULL, 0, NI_NUMERICHOST))
		snprintf(out, len, "?");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct web *w = cls;
	struct web_req *r = *con_cls;

	if (!r) {
		const char *cl;

		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		r->web = w;
		r->conn = conn;
		__atomic_add_fetch(&busy, 1, __ATOMIC_RELAXED);
		r->method = method;
		r->url = url;
		remote_address(conn, r->remote, sizeof(r->remote));
		*con_cls = r;
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > w->max_body)
			return web_reply_error(r, 413, "payload_too_large", NULL,
					       "request body over %zu bytes", w->max_body);
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (r->answered || r->too_large)
			return MHD_YES;
		if (r->body_len + n > w->max_body) {
			r->too_large = true;        /* keep reading, answer at the end */
			free(r->body);
			r->body = NULL;
			r->body_len = r->body_cap = 0;
			return MHD_YES;
		}
		if (r->body_len + n + 1 > r->body_cap) {
			size_t cap = (r->body_len + n + 1) * 2;
			char *b = realloc(r->body, cap < w->max_body + 1 ? cap : w->max_body + 1);

			if (!b)
				return MHD_NO;
			r->body = b;
			r->body_cap = cap < w->max_body + 1 ? cap : w->max_body + 1;
		}
		memcpy(r->body + r->body_len, upload_data, n);
		r->body_len += n;
		r->body[r->body_len] = '\0';
		return MHD_YES;
	}
	if (r->answered)
		return MHD_YES;
	if (r->too_large)
		return web_reply_error(r, 413, "payload_too_large", NULL,
				       "request body over %zu bytes", w->max_body);
	if (strncmp(url, "/api/", 5) == 0 || strcmp(url, "/api") == 0)
		return dispatch_api(r);
	if (strcmp(url, "/metrics") == 0)
		return web_metrics(r);
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		return web_static(r);
	return web_reply_error(r, 405, "method_not_allowed", NULL, "%s is not allowed on %s",
			       method, url);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct web_req *r = *con_cls;

	if (!r)
		return;
	free(r->body);
	free(r);
	*con_cls = NULL;
	__atomic_sub_fetch(&busy, 1, __ATOMIC_RELAXED);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_warn("libmicrohttpd: %s", msg);
}

int web_start(struct web **wp, const struct web_cfg *cfg, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *ai = NULL;
	char host[300], portstr[8];
	unsigned port;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
			 MHD_ALLOW_SUSPEND_RESUME;      /* status streams (events.c) */
	const union MHD_DaemonInfo *di;
	struct web *w;
	int rc;

	if (conf_split_hostport(cfg->listen, host, sizeof(host), &port)) {
		snprintf(err, errlen, "bad HTTP listen address \"%s\"", cfg->listen);
		return EINVAL;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return ENOMEM;
	tg_strlcpy(w->listen, cfg->listen, sizeof(w->listen));
	tg_strlcpy(w->db_path, cfg->db_path, sizeof(w->db_path));
	tg_strlcpy(w->state_dir, cfg->state_dir, sizeof(w->state_dir));
	w->max_body = cfg->max_body ? cfg->max_body : WEB_MAX_BODY_DEFAULT;
	if (netacl_parse(&w->metrics_acl, cfg->metrics_allow ? cfg->metrics_allow : "", host,
			 sizeof(host))) {
		snprintf(err, errlen, "metrics_allow: %s", host);
		free(w);
		return EINVAL;
	}
	if (!realpath(cfg->web_root, w->web_root)) {
		/* The API works without the UI files; say so once. */
		log_warn("web root %s: %s; the admin UI will not be served", cfg->web_root,
			 strerror(errno));
		w->web_root[0] = '\0';
	}
	snprintf(portstr, sizeof(portstr), "%u", port);
	rc = getaddrinfo(host[0] ? host : NULL, portstr, &hints, &ai);
	if (rc) {
		snprintf(err, errlen, "HTTP listen address %s: %s", cfg->listen, gai_strerror(rc));
		free(w);
		return EINVAL;
	}
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	w->tls = cfg->tls_cert && cfg->tls_key;
	if (w->tls)
		flags |= MHD_USE_TLS;
	rc = web_events_start(&w->events, w->db_path);
	if (rc) {
		snprintf(err, errlen, "cannot start the status stream thread: %s", strerror(rc));
		freeaddrinfo(ai);
		free(w);
		return rc;
	}
	w->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, w,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, w,         /* first, to catch everything */
		MHD_OPTION_SOCK_ADDR, ai->ai_addr,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(cfg->threads ? cfg->threads : 4),
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)512,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)128,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, w,
		/* last: MHD stops reading options at the first MHD_OPTION_END */
		w->tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, cfg->tls_key,
		MHD_OPTION_HTTPS_MEM_CERT, cfg->tls_cert,
		MHD_OPTION_HTTPS_PRIORITIES, "NORMAL:-VERS-TLS1.0:-VERS-TLS1.1",
		MHD_OPTION_END);
	freeaddrinfo(ai);
	if (!w->mhd) {
		rc = errno ? errno : EADDRINUSE;
		snprintf(err, errlen, "cannot listen for %s on %s: %s", w->tls ? "HTTPS" : "HTTP",
			 cfg->listen, strerror(rc));
		web_events_free(w->events);
		free(w);
		return rc;
	}
	di = MHD_get_daemon_info(w->mhd, MHD_DAEMON_INFO_BIND_PORT);
	w->port = di ? di->port : port;
	if (strchr(host, ':'))
		snprintf(w->url, sizeof(w->url), "%s://[%s]:%u/", w->tls ? "https" : "http", host, w->port);
	else
		snprintf(w->url, sizeof(w->url), "%s://%s:%u/", w->tls ? "https" : "http",
			 host[0] ? host : "0.0.0.0", w->port);
	*wp = w;
	return 0;
}

unsigned web_port(const struct web *w)
{
	return w->port;
}

const char *web_url(const struct web *w)
{
	return w->url;
}

void web_quiesce(struct web *w)
{
	if (w && w->mhd) {
		MHD_socket s = MHD_quiesce_daemon(w->mhd);

		if (s != MHD_INVALID_SOCKET)
			close(s);
	}
}

void web_stop(struct web *w)
{
	if (!w)
		return;
	web_events_close(w->events);    /* streams end: none may stay suspended */
	if (w->mhd) {
		/* Give requests in flight a moment to finish; idle keep-alive
		 * connections are closed by MHD_stop_daemon. */
		for (int i = 0; i < 30; i++) {
			const union MHD_DaemonInfo *di =
				MHD_get_daemon_info(w->mhd, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

			if (!di || di->num_connections == 0 || !web_busy_requests())
				break;
			usleep(100 * 1000);
		}
		MHD_stop_daemon(w->mhd);        /* joins the pool threads */
	}
	web_events_free(w->events);
	web_sessions_clear();
	free(w);
}
