/*
 * idempotency.h - Idempotency-Key records: a client that lost an answer
 * retries with the same key and gets the same answer, never a second
 * declaration. Keys belong to the caller's organisation.
 *
 * A lodged declaration's record keeps its number and version, the digest
 * of the request and what the answer said that the declaration does not
 * keep (its status, times and tasks at that moment, a few hundred bytes);
 * the answer is rebuilt from them and the declaration's body at that
 * version, byte for byte. Other records keep the whole answer. Never
 * stores a second copy of a declaration's body.
 */
#ifndef KOUAN_IDEMPOTENCY_H
#define KOUAN_IDEMPOTENCY_H

#include <stdbool.h>

#include "service/clearance.h"
#include "service/service.h"

/* The answer a key was given. */
struct idempotent_answer {
	char hash[HASH_HEX_SIZE]; /* of the request it answered */
	int status;
	/* the declaration the answer showed, or "" when text is the whole
	 * answer */
	char number[DECL_NUMBER_SIZE];
	int64_t version;
	char *text; /* owned: free(); the whole answer, or with a number what
		     * the declaration does not keep */
};

/* Claim `key` in the unit of work: *claimed true when it was free (it is
 * ours until commit; a concurrent claimant on any server waits for us);
 * false when it was used before, with its answer in *prior. */
KOUAN_MUST_USE kerr idempotency_claim(struct uow *u, const struct actor *a, const char *key,
				      bool *claimed, struct idempotent_answer *prior);
/* Keep the whole answer to a claimed key. */
KOUAN_MUST_USE kerr idempotency_record(struct uow *u, const struct actor *a, const char *key,
				       const char *hash, int status, const char *answer);
/* Keep the answer to a claimed key that showed declaration `number` at
 * `version`: `moment` is what the answer said that the declaration does
 * not keep. */
KOUAN_MUST_USE kerr idempotency_record_declaration(struct uow *u, const struct actor *a,
						   const char *key, const char *hash, int status,
						   const char *number, int64_t version,
						   const char *moment);
/* The declaration a prior answer showed, as it was answered: its row (for
 * its number, direction, times of lodging) with the body and version the
 * answer had. KERR_NOT_FOUND when the actor may no longer see it.
 * declaration_free() it. */
KOUAN_MUST_USE kerr idempotency_declaration(struct uow *u, const struct actor *a,
					    const struct idempotent_answer *prior,
					    struct declaration *d);

#endif
