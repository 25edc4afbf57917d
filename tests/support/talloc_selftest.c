/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Self-test of the test table allocator.
 *
 * Exits 0 when every check passes; prints the first failure and exits 1.
 * "talloc_selftest use-after-free" reads a freed table on purpose: under
 * AddressSanitizer that must end the process with an ASan
 * "use-after-poison" report (ASan's exit code, 1 by default); if the read
 * goes unnoticed it exits 3; without ASan it exits 77 (skipped).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/selftest.h"
#include "support/talloc.h"

#if TALLOC_ASAN
#include <sanitizer/asan_interface.h>
#endif

static void *alloc(struct talloc *t, unsigned int lg2, u64 *pa)
{
	return talloc_ops_for(t)->alloc_table(t, lg2, 0, pa);
}

static void release(struct talloc *t, void *va, unsigned int lg2)
{
	talloc_ops_for(t)->free_table(t, va, lg2);
}

/* Every byte equal to @byte (memcmp is cheap under the sanitizers). */
static bool all_bytes(const void *va, size_t len, u8 byte)
{
	const u8 *p = va;

	return p[0] == byte && !memcmp(p, p + 1, len - 1);
}

#define PER_CLASS 20

static void test_every_class_is_aligned_zeroed_and_counted(void)
{
	static void *va[TALLOC_MAX_LG2 + 1][PER_CLASS];
	struct talloc *t = talloc_create(128ull << 20, 0);
	struct iopgt_table_meta *meta, *prev = NULL;
	u64 pa, bytes = 0, n = 0;
	unsigned int lg2, i, k;

	CHECK(t);
	CHECK(talloc_ops()->phys_to_virt == NULL);
	CHECK(talloc_ops_for(t) == talloc_ops());
	for (lg2 = TALLOC_MIN_LG2; lg2 <= TALLOC_MAX_LG2; lg2++) {
		for (i = 0; i < PER_CLASS; i++) {
			va[lg2][i] = alloc(t, lg2, &pa);
			CHECK(va[lg2][i]);
			CHECK_EQ((uintptr_t)va[lg2][i] & ((1ull << lg2) - 1),
				 0);
			CHECK_EQ(pa, (uintptr_t)va[lg2][i]);
			CHECK(talloc_phys_to_virt(t, pa) == va[lg2][i]);
			CHECK_EQ(talloc_virt_to_phys(t, va[lg2][i]), pa);
			CHECK(all_bytes(va[lg2][i], 1ull << lg2, 0));
			CHECK(talloc_is_live(t, va[lg2][i], &k));
			CHECK_EQ(k, lg2);
			CHECK(!talloc_is_live(t, (u8 *)va[lg2][i] + 8, NULL));
			meta = talloc_ops()->table_meta(t, va[lg2][i]);
			CHECK(meta && meta != prev);
			CHECK(!meta->next && !meta->iova && !meta->level &&
			      !meta->flags);
			meta->iova = (uintptr_t)va[lg2][i];
			meta->level = lg2;
			prev = meta;
			memset(va[lg2][i], 0x5a, 1ull << lg2);
			bytes += 1ull << lg2;
			n++;
		}
	}
	CHECK_EQ(talloc_live(t), n);
	CHECK_EQ(talloc_live_bytes(t), bytes);
	CHECK_EQ(talloc_allocs(t), n);
	CHECK_EQ(talloc_peak(t), n);
	CHECK_EQ(talloc_peak_bytes(t), bytes);
	CHECK_EQ(talloc_failures(t), 0);

	/* Metas are distinct and kept: check what was written. */
	for (lg2 = TALLOC_MIN_LG2; lg2 <= TALLOC_MAX_LG2; lg2++)
		for (i = 0; i < PER_CLASS; i++) {
			meta = talloc_ops()->table_meta(t, va[lg2][i]);
			CHECK_EQ(meta->iova, (uintptr_t)va[lg2][i]);
			CHECK_EQ(meta->level, lg2);
		}

	/* Free half, reallocate: reused memory and meta come back zeroed. */
	for (lg2 = TALLOC_MIN_LG2; lg2 <= TALLOC_MAX_LG2; lg2++)
		for (i = 0; i < PER_CLASS; i += 2) {
			release(t, va[lg2][i], lg2);
			CHECK(!talloc_is_live(t, va[lg2][i], NULL));
		}
	CHECK_EQ(talloc_live(t), n / 2);
	CHECK_EQ(talloc_frees(t), n / 2);
	for (lg2 = TALLOC_MIN_LG2; lg2 <= TALLOC_MAX_LG2; lg2++)
		for (i = 0; i < PER_CLASS; i += 2) {
			va[lg2][i] = alloc(t, lg2, &pa);
			CHECK(va[lg2][i]);
			CHECK_EQ((uintptr_t)va[lg2][i] & ((1ull << lg2) - 1),
				 0);
			CHECK(all_bytes(va[lg2][i], 1ull << lg2, 0));
			meta = talloc_ops()->table_meta(t, va[lg2][i]);
			CHECK(!meta->next && !meta->iova && !meta->level);
		}
	CHECK_EQ(talloc_live(t), n);
	CHECK_EQ(talloc_peak(t), n);
	CHECK_EQ(talloc_allocs(t), n + n / 2);
	for (lg2 = TALLOC_MIN_LG2; lg2 <= TALLOC_MAX_LG2; lg2++)
		for (i = 0; i < PER_CLASS; i++)
			release(t, va[lg2][i], lg2);
	CHECK_EQ(talloc_live(t), 0);
	CHECK_EQ(talloc_live_bytes(t), 0);
	CHECK_EQ(talloc_peak_bytes(t), bytes);
	talloc_destroy(t);
}

static void test_fail_after_fails_exactly_one_allocation(void)
{
	struct talloc *t = talloc_create(0, 0);
	void *va[8];
	unsigned int i, n;
	u64 pa;

	CHECK(t);
	for (n = 0; n < 5; n++) {
		talloc_fail_after(t, n);
		for (i = 0; i < 8; i++) {
			va[i] = alloc(t, 12, &pa);
			CHECK(i == n ? !va[i] : va[i] != NULL);
		}
		for (i = 0; i < 8; i++)
			if (va[i])
				release(t, va[i], 12);
	}
	CHECK_EQ(talloc_failures(t), 5);
	CHECK_EQ(talloc_allocs(t), 5 * 7);
	CHECK_EQ(talloc_live(t), 0);

	/* -1 disarms a pending failure. */
	talloc_fail_after(t, 1);
	talloc_fail_after(t, -1);
	for (i = 0; i < 8; i++) {
		va[i] = alloc(t, 9, &pa);
		CHECK(va[i]);
	}
	for (i = 0; i < 8; i++)
		release(t, va[i], 9);

	talloc_fail_all(t, true);
	for (i = 0; i < 8; i++)
		CHECK(!alloc(t, 6 + i, &pa));
	talloc_fail_all(t, false);
	va[0] = alloc(t, 12, &pa);
	CHECK(va[0]);
	release(t, va[0], 12);
	CHECK_EQ(talloc_failures(t), 5 + 8);
	CHECK_EQ(talloc_live(t), 0);
	talloc_destroy(t);
}

static void test_exhausted_arena_returns_null(void)
{
	struct talloc *t = talloc_create(2ull << 20, TALLOC_NO_QUARANTINE);
	void *a, *b, *c;
	u64 pa;

	CHECK(t);
	a = alloc(t, 20, &pa);
	b = alloc(t, 20, &pa);
	CHECK(a && b && a != b);
	CHECK(!alloc(t, 20, &pa));
	CHECK(!alloc(t, 6, &pa));
	CHECK_EQ(talloc_failures(t), 2);
	release(t, b, 20);
	c = alloc(t, 20, &pa);
	CHECK(c == b);
	release(t, a, 20);
	release(t, c, 20);
	talloc_destroy(t);

	/* The quarantine gives its tables up when the arena runs out. */
	t = talloc_create(1ull << 20, TALLOC_QUARANTINE);
	CHECK(t);
	a = alloc(t, 20, &pa);
	CHECK(a);
	release(t, a, 20);
	b = alloc(t, 20, &pa);
	CHECK(b == a);
	CHECK(all_bytes(b, 1ull << 20, 0));
	release(t, b, 20);
	talloc_destroy(t);
}

static void test_freed_tables_are_poisoned(void)
{
	struct talloc *t = talloc_create(0, TALLOC_POISON |
					 TALLOC_NO_QUARANTINE);
	unsigned int lg2;
	u8 *va;
	u64 pa;

	CHECK(t);
	for (lg2 = TALLOC_MIN_LG2; lg2 <= TALLOC_MAX_LG2; lg2++) {
		va = alloc(t, lg2, &pa);
		CHECK(va);
		memset(va, 0x11, 1ull << lg2);
		release(t, va, lg2);
#if TALLOC_ASAN
		/* ASan: the whole table is off limits. */
		CHECK(__asan_address_is_poisoned(va));
		CHECK(__asan_address_is_poisoned(va + (1ull << lg2) - 1));
#else
		CHECK(all_bytes(va, 1ull << lg2, TALLOC_POISON_BYTE));
#endif
		/* Reused at once (no quarantine), zeroed again. */
		CHECK(alloc(t, lg2, &pa) == va);
		CHECK(all_bytes(va, 1ull << lg2, 0));
#if TALLOC_ASAN
		CHECK(!__asan_region_is_poisoned(va, 1ull << lg2));
#endif
		release(t, va, lg2);
	}
	talloc_destroy(t);
}

static void test_quarantine_delays_reuse_in_fifo_order(void)
{
	struct talloc *t = talloc_create(0, TALLOC_QUARANTINE);
	void *va[4], *again;
	unsigned int i;
	u64 pa;

	CHECK(t);
	talloc_set_quarantine(t, 2);
	for (i = 0; i < 4; i++) {
		va[i] = alloc(t, 12, &pa);
		CHECK(va[i]);
	}
	release(t, va[0], 12);
	release(t, va[1], 12);
	/* Both wait: a new table is fresh memory. */
	again = alloc(t, 12, &pa);
	CHECK(again != va[0] && again != va[1]);
	/* A third free pushes the oldest out, and it is reused first. */
	release(t, va[2], 12);
	CHECK(alloc(t, 12, &pa) == va[0]);
	CHECK(talloc_is_live(t, va[0], NULL));
	CHECK(!talloc_is_live(t, va[1], NULL));
	/* A flush makes everything reusable (LIFO from then on). */
	talloc_quarantine_flush(t);
	CHECK(alloc(t, 12, &pa) == va[2]);
	CHECK(alloc(t, 12, &pa) == va[1]);
	release(t, va[0], 12);
	release(t, va[1], 12);
	release(t, va[2], 12);
	release(t, va[3], 12);
	release(t, again, 12);
	/* Depth 0 turns it off and frees what it held. */
	talloc_set_quarantine(t, 0);
	CHECK(alloc(t, 12, &pa) == again);
	release(t, again, 12);
	CHECK_EQ(talloc_live(t), 0);
	talloc_destroy(t);
}

static unsigned int clean_calls;
static size_t clean_len;

static void on_clean(void *arg, void *va, size_t len)
{
	CHECK(arg == &clean_calls);
	CHECK(va != NULL);
	clean_calls++;
	clean_len += len;
}

static void test_cache_clean_is_counted_and_observed(void)
{
	struct talloc *t = talloc_create(0, 0);
	u8 *va;
	u64 pa;

	CHECK(t);
	va = alloc(t, 12, &pa);
	CHECK(va);
	talloc_ops()->cache_clean(t, va, 64);
	CHECK_EQ(talloc_cleans(t), 1);
	CHECK_EQ(talloc_clean_bytes(t), 64);
	talloc_set_on_clean(t, on_clean, &clean_calls);
	talloc_ops()->cache_clean(t, va + 4096 - 8, 8);
	talloc_ops()->cache_clean(t, va, 4096);
	CHECK_EQ(clean_calls, 2);
	CHECK_EQ(clean_len, 4096 + 8);
	CHECK_EQ(talloc_cleans(t), 3);
	CHECK_EQ(talloc_clean_bytes(t), 64 + 8 + 4096);
	release(t, va, 12);
	talloc_destroy(t);
}

static void test_low_pa_differs_from_the_cpu_address(void)
{
	struct talloc *t = talloc_create(8ull << 20, TALLOC_LOW_PA);
	const struct iopgt_ops *ops;
	void *a, *b;
	u64 pa_a, pa_b;

	CHECK(t);
	ops = talloc_ops_for(t);
	CHECK(ops != talloc_ops() && ops->phys_to_virt);
	a = ops->alloc_table(t, 12, 0, &pa_a);
	b = ops->alloc_table(t, 20, 0, &pa_b);
	CHECK(a && b);
	CHECK(pa_a >= TALLOC_LOW_PA_BASE && pa_a < TALLOC_LOW_PA_BASE +
	      (8ull << 20));
	CHECK_EQ(pa_a & 0xfff, 0);
	CHECK_EQ(pa_b & 0xfffff, 0);
	CHECK(pa_a != (uintptr_t)a);
	CHECK(ops->phys_to_virt(t, pa_a) == a);
	CHECK(ops->phys_to_virt(t, pa_b + 8) == (u8 *)b + 8);
	CHECK(!talloc_phys_to_virt(t, 0));
	CHECK(!talloc_phys_to_virt(t, (uintptr_t)a));
	CHECK_EQ(talloc_virt_to_phys(t, a), pa_a);
	ops->free_table(t, a, 12);
	ops->free_table(t, b, 20);
	talloc_destroy(t);
}

static void test_large_arena_reserves_without_committing(void)
{
	struct talloc *t = talloc_create(300ull << 30, 0);
	void *va[64];
	unsigned int i;
	u64 pa;

	if (!t) {
		/* Strict overcommit or a small address space: not ours. */
		fprintf(stderr, "%s: skipped (cannot reserve 300 GiB)\n",
			selftest_test);
		return;
	}
	for (i = 0; i < 64; i++) {
		va[i] = alloc(t, 12 + i % 9, &pa);
		CHECK(va[i]);
	}
	for (i = 0; i < 64; i++)
		release(t, va[i], 12 + i % 9);
	talloc_destroy(t);
}

/* Run @fn in a child; it must abort. */
static void expect_abort(void (*fn)(struct talloc *t), const char *what)
{
	struct talloc *t = talloc_create(0, 0);
	int status;
	pid_t pid;

	CHECK(t);
	fflush(NULL);
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		/* Keep the expected complaint out of the test log. */
		if (!freopen("/dev/null", "w", stderr))
			_exit(2);
		fn(t);
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
		SELFTEST_FAIL("%s did not abort (status 0x%x)", what, status);
	talloc_destroy(t);
}

static void double_free(struct talloc *t)
{
	u64 pa;
	void *va = alloc(t, 12, &pa);

	release(t, va, 12);
	release(t, va, 12);
}

static void free_never_allocated(struct talloc *t)
{
	u64 pa;
	u8 *va = alloc(t, 12, &pa);

	/* the next slot of the same chunk, carved but never handed out */
	release(t, va + 4096, 12);
}

static void free_inside_a_table(struct talloc *t)
{
	u64 pa;
	u8 *va = alloc(t, 12, &pa);

	release(t, va + 64, 6);
}

static void free_wrong_size(struct talloc *t)
{
	u64 pa;
	void *va = alloc(t, 12, &pa);

	release(t, va, 13);
}

static void free_outside_arena(struct talloc *t)
{
	static u8 not_a_table[4096] __attribute__((aligned(4096)));

	release(t, not_a_table, 12);
}

static void meta_of_freed_table(struct talloc *t)
{
	u64 pa;
	void *va = alloc(t, 12, &pa);

	release(t, va, 12);
	talloc_ops()->table_meta(t, va);
}

static void clean_past_table_end(struct talloc *t)
{
	u64 pa;
	u8 *va = alloc(t, 12, &pa);

	talloc_ops()->cache_clean(t, va + 4000, 200);
}

static void alloc_bad_size(struct talloc *t)
{
	u64 pa;

	alloc(t, 21, &pa);
}

static void write_after_free(struct talloc *t)
{
	u64 pa;
	u8 *va;

	talloc_set_quarantine(t, 0);
	va = alloc(t, 12, &pa);
	/* poison on from here: talloc_set_quarantine(1) turns it on */
	talloc_set_quarantine(t, 1);
	release(t, va, 12);
	talloc_set_quarantine(t, 0);
#if !TALLOC_ASAN
	va[100] = 1;	/* the stale write the reuse check must catch */
#else
	/* ASan reports the write itself; simulate a missed one. */
	ASAN_UNPOISON_MEMORY_REGION(va, 4096);
	va[100] = 1;
#endif
	alloc(t, 12, &pa);
}

static void test_misuse_aborts(void)
{
	expect_abort(double_free, "double free");
	expect_abort(free_never_allocated, "free of a never allocated slot");
	expect_abort(free_inside_a_table, "free inside a table");
	expect_abort(free_wrong_size, "free with the wrong size");
	expect_abort(free_outside_arena, "free outside the arena");
	expect_abort(meta_of_freed_table, "table_meta of a freed table");
	expect_abort(clean_past_table_end, "cache_clean past the end");
	expect_abort(alloc_bad_size, "alloc of 2 MiB");
	expect_abort(write_after_free, "write after free");
}

#define THREADS		4
#define ROUNDS		20000
#define HELD		64

struct worker {
	struct talloc *t;
	unsigned int id;
	u64 seed;
};

/* Each thread stamps its tables and checks the stamp before freeing. */
static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	u8 *held[HELD] = { 0 };
	unsigned int lg2[HELD], i, slot;
	u64 pa, r = w->seed;

	for (i = 0; i < ROUNDS; i++) {
		r = r * 6364136223846793005ull + 1442695040888963407ull;
		slot = (r >> 33) % HELD;
		if (held[slot]) {
			CHECK(all_bytes(held[slot], 1ull << lg2[slot],
					(u8)w->id));
			CHECK(talloc_ops()->table_meta(w->t, held[slot])
			      ->iova == w->id);
			release(w->t, held[slot], lg2[slot]);
			held[slot] = NULL;
			continue;
		}
		lg2[slot] = 6 + (r >> 40) % 8;
		held[slot] = alloc(w->t, lg2[slot], &pa);
		CHECK(held[slot]);
		CHECK(all_bytes(held[slot], 1ull << lg2[slot], 0));
		memset(held[slot], (u8)w->id, 1ull << lg2[slot]);
		talloc_ops()->table_meta(w->t, held[slot])->iova = w->id;
		talloc_ops()->cache_clean(w->t, held[slot], 64);
	}
	for (slot = 0; slot < HELD; slot++)
		if (held[slot])
			release(w->t, held[slot], lg2[slot]);
	return NULL;
}

static void test_concurrent_use_keeps_tables_apart(void)
{
	struct worker w[THREADS];
	pthread_t th[THREADS];
	unsigned int flags[] = { 0, TALLOC_QUARANTINE };
	unsigned int i, f;

	for (f = 0; f < 2; f++) {
		struct talloc *t = talloc_create(0, flags[f]);

		CHECK(t);
		for (i = 0; i < THREADS; i++) {
			w[i].t = t;
			w[i].id = i + 1;
			w[i].seed = 0x9e3779b97f4a7c15ull * (i + 1);
			CHECK(!pthread_create(&th[i], NULL, worker_fn, &w[i]));
		}
		for (i = 0; i < THREADS; i++)
			CHECK(!pthread_join(th[i], NULL));
		CHECK_EQ(talloc_live(t), 0);
		CHECK_EQ(talloc_live_bytes(t), 0);
		CHECK_EQ(talloc_allocs(t), talloc_frees(t));
		CHECK(talloc_peak(t) <= THREADS * HELD);
		talloc_destroy(t);
	}
}

/* Reads a freed table: with ASan this must not return. */
static int use_after_free(void)
{
	struct talloc *t = talloc_create(0, 0);
	volatile u8 *va;
	u64 pa;

	if (!TALLOC_ASAN) {
		fprintf(stderr, "use-after-free: needs AddressSanitizer\n");
		talloc_destroy(t);
		return 77;
	}
	va = alloc(t, 12, &pa);
	release(t, (void *)va, 12);
	fprintf(stderr, "use-after-free: reading a freed table\n");
	printf("read 0x%x\n", va[8]);
	fprintf(stderr, "use-after-free: NOT DETECTED\n");
	talloc_destroy(t);
	return 3;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "use-after-free"))
		return use_after_free();
	if (argc > 1) {
		fprintf(stderr, "usage: %s [use-after-free]\n", argv[0]);
		return 2;
	}
	/* Forking tests first, while the process has one thread. */
	SELFTEST_RUN(test_misuse_aborts);
	SELFTEST_RUN(test_every_class_is_aligned_zeroed_and_counted);
	SELFTEST_RUN(test_fail_after_fails_exactly_one_allocation);
	SELFTEST_RUN(test_exhausted_arena_returns_null);
	SELFTEST_RUN(test_freed_tables_are_poisoned);
	SELFTEST_RUN(test_quarantine_delays_reuse_in_fifo_order);
	SELFTEST_RUN(test_cache_clean_is_counted_and_observed);
	SELFTEST_RUN(test_low_pa_differs_from_the_cpu_address);
	SELFTEST_RUN(test_large_arena_reserves_without_committing);
	SELFTEST_RUN(test_concurrent_use_keeps_tables_apart);
	return selftest_exit_status("talloc_selftest");
}
