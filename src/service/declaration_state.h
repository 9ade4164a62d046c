/*
 * declaration_state.h - a declaration as the services hold it while a
 * use case works on it: its row, its tasks, the facts of its current body,
 * read once on first need, and what the unit of work stored or found for
 * it a moment before, so that it is not read back. The steps below
 * clearance (duties, consignments, what holds a release) read it through
 * here; moving it is clearance's (clearance.h).
 *
 * Never: reach the store or a unit of work.
 */
#ifndef KOUAN_DECLARATION_STATE_H
#define KOUAN_DECLARATION_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/declaration.h"
#include "domain/risk.h"
#include "store/repo.h"
#include "store/repo_money.h"
#include "store/repo_transport.h"

/* A declaration as the services hold it. Every service that fills one
 * leaves it safe to pass to declaration_free, whatever it returns. */
struct declaration {
	struct decl_row row; /* row.body owned */
	struct task_row tasks[TASKS_MAX];
	size_t ntasks;
	/* the facts of row.body, loaded on first need (declaration_facts_of) */
	struct declaration_facts facts;
	bool has_facts;
	/* lodged in this unit of work: its stored status, update and release
	 * times are row's (inserted, or written since by clearance_settle),
	 * so a settle that does not move its status has nothing to write */
	bool stored_as_row;
	/* lodged in this unit of work, so with nothing else stored for it
	 * but what this unit of work stores (another transaction cannot see
	 * it before the commit): no duty assessment until duties_assess
	 * stores one, no inspection until clearance_decide orders one. Each
	 * is then not looked for, and the first assessments of its version
	 * (duties, risk) are plain inserts, not upserts. */
	bool without_duty_assessment;
	bool without_risk_assessment;
	bool without_inspection;
	/* lodged in this unit of work: its tasks are not stored yet. What
	 * lodging decides on them changes them here only, and
	 * clearance_store_tasks writes each once, as it then stands (rather
	 * than open, then again decided). */
	bool tasks_unstored;
	/* its consignment's claim as consignments_accept stored it in this
	 * unit of work (known), so that the release check that follows does
	 * not read it back */
	struct {
		bool known;
		enum match_state state;
		char call_key[CALL_KEY_MAX];
		char bill_of_lading[BILL_OF_LADING_MAX];
	} claim;
	/* what the release check found of its duties (duties_holds) when they
	 * did not hold it, for the release that follows at once in the same
	 * unit of work (duties_released), which takes it rather than read it
	 * all again (checked): what is outstanding, whether a guarantee
	 * secures it already, and the consignee's guarantee that would take
	 * it (found; its row as read under the check's lock) */
	struct {
		bool checked;
		bool drawn;
		int64_t outstanding; /* fen */
		bool found;
		struct guarantee_row guarantee;
		enum credit_class cls;
		int32_t date;
	} duties;
};

void declaration_free(struct declaration *d);

/* The facts of the declaration's current body (loaded once). NULL when the
 * stored body cannot be read. */
const struct declaration_facts *declaration_facts_of(struct declaration *d);

#endif
