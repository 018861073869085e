/*
 * auth.c -- who is asking.  A request authenticates with one of:
 *   Authorization: Basic (username and password, checked against the yescrypt
 *     hash: deliberately slow, so scripts should log in once and use the token),
 *   Authorization: Bearer <session token> from POST /api/v1/login,
 *   Cookie: tg_session=<token> (the web UI); cookie-authenticated writes must
 *     also carry X-CSRF-Token, which a cross-site form cannot set.
 * Sessions live in memory (a table under one mutex) with idle and absolute
 * expiry; a daemon restart logs everyone out.  HTTP threads.
 */
#include "config.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOG_MODULE "auth"
#include "log.h"
#include "db.h"
#include "secret.h"
#include "tg.h"
#include "web_int.h"

#define MAX_SESSIONS 1024

struct session {
	char token[65];
	char csrf[33];
	char user[64];
	enum web_role role;
	unsigned long long created, last_used;
};

static pthread_mutex_t slock = PTHREAD_MUTEX_INITIALIZER;
static struct session sessions[MAX_SESSIONS];

static const char *const role_names[] = { "none", "viewer", "operator", "admin" };

const char *web_role_name(enum web_role role)
{
	return (unsigned)role < TG_ARRAY_SIZE(role_names) ? role_names[role] : "none";
}

bool web_role_parse(const char *s, enum web_role *rolep)
{
	for (unsigned i = WEB_ROLE_VIEWER; i < TG_ARRAY_SIZE(role_names); i++) {
		if (strcmp(s, role_names[i]) == 0) {
			*rolep = (enum web_role)i;
			return true;
		}
	}
	return false;
}

static bool expired(const struct session *s, unsigned long long now)
{
	return now - s->last_used > (unsigned long long)WEB_SESSION_IDLE_MS ||
	       now - s->created > (unsigned long long)WEB_SESSION_ABSOLUTE_MS;
}

int web_session_create(const char *user, enum web_role role, char *token, char *csrf)
{
	unsigned long long now = tg_now_ms();
	struct session *slot = NULL;
	int rc;

	rc = secret_token_hex(token, 32);
	if (!rc)
		rc = secret_token_hex(csrf, 16);
	if (rc)
		return rc;
	pthread_mutex_lock(&slock);
	/* O(MAX_SESSIONS) scan: logins are rare next to everything else. */
	for (size_t i = 0; i < MAX_SESSIONS; i++) {
		struct session *s = &sessions[i];

		if (!s->token[0] || expired(s, now)) {
			slot = s;
			break;
		}
		if (!slot || s->last_used < slot->last_used)
			slot = s;               /* full: evict the least recently used */
	}
	memset(slot, 0, sizeof(*slot));
	tg_strlcpy(slot->token, token, sizeof(slot->token));
	tg_strlcpy(slot->csrf, csrf, sizeof(slot->csrf));
	tg_strlcpy(slot->user, user, sizeof(slot->user));
	slot->role = role;
	slot->created = slot->last_used = now;
	pthread_mutex_unlock(&slock);
	return 0;
}

bool web_session_lookup(const char *token, char *user, size_t userlen, enum web_role *rolep,
			char *csrf, size_t csrflen)
{
	unsigned long long now = tg_now_ms();
	bool found = false;

	if (strlen(token) != 64)
		return false;
	pthread_mutex_lock(&slock);
	for (size_t i = 0; i < MAX_SESSIONS; i++) {
		struct session *s = &sessions[i];

		if (!s->token[0] || !secret_equal(s->token, token))
			continue;
		if (expired(s, now)) {
			memset(s, 0, sizeof(*s));
			break;
		}
		s->last_used = now;
		tg_strlcpy(user, s->user, userlen);
		*rolep = s->role;
		if (csrf)
			tg_strlcpy(csrf, s->csrf, csrflen);
		found = true;
		break;
	}
	pthread_mutex_unlock(&slock);
	return found;
}

void web_session_destroy(const char *token)
{
	pthread_mutex_lock(&slock);
	for (size_t i = 0; i < MAX_SESSIONS; i++)
		if (sessions[i].token[0] && secret_equal(sessions[i].token, token))
			memset(&sessions[i], 0, sizeof(sessions[i]));
	pthread_mutex_unlock(&slock);
}

void web_sessions_clear(void)
{
	pthread_mutex_lock(&slock);
	memset(sessions, 0, sizeof(sessions));
	pthread_mutex_unlock(&slock);
}

static bool check_basic(struct web_req *r)
{
	char *pass = NULL;
	char *user = MHD_basic_auth_get_username_password(r->conn, &pass);
	struct db_user u;
	struct db *db;
	bool ok = false;

	if (!user)
		goto out;
	db = web_db(r);
	if (db && db_user_get(db, user, &u) == 0 && !u.disabled && pass &&
	    secret_verify_password(pass, u.password_hash) && web_role_parse(u.role, &r->role)) {
		tg_strlcpy(r->user, u.username, sizeof(r->user));
		ok = true;
	}
	if (!ok)
		log_info("HTTP Basic authentication failed for \"%s\" from %s", user, r->remote);
 out:
	if (pass) {
		explicit_bzero(pass, strlen(pass));
		MHD_free(pass);
	}
	if (user)
		MHD_free(user);
	return ok;
}

static bool is_write(const char *method)
{
	return strcmp(method, "GET") && strcmp(method, "HEAD") && strcmp(method, "OPTIONS");
}

bool web_authenticate(struct web_req *r, enum web_role need, enum MHD_Result *rcp)
{
	const char *authz = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization");
	const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "tg_session");
	char csrf[33] = "";
	bool ok = false;

	if (need == WEB_ROLE_NONE && !authz && !cookie)
		return true;
	if (authz && strncasecmp(authz, "Basic ", 6) == 0) {
		ok = check_basic(r);
	} else if (authz && strncasecmp(authz, "Bearer ", 7) == 0) {
		ok = web_session_lookup(authz + 7, r->user, sizeof(r->user), &r->role, NULL, 0);
		if (ok)
			tg_strlcpy(r->session, authz + 7, sizeof(r->session));
	} else if (cookie) {
		ok = web_session_lookup(cookie, r->user, sizeof(r->user), &r->role, csrf, sizeof(csrf));
		if (ok) {
			r->via_cookie = true;
			tg_strlcpy(r->session, cookie, sizeof(r->session));
		}
	}
	if (!ok) {
		if (need == WEB_ROLE_NONE)
			return true;    /* a stale cookie does not block public resources */
		*rcp = web_reply_error(r, 401, "unauthorized", NULL, authz || cookie ?
				       "the credentials or session are not valid" :
				       "authentication required: HTTP Basic, a Bearer token from "
				       "POST /api/v1/login, or a session cookie");
		return false;
	}
	if (r->via_cookie && is_write(r->method)) {
		const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-CSRF-Token");

		if (!h || !secret_equal(h, csrf)) {
			*rcp = web_reply_error(r, 403, "csrf", NULL,
					       "X-CSRF-Token header missing or wrong for a cookie session");
			return false;
		}
	}
	if (r->role < need) {
		*rcp = web_reply_error(r, 403, "forbidden", NULL, "the %s role cannot do this (needs %s)",
				       web_role_name(r->role), web_role_name(need));
		return false;
	}
	return true;
}
