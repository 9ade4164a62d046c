/*
 * services.c - the shared state of a running kouan (struct services): its
 * limits, the release signing key, the reference snapshot (see service.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/log.h"
#include "domain/credentials.h"
#include "domain/release.h"
#include "service/guesses.h"
#include "service/money_state.h"
#include "service/risk_state.h"
#include "service/token_cache.h"
#include "service/service.h"
#include "store/repo.h"

void service_limits_default(struct service_limits *l)
{
	l->token_ttl_s = 12 * 3600;
	l->declarant_lanes = false;
	l->pwhash_ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
	l->pwhash_mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	l->pwhash_concurrency = 0; /* as the machine allows */
	l->statistics_file = NULL;   /* kept nowhere between starts */
}

unsigned service_hash_concurrency(unsigned asked)
{
	if (asked)
		return asked;
	/* leave a core for everything else: two hashes on a two-core machine
	 * would starve healthz and every other request while they run */
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	return cores >= 3 ? 2 : 1;
}

static void gate_init(struct hash_gate *g, unsigned running)
{
	memset(g, 0, sizeof *g);
	g->max_running = running ? running : 1;
	g->max_waiting = 4 * g->max_running;
	pthread_mutex_init(&g->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->freed, &ca);
	pthread_condattr_destroy(&ca);
}

static int64_t monotonic_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

/* Would one more waiter get a turn within the wait, at the average pace? */
static bool worth_waiting(const struct hash_gate *g)
{
	if (g->waiting >= g->max_waiting)
		return false;
	return g->average_us == 0 || (int64_t)(g->waiting + 1) * g->average_us <=
					     (int64_t)g->max_running * HASH_GATE_WAIT_MS * 1000;
}

kerr services_hash_begin(struct services *s, int64_t *turn)
{
	struct hash_gate *g = &s->hashing;
	kerr e = KERR_OK;
	pthread_mutex_lock(&g->lock);
	if (g->running >= g->max_running) {
		if (!worth_waiting(g)) {
			e = KERR_BUSY;
		} else {
			struct timespec until;
			clock_gettime(CLOCK_MONOTONIC, &until);
			until.tv_nsec += (long)HASH_GATE_WAIT_MS * 1000000L;
			until.tv_sec += until.tv_nsec / 1000000000L;
			until.tv_nsec %= 1000000000L;
			g->waiting++;
			int rc = 0;
			while (g->running >= g->max_running && rc == 0)
				rc = pthread_cond_timedwait(&g->freed, &g->lock, &until);
			g->waiting--;
			if (g->running >= g->max_running)
				e = KERR_BUSY;
		}
	}
	if (!e)
		g->running++;
	pthread_mutex_unlock(&g->lock);
	*turn = monotonic_us();
	return e;
}

void services_hash_done(struct services *s, int64_t turn)
{
	struct hash_gate *g = &s->hashing;
	int64_t took = monotonic_us() - turn;
	pthread_mutex_lock(&g->lock);
	g->running--;
	g->average_us = g->average_us ? (7 * g->average_us + took) / 8 : took;
	pthread_cond_signal(&g->freed);
	pthread_mutex_unlock(&g->lock);
}

kerr release_key_load(const char *path, unsigned char pk[RELEASE_PK_BYTES],
		      unsigned char sk[RELEASE_SK_BYTES], bool create)
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

kerr services_init(struct services *s, struct store *store, struct kclock *clock,
		   const struct service_limits *l, const char *key_path, bool create_key)
{
	memset(s, 0, sizeof *s);
	if (credentials_init())
		return KERR_INTERNAL;
	s->store = store;
	s->clock = clock;
	s->limits = *l;
	if (s->limits.token_ttl_s > SESSION_TTL_MAX_S)
		s->limits.token_ttl_s = SESSION_TTL_MAX_S;
	pthread_mutex_init(&s->ref_lock, NULL);
	s->limits.pwhash_concurrency = service_hash_concurrency(s->limits.pwhash_concurrency);
	gate_init(&s->hashing, s->limits.pwhash_concurrency);
	kerr e = key_path ? release_key_load(key_path, s->sign_pk, s->sign_sk, create_key)
			  : KERR_OK;
	if (!e) {
		if (key_path)
			release_key_id(s->sign_pk, s->key_id);
		struct store_conn *c;
		e = store_thread_conn(store, &c);
		if (!e)
			e = services_reload_refdata(s, c);
		if (!e)
			e = risk_state_init(s);
		if (!e)
			e = money_state_init(s);
		if (!e && !(s->tokens = token_cache_new()))
			e = KERR_NOMEM;
		if (!e && !(s->guesses = guesses_new()))
			e = KERR_NOMEM;
	}
	if (e)
		services_free(s);
	return e;
}

void services_free(struct services *s)
{
	token_cache_free(s->tokens);
	s->tokens = NULL;
	guesses_free(s->guesses);
	s->guesses = NULL;
	refdata_release(s->ref);
	s->ref = NULL;
	risk_state_free(s);
	money_state_free(s);
	sodium_memzero(s->sign_sk, sizeof s->sign_sk);
	pthread_mutex_destroy(&s->ref_lock);
	pthread_mutex_destroy(&s->hashing.lock);
	pthread_cond_destroy(&s->hashing.freed);
}

struct refdata *services_refdata(struct services *s)
{
	pthread_mutex_lock(&s->ref_lock);
	struct refdata *r = s->ref;
	refdata_retain(r);
	pthread_mutex_unlock(&s->ref_lock);
	return r;
}

/* Reloads run one at a time, each reading and installing under this lock:
 * the reload that installs last is then the one that read last. Without it
 * a slow reload (the watcher's, for an earlier edit) could install a
 * snapshot older than one a later edit had already installed. */
static pthread_mutex_t reload_lock = PTHREAD_MUTEX_INITIALIZER;

static kerr reload_locked(struct services *s, struct store_conn *c)
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
	pthread_mutex_lock(&s->ref_lock);
	struct refdata *old = s->ref;
	s->ref = r;
	pthread_mutex_unlock(&s->ref_lock);
	refdata_release(old);
	return KERR_OK;
}

kerr services_reload_refdata(struct services *s, struct store_conn *c)
{
	pthread_mutex_lock(&reload_lock);
	kerr e = reload_locked(s, c);
	pthread_mutex_unlock(&reload_lock);
	return e;
}
