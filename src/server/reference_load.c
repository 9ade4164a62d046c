/* reference_load.c - built-in and iso-codes reference lists (see reference_load.h). */
#include "server/reference_load.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/embedded.h"
#include "common/log.h"
#include "domain/refdata.h"
#include "store/repo.h"

static kerr put(struct store_conn *c, const char *list, json_t *entry,
		const char *now, size_t *added)
{
	const char *code = json_string_value(json_object_get(entry, "code"));
	if (!code)
		return KERR_INVALID;
	char *text = json_dumps(entry, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text)
		return KERR_NOMEM;
	kerr e = repo_ref_put(c, list, code, text, now, false);
	free(text);
	if (!e)
		(*added)++;
	return e;
}

static kerr load_embedded(struct store_conn *c, const char *now, size_t *n)
{
	static const char prefix[] = "data/reference/";
	for (const struct embedded_file *f = embedded_files; f->path; f++) {
		size_t len = strlen(f->path);
		if (strncmp(f->path, prefix, sizeof prefix - 1) != 0 || len < 6 ||
		    strcmp(f->path + len - 5, ".json") != 0)
			continue;
		json_error_t err;
		json_t *doc = json_loadb(f->data, f->size, JSON_REJECT_DUPLICATES, &err);
		const char *list = json_string_value(json_object_get(doc, "list"));
		json_t *entries = json_object_get(doc, "entries");
		if (!doc || !list || !refdata_known_list(list) || !json_is_array(entries)) {
			log_error("reference: %s is not a reference list (%s)", f->path,
				  doc ? "bad shape" : err.text);
			json_decref(doc);
			return KERR_INVALID;
		}
		size_t i;
		json_t *e;
		json_array_foreach(entries, i, e)
		{
			kerr r = put(c, list, e, now, n);
			if (r) {
				json_decref(doc);
				return r;
			}
		}
		json_decref(doc);
	}
	return KERR_OK;
}

/* iso-codes: {"3166-1": [{"alpha_2": "CN", "alpha_3": "CHN", "name": ...}]} */
static kerr load_iso(struct store_conn *c, const char *dir, const char *file,
		     const char *key, const char *code_field, const char *list,
		     const char *now, size_t *n)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	json_error_t err;
	json_t *doc = json_load_file(path, 0, &err);
	json_t *arr = json_object_get(doc, key);
	if (!json_is_array(arr)) {
		log_error("reference: cannot read %s (install the iso-codes package): %s",
			  path, err.text);
		json_decref(doc);
		return KERR_INVALID;
	}
	size_t i;
	json_t *e;
	kerr r = KERR_OK;
	json_array_foreach(arr, i, e)
	{
		const char *code = json_string_value(json_object_get(e, code_field));
		if (!code)
			continue;
		json_t *entry = json_pack("{s:s, s:O, s:O}", "code", code, "name_en",
					  json_object_get(e, "name"), "numeric",
					  json_object_get(e, "numeric"));
		if (!entry)
			continue;
		json_t *a3 = json_object_get(e, "alpha_3");
		if (a3 && strcmp(code_field, "alpha_3") != 0)
			json_object_set(entry, "alpha_3", a3);
		json_t *official = json_object_get(e, "official_name");
		if (official)
			json_object_set(entry, "official_name_en", official);
		r = put(c, list, entry, now, n);
		json_decref(entry);
		if (r)
			break;
	}
	json_decref(doc);
	return r;
}

kerr reference_load(struct store *s, const char *iso_dir, int64_t now_us,
		    size_t *added)
{
	struct store_conn *c;
	kerr e = store_thread_conn(s, &c);
	if (e)
		return e;
	char now[KTIME_TEXT_MAX];
	ktime_format(now_us, now);
	*added = 0;
	e = store_begin(c, true);
	if (e)
		return e;
	e = load_embedded(c, now, added);
	if (!e)
		e = load_iso(c, iso_dir, "iso_3166-1.json", "3166-1", "alpha_2",
			     "countries", now, added);
	if (!e)
		e = load_iso(c, iso_dir, "iso_4217.json", "4217", "alpha_3",
			     "currencies", now, added);
	if (e) {
		store_rollback(c);
		return e;
	}
	return store_commit(c);
}

/* Digest of everything reference_load reads. */
static bool builtin_digest(const char *iso_dir, char out[HASH_HEX_SIZE])
{
	crypto_generichash_state h;
	crypto_generichash_init(&h, NULL, 0, 32);
	for (const struct embedded_file *f = embedded_files; f->path; f++)
		if (!strncmp(f->path, "data/reference/", 15))
			crypto_generichash_update(&h, (const unsigned char *)f->data, f->size);
	static const char *const iso[] = {"iso_3166-1.json", "iso_4217.json"};
	for (size_t i = 0; i < 2; i++) {
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", iso_dir, iso[i]);
		FILE *fp = fopen(path, "rb");
		if (!fp)
			return false;
		unsigned char chunk[8192];
		size_t n;
		while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
			crypto_generichash_update(&h, chunk, n);
		fclose(fp);
	}
	unsigned char d[32];
	crypto_generichash_final(&h, d, sizeof d);
	sodium_bin2hex(out, 65, d, sizeof d);
	return true;
}

kerr reference_sync(struct store *s, const char *iso_dir, int64_t now_us,
		    size_t *added, bool *loaded)
{
	*added = 0;
	*loaded = false;
	char want[HASH_HEX_SIZE], have[HASH_HEX_SIZE] = "";
	if (!builtin_digest(iso_dir, want)) {
		log_error("reference: cannot read %s (install the iso-codes package)", iso_dir);
		return KERR_INVALID;
	}
	struct store_conn *c;
	kerr e = store_thread_conn(s, &c);
	if (e)
		return e;
	e = repo_setting_get(c, "reference_builtin_digest", have, sizeof have);
	if (e && e != KERR_NOT_FOUND)
		return e;
	if (!strcmp(have, want))
		return KERR_OK;
	e = reference_load(s, iso_dir, now_us, added);
	if (!e && !(e = store_begin(c, true))) {
		e = repo_setting_put(c, "reference_builtin_digest", want);
		if (e)
			store_rollback(c);
		else
			e = store_commit(c);
	}
	*loaded = !e;
	return e;
}
