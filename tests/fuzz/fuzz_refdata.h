/*
 * fuzz_refdata.h - the reference snapshot the fuzz targets validate
 * against: the lists compiled into kouan, and a few countries and
 * currencies (iso-codes are not read by the targets). Header-only.
 */
#ifndef KOUAN_FUZZ_REFDATA_H
#define KOUAN_FUZZ_REFDATA_H

#include <jansson.h>
#include <string.h>

#include "common/embedded.h"
#include "domain/refdata.h"

static struct refdata *fuzz_refdata(void)
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
	static const char *const extra[][2] = {
		{"countries", "US"}, {"countries", "CN"}, {"countries", "VN"},
		{"countries", "HK"}, {"countries", "MO"}, {"currencies", "USD"},
		{"currencies", "CNY"}};
	for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++) {
		json_t *e = json_pack("{s:s}", "code", extra[i][1]);
		if (refdata_builder_add(b, extra[i][0], e) != KERR_OK)
			break;
		json_decref(e);
	}
	return refdata_builder_finish(b);
}

#endif
