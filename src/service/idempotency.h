/*
 * idempotency.h - Idempotency-Key records: a client that lost an answer
 * retries with the same key and gets the same answer, never a second
 * declaration. Keys belong to the caller's organisation.
 */
#ifndef KOUAN_IDEMPOTENCY_H
#define KOUAN_IDEMPOTENCY_H

#include <stdbool.h>

#include "service/service.h"

/* The answer a key was given. */
struct idempotent_answer {
	char hash[HASH_HEX_SIZE]; /* of the request it answered */
	int status;
	char *text; /* owned: free() */
};

/* Claim `key` in the unit of work: *claimed true when it was free (it is
 * ours until commit; a concurrent claimant on any server waits for us);
 * false when it was used before, with its answer in *prior. */
KOUAN_MUST_USE kerr idempotency_claim(struct uow *u, const struct actor *a, const char *key,
				      bool *claimed, struct idempotent_answer *prior);
/* Keep the answer to a claimed key. */
KOUAN_MUST_USE kerr idempotency_record(struct uow *u, const struct actor *a, const char *key,
				       const char *hash, int status, const char *answer);

#endif
