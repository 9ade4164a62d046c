/*
 * risk_state.c - the risk engine's state in a running kouan: the secret
 * seed of the draws, made once per database, and the cache of the rule
 * set in force (see risk_state.h).
 */
#include "service/risk_state.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "store/repo.h"

void rules_ref_release(struct rules_ref *r)
{
	if (r && __atomic_sub_fetch(&r->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		risk_rules_free(r->rules);
		free(r);
	}
}

/* The secret seed: made once per database (two servers starting at once:
 * the first one's stays), then only read. */
static kerr seed_load(struct store *store, uint8_t seed[RISK_SEED_BYTES])
{
	struct store_conn *c;
	kerr e = store_thread_conn(store, &c);
	if (e || (e = store_begin(c, true)))
		return e;
	char hex[2 * RISK_SEED_BYTES + 1];
	e = repo_setting_get(c, "risk_seed", hex, sizeof hex);
	if (e == KERR_NOT_FOUND) {
		uint8_t fresh[RISK_SEED_BYTES];
		randombytes_buf(fresh, sizeof fresh);
		sodium_bin2hex(hex, sizeof hex, fresh, sizeof fresh);
		sodium_memzero(fresh, sizeof fresh);
		e = repo_setting_put_new(c, "risk_seed", hex);
		if (!e)
			e = repo_setting_get(c, "risk_seed", hex, sizeof hex);
	}
	if (e) {
		store_rollback(c);
		return e;
	}
	if ((e = store_commit(c)))
		return e;
	size_t len = 0;
	if (sodium_hex2bin(seed, RISK_SEED_BYTES, hex, strlen(hex), NULL, &len, NULL) ||
	    len != RISK_SEED_BYTES) {
		log_error("risk: the database has no usable risk_seed setting");
		return KERR_INTERNAL;
	}
	return KERR_OK;
}

kerr risk_seed_from_text(struct store *store, const char *text)
{
	uint8_t key[RISK_SEED_BYTES];
	char hex[2 * RISK_SEED_BYTES + 1];
	crypto_generichash(key, sizeof key, (const unsigned char *)text, strlen(text), NULL, 0);
	sodium_bin2hex(hex, sizeof hex, key, sizeof key);
	struct store_conn *c;
	kerr e = store_thread_conn(store, &c);
	if (e || (e = store_begin(c, true)))
		return e;
	if ((e = repo_setting_put_new(c, "risk_seed", hex))) {
		store_rollback(c);
		return e;
	}
	return store_commit(c);
}

kerr risk_state_init(struct services *s)
{
	struct risk_state *r = calloc(1, sizeof *r);
	if (!r)
		return KERR_NOMEM;
	kerr e = seed_load(s->store, r->seed);
	if (e) {
		free(r);
		return e;
	}
	pthread_mutex_init(&r->lock, NULL);
	s->risk = r;
	return KERR_OK;
}

void risk_state_free(struct services *s)
{
	struct risk_state *r = s->risk;
	if (!r)
		return;
	rules_ref_release(r->current);
	sodium_memzero(r->seed, sizeof r->seed);
	pthread_mutex_destroy(&r->lock);
	free(r);
	s->risk = NULL;
}
