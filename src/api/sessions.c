/*
 * sessions.c - log in (credentials for a bearer token), log out (revoke the
 * token), and who am I.
 */
#include <sodium.h>
#include <string.h>

#include "api/api.h"
#include "domain/credentials.h"

/* A hash to verify against when the user does not exist, so that a wrong
 * user name costs the same time as a wrong password. */
static char dummy_hash[PASSWORD_HASH_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
	if (password_hash("not-a-password-at-all", crypto_pwhash_OPSLIMIT_MIN,
			  crypto_pwhash_MEMLIMIT_MIN, dummy_hash))
		dummy_hash[0] = '\0';
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
		const char *key;
		json_t *v;
		json_object_foreach(body, key, v)
		{
			if (strcmp(key, "username") && strcmp(key, "password"))
				problems_add(&p, "/", "unknown field; accepted fields are: "
						      "username, password");
		}
		api_problem(ctx, KERR_INVALID, "send {\"username\": ..., \"password\": ...}", &p);
		json_decref(body);
		return;
	}
	struct user_row u;
	kerr e = repo_user_find(ctx->conn, username, &u);
	pthread_once(&dummy_once, make_dummy);
	bool ok = e == KERR_OK ? password_verify(u.password_hash, password)
			       : (password_verify(dummy_hash, password), false);
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
