/*
 * test_transport.c - the transport side through the router (issue 9, and
 * "one consignment, one release" of issue 8): a vessel's arrival report
 * cleared in parallel and its entry permission signed; manifests and
 * their amendments, stored whole however many their lines; an advance
 * declaration waiting for its line and released when it arrives;
 * mismatches told with their differences; a bill or container claimed
 * once, also by two lodgings at the same moment; the tally; the gate
 * letting out only what is cleared and keeping a record of what it
 * refused.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "common/codes.h"
#include "domain/release.h"

static int setup(void **state)
{
	*state = test_env_new();
	return 0;
}

static int teardown(void **state)
{
	test_env_free(*state);
	return 0;
}

#define ARIES_CALL "2|9321378|046E|CNNSA"
#define ARIES_CALL_Q "2%7C9321378%7C046E%7CCNNSA"

static const char vessel_arrival[] =
	"{'kind':'arrival','transport_mode':'2','carrier':'COSCO SHIPPING Lines',"
	"'vessel':{'imo':'9321378','name':'COSCO SHIPPING ARIES','call_sign':'VRBK7',"
	"'flag':'HK','voyage':'046E'},'port':'CNNSA','port_office':'5167','berth':'NS-P2-07',"
	"'last_port':'USLAX','next_port':'CNYTN','expected_arrival':'2026-11-23T06:00:00Z',"
	"'actual_arrival':'2026-11-23T07:40:00Z','expected_departure':'2026-11-24T18:00:00Z',"
	"'crew':24,'passengers':0}";

static const char vessel_departure[] =
	"{'kind':'departure','transport_mode':'2','carrier':'COSCO SHIPPING Lines',"
	"'vessel':{'imo':'9321378','name':'COSCO SHIPPING ARIES','call_sign':'VRBK7',"
	"'flag':'HK','voyage':'046E'},'port':'CNNSA','port_office':'5167','berth':'NS-P2-07',"
	"'next_port':'CNYTN','expected_departure':'2026-11-23T08:00:00Z','crew':24,"
	"'passengers':0}";

static const char *const vessel_agencies[] = {"border", "maritime", "customs", "quarantine"};

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static json_int_t num(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* POST a document with an Idempotency-Key of its own; asserts `status`. */
static json_t *post(struct test_env *env, const char *path, const char *user,
		    const json_t *body, int status)
{
	static unsigned n;
	char key[40], *text = json_dumps(body, JSON_COMPACT);
	snprintf(key, sizeof key, "transport-%u", ++n);
	struct loopback_result r;
	int got = test_call(env, "POST", path, user, text, key, &r);
	if (got != status)
		print_error("POST %s as %s: %d %s\n", path, user, got, r.text);
	assert_int_equal(got, status);
	json_t *j = json_incref(r.json);
	loopback_result_free(&r);
	free(text);
	return j;
}

static json_t *send(struct test_env *env, const char *method, const char *path,
		    const char *user, const json_t *body, int status)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_t *j = test_expect(env, method, path, user, text, status);
	free(text);
	return j;
}

/* Rows counted by a query (statements are cached by the query's address:
 * each is a static of its own), with one text parameter or none. */
static const struct sql_query Q_REPORTS = {"SELECT COUNT(*) FROM conveyance_reports"};
static const struct sql_query Q_ATTEMPTS = {"SELECT COUNT(*) FROM gate_attempts"};
static const struct sql_query Q_GATED_OUT = {
	"SELECT COUNT(*) FROM yard_events WHERE container = ? AND event = 'gated_out'"};
static const struct sql_query Q_LIVE_CLAIMS = {
	"SELECT COUNT(*) FROM declaration_transport WHERE bill_of_lading = ? AND live = 1"};

static int64_t count(struct test_env *env, const struct sql_query *q, const char *arg)
{
	struct store_conn *c;
	assert_int_equal(store_thread_conn(env->store, &c), KERR_OK);
	struct store_stmt *st = arg ? store_query(c, q, "s", arg) : store_query(c, q, "");
	assert_non_null(st);
	assert_int_equal(stmt_step(st), STORE_ROW);
	int64_t n = stmt_int(st, 0);
	stmt_done(st);
	return n;
}

/* Lodge the arrival report and have every agency clear it: entry
 * permission. Returns the report id. */
static json_int_t permitted_call(struct test_env *env, const char *report, const char *voyage)
{
	json_t *b = test_json(report);
	json_object_set_new(json_object_get(b, "vessel"), "voyage", json_string(voyage));
	json_t *r = post(env, "/v1/conveyance-reports", "carrier", b, 201);
	json_int_t id = num(r, "id");
	for (size_t i = 0; i < 4; i++) {
		char path[96];
		snprintf(path, sizeof path, "/v1/conveyance-reports/%lld/tasks/%s/decision",
			 (long long)id, vessel_agencies[i]);
		json_decref(test_expect(env, "POST", path, vessel_agencies[i],
					"{\"decision\":\"cleared\",\"reason\":\"papers in order\"}",
					200));
	}
	json_decref(r);
	json_decref(b);
	return id;
}

/* A manifest of ARIES 046E at Nansha with the lines given (a JSON array in
 * single quotes). */
static json_t *aries_manifest(const char *kind, const char *bills)
{
	char text[8192];
	snprintf(text, sizeof text,
		 "{'kind':'%s','transport_mode':'2','conveyance':{'name':'COSCO SHIPPING ARIES',"
		 "'voyage':'046E','imo':'9321378'},'port':'CNNSA',"
		 "'carrier':'COSCO SHIPPING Lines','bills':%s}",
		 kind, bills);
	return test_json(text);
}

/* A manifest line for bill `bill`: packages, weight and one container. */
static void line(char *out, size_t n, const char *bill, int packages, const char *weight,
		 const char *container)
{
	snprintf(out, n,
		 "{'bill_of_lading':'%s','consignor':{'name':'Columbia Valley Fruit'},"
		 "'consignee':{'name':'Haitong Import and Export','uscc':'91440101MA59TRAD00'},"
		 "'goods_description':'Goods','packages':%d,'package_kind':'CT',"
		 "'gross_weight_kg':'%s','containers':[{'number':'%s','seals':['SL-%s']}]}",
		 bill, packages, weight, container, container + 4);
}

/* A laptops declaration (customs only) on ARIES 046E of a bill and one
 * container, 100 packages of 1000 kg. */
static json_t *laptops(const char *bill, const char *container)
{
	json_t *d = test_consignment_customs_only();
	json_object_set_new(d, "bill_of_lading", json_string(bill));
	json_object_set_new(d, "containers", json_pack("[s]", container));
	json_object_set_new(d, "packages", json_integer(100));
	json_object_set_new(d, "gross_weight_kg", json_string("1000.000"));
	json_object_del(d, "advance");
	return d;
}

static json_t *lodge(struct test_env *env, const json_t *d, int status)
{
	return post(env, "/v1/declarations", "trader", d, status);
}

static void decide(struct test_env *env, const char *number, const char *agency,
		   const char *decision)
{
	char path[96], body[128];
	snprintf(path, sizeof path, "/v1/declarations/%s/tasks/%s/decision", number, agency);
	snprintf(body, sizeof body, "{\"decision\":\"%s\",\"reason\":\"checked\"}", decision);
	json_decref(test_expect(env, "POST", path, agency, body, 200));
}

static const char *status_of(struct test_env *env, const char *number, char out[20])
{
	char path[64];
	snprintf(path, sizeof path, "/v1/declarations/%s", number);
	json_t *v = test_expect(env, "GET", path, "analyst", NULL, 200);
	str_copy(out, str(v, "status"), 20);
	json_decref(v);
	return out;
}

/* The types of a list of events, joined by spaces. */
static void types_of(const json_t *events, char *out, size_t n)
{
	size_t i;
	json_t *e;
	out[0] = '\0';
	json_array_foreach(events, i, e)
	{
		if (i)
			strncat(out, " ", n - strlen(out) - 1);
		strncat(out, str(e, "type"), n - strlen(out) - 1);
	}
}

/* --- conveyance reports --- */

static void vessel_call_is_cleared_in_parallel_and_signed(void **state)
{
	struct test_env *env = *state;
	json_t *b = test_json(vessel_arrival);
	/* only a carrier reports a conveyance */
	json_decref(post(env, "/v1/conveyance-reports", "trader", b, 403));
	json_t *r = post(env, "/v1/conveyance-reports", "carrier", b, 201);
	json_int_t id = num(r, "id");
	assert_string_equal(str(r, "permission"), "pending");
	assert_string_equal(str(r, "call"), ARIES_CALL);
	assert_int_equal(json_array_size(json_object_get(r, "tasks")), 4);
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(test_task_status(r, vessel_agencies[i]), "open");
	/* the actual arrival it carries is the call's */
	assert_string_equal(str(json_object_get(r, "call_state"), "arrived_at"),
			    "2026-11-23T07:40:00.000000Z");
	json_decref(r);

	/* a second arrival report of the call: amend the first instead */
	r = post(env, "/v1/conveyance-reports", "carrier", b, 409);
	assert_true(test_has_error(r, "/kind", "already has an arrival report"));
	json_decref(r);
	/* bad input: each field named, nothing stored */
	int64_t reports = count(env, &Q_REPORTS, NULL);
	json_t *bad = json_deep_copy(b);
	json_object_set_new(json_object_get(bad, "vessel"), "imo", json_string("9321379"));
	json_object_set_new(bad, "port_office", json_string("5301"));
	r = post(env, "/v1/conveyance-reports", "carrier", bad, 400);
	assert_true(test_has_error(r, "/vessel/imo", "check digit"));
	assert_true(test_has_error(r, "/port_office", "does not serve"));
	json_decref(r);
	json_decref(bad);
	assert_int_equal(count(env, &Q_REPORTS, NULL), reports);

	char path[128];
	/* an officer decides for its own agency only */
	snprintf(path, sizeof path, "/v1/conveyance-reports/%lld/tasks/maritime/decision",
		 (long long)id);
	json_decref(test_expect(env, "POST", path, "border",
				"{\"decision\":\"cleared\",\"reason\":\"x\"}", 403));
	/* in parallel: three clear, quarantine boards the vessel first */
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "/v1/conveyance-reports/%lld/tasks/%s/decision",
			 (long long)id, vessel_agencies[i]);
		r = test_expect(env, "POST", path, vessel_agencies[i],
				"{\"decision\":\"cleared\",\"reason\":\"papers in order\"}", 200);
		assert_string_equal(str(r, "permission"), "pending");
		json_decref(r);
	}
	snprintf(path, sizeof path, "/v1/conveyance-reports/%lld/permission", (long long)id);
	r = test_expect(env, "GET", path, "terminal", NULL, 404);
	assert_non_null(strstr(str(r, "detail"), "not every agency has cleared it"));
	json_decref(r);
	snprintf(path, sizeof path, "/v1/conveyance-reports/%lld/tasks/quarantine/decision",
		 (long long)id);
	r = test_expect(env, "POST", path, "quarantine",
			"{\"decision\":\"inspect\",\"reason\":\"boarding: sanitation check\"}",
			200);
	assert_string_equal(test_task_status(r, "quarantine"), "inspecting");
	json_decref(r);
	r = test_expect(env, "POST", path, "quarantine",
			"{\"decision\":\"cleared\",\"reason\":\"galley and holds clean\"}", 200);
	assert_string_equal(str(r, "permission"), "granted");
	assert_non_null(str(json_object_get(r, "call_state"), "entry_permitted_at"));
	json_decref(r);
	/* nothing more to decide */
	json_decref(test_expect(env, "POST", path, "quarantine",
				"{\"decision\":\"reject\",\"reason\":\"late\"}", 409));

	/* the permission is signed with the release key */
	snprintf(path, sizeof path, "/v1/conveyance-reports/%lld/permission", (long long)id);
	r = test_expect(env, "GET", path, "terminal", NULL, 200);
	const char *text = str(r, "notice");
	assert_true(release_verify(text, str(r, "signature"), env->app.svc.sign_pk));
	json_t *n = json_loads(text, 0, NULL);
	assert_string_equal(str(n, "kind"), "kouan.entry-permission.v1");
	assert_string_equal(str(n, "call"), ARIES_CALL);
	assert_string_equal(str(json_object_get(n, "vessel"), "imo"), "9321378");
	assert_int_equal(json_array_size(json_object_get(n, "agencies_cleared")), 4);
	json_decref(n);
	char *forged = strdup(text);
	forged[strlen(forged) - 3] ^= 1;
	assert_false(release_verify(forged, str(r, "signature"), env->app.svc.sign_pk));
	free(forged);
	json_decref(r);

	/* the call's own timeline */
	r = test_expect(env, "GET", "/v1/calls/events?call=" ARIES_CALL_Q, "analyst", NULL, 200);
	char types[2048];
	types_of(json_object_get(r, "events"), types, sizeof types);
	assert_string_equal(types,
			    "conveyance.reported conveyance.task_opened conveyance.task_opened "
			    "conveyance.task_opened conveyance.task_opened conveyance.arrived "
			    "conveyance.task_cleared conveyance.task_cleared "
			    "conveyance.task_cleared conveyance.inspection_ordered "
			    "conveyance.task_cleared conveyance.entry_permitted");
	json_decref(r);
	/* a declarant sees no call */
	json_decref(test_expect(env, "GET", "/v1/calls?call=" ARIES_CALL_Q, "trader", NULL, 403));
	r = test_expect(env, "GET", "/v1/calls?call=" ARIES_CALL_Q, "terminal", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(r, "reports")), 1);
	json_decref(r);

	/* an amendment: a new version; the call cannot change */
	snprintf(path, sizeof path, "/v1/conveyance-reports/%lld", (long long)id);
	json_t *amended = json_deep_copy(b);
	json_object_set_new(amended, "berth", json_string("NS-P2-08"));
	r = send(env, "PUT", path, "carrier", amended, 200);
	assert_int_equal(num(r, "version"), 2);
	json_decref(r);
	json_decref(send(env, "PUT", path, "carrier", amended, 409)); /* nothing changed */
	json_object_set_new(json_object_get(amended, "vessel"), "voyage", json_string("047E"));
	r = send(env, "PUT", path, "carrier", amended, 400);
	assert_true(test_has_error(r, "/vessel/voyage", NULL));
	json_decref(r);
	json_decref(send(env, "PUT", path, "airline", amended, 404)); /* not its report */
	json_decref(amended);
	json_decref(b);
}

/* --- matching --- */

/* The apples' line with `packages` packages in two containers. */
static void apples_line(char *out, size_t n, const char *bill, int packages, const char *c0,
			const char *c1)
{
	snprintf(out, n,
		 "{'bill_of_lading':'%s','consignor':{'name':'Columbia Valley Fruit'},"
		 "'consignee':{'name':'Haitong'},'goods_description':'Fresh apples',"
		 "'packages':%d,'package_kind':'CT','gross_weight_kg':'19850.000',"
		 "'containers':[{'number':'%s','seals':['S1']},{'number':'%s','seals':['S2']}]}",
		 bill, packages, c0, c1);
}

static void advance_declaration_waits_for_its_manifest_line(void **state)
{
	struct test_env *env = *state;
	json_t *d = test_consignment(); /* apples, advance */
	char number[19], path[128], st[20];
	test_lodge_alone(env, "trader", d, number);
	snprintf(path, sizeof path, "/v1/declarations/%s/match", number);
	json_t *m = test_expect(env, "GET", path, "trader", NULL, 200);
	assert_string_equal(str(m, "match"), "waiting");
	assert_string_equal(str(m, "call"), ARIES_CALL);
	json_decref(m);
	json_decref(test_expect(env, "GET", path, "terminal", NULL, 403));
	/* every agency clears: the release waits for the manifest */
	decide(env, number, "customs", "cleared");
	decide(env, number, "quarantine", "cleared");
	assert_string_equal(status_of(env, number, st), "accepted");
	assert_int_equal(test_count_events(env, number, "declaration.release_held", NULL), 1);

	/* the manifest brings the line, but with 1795 packages */
	char bills[2048];
	const char *c0 = json_string_value(json_array_get(json_object_get(d, "containers"), 0));
	const char *c1 = json_string_value(json_array_get(json_object_get(d, "containers"), 1));
	const char *bill = str(d, "bill_of_lading");
	char wrong[1024];
	apples_line(wrong, sizeof wrong, bill, 1795, c0, c1);
	snprintf(bills, sizeof bills, "[%s]", wrong);
	json_t *man = aries_manifest("original", bills);
	json_t *r = post(env, "/v1/manifests", "carrier", man, 201);
	json_int_t id = num(r, "id");
	json_t *outcome = json_array_get(json_object_get(r, "declarations"), 0);
	assert_string_equal(str(outcome, "number"), number);
	assert_string_equal(str(outcome, "match"), "mismatched");
	assert_false(json_is_true(json_object_get(outcome, "released")));
	json_decref(r);
	assert_string_equal(status_of(env, number, st), "accepted");
	assert_int_equal(test_count_events(env, number, "declaration.mismatched", NULL), 1);
	/* the declarant and customs see the exact difference */
	m = test_expect(env, "GET", path, "trader", NULL, 200);
	assert_string_equal(str(m, "match"), "mismatched");
	json_t *diff = json_array_get(json_object_get(m, "differences"), 0);
	assert_int_equal(json_array_size(json_object_get(m, "differences")), 1);
	assert_string_equal(str(diff, "difference"), "packages");
	assert_string_equal(str(diff, "field"), "/packages");
	assert_string_equal(str(diff, "declared"), "1800");
	assert_string_equal(str(diff, "manifested"), "1795");
	json_decref(m);
	m = test_expect(env, "GET", path, "customs", NULL, 200);
	assert_string_equal(str(m, "match"), "mismatched");
	json_decref(m);

	/* the carrier amends its line: matched, and released by kouan */
	char right[1024];
	apples_line(right, sizeof right, bill, 1800, c0, c1);
	snprintf(bills, sizeof bills, "[%s]", right);
	json_decref(man);
	man = aries_manifest("original", bills);
	char mpath[64];
	snprintf(mpath, sizeof mpath, "/v1/manifests/%lld", (long long)id);
	r = send(env, "PUT", mpath, "carrier", man, 200);
	assert_int_equal(num(r, "version"), 2);
	outcome = json_array_get(json_object_get(r, "declarations"), 0);
	assert_string_equal(str(outcome, "match"), "matched");
	assert_true(json_is_true(json_object_get(outcome, "released")));
	json_t *change = json_array_get(json_object_get(json_object_get(r, "changes"), "bills"), 0);
	assert_string_equal(str(change, "change"), "changed");
	json_t *field = json_array_get(json_object_get(change, "fields"), 0);
	assert_string_equal(str(field, "field"), "/bills/0/packages");
	assert_int_equal(num(field, "before"), 1795);
	assert_int_equal(num(field, "after"), 1800);
	json_decref(r);
	assert_string_equal(status_of(env, number, st), "released");
	snprintf(mpath, sizeof mpath, "/v1/manifests/%lld/versions/1", (long long)id);
	r = test_expect(env, "GET", mpath, "customs", NULL, 200);
	assert_int_equal(num(r, "version"), 1);
	assert_int_equal(num(r, "current_version"), 2);
	assert_int_equal(num(json_array_get(json_object_get(json_object_get(r, "manifest"), "bills"),
					    0),
			     "packages"),
			 1795);
	json_decref(r);
	snprintf(path, sizeof path, "/v1/declarations/%s/events", number);
	r = test_expect(env, "GET", path, "trader", NULL, 200);
	char types[4096];
	types_of(json_object_get(r, "events"), types, sizeof types);
	assert_non_null(strstr(types, "declaration.awaiting_manifest"));
	assert_non_null(strstr(types, "declaration.release_held declaration.mismatched "
				      "declaration.matched declaration.released"));
	json_decref(r);
	json_decref(man);
	json_decref(d);
}

static void lodging_against_a_line_that_differs_is_refused(void **state)
{
	struct test_env *env = *state;
	char l[1024], bills[2048];
	line(l, sizeof l, "COSU6291830501", 100, "1000.000", "TGHU6000010");
	snprintf(bills, sizeof bills, "[%s]", l);
	/* on a call of its own: another voyage */
	json_t *man = aries_manifest("original", bills);
	json_object_set_new(json_object_get(man, "conveyance"), "voyage", json_string("050E"));
	json_decref(post(env, "/v1/manifests", "carrier", man, 201));
	json_t *d = laptops("COSU6291830501", "TGHU6000010");
	json_object_set_new(json_object_get(d, "conveyance"), "voyage", json_string("050E"));
	int64_t before = test_count(env, "declarations");

	json_object_set_new(d, "packages", json_integer(101));
	json_object_set_new(d, "gross_weight_kg", json_string("1060.000")); /* 6 % over */
	json_object_set_new(d, "containers", json_pack("[s]", "CSQU3054383"));
	json_t *r = lodge(env, d, 400);
	assert_true(test_has_error(r, "/packages",
				   "is 101 but the manifest line of bill COSU6291830501 has 100 "
				   "packages; packages must match exactly"));
	assert_true(test_has_error(r, "/gross_weight_kg",
				   "is 1060.000 kg but the manifest line of bill COSU6291830501 "
				   "has 1000.000 kg; a difference of up to 5.0 % of it (at least "
				   "0.500 kg) is accepted"));
	assert_true(test_has_error(r, "/containers/0",
				   "container CSQU3054383 is not on the manifest line of bill "
				   "COSU6291830501"));
	assert_true(test_has_error(r, "/containers", "leaves out container TGHU6000010"));
	json_decref(r);
	assert_int_equal(test_count(env, "declarations"), before);

	/* within 5 %: matched at once */
	json_object_set_new(d, "packages", json_integer(100));
	json_object_set_new(d, "gross_weight_kg", json_string("1049.999"));
	json_object_set_new(d, "containers", json_pack("[s]", "TGHU6000010"));
	r = lodge(env, d, 201);
	char path[96];
	snprintf(path, sizeof path, "/v1/declarations/%s/match", str(r, "number"));
	json_t *m = test_expect(env, "GET", path, "trader", NULL, 200);
	assert_string_equal(str(m, "match"), "matched");
	assert_int_equal(json_array_size(json_object_get(m, "differences")), 0);
	json_decref(m);
	json_decref(r);

	/* a bill the call's manifest does not have: unknown, refused... */
	json_t *e = laptops("COSU6291830599", "OOLU8800120");
	json_object_set_new(json_object_get(e, "conveyance"), "voyage", json_string("050E"));
	r = lodge(env, e, 400);
	assert_true(test_has_error(r, "/bill_of_lading",
				   "no manifest of this call has a line for bill COSU6291830599 yet"));
	json_decref(r);
	assert_int_equal(test_count(env, "declarations"), before + 1);
	/* ...unless declared in advance: it waits for the carrier's amendment */
	json_object_set_new(e, "advance", json_true());
	r = lodge(env, e, 201);
	snprintf(path, sizeof path, "/v1/declarations/%s/match", str(r, "number"));
	m = test_expect(env, "GET", path, "trader", NULL, 200);
	assert_string_equal(str(m, "match"), "waiting");
	json_decref(m);
	json_decref(r);
	/* a call with no manifest at all: accepted all the same, even not in
	 * advance, and the release held until the line comes */
	json_t *f = laptops("COSU6291830598", "TRHU4077118");
	json_object_set_new(json_object_get(f, "conveyance"), "voyage", json_string("049E"));
	r = lodge(env, f, 201);
	snprintf(path, sizeof path, "/v1/declarations/%s/match", str(r, "number"));
	m = test_expect(env, "GET", path, "trader", NULL, 200);
	assert_string_equal(str(m, "match"), "waiting");
	assert_false(json_is_true(json_object_get(m, "advance")));
	json_decref(m);
	char st[20];
	decide(env, str(r, "number"), "customs", "cleared");
	assert_string_equal(status_of(env, str(r, "number"), st), "accepted");
	assert_int_equal(test_count_events(env, str(r, "number"), "declaration.release_held", NULL),
			 1);
	json_decref(r);
	json_decref(f);
	json_decref(e);
	json_decref(d);
	json_decref(man);
}

/* --- one consignment, one release --- */

static void one_consignment_one_release(void **state)
{
	struct test_env *env = *state;
	json_t *first = test_consignment_customs_only();
	char a[19], path[96];
	test_lodge(env, "trader", first, a);
	int64_t before = test_count(env, "declarations");

	/* the same bill again, other containers: refused, naming the holder */
	json_t *again = json_deep_copy(first);
	test_fresh_consignment(again);
	json_object_set(again, "bill_of_lading", json_object_get(first, "bill_of_lading"));
	json_t *r = lodge(env, again, 409);
	char want[256];
	snprintf(want, sizeof want, "bill of lading %s is already declared on declaration %s",
		 str(first, "bill_of_lading"), a);
	assert_true(test_has_error(r, "/bill_of_lading", want));
	json_decref(r);
	/* a container of it under another bill: refused too */
	json_t *box = json_deep_copy(first);
	test_fresh_consignment(box);
	json_array_set(json_object_get(box, "containers"), 1,
		       json_array_get(json_object_get(first, "containers"), 0));
	r = lodge(env, box, 409);
	snprintf(want, sizeof want, "container %s is already declared on declaration %s",
		 json_string_value(json_array_get(json_object_get(first, "containers"), 0)), a);
	assert_true(test_has_error(r, "/containers/1", want));
	json_decref(r);
	assert_int_equal(test_count(env, "declarations"), before);

	/* a withdrawal frees the claim */
	snprintf(path, sizeof path, "/v1/declarations/%s/withdrawal", a);
	json_decref(test_expect(env, "POST", path, "trader", NULL, 200));
	char b[19];
	test_lodge(env, "trader", again, b);

	/* so does a rejection */
	json_t *rejected = test_consignment_customs_only();
	char r1[19], r2[19];
	test_lodge(env, "trader", rejected, r1);
	decide(env, r1, "customs", "reject");
	test_lodge(env, "trader", rejected, r2);
	assert_string_not_equal(r1, r2);
	json_decref(rejected);

	/* a correction may not take another live declaration's bill */
	char c[19];
	test_lodge(env, "trader", box = (json_decref(box), test_consignment_customs_only()), c);
	decide(env, c, "customs", "return");
	json_t *taken = json_deep_copy(box);
	json_object_set(taken, "bill_of_lading", json_object_get(again, "bill_of_lading"));
	snprintf(path, sizeof path, "/v1/declarations/%s", c);
	r = send(env, "PUT", path, "trader", taken, 409);
	assert_true(test_has_error(r, "/bill_of_lading", "is already declared on declaration"));
	json_decref(r);
	/* a correction identical to the current version is a no-op */
	r = send(env, "PUT", path, "trader", box, 409);
	assert_true(test_has_error(r, "",
				   "the correction is identical to the current version; nothing "
				   "changed, so no new version is made"));
	json_decref(r);
	json_decref(taken);
	json_decref(box);
	json_decref(again);
	json_decref(first);
}

static void a_split_bill_is_declared_in_parts_that_add_up(void **state)
{
	struct test_env *env = *state;
	char l[1024], bills[2048];
	line(l, sizeof l, "COSU6291830613", 100, "1000.000", "TGHU7742101");
	snprintf(bills, sizeof bills, "[%s]", l);
	json_t *man = aries_manifest("original", bills);
	json_object_set_new(json_object_get(man, "conveyance"), "voyage", json_string("051E"));
	json_decref(post(env, "/v1/manifests", "carrier", man, 201));
	json_t *p1 = laptops("COSU6291830613", "TGHU7742101");
	json_object_set_new(json_object_get(p1, "conveyance"), "voyage", json_string("051E"));
	json_object_set_new(p1, "split", json_pack("{s:i, s:i}", "part", 1, "of", 2));
	json_object_set_new(p1, "packages", json_integer(60));
	json_object_set_new(p1, "gross_weight_kg", json_string("600.000"));
	json_t *p2 = json_deep_copy(p1);
	json_object_set_new(p2, "split", json_pack("{s:i, s:i}", "part", 2, "of", 2));
	json_object_set_new(p2, "packages", json_integer(40));
	json_object_set_new(p2, "gross_weight_kg", json_string("400.000"));
	json_decref(lodge(env, p1, 201));
	/* the same part twice, a whole declaration beside parts, parts that
	 * pass the line: refused */
	json_t *r = lodge(env, p1, 409);
	assert_true(test_has_error(r, "/split/part", "part 1 of bill COSU6291830613 is already"));
	json_decref(r);
	json_t *whole = json_deep_copy(p1);
	json_object_del(whole, "split");
	r = lodge(env, whole, 409);
	assert_true(test_has_error(r, "/bill_of_lading", "is already declared on declaration"));
	json_decref(r);
	json_t *big = json_deep_copy(p2);
	json_object_set_new(big, "packages", json_integer(41));
	r = lodge(env, big, 400);
	assert_true(test_has_error(r, "/packages",
				   "the parts of bill COSU6291830613 declare 101 packages in all"));
	json_decref(r);
	json_decref(lodge(env, p2, 201));
	json_decref(big);
	json_decref(whole);
	json_decref(p1);
	json_decref(p2);
	json_decref(man);
}

/* Two servers (here: threads through the router) lodging one bill at the
 * same moment make one claim; the others are told who holds it. They take
 * turns on the bill's lock (and their containers'), so each sees the
 * claims made before it; the claim itself is sent ahead, and one made
 * without the lock would lose its transaction on the unique index (a 500).
 * Run with containers, and without, where the bill's lock alone orders
 * them. */
#define RACERS 8

struct racer {
	struct test_env *env;
	pthread_barrier_t *start;
	char token[TOKEN_TEXT_MAX];
	const char *body;
	int round; /* of races in the test run: a key of its own */
	int n;
	int status;
	bool told; /* 409 naming /bill_of_lading */
};

static void *race(void *p)
{
	struct racer *rc = p;
	char key[32];
	snprintf(key, sizeof key, "race-%d-%d", rc->round, rc->n);
	struct loopback_call call = {.method = "POST", .path = "/v1/declarations",
				     .token = rc->token, .body = rc->body, .idempotency_key = key};
	struct loopback_result r;
	pthread_barrier_wait(rc->start);
	api_loopback(&rc->env->app, &call, &r);
	rc->status = r.status;
	rc->told = r.status == 409 && test_has_error(r.json, "/bill_of_lading", "already declared");
	loopback_result_free(&r);
	store_thread_release();
	return NULL;
}

static void race_for_one_bill(struct test_env *env, json_t *d)
{
	static int round;
	round++;
	test_manifest_line(env, d);
	char *body = json_dumps(d, JSON_COMPACT);
	static struct racer rc[RACERS];
	pthread_t t[RACERS];
	pthread_barrier_t start;
	assert_int_equal(pthread_barrier_init(&start, NULL, RACERS), 0);
	for (int i = 0; i < RACERS; i++) {
		memset(&rc[i], 0, sizeof rc[i]);
		rc[i] = (struct racer){
			.env = env, .start = &start, .body = body, .round = round, .n = i};
		test_new_token(env, "trader", 3600, rc[i].token);
	}
	for (int i = 0; i < RACERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, race, &rc[i]), 0);
	for (int i = 0; i < RACERS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start);
	int won = 0;
	for (int i = 0; i < RACERS; i++) {
		if (rc[i].status != 201 && !rc[i].told)
			print_error("racer %d: %d\n", i, rc[i].status);
		assert_true(rc[i].status == 201 || rc[i].told);
		won += rc[i].status == 201;
	}
	assert_int_equal(won, 1);
	assert_int_equal(count(env, &Q_LIVE_CLAIMS, str(d, "bill_of_lading")), 1);
	free(body);
}

static void two_lodgings_of_one_bill_at_once_make_one_claim(void **state)
{
	struct test_env *env = *state;
	json_t *d = test_consignment_customs_only();
	assert_true(json_array_size(json_object_get(d, "containers")) > 0);
	race_for_one_bill(env, d);
	test_fresh_consignment(d);
	json_object_set_new(d, "containers", json_array());
	race_for_one_bill(env, d);
	json_decref(d);
}

/* --- the tally --- */

static void tally_report_lists_its_differences(void **state)
{
	struct test_env *env = *state;
	char l1[1024], l2[1024], bills[4096];
	line(l1, sizeof l1, "COSU6291830701", 100, "1000.000", "TGHU6000010");
	line(l2, sizeof l2, "COSU6291830702", 50, "500.000", "TGHU7742101");
	snprintf(bills, sizeof bills, "[%s,%s]", l1, l2);
	json_t *man = aries_manifest("original", bills);
	json_object_set_new(json_object_get(man, "conveyance"), "voyage", json_string("052E"));
	const char *tally_text =
		"{'kind':'discharge','transport_mode':'2','conveyance':{'name':'COSCO SHIPPING "
		"ARIES','voyage':'052E','imo':'9321378'},'port':'CNNSA','bills':["
		"{'bill_of_lading':'COSU6291830701','packages':98,'containers':[{'number':"
		"'TGHU6000010','seals':['SL-6000010'],'condition':'damaged'}]},"
		"{'bill_of_lading':'COSU6291830799','packages':5,'containers':[]}]}";
	json_t *tally = test_json(tally_text);
	/* no manifest to compare with yet */
	json_t *r = send(env, "POST", "/v1/tally-reports", "terminal", tally, 409);
	assert_true(test_has_error(r, "/kind", "has no original manifest yet"));
	json_decref(r);
	json_decref(post(env, "/v1/manifests", "carrier", man, 201));
	json_decref(send(env, "POST", "/v1/tally-reports", "carrier", tally, 403));
	r = send(env, "POST", "/v1/tally-reports", "terminal", tally, 201);
	json_t *diffs = json_object_get(r, "differences");
	char kinds[512] = "";
	size_t i;
	json_t *d;
	json_array_foreach(diffs, i, d)
	{
		strncat(kinds, str(d, "difference"), sizeof kinds - strlen(kinds) - 1);
		strncat(kinds, " ", sizeof kinds - strlen(kinds) - 1);
	}
	assert_string_equal(kinds, "packages damaged short_landed over_landed ");
	char path[64];
	snprintf(path, sizeof path, "/v1/tally-reports/%lld", (long long)num(r, "id"));
	json_decref(r);
	r = test_expect(env, "GET", path, "customs", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(r, "differences")), 4);
	json_decref(r);
	json_decref(test_expect(env, "GET", path, "trader", NULL, 403));
	/* another port's tally is not this terminal's */
	json_object_set_new(tally, "port", json_string("CNYTN"));
	r = send(env, "POST", "/v1/tally-reports", "terminal", tally, 400);
	assert_true(test_has_error(r, "/port", "its own port (CNNSA)"));
	json_decref(r);
	json_decref(tally);
	json_decref(man);
}

/* --- the gate --- */

static void the_gate_lets_out_only_what_is_cleared(void **state)
{
	struct test_env *env = *state;
	/* a call of its own: voyage 053E */
	(void)permitted_call(env, vessel_arrival, "053E");
	char l1[1024], l2[1024], bills[4096];
	line(l1, sizeof l1, "COSU6291830801", 100, "1000.000", "MAEU5123453");
	line(l2, sizeof l2, "COSU6291830802", 100, "1000.000", "CSNU6409188");
	snprintf(bills, sizeof bills, "[%s,%s]", l1, l2);
	json_t *man = aries_manifest("original", bills);
	json_object_set_new(json_object_get(man, "conveyance"), "voyage", json_string("053E"));
	json_decref(post(env, "/v1/manifests", "carrier", man, 201));
	json_t *d1 = laptops("COSU6291830801", "MAEU5123453");
	json_t *d2 = laptops("COSU6291830802", "CSNU6409188");
	json_object_set_new(json_object_get(d1, "conveyance"), "voyage", json_string("053E"));
	json_object_set_new(json_object_get(d2, "conveyance"), "voyage", json_string("053E"));
	json_t *r = lodge(env, d1, 201);
	char cleared[19], open[19];
	str_copy(cleared, str(r, "number"), sizeof cleared);
	json_decref(r);
	r = lodge(env, d2, 201);
	str_copy(open, str(r, "number"), sizeof open);
	json_decref(r);
	decide(env, cleared, "customs", "cleared");

	/* not before it is discharged */
	r = test_expect(env, "GET", "/v1/gate/containers/MAEU5123453", "terminal", NULL, 200);
	assert_false(json_is_true(json_object_get(r, "allowed")));
	assert_string_equal(str(json_array_get(json_object_get(r, "missing"), 0), "kind"), "order");
	assert_string_equal(str(r, "call"), "2|9321378|053E|CNNSA");
	json_decref(r);
	json_decref(test_expect(env, "POST", "/v1/gate/containers/MAEU5123453/events", "terminal",
				"{\"event\":\"discharged\"}", 201));
	json_decref(test_expect(env, "POST", "/v1/gate/containers/CSNU6409188/events", "terminal",
				"{\"event\":\"discharged\"}", 201));
	/* released, matched, permitted: out */
	r = test_expect(env, "GET", "/v1/gate/containers/MAEU5123453?action=gated_out", "terminal",
			NULL, 200);
	assert_true(json_is_true(json_object_get(r, "allowed")));
	assert_int_equal(json_array_size(json_object_get(r, "missing")), 0);
	json_decref(r);
	json_decref(test_expect(env, "POST", "/v1/gate/containers/MAEU5123453/events", "terminal",
				"{\"event\":\"gated_out\"}", 201));
	assert_int_equal(test_count_events(env, cleared, "container.discharged", NULL), 1);
	assert_int_equal(test_count_events(env, cleared, "container.gated_out", NULL), 1);
	/* once */
	json_decref(test_expect(env, "POST", "/v1/gate/containers/MAEU5123453/events", "terminal",
				"{\"event\":\"gated_out\"}", 409));

	/* the container whose declaration is still open: refused, with the
	 * reason, and the attempt is on the record */
	r = test_expect(env, "GET", "/v1/gate/containers/CSNU6409188", "terminal", NULL, 200);
	assert_false(json_is_true(json_object_get(r, "allowed")));
	json_t *missing = json_array_get(json_object_get(r, "missing"), 0);
	assert_int_equal(json_array_size(json_object_get(r, "missing")), 1);
	assert_string_equal(str(missing, "kind"), "release");
	assert_string_equal(str(missing, "subject"), open);
	char want[256];
	snprintf(want, sizeof want,
		 "declaration %s of bill COSU6291830802 is accepted, not released; waiting for "
		 "customs",
		 open);
	assert_string_equal(str(missing, "text"), want);
	json_decref(r);
	int64_t attempts = count(env, &Q_ATTEMPTS, NULL);
	r = test_expect(env, "POST", "/v1/gate/containers/CSNU6409188/events", "terminal",
			"{\"event\":\"gated_out\"}", 409);
	assert_string_equal(str(r, "type"), "urn:kouan:problem:conflict");
	assert_string_equal(str(json_array_get(json_object_get(r, "missing"), 0), "text"), want);
	json_decref(r);
	assert_int_equal(count(env, &Q_ATTEMPTS, NULL), attempts + 1);
	assert_int_equal(test_count_events(env, open, "container.gate_refused", NULL), 1);
	assert_int_equal(count(env, &Q_GATED_OUT, "CSNU6409188"), 0);
	r = test_expect(env, "GET", "/v1/calls/events?call=2%7C9321378%7C053E%7CCNNSA", "terminal",
			NULL, 200);
	char types[4096];
	types_of(json_object_get(r, "events"), types, sizeof types);
	assert_non_null(strstr(types, "container.gated_out container.gate_refused"));
	json_decref(r);
	/* cleared, it goes */
	decide(env, open, "customs", "cleared");
	json_decref(test_expect(env, "POST", "/v1/gate/containers/CSNU6409188/events", "terminal",
				"{\"event\":\"gated_out\"}", 201));

	/* bad input */
	r = test_expect(env, "GET", "/v1/gate/containers/CSNU6409189", "terminal", NULL, 400);
	assert_true(test_has_error(r, "path:number", "check digit"));
	json_decref(r);
	r = test_expect(env, "POST", "/v1/gate/containers/CSNU6409188/events", "terminal",
			"{\"event\":\"discharged\",\"at\":\"2030-01-01T00:00:00Z\"}", 400);
	assert_true(test_has_error(r, "/at", "in the future"));
	json_decref(r);
	/* a container on no manifest: no call, and not allowed */
	r = test_expect(env, "GET", "/v1/gate/containers/MSCU1234566?action=gated_out", "terminal",
			NULL, 200);
	assert_true(json_is_null(json_object_get(r, "call")));
	assert_false(json_is_true(json_object_get(r, "allowed")));
	assert_string_equal(str(json_array_get(json_object_get(r, "missing"), 0), "text"),
			    "container MSCU1234566 has not been discharged: a container goes out "
			    "of the terminal after it comes off the ship");
	json_decref(r);
	json_decref(test_expect(env, "GET", "/v1/gate/containers/MSCU1234566", "trader", NULL, 403));
	json_decref(d1);
	json_decref(d2);
	json_decref(man);
}

/* A permitted call of ARIES on `voyage` whose original manifest has one
 * line: `bill`, 100 packages, 1,000 kg, in `container`. */
static void call_with_one_line(struct test_env *env, const char *voyage, const char *bill,
			       const char *container)
{
	(void)permitted_call(env, vessel_arrival, voyage);
	char l[1024], bills[2048];
	line(l, sizeof l, bill, 100, "1000.000", container);
	snprintf(bills, sizeof bills, "[%s]", l);
	json_t *man = aries_manifest("original", bills);
	json_object_set_new(json_object_get(man, "conveyance"), "voyage", json_string(voyage));
	json_decref(post(env, "/v1/manifests", "carrier", man, 201));
	json_decref(man);
}

/* laptops() on that call */
static json_t *laptops_on(const char *voyage, const char *bill, const char *container)
{
	json_t *d = laptops(bill, container);
	json_object_set_new(json_object_get(d, "conveyance"), "voyage", json_string(voyage));
	return d;
}

/* A withdrawn declaration's bill declared again: the gate goes by the new
 * declaration alone, refused until it is released, then let out. */
static void the_gate_follows_the_declaration_that_took_a_freed_bill(void **state)
{
	struct test_env *env = *state;
	call_with_one_line(env, "054E", "COSU6291830901", "MAEU5123453");
	char first[19], again[19], path[96];
	for (int k = 0; k < 2; k++) {
		json_t *d = laptops_on("054E", "COSU6291830901", "MAEU5123453");
		json_t *r = lodge(env, d, 201);
		str_copy(k ? again : first, str(r, "number"), sizeof first);
		json_decref(r);
		json_decref(d);
		if (!k) {
			snprintf(path, sizeof path, "/v1/declarations/%s/withdrawal", first);
			json_decref(test_expect(env, "POST", path, "trader", NULL, 200));
		}
	}
	json_decref(test_expect(env, "POST", "/v1/gate/containers/MAEU5123453/events", "terminal",
				"{\"event\":\"discharged\"}", 201));
	json_t *r = test_expect(env, "GET", "/v1/gate/containers/MAEU5123453?action=gated_out",
				"terminal", NULL, 200);
	assert_false(json_is_true(json_object_get(r, "allowed")));
	assert_int_equal(json_array_size(json_object_get(r, "missing")), 1);
	assert_string_equal(str(json_array_get(json_object_get(r, "missing"), 0), "subject"), again);
	json_decref(r);
	decide(env, again, "customs", "cleared");
	r = test_expect(env, "GET", "/v1/gate/containers/MAEU5123453?action=gated_out", "terminal",
			NULL, 200);
	assert_true(json_is_true(json_object_get(r, "allowed")));
	json_decref(r);
}

/* Ship-side direct pickup (船边直提): released before discharge, the
 * container is handed over at the ship's side. */
static void direct_pickup_goes_from_the_ship_side(void **state)
{
	struct test_env *env = *state;
	call_with_one_line(env, "062E", "COSU6291831101", "BMOU5523109");
	json_t *d = laptops_on("062E", "COSU6291831101", "BMOU5523109");
	json_object_set_new(d, "flow", json_string("direct_pickup"));
	json_t *r = lodge(env, d, 400); /* direct pickup is declared in advance */
	assert_true(test_has_error(r, "/flow", "needs an advance declaration"));
	json_decref(r);
	json_object_set_new(d, "advance", json_true());
	r = lodge(env, d, 201);
	decide(env, str(r, "number"), "customs", "cleared");
	json_decref(r);
	/* released before discharge: it will go from the ship's side */
	r = test_expect(env, "GET", "/v1/gate/containers/BMOU5523109?action=discharged",
			"terminal", NULL, 200);
	assert_true(json_is_true(json_object_get(r, "allowed")));
	assert_true(json_is_true(json_object_get(r, "ship_side")));
	json_decref(r);
	r = test_expect(env, "POST", "/v1/gate/containers/BMOU5523109/events", "terminal",
			"{\"event\":\"discharged\"}", 201);
	assert_true(json_is_true(json_object_get(r, "ship_side")));
	json_decref(r);
	r = test_expect(env, "GET", "/v1/gate/containers/BMOU5523109", "terminal", NULL, 200);
	assert_true(json_is_true(json_object_get(r, "allowed")));
	assert_true(json_is_true(json_object_get(r, "ship_side")));
	json_decref(r);
	json_decref(d);
}

/* An export: gated in once on the pre-loading manifest, loaded once
 * released. */
static void an_export_goes_in_and_is_loaded(void **state)
{
	struct test_env *env = *state;
	(void)permitted_call(env, vessel_arrival, "063E");
	char l[1024], bills[2048];
	line(l, sizeof l, "COSU6291831201", 100, "1000.000", "TRHU4077118");
	snprintf(bills, sizeof bills, "[%s]", l);
	json_t *man = aries_manifest("pre_loading", bills);
	json_object_set_new(json_object_get(man, "conveyance"), "voyage", json_string("063E"));
	/* not on a pre-loading manifest yet: not in */
	json_t *r = test_expect(env, "GET", "/v1/gate/containers/TRHU4077118?action=gated_in",
				"terminal", NULL, 200);
	assert_string_equal(str(json_array_get(json_object_get(r, "missing"), 0), "kind"),
			    "manifest");
	json_decref(r);
	json_decref(post(env, "/v1/manifests", "carrier", man, 201));
	json_decref(test_expect(env, "POST", "/v1/gate/containers/TRHU4077118/events", "terminal",
				"{\"event\":\"gated_in\"}", 201));
	json_t *d = laptops("COSU6291831201", "TRHU4077118");
	json_object_set_new(json_object_get(d, "conveyance"), "voyage", json_string("063E"));
	json_object_set_new(d, "direction", json_string("export"));
	json_object_del(d, "departure_country");
	json_object_del(d, "entry_port");
	json_object_set_new(d, "destination_country", json_string("US"));
	json_object_set_new(d, "exit_port", json_string("CNNSA"));
	r = lodge(env, d, 201);
	char number[19];
	str_copy(number, str(r, "number"), sizeof number);
	json_decref(r);
	/* not loaded before it is released */
	r = test_expect(env, "POST", "/v1/gate/containers/TRHU4077118/events", "terminal",
			"{\"event\":\"loaded\"}", 409);
	assert_string_equal(str(json_array_get(json_object_get(r, "missing"), 0), "kind"),
			    "release");
	json_decref(r);
	decide(env, number, "customs", "cleared");
	json_decref(test_expect(env, "POST", "/v1/gate/containers/TRHU4077118/events", "terminal",
				"{\"event\":\"loaded\"}", 201));
	assert_int_equal(test_count_events(env, number, "container.loaded", NULL), 1);
	assert_int_equal(test_count_events(env, number, "container.gate_refused", NULL), 1);
	json_decref(d);
	json_decref(man);
}

/* The export tax refund by sea asks that the goods left on the vessel: of
 * two exports released on one call, the terminal loads one container and
 * not the other; after the vessel departs, the refund of the one left on
 * the quay is refused, naming its container, and the other is applied
 * for. */
static void an_export_refund_needs_its_containers_on_board(void **state)
{
	struct test_env *env = *state;
	(void)permitted_call(env, vessel_arrival, "066E");
	char l1[1024], l2[1024], bills[2100];
	line(l1, sizeof l1, "COSU6291836601", 100, "1000.000", "TRHU4077123");
	line(l2, sizeof l2, "COSU6291836602", 100, "1000.000", "TRHU4077139");
	snprintf(bills, sizeof bills, "[%s,%s]", l1, l2);
	json_t *man = aries_manifest("pre_loading", bills);
	json_object_set_new(json_object_get(man, "conveyance"), "voyage", json_string("066E"));
	json_decref(post(env, "/v1/manifests", "carrier", man, 201));
	static const char *const bill[2] = {"COSU6291836601", "COSU6291836602"};
	static const char *const box[2] = {"TRHU4077123", "TRHU4077139"};
	char number[2][19], path[96], body[512];
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "/v1/gate/containers/%s/events", box[i]);
		json_decref(test_expect(env, "POST", path, "terminal", "{\"event\":\"gated_in\"}",
					201));
		json_t *d = laptops(bill[i], box[i]);
		json_object_set_new(json_object_get(d, "conveyance"), "voyage",
				    json_string("066E"));
		json_object_set_new(d, "direction", json_string("export"));
		json_object_del(d, "departure_country");
		json_object_del(d, "entry_port");
		json_object_set_new(d, "destination_country", json_string("US"));
		json_object_set_new(d, "exit_port", json_string("CNNSA"));
		json_t *r = lodge(env, d, 201);
		str_copy(number[i], str(r, "number"), sizeof number[i]);
		json_decref(r);
		json_decref(d);
		decide(env, number[i], "customs", "cleared");
	}
	/* only the first container goes on board */
	json_decref(test_expect(env, "POST", "/v1/gate/containers/TRHU4077123/events", "terminal",
				"{\"event\":\"loaded\"}", 201));
	/* the vessel leaves */
	json_t *dep = test_json(vessel_departure);
	json_object_set_new(json_object_get(dep, "vessel"), "voyage", json_string("066E"));
	json_t *r = post(env, "/v1/conveyance-reports", "carrier", dep, 201);
	json_int_t id = num(r, "id");
	json_decref(r);
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "/v1/conveyance-reports/%lld/tasks/%s/decision",
			 (long long)id, vessel_agencies[i]);
		json_decref(test_expect(env, "POST", path, vessel_agencies[i],
					"{\"decision\":\"cleared\",\"reason\":\"ok\"}", 200));
	}
	snprintf(path, sizeof path, "/v1/conveyance-reports/%lld/departure", (long long)id);
	json_decref(test_expect(env, "POST", path, "carrier", "{\"at\":\"2026-11-23T08:00:00Z\"}",
				200));
	int64_t applications = test_count(env, "refund_applications");
	/* the one left on the quay: refused, naming its container */
	snprintf(body, sizeof body,
		 "{\"declaration_number\":\"%s\",\"items\":[{\"hs_code\":\"8471300000\","
		 "\"quantity\":\"1\",\"fob_value_cny\":\"1.00\"}]}",
		 number[1]);
	r = test_expect(env, "POST", "/v1/refunds", "trader", body, 409);
	assert_int_equal(json_array_size(json_object_get(r, "errors")), 1);
	assert_true(test_has_error(r, "/declaration_number",
				   "has not left: container TRHU4077139 was not recorded as loaded "
				   "before its vessel departed"));
	json_decref(r);
	assert_int_equal(test_count(env, "refund_applications"), applications);
	/* the one on board: applied for (its figures are not what is checked here) */
	snprintf(body, sizeof body,
		 "{\"declaration_number\":\"%s\",\"items\":[{\"hs_code\":\"8471300000\","
		 "\"quantity\":\"1\",\"fob_value_cny\":\"1.00\"}]}",
		 number[0]);
	json_decref(test_expect(env, "POST", "/v1/refunds", "trader", body, 201));
	assert_int_equal(test_count(env, "refund_applications"), applications + 1);
	json_decref(dep);
	json_decref(man);
}

/* --- a call closes with the departure --- */

static void nothing_changes_after_departure(void **state)
{
	struct test_env *env = *state;
	char l[1024], bills[2048], path[128];
	line(l, sizeof l, "COSU6291830901", 10, "100.000", "TGHU6000010");
	snprintf(bills, sizeof bills, "[%s]", l);
	json_t *man = aries_manifest("original", bills);
	json_object_set_new(json_object_get(man, "conveyance"), "voyage", json_string("060E"));
	json_t *r = post(env, "/v1/manifests", "carrier", man, 201);
	snprintf(path, sizeof path, "/v1/manifests/%lld", (long long)num(r, "id"));
	json_decref(r);
	/* the departure report, cleared, and the departure recorded */
	json_t *dep = test_json(vessel_departure);
	json_object_set_new(json_object_get(dep, "vessel"), "voyage", json_string("060E"));
	r = post(env, "/v1/conveyance-reports", "carrier", dep, 201);
	json_int_t id = num(r, "id");
	json_decref(r);
	char rpath[128];
	snprintf(rpath, sizeof rpath, "/v1/conveyance-reports/%lld/departure", (long long)id);
	r = test_expect(env, "POST", rpath, "carrier", NULL, 409);
	assert_non_null(strstr(str(r, "detail"), "departure permission has not been granted"));
	json_decref(r);
	for (size_t i = 0; i < 4; i++) {
		char dpath[128];
		snprintf(dpath, sizeof dpath, "/v1/conveyance-reports/%lld/tasks/%s/decision",
			 (long long)id, vessel_agencies[i]);
		json_decref(test_expect(env, "POST", dpath, vessel_agencies[i],
					"{\"decision\":\"cleared\",\"reason\":\"ok\"}", 200));
	}
	r = test_expect(env, "POST", rpath, "carrier", "{\"at\":\"2026-11-23T08:00:00Z\"}", 200);
	assert_string_equal(str(json_object_get(r, "call_state"), "departed_at"),
			    "2026-11-23T08:00:00.000000Z");
	json_decref(r);
	/* the manifest is closed */
	json_object_set_new(json_array_get(json_object_get(man, "bills"), 0), "packages",
			    json_integer(11));
	r = send(env, "PUT", path, "carrier", man, 409);
	assert_true(test_has_error(r, "", NULL) || test_has_error(r, "/kind", NULL));
	assert_non_null(strstr(str(r, "detail"), "departed"));
	json_decref(r);
	json_decref(dep);
	json_decref(man);
}

/* --- who sees what --- */

/* Rows of one text argument's manifest bill: its containers, and its
 * line (position in /bills). */
static const struct sql_query Q_MANY_BILLS = {
	"SELECT COUNT(*) FROM manifest_bills WHERE bill_of_lading LIKE 'KTMB%'"};
static const struct sql_query Q_BILL_CONTAINERS = {
	"SELECT COUNT(*) FROM manifest_containers WHERE bill_of_lading = ?"};
static const struct sql_query Q_BILL_LINE = {
	"SELECT line FROM manifest_bills WHERE bill_of_lading = ?"};
static const struct sql_query Q_CONTAINER_BILL = {
	"SELECT COUNT(*) FROM manifest_containers WHERE container || '/' || bill_of_lading = ?"};

#define MANY_BILLS 13

/* Bill i of the many: 1 + i % 3 containers, KTMU numbered from k. */
static json_t *many_bill(int i, unsigned *k)
{
	char bill[24];
	snprintf(bill, sizeof bill, "KTMB%010d", i);
	json_t *containers = json_array();
	for (int c = 0; c < 1 + i % 3; c++) {
		char number[12];
		snprintf(number, sizeof number, "KTMU%06u", (*k)++);
		number[10] = (char)('0' + codes_container_check_digit(number));
		number[11] = '\0';
		json_array_append_new(containers, json_pack("{s:s, s:[s]}", "number", number,
							    "seals", "S1"));
	}
	return json_pack("{s:s, s:{s:s}, s:{s:s}, s:s, s:i, s:s, s:s, s:o}", "bill_of_lading",
			 bill, "consignor", "name", "Shipper", "consignee", "name", "Consignee",
			 "goods_description", "General cargo", "packages", 10 + i, "package_kind",
			 "CT", "gross_weight_kg", "1000.500", "containers", containers);
}

/* Each bill has its containers, and its line. */
static void many_bills_stored(struct test_env *env, const json_t *man)
{
	const json_t *b;
	size_t i;
	json_array_foreach(json_object_get(man, "bills"), i, b) {
		const char *bill = str(b, "bill_of_lading");
		const json_t *cs = json_object_get(b, "containers");
		assert_int_equal(count(env, &Q_BILL_CONTAINERS, bill), json_array_size(cs));
		assert_int_equal(count(env, &Q_BILL_LINE, bill), i);
		const json_t *c;
		size_t k;
		json_array_foreach(cs, k, c) {
			char key[64];
			snprintf(key, sizeof key, "%s/%s", str(c, "number"), bill);
			assert_int_equal(count(env, &Q_CONTAINER_BILL, key), 1);
		}
	}
}

/* A manifest of 13 bills and 25 containers (more than one statement of
 * each holds) is stored whole, each container with its bill; its
 * amendment, without the last bill and with one more container on the
 * first, replaces them all. */
static void a_manifest_of_many_lines_is_stored_whole(void **state)
{
	struct test_env *env = *state;
	json_t *man = aries_manifest("original", "[]");
	json_object_set_new(json_object_get(man, "conveyance"), "voyage", json_string("077E"));
	json_t *bills = json_object_get(man, "bills");
	unsigned k = 1;
	for (int i = 0; i < MANY_BILLS; i++)
		json_array_append_new(bills, many_bill(i, &k));
	json_t *r = post(env, "/v1/manifests", "carrier", man, 201);
	json_int_t id = num(r, "id");
	json_decref(r);
	assert_int_equal(count(env, &Q_MANY_BILLS, NULL), MANY_BILLS);
	many_bills_stored(env, man);
	/* amended: the last bill gone, one more container on the first */
	json_array_remove(bills, MANY_BILLS - 1);
	json_t *more = many_bill(0, &k);
	json_array_append(json_object_get(json_array_get(bills, 0), "containers"),
			  json_array_get(json_object_get(more, "containers"), 0));
	json_decref(more);
	char path[64];
	snprintf(path, sizeof path, "/v1/manifests/%lld", (long long)id);
	json_decref(send(env, "PUT", path, "carrier", man, 200));
	assert_int_equal(count(env, &Q_MANY_BILLS, NULL), MANY_BILLS - 1);
	assert_int_equal(count(env, &Q_BILL_CONTAINERS, "KTMB0000000012"), 0);
	many_bills_stored(env, man);
	json_decref(man);
}

static void feeds_keep_calls_and_declarations_apart(void **state)
{
	struct test_env *env = *state;
	json_t *f = test_expect(env, "GET", "/v1/events?after=0&limit=1000", "carrier", NULL, 200);
	size_t i, calls = 0;
	json_t *e;
	json_array_foreach(json_object_get(f, "events"), i, e)
	{
		assert_true(json_is_null(json_object_get(e, "declaration_number")));
		calls++;
	}
	assert_true(calls > 0);
	json_decref(f);
	f = test_expect(env, "GET", "/v1/events?after=0&limit=1000", "airline", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(f, "events")), 0);
	json_decref(f);
	f = test_expect(env, "GET", "/v1/events?after=0&limit=1000", "trader", NULL, 200);
	json_array_foreach(json_object_get(f, "events"), i, e)
		assert_true(json_is_string(json_object_get(e, "declaration_number")));
	json_decref(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vessel_call_is_cleared_in_parallel_and_signed),
		cmocka_unit_test(advance_declaration_waits_for_its_manifest_line),
		cmocka_unit_test(lodging_against_a_line_that_differs_is_refused),
		cmocka_unit_test(one_consignment_one_release),
		cmocka_unit_test(a_split_bill_is_declared_in_parts_that_add_up),
		cmocka_unit_test(two_lodgings_of_one_bill_at_once_make_one_claim),
		cmocka_unit_test(tally_report_lists_its_differences),
		cmocka_unit_test(the_gate_lets_out_only_what_is_cleared),
		cmocka_unit_test(the_gate_follows_the_declaration_that_took_a_freed_bill),
		cmocka_unit_test(direct_pickup_goes_from_the_ship_side),
		cmocka_unit_test(an_export_goes_in_and_is_loaded),
		cmocka_unit_test(an_export_refund_needs_its_containers_on_board),
		cmocka_unit_test(nothing_changes_after_departure),
		cmocka_unit_test(a_manifest_of_many_lines_is_stored_whole),
		cmocka_unit_test(feeds_keep_calls_and_declarations_apart),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
