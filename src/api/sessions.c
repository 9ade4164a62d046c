/*
 * sessions.c - log in (credentials for a bearer token), log out (revoke the
 * token), who am I, and change my password. (Revoking all of one's tokens
 * is beside the admin's revocation, in admin.c.)
 *
 * A login that must wait (too many failures for the user name or from the
 * address, or the name locked) answers 429 with Retry-After; one that finds
 * every password-hashing turn taken answers 503 with Retry-After: 1.
 * Neither checks the password.
 */
#include <stdio.h>
#include <string.h>

#include "api/handlers.h"
#include "service/accounts.h"

#define USERNAME_MAX 64
#define PASSWORD_IN_MAX 1024

void api_retry_later(struct api_ctx *ctx, int64_t retry_after_s, const char *detail,
		     json_t *extra)
{
	char retry[24];
	long long seconds = retry_after_s > 0 ? (long long)retry_after_s : 1;
	snprintf(retry, sizeof retry, "%lld", seconds);
	http_response_header(ctx->resp, "Retry-After", retry);
	if (!extra)
		extra = json_object();
	if (extra)
		json_object_set_new(extra, "retry_after_s", json_integer(seconds));
	api_problem_ext(ctx, KERR_THROTTLED, detail, NULL, extra);
}

void api_throttled(struct api_ctx *ctx, kerr e, const struct throttle_refusal *w)
{
	char detail[200];
	if (e == KERR_BUSY) {
		char retry[24];
		snprintf(retry, sizeof retry, "%lld",
			 w->retry_after_s > 0 ? (long long)w->retry_after_s : 1LL);
		http_response_header(ctx->resp, "Retry-After", retry);
		api_problem(ctx, e,
			    "too many passwords are being checked at once; retry in a second",
			    NULL);
		return;
	}
	if (w->locked)
		snprintf(detail, sizeof detail,
			 "this user name is locked after too many failed logins, until %s; an "
			 "administrator can unlock it",
			 w->locked_until);
	else
		snprintf(detail, sizeof detail, "too many failed logins %s; try again in %lld s",
			 w->by_address ? "from this address" : "for this user name",
			 (long long)w->retry_after_s);
	json_t *extra = json_object();
	if (extra && w->locked)
		json_object_set_new(extra, "locked_until", json_string(w->locked_until));
	api_retry_later(ctx, w->retry_after_s, detail, extra);
}

/* The string members `names` (all required) of a body that has no others;
 * false after answering 400. Strings longer than `max` are refused. */
static bool strings(struct api_ctx *ctx, const json_t *body, const char *const *names,
		    const char *accepted, size_t max, const char **out)
{
	struct problems p;
	problems_init(&p);
	problems_unknown_fields(&p, body, "", names, accepted);
	for (size_t i = 0; names[i]; i++) {
		json_t *v = json_object_get(body, names[i]);
		char field[64];
		json_pointer_to(field, sizeof field, "", names[i]);
		out[i] = json_string_value(v);
		if (!v)
			problems_add(&p, field, "is required");
		else if (!json_is_string(v))
			problems_add(&p, field, "must be a string");
		else if (strlen(out[i]) > max)
			problems_add(&p, field, "must be at most %zu bytes", max);
	}
	if (!problems_any(&p))
		return true;
	api_problem(ctx, KERR_INVALID, "the request has fields that are not valid", &p);
	return false;
}

void api_session_create(struct api_ctx *ctx)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	static const char *const names[] = {"username", "password", NULL};
	const char *in[2];
	if (!strings(ctx, body, names, "username, password", PASSWORD_IN_MAX, in)) {
		json_decref(body);
		return;
	}
	struct session s;
	struct throttle_refusal wait;
	kerr e = strlen(in[0]) > USERNAME_MAX
			 ? KERR_UNAUTHENTICATED /* no such name can exist */
			 : accounts_login(&ctx->uow, in[0], in[1], &s, &wait);
	if (e == KERR_UNAUTHENTICATED)
		api_problem(ctx, e,
			    "the user name or password is wrong, or the account is disabled",
			    NULL);
	else if (e == KERR_THROTTLED || (e == KERR_BUSY && wait.retry_after_s))
		api_throttled(ctx, e, &wait);
	else if (e)
		api_problem(ctx, e, e == KERR_BUSY ? "the database is busy; retry" : NULL, NULL);
	else
		api_json(ctx, 201,
			 json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}}", "token", s.token,
				   "token_type", "Bearer", "expires_at", s.expires_at, "user",
				   "username", s.user.username, "role", s.user.role,
				   "organisation", s.user.org_uscc, "organisation_name",
				   s.user.org_name));
	json_decref(body);
}

void api_session_delete(struct api_ctx *ctx)
{
	kerr e = accounts_logout(&ctx->uow, &ctx->actor, ctx->token_hash);
	if (e)
		api_problem(ctx, e, NULL, NULL);
	else
		api_no_content(ctx);
}

void api_me(struct api_ctx *ctx)
{
	struct user_row u;
	kerr e = accounts_me(&ctx->uow, &ctx->actor, &u);
	if (e) {
		api_problem(ctx, e == KERR_NOT_FOUND ? KERR_UNAUTHENTICATED : e, NULL, NULL);
		return;
	}
	const char *agency = actor_agency(&ctx->actor);
	api_json(ctx, 200,
		 json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:b}", "username", u.username,
			   "display_name", u.display_name, "role", u.role, "organisation",
			   u.org_uscc, "organisation_name", u.org_name, "agency",
			   agency ? json_string(agency) : json_null(), "supervisor",
			   u.supervisor));
}

void api_me_password(struct api_ctx *ctx)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	static const char *const names[] = {"current_password", "password", NULL};
	const char *in[2];
	if (!strings(ctx, body, names, "current_password, password", PASSWORD_IN_MAX, in)) {
		json_decref(body);
		return;
	}
	struct problems p;
	struct refusal why;
	struct throttle_refusal wait;
	problems_init(&p);
	refusal_init(&why, &p);
	kerr e = accounts_password_change(&ctx->uow, &ctx->actor, ctx->token_hash, in[0], in[1],
					  &why, &wait);
	if (e == KERR_THROTTLED || (e == KERR_BUSY && wait.retry_after_s))
		api_throttled(ctx, e, &wait);
	else if (e)
		api_refused(ctx, e, &why, "the password could not be changed");
	else
		api_no_content(ctx);
	json_decref(body);
}
