/* refdata.c - building and reading reference data snapshots (see refdata.h). */
#include "domain/refdata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/embedded.h"

const char *const refdata_list_names[] = {
	"agencies",       "countries",      "currencies",      "commodities",
	"customs_offices", "ports",         "trade_modes",     "transport_modes",
	"units",          "incoterms",      "document_types",  "exchange_rates",
	"package_kinds",  "cbec_goods",     NULL,
};

bool refdata_known_list(const char *name)
{
	for (size_t i = 0; refdata_list_names[i]; i++)
		if (strcmp(refdata_list_names[i], name) == 0)
			return true;
	return false;
}

struct refdata_builder {
	struct refdata *r;
};

struct refdata_builder *refdata_builder_new(void)
{
	struct refdata_builder *b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	b->r = calloc(1, sizeof *b->r);
	size_t n = 0;
	while (refdata_list_names[n])
		n++;
	if (b->r)
		b->r->lists = calloc(n, sizeof *b->r->lists);
	if (!b->r || !b->r->lists) {
		if (b->r)
			free(b->r->lists);
		free(b->r);
		free(b);
		return NULL;
	}
	b->r->nlists = n;
	for (size_t i = 0; i < n; i++)
		str_copy(b->r->lists[i].name, refdata_list_names[i],
			 sizeof b->r->lists[i].name);
	b->r->refs = 1;
	return b;
}

static struct ref_list *list_by_name(struct refdata *r, const char *name)
{
	for (size_t i = 0; i < r->nlists; i++)
		if (strcmp(r->lists[i].name, name) == 0)
			return &r->lists[i];
	return NULL;
}

kerr refdata_builder_add(struct refdata_builder *b, const char *list,
			 json_t *data)
{
	struct ref_list *l = list_by_name(b->r, list);
	const char *code = json_string_value(json_object_get(data, "code"));
	if (!l || !code || !*code)
		return KERR_INVALID;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct ref_entry *e = realloc(l->entries, cap * sizeof *e);
		if (!e)
			return KERR_NOMEM;
		l->entries = e;
		l->cap = cap;
	}
	struct ref_entry *e = &l->entries[l->n++];
	memset(e, 0, sizeof *e);
	e->data = json_incref(data);
	e->code = code;
	return KERR_OK;
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ref_entry *)a)->code,
		      ((const struct ref_entry *)b)->code);
}

static void free_snapshot(struct refdata *r)
{
	for (size_t i = 0; i < r->nlists; i++) {
		for (size_t j = 0; j < r->lists[i].n; j++)
			json_decref(r->lists[i].entries[j].data);
		free(r->lists[i].entries);
	}
	free(r->lists);
	free(r);
}

void refdata_builder_free(struct refdata_builder *b)
{
	if (!b)
		return;
	if (b->r)
		free_snapshot(b->r);
	free(b);
}

struct refdata *refdata_builder_finish(struct refdata_builder *b)
{
	struct refdata *r = b->r;
	b->r = NULL;
	free(b);
	for (size_t i = 0; i < r->nlists; i++) {
		struct ref_list *l = &r->lists[i];
		if (l->n)
			qsort(l->entries, l->n, sizeof *l->entries, entry_cmp);
		/* a later entry with the same code replaces the earlier one */
		size_t w = 0;
		for (size_t k = 0; k < l->n; k++) {
			if (w && strcmp(l->entries[w - 1].code, l->entries[k].code) == 0) {
				json_decref(l->entries[w - 1].data);
				l->entries[w - 1] = l->entries[k];
			} else {
				l->entries[w++] = l->entries[k];
			}
		}
		l->n = w;
	}
	struct ref_list *ag = list_by_name(r, "agencies");
	for (size_t i = 0; ag && i < ag->n && r->nagencies < REF_MAX_AGENCIES; i++) {
		struct agency *a = &r->agencies[r->nagencies++];
		str_copy(a->code, ag->entries[i].code, sizeof a->code);
		const char *scope =
			json_string_value(json_object_get(ag->entries[i].data, "scope"));
		a->scope = !scope || strcmp(scope, "declaration") == 0 ? SCOPE_DECLARATION
			   : strcmp(scope, "conveyance") == 0       ? SCOPE_CONVEYANCE
								      : SCOPE_GOODS;
	}
	static const char *const with_agencies[] = {"commodities", "transport_modes"};
	for (size_t k = 0; k < 2; k++) {
		struct ref_list *l = list_by_name(r, with_agencies[k]);
		for (size_t i = 0; l && i < l->n; i++) {
			struct ref_entry *e = &l->entries[i];
			e->agencies = refdata_agency_set(r, json_object_get(e->data, "agencies"));
			e->agencies_if_transport =
				json_object_get(e->data, "agencies_if_transport");
		}
	}
	return r;
}

static kerr add_builtin(struct refdata_builder *b, const struct embedded_file *f)
{
	json_t *doc = json_loadb(f->data, f->size, JSON_REJECT_DUPLICATES, NULL);
	const char *list = json_string_value(json_object_get(doc, "list"));
	kerr e = list ? KERR_OK : KERR_INVALID;
	size_t i;
	json_t *entry;
	json_array_foreach(json_object_get(doc, "entries"), i, entry)
	{
		if (!e)
			e = refdata_builder_add(b, list, entry);
	}
	json_decref(doc);
	return e;
}

struct refdata *refdata_builtin(const char *const extra[][2], size_t nextra)
{
	struct refdata_builder *b = refdata_builder_new();
	kerr e = b ? KERR_OK : KERR_NOMEM;
	for (const struct embedded_file *f = embedded_files; !e && f->path; f++)
		if (strncmp(f->path, "data/reference/", 15) == 0)
			e = add_builtin(b, f);
	for (size_t i = 0; !e && i < nextra; i++) {
		json_t *entry = json_pack("{s:s}", "code", extra[i][1]);
		e = entry ? refdata_builder_add(b, extra[i][0], entry) : KERR_NOMEM;
		json_decref(entry);
	}
	if (e) {
		refdata_builder_free(b);
		return NULL;
	}
	return refdata_builder_finish(b);
}

void refdata_retain(struct refdata *r)
{
	__atomic_add_fetch(&r->refs, 1, __ATOMIC_RELAXED);
}

void refdata_release(struct refdata *r)
{
	if (r && __atomic_sub_fetch(&r->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free_snapshot(r);
}

const struct ref_list *refdata_list(const struct refdata *r, const char *name)
{
	return list_by_name((struct refdata *)r, name);
}

const struct ref_entry *refdata_find(const struct refdata *r, const char *list,
				     const char *code)
{
	const struct ref_list *l = refdata_list(r, list);
	if (!l || !code || !l->n)
		return NULL;
	struct ref_entry key = {.code = code};
	return bsearch(&key, l->entries, l->n, sizeof key, entry_cmp);
}

int refdata_agency_index(const struct refdata *r, const char *code)
{
	for (size_t i = 0; i < r->nagencies; i++)
		if (strcmp(r->agencies[i].code, code) == 0)
			return (int)i;
	return -1;
}

agency_set refdata_agency_set(const struct refdata *r, const json_t *codes)
{
	agency_set s = 0;
	size_t i;
	json_t *v;
	json_array_foreach(codes, i, v)
	{
		int k = json_is_string(v) ? refdata_agency_index(r, json_string_value(v)) : -1;
		if (k >= 0)
			s |= 1u << k;
	}
	return s;
}

const char *refdata_name(const struct refdata *r, const char *list,
			 const char *code)
{
	const struct ref_entry *e = refdata_find(r, list, code);
	const char *name = e ? json_string_value(json_object_get(e->data, "name_en")) : NULL;
	return name ? name : code;
}

static bool names_port(const json_t *ports, const char *port)
{
	size_t i;
	json_t *v;
	json_array_foreach(ports, i, v)
	{
		if (json_is_string(v) && strcmp(json_string_value(v), port) == 0)
			return true;
	}
	return false;
}

bool refdata_port_served(const struct refdata *r, const char *office,
			 const char *port)
{
	if (!office || !port)
		return false;
	const struct ref_entry *o = refdata_find(r, "customs_offices", office);
	const struct ref_entry *p = refdata_find(r, "ports", port);
	if (!o || !p)
		return false;
	const char *supervising =
		json_string_value(json_object_get(p->data, "customs_office"));
	return (supervising && strcmp(supervising, office) == 0) ||
	       names_port(json_object_get(o->data, "ports"), port);
}

size_t refdata_port_offices(const struct refdata *r, const char *port,
			    char *out, size_t n)
{
	const struct ref_list *l = refdata_list(r, "customs_offices");
	size_t count = 0, len = 0;
	if (out && n)
		out[0] = '\0';
	for (size_t i = 0; l && i < l->n; i++) {
		const struct ref_entry *e = &l->entries[i];
		if (!refdata_port_served(r, e->code, port))
			continue;
		if (!out || !n) {
			count++;
			continue;
		}
		const char *name = json_string_value(json_object_get(e->data, "name_en"));
		int w = snprintf(out + len, len < n ? n - len : 0, "%s%s%s%s%s",
				 count ? ", " : "", e->code, name ? " (" : "",
				 name ? name : "", name ? ")" : "");
		if (w > 0)
			len = len + (size_t)w < n ? len + (size_t)w : (n ? n - 1 : 0);
		count++;
	}
	return count;
}

void refdata_legal_units(const struct refdata *r, const char *hs,
			 const char **first, const char **second)
{
	const struct ref_entry *c = refdata_find(r, "commodities", hs);
	*first = c ? json_string_value(json_object_get(c->data, "unit")) : NULL;
	*second = c ? json_string_value(json_object_get(c->data, "unit_2")) : NULL;
}

bool refdata_unit_is_legal(const struct refdata *r, const char *hs,
			   const char *unit)
{
	const char *first, *second;
	refdata_legal_units(r, hs, &first, &second);
	return unit && ((first && strcmp(first, unit) == 0) ||
			(second && strcmp(second, unit) == 0));
}

agency_set refdata_conveyance_agencies(const struct refdata *r, const char *mode)
{
	const struct ref_entry *m = refdata_find(r, "transport_modes", mode);
	return m ? refdata_agency_set(r, json_object_get(m->data, "conveyance_agencies"))
		 : 0;
}
