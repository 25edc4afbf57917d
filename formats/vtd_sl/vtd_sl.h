/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Intel VT-d second-level (second-stage) page table: the entry codecs.
 *
 * 4 KiB tables of 512 entries; 3, 4 or 5 levels, programmed as the AW
 * (AGAW) field 1, 2 or 3 of the context or PASID entry. Superpages are a
 * PS (bit 7) entry at level 1 (2 MiB) or level 2 (1 GiB), each present
 * only if the IOMMU reports it (CAP.SLLPS): cfg.pgsize_bitmap tells which.
 * Leaves have their natural size only, so nothing is replicated.
 *
 * There is no present bit: an entry is present iff R or W is set, so a
 * leaf always grants at least one of them (iopgt_map() refuses a prot
 * with neither) and a table entry grants both, leaving the permission to
 * the leaf. A WRITE-only leaf (W without R) is a real VT-d mapping.
 *
 * How IOPGT_* prot maps onto the leaf:
 *   READ    R (bit 0).
 *   WRITE   W (bit 1).
 *   CACHE   SNP (bit 11): the access is snooped whatever the request's
 *           no-snoop attribute says. Only with IOPGT_CAP_VTD_SNOOP: SNP
 *           is reserved on an IOMMU without snoop control (ECAP.SC=0),
 *           whose walk faults on it, so without the capability map
 *           drops CACHE and the leaf reads back without it.
 *   NOEXEC  accepted and always in force: X (bit 2) is never set. X only
 *           matters when the IOMMU accepts execute requests (SLEE), which
 *           drivers do not enable and newer spec revisions drop; a clear X
 *           is the least privilege and the same entry in every mode.
 *   MMIO    accepted and ignored: EMT/IPAT (bits 6:3) only count when
 *           the PASID entry enables extended memory types (EMTE), which
 *           is a nesting feature a host table does not use.
 *
 * Dirty tracking: with SSADE the IOMMU sets A (bit 8) on every entry it
 * walks and D (bit 9) on a leaf it writes through. Enabling that is the
 * driver's PASID-entry work, so iopgt only records the tracking state;
 * new leaves always start with A and D clear.
 *
 * Split and merge replace a live leaf by a table (or back) with one
 * compare-exchange: VT-d needs no break-before-make. The template's
 * default for stray dirty marks (none) is kept: it assumes that a write
 * through a stale cached translation of a split leaf re-reads the entry
 * before setting D and walks again when it is no longer that leaf, as the
 * tests' software IOMMU does, rather than set bit 9 in what is now a table
 * entry. Should an IOMMU be found doing the latter, define
 * fmt_table_stray_dirty() here as D in a table entry (never set otherwise).
 */
#ifndef IOPGT_FMT_VTD_SL_H
#define IOPGT_FMT_VTD_SL_H

#include "../../pgtable/format.h"

#define VTD_SL_R	(1ull << 0)
#define VTD_SL_W	(1ull << 1)
#define VTD_SL_X	(1ull << 2)	/* never set, see above */
#define VTD_SL_EMT	(7ull << 3)	/* never set */
#define VTD_SL_IPAT	(1ull << 6)	/* never set */
#define VTD_SL_PS	(1ull << 7)
#define VTD_SL_A	(1ull << 8)
#define VTD_SL_D	(1ull << 9)
#define VTD_SL_SNP	(1ull << 11)
#define VTD_SL_OA_MASK	0x000ffffffffff000ull /* bits 51:12 */
#define VTD_SL_MAX_OAS	52
#define VTD_SL_SIZES	((1ull << 12) | (1ull << 21) | (1ull << 30))

/* What a leaf may hold: what iopgt writes plus what the IOMMU sets. */
#define VTD_SL_LEAF_BITS \
	(VTD_SL_R | VTD_SL_W | VTD_SL_PS | VTD_SL_A | VTD_SL_D | VTD_SL_SNP | \
	 VTD_SL_OA_MASK)
#define VTD_SL_TABLE_BITS (VTD_SL_R | VTD_SL_W | VTD_SL_A | VTD_SL_OA_MASK)

static inline unsigned int vtd_sl_natural_lg2(unsigned int level)
{
	return 12 + 9 * level;
}

static inline int vtd_sl_init(struct iopgt *pt)
{
	struct iopgt_cfg *cfg = &pt->cfg;
	unsigned int levels = cfg->levels, ias = cfg->ias, span_lg2;
	u64 sizes;

	if (cfg->granule_lg2 && cfg->granule_lg2 != 12)
		return -EINVAL;
	if (ias > 64 || (ias && ias < 13))
		return -EINVAL;
	if (cfg->oas > VTD_SL_MAX_OAS || (cfg->oas && cfg->oas < 13))
		return -EINVAL;
	if (cfg->quirks & (IOPGT_QUIRK_ARM_BBML1 | IOPGT_QUIRK_ARM_BBML2))
		return -EINVAL;
	/* AGAW 1/2/3: 39, 48 or 57 IOVA bits */
	if (!levels)
		levels = !ias ? 4 : ias <= 39 ? 3 : (ias - 12 + 8) / 9;
	if (levels < 3 || levels > 5)
		return -EINVAL;
	span_lg2 = vtd_sl_natural_lg2(levels);
	if (!ias)
		ias = span_lg2;
	if (ias > span_lg2)
		return -EINVAL;
	cfg->ias = ias;
	cfg->levels = levels;
	cfg->granule_lg2 = 12;
	if (!cfg->oas)
		cfg->oas = VTD_SL_MAX_OAS;

	pt->levels = levels;
	pt->granule_lg2 = 12;
	pt->top_lg2 = 9;
	pt->top_alloc_lg2 = 12;

	/* 4K always; 2M and 1G as SLLPS allows; none larger than the ias */
	sizes = VTD_SL_SIZES & iopgt_lg2_mask(ias + 1);
	if (cfg->pgsize_bitmap)
		sizes &= cfg->pgsize_bitmap;
	pt->pgsize_bitmap = sizes;
	return sizes ? 0 : -EINVAL;
}

static inline enum iopgt_etype vtd_sl_classify(const struct iopgt *pt,
					       unsigned int level, u64 pte,
					       unsigned int *size_lg2)
{
	(void)pt;
	if (!(pte & (VTD_SL_R | VTD_SL_W)))
		return IOPGT_E_EMPTY;
	if (level == 0 || (pte & VTD_SL_PS)) {
		*size_lg2 = vtd_sl_natural_lg2(level);
		return IOPGT_E_LEAF;
	}
	return IOPGT_E_TABLE;
}

static inline u64 vtd_sl_table_pa(const struct iopgt *pt, unsigned int level,
				  u64 pte)
{
	(void)pt;
	(void)level;
	return pte & VTD_SL_OA_MASK;
}

static inline u64 vtd_sl_make_table(const struct iopgt *pt,
				    unsigned int level, u64 pa)
{
	(void)pt;
	(void)level;
	return VTD_SL_R | VTD_SL_W | (pa & VTD_SL_OA_MASK);
}

static inline u64 vtd_sl_leaf_oa(const struct iopgt *pt, unsigned int level,
				 u64 pte, unsigned int size_lg2)
{
	(void)pt;
	(void)level;
	return pte & VTD_SL_OA_MASK & ~iopgt_lg2_mask(size_lg2);
}

static inline u64 vtd_sl_make_leaf(const struct iopgt *pt, unsigned int level,
				   u64 oa, unsigned int size_lg2, u64 attrs)
{
	(void)pt;
	(void)size_lg2;
	return (oa & VTD_SL_OA_MASK) | attrs | (level ? VTD_SL_PS : 0);
}

static inline int vtd_sl_prot_attrs(const struct iopgt *pt, u32 prot,
				    u64 *attrs)
{
	*attrs = 0;
	if (prot & IOPGT_READ)
		*attrs |= VTD_SL_R;
	if (prot & IOPGT_WRITE)
		*attrs |= VTD_SL_W;
	if ((prot & IOPGT_CACHE) && (pt->cfg.caps & IOPGT_CAP_VTD_SNOOP))
		*attrs |= VTD_SL_SNP;
	return 0;
}

static inline u64 vtd_sl_leaf_attrs(const struct iopgt *pt,
				    unsigned int level, u64 pte)
{
	(void)pt;
	(void)level;
	return pte & (VTD_SL_R | VTD_SL_W | VTD_SL_X | VTD_SL_EMT |
		      VTD_SL_IPAT | VTD_SL_SNP);
}

static inline u32 vtd_sl_leaf_prot(const struct iopgt *pt, u64 pte)
{
	u32 prot = 0;

	(void)pt;
	if (pte & VTD_SL_R)
		prot |= IOPGT_READ;
	if (pte & VTD_SL_W)
		prot |= IOPGT_WRITE;
	if (!(pte & VTD_SL_X))
		prot |= IOPGT_NOEXEC;
	if (pte & VTD_SL_SNP)
		prot |= IOPGT_CACHE;
	return prot;
}

static inline u64 vtd_sl_hw_bits(const struct iopgt *pt, unsigned int level)
{
	(void)pt;
	(void)level;
	return VTD_SL_A | VTD_SL_D;
}

/* Present (R or W) and written: D alone is not enough to be an entry. */
static inline bool vtd_sl_leaf_dirty(const struct iopgt *pt, u64 pte)
{
	(void)pt;
	return (pte & VTD_SL_D) && (pte & (VTD_SL_R | VTD_SL_W));
}

static inline u64 vtd_sl_leaf_mkclean(const struct iopgt *pt, u64 pte)
{
	(void)pt;
	return pte & ~VTD_SL_D;
}

static inline u64 vtd_sl_leaf_mkdirty(const struct iopgt *pt, u64 pte)
{
	(void)pt;
	return pte | VTD_SL_D;
}

/* With A and D both set the IOMMU has nothing left to write. */
static inline bool vtd_sl_leaf_settled(const struct iopgt *pt, u64 pte)
{
	(void)pt;
	return (pte & (VTD_SL_A | VTD_SL_D)) == (VTD_SL_A | VTD_SL_D);
}

/* SSADE lives in the PASID entry: the table itself does not change. */
static inline u64 vtd_sl_leaf_set_tracking(const struct iopgt *pt, u64 pte,
					   bool on)
{
	(void)pt;
	(void)on;
	return pte;
}

static inline const char *vtd_sl_check_entry(const struct iopgt *pt,
					     unsigned int level, u64 pte)
{
	unsigned int size_lg2 = vtd_sl_natural_lg2(level);

	if (level == 0 && (pte & VTD_SL_PS))
		return "PS set at the 4K level";
	if (level == 0 || (pte & VTD_SL_PS)) {
		if (level > 2 || !(pt->pgsize_bitmap & (1ull << size_lg2)))
			return "PS at a level without superpages";
		if (pte & ~VTD_SL_LEAF_BITS)
			return "leaf bits iopgt never sets";
		if ((pte & VTD_SL_SNP) && !(pt->cfg.caps & IOPGT_CAP_VTD_SNOOP))
			return "SNP on an IOMMU without snoop control";
		if (pte & VTD_SL_OA_MASK & iopgt_lg2_mask(size_lg2))
			return "superpage OA not aligned";
		return NULL;
	}
	if ((pte & (VTD_SL_R | VTD_SL_W)) != (VTD_SL_R | VTD_SL_W))
		return "table entry without R and W";
	if (pte & ~VTD_SL_TABLE_BITS)
		return "table entry bits iopgt never sets";
	if (pt->cfg.oas < 64 && ((pte & VTD_SL_OA_MASK) >> pt->cfg.oas))
		return "table beyond oas";
	return NULL;
}

static inline void vtd_sl_hw_info(const struct iopgt *pt,
				  struct iopgt_hw_info *info)
{
	/* AGAW: 1 for 3 levels (39 bits), 2 for 4 (48), 3 for 5 (57) */
	info->vtd.aw = pt->levels - 2;
}

#define fmt_init		vtd_sl_init
#define fmt_classify		vtd_sl_classify
#define fmt_table_pa		vtd_sl_table_pa
#define fmt_make_table		vtd_sl_make_table
#define fmt_leaf_oa		vtd_sl_leaf_oa
#define fmt_make_leaf		vtd_sl_make_leaf
#define fmt_prot_attrs		vtd_sl_prot_attrs
#define fmt_leaf_attrs		vtd_sl_leaf_attrs
#define fmt_leaf_prot		vtd_sl_leaf_prot
#define fmt_hw_bits		vtd_sl_hw_bits
#define fmt_leaf_dirty		vtd_sl_leaf_dirty
#define fmt_leaf_mkclean	vtd_sl_leaf_mkclean
#define fmt_leaf_mkdirty	vtd_sl_leaf_mkdirty
#define fmt_leaf_settled	vtd_sl_leaf_settled
#define fmt_leaf_set_tracking	vtd_sl_leaf_set_tracking
#define fmt_check_entry		vtd_sl_check_entry
#define fmt_hw_info		vtd_sl_hw_info
/*
 * Presence is "R or W", which one mask-and-compare cannot test: the filter
 * passes any entry with D, and the harvest classifies each candidate.
 */
#define FMT_DIRTY_MASK(pt)	VTD_SL_D
#define FMT_DIRTY_VAL(pt)	VTD_SL_D
#define FMT_TRACKING_ENCODED	0
/*
 * A plain dirty 4K leaf: R (so present), no PS, A and D. A WRITE-only
 * leaf fails the test and takes the entry-by-entry path, which is right.
 */
#define FMT_PLAIN_MASK(pt)	(VTD_SL_R | VTD_SL_PS | VTD_SL_A | VTD_SL_D)
#define FMT_PLAIN_VAL(pt)	(VTD_SL_R | VTD_SL_A | VTD_SL_D)

#endif /* IOPGT_FMT_VTD_SL_H */
