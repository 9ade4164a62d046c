/*
 * matching.h - a goods declaration against the manifest line of its bill of
 * lading on the same call (舱单比对): packages exactly, gross weight within
 * a tolerance, the same containers; splits of one bill over several
 * declarations; what happens to an advance declaration when its manifest
 * line arrives.
 *
 * The declaration members this adds (accepted by declaration.c, which
 * calls matching_validate_declaration):
 *   "split": {"part": k, "of": n}   the declaration covers part k of n of
 *                                   its bill of lading (2 <= n <= 99)
 *   "flow": "normal" | "direct_pickup" | "direct_loading"
 *
 * Pure: no I/O, no clock.
 */
#ifndef KOUAN_MATCHING_H
#define KOUAN_MATCHING_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/problems.h"
#include "domain/declaration.h"
#include "domain/manifest.h"
#include "domain/transport.h"

#define SPLIT_MAX_PARTS 99
#define MATCH_MAX_DIFFERENCES 16
#define MATCH_VALUE_MAX 48

/* How far a declared gross weight may be from the manifested one: the
 * larger of per_mille of the manifested weight and floor_g grams. */
struct weight_tolerance {
	int32_t per_mille;
	int64_t floor_g;
};

/* 5 % of the manifested weight, at least 0.5 kg (see docs/transport.md). */
#define WEIGHT_TOLERANCE_DEFAULT ((struct weight_tolerance){50, 500})

/* What matching needs of a declaration. */
struct transport_facts {
	bool import;
	bool advance;
	enum clearance_flow flow;
	char bill_of_lading[BILL_OF_LADING_MAX];
	int64_t packages;
	int64_t gross_weight_g;
	char containers[DECL_MAX_CONTAINERS][CONTAINER_NUMBER_MAX];
	size_t ncontainers;
	int split_part; /* 0 when the bill is declared whole */
	int split_of;
	char call_key[CALL_KEY_MAX];
	char party_uscc[USCC_SIZE]; /* consignee_uscc: the party in China */
	char hs_codes[DECL_MAX_ITEMS][HS_CODE_SIZE]; /* the items' */
	size_t nitems;
};

/* Check the transport members a declaration adds (split, flow) against the
 * rest of a body declaration_validate accepted: split is an object of
 * part and of; a direct pickup is an import by water declared in advance;
 * a direct loading an export by water. Problems at /split, /split/part,
 * /split/of, /flow. Returns true when nothing was added. */
bool matching_validate_declaration(const json_t *body, struct problems *p);

/* The transport facts of a body that passed both validations. */
bool matching_declaration_facts(const json_t *body, struct transport_facts *out);

/* Is `declared_g` within the tolerance of `manifested_g`? */
bool matching_weight_within(int64_t declared_g, int64_t manifested_g,
			    struct weight_tolerance tol);

enum match_difference_kind {
	DIFF_PACKAGES,           /* whole bill: packages differ */
	DIFF_WEIGHT,             /* whole bill: weight beyond tolerance */
	DIFF_CONTAINER_EXTRA,    /* a declared container is not on the line */
	DIFF_CONTAINER_MISSING,  /* a line container is not declared */
	DIFF_PART_PACKAGES,      /* one part declares more than the line has */
	DIFF_PART_WEIGHT,        /* one part weighs more than the line allows */
	DIFF_SPLIT_PARTS,        /* parts numbered wrongly or disagreeing on "of" */
	DIFF_SPLIT_PACKAGES,     /* the parts' packages do not add up */
	DIFF_SPLIT_WEIGHT,       /* the parts' weights do not add up */
	DIFF_SPLIT_CONTAINERS,   /* a line container is in no part */
	DIFF_PARTY,              /* the line names another party in China */
	DIFF_GOODS,              /* no item is of the line's HS heading */
	DIFF_KIND_COUNT
};

/* Wire names: "packages", "gross_weight", "container_not_manifested",
 * "container_not_declared", "part_packages", "part_gross_weight",
 * "split_parts", "split_packages", "split_gross_weight",
 * "split_containers", "party", "goods". */
const char *match_difference_name(enum match_difference_kind k);

/* One difference: the declaration's field, what it declares, what the
 * manifest line says ("" when it says nothing of that). */
struct match_difference {
	enum match_difference_kind kind;
	char field[PROBLEM_FIELD_MAX];
	char declared[MATCH_VALUE_MAX];
	char manifested[MATCH_VALUE_MAX];
};

struct match_result {
	bool matched;
	size_t n;       /* differences kept */
	size_t dropped; /* differences past MATCH_MAX_DIFFERENCES */
	struct match_difference d[MATCH_MAX_DIFFERENCES];
};

/* Compare a declaration with the manifest line of its bill. First, where
 * the line gives the USCC of the party in China (the consignee of an
 * import, the consignor of an export), the declaration's consignee_uscc
 * must be it: goods are declared by or for the company the manifest names
 * (the mandate check makes sure a broker acts for it). The line's USCC is
 * not told ("manifested" is ""): the declarant learns only that it is
 * another company's. Where the line gives the goods' HS heading, at least
 * one item's code must be of it (apples are not declared as tableware);
 * the heading is told only when the party matched. Then, whole: packages
 * equal, weight within tolerance,
 * the same containers. A split part: its packages and weight no more than
 * the line's (weight within tolerance), its containers all on the line
 * (the parts together are checked by matching_splits). Differences in
 * field order: /consignee_uscc, /items, /packages, /gross_weight_kg, then
 * /containers/N for a declared container not on the line and /containers
 * for a line container not declared. */
void matching_compare(const struct transport_facts *d,
		      const struct manifest_bill *line, struct weight_tolerance tol,
		      struct match_result *out);

/* The differences as problems (for refusing a lodging), each a sentence
 * naming the bill and both values. */
void matching_result_problems(const struct match_result *r, const char *bill,
			      struct weight_tolerance tol, struct problems *p);

/* The differences as a new JSON array of {"difference", "field",
 * "declared", "manifested"} (declared or manifested null when that side
 * says nothing of it). */
json_t *matching_result_json(const struct match_result *r);

enum split_state {
	SPLIT_WAITING,      /* parts missing so far; what is there fits */
	SPLIT_COMPLETE,     /* every part there, and they add up to the line */
	SPLIT_INCONSISTENT, /* the parts do not fit the line or each other */
};

/* The parts declared so far of one bill (each a split of `line`'s bill)
 * against the line: part numbers distinct and in 1..of, every part with the
 * same `of`; while parts are missing, their packages and weight may not
 * pass the line's; when all are there, packages add up exactly, weight
 * within tolerance, and the parts' containers cover the line's. Differences
 * at /split (declared totals against the line). */
enum split_state matching_splits(const struct manifest_bill *line,
				 const struct transport_facts *const *parts,
				 size_t n, struct weight_tolerance tol,
				 struct match_result *out);

/* A declaration already in progress (not withdrawn or rejected) for the
 * same bill of lading on the same call. */
struct bill_claim {
	const char *declaration; /* its number; "" for another company's (not told) */
	int split_part;          /* 0 when whole */
	int split_of;
};

/* May declaration `d` claim its bill, given the other claims? A bill is
 * declared once, or in parts that agree on `of` and do not repeat a part.
 * Problems at /bill_of_lading, /split/part or /split/of. */
bool matching_check_claims(const struct transport_facts *d,
			   const struct bill_claim *claims, size_t n,
			   struct problems *p);

/* What to do with a declaration and the manifest line of its bill. */
enum match_action {
	MATCH_PROCEED,  /* lodging: the line matches; go on as usual */
	MATCH_WAIT,     /* lodging: advance, no line yet; accept and wait */
	MATCH_REFUSE,   /* lodging: no line and not advance, or the line differs */
	MATCH_MATCHED,  /* line arrived: matches; tasks still open */
	MATCH_RELEASE,  /* line arrived: matches and every task is cleared */
	MATCH_MISMATCH, /* line arrived: differs; tell declarant and customs */
};

/* Wire names: "proceed", "wait", "refuse", "matched", "release",
 * "mismatch". */
const char *match_action_name(enum match_action a);

/* At lodging: the line of the declaration's bill on its call, or NULL when
 * the call has none (yet). On MATCH_REFUSE, the problems say why (the
 * differences, or that no manifest line exists). *r holds the comparison. */
enum match_action matching_on_lodging(const struct transport_facts *d,
				      const struct manifest_bill *line,
				      struct weight_tolerance tol,
				      struct match_result *r, struct problems *p);

/* When a manifest line arrives (or is amended) for a declaration that
 * waits for it, or was matched before: matched and every task cleared
 * (`tasks_cleared`) means release now; matched otherwise means carry on;
 * a difference is told to the declarant and customs, and the declaration
 * keeps waiting for a correction or an amendment. */
enum match_action matching_on_line(const struct transport_facts *d,
				   const struct manifest_bill *line,
				   bool tasks_cleared, struct weight_tolerance tol,
				   struct match_result *r);

#endif
