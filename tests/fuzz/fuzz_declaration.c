/*
 * fuzz_declaration.c - libFuzzer target: arbitrary bytes as a declaration
 * body, through the JSON parser (duplicates rejected, as the API does) and
 * the validator, against the built-in reference lists; a valid body's
 * canonical text must load back to the same facts, and it goes on
 * through the consistency rules and the transport members (split, flow)
 * and facts that matching reads.
 *
 * Run: bench/fuzz.sh --only declaration (docs/fuzzing.md).
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
		/* the canonical text, as stored, loads back to the same facts */
		struct declaration_facts again;
		if (!declaration_facts_load(f.canonical, &again) ||
		    again.nitems != f.nitems || again.ncontainers != f.ncontainers)
			__builtin_trap();
		declaration_facts_free(&again);
		declaration_facts_free(&f);
		consistency_check_declaration(j, ref, &p);
		struct transport_facts tf;
		if (matching_validate_declaration(j, &p))
			(void)matching_declaration_facts(j, &tf);
	}
	json_decref(j);
	return 0;
}
