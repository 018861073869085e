/*
 * surv_int.h -- the pure parts of survivability (health.c), shared with the
 * unit tests: the set of down groups with their reasons, and when a span
 * group counts as down.  No I/O, no globals.
 */
#ifndef TG_SURV_INT_H
#define TG_SURV_INT_H

#include <stdbool.h>
#include <stddef.h>

struct tg_config;

struct surv_group_health {
	long long id;
	unsigned reasons;               /* enum surv_reason bits; 0 = up */
};

/* Groups with at least one reason, in the order they went down. */
struct surv_health {
	struct surv_group_health *v;    /* malloc'd */
	size_t n, cap;
};

/* Set or clear one reason of one group.  *changed (may be NULL): whether
 * the group went from up to down or back.  ENOMEM leaves h as it was. */
int  surv_health_set(struct surv_health *h, long long id, unsigned reason, bool on, bool *changed);
unsigned surv_health_reasons(const struct surv_health *h, long long id);
/* The down groups' ids into ids (at most max); how many there are. */
size_t surv_health_down(const struct surv_health *h, long long *ids, size_t max);
/* Forget groups that are not in ids (a new configuration dropped them). */
void surv_health_keep(struct surv_health *h, const long long *ids, size_t n);
void surv_health_free(struct surv_health *h);

/* A span group is down when it has member spans and none has its D channel
 * up.  link_up(arg, span_id) says whether one has. */
bool surv_span_group_down(const struct tg_config *cfg, long long group_id,
			  bool (*link_up)(void *arg, long long span_id), void *arg);

#endif
