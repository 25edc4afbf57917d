/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * it: the thin assertion layer the conformance bodies are written on.
 *
 * A test body is a function of a struct it, run once per configuration.
 * Assertions record the first failure and return from the body, so the
 * same bodies can run under Check in userspace (check_conformance.c) or
 * under a KTAP runner in a kernel module, neither of which the body knows.
 * Helpers that check things return bool; a body asserts on them with
 * IT_CHECK so that the first failure stops it.
 */
#ifndef IOPGT_TESTS_IT_H
#define IOPGT_TESTS_IT_H

#include <iopgt/env.h>
#include <iopgt/iopgt.h>
#include "support/errname.h"

/**
 * struct it_config - one configuration the conformance suite runs on
 * @name: "amdv1/mode4", ...
 * @cfg: the table configuration (ops and ctx are filled by the fixture)
 */
struct it_config {
	const char *name;
	struct iopgt_cfg cfg;
};

/**
 * struct it - the state of one test body run
 * @config: the configuration under test
 * @seed: seed for the body's random choices (fixed per run)
 * @scale: 1 normally; larger or smaller from IOPGT_TEST_SCALE (a real)
 * @scale_milli: the same in thousandths, in a kernel (no floating point)
 * @span_lg2: 0, or the most smallest pages (as log2) the largest leaf a
 *            body maps may span (see it_max_leaf_lg2())
 * @failed: set by the first failed assertion
 * @msg: what failed, and where
 */
struct it {
	const struct it_config *config;
	u64 seed;
#ifdef __KERNEL__
	unsigned int scale_milli;
#else
	double scale;
#endif
	unsigned int span_lg2;
	bool failed;
	char msg[1024];
};

struct it_case {
	const char *name;
	void (*fn)(struct it *t);
};

/* Record a failure (first one wins). printf-style. */
void it_fail(struct it *t, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define IT_FAIL(t, ...) it_fail(t, __FILE__, __LINE__, __VA_ARGS__)

#define IT_ASSERT(t, cond)						\
	do {								\
		if (!(cond)) {						\
			IT_FAIL(t, "assertion failed: %s", #cond);	\
			return;						\
		}							\
	} while (0)

#define IT_ASSERT_EQ(t, a, b)						\
	do {								\
		unsigned long long __a = (unsigned long long)(a);	\
		unsigned long long __b = (unsigned long long)(b);	\
		if (__a != __b) {					\
			IT_FAIL(t, "%s == %s: 0x%llx != 0x%llx", #a, #b,\
				__a, __b);				\
			return;						\
		}							\
	} while (0)

/* An iopgt call's return code against the one expected, by name. */
#define IT_ASSERT_RET(t, expr, want)					\
	do {								\
		int __r = (expr);					\
		int __w = (want);					\
		if (__r != __w) {					\
			IT_FAIL(t, "%s returned %d (%s), want %d (%s)",	\
				#expr, __r, test_errname(__r), __w,	\
				test_errname(__w));			\
			return;						\
		}							\
	} while (0)

/* A helper that already recorded why it failed. */
#define IT_CHECK(t, call)						\
	do {								\
		if (!(call) || (t)->failed)				\
			return;						\
	} while (0)


/* @n scaled by the run's scale, at least 1. */
static inline unsigned int it_scaled(const struct it *t, unsigned int n)
{
#ifdef __KERNEL__
	u64 v = (u64)n * t->scale_milli / 1000;
#else
	double v = n * t->scale;
#endif

	return v < 1 ? 1 : (unsigned int)v;
}

/*
 * The largest leaf, as log2, that a body mapping one leaf of each size
 * goes up to, given the config's smallest page 2^@min_lg2: 2^30, or less
 * with @span_lg2 set. The oracles' cost is per smallest page, and a 1G
 * leaf split to 4K pages is 262144 of them: too many for a kernel under
 * emulation, which sets @span_lg2 so that every granule still gets the
 * next size up (2M over 4K, 32M over 16K, 512M over 64K).
 */
static inline unsigned int it_max_leaf_lg2(const struct it *t,
					   unsigned int min_lg2)
{
	if (t->span_lg2 && min_lg2 + t->span_lg2 < 30)
		return min_lg2 + t->span_lg2;
	return 30;
}

/* Deterministic random numbers for test bodies (splitmix64). */
static inline u64 it_rand(u64 *state)
{
	u64 z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline u64 it_rand_below(u64 *state, u64 n)
{
	return n ? it_rand(state) % n : 0;
}

/* The configurations every conformance body runs on. */
extern const struct it_config it_configs[];
extern const unsigned int it_nconfigs;

#endif /* IOPGT_TESTS_IT_H */
