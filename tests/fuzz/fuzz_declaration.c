/*
 * fuzz_declaration.c - libFuzzer target: arbitrary bytes as a declaration
 * body, through the JSON parser (duplicates rejected, as the API does) and
 * the validator, against the built-in reference lists.
 *
 * Run: bench/fuzz.sh --only declaration (docs/fuzzing.md).
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/embedded.h"
#include "domain/declaration.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct refdata *ref;

static struct refdata *builtin_refdata(void)
{
	struct refdata_builder *b = refdata_builder_new();
	for (const struct embedded_file *f = embedded_files; f->path; f++) {
		if (strncmp(f->path, "data/reference/", 15) != 0)
			continue;
		json_t *doc = json_loadb(f->data, f->size, 0, NULL);
		const char *list = json_string_value(json_object_get(doc, "list"));
		size_t i;
		json_t *e;
		json_array_foreach(json_object_get(doc, "entries"), i, e)
		{
			if (list && refdata_builder_add(b, list, e) != KERR_OK)
				break;
		}
		json_decref(doc);
	}
	/* a few countries and currencies (iso-codes are not read here) */
	static const char *const extra[][2] = {{"countries", "US"}, {"countries", "CN"},
					       {"countries", "VN"}, {"currencies", "USD"},
					       {"currencies", "CNY"}};
	for (size_t i = 0; i < 5; i++) {
		json_t *e = json_pack("{s:s}", "code", extra[i][1]);
		if (refdata_builder_add(b, extra[i][0], e) != KERR_OK)
			break;
		json_decref(e);
	}
	return refdata_builder_finish(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ref)
		ref = builtin_refdata();
	json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (!j)
		return 0;
	struct problems p;
	struct declaration_facts f;
	problems_init(&p);
	if (declaration_validate(j, ref, &p, &f)) {
		json_t *t = declaration_totals(j);
		json_decref(t);
		declaration_facts_free(&f);
	}
	json_decref(j);
	return 0;
}
