/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * RISC-V page tables as the RISC-V IOMMU walks them: the PTE bits and the
 * geometry of a configuration (fmt_init, hw_info). The entry codecs are in
 * riscv.h.
 *
 * Two formats come from this folder, as ARM's two stages do from
 * formats/arm: riscv, the first stage (iosatp, or a process context's
 * fsc: Sv39, Sv48, Sv57), and riscv_g, the G-stage (iohgatp: Sv39x4,
 * Sv48x4, Sv57x4). They share every entry codec; they differ in the root
 * (the G-stage root is 16 KiB, 2048 entries, aligned to 16 KiB, and
 * translates two more IOVA bits), in what an IOVA may be (first stage:
 * bits above N-1 copy bit N-1, and iopgt keeps to the lower half as
 * vtd_fl does; G-stage: bits above N+1 are zero), and in the register the
 * driver writes. Two formats rather than one with a stage field, because
 * the stage is fixed by the register a table goes into, and the formats'
 * enum then tells the conformance, fuzz and bench tables which is which.
 *
 * The mode follows cfg.levels (3, 4, 5) or else cfg.ias: Sv39 up to ias
 * 38 (G-stage 41), Sv48 up to 47 (50), Sv57 up to 56 (59); with neither
 * given, Sv48 (Sv48x4). iosatp/iohgatp MODE is then 8, 9 or 10.
 *
 * Options the IOMMU may lack, as quirks:
 *   IOPGT_QUIRK_RISCV_SVNAPOT  64 KiB pages as Svnapot runs (16 level-0
 *                              slots, N=1, PPN[3:0] = 0b1000) are offered.
 *                              Off: 64K is never a page size.
 *   IOPGT_QUIRK_RISCV_SVPBMT   leaves carry a memory type: IOPGT_MMIO is
 *                              PBMT=IO, IOPGT_CACHE PBMT=PMA, neither
 *                              PBMT=NC. Off: PBMT stays 0 and the memory
 *                              type is the region's PMA (device regions
 *                              are I/O by their PMA anyway), so MMIO and
 *                              CACHE are accepted and have no encoding.
 */
#ifndef IOPGT_FMT_RISCV_BITS_H
#define IOPGT_FMT_RISCV_BITS_H

#include "../../pgtable/format.h"

#define RISCV_V			(1ull << 0)
#define RISCV_R			(1ull << 1)
#define RISCV_W			(1ull << 2)
#define RISCV_X			(1ull << 3)
#define RISCV_U			(1ull << 4)
#define RISCV_G			(1ull << 5)
#define RISCV_A			(1ull << 6)
#define RISCV_D			(1ull << 7)
#define RISCV_RSW		(3ull << 8)
#define RISCV_PPN_SHIFT		10
#define RISCV_PPN		0x003ffffffffffc00ull /* bits 53:10 */
#define RISCV_RSVD		(0x7full << 54)	/* bits 60:54 */
#define RISCV_PBMT_SHIFT	61
#define RISCV_PBMT		(3ull << RISCV_PBMT_SHIFT)
#define RISCV_PBMT_PMA		0ull
#define RISCV_PBMT_NC		1ull
#define RISCV_PBMT_IO		2ull
#define RISCV_N			(1ull << 63)
#define RISCV_RWX		(RISCV_R | RISCV_W | RISCV_X)
/* Svnapot's only defined run: 64 KiB, PPN[3:0] = 0b1000 */
#define RISCV_NAPOT_LG2		16
#define RISCV_NAPOT_PPN_MASK	0xfull
#define RISCV_NAPOT_PPN_64K	0x8ull
#define RISCV_MAX_OAS		56	/* 44-bit PPN */
#define RISCV_MODE_SV39		8

static inline u64 riscv_pa_to_ppn_bits(u64 pa)
{
	return ((pa >> 12) << RISCV_PPN_SHIFT) & RISCV_PPN;
}

static inline u64 riscv_ppn_bits_to_pa(u64 pte)
{
	return ((pte & RISCV_PPN) >> RISCV_PPN_SHIFT) << 12;
}

static inline bool riscv_svnapot(const struct iopgt *pt)
{
	return pt->cfg.quirks & IOPGT_QUIRK_RISCV_SVNAPOT;
}

static inline bool riscv_svpbmt(const struct iopgt *pt)
{
	return pt->cfg.quirks & IOPGT_QUIRK_RISCV_SVPBMT;
}

/* IOVA bits a walk of @levels translates: one more than vtd_fl's reach */
static inline unsigned int riscv_va_bits(unsigned int levels, bool g)
{
	return 12 + 9 * levels + (g ? 2 : 0);
}

/* The largest ias: the lower half for the first stage, all for G-stage */
static inline unsigned int riscv_max_ias(unsigned int levels, bool g)
{
	return riscv_va_bits(levels, g) - (g ? 0 : 1);
}

static inline int riscv_init(struct iopgt *pt, bool g)
{
	struct iopgt_cfg *cfg = &pt->cfg;
	unsigned int levels = cfg->levels, ias = cfg->ias, level;
	u64 sizes = 0;

	if (cfg->granule_lg2 && cfg->granule_lg2 != 12)
		return -EINVAL;
	if (ias > 64 || (ias && ias < 13))
		return -EINVAL;
	if (cfg->oas > RISCV_MAX_OAS || (cfg->oas && cfg->oas < 13))
		return -EINVAL;
	if (cfg->quirks & (IOPGT_QUIRK_ARM_BBML1 | IOPGT_QUIRK_ARM_BBML2))
		return -EINVAL;
	if (!levels) {
		levels = 4;
		if (ias)
			for (levels = 3; levels < 5 &&
			     ias > riscv_max_ias(levels, g); levels++)
				;
	}
	if (levels < 3 || levels > 5)
		return -EINVAL;
	if (!ias)
		ias = riscv_max_ias(levels, g);
	if (ias > riscv_max_ias(levels, g))
		return -EINVAL;
	cfg->ias = ias;
	cfg->levels = levels;
	cfg->granule_lg2 = 12;
	if (!cfg->oas)
		cfg->oas = RISCV_MAX_OAS;

	pt->levels = levels;
	pt->granule_lg2 = 12;
	pt->top_lg2 = g ? 11 : 9;
	pt->top_alloc_lg2 = pt->top_lg2 + 3;

	/* A leaf may sit at every level, the top included */
	for (level = 0; level < levels; level++)
		sizes |= 1ull << (12 + 9 * level);
	if (riscv_svnapot(pt))
		sizes |= 1ull << RISCV_NAPOT_LG2;
	sizes &= iopgt_lg2_mask(ias + 1) & iopgt_lg2_mask(cfg->oas + 1);
	if (cfg->pgsize_bitmap)
		sizes &= cfg->pgsize_bitmap;
	pt->pgsize_bitmap = sizes;
	return sizes ? 0 : -EINVAL;
}

static inline int riscv_s1_init(struct iopgt *pt)
{
	return riscv_init(pt, false);
}

static inline int riscv_g_init(struct iopgt *pt)
{
	return riscv_init(pt, true);
}

static inline void riscv_hw_info(const struct iopgt *pt,
				 struct iopgt_hw_info *info, bool g)
{
	info->riscv.mode = RISCV_MODE_SV39 + (pt->levels - 3);
	info->riscv.gstage = g;
	info->riscv.ppn = pt->root_pa >> 12;
}

#endif /* IOPGT_FMT_RISCV_BITS_H */
