/*
 * test_assessment_storage.c - an assessment of duties kept as its basis
 * (assessment_basis.h), on a real store (SQLite, or PostgreSQL with
 * KOUAN_TEST_STORE): the stored row holds the tariff versions, the rate
 * and the amounts, not the explanation; the explanation computed again
 * from them is byte for byte the one computed at assessment time, also
 * after a tariff amendment dated before the declaration was loaded (which
 * a fresh computation would use); a basis whose amounts were changed, or
 * that names a version kouan does not hold, is never shown.
 */
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "service/clearance.h"
#include "service/duties.h"
#include "service/taxes.h"
#include "store/repo_money.h"

/* What a unit of work reads or does to one declaration's assessment. */
struct job {
	const char *number;
	const struct sql_query *change; /* run first, with the number; rolled back */
	struct duty_assessment_row stored;
	char *detail; /* the explanation shown (owned) */
	kerr shown;   /* what showing it returned */
};

static kerr show(struct uow *u, void *arg)
{
	struct job *j = arg;
	struct declaration d;
	struct duties_state s;
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	if (!e && j->change)
		e = store_exec(c, j->change, "s", j->number);
	if (!e)
		e = repo_duty_assessment_get(c, j->number, 1, &j->stored);
	if (e == KERR_NOT_FOUND)
		e = KERR_OK; /* removed by the change: computed, not stored */
	if (!e)
		e = clearance_load(u, &actor_kouan, j->number, false, &d);
	if (e)
		return e;
	e = duties_state_load(u, &d, false, &s);
	if (!e)
		j->shown = duties_explain(u, &d, &s.assessment);
	if (!e && !j->shown)
		j->detail = strdup(s.assessment.detail);
	duties_state_free(&s);
	declaration_free(&d);
	/* a change is never kept */
	return e ? e : j->change ? KERR_CONFLICT : KERR_OK;
}

static const struct sql_query Q_FORGET = {
	"DELETE FROM duty_assessments WHERE declaration_number = ?"};
static const struct sql_query Q_MORE_VAT = {
	"UPDATE duty_assessments SET vat = vat + 1 WHERE declaration_number = ?"};
static const struct sql_query Q_UNKNOWN_VERSION = {
	"UPDATE duty_assessments SET tariff_versions = 'CN-2099'"
	" WHERE declaration_number = ?"};
static const struct sql_query Q_BAD_BASIS = {
	"UPDATE duty_assessments SET tariff_versions = 'CN-2026  CN-2026'"
	" WHERE declaration_number = ?"};

/* The explanation shown for `number` (the stored row in *stored, may be
 * NULL), after `change` when not NULL. */
static char *shown(struct test_env *env, const char *number, const struct sql_query *change,
		   struct duty_assessment_row *stored, kerr *how)
{
	struct job j = {.number = number, .change = change};
	kerr e = uow_run(&env->app.svc, change == NULL, show, &j);
	assert_int_equal(e, change ? KERR_CONFLICT : KERR_OK);
	*how = j.shown;
	if (stored)
		*stored = j.stored;
	else
		duty_assessment_row_free(&j.stored);
	return j.detail;
}

static kerr load_amendment(struct uow *u, void *arg)
{
	(void)arg;
	struct money_loaded l;
	size_t reassessed = 0;
	struct refusal why;
	struct actor admin = {.role = ROLE_ADMIN, .username = "admin"};
	/* apples at 30 % from 1 November, loaded after the declaration of
	 * 23 November was assessed at CN-2026's 10 % */
	json_t *doc = test_json(
		"{'id': 'CN-2026-11T', 'effective_from': '2026-11-01', 'kind': 'amendment',"
		" 'lines': [{'code': '0808100000', 'description': 'Apples, fresh',"
		" 'mfn': {'percent': '30'}, 'vat_percent': '9', 'export_refund_percent': '0'}]}");
	refusal_init(&why, NULL);
	kerr e = taxes_load_tariff(u, &admin, doc, &l, &reassessed, &why);
	json_decref(doc);
	assert_int_equal(reassessed, 0);
	return e;
}

static void explained_as_assessed_whatever_the_tables(void **state)
{
	struct test_env *env = *state;
	struct duty_assessment_row row;
	char number[32];
	kerr how;
	json_t *decl = test_consignment();
	test_lodge(env, "trader", decl, number);
	json_decref(decl);

	/* kept as the basis: versions, rate, amounts; no explanation */
	char *rebuilt = shown(env, number, NULL, &row, &how);
	assert_int_equal(how, KERR_OK);
	assert_null(row.detail);
	assert_true(row.has_basis);
	assert_false(row.held);
	assert_string_equal(row.tariff_versions, "CN-2026");
	assert_string_equal(row.rate_month, "2026-11");
	assert_int_equal(row.cny_per_unit, 710230000); /* 7.1023 CNY per USD */
	assert_string_equal(row.certificates, "");
	/* apples 33,300.00 USD = 236,506.59 CNY at 10 %; notebooks at 0 % */
	assert_int_equal(row.duty, 2365066);
	assert_int_equal(row.consumption_tax, 0);
	/* 9 % of 260,157.25 = 23,414.15, and 13 % of 27,663.46 = 3,596.25 */
	assert_int_equal(row.vat, 2701040);
	assert_int_equal(row.total_due, row.duty + row.consumption_tax + row.vat);

	/* computed now, as at assessment time (the same tables): the same
	 * bytes */
	char *computed = shown(env, number, &Q_FORGET, NULL, &how);
	assert_int_equal(how, KERR_OK);
	assert_string_equal(rebuilt, computed);

	/* an amendment dated before the declaration: a fresh computation
	 * would take it, the stored assessment keeps CN-2026 */
	assert_int_equal(uow_run(&env->app.svc, true, load_amendment, NULL), KERR_OK);
	char *later = shown(env, number, NULL, NULL, &how);
	assert_int_equal(how, KERR_OK);
	assert_string_equal(later, computed);
	char *fresh = shown(env, number, &Q_FORGET, NULL, &how);
	assert_int_equal(how, KERR_OK);
	assert_string_not_equal(fresh, computed);
	assert_non_null(strstr(fresh, "\"version\":\"CN-2026-11T\""));
	assert_null(strstr(computed, "CN-2026-11T"));

	/* a basis that does not give its stored amounts, names a version
	 * not loaded, or cannot be read: never shown */
	assert_null(shown(env, number, &Q_MORE_VAT, NULL, &how));
	assert_int_equal(how, KERR_INTERNAL);
	assert_null(shown(env, number, &Q_UNKNOWN_VERSION, NULL, &how));
	assert_int_equal(how, KERR_INTERNAL);
	assert_null(shown(env, number, &Q_BAD_BASIS, NULL, &how));
	assert_int_equal(how, KERR_INTERNAL);

	duty_assessment_row_free(&row);
	free(rebuilt);
	free(computed);
	free(later);
	free(fresh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(explained_as_assessed_whatever_the_tables),
	};
	return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
