/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * ARM VMSAv8-64 (LPAE) translation tables as the SMMU walks them, stage 1
 * (arm_s1) and stage 2 (arm_s2): the descriptor bits and the output address
 * fields. arm_geometry.h builds the configuration on them, arm.h the codecs.
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
 * 4K: 2M and 1G; 16K: 32M; 64K: 512M, and 4T with a 52-bit OA; with LPA2
 * (below) also 512G (4K) and 64G (16K).
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
 * LPA2 (FEAT_LPA2, IOPGT_QUIRK_ARM_LPA2; 4K and 16K granules only): the
 * descriptors of a configuration with DS set (CD.DS, STE.S2DS). The
 * address field grows to bits 49:12 (49:14 at 16K), and PA[51:50] go in
 * bits 9:8 of table and leaf descriptors, where SH was: the shareability
 * of cacheable leaves then comes from the walk configuration (CD.SH0,
 * STE.S2SH0), which the driver sets Inner Shareable, as SH_IS would have
 * been. The IOVA may have 52 bits: with 4K that takes a fifth level, ARM
 * level -1, of 16 entries (stage 2 concatenates 16 level-0 tables
 * instead); with 16K a 32-entry level 0. Blocks gain a level: 512G at ARM
 * level 0 with 4K, 64G at ARM level 1 with 16K.
 *
 * Memory types. Stage 1 leaves carry an AttrIndx into the MAIR the driver
 * programs (ARMPT_S1_MAIR, which iopgt_hw_info gives as arm.mair):
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
#ifndef IOPGT_FMT_ARM_BITS_H
#define IOPGT_FMT_ARM_BITS_H

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
#define ARMPT_OA_LPA2		0x0003fffffffff000ull	/* LPA2: bits 49:12 */
#define ARMPT_OA_LPA2_HI	(3ull << 8)		/* LPA2: PA[51:50] */
#define ARMPT_OA_LPA2_HI_SHIFT	42
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
#define ARMPT_MAX_IAS_52	52	/* FEAT_LVA (64K), FEAT_LPA2 */
#define ARMPT_MAX_OAS		48
#define ARMPT_MAX_OAS_52	52	/* FEAT_LPA (64K), FEAT_LPA2 */
#define ARMPT_MAX_CONCAT_LG2	4	/* up to 16 concatenated top tables */

/* LPA2 descriptors (DS set): init refuses the quirk with the 64K granule */
static inline bool armpt_lpa2(const struct iopgt *pt)
{
	return pt->cfg.quirks & IOPGT_QUIRK_ARM_LPA2;
}

/*
 * An OA above 48 bits, whose top bits sit apart from the rest: in bits
 * 15:12 (64K granule) or 9:8 (LPA2).
 */
static inline bool armpt_oa52(const struct iopgt *pt)
{
	return pt->cfg.oas > 48;
}

/* The descriptor bits that hold the address in place: 47:12, 49:12 (LPA2) */
static inline u64 armpt_oa_field(const struct iopgt *pt)
{
	return armpt_lpa2(pt) ? ARMPT_OA_LPA2 : ARMPT_OA;
}

static inline u64 armpt_encode_oa(const struct iopgt *pt, u64 oa)
{
	if (armpt_lpa2(pt))
		return (oa & ARMPT_OA_LPA2) |
		       ((oa >> ARMPT_OA_LPA2_HI_SHIFT) & ARMPT_OA_LPA2_HI);
	if (armpt_oa52(pt))
		return (oa & ARMPT_OA & ~ARMPT_OA_HI) |
		       ((oa >> ARMPT_OA_HI_SHIFT) & ARMPT_OA_HI);
	return oa & ARMPT_OA;
}

/* Bits 9:8: SH, or with LPA2 address bits 51:50 (0 when not LPA2) */
static inline u64 armpt_sh_oa(const struct iopgt *pt)
{
	return armpt_lpa2(pt) ? ARMPT_OA_LPA2_HI : 0;
}

/*
 * The SH of a cacheable leaf: Inner Shareable; with LPA2 there is no SH
 * in a descriptor (the walk configuration's SH0 says it for all leaves).
 */
static inline u64 armpt_sh_is(const struct iopgt *pt)
{
	return armpt_lpa2(pt) ? 0 : ARMPT_SH_IS;
}

/*
 * Is the entry for each OA from @oa to @last the one before plus the
 * step? Yes unless the address bits kept apart from the field (PA[51:48]
 * in bits 15:12 at 64K, PA[51:50] in bits 9:8 with LPA2) change between
 * them: a carry out of the field would land on a bit that is no address.
 */
static inline bool armpt_oa_linear(const struct iopgt *pt, u64 oa, u64 last)
{
	unsigned int apart = armpt_lpa2(pt) ? 50 : 48;

	return !armpt_oa52(pt) || (oa >> apart) == (last >> apart);
}

/* Address-field bits that are not address bits: RES0 below the granule */
static inline u64 armpt_oa_res0(const struct iopgt *pt)
{
	if (armpt_oa52(pt) && !armpt_lpa2(pt))
		return 0;	/* 64K: bits 15:12 hold PA[51:48] */
	return armpt_oa_field(pt) & iopgt_lg2_mask(pt->granule_lg2);
}

/*
 * The granule-aligned address of a table, page or block descriptor. With
 * LPA2, bits 9:8 are address bits whatever the oas (above it they must be
 * 0, which iopgt_validate() checks on the decoded address).
 */
static inline u64 armpt_decode_oa(const struct iopgt *pt, u64 pte)
{
	u64 oa = pte & armpt_oa_field(pt) & ~iopgt_lg2_mask(pt->granule_lg2);

	if (armpt_lpa2(pt))
		return oa | (pte & ARMPT_OA_LPA2_HI) << ARMPT_OA_LPA2_HI_SHIFT;
	if (armpt_oa52(pt))
		return oa | (pte & ARMPT_OA_HI) << ARMPT_OA_HI_SHIFT;
	return oa;
}

#endif /* IOPGT_FMT_ARM_BITS_H */
