/*
 * app.c - the running application: its services, the event feed's
 * wake-up, and the watch on the store for other servers' changes (see
 * api.h).
 */
#include <string.h>

#include "api/api.h"
#include "api/ceb_xml.h"
#include "common/log.h"
#include "service/money_state.h"
#include "service/statistics.h"

void app_limits_default(struct app_limits *l)
{
	l->max_body = 1u << 20;
	l->longpoll_max_s = 25;
	service_limits_default(&l->service);
}

static void on_events(void *arg)
{
	app_feed_notify(arg);
}

/* Statistics follow the feed too (src/service/statistics.c). */
static void wake_statistics(struct app *app)
{
	statistics_poke(&app->svc);
}

/* Another server (or this one) committed a change we keep in memory. */
static void on_store_change(void *arg, const char *topic)
{
	struct app *app = arg;
	if (!strcmp(topic, STORE_TOPIC_FEED)) {
		app_feed_notify(app);
	} else if (!strcmp(topic, STORE_TOPIC_REFERENCE)) {
		/* runs on the watcher's thread: it gets its own connection */
		struct store_conn *c;
		if (store_thread_conn(app->svc.store, &c) ||
		    services_reload_refdata(&app->svc, c))
			log_warn("reference data: reload after another server's edit failed");
	} else if (!strcmp(topic, STORE_TOPIC_MONEY)) {
		money_tables_changed(&app->svc);
	} else if (!strcmp(topic, STORE_WATCH_READY)) {
		money_tables_watched(&app->svc, true); /* and anything since is read anew */
	} else if (!strcmp(topic, STORE_WATCH_LOST)) {
		money_tables_watched(&app->svc, false);
	}
}

kerr app_init(struct app *app, struct store *store, struct kclock *clock,
	      const struct app_limits *l, const char *key_path, bool create_key)
{
	memset(app, 0, sizeof *app);
	app->limits = *l;
	kerr e = services_init(&app->svc, store, clock, &l->service, key_path, create_key);
	if (e)
		return e;
	if ((e = ceb_codec_new(&app->ceb))) {
		services_free(&app->svc);
		return e;
	}
	app->svc.on_events = on_events;
	app->svc.on_events_arg = app;
	pthread_mutex_init(&app->feed.lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&app->feed.cond, &ca);
	pthread_condattr_destroy(&ca);
	if (store->ops->watch && (e = store->ops->watch(store, on_store_change, app))) {
		app_free(app);
		return e;
	}
	/* the clearance-time figures live as long as the app that serves
	 * them, above the services they read */
	if ((e = statistics_state_init(&app->svc)) ||
	    (e = statistics_follower_start(&app->svc))) {
		app_free(app);
		return e;
	}
	return KERR_OK;
}

void app_free(struct app *app)
{
	if (app->svc.store && app->svc.store->ops->unwatch)
		app->svc.store->ops->unwatch(app->svc.store);
	statistics_state_free(&app->svc); /* stops its follower first */
	services_free(&app->svc);
	ceb_codec_free(app->ceb);
	app->ceb = NULL;
	pthread_mutex_destroy(&app->feed.lock);
	pthread_cond_destroy(&app->feed.cond);
}

/* Tell the followers: wake the parked ones and the in-process waiters. */
static void feed_signal(struct app *app, bool stop)
{
	pthread_mutex_lock(&app->feed.lock);
	app->feed.generation++;
	if (stop)
		app->feed.stopping = true;
	pthread_cond_broadcast(&app->feed.cond);
	/* under the lock, so that once app_feed_on_wake(NULL) returns no wake
	 * is still running (the server may then be freed) */
	if (app->feed.wake)
		app->feed.wake(app->feed.wake_arg);
	pthread_mutex_unlock(&app->feed.lock);
}

void app_feed_notify(struct app *app)
{
	feed_signal(app, false);
	wake_statistics(app);
}

void app_feed_stop(struct app *app)
{
	feed_signal(app, true);
}

void app_feed_on_wake(struct app *app, void (*wake)(void *arg), void *arg)
{
	pthread_mutex_lock(&app->feed.lock);
	app->feed.wake = wake;
	app->feed.wake_arg = arg;
	pthread_mutex_unlock(&app->feed.lock);
}

bool app_feed_stopping(struct app *app)
{
	pthread_mutex_lock(&app->feed.lock);
	bool stopping = app->feed.stopping;
	pthread_mutex_unlock(&app->feed.lock);
	return stopping;
}
