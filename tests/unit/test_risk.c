/*
 * test_risk.c - unit tests for the risk engine (src/domain/risk*.c): the
 * rule language and its errors (exact line, column and message), every
 * condition kind on both sides of its boundary, item-level conjunction,
 * lanes and their severity, credit scaling of the random rate, the draws
 * (pinned against an independent BLAKE2b computation of the documented
 * byte string), determinism, 0% and 100%, the explanation JSON, the indexed
 * evaluator against the full scan on randomly generated rule sets, and
 * several threads sharing one rule set.
 *
 * Every assessment in these tests runs through both evaluators and fails
 * unless they agree.
 */
#include "test_support.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/risk.h"

static const char *const agencies[] = { "customs", "quarantine", "border",
					"maritime" };
#define NAG 4
#define CUSTOMS 0
#define QUARANTINE 1

static uint8_t seed[RISK_SEED_BYTES];

/* A declaration number whose customs random draw is 0 under the tests'
 * seed, rule-set version 1 and the facts of facts_init (found once by
 * search; see random_draw_boundary). */
static const char zero_draw_number[] = "531620261003703543";

static uint64_t lcg_state = 7u;

static uint64_t lcg_next(void)
{
	lcg_state = lcg_state * UINT64_C(6364136223846793005) +
		    UINT64_C(1442695040888963407);
	return lcg_state >> 17;
}

static void seed_fill(uint8_t *s, uint8_t base)
{
	for (int i = 0; i < RISK_SEED_BYTES; i++)
		s[i] = (uint8_t)(base + i * 7);
}

static struct risk_rules *compile_v(const char *text, int64_t version)
{
	struct risk_rules *rs = NULL;
	struct risk_error err;
	kerr e = risk_rules_compile(text, strlen(text), version, agencies, NAG,
				    &rs, &err);

	if (e != KERR_OK)
		fail_msg("compile failed: %s", err.text);
	assert_non_null(rs);
	return rs;
}

static struct risk_rules *compile(const char *text)
{
	return compile_v(text, 1);
}

/* Compiling must fail at (line, column) with a message containing frag. */
static void compile_err(const char *text, unsigned line, unsigned column,
			const char *frag)
{
	struct risk_rules *rs = (struct risk_rules *)0x1;
	struct risk_error err;
	kerr e = risk_rules_compile(text, strlen(text), 1, agencies, NAG, &rs,
				    &err);

	if (e != KERR_INVALID)
		fail_msg("expected an error for: %s", text);
	assert_null(rs);
	if (err.line != line || err.column != column ||
	    !strstr(err.message, frag))
		fail_msg("for %s\n  got: %s\n  want line %u, column %u: ...%s...",
			 text, err.text, line, column, frag);
}

/* A standard import: US apples by sea into Nansha. */
static void facts_init(struct risk_facts *f)
{
	memset(f, 0, sizeof *f);
	f->key = "531620261000000001";
	f->office = "5316";
	f->trade_mode = "0110";
	f->transport_mode = "2";
	f->port = "CNNSA";
	f->trading_country = "US";
	f->value_cny = 50000000; /* 500,000.00 CNY */
	f->consignee = "91440101MA59ABCD1X";
	f->declarant = "91440300MA5FXYZW2K";
	f->consignee_credit = CREDIT_STANDARD;
	f->declarant_credit = CREDIT_STANDARD;
	f->new_importer = false;
	f->agencies = 0xF;
	f->nitems = 1;
	f->items[0].hs = "0808100000";
	f->items[0].origin = "US";
}

/* Assess with both evaluators; they must agree. */
static void assess(const struct risk_rules *rs, const struct risk_profile *p,
		   const uint8_t *sd, const struct risk_facts *f,
		   struct risk_outcome *o)
{
	static struct risk_outcome scan; /* large; tests run one at a time */

	assert_int_equal(risk_assess(rs, p, sd, f, o), KERR_OK);
	assert_int_equal(risk_assess_scan(rs, p, sd, f, &scan), KERR_OK);
	assert_true(risk_outcome_equal(o, &scan));
}

/* Does `cond` hold for f? (a one-rule set at 100%) */
static bool holds(const char *cond, const struct risk_facts *f)
{
	char text[512];
	struct risk_profile p;
	struct risk_outcome o;
	struct risk_rules *rs;
	bool hit;

	snprintf(text, sizeof text, "when %s then customs red 100%%", cond);
	rs = compile(text);
	risk_profile_init(&p);
	p.discredited_min_ppm = 0; /* no random selection at all */
	assess(rs, &p, seed, f, &o);
	hit = o.nhits_total == 1;
	if (hit) {
		assert_true(o.hits[0].selected);
		assert_int_equal(o.agency[CUSTOMS].lane, RISK_LANE_RED);
	} else {
		assert_int_equal(o.nhits, 0);
		assert_int_equal(o.agency[CUSTOMS].lane, RISK_LANE_GREEN);
	}
	risk_rules_free(rs);
	return hit;
}

#define HOLDS(c, f) assert_true(holds((c), (f)))
#define FAILS(c, f) assert_false(holds((c), (f)))

/* ------------------------------------------------------------------ */

static const char examples[] =
	"# comments and blank lines are ignored\n"
	"\n"
	"when hs starts \"0808\" and origin = \"US\" then quarantine red 100% "
	"reason \"fire blight\"\n"
	"   when consignee credit = discredited then customs red 80%   \n"
	"when value_cny > 500000 and trade_mode = \"0110\" then customs yellow "
	"30%\n"
	"\t# indented comment\n"
	"when origin in (\"KP\", \"IR\") then customs red 100% reason "
	"\"sanctions screening\"\n"
	"when new_importer = true and hs starts \"84\" then customs yellow 5.5%";

static void parse_examples(void **state)
{
	struct risk_rules *rs = compile_v(examples, 42);

	(void)state;
	assert_int_equal(risk_rules_count(rs), 5);
	assert_int_equal(risk_rules_version(rs), 42);
	assert_int_equal(risk_rules_agency_count(rs), NAG);
	assert_string_equal(risk_rules_agency(rs, 1), "quarantine");
	assert_null(risk_rules_agency(rs, NAG));
	assert_int_equal(risk_rule_line(rs, 0), 3);
	assert_int_equal(risk_rule_line(rs, 1), 4);
	assert_int_equal(risk_rule_line(rs, 2), 5);
	assert_int_equal(risk_rule_line(rs, 3), 7);
	assert_int_equal(risk_rule_line(rs, 4), 8);
	assert_int_equal(risk_rule_line(rs, 5), 0);
	assert_string_equal(risk_rule_source(rs, 1),
			    "when consignee credit = discredited then customs "
			    "red 80%");
	assert_string_equal(risk_rule_source(rs, 4),
			    "when new_importer = true and hs starts \"84\" then "
			    "customs yellow 5.5%");
	assert_null(risk_rule_source(rs, 5));
	assert_string_equal(risk_rule_reason(rs, 0), "fire blight");
	assert_string_equal(risk_rule_reason(rs, 1), "");
	assert_string_equal(risk_rule_reason(rs, 3), "sanctions screening");
	assert_int_equal(risk_rule_agency(rs, 0), QUARANTINE);
	assert_int_equal(risk_rule_agency(rs, 1), CUSTOMS);
	assert_int_equal(risk_rule_agency(rs, 5), -1);
	risk_rules_free(rs);

	/* empty sets are valid */
	rs = compile("");
	assert_int_equal(risk_rules_count(rs), 0);
	risk_rules_free(rs);
	rs = compile("# nothing yet\n\n   \n\t\n");
	assert_int_equal(risk_rules_count(rs), 0);
	risk_rules_free(rs);

	/* CRLF, a trailing comment, escapes and UTF-8 in strings */
	rs = compile("# 规则\r\nwhen consignee = \"a\\\"b\\\\c\" then border "
		     "blue 0.0001% reason \"走私 \\\"风险\\\"！\U0001F6A2\" # trailing\r\n");
	assert_int_equal(risk_rules_count(rs), 1);
	assert_int_equal(risk_rule_line(rs, 0), 2);
	assert_string_equal(risk_rule_reason(rs, 0), "走私 \"风险\"！\U0001F6A2");
	risk_rules_free(rs);

	/* every operator of every field parses */
	rs = compile("when hs = \"0808100000\" and hs != \"1\" and hs in (\"1\", "
		     "\"22\") and hs starts \"0\" then customs red 1%\n"
		     "when trading_country != \"US\" and trade_mode in (\"9610\") "
		     "and transport_mode = \"5\" then customs red 1%\n"
		     "when port = \"CNNSA\" and office != \"5316\" and consignee in "
		     "(\"X\") and declarant = \"Y\" then customs red 1%\n"
		     "when value_cny >= 0 and value_cny < 1 and value_cny <= 2 and "
		     "value_cny = 3.5 and value_cny != 4.25 and value_cny > -5 "
		     "then maritime green 0%\n"
		     "when declarant credit in (advanced, standard) and consignee "
		     "credit != advanced and new_importer != false then "
		     "quarantine blue 99.9999%\n");
	assert_int_equal(risk_rules_count(rs), 5);
	risk_rules_free(rs);
}

static void parse_errors(void **state)
{
	struct risk_rules *rs = (struct risk_rules *)0x1;
	struct risk_error err;
	const char *bad_agencies[] = { "customs", "Customs" };
	const char *dup_agencies[] = { "customs", "customs" };
	const char *lane3 = "# rules\n"
			    "when hs = \"8\" then border red 1%\n"
			    "when hs = \"8\" then border purple 10%\n"
			    "when hs = \"8\" then police red 1%\n";

	(void)state;
	/* the brief's example, text and all; the first error wins */
	assert_int_equal(risk_rules_compile(lane3, strlen(lane3), 1, agencies,
					    NAG, &rs, &err),
			 KERR_INVALID);
	assert_null(rs);
	assert_int_equal(err.line, 3);
	assert_int_equal(err.column, 27);
	assert_string_equal(err.text,
			    "line 3, column 27: expected a lane (green, blue, "
			    "yellow or red), found \"purple\"");

	compile_err("when colour = \"red\" then customs red 1%", 1, 6,
		    "unknown field \"colour\"");
	compile_err("when then customs red 1%", 1, 6, "unknown field \"then\"");
	compile_err("when 12 = \"x\" then customs red 1%", 1, 6,
		    "expected a field");
	compile_err("when origin starts \"U\" then customs red 1%", 1, 13,
		    "operator starts applies to hs only");
	compile_err("when origin > \"US\" then customs red 1%", 1, 13,
		    "operator > applies to value_cny only");
	compile_err("when value_cny in (1) then customs red 1%", 1, 16,
		    "operator in does not apply to value_cny");
	compile_err("when new_importer in (true) then customs red 1%", 1, 19,
		    "operator in does not apply to new_importer");
	compile_err("when origin \"US\" then customs red 1%", 1, 13,
		    "expected an operator after origin (=, != or in), found a "
		    "string");
	compile_err("when consignee credt = advanced then customs red 1%", 1, 16,
		    "expected an operator after consignee");

	/* percents */
	compile_err("when hs = \"8\" then customs red 101%", 1, 32,
		    "percent must be 0 to 100 with at most 4 decimals");
	compile_err("when hs = \"8\" then customs red 5.12345%", 1, 32,
		    "percent must be 0 to 100 with at most 4 decimals");
	compile_err("when hs = \"8\" then customs red -1%", 1, 32,
		    "percent must be 0 to 100 with at most 4 decimals");
	compile_err("when hs = \"8\" then customs red 100.0001%", 1, 32,
		    "percent must be 0 to 100 with at most 4 decimals");
	compile_err("when hs = \"8\" then customs red 05%", 1, 32,
		    "percent must be 0 to 100 with at most 4 decimals");
	compile_err("when hs = \"8\" then customs red 30", 1, 34,
		    "expected % right after the percent \"30\"");
	compile_err("when hs = \"8\" then customs red", 1, 31,
		    "expected a percent such as 30%, found end of line");
	compile_err("when hs = \"8\" then customs red high", 1, 32,
		    "expected a percent such as 30%, found \"high\"");

	/* strings */
	compile_err("when hs = \"0808 then customs red 1%", 1, 11,
		    "unterminated string");
	compile_err("when consignee = \"ab\\", 1, 18, "unterminated string");
	compile_err("when consignee = \"a\\nb\" then customs red 1%", 1, 20,
		    "unknown escape \\n in string");
	compile_err("when consignee = \"a\tb\" then customs red 1%", 1, 20,
		    "control character in string");
	compile_err("when consignee = \"a\xC3\x28\" then customs red 1%", 1, 20,
		    "invalid UTF-8 in string");
	compile_err("when consignee = \"\xC0\xAF\" then customs red 1%", 1, 19,
		    "invalid UTF-8 in string"); /* overlong */
	compile_err("when consignee = \"x\xE0\x9F\xBF\" then customs red 1%", 1,
		    20, "invalid UTF-8 in string"); /* overlong U+07FF */
	compile_err("when consignee = \"\xED\xA0\x80\" then customs red 1%", 1,
		    19, "invalid UTF-8 in string"); /* surrogate */
	compile_err("when consignee = \"\xF4\x90\x80\x80\" then customs red 1%",
		    1, 19, "invalid UTF-8 in string"); /* above U+10FFFF */
	compile_err("when consignee = \"\xE5\x85\" then customs red 1%", 1, 19,
		    "invalid UTF-8 in string"); /* truncated */
	compile_err("when consignee = \"\xE5\x85\xAC\xE5\x8F\xB8\" and colour = "
		    "\"x\" then customs red 1%",
		    1, 27, "unknown field \"colour\""); /* columns count chars */
	compile_err("when consignee = \"\" then customs red 1%", 1, 18,
		    "consignee needs a non-empty string");
	compile_err("when hs starts \"08a\" then customs red 1%", 1, 16,
		    "hs needs 1 to 10 digits");
	compile_err("when hs = \"08081000001\" then customs red 1%", 1, 11,
		    "hs needs 1 to 10 digits");
	compile_err("when origin = \"USA\" then customs red 1%", 1, 15,
		    "origin needs an ISO 3166 alpha-2 code");
	compile_err("when trading_country = \"us\" then customs red 1%", 1, 24,
		    "trading_country needs an ISO 3166 alpha-2 code");
	compile_err("when origin = US then customs red 1%", 1, 15,
		    "expected a string in double quotes, found \"US\"");

	/* lists */
	compile_err("when origin in (\"KP\" \"IR\") then customs red 1%", 1, 22,
		    "expected , or ) in the list, found a string");
	compile_err("when origin in \"KP\" then customs red 1%", 1, 16,
		    "expected ( after in");
	compile_err("when origin in () then customs red 1%", 1, 17,
		    "expected a string in double quotes, found \")\"");
	compile_err("when origin in (\"KP\", then customs red 1%", 1, 23,
		    "expected a string in double quotes, found \"then\"");

	/* value_cny, credit, new_importer */
	compile_err("when value_cny > \"500\" then customs red 1%", 1, 18,
		    "value_cny needs a number");
	compile_err("when value_cny > 1.005 then customs red 1%", 1, 18,
		    "value_cny has at most 2 decimals");
	compile_err("when value_cny > 99999999999999999999 then customs red 1%",
		    1, 18, "value_cny is out of range");
	compile_err("when value_cny > 5% then customs red 1%", 1, 18,
		    "value_cny needs a number");
	compile_err("when consignee credit = gold then customs red 1%", 1, 25,
		    "credit needs advanced, standard or discredited, found "
		    "\"gold\"");
	compile_err("when declarant credit in (advanced, \"x\") then customs "
		    "red 1%",
		    1, 37, "credit needs advanced, standard or discredited");
	compile_err("when new_importer = yes then customs red 1%", 1, 21,
		    "new_importer needs true or false");

	/* structure */
	compile_err("if hs = \"8\" then customs red 1%", 1, 1,
		    "expected \"when\" at the start of a rule, found \"if\"");
	compile_err("WHEN hs = \"8\" then customs red 1%", 1, 1,
		    "expected \"when\"");
	compile_err("when hs = \"8\" customs red 1%", 1, 15,
		    "expected \"and\" or \"then\", found \"customs\"");
	compile_err("when hs = \"8\" AND origin = \"US\" then customs red 1%", 1,
		    15, "expected \"and\" or \"then\", found \"AND\"");
	compile_err("when hs = \"8\" then police red 1%", 1, 20,
		    "unknown agency \"police\"");
	compile_err("when hs = \"8\" then 5 red 1%", 1, 20,
		    "expected an agency (customs, quarantine, border or "
		    "maritime), found \"5\"");
	compile_err("when hs = \"8\" then customs red 1% because", 1, 35,
		    "expected \"reason\" or end of line, found \"because\"");
	compile_err("when hs = \"8\" then customs red 1% reason fire", 1, 42,
		    "expected a string in double quotes after reason");
	compile_err("when hs @ \"8\" then customs red 1%", 1, 9,
		    "unexpected character \"@\"");
	compile_err("when hs = \"8\" then customs red 1% reason \"x\"\x01", 1, 45,
		    "unexpected control character 0x01");
	compile_err("when hs = \"8\" then customs red 1%\n# caf\xC3\n", 2, 6,
		    "invalid UTF-8 in comment");
	compile_err("\n\nwhen hs = \"8\" then customs red 1%\nwhen x\n", 4, 6,
		    "unknown field \"x\"");

	/* agency list */
	rs = (struct risk_rules *)0x1;
	assert_int_equal(risk_rules_compile("", 0, 1, bad_agencies, 2, &rs,
					    &err),
			 KERR_INVALID);
	assert_null(rs);
	assert_int_equal(err.line, 0);
	assert_non_null(strstr(err.message, "Customs"));
	assert_int_equal(risk_rules_compile("", 0, 1, dup_agencies, 2, &rs,
					    &err),
			 KERR_INVALID);
	assert_non_null(strstr(err.message, "given twice"));
}

static void parse_limits(void **state)
{
	struct risk_rules *rs = NULL;
	struct risk_error err;
	size_t n = 100001, cap = n * 40 + 8000, len = 0;
	char *text = malloc(cap);
	const char *rule = "when hs starts \"84\" then customs red 1%\n";
	size_t rlen = strlen(rule);

	(void)state;
	assert_non_null(text);
	/* a line of exactly 4096 bytes is fine, 4097 is not */
	memcpy(text, "when hs = \"8\" then customs red 1%\n#", 35);
	len = 35;
	memset(text + len, 'x', 4095);
	len += 4095;
	assert_int_equal(risk_rules_compile(text, len, 1, agencies, NAG, &rs,
					    &err),
			 KERR_OK);
	risk_rules_free(rs);
	text[len++] = 'y';
	text[len++] = '\n';
	assert_int_equal(risk_rules_compile(text, len, 1, agencies, NAG, &rs,
					    &err),
			 KERR_INVALID);
	assert_int_equal(err.line, 2);
	assert_int_equal(err.column, 4097);
	assert_non_null(strstr(err.message, "line longer than 4096 bytes"));

	/* 100,000 rules are fine, one more is not */
	len = 0;
	for (size_t i = 0; i < n; i++) {
		memcpy(text + len, rule, rlen);
		len += rlen;
	}
	assert_int_equal(risk_rules_compile(text, len - rlen, 1, agencies, NAG,
					    &rs, &err),
			 KERR_OK);
	assert_int_equal(risk_rules_count(rs), 100000);
	risk_rules_free(rs);
	assert_int_equal(risk_rules_compile(text, len, 1, agencies, NAG, &rs,
					    &err),
			 KERR_INVALID);
	assert_null(rs);
	assert_int_equal(err.line, 100001);
	assert_int_equal(err.column, 1);
	assert_non_null(strstr(err.message, "more than 100000 rules"));
	free(text);
}

/* ------------------------------------------------------------------ */

static void conditions_hs_origin(void **state)
{
	struct risk_facts f;

	(void)state;
	facts_init(&f);
	HOLDS("hs starts \"0808\"", &f);
	HOLDS("hs starts \"0\"", &f);
	HOLDS("hs starts \"0808100000\"", &f);
	FAILS("hs starts \"0809\"", &f);
	FAILS("hs starts \"84\"", &f);
	HOLDS("hs = \"0808100000\"", &f);
	FAILS("hs = \"0808\"", &f); /* = is the whole code */
	HOLDS("hs != \"0808\"", &f);
	FAILS("hs != \"0808100000\"", &f);
	HOLDS("hs in (\"8471300000\", \"0808100000\")", &f);
	FAILS("hs in (\"8471300000\", \"0808\")", &f);
	HOLDS("origin = \"US\"", &f);
	FAILS("origin = \"CL\"", &f);
	HOLDS("origin != \"CL\"", &f);
	FAILS("origin != \"US\"", &f);
	HOLDS("origin in (\"KP\", \"US\", \"IR\")", &f);
	FAILS("origin in (\"KP\", \"IR\")", &f);

	/* an absent origin is no value: = fails, != holds */
	f.items[0].origin = NULL;
	FAILS("origin = \"US\"", &f);
	HOLDS("origin != \"US\"", &f);
	f.items[0].origin = "";
	FAILS("origin in (\"US\")", &f);
	HOLDS("origin != \"US\"", &f);

	/* no items: item-level conditions cannot hold */
	f.nitems = 0;
	FAILS("hs != \"0808\"", &f);
	FAILS("origin != \"US\"", &f);
	HOLDS("trade_mode = \"0110\"", &f);
}

static void conditions_same_item(void **state)
{
	struct risk_facts f;
	const char *c = "hs starts \"0808\" and origin = \"US\"";

	(void)state;
	facts_init(&f);
	/* Chilean apples and US laptops: no single item is US apples */
	f.nitems = 2;
	f.items[0].hs = "0808100000";
	f.items[0].origin = "CL";
	f.items[1].hs = "8471300000";
	f.items[1].origin = "US";
	FAILS(c, &f);
	HOLDS("hs starts \"0808\"", &f);
	HOLDS("origin = \"US\"", &f);
	/* reversed order of conditions changes nothing */
	FAILS("origin = \"US\" and hs starts \"0808\"", &f);
	/* a third item that is US apples */
	f.nitems = 3;
	f.items[2].hs = "0808109000";
	f.items[2].origin = "US";
	HOLDS(c, &f);
	HOLDS("origin = \"US\" and trade_mode = \"0110\" and hs starts "
	      "\"080810\"",
	      &f);
	FAILS("origin = \"US\" and trade_mode = \"9610\" and hs starts "
	      "\"080810\"",
	      &f);
	/* != on the same item */
	f.nitems = 2;
	HOLDS("hs starts \"0808\" and origin != \"US\"", &f);
	FAILS("hs starts \"8471\" and origin != \"US\"", &f);
}

static void conditions_declaration_strings(void **state)
{
	struct risk_facts f;
	struct {
		const char *field, *yes, *no;
	} cases[] = {
		{ "trading_country", "US", "HK" },
		{ "trade_mode", "0110", "9610" },
		{ "transport_mode", "2", "5" },
		{ "port", "CNNSA", "CNYTN" },
		{ "office", "5316", "5301" },
		{ "consignee", "91440101MA59ABCD1X", "91440101MA59ABCD2X" },
		{ "declarant", "91440300MA5FXYZW2K", "91440101MA59ABCD1X" },
	};
	char c[256];

	(void)state;
	facts_init(&f);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(c, sizeof c, "%s = \"%s\"", cases[i].field, cases[i].yes);
		HOLDS(c, &f);
		snprintf(c, sizeof c, "%s = \"%s\"", cases[i].field, cases[i].no);
		FAILS(c, &f);
		snprintf(c, sizeof c, "%s != \"%s\"", cases[i].field, cases[i].no);
		HOLDS(c, &f);
		snprintf(c, sizeof c, "%s != \"%s\"", cases[i].field, cases[i].yes);
		FAILS(c, &f);
		snprintf(c, sizeof c, "%s in (\"%s\", \"%s\")", cases[i].field,
			 cases[i].no, cases[i].yes);
		HOLDS(c, &f);
		snprintf(c, sizeof c, "%s in (\"%s\")", cases[i].field,
			 cases[i].no);
		FAILS(c, &f);
		/* a prefix of the value is not equal to it */
		if (strlen(cases[i].yes) > 2) {
			snprintf(c, sizeof c, "%s = \"%.3s\"", cases[i].field,
				 cases[i].yes);
			FAILS(c, &f);
		}
	}
	/* values longer than what a condition holds inline */
	f.consignee = "a consignee with a rather long identifier";
	HOLDS("consignee = \"a consignee with a rather long identifier\"", &f);
	FAILS("consignee = \"a consignee with a rather long identifieR\"", &f);
	FAILS("consignee = \"a consignee with a rather long identifie\"", &f);
	HOLDS("consignee != \"a consignee with a rather long identifie\"", &f);
	FAILS("consignee != \"a consignee with a rather long identifier\"", &f);
	/* absent port */
	f.port = NULL;
	FAILS("port = \"CNNSA\"", &f);
	HOLDS("port != \"CNNSA\"", &f);
}

static void conditions_value_cny(void **state)
{
	struct risk_facts f;

	(void)state;
	facts_init(&f);
	f.value_cny = 50000000; /* 500,000.00 */
	FAILS("value_cny > 500000", &f);
	HOLDS("value_cny > 499999.99", &f);
	HOLDS("value_cny >= 500000", &f);
	HOLDS("value_cny >= 500000.00", &f);
	FAILS("value_cny >= 500000.01", &f);
	FAILS("value_cny < 500000", &f);
	HOLDS("value_cny < 500000.01", &f);
	HOLDS("value_cny <= 500000", &f);
	FAILS("value_cny <= 499999.99", &f);
	HOLDS("value_cny = 500000", &f);
	HOLDS("value_cny = 500000.0", &f);
	FAILS("value_cny = 500000.01", &f);
	FAILS("value_cny = 499999.99", &f);
	FAILS("value_cny != 500000", &f);
	HOLDS("value_cny != 500000.01", &f);
	f.value_cny = 50000001; /* one fen more */
	HOLDS("value_cny > 500000", &f);
	FAILS("value_cny <= 500000", &f);
	HOLDS("value_cny > 500000 and value_cny < 500000.02", &f);
	FAILS("value_cny > 500000 and value_cny < 500000.01", &f);
	f.value_cny = 0;
	HOLDS("value_cny < 0.01", &f);
	HOLDS("value_cny > -0.01", &f);
	FAILS("value_cny > 0", &f);
	/* extremes do not overflow */
	f.value_cny = INT64_MAX;
	HOLDS("value_cny > 92233720368547758.06", &f);
	FAILS("value_cny > 92233720368547758.07", &f);
	HOLDS("value_cny >= 92233720368547758.07", &f);
	f.value_cny = INT64_MIN;
	FAILS("value_cny < -92233720368547758.08", &f);
	HOLDS("value_cny <= -92233720368547758.08", &f);
	HOLDS("value_cny != 0", &f);
	/* an unknown value satisfies no value condition at all */
	f.value_cny = 0;
	f.value_unknown = true;
	FAILS("value_cny < 1000", &f);
	FAILS("value_cny = 0", &f);
	FAILS("value_cny != 5", &f);
	FAILS("value_cny >= -5", &f);
	FAILS("value_cny > 100 and trade_mode = \"0110\"", &f);
	HOLDS("trade_mode = \"0110\"", &f);
}

static void conditions_credit_and_new_importer(void **state)
{
	struct risk_facts f;

	(void)state;
	facts_init(&f);
	f.consignee_credit = CREDIT_DISCREDITED;
	f.declarant_credit = CREDIT_ADVANCED;
	HOLDS("consignee credit = discredited", &f);
	FAILS("consignee credit = standard", &f);
	FAILS("consignee credit != discredited", &f);
	HOLDS("consignee credit != advanced", &f);
	HOLDS("consignee credit in (advanced, discredited)", &f);
	FAILS("consignee credit in (advanced, standard)", &f);
	HOLDS("declarant credit = advanced", &f);
	FAILS("declarant credit = discredited", &f);
	HOLDS("declarant credit in (advanced)", &f);
	FAILS("declarant credit != advanced", &f);
	/* the two companies are told apart */
	FAILS("consignee credit = advanced", &f);
	f.consignee_credit = CREDIT_STANDARD;
	HOLDS("consignee credit = standard and declarant credit = advanced", &f);
	/* consignee without "credit" is the USCC */
	HOLDS("consignee = \"91440101MA59ABCD1X\"", &f);

	FAILS("new_importer = true", &f);
	HOLDS("new_importer = false", &f);
	HOLDS("new_importer != true", &f);
	f.new_importer = true;
	HOLDS("new_importer = true", &f);
	FAILS("new_importer = false", &f);
	FAILS("new_importer != true", &f);
	HOLDS("new_importer = true and hs starts \"08\"", &f);
	FAILS("new_importer = true and hs starts \"84\"", &f);
}

/* ------------------------------------------------------------------ */

static void lanes_and_severity(void **state)
{
	struct risk_rules *rs = compile(
		"when hs starts \"08\" then customs blue 100%\n"       /* 0 */
		"when hs starts \"0808\" then customs yellow 100%\n"   /* 1 */
		"when origin = \"US\" then customs yellow 100%\n"      /* 2 */
		"when origin = \"US\" then customs red 0%\n"           /* 3 */
		"when hs starts \"0808\" then quarantine red 100%\n"   /* 4 */
		"when hs starts \"84\" then border red 100%\n"         /* 5 */
		"when trade_mode = \"0110\" then maritime green 100%\n"); /* 6 */
	struct risk_profile p;
	struct risk_outcome o;
	struct risk_facts f;

	(void)state;
	risk_profile_init(&p);
	facts_init(&f);
	assess(rs, &p, seed, &f, &o);
	assert_int_equal(o.nhits_total, 6);
	assert_int_equal(o.nhits, 6);
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(o.hits[i].rule, i == 5 ? 6 : i);
	/* customs: blue and yellow selected, red not: yellow by rule 1 */
	assert_int_equal(o.agency[CUSTOMS].lane, RISK_LANE_YELLOW);
	assert_int_equal(o.agency[CUSTOMS].cause, RISK_CAUSE_RULE);
	assert_int_equal(o.agency[CUSTOMS].rule, 1);
	assert_int_equal(o.agency[CUSTOMS].rules_hit, 4);
	assert_int_equal(o.agency[CUSTOMS].rules_selected, 3);
	assert_false(o.hits[3].selected);
	assert_int_equal(o.hits[3].ppm, 0);
	assert_int_equal(o.agency[QUARANTINE].lane, RISK_LANE_RED);
	assert_int_equal(o.agency[QUARANTINE].rule, 4);
	/* border: no hit, base lane green */
	assert_int_equal(o.agency[2].lane, RISK_LANE_GREEN);
	assert_int_equal(o.agency[2].cause, RISK_CAUSE_BASE);
	assert_int_equal(o.agency[2].rules_hit, 0);
	/* maritime: a green rule selected */
	assert_int_equal(o.agency[3].lane, RISK_LANE_GREEN);
	assert_int_equal(o.agency[3].cause, RISK_CAUSE_RULE);
	assert_int_equal(o.agency[3].rule, 6);

	/* a base lane above what the rules select stands */
	p.base_lane[CUSTOMS] = RISK_LANE_RED;
	p.base_lane[3] = RISK_LANE_BLUE;
	p.base_lane[2] = RISK_LANE_YELLOW;
	assess(rs, &p, seed, &f, &o);
	assert_int_equal(o.agency[CUSTOMS].lane, RISK_LANE_RED);
	assert_int_equal(o.agency[CUSTOMS].cause, RISK_CAUSE_BASE);
	assert_int_equal(o.agency[CUSTOMS].base_lane, RISK_LANE_RED);
	assert_int_equal(o.agency[3].lane, RISK_LANE_BLUE);
	assert_int_equal(o.agency[3].cause, RISK_CAUSE_BASE);
	assert_int_equal(o.agency[2].lane, RISK_LANE_YELLOW);
	/* a base lane below is raised */
	p.base_lane[CUSTOMS] = RISK_LANE_BLUE;
	assess(rs, &p, seed, &f, &o);
	assert_int_equal(o.agency[CUSTOMS].lane, RISK_LANE_YELLOW);

	/* agencies that do not act get nothing */
	f.agencies = 1u << CUSTOMS;
	assess(rs, &p, seed, &f, &o);
	assert_int_equal(o.agencies, 1u << CUSTOMS);
	assert_int_equal(o.nhits_total, 4);
	for (size_t i = 0; i < o.nhits; i++)
		assert_int_equal(o.hits[i].agency, CUSTOMS);
	/* bits beyond the rule set's agencies are ignored */
	f.agencies = 0xFFFFFFFFu;
	assess(rs, &p, seed, &f, &o);
	assert_int_equal(o.agencies, 0xF);

	/* names */
	{
		enum risk_lane l;
		enum credit_class cc;

		assert_string_equal(risk_lane_name(RISK_LANE_YELLOW), "yellow");
		assert_string_equal(risk_lane_name((enum risk_lane)9), "?");
		assert_true(risk_lane_parse("blue", &l));
		assert_int_equal(l, RISK_LANE_BLUE);
		assert_false(risk_lane_parse("purple", &l));
		assert_string_equal(credit_class_name(CREDIT_DISCREDITED),
				    "discredited");
		assert_true(credit_class_parse("advanced", &cc));
		assert_int_equal(cc, CREDIT_ADVANCED);
		assert_false(credit_class_parse("gold", &cc));
	}
	risk_rules_free(rs);
}

static void many_hits_are_truncated_not_lost(void **state)
{
	struct risk_profile p;
	struct risk_outcome o;
	struct risk_facts f;
	size_t cap = 300 * 64, len = 0;
	char *text = malloc(cap);
	struct risk_rules *rs;
	json_t *j, *because;

	(void)state;
	assert_non_null(text);
	for (int i = 0; i < 300; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"when hs starts \"08\" then customs %s "
					"100%%\n",
					i == 200 ? "red" : "yellow");
	rs = compile(text);
	risk_profile_init(&p);
	facts_init(&f);
	assess(rs, &p, seed, &f, &o);
	assert_int_equal(o.nhits, RISK_MAX_HITS);
	assert_int_equal(o.nhits_total, 300);
	assert_int_equal(o.hits[RISK_MAX_HITS - 1].rule, RISK_MAX_HITS - 1);
	assert_int_equal(o.agency[CUSTOMS].lane, RISK_LANE_RED);
	assert_int_equal(o.agency[CUSTOMS].rule, 200);
	assert_int_equal(o.agency[CUSTOMS].rules_hit, 300);
	/* the deciding rule is explained even though it is not listed */
	j = risk_outcome_json(rs, &o);
	assert_non_null(j);
	assert_int_equal(json_array_size(json_object_get(j, "rules_hit")),
			 RISK_MAX_HITS);
	assert_int_equal(json_integer_value(json_object_get(j, "rules_hit_total")),
			 300);
	because = json_object_get(json_object_get(json_object_get(j, "agencies"),
						  "customs"),
				  "because");
	assert_int_equal(json_array_size(because), 1);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(because, 0), "line")),
			 201);
	json_decref(j);
	risk_rules_free(rs);
	free(text);
}

/* ------------------------------------------------------------------ */

static void credit_scaling(void **state)
{
	struct risk_profile p;
	char msg[128];

	(void)state;
	risk_profile_init(&p);
	assert_int_equal(p.advanced_factor_ppm, 150000);
	assert_int_equal(p.discredited_min_ppm, 800000);
	assert_int_equal(risk_profile_check(&p, msg, sizeof msg), KERR_OK);
	p.random_ppm[CUSTOMS] = 24000; /* 2.4% */
	assert_int_equal(risk_random_rate(&p, CUSTOMS, CREDIT_STANDARD), 24000);
	assert_int_equal(risk_random_rate(&p, CUSTOMS, CREDIT_ADVANCED), 3600);
	assert_int_equal(risk_random_rate(&p, CUSTOMS, CREDIT_DISCREDITED),
			 800000);
	p.random_ppm[CUSTOMS] = 900000;
	assert_int_equal(risk_random_rate(&p, CUSTOMS, CREDIT_ADVANCED), 135000);
	assert_int_equal(risk_random_rate(&p, CUSTOMS, CREDIT_DISCREDITED),
			 900000);
	p.random_ppm[CUSTOMS] = 1000000;
	assert_int_equal(risk_random_rate(&p, CUSTOMS, CREDIT_ADVANCED), 150000);
	p.random_ppm[CUSTOMS] = 7; /* rounds down: 1.05 -> 1 */
	assert_int_equal(risk_random_rate(&p, CUSTOMS, CREDIT_ADVANCED), 1);
	p.random_ppm[CUSTOMS] = 0;
	assert_int_equal(risk_random_rate(&p, CUSTOMS, CREDIT_ADVANCED), 0);
	assert_int_equal(risk_random_rate(&p, CUSTOMS, CREDIT_DISCREDITED),
			 800000);
	assert_int_equal(risk_random_rate(&p, RISK_MAX_AGENCIES,
					  CREDIT_STANDARD),
			 0);

	/* the check */
	p.advanced_factor_ppm = 199999;
	assert_int_equal(risk_profile_check(&p, msg, sizeof msg), KERR_OK);
	p.advanced_factor_ppm = 200000;
	assert_int_equal(risk_profile_check(&p, msg, sizeof msg), KERR_INVALID);
	assert_non_null(strstr(msg, "advanced_factor_ppm"));
	p.advanced_factor_ppm = 150000;
	p.random_ppm[3] = 1000001;
	assert_int_equal(risk_profile_check(&p, msg, sizeof msg), KERR_INVALID);
	assert_non_null(strstr(msg, "random_ppm"));
	p.random_ppm[3] = 1000000;
	assert_int_equal(risk_profile_check(&p, NULL, 0), KERR_OK);
	p.discredited_min_ppm = 1000001;
	assert_int_equal(risk_profile_check(&p, msg, sizeof msg), KERR_INVALID);
	p.discredited_min_ppm = 800000;
	p.base_lane[2] = (enum risk_lane)4;
	assert_int_equal(risk_profile_check(&p, msg, sizeof msg), KERR_INVALID);
	assert_non_null(strstr(msg, "base_lane"));
}

static void random_selection_by_credit(void **state)
{
	struct risk_rules *rs = compile("");
	struct risk_profile p;
	struct risk_outcome o;
	struct risk_facts f;
	char number[32];
	int red[3] = { 0, 0, 0 };
	const int n = 2000;

	(void)state;
	risk_profile_init(&p);
	p.random_ppm[CUSTOMS] = 1000000; /* 100% for standard */
	facts_init(&f);
	f.key = number;
	for (int c = 0; c < 3; c++) {
		f.consignee_credit = (enum credit_class)c;
		f.declarant_credit = (enum credit_class)c;
		for (int i = 0; i < n; i++) {
			snprintf(number, sizeof number, "5316202610%08d", i);
			assess(rs, &p, seed, &f, &o);
			/* 100% for standard; advanced 15% of it (the default
			 * factor); discredited at least 80%, so 100% */
			static const uint32_t want_ppm[3] = {150000, 1000000, 1000000};
			assert_int_equal(o.agency[CUSTOMS].random_ppm, want_ppm[c]);
			if (o.agency[CUSTOMS].random_selected) {
				red[c]++;
				assert_int_equal(o.agency[CUSTOMS].lane,
						 RISK_LANE_RED);
				assert_int_equal(o.agency[CUSTOMS].cause,
						 RISK_CAUSE_RANDOM);
			} else {
				assert_int_equal(o.agency[CUSTOMS].lane,
						 RISK_LANE_GREEN);
			}
			/* quarantine has no random rate: only discredited */
			assert_int_equal(o.agency[QUARANTINE].random_ppm,
					 c == CREDIT_DISCREDITED ? 800000 : 0);
		}
	}
	/* 15% of 2000 = 300 +- 4.5 sd (72); standard and discredited: all */
	assert_in_range(red[CREDIT_ADVANCED], 300 - 72, 300 + 72);
	assert_int_equal(red[CREDIT_STANDARD], n);
	assert_int_equal(red[CREDIT_DISCREDITED], n);
	/* the worse class of the two parties sets the rate: a discredited
	 * declarant naming a trusted consignee, and the other way round */
	static const struct {
		enum credit_class consignee, declarant, applied;
		uint32_t ppm; /* with a base rate of 2.4% */
	} pairs[] = {
		{CREDIT_ADVANCED, CREDIT_DISCREDITED, CREDIT_DISCREDITED, 800000},
		{CREDIT_DISCREDITED, CREDIT_ADVANCED, CREDIT_DISCREDITED, 800000},
		{CREDIT_ADVANCED, CREDIT_STANDARD, CREDIT_STANDARD, 24000},
		{CREDIT_STANDARD, CREDIT_ADVANCED, CREDIT_STANDARD, 24000},
		{CREDIT_ADVANCED, CREDIT_ADVANCED, CREDIT_ADVANCED, 3600},
	};
	p.random_ppm[CUSTOMS] = 24000;
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		f.consignee_credit = pairs[i].consignee;
		f.declarant_credit = pairs[i].declarant;
		assess(rs, &p, seed, &f, &o);
		assert_int_equal(o.credit_applied, pairs[i].applied);
		assert_int_equal(o.consignee_credit, pairs[i].consignee);
		assert_int_equal(o.agency[CUSTOMS].random_ppm, pairs[i].ppm);
	}
	risk_rules_free(rs);
}

/* The random selection draws below its rate and never at it: with the
 * rate set exactly to a declaration's draw it is not selected, one part
 * per million more and it is; a 0% rate selects nothing even for a draw of
 * 0 (the rate is compared with <, never <=). */
static void random_draw_boundary(void **state)
{
	struct risk_rules *rs = compile("");
	struct risk_profile p;
	struct risk_outcome o;
	struct risk_facts f;
	(void)state;
	risk_profile_init(&p);
	facts_init(&f);
	assess(rs, &p, seed, &f, &o);
	uint32_t draw = o.agency[CUSTOMS].random_draw;
	assert_true(draw > 0 && draw < 999999);
	static const struct {
		int64_t offset; /* rate = draw + offset */
		bool selected;
	} cases[] = {{-1, false}, {0, false}, {1, true}, {2, true}};
	for (size_t i = 0; i < 4; i++) {
		p.random_ppm[CUSTOMS] = (uint32_t)((int64_t)draw + cases[i].offset);
		assess(rs, &p, seed, &f, &o);
		assert_int_equal(o.agency[CUSTOMS].random_draw, draw);
		assert_int_equal(o.agency[CUSTOMS].random_selected, cases[i].selected);
		assert_int_equal(o.agency[CUSTOMS].lane,
				 cases[i].selected ? RISK_LANE_RED : RISK_LANE_GREEN);
	}
	/* a draw of exactly 0 (found once for this seed and kept): a 0% rate
	 * must not select it, 0.0001% must */
	p.random_ppm[CUSTOMS] = 0;
	f.key = zero_draw_number;
	assess(rs, &p, seed, &f, &o);
	assert_int_equal(o.agency[CUSTOMS].random_draw, 0);
	assert_false(o.agency[CUSTOMS].random_selected);
	p.random_ppm[CUSTOMS] = 1;
	assess(rs, &p, seed, &f, &o);
	assert_true(o.agency[CUSTOMS].random_selected);
	risk_rules_free(rs);
}

/* ------------------------------------------------------------------ */

/* The documented draw, computed here without the engine. */
static uint32_t ref_draw(const uint8_t *sd, int64_t version,
			 const char *number, const void *purpose, size_t plen)
{
	unsigned char msg[256], key[16], out[8];
	size_t n = 0, nl = strlen(number);
	uint64_t u = 0;

	for (int i = 0; i < 8; i++)
		msg[n++] = (unsigned char)((uint64_t)version >> (8 * i));
	msg[n++] = (unsigned char)nl;
	memcpy(msg + n, number, nl);
	n += nl;
	crypto_generichash(key, sizeof key, msg, n, sd, RISK_SEED_BYTES);
	crypto_shorthash(out, purpose, plen, key);
	for (int i = 7; i >= 0; i--)
		u = (u << 8) | out[i];
	return (uint32_t)(u % 1000000u);
}

static void draws_follow_the_documented_hash(void **state)
{
	struct risk_rules *rs = compile_v("# padding\n"
					  "when origin = \"XX\" then customs red 50%\n"
					  "when hs starts \"08\" then customs red 50%\n"
					  "when hs starts \"08\" then quarantine red "
					  "50%\n",
					  -77);
	struct risk_profile p;
	struct risk_outcome o;
	struct risk_facts f;
	const unsigned char rule1[] = { 'r', 'u', 'l', 'e', 1, 0, 0, 0 };
	const unsigned char rule2[] = { 'r', 'u', 'l', 'e', 2, 0, 0, 0 };
	const unsigned char rnd_customs[] = "random\x07" "customs";
	const unsigned char rnd_border[] = "random\x06" "border";

	(void)state;
	risk_profile_init(&p);
	facts_init(&f);
	assess(rs, &p, seed, &f, &o);
	assert_int_equal(o.version, -77);
	assert_int_equal(o.nhits, 2);
	assert_int_equal(o.hits[0].rule, 1);
	assert_int_equal(o.hits[0].draw,
			 ref_draw(seed, -77, f.key, rule1, sizeof rule1));
	assert_int_equal(o.hits[1].draw,
			 ref_draw(seed, -77, f.key, rule2, sizeof rule2));
	assert_int_equal(o.agency[CUSTOMS].random_draw,
			 ref_draw(seed, -77, f.key, rnd_customs,
				  sizeof rnd_customs - 1));
	assert_int_equal(o.agency[2].random_draw,
			 ref_draw(seed, -77, f.key, rnd_border,
				  sizeof rnd_border - 1));
	assert_true(o.hits[0].selected == (o.hits[0].draw < 500000));
	risk_rules_free(rs);
}

static void determinism(void **state)
{
	const char *text = "when hs starts \"08\" then customs yellow 50%\n"
			   "when origin = \"US\" then quarantine red 30%\n";
	struct risk_rules *v1 = compile_v(text, 1), *v1b = compile_v(text, 1);
	struct risk_rules *v2 = compile_v(text, 2);
	struct risk_profile p;
	struct risk_outcome a, b;
	struct risk_facts f;
	uint8_t seed2[RISK_SEED_BYTES];
	char number[32];
	int same_seed = 0, same_version = 0, selected = 0;
	const int n = 1000;

	(void)state;
	seed_fill(seed2, 99);
	risk_profile_init(&p);
	p.random_ppm[CUSTOMS] = 100000;
	facts_init(&f);
	f.key = number;
	for (int i = 0; i < n; i++) {
		snprintf(number, sizeof number, "5316202610%08d", i);
		assess(v1, &p, seed, &f, &a);
		/* again, and with another compile of the same text */
		assess(v1, &p, seed, &f, &b);
		assert_true(risk_outcome_equal(&a, &b));
		assess(v1b, &p, seed, &f, &b);
		assert_true(risk_outcome_equal(&a, &b));
		selected += a.hits[0].selected;
		/* another seed: different draws */
		assess(v1, &p, seed2, &f, &b);
		same_seed += a.hits[0].draw == b.hits[0].draw;
		same_seed += a.agency[CUSTOMS].random_draw ==
			     b.agency[CUSTOMS].random_draw;
		/* another version: different draws */
		assess(v2, &p, seed, &f, &b);
		assert_int_equal(b.version, 2);
		same_version += a.hits[0].draw == b.hits[0].draw;
		same_version += a.agency[CUSTOMS].random_draw ==
				b.agency[CUSTOMS].random_draw;
	}
	/* equal draws by chance: 2000 pairs at 1e-6 each */
	assert_true(same_seed <= 2);
	assert_true(same_version <= 2);
	/* 50%: 500 +- 4.5 sd (71) */
	assert_in_range(selected, 500 - 71, 500 + 71);
	/* the draws of one declaration are independent of each other */
	assess(v1, &p, seed, &f, &a);
	assert_int_not_equal(a.hits[0].draw, a.hits[1].draw);
	assert_int_not_equal(a.agency[0].random_draw, a.agency[1].random_draw);
	risk_rules_free(v1);
	risk_rules_free(v1b);
	risk_rules_free(v2);
}

/* A rule selects exactly when its draw is below its rate. */
static void draw_boundary(void **state)
{
	struct risk_rules *rs = compile("when hs starts \"08\" then customs red 50%");
	struct risk_profile p;
	struct risk_outcome o;
	struct risk_facts f;
	char text[128], pct[32];
	uint32_t draw;

	(void)state;
	risk_profile_init(&p);
	facts_init(&f);
	assess(rs, &p, seed, &f, &o);
	draw = o.hits[0].draw;
	risk_rules_free(rs);
	assert_true(draw > 0 && draw < 999999);
	/* the draw only depends on (version, number, rule index): a rule at
	 * exactly the draw's rate is not selected, one ppm more is */
	for (int extra = 0; extra <= 1; extra++) {
		uint32_t ppm = draw + (uint32_t)extra;

		snprintf(pct, sizeof pct, "%u.%04u", ppm / 10000, ppm % 10000);
		snprintf(text, sizeof text,
			 "when hs starts \"08\" then customs red %s%%", pct);
		rs = compile(text);
		assess(rs, &p, seed, &f, &o);
		assert_int_equal(o.hits[0].ppm, ppm);
		assert_int_equal(o.hits[0].draw, draw);
		assert_int_equal(o.hits[0].selected, extra == 1);
		risk_rules_free(rs);
	}
}

static void zero_and_hundred_percent(void **state)
{
	struct risk_rules *rs = compile(
		"when hs starts \"08\" then customs red 0%\n"
		"when hs starts \"08\" then quarantine red 100%\n"
		"when hs starts \"08\" then border yellow 0.0001%\n"
		"when hs starts \"08\" then maritime yellow 99.9999%\n");
	struct risk_profile p;
	struct risk_outcome o;
	struct risk_facts f;
	char number[32];
	int border = 0, maritime = 0;

	(void)state;
	risk_profile_init(&p);
	facts_init(&f);
	f.key = number;
	for (int i = 0; i < 3000; i++) {
		snprintf(number, sizeof number, "%018d", i);
		assess(rs, &p, seed, &f, &o);
		assert_int_equal(o.nhits, 4);
		assert_false(o.hits[0].selected);
		assert_true(o.hits[1].selected);
		assert_int_equal(o.hits[1].ppm, 1000000);
		assert_int_equal(o.hits[2].ppm, 1);
		assert_int_equal(o.hits[3].ppm, 999999);
		assert_int_equal(o.agency[CUSTOMS].lane, RISK_LANE_GREEN);
		assert_int_equal(o.agency[QUARANTINE].lane, RISK_LANE_RED);
		border += o.hits[2].selected;
		maritime += o.hits[3].selected;
	}
	assert_true(border <= 2);
	assert_true(maritime >= 2998);
	risk_rules_free(rs);
}

static void bad_inputs(void **state)
{
	struct risk_rules *rs = compile("when hs starts \"08\" then customs red 1%");
	struct risk_profile p;
	struct risk_outcome o;
	struct risk_facts f;
	char longnum[80];

	(void)state;
	risk_profile_init(&p);
	facts_init(&f);
	f.key = NULL;
	assert_int_equal(risk_assess(rs, &p, seed, &f, &o), KERR_INVALID);
	f.key = "";
	assert_int_equal(risk_assess_scan(rs, &p, seed, &f, &o), KERR_INVALID);
	memset(longnum, '1', sizeof longnum - 1);
	longnum[sizeof longnum - 1] = '\0';
	f.key = longnum;
	assert_int_equal(risk_assess(rs, &p, seed, &f, &o), KERR_INVALID);
	facts_init(&f);
	f.nitems = RISK_MAX_ITEMS + 1;
	assert_int_equal(risk_assess(rs, &p, seed, &f, &o), KERR_INVALID);
	facts_init(&f);
	p.advanced_factor_ppm = 250000;
	assert_int_equal(risk_assess(rs, &p, seed, &f, &o), KERR_INVALID);
	risk_rules_free(rs);
}

/* ------------------------------------------------------------------ */

static void explanation_json(void **state)
{
	struct risk_rules *rs = compile_v(examples, 9);
	struct risk_rules *other = compile_v(examples, 10);
	struct risk_profile p;
	struct risk_outcome o;
	struct risk_facts f;
	json_t *j, *ag, *customs, *quar, *hits, *h, *because, *rnd;

	(void)state;
	risk_profile_init(&p);
	p.random_ppm[CUSTOMS] = 24000;
	p.base_lane[2] = RISK_LANE_BLUE;
	facts_init(&f);
	f.agencies = (1u << CUSTOMS) | (1u << QUARANTINE) | (1u << 2);
	f.nitems = 2;
	f.items[1].hs = "8471300000";
	f.items[1].origin = "CN";
	f.new_importer = true;
	f.value_cny = 50000001;
	assess(rs, &p, seed, &f, &o);
	/* rule 0 (US apples), 2 (value and trade mode), 4 (new, 84) */
	assert_int_equal(o.nhits_total, 3);

	j = risk_outcome_json(rs, &o);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 9);
	assert_string_equal(json_string_value(json_object_get(j,
							      "consignee_credit")),
			    "standard");
	ag = json_object_get(j, "agencies");
	assert_int_equal(json_object_size(ag), 3); /* maritime does not act */
	assert_null(json_object_get(ag, "maritime"));

	quar = json_object_get(ag, "quarantine");
	assert_string_equal(json_string_value(json_object_get(quar, "lane")),
			    "red");
	because = json_object_get(quar, "because");
	assert_int_equal(json_array_size(because), 1);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(because, 0), "line")),
			 3);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(because, 0), "reason")),
			    "fire blight");

	customs = json_object_get(ag, "customs");
	rnd = json_object_get(customs, "random");
	assert_int_equal(json_integer_value(json_object_get(rnd, "rate_ppm")),
			 24000);
	assert_string_equal(json_string_value(json_object_get(rnd, "rate")),
			    "2.4");
	assert_int_equal(json_integer_value(json_object_get(rnd, "draw")),
			 o.agency[CUSTOMS].random_draw);
	assert_true(json_is_boolean(json_object_get(rnd, "selected")));
	assert_string_equal(json_string_value(json_object_get(customs, "lane")),
			    risk_lane_name(o.agency[CUSTOMS].lane));
	assert_int_equal(json_integer_value(json_object_get(customs,
							    "rules_hit")),
			 2);
	because = json_object_get(customs, "because");
	assert_true(json_array_size(because) >= 1);
	if (o.agency[CUSTOMS].cause == RISK_CAUSE_BASE)
		assert_string_equal(json_string_value(json_object_get(
					    json_array_get(because, 0), "base")),
				    "green");

	/* border: nothing hit, the base lane explains */
	because = json_object_get(json_object_get(ag, "border"), "because");
	assert_int_equal(json_array_size(because), 1);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(because, 0), "base")),
			    "blue");

	hits = json_object_get(j, "rules_hit");
	assert_int_equal(json_array_size(hits), 3);
	assert_int_equal(json_integer_value(json_object_get(j, "rules_hit_total")),
			 3);
	h = json_array_get(hits, 0);
	assert_int_equal(json_integer_value(json_object_get(h, "rule")), 0);
	assert_int_equal(json_integer_value(json_object_get(h, "line")), 3);
	assert_string_equal(json_string_value(json_object_get(h, "agency")),
			    "quarantine");
	assert_string_equal(json_string_value(json_object_get(h, "lane")), "red");
	assert_string_equal(json_string_value(json_object_get(h, "percent")),
			    "100");
	assert_int_equal(json_integer_value(json_object_get(h, "rate_ppm")),
			 1000000);
	assert_true(json_is_true(json_object_get(h, "selected")));
	assert_string_equal(json_string_value(json_object_get(h, "reason")),
			    "fire blight");
	assert_string_equal(json_string_value(json_object_get(h, "source")),
			    risk_rule_source(rs, 0));
	h = json_array_get(hits, 1);
	assert_int_equal(json_integer_value(json_object_get(h, "line")), 5);
	assert_string_equal(json_string_value(json_object_get(h, "percent")),
			    "30");
	assert_int_equal(json_integer_value(json_object_get(h, "draw")),
			 o.hits[1].draw);
	assert_true(json_is_boolean(json_object_get(h, "selected")));
	assert_true(json_boolean_value(json_object_get(h, "selected")) ==
		    o.hits[1].selected);
	assert_null(json_object_get(h, "reason"));
	h = json_array_get(hits, 2);
	assert_string_equal(json_string_value(json_object_get(h, "percent")),
			    "5.5");
	assert_int_equal(json_integer_value(json_object_get(h, "rate_ppm")),
			 55000);
	json_decref(j);

	/* the wrong rule set is refused */
	assert_null(risk_outcome_json(other, &o));

	/* random selection explains a red lane */
	p.random_ppm[CUSTOMS] = 1000000;
	assess(rs, &p, seed, &f, &o);
	j = risk_outcome_json(rs, &o);
	because = json_object_get(json_object_get(json_object_get(j, "agencies"),
						  "customs"),
				  "because");
	h = json_array_get(because, json_array_size(because) - 1);
	assert_true(json_is_true(json_object_get(h, "random")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(
				    json_object_get(j, "agencies"), "customs"),
							      "lane")),
			    "red");
	json_decref(j);
	risk_rules_free(rs);
	risk_rules_free(other);
}

/* ------------------------------------------------------------------ */
/* random rule sets: the index never loses a rule the scan finds       */

static const char *const r_hs[] = { "0808100000", "0808109000", "8471300000",
				    "8471500000", "0303", "8542310000",
				    "9403", "6109100000", "" };
static const char *const r_cc[] = { "US", "CL", "CN", "KP", "IR", "JP", "DE" };
static const char *const r_tm[] = { "0110", "9610", "1210", "9710" };
static const char *const r_port[] = { "CNNSA", "CNYTN", "CNSHK", "HKHKG" };
static const char *const r_co[] = { "91440101MA59ABCD1X", "91440300MA5FXYZW2K",
				    "91110000100000000A" };
static const char *const r_cred[] = { "advanced", "standard", "discredited" };

#define PICK(a) (a[lcg_next() % (sizeof(a) / sizeof(a[0]))])

static size_t random_cond(char *buf, size_t n)
{
	switch (lcg_next() % 14) {
	case 0: {
		const char *h = PICK(r_hs);
		int len = 1 + (int)(lcg_next() % 6);

		if (!*h)
			h = "0808";
		return (size_t)snprintf(buf, n, "hs starts \"%.*s\"", len, h);
	}
	case 1: {
		const char *h = PICK(r_hs);

		return (size_t)snprintf(buf, n, "hs %s \"%s\"",
					lcg_next() % 3 ? "=" : "!=",
					*h ? h : "0303");
	}
	case 2:
		return (size_t)snprintf(buf, n, "origin %s \"%s\"",
					lcg_next() % 3 ? "=" : "!=", PICK(r_cc));
	case 3:
		return (size_t)snprintf(buf, n, "origin in (\"%s\", \"%s\")",
					PICK(r_cc), PICK(r_cc));
	case 4:
		return (size_t)snprintf(buf, n, "trade_mode %s \"%s\"",
					lcg_next() % 3 ? "=" : "!=", PICK(r_tm));
	case 5:
		return (size_t)snprintf(buf, n, "port in (\"%s\", \"%s\")",
					PICK(r_port), PICK(r_port));
	case 6:
		return (size_t)snprintf(buf, n, "consignee %s \"%s\"",
					lcg_next() % 3 ? "=" : "!=", PICK(r_co));
	case 7:
		return (size_t)snprintf(buf, n, "trading_country = \"%s\"",
					PICK(r_cc));
	case 8: {
		static const char *const ops[] = { ">", ">=", "<", "<=", "=",
						   "!=" };
		return (size_t)snprintf(buf, n, "value_cny %s %d", PICK(ops),
					(int)(lcg_next() % 5) * 1000);
	}
	case 9:
		return (size_t)snprintf(buf, n, "consignee credit %s %s",
					lcg_next() % 3 ? "=" : "!=", PICK(r_cred));
	case 10:
		return (size_t)snprintf(buf, n, "declarant credit in (%s, %s)",
					PICK(r_cred), PICK(r_cred));
	case 11:
		return (size_t)snprintf(buf, n, "new_importer %s %s",
					lcg_next() % 2 ? "=" : "!=",
					lcg_next() % 2 ? "true" : "false");
	case 12:
		return (size_t)snprintf(buf, n, "office = \"%s\"",
					lcg_next() % 2 ? "5316" : "5301");
	default:
		return (size_t)snprintf(buf, n, "transport_mode != \"%d\"",
					(int)(lcg_next() % 3) + 2);
	}
}

static char *random_rules(size_t nrules)
{
	static const char *const lanes[] = { "green", "blue", "yellow", "red" };
	size_t cap = nrules * 300 + 1, len = 0;
	char *text = malloc(cap);

	assert_non_null(text);
	for (size_t i = 0; i < nrules; i++) {
		size_t nc = 1 + lcg_next() % 3;

		len += (size_t)snprintf(text + len, cap - len, "when ");
		for (size_t k = 0; k < nc; k++) {
			if (k)
				len += (size_t)snprintf(text + len, cap - len,
							" and ");
			len += random_cond(text + len, cap - len);
		}
		len += (size_t)snprintf(text + len, cap - len,
					" then %s %s %d%%\n", PICK(agencies),
					PICK(lanes), (int)(lcg_next() % 101));
	}
	return text;
}

static void random_facts(struct risk_facts *f, char *number, size_t n, int i)
{
	facts_init(f);
	snprintf(number, n, "5316202610%08d", i);
	f->key = number;
	f->trade_mode = PICK(r_tm);
	f->transport_mode = lcg_next() % 2 ? "2" : "5";
	f->port = PICK(r_port);
	f->office = lcg_next() % 2 ? "5316" : "5301";
	f->trading_country = PICK(r_cc);
	f->consignee = PICK(r_co);
	f->declarant = PICK(r_co);
	f->consignee_credit = (enum credit_class)(lcg_next() % 3);
	f->declarant_credit = (enum credit_class)(lcg_next() % 3);
	f->new_importer = lcg_next() % 2;
	f->value_cny = (int64_t)(lcg_next() % 5) * 100000 - 1 +
		       (int64_t)(lcg_next() % 3);
	f->value_unknown = lcg_next() % 10 == 0;
	f->agencies = (agency_set)(lcg_next() % 16);
	f->nitems = lcg_next() % 5;
	for (size_t k = 0; k < f->nitems; k++) {
		f->items[k].hs = PICK(r_hs);
		f->items[k].origin = lcg_next() % 8 ? PICK(r_cc) : NULL;
	}
}

static void index_agrees_with_scan(void **state)
{
	struct risk_profile p;
	struct risk_outcome o;
	struct risk_facts f;
	char number[32];
	size_t total_hits = 0;

	(void)state;
	risk_profile_init(&p);
	p.random_ppm[CUSTOMS] = 30000;
	p.base_lane[3] = RISK_LANE_BLUE;
	for (int round = 0; round < 6; round++) {
		char *text = random_rules(round == 0 ? 5 : 400);
		struct risk_rules *rs = compile(text);

		for (int i = 0; i < 1500; i++) {
			random_facts(&f, number, sizeof number, i);
			assess(rs, &p, seed, &f, &o); /* compares with the scan */
			total_hits += o.nhits_total;
		}
		risk_rules_free(rs);
		free(text);
	}
	/* the sets are dense enough that most checks have something to find */
	assert_true(total_hits > 50000);
}

/* ------------------------------------------------------------------ */
/* threads                                                             */

#define T_DECLS 1500
#define T_THREADS 4

struct tshared {
	const struct risk_rules *rs;
	const struct risk_profile *p;
	struct risk_outcome *expected; /* T_DECLS */
	int failures;
};

static void thread_facts(struct risk_facts *f, char *number, int i)
{
	facts_init(f);
	snprintf(number, 32, "5316202610%08d", i);
	f->key = number;
	f->nitems = 1 + (size_t)(i % 3);
	f->items[0].hs = i % 2 ? "0808100000" : "8471300000";
	f->items[0].origin = i % 5 ? "US" : "KP";
	f->items[1].hs = "0303";
	f->items[1].origin = "CL";
	f->items[2].hs = "8542310000";
	f->items[2].origin = "JP";
	f->consignee_credit = (enum credit_class)(i % 3);
	f->value_cny = (int64_t)i * 100000;
}

static void *thread_main(void *arg)
{
	struct tshared *sh = arg;
	struct risk_outcome *o = malloc(sizeof *o);
	struct risk_facts f;
	char number[32];
	int bad = 0;

	if (!o)
		return (void *)1;
	for (int rep = 0; rep < 2; rep++) {
		for (int i = 0; i < T_DECLS; i++) {
			thread_facts(&f, number, i);
			if (risk_assess(sh->rs, sh->p, seed, &f, o) != KERR_OK ||
			    !risk_outcome_equal(o, &sh->expected[i]))
				bad++;
		}
	}
	free(o);
	return bad ? (void *)1 : NULL;
}

static void threads_share_a_rule_set(void **state)
{
	char *text;
	struct risk_rules *rs;
	struct risk_profile p;
	struct tshared sh;
	pthread_t t[T_THREADS];
	struct risk_facts f;
	char number[32];

	(void)state;
	lcg_state = 2024;
	text = random_rules(300);
	rs = compile(text);
	risk_profile_init(&p);
	p.random_ppm[CUSTOMS] = 50000;
	p.random_ppm[QUARANTINE] = 20000;
	sh.rs = rs;
	sh.p = &p;
	sh.expected = calloc(T_DECLS, sizeof *sh.expected);
	assert_non_null(sh.expected);
	for (int i = 0; i < T_DECLS; i++) {
		thread_facts(&f, number, i);
		assess(rs, &p, seed, &f, &sh.expected[i]);
	}
	for (int i = 0; i < T_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, thread_main, &sh), 0);
	for (int i = 0; i < T_THREADS; i++) {
		void *ret;

		assert_int_equal(pthread_join(t[i], &ret), 0);
		assert_null(ret);
	}
	free(sh.expected);
	risk_rules_free(rs);
	free(text);
}

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	seed_fill(seed, 1);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_examples),
		cmocka_unit_test(parse_errors),
		cmocka_unit_test(parse_limits),
		cmocka_unit_test(conditions_hs_origin),
		cmocka_unit_test(conditions_same_item),
		cmocka_unit_test(conditions_declaration_strings),
		cmocka_unit_test(conditions_value_cny),
		cmocka_unit_test(conditions_credit_and_new_importer),
		cmocka_unit_test(lanes_and_severity),
		cmocka_unit_test(many_hits_are_truncated_not_lost),
		cmocka_unit_test(credit_scaling),
		cmocka_unit_test(random_selection_by_credit),
		cmocka_unit_test(random_draw_boundary),
		cmocka_unit_test(draws_follow_the_documented_hash),
		cmocka_unit_test(determinism),
		cmocka_unit_test(draw_boundary),
		cmocka_unit_test(zero_and_hundred_percent),
		cmocka_unit_test(bad_inputs),
		cmocka_unit_test(explanation_json),
		cmocka_unit_test(index_agrees_with_scan),
		cmocka_unit_test(threads_share_a_rule_set),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
