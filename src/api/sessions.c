/*
 * sessions.c - log in (credentials for a bearer token), log out (revoke the
 * token), and who am I.
 */
#include <sodium.h>
#include <string.h>

#include "api/api.h"
#include "domain/credentials.h"

/* A hash to verify against when the user does not exist, made with the
 * same cost as real ones, so that a wrong user name takes as long to refuse
 * as a wrong password and does not reveal which names exist. */
static char dummy_hash[PASSWORD_HASH_MAX];
static bool dummy_made;
static pthread_mutex_t dummy_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *dummy(const struct app_limits *l)
{
	pthread_mutex_lock(&dummy_lock);
	if (!dummy_made && !password_hash("not-a-password-at-all", l->pwhash_ops,
					  l->pwhash_mem, dummy_hash))
		dummy_made = true;
	pthread_mutex_unlock(&dummy_lock);
	return dummy_made ? dummy_hash : NULL;
}

void api_session_create(struct api_ctx *ctx)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	const char *username = NULL, *password = NULL;
	json_error_t err;
	if (json_unpack_ex(body, &err, JSON_STRICT, "{s:s, s:s}", "username",
			   &username, "password", &password) != 0) {
		struct problems p;
		problems_init(&p);
		json_t *u = json_object_get(body, "username"),
		       *pw = json_object_get(body, "password");
		if (!json_is_string(u))
			problems_add(&p, "/username", u ? "must be a string" : "is required");
		if (!json_is_string(pw))
			problems_add(&p, "/password", pw ? "must be a string" : "is required");
		static const char *const fields[] = {"username", "password", NULL};
		problems_unknown_fields(&p, body, "", fields, "username, password");
		api_problem(ctx, KERR_INVALID, "send {\"username\": ..., \"password\": ...}", &p);
		json_decref(body);
		return;
	}
	struct user_row u;
	kerr e = repo_user_find(ctx->conn, username, &u);
	bool ok = false;
	if (e == KERR_OK) {
		ok = password_verify(u.password_hash, password);
	} else {
		const char *fake = dummy(&ctx->app->limits);
		if (fake)
			(void)password_verify(fake, password); /* same cost, result unused */
	}
	if (e && e != KERR_NOT_FOUND) {
		api_problem(ctx, e, NULL, NULL);
		json_decref(body);
		return;
	}
	if (!ok || u.disabled) {
		api_problem(ctx, KERR_UNAUTHENTICATED,
			    "the user name or password is wrong, or the account is disabled",
			    NULL);
		json_decref(body);
		return;
	}
	char token[TOKEN_TEXT_MAX], hash[TOKEN_HASH_HEX], now[KTIME_TEXT_MAX],
		expires[KTIME_TEXT_MAX];
	token_new(token);
	token_hash(token, hash);
	int64_t now_us = kclock_now(ctx->app->clock);
	ktime_format(now_us, now);
	ktime_format(now_us + ctx->app->limits.token_ttl_s * 1000000, expires);
	if (!api_begin(ctx, true)) {
		json_decref(body);
		return;
	}
	e = repo_token_create(ctx->conn, hash, u.id, "session", now, expires);
	if (!e)
		e = repo_audit(ctx->conn, now, u.username, "session.created", u.username, NULL);
	if (e) {
		store_rollback(ctx->conn);
		api_problem(ctx, e, NULL, NULL);
	} else if (api_commit(ctx)) {
		api_json(ctx, 201,
			 json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}}", "token", token,
				   "token_type", "Bearer", "expires_at", expires, "user",
				   "username", u.username, "role", u.role, "organisation",
				   u.org_uscc, "organisation_name", u.org_name));
	}
	json_decref(body);
}

void api_session_delete(struct api_ctx *ctx)
{
	char now[KTIME_TEXT_MAX];
	api_now(ctx, now);
	if (!api_begin(ctx, true))
		return;
	kerr e = repo_token_revoke(ctx->conn, ctx->caller.token_hash, now);
	if (!e)
		e = repo_audit(ctx->conn, now, ctx->caller.user.username,
			       "session.revoked", ctx->caller.user.username, NULL);
	if (e) {
		store_rollback(ctx->conn);
		api_problem(ctx, e, NULL, NULL);
		return;
	}
	if (api_commit(ctx)) {
		ctx->resp->status = 204;
		buf_reset(&ctx->resp->body);
	}
}

void api_me(struct api_ctx *ctx)
{
	const struct user_row *u = &ctx->caller.user;
	const char *agency = role_agency(ctx->caller.role);
	api_json(ctx, 200,
		 json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "username", u->username,
			   "display_name", u->display_name, "role", u->role,
			   "organisation", u->org_uscc, "organisation_name", u->org_name,
			   "agency", agency ? json_string(agency) : json_null()));
}
