/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Intel VT-d first-level (first-stage) page table, which is x86-64 paging
 * and also the AMD IOMMU v2 table: the entry codecs.
 *
 * 4 KiB tables of 512 entries; 4 levels (48-bit) or 5 levels (57-bit),
 * programmed as the PASID entry's FLPM field 0 or 1. The walker checks
 * that an IOVA is canonical; iopgt keeps IOVAs in the lower half, so
 * cfg.ias is at most 47 (4 levels) or 56 (5 levels). Leaves: 4 KiB at
 * level 0, 2 MiB (PS at level 1) and, if the IOMMU has it, 1 GiB (PS at
 * level 2). Natural sizes only, so nothing is replicated. iopgt never sets
 * a PAT bit (bit 7 of a 4K entry, bit 12 of a large one): with PCD and PWT
 * they pick PAT entry 0 (write-back) or 3 (uncacheable).
 *
 * Every entry iopgt writes has P, US and A. US because device requests are
 * user-mode accesses in first-level translation unless they carry a
 * supervisor privilege; A because the walker would set it on first use
 * anyway, and a preset A saves it that atomic update. Table entries also
 * have RW: write permission is ANDed down the walk and left to the leaf.
 *
 * How IOPGT_* prot maps onto the leaf:
 *   READ    implied. x86 paging has no read permission: every present
 *           entry is readable, so a WRITE-only map is readable too.
 *   WRITE   RW (bit 1).
 *   NOEXEC  XD (bit 63).
 *   MMIO    PCD | PWT (bits 4, 3): uncacheable with the default PAT.
 *   CACHE   ignored: write-back is the default memory type, and whether
 *           device accesses snoop is the PASID entry's PGSNP (VT-d) or
 *           always so (AMD v2).
 *
 * Dirty tracking: the walker sets D (bit 6) on every write and has no
 * switch to turn that off. With tracking off, a writable leaf is made with
 * D already set, as Linux does, which spares the walker the update. With
 * tracking on, a writable leaf starts clean (D clear) and D is harvested
 * and cleared like VT-d SL bit 9. Turning tracking off sets D on every
 * writable leaf. Turning it on leaves D as it is: leaves made while
 * tracking was off are dirty, so the first harvest after enabling reports
 * every writable leaf (and cleans it); later harvests are exact.
 *
 * Split and merge replace a live leaf by a table (or back) with one
 * compare-exchange: no break-before-make. The template's default for
 * stray dirty marks (none) is kept: it assumes that a write through a
 * stale cached translation of a split leaf re-reads the entry before
 * setting D and walks again when it is no longer that present, writable
 * leaf, as the tests' software IOMMU does, rather than set bit 6 in what
 * is now a table entry. Should a walker be found doing the latter, define
 * fmt_table_stray_dirty() here as D in a table entry (never set otherwise).
 */
#ifndef IOPGT_FMT_VTD_FL_H
#define IOPGT_FMT_VTD_FL_H

#include "../../pgtable/format.h"

#define VTD_FL_P		(1ull << 0)
#define VTD_FL_RW		(1ull << 1)
#define VTD_FL_US		(1ull << 2)
#define VTD_FL_PWT		(1ull << 3)
#define VTD_FL_PCD		(1ull << 4)
#define VTD_FL_A		(1ull << 5)
#define VTD_FL_D		(1ull << 6)	/* leaves only */
#define VTD_FL_PS		(1ull << 7)	/* levels 1, 2; PAT at 0 */
#define VTD_FL_PAT_LARGE	(1ull << 12)	/* PAT of a 2M/1G leaf */
#define VTD_FL_OA_MASK		0x000ffffffffff000ull /* bits 51:12 */
#define VTD_FL_XD		(1ull << 63)
#define VTD_FL_MAX_OAS		52
#define VTD_FL_SIZES		((1ull << 12) | (1ull << 21) | (1ull << 30))

/* What a leaf may hold: what iopgt writes plus what the walker sets. */
#define VTD_FL_LEAF_BITS \
	(VTD_FL_P | VTD_FL_RW | VTD_FL_US | VTD_FL_PWT | VTD_FL_PCD | \
	 VTD_FL_A | VTD_FL_D | VTD_FL_PS | VTD_FL_OA_MASK | VTD_FL_XD)
#define VTD_FL_TABLE_BITS \
	(VTD_FL_P | VTD_FL_RW | VTD_FL_US | VTD_FL_A | VTD_FL_OA_MASK)

static inline unsigned int vtd_fl_natural_lg2(unsigned int level)
{
	return 12 + 9 * level;
}

static inline int vtd_fl_init(struct iopgt *pt)
{
	struct iopgt_cfg *cfg = &pt->cfg;
	unsigned int levels = cfg->levels, ias = cfg->ias, max_ias;
	u64 sizes;

	if (cfg->granule_lg2 && cfg->granule_lg2 != 12)
		return -EINVAL;
	if (ias > 64 || (ias && ias < 13))
		return -EINVAL;
	if (cfg->oas > VTD_FL_MAX_OAS || (cfg->oas && cfg->oas < 13))
		return -EINVAL;
	if (cfg->quirks & (IOPGT_QUIRK_ARM_BBML1 | IOPGT_QUIRK_ARM_BBML2))
		return -EINVAL;
	if (!levels)
		levels = ias > 47 ? 5 : 4;
	if (levels != 4 && levels != 5)
		return -EINVAL;
	/* The lower canonical half: one bit less than the walk translates */
	max_ias = vtd_fl_natural_lg2(levels) - 1;
	if (!ias)
		ias = max_ias;
	if (ias > max_ias)
		return -EINVAL;
	cfg->ias = ias;
	cfg->levels = levels;
	cfg->granule_lg2 = 12;
	if (!cfg->oas)
		cfg->oas = VTD_FL_MAX_OAS;

	pt->levels = levels;
	pt->granule_lg2 = 12;
	pt->top_lg2 = 9;
	pt->top_alloc_lg2 = 12;

	sizes = VTD_FL_SIZES & iopgt_lg2_mask(ias + 1);
	if (cfg->pgsize_bitmap)
		sizes &= cfg->pgsize_bitmap;
	pt->pgsize_bitmap = sizes;
	return sizes ? 0 : -EINVAL;
}

static inline enum iopgt_etype vtd_fl_classify(const struct iopgt *pt,
					       unsigned int level, u64 pte,
					       unsigned int *size_lg2)
{
	(void)pt;
	if (!(pte & VTD_FL_P))
		return IOPGT_E_EMPTY;
	if (level == 0 || (pte & VTD_FL_PS)) {
		*size_lg2 = vtd_fl_natural_lg2(level);
		return IOPGT_E_LEAF;
	}
	return IOPGT_E_TABLE;
}

static inline u64 vtd_fl_table_pa(const struct iopgt *pt, unsigned int level,
				  u64 pte)
{
	(void)pt;
	(void)level;
	return pte & VTD_FL_OA_MASK;
}

static inline u64 vtd_fl_make_table(const struct iopgt *pt,
				    unsigned int level, u64 pa)
{
	(void)pt;
	(void)level;
	return VTD_FL_P | VTD_FL_RW | VTD_FL_US | VTD_FL_A |
	       (pa & VTD_FL_OA_MASK);
}

/* The OA bits below a large leaf's size (PAT at bit 12) are not address. */
static inline u64 vtd_fl_leaf_oa(const struct iopgt *pt, unsigned int level,
				 u64 pte, unsigned int size_lg2)
{
	(void)pt;
	(void)level;
	return pte & VTD_FL_OA_MASK & ~iopgt_lg2_mask(size_lg2);
}

static inline u64 vtd_fl_make_leaf(const struct iopgt *pt, unsigned int level,
				   u64 oa, unsigned int size_lg2, u64 attrs)
{
	u64 pte = VTD_FL_P | VTD_FL_A | (oa & VTD_FL_OA_MASK) | attrs;

	(void)size_lg2;
	if (level)
		pte |= VTD_FL_PS;
	/* Tracking off: born dirty, there is nothing to harvest anyway */
	if ((attrs & VTD_FL_RW) && !pt->dirty_tracking)
		pte |= VTD_FL_D;
	return pte;
}

static inline int vtd_fl_prot_attrs(const struct iopgt *pt, u32 prot,
				    u64 *attrs)
{
	(void)pt;
	*attrs = VTD_FL_US;
	if (prot & IOPGT_WRITE)
		*attrs |= VTD_FL_RW;
	if (prot & IOPGT_NOEXEC)
		*attrs |= VTD_FL_XD;
	if (prot & IOPGT_MMIO)
		*attrs |= VTD_FL_PCD | VTD_FL_PWT;
	return 0;
}

static inline u64 vtd_fl_leaf_attrs(const struct iopgt *pt,
				    unsigned int level, u64 pte)
{
	(void)pt;
	(void)level;
	return pte & (VTD_FL_RW | VTD_FL_US | VTD_FL_PWT | VTD_FL_PCD |
		      VTD_FL_XD);
}

static inline u32 vtd_fl_leaf_prot(const struct iopgt *pt, u64 pte)
{
	u32 prot = IOPGT_READ;

	(void)pt;
	if (pte & VTD_FL_RW)
		prot |= IOPGT_WRITE;
	if (pte & VTD_FL_XD)
		prot |= IOPGT_NOEXEC;
	if (pte & VTD_FL_PCD)
		prot |= IOPGT_MMIO;
	return prot;
}

static inline u64 vtd_fl_hw_bits(const struct iopgt *pt, unsigned int level)
{
	(void)pt;
	(void)level;
	return VTD_FL_A | VTD_FL_D;
}

static inline bool vtd_fl_leaf_dirty(const struct iopgt *pt, u64 pte)
{
	(void)pt;
	return (pte & (VTD_FL_P | VTD_FL_D)) == (VTD_FL_P | VTD_FL_D);
}

static inline u64 vtd_fl_leaf_mkclean(const struct iopgt *pt, u64 pte)
{
	(void)pt;
	return pte & ~VTD_FL_D;
}

static inline u64 vtd_fl_leaf_mkdirty(const struct iopgt *pt, u64 pte)
{
	(void)pt;
	return pte | VTD_FL_D;
}

/* With A and D both set the walker has nothing left to write. */
static inline bool vtd_fl_leaf_settled(const struct iopgt *pt, u64 pte)
{
	(void)pt;
	return (pte & (VTD_FL_A | VTD_FL_D)) == (VTD_FL_A | VTD_FL_D);
}

/*
 * Off: every writable leaf becomes dirty, as if made with tracking off.
 * On: D stays as it is (see the top of this file).
 */
static inline u64 vtd_fl_leaf_set_tracking(const struct iopgt *pt, u64 pte,
					   bool on)
{
	(void)pt;
	if (!on && (pte & VTD_FL_RW))
		return pte | VTD_FL_D;
	return pte;
}

static inline const char *vtd_fl_check_entry(const struct iopgt *pt,
					     unsigned int level, u64 pte)
{
	unsigned int size_lg2 = vtd_fl_natural_lg2(level);

	if (level == 0 && (pte & VTD_FL_PS))
		return "PAT bit set in a 4K leaf";
	if (level == 0 || (pte & VTD_FL_PS)) {
		if (level > 2 || !(pt->pgsize_bitmap & (1ull << size_lg2)))
			return "PS at a level without large pages";
		if (pte & ~VTD_FL_LEAF_BITS)
			return "leaf bits iopgt never sets";
		if (level && (pte & VTD_FL_PAT_LARGE))
			return "PAT bit set in a large leaf";
		if (pte & VTD_FL_OA_MASK & iopgt_lg2_mask(size_lg2))
			return "large leaf OA not aligned";
		if (!(pte & VTD_FL_US))
			return "leaf without US";
		if (!(pte & VTD_FL_PCD) != !(pte & VTD_FL_PWT))
			return "memory type iopgt never sets";
		if ((pte & (VTD_FL_RW | VTD_FL_D)) == VTD_FL_D)
			return "D set on a read-only leaf";
		return NULL;
	}
	if ((pte & (VTD_FL_RW | VTD_FL_US)) != (VTD_FL_RW | VTD_FL_US))
		return "table entry without RW and US";
	if (pte & ~VTD_FL_TABLE_BITS)
		return "table entry bits iopgt never sets";
	if (pt->cfg.oas < 64 && ((pte & VTD_FL_OA_MASK) >> pt->cfg.oas))
		return "table beyond oas";
	return NULL;
}

static inline void vtd_fl_hw_info(const struct iopgt *pt,
				  struct iopgt_hw_info *info)
{
	info->vtd.flpm = pt->levels == 5;
}

#define fmt_init		vtd_fl_init
#define fmt_classify		vtd_fl_classify
#define fmt_table_pa		vtd_fl_table_pa
#define fmt_make_table		vtd_fl_make_table
#define fmt_leaf_oa		vtd_fl_leaf_oa
#define fmt_make_leaf		vtd_fl_make_leaf
#define fmt_prot_attrs		vtd_fl_prot_attrs
#define fmt_leaf_attrs		vtd_fl_leaf_attrs
#define fmt_leaf_prot		vtd_fl_leaf_prot
#define fmt_hw_bits		vtd_fl_hw_bits
#define fmt_leaf_dirty		vtd_fl_leaf_dirty
#define fmt_leaf_mkclean	vtd_fl_leaf_mkclean
#define fmt_leaf_mkdirty	vtd_fl_leaf_mkdirty
#define fmt_leaf_settled	vtd_fl_leaf_settled
#define fmt_leaf_set_tracking	vtd_fl_leaf_set_tracking
#define fmt_check_entry		vtd_fl_check_entry
#define fmt_hw_info		vtd_fl_hw_info
#define FMT_DIRTY_MASK(pt)	(VTD_FL_P | VTD_FL_D)
#define FMT_DIRTY_VAL(pt)	(VTD_FL_P | VTD_FL_D)
#define FMT_TRACKING_ENCODED	1
/* A plain dirty 4K leaf: present, accessed, dirty, no PAT (bit 7). */
#define FMT_PLAIN_MASK(pt)	(VTD_FL_P | VTD_FL_A | VTD_FL_D | VTD_FL_PS)
#define FMT_PLAIN_VAL(pt)	(VTD_FL_P | VTD_FL_A | VTD_FL_D)

#endif /* IOPGT_FMT_VTD_FL_H */
