/*
 * trunk_hdr.c -- the header mapping of SIP legs as pure string work: numbers
 * in and out (E.164 with '+'), the URI forms (sip:, ;user=phone, tel:),
 * caller identity (P-Asserted-Identity, Remote-Party-ID, Privacy) and
 * redirection (Diversion, RFC 5806; History-Info, RFC 4244 with the RFC 4458
 * cause values).  trunk_call.c puts the results on the wire; docs/sip.md
 * shows what each switch changes.  No state, any thread.
 */
#include "config.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "trunk.h"
#include "trunk_profile.h"

void trunk_number_out(const struct trunk_interop *ti, const char *digits, int ton, char *out,
		      size_t len)
{
	bool plus = ti->number == TRUNK_NUM_E164 && ton == 1 && digits[0] && digits[0] != '+';

	snprintf(out, len, "%s%s", plus ? "+" : "", digits);
}

void trunk_number_in(const struct trunk_interop *ti, char *digits, int *ton, int *npi)
{
	if (ti->number != TRUNK_NUM_E164 || digits[0] != '+')
		return;
	memmove(digits, digits + 1, strlen(digits));
	*ton = 1;       /* international */
	*npi = 1;       /* E.164 */
}

static void escape_user(char *out, size_t len, const char *user)
{
	size_t n = 0;

	for (const char *p = user; *p && n + 4 < len; p++) {
		if (*p == '#') {
			memcpy(out + n, "%23", 3);
			n += 3;
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
}

void trunk_uri(char *out, size_t len, enum trunk_uri kind, const char *user, const char *host)
{
	char u[100];

	escape_user(u, sizeof(u), user);
	if (kind == TRUNK_URI_TEL)
		snprintf(out, len, "tel:%s", u);
	else
		snprintf(out, len, "sip:%s@%s%s", u, host,
			 kind == TRUNK_URI_PHONE ? ";user=phone" : "");
}

void trunk_identity_headers(const struct trunk_interop *ti, const char *uri, bool restricted,
			    char *out, size_t len)
{
	int n = 0;

	out[0] = '\0';
	if (!uri[0] || ti->identity == TRUNK_IDENT_NONE)
		return;
	if (ti->identity == TRUNK_IDENT_PAI || ti->identity == TRUNK_IDENT_BOTH)
		n += snprintf(out + n, len - (size_t)n, "P-Asserted-Identity: <%s>\r\n", uri);
	if ((size_t)n < len && (ti->identity == TRUNK_IDENT_RPID || ti->identity == TRUNK_IDENT_BOTH))
		n += snprintf(out + n, len - (size_t)n,
			      "Remote-Party-ID: <%s>;party=calling;screen=yes;privacy=%s\r\n", uri,
			      restricted ? "full" : "off");
	if ((size_t)n < len && restricted && ti->identity != TRUNK_IDENT_RPID)
		snprintf(out + n, len - (size_t)n, "Privacy: id\r\n");
}

bool trunk_rpid_restricted(const char *privacy)
{
	return privacy && (!strcasecmp(privacy, "full") || !strcasecmp(privacy, "uri"));
}

/* ---- redirection ---- */

static const struct {
	int reason;
	const char *name;       /* Diversion reason (RFC 5806) */
	int cause;              /* History-Info cause (RFC 4458) */
} redir[] = {
	{ 0, "unknown", 404 },
	{ 1, "user-busy", 486 },
	{ 2, "no-answer", 408 },
	{ 3, "deflection", 487 },
	{ 9, "out-of-service", 503 },
	{ 10, "follow-me", 480 },
	{ 15, "unconditional", 302 },
};

#define NREDIR (sizeof(redir) / sizeof(redir[0]))

const char *trunk_redirect_reason_name(int reason)
{
	for (size_t i = 0; i < NREDIR; i++)
		if (redir[i].reason == reason)
			return redir[i].name;
	return "unknown";
}

int trunk_redirect_reason_from_name(const char *name)
{
	for (size_t i = 0; i < NREDIR; i++)
		if (!strcasecmp(redir[i].name, name))
			return redir[i].reason;
	if (!strcasecmp(name, "unavailable"))
		return 9;
	return 0;
}

int trunk_redirect_reason_to_cause(int reason)
{
	for (size_t i = 0; i < NREDIR; i++)
		if (redir[i].reason == reason)
			return redir[i].cause;
	return 404;
}

int trunk_redirect_reason_from_cause(int cause)
{
	for (size_t i = 0; i < NREDIR; i++)
		if (redir[i].cause == cause)
			return redir[i].reason;
	return cause == 301 ? 15 : 0;
}

void trunk_diversion_headers(const struct trunk_interop *ti, const char *redirecting_uri,
			     const char *called_uri, int reason, char *out, size_t len)
{
	int n = 0;

	out[0] = '\0';
	if (!redirecting_uri[0] || ti->diversion == TRUNK_DIV_NONE)
		return;
	if (ti->diversion == TRUNK_DIV_DIVERSION || ti->diversion == TRUNK_DIV_BOTH)
		n += snprintf(out, len, "Diversion: <%s>;reason=%s;counter=1\r\n", redirecting_uri,
			      trunk_redirect_reason_name(reason));
	if ((size_t)n < len && (ti->diversion == TRUNK_DIV_HISTORY || ti->diversion == TRUNK_DIV_BOTH))
		snprintf(out + n, len - (size_t)n,
			 "History-Info: <%s?Reason=SIP%%3Bcause%%3D%d>;index=1,<%s>;index=1.1\r\n",
			 redirecting_uri, trunk_redirect_reason_to_cause(reason), called_uri);
}

/* The number in "<scheme:user@host;...>..." or "scheme:user@host" (the first
 * URI of s). */
static bool uri_number(const char *s, char *num, size_t len)
{
	const char *p = strchr(s, '<'), *colon, *end;
	char user[64];
	size_t n;

	p = p ? p + 1 : s;
	while (isspace((unsigned char)*p))
		p++;
	colon = strchr(p, ':');
	if (!colon)
		return false;
	colon++;
	end = colon + strcspn(colon, "@;>?, ");
	n = (size_t)(end - colon);
	if (n == 0 || n >= sizeof(user))
		return false;
	memcpy(user, colon, n);
	user[n] = '\0';
	return trunk_number_from_user(user, num, len);
}

/* The value of parameter name in the part of s before the next ',' outside
 * <>, or NULL.  s is one entry; params after '>' only. */
static bool param(const char *s, const char *end, const char *name, char *out, size_t len)
{
	size_t nl = strlen(name);

	for (const char *p = s; p && p < end; p = strchr(p + 1, ';')) {
		const char *v;
		size_t n;

		if (*p != ';')
			continue;
		v = p + 1;
		while (isspace((unsigned char)*v))
			v++;
		if (strncasecmp(v, name, nl) || v[nl] != '=')
			continue;
		v += nl + 1;
		if (*v == '"')
			v++;
		n = strcspn(v, ";,>\" ");
		if (v + n > end)
			n = (size_t)(end - v);
		if (n >= len)
			n = len - 1;
		memcpy(out, v, n);
		out[n] = '\0';
		return true;
	}
	return false;
}

bool trunk_diversion_parse(const char *value, char *num, size_t len, int *reason)
{
	const char *gt = strchr(value, '>'), *end;
	char r[32];

	if (!uri_number(value, num, len))
		return false;
	/* The first entry only: the most recent diversion. */
	end = gt ? gt + strcspn(gt, ",") : value + strlen(value);
	*reason = gt && param(gt, end, "reason", r, sizeof(r)) ?
		  trunk_redirect_reason_from_name(r) : 0;
	return true;
}

bool trunk_history_parse(const char *value, char *num, size_t len, int *reason)
{
	const char *entry[32], *p = value;
	size_t n = 0;
	int depth = 0;
	const char *cause;

	/* Split at commas outside <>. */
	entry[n++] = value;
	for (; *p && n < sizeof(entry) / sizeof(entry[0]); p++) {
		if (*p == '<')
			depth++;
		else if (*p == '>' && depth)
			depth--;
		else if (*p == ',' && !depth)
			entry[n++] = p + 1;
	}
	/* The last entry is the target now; the one before it redirected. */
	if (n < 2 || !uri_number(entry[n - 2], num, len))
		return false;
	*reason = 0;
	cause = strstr(entry[n - 1], ";cause=");       /* RFC 4458 in the target's URI */
	if (cause && cause < (n > 1 ? entry[n - 1] + strcspn(entry[n - 1], ">") : p)) {
		*reason = trunk_redirect_reason_from_cause(atoi(cause + 7));
		return true;
	}
	/* RFC 4244: Reason embedded in the redirecting entry's URI headers. */
	cause = strstr(entry[n - 2], "cause%3D");
	if (!cause)
		cause = strstr(entry[n - 2], "cause%3d");
	if (cause && cause < entry[n - 1])
		*reason = trunk_redirect_reason_from_cause(atoi(cause + 8));
	return true;
}
