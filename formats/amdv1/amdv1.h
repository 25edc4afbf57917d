/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * AMD IOMMU v1 host page table: the entry codecs.
 *
 * 4 KiB tables of 512 entries; the DTE Mode (1..6) is the number of levels.
 * Mode 6 translates all 64 bits and its top table uses 128 entries. A leaf
 * is a PTE with NextLevel 0 (the level's natural size) or NextLevel 7 (any
 * other power of two, its size encoded in the low OA bits and the entry
 * replicated over the aligned slots it covers). Permissions are ANDed down
 * the walk, so table entries grant IR and IW.
 */
#ifndef IOPGT_FMT_AMDV1_H
#define IOPGT_FMT_AMDV1_H

#include "../../pgtable/format.h"

#define AMDV1_PR	(1ull << 0)
#define AMDV1_A		(1ull << 5)
#define AMDV1_D		(1ull << 6)
#define AMDV1_NL_SHIFT	9
#define AMDV1_NL_MASK	(7ull << AMDV1_NL_SHIFT)
#define AMDV1_NL_SIZED	7ull		/* NextLevel 7: size in the OA */
#define AMDV1_OA_MASK	0x000ffffffffff000ull /* bits 51:12 */
#define AMDV1_RSVD	(0x7full << 52)	/* bits 58:52, never set here */
#define AMDV1_U		(1ull << 59)
#define AMDV1_FC	(1ull << 60)
#define AMDV1_IR	(1ull << 61)
#define AMDV1_IW	(1ull << 62)
#define AMDV1_MAX_OAS	52
/* A 512 GiB page hits a hardware erratum; Linux never offers it either */
#define AMDV1_ERRATUM_LG2 39

/* The mode whose reach covers @ias bits. */
static inline unsigned int amdv1_mode_for(unsigned int ias)
{
	unsigned int mode = (ias - 12 + 8) / 9;

	return mode ? mode : 1;
}

static inline int amdv1_init(struct iopgt *pt)
{
	struct iopgt_cfg *cfg = &pt->cfg;
	unsigned int mode = cfg->levels, ias = cfg->ias, max_lg2, span_lg2;
	bool grow = cfg->quirks & IOPGT_QUIRK_AMD_GROW_TOP;
	unsigned int max_mode;
	u64 sizes;

	if (cfg->granule_lg2 && cfg->granule_lg2 != 12)
		return -EINVAL;
	if (mode > 6 || ias > 64 || (ias && ias < 13))
		return -EINVAL;
	if (cfg->oas > AMDV1_MAX_OAS || (cfg->oas && cfg->oas < 13))
		return -EINVAL;
	if (cfg->quirks & (IOPGT_QUIRK_ARM_BBML1 | IOPGT_QUIRK_ARM_BBML2))
		return -EINVAL;
	/* growing: @ias is the most the table may reach, all 64 bits if 0 */
	if (grow && !ias)
		ias = 64;
	if (!mode)
		mode = ias ? amdv1_mode_for(ias) : 4;
	span_lg2 = 12 + 9 * mode;
	if (span_lg2 > 64)
		span_lg2 = 64;
	if (!ias)
		ias = span_lg2;
	if (ias > span_lg2 && !grow)
		return -EINVAL;
	max_mode = grow ? amdv1_mode_for(ias) : mode;
	if (max_mode < mode)
		return -EINVAL;
	cfg->ias = ias;
	cfg->levels = mode;
	cfg->granule_lg2 = 12;
	if (!cfg->oas)
		cfg->oas = AMDV1_MAX_OAS;

	pt->levels = mode;
	pt->granule_lg2 = 12;
	pt->top_lg2 = mode == 6 ? 7 : 9;
	pt->top_alloc_lg2 = 12;

	/* Every power of two from 4K; none at the top of mode 6 */
	max_lg2 = 12 + 9 * max_mode - 1;
	if (max_mode == 6)
		max_lg2 = 12 + 9 * 5 - 1;
	if (max_lg2 > ias)
		max_lg2 = ias;
	sizes = iopgt_lg2_mask(max_lg2 + 1) & ~iopgt_lg2_mask(12);
	sizes &= ~(1ull << AMDV1_ERRATUM_LG2);
	if (cfg->pgsize_bitmap)
		sizes &= cfg->pgsize_bitmap;
	pt->pgsize_bitmap = sizes;
	return sizes ? 0 : -EINVAL;
}

static inline unsigned int amdv1_natural_lg2(unsigned int level)
{
	return 12 + 9 * level;
}

static inline enum iopgt_etype amdv1_classify(const struct iopgt *pt,
					      unsigned int level, u64 pte,
					      unsigned int *size_lg2)
{
	u64 nl = (pte & AMDV1_NL_MASK) >> AMDV1_NL_SHIFT;

	(void)pt;
	if (!(pte & AMDV1_PR))
		return IOPGT_E_EMPTY;
	if (nl == AMDV1_NL_SIZED) {
		/* bits 12..n-2 are ones and bit n-1 is zero: 2^n bytes */
		*size_lg2 = iopgt_ffs64(~(pte | 0xfffull));
		/*
		 * A size that does not belong to this level (corrupt memory)
		 * is read as the level's own, so no walk leaves the table;
		 * amdv1_check_entry() reports it.
		 */
		if (*size_lg2 < amdv1_natural_lg2(level) ||
		    *size_lg2 >= amdv1_natural_lg2(level) + 9)
			*size_lg2 = amdv1_natural_lg2(level);
		return IOPGT_E_LEAF;
	}
	if (level == 0 || nl == 0) {
		*size_lg2 = amdv1_natural_lg2(level);
		return IOPGT_E_LEAF;
	}
	return IOPGT_E_TABLE;
}

static inline u64 amdv1_table_pa(const struct iopgt *pt, unsigned int level,
				 u64 pte)
{
	(void)pt;
	(void)level;
	return pte & AMDV1_OA_MASK;
}

/* NextLevel of a table entry at @level is the child's 1-based level. */
static inline u64 amdv1_make_table(const struct iopgt *pt, unsigned int level,
				   u64 pa)
{
	(void)pt;
	return AMDV1_PR | ((u64)level << AMDV1_NL_SHIFT) |
	       (pa & AMDV1_OA_MASK) | AMDV1_IR | AMDV1_IW;
}

static inline u64 amdv1_leaf_oa(const struct iopgt *pt, unsigned int level,
				u64 pte, unsigned int size_lg2)
{
	(void)pt;
	(void)level;
	return pte & AMDV1_OA_MASK & ~iopgt_lg2_mask(size_lg2);
}

static inline u64 amdv1_make_leaf(const struct iopgt *pt, unsigned int level,
				  u64 oa, unsigned int size_lg2, u64 attrs)
{
	(void)pt;
	if (size_lg2 == amdv1_natural_lg2(level))
		return AMDV1_PR | (oa & AMDV1_OA_MASK) | attrs;
	/* Every replica holds the leaf's base OA with the size encoded */
	oa &= ~iopgt_lg2_mask(size_lg2);
	oa |= iopgt_lg2_mask(size_lg2 - 1) & ~0xfffull;
	return AMDV1_PR | (AMDV1_NL_SIZED << AMDV1_NL_SHIFT) |
	       (oa & AMDV1_OA_MASK) | attrs;
}

/* AMD v1 has no execute permission and no memory type: both are ignored. */
static inline int amdv1_prot_attrs(const struct iopgt *pt, u32 prot,
				   u64 *attrs)
{
	(void)pt;
	*attrs = 0;
	if (prot & IOPGT_READ)
		*attrs |= AMDV1_IR;
	if (prot & IOPGT_WRITE)
		*attrs |= AMDV1_IW;
	if (prot & IOPGT_CACHE)
		*attrs |= AMDV1_FC;
	return 0;
}

static inline u64 amdv1_leaf_attrs(const struct iopgt *pt, unsigned int level,
				   u64 pte)
{
	(void)pt;
	(void)level;
	return pte & (AMDV1_IR | AMDV1_IW | AMDV1_FC | AMDV1_U);
}

static inline u32 amdv1_leaf_prot(const struct iopgt *pt, u64 pte)
{
	u32 prot = IOPGT_NOEXEC;

	(void)pt;
	if (pte & AMDV1_IR)
		prot |= IOPGT_READ;
	if (pte & AMDV1_IW)
		prot |= IOPGT_WRITE;
	if (pte & AMDV1_FC)
		prot |= IOPGT_CACHE;
	return prot;
}

static inline u64 amdv1_hw_bits(const struct iopgt *pt, unsigned int level)
{
	(void)pt;
	(void)level;
	return AMDV1_A | AMDV1_D;
}

static inline bool amdv1_leaf_dirty(const struct iopgt *pt, u64 pte)
{
	(void)pt;
	return (pte & (AMDV1_PR | AMDV1_D)) == (AMDV1_PR | AMDV1_D);
}

static inline u64 amdv1_leaf_mkclean(const struct iopgt *pt, u64 pte)
{
	(void)pt;
	return pte & ~AMDV1_D;
}

static inline u64 amdv1_leaf_mkdirty(const struct iopgt *pt, u64 pte)
{
	(void)pt;
	return pte | AMDV1_D;
}

/* With A and D both set the IOMMU has nothing left to write. */
static inline bool amdv1_leaf_settled(const struct iopgt *pt, u64 pte)
{
	(void)pt;
	return (pte & (AMDV1_A | AMDV1_D)) == (AMDV1_A | AMDV1_D);
}

/* D is only ever set by the IOMMU, when the DTE's HAD field allows it. */
static inline u64 amdv1_leaf_set_tracking(const struct iopgt *pt, u64 pte,
					  bool on)
{
	(void)pt;
	(void)on;
	return pte;
}

static inline const char *amdv1_check_entry(const struct iopgt *pt,
					    unsigned int level, u64 pte)
{
	u64 nl = (pte & AMDV1_NL_MASK) >> AMDV1_NL_SHIFT;

	(void)pt;
	if (pte & (AMDV1_RSVD | AMDV1_U | (1ull << 63)))
		return "reserved bits set";
	if (level == 0 && nl != 0 && nl != AMDV1_NL_SIZED)
		return "NextLevel not 0 or 7 at level 0";
	if (nl == AMDV1_NL_SIZED) {
		unsigned int size_lg2 = iopgt_ffs64(~(pte | 0xfffull));

		if (size_lg2 <= amdv1_natural_lg2(level) ||
		    size_lg2 >= amdv1_natural_lg2(level) + 9)
			return "NextLevel=7 size not of this level";
	}
	if (level && nl && nl != AMDV1_NL_SIZED) {
		if (nl != level)
			return "NextLevel is not the child's level";
		if ((pte & (AMDV1_IR | AMDV1_IW)) != (AMDV1_IR | AMDV1_IW))
			return "table entry without IR and IW";
		if (pte & AMDV1_FC)
			return "FC set in a table entry";
	}
	if (level == 5 && (nl == 0 || nl == AMDV1_NL_SIZED))
		return "leaf in the top table of mode 6";
	return NULL;
}

/*
 * A write through a stale cached translation of a leaf that split has
 * since replaced may set D in what is now a table entry. Table entries
 * never carry D otherwise, so it marks the split subtree dirty.
 */
static inline bool amdv1_table_stray_dirty(const struct iopgt *pt,
					   unsigned int level, u64 pte)
{
	(void)pt;
	(void)level;
	return pte & AMDV1_D;
}

static inline u64 amdv1_table_clear_stray(const struct iopgt *pt,
					  unsigned int level, u64 pte)
{
	(void)pt;
	(void)level;
	return pte & ~AMDV1_D;
}

static inline void amdv1_hw_info(const struct iopgt *pt,
				 struct iopgt_hw_info *info)
{
	info->amdv1.mode = pt->levels;
}

#define fmt_init		amdv1_init
#define fmt_classify		amdv1_classify
#define fmt_table_pa		amdv1_table_pa
#define fmt_make_table		amdv1_make_table
#define fmt_leaf_oa		amdv1_leaf_oa
#define fmt_make_leaf		amdv1_make_leaf
#define fmt_prot_attrs		amdv1_prot_attrs
#define fmt_leaf_attrs		amdv1_leaf_attrs
#define fmt_leaf_prot		amdv1_leaf_prot
#define fmt_hw_bits		amdv1_hw_bits
#define fmt_leaf_dirty		amdv1_leaf_dirty
#define fmt_leaf_mkclean	amdv1_leaf_mkclean
#define fmt_leaf_mkdirty	amdv1_leaf_mkdirty
#define fmt_leaf_settled	amdv1_leaf_settled
#define fmt_leaf_set_tracking	amdv1_leaf_set_tracking
#define fmt_check_entry		amdv1_check_entry
#define fmt_hw_info		amdv1_hw_info
#define fmt_table_stray_dirty	amdv1_table_stray_dirty
/* above level 0: present with NextLevel 1..6, without a branch */
#define fmt_is_table(pt, level, pte)					\
	((void)(pt), (void)(level),					\
	 ((pte) & AMDV1_PR) &&						\
	 ((((pte) & AMDV1_NL_MASK) >> AMDV1_NL_SHIFT) - 1) < 6)
#define fmt_table_clear_stray	amdv1_table_clear_stray
#define FMT_DIRTY_MASK(pt)	(AMDV1_PR | AMDV1_D)
#define FMT_DIRTY_VAL(pt)	(AMDV1_PR | AMDV1_D)
#define FMT_TRACKING_ENCODED	0
/* level 0, NextLevel 0 (4K), present, accessed and dirty */
#define FMT_PLAIN_MASK(pt)	(AMDV1_PR | AMDV1_A | AMDV1_D | AMDV1_NL_MASK)
#define FMT_PLAIN_VAL(pt)	(AMDV1_PR | AMDV1_A | AMDV1_D)

#endif /* IOPGT_FMT_AMDV1_H */
