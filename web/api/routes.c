/*
 * routes.c -- the REST API's route table: method, path, handler, least role.
 * Order matters only among patterns that could match the same path.
 */
#include "config.h"
#include "api.h"


const struct api_route api_routes[] = {
	{ "GET",  "/api/v1/health",           api_health,       WEB_ROLE_NONE },
	{ "GET",  "/api/v1/status",           api_status,       WEB_ROLE_VIEWER },
	{ "POST", "/api/v1/login",            api_login,        WEB_ROLE_NONE },
	{ "POST", "/api/v1/logout",           api_logout,       WEB_ROLE_VIEWER },
	{ "GET",  "/api/v1/session",          api_session,      WEB_ROLE_VIEWER },
	{ "POST", "/api/v1/account/password", api_password,     WEB_ROLE_VIEWER },
	{ "GET",  "/api/v1/settings",         api_settings_get, WEB_ROLE_VIEWER },
	{ "PUT",  "/api/v1/settings",         api_settings_put, WEB_ROLE_ADMIN },
	{ "GET",    "/api/v1/spans",          api_spans_list,   WEB_ROLE_VIEWER },
	{ "POST",   "/api/v1/spans",          api_span_create,  WEB_ROLE_ADMIN },
	{ "GET",    "/api/v1/spans/{id}",     api_span_get,     WEB_ROLE_VIEWER },
	{ "PUT",    "/api/v1/spans/{id}",     api_span_update,  WEB_ROLE_ADMIN },
	{ "DELETE", "/api/v1/spans/{id}",     api_span_delete,  WEB_ROLE_ADMIN },
	{ "POST",   "/api/v1/spans/{id}/test-call", api_span_test_call, WEB_ROLE_OPERATOR },
};
const size_t api_route_count = sizeof(api_routes) / sizeof(api_routes[0]);
