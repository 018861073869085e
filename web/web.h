/*
 * web.h -- the embedded HTTP server: REST API under /api/v1, the admin UI's
 * static files, on libmicrohttpd's thread pool.  Its threads never touch the
 * main thread's objects: they read the status snapshot, use their own SQLite
 * connection, and post config generations to the main thread (mainq).
 */
#ifndef TG_WEB_H
#define TG_WEB_H

#include <stddef.h>

struct web;

struct web_cfg {
	const char *listen;             /* host:port; port 0 = any free port */
	const char *web_root;           /* admin UI files */
	const char *db_path;            /* each HTTP thread opens its own connection */
	const char *state_dir;          /* initial-admin-password lives here */
	unsigned threads;
	size_t max_body;                /* request bodies above this get 413 */
	const char *metrics_allow;      /* addresses that may scrape /metrics unauthenticated; NULL none */
	const char *tls_cert, *tls_key; /* PEM texts: HTTPS on this listener; NULL: HTTP */
};

#define WEB_MAX_BODY_DEFAULT (256 * 1024)

/* The HTTPS certificate and key at these paths, as PEM texts (malloc'd).
 * When neither file exists, a self-signed pair is made there first.  EINVAL
 * with err naming the file when one is missing, unreadable, or the two do
 * not match. */
int web_tls_load(const char *cert_path, const char *key_path, char **certp, char **keyp,
		 char *err, size_t errlen);

int web_start(struct web **wp, const struct web_cfg *cfg, char *err, size_t errlen);
/* The bound port (useful with port 0) and a printable base URL. */
unsigned web_port(const struct web *w);
const char *web_url(const struct web *w);
/* Stop accepting new connections; requests in flight go on. */
void web_quiesce(struct web *w);
/* Finish requests in flight, join the threads, free everything. */
void web_stop(struct web *w);

#endif
