/*
 * openapi.h -- the API's OpenAPI document (openapi.c), for the handler and
 * the unit tests.
 */
#ifndef TG_API_OPENAPI_H
#define TG_API_OPENAPI_H

#include <stddef.h>
#include <jansson.h>

/* The whole document: web/api/openapi.json joined with the field tables
 * and the route table.  NULL with err set if the JSON file does not load. */
json_t *api_openapi_document(char *err, size_t len);

#endif
