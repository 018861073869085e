/*
 * routing_int.h -- what the routing API files share (routing.c,
 * routing_routes.c, route_test.c): one generic create/read/update/delete over
 * a resource descriptor, so trunk groups, number ranges, manipulation rules
 * and routes behave alike.  HTTP threads.
 */
#ifndef TG_API_ROUTING_INT_H
#define TG_API_ROUTING_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "db.h"
#include "fields.h"
#include "web_int.h"

#define API_NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"
#define API_NUMBER_CHARS "0123456789*#+"
#define API_FIELD_LEN 48

/* A routing resource.  Every db_* struct it handles starts with `long long id`. */
struct api_rt_resource {
	const char *what;               /* "trunk group": messages and logs */
	const char *list_key;           /* "trunk_groups": the list's JSON key */
	size_t size;                    /* of the db struct */
	const struct api_field *fields;
	size_t nfields;
	const char *array_key;          /* "members", "destinations"; NULL: none */
	void (*init)(void *obj);        /* defaults for a create */
	/* Decode the array_key's value into obj, replacing what was there. */
	bool (*decode_array)(void *obj, json_t *arr, char *field, char *msg, size_t msglen);
	/* Rules across fields, on the whole object (old: before an update, or NULL). */
	bool (*check)(void *obj, const void *old, json_t *body, char *field, char *msg,
		      size_t msglen);
	json_t *(*array_json)(const void *obj);         /* the array_key's value */
	const char *(*name)(const void *obj, char *buf, size_t len);
	int (*list)(struct db *db, void **vp, size_t *np);
	int (*get)(struct db *db, const char *key, void *obj);
	int (*create)(struct db *db, void *obj, struct db_routing_write *w);
	int (*update)(struct db *db, void *obj, struct db_routing_write *w);
	int (*del)(struct db *db, long long id, struct db_routing_write *w);
};

enum MHD_Result api_rt_list(struct web_req *r, const struct api_rt_resource *res);
enum MHD_Result api_rt_get(struct web_req *r, const struct api_rt_resource *res);
enum MHD_Result api_rt_create(struct web_req *r, const struct api_rt_resource *res);
enum MHD_Result api_rt_update(struct web_req *r, const struct api_rt_resource *res);
enum MHD_Result api_rt_delete(struct web_req *r, const struct api_rt_resource *res);

/* The resources (each file defines its own; spans.c's serves the
 * configuration export/import only, its handlers are its own). */
extern const struct api_rt_resource api_rt_spans, api_rt_sip_trunks, api_rt_trunk_groups,
	api_rt_number_ranges, api_rt_rules, api_rt_routes, api_rt_bypass_pairs,
	api_rt_analog_ports;

/* body onto obj (after res->init, or a copy of old on an update): the
 * field table, the array's decoder, the checks.  false with the field
 * ("members[2].span") and message. */
bool api_rt_decode(const struct api_rt_resource *res, json_t *body, void *obj, const void *old,
		   char *field, char *msg, size_t msglen);
/* obj as the API shows it (the array under array_key). */
json_t *api_rt_to_json(const struct api_rt_resource *res, const void *obj);

/* Helpers for the checks: set field and message, return false. */
bool api_rt_bad(char *field, const char *name, char *msg, size_t msglen, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* "" or a number route.h routes on (1..32 of 0-9 * #, optional leading +). */
bool api_rt_number_ok(const char *v, const char *name, char *field, char *msg, size_t msglen);
/* The db writes' verify hook: the configuration as a write would commit it
 * must build into a routing table (the daemon's own check, made before the
 * commit); msg says why not. */
int api_rt_verify(const struct route_config *cfg, void *arg, char *msg, size_t len);

#endif
