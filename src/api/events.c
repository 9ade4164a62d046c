/*
 * events.c - the feed of every event the caller may see, resumable from a
 * cursor: GET /v1/events?after=CURSOR&limit=N&wait=SECONDS.
 *
 * The cursor is the id of the last event returned; ids grow in commit order
 * (see src/service/uow.c). With wait > 0 and nothing new, the request waits
 * (long-poll) until a commit writes events or the time runs out (waits
 * longer than the server's longpoll-max-s are shortened to it). At most
 * limits.max_waiters requests wait at once; beyond that the answer comes at
 * once and the client simply polls again.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/handlers.h"
#include "api/views.h"
#include "service/feed.h"

static bool parse_cursor(struct api_ctx *ctx, int64_t *after)
{
	const char *c = http_query(ctx->req, "after");
	*after = 0;
	if (!c || !*c)
		return true;
	int64_t v = 0;
	bool ok = strlen(c) <= 18;
	for (const char *p = c; ok && *p; p++) {
		ok = *p >= '0' && *p <= '9';
		v = v * 10 + (*p - '0');
	}
	if (!ok) {
		api_field_problem(ctx, KERR_INVALID, "query:after",
				  "must be a cursor returned by this feed (digits)");
		return false;
	}
	*after = v;
	return true;
}

/* Wait until the feed's generation passes `seen` or `seconds` elapse.
 * Returns false if the wait was refused (too many waiters, stopping). */
static bool wait_for_events(struct app *app, uint64_t seen, int seconds)
{
	struct feed_signal *f = &app->feed;
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += seconds;
	pthread_mutex_lock(&f->lock);
	if (f->waiters >= app->limits.max_waiters || f->stopping) {
		pthread_mutex_unlock(&f->lock);
		return false;
	}
	f->waiters++;
	int rc = 0;
	while (f->generation == seen && !f->stopping && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&f->cond, &f->lock, &deadline);
	f->waiters--;
	pthread_mutex_unlock(&f->lock);
	return true;
}

void api_events_feed(struct api_ctx *ctx)
{
	int64_t after, limit, wait;
	if (!parse_cursor(ctx, &after) ||
	    !api_query_int(ctx, "limit", 1, 1000, 100, &limit) ||
	    !api_query_int(ctx, "wait", 0, 3600, 0, &wait))
		return;
	if (wait > ctx->app->limits.longpoll_max_s) /* longer waits are cut short */
		wait = ctx->app->limits.longpoll_max_s;
	for (int round = 0;; round++) {
		pthread_mutex_lock(&ctx->app->feed.lock);
		uint64_t seen = ctx->app->feed.generation;
		pthread_mutex_unlock(&ctx->app->feed.lock);
		struct view_list page = {json_array(), view_level_of(&ctx->app->svc, &ctx->actor),
					 after};
		kerr e = feed_read(&ctx->uow, &ctx->actor, after, (int)limit, append_event, &page);
		uow_end_read(&ctx->uow); /* no transaction is held while waiting */
		if (e) {
			json_decref(page.array);
			api_problem(ctx, e == KERR_FORBIDDEN ? e : KERR_STORE, NULL, NULL);
			return;
		}
		if (json_array_size(page.array) > 0 || wait == 0 || round > 0 ||
		    !wait_for_events(ctx->app, seen, (int)wait)) {
			char cursor[24];
			snprintf(cursor, sizeof cursor, "%lld", (long long)page.last_id);
			api_json(ctx, 200, json_pack("{s:o, s:s}", "events", page.array,
						     "cursor", cursor));
			return;
		}
		json_decref(page.array);
	}
}
