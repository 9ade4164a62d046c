/*
 * test_stages.c - stage intervals of hand-made timelines against values
 * worked out by hand: a green-lane import, an advance declaration with a
 * review, an inspection, duties and payment, a correction, a withdrawal, a
 * rejection, an import still in progress, the lodgement-to-release fallback,
 * milestones out of order, exports with and without departure, rounding to
 * whole seconds, the JSON forms, and every refusal.
 *
 * Times are written as offsets in seconds from 2026-03-02T00:00:00Z.
 */
#include <string.h>

#include "test_support.h"
#include "domain/events.h"
#include "domain/stages.h"

#define BASE_US 1772409600000000LL /* 2026-03-02T00:00:00Z */
#define H(x) ((int64_t)(x) * 3600)
#define MIN(x) ((int64_t)(x) * 60)
#define US(s) ((int64_t)(s) * 1000000)

struct ev {
	const char *type;
	int64_t s; /* seconds after BASE */
	const char *agency;
	const char *data; /* JSON object text or NULL */
};

static void measure_unit(enum stage_direction dir, const struct ev *in, size_t n,
			 int64_t unit, struct stage_times *out)
{
	struct stage_event ev[64];
	json_t *data[64];
	assert_true(n <= 64);
	for (size_t i = 0; i < n; i++) {
		data[i] = in[i].data ? json_loads(in[i].data, 0, NULL) : NULL;
		if (in[i].data)
			assert_non_null(data[i]);
		ev[i] = (struct stage_event){.type = in[i].type,
					     .at = BASE_US + US(in[i].s),
					     .agency = in[i].agency,
					     .data = data[i]};
	}
	assert_int_equal(stages_measure(dir, ev, n, unit, out), KERR_OK);
	for (size_t i = 0; i < n; i++)
		json_decref(data[i]);
}

#define MEASURE(dir, evs, out) \
	measure_unit(dir, evs, sizeof evs / sizeof evs[0], 1000000, out)

/* Stage s took `seconds` (STAGE_ABSENT: not measured). */
static void expect_stage(const struct stage_times *t, enum stage s, int64_t seconds)
{
	if (seconds == STAGE_ABSENT)
		assert_int_equal(t->stage[s], STAGE_ABSENT);
	else
		assert_int_equal(t->stage[s], US(seconds));
}

/* Every stage not named in `measured` (terminated by -1) is absent. */
static void expect_only(const struct stage_times *t, const int *measured)
{
	for (int s = 0; s < STAGE_COUNT; s++) {
		bool named = false;
		for (const int *m = measured; *m >= 0; m++)
			named |= *m == s;
		if (!named)
			assert_int_equal(t->stage[s], STAGE_ABSENT);
	}
}

/* Sea import, green lane: the manifest came a day before the vessel, the
 * declaration two hours after it, kouan released at once, and the second
 * container left the terminal 26 hours after arrival. */
static void green_import(void **state)
{
	(void)state;
	static const struct ev t[] = {
		{"manifest.lodged", -H(24), NULL, NULL},
		{"conveyance.arrived", 0, NULL, NULL},
		{"declaration.lodged", H(2), NULL, "{\"advance\": false}"},
		{"declaration.accepted", H(2) + 1, NULL, NULL},
		{"task.opened", H(2) + 1, "customs", NULL},
		{"declaration.assessed", H(2) + 2, NULL, "{\"lanes\": {\"customs\": \"green\"}}"},
		{"task.cleared", H(2) + 2, "customs", "{\"lane\": \"green\", \"version\": 1}"},
		{"declaration.released", H(2) + 2, NULL, NULL},
		{"container.gated_out", H(20), NULL, NULL},
		{"container.gated_out", H(26), NULL, NULL},
	};
	struct stage_times r;
	MEASURE(STAGE_IMPORT, t, &r);
	assert_int_equal(r.direction, STAGE_IMPORT);
	assert_int_equal(r.outcome, OUTCOME_RELEASED);
	assert_int_equal(r.total_kind, TOTAL_BORDER);
	assert_int_equal(r.flags, 0);
	assert_int_equal(r.returns, 0);
	assert_int_equal(r.total, US(93600));
	assert_int_equal(r.start_at, BASE_US);
	assert_int_equal(r.end_at, BASE_US + US(H(26)));
	assert_int_equal(r.lodged_at, BASE_US + US(7200));
	expect_stage(&r, STAGE_MANIFEST, 0); /* lodged before arrival */
	expect_stage(&r, STAGE_LODGEMENT, 7200);
	expect_stage(&r, STAGE_ACCEPTANCE, 1);
	expect_stage(&r, STAGE_RISK, 1);
	expect_stage(&r, STAGE_DOCUMENT_REVIEW, 0);
	expect_stage(&r, STAGE_RELEASED, 0);
	expect_stage(&r, STAGE_GATE_OUT, 86398);
	static const int measured[] = {STAGE_MANIFEST, STAGE_LODGEMENT, STAGE_ACCEPTANCE,
				       STAGE_RISK, STAGE_DOCUMENT_REVIEW, STAGE_RELEASED,
				       STAGE_GATE_OUT, -1};
	expect_only(&r, measured);
	assert_int_equal(r.party[PARTY_TRADER], US(7200));
	assert_int_equal(r.party[PARTY_AGENCY], US(2));
	assert_int_equal(r.party[PARTY_TERMINAL], US(86398));
	assert_int_equal(r.milestone_at[MILESTONE_MANIFEST], BASE_US - US(H(24)));
	assert_int_equal(r.milestone_at[MILESTONE_GATE_OUT], BASE_US + US(H(26)));
	assert_int_equal(r.milestone_at[MILESTONE_DOCUMENTS], BASE_US + US(7202));
	assert_int_equal(r.milestone_at[MILESTONE_BOOKED], STAGE_NO_TIME);
}

/* Lodged five hours before the vessel arrived; customs reviews the
 * documents (yellow) and clears an hour after arrival; quarantine's red lane
 * orders an inspection at once; the trader books at 3 h, the inspection ends
 * at 6 h with no problem; duties were assessed at lodging and paid at 0:30;
 * release at 6 h, gate-out at 10 h. */
static void advance_with_inspection(void **state)
{
	(void)state;
	static const struct ev t[] = {
		{"declaration.lodged", -H(5), NULL, "{\"advance\": true}"},
		{"declaration.accepted", -H(5) + 1, NULL, NULL},
		{"task.opened", -H(5) + 1, "customs", NULL},
		{"task.opened", -H(5) + 1, "quarantine", NULL},
		{"declaration.assessed", -H(5) + 2, NULL, NULL},
		{"task.inspection_ordered", -H(5) + 2, "quarantine", "{\"lane\": \"red\"}"},
		{"inspection.opened", -H(5) + 2, "quarantine", NULL},
		{"duties.assessed", -H(5) + 3, NULL, NULL},
		{"conveyance.arrived", 0, NULL, NULL},
		{"duties.paid", MIN(30), NULL, NULL},
		{"task.cleared", H(1), "customs", NULL},
		{"inspection.booked", H(3), NULL, NULL},
		{"inspection.finding_recorded", H(6), "quarantine", NULL},
		{"task.cleared", H(6), "quarantine",
		 "{\"inspection\": 7, \"finding\": \"no_problem\"}"},
		{"inspection.completed", H(6), NULL, "{\"outcome\": \"no_problem\"}"},
		{"declaration.released", H(6), NULL, NULL},
		{"container.gated_out", H(10), NULL, NULL},
	};
	struct stage_times r;
	MEASURE(STAGE_IMPORT, t, &r);
	assert_int_equal(r.outcome, OUTCOME_RELEASED);
	assert_int_equal(r.total_kind, TOTAL_BORDER);
	assert_int_equal(r.flags, STAGE_FLAG_ADVANCE | STAGE_FLAG_INSPECTED);
	assert_int_equal(r.total, US(36000));
	expect_stage(&r, STAGE_MANIFEST, STAGE_ABSENT);
	expect_stage(&r, STAGE_LODGEMENT, 0);
	expect_stage(&r, STAGE_ACCEPTANCE, 0);
	expect_stage(&r, STAGE_RISK, 0);
	expect_stage(&r, STAGE_DOCUMENT_REVIEW, 3600);
	expect_stage(&r, STAGE_INSPECTION_BOOKED, 7200);
	expect_stage(&r, STAGE_INSPECTED, 10800);
	expect_stage(&r, STAGE_ASSESSED, 0);
	expect_stage(&r, STAGE_PAID, 0);
	expect_stage(&r, STAGE_RELEASED, 0);
	expect_stage(&r, STAGE_GATE_OUT, 14400);
	expect_stage(&r, STAGE_CORRECTION, STAGE_ABSENT);
	assert_int_equal(r.party[PARTY_TRADER], US(7200));
	assert_int_equal(r.party[PARTY_AGENCY], US(14400));
	assert_int_equal(r.party[PARTY_TERMINAL], US(14400));
	/* the advance flag also follows from the times alone */
	struct ev u[sizeof t / sizeof t[0]];
	memcpy(u, t, sizeof t);
	u[0].data = NULL;
	measure_unit(STAGE_IMPORT, u, sizeof u / sizeof u[0], 1000000, &r);
	assert_int_equal(r.flags, STAGE_FLAG_ADVANCE | STAGE_FLAG_INSPECTED);
}

/* Customs returns the declaration at 3 h; the trader corrects it at 8 h;
 * customs clears at 9 h. The five hours returned are the trader's. */
static void corrected_import(void **state)
{
	(void)state;
	static const struct ev t[] = {
		{"conveyance.arrived", 0, NULL, NULL},
		{"declaration.lodged", H(1), NULL, NULL},
		{"declaration.accepted", H(1), NULL, NULL},
		{"task.opened", H(1), "customs", NULL},
		{"declaration.assessed", H(1), NULL, NULL},
		{"task.returned", H(3), "customs", "{\"reason\": \"invoice missing\"}"},
		{"declaration.returned", H(3), NULL, NULL},
		{"declaration.corrected", H(8), NULL, "{\"version\": 2}"},
		{"task.reopened", H(8), "customs", NULL},
		{"declaration.assessed", H(8), NULL, NULL},
		{"task.cleared", H(9), "customs", NULL},
		{"declaration.released", H(9), NULL, NULL},
		{"container.gated_out", H(12), NULL, NULL},
	};
	struct stage_times r;
	MEASURE(STAGE_IMPORT, t, &r);
	assert_int_equal(r.outcome, OUTCOME_RELEASED);
	assert_int_equal(r.flags, STAGE_FLAG_CORRECTED);
	assert_int_equal(r.returns, 1);
	assert_int_equal(r.total, US(43200));
	expect_stage(&r, STAGE_LODGEMENT, 3600);
	expect_stage(&r, STAGE_ACCEPTANCE, 0);
	expect_stage(&r, STAGE_RISK, 0);
	expect_stage(&r, STAGE_DOCUMENT_REVIEW, 10800); /* 1-3 h and 8-9 h */
	expect_stage(&r, STAGE_CORRECTION, 18000);
	expect_stage(&r, STAGE_RELEASED, 0);
	expect_stage(&r, STAGE_GATE_OUT, 10800);
	assert_int_equal(r.party[PARTY_TRADER], US(21600));
	assert_int_equal(r.party[PARTY_AGENCY], US(10800));
	assert_int_equal(r.party[PARTY_TERMINAL], US(10800));
}

/* Returned twice, the second time after an inspection found a problem; the
 * returned time spans two stages each time. */
static void corrected_twice_across_stages(void **state)
{
	(void)state;
	static const struct ev t[] = {
		{"declaration.lodged", 0, NULL, NULL},
		{"declaration.accepted", 0, NULL, NULL},
		{"declaration.assessed", 0, NULL, NULL},
		{"task.inspection_ordered", 0, "customs", NULL},
		{"inspection.booked", H(1), NULL, NULL},
		{"task.returned", H(4), "customs", "{\"inspection\": 3, \"finding\": \"problem\"}"},
		{"declaration.returned", H(4), NULL, NULL},
		{"inspection.completed", H(4), NULL, NULL},
		{"declaration.corrected", H(6), NULL, NULL},
		{"task.reopened", H(6), "customs", NULL},
		{"task.returned", H(7), "customs", NULL},
		{"declaration.returned", H(7), NULL, NULL},
		{"declaration.corrected", H(10), NULL, NULL},
		{"task.reopened", H(10), "customs", NULL},
		{"task.cleared", H(11), "customs", NULL},
		{"declaration.released", H(11), NULL, NULL},
	};
	struct stage_times r;
	MEASURE(STAGE_IMPORT, t, &r);
	/* no transport events: lodgement to release */
	assert_int_equal(r.total_kind, TOTAL_DECLARATION);
	assert_int_equal(r.total, US(H(11)));
	assert_int_equal(r.returns, 2);
	assert_int_equal(r.flags, STAGE_FLAG_CORRECTED | STAGE_FLAG_INSPECTED);
	/* documents decided last at 11 h (the review after the correction),
	 * so booking and inspection, done before, count 0 behind it */
	expect_stage(&r, STAGE_ACCEPTANCE, 0);
	expect_stage(&r, STAGE_RISK, 0);
	expect_stage(&r, STAGE_DOCUMENT_REVIEW, H(11) - H(2) - H(3));
	expect_stage(&r, STAGE_INSPECTION_BOOKED, 0);
	expect_stage(&r, STAGE_INSPECTED, 0);
	expect_stage(&r, STAGE_RELEASED, 0);
	expect_stage(&r, STAGE_CORRECTION, H(5));
	expect_stage(&r, STAGE_LODGEMENT, STAGE_ABSENT);
	expect_stage(&r, STAGE_GATE_OUT, STAGE_ABSENT);
	assert_int_equal(r.party[PARTY_TRADER], US(H(5)));
	assert_int_equal(r.party[PARTY_AGENCY], US(H(6)));
}

/* Withdrawn while returned: never measured as cleared. */
static void withdrawn(void **state)
{
	(void)state;
	static const struct ev t[] = {
		{"declaration.lodged", 0, NULL, NULL},
		{"declaration.accepted", 1, NULL, NULL},
		{"declaration.assessed", 2, NULL, NULL},
		{"task.returned", H(2), "customs", NULL},
		{"declaration.returned", H(2), NULL, NULL},
		{"declaration.withdrawn", H(5), NULL, "{\"reason\": \"goods sold on\"}"},
		{"task.closed", H(5), "customs", NULL},
	};
	struct stage_times r;
	MEASURE(STAGE_IMPORT, t, &r);
	assert_int_equal(r.outcome, OUTCOME_WITHDRAWN);
	assert_int_equal(r.total_kind, TOTAL_NONE);
	assert_int_equal(r.total, STAGE_ABSENT);
	assert_int_equal(r.start_at, BASE_US);
	assert_int_equal(r.end_at, BASE_US + US(H(2)));
	expect_stage(&r, STAGE_ACCEPTANCE, 1);
	expect_stage(&r, STAGE_RISK, 1);
	expect_stage(&r, STAGE_DOCUMENT_REVIEW, 7198);
	expect_stage(&r, STAGE_CORRECTION, 0); /* returned after the last milestone */
	static const int measured[] = {STAGE_ACCEPTANCE, STAGE_RISK, STAGE_DOCUMENT_REVIEW,
				       STAGE_CORRECTION, -1};
	expect_only(&r, measured);
}

static void rejected_and_in_progress(void **state)
{
	(void)state;
	static const struct ev rej[] = {
		{"conveyance.arrived", 0, NULL, NULL},
		{"declaration.lodged", 600, NULL, NULL},
		{"declaration.accepted", 600, NULL, NULL},
		{"declaration.assessed", 600, NULL, NULL},
		{"task.rejected", H(3), "quarantine", "{\"reason\": \"banned pest\"}"},
		{"declaration.rejected", H(3), NULL, NULL},
	};
	struct stage_times r;
	MEASURE(STAGE_IMPORT, rej, &r);
	assert_int_equal(r.outcome, OUTCOME_REJECTED);
	assert_int_equal(r.total, STAGE_ABSENT);
	expect_stage(&r, STAGE_LODGEMENT, 600);
	expect_stage(&r, STAGE_DOCUMENT_REVIEW, H(3) - 600);

	static const struct ev open[] = {
		{"declaration.lodged", 0, NULL, NULL},
		{"declaration.accepted", 0, NULL, NULL},
		{"declaration.assessed", 5, NULL, NULL},
		{"conveyance.arrived", H(1), NULL, NULL},
	};
	MEASURE(STAGE_IMPORT, open, &r);
	assert_int_equal(r.outcome, OUTCOME_IN_PROGRESS);
	assert_int_equal(r.total_kind, TOTAL_NONE);
	assert_int_equal(r.total, STAGE_ABSENT);
	/* measured from arrival: everything before it counts 0 */
	assert_int_equal(r.start_at, BASE_US + US(H(1)));
	expect_stage(&r, STAGE_LODGEMENT, 0);
	expect_stage(&r, STAGE_ACCEPTANCE, 0);
	expect_stage(&r, STAGE_RISK, 0);
	assert_int_equal(r.flags, STAGE_FLAG_ADVANCE);

	/* nothing to measure at all */
	static const struct ev none[] = {{"manifest.lodged", 0, NULL, NULL}};
	MEASURE(STAGE_IMPORT, none, &r);
	assert_int_equal(r.start_at, STAGE_NO_TIME);
	assert_int_equal(r.lodged_at, STAGE_NO_TIME);
	for (int s = 0; s < STAGE_COUNT; s++)
		assert_int_equal(r.stage[s], STAGE_ABSENT);
	assert_int_equal(stages_measure(STAGE_IMPORT, NULL, 0, 1, &r), KERR_OK);
	assert_int_equal(r.outcome, OUTCOME_IN_PROGRESS);
}

/* Released but not yet out of the port: lodgement to release, and the
 * arrival-to-lodgement stage is outside that span. */
static void declaration_total_when_gate_out_missing(void **state)
{
	(void)state;
	static const struct ev t[] = {
		{"conveyance.arrived", 0, NULL, NULL},
		{"manifest.lodged", 300, NULL, NULL},
		{"declaration.lodged", H(1), NULL, NULL},
		{"declaration.accepted", H(1) + 1, NULL, NULL},
		{"declaration.assessed", H(1) + 1, NULL, NULL},
		{"task.cleared", H(1) + 1, "customs", NULL},
		{"declaration.released", H(1) + 40, NULL, NULL},
	};
	struct stage_times r;
	MEASURE(STAGE_IMPORT, t, &r);
	assert_int_equal(r.total_kind, TOTAL_DECLARATION);
	assert_int_equal(r.total, US(40));
	assert_int_equal(r.start_at, BASE_US + US(H(1)));
	expect_stage(&r, STAGE_MANIFEST, STAGE_ABSENT);
	expect_stage(&r, STAGE_LODGEMENT, STAGE_ABSENT);
	expect_stage(&r, STAGE_ACCEPTANCE, 1);
	expect_stage(&r, STAGE_RISK, 0);
	expect_stage(&r, STAGE_DOCUMENT_REVIEW, 0);
	expect_stage(&r, STAGE_RELEASED, 39);
	assert_int_equal(r.party[PARTY_AGENCY], US(40));
	assert_int_equal(r.party[PARTY_TRADER], 0);
}

/* Blue lane: released first, duties assessed and paid after release; a
 * manifest lodged after the declaration. Those milestones are left out. */
static void out_of_order(void **state)
{
	(void)state;
	static const struct ev t[] = {
		{"conveyance.arrived", 0, NULL, NULL},
		{"declaration.lodged", H(1), NULL, NULL},
		{"manifest.lodged", H(2), NULL, NULL},
		{"declaration.accepted", H(1), NULL, NULL},
		{"declaration.assessed", H(1), NULL, NULL},
		{"task.cleared", H(1) + 10, "customs", "{\"lane\": \"blue\"}"},
		{"declaration.released", H(1) + 20, NULL, NULL},
		{"duties.assessed", H(30), NULL, NULL},
		{"duties.paid", H(50), NULL, NULL},
		{"container.gated_out", H(5), NULL, NULL},
	};
	struct stage_times r;
	MEASURE(STAGE_IMPORT, t, &r);
	assert_int_equal(r.total_kind, TOTAL_BORDER);
	assert_int_equal(r.total, US(H(5)));
	assert_int_equal(r.flags, STAGE_FLAG_OUT_OF_ORDER);
	expect_stage(&r, STAGE_MANIFEST, STAGE_ABSENT);
	expect_stage(&r, STAGE_LODGEMENT, H(1));
	expect_stage(&r, STAGE_DOCUMENT_REVIEW, 10);
	expect_stage(&r, STAGE_ASSESSED, STAGE_ABSENT);
	expect_stage(&r, STAGE_PAID, STAGE_ABSENT);
	expect_stage(&r, STAGE_RELEASED, 10);
	expect_stage(&r, STAGE_GATE_OUT, H(4) - 20);
	/* the raw times are still reported */
	assert_int_equal(r.milestone_at[MILESTONE_PAID], BASE_US + US(H(50)));
}

/* A general guarantee drawn by the release itself (the same instant), the
 * release never held for money: the money step is not measured and the
 * review runs to the release. Held for payment at 2 h, then drawn on the
 * declarant's request at 3 h (the release follows in the same instant): the
 * hour is the trader's money step. */
static void guarantee_at_release_or_before(void **state)
{
	(void)state;
	static const struct ev at_release[] = {
		{"declaration.lodged", 0, NULL, NULL},
		{"declaration.accepted", 0, NULL, NULL},
		{"duties.assessed", 0, NULL, "{\"status\": \"assessed\"}"},
		{"declaration.assessed", 0, NULL, NULL},
		{"task.cleared", H(2), "customs", NULL},
		{"guarantee.drawn", H(2), NULL, NULL},
		{"declaration.released", H(2), NULL, NULL},
	};
	struct stage_times r;
	MEASURE(STAGE_IMPORT, at_release, &r);
	assert_int_equal(r.total_kind, TOTAL_DECLARATION);
	assert_int_equal(r.total, US(H(2)));
	expect_stage(&r, STAGE_DOCUMENT_REVIEW, H(2));
	expect_stage(&r, STAGE_ASSESSED, 0);
	expect_stage(&r, STAGE_PAID, STAGE_ABSENT);
	expect_stage(&r, STAGE_RELEASED, 0);
	assert_int_equal(r.milestone_at[MILESTONE_PAID], STAGE_NO_TIME);

	static const struct ev on_request[] = {
		{"declaration.lodged", 0, NULL, NULL},
		{"declaration.accepted", 0, NULL, NULL},
		{"duties.assessed", 0, NULL, "{\"status\": \"assessed\"}"},
		{"declaration.assessed", 0, NULL, NULL},
		{"task.cleared", H(2), "customs", NULL},
		{"declaration.release_held", H(2), NULL, "{\"waiting_for\": \"payment\"}"},
		{"guarantee.drawn", H(3), NULL, NULL},
		{"declaration.released", H(3), NULL, NULL},
	};
	MEASURE(STAGE_IMPORT, on_request, &r);
	assert_int_equal(r.total, US(H(3)));
	expect_stage(&r, STAGE_DOCUMENT_REVIEW, H(2));
	expect_stage(&r, STAGE_PAID, H(1));
	expect_stage(&r, STAGE_RELEASED, 0);
	assert_int_equal(r.party[PARTY_TRADER], US(H(1)));
}

/* An officer orders an inspection after reviewing the documents and later
 * decides the inspected task directly: that decision is the inspection's
 * outcome, not a document decision. */
static void officer_inspection(void **state)
{
	(void)state;
	static const struct ev t[] = {
		{"declaration.lodged", 0, NULL, NULL},
		{"declaration.accepted", 0, NULL, NULL},
		{"declaration.assessed", 0, NULL, NULL},
		{"task.inspection_ordered", H(1), "customs", "{\"reason\": \"weight\"}"},
		{"inspection.booked", H(2), NULL, NULL},
		{"inspection.moved", H(3), NULL, NULL},
		{"task.cleared", H(5), "customs", NULL},
		{"inspection.completed", H(5), NULL, NULL},
		{"declaration.released", H(5), NULL, NULL},
	};
	struct stage_times r;
	MEASURE(STAGE_IMPORT, t, &r);
	expect_stage(&r, STAGE_DOCUMENT_REVIEW, H(1));
	expect_stage(&r, STAGE_INSPECTION_BOOKED, H(1));
	expect_stage(&r, STAGE_INSPECTED, H(3));
	expect_stage(&r, STAGE_RELEASED, 0);
	assert_int_equal(r.total, US(H(5)));
	assert_int_equal(r.party[PARTY_TRADER], US(H(1)));
	assert_int_equal(r.party[PARTY_AGENCY], US(H(4)));
}

/* Export: lodged before the containers came in (at 1 h and 2 h), released
 * ten minutes after the last, loaded at 5 h and 6 h, sailed at 9 h. */
static void export_border(void **state)
{
	(void)state;
	static const struct ev t[] = {
		{"declaration.lodged", 0, NULL, NULL},
		{"declaration.accepted", 1, NULL, NULL},
		{"declaration.assessed", 2, NULL, NULL},
		{"task.cleared", 2, "customs", NULL},
		{"container.gated_in", H(1), NULL, NULL},
		{"container.gated_in", H(2), NULL, NULL},
		{"declaration.released", H(2) + 600, NULL, NULL},
		{"container.loaded", H(5), NULL, NULL},
		{"container.loaded", H(6), NULL, NULL},
		{"conveyance.departed", H(9), NULL, NULL},
	};
	struct stage_times r;
	MEASURE(STAGE_EXPORT, t, &r);
	assert_int_equal(r.direction, STAGE_EXPORT);
	assert_int_equal(r.total_kind, TOTAL_BORDER);
	assert_int_equal(r.total, US(25200));
	assert_int_equal(r.start_at, BASE_US + US(H(2)));
	assert_int_equal(r.flags, 0); /* lodging before gate-in is not "advance" */
	expect_stage(&r, STAGE_LODGEMENT, 0);
	expect_stage(&r, STAGE_ACCEPTANCE, 0);
	expect_stage(&r, STAGE_RISK, 0);
	expect_stage(&r, STAGE_DOCUMENT_REVIEW, 0);
	expect_stage(&r, STAGE_RELEASED, 600);
	expect_stage(&r, STAGE_LOADING, 13800);
	expect_stage(&r, STAGE_DEPARTURE, 10800);
	expect_stage(&r, STAGE_GATE_OUT, STAGE_ABSENT);
	expect_stage(&r, STAGE_MANIFEST, STAGE_ABSENT);
	assert_int_equal(r.party[PARTY_TRADER], 0);
	assert_int_equal(r.party[PARTY_AGENCY], US(600));
	assert_int_equal(r.party[PARTY_TERMINAL], US(24600));

	/* departure not recorded: the total ends at loading */
	struct ev u[sizeof t / sizeof t[0]];
	memcpy(u, t, sizeof t);
	measure_unit(STAGE_EXPORT, u, sizeof u / sizeof u[0] - 1, 1000000, &r);
	assert_int_equal(r.total_kind, TOTAL_BORDER);
	assert_int_equal(r.total, US(14400));
	expect_stage(&r, STAGE_DEPARTURE, STAGE_ABSENT);
	/* nor loading: lodgement to release */
	measure_unit(STAGE_EXPORT, u, sizeof u / sizeof u[0] - 3, 1000000, &r);
	assert_int_equal(r.total_kind, TOTAL_DECLARATION);
	assert_int_equal(r.total, US(H(2) + 600));
	expect_stage(&r, STAGE_RELEASED, H(2) + 598);
	expect_stage(&r, STAGE_LOADING, STAGE_ABSENT);
}

/* Times are rounded down to the unit first, so stages add up in it. */
static void rounding(void **state)
{
	(void)state;
	struct stage_event ev[] = {
		{"conveyance.arrived", BASE_US + 900000, NULL, NULL},       /* 0.9 s */
		{"declaration.lodged", BASE_US + 10200000, NULL, NULL},     /* 10.2 s */
		{"declaration.released", BASE_US + 20999999, NULL, NULL},   /* 20.999999 s */
		{"container.gated_out", BASE_US + 31500000, NULL, NULL},    /* 31.5 s */
	};
	struct stage_times r;
	assert_int_equal(stages_measure(STAGE_IMPORT, ev, 4, 1000000, &r), KERR_OK);
	assert_int_equal(r.stage[STAGE_LODGEMENT], US(10));
	assert_int_equal(r.stage[STAGE_RELEASED], US(10));
	assert_int_equal(r.stage[STAGE_GATE_OUT], US(11));
	assert_int_equal(r.total, US(31));
	assert_int_equal(stages_measure(STAGE_IMPORT, ev, 4, 1, &r), KERR_OK);
	assert_int_equal(r.stage[STAGE_LODGEMENT], 9300000);
	assert_int_equal(r.stage[STAGE_RELEASED], 10799999);
	assert_int_equal(r.stage[STAGE_GATE_OUT], 10500001);
	assert_int_equal(r.total, 30600000);
	/* before the epoch, rounding is still downwards */
	struct stage_event old[] = {{"declaration.lodged", -1500000, NULL, NULL}};
	assert_int_equal(stages_measure(STAGE_IMPORT, old, 1, 1000000, &r), KERR_OK);
	assert_int_equal(r.lodged_at, -2000000);
}

static void unknown_types_ignored(void **state)
{
	(void)state;
	static const struct ev t[] = {
		{"declaration.lodged", 0, NULL, NULL},
		{"declaration.something_new", 50, NULL, NULL},
		{"declaration.released", 100, NULL, NULL},
		{"fee.charged", 200, NULL, NULL},
	};
	struct stage_times r;
	MEASURE(STAGE_EXPORT, t, &r);
	assert_int_equal(r.total, US(100));
	assert_null(stage_event_rule_find("declaration.something_new"));
	assert_null(stage_event_rule_find(NULL));
	const struct stage_event_rule *rule = stage_event_rule_find("guarantee.drawn");
	assert_non_null(rule);
	assert_int_equal(rule->effect, STAGE_EFFECT_GUARANTEE);
	assert_int_equal(rule->milestone, MILESTONE_PAID);
	rule = stage_event_rule_find("container.gated_out");
	assert_int_equal(rule->occurrence, STAGE_LAST);
	rule = stage_event_rule_find("fee.waived");
	assert_int_equal(rule->effect, STAGE_EFFECT_IGNORED);
}

/* Every type the stage table names is one kouan writes, and every type
 * kouan writes on a declaration's timeline, or that marks a milestone, is
 * in the stage table (measured or deliberately ignored): only the
 * conveyance reports' own steps, the tally and the refunds are left out. */
static void event_table_matches_kouan(void **state)
{
	(void)state;
	enum event_type t;
#define STAGE_TYPE_KNOWN(ty, eff, ms, occ) assert_true(event_type_parse(ty, &t));
	STAGE_EVENT_MAP(STAGE_TYPE_KNOWN)
#undef STAGE_TYPE_KNOWN
	static const char *const outside[] = {
		"conveyance.reported", "conveyance.amended", "conveyance.task_opened",
		"conveyance.task_reopened", "conveyance.task_cleared",
		"conveyance.inspection_ordered", "conveyance.task_returned",
		"conveyance.task_rejected", "conveyance.entry_permitted",
		"conveyance.departure_permitted", "conveyance.refused", "manifest.closed",
		"tally.reported", "refund.applied", "refund.approved", "refund.rejected",
	};
	size_t nout = 0;
	for (int k = 0; k < EVENT_TYPE_COUNT; k++) {
		const char *name = event_type_name((enum event_type)k);
		bool left_out = false;
		for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++)
			left_out |= strcmp(outside[i], name) == 0;
		if (left_out)
			nout++;
		else
			assert_non_null(stage_event_rule_find(name));
	}
	assert_int_equal(nout, sizeof outside / sizeof outside[0]);
}

/* Two measurements are the same in every figure. */
static bool same_times(const struct stage_times *a, const struct stage_times *b)
{
	return a->direction == b->direction && a->outcome == b->outcome &&
	       a->total_kind == b->total_kind && a->flags == b->flags &&
	       a->returns == b->returns && a->lodged_at == b->lodged_at &&
	       a->start_at == b->start_at && a->end_at == b->end_at && a->total == b->total &&
	       !memcmp(a->stage, b->stage, sizeof a->stage) &&
	       !memcmp(a->party, b->party, sizeof a->party) &&
	       !memcmp(a->milestone_at, b->milestone_at, sizeof a->milestone_at);
}

/* stage_event_data_read names every type whose data the measure reads: of
 * each type in the table, an event with data that says everything the
 * measure looks for (in advance, an inspection's decision, held for
 * payment) after a lodged import under review, released on a guarantee,
 * is measured the same without its data when the type is not named; and
 * the data does change the figures for the lodging, a decision and a
 * hold. */
static void data_read_only_where_the_measure_looks(void **state)
{
	(void)state;
	static const char *const types[] = {
#define STAGE_TYPE_NAME(ty, eff, ms, occ) ty,
		STAGE_EVENT_MAP(STAGE_TYPE_NAME)
#undef STAGE_TYPE_NAME
	};
	json_t *all = json_pack("{s:b, s:{s:s}, s:s}", "advance", 1, "inspection", "id", "1",
				"waiting_for", "payment");
	size_t named = 0;
	for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
		struct stage_event ev[] = {
			{"conveyance.arrived", BASE_US, NULL, NULL},
			{"declaration.lodged", BASE_US + US(H(1)), NULL, NULL},
			{"declaration.accepted", BASE_US + US(H(1)), NULL, NULL},
			{"task.opened", BASE_US + US(H(1)), "customs", NULL},
			{types[k], BASE_US + US(H(3)), "customs", all},
			{"guarantee.drawn", BASE_US + US(H(5)), NULL, NULL},
			{"declaration.released", BASE_US + US(H(5)), NULL, NULL},
		};
		struct stage_times with, without;
		assert_int_equal(stages_measure(STAGE_IMPORT, ev, 7, 1000000, &with), KERR_OK);
		ev[4].data = NULL;
		assert_int_equal(stages_measure(STAGE_IMPORT, ev, 7, 1000000, &without), KERR_OK);
		bool read = stage_event_data_read(types[k]);
		named += read;
		if (!read && !same_times(&with, &without))
			fail_msg("the measure reads the data of %s, which is not named", types[k]);
		if (!strcmp(types[k], "declaration.lodged") || !strcmp(types[k], "task.cleared") ||
		    !strcmp(types[k], "declaration.release_held")) {
			assert_true(read);
			if (same_times(&with, &without))
				fail_msg("the data of %s changes nothing", types[k]);
		}
	}
	assert_int_equal(named, 5); /* the lodging, three decisions and the hold */
	assert_false(stage_event_data_read("declaration.accepted"));
	assert_false(stage_event_data_read("no.such_type"));
	json_decref(all);
}

static void refusals(void **state)
{
	(void)state;
	struct stage_times r;
	struct stage_event one = {"declaration.lodged", 0, NULL, NULL};
	assert_int_equal(stages_measure(STAGE_DIRECTIONS, &one, 1, 1, &r), KERR_INVALID);
	assert_int_equal(stages_measure(STAGE_IMPORT, &one, 1, 0, &r), KERR_INVALID);
	assert_int_equal(stages_measure(STAGE_IMPORT, NULL, 1, 1, &r), KERR_INVALID);
	assert_int_equal(stages_measure(STAGE_IMPORT, &one, STAGE_MAX_EVENTS + 1, 1, &r),
			 KERR_INVALID);
	struct stage_event untyped = {NULL, 0, NULL, NULL};
	assert_int_equal(stages_measure(STAGE_IMPORT, &untyped, 1, 1, &r), KERR_INVALID);

	/* 33 agencies */
	static char names[STAGE_MAX_AGENCIES + 1][8];
	struct stage_event many[STAGE_MAX_AGENCIES + 1];
	for (int i = 0; i <= STAGE_MAX_AGENCIES; i++) {
		snprintf(names[i], sizeof names[i], "a%d", i);
		many[i] = (struct stage_event){"task.opened", 0, names[i], NULL};
	}
	assert_int_equal(stages_measure(STAGE_IMPORT, many, STAGE_MAX_AGENCIES, 1, &r),
			 KERR_OK);
	assert_int_equal(stages_measure(STAGE_IMPORT, many, STAGE_MAX_AGENCIES + 1, 1, &r),
			 KERR_INVALID);

	/* 65 returns */
	struct stage_event back[2 * (STAGE_MAX_RETURNS + 1)];
	for (int i = 0; i <= STAGE_MAX_RETURNS; i++) {
		back[2 * i] = (struct stage_event){"declaration.returned", 2 * i, NULL, NULL};
		back[2 * i + 1] =
			(struct stage_event){"declaration.corrected", 2 * i + 1, NULL, NULL};
	}
	assert_int_equal(stages_measure(STAGE_IMPORT, back, 2 * STAGE_MAX_RETURNS, 1, &r),
			 KERR_OK);
	assert_int_equal(r.returns, STAGE_MAX_RETURNS);
	assert_int_equal(
		stages_measure(STAGE_IMPORT, back, 2 * (STAGE_MAX_RETURNS + 1), 1, &r),
		KERR_INVALID);
}

static void from_json(void **state)
{
	(void)state;
	json_t *events = json_loads(
		"[{\"cursor\": \"1\", \"type\": \"conveyance.arrived\","
		"  \"at\": \"2026-03-02T00:00:00Z\", \"agency\": null, \"data\": {}},"
		" {\"type\": \"declaration.lodged\", \"at\": \"2026-03-02T09:30:00+08:00\","
		"  \"data\": {\"advance\": false}},"
		" {\"type\": \"task.returned\", \"at\": \"2026-03-02T02:00:00Z\", \"agency\": \"customs\"},"
		" {\"type\": \"declaration.returned\", \"at\": \"2026-03-02T02:00:00Z\"},"
		" {\"type\": \"declaration.corrected\", \"at\": \"2026-03-02T03:00:00.5Z\"},"
		" {\"type\": \"task.cleared\", \"at\": \"2026-03-02T04:00:00Z\", \"agency\": \"customs\"},"
		" {\"type\": \"declaration.released\", \"at\": \"2026-03-02T04:00:00Z\"},"
		" {\"type\": \"container.gated_out\", \"at\": \"2026-03-02T06:00:00Z\"}]",
		0, NULL);
	assert_non_null(events);
	struct stage_times r;
	const char *why = "unset";
	assert_int_equal(stages_measure_json(STAGE_IMPORT, events, 1000000, &r, &why), KERR_OK);
	assert_null(why);
	assert_int_equal(r.total, US(H(6)));
	expect_stage(&r, STAGE_LODGEMENT, MIN(90));
	expect_stage(&r, STAGE_DOCUMENT_REVIEW, MIN(150) - H(1));
	expect_stage(&r, STAGE_CORRECTION, H(1));
	expect_stage(&r, STAGE_GATE_OUT, H(2));

	json_t *view = stage_times_json(&r);
	assert_non_null(view);
	char *text = json_dumps(view, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(text);
	assert_string_equal(
		text,
		"{\"direction\":\"import\",\"end_at\":\"2026-03-02T06:00:00.000000Z\","
		"\"flags\":[\"corrected\"],\"lodged_at\":\"2026-03-02T01:30:00.000000Z\","
		"\"milestones\":{\"arrival\":\"2026-03-02T00:00:00.000000Z\","
		"\"documents_decided\":\"2026-03-02T04:00:00.000000Z\","
		"\"gate_out\":\"2026-03-02T06:00:00.000000Z\","
		"\"lodged\":\"2026-03-02T01:30:00.000000Z\","
		"\"released\":\"2026-03-02T04:00:00.000000Z\"},"
		"\"outcome\":\"released\",\"parties\":{\"agency\":5400,\"terminal\":7200,"
		"\"trader\":9000},\"returns\":1,"
		"\"stages\":[{\"party\":\"trader\",\"seconds\":5400,\"stage\":\"lodgement\","
		"\"title\":\"arrival or gate-in to declaration lodged\"},"
		"{\"party\":\"agency\",\"seconds\":5400,\"stage\":\"document_review\","
		"\"title\":\"risk assessed to documents decided\"},"
		"{\"party\":\"agency\",\"seconds\":0,\"stage\":\"released\","
		"\"title\":\"to released by every agency\"},"
		"{\"party\":\"terminal\",\"seconds\":7200,\"stage\":\"gate_out\","
		"\"title\":\"released to the goods leaving the port\"},"
		"{\"party\":\"trader\",\"seconds\":3600,\"stage\":\"correction\","
		"\"title\":\"returned for correction until corrected\"}],"
		"\"start_at\":\"2026-03-02T00:00:00.000000Z\",\"total_kind\":\"border\","
		"\"total_s\":21600}");
	free(text);
	json_decref(view);
	json_decref(events);

	static const char *const bad[] = {
		"{}",
		"[{\"at\": \"2026-03-02T00:00:00Z\"}]",
		"[{\"type\": \"declaration.lodged\", \"at\": \"yesterday\"}]",
		"[{\"type\": \"declaration.lodged\", \"at\": \"2026-03-02T00:00:00Z\", \"agency\": 3}]",
		"[42]",
	};
	static const char *const reason[] = {
		"the timeline is not an array of events",
		"every event needs a type and an RFC 3339 time \"at\"",
		"every event needs a type and an RFC 3339 time \"at\"",
		"an event's agency must be a string or null",
		"every event needs a type and an RFC 3339 time \"at\"",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_t *b = json_loads(bad[i], 0, NULL);
		assert_non_null(b);
		assert_int_equal(stages_measure_json(STAGE_IMPORT, b, 1, &r, &why), KERR_INVALID);
		assert_string_equal(why, reason[i]);
		json_decref(b);
	}
}

/* A timeline longer than the stack table of stages_measure_json. */
static void long_json_timeline(void **state)
{
	(void)state;
	json_t *events = json_array();
	json_array_append_new(events, json_pack("{s:s, s:s}", "type", "conveyance.arrived",
						"at", "2026-03-02T00:00:00Z"));
	json_array_append_new(events, json_pack("{s:s, s:s}", "type", "declaration.lodged",
						"at", "2026-03-02T01:00:00Z"));
	json_array_append_new(events, json_pack("{s:s, s:s}", "type", "declaration.released",
						"at", "2026-03-02T02:00:00Z"));
	for (int i = 0; i < 200; i++) {
		char at[40];
		snprintf(at, sizeof at, "2026-03-02T%02d:%02d:00Z", 3 + i / 60, i % 60);
		json_array_append_new(events, json_pack("{s:s, s:s}", "type",
							"container.gated_out", "at", at));
	}
	struct stage_times r;
	const char *why;
	assert_int_equal(stages_measure_json(STAGE_IMPORT, events, 1000000, &r, &why), KERR_OK);
	/* the last of 200 containers left at 06:19 */
	assert_int_equal(r.total, US(H(6) + MIN(19)));
	expect_stage(&r, STAGE_GATE_OUT, H(4) + MIN(19));
	json_decref(events);
}

static void table_facts(void **state)
{
	(void)state;
	int seen[STAGE_DIRECTIONS][STAGE_PER_DIRECTION] = {{0}};
	for (int d = 0; d < STAGE_DIRECTIONS; d++) {
		int n = 0;
		for (int s = 0; s < STAGE_COUNT; s++) {
			int slot = stage_slot(d, s);
			if (!stage_applies(d, s)) {
				assert_int_equal(slot, -1);
				continue;
			}
			assert_true(slot >= 0 && slot < STAGE_PER_DIRECTION);
			seen[d][slot]++;
			n++;
		}
		assert_int_equal(n, STAGE_PER_DIRECTION);
		for (int i = 0; i < STAGE_PER_DIRECTION; i++)
			assert_int_equal(seen[d][i], 1);
	}
	assert_int_equal(stage_slot(STAGE_IMPORT, STAGE_MANIFEST), 0);
	assert_int_equal(stage_slot(STAGE_IMPORT, STAGE_GATE_OUT), 10);
	assert_int_equal(stage_slot(STAGE_IMPORT, STAGE_CORRECTION), 11);
	assert_int_equal(stage_slot(STAGE_EXPORT, STAGE_LODGEMENT), 0);
	assert_int_equal(stage_slot(STAGE_EXPORT, STAGE_DEPARTURE), 10);
	assert_int_equal(stage_slot(STAGE_EXPORT, STAGE_GATE_OUT), -1);
	assert_int_equal(stage_party_of(STAGE_INSPECTION_BOOKED), PARTY_TRADER);
	assert_int_equal(stage_party_of(STAGE_INSPECTED), PARTY_AGENCY);
	assert_int_equal(stage_party_of(STAGE_LOADING), PARTY_TERMINAL);
	assert_int_equal(stage_ends_at(STAGE_PAID), MILESTONE_PAID);
	assert_int_equal(stage_ends_at(STAGE_CORRECTION), MILESTONE_NONE);
	assert_string_equal(stage_name(STAGE_DOCUMENT_REVIEW), "document_review");
	assert_string_equal(stage_name(STAGE_COUNT), "?");
	assert_string_equal(stage_milestone_name(MILESTONE_PAID), "paid_or_guaranteed");
	assert_string_equal(stage_outcome_name(OUTCOME_IN_PROGRESS), "in_progress");
	assert_string_equal(stage_total_name(TOTAL_DECLARATION), "declaration");
	assert_string_equal(stage_party_name(PARTY_TERMINAL), "terminal");
	enum stage s;
	assert_true(stage_parse("gate_out", &s));
	assert_int_equal(s, STAGE_GATE_OUT);
	assert_false(stage_parse("gate-out", &s));
	enum stage_direction d;
	assert_true(stage_direction_parse("export", &d));
	assert_int_equal(d, STAGE_EXPORT);
	enum stage_outcome o;
	assert_true(stage_outcome_parse("withdrawn", &o));
	assert_int_equal(o, OUTCOME_WITHDRAWN);
	enum stage_total k;
	assert_false(stage_total_parse("Border", &k));

	assert_true(stage_direction_of("516720261000000002", &d));
	assert_int_equal(d, STAGE_IMPORT);
	assert_true(stage_direction_of("530420260000000017", &d));
	assert_int_equal(d, STAGE_EXPORT);
	assert_false(stage_direction_of("516720262000000002", &d));
	assert_false(stage_direction_of("51672026100000000", &d));
	assert_false(stage_direction_of("51672026100000000x", &d));
	assert_false(stage_direction_of(NULL, &d));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(green_import),
		cmocka_unit_test(advance_with_inspection),
		cmocka_unit_test(corrected_import),
		cmocka_unit_test(corrected_twice_across_stages),
		cmocka_unit_test(withdrawn),
		cmocka_unit_test(rejected_and_in_progress),
		cmocka_unit_test(declaration_total_when_gate_out_missing),
		cmocka_unit_test(out_of_order),
		cmocka_unit_test(guarantee_at_release_or_before),
		cmocka_unit_test(officer_inspection),
		cmocka_unit_test(export_border),
		cmocka_unit_test(rounding),
		cmocka_unit_test(unknown_types_ignored),
		cmocka_unit_test(event_table_matches_kouan),
		cmocka_unit_test(data_read_only_where_the_measure_looks),
		cmocka_unit_test(refusals),
		cmocka_unit_test(from_json),
		cmocka_unit_test(long_json_timeline),
		cmocka_unit_test(table_facts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
