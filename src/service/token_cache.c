/* token_cache.c - bearer tokens' actors in memory (see token_cache.h). */
#include "service/token_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct token_entry {
	char hash[TOKEN_HASH_HEX]; /* "" when free */
	int64_t generation;
	int64_t expires_us;
	struct actor actor;
};

struct token_cache {
	pthread_mutex_t lock;
	struct token_entry slots[TOKEN_CACHE_SLOTS];
};

struct token_cache *token_cache_new(void)
{
	struct token_cache *tc = calloc(1, sizeof *tc);
	if (tc)
		pthread_mutex_init(&tc->lock, NULL);
	return tc;
}

void token_cache_free(struct token_cache *tc)
{
	if (!tc)
		return;
	pthread_mutex_destroy(&tc->lock);
	free(tc);
}

/* The slot of a hash: its first hex digits (the hash is uniform). */
static size_t slot_of(const char *hash)
{
	size_t v = 0;
	for (int i = 0; i < 6 && hash[i]; i++) {
		char c = hash[i];
		v = v * 16 + (size_t)(c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
	}
	return v % TOKEN_CACHE_SLOTS;
}

bool token_cache_get(struct token_cache *tc, const char hash[TOKEN_HASH_HEX],
		     int64_t generation, int64_t now_us, struct actor *out)
{
	struct token_entry *e = &tc->slots[slot_of(hash)];
	bool hit = false;
	pthread_mutex_lock(&tc->lock);
	if (e->generation == generation && now_us < e->expires_us &&
	    strcmp(e->hash, hash) == 0) {
		*out = e->actor;
		hit = true;
	}
	pthread_mutex_unlock(&tc->lock);
	return hit;
}

void token_cache_put(struct token_cache *tc, const char hash[TOKEN_HASH_HEX],
		     int64_t generation, int64_t expires_us, const struct actor *a)
{
	struct token_entry *e = &tc->slots[slot_of(hash)];
	pthread_mutex_lock(&tc->lock);
	memcpy(e->hash, hash, TOKEN_HASH_HEX);
	e->hash[TOKEN_HASH_HEX - 1] = '\0';
	e->generation = generation;
	e->expires_us = expires_us;
	e->actor = *a;
	pthread_mutex_unlock(&tc->lock);
}
