/*
 * clock.h - the injectable clock. Every timestamp kouan records comes from
 * a struct kclock, so tests can fix or step time and an audit can replay.
 *
 * Time is microseconds since the Unix epoch, UTC. Text form is RFC 3339 with
 * six fractional digits and a 'Z': 2026-11-23T08:30:00.000123Z.
 */
#ifndef KOUAN_CLOCK_H
#define KOUAN_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kclock {
	int64_t (*now_us)(struct kclock *c);
	int64_t fixed_us; /* used by the manual clock */
	int64_t step_us;  /* manual clock advances by this much per reading */
};

/* The system's real-time clock. */
extern struct kclock kclock_system;

/* A manual clock starting at `start_us`, advancing `step_us` per reading. */
void kclock_manual_init(struct kclock *c, int64_t start_us, int64_t step_us);

static inline int64_t kclock_now(struct kclock *c)
{
	return c->now_us(c);
}

#define KTIME_TEXT_MAX 32

/* Format `us` as RFC 3339 UTC with microseconds into out[KTIME_TEXT_MAX]. */
void ktime_format(int64_t us, char out[KTIME_TEXT_MAX]);

/* Parse an RFC 3339 timestamp (any offset, 0-9 fractional digits) into
 * microseconds UTC. Returns false when malformed. */
bool ktime_parse(const char *s, int64_t *us);

/* The UTC calendar year of `us`. */
int ktime_year(int64_t us);

#endif
