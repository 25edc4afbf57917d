/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * ARM VMSAv8-64 (LPAE) translation tables as the SMMU walks them, stage 1
 * (arm_s1) and stage 2 (arm_s2): the entry codecs, and their mapping onto
 * the format contract (pgtable/format.h) when a stage is chosen. The
 * descriptor bits, the geometry and the configuration are in arm_bits.h and
 * arm_geometry.h.
 */
#ifndef IOPGT_FMT_ARM_H
#define IOPGT_FMT_ARM_H

#include "arm_geometry.h"

static inline enum iopgt_etype armpt_classify(const struct iopgt *pt,
					      unsigned int level, u64 pte,
					      unsigned int *size_lg2)
{
	if (!(pte & ARMPT_VALID))
		return IOPGT_E_EMPTY;
	/* 0b11 is a table above the leaf level and a page at it */
	if (level && (pte & ARMPT_TYPE_MASK) == ARMPT_TYPE_TABLE)
		return IOPGT_E_TABLE;
	*size_lg2 = iopgt_item_lg2(pt, level);
	/*
	 * A run longer than its table (a small top table, in memory iopgt did
	 * not write) counts as one entry, so no walk strays past the table;
	 * iopgt_validate() reports the bit.
	 */
	if (unlikely(pte & ARMPT_CONT) &&
	    likely(armpt_contig_lg2(pt, level) <= iopgt_table_lg2(pt, level)))
		*size_lg2 += armpt_contig_lg2(pt, level);
	return IOPGT_E_LEAF;
}

static inline u64 armpt_table_pa(const struct iopgt *pt, unsigned int level,
				 u64 pte)
{
	(void)level;
	return armpt_decode_oa(pt, pte);
}

/*
 * The table attributes (NSTable, APTable, XNTable/PXNTable) are left 0: they
 * restrict nothing, and permissions are all in the leaves.
 */
static inline u64 armpt_make_table(const struct iopgt *pt, unsigned int level,
				   u64 pa)
{
	(void)level;
	return ARMPT_TYPE_TABLE | armpt_encode_oa(pt, pa);
}

/* Every slot of a contiguous run holds its own OA; the leaf's is the run's */
static inline u64 armpt_leaf_oa(const struct iopgt *pt, unsigned int level,
				u64 pte, unsigned int size_lg2)
{
	(void)level;
	return armpt_decode_oa(pt, pte) & ~iopgt_lg2_mask(size_lg2);
}

/* Does a leaf grant write, now or after a hardware dirty update? */
static inline bool armpt_writable(u64 pte, bool s2)
{
	if (s2)
		return pte & (ARMPT_S2_S2AP_W | ARMPT_DBM);
	return !(pte & ARMPT_S1_AP2) || (pte & ARMPT_DBM);
}

/*
 * @attrs holds the plain-writable encoding of a writable leaf (AP[2] clear,
 * S2AP[1] set); with dirty tracking on it becomes writable-clean.
 */
static inline u64 armpt_make_leaf(const struct iopgt *pt, unsigned int level,
				  u64 oa, unsigned int size_lg2, u64 attrs,
				  bool s2)
{
	u64 pte = armpt_encode_oa(pt, oa) | attrs | ARMPT_AF |
		  (level ? ARMPT_TYPE_BLOCK : ARMPT_TYPE_PAGE);

	if (size_lg2 > iopgt_item_lg2(pt, level))
		pte |= ARMPT_CONT;
	if (pt->dirty_tracking && armpt_writable(attrs, s2)) {
		pte |= ARMPT_DBM;
		if (s2)
			pte &= ~ARMPT_S2_S2AP_W;
		else
			pte |= ARMPT_S1_AP2;
	}
	return pte;
}

static inline int armpt_prot_attrs(const struct iopgt *pt, u32 prot,
				   u64 *attrs, bool s2)
{
	u64 a = 0;

	if (s2) {
		u64 memattr = ARMPT_S2_MEMATTR_NC;

		if (prot & IOPGT_MMIO) {
			memattr = ARMPT_S2_MEMATTR_DEV;
		} else if (prot & IOPGT_CACHE) {
			memattr = ARMPT_S2_MEMATTR_WB;
			a |= armpt_sh_is(pt);
		}
		a |= memattr << ARMPT_S2_MEMATTR_SHIFT;
		if (prot & IOPGT_READ)
			a |= ARMPT_S2_S2AP_R;
		if (prot & IOPGT_WRITE)
			a |= ARMPT_S2_S2AP_W;
		if (prot & IOPGT_NOEXEC)
			a |= ARMPT_S2_XN_NONE;
	} else {
		u64 idx = ARMPT_S1_IDX_NC;

		if (prot & IOPGT_MMIO) {
			idx = ARMPT_S1_IDX_DEV;
		} else if (prot & IOPGT_CACHE) {
			idx = ARMPT_S1_IDX_WB;
			a |= armpt_sh_is(pt);
		}
		a |= idx << ARMPT_S1_ATTRIDX_SHIFT | ARMPT_S1_AP1;
		/* No read-deny at stage 1: write-only comes out read-write */
		if (!(prot & IOPGT_WRITE))
			a |= ARMPT_S1_AP2;
		if (prot & IOPGT_NOEXEC)
			a |= ARMPT_S1_PXN | ARMPT_S1_XN;
	}
	*attrs = a;
	return 0;
}

/* Attributes with bit 7 rebuilt as the plain (untracked) write permission */
static inline u64 armpt_leaf_attrs(const struct iopgt *pt, unsigned int level,
				   u64 pte, bool s2)
{
	bool w = armpt_writable(pte, s2);

	(void)level;
	pte &= ~armpt_sh_oa(pt);
	if (s2)
		return (pte & ARMPT_S2_ATTR_BITS) | (w ? ARMPT_S2_S2AP_W : 0);
	return (pte & ARMPT_S1_ATTR_BITS) | (w ? 0 : ARMPT_S1_AP2);
}

static inline u32 armpt_leaf_prot(const struct iopgt *pt, u64 pte, bool s2)
{
	u32 prot = 0;
	u64 type;

	(void)pt;
	if (armpt_writable(pte, s2))
		prot |= IOPGT_WRITE;
	if (s2) {
		type = (pte & ARMPT_S2_MEMATTR) >> ARMPT_S2_MEMATTR_SHIFT;
		if (pte & ARMPT_S2_S2AP_R)
			prot |= IOPGT_READ;
		if (pte & ARMPT_S2_XN)
			prot |= IOPGT_NOEXEC;
		if (type == ARMPT_S2_MEMATTR_WB)
			prot |= IOPGT_CACHE;
		else if (type == ARMPT_S2_MEMATTR_DEV)
			prot |= IOPGT_MMIO;
	} else {
		type = (pte & ARMPT_S1_ATTRIDX) >> ARMPT_S1_ATTRIDX_SHIFT;
		prot |= IOPGT_READ;
		if (pte & ARMPT_S1_XN)
			prot |= IOPGT_NOEXEC;
		if (type == ARMPT_S1_IDX_WB)
			prot |= IOPGT_CACHE;
		else if (type == ARMPT_S1_IDX_DEV)
			prot |= IOPGT_MMIO;
	}
	return prot;
}

/*
 * The SMMU flips bit 7 of a DBM leaf on a write (HD). Bit 7 is dirty state
 * only in a DBM leaf, and there are none while tracking is off: it is then
 * a permission, which replicas must share. AF is not here: HA sets it only
 * where it is clear, and iopgt sets it in every leaf it makes. nT comes and
 * goes in blocks during a BBML1 split or merge.
 */
static inline u64 armpt_hw_bits(const struct iopgt *pt, unsigned int level)
{
	u64 bits = 0;

	if (pt->dirty_tracking)
		bits |= ARMPT_DSTATE;
	if (level)
		bits |= ARMPT_NT;
	return bits;
}

/* nT: in a block only; a page passes unchanged (its bit 16 is OA). */
static inline u64 armpt_leaf_set_nt(const struct iopgt *pt, u64 pte)
{
	(void)pt;
	if ((pte & ARMPT_TYPE_MASK) != ARMPT_TYPE_BLOCK)
		return pte;
	return pte | ARMPT_NT;
}

static inline u64 armpt_leaf_clear_nt(const struct iopgt *pt, u64 pte)
{
	(void)pt;
	if ((pte & ARMPT_TYPE_MASK) != ARMPT_TYPE_BLOCK)
		return pte;
	return pte & ~ARMPT_NT;
}

/* Dirty: valid, DBM, and bit 7 in its dirty sense (clear s1, set s2). */
#define ARMPT_DIRTY_MASK	(ARMPT_VALID | ARMPT_DBM | ARMPT_DSTATE)
#define ARMPT_DIRTY_VAL(s2)	(ARMPT_VALID | ARMPT_DBM | \
				 ((s2) ? ARMPT_DSTATE : 0))

static inline bool armpt_leaf_dirty(const struct iopgt *pt, u64 pte, bool s2)
{
	(void)pt;
	return (pte & ARMPT_DIRTY_MASK) == ARMPT_DIRTY_VAL(s2);
}

static inline u64 armpt_leaf_mkclean(const struct iopgt *pt, u64 pte, bool s2)
{
	(void)pt;
	return s2 ? pte & ~ARMPT_DSTATE : pte | ARMPT_DSTATE;
}

/* Only a DBM leaf has a dirty state; others are returned unchanged. */
static inline u64 armpt_leaf_mkdirty(const struct iopgt *pt, u64 pte, bool s2)
{
	(void)pt;
	if (!(pte & ARMPT_DBM))
		return pte;
	return s2 ? pte | ARMPT_DSTATE : pte & ~ARMPT_DSTATE;
}

/*
 * A dirty leaf has nothing left for the SMMU to set: bit 7 is already in
 * its dirty sense and AF was set at map time.
 */
static inline bool armpt_leaf_settled(const struct iopgt *pt, u64 pte, bool s2)
{
	return armpt_leaf_dirty(pt, pte, s2);
}

/*
 * On: writable leaves gain DBM and keep bit 7, so one that was plain
 * writable reads dirty until its first harvest. Off: writable leaves lose
 * DBM and become plain writable.
 */
static inline u64 armpt_leaf_set_tracking(const struct iopgt *pt, u64 pte,
					  bool on, bool s2)
{
	(void)pt;
	if (!armpt_writable(pte, s2))
		return pte;
	if (on)
		return pte | ARMPT_DBM;
	pte &= ~ARMPT_DBM;
	return s2 ? pte | ARMPT_S2_S2AP_W : pte & ~ARMPT_S1_AP2;
}

static inline const char *armpt_check_entry(const struct iopgt *pt,
					    unsigned int level, u64 pte,
					    bool s2)
{
	u64 oa;

	/* a block between the two steps of a BBML1 split or merge */
	if (level && (pte & ARMPT_TYPE_MASK) == ARMPT_TYPE_BLOCK)
		pte &= ~ARMPT_NT;
	if (pte & armpt_oa_res0(pt))
		return "address bits below the granule";
	oa = armpt_decode_oa(pt, pte);
	if (pt->cfg.oas < 64 && (oa >> pt->cfg.oas))
		return "address beyond oas";
	if (level && (pte & ARMPT_TYPE_MASK) == ARMPT_TYPE_TABLE) {
		if (pte & ~(ARMPT_TYPE_MASK | armpt_oa_field(pt) |
			    armpt_sh_oa(pt)))
			return "table descriptor with attribute bits";
		return NULL;
	}
	if (!level && (pte & ARMPT_TYPE_MASK) != ARMPT_TYPE_PAGE)
		return "0b01 descriptor at the leaf level";
	if (level && !armpt_block_ok(pt, level))
		return "block at a level without blocks";
	if (pte & ~(s2 ? ARMPT_S2_LEAF_BITS : ARMPT_S1_LEAF_BITS) &
	    ~armpt_oa_field(pt))
		return "leaf with bits iopgt never sets";
	if (oa & iopgt_lg2_mask(iopgt_item_lg2(pt, level)))
		return "leaf OA not aligned to its entry";
	if ((pte & ARMPT_CONT) &&
	    armpt_contig_lg2(pt, level) > iopgt_table_lg2(pt, level))
		return "contiguous run longer than its table";
	if (!(pte & ARMPT_AF))
		return "leaf without AF";
	if ((pte & ARMPT_DBM) && !pt->dirty_tracking)
		return "DBM set with dirty tracking off";
	if (!(pte & ARMPT_DBM) && pt->dirty_tracking &&
	    armpt_writable(pte, s2))
		return "writable leaf without DBM with dirty tracking on";
	if (s2) {
		u64 type = (pte & ARMPT_S2_MEMATTR) >> ARMPT_S2_MEMATTR_SHIFT;

		if (type != ARMPT_S2_MEMATTR_WB &&
		    type != ARMPT_S2_MEMATTR_DEV && type != ARMPT_S2_MEMATTR_NC)
			return "MemAttr iopgt never sets";
		if ((pte & ARMPT_S2_XN) && (pte & ARMPT_S2_XN) !=
					   ARMPT_S2_XN_NONE)
			return "XN[1:0] iopgt never sets";
	} else {
		if (((pte & ARMPT_S1_ATTRIDX) >> ARMPT_S1_ATTRIDX_SHIFT) >
		    ARMPT_S1_IDX_NC)
			return "AttrIndx iopgt never sets";
		if (!(pte & ARMPT_S1_AP1))
			return "stage-1 leaf without AP[1]";
		if (!(pte & ARMPT_S1_PXN) != !(pte & ARMPT_S1_XN))
			return "PXN and XN differ";
	}
	return NULL;
}

/*
 * A plain dirty leaf, for the harvest fast path: a page (0b11 at level 0),
 * no contiguous hint, AF set, DBM and bit 7 in its dirty sense.
 */
#define ARMPT_PLAIN_MASK	(ARMPT_TYPE_MASK | ARMPT_CONT | ARMPT_AF | \
				 ARMPT_DBM | ARMPT_DSTATE)
#define ARMPT_PLAIN_VAL(s2)	(ARMPT_TYPE_PAGE | ARMPT_AF | ARMPT_DBM | \
				 ((s2) ? ARMPT_DSTATE : 0))

#ifdef IOPGT_ARM_STAGE
#if IOPGT_ARM_STAGE == 2
#define IOPGT_ARM_S2		true
#define fmt_init		armpt_s2_init
#else
#define IOPGT_ARM_S2		false
#define fmt_init		armpt_s1_init
#endif
#define fmt_classify		armpt_classify
#define fmt_table_pa		armpt_table_pa
#define fmt_make_table		armpt_make_table
#define fmt_leaf_oa		armpt_leaf_oa
#define fmt_make_leaf(pt, level, oa, size_lg2, attrs) \
	armpt_make_leaf(pt, level, oa, size_lg2, attrs, IOPGT_ARM_S2)
#define fmt_prot_attrs(pt, prot, attrs) \
	armpt_prot_attrs(pt, prot, attrs, IOPGT_ARM_S2)
#define fmt_leaf_attrs(pt, level, pte) \
	armpt_leaf_attrs(pt, level, pte, IOPGT_ARM_S2)
#define fmt_leaf_prot(pt, pte)	armpt_leaf_prot(pt, pte, IOPGT_ARM_S2)
#define fmt_hw_bits		armpt_hw_bits
#define fmt_leaf_dirty(pt, pte)	armpt_leaf_dirty(pt, pte, IOPGT_ARM_S2)
#define fmt_leaf_mkclean(pt, pte) \
	armpt_leaf_mkclean(pt, pte, IOPGT_ARM_S2)
#define fmt_leaf_mkdirty(pt, pte) \
	armpt_leaf_mkdirty(pt, pte, IOPGT_ARM_S2)
#define fmt_leaf_settled(pt, pte) \
	armpt_leaf_settled(pt, pte, IOPGT_ARM_S2)
#define fmt_leaf_set_tracking(pt, pte, on) \
	armpt_leaf_set_tracking(pt, pte, on, IOPGT_ARM_S2)
#define fmt_check_entry(pt, level, pte) \
	armpt_check_entry(pt, level, pte, IOPGT_ARM_S2)
#define fmt_hw_info(pt, info)	armpt_hw_info(pt, info, IOPGT_ARM_S2)
#define FMT_DIRTY_MASK(pt)	ARMPT_DIRTY_MASK
#define FMT_DIRTY_VAL(pt)	ARMPT_DIRTY_VAL(IOPGT_ARM_S2)
#define FMT_TRACKING_ENCODED	1
#define FMT_PLAIN_MASK(pt)	ARMPT_PLAIN_MASK
#define FMT_PLAIN_VAL(pt)	ARMPT_PLAIN_VAL(IOPGT_ARM_S2)
/* linear while the bits kept apart (PA[51:48] or PA[51:50]) do not change */
#define FMT_OA_LINEAR(pt, oa, last)	armpt_oa_linear(pt, oa, last)
/* Block <-> table while live: only SMMU BBML2 allows a direct replacement */
#define FMT_NEEDS_BBM		1
#define fmt_leaf_set_nt		armpt_leaf_set_nt
#define fmt_leaf_clear_nt	armpt_leaf_clear_nt
/* the fault-window marker: the leaf with bit 0 clear (invalid to the SMMU) */
#define fmt_leaf_mkinvalid(pt, pte)	((void)(pt), (pte) & ~ARMPT_VALID)
#define fmt_leaf_mkvalid(pt, pte)	((void)(pt), (pte) | ARMPT_VALID)
#endif /* IOPGT_ARM_STAGE */

#endif /* IOPGT_FMT_ARM_H */
