/* accounts.c - organisations, users, sessions and tokens (see accounts.h). */
#include "service/accounts.h"

#include <pthread.h>
#include <string.h>

#include "common/buf.h"
#include "common/codes.h"

static const char *const org_kinds[] = {"trader", "broker", "agency", "port",
					"office", "carrier", NULL};

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
			     "must be one of trader, broker, agency, port, office, carrier");
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
	if (in->password && (why = password_problem(in->password)))
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

static kerr issue_token(struct uow *u, int64_t user_id, const char *label, int64_t ttl_s,
			char token[TOKEN_TEXT_MAX], char expires[TIME_TEXT_SIZE])
{
	struct store_conn *c;
	char hash[TOKEN_HASH_HEX], now[TIME_TEXT_SIZE];
	int64_t now_us = uow_now_us(u);
	token_new(token);
	token_hash(token, hash);
	ktime_format(now_us, now);
	ktime_format(now_us + ttl_s * 1000000, expires);
	kerr e = uow_conn(u, &c);
	return e ? e : repo_token_create(c, hash, user_id, label, now, expires);
}

kerr accounts_login(struct uow *u, const char *username, const char *password,
		    struct session *out)
{
	memset(out, 0, sizeof *out);
	/* the password check is slow: it runs before the unit writes */
	kerr e = repo_user_find(uow_peek(u), username, &out->user);
	bool ok = false;
	if (e == KERR_OK) {
		ok = password_verify(out->user.password_hash, password);
	} else {
		const char *fake = dummy(&u->svc->limits);
		if (fake)
			(void)password_verify(fake, password); /* same cost, result unused */
	}
	if (e && e != KERR_NOT_FOUND)
		return e;
	if (!ok || out->user.disabled)
		return KERR_UNAUTHENTICATED;
	e = issue_token(u, out->user.id, "session", u->svc->limits.token_ttl_s, out->token,
			out->expires_at);
	if (!e) {
		struct actor self = {.role = ROLE_DECLARANT, .user_id = out->user.id};
		str_copy(self.username, out->user.username, sizeof self.username);
		e = uow_audit(u, &self, "session.created", out->user.username, NULL);
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
	kerr e = repo_token_lookup(uow_peek(u), token_hash_out, now, &user);
	return e ? e : actor_from_user(&user, out);
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
		e = uow_audit(u, a, "session.revoked", a->username, NULL);
	return e;
}

kerr accounts_me(struct uow *u, const struct actor *a, struct user_row *out)
{
	return repo_user_find(uow_peek(u), a->username, out);
}

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
		e = uow_audit(u, a, "organisation.created", in->uscc, NULL);
	return e;
}

kerr accounts_user_create(struct uow *u, const struct actor *a, const struct user_input *in,
			  int64_t *id, struct refusal *why)
{
	struct store_conn *c;
	struct org_row org;
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_org_find(c, in->org_uscc, &org);
	if (e == KERR_NOT_FOUND) {
		refusal_say(why, "the user is not valid");
		refusal_field(why, "/organisation", "no organisation has USCC %s", in->org_uscc);
		return KERR_INVALID;
	}
	if (e)
		return e;
	/* a carrier's users belong to a carrier (a shipping line, airline or
	 * road haulier, or its agent), and a carrier's users are carriers */
	bool carrier_role = in->role && !strcmp(in->role, "carrier");
	if (carrier_role != !strcmp(org.kind, "carrier")) {
		refusal_say(why, "the user is not valid");
		refusal_field(why, "/role",
			      carrier_role ? "carrier is for users of an organisation of kind "
					     "carrier; %s is of kind %s"
					   : "a user of a carrier (%s, of kind %s) has the role "
					     "carrier",
			      in->org_uscc, org.kind);
		return KERR_INVALID;
	}
	char hash[PASSWORD_HASH_MAX];
	e = password_hash(in->password, u->svc->limits.pwhash_ops, u->svc->limits.pwhash_mem,
			  hash);
	if (!e)
		e = repo_user_create(c, org.id, in->username,
				     in->display_name ? in->display_name : in->username, hash,
				     in->role, in->supervisor, now, id);
	if (e == KERR_CONFLICT) {
		refusal_say(why, "the user is not valid");
		refusal_field(why, "/username", "is already taken");
		return e;
	}
	if (!e)
		e = uow_audit(u, a, "user.created", in->username, NULL);
	return e;
}

kerr accounts_token_create(struct uow *u, const struct actor *a, const char *username,
			   const char *label, int64_t ttl_s, char token[TOKEN_TEXT_MAX],
			   char expires[TIME_TEXT_SIZE])
{
	struct store_conn *c;
	struct user_row user;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_user_find(c, username, &user);
	if (!e)
		e = issue_token(u, user.id, label, ttl_s, token, expires);
	if (!e)
		e = uow_audit(u, a, "token.created", username, NULL);
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
