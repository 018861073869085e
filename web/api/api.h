/*
 * api.h -- the REST API handlers, one function per route (see routes.c).
 */
#ifndef TG_API_H
#define TG_API_H

#include "web_int.h"

api_handler_h api_health, api_status, api_status_intervals, api_settings_get, api_settings_put;
api_handler_h api_login, api_logout, api_session, api_password;
api_handler_h api_spans_list, api_span_get, api_span_create, api_span_update, api_span_delete;
api_handler_h api_span_test_call;
api_handler_h api_trunk_groups_list, api_trunk_group_get, api_trunk_group_create,
	api_trunk_group_update, api_trunk_group_delete;
api_handler_h api_number_ranges_list, api_number_range_get, api_number_range_create,
	api_number_range_update, api_number_range_delete;
api_handler_h api_rules_list, api_rule_get, api_rule_create, api_rule_update, api_rule_delete;
api_handler_h api_routes_list, api_route_get, api_route_create, api_route_update, api_route_delete;
api_handler_h api_route_test;
api_handler_h api_sip_trunks_list, api_sip_trunk_get, api_sip_trunk_create, api_sip_trunk_update,
	api_sip_trunk_delete, api_sip_trunk_self_test;
api_handler_h api_bypass_list, api_bypass_get, api_bypass_create, api_bypass_update, api_bypass_delete;
api_handler_h api_analog_list, api_analog_get, api_analog_create, api_analog_update, api_analog_delete;
api_handler_h api_trunk_group_state;
api_handler_h api_presets_list, api_preset_apply;
api_handler_h api_config_export, api_config_import;
api_handler_h api_users_list, api_user_get, api_user_create, api_user_update, api_user_delete;
api_handler_h api_tokens_list, api_token_create, api_token_delete;
api_handler_h api_cdrs_list, api_audit_list, api_events_list, api_backup;
api_handler_h api_calls_list, api_call_hangup;
api_handler_h api_openapi;

#endif
