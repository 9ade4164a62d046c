/*
 * fuzz_declaration.c - libFuzzer target: arbitrary bytes as a declaration
 * body, through the JSON parser (duplicates rejected, as the API does) and
 * the validator, against the built-in reference lists; a valid body goes on
 * through the consistency rules and the transport members (split, flow)
 * and facts that matching reads.
 *
 * Build: cmake -S . -B build-fuzz -DFUZZ=ON -DCMAKE_C_COMPILER=clang
 * Run:   build-fuzz/fuzz_declaration -max_total_time=60 tests/fuzz/corpus
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "domain/consistency.h"
#include "domain/declaration.h"
#include "domain/matching.h"
#include "fuzz_refdata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct refdata *ref;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ref)
		ref = fuzz_refdata();
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
		consistency_check_declaration(j, ref, &p);
		struct transport_facts tf;
		if (matching_validate_declaration(j, &p))
			(void)matching_declaration_facts(j, &tf);
	}
	json_decref(j);
	return 0;
}
