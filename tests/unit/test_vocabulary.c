/*
 * test_vocabulary.c - the typed vocabulary of the domain: event types with
 * their wire names and whether kouan takes the step by itself, and roles
 * with the agency each officer works for and the kinds of organisation
 * each may belong to. Expected values written out.
 */
#include <string.h>

#include "test_support.h"
#include "domain/events.h"
#include "domain/roles.h"

static void event_types(void **state)
{
	(void)state;
	/* every type, in order, with its system flag */
	static const struct {
		const char *name;
		bool system;
	} want[] = {
		{"declaration.lodged", false},          {"declaration.accepted", true},
		{"declaration.assessed", true},         {"declaration.corrected", false},
		{"declaration.returned", true},         {"declaration.rejected", true},
		{"declaration.release_held", true},     {"declaration.released", true},
		{"declaration.withdrawn", false},
		{"task.opened", true},                  {"task.reopened", true},
		{"task.closed", true},                  {"task.cleared", false},
		{"task.inspection_ordered", false},     {"task.returned", false},
		{"task.rejected", false},               {"inspection.opened", true},
		{"inspection.agency_joined", true},     {"inspection.agency_left", true},
		{"inspection.booked", false},           {"inspection.moved", false},
		{"inspection.cancelled", false},        {"inspection.finding_recorded", false},
		{"inspection.finding_recognised", false}, {"inspection.waived", false},
		{"inspection.completed", true},
		{"inspection.closed", true},
		{"duties.assessed", true},              {"duties.declared_differs", true},
		{"duties.paid", false},                 {"guarantee.drawn", true},
		{"guarantee.restored", true},           {"fee.charged", false},
		{"fee.waived", false},                  {"refund.applied", false},
		{"refund.approved", false},             {"refund.rejected", false},
		/* the transport side (docs/transport.md) */
		{"conveyance.reported", false},         {"conveyance.amended", false},
		{"conveyance.task_opened", true},       {"conveyance.task_reopened", true},
		{"conveyance.task_cleared", false},     {"conveyance.inspection_ordered", false},
		{"conveyance.task_returned", false},    {"conveyance.task_rejected", false},
		{"conveyance.entry_permitted", true},   {"conveyance.departure_permitted", true},
		{"conveyance.refused", true},           {"conveyance.arrived", false},
		{"conveyance.departed", false},         {"manifest.lodged", false},
		{"manifest.amended", false},            {"manifest.closed", false},
		{"tally.reported", false},              {"declaration.awaiting_manifest", true},
		{"declaration.matched", true},          {"declaration.mismatched", true},
		{"declaration.unmatched", true},        {"container.discharged", false},
		{"container.gated_in", false},          {"container.loaded", false},
		{"container.gated_out", false},         {"container.gate_refused", false},
		/* cross-border e-commerce (docs/cbec.md) */
		{"cbec.order.received", false},  {"cbec.payment.received", false},
		{"cbec.waybill.received", false},  {"cbec.inventory.received", false},
		{"cbec.document.withdrawn", false},  {"cbec.order.classified", true},
		{"cbec.matched", true},  {"cbec.mismatched", true},
		{"cbec.assessed", true},  {"cbec.refused", true},
		{"cbec.held", true},  {"cbec.agency_cleared", false},
		{"cbec.released", false},  {"cbec.gate_out", false},
		{"cbec.returned", false},  {"cbec.month.paid", false},
		/* rail and mail exports (docs/money.md) */
		{"declaration.departed", false},
		/* a payment awaits its bank's answer (docs/money.md) */
		{"duties.payment_reported", false},  {"duties.payment_refused", false},
		/* a platform's monthly payment awaits its bank's answer (docs/cbec.md) */
		{"cbec.month.payment_reported", false},
	};
	assert_int_equal(sizeof want / sizeof want[0], EVENT_TYPE_COUNT);
	for (int i = 0; i < EVENT_TYPE_COUNT; i++) {
		enum event_type t;
		assert_string_equal(event_type_name(i), want[i].name);
		assert_int_equal(event_type_is_system(i), want[i].system);
		assert_true(event_type_parse(want[i].name, &t));
		assert_int_equal(t, i);
	}
	enum event_type t;
	assert_false(event_type_parse("task.done", &t));
	assert_false(event_type_parse(NULL, &t));
	assert_string_equal(event_type_name(EVENT_TYPE_COUNT), "?");
	assert_false(event_type_is_system(EVENT_TYPE_COUNT));
}

static void roles(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		const char *agency;
	} want[] = {
		{"declarant", NULL}, {"customs", "customs"},   {"quarantine", "quarantine"},
		{"border", "border"}, {"maritime", "maritime"}, {"port_operator", NULL},
		{"analyst", NULL},   {"admin", NULL},      {"auditor", NULL},
		{"tax_office", NULL}, {"carrier", NULL}, {"cbec_platform", NULL},
		{"cbec_enterprise", NULL}, {"cbec_payment", NULL}, {"cbec_logistics", NULL},
		{"bank", NULL},
	};
	assert_int_equal(sizeof want / sizeof want[0], ROLE_COUNT);
	for (int i = 0; i < ROLE_COUNT; i++) {
		enum role r;
		assert_string_equal(role_name(i), want[i].name);
		assert_true(role_parse(want[i].name, &r));
		assert_int_equal(r, i);
		if (want[i].agency)
			assert_string_equal(role_agency(i), want[i].agency);
		else
			assert_null(role_agency(i));
		assert_non_null(strstr(role_names_text(), want[i].name));
	}
	enum role r;
	assert_false(role_parse("Customs", &r));
	assert_int_equal(ROLES_AGENCY, (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4));
}

static void roles_fit_organisation_kinds(void **state)
{
	(void)state;
	/* role by kind: trader broker agency port office carrier, then the
	 * e-commerce kinds: platform enterprise payment logistics */
	static const struct {
		const char *role;
		bool fits[11];
		const char *text;
	} want[] = {
		{"declarant",
		 {true, true, false, false, false, false, false, false, false, false, false},
		 "trader or broker"},
		{"customs",
		 {false, false, true, false, false, false, false, false, false, false, false},
		 "agency"},
		{"quarantine",
		 {false, false, true, false, false, false, false, false, false, false, false},
		 "agency"},
		{"border",
		 {false, false, true, false, false, false, false, false, false, false, false},
		 "agency"},
		{"maritime",
		 {false, false, true, false, false, false, false, false, false, false, false},
		 "agency"},
		{"port_operator",
		 {false, false, false, true, false, false, false, false, false, false, false},
		 "port"},
		{"analyst",
		 {false, false, false, false, true, false, false, false, false, false, false},
		 "office"},
		{"admin",
		 {false, false, false, false, true, false, false, false, false, false, false},
		 "office"},
		{"auditor",
		 {false, false, false, false, true, false, false, false, false, false, false},
		 "office"},
		{"tax_office",
		 {false, false, true, false, false, false, false, false, false, false, false},
		 "agency"},
		{"carrier",
		 {false, false, false, false, false, true, false, false, false, false, false},
		 "carrier"},
		{"cbec_platform",
		 {false, false, false, false, false, false, true, false, false, false, false},
		 "ecommerce_platform"},
		{"cbec_enterprise",
		 {false, false, false, false, false, false, false, true, false, false, false},
		 "ecommerce_enterprise"},
		{"cbec_payment",
		 {false, false, false, false, false, false, false, false, true, false, false},
		 "payment_company"},
		{"cbec_logistics",
		 {false, false, false, false, false, false, false, false, false, true, false},
		 "logistics_company"},
		{"bank",
		 {false, false, false, false, false, false, false, false, false, false, true},
		 "bank"},
	};
	static const char *const kinds[] = {"trader", "broker", "agency", "port", "office",
					    "carrier", "ecommerce_platform", "ecommerce_enterprise",
					    "payment_company", "logistics_company", "bank"};
	assert_int_equal(sizeof want / sizeof want[0], ROLE_COUNT);
	for (size_t i = 0; i < ROLE_COUNT; i++) {
		enum role r;
		assert_true(role_parse(want[i].role, &r));
		for (size_t k = 0; k < 11; k++) {
			if (role_fits_org_kind(r, kinds[k]) != want[i].fits[k])
				print_error("%s in %s\n", want[i].role, kinds[k]);
			assert_int_equal(role_fits_org_kind(r, kinds[k]), want[i].fits[k]);
		}
		assert_false(role_fits_org_kind(r, "trad"));
		assert_false(role_fits_org_kind(r, "trader|broker"));
		assert_false(role_fits_org_kind(r, ""));
		assert_false(role_fits_org_kind(r, NULL));
		assert_string_equal(role_org_kinds_text(r), want[i].text);
	}
	assert_false(role_fits_org_kind(ROLE_COUNT, "office"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(event_types),
		cmocka_unit_test(roles),
		cmocka_unit_test(roles_fit_organisation_kinds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
