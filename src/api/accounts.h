/*
 * accounts.h - creating organisations, users and tokens, with their checks
 * and audit records. Shared by the admin API and `kouan admin`, so both
 * apply the same rules. The caller owns the transaction.
 */
#ifndef KOUAN_ACCOUNTS_H
#define KOUAN_ACCOUNTS_H

#include <jansson.h>

#include "api/api.h"

struct org_input {
	const char *uscc;
	const char *name;
	const char *kind; /* trader, broker, agency, port, office */
};

struct user_input {
	const char *username;
	const char *display_name;
	const char *password;
	const char *role;
	const char *org_uscc;
};

/* Read and check from a JSON body (strings borrowed from it). */
bool org_input_parse(const json_t *body, struct org_input *in, struct problems *p);
bool user_input_parse(const json_t *body, struct user_input *in, struct problems *p);
/* Check fields already filled in (the CLI's path). */
bool org_input_check(const struct org_input *in, struct problems *p);
bool user_input_check(const struct user_input *in, struct problems *p);

KOUAN_MUST_USE kerr accounts_org_create(struct store_conn *c,
					const struct org_input *in,
					const char *actor, const char *now,
					int64_t *id);
/* KERR_INVALID with a problem when the organisation does not exist;
 * KERR_CONFLICT with a problem when the user name is taken. */
KOUAN_MUST_USE kerr accounts_user_create(struct store_conn *c,
					 const struct user_input *in,
					 const struct app_limits *limits,
					 const char *actor, const char *now,
					 int64_t *id, struct problems *p);
/* Issue a token for a user, valid for ttl_s seconds from now_us. */
KOUAN_MUST_USE kerr accounts_token_create(struct store_conn *c,
					  const char *username, const char *label,
					  int64_t ttl_s, int64_t now_us,
					  const char *actor, char *token,
					  char *expires);

#endif
