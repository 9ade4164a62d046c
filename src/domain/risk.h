/*
 * risk.h - the selectivity engine: which lane (channel) each agency gives a
 * declaration, and why.
 *
 * Officers write rules in a small language (see below); a rule set is
 * compiled once into an immutable, indexed form and then shared by every
 * thread that assesses declarations. An assessment combines, per agency, the
 * base lane of the office profile, every rule that hits and is selected by
 * its draw, and a random selection whose rate follows the worse credit
 * class of the consignee and the declarant. Every draw is a keyed hash of
 * (rule-set version, consignment key, purpose): the key stands for the
 * consignment (consignee, bill of lading, containers; see
 * risk_consignment_key), not the declaration number, so lodging the same
 * goods again, under any number, draws the same lanes (no lane shopping by
 * withdrawing and lodging again), and an audit can show why.
 *
 * Pure domain code: it must never do I/O, touch SQL, read a clock or a
 * random source, use floating point, or mutate a compiled rule set after
 * risk_rules_compile returns.
 *
 * The rule language, one rule per line:
 *
 *   # a comment; blank lines are ignored
 *   when hs starts "0808" and origin = "US" then quarantine red 100% reason "fire blight"
 *   when consignee credit = discredited then customs red 80%
 *   when value_cny > 500000 and trade_mode = "0110" then customs yellow 30%
 *   when origin in ("KP", "IR") then customs red 100% reason "sanctions screening"
 *   when new_importer = true and hs starts "84" then customs yellow 5.5%
 *
 *   rule    := "when" cond ("and" cond)* "then" AGENCY LANE PERCENT
 *              ["reason" STRING] ["#" comment]
 *   cond    := "hs" ("starts" | "=" | "!=") STRING | "hs" "in" list
 *            | ("origin" | "trading_country" | "trade_mode" | "transport_mode"
 *              | "port" | "office" | "consignee" | "declarant")
 *              ("=" | "!=") STRING | ... "in" list
 *            | "value_cny" (">" | ">=" | "<" | "<=" | "=" | "!=") NUMBER
 *            | ("consignee credit" | "declarant credit") ("=" | "!=") CLASS
 *            | ... "in" "(" CLASS ("," CLASS)* ")"
 *            | "new_importer" ("=" | "!=") ("true" | "false")
 *   list    := "(" STRING ("," STRING)* ")"
 *   CLASS   := advanced | standard | discredited      (bare words)
 *   LANE    := green | blue | yellow | red
 *   PERCENT := 0 to 100 with at most 4 decimals, then '%' with no space
 *              (kept exactly in parts per million: 100% = 1000000)
 *   NUMBER  := CNY with at most 2 decimals (kept exactly in fen)
 *   STRING  := "..." with \" and \\ as the only escapes; UTF-8; no control
 *              characters
 *
 * Keywords are lower case. AGENCY is one of the codes given to the
 * compiler. hs values are 1 to 10 digits; origin and trading_country values
 * are ISO 3166 alpha-2 (two capital letters); other strings are non-empty.
 * `hs` and `origin` are item-level: a rule with item-level conditions hits
 * only when one single item satisfies all of them together (US apples, not
 * Chilean apples plus US laptops). The other fields are declaration-level.
 * An absent string fact (NULL or "") equals no value, so `!=` holds for
 * it; an unknown value_cny (value_unknown) satisfies no value_cny condition.
 *
 * Errors name the first problem in the text with its 1-based line and
 * column (columns count characters, a tab counts one). Lines end with LF or
 * CRLF; a line holds at most RISK_MAX_LINE bytes; a set holds at most
 * RISK_MAX_RULES rules. An empty set is valid.
 */
#ifndef KOUAN_RISK_H
#define KOUAN_RISK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "domain/refdata.h"

#define RISK_MAX_AGENCIES REF_MAX_AGENCIES /* 16 */
#define RISK_MAX_ITEMS 50
#define RISK_MAX_RULES 100000
#define RISK_MAX_LINE 4096 /* bytes, without the line end */
#define RISK_MAX_HITS 128  /* hits an outcome lists (all of them count) */
#define RISK_PPM 1000000u  /* one in parts per million: 100% */
#define RISK_SEED_BYTES 32
#define RISK_MAX_KEY 64    /* longest draw key accepted */
#define RISK_KEY_SIZE 33   /* a consignment key: 16-byte digest as hex */

/* Default profile figures (parts per million). */
#define RISK_ADVANCED_FACTOR_DEFAULT 150000u /* advanced = 15% of standard */
#define RISK_ADVANCED_FACTOR_LIMIT 200000u   /* must stay below 20% */
#define RISK_DISCREDITED_MIN_DEFAULT 800000u /* discredited at least 80% */

/* Lanes (ASYCUDA channels), in increasing severity. */
enum risk_lane {
	RISK_LANE_GREEN,  /* release at once */
	RISK_LANE_BLUE,   /* release, audit later */
	RISK_LANE_YELLOW, /* document check */
	RISK_LANE_RED,    /* physical inspection */
};

enum credit_class {
	CREDIT_ADVANCED,    /* 高级认证 (AEO) */
	CREDIT_STANDARD,    /* 常规 */
	CREDIT_DISCREDITED, /* 失信 */
};

/* "green", "blue", "yellow", "red"; "?" when out of range. */
const char *risk_lane_name(enum risk_lane lane);
/* "advanced", "standard", "discredited"; "?" when out of range. */
const char *credit_class_name(enum credit_class c);
/* Parse the names above; false when unknown. */
bool risk_lane_parse(const char *s, enum risk_lane *out);
bool credit_class_parse(const char *s, enum credit_class *out);

/* One goods item as the engine sees it. Strings are borrowed; NULL = "". */
struct risk_item {
	const char *hs;     /* commodity code, digits */
	const char *origin; /* ISO 3166 alpha-2 */
};

/* A declaration as the engine sees it. Every string is borrowed from the
 * caller for the duration of the call; NULL counts as "" (absent). */
struct risk_facts {
	/* the draws' key (required, 1..64 bytes): the consignment's, from
	 * risk_consignment_key */
	const char *key;
	const char *office; /* declaration office */
	const char *trade_mode;
	const char *transport_mode;
	const char *port; /* entry or exit port, UN/LOCODE */
	const char *trading_country;
	int64_t value_cny; /* fen */
	/* no exchange rate, say: then no value_cny condition holds, whatever
	 * its operator (not even !=) */
	bool value_unknown;
	const char *consignee; /* USCC */
	const char *declarant; /* USCC */
	enum credit_class consignee_credit;
	enum credit_class declarant_credit;
	bool new_importer;
	/* the agencies that act on this declaration (bit i = agency i of the
	 * rule set); others get no lane, no draw and no rule hits */
	agency_set agencies;
	size_t nitems; /* at most RISK_MAX_ITEMS */
	struct risk_item items[RISK_MAX_ITEMS];
};

/* The draw key of a consignment: BLAKE2b-128, as hex, of the consignee's
 * USCC, the bill of lading and the containers in ascending order, each
 * followed by a newline (containers may come in any order). */
void risk_consignment_key(const char *consignee, const char *bill,
			  const char *const *containers, size_t ncontainers,
			  char out[RISK_KEY_SIZE]);

/* An office's selectivity profile, per agency index of the rule set. The
 * random rate applies to a standard-credit party; an advanced one gets
 * random_ppm * advanced_factor_ppm / 1e6 (rounded down), a discredited one
 * max(random_ppm, discredited_min_ppm). */
struct risk_profile {
	uint32_t random_ppm[RISK_MAX_AGENCIES];
	enum risk_lane base_lane[RISK_MAX_AGENCIES];
	uint32_t advanced_factor_ppm;
	uint32_t discredited_min_ppm;
};

/* Defaults: no random selection, green base lanes, factor 15%, minimum
 * 80%. */
void risk_profile_init(struct risk_profile *p);

/* Is the profile acceptable? Every rate within 0..1e6, every base lane
 * valid, advanced_factor_ppm below RISK_ADVANCED_FACTOR_LIMIT (so an AEO
 * company's rate stays below 20% of the standard one). On failure returns
 * KERR_INVALID and writes a reason into msg (size n, may be 0). */
KOUAN_MUST_USE kerr risk_profile_check(const struct risk_profile *p, char *msg,
				       size_t n);

/* The random rate (ppm) an agency applies to a consignee of class c. */
uint32_t risk_random_rate(const struct risk_profile *p, size_t agency,
			  enum credit_class c);

/* Where compiling failed: 1-based line and column (in characters), the
 * message alone, and "line L, column C: message" in text. */
struct risk_error {
	unsigned line;
	unsigned column;
	char message[256];
	char text[320];
};

/* A compiled rule set: immutable, safe to share between threads. */
struct risk_rules;

/* Compile `len` bytes of rule text under `version` for the agency codes
 * agencies[0..nagencies-1] (at most RISK_MAX_AGENCIES; the rule set keeps
 * copies, and their indexes are the agency indexes everywhere else). On
 * success *out owns a new rule set (free with risk_rules_free). On a rule
 * error returns KERR_INVALID and fills *err with the first error (line 0
 * when the agency list itself is wrong); KERR_NOMEM when memory runs out.
 * err may be NULL. */
KOUAN_MUST_USE kerr risk_rules_compile(const char *text, size_t len,
				       int64_t version,
				       const char *const *agencies,
				       size_t nagencies,
				       struct risk_rules **out,
				       struct risk_error *err);
void risk_rules_free(struct risk_rules *rs);

int64_t risk_rules_version(const struct risk_rules *rs);
size_t risk_rules_count(const struct risk_rules *rs);
size_t risk_rules_agency_count(const struct risk_rules *rs);
/* Agency code by index, or NULL. */
const char *risk_rules_agency(const struct risk_rules *rs, size_t agency);
/* The rule's source text (its line without surrounding blanks), its line
 * number, and its reason ("" if none); NULL / 0 when index is out of range.
 * Strings live as long as the rule set. */
const char *risk_rule_source(const struct risk_rules *rs, size_t index);
unsigned risk_rule_line(const struct risk_rules *rs, size_t index);
const char *risk_rule_reason(const struct risk_rules *rs, size_t index);
/* The agency index a rule acts for, or -1 when index is out of range. */
int risk_rule_agency(const struct risk_rules *rs, size_t index);

/* A rule that hit the declaration (its conditions hold). */
struct risk_hit {
	uint32_t rule;  /* index in the rule set */
	uint32_t line;  /* line in the rule text */
	uint32_t ppm;   /* the rule's rate */
	uint32_t draw;  /* u mod 1e6; selected when draw < ppm */
	uint8_t agency; /* agency index */
	uint8_t lane;   /* enum risk_lane */
	bool selected;
};

/* Why an agency's lane is what it is: the base lane alone, a selected rule
 * (the lowest-index selected rule of that lane), or the random draw. When
 * both a rule and the random draw made it red, the cause is the rule. */
enum risk_cause {
	RISK_CAUSE_BASE,
	RISK_CAUSE_RULE,
	RISK_CAUSE_RANDOM,
};

struct risk_agency_outcome {
	enum risk_lane lane;
	enum risk_lane base_lane;
	enum risk_cause cause;
	uint32_t rule;        /* deciding rule index when cause is RULE */
	uint32_t rules_hit;   /* rules of this agency that hit */
	uint32_t rules_selected;
	uint32_t random_ppm;  /* the rate after credit scaling */
	uint32_t random_draw; /* u mod 1e6 */
	bool random_selected; /* random_draw < random_ppm: red */
};

/* The result of one assessment. Agencies not in `agencies` are left
 * zeroed. hits[] lists the first RISK_MAX_HITS hits in rule order; nhits_total
 * counts all of them, and every hit counts for the lanes. */
struct risk_outcome {
	int64_t version;
	enum credit_class consignee_credit;
	/* the class the random rate followed: the worse of the consignee's and
	 * the declarant's */
	enum credit_class credit_applied;
	agency_set agencies; /* the agencies assessed */
	size_t nagencies;    /* the rule set's agency count */
	struct risk_agency_outcome agency[RISK_MAX_AGENCIES];
	size_t nhits;
	size_t nhits_total;
	struct risk_hit hits[RISK_MAX_HITS];
};

/*
 * Assess a declaration with the indexed evaluator. Deterministic: the same
 * facts, rule set (version), profile and seed give the same outcome. Reads
 * the rule set only, so any number of threads may assess with one rule set
 * at once. Returns KERR_INVALID (outcome unspecified) when the facts lack a
 * key, carry more than RISK_MAX_ITEMS items, or the profile fails
 * risk_profile_check.
 *
 * Draws: a 16-byte key k = BLAKE2b (crypto_generichash, keyed with the
 * seed) over
 *     int64 LE version || uint8 len(key) || key
 * is made once per assessment; a draw's u is then the 8 bytes of
 * SipHash-2-4 (crypto_shorthash) under k of its purpose, read little-endian,
 * where purpose is "rule" || uint32 LE rule index, or
 * "random" || uint8 len(code) || agency code. A draw is u mod 1e6, and it
 * selects when it is below the rate in ppm (0% never, 100% always). One
 * keyed BLAKE2b per declaration and a cheap keyed SipHash per draw keep the
 * draws secret, replayable, and fast.
 */
KOUAN_MUST_USE kerr risk_assess(const struct risk_rules *rs,
				const struct risk_profile *profile,
				const uint8_t seed[RISK_SEED_BYTES],
				const struct risk_facts *facts,
				struct risk_outcome *out);

/* The same assessment by checking every rule in turn, without the index:
 * the reference the indexed evaluator is measured and tested against. */
KOUAN_MUST_USE kerr risk_assess_scan(const struct risk_rules *rs,
				     const struct risk_profile *profile,
				     const uint8_t seed[RISK_SEED_BYTES],
				     const struct risk_facts *facts,
				     struct risk_outcome *out);

/* Do two outcomes say the same (every field that is set, every hit)? */
bool risk_outcome_equal(const struct risk_outcome *a,
			const struct risk_outcome *b);

/*
 * The explanation of an outcome, as a new JSON reference (NULL when memory
 * runs out or `rs` is not the rule set of the outcome's version):
 *
 * {
 *   "version": 7,
 *   "consignee_credit": "standard",
 *   "credit_applied": "standard",       // the worse of consignee and declarant
 *   "agencies": {
 *     "customs": {
 *       "lane": "red", "base_lane": "green",
 *       "because": [                      // what set the lane
 *         {"rule": 2, "line": 3, "lane": "red", "reason": "..."},
 *         {"random": true}                // random selection made it red
 *       ],                                // or [{"base": "green"}]
 *       "rules_hit": 1, "rules_selected": 1,
 *       "random": {"rate_ppm": 24000, "rate": "2.4", "draw": 123456,
 *                  "selected": false}
 *     }, ...                              // assessed agencies only
 *   },
 *   "rules_hit": [                        // rule order, at most 128
 *     {"rule": 2, "line": 3, "agency": "customs", "lane": "yellow",
 *      "percent": "30", "rate_ppm": 300000, "draw": 123456,
 *      "selected": false, "reason": "...", "source": "when ..."}
 *   ],
 *   "rules_hit_total": 1                  // may exceed the list's length
 * }
 *
 * "percent" and "rate" are exact decimal strings without trailing zeros;
 * "reason" is present only when the rule has one.
 */
json_t *risk_outcome_json(const struct risk_rules *rs,
			  const struct risk_outcome *o);

#endif
