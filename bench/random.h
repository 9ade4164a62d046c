/*
 * random.h - the benchmarks' fixed-seed random numbers: xorshift64, a draw
 * below n, a weighted pick. Each program that includes it has its own state,
 * seeded with BENCH_SEED (defined before the include), so its data are the
 * same on every run. For generating benchmark data only: never for keys,
 * tokens or draws that matter.
 */
#ifndef KOUAN_BENCH_RANDOM_H
#define KOUAN_BENCH_RANDOM_H

#include <stdint.h>

static uint64_t rng = BENCH_SEED;

static inline uint64_t next_u64(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static inline unsigned below(unsigned n)
{
	return (unsigned)(next_u64() % n);
}

/* Weighted pick: index i with probability w[i] / (sum of w). */
static inline unsigned weighted(const unsigned *w, unsigned n)
{
	unsigned total = 0, r;

	for (unsigned i = 0; i < n; i++)
		total += w[i];
	r = below(total);
	for (unsigned i = 0; i < n; i++) {
		if (r < w[i])
			return i;
		r -= w[i];
	}
	return n - 1;
}

#endif
