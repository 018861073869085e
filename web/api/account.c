/*
 * account.c -- log in, log out, who am I, and changing one's own password.
 * HTTP threads.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define LOG_MODULE "api"
#include "log.h"
#include "db.h"
#include "secret.h"
#include "tg.h"
#include "api.h"

#define PASSWORD_MIN 10
#define PASSWORD_MAX 128


/* A required string field; false with the 400 queued (its result in *mrcp). */
static bool need_string(struct web_req *r, json_t *body, const char *field,
			const char **outp, enum MHD_Result *mrcp)
{
	json_t *v = json_object_get(body, field);

	if (!v || !json_is_string(v)) {
		*mrcp = web_reply_error(r, 400, "invalid_field", field, v ? "%s must be a string" :
					"%s is required", field);
		return false;
	}
	*outp = json_string_value(v);
	return true;
}

enum MHD_Result api_login(struct web_req *r)
{
	char token[65], csrf[33], cookie[160];
	const char *user = NULL, *pass = NULL;
	struct db_actor who = { NULL, r->remote };
	struct MHD_Response *resp;
	enum web_role role;
	enum MHD_Result mrc;
	struct db_user u;
	struct db *db;
	json_t *body, *out;
	long long locked = 0;
	unsigned wait;
	char *text;
	bool ok, found;

	body = web_body_object(r, &mrc);
	if (!body)
		return mrc;
	if (!need_string(r, body, "username", &user, &mrc) ||
	    !need_string(r, body, "password", &pass, &mrc))
		goto out;
	db = web_db(r);
	if (!db) {
		mrc = web_reply_error(r, 500, "internal", NULL, "database unavailable");
		goto out;
	}
	if ((wait = web_throttled(r->remote))) {
		mrc = web_reply_too_many(r, wait, "too many failed logins from %s: try again in %u s",
					 r->remote, wait);
		goto out;
	}
	found = db_user_get(db, user, &u) == 0;
	if (found && u.locked_until > tg_wall_ms()) {
		/* locked: no password is checked (right or wrong teaches nothing),
		 * no attempt counted; an admin can unlock (PUT /users/{name}) */
		wait = (unsigned)((u.locked_until - tg_wall_ms() + 999) / 1000);
		mrc = web_reply_too_many(r, wait, "this account is locked after repeated failed logins: "
					 "try again in %u s", wait);
		goto out;
	}
	ok = found && !u.disabled && u.locked_until <= tg_wall_ms() &&
	     secret_verify_password(pass, u.password_hash) && web_role_parse(u.role, &role);
	who.user = user;
	if (found)
		db_user_note_login(db, user, ok, &locked);
	web_throttle_note(r->remote, ok);
	db_audit_add(db, &who, ok ? "login" : "login-failed", "user", user);
	{
		char m[128];

		snprintf(m, sizeof(m), "%s from %s", ok ? "logged in" : "failed login", r->remote);
		db_event_add(db, ok ? "info" : "warning", ok ? "login" : "login-failed", user, m);
	}
	if (!ok) {
		log_info("login failed for \"%s\" from %s%s", user, r->remote,
			 locked ? " (account locked)" : "");
		if (locked)
			db_event_add(db, "warning", "account-locked", user,
				     "account locked after repeated failed logins");
		mrc = web_reply_error(r, 401, "unauthorized", NULL, "wrong username or password");
		goto out;
	}
	if (web_session_create(u.username, role, token, csrf)) {
		mrc = web_reply_error(r, 500, "internal", NULL, "cannot create a session");
		goto out;
	}
	log_info("%s logged in from %s", u.username, r->remote);
	out = json_pack("{s:s, s:s, s:s, s:s, s:b, s:I}", "token", token, "csrf_token", csrf,
			"username", u.username, "role", u.role,
			"must_change_password", u.must_change_password,
			"idle_timeout_seconds", (json_int_t)(WEB_SESSION_IDLE_MS / 1000));
	text = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(out);
	resp = text ? MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE) : NULL;
	if (!resp) {
		free(text);
		mrc = MHD_NO;
		goto out;
	}
	snprintf(cookie, sizeof(cookie), "tg_session=%s; Path=/; HttpOnly; SameSite=Strict%s", token,
		 r->web->tls ? "; Secure" : "");
	MHD_add_response_header(resp, "Set-Cookie", cookie);
	MHD_add_response_header(resp, "Content-Type", "application/json");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	mrc = web_queue(r, 200, resp);
 out:
	json_decref(body);
	return mrc;
}

enum MHD_Result api_logout(struct web_req *r)
{
	struct MHD_Response *resp;

	if (r->session[0])
		web_session_destroy(r->session);
	resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Set-Cookie", "tg_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	return web_queue(r, 204, resp);
}

enum MHD_Result api_session(struct web_req *r)
{
	struct db_user u;
	struct db *db = web_db(r);
	bool must_change = db && db_user_get(db, r->user, &u) == 0 && u.must_change_password;

	return web_reply_json(r, 200, json_pack("{s:s, s:s, s:b}", "username", r->user,
		"role", web_role_name(r->role), "must_change_password", must_change));
}

enum MHD_Result api_password(struct web_req *r)
{
	const char *cur = NULL, *neu = NULL;
	struct db_actor who = { r->user, r->remote };
	char hash[SECRET_HASH_LEN], path[4200];
	enum MHD_Result mrc;
	struct db_user u;
	struct db *db;
	json_t *body;
	size_t len;

	body = web_body_object(r, &mrc);
	if (!body)
		return mrc;
	if (!need_string(r, body, "current_password", &cur, &mrc) ||
	    !need_string(r, body, "new_password", &neu, &mrc))
		goto out;
	len = strlen(neu);
	if (len < PASSWORD_MIN || len > PASSWORD_MAX) {
		mrc = web_reply_error(r, 400, "invalid_field", "new_password",
				      "new_password must be %d to %d characters", PASSWORD_MIN, PASSWORD_MAX);
		goto out;
	}
	if (strcmp(cur, neu) == 0) {
		mrc = web_reply_error(r, 400, "invalid_field", "new_password",
				      "new_password must differ from the current one");
		goto out;
	}
	db = web_db(r);
	if (!db || db_user_get(db, r->user, &u)) {
		mrc = web_reply_error(r, 500, "internal", NULL, "user record unavailable");
		goto out;
	}
	if (!secret_verify_password(cur, u.password_hash)) {
		mrc = web_reply_error(r, 400, "invalid_field", "current_password",
				      "current_password is wrong");
		goto out;
	}
	if (secret_hash_password(neu, hash, sizeof(hash)) ||
	    db_user_set_password(db, r->user, hash, &who)) {
		mrc = web_reply_error(r, 500, "internal", NULL, "the password was not changed");
		goto out;
	}
	/* The generated first password is no longer valid: do not leave it lying around. */
	snprintf(path, sizeof(path), "%s/initial-admin-password", r->web->state_dir);
	if (strcmp(r->user, "admin") == 0 && unlink(path) == 0)
		log_info("removed %s after the admin password was changed", path);
	log_info("%s changed their password", r->user);
	mrc = web_reply_empty(r, 204);
 out:
	json_decref(body);
	return mrc;
}
