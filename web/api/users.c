/*
 * users.c -- accounts and API tokens (admin only):
 *
 *   GET/POST /api/v1/users, GET/PUT/DELETE /api/v1/users/{name}
 *   GET/POST /api/v1/tokens, DELETE /api/v1/tokens/{id}
 *
 * Passwords are hashed with yescrypt before they reach the store; a token is
 * shown once, when it is made, and only its SHA-256 is kept.  A change to a
 * user's role, password or state ends that user's sessions, so it applies at
 * once.  There is always an enabled admin: the store refuses the change that
 * would remove the last one.  HTTP threads.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "api"
#include "log.h"
#include "api.h"
#include "db.h"
#include "fields.h"
#include "secret.h"
#include "tg.h"

#define USER_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-@"

static const char *const roles[] = { "viewer", "operator", "admin", NULL };

struct user_in {
	char username[64];
	char password[129];
	char role[16];
	bool disabled, must_change_password, unlock;
};

#define UF(n, k, m, ...) { .name = n, .kind = k, .off = offsetof(struct user_in, m), \
	.size = sizeof(((struct user_in *)0)->m), __VA_ARGS__ }

static const struct api_field user_fields[] = {
	UF("username", API_STRING, username, .required = true, .min = 1, .max = 63, .chars = USER_CHARS),
	UF("password", API_STRING, password, .required = true, .min = 10, .max = 128),
	UF("role", API_ENUM, role, .required = true, .choices = roles),
	UF("disabled", API_BOOL, disabled),
	UF("must_change_password", API_BOOL, must_change_password),
	UF("unlock", API_BOOL, unlock),
};

static const char *const user_fixed[] = { "username", NULL };

const struct api_schema api_schema_user = {
	.create = "UserCreate", .update = "UserUpdate", .fields = user_fields,
	.nfields = TG_ARRAY_SIZE(user_fields), .fixed = user_fixed,
};

static json_t *user_json(const struct db_user *u)
{
	return json_pack("{s:s, s:s, s:b, s:b, s:i, s:I, s:I, s:I}", "username", u->username,
			 "role", u->role, "disabled", u->disabled,
			 "must_change_password", u->must_change_password,
			 "failed_logins", (int)u->failed_logins,
			 "locked_until", (json_int_t)(u->locked_until > tg_wall_ms() ? u->locked_until : 0),
			 "created_at", (json_int_t)u->created_at, "last_login_at", (json_int_t)u->last_login_at);
}

/* Decode a body by the table; a 400 naming the field when it is wrong. */
static bool decode(struct web_req *r, const struct api_field *f, size_t n, json_t *body,
		   void *obj, bool create, enum MHD_Result *mrc)
{
	const char *field = NULL;
	char msg[300];

	if (api_fields_apply(f, n, body, obj, create, &field, msg, sizeof(msg)))
		return true;
	*mrc = web_reply_error(r, 400, "invalid_field", field, "%s", msg);
	return false;
}

enum MHD_Result api_users_list(struct web_req *r)
{
	struct db *db = web_db(r);
	struct db_user *v = NULL;
	size_t n = 0;
	json_t *arr;

	if (!db || db_user_list(db, &v, &n))
		return web_reply_error(r, 500, "internal", NULL, "cannot read users");
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, user_json(&v[i]));
	free(v);
	return web_reply_json(r, 200, json_pack("{s:o}", "users", arr));
}

enum MHD_Result api_user_get(struct web_req *r)
{
	struct db *db = web_db(r);
	struct db_user u;
	int rc = db ? db_user_get(db, r->param[0], &u) : EIO;

	if (rc == ENOENT)
		return web_reply_error(r, 404, "not_found", NULL, "no user %s", r->param[0]);
	if (rc)
		return web_reply_error(r, 500, "internal", NULL, "cannot read the user");
	return web_reply_json(r, 200, user_json(&u));
}

enum MHD_Result api_user_create(struct web_req *r)
{
	struct db_actor who = { r->user, r->remote };
	struct user_in in = { .must_change_password = true };
	char hash[SECRET_HASH_LEN];
	struct db *db = web_db(r);
	enum MHD_Result mrc;
	struct db_user u;
	json_t *body;
	int rc;

	body = web_body_object(r, &mrc);
	if (!body)
		return mrc;
	if (!decode(r, user_fields, TG_ARRAY_SIZE(user_fields), body, &in, true, &mrc))
		goto out;
	if (in.disabled || in.unlock) {
		mrc = web_reply_error(r, 400, "invalid_field", in.disabled ? "disabled" : "unlock",
				      "a new user starts enabled and unlocked");
		goto out;
	}
	if (!db || secret_hash_password(in.password, hash, sizeof(hash))) {
		mrc = web_reply_error(r, 500, "internal", NULL, "cannot hash the password");
		goto out;
	}
	rc = db_user_create(db, in.username, hash, in.role, in.must_change_password, &who);
	if (rc == EEXIST || rc == EIO) {
		mrc = web_reply_error(r, 409, "conflict", "username", "a user named %s exists already",
				      in.username);
	} else if (rc || db_user_get(db, in.username, &u)) {
		mrc = web_reply_error(r, 500, "internal", NULL, "the user was not created");
	} else {
		log_info("%s created user %s (%s)", r->user, in.username, in.role);
		mrc = web_reply_json(r, 201, user_json(&u));
	}
 out:
	explicit_bzero(in.password, sizeof(in.password));
	json_decref(body);
	return mrc;
}

enum MHD_Result api_user_update(struct web_req *r)
{
	struct db_actor who = { r->user, r->remote };
	struct user_in in = { 0 };
	struct db_user_change c = { .disabled = -1, .must_change_password = -1 };
	char hash[SECRET_HASH_LEN];
	struct db *db = web_db(r);
	enum MHD_Result mrc;
	struct db_user u;
	json_t *body;
	int rc;

	body = web_body_object(r, &mrc);
	if (!body)
		return mrc;
	if (api_field_given(body, "username")) {
		mrc = web_reply_error(r, 400, "invalid_field", "username", "a user cannot be renamed");
		goto out;
	}
	if (!decode(r, user_fields, TG_ARRAY_SIZE(user_fields), body, &in, false, &mrc))
		goto out;
	if (api_field_given(body, "role"))
		c.role = in.role;
	if (api_field_given(body, "disabled"))
		c.disabled = in.disabled;
	if (api_field_given(body, "password")) {
		if (!db || secret_hash_password(in.password, hash, sizeof(hash))) {
			mrc = web_reply_error(r, 500, "internal", NULL, "cannot hash the password");
			goto out;
		}
		c.password_hash = hash;
		c.must_change_password = 1;     /* a password an admin set is the user's to replace */
	}
	if (api_field_given(body, "must_change_password"))
		c.must_change_password = in.must_change_password;
	c.unlock = in.unlock;
	rc = db ? db_user_update(db, r->param[0], &c, &who) : EIO;
	if (rc == ENOENT)
		mrc = web_reply_error(r, 404, "not_found", NULL, "no user %s", r->param[0]);
	else if (rc == EBUSY)
		mrc = web_reply_error(r, 409, "last_admin", NULL, "%s is the last enabled admin: make "
				      "another admin first", r->param[0]);
	else if (rc || db_user_get(db, r->param[0], &u))
		mrc = web_reply_error(r, 500, "internal", NULL, "the user was not changed");
	else {
		if (c.role || c.disabled >= 0 || c.password_hash)
			web_sessions_drop_user(u.username);
		log_info("%s changed user %s", r->user, u.username);
		mrc = web_reply_json(r, 200, user_json(&u));
	}
 out:
	explicit_bzero(in.password, sizeof(in.password));
	json_decref(body);
	return mrc;
}

enum MHD_Result api_user_delete(struct web_req *r)
{
	struct db_actor who = { r->user, r->remote };
	struct db *db = web_db(r);
	int rc;

	if (!strcmp(r->param[0], r->user))
		return web_reply_error(r, 409, "conflict", NULL, "you cannot delete your own account");
	rc = db ? db_user_delete(db, r->param[0], &who) : EIO;
	if (rc == ENOENT)
		return web_reply_error(r, 404, "not_found", NULL, "no user %s", r->param[0]);
	if (rc == EBUSY)
		return web_reply_error(r, 409, "last_admin", NULL, "%s is the last enabled admin",
				       r->param[0]);
	if (rc)
		return web_reply_error(r, 500, "internal", NULL, "the user was not deleted");
	web_sessions_drop_user(r->param[0]);
	log_info("%s deleted user %s", r->user, r->param[0]);
	return web_reply_empty(r, 204);
}

/* ---- API tokens ---- */

struct token_in {
	char name[64];
	char role[16];
	unsigned expires_days;
};

#define TF(n, k, m, ...) { .name = n, .kind = k, .off = offsetof(struct token_in, m), \
	.size = sizeof(((struct token_in *)0)->m), __VA_ARGS__ }

static const struct api_field token_fields[] = {
	TF("name", API_STRING, name, .required = true, .min = 1, .max = 63),
	TF("role", API_ENUM, role, .choices = roles),
	TF("expires_days", API_UINT, expires_days, .min = 0, .max = 3650),
};

const struct api_schema api_schema_token = {
	.create = "TokenCreate", .fields = token_fields, .nfields = TG_ARRAY_SIZE(token_fields),
};

static json_t *token_json(const struct db_token *t)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:I}", "id", (json_int_t)t->id,
			 "name", t->name, "role", t->role, "created_by", t->created_by,
			 "created_at", (json_int_t)t->created_at, "expires_at", (json_int_t)t->expires_at,
			 "last_used_at", (json_int_t)t->last_used_at, "revoked_at", (json_int_t)t->revoked_at);
}

enum MHD_Result api_tokens_list(struct web_req *r)
{
	struct db *db = web_db(r);
	struct db_token *v = NULL;
	size_t n = 0;
	json_t *arr;

	if (!db || db_token_list(db, &v, &n))
		return web_reply_error(r, 500, "internal", NULL, "cannot read tokens");
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, token_json(&v[i]));
	free(v);
	return web_reply_json(r, 200, json_pack("{s:o}", "tokens", arr));
}

enum MHD_Result api_token_create(struct web_req *r)
{
	struct db_actor who = { r->user, r->remote };
	struct token_in in = { .role = "viewer" };
	char token[80], hash[65];
	struct db *db = web_db(r);
	struct db_token t = { 0 };
	enum web_role want;
	enum MHD_Result mrc;
	json_t *body, *out;
	long long id = 0;

	body = web_body_object(r, &mrc);
	if (!body)
		return mrc;
	if (!decode(r, token_fields, TG_ARRAY_SIZE(token_fields), body, &in, true, &mrc))
		goto out;
	if (!web_role_parse(in.role, &want) || want > r->role) {
		mrc = web_reply_error(r, 400, "invalid_field", "role", "role: a token cannot have more "
				      "rights than its maker (%s)", web_role_name(r->role));
		goto out;
	}
	memcpy(token, WEB_TOKEN_PREFIX, strlen(WEB_TOKEN_PREFIX));
	if (secret_token_hex(token + strlen(WEB_TOKEN_PREFIX), 24) || secret_sha256_hex(token, hash) ||
	    !db) {
		mrc = web_reply_error(r, 500, "internal", NULL, "cannot make a token");
		goto out;
	}
	t.expires_at = in.expires_days ? tg_wall_ms() + in.expires_days * 86400000LL : 0;
	if (db_token_create(db, in.name, hash, in.role, t.expires_at, &who, &id)) {
		mrc = web_reply_error(r, 500, "internal", NULL, "the token was not saved");
		goto out;
	}
	t.id = id;
	tg_strlcpy(t.name, in.name, sizeof(t.name));
	tg_strlcpy(t.role, in.role, sizeof(t.role));
	tg_strlcpy(t.created_by, r->user, sizeof(t.created_by));
	t.created_at = tg_wall_ms();
	out = token_json(&t);
	json_object_set_new(out, "token", json_string(token));     /* the only time it is shown */
	log_info("%s made API token %lld \"%s\" (%s)", r->user, id, in.name, in.role);
	mrc = web_reply_json(r, 201, out);
 out:
	explicit_bzero(token, sizeof(token));
	json_decref(body);
	return mrc;
}

enum MHD_Result api_token_delete(struct web_req *r)
{
	struct db_actor who = { r->user, r->remote };
	struct db *db = web_db(r);
	char *end;
	long long id = strtoll(r->param[0], &end, 10);
	int rc;

	if (!r->param[0][0] || *end || id <= 0)
		return web_reply_error(r, 404, "not_found", NULL, "no token %s", r->param[0]);
	rc = db ? db_token_revoke(db, id, &who) : EIO;
	if (rc == ENOENT)
		return web_reply_error(r, 404, "not_found", NULL, "no live token %lld", id);
	if (rc)
		return web_reply_error(r, 500, "internal", NULL, "the token was not revoked");
	log_info("%s revoked API token %lld", r->user, id);
	return web_reply_empty(r, 204);
}
