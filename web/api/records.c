/*
 * records.c -- what the gateway recorded, for people and billing scripts:
 *
 *   GET /api/v1/cdrs     ?from&to&number&trunk&cause&order&limit&offset&format=csv
 *   GET /api/v1/audit    ?from&to&actor&object_type&order&limit&offset
 *   GET /api/v1/events   ?from&to&severity&kind&source&order&limit&offset
 *   GET /api/v1/backup   a consistent copy of the database (admin)
 *
 * Every parameter is checked and a bad one named (400); unknown parameters
 * are refused too, so a typo never silently widens a query.  Times are epoch
 * milliseconds or ISO 8601 UTC ("2026-11-24T09:30:00Z").  Pages: limit
 * 1..1000 (CSV: up to 100,000), offset from 0; the answer says how many rows
 * match in all.  HTTP threads.
 */
#define _GNU_SOURCE
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOG_MODULE "api"
#include "log.h"
#include "api.h"
#include "db.h"
#include "tg.h"

#define PAGE_MAX 1000
#define CSV_MAX  100000

struct params {
	const char *name[12];
	const char *value[12];
	unsigned n;
	bool bad;
	char field[32];
};

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct params *p = cls;

	if (p->n < TG_ARRAY_SIZE(p->name)) {
		p->name[p->n] = key;
		p->value[p->n++] = value ? value : "";
	} else {
		p->bad = true;
	}
	return MHD_YES;
}

static const char *param(const struct params *p, const char *name)
{
	for (unsigned i = 0; i < p->n; i++)
		if (!strcmp(p->name[i], name))
			return p->value[i];
	return NULL;
}

static bool parse_time(const char *s, long long *ms)
{
	struct tm tm = { 0 };
	char *end;

	if (!s[0])
		return false;
	if (strspn(s, "0123456789") == strlen(s)) {
		*ms = strtoll(s, &end, 10);
		return *end == '\0' && *ms >= 0;
	}
	end = strptime(s, "%Y-%m-%dT%H:%M", &tm);
	if (end && *end == ':')
		end = strptime(end, ":%S", &tm);
	if (!end || (*end && strcmp(end, "Z")))
		return false;
	*ms = (long long)timegm(&tm) * 1000;
	return true;
}

static bool parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!s[0] || strspn(s, "0123456789") != strlen(s))
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || v < lo || v > hi)
		return false;
	*out = (unsigned)v;
	return true;
}

/* Parse the query string for one kind; false with a 400 already sent. */
static bool parse(struct web_req *r, enum db_rec_kind kind, struct db_rec_query *q, bool *csv,
		  enum MHD_Result *mrc)
{
	static const char *const common[] = { "from", "to", "order", "limit", "offset", "format" };
	static const char *const filters[][3] = {
		[DB_REC_CDRS] = { "number", "trunk", "cause" },
		[DB_REC_AUDIT] = { "actor", "object_type", NULL },
		[DB_REC_EVENTS] = { "severity", "kind", "source" },
	};
	struct params p = { 0 };
	const char *v;
	unsigned u;

	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, collect, &p);
	if (p.bad) {
		*mrc = web_reply_error(r, 400, "bad_request", NULL, "too many query parameters");
		return false;
	}
	for (unsigned i = 0; i < p.n; i++) {
		bool known = false;

		for (size_t k = 0; k < TG_ARRAY_SIZE(common); k++)
			known |= !strcmp(p.name[i], common[k]);
		for (size_t k = 0; k < 3; k++)
			known |= filters[kind][k] && !strcmp(p.name[i], filters[kind][k]);
		if (!known) {
			*mrc = web_reply_error(r, 400, "invalid_field", p.name[i], "unknown query parameter %s",
					       p.name[i]);
			return false;
		}
	}
	memset(q, 0, sizeof(*q));
	q->kind = kind;
	q->limit = 100;
	*csv = false;
	if ((v = param(&p, "from")) && !parse_time(v, &q->from_ms))
		goto bad_time_from;
	if ((v = param(&p, "to")) && !parse_time(v, &q->to_ms))
		goto bad_time_to;
	if ((v = param(&p, "format"))) {
		if (kind != DB_REC_CDRS || (strcmp(v, "csv") && strcmp(v, "json"))) {
			*mrc = web_reply_error(r, 400, "invalid_field", "format", "format must be %s",
					       kind == DB_REC_CDRS ? "json or csv" : "json");
			return false;
		}
		*csv = !strcmp(v, "csv");
	}
	if (*csv)
		q->limit = CSV_MAX;
	if ((v = param(&p, "limit")) && !parse_uint(v, 1, *csv ? CSV_MAX : PAGE_MAX, &q->limit)) {
		*mrc = web_reply_error(r, 400, "invalid_field", "limit", "limit must be 1..%u",
				       *csv ? CSV_MAX : PAGE_MAX);
		return false;
	}
	if ((v = param(&p, "offset")) && !parse_uint(v, 0, 1000000000, &q->offset)) {
		*mrc = web_reply_error(r, 400, "invalid_field", "offset", "offset must be a whole number");
		return false;
	}
	if ((v = param(&p, "order"))) {
		if (strcmp(v, "asc") && strcmp(v, "desc")) {
			*mrc = web_reply_error(r, 400, "invalid_field", "order", "order must be asc or desc");
			return false;
		}
		q->ascending = !strcmp(v, "asc");
	}
	q->f1 = param(&p, filters[kind][0]);
	q->f2 = param(&p, filters[kind][1]);
	if (kind == DB_REC_CDRS && (v = param(&p, "cause"))) {
		if (!parse_uint(v, 1, 127, &u)) {
			*mrc = web_reply_error(r, 400, "invalid_field", "cause", "cause must be a Q.850 "
					       "cause, 1..127");
			return false;
		}
		q->cause = (int)u;
	} else if (filters[kind][2]) {
		q->f3 = param(&p, filters[kind][2]);
	}
	if (kind == DB_REC_EVENTS && q->f1 && !strstr(",critical,major,minor,warning,info,cleared,",
						     q->f1)) {
		*mrc = web_reply_error(r, 400, "invalid_field", "severity", "severity must be critical, "
				       "major, minor, warning, info or cleared");
		return false;
	}
	return true;
 bad_time_from:
	*mrc = web_reply_error(r, 400, "invalid_field", "from", "from must be epoch milliseconds or "
			       "an ISO 8601 UTC time like 2026-11-24T09:30:00Z");
	return false;
 bad_time_to:
	*mrc = web_reply_error(r, 400, "invalid_field", "to", "to must be epoch milliseconds or "
			       "an ISO 8601 UTC time like 2026-11-24T09:30:00Z");
	return false;
}

/* ---- JSON ---- */

int web_record_json(void *arg, int n, const char *const *names, const char *const *values,
		    const int *types)
{
	json_t *o = json_object();

	for (int i = 0; i < n; i++) {
		json_t *v;

		if (!values[i])
			v = json_null();
		else if (types[i] == DB_REC_INTEGER && !strcmp(names[i], "media_bypass"))
			v = json_boolean(strtoll(values[i], NULL, 10) != 0);
		else if (types[i] == DB_REC_INTEGER)
			v = json_integer(strtoll(values[i], NULL, 10));
		else if ((!strcmp(names[i], "before_json") || !strcmp(names[i], "after_json") ||
			  !strcmp(names[i], "quality_json")) &&
			 (v = json_loads(values[i], 0, NULL)))
			;       /* audit before/after: as JSON, not as a string of it */
		else
			v = json_string(values[i]);
		json_object_set_new(o, names[i], v ? v : json_null());
	}
	json_array_append_new(arg, o);
	return 0;
}

/* ---- CSV (RFC 4180) ---- */

struct csv {
	char *buf;
	size_t len, cap;
	bool header, oom;
};

static void put(struct csv *c, const char *s, size_t n)
{
	if (c->oom)
		return;
	if (c->len + n + 1 > c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 65536;
		char *nb;

		while (cap < c->len + n + 1)
			cap *= 2;
		nb = realloc(c->buf, cap);
		if (!nb) {
			c->oom = true;
			return;
		}
		c->buf = nb;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, s, n);
	c->len += n;
}

static void put_field(struct csv *c, const char *v, bool last)
{
	if (v && v[strcspn(v, ",\"\r\n")]) {
		put(c, "\"", 1);
		for (const char *q; (q = strchr(v, '"')); v = q + 1) {
			put(c, v, (size_t)(q - v) + 1);
			put(c, "\"", 1);        /* a quote doubled */
		}
		put(c, v, strlen(v));
		put(c, "\"", 1);
	} else if (v) {
		put(c, v, strlen(v));
	}
	put(c, last ? "\r\n" : ",", last ? 2 : 1);
}

static int row_csv(void *arg, int n, const char *const *names, const char *const *values,
		   const int *types)
{
	struct csv *c = arg;

	if (!c->header) {
		for (int i = 0; i < n; i++)
			put_field(c, names[i], i == n - 1);
		c->header = true;
	}
	for (int i = 0; i < n; i++)
		put_field(c, values[i], i == n - 1);
	return c->oom;
}

static enum MHD_Result list(struct web_req *r, enum db_rec_kind kind, const char *key)
{
	struct db *db = web_db(r);
	struct db_rec_query q;
	enum MHD_Result mrc;
	long long total = 0;
	bool csv;
	int rc;

	if (!parse(r, kind, &q, &csv, &mrc))
		return mrc;
	if (!db)
		return web_reply_error(r, 500, "internal", NULL, "database unavailable");
	if (csv) {
		struct csv c = { 0 };
		struct MHD_Response *resp;
		char disp[96], stamp[32];
		time_t now = time(NULL);
		struct tm tm;

		rc = db_records(db, &q, row_csv, &c, &total);
		if (rc || c.oom) {
			free(c.buf);
			return web_reply_error(r, 500, "internal", NULL, "cannot read %s", key);
		}
		if (!c.header)          /* no rows: still a header line */
			put(&c, "", 0);
		resp = MHD_create_response_from_buffer(c.len, c.buf, MHD_RESPMEM_MUST_FREE);
		if (!resp) {
			free(c.buf);
			return MHD_NO;
		}
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
		snprintf(disp, sizeof(disp), "attachment; filename=\"trunkgate-%s-%s.csv\"", key, stamp);
		MHD_add_response_header(resp, "Content-Type", "text/csv; charset=utf-8");
		MHD_add_response_header(resp, "Content-Disposition", disp);
		MHD_add_response_header(resp, "Cache-Control", "no-store");
		snprintf(stamp, sizeof(stamp), "%lld", total);
		MHD_add_response_header(resp, "X-Total-Count", stamp);
		return web_queue(r, 200, resp);
	}
	json_t *arr = json_array();

	rc = db_records(db, &q, web_record_json, arr, &total);
	if (rc) {
		json_decref(arr);
		return web_reply_error(r, 500, "internal", NULL, "cannot read %s", key);
	}
	return web_reply_json(r, 200, json_pack("{s:o, s:I, s:i, s:i}", key, arr, "total",
						(json_int_t)total, "limit", (int)q.limit,
						"offset", (int)q.offset));
}

enum MHD_Result api_cdrs_list(struct web_req *r)
{
	return list(r, DB_REC_CDRS, "cdrs");
}

enum MHD_Result api_audit_list(struct web_req *r)
{
	return list(r, DB_REC_AUDIT, "audit");
}

enum MHD_Result api_events_list(struct web_req *r)
{
	return list(r, DB_REC_EVENTS, "events");
}

/* The backup is written to a temporary file in the database's folder (so it
 * never crosses file systems), unlinked at once, and streamed from the fd. */
enum MHD_Result api_backup(struct web_req *r)
{
	struct db *db = web_db(r);
	struct MHD_Response *resp;
	char path[4200], disp[96], stamp[32];
	time_t now = time(NULL);
	struct stat st;
	struct tm tm;
	int fd, rc;

	if (!db)
		return web_reply_error(r, 500, "internal", NULL, "database unavailable");
	snprintf(path, sizeof(path), "%s.backup-XXXXXX", db_path(db));
	fd = mkstemp(path);
	if (fd < 0)
		return web_reply_error(r, 500, "internal", NULL, "cannot make a temporary file");
	rc = db_backup_to(db, path);
	unlink(path);                   /* the open fd keeps it until the response is sent */
	if (!rc && fstat(fd, &st))
		rc = errno;
	if (rc) {
		close(fd);
		log_err("backup failed: %s", strerror(rc));
		return web_reply_error(r, 500, "internal", NULL, "the backup failed: %s", strerror(rc));
	}
	resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	if (!resp) {
		close(fd);
		return MHD_NO;
	}
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	snprintf(disp, sizeof(disp), "attachment; filename=\"trunkgate-%s.db\"", stamp);
	MHD_add_response_header(resp, "Content-Type", "application/vnd.sqlite3");
	MHD_add_response_header(resp, "Content-Disposition", disp);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	log_info("%s downloaded a database backup (%lld bytes)", r->user, (long long)st.st_size);
	return web_queue(r, 200, resp);
}
