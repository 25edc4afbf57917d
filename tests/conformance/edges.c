// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The edges where a write could be lost or a table left unsafe: a device
 * that holds stale cached entries across an edit (it reads just before,
 * writes just after, before the invalidation), merges that collapse
 * several levels at once, splits of leaves that fill several slots,
 * second steps of break-before-make edits whose range changed meanwhile,
 * and bitmaps that cannot hold what a call owes.
 */
#include <stdlib.h>

#include "harness/fixture.h"
#include "support/le.h"
#include "cases.h"

static u64 sz(unsigned int lg2)
{
	return 1ull << lg2;
}

static unsigned int min_lg2(const struct fx *fx)
{
	return __builtin_ctzll(fx->pt.pgsize_bitmap);
}

static bool bit_set(const u64 *words, u64 bit)
{
	return words[bit / 64] & (1ull << (bit % 64));
}

/* The CPU address of table memory at @pa, as iopgt reaches it. */
static u64 *table_va(struct fx *fx, u64 pa)
{
	const struct iopgt_ops *ops = fx->pt.cfg.ops;

	if (ops->phys_to_virt)
		return ops->phys_to_virt(fx->pt.cfg.ctx, pa);
	return test_va(pa);
}

/*
 * The largest level whose item a merge can rebuild from the smallest
 * pages, within 1 GiB (it_max_leaf_lg2; so the split to the smallest page stays small):
 * 2 where the items of levels 1 and 2 are both page sizes, else 1, else 0
 * (no merge possible).
 */
static unsigned int merge_top_level(const struct fx *fx)
{
	unsigned int l;

	for (l = fx->pt.levels > 2 ? 2 : fx->pt.levels - 1; l >= 1; l--) {
		unsigned int lg2 = fx_item_lg2(fx, l);

		if (lg2 <= it_max_leaf_lg2(fx->t, min_lg2(fx)) &&
		    lg2 < fx_ias(fx) && fx_size_ok(fx, lg2) &&
		    (l == 1 || fx_size_ok(fx, fx_item_lg2(fx, 1))))
			return l;
	}
	return 0;
}

/*
 * Map one item of @top, split it to the smallest page, harvest it clean,
 * let the device read @probe (caching a clean smallest-page entry, and the
 * table pointers on the way), merge the whole item in one call, and let
 * the device write @probe through what it cached before the invalidation.
 * With @table_ptr_only the device keeps only the cached table pointers
 * (its IOTLB entry for @probe is dropped first), so the write walks the
 * detached smallest-page table from its paging-structure cache. After the
 * invalidation and release the harvest must report the write.
 */
static void merge_with_stale_entry(struct it *t, bool table_ptr_only)
{
	struct fx fx;
	struct iopgt_gather g;
	unsigned int top, unit_lg2;
	u64 big, probe, pa;
	int re, rm;

	IT_CHECK(t, fx_setup_dirty(t, &fx));
	if (fx_bbm_blocked(&fx) || !(top = merge_top_level(&fx))) {
		/* no live merge here: -EBUSY is checked in split.c */
		IT_CHECK(t, fx_teardown(&fx));
		return;
	}
	unit_lg2 = min_lg2(&fx);
	big = sz(fx_item_lg2(&fx, top));
	probe = (big / 2 + 5 * sz(unit_lg2)) & ~(sz(unit_lg2) - 1);
	IT_CHECK(t, fx_map(&fx, 0, big, big, IOPGT_READ | IOPGT_WRITE, 0,
			   NULL));
	IT_CHECK(t, fx_split(&fx, 0, big, unit_lg2, 0));
	IT_CHECK(t, fx_read_dirty(&fx, 0, big, 0, 0, unit_lg2));

	IT_ASSERT_RET(t, hwm_translate(fx.hw, probe, HWM_READ, &pa), 0);
	if (table_ptr_only)
		hwm_invalidate(fx.hw, probe, probe + sz(unit_lg2) - 1, false);
	iopgt_gather_init(&g);
	re = iopgt_merge(&fx.pt, 0, big, 0, &g);
	rm = model_merge(fx.m, 0, big, 0);
	IT_ASSERT_RET(t, re, rm);
	IT_CHECK(t, fx_dma_write(&fx, probe));
	fx_flush(&fx, &g, NULL);

	/* the merge rebuilt the item as one leaf, and the write is in it */
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_read_dirty(&fx, 0, big, 0, 0, unit_lg2));
	IT_CHECK(t, fx_teardown(&fx));
}

static void merge_of_several_levels_keeps_a_write_through_a_stale_iotlb_entry(
	struct it *t)
{
	merge_with_stale_entry(t, false);
}

static void merge_of_several_levels_keeps_a_write_through_a_cached_table(
	struct it *t)
{
	merge_with_stale_entry(t, true);
}

/* The smallest size that fills several slots of its level, if any. */
static unsigned int multi_slot_lg2(const struct fx *fx)
{
	unsigned int s, l;

	/* pages 5 and 9 of it are written */
	for (s = min_lg2(fx) + 4; s <= 21 && s < fx_ias(fx); s++) {
		if (!fx_size_ok(fx, s))
			continue;
		for (l = 0; l < fx->pt.levels; l++)
			if (fx_item_lg2(fx, l) == s)
				break;
		if (l == fx->pt.levels)
			return s;
	}
	return 0;
}

/*
 * Clear the dirty state of the entry at @pa by hand (FORMATS.md bits), on
 * its memory: the masks in little-endian byte order, as entries are stored.
 */
static void clear_dirty_by_hand(struct fx *fx, u64 pa)
{
	u64 *ptep = table_va(fx, pa);

	switch (fx->pt.cfg.format) {
	case IOPGT_FMT_AMDV1:
		__atomic_fetch_and(ptep, tle_raw(~(1ull << 6)),
				   __ATOMIC_SEQ_CST);
		break;
	case IOPGT_FMT_ARM_S1:	/* AP[2] set again: writable-clean */
		__atomic_fetch_or(ptep, tle_raw(1ull << 7), __ATOMIC_SEQ_CST);
		break;
	case IOPGT_FMT_ARM_S2:	/* S2AP[1] clear again: writable-clean */
		__atomic_fetch_and(ptep, tle_raw(~(1ull << 7)),
				   __ATOMIC_SEQ_CST);
		break;
	case IOPGT_FMT_RISCV:	/* D, bit 7 */
	case IOPGT_FMT_RISCV_G:
		__atomic_fetch_and(ptep, ~(1ull << 7), __ATOMIC_SEQ_CST);
		break;
	default:
		break;
	}
}

/*
 * A leaf filling several slots, split while its dirty update races the
 * split: the device writes page 5 of the run and holds the whole run cached
 * as dirty, but its update of the entry lands only after the split read
 * the run (emulated: taken out of memory before the split, and made again
 * after it by a second walker, which sets it in the new page-5 leaf, just
 * where the late update would have gone). Then the device writes page 9
 * through the cached dirty run, which touches no entry. After the
 * invalidation the harvest must report page 9: a former run with any dirty
 * part is reported whole.
 */
static void split_of_multi_slot_leaf_reports_the_run_a_stale_entry_wrote(
	struct it *t)
{
	struct fx fx;
	struct hwm *hw2;
	struct hwm_cfg hcfg = { 0 };
	struct hwm_walk w;
	struct iopgt_bitmap bm = { .base = 0 };
	struct iopgt_gather g;
	unsigned int run_lg2, unit_lg2;
	u64 base, unit, pa, words[8] = { 0 }, nbits, i;

	IT_CHECK(t, fx_setup_dirty(t, &fx));
	run_lg2 = multi_slot_lg2(&fx);
	if (!run_lg2 || fx_bbm_blocked(&fx)) {
		/* no leaf here fills several slots (or none is split live) */
		IT_CHECK(t, fx_teardown(&fx));
		return;
	}
	fx.check_dirty = false;
	unit_lg2 = min_lg2(&fx);
	unit = sz(unit_lg2);
	nbits = sz(run_lg2 - unit_lg2) * 4;
	IT_ASSERT(t, nbits <= 64 * 8);
	base = 2 * sz(run_lg2);
	IT_CHECK(t, fx_map(&fx, base, base, sz(run_lg2),
			   IOPGT_READ | IOPGT_WRITE, 0, NULL));
	IT_CHECK(t, fx_dma_write(&fx, base + 5 * unit));
	IT_ASSERT_RET(t, hwm_walk(fx.hw, base + 5 * unit, &w), 0);
	IT_ASSERT(t, w.dirty && w.replicas > 1);
	clear_dirty_by_hand(&fx, w.pte_pa);
	IT_ASSERT_RET(t, hwm_walk(fx.hw, base + 5 * unit, &w), 0);
	IT_ASSERT(t, !w.dirty);

	iopgt_gather_init(&g);
	IT_ASSERT_RET(t, iopgt_split(&fx.pt, base, sz(run_lg2), unit_lg2, 0, 0,
				     &g), 0);
	IT_ASSERT_RET(t, model_split(fx.m, base, sz(run_lg2), unit_lg2), 0);
	/* the late update: a fresh walker dirties the new page-5 leaf */
	iopgt_hw_info(&fx.pt, &hcfg.info);
	hcfg.format = fx.pt.cfg.format;
	hcfg.dirty_enabled = true;
	IT_ASSERT_RET(t, hwm_create(&hw2, &hcfg), 0);
	IT_ASSERT_RET(t, hwm_translate(hw2, base + 5 * unit, HWM_WRITE, &pa),
		      0);
	hwm_destroy(hw2);
	/* page 9 through the run the device still holds cached as dirty */
	IT_CHECK(t, fx_dma_write(&fx, base + 9 * unit));
	fx_flush(&fx, &g, NULL);

	bm.pgshift = unit_lg2;
	bm.words = words;
	bm.nbits = nbits;
	iopgt_gather_init(&g);
	IT_ASSERT_RET(t, iopgt_read_dirty(&fx.pt, 0, nbits * unit, 0, &bm, &g),
		      0);
	fx_flush(&fx, &g, NULL);
	for (i = 0; i < nbits; i++) {
		bool in_run = i >= (base >> unit_lg2) &&
			      i < ((base + sz(run_lg2)) >> unit_lg2);

		if (bit_set(words, i) && !in_run)
			IT_FAIL(t, "page 0x%llx reported, never written",
				(unsigned long long)(i << unit_lg2));
		if (!bit_set(words, i) && in_run)
			IT_FAIL(t, "page 0x%llx of the former run not reported (written 0x%llx and 0x%llx)",
				(unsigned long long)(i << unit_lg2),
				(unsigned long long)(base + 5 * unit),
				(unsigned long long)(base + 9 * unit));
		IT_CHECK(t, !t->failed);
	}
	IT_ASSERT_RET(t, iopgt_validate(&fx.pt, NULL), 0);
	IT_CHECK(t, fx_teardown(&fx));
}

/*
 * A cache-clean callback that, once armed, rewrites a live leaf the moment
 * iopgt cleans the first table it built: what a concurrent edit of the
 * same range would do between the build and the install.
 */
struct racing_ops {
	struct iopgt_ops ops;
	const struct iopgt_ops *inner;
	u64 *victim;
	u64 with;
	bool armed;
};

static struct racing_ops racing;

static void racing_clean(void *ctx, void *va, size_t len)
{
	racing.inner->cache_clean(ctx, va, len);
	if (racing.armed) {
		racing.armed = false;
		__atomic_store_n(racing.victim, racing.with, __ATOMIC_SEQ_CST);
		racing.inner->cache_clean(ctx, racing.victim, sizeof(u64));
	}
}

/*
 * A split whose install finds the slot changed by someone else (not by a
 * hardware dirty update) gives up with -EEXIST, and frees the tables it
 * built for it. Non-coherent configs only: the race is staged from the
 * cache-clean callback, which only they call.
 */
static void split_that_loses_its_slot_frees_what_it_built(struct it *t)
{
	struct fx fx;
	struct iopgt_gather g;
	struct hwm_walk w;
	u64 big;

	if (!(t->config->cfg.quirks & IOPGT_QUIRK_NON_COHERENT))
		return;
	IT_CHECK(t, fx_setup(t, &fx, 0));
	if (fx_bbm_blocked(&fx) || fx.pt.levels < 2 ||
	    !fx_size_ok(&fx, fx_item_lg2(&fx, 1))) {
		IT_CHECK(t, fx_teardown(&fx));
		return;
	}
	big = sz(fx_item_lg2(&fx, 1));
	IT_CHECK(t, fx_map(&fx, big, big, big, IOPGT_READ | IOPGT_WRITE, 0,
			   NULL));
	IT_ASSERT_RET(t, hwm_walk(fx.hw, big, &w), 0);
	IT_ASSERT_EQ(t, w.size_lg2, fx_item_lg2(&fx, 1));

	racing.inner = fx.pt.cfg.ops;
	racing.ops = *fx.pt.cfg.ops;
	racing.ops.cache_clean = racing_clean;
	racing.victim = table_va(&fx, w.pte_pa);
	/* the same leaf pointing elsewhere */
	racing.with = tle_raw(tle_load(racing.victim) ^ (2 * big));
	racing.armed = true;
	fx.pt.cfg.ops = &racing.ops;

	iopgt_gather_init(&g);
	IT_ASSERT_RET(t, iopgt_split(&fx.pt, big, big, min_lg2(&fx), 0, 0, &g),
		      -EEXIST);
	IT_ASSERT(t, !racing.armed);
	fx.pt.cfg.ops = racing.inner;
	hwm_invalidate_all(fx.hw);
	iopgt_gather_release(&fx.pt, &g, NULL);
	IT_ASSERT_EQ(t, *racing.victim, racing.with);
	IT_ASSERT_RET(t, iopgt_validate(&fx.pt, NULL), 0);
	/* fx_teardown fails if the built tables leaked */
	IT_CHECK(t, fx_teardown(&fx));
}

/*
 * A break-before-make split or merge (BBML1 through nT, BBML0 through a
 * fault window) finishes in gather release. If the caller unmapped the
 * range before releasing, the second step must not bring the translation
 * back. On configs that replace directly it checks the same sequence.
 */
static void second_step_never_brings_back_an_unmapped_range(struct it *t)
{
	struct fx fx;
	struct iopgt_gather g1, g2;
	struct hwm_walk w;
	unsigned int unit_lg2;
	u32 flags = 0;
	u64 big, pa, um = 0, ue = 0;
	int pass;

	IT_CHECK(t, fx_setup(t, &fx, 0));
	if (fx.pt.levels < 2 || !fx_size_ok(&fx, fx_item_lg2(&fx, 1)) ||
	    fx_item_lg2(&fx, 1) >= fx_ias(&fx) - 1) {
		IT_CHECK(t, fx_teardown(&fx));
		return;
	}
	if (fx_bbm_blocked(&fx))
		flags = IOPGT_SPLIT_ALLOW_FAULT;
	unit_lg2 = min_lg2(&fx);
	big = sz(fx_item_lg2(&fx, 1));
	for (pass = 0; pass < 2; pass++) {
		IT_CHECK(t, fx_map(&fx, big, 4 * big, big,
				   IOPGT_READ | IOPGT_WRITE, 0, NULL));
		if (pass == 1) {
			/* the merge's turn: start from small pages */
			iopgt_gather_init(&g1);
			IT_ASSERT_RET(t, iopgt_split(&fx.pt, big, big,
						     unit_lg2, flags, 0, &g1), 0);
			fx_flush(&fx, &g1, NULL);
			IT_ASSERT_RET(t, model_split(fx.m, big, big, unit_lg2),
				      0);
		}
		iopgt_gather_init(&g1);
		if (pass == 0)
			IT_ASSERT_RET(t, iopgt_split(&fx.pt, big, big,
						     unit_lg2, flags, 0, &g1), 0);
		else
			IT_ASSERT_RET(t, iopgt_merge(&fx.pt, big, big, flags,
						     &g1), 0);
		/* the caller unmaps the range before releasing the edit */
		iopgt_gather_init(&g2);
		IT_ASSERT_RET(t, iopgt_unmap(&fx.pt, big, big, 0, &g2, &ue), 0);
		IT_ASSERT_RET(t, model_unmap(fx.m, big, big, &um), 0);
		IT_ASSERT_EQ(t, ue, big);
		fx_flush(&fx, &g2, NULL);
		fx_flush(&fx, &g1, NULL);
		IT_ASSERT_RET(t, iopgt_iova_to_phys(&fx.pt, big + sz(unit_lg2),
						    &pa), -ENOENT);
		IT_ASSERT(t, hwm_walk(fx.hw, big + sz(unit_lg2), &w) != 0);
		IT_ASSERT(t, hwm_translate(fx.hw, big, HWM_READ, &pa) != 0);
		IT_CHECK(t, fx_check(&fx));
	}
	IT_CHECK(t, fx_teardown(&fx));
}

/*
 * unmap_read_dirty leaves the dirty state of the tables it detaches to
 * gather release. A release given an invalid bitmap (or none) must still
 * report it, into the bitmap the unmap was given; a second unmap on the
 * same gather with another bitmap is refused with the table untouched.
 */
static void release_with_a_bad_bitmap_still_reports_owed_state(struct it *t)
{
	struct fx fx;
	struct iopgt_gather g;
	u64 words[8] = { 0 }, other[8] = { 0 }, span, unit, probe, ue, pa;
	struct iopgt_bitmap bm = { .base = 0, .words = words, .nbits = 512 };
	struct iopgt_bitmap bad = { .base = 0, .pgshift = 3, .words = words,
				    .nbits = 512 };
	unsigned int i;
	struct iopgt_bitmap bm2;
	unsigned int unit_lg2;

	IT_CHECK(t, fx_setup_dirty(t, &fx));
	if (fx.pt.levels < 2) {
		IT_CHECK(t, fx_teardown(&fx));
		return;
	}
	unit_lg2 = min_lg2(&fx);
	unit = sz(unit_lg2);
	span = sz(fx_item_lg2(&fx, 1));
	/* whole smallest-page tables, so the unmap detaches them */
	IT_CHECK(t, fx_map(&fx, 0, unit, 2 * span, IOPGT_READ | IOPGT_WRITE,
			   0, NULL));
	IT_CHECK(t, fx_map(&fx, 4 * span, unit, unit, IOPGT_READ, 0, NULL));
	probe = span + 3 * unit;
	IT_CHECK(t, fx_dma_write(&fx, probe));
	bm.pgshift = fx_item_lg2(&fx, 1) - 6;	/* 64 bits per item */
	bad.pgshift = 3;
	iopgt_gather_init(&g);
	IT_ASSERT_RET(t, iopgt_unmap_read_dirty(&fx.pt, 0, 2 * span, 0, &bm, &g,
						&ue), 0);
	IT_ASSERT(t, g.flags & IOPGT_GATHER_TABLES);
	fx_flush(&fx, &g, &bad);
	IT_ASSERT(t, bit_set(words, probe >> bm.pgshift));

	/* one gather, one bitmap */
	iopgt_gather_init(&g);
	IT_ASSERT_RET(t, iopgt_unmap_read_dirty(&fx.pt, 2 * span, unit, 0, &bm,
						&g, &ue), -ENOENT);
	bm2 = bm;
	bm2.words = other;
	IT_ASSERT_RET(t, iopgt_unmap_read_dirty(&fx.pt, 4 * span, unit, 0, &bm2,
						&g, &ue), -EINVAL);
	IT_ASSERT_RET(t, iopgt_iova_to_phys(&fx.pt, 4 * span, &pa), 0);
	IT_ASSERT_EQ(t, ue, 0);
	fx_flush(&fx, &g, NULL);
	for (i = 0; i < 8; i++)
		IT_ASSERT_EQ(t, other[i], 0);
	IT_CHECK(t, fx_teardown(&fx));
}

/*
 * read_dirty with a bitmap that ends before the request (or starts after
 * it) is refused and cleans nothing: what it cleaned it could not report.
 */
static void read_dirty_refuses_a_bitmap_short_of_the_range(struct it *t)
{
	struct fx fx;
	struct iopgt_gather g;
	u64 words[2] = { 0 }, unit, len;
	struct iopgt_bitmap bm = { .base = 0, .words = words };
	unsigned int unit_lg2;

	IT_CHECK(t, fx_setup_dirty(t, &fx));
	unit_lg2 = min_lg2(&fx);
	unit = sz(unit_lg2);
	len = 64 * unit;
	IT_CHECK(t, fx_map(&fx, 0, unit, len, IOPGT_READ | IOPGT_WRITE, 0,
			   NULL));
	IT_CHECK(t, fx_dma_write(&fx, 40 * unit));
	IT_CHECK(t, fx_dma_write(&fx, 2 * unit));
	bm.pgshift = unit_lg2;
	bm.nbits = 32;
	iopgt_gather_init(&g);
	IT_ASSERT_RET(t, iopgt_read_dirty(&fx.pt, 0, len, 0, &bm, &g),
		      -EINVAL);
	IT_ASSERT(t, g.start > g.last);
	bm.base = 4 * unit;
	bm.nbits = 128;
	IT_ASSERT_RET(t, iopgt_read_dirty(&fx.pt, 0, len, 0, &bm, &g),
		      -EINVAL);
	IT_ASSERT(t, g.start > g.last);
	IT_ASSERT(t, !words[0] && !words[1]);
	/* nothing was cleaned: both writes are still there to report */
	IT_CHECK(t, fx_read_dirty(&fx, 0, len, 0, 0, unit_lg2));
	IT_CHECK(t, fx_teardown(&fx));
}

struct recorded {
	u64 iova, len;
	unsigned int calls;
};

static void record_one(void *ctx, u64 iova, u64 len)
{
	struct recorded *r = ctx;

	r->iova = iova;
	r->len = len;
	r->calls++;
}

/* A bitmap with both words and a record callback: the callback wins. */
static void record_callback_replaces_the_words(struct it *t)
{
	struct fx fx;
	struct iopgt_gather g;
	struct recorded rec = { 0 };
	u64 words[2] = { 0 }, unit;
	struct iopgt_bitmap bm = { .base = 0, .words = words, .nbits = 128,
				   .record = record_one, .ctx = &rec };
	unsigned int unit_lg2;

	IT_CHECK(t, fx_setup_dirty(t, &fx));
	unit_lg2 = min_lg2(&fx);
	unit = sz(unit_lg2);
	IT_CHECK(t, fx_map(&fx, 0, unit, 64 * unit, IOPGT_READ | IOPGT_WRITE,
			   0, NULL));
	IT_CHECK(t, fx_dma_write(&fx, 7 * unit));
	bm.pgshift = unit_lg2;
	iopgt_gather_init(&g);
	IT_ASSERT_RET(t, iopgt_read_dirty(&fx.pt, 0, 64 * unit, 0, &bm, &g), 0);
	fx_flush(&fx, &g, NULL);
	IT_ASSERT_EQ(t, rec.calls, 1);
	IT_ASSERT(t, rec.iova <= 7 * unit && rec.iova + rec.len > 7 * unit);
	IT_ASSERT(t, !words[0] && !words[1]);
	model_read_dirty(fx.m, 0, 64 * unit, true, 0, unit_lg2, NULL, 0);
	IT_CHECK(t, fx_teardown(&fx));
}

/*
 * Map the smallest page at 3 items of level 1, unmap it, map one item there
 * (the large leaf alignment allows). With @keep (IOPGT_QUIRK_KEEP_TABLES)
 * the emptied table stays and the map fills it with smaller leaves;
 * without, the unmap gave it back and the map gets the large leaf. False
 * if the test failed or the config has no such item (*@ran tells which).
 */
static bool empty_table_round(struct it *t, struct fx *fx, bool keep,
			      bool *ran)
{
	unsigned int unit_lg2 = min_lg2(fx), big_lg2;
	u64 unit = sz(unit_lg2), big, live;
	struct hwm_walk w;

	*ran = false;
	big_lg2 = fx->pt.levels > 1 ? fx_item_lg2(fx, 1) : 0;
	if (!big_lg2 || !fx_size_ok(fx, big_lg2) ||
	    big_lg2 + 3 > fx_ias(fx))
		return true;
	*ran = true;
	big = sz(big_lg2);
	live = talloc_live(fx->ta);
	if (!fx_map(fx, 3 * big, unit, unit, IOPGT_READ, 0, NULL))
		return false;
	if (talloc_live(fx->ta) <= live) {
		IT_FAIL(t, "a map into an empty range allocated no table");
		return false;
	}
	if (keep)
		live = talloc_live(fx->ta);
	if (!fx_unmap(fx, 3 * big, unit, 0, NULL))
		return false;
	if (talloc_live(fx->ta) != live) {
		IT_FAIL(t, "%llu tables after the unmap, want %llu",
			(unsigned long long)talloc_live(fx->ta),
			(unsigned long long)live);
		return false;
	}
	if (!fx_map(fx, 3 * big, 5 * big, big, IOPGT_READ, 0, NULL))
		return false;
	if (hwm_walk(fx->hw, 3 * big + unit, &w)) {
		IT_FAIL(t, "no translation at 0x%llx",
			(unsigned long long)(3 * big + unit));
		return false;
	}
	if (keep ? w.size_lg2 >= big_lg2 : w.size_lg2 != big_lg2) {
		IT_FAIL(t, "the map over the emptied table made 2^%u leaves%s",
			w.size_lg2, keep ? ", over the table it kept" : "");
		return false;
	}
	return fx_check(fx);
}

/*
 * Map the smallest page, unmap it, map the large leaf at the same aligned
 * IOVA: the unmap gave back the tables it emptied (their memory returns),
 * so the map gets the large leaf, as alignment allows, not small ones.
 * The same when the unmap leaves a table empty from its two ends.
 */
static void unmap_gives_back_the_tables_it_empties(struct it *t)
{
	struct fx fx;
	struct hwm_walk w;
	u64 unit, big, live;
	bool ran;

	IT_CHECK(t, fx_setup(t, &fx, 0));
	live = talloc_live(fx.ta);
	IT_CHECK(t, empty_table_round(t, &fx, false, &ran));
	if (!ran) {
		IT_CHECK(t, fx_teardown(&fx));
		return;
	}
	unit = sz(min_lg2(&fx));
	big = sz(fx_item_lg2(&fx, 1));

	/* two pages at both ends of one table, unmapped in one call */
	IT_CHECK(t, fx_unmap(&fx, 3 * big, big, 0, NULL));
	IT_CHECK(t, fx_map(&fx, 2 * big - unit, unit, 2 * unit, IOPGT_READ, 0,
			   NULL));
	IT_CHECK(t, fx_unmap(&fx, 2 * big - unit, 2 * unit, 0, NULL));
	IT_ASSERT_EQ(t, talloc_live(fx.ta), live);
	IT_CHECK(t, fx_map(&fx, big, 5 * big, 2 * big, IOPGT_READ, 0, NULL));
	IT_ASSERT_RET(t, hwm_walk(fx.hw, 2 * big + unit, &w), 0);
	IT_ASSERT_EQ(t, w.size_lg2, fx_item_lg2(&fx, 1));
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_teardown(&fx));
}

/*
 * With IOPGT_QUIRK_KEEP_TABLES an unmap leaves the tables it empties in
 * place: a later map of the span fills the table with smaller leaves, as
 * the model predicts.
 */
static void keep_tables_quirk_keeps_the_tables_unmap_empties(struct it *t)
{
	struct fx fx;
	bool ran;

	/* a top that grows needs the gate KEEP_TABLES does without */
	if (t->config->cfg.quirks & IOPGT_QUIRK_AMD_GROW_TOP) {
		struct iopgt_cfg cfg = t->config->cfg;
		struct iopgt pt;

		cfg.ops = talloc_ops();
		cfg.quirks |= IOPGT_QUIRK_KEEP_TABLES;
		IT_ASSERT_RET(t, iopgt_init(&pt, &cfg), -EINVAL);
		return;
	}
	IT_CHECK(t, fx_setup(t, &fx, IOPGT_QUIRK_KEEP_TABLES));
	IT_CHECK(t, empty_table_round(t, &fx, true, &ran));
	IT_CHECK(t, fx_teardown(&fx));
}

const struct it_case it_cases_edges[] = {
	{ "keep_tables_quirk_keeps_the_tables_unmap_empties",
	  keep_tables_quirk_keeps_the_tables_unmap_empties },
	{ "merge_of_several_levels_keeps_a_write_through_a_stale_iotlb_entry",
	  merge_of_several_levels_keeps_a_write_through_a_stale_iotlb_entry },
	{ "merge_of_several_levels_keeps_a_write_through_a_cached_table",
	  merge_of_several_levels_keeps_a_write_through_a_cached_table },
	{ "split_of_multi_slot_leaf_reports_the_run_a_stale_entry_wrote",
	  split_of_multi_slot_leaf_reports_the_run_a_stale_entry_wrote },
	{ "split_that_loses_its_slot_frees_what_it_built",
	  split_that_loses_its_slot_frees_what_it_built },
	{ "second_step_never_brings_back_an_unmapped_range",
	  second_step_never_brings_back_an_unmapped_range },
	{ "release_with_a_bad_bitmap_still_reports_owed_state",
	  release_with_a_bad_bitmap_still_reports_owed_state },
	{ "read_dirty_refuses_a_bitmap_short_of_the_range",
	  read_dirty_refuses_a_bitmap_short_of_the_range },
	{ "record_callback_replaces_the_words",
	  record_callback_replaces_the_words },
	{ "unmap_gives_back_the_tables_it_empties",
	  unmap_gives_back_the_tables_it_empties },
};

const unsigned int it_ncases_edges = sizeof(it_cases_edges) /
				     sizeof(it_cases_edges[0]);
