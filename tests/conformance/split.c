// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Split and merge: translations never change, dirty state survives both
 * ways, split then merge gives back the structure, allocation failure
 * changes nothing. Configs that need break-before-make without BBML2
 * must refuse with -EBUSY and change nothing (fx_split/fx_merge).
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

/*
 * Map a run of the smallest pages, then one leaf of every larger size up
 * to 2^30 (it_max_leaf_lg2; none in a config with one size); returns the
 * end.
 */
static u64 map_large(struct fx *fx, u64 base)
{
	u64 iova = base, unit = sz(min_lg2(fx));
	unsigned int s;

	if (!fx_map(fx, iova, iova + 3 * unit, 16 * unit,
		    IOPGT_READ | IOPGT_WRITE, 0, NULL))
		return 0;
	iova += 16 * unit;
	for (s = min_lg2(fx) + 1;
	     s <= it_max_leaf_lg2(fx->t, min_lg2(fx)) && s + 2 < fx_ias(fx);
	     s++) {
		if (!fx_size_ok(fx, s))
			continue;
		iova = (iova + sz(s) - 1) & ~(sz(s) - 1);
		if (!fx_map(fx, iova, iova + sz(s), sz(s),
			    IOPGT_READ | IOPGT_WRITE, 0, NULL))
			return 0;
		iova += sz(s);
	}
	return iova;
}

static bool same_translation(struct fx *fx, struct model *before)
{
	struct model *now = fx_snapshot(fx);
	u64 at = 0;
	bool same;

	if (!now)
		return false;
	same = model_same_translation(before, now, &at);
	model_destroy(now);
	if (!same)
		IT_FAIL(fx->t, "translation changed at 0x%llx",
			(unsigned long long)at);
	return same;
}

static void split_keeps_translation_and_dirty_state(struct it *t)
{
	struct fx fx;
	struct model *before;
	u64 end, base = 0;
	unsigned int s;

	IT_CHECK(t, fx_setup_dirty(t, &fx));
	fx.check_dirty = true;
	end = map_large(&fx, base);
	IT_ASSERT(t, end);
	/* dirty a page in every other leaf */
	for (s = 0; s < 16; s++)
		IT_CHECK(t, fx_dma_write(&fx, (end / 16) * s &
					 ~(sz(min_lg2(&fx)) - 1)));
	IT_CHECK(t, fx_check(&fx));
	before = fx_snapshot(&fx);
	IT_ASSERT(t, before);
	for (s = it_max_leaf_lg2(t, min_lg2(&fx)); s >= min_lg2(&fx); s--) {
		if (!fx_size_ok(&fx, s))
			continue;
		if (!fx_split(&fx, base, end - base, s, 0))
			break;
		if (!fx_check(&fx) || !same_translation(&fx, before))
			break;
	}
	model_destroy(before);
	IT_CHECK(t, !t->failed);
	IT_CHECK(t, fx_read_dirty(&fx, base, end - base, 0, base, 12));
	IT_CHECK(t, fx_teardown(&fx));
}

static void split_then_merge_gives_back_the_structure(struct it *t)
{
	struct fx fx;
	struct model *before;
	u64 end;
	bool same;

	IT_CHECK(t, fx_setup(t, &fx, 0));
	end = map_large(&fx, 0);
	IT_ASSERT(t, end);
	before = fx_snapshot(&fx);
	IT_ASSERT(t, before);
	IT_CHECK(t, fx_split(&fx, 0, end, min_lg2(&fx), 0));
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_merge(&fx, 0, end, 0));
	IT_CHECK(t, fx_check(&fx));
	/* refused with -EBUSY: the structure was never split */
	same = fx_bbm_blocked(&fx) ||
	       fx_unchanged(&fx, before, "split then merge");
	model_destroy(before);
	IT_ASSERT(t, same);
	IT_CHECK(t, fx_teardown(&fx));
}

/*
 * A ladder of leaves of every size from 4x the smallest block up, in one
 * table (AMD v1 replicas of 4M..512M at level 1, ARM contiguous runs where
 * offered), the device writing in some of them, and the lower half split
 * to the smallest block then merged back: the dirty state of every leaf,
 * inside the range and beside it, stays where it was.
 */
static void split_merge_of_a_ladder_keeps_each_leaf_s_dirty_state(
	struct it *t)
{
	struct fx fx;
	unsigned int blk, top, s;
	u64 base, at, len;

	IT_CHECK(t, fx_setup_dirty(t, &fx));
	if (fx_bbm_blocked(&fx)) {
		IT_CHECK(t, fx_teardown(&fx));
		return;
	}
	fx.check_dirty = true;
	blk = fx_item_lg2(&fx, 1);
	top = fx_item_lg2(&fx, 2);
	if (top + 1 > fx_ias(&fx) || top + 1 > fx.pt.cfg.oas ||
	    !fx_size_ok(&fx, blk)) {
		IT_CHECK(t, fx_teardown(&fx));
		return;
	}
	base = sz(top);
	/* [base + 2 blk, base + top): leaves of 2, 4, ... blocks if allowed */
	at = base + 2 * sz(blk);
	len = sz(top) - 2 * sz(blk);
	IT_CHECK(t, fx_map(&fx, at, at, len, IOPGT_READ | IOPGT_WRITE, 0,
			   NULL));
	/* one write every 1/16 of the table, from its third block on */
	for (s = 0; s < 16; s++)
		if (base + s * (sz(top) / 16) >= at)
			IT_CHECK(t, fx_dma_write(&fx, base + s * (sz(top) / 16) +
						     sz(blk) + 5 * sz(12)));
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_split(&fx, base, sz(top - 1), blk, 0));
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_merge(&fx, base, sz(top - 1), 0));
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_read_dirty(&fx, base, sz(top), 0, base, 12));
	IT_CHECK(t, fx_teardown(&fx));
}

/* Small leaves mapped one by one with contiguous PA merge into large. */
static void merge_combines_runs_and_ors_dirty_state(struct it *t)
{
	struct fx fx;
	u64 unit, span, i, rnd = t->seed;
	unsigned int lvl1;

	IT_CHECK(t, fx_setup_dirty(t, &fx));
	fx.check_dirty = true;
	unit = sz(min_lg2(&fx));
	lvl1 = fx_item_lg2(&fx, fx.pt.levels > 1 ? 1 : 0);
	span = 4 * sz(lvl1);
	for (i = 0; i < span; i += 16 * unit)
		IT_CHECK(t, fx_map(&fx, span + i, 2 * span + i, 16 * unit,
				   IOPGT_READ | IOPGT_WRITE, 0, NULL));
	/* a hole and a permission change stop a merge */
	IT_CHECK(t, fx_unmap(&fx, span + 3 * span / 4, 16 * unit, 0, NULL));
	IT_CHECK(t, fx_unmap(&fx, span + span / 2, 16 * unit, 0, NULL));
	IT_CHECK(t, fx_map(&fx, span + span / 2, 2 * span + span / 2,
			   16 * unit, IOPGT_READ, 0, NULL));
	for (i = 0; i < 20; i++)
		IT_CHECK(t, fx_dma_write(&fx, span + it_rand_below(&rnd,
				span / 2 / unit) * unit));
	IT_CHECK(t, fx_merge(&fx, span, span, 0));
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_read_dirty(&fx, span, span, 0, span, 12));
	/* merging again changes nothing */
	IT_CHECK(t, fx_merge(&fx, span, span, 0));
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_teardown(&fx));
}

static void split_alloc_failure_leaves_table_unchanged(struct it *t)
{
	struct fx fx;
	struct model *before;
	struct iopgt_gather g;
	u64 end, live;
	unsigned int n, failures = 0;
	int ret;

	IT_CHECK(t, fx_setup(t, &fx, 0));
	end = map_large(&fx, 0);
	IT_ASSERT(t, end);
	before = fx_snapshot(&fx);
	IT_ASSERT(t, before);
	live = talloc_live(fx.ta);
	/* every early allocation, then ever larger steps up to success */
	for (n = 0;; n = n < 8 ? n + 1 : n * 2) {
		iopgt_gather_init(&g);
		/* fail the (n+1)-th allocation */
		talloc_fail_after(fx.ta, n);
		ret = iopgt_split(&fx.pt, 0, end, min_lg2(&fx), 0, 0, &g);
		talloc_fail_after(fx.ta, -1);
		if (ret != -ENOMEM)
			break;
		failures++;
		IT_ASSERT(t, g.start > g.last && !g.detached);
		IT_ASSERT_EQ(t, talloc_live(fx.ta), live);
		if (!fx_unchanged(&fx, before, "after failed split"))
			break;
	}
	model_destroy(before);
	IT_CHECK(t, !t->failed);
	if (fx_bbm_blocked(&fx)) {
		IT_ASSERT_RET(t, ret, -EBUSY);
	} else {
		IT_ASSERT_RET(t, ret, 0);
		IT_ASSERT(t, failures >= 1 || end <= sz(21));
		IT_ASSERT_RET(t, model_split(fx.m, 0, end, min_lg2(&fx)), 0);
		fx_flush(&fx, &g, NULL);
	}
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_teardown(&fx));
}

static void split_and_merge_bad_input(struct it *t)
{
	struct fx fx;
	struct iopgt_gather g;
	u64 unit;

	IT_CHECK(t, fx_setup(t, &fx, 0));
	unit = sz(min_lg2(&fx));
	IT_ASSERT(t, map_large(&fx, 0));
	iopgt_gather_init(&g);
	IT_ASSERT_RET(t, iopgt_split(&fx.pt, 0, 0, min_lg2(&fx), 0, 0, &g),
		      -EINVAL);
	IT_ASSERT_RET(t, iopgt_split(&fx.pt, unit / 2, unit, min_lg2(&fx), 0, 0,
				     &g), -EINVAL);
	IT_ASSERT_RET(t, iopgt_split(&fx.pt, 0, unit, 5, 0, 0, &g), -EINVAL);
	IT_ASSERT_RET(t, iopgt_split(&fx.pt, 0, unit, min_lg2(&fx), 0x10, 0,
				     &g), -EINVAL);
	IT_ASSERT_RET(t, iopgt_split(&fx.pt, 0, unit, min_lg2(&fx), 0, 0, NULL),
		      -EINVAL);
	IT_ASSERT_RET(t, iopgt_split(&fx.pt, ~0ull & ~(unit - 1), 2 * unit,
				     min_lg2(&fx), 0, 0, &g), -EOVERFLOW);
	IT_ASSERT_RET(t, iopgt_merge(&fx.pt, 0, 0, 0, &g), -EINVAL);
	IT_ASSERT_RET(t, iopgt_merge(&fx.pt, 0, unit, 0x10, &g), -EINVAL);
	if (fx_ias(&fx) < 64) {
		IT_ASSERT_RET(t, iopgt_split(&fx.pt, sz(fx_ias(&fx)), unit,
					     min_lg2(&fx), 0, 0, &g), -ERANGE);
		IT_ASSERT_RET(t, iopgt_merge(&fx.pt, sz(fx_ias(&fx)), unit, 0,
					     &g), -ERANGE);
	}
	IT_ASSERT(t, g.start > g.last && !g.detached);
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_teardown(&fx));
}

/*
 * IOPGT_SPLIT_ALLOW_FAULT: where break-before-make has no safe sequence
 * (ARM BBML0) the caller may accept a window in which the device faults;
 * the second step happens in gather release. Elsewhere the flag changes
 * nothing. Either way the result is the plain split and merge's.
 */
static void split_and_merge_with_a_fault_window(struct it *t)
{
	struct fx fx;
	struct model *before;
	struct iopgt_gather g;
	u64 end;
	bool same;

	IT_CHECK(t, fx_setup(t, &fx, 0));
	end = map_large(&fx, 0);
	IT_ASSERT(t, end);
	before = fx_snapshot(&fx);
	IT_ASSERT(t, before);
	iopgt_gather_init(&g);
	IT_ASSERT_RET(t, iopgt_split(&fx.pt, 0, end, min_lg2(&fx),
				     IOPGT_SPLIT_ALLOW_FAULT, 0, &g), 0);
	IT_ASSERT_RET(t, model_split(fx.m, 0, end, min_lg2(&fx)), 0);
	fx_flush(&fx, &g, NULL);
	IT_CHECK(t, fx_check(&fx));
	iopgt_gather_init(&g);
	IT_ASSERT_RET(t, iopgt_merge(&fx.pt, 0, end, IOPGT_SPLIT_ALLOW_FAULT,
				     &g), 0);
	IT_ASSERT_RET(t, model_merge(fx.m, 0, end, 0), 0);
	fx_flush(&fx, &g, NULL);
	IT_CHECK(t, fx_check(&fx));
	same = fx_unchanged(&fx, before, "split then merge");
	model_destroy(before);
	IT_ASSERT(t, same);
	IT_CHECK(t, fx_teardown(&fx));
}

const struct it_case it_cases_split[] = {
	{ "split_merge_of_a_ladder_keeps_each_leaf_s_dirty_state",
	  split_merge_of_a_ladder_keeps_each_leaf_s_dirty_state },
	{ "split_and_merge_with_a_fault_window",
	  split_and_merge_with_a_fault_window },
	{ "split_keeps_translation_and_dirty_state",
	  split_keeps_translation_and_dirty_state },
	{ "split_then_merge_gives_back_the_structure",
	  split_then_merge_gives_back_the_structure },
	{ "merge_combines_runs_and_ors_dirty_state",
	  merge_combines_runs_and_ors_dirty_state },
	{ "split_alloc_failure_leaves_table_unchanged",
	  split_alloc_failure_leaves_table_unchanged },
	{ "split_and_merge_bad_input", split_and_merge_bad_input },
};

const unsigned int it_ncases_split = sizeof(it_cases_split) /
				     sizeof(it_cases_split[0]);
