/* consistency.c - port office, legal units, no-op corrections (see
 * consistency.h). */
#include "domain/consistency.h"

#include <stdio.h>
#include <string.h>

#include "domain/fields.h"

static void check_port_office(const json_t *body, const struct refdata *ref,
			      struct problems *p)
{
	const char *dir = json_string_value(json_object_get(body, "direction"));
	bool import = !dir || strcmp(dir, "export") != 0;
	const char *office = json_string_value(json_object_get(body, "port_office"));
	const char *port = json_string_value(
		json_object_get(body, import ? "entry_port" : "exit_port"));
	if (!office || !port || refdata_port_served(ref, office, port))
		return;
	char offices[400];
	size_t n = refdata_port_offices(ref, port, offices, sizeof offices);
	const char *which = import ? "entry" : "exit";
	if (n)
		problems_add(p, "/port_office",
			     "customs office %s (%s) does not serve the %s port %s (%s); "
			     "the port office must be one that serves it: %s",
			     office, refdata_name(ref, "customs_offices", office), which,
			     port, refdata_name(ref, "ports", port), offices);
	else
		problems_add(p, "/port_office",
			     "customs office %s (%s) does not serve the %s port %s (%s), "
			     "and no customs office does: goods cannot %s China there",
			     office, refdata_name(ref, "customs_offices", office), which,
			     port, refdata_name(ref, "ports", port),
			     import ? "enter" : "leave");
}

static void check_units(const json_t *body, const struct refdata *ref,
			struct problems *p)
{
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(body, "items"), i, it)
	{
		const char *hs = json_string_value(json_object_get(it, "hs_code"));
		const char *unit = json_string_value(json_object_get(it, "unit"));
		const char *first, *second;
		refdata_legal_units(ref, hs, &first, &second);
		if (!hs || !unit || !first || refdata_unit_is_legal(ref, hs, unit))
			continue;
		char at[FIELD_POINTER_MAX], item[FIELD_POINTER_MAX];
		fields_pointer_index(item, sizeof item, "/items", i);
		json_pointer_to(at, sizeof at, item, "unit");
		char also[120] = "";
		if (second)
			snprintf(also, sizeof also, " or in its second legal unit %s (%s)",
				 second, refdata_name(ref, "units", second));
		problems_add(p, at,
			     "%s (%s) is not a legal unit of commodity %s (%s); declare "
			     "the quantity in %s (%s)%s",
			     unit, refdata_name(ref, "units", unit), hs,
			     refdata_name(ref, "commodities", hs), first,
			     refdata_name(ref, "units", first), also);
	}
}

bool consistency_check_declaration(const json_t *body, const struct refdata *ref,
				   struct problems *p)
{
	size_t before = p->count + p->dropped;
	check_port_office(body, ref, p);
	check_units(body, ref, p);
	return p->count + p->dropped == before;
}

bool consistency_check_correction(const char *current_canonical,
				  const char *corrected_canonical,
				  struct problems *p)
{
	if (!current_canonical || !corrected_canonical ||
	    strcmp(current_canonical, corrected_canonical) != 0)
		return true;
	problems_add(p, "",
		     "the correction is identical to the current version; nothing "
		     "changed, so no new version is made");
	return false;
}

/* Every entry of member `key` of `entry` is a string `known` accepts. */
static void check_codes(const struct refdata *ref, const json_t *entry,
			const char *key, bool (*known)(const struct refdata *, const char *),
			const char *what, struct problems *p)
{
	const json_t *a = json_object_get(entry, key);
	char at[FIELD_POINTER_MAX];
	json_pointer_to(at, sizeof at, "", key);
	if (!a)
		return;
	if (!json_is_array(a)) {
		problems_add(p, at, "must be an array of %s", what);
		return;
	}
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v) || !known(ref, json_string_value(v)))
			problems_add(p, at, "entry %zu is not one of the %s", i, what);
	}
}

static bool known_agency(const struct refdata *ref, const char *code)
{
	return refdata_agency_index(ref, code) >= 0;
}

static bool known_port(const struct refdata *ref, const char *code)
{
	return refdata_has(ref, "ports", code);
}

bool consistency_check_reference_entry(const struct refdata *ref, const char *list,
				       const json_t *entry, struct problems *p)
{
	size_t before = p->count + p->dropped;
	if (strcmp(list, "commodities") == 0 && json_object_get(entry, "unit_2")) {
		const char *u2 = json_string_value(json_object_get(entry, "unit_2"));
		const char *u = json_string_value(json_object_get(entry, "unit"));
		if (!u2 || !refdata_has(ref, "units", u2) || (u && strcmp(u, u2) == 0))
			problems_add(p, "/unit_2",
				     "must be a code from the units list other than unit: "
				     "the tariff's second unit of quantity");
	}
	if (strcmp(list, "transport_modes") == 0)
		check_codes(ref, entry, "conveyance_agencies", known_agency,
			    "agencies (see GET /v1/reference/agencies)", p);
	if (strcmp(list, "customs_offices") == 0)
		check_codes(ref, entry, "ports", known_port,
			    "ports (see GET /v1/reference/ports)", p);
	return p->count + p->dropped == before;
}
