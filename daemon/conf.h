/*
 * conf.h -- the bootstrap configuration: what trunkgated needs before it can
 * open its database (state folder, database path, HTTP and SIP listen
 * addresses, log level, web root).  Everything else lives in SQLite.
 *
 * Sources, later overriding earlier: built-in defaults, the bootstrap file
 * (/etc/trunkgate/trunkgate.conf, simple "key = value"), command-line options.
 */
#ifndef TG_CONF_H
#define TG_CONF_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "log.h"

#define CONF_DEFAULT_FILE    SYSCONFDIR "/trunkgate/trunkgate.conf"
#define CONF_DEFAULT_STATE   LOCALSTATEDIR "/lib/trunkgate"
#define CONF_DEMO_STATE      "./demo-state"
#define CONF_DEFAULT_HTTP    "127.0.0.1:8080"
#define CONF_DEFAULT_SIP     "0.0.0.0:5060"
#define CONF_DEFAULT_RTP_MIN 16384
#define CONF_DEFAULT_RTP_MAX 32766
#define CONF_ERR_LEN         512
#define CONF_ADDR_LEN        300

struct conf {
	char config_file[PATH_MAX];     /* "" when none was read */
	char state_dir[PATH_MAX];
	char db_path[PATH_MAX];         /* "" = <state_dir>/trunkgate.db */
	char web_root[PATH_MAX];
	char http[CONF_ADDR_LEN];       /* host:port, [v6]:port; port 0 = any free port */
	char sip[CONF_ADDR_LEN];        /* SIP listen address (key sip or sip_listen); port 0: any */
	unsigned rtp_min, rtp_max;      /* RTP port range (even ports) for our SDP */
	char media_address[64];         /* c= of our SDP; "" = the SIP address or a local one */
	char https[CONF_ADDR_LEN];      /* "" = no HTTPS listener */
	char cdr_jsonl[PATH_MAX];       /* "" = no JSON-lines CDR stream */
	char tls_cert[PATH_MAX];        /* "" = <state_dir>/tls/cert.pem (self-signed if missing) */
	char tls_key[PATH_MAX];         /* "" = <state_dir>/tls/key.pem */
	enum log_level log_level;
	unsigned http_threads;          /* libmicrohttpd thread pool size */
	unsigned rt_priority;           /* SCHED_FIFO of media/span threads; 0 = off (rt.h) */
	char metrics_allow[1024];       /* GET /metrics without login from these (netacl.h) */
	bool demo;
};

/* What the command line asked for; only the set fields override. */
struct conf_args {
	const char *config_file;
	const char *state_dir;
	const char *db_path;
	const char *web_root;
	const char *http;
	const char *https;
	const char *sip;
	const char *log_level;
	const char *rt_priority;
	bool demo;
	bool version;
	bool help;
};

void conf_defaults(struct conf *c);

/* Parse argv into *a.  EINVAL with a message in err on a bad option. */
int conf_parse_args(struct conf_args *a, int argc, char **argv, char *err, size_t errlen);

/* Read "key = value" lines from path into c.  ENOENT if missing, EINVAL with
 * "file:line: ..." in err on a bad line or value. */
int conf_load_file(struct conf *c, const char *path, char *err, size_t errlen);

/* Parse a text buffer (used by conf_load_file and the tests); name for errors. */
int conf_load_text(struct conf *c, const char *text, const char *name, char *err, size_t errlen);

/* The whole bootstrap: defaults, then the file (--config, or the default
 * file if present and not --demo), then the options.  Validates the result. */
int conf_resolve(struct conf *c, const struct conf_args *a, char *err, size_t errlen);

/* Split "host:port" / "[v6]:port" / ":port" / "*:port".  host gets "" for any. */
int conf_split_hostport(const char *s, char *host, size_t hostlen, unsigned *portp);

/* Only the log level, re-read from the file on SIGHUP (options still win). */
int conf_reload_log_level(const struct conf *c, const struct conf_args *a,
			  enum log_level *levelp, char *err, size_t errlen);

void conf_usage(FILE *f, const char *prog);

#endif
