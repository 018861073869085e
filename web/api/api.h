/*
 * api.h -- the REST API handlers, one function per route (see routes.c).
 */
#ifndef TG_API_H
#define TG_API_H

#include "web_int.h"

api_handler_h api_health, api_status, api_settings_get, api_settings_put;
api_handler_h api_login, api_logout, api_session, api_password;
api_handler_h api_spans_list, api_span_get, api_span_create, api_span_update, api_span_delete;
api_handler_h api_span_test_call;

#endif
