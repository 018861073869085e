/*
 * trunk_profile.c -- interop profiles and the effective settings of a SIP
 * trunk (see trunk_profile.h and docs/sip.md).  Pure: no state, any thread.
 */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trunk_profile.h"

static const struct {
	const char *name;
	struct trunk_interop ti;
} profiles[] = {
	{ "generic", {
		.rel100 = TRUNK_100REL_OFF, .session_timer = 0, .early = TRUNK_EARLY_INBAND,
		.identity = TRUNK_IDENT_PAI, .number = TRUNK_NUM_ASIS, .uri = TRUNK_URI_SIP,
		.refer = TRUNK_REFER_REJECT, .redirect = TRUNK_REDIR_FOLLOW,
		.diversion = TRUNK_DIV_DIVERSION } },
	/* Lync/Skype for Business Mediation Server: 183 at once (fast failover
	 * timer), E.164 with ;user=phone, History-Info (ForwardCallHistory),
	 * REFER acted on (EnableReferSupport). */
	{ "lync2013", {
		.rel100 = TRUNK_100REL_OFF, .session_timer = 0, .early = TRUNK_EARLY_IMMEDIATE,
		.identity = TRUNK_IDENT_PAI, .number = TRUNK_NUM_E164, .uri = TRUNK_URI_PHONE,
		.refer = TRUNK_REFER_ACT, .redirect = TRUNK_REDIR_FOLLOW,
		.diversion = TRUNK_DIV_HISTORY } },
	/* A carrier's SIP trunk: PRACK and session timers are common there,
	 * PAI and the older Remote-Party-ID both, E.164. */
	{ "itsp", {
		.rel100 = TRUNK_100REL_ON, .session_timer = 1800, .refresher = TRUNK_REFRESHER_US,
		.early = TRUNK_EARLY_INBAND, .identity = TRUNK_IDENT_BOTH, .number = TRUNK_NUM_E164,
		.uri = TRUNK_URI_PHONE, .refer = TRUNK_REFER_REJECT, .redirect = TRUNK_REDIR_RETURN,
		.diversion = TRUNK_DIV_DIVERSION } },
};

bool trunk_profile_valid(const char *name)
{
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
		if (!strcmp(profiles[i].name, name))
			return true;
	return false;
}

/* value -> index into names, -1 if none. */
static int pick(const char *v, const char *const *names)
{
	for (int i = 0; names[i]; i++)
		if (!strcmp(v, names[i]))
			return i;
	return -1;
}

static bool parse_uint(const char *v, unsigned min, unsigned max, unsigned *out)
{
	char *end;
	unsigned long n;

	if (!isdigit((unsigned char)v[0]))
		return false;
	n = strtoul(v, &end, 10);
	if (*end || n < min || n > max)
		return false;
	*out = (unsigned)n;
	return true;
}

static bool set_cause(struct trunk_interop *ti, unsigned cause, unsigned status)
{
	for (unsigned i = 0; i < ti->ncauses; i++)
		if (ti->causes[i].cause == cause) {
			ti->causes[i].status = (uint16_t)status;
			return true;
		}
	if (ti->ncauses == TRUNK_CAUSES_MAX)
		return false;
	ti->causes[ti->ncauses].cause = (uint8_t)cause;
	ti->causes[ti->ncauses++].status = (uint16_t)status;
	return true;
}

static bool set_status(struct trunk_interop *ti, unsigned status, unsigned cause)
{
	for (unsigned i = 0; i < ti->nstatuses; i++)
		if (ti->statuses[i].status == status) {
			ti->statuses[i].cause = (uint8_t)cause;
			return true;
		}
	if (ti->nstatuses == TRUNK_CAUSES_MAX)
		return false;
	ti->statuses[ti->nstatuses].status = (uint16_t)status;
	ti->statuses[ti->nstatuses++].cause = (uint8_t)cause;
	return true;
}

static const char *const rel100_v[] = { "off", "on", "require", NULL };
static const char *const refresher_v[] = { "auto", "us", "peer", NULL };
static const char *const early_v[] = { "off", "inband", "immediate", NULL };
static const char *const identity_v[] = { "pai", "rpid", "both", "none", NULL };
static const char *const number_v[] = { "asis", "e164", NULL };
static const char *const uri_v[] = { "sip", "phone", "tel", NULL };
static const char *const refer_v[] = { "reject", "pass", "act", NULL };
static const char *const redirect_v[] = { "follow", "return", "fail", NULL };
static const char *const diversion_v[] = { "diversion", "history-info", "both", "none", NULL };
static const char *const transport_v[] = { "any", "udp", "tcp", "tls", NULL };

/* One "name=value" item; false with err filled. */
static bool apply_item(struct trunk_interop *ti, const char *name, const char *v, char *err,
		       size_t errlen)
{
	static const struct {
		const char *name;
		const char *const *values;
		size_t off;
	} enums[] = {
		{ "100rel", rel100_v, offsetof(struct trunk_interop, rel100) },
		{ "refresher", refresher_v, offsetof(struct trunk_interop, refresher) },
		{ "early_media", early_v, offsetof(struct trunk_interop, early) },
		{ "identity", identity_v, offsetof(struct trunk_interop, identity) },
		{ "number", number_v, offsetof(struct trunk_interop, number) },
		{ "uri", uri_v, offsetof(struct trunk_interop, uri) },
		{ "refer", refer_v, offsetof(struct trunk_interop, refer) },
		{ "redirect", redirect_v, offsetof(struct trunk_interop, redirect) },
		{ "diversion", diversion_v, offsetof(struct trunk_interop, diversion) },
	};
	unsigned n, status;

	for (size_t i = 0; i < sizeof(enums) / sizeof(enums[0]); i++) {
		int k;

		if (strcmp(name, enums[i].name))
			continue;
		k = pick(v, enums[i].values);
		if (k < 0) {
			int len = snprintf(err, errlen, "%s=%s: %s is one of", name, v, name);

			for (int j = 0; enums[i].values[j] && len > 0 && (size_t)len < errlen; j++)
				len += snprintf(err + len, errlen - (size_t)len, "%s %s",
						j ? "," : "", enums[i].values[j]);
			return false;
		}
		/* Every switch is an enum the size of an int. */
		*(int *)((char *)ti + enums[i].off) = k;
		return true;
	}
	if (!strcmp(name, "session_timer")) {
		if (!parse_uint(v, 0, 86400, &n) || (n && n < 90)) {
			snprintf(err, errlen, "session_timer=%s: seconds, 0 (off) or 90..86400", v);
			return false;
		}
		ti->session_timer = n;
		return true;
	}
	if (!strcmp(name, "transport")) {
		int k = pick(v, transport_v);

		if (k < 0) {
			snprintf(err, errlen, "transport=%s: any, udp, tcp or tls", v);
			return false;
		}
		snprintf(ti->transport, sizeof(ti->transport), "%s", k ? v : "");
		return true;
	}
	if (!strncmp(name, "cause.", 6)) {
		if (!parse_uint(name + 6, 1, 127, &n) || !parse_uint(v, 300, 699, &status)) {
			snprintf(err, errlen, "%s=%s: cause.N=STATUS with a Q.850 cause 1..127 and "
				 "a SIP status 300..699", name, v);
			return false;
		}
		if (!set_cause(ti, n, status)) {
			snprintf(err, errlen, "more than %d cause overrides", TRUNK_CAUSES_MAX);
			return false;
		}
		return true;
	}
	if (!strncmp(name, "status.", 7)) {
		if (!parse_uint(name + 7, 400, 699, &status) || !parse_uint(v, 1, 127, &n)) {
			snprintf(err, errlen, "%s=%s: status.S=CAUSE with a SIP status 400..699 and "
				 "a Q.850 cause 1..127", name, v);
			return false;
		}
		if (!set_status(ti, status, n)) {
			snprintf(err, errlen, "more than %d status overrides", TRUNK_CAUSES_MAX);
			return false;
		}
		return true;
	}
	snprintf(err, errlen, "unknown switch \"%s\" (100rel, session_timer, refresher, "
		 "early_media, identity, number, uri, refer, redirect, diversion, transport, "
		 "cause.N, status.S)", name);
	return false;
}

int trunk_interop_resolve(const struct trunk_interop_cols *c, struct trunk_interop *out, char *err,
			  size_t errlen)
{
	const char *p;
	size_t i;

	for (i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
		if (c->profile && !strcmp(profiles[i].name, c->profile))
			break;
	*out = profiles[i < sizeof(profiles) / sizeof(profiles[0]) ? i : 0].ti;
	if (i == sizeof(profiles) / sizeof(profiles[0])) {
		snprintf(err, errlen, "unknown profile \"%s\" (generic, lync2013, itsp)",
			 c->profile ? c->profile : "");
		return EINVAL;
	}
	if (c->prack && out->rel100 == TRUNK_100REL_OFF)
		out->rel100 = TRUNK_100REL_ON;
	if (c->session_timer)
		out->session_timer = c->session_timer;
	if (c->refer_mode && c->refer_mode[0] && strcmp(c->refer_mode, "reject")) {
		int k = pick(c->refer_mode, refer_v);

		if (k >= 0)
			out->refer = (enum trunk_refer)k;
	}
	for (p = c->interop ? c->interop : ""; *p;) {
		char item[80], *eq, *name, *v, *e;
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len >= sizeof(item)) {
			snprintf(err, errlen, "an item longer than %zu characters", sizeof(item) - 1);
			return EINVAL;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		p += len + (end ? 1 : 0);
		for (name = item; isspace((unsigned char)*name); name++)
			;
		for (e = name + strlen(name); e > name && isspace((unsigned char)e[-1]); e--)
			*--e = '\0';
		if (!*name) {
			if (!end && p > c->interop)
				break;
			snprintf(err, errlen, "an empty item");
			return EINVAL;
		}
		eq = strchr(name, '=');
		if (!eq) {
			snprintf(err, errlen, "\"%s\" is not name=value", name);
			return EINVAL;
		}
		*eq = '\0';
		for (e = eq; e > name && isspace((unsigned char)e[-1]); e--)
			*--e = '\0';
		for (v = eq + 1; isspace((unsigned char)*v); v++)
			;
		if (!apply_item(out, name, v, err, errlen))
			return EINVAL;
	}
	return 0;
}

int trunk_interop_status(const struct trunk_interop *ti, int cause, int dflt)
{
	for (unsigned i = 0; ti && i < ti->ncauses; i++)
		if (ti->causes[i].cause == cause)
			return ti->causes[i].status;
	return dflt;
}

int trunk_interop_cause(const struct trunk_interop *ti, int status, int dflt)
{
	for (unsigned i = 0; ti && i < ti->nstatuses; i++)
		if (ti->statuses[i].status == status)
			return ti->statuses[i].cause;
	return dflt;
}
