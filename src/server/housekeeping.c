/* housekeeping.c - the background purge thread (see housekeeping.h). */
#include "server/housekeeping.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "common/log.h"
#include "service/retention.h"
#include "store/store.h"

struct housekeeping {
	struct services *svc;
	struct housekeeping_periods every;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stopping;
};

/* Wait ms milliseconds or until told to stop; true when stopping. */
static bool pause_ms(struct housekeeping *h, int64_t ms)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += (time_t)(ms / 1000);
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&h->lock);
	while (!h->stopping && pthread_cond_timedwait(&h->cond, &h->lock, &until) == 0)
		;
	bool stop = h->stopping;
	pthread_mutex_unlock(&h->lock);
	return stop;
}

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Expired tokens and idempotency records, a chunk at a time; true when
 * told to stop meanwhile. */
static bool purge(struct housekeeping *h)
{
	struct retention_counts n = {0, 0};
	bool more = true, stop = false;
	kerr e = KERR_OK;
	while (more && !e) {
		e = retention_purge_chunk(h->svc, RETENTION_CHUNK, &n, &more);
		if (more && (stop = pause_ms(h, HOUSEKEEPING_PAUSE_MS)))
			break;
	}
	if (e)
		log_warn("retention: purge failed (%s); trying again in %lld s", kerr_title(e),
			 (long long)(h->every.purge_ms / 1000));
	else if (n.tokens || n.idempotency)
		log_info("retention: deleted %lld expired tokens and %lld idempotency records past "
			 "their window",
			 (long long)n.tokens, (long long)n.idempotency);
	return stop;
}

static void analyse_grown(struct housekeeping *h)
{
	char names[512];
	int n;
	kerr e = store_analyse_grown(h->svc->store, HOUSEKEEPING_GROWN_CHANGES, names,
				     sizeof names, &n);
	if (e)
		log_warn("planner statistics: gathering them for grown tables failed (%s); "
			 "trying again in %lld s",
			 kerr_title(e), (long long)(h->every.grown_ms / 1000));
	else if (n)
		log_info("planner statistics: gathered again for %d grown table%s: %s", n,
			 n == 1 ? "" : "s", names);
}

static void *run(void *arg)
{
	struct housekeeping *h = arg;
	const struct housekeeping_periods *every = &h->every;
	int64_t now = now_ms();
	int64_t purge_at = now, grown_at = now;
	int64_t maintain_at = now + every->maintain_ms; /* done at start */
	bool stop = false;
	while (!stop) {
		if (now >= grown_at) {
			analyse_grown(h);
			grown_at = now_ms() + every->grown_ms;
		}
		if (now >= maintain_at) {
			kerr e = store_maintain(h->svc->store);
			if (e)
				log_warn("store: its daily upkeep (partitions ahead) failed (%s); "
					 "trying again in %lld s",
					 kerr_title(e), (long long)(every->purge_ms / 1000));
			maintain_at = now_ms() + (e ? every->purge_ms : every->maintain_ms);
		}
		if (now >= purge_at) {
			stop = purge(h);
			purge_at = now_ms() + every->purge_ms;
		}
		int64_t next = grown_at < purge_at ? grown_at : purge_at;
		next = maintain_at < next ? maintain_at : next;
		now = now_ms();
		if (!stop && next > now)
			stop = pause_ms(h, next - now);
		now = now_ms();
	}
	store_thread_release();
	return NULL;
}

struct housekeeping *housekeeping_start(struct services *s)
{
	const struct housekeeping_periods every = {
		.purge_ms = HOUSEKEEPING_PERIOD_S * 1000LL,
		.grown_ms = HOUSEKEEPING_GROWN_S * 1000LL,
		.maintain_ms = HOUSEKEEPING_MAINTAIN_S * 1000LL,
	};
	return housekeeping_start_every(s, &every);
}

struct housekeeping *housekeeping_start_every(struct services *s,
					      const struct housekeeping_periods *every)
{
	struct housekeeping *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->svc = s;
	h->every = *every;
	pthread_mutex_init(&h->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&h->thread, NULL, run, h)) {
		pthread_mutex_destroy(&h->lock);
		pthread_cond_destroy(&h->cond);
		free(h);
		return NULL;
	}
	return h;
}

void housekeeping_stop(struct housekeeping *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	h->stopping = true;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->thread, NULL);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->cond);
	free(h);
}
