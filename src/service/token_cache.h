/*
 * token_cache.h - the actor behind each recently used bearer token, kept
 * in memory so that a request reads one row (the generation of the
 * tokens' validity, repo_ingest.h) instead of the token, its user and
 * organisation.
 *
 * An entry holds only while the generation it was read under is still the
 * database's and its token has not expired by the unit's clock. Every
 * change that may stop a token early (revocation, a user disabled, a
 * password changed or reset) raises the generation in its own transaction,
 * so the next request on any server sharing the database, or reading the
 * same SQLite file, no longer trusts any entry. It must never answer for a
 * token it has not seen valid under the current generation.
 */
#ifndef KOUAN_TOKEN_CACHE_H
#define KOUAN_TOKEN_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/credentials.h"
#include "service/service.h"

#define TOKEN_CACHE_SLOTS 4096 /* direct-mapped by the token's hash */

struct token_cache;

/* A new, empty cache (NULL when out of memory). */
struct token_cache *token_cache_new(void);
void token_cache_free(struct token_cache *tc);

/* The actor of token hash `hash`, cached under `generation` and not
 * expired at now_us: true and *out filled; false otherwise. */
bool token_cache_get(struct token_cache *tc, const char hash[TOKEN_HASH_HEX],
		     int64_t generation, int64_t now_us, struct actor *out);
/* Remember that `hash` was valid, for `a`, until expires_us, as read
 * under `generation` (read before the token was). */
void token_cache_put(struct token_cache *tc, const char hash[TOKEN_HASH_HEX],
		     int64_t generation, int64_t expires_us, const struct actor *a);

#endif
