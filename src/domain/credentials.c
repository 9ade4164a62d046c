/* credentials.c - Argon2id passwords and hashed bearer tokens (see credentials.h). */
#include "domain/credentials.h"

#include <sodium.h>
#include <string.h>

kerr credentials_init(void)
{
	return sodium_init() < 0 ? KERR_INTERNAL : KERR_OK;
}

kerr password_hash(const char *password, unsigned long long ops, size_t mem,
		   char out[PASSWORD_HASH_MAX])
{
	_Static_assert(PASSWORD_HASH_MAX >= crypto_pwhash_STRBYTES, "hash size");
	if (crypto_pwhash_str_alg(out, password, strlen(password), ops, mem,
				  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return KERR_NOMEM;
	return KERR_OK;
}

bool password_verify(const char *hash, const char *password)
{
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

const char *password_problem(const char *password)
{
	size_t n = strlen(password);
	if (n < 10)
		return "must be at least 10 characters";
	if (n > 128)
		return "must be at most 128 characters";
	return NULL;
}

void token_new(char out[TOKEN_TEXT_MAX])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	memcpy(out, "kt_", 3);
	sodium_bin2base64(out + 3, TOKEN_TEXT_MAX - 3, raw, sizeof raw,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void token_hash(const char *token, char out[TOKEN_HASH_HEX])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token),
			   NULL, 0);
	sodium_bin2hex(out, TOKEN_HASH_HEX, h, sizeof h);
}
