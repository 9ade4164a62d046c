/*
 * test_risk_simulation.c - the risk engine's rates, measured: 120,000
 * simulated declarations (generated deterministically, 40,000 from
 * companies of each credit class) are assessed first with random selection
 * only, then with a 30% rule as well, and the measured selection rates must
 * match the configured ones within 4.5 standard deviations of sampling
 * error. Also measured: an advanced (AEO) company's rate stays below 20% of
 * a standard one's and a discredited one's at 80% or more (the policy of
 * DOMAIN.md), rule draws are uniform, and rule and random draws are
 * independent.
 *
 * The statistics here use doubles; the engine itself never does.
 */
#include "test_support.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/risk.h"

#define N_DECLS 120000
#define N_CLASSES 3
#define CUSTOMS 0
#define QUARANTINE 1

static const char *const agencies[] = { "customs", "quarantine", "border" };

static uint8_t seed[RISK_SEED_BYTES];

struct sim {
	struct risk_profile p;
	unsigned char *random_red; /* per declaration, bit per agency */
};

static void facts_for(int i, struct risk_facts *f, char *number, size_t n)
{
	static const char *const modes[] = { "0110", "9610", "1210", "0110" };
	static const char *const hs[] = { "0808100000", "8471300000",
					  "6109100000", "0303890090" };

	memset(f, 0, sizeof *f);
	snprintf(number, n, "5316%04d1%09d", 2020 + i % 7, i);
	f->key = number;
	f->office = "5316";
	f->trade_mode = modes[(i / 3) % 4]; /* 0110 for half */
	f->transport_mode = "2";
	f->port = "CNNSA";
	f->trading_country = "US";
	f->value_cny = (int64_t)(i % 1000) * 100000;
	f->consignee = "91440101MA59ABCD1X";
	f->declarant = "91440300MA5FXYZW2K";
	f->consignee_credit = (enum credit_class)(i % N_CLASSES);
	f->declarant_credit = f->consignee_credit; /* one class for both parties */
	f->agencies = 0x7;
	f->nitems = 1 + (size_t)(i % 3);
	for (size_t k = 0; k < f->nitems; k++) {
		f->items[k].hs = hs[(i + (int)k) % 4];
		f->items[k].origin = "US";
	}
}

/* |measured - expected| < 4.5 sd, sd = sqrt(p (1 - p) / n); exact when p
 * is 0 or 1. */
static void rate_matches(const char *what, long hits, long n, double p)
{
	double measured = (double)hits / (double)n;
	double sd = sqrt(p * (1.0 - p) / (double)n);

	if (p <= 0.0 || p >= 1.0) {
		if (measured != p)
			fail_msg("%s: measured %.6f, expected exactly %.6f", what,
				 measured, p);
		return;
	}
	if (fabs(measured - p) >= 4.5 * sd)
		fail_msg("%s: measured %.6f (%ld of %ld), expected %.6f, "
			 "sd %.6f: %.1f sd away",
			 what, measured, hits, n, p, sd,
			 fabs(measured - p) / sd);
}

static double ppm(uint32_t v)
{
	return (double)v / 1e6;
}

static int setup(void **state)
{
	static struct sim sim;

	if (sodium_init() < 0)
		return -1;
	for (int i = 0; i < RISK_SEED_BYTES; i++)
		seed[i] = (uint8_t)(0xA5 ^ (i * 13));
	risk_profile_init(&sim.p);
	sim.p.random_ppm[CUSTOMS] = 24000;     /* 2.4%, the 2019 average */
	sim.p.random_ppm[QUARANTINE] = 100000; /* 10% */
	sim.p.discredited_min_ppm = 848000;   /* 84.8%, the 2019 figure */
	sim.random_red = calloc(N_DECLS, 1);
	if (!sim.random_red)
		return -1;
	*state = &sim;
	return 0;
}

static int teardown(void **state)
{
	struct sim *sim = *state;

	free(sim->random_red);
	return 0;
}

static void random_selection_only(void **state)
{
	struct sim *sim = *state;
	struct risk_rules *rs = NULL;
	struct risk_error err;
	struct risk_outcome *o = malloc(sizeof *o);
	struct risk_facts f;
	char number[32];
	long red[3][N_CLASSES], n[N_CLASSES];
	double rate[3][N_CLASSES];

	assert_non_null(o);
	memset(red, 0, sizeof red);
	memset(n, 0, sizeof n);
	assert_int_equal(risk_rules_compile("", 0, 5, agencies, 3, &rs, &err),
			 KERR_OK);
	for (int i = 0; i < N_DECLS; i++) {
		int c = i % N_CLASSES;

		facts_for(i, &f, number, sizeof number);
		assert_int_equal(risk_assess(rs, &sim->p, seed, &f, o), KERR_OK);
		n[c]++;
		for (int a = 0; a < 3; a++) {
			if (o->agency[a].random_selected) {
				red[a][c]++;
				sim->random_red[i] |= (unsigned char)(1u << a);
				assert_int_equal(o->agency[a].lane, RISK_LANE_RED);
			} else {
				assert_int_equal(o->agency[a].lane,
						 RISK_LANE_GREEN);
			}
		}
	}
	for (int a = 0; a < 3; a++) {
		for (int c = 0; c < N_CLASSES; c++) {
			char what[64];
			uint32_t want = risk_random_rate(&sim->p, (size_t)a,
							 (enum credit_class)c);

			snprintf(what, sizeof what, "%s random, %s", agencies[a],
				 credit_class_name((enum credit_class)c));
			rate_matches(what, red[a][c], n[c], ppm(want));
			rate[a][c] = (double)red[a][c] / (double)n[c];
			print_message("%-40s configured %8.4f%%  measured %8.4f%% "
				      "(n=%ld)\n",
				      what, 100.0 * ppm(want), 100.0 * rate[a][c],
				      n[c]);
		}
	}
	/* the policy, in the measurement: AEO below 20% of standard,
	 * discredited at 80% or more */
	for (int a = 0; a < 2; a++) {
		assert_true(rate[a][CREDIT_ADVANCED] <
			    0.2 * rate[a][CREDIT_STANDARD]);
		assert_true(rate[a][CREDIT_DISCREDITED] >= 0.8);
	}
	/* border has no random rate: only discredited companies are drawn */
	assert_int_equal(red[2][CREDIT_ADVANCED], 0);
	assert_int_equal(red[2][CREDIT_STANDARD], 0);
	assert_true(rate[2][CREDIT_DISCREDITED] >= 0.8);
	risk_rules_free(rs);
	free(o);
}

static void with_a_thirty_percent_rule(void **state)
{
	struct sim *sim = *state;
	const char *text = "# the rule is customs', at 30%\n"
			   "when trade_mode = \"0110\" then customs yellow 30%\n";
	struct risk_rules *rs = NULL;
	struct risk_error err;
	struct risk_outcome *o = malloc(sizeof *o);
	struct risk_facts f;
	char number[32];
	long hit[N_CLASSES] = { 0 }, sel[N_CLASSES] = { 0 };
	long yellow[N_CLASSES] = { 0 }, red[N_CLASSES] = { 0 };
	long both[N_CLASSES] = { 0 }, bucket[10] = { 0 };
	long hits = 0, selected = 0;

	assert_non_null(o);
	/* same version as the first run: the random draws must repeat */
	assert_int_equal(risk_rules_compile(text, strlen(text), 5, agencies, 3,
					    &rs, &err),
			 KERR_OK);
	for (int i = 0; i < N_DECLS; i++) {
		int c = i % N_CLASSES;
		const struct risk_agency_outcome *ca = &o->agency[CUSTOMS];

		facts_for(i, &f, number, sizeof number);
		assert_int_equal(risk_assess(rs, &sim->p, seed, &f, o), KERR_OK);
		for (int a = 0; a < 3; a++)
			assert_true(o->agency[a].random_selected ==
				    !!(sim->random_red[i] & (1u << a)));
		if (strcmp(f.trade_mode, "0110") != 0) {
			/* no hit: no yellow, ever */
			assert_int_equal(o->nhits_total, 0);
			assert_true(ca->lane == RISK_LANE_GREEN ||
				    ca->lane == RISK_LANE_RED);
			continue;
		}
		assert_int_equal(o->nhits, 1);
		hit[c]++;
		hits++;
		bucket[o->hits[0].draw / 100000]++;
		if (o->hits[0].selected) {
			sel[c]++;
			selected++;
			if (ca->random_selected)
				both[c]++;
		}
		if (ca->lane == RISK_LANE_YELLOW)
			yellow[c]++;
		else if (ca->lane == RISK_LANE_RED)
			red[c]++;
		/* quarantine is untouched by a customs rule */
		assert_int_equal(o->agency[QUARANTINE].rules_hit, 0);
	}
	assert_true(hits > N_DECLS / 3);
	rate_matches("rule selection, all classes", selected, hits, 0.3);
	print_message("%-40s configured  30.0000%%  measured %8.4f%% (n=%ld)\n",
		      "customs rule at 30%", 100.0 * (double)selected / (double)hits,
		      hits);
	for (int b = 0; b < 10; b++)
		rate_matches("rule draws per tenth", bucket[b], hits, 0.1);
	for (int c = 0; c < N_CLASSES; c++) {
		double pr = ppm(risk_random_rate(&sim->p, CUSTOMS,
						 (enum credit_class)c));
		char what[64];

		snprintf(what, sizeof what, "rule selection, %s",
			 credit_class_name((enum credit_class)c));
		rate_matches(what, sel[c], hit[c], 0.3);
		/* red: random; yellow: rule selected and random not */
		snprintf(what, sizeof what, "customs red, %s",
			 credit_class_name((enum credit_class)c));
		rate_matches(what, red[c], hit[c], pr);
		snprintf(what, sizeof what, "customs yellow, %s",
			 credit_class_name((enum credit_class)c));
		rate_matches(what, yellow[c], hit[c], 0.3 * (1.0 - pr));
		/* independence of the rule's draw and the random one */
		snprintf(what, sizeof what, "rule and random, %s",
			 credit_class_name((enum credit_class)c));
		rate_matches(what, both[c], hit[c], 0.3 * pr);
	}
	risk_rules_free(rs);
	free(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_selection_only),
		cmocka_unit_test(with_a_thirty_percent_rule),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
