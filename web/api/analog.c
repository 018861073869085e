/*
 * analog.c -- /api/v1/analog-ports[/{id}]: FXS/FXO analog ports,
 * create/read/update/delete through the generic routing resource handlers
 * (routing.c): one transaction with an audit row and a new generation.
 *
 * Configuration only: there is no analog driver yet (hw/ has no FXS/FXO
 * signalling), so the daemon opens no port and a call routed to an analog
 * trunk group is refused (daemon/main.c place()).  Trunk groups of kind
 * "analog" list these ports as members ({"analog_port": name}).
 * HTTP threads.
 */
#include "config.h"
#include <string.h>

#include "api.h"
#include "db.h"
#include "fields.h"
#include "routing_int.h"
#include "tg.h"

static const char *const drivers[] = { "sim", "dahdi", "alsa", NULL };
static const char *const kinds[] = { "fxs", "fxo", NULL };

#define F(n, k, m, ...) { .name = n, .kind = k, .off = offsetof(struct db_analog_port, m), \
	.size = sizeof(((struct db_analog_port *)0)->m), __VA_ARGS__ }

static const struct api_field port_fields[] = {
	F("id", API_ID, id, .readonly = true),
	F("name", API_STRING, name, .required = true, .min = 1, .max = 32, .chars = API_NAME_CHARS),
	F("enabled", API_BOOL, enabled),
	F("driver", API_ENUM, driver, .choices = drivers),
	F("position", API_UINT, position, .min = 1, .max = 256),
	F("kind", API_ENUM, kind, .required = true, .choices = kinds),
	F("number", API_STRING, number, .max = 32, .chars = API_NUMBER_CHARS),
	F("device", API_STRING, device, .max = 255),
};

const struct api_schema api_schema_analog_port = {
	.out = "AnalogPort", .create = "AnalogPortCreate", .update = "AnalogPortUpdate",
	.fields = port_fields, .nfields = TG_ARRAY_SIZE(port_fields),
};

static void port_init(void *obj)
{
	struct db_analog_port *p = obj;

	p->enabled = true;
	p->position = 0;                /* the first free one (db/analog.c) */
	tg_strlcpy(p->driver, "sim", sizeof(p->driver));
}

/* The number follows the routing rules (route_number_valid); the rest is
 * the field table's, the uniqueness db/analog.c's. */
static bool port_check(void *obj, const void *old, json_t *body, char *field, char *msg,
		       size_t msglen)
{
	const struct db_analog_port *p = obj;

	(void)old;
	(void)body;
	return api_rt_number_ok(p->number, "number", field, msg, msglen);
}

static const char *port_name(const void *obj, char *buf, size_t len)
{
	return ((const struct db_analog_port *)obj)->name;
}

static int port_list(struct db *db, void **vp, size_t *np)
{
	return db_analog_list(db, (struct db_analog_port **)vp, np);
}

static int port_get(struct db *db, const char *key, void *obj)
{
	return db_analog_get(db, key, obj);
}

static int port_create(struct db *db, void *obj, struct db_routing_write *w)
{
	return db_analog_create(db, obj, w);
}

static int port_update(struct db *db, void *obj, struct db_routing_write *w)
{
	return db_analog_update(db, obj, w);
}

const struct api_rt_resource api_rt_analog_ports = {
	.what = "analog port", .list_key = "analog_ports", .size = sizeof(struct db_analog_port),
	.fields = port_fields, .nfields = TG_ARRAY_SIZE(port_fields), .init = port_init,
	.check = port_check, .name = port_name, .list = port_list, .get = port_get,
	.create = port_create, .update = port_update, .del = db_analog_delete,
};

enum MHD_Result api_analog_list(struct web_req *r) { return api_rt_list(r, &api_rt_analog_ports); }
enum MHD_Result api_analog_get(struct web_req *r) { return api_rt_get(r, &api_rt_analog_ports); }
enum MHD_Result api_analog_create(struct web_req *r) { return api_rt_create(r, &api_rt_analog_ports); }
enum MHD_Result api_analog_update(struct web_req *r) { return api_rt_update(r, &api_rt_analog_ports); }
enum MHD_Result api_analog_delete(struct web_req *r) { return api_rt_delete(r, &api_rt_analog_ports); }
