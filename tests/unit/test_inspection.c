/*
 * test_inspection.c - the pure rules of the joint inspection
 * (src/domain/inspection.c): names, sites, findings, when findings may be
 * recorded, when an appointment may be made or changed, slots, and what an
 * inspection becomes as findings come in. Expected values are written out.
 */
#include <string.h>

#include "test_support.h"
#include "domain/inspection.h"

static int64_t us(const char *t)
{
	int64_t v;
	assert_true(ktime_parse(t, &v));
	return v;
}

static void names(void **state)
{
	(void)state;
	static const char *const statuses[] = {"awaiting_booking", "booked", "in_progress",
					       "completed", "cancelled"};
	static const bool under_way[] = {true, true, true, false, false};
	for (int i = 0; i < INSPECTION_STATUS_COUNT; i++) {
		enum inspection_status s;
		assert_string_equal(inspection_status_name(i), statuses[i]);
		assert_true(inspection_status_parse(statuses[i], &s));
		assert_int_equal(s, i);
		assert_int_equal(inspection_under_way(i), under_way[i]);
	}
	enum inspection_status s;
	assert_false(inspection_status_parse("done", &s));
	assert_false(inspection_status_parse(NULL, &s));
	enum finding_result r;
	assert_true(finding_result_parse("problem", &r));
	assert_int_equal(r, FINDING_PROBLEM);
	assert_false(finding_result_parse("ok", &r));
	assert_string_equal(finding_result_name(FINDING_NO_PROBLEM), "no_problem");
}

static struct refdata *ports(void)
{
	struct refdata_builder *b = refdata_builder_new();
	json_t *e = json_pack("{s:s}", "code", "CNNSA");
	assert_int_equal(refdata_builder_add(b, "ports", e), KERR_OK);
	json_decref(e);
	struct refdata *r = refdata_builder_finish(b);
	assert_non_null(r);
	return r;
}

static void site_checks(void **state)
{
	(void)state;
	struct refdata *ref = ports();
	struct inspection_site s;
	struct problems p;
	json_t *ok = json_loads("{\"code\":\"CNNSA-1\",\"name\":\"Nansha\",\"port\":\"CNNSA\","
				"\"slot_minutes\":30,\"capacity\":4}", 0, NULL);
	problems_init(&p);
	inspection_site_read(ok, ref, &s, &p);
	assert_int_equal(p.count, 0);
	assert_string_equal(s.code, "CNNSA-1");
	assert_int_equal(s.slot_minutes, 30);
	assert_int_equal(s.capacity, 4);
	json_decref(ok);
	json_t *bad = json_loads("{\"code\":\"nansha 1\",\"name\":\"\",\"port\":\"CNXXX\","
				 "\"slot_minutes\":7,\"capacity\":101,\"colour\":\"red\"}", 0, NULL);
	problems_init(&p);
	inspection_site_read(bad, ref, &s, &p);
	static const char *const fields[] = {"/colour", "/code", "/name", "/port",
					     "/slot_minutes", "/capacity"};
	assert_int_equal(p.count, 6);
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(p.errors[i].field, fields[i]);
	assert_string_equal(p.errors[4].problem,
			    "is required: a whole number of minutes from 5 to 1440 that divides a "
			    "day (e.g. 15, 30, 60)");
	json_decref(bad);
	assert_true(inspection_site_code_valid("A-1"));
	assert_false(inspection_site_code_valid("a-1"));
	assert_false(inspection_site_code_valid(""));
	assert_false(inspection_site_code_valid("ABCDEFGHIJKLMNOPQ")); /* 17 */
	refdata_release(ref);
}

static void finding_checks(void **state)
{
	(void)state;
	static const struct {
		const char *body;
		const char *field; /* NULL: valid */
		const char *text;
	} cases[] = {
		{"{\"result\":\"no_problem\"}", NULL, NULL},
		{"{\"result\":\"no_problem\",\"note\":\"samples passed\"}", NULL, NULL},
		{"{\"result\":\"problem\",\"note\":\"larvae\",\"decision\":\"return\"}", NULL, NULL},
		{"{}", "/result", "is required: no_problem or problem"},
		{"{\"result\":\"fine\"}", "/result", "must be no_problem or problem"},
		{"{\"result\":\"problem\",\"decision\":\"reject\"}", "/note",
		 "is required when the result is problem: say what was found"},
		{"{\"result\":\"problem\",\"note\":\"x\"}", "/decision",
		 "is required when the result is problem: return or reject"},
		{"{\"result\":\"problem\",\"note\":\"x\",\"decision\":\"cleared\",\"reason\":\"documents checked\"}", "/decision",
		 "must be return or reject"},
		{"{\"result\":\"no_problem\",\"decision\":\"return\"}", "/decision",
		 "must be left out when the result is no_problem (the task is cleared)"},
		{"{\"result\":\"no_problem\",\"note\":\"\"}", "/note",
		 "must be a non-empty string of at most 500 bytes"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *b = json_loads(cases[i].body, 0, NULL);
		struct finding f;
		struct problems p;
		problems_init(&p);
		inspection_finding_read(b, &f, &p);
		if (!cases[i].field) {
			assert_int_equal(p.count, 0);
		} else {
			assert_int_equal(p.count, 1);
			assert_string_equal(p.errors[0].field, cases[i].field);
			assert_string_equal(p.errors[0].problem, cases[i].text);
		}
		json_decref(b);
	}
	/* what a finding applies to its task */
	json_t *b = json_loads("{\"result\":\"problem\",\"note\":\"x\",\"decision\":\"reject\"}",
			       0, NULL);
	struct finding f;
	struct problems p;
	problems_init(&p);
	inspection_finding_read(b, &f, &p);
	assert_int_equal(inspection_finding_decision(&f), DECISION_REJECT);
	json_decref(b);
	inspection_finding_from_decision(&f, "customs", DECISION_CLEARED, NULL);
	assert_int_equal(f.result, FINDING_NO_PROBLEM);
	assert_false(f.has_decision);
	assert_int_equal(inspection_finding_decision(&f), DECISION_CLEARED);
	inspection_finding_from_decision(&f, "customs", DECISION_RETURN, "seals broken");
	assert_int_equal(f.result, FINDING_PROBLEM);
	assert_int_equal(inspection_finding_decision(&f), DECISION_RETURN);
	assert_string_equal(f.note, "seals broken");
}

static void when_findings_are_recorded(void **state)
{
	(void)state;
	char buf[200];
	int64_t slot = us("2026-11-24T02:00:00Z");
	assert_false(inspection_started(INSPECTION_BOOKED, slot, slot - 1));
	assert_true(inspection_started(INSPECTION_BOOKED, slot, slot));
	assert_true(inspection_started(INSPECTION_IN_PROGRESS, slot, 0));
	assert_false(inspection_started(INSPECTION_AWAITING_BOOKING, slot, slot + 1));
	assert_null(inspection_findings_closed(INSPECTION_BOOKED, true, "", "", buf, sizeof buf));
	assert_null(inspection_findings_closed(INSPECTION_IN_PROGRESS, false, "", "", buf,
					       sizeof buf));
	assert_string_equal(inspection_findings_closed(INSPECTION_BOOKED, false,
						       "2026-11-24T02:00:00.000000Z", "CNNSA-1",
						       buf, sizeof buf),
			    "the inspection is booked for 2026-11-24T02:00:00.000000Z at CNNSA-1; "
			    "findings can be recorded from then");
	assert_string_equal(inspection_findings_closed(INSPECTION_COMPLETED, true, "", "", buf,
						       sizeof buf),
			    "the inspection is completed: every agency has recorded its finding");
	assert_string_equal(inspection_findings_closed(INSPECTION_CANCELLED, true, "", "", buf,
						       sizeof buf),
			    "the inspection was closed without taking place");
	assert_non_null(strstr(inspection_findings_closed(INSPECTION_AWAITING_BOOKING, false, "",
							  "", buf, sizeof buf),
			       "no appointment yet"));
}

static void when_appointments_change(void **state)
{
	(void)state;
	char buf[200];
	/* (inspection status, move) -> refused? for a declaration going on */
	static const struct {
		enum inspection_status s;
		bool move;
		const char *why; /* NULL: allowed */
	} cases[] = {
		{INSPECTION_AWAITING_BOOKING, false, NULL},
		{INSPECTION_AWAITING_BOOKING, true, "the inspection has no appointment yet: book one with POST"},
		{INSPECTION_BOOKED, false, "the inspection is booked already: move the appointment with PUT or cancel it with DELETE"},
		{INSPECTION_BOOKED, true, NULL},
		{INSPECTION_IN_PROGRESS, true, "the inspection has begun (a finding is recorded): its appointment can no longer change"},
		{INSPECTION_COMPLETED, false, "the inspection is completed"},
		{INSPECTION_CANCELLED, true, "the inspection was closed without taking place"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *why = inspection_booking_refused(cases[i].s, DECL_ACCEPTED,
							     cases[i].move, buf, sizeof buf);
		if (cases[i].why)
			assert_string_equal(why, cases[i].why);
		else
			assert_null(why);
	}
	assert_string_equal(inspection_booking_refused(INSPECTION_BOOKED, DECL_WITHDRAWN, true,
						       buf, sizeof buf),
			    "the declaration has been withdrawn: its inspection needs no "
			    "appointment");
}

static void slots(void **state)
{
	(void)state;
	struct inspection_site s = {.code = "CNNSA-1", .port = "CNNSA", .slot_minutes = 30,
				    .capacity = 4};
	int64_t now = us("2026-11-23T08:00:00Z");
	struct problems p;
	problems_init(&p);
	inspection_slot_check(&s, "CNNSA-1", "CNNSA", us("2026-11-24T02:00:00Z"), now, &p);
	assert_int_equal(p.count, 0);
	inspection_slot_check(&s, "CNNSA-1", "CNNSA", us("2026-11-24T02:10:00Z"), now, &p);
	assert_int_equal(p.count, 1);
	assert_string_equal(p.errors[0].field, "/slot_start");
	assert_string_equal(p.errors[0].problem,
			    "must be the start of a slot: CNNSA-1 has slots of 30 minutes from "
			    "00:00 UTC (the next one starts at 2026-11-24T02:30:00.000000Z)");
	problems_init(&p);
	inspection_slot_check(&s, "CNNSA-1", "CNNSA", us("2026-11-23T07:30:00Z"), now, &p);
	assert_string_equal(p.errors[0].problem,
			    "must be in the future (it is now 2026-11-23T08:00:00.000000Z)");
	problems_init(&p);
	inspection_slot_check(&s, "CNNSA-1", "CNNSA", now + 91 * US_PER_DAY, now, &p);
	assert_string_equal(p.errors[0].problem, "may be at most 90 days ahead");
	problems_init(&p);
	inspection_slot_check(&s, "CNNSA-1", "CNYTN", us("2026-11-24T02:00:00Z"), now, &p);
	assert_string_equal(p.errors[0].field, "/site");
	assert_string_equal(p.errors[0].problem,
			    "CNNSA-1 is at port CNNSA, but the goods of this declaration are at "
			    "CNYTN");
	problems_init(&p);
	inspection_slot_check(NULL, "NOPE", "CNNSA", us("2026-11-24T02:00:00Z"), now, &p);
	assert_string_equal(p.errors[0].field, "/site");
	assert_int_equal(inspection_slot_end(&s, us("2026-11-24T02:00:00Z")),
			 us("2026-11-24T02:30:00Z"));
}

static void settlement(void **state)
{
	(void)state;
	/* agencies, findings, problems, declaration ended -> what follows */
	static const struct {
		int64_t n, f, p;
		bool ended;
		enum inspection_settlement want;
		enum finding_result outcome;
	} cases[] = {
		{2, 0, 0, false, SETTLE_UNCHANGED, FINDING_NO_PROBLEM},
		{2, 0, 0, true, SETTLE_UNCHANGED, FINDING_NO_PROBLEM},
		{2, 1, 0, false, SETTLE_IN_PROGRESS, FINDING_NO_PROBLEM},
		{2, 1, 1, true, SETTLE_COMPLETED, FINDING_PROBLEM},
		{2, 1, 0, true, SETTLE_COMPLETED, FINDING_NO_PROBLEM},
		{2, 2, 0, false, SETTLE_COMPLETED, FINDING_NO_PROBLEM},
		{2, 2, 1, false, SETTLE_COMPLETED, FINDING_PROBLEM},
		{1, 1, 0, false, SETTLE_COMPLETED, FINDING_NO_PROBLEM},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		enum finding_result o = FINDING_RESULT_COUNT;
		assert_int_equal(inspection_settle(cases[i].n, cases[i].f, cases[i].p,
						   cases[i].ended, &o),
				 cases[i].want);
		if (cases[i].want == SETTLE_COMPLETED)
			assert_int_equal(o, cases[i].outcome);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names),
		cmocka_unit_test(site_checks),
		cmocka_unit_test(finding_checks),
		cmocka_unit_test(when_findings_are_recorded),
		cmocka_unit_test(when_appointments_change),
		cmocka_unit_test(slots),
		cmocka_unit_test(settlement),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
