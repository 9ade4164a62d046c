/*
 * risk.c - the risk engine benchmark: how many declarations a second one
 * core assesses against a realistic set of 10,000 selectivity rules, with
 * the indexed evaluator (risk_assess) and with a plain scan of every rule
 * (risk_assess_scan), measured alternately in the same run.
 *
 * The rule set mixes what selectivity officers write: hs prefixes of 2 to 8
 * digits from the chapters China imports most, often with an origin; watch
 * lists of consignees and declarants; origins lists; ports and offices;
 * trade modes with value thresholds; credit classes; new importers; and a
 * few rules no index can narrow (value alone, `!=`). Declarations carry 1 to
 * 5 items drawn from a catalogue of 10-digit codes under the same chapters,
 * so rules do hit. Everything is generated from a fixed seed.
 *
 * Before timing, every declaration of the stream is assessed by both
 * evaluators and the outcomes must be identical; a difference ends the
 * program with status 1. Figures are printed, never asserted: the target of
 * 500,000 assessments a second on one core is reported as met or not.
 * It must never read or write anything but stdout and stderr.
 *
 *   bench_risk [--rules N] [--decls N] [--rounds N] [--ms MS-PER-SLICE]
 */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "domain/risk.h"

#define BENCH_SEED 0x2545F4914F6CDD1DULL
#include "random.h"

/* Chapters by rough share of China's imports (and food/agri chapters that
 * quarantine cares for). */
static const unsigned chapters[] = { 85, 27, 26, 84, 87, 90, 39, 29, 12, 2,
				     3,  8,  44, 47, 74, 71, 30, 38, 40, 72,
				     76, 73, 94, 61, 62, 64, 95, 33, 22, 4,
				     10, 15, 17, 21, 9,  20, 19, 16, 7,  52 };
static const unsigned chapter_w[] = { 250, 200, 120, 110, 40, 40, 35, 30, 30,
				      20,  15,  15,  12,  12, 12, 12, 10, 10,
				      10,  8,   8,   8,   6,  5,  5,  4,  4,
				      4,   4,   4,   3,   3,  3,  3,  3,  2,
				      2,   2,   2,   2 };
#define NCHAPTERS (sizeof chapters / sizeof chapters[0])

static const char *const countries[] = {
	"US", "JP", "KR", "DE", "AU", "BR", "TW", "RU", "MY", "VN", "SA", "TH",
	"ID", "FR", "CA", "CL", "IT", "GB", "IN", "SG", "NZ", "CH", "IQ", "AO",
	"PE", "ZA", "MX", "ES", "NL", "OM", "AE", "PH", "KZ", "UA", "AR", "KP",
	"IR", "HK", "MN", "TR"
};
static const unsigned country_w[] = { 80, 70, 70, 60, 60, 50, 60, 50, 40, 40,
				      30, 25, 25, 20, 20, 15, 15, 15, 12, 12,
				      10, 10, 8,  8,  8,  8,  6,  6,  6,  6,
				      6,  6,  5,  5,  5,  1,  1,  10, 3,  3 };
#define NCOUNTRIES (sizeof countries / sizeof countries[0])

static const char *const trade_modes[] = { "0110", "9610", "1210", "9710",
					   "9810", "1039", "0214", "0615" };
static const unsigned trade_mode_w[] = { 600, 80, 80, 40, 30, 30, 80, 60 };
static const char *const ports[] = { "CNNSA", "CNYTN", "CNSHK", "CNHUA",
				     "CNGZG", "CNCAN", "CNSZX", "CNZUH",
				     "CNDGG", "CNJMN", "CNZSN", "CNFOS" };
static const char *const offices[] = { "5316", "5301", "5349", "5320",
				       "5200", "5300", "5141", "5142",
				       "5730", "6700" };
static const char *const transport_modes[] = { "2", "3", "4", "5", "6" };
static const unsigned transport_w[] = { 60, 3, 20, 15, 2 };

#define NCATALOGUE 12000
#define NCOMPANIES 20000
#define NWATCHED 1500

static char catalogue[NCATALOGUE][11];
static char companies[NCOMPANIES][19];

static const char *pick_country(void)
{
	return countries[weighted(country_w, NCOUNTRIES)];
}

static void make_catalogue(void)
{
	for (unsigned i = 0; i < NCATALOGUE; i++) {
		unsigned ch = chapters[weighted(chapter_w, NCHAPTERS)];
		unsigned heading = 1 + below(60), sub = 10 * (1 + below(9)) + below(3);
		unsigned tariff = 10 * below(10) + below(2) * 9;
		unsigned supervision = below(4) ? 0 : 10 * (1 + below(9));

		snprintf(catalogue[i], sizeof catalogue[i], "%02u%02u%02u%02u%02u",
			 ch, heading, sub, tariff, supervision);
	}
	for (unsigned i = 0; i < NCOMPANIES; i++)
		snprintf(companies[i], sizeof companies[i], "9144%04uMA%08u",
			 below(10000), i);
}

/* A catalogue code for a goods item, biased to a set of popular ones as
 * trade is. Rules pick from the whole catalogue alike. */
static const char *pick_code(void)
{
	if (below(5) == 0)
		return catalogue[below(1000)];
	return catalogue[below(NCATALOGUE)];
}

static const char *pick_lane(void)
{
	static const char *const lanes[] = { "blue", "yellow", "red" };
	static const unsigned w[] = { 10, 50, 40 };

	return lanes[weighted(w, 3)];
}

static const char *pick_percent(void)
{
	static const char *const p[] = { "100%", "50%", "30%", "10%", "5%",
					 "1%", "2.5%", "0.5%" };
	static const unsigned w[] = { 15, 10, 15, 20, 15, 15, 5, 5 };

	return p[weighted(w, 8)];
}

/* A prefix length of 2 to 8 digits: chapter-wide rules are rare, most
 * rules name a heading (4), a subheading (6) or a tariff line (8). */
static int pick_prefix_len(void)
{
	static const unsigned w[] = { 1, 0, 25, 5, 70, 6, 93 };

	return 2 + (int)weighted(w, 7);
}

/* A value threshold in CNY, 10,000 to 10,000,000, log-spread. */
static unsigned pick_threshold(void)
{
	static const unsigned base[] = { 10000, 50000, 100000, 500000, 1000000,
					 5000000 };

	return base[below(6)] * (1 + below(2));
}

/* One rule into buf; the mix described at the top of the file. */
static void make_rule(char *buf, size_t n)
{
	unsigned kind = below(1000);
	const char *code = catalogue[below(NCATALOGUE)];
	int plen = pick_prefix_len();
	char cond[512];
	const char *agency = "customs";

	if (kind < 400) { /* hs prefix, half with an origin */
		if (below(2))
			snprintf(cond, sizeof cond,
				 "hs starts \"%.*s\" and origin = \"%s\"", plen,
				 code, pick_country());
		else
			snprintf(cond, sizeof cond, "hs starts \"%.*s\"", plen,
				 code);
		if (code[0] == '0' || (code[0] == '1' && code[1] < '5'))
			agency = "quarantine";
	} else if (kind < 550) { /* hs prefix with value or trade mode */
		if (below(2))
			snprintf(cond, sizeof cond,
				 "hs starts \"%.*s\" and value_cny > %u", plen,
				 code, pick_threshold());
		else
			snprintf(cond, sizeof cond,
				 "hs starts \"%.*s\" and trade_mode = \"%s\"",
				 plen, code,
				 trade_modes[weighted(trade_mode_w, 8)]);
	} else if (kind < 700) { /* consignee watch list */
		const char *co = companies[below(NWATCHED)];

		if (below(3) == 0)
			snprintf(cond, sizeof cond,
				 "consignee = \"%s\" and hs starts \"%.2s\"", co,
				 code);
		else
			snprintf(cond, sizeof cond, "consignee = \"%s\"", co);
	} else if (kind < 780) { /* origin lists */
		snprintf(cond, sizeof cond,
			 "origin in (\"%s\", \"%s\", \"%s\") and hs starts "
			 "\"%.6s\"",
			 pick_country(), pick_country(), pick_country(), code);
	} else if (kind < 860) { /* port or office */
		if (below(2))
			snprintf(cond, sizeof cond,
				 "port = \"%s\" and hs starts \"%.6s\"",
				 ports[below(12)], code);
		else
			snprintf(cond, sizeof cond,
				 "office = \"%s\" and hs starts \"%.6s\"",
				 offices[below(10)], code);
	} else if (kind < 920) { /* credit */
		static const char *const cc[] = { "discredited", "advanced",
						  "standard" };
		static const unsigned w[] = { 6, 2, 2 };

		snprintf(cond, sizeof cond,
			 "consignee credit = %s and hs starts \"%.6s\"",
			 cc[weighted(w, 3)], code);
	} else if (kind < 970) { /* declarant watch list */
		snprintf(cond, sizeof cond, "declarant = \"%s\"",
			 companies[below(NWATCHED)]);
	} else if (kind < 980) { /* trade mode and value */
		snprintf(cond, sizeof cond,
			 "trade_mode = \"%s\" and value_cny >= %u.%02u",
			 trade_modes[1 + below(7)], pick_threshold() * 10,
			 below(100));
	} else if (kind < 998) { /* new importers */
		snprintf(cond, sizeof cond,
			 "new_importer = true and hs starts \"%.4s\"", code);
	} else { /* no index narrows these much */
		if (below(2))
			snprintf(cond, sizeof cond, "value_cny > %u",
				 pick_threshold() * 100);
		else
			snprintf(cond, sizeof cond,
				 "origin != \"CN\" and transport_mode != \"%s\" "
				 "and value_cny > %u",
				 transport_modes[below(5)], pick_threshold() * 100);
	}
	if (below(20) == 0)
		agency = below(2) ? "border" : "maritime";
	snprintf(buf, n, "when %s then %s %s %s%s\n", cond, agency, pick_lane(),
		 pick_percent(), below(4) == 0 ? " reason \"profile\"" : "");
}

struct decl {
	char number[19];
	struct risk_facts f;
};

static void make_decl(struct decl *d, unsigned i)
{
	struct risk_facts *f = &d->f;
	bool food = false;

	memset(d, 0, sizeof *d);
	f->office = offices[below(10)];
	snprintf(d->number, sizeof d->number, "%s2026%u%09u", f->office,
		 below(5) ? 1u : 0u, i);
	f->key = d->number;
	f->trade_mode = trade_modes[weighted(trade_mode_w, 8)];
	f->transport_mode = transport_modes[weighted(transport_w, 5)];
	f->port = ports[below(12)];
	f->trading_country = pick_country();
	/* 100 CNY to about 20 million, log-spread, in fen */
	f->value_cny = (int64_t)10000 << below(18);
	f->value_cny += (int64_t)below(1000000);
	f->consignee = companies[below(20) == 0 ? below(NWATCHED) :
						 below(NCOMPANIES)];
	f->declarant = companies[below(NCOMPANIES)];
	{
		static const unsigned w[] = { 10, 85, 5 };

		f->consignee_credit = (enum credit_class)weighted(w, 3);
		f->declarant_credit = (enum credit_class)weighted(w, 3);
	}
	f->new_importer = below(100) < 8;
	f->nitems = 1 + below(5);
	for (size_t k = 0; k < f->nitems; k++) {
		f->items[k].hs = pick_code();
		f->items[k].origin = below(3) ? f->trading_country : pick_country();
		if (f->items[k].hs[0] == '0' ||
		    (f->items[k].hs[0] == '1' && f->items[k].hs[1] < '5'))
			food = true;
	}
	f->agencies = 1u; /* customs always */
	if (food)
		f->agencies |= 2u;
	if (below(10) == 0)
		f->agencies |= 4u;
	if (f->transport_mode[0] == '2' && below(10) == 0)
		f->agencies |= 8u;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static bool parse_opt(const char *arg, const char *name, long *out)
{
	char *end;
	long v;

	if (!arg)
		return false;
	v = strtol(arg, &end, 10);
	if (*end || v <= 0) {
		fprintf(stderr, "bench_risk: %s needs a positive number\n", name);
		exit(2);
	}
	*out = v;
	return true;
}

/* The cost of the draws as risk.h defines them: one keyed BLAKE2b per
 * declaration (its draw key, from version and number, about 27 bytes), and
 * one SipHash-2-4 per draw (its purpose, about 8 bytes). Medians of 5 runs,
 * in ns: *key for the key, *draw for one draw. */
static void time_draws(const uint8_t *seed, double *key, double *draw)
{
	unsigned char msg[27] = { 1 }, k[16] = { 0 }, purpose[8] = { 'r' }, out[8];
	double runs_k[5], runs_d[5];
	const int n = 50000;

	for (int r = 0; r < 5; r++) {
		double t0 = now_s();

		for (int i = 0; i < n; i++) {
			msg[9] = (unsigned char)i;
			crypto_generichash(k, sizeof k, msg, sizeof msg, seed,
					   RISK_SEED_BYTES);
			msg[0] ^= k[0];
		}
		runs_k[r] = (now_s() - t0) / n * 1e9;
		t0 = now_s();
		for (int i = 0; i < n; i++) {
			purpose[4] = (unsigned char)i;
			crypto_shorthash(out, purpose, sizeof purpose, k);
			purpose[0] ^= out[0];
		}
		runs_d[r] = (now_s() - t0) / n * 1e9;
	}
	qsort(runs_k, 5, sizeof runs_k[0], cmp_double);
	qsort(runs_d, 5, sizeof runs_d[0], cmp_double);
	*key = runs_k[2];
	*draw = runs_d[2];
}

typedef kerr (*assess_fn)(const struct risk_rules *, const struct risk_profile *,
			  const uint8_t *, const struct risk_facts *,
			  struct risk_outcome *);

/* Assess declarations from *pos on for at least `seconds`; returns the
 * rate per second. */
static double run_for(assess_fn fn, const struct risk_rules *rs,
		      const struct risk_profile *p, const uint8_t *seed,
		      const struct decl *d, size_t nd, size_t *pos,
		      double seconds, struct risk_outcome *o, uint64_t *sink)
{
	double t0 = now_s(), t;
	size_t count = 0;

	do {
		for (int k = 0; k < 64; k++) {
			if (fn(rs, p, seed, &d[*pos].f, o) != KERR_OK)
				exit(1);
			*sink += o->nhits_total + o->agency[0].lane;
			*pos = (*pos + 1) % nd;
			count++;
		}
		t = now_s();
	} while (t - t0 < seconds);
	return (double)count / (t - t0);
}

int main(int argc, char **argv)
{
	long nrules = 10000, ndecls = 20000, rounds = 5, ms = 400;
	size_t cap, len = 0, pos_i = 0, pos_s = 0;
	char *text;
	struct risk_rules *rs = NULL;
	struct risk_error err;
	struct risk_profile p;
	struct decl *d;
	struct risk_outcome *a, *b;
	uint8_t seed[RISK_SEED_BYTES];
	static const char *const agencies[] = { "customs", "quarantine",
						"border", "maritime" };
	double t0, compile_s, *ri, *rsn, med_i, med_s;
	uint64_t hits = 0, sink = 0, lanes[4] = { 0 }, assessed = 0;
	double draw_ns, key_ns;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--rules") == 0 && i + 1 < argc)
			parse_opt(argv[++i], "--rules", &nrules);
		else if (strcmp(argv[i], "--decls") == 0 && i + 1 < argc)
			parse_opt(argv[++i], "--decls", &ndecls);
		else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
			parse_opt(argv[++i], "--rounds", &rounds);
		else if (strcmp(argv[i], "--ms") == 0 && i + 1 < argc)
			parse_opt(argv[++i], "--ms", &ms);
		else {
			fprintf(stderr,
				"usage: bench_risk [--rules N] [--decls N] "
				"[--rounds N] [--ms MILLISECONDS-PER-SLICE]\n");
			return 2;
		}
	}
	if (nrules > RISK_MAX_RULES || sodium_init() < 0)
		return 2;
	for (int i = 0; i < RISK_SEED_BYTES; i++)
		seed[i] = (uint8_t)(i * 37 + 11);
	make_catalogue();

	cap = (size_t)nrules * 256 + 1;
	text = malloc(cap);
	d = calloc((size_t)ndecls, sizeof *d);
	a = malloc(sizeof *a);
	b = malloc(sizeof *b);
	ri = calloc((size_t)rounds, sizeof *ri);
	rsn = calloc((size_t)rounds, sizeof *rsn);
	if (!text || !d || !a || !b || !ri || !rsn)
		return 2;
	for (long i = 0; i < nrules; i++) {
		make_rule(text + len, cap - len);
		len += strlen(text + len);
	}
	t0 = now_s();
	if (risk_rules_compile(text, len, 1, agencies, 4, &rs, &err) != KERR_OK) {
		fprintf(stderr, "bench_risk: %s\n", err.text);
		return 1;
	}
	compile_s = now_s() - t0;
	for (long i = 0; i < ndecls; i++)
		make_decl(&d[i], (unsigned)i);

	risk_profile_init(&p);
	p.random_ppm[0] = 24000;
	p.random_ppm[1] = 50000;
	p.random_ppm[2] = 10000;
	p.random_ppm[3] = 10000;

	/* identical outcomes on every declaration of the stream */
	for (long i = 0; i < ndecls; i++) {
		if (risk_assess(rs, &p, seed, &d[i].f, a) != KERR_OK ||
		    risk_assess_scan(rs, &p, seed, &d[i].f, b) != KERR_OK ||
		    !risk_outcome_equal(a, b)) {
			fprintf(stderr,
				"bench_risk: the evaluators differ on "
				"declaration %ld (%s)\n",
				i, d[i].number);
			return 1;
		}
		hits += a->nhits_total;
		for (size_t g = 0; g < 4; g++) {
			if (a->agencies & (1u << g)) {
				lanes[a->agency[g].lane]++;
				assessed++;
			}
		}
	}

	/* alternate slices of the two so that drift hits both alike */
	for (long r = 0; r < rounds; r++) {
		ri[r] = run_for(risk_assess, rs, &p, seed, d, (size_t)ndecls,
				&pos_i, (double)ms / 1000.0, a, &sink);
		rsn[r] = run_for(risk_assess_scan, rs, &p, seed, d,
				 (size_t)ndecls, &pos_s, (double)ms / 1000.0, b,
				 &sink);
	}
	time_draws(seed, &key_ns, &draw_ns);
	qsort(ri, (size_t)rounds, sizeof *ri, cmp_double);
	qsort(rsn, (size_t)rounds, sizeof *rsn, cmp_double);
	med_i = ri[rounds / 2];
	med_s = rsn[rounds / 2];

	printf("risk engine benchmark (one thread)\n");
	printf("  machine cores           %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
	printf("  rules                   %zu (compiled in %.1f ms)\n",
	       risk_rules_count(rs), compile_s * 1e3);
	printf("  declarations            %ld, 1-5 items, checked identical "
	       "under both evaluators\n",
	       ndecls);
	printf("  rule hits / declaration %.2f\n", (double)hits / (double)ndecls);
	printf("  lanes (agency-assessments) green %.1f%%  blue %.1f%%  "
	       "yellow %.1f%%  red %.1f%%\n",
	       100.0 * (double)lanes[0] / (double)assessed,
	       100.0 * (double)lanes[1] / (double)assessed,
	       100.0 * (double)lanes[2] / (double)assessed,
	       100.0 * (double)lanes[3] / (double)assessed);
	printf("  draws / assessment      %.2f (one a rule hit, one an acting "
	       "agency), %.0f ns each (SipHash-2-4), after one %.0f ns key "
	       "(keyed BLAKE2b) per declaration, measured here\n",
	       (double)(hits + assessed) / (double)ndecls, draw_ns, key_ns);
	printf("  draws' share of an indexed assessment  %.0f%%\n",
	       100.0 * (key_ns + draw_ns * (double)(hits + assessed) / (double)ndecls) *
		       1e-9 * med_i);
	printf("  indexed (risk_assess)   %.0f assessments/s  (median of %ld "
	       "slices, %.0f..%.0f)\n",
	       med_i, rounds, ri[0], ri[rounds - 1]);
	printf("  scan (risk_assess_scan) %.0f assessments/s  (median of %ld "
	       "slices, %.0f..%.0f)\n",
	       med_s, rounds, rsn[0], rsn[rounds - 1]);
	printf("  ratio indexed / scan    %.1fx\n", med_i / med_s);
	printf("  target 500000/s on one core: %s (%.0f%% of it)\n",
	       med_i >= 500000.0 ? "met" : "NOT met", 100.0 * med_i / 500000.0);
	if (sink == 42)
		printf("\n");
	risk_rules_free(rs);
	free(text);
	free(d);
	free(a);
	free(b);
	free(ri);
	free(rsn);
	return 0;
}
