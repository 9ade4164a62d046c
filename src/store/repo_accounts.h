/*
 * repo_accounts.h - the queries that stop accounts: login throttling state
 * per user name and client address, a user's disabled flag and password,
 * and revoking every token of a user. Portable SQL (see repo.h); the caller
 * owns the transaction. Organisations, users and single tokens are in
 * repo.h.
 */
#ifndef KOUAN_REPO_ACCOUNTS_H
#define KOUAN_REPO_ACCOUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "common/sizes.h"
#include "store/store.h"

/* --- login throttling (src/domain/throttle.h) --- */

/* What is kept for one user name ("user") or client address ("address"). */
struct throttle_row {
	int64_t failures;
	char last_failure_at[TIME_TEXT_SIZE];
	char locked_until[TIME_TEXT_SIZE]; /* "" when not locked */
};

#define THROTTLE_SCOPE_USER "user"
#define THROTTLE_SCOPE_ADDRESS "address"

/* The row of a user name or address; KERR_NOT_FOUND when there is none. */
KOUAN_MUST_USE kerr repo_throttle_get(struct store_conn *c, const char *scope,
				      const char *key, struct throttle_row *out);
/* Replace the row `seen` (NULL: there was none) by `next`, only if it is
 * still as seen: KERR_OK when replaced, KERR_CONFLICT when another attempt
 * changed it first (read it again). */
KOUAN_MUST_USE kerr repo_throttle_claim(struct store_conn *c, const char *scope,
					const char *key, const struct throttle_row *seen,
					const struct throttle_row *next);
/* Count one failure of an address at `now`, starting again from 1 when
 * the last one was before `lapsed_before`; the new count into *failures. */
KOUAN_MUST_USE kerr repo_throttle_count(struct store_conn *c, const char *scope,
					const char *key, const char *now,
					const char *lapsed_before, int64_t *failures);
/* Forget a user name's or address's failures (and lock). */
KOUAN_MUST_USE kerr repo_throttle_clear(struct store_conn *c, const char *scope,
					const char *key);
/* Forget rows whose last failure is before `before` and that hold no lock
 * running at `now`. */
KOUAN_MUST_USE kerr repo_throttle_purge(struct store_conn *c, const char *before,
					const char *now);

/* --- users --- */

/* Set a user's disabled flag; KERR_NOT_FOUND when it was so already (or
 * there is no such user). */
KOUAN_MUST_USE kerr repo_user_set_disabled(struct store_conn *c, int64_t user_id,
					   bool disabled);
KOUAN_MUST_USE kerr repo_user_set_password(struct store_conn *c, int64_t user_id,
					   const char *hash, const char *now);

/* When a user's password was last set ("" when at creation, before 0004),
 * and how many of its tokens are live at `now`. */
struct user_security {
	char password_changed_at[TIME_TEXT_SIZE];
	int64_t live_tokens;
};
KOUAN_MUST_USE kerr repo_user_security(struct store_conn *c, int64_t user_id,
				       const char *now, struct user_security *out);

/* Revoke every live token of a user at `now`, except the one whose hash is
 * `keep` (NULL: none kept); how many were revoked into *count. */
KOUAN_MUST_USE kerr repo_tokens_revoke_user(struct store_conn *c, int64_t user_id,
					    const char *now, const char *keep,
					    int64_t *count);

#endif
