/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * hwmodel: the software IOMMU. See hwmodel.h for the contract.
 *
 * Everything here comes from FORMATS.md; nothing goes through formats/ or
 * pgtable/. Where FORMATS.md leaves a choice open, the model takes the
 * stricter reading (the one that turns an engine bug into a fault) unless
 * the hardware is known to be lenient; each such choice is marked "Choice:".
 *
 * HWM_FAULT_BAD_ENTRY is returned for:
 *   all formats  a table or leaf address beyond oas; a leaf OA not aligned
 *                to the leaf size; a table address that cfg->phys_to_virt
 *                maps to no memory.
 *   amdv1        a table entry whose NextLevel is not exactly the child's
 *                level (higher, or a level skip; choice: FORMATS.md defines
 *                NextLevel as the parent's 0-based level and never
 *                mentions skipping); a leaf in the top table of mode 6;
 *                a NextLevel=7 size that does not belong to the level (the
 *                size must round down to this level: item <= size <
 *                item * 512) or exceeds 52 bits; any 512G leaf (choice:
 *                the erratum FORMATS.md names makes the size unusable, so
 *                an engine that emits one must fail).
 *   vtd_sl       PS at level 0, 3 or 4, or at level 1/2 when the superpage
 *                is missing from info.pgsize_bitmap.
 *   vtd_fl       PS at level 3 or 4, or at level 2 without 1G support;
 *                large-page OA bits 20:13 / 29:13 set (bit 12 is PAT).
 *   riscv        (both stages) reserved bits 60:54 set; PBMT 3; a table
 *                pointer (R=W=X=0) at level 0, or one with A, D, U, N or
 *                PBMT set; W without R; N above level 0, N without
 *                Svnapot (info.pgsize_bitmap given and without 64K), or
 *                N with PPN[3:0] other than 0b1000; a superpage whose
 *                PPN is not aligned to its size.
 *   arm          descriptor 0b01 at the leaf level; a block at a level the
 *                granule has no blocks at (4K: ARM level 0 only with DS;
 *                16K: ARM level 1 only with DS; 64K: ARM level 1 only
 *                with oas > 48; never at ARM level -1); a table
 *                address not aligned to the granule; a contiguous run
 *                whose OA is not aligned to the run or that does not fit
 *                its table.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hwmodel.h"
#include "support/testpa.h"
#include "support/le.h"

#define HWM_BIT(n)		(1ULL << (n))
#define HWM_GENMASK(h, l)	((~0ULL >> (63 - (h))) & (~0ULL << (l)))

/* AMD v1 entry bits */
#define HWM_AMD_PR		HWM_BIT(0)
#define HWM_AMD_A		HWM_BIT(5)
#define HWM_AMD_D		HWM_BIT(6)
#define HWM_AMD_NL_SHIFT	9
#define HWM_AMD_OA		HWM_GENMASK(51, 12)
#define HWM_AMD_IR		HWM_BIT(61)
#define HWM_AMD_IW		HWM_BIT(62)

/* VT-d second-level entry bits */
#define HWM_SL_R		HWM_BIT(0)
#define HWM_SL_W		HWM_BIT(1)
#define HWM_SL_PS		HWM_BIT(7)
#define HWM_SL_A		HWM_BIT(8)
#define HWM_SL_D		HWM_BIT(9)
#define HWM_SL_SNP		HWM_BIT(11)
#define HWM_SL_OA		HWM_GENMASK(51, 12)

/* x86-64 paging (VT-d first-level) entry bits */
#define HWM_FL_P		HWM_BIT(0)
#define HWM_FL_RW		HWM_BIT(1)
#define HWM_FL_A		HWM_BIT(5)
#define HWM_FL_D		HWM_BIT(6)
#define HWM_FL_PS		HWM_BIT(7)
#define HWM_FL_PAT_LARGE	HWM_BIT(12)
#define HWM_FL_OA		HWM_GENMASK(51, 12)

/* ARM VMSAv8-64 descriptor bits */
#define HWM_ARM_VALID		HWM_BIT(0)
#define HWM_ARM_TYPE		HWM_GENMASK(1, 0)
#define HWM_ARM_TYPE_BLOCK	1ULL
#define HWM_ARM_AP2		HWM_BIT(7)	/* stage 1: read-only */
#define HWM_ARM_S2AP_R		HWM_BIT(6)	/* stage 2: read */
#define HWM_ARM_S2AP_W		HWM_BIT(7)	/* stage 2: write */
#define HWM_ARM_AF		HWM_BIT(10)
#define HWM_ARM_OA		HWM_GENMASK(47, 12)
#define HWM_ARM_OA_HI		HWM_GENMASK(15, 12) /* 64K: PA[51:48] */
#define HWM_ARM_OA_DS		HWM_GENMASK(49, 12) /* DS: PA[49:12] */
#define HWM_ARM_OA_DS_HI	HWM_GENMASK(9, 8)   /* DS: PA[51:50] */
#define HWM_ARM_DBM		HWM_BIT(51)
#define HWM_ARM_CONT		HWM_BIT(52)

/* RISC-V PTE bits (privileged spec; RISC-V IOMMU for the A/D rules) */
#define HWM_RV_V		HWM_BIT(0)
#define HWM_RV_R		HWM_BIT(1)
#define HWM_RV_W		HWM_BIT(2)
#define HWM_RV_X		HWM_BIT(3)
#define HWM_RV_U		HWM_BIT(4)
#define HWM_RV_A		HWM_BIT(6)
#define HWM_RV_D		HWM_BIT(7)
#define HWM_RV_PPN		HWM_GENMASK(53, 10)
#define HWM_RV_RSVD		HWM_GENMASK(60, 54)
#define HWM_RV_PBMT		HWM_GENMASK(62, 61)
#define HWM_RV_N		HWM_BIT(63)

#define HWM_DEFAULT_IOTLB	64
#define HWM_DEFAULT_PWC		32

enum hwm_kind {
	HWM_EMPTY,
	HWM_TABLE,
	HWM_LEAF,
	HWM_BAD,
};

/*
 * One entry as the hardware reads it. For a leaf, @addr is the OA of the
 * whole leaf's first byte and @size_lg2 the whole leaf (all its slots).
 * @w is "a write may proceed", possibly by making the entry dirty first.
 */
struct hwm_ent {
	enum hwm_kind kind;
	u64 addr;
	unsigned int size_lg2;
	unsigned int slots_lg2;
	bool r;
	bool w;
	bool dirty;
	bool accessed;
	bool nt;
	const char *why;
};

/* An IOTLB entry: one leaf's translation. */
struct hwm_tlbe {
	bool valid;
	bool r;
	bool w;
	bool dirty;	/* a write needs no memory update */
	unsigned int level;
	unsigned int size_lg2;
	u64 iova;	/* first IOVA of the leaf */
	u64 oa;		/* OA of @iova */
	u64 pte_pa;	/* the entry the walk used */
};

/* A paging-structure cache entry: a pointer to a table at @level. */
struct hwm_pwce {
	bool valid;
	bool r;		/* permissions of the entries above the table */
	bool w;
	unsigned int level;
	u64 prefix;	/* IOVA >> (bits the table covers) */
	u64 table_pa;
};

struct hwm {
	struct hwm_cfg cfg;
	enum iopgt_format fmt;
	unsigned int levels;
	/* IOVA bits translated; 64 means all */
	unsigned int va_bits;
	unsigned int oas;
	unsigned int granule_lg2;	/* ARM only */
	bool ds;			/* ARM: LPA2 descriptors (DS = 1) */
	bool af_required;		/* ARM: AF=0 faults */
	bool napot;			/* RISC-V: Svnapot runs exist */
	bool dirty_enabled;		/* atomic: hwm_walk() reads it */
	unsigned int item_lg2[HWM_MAX_LEVELS];
	unsigned int entries_lg2[HWM_MAX_LEVELS];
	bool leaf_ok[HWM_MAX_LEVELS];
	u64 root_pa;

	pthread_mutex_t lock;	/* protects everything below */
	struct hwm_tlbe *tlb;
	unsigned int ntlb;
	unsigned int tlb_next;
	struct hwm_pwce *pwc;
	unsigned int npwc;
	unsigned int pwc_next;
	struct hwm_stats st;
};

/*
 * CPU address of table memory at @pa: the identity unless the test world
 * gave a translation (cfg->phys_to_virt). NULL: no memory there.
 */
static u64 *hwm_va(const struct hwm *hw, u64 pa)
{
	if (hw->cfg.phys_to_virt)
		return hw->cfg.phys_to_virt(hw->cfg.ctx, pa);
	return test_va(pa);
}

/*
 * Acquire: what the CPU wrote into a table before publishing it with a
 * release or seq_cst store of the entry pointing at it is visible here.
 * Entries are read as the hardware reads them, little-endian bytes.
 */
static u64 hwm_load(const struct hwm *hw, u64 pa)
{
	return tle_load(hwm_va(hw, pa));
}

/* On failure *old is updated with the value found, as hardware re-reads. */
static bool hwm_cmpxchg(const struct hwm *hw, u64 pa, u64 *old, u64 new)
{
	return tle_cmpxchg(hwm_va(hw, pa), old, new);
}

static bool hwm_dirty_on(const struct hwm *hw)
{
	return __atomic_load_n(&hw->dirty_enabled, __ATOMIC_RELAXED);
}

static const char *hwm_amd_decode(const struct hwm *hw, unsigned int level,
				  u64 pte, struct hwm_ent *e)
{
	unsigned int nl = (pte >> HWM_AMD_NL_SHIFT) & 7;
	u64 oa = pte & HWM_AMD_OA;

	/* PR=0: the other bits are ignored, stray ones may exist */
	if (!(pte & HWM_AMD_PR)) {
		e->kind = HWM_EMPTY;
		return NULL;
	}
	e->r = pte & HWM_AMD_IR;
	e->w = pte & HWM_AMD_IW;
	e->accessed = pte & HWM_AMD_A;
	e->dirty = pte & HWM_AMD_D;

	if (nl != 0 && nl != 7) {
		/* At level 0 too: only 0 and 7 are leaves */
		if (nl != level)
			return "NextLevel is not the child's level";
		e->kind = HWM_TABLE;
		e->addr = oa;
		return NULL;
	}
	if (!hw->leaf_ok[level])
		return "leaf in the top table of mode 6";
	if (nl == 7) {
		/*
		 * The size is encoded in the OA field: ones from bit 12 up
		 * to bit n-2, a zero at bit n-1.
		 */
		u64 inv = ~(pte | 0xfff);

		e->size_lg2 = inv ? __builtin_ctzll(inv) + 1 : 65;
		if (e->size_lg2 < hw->item_lg2[level] ||
		    e->size_lg2 >= hw->item_lg2[level] + 9 ||
		    e->size_lg2 > 52)
			return "NextLevel=7 size not of this level";
		e->slots_lg2 = (e->size_lg2 - 12) % 9;
		oa &= ~(HWM_BIT(e->size_lg2) - 1);
	} else {
		e->size_lg2 = hw->item_lg2[level];
		if (oa & (HWM_BIT(e->size_lg2) - 1))
			return "leaf OA not aligned to its size";
	}
	if (e->size_lg2 == 39)
		return "512G leaf (erratum)";
	e->kind = HWM_LEAF;
	e->addr = oa;
	return NULL;
}

static const char *hwm_sl_decode(const struct hwm *hw, unsigned int level,
				 u64 pte, struct hwm_ent *e)
{
	u64 oa = pte & HWM_SL_OA;

	/* No present bit: present iff R or W */
	if (!(pte & (HWM_SL_R | HWM_SL_W))) {
		e->kind = HWM_EMPTY;
		return NULL;
	}
	e->r = pte & HWM_SL_R;
	e->w = pte & HWM_SL_W;
	e->accessed = pte & HWM_SL_A;
	e->dirty = pte & HWM_SL_D;

	if (!level && (pte & HWM_SL_PS))
		return "PS set at the 4K level";
	if (level && !(pte & HWM_SL_PS)) {
		e->kind = HWM_TABLE;
		e->addr = oa;
		return NULL;
	}
	if (!hw->leaf_ok[level])
		return "PS at a level without superpages";
	e->size_lg2 = hw->item_lg2[level];
	if (oa & (HWM_BIT(e->size_lg2) - 1))
		return "superpage OA not aligned";
	/* SNP is reserved without snoop control (ECAP.SC=0) */
	if ((pte & HWM_SL_SNP) && !hw->cfg.vtd_snoop_ctl)
		return "SNP set on an IOMMU without snoop control";
	e->kind = HWM_LEAF;
	e->addr = oa;
	return NULL;
}

static const char *hwm_fl_decode(const struct hwm *hw, unsigned int level,
				 u64 pte, struct hwm_ent *e)
{
	u64 oa = pte & HWM_FL_OA;

	if (!(pte & HWM_FL_P)) {
		e->kind = HWM_EMPTY;
		return NULL;
	}
	/* x86 paging has no read-deny; RW is ANDed down the walk */
	e->r = true;
	e->w = pte & HWM_FL_RW;
	e->accessed = pte & HWM_FL_A;
	e->dirty = pte & HWM_FL_D;

	/* At level 0 bit 7 is PAT, not PS */
	if (level && !(pte & HWM_FL_PS)) {
		e->kind = HWM_TABLE;
		e->addr = oa;
		return NULL;
	}
	if (!hw->leaf_ok[level])
		return "PS at a level without large pages";
	e->size_lg2 = hw->item_lg2[level];
	/* Bit 12 of a large page is PAT */
	if (level)
		oa &= ~HWM_FL_PAT_LARGE;
	if (oa & (HWM_BIT(e->size_lg2) - 1))
		return "large page OA not aligned";
	e->kind = HWM_LEAF;
	e->addr = oa;
	return NULL;
}

/* log2 of the entries a contiguous-hint run holds at @level */
static unsigned int hwm_arm_contig_lg2(const struct hwm *hw,
				       unsigned int level)
{
	switch (hw->granule_lg2) {
	case 12:
		return 4;
	case 14:
		return level ? 5 : 7;
	default:
		return 5;
	}
}

static const char *hwm_arm_decode(const struct hwm *hw, unsigned int level,
				  u64 pte_pa, u64 pte, struct hwm_ent *e)
{
	u64 oa = pte & HWM_ARM_OA;
	bool dbm = pte & HWM_ARM_DBM;

	if (!(pte & HWM_ARM_VALID)) {
		e->kind = HWM_EMPTY;
		return NULL;
	}
	/*
	 * DS: bits 49:12 and PA[51:50] in bits 9:8 (no SH there); 64K with
	 * a 52-bit OA: PA[51:48] in bits 15:12.
	 */
	if (hw->ds)
		oa = (pte & HWM_ARM_OA_DS) | ((pte & HWM_ARM_OA_DS_HI) << 42);
	else if (hw->granule_lg2 == 16 && hw->oas > 48)
		oa = (oa & ~HWM_ARM_OA_HI) | ((pte & HWM_ARM_OA_HI) << 36);

	if ((pte & HWM_ARM_TYPE) == HWM_ARM_TYPE_BLOCK) {
		if (!level)
			return "0b01 descriptor at the leaf level";
		if (!hw->leaf_ok[level])
			return "block at a level without blocks";
	} else if (level) {
		/* Choice: table attribute bits (NSTable etc.) are ignored */
		e->r = true;
		e->w = true;
		if (oa & (HWM_BIT(hw->granule_lg2) - 1))
			return "table address not granule aligned";
		e->kind = HWM_TABLE;
		e->addr = oa;
		return NULL;
	}

	/*
	 * nT (bit 16) of a block descriptor, FEAT_BBM level 1: the entry is
	 * used but not cached in the TLB. Below every block's OA alignment.
	 */
	if ((pte & HWM_ARM_TYPE) == HWM_ARM_TYPE_BLOCK && (pte & HWM_BIT(16))) {
		e->nt = true;
		oa &= ~HWM_BIT(16);
	}
	e->accessed = pte & HWM_ARM_AF;
	if (hw->fmt == IOPGT_FMT_ARM_S1) {
		e->r = true;
		e->w = !(pte & HWM_ARM_AP2) || (dbm && hwm_dirty_on(hw));
		e->dirty = dbm && !(pte & HWM_ARM_AP2);
	} else {
		e->r = pte & HWM_ARM_S2AP_R;
		e->w = (pte & HWM_ARM_S2AP_W) || (dbm && hwm_dirty_on(hw));
		e->dirty = dbm && (pte & HWM_ARM_S2AP_W);
	}

	e->size_lg2 = hw->item_lg2[level];
	if (oa & (HWM_BIT(e->size_lg2) - 1))
		return "leaf OA not aligned to its size";
	if (pte & HWM_ARM_CONT) {
		/*
		 * The run is naturally aligned in its table, so this entry's
		 * slot in it comes from its own address.
		 */
		unsigned int run_lg2 = hwm_arm_contig_lg2(hw, level);
		u64 slot = (pte_pa >> 3) & (HWM_BIT(run_lg2) - 1);

		if (run_lg2 > hw->entries_lg2[level])
			return "contiguous run larger than table";
		e->slots_lg2 = run_lg2;
		e->size_lg2 += run_lg2;
		oa -= slot << hw->item_lg2[level];
		if (oa & (HWM_BIT(e->size_lg2) - 1))
			return "contiguous run OA not aligned";
	}
	e->kind = HWM_LEAF;
	e->addr = oa;
	return NULL;
}

static bool hwm_is_riscv(const struct hwm *hw)
{
	return hw->fmt == IOPGT_FMT_RISCV || hw->fmt == IOPGT_FMT_RISCV_G;
}

/*
 * RISC-V, both stages. Device requests are user-mode accesses (first
 * stage: no process context grants supervisor privilege here; G-stage:
 * always), so a leaf without U denies everything. Without hardware A/D
 * updating (DC.tc.SADE/GADE, modelled by dirty_enabled) a leaf with A=0
 * faults (hwm_needs_af()) and a write to one with D=0 faults: such a leaf
 * is not writable.
 */
static const char *hwm_riscv_decode(const struct hwm *hw, unsigned int level,
				    u64 pte, struct hwm_ent *e)
{
	u64 oa = ((pte & HWM_RV_PPN) >> 10) << 12;

	if (!(pte & HWM_RV_V)) {
		e->kind = HWM_EMPTY;
		return NULL;
	}
	if (pte & HWM_RV_RSVD)
		return "reserved bits 60:54 set";
	if ((pte & HWM_RV_PBMT) == HWM_RV_PBMT)
		return "PBMT 3 (reserved)";
	if (!(pte & (HWM_RV_R | HWM_RV_W | HWM_RV_X))) {
		if (!level)
			return "table pointer at level 0";
		if (pte & (HWM_RV_A | HWM_RV_D | HWM_RV_U | HWM_RV_N |
			   HWM_RV_PBMT))
			return "A, D, U, N or PBMT in a table pointer";
		/* permissions live in the leaf alone */
		e->r = true;
		e->w = true;
		e->kind = HWM_TABLE;
		e->addr = oa;
		return NULL;
	}
	if ((pte & (HWM_RV_R | HWM_RV_W)) == HWM_RV_W)
		return "W without R (reserved)";
	e->accessed = pte & HWM_RV_A;
	e->dirty = pte & HWM_RV_D;
	e->r = (pte & HWM_RV_U) && (pte & HWM_RV_R);
	e->w = (pte & HWM_RV_U) && (pte & HWM_RV_W) &&
	       ((pte & HWM_RV_D) || hwm_dirty_on(hw));
	e->size_lg2 = hw->item_lg2[level];
	if (pte & HWM_RV_N) {
		if (level)
			return "N above level 0";
		if (!hw->napot)
			return "N without Svnapot";
		/* the one defined run: 64 KiB, PPN[3:0] = 0b1000 */
		if (((oa >> 12) & 0xf) != 8)
			return "N with PPN[3:0] other than 0b1000";
		e->slots_lg2 = 4;
		e->size_lg2 = 16;
		oa &= ~(HWM_BIT(16) - 1);
	} else if (oa & (HWM_BIT(e->size_lg2) - 1)) {
		return "misaligned superpage";
	}
	e->kind = HWM_LEAF;
	e->addr = oa;
	return NULL;
}

/* Read one entry as the hardware would at @level. */
static void hwm_decode(const struct hwm *hw, unsigned int level, u64 pte_pa,
		       u64 pte, struct hwm_ent *e)
{
	const char *why;
	u64 last;

	memset(e, 0, sizeof(*e));
	switch (hw->fmt) {
	case IOPGT_FMT_AMDV1:
		why = hwm_amd_decode(hw, level, pte, e);
		break;
	case IOPGT_FMT_VTD_SL:
		why = hwm_sl_decode(hw, level, pte, e);
		break;
	case IOPGT_FMT_VTD_FL:
		why = hwm_fl_decode(hw, level, pte, e);
		break;
	case IOPGT_FMT_RISCV:
	case IOPGT_FMT_RISCV_G:
		why = hwm_riscv_decode(hw, level, pte, e);
		break;
	default:
		why = hwm_arm_decode(hw, level, pte_pa, pte, e);
		break;
	}
	if (!why && e->kind == HWM_LEAF) {
		last = e->addr + (HWM_BIT(e->size_lg2) - 1);
		if (last >> hw->oas)
			why = "address beyond oas";
	} else if (!why && e->kind == HWM_TABLE) {
		if (e->addr >> hw->oas)
			why = "address beyond oas";
		else if (!hwm_va(hw, e->addr))
			why = "table address is not memory";
	}
	if (why) {
		e->kind = HWM_BAD;
		e->why = why;
	}
}

/* The entry with A set where the format sets it on a read. */
static u64 hwm_leaf_mkyoung(const struct hwm *hw, u64 pte)
{
	switch (hw->fmt) {
	case IOPGT_FMT_AMDV1:
		/* Choice: A on every access, whatever HAD says */
		return pte | HWM_AMD_A;
	case IOPGT_FMT_VTD_SL:
		return hwm_dirty_on(hw) ? pte | HWM_SL_A : pte;
	case IOPGT_FMT_VTD_FL:
		return pte | HWM_FL_A;
	case IOPGT_FMT_RISCV:
	case IOPGT_FMT_RISCV_G:
		return hwm_dirty_on(hw) ? pte | HWM_RV_A : pte;
	default:
		/* No hardware AF update: AF=0 is an access-flag fault */
		return pte;
	}
}

/* The leaf as the hardware leaves it after a write it allowed. */
static u64 hwm_leaf_mkdirty(const struct hwm *hw, u64 pte)
{
	bool on = hwm_dirty_on(hw);

	switch (hw->fmt) {
	case IOPGT_FMT_AMDV1:
		return pte | HWM_AMD_A | (on ? HWM_AMD_D : 0);
	case IOPGT_FMT_VTD_SL:
		return on ? pte | HWM_SL_A | HWM_SL_D : pte;
	case IOPGT_FMT_VTD_FL:
		return pte | HWM_FL_A | HWM_FL_D;
	case IOPGT_FMT_RISCV:
	case IOPGT_FMT_RISCV_G:
		return on ? pte | HWM_RV_A | HWM_RV_D : pte;
	case IOPGT_FMT_ARM_S1:
		if (on && (pte & HWM_ARM_DBM))
			return pte & ~HWM_ARM_AP2;
		return pte;
	default:
		if (on && (pte & HWM_ARM_DBM))
			return pte | HWM_ARM_S2AP_W;
		return pte;
	}
}

/* A table entry after the walk went through it. */
static u64 hwm_table_mkyoung(const struct hwm *hw, u64 pte)
{
	if (hw->fmt == IOPGT_FMT_VTD_SL && hwm_dirty_on(hw))
		return pte | HWM_SL_A;
	if (hw->fmt == IOPGT_FMT_VTD_FL)
		return pte | HWM_FL_A;
	return pte;
}

/*
 * Bits of a multi-slot leaf's entries that may differ between its slots:
 * the hardware-updated state, and for ARM the per-slot OA.
 */
static u64 hwm_replica_ignore(const struct hwm *hw, u64 pte)
{
	if (hw->fmt == IOPGT_FMT_AMDV1)
		return HWM_AMD_A | HWM_AMD_D;
	/* Svnapot: bits 5:0 and the PPN agree, A and D are per slot */
	if (hwm_is_riscv(hw))
		return HWM_RV_A | HWM_RV_D;
	/* ARM contiguous run */
	return HWM_ARM_OA | ((pte & HWM_ARM_DBM) ? HWM_BIT(7) : 0);
}

/*
 * Does a leaf with A (AF) clear fault? ARM always (no hardware AF update);
 * RISC-V when hardware A/D updating is off.
 */
static bool hwm_needs_af(const struct hwm *hw)
{
	return hw->af_required || (hwm_is_riscv(hw) && !hwm_dirty_on(hw));
}

static bool hwm_iova_ok(const struct hwm *hw, u64 iova)
{
	unsigned int sh = 64 - hw->va_bits;

	if (hw->va_bits >= 64)
		return true;
	/* x86, RISC-V first stage: bits above va_bits-1 must copy it */
	if (hw->fmt == IOPGT_FMT_VTD_FL || hw->fmt == IOPGT_FMT_RISCV)
		return (u64)((s64)(iova << sh) >> sh) == iova;
	return !(iova >> hw->va_bits);
}

static u64 hwm_index(const struct hwm *hw, unsigned int level, u64 iova)
{
	return (iova >> hw->item_lg2[level]) &
	       (HWM_BIT(hw->entries_lg2[level]) - 1);
}

/* log2 of the IOVA span a table at @level covers (never the top) */
static unsigned int hwm_cover_lg2(const struct hwm *hw, unsigned int level)
{
	return hw->item_lg2[level] + hw->entries_lg2[level];
}

static struct hwm_pwce *hwm_pwc_lookup(struct hwm *hw, u64 iova)
{
	struct hwm_pwce *best = NULL;
	unsigned int i;

	for (i = 0; i < hw->npwc; i++) {
		struct hwm_pwce *p = &hw->pwc[i];

		if (!p->valid ||
		    p->prefix != iova >> hwm_cover_lg2(hw, p->level))
			continue;
		if (!best || p->level < best->level)
			best = p;
	}
	return best;
}

static void hwm_pwc_insert(struct hwm *hw, unsigned int level, u64 iova,
			   u64 table_pa, bool r, bool w)
{
	u64 prefix = iova >> hwm_cover_lg2(hw, level);
	struct hwm_pwce *p = NULL;
	unsigned int i;

	for (i = 0; i < hw->npwc; i++) {
		struct hwm_pwce *q = &hw->pwc[i];

		if (q->valid && q->level == level && q->prefix == prefix) {
			p = q;
			break;
		}
		if (!p && !q->valid)
			p = q;
	}
	if (!p) {
		p = &hw->pwc[hw->pwc_next];
		hw->pwc_next = (hw->pwc_next + 1) % hw->npwc;
	}
	p->valid = true;
	p->level = level;
	p->prefix = prefix;
	p->table_pa = table_pa;
	p->r = r;
	p->w = w;
}

/*
 * The IOTLB entry for @iova. Several may match when a leaf changed size
 * without an invalidation; the smallest wins, so the stale one shows.
 */
static struct hwm_tlbe *hwm_tlb_lookup(struct hwm *hw, u64 iova)
{
	struct hwm_tlbe *best = NULL;
	unsigned int i;

	for (i = 0; i < hw->ntlb; i++) {
		struct hwm_tlbe *t = &hw->tlb[i];

		if (!t->valid ||
		    (iova & ~(HWM_BIT(t->size_lg2) - 1)) != t->iova)
			continue;
		if (!best || t->size_lg2 < best->size_lg2)
			best = t;
	}
	return best;
}

static void hwm_tlb_insert(struct hwm *hw, const struct hwm_walk *res)
{
	struct hwm_tlbe *t = NULL;
	unsigned int i;

	for (i = 0; i < hw->ntlb; i++) {
		if (!hw->tlb[i].valid) {
			t = &hw->tlb[i];
			break;
		}
	}
	if (!t) {
		t = &hw->tlb[hw->tlb_next];
		hw->tlb_next = (hw->tlb_next + 1) % hw->ntlb;
	}
	t->valid = true;
	t->r = res->readable;
	t->w = res->writable;
	t->dirty = hwm_leaf_mkdirty(hw, res->pte) == res->pte;
	t->level = res->level;
	t->size_lg2 = res->size_lg2;
	t->iova = res->leaf_iova;
	t->oa = res->leaf_oa;
	t->pte_pa = res->pte_pa;
}

/* Count an update from @old to @new of a leaf. */
static void hwm_count_update(struct hwm *hw, u64 old, u64 new)
{
	if (hwm_leaf_mkdirty(hw, old) != hwm_leaf_mkyoung(hw, old) &&
	    hwm_leaf_mkdirty(hw, new) == new)
		hw->st.dirty_updates++;
	else
		hw->st.accessed_updates++;
}

/*
 * A write hit an IOTLB entry cached clean: make the entry it came from
 * dirty, as long as that entry still holds the same writable leaf. The
 * permissions of the levels above are the cached ones, as in hardware.
 * Return: false if the entry changed (the caller walks again).
 */
static bool hwm_tlb_mkdirty(struct hwm *hw, struct hwm_tlbe *t)
{
	u64 pte = hwm_load(hw, t->pte_pa);
	struct hwm_ent e;
	u64 new;

	for (;;) {
		hwm_decode(hw, t->level, t->pte_pa, pte, &e);
		if (e.kind != HWM_LEAF || e.addr != t->oa ||
		    e.size_lg2 != t->size_lg2 || !e.w ||
		    (hwm_needs_af(hw) && !e.accessed))
			return false;
		new = hwm_leaf_mkdirty(hw, pte);
		if (new == pte)
			break;
		if (hwm_cmpxchg(hw, t->pte_pa, &pte, new)) {
			hwm_count_update(hw, pte, new);
			break;
		}
	}
	t->dirty = true;
	return true;
}

/* Look at every slot of a multi-slot leaf (uncached walks only). */
static void hwm_scan_replicas(const struct hwm *hw, const struct hwm_ent *e,
			      struct hwm_walk *res)
{
	u64 bytes = HWM_BIT(e->slots_lg2) * sizeof(u64);
	u64 first = res->pte_pa & ~(bytes - 1);
	u64 ignore = hwm_replica_ignore(hw, res->pte);
	u64 pa;

	for (pa = first; pa < first + bytes; pa += sizeof(u64)) {
		u64 v = hwm_load(hw, pa);
		struct hwm_ent o;

		hwm_decode(hw, res->level, pa, v, &o);
		if (o.kind != HWM_LEAF || o.addr != e->addr ||
		    o.size_lg2 != e->size_lg2 ||
		    (v & ~ignore) != (res->pte & ~ignore)) {
			res->replica_mismatch = true;
			continue;
		}
		res->dirty |= o.dirty;
		res->accessed |= o.accessed;
	}
}

/*
 * The walk. @live: a translation (called locked) that uses and fills the
 * paging-structure cache, updates A/D and checks @access; otherwise an
 * uncached, read-only look that also examines every slot of the leaf.
 */
static int hwm_do_walk(struct hwm *hw, u64 iova, unsigned int access,
		       bool live, struct hwm_walk *res)
{
	unsigned int level = hw->levels - 1;
	u64 table = hw->root_pa;
	bool r = true, w = true;
	struct hwm_ent e;
	u64 pte_pa, pte, new;

	memset(res, 0, sizeof(*res));
	res->iova = iova;
	if (!hwm_iova_ok(hw, iova))
		return HWM_FAULT_RANGE;

	if (live) {
		struct hwm_pwce *p = hwm_pwc_lookup(hw, iova);

		hw->st.walks++;
		if (p) {
			hw->st.pwc_hits++;
			level = p->level;
			table = p->table_pa;
			r = p->r;
			w = p->w;
		}
	}

	for (;;) {
		pte_pa = table + hwm_index(hw, level, iova) * sizeof(u64);
		pte = hwm_load(hw, pte_pa);
retry:
		hwm_decode(hw, level, pte_pa, pte, &e);
		res->path[res->depth].level = level;
		res->path[res->depth].pte_pa = pte_pa;
		res->path[res->depth].pte = pte;

		switch (e.kind) {
		case HWM_EMPTY:
			res->depth++;
			return HWM_FAULT_NOT_PRESENT;
		case HWM_BAD:
			res->depth++;
			return HWM_FAULT_BAD_ENTRY;
		case HWM_TABLE:
			if (live) {
				new = hwm_table_mkyoung(hw, pte);
				if (new != pte) {
					/* Lost a race: read the entry anew */
					if (!hwm_cmpxchg(hw, pte_pa, &pte, new))
						goto retry;
					hw->st.accessed_updates++;
					res->path[res->depth].pte = new;
				}
				hwm_pwc_insert(hw, level - 1, iova, e.addr,
					       r && e.r, w && e.w);
			}
			res->depth++;
			r = r && e.r;
			w = w && e.w;
			table = e.addr;
			level--;
			continue;
		case HWM_LEAF:
			break;
		}

		res->depth++;
		res->level = level;
		res->pte_pa = pte_pa;
		res->pte = pte;
		res->size_lg2 = e.size_lg2;
		res->leaf_iova = iova & ~(HWM_BIT(e.size_lg2) - 1);
		res->leaf_oa = e.addr;
		res->oa = e.addr + (iova - res->leaf_iova);
		res->readable = r && e.r;
		res->writable = w && e.w;
		res->dirty = e.dirty;
		res->accessed = e.accessed;
		res->replicas = 1u << e.slots_lg2;
		res->nt = e.nt;

		if (!live) {
			if (e.slots_lg2)
				hwm_scan_replicas(hw, &e, res);
			/* AF of the entry the hardware would use */
			if (hwm_needs_af(hw) && !e.accessed)
				return HWM_FAULT_ACCESS;
			return 0;
		}

		if (hwm_needs_af(hw) && !e.accessed)
			return HWM_FAULT_ACCESS;
		if (((access & HWM_READ) && !res->readable) ||
		    ((access & HWM_WRITE) && !res->writable))
			return HWM_FAULT_PERM;
		/*
		 * Only this slot of a multi-slot leaf: the hardware updates
		 * the one entry it read.
		 */
		if (access & HWM_WRITE)
			new = hwm_leaf_mkdirty(hw, pte);
		else
			new = hwm_leaf_mkyoung(hw, pte);
		if (new != pte) {
			u64 old = pte;

			if (!hwm_cmpxchg(hw, pte_pa, &pte, new)) {
				res->depth--;
				goto retry;
			}
			hwm_count_update(hw, old, new);
			res->pte = new;
			res->path[res->depth - 1].pte = new;
		}
		return 0;
	}
}

int hwm_translate(struct hwm *hw, u64 iova, unsigned int access, u64 *pa)
{
	struct hwm_walk res;
	struct hwm_tlbe *t;
	int ret;

	if (!(access & (HWM_READ | HWM_WRITE)) ||
	    (access & ~(HWM_READ | HWM_WRITE)))
		return -EINVAL;

	pthread_mutex_lock(&hw->lock);
	t = hwm_tlb_lookup(hw, iova);
	if (t) {
		if ((!(access & HWM_READ) || t->r) &&
		    (!(access & HWM_WRITE) || t->w) &&
		    (!(access & HWM_WRITE) || t->dirty ||
		     hwm_tlb_mkdirty(hw, t))) {
			hw->st.iotlb_hits++;
			*pa = t->oa + (iova - t->iova);
			pthread_mutex_unlock(&hw->lock);
			return 0;
		}
		/*
		 * Choice: cached permissions that deny the access, or a leaf
		 * that changed under a clean entry, send the access to a new
		 * walk rather than fault from the cache.
		 */
		t->valid = false;
	}
	hw->st.iotlb_misses++;
	ret = hwm_do_walk(hw, iova, access, true, &res);
	if (ret) {
		hw->st.faults++;
	} else {
		/* an nT entry is used but never cached */
		if (!res.nt)
			hwm_tlb_insert(hw, &res);
		*pa = res.oa;
	}
	pthread_mutex_unlock(&hw->lock);
	return ret;
}

int hwm_walk(struct hwm *hw, u64 iova, struct hwm_walk *res)
{
	return hwm_do_walk(hw, iova, 0, false, res);
}

void hwm_invalidate(struct hwm *hw, u64 iova, u64 last, bool tables)
{
	unsigned int i;

	if (last < iova)
		return;
	pthread_mutex_lock(&hw->lock);
	hw->st.invalidations++;
	for (i = 0; i < hw->ntlb; i++) {
		struct hwm_tlbe *t = &hw->tlb[i];

		if (t->valid && t->iova <= last &&
		    iova <= t->iova + (HWM_BIT(t->size_lg2) - 1))
			t->valid = false;
	}
	for (i = 0; tables && i < hw->npwc; i++) {
		struct hwm_pwce *p = &hw->pwc[i];
		unsigned int cover = hwm_cover_lg2(hw, p->level);
		u64 start = p->prefix << cover;

		if (p->valid && start <= last &&
		    iova <= start + (HWM_BIT(cover) - 1))
			p->valid = false;
	}
	pthread_mutex_unlock(&hw->lock);
}

void hwm_invalidate_all(struct hwm *hw)
{
	unsigned int i;

	pthread_mutex_lock(&hw->lock);
	hw->st.invalidations++;
	for (i = 0; i < hw->ntlb; i++)
		hw->tlb[i].valid = false;
	for (i = 0; i < hw->npwc; i++)
		hw->pwc[i].valid = false;
	pthread_mutex_unlock(&hw->lock);
}

void hwm_set_dirty_enabled(struct hwm *hw, bool on)
{
	pthread_mutex_lock(&hw->lock);
	__atomic_store_n(&hw->dirty_enabled, on, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&hw->lock);
}

void hwm_stats(struct hwm *hw, struct hwm_stats *st)
{
	pthread_mutex_lock(&hw->lock);
	*st = hw->st;
	pthread_mutex_unlock(&hw->lock);
}

/* Geometry of AMD v1 and both VT-d formats: 512-entry 4K tables. */
static void hwm_setup_x86(struct hwm *hw, unsigned int levels)
{
	unsigned int l;

	hw->levels = levels;
	for (l = 0; l < levels; l++) {
		hw->item_lg2[l] = 12 + 9 * l;
		hw->entries_lg2[l] = 9;
	}
	hw->va_bits = 12 + 9 * levels;
	if (hw->va_bits > 64) {
		/* AMD mode 6: the top table holds 128 entries (63:57) */
		hw->entries_lg2[levels - 1] = 64 - hw->item_lg2[levels - 1];
		hw->va_bits = 64;
	}
}

static int hwm_setup_amd(struct hwm *hw, const struct iopgt_hw_info *info)
{
	unsigned int mode = info->amdv1.mode ? info->amdv1.mode : info->levels;
	unsigned int l;

	if (mode < 1 || mode > 6 || (info->levels && info->levels != mode))
		return -EINVAL;
	hwm_setup_x86(hw, mode);
	/* A leaf may sit at any level but the top of mode 6 */
	for (l = 0; l < mode; l++)
		hw->leaf_ok[l] = l < 5;
	return 0;
}

static bool hwm_has_pgsize(const struct iopgt_hw_info *info, unsigned int lg2)
{
	return !info->pgsize_bitmap || (info->pgsize_bitmap & HWM_BIT(lg2));
}

static int hwm_setup_vtd_sl(struct hwm *hw, const struct iopgt_hw_info *info)
{
	unsigned int levels = info->levels;

	if (info->vtd.aw) {
		if (info->vtd.aw > 3 || (levels && levels != info->vtd.aw + 2u))
			return -EINVAL;
		levels = info->vtd.aw + 2;
	}
	if (levels < 3 || levels > 5)
		return -EINVAL;
	hwm_setup_x86(hw, levels);
	/* SLLPS: 2M and 1G superpages are each optional */
	hw->leaf_ok[0] = true;
	hw->leaf_ok[1] = hwm_has_pgsize(info, 21);
	hw->leaf_ok[2] = hwm_has_pgsize(info, 30);
	return 0;
}

static int hwm_setup_vtd_fl(struct hwm *hw, const struct iopgt_hw_info *info)
{
	unsigned int levels = info->levels ? info->levels :
			      (info->vtd.flpm ? 5 : 4);

	if ((levels != 4 && levels != 5) || info->vtd.flpm != levels - 4)
		return -EINVAL;
	hwm_setup_x86(hw, levels);
	hw->leaf_ok[0] = true;
	hw->leaf_ok[1] = true;
	hw->leaf_ok[2] = hwm_has_pgsize(info, 30);
	return 0;
}

/*
 * RISC-V: the mode comes from riscv.mode (8, 9, 10) or info.levels; the
 * G-stage root has 2048 entries and two more IOVA bits, which must be
 * zero above; the first stage's IOVA is sign-extended (hwm_iova_ok()).
 * Superpages exist at every level; Svnapot when info.pgsize_bitmap is 0
 * or has 64K.
 */
static int hwm_setup_riscv(struct hwm *hw, const struct iopgt_hw_info *info)
{
	bool g = hw->fmt == IOPGT_FMT_RISCV_G;
	unsigned int levels = info->levels, l;

	if (info->riscv.mode) {
		if (info->riscv.mode < 8 || info->riscv.mode > 10 ||
		    (levels && levels != info->riscv.mode - 5u))
			return -EINVAL;
		levels = info->riscv.mode - 5;
	}
	if (levels < 3 || levels > 5 || info->riscv.gstage != g)
		return -EINVAL;
	if (info->riscv.ppn && info->riscv.ppn != info->root_pa >> 12)
		return -EINVAL;
	hwm_setup_x86(hw, levels);
	if (g) {
		hw->entries_lg2[levels - 1] = 11;
		hw->va_bits += 2;
	}
	for (l = 0; l < levels; l++)
		hw->leaf_ok[l] = true;
	hw->napot = hwm_has_pgsize(info, 16);
	return 0;
}

static int hwm_setup_arm(struct hwm *hw, const struct iopgt_hw_info *info)
{
	unsigned int g, bpl, ias, top, l;
	int top_lg2;
	unsigned int concat = 1;

	switch (info->arm.tg0) {
	case 0:
		g = 12;
		break;
	case 2:
		g = 14;
		break;
	case 1:
		g = 16;
		break;
	default:
		return -EINVAL;
	}
	bpl = g - 3;
	ias = info->ias;
	if (!ias && info->arm.tsz)
		ias = 64 - info->arm.tsz;
	hw->ds = info->arm.ds;
	if (hw->ds && g == 16)
		return -EINVAL;		/* DS is for 4K and 16K */
	if (ias <= g || ias > (g == 16 || hw->ds ? 52 : 48) ||
	    (info->arm.tsz && info->arm.tsz != 64 - ias))
		return -EINVAL;
	if (info->oas > 48 && g != 16 && !hw->ds)
		return -EINVAL;
	/* level -1: a 4K walk with DS only */
	if (info->arm.start_level > 3 ||
	    info->arm.start_level < (hw->ds && g == 12 ? -1 : 0))
		return -EINVAL;
	hw->levels = 4 - info->arm.start_level;
	if (info->levels && info->levels != hw->levels)
		return -EINVAL;
	top = hw->levels - 1;
	for (l = 0; l < hw->levels; l++) {
		hw->item_lg2[l] = g + bpl * l;
		hw->entries_lg2[l] = bpl;
	}
	top_lg2 = (int)ias - (int)hw->item_lg2[top];
	if (top_lg2 < 1)
		return -EINVAL;
	if ((unsigned int)top_lg2 > bpl) {
		/* Stage 2 only: up to 16 concatenated top tables */
		if (hw->fmt != IOPGT_FMT_ARM_S2 ||
		    (unsigned int)top_lg2 > bpl + 4)
			return -EINVAL;
		concat = 1u << (top_lg2 - bpl);
	}
	if (info->arm.concat && info->arm.concat != concat)
		return -EINVAL;
	hw->entries_lg2[top] = top_lg2;
	hw->va_bits = ias;
	hw->granule_lg2 = g;
	hw->af_required = true;

	/* Pages at the leaf level; blocks where the granule has them */
	hw->leaf_ok[0] = true;
	for (l = 1; l < hw->levels; l++) {
		int arm_level = 3 - (int)l;

		if (arm_level == 2)
			hw->leaf_ok[l] = true;
		else if (g == 12 && arm_level == 1)
			hw->leaf_ok[l] = true;
		else if (g == 12 && arm_level == 0 && hw->ds)
			hw->leaf_ok[l] = true;		/* 512G */
		else if (g == 14 && arm_level == 1 && hw->ds)
			hw->leaf_ok[l] = true;		/* 64G */
		else if (g == 16 && arm_level == 1 && hw->oas > 48)
			hw->leaf_ok[l] = true;		/* 4T */
	}
	return 0;
}

int hwm_create(struct hwm **out, const struct hwm_cfg *cfg)
{
	const struct iopgt_hw_info *info = &cfg->info;
	struct hwm *hw;
	unsigned int top, max_oas;
	int ret;

	hw = calloc(1, sizeof(*hw));
	if (!hw)
		return -ENOMEM;
	hw->cfg = *cfg;
	hw->fmt = cfg->format;
	hw->oas = info->oas ? info->oas : 52;
	/* RISC-V: a 44-bit PPN, 56-bit physical addresses */
	max_oas = cfg->format == IOPGT_FMT_RISCV ||
		  cfg->format == IOPGT_FMT_RISCV_G ? 56 : 52;
	hw->root_pa = info->root_pa;
	hw->dirty_enabled = cfg->dirty_enabled;

	if (hw->oas < 12 || hw->oas > max_oas) {
		ret = -EINVAL;
		goto err_free;
	}
	switch (cfg->format) {
	case IOPGT_FMT_AMDV1:
		ret = hwm_setup_amd(hw, info);
		break;
	case IOPGT_FMT_VTD_SL:
		ret = hwm_setup_vtd_sl(hw, info);
		break;
	case IOPGT_FMT_VTD_FL:
		ret = hwm_setup_vtd_fl(hw, info);
		break;
	case IOPGT_FMT_ARM_S1:
	case IOPGT_FMT_ARM_S2:
		ret = hwm_setup_arm(hw, info);
		break;
	case IOPGT_FMT_RISCV:
	case IOPGT_FMT_RISCV_G:
		ret = hwm_setup_riscv(hw, info);
		break;
	default:
		ret = -EINVAL;
		break;
	}
	if (ret)
		goto err_free;

	/* The top table is aligned to its size (a granule or less) */
	top = hw->levels - 1;
	if (!hw->root_pa || (hw->root_pa >> hw->oas) ||
	    (hw->root_pa & ((sizeof(u64) << hw->entries_lg2[top]) - 1)) ||
	    !hwm_va(hw, hw->root_pa)) {
		ret = -EINVAL;
		goto err_free;
	}

	hw->ntlb = cfg->iotlb_entries ? cfg->iotlb_entries : HWM_DEFAULT_IOTLB;
	hw->npwc = cfg->pwc_entries ? cfg->pwc_entries : HWM_DEFAULT_PWC;
	hw->tlb = calloc(hw->ntlb, sizeof(*hw->tlb));
	hw->pwc = calloc(hw->npwc, sizeof(*hw->pwc));
	if (!hw->tlb || !hw->pwc) {
		ret = -ENOMEM;
		goto err_caches;
	}
	if (pthread_mutex_init(&hw->lock, NULL)) {
		ret = -ENOMEM;
		goto err_caches;
	}
	*out = hw;
	return 0;

err_caches:
	free(hw->tlb);
	free(hw->pwc);
err_free:
	free(hw);
	return ret;
}

void hwm_destroy(struct hwm *hw)
{
	if (!hw)
		return;
	pthread_mutex_destroy(&hw->lock);
	free(hw->tlb);
	free(hw->pwc);
	free(hw);
}

const char *hwm_fault_name(int ret)
{
	switch (ret) {
	case 0:
		return "ok";
	case HWM_FAULT_NOT_PRESENT:
		return "not present";
	case HWM_FAULT_PERM:
		return "permission fault";
	case HWM_FAULT_ACCESS:
		return "access flag fault";
	case HWM_FAULT_BAD_ENTRY:
		return "bad entry";
	case HWM_FAULT_RANGE:
		return "iova out of range";
	case -EINVAL:
		return "invalid argument";
	default:
		return "unknown";
	}
}

/*
 * Not iopgt_format_name(): the model must not need the library. The names
 * come from the list in <iopgt/formats.h>, a header and nothing more.
 */
static const char *hwm_format_name(enum iopgt_format fmt)
{
#define HWM_FMT_NAME_(ENUM, name, FOLDER)	[IOPGT_FMT_##ENUM] = #name,
	static const char *const names[IOPGT_FMT_COUNT] = {
		IOPGT_FORMAT_LIST(HWM_FMT_NAME_)
	};
#undef HWM_FMT_NAME_

	if ((unsigned int)fmt >= IOPGT_FMT_COUNT || !names[fmt])
		return "?";
	return names[fmt];
}

void hwm_dump_walk(struct hwm *hw, u64 iova, FILE *out)
{
	static const char *const kind[] = {
		[HWM_EMPTY] = "empty",
		[HWM_TABLE] = "table",
		[HWM_LEAF] = "leaf",
		[HWM_BAD] = "BAD",
	};
	struct hwm_walk res;
	unsigned int i;
	int ret;

	ret = hwm_walk(hw, iova, &res);
	fprintf(out, "%s walk of iova %#" PRIx64 ":\n",
		hwm_format_name(hw->fmt), iova);
	for (i = 0; i < res.depth; i++) {
		struct hwm_ent e;

		hwm_decode(hw, res.path[i].level, res.path[i].pte_pa,
			   res.path[i].pte, &e);
		fprintf(out, "  level %u pte@%#" PRIx64 " = %#018" PRIx64
			" %s", res.path[i].level, res.path[i].pte_pa,
			res.path[i].pte, kind[e.kind]);
		if (e.kind == HWM_TABLE)
			fprintf(out, " -> %#" PRIx64, e.addr);
		else if (e.kind == HWM_LEAF)
			fprintf(out, " oa %#" PRIx64 " size 2^%u%s%s%s%s",
				e.addr, e.size_lg2, e.r ? " r" : "",
				e.w ? " w" : "", e.accessed ? " A" : "",
				e.dirty ? " D" : "");
		else if (e.kind == HWM_BAD)
			fprintf(out, " (%s)", e.why);
		fputc('\n', out);
	}
	if (ret && ret != HWM_FAULT_ACCESS)
		fprintf(out, "  -> %s\n", hwm_fault_name(ret));
	else
		fprintf(out, "  -> %s%s oa %#" PRIx64 " leaf %#" PRIx64
			"+2^%u replicas %u%s%s%s%s%s\n",
			ret ? hwm_fault_name(ret) : "ok", ret ? "," : "",
			res.oa, res.leaf_iova, res.size_lg2, res.replicas,
			res.replica_mismatch ? " MISMATCH" : "",
			res.readable ? " r" : "", res.writable ? " w" : "",
			res.accessed ? " A" : "", res.dirty ? " D" : "");
}
