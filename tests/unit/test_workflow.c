/*
 * test_workflow.c - the declaration and task state machines, exhaustively:
 * every (declaration status, task status, decision) triple is checked
 * against the rules stated in workflow.h.
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

static void every_decision_triple(void **state)
{
	(void)state;
	for (int ds = 0; ds < DECL_STATUS_COUNT; ds++) {
		for (int ts = 0; ts < TASK_STATUS_COUNT; ts++) {
			for (int d = 0; d < DECISION_COUNT; d++) {
				enum task_status next = TASK_CLOSED;
				const char *why = NULL;
				bool ok = workflow_decide(ds, ts, d, &next, &why);
				bool expect = !declaration_final(ds) &&
					      (ts == TASK_OPEN || ts == TASK_INSPECTING) &&
					      !(ts == TASK_INSPECTING && d == DECISION_INSPECT);
				assert_int_equal(ok, expect);
				if (!ok) {
					assert_non_null(why);
					continue;
				}
				static const enum task_status want[DECISION_COUNT] = {
					TASK_CLEARED, TASK_INSPECTING, TASK_RETURNED, TASK_REJECTED};
				assert_int_equal(next, want[d]);
			}
		}
	}
}

static void final_statuses(void **state)
{
	(void)state;
	assert_true(declaration_final(DECL_RELEASED));
	assert_true(declaration_final(DECL_REJECTED));
	assert_true(declaration_final(DECL_WITHDRAWN));
	assert_false(declaration_final(DECL_ACCEPTED));
	assert_false(declaration_final(DECL_RETURNED));
	const char *why;
	assert_true(workflow_can_withdraw(DECL_ACCEPTED, &why));
	assert_true(workflow_can_withdraw(DECL_RETURNED, &why));
	assert_false(workflow_can_withdraw(DECL_RELEASED, &why));
	assert_false(workflow_can_withdraw(DECL_WITHDRAWN, &why));
	assert_true(workflow_can_correct(DECL_RETURNED, &why));
	assert_false(workflow_can_correct(DECL_ACCEPTED, &why));
	assert_false(workflow_can_correct(DECL_RELEASED, &why));
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
		cmocka_unit_test(status_follows_tasks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
