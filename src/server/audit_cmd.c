/*
 * audit_cmd.c - kouan audit verify: check the audit log's hash chain and
 * signatures in the database, row by row, and name the first row that was
 * altered, forged, inserted or deleted. Changes nothing in the log; safe
 * while servers run.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/log.h"
#include "domain/audit.h"
#include "domain/credentials.h"
#include "server/commands.h"
#include "server/config.h"
#include "service/audit.h"

static const char audit_help[] =
	"Usage: kouan audit verify [--public-key BASE64]... [--head ID:HASH] [settings]\n\n"
	"Check every row of the audit log: its hash, its link to the row before\n"
	"and its signature. Prints the first row that was altered, forged,\n"
	"inserted or deleted (then any others), and exits 1 if there is one;\n"
	"prints the head of the chain and exits 0 when it is intact.\n"
	"  --public-key BASE64  a key the rows may be signed with (as served at\n"
	"                       GET /v1/release-key; repeat for keys used before).\n"
	"                       Default: the public half of the release key file.\n"
	"  --head ID:HASH       a head kept outside the database (GET /v1/audit/head):\n"
	"                       the log must still hold that row with that hash,\n"
	"                       which shows rows cut off the end.\n";

static void print_finding(void *arg, const struct audit_finding *f)
{
	int64_t *shown = arg;
	if (++*shown <= 50)
		fprintf(stderr, "kouan audit verify: %s\n", f->text);
}

struct verify_job {
	const struct audit_keys *keys;
	int64_t head_id;
	const char *head_hash;
	struct audit_verdict verdict;
	int64_t shown;
};

static kerr run_verify(struct uow *u, void *arg)
{
	struct verify_job *j = arg;
	return audit_verify(u, j->keys, j->head_id, j->head_hash, print_finding, &j->shown,
			    &j->verdict);
}

/* "ID:HASH" into its parts. */
static bool parse_head(const char *text, int64_t *id, char hash[HASH_HEX_SIZE])
{
	const char *colon = strchr(text, ':');
	char *end;
	if (!colon || colon == text)
		return false;
	long long v = strtoll(text, &end, 10);
	if (end != colon || v < 1 || strlen(colon + 1) != HASH_HEX_SIZE - 1)
		return false;
	for (const char *p = colon + 1; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	*id = v;
	str_copy(hash, colon + 1, HASH_HEX_SIZE);
	return true;
}

int cmd_audit(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("%s\n%s", audit_help, config_help);
			return 0;
		}
	if (argc < 3 || strcmp(argv[2], "verify") != 0) {
		fprintf(stderr, "%s", audit_help);
		return 2;
	}
	if (credentials_init())
		return 1;
	struct audit_keys keys = {0};
	struct verify_job job = {.keys = &keys};
	char head_hash[HASH_HEX_SIZE];
	/* our own options first; the rest are settings */
	int w = 3;
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--public-key") && i + 1 < argc) {
			unsigned char pk[RELEASE_PK_BYTES];
			size_t len = 0;
			const char *b64 = argv[++i];
			if (sodium_base642bin(pk, sizeof pk, b64, strlen(b64), NULL, &len, NULL,
					      sodium_base64_VARIANT_ORIGINAL) != 0 ||
			    len != sizeof pk || !audit_keys_add(&keys, pk)) {
				fprintf(stderr, "kouan audit verify: --public-key must be 32 bytes "
						"in base64 (at most %d keys)\n",
					AUDIT_KEYS_MAX);
				return 2;
			}
		} else if (!strcmp(argv[i], "--head") && i + 1 < argc) {
			if (!parse_head(argv[++i], &job.head_id, head_hash)) {
				fprintf(stderr, "kouan audit verify: --head must be ID:HASH (the "
						"last_id and hash of GET /v1/audit/head)\n");
				return 2;
			}
			job.head_hash = head_hash;
		} else {
			argv[w++] = argv[i];
		}
	}
	argc = w;
	struct config cfg;
	char err[512];
	config_defaults(&cfg);
	const char *file = getenv("KOUAN_CONFIG");
	if ((file && !config_load_file(&cfg, file, err, sizeof err)) ||
	    !config_load_env(&cfg, err, sizeof err) ||
	    !config_load_args(&cfg, argc, argv, 3, err, sizeof err)) {
		fprintf(stderr, "kouan: %s\n", err);
		return 2;
	}
	config_finish(&cfg);
	log_set_level(LOG_ERROR);
	if (!keys.n) {
		unsigned char pk[RELEASE_PK_BYTES], sk[RELEASE_SK_BYTES];
		if (release_key_load(cfg.release_key, pk, sk, false)) {
			fprintf(stderr, "kouan audit verify: no key to check signatures with: give "
					"--public-key or --release-key\n");
			return 2;
		}
		sodium_memzero(sk, sizeof sk);
		audit_keys_add(&keys, pk);
	}
	struct store *store;
	struct store_options so = {.url = cfg.db, .busy_timeout_ms = 10000};
	if (store_open(&so, &store)) {
		char shown[sizeof cfg.db];
		store_url_shown(cfg.db, shown, sizeof shown);
		fprintf(stderr, "kouan: cannot open the database %s\n", shown);
		return 1;
	}
	struct services svc;
	struct service_limits limits;
	service_limits_default(&limits);
	int rc = 1;
	kerr e = services_init(&svc, store, &kclock_system, &limits, NULL, false);
	if (!e) {
		e = uow_run(&svc, false, run_verify, &job);
		services_free(&svc);
	}
	const struct audit_verdict *v = &job.verdict;
	if (e) {
		fprintf(stderr, "kouan audit verify: reading the log failed: %s\n", kerr_title(e));
	} else if (v->findings) {
		if (job.shown > 50)
			fprintf(stderr, "kouan audit verify: ... %lld more\n",
				(long long)(job.shown - 50));
		printf("audit log NOT intact: %lld problem%s, the first at row %lld (%lld rows "
		       "checked)\n",
		       (long long)v->findings, v->findings == 1 ? "" : "s",
		       (long long)v->first_id, (long long)v->rows);
	} else {
		printf("audit log intact: %lld rows; head row %lld, hash %s; signed by key%s",
		       (long long)v->rows, (long long)v->last_id,
		       v->rows ? v->last_hash : AUDIT_GENESIS, keys.n == 1 ? "" : "s");
		for (size_t i = 0; i < keys.n; i++)
			printf(" %s", keys.key_id[i]);
		printf("\n");
		rc = 0;
	}
	store_thread_release();
	store_close(store);
	return rc;
}
