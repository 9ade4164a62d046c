/*
 * release.h - the electronic release notice (放行通知): the signed statement
 * that every agency has cleared a declaration, which a terminal checks
 * before it lets the goods out.
 *
 * The notice is canonical JSON (sorted keys, compact); the signature is
 * Ed25519 over exactly those bytes, in base64. A terminal verifies with the
 * public key served at GET /v1/release-key, or with `kouan verify-notice`.
 */
#ifndef KOUAN_RELEASE_H
#define KOUAN_RELEASE_H

#include <jansson.h>
#include <stdbool.h>

#include "common/error.h"
#include "common/sizes.h"
#include "domain/declaration.h"

#define SIGNATURE_B64_MAX 100
#define RELEASE_PK_BYTES 32 /* Ed25519 public key */
#define RELEASE_SK_BYTES 64 /* Ed25519 secret key (seed and public key) */

/* Canonical notice text (free() it) from the declaration's facts and the
 * agencies that cleared it; NULL when out of memory. */
char *release_notice_text(const char *number, const char *released_at,
			  const struct declaration_facts *f, const char *const *agencies,
			  size_t nagencies);
/* Sign text with a 64-byte Ed25519 secret key. */
void release_sign(const char *text, const unsigned char sk[RELEASE_SK_BYTES],
		  char out[SIGNATURE_B64_MAX]);
/* Verify a base64 signature over text with a 32-byte public key. */
bool release_verify(const char *text, const char *signature_b64,
		    const unsigned char pk[RELEASE_PK_BYTES]);
/* The key id: an 8-byte BLAKE2b digest of pk, as 16 hex digits. */
void release_key_id(const unsigned char pk[RELEASE_PK_BYTES], char out[KEY_ID_SIZE]);

#endif
