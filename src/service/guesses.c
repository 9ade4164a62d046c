/*
 * guesses.c - failures of public questions per client address, in memory,
 * with the login policy for an address (see guesses.h). It must never let
 * a waiting address ask, nor grow beyond GUESS_SLOTS addresses.
 */
#include "service/guesses.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "domain/throttle.h"

struct slot {
	char address[SOURCE_SIZE]; /* "" when free */
	struct throttle_state state;
};

/* Addresses are placed by a hash in sets of WAYS slots; a new address
 * takes its set's free slot, or the one quiet the longest. */
#define WAYS 4

struct guesses {
	pthread_mutex_t lock;
	struct slot slot[GUESS_SLOTS];
};

static struct slot *set_of(struct guesses *g, const char *address)
{
	uint32_t h = 2166136261u;
	for (const char *p = address; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	return &g->slot[(h % (GUESS_SLOTS / WAYS)) * WAYS];
}

struct guesses *guesses_new(void)
{
	struct guesses *g = calloc(1, sizeof *g);
	if (g && pthread_mutex_init(&g->lock, NULL)) {
		free(g);
		return NULL;
	}
	return g;
}

void guesses_free(struct guesses *g)
{
	if (!g)
		return;
	pthread_mutex_destroy(&g->lock);
	free(g);
}

/* The address's slot; NULL when it has none. With lock held. */
static struct slot *find(struct guesses *g, const char *address)
{
	struct slot *set = set_of(g, address);
	for (size_t i = 0; i < WAYS; i++)
		if (!strcmp(set[i].address, address))
			return &set[i];
	return NULL;
}

kerr guesses_check(struct guesses *g, const char *address, int64_t now_us,
		   struct throttle_refusal *wait)
{
	memset(wait, 0, sizeof *wait);
	pthread_mutex_lock(&g->lock);
	struct slot *s = find(g, address);
	int64_t retry = 0;
	enum throttle_verdict v =
		s ? throttle_check(THROTTLE_ADDRESS, &s->state, now_us, &retry) : THROTTLE_GO;
	pthread_mutex_unlock(&g->lock);
	if (v == THROTTLE_GO)
		return KERR_OK;
	wait->retry_after_s = retry;
	wait->by_address = true;
	return KERR_THROTTLED;
}

void guesses_failed(struct guesses *g, const char *address, int64_t now_us)
{
	pthread_mutex_lock(&g->lock);
	struct slot *s = find(g, address);
	if (!s) { /* a free slot of its set, else the one quiet the longest */
		struct slot *set = set_of(g, address);
		s = &set[0];
		for (size_t i = 1; i < WAYS && s->address[0]; i++)
			if (!set[i].address[0] ||
			    set[i].state.last_failure_us < s->state.last_failure_us)
				s = &set[i];
		memset(s, 0, sizeof *s);
		str_copy(s->address, address, sizeof s->address);
	}
	s->state = throttle_fail(THROTTLE_ADDRESS, &s->state, now_us);
	pthread_mutex_unlock(&g->lock);
}
