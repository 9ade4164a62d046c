/*
 * accounts.h - who may use kouan: organisations, users, sessions and
 * tokens. Logging in (throttled per user name and client address, with a
 * bound on password hashing) and out, authenticating a bearer token,
 * changing one's own password, and the admin's use cases (creating,
 * disabling and enabling users, resetting passwords, unlocking, revoking
 * tokens), shared by the HTTP API and `kouan admin`, so both apply the same
 * rules and write the same audit records. Never records a password or its
 * hash anywhere but users.password_hash.
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
 * NULL the port is not looked up in the ports list. The password is
 * checked against the rules of password_problem, with the user name. */
bool org_input_check(const struct org_input *in, const struct refdata *ref,
		     struct problems *p);
bool user_input_check(const struct user_input *in, struct problems *p);

/* A session just opened. */
struct session {
	char token[TOKEN_TEXT_MAX];
	char expires_at[TIME_TEXT_SIZE];
	struct user_row user;
};

/* Why a password check was not even tried: KERR_THROTTLED (too soon after
 * failures, or the user name is locked) or KERR_BUSY (every hashing turn
 * taken: retry_after_s is set; a KERR_BUSY without it is the database's). */
struct throttle_refusal {
	int64_t retry_after_s;             /* whole seconds to wait, at least 1 */
	bool locked;                       /* the user name is locked */
	bool by_address;                   /* the client address must wait */
	char locked_until[TIME_TEXT_SIZE]; /* when locked */
};

/* Log in from the unit's source: a new session token for the user whose
 * password it is. KERR_UNAUTHENTICATED when the user name is unknown, the
 * password wrong or the user disabled (alike, and as slow: a name that
 * does not exist costs one hash too); KERR_THROTTLED or KERR_BUSY with
 * `wait` filled, without checking the password. Counts failures per user
 * name and address (src/domain/throttle.h) and records session.created,
 * session.failed and account.locked in the audit log: a refusal's records
 * are committed before it returns. */
KOUAN_MUST_USE kerr accounts_login(struct uow *u, const char *username, const char *password,
				   struct session *out, struct throttle_refusal *wait);
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

/* Change the actor's own password, proving the current one: the check is
 * throttled and counted like a login (KERR_THROTTLED, KERR_BUSY with
 * `wait`); a wrong current password is KERR_INVALID on /current_password,
 * a new one that breaks the rules KERR_INVALID on /password. Every other
 * token of the actor is revoked (the one used, `token_hash`, stays). */
KOUAN_MUST_USE kerr accounts_password_change(struct uow *u, const struct actor *a,
					     const char *token_hash, const char *current,
					     const char *password, struct refusal *why,
					     struct throttle_refusal *wait);

/* The admin's use cases. Field problems go to why->fields. */
KOUAN_MUST_USE kerr accounts_org_create(struct uow *u, const struct actor *a,
					const struct org_input *in, int64_t *id,
					struct refusal *why);
/* Create a user; the password must pass password_problem (else
 * KERR_INVALID on /password) and the role must fit the organisation's kind
 * (role_fits_org_kind, else KERR_INVALID on /role). */
KOUAN_MUST_USE kerr accounts_user_create(struct uow *u, const struct actor *a,
					 const struct user_input *in, int64_t *id,
					 struct refusal *why);
/* Issue a token for a user, valid for ttl_s seconds (1 s to
 * ISSUED_TOKEN_TTL_MAX_S, else KERR_INVALID): scripts and integrations. */
KOUAN_MUST_USE kerr accounts_token_create(struct uow *u, const struct actor *a,
					  const char *username, const char *label,
					  int64_t ttl_s, char token[TOKEN_TEXT_MAX],
					  char expires[TIME_TEXT_SIZE]);
KOUAN_MUST_USE kerr accounts_org_list(struct uow *u, org_row_fn fn, void *arg);
KOUAN_MUST_USE kerr accounts_user_list(struct uow *u, user_row_fn fn, void *arg);

/* A user as an admin sees it: the account, whether its name is locked or
 * has failed logins counted, when its password was set, its live tokens. */
struct user_view {
	struct user_row user;
	int64_t failed_logins;
	char locked_until[TIME_TEXT_SIZE];        /* "" when not locked */
	char password_changed_at[TIME_TEXT_SIZE]; /* "" when never changed */
	int64_t live_tokens;
};
/* KERR_NOT_FOUND when there is no such user. */
KOUAN_MUST_USE kerr accounts_user_get(struct uow *u, const char *username,
				      struct user_view *out);

/* Disable (or enable) a user: a disabled user's tokens stop working on
 * every server at once (token lookups join users.disabled), and disabling
 * also revokes them. KERR_NOT_FOUND for no such user; KERR_CONFLICT when it
 * is already so, or when an admin would disable itself. Audited with the
 * value before and after and the reason (may be NULL). */
KOUAN_MUST_USE kerr accounts_user_set_disabled(struct uow *u, const struct actor *a,
					       const char *username, bool disabled,
					       const char *reason, struct refusal *why);
/* Set a user's password as an admin: the rules of password_problem
 * (KERR_INVALID on /password), every token of the user revoked, its lock
 * and failed logins cleared. */
KOUAN_MUST_USE kerr accounts_password_reset(struct uow *u, const struct actor *a,
					    const char *username, const char *password,
					    struct refusal *why);
/* Clear a user name's failed logins and lock. KERR_CONFLICT when there
 * were none. */
KOUAN_MUST_USE kerr accounts_user_unlock(struct uow *u, const struct actor *a,
					 const char *username, struct refusal *why);
/* Revoke every live token of a user (an admin's act on anyone, or a
 * user's on itself); how many into *count. */
KOUAN_MUST_USE kerr accounts_tokens_revoke(struct uow *u, const struct actor *a,
					   const char *username, int64_t *count,
					   struct refusal *why);

#endif
