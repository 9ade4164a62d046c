/*
 * fuzz_risk_rules.c - libFuzzer target for the risk rule language: any byte
 * string is compiled; an error must name a line and column inside the text;
 * a rule set that compiles is assessed against a few fixed declarations
 * with the indexed evaluator and the full scan, which must agree, and its
 * explanation must build.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/risk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const agencies[] = { "customs", "quarantine", "border" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct risk_outcome a, b;
	struct risk_rules *rs = NULL;
	struct risk_error err;
	struct risk_profile p;
	struct risk_facts f;
	uint8_t seed[RISK_SEED_BYTES] = { 7 };
	kerr e = risk_rules_compile((const char *)data, size, 3, agencies, 3,
				    &rs, &err);

	if (e != KERR_OK) {
		if (e != KERR_INVALID || rs || err.line == 0 || err.column == 0 ||
		    err.column > RISK_MAX_LINE + 1 || !err.message[0])
			abort();
		return 0;
	}
	risk_profile_init(&p);
	p.random_ppm[0] = 30000;
	for (int v = 0; v < 4; v++) {
		memset(&f, 0, sizeof f);
		f.key = v & 1 ? "531620261000000001" : "0";
		f.office = "5316";
		f.trade_mode = v & 2 ? "0110" : "9610";
		f.transport_mode = "2";
		f.port = "CNNSA";
		f.trading_country = "US";
		f.value_cny = v * 12345678 - 5;
		f.value_unknown = v == 3;
		f.consignee = "X";
		f.declarant = "Y";
		f.consignee_credit = (enum credit_class)(v % 3);
		f.declarant_credit = (enum credit_class)((v + 1) % 3);
		f.new_importer = v & 1;
		f.agencies = 7;
		f.nitems = (size_t)v + 1;
		for (size_t k = 0; k < f.nitems; k++) {
			f.items[k].hs = k & 1 ? "0808100000" : "84";
			f.items[k].origin = k & 2 ? "KP" : "US";
		}
		if (risk_assess(rs, &p, seed, &f, &a) != KERR_OK ||
		    risk_assess_scan(rs, &p, seed, &f, &b) != KERR_OK ||
		    !risk_outcome_equal(&a, &b))
			abort();
		json_t *j = risk_outcome_json(rs, &a);
		if (!j)
			abort();
		json_decref(j);
	}
	for (size_t i = 0; i < risk_rules_count(rs); i++)
		if (!risk_rule_source(rs, i) || risk_rule_line(rs, i) == 0)
			abort();
	risk_rules_free(rs);
	return 0;
}
