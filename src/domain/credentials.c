/* credentials.c - Argon2id passwords and hashed bearer tokens (see credentials.h). */
#include "domain/credentials.h"

#include <sodium.h>
#include <string.h>

#include "common/embedded.h"

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

#define PASSWORD_MIN 10
#define PASSWORD_MAX 128
#define PASSWORD_DISTINCT_MIN 4

static bool is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The letters a-z of s (upper case folded), in order: "Pass-2026!" is
 * "pass". With `swaps`, the usual stand-ins between the first letter and
 * the last count as the letters they replace ("p@ssw0rd!" is "password",
 * "1l0v3y0u2026" is "loveyou"). */
static void letters_of(const char *s, bool swaps, char *out, size_t n)
{
	static const char from[] = "0134578@$!", to[] = "oieastbasi";
	const char *end = s + strlen(s);
	if (swaps) {
		while (*s && !is_letter(*s))
			s++;
		while (end > s && !is_letter(end[-1]))
			end--;
	}
	size_t k = 0;
	for (; s < end && k + 1 < n; s++) {
		char c = *s;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		const char *swap = swaps ? strchr(from, c) : NULL;
		if (swap)
			c = to[swap - from];
		if (c >= 'a' && c <= 'z')
			out[k++] = c;
	}
	out[k] = '\0';
}

/* Is `word` a line of the list (comments and blank lines skipped)? */
static bool listed(const char *list, const char *word)
{
	size_t n = strlen(word);
	if (!n)
		return false;
	for (const char *line = list; *line;) {
		size_t len = strcspn(line, "\n");
		if (len == n && line[0] != '#' && strncmp(line, word, n) == 0)
			return true;
		line += len;
		if (*line == '\n')
			line++;
	}
	return false;
}

const char *password_problem(const char *password, const char *username)
{
	size_t n = strlen(password);
	if (n < PASSWORD_MIN)
		return "must be at least 10 characters";
	if (n > PASSWORD_MAX)
		return "must be at most 128 characters";
	bool seen[256] = {false};
	unsigned distinct = 0;
	for (const unsigned char *p = (const unsigned char *)password; *p; p++)
		if (!seen[*p]) {
			seen[*p] = true;
			distinct++;
		}
	if (distinct < PASSWORD_DISTINCT_MIN)
		return "must use at least 4 different characters";
	char whole[PASSWORD_MAX + 1], plain[PASSWORD_MAX + 1], swapped[PASSWORD_MAX + 1];
	size_t i = 0;
	for (; password[i]; i++) {
		char c = password[i];
		whole[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	whole[i] = '\0';
	letters_of(password, false, plain, sizeof plain);
	letters_of(password, true, swapped, sizeof swapped);
	if (username) {
		char name[PASSWORD_MAX + 1];
		letters_of(username, false, name, sizeof name);
		if (strlen(name) >= 3 && (!strcmp(plain, name) || !strcmp(swapped, name)))
			return "must not be the user name with digits or punctuation added";
	}
	const struct embedded_file *f = embedded_find("data/passwords/common.txt");
	if (f && (listed(f->data, whole) || listed(f->data, plain) || listed(f->data, swapped)))
		return "is one of the most common passwords (or one with digits or "
		       "punctuation added), which are tried first; choose a phrase of your own";
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
