// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * ARM output addresses above 48 bits (FORMATS.md, ARM LPAE): where a
 * descriptor keeps the high address bits, checked on tables placed above
 * 2^48 (and 2^50) by the strict table memory services of arm_decode.c.
 *   64K granule (FEAT_LPA): PA[51:48] in bits 15:12.
 *   LPA2 (4K and 16K, DS set): bits 49:12 and PA[51:50] in bits 9:8,
 *   where SH sits otherwise; with 4K a 52-bit IOVA takes a fifth level.
 * Bodies that do not apply to a config return at once.
 */
#include <string.h>

#include "harness/it.h"
#include "support/le.h"
#include "support/talloc.h"
#include "arm_decode.h"
#include "cases.h"

/*
 * 64K granule, 52-bit OA: tables above 2^48. A table descriptor holds
 * PA[51:48] in bits 15:12, as a page does; the engine writes it there
 * and reads it back from there, and so does the hardware.
 */
static void table_descriptor_holds_pa_51_48_in_bits_15_12(struct it *t)
{
	const u64 pa_hi = 0xaull << 48;
	struct iopgt_validate_err err = { 0 };
	struct iopgt_gather g;
	struct ad *a;
	u64 iova, pa, got = 0, desc, unmapped;
	int ret;

	if (!ad_is_arm(t) || t->config->cfg.granule_lg2 != 16 ||
	    t->config->cfg.oas <= 48)
		return;
	a = ad_setup(t, pa_hi);
	IT_CHECK(t, a);
	IT_ASSERT_EQ(t, a->pt.root_pa >> 48, 0xa);
	iova = 3ull << 16;
	pa = 0x000b000123450000ull;
	IT_ASSERT_RET(t, iopgt_map(&a->pt, iova, pa, 1ull << 16,
				   IOPGT_READ | IOPGT_WRITE, 0, &got), 0);
	desc = tle_load(ad_entry(a, iova, 1));
	IT_ASSERT_EQ(t, (desc >> 12) & 0xf, 0xa);
	IT_ASSERT_EQ(t, desc & ad_mask(51, 48), 0);
	IT_ASSERT_EQ(t, tle_load(ad_entry(a, iova, 0)) & ad_mask(15, 12), 0xb000);
	IT_CHECK(t, ad_hw_translates(a, iova + 0x1238, pa + 0x1238, false));
	ret = iopgt_iova_to_phys(&a->pt, iova + 0x1238, &got);
	IT_CHECK(t, ad_no_stray(a, "iova_to_phys"));
	IT_ASSERT_RET(t, ret, 0);
	IT_ASSERT_EQ(t, got, pa + 0x1238);
	IT_ASSERT_RET(t, iopgt_validate(&a->pt, &err), 0);
	iopgt_gather_init(&g);
	IT_ASSERT_RET(t, iopgt_unmap(&a->pt, iova, 1ull << 16, 0, &g,
				     &unmapped), 0);
	hwm_invalidate_all(a->hw);
	iopgt_gather_release(&a->pt, &g, NULL);
	IT_CHECK(t, ad_no_stray(a, "unmap"));
	ad_teardown(a);
}

/* Map, check the hardware's walk and the engine's, then unmap. */
static void lpa2_check_leaf(struct it *t, struct ad *a, u64 iova, u64 pa,
			    unsigned int size_lg2)
{
	struct iopgt_bitmap bm = { .base = iova, .pgshift = size_lg2 };
	struct iopgt_validate_err err = { 0 };
	struct iopgt_gather g;
	struct hwm_walk w;
	u64 got = 0, word = 0, unmapped;

	IT_ASSERT_RET(t, iopgt_map(&a->pt, iova, pa, 1ull << size_lg2,
				   IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE, 0,
				   &got), 0);
	IT_ASSERT_EQ(t, got, 1ull << size_lg2);
	IT_CHECK(t, ad_hw_translates(a, iova + 0x238, pa + 0x238, false));
	IT_ASSERT_RET(t, hwm_walk(a->hw, iova, &w), 0);
	IT_ASSERT_EQ(t, w.size_lg2, size_lg2);
	IT_ASSERT_RET(t, iopgt_iova_to_phys(&a->pt, iova + 0x238, &got), 0);
	IT_ASSERT_EQ(t, got, pa + 0x238);
	IT_ASSERT_RET(t, iopgt_validate(&a->pt, &err), 0);
	/* a device write: dirty state on a leaf whose bits 9:8 are OA */
	IT_ASSERT_RET(t, hwm_translate(a->hw, iova + 8, HWM_WRITE, &got), 0);
	IT_ASSERT_EQ(t, got, pa + 8);
	bm.words = &word;
	bm.nbits = 1;
	iopgt_gather_init(&g);
	IT_ASSERT_RET(t, iopgt_read_dirty(&a->pt, iova, 1ull << size_lg2, 0,
					  &bm, &g), 0);
	hwm_invalidate_all(a->hw);
	iopgt_gather_release(&a->pt, &g, NULL);
	IT_ASSERT_EQ(t, word, 1);
	IT_CHECK(t, ad_hw_translates(a, iova + 8, pa + 8, false));
	IT_ASSERT_RET(t, iopgt_validate(&a->pt, &err), 0);
	iopgt_gather_init(&g);
	IT_ASSERT_RET(t, iopgt_unmap(&a->pt, iova, 1ull << size_lg2, 0, &g,
				     &unmapped), 0);
	hwm_invalidate_all(a->hw);
	iopgt_gather_release(&a->pt, &g, NULL);
	IT_ASSERT_EQ(t, unmapped, 1ull << size_lg2);
}

/*
 * LPA2, tables above 2^50: a table descriptor and a page hold PA[51:50]
 * in bits 9:8 and PA[49:48] in bits 49:48, a cacheable page included
 * (its shareability is the CD's, not bits 9:8); the largest block the
 * granule gains with LPA2 (512G at 4K, 64G at 16K) maps a PA above 2^50.
 * The engine and the software IOMMU agree on every address.
 */
static void lpa2_descriptors_hold_pa_51_50_in_bits_9_8(struct it *t)
{
	const u64 pa_hi = 0xdull << 48;
	unsigned int g_lg2, blk_lg2;
	struct ad *a;
	u64 iova, pa, desc;

	if (!ad_is_arm(t) ||
	    !(t->config->cfg.quirks & IOPGT_QUIRK_ARM_LPA2) ||
	    t->config->cfg.oas <= 50)
		return;
	a = ad_setup(t, pa_hi);
	IT_CHECK(t, a);
	IT_ASSERT_EQ(t, a->pt.root_pa >> 48, 0xd);
	g_lg2 = a->pt.granule_lg2;
	iova = 3ull << g_lg2;
	pa = 0x000b000123450000ull;
	lpa2_check_leaf(t, a, iova, pa, g_lg2);
	IT_ASSERT_RET(t, iopgt_map(&a->pt, iova, pa, 1ull << g_lg2,
				   IOPGT_READ | IOPGT_CACHE, 0, NULL), 0);
	desc = tle_load(ad_entry(a, iova, 1));
	IT_ASSERT_EQ(t, desc & 3, 3);
	IT_ASSERT_EQ(t, (desc >> 8) & 3, 0xd >> 2);
	IT_ASSERT_EQ(t, (desc >> 48) & 3, 0xd & 3);
	IT_ASSERT_EQ(t, ad_table_pa(a, desc) >> 48, 0xd);
	desc = tle_load(ad_entry(a, iova, 0));
	IT_ASSERT_EQ(t, (desc >> 8) & 3, 0xb >> 2);
	IT_ASSERT_EQ(t, (desc >> 48) & 3, 0xb & 3);
	IT_ASSERT_EQ(t, ad_table_pa(a, desc), pa);
	IT_CHECK(t, ad_no_stray(a, "map"));

	blk_lg2 = g_lg2 == 12 ? 39 : 36;
	if (blk_lg2 < a->pt.cfg.ias &&
	    (a->pt.pgsize_bitmap & (1ull << blk_lg2)))
		lpa2_check_leaf(t, a, 1ull << blk_lg2, 0x000e000000000000ull,
				blk_lg2);
	IT_CHECK(t, ad_no_stray(a, "a walk"));
	ad_teardown(a);
}

/*
 * What a driver programs: DS with LPA2 and not without; a 52-bit IOVA at
 * 4K starts at ARM level -1 at stage 1 (five levels), while stage 2
 * concatenates 16 level-0 tables; at 16K a stage-2 walk from ARM level 0
 * is SL0 = 3. The software IOMMU is programmed from exactly that.
 */
static void lpa2_hw_info_says_ds_and_where_the_walk_starts(struct it *t)
{
	const struct iopgt_cfg *cfg = &t->config->cfg;
	bool lpa2 = cfg->quirks & IOPGT_QUIRK_ARM_LPA2;
	struct iopgt_hw_info info;
	struct ad *a;

	if (!ad_is_arm(t))
		return;
	a = ad_setup(t, 0);
	IT_CHECK(t, a);
	memset(&info, 0, sizeof(info));
	iopgt_hw_info(&a->pt, &info);
	IT_ASSERT_EQ(t, info.arm.ds, lpa2);
	IT_ASSERT_EQ(t, info.arm.start_level, 4 - (int)info.levels);
	if (lpa2 && cfg->granule_lg2 == 12 && cfg->ias > 48) {
		if (cfg->format == IOPGT_FMT_ARM_S1) {
			IT_ASSERT_EQ(t, info.levels, 5);
			IT_ASSERT_EQ(t, info.arm.start_level, -1);
			IT_ASSERT_EQ(t, info.arm.concat, 1);
		} else {
			IT_ASSERT_EQ(t, info.levels, 4);
			IT_ASSERT_EQ(t, info.arm.concat, 16);
			IT_ASSERT_EQ(t, info.arm.sl0, 2);
		}
	}
	if (lpa2 && cfg->granule_lg2 == 14 && cfg->ias > 47 &&
	    cfg->format == IOPGT_FMT_ARM_S2) {
		IT_ASSERT_EQ(t, info.arm.start_level, 0);
		IT_ASSERT_EQ(t, info.arm.sl0, 3);
	}
	ad_teardown(a);
}

/*
 * Without LPA2 a 4K or 16K config has neither a 52-bit IOVA nor a 52-bit
 * OA; LPA2 does not exist for 64K (FEAT_LPA covers it) nor outside ARM.
 * Each is -EINVAL with nothing allocated.
 */
static void lpa2_is_refused_where_it_does_not_apply(struct it *t)
{
	struct iopgt_cfg cfg = t->config->cfg;
	struct talloc *ta;
	struct iopgt pt;
	int want, ret;
	unsigned int i;

	ta = talloc_create(1ull << 24, 0);
	IT_ASSERT(t, ta);
	cfg.ops = talloc_ops();
	cfg.ctx = ta;
	cfg.levels = 0;
	for (i = 0; i < 3; i++) {
		struct iopgt_cfg c = cfg;

		if (ad_is_arm(t) && c.granule_lg2 != 16) {
			c.quirks &= ~IOPGT_QUIRK_ARM_LPA2;
			if (i == 0)
				c.ias = 52;
			else if (i == 1)
				c.oas = 52;
			else
				continue;
		} else {
			if (i)
				continue;
			c.quirks |= IOPGT_QUIRK_ARM_LPA2;
		}
		memset(&pt, 0, sizeof(pt));
		ret = iopgt_init(&pt, &c);
		if (!ret)
			iopgt_destroy(&pt);
		want = -EINVAL;
		IT_ASSERT_RET(t, ret, want);
		IT_ASSERT(t, !pt.root);
		IT_ASSERT_EQ(t, talloc_live(ta), 0);
	}
	talloc_destroy(ta);
}

/*
 * One map call whose pages cross the PA where the bits kept apart change
 * (2^48 at 64K, 2^50 with LPA2): map writes a stretch by adding a step to
 * the entry only where no carry leaves the address field, so every page
 * still translates to its own address, on both sides.
 */
static void a_stretch_across_2_to_the_48_or_50_maps_page_by_page(
	struct it *t)
{
	struct iopgt_validate_err err = { 0 };
	unsigned int g_lg2, apart, i;
	struct ad *a;
	u64 iova, pa, got;

	if (!ad_is_arm(t) || t->config->cfg.oas <= 50 ||
	    (!(t->config->cfg.quirks & IOPGT_QUIRK_ARM_LPA2) &&
	     t->config->cfg.granule_lg2 != 16))
		return;
	a = ad_setup(t, 0);
	IT_CHECK(t, a);
	g_lg2 = a->pt.granule_lg2;
	apart = ad_lpa2(a) ? 50 : 48;
	iova = 64ull << g_lg2;
	pa = (1ull << apart) - (4ull << g_lg2);
	IT_ASSERT_RET(t, iopgt_map(&a->pt, iova, pa, 8ull << g_lg2,
				   IOPGT_READ | IOPGT_WRITE, 0, &got), 0);
	for (i = 0; i < 8; i++) {
		u64 off = ((u64)i << g_lg2) + 0x18;

		IT_CHECK(t, ad_hw_translates(a, iova + off, pa + off, false));
		IT_ASSERT_RET(t, iopgt_iova_to_phys(&a->pt, iova + off, &got),
			      0);
		IT_ASSERT_EQ(t, got, pa + off);
	}
	IT_ASSERT_RET(t, iopgt_validate(&a->pt, &err), 0);
	IT_CHECK(t, ad_no_stray(a, "a walk"));
	ad_teardown(a);
}

const struct it_case it_cases_arm_oa52[] = {
	{ "a_stretch_across_2_to_the_48_or_50_maps_page_by_page",
	  a_stretch_across_2_to_the_48_or_50_maps_page_by_page },
	{ "table_descriptor_holds_pa_51_48_in_bits_15_12",
	  table_descriptor_holds_pa_51_48_in_bits_15_12 },
	{ "lpa2_descriptors_hold_pa_51_50_in_bits_9_8",
	  lpa2_descriptors_hold_pa_51_50_in_bits_9_8 },
	{ "lpa2_hw_info_says_ds_and_where_the_walk_starts",
	  lpa2_hw_info_says_ds_and_where_the_walk_starts },
	{ "lpa2_is_refused_where_it_does_not_apply",
	  lpa2_is_refused_where_it_does_not_apply },
};

const unsigned int it_ncases_arm_oa52 = sizeof(it_cases_arm_oa52) /
					sizeof(it_cases_arm_oa52[0]);
