/*
 * test_inspections.c - one joint inspection and 7x24 appointments, through
 * the router: officers' "inspect" decisions open one inspection and join it;
 * inspection sites and their slots; booking rules (alignment, the future,
 * the site's port, capacity, whose inspection), moving and cancelling;
 * findings and mutual recognition moving the tasks on (release once, return,
 * rejection); the schedule of a day; the outcome kept for fees and rule
 * effectiveness; the hooks for decisions taken outside the inspection; and
 * concurrent bookings of one slot never passing its capacity.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "service/joint_inspection.h"
#include "domain/credentials.h"

/* Set the manual clock to an RFC 3339 time. */
static void at(struct test_env *env, const char *when)
{
	int64_t us;
	assert_true(ktime_parse(when, &us));
	__atomic_store_n(&env->clock.fixed_us, us, __ATOMIC_SEQ_CST);
}

static int call(struct test_env *env, const char *method, const char *path,
		const char *user, const char *body, struct loopback_result *r)
{
	return test_call(env, method, path, user, body, NULL, r);
}

static void decide(struct test_env *env, const char *number, const char *agency,
		   const char *body, int status)
{
	char path[128];
	snprintf(path, sizeof path, "/v1/declarations/%s/tasks/%s/decision", number, agency);
	json_decref(test_expect(env, "POST", path, agency, body, status));
}

static void order_inspection(struct test_env *env, const char *number, const char *agency)
{
	decide(env, number, agency, "{\"decision\":\"inspect\",\"reason\":\"look at the goods\"}",
	       200);
}

/* The declaration's inspection as `user` sees it (asserts 200). */
static json_t *inspection_of(struct test_env *env, const char *number, const char *user)
{
	char path[80];
	snprintf(path, sizeof path, "/v1/declarations/%s/inspection", number);
	return test_expect(env, "GET", path, user, NULL, 200);
}

static json_int_t inspection_id(struct test_env *env, const char *number)
{
	json_t *v = inspection_of(env, number, "analyst");
	json_int_t id = json_integer_value(json_object_get(v, "id"));
	json_decref(v);
	assert_true(id > 0);
	return id;
}

static json_t *get_inspection(struct test_env *env, json_int_t id, const char *user)
{
	char path[64];
	snprintf(path, sizeof path, "/v1/inspections/%lld", (long long)id);
	return test_expect(env, "GET", path, user, NULL, 200);
}

/* The entry of `agency` in an inspection view's agencies, or NULL. */
static json_t *agency_entry(const json_t *v, const char *agency)
{
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(v, "agencies"), i, a)
	{
		if (!strcmp(test_str(a, "agency"), agency))
			return a;
	}
	return NULL;
}

static json_t *declaration(struct test_env *env, const char *number)
{
	char path[64];
	snprintf(path, sizeof path, "/v1/declarations/%s", number);
	return test_expect(env, "GET", path, "analyst", NULL, 200);
}

static const char *decl_status(struct test_env *env, const char *number, char *out)
{
	json_t *v = declaration(env, number);
	str_copy(out, test_str(v, "status"), 16);
	json_decref(v);
	return out;
}

static size_t count_events(struct test_env *env, const char *number, const char *type)
{
	return test_count_events(env, number, type, NULL);
}

static void create_site(struct test_env *env, const char *code, const char *port,
			int minutes, int capacity)
{
	char body[256];
	snprintf(body, sizeof body,
		 "{\"code\":\"%s\",\"name\":\"Test site %s\",\"port\":\"%s\","
		 "\"slot_minutes\":%d,\"capacity\":%d}",
		 code, code, port, minutes, capacity);
	json_decref(test_expect(env, "POST", "/v1/inspection-sites", "admin", body, 201));
}

static int book(struct test_env *env, const char *method, json_int_t id, const char *user,
		const char *site, const char *slot, struct loopback_result *r)
{
	char path[80], body[160];
	snprintf(path, sizeof path, "/v1/inspections/%lld/booking", (long long)id);
	snprintf(body, sizeof body, "{\"site\":\"%s\",\"slot_start\":\"%s\"}", site, slot);
	return call(env, method, path, user, body, r);
}

static void expect_book(struct test_env *env, const char *method, json_int_t id,
			const char *site, const char *slot, int status)
{
	struct loopback_result r;
	int got = book(env, method, id, "trader", site, slot, &r);
	if (got != status)
		print_error("%s booking of %lld at %s %s: %d %s\n", method, (long long)id, site,
			    slot, got, r.text);
	assert_int_equal(got, status);
	loopback_result_free(&r);
}

static json_t *finding(struct test_env *env, json_int_t id, const char *agency,
		       const char *user, const char *body, int status)
{
	char path[96];
	snprintf(path, sizeof path, "/v1/inspections/%lld/findings/%s", (long long)id, agency);
	return test_expect(env, "POST", path, user, body, status);
}

static json_t *recognise(struct test_env *env, json_int_t id, const char *agency,
			 const char *from, int status)
{
	char path[112], body[64];
	snprintf(path, sizeof path, "/v1/inspections/%lld/findings/%s/recognition",
		 (long long)id, agency);
	snprintf(body, sizeof body, "{\"from_agency\":\"%s\"}", from);
	return test_expect(env, "POST", path, agency, body, status);
}

#define NO_PROBLEM "{\"result\":\"no_problem\",\"note\":\"goods as declared\"}"

/* A road declaration of the demo trader: customs, quarantine and border. */
static json_t *road_declaration(void)
{
	json_t *d = test_consignment();
	json_object_set_new(d, "transport_mode", json_string("4"));
	json_object_set_new(json_object_get(d, "conveyance"), "name", json_string("粤Z·H2286港"));
	json_object_del(json_object_get(d, "conveyance"), "imo");
	return d;
}

/* Lodge the apples (customs and quarantine), both ordering an inspection,
 * book it at NSA-T 2026-11-24T02:00Z and move the clock into the slot. */
static json_int_t booked_joint_inspection(struct test_env *env, char *number)
{
	json_t *d = test_consignment();
	test_lodge(env, "trader", d, number);
	json_decref(d);
	order_inspection(env, number, "customs");
	order_inspection(env, number, "quarantine");
	json_int_t id = inspection_id(env, number);
	expect_book(env, "POST", id, "NSA-T", "2026-11-24T02:00:00Z", 201);
	return id;
}

/* --- opening and joining --- */

static void inspect_opens_one_inspection_that_others_join(void **state)
{
	struct test_env *env = *state;
	json_t *d = test_consignment();
	char number[19];
	test_lodge(env, "trader", d, number);
	json_decref(d);
	char path[80];
	snprintf(path, sizeof path, "/v1/declarations/%s/inspection", number);
	json_decref(test_expect(env, "GET", path, "trader", NULL, 404));

	order_inspection(env, number, "quarantine");
	json_t *v = inspection_of(env, number, "trader");
	json_int_t id = json_integer_value(json_object_get(v, "id"));
	assert_string_equal(test_str(v, "status"), "awaiting_booking");
	assert_string_equal(test_str(v, "declaration_number"), number);
	assert_true(json_is_null(json_object_get(v, "appointment")));
	assert_true(json_is_null(json_object_get(v, "outcome")));
	assert_int_equal(json_array_size(json_object_get(v, "agencies")), 1);
	assert_non_null(agency_entry(v, "quarantine"));
	assert_true(json_is_null(json_object_get(agency_entry(v, "quarantine"), "finding")));
	json_decref(v);

	/* customs wants to look too: the same inspection, two agencies */
	order_inspection(env, number, "customs");
	v = get_inspection(env, id, "customs");
	assert_int_equal(json_array_size(json_object_get(v, "agencies")), 2);
	assert_non_null(agency_entry(v, "customs"));
	json_decref(v);
	assert_int_equal(count_events(env, number, "inspection.opened"), 1);
	assert_int_equal(count_events(env, number, "inspection.agency_joined"), 1);
	assert_int_equal(test_count(env, "declarations"), 1);

	/* who sees it: the declarant's organisation, the agencies taking
	 * part, analysts, admins; anyone else gets 404 */
	snprintf(path, sizeof path, "/v1/inspections/%lld", (long long)id);
	json_decref(test_expect(env, "GET", path, "quarantine", NULL, 200));
	json_decref(test_expect(env, "GET", path, "admin", NULL, 200));
	json_decref(test_expect(env, "GET", path, "trader2", NULL, 404));
	json_decref(test_expect(env, "GET", path, "border", NULL, 404));
	json_decref(test_expect(env, "GET", path, "terminal", NULL, 404));
	snprintf(path, sizeof path, "/v1/declarations/%s/inspection", number);
	json_decref(test_expect(env, "GET", path, "trader2", NULL, 404));
	json_decref(test_expect(env, "GET", path, "maritime", NULL, 404));
	json_decref(test_expect(env, "GET", "/v1/inspections/99999", "admin", NULL, 404));
	json_decref(test_expect(env, "GET", "/v1/inspections/abc", "admin", NULL, 404));
	json_decref(test_expect(env, "GET", "/v1/inspections/1", NULL, NULL, 401));
}

/* --- sites --- */

static void admins_create_sites(void **state)
{
	struct test_env *env = *state;
	struct loopback_result r;
	assert_int_equal(call(env, "POST", "/v1/inspection-sites", "admin",
			      "{\"code\":\"nsa 1\",\"name\":\"\",\"port\":\"XXNOP\","
			      "\"slot_minutes\":7,\"capacity\":0,\"colour\":\"red\"}",
			      &r),
			 400);
	assert_true(test_has_error(r.json, "/code", "A-Z"));
	assert_true(test_has_error(r.json, "/name", NULL));
	assert_true(test_has_error(r.json, "/port", "ports list"));
	assert_true(test_has_error(r.json, "/slot_minutes", "divides a day"));
	assert_true(test_has_error(r.json, "/capacity", "1 to 100"));
	assert_true(test_has_error(r.json, "/colour", NULL));
	loopback_result_free(&r);
	const char *site = "{\"code\":\"CNNSA-1\",\"name\":\"Nansha terminal inspection area\","
			   "\"port\":\"CNNSA\",\"slot_minutes\":30,\"capacity\":4}";
	assert_int_equal(call(env, "POST", "/v1/inspection-sites", "customs", site, &r), 403);
	loopback_result_free(&r);
	assert_int_equal(call(env, "POST", "/v1/inspection-sites", "admin", site, &r), 201);
	assert_string_equal(r.location, "/v1/inspection-sites/CNNSA-1");
	assert_int_equal(json_integer_value(json_object_get(r.json, "capacity")), 4);
	assert_string_equal(test_str(r.json, "timezone"), "UTC");
	loopback_result_free(&r);
	assert_int_equal(call(env, "POST", "/v1/inspection-sites", "admin", site, &r), 409);
	assert_true(test_has_error(r.json, "/code", "exists already"));
	loopback_result_free(&r);
	json_t *l = test_expect(env, "GET", "/v1/inspection-sites", "trader", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(l, "sites")), 1);
	json_decref(l);
	l = test_expect(env, "GET", "/v1/inspection-sites/CNNSA-1", "terminal", NULL, 200);
	assert_string_equal(test_str(l, "port"), "CNNSA");
	json_decref(l);
	json_decref(test_expect(env, "GET", "/v1/inspection-sites/NOPE", "admin", NULL, 404));
}

/* --- booking --- */

static void booking_rules(void **state)
{
	struct test_env *env = *state;
	create_site(env, "NSA-T", "CNNSA", 30, 4);
	create_site(env, "YTN-T", "CNYTN", 60, 2);
	json_t *d = test_consignment();
	char number[19];
	test_lodge(env, "trader", d, number);
	json_decref(d);
	order_inspection(env, number, "quarantine");
	json_int_t id = inspection_id(env, number);
	struct loopback_result r;

	/* fields */
	char path[80];
	snprintf(path, sizeof path, "/v1/inspections/%lld/booking", (long long)id);
	assert_int_equal(call(env, "POST", path, "trader", "{\"when\":1}", &r), 400);
	assert_true(test_has_error(r.json, "/site", "is required"));
	assert_true(test_has_error(r.json, "/slot_start", "is required"));
	assert_true(test_has_error(r.json, "/when", NULL));
	loopback_result_free(&r);
	assert_int_equal(book(env, "POST", id, "trader", "NSA-T", "tomorrow", &r), 400);
	assert_true(test_has_error(r.json, "/slot_start", "RFC 3339"));
	loopback_result_free(&r);
	/* not on a slot boundary */
	assert_int_equal(book(env, "POST", id, "trader", "NSA-T", "2026-11-24T02:10:00Z", &r), 400);
	assert_true(test_has_error(r.json, "/slot_start", "2026-11-24T02:30:00.000000Z"));
	loopback_result_free(&r);
	/* in the past (the clock says 2026-11-23T08:00Z) */
	assert_int_equal(book(env, "POST", id, "trader", "NSA-T", "2026-11-23T07:30:00Z", &r), 400);
	assert_true(test_has_error(r.json, "/slot_start", "future"));
	loopback_result_free(&r);
	assert_int_equal(book(env, "POST", id, "trader", "NSA-T", "2027-06-01T00:00:00Z", &r), 400);
	assert_true(test_has_error(r.json, "/slot_start", "90 days"));
	loopback_result_free(&r);
	/* unknown site; a site at another port than the goods */
	assert_int_equal(book(env, "POST", id, "trader", "NOPE", "2026-11-24T02:00:00Z", &r), 400);
	assert_true(test_has_error(r.json, "/site", "no inspection site"));
	loopback_result_free(&r);
	assert_int_equal(book(env, "POST", id, "trader", "YTN-T", "2026-11-24T02:00:00Z", &r), 400);
	assert_true(test_has_error(r.json, "/site", "CNNSA"));
	loopback_result_free(&r);
	/* someone else's inspection: 404; an officer: 403 */
	assert_int_equal(book(env, "POST", id, "trader2", "NSA-T", "2026-11-24T02:00:00Z", &r), 404);
	loopback_result_free(&r);
	assert_int_equal(book(env, "POST", id, "customs", "NSA-T", "2026-11-24T02:00:00Z", &r), 403);
	loopback_result_free(&r);
	assert_int_equal(book(env, "PUT", id, "trader", "NSA-T", "2026-11-24T02:00:00Z", &r), 409);
	assert_non_null(strstr(test_str(r.json, "detail"), "POST"));
	loopback_result_free(&r);
	assert_int_equal(call(env, "DELETE", path, "trader", NULL, &r), 409);
	loopback_result_free(&r);

	/* a time with an offset names the same instant: 10:00+08:00 */
	assert_int_equal(book(env, "POST", id, "trader", "NSA-T", "2026-11-24T10:00:00+08:00", &r),
			 201);
	assert_string_equal(test_str(r.json, "status"), "booked");
	json_t *a = json_object_get(r.json, "appointment");
	assert_string_equal(test_str(a, "site"), "NSA-T");
	assert_string_equal(test_str(a, "slot_start"), "2026-11-24T02:00:00.000000Z");
	assert_string_equal(test_str(a, "slot_end"), "2026-11-24T02:30:00.000000Z");
	assert_string_equal(test_str(a, "booked_by"), "trader");
	loopback_result_free(&r);
	assert_int_equal(book(env, "POST", id, "trader", "NSA-T", "2026-11-24T03:00:00Z", &r), 409);
	assert_non_null(strstr(test_str(r.json, "detail"), "PUT"));
	loopback_result_free(&r);
	/* move; moving to where it is changes nothing */
	assert_int_equal(book(env, "PUT", id, "trader", "NSA-T", "2026-11-25T23:30:00Z", &r), 200);
	assert_string_equal(test_str(json_object_get(r.json, "appointment"), "slot_start"),
			    "2026-11-25T23:30:00.000000Z");
	loopback_result_free(&r);
	assert_int_equal(book(env, "PUT", id, "trader", "NSA-T", "2026-11-25T23:30:00Z", &r), 200);
	loopback_result_free(&r);
	assert_int_equal(count_events(env, number, "inspection.moved"), 1);
	/* cancel: back to awaiting a booking */
	assert_int_equal(call(env, "DELETE", path, "trader", NULL, &r), 200);
	assert_string_equal(test_str(r.json, "status"), "awaiting_booking");
	assert_true(json_is_null(json_object_get(r.json, "appointment")));
	loopback_result_free(&r);
	assert_int_equal(call(env, "DELETE", path, "trader", NULL, &r), 409);
	loopback_result_free(&r);
	assert_int_equal(count_events(env, number, "inspection.booked"), 1);
	assert_int_equal(count_events(env, number, "inspection.cancelled"), 1);
	/* events carry the slot */
	snprintf(path, sizeof path, "/v1/declarations/%s/events", number);
	json_t *ev = test_expect(env, "GET", path, "trader", NULL, 200);
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(ev, "events"), i, e)
	{
		if (!strcmp(test_str(e, "type"), "inspection.moved")) {
			json_t *data = json_object_get(e, "data");
			assert_string_equal(test_str(data, "slot_start"), "2026-11-25T23:30:00.000000Z");
			assert_string_equal(test_str(json_object_get(data, "from"), "slot_start"),
					    "2026-11-24T02:00:00.000000Z");
			assert_string_equal(test_str(e, "actor"), "trader");
		}
		if (!strcmp(test_str(e, "type"), "inspection.opened"))
			assert_string_equal(test_str(e, "actor_role"), "system");
	}
	json_decref(ev);
}

static void a_full_slot_answers_409(void **state)
{
	struct test_env *env = *state;
	create_site(env, "NSA-T", "CNNSA", 30, 2);
	json_int_t ids[3];
	char number[19];
	for (int i = 0; i < 3; i++) {
		json_t *d = test_consignment_customs_only();
		test_lodge(env, "trader", d, number);
		json_decref(d);
		order_inspection(env, number, "customs");
		ids[i] = inspection_id(env, number);
	}
	const char *slot = "2026-11-24T02:00:00Z";
	expect_book(env, "POST", ids[0], "NSA-T", slot, 201);
	expect_book(env, "POST", ids[1], "NSA-T", slot, 201);
	struct loopback_result r;
	assert_int_equal(book(env, "POST", ids[2], "trader", "NSA-T", slot, &r), 409);
	assert_true(test_has_error(r.json, "/slot_start", "slot full"));
	loopback_result_free(&r);
	/* the third goes elsewhere, then takes a place freed by a cancellation */
	expect_book(env, "POST", ids[2], "NSA-T", "2026-11-24T02:30:00Z", 201);
	assert_int_equal(book(env, "PUT", ids[2], "trader", "NSA-T", slot, &r), 409);
	assert_true(test_has_error(r.json, "/slot_start", "slot full"));
	loopback_result_free(&r);
	/* a refused move leaves the booking where it was */
	json_t *v = get_inspection(env, ids[2], "trader");
	assert_string_equal(test_str(json_object_get(v, "appointment"), "slot_start"),
			    "2026-11-24T02:30:00.000000Z");
	json_decref(v);
	char path[80];
	snprintf(path, sizeof path, "/v1/inspections/%lld/booking", (long long)ids[0]);
	json_decref(test_expect(env, "DELETE", path, "trader", NULL, 200));
	expect_book(env, "PUT", ids[2], "NSA-T", slot, 200);
	v = get_inspection(env, ids[2], "trader");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "appointment"),
							       "seat")),
			 1);
	json_decref(v);
}

/* --- findings --- */

static void findings_wait_for_the_appointment(void **state)
{
	struct test_env *env = *state;
	create_site(env, "NSA-T", "CNNSA", 30, 4);
	json_t *d = test_consignment();
	char number[19];
	test_lodge(env, "trader", d, number);
	json_decref(d);
	order_inspection(env, number, "customs");
	json_int_t id = inspection_id(env, number);
	json_t *p = finding(env, id, "customs", "customs", NO_PROBLEM, 409);
	assert_non_null(strstr(test_str(p, "detail"), "no appointment"));
	json_decref(p);
	expect_book(env, "POST", id, "NSA-T", "2026-11-24T02:00:00Z", 201);
	p = finding(env, id, "customs", "customs", NO_PROBLEM, 409);
	assert_non_null(strstr(test_str(p, "detail"), "2026-11-24T02:00:00.000000Z"));
	json_decref(p);
	at(env, "2026-11-24T02:05:00Z");
	json_t *v = finding(env, id, "customs", "customs", NO_PROBLEM, 201);
	json_decref(v);
	/* quarantine never asked for the inspection: it does not see it */
	json_decref(finding(env, id, "quarantine", "quarantine", NO_PROBLEM, 404));
	char dstatus[16];
	assert_string_equal(decl_status(env, number, dstatus), "accepted");
	v = declaration(env, number);
	assert_string_equal(test_task_status(v, "customs"), "cleared");
	json_decref(v);
}

static void findings_are_checked_and_belong_to_their_agency(void **state)
{
	struct test_env *env = *state;
	create_site(env, "NSA-T", "CNNSA", 30, 4);
	char number[19];
	json_int_t id = booked_joint_inspection(env, number);
	at(env, "2026-11-24T02:01:00Z");
	struct loopback_result r;
	char path[96];
	snprintf(path, sizeof path, "/v1/inspections/%lld/findings/quarantine", (long long)id);
	/* another agency's officer may not write quarantine's finding */
	assert_int_equal(call(env, "POST", path, "customs", NO_PROBLEM, &r), 403);
	loopback_result_free(&r);
	assert_int_equal(call(env, "POST", path, "trader", NO_PROBLEM, &r), 403);
	loopback_result_free(&r);
	assert_int_equal(call(env, "POST", path, "quarantine", "{\"result\":\"problem\"}", &r), 400);
	assert_true(test_has_error(r.json, "/decision", "return or reject"));
	assert_true(test_has_error(r.json, "/note", "what was found"));
	loopback_result_free(&r);
	assert_int_equal(call(env, "POST", path, "quarantine",
			      "{\"result\":\"no_problem\",\"decision\":\"return\"}", &r),
			 400);
	assert_true(test_has_error(r.json, "/decision", "left out"));
	loopback_result_free(&r);
	assert_int_equal(call(env, "POST", path, "quarantine",
			      "{\"result\":\"maybe\",\"extra\":1}", &r),
			 400);
	assert_true(test_has_error(r.json, "/extra", NULL));
	loopback_result_free(&r);
	assert_int_equal(call(env, "POST", path, "quarantine", "{}", &r), 400);
	assert_true(test_has_error(r.json, "/result", "is required"));
	loopback_result_free(&r);
	assert_int_equal(call(env, "POST", path, "quarantine",
			      "{\"result\":\"problem\",\"note\":\"x\",\"decision\":\"cleared\"}",
			      &r),
			 400);
	assert_true(test_has_error(r.json, "/decision", "return or reject"));
	loopback_result_free(&r);

	/* one finding per agency */
	json_t *v = finding(env, id, "quarantine", "quarantine", NO_PROBLEM, 201);
	assert_string_equal(test_str(v, "status"), "in_progress");
	json_t *f = json_object_get(agency_entry(v, "quarantine"), "finding");
	assert_string_equal(test_str(f, "result"), "no_problem");
	assert_string_equal(test_str(f, "recorded_by"), "quarantine");
	assert_true(json_is_null(json_object_get(f, "recognised_from")));
	json_decref(v);
	json_t *p = finding(env, id, "quarantine", "quarantine", NO_PROBLEM, 409);
	assert_non_null(strstr(test_str(p, "detail"), "already recorded"));
	json_decref(p);
	/* the booking no longer moves once the inspection has begun */
	struct loopback_result b;
	assert_int_equal(book(env, "PUT", id, "trader", "NSA-T", "2026-11-24T05:00:00Z", &b), 409);
	assert_non_null(strstr(test_str(b.json, "detail"), "begun"));
	loopback_result_free(&b);
	snprintf(path, sizeof path, "/v1/inspections/%lld/booking", (long long)id);
	assert_int_equal(call(env, "DELETE", path, "trader", NULL, &b), 409);
	loopback_result_free(&b);
}

static void all_no_problem_releases_once_and_keeps_the_outcome(void **state)
{
	struct test_env *env = *state;
	create_site(env, "NSA-T", "CNNSA", 30, 4);
	/* three agencies on a road declaration: one joint inspection */
	json_t *d = road_declaration();
	char number[19];
	test_lodge(env, "trader", d, number);
	json_decref(d);
	order_inspection(env, number, "customs");
	order_inspection(env, number, "border");
	order_inspection(env, number, "quarantine");
	json_int_t id = inspection_id(env, number);
	json_t *v = get_inspection(env, id, "border");
	assert_int_equal(json_array_size(json_object_get(v, "agencies")), 3);
	json_decref(v);
	assert_int_equal(count_events(env, number, "inspection.opened"), 1);
	assert_int_equal(count_events(env, number, "inspection.agency_joined"), 2);
	expect_book(env, "POST", id, "NSA-T", "2026-11-24T02:00:00Z", 201);
	at(env, "2026-11-24T02:10:00Z");

	v = finding(env, id, "customs", "customs", NO_PROBLEM, 201);
	assert_string_equal(test_str(v, "declaration_status"), "accepted");
	json_decref(v);
	v = finding(env, id, "border", "border", "{\"result\":\"no_problem\"}", 201);
	assert_string_equal(test_str(v, "status"), "in_progress");
	json_decref(v);
	/* quarantine recognises customs' finding instead of looking itself */
	v = recognise(env, id, "quarantine", "customs", 201);
	assert_string_equal(test_str(v, "status"), "completed");
	assert_string_equal(test_str(v, "outcome"), "no_problem");
	assert_string_equal(test_str(v, "declaration_status"), "released");
	json_t *f = json_object_get(agency_entry(v, "quarantine"), "finding");
	assert_string_equal(test_str(f, "recognised_from"), "customs");
	assert_string_equal(test_str(f, "result"), "no_problem");
	assert_string_equal(test_str(f, "recorded_by"), "quarantine");
	assert_true(json_is_string(json_object_get(v, "completed_at")));
	json_decref(v);

	v = declaration(env, number);
	assert_string_equal(test_str(v, "status"), "released");
	assert_string_equal(test_task_status(v, "quarantine"), "cleared");
	assert_string_equal(test_task_status(v, "border"), "cleared");
	json_decref(v);
	assert_int_equal(count_events(env, number, "declaration.released"), 1);
	assert_int_equal(count_events(env, number, "inspection.completed"), 1);
	assert_int_equal(count_events(env, number, "inspection.finding_recognised"), 1);
	assert_int_equal(count_events(env, number, "task.cleared"), 3);
	/* nothing more once completed */
	json_decref(finding(env, id, "customs", "customs", NO_PROBLEM, 409));
	json_decref(recognise(env, id, "customs", "border", 409));

	/* the outcome is kept where fees and rule effectiveness read it */
	static const struct sql_query q = {
		"SELECT f.agency, f.result, i.outcome FROM inspection_findings f"
		" JOIN inspections i ON i.id = f.inspection_id"
		" WHERE f.declaration_number = ? ORDER BY f.agency"};
	struct store_conn *c;
	assert_int_equal(store_thread_conn(env->store, &c), KERR_OK);
	struct store_stmt *st = store_query(c, &q, "s", number);
	assert_non_null(st);
	const char *want[] = {"border", "customs", "quarantine"};
	for (int i = 0; i < 3; i++) {
		assert_int_equal(stmt_step(st), STORE_ROW);
		assert_string_equal(stmt_text(st, 0), want[i]);
		assert_string_equal(stmt_text(st, 1), "no_problem");
		assert_string_equal(stmt_text(st, 2), "no_problem");
	}
	assert_int_equal(stmt_step(st), STORE_DONE);
	stmt_done(st);
}

static void a_problem_returns_or_rejects(void **state)
{
	struct test_env *env = *state;
	create_site(env, "NSA-T", "CNNSA", 30, 4);
	char number[19], dstatus[16];
	/* return: the declaration goes back to the declarant */
	json_int_t id = booked_joint_inspection(env, number);
	at(env, "2026-11-24T02:01:00Z");
	json_t *v = finding(env, id, "quarantine", "quarantine",
			    "{\"result\":\"problem\",\"note\":\"codling moth larvae in 3 of 40 "
			    "cartons\",\"decision\":\"return\"}",
			    201);
	assert_string_equal(test_str(v, "declaration_status"), "returned");
	json_decref(v);
	assert_string_equal(decl_status(env, number, dstatus), "returned");
	v = declaration(env, number);
	assert_string_equal(test_task_status(v, "quarantine"), "returned");
	json_decref(v);
	/* customs still records its finding on the same inspection */
	v = finding(env, id, "customs", "customs", NO_PROBLEM, 201);
	assert_string_equal(test_str(v, "status"), "completed");
	assert_string_equal(test_str(v, "outcome"), "problem");
	json_decref(v);

	/* reject: the declaration is rejected, the other task closes, and the
	 * inspection completes with what was found */
	at(env, "2026-11-23T08:00:00Z");
	char second[19];
	json_t *d = test_consignment();
	test_lodge(env, "trader", d, second);
	json_decref(d);
	order_inspection(env, second, "customs");
	order_inspection(env, second, "quarantine");
	id = inspection_id(env, second);
	expect_book(env, "POST", id, "NSA-T", "2026-11-24T04:00:00Z", 201);
	at(env, "2026-11-24T04:00:00Z");
	v = finding(env, id, "customs", "customs",
		    "{\"result\":\"problem\",\"note\":\"undeclared lithium batteries\","
		    "\"decision\":\"reject\"}",
		    201);
	assert_string_equal(test_str(v, "declaration_status"), "rejected");
	assert_string_equal(test_str(v, "status"), "completed");
	assert_string_equal(test_str(v, "outcome"), "problem");
	assert_true(json_is_null(json_object_get(agency_entry(v, "quarantine"), "finding")));
	json_decref(v);
	v = declaration(env, second);
	assert_string_equal(test_task_status(v, "customs"), "rejected");
	assert_string_equal(test_task_status(v, "quarantine"), "closed");
	json_decref(v);
	assert_int_equal(count_events(env, second, "declaration.rejected"), 1);
}

static void recognition_needs_a_finding_to_recognise(void **state)
{
	struct test_env *env = *state;
	create_site(env, "NSA-T", "CNNSA", 30, 4);
	char number[19];
	json_int_t id = booked_joint_inspection(env, number);
	at(env, "2026-11-24T02:01:00Z");
	json_t *p = recognise(env, id, "quarantine", "customs", 409);
	assert_true(test_has_error(p, "/from_agency", "no finding"));
	json_decref(p);
	p = recognise(env, id, "quarantine", "quarantine", 400);
	assert_true(test_has_error(p, "/from_agency", "another agency"));
	json_decref(p);
	char path[112];
	snprintf(path, sizeof path, "/v1/inspections/%lld/findings/quarantine/recognition",
		 (long long)id);
	json_decref(test_expect(env, "POST", path, "customs", "{\"from_agency\":\"border\"}", 403));
	json_decref(test_expect(env, "POST", path, "quarantine", "{}", 400));
	/* a recognised problem has the same effect as one's own */
	json_decref(finding(env, id, "customs", "customs",
			    "{\"result\":\"problem\",\"note\":\"weights differ by 12 %\","
			    "\"decision\":\"return\"}",
			    201));
	json_t *v = recognise(env, id, "quarantine", "customs", 201);
	json_t *f = json_object_get(agency_entry(v, "quarantine"), "finding");
	assert_string_equal(test_str(f, "result"), "problem");
	assert_string_equal(test_str(f, "decision"), "return");
	assert_string_equal(test_str(f, "note"), "weights differ by 12 %");
	assert_string_equal(test_str(v, "outcome"), "problem");
	json_decref(v);
	v = declaration(env, number);
	assert_string_equal(test_task_status(v, "quarantine"), "returned");
	json_decref(v);
}

static void a_second_look_opens_a_new_inspection(void **state)
{
	struct test_env *env = *state;
	create_site(env, "NSA-T", "CNNSA", 30, 4);
	json_t *d = test_consignment();
	char number[19];
	test_lodge(env, "trader", d, number);
	order_inspection(env, number, "quarantine");
	json_int_t first = inspection_id(env, number);
	expect_book(env, "POST", first, "NSA-T", "2026-11-24T02:00:00Z", 201);
	at(env, "2026-11-24T02:00:00Z");
	json_decref(finding(env, first, "quarantine", "quarantine",
			    "{\"result\":\"problem\",\"note\":\"labels missing\","
			    "\"decision\":\"return\"}",
			    201));
	/* corrected, then ordered again: a new inspection */
	char path[64];
	snprintf(path, sizeof path, "/v1/declarations/%s", number);
	json_object_set_new(d, "remarks", json_string("labels added to every carton"));
	char *body = json_dumps(d, JSON_COMPACT);
	json_decref(test_expect(env, "PUT", path, "trader", body, 200));
	free(body);
	json_decref(d);
	order_inspection(env, number, "quarantine");
	json_int_t second = inspection_id(env, number);
	assert_true(second != first);
	json_t *v = get_inspection(env, first, "trader");
	assert_string_equal(test_str(v, "status"), "completed");
	json_decref(v);
	v = get_inspection(env, second, "trader");
	assert_string_equal(test_str(v, "status"), "awaiting_booking");
	json_decref(v);
}

/* --- the schedule --- */

static void schedule_of_a_day(void **state)
{
	struct test_env *env = *state;
	create_site(env, "NSA-T", "CNNSA", 30, 4);
	char number[19];
	json_int_t ids[3];
	for (int i = 0; i < 3; i++) {
		json_t *d = test_consignment_customs_only();
		test_lodge(env, "trader", d, number);
		json_decref(d);
		order_inspection(env, number, "customs");
		ids[i] = inspection_id(env, number);
	}
	expect_book(env, "POST", ids[0], "NSA-T", "2026-11-24T00:00:00Z", 201);
	expect_book(env, "POST", ids[1], "NSA-T", "2026-11-24T23:30:00Z", 201);
	expect_book(env, "POST", ids[2], "NSA-T", "2026-11-24T23:30:00Z", 201);
	json_t *s = test_expect(env, "GET", "/v1/inspection-sites/NSA-T/schedule?date=2026-11-24",
			   "customs", NULL, 200);
	json_t *slots = json_object_get(s, "slots");
	assert_int_equal(json_array_size(slots), 48);
	assert_int_equal(json_integer_value(json_object_get(s, "booked")), 3);
	json_t *first = json_array_get(slots, 0), *last = json_array_get(slots, 47);
	assert_string_equal(test_str(first, "start"), "2026-11-24T00:00:00.000000Z");
	assert_int_equal(json_integer_value(json_object_get(first, "booked")), 1);
	assert_int_equal(json_integer_value(json_object_get(first, "free")), 3);
	assert_string_equal(test_str(last, "end"), "2026-11-25T00:00:00.000000Z");
	assert_int_equal(json_integer_value(json_object_get(last, "booked")), 2);
	json_t *b = json_array_get(json_object_get(last, "bookings"), 1);
	assert_int_equal(json_integer_value(json_object_get(b, "inspection")), ids[2]);
	assert_int_equal(strlen(test_str(b, "declaration_number")), 18);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(slots, 1), "booked")), 0);
	json_decref(s);
	/* declarants see places taken and free, not whose */
	s = test_expect(env, "GET", "/v1/inspection-sites/NSA-T/schedule?date=2026-11-24", "trader2",
		   NULL, 200);
	first = json_array_get(json_object_get(s, "slots"), 0);
	assert_int_equal(json_integer_value(json_object_get(first, "booked")), 1);
	assert_null(json_object_get(first, "bookings"));
	json_decref(s);
	/* another day is empty; today by default */
	s = test_expect(env, "GET", "/v1/inspection-sites/NSA-T/schedule?date=2026-11-25", "analyst",
		   NULL, 200);
	assert_int_equal(json_integer_value(json_object_get(s, "booked")), 0);
	json_decref(s);
	s = test_expect(env, "GET", "/v1/inspection-sites/NSA-T/schedule", "admin", NULL, 200);
	assert_string_equal(test_str(s, "date"), "2026-11-23");
	json_decref(s);
	struct loopback_result r;
	assert_int_equal(call(env, "GET", "/v1/inspection-sites/NSA-T/schedule?date=2026-02-30",
			      "admin", NULL, &r),
			 400);
	assert_true(test_has_error(r.json, "query:date", "YYYY-MM-DD"));
	loopback_result_free(&r);
	json_decref(test_expect(env, "GET", "/v1/inspection-sites/NOPE/schedule", "admin", NULL, 404));
}

/* --- hooks for decisions taken outside the inspection --- */

struct hook_call {
	const char *number;
	const char *agency;
	enum decision d;
	bool ended;
};

struct hook_run {
	struct actor who;
	const struct hook_call *h;
};

static kerr hook(struct uow *u, void *arg)
{
	struct hook_run *r = arg;
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	return r->h->ended ? joint_inspection_declaration_ended(u, r->h->number, now,
								"the declaration was withdrawn")
			   : joint_inspection_task_decided(u, &r->who, r->h->number, false,
							   r->h->agency, r->h->d,
							   "decided on the papers", now);
}

/* Run a hook as `user` in a unit of work of its own, as a decision or a
 * withdrawal would. */
static void run_hook(struct test_env *env, const char *user, const struct hook_call *h)
{
	struct hook_run r = {.h = h};
	test_actor(env, user, &r.who);
	assert_int_equal(uow_run(&env->app.svc, true, hook, &r), KERR_OK);
}

static void decisions_outside_the_inspection(void **state)
{
	struct test_env *env = *state;
	create_site(env, "NSA-T", "CNNSA", 30, 4);
	/* decided before the appointment: the agency leaves; the last one
	 * leaving closes the inspection and frees its place */
	char number[19];
	json_int_t id = booked_joint_inspection(env, number);
	decide(env, number, "customs", "{\"decision\":\"return\",\"reason\":\"invoice missing\"}",
	       200);
	run_hook(env, "customs", &(struct hook_call){number, "customs", DECISION_RETURN, false});
	json_t *v = get_inspection(env, id, "trader");
	assert_int_equal(json_array_size(json_object_get(v, "agencies")), 1);
	assert_string_equal(test_str(v, "status"), "booked");
	json_decref(v);
	/* an inspecting task is not cleared by a plain decision */
	decide(env, number, "quarantine", "{\"decision\":\"cleared\",\"reason\":\"looks fine\"}",
	       409);
	/* a supervisor waives the inspection instead (an officer may not) */
	char waiver[96];
	struct loopback_result r;
	snprintf(waiver, sizeof waiver, "/v1/inspections/%lld/waivers/quarantine", (long long)id);
	assert_int_equal(call(env, "POST", waiver, "quarantine",
			      "{\"reason\":\"origin verified\"}", &r),
			 403);
	loopback_result_free(&r);
	assert_int_equal(call(env, "POST", waiver, "quarantine.lead", "{}", &r), 400);
	assert_true(test_has_error(r.json, "/reason", "required"));
	loopback_result_free(&r);
	assert_int_equal(call(env, "POST", waiver, "quarantine.lead",
			      "{\"reason\":\"orchard certified pest-free, verified\"}", &r),
			 200);
	assert_string_equal(test_str(r.json, "status"), "cancelled");
	assert_true(json_is_null(json_object_get(r.json, "appointment")));
	loopback_result_free(&r);
	v = get_inspection(env, id, "trader");
	assert_string_equal(test_str(v, "status"), "cancelled");
	json_decref(v);
	assert_int_equal(count_events(env, number, "inspection.agency_left"), 2);
	assert_int_equal(count_events(env, number, "inspection.waived"), 1);
	assert_int_equal(count_events(env, number, "inspection.closed"), 1);
	char dpath[64];
	snprintf(dpath, sizeof dpath, "/v1/declarations/%s", number);
	v = test_expect(env, "GET", dpath, "quarantine", NULL, 200);
	json_t *tasks = json_object_get(v, "tasks");
	json_t *q = json_array_get(tasks, 1);
	assert_string_equal(test_str(q, "agency"), "quarantine");
	assert_string_equal(test_str(q, "status"), "cleared");
	assert_string_equal(test_str(q, "decided_by"), "quarantine.lead");
	assert_string_equal(test_str(q, "reason"), "inspection waived: orchard certified pest-free, "
					      "verified");
	json_decref(v);
	/* nothing left to waive: quarantine no longer takes part, and an
	 * inspection is visible to the agencies taking part */
	assert_int_equal(call(env, "POST", waiver, "quarantine.lead",
			      "{\"reason\":\"again\"}", &r),
			 404);
	loopback_result_free(&r);

	/* decided once the slot has begun: the decision is the finding */
	char second[19];
	id = booked_joint_inspection(env, second);
	at(env, "2026-11-24T02:00:00Z");
	decide(env, second, "customs", "{\"decision\":\"return\",\"reason\":\"seals broken\"}", 200);
	run_hook(env, "customs", &(struct hook_call){second, "customs", DECISION_RETURN, false});
	v = get_inspection(env, id, "customs");
	json_t *f = json_object_get(agency_entry(v, "customs"), "finding");
	assert_string_equal(test_str(f, "result"), "problem");
	assert_string_equal(test_str(f, "decision"), "return");
	assert_string_equal(test_str(v, "status"), "in_progress");
	json_decref(v);
	/* a finding's own decision is not recorded twice */
	json_decref(finding(env, id, "quarantine", "quarantine", NO_PROBLEM, 201));
	run_hook(env, "quarantine",
		 &(struct hook_call){second, "quarantine", DECISION_CLEARED, false});
	v = get_inspection(env, id, "quarantine");
	assert_string_equal(test_str(v, "status"), "completed");
	assert_string_equal(test_str(v, "outcome"), "problem");
	json_decref(v);
	assert_int_equal(count_events(env, second, "inspection.finding_recorded"), 2);

	/* a withdrawn declaration's inspection is closed, its place freed */
	at(env, "2026-11-23T09:00:00Z");
	char third[19];
	id = booked_joint_inspection(env, third);
	char path[80];
	snprintf(path, sizeof path, "/v1/declarations/%s/withdrawal", third);
	json_decref(test_expect(env, "POST", path, "trader", NULL, 200));
	run_hook(env, "trader", &(struct hook_call){third, NULL, DECISION_CLEARED, true});
	v = get_inspection(env, id, "trader");
	assert_string_equal(test_str(v, "status"), "cancelled");
	json_decref(v);
	json_t *s = test_expect(env, "GET", "/v1/inspection-sites/NSA-T/schedule?date=2026-11-24",
			   "admin", NULL, 200);
	/* the first declaration's place was freed too; the second's is kept */
	assert_int_equal(json_integer_value(json_object_get(s, "booked")), 1);
	json_decref(s);
	/* nothing to do on a declaration without an open inspection */
	run_hook(env, "trader", &(struct hook_call){third, NULL, DECISION_CLEARED, true});
	run_hook(env, "customs", &(struct hook_call){third, "customs", DECISION_CLEARED, false});
}

/* --- concurrent bookings --- */

#define RACERS 16
#define RACE_CAPACITY 4

struct racer {
	struct test_env *env;
	pthread_barrier_t *start;
	char token[TOKEN_TEXT_MAX];
	json_int_t id;
	const char *method;
	const char *slot;
	int status;
	bool full;   /* 409 naming /slot_start */
};

static void *race(void *p)
{
	struct racer *rc = p;
	char path[80], body[128];
	snprintf(path, sizeof path, "/v1/inspections/%lld/booking", (long long)rc->id);
	snprintf(body, sizeof body, "{\"site\":\"RACE-1\",\"slot_start\":\"%s\"}", rc->slot);
	struct loopback_call call = {.method = rc->method, .path = path, .token = rc->token,
				     .body = body};
	struct loopback_result r;
	pthread_barrier_wait(rc->start);
	api_loopback(&rc->env->app, &call, &r);
	rc->status = r.status;
	rc->full = r.status == 409 && test_has_error(r.json, "/slot_start", "slot full");
	loopback_result_free(&r);
	store_thread_release();
	return NULL;
}

/* Run every racer at once. A racer that did not succeed must have been
 * told the slot is full. */
static void run_race(struct racer *rc)
{
	pthread_t t[RACERS];
	pthread_barrier_t start;
	assert_int_equal(pthread_barrier_init(&start, NULL, RACERS), 0);
	for (int i = 0; i < RACERS; i++) {
		rc[i].start = &start;
		assert_int_equal(pthread_create(&t[i], NULL, race, &rc[i]), 0);
	}
	for (int i = 0; i < RACERS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start);
	for (int i = 0; i < RACERS; i++) {
		bool ok = rc[i].status == (strcmp(rc[i].method, "POST") ? 200 : 201);
		if (!ok && !rc[i].full)
			print_error("racer %d (%s %s): %d\n", i, rc[i].method, rc[i].slot,
				    rc[i].status);
		assert_true(ok || rc[i].full);
	}
}

static bool won(const struct racer *rc)
{
	return rc->status == (strcmp(rc->method, "POST") ? 200 : 201);
}

static int64_t taken(struct test_env *env, const char *slot)
{
	static const struct sql_query q = {
		"SELECT COUNT(*), COUNT(DISTINCT seat), MAX(seat) FROM inspection_bookings"
		" WHERE site_code = 'RACE-1' AND slot_start = ?"};
	struct store_conn *c;
	assert_int_equal(store_thread_conn(env->store, &c), KERR_OK);
	struct store_stmt *st = store_query(c, &q, "s", slot);
	assert_non_null(st);
	assert_int_equal(stmt_step(st), STORE_ROW);
	int64_t n = stmt_int(st, 0);
	assert_int_equal(stmt_int(st, 1), n);            /* no place held twice */
	assert_true(stmt_int(st, 2) <= RACE_CAPACITY);   /* no place past capacity */
	stmt_done(st);
	return n;
}

static void concurrent_bookings_never_overbook(void **state)
{
	struct test_env *env = *state;
	create_site(env, "RACE-1", "CNNSA", 30, RACE_CAPACITY);
	static struct racer rc[RACERS];
	for (int i = 0; i < RACERS; i++) {
		char number[19];
		json_t *d = test_consignment_customs_only();
		test_lodge(env, "trader", d, number);
		json_decref(d);
		order_inspection(env, number, "customs");
		memset(&rc[i], 0, sizeof rc[i]);
		rc[i].env = env;
		rc[i].id = inspection_id(env, number);
		/* each racer with a token of its own */
		test_new_token(env, "trader", 3600, rc[i].token);
	}
	/* everyone books the same slot */
	const char *a = "2026-11-24T02:00:00Z", *a_text = "2026-11-24T02:00:00.000000Z";
	const char *b = "2026-11-24T02:30:00Z", *b_text = "2026-11-24T02:30:00.000000Z";
	char where[RACERS]; /* the slot each holds: 'a', 'b' or 0 */
	for (int i = 0; i < RACERS; i++) {
		rc[i].method = "POST";
		rc[i].slot = a;
	}
	run_race(rc);
	int n = 0;
	for (int i = 0; i < RACERS; i++) {
		where[i] = won(&rc[i]) ? 'a' : 0;
		n += won(&rc[i]);
	}
	assert_int_equal(n, RACE_CAPACITY);
	assert_int_equal(taken(env, a_text), RACE_CAPACITY);

	/* then everyone wants b: the booked ones move, the others book */
	for (int i = 0; i < RACERS; i++) {
		rc[i].method = where[i] ? "PUT" : "POST";
		rc[i].slot = b;
	}
	run_race(rc);
	int moved = 0;
	n = 0;
	for (int i = 0; i < RACERS; i++) {
		if (!won(&rc[i]))
			continue;
		n++;
		moved += where[i] == 'a';
		where[i] = 'b';
	}
	assert_int_equal(n, RACE_CAPACITY);
	assert_int_equal(taken(env, b_text), RACE_CAPACITY);
	assert_int_equal(taken(env, a_text), RACE_CAPACITY - moved);

	/* at once: those in b move back to a (room for `moved` of them) while
	 * those in a move to b and the rest book b, taking what frees up */
	int before = 2 * RACE_CAPACITY - moved, posted = 0;
	for (int i = 0; i < RACERS; i++) {
		rc[i].method = where[i] ? "PUT" : "POST";
		rc[i].slot = where[i] == 'b' ? a : b;
	}
	run_race(rc);
	for (int i = 0; i < RACERS; i++)
		posted += !where[i] && won(&rc[i]);
	assert_true(taken(env, a_text) <= RACE_CAPACITY);
	assert_true(taken(env, b_text) <= RACE_CAPACITY);
	assert_int_equal(taken(env, a_text) + taken(env, b_text), before + posted);
	/* the schedule agrees with the table */
	json_t *s = test_expect(env, "GET", "/v1/inspection-sites/RACE-1/schedule?date=2026-11-24",
			   "admin", NULL, 200);
	assert_int_equal(json_integer_value(json_object_get(s, "booked")), before + posted);
	json_decref(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(inspect_opens_one_inspection_that_others_join,
						test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(admins_create_sites, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(booking_rules, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(a_full_slot_answers_409, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(findings_wait_for_the_appointment, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(findings_are_checked_and_belong_to_their_agency,
						test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(all_no_problem_releases_once_and_keeps_the_outcome,
						test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(a_problem_returns_or_rejects, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(recognition_needs_a_finding_to_recognise, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(a_second_look_opens_a_new_inspection, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(schedule_of_a_day, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(decisions_outside_the_inspection, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(concurrent_bookings_never_overbook, test_setup,
						test_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
