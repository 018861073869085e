/*
 * config_int.h -- what the configuration export/import (config_io.c)
 * borrows from the settings handlers (system.c).  HTTP threads.
 */
#ifndef TG_API_CONFIG_INT_H
#define TG_API_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "db.h"

#define API_SETTINGS_MAX 64             /* >= the settings table (checked in system.c) */

/* Settings decoded from a body: values borrowed from the body, or numbers. */
struct api_settings {
	struct db_kv kv[API_SETTINGS_MAX];
	char numbers[API_SETTINGS_MAX][24];
	size_t n;
};

/* Every setting, defaults where unset, as GET /api/v1/settings shows them. */
json_t *api_settings_json(struct db *db);
/* The settings' names, i from 0; NULL past the last. */
const char *api_setting_name(size_t i);
/* Check and decode body's settings (each optional; unknown ones refused):
 * false with the key in field and msg. */
bool api_settings_decode(json_t *body, struct api_settings *out, char *field, char *msg,
			 size_t msglen);

#endif
