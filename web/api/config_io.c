/*
 * config_io.c -- the whole configuration as one JSON document:
 *
 *   GET  /api/v1/config/export[?secrets=1]   every configuration object
 *   POST /api/v1/config/import[?dry_run=1]   replace the configuration with one
 *
 * The document ("format": "trunkgate-config", "format_version": 1) holds
 * settings and one list per resource (spans, sip_trunks, analog_ports,
 * trunk_groups, number_ranges, manipulation_rules, routes, bypass_pairs), each object as
 * its create body takes it: the resource's writable fields, no ids.
 * Objects refer to each other by name.  Users, API tokens and sessions are
 * not part of it (accounts are not configuration; a backup download has
 * them).  Write-only fields (secrets: a SIP trunk's auth_password) are left
 * out unless an admin asks with ?secrets=1.
 *
 * Generic by construction: both directions walk the resources' descriptors
 * (routing_int.h) -- the export prints each object with its field table
 * (api_fields_export) and array printer, the import decodes each object
 * with the same api_rt_decode (field table, array decoder, checks) a create
 * uses, and db_config_import writes them with the single writes' own row
 * writers in one transaction with the whole-routing check, one audit row
 * and one generation.  A field added to a resource's table (and its row
 * writer) is exported and imported with no change here.
 *
 * Import rules: every section must be there (an empty list deletes every
 * object of that kind; a missing one is refused, so a truncated document
 * cannot delete things by accident; settings too) except analog_ports:
 * documents exported before analog ports had an API lack it, and their
 * import always left the analog ports alone, so a missing analog_ports
 * still does (given, even empty, it replaces them); read-only fields (id, ...) are
 * ignored, so a document made of GET answers imports too; a write-only
 * field left out keeps the value of the same-named object now (a document
 * exported without secrets re-imports without losing passwords); a setting
 * left out goes back to its default.  The first error is a 400 naming the
 * object and field ("routes[3].range") and nothing is written; with
 * dry_run everything is checked (the whole routing too) and nothing stays.
 * HTTP threads.
 */
#include "config.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOG_MODULE "api"
#include "log.h"
#include "api.h"
#include "config_int.h"
#include "mainq.h"
#include "routing_int.h"
#include "tg.h"

#define CONFIG_FORMAT "trunkgate-config"
#define CONFIG_FORMAT_VERSION 1

/* The sections in document (and write) order. */
static const struct api_rt_resource *const sections[] = {
	&api_rt_spans, &api_rt_sip_trunks, &api_rt_analog_ports, &api_rt_trunk_groups,
	&api_rt_number_ranges, &api_rt_rules, &api_rt_routes, &api_rt_bypass_pairs,
};
enum { S_SPANS, S_TRUNKS, S_ANALOG, S_GROUPS, S_RANGES, S_RULES, S_ROUTES, S_PAIRS };
#define NSECTIONS TG_ARRAY_SIZE(sections)

/* ---- query parameters: only the one named, as a boolean ---- */

struct flag_query {
	const char *name;
	int value;                      /* -1 unset */
	char bad[64];                   /* an unknown parameter or a bad value */
};

static enum MHD_Result flag_collect(void *cls, enum MHD_ValueKind kind, const char *key,
				    const char *value)
{
	struct flag_query *q = cls;

	(void)kind;
	if (strcmp(key, q->name)) {
		snprintf(q->bad, sizeof(q->bad), "%s", key);
		return MHD_NO;
	}
	if (value && (!strcmp(value, "1") || !strcasecmp(value, "true")))
		q->value = 1;
	else if (value && (!strcmp(value, "0") || !strcasecmp(value, "false")))
		q->value = 0;
	else
		snprintf(q->bad, sizeof(q->bad), "%s", key);
	return q->bad[0] ? MHD_NO : MHD_YES;
}

/* The flag (false when absent); false with a 400 sent for anything else. */
static bool flag_param(struct web_req *r, const char *name, bool *on, enum MHD_Result *mrc)
{
	struct flag_query q = { .name = name, .value = -1 };

	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, flag_collect, &q);
	if (q.bad[0]) {
		*mrc = web_reply_error(r, 400, "bad_request", q.bad, strcmp(q.bad, name) ?
				       "unknown query parameter \"%s\" (only %s)" :
				       "%s must be 1, true, 0 or false", q.bad, name);
		return false;
	}
	*on = q.value == 1;
	return true;
}

/* ---- export ---- */

static json_t *export_one(const struct api_rt_resource *res, const void *obj, bool secrets)
{
	json_t *o = api_fields_export(res->fields, res->nfields, obj, secrets);

	if (res->array_key)
		json_object_set_new(o, res->array_key, res->array_json(obj));
	return o;
}

enum MHD_Result api_config_export(struct web_req *r)
{
	struct db *db = web_db(r);
	enum MHD_Result mrc;
	bool secrets = false;
	json_t *doc;
	int rc = 0;

	if (!flag_param(r, "secrets", &secrets, &mrc))
		return mrc;
	if (secrets && r->role < WEB_ROLE_ADMIN)
		return web_reply_error(r, 403, "forbidden", NULL, "secrets=1 needs the admin role");
	if (!db || db_read_begin(db))
		return web_reply_error(r, 500, "internal", NULL, "database unavailable");
	doc = json_pack("{s:s,s:i,s:b,s:o}", "format", CONFIG_FORMAT, "format_version",
			CONFIG_FORMAT_VERSION, "secrets", secrets, "settings", api_settings_json(db));
	for (size_t s = 0; !rc && s < NSECTIONS; s++) {
		const struct api_rt_resource *res = sections[s];
		json_t *arr = json_array();
		void *v = NULL;
		size_t n = 0;

		rc = res->list(db, &v, &n);
		for (size_t i = 0; !rc && i < n; i++)
			json_array_append_new(arr, export_one(res, (char *)v + i * res->size, secrets));
		free(v);
		json_object_set_new(doc, res->list_key, arr);
	}
	db_read_end(db);
	if (rc) {
		json_decref(doc);
		return web_reply_error(r, 500, "internal", NULL, "cannot read the configuration");
	}
	if (secrets) {
		struct db_actor who = { r->user, r->remote };

		db_audit_add(db, &who, "export-secrets", "config", "");
	}
	return web_reply_json(r, 200, doc);
}

/* ---- import ---- */

struct import {
	void *v[NSECTIONS];             /* each a calloc'd array of its resource's struct */
	size_t n[NSECTIONS];
	bool given[NSECTIONS];          /* the section was in the document */
	struct api_settings settings;
	const char *unset[API_SETTINGS_MAX];
	size_t nunset;
	char field[API_FIELD_LEN + 32];
	char msg[600];
};

static bool import_bad(struct import *im, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool import_bad(struct import *im, const char *field, const char *fmt, ...)
{
	va_list ap;

	snprintf(im->field, sizeof(im->field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(im->msg, sizeof(im->msg), fmt, ap);
	va_end(ap);
	return false;
}

static bool has_writeonly(const struct api_rt_resource *res)
{
	for (size_t i = 0; i < res->nfields; i++)
		if (res->fields[i].writeonly)
			return true;
	return false;
}

/* A write-only field the document leaves out keeps the value the object of
 * the same name has now. */
static void keep_secrets(struct db *db, const struct api_rt_resource *res, json_t *e, void *obj)
{
	json_t *name = json_object_get(e, "name");
	void *cur;

	if (!has_writeonly(res) || !json_is_string(name) || !res->get)
		return;
	cur = calloc(1, res->size);
	if (cur && !res->get(db, json_string_value(name), cur)) {
		for (size_t i = 0; i < res->nfields; i++) {
			const struct api_field *f = &res->fields[i];

			if (f->writeonly && !json_object_get(e, f->name))
				memcpy((char *)obj + f->off, (char *)cur + f->off, f->size);
		}
	}
	free(cur);
}

/* One object: read-only fields dropped, then decoded as a create decodes it. */
static bool import_one(struct db *db, const struct api_rt_resource *res, json_t *e, size_t i,
		       void *obj, struct import *im)
{
	char at[48], field[API_FIELD_LEN] = "", msg[400] = "";
	json_t *body;
	bool ok;

	snprintf(at, sizeof(at), "%s[%zu]", res->list_key, i);
	if (!json_is_object(e))
		return import_bad(im, at, "%s must be an object", at);
	body = json_copy(e);
	if (!body)
		return import_bad(im, at, "%s: out of memory", at);
	for (size_t k = 0; k < res->nfields; k++)
		if (res->fields[k].readonly || res->fields[k].kind == API_ID)
			json_object_del(body, res->fields[k].name);
	res->init(obj);
	keep_secrets(db, res, body, obj);
	ok = api_rt_decode(res, body, obj, NULL, field, msg, sizeof(msg));
	json_decref(body);
	if (!ok) {
		snprintf(im->field, sizeof(im->field), "%s%s%s", at, field[0] ? "." : "", field);
		snprintf(im->msg, sizeof(im->msg), "%s: %s", at, msg);
	}
	return ok;
}

/* Names are unique within a section (rules have none). */
static bool names_unique(const struct api_rt_resource *res, const void *v, size_t n,
			 struct import *im)
{
	char a[64], b[64], at[48];

	if (res == &api_rt_rules)
		return true;
	for (size_t i = 1; i < n; i++)
		for (size_t k = 0; k < i; k++) {
			const char *ni = res->name((const char *)v + i * res->size, a, sizeof(a));
			const char *nk = res->name((const char *)v + k * res->size, b, sizeof(b));

			if (!strcmp(ni, nk)) {
				snprintf(at, sizeof(at), "%s[%zu].name", res->list_key, i);
				return import_bad(im, at, "%s: the name %s is given twice", at, ni);
			}
		}
	return true;
}

/* Spans: a position left out is the first one free on its driver in the
 * document; a busy-out group must be one of the document's SIP groups. */
static bool spans_fixup(json_t *arr, struct import *im)
{
	struct db_span *sp = im->v[S_SPANS];
	const struct db_trunk_group *g = im->v[S_GROUPS];
	char at[64];

	for (size_t i = 0; i < im->n[S_SPANS]; i++) {
		bool found = false;

		if (!api_field_given(json_array_get(arr, i), "position")) {
			unsigned pos = 1;

			for (size_t k = 0; k < im->n[S_SPANS]; k++)
				if (k != i && !strcmp(sp[k].driver, sp[i].driver) &&
				    sp[k].position == pos) {
					pos++;
					k = (size_t)-1;         /* again from the start */
				}
			sp[i].position = pos;
		}
		if (!sp[i].busy_out_group[0])
			continue;
		snprintf(at, sizeof(at), "spans[%zu].busy_out_group", i);
		for (size_t k = 0; k < im->n[S_GROUPS]; k++)
			if (!strcmp(g[k].name, sp[i].busy_out_group)) {
				found = true;
				if (strcmp(g[k].kind, "sip"))
					return import_bad(im, at, "%s: %s is not a sip trunk group; busy-out "
							  "follows a sip trunk group", at, g[k].name);
			}
		if (!found)
			return import_bad(im, at, "%s: no trunk group named %s in the document", at,
					  sp[i].busy_out_group);
	}
	return true;
}

static bool import_settings(json_t *v, struct import *im)
{
	char field[API_FIELD_LEN] = "", msg[400] = "";
	const char *name;

	if (!v)
		return import_bad(im, "settings", "%s is required (a setting left out of it goes back "
				  "to its default)", "settings");
	if (!json_is_object(v))
		return import_bad(im, "settings", "%s must be an object", "settings");
	if (!api_settings_decode(v, &im->settings, field, msg, sizeof(msg))) {
		snprintf(im->field, sizeof(im->field), "settings.%s", field);
		snprintf(im->msg, sizeof(im->msg), "settings.%s", msg);
		return false;
	}
	for (size_t i = 0; (name = api_setting_name(i)); i++)
		if (!json_object_get(v, name))
			im->unset[im->nunset++] = name;
	return true;                    /* the values are the document's: it outlives im */
}

/* The whole document into im; false with im->field/msg. */
static bool import_decode(struct db *db, json_t *doc, struct import *im)
{
	json_t *fmt = json_object_get(doc, "format"), *ver = json_object_get(doc, "format_version");
	const char *key;
	json_t *v;

	json_object_foreach(doc, key, v) {
		bool known = !strcmp(key, "format") || !strcmp(key, "format_version") ||
			     !strcmp(key, "secrets") || !strcmp(key, "settings");

		for (size_t s = 0; s < NSECTIONS; s++)
			known = known || !strcmp(key, sections[s]->list_key);
		if (!known)
			return import_bad(im, key, "unknown field \"%s\"", key);
	}
	if (!json_is_string(fmt) || strcmp(json_string_value(fmt), CONFIG_FORMAT))
		return import_bad(im, "format", "format must be \"%s\"", CONFIG_FORMAT);
	if (!json_is_integer(ver) || json_integer_value(ver) != CONFIG_FORMAT_VERSION)
		return import_bad(im, "format_version", "format_version must be 1 (this trunkgate "
				  "reads version 1 documents)");
	if (json_object_get(doc, "secrets") && !json_is_boolean(json_object_get(doc, "secrets")))
		return import_bad(im, "secrets", "secrets must be true or false");
	if (!import_settings(json_object_get(doc, "settings"), im))
		return false;
	for (size_t s = 0; s < NSECTIONS; s++) {
		const struct api_rt_resource *res = sections[s];
		json_t *arr = json_object_get(doc, res->list_key), *e;
		size_t i;

		if (!arr && res == &api_rt_analog_ports)
			continue;       /* optional: absent leaves the analog ports alone */
		if (!arr)
			return import_bad(im, res->list_key, "%s is required (an empty list removes every "
					  "%s)", res->list_key, res->what);
		if (!json_is_array(arr))
			return import_bad(im, res->list_key, "%s must be a list", res->list_key);
		im->given[s] = true;
		im->v[s] = calloc(json_array_size(arr) + 1, res->size);
		if (!im->v[s])
			return import_bad(im, res->list_key, "%s: out of memory", res->list_key);
		json_array_foreach(arr, i, e) {
			if (!import_one(db, res, e, i, (char *)im->v[s] + i * res->size, im))
				return false;
			im->n[s] = i + 1;
		}
		if (!names_unique(res, im->v[s], im->n[s], im))
			return false;
	}
	return spans_fixup(json_object_get(doc, "spans"), im);
}

static json_t *counts(const struct import *im)
{
	json_t *o = json_object();

	for (size_t s = 0; s < NSECTIONS; s++)
		if (im->given[s])
			json_object_set_new(o, sections[s]->list_key, json_integer((json_int_t)im->n[s]));
	json_object_set_new(o, "settings", json_integer((json_int_t)im->settings.n));
	return o;
}

enum MHD_Result api_config_import(struct web_req *r)
{
	struct db_actor who = { r->user, r->remote };
	struct db_routing_write w = { .who = &who, .verify = api_rt_verify };
	struct db_config_import c = { 0 };
	struct import *im = NULL;
	struct db *db = web_db(r);
	enum MHD_Result mrc;
	bool dry_run = false;
	char *summary = NULL;
	json_t *body = NULL, *out;
	int rc;

	if (!flag_param(r, "dry_run", &dry_run, &mrc))
		return mrc;
	body = web_body_object(r, &mrc);
	if (!body)
		return mrc;
	im = calloc(1, sizeof(*im));
	if (!im || !db) {
		mrc = web_reply_error(r, 500, "internal", NULL, im ? "database unavailable" : "out of memory");
		goto out;
	}
	if (!import_decode(db, body, im)) {
		mrc = web_reply_error(r, 400, "invalid_field", im->field[0] ? im->field : NULL, "%s",
				      im->msg);
		goto out;
	}
	c = (struct db_config_import){
		.spans = im->v[S_SPANS], .nspans = im->n[S_SPANS],
		.sip_trunks = im->v[S_TRUNKS], .nsip_trunks = im->n[S_TRUNKS],
		.analog_ports = im->v[S_ANALOG], .nanalog_ports = im->n[S_ANALOG],
		.analog_given = im->given[S_ANALOG],
		.groups = im->v[S_GROUPS], .ngroups = im->n[S_GROUPS],
		.ranges = im->v[S_RANGES], .nranges = im->n[S_RANGES],
		.rules = im->v[S_RULES], .nrules = im->n[S_RULES],
		.routes = im->v[S_ROUTES], .nroutes = im->n[S_ROUTES],
		.pairs = im->v[S_PAIRS], .npairs = im->n[S_PAIRS], .settings = im->settings.kv,
		.nsettings = im->settings.n, .settings_unset = im->unset, .nunset = im->nunset,
		.dry_run = dry_run,
	};
	out = counts(im);
	summary = json_dumps(out, JSON_COMPACT);        /* the audit row: what, not the secrets */
	json_decref(out);
	c.summary_json = summary;
	rc = db_config_import(db, &c, &w);
	if (rc == EINVAL || rc == EEXIST)       /* "routes[3]: range: no number range named x" */
		mrc = web_reply_error(r, 400, w.field[0] ? "invalid_field" : "invalid_config",
				      w.field[0] ? w.field : NULL, "%.*s%s%s", (int)strcspn(w.field, "."),
				      w.field, w.field[0] ? ": " : "", w.msg);
	else if (rc) {
		log_err("configuration import by %s failed: %s", r->user, db_errmsg(db));
		mrc = web_reply_error(r, 500, "internal", NULL, "the configuration was not imported");
	} else {
		out = json_pack("{s:b,s:o}", "dry_run", dry_run, "objects", counts(im));
		if (!dry_run) {
			log_info("%s imported a configuration", r->user);
			mainq_post(&(struct mainq_msg){ .type = MAINQ_CONFIG_GENERATION,
							.u.config.generation = w.generation });
			json_object_set_new(out, "generation", json_integer((json_int_t)w.generation));
		}
		mrc = web_reply_json(r, 200, out);
	}
 out:
	if (im)
		for (size_t s = 0; s < NSECTIONS; s++)
			free(im->v[s]);
	free(im);
	free(summary);
	json_decref(body);
	return mrc;
}
