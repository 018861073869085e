/*
 * fields.h -- one table per REST resource drives decoding, validation and the
 * error that names the bad field (STYLE.md "Add a REST resource").  Each row
 * says where the field lives in the resource's C struct (offsetof) and what
 * it accepts.  HTTP threads.
 */
#ifndef TG_API_FIELDS_H
#define TG_API_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

enum api_field_kind {
	API_STRING,                     /* char[size]; `chars` lists the allowed characters (NULL: printable) */
	API_ENUM,                       /* char[size]; one of `choices` */
	API_BOOL,                       /* bool */
	API_UINT,                       /* unsigned, min..max */
	API_INT,                        /* int, min..max; nullable: null is -1 */
	API_ID,                         /* long long, read-only */
};

struct api_field {
	const char *name;
	enum api_field_kind kind;
	size_t off;
	size_t size;                    /* STRING/ENUM: the buffer, including the NUL */
	bool required;                  /* on create */
	bool readonly;                  /* output only */
	bool writeonly;                 /* input only: never printed (passwords) */
	bool nullable;                  /* STRING, ENUM: null is ""; INT: null is -1 (both ways) */
	unsigned min, max;              /* UINT: range; STRING: length */
	const char *const *choices;     /* ENUM, NULL-terminated */
	const char *chars;              /* STRING */
};

/* A field table as the OpenAPI document shows it (openapi.c): up to three
 * schemas in components.schemas, each NULL when not wanted -- `out` the
 * object as answers show it (every field, `generation` after a write),
 * `create` a create body (required fields required), `update` an update
 * body (every writable field optional, `fixed` ones left out).  array_key
 * adds a list of array_item (another table's schema) of at most array_max. */
struct api_schema {
	const char *out, *create, *update;
	const struct api_field *fields;
	size_t nfields;
	const char *array_key, *array_item;
	unsigned array_max;
	const char *const *fixed;       /* NULL-terminated: set at create only */
};

/* The tables the OpenAPI document shows (each defined beside its table). */
extern const struct api_schema api_schema_span, api_schema_trunk_group, api_schema_tg_member,
	api_schema_number_range, api_schema_manip_rule, api_schema_route, api_schema_route_dest,
	api_schema_sip_trunk, api_schema_sip_hop, api_schema_bypass_pair, api_schema_user,
	api_schema_token, api_schema_preset, api_schema_preset_range, api_schema_preset_hop,
	api_schema_analog_port;

/* Apply body's fields to obj.  On a bad field: false, with the JSON error's
 * field and message in field/msg (unknown fields are errors too). */
bool api_fields_apply(const struct api_field *f, size_t n, json_t *body, void *obj, bool create,
		      const char **field, char *msg, size_t msglen);
/* obj as a JSON object (every field but the write-only ones, in table order). */
json_t *api_fields_to_json(const struct api_field *f, size_t n, const void *obj);
/* obj as a configuration export shows it: the writable fields only (no
 * ids, nothing read-only), write-only ones (secrets) only when asked. */
json_t *api_fields_export(const struct api_field *f, size_t n, const void *obj, bool secrets);
/* Was this field present in the body? */
bool api_field_given(json_t *body, const char *name);

#endif
