/*
 * fuzz_manifest.c - libFuzzer target: arbitrary bytes as a manifest and as
 * a tally report, through the JSON parser (duplicates rejected, as the API
 * does) and both validators against the built-in reference lists. A valid
 * manifest is compared with itself (no change may show) and with the seed
 * manifest; a valid tally is compared with the seed manifest.
 *
 * Build: cmake -S . -B build-fuzz -DFUZZ=ON -DCMAKE_C_COMPILER=clang \
 *          -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link,address,undefined
 *        (the flags instrument the library too, so coverage guides the search)
 * Run:   bench/fuzz.sh --only manifest (docs/fuzzing.md), which uses tests/fuzz/corpus/manifest
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "domain/manifest.h"
#include "domain/tally.h"
#include "fuzz_refdata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct refdata *ref;
static json_t *seed_body;
static struct manifest seed;

static const char seed_text[] =
	"{\"kind\":\"original\",\"transport_mode\":\"2\",\"conveyance\":{\"name\":\"COSCO "
	"SHIPPING ARIES\",\"voyage\":\"046E\",\"imo\":\"9321378\"},\"port\":\"CNNSA\","
	"\"carrier\":\"COSCO SHIPPING Lines\",\"bills\":[{\"bill_of_lading\":"
	"\"COSU6291830410\",\"consignor\":{\"name\":\"A\"},\"consignee\":{\"name\":\"B\"},"
	"\"goods_description\":\"Apples\",\"packages\":1800,\"package_kind\":\"CT\","
	"\"gross_weight_kg\":\"19850.000\",\"containers\":[{\"number\":\"COSU8001236\","
	"\"seals\":[\"CN4410873\"]}]}]}";

static void start(void)
{
	struct problems p;
	ref = fuzz_refdata();
	seed_body = json_loads(seed_text, 0, NULL);
	problems_init(&p);
	if (manifest_validate(seed_body, ref, &p, &seed) != KERR_OK)
		abort();
}

static void as_manifest(const json_t *j)
{
	struct problems p;
	struct manifest m;
	problems_init(&p);
	if (manifest_validate(j, ref, &p, &m) != KERR_OK)
		return;
	json_t *changes = NULL;
	if (manifest_changes(&m, &m, &changes) == KERR_OK) {
		if (json_array_size(json_object_get(changes, "bills")) ||
		    json_array_size(json_object_get(changes, "header")))
			abort(); /* a manifest does not differ from itself */
		json_decref(changes);
	}
	if (manifest_changes(&seed, &m, &changes) == KERR_OK) {
		struct call_state s = {0};
		manifest_amend_check(&seed, &m, changes, &s, &p);
		json_decref(changes);
	}
	for (size_t i = 0; i < m.nbills; i++)
		if (manifest_find_bill(&m, m.bills[i].bill_of_lading) != &m.bills[i])
			abort(); /* every bill is found, and once */
	manifest_free(&m);
}

static void as_tally(const json_t *j)
{
	struct problems p;
	struct tally t;
	problems_init(&p);
	if (tally_validate(j, ref, &p, &t) != KERR_OK)
		return;
	json_t *d = NULL;
	if (tally_differences(&seed, &t, &d) == KERR_OK)
		json_decref(d);
	tally_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ref)
		start();
	json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (!j)
		return 0;
	as_manifest(j);
	as_tally(j);
	json_decref(j);
	return 0;
}
