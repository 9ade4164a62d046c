/*
 * test_audit_chain.c - the audit log's hash chain and its check, without a
 * database: the hash of a row against values computed apart (Python's
 * hashlib.blake2b over the bytes docs/security.md describes), signatures
 * checked with libsodium directly, and a chain of rows tampered with in
 * every way the check must name: content altered, altered and re-hashed,
 * a row inserted, deleted, cut off the end, signed by another key, not
 * signed, moved.
 */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "test_support.h"
#include "domain/audit.h"

/* hashlib.blake2b(digest_size=32) over "kouan.audit.v1" and each field as
 * an 8-byte big-endian length and its bytes */
#define ROW1_HASH "60f29ee3bdd4513cf8198b8a49ad35f5c799bda3e63e3c1964f16f6a05c0648e"
#define ROW2_HASH "30c8ff39c76a18e7d43b8849301b4d47fbce9b68d038dda3ac128d1dc952bbeb"

static struct audit_row row1(void)
{
	return (struct audit_row){
		.id = 1, .at = "2026-11-23T08:00:00.000000Z", .actor = "admin",
		.actor_role = "admin", .source = "192.0.2.7", .action = "user.disabled",
		.target = "trader",
		.data = "{\"after\":{\"disabled\":true},\"before\":{\"disabled\":false}}",
		.prev_hash = AUDIT_GENESIS};
}

static void hash_of_a_row(void **state)
{
	(void)state;
	assert_int_equal(credentials_init(), KERR_OK);
	struct audit_row r = row1();
	char h[HASH_HEX_SIZE];
	audit_hash(&r, h);
	assert_string_equal(h, ROW1_HASH);
	struct audit_row r2 = {.id = 2, .at = "2026-11-23T08:00:01.000000Z",
			       .actor = "anonymous", .actor_role = "none",
			       .source = "203.0.113.9", .action = "session.failed",
			       .target = "trader", .data = "{\"reason\":\"wrong password\"}",
			       .prev_hash = ROW1_HASH};
	audit_hash(&r2, h);
	assert_string_equal(h, ROW2_HASH);
	/* every field counts, and the lengths keep fields apart: moving a
	 * character from one field to the next changes the hash */
	r.target = "trade";
	r.data = "r{\"after\":{\"disabled\":true},\"before\":{\"disabled\":false}}";
	audit_hash(&r, h);
	assert_string_not_equal(h, ROW1_HASH);
	r = row1();
	r.source = "192.0.2.8";
	audit_hash(&r, h);
	assert_string_not_equal(h, ROW1_HASH);
}

static void key(unsigned char pk[32], unsigned char sk[64], unsigned char fill)
{
	unsigned char seed[32];
	memset(seed, fill, sizeof seed);
	crypto_sign_seed_keypair(pk, sk, seed);
}

static void signature_of_a_row(void **state)
{
	(void)state;
	assert_int_equal(credentials_init(), KERR_OK);
	unsigned char pk[32], sk[64], other_pk[32], other_sk[64];
	key(pk, sk, 1);
	key(other_pk, other_sk, 2);
	char sig[SIGNATURE_B64_MAX];
	audit_sign(1, ROW1_HASH, sk, sig);
	/* what is signed is the text "kouan.audit.v1 ID HASH" */
	unsigned char raw[64];
	size_t len = 0;
	assert_int_equal(sodium_base642bin(raw, sizeof raw, sig, strlen(sig), NULL, &len, NULL,
					   sodium_base64_VARIANT_ORIGINAL),
			 0);
	assert_int_equal(len, 64);
	const char text[] = "kouan.audit.v1 1 " ROW1_HASH;
	assert_int_equal(crypto_sign_verify_detached(raw, (const unsigned char *)text,
						     strlen(text), pk),
			 0);
	assert_true(audit_signature_ok(1, ROW1_HASH, sig, pk));
	assert_false(audit_signature_ok(2, ROW1_HASH, sig, pk));
	assert_false(audit_signature_ok(1, ROW2_HASH, sig, pk));
	assert_false(audit_signature_ok(1, ROW1_HASH, sig, other_pk));
	assert_false(audit_signature_ok(1, ROW1_HASH, "not base64", pk));
	assert_false(audit_signature_ok(1, ROW1_HASH, NULL, pk));
}

/* --- a chain of rows to tamper with --- */

#define CHAIN 8
struct chain {
	char at[CHAIN][TIME_TEXT_SIZE];
	char target[CHAIN][16];
	char prev[CHAIN][HASH_HEX_SIZE];
	char hash[CHAIN][HASH_HEX_SIZE];
	char sig[CHAIN][SIGNATURE_B64_MAX];
	char key_id[KEY_ID_SIZE];
	struct audit_row rows[CHAIN];
	unsigned char pk[32], sk[64];
};

/* Rows 1..CHAIN, each linked to the one before and signed. */
static void build(struct chain *c)
{
	memset(c, 0, sizeof *c);
	key(c->pk, c->sk, 7);
	release_key_id(c->pk, c->key_id);
	for (int i = 0; i < CHAIN; i++) {
		snprintf(c->at[i], sizeof c->at[i], "2026-11-23T08:00:0%d.000000Z", i);
		snprintf(c->target[i], sizeof c->target[i], "user%d", i + 1);
		str_copy(c->prev[i], i ? c->hash[i - 1] : AUDIT_GENESIS, sizeof c->prev[i]);
		c->rows[i] = (struct audit_row){
			.id = i + 1, .at = c->at[i], .actor = "admin", .actor_role = "admin",
			.source = "192.0.2.7", .action = "user.disabled", .target = c->target[i],
			.data = "{}", .prev_hash = c->prev[i], .hash = c->hash[i],
			.signature = c->sig[i], .key_id = c->key_id};
		audit_hash(&c->rows[i], c->hash[i]);
		audit_sign(i + 1, c->hash[i], c->sk, c->sig[i]);
	}
}

/* Re-hash and re-sign row i as the holder of the key would. */
static void reseal(struct chain *c, int i)
{
	audit_hash(&c->rows[i], c->hash[i]);
	audit_sign(c->rows[i].id, c->hash[i], c->sk, c->sig[i]);
}

struct seen {
	struct audit_finding f[16];
	int n;
};

static void collect(void *arg, const struct audit_finding *f)
{
	struct seen *s = arg;
	if (s->n < 16)
		s->f[s->n++] = *f;
}

/* Check rows (skipping index `skip`, -1: none) against the head (id, hash). */
static struct seen check(struct chain *c, int skip, int64_t head_id, const char *head_hash)
{
	struct audit_keys keys = {0};
	assert_true(audit_keys_add(&keys, c->pk));
	struct seen s = {0};
	struct audit_verifier v;
	audit_verifier_init(&v, &keys, collect, &s);
	for (int i = 0; i < CHAIN; i++)
		if (i != skip)
			audit_verifier_row(&v, &c->rows[i]);
	audit_verifier_head(&v, head_id, head_hash, "the head in the database");
	assert_int_equal(v.findings, s.n);
	if (s.n)
		assert_int_equal(v.first_id, s.f[0].id);
	return s;
}

static void an_intact_chain_passes(void **state)
{
	(void)state;
	assert_int_equal(credentials_init(), KERR_OK);
	struct chain c;
	build(&c);
	struct seen s = check(&c, -1, CHAIN, c.hash[CHAIN - 1]);
	assert_int_equal(s.n, 0);
}

static void an_altered_row_is_named(void **state)
{
	(void)state;
	struct chain c;
	build(&c);
	c.rows[3].target = "mallory"; /* row 4's content, hash left as it was */
	struct seen s = check(&c, -1, CHAIN, c.hash[CHAIN - 1]);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.f[0].flaw, AUDIT_ALTERED);
	assert_int_equal(s.f[0].id, 4);
	assert_string_equal(s.f[0].text,
			    "row 4 was altered: its content no longer gives its hash");
}

static void an_altered_and_rehashed_row_is_forged(void **state)
{
	(void)state;
	struct chain c;
	build(&c);
	c.rows[2].source = "10.9.9.9";
	audit_hash(&c.rows[2], c.hash[2]); /* re-hashed, but not re-signed */
	struct seen s = check(&c, -1, CHAIN, c.hash[CHAIN - 1]);
	/* row 3 is forged; row 4's link to it holds no more, but row 3 is
	 * already named, so row 4 is not blamed */
	assert_int_equal(s.n, 1);
	assert_int_equal(s.f[0].flaw, AUDIT_FORGED);
	assert_int_equal(s.f[0].id, 3);
}

static void an_inserted_row_is_forged(void **state)
{
	(void)state;
	struct chain c;
	build(&c);
	/* the last row replaced by a new one written without the key */
	c.rows[CHAIN - 1].action = "user.enabled";
	c.rows[CHAIN - 1].signature = c.sig[0]; /* a signature copied from row 1 */
	audit_hash(&c.rows[CHAIN - 1], c.hash[CHAIN - 1]);
	struct seen s = check(&c, -1, CHAIN, c.hash[CHAIN - 1]);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.f[0].flaw, AUDIT_FORGED);
	assert_int_equal(s.f[0].id, CHAIN);
}

static void a_deleted_row_is_named(void **state)
{
	(void)state;
	struct chain c;
	build(&c);
	struct seen s = check(&c, 4, CHAIN, c.hash[CHAIN - 1]); /* row 5 gone */
	assert_int_equal(s.n, 1);
	assert_int_equal(s.f[0].flaw, AUDIT_DELETED);
	assert_int_equal(s.f[0].id, 5);
	assert_int_equal(s.f[0].rows, 1);
	assert_string_equal(s.f[0].text, "row 5 is missing (deleted)");
}

static void rows_renumbered_after_a_deletion_are_named(void **state)
{
	(void)state;
	struct chain c;
	build(&c);
	/* row 5 deleted and the rows after it moved down to close the gap */
	for (int i = 4; i < CHAIN - 1; i++) {
		c.rows[i] = c.rows[i + 1];
		c.rows[i].id = i + 1;
	}
	struct audit_keys keys = {0};
	assert_true(audit_keys_add(&keys, c.pk));
	struct seen s = {0};
	struct audit_verifier v;
	audit_verifier_init(&v, &keys, collect, &s);
	for (int i = 0; i < CHAIN - 1; i++)
		audit_verifier_row(&v, &c.rows[i]);
	assert_true(s.n >= 1);
	assert_int_equal(s.f[0].id, 5);
	assert_int_equal(s.f[0].flaw, AUDIT_ALTERED); /* the id is part of the hash */
}

static void rows_cut_off_the_end_are_named(void **state)
{
	(void)state;
	struct chain c;
	build(&c);
	/* the last two rows deleted, the head in the database left */
	struct audit_keys keys = {0};
	assert_true(audit_keys_add(&keys, c.pk));
	struct seen s = {0};
	struct audit_verifier v;
	audit_verifier_init(&v, &keys, collect, &s);
	for (int i = 0; i < CHAIN - 2; i++)
		audit_verifier_row(&v, &c.rows[i]);
	audit_verifier_head(&v, CHAIN, c.hash[CHAIN - 1], "the head in the database");
	assert_int_equal(s.n, 1);
	assert_int_equal(s.f[0].flaw, AUDIT_DELETED);
	assert_int_equal(s.f[0].id, CHAIN - 1);
	assert_int_equal(s.f[0].rows, 2);
	/* the same, with the head in the database moved back too: only a head
	 * kept elsewhere shows it */
	s.n = 0;
	audit_verifier_init(&v, &keys, collect, &s);
	audit_verifier_expect(&v, CHAIN, c.hash[CHAIN - 1]);
	for (int i = 0; i < CHAIN - 2; i++)
		audit_verifier_row(&v, &c.rows[i]);
	audit_verifier_head(&v, CHAIN - 2, c.hash[CHAIN - 3], "the head in the database");
	assert_int_equal(s.n, 1);
	assert_int_equal(s.f[0].flaw, AUDIT_DELETED);
	assert_int_equal(s.f[0].id, CHAIN - 1);
	/* a head kept elsewhere at an earlier row: the log still holds it */
	s.n = 0;
	audit_verifier_init(&v, &keys, collect, &s);
	audit_verifier_expect(&v, 3, c.hash[2]);
	for (int i = 0; i < CHAIN; i++)
		audit_verifier_row(&v, &c.rows[i]);
	audit_verifier_head(&v, CHAIN, c.hash[CHAIN - 1], "the head in the database");
	assert_int_equal(s.n, 0);
}

static void a_head_that_disagrees_is_named(void **state)
{
	(void)state;
	struct chain c;
	build(&c);
	struct seen s = check(&c, -1, CHAIN - 1, c.hash[CHAIN - 2]);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.f[0].flaw, AUDIT_HEAD);
	assert_int_equal(s.f[0].id, CHAIN);
	s = check(&c, -1, CHAIN, c.hash[0]);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.f[0].flaw, AUDIT_HEAD);
	assert_int_equal(s.f[0].id, CHAIN);
}

static void unsigned_and_foreign_keys_are_named(void **state)
{
	(void)state;
	struct chain c;
	build(&c);
	c.rows[1].signature = "";
	c.rows[5].key_id = "00112233aabbccdd";
	struct seen s = check(&c, -1, CHAIN, c.hash[CHAIN - 1]);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.f[0].flaw, AUDIT_UNSIGNED);
	assert_int_equal(s.f[0].id, 2);
	assert_int_equal(s.f[1].flaw, AUDIT_UNKNOWN_KEY);
	assert_int_equal(s.f[1].id, 6);
	assert_string_equal(s.f[1].text,
			    "row 6 is signed by key 00112233aabbccdd, which was not given");
}

static void a_row_from_another_chain_does_not_link(void **state)
{
	(void)state;
	struct chain c;
	build(&c);
	/* row 6 rewritten by the key holder on a previous hash that is not row
	 * 5's: it is signed and hashes right, but does not follow */
	c.rows[5].prev_hash = AUDIT_GENESIS;
	reseal(&c, 5);
	struct seen s = check(&c, -1, CHAIN, c.hash[CHAIN - 1]);
	/* row 7 followed the old row 6; its broken link is row 6's doing, and
	 * row 6 is named already */
	assert_int_equal(s.n, 1);
	assert_int_equal(s.f[0].flaw, AUDIT_UNLINKED);
	assert_int_equal(s.f[0].id, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hash_of_a_row),
		cmocka_unit_test(signature_of_a_row),
		cmocka_unit_test(an_intact_chain_passes),
		cmocka_unit_test(an_altered_row_is_named),
		cmocka_unit_test(an_altered_and_rehashed_row_is_forged),
		cmocka_unit_test(an_inserted_row_is_forged),
		cmocka_unit_test(a_deleted_row_is_named),
		cmocka_unit_test(rows_renumbered_after_a_deletion_are_named),
		cmocka_unit_test(rows_cut_off_the_end_are_named),
		cmocka_unit_test(a_head_that_disagrees_is_named),
		cmocka_unit_test(unsigned_and_foreign_keys_are_named),
		cmocka_unit_test(a_row_from_another_chain_does_not_link),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
