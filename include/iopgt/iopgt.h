/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * iopgt: a hardware-agnostic IO page-table engine.
 *
 * Glossary, fixed once for the whole project:
 *   iova      an input address the device uses (IOMMU input).
 *   oa, pa    an output (physical) address.
 *   level     0 is the leaf-most level; the root is level levels-1.
 *   item      what one entry of a table at some level translates;
 *             item_lg2(level) is its size in log2 bytes.
 *   leaf      an entry that translates (a page or block). A leaf larger
 *             than its level's item (AMD v1 NextLevel=7, ARM contiguous)
 *             fills a naturally aligned run of consecutive slots.
 *   _lg2      a size or count kept as its base-2 logarithm.
 *   last      an inclusive end; end is a half-open one.
 *   gather    what an editing call asks its caller to invalidate, and the
 *             tables it detached (freed only after that invalidation).
 *
 * Concurrency, for every call below unless its Context says otherwise:
 * calls on disjoint IOVA ranges may run at once without a lock; calls on
 * overlapping ranges are the caller's to order. The hardware may walk the
 * table and set accessed/dirty state at any moment.
 */
#ifndef IOPGT_IOPGT_H
#define IOPGT_IOPGT_H

/*
 * The public API uses only names C, C++ and the kernel all have (uint64_t
 * and friends, bool, size_t, from <iopgt/env_types.h>) and defines nothing
 * but iopgt's own: the core's short names and primitives live in
 * <iopgt/env.h>, which only the core includes.
 */
#include <iopgt/env_types.h>
#include <iopgt/formats.h>
#ifdef IOPGT_PREFIX
#include <iopgt/prefix.h>	/* link names become <prefix>_iopgt_* */
#endif

/* The version of this header; iopgt_version() gives the library's. */
#define IOPGT_VERSION_MAJOR	0
#define IOPGT_VERSION_MINOR	2
#define IOPGT_VERSION_PATCH	0
#define IOPGT_VERSION_ENCODE(major, minor, patch) \
	(((major) << 16) | ((minor) << 8) | (patch))
#define IOPGT_VERSION \
	IOPGT_VERSION_ENCODE(IOPGT_VERSION_MAJOR, IOPGT_VERSION_MINOR, \
			     IOPGT_VERSION_PATCH)

#ifdef __cplusplus
extern "C" {
#endif


/*
 * The formats: IOPGT_FMT_<ENUM> for each X(ENUM, ...) line of
 * IOPGT_FORMAT_LIST (<iopgt/formats.h>, which says what each is), numbered
 * from 1 in its order (IOPGT_FMT_AMDV1 = 1, ...). The values are ABI: the
 * list only grows at its end.
 */
#define IOPGT_FMT_ENUM_(ENUM, name, FOLDER)	IOPGT_FMT_##ENUM,
enum iopgt_format {
	IOPGT_FMT_NONE = 0,
	IOPGT_FORMAT_LIST(IOPGT_FMT_ENUM_)
	IOPGT_FMT_COUNT,
};
#undef IOPGT_FMT_ENUM_

/* Protection flags for iopgt_map(). At least one of READ and WRITE. */
#define IOPGT_READ	(1u << 0)
#define IOPGT_WRITE	(1u << 1)
#define IOPGT_NOEXEC	(1u << 2)
#define IOPGT_CACHE	(1u << 3)	/* coherent (snooped, cacheable) memory */
#define IOPGT_MMIO	(1u << 4)	/* device memory */
#define IOPGT_PROT_ALL	0x1fu

/* Quirks in struct iopgt_cfg. */
#define IOPGT_QUIRK_NON_COHERENT	(1u << 0) /* walker does not snoop */
#define IOPGT_QUIRK_DIRTY_TRACKING	(1u << 1) /* tracking on at start */
#define IOPGT_QUIRK_ARM_BBML1		(1u << 2) /* ARM: nT sequence */
#define IOPGT_QUIRK_ARM_BBML2		(1u << 3) /* ARM: direct replace */
#define IOPGT_QUIRK_KEEP_TABLES		(1u << 4) /* no reclaim, no gate */
#define IOPGT_QUIRK_AMD_GROW_TOP	(1u << 5) /* AMD v1: see iopgt_map() */
#define IOPGT_QUIRK_ARM_LPA2		(1u << 6) /* ARM 4K/16K: DS set */
#define IOPGT_QUIRK_RISCV_SVNAPOT	(1u << 8) /* RISC-V: 64K NAPOT runs */
#define IOPGT_QUIRK_RISCV_SVPBMT	(1u << 9) /* RISC-V: PBMT types */
#define IOPGT_QUIRK_ALL			0x37fu

/*
 * Optional hardware capabilities in struct iopgt_cfg: entry bits that are
 * reserved on an IOMMU without the feature (a walk faults on them), so the
 * core writes them only when the config says the IOMMU has it.
 *   IOPGT_CAP_VTD_SNOOP  VT-d snoop control (ECAP.SC): with it, a vtd_sl
 *                        leaf mapped IOPGT_CACHE gets SNP (bit 11);
 *                        without it, map drops IOPGT_CACHE from vtd_sl
 *                        leaves (the mapping works, snooping is then the
 *                        request's), as Linux does.
 * Other formats have no such bit: AMD v1 FC and x86 PCD/PWT/XD are defined
 * on every IOMMU, and ARM's optional bits (DBM, contiguous) follow the
 * dirty tracking and BBML quirks.
 */
#define IOPGT_CAP_VTD_SNOOP		(1u << 0)
#define IOPGT_CAP_ALL			0x1u

/**
 * struct iopgt_table_meta - per-table bookkeeping kept outside table memory
 * @next: link of the gather's list of detached tables
 * @iova: first IOVA the detached table translated
 * @level: level of the detached table
 * @flags: what gather release owes the table (read dirty state, or not)
 * @pa: physical address of a table waiting to be installed
 * @up: for a table detached by a merge: the table, detached by the same
 *      merge after it, that holds the leaf its dirty state goes to (NULL:
 *      that leaf is in the live tree, found again from the root)
 * @expect: the entry the first step of a two-step edit left in the slot;
 *          the second step (in gather release) happens only if the slot
 *          still holds it, ignoring bits the hardware sets
 *
 * Table memory belongs to the hardware until it is freed, so the core keeps
 * its list of detached tables here. A kernel driver may overlay it on the
 * table page's struct page; userspace allocators keep an array beside their
 * table arena.
 */
struct iopgt_table_meta {
	void *next;
	uint64_t iova;
	uint32_t level;
	uint32_t flags;
	uint64_t pa;
	void *up;
	uint64_t expect;
};

/**
 * struct iopgt_ops - services the caller provides for table memory
 * @alloc_table: allocate 2^@size_lg2 bytes (64 <= size <= 2^20), zero
 *               filled and aligned to their size; store the physical
 *               address in *@pa and return the CPU address, or NULL.
 * @free_table: free a table allocated by @alloc_table.
 * @table_meta: bookkeeping storage that belongs to a live table (see
 *              struct iopgt_table_meta). Required.
 * @phys_to_virt: CPU address of table memory at @pa. NULL: the CPU address
 *                is the physical address (userspace tests, fuzzers).
 * @cache_clean: write @len bytes at @va back to memory for a walker that
 *               does not snoop CPU caches. Called only with
 *               IOPGT_QUIRK_NON_COHERENT; may be NULL otherwise.
 *
 * Context: called from any iopgt call; must not call back into iopgt.
 * @alloc_table may fail; iopgt then reports -ENOMEM and leaves the table
 * as it was.
 */
struct iopgt_ops {
	void *(*alloc_table)(void *ctx, unsigned int size_lg2,
			     iopgt_gfp_t gfp, uint64_t *pa);
	void (*free_table)(void *ctx, void *table, unsigned int size_lg2);
	struct iopgt_table_meta *(*table_meta)(void *ctx, void *table);
	void *(*phys_to_virt)(void *ctx, uint64_t pa);
	void (*cache_clean)(void *ctx, void *va, size_t len);
};

/**
 * struct iopgt_cfg - what a page table is
 * @format: one of enum iopgt_format
 * @ias: IOVA bits translated. 0: the largest the format and @levels allow.
 * @oas: output address bits. 0: the format's maximum.
 * @granule_lg2: ARM: 12, 14 or 16, always given (anything else, 0
 *               included, is -EINVAL). Others: 0 or 12.
 * @levels: number of levels. 0: the fewest that cover @ias. AMD v1: the
 *          DTE mode (1..6); with IOPGT_QUIRK_AMD_GROW_TOP the mode the
 *          table starts with, @ias (0: 64) being what it may grow to.
 * @pgsize_bitmap: page sizes allowed (bit n set: 2^n bytes). 0: every size
 *                 the format and config offer; otherwise intersected with
 *                 them (use it to model optional superpage capabilities).
 * @quirks: IOPGT_QUIRK_*
 * @caps: IOPGT_CAP_*: optional features of the IOMMU that entries may use
 * @ops: table memory services
 * @ctx: passed to every @ops call
 */
struct iopgt_cfg {
	enum iopgt_format format;
	uint8_t ias;
	uint8_t oas;
	uint8_t granule_lg2;
	uint8_t levels;
	uint64_t pgsize_bitmap;
	uint32_t quirks;
	uint32_t caps;
	const struct iopgt_ops *ops;
	void *ctx;
};

struct iopgt_fmt_ops;

/**
 * struct iopgt - one IO page table. Fields are read-only to callers.
 * @fops: the format's instantiation of the core
 * @cfg: the configuration, with defaults filled in
 * @root: CPU address of the top table
 * @root_pa: physical address of the top table
 * @levels: number of levels
 * @top_lg2: log2 of the number of entries in the top table
 * @top_alloc_lg2: log2 of the bytes allocated for the top table
 * @granule_lg2: log2 of a table's size at every level but the top
 * @pgsize_bitmap: page sizes map may use
 * @dirty_tracking: dirty tracking state (iopgt_set_dirty_tracking)
 * @active: private: calls walking the tree right now (the reclaim gate;
 *          not kept with IOPGT_QUIRK_KEEP_TABLES)
 * @reclaim: private: set while an unmap detaches the tables it emptied
 *           (or a map grows the top)
 * @top_gen: how many times the top grew (IOPGT_QUIRK_AMD_GROW_TOP): a
 *           caller that sees it change across iopgt_map() programs the
 *           root and mode iopgt_hw_info() now gives (the DTE)
 */
struct iopgt {
	const struct iopgt_fmt_ops *fops;
	struct iopgt_cfg cfg;
	uint64_t *root;
	uint64_t root_pa;
	uint8_t levels;
	uint8_t top_lg2;
	uint8_t top_alloc_lg2;
	uint8_t granule_lg2;
	bool dirty_tracking;
	uint64_t pgsize_bitmap;
	uint64_t active;
	uint64_t reclaim;
	uint32_t top_gen;
};

/*
 * The per-format fields of struct iopgt_hw_info, declared outside its
 * union: C++ allows no type declared inside an anonymous union.
 */

/**
 * struct iopgt_hw_info_amdv1 - the hardware fields of IOPGT_FMT_AMDV1
 * @mode: DTE Mode field (bits 11:9)
 */
struct iopgt_hw_info_amdv1 {
	uint8_t mode;
};

/**
 * struct iopgt_hw_info_vtd - the fields of IOPGT_FMT_VTD_SL and _VTD_FL
 * @aw: VT-d SL: context/PASID AW (AGAW) field: 1, 2 or 3
 * @flpm: VT-d FL: PASID FLPM field: 0 (4-level) or 1 (5-level)
 */
struct iopgt_hw_info_vtd {
	uint8_t aw;
	uint8_t flpm;
};

/**
 * struct iopgt_hw_info_arm - the fields of IOPGT_FMT_ARM_S1 and _ARM_S2
 * @tsz: T0SZ (stage 1) or T0SZ of VTCR (stage 2): 64 - ias
 * @sl0: stage 2: VTCR.SL0 encoding of the start level
 * @tg0: TG0 encoding: 0 (4K), 2 (16K), 1 (64K)
 * @ps: IPS (stage 1) or PS (stage 2) encoding of the oas
 * @start_level: ARM numbering of the level the walk starts at: 0..3, or
 *               -1 for the 5-level walk of a 52-bit IOVA with LPA2 at 4K
 *               (stage 1 only: stage 2 concatenates instead)
 * @concat: number of concatenated top tables (1 if none)
 * @ds: 1 with IOPGT_QUIRK_ARM_LPA2: set DS in the table-walk configuration
 *      (CD.DS at stage 1, STE.S2DS at stage 2). Descriptors then hold
 *      PA[51:50] where SH was, and the shareability of cacheable leaves
 *      comes from the configuration's SH0 (CD.SH0, STE.S2SH0): program it
 *      Inner Shareable, what iopgt writes in SH otherwise
 * @mair: stage 1: the MAIR the leaves' AttrIndx values index (SMMUv3
 *        CD.MAIR0, SMMUv2 CBn_MAIR0): attribute 0 Normal write-back,
 *        1 Device-nGnRE, 2 Normal non-cacheable. 0 at stage 2, whose
 *        leaves hold the memory type itself
 */
struct iopgt_hw_info_arm {
	uint8_t tsz;
	uint8_t sl0;
	uint8_t tg0;
	uint8_t ps;
	int8_t start_level;
	uint8_t concat;
	uint8_t ds;
	uint64_t mair;
};

/**
 * struct iopgt_hw_info_riscv - the fields of IOPGT_FMT_RISCV and _RISCV_G
 * @mode: the MODE field (bits 63:60) of iosatp (first stage) or iohgatp
 *        (G-stage): 8, 9 or 10 (Sv39, Sv48, Sv57, or their x4 G-stage
 *        forms)
 * @gstage: 1 if the table is a G-stage one (iohgatp)
 * @ppn: the PPN field (bits 43:0) of that register, the root table's
 *       physical address >> 12
 */
struct iopgt_hw_info_riscv {
	uint8_t mode;
	uint8_t gstage;
	uint64_t ppn;
};

/**
 * struct iopgt_hw_info - what a driver programs into the hardware
 * @root_pa: physical address of the top table
 * @levels: number of levels walked
 * @ias: IOVA bits
 * @oas: output address bits
 * @pgsize_bitmap: page sizes in use, Linux style (bit n: 2^n bytes)
 * @amdv1: the fields of IOPGT_FMT_AMDV1 (one format's set of fields is
 *         valid, that of the table's format)
 * @vtd: the fields of IOPGT_FMT_VTD_SL and IOPGT_FMT_VTD_FL
 * @arm: the fields of IOPGT_FMT_ARM_S1 and IOPGT_FMT_ARM_S2
 * @riscv: the fields of IOPGT_FMT_RISCV and IOPGT_FMT_RISCV_G
 *
 * Byte order: every table holds its entries as little-endian 64-bit words
 * on every CPU, the order AMD, VT-d and x86 walkers read. An ARM SMMU
 * reads translation tables in the endianness its configuration selects:
 * program little-endian (SMMUv3 CD.ENDI = 0 for stage 1, STE.S2ENDI = 0
 * for stage 2; SMMUv2 leaves SCTLR.E clear).
 */
struct iopgt_hw_info {
	uint64_t root_pa;
	uint8_t levels;
	uint8_t ias;
	uint8_t oas;
	uint64_t pgsize_bitmap;
	union {
		struct iopgt_hw_info_amdv1 amdv1;
		struct iopgt_hw_info_vtd vtd;
		struct iopgt_hw_info_arm arm;
		struct iopgt_hw_info_riscv riscv;
	};
};

/**
 * struct iopgt_bitmap - where dirty state is reported
 * @base: IOVA of bit 0
 * @pgshift: bit i stands for IOVA @base + (i << @pgshift); >= 12
 * @words: the bitmap (uint64_t words, bit i is bit i % 64 of word i / 64);
 *         bits are only ever set. Not used when @record is set.
 * @nbits: number of bits in @words. A call that would clean dirty state
 *         it cannot report refuses a bitmap that does not reach the end
 *         of its range (see iopgt_read_dirty())
 * @record: optional; when set, called with each dirty stretch (clipped to
 *          the request) and @words and @nbits are not used
 * @ctx: passed to @record
 *
 * The layout of iommufd's IOMMU_HWPT_GET_DIRTY_BITMAP.
 */
struct iopgt_bitmap {
	uint64_t base;
	unsigned int pgshift;
	uint64_t *words;
	uint64_t nbits;
	void (*record)(void *ctx, uint64_t iova, uint64_t len);
	void *ctx;
};

/**
 * struct iopgt_gather_run - leaves of one size a split rewrote slot by slot
 * @first: first IOVA of the first of them
 * @last: last IOVA of the last
 * @lg2: their size, log2
 */
struct iopgt_gather_run {
	uint64_t first;
	uint64_t last;
	uint32_t lg2;
};

#define IOPGT_GATHER_RUNS	8

/* Flags of struct iopgt_gather. */
#define IOPGT_GATHER_TABLES	(1u << 0) /* paging-structure caches too */
#define IOPGT_GATHER_SPLIT	(1u << 1) /* release re-checks split entries */
#define IOPGT_GATHER_BITMAP	(1u << 2) /* @bitmap holds where owed state goes */

/**
 * struct iopgt_gather - invalidation and deferred-free record
 * @start: first IOVA to invalidate
 * @last: last IOVA to invalidate; nothing to do while @start > @last
 * @flags: IOPGT_GATHER_TABLES when table entries changed, so cached
 *         table pointers (paging-structure caches) must go too
 * @detached: detached tables, freed by iopgt_gather_release()
 * @ndetached: number of entries on @detached
 * @pending: built tables installed by iopgt_gather_release() (the second
 *           step of an ARM break-before-make split)
 * @npending: number of entries on @pending
 * @runs: stretches of leaves filling several slots (AMD v1 replicas, ARM
 *        contiguous runs), of one size each, that a split rewrote slot by
 *        slot: release makes each such former leaf dirty whole if any part
 *        of it is. Adjacent leaves of one size are one stretch; past
 *        IOPGT_GATHER_RUNS stretches, one of the same size widens over the
 *        gap, or else the last one widens to take the next (release may
 *        then mark more than was one leaf: reporting more, never losing a
 *        write). Eight stretches hold a split of every replicated size of
 *        one AMD v1 level.
 * @nruns: stretches in @runs
 * @bitmap: a copy of the bitmap iopgt_unmap_read_dirty() was given, kept
 *          for the dirty state it leaves to iopgt_gather_release()
 *          (valid with IOPGT_GATHER_BITMAP in @flags)
 *
 * Set up with iopgt_gather_init(). Every editing call widens the range to
 * cover what it changed. The caller invalidates [@start, @last] in the
 * IOTLB (and, with IOPGT_GATHER_TABLES, the paging-structure caches), then
 * calls iopgt_gather_release().
 */
struct iopgt_gather {
	uint64_t start;
	uint64_t last;
	uint32_t flags;
	void *detached;
	uint64_t ndetached;
	void *pending;
	uint64_t npending;
	struct iopgt_gather_run runs[IOPGT_GATHER_RUNS];
	uint32_t nruns;
	struct iopgt_bitmap bitmap;
};


/* Flags of iopgt_read_dirty(). */
#define IOPGT_DIRTY_NO_CLEAR	(1u << 0)

/*
 * Flags of iopgt_unmap() and iopgt_unmap_read_dirty().
 * IOPGT_UNMAP_CUT: remove exactly the range. A leaf reaching past either
 * end is first split, while the device keeps translating and with its
 * dirty state kept, into the largest one-slot leaves that fit beside the
 * end; what lies outside the range stays mapped. The tables this needs
 * are allocated with IOPGT_GFP_ATOMIC before anything changes.
 */
#define IOPGT_UNMAP_CUT		(1u << 0)

/* Flags of iopgt_split() and iopgt_merge(). */
#define IOPGT_SPLIT_ALLOW_FAULT	(1u << 0) /* ARM BBML0: accept a window */

/**
 * iopgt_init() - create an empty page table
 * @pt: the table to set up
 * @cfg: its configuration (copied)
 *
 * Context: allocates the top table through @cfg->ops.
 * Return: 0; -EINVAL for a config the format does not have (bad levels,
 * ias, oas, granule, quirks, caps, missing ops); -EOPNOTSUPP for a known
 * format not built in, or a combination the format refuses (dirty
 * tracking with a non-coherent walker); -ENOMEM if the top table cannot
 * be allocated.
 */
int iopgt_init(struct iopgt *pt, const struct iopgt_cfg *cfg);

/**
 * iopgt_destroy() - free every table
 * @pt: the table
 *
 * Context: the hardware must no longer use the table (the caller has
 * detached and invalidated it). Pending gathers must be released first.
 */
void iopgt_destroy(struct iopgt *pt);

/**
 * iopgt_hw_info() - describe the table for the hardware
 * @pt: the table
 * @info: filled in
 */
void iopgt_hw_info(const struct iopgt *pt, struct iopgt_hw_info *info);

/**
 * iopgt_map() - map [@iova, @iova + @len) to [@pa, @pa + @len)
 * @pt: the table
 * @iova: first IOVA, aligned to the smallest page size
 * @pa: first physical address, aligned likewise
 * @len: bytes, a multiple of the smallest page size
 * @prot: IOPGT_READ and/or IOPGT_WRITE, plus IOPGT_NOEXEC, IOPGT_CACHE,
 *        IOPGT_MMIO
 * @gfp: the caller's allocation context, given to alloc_table
 * @mapped: if not NULL, set to the bytes mapped (@len or 0)
 *
 * Each stretch gets the largest page size the config allows that both the
 * IOVA and the PA are aligned to and that fits in what remains. All tables
 * the call needs are allocated before any entry changes, so a failure
 * leaves the table exactly as it was.
 *
 * AMD v1 with IOPGT_QUIRK_AMD_GROW_TOP: a map reaching beyond the current
 * mode first grows the top: new top tables whose entry 0 points at the old
 * top (a PDE granting IR/IW, NextLevel the old mode), so the new root
 * translates everything the old one did and the old root stays valid
 * until the driver switches the DTE. @pt->top_gen then changes and
 * iopgt_hw_info() gives the new root and mode. The old tops are never
 * freed while the table lives (not even when an unmap or merge empties
 * or collapses their range). The grow waits for calls in flight to leave
 * and holds new ones off while it publishes the new root (the reclaim
 * gate), so every call sees the root and the mode as one pair.
 *
 * Context: the new entries become visible to the hardware as they are
 * written; nothing needs invalidating for a map.
 * Return: 0; -EINVAL for a misaligned or zero @len, @iova or @pa, or a
 * @prot without READ or WRITE or with unknown bits; -EOVERFLOW if the IOVA
 * or PA range wraps; -ERANGE if it is beyond ias or oas (for AMD v1
 * without IOPGT_QUIRK_AMD_GROW_TOP, ias is the mode's reach); -EEXIST if any
 * part is mapped already; -EOPNOTSUPP for a @prot the format cannot
 * express; -ENOMEM if a table cannot be allocated.
 */
int iopgt_map(struct iopgt *pt, uint64_t iova, uint64_t pa, uint64_t len,
	      uint32_t prot, iopgt_gfp_t gfp, uint64_t *mapped);

/**
 * iopgt_unmap() - unmap every leaf that intersects [@iova, @iova + @len)
 * @pt: the table
 * @iova: first IOVA, aligned to the smallest page size
 * @len: bytes, a multiple of the smallest page size
 * @flags: 0 or IOPGT_UNMAP_CUT (any other bit is -EINVAL)
 * @gather: collects the range to invalidate and the detached tables
 * @unmapped: if not NULL, set to the total size of the leaves removed
 *
 * A leaf partly inside the range is removed whole and counted whole, as
 * Linux does. Holes are skipped. With IOPGT_UNMAP_CUT, such a leaf is
 * split first (as iopgt_split() would, installed with compare-exchange so
 * the parts outside never stop translating) and only the range goes:
 * *@unmapped is then the bytes of the range that were mapped, @len when
 * there is no hole. Tables that lie entirely inside the range
 * are detached onto @gather and freed by iopgt_gather_release().
 *
 * Tables the unmap leaves empty on the paths to its two ends are detached
 * too, so that their memory comes back and a later map of their span gets
 * large leaves, when no other call is walking the table at that moment
 * (the reclaim gate: every call counts itself, which costs it two atomic
 * updates of one shared word). With IOPGT_QUIRK_KEEP_TABLES they stay,
 * and no call pays for the gate.
 *
 * Context: never sleeps; allocates (IOPGT_GFP_ATOMIC) only for a cut.
 * Return: 0; -EINVAL for a misaligned or zero @len or @iova, or unknown
 * @flags; -EOVERFLOW if the range wraps; -ERANGE if it is beyond ias;
 * -ENOENT if nothing in the range was mapped (the table is unchanged).
 * For a cut that must split, and then with the table unchanged: -ENOMEM;
 * -EBUSY for ARM without IOPGT_QUIRK_ARM_BBML2 (a block cannot become a
 * table in one step, and an unmap cannot wait for the invalidation the
 * two-step sequences need).
 */
int iopgt_unmap(struct iopgt *pt, uint64_t iova, uint64_t len, uint32_t flags,
		struct iopgt_gather *gather, uint64_t *unmapped);

/**
 * iopgt_iova_to_phys() - translate one IOVA as the hardware would
 * @pt: the table
 * @iova: any IOVA
 * @pa: set to the physical address
 *
 * Return: 0; -ERANGE beyond ias; -ENOENT if @iova is not mapped.
 */
int iopgt_iova_to_phys(struct iopgt *pt, uint64_t iova, uint64_t *pa);

/**
 * iopgt_set_dirty_tracking() - turn dirty tracking on or off
 * @pt: the table
 * @on: the new state
 * @gather: collects the range to invalidate when entries change
 *
 * Formats whose clean state is an entry encoding (ARM DBM, x86-64 D)
 * convert their writable leaves; AMD v1 and VT-d SL only record the state.
 *
 * Return: 0; -EOPNOTSUPP if the config cannot track (non-coherent walker).
 */
int iopgt_set_dirty_tracking(struct iopgt *pt, bool on,
			     struct iopgt_gather *gather);

/**
 * iopgt_read_dirty() - report dirty leaves and (by default) clean them
 * @pt: the table
 * @iova: first IOVA of the range, aligned to the smallest page size
 * @len: bytes
 * @flags: IOPGT_DIRTY_NO_CLEAR to leave the dirty state as it is
 * @bitmap: where to report; NULL to only clean
 * @gather: collects the range of cleaned leaves, to invalidate before
 *          the next harvest relies on the bits
 *
 * A bitmap with @words must cover the whole range: bit 0 at or below
 * @iova and @nbits reaching @iova + @len - 1. Otherwise the call is
 * refused and nothing is cleaned, since a cleaned leaf that cannot be
 * reported would be a lost write.
 *
 * Context: may run alongside DMA and alongside calls on other ranges.
 * Cleaning never loses a hardware update.
 * Return: 0; -EINVAL for bad alignment, zero @len, a bad @bitmap or one
 * that does not cover the range (nothing cleaned); -EOVERFLOW if the range
 * wraps; -ERANGE beyond ias.
 */
int iopgt_read_dirty(struct iopgt *pt, uint64_t iova, uint64_t len, uint32_t flags,
		     const struct iopgt_bitmap *bitmap,
		     struct iopgt_gather *gather);

/**
 * iopgt_unmap_read_dirty() - unmap and report what was dirty, losing nothing
 * @pt: the table
 * @iova: as iopgt_unmap()
 * @len: as iopgt_unmap()
 * @flags: as iopgt_unmap()
 * @bitmap: where dirty leaves are reported; NULL to drop their dirty state.
 *          The leaves of detached tables are reported by
 *          iopgt_gather_release(), which keeps a copy of this struct in
 *          the gather (the words it points to must live until then)
 * @gather: as iopgt_unmap()
 * @unmapped: as iopgt_unmap()
 *
 * A bitmap with @words must cover the range, as for iopgt_read_dirty();
 * the parts of leaves beyond the range that go with them are reported as
 * far as the bitmap reaches. One gather carries one bitmap: a second
 * call on the same gather must pass an identical one.
 *
 * With IOPGT_UNMAP_CUT, the removed part of a leaf that was cut is
 * reported if the leaf was dirty; the parts kept stay dirty.
 *
 * Return: as iopgt_unmap(), and -EINVAL (the table untouched) for a bad
 * @bitmap, one that does not cover the range, or one that differs from
 * the bitmap @gather already carries.
 */
int iopgt_unmap_read_dirty(struct iopgt *pt, uint64_t iova, uint64_t len,
			   uint32_t flags, const struct iopgt_bitmap *bitmap,
			   struct iopgt_gather *gather, uint64_t *unmapped);

/**
 * iopgt_split() - split every leaf in the range larger than a size
 * @pt: the table
 * @iova: first IOVA
 * @len: bytes
 * @pgsize_lg2: the target leaf size, one the config offers
 * @flags: IOPGT_SPLIT_ALLOW_FAULT
 * @gfp: the caller's allocation context, given to alloc_table
 * @gather: collects what to invalidate and what to free
 *
 * Return: 0; -EINVAL, -EOVERFLOW, -ERANGE for bad arguments; -ENOMEM;
 * -EBUSY when ARM break-before-make is needed and not allowed;
 * -EOPNOTSUPP if the format cannot split.
 */
int iopgt_split(struct iopgt *pt, uint64_t iova, uint64_t len,
		unsigned int pgsize_lg2, uint32_t flags, iopgt_gfp_t gfp,
		struct iopgt_gather *gather);

/**
 * iopgt_merge() - merge aligned, fully populated, contiguous runs of leaves
 * @pt: the table
 * @iova: first IOVA
 * @len: bytes
 * @flags: IOPGT_SPLIT_ALLOW_FAULT
 * @gather: collects what to invalidate and the children tables to free
 *
 * Return: 0; -EINVAL, -EOVERFLOW, -ERANGE for bad arguments; -EBUSY as
 * iopgt_split(); -EOPNOTSUPP if the format cannot merge.
 */
int iopgt_merge(struct iopgt *pt, uint64_t iova, uint64_t len, uint32_t flags,
		struct iopgt_gather *gather);

/**
 * iopgt_gather_init() - start an empty gather
 * @gather: the gather
 */
void iopgt_gather_init(struct iopgt_gather *gather);

/**
 * iopgt_gather_release() - finish the work deferred to after invalidation
 * @pt: the table the gather was filled from
 * @gather: the gather, whose range the caller has invalidated
 * @bitmap: receives the dirty state owed; NULL (or a bitmap that is not
 *          valid) for the one iopgt_unmap_read_dirty() left in the gather
 *
 * Finishes what the editing calls deferred to after the invalidation, in
 * the order they deferred it: reads the dirty state owed, completes
 * two-step (break-before-make) edits whose slot still holds what the first
 * step left (otherwise the built tables are freed, never installed),
 * re-checks leaves a split rewrote in place, frees every detached table,
 * and resets the gather to empty. Dirty state owed is never dropped:
 * leaves of tables detached by iopgt_unmap_read_dirty() go to the bitmap;
 * dirty children of a merge mark the leaf that replaced them, or, if that
 * leaf was unmapped or replaced before this release, go to the bitmap.
 *
 * Context: after the caller's invalidation of the gather's range, when no
 * cached walk can reach the detached tables any more.
 */
void iopgt_gather_release(struct iopgt *pt, struct iopgt_gather *gather,
			  const struct iopgt_bitmap *bitmap);

/**
 * struct iopgt_validate_err - where iopgt_validate() found a problem
 * @iova: first IOVA of the entry
 * @level: its level
 * @pte: its raw value
 * @what: a short description
 */
struct iopgt_validate_err {
	uint64_t iova;
	unsigned int level;
	uint64_t pte;
	const char *what;
};

/**
 * iopgt_validate() - walk the whole tree and check every invariant
 * @pt: the table
 * @err: if not NULL, filled with the first problem found
 *
 * Checks that table entries point at table-aligned memory, leaves are
 * aligned and inside oas, replicated leaves are consistent, no reserved
 * bit is set, and leaves sit only where the format allows them.
 *
 * Return: 0 if the table is sound; -EINVAL otherwise.
 */
int iopgt_validate(struct iopgt *pt, struct iopgt_validate_err *err);

/**
 * iopgt_dump() - describe the tree, one line per entry in use
 * @pt: the table
 * @print: called with each NUL-terminated line (no newline)
 * @ctx: passed to @print
 */
void iopgt_dump(struct iopgt *pt, void (*print)(void *ctx, const char *line),
		void *ctx);

/**
 * iopgt_format_name() - the short name of a format ("amdv1", ...)
 * @format: the format
 *
 * Return: the name, or "?" for an unknown format.
 */
const char *iopgt_format_name(enum iopgt_format format);

/**
 * iopgt_format_available() - is a format built into this copy of iopgt
 * @format: the format
 *
 * Return: true if iopgt_init() can make tables of @format.
 */
bool iopgt_format_available(enum iopgt_format format);

#ifndef __KERNEL__
/**
 * iopgt_strerror() - describe an iopgt error code
 * @err: 0 or a negative errno returned by iopgt
 *
 * Return: a static string naming what the code means in iopgt.
 */
const char *iopgt_strerror(int err);
#endif

/**
 * iopgt_version() - the version of the library linked in
 *
 * Description: compare with IOPGT_VERSION (the header's) to catch a
 * header and a library from different releases.
 *
 * Return: IOPGT_VERSION_ENCODE() of the library's major, minor and patch.
 */
unsigned int iopgt_version(void);

#ifdef __cplusplus
}
#endif

#endif /* IOPGT_IOPGT_H */
