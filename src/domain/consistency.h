/*
 * consistency.h - rules that tie what a goods declaration says to itself
 * through the reference data: the port office must be one that serves the
 * entry or exit port, and each item's quantity must be in a legal unit of
 * its commodity. Also the rule that a correction must change something.
 *
 * These run after declaration_validate has accepted the body (every code in
 * it exists); they add their problems to the same list, with the field's
 * JSON pointer and a sentence that names the codes that would be accepted.
 *
 * Pure: reads the body and the reference snapshot, nothing else.
 */
#ifndef KOUAN_CONSISTENCY_H
#define KOUAN_CONSISTENCY_H

#include <jansson.h>
#include <stdbool.h>

#include "common/problems.h"
#include "domain/refdata.h"

/* Check a declaration body that declaration_validate accepted: the
 * port office serves the entry port (import) or exit port (export), at
 * /port_office; every item's unit is its commodity's legal unit or second
 * legal unit, at /items/N/unit. Returns true when nothing was added. */
bool consistency_check_declaration(const json_t *body, const struct refdata *ref,
				   struct problems *p);

/* A correction must differ from the version it replaces: given both as
 * canonical JSON (json_canonical), adds a problem at "" and returns false
 * when they are identical. */
bool consistency_check_correction(const char *current_canonical,
				  const char *corrected_canonical,
				  struct problems *p);

/* Check the members an admin's edit of a reference entry may carry for the
 * transport side: a commodity's "unit_2" (a unit other than its "unit"), a
 * transport mode's "conveyance_agencies" (known agencies), a customs
 * office's "ports" (ports of the list). Problems at /unit_2,
 * /conveyance_agencies, /ports. Returns true when nothing was added. */
bool consistency_check_reference_entry(const struct refdata *ref, const char *list,
				       const json_t *entry, struct problems *p);

#endif
