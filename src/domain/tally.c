/* tally.c - tally reports and their differences from the manifest (see
 * tally.h). */
#include "domain/tally.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/fields.h"

static const char *const kind_names[] = {"discharge", "loading", NULL};
static const char *const condition_names[] = {"sound", "damaged", NULL};
static const char *const top_fields[] = {"kind", "transport_mode", "conveyance",
					 "port", "bills", "remarks", NULL};
static const char *const bill_fields[] = {"bill_of_lading", "packages",
					  "containers", "remarks", NULL};
static const char *const container_fields[] = {"number", "seals", "condition",
					       NULL};

static void validate_container(struct fields *f, const json_t *c, const char *at,
			       size_t i, struct manifest *m, struct manifest_bill *b)
{
	if (!json_is_object(c)) {
		problems_add(f->p, at, "must be an object with number, seals and "
				       "optionally condition");
		return;
	}
	problems_unknown_fields(f->p, c, at, container_fields,
				"number, seals, condition");
	const char *number = fields_container(f, c, "number", at, true);
	const json_t *seals = fields_array(f, c, "seals", at, true, false,
					   CONTAINER_MAX_SEALS);
	size_t k;
	json_t *s;
	json_array_foreach(seals, k, s)
	{
		if (!json_is_string(s) || !*json_string_value(s) ||
		    strlen(json_string_value(s)) > 20) {
			char list[FIELD_POINTER_MAX], ptr[FIELD_POINTER_MAX];
			json_pointer_to(list, sizeof list, at, "seals");
			fields_pointer_index(ptr, sizeof ptr, list, k);
			problems_add(f->p, ptr,
				     "must be the seal number found, 1 to 20 characters");
			seals = NULL;
		}
	}
	int cond = fields_choice(f, c, "condition", at, false, condition_names,
				 "\"sound\" or \"damaged\"");
	if (number && seals) {
		struct manifest_container *tc = &m->containers[m->ncontainers++];
		tc->number = number;
		tc->seals = seals;
		tc->damaged = cond == 1;
		tc->index = i;
		tc->bill = b->index;
		b->ncontainers++;
	}
}

static void validate_bill(struct fields *f, const json_t *bill, size_t i,
			  struct manifest *m)
{
	char at[FIELD_POINTER_MAX];
	fields_pointer_index(at, sizeof at, "/bills", i);
	struct manifest_bill *b = &m->bills[m->nbills++];
	memset(b, 0, sizeof *b);
	b->index = i;
	b->json = bill;
	b->containers = m->containers + m->ncontainers;
	if (!json_is_object(bill)) {
		problems_add(f->p, at,
			     "must be an object with bill_of_lading, packages and "
			     "optionally containers and remarks");
		return;
	}
	problems_unknown_fields(f->p, bill, at, bill_fields,
				"bill_of_lading, packages, containers, remarks");
	b->bill_of_lading = fields_reference(f, bill, "bill_of_lading", at, true, 64);
	fields_whole(f, bill, "packages", at, true, 0, 99999999, &b->packages);
	const json_t *cs = fields_array(f, bill, "containers", at, false, false,
					BILL_MAX_CONTAINERS);
	char list[FIELD_POINTER_MAX];
	json_pointer_to(list, sizeof list, at, "containers");
	size_t k;
	json_t *c;
	json_array_foreach(cs, k, c)
	{
		char ptr[FIELD_POINTER_MAX];
		fields_pointer_index(ptr, sizeof ptr, list, k);
		validate_container(f, c, ptr, k, m, b);
	}
	fields_text(f, bill, "remarks", at, false, 255);
}

kerr tally_validate(const json_t *body, const struct refdata *ref,
		    struct problems *p, struct tally *out)
{
	struct fields f = {p, ref};
	memset(out, 0, sizeof *out);
	if (!json_is_object(body)) {
		problems_add(p, "", "the tally report must be a JSON object");
		return KERR_INVALID;
	}
	struct manifest *m = &out->lines;
	size_t before = p->count + p->dropped;
	m->json = body;
	problems_unknown_fields(p, body, "", top_fields,
				"kind, transport_mode, conveyance, port, bills, remarks");
	int kind = fields_choice(&f, body, "kind", "", true, kind_names,
				 "\"discharge\" or \"loading\"");
	out->kind = kind == 1 ? TALLY_LOADING : TALLY_DISCHARGE;
	m->transport_mode = fields_code(&f, body, "transport_mode", "", true,
					"transport_modes", "transport mode code");
	m->port = fields_code(&f, body, "port", "", true, "ports", "UN/LOCODE port");
	manifest_conveyance(p, body, m->transport_mode, m->port, m->key);
	fields_text(&f, body, "remarks", "", false, 255);
	const json_t *bills = fields_array(&f, body, "bills", "", true, true,
					   MANIFEST_MAX_BILLS);
	kerr e = manifest_lines_read(m, &f, bills, validate_bill, "tally report");
	if (!e && p->count + p->dropped != before) {
		manifest_free(m);
		e = KERR_INVALID;
	}
	return e;
}

void tally_free(struct tally *t)
{
	manifest_free(&t->lines);
}

/* --- differences --- */

static kerr add(json_t *list, const char *bill, const char *container,
		const char *difference, const char *field, json_t *manifested,
		json_t *tallied)
{
	json_t *d = json_pack("{s:s, s:s, s:o, s:o}", "bill_of_lading", bill,
			      "difference", difference, "manifested",
			      manifested ? manifested : json_null(), "tallied",
			      tallied ? tallied : json_null());
	int e = !d;
	if (d && container)
		e |= json_object_set_new(d, "container", json_string(container));
	if (d && field)
		e |= json_object_set_new(d, "field", json_string(field));
	if (e) {
		json_decref(d);
		return KERR_NOMEM;
	}
	return json_array_append_new(list, d) ? KERR_NOMEM : KERR_OK;
}

static struct sort_entry *sort_containers(const struct manifest_bill *b)
{
	struct sort_entry *k = malloc((b->ncontainers ? b->ncontainers : 1) * sizeof *k);
	for (size_t i = 0; k && i < b->ncontainers; i++)
		k[i] = (struct sort_entry){b->containers[i].number, i, 0, &b->containers[i]};
	if (k)
		qsort(k, b->ncontainers, sizeof *k, transport_sort_cmp);
	return k;
}

static kerr container_differences(json_t *list, const struct manifest_bill *mb,
				  const struct manifest_bill *tb)
{
	struct sort_entry *a = sort_containers(mb), *b = sort_containers(tb);
	kerr e = a && b ? KERR_OK : KERR_NOMEM;
	size_t i = 0, k = 0;
	const char *bl = mb->bill_of_lading;
	while (!e && (i < mb->ncontainers || k < tb->ncontainers)) {
		int c = i == mb->ncontainers ? 1
			: k == tb->ncontainers ? -1
					       : strcmp(a[i].key, b[k].key);
		char at[FIELD_POINTER_MAX];
		if (c < 0) {
			e = add(list, bl, a[i].key, "container_missing", NULL,
				json_string(a[i].key), NULL);
			i++;
			continue;
		}
		const struct manifest_container *tc = b[k].ptr;
		snprintf(at, sizeof at, "/bills/%zu/containers/%zu", tb->index, tc->index);
		if (c > 0) {
			e = add(list, bl, b[k].key, "container_not_manifested", at,
				NULL, json_string(b[k].key));
			k++;
			continue;
		}
		const struct manifest_container *mc = a[i].ptr;
		if (!transport_seals_equal(mc->seals, tc->seals)) {
			char sp[FIELD_POINTER_MAX];
			json_pointer_to(sp, sizeof sp, at, "seals");
			e = add(list, bl, b[k].key, "seals", sp, json_incref((json_t *)mc->seals),
				json_incref((json_t *)tc->seals));
		}
		if (!e && tc->damaged) {
			char cp[FIELD_POINTER_MAX];
			json_pointer_to(cp, sizeof cp, at, "condition");
			e = add(list, bl, b[k].key, "damaged", cp, json_string("sound"),
				json_string("damaged"));
		}
		i++;
		k++;
	}
	free(a);
	free(b);
	return e;
}

kerr tally_differences(const struct manifest *m, const struct tally *t, json_t **out)
{
	*out = NULL;
	bool discharge = t->kind == TALLY_DISCHARGE;
	const struct manifest *c = &t->lines;
	if (discharge != manifest_kind_import(m->kind) || strcmp(m->key, c->key) != 0)
		return KERR_INVALID;
	json_t *list = json_array();
	if (!list)
		return KERR_NOMEM;
	kerr e = KERR_OK;
	size_t i = 0, k = 0;
	while (!e && (i < m->nbills || k < c->nbills)) {
		const struct manifest_bill *mb =
			i < m->nbills ? &m->bills[m->by_bill[i]] : NULL;
		const struct manifest_bill *tb =
			k < c->nbills ? &c->bills[c->by_bill[k]] : NULL;
		int order = !mb ? 1 : !tb ? -1 : strcmp(mb->bill_of_lading, tb->bill_of_lading);
		char at[FIELD_POINTER_MAX];
		if (order < 0) {
			e = add(list, mb->bill_of_lading, NULL,
				discharge ? "short_landed" : "short_shipped", NULL,
				json_integer(mb->packages), json_integer(0));
			i++;
			continue;
		}
		fields_pointer_index(at, sizeof at, "/bills", tb->index);
		if (order > 0) {
			e = add(list, tb->bill_of_lading, NULL,
				discharge ? "over_landed" : "over_shipped", at,
				json_integer(0), json_integer(tb->packages));
			k++;
			continue;
		}
		if (mb->packages != tb->packages) {
			char pp[FIELD_POINTER_MAX];
			json_pointer_to(pp, sizeof pp, at, "packages");
			e = add(list, mb->bill_of_lading, NULL, "packages", pp,
				json_integer(mb->packages), json_integer(tb->packages));
		}
		if (!e)
			e = container_differences(list, mb, tb);
		i++;
		k++;
	}
	if (e) {
		json_decref(list);
		return e;
	}
	*out = list;
	return KERR_OK;
}
