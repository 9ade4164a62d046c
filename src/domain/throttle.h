/*
 * throttle.h - the login policy: how many wrong passwords a user name and a
 * client address may send before they must wait, how long they wait, and
 * when a user name is locked. Pure: the state and the time are passed in;
 * the accounts service keeps the state in the database (login_throttle),
 * so that it holds across servers sharing one database.
 *
 * Per user name (known or not, so that the answers tell nothing about
 * which names exist), counting consecutive failures:
 *   - the first 5 failures are answered at once;
 *   - after the n-th failure (n >= 5) the next attempt is taken only
 *     2^(n-5) seconds after it: 1 s, 2 s, 4 s, ... at most 15 minutes;
 *   - the 20th failure locks the name for 24 hours (an admin can unlock it
 *     earlier, or reset the password);
 *   - a successful login clears the count; so do 24 hours without a
 *     failure, and the end of a lock.
 * Per client address, counting failures for every name from it:
 *   - the first 20 are answered at once;
 *   - after the n-th (n >= 20) the next attempt waits 2^(n-20) seconds, at
 *     most 15 minutes; the address is never locked (an office behind one
 *     address must not lock out its own staff);
 *   - the count starts again after an hour without a failure.
 * A refused attempt (waiting or locked) checks no password and changes no
 * count.
 */
#ifndef KOUAN_THROTTLE_H
#define KOUAN_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

#define THROTTLE_USER_FREE 5          /* failures answered at once */
#define THROTTLE_USER_LOCK_AT 20      /* the failure that locks */
#define THROTTLE_LOCK_S (24 * 3600)   /* how long a lock lasts */
#define THROTTLE_USER_QUIET_S (24 * 3600) /* the count lapses after this */
#define THROTTLE_ADDRESS_FREE 20
#define THROTTLE_ADDRESS_QUIET_S 3600
#define THROTTLE_MAX_DELAY_S (15 * 60)

enum throttle_scope {
	THROTTLE_USER,
	THROTTLE_ADDRESS,
};

/* What the database keeps for one user name or address. */
struct throttle_state {
	int64_t failures;
	int64_t last_failure_us; /* 0: none */
	int64_t locked_until_us; /* 0: not locked (user names only) */
};

enum throttle_verdict {
	THROTTLE_GO,     /* check the password */
	THROTTLE_WAIT,   /* too soon after the last failure */
	THROTTLE_LOCKED, /* the user name is locked */
};

/* May an attempt be made now? When not, *retry_s is the whole number of
 * seconds (at least 1) until one may. */
enum throttle_verdict throttle_check(enum throttle_scope s, const struct throttle_state *st,
				     int64_t now_us, int64_t *retry_s);

/* The state after one more failure now: counting from nothing when the
 * old count has lapsed or its lock has run out; a user name's lock set
 * when this failure is the 20th. */
struct throttle_state throttle_fail(enum throttle_scope s, const struct throttle_state *st,
				    int64_t now_us);

/* The wait, in seconds, that n failures impose before the next attempt
 * (0: none). */
int64_t throttle_delay_s(enum throttle_scope s, int64_t failures);

/* Has the state lapsed by now (to be treated as no failures at all)? */
bool throttle_lapsed(enum throttle_scope s, const struct throttle_state *st, int64_t now_us);

#endif
