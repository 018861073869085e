/*
 * metrics.c -- GET /metrics: the status snapshot in the Prometheus text
 * format (daemon/status/metrics.c writes it).  A scraper either
 * authenticates like any API client (a bearer token or session of any role,
 * or Basic) or connects from an address listed in the bootstrap option
 * metrics_allow (Prometheus servers usually scrape without credentials).
 * HTTP threads.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "status/status_metrics.h"
#include "web_int.h"

enum MHD_Result web_metrics(struct web_req *r)
{
	const union MHD_ConnectionInfo *ci;
	struct MHD_Response *resp;
	enum MHD_Result rc;
	struct status st;
	char *text;
	size_t len;

	if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0)
		return web_reply_error(r, 405, "method_not_allowed", NULL, "only GET on /metrics");
	ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!netacl_match(&r->web->metrics_acl, ci ? ci->client_addr : NULL) &&
	    !web_authenticate(r, WEB_ROLE_VIEWER, &rc))
		return rc;
	status_get(&st);
	if (status_metrics(&st, db_path_size(r->web->db_path), &text, &len))
		return web_reply_error(r, 500, "internal", NULL, "out of memory");
	resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	return web_queue(r, 200, resp);
}
