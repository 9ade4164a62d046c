/*
 * app.c - the application's shared state: reference snapshot, feed signal,
 * release signing key, roles (see api.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "common/log.h"
#include "domain/credentials.h"
#include "domain/release.h"

static const char *const role_names[ROLE_COUNT] = {
#define ROLE_TEXT(name, text) text,
	ROLE_MAP(ROLE_TEXT)
#undef ROLE_TEXT
};

const char *role_name(enum role r)
{
	return (unsigned)r < ROLE_COUNT ? role_names[r] : "?";
}

bool role_parse(const char *s, enum role *out)
{
	for (int i = 0; s && i < ROLE_COUNT; i++) {
		if (strcmp(s, role_names[i]) == 0) {
			*out = (enum role)i;
			return true;
		}
	}
	return false;
}

const char *role_agency(enum role r)
{
	return (ROLES_AGENCY & (1u << r)) ? role_names[r] : NULL;
}

void app_limits_default(struct app_limits *l)
{
	l->max_body = 1u << 20;
	l->token_ttl_s = 12 * 3600;
	l->longpoll_max_s = 25;
	l->max_waiters = 64;
	l->pwhash_ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
	l->pwhash_mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
}

kerr release_key_load(const char *path, unsigned char pk[32],
		      unsigned char sk[64], bool create)
{
	char hex[129 + 2];
	FILE *f = fopen(path, "r");
	if (f) {
		size_t n = fread(hex, 1, sizeof hex - 1, f);
		fclose(f);
		hex[n] = '\0';
		while (n && (hex[n - 1] == '\n' || hex[n - 1] == '\r'))
			hex[--n] = '\0';
		size_t len = 0;
		if (n != 128 || sodium_hex2bin(sk, 64, hex, n, NULL, &len, NULL) != 0 ||
		    len != 64) {
			log_error("release key %s is not 128 hex digits", path);
			return KERR_INVALID;
		}
		crypto_sign_ed25519_sk_to_pk(pk, sk);
		return KERR_OK;
	}
	if (errno != ENOENT || !create) {
		log_error("cannot read release key %s: %s", path, strerror(errno));
		return KERR_INVALID;
	}
	crypto_sign_keypair(pk, sk);
	sodium_bin2hex(hex, sizeof hex, sk, 64);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		log_error("cannot create release key %s: %s", path, strerror(errno));
		return KERR_INVALID;
	}
	size_t len = strlen(hex);
	hex[len++] = '\n';
	bool ok = write(fd, hex, len) == (ssize_t)len && fsync(fd) == 0;
	close(fd);
	sodium_memzero(hex, sizeof hex);
	if (!ok)
		return KERR_INVALID;
	log_info("created release signing key %s", path);
	return KERR_OK;
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
		if (store_thread_conn(app->store, &c) || app_reload_refdata(app, c))
			log_warn("reference data: reload after another server's edit failed");
	}
}

kerr app_init(struct app *app, struct store *store, struct kclock *clock,
	      const struct app_limits *l, const char *key_path)
{
	memset(app, 0, sizeof *app);
	if (credentials_init())
		return KERR_INTERNAL;
	app->store = store;
	app->clock = clock;
	app->limits = *l;
	pthread_mutex_init(&app->ref_lock, NULL);
	pthread_mutex_init(&app->feed.lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&app->feed.cond, &ca);
	pthread_condattr_destroy(&ca);
	kerr e = release_key_load(key_path, app->sign_pk, app->sign_sk, true);
	if (!e) {
		release_key_id(app->sign_pk, app->key_id);
		struct store_conn *c;
		e = store_thread_conn(store, &c);
		if (!e)
			e = app_reload_refdata(app, c);
		if (!e)
			e = risk_seed_ensure(store);
	}
	if (!e && store->ops->watch)
		e = store->ops->watch(store, on_store_change, app);
	if (e)
		app_free(app); /* nothing to free for the caller on failure */
	return e;
}

void app_free(struct app *app)
{
	if (app->store && app->store->ops->unwatch)
		app->store->ops->unwatch(app->store);
	refdata_release(app->ref);
	app->ref = NULL;
	risk_state_free(app);
	sodium_memzero(app->sign_sk, sizeof app->sign_sk);
	pthread_mutex_destroy(&app->ref_lock);
	pthread_mutex_destroy(&app->feed.lock);
	pthread_cond_destroy(&app->feed.cond);
}

struct refdata *app_refdata(struct app *app)
{
	pthread_mutex_lock(&app->ref_lock);
	struct refdata *r = app->ref;
	refdata_retain(r);
	pthread_mutex_unlock(&app->ref_lock);
	return r;
}

/* Reloads run one at a time, each reading and installing under this lock:
 * the reload that installs last is then the one that read last. Without it
 * a slow reload (the watcher's, for an earlier edit) could install a
 * snapshot older than one a later edit had already installed. */
static pthread_mutex_t reload_lock = PTHREAD_MUTEX_INITIALIZER;

static kerr reload_locked(struct app *app, struct store_conn *c);

kerr app_reload_refdata(struct app *app, struct store_conn *c)
{
	pthread_mutex_lock(&reload_lock);
	kerr e = reload_locked(app, c);
	pthread_mutex_unlock(&reload_lock);
	return e;
}

static kerr reload_locked(struct app *app, struct store_conn *c)
{
	struct refdata_builder *b = refdata_builder_new();
	if (!b)
		return KERR_NOMEM;
	kerr e = store_begin(c, false);
	if (!e) {
		e = repo_ref_load(c, b);
		store_rollback(c);
	}
	if (e) {
		refdata_builder_free(b);
		return e;
	}
	struct refdata *r = refdata_builder_finish(b);
	if (!r)
		return KERR_NOMEM;
	pthread_mutex_lock(&app->ref_lock);
	struct refdata *old = app->ref;
	app->ref = r;
	pthread_mutex_unlock(&app->ref_lock);
	refdata_release(old);
	return KERR_OK;
}

void app_feed_notify(struct app *app)
{
	pthread_mutex_lock(&app->feed.lock);
	app->feed.generation++;
	pthread_cond_broadcast(&app->feed.cond);
	pthread_mutex_unlock(&app->feed.lock);
}

void app_feed_stop(struct app *app)
{
	pthread_mutex_lock(&app->feed.lock);
	app->feed.stopping = true;
	pthread_cond_broadcast(&app->feed.cond);
	pthread_mutex_unlock(&app->feed.lock);
}
