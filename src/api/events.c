/*
 * events.c - the feed of every event the caller may see, resumable from a
 * cursor: GET /v1/events?after=CURSOR&limit=N&wait=SECONDS.
 *
 * The cursor is the id of the last event returned; ids grow in commit order
 * (see src/service/uow.c). With wait > 0 and nothing new, the request waits
 * (long-poll) until a commit writes events or the time runs out (waits
 * longer than the server's longpoll-max-s are shortened to it). It waits
 * parked (http_response.park_until_us): a waiting follower holds no worker
 * thread and no transaction, so thousands cost only their connections.
 */
#include <stdio.h>
#include <string.h>

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

void api_events_feed(struct api_ctx *ctx)
{
	int64_t after, limit, wait;
	if (!parse_cursor(ctx, &after) ||
	    !api_query_int(ctx, "limit", 1, 1000, 100, &limit) ||
	    !api_query_int(ctx, "wait", 0, 3600, 0, &wait))
		return;
	if (wait > ctx->app->limits.longpoll_max_s) /* longer waits are cut short */
		wait = ctx->app->limits.longpoll_max_s;
	struct view_list page = {json_array(), view_level_of(&ctx->app->svc, &ctx->actor), after};
	kerr e = feed_read(&ctx->uow, &ctx->actor, after, (int)limit, append_event, &page);
	uow_end_read(&ctx->uow); /* no transaction is held while parked */
	if (e) {
		json_decref(page.array);
		api_problem(ctx, e == KERR_FORBIDDEN ? e : KERR_STORE, NULL, NULL);
		return;
	}
	if (json_array_size(page.array) == 0 && wait > 0 && !app_feed_stopping(ctx->app)) {
		/* nothing new: wait parked, and look again when woken or due */
		int64_t now = http_now_us();
		int64_t until = ctx->req->parked_until_us ? ctx->req->parked_until_us
							  : now + wait * 1000000;
		if (now < until) {
			json_decref(page.array);
			ctx->resp->park_until_us = until;
			return;
		}
	}
	char cursor[24];
	snprintf(cursor, sizeof cursor, "%lld", (long long)page.last_id);
	api_json(ctx, 200, json_pack("{s:o, s:s}", "events", page.array, "cursor", cursor));
}
