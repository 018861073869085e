/*
 * routes.c -- the REST API's route table: method, path, handler, least role.
 * Order matters only among patterns that could match the same path.
 */
#include "config.h"
#include "api.h"


const struct api_route api_routes[] = {
	{ "GET",  "/api/v1/health",           api_health,       WEB_ROLE_NONE },
	{ "GET",  "/api/v1/status",           api_status,       WEB_ROLE_VIEWER },
	{ "GET",  "/api/v1/status/spans/{name}/intervals", api_status_intervals, WEB_ROLE_VIEWER },
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
	{ "GET",    "/api/v1/trunk-groups",        api_trunk_groups_list,   WEB_ROLE_VIEWER },
	{ "POST",   "/api/v1/trunk-groups",        api_trunk_group_create,  WEB_ROLE_ADMIN },
	{ "GET",    "/api/v1/trunk-groups/{id}",   api_trunk_group_get,     WEB_ROLE_VIEWER },
	{ "PUT",    "/api/v1/trunk-groups/{id}",   api_trunk_group_update,  WEB_ROLE_ADMIN },
	{ "DELETE", "/api/v1/trunk-groups/{id}",   api_trunk_group_delete,  WEB_ROLE_ADMIN },
	{ "GET",    "/api/v1/number-ranges",       api_number_ranges_list,  WEB_ROLE_VIEWER },
	{ "POST",   "/api/v1/number-ranges",       api_number_range_create, WEB_ROLE_ADMIN },
	{ "GET",    "/api/v1/number-ranges/{id}",  api_number_range_get,    WEB_ROLE_VIEWER },
	{ "PUT",    "/api/v1/number-ranges/{id}",  api_number_range_update, WEB_ROLE_ADMIN },
	{ "DELETE", "/api/v1/number-ranges/{id}",  api_number_range_delete, WEB_ROLE_ADMIN },
	{ "GET",    "/api/v1/manipulation-rules",      api_rules_list,  WEB_ROLE_VIEWER },
	{ "POST",   "/api/v1/manipulation-rules",      api_rule_create, WEB_ROLE_ADMIN },
	{ "GET",    "/api/v1/manipulation-rules/{id}", api_rule_get,    WEB_ROLE_VIEWER },
	{ "PUT",    "/api/v1/manipulation-rules/{id}", api_rule_update, WEB_ROLE_ADMIN },
	{ "DELETE", "/api/v1/manipulation-rules/{id}", api_rule_delete, WEB_ROLE_ADMIN },
	{ "GET",    "/api/v1/routes",              api_routes_list,         WEB_ROLE_VIEWER },
	{ "POST",   "/api/v1/routes",              api_route_create,        WEB_ROLE_ADMIN },
	{ "GET",    "/api/v1/routes/{id}",         api_route_get,           WEB_ROLE_VIEWER },
	{ "PUT",    "/api/v1/routes/{id}",         api_route_update,        WEB_ROLE_ADMIN },
	{ "DELETE", "/api/v1/routes/{id}",         api_route_delete,        WEB_ROLE_ADMIN },
	{ "POST",   "/api/v1/route-test",          api_route_test,          WEB_ROLE_OPERATOR },
	{ "GET",    "/api/v1/presets",             api_presets_list,        WEB_ROLE_VIEWER },
	{ "POST",   "/api/v1/presets/{name}",      api_preset_apply,        WEB_ROLE_ADMIN },
};
const size_t api_route_count = sizeof(api_routes) / sizeof(api_routes[0]);
