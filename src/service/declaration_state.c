/*
 * declaration_state.c - a declaration as the services hold it: freed, and
 * its facts read once (see declaration_state.h).
 *
 * Never: reach the store or a unit of work.
 */
#include "service/declaration_state.h"

void declaration_free(struct declaration *d)
{
	decl_row_free(&d->row);
	if (d->has_facts)
		declaration_facts_free(&d->facts);
	d->has_facts = false;
}

const struct declaration_facts *declaration_facts_of(struct declaration *d)
{
	if (!d->has_facts)
		d->has_facts = declaration_facts_load(d->row.body, &d->facts);
	return d->has_facts ? &d->facts : NULL;
}
