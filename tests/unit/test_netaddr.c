/*
 * test_netaddr.c - addresses and networks as text: what parses, the
 * trusted-proxy lists (IPv4, IPv6, networks, IPv4 seen through a
 * dual-stack socket), what is refused with the item named, and canonical
 * forms for records.
 */
#include "test_support.h"
#include "common/netaddr.h"

static void lists_and_membership(void **state)
{
	(void)state;
	struct netaddr_list l;
	char bad[64];
	assert_true(netaddr_list_parse("127.0.0.1, ::1 ,10.20.0.0/16,fd00::/8", &l, bad,
				       sizeof bad));
	assert_int_equal(l.count, 4);
	static const struct {
		const char *addr;
		bool in;
	} cases[] = {
		{"127.0.0.1", true},        {"::ffff:127.0.0.1", true}, {"127.0.0.2", false},
		{"::1", true},              {"::2", false},             {"10.20.0.1", true},
		{"10.20.255.255", true},    {"10.21.0.1", false},       {"fd12:3456::9", true},
		{"fe80::1", false},         {"::ffff:10.20.3.4", true}, {"localhost", false},
		{"10.20.0.1:8080", false},  {"", false},                {"loopback", false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (netaddr_list_has(&l, cases[i].addr) != cases[i].in)
			print_error("%s: want %d\n", cases[i].addr, cases[i].in);
		assert_int_equal(netaddr_list_has(&l, cases[i].addr), cases[i].in);
	}
	assert_false(netaddr_list_has(&l, NULL));
	/* odd prefix lengths: /20 keeps 10.20.0.0 to 10.20.15.255 */
	assert_true(netaddr_list_parse("10.20.0.0/20", &l, bad, sizeof bad));
	assert_true(netaddr_list_has(&l, "10.20.15.255"));
	assert_false(netaddr_list_has(&l, "10.20.16.0"));
	assert_true(netaddr_list_parse("0.0.0.0/0", &l, bad, sizeof bad));
	assert_true(netaddr_list_has(&l, "198.51.100.1"));
	assert_false(netaddr_list_has(&l, "2001:db8::1"));
	assert_true(netaddr_list_parse("", &l, bad, sizeof bad));
	assert_int_equal(l.count, 0);
	assert_false(netaddr_list_has(&l, "127.0.0.1"));
}

static void refused_items_are_named(void **state)
{
	(void)state;
	struct netaddr_list l;
	char bad[64];
	static const struct {
		const char *text, *bad;
	} cases[] = {
		{"127.0.0.1,proxy.example", "proxy.example"},
		{"10.0.0.0/33", "10.0.0.0/33"},
		{"::1/129", "::1/129"},
		{"10.0.0.0/", "10.0.0.0/"},
		{"10.0.0.0/x", "10.0.0.0/x"},
		{"127.0.0.1,,::1", ""},
		{"256.1.1.1", "256.1.1.1"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_false(netaddr_list_parse(cases[i].text, &l, bad, sizeof bad));
		assert_string_equal(bad, cases[i].bad);
		assert_int_equal(l.count, 0);
	}
	assert_false(netaddr_list_parse("127.0.0.1,", &l, bad, sizeof bad));
}

static void canonical_text(void **state)
{
	(void)state;
	char out[NETADDR_TEXT_SIZE];
	assert_true(netaddr_canonical("::ffff:192.0.2.7", out));
	assert_string_equal(out, "192.0.2.7");
	assert_true(netaddr_canonical("2001:DB8:0:0::1", out));
	assert_string_equal(out, "2001:db8::1");
	assert_true(netaddr_canonical("203.0.113.9", out));
	assert_string_equal(out, "203.0.113.9");
	assert_false(netaddr_canonical("203.0.113.9:443", out));
	assert_string_equal(out, "");
	assert_false(netaddr_canonical("10.0.0.0/8", out));
	assert_false(netaddr_canonical(" 203.0.113.9", out));
	assert_false(netaddr_canonical("unknown", out));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lists_and_membership),
		cmocka_unit_test(refused_items_are_named),
		cmocka_unit_test(canonical_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
