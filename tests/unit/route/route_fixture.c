/*
 * route_fixture.c -- helpers for the route tests (see route_fixture.h).
 */
#include "config.h"
#include <stdio.h>
#include <string.h>

#include "route_fixture.h"

const struct route_group fx_groups[] = {
	{ G_CARRIER, "carrier", ROUTE_GROUP_SPAN, 0 },
	{ G_PBX, "pbx", ROUTE_GROUP_SPAN, 0 },
	{ G_LYNC, "lync", ROUTE_GROUP_SIP, 0 },
	{ G_ITSP, "itsp", ROUTE_GROUP_SIP, 0 },
	{ G_FAX, "fax", ROUTE_GROUP_ANALOG, 0 },
	{ G_PSTN2, "pstn2", ROUTE_GROUP_SPAN, 0 },
	{ G_SIP_A, "sip-a", ROUTE_GROUP_SIP, 0 },
	{ G_SIP_B, "sip-b", ROUTE_GROUP_SIP, 0 },
	{ G_SIP_C, "sip-c", ROUTE_GROUP_SIP, 0 },
};
const size_t fx_ngroups = sizeof(fx_groups) / sizeof(fx_groups[0]);

int fx_build(struct route_table **tp, const struct route_range *ranges, size_t nranges,
	     const struct route_rule *rules, size_t nrules, const struct route_route *routes,
	     size_t nroutes, char *err, size_t errlen)
{
	struct route_config cfg = {
		.groups = fx_groups, .ngroups = fx_ngroups,
		.ranges = ranges, .nranges = nranges,
		.rules = rules, .nrules = nrules,
		.routes = routes, .nroutes = nroutes,
	};

	return route_table_build(tp, &cfg, err, errlen);
}

static void number_set(struct route_number *n, const char *s)
{
	memset(n, 0, sizeof(*n));
	snprintf(n->digits, sizeof(n->digits), "%s", s ? s : "");
	n->ton = -1;
	n->npi = -1;
	n->presentation = -1;
}

void fx_query(struct route_query *q, long long src, const char *called, const char *calling)
{
	memset(q, 0, sizeof(*q));
	q->source_group_id = src;
	number_set(&q->called, called);
	number_set(&q->calling, calling);
	q->weekday = 0;
	q->minute = 12 * 60;
}

bool fx_step_has(const struct route_decision *d, const char *s)
{
	for (unsigned i = 0; i < d->nsteps; i++)
		if (strstr(d->steps[i], s))
			return true;
	return false;
}

void fx_steps_print(const struct route_decision *d)
{
	for (unsigned i = 0; i < d->nsteps; i++)
		printf("#   step: %s\n", d->steps[i]);
}

uint32_t fx_rand(uint32_t *state)
{
	uint32_t x = *state ? *state : 2463534242u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}
