/*
 * credentials.h - passwords and bearer tokens.
 *
 * Passwords are hashed with Argon2id (libsodium's crypto_pwhash_str); the
 * parameters travel inside the hash, so verification needs none. Tokens are
 * 32 random bytes, base64url without padding, prefixed "kt_"; only their
 * BLAKE2b hash is stored, so a stolen database yields no usable token.
 * New passwords are checked against a short list of common ones, compiled
 * in.
 */
#ifndef KOUAN_CREDENTIALS_H
#define KOUAN_CREDENTIALS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

#define PASSWORD_HASH_MAX 128
#define TOKEN_TEXT_MAX 64
#define TOKEN_HASH_HEX 65

/* Must be called once before any other function here (idempotent). */
KOUAN_MUST_USE kerr credentials_init(void);

/* Hash a password with the given Argon2id limits. */
KOUAN_MUST_USE kerr password_hash(const char *password, unsigned long long ops,
				  size_t mem, char out[PASSWORD_HASH_MAX]);
bool password_verify(const char *hash, const char *password);
/* Is this password acceptable for the user `username` (NULL: not known
 * yet)? NULL when it is, else why, as a sentence fragment for the field
 * /password. A password must be 10 to 128 bytes with at least 4 different
 * characters, and must not be one of the common passwords compiled in
 * (data/passwords/common.txt) nor the user name, once digits and
 * punctuation around or inside it and the usual letter swaps (0 for o, @
 * for a, ...) are taken away. Pure. */
const char *password_problem(const char *password, const char *username);

/* A new random token. */
void token_new(char out[TOKEN_TEXT_MAX]);
/* The stored form of a token. */
void token_hash(const char *token, char out[TOKEN_HASH_HEX]);

#endif
