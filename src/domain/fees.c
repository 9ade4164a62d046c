/*
 * fees.c - the port fee catalogue, charges and the inspection waiver (see
 * fees.h). A charge never comes from anything but a catalogue item.
 */
#include "domain/fees.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/date.h"
#include "common/decimal.h"
#include "domain/fields.h"

#define QUANTITY_ONE 1000 /* 10^FEE_QUANTITY_SCALE */

static const char *const charger_names[] = { "terminal", "port_authority",
					     "inspection_site", "shipping_agent",
					     "tally" };
static const char *const unit_names[] = { "container", "teu", "container_day",
					  "declaration", "tonne" };
/* what one unit is called in a sentence */
static const char *const unit_words[] = { "containers", "TEU", "container-days",
					  "declarations", "tonnes" };
static const char *const inspection_names[] = { "none", "lifting", "moving",
						 "storage", "unpacking" };
static const char *const payer_names[] = { "trader", "state" };
static const char *const outcome_names[] = { "none", "no_problem", "problem" };

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *name_of(const char *const *names, size_t n, unsigned i)
{
	return i < n ? names[i] : "?";
}

/* Index of s in names, or -1. */
static int index_of(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(names[i], s))
			return (int)i;
	return -1;
}

const char *fee_charger_name(enum fee_charger c)
{
	return name_of(charger_names, COUNT(charger_names), c);
}

const char *fee_unit_name(enum fee_unit u)
{
	return name_of(unit_names, COUNT(unit_names), u);
}

const char *fee_inspection_name(enum fee_inspection i)
{
	return name_of(inspection_names, COUNT(inspection_names), i);
}

const char *fee_payer_name(enum fee_payer p)
{
	return name_of(payer_names, COUNT(payer_names), p);
}

const char *inspection_outcome_name(enum inspection_outcome o)
{
	return name_of(outcome_names, COUNT(outcome_names), o);
}

bool inspection_outcome_parse(const char *s, enum inspection_outcome *out)
{
	if (!s || !*s) {
		*out = INSPECTION_NONE;
		return true;
	}
	if (!strcmp(s, "no_problem"))
		*out = INSPECTION_NO_PROBLEM;
	else if (!strcmp(s, "problem"))
		*out = INSPECTION_PROBLEM;
	else
		return false;
	return true;
}

static bool code_chars(const char *s, bool lower_ok)
{
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      (lower_ok && ((*s >= 'a' && *s <= 'z') || *s == '.' || *s == '_'))))
			return false;
	return true;
}

static bool locode_chars(const char *s)
{
	if (strlen(s) != 5 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z')
		return false;
	for (int i = 2; i < 5; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '2' && s[i] <= '9')))
			return false;
	return true;
}

/* An enum member named by one of `names`; -1 (with a problem) otherwise. */
static int enum_field(const json_t *obj, const char *key, const char *at,
		      bool required, const char *const *names, size_t n,
		      const char *accepted, struct problems *p)
{
	struct fields fs = {.p = p};
	const char *s = fields_text(&fs, obj, key, at, required, 32);
	int i = index_of(names, n, s);
	char f[PROBLEM_FIELD_MAX];

	if (s && i < 0) {
		json_pointer_to(f, sizeof f, at, key);
		problems_add(p, f, "must be one of %s", accepted);
	}
	return i;
}

/* strdup of an optional string; false when out of memory. */
static bool keep(const char *s, char **out)
{
	*out = NULL;
	return !s || (*out = strdup(s)) != NULL;
}

static const char *const item_fields[] = {
	"code", "charged_by", "charger", "service_en", "service_zh", "unit", "price",
	"legal_basis", "inspection_service", "container_size", "sized_service", NULL
};
static const char item_accepted[] =
	"code, charged_by, charger, service_en, service_zh, unit, price, "
	"legal_basis, inspection_service, container_size, sized_service";

/* A service priced by the container's size: container_size (20, 40, 45)
 * and sized_service, both or neither, and only by the container. */
static void parse_size(const json_t *j, const char *at, struct fee_item *it,
		       struct problems *p)
{
	struct fields fs = {.p = p};
	char f[PROBLEM_FIELD_MAX];
	int64_t feet = 0;
	const char *unit = json_string_value(json_object_get(j, "unit"));
	const json_t *size = json_object_get(j, "container_size");
	bool has_size = size && !json_is_null(size);
	json_pointer_to(f, sizeof f, at, "container_size");
	if (!has_size) {
		/* any container */
	} else if (!fields_whole(&fs, j, "container_size", at, true, 20, 45, &feet)) {
		/* said */
	} else if (feet != 20 && feet != 40 && feet != 45) {
		problems_add(p, f, "must be 20, 40 or 45 (feet)");
	} else if (unit && strcmp(unit, "container")) {
		problems_add(p, f, "is only for an item charged by the container");
	} else {
		it->container_size = (int)feet;
	}
	const char *service = fields_text(&fs, j, "sized_service", at, false, FEE_CODE_MAX - 1);
	json_pointer_to(f, sizeof f, at, "sized_service");
	if (service && !has_size)
		problems_add(p, f, "is only for an item with a container_size");
	else if (service && !code_chars(service, false))
		problems_add(p, f, "must be capital letters, digits or '-', such as \"THC\"");
	else if (service)
		str_copy(it->sized_service, service, sizeof it->sized_service);
	else if (has_size && !json_object_get(j, "sized_service"))
		problems_add(p, f, "is required with container_size: the service its sizes "
				   "share, such as \"THC\"");
}

/* Parse an item; false only when out of memory. */
static bool parse_item(const json_t *j, const char *at, struct fee_item *it,
		       struct problems *p)
{
	struct fields fs = {.p = p};
	const char *code, *charger, *en, *zh, *basis;
	int by, unit, insp = 0;
	char f[PROBLEM_FIELD_MAX];

	if (!json_is_object(j)) {
		problems_add(p, at, "must be an object with %s", item_accepted);
		return true;
	}
	problems_unknown_fields(p, j, at, item_fields, item_accepted);
	code = fields_text(&fs, j, "code", at, true, FEE_CODE_MAX - 1);
	json_pointer_to(f, sizeof f, at, "code");
	if (code && !code_chars(code, false))
		problems_add(p, f, "must be capital letters, digits or '-', such as \"INSP-LIFT\"");
	else if (code)
		str_copy(it->code, code, sizeof it->code);
	by = enum_field(j, "charged_by", at, true, charger_names, COUNT(charger_names),
			"terminal, port_authority, inspection_site, shipping_agent, tally",
			p);
	charger = fields_text(&fs, j, "charger", at, false, 100);
	en = fields_text(&fs, j, "service_en", at, true, 200);
	zh = fields_text(&fs, j, "service_zh", at, false, 100);
	unit = enum_field(j, "unit", at, true, unit_names, COUNT(unit_names),
			  "container, teu, container_day, declaration, tonne", p);
	fields_decimal_max(&fs, j, "price", at, 2, true, true, FEE_PRICE_MAX, &it->price);
	basis = fields_text(&fs, j, "legal_basis", at, true, 500);
	if (json_object_get(j, "inspection_service") &&
	    !json_is_null(json_object_get(j, "inspection_service")))
		insp = enum_field(j, "inspection_service", at, false, inspection_names + 1,
				  COUNT(inspection_names) - 1,
				  "lifting, moving, storage, unpacking (or null)", p) + 1;
	it->charged_by = by < 0 ? FEE_BY_TERMINAL : (enum fee_charger)by;
	it->unit = unit < 0 ? FEE_PER_CONTAINER : (enum fee_unit)unit;
	it->inspection = insp < 0 ? FEE_INSPECTION_NONE : (enum fee_inspection)insp;
	parse_size(j, at, it, p);
	return keep(charger, &it->charger) && keep(en, &it->service_en) &&
	       keep(zh, &it->service_zh) && keep(basis, &it->legal_basis);
}

static int item_cmp(const void *a, const void *b)
{
	return strcmp(((const struct fee_item *)a)->code,
		      ((const struct fee_item *)b)->code);
}

static const char *const catalogue_fields[] = { "id", "port", "effective_from",
						"description", "items", NULL };

struct fee_catalogue *fee_catalogue_parse(const json_t *doc,
					  const struct refdata *ref,
					  struct problems *p)
{
	struct fields fs = {.p = p};
	size_t before = p->count + p->dropped, i;
	struct fee_catalogue *c;
	const char *id, *port, *desc;
	const json_t *items;
	json_t *e;
	const struct ref_list *ports = ref ? refdata_list(ref, "ports") : NULL;

	if (!json_is_object(doc)) {
		problems_add(p, "", "a fee catalogue must be a JSON object with id, port, "
				    "effective_from and items");
		return NULL;
	}
	if (!(c = calloc(1, sizeof *c)))
		goto nomem;
	problems_unknown_fields(p, doc, "", catalogue_fields,
				"id, port, effective_from, description, items");
	id = fields_text(&fs, doc, "id", "", true, FEE_ID_MAX - 1);
	if (id && !code_chars(id, true))
		problems_add(p, "/id", "must be letters, digits, '.', '-' or '_', such "
				       "as \"CNNSA-2026\"");
	else if (id)
		str_copy(c->id, id, sizeof c->id);
	port = fields_text(&fs, doc, "port", "", true, 8);
	if (port && !locode_chars(port))
		problems_add(p, "/port", "must be a UN/LOCODE such as \"CNNSA\"");
	else if (port && ports && ports->n && !refdata_has(ref, "ports", port))
		problems_add(p, "/port", "'%s' is not a known port (see GET "
					 "/v1/reference/ports)", port);
	else if (port)
		str_copy(c->port, port, sizeof c->port);
	fields_date(&fs, doc, "effective_from", "", true, &c->effective_from);
	desc = fields_text(&fs, doc, "description", "", false, 500);
	if (!keep(desc, &c->description))
		goto nomem;
	items = fields_array(&fs, doc, "items", "", true, false, FEE_MAX_ITEMS);
	if (items && json_array_size(items) == 0)
		problems_add(p, "/items", "must have at least one item");
	if (items && !(c->items = calloc(json_array_size(items) + 1, sizeof *c->items)))
		goto nomem;
	json_array_foreach(items, i, e)
	{
		char f[PROBLEM_FIELD_MAX];

		fields_pointer_index(f, sizeof f, "/items", i);
		c->nitems++;
		if (!parse_item(e, f, &c->items[i], p))
			goto nomem;
		for (size_t k = 0; c->items[i].code[0] && k < i; k++) {
			if (!strcmp(c->items[k].code, c->items[i].code)) {
				char cf[PROBLEM_FIELD_MAX];

				json_pointer_to(cf, sizeof cf, f, "code");
				problems_add(p, cf, "repeats %s (/items/%zu)",
					     c->items[i].code, k);
				break;
			}
		}
	}
	if (p->count + p->dropped != before)
		goto fail;
	qsort(c->items, c->nitems, sizeof *c->items, item_cmp);
	return c;
nomem:
	problems_add(p, "", "the fee catalogue could not be stored (out of memory)");
fail:
	fee_catalogue_free(c);
	return NULL;
}

void fee_catalogue_free(struct fee_catalogue *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nitems; i++) {
		free(c->items[i].charger);
		free(c->items[i].service_en);
		free(c->items[i].service_zh);
		free(c->items[i].legal_basis);
	}
	free(c->items);
	free(c->description);
	free(c);
}

const struct fee_item *fee_find(const struct fee_catalogue *c, const char *code)
{
	struct fee_item key;

	if (!c || !code || strlen(code) >= sizeof key.code)
		return NULL;
	str_copy(key.code, code, sizeof key.code);
	return bsearch(&key, c->items, c->nitems, sizeof *c->items, item_cmp);
}

enum fee_payer fee_payer_for(const struct fee_item *item,
			     enum inspection_outcome outcome, char *reason, size_t n)
{
	const char *service = fee_inspection_name(item->inspection);

	switch (item->inspection) {
	case FEE_INSPECTION_LIFTING:
	case FEE_INSPECTION_MOVING:
	case FEE_INSPECTION_STORAGE:
		if (outcome == INSPECTION_NO_PROBLEM) {
			snprintf(reason, n, "waived for the trader: %s for an inspection "
					    "that found no problem is borne by the state",
				 service);
			return FEE_PAYER_STATE;
		}
		snprintf(reason, n, outcome == INSPECTION_PROBLEM
					    ? "charged: the inspection found a problem"
					    : "charged: the inspection is not complete (%s "
					      "is waived if it finds no problem)",
			 service);
		return FEE_PAYER_TRADER;
	case FEE_INSPECTION_UNPACKING:
		snprintf(reason, n, "charged: %s is not among the inspection services "
				    "the state bears (lifting, moving, storage)",
			 service);
		return FEE_PAYER_TRADER;
	case FEE_INSPECTION_NONE:
		break;
	}
	snprintf(reason, n, "charged: not an inspection service");
	return FEE_PAYER_TRADER;
}

int fee_container_size(const char *size_type)
{
	switch (size_type ? size_type[0] : '\0') {
	case '2':
		return 20;
	case '4':
		return 40;
	case 'L':
		return 45;
	default:
		return 0;
	}
}

static int size_index(int feet)
{
	return feet == 20 ? 0 : feet == 40 ? 1 : 2;
}

/* A sized item: within the containers of its size or of no size known,
 * and its service once a container whatever the size. The bound that
 * leaves less decides (allowed, what counts as charged, the words). */
static void sized_bound(const struct fee_item *it, const struct fee_goods *g,
			const struct fee_charged *done, int64_t *allowed, int64_t *charged,
			char *basis, size_t n)
{
	int64_t unsized = g->containers - g->sized[0] - g->sized[1] - g->sized[2];
	int64_t fit = g->sized[size_index(it->container_size)] + (unsized > 0 ? unsized : 0);
	int64_t by_size = fit * QUANTITY_ONE - done->item;
	int64_t by_service = g->containers * QUANTITY_ONE - done->service;
	if (by_size <= by_service) {
		*allowed = fit * QUANTITY_ONE;
		*charged = done->item;
		snprintf(basis, n,
			 "the declaration has %lld %d-foot container(s) by its manifest line and "
			 "%lld of no size known",
			 (long long)g->sized[size_index(it->container_size)], it->container_size,
			 (long long)(unsized > 0 ? unsized : 0));
	} else {
		*allowed = g->containers * QUANTITY_ONE;
		*charged = done->service;
		snprintf(basis, n,
			 "the declaration has %lld container(s) and %s is charged once a "
			 "container, whatever its size",
			 (long long)g->containers, it->sized_service);
	}
}

bool fee_within_goods(const struct fee_catalogue *c, const char *code, int64_t quantity,
		      const struct fee_goods *g, const struct fee_charged *charges,
		      struct problems *p)
{
	const struct fee_item *it = fee_find(c, code);
	if (!it)
		return false;
	char basis[200], done[32], left[32], asked[32];
	int64_t allowed, charged = charges->item;
	switch (it->unit) {
	case FEE_PER_CONTAINER:
		allowed = g->containers * QUANTITY_ONE;
		snprintf(basis, sizeof basis, "the declaration has %lld container(s)",
			 (long long)g->containers);
		if (it->container_size)
			sized_bound(it, g, charges, &allowed, &charged, basis, sizeof basis);
		break;
	case FEE_PER_TEU:
		allowed = 2 * g->containers * QUANTITY_ONE;
		snprintf(basis, sizeof basis,
			 "the declaration's %lld container(s) are at most %lld TEU",
			 (long long)g->containers, (long long)(2 * g->containers));
		break;
	case FEE_PER_CONTAINER_DAY:
		allowed = g->container_days * QUANTITY_ONE;
		snprintf(basis, sizeof basis,
			 "its containers have been in the yard %lld container-day(s) so far, "
			 "each day begun counting",
			 (long long)g->container_days);
		break;
	case FEE_PER_DECLARATION:
		allowed = QUANTITY_ONE;
		str_copy(basis, "a declaration is charged once", sizeof basis);
		break;
	case FEE_PER_TONNE:
	default:
		/* tonnes scaled by 10^3 are kilograms: each one begun */
		allowed = (g->gross_weight_g + 999) / 1000;
		decimal_format_trim(allowed, FEE_QUANTITY_SCALE, left, sizeof left);
		snprintf(basis, sizeof basis, "the declaration's goods weigh %s t", left);
		break;
	}
	if (quantity <= allowed - charged)
		return true;
	decimal_format_trim(charged, FEE_QUANTITY_SCALE, done, sizeof done);
	decimal_format_trim(allowed > charged ? allowed - charged : 0, FEE_QUANTITY_SCALE, left,
			    sizeof left);
	decimal_format_trim(quantity, FEE_QUANTITY_SCALE, asked, sizeof asked);
	problems_add(p, "/quantity",
		     "is %s %s of '%s', more than the goods allow: %s, %s charged already, so at "
		     "most %s more",
		     asked, unit_words[it->unit], it->code, basis, done, left);
	return false;
}

kerr fee_charge(const struct fee_catalogue *c, const char *code, int64_t quantity,
		enum inspection_outcome outcome, struct fee_charge *out,
		struct problems *p)
{
	const struct fee_item *it = fee_find(c, code);
	char max[32];

	if (!it) {
		problems_add(p, "/code",
			     "'%.40s' is not in the published fee catalogue %s of %s; "
			     "only catalogue items may be charged",
			     code ? code : "", c ? c->id : "", c ? c->port : "");
		return KERR_INVALID;
	}
	if (quantity <= 0) {
		problems_add(p, "/quantity", "must be greater than zero");
		return KERR_INVALID;
	}
	if (quantity > FEE_QUANTITY_MAX) {
		decimal_format_trim(FEE_QUANTITY_MAX, FEE_QUANTITY_SCALE, max, sizeof max);
		problems_add(p, "/quantity", "must be at most %s", max);
		return KERR_INVALID;
	}
	if (it->unit != FEE_PER_TONNE && quantity % QUANTITY_ONE) {
		problems_add(p, "/quantity", "must be a whole number of %s",
			     unit_words[it->unit]);
		return KERR_INVALID;
	}
	memset(out, 0, sizeof *out);
	str_copy(out->catalogue, c->id, sizeof out->catalogue);
	str_copy(out->code, it->code, sizeof out->code);
	out->unit = it->unit;
	out->price = it->price;
	out->quantity = quantity;
	/* price <= 10^11, quantity <= 10^12: the product fits 128 bits and the
	 * amount (<= 10^20 / 10^3) fits int64 */
	if (decimal_muldiv(it->price, quantity, QUANTITY_ONE, &out->amount) != DECIMAL_OK) {
		problems_add(p, "/quantity", "gives an amount out of range");
		return KERR_INVALID;
	}
	out->payer = fee_payer_for(it, outcome, out->reason, sizeof out->reason);
	out->trader_amount = out->payer == FEE_PAYER_TRADER ? out->amount : 0;
	out->state_amount = out->amount - out->trader_amount;
	return KERR_OK;
}

/* Set obj[key] to a string, or leave it out when s is NULL. */
static bool put_opt(json_t *obj, const char *key, const char *s)
{
	return !s || json_object_set_new(obj, key, json_string(s)) == 0;
}

json_t *fee_catalogue_to_json(const struct fee_catalogue *c)
{
	char day[KDATE_TEXT_MAX];
	json_t *j, *items;

	kdate_format(c->effective_from, day);
	j = json_pack("{s:s, s:s, s:s, s:o}", "id", c->id, "port", c->port,
		      "effective_from", day, "items", items = json_array());
	if (!j || !put_opt(j, "description", c->description))
		goto fail;
	for (size_t i = 0; i < c->nitems; i++) {
		const struct fee_item *it = &c->items[i];
		json_t *e = json_pack(
			"{s:s, s:s, s:s, s:s, s:o, s:s, s:o}", "code", it->code,
			"charged_by", fee_charger_name(it->charged_by), "service_en",
			it->service_en, "unit", fee_unit_name(it->unit), "price",
			fields_decimal_json(it->price, 2), "legal_basis", it->legal_basis,
			"inspection_service",
			it->inspection == FEE_INSPECTION_NONE
				? json_null()
				: json_string(fee_inspection_name(it->inspection)));

		if (json_array_append_new(items, e) ||
		    !put_opt(e, "charger", it->charger) ||
		    !put_opt(e, "service_zh", it->service_zh))
			goto fail;
		if (it->container_size &&
		    (json_object_set_new(e, "container_size", json_integer(it->container_size)) ||
		     json_object_set_new(e, "sized_service", json_string(it->sized_service))))
			goto fail;
	}
	return j;
fail:
	json_decref(j);
	return NULL;
}

json_t *fee_charge_to_json(const struct fee_charge *ch)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:o, s:o, s:s}",
			 "catalogue", ch->catalogue, "code", ch->code, "unit",
			 fee_unit_name(ch->unit), "price",
			 fields_decimal_json(ch->price, 2), "quantity",
			 fields_decimal_json_trim(ch->quantity, FEE_QUANTITY_SCALE), "amount",
			 fields_decimal_json(ch->amount, 2), "payer",
			 fee_payer_name(ch->payer), "trader_amount",
			 fields_decimal_json(ch->trader_amount, 2), "state_amount",
			 fields_decimal_json(ch->state_amount, 2), "reason", ch->reason);
}
