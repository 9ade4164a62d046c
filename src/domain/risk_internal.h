/*
 * risk_internal.h - the compiled form of a risk rule set, shared by the
 * compiler (risk_rules.c) and the evaluator (risk.c). Nothing outside those
 * two files may include it.
 *
 * Conditions are normalised at compile time so that evaluation has few
 * cases: string `=`/`!=`/`in` become a (possibly negated) membership test in
 * a sorted value list; value_cny comparisons become a (possibly negated)
 * closed interval in fen; credit conditions become a mask of the classes
 * that satisfy them, and new_importer a mask over {false, true}.
 *
 * The index: each rule is filed under the keys of ONE of its conditions (the
 * one expected to match the fewest declarations); a declaration gathers the
 * rules filed under the keys it has, and only those are checked in full. A
 * rule with no indexable condition sits on the residual list and is always
 * checked. The compiled structure is never written after compilation.
 */
#ifndef KOUAN_RISK_INTERNAL_H
#define KOUAN_RISK_INTERNAL_H

#include <stdint.h>

#include "domain/risk.h"

enum rfield {
	F_HS,               /* item-level */
	F_ORIGIN,           /* item-level */
	F_TRADING_COUNTRY,  /* F_TRADING_COUNTRY..F_DECLARANT: decl strings */
	F_TRADE_MODE,
	F_TRANSPORT_MODE,
	F_PORT,
	F_OFFICE,
	F_CONSIGNEE,
	F_DECLARANT,
	F_VALUE,
	F_CONSIGNEE_CREDIT,
	F_DECLARANT_CREDIT,
	F_NEW_IMPORTER,
	F_COUNT
};

enum rkind {
	K_MEMBER, /* string in sorted list vals[0..nvals) (negate: not in) */
	K_PREFIX, /* string starts with vals[0] (hs only) */
	K_RANGE,  /* lo <= value_cny <= hi (negate: outside) */
	K_MASK,   /* bit (1 << fact) set in mask: credit class, new_importer */
};

struct rstr {
	uint32_t off; /* in pool */
	uint32_t len;
};

/* Values up to this length of a single-valued string condition are also
 * kept inside the condition, so checking it touches one cache line. */
#define RCOND_INLINE 24

struct rcond {
	uint8_t field; /* enum rfield */
	uint8_t kind;  /* enum rkind */
	uint8_t negate;
	uint8_t mask;
	uint32_t nvals;
	uint32_t vals;  /* first index in strs[] */
	uint8_t inl;    /* single value held in ival[0..ilen) */
	uint8_t ilen;
	union {
		struct {
			int64_t lo, hi; /* K_RANGE */
		};
		char ival[RCOND_INLINE];
	};
};

/* What evaluation reads of a rule (16 bytes: 10,000 rules fit in L2). */
struct rrule {
	uint32_t cond; /* first condition in conds[]: declaration-level ones,
			* then item-level ones */
	uint32_t ppm;
	uint16_t ndecl;
	uint16_t nitem;
	uint8_t agency;
	uint8_t lane;
};

/* What explanations read of a rule, kept apart from the hot part. */
struct rtext {
	uint32_t line;
	uint32_t source; /* NUL-terminated text in pool */
	uint32_t reason; /* NUL-terminated text in pool ("" when none) */
};

/* A posting list: rules[off .. off + n) of post[]. */
struct rpost {
	uint32_t off;
	uint32_t n;
};

/* hs prefix trie over the digits, laid out breadth first with the children
 * of a node next to each other: the child for digit d exists when bit d of
 * mask is set, at index first + (the number of set bits below d). The root
 * is node 0. 16 bytes a node, so the upper levels stay in cache. */
struct rtnode {
	uint16_t mask;
	uint16_t unused;
	uint32_t first;
	struct rpost post;
};

/* Equality key (field, bytes); value_cny keys are 8 bytes little-endian. */
struct rkey {
	uint64_t hash;
	struct rstr s;
	uint8_t field;
	struct rpost post;
};

/* value_cny bound: a rule filed here can hit only when value >= v (lower
 * list, ascending) or value <= v (upper list, descending). */
struct rbound {
	int64_t v;
	uint32_t rule;
};

struct risk_rules {
	int64_t version;
	size_t nagencies;
	char agency[RISK_MAX_AGENCIES][AGENCY_CODE_SIZE];
	uint8_t agency_len[RISK_MAX_AGENCIES];

	char *pool;
	size_t pool_len;
	struct rstr *strs;
	size_t nstrs;
	struct rcond *conds;
	size_t nconds;
	struct rrule *rules;
	struct rtext *texts; /* parallel to rules */
	size_t nrules;

	/* the index */
	uint32_t *post;
	size_t npost;
	struct rtnode *trie;
	size_t ntrie;
	struct rkey *keys;
	size_t nkeys;
	uint32_t *slots; /* open addressing: key index + 1, 0 = empty */
	size_t nslots;   /* a power of two */
	uint32_t key_fields; /* bit per field that has equality keys */
	struct rpost credit[2][3]; /* [consignee, declarant][class] */
	struct rpost new_importer[2]; /* [false, true] */
	struct rbound *lower;
	size_t nlower;
	struct rbound *upper;
	size_t nupper;
	struct rpost residual;
};

/* Hash of an equality key (also used by the evaluator to look one up). */
uint64_t risk_key_hash(unsigned field, const char *s, size_t len);

#endif
