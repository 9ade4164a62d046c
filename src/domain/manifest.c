/*
 * manifest.c - validation of cargo manifests, what an amendment changed,
 * and when a manifest may be lodged or amended (see manifest.h).
 *
 * Lookups by bill of lading and by container go through sorted index
 * arrays, so a manifest of ten thousand bills is checked in n log n.
 */
#include "domain/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/codes.h"
#include "domain/fields.h"

static const char *const kind_names[MANIFEST_KIND_COUNT + 1] = {
	"original", "pre_loading", "loading", "departure", NULL};

const char *manifest_kind_name(enum manifest_kind k)
{
	return k < MANIFEST_KIND_COUNT ? kind_names[k] : "original";
}

bool manifest_kind_parse(const char *s, enum manifest_kind *out)
{
	for (int i = 0; s && i < MANIFEST_KIND_COUNT; i++) {
		if (strcmp(kind_names[i], s) == 0) {
			*out = (enum manifest_kind)i;
			return true;
		}
	}
	return false;
}

bool manifest_kind_import(enum manifest_kind k)
{
	return k == MANIFEST_ORIGINAL;
}

/* --- the call --- */

bool manifest_conveyance(struct problems *p, const json_t *body, const char *mode,
			 const char *port, char key[CALL_KEY_MAX])
{
	struct fields f = {p, NULL};
	size_t before = p->count + p->dropped;
	key[0] = '\0';
	const json_t *c = fields_object(&f, body, "conveyance", "", true,
					"name, voyage and imo");
	if (!c)
		return false;
	static const char *const allowed[] = {"name", "voyage", "imo", NULL};
	problems_unknown_fields(p, c, "/conveyance", allowed, "name, voyage, imo");
	const char *name = fields_text(&f, c, "name", "/conveyance", true, 100);
	const char *voyage = fields_reference(&f, c, "voyage", "/conveyance", true, 32);
	bool by_water = mode && strcmp(mode, TRANSPORT_MODE_WATERWAY) == 0;
	const char *imo = fields_text(&f, c, "imo", "/conveyance", by_water, 16);
	enum codes_result r;
	if (imo && (r = codes_check_imo(imo)) != CODES_OK)
		problems_add(p, "/conveyance/imo", "IMO ship number %s",
			     codes_result_text(r, "IMO"));
	if (p->count + p->dropped != before || !mode || !port)
		return false;
	if (!transport_call_key(mode, by_water ? imo : name, voyage, port, key)) {
		problems_add(p, "/conveyance",
			     "the conveyance, voyage and port are too long together");
		return false;
	}
	return true;
}

/* --- validation --- */

static const char *const top_fields[] = {"kind", "transport_mode", "conveyance",
					 "port", "carrier", "bills", "remarks", NULL};
static const char top_accepted[] =
	"kind, transport_mode, conveyance, port, carrier, bills, remarks";
static const char *const bill_fields[] = {
	"bill_of_lading", "consignor", "consignee", "notify_party",
	"goods_description", "hs_heading", "packages", "package_kind",
	"gross_weight_kg", "containers", "remarks", NULL};
static const char bill_accepted[] =
	"bill_of_lading, consignor, consignee, notify_party, goods_description, "
	"hs_heading, packages, package_kind, gross_weight_kg, containers, remarks";
static const char *const party_fields[] = {"name", "address", "country", "uscc",
					   NULL};
static const char *const container_fields[] = {"number", "seals", "size_type",
					       NULL};

static void validate_party(struct fields *f, const json_t *bill, const char *at,
			   const char *key, bool required)
{
	const json_t *o = fields_object(f, bill, key, at, required,
					"name, and optionally address, country, uscc");
	if (!o)
		return;
	char ptr[FIELD_POINTER_MAX];
	json_pointer_to(ptr, sizeof ptr, at, key);
	problems_unknown_fields(f->p, o, ptr, party_fields,
				"name, address, country, uscc");
	fields_text(f, o, "name", ptr, true, 200);
	fields_text(f, o, "address", ptr, false, 255);
	fields_code(f, o, "country", ptr, false, "countries",
		    "ISO 3166-1 alpha-2 country code");
	if (json_object_get(o, "uscc"))
		fields_uscc(f, o, "uscc", ptr, false);
}

/* HS heading or subheading: 4, 6, 8 or 10 digits, chapter 01-97 but 77. */
static bool hs_heading_valid(const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	int chapter = n >= 2 ? (s[0] - '0') * 10 + (s[1] - '0') : 0;
	return (n == 4 || n == 6 || n == 8 || n == 10) && chapter >= 1 &&
	       chapter <= 97 && chapter != 77;
}

static bool seal_valid(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return false;
	return true;
}

static bool size_type_valid(const char *s)
{
	if (strlen(s) != 4)
		return false;
	for (int i = 0; i < 4; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

/* The seal numbers of a container: 1 to CONTAINER_MAX_SEALS distinct
 * strings. Returns the array, or NULL after a problem. */
static const json_t *validate_seals(struct fields *f, const json_t *c, const char *at)
{
	const json_t *a = fields_array(f, c, "seals", at, true, true, CONTAINER_MAX_SEALS);
	if (!a)
		return NULL;
	bool ok = true;
	size_t i;
	json_t *s;
	json_array_foreach(a, i, s)
	{
		char ptr[FIELD_POINTER_MAX], seals[FIELD_POINTER_MAX];
		json_pointer_to(seals, sizeof seals, at, "seals");
		fields_pointer_index(ptr, sizeof ptr, seals, i);
		const char *v = json_string_value(s);
		if (!v || !*v || strlen(v) > 20 || !seal_valid(v)) {
			problems_add(f->p, ptr,
				     "must be a seal number: 1 to 20 capital letters, digits "
				     "and '-'");
			ok = false;
			continue;
		}
		for (size_t k = 0; k < i; k++) {
			if (json_equal(s, json_array_get(a, k))) {
				problems_add(f->p, ptr, "repeats seal %s (entry %zu)", v, k);
				ok = false;
				break;
			}
		}
	}
	return ok ? a : NULL;
}

static void validate_containers(struct fields *f, const json_t *bill, const char *at,
				struct manifest *m, struct manifest_bill *b)
{
	const json_t *a = fields_array(f, bill, "containers", at, false, false,
				       BILL_MAX_CONTAINERS);
	b->containers = m->containers + m->ncontainers;
	size_t i;
	json_t *c;
	json_array_foreach(a, i, c)
	{
		char ptr[FIELD_POINTER_MAX], list[FIELD_POINTER_MAX];
		json_pointer_to(list, sizeof list, at, "containers");
		fields_pointer_index(ptr, sizeof ptr, list, i);
		if (!json_is_object(c)) {
			problems_add(f->p, ptr,
				     "must be an object with number, seals and optionally "
				     "size_type");
			continue;
		}
		problems_unknown_fields(f->p, c, ptr, container_fields,
					"number, seals, size_type");
		const char *number = fields_container(f, c, "number", ptr, true);
		const json_t *seals = validate_seals(f, c, ptr);
		const char *st = fields_text(f, c, "size_type", ptr, false, 4);
		if (st && !size_type_valid(st)) {
			char sp[FIELD_POINTER_MAX];
			json_pointer_to(sp, sizeof sp, ptr, "size_type");
			problems_add(f->p, sp,
				     "must be the ISO 6346 size and type code: 4 capital "
				     "letters and digits, such as 22G1 or 45G1");
		}
		if (number && seals) {
			struct manifest_container *mc = &m->containers[m->ncontainers++];
			mc->number = number;
			mc->seals = seals;
			mc->index = i;
			mc->bill = b->index;
			b->ncontainers++;
		}
	}
}

static void validate_bill(struct fields *f, const json_t *bill, size_t i,
			  struct manifest *m)
{
	char at[FIELD_POINTER_MAX];
	fields_pointer_index(at, sizeof at, "/bills", i);
	struct manifest_bill *b = &m->bills[m->nbills];
	memset(b, 0, sizeof *b);
	b->index = i;
	b->json = bill;
	m->nbills++;
	if (!json_is_object(bill)) {
		problems_add(f->p, at, "must be an object with %s", bill_accepted);
		return;
	}
	problems_unknown_fields(f->p, bill, at, bill_fields, bill_accepted);
	b->bill_of_lading = fields_reference(f, bill, "bill_of_lading", at, true, 64);
	validate_party(f, bill, at, "consignor", true);
	validate_party(f, bill, at, "consignee", true);
	validate_party(f, bill, at, "notify_party", false);
	b->party_uscc = json_string_value(json_object_get(
		json_object_get(bill, manifest_kind_import(m->kind) ? "consignee" : "consignor"),
		"uscc"));
	fields_text(f, bill, "goods_description", at, true, 512);
	b->hs_heading = fields_text(f, bill, "hs_heading", at, false, 10);
	if (b->hs_heading && !hs_heading_valid(b->hs_heading)) {
		char ptr[FIELD_POINTER_MAX];
		json_pointer_to(ptr, sizeof ptr, at, "hs_heading");
		problems_add(f->p, ptr,
			     "must be the HS heading or subheading: 4, 6, 8 or 10 digits "
			     "starting with a chapter from 01 to 97, such as 0808 or 080810");
	}
	fields_whole(f, bill, "packages", at, true, 1, 99999999, &b->packages);
	b->package_kind = fields_code(f, bill, "package_kind", at, true,
				      "package_kinds", "package kind (UN/ECE Rec. 21)");
	fields_decimal(f, bill, "gross_weight_kg", at, SCALE_GROSS_WEIGHT, true,
		       true, &b->gross_weight_g);
	validate_containers(f, bill, at, m, b);
	fields_text(f, bill, "remarks", at, false, 255);
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

static void repeated_bills(struct manifest *m, struct sort_entry *k,
			   const char *document, struct problems *p)
{
	for (size_t i = 0; i < m->nbills; i++)
		k[i] = (struct sort_entry){or_empty(m->bills[i].bill_of_lading), i, 0, NULL};
	qsort(k, m->nbills, sizeof *k, transport_sort_cmp);
	size_t first = 0;
	for (size_t i = 0; i < m->nbills; i++) {
		m->by_bill[i] = k[i].a;
		if (!i || strcmp(k[i].key, k[i - 1].key) != 0) {
			first = i;
			continue;
		}
		if (!*k[i].key)
			continue;
		char at[FIELD_POINTER_MAX];
		snprintf(at, sizeof at, "/bills/%zu/bill_of_lading", k[i].a);
		problems_add(p, at,
			     "repeats bill of lading %s (entry %zu); a bill appears once "
			     "in a %s",
			     k[i].key, k[first].a, document);
	}
}

static void repeated_containers(struct manifest *m, struct sort_entry *k,
				struct problems *p)
{
	size_t n = m->ncontainers;
	for (size_t i = 0; i < n; i++) {
		const struct manifest_container *c = &m->containers[i];
		k[i] = (struct sort_entry){c->number, c->bill, c->index, c};
	}
	qsort(k, n, sizeof *k, transport_sort_cmp);
	size_t first = 0;
	for (size_t i = 1; i < n; i++) {
		if (strcmp(k[i].key, k[i - 1].key) != 0) {
			first = i;
			continue;
		}
		char at[FIELD_POINTER_MAX], was[FIELD_POINTER_MAX];
		snprintf(at, sizeof at, "/bills/%zu/containers/%zu", k[i].a, k[i].b);
		if (k[i].a == k[i - 1].a) {
			json_pointer_to(at, sizeof at, at, "number");
			problems_add(p, at, "repeats container %s (entry %zu of this bill)",
				     k[i].key, k[i - 1].b);
			continue;
		}
		const struct manifest_container *c = k[i].ptr, *o = k[first].ptr;
		const char *bill = or_empty(m->bills[o->bill].bill_of_lading);
		snprintf(was, sizeof was, "/bills/%zu/containers/%zu", k[first].a, k[first].b);
		if (!transport_seals_equal(c->seals, o->seals)) {
			json_pointer_to(at, sizeof at, at, "seals");
			problems_add(p, at,
				     "differ from the seals of container %s on bill %s (%s); "
				     "a container has one set of seals on every bill it carries",
				     k[i].key, bill, was);
		} else if (c->damaged != o->damaged) {
			json_pointer_to(at, sizeof at, at, "condition");
			problems_add(p, at,
				     "differs from the condition of container %s on bill %s "
				     "(%s); a container shared by bills is one container",
				     k[i].key, bill, was);
		}
	}
}

kerr manifest_lines_read(struct manifest *m, struct fields *f,
			 const json_t *bills, manifest_line_reader read,
			 const char *document)
{
	size_t nb = json_array_size(bills), nc = 0, i;
	json_t *b;
	json_array_foreach(bills, i, b)
	{
		const json_t *cs = json_object_get(b, "containers");
		if (json_is_array(cs) && json_array_size(cs) <= BILL_MAX_CONTAINERS)
			nc += json_array_size(cs);
	}
	m->bills = calloc(nb ? nb : 1, sizeof *m->bills);
	m->containers = calloc(nc ? nc : 1, sizeof *m->containers);
	m->by_bill = malloc((nb ? nb : 1) * sizeof *m->by_bill);
	size_t n = nb > nc ? nb : nc;
	struct sort_entry *k = malloc((n ? n : 1) * sizeof *k);
	m->nbills = m->ncontainers = 0;
	if (!m->bills || !m->containers || !m->by_bill || !k) {
		free(k);
		manifest_free(m);
		return KERR_NOMEM;
	}
	json_array_foreach(bills, i, b) read(f, b, i, m);
	repeated_bills(m, k, document, f->p);
	repeated_containers(m, k, f->p);
	free(k);
	return KERR_OK;
}

kerr manifest_validate(const json_t *body, const struct refdata *ref,
		       struct problems *p, struct manifest *out)
{
	struct fields f = {p, ref};
	memset(out, 0, sizeof *out);
	if (!json_is_object(body)) {
		problems_add(p, "", "the manifest must be a JSON object");
		return KERR_INVALID;
	}
	size_t before = p->count + p->dropped;
	out->json = body;
	problems_unknown_fields(p, body, "", top_fields, top_accepted);
	int kind = fields_choice(&f, body, "kind", "", true, kind_names,
				 "\"original\", \"pre_loading\", \"loading\" or "
				 "\"departure\"");
	out->kind = kind >= 0 ? (enum manifest_kind)kind : MANIFEST_ORIGINAL;
	out->transport_mode = fields_code(&f, body, "transport_mode", "", true,
					  "transport_modes", "transport mode code");
	const char *mode = out->transport_mode;
	if (mode && strcmp(mode, TRANSPORT_MODE_WATERWAY) && strcmp(mode, TRANSPORT_MODE_ROAD) &&
	    strcmp(mode, TRANSPORT_MODE_AIR)) {
		problems_add(p, "/transport_mode",
			     "manifests are for waterway (\"2\"), road (\"4\") and air "
			     "(\"5\") transport");
		out->transport_mode = NULL;
	}
	out->port = fields_code(&f, body, "port", "", true, "ports", "UN/LOCODE port");
	if (out->port && !refdata_port_offices(ref, out->port, NULL, 0)) {
		problems_add(p, "/port",
			     "%s (%s) is not a port of entry kouan clears: no customs "
			     "office serves it; the manifest names the port of this call",
			     out->port, refdata_name(ref, "ports", out->port));
		out->port = NULL;
	}
	manifest_conveyance(p, body, out->transport_mode, out->port, out->key);
	out->carrier = fields_text(&f, body, "carrier", "", true, 100);
	fields_text(&f, body, "remarks", "", false, 255);
	const json_t *bills = fields_array(&f, body, "bills", "", true, true,
					   MANIFEST_MAX_BILLS);
	kerr e = manifest_lines_read(out, &f, bills, validate_bill, "manifest");
	if (!e && p->count + p->dropped != before) {
		manifest_free(out);
		e = KERR_INVALID;
	}
	return e;
}

void manifest_free(struct manifest *m)
{
	free(m->bills);
	free(m->containers);
	free(m->by_bill);
	m->bills = NULL;
	m->containers = NULL;
	m->by_bill = NULL;
	m->nbills = m->ncontainers = 0;
}

const struct manifest_bill *manifest_find_bill(const struct manifest *m,
					       const char *bill_of_lading)
{
	size_t lo = 0, hi = m->nbills;
	while (bill_of_lading && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct manifest_bill *b = &m->bills[m->by_bill[mid]];
		int c = strcmp(b->bill_of_lading, bill_of_lading);
		if (!c)
			return b;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

size_t manifest_bills_of_container(const struct manifest *m, const char *number,
				   const struct manifest_bill **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < m->nbills; i++) {
		const struct manifest_bill *b = &m->bills[m->by_bill[i]];
		for (size_t k = 0; k < b->ncontainers; k++) {
			if (strcmp(b->containers[k].number, number) == 0) {
				if (n < max)
					out[n] = b;
				n++;
				break;
			}
		}
	}
	return n;
}

/* --- what an amendment changed --- */

static kerr add_change(json_t *changes, const char *field, const json_t *before,
		       const json_t *after)
{
	json_t *c = json_pack("{s:s, s:O, s:O}", "field", field,
			      "before", before ? before : json_null(), "after",
			      after ? after : json_null());
	return c && !json_array_append_new(changes, c) ? KERR_OK : KERR_NOMEM;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static kerr diff_value(json_t *changes, const char *at_after, const char *at_before,
		       const char *key, const json_t *a, const json_t *b);

/* The containers of an array, sorted by number (entries without one are
 * left out: a validated manifest has none). */
static struct sort_entry *sorted_containers(const json_t *a, size_t *n)
{
	struct sort_entry *k = malloc((json_array_size(a) ? json_array_size(a) : 1) * sizeof *k);
	if (!k)
		return NULL;
	*n = 0;
	size_t i;
	json_t *c;
	json_array_foreach(a, i, c)
	{
		const char *num = json_string_value(json_object_get(c, "number"));
		if (num)
			k[(*n)++] = (struct sort_entry){num, i, 0, c};
	}
	qsort(k, *n, sizeof *k, transport_sort_cmp);
	return k;
}

/* Containers matched by number: added, removed, or changed in place. */
static kerr diff_containers(json_t *changes, const char *at_after,
			    const char *at_before, const json_t *a, const json_t *b)
{
	size_t na = 0, nb = 0;
	struct sort_entry *ka = sorted_containers(a, &na), *kb = sorted_containers(b, &nb);
	kerr e = ka && kb ? KERR_OK : KERR_NOMEM;
	size_t i = 0, k = 0;
	while (!e && (i < na || k < nb)) {
		int c = i == na ? 1 : k == nb ? -1 : strcmp(ka[i].key, kb[k].key);
		char pa[FIELD_POINTER_MAX], pb[FIELD_POINTER_MAX];
		if (c <= 0)
			fields_pointer_index(pb, sizeof pb, at_before, ka[i].a);
		if (c >= 0)
			fields_pointer_index(pa, sizeof pa, at_after, kb[k].a);
		if (c < 0)
			e = add_change(changes, pb, ka[i++].ptr, NULL);
		else if (c > 0)
			e = add_change(changes, pa, NULL, kb[k++].ptr);
		else
			e = diff_value(changes, pa, pb, NULL, ka[i++].ptr, kb[k++].ptr);
	}
	free(ka);
	free(kb);
	return e;
}

/* The members of a and b (objects), sorted, each once. */
static const char **union_keys(const json_t *a, const json_t *b, size_t *n)
{
	size_t cap = json_object_size(a) + json_object_size(b);
	const char **keys = malloc((cap ? cap : 1) * sizeof *keys);
	if (!keys)
		return NULL;
	*n = 0;
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)a, key, v) keys[(*n)++] = key;
	json_object_foreach((json_t *)b, key, v)
	{
		if (!json_object_get(a, key))
			keys[(*n)++] = key;
	}
	qsort(keys, *n, sizeof *keys, key_cmp);
	return keys;
}

static kerr diff_value(json_t *changes, const char *at_after, const char *at_before,
		       const char *key, const json_t *a, const json_t *b)
{
	if (json_equal(a, b))
		return KERR_OK;
	if (a && b && json_is_object(a) && json_is_object(b)) {
		size_t n;
		const char **keys = union_keys(a, b, &n);
		if (!keys)
			return KERR_NOMEM;
		kerr e = KERR_OK;
		for (size_t i = 0; i < n && !e; i++) {
			char pa[FIELD_POINTER_MAX], pb[FIELD_POINTER_MAX];
			json_pointer_to(pa, sizeof pa, at_after, keys[i]);
			json_pointer_to(pb, sizeof pb, at_before, keys[i]);
			e = diff_value(changes, pa, pb, keys[i], json_object_get(a, keys[i]),
				       json_object_get(b, keys[i]));
		}
		free(keys);
		return e;
	}
	if (a && b && key && strcmp(key, "containers") == 0 && json_is_array(a) &&
	    json_is_array(b))
		return diff_containers(changes, at_after, at_before, a, b);
	return add_change(changes, b ? at_after : at_before, a, b);
}

static kerr bill_change(json_t *list, const struct manifest_bill *was,
			const struct manifest_bill *now)
{
	json_t *c = json_object();
	if (!c || json_array_append_new(list, c))
		return KERR_NOMEM;
	const struct manifest_bill *any = now ? now : was;
	int e = json_object_set_new(c, "bill_of_lading", json_string(any->bill_of_lading));
	e |= json_object_set_new(c, "change", json_string(!was ? "added"
							  : !now ? "removed"
								 : "changed"));
	if (now)
		e |= json_object_set_new(c, "index", json_integer((json_int_t)now->index));
	if (was)
		e |= json_object_set_new(c, "previous_index",
					 json_integer((json_int_t)was->index));
	if (e)
		return KERR_NOMEM;
	if (!was || !now)
		return KERR_OK;
	json_t *fields = json_array();
	if (!fields || json_object_set_new(c, "fields", fields))
		return KERR_NOMEM;
	char pa[FIELD_POINTER_MAX], pb[FIELD_POINTER_MAX];
	fields_pointer_index(pa, sizeof pa, "/bills", now->index);
	fields_pointer_index(pb, sizeof pb, "/bills", was->index);
	return diff_value(fields, pa, pb, NULL, was->json, now->json);
}

/* A new object with the members of a manifest but its bills (shared). */
static json_t *without_bills(const json_t *body)
{
	json_t *h = json_object();
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)body, key, v)
	{
		if (h && strcmp(key, "bills") != 0 && json_object_set(h, key, v)) {
			json_decref(h);
			return NULL;
		}
	}
	return h;
}

kerr manifest_changes(const struct manifest *before, const struct manifest *after,
		      json_t **out)
{
	*out = NULL;
	json_t *r = json_pack("{s:[], s:[]}", "header", "bills");
	if (!r)
		return KERR_NOMEM;
	json_t *header = json_object_get(r, "header");
	json_t *bills = json_object_get(r, "bills");
	kerr e = KERR_OK;
	/* the header: every member but the bills */
	json_t *ha = without_bills(before->json), *hb = without_bills(after->json);
	e = ha && hb ? diff_value(header, "", "", NULL, ha, hb) : KERR_NOMEM;
	json_decref(ha);
	json_decref(hb);
	size_t i = 0, k = 0, added = 0, removed = 0, changed = 0;
	while (!e && (i < before->nbills || k < after->nbills)) {
		const struct manifest_bill *x =
			i < before->nbills ? &before->bills[before->by_bill[i]] : NULL;
		const struct manifest_bill *y =
			k < after->nbills ? &after->bills[after->by_bill[k]] : NULL;
		int c = !x ? 1 : !y ? -1 : strcmp(x->bill_of_lading, y->bill_of_lading);
		if (c < 0) {
			e = bill_change(bills, x, NULL);
			removed++;
			i++;
		} else if (c > 0) {
			e = bill_change(bills, NULL, y);
			added++;
			k++;
		} else {
			size_t n = json_array_size(bills);
			e = bill_change(bills, x, y);
			json_t *last = json_array_get(bills, n);
			if (!e && json_array_size(json_object_get(last, "fields")) == 0)
				json_array_remove(bills, n);
			else
				changed++;
			i++;
			k++;
		}
	}
	if (!e && (json_object_set_new(r, "added", json_integer((json_int_t)added)) ||
		   json_object_set_new(r, "removed", json_integer((json_int_t)removed)) ||
		   json_object_set_new(r, "changed", json_integer((json_int_t)changed))))
		e = KERR_NOMEM;
	if (e) {
		json_decref(r);
		return e;
	}
	*out = r;
	return KERR_OK;
}

/* --- when a manifest may be lodged or amended --- */

static void departed_problem(struct problems *p, const char *at,
			     const struct call_state *s, const char *what)
{
	char t[KTIME_TEXT_MAX];
	ktime_format(s->departed_at, t);
	problems_add(p, at, "the conveyance departed at %s; %s", t, what);
}

bool manifest_lodge_check(enum manifest_kind kind, const struct call_state *s,
			  struct problems *p, bool *late)
{
	size_t before = p->count + p->dropped;
	*late = false;
	if (kind >= MANIFEST_KIND_COUNT) {
		problems_add(p, "/kind", "is not a kind of manifest");
		return false;
	}
	if (s->lodged[kind]) {
		problems_add(p, "/kind",
			     "this call already has its %s manifest; send an amendment "
			     "of it instead",
			     manifest_kind_name(kind));
		return false;
	}
	switch (kind) {
	case MANIFEST_ORIGINAL:
	case MANIFEST_PRE_LOADING:
		if (s->departed)
			departed_problem(p, "/kind", s,
					 "manifests of a departed call can no longer be "
					 "lodged");
		*late = kind == MANIFEST_ORIGINAL && s->arrived;
		break;
	case MANIFEST_LOADING:
		if (s->departed)
			departed_problem(p, "/kind", s,
					 "the loading manifest is lodged before departure; "
					 "lodge the departure manifest instead");
		else if (!s->lodged[MANIFEST_PRE_LOADING])
			problems_add(p, "/kind",
				     "the loading manifest follows the pre-loading manifest; "
				     "lodge the pre_loading manifest of this call first");
		break;
	case MANIFEST_DEPARTURE:
		if (!s->departed)
			problems_add(p, "/kind",
				     "the departure manifest closes the call once the "
				     "conveyance has departed, and it has not departed yet");
		else if (!s->lodged[MANIFEST_LOADING])
			problems_add(p, "/kind",
				     "the departure manifest follows the loading manifest; "
				     "lodge the loading manifest of this call first");
		break;
	case MANIFEST_KIND_COUNT:
		break;
	}
	return p->count + p->dropped == before;
}

bool manifest_amend_check(const struct manifest *before, const struct manifest *after,
			  const json_t *changes, const struct call_state *s,
			  struct problems *p)
{
	size_t n = p->count + p->dropped;
	if (before->kind != after->kind)
		problems_add(p, "/kind",
			     "cannot change in an amendment (it is \"%s\"); lodge a "
			     "manifest of that kind separately",
			     manifest_kind_name(before->kind));
	if (strcmp(before->transport_mode, after->transport_mode) != 0)
		problems_add(p, "/transport_mode",
			     "cannot change in an amendment (it is \"%s\")",
			     before->transport_mode);
	else if (strcmp(before->port, after->port) != 0)
		problems_add(p, "/port",
			     "cannot change in an amendment (it is %s); a call at another "
			     "port has manifests of its own",
			     before->port);
	else if (strcmp(before->key, after->key) != 0)
		problems_add(p, "/conveyance",
			     "cannot change in an amendment: this manifest belongs to the "
			     "call %s; another conveyance or voyage has manifests of its own",
			     before->key);
	if (p->count + p->dropped != n)
		return false;
	if (s->departed) {
		departed_problem(p, "", s,
				 "manifests of a departed call can no longer be amended");
		return false;
	}
	if (json_array_size(json_object_get(changes, "header")) == 0 &&
	    json_array_size(json_object_get(changes, "bills")) == 0) {
		problems_add(p, "",
			     "the amendment changes nothing; the current version stays");
		return false;
	}
	return true;
}
