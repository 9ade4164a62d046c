/*
 * assessment_fixture.h - what the assessment tests start from: the
 * reference lists, the project's 2026 tariff (with or without its July
 * amendment) and the 2026 exchange rates, parsed from the files built into
 * the binary. Static state: one fixture per test program.
 */
#ifndef KOUAN_ASSESSMENT_FIXTURE_H
#define KOUAN_ASSESSMENT_FIXTURE_H

#include "domain/assessment.h"
#include "domain/refdata.h"

static struct refdata *ref;
static struct tariff *demo;
static struct exchange_table *fx;

/* A tariff version from its JSON (taken), which must parse. */
static struct tariff_version *version_of(json_t *doc)
{
	struct problems p;
	struct tariff_version *v;

	problems_init(&p);
	v = tariff_version_parse(doc, ref, &p);
	json_decref(doc);
	assert_non_null(v);
	return v;
}

/* Add the version in doc (taken) to t. */
static void tariff_add_doc(struct tariff *t, json_t *doc)
{
	struct problems p;

	problems_init(&p);
	assert_int_equal(tariff_add(t, version_of(doc), &p), KERR_OK);
}

/* The 2026 tariff, with the July amendment when asked. */
static struct tariff *demo_tariff(bool amendment)
{
	struct tariff *t = tariff_new();

	tariff_add_doc(t, test_embedded_json("data/tariff/tariff-2026.json"));
	if (amendment)
		tariff_add_doc(t, test_embedded_json("data/tariff/tariff-2026-07.json"));
	return t;
}

static int setup(void **state)
{
	struct problems p;
	json_t *rates;

	(void)state;
	ref = test_reference();
	demo = demo_tariff(true);
	problems_init(&p);
	rates = test_embedded_json("data/tariff/exchange-rates-2026.json");
	fx = exchange_table_parse(rates, NULL, &p);
	json_decref(rates);
	assert_non_null(fx);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tariff_free(demo);
	exchange_table_free(fx);
	refdata_release(ref);
	return 0;
}

#endif
