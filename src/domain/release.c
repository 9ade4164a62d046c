/* release.c - signed release notices (see release.h). */
#include "domain/release.h"

#include <sodium.h>
#include <string.h>

char *release_notice_text(const char *number, const char *released_at,
			  const json_t *body, const json_t *agencies)
{
	const char *dir = json_string_value(json_object_get(body, "direction"));
	const char *port_key = dir && strcmp(dir, "export") == 0 ? "exit_port"
								 : "entry_port";
	json_t *containers = json_object_get(body, "containers");
	containers = containers ? json_incref(containers) : json_array();
	json_t *n = json_pack(
		"{s:s, s:s, s:s, s:O, s:O, s:O, s:O, s:O, s:O, s:o, s:O, s:s}",
		"kind", "kouan.release-notice.v1", "declaration_number", number,
		"released_at", released_at, "direction",
		json_object_get(body, "direction"), "port_office",
		json_object_get(body, "port_office"), "port",
		json_object_get(body, port_key), "bill_of_lading",
		json_object_get(body, "bill_of_lading"), "consignee_uscc",
		json_object_get(body, "consignee_uscc"), "packages",
		json_object_get(body, "packages"), "containers",
		containers, "agencies_cleared", agencies,
		"statement", "All agencies have cleared these goods for release.");
	if (!n)
		return NULL;
	char *s = json_dumps(n, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(n);
	return s;
}

void release_sign(const char *text, const unsigned char sk[64],
		  char out[SIGNATURE_B64_MAX])
{
	unsigned char sig[crypto_sign_BYTES];
	crypto_sign_detached(sig, NULL, (const unsigned char *)text, strlen(text), sk);
	sodium_bin2base64(out, SIGNATURE_B64_MAX, sig, sizeof sig,
			  sodium_base64_VARIANT_ORIGINAL);
}

bool release_verify(const char *text, const char *signature_b64,
		    const unsigned char pk[32])
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

void release_key_id(const unsigned char pk[32], char out[17])
{
	unsigned char h[8];
	crypto_generichash(h, sizeof h, pk, 32, NULL, 0);
	sodium_bin2hex(out, 17, h, sizeof h);
}
