/*
 * test_workflow.c - the declaration and task state machines, exhaustively:
 * every (declaration status, task status, decision) triple, every status's
 * withdrawal and correction, and every case of a correction's effect on a
 * task, each against a table written out by hand from the rules stated in
 * workflow.h (never computed by the code under test).
 */
#include <string.h>

#include "test_support.h"
#include "domain/workflow.h"

static void names_round_trip(void **state)
{
	(void)state;
	for (int s = 0; s < DECL_STATUS_COUNT; s++) {
		enum declaration_status out;
		assert_true(declaration_status_parse(declaration_status_name(s), &out));
		assert_int_equal(out, s);
	}
	for (int s = 0; s < TASK_STATUS_COUNT; s++) {
		enum task_status out;
		assert_true(task_status_parse(task_status_name(s), &out));
		assert_int_equal(out, s);
	}
	for (int d = 0; d < DECISION_COUNT; d++) {
		enum decision out;
		assert_true(decision_parse(decision_name(d), &out));
		assert_int_equal(out, d);
	}
	enum decision d;
	assert_false(decision_parse("approve", &d));
	assert_false(decision_parse(NULL, &d));
	assert_false(decision_parse("Cleared", &d));
}

/* What each decision on each task does while the declaration is still
 * going (accepted or returned), written out: '-' refused, else the task's
 * next status. Columns: cleared, inspect, return, reject. */
static const struct {
	enum task_status from;
	const char *next[DECISION_COUNT];
} live_table[] = {
	{TASK_OPEN, {"cleared", "inspecting", "returned", "rejected"}},
	{TASK_INSPECTING, {"cleared", "-", "returned", "rejected"}},
	{TASK_CLEARED, {"-", "-", "-", "-"}},
	{TASK_RETURNED, {"-", "-", "-", "-"}},
	{TASK_REJECTED, {"-", "-", "-", "-"}},
	{TASK_CLOSED, {"-", "-", "-", "-"}},
};

static void every_decision_triple(void **state)
{
	(void)state;
	static const enum declaration_status live[] = {DECL_ACCEPTED, DECL_RETURNED};
	static const enum declaration_status ended[] = {DECL_RELEASED, DECL_REJECTED,
							DECL_WITHDRAWN};
	assert_int_equal(sizeof live_table / sizeof live_table[0], TASK_STATUS_COUNT);
	for (size_t l = 0; l < 2; l++) {
		for (size_t r = 0; r < TASK_STATUS_COUNT; r++) {
			for (int d = 0; d < DECISION_COUNT; d++) {
				enum task_status next = TASK_CLOSED;
				const char *why = NULL;
				bool ok = workflow_decide(live[l], live_table[r].from, d, &next,
							  &why);
				const char *want = live_table[r].next[d];
				assert_int_equal(ok, strcmp(want, "-") != 0);
				if (ok)
					assert_string_equal(task_status_name(next), want);
				else
					assert_non_null(why);
			}
		}
	}
	/* once the declaration has ended, nothing is decided any more */
	for (size_t e = 0; e < 3; e++)
		for (int t = 0; t < TASK_STATUS_COUNT; t++)
			for (int d = 0; d < DECISION_COUNT; d++) {
				enum task_status next;
				const char *why = NULL;
				assert_false(workflow_decide(ended[e], t, d, &next, &why));
				assert_non_null(why);
			}
	const char *why;
	enum task_status next;
	assert_false(workflow_decide(DECL_RELEASED, TASK_OPEN, DECISION_CLEARED, &next, &why));
	assert_string_equal(why, "the declaration has been released");
	assert_false(workflow_decide(DECL_ACCEPTED, TASK_INSPECTING, DECISION_INSPECT, &next,
				     &why));
	assert_string_equal(why, "an inspection is already ordered; record its outcome with "
				 "cleared, return or reject");
	assert_false(workflow_decide(DECL_RETURNED, TASK_RETURNED, DECISION_CLEARED, &next, &why));
	assert_string_equal(why, "this task is returned for correction");
}

static void final_statuses(void **state)
{
	(void)state;
	/* status: final, may be withdrawn, may be corrected */
	static const struct {
		enum declaration_status s;
		bool final, withdraw, correct;
	} table[] = {
		{DECL_ACCEPTED, false, true, false},
		{DECL_RETURNED, false, true, true},
		{DECL_RELEASED, true, false, false},
		{DECL_REJECTED, true, false, false},
		{DECL_WITHDRAWN, true, false, false},
	};
	assert_int_equal(sizeof table / sizeof table[0], DECL_STATUS_COUNT);
	for (size_t i = 0; i < DECL_STATUS_COUNT; i++) {
		const char *why = NULL;
		assert_int_equal(declaration_final(table[i].s), table[i].final);
		assert_int_equal(workflow_can_withdraw(table[i].s, &why), table[i].withdraw);
		assert_true(table[i].withdraw || why);
		why = NULL;
		assert_int_equal(workflow_can_correct(table[i].s, &why), table[i].correct);
		assert_true(table[i].correct || why);
	}
	const char *why;
	assert_false(workflow_can_withdraw(DECL_REJECTED, &why));
	assert_string_equal(why, "a rejected declaration cannot be withdrawn");
	assert_false(workflow_can_withdraw(DECL_RELEASED, &why));
	assert_string_equal(why, "a released declaration cannot be withdrawn");
}

/* What a correction does to an agency's task, written out for every case:
 * needed after the correction, a task there or not, its status, and
 * whether what the agency acts on changed. */
static void correction_steps(void **state)
{
	(void)state;
	static const struct {
		bool needed, has;
		enum task_status ts;
		bool changed;
		enum correction_step step;
		const char *because;
	} table[] = {
		{true, false, TASK_CLOSED, false, CORRECTION_OPEN, NULL},
		{true, true, TASK_OPEN, false, CORRECTION_KEEP, NULL},
		{true, true, TASK_OPEN, true, CORRECTION_REBASE, NULL},
		{true, true, TASK_INSPECTING, false, CORRECTION_KEEP, NULL},
		{true, true, TASK_INSPECTING, true, CORRECTION_REBASE, NULL},
		{true, true, TASK_CLEARED, false, CORRECTION_KEEP, NULL},
		{true, true, TASK_CLEARED, true, CORRECTION_REOPEN,
		 "the correction changed what this agency acts on"},
		{true, true, TASK_RETURNED, false, CORRECTION_REOPEN, "returned task corrected"},
		{true, true, TASK_RETURNED, true, CORRECTION_REOPEN, "returned task corrected"},
		{true, true, TASK_CLOSED, false, CORRECTION_REOPEN,
		 "the correction changed what this agency acts on"},
		{true, true, TASK_REJECTED, true, CORRECTION_REBASE, NULL},
		{false, false, TASK_CLOSED, false, CORRECTION_KEEP, NULL},
		{false, true, TASK_CLOSED, false, CORRECTION_KEEP, NULL},
		{false, true, TASK_OPEN, false, CORRECTION_CLOSE,
		 "no longer required after correction"},
		{false, true, TASK_CLEARED, false, CORRECTION_CLOSE,
		 "no longer required after correction"},
		{false, true, TASK_INSPECTING, true, CORRECTION_REFUSE,
		 "has ordered an inspection of the goods, which stands whatever a correction "
		 "says of them: it ends when the inspection is completed or its supervisor "
		 "waives it"},
		{false, true, TASK_INSPECTING, false, CORRECTION_REFUSE,
		 "has ordered an inspection of the goods, which stands whatever a correction "
		 "says of them: it ends when the inspection is completed or its supervisor "
		 "waives it"},
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		const char *because = "unset";
		enum correction_step step = workflow_correction_step(
			table[i].needed, table[i].has, table[i].ts, table[i].changed, &because);
		assert_int_equal(step, table[i].step);
		if (table[i].because)
			assert_string_equal(because, table[i].because);
		else
			assert_null(because);
	}
}

static void status_follows_tasks(void **state)
{
	(void)state;
	enum task_status t[4];
	t[0] = TASK_CLEARED;
	t[1] = TASK_CLEARED;
	assert_int_equal(workflow_status_from_tasks(t, 2), DECL_RELEASED);
	t[1] = TASK_OPEN;
	assert_int_equal(workflow_status_from_tasks(t, 2), DECL_ACCEPTED);
	t[1] = TASK_INSPECTING;
	assert_int_equal(workflow_status_from_tasks(t, 2), DECL_ACCEPTED);
	t[1] = TASK_RETURNED;
	assert_int_equal(workflow_status_from_tasks(t, 2), DECL_RETURNED);
	t[2] = TASK_REJECTED;
	assert_int_equal(workflow_status_from_tasks(t, 3), DECL_REJECTED);
	/* closed tasks do not count; but all closed is not a release */
	t[0] = TASK_CLEARED;
	t[1] = TASK_CLOSED;
	assert_int_equal(workflow_status_from_tasks(t, 2), DECL_RELEASED);
	t[0] = TASK_CLOSED;
	assert_int_equal(workflow_status_from_tasks(t, 2), DECL_ACCEPTED);
	assert_int_equal(workflow_status_from_tasks(t, 0), DECL_ACCEPTED);
	assert_true(task_pending(TASK_OPEN));
	assert_true(task_pending(TASK_INSPECTING));
	assert_true(task_pending(TASK_RETURNED));
	assert_false(task_pending(TASK_CLEARED));
	assert_false(task_pending(TASK_CLOSED));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_round_trip),
		cmocka_unit_test(every_decision_triple),
		cmocka_unit_test(final_statuses),
		cmocka_unit_test(correction_steps),
		cmocka_unit_test(status_follows_tasks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
