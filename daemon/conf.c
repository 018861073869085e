/*
 * conf.c -- bootstrap configuration: defaults, the key = value file and the
 * command line (see conf.h).  Runs on the main thread at start and on SIGHUP.
 *
 * The file format is deliberately tiny: one "key = value" a line, '#' starts
 * a comment line, blank lines are ignored, values are not quoted.  An unknown
 * key is an error naming file and line, so a typo never goes unnoticed.
 */
#include "config.h"
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "netacl.h"
#include "rt.h"
#include "tg.h"

void conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	tg_strlcpy(c->state_dir, CONF_DEFAULT_STATE, sizeof(c->state_dir));
	tg_strlcpy(c->web_root, PKGDATADIR "/web", sizeof(c->web_root));
	tg_strlcpy(c->http, CONF_DEFAULT_HTTP, sizeof(c->http));
	tg_strlcpy(c->sip, CONF_DEFAULT_SIP, sizeof(c->sip));
	c->log_level = LOG_LEVEL_INFO;
	c->http_threads = 4;
	c->rt_priority = RT_PRIORITY_DEFAULT;
	c->rtp_min = CONF_DEFAULT_RTP_MIN;
	c->rtp_max = CONF_DEFAULT_RTP_MAX;
}

int conf_split_hostport(const char *s, char *host, size_t hostlen, unsigned *portp)
{
	const char *colon, *hs, *he;
	char *end;
	unsigned long port;

	if (s[0] == '[') {
		he = strchr(s, ']');
		if (!he || he[1] != ':')
			return EINVAL;
		hs = s + 1;
		colon = he + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return EINVAL;
		if (memchr(s, ':', (size_t)(colon - s)))
			return EINVAL;          /* a bare IPv6 address needs brackets */
		hs = s;
		he = colon;
	}
	if (colon[1] == '\0')
		return EINVAL;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || port > 65535 || colon[1] == '-' || colon[1] == '+')
		return EINVAL;
	if ((size_t)(he - hs) >= hostlen)
		return EINVAL;
	memcpy(host, hs, (size_t)(he - hs));
	host[he - hs] = '\0';
	if (strcmp(host, "*") == 0)
		host[0] = '\0';
	*portp = (unsigned)port;
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

static int set_path(char *dst, size_t n, const char *v)
{
	if (!*v || !tg_strlcpy(dst, v, n))
		return EINVAL;
	return 0;
}

static int set_addr(char *dst, size_t n, const char *v)
{
	char host[CONF_ADDR_LEN];
	unsigned port;

	if (conf_split_hostport(v, host, sizeof(host), &port) || !tg_strlcpy(dst, v, n))
		return EINVAL;
	return 0;
}

/* One table drives both the file keys and their validation. */
enum conf_key { K_STATE, K_DB, K_WEB, K_HTTP, K_SIP, K_LOG, K_THREADS, K_HTTPS, K_TLS_CERT, K_TLS_KEY,
		K_RTP, K_MEDIA, K_METRICS_ALLOW, K_CDR_JSONL, K_RT_PRIORITY };
static const struct {
	const char *key;
	enum conf_key id;
	const char *expect;             /* for the error message */
} keys[] = {
	{ "state_dir", K_STATE, "a folder path" },
	{ "db", K_DB, "a file path" },
	{ "web_root", K_WEB, "a folder path" },
	{ "http", K_HTTP, "ADDRESS:PORT, e.g. 127.0.0.1:8080 or [::1]:8080" },
	{ "sip", K_SIP, "ADDRESS:PORT, e.g. 0.0.0.0:5060" },
	{ "sip_listen", K_SIP, "ADDRESS:PORT, e.g. 0.0.0.0:5060" },
	{ "rtp_ports", K_RTP, "LOW-HIGH, even ports 1024..65534, e.g. 16384-32766" },
	{ "media_address", K_MEDIA, "an IP address" },
	{ "log_level", K_LOG, "err, warn, info or debug" },
	{ "http_threads", K_THREADS, "a number from 1 to 64" },
	{ "rt_priority", K_RT_PRIORITY, "0 (off) or a SCHED_FIFO priority from 1 to 99" },
	{ "metrics_allow", K_METRICS_ALLOW,
	  "addresses or networks separated by commas, e.g. 127.0.0.1,10.0.0.0/8" },
	{ "https", K_HTTPS, "ADDRESS:PORT, e.g. 192.0.2.10:8443" },
	{ "cdr_jsonl", K_CDR_JSONL, "a file path" },
	{ "tls_cert", K_TLS_CERT, "a file path (PEM)" },
	{ "tls_key", K_TLS_KEY, "a file path (PEM)" },
};

static int conf_set(struct conf *c, enum conf_key id, const char *v)
{
	enum log_level lvl;
	unsigned long n;
	char *end;

	switch (id) {
	case K_STATE: return set_path(c->state_dir, sizeof(c->state_dir), v);
	case K_DB: return set_path(c->db_path, sizeof(c->db_path), v);
	case K_WEB: return set_path(c->web_root, sizeof(c->web_root), v);
	case K_HTTP: return set_addr(c->http, sizeof(c->http), v);
	case K_SIP: return set_addr(c->sip, sizeof(c->sip), v);
	case K_HTTPS: return set_addr(c->https, sizeof(c->https), v);
	case K_CDR_JSONL: return set_path(c->cdr_jsonl, sizeof(c->cdr_jsonl), v);
	case K_TLS_CERT: return set_path(c->tls_cert, sizeof(c->tls_cert), v);
	case K_TLS_KEY: return set_path(c->tls_key, sizeof(c->tls_key), v);
	case K_RTP: {
		unsigned long lo, hi;

		errno = 0;
		lo = strtoul(v, &end, 10);
		if (errno || end == v || *end != '-')
			return EINVAL;
		hi = strtoul(end + 1, &end, 10);
		if (errno || *end || lo < 1024 || hi > 65534 || lo > hi || lo % 2 || hi % 2)
			return EINVAL;
		c->rtp_min = (unsigned)lo;
		c->rtp_max = (unsigned)hi;
		return 0;
	}
	case K_MEDIA:
		if (!*v || strspn(v, "0123456789abcdefABCDEF.:") != strlen(v))
			return EINVAL;
		return tg_strlcpy(c->media_address, v, sizeof(c->media_address)) ? 0 : EINVAL;
	case K_LOG:
		if (!log_level_parse(v, &lvl))
			return EINVAL;
		c->log_level = lvl;
		return 0;
	case K_THREADS:
		errno = 0;
		n = strtoul(v, &end, 10);
		if (errno || *end || !*v || n < 1 || n > 64)
			return EINVAL;
		c->http_threads = (unsigned)n;
		return 0;
	case K_RT_PRIORITY:
		errno = 0;
		n = strtoul(v, &end, 10);
		if (errno || *end || !*v || *v == '-' || *v == '+' || n > RT_PRIORITY_MAX)
			return EINVAL;
		c->rt_priority = (unsigned)n;
		return 0;
	case K_METRICS_ALLOW: {
		struct netacl acl;
		char why[128];

		if (netacl_parse(&acl, v, why, sizeof(why)) || !tg_strlcpy(c->metrics_allow, v,
									  sizeof(c->metrics_allow)))
			return EINVAL;
		return 0;
	}
	}
	return EINVAL;
}

int conf_load_text(struct conf *c, const char *text, const char *name, char *err, size_t errlen)
{
	const char *p = text;
	unsigned lineno = 0;

	while (*p) {
		char line[1024];
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *k, *v, *eq;
		size_t i;

		lineno++;
		if (len >= sizeof(line)) {
			snprintf(err, errlen, "%s:%u: line too long", name, lineno);
			return EINVAL;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (nl ? 1 : 0);

		k = trim(line);
		if (*k == '\0' || *k == '#')
			continue;
		eq = strchr(k, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%u: expected \"key = value\", got \"%s\"", name, lineno, k);
			return EINVAL;
		}
		*eq = '\0';
		v = trim(eq + 1);
		k = trim(k);
		for (i = 0; i < TG_ARRAY_SIZE(keys); i++)
			if (strcmp(k, keys[i].key) == 0)
				break;
		if (i == TG_ARRAY_SIZE(keys)) {
			snprintf(err, errlen, "%s:%u: unknown key \"%s\"", name, lineno, k);
			return EINVAL;
		}
		if (conf_set(c, keys[i].id, v)) {
			snprintf(err, errlen, "%s:%u: %s = \"%s\": expected %s", name, lineno, k, v,
				 keys[i].expect);
			return EINVAL;
		}
	}
	return 0;
}

int conf_load_file(struct conf *c, const char *path, char *err, size_t errlen)
{
	FILE *f;
	char *buf = NULL;
	long len;
	int rc;

	f = fopen(path, "r");
	if (!f) {
		rc = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(rc));
		return rc;
	}
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || len > 65536 || fseek(f, 0, SEEK_SET)) {
		snprintf(err, errlen, "%s: unreadable or larger than 64 KiB", path);
		fclose(f);
		return EINVAL;
	}
	buf = malloc((size_t)len + 1);
	if (!buf) {
		fclose(f);
		return ENOMEM;
	}
	if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
		snprintf(err, errlen, "%s: read error", path);
		rc = EIO;
		goto out;
	}
	buf[len] = '\0';
	rc = conf_load_text(c, buf, path, err, errlen);
	if (!rc)
		tg_strlcpy(c->config_file, path, sizeof(c->config_file));
 out:
	free(buf);
	fclose(f);
	return rc;
}

void conf_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"Usage: %s [OPTION]...\n"
		"trunkgated -- the trunkgate PSTN/PBX/SIP gateway daemon.\n"
		"\n"
		"  -c, --config FILE     bootstrap file (default " CONF_DEFAULT_FILE " if present)\n"
		"  -s, --state-dir DIR   state folder: database, lock, initial password\n"
		"                        (default " CONF_DEFAULT_STATE ", or " CONF_DEMO_STATE " with --demo)\n"
		"      --db FILE         SQLite database (default STATE_DIR/trunkgate.db)\n"
		"      --http ADDR:PORT  web admin and REST API listen address (default " CONF_DEFAULT_HTTP ";\n"
		"                        port 0 picks a free port, written to STATE_DIR/http.url)\n"
		"      --https ADDR:PORT also serve HTTPS there (default: none; the certificate is\n"
		"                        tls_cert/tls_key, or a self-signed one made in STATE_DIR/tls/;\n"
		"                        port 0 picks a free port, written to STATE_DIR/https.url)\n"
		"      --sip ADDR:PORT   SIP listen address (default " CONF_DEFAULT_SIP ")\n"
		"      --web-root DIR    admin UI files (default " PKGDATADIR "/web)\n"
		"      --demo            demo mode: fresh state in " CONF_DEMO_STATE ", simulated hardware,\n"
		"                        prints the URL and the admin credentials\n"
		"  -l, --log-level LVL   err, warn, info (default) or debug\n"
		"      --rt-priority N   SCHED_FIFO priority of the media and span I/O threads,\n"
		"                        1-99, 0 = normal scheduling (default %d)\n"
		"  -V, --version         print the version and exit\n"
		"  -h, --help            print this help and exit\n"
		"\n"
		"Signals: SIGTERM/SIGINT stop gracefully, SIGHUP re-reads the log level.\n",
		prog, RT_PRIORITY_DEFAULT);
}

int conf_parse_args(struct conf_args *a, int argc, char **argv, char *err, size_t errlen)
{
	enum { O_DB = 256, O_HTTP, O_SIP, O_WEB, O_DEMO, O_HTTPS, O_RT };
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "db", required_argument, NULL, O_DB },
		{ "http", required_argument, NULL, O_HTTP },
		{ "https", required_argument, NULL, O_HTTPS },
		{ "sip", required_argument, NULL, O_SIP },
		{ "web-root", required_argument, NULL, O_WEB },
		{ "demo", no_argument, NULL, O_DEMO },
		{ "log-level", required_argument, NULL, 'l' },
		{ "rt-priority", required_argument, NULL, O_RT },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(a, 0, sizeof(*a));
	optind = 0;             /* full reset: the tests parse several argvs */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:s:l:Vh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': a->config_file = optarg; break;
		case 's': a->state_dir = optarg; break;
		case O_DB: a->db_path = optarg; break;
		case O_HTTP: a->http = optarg; break;
		case O_HTTPS: a->https = optarg; break;
		case O_SIP: a->sip = optarg; break;
		case O_WEB: a->web_root = optarg; break;
		case O_DEMO: a->demo = true; break;
		case 'l': a->log_level = optarg; break;
		case O_RT: a->rt_priority = optarg; break;
		case 'V': a->version = true; break;
		case 'h': a->help = true; break;
		case ':':
			snprintf(err, errlen, "option %s needs a value", argv[optind - 1]);
			return EINVAL;
		default:
			snprintf(err, errlen, "unknown option %s (try --help)", argv[optind - 1]);
			return EINVAL;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument \"%s\" (try --help)", argv[optind]);
		return EINVAL;
	}
	return 0;
}

static int apply_args(struct conf *c, const struct conf_args *a, char *err, size_t errlen)
{
	static const struct {
		size_t arg_off;
		enum conf_key id;
		const char *opt;
	} map[] = {
		{ offsetof(struct conf_args, state_dir), K_STATE, "--state-dir" },
		{ offsetof(struct conf_args, db_path), K_DB, "--db" },
		{ offsetof(struct conf_args, web_root), K_WEB, "--web-root" },
		{ offsetof(struct conf_args, http), K_HTTP, "--http" },
		{ offsetof(struct conf_args, https), K_HTTPS, "--https" },
		{ offsetof(struct conf_args, sip), K_SIP, "--sip" },
		{ offsetof(struct conf_args, log_level), K_LOG, "--log-level" },
		{ offsetof(struct conf_args, rt_priority), K_RT_PRIORITY, "--rt-priority" },
	};

	for (size_t i = 0; i < TG_ARRAY_SIZE(map); i++) {
		const char *v = *(const char *const *)((const char *)a + map[i].arg_off);
		size_t k;

		if (!v)
			continue;
		for (k = 0; keys[k].id != map[i].id; k++)
			;
		if (conf_set(c, map[i].id, v)) {
			snprintf(err, errlen, "%s \"%s\": expected %s", map[i].opt, v, keys[k].expect);
			return EINVAL;
		}
	}
	return 0;
}

int conf_resolve(struct conf *c, const struct conf_args *a, char *err, size_t errlen)
{
	int rc;

	conf_defaults(c);
	c->demo = a->demo;
	if (a->demo)
		tg_strlcpy(c->state_dir, CONF_DEMO_STATE, sizeof(c->state_dir));
	if (a->config_file) {
		rc = conf_load_file(c, a->config_file, err, errlen);
		if (rc)
			return rc;
	} else if (!a->demo) {
		/* The default file is optional: a plain start with options only is fine. */
		rc = conf_load_file(c, CONF_DEFAULT_FILE, err, errlen);
		if (rc && rc != ENOENT)
			return rc;
	}
	rc = apply_args(c, a, err, errlen);
	if (rc)
		return rc;
	if (!c->db_path[0]) {
		if ((size_t)snprintf(c->db_path, sizeof(c->db_path), "%s/trunkgate.db", c->state_dir)
		    >= sizeof(c->db_path)) {
			snprintf(err, errlen, "state folder path too long");
			return EINVAL;
		}
	}
	return 0;
}

int conf_reload_log_level(const struct conf *c, const struct conf_args *a,
			  enum log_level *levelp, char *err, size_t errlen)
{
	struct conf tmp;
	int rc;

	if (a->log_level)
		return log_level_parse(a->log_level, levelp) ? 0 : EINVAL;
	if (!c->config_file[0]) {
		*levelp = c->log_level;
		return 0;
	}
	conf_defaults(&tmp);
	rc = conf_load_file(&tmp, c->config_file, err, errlen);
	if (rc)
		return rc;
	*levelp = tmp.log_level;
	return 0;
}
