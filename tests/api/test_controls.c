/*
 * test_controls.c - the ways found to get goods past the controls, each
 * tried through the router as the one who would try it: an officer
 * clearing a red task with one click, a discredited company lodging and
 * withdrawing until the draw goes its way, a good company named as
 * consignee without its consent, corrections that swap the consignment or
 * drop an agency in mid-inspection, and a terminal reading more than its
 * gate needs. Each answer is checked to the field and the words.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"

#define HAITONG "91440101MA59TRAD00"   /* trader */
#define PENGCHENG "91440300MA5E0THR7G" /* trader2 */
#define CUSTOMS_ORG "11440000MB2C7CU516"

static void put_json(struct test_env *env, const char *method, const char *path,
		     const char *user, const char *body, int status)
{
	json_decref(test_expect(env, method, path, user, body, status));
}

static json_t *view(struct test_env *env, const char *number, const char *user)
{
	char path[64];
	snprintf(path, sizeof path, "/v1/declarations/%s", number);
	return test_expect(env, "GET", path, user, NULL, 200);
}

static json_t *decide(struct test_env *env, const char *number, const char *agency,
		      const char *user, const char *body, int status)
{
	char path[128];
	snprintf(path, sizeof path, "/v1/declarations/%s/tasks/%s/decision", number, agency);
	return test_expect(env, "POST", path, user, body, status);
}

static void correct_as(struct test_env *env, const char *user, const char *number,
		       json_t *decl, int status)
{
	char path[64];
	snprintf(path, sizeof path, "/v1/declarations/%s", number);
	char *body = json_dumps(decl, JSON_COMPACT);
	put_json(env, "PUT", path, user, body, status);
	free(body);
}

static void correct(struct test_env *env, const char *number, json_t *decl, int status)
{
	correct_as(env, "trader", number, decl, status);
}

static json_t *risk(struct test_env *env, const char *number)
{
	char path[80];
	snprintf(path, sizeof path, "/v1/declarations/%s/risk", number);
	json_t *a = test_expect(env, "GET", path, "customs", NULL, 200);
	json_t *o = json_incref(json_object_get(a, "outcome"));
	json_decref(a);
	return o;
}

static json_t *agency_outcome(const json_t *outcome, const char *agency)
{
	return json_object_get(json_object_get(outcome, "agencies"), agency);
}

static void publish_rules(struct test_env *env, const char *text)
{
	json_t *b = json_pack("{s:s, s:s}", "text", text, "effective_from", "2026-01-01T00:00:00Z");
	char *body = json_dumps(b, JSON_COMPACT);
	put_json(env, "POST", "/v1/risk/rules", "admin", body, 201);
	free(body);
	json_decref(b);
}

static void set_credit(struct test_env *env, const char *uscc, const char *cls)
{
	char path[96], body[128];
	snprintf(path, sizeof path, "/v1/organisations/%s/credit", uscc);
	snprintf(body, sizeof body, "{\"credit_class\":\"%s\",\"reason\":\"case file 2026-118\"}",
		 cls);
	put_json(env, "PUT", path, "customs", body, 200);
}

static json_int_t inspection_id(struct test_env *env, const char *number)
{
	char path[80];
	snprintf(path, sizeof path, "/v1/declarations/%s/inspection", number);
	json_t *i = test_expect(env, "GET", path, "analyst", NULL, 200);
	json_int_t id = json_integer_value(json_object_get(i, "id"));
	json_decref(i);
	return id;
}

static const char *task_reason(const json_t *v, const char *agency)
{
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(v, "tasks"), i, t)
	{
		if (!strcmp(test_str(t, "agency"), agency))
			return test_str(t, "reason");
	}
	return NULL;
}

/* One officer cleared US apples that a 100% rule had sent to the red lane,
 * with {"decision":"cleared"}: no inspection, no reason, released. */
static void red_task_not_cleared_without_findings(void **state)
{
	struct test_env *env = *state;
	publish_rules(env, "when hs starts \"0808\" and origin = \"US\" then quarantine red 100% "
			   "reason \"fire blight\"\n");
	json_t *d = test_consignment();
	char number[19], notice[96];
	test_lodge(env, "trader", d, number);
	json_t *v = view(env, number, "quarantine");
	assert_string_equal(test_task_status(v, "quarantine"), "inspecting");
	json_decref(v);
	/* no reason: refused before anything else */
	json_t *p = decide(env, number, "quarantine", "quarantine", "{\"decision\":\"cleared\"}",
			   400);
	assert_true(test_has_error(p, "/reason", "required"));
	json_decref(p);
	/* with a reason: still no, the finding clears an inspecting task */
	json_decref(decide(env, number, "customs", "customs",
			   "{\"decision\":\"cleared\",\"reason\":\"invoice checked\"}", 200));
	p = decide(env, number, "quarantine", "quarantine",
		   "{\"decision\":\"cleared\",\"reason\":\"looks fine to me\"}", 409);
	assert_non_null(strstr(test_str(p, "detail"), "this task awaits the joint inspection: the "
						 "agency's finding clears it"));
	json_decref(p);
	v = view(env, number, "quarantine");
	assert_string_equal(test_str(v, "status"), "accepted");
	assert_string_equal(test_task_status(v, "quarantine"), "inspecting");
	json_decref(v);
	snprintf(notice, sizeof notice, "/v1/declarations/%s/release-notice", number);
	json_decref(test_expect(env, "GET", notice, "trader", NULL, 404));
	/* the customs supervisor cannot waive quarantine's inspection */
	char waiver[96];
	snprintf(waiver, sizeof waiver, "/v1/inspections/%lld/waivers/quarantine",
		 (long long)inspection_id(env, number));
	p = test_expect(env, "POST", waiver, "customs.lead", "{\"reason\":\"urgent cargo\"}", 403);
	assert_non_null(strstr(test_str(p, "detail"), "only a supervisor of quarantine"));
	json_decref(p);
	(void)test_token(env, "quarantine.lead"); /* its sign-in is audited too */
	int64_t audited = test_count(env, "audit_log");
	json_decref(test_expect(env, "POST", waiver, "quarantine.lead",
				"{\"reason\":\"orchard on the approved list\"}", 200));
	/* the waiver, and the decision it makes on quarantine's task */
	assert_int_equal(test_count(env, "audit_log"), audited + 2);
	json_t *log = test_expect(env, "GET", "/v1/audit?action=inspection.waived", "auditor",
				  NULL, 200);
	json_t *records = json_object_get(log, "records");
	assert_int_equal(json_array_size(records), 1);
	assert_string_equal(test_str(json_array_get(records, 0), "actor"), "quarantine.lead");
	char *text = json_dumps(json_array_get(records, 0), JSON_COMPACT);
	assert_non_null(strstr(text, "orchard on the approved list"));
	free(text);
	json_decref(log);
	assert_int_equal(test_count_events(env, number, "inspection.waived", "quarantine"), 1);
	v = view(env, number, "trader");
	assert_string_equal(test_str(v, "status"), "released");
	json_decref(v);
	json_decref(d);
}

/* A discredited company lodged and withdrew the same bill 52 times; the
 * 53rd drew green and kouan released it by itself. */
static void relodging_draws_the_same_lane(void **state)
{
	struct test_env *env = *state;
	/* the discredited are always inspected here: no first draw goes green */
	put_json(env, "PUT", "/v1/risk/credit-scaling", "admin",
		 "{\"advanced_factor_percent\":\"10\",\"discredited_min_percent\":\"100\"}", 200);
	test_profile(env, "5167", "customs", "2.4", "green");
	set_credit(env, HAITONG, "discredited");
	json_t *d = test_consignment_customs_only();
	char number[19], path[96];
	json_int_t first_draw = -1;
	for (int i = 0; i < 53; i++) {
		test_lodge(env, "trader", d, number);
		json_t *o = risk(env, number);
		json_t *c = agency_outcome(o, "customs");
		json_int_t draw = json_integer_value(
			json_object_get(json_object_get(c, "random"), "draw"));
		if (i == 0)
			first_draw = draw;
		/* the same consignment draws the same number, whatever its number */
		assert_int_equal(draw, first_draw);
		assert_string_equal(test_str(c, "lane"), "red");
		assert_int_equal(json_integer_value(json_object_get(o, "relodged_after_withdrawal")),
				 i);
		assert_true((test_str(o, "relodged_note") != NULL) == (i > 0));
		json_decref(o);
		json_t *v = view(env, number, "trader");
		assert_string_equal(test_str(v, "status"), "accepted");
		json_decref(v);
		snprintf(path, sizeof path, "/v1/declarations/%s/withdrawal", number);
		put_json(env, "POST", path, "trader", "{\"reason\":\"try again\"}", 200);
	}
	/* another consignment (its own bill) draws its own number */
	json_object_set_new(d, "bill_of_lading", json_string("COSU6291830999"));
	test_lodge(env, "trader", d, number);
	json_t *o = risk(env, number);
	assert_int_not_equal(json_integer_value(json_object_get(
				     json_object_get(agency_outcome(o, "customs"), "random"), "draw")),
			     first_draw);
	json_decref(o);
	json_decref(d);
}

/* A good standing green lane is not a way out either: withdrawing an open
 * declaration and lodging it again sends customs a document check. */
static void relodging_raises_customs_to_yellow(void **state)
{
	struct test_env *env = *state;
	test_profile(env, "5167", "customs", "0", "green");
	json_t *d = test_consignment(); /* quarantine keeps it open */
	json_object_set_new(d, "bill_of_lading", json_string("COSU6291830777"));
	char number[19], path[96];
	test_lodge(env, "trader", d, number);
	json_t *v = view(env, number, "trader");
	assert_string_equal(test_task_status(v, "customs"), "cleared");
	json_decref(v);
	snprintf(path, sizeof path, "/v1/declarations/%s/withdrawal", number);
	put_json(env, "POST", path, "trader", NULL, 200);
	test_lodge(env, "trader", d, number);
	v = view(env, number, "trader");
	assert_string_equal(test_task_status(v, "customs"), "open");
	json_decref(v);
	json_t *o = risk(env, number);
	assert_string_equal(test_str(agency_outcome(o, "customs"), "lane"), "yellow");
	assert_int_equal(json_integer_value(json_object_get(o, "relodged_after_withdrawal")), 1);
	json_decref(o);
	json_decref(d);
}

static void give_mandate(struct test_env *env, const char *user, const char *agent,
			 const char *scope, int status, const char *field, const char *words)
{
	char body[256];
	snprintf(body, sizeof body,
		 "{\"agent_uscc\":\"%s\",\"scope\":\"%s\",\"valid_to\":\"2027-11-23T00:00:00Z\"}",
		 agent, scope);
	json_t *r = test_expect(env, "POST", "/v1/mandates", user, body, status);
	if (field)
		assert_true(test_has_error(r, field, words));
	if (status == 201) { /* the answer names both organisations */
		assert_non_null(strstr(test_str(r, "agent_name"), "Pengcheng"));
		assert_non_null(strstr(test_str(r, "consignee_name"), "Haitong"));
	}
	json_decref(r);
}

/* The discredited company named a good one as consignee: refused without
 * that company's mandate, and with it the worse class still applies. The
 * consignee sees what was lodged for it. */
static void consignee_needs_a_mandate_and_the_worse_class_applies(void **state)
{
	struct test_env *env = *state;
	set_credit(env, PENGCHENG, "discredited");
	set_credit(env, HAITONG, "advanced");
	json_t *d = test_consignment_customs_only();
	json_object_set_new(d, "declarant_uscc", json_string(PENGCHENG));
	json_object_set_new(d, "bill_of_lading", json_string("MSKU2611NSA0042"));
	char *body = json_dumps(d, JSON_COMPACT);
	struct loopback_result r;
	assert_int_equal(test_call(env, "POST", "/v1/declarations", "trader2", body, "m-1", &r),
			 400);
	assert_true(test_has_error(r.json, "/consignee_uscc",
				   "no electronic mandate (委托) from " HAITONG));
	loopback_result_free(&r);
	int64_t declarations = test_count(env, "declarations");

	/* mandates that cannot be given */
	give_mandate(env, "trader", HAITONG, "import", 400, "/agent_uscc",
		     "another organisation than your own");
	give_mandate(env, "trader", CUSTOMS_ORG, "import", 400, "/agent_uscc",
		     "only a trader or a customs broker declares goods");
	give_mandate(env, "trader", "91440101MA59TRAD01", "import", 400, "/agent_uscc",
		     "must be the USCC");
	give_mandate(env, "trader", PENGCHENG, "sideways", 400, "/scope",
		     "import, export or both");
	json_t *p = test_expect(env, "POST", "/v1/mandates", "trader",
				"{\"agent_uscc\":\"" PENGCHENG "\",\"scope\":\"import\","
				"\"valid_to\":\"2026-11-01T00:00:00Z\"}",
				400);
	assert_true(test_has_error(p, "/valid_to", "in the future"));
	json_decref(p);
	p = test_expect(env, "POST", "/v1/mandates", "trader",
			"{\"agent_uscc\":\"" PENGCHENG "\",\"scope\":\"import\","
			"\"valid_to\":\"2031-01-01T00:00:00Z\"}",
			400);
	assert_true(test_has_error(p, "/valid_to", "at most 1096 days"));
	json_decref(p);
	p = test_expect(env, "POST", "/v1/mandates", "trader",
			"{\"agent_uscc\":\"" PENGCHENG "\",\"scope\":\"import\"}", 400);
	assert_true(test_has_error(p, "/valid_to", "is required"));
	json_decref(p);
	/* an officer gives no mandates */
	give_mandate(env, "customs", PENGCHENG, "import", 403, NULL, NULL);
	/* an export mandate does not cover imports */
	give_mandate(env, "trader", PENGCHENG, "export", 201, NULL, NULL);
	assert_int_equal(test_call(env, "POST", "/v1/declarations", "trader2", body, "m-2", &r),
			 400);
	assert_true(test_has_error(r.json, "/consignee_uscc", "this import declaration"));
	loopback_result_free(&r);
	assert_int_equal(test_count(env, "declarations"), declarations);

	give_mandate(env, "trader", PENGCHENG, "import", 201, NULL, NULL);
	assert_int_equal(test_call(env, "POST", "/v1/declarations", "trader2", body, "m-3", &r),
			 201);
	char number[19];
	str_copy(number, test_str(r.json, "number"), sizeof number);
	loopback_result_free(&r);
	json_t *o = risk(env, number);
	assert_string_equal(test_str(o, "consignee_credit"), "advanced");
	assert_string_equal(test_str(o, "declarant_credit"), "discredited");
	assert_string_equal(test_str(o, "credit_applied"), "discredited");
	json_decref(o);
	/* the consignee sees it, in the list and alone, but does not act on it */
	json_t *v = view(env, number, "trader");
	assert_string_equal(test_str(v, "organisation"), PENGCHENG);
	json_decref(v);
	json_t *l = test_expect(env, "GET", "/v1/declarations", "trader", NULL, 200);
	bool listed = false;
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(l, "declarations"), i, s)
		listed |= !strcmp(test_str(s, "number"), number);
	assert_true(listed);
	json_decref(l);
	char path[96];
	snprintf(path, sizeof path, "/v1/declarations/%s/withdrawal", number);
	json_decref(test_expect(env, "POST", path, "trader", NULL, 404));
	/* the agent's competitor still sees nothing */
	snprintf(path, sizeof path, "/v1/declarations/%s", number);
	json_decref(test_expect(env, "GET", path, "broker", NULL, 404));

	/* both sides list the mandates; only the consignee revokes */
	json_t *m = test_expect(env, "GET", "/v1/mandates", "trader2", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(m, "mandates")), 2);
	json_int_t id = json_integer_value(
		json_object_get(json_array_get(json_object_get(m, "mandates"), 0), "id"));
	assert_string_equal(test_str(json_array_get(json_object_get(m, "mandates"), 0), "scope"),
			    "import");
	/* each side is named, so that people need not read codes */
	assert_string_equal(test_str(json_array_get(json_object_get(m, "mandates"), 0),
				"consignee_name"),
			    "广州南沙海通进出口贸易有限公司 (Haitong Import & Export, Nansha)");
	assert_string_equal(test_str(json_array_get(json_object_get(m, "mandates"), 0), "agent_name"),
			    "深圳前海鹏程贸易有限公司 (Pengcheng Trading, Qianhai)");
	json_decref(m);
	snprintf(path, sizeof path, "/v1/mandates/%lld", (long long)id);
	json_decref(test_expect(env, "DELETE", path, "trader2", NULL, 404));
	json_decref(test_expect(env, "DELETE", path, "broker", NULL, 404));
	m = test_expect(env, "DELETE", path, "trader", NULL, 200);
	assert_non_null(test_str(m, "revoked_at"));
	json_decref(m);
	p = test_expect(env, "DELETE", path, "trader", NULL, 409);
	assert_non_null(strstr(test_str(p, "detail"), "was revoked at"));
	json_decref(p);
	json_object_set_new(d, "bill_of_lading", json_string("MSKU2611NSA0043"));
	free(body);
	body = json_dumps(d, JSON_COMPACT);
	assert_int_equal(test_call(env, "POST", "/v1/declarations", "trader2", body, "m-4", &r),
			 400);
	assert_true(test_has_error(r.json, "/consignee_uscc", "no electronic mandate"));
	loopback_result_free(&r);
	free(body);
	json_decref(d);
}

/* After quarantine cleared apples, a correction changed bill, container,
 * vessel and packages; quarantine stayed cleared. Each part of the
 * transport identity now reopens it. */
static void transport_change_reopens_every_agency(void **state)
{
	struct test_env *env = *state;
	json_t *d = test_consignment();
	json_object_set_new(d, "bill_of_lading", json_string("COSU6291830555"));
	char number[19];
	test_lodge(env, "trader", d, number);
	static const char *const changes[][2] = {
		{"bill_of_lading", "\"COSU6291830556\""},
		{"containers", "[\"CSNU6409188\"]"},
		{"packages", "5400"},
		{"gross_weight_kg", "\"59550.000\""},
		{"conveyance", "{\"name\":\"SEA PIONEER\",\"voyage\":\"118S\",\"imo\":\"9406611\"}"},
	};
	for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
		json_decref(decide(env, number, "quarantine", "quarantine",
				   "{\"decision\":\"cleared\",\"reason\":\"certificate checked\"}",
				   200));
		json_decref(decide(env, number, "customs", "customs",
				   "{\"decision\":\"return\",\"reason\":\"invoice unsigned\"}", 200));
		json_object_set_new(d, changes[i][0], json_loads(changes[i][1], JSON_DECODE_ANY, NULL));
		correct(env, number, d, 200);
		json_t *v = view(env, number, "quarantine");
		if (strcmp(test_task_status(v, "quarantine"), "open"))
			print_error("a change of %s left quarantine %s\n", changes[i][0],
				    test_task_status(v, "quarantine"));
		assert_string_equal(test_task_status(v, "quarantine"), "open");
		json_decref(v);
	}
	assert_int_equal(test_count_events(env, number, "task.reopened", "quarantine"), 5);
	json_decref(d);
}

/* A correction from apples to laptops closed quarantine's task and left
 * its inspection open for good; the declaration was released while it was
 * open. Then (issue 8's fix) the correction closed the task and cancelled
 * the inspection, and customs' clearance released the goods: apples that
 * quarantine had ordered inspected left uninspected because the trader
 * re-described them. An ordered inspection stands whatever a correction
 * says: the correction is refused. */
static void correction_cannot_drop_an_agency_that_ordered_an_inspection(void **state)
{
	struct test_env *env = *state;
	json_t *d = test_consignment();
	json_object_set_new(d, "bill_of_lading", json_string("COSU6291830666"));
	char number[19], path[80];
	test_lodge(env, "trader", d, number);
	json_t *same = json_deep_copy(d);
	json_decref(decide(env, number, "quarantine", "quarantine",
			   "{\"decision\":\"inspect\",\"reason\":\"fire blight season\"}", 200));
	json_int_t id = inspection_id(env, number);
	json_decref(decide(env, number, "customs", "customs",
			   "{\"decision\":\"return\",\"reason\":\"invoice unsigned\"}", 200));
	json_array_remove(json_object_get(d, "items"), 0); /* the apples go */
	snprintf(path, sizeof path, "/v1/declarations/%s", number);
	char *body = json_dumps(d, JSON_COMPACT);
	json_t *p = test_expect(env, "PUT", path, "trader", body, 409);
	free(body);
	assert_string_equal(test_str(p, "detail"),
			    "the correction would take quarantine off the declaration, but "
			    "quarantine has ordered an inspection of the goods, which stands "
			    "whatever a correction says of them: it ends when the inspection is "
			    "completed or its supervisor waives it");
	json_decref(p);
	/* nothing changed: the task, the inspection, no task.closed */
	json_t *v = view(env, number, "quarantine");
	assert_string_equal(test_task_status(v, "quarantine"), "inspecting");
	assert_int_equal(json_integer_value(json_object_get(v, "version")), 1);
	json_decref(v);
	snprintf(path, sizeof path, "/v1/inspections/%lld", (long long)id);
	json_t *i = test_expect(env, "GET", path, "analyst", NULL, 200);
	assert_string_not_equal(test_str(i, "status"), "cancelled");
	assert_int_equal(json_array_size(json_object_get(i, "agencies")), 1);
	json_decref(i);
	assert_int_equal(test_count_events(env, number, "task.closed", "quarantine"), 0);
	assert_int_equal(test_count_events(env, number, "inspection.agency_left", "quarantine"), 0);
	/* the same correction that keeps the apples goes through */
	json_object_set_new(same, "remarks", json_string("invoice signed"));
	correct(env, number, same, 200);
	json_decref(same);
	/* and customs' clearance does not release goods quarantine has not seen */
	v = decide(env, number, "customs", "customs",
		   "{\"decision\":\"cleared\",\"reason\":\"invoice signed\"}", 200);
	assert_string_equal(test_str(v, "status"), "accepted");
	assert_string_equal(test_task_status(v, "quarantine"), "inspecting");
	json_decref(v);
	json_decref(d);
}

/* The terminal at Nansha read every released declaration of every office,
 * with unit prices, invoices and officers' names. */
static void port_operator_sees_its_port_at_notice_level(void **state)
{
	struct test_env *env = *state;
	json_t *nansha = test_consignment_customs_only();
	json_object_set_new(nansha, "bill_of_lading", json_string("COSU6291830888"));
	json_t *yantian = test_consignment_customs_only();
	json_object_set_new(yantian, "bill_of_lading", json_string("MSKU2611YTN0007"));
	json_object_set_new(yantian, "declaration_office", json_string("5316"));
	json_object_set_new(yantian, "port_office", json_string("5316"));
	json_object_set_new(yantian, "entry_port", json_string("CNYTN"));
	char at_nansha[19], at_yantian[19], path[96];
	test_lodge(env, "trader", nansha, at_nansha);
	test_lodge(env, "trader", yantian, at_yantian);
	json_decref(decide(env, at_nansha, "customs", "customs",
			   "{\"decision\":\"cleared\",\"reason\":\"documents checked\"}", 200));
	json_decref(decide(env, at_yantian, "customs", "customs",
			   "{\"decision\":\"cleared\",\"reason\":\"documents checked\"}", 200));

	json_t *l = test_expect(env, "GET", "/v1/declarations", "terminal", NULL, 200);
	json_t *list = json_object_get(l, "declarations");
	assert_int_equal(json_array_size(list), 1);
	json_t *s = json_array_get(list, 0);
	assert_string_equal(test_str(s, "number"), at_nansha);
	assert_int_equal(json_object_size(s), 5); /* number, status, released_at, port, bill */
	assert_string_equal(test_str(s, "port"), "CNNSA");
	json_decref(l);

	json_t *v = view(env, at_nansha, "terminal");
	static const char *const shown[] = {"number",	      "status",		  "released_at",
					    "port",	      "bill_of_lading",	  "containers",
					    "agencies_cleared", "direction",	  "transport_mode"};
	assert_int_equal(json_object_size(v), sizeof shown / sizeof shown[0]);
	for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++)
		assert_non_null(json_object_get(v, shown[i]));
	char *text = json_dumps(v, JSON_COMPACT);
	assert_null(strstr(text, "389.5"));      /* no prices */
	assert_null(strstr(text, "WA-2026"));    /* no invoices */
	assert_null(strstr(text, "decided_by")); /* no officers */
	free(text);
	json_decref(v);

	snprintf(path, sizeof path, "/v1/declarations/%s", at_yantian);
	json_decref(test_expect(env, "GET", path, "terminal", NULL, 404));
	snprintf(path, sizeof path, "/v1/declarations/%s/release-notice", at_yantian);
	json_decref(test_expect(env, "GET", path, "terminal", NULL, 404));
	snprintf(path, sizeof path, "/v1/declarations/%s/release-notice", at_nansha);
	json_decref(test_expect(env, "GET", path, "terminal", NULL, 200));
	snprintf(path, sizeof path, "/v1/declarations/%s/events", at_nansha);
	json_decref(test_expect(env, "GET", path, "terminal", NULL, 404));
	snprintf(path, sizeof path, "/v1/declarations/%s/versions/1", at_nansha);
	json_decref(test_expect(env, "GET", path, "terminal", NULL, 404));
	/* the feed: of declarations, Nansha's release and nothing else; of
	 * calls, those at Nansha only (the carrier's manifest) */
	json_t *f = test_expect(env, "GET", "/v1/events?after=0", "terminal", NULL, 200);
	json_t *events = json_object_get(f, "events");
	size_t declarations = 0, calls = 0, i;
	json_t *e;
	json_array_foreach(events, i, e)
	{
		if (json_is_string(json_object_get(e, "declaration_number"))) {
			declarations++;
			assert_string_equal(test_str(e, "declaration_number"), at_nansha);
			assert_string_equal(test_str(e, "type"), "declaration.released");
		} else {
			calls++;
			const char *call = test_str(e, "call");
			assert_string_equal(call + strlen(call) - 6, "|CNNSA");
		}
	}
	assert_int_equal(declarations, 1);
	assert_true(calls >= 1);
	json_decref(f);
	json_decref(nansha);
	json_decref(yantian);
}

/* Declarants see their lanes only when the port office allows it. */
static void declarant_lanes_follow_the_setting(void **state)
{
	struct test_env *env = *state;
	json_t *d = test_consignment();
	json_object_set_new(d, "bill_of_lading", json_string("COSU6291830999"));
	char number[19], path[80];
	publish_rules(env, "when hs starts \"0808\" and origin = \"US\" then quarantine red 100% "
			   "reason \"fire blight\"\n");
	test_lodge(env, "trader", d, number);
	json_t *v = view(env, number, "trader");
	assert_string_equal(task_reason(v, "quarantine"), "inspection ordered");
	json_decref(v);
	snprintf(path, sizeof path, "/v1/declarations/%s/events", number);
	json_t *l = test_expect(env, "GET", path, "trader", NULL, 200);
	char *text = json_dumps(l, JSON_COMPACT);
	assert_null(strstr(text, "\"lanes\""));
	assert_null(strstr(text, "red lane"));
	free(text);
	json_decref(l);
	/* the rules and their reasons are never the declarant's */
	snprintf(path, sizeof path, "/v1/declarations/%s/risk", number);
	json_decref(test_expect(env, "GET", path, "trader", NULL, 403));

	env->app.svc.limits.declarant_lanes = true;
	v = view(env, number, "trader");
	assert_non_null(strstr(task_reason(v, "quarantine"), "red lane"));
	json_decref(v);
	snprintf(path, sizeof path, "/v1/declarations/%s/events", number);
	l = test_expect(env, "GET", path, "trader", NULL, 200);
	text = json_dumps(l, JSON_COMPACT);
	assert_non_null(strstr(text, "\"lanes\""));
	free(text);
	json_decref(l);
	env->app.svc.limits.declarant_lanes = false;
	json_decref(d);
}

/* A consignee's first import is new to the rules (new_importer), so a rule
 * on it looks at a company that appears from nowhere; its next import is
 * not new. The lanes and the explanation show what the assessment read,
 * with the office's two profiles. */
static void a_first_import_is_new_to_the_rules(void **state)
{
	struct test_env *env = *state;
	test_profile(env, "5141", "quarantine", "0", "yellow");
	test_profile(env, "5141", "customs", "0", "green");
	publish_rules(env, "when new_importer = true then customs red 100% reason \"first\"\n");
	json_t *d = test_consignment_customs_only();
	json_object_set_new(d, "declaration_office", json_string("5141"));
	char number[2][19];
	test_lodge(env, "trader", d, number[0]);
	test_fresh_consignment(d);
	test_lodge(env, "trader", d, number[1]);
	json_decref(d);
	const char *lane[2] = {"red", "green"}, *status[2] = {"inspecting", "cleared"};
	for (int i = 0; i < 2; i++) {
		json_t *o = risk(env, number[i]);
		assert_int_equal(json_is_true(json_object_get(o, "new_importer")), i == 0);
		assert_string_equal(test_str(agency_outcome(o, "customs"), "lane"), lane[i]);
		assert_int_equal(json_array_size(json_object_get(o, "rules_hit")), i == 0);
		json_decref(o);
		json_t *v = view(env, number[i], "trader");
		assert_string_equal(test_task_status(v, "customs"), status[i]);
		json_decref(v);
	}
}

static bool new_importer(struct test_env *env, const char *number)
{
	json_t *o = risk(env, number);
	bool is_new = json_is_true(json_object_get(o, "new_importer"));
	json_decref(o);
	return is_new;
}

static void return_to_declarant(struct test_env *env, const char *number)
{
	json_decref(decide(env, number, "customs", "customs",
			   "{\"decision\":\"return\",\"reason\":\"invoice unsigned\"}", 200));
}

/* Whether a consignee is new to the rules follows its import declarations,
 * kept apart from the declarations (migration 0025): a first import
 * corrected and assessed again is not new once the consignee has another,
 * and a consignee whose only import was corrected to another consignee is
 * new again: it cannot pass for an established importer by an import it
 * no longer has. */
static void new_importer_follows_the_consignees_imports(void **state)
{
	struct test_env *env = *state;
	test_profile(env, "5141", "customs", "0", "green");
	publish_rules(env, "when new_importer = true then customs yellow 100% reason \"first\"\n");
	give_mandate(env, "trader", PENGCHENG, "import", 201, NULL, NULL);
	json_t *d = test_consignment_customs_only();
	json_object_set_new(d, "declaration_office", json_string("5141"));
	json_object_set_new(d, "declarant_uscc", json_string(PENGCHENG));
	json_object_set_new(d, "consignee_uscc", json_string(PENGCHENG));
	json_t *first = json_deep_copy(d);
	char number[4][19];
	test_lodge(env, "trader2", first, number[0]);
	assert_true(new_importer(env, number[0]));
	test_fresh_consignment(d);
	test_lodge(env, "trader2", d, number[1]);
	assert_false(new_importer(env, number[1]));

	/* the first, corrected: Pengcheng has imported in the second */
	return_to_declarant(env, number[0]);
	json_object_set_new(first, "documents",
			    json_loads("[{\"type\":\"invoice\",\"number\":\"WA-2026-11874\"}]", 0,
				       NULL));
	correct_as(env, "trader2", number[0], first, 200);
	assert_false(new_importer(env, number[0]));

	/* Haitong's first import, declared by Pengcheng, is corrected to be
	 * Pengcheng's own: Haitong has no import left (declared in advance,
	 * before its manifest line, which would name one of them as the
	 * consignee and match only that one) */
	test_fresh_consignment(d);
	json_object_set_new(d, "consignee_uscc", json_string(HAITONG));
	assert_true(json_is_true(json_object_get(d, "advance")));
	test_lodge_alone(env, "trader2", d, number[2]);
	assert_true(new_importer(env, number[2]));
	return_to_declarant(env, number[2]);
	json_object_set_new(d, "consignee_uscc", json_string(PENGCHENG));
	correct_as(env, "trader2", number[2], d, 200);
	assert_false(new_importer(env, number[2]));
	json_decref(d);
	d = test_consignment_customs_only();
	json_object_set_new(d, "declaration_office", json_string("5141"));
	test_lodge(env, "trader", d, number[3]);
	assert_true(new_importer(env, number[3]));
	json_decref(d);
	json_decref(first);
}

#define EACH(t) cmocka_unit_test_setup_teardown(t, test_setup, test_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		EACH(red_task_not_cleared_without_findings),
		EACH(a_first_import_is_new_to_the_rules),
		EACH(new_importer_follows_the_consignees_imports),
		EACH(relodging_draws_the_same_lane),
		EACH(relodging_raises_customs_to_yellow),
		EACH(consignee_needs_a_mandate_and_the_worse_class_applies),
		EACH(transport_change_reopens_every_agency),
		EACH(correction_cannot_drop_an_agency_that_ordered_an_inspection),
		EACH(port_operator_sees_its_port_at_notice_level),
		EACH(declarant_lanes_follow_the_setting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
