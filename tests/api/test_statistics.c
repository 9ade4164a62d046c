/*
 * test_statistics.c - GET /v1/statistics/clearance through the router on a
 * small hand-made port day, every figure worked out by hand below, and the
 * same figures from SQL over the store; one declaration's stages; the
 * figures following new events; the dimensions of a declaration of two
 * chapters; the parameters refused one by one with the field they name;
 * who may ask; a page of the feed filed in a few statements; a vessel's
 * arrival filing again every declaration on its call.
 *
 * The day (the test clock is set before each step; times UTC, 2026-11-23):
 *   09:40  COSCO SHIPPING ARIES 046E arrives at Nansha (its arrival report,
 *          lodged at 09:45, carries the actual arrival; every agency clears
 *          the report)
 *   10:00  D1 lodged (its manifest line lodged just before, at 10:00)
 *   11:00  D2 lodged
 *   11:30  D3 lodged
 *   12:00  customs clears D1: released
 *   12:30  customs clears D3: released
 *   13:00  D4 lodged, 13:10 withdrawn
 *   14:00  customs clears D2: released
 *   16:00  D1's containers discharged and out of the gate
 * Customs reviews each (yellow lane); all are customs-only notebook
 * imports (chapter 84) at office 5167.
 *
 *   D1 arrival 09:40 to gate-out 16:00 (border): 22,800 s = manifest 1,200
 *      (09:40 to 10:00) + lodgement 0 + review 7,200 + released 0 + gate-out
 *      14,400
 *   D2 lodgement to release (no gate-out yet): 10,800 s (review 10,800)
 *   D3 the same: 3,600 s (review 3,600)
 * Released imports: 3 totals {3,600, 10,800, 22,800}: sum 37,200, mean
 * 12,400, median (rank 2) 10,800, p90 and p95 (rank 3) and max 22,800;
 * review: sum 21,600, median 7,200; the slowest stage is the review (21,600
 * s against gate-out's 14,400); within 3 h: 2 of 3 = 0.6667, within 40 h
 * (the default): 3. Lodged at 18:00, 19:00 and 19:30 at +08:00: hour 19
 * has two, median (rank 1 of {3,600, 10,800}) 3,600.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_support.h"
#include "common/clock.h"
#include "store/repo.h"
#include "store/store.h"
#include "domain/stats.h"
#include "service/statistics.h"

#define H(x) ((int64_t)(x) * 3600 * 1000000)
#define M(x) ((int64_t)(x) * 60 * 1000000)
#define DAY_US (TEST_EPOCH_US - 8 * H(1)) /* 2026-11-23T00:00:00Z */

static char d1[19], d2[19], d3[19], d4[19];

static void at(struct test_env *env, int64_t us)
{
	env->clock.fixed_us = DAY_US + us;
}

static void clear(struct test_env *env, const char *number)
{
	char path[96];
	snprintf(path, sizeof path, "/v1/declarations/%s/tasks/customs/decision", number);
	json_decref(test_expect(env, "POST", path, "customs",
				"{\"decision\":\"cleared\",\"reason\":\"documents in order\"}", 200));
}

static void lodge(struct test_env *env, char *out)
{
	json_t *d = test_consignment_customs_only();
	test_lodge(env, "trader", d, out);
	json_decref(d);
}

static void yard(struct test_env *env, const char *container, const char *event)
{
	char path[96], body[64];
	snprintf(path, sizeof path, "/v1/gate/containers/%s/events", container);
	snprintf(body, sizeof body, "{\"event\":\"%s\"}", event);
	json_decref(test_expect(env, "POST", path, "terminal", body, 201));
}

static const char arrival_report[] =
	"{'kind':'arrival','transport_mode':'2','carrier':'COSCO SHIPPING Lines',"
	"'vessel':{'imo':'9321378','name':'COSCO SHIPPING ARIES','call_sign':'VRBK7',"
	"'flag':'HK','voyage':'046E'},'port':'CNNSA','port_office':'5167','berth':'NS-P2-07',"
	"'last_port':'USLAX','next_port':'CNYTN','expected_arrival':'2026-11-23T09:00:00Z',"
	"'actual_arrival':'2026-11-23T09:40:00Z','expected_departure':'2026-11-24T18:00:00Z',"
	"'crew':24,'passengers':0}";

static int setup(void **state)
{
	struct test_env *env = test_env_new();
	*state = env;
	test_profile(env, "5167", "customs", "0", "yellow");
	at(env, H(9) + M(45));
	json_t *report = test_json(arrival_report);
	char *text = json_dumps(report, JSON_COMPACT);
	struct loopback_result r;
	if (test_call(env, "POST", "/v1/conveyance-reports", "carrier", text,
		      "statistics-arrival", &r) != 201)
		print_error("arrival report: %s\n", r.text);
	assert_int_equal(r.status, 201);
	json_int_t id = json_integer_value(json_object_get(r.json, "id"));
	loopback_result_free(&r);
	free(text);
	json_decref(report);
	static const char *const agencies[] = {"border", "maritime", "customs", "quarantine"};
	for (size_t i = 0; i < 4; i++) {
		char path[96];
		snprintf(path, sizeof path, "/v1/conveyance-reports/%lld/tasks/%s/decision",
			 (long long)id, agencies[i]);
		json_decref(test_expect(env, "POST", path, agencies[i],
					"{\"decision\":\"cleared\",\"reason\":\"papers in order\"}",
					200));
	}
	at(env, H(10));
	lodge(env, d1);
	at(env, H(11));
	lodge(env, d2);
	at(env, H(11) + M(30));
	lodge(env, d3);
	at(env, H(12));
	clear(env, d1);
	at(env, H(12) + M(30));
	clear(env, d3);
	at(env, H(13));
	lodge(env, d4);
	at(env, H(13) + M(10));
	char path[96];
	snprintf(path, sizeof path, "/v1/declarations/%s/withdrawal", d4);
	json_decref(test_expect(env, "POST", path, "trader", "{\"reason\":\"sold afloat\"}", 200));
	at(env, H(14));
	clear(env, d2);
	at(env, H(16));
	snprintf(path, sizeof path, "/v1/declarations/%s", d1);
	json_t *v = test_expect(env, "GET", path, "analyst", NULL, 200);
	json_t *containers = json_object_get(json_object_get(v, "declaration"), "containers");
	if (!containers)
		containers = json_object_get(v, "containers");
	assert_int_equal(json_array_size(containers), 2);
	for (size_t i = 0; i < 2; i++) {
		const char *c = json_string_value(json_array_get(containers, i));
		yard(env, c, "discharged");
		yard(env, c, "gated_out");
	}
	json_decref(v);
	return 0;
}

static int teardown(void **state)
{
	test_env_free(*state);
	return 0;
}

static json_t *stats(struct test_env *env, const char *query)
{
	char path[512];
	snprintf(path, sizeof path, "/v1/statistics/clearance?%s", query);
	return test_expect(env, "GET", path, "analyst", NULL, 200);
}

static json_int_t num(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	if (!json_is_integer(v))
		print_error("%s is not an integer\n", k);
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static const json_t *stage_of(const json_t *dir, const char *name)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(dir, "stages"), i, s)
	{
		if (!strcmp(json_string_value(json_object_get(s, "stage")), name))
			return s;
	}
	fail_msg("no stage %s", name);
	return NULL;
}

static void figures_by_hand(void **state)
{
	struct test_env *env = *state;
	json_t *r = stats(env, "from=2026-11-23&to=2026-11-24&direction=import&target_import=3h,40h");
	assert_null(json_object_get(r, "export"));
	const json_t *imp = json_object_get(r, "import");
	assert_int_equal(num(imp, "declarations"), 3);
	const json_t *totals = json_object_get(imp, "totals");
	assert_int_equal(num(totals, "border"), 1);
	assert_int_equal(num(totals, "declaration"), 2);
	const json_t *total = json_object_get(imp, "total");
	assert_int_equal(num(total, "count"), 3);
	assert_int_equal(num(total, "sum_s"), 37200);
	assert_int_equal(num(total, "mean_s"), 12400);
	assert_int_equal(num(total, "median_s"), 10800);
	assert_int_equal(num(total, "p90_s"), 22800);
	assert_int_equal(num(total, "p95_s"), 22800);
	assert_int_equal(num(total, "max_s"), 22800);

	const json_t *review = stage_of(imp, "document_review");
	assert_int_equal(num(review, "count"), 3);
	assert_int_equal(num(review, "sum_s"), 21600);
	assert_int_equal(num(review, "median_s"), 7200);
	assert_int_equal(num(review, "max_s"), 10800);
	const json_t *manifest = stage_of(imp, "manifest");
	assert_int_equal(num(manifest, "count"), 1);
	assert_int_equal(num(manifest, "sum_s"), 1200);
	const json_t *gate = stage_of(imp, "gate_out");
	assert_int_equal(num(gate, "count"), 1);
	assert_int_equal(num(gate, "sum_s"), 14400);
	assert_int_equal(num(stage_of(imp, "lodgement"), "sum_s"), 0);
	assert_int_equal(num(stage_of(imp, "released"), "sum_s"), 0);
	assert_int_equal(num(stage_of(imp, "inspected"), "count"), 0);
	assert_string_equal(json_string_value(json_object_get(imp, "slowest_stage")),
			    "document_review");

	const json_t *targets = json_object_get(imp, "targets");
	assert_int_equal(json_array_size(targets), 2);
	assert_int_equal(num(json_array_get(targets, 0), "target_s"), 10800);
	assert_int_equal(num(json_array_get(targets, 0), "within"), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(targets, 0), "share")),
			    "0.6667");
	assert_int_equal(num(json_array_get(targets, 1), "within"), 3);

	const json_t *h19 = json_array_get(json_object_get(imp, "hour_of_day"), 19);
	assert_int_equal(num(h19, "hour"), 19);
	assert_int_equal(num(h19, "count"), 2);
	assert_int_equal(num(h19, "median_s"), 3600);
	assert_int_equal(num(json_array_get(json_object_get(imp, "hour_of_day"), 18), "count"), 1);
	json_decref(r);

	/* the withdrawn one, on its own */
	r = stats(env, "direction=import&outcome=withdrawn");
	imp = json_object_get(r, "import");
	assert_int_equal(num(imp, "declarations"), 1);
	assert_int_equal(num(json_object_get(imp, "total"), "count"), 0);
	json_decref(r);

	/* the dimensions select: lane, chapter, office, port, mode, trade mode */
	r = stats(env, "direction=import&lane=yellow&chapter=84&office=5167&port=CNNSA"
		       "&transport_mode=2&trade_mode=0110");
	assert_int_equal(num(json_object_get(r, "import"), "declarations"), 3);
	json_decref(r);
	r = stats(env, "direction=import&lane=red");
	assert_int_equal(num(json_object_get(r, "import"), "declarations"), 0);
	json_decref(r);
	r = stats(env, "direction=import&chapter=08");
	assert_int_equal(num(json_object_get(r, "import"), "declarations"), 0);
	json_decref(r);
	/* border totals only: D1 */
	r = stats(env, "direction=import&total=border&outliers=0");
	assert_int_equal(num(json_object_get(json_object_get(r, "import"), "total"), "median_s"),
			 22800);
	json_decref(r);
	/* a period before the day holds nothing */
	r = stats(env, "from=2026-11-01&to=2026-11-23&direction=import");
	assert_int_equal(num(json_object_get(r, "import"), "declarations"), 0);
	json_decref(r);
}

static void csv_tables(void **state)
{
	struct test_env *env = *state;
	struct loopback_result r;
	assert_int_equal(test_call(env, "GET",
				   "/v1/statistics/clearance?direction=import&format=csv",
				   "admin", NULL, NULL, &r),
			 200);
	assert_non_null(strstr(r.text, "direction,stage,party,count,sum_s,mean_s,median_s,"
					"p90_s,p95_s,max_s\r\n"));
	assert_non_null(strstr(r.text, "import,document_review,agency,3,21600,7200,7200,"
					"10800,10800,10800\r\n"));
	assert_non_null(strstr(r.text, "import,total,,3,37200,12400,10800,22800,22800,22800\r\n"));
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET",
				   "/v1/statistics/clearance?direction=import&format=csv"
				   "&table=targets&target_import=3h",
				   "admin", NULL, NULL, &r),
			 200);
	assert_string_equal(r.text, "direction,target_s,count,within,share\r\n"
				    "import,10800,3,2,0.6667\r\n");
	loopback_result_free(&r);
}

/* The same figures from SQL over the store: per released import lodged that
 * day, arrival (its call's) to its last container out when both are known,
 * else lodgement to release, each time cut to whole seconds; then count,
 * sum, maximum, and the median and p90 by nearest rank. The events are
 * those the store reads back, put in a table of their own (timeline): a
 * row of the event log may hold several, packed where SQL cannot see them
 * (migration 0023). They keep their time as microseconds (EV_SECS), their
 * type as a code that event_types names and their declaration number as
 * its value (NUMBER_TEXT shows its 18 digits again; the claims on bills
 * keep it the same way); calls keep times as RFC 3339 text (SECS). */
#define NUMBER_TEXT "substr(CAST(1000000000000000000 + declaration_number AS TEXT), 2)"
#define TOTALS_SQL(SECS)                                                          \
	"WITH t AS (SELECT " NUMBER_TEXT " AS n,"                                   \
	" MIN(CASE WHEN y.name = 'declaration.lodged' THEN at END) AS lodged,"     \
	" MIN(CASE WHEN y.name = 'declaration.released' THEN at END) AS released," \
	" MAX(CASE WHEN y.name = 'container.gated_out' THEN at END) AS gone"       \
	" FROM timeline JOIN event_types y ON y.code = timeline.type"              \
	" WHERE substr(" NUMBER_TEXT ", 9, 1) = '1'"                                \
	" GROUP BY declaration_number),"                                            \
	" s AS (SELECT CASE WHEN c.arrived_at IS NOT NULL AND t.gone IS NOT NULL"  \
	" THEN " EV_SECS("t.gone") " - " SECS("c.arrived_at")                      \
	" ELSE " EV_SECS("t.released") " - " EV_SECS("t.lodged") " END AS total"   \
	" FROM t LEFT JOIN declaration_transport d"                                \
	" ON d.declaration_number = CAST(t.n AS BIGINT)"                           \
	" LEFT JOIN transport_calls c ON c.call_key = d.call_key"                  \
	" WHERE t.released IS NOT NULL AND t.lodged >= ? AND t.lodged < ?)"        \
	" SELECT COUNT(*), CAST(SUM(total) AS BIGINT), MAX(total),"                \
	" (SELECT total FROM s ORDER BY total LIMIT 1"                             \
	"  OFFSET (SELECT (COUNT(*) * 50 + 99) / 100 - 1 FROM s)),"                \
	" (SELECT total FROM s ORDER BY total LIMIT 1"                             \
	"  OFFSET (SELECT (COUNT(*) * 90 + 99) / 100 - 1 FROM s)) FROM s"
#define EV_SECS(x) "(" x " / 1000000)"
#define SECS_SQLITE(x) "CAST(strftime('%s', substr(" x ", 1, 19)) AS INTEGER)"
#define SECS_PG(x) "CAST(EXTRACT(EPOCH FROM CAST(substr(" x ", 1, 19) AS timestamp)) AS BIGINT)"
static const struct sql_query Q_TOTALS_SQLITE = {TOTALS_SQL(SECS_SQLITE)};
static const struct sql_query Q_TOTALS_PG = {TOTALS_SQL(SECS_PG)};

static const struct sql_query Q_TIMELINE_MAKE = {
	"CREATE TEMP TABLE timeline (declaration_number BIGINT, type INTEGER, at BIGINT)"};
static const struct sql_query Q_TIMELINE_ADD = {
	"INSERT INTO timeline VALUES (CAST(? AS BIGINT), ?, ?)"};
static const struct sql_query Q_TIMELINE_DROP = {"DROP TABLE timeline"};

/* A declaration's event, into the timeline table (a call's own: not). */
static kerr timeline_add(void *arg, const struct event_row *e)
{
	enum event_type type;
	int64_t at;
	if (!*e->number)
		return KERR_OK;
	if (!event_type_parse(e->type, &type) || !ktime_parse(e->at, &at))
		return KERR_STORE;
	return store_exec(arg, &Q_TIMELINE_ADD, "sii", e->number, event_type_code(type), at);
}

static void same_figures_from_sql(void **state)
{
	struct test_env *env = *state;
	struct store_conn *c;
	assert_int_equal(store_thread_conn(env->store, &c), KERR_OK);
	const struct feed_view all = {.calls = true};
	assert_int_equal(store_begin(c, true), KERR_OK);
	assert_int_equal(store_exec(c, &Q_TIMELINE_MAKE, ""), KERR_OK);
	assert_int_equal(repo_events_feed(c, 0, 100000, &all, timeline_add, c), KERR_OK);
	int64_t from, to;
	assert_true(ktime_parse("2026-11-23T00:00:00Z", &from));
	assert_true(ktime_parse("2026-11-24T00:00:00Z", &to));
	struct store_stmt *st = store_query(c, env->pgname[0] ? &Q_TOTALS_PG : &Q_TOTALS_SQLITE,
					    "ii", from, to);
	assert_non_null(st);
	assert_int_equal(stmt_step(st), STORE_ROW);
	int64_t sql[5];
	for (int i = 0; i < 5; i++)
		sql[i] = stmt_int(st, i);
	stmt_done(st);
	assert_int_equal(store_exec(c, &Q_TIMELINE_DROP, ""), KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);
	json_t *r = stats(env, "from=2026-11-23&to=2026-11-24&direction=import&tz=Z");
	const json_t *total = json_object_get(json_object_get(r, "import"), "total");
	assert_int_equal(sql[0], num(total, "count"));
	assert_int_equal(sql[1], num(total, "sum_s"));
	assert_int_equal(sql[2], num(total, "max_s"));
	assert_int_equal(sql[3], num(total, "median_s"));
	assert_int_equal(sql[4], num(total, "p90_s"));
	/* and they are the day's figures worked out by hand */
	assert_int_equal(sql[0], 3);
	assert_int_equal(sql[1], 37200);
	assert_int_equal(sql[3], 10800);
	json_decref(r);
}

/* One declaration's stages, to whoever may read its timeline. */
static void one_declaration(void **state)
{
	struct test_env *env = *state;
	char path[96];
	snprintf(path, sizeof path, "/v1/declarations/%s/clearance-time", d1);
	json_t *r = test_expect(env, "GET", path, "trader", NULL, 200);
	assert_string_equal(json_string_value(json_object_get(r, "number")), d1);
	assert_string_equal(json_string_value(json_object_get(r, "total_kind")), "border");
	assert_int_equal(num(r, "total_s"), 22800);
	assert_string_equal(json_string_value(json_object_get(r, "start_at")),
			    "2026-11-23T09:40:00.000000Z");
	const json_t *parties = json_object_get(r, "parties");
	assert_int_equal(num(parties, "trader"), 1200);
	assert_int_equal(num(parties, "agency"), 7200);
	assert_int_equal(num(parties, "terminal"), 14400);
	json_decref(r);
	json_decref(test_expect(env, "GET", path, "customs", NULL, 200));
	json_decref(test_expect(env, "GET", path, "analyst", NULL, 200));
	/* quarantine has no task on it: as if it did not exist */
	json_decref(test_expect(env, "GET", path, "quarantine", NULL, 404));
	json_decref(test_expect(env, "GET", path, "terminal", NULL, 403));
	json_decref(test_expect(env, "GET", "/v1/declarations/516720261000999999/clearance-time",
				"analyst", NULL, 404));
	/* withdrawn: its stages so far, no total */
	snprintf(path, sizeof path, "/v1/declarations/%s/clearance-time", d4);
	r = test_expect(env, "GET", path, "trader", NULL, 200);
	assert_string_equal(json_string_value(json_object_get(r, "outcome")), "withdrawn");
	assert_true(json_is_null(json_object_get(r, "total_s")) ||
		    !json_object_get(r, "total_s"));
	json_decref(r);
}

/* The figures follow new events: D2's containers leave at 17:00, so its
 * total becomes arrival (09:40) to 17:00, 26,400 s. */
static void kept_current(void **state)
{
	struct test_env *env = *state;
	char path[96];
	snprintf(path, sizeof path, "/v1/declarations/%s", d2);
	json_t *v = test_expect(env, "GET", path, "analyst", NULL, 200);
	json_t *containers = json_object_get(json_object_get(v, "declaration"), "containers");
	if (!containers)
		containers = json_object_get(v, "containers");
	at(env, H(17));
	for (size_t i = 0; i < json_array_size(containers); i++) {
		const char *c = json_string_value(json_array_get(containers, i));
		yard(env, c, "discharged");
		yard(env, c, "gated_out");
	}
	json_decref(v);
	json_t *r = stats(env, "direction=import&total=border");
	const json_t *total = json_object_get(json_object_get(r, "import"), "total");
	assert_int_equal(num(total, "count"), 2);
	assert_int_equal(num(total, "sum_s"), 22800 + 26400);
	assert_int_equal(num(total, "max_s"), 26400);
	json_decref(r);
	(void)d3;
}

/* A declaration of apples (33,300 USD) and notebooks (3,895 USD) is filed
 * under the apples' chapter, 08, and under its consignee's credit class;
 * still under review, it counts only among those in progress. */
static void dimensions_of_a_mixed_declaration(void **state)
{
	struct test_env *env = *state;
	at(env, H(18));
	char number[19];
	json_t *d = test_consignment();
	test_lodge(env, "trader", d, number);
	json_decref(d);
	json_t *r = stats(env, "direction=import&outcome=in_progress&chapter=08");
	assert_int_equal(num(json_object_get(r, "import"), "declarations"), 1);
	json_decref(r);
	r = stats(env, "direction=import&outcome=in_progress&chapter=84");
	assert_int_equal(num(json_object_get(r, "import"), "declarations"), 0);
	json_decref(r);
	r = stats(env, "direction=import&chapter=08");
	assert_int_equal(num(json_object_get(r, "import"), "declarations"), 0);
	json_decref(r);
	json_t *credit = test_expect(env, "GET", "/v1/organisations/91440101MA59TRAD00/credit",
				     "analyst", NULL, 200);
	const char *cls = json_string_value(json_object_get(credit, "credit_class"));
	assert_non_null(cls);
	char query[160];
	snprintf(query, sizeof query, "direction=import&outcome=in_progress&credit_class=%s", cls);
	r = stats(env, query);
	assert_int_equal(num(json_object_get(r, "import"), "declarations"), 1);
	json_decref(r);
	snprintf(query, sizeof query, "direction=import&outcome=in_progress&credit_class=%s",
		 strcmp(cls, "discredited") ? "discredited" : "advanced");
	r = stats(env, query);
	assert_int_equal(num(json_object_get(r, "import"), "declarations"), 0);
	json_decref(r);
	json_decref(credit);
}

static void expect_400(struct test_env *env, const char *query, const char *field,
		       const char *needle)
{
	char path[512];
	snprintf(path, sizeof path, "/v1/statistics/clearance?%s", query);
	json_t *r = test_expect(env, "GET", path, "analyst", NULL, 400);
	if (!test_has_error(r, field, needle)) {
		char *t = json_dumps(r, JSON_INDENT(1));
		print_error("%s: %s\n", query, t);
		free(t);
	}
	assert_true(test_has_error(r, field, needle));
	json_decref(r);
}

static void every_bad_parameter_named(void **state)
{
	struct test_env *env = *state;
	expect_400(env, "from=yesterday", "query:from", "must be a date");
	expect_400(env, "to=2026-13-01", "query:to", "must be a date");
	expect_400(env, "from=2026-11-24&to=2026-11-23", "query:to", "must not be before from");
	expect_400(env, "direction=inward", "query:direction", "must be import or export");
	expect_400(env, "outcome=cleared", "query:outcome", NULL);
	expect_400(env, "total=some", "query:total", NULL);
	expect_400(env, "flags=fast", "query:flags", "is not one of advance");
	expect_400(env, "lane=red%20lane", "query:lane", "each value must be a code");
	expect_400(env, "lane=purple", "query:lane", "\"purple\" is not one of green, blue");
	expect_400(env, "tz=%2B15:00", "query:tz", "at most 14:00");
	expect_400(env, "target_import=forty", "query:target_import", NULL);
	expect_400(env, "outliers=1000", "query:outliers", NULL);
	expect_400(env, "format=xml", "query:format", "must be json or csv");
	expect_400(env, "table=charts", "query:table", "must be stages, hours");
	expect_400(env, "period=2026-11", "query:period", "is not a parameter");
	/* codes that no reference list and no declaration have */
	expect_400(env, "office=51", "query:office",
		   "\"51\" is not a customs office of the reference data (GET "
		   "/v1/reference/customs_offices) nor one any declaration was filed under");
	expect_400(env, "office=5167,5168X", "query:office", "\"5168X\" is not a customs office");
	expect_400(env, "port=CNXXX", "query:port", "\"CNXXX\" is not a port");
	expect_400(env, "transport_mode=Q", "query:transport_mode", "\"Q\" is not a transport mode");
	expect_400(env, "trade_mode=0000", "query:trade_mode", "\"0000\" is not a trade mode");
	/* known ones select, whether or not a declaration has them */
	json_decref(test_expect(env, "GET", "/v1/statistics/clearance?office=5301&port=CNNSA"
				"&transport_mode=2&trade_mode=0110", "analyst", NULL, 200));
	/* several at once: each named */
	json_t *r = test_expect(env, "GET",
				"/v1/statistics/clearance?direction=x&format=y&office=%3B", "analyst",
				NULL, 400);
	assert_true(test_has_error(r, "query:direction", NULL));
	assert_true(test_has_error(r, "query:format", NULL));
	assert_true(test_has_error(r, "query:office", NULL));
	json_decref(r);
}

static void analysts_and_admins_only(void **state)
{
	struct test_env *env = *state;
	static const char *const refused[] = {"trader", "customs", "quarantine", "terminal",
					      "carrier", "auditor"};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
		json_decref(test_expect(env, "GET", "/v1/statistics/clearance", refused[i], NULL,
					403));
	json_decref(test_expect(env, "GET", "/v1/statistics/clearance", NULL, NULL, 401));
	json_decref(test_expect(env, "GET", "/v1/statistics/clearance", "admin", NULL, 200));
	/* the service says so too, whoever calls it */
	struct actor a;
	test_actor(env, "customs", &a);
	struct stats_query q;
	stats_query_init(&q);
	struct stats_result *res = malloc(sizeof *res);
	struct refusal why;
	refusal_init(&why, NULL);
	struct store_conn *c;
	assert_int_equal(store_thread_conn(env->store, &c), KERR_OK);
	struct uow u;
	uow_init(&u, &env->app.svc, c, false);
	assert_int_equal(statistics_clearance(&u, &a, &q, res, &why), KERR_FORBIDDEN);
	assert_non_null(strstr(why.detail, "analysts and admins"));
	uow_rollback(&u);
	free(res);
}

static kerr follow(struct uow *u, void *arg)
{
	(void)arg;
	return statistics_follow(u);
}

/* A page of the feed is filed in a few statements, not two a declaration:
 * the declarations one office lodged one after the other are read as one
 * range, their rows in one statement; their events, all in the page that
 * holds their lodging, are not read again (four round trips: five when
 * they were). The
 * follower thread is stopped, so that the catch-up on the test's own
 * connection files them all, and its round trips are counted there
 * (PostgreSQL; SQLite runs in the process). The last test: the figures
 * above are no longer followed by the thread. */
#define FILING_ROUND_TRIPS 4
static void a_page_of_the_feed_is_filed_in_a_few_statements(void **state)
{
	struct test_env *env = *state;
	statistics_follower_stop(&env->app.svc);
	assert_int_equal(uow_run(&env->app.svc, false, follow, NULL), KERR_OK);
	size_t before = statistics_count(&env->app.svc);
	json_t *r = stats(env, "direction=import&outcome=in_progress");
	json_int_t in_progress = num(json_object_get(r, "import"), "declarations");
	json_decref(r);
	char number[19];
	at(env, H(20));
	for (int i = 0; i < 20; i++)
		lodge(env, number);
	struct store_conn *c;
	assert_int_equal(store_thread_conn(env->store, &c), KERR_OK);
	int64_t trips = store_round_trips(c);
	assert_int_equal(uow_run(&env->app.svc, false, follow, NULL), KERR_OK);
	int64_t after = store_round_trips(c);
	assert_int_equal(statistics_count(&env->app.svc), before + 20);
	/* and filed as they are: under review, in progress */
	r = stats(env, "direction=import&outcome=in_progress");
	assert_int_equal(num(json_object_get(r, "import"), "declarations"), in_progress + 20);
	json_decref(r);
	if (trips < 0) {
		print_message("SQLite runs in the process: no round trips to count\n");
		return;
	}
	print_message("20 declarations filed in %lld round trips\n", (long long)(after - trips));
	assert_true(after - trips <= FILING_ROUND_TRIPS);
}

/* Five declarations lodged at 21:00 for voyage 047E (each with its
 * manifest line just before), before the vessel's arrival is known: the
 * import chain starts at arrival, so none has a manifest stage yet. Its
 * arrival report then gives 20:00: every declaration on the call is filed
 * again, read two claims at a time (three pages), and each gains a
 * manifest stage of 3,600 s (arrival 20:00 to manifest lodged 21:00). */
static void a_call_arrival_files_again_every_declaration_on_it(void **state)
{
	struct test_env *env = *state;
	statistics_set_call_page(2);
	at(env, H(21));
	for (int i = 0; i < 5; i++) {
		char number[19];
		json_t *d = test_consignment_customs_only();
		json_object_set_new(json_object_get(d, "conveyance"), "voyage",
				    json_string("047E"));
		test_lodge(env, "trader", d, number);
		json_decref(d);
	}
	json_t *r = stats(env, "direction=import&outcome=in_progress");
	const json_t *before = stage_of(json_object_get(r, "import"), "manifest");
	json_int_t count = num(before, "count"), sum = num(before, "sum_s");
	json_decref(r);
	at(env, H(21) + M(30));
	json_t *report = test_json(arrival_report);
	json_object_set_new(json_object_get(report, "vessel"), "voyage", json_string("047E"));
	json_object_set_new(report, "expected_arrival", json_string("2026-11-23T19:00:00Z"));
	json_object_set_new(report, "actual_arrival", json_string("2026-11-23T20:00:00Z"));
	json_object_set_new(report, "expected_departure", json_string("2026-11-25T18:00:00Z"));
	char *text = json_dumps(report, JSON_COMPACT);
	struct loopback_result res;
	assert_int_equal(test_call(env, "POST", "/v1/conveyance-reports", "carrier", text,
				   "statistics-arrival-047E", &res),
			 201);
	loopback_result_free(&res);
	free(text);
	json_decref(report);
	r = stats(env, "direction=import&outcome=in_progress");
	const json_t *after = stage_of(json_object_get(r, "import"), "manifest");
	assert_int_equal(num(after, "count"), count + 5);
	assert_int_equal(num(after, "sum_s"), sum + 5 * 3600);
	json_decref(r);
	statistics_set_call_page(0);
}

/* Declarations on two calls, lodged one after the other, are read as one
 * range, and the calls' milestones once a call: each is measured from its
 * own call's. At 22:00, one on voyage 046E (arrived 09:40, its manifest
 * lodged at 10:00: 1,200 s), one on 047E (arrived 20:00, manifest 21:00:
 * 3,600 s), one more on 046E: the manifest stage gains three, 6,000 s. */
static void declarations_on_two_calls_each_measured_from_its_own(void **state)
{
	struct test_env *env = *state;
	json_t *r = stats(env, "direction=import&outcome=in_progress");
	const json_t *before = stage_of(json_object_get(r, "import"), "manifest");
	json_int_t count = num(before, "count"), sum = num(before, "sum_s");
	json_decref(r);
	at(env, H(22));
	static const char *const voyages[] = {"046E", "047E", "046E"};
	char numbers[3][19];
	for (int i = 0; i < 3; i++) {
		json_t *d = test_consignment_customs_only();
		json_object_set_new(json_object_get(d, "conveyance"), "voyage",
				    json_string(voyages[i]));
		test_lodge(env, "trader", d, numbers[i]);
		json_decref(d);
	}
	/* one office's numbers, one after the other: one range */
	assert_int_equal(strtoll(numbers[2] + 9, NULL, 10), strtoll(numbers[0] + 9, NULL, 10) + 2);
	r = stats(env, "direction=import&outcome=in_progress");
	const json_t *after = stage_of(json_object_get(r, "import"), "manifest");
	assert_int_equal(num(after, "count"), count + 3);
	assert_int_equal(num(after, "sum_s"), sum + 1200 + 3600 + 1200);
	json_decref(r);
}

/* The follower fills an empty engine from every event a few pages to a
 * transaction (a page of three events here, so over dozens of them): it
 * ends with every declaration, and the same figures as the engine that
 * followed the feed as it came. */
static void a_fill_a_few_pages_at_a_time_gives_the_same_figures(void **state)
{
	struct test_env *env = *state;
	struct services *s = &env->app.svc;
	json_t *want = stats(env, "direction=import");
	size_t count = statistics_count(s);
	assert_true(count > 20);
	statistics_state_free(s);
	statistics_set_follow_page(3);
	assert_int_equal(statistics_state_init(s), KERR_OK);
	assert_int_equal(statistics_follower_start(s), KERR_OK);
	for (int i = 0; i < 400 && statistics_count(s) < count; i++)
		usleep(25 * 1000);
	assert_int_equal(statistics_count(s), count); /* the follower's own fill */
	json_t *got = stats(env, "direction=import");
	if (!json_equal(got, want)) {
		char *a = json_dumps(want, JSON_COMPACT), *b = json_dumps(got, JSON_COMPACT);
		print_error("followed as it came:\n%s\nfilled again:\n%s\n", a, b);
		free(a);
		free(b);
	}
	assert_true(json_equal(got, want));
	json_decref(got);
	json_decref(want);
	statistics_set_follow_page(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(figures_by_hand),
		cmocka_unit_test(csv_tables),
		cmocka_unit_test(every_bad_parameter_named),
		cmocka_unit_test(analysts_and_admins_only),
		cmocka_unit_test(same_figures_from_sql),
		cmocka_unit_test(one_declaration),
		cmocka_unit_test(kept_current),
		cmocka_unit_test(dimensions_of_a_mixed_declaration),
		cmocka_unit_test(a_page_of_the_feed_is_filed_in_a_few_statements),
		cmocka_unit_test(a_call_arrival_files_again_every_declaration_on_it),
		cmocka_unit_test(declarations_on_two_calls_each_measured_from_its_own),
		cmocka_unit_test(a_fill_a_few_pages_at_a_time_gives_the_same_figures),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
