/* reference.c - edits of the reference lists (see reference.h). */
#include "service/reference.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/codes.h"
#include "store/repo.h"

void reference_entry_check(const struct refdata *ref, const char *list, const char *code,
			   const json_t *entry, struct problems *p)
{
	json_t *c = json_object_get(entry, "code");
	if (c && (!json_is_string(c) || strcmp(json_string_value(c), code) != 0))
		problems_add(p, "/code", "must equal the code in the path (%.40s)", code);
	if (strlen(code) > 64)
		problems_add(p, "/code", "must be at most 64 characters");
	if (!strcmp(list, "customs_offices") &&
	    (strlen(code) != 4 || strspn(code, "0123456789") != 4))
		problems_add(p, "/code", "a customs office code must be 4 digits");
	json_t *name = json_object_get(entry, "name_en");
	if (!json_is_string(name) || !*json_string_value(name))
		problems_add(p, "/name_en", "is required: the English name");
	json_t *ag = json_object_get(entry, "agencies");
	if (ag) {
		size_t i;
		json_t *a;
		if (!json_is_array(ag))
			problems_add(p, "/agencies", "must be an array of agency codes");
		json_array_foreach(ag, i, a)
		{
			if (!json_is_string(a) ||
			    refdata_agency_index(ref, json_string_value(a)) < 0)
				problems_add(p, "/agencies", "entry %zu is not a known agency "
							     "(see GET /v1/reference/agencies)", i);
		}
	}
	if (strcmp(list, "commodities") == 0) {
		if (codes_check_hs(code) != CODES_OK)
			problems_add(p, "/code", "an HS code %s",
				     codes_result_text(codes_check_hs(code), "HS"));
		const char *unit = json_string_value(json_object_get(entry, "unit"));
		if (!unit || !refdata_has(ref, "units", unit))
			problems_add(p, "/unit", "is required: a code from the units list");
		if (!ag)
			problems_add(p, "/agencies", "is required: the agencies that act "
						     "on this commodity");
	}
	if (strcmp(list, "agencies") == 0) {
		const char *scope = json_string_value(json_object_get(entry, "scope"));
		if (!scope || (strcmp(scope, "declaration") && strcmp(scope, "goods") &&
			       strcmp(scope, "conveyance")))
			problems_add(p, "/scope", "must be declaration, goods or conveyance");
	}
}

/* Write the change, audit it, and have every server reload its snapshot
 * (this one included) once the unit commits. */
static kerr change(struct uow *u, const struct actor *a, const char *list, const char *code,
		   const char *text)
{
	struct store_conn *c;
	char now[TIME_TEXT_SIZE], target[96];
	uow_now(u, now);
	snprintf(target, sizeof target, "%s/%s", list, code);
	kerr e = uow_conn(u, &c);
	if (!e)
		e = text ? repo_ref_put(c, list, code, text, now, true)
			 : repo_ref_delete(c, list, code);
	if (!e) {
		const struct ref_entry *old = refdata_find(uow_refdata(u), list, code);
		json_t *after = text ? json_loads(text, 0, NULL) : NULL;
		e = uow_audit_change(u, a, text ? "reference.put" : "reference.deleted", target,
				     old ? json_deep_copy(old->data) : NULL, after, NULL);
	}
	if (!e) /* the other servers reload their snapshot */
		e = store_announce(c, STORE_TOPIC_REFERENCE);
	if (!e)
		u->reload_reference = true;
	return e;
}

kerr reference_put(struct uow *u, const struct actor *a, const char *list, const char *code,
		   json_t *entry, struct refusal *why)
{
	if (!refdata_known_list(list)) {
		refusal_say(why, "no such reference list; GET /v1/reference names them");
		return KERR_NOT_FOUND;
	}
	struct problems local, *p = why->fields;
	if (!p) {
		problems_init(&local);
		p = &local;
	}
	size_t before = p->count;
	reference_entry_check(uow_refdata(u), list, code, entry, p);
	if (p->count > before) {
		refusal_say(why, "the entry is not valid");
		return KERR_INVALID;
	}
	json_object_set_new(entry, "code", json_string(code));
	char *text = json_dumps(entry, JSON_COMPACT | JSON_SORT_KEYS);
	kerr e = text ? change(u, a, list, code, text) : KERR_NOMEM;
	free(text);
	return e;
}

kerr reference_delete(struct uow *u, const struct actor *a, const char *list,
		      const char *code, struct refusal *why)
{
	if (!refdata_known_list(list)) {
		refusal_say(why, "no such reference list; GET /v1/reference names them");
		return KERR_NOT_FOUND;
	}
	kerr e = change(u, a, list, code, NULL);
	if (e == KERR_NOT_FOUND)
		refusal_say(why, "no entry with that code");
	return e;
}
