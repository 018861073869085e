/*
 * health.c -- the down set of trunk groups and the span-group rule (see
 * surv_int.h).  Pure: the caller (surv.c, main thread; the unit tests) owns
 * the state.  O(groups) per operation: a gateway has tens of groups.
 */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "surv_int.h"
#include "tg_config.h"

static struct surv_group_health *find(const struct surv_health *h, long long id)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i].id == id)
			return &h->v[i];
	return NULL;
}

int surv_health_set(struct surv_health *h, long long id, unsigned reason, bool on, bool *changed)
{
	struct surv_group_health *g = find(h, id);
	unsigned was = g ? g->reasons : 0, now = on ? was | reason : was & ~reason;

	if (changed)
		*changed = (was != 0) != (now != 0);
	if (now == was)
		return 0;
	if (!g) {
		if (h->n == h->cap) {
			size_t cap = h->cap ? h->cap * 2 : 8;
			struct surv_group_health *v = realloc(h->v, cap * sizeof(*v));

			if (!v) {
				if (changed)
					*changed = false;
				return ENOMEM;
			}
			h->v = v;
			h->cap = cap;
		}
		g = &h->v[h->n++];
		g->id = id;
	}
	g->reasons = now;
	if (!now) {             /* up: drop it, keeping the order of the rest */
		size_t i = (size_t)(g - h->v);

		memmove(&h->v[i], &h->v[i + 1], (h->n - i - 1) * sizeof(*g));
		h->n--;
	}
	return 0;
}

unsigned surv_health_reasons(const struct surv_health *h, long long id)
{
	const struct surv_group_health *g = find(h, id);

	return g ? g->reasons : 0;
}

size_t surv_health_down(const struct surv_health *h, long long *ids, size_t max)
{
	for (size_t i = 0; i < h->n && i < max; i++)
		ids[i] = h->v[i].id;
	return h->n;
}

void surv_health_keep(struct surv_health *h, const long long *ids, size_t n)
{
	size_t out = 0;

	for (size_t i = 0; i < h->n; i++) {
		bool keep = false;

		for (size_t k = 0; k < n && !keep; k++)
			keep = ids[k] == h->v[i].id;
		if (keep)
			h->v[out++] = h->v[i];
	}
	h->n = out;
}

void surv_health_free(struct surv_health *h)
{
	free(h->v);
	memset(h, 0, sizeof(*h));
}

bool surv_span_group_down(const struct tg_config *cfg, long long group_id,
			  bool (*link_up)(void *arg, long long span_id), void *arg)
{
	bool members = false;

	for (size_t i = 0; i < cfg->nmembers; i++) {
		if (cfg->members[i].group_id != group_id)
			continue;
		members = true;
		if (link_up(arg, cfg->members[i].span_id))
			return false;
	}
	return members;
}
