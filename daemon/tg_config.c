/*
 * tg_config.c -- loading a configuration snapshot (see tg_config.h).  The
 * generation and the rows are read in one read transaction, so a snapshot
 * never mixes two generations.  Any one thread with its own database
 * connection: the main thread at start, then the loader thread (tg_loader.c).
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "db.h"
#include "route.h"
#include "tg_config.h"

static bool pick(const char *s, const char *const *names, int *out)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return true;
		}
	return false;
}

/* A stored span row into its typed form; false with a message if a value
 * the API would never write is there (a hand-edited database). */
static bool span_typed(struct tg_config *c, const struct db_span *d, struct tg_config_span *t,
		       char *err, size_t errlen)
{
	static const char *const types[] = { "T1", "E1", NULL };
	static const char *const framings[] = { "ESF", "D4", "CCS", "CAS", NULL };
	static const char *const codes[] = { "B8ZS", "AMI", "HDB3", NULL };
	static const char *const clocks[] = { "line", "internal", NULL };
	int type, framing, code, clock;

	memset(t, 0, sizeof(*t));
	t->id = d->id;
	t->name = su_strdup(c->home, d->name);
	t->enabled = d->enabled;
	t->driver = su_strdup(c->home, d->driver);
	t->test_number = su_strdup(c->home, d->test_number);
	t->sim_attach = su_strdup(c->home, d->sim_attach);
	t->echo_tail_ms = d->echo_tail_ms;
	if (!pick(d->type, types, &type) || !pick(d->framing, framings, &framing) ||
	    !pick(d->line_code, codes, &code) || !pick(d->clock_source, clocks, &clock) ||
	    !isdn_switch_parse(d->switch_type, &t->isdn.sw) ||
	    !isdn_side_parse(d->pri_side, &t->isdn.side) ||
	    !isdn_hunting_parse(d->hunting, &t->isdn.hunting)) {
		snprintf(err, errlen, "span %s: a stored value is not valid", d->name);
		return false;
	}
	t->hw.name = t->name;
	t->hw.position = d->position;
	t->hw.type = (enum hw_span_type)type;
	t->hw.framing = (enum hw_framing)framing;
	t->hw.line_code = (enum hw_line_code)code;
	t->hw.crc4 = d->crc4;
	t->hw.clock = (enum hw_clock)clock;
	t->hw.signalling = HW_SIG_PRI;
	t->hw.frame_ms = HW_FRAME_MS_DEFAULT;
	t->isdn.name = t->name;
	t->isdn.type = t->hw.type;
	t->isdn.debug = d->debug;
	return true;
}

static bool str_eq(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

bool tg_config_span_equal(const struct tg_config_span *a, const struct tg_config_span *b)
{
	return a->id == b->id && str_eq(a->name, b->name) && a->enabled == b->enabled &&
	       str_eq(a->driver, b->driver) && str_eq(a->test_number, b->test_number) &&
	       str_eq(a->sim_attach, b->sim_attach) && a->hw.position == b->hw.position &&
	       a->hw.type == b->hw.type && a->hw.framing == b->hw.framing &&
	       a->hw.line_code == b->hw.line_code && a->hw.crc4 == b->hw.crc4 &&
	       a->hw.clock == b->hw.clock && a->hw.frame_ms == b->hw.frame_ms &&
	       a->isdn.sw == b->isdn.sw && a->isdn.side == b->isdn.side &&
	       a->isdn.hunting == b->isdn.hunting && a->isdn.debug == b->isdn.debug;
}

static int load_members(struct tg_config *c, struct db *db)
{
	struct db_span_member *v = NULL;
	size_t n = 0;
	int rc;

	rc = db_span_members(db, &v, &n);
	if (rc)
		return rc;
	c->members = su_zalloc(c->home, (n ? n : 1) * sizeof(*c->members));
	if (!c->members) {
		free(v);
		return ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		c->members[i].group_id = v[i].group_id;
		snprintf(c->members[i].group, sizeof(c->members[i].group), "%s", v[i].group);
		c->members[i].span_id = v[i].span_id;
		c->members[i].first_channel = v[i].first_channel;
		c->members[i].last_channel = v[i].last_channel;
	}
	c->nmembers = n;
	free(v);
	return 0;
}

static int load_bypass(struct tg_config *c, struct db *db, char *err, size_t errlen)
{
	static const char *const modes[] = { "auto", "engaged", "released", NULL };
	struct db_bypass_pair *v = NULL;
	size_t n = 0;
	int rc, mode;

	rc = db_bypass_list(db, &v, &n);
	if (rc)
		return rc;
	c->bypass = su_zalloc(c->home, (n ? n : 1) * sizeof(*c->bypass));
	if (!c->bypass) {
		free(v);
		return ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		if (!pick(v[i].mode, modes, &mode)) {
			snprintf(err, errlen, "bypass pair %s: mode %s is not valid", v[i].name, v[i].mode);
			free(v);
			return EINVAL;
		}
		c->bypass[i] = (struct tg_config_bypass){
			.id = v[i].id, .name = su_strdup(c->home, v[i].name),
			.span_a = v[i].span_a_id, .span_b = v[i].span_b_id,
			.mode = (enum tg_bypass_mode)mode,
		};
	}
	c->nbypass = n;
	free(v);
	return 0;
}

/* Busy-out groups by name to ids, once the groups are loaded. */
static int resolve_busy_out(struct tg_config *c, const struct db_span *v, size_t n, char *err,
			    size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		struct tg_config_span *t = &c->spans[i];

		t->busy_out_service = !strcmp(v[i].busy_out_method, "service");
		if (!v[i].busy_out_group[0])
			continue;
		for (size_t g = 0; g < c->ngroups && !t->busy_out_group_id; g++)
			if (!strcmp(c->groups[g].name, v[i].busy_out_group))
				t->busy_out_group_id = c->groups[g].id;
		if (!t->busy_out_group_id) {
			snprintf(err, errlen, "span %s: busy_out_group %s does not exist", v[i].name,
				 v[i].busy_out_group);
			return EINVAL;
		}
	}
	return 0;
}

static int load_spans(struct tg_config *c, struct db *db, char *err, size_t errlen)
{
	struct db_span *v = NULL;
	size_t n = 0;
	int rc;

	rc = db_span_list(db, &v, &n);
	if (rc)
		return rc;
	c->spans = su_zalloc(c->home, (n ? n : 1) * sizeof(*c->spans));
	if (!c->spans) {
		free(v);
		return ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		if (!span_typed(c, &v[i], &c->spans[i], err, errlen)) {
			free(v);
			return EINVAL;
		}
	}
	c->nspans = n;
	rc = resolve_busy_out(c, v, n, err, errlen);
	free(v);
	return rc;
}

/* Numeric settings: absent is the default; a stored value the API would
 * never write (a hand-edited database) fails the load. */
static int load_numbers(struct tg_config *c, struct db *db, char *err, size_t errlen)
{
	static const struct {
		const char *key;
		size_t off;
		unsigned def, max;
	} numbers[] = {
		{ "no_answer_timeout", offsetof(struct tg_config, no_answer_timeout_s),
		  CALL_NO_ANSWER_DEFAULT_S, CALL_NO_ANSWER_MAX_S },
		{ "max_call_duration", offsetof(struct tg_config, max_call_duration_s),
		  0, CALL_MAX_DURATION_MAX_S },
		{ "sip_rate_limit", offsetof(struct tg_config, sip_rate_limit),
		  TG_SIP_RATE_LIMIT_DEFAULT, TG_SIP_RATE_MAX },
		{ "sip_rate_burst", offsetof(struct tg_config, sip_rate_burst),
		  TG_SIP_RATE_BURST_DEFAULT, TG_SIP_RATE_MAX },
	};

	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		unsigned *p = (unsigned *)((char *)c + numbers[i].off);
		char v[32] = "", *end;
		unsigned long n;
		int rc = db_setting_get(db, numbers[i].key, v, sizeof(v));

		if (rc == ENOENT) {
			*p = numbers[i].def;
			continue;
		}
		if (rc)
			return rc;
		errno = 0;
		n = strtoul(v, &end, 10);
		if (!v[0] || *end || errno || v[0] == '-' || n > numbers[i].max) {
			snprintf(err, errlen, "setting %s: stored value \"%s\" is not 0..%u",
				 numbers[i].key, v, numbers[i].max);
			return EINVAL;
		}
		*p = (unsigned)n;
	}
	return 0;
}

static void config_destructor(void *arg)
{
	route_table_unref(((struct tg_config *)arg)->routes);
}

int tg_config_load(struct tg_config **cfgp, struct db *db, char *err, size_t errlen)
{
	static const struct {
		const char *key;
		size_t off;
	} strings[] = {
		{ "system_name", offsetof(struct tg_config, system_name) },
		{ "location", offsetof(struct tg_config, location) },
		{ "contact", offsetof(struct tg_config, contact) },
	};
	struct tg_config *c;
	int rc;

	c = su_home_new(sizeof(*c));
	if (!c)
		return ENOMEM;
	su_home_destructor(c->home, config_destructor);
	err[0] = '\0';
	rc = db_read_begin(db);
	if (rc) {
		snprintf(err, errlen, "cannot read configuration: %s", db_errmsg(db));
		goto out;
	}
	rc = db_config_generation(db, &c->generation, &c->changed_at_ms);
	for (size_t i = 0; !rc && i < sizeof(strings) / sizeof(strings[0]); i++) {
		char v[1024] = "";
		int grc = db_setting_get(db, strings[i].key, v, sizeof(v));

		if (grc && grc != ENOENT)
			rc = grc;
		*(const char **)((char *)c + strings[i].off) = su_strdup(c->home, v);
	}
	if (!rc)
		rc = load_numbers(c, db, err, errlen);
	if (!rc) {
		/* The routing table of this generation: the same loader and build
		 * the API's write check and route tester use. */
		struct route_config rcfg;

		rc = db_routing_load(db, &rcfg, c->home, NULL, err, errlen);
		if (!rc)
			rc = route_table_build(&c->routes, &rcfg, err, errlen);
		if (!rc) {
			c->groups = rcfg.groups;        /* from c->home */
			c->ngroups = rcfg.ngroups;
		}
	}
	if (!rc)
		rc = load_spans(c, db, err, errlen);
	if (!rc)
		rc = load_members(c, db);
	if (!rc)
		rc = load_bypass(c, db, err, errlen);
	if (!rc)
		rc = tg_config_load_sip(c, db);
	db_read_end(db);
	if (rc && !err[0])
		snprintf(err, errlen, "cannot read configuration: %s", db_errmsg(db));
 out:
	if (rc)
		su_home_unref(c->home);
	else
		*cfgp = c;
	return rc;
}
