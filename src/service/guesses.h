/*
 * guesses.h - the public questions that answer only to someone who knows a
 * secret-like value (today the cross-border buyer's quota: an ID number
 * and one of the buyer's order numbers), and the bound on guessing it:
 * the unanswered questions of each client address are counted, and past
 * THROTTLE_ADDRESS_FREE of them the address waits before its next
 * question, 1 s, 2 s, 4 s, ... at most 15 minutes (the login policy for an
 * address, domain/throttle.h); the count lapses after an hour without one.
 *
 * Kept in each server's memory (a question asked of no one else writes
 * nothing), so servers behind one proxy count apart: with n servers an
 * address gets n times the free questions, then each server's waits. At
 * most GUESS_SLOTS addresses are followed, placed by a hash in sets of
 * four; a new one takes the slot of its set's address whose last failure
 * is oldest. It must never answer a waiting
 * address, even with the right values (the answer would tell a guess
 * apart).
 */
#ifndef KOUAN_GUESSES_H
#define KOUAN_GUESSES_H

#include <stdint.h>

#include "common/error.h"
#include "service/accounts.h"

#define GUESS_SLOTS 4096 /* a multiple of four */

struct guesses;

/* A new, empty count (NULL when out of memory). */
struct guesses *guesses_new(void);
void guesses_free(struct guesses *g);

/* May `address` ask now? KERR_OK, or KERR_THROTTLED with *wait filled
 * (retry_after_s, by_address). */
KOUAN_MUST_USE kerr guesses_check(struct guesses *g, const char *address, int64_t now_us,
				  struct throttle_refusal *wait);
/* `address` asked and the answer was "no such thing" now. */
void guesses_failed(struct guesses *g, const char *address, int64_t now_us);

#endif
