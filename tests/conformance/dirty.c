// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Dirty tracking: the device writes through the software IOMMU, iopgt
 * harvests, the model says what the bitmap must hold.
 */
#include <stdlib.h>

#include "harness/fixture.h"
#include "cases.h"

static u64 sz(unsigned int lg2)
{
	return 1ull << lg2;
}

static unsigned int min_lg2(const struct fx *fx)
{
	return __builtin_ctzll(fx->pt.pgsize_bitmap);
}

/* Largest page size of the config at most 2^@max_lg2. */
static unsigned int size_at_most(const struct fx *fx, unsigned int max_lg2)
{
	u64 s = fx->pt.pgsize_bitmap & (sz(max_lg2 + 1) - 1);

	return 63 - __builtin_clzll(s);
}

static bool dirty_setup(struct it *t, struct fx *fx)
{
	return fx_setup_dirty(t, fx);
}

/*
 * A mix: small pages over two level-0 tables (PA misaligned), then the
 * largest leaves up to 2^30 (it_max_leaf_lg2) twice, then a run of every size below that.
 * Returns the end of what it mapped.
 */
static u64 map_mix(struct fx *fx)
{
	unsigned int small = min_lg2(fx), big, s;
	u64 unit = sz(small), iova, span;

	span = sz(fx_item_lg2(fx, fx->pt.levels > 1 ? 1 : 0)) * 2;
	if (!fx_map(fx, span, span + unit, span, IOPGT_READ | IOPGT_WRITE, 0,
		    NULL))
		return 0;
	big = it_max_leaf_lg2(fx->t, small);
	big = size_at_most(fx, fx_ias(fx) - 3 < big ? fx_ias(fx) - 3 : big);
	iova = 4 * sz(big) > 2 * span ? 4 * sz(big) : 2 * span;
	iova = (iova + sz(big) - 1) & ~(sz(big) - 1);
	if (!fx_map(fx, iova, iova, 2 * sz(big), IOPGT_READ | IOPGT_WRITE, 0,
		    NULL))
		return 0;
	iova += 2 * sz(big);
	for (s = small; s < big; s++) {
		if (!fx_size_ok(fx, s))
			continue;
		iova = (iova + sz(s) - 1) & ~(sz(s) - 1);
		if (!fx_map(fx, iova, iova, sz(s), IOPGT_READ | IOPGT_WRITE,
			    0, NULL))
			return 0;
		iova += sz(s);
	}
	return iova;
}

/* Write @n random mapped pages below @end. */
static bool write_random(struct fx *fx, u64 *rnd, u64 end, unsigned int n)
{
	u64 unit = sz(min_lg2(fx));
	struct model_leaf leaf;
	unsigned int i, tries = 0;

	for (i = 0; i < n && tries < 100 * n; tries++) {
		u64 iova = it_rand_below(rnd, end / unit) * unit;

		if (!model_lookup(fx->m, iova, &leaf))
			continue;
		if (!fx_dma_write(fx, iova))
			return false;
		i++;
	}
	return true;
}

static void read_dirty_reports_written_pages_and_clears(struct it *t)
{
	struct fx fx;
	u64 rnd = t->seed, end;
	unsigned int round;

	IT_CHECK(t, dirty_setup(t, &fx));
	end = map_mix(&fx);
	IT_ASSERT(t, end);
	IT_CHECK(t, fx_check(&fx));
	for (round = 0; round < it_scaled(t, 4); round++) {
		IT_CHECK(t, write_random(&fx, &rnd, end, 40));
		IT_CHECK(t, fx_check(&fx));
		IT_CHECK(t, fx_read_dirty(&fx, 0, end, 0, 0, 12));
		IT_CHECK(t, fx_check(&fx));
		/* a second read finds nothing */
		IT_CHECK(t, fx_read_dirty(&fx, 0, end, 0, 0, 12));
	}
	IT_CHECK(t, fx_teardown(&fx));
}

static void no_clear_reports_the_same_twice(struct it *t)
{
	struct fx fx;
	u64 rnd = t->seed, end;

	IT_CHECK(t, dirty_setup(t, &fx));
	end = map_mix(&fx);
	IT_ASSERT(t, end);
	IT_CHECK(t, write_random(&fx, &rnd, end, 30));
	IT_CHECK(t, fx_read_dirty(&fx, 0, end, IOPGT_DIRTY_NO_CLEAR, 0, 12));
	IT_CHECK(t, fx_read_dirty(&fx, 0, end, IOPGT_DIRTY_NO_CLEAR, 0, 12));
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_read_dirty(&fx, 0, end, 0, 0, 12));
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_teardown(&fx));
}

/* Bitmap granules 2^12..2^30, ranges and bases not on leaf boundaries. */
static void bitmap_geometry_and_unaligned_ranges(struct it *t)
{
	static const unsigned int shifts[] = { 12, 13, 15, 16, 20, 21, 25, 30 };
	struct fx fx;
	u64 rnd = t->seed, end, unit, first, len, base;
	unsigned int i, k;

	IT_CHECK(t, dirty_setup(t, &fx));
	end = map_mix(&fx);
	IT_ASSERT(t, end);
	unit = sz(min_lg2(&fx));
	for (i = 0; i < sizeof(shifts) / sizeof(shifts[0]); i++) {
		for (k = 0; k < it_scaled(t, 3); k++) {
			unsigned int ps = shifts[i];

			IT_CHECK(t, write_random(&fx, &rnd, end, 20));
			first = it_rand_below(&rnd, end / unit / 2) * unit;
			len = (it_rand_below(&rnd, (end - first) / unit) + 1) *
			      unit;
			base = (first - it_rand_below(&rnd, first / unit + 1) *
					unit) & ~(sz(ps) - 1);
			IT_CHECK(t, fx_read_dirty(&fx, first, len, 0, base,
						  ps));
			IT_CHECK(t, fx_check(&fx));
		}
	}
	IT_CHECK(t, fx_teardown(&fx));
}

/*
 * A leaf spread over several slots (AMD NextLevel=7, ARM contiguous): the
 * hardware marks one slot; the leaf is dirty as a whole and every slot is
 * cleaned.
 */
static void replicated_leaf_dirty_in_one_slot_is_dirty_whole(struct it *t)
{
	struct fx fx;
	unsigned int s, lvl, tested = 0;
	u64 iova = 0;

	IT_CHECK(t, dirty_setup(t, &fx));
	for (s = min_lg2(&fx); s < 31 && s + 2 < fx_ias(&fx); s++) {
		if (!fx_size_ok(&fx, s))
			continue;
		for (lvl = 0; fx_item_lg2(&fx, lvl + 1) <= s; lvl++)
			;
		if (fx_item_lg2(&fx, lvl) == s)
			continue;
		iova = (iova + sz(s) - 1) & ~(sz(s) - 1);
		IT_CHECK(t, fx_map(&fx, iova, iova, sz(s),
				   IOPGT_READ | IOPGT_WRITE, 0, NULL));
		/* the last slot of the leaf */
		IT_CHECK(t, fx_dma_write(&fx, iova + sz(s) -
						  sz(fx_item_lg2(&fx, lvl))));
		IT_CHECK(t, fx_check(&fx));
		/*
		 * Reads of the first half, from the slot before it, and of a
		 * span from an unmapped slot before the leaf into its first
		 * half: windows of many slots that start on the leaf's first
		 * slot or before it and end inside it, the dirty slot
		 * outside.
		 */
		IT_CHECK(t, fx_read_dirty(&fx, iova, sz(s - 1),
					  IOPGT_DIRTY_NO_CLEAR, iova, 12));
		if (iova >= sz(s))
			IT_CHECK(t, fx_read_dirty(&fx, iova - sz(s - 1),
						  sz(s), IOPGT_DIRTY_NO_CLEAR,
						  iova - sz(s - 1), 12));
		/* a read of the first slot alone: the dirty slot is outside */
		IT_CHECK(t, fx_read_dirty(&fx, iova, sz(fx_item_lg2(&fx, lvl)),
					  IOPGT_DIRTY_NO_CLEAR, iova, 12));
		IT_CHECK(t, fx_read_dirty(&fx, iova, sz(fx_item_lg2(&fx, lvl)),
					  0, iova, 12));
		IT_CHECK(t, fx_read_dirty(&fx, iova, sz(s), 0, iova, 12));
		IT_CHECK(t, fx_check(&fx));
		IT_CHECK(t, fx_read_dirty(&fx, iova, sz(s), 0, iova, 12));
		iova += sz(s);
		tested++;
	}
	/* configs without such sizes have nothing to test here */
	IT_ASSERT(t, tested || !(fx.pt.pgsize_bitmap & ~(sz(12) | sz(21) |
							  sz(30) | sz(39))) ||
		     fx.pt.cfg.format != IOPGT_FMT_AMDV1);
	IT_CHECK(t, fx_teardown(&fx));
}

static void clean_only_when_no_bitmap(struct it *t)
{
	struct fx fx;
	struct iopgt_gather g;
	u64 rnd = t->seed, end, s0, s1;

	IT_CHECK(t, dirty_setup(t, &fx));
	end = map_mix(&fx);
	IT_ASSERT(t, end);
	IT_CHECK(t, write_random(&fx, &rnd, end, 30));
	iopgt_gather_init(&g);
	IT_ASSERT_RET(t, iopgt_read_dirty(&fx.pt, 0, end, 0, NULL, &g), 0);
	IT_ASSERT_RET(t, model_read_dirty(fx.m, 0, end, true, 0, 12, NULL, 0),
		      0);
	IT_ASSERT(t, model_last_span(fx.m, &s0, &s1));
	IT_ASSERT(t, g.start <= s0 && g.last >= s1);
	fx_flush(&fx, &g, NULL);
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_read_dirty(&fx, 0, end, IOPGT_DIRTY_NO_CLEAR, 0, 12));
	IT_CHECK(t, fx_teardown(&fx));
}

/* After the caller invalidates, a new write to a reported page shows. */
static void write_after_harvest_shows_in_the_next(struct it *t)
{
	struct fx fx;
	u64 end, unit, page;
	unsigned int i;

	IT_CHECK(t, dirty_setup(t, &fx));
	end = map_mix(&fx);
	IT_ASSERT(t, end);
	unit = sz(min_lg2(&fx));
	page = end - unit;
	for (i = 0; i < 3; i++) {
		IT_CHECK(t, fx_dma_write(&fx, page));
		IT_CHECK(t, fx_dma_write(&fx, page));
		IT_CHECK(t, fx_read_dirty(&fx, 0, end, 0, 0, 12));
	}
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_teardown(&fx));
}

static void unmap_read_dirty_reports_what_was_written(struct it *t)
{
	struct fx fx;
	u64 rnd = t->seed, end, unit, cut;
	unsigned int round;

	IT_CHECK(t, dirty_setup(t, &fx));
	unit = sz(min_lg2(&fx));
	for (round = 0; round < it_scaled(t, 3); round++) {
		end = map_mix(&fx);
		IT_ASSERT(t, end);
		IT_CHECK(t, write_random(&fx, &rnd, end, 60));
		/* a piece from the middle (partial leaves go whole), then all */
		cut = it_rand_below(&rnd, end / unit / 2) * unit;
		IT_CHECK(t, fx_unmap_read_dirty(&fx, cut, end / 3 & ~(unit - 1),
						0, 12, FX_ANY));
		IT_CHECK(t, fx_check(&fx));
		IT_CHECK(t, fx_unmap_read_dirty(&fx, 0, end, 0, 12, 0));
		IT_CHECK(t, fx_check(&fx));
		IT_ASSERT_EQ(t, model_count(fx.m), 0);
	}
	IT_CHECK(t, fx_teardown(&fx));
}

static void read_dirty_bad_input_changes_nothing(struct it *t)
{
	struct fx fx;
	struct iopgt_gather g;
	u64 words[4] = { 0 }, rnd = t->seed, end, unit;
	struct iopgt_bitmap bm = { .pgshift = 12, .words = words, .nbits = 256 };
	struct iopgt_bitmap bad;

	IT_CHECK(t, dirty_setup(t, &fx));
	end = map_mix(&fx);
	IT_ASSERT(t, end);
	unit = sz(min_lg2(&fx));
	IT_CHECK(t, write_random(&fx, &rnd, end, 30));
	iopgt_gather_init(&g);
	IT_ASSERT_RET(t, iopgt_read_dirty(&fx.pt, 0, 0, 0, &bm, &g), -EINVAL);
	IT_ASSERT_RET(t, iopgt_read_dirty(&fx.pt, unit / 2, unit, 0, &bm, &g),
		      -EINVAL);
	IT_ASSERT_RET(t, iopgt_read_dirty(&fx.pt, 0, unit, 0x80, &bm, &g),
		      -EINVAL);
	IT_ASSERT_RET(t, iopgt_read_dirty(&fx.pt, 0, unit, 0, &bm, NULL),
		      -EINVAL);
	bad = bm;
	bad.pgshift = 11;
	IT_ASSERT_RET(t, iopgt_read_dirty(&fx.pt, 0, unit, 0, &bad, &g),
		      -EINVAL);
	bad = bm;
	bad.base = 0x1000;
	bad.pgshift = 13;
	IT_ASSERT_RET(t, iopgt_read_dirty(&fx.pt, 0, unit, 0, &bad, &g),
		      -EINVAL);
	bad = bm;
	bad.words = NULL;
	IT_ASSERT_RET(t, iopgt_read_dirty(&fx.pt, 0, unit, 0, &bad, &g),
		      -EINVAL);
	IT_ASSERT_RET(t, iopgt_read_dirty(&fx.pt, ~0ull & ~(unit - 1),
					  2 * unit, 0, &bm, &g), -EOVERFLOW);
	if (fx_ias(&fx) < 64)
		IT_ASSERT_RET(t, iopgt_read_dirty(&fx.pt, sz(fx_ias(&fx)),
						  unit, 0, &bm, &g), -ERANGE);
	IT_ASSERT(t, g.start > g.last && !g.detached);
	IT_ASSERT_EQ(t, words[0] | words[1] | words[2] | words[3], 0);
	/* nothing was cleaned: the model still agrees, dirty bits included */
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_teardown(&fx));
}

struct stretches {
	u64 *words;
	u64 nbits;
	unsigned int calls;
	u64 prev_last;
	bool ordered;
};

static void record_stretch(void *ctx, u64 iova, u64 len)
{
	struct stretches *s = ctx;
	u64 bit;

	s->calls++;
	if (s->calls > 1 && iova <= s->prev_last + 1)
		s->ordered = false;
	s->prev_last = iova + len - 1;
	for (bit = iova >> 12; bit <= (iova + len - 1) >> 12; bit++)
		if (bit < s->nbits)
			s->words[bit / 64] |= 1ull << (bit % 64);
}

/* With a record callback, adjacent dirty stretches come as one call. */
static void record_callback_gets_merged_stretches(struct it *t)
{
	struct fx fx;
	struct iopgt_gather g;
	struct stretches st = { .ordered = true };
	struct iopgt_bitmap bm = { .pgshift = 12, .record = record_stretch };
	u64 rnd = t->seed, end, *want, unit, i;

	IT_CHECK(t, dirty_setup(t, &fx));
	end = map_mix(&fx);
	IT_ASSERT(t, end);
	unit = sz(min_lg2(&fx));
	/* a run of consecutive small pages: one stretch */
	for (i = 0; i < 8; i++)
		IT_CHECK(t, fx_dma_write(&fx, end - (i + 1) * unit));
	IT_CHECK(t, write_random(&fx, &rnd, end, 20));
	st.nbits = (end >> 12) + 64;
	st.words = calloc(st.nbits / 64 + 1, 8);
	want = calloc(st.nbits / 64 + 1, 8);
	IT_ASSERT(t, st.words && want);
	bm.ctx = &st;
	iopgt_gather_init(&g);
	IT_ASSERT_RET(t, iopgt_read_dirty(&fx.pt, 0, end, 0, &bm, &g), 0);
	IT_ASSERT_RET(t, model_read_dirty(fx.m, 0, end, true, 0, 12, want,
					  st.nbits), 0);
	fx_flush(&fx, &g, NULL);
	for (i = 0; i < st.nbits / 64 + 1; i++)
		if (st.words[i] != want[i])
			break;
	free(st.words);
	free(want);
	IT_ASSERT_EQ(t, i, st.nbits / 64 + 1);
	/* ascending and never two touching stretches */
	IT_ASSERT(t, st.ordered);
	IT_ASSERT(t, st.calls >= 1);
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_teardown(&fx));
}

const struct it_case it_cases_dirty[] = {
	{ "read_dirty_reports_written_pages_and_clears",
	  read_dirty_reports_written_pages_and_clears },
	{ "no_clear_reports_the_same_twice", no_clear_reports_the_same_twice },
	{ "bitmap_geometry_and_unaligned_ranges",
	  bitmap_geometry_and_unaligned_ranges },
	{ "replicated_leaf_dirty_in_one_slot_is_dirty_whole",
	  replicated_leaf_dirty_in_one_slot_is_dirty_whole },
	{ "clean_only_when_no_bitmap", clean_only_when_no_bitmap },
	{ "write_after_harvest_shows_in_the_next",
	  write_after_harvest_shows_in_the_next },
	{ "unmap_read_dirty_reports_what_was_written",
	  unmap_read_dirty_reports_what_was_written },
	{ "read_dirty_bad_input_changes_nothing",
	  read_dirty_bad_input_changes_nothing },
	{ "record_callback_gets_merged_stretches",
	  record_callback_gets_merged_stretches },
};

const unsigned int it_ncases_dirty = sizeof(it_cases_dirty) /
				     sizeof(it_cases_dirty[0]);
