/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * ARM VMSAv8-64 (LPAE) for the SMMU: the geometry of a configuration (which
 * levels hold blocks and contiguous runs, where the walk starts, stage-2
 * concatenation), fmt_init and the register fields of hw_info. The
 * descriptor bits are in arm_bits.h; arm.h has the entry codecs.
 */
#ifndef IOPGT_FMT_ARM_GEOMETRY_H
#define IOPGT_FMT_ARM_GEOMETRY_H

#include "arm_bits.h"

/* May a block descriptor sit at @level (iopgt numbering, above 0)? */
static inline bool armpt_block_ok(const struct iopgt *pt, unsigned int level)
{
	switch (pt->granule_lg2) {
	case 12:
		/* 2M, 1G; 512G at ARM level 0 with LPA2 (not at level -1) */
		return level == 1 || level == 2 ||
		       (level == 3 && armpt_lpa2(pt));
	case 14:
		/* 32M; 64G with LPA2 */
		return level == 1 || (level == 2 && armpt_lpa2(pt));
	default:
		/* 512M; 4T only where a 52-bit OA can address it */
		return level == 1 || (level == 2 && armpt_oa52(pt));
	}
}

/* Is the contiguous hint offered at @level, where leaves exist? */
static inline bool armpt_contig_ok(const struct iopgt *pt, unsigned int level)
{
	return level <= (pt->granule_lg2 == 12 ? 2u : 1u);
}

/* log2 of the entries in a contiguous run at @level. */
static inline unsigned int armpt_contig_lg2(const struct iopgt *pt,
					    unsigned int level)
{
	switch (pt->granule_lg2) {
	case 12:
		return 4;
	case 14:
		return level ? 5 : 7;
	default:
		return 5;
	}
}

/* ARM level the walk starts at: -1 for a 5-level (LPA2, 4K) walk. */
static inline int armpt_start_level(const struct iopgt *pt)
{
	return 4 - (int)pt->levels;
}

/*
 * Can the stage-2 start-level fields (VTCR.SL0, and SL2 with DS) name
 * @start_level (ARM numbering) with this granule? 4K: levels 0..2, and -1
 * with DS (SL2 = 1); 16K: 1..3, and 0 with DS (SL0 = 3); 64K: 1..3.
 */
static inline bool armpt_sl0_ok(unsigned int granule_lg2, bool ds,
				int start_level)
{
	if (granule_lg2 == 12)
		return start_level >= (ds ? -1 : 0) && start_level <= 2;
	if (granule_lg2 == 14 && ds)
		return start_level >= 0 && start_level <= 3;
	return start_level >= 1 && start_level <= 3;
}

/* IPS / PS encoding of an output size; -1 if it has none. */
static inline int armpt_ps(unsigned int oas)
{
	switch (oas) {
	case 32:
		return 0;
	case 36:
		return 1;
	case 40:
		return 2;
	case 42:
		return 3;
	case 44:
		return 4;
	case 48:
		return 5;
	case 52:
		return 6;
	default:
		return -1;
	}
}

static inline int armpt_init(struct iopgt *pt, bool s2)
{
	struct iopgt_cfg *cfg = &pt->cfg;
	unsigned int g = cfg->granule_lg2;
	unsigned int ias = cfg->ias ? cfg->ias : ARMPT_MAX_IAS;
	unsigned int oas = cfg->oas ? cfg->oas : ARMPT_MAX_OAS;
	unsigned int bpl, levels, top_lg2, top_alloc_lg2, level, item_lg2;
	bool ds = cfg->quirks & IOPGT_QUIRK_ARM_LPA2;
	bool wide = g == 16 || ds;	/* 52-bit IA and OA */
	u64 sizes = 0;

	/* No default: 0 is refused like any granule the format lacks */
	if (g != 12 && g != 14 && g != 16)
		return -EINVAL;
	/* LPA2 is for the 4K and 16K granules (64K has FEAT_LPA) */
	if (ds && g == 16)
		return -EINVAL;
	if (ias < ARMPT_MIN_IAS ||
	    ias > (wide ? ARMPT_MAX_IAS_52 : ARMPT_MAX_IAS))
		return -EINVAL;
	if (armpt_ps(oas) < 0 ||
	    oas > (wide ? ARMPT_MAX_OAS_52 : ARMPT_MAX_OAS))
		return -EINVAL;

	bpl = g - 3;
	levels = (ias - g + bpl - 1) / bpl;
	top_lg2 = ias - (g + (levels - 1) * bpl);
	top_alloc_lg2 = top_lg2 + 3 < 6 ? 6 : top_lg2 + 3;
	if (s2 && levels > 1 && top_lg2 <= ARMPT_MAX_CONCAT_LG2 &&
	    armpt_sl0_ok(g, ds, 4 - (int)(levels - 1))) {
		/* 2^top_lg2 concatenated tables one level down */
		top_alloc_lg2 = g + top_lg2;
		top_lg2 += bpl;
		levels--;
	}
	if (s2 && !armpt_sl0_ok(g, ds, 4 - (int)levels))
		return -EOPNOTSUPP;
	if (cfg->levels && cfg->levels != levels)
		return -EINVAL;

	cfg->granule_lg2 = g;
	cfg->ias = ias;
	cfg->oas = oas;
	cfg->levels = levels;
	pt->granule_lg2 = g;
	pt->levels = levels;
	pt->top_lg2 = top_lg2;
	pt->top_alloc_lg2 = top_alloc_lg2;

	for (level = 0; level < levels; level++) {
		if (level && !armpt_block_ok(pt, level))
			continue;
		item_lg2 = iopgt_item_lg2(pt, level);
		sizes |= 1ull << item_lg2;
		/*
		 * Contiguous runs change in place on split and merge, which
		 * needs no break-before-make only with BBML2: offer them
		 * there alone.
		 */
		if ((cfg->quirks & IOPGT_QUIRK_ARM_BBML2) &&
		    armpt_contig_ok(pt, level) &&
		    armpt_contig_lg2(pt, level) <= iopgt_table_lg2(pt, level))
			sizes |= 1ull << (item_lg2 +
					  armpt_contig_lg2(pt, level));
	}
	if (cfg->pgsize_bitmap)
		sizes &= cfg->pgsize_bitmap;
	pt->pgsize_bitmap = sizes;
	return sizes ? 0 : -EINVAL;
}

static inline int armpt_s1_init(struct iopgt *pt)
{
	return armpt_init(pt, false);
}

static inline int armpt_s2_init(struct iopgt *pt)
{
	return armpt_init(pt, true);
}

/* VTCR.SL0 / TG0 / T0SZ / (I)PS / DS / MAIR, and how the walk starts. */
static inline void armpt_hw_info(const struct iopgt *pt,
				 struct iopgt_hw_info *info, bool s2)
{
	int start = armpt_start_level(pt);
	unsigned int bpl = iopgt_bpl(pt);

	info->arm.tsz = 64 - pt->cfg.ias;
	info->arm.tg0 = pt->granule_lg2 == 12 ? 0 :
			pt->granule_lg2 == 14 ? 2 : 1;
	info->arm.ps = (u8)armpt_ps(pt->cfg.oas);
	info->arm.start_level = (int8_t)start;
	info->arm.concat = pt->top_lg2 > bpl ? 1u << (pt->top_lg2 - bpl) : 1;
	info->arm.ds = armpt_lpa2(pt);
	info->arm.mair = s2 ? 0 : ARMPT_S1_MAIR;
	/*
	 * SL0 counts down from ARM level 2 (4K) or 3 (16K, 64K). Level -1
	 * (SL2 = 1, SL0 = 0) never starts a stage-2 walk here: init
	 * concatenates 16 level-0 tables instead.
	 */
	if (s2)
		info->arm.sl0 = (u8)((pt->granule_lg2 == 12 ? 2 : 3) - start);
}

#endif /* IOPGT_FMT_ARM_GEOMETRY_H */
