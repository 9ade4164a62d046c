/*
 * release_holds.c - the parts of a shipment that may hold a release, in
 * the order they are asked (see release_holds.h).
 */
#include "service/release_holds.h"

#include <string.h>

#include "common/buf.h"
#include "service/consignments.h"
#include "service/duties.h"
#include "service/joint_inspection.h"

/* The joint inspection holds the release while a finding is awaited. With
 * an inspecting task clearable only by its finding this should not happen;
 * the check is here so that no other path can release around it. */
static kerr inspection_holds(struct uow *u, struct declaration *d, bool *held, char *reason,
			     size_t reason_size)
{
	*held = false;
	kerr e = d->without_inspection ? KERR_OK
				       : joint_inspection_awaits_findings(u, d->row.number, held);
	if (!e && *held)
		str_copy(reason, "the joint inspection awaits findings", reason_size);
	return e;
}

static kerr inspection_ended(struct uow *u, struct declaration *d, const char *now,
			     const char *why)
{
	if (d->without_inspection)
		return KERR_OK;
	return joint_inspection_declaration_ended(u, d->row.number, now, why);
}

/* Money: an import's release waits for its duties and taxes to be
 * assessed, and then paid, or taken by a general guarantee of the
 * consignee, which the release draws on (src/service/duties.c). It is
 * asked last, so that the guarantee's rows it locks are drawn on by the
 * release that follows at once. */
static const struct release_part parts[] = {
	{"inspection", inspection_holds, NULL, inspection_ended},
	/* the transport side: the manifest line matched, and the consignment's
	 * claim freed when the declaration ends (consignments.c) */
	{"manifest", consignments_holds, NULL, consignments_ended},
	{"payment", duties_holds, duties_released, duties_ended},
};

kerr release_holds_check(struct uow *u, struct declaration *d, struct release_hold *hold)
{
	memset(hold, 0, sizeof *hold);
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		bool held = false;
		kerr e = parts[i].holds ? parts[i].holds(u, d, &held, hold->reason,
							 sizeof hold->reason)
					: KERR_OK;
		if (e)
			return e;
		if (held) {
			str_copy(hold->part, parts[i].name, sizeof hold->part);
			return KERR_OK;
		}
	}
	hold->reason[0] = '\0';
	return KERR_OK;
}

kerr release_holds_released(struct uow *u, struct declaration *d, const char *now)
{
	kerr e = KERR_OK;
	for (size_t i = 0; !e && i < sizeof parts / sizeof parts[0]; i++)
		if (parts[i].released)
			e = parts[i].released(u, d, now);
	return e;
}

kerr release_holds_ended(struct uow *u, struct declaration *d, const char *now,
			 const char *why)
{
	kerr e = KERR_OK;
	for (size_t i = 0; !e && i < sizeof parts / sizeof parts[0]; i++)
		if (parts[i].ended)
			e = parts[i].ended(u, d, now, why);
	return e;
}
