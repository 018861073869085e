/*
 * fields.c -- see fields.h.
 */
#include "config.h"
#include <stdio.h>
#include <string.h>

#include "fields.h"

bool api_field_given(json_t *body, const char *name)
{
	return json_object_get(body, name) != NULL;
}

static bool check_one(const struct api_field *f, json_t *v, void *obj, char *msg, size_t msglen)
{
	char *p = (char *)obj + f->off;

	if (f->nullable && json_is_null(v)) {
		if (f->kind == API_INT) {
			*(int *)p = -1;
			return true;
		}
		if (f->kind == API_STRING || f->kind == API_ENUM) {
			p[0] = '\0';
			return true;
		}
	}
	switch (f->kind) {
	case API_STRING:
	case API_ENUM: {
		const char *s;
		size_t len;

		if (!json_is_string(v)) {
			snprintf(msg, msglen, "%s must be a string%s", f->name, f->nullable ? " or null" : "");
			return false;
		}
		s = json_string_value(v);
		len = json_string_length(v);
		if (strlen(s) != len) {
			snprintf(msg, msglen, "%s must not contain NUL characters", f->name);
			return false;
		}
		if (f->kind == API_ENUM) {
			size_t i;
			char list[256] = "";

			for (i = 0; f->choices[i]; i++)
				if (strcmp(s, f->choices[i]) == 0)
					break;
			if (!f->choices[i]) {
				for (size_t k = 0; f->choices[k]; k++)
					snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
						 k ? ", " : "", f->choices[k]);
				snprintf(msg, msglen, "%s \"%s\" is not one of: %s", f->name, s, list);
				return false;
			}
		} else {
			if (len < f->min || len > (f->max ? f->max : f->size - 1) || len >= f->size) {
				snprintf(msg, msglen, "%s must be %u to %zu characters", f->name, f->min,
					 (size_t)(f->max ? f->max : f->size - 1));
				return false;
			}
			for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
				if (f->chars ? !strchr(f->chars, *c) : (*c < 0x20 || *c == 0x7f)) {
					snprintf(msg, msglen, "%s \"%s\": character '%c' is not allowed",
						 f->name, s, *c >= 0x20 ? *c : '?');
					return false;
				}
			}
		}
		memcpy(p, s, len + 1);
		return true;
	}
	case API_BOOL:
		if (!json_is_boolean(v)) {
			snprintf(msg, msglen, "%s must be true or false", f->name);
			return false;
		}
		*(bool *)p = json_is_true(v);
		return true;
	case API_UINT: {
		json_int_t i;

		if (!json_is_integer(v)) {
			snprintf(msg, msglen, "%s must be an integer", f->name);
			return false;
		}
		i = json_integer_value(v);
		if (i < (json_int_t)f->min || i > (json_int_t)f->max) {
			snprintf(msg, msglen, "%s %lld is out of range %u..%u", f->name, (long long)i,
				 f->min, f->max);
			return false;
		}
		*(unsigned *)p = (unsigned)i;
		return true;
	}
	case API_INT: {
		json_int_t i;

		if (!json_is_integer(v)) {
			snprintf(msg, msglen, "%s must be an integer%s", f->name, f->nullable ? " or null" : "");
			return false;
		}
		i = json_integer_value(v);
		if (i < (json_int_t)f->min || i > (json_int_t)f->max) {
			snprintf(msg, msglen, "%s %lld is out of range %u..%u", f->name, (long long)i,
				 f->min, f->max);
			return false;
		}
		*(int *)p = (int)i;
		return true;
	}
	case API_ID:
		break;
	}
	snprintf(msg, msglen, "%s is read-only", f->name);
	return false;
}

bool api_fields_apply(const struct api_field *f, size_t n, json_t *body, void *obj, bool create,
		      const char **field, char *msg, size_t msglen)
{
	const char *key;
	json_t *v;

	json_object_foreach(body, key, v) {
		size_t i;

		for (i = 0; i < n; i++)
			if (strcmp(key, f[i].name) == 0)
				break;
		if (i == n) {
			*field = key;
			snprintf(msg, msglen, "unknown field \"%s\"", key);
			return false;
		}
		if (f[i].readonly || f[i].kind == API_ID) {
			*field = f[i].name;
			snprintf(msg, msglen, "%s is read-only", f[i].name);
			return false;
		}
		if (!check_one(&f[i], v, obj, msg, msglen)) {
			*field = f[i].name;
			return false;
		}
	}
	if (create) {
		for (size_t i = 0; i < n; i++) {
			if (f[i].required && !json_object_get(body, f[i].name)) {
				*field = f[i].name;
				snprintf(msg, msglen, "%s is required", f[i].name);
				return false;
			}
		}
	}
	return true;
}

/* The fields `keep` says yes to, as a JSON object. */
static json_t *fields_json(const struct api_field *f, size_t n, const void *obj,
			   bool (*keep)(const struct api_field *f, bool secrets), bool secrets)
{
	json_t *o = json_object();

	for (size_t i = 0; i < n; i++) {
		const char *p = (const char *)obj + f[i].off;
		json_t *v = NULL;

		if (!keep(&f[i], secrets))
			continue;
		switch (f[i].kind) {
		case API_STRING:
		case API_ENUM: v = f[i].nullable && !p[0] ? json_null() : json_string(p); break;
		case API_INT:
			v = f[i].nullable && *(const int *)p < 0 ? json_null() :
			    json_integer(*(const int *)p);
			break;
		case API_BOOL: v = json_boolean(*(const bool *)p); break;
		case API_UINT: v = json_integer(*(const unsigned *)p); break;
		case API_ID: v = json_integer(*(const long long *)p); break;
		}
		json_object_set_new(o, f[i].name, v);
	}
	return o;
}

static bool shown(const struct api_field *f, bool secrets)
{
	(void)secrets;
	return !f->writeonly;
}

static bool writable(const struct api_field *f, bool secrets)
{
	return !f->readonly && f->kind != API_ID && (secrets || !f->writeonly);
}

json_t *api_fields_to_json(const struct api_field *f, size_t n, const void *obj)
{
	return fields_json(f, n, obj, shown, false);
}

json_t *api_fields_export(const struct api_field *f, size_t n, const void *obj, bool secrets)
{
	return fields_json(f, n, obj, writable, secrets);
}
