/*
 * money_load.c - the compiled-in money tables and the offline money admin
 * commands (see money_load.h). Both go through the same use cases as an
 * admin's request (src/service/taxes.c), so a file is checked exactly as a
 * request body is.
 */
#include "server/money_load.h"

#include <jansson.h>
#include <sodium.h>
#include <string.h>

#include "common/embedded.h"
#include "common/log.h"
#include "service/taxes.h"
#include "store/repo.h"

#define DIGEST_SETTING "money_builtin_digest"

enum table_kind { TABLE_NONE, TABLE_TARIFF, TABLE_RATES, TABLE_FEES };

/* What a compiled-in file of data/tariff/ holds, by its name. */
static enum table_kind kind_of(const char *path)
{
	static const char dir[] = "data/tariff/";
	size_t len = strlen(path);
	if (strncmp(path, dir, sizeof dir - 1) || len < 5 || strcmp(path + len - 5, ".json"))
		return TABLE_NONE;
	const char *name = path + sizeof dir - 1;
	if (!strncmp(name, "tariff-", 7))
		return TABLE_TARIFF;
	if (!strncmp(name, "exchange-rates-", 15))
		return TABLE_RATES;
	if (!strncmp(name, "fees-", 5))
		return TABLE_FEES;
	return TABLE_NONE;
}

static void builtin_digest(char out[HASH_HEX_SIZE])
{
	crypto_generichash_state h;
	unsigned char d[32];
	crypto_generichash_init(&h, NULL, 0, sizeof d);
	for (const struct embedded_file *f = embedded_files; f->path; f++)
		if (kind_of(f->path) != TABLE_NONE)
			crypto_generichash_update(&h, (const unsigned char *)f->data, f->size);
	crypto_generichash_final(&h, d, sizeof d);
	sodium_bin2hex(out, HASH_HEX_SIZE, d, sizeof d);
}

/* Load one document; a table that is there already is no failure. */
static kerr load_one(struct uow *u, const struct actor *a, enum table_kind kind,
		     const json_t *doc, struct money_loaded *l, size_t *reassessed,
		     struct refusal *why)
{
	*reassessed = 0;
	switch (kind) {
	case TABLE_TARIFF:
		return taxes_load_tariff(u, a, doc, l, reassessed, why);
	case TABLE_RATES:
		return taxes_load_rates(u, a, doc, l, reassessed, why);
	case TABLE_FEES:
		return money_fees_load(u, a, doc, l, why);
	case TABLE_NONE:
		break;
	}
	return KERR_INTERNAL;
}

struct builtin {
	const struct embedded_file *file;
	enum table_kind kind;
};

static kerr load_builtin(struct uow *u, void *arg)
{
	const struct builtin *b = arg;
	json_error_t err;
	json_t *doc = json_loadb(b->file->data, b->file->size, JSON_REJECT_DUPLICATES, &err);
	struct problems p;
	struct refusal why;
	struct money_loaded l;
	size_t reassessed;
	problems_init(&p);
	refusal_init(&why, &p);
	kerr e = doc ? load_one(u, &actor_kouan, b->kind, doc, &l, &reassessed, &why) : KERR_INVALID;
	json_decref(doc);
	if (e == KERR_CONFLICT) {
		log_info("money: %s is loaded already (or an admin's table differs): %s",
			 b->file->path, p.count ? p.errors[0].problem : why.detail);
		return KERR_CONFLICT; /* rolled back; the others go on */
	}
	if (e)
		log_error("money: %s cannot be loaded: %s %s", b->file->path,
			  p.count ? p.errors[0].field : why.detail,
			  p.count ? p.errors[0].problem : "");
	return e;
}

static kerr digest_read(struct uow *u, void *arg)
{
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_setting_get(c, DIGEST_SETTING, arg, HASH_HEX_SIZE);
	if (e == KERR_NOT_FOUND) {
		*(char *)arg = '\0';
		e = KERR_OK;
	}
	return e;
}

static kerr digest_write(struct uow *u, void *arg)
{
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	return e ? e : repo_setting_put(c, DIGEST_SETTING, arg);
}

kerr money_sync(struct services *s, bool *loaded)
{
	char want[HASH_HEX_SIZE], have[HASH_HEX_SIZE];
	*loaded = false;
	builtin_digest(want);
	kerr e = uow_run(s, false, digest_read, have);
	if (e || !strcmp(have, want))
		return e;
	/* tariff versions first (by name), then rates, then fees: each file in
	 * a unit of work of its own */
	for (enum table_kind k = TABLE_TARIFF; !e && k <= TABLE_FEES; k++)
		for (const struct embedded_file *f = embedded_files; !e && f->path; f++) {
			struct builtin b = {f, k};
			if (kind_of(f->path) == k && (e = uow_run(s, true, load_builtin, &b)) ==
							     KERR_CONFLICT)
				e = KERR_OK;
		}
	if (!e)
		e = uow_run(s, true, digest_write, want);
	*loaded = !e;
	return e;
}

bool money_admin_command(const char *sub)
{
	return !strcmp(sub, "tariff-load") || !strcmp(sub, "rates-load") ||
	       !strcmp(sub, "fees-load");
}

kerr money_admin_run(struct uow *u, const struct actor *a, struct money_admin_job *j)
{
	json_error_t err;
	json_t *doc = json_load_file(j->file, JSON_REJECT_DUPLICATES, &err);
	if (!doc) {
		snprintf(j->detail, sizeof j->detail, "%s: %s (line %d)", j->file, err.text,
			 err.line);
		return KERR_INVALID;
	}
	struct refusal why;
	refusal_init(&why, j->p);
	enum table_kind kind = !strcmp(j->sub, "tariff-load")  ? TABLE_TARIFF
			       : !strcmp(j->sub, "rates-load") ? TABLE_RATES
							       : TABLE_FEES;
	kerr e = load_one(u, a, kind, doc, &j->loaded, &j->reassessed, &why);
	snprintf(j->detail, sizeof j->detail, "%s", why.detail);
	json_decref(doc);
	return e;
}
