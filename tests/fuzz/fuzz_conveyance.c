/*
 * fuzz_conveyance.c - libFuzzer target: arbitrary bytes as a conveyance
 * report, through the JSON parser (duplicates rejected, as the API does),
 * the validator against the built-in reference lists, and for a valid
 * report the amendment check against itself and the permission text.
 *
 * Build: cmake -S . -B build-fuzz -DFUZZ=ON -DCMAKE_C_COMPILER=clang \
 *          -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link,address,undefined
 *        (the flags instrument the library too, so coverage guides the search)
 * Run:   bench/fuzz.sh --only conveyance (docs/fuzzing.md), which uses tests/fuzz/corpus/conveyance
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "domain/conveyance.h"
#include "fuzz_refdata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct refdata *ref;

/* 2026-11-23T08:00:00Z */
#define NOW 1795420800000000LL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ref)
		ref = fuzz_refdata();
	json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (!j)
		return 0;
	struct problems p;
	struct conveyance_report r;
	problems_init(&p);
	if (conveyance_validate(j, ref, NOW, &p, &r)) {
		if (!conveyance_amend_check(&r, &r, false, &p))
			abort(); /* a report is always a valid amendment of itself */
		json_t *cleared = json_pack("[s]", "customs");
		char *text = conveyance_permission_text(&r, "CR-1", "2026-11-23T08:00:00Z",
							cleared);
		if (!text)
			abort();
		free(text);
		json_decref(cleared);
	}
	json_decref(j);
	return 0;
}
