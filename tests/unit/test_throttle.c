/*
 * test_throttle.c - the login policy against a table written by hand: the
 * waits after each failure for a user name and for an address, the lock at
 * the 20th failure and its end, counts that lapse after quiet periods, and
 * the whole-second Retry-After a refused attempt is told.
 */
#include "test_support.h"
#include "domain/throttle.h"

#define S 1000000LL
#define T0 TEST_EPOCH_US

static void waits_after_each_failure(void **state)
{
	(void)state;
	/* user name: 5 free, then 1, 2, 4, ... s, at most 900 s */
	static const int64_t user[][2] = {
		{0, 0},   {1, 0},   {4, 0},    {5, 1},    {6, 2},    {7, 4},
		{10, 32}, {14, 512}, {15, 900}, {19, 900}, {40, 900}, {1000, 900},
	};
	for (size_t i = 0; i < sizeof user / sizeof user[0]; i++)
		assert_int_equal(throttle_delay_s(THROTTLE_USER, user[i][0]), user[i][1]);
	/* address: 20 free, then the same doubling */
	static const int64_t addr[][2] = {
		{0, 0}, {19, 0}, {20, 1}, {21, 2}, {29, 512}, {30, 900}, {500, 900},
	};
	for (size_t i = 0; i < sizeof addr / sizeof addr[0]; i++)
		assert_int_equal(throttle_delay_s(THROTTLE_ADDRESS, addr[i][0]), addr[i][1]);
}

static void a_user_name_waits_then_is_locked(void **state)
{
	(void)state;
	struct throttle_state st = {0};
	int64_t retry, now = T0;
	/* five failures at once are all checked */
	for (int i = 1; i <= 5; i++) {
		assert_int_equal(throttle_check(THROTTLE_USER, &st, now, &retry), THROTTLE_GO);
		assert_int_equal(retry, 0);
		st = throttle_fail(THROTTLE_USER, &st, now);
		assert_int_equal(st.failures, i);
		assert_int_equal(st.last_failure_us, now);
		assert_int_equal(st.locked_until_us, 0);
	}
	/* the sixth must wait 1 s after the fifth */
	assert_int_equal(throttle_check(THROTTLE_USER, &st, now, &retry), THROTTLE_WAIT);
	assert_int_equal(retry, 1);
	assert_int_equal(throttle_check(THROTTLE_USER, &st, now + S - 1, &retry), THROTTLE_WAIT);
	assert_int_equal(retry, 1);
	assert_int_equal(throttle_check(THROTTLE_USER, &st, now + S, &retry), THROTTLE_GO);
	now += S;
	st = throttle_fail(THROTTLE_USER, &st, now); /* 6 */
	assert_int_equal(throttle_check(THROTTLE_USER, &st, now + S / 2, &retry), THROTTLE_WAIT);
	assert_int_equal(retry, 2); /* 1.5 s left: rounded up */
	/* failures 7..19, each as soon as allowed */
	for (int n = 6; n < 19; n++) {
		now += throttle_delay_s(THROTTLE_USER, n) * S;
		assert_int_equal(throttle_check(THROTTLE_USER, &st, now, &retry), THROTTLE_GO);
		st = throttle_fail(THROTTLE_USER, &st, now);
		assert_int_equal(st.locked_until_us, 0);
	}
	assert_int_equal(st.failures, 19);
	now += 900 * S;
	st = throttle_fail(THROTTLE_USER, &st, now); /* the 20th locks for 24 h */
	assert_int_equal(st.failures, 20);
	assert_int_equal(st.locked_until_us, now + 24 * 3600 * S);
	assert_int_equal(throttle_check(THROTTLE_USER, &st, now + 900 * S, &retry),
			 THROTTLE_LOCKED);
	assert_int_equal(retry, 24 * 3600 - 900);
	assert_int_equal(throttle_check(THROTTLE_USER, &st, now + 24 * 3600 * S - 1, &retry),
			 THROTTLE_LOCKED);
	assert_int_equal(retry, 1);
	/* at the end of the lock the count starts again */
	now += 24 * 3600 * S;
	assert_int_equal(throttle_check(THROTTLE_USER, &st, now, &retry), THROTTLE_GO);
	assert_true(throttle_lapsed(THROTTLE_USER, &st, now));
	st = throttle_fail(THROTTLE_USER, &st, now);
	assert_int_equal(st.failures, 1);
	assert_int_equal(st.locked_until_us, 0);
}

static void counts_lapse_after_quiet(void **state)
{
	(void)state;
	int64_t retry;
	struct throttle_state user = {.failures = 12, .last_failure_us = T0};
	assert_false(throttle_lapsed(THROTTLE_USER, &user, T0 + 24 * 3600 * S - 1));
	assert_true(throttle_lapsed(THROTTLE_USER, &user, T0 + 24 * 3600 * S));
	struct throttle_state next = throttle_fail(THROTTLE_USER, &user, T0 + 24 * 3600 * S);
	assert_int_equal(next.failures, 1);
	struct throttle_state addr = {.failures = 25, .last_failure_us = T0};
	/* 25 failures: 32 s to wait */
	assert_int_equal(throttle_check(THROTTLE_ADDRESS, &addr, T0 + 31 * S, &retry),
			 THROTTLE_WAIT);
	assert_int_equal(retry, 1);
	assert_int_equal(throttle_check(THROTTLE_ADDRESS, &addr, T0 + 32 * S, &retry),
			 THROTTLE_GO);
	assert_false(throttle_lapsed(THROTTLE_ADDRESS, &addr, T0 + 3599 * S));
	assert_true(throttle_lapsed(THROTTLE_ADDRESS, &addr, T0 + 3600 * S));
	next = throttle_fail(THROTTLE_ADDRESS, &addr, T0 + 3600 * S);
	assert_int_equal(next.failures, 1);
	next = throttle_fail(THROTTLE_ADDRESS, &addr, T0 + 40 * S);
	assert_int_equal(next.failures, 26);
}

static void an_address_is_never_locked(void **state)
{
	(void)state;
	struct throttle_state st = {0};
	int64_t now = T0, retry;
	for (int i = 0; i < 60; i++) {
		now += throttle_delay_s(THROTTLE_ADDRESS, st.failures) * S;
		assert_int_equal(throttle_check(THROTTLE_ADDRESS, &st, now, &retry), THROTTLE_GO);
		st = throttle_fail(THROTTLE_ADDRESS, &st, now);
		assert_int_equal(st.locked_until_us, 0);
	}
	assert_int_equal(st.failures, 60);
	assert_int_equal(throttle_check(THROTTLE_ADDRESS, &st, now, &retry), THROTTLE_WAIT);
	assert_int_equal(retry, 900);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(waits_after_each_failure),
		cmocka_unit_test(a_user_name_waits_then_is_locked),
		cmocka_unit_test(counts_lapse_after_quiet),
		cmocka_unit_test(an_address_is_never_locked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
