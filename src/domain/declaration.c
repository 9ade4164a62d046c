/*
 * declaration.c - validation of goods declarations and the facts drawn from
 * them (see declaration.h).
 *
 * Every rule reports through problems_add with a JSON pointer; the messages
 * say what is wrong and what is accepted.
 */
#include "domain/declaration.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/codes.h"
#include "common/decimal.h"
#include "domain/assessment.h"
#include "domain/consistency.h"
#include "domain/fields.h"
#include "domain/matching.h"
#include "domain/transport.h"

struct vctx {
	struct problems *p;
	const struct refdata *ref;
};

static void ptr_index(char *out, size_t n, const char *prefix, size_t i)
{
	snprintf(out, n, "%s/%zu", prefix, i);
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static void check_unknown(struct vctx *v, const json_t *obj, const char *ptr,
			  const char *const *allowed, const char *accepted)
{
	problems_unknown_fields(v->p, obj, ptr, allowed, accepted);
}

/* A string field. Returns it, or NULL (absent, or a problem was recorded). */
static const char *get_str(struct vctx *v, const json_t *obj, const char *key,
			   const char *ptr, bool required, size_t maxchars)
{
	char f[128];
	json_pointer_to(f, sizeof f, ptr, key);
	json_t *j = json_object_get(obj, key);
	if (!j || json_is_null(j)) {
		if (required)
			problems_add(v->p, f, "is required");
		return NULL;
	}
	if (!json_is_string(j)) {
		problems_add(v->p, f, "must be a string");
		return NULL;
	}
	const char *s = json_string_value(j);
	if (!*s) {
		problems_add(v->p, f, "must not be empty");
		return NULL;
	}
	if (utf8_chars(s) > maxchars) {
		problems_add(v->p, f, "must be at most %zu characters", maxchars);
		return NULL;
	}
	for (const char *c = s; *c; c++) {
		if ((unsigned char)*c < 0x20) {
			problems_add(v->p, f, "must not contain control characters");
			return NULL;
		}
	}
	return s;
}

static const char *get_code(struct vctx *v, const json_t *obj, const char *key,
			    const char *ptr, bool required, const char *list,
			    const char *what)
{
	const char *s = get_str(v, obj, key, ptr, required, 64);
	if (s && !refdata_has(v->ref, list, s)) {
		char f[128];
		json_pointer_to(f, sizeof f, ptr, key);
		problems_add(v->p, f,
			     "'%.40s' is not a known %s (see GET /v1/reference/%s)",
			     s, what, list);
		return NULL;
	}
	return s;
}

static const char *get_uscc(struct vctx *v, const json_t *obj, const char *key,
			    const char *ptr)
{
	const char *s = get_str(v, obj, key, ptr, true, 64);
	enum codes_result r;
	if (s && (r = codes_check_uscc(s)) != CODES_OK) {
		char f[128];
		json_pointer_to(f, sizeof f, ptr, key);
		problems_add(v->p, f, "unified social credit code %s",
			     codes_result_text(r, "USCC"));
		return NULL;
	}
	return s;
}

/* A decimal string. positive: must be > 0; otherwise must be >= 0 (the
 * one check every document shares: fields_decimal). */
static bool get_decimal(struct vctx *v, const json_t *obj, const char *key,
			const char *ptr, int scale, bool required, bool positive,
			int64_t *out)
{
	struct fields f = {.p = v->p};
	return fields_decimal(&f, obj, key, ptr, scale, required, positive, out);
}

static const json_t *get_array(struct vctx *v, const json_t *obj,
			       const char *key, bool required, size_t max)
{
	char f[128];
	json_pointer_to(f, sizeof f, "", key);
	json_t *j = json_object_get(obj, key);
	if (!j || json_is_null(j)) {
		if (required)
			problems_add(v->p, f, "is required");
		return NULL;
	}
	if (!json_is_array(j)) {
		problems_add(v->p, f, "must be an array");
		return NULL;
	}
	if (json_array_size(j) > max) {
		problems_add(v->p, f, "has %zu entries; at most %zu are accepted",
			     json_array_size(j), max);
		return NULL;
	}
	return j;
}

static const char *const top_fields[] = {
	"direction", "declaration_office", "port_office", "declarant_uscc",
	"consignee_uscc", "trade_mode", "transport_mode", "conveyance",
	"bill_of_lading", "trading_country", "departure_country",
	"destination_country", "entry_port", "exit_port", "incoterm", "currency",
	"freight", "insurance", "packages", "gross_weight_kg", "containers",
	"items", "documents", "advance", "split", "flow", "remarks", "declared_taxes", NULL};
static const char top_accepted[] =
	"direction, declaration_office, port_office, declarant_uscc, "
	"consignee_uscc, trade_mode, transport_mode, conveyance, bill_of_lading, "
	"trading_country, departure_country (import), destination_country "
	"(export), entry_port (import), exit_port (export), incoterm, currency, "
	"freight, insurance, packages, gross_weight_kg, containers, items, "
	"documents, advance, split, flow, remarks, declared_taxes";
static const char *const conveyance_fields[] = {"name", "voyage", "imo", NULL};
static const char *const item_fields[] = {"hs_code", "description", "quantity",
					  "unit", "unit_price",
					  "origin_country", NULL};
static const char item_accepted[] =
	"hs_code, description, quantity, unit, unit_price, origin_country";
static const char *const document_fields[] = {"type", "number", NULL};

static bool identifier_chars(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '/' || *s == '.'))
			return false;
	return true;
}

static void validate_conveyance(struct vctx *v, const json_t *body,
				const char *transport_mode)
{
	json_t *c = json_object_get(body, "conveyance");
	if (!c || json_is_null(c)) {
		problems_add(v->p, "/conveyance", "is required");
		return;
	}
	if (!json_is_object(c)) {
		problems_add(v->p, "/conveyance",
			     "must be an object with name, voyage and imo");
		return;
	}
	check_unknown(v, c, "/conveyance", conveyance_fields, "name, voyage, imo");
	get_str(v, c, "name", "/conveyance", true, 100);
	get_str(v, c, "voyage", "/conveyance", true, 32);
	bool by_water = transport_mode && strcmp(transport_mode, TRANSPORT_MODE_WATERWAY) == 0;
	const char *imo = get_str(v, c, "imo", "/conveyance", by_water, 16);
	enum codes_result r;
	if (imo && (r = codes_check_imo(imo)) != CODES_OK)
		problems_add(v->p, "/conveyance/imo", "IMO ship number %s",
			     codes_result_text(r, "IMO"));
}

static void validate_containers(struct vctx *v, const json_t *body)
{
	const json_t *a = get_array(v, body, "containers", false, DECL_MAX_CONTAINERS);
	size_t i;
	json_t *c;
	json_array_foreach(a, i, c)
	{
		char f[64];
		ptr_index(f, sizeof f, "/containers", i);
		if (!json_is_string(c)) {
			problems_add(v->p, f, "must be a container number string");
			continue;
		}
		const char *s = json_string_value(c);
		enum codes_result r = codes_check_container(s);
		if (r != CODES_OK) {
			problems_add(v->p, f, "container number %s",
				     codes_result_text(r, "container"));
			continue;
		}
		for (size_t k = 0; k < i; k++) {
			const char *o = json_string_value(json_array_get(a, k));
			if (o && strcmp(o, s) == 0) {
				problems_add(v->p, f, "repeats container %s (entry %zu)", s, k);
				break;
			}
		}
	}
}

static void validate_documents(struct vctx *v, const json_t *body)
{
	const json_t *a = get_array(v, body, "documents", false, DECL_MAX_DOCUMENTS);
	size_t i;
	json_t *d;
	json_array_foreach(a, i, d)
	{
		char f[64];
		ptr_index(f, sizeof f, "/documents", i);
		if (!json_is_object(d)) {
			problems_add(v->p, f, "must be an object with type and number");
			continue;
		}
		check_unknown(v, d, f, document_fields, "type, number");
		get_code(v, d, "type", f, true, "document_types", "document type");
		get_str(v, d, "number", f, true, 64);
	}
}

static void validate_items(struct vctx *v, const json_t *body)
{
	const json_t *a = get_array(v, body, "items", true, DECL_MAX_ITEMS);
	if (!a)
		return;
	if (json_array_size(a) == 0) {
		problems_add(v->p, "/items", "must have at least one item");
		return;
	}
	int64_t total = 0;
	size_t i;
	json_t *it;
	json_array_foreach(a, i, it)
	{
		char f[64];
		ptr_index(f, sizeof f, "/items", i);
		if (!json_is_object(it)) {
			problems_add(v->p, f, "must be an object with %s", item_accepted);
			continue;
		}
		check_unknown(v, it, f, item_fields, item_accepted);
		const char *hs = get_str(v, it, "hs_code", f, true, 16);
		enum codes_result r;
		char hf[80];
		json_pointer_to(hf, sizeof hf, f, "hs_code");
		if (hs && (r = codes_check_hs(hs)) != CODES_OK)
			problems_add(v->p, hf, "HS code %s", codes_result_text(r, "HS"));
		else if (hs && !refdata_has(v->ref, "commodities", hs))
			problems_add(v->p, hf,
				     "'%s' is not in the commodity table (see GET "
				     "/v1/reference/commodities)",
				     hs);
		get_str(v, it, "description", f, true, 255);
		get_code(v, it, "unit", f, true, "units", "unit of measure");
		get_code(v, it, "origin_country", f, true, "countries",
			 "ISO 3166-1 alpha-2 country code");
		int64_t qty, price, line;
		bool q = get_decimal(v, it, "quantity", f, SCALE_QUANTITY, true, true, &qty);
		bool pr = get_decimal(v, it, "unit_price", f, SCALE_UNIT_PRICE, true,
				      true, &price);
		if (q && pr) {
			if (decimal_mul(qty, SCALE_QUANTITY, price, SCALE_UNIT_PRICE,
					SCALE_MONEY, &line) != DECIMAL_OK ||
			    __builtin_add_overflow(total, line, &total))
				problems_add(v->p, f,
					     "quantity times unit_price is too large");
		}
	}
}

/* Which agencies act, and the digest of what each acts on. */
static void derive_agencies(const struct refdata *ref, struct declaration_facts *facts)
{
	const json_t *body = facts->body;
	const json_t *items = json_object_get(body, "items");
	agency_set all = 0;
	const struct ref_entry *tm =
		refdata_find(ref, "transport_modes", facts->transport_mode);
	if (tm)
		all |= tm->agencies;
	for (size_t i = 0; i < facts->nitems; i++) {
		struct declaration_item *it = &facts->items[i];
		const struct ref_entry *c = refdata_find(ref, "commodities", it->hs_code);
		if (!c)
			continue;
		it->agencies = c->agencies;
		if (c->agencies_if_transport)
			it->agencies |= refdata_agency_set(
				ref, json_object_get(c->agencies_if_transport,
						     facts->transport_mode));
		all |= it->agencies;
	}
	facts->agencies = all;

	/* what every agency acting on goods compares: the goods and their
	 * parties, and the transport identity (bill, containers, packages,
	 * weight, conveyance), so that a correction of any of it reopens the
	 * agencies that cleared them */
	static const char *const goods_header[] = {
		"direction", "consignee_uscc", "trading_country", "departure_country",
		"destination_country", "entry_port", "exit_port", "documents",
		"transport_mode", "conveyance", "bill_of_lading", "containers",
		"packages", "gross_weight_kg", NULL};
	static const char *const conveyance_keys[] = {
		"direction", "transport_mode", "conveyance", "bill_of_lading",
		"entry_port", "exit_port", "containers", "packages",
		"gross_weight_kg", NULL};
	for (size_t k = 0; k < ref->nagencies; k++) {
		facts->basis[k][0] = '\0';
		if (!(all & (1u << k)))
			continue;
		const char *const *keys = NULL;
		json_t *basis = NULL;
		switch (ref->agencies[k].scope) {
		case SCOPE_DECLARATION:
			/* the whole declaration: its canonical text is at hand */
			digest_hex(facts->canonical, facts->basis[k]);
			continue;
		case SCOPE_GOODS: {
			keys = goods_header;
			basis = json_object();
			json_t *mine = json_array();
			for (size_t i = 0; i < facts->nitems; i++)
				if (facts->items[i].agencies & (1u << k))
					json_array_append(mine, json_array_get(items, i));
			json_object_set_new(basis, "items", mine);
			break;
		}
		case SCOPE_CONVEYANCE:
			keys = conveyance_keys;
			basis = json_object();
			break;
		}
		for (size_t j = 0; keys && keys[j]; j++) {
			json_t *val = json_object_get(body, keys[j]);
			if (val)
				json_object_set(basis, keys[j], val);
		}
		char *text = json_canonical(basis);
		digest_hex(text ? text : "", facts->basis[k]);
		free(text);
		json_decref(basis);
	}
}

/* Fill the facts from a body that passed validation (or was stored after
 * passing it): the checks were done, so values are read as they are. */
static void extract_facts(json_t *body, struct declaration_facts *f)
{
	const char *dir = json_string_value(json_object_get(body, "direction"));
	f->body = json_incref(body);
	f->import = !dir || strcmp(dir, "export") != 0;
	f->advance = json_is_true(json_object_get(body, "advance"));
	f->declaration_office = json_string_value(json_object_get(body, "declaration_office"));
	f->port_office = json_string_value(json_object_get(body, "port_office"));
	f->declarant_uscc = json_string_value(json_object_get(body, "declarant_uscc"));
	f->consignee_uscc = json_string_value(json_object_get(body, "consignee_uscc"));
	f->trade_mode = json_string_value(json_object_get(body, "trade_mode"));
	f->transport_mode = json_string_value(json_object_get(body, "transport_mode"));
	json_t *conv = json_object_get(body, "conveyance");
	f->conveyance_name = json_string_value(json_object_get(conv, "name"));
	f->voyage = json_string_value(json_object_get(conv, "voyage"));
	f->imo = json_string_value(json_object_get(conv, "imo"));
	f->bill_of_lading = json_string_value(json_object_get(body, "bill_of_lading"));
	f->trading_country = json_string_value(json_object_get(body, "trading_country"));
	f->partner_country = json_string_value(
		json_object_get(body, f->import ? "departure_country" : "destination_country"));
	f->port = json_string_value(json_object_get(body, f->import ? "entry_port" : "exit_port"));
	f->incoterm = json_string_value(json_object_get(body, "incoterm"));
	f->currency = json_string_value(json_object_get(body, "currency"));
	const char *fr = json_string_value(json_object_get(body, "freight"));
	const char *ins = json_string_value(json_object_get(body, "insurance"));
	f->freight_declared = fr && decimal_parse(fr, SCALE_MONEY, &f->freight) == DECIMAL_OK;
	f->insurance_declared =
		ins && decimal_parse(ins, SCALE_MONEY, &f->insurance) == DECIMAL_OK;
	if (!f->freight_declared)
		f->freight = 0;
	if (!f->insurance_declared)
		f->insurance = 0;
	f->packages = json_integer_value(json_object_get(body, "packages"));
	if (decimal_parse(json_string_value(json_object_get(body, "gross_weight_kg")),
			  SCALE_WEIGHT, &f->gross_weight) != DECIMAL_OK)
		f->gross_weight = 0;
	size_t i;
	json_t *v;
	f->ncontainers = 0;
	json_array_foreach(json_object_get(body, "containers"), i, v)
	{
		if (f->ncontainers < DECL_MAX_CONTAINERS && json_is_string(v))
			f->containers[f->ncontainers++] = json_string_value(v);
	}
	f->ndocuments = 0;
	json_array_foreach(json_object_get(body, "documents"), i, v)
	{
		if (f->ndocuments < DECL_MAX_DOCUMENTS) {
			struct declaration_document *d = &f->documents[f->ndocuments++];
			d->type = json_string_value(json_object_get(v, "type"));
			d->number = json_string_value(json_object_get(v, "number"));
		}
	}
	f->nitems = 0;
	f->goods_value = 0;
	json_array_foreach(json_object_get(body, "items"), i, v)
	{
		if (f->nitems >= DECL_MAX_ITEMS)
			break;
		struct declaration_item *it = &f->items[f->nitems++];
		memset(it, 0, sizeof *it);
		it->hs_code = json_string_value(json_object_get(v, "hs_code"));
		it->description = json_string_value(json_object_get(v, "description"));
		it->unit = json_string_value(json_object_get(v, "unit"));
		it->origin = json_string_value(json_object_get(v, "origin_country"));
		if (decimal_parse(json_string_value(json_object_get(v, "quantity")),
				  SCALE_QUANTITY, &it->quantity) ||
		    decimal_parse(json_string_value(json_object_get(v, "unit_price")),
				  SCALE_UNIT_PRICE, &it->unit_price) ||
		    decimal_mul(it->quantity, SCALE_QUANTITY, it->unit_price, SCALE_UNIT_PRICE,
				SCALE_MONEY, &it->value))
			it->value = 0;
		f->goods_value += it->value;
	}
}

bool declaration_validate(json_t *body, const struct refdata *ref,
			  struct problems *p, struct declaration_facts *facts)
{
	struct vctx v = {p, ref};
	memset(facts, 0, sizeof *facts);
	if (!json_is_object(body)) {
		problems_add(p, "", "the declaration must be a JSON object");
		return false;
	}
	check_unknown(&v, body, "", top_fields, top_accepted);

	const char *dir = get_str(&v, body, "direction", "", true, 16);
	bool import = true, dir_ok = false;
	if (dir) {
		dir_ok = strcmp(dir, "import") == 0 || strcmp(dir, "export") == 0;
		import = strcmp(dir, "import") == 0;
		if (!dir_ok)
			problems_add(p, "/direction", "must be \"import\" or \"export\"");
	}
	const char *office = get_code(&v, body, "declaration_office", "", true,
				      "customs_offices", "customs office code");
	if (office && (strlen(office) != 4 || strspn(office, "0123456789") != 4)) {
		/* the office opens the 18-digit declaration number */
		problems_add(p, "/declaration_office",
			     "must be a 4-digit customs office code to number the declaration");
	}
	get_code(&v, body, "port_office", "", true, "customs_offices", "customs office code");
	get_uscc(&v, body, "declarant_uscc", "");
	get_uscc(&v, body, "consignee_uscc", "");
	get_code(&v, body, "trade_mode", "", true, "trade_modes", "trade mode code");
	const char *tmode = get_code(&v, body, "transport_mode", "", true,
				     "transport_modes", "transport mode code");
	validate_conveyance(&v, body, tmode);
	const char *bl = get_str(&v, body, "bill_of_lading", "", true, 64);
	if (bl && !identifier_chars(bl))
		problems_add(p, "/bill_of_lading",
			     "may only contain letters, digits, '-', '/' and '.'");
	get_code(&v, body, "trading_country", "", true, "countries",
		 "ISO 3166-1 alpha-2 country code");
	if (dir_ok) {
		const char *want_c = import ? "departure_country" : "destination_country";
		const char *other_c = import ? "destination_country" : "departure_country";
		const char *want_p = import ? "entry_port" : "exit_port";
		const char *other_p = import ? "exit_port" : "entry_port";
		get_code(&v, body, want_c, "", true, "countries",
			 "ISO 3166-1 alpha-2 country code");
		get_code(&v, body, want_p, "", true, "ports", "UN/LOCODE port");
		char f[64];
		if (json_object_get(body, other_c)) {
			json_pointer_to(f, sizeof f, "", other_c);
			problems_add(p, f, "is only accepted on %s declarations; use %s",
				     import ? "export" : "import", want_c);
		}
		if (json_object_get(body, other_p)) {
			json_pointer_to(f, sizeof f, "", other_p);
			problems_add(p, f, "is only accepted on %s declarations; use %s",
				     import ? "export" : "import", want_p);
		}
	}
	get_code(&v, body, "incoterm", "", true, "incoterms", "Incoterms 2020 code");
	get_code(&v, body, "currency", "", true, "currencies", "ISO 4217 currency code");
	int64_t tmp;
	get_decimal(&v, body, "freight", "", SCALE_MONEY, false, false, &tmp);
	get_decimal(&v, body, "insurance", "", SCALE_MONEY, false, false, &tmp);
	get_decimal(&v, body, "gross_weight_kg", "", SCALE_WEIGHT, true, true, &tmp);
	json_t *pk = json_object_get(body, "packages");
	if (!pk)
		problems_add(p, "/packages", "is required");
	else if (!json_is_integer(pk) || json_integer_value(pk) < 1 ||
		 json_integer_value(pk) > 99999999)
		problems_add(p, "/packages",
			     "must be a whole number from 1 to 99999999");
	json_t *adv = json_object_get(body, "advance");
	if (adv && !json_is_null(adv) && !json_is_boolean(adv))
		problems_add(p, "/advance", "must be true or false");
	get_str(&v, body, "remarks", "", false, 255);
	/* the declarant's own computation of its duties and taxes (自报税额),
	 * compared with kouan's assessment */
	const json_t *declared = json_object_get(body, "declared_taxes");
	struct assess_declared taxes;
	if (declared && !json_is_null(declared))
		assessment_declared_parse(declared, "/declared_taxes", &taxes, p);
	validate_containers(&v, body);
	validate_documents(&v, body);
	validate_items(&v, body);

	if (problems_any(p))
		return false;
	/* what needs every code known: the transport members (split, flow)
	 * and the consistency of the parts through the reference data (the
	 * port office serves the port, legal units) */
	matching_validate_declaration(body, p);
	consistency_check_declaration(body, ref, p);
	if (problems_any(p))
		return false;
	extract_facts(body, facts);
	facts->canonical = json_canonical(body);
	if (!facts->canonical) {
		declaration_facts_free(facts);
		problems_add(p, "", "the declaration could not be processed");
		return false;
	}
	derive_agencies(ref, facts);
	if (!facts->agencies) {
		problems_add(p, "/items",
			     "no agency is responsible for these goods; the commodity "
			     "table names none");
		declaration_facts_free(facts);
		return false;
	}
	return true;
}

bool declaration_facts_load(const char *canonical, struct declaration_facts *facts)
{
	memset(facts, 0, sizeof *facts);
	json_t *body = canonical ? json_loads(canonical, 0, NULL) : NULL;
	if (!json_is_object(body)) {
		json_decref(body);
		return false;
	}
	extract_facts(body, facts);
	json_decref(body); /* the facts hold their own reference */
	return true;
}

void declaration_facts_free(struct declaration_facts *facts)
{
	free(facts->canonical);
	facts->canonical = NULL;
	json_decref(facts->body);
	facts->body = NULL;
}

bool declaration_number_format(const char *office, int year, bool import,
			       int64_t sequence, char *out)
{
	if (sequence < 1 || sequence > 999999999 || year < 1000 || year > 9999 ||
	    strlen(office) != 4)
		return false;
	snprintf(out, DECL_NUMBER_SIZE, "%.4s%04d%c%09lld", office, year,
		 import ? '1' : '0', (long long)sequence);
	return true;
}

bool declaration_number_valid(const char *s)
{
	if (!s || strlen(s) != DECL_NUMBER_LEN)
		return false;
	for (size_t i = 0; i < DECL_NUMBER_LEN; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return s[8] == '0' || s[8] == '1';
}

char *json_canonical(const json_t *v)
{
	return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

void digest_hex(const char *s, char out[DIGEST_HEX])
{
	unsigned char h[16];
	crypto_generichash(h, sizeof h, (const unsigned char *)s, strlen(s), NULL, 0);
	sodium_bin2hex(out, DIGEST_HEX, h, sizeof h);
}
