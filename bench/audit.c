/*
 * audit.c - what the audit log's chain costs: audit records appended one
 * transaction each (hashed, linked and signed with an Ed25519 key) against
 * the same records appended unsigned, measured in alternating slices in the
 * same run on a SQLite database; then how fast `kouan audit verify` checks
 * rows. Figures are printed, never asserted.
 *
 * It writes only a database in a directory of its own under /tmp, removed
 * at the end.
 *
 *   bench_audit [--rows N (per slice)] [--rounds N]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/log.h"
#include "domain/credentials.h"
#include "service/audit.h"

static double seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static kerr one_record(struct uow *u, void *arg)
{
	unsigned *n = arg;
	char target[32];
	snprintf(target, sizeof target, "user%u", (*n)++ % 1000);
	uow_set_source(u, "203.0.113.9");
	static const struct actor a = {.role = ROLE_ADMIN, .username = "admin"};
	return uow_audit_change(u, &a, "user.disabled", target,
				json_pack("{s:b}", "disabled", 0), json_pack("{s:b}", "disabled", 1),
				"left the company");
}

/* Append `rows` records, one transaction each; records a second. */
static double slice(struct services *svc, unsigned rows, unsigned *n)
{
	double t0 = seconds();
	for (unsigned i = 0; i < rows; i++)
		if (uow_run(svc, true, one_record, n)) {
			fprintf(stderr, "bench_audit: an append failed\n");
			exit(1);
		}
	return rows / (seconds() - t0);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

struct verify_job {
	struct audit_keys keys;
	struct audit_verdict v;
};

static kerr verify(struct uow *u, void *arg)
{
	struct verify_job *j = arg;
	return audit_verify(u, &j->keys, 0, NULL, NULL, NULL, &j->v);
}

int main(int argc, char **argv)
{
	unsigned rows = 2000, rounds = 5;
	for (int i = 1; i + 1 < argc; i += 2) {
		unsigned long v = strtoul(argv[i + 1], NULL, 10);
		if (!strcmp(argv[i], "--rows") && v > 0 && v <= 1000000)
			rows = (unsigned)v;
		else if (!strcmp(argv[i], "--rounds") && v > 0 && v <= 100)
			rounds = (unsigned)v;
		else {
			fprintf(stderr, "usage: bench_audit [--rows N] [--rounds N]\n");
			return 2;
		}
	}
	log_set_level(LOG_ERROR);
	char dir[] = "/tmp/kouan-bench-audit-XXXXXX", db[96], key[96];
	if (!mkdtemp(dir) || credentials_init())
		return 1;
	snprintf(db, sizeof db, "%s/audit.db", dir);
	snprintf(key, sizeof key, "%s/release.key", dir);
	struct store_options so = {.url = db, .sync = STORE_SYNC_PROCESS};
	struct store *store;
	struct services svc;
	struct service_limits l;
	service_limits_default(&l);
	if (store_open(&so, &store) || store_migrate(store, 0) ||
	    services_init(&svc, store, &kclock_system, &l, key, true)) {
		fprintf(stderr, "bench_audit: cannot set up the database in %s\n", dir);
		return 1;
	}
	char key_id[KEY_ID_SIZE];
	str_copy(key_id, svc.key_id, sizeof key_id);
	double *signed_rate = calloc(rounds, sizeof *signed_rate);
	double *plain_rate = calloc(rounds, sizeof *plain_rate);
	unsigned n = 0;
	slice(&svc, rows / 4, &n); /* warm up */
	for (unsigned r = 0; r < rounds; r++) {
		str_copy(svc.key_id, key_id, sizeof svc.key_id);
		signed_rate[r] = slice(&svc, rows, &n);
		svc.key_id[0] = '\0'; /* no key: hashed and linked, not signed */
		plain_rate[r] = slice(&svc, rows, &n);
	}
	str_copy(svc.key_id, key_id, sizeof svc.key_id);
	qsort(signed_rate, rounds, sizeof *signed_rate, cmp);
	qsort(plain_rate, rounds, sizeof *plain_rate, cmp);
	double s = signed_rate[rounds / 2], p = plain_rate[rounds / 2];
	struct verify_job j = {0};
	audit_keys_add(&j.keys, svc.sign_pk);
	double t0 = seconds();
	kerr e = uow_run(&svc, false, verify, &j);
	double vt = seconds() - t0;
	printf("audit appends, one transaction each (SQLite, median of %u slices of %u):\n"
	       "  signed:   %8.0f records/s\n"
	       "  unsigned: %8.0f records/s (baseline)\n"
	       "  ratio:    %8.2f (signed / unsigned)\n"
	       "verify: %" PRId64 " rows in %.3f s, %.0f rows/s (%" PRId64
	       " unsigned rows reported, as expected)\n"
	       "cores: %ld\n",
	       rounds, rows, s, p, s / p, j.v.rows, vt, j.v.rows / vt, j.v.findings,
	       sysconf(_SC_NPROCESSORS_ONLN));
	free(signed_rate);
	free(plain_rate);
	services_free(&svc);
	store_thread_release();
	store_close(store);
	char path[128];
	static const char *const files[] = {"audit.db", "audit.db-wal", "audit.db-shm",
					    "release.key"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
	return e ? 1 : 0;
}
