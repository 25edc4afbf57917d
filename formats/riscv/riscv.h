/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * RISC-V IOMMU page tables, first stage (riscv) and G-stage (riscv_g): the
 * entry codecs, and their mapping onto the format contract
 * (pgtable/format.h) when a stage is chosen. Bits and geometry are in
 * riscv_bits.h.
 *
 * 4 KiB tables of 512 entries (the G-stage root: 2048). V=0 is empty; V=1
 * with R=W=X=0 points to the next table (and iopgt leaves A, D, U, G, N
 * and PBMT zero there, as the privileged spec reserves them); anything
 * else is a leaf, at any level: 4K, 2M, 1G, 512G, 256T. Svnapot 64 KiB
 * runs fill 16 aligned level-0 slots with one entry (N=1, PPN[3:0] =
 * 0b1000, the PPN above that the run's).
 *
 * Every leaf iopgt writes has V, A and U:
 *   A  preset, so the IOMMU never needs to set it (and never faults for
 *      it when the device context leaves hardware A/D updating off).
 *   U  G-stage: required, the IOMMU checks G-stage U as for a user-mode
 *      access. First stage: a device request without a process context
 *      saying otherwise is a user-mode access, so a leaf without U would
 *      deny it. A privileged (supervisor) request reaches these pages only
 *      with SUM set in its process context (PC.ta.SUM).
 *   G  never set: iopgt's tables are one address space each.
 *
 * How IOPGT_* prot maps onto a leaf:
 *   READ    R.
 *   WRITE   W, and R with it: W without R is a reserved encoding, and a
 *           device that may write but not read (Linux's DMA_FROM_DEVICE)
 *           is better served by R+W than by a refusal. The tests' models
 *           treat WRITE as granting READ on this format (support/prot.c).
 *   NOEXEC  X clear; X is set otherwise.
 *   MMIO, CACHE  PBMT with IOPGT_QUIRK_RISCV_SVPBMT (riscv_bits.h),
 *           otherwise no encoding (PMA decides).
 *
 * Dirty tracking. The IOMMU updates A and D itself only when the device
 * context enables it (DC.tc.SADE first stage, DC.tc.GADE G-stage, both
 * needing capabilities.AMO_HWAD); otherwise a write through a D=0 leaf
 * faults. So with tracking off a writable leaf is made with D set (as
 * Linux does), and cleaning leaves it set: a harvest then reports every
 * writable leaf and clears nothing, since clearing would turn the next
 * write into a fault. With tracking on (the driver sets SADE/GADE), a
 * writable leaf starts with D clear, the IOMMU sets D on the first write
 * with a compare-and-swap, and a harvest reads and clears D under the
 * DESIGN.md compare-exchange rule. Turning tracking off sets D on every
 * writable leaf; turning it on leaves D as it is, so the first harvest
 * reports (and cleans) the leaves made while it was off.
 *
 * An Svnapot run is dirty if any of its 16 slots has D (the IOMMU updates
 * the one slot it walked); cleaning clears D in each slot read dirty.
 *
 * The PPN sits at bit 10, so the entry of the next 4K page is this one
 * plus 1024 (FMT_OA_STEP), not plus 4096. Split and merge replace a leaf
 * by a table, or back, with one compare-exchange: the IOMMU's A/D update
 * is itself a compare-and-swap that walks again when the entry changed,
 * so it never marks what became a table entry (the template's default for
 * stray marks holds).
 */
#ifndef IOPGT_FMT_RISCV_H
#define IOPGT_FMT_RISCV_H

#include "riscv_bits.h"

static inline unsigned int riscv_natural_lg2(unsigned int level)
{
	return 12 + 9 * level;
}

static inline enum iopgt_etype riscv_classify(const struct iopgt *pt,
					      unsigned int level, u64 pte,
					      unsigned int *size_lg2)
{
	(void)pt;
	if (!(pte & RISCV_V))
		return IOPGT_E_EMPTY;
	if (level && !(pte & RISCV_RWX))
		return IOPGT_E_TABLE;
	/* N at level 0 is a 64K run; iopgt_validate() checks its encoding */
	*size_lg2 = (!level && (pte & RISCV_N)) ? RISCV_NAPOT_LG2 :
						  riscv_natural_lg2(level);
	return IOPGT_E_LEAF;
}

static inline bool riscv_is_table(const struct iopgt *pt, unsigned int level,
				  u64 pte)
{
	(void)pt;
	(void)level;
	return (pte & (RISCV_V | RISCV_RWX)) == RISCV_V;
}

static inline u64 riscv_table_pa(const struct iopgt *pt, unsigned int level,
				 u64 pte)
{
	(void)pt;
	(void)level;
	return riscv_ppn_bits_to_pa(pte);
}

static inline u64 riscv_make_table(const struct iopgt *pt, unsigned int level,
				   u64 pa)
{
	(void)pt;
	(void)level;
	return RISCV_V | riscv_pa_to_ppn_bits(pa);
}

/* A run's PPN[3:0] is the 0b1000 marker, below the run's alignment. */
static inline u64 riscv_leaf_oa(const struct iopgt *pt, unsigned int level,
				u64 pte, unsigned int size_lg2)
{
	(void)pt;
	(void)level;
	return riscv_ppn_bits_to_pa(pte) & ~iopgt_lg2_mask(size_lg2);
}

static inline u64 riscv_make_leaf(const struct iopgt *pt, unsigned int level,
				  u64 oa, unsigned int size_lg2, u64 attrs)
{
	u64 pte = RISCV_V | RISCV_A | attrs;

	if (size_lg2 > riscv_natural_lg2(level)) {
		/* every slot of the run holds the run's entry */
		oa &= ~iopgt_lg2_mask(size_lg2);
		pte |= RISCV_N | (RISCV_NAPOT_PPN_64K << RISCV_PPN_SHIFT);
	}
	pte |= riscv_pa_to_ppn_bits(oa);
	/* Tracking off: hardware A/D updating is off, D=0 would fault */
	if ((attrs & RISCV_W) && !pt->dirty_tracking)
		pte |= RISCV_D;
	return pte;
}

static inline int riscv_prot_attrs(const struct iopgt *pt, u32 prot,
				   u64 *attrs)
{
	u64 a = RISCV_R | RISCV_U;

	if (prot & IOPGT_WRITE)
		a |= RISCV_W;
	if (!(prot & IOPGT_NOEXEC))
		a |= RISCV_X;
	if (riscv_svpbmt(pt)) {
		u64 type = RISCV_PBMT_NC;

		if (prot & IOPGT_MMIO)
			type = RISCV_PBMT_IO;
		else if (prot & IOPGT_CACHE)
			type = RISCV_PBMT_PMA;
		a |= type << RISCV_PBMT_SHIFT;
	}
	*attrs = a;
	return 0;
}

static inline u64 riscv_leaf_attrs(const struct iopgt *pt, unsigned int level,
				   u64 pte)
{
	(void)pt;
	(void)level;
	return pte & (RISCV_RWX | RISCV_U | RISCV_G | RISCV_PBMT);
}

static inline u32 riscv_leaf_prot(const struct iopgt *pt, u64 pte)
{
	u64 type = (pte & RISCV_PBMT) >> RISCV_PBMT_SHIFT;
	u32 prot = 0;

	if (pte & RISCV_R)
		prot |= IOPGT_READ;
	if (pte & RISCV_W)
		prot |= IOPGT_WRITE;
	if (!(pte & RISCV_X))
		prot |= IOPGT_NOEXEC;
	if (riscv_svpbmt(pt)) {
		if (type == RISCV_PBMT_IO)
			prot |= IOPGT_MMIO;
		else if (type == RISCV_PBMT_PMA)
			prot |= IOPGT_CACHE;
	}
	return prot;
}

static inline u64 riscv_hw_bits(const struct iopgt *pt, unsigned int level)
{
	(void)pt;
	(void)level;
	return RISCV_A | RISCV_D;
}

static inline bool riscv_leaf_dirty(const struct iopgt *pt, u64 pte)
{
	(void)pt;
	return (pte & (RISCV_V | RISCV_D)) == (RISCV_V | RISCV_D);
}

/* With tracking off D is the write permission's other half: it stays. */
static inline u64 riscv_leaf_mkclean(const struct iopgt *pt, u64 pte)
{
	if (!pt->dirty_tracking)
		return pte;
	return pte & ~RISCV_D;
}

static inline u64 riscv_leaf_mkdirty(const struct iopgt *pt, u64 pte)
{
	(void)pt;
	return pte | RISCV_D;
}

/* A is preset; with D set too the IOMMU has nothing left to write. */
static inline bool riscv_leaf_settled(const struct iopgt *pt, u64 pte)
{
	(void)pt;
	return (pte & (RISCV_A | RISCV_D)) == (RISCV_A | RISCV_D);
}

static inline u64 riscv_leaf_set_tracking(const struct iopgt *pt, u64 pte,
					  bool on)
{
	(void)pt;
	if (!on && (pte & RISCV_W))
		return pte | RISCV_D;
	return pte;
}

static inline const char *riscv_check_leaf(const struct iopgt *pt,
					   unsigned int level, u64 pte)
{
	u64 type = (pte & RISCV_PBMT) >> RISCV_PBMT_SHIFT;
	u64 ppn = (pte & RISCV_PPN) >> RISCV_PPN_SHIFT;
	unsigned int size_lg2 = riscv_natural_lg2(level);

	if (pte & RISCV_N) {
		if (level || !riscv_svnapot(pt))
			return "N set where no Svnapot run may be";
		if ((ppn & RISCV_NAPOT_PPN_MASK) != RISCV_NAPOT_PPN_64K)
			return "N with a PPN[3:0] other than 0b1000";
	} else if (!(pt->pgsize_bitmap & (1ull << size_lg2))) {
		return "leaf of a size the config does not offer";
	} else if (riscv_ppn_bits_to_pa(pte) & iopgt_lg2_mask(size_lg2)) {
		return "superpage PPN not aligned";
	}
	if ((pte & (RISCV_R | RISCV_W)) == RISCV_W)
		return "W without R";
	if (!(pte & RISCV_R))
		return "leaf without R";
	if ((pte & (RISCV_A | RISCV_U | RISCV_G)) != (RISCV_A | RISCV_U))
		return "leaf without A and U, or with G";
	if (pte & RISCV_RSW)
		return "software bits set";
	if ((pte & (RISCV_W | RISCV_D)) == RISCV_D)
		return "D set on a read-only leaf";
	if (!pt->dirty_tracking && (pte & RISCV_W) && !(pte & RISCV_D))
		return "writable leaf without D while tracking is off";
	if (riscv_svpbmt(pt) ? type > RISCV_PBMT_IO : type != 0)
		return "PBMT iopgt never sets";
	return NULL;
}

static inline const char *riscv_check_entry(const struct iopgt *pt,
					    unsigned int level, u64 pte)
{
	if (pte & RISCV_RSVD)
		return "reserved bits 60:54 set";
	if (pt->cfg.oas < 64 && (riscv_ppn_bits_to_pa(pte) >> pt->cfg.oas))
		return "address beyond oas";
	if (pte & RISCV_RWX)
		return riscv_check_leaf(pt, level, pte);
	if (!level)
		return "table pointer at the last level";
	if (pte & ~(RISCV_V | RISCV_PPN))
		return "table entry with bits other than V and PPN";
	return NULL;
}

#ifdef IOPGT_RISCV_STAGE
#if IOPGT_RISCV_STAGE == 2
#define IOPGT_RISCV_G		true
#define fmt_init		riscv_g_init
#else
#define IOPGT_RISCV_G		false
#define fmt_init		riscv_s1_init
#endif
#define fmt_classify		riscv_classify
#define fmt_is_table		riscv_is_table
#define fmt_table_pa		riscv_table_pa
#define fmt_make_table		riscv_make_table
#define fmt_leaf_oa		riscv_leaf_oa
#define fmt_make_leaf		riscv_make_leaf
#define fmt_prot_attrs		riscv_prot_attrs
#define fmt_leaf_attrs		riscv_leaf_attrs
#define fmt_leaf_prot		riscv_leaf_prot
#define fmt_hw_bits		riscv_hw_bits
#define fmt_leaf_dirty		riscv_leaf_dirty
#define fmt_leaf_mkclean	riscv_leaf_mkclean
#define fmt_leaf_mkdirty	riscv_leaf_mkdirty
#define fmt_leaf_settled	riscv_leaf_settled
#define fmt_leaf_set_tracking	riscv_leaf_set_tracking
#define fmt_check_entry		riscv_check_entry
#define fmt_hw_info(pt, info)	riscv_hw_info(pt, info, IOPGT_RISCV_G)
#define FMT_DIRTY_MASK(pt)	(RISCV_V | RISCV_D)
#define FMT_DIRTY_VAL(pt)	(RISCV_V | RISCV_D)
#define FMT_TRACKING_ENCODED	1
/* The PPN is at bit 10: the next page's entry is this one plus size / 4 */
#define FMT_OA_STEP(pt, size_lg2) \
	((void)(pt), 1ull << ((size_lg2) - 12 + RISCV_PPN_SHIFT))
/*
 * A plain dirty 4K leaf: valid, accessed, dirty, no N, and a leaf (R is
 * in every leaf iopgt makes, and at level 0 nothing else can be there).
 */
#define FMT_PLAIN_MASK(pt)	(RISCV_V | RISCV_R | RISCV_A | RISCV_D | \
				 RISCV_N)
#define FMT_PLAIN_VAL(pt)	(RISCV_V | RISCV_R | RISCV_A | RISCV_D)
#endif /* IOPGT_RISCV_STAGE */

#endif /* IOPGT_FMT_RISCV_H */
