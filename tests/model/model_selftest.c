/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Self-test of the reference model: the oracle is checked here against
 * hand-worked cases and against an even plainer page-by-page model, so
 * that the conformance suite can trust it.
 *
 * Exits 0 when every check passes; prints the first failure and exits 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "support/selftest.h"

#define SZ_4K	(1ull << 12)
#define SZ_64K	(1ull << 16)
#define SZ_1M_HALF	(1ull << 20)
#define SZ_2M	(1ull << 21)
#define SZ_1G	(1ull << 30)
#define BITMAP_4K_2M_1G	(SZ_4K | SZ_2M | SZ_1G)
#define RW	(IOPGT_READ | IOPGT_WRITE)

/* xorshift64*: fixed seeds, so failures replay. */
static u64 rng_state;

static u64 rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static u64 rnd_below(u64 n)
{
	return n ? rnd() % n : 0;
}

struct leaf_list {
	struct model_leaf *leaf;
	size_t n;
	size_t cap;
};

static int collect(void *ctx, const struct model_leaf *leaf)
{
	struct leaf_list *l = ctx;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		l->leaf = realloc(l->leaf, l->cap * sizeof(*l->leaf));
		CHECK(l->leaf);
	}
	l->leaf[l->n++] = *leaf;
	return 0;
}

static struct leaf_list leaf_buf;

/* Every leaf of @m, in a buffer reused by the next call. */
static struct leaf_list *leaves_of(struct model *m)
{
	leaf_buf.n = 0;
	CHECK(model_foreach(m, collect, &leaf_buf) == 0);
	return &leaf_buf;
}

/* Sorted, disjoint, naturally aligned, and inside ias/oas. */
static void check_invariants(struct model *m, unsigned int ias)
{
	struct leaf_list *l = leaves_of(m);
	u64 prev_end = 0, len, sum = 0;
	size_t i;

	CHECK_EQ(model_count(m), l->n);
	for (i = 0; i < l->n; i++) {
		len = 1ull << l->leaf[i].size_lg2;
		CHECK((model_pgsize_bitmap(m) & len) != 0);
		CHECK(((l->leaf[i].iova | l->leaf[i].oa) & (len - 1)) == 0);
		CHECK(i == 0 || l->leaf[i].iova >= prev_end);
		CHECK(ias >= 64 || ((l->leaf[i].iova + len - 1) >> ias) == 0);
		prev_end = l->leaf[i].iova + len;
		sum += len;
	}
	CHECK_EQ(model_mapped_bytes(m), sum);
}

static void test_map_picks_largest_aligned_size(void)
{
	struct model *m = model_create(BITMAP_4K_2M_1G, 48, 48);
	struct leaf_list *l;
	u64 start, last, pa;
	size_t i;

	CHECK(m);

	/* IOVA and PA equally aligned: 4K up to 2M, then 2M pages. */
	CHECK_EQ(model_map(m, 0x1ff000, 0x40001ff000ull, 0x401000, RW), 0);
	l = leaves_of(m);
	CHECK_EQ(l->n, 3);
	CHECK_EQ(l->leaf[0].iova, 0x1ff000);
	CHECK_EQ(l->leaf[0].size_lg2, 12);
	CHECK_EQ(l->leaf[0].oa, 0x40001ff000ull);
	CHECK_EQ(l->leaf[1].iova, 0x200000);
	CHECK_EQ(l->leaf[1].size_lg2, 21);
	CHECK_EQ(l->leaf[1].oa, 0x4000200000ull);
	CHECK_EQ(l->leaf[2].iova, 0x400000);
	CHECK_EQ(l->leaf[2].size_lg2, 21);
	CHECK(!l->leaf[2].dirty);
	CHECK_EQ(l->leaf[2].prot, RW);
	CHECK(model_last_span(m, &start, &last));
	CHECK_EQ(start, 0x1ff000);
	CHECK_EQ(last, 0x5fffff);
	check_invariants(m, 48);
	model_clear(m);
	CHECK(!model_last_span(m, &start, &last));

	/* PA off by 4K relative to 2M: every leaf must be 4K. */
	CHECK_EQ(model_map(m, 0x1ff000, 0x3000, 0x401000, IOPGT_READ), 0);
	l = leaves_of(m);
	CHECK_EQ(l->n, 0x401);
	for (i = 0; i < l->n; i++) {
		CHECK_EQ(l->leaf[i].size_lg2, 12);
		CHECK_EQ(l->leaf[i].oa, 0x3000 + i * SZ_4K);
	}
	CHECK_EQ(model_translate(m, 0x5ff123, &pa), 0);
	CHECK_EQ(pa, 0x3000 + 0x400000 + 0x123);
	model_clear(m);

	/* 1G-aligned both: 1G, then 2M, then 4K for the tail. */
	CHECK_EQ(model_map(m, SZ_1G, 2 * SZ_1G, SZ_1G + SZ_2M + SZ_4K, RW), 0);
	l = leaves_of(m);
	CHECK_EQ(l->n, 3);
	CHECK_EQ(l->leaf[0].size_lg2, 30);
	CHECK_EQ(l->leaf[1].size_lg2, 21);
	CHECK_EQ(l->leaf[1].iova, 2 * SZ_1G);
	CHECK_EQ(l->leaf[2].size_lg2, 12);
	CHECK_EQ(l->leaf[2].oa, 3 * SZ_1G + SZ_2M);
	model_clear(m);

	/* PA only 2M-aligned: a 1G-aligned IOVA still gets 2M pages. */
	CHECK_EQ(model_map(m, SZ_1G, SZ_2M, SZ_1G, RW), 0);
	CHECK_EQ(model_count(m), 512);
	l = leaves_of(m);
	CHECK_EQ(l->leaf[511].size_lg2, 21);
	model_clear(m);

	/* IOVA and PA 0: alignment unlimited, size limited by length. */
	CHECK_EQ(model_map(m, 0, 0, 2 * SZ_1G, RW), 0);
	CHECK_EQ(model_count(m), 2);
	model_destroy(m);

	/* A 64K size between: 4K up to 64K alignment, 64K up to 2M. */
	m = model_create(SZ_4K | SZ_64K | SZ_2M, 39, 40);
	CHECK(m);
	CHECK_EQ(model_map(m, 0x1f0000 - SZ_4K, 0x1f0000 - SZ_4K,
			   SZ_4K + SZ_64K + SZ_2M + SZ_64K, RW), 0);
	l = leaves_of(m);
	CHECK_EQ(l->n, 4);
	CHECK_EQ(l->leaf[0].size_lg2, 12);
	CHECK_EQ(l->leaf[1].size_lg2, 16);
	CHECK_EQ(l->leaf[2].size_lg2, 21);
	CHECK_EQ(l->leaf[3].size_lg2, 16);
	check_invariants(m, 39);
	model_destroy(m);
}

static void test_map_checks_arguments_in_order(void)
{
	struct model *m = model_create(BITMAP_4K_2M_1G, 48, 40);
	u64 top = 1ull << 48;

	CHECK(m);
	CHECK_EQ(model_map(m, 0x10000, 0x10000, 0x10000, RW), 0);

	/* -EINVAL for length and alignment, before anything else. */
	CHECK_EQ(model_map(m, 0x10000, 0, 0, 0), -EINVAL);
	CHECK_EQ(model_map(m, 0x10800, 0, SZ_4K, 0x100), -EINVAL);
	CHECK_EQ(model_map(m, 0, 0x800, SZ_4K, RW), -EINVAL);
	CHECK_EQ(model_map(m, 0, 0, 0x1800, RW), -EINVAL);
	CHECK_EQ(model_map(m, ~0ull & ~0xfffull, 0, 0x800, 0), -EINVAL);
	/* then prot */
	CHECK_EQ(model_map(m, 0, 0, SZ_4K, 0), -EINVAL);
	CHECK_EQ(model_map(m, 0, 0, SZ_4K, IOPGT_NOEXEC | IOPGT_CACHE),
		 -EINVAL);
	CHECK_EQ(model_map(m, 0, 0, SZ_4K, IOPGT_READ | 0x20), -EINVAL);
	CHECK_EQ(model_map(m, 0x10000, 0, SZ_4K, 0), -EINVAL);
	CHECK_EQ(model_map(m, ~0ull & ~0xfffull, 0, 2 * SZ_4K, 0), -EINVAL);
	/* then wrap, for IOVA or PA, before range */
	CHECK_EQ(model_map(m, ~0ull & ~0xfffull, 0, 2 * SZ_4K, RW),
		 -EOVERFLOW);
	CHECK_EQ(model_map(m, 0, ~0ull & ~0xfffull, 2 * SZ_4K, RW),
		 -EOVERFLOW);
	CHECK_EQ(model_map(m, ~0ull & ~0xfffull, 0, SZ_4K, RW), -ERANGE);
	/* then range, for IOVA against ias and PA against oas */
	CHECK_EQ(model_map(m, top - SZ_4K, 0, 2 * SZ_4K, RW), -ERANGE);
	CHECK_EQ(model_map(m, top - SZ_4K, 0, SZ_4K, RW), 0);
	CHECK_EQ(model_map(m, 0, (1ull << 40) - SZ_4K, 2 * SZ_4K, RW),
		 -ERANGE);
	CHECK_EQ(model_map(m, 0, (1ull << 40) - SZ_4K, SZ_4K, RW), 0);
	/* and only then overlap: partial on either side, or inside */
	CHECK_EQ(model_map(m, 0x8000, 0, 0x9000, RW), -EEXIST);
	CHECK_EQ(model_map(m, 0x1f000, 0, 0x2000, RW), -EEXIST);
	CHECK_EQ(model_map(m, 0x14000, 0, SZ_4K, RW), -EEXIST);
	CHECK_EQ(model_map(m, 0, 0, SZ_1G, RW), -EEXIST);
	CHECK_EQ(model_map(m, 0x10000, 0, SZ_4K, 0x40), -EINVAL);
	CHECK_EQ(model_map(m, top - 2 * SZ_4K, 0, 2 * SZ_4K, RW), -EEXIST);
	CHECK_EQ(model_map(m, 0x20000, 0, 0x1000, RW), 0);
	CHECK_EQ(model_count(m), 16 + 3);
	check_invariants(m, 48);
	model_destroy(m);

	/* ias 64: nothing is out of range, but wrapping still is. */
	m = model_create(SZ_4K, 64, 64);
	CHECK(m);
	CHECK_EQ(model_map(m, ~0ull & ~0xfffull, ~0ull & ~0xfffull, SZ_4K,
			   RW), 0);
	CHECK_EQ(model_map(m, ~0ull & ~0x1fffull, 0, 2 * SZ_4K, RW),
		 -EEXIST);
	model_destroy(m);

	CHECK(!model_create(0, 48, 48));
	CHECK(!model_create(SZ_4K, 0, 48));
	CHECK(!model_create(SZ_4K, 65, 48));
	CHECK(!model_create(SZ_4K, 48, 0));
}

static void test_unmap_partial_large_leaf_removes_it_whole(void)
{
	struct model *m = model_create(BITMAP_4K_2M_1G, 48, 48);
	struct model_leaf leaf;
	u64 unmapped, start, last, pa;

	CHECK(m);
	/* 4K at 2M-4K, a 2M leaf at 2M, 4K at 4M: three leaves. */
	CHECK_EQ(model_map(m, SZ_2M - SZ_4K, SZ_2M - SZ_4K,
			   SZ_2M + 2 * SZ_4K, RW), 0);
	CHECK_EQ(model_count(m), 3);

	CHECK_EQ(model_unmap(m, 0, 0, &unmapped), -EINVAL);
	CHECK_EQ(model_unmap(m, 0x800, SZ_4K, &unmapped), -EINVAL);
	CHECK_EQ(model_unmap(m, ~0ull & ~0xfffull, 2 * SZ_4K, &unmapped),
		 -EOVERFLOW);
	CHECK_EQ(model_unmap(m, 1ull << 48, SZ_4K, &unmapped), -ERANGE);
	CHECK_EQ(model_unmap(m, 0, SZ_4K, &unmapped), -ENOENT);
	CHECK_EQ(unmapped, 0);
	CHECK(!model_last_span(m, &start, &last));

	/* 4K in the middle of the 2M leaf takes the leaf. */
	CHECK_EQ(model_unmap(m, SZ_2M + 0x5000, SZ_4K, &unmapped), 0);
	CHECK_EQ(unmapped, SZ_2M);
	CHECK(model_last_span(m, &start, &last));
	CHECK_EQ(start, SZ_2M);
	CHECK_EQ(last, 2 * SZ_2M - 1);
	CHECK(!model_lookup(m, SZ_2M, &leaf));
	CHECK_EQ(model_translate(m, SZ_2M + 0x5000, &pa), -ENOENT);
	CHECK_EQ(model_count(m), 2);

	/* Across a hole: both 4K leaves, 8K reported, span over the hole. */
	CHECK_EQ(model_unmap(m, 0, SZ_1G, &unmapped), 0);
	CHECK_EQ(unmapped, 2 * SZ_4K);
	CHECK(model_last_span(m, &start, &last));
	CHECK_EQ(start, SZ_2M - SZ_4K);
	CHECK_EQ(last, 2 * SZ_2M + SZ_4K - 1);
	CHECK_EQ(model_count(m), 0);

	/* A 1G leaf, unmapped by its last page. */
	CHECK_EQ(model_map(m, SZ_1G, 0, SZ_1G, RW), 0);
	CHECK_EQ(model_unmap(m, 2 * SZ_1G - SZ_4K, SZ_4K, &unmapped), 0);
	CHECK_EQ(unmapped, SZ_1G);
	CHECK_EQ(model_translate(m, 1ull << 48, &pa), -ERANGE);
	model_destroy(m);
}

/* Bit i by brute force: is any dirty part of the range in page i? */
static bool expected_bit(const struct leaf_list *l, u64 iova, u64 last,
			 u64 base, unsigned int pgshift, u64 bit)
{
	u64 ps = base + (bit << pgshift), pl = ps + ((1ull << pgshift) - 1);
	u64 s, e;
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (!l->leaf[i].dirty)
			continue;
		s = l->leaf[i].iova;
		e = s + (1ull << l->leaf[i].size_lg2) - 1;
		if (s < iova)
			s = iova;
		if (e > last)
			e = last;
		if (s < ps)
			s = ps;
		if (e > pl)
			e = pl;
		if (s <= e)
			return true;
	}
	return false;
}

static void test_read_dirty_sets_pages_the_dirty_leaves_touch(void)
{
	struct model *m = model_create(BITMAP_4K_2M_1G, 39, 40);
	u64 words[64], unmapped, start, last, iova, len, base, nbits, bit;
	unsigned int pgshift, round;
	struct model_leaf leaf;

	CHECK(m);
	/* A mix in the first 16M: 4K runs, 2M leaves, holes. */
	CHECK_EQ(model_map(m, 0x1f0000, 0x1f0000, 0x410000, RW), 0);
	CHECK_EQ(model_map(m, 0x800000, 0x10800000, 0x600000, RW), 0);
	CHECK_EQ(model_map(m, 0xe00000, 0x3000, 0x20000, IOPGT_READ), 0);
	check_invariants(m, 39);

	/* Hand-worked: one dirty 2M leaf seen through 4K bits. */
	CHECK(model_set_dirty(m, 0x200000 + 0x1234));
	CHECK(!model_set_dirty(m, 0x700000));
	memset(words, 0, sizeof(words));
	CHECK_EQ(model_read_dirty(m, 0x3ff000, 0x2000, true, 0x3ff000, 12,
				  words, 2), 0);
	CHECK_EQ(words[0], 1);
	/* only partly inside the range: reported, but it stays dirty */
	CHECK(!model_last_span(m, &start, &last));
	CHECK(model_lookup(m, 0x200000, &leaf));
	CHECK(leaf.dirty);
	memset(words, 0, sizeof(words));
	CHECK_EQ(model_read_dirty(m, 0, 1ull << 39, false, 0, 21, words,
				  64 * 64), 0);
	CHECK_EQ(words[0], 2);
	CHECK(!model_last_span(m, &start, &last));
	/* a range holding the whole leaf cleans it */
	CHECK_EQ(model_read_dirty(m, 0x200000, 0x200000, true, 0, 21, NULL,
				  0), 0);
	CHECK(model_last_span(m, &start, &last));
	CHECK_EQ(start, 0x200000);
	CHECK_EQ(last, 0x3fffff);
	CHECK(model_lookup(m, 0x200000, &leaf));
	CHECK(!leaf.dirty);

	/* Bits beyond nbits stay untouched; bits are never cleared. */
	CHECK_EQ(model_set_dirty_range(m, 0x800000, 0x600000), 3);
	memset(words, 0, sizeof(words));
	words[1] = 0x8000000000000000ull;
	CHECK_EQ(model_read_dirty(m, 0x800000, 0x600000, false, 0x800000, 12,
				  words, 70), 0);
	CHECK_EQ(words[0], ~0ull);
	CHECK_EQ(words[1], 0x800000000000003full);
	CHECK_EQ(words[2], 0);

	/* Argument checks, in order. */
	CHECK_EQ(model_read_dirty(m, 0, 0, false, 0, 10, NULL, 1), -EINVAL);
	CHECK_EQ(model_read_dirty(m, 0, SZ_4K, false, 0, 11, words, 1),
		 -EINVAL);
	CHECK_EQ(model_read_dirty(m, 0, SZ_4K, false, 0, 12, NULL, 1),
		 -EINVAL);
	CHECK_EQ(model_read_dirty(m, 0, SZ_4K, true, 0, 12, NULL, 0), 0);
	CHECK_EQ(model_read_dirty(m, ~0ull & ~0xfffull, 2 * SZ_4K, false, 0,
				  12, words, 1), -EOVERFLOW);
	CHECK_EQ(model_read_dirty(m, (1ull << 39) - SZ_4K, 2 * SZ_4K, false,
				  0, 12, words, 1), -ERANGE);

	/* Random ranges, bases and pgshifts against brute force. */
	rng_state = 0x1234567;
	for (round = 0; round < 3000; round++) {
		u64 expect[64];

		model_set_dirty_range(m, 0, 1ull << 39);
		if (round % 3) {
			/* a random subset of leaves dirty */
			model_read_dirty(m, 0, 1ull << 39, true, 0, 12, NULL,
					 0);
			for (bit = 0; bit < 8; bit++)
				model_set_dirty(m, rnd_below(0x1000000));
		}
		pgshift = 12 + rnd_below(10);
		iova = rnd_below(0x1000000 >> 12) << 12;
		len = (1 + rnd_below((0x1000000 - iova) >> 12)) << 12;
		base = iova >= 0x400000 && rnd_below(2) ?
			iova - (rnd_below(0x400000 >> 12) << 12) :
			iova & ~((1ull << pgshift) - 1);
		if (rnd_below(4) == 0)
			base += rnd_below(0x100000 >> 12) << 12;
		nbits = 1 + rnd_below(64 * 64);

		memset(words, 0, sizeof(words));
		memset(expect, 0, sizeof(expect));
		leaves_of(m);
		for (bit = 0; bit < nbits; bit++)
			if (expected_bit(&leaf_buf, iova, iova + len - 1, base,
					 pgshift, bit))
				expect[bit / 64] |= 1ull << (bit % 64);
		CHECK_EQ(model_read_dirty(m, iova, len, round & 1, base,
					  pgshift, words, nbits), 0);
		for (bit = 0; bit < 64; bit++) {
			if (words[bit] != expect[bit])
				fprintf(stderr,
					"round %u word %llu: 0x%llx != 0x%llx (iova 0x%llx len 0x%llx base 0x%llx pgshift %u nbits %llu)\n",
					round, (unsigned long long)bit,
					(unsigned long long)words[bit],
					(unsigned long long)expect[bit],
					(unsigned long long)iova,
					(unsigned long long)len,
					(unsigned long long)base, pgshift,
					(unsigned long long)nbits);
			CHECK_EQ(words[bit], expect[bit]);
		}
		if (round & 1) {
			/*
			 * cleared: a second read finds only the leaves that
			 * were partly outside the range, which stay dirty
			 */
			struct model_leaf *lf;
			size_t k;

			for (k = 0; k < leaf_buf.n; k++) {
				lf = &leaf_buf.leaf[k];
				if (lf->iova >= iova &&
				    lf->iova + (1ull << lf->size_lg2) - 1 <=
				    iova + len - 1)
					lf->dirty = false;
			}
			memset(words, 0, sizeof(words));
			memset(expect, 0, sizeof(expect));
			for (bit = 0; bit < nbits; bit++)
				if (expected_bit(&leaf_buf, iova, iova + len - 1,
						 base, pgshift, bit))
					expect[bit / 64] |= 1ull << (bit % 64);
			CHECK_EQ(model_read_dirty(m, iova, len, false, base,
						  pgshift, words, nbits), 0);
			for (bit = 0; bit < 64; bit++)
				CHECK_EQ(words[bit], expect[bit]);
		}
	}
	CHECK_EQ(model_unmap(m, 0, 1ull << 39, &unmapped), 0);
	model_destroy(m);
}

static void test_mark_dirty_leaves_reports_whole_leaves(void)
{
	struct model *m = model_create(BITMAP_4K_2M_1G, 39, 40);
	struct model_leaf leaf;
	u64 words[16];
	unsigned int i;

	CHECK(m);
	/* 4K at 2M-4K, a 2M leaf at 2M, 4K at 4M: three leaves. */
	CHECK_EQ(model_map(m, SZ_2M - SZ_4K, SZ_2M - SZ_4K,
			   SZ_2M + 2 * SZ_4K, RW), 0);
	CHECK_EQ(model_set_dirty_range(m, SZ_2M - SZ_4K, 2 * SZ_4K), 2);

	/* one page of the 2M leaf: all 512 of its pages */
	memset(words, 0, sizeof(words));
	CHECK_EQ(model_mark_dirty_leaves(m, SZ_2M + SZ_4K, SZ_4K, SZ_2M, 12,
					 words, 1024), 1);
	for (i = 0; i < 8; i++)
		CHECK_EQ(words[i], ~0ull);
	CHECK_EQ(words[8], 0);
	/* the dirty leaf below @base counts but sets nothing; the clean one
	 * at 4M sets nothing; bits stop at @nbits */
	memset(words, 0, sizeof(words));
	CHECK_EQ(model_mark_dirty_leaves(m, 0, 4 * SZ_2M, SZ_2M, 12, words,
					 100), 2);
	CHECK_EQ(words[0], ~0ull);
	CHECK_EQ(words[1], (1ull << 36) - 1);
	CHECK_EQ(words[2], 0);
	CHECK_EQ(model_mark_dirty_leaves(m, SZ_2M, 0, 0, 12, words, 1024), 0);
	/* a range wrapping past 2^64 is cut there */
	CHECK_EQ(model_mark_dirty_leaves(m, SZ_2M - SZ_4K, ~0ull, 0, 21,
					 words, 64), 2);
	/* the model is left as it was */
	CHECK(model_lookup(m, SZ_2M, &leaf));
	CHECK(leaf.dirty);
	CHECK(model_lookup(m, 2 * SZ_2M, &leaf));
	CHECK(!leaf.dirty);

	/* bits are set, never cleared */
	words[0] = 1ull << 63;
	model_bitmap_set(words, 64, SZ_4K, 12, 0, SZ_4K);
	CHECK_EQ(words[0], (1ull << 63) | 1);
	model_destroy(m);
}

static void test_split_then_merge_restores_leaves(void)
{
	struct model *m = model_create(BITMAP_4K_2M_1G, 48, 48);
	struct model *orig, *copy;
	struct model_leaf leaf;
	struct model_diff diff;
	u64 start, last, bad;

	CHECK(m);
	/* 1G at 1G, 2M leaves and a 4K tail after it. */
	CHECK_EQ(model_map(m, SZ_1G, SZ_1G, SZ_1G + 4 * SZ_2M + SZ_4K, RW),
		 0);
	CHECK_EQ(model_count(m), 6);
	CHECK(model_set_dirty(m, SZ_1G + 12345));
	CHECK(model_set_dirty(m, 2 * SZ_1G + SZ_2M));
	orig = model_clone(m);
	CHECK(orig);
	CHECK(model_equal(m, orig, 0, NULL));

	CHECK_EQ(model_split(m, 0, SZ_4K, 13), -EINVAL);
	CHECK_EQ(model_split(m, 0, SZ_4K, 64), -EINVAL);
	CHECK_EQ(model_split(m, 0, 0, 12), -EINVAL);
	CHECK_EQ(model_split(m, ~0ull & ~0xfffull, 2 * SZ_4K, 12),
		 -EOVERFLOW);
	CHECK_EQ(model_split(m, 1ull << 48, SZ_4K, 12), -ERANGE);

	/* Split only the second 2M leaf, touching it by one page. */
	CHECK_EQ(model_split(m, 2 * SZ_1G + 2 * SZ_2M - SZ_4K, SZ_4K, 12), 0);
	CHECK_EQ(model_count(m), 6 - 1 + 512);
	CHECK(model_last_span(m, &start, &last));
	CHECK_EQ(start, 2 * SZ_1G + SZ_2M);
	CHECK_EQ(last, 2 * SZ_1G + 2 * SZ_2M - 1);
	CHECK(model_lookup(m, 2 * SZ_1G + SZ_2M + 0x7000, &leaf));
	CHECK_EQ(leaf.size_lg2, 12);
	CHECK(leaf.dirty);
	CHECK_EQ(leaf.oa, 2 * SZ_1G + SZ_2M + 0x7000);
	CHECK(model_same_translation(m, orig, &bad));
	CHECK(!model_equal(m, orig, 0, &diff));
	CHECK_EQ(diff.iova, 2 * SZ_1G + SZ_2M);
	CHECK(diff.has_a && diff.has_b);
	CHECK_EQ(diff.a.size_lg2, 12);
	CHECK_EQ(diff.b.size_lg2, 21);

	/* Split everything to 2M, then to 4K. */
	CHECK_EQ(model_split(m, 0, 1ull << 48, 21), 0);
	CHECK_EQ(model_count(m), 512 + 3 + 512 + 1);
	CHECK(model_lookup(m, SZ_1G + SZ_2M * 100, &leaf));
	CHECK(leaf.dirty);
	CHECK_EQ(model_split(m, 0, 1ull << 48, 12), 0);
	CHECK_EQ(model_count(m), (SZ_1G + 4 * SZ_2M) / SZ_4K + 1);
	CHECK(model_same_translation(m, orig, &bad));
	check_invariants(m, 48);
	/* Splitting again changes nothing. */
	copy = model_clone(m);
	CHECK_EQ(model_split(m, 0, 1ull << 48, 12), 0);
	CHECK(!model_last_span(m, &start, &last));
	CHECK(model_equal(m, copy, 0, NULL));
	model_destroy(copy);

	/* A dirty 4K page inside the first clean-after-split 2M block. */
	CHECK(model_set_dirty(m, 2 * SZ_1G + 3 * SZ_2M + SZ_4K));

	/* Merge back: same leaves, dirty is the OR of the pieces. */
	CHECK_EQ(model_merge(m, 0, 1ull << 48, 0), 0);
	CHECK(model_last_span(m, &start, &last));
	CHECK_EQ(start, SZ_1G);
	CHECK_EQ(last, 2 * SZ_1G + 4 * SZ_2M - 1);
	CHECK(!model_equal(m, orig, 0, &diff));
	CHECK_EQ(diff.iova, 2 * SZ_1G + 3 * SZ_2M);
	CHECK(diff.a.dirty && !diff.b.dirty);
	CHECK(model_equal(m, orig, MODEL_CMP_IGNORE_DIRTY, NULL));
	CHECK_EQ(model_count(m), 6);
	/* Nothing left to merge. */
	CHECK_EQ(model_merge(m, 0, 1ull << 48, 0), 0);
	CHECK(!model_last_span(m, &start, &last));

	model_destroy(orig);
	model_destroy(m);
}

static void test_merge_needs_contiguous_equal_aligned_leaves(void)
{
	struct model *m = model_create(BITMAP_4K_2M_1G, 48, 48);
	struct model_leaf leaf;
	u64 start, last, unmapped, i;

	CHECK(m);
	CHECK_EQ(model_merge(m, 0, 0, 0), -EINVAL);
	CHECK_EQ(model_merge(m, 0x800, SZ_4K, 0), -EINVAL);
	CHECK_EQ(model_merge(m, ~0ull & ~0xfffull, 2 * SZ_4K, 0), -EOVERFLOW);
	CHECK_EQ(model_merge(m, 1ull << 48, SZ_4K, 0), -ERANGE);
	CHECK_EQ(model_merge(m, 0, SZ_1G, 0), 0);

	/* Page by page, OA contiguous and 2M aligned, two prots. */
	for (i = 0; i < 512; i++)
		CHECK_EQ(model_map(m, i * SZ_4K, 0x40000000 + i * SZ_4K, SZ_4K,
				   i < 256 ? RW : IOPGT_READ), 0);
	CHECK_EQ(model_merge(m, 0, SZ_1G, 0), 0);
	CHECK_EQ(model_count(m), 512);
	CHECK(!model_last_span(m, &start, &last));

	/* Same prot everywhere; one page carries dirt into the merge. */
	CHECK_EQ(model_unmap(m, SZ_2M / 2, SZ_2M / 2, &unmapped), 0);
	CHECK_EQ(unmapped, SZ_2M / 2);
	CHECK_EQ(model_map(m, SZ_2M / 2, 0x40000000 + SZ_2M / 2, SZ_2M / 2,
			   RW), 0);
	CHECK(model_set_dirty(m, 0x5000));
	/* A range not covering the whole block merges nothing... */
	CHECK_EQ(model_merge(m, 0, SZ_2M - SZ_4K, 0), 0);
	CHECK_EQ(model_count(m), 512);
	CHECK_EQ(model_merge(m, SZ_4K, SZ_2M, 0), 0);
	CHECK_EQ(model_count(m), 512);
	/* ...nor does one whose sizes exclude 2M... */
	CHECK_EQ(model_merge(m, 0, SZ_1G, SZ_1G), 0);
	CHECK_EQ(model_count(m), 512);
	/* ...but the block's own range does. */
	CHECK_EQ(model_merge(m, 0, SZ_2M, 0), 0);
	CHECK_EQ(model_count(m), 1);
	CHECK(model_lookup(m, 0, &leaf));
	CHECK_EQ(leaf.size_lg2, 21);
	CHECK_EQ(leaf.oa, 0x40000000);
	CHECK(leaf.dirty);
	CHECK(model_last_span(m, &start, &last));
	CHECK_EQ(start, 0);
	CHECK_EQ(last, SZ_2M - 1);
	model_clear(m);

	/* OA contiguous but not block aligned: stays 4K. */
	CHECK_EQ(model_map(m, 0, 0x1000, SZ_2M, RW), 0);
	CHECK_EQ(model_merge(m, 0, SZ_2M, 0), 0);
	CHECK_EQ(model_count(m), 512);
	model_clear(m);

	/* OA jumps in the middle: stays 4K. */
	CHECK_EQ(model_map(m, 0, 0x200000, SZ_1M_HALF, RW), 0);
	CHECK_EQ(model_map(m, SZ_1M_HALF, 0x200000 + SZ_1M_HALF + SZ_4K,
			   SZ_2M - SZ_1M_HALF, RW), 0);
	CHECK_EQ(model_merge(m, 0, SZ_2M, 0), 0);
	CHECK_EQ(model_count(m), 512);
	model_clear(m);

	/* A hole: the block does not merge, its neighbour does. */
	CHECK_EQ(model_map(m, 0, SZ_2M, 2 * SZ_2M, RW), 0);
	CHECK_EQ(model_split(m, 0, 2 * SZ_2M, 12), 0);
	CHECK_EQ(model_unmap(m, 0x3000, SZ_4K, &unmapped), 0);
	CHECK_EQ(model_merge(m, 0, SZ_1G, 0), 0);
	CHECK_EQ(model_count(m), 511 + 1);
	CHECK(model_lookup(m, SZ_2M, &leaf));
	CHECK_EQ(leaf.size_lg2, 21);
	model_clear(m);

	/* Straight from 4K to 1G when 2M is not allowed. */
	CHECK_EQ(model_map(m, SZ_1G, SZ_1G, SZ_1G, RW), 0);
	CHECK_EQ(model_split(m, SZ_1G, SZ_1G, 12), 0);
	CHECK_EQ(model_count(m), SZ_1G / SZ_4K);
	CHECK_EQ(model_merge(m, 0, 4 * SZ_1G, SZ_4K | SZ_1G), 0);
	CHECK_EQ(model_count(m), 1);
	CHECK(model_lookup(m, SZ_1G, &leaf));
	CHECK_EQ(leaf.size_lg2, 30);

	/* A merge never goes past the sizes the model allows. */
	model_destroy(m);
	m = model_create(SZ_4K | SZ_2M, 48, 48);
	CHECK(m);
	CHECK_EQ(model_map(m, SZ_1G, SZ_1G, SZ_1G, RW), 0);
	CHECK_EQ(model_count(m), 512);
	CHECK_EQ(model_merge(m, 0, 4 * SZ_1G, ~0ull), 0);
	CHECK_EQ(model_count(m), 512);
	model_destroy(m);
}

/*
 * An even plainer model, one record per 4K page of a 64 MiB space, with
 * the greedy choice written as "try the sizes from the largest down".
 */
#define NAIVE_LG2	26
#define NAIVE_PAGES	(1u << (NAIVE_LG2 - 12))

struct naive_page {
	bool mapped;
	u8 size_lg2;
	u32 prot;
	u64 leaf_iova;
	u64 pa;
};

static struct naive_page naive[NAIVE_PAGES];
static const unsigned int naive_sizes[] = { 21, 16, 12 };

static int naive_map(u64 iova, u64 pa, u64 len, u32 prot)
{
	u64 cur, p, size = 0, j;
	unsigned int k, lg2 = 0;

	if (!len || ((iova | pa | len) & (SZ_4K - 1)))
		return -EINVAL;
	if (!(prot & RW) || (prot & ~IOPGT_PROT_ALL))
		return -EINVAL;
	if (iova + len - 1 < iova || pa + len - 1 < pa)
		return -EOVERFLOW;
	if (iova + len > (1ull << NAIVE_LG2))
		return -ERANGE;
	for (cur = iova; cur < iova + len; cur += SZ_4K)
		if (naive[cur >> 12].mapped)
			return -EEXIST;
	for (cur = iova, p = pa; cur < iova + len; cur += size, p += size) {
		for (k = 0; k < 3; k++) {
			lg2 = naive_sizes[k];
			size = 1ull << lg2;
			if (!(cur % size) && !(p % size) &&
			    cur + size <= iova + len)
				break;
		}
		for (j = 0; j < size; j += SZ_4K) {
			struct naive_page *np = &naive[(cur + j) >> 12];

			np->mapped = true;
			np->size_lg2 = lg2;
			np->prot = prot;
			np->leaf_iova = cur;
			np->pa = p + j;
		}
	}
	return 0;
}

static int naive_unmap(u64 iova, u64 len, u64 *unmapped)
{
	u64 cur, j, size;

	*unmapped = 0;
	if (!len || ((iova | len) & (SZ_4K - 1)))
		return -EINVAL;
	if (iova + len - 1 < iova)
		return -EOVERFLOW;
	if (iova + len > (1ull << NAIVE_LG2))
		return -ERANGE;
	for (cur = iova; cur < iova + len; cur += SZ_4K) {
		struct naive_page *np = &naive[cur >> 12];
		u64 leaf = np->leaf_iova;

		if (!np->mapped)
			continue;
		size = 1ull << np->size_lg2;
		for (j = 0; j < size; j += SZ_4K)
			naive[(leaf + j) >> 12].mapped = false;
		*unmapped += size;
	}
	return *unmapped ? 0 : -ENOENT;
}

static void naive_compare(struct model *m)
{
	struct leaf_list *l = leaves_of(m);
	u64 j, pages = 0, n;
	size_t i;

	for (i = 0; i < l->n; i++) {
		struct model_leaf *leaf = &l->leaf[i];

		for (j = 0; j < (1ull << leaf->size_lg2); j += SZ_4K) {
			struct naive_page *np = &naive[(leaf->iova + j) >> 12];

			CHECK(np->mapped);
			CHECK_EQ(np->leaf_iova, leaf->iova);
			CHECK_EQ(np->size_lg2, leaf->size_lg2);
			CHECK_EQ(np->prot, leaf->prot);
			CHECK_EQ(np->pa, leaf->oa + j);
		}
		pages += 1ull << (leaf->size_lg2 - 12);
	}
	for (j = 0, n = 0; j < NAIVE_PAGES; j++)
		n += naive[j].mapped;
	CHECK_EQ(n, pages);
}

/* After split/merge the leaf cut may differ; adopt the model's. */
static void naive_adopt_leaves(struct model *m)
{
	struct leaf_list *l = leaves_of(m);
	size_t i;
	u64 j;

	for (i = 0; i < l->n; i++)
		for (j = 0; j < (1ull << l->leaf[i].size_lg2); j += SZ_4K) {
			naive[(l->leaf[i].iova + j) >> 12].leaf_iova =
				l->leaf[i].iova;
			naive[(l->leaf[i].iova + j) >> 12].size_lg2 =
				l->leaf[i].size_lg2;
		}
}

static u64 random_len(void)
{
	switch (rnd_below(4)) {
	case 0:
		return (1 + rnd_below(4)) << 12;
	case 1:
		return (1 + rnd_below(64)) << 12;
	case 2:
		return (1 + rnd_below(4)) << 21;
	default:
		return (1 + rnd_below(1024)) << 12;
	}
}

static u64 random_addr(u64 limit)
{
	u64 a = rnd_below(limit >> 12) << 12;

	if (rnd_below(2))
		a &= ~(rnd_below(2) ? SZ_64K - 1 : SZ_2M - 1);
	return a;
}

static void test_model_agrees_with_page_by_page_model(void)
{
	struct model *m = model_create(SZ_4K | SZ_64K | SZ_2M, NAIVE_LG2, 40);
	u64 iova, pa, len, un_m, un_n, pa_m, start, last;
	struct model *before;
	unsigned int round;
	u32 prot;
	int rm, rn;

	CHECK(m);
	memset(naive, 0, sizeof(naive));
	rng_state = 0xfeedface;
	for (round = 0; round < 20000; round++) {
		u64 op = rnd_below(10);

		iova = random_addr(1ull << NAIVE_LG2);
		len = random_len();
		if (op < 6) {
			pa = random_addr(1ull << 40);
			if (rnd_below(8) == 0)
				pa = iova;
			prot = rnd_below(16) ? RW : IOPGT_READ;
			if (rnd_below(50) == 0)
				prot = 0;
			rm = model_map(m, iova, pa, len, prot);
			rn = naive_map(iova, pa, len, prot);
			CHECK_EQ(rm, rn);
		} else if (op < 9) {
			rm = model_unmap(m, iova, len, &un_m);
			rn = naive_unmap(iova, len, &un_n);
			CHECK_EQ(rm, rn);
			CHECK_EQ(un_m, un_n);
			if (!rm) {
				CHECK(model_last_span(m, &start, &last));
				CHECK(start <= iova + len - 1 && last >= iova);
				CHECK(last - start + 1 >= un_m);
			}
		} else {
			before = model_clone(m);
			CHECK(before);
			rm = model_split(m, iova, len,
					 naive_sizes[rnd_below(3)]);
			CHECK_EQ(rm, iova + len > (1ull << NAIVE_LG2) ?
				 -ERANGE : 0);
			CHECK(model_same_translation(m, before, NULL));
			if (rnd_below(2))
				CHECK_EQ(model_merge(m, 0, 1ull << NAIVE_LG2,
						     0), 0);
			CHECK(model_same_translation(m, before, NULL));
			model_destroy(before);
			naive_adopt_leaves(m);
		}
		if (round % 64 == 0 || op >= 9) {
			naive_compare(m);
			check_invariants(m, NAIVE_LG2);
		}
		iova = random_addr(1ull << NAIVE_LG2) + rnd_below(SZ_4K);
		rm = model_translate(m, iova, &pa_m);
		CHECK_EQ(rm, naive[iova >> 12].mapped ? 0 : -ENOENT);
		if (!rm)
			CHECK_EQ(pa_m, naive[iova >> 12].pa + (iova & 0xfff));
	}
	model_destroy(m);
}

/* The gap keeps ascending and descending edit patterns cheap. */
static void test_many_leaves_stay_fast(void)
{
	struct model *m = model_create(SZ_4K | SZ_2M, 48, 48);
	u64 i, unmapped, n = 100000;

	CHECK(m);
	for (i = 0; i < n; i++)
		CHECK_EQ(model_map(m, i * 2 * SZ_4K, i * SZ_4K, SZ_4K, RW), 0);
	CHECK_EQ(model_count(m), n);
	/* Descending inserts into the holes. */
	for (i = n; i-- > 0;)
		CHECK_EQ(model_map(m, i * 2 * SZ_4K + SZ_4K, (n + i) * SZ_4K,
				   SZ_4K, IOPGT_READ), 0);
	CHECK_EQ(model_count(m), 2 * n);
	check_invariants(m, 48);
	for (i = 0; i < 2 * n; i += 2)
		CHECK_EQ(model_unmap(m, i * SZ_4K, 2 * SZ_4K, &unmapped), 0);
	CHECK_EQ(model_count(m), 0);
	model_destroy(m);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	SELFTEST_RUN(test_map_picks_largest_aligned_size);
	SELFTEST_RUN(test_map_checks_arguments_in_order);
	SELFTEST_RUN(test_unmap_partial_large_leaf_removes_it_whole);
	SELFTEST_RUN(test_read_dirty_sets_pages_the_dirty_leaves_touch);
	SELFTEST_RUN(test_mark_dirty_leaves_reports_whole_leaves);
	SELFTEST_RUN(test_split_then_merge_restores_leaves);
	SELFTEST_RUN(test_merge_needs_contiguous_equal_aligned_leaves);
	SELFTEST_RUN(test_model_agrees_with_page_by_page_model);
	SELFTEST_RUN(test_many_leaves_stay_fast);
	free(leaf_buf.leaf);
	return selftest_exit_status("model_selftest");
}
