/*
 * matching.c - declarations against manifest lines, splits, claims on a
 * bill, and advance declarations (see matching.h).
 *
 * Weights are integers of grams; the tolerance is computed in 128 bits so
 * no weight a declaration accepts can overflow it.
 */
#include "domain/matching.h"

#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/decimal.h"
#include "domain/fields.h"
#include "domain/transport.h"

static const char *const diff_names[DIFF_KIND_COUNT] = {
	"packages",	    "gross_weight",	  "container_not_manifested",
	"container_not_declared", "part_packages", "part_gross_weight",
	"split_parts",	    "split_packages",	  "split_gross_weight",
	"split_containers", "party", "goods"};
static const char *const action_names[] = {"proceed", "wait", "refuse",
					   "matched", "release", "mismatch"};
static const char *const flow_values[] = {"normal", "direct_pickup",
					  "direct_loading", NULL};

const char *match_difference_name(enum match_difference_kind k)
{
	return k < DIFF_KIND_COUNT ? diff_names[k] : "packages";
}

const char *match_action_name(enum match_action a)
{
	return a <= MATCH_MISMATCH ? action_names[a] : "refuse";
}

/* --- the declaration's transport members --- */

bool matching_validate_declaration(const json_t *body, struct problems *p)
{
	struct fields f = {p, NULL};
	size_t before = p->count + p->dropped;
	const char *dir = json_string_value(json_object_get(body, "direction"));
	const char *mode = json_string_value(json_object_get(body, "transport_mode"));
	bool import = !dir || strcmp(dir, "export") != 0;
	bool by_water = mode && strcmp(mode, TRANSPORT_MODE_WATERWAY) == 0;
	bool advance = json_is_true(json_object_get(body, "advance"));
	const json_t *split = fields_object(&f, body, "split", "", false,
					    "part and of, such as {\"part\": 1, \"of\": 2}");
	if (split) {
		static const char *const allowed[] = {"part", "of", NULL};
		problems_unknown_fields(p, split, "/split", allowed, "part, of");
		int64_t of = 0, part = 0;
		bool of_ok = fields_whole(&f, split, "of", "/split", true, 2,
					  SPLIT_MAX_PARTS, &of);
		if (of_ok)
			fields_whole(&f, split, "part", "/split", true, 1, of, &part);
		else if (!json_is_integer(json_object_get(split, "part")) ||
			 json_integer_value(json_object_get(split, "part")) < 1)
			fields_whole(&f, split, "part", "/split", true, 1, SPLIT_MAX_PARTS,
				     &part);
	}
	int flow = fields_choice(&f, body, "flow", "", false, flow_values,
				 "\"normal\", \"direct_pickup\" (船边直提, imports) or "
				 "\"direct_loading\" (抵港直装, exports)");
	if (flow == FLOW_DIRECT_PICKUP) {
		if (!import)
			problems_add(p, "/flow",
				     "direct pickup (船边直提) is for imports; an export may "
				     "choose direct_loading");
		else if (!by_water)
			problems_add(p, "/flow",
				     "direct pickup takes the goods at the ship's side: it is "
				     "for waterway transport (\"2\") only");
		else if (!advance)
			problems_add(p, "/flow",
				     "direct pickup needs an advance declaration (\"advance\": "
				     "true), so the goods can be released before they are "
				     "discharged");
	} else if (flow == FLOW_DIRECT_LOADING) {
		if (import)
			problems_add(p, "/flow",
				     "direct loading (抵港直装) is for exports; an import may "
				     "choose direct_pickup");
		else if (!by_water)
			problems_add(p, "/flow",
				     "direct loading puts the goods on the ship as they reach "
				     "the terminal: it is for waterway transport (\"2\") only");
	}
	return p->count + p->dropped == before;
}

bool matching_declaration_facts(const json_t *body, struct transport_facts *out)
{
	memset(out, 0, sizeof *out);
	const char *dir = json_string_value(json_object_get(body, "direction"));
	const char *bl = json_string_value(json_object_get(body, "bill_of_lading"));
	const char *weight = json_string_value(json_object_get(body, "gross_weight_kg"));
	const json_t *pk = json_object_get(body, "packages");
	if (!dir || !bl || !weight || !json_is_integer(pk) ||
	    str_copy(out->bill_of_lading, bl, sizeof out->bill_of_lading) >=
		    sizeof out->bill_of_lading ||
	    decimal_parse(weight, SCALE_GROSS_WEIGHT, &out->gross_weight_g) != DECIMAL_OK)
		return false;
	out->import = strcmp(dir, "export") != 0;
	out->advance = json_is_true(json_object_get(body, "advance"));
	const char *party = json_string_value(json_object_get(body, "consignee_uscc"));
	if (party)
		str_copy(out->party_uscc, party, sizeof out->party_uscc);
	size_t k;
	json_t *item;
	json_array_foreach(json_object_get(body, "items"), k, item)
	{
		const char *hs = json_string_value(json_object_get(item, "hs_code"));
		if (k >= DECL_MAX_ITEMS || !hs)
			return false;
		str_copy(out->hs_codes[k], hs, HS_CODE_SIZE);
		out->nitems = k + 1;
	}
	out->packages = json_integer_value(pk);
	const char *flow = json_string_value(json_object_get(body, "flow"));
	if (flow && !clearance_flow_parse(flow, &out->flow))
		return false;
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(body, "containers"), i, c)
	{
		if (i >= DECL_MAX_CONTAINERS || !json_is_string(c))
			return false;
		str_copy(out->containers[i], json_string_value(c), CONTAINER_NUMBER_MAX);
		out->ncontainers = i + 1;
	}
	const json_t *split = json_object_get(body, "split");
	if (json_is_object(split)) {
		out->split_part = (int)json_integer_value(json_object_get(split, "part"));
		out->split_of = (int)json_integer_value(json_object_get(split, "of"));
		if (out->split_of < 2 || out->split_part < 1 || out->split_part > out->split_of)
			return false;
	}
	return transport_call_key_of_declaration(body, out->call_key);
}

/* --- comparing --- */

static __int128 tolerance_g(int64_t manifested_g, struct weight_tolerance tol)
{
	__int128 t = (__int128)manifested_g * tol.per_mille / 1000;
	return t > tol.floor_g ? t : tol.floor_g;
}

/* Is `declared_g` more than the line's weight and its tolerance? */
static bool over_line(int64_t declared_g, int64_t manifested_g,
		      struct weight_tolerance tol)
{
	return (__int128)declared_g >
	       (__int128)manifested_g + tolerance_g(manifested_g, tol);
}

bool matching_weight_within(int64_t declared_g, int64_t manifested_g,
			    struct weight_tolerance tol)
{
	__int128 diff = (__int128)declared_g - manifested_g;
	if (diff < 0)
		diff = -diff;
	return diff <= tolerance_g(manifested_g, tol);
}

static void weight_text(int64_t g, char *out)
{
	if (decimal_format(g, SCALE_GROSS_WEIGHT, out, MATCH_VALUE_MAX) < 0)
		str_copy(out, "?", MATCH_VALUE_MAX);
}

static void add_difference(struct match_result *r, enum match_difference_kind kind,
			   const char *field, const char *declared,
			   const char *manifested)
{
	r->matched = false;
	if (r->n >= MATCH_MAX_DIFFERENCES) {
		r->dropped++;
		return;
	}
	struct match_difference *d = &r->d[r->n++];
	d->kind = kind;
	str_copy(d->field, field, sizeof d->field);
	str_copy(d->declared, declared, sizeof d->declared);
	str_copy(d->manifested, manifested, sizeof d->manifested);
}

static void add_count(struct match_result *r, enum match_difference_kind kind,
		      const char *field, int64_t declared, int64_t manifested)
{
	char a[MATCH_VALUE_MAX], b[MATCH_VALUE_MAX];
	snprintf(a, sizeof a, "%lld", (long long)declared);
	snprintf(b, sizeof b, "%lld", (long long)manifested);
	add_difference(r, kind, field, a, b);
}

static void add_weight(struct match_result *r, enum match_difference_kind kind,
		       int64_t declared, int64_t manifested)
{
	char a[MATCH_VALUE_MAX], b[MATCH_VALUE_MAX];
	weight_text(declared, a);
	weight_text(manifested, b);
	add_difference(r, kind, "/gross_weight_kg", a, b);
}

static bool on_line(const struct manifest_bill *line, const char *number)
{
	for (size_t i = 0; i < line->ncontainers; i++)
		if (strcmp(line->containers[i].number, number) == 0)
			return true;
	return false;
}

static bool declared(const struct transport_facts *d, const char *number)
{
	for (size_t i = 0; i < d->ncontainers; i++)
		if (strcmp(d->containers[i], number) == 0)
			return true;
	return false;
}

void matching_compare(const struct transport_facts *d,
		      const struct manifest_bill *line, struct weight_tolerance tol,
		      struct match_result *out)
{
	memset(out, 0, sizeof *out);
	out->matched = true;
	bool party = !line->party_uscc || strcmp(d->party_uscc, line->party_uscc) == 0;
	if (!party)
		add_difference(out, DIFF_PARTY, "/consignee_uscc", d->party_uscc, "");
	bool of_heading = !line->hs_heading || !*line->hs_heading;
	for (size_t i = 0; !of_heading && i < d->nitems; i++)
		of_heading = !strncmp(d->hs_codes[i], line->hs_heading, strlen(line->hs_heading));
	if (!of_heading) /* the heading is told only to the party the line names */
		add_difference(out, DIFF_GOODS, "/items", d->nitems ? d->hs_codes[0] : "",
			       party ? line->hs_heading : "");
	bool part = d->split_of > 0;
	if (part ? d->packages > line->packages : d->packages != line->packages)
		add_count(out, part ? DIFF_PART_PACKAGES : DIFF_PACKAGES, "/packages",
			  d->packages, line->packages);
	if (part ? over_line(d->gross_weight_g, line->gross_weight_g, tol)
		 : !matching_weight_within(d->gross_weight_g, line->gross_weight_g, tol))
		add_weight(out, part ? DIFF_PART_WEIGHT : DIFF_WEIGHT, d->gross_weight_g,
			   line->gross_weight_g);
	for (size_t i = 0; i < d->ncontainers; i++) {
		if (on_line(line, d->containers[i]))
			continue;
		char at[FIELD_POINTER_MAX];
		fields_pointer_index(at, sizeof at, "/containers", i);
		add_difference(out, DIFF_CONTAINER_EXTRA, at, d->containers[i], "");
	}
	for (size_t i = 0; !part && i < line->ncontainers; i++)
		if (!declared(d, line->containers[i].number))
			add_difference(out, DIFF_CONTAINER_MISSING, "/containers", "",
				       line->containers[i].number);
}

void matching_result_problems(const struct match_result *r, const char *bill,
			      struct weight_tolerance tol, struct problems *p)
{
	char pct[16], floor[MATCH_VALUE_MAX];
	snprintf(pct, sizeof pct, "%d.%d", tol.per_mille / 10, tol.per_mille % 10);
	weight_text(tol.floor_g, floor);
	for (size_t i = 0; i < r->n; i++) {
		const struct match_difference *d = &r->d[i];
		switch (d->kind) {
		case DIFF_PACKAGES:
			problems_add(p, d->field,
				     "is %s but the manifest line of bill %s has %s "
				     "packages; packages must match exactly",
				     d->declared, bill, d->manifested);
			break;
		case DIFF_WEIGHT:
			problems_add(p, d->field,
				     "is %s kg but the manifest line of bill %s has %s kg; "
				     "a difference of up to %s %% of it (at least %s kg) is "
				     "accepted",
				     d->declared, bill, d->manifested, pct, floor);
			break;
		case DIFF_CONTAINER_EXTRA:
			problems_add(p, d->field,
				     "container %s is not on the manifest line of bill %s",
				     d->declared, bill);
			break;
		case DIFF_GOODS:
			problems_add(p, d->field,
				     "has no item of the HS heading the manifest line of bill %s "
				     "gives for these goods%s%s%s; declare the goods the carrier "
				     "carries",
				     bill, *d->manifested ? " (" : "", d->manifested,
				     *d->manifested ? ")" : "");
			break;
		case DIFF_PARTY:
			problems_add(p, d->field,
				     "is %s but the manifest line of bill %s names another "
				     "company in China for these goods; they are declared by "
				     "that company, or for it by a broker it has mandated",
				     d->declared, bill);
			break;
		case DIFF_CONTAINER_MISSING:
			problems_add(p, d->field,
				     "leaves out container %s, which the manifest line of "
				     "bill %s carries; declare every container of the bill",
				     d->manifested, bill);
			break;
		case DIFF_PART_PACKAGES:
			problems_add(p, d->field,
				     "is %s for one part, more than the %s packages on the "
				     "manifest line of bill %s",
				     d->declared, d->manifested, bill);
			break;
		case DIFF_PART_WEIGHT:
			problems_add(p, d->field,
				     "is %s kg for one part, more than the %s kg on the "
				     "manifest line of bill %s",
				     d->declared, d->manifested, bill);
			break;
		case DIFF_SPLIT_PARTS:
			problems_add(p, d->field,
				     "the parts of bill %s do not fit together: %s", bill,
				     d->declared);
			break;
		case DIFF_SPLIT_PACKAGES:
			problems_add(p, d->field,
				     "the parts of bill %s declare %s packages in all; its "
				     "manifest line has %s, and the parts must add up to it",
				     bill, d->declared, d->manifested);
			break;
		case DIFF_SPLIT_WEIGHT:
			problems_add(p, d->field,
				     "the parts of bill %s declare %s kg in all; its manifest "
				     "line has %s kg (up to %s %%, at least %s kg, apart is "
				     "accepted)",
				     bill, d->declared, d->manifested, pct, floor);
			break;
		case DIFF_SPLIT_CONTAINERS:
			problems_add(p, d->field,
				     "container %s of bill %s is in none of its parts; every "
				     "container of the bill is declared in one part at least",
				     d->manifested, bill);
			break;
		case DIFF_KIND_COUNT:
			break;
		}
	}
	if (r->dropped)
		problems_add(p, "/containers",
			     "%zu more differences from the manifest line of bill %s",
			     r->dropped, bill);
}

json_t *matching_result_json(const struct match_result *r)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < r->n; i++) {
		const struct match_difference *d = &r->d[i];
		json_t *o = json_pack("{s:s, s:s, s:o, s:o}", "difference",
				      match_difference_name(d->kind), "field", d->field,
				      "declared", *d->declared ? json_string(d->declared) : json_null(),
				      "manifested",
				      *d->manifested ? json_string(d->manifested) : json_null());
		if (!o || json_array_append_new(a, o)) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* --- splits and claims --- */

enum split_state matching_splits(const struct manifest_bill *line,
				 const struct transport_facts *const *parts,
				 size_t n, struct weight_tolerance tol,
				 struct match_result *out)
{
	memset(out, 0, sizeof *out);
	out->matched = true;
	if (!n)
		return SPLIT_WAITING;
	int of = parts[0]->split_of;
	bool seen[SPLIT_MAX_PARTS + 1] = {false};
	int64_t packages = 0, weight = 0;
	for (size_t i = 0; i < n; i++) {
		const struct transport_facts *t = parts[i];
		char why[MATCH_VALUE_MAX];
		if (t->split_of != of || t->split_part < 1 || t->split_part > of ||
		    of > SPLIT_MAX_PARTS) {
			snprintf(why, sizeof why, "part %d of %d among parts of %d",
				 t->split_part, t->split_of, of);
			add_difference(out, DIFF_SPLIT_PARTS, "/split", why, "");
			continue;
		}
		if (seen[t->split_part]) {
			snprintf(why, sizeof why, "part %d of %d twice", t->split_part, of);
			add_difference(out, DIFF_SPLIT_PARTS, "/split/part", why, "");
		}
		seen[t->split_part] = true;
		if (__builtin_add_overflow(packages, t->packages, &packages) ||
		    __builtin_add_overflow(weight, t->gross_weight_g, &weight))
			add_difference(out, DIFF_SPLIT_PARTS, "/split",
				       "totals too large to add up", "");
	}
	if (!out->matched)
		return SPLIT_INCONSISTENT;
	bool complete = n == (size_t)of;
	if (complete ? packages != line->packages : packages > line->packages)
		add_count(out, DIFF_SPLIT_PACKAGES, "/packages", packages, line->packages);
	if (complete ? !matching_weight_within(weight, line->gross_weight_g, tol)
		     : over_line(weight, line->gross_weight_g, tol))
		add_weight(out, DIFF_SPLIT_WEIGHT, weight, line->gross_weight_g);
	for (size_t c = 0; complete && c < line->ncontainers; c++) {
		bool found = false;
		for (size_t i = 0; i < n && !found; i++)
			found = declared(parts[i], line->containers[c].number);
		if (!found)
			add_difference(out, DIFF_SPLIT_CONTAINERS, "/containers", "",
				       line->containers[c].number);
	}
	if (!out->matched)
		return SPLIT_INCONSISTENT;
	return complete ? SPLIT_COMPLETE : SPLIT_WAITING;
}

bool matching_check_claims(const struct transport_facts *d,
			   const struct bill_claim *claims, size_t n,
			   struct problems *p)
{
	for (size_t i = 0; i < n; i++) {
		const struct bill_claim *c = &claims[i];
		/* "declaration N", or another company's not named */
		char on[DECL_NUMBER_SIZE + 16];
		if (*c->declaration)
			snprintf(on, sizeof on, "declaration %s", c->declaration);
		else
			str_copy(on, "another company's declaration", sizeof on);
		if (!d->split_of) {
			problems_add(p, "/bill_of_lading",
				     "bill of lading %s is already declared on %s; a bill is "
				     "declared once, or in parts with \"split\": {\"part\": k, "
				     "\"of\": n} on each declaration",
				     d->bill_of_lading, on);
			return false;
		}
		if (!c->split_of) {
			problems_add(p, "/split",
				     "bill of lading %s is declared whole on %s; it cannot also "
				     "be declared in parts",
				     d->bill_of_lading, on);
			return false;
		}
		if (c->split_of != d->split_of) {
			problems_add(p, "/split/of",
				     "%s declares bill %s in %d parts; every part must say "
				     "\"of\": %d",
				     on, d->bill_of_lading, c->split_of, c->split_of);
			return false;
		}
		if (c->split_part == d->split_part) {
			problems_add(p, "/split/part",
				     "part %d of bill %s is already declared on %s",
				     d->split_part, d->bill_of_lading, on);
			return false;
		}
	}
	return true;
}

/* --- advance declarations --- */

enum match_action matching_on_lodging(const struct transport_facts *d,
				      const struct manifest_bill *line,
				      struct weight_tolerance tol,
				      struct match_result *r, struct problems *p)
{
	memset(r, 0, sizeof *r);
	if (!line) {
		if (d->advance)
			return MATCH_WAIT;
		problems_add(p, "/bill_of_lading",
			     "no manifest of this call has a line for bill %s yet; lodge "
			     "the declaration with \"advance\": true to declare before "
			     "the manifest, or once the carrier has lodged it",
			     d->bill_of_lading);
		return MATCH_REFUSE;
	}
	matching_compare(d, line, tol, r);
	if (r->matched)
		return MATCH_PROCEED;
	matching_result_problems(r, d->bill_of_lading, tol, p);
	return MATCH_REFUSE;
}

enum match_action matching_on_line(const struct transport_facts *d,
				   const struct manifest_bill *line,
				   bool tasks_cleared, struct weight_tolerance tol,
				   struct match_result *r)
{
	matching_compare(d, line, tol, r);
	if (!r->matched)
		return MATCH_MISMATCH;
	return tasks_cleared ? MATCH_RELEASE : MATCH_MATCHED;
}
