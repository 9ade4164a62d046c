/*
 * test_departures.c - the departure of an export whose conveyance kouan
 * does not follow (rail, mail), through the router, on both backends: the
 * port operator of its port records it once the goods are released (201;
 * the same time again 200; another time 409 naming the first), with its
 * event, and the export tax refund refused before it ("has not left") is
 * applied for after it; customs may record it too; a declarant may not
 * (403), nor a port operator of another port (404); an import, an export
 * by water (its call's departure report says when it left) and goods not
 * released are refused (409); a time missing, not a time, in the future or
 * before the release, and an unknown member, are refused (400) with
 * nothing recorded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "common/clock.h"
#include "store/store.h"

#define HAITONG "91440101MA59TRAD00" /* trader: the exporter */
#define CLEARED "{\"decision\":\"cleared\",\"reason\":\"documents checked\"}"
/* a second terminal, at Huanggang (CNHUG), made by the admin */
#define HUANGGANG_USCC "91350100M000100Y43"
#define HUANGGANG_USER "huanggang.desk"

/* Move the manual clock forward to an RFC 3339 time (never back: every
 * test's times are later than the one before). */
static void move_to(struct test_env *env, const char *when)
{
	int64_t to = test_time(when);
	assert_true(__atomic_load_n(&env->clock.fixed_us, __ATOMIC_SEQ_CST) < to);
	__atomic_store_n(&env->clock.fixed_us, to, __ATOMIC_SEQ_CST);
}

/* An export of the demo trader's T-shirts leaving Nansha (CNNSA, the demo
 * terminal's port) by transport mode `mode`: rail ("3") on the Nansha port
 * railway, mail ("6"), or water ("2", on COSCO SHIPPING ARIES 047W); a
 * consignment of its own. New reference. */
static json_t *export_by(const char *mode)
{
	json_t *d = test_json(
		"{'direction': 'export', 'declaration_office': '5167', 'port_office': '5167',"
		" 'declarant_uscc': '91440101MA59TRAD00', 'consignee_uscc': '91440101MA59TRAD00',"
		" 'trade_mode': '0110', 'transport_mode': '3',"
		" 'conveyance': {'name': 'X8083 中老铁路国际货运列车', 'voyage': '20261123-01'},"
		" 'bill_of_lading': 'NSR20261123-0001', 'trading_country': 'LA',"
		" 'destination_country': 'LA', 'exit_port': 'CNNSA', 'incoterm': 'FOB',"
		" 'currency': 'USD', 'packages': 320, 'gross_weight_kg': '2880.000',"
		" 'containers': ['TGHU6000010'],"
		" 'items': [{'hs_code': '6109100000', 'description': 'Cotton knitted T-shirts',"
		"  'quantity': '9600', 'unit': '011', 'unit_price': '3.90', 'origin_country': 'CN'}],"
		" 'documents': [{'type': 'invoice', 'number': 'HT-EX-2026-0501'}]}");
	json_object_set_new(d, "transport_mode", json_string(mode));
	if (!strcmp(mode, "6"))
		json_object_set_new(d, "conveyance",
				    json_pack("{s:s, s:s}", "name", "China Post EMS", "voyage",
					      "CNNSA-20261123"));
	if (!strcmp(mode, "2"))
		json_object_set_new(d, "conveyance",
				    json_pack("{s:s, s:s, s:s}", "name", "COSCO SHIPPING ARIES",
					      "voyage", "047W", "imo", "9321378"));
	test_fresh_consignment(d);
	return d;
}

static void lodge(struct test_env *env, json_t *d, char *number)
{
	test_lodge_alone(env, "trader", d, number);
	json_decref(d);
}

static json_t *view(struct test_env *env, const char *number)
{
	char path[64];
	snprintf(path, sizeof path, "/v1/declarations/%s", number);
	return test_expect(env, "GET", path, "analyst", NULL, 200);
}

/* Clear its customs task: released (T-shirts need no other agency). */
static void release(struct test_env *env, const char *number)
{
	char path[128];
	snprintf(path, sizeof path, "/v1/declarations/%s/tasks/customs/decision", number);
	json_decref(test_expect(env, "POST", path, "customs", CLEARED, 200));
	json_t *v = view(env, number);
	assert_string_equal(test_str(v, "status"), "released");
	json_decref(v);
}

/* A released export by `mode`, into number[19]. */
static void released_export(struct test_env *env, const char *mode, char *number)
{
	lodge(env, export_by(mode), number);
	release(env, number);
}

static json_t *depart(struct test_env *env, const char *number, const char *user,
		      const char *body, int status)
{
	char path[80];
	snprintf(path, sizeof path, "/v1/declarations/%s/departure", number);
	return test_expect(env, "POST", path, user, body, status);
}

static json_t *depart_at(struct test_env *env, const char *number, const char *user,
			 const char *when, int status)
{
	char body[96];
	snprintf(body, sizeof body, "{\"departed_at\":\"%s\"}", when);
	return depart(env, number, user, body, status);
}

/* Assert a problem's status and detail (its detail contains `detail`;
 * NULL: any or none). */
static void expect_detail(json_t *r, int status, const char *detail)
{
	assert_non_null(r);
	assert_int_equal(json_integer_value(json_object_get(r, "status")), status);
	if (!detail) {
		json_decref(r);
		return;
	}
	const char *d = test_str(r, "detail");
	if (!d || !strstr(d, detail))
		print_error("detail \"%s\" does not say \"%s\"\n", d ? d : "(none)", detail);
	assert_non_null(d);
	assert_non_null(strstr(d, detail));
	json_decref(r);
}

/* Assert a 400's single field problem, and the departure's title. */
static void expect_field(json_t *r, const char *field, const char *problem)
{
	assert_int_equal(json_integer_value(json_object_get(r, "status")), 400);
	if (!test_has_error(r, field, problem)) {
		char *s = json_dumps(r, JSON_COMPACT);
		print_error("no %s \"%s\" in %s\n", field, problem, s);
		free(s);
	}
	assert_true(test_has_error(r, field, problem));
	assert_int_equal(json_array_size(json_object_get(r, "errors")), 1);
	json_decref(r);
}

/* How many departures are recorded for the declaration (no trace left by
 * a refusal). */
static const struct sql_query Q_DEPARTURES = {"SELECT COUNT(*) FROM export_departures WHERE "
					      "declaration_number = ?"};

static int64_t departures(struct test_env *env, const char *number)
{
	return test_count_of(env, &Q_DEPARTURES, number);
}

/* The data of the last event of `type` on the timeline (new reference). */
static json_t *last_event(struct test_env *env, const char *number, const char *type,
			  char actor[32])
{
	char path[80];
	snprintf(path, sizeof path, "/v1/declarations/%s/events", number);
	json_t *v = test_expect(env, "GET", path, "analyst", NULL, 200);
	json_t *found = NULL;
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(v, "events"), i, e)
	{
		if (!strcmp(test_str(e, "type"), type)) {
			found = json_object_get(e, "data");
			str_copy(actor, test_str(e, "actor") ? test_str(e, "actor") : "", 32);
		}
	}
	json_incref(found);
	json_decref(v);
	assert_non_null(found);
	return found;
}

/* The exporter's application for the export, with the FOB value in CNY
 * customs assessed (into body). */
static void refund_body(struct test_env *env, const char *number, char *body, size_t n)
{
	char path[80];
	snprintf(path, sizeof path, "/v1/declarations/%s/assessment", number);
	json_t *v = test_expect(env, "GET", path, "trader", NULL, 200);
	json_t *item = json_array_get(json_object_get(json_object_get(v, "assessment"), "items"), 0);
	const char *fob = test_str(item, "customs_value_cny");
	assert_non_null(fob);
	snprintf(body, n,
		 "{\"declaration_number\":\"%s\",\"items\":[{\"hs_code\":\"6109100000\","
		 "\"quantity\":\"9600\",\"fob_value_cny\":\"%s\"}]}",
		 number, fob);
	json_decref(v);
}

/* A rail export: its departure recorded by the terminal of its port, once;
 * then, and only then, the refund can be applied for. */
static void rail_departure_recorded_then_refunded(void **state)
{
	struct test_env *env = *state;
	char n[19], body[512], actor[32];
	lodge(env, export_by("3"), n);
	/* before release the terminal does not see it */
	expect_detail(depart_at(env, n, "terminal", "2026-11-23T09:00:00Z", 404), 404,
		      "no declaration has that number");
	release(env, n);
	move_to(env, "2026-11-23T12:00:00Z");

	/* the exporter may not apply yet: nothing says the goods left */
	refund_body(env, n, body, sizeof body);
	int64_t applications = test_count(env, "refund_applications");
	json_t *r = test_expect(env, "POST", "/v1/refunds", "trader", body, 409);
	assert_true(test_has_error(r, "/declaration_number",
				   "has not left: its conveyance has not departed yet"));
	json_decref(r);
	assert_int_equal(test_count(env, "refund_applications"), applications);

	/* the terminal's view says how the goods leave; none recorded yet */
	char path[96];
	snprintf(path, sizeof path, "/v1/declarations/%s", n);
	r = test_expect(env, "GET", path, "terminal", NULL, 200);
	assert_string_equal(test_str(r, "direction"), "export");
	assert_string_equal(test_str(r, "transport_mode"), "3");
	json_decref(r);
	snprintf(path, sizeof path, "/v1/declarations/%s/departure", n);
	char none[64];
	snprintf(none, sizeof none, "no departure is recorded for %s", n);
	expect_detail(test_expect(env, "GET", path, "terminal", NULL, 404), 404, none);

	/* the terminal records the train's departure */
	r = depart_at(env, n, "terminal", "2026-11-23T10:30:00Z", 201);
	assert_string_equal(test_str(r, "declaration_number"), n);
	assert_string_equal(test_str(r, "departed_at"), "2026-11-23T10:30:00.000000Z");
	assert_string_equal(test_str(r, "recorded_by"), "terminal");
	char recorded_at[40];
	str_copy(recorded_at, test_str(r, "recorded_at"), sizeof recorded_at);
	assert_true(test_time(recorded_at) >= test_time("2026-11-23T12:00:00Z"));
	assert_int_equal(json_object_size(r), 4);
	json_decref(r);
	assert_int_equal(departures(env, n), 1);
	/* read back by those who may see the declaration, and no one else */
	static const char *const readers[] = {"terminal", "customs", "trader", "analyst"};
	for (size_t i = 0; i < 4; i++) {
		r = test_expect(env, "GET", path, readers[i], NULL, 200);
		assert_string_equal(test_str(r, "departed_at"), "2026-11-23T10:30:00.000000Z");
		assert_string_equal(test_str(r, "recorded_by"), "terminal");
		json_decref(r);
	}
	expect_detail(test_expect(env, "GET", path, "trader2", NULL, 404), 404,
		      "no declaration has that number");
	json_decref(test_expect(env, "GET", path, "carrier", NULL, 403));
	json_decref(test_expect(env, "GET", path, "tax", NULL, 403));

	/* the same departure again (written in China Standard Time): the
	 * record as it stands */
	r = depart_at(env, n, "terminal", "2026-11-23T18:30:00+08:00", 200);
	assert_string_equal(test_str(r, "departed_at"), "2026-11-23T10:30:00.000000Z");
	assert_string_equal(test_str(r, "recorded_by"), "terminal");
	assert_string_equal(test_str(r, "recorded_at"), recorded_at);
	json_decref(r);
	/* and by customs: the same */
	r = depart_at(env, n, "customs", "2026-11-23T10:30:00Z", 200);
	assert_string_equal(test_str(r, "recorded_by"), "terminal");
	json_decref(r);
	/* another time: refused, naming the first */
	char first[256];
	snprintf(first, sizeof first,
		 "the departure of %s was recorded at 2026-11-23T10:30:00.000000Z, by terminal "
		 "at %s; a recorded departure is not changed",
		 n, recorded_at);
	expect_detail(depart_at(env, n, "terminal", "2026-11-23T11:00:00Z", 409), 409, first);
	expect_detail(depart_at(env, n, "customs", "2026-11-23T10:29:59Z", 409), 409, first);
	assert_int_equal(departures(env, n), 1);

	/* its event, once */
	assert_int_equal(test_count_events(env, n, "declaration.departed", NULL), 1);
	json_t *data = last_event(env, n, "declaration.departed", actor);
	assert_string_equal(test_str(data, "departed_at"), "2026-11-23T10:30:00.000000Z");
	assert_string_equal(actor, "terminal");
	json_decref(data);

	/* now the refund */
	r = test_expect(env, "POST", "/v1/refunds", "trader", body, 201);
	assert_string_equal(test_str(r, "status"), "applied");
	assert_string_equal(test_str(r, "verdict"), "matches");
	assert_string_equal(test_str(json_object_get(r, "check"), "departed_at"),
			    "2026-11-23T10:30:00.000000Z");
	json_decref(r);
	assert_int_equal(test_count(env, "refund_applications"), applications + 1);
	assert_int_equal(test_count_events(env, n, "refund.applied", NULL), 1);
}

/* Customs records it too: here a parcel export by mail. */
static void customs_records_a_mail_departure(void **state)
{
	struct test_env *env = *state;
	char n[19];
	released_export(env, "6", n);
	move_to(env, "2026-11-23T14:00:00Z");
	json_t *r = depart_at(env, n, "customs", "2026-11-23T13:15:00+00:00", 201);
	assert_string_equal(test_str(r, "declaration_number"), n);
	assert_string_equal(test_str(r, "departed_at"), "2026-11-23T13:15:00.000000Z");
	assert_string_equal(test_str(r, "recorded_by"), "customs");
	json_decref(r);
	assert_int_equal(test_count_events(env, n, "declaration.departed", NULL), 1);
	/* the terminal sees it recorded */
	r = depart_at(env, n, "terminal", "2026-11-23T13:15:00Z", 200);
	assert_string_equal(test_str(r, "recorded_by"), "customs");
	json_decref(r);
}

/* A declarant may not record a departure, not even of its own export; a
 * port operator of another port does not see the declaration. */
static void who_may_not(void **state)
{
	struct test_env *env = *state;
	char n[19];
	released_export(env, "3", n);
	move_to(env, "2026-11-23T16:00:00Z");
	expect_detail(depart_at(env, n, "trader", "2026-11-23T15:00:00Z", 403), 403, NULL);
	expect_detail(depart_at(env, n, "tax", "2026-11-23T15:00:00Z", 403), 403, NULL);

	/* the terminal at Huanggang */
	json_decref(test_expect(env, "POST", "/v1/organisations", "admin",
				"{\"uscc\":\"" HUANGGANG_USCC "\",\"name\":\"Huanggang Port "
				"Terminal\",\"kind\":\"port\",\"port\":\"CNHUG\"}",
				201));
	json_decref(test_expect(env, "POST", "/v1/users", "admin",
				"{\"username\":\"" HUANGGANG_USER "\",\"password\":\"long-enough-pw\","
				"\"role\":\"port_operator\",\"organisation\":\"" HUANGGANG_USCC "\"}",
				201));
	expect_detail(depart_at(env, n, HUANGGANG_USER, "2026-11-23T15:00:00Z", 404), 404,
		      "no declaration has that number");
	/* no such number */
	expect_detail(depart_at(env, "516720260999999999", "customs", "2026-11-23T15:00:00Z", 404),
		      404, "no declaration has that number");
	expect_detail(depart_at(env, "not-a-number", "terminal", "2026-11-23T15:00:00Z", 404),
		      404, "no declaration has that number");
	assert_int_equal(departures(env, n), 0);
	assert_int_equal(test_count_events(env, n, "declaration.departed", NULL), 0);
}

/* An import, an export by water, and an export not released: 409. */
static void refused_declarations(void **state)
{
	struct test_env *env = *state;
	char imp[19], sea[19], rail[19], why[256];
	move_to(env, "2026-11-23T18:00:00Z");

	json_t *d = test_declaration_customs_only();
	test_fresh_consignment(d);
	lodge(env, d, imp);
	snprintf(why, sizeof why,
		 "%s is an import: a departure is recorded for goods that leave", imp);
	expect_detail(depart_at(env, imp, "customs", "2026-11-23T17:00:00Z", 409), 409, why);

	/* by water: the call's departure report says when it left */
	lodge(env, export_by("2"), sea);
	snprintf(why, sizeof why,
		 "%s goes by transport mode 2, whose conveyances kouan follows: its "
		 "departure is the one on its call's departure report (POST "
		 "/v1/conveyance-reports/{id}/departure)",
		 sea);
	expect_detail(depart_at(env, sea, "customs", "2026-11-23T17:00:00Z", 409), 409, why);

	/* not released: the goods have not left */
	lodge(env, export_by("3"), rail);
	snprintf(why, sizeof why, "%s is not released: goods leave only once released", rail);
	expect_detail(depart_at(env, rail, "customs", "2026-11-23T17:00:00Z", 409), 409, why);

	assert_int_equal(departures(env, imp) + departures(env, sea) + departures(env, rail), 0);
	assert_int_equal(test_count_events(env, rail, "declaration.departed", NULL), 0);
}

/* Bodies that are not a departure: 400 on /departed_at (or the unknown
 * member), nothing recorded; then a good one is. */
static void bad_departures(void **state)
{
	struct test_env *env = *state;
	char n[19];
	released_export(env, "3", n);
	json_t *v = view(env, n);
	char released[40], before[40];
	str_copy(released, test_str(v, "released_at"), sizeof released);
	json_decref(v);
	ktime_format(test_time(released) - 1, before);
	move_to(env, "2026-11-23T20:00:00Z");

	json_t *r = depart(env, n, "terminal", "{}", 400);
	assert_string_equal(test_str(r, "detail"), "the departure has fields that are not valid");
	expect_field(r, "/departed_at", "is required");
	r = depart(env, n, "terminal", "{\"departed_at\":null}", 400);
	expect_field(r, "/departed_at", "is required");
	r = depart(env, n, "terminal", "{\"departed_at\":\"yesterday evening\"}", 400);
	assert_string_equal(test_str(r, "detail"), "the departure has fields that are not valid");
	expect_field(r, "/departed_at", "must be an RFC 3339 time with its offset");
	r = depart(env, n, "terminal", "{\"departed_at\":\"2026-11-23T19:00:00\"}", 400);
	expect_field(r, "/departed_at", "must be an RFC 3339 time with its offset");
	r = depart(env, n, "terminal", "{\"departed_at\":1795460400}", 400);
	expect_field(r, "/departed_at", "must be an RFC 3339 time with its offset");
	/* in the future */
	r = depart_at(env, n, "terminal", "2026-11-23T20:00:01Z", 400);
	assert_string_equal(test_str(r, "detail"), "the departure has fields that are not valid");
	expect_field(r, "/departed_at", "must not be in the future (it is now 2026-11-23T20:00:00");
	/* before the release, by a microsecond */
	r = depart_at(env, n, "terminal", before, 400);
	assert_string_equal(test_str(r, "detail"), "the departure has fields that are not valid");
	char problem[128];
	snprintf(problem, sizeof problem,
		 "must not be before the release (%s): goods leave once released", released);
	expect_field(r, "/departed_at", problem);
	/* an unknown member */
	r = depart(env, n, "terminal",
		   "{\"departed_at\":\"2026-11-23T19:00:00Z\",\"train\":\"X8083\"}", 400);
	expect_field(r, "/train", "unknown field; accepted fields are: departed_at");
	assert_int_equal(departures(env, n), 0);
	assert_int_equal(test_count_events(env, n, "declaration.departed", NULL), 0);

	/* at the release itself: recorded */
	r = depart_at(env, n, "terminal", released, 201);
	assert_string_equal(test_str(r, "departed_at"), released);
	json_decref(r);
	assert_int_equal(departures(env, n), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* in this order: each moves the clock further */
		cmocka_unit_test(rail_departure_recorded_then_refunded),
		cmocka_unit_test(customs_records_a_mail_departure),
		cmocka_unit_test(who_may_not),
		cmocka_unit_test(refused_declarations),
		cmocka_unit_test(bad_departures),
	};
	return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
