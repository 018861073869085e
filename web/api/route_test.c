/*
 * route_test.c -- POST /api/v1/route-test: where would a call go?  The
 * routing configuration is loaded from the database with db_routing_load,
 * built with route_table_build and asked with route_decide: the same loader,
 * the same build and the same decision the daemon makes for real calls under
 * that generation, with every step explained.
 *
 * The request names the source group, the numbers, optionally the local time
 * ("2026-11-24T09:30", default now), a random draw for weighted sharing
 * (default random; the answer echoes it, so a decision can be replayed) and
 * groups to treat as down on top of those the daemon has down now (its
 * survivability view, from the status snapshot: the same down set real
 * calls are routed with; "live_down": false leaves it out).  Group
 * names are resolved in the loaded configuration itself, so the names and
 * the table come from one snapshot.  HTTP threads; nothing is written.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef HAVE_GETRANDOM
#include <sys/random.h>
#endif
#include <sofia-sip/su_alloc.h>

#define LOG_MODULE "api"
#include "log.h"
#include "api.h"
#include "route.h"
#include "routing_int.h"
#include "status/status.h"
#include "tg.h"

#define REQ_MAX_DOWN 64                 /* down_groups in the request */
#define MAX_DOWN (REQ_MAX_DOWN + STATUS_MAX_GROUPS)

struct test_req {
	char source_group[33];
	char called[33], calling[33];
	char time[17];                  /* "" = now */
	json_t *down;                   /* borrowed from the body */
	bool draw_given;
	uint32_t draw;
	bool ignore_live;               /* "live_down": false */
};

static const char *const outcomes[] = {
	[ROUTE_OK] = "ok", [ROUTE_NO_ROUTE] = "no_route", [ROUTE_UNALLOCATED] = "unallocated",
	[ROUTE_ALL_DOWN] = "all_down", [ROUTE_FORWARD] = "forward",
};

static bool bad(char *field, const char *name, char *msg, size_t len, const char *text)
{
	return api_rt_bad(field, name, msg, len, "%s %s", name, text);
}

/* The body, every field checked and named. */
static bool parse(json_t *body, struct test_req *q, char *field, char *msg, size_t len)
{
	const char *key;
	json_t *v;

	json_object_foreach(body, key, v) {
		char *dst = NULL;
		size_t dstlen = 0;

		if (!strcmp(key, "source_group")) {
			dst = q->source_group;
			dstlen = sizeof(q->source_group);
		} else if (!strcmp(key, "called")) {
			dst = q->called;
			dstlen = sizeof(q->called);
		} else if (!strcmp(key, "calling")) {
			dst = q->calling;
			dstlen = sizeof(q->calling);
		} else if (!strcmp(key, "time")) {
			dst = q->time;
			dstlen = sizeof(q->time);
		} else if (!strcmp(key, "down_groups")) {
			if (!json_is_array(v) || json_array_size(v) > REQ_MAX_DOWN)
				return bad(field, key, msg, len, "must be a list of trunk group names");
			q->down = v;
			continue;
		} else if (!strcmp(key, "live_down")) {
			if (!json_is_boolean(v))
				return bad(field, key, msg, len, "must be true or false");
			q->ignore_live = json_is_false(v);
			continue;
		} else if (!strcmp(key, "draw")) {
			if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			    json_integer_value(v) > UINT32_MAX)
				return bad(field, key, msg, len, "must be an integer 0..4294967295");
			q->draw = (uint32_t)json_integer_value(v);
			q->draw_given = true;
			continue;
		} else {
			return api_rt_bad(field, key, msg, len, "unknown field \"%s\"", key);
		}
		if (!json_is_string(v) || json_string_length(v) >= dstlen)
			return api_rt_bad(field, key, msg, len, "%s must be a string of up to %zu characters",
					  key, dstlen - 1);
		tg_strlcpy(dst, json_string_value(v), dstlen);
	}
	if (!q->source_group[0])
		return bad(field, "source_group", msg, len, "is required (the trunk group the call comes in on)");
	if (!q->called[0])
		return bad(field, "called", msg, len, "is required");
	return api_rt_number_ok(q->called, "called", field, msg, len) &&
	       api_rt_number_ok(q->calling, "calling", field, msg, len);
}

/* "YYYY-MM-DDTHH:MM" local time (or now) to weekday (0 = Monday) and minute. */
static bool when(const char *s, int *weekday, int *minute, char *out, size_t outlen)
{
	struct tm tm = { 0 };
	int y, mo, d, h, mi, n = 0;
	time_t now;

	if (!s[0]) {
		now = time(NULL);
		localtime_r(&now, &tm);
	} else {
		if (strlen(s) != 16 || sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5 ||
		    n != 16 || h > 23 || mi > 59)
			return false;
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		tm.tm_hour = 12;        /* noon: no DST change moves the date */
		tm.tm_isdst = -1;
		if (mktime(&tm) == (time_t)-1 || tm.tm_mday != d || tm.tm_mon != mo - 1)
			return false;   /* 2026-02-30 */
		tm.tm_hour = h;         /* the wall clock asked for, even in a DST gap */
		tm.tm_min = mi;
	}
	*weekday = (tm.tm_wday + 6) % 7;
	*minute = tm.tm_hour * 60 + tm.tm_min;
	snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min);
	return true;
}

static uint32_t random_draw(void)
{
	uint32_t v = 0;

#ifdef HAVE_GETRANDOM
	if (getrandom(&v, sizeof(v), 0) == sizeof(v))
		return v;
#endif
	return (uint32_t)rand();
}

static const struct route_group *group_named(const struct route_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->ngroups; i++)
		if (!strcmp(cfg->groups[i].name, name))
			return &cfg->groups[i];
	return NULL;
}

static const char *group_name(const struct route_config *cfg, long long id)
{
	for (size_t i = 0; i < cfg->ngroups; i++)
		if (cfg->groups[i].id == id)
			return cfg->groups[i].name;
	return NULL;
}

static json_t *str_or_null(const char *s)
{
	return s && s[0] ? json_string(s) : json_null();
}

static json_t *decision_json(const struct route_config *cfg, const struct route_decision *d,
			     unsigned long long gen, const char *time, uint32_t draw)
{
	json_t *o = json_object(), *targets = json_array(), *steps = json_array();

	json_object_set_new(o, "generation", json_integer((json_int_t)gen));
	json_object_set_new(o, "outcome", json_string((unsigned)d->outcome < TG_ARRAY_SIZE(outcomes) &&
						       outcomes[d->outcome] ? outcomes[d->outcome] : "unknown"));
	json_object_set_new(o, "cause", d->outcome == ROUTE_OK ? json_null() : json_integer(d->cause));
	json_object_set_new(o, "route", str_or_null(d->route ? d->route->name : NULL));
	json_object_set_new(o, "range", str_or_null(d->range ? d->range->name : NULL));
	json_object_set_new(o, "called_in", json_string(d->called_in.digits));
	json_object_set_new(o, "calling_in", json_string(d->calling_in.digits));
	for (unsigned i = 0; i < d->ntargets && i < TG_ARRAY_SIZE(d->targets); i++) {
		const struct route_target *t = &d->targets[i];
		const char *g = t->group_name ? t->group_name : group_name(cfg, t->group_id);

		json_array_append_new(targets, json_pack("{s:o, s:s, s:s, s:b}", "group", str_or_null(g),
					"called", t->called.digits, "calling", t->calling.digits,
					"survivability", t->survivability));
	}
	json_object_set_new(o, "targets", targets);
	json_object_set_new(o, "forward", str_or_null(d->forward));
	for (unsigned i = 0; i < d->nsteps && i < ROUTE_MAX_STEPS; i++)
		json_array_append_new(steps, json_string(d->steps[i]));
	json_object_set_new(o, "steps", steps);
	json_object_set_new(o, "time", json_string(time));
	json_object_set_new(o, "draw", json_integer(draw));
	return o;
}

/* Load, resolve the names, build, decide: one read snapshot. */
static enum MHD_Result run(struct web_req *r, struct db *db, const struct test_req *tq)
{
	char field[API_FIELD_LEN] = "", err[ROUTE_ERR_LEN] = "", when_s[24];
	struct route_table *t = NULL;
	struct route_decision *d;
	struct route_query q = { 0 };
	struct route_config cfg;
	const struct route_group *src;
	long long down[MAX_DOWN];
	unsigned long long gen = 0;
	enum MHD_Result mrc;
	su_home_t *home;
	int rc;

	if (!when(tq->time, &q.weekday, &q.minute, when_s, sizeof(when_s)))
		return web_reply_error(r, 400, "invalid_field", "time", "time \"%s\" is not a local "
				       "time YYYY-MM-DDTHH:MM (2026-11-24T09:30)", tq->time);
	home = su_home_new(sizeof(*home));
	if (!home)
		return web_reply_error(r, 500, "internal", NULL, "out of memory");
	rc = db_routing_load(db, &cfg, home, &gen, err, sizeof(err));
	if (rc) {
		mrc = web_reply_error(r, 500, "internal", NULL, "%s", err);
		goto out;
	}
	src = group_named(&cfg, tq->source_group);
	if (!src) {
		mrc = web_reply_error(r, 400, "invalid_field", "source_group",
				      "source_group: no trunk group named %s", tq->source_group);
		goto out;
	}
	for (size_t i = 0; tq->down && i < json_array_size(tq->down); i++) {
		json_t *v = json_array_get(tq->down, i);
		const struct route_group *g = json_is_string(v) ? group_named(&cfg, json_string_value(v)) : NULL;

		snprintf(field, sizeof(field), "down_groups[%zu]", i);
		if (!g) {
			mrc = json_is_string(v) ?
			      web_reply_error(r, 400, "invalid_field", field, "%s: no trunk group named %s",
					      field, json_string_value(v)) :
			      web_reply_error(r, 400, "invalid_field", field, "%s must be a trunk group name",
					      field);
			goto out;
		}
		down[q.ndown++] = g->id;
	}
	if (!tq->ignore_live) {
		struct status *st = su_alloc(home, sizeof(*st));       /* large: not on the stack */

		if (!st) {
			mrc = web_reply_error(r, 500, "internal", NULL, "out of memory");
			goto out;
		}
		status_get(st);
		for (unsigned i = 0; i < st->ngroups && q.ndown < MAX_DOWN; i++)
			if (st->groups[i].down)
				down[q.ndown++] = st->groups[i].id;
	}
	q.down_groups = down;
	q.source_group_id = src->id;
	tg_strlcpy(q.called.digits, tq->called, sizeof(q.called.digits));
	tg_strlcpy(q.calling.digits, tq->calling, sizeof(q.calling.digits));
	q.called.ton = q.called.npi = q.called.presentation = -1;
	q.calling.ton = q.calling.npi = q.calling.presentation = -1;
	q.draw = tq->draw_given ? tq->draw : random_draw();
	rc = route_table_build(&t, &cfg, err, sizeof(err));
	if (rc) {
		/* the daemon keeps its previous generation in this case */
		mrc = web_reply_error(r, 409, "invalid_config", NULL, "generation %llu does not build "
				      "into a routing table: %s", gen, err);
		goto out;
	}
	d = su_zalloc(home, sizeof(*d));
	if (!d) {
		mrc = web_reply_error(r, 500, "internal", NULL, "out of memory");
		goto out;
	}
	route_decide(t, &q, d);
	mrc = web_reply_json(r, 200, decision_json(&cfg, d, gen, when_s, q.draw));
 out:
	route_table_unref(t);
	su_home_unref(home);
	return mrc;
}

enum MHD_Result api_route_test(struct web_req *r)
{
	struct test_req tq = { 0 };
	char field[API_FIELD_LEN] = "", msg[300];
	struct db *db = web_db(r);
	enum MHD_Result mrc;
	json_t *body;

	if (!db)
		return web_reply_error(r, 500, "internal", NULL, "database unavailable");
	body = web_body_object(r, &mrc);
	if (!body)
		return mrc;
	if (!parse(body, &tq, field, msg, sizeof(msg)))
		mrc = web_reply_error(r, 400, "invalid_field", field, "%s", msg);
	else
		mrc = run(r, db, &tq);
	json_decref(body);
	return mrc;
}
