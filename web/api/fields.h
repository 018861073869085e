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

/* Apply body's fields to obj.  On a bad field: false, with the JSON error's
 * field and message in field/msg (unknown fields are errors too). */
bool api_fields_apply(const struct api_field *f, size_t n, json_t *body, void *obj, bool create,
		      const char **field, char *msg, size_t msglen);
/* obj as a JSON object (every field but the write-only ones, in table order). */
json_t *api_fields_to_json(const struct api_field *f, size_t n, const void *obj);
/* Was this field present in the body? */
bool api_field_given(json_t *body, const char *name);

#endif
