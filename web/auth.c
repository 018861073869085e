/*
 * auth.c -- who is asking.  A request authenticates with one of:
 *   Authorization: Basic (username and password, checked against the yescrypt
 *     hash: deliberately slow, so scripts should log in once and use the token),
 *   Authorization: Bearer <session token> from POST /api/v1/login,
 *   Authorization: Bearer tgt_... (an API token: stored as its SHA-256,
 *     scoped to a role, revocable; for scripts),
 *   Cookie: tg_session=<token> (the web UI); cookie-authenticated writes must
 *     also carry X-CSRF-Token, which a cross-site form cannot set.
 * Sessions live in memory (a table under one mutex) with idle and absolute
 * expiry; a daemon restart logs everyone out.  Failed logins (form or
 * Basic) count per account (lockout, db/users.c) and per client address
 * (throttle, below).  HTTP threads.
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

void web_sessions_drop_user(const char *user)
{
	pthread_mutex_lock(&slock);
	for (size_t i = 0; i < MAX_SESSIONS; i++)
		if (sessions[i].token[0] && !strcmp(sessions[i].user, user))
			memset(&sessions[i], 0, sizeof(sessions[i]));
	pthread_mutex_unlock(&slock);
}

/* ---- failed-login throttle per client address ---- */

#define THROTTLE_SLOTS 256

static struct {
	char addr[64];
	unsigned fails;
	unsigned long long since;
} throttle[THROTTLE_SLOTS];

unsigned web_throttled(const char *remote)
{
	unsigned long long now = tg_now_ms();
	unsigned wait = 0;

	pthread_mutex_lock(&slock);
	for (size_t i = 0; i < THROTTLE_SLOTS; i++)
		if (!strcmp(throttle[i].addr, remote) && now - throttle[i].since < WEB_THROTTLE_WINDOW_MS &&
		    throttle[i].fails >= WEB_THROTTLE_FAILS)
			wait = (unsigned)((throttle[i].since + WEB_THROTTLE_WINDOW_MS - now + 999) / 1000);
	pthread_mutex_unlock(&slock);
	return wait;
}

void web_throttle_note(const char *remote, bool ok)
{
	unsigned long long now = tg_now_ms();
	size_t slot = THROTTLE_SLOTS, oldest = 0;

	pthread_mutex_lock(&slock);
	for (size_t i = 0; i < THROTTLE_SLOTS; i++) {
		if (!strcmp(throttle[i].addr, remote)) {
			slot = i;
			break;
		}
		if (throttle[i].since < throttle[oldest].since)
			oldest = i;
	}
	if (ok) {
		if (slot < THROTTLE_SLOTS)
			memset(&throttle[slot], 0, sizeof(throttle[slot]));
	} else {
		if (slot == THROTTLE_SLOTS) {
			slot = oldest;          /* the least recent address gives way */
			memset(&throttle[slot], 0, sizeof(throttle[slot]));
			tg_strlcpy(throttle[slot].addr, remote, sizeof(throttle[slot].addr));
		}
		if (now - throttle[slot].since >= WEB_THROTTLE_WINDOW_MS) {
			throttle[slot].since = now;
			throttle[slot].fails = 0;
		}
		throttle[slot].fails++;
	}
	pthread_mutex_unlock(&slock);
}

/* An API token: its hash looked up in the database. */
static bool check_token(struct web_req *r, const char *token)
{
	struct db *db = web_db(r);
	struct db_token t;
	char hash[65];

	if (strlen(token) != strlen(WEB_TOKEN_PREFIX) + 48 || secret_sha256_hex(token, hash) ||
	    !db || db_token_check(db, hash, &t) || !web_role_parse(t.role, &r->role))
		return false;
	snprintf(r->user, sizeof(r->user), "token:%s", t.name);
	return true;
}

static bool check_basic(struct web_req *r)
{
	char *pass = NULL;
	char *user = MHD_basic_auth_get_username_password(r->conn, &pass);
	struct db_user u = { 0 };
	struct db *db;
	bool ok = false;

	if (!user)
		goto out;
	db = web_db(r);
	if (db && db_user_get(db, user, &u) == 0 && !u.disabled && u.locked_until <= tg_wall_ms() &&
	    pass && secret_verify_password(pass, u.password_hash) && web_role_parse(u.role, &r->role)) {
		tg_strlcpy(r->user, u.username, sizeof(r->user));
		ok = true;
	}
	if (db && (!ok || u.failed_logins) && !(u.username[0] && u.locked_until > tg_wall_ms()))
		db_user_note_login(db, user, ok, NULL);  /* a locked account counts nothing more */
	web_throttle_note(r->remote, ok);
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
		unsigned wait = web_throttled(r->remote);

		if (wait) {
			*rcp = web_reply_too_many(r, wait, "too many failed logins from %s: try again "
						  "in %u s", r->remote, wait);
			return false;
		}
		ok = check_basic(r);
	} else if (authz && strncasecmp(authz, "Bearer " WEB_TOKEN_PREFIX,
					7 + strlen(WEB_TOKEN_PREFIX)) == 0) {
		ok = check_token(r, authz + 7);
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
