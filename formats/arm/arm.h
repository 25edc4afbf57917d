/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * ARM VMSAv8-64 (LPAE) translation tables as the SMMU walks them, stage 1
 * (arm_s1) and stage 2 (arm_s2): the entry codecs.
 *
 * Geometry. A granule of 4K, 16K or 64K; every table below the top is one
 * granule of 2^(granule_lg2 - 3) entries. The walk has
 * ceil((ias - granule_lg2) / bpl) levels and the top table holds what is
 * left of the IOVA, so it may be smaller than a granule (down to 2 entries;
 * it is then aligned to its size, at least 64 bytes). iopgt level 0 is ARM
 * level 3; the walk starts at ARM level 4 - levels.
 *
 * Stage-2 concatenation. When the top table would hold 16 entries or fewer
 * and a level below it exists, a stage-2 walk starts one level lower on
 * 2^k concatenated tables instead (k = log2 of the entries the top would
 * have had). iopgt always does so at stage 2, except where VTCR.SL0 cannot
 * name the new start level (4K granule, ARM level 3), and sees the result
 * as one top table of 2^(bpl + k) entries, 2^(granule_lg2 + k) bytes.
 * cfg.levels, when given, must be the count after concatenation.
 * Besides saving a level, this is what makes a 16K-granule 48-bit stage 2
 * expressible at all: SL0 has no encoding for ARM level 0 there.
 *
 * Leaves. Pages at the leaf level (descriptor 0b11); blocks (0b01) at
 * 4K: 2M and 1G; 16K: 32M; 64K: 512M, and 4T with a 52-bit OA. Not done:
 * the 512G (4K) and 64G (16K) blocks, which need FEAT_LPA2 descriptors.
 * The contiguous hint (bit 52) makes larger leaves out of a naturally
 * aligned run of identical entries, each holding its own slot's OA: 16
 * entries with 4K (64K, 32M, 16G), 128 at the leaf level and 32 above it
 * with 16K (2M, 1G), 32 with 64K (2M, 16G). The template sees such a run
 * as one leaf replicated over the run's slots. The run sizes are offered
 * only with IOPGT_QUIRK_ARM_BBML2: split and merge rewrite a run's slots in
 * place, which the architecture allows on a live table only with BBML2.
 *
 * OA. Table, page and block addresses are granule-aligned: the address
 * field is bits 47:12 (4K), 47:14 (16K) or 47:16 (64K), and with the 64K
 * granule and a 52-bit OA, PA[51:48] go in bits 15:12 of both table and
 * leaf descriptors. Decoding masks to that field. The bits below it are
 * RES0: kept, a corrupt table descriptor would name an address inside a
 * table, and every walk would then read past that table's end. iopgt
 * never sets them; iopgt_validate() reports them.
 *
 * Memory types. Stage 1 leaves carry an AttrIndx into the MAIR the driver
 * programs (ARMPT_S1_MAIR gives the value these indices assume):
 *	0  Normal, inner and outer write-back cacheable   IOPGT_CACHE
 *	1  Device-nGnRE                                   IOPGT_MMIO
 *	2  Normal, inner and outer non-cacheable          otherwise
 * Stage 2 leaves carry the type itself in MemAttr: 0b1111 (Normal WB) for
 * IOPGT_CACHE, 0b0001 (Device-nGnRE) for IOPGT_MMIO, 0b0101 (Normal NC)
 * otherwise. IOPGT_MMIO wins over IOPGT_CACHE. Cacheable leaves are Inner
 * Shareable; SH is left 0 for the others, which the architecture treats as
 * Outer Shareable whatever SH says.
 *
 * Permissions. Stage 1 has no way to deny reads: AP[1] (bit 6) is always
 * set (an SMMU context is unprivileged), AP[2] (bit 7) makes a leaf
 * read-only, and a write-only mapping comes out readable and writable.
 * IOPGT_NOEXEC sets both PXN and XN. Stage 2 grants read with S2AP[0]
 * (bit 6) and write with S2AP[1] (bit 7); IOPGT_NOEXEC is XN[1:0] = 0b10.
 * AF is set in every leaf at map time, so no access-flag fault is taken
 * and nothing depends on hardware AF update.
 *
 * Dirty state (hardware dirty management, DBM bit 51). AP[2] and S2AP[1]
 * are both bit 7, with opposite senses:
 *	stage 1: DBM=1 AP[2]=1 writable-clean, DBM=1 AP[2]=0 writable-dirty
 *	stage 2: DBM=1 S2AP[1]=0 writable-clean, DBM=1 S2AP[1]=1 dirty
 * With dirty tracking on, iopgt makes writable leaves clean (DBM=1) and the
 * SMMU flips bit 7 on the first write. With tracking off, writable leaves
 * are plain writable (DBM=0, AP[2]=0 / S2AP[1]=1), which never count as
 * dirty. Switching tracking on gives writable leaves DBM=1 and keeps bit 7
 * as it is: every writable leaf starts out dirty and the first harvest
 * reports it, because writes made while tracking was off were not
 * recorded anywhere. Switching it off makes them plain writable again.
 *
 * Break-before-make. Turning a live block into a table or back (split,
 * merge) is a direct replacement only with SMMU BBML2
 * (IOPGT_QUIRK_ARM_BBML2); FMT_NEEDS_BBM tells the template. With
 * IOPGT_QUIRK_ARM_BBML1 it goes through a block with nT (bit 16) set, which
 * the SMMU uses without caching. nT exists in block descriptors only (bit
 * 16 of a page is OA), so the nT codecs leave pages alone.
 *
 * One header serves both stages. Codecs that differ take @s2; a stage's .c
 * defines IOPGT_ARM_STAGE (1 or 2) before including this header, and the
 * fmt_* names at the bottom pass the stage as a constant, so each
 * instantiation of the template has the other stage's code folded away
 * (the harvest loop has no stage branch).
 */
#ifndef IOPGT_FMT_ARM_H
#define IOPGT_FMT_ARM_H

#include "../../pgtable/format.h"

#define ARMPT_VALID		(1ull << 0)
#define ARMPT_TYPE_MASK		3ull
#define ARMPT_TYPE_TABLE	3ull	/* above the leaf level */
#define ARMPT_TYPE_PAGE		3ull	/* at the leaf level */
#define ARMPT_TYPE_BLOCK	1ull	/* above the leaf level */
#define ARMPT_S1_ATTRIDX_SHIFT	2
#define ARMPT_S1_ATTRIDX	(7ull << ARMPT_S1_ATTRIDX_SHIFT)
#define ARMPT_S1_AP1		(1ull << 6)	/* unprivileged access */
#define ARMPT_S1_AP2		(1ull << 7)	/* read-only */
#define ARMPT_S2_MEMATTR_SHIFT	2
#define ARMPT_S2_MEMATTR	(0xfull << ARMPT_S2_MEMATTR_SHIFT)
#define ARMPT_S2_S2AP_R		(1ull << 6)
#define ARMPT_S2_S2AP_W		(1ull << 7)
#define ARMPT_SH		(3ull << 8)
#define ARMPT_SH_IS		(3ull << 8)
#define ARMPT_AF		(1ull << 10)
#define ARMPT_OA		0x0000fffffffff000ull	/* bits 47:12 */
#define ARMPT_OA_HI		0x000000000000f000ull	/* 64K: PA[51:48] */
#define ARMPT_OA_HI_SHIFT	36
#define ARMPT_DBM		(1ull << 51)
#define ARMPT_CONT		(1ull << 52)
#define ARMPT_S1_PXN		(1ull << 53)
#define ARMPT_S1_XN		(1ull << 54)
#define ARMPT_S2_XN		(3ull << 53)
#define ARMPT_S2_XN_NONE	(2ull << 53)	/* XN[1:0] = 0b10 */

/*
 * nT (FEAT_BBM level 1) in a block descriptor: used but not cached. Split
 * and merge under BBML1 put it in the entry they change first (bit 16 lies
 * below every block's OA alignment).
 */
#define ARMPT_NT		(1ull << 16)

/* The bit that holds the dirty state: AP[2] (stage 1), S2AP[1] (stage 2) */
#define ARMPT_DSTATE		(1ull << 7)

/* Stage 1 AttrIndx values, and the MAIR (MAIR0 of the CD) they assume */
#define ARMPT_S1_IDX_WB		0ull
#define ARMPT_S1_IDX_DEV	1ull
#define ARMPT_S1_IDX_NC		2ull
#define ARMPT_S1_MAIR		0x4404ffull	/* 0xff, 0x04, 0x44 */

/* Stage 2 MemAttr values */
#define ARMPT_S2_MEMATTR_WB	0xfull
#define ARMPT_S2_MEMATTR_DEV	0x1ull
#define ARMPT_S2_MEMATTR_NC	0x5ull

/* Every leaf bit iopgt sets, per stage; anything else is stray */
#define ARMPT_S1_LEAF_BITS						\
	(ARMPT_TYPE_MASK | ARMPT_S1_ATTRIDX | ARMPT_S1_AP1 | ARMPT_S1_AP2 | \
	 ARMPT_SH | ARMPT_AF | ARMPT_OA | ARMPT_DBM | ARMPT_CONT |	\
	 ARMPT_S1_PXN | ARMPT_S1_XN)
#define ARMPT_S2_LEAF_BITS						\
	(ARMPT_TYPE_MASK | ARMPT_S2_MEMATTR | ARMPT_S2_S2AP_R |		\
	 ARMPT_S2_S2AP_W | ARMPT_SH | ARMPT_AF | ARMPT_OA | ARMPT_DBM |	\
	 ARMPT_CONT | ARMPT_S2_XN)

/* The bits fmt_leaf_attrs() keeps (bit 7 is rebuilt from writability) */
#define ARMPT_S1_ATTR_BITS						\
	(ARMPT_S1_ATTRIDX | ARMPT_S1_AP1 | ARMPT_SH | ARMPT_S1_PXN |	\
	 ARMPT_S1_XN)
#define ARMPT_S2_ATTR_BITS						\
	(ARMPT_S2_MEMATTR | ARMPT_S2_S2AP_R | ARMPT_SH | ARMPT_S2_XN)

#define ARMPT_MIN_IAS		25	/* T0SZ 39 */
#define ARMPT_MAX_IAS		48
#define ARMPT_MAX_IAS_64K	52	/* FEAT_LVA */
#define ARMPT_MAX_OAS		48
#define ARMPT_MAX_OAS_64K	52	/* FEAT_LPA: PA[51:48] in bits 15:12 */
#define ARMPT_MAX_CONCAT_LG2	4	/* up to 16 concatenated top tables */

/* A 52-bit OA, whose top bits go in bits 15:12 (64K granule only). */
static inline bool armpt_oa52(const struct iopgt *pt)
{
	return pt->granule_lg2 == 16 && pt->cfg.oas > 48;
}

static inline u64 armpt_encode_oa(const struct iopgt *pt, u64 oa)
{
	if (armpt_oa52(pt))
		return (oa & ARMPT_OA & ~ARMPT_OA_HI) |
		       ((oa >> ARMPT_OA_HI_SHIFT) & ARMPT_OA_HI);
	return oa & ARMPT_OA;
}

/* Bits 47:12 that are not address bits: RES0 below a 16K or 64K granule */
static inline u64 armpt_oa_res0(const struct iopgt *pt)
{
	if (armpt_oa52(pt))
		return 0;
	return ARMPT_OA & iopgt_lg2_mask(pt->granule_lg2);
}

/* The granule-aligned address of a table, page or block descriptor. */
static inline u64 armpt_decode_oa(const struct iopgt *pt, u64 pte)
{
	u64 oa = pte & ARMPT_OA & ~iopgt_lg2_mask(pt->granule_lg2);

	if (armpt_oa52(pt))
		oa |= (pte & ARMPT_OA_HI) << ARMPT_OA_HI_SHIFT;
	return oa;
}

/* May a block descriptor sit at @level (iopgt numbering, above 0)? */
static inline bool armpt_block_ok(const struct iopgt *pt, unsigned int level)
{
	switch (pt->granule_lg2) {
	case 12:
		return level == 1 || level == 2;	/* 2M, 1G */
	case 14:
		return level == 1;			/* 32M */
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

/* ARM level the walk starts at. */
static inline unsigned int armpt_start_level(const struct iopgt *pt)
{
	return 4u - pt->levels;
}

/* Can VTCR.SL0 name @start_level (ARM numbering) with this granule? */
static inline bool armpt_sl0_ok(unsigned int granule_lg2,
				unsigned int start_level)
{
	if (granule_lg2 == 12)
		return start_level <= 2;
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
	u64 sizes = 0;

	/* No default: 0 is refused like any granule the format lacks */
	if (g != 12 && g != 14 && g != 16)
		return -EINVAL;
	if (ias < ARMPT_MIN_IAS ||
	    ias > (g == 16 ? ARMPT_MAX_IAS_64K : ARMPT_MAX_IAS))
		return -EINVAL;
	if (armpt_ps(oas) < 0 ||
	    oas > (g == 16 ? ARMPT_MAX_OAS_64K : ARMPT_MAX_OAS))
		return -EINVAL;

	bpl = g - 3;
	levels = (ias - g + bpl - 1) / bpl;
	top_lg2 = ias - (g + (levels - 1) * bpl);
	top_alloc_lg2 = top_lg2 + 3 < 6 ? 6 : top_lg2 + 3;
	if (s2 && levels > 1 && top_lg2 <= ARMPT_MAX_CONCAT_LG2 &&
	    armpt_sl0_ok(g, 4 - (levels - 1))) {
		/* 2^top_lg2 concatenated tables one level down */
		top_alloc_lg2 = g + top_lg2;
		top_lg2 += bpl;
		levels--;
	}
	if (s2 && !armpt_sl0_ok(g, 4 - levels))
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

	(void)pt;
	if (s2) {
		u64 memattr = ARMPT_S2_MEMATTR_NC;

		if (prot & IOPGT_MMIO) {
			memattr = ARMPT_S2_MEMATTR_DEV;
		} else if (prot & IOPGT_CACHE) {
			memattr = ARMPT_S2_MEMATTR_WB;
			a |= ARMPT_SH_IS;
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
			a |= ARMPT_SH_IS;
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

	(void)pt;
	(void)level;
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
		if (pte & ~(ARMPT_TYPE_MASK | ARMPT_OA))
			return "table descriptor with attribute bits";
		return NULL;
	}
	if (!level && (pte & ARMPT_TYPE_MASK) != ARMPT_TYPE_PAGE)
		return "0b01 descriptor at the leaf level";
	if (level && !armpt_block_ok(pt, level))
		return "block at a level without blocks";
	if (pte & ~(s2 ? ARMPT_S2_LEAF_BITS : ARMPT_S1_LEAF_BITS))
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

/* VTCR.SL0 / TG0 / T0SZ / (I)PS, and how the walk starts. */
static inline void armpt_hw_info(const struct iopgt *pt,
				 struct iopgt_hw_info *info, bool s2)
{
	unsigned int start = armpt_start_level(pt);
	unsigned int bpl = iopgt_bpl(pt);

	info->arm.tsz = 64 - pt->cfg.ias;
	info->arm.tg0 = pt->granule_lg2 == 12 ? 0 :
			pt->granule_lg2 == 14 ? 2 : 1;
	info->arm.ps = (u8)armpt_ps(pt->cfg.oas);
	info->arm.start_level = start;
	info->arm.concat = pt->top_lg2 > bpl ? 1u << (pt->top_lg2 - bpl) : 1;
	/* SL0 counts down from ARM level 2 (4K) or 3 (16K, 64K) */
	if (s2)
		info->arm.sl0 = (pt->granule_lg2 == 12 ? 2 : 3) - start;
}

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
/* PA[51:48] in bits 15:12: the next leaf's entry is not this one's plus a step */
#define FMT_OA_LINEAR(pt)	(!armpt_oa52(pt))
/* Block <-> table while live: only SMMU BBML2 allows a direct replacement */
#define FMT_NEEDS_BBM		1
#define fmt_leaf_set_nt		armpt_leaf_set_nt
#define fmt_leaf_clear_nt	armpt_leaf_clear_nt
/* the fault-window marker: the leaf with bit 0 clear (invalid to the SMMU) */
#define fmt_leaf_mkinvalid(pt, pte)	((void)(pt), (pte) & ~ARMPT_VALID)
#define fmt_leaf_mkvalid(pt, pte)	((void)(pt), (pte) | ARMPT_VALID)
#endif /* IOPGT_ARM_STAGE */

#endif /* IOPGT_FMT_ARM_H */
