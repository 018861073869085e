/*
 * status_metrics.h -- the status snapshot as Prometheus text (metrics.c).
 */
#ifndef TG_STATUS_METRICS_H
#define TG_STATUS_METRICS_H

#include <stddef.h>

#include "status.h"

/* The exposition of st; db_size in bytes, -1 to leave it out.  *textp is
 * malloc()ed, the caller frees it.  ENOMEM. */
int status_metrics(const struct status *st, long long db_size, char **textp, size_t *lenp);

#endif
