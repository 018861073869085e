/*
 * route_stub_for_api.c -- TEMPORARY STUB of route.h, only so the routing API
 * branch (routeapi) links and its tests run before the routing module is
 * merged.  DELETE THIS FILE AT MERGE and list the real daemon/route sources
 * in daemon/route/Makefile.inc instead.
 *
 * What it does: the four small parsers (numbers, days, HH:MM, failover
 * causes) are done plainly, so the API's field validation can be tested;
 * everything that is real routing is NOT: checks accept everything, a table
 * is an empty shell, and route_decide always answers "no route" (cause 3)
 * with a step saying it is the stub.  The route-test assertions that need real
 * routing are in tests/integration/test_routing_api.sh under TG_ROUTE_REAL.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sofia-sip/su_alloc.h>

#include "route.h"

struct route_table {
	su_home_t home[1];
};

int route_table_build(struct route_table **tp, const struct route_config *cfg, char *err,
		      size_t errlen)
{
	struct route_table *t = su_home_new(sizeof(*t));

	if (!t)
		return ENOMEM;
	*tp = t;
	return 0;
}

void route_table_ref(struct route_table *t)
{
	su_home_ref(t->home);
}

void route_table_unref(struct route_table *t)
{
	if (t)
		su_home_unref(t->home);
}

int route_rule_check(const struct route_rule *r, const char **field, char *err, size_t errlen)
{
	return 0;
}

int route_range_check(const struct route_range *r, const char **field, char *err, size_t errlen)
{
	return 0;
}

bool route_number_valid(const char *s)
{
	size_t n;

	if (*s == '+')
		s++;
	n = strlen(s);
	return n >= 1 && n <= 32 && strspn(s, "0123456789*#") == n;
}

void route_decide(const struct route_table *t, const struct route_query *q, struct route_decision *d)
{
	memset(d, 0, sizeof(*d));
	d->outcome = ROUTE_NO_ROUTE;
	d->cause = 3;
	d->called_in = q->called;
	d->calling_in = q->calling;
	d->nsteps = 1;
	snprintf(d->steps[0], sizeof(d->steps[0]), "stub: the routing module is not merged yet");
}

bool route_should_failover(const struct route_dest *d, int cause_or_status)
{
	for (unsigned i = 0; i < d->nfailover; i++)
		if (d->failover[i] == cause_or_status)
			return true;
	return false;
}

const struct route_group *route_group_by_id(const struct route_table *t, long long id)
{
	return NULL;
}

const struct route_range *route_range_lookup(const struct route_table *t, const char *number)
{
	return NULL;
}

size_t route_table_memory(const struct route_table *t)
{
	return sizeof(*t);
}

int route_failover_parse(const char *s, struct route_dest *d, char *err, size_t errlen)
{
	char *end;

	d->nfailover = 0;
	while (*s) {
		long v = strtol(s, &end, 10);

		if (end == s || (*end && *end != ',') || !((v >= 1 && v <= 127) || (v >= 300 && v <= 699)) ||
		    d->nfailover == 32) {
			snprintf(err, errlen, "\"%.*s\" is not a Q.850 cause (1..127) or SIP status "
				 "(300..699)", (int)strcspn(s, ","), s);
			return EINVAL;
		}
		d->failover[d->nfailover++] = (uint16_t)v;
		s = *end ? end + 1 : end;
	}
	return 0;
}

static int day_index(const char *s, size_t n)
{
	static const char *const days[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

	for (int i = 0; i < 7; i++)
		if (n == 3 && !strncmp(s, days[i], 3))
			return i;
	return -1;
}

int route_days_parse(const char *s, unsigned *days)
{
	unsigned set = 0;

	while (*s) {
		size_t n = strcspn(s, ",");
		const char *dash = memchr(s, '-', n);
		int a = day_index(s, dash ? (size_t)(dash - s) : n);
		int b = dash ? day_index(dash + 1, n - (size_t)(dash - s) - 1) : a;

		if (a < 0 || b < 0)
			return EINVAL;
		for (int i = a;; i = (i + 1) % 7) {
			set |= 1u << i;
			if (i == b)
				break;
		}
		s += n;
		if (*s)
			s++;
	}
	*days = set;
	return 0;
}

int route_time_parse(const char *s, int *minute)
{
	int h, m;

	if (strlen(s) != 5 || s[2] != ':' || strspn(s, "0123456789") != 2 ||
	    strspn(s + 3, "0123456789") != 2)
		return EINVAL;
	h = (s[0] - '0') * 10 + s[1] - '0';
	m = (s[3] - '0') * 10 + s[4] - '0';
	if (h > 23 || m > 59)
		return EINVAL;
	*minute = h * 60 + m;
	return 0;
}
