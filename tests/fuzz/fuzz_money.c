/*
 * fuzz_money.c - libFuzzer target for the money parsers: the first byte
 * ('0' to '6') chooses a tariff version, an exchange rate table, a fee
 * catalogue, a payment, a guarantee, a refund application or declared
 * taxes; the rest is its JSON text. A tariff version that parses is
 * rendered and parsed again (the canonical form must be stable), and each
 * of its lines is used to assess a one-item declaration, so fuzzed rates
 * reach the arithmetic; a fee catalogue that parses is charged from.
 * Anything that crashes, trips a sanitizer or breaks the round trip is a
 * finding.
 *
 * Build: cmake -S . -B build-fuzz -DFUZZ=ON -DCMAKE_C_COMPILER=clang
 * Run:   bench/fuzz.sh --only money (docs/fuzzing.md), which uses tests/fuzz/corpus/money
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/assessment.h"
#include "domain/fees.h"
#include "domain/payment.h"
#include "domain/refund.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *canonical(const json_t *j)
{
	return j ? json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
}

/* Assess one item of each line (at most 8) in CNY. */
static void assess_lines(const struct tariff_version *v)
{
	struct tariff *t = tariff_new();
	struct problems p;
	static struct assessment a;

	problems_init(&p);
	if (!t)
		return;
	/* a copy of v would be needed to add it; parse the canonical form */
	{
		json_t *j = tariff_version_to_json(v);
		struct tariff_version *copy = j ? tariff_version_parse(j, NULL, &p) : NULL;

		json_decref(j);
		if (!copy || tariff_add(t, copy, &p)) {
			tariff_free(t);
			return;
		}
	}
	for (size_t i = 0; i < v->nlines && i < 8; i++) {
		const struct tariff_line *l = &v->lines[i];
		struct assess_input in;
		char code[TARIFF_CODE_MAX];
		const char *unit = l->mfn.unit[0] ? l->mfn.unit : "035";
		json_t *j;

		memset(&in, 0, sizeof in);
		memcpy(code, l->code, sizeof code);
		if (strlen(code) == 8)
			memcpy(code + 8, "00", 3);
		in.import = true;
		in.incoterm = "FOB";
		in.currency = "CNY";
		in.has_freight = true;
		in.freight = 12345;
		in.accepted_at_us = INT64_C(4102444800000000); /* 2100-01-01 */
		in.nitems = 1;
		in.items[0] = (struct assess_item){ code, 300000, unit, 1234567, "VN" };
		in.ndocuments = 1;
		in.documents[0] = (struct assess_document){ "x", "C-1",
							    l->npreferences ? l->preferences[0].agreement->code : NULL };
		problems_init(&p);
		if (assessment_compute(&in, t, NULL, &a, &p) == KERR_OK &&
		    a.status == ASSESS_ASSESSED) {
			if (a.total_due != a.duty.due + a.consumption_tax.due + a.vat.due)
				abort();
			j = assessment_to_json(&a);
			json_decref(j);
		}
	}
	tariff_free(t);
}

static void tariff(const json_t *doc)
{
	struct problems p;
	struct tariff_version *v, *again;
	json_t *j, *j2;
	char *a, *b;

	problems_init(&p);
	if (!(v = tariff_version_parse(doc, NULL, &p)))
		return;
	j = tariff_version_to_json(v);
	again = j ? tariff_version_parse(j, NULL, &p) : NULL;
	if (j && !again)
		abort(); /* the canonical form must parse */
	j2 = again ? tariff_version_to_json(again) : NULL;
	a = canonical(j);
	b = canonical(j2);
	if (a && b && strcmp(a, b))
		abort(); /* and render the same */
	free(a);
	free(b);
	json_decref(j);
	json_decref(j2);
	tariff_version_free(again);
	assess_lines(v);
	tariff_version_free(v);
}

static void fees(const json_t *doc)
{
	struct problems p;
	struct fee_catalogue *c;
	struct fee_charge ch;

	problems_init(&p);
	if (!(c = fee_catalogue_parse(doc, NULL, &p)))
		return;
	for (size_t i = 0; i < c->nitems; i++) {
		problems_init(&p);
		if (fee_charge(c, c->items[i].code, 2500, INSPECTION_NO_PROBLEM, &ch, &p) ==
			    KERR_OK &&
		    ch.trader_amount + ch.state_amount != ch.amount)
			abort();
	}
	json_decref(fee_catalogue_to_json(c));
	fee_catalogue_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct problems p;
	json_t *doc;

	if (size < 1)
		return 0;
	doc = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, NULL);
	if (!doc)
		return 0;
	problems_init(&p);
	switch ((data[0] - '0') & 7) {
	case 0:
		tariff(doc);
		break;
	case 1:
		exchange_table_free(exchange_table_parse(doc, NULL, &p));
		break;
	case 2:
		fees(doc);
		break;
	case 3: {
		struct payment pay;

		payment_parse(doc, &pay, &p);
		break;
	}
	case 4: {
		struct guarantee g;

		if (guarantee_parse(doc, "", &g, &p))
			json_decref(guarantee_to_json(&g));
		break;
	}
	case 5: {
		static struct refund_application app;

		refund_application_parse(doc, &app, &p);
		break;
	}
	default: {
		struct assess_declared d;

		assessment_declared_parse(doc, "/declared_taxes", &d, &p);
		break;
	}
	}
	json_decref(doc);
	return 0;
}
