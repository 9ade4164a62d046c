/* release.c - signed release notices (see release.h). */
#include "domain/release.h"

#include <sodium.h>
#include <string.h>

char *release_notice_text(const char *number, const char *released_at,
			  const struct declaration_facts *f, const char *const *agencies,
			  size_t nagencies)
{
	json_t *containers = json_array(), *cleared = json_array();
	for (size_t i = 0; containers && i < f->ncontainers; i++)
		json_array_append_new(containers, json_string(f->containers[i]));
	for (size_t i = 0; cleared && i < nagencies; i++)
		json_array_append_new(cleared, json_string(agencies[i]));
	json_t *n = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:s}", "kind",
		"kouan.release-notice.v1", "declaration_number", number, "released_at",
		released_at, "direction", f->import ? "import" : "export", "port_office",
		f->port_office, "port", f->port, "bill_of_lading", f->bill_of_lading,
		"consignee_uscc", f->consignee_uscc, "packages", (json_int_t)f->packages,
		"containers", containers, "agencies_cleared", cleared, "statement",
		"All agencies have cleared these goods for release.");
	if (!n)
		return NULL;
	char *s = json_dumps(n, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(n);
	return s;
}

void release_sign(const char *text, const unsigned char sk[RELEASE_SK_BYTES],
		  char out[SIGNATURE_B64_MAX])
{
	unsigned char sig[crypto_sign_BYTES];
	crypto_sign_detached(sig, NULL, (const unsigned char *)text, strlen(text), sk);
	sodium_bin2base64(out, SIGNATURE_B64_MAX, sig, sizeof sig,
			  sodium_base64_VARIANT_ORIGINAL);
}

bool release_verify(const char *text, const char *signature_b64,
		    const unsigned char pk[RELEASE_PK_BYTES])
{
	unsigned char sig[crypto_sign_BYTES];
	size_t len = 0;
	if (sodium_base642bin(sig, sizeof sig, signature_b64, strlen(signature_b64),
			      NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    len != sizeof sig)
		return false;
	return crypto_sign_verify_detached(sig, (const unsigned char *)text,
					   strlen(text), pk) == 0;
}

void release_key_id(const unsigned char pk[RELEASE_PK_BYTES], char out[KEY_ID_SIZE])
{
	unsigned char h[8];
	crypto_generichash(h, sizeof h, pk, 32, NULL, 0);
	sodium_bin2hex(out, KEY_ID_SIZE, h, sizeof h);
}
