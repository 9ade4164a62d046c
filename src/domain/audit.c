/* audit.c - the audit log's hash chain, signatures and check (see audit.h). */
#include "domain/audit.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"

static void field(crypto_generichash_state *st, const char *s)
{
	uint64_t n = s ? strlen(s) : 0;
	unsigned char len[8];
	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)(n >> (56 - 8 * i));
	crypto_generichash_update(st, len, sizeof len);
	if (n)
		crypto_generichash_update(st, (const unsigned char *)s, n);
}

void audit_hash(const struct audit_row *r, char out[HASH_HEX_SIZE])
{
	static const char tag[] = "kouan.audit.v1";
	char id[24];
	snprintf(id, sizeof id, "%" PRId64, r->id);
	crypto_generichash_state st;
	unsigned char h[32];
	crypto_generichash_init(&st, NULL, 0, sizeof h);
	crypto_generichash_update(&st, (const unsigned char *)tag, sizeof tag - 1);
	field(&st, r->prev_hash);
	field(&st, id);
	field(&st, r->at);
	field(&st, r->actor);
	field(&st, r->actor_role);
	field(&st, r->source);
	field(&st, r->action);
	field(&st, r->target);
	field(&st, r->data);
	crypto_generichash_final(&st, h, sizeof h);
	sodium_bin2hex(out, HASH_HEX_SIZE, h, sizeof h);
}

static void signed_text(int64_t id, const char *hash, char *out, size_t n)
{
	snprintf(out, n, "kouan.audit.v1 %" PRId64 " %s", id, hash);
}

void audit_sign(int64_t id, const char *hash, const unsigned char sk[RELEASE_SK_BYTES],
		char out[SIGNATURE_B64_MAX])
{
	char text[128];
	signed_text(id, hash, text, sizeof text);
	release_sign(text, sk, out);
}

bool audit_signature_ok(int64_t id, const char *hash, const char *signature,
			const unsigned char pk[RELEASE_PK_BYTES])
{
	char text[128];
	signed_text(id, hash, text, sizeof text);
	return signature && release_verify(text, signature, pk);
}

bool audit_keys_add(struct audit_keys *k, const unsigned char pk[RELEASE_PK_BYTES])
{
	if (k->n == AUDIT_KEYS_MAX)
		return false;
	memcpy(k->pk[k->n], pk, RELEASE_PK_BYTES);
	release_key_id(pk, k->key_id[k->n]);
	k->n++;
	return true;
}

void audit_verifier_init(struct audit_verifier *v, const struct audit_keys *keys,
			 audit_finding_fn fn, void *arg)
{
	memset(v, 0, sizeof *v);
	v->keys = keys;
	v->fn = fn;
	v->arg = arg;
	v->next_id = 1;
	str_copy(v->last_hash, AUDIT_GENESIS, sizeof v->last_hash);
}

static void report(struct audit_verifier *v, enum audit_flaw flaw, int64_t id, int64_t rows,
		   const char *text)
{
	struct audit_finding f = {.flaw = flaw, .id = id, .rows = rows};
	str_copy(f.text, text, sizeof f.text);
	if (!v->findings++)
		v->first_id = id;
	if (v->fn)
		v->fn(v->arg, &f);
}

static const unsigned char *key_of(const struct audit_keys *k, const char *key_id)
{
	for (size_t i = 0; k && i < k->n; i++)
		if (!strcmp(k->key_id[i], key_id))
			return k->pk[i];
	return NULL;
}

void audit_verifier_row(struct audit_verifier *v, const struct audit_row *r)
{
	char text[160], hash[HASH_HEX_SIZE];
	bool gap = r->id != v->next_id;
	if (gap && r->id > v->next_id) {
		int64_t missing = r->id - v->next_id;
		if (missing == 1)
			snprintf(text, sizeof text, "row %" PRId64 " is missing (deleted)",
				 v->next_id);
		else
			snprintf(text, sizeof text,
				 "rows %" PRId64 " to %" PRId64 " are missing (deleted)",
				 v->next_id, r->id - 1);
		report(v, AUDIT_DELETED, v->next_id, missing, text);
	} else if (gap) {
		snprintf(text, sizeof text, "row %" PRId64 " is out of order after row %" PRId64,
			 r->id, v->next_id - 1);
		report(v, AUDIT_UNLINKED, r->id, 0, text);
	}
	v->rows++;
	audit_hash(r, hash);
	const unsigned char *pk = NULL;
	bool flawed = true;
	if (strcmp(hash, r->hash ? r->hash : "") != 0) {
		snprintf(text, sizeof text,
			 "row %" PRId64 " was altered: its content no longer gives its hash",
			 r->id);
		report(v, AUDIT_ALTERED, r->id, 0, text);
	} else if (!r->signature || !*r->signature) {
		snprintf(text, sizeof text, "row %" PRId64 " is not signed", r->id);
		report(v, AUDIT_UNSIGNED, r->id, 0, text);
	} else if (!(pk = key_of(v->keys, r->key_id ? r->key_id : ""))) {
		snprintf(text, sizeof text,
			 "row %" PRId64 " is signed by key %.16s, which was not given", r->id,
			 r->key_id ? r->key_id : "");
		report(v, AUDIT_UNKNOWN_KEY, r->id, 0, text);
	} else if (!audit_signature_ok(r->id, r->hash, r->signature, pk)) {
		snprintf(text, sizeof text,
			 "row %" PRId64 " was forged: its signature does not hold (inserted, "
			 "or altered and re-hashed without the key)",
			 r->id);
		report(v, AUDIT_FORGED, r->id, 0, text);
	} else if (!gap && !v->last_flawed &&
		   strcmp(r->prev_hash ? r->prev_hash : "", v->last_hash) != 0) {
		snprintf(text, sizeof text,
			 "row %" PRId64 " does not follow the row before it (a row was "
			 "replaced or removed)",
			 r->id);
		report(v, AUDIT_UNLINKED, r->id, 0, text);
	} else {
		flawed = false;
	}
	/* after a gap, its link is to a row that was not seen */
	v->last_flawed = flawed || gap;
	if (v->expect_id == r->id)
		str_copy(v->expect_seen, r->hash ? r->hash : "", sizeof v->expect_seen);
	str_copy(v->last_hash, r->hash ? r->hash : "", sizeof v->last_hash);
	if (r->id >= v->next_id)
		v->next_id = r->id + 1;
}

void audit_verifier_expect(struct audit_verifier *v, int64_t id, const char *hash)
{
	v->expect_id = id;
	str_copy(v->expect_hash, hash, sizeof v->expect_hash);
	v->expect_seen[0] = '\0';
}

void audit_verifier_head(struct audit_verifier *v, int64_t head_id, const char *head_hash,
			 const char *what)
{
	char text[160];
	int64_t last = v->next_id - 1;
	if (v->expect_id > 0) {
		if (v->expect_id > last) {
			snprintf(text, sizeof text,
				 "rows %" PRId64 " to %" PRId64 " are missing at the end (the "
				 "head kept elsewhere names row %" PRId64 ")",
				 last + 1, v->expect_id, v->expect_id);
			report(v, AUDIT_DELETED, last + 1, v->expect_id - last, text);
		} else if (strcmp(v->expect_seen, v->expect_hash) != 0) {
			snprintf(text, sizeof text,
				 "row %" PRId64 " is not the row of the head kept elsewhere: "
				 "its hash differs",
				 v->expect_id);
			report(v, AUDIT_HEAD, v->expect_id, 0, text);
		}
		v->expect_id = 0;
	}
	if (!head_hash)
		return;
	if (head_id > last) {
		snprintf(text, sizeof text,
			 "rows %" PRId64 " to %" PRId64 " are missing at the end (%s names row "
			 "%" PRId64 ")",
			 last + 1, head_id, what, head_id);
		report(v, AUDIT_DELETED, last + 1, head_id - last, text);
	} else if (head_id < last) {
		snprintf(text, sizeof text,
			 "rows after %" PRId64 " were added outside the chain (%s ends there)",
			 head_id, what);
		report(v, AUDIT_HEAD, head_id + 1, 0, text);
	} else if (strcmp(head_hash, v->last_hash) != 0) {
		snprintf(text, sizeof text,
			 "row %" PRId64 " is not the row %s signed: its hash differs", head_id,
			 what);
		report(v, AUDIT_HEAD, head_id, 0, text);
	}
}
