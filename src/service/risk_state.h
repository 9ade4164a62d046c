/*
 * risk_state.h - the risk engine's state in a running kouan (behind
 * services->risk): the seed of the draws and the compiled rule set in force,
 * shared by reference count. Made by services_init; used by risk_apply.c and
 * risk_admin.c.
 */
#ifndef KOUAN_RISK_STATE_H
#define KOUAN_RISK_STATE_H

#include <pthread.h>
#include <stdint.h>

#include "domain/risk.h"
#include "service/service.h"

/* A compiled rule set held by reference count. */
struct rules_ref {
	struct risk_rules *rules;
	int refs;
};
void rules_ref_release(struct rules_ref *r);

struct risk_state {
	pthread_mutex_t lock;
	struct rules_ref *current; /* NULL until first used */
	uint8_t seed[RISK_SEED_BYTES];
};

/* Make the risk state and the seed of the draws (once per database). */
KOUAN_MUST_USE kerr risk_state_init(struct services *s);
void risk_state_free(struct services *s);

/* Give a database whose draws must be the same on every run (the demo, a
 * simulation) a seed made from `text` (BLAKE2b of it), before any kouan has
 * started on it: one that already has a seed keeps it. Never for a
 * database that holds real goods, since the text is no secret. */
KOUAN_MUST_USE kerr risk_seed_from_text(struct store *store, const char *text);

#endif
