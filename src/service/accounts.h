/*
 * accounts.h - who may use kouan: organisations, users, sessions and
 * tokens. Logging in and out, authenticating a bearer token, and the
 * admin's use cases, shared by the HTTP API and `kouan admin`, so both
 * apply the same rules and write the same audit records.
 */
#ifndef KOUAN_ACCOUNTS_H
#define KOUAN_ACCOUNTS_H

#include <stdbool.h>

#include "domain/credentials.h"
#include "service/service.h"
#include "store/repo.h"

struct org_input {
	const char *uscc;
	const char *name;
	const char *kind; /* trader, broker, agency, port, office */
	const char *port; /* a port organisation's port (UN/LOCODE); NULL for others */
};

struct user_input {
	const char *username;
	const char *display_name;
	const char *password;
	const char *role;
	const char *org_uscc;
	bool supervisor; /* an officer who may waive its agency's inspections */
};

/* Check the fields given (NULL ones are skipped); problems into p with
 * the API's field names (/uscc, /name, /kind, /port; /username,
 * /display_name, /password, /role, /organisation, /supervisor). A port
 * organisation names the port it works at (a code of the ports list);
 * others name none; only an agency's officer may be a supervisor. With ref
 * NULL the port is not looked up in the ports list. */
bool org_input_check(const struct org_input *in, const struct refdata *ref,
		     struct problems *p);
bool user_input_check(const struct user_input *in, struct problems *p);

/* A session just opened. */
struct session {
	char token[TOKEN_TEXT_MAX];
	char expires_at[TIME_TEXT_SIZE];
	struct user_row user;
};

/* Log in: a new session token for the user whose password it is. A wrong
 * user name costs the same time as a wrong password, and both answer
 * KERR_UNAUTHENTICATED. */
KOUAN_MUST_USE kerr accounts_login(struct uow *u, const char *username, const char *password,
				   struct session *out);
/* The actor behind a bearer token (hash into token_hash). KERR_NOT_FOUND
 * when the token is not valid, has expired or was revoked, or the user is
 * disabled. */
KOUAN_MUST_USE kerr accounts_authenticate(struct uow *u, const char *token,
					  struct actor *out,
					  char token_hash[TOKEN_HASH_HEX]);
/* Revoke the actor's token (by its hash). */
KOUAN_MUST_USE kerr accounts_logout(struct uow *u, const struct actor *a,
				    const char *token_hash);

/* The actor a user is: role, organisation, its port, supervisor or not.
 * KERR_NOT_FOUND when the stored role is not one kouan knows. */
KOUAN_MUST_USE kerr actor_from_user(const struct user_row *u, struct actor *out);

/* The actor's own account. */
KOUAN_MUST_USE kerr accounts_me(struct uow *u, const struct actor *a, struct user_row *out);

/* The admin's use cases. Field problems go to why->fields. */
KOUAN_MUST_USE kerr accounts_org_create(struct uow *u, const struct actor *a,
					const struct org_input *in, int64_t *id,
					struct refusal *why);
KOUAN_MUST_USE kerr accounts_user_create(struct uow *u, const struct actor *a,
					 const struct user_input *in, int64_t *id,
					 struct refusal *why);
/* Issue a token for a user, valid for ttl_s seconds (scripts, integrations). */
KOUAN_MUST_USE kerr accounts_token_create(struct uow *u, const struct actor *a,
					  const char *username, const char *label,
					  int64_t ttl_s, char token[TOKEN_TEXT_MAX],
					  char expires[TIME_TEXT_SIZE]);
KOUAN_MUST_USE kerr accounts_org_list(struct uow *u, org_row_fn fn, void *arg);
KOUAN_MUST_USE kerr accounts_user_list(struct uow *u, user_row_fn fn, void *arg);

#endif
