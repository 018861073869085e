/*
 * openapi.c -- GET /api/v1/openapi.json: the API's OpenAPI 3.1 document.
 *
 * Two sources, joined once when the document is first asked for:
 *   - web/api/openapi.json (compiled in as a string: openapi_doc.inc is made
 *     from it by the build): what only a person can write -- every
 *     operation's summary and description, its parameters, the answers'
 *     shapes, the error object, the security schemes, and the fields'
 *     descriptions and defaults;
 *   - the field tables (fields.h, struct api_schema) the handlers validate
 *     with: each becomes components.schemas entries (type, enum, lengths,
 *     allowed characters as a pattern, ranges, required, nullable), so a
 *     request schema says exactly what the server accepts.
 * and the route table adds to each operation what it knows: the least role
 * (x-role, and no security for public routes), the error answers every
 * authenticated or body-taking route can give (401, 403, 429, 400, 413,
 * 500) and any path parameter not declared by hand.  A route the JSON file
 * does not describe is left out: tests/integration/test_openapi.sh and the
 * unit test fail on it.  HTTP threads (built once, under pthread_once).
 */
#include "config.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "api"
#include "log.h"
#include "api.h"
#include "fields.h"
#include "openapi.h"
#include "tg.h"

static const char openapi_text[] =
#include "openapi_doc.inc"
	;

static const struct api_schema *const schemas[] = {
	&api_schema_span, &api_schema_trunk_group, &api_schema_tg_member, &api_schema_number_range,
	&api_schema_manip_rule, &api_schema_route, &api_schema_route_dest, &api_schema_sip_trunk,
	&api_schema_sip_hop, &api_schema_bypass_pair, &api_schema_user, &api_schema_token,
	&api_schema_preset, &api_schema_preset_range, &api_schema_preset_hop, &api_schema_analog_port,
};

/* A regular expression character class matching exactly the characters of
 * chars (runs of three or more written as ranges), as "^[...]*$". */
static size_t put_char(char *out, size_t len, unsigned c)
{
	return (size_t)snprintf(out, len, "%s%c", strchr("\\]^-[", (int)c) ? "\\" : "", (char)c);
}

static void chars_pattern(const char *chars, char *out, size_t len)
{
	bool in[256] = { false };
	size_t n;

	for (const unsigned char *c = (const unsigned char *)chars; *c; c++)
		in[*c] = true;
	n = (size_t)snprintf(out, len, "^[");
	for (unsigned c = 1; c < 256 && n + 8 < len; c++) {
		unsigned end = c;

		if (!in[c])
			continue;
		while (end + 1 < 256 && in[end + 1])
			end++;
		if (end - c >= 2) {
			n += put_char(out + n, len - n, c);
			n += (size_t)snprintf(out + n, len - n, "-");
			n += put_char(out + n, len - n, end);
		} else {
			for (unsigned k = c; k <= end; k++)
				n += put_char(out + n, len - n, k);
		}
		c = end;
	}
	snprintf(out + n, len - n, "]*$");
}

/* The JSON Schema keywords of one field (what api_fields_apply accepts). */
static void field_schema(const struct api_field *f, json_t *s)
{
	char pat[400];

	switch (f->kind) {
	case API_STRING:
		json_object_set_new(s, "type", f->nullable ? json_pack("[s,s]", "string", "null") :
				    json_string("string"));
		if (f->min)
			json_object_set_new(s, "minLength", json_integer(f->min));
		json_object_set_new(s, "maxLength", json_integer(f->max ? f->max : (json_int_t)f->size - 1));
		if (f->chars)
			chars_pattern(f->chars, pat, sizeof(pat));
		else
			snprintf(pat, sizeof(pat), "^[^\\x00-\\x1F\\x7F]*$");
		json_object_set_new(s, "pattern", json_string(pat));
		break;
	case API_ENUM: {
		json_t *e = json_array();

		for (size_t i = 0; f->choices[i]; i++)
			json_array_append_new(e, json_string(f->choices[i]));
		if (f->nullable)
			json_array_append_new(e, json_null());
		json_object_set_new(s, "type", f->nullable ? json_pack("[s,s]", "string", "null") :
				    json_string("string"));
		json_object_set_new(s, "enum", e);
		break;
	}
	case API_BOOL:
		json_object_set_new(s, "type", json_string("boolean"));
		break;
	case API_UINT:
	case API_INT:
		json_object_set_new(s, "type", f->nullable ? json_pack("[s,s]", "integer", "null") :
				    json_string("integer"));
		json_object_set_new(s, "minimum", json_integer(f->min));
		json_object_set_new(s, "maximum", json_integer(f->max));
		break;
	case API_ID:
		json_object_set_new(s, "type", json_string("integer"));
		json_object_set_new(s, "readOnly", json_true());
		break;
	}
}

static bool fixed(const struct api_schema *t, const char *name)
{
	for (size_t i = 0; t->fixed && t->fixed[i]; i++)
		if (!strcmp(t->fixed[i], name))
			return true;
	return false;
}

enum variant { OUT, CREATE, UPDATE };

/* One schema of a table; hand (the JSON file's entry, may be NULL) gives
 * descriptions, defaults and properties the table does not have. */
static json_t *table_schema(const struct api_schema *t, enum variant v, json_t *hand)
{
	json_t *s = hand ? json_deep_copy(hand) : json_object();
	json_t *props = json_object_get(s, "properties"), *req = json_array();

	if (!props) {
		props = json_object();
		json_object_set_new(s, "properties", props);
	}
	json_object_set_new(s, "type", json_string("object"));
	for (size_t i = 0; i < t->nfields; i++) {
		const struct api_field *f = &t->fields[i];
		json_t *p = json_object_get(props, f->name);

		if ((v != OUT && (f->readonly || f->kind == API_ID || (v == UPDATE && fixed(t, f->name)))) ||
		    (v == OUT && f->writeonly)) {     /* a password: taken, never shown */
			json_object_del(props, f->name);
			continue;
		}
		if (!p) {
			p = json_object();
			json_object_set_new(props, f->name, p);
		}
		field_schema(f, p);
		if (f->writeonly)
			json_object_set_new(p, "writeOnly", json_true());
		if (v == OUT || (v == CREATE && f->required))
			json_array_append_new(req, json_string(f->name));
	}
	if (t->array_key) {
		json_t *p = json_object_get(props, t->array_key);
		char ref[128];

		if (!p) {
			p = json_object();
			json_object_set_new(props, t->array_key, p);
		}
		snprintf(ref, sizeof(ref), "#/components/schemas/%s", t->array_item);
		json_object_set_new(p, "type", json_string("array"));
		json_object_set_new(p, "maxItems", json_integer(t->array_max));
		json_object_set_new(p, "items", json_pack("{s:s}", "$ref", ref));
		if (v == OUT)
			json_array_append_new(req, json_string(t->array_key));
	}
	if (v == OUT)
		json_object_set_new(props, "generation", json_pack("{s:s, s:i, s:s}", "type", "integer",
			"minimum", 0, "description", "In answers to writes only: the configuration "
			"generation the write made."));
	json_object_set_new(s, "additionalProperties", json_false());
	if (json_array_size(req))
		json_object_set_new(s, "required", req);
	else
		json_decref(req);
	return s;
}

static void add_tables(json_t *doc)
{
	json_t *comp = json_object_get(doc, "components");
	json_t *all = comp ? json_object_get(comp, "schemas") : NULL;

	if (!all) {
		all = json_object();
		json_object_set_new(doc, "components", json_pack("{s:o}", "schemas", all));
	}
	for (size_t i = 0; i < TG_ARRAY_SIZE(schemas); i++) {
		const struct api_schema *t = schemas[i];
		const char *names[] = { [OUT] = t->out, [CREATE] = t->create, [UPDATE] = t->update };
		json_t *hand = NULL;

		/* the hand entry of the first schema documents all of them */
		for (int v = OUT; v <= UPDATE && !hand; v++)
			if (names[v])
				hand = json_incref(json_object_get(all, names[v]));
		for (int v = OUT; v <= UPDATE; v++)
			if (names[v])
				json_object_set_new(all, names[v], table_schema(t, (enum variant)v, hand));
		json_decref(hand);
	}
}

static bool has_param(json_t *list, const char *name)
{
	size_t i;
	json_t *p;

	json_array_foreach(list, i, p) {
		const char *n = json_string_value(json_object_get(p, "name"));
		const char *ref = json_string_value(json_object_get(p, "$ref"));

		if ((n && !strcmp(n, name)) || (ref && !strcmp(strrchr(ref, '/') + 1, name)))
			return true;
	}
	return false;
}

static void add_response(json_t *responses, const char *status, const char *name)
{
	char ref[96];

	if (json_object_get(responses, status))
		return;
	snprintf(ref, sizeof(ref), "#/components/responses/%s", name);
	json_object_set_new(responses, status, json_pack("{s:s}", "$ref", ref));
}

/* What the route table knows about each operation. */
static void add_routes(json_t *doc)
{
	json_t *paths = json_object_get(doc, "paths");

	for (size_t i = 0; i < api_route_count; i++) {
		const struct api_route *rt = &api_routes[i];
		json_t *item = json_object_get(paths, rt->path), *op, *responses, *params;
		char method[8], *p;

		snprintf(method, sizeof(method), "%s", rt->method);
		for (p = method; *p; p++)
			*p = (char)(*p - 'A' + 'a');
		op = item ? json_object_get(item, method) : NULL;
		if (!op)
			continue;       /* undocumented: the tests say so */
		json_object_set_new(op, "x-role", json_string(rt->role == WEB_ROLE_NONE ? "none" :
							      web_role_name(rt->role)));
		if (rt->role == WEB_ROLE_NONE)
			json_object_set_new(op, "security", json_array());
		else if (strcmp(rt->method, "GET"))     /* a cookie needs its CSRF header on writes */
			json_object_set_new(op, "security", json_pack("[{s:[]}, {s:[]}, {s:[], s:[]}]",
				"basic", "bearer", "cookie", "csrf"));
		responses = json_object_get(op, "responses");
		if (!responses) {
			responses = json_object();
			json_object_set_new(op, "responses", responses);
		}
		if (json_object_get(op, "requestBody")) {
			add_response(responses, "400", "BadRequest");
			add_response(responses, "413", "PayloadTooLarge");
		}
		if (rt->role != WEB_ROLE_NONE) {
			add_response(responses, "401", "Unauthorized");
			add_response(responses, "403", "Forbidden");
			add_response(responses, "429", "TooManyRequests");
		}
		add_response(responses, "500", "Internal");
		/* every {name} of the path is a parameter */
		params = json_object_get(op, "parameters");
		for (const char *b = strchr(rt->path, '{'); b; b = strchr(b + 1, '{')) {
			char name[64];
			size_t n = strcspn(b + 1, "}");

			snprintf(name, sizeof(name), "%.*s", (int)n, b + 1);
			if (has_param(params, name) || has_param(json_object_get(item, "parameters"), name))
				continue;
			if (!params) {
				params = json_array();
				json_object_set_new(op, "parameters", params);
			}
			json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:{s:s}}", "name", name,
				"in", "path", "required", 1, "schema", "type", "string"));
		}
	}
}

json_t *api_openapi_document(char *err, size_t len)
{
	json_error_t jerr;
	json_t *doc = json_loads(openapi_text, JSON_REJECT_DUPLICATES, &jerr), *info;

	if (!doc) {
		snprintf(err, len, "web/api/openapi.json line %d: %s", jerr.line, jerr.text);
		return NULL;
	}
	info = json_object_get(doc, "info");
	if (info)
		json_object_set_new(info, "version", json_string(PACKAGE_VERSION));
	add_tables(doc);
	add_routes(doc);
	return doc;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char *doc_text;

static void build(void)
{
	char err[256];
	json_t *doc = api_openapi_document(err, sizeof(err));

	if (!doc) {
		log_err("the OpenAPI document does not load: %s", err);
		return;
	}
	doc_text = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(doc);
}

enum MHD_Result api_openapi(struct web_req *r)
{
	struct MHD_Response *resp;

	pthread_once(&once, build);
	if (!doc_text)
		return web_reply_error(r, 500, "internal", NULL, "the OpenAPI document is not available");
	resp = MHD_create_response_from_buffer(strlen(doc_text), doc_text, MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", "application/json");
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	return web_queue(r, 200, resp);
}
