/*
 * status_json.h -- the status snapshot as JSON: one builder for
 * GET /api/v1/status, the intervals resource and the status socket, so the
 * REST API, Prometheus and SNMP all report the same figures.  Any thread;
 * pure functions of their arguments.
 */
#ifndef TG_STATUS_JSON_H
#define TG_STATUS_JSON_H

#include <jansson.h>

#include "status.h"

/* "disabled", "error", "busy_out", "alarm", "down" (ISDN layer 2) or "up". */
const char *status_span_state(const struct status_span *ss);

/* The whole document of GET /api/v1/status.  db_size: bytes, -1 unknown;
 * now_ms: monotonic, for the uptime.  NULL on out of memory. */
json_t *status_json(const struct status *st, long long db_size, unsigned long long now_ms);

/* One span's DS1 intervals: {span, interval_seconds, time_elapsed,
 * valid_intervals, invalid_intervals, current, intervals: [{number, valid, ...}]}. */
json_t *status_intervals_json(const struct status_span *ss, const struct ds1_perf *p);

/* A span of the snapshot by name; NULL if none. */
const struct status_span *status_span_by_name(const struct status *st, const char *name);

#endif
