/* throttle.c - the login policy (see throttle.h). */
#include "domain/throttle.h"

#define US 1000000LL

int64_t throttle_delay_s(enum throttle_scope s, int64_t failures)
{
	int64_t free = s == THROTTLE_USER ? THROTTLE_USER_FREE : THROTTLE_ADDRESS_FREE;
	if (failures < free)
		return 0;
	int64_t k = failures - free;
	if (k >= 20) /* 2^20 s is far past the cap; no shift that large */
		return THROTTLE_MAX_DELAY_S;
	int64_t d = (int64_t)1 << k;
	return d < THROTTLE_MAX_DELAY_S ? d : THROTTLE_MAX_DELAY_S;
}

bool throttle_lapsed(enum throttle_scope s, const struct throttle_state *st, int64_t now_us)
{
	if (st->failures <= 0)
		return true;
	if (st->locked_until_us)
		return now_us >= st->locked_until_us;
	int64_t quiet = s == THROTTLE_USER ? THROTTLE_USER_QUIET_S : THROTTLE_ADDRESS_QUIET_S;
	return now_us - st->last_failure_us >= quiet * US;
}

/* Whole seconds from now until `until`, at least 1. */
static int64_t seconds_until(int64_t until_us, int64_t now_us)
{
	int64_t s = (until_us - now_us + US - 1) / US;
	return s < 1 ? 1 : s;
}

enum throttle_verdict throttle_check(enum throttle_scope s, const struct throttle_state *st,
				     int64_t now_us, int64_t *retry_s)
{
	*retry_s = 0;
	if (throttle_lapsed(s, st, now_us))
		return THROTTLE_GO;
	if (st->locked_until_us) {
		*retry_s = seconds_until(st->locked_until_us, now_us);
		return THROTTLE_LOCKED;
	}
	int64_t next = st->last_failure_us + throttle_delay_s(s, st->failures) * US;
	if (now_us < next) {
		*retry_s = seconds_until(next, now_us);
		return THROTTLE_WAIT;
	}
	return THROTTLE_GO;
}

struct throttle_state throttle_fail(enum throttle_scope s, const struct throttle_state *st,
				    int64_t now_us)
{
	struct throttle_state n = {0};
	n.failures = (throttle_lapsed(s, st, now_us) ? 0 : st->failures) + 1;
	n.last_failure_us = now_us;
	if (s == THROTTLE_USER && n.failures >= THROTTLE_USER_LOCK_AT)
		n.locked_until_us = now_us + (int64_t)THROTTLE_LOCK_S * US;
	return n;
}
