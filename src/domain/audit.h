/*
 * audit.h - the audit log as a hash chain, signed row by row, and the
 * check that proves it intact or names the first row that is not.
 *
 * Each row's hash is BLAKE2b-256 over the previous row's hash and the
 * row's own content (see audit_hash for the exact bytes); the first row
 * follows a hash of 64 zeros. Each row's hash is signed with Ed25519
 * (the text "kouan.audit.v1 ID HASH"), so the signature of the latest row
 * signs the head of the whole chain: its row count and its hash. A change
 * to a row's content breaks its hash; a row re-hashed, inserted or
 * renumbered by someone without the key breaks its signature; a deleted row
 * leaves a gap in the ids and a broken link. Keeping a copy of the head
 * outside the database also catches rows cut off the end.
 *
 * Pure: rows, keys and findings in, verdicts out. The service reads the
 * rows and writes new ones (src/service/uow.c, src/service/audit.c).
 */
#ifndef KOUAN_AUDIT_H
#define KOUAN_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/sizes.h"
#include "domain/release.h"

#define AUDIT_GENESIS                                                          \
	"0000000000000000000000000000000000000000000000000000000000000000"
#define AUDIT_KEYS_MAX 8

/* One row as stored (borrowed text). */
struct audit_row {
	int64_t id; /* 1, 2, 3, ... with no gap */
	const char *at;
	const char *actor;
	const char *actor_role;
	const char *source;
	const char *action;
	const char *target;
	const char *data; /* a JSON object */
	const char *prev_hash; /* hex: the hash of row id - 1 */
	const char *hash;      /* hex: audit_hash of this row */
	const char *signature; /* base64, "" when unsigned */
	const char *key_id;    /* of the signing key, "" when unsigned */
};

/* The hash of a row, in hex, from its prev_hash and content: BLAKE2b-256
 * of the bytes "kouan.audit.v1", then, for each of prev_hash, id (in
 * decimal), at, actor, actor_role, source, action, target and data, its
 * length as 8 bytes big-endian followed by its bytes. */
void audit_hash(const struct audit_row *r, char out[HASH_HEX_SIZE]);

/* Sign a row's id and hash with the Ed25519 secret key. */
void audit_sign(int64_t id, const char *hash, const unsigned char sk[RELEASE_SK_BYTES],
		char out[SIGNATURE_B64_MAX]);
/* Does the signature hold for this id and hash under the public key? */
bool audit_signature_ok(int64_t id, const char *hash, const char *signature,
			const unsigned char pk[RELEASE_PK_BYTES]);

/* The public keys a verification accepts, matched by key id. */
struct audit_keys {
	size_t n;
	unsigned char pk[AUDIT_KEYS_MAX][RELEASE_PK_BYTES];
	char key_id[AUDIT_KEYS_MAX][KEY_ID_SIZE];
};

/* Add a key (false when the list is full). */
bool audit_keys_add(struct audit_keys *k, const unsigned char pk[RELEASE_PK_BYTES]);

enum audit_flaw {
	AUDIT_DELETED,     /* rows from `id` on are missing (count in `rows`) */
	AUDIT_ALTERED,     /* the content no longer gives the stored hash */
	AUDIT_FORGED,      /* the signature does not hold: inserted, or altered and re-hashed */
	AUDIT_UNSIGNED,    /* no signature */
	AUDIT_UNKNOWN_KEY, /* signed by a key not given */
	AUDIT_UNLINKED,    /* does not follow the row before it */
	AUDIT_HEAD,        /* the head kept (in the database, or given) does not match */
};

/* What the check found at one row. */
struct audit_finding {
	enum audit_flaw flaw;
	int64_t id;   /* the row (for AUDIT_DELETED, the first row missing) */
	int64_t rows; /* AUDIT_DELETED: how many are missing */
	char text[160];
};

typedef void (*audit_finding_fn)(void *arg, const struct audit_finding *f);

/* The check, fed the rows in id order. */
struct audit_verifier {
	const struct audit_keys *keys;
	audit_finding_fn fn;
	void *arg;
	int64_t next_id;         /* the id the next row must have */
	char last_hash[HASH_HEX_SIZE]; /* stored hash of the last row seen */
	bool last_flawed;        /* the last row (or a gap before it) was reported */
	int64_t rows;            /* rows seen */
	int64_t findings;
	int64_t first_id;        /* the row of the first finding, 0: none */
	int64_t expect_id;       /* a head kept elsewhere: its row, 0: none */
	char expect_hash[HASH_HEX_SIZE];
	char expect_seen[HASH_HEX_SIZE];
};

void audit_verifier_init(struct audit_verifier *v, const struct audit_keys *keys,
			 audit_finding_fn fn, void *arg);
/* Check the next row (in id order). */
void audit_verifier_row(struct audit_verifier *v, const struct audit_row *r);
/* Before the rows: a head kept outside the database (the id and hash of
 * the row that was the last when it was copied), which the log must still
 * hold: this catches rows cut off the end along with the head in the
 * database. */
void audit_verifier_expect(struct audit_verifier *v, int64_t id, const char *hash);
/* After the last row: the expected head (above) is checked, then the head
 * kept in the database (the last id and its hash; NULL hash: none), which
 * must be the last row. `what` names the latter in the finding. */
void audit_verifier_head(struct audit_verifier *v, int64_t head_id, const char *head_hash,
			 const char *what);

#endif
