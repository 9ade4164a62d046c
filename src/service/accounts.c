/*
 * accounts.c - organisations, users, sessions and tokens (see
 * accounts.h).
 *
 * A password check goes: a look at the throttling state outside any
 * transaction (most refused attempts stop here, for the cost of one read);
 * a turn at hashing (services_hash_begin); the attempt claimed as a failure
 * in a short write transaction committed at once, only if the state is
 * still as read, so that concurrent attempts on any server see it before
 * the slow hash; the hash; then the outcome: a success clears the count, a failure is counted
 * for the address and audited, committed before the refusal is answered.
 */
#include "service/accounts.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "common/buf.h"
#include "common/codes.h"
#include "domain/throttle.h"
#include "common/clock.h"
#include "service/token_cache.h"
#include "store/repo_accounts.h"
#include "store/repo_ingest.h"

static const char *const org_kinds[] = {"trader", "broker", "agency", "port",
					"office", "carrier", "ecommerce_platform",
					"ecommerce_enterprise", "payment_company",
					"logistics_company", "bank", NULL};

static bool in_list(const char *s, const char *const *l)
{
	for (size_t i = 0; s && l[i]; i++)
		if (strcmp(s, l[i]) == 0)
			return true;
	return false;
}

bool org_input_check(const struct org_input *in, const struct refdata *ref,
		     struct problems *p)
{
	size_t before = p->count;
	bool port_kind = in->kind && strcmp(in->kind, "port") == 0;
	if (port_kind && !in->port)
		problems_add(p, "/port", "is required for a port organisation: the UN/LOCODE of "
					 "the port it works at, e.g. CNNSA");
	else if (in->port && !port_kind)
		problems_add(p, "/port", "is only for organisations of kind port");
	else if (in->port && ref && !refdata_has(ref, "ports", in->port))
		problems_add(p, "/port", "'%.20s' is not a known port (see GET /v1/reference/ports)",
			     in->port);
	enum codes_result r;
	if (in->uscc && (r = codes_check_uscc(in->uscc)) != CODES_OK)
		problems_add(p, "/uscc", "unified social credit code %s",
			     codes_result_text(r, "USCC"));
	if (in->name && (!*in->name || strlen(in->name) > 200))
		problems_add(p, "/name", "must be 1 to 200 bytes");
	if (in->kind && !in_list(in->kind, org_kinds))
		problems_add(p, "/kind",
			     "must be one of trader, broker, agency, port, office, carrier, "
			     "ecommerce_platform, ecommerce_enterprise, payment_company, "
			     "logistics_company, bank");
	return p->count == before;
}

bool user_input_check(const struct user_input *in, struct problems *p)
{
	size_t before = p->count;
	if (in->username) {
		size_t n = strlen(in->username);
		bool ok = n >= 3 && n <= 64;
		for (size_t i = 0; ok && i < n; i++) {
			char ch = in->username[i];
			ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
			     ch == '.' || ch == '_' || ch == '-';
		}
		if (!ok)
			problems_add(p, "/username",
				     "must be 3 to 64 characters from a-z, 0-9, '.', '_', '-'");
	}
	if (in->display_name && strlen(in->display_name) > 128)
		problems_add(p, "/display_name", "must be at most 128 bytes");
	const char *why;
	if (in->password && (why = password_problem(in->password, in->username)))
		problems_add(p, "/password", "%s", why);
	enum role r;
	if (in->role && !role_parse(in->role, &r))
		problems_add(p, "/role", "must be one of %s", role_names_text());
	if (in->org_uscc && codes_check_uscc(in->org_uscc) != CODES_OK)
		problems_add(p, "/organisation", "must be the USCC of an organisation");
	if (in->supervisor && in->role && (!role_parse(in->role, &r) || !role_agency(r)))
		problems_add(p, "/supervisor", "only an agency's officer may be a supervisor");
	return p->count == before;
}

/* A hash to verify against when the user does not exist, made with the
 * same cost as real ones, so that a wrong user name takes as long to refuse
 * as a wrong password and does not reveal which names exist. */
static char dummy_hash[PASSWORD_HASH_MAX];
static bool dummy_made;
static pthread_mutex_t dummy_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *dummy(const struct service_limits *l)
{
	pthread_mutex_lock(&dummy_lock);
	if (!dummy_made && !password_hash("not-a-password-at-all", l->pwhash_ops,
					  l->pwhash_mem, dummy_hash))
		dummy_made = true;
	pthread_mutex_unlock(&dummy_lock);
	return dummy_made ? dummy_hash : NULL;
}

#define US 1000000LL

/* --- throttling --- */

static int64_t time_of(const char *text)
{
	int64_t us = 0;
	return text && *text && ktime_parse(text, &us) ? us : 0;
}

static void state_of(const struct throttle_row *row, struct throttle_state *st)
{
	st->failures = row->failures;
	st->last_failure_us = time_of(row->last_failure_at);
	st->locked_until_us = time_of(row->locked_until);
}

/* The state of a name or address; *found says whether a row is kept. */
static kerr read_state(struct store_conn *c, const char *scope, const char *key,
		       struct throttle_row *row, bool *found, struct throttle_state *st)
{
	kerr e = repo_throttle_get(c, scope, key, row);
	*found = e == KERR_OK;
	if (e == KERR_NOT_FOUND) {
		memset(row, 0, sizeof *row);
		e = KERR_OK;
	}
	state_of(row, st);
	return e;
}

/* May the name be tried now from the unit's source? KERR_THROTTLED (with
 * `wait`) when either must wait. */
static kerr may_try(struct store_conn *c, struct uow *u, const char *name, int64_t now,
		    struct throttle_row *urow, bool *ufound, struct throttle_state *ust,
		    struct throttle_refusal *wait)
{
	struct throttle_row arow;
	struct throttle_state ast;
	bool afound;
	kerr e = read_state(c, THROTTLE_SCOPE_USER, name, urow, ufound, ust);
	if (!e)
		e = read_state(c, THROTTLE_SCOPE_ADDRESS, u->source, &arow, &afound, &ast);
	if (e)
		return e;
	memset(wait, 0, sizeof *wait);
	int64_t retry;
	enum throttle_verdict v = throttle_check(THROTTLE_USER, ust, now, &retry);
	if (v == THROTTLE_GO) {
		v = throttle_check(THROTTLE_ADDRESS, &ast, now, &retry);
		wait->by_address = v != THROTTLE_GO;
	}
	if (v == THROTTLE_GO)
		return KERR_OK;
	wait->retry_after_s = retry;
	wait->locked = v == THROTTLE_LOCKED;
	if (wait->locked)
		ktime_format(ust->locked_until_us, wait->locked_until);
	return KERR_THROTTLED;
}

/* An attempt claimed: the row before and after. */
struct claim {
	struct throttle_state state; /* as claimed */
	struct throttle_row before, after;
	bool existed;
};

/* Claim an attempt on `name` as a failure, committed at once, if the state
 * allows one and is still as read. */
static kerr claim(struct uow *u, const char *name, int64_t now, struct claim *cl,
		  struct throttle_refusal *wait)
{
	for (int tries = 0; tries < 4; tries++) {
		struct store_conn *c;
		struct throttle_state st;
		kerr e = uow_conn(u, &c);
		if (!e)
			e = may_try(c, u, name, now, &cl->before, &cl->existed, &st, wait);
		if (!e) {
			cl->state = throttle_fail(THROTTLE_USER, &st, now);
			memset(&cl->after, 0, sizeof cl->after);
			cl->after.failures = cl->state.failures;
			ktime_format(cl->state.last_failure_us, cl->after.last_failure_at);
			if (cl->state.locked_until_us)
				ktime_format(cl->state.locked_until_us, cl->after.locked_until);
			e = repo_throttle_claim(c, THROTTLE_SCOPE_USER, name,
						cl->existed ? &cl->before : NULL, &cl->after);
		}
		if (e == KERR_CONFLICT) { /* another attempt came first: look again */
			uow_rollback(u);
			continue;
		}
		if (e) {
			uow_rollback(u);
			return e;
		}
		return uow_commit(u);
	}
	memset(wait, 0, sizeof *wait);
	wait->retry_after_s = 1;
	return KERR_THROTTLED;
}

/* The look before anything is written (no transaction): most refused
 * attempts end here. */
static kerr peek(struct uow *u, const char *name, int64_t now, struct throttle_refusal *wait)
{
	struct throttle_row row;
	struct throttle_state st;
	bool found;
	return may_try(uow_peek(u), u, name, now, &row, &found, &st, wait);
}

/* Record a failed check of name's password (reason: why, for the audit),
 * count it for the address, and commit, so that it stands whatever is
 * answered. `actor`: who tried, when known (NULL: anonymous). */
static kerr failed(struct uow *u, const struct actor *actor, const char *action,
		   const char *name, const char *reason, int64_t now,
		   const struct throttle_state *claimed)
{
	struct store_conn *c;
	char at[TIME_TEXT_SIZE], lapsed[TIME_TEXT_SIZE], stale[TIME_TEXT_SIZE];
	int64_t address_failures = 0;
	ktime_format(now, at);
	ktime_format(now - (int64_t)THROTTLE_ADDRESS_QUIET_S * US, lapsed);
	ktime_format(now - (int64_t)THROTTLE_USER_QUIET_S * US, stale);
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_throttle_count(c, THROTTLE_SCOPE_ADDRESS, u->source, at, lapsed,
					&address_failures);
	if (!e) /* names and addresses quiet for a day are forgotten */
		e = repo_throttle_purge(c, stale, at);
	json_t *data = json_pack("{s:s, s:I, s:I}", "reason", reason, "failures",
				 (json_int_t)claimed->failures, "address_failures",
				 (json_int_t)address_failures);
	if (!e)
		e = actor ? uow_audit_json(u, actor, action, name, data)
			  : uow_audit_anonymous(u, action, name, data);
	else
		json_decref(data);
	if (!e && claimed->locked_until_us) {
		char until[TIME_TEXT_SIZE];
		ktime_format(claimed->locked_until_us, until);
		e = uow_audit_anonymous(u, "account.locked", name,
					json_pack("{s:I, s:s}", "failures",
						  (json_int_t)claimed->failures, "locked_until",
						  until));
	}
	if (e) {
		uow_rollback(u);
		return e;
	}
	return uow_commit(u);
}

/* Start a throttled check of name's password: the look, a hashing turn,
 * the claim. On KERR_OK the caller holds a hashing turn (begun at *turn). The turn comes
 * before the claim so that an attempt turned away for want of one (503)
 * costs no write and counts as no failure of the user's. */
static kerr check_begin(struct uow *u, const char *name, int64_t now, int64_t *turn,
			struct throttle_state *claimed, struct throttle_refusal *wait)
{
	struct claim cl;
	kerr e = peek(u, name, now, wait);
	if (e)
		return e;
	if ((e = services_hash_begin(u->svc, turn))) {
		memset(wait, 0, sizeof *wait);
		wait->retry_after_s = 1;
		return e;
	}
	e = claim(u, name, now, &cl, wait);
	if (e) {
		services_hash_done(u->svc, *turn);
		return e;
	}
	*claimed = cl.state;
	return KERR_OK;
}

/* --- sessions --- */

static kerr issue_token(struct uow *u, int64_t user_id, const char *label, int64_t ttl_s,
			char token[TOKEN_TEXT_MAX], char expires[TIME_TEXT_SIZE])
{
	struct store_conn *c;
	char hash[TOKEN_HASH_HEX], now[TIME_TEXT_SIZE];
	int64_t now_us = uow_now_us(u);
	token_new(token);
	token_hash(token, hash);
	ktime_format(now_us, now);
	ktime_format(now_us + ttl_s * US, expires);
	kerr e = uow_conn(u, &c);
	return e ? e : repo_token_create(c, hash, user_id, label, now, expires);
}

/* The actor a user row is. */
static void actor_of(const struct user_row *row, struct actor *a)
{
	memset(a, 0, sizeof *a);
	if (!role_parse(row->role, &a->role))
		a->role = ROLE_DECLARANT;
	a->user_id = row->id;
	a->org_id = row->org_id;
	str_copy(a->username, row->username, sizeof a->username);
	str_copy(a->org_uscc, row->org_uscc, sizeof a->org_uscc);
}

kerr accounts_login(struct uow *u, const char *username, const char *password,
		    struct session *out, struct throttle_refusal *wait)
{
	memset(out, 0, sizeof *out);
	memset(wait, 0, sizeof *wait);
	int64_t now = uow_now_us(u), turn;
	struct throttle_state claimed;
	kerr e = check_begin(u, username, now, &turn, &claimed, wait);
	if (e)
		return e;
	/* the password check is slow: it runs with no transaction open */
	e = repo_user_find(uow_peek(u), username, &out->user);
	bool ok = false;
	if (e == KERR_OK) {
		ok = password_verify(out->user.password_hash, password);
	} else {
		const char *fake = dummy(&u->svc->limits);
		if (fake)
			(void)password_verify(fake, password); /* same cost, result unused */
	}
	services_hash_done(u->svc, turn);
	if (e && e != KERR_NOT_FOUND)
		return e;
	if (!ok || out->user.disabled) {
		const char *reason = e == KERR_NOT_FOUND ? "unknown user name"
				     : !ok		 ? "wrong password"
							 : "user disabled";
		e = failed(u, NULL, "session.failed", username, reason, now, &claimed);
		return e ? e : KERR_UNAUTHENTICATED;
	}
	struct store_conn *c;
	e = uow_conn(u, &c);
	if (!e)
		e = repo_throttle_clear(c, THROTTLE_SCOPE_USER, username);
	if (!e)
		e = issue_token(u, out->user.id, "session", u->svc->limits.token_ttl_s, out->token,
				out->expires_at);
	if (!e) {
		struct actor self;
		actor_of(&out->user, &self);
		e = uow_audit_json(u, &self, "session.created", out->user.username,
				   json_pack("{s:s}", "expires_at", out->expires_at));
	}
	return e;
}

kerr accounts_authenticate(struct uow *u, const char *token, struct actor *out,
			   char token_hash_out[TOKEN_HASH_HEX])
{
	struct user_row user;
	char now[TIME_TEXT_SIZE];
	memset(out, 0, sizeof *out);
	token_hash(token, token_hash_out);
	uow_now(u, now);
	/* the generation first: a change that commits after this read moves
	 * it on, so what is read next is never cached past that change */
	int64_t generation, now_us = uow_now_us(u), expires_us;
	kerr e = repo_auth_generation(uow_peek(u), &generation);
	if (e)
		return e;
	if (token_cache_get(u->svc->tokens, token_hash_out, generation, now_us, out))
		return KERR_OK;
	char expires[TIME_TEXT_SIZE];
	e = repo_token_lookup_expiry(uow_peek(u), token_hash_out, now, &user, expires);
	if (!e)
		e = actor_from_user(&user, out);
	if (!e && ktime_parse(expires, &expires_us))
		token_cache_put(u->svc->tokens, token_hash_out, generation, expires_us, out);
	return e;
}

kerr actor_from_user(const struct user_row *u, struct actor *out)
{
	memset(out, 0, sizeof *out);
	if (!role_parse(u->role, &out->role))
		return KERR_NOT_FOUND;
	out->user_id = u->id;
	out->org_id = u->org_id;
	out->supervisor = u->supervisor;
	str_copy(out->username, u->username, sizeof out->username);
	str_copy(out->org_uscc, u->org_uscc, sizeof out->org_uscc);
	str_copy(out->org_port, u->org_port, sizeof out->org_port);
	str_copy(out->org_kind, u->org_kind, sizeof out->org_kind);
	return KERR_OK;
}

kerr accounts_logout(struct uow *u, const struct actor *a, const char *token_hash_text)
{
	struct store_conn *c;
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_token_revoke(c, token_hash_text, now);
	if (!e)
		e = repo_auth_generation_raise(c);
	if (!e)
		e = uow_audit(u, a, "session.revoked", a->username, NULL);
	return e;
}

kerr accounts_me(struct uow *u, const struct actor *a, struct user_row *out)
{
	return repo_user_find(uow_peek(u), a->username, out);
}

/* --- passwords --- */

/* Hash a new password, taking a hashing turn. */
static kerr hash_new(struct uow *u, const char *password, char out[PASSWORD_HASH_MAX])
{
	int64_t turn;
	kerr e = services_hash_begin(u->svc, &turn);
	if (e)
		return e;
	e = password_hash(password, u->svc->limits.pwhash_ops, u->svc->limits.pwhash_mem, out);
	services_hash_done(u->svc, turn);
	return e;
}

kerr accounts_password_change(struct uow *u, const struct actor *a, const char *token_hash_text,
			      const char *current, const char *password, struct refusal *why,
			      struct throttle_refusal *wait)
{
	memset(wait, 0, sizeof *wait);
	const char *bad = password_problem(password, a->username);
	if (bad) {
		refusal_say(why, "the new password is not acceptable");
		refusal_field(why, "/password", "%s", bad);
		return KERR_INVALID;
	}
	int64_t now = uow_now_us(u), turn;
	struct throttle_state claimed;
	kerr e = check_begin(u, a->username, now, &turn, &claimed, wait);
	if (e)
		return e;
	struct user_row user;
	char hash[PASSWORD_HASH_MAX];
	e = repo_user_find(uow_peek(u), a->username, &user);
	bool ok = !e && password_verify(user.password_hash, current);
	bool same = ok && !strcmp(current, password);
	if (ok && !same)
		e = password_hash(password, u->svc->limits.pwhash_ops, u->svc->limits.pwhash_mem,
				  hash);
	services_hash_done(u->svc, turn);
	if (e)
		return e;
	if (!ok) {
		e = failed(u, a, "password.change_failed", a->username, "wrong current password",
			   now, &claimed);
		if (e)
			return e;
		refusal_say(why, "the current password is wrong");
		refusal_field(why, "/current_password", "is not your current password");
		return KERR_INVALID;
	}
	struct store_conn *c;
	char at[TIME_TEXT_SIZE];
	int64_t revoked = 0;
	ktime_format(now, at);
	e = uow_conn(u, &c);
	if (!e)
		e = repo_throttle_clear(c, THROTTLE_SCOPE_USER, a->username);
	if (!e && same) {
		/* the check passed, and that must stand */
		if ((e = uow_commit(u)))
			return e;
		refusal_say(why, "the new password is not acceptable");
		refusal_field(why, "/password", "must differ from the current password");
		return KERR_INVALID;
	}
	if (!e)
		e = repo_user_set_password(c, user.id, hash, at);
	if (!e)
		e = repo_tokens_revoke_user(c, user.id, at, token_hash_text, &revoked);
	if (!e)
		e = repo_auth_generation_raise(c);
	if (!e)
		e = uow_audit_json(u, a, "user.password_changed", a->username,
				   json_pack("{s:s, s:I}", "by", "self", "tokens_revoked",
					     (json_int_t)revoked));
	return e;
}

/* The user named `username`, on the unit's transaction; KERR_NOT_FOUND
 * with the refusal said. */
static kerr find_user(struct uow *u, const char *username, struct user_row *out,
		      struct refusal *why)
{
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_user_find(c, username, out);
	if (e == KERR_NOT_FOUND)
		refusal_say(why, "there is no user named %s", username);
	return e;
}

kerr accounts_password_reset(struct uow *u, const struct actor *a, const char *username,
			     const char *password, struct refusal *why)
{
	const char *bad = password_problem(password, username);
	if (bad) {
		refusal_say(why, "the password is not acceptable");
		refusal_field(why, "/password", "%s", bad);
		return KERR_INVALID;
	}
	char hash[PASSWORD_HASH_MAX];
	kerr e = hash_new(u, password, hash); /* before the transaction: it is slow */
	struct user_row user;
	struct store_conn *c;
	char at[TIME_TEXT_SIZE];
	int64_t revoked = 0;
	uow_now(u, at);
	if (!e)
		e = find_user(u, username, &user, why);
	if (!e)
		e = uow_conn(u, &c);
	if (!e)
		e = repo_user_set_password(c, user.id, hash, at);
	if (!e)
		e = repo_tokens_revoke_user(c, user.id, at, NULL, &revoked);
	if (!e)
		e = repo_auth_generation_raise(c);
	if (!e)
		e = repo_throttle_clear(c, THROTTLE_SCOPE_USER, username);
	if (!e)
		e = uow_audit_json(u, a, "user.password_reset", username,
				   json_pack("{s:s, s:I}", "by", "admin", "tokens_revoked",
					     (json_int_t)revoked));
	sodium_memzero(hash, sizeof hash);
	return e;
}

/* --- the admin's use cases --- */

kerr accounts_org_create(struct uow *u, const struct actor *a, const struct org_input *in,
			 int64_t *id, struct refusal *why)
{
	struct store_conn *c;
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_org_create(c, in->uscc, in->name, in->kind, in->port, now, id);
	if (e == KERR_CONFLICT) {
		refusal_say(why, "an organisation with this USCC exists");
		refusal_field(why, "/uscc", "an organisation with this USCC exists");
		return e;
	}
	if (!e)
		e = uow_audit_change(u, a, "organisation.created", in->uscc, NULL,
				     json_pack("{s:s, s:s, s:s}", "uscc", in->uscc, "name",
					       in->name, "kind", in->kind),
				     NULL);
	return e;
}

kerr accounts_user_create(struct uow *u, const struct actor *a, const struct user_input *in,
			  int64_t *id, struct refusal *why)
{
	struct store_conn *c;
	struct org_row org;
	char now[TIME_TEXT_SIZE], hash[PASSWORD_HASH_MAX];
	enum role role;
	uow_now(u, now);
	const char *bad = password_problem(in->password, in->username);
	if (bad) {
		refusal_say(why, "the user is not valid");
		refusal_field(why, "/password", "%s", bad);
		return KERR_INVALID;
	}
	/* the hash is slow: made before the transaction begins */
	kerr e = hash_new(u, in->password, hash);
	if (!e)
		e = uow_conn(u, &c);
	if (!e)
		e = repo_org_find(c, in->org_uscc, &org);
	if (e == KERR_NOT_FOUND) {
		refusal_say(why, "the user is not valid");
		refusal_field(why, "/organisation", "no organisation has USCC %s", in->org_uscc);
		e = KERR_INVALID;
	} else if (!e && !role_parse(in->role, &role)) {
		refusal_say(why, "the user is not valid");
		refusal_field(why, "/role", "must be one of %s", role_names_text());
		e = KERR_INVALID;
	} else if (!e && !role_fits_org_kind(role, org.kind)) {
		refusal_say(why, "the role does not fit the organisation");
		refusal_field(why, "/role",
			      "the role %s is for an organisation of kind %s; %s is of kind %s",
			      role_name(role), role_org_kinds_text(role), in->org_uscc,
			      org.kind);
		e = KERR_INVALID;
	}
	const char *display = in->display_name ? in->display_name : in->username;
	if (!e)
		e = repo_user_create(c, org.id, in->username, display, hash, in->role,
				     in->supervisor, now, id);
	sodium_memzero(hash, sizeof hash);
	if (e == KERR_CONFLICT) {
		refusal_say(why, "the user is not valid");
		refusal_field(why, "/username", "is already taken");
		return e;
	}
	if (!e)
		e = uow_audit_change(u, a, "user.created", in->username, NULL,
				     json_pack("{s:s, s:s, s:s, s:s, s:b}", "username",
					       in->username, "display_name", display, "role",
					       in->role, "organisation", in->org_uscc,
					       "disabled", 0),
				     NULL);
	return e;
}

kerr accounts_token_create(struct uow *u, const struct actor *a, const char *username,
			   const char *label, int64_t ttl_s, char token[TOKEN_TEXT_MAX],
			   char expires[TIME_TEXT_SIZE])
{
	if (ttl_s < 1 || ttl_s > ISSUED_TOKEN_TTL_MAX_S)
		return KERR_INVALID;
	struct store_conn *c;
	struct user_row user;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_user_find(c, username, &user);
	if (!e)
		e = issue_token(u, user.id, label, ttl_s, token, expires);
	if (!e)
		e = uow_audit_json(u, a, "token.created", username,
				   json_pack("{s:s, s:s}", "label", label, "expires_at", expires));
	return e;
}

kerr accounts_org_list(struct uow *u, org_row_fn fn, void *arg)
{
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	return e ? e : repo_org_list(c, fn, arg);
}

kerr accounts_user_list(struct uow *u, user_row_fn fn, void *arg)
{
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	return e ? e : repo_user_list(c, fn, arg);
}

kerr accounts_user_get(struct uow *u, const char *username, struct user_view *out)
{
	memset(out, 0, sizeof *out);
	struct store_conn *c;
	struct throttle_row row;
	struct throttle_state st;
	struct user_security sec;
	bool found;
	char now[TIME_TEXT_SIZE];
	int64_t now_us = uow_now_us(u);
	ktime_format(now_us, now);
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_user_find(c, username, &out->user);
	if (!e)
		e = read_state(c, THROTTLE_SCOPE_USER, username, &row, &found, &st);
	if (!e)
		e = repo_user_security(c, out->user.id, now, &sec);
	if (e)
		return e;
	if (!throttle_lapsed(THROTTLE_USER, &st, now_us)) {
		out->failed_logins = st.failures;
		if (st.locked_until_us)
			str_copy(out->locked_until, row.locked_until, sizeof out->locked_until);
	}
	str_copy(out->password_changed_at, sec.password_changed_at,
		 sizeof out->password_changed_at);
	out->live_tokens = sec.live_tokens;
	return KERR_OK;
}

kerr accounts_user_set_disabled(struct uow *u, const struct actor *a, const char *username,
				bool disabled, const char *reason, struct refusal *why)
{
	struct user_row user;
	struct store_conn *c;
	char at[TIME_TEXT_SIZE];
	int64_t revoked = 0;
	uow_now(u, at);
	if (disabled && !a->system && !strcmp(a->username, username)) {
		refusal_say(why, "an administrator may not disable their own account");
		return KERR_CONFLICT;
	}
	kerr e = find_user(u, username, &user, why);
	if (e)
		return e;
	e = uow_conn(u, &c);
	if (!e)
		e = repo_user_set_disabled(c, user.id, disabled);
	if (!e)
		e = repo_auth_generation_raise(c);
	if (e == KERR_NOT_FOUND) {
		refusal_say(why, "%s is already %s", username, disabled ? "disabled" : "enabled");
		return KERR_CONFLICT;
	}
	if (!e && disabled)
		e = repo_tokens_revoke_user(c, user.id, at, NULL, &revoked);
	if (!e)
		e = repo_auth_generation_raise(c);
	if (e)
		return e;
	json_t *after = json_pack("{s:b}", "disabled", disabled);
	if (disabled)
		json_object_set_new(after, "tokens_revoked", json_integer((json_int_t)revoked));
	return uow_audit_change(u, a, disabled ? "user.disabled" : "user.enabled", username,
				json_pack("{s:b}", "disabled", !disabled), after, reason);
}

kerr accounts_user_unlock(struct uow *u, const struct actor *a, const char *username,
			  struct refusal *why)
{
	struct user_row user;
	struct store_conn *c;
	struct throttle_row row;
	struct throttle_state st;
	bool found;
	kerr e = find_user(u, username, &user, why);
	if (!e)
		e = uow_conn(u, &c);
	if (!e)
		e = read_state(c, THROTTLE_SCOPE_USER, username, &row, &found, &st);
	if (e)
		return e;
	if (!found || throttle_lapsed(THROTTLE_USER, &st, uow_now_us(u))) {
		refusal_say(why, "%s is not locked and has no failed logins counted", username);
		return KERR_CONFLICT;
	}
	e = repo_throttle_clear(c, THROTTLE_SCOPE_USER, username);
	json_t *before = json_pack("{s:I, s:o}", "failed_logins", (json_int_t)row.failures,
				   "locked_until",
				   *row.locked_until ? json_string(row.locked_until) : json_null());
	json_t *after = json_pack("{s:i, s:n}", "failed_logins", 0, "locked_until");
	if (e) {
		json_decref(before);
		json_decref(after);
		return e;
	}
	return uow_audit_change(u, a, "user.unlocked", username, before, after, NULL);
}

kerr accounts_tokens_revoke(struct uow *u, const struct actor *a, const char *username,
			    int64_t *count, struct refusal *why)
{
	struct user_row user;
	struct store_conn *c;
	char at[TIME_TEXT_SIZE];
	*count = 0;
	uow_now(u, at);
	kerr e = find_user(u, username, &user, why);
	if (!e)
		e = uow_conn(u, &c);
	if (!e)
		e = repo_tokens_revoke_user(c, user.id, at, NULL, count);
	if (!e)
		e = repo_auth_generation_raise(c);
	if (!e)
		e = uow_audit_json(u, a, "tokens.revoked", username,
				   json_pack("{s:I}", "revoked", (json_int_t)*count));
	return e;
}
