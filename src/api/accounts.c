/* accounts.c - organisations, users and tokens (see accounts.h). */
#include "api/accounts.h"

#include <string.h>

#include "common/codes.h"
#include "domain/credentials.h"

static const char *const org_kinds[] = {"trader", "broker", "agency", "port",
					"office", NULL};

static bool in_list(const char *s, const char *const *l)
{
	for (size_t i = 0; s && l[i]; i++)
		if (strcmp(s, l[i]) == 0)
			return true;
	return false;
}

static const char *str_field(const json_t *o, const char *key, struct problems *p,
			     bool required)
{
	json_t *v = json_object_get(o, key);
	char f[64];
	json_pointer_to(f, sizeof f, "", key);
	if (!v) {
		if (required)
			problems_add(p, f, "is required");
		return NULL;
	}
	if (!json_is_string(v)) {
		problems_add(p, f, "must be a string");
		return NULL;
	}
	return json_string_value(v);
}

bool org_input_check(const struct org_input *in, struct problems *p)
{
	enum codes_result r;
	if (in->uscc && (r = codes_check_uscc(in->uscc)) != CODES_OK)
		problems_add(p, "/uscc", "unified social credit code %s",
			     codes_result_text(r, "USCC"));
	if (in->name && (!*in->name || strlen(in->name) > 200))
		problems_add(p, "/name", "must be 1 to 200 bytes");
	if (in->kind && !in_list(in->kind, org_kinds))
		problems_add(p, "/kind", "must be one of trader, broker, agency, port, office");
	return !problems_any(p);
}

bool org_input_parse(const json_t *body, struct org_input *in, struct problems *p)
{
	static const char *const ok[] = {"uscc", "name", "kind", NULL};
	problems_unknown_fields(p, body, "", ok, "uscc, name, kind");
	in->uscc = str_field(body, "uscc", p, true);
	in->name = str_field(body, "name", p, true);
	in->kind = str_field(body, "kind", p, true);
	return org_input_check(in, p) && !problems_any(p);
}

bool user_input_check(const struct user_input *in, struct problems *p)
{
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
		problems_add(p, "/role",
			     "must be one of declarant, customs, quarantine, border, "
			     "maritime, port_operator, analyst, admin");
	if (in->org_uscc && codes_check_uscc(in->org_uscc) != CODES_OK)
		problems_add(p, "/organisation", "must be the USCC of an organisation");
	return !problems_any(p);
}

bool user_input_parse(const json_t *body, struct user_input *in, struct problems *p)
{
	static const char *const ok[] = {"username", "display_name", "password",
					 "role", "organisation", NULL};
	problems_unknown_fields(p, body, "", ok,
				"username, display_name, password, role, organisation");
	in->username = str_field(body, "username", p, true);
	in->display_name = str_field(body, "display_name", p, false);
	in->password = str_field(body, "password", p, true);
	in->role = str_field(body, "role", p, true);
	in->org_uscc = str_field(body, "organisation", p, true);
	return user_input_check(in, p) && !problems_any(p);
}

kerr accounts_org_create(struct store_conn *c, const struct org_input *in,
			 const char *actor, const char *now, int64_t *id)
{
	kerr e = repo_org_create(c, in->uscc, in->name, in->kind, now, id);
	if (!e)
		e = repo_audit(c, now, actor, "organisation.created", in->uscc, NULL);
	return e;
}

kerr accounts_user_create(struct store_conn *c, const struct user_input *in,
			  const struct app_limits *limits, const char *actor,
			  const char *now, int64_t *id, struct problems *p)
{
	struct org_row org;
	kerr e = repo_org_find(c, in->org_uscc, &org);
	if (e == KERR_NOT_FOUND) {
		problems_add(p, "/organisation", "no organisation has USCC %s", in->org_uscc);
		return KERR_INVALID;
	}
	if (e)
		return e;
	char hash[PASSWORD_HASH_MAX];
	e = password_hash(in->password, limits->pwhash_ops, limits->pwhash_mem, hash);
	if (e)
		return e;
	e = repo_user_create(c, org.id, in->username,
			     in->display_name ? in->display_name : in->username, hash,
			     in->role, now, id);
	if (e == KERR_CONFLICT) {
		problems_add(p, "/username", "is already taken");
		return e;
	}
	if (!e)
		e = repo_audit(c, now, actor, "user.created", in->username, NULL);
	return e;
}

kerr accounts_token_create(struct store_conn *c, const char *username,
			   const char *label, int64_t ttl_s, int64_t now_us,
			   const char *actor, char *token, char *expires)
{
	struct user_row u;
	kerr e = repo_user_find(c, username, &u);
	if (e)
		return e;
	char hash[TOKEN_HASH_HEX], now[KTIME_TEXT_MAX];
	token_new(token);
	token_hash(token, hash);
	ktime_format(now_us, now);
	ktime_format(now_us + ttl_s * 1000000, expires);
	e = repo_token_create(c, hash, u.id, label, now, expires);
	if (!e)
		e = repo_audit(c, now, actor, "token.created", username, NULL);
	return e;
}
