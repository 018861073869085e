/*
 * route_fixture.h -- helpers for the route tests: a fixed set of trunk
 * groups, building a table from arrays, and making queries.
 */
#ifndef TG_ROUTE_FIXTURE_H
#define TG_ROUTE_FIXTURE_H

#include "route.h"

enum {
	G_CARRIER = 1,          /* "carrier": PSTN span */
	G_PBX = 2,              /* "pbx": PBX span */
	G_LYNC = 3,             /* "lync": Mediation Server (SIP) */
	G_ITSP = 4,             /* "itsp": SIP trunk */
	G_FAX = 5,              /* "fax": analog ports */
	G_PSTN2 = 6,            /* "pstn2": second carrier span */
	G_SIP_A = 7,            /* "sip-a", "sip-b", "sip-c": weighted SIP hops */
	G_SIP_B = 8,
	G_SIP_C = 9,
};

extern const struct route_group fx_groups[];
extern const size_t fx_ngroups;

/* Build with the fixed groups; on failure the message is printed as a TAP
 * comment when `quiet` is false. */
int fx_build(struct route_table **tp, const struct route_range *ranges, size_t nranges,
	     const struct route_rule *rules, size_t nrules, const struct route_route *routes,
	     size_t nroutes, char *err, size_t errlen);
/* A query from src at Monday 12:00 with draw 0, nothing down. */
void fx_query(struct route_query *q, long long src, const char *called, const char *calling);
/* Does any step contain s? */
bool fx_step_has(const struct route_decision *d, const char *s);
void fx_steps_print(const struct route_decision *d);
/* A deterministic PRNG (xorshift32) for draws and random configs. */
uint32_t fx_rand(uint32_t *state);

#endif
