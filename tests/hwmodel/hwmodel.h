/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * hwmodel: a software IOMMU, the test oracle that plays the hardware.
 *
 * It walks page tables the way each IOMMU does, written from FORMATS.md
 * alone and never through the engine's format codecs, so a codec bug
 * cannot hide itself. It checks permissions, sets accessed/dirty
 * state with atomic compare-exchange like the hardware, and keeps an IOTLB
 * and a paging-structure cache (PWC) that only hwm_invalidate() empties.
 *
 * Memory model of the userspace test world: a physical address is the CPU
 * address (table PA == pointer), unless the test gives a phys_to_virt hook
 * (talloc's low-PA mode). Every access to table memory is an __atomic
 * builtin (acquire loads, seq_cst compare-exchange), so ThreadSanitizer sees
 * the model as the engine sees the hardware. Addresses in results (pte_pa)
 * are physical.
 *
 * Levels use iopgt numbering: 0 is the leaf-most level (ARM level 3).
 *
 * Faults are negative HWM_FAULT_* codes. They are deliberately not errno
 * values, so a test cannot mistake one for an engine error:
 *   HWM_FAULT_NOT_PRESENT  an empty entry on the walk (AMD PR=0, VT-d SL
 *                          R=W=0, x86 P=0, ARM bit 0 clear).
 *   HWM_FAULT_PERM         the walk's permissions (ANDed down the walk
 *                          where the format does so) deny the access.
 *   HWM_FAULT_ACCESS       ARM access-flag fault: leaf with AF (bit 10)
 *                          clear. The model never sets AF itself. Also
 *                          RISC-V A=0 without hardware A/D updating.
 *   HWM_FAULT_BAD_ENTRY    a present entry the hardware would reject:
 *                          reserved or malformed encoding, misaligned OA,
 *                          OA beyond oas, a leaf where the format allows
 *                          none (see hwmodel.c for the full list).
 *   HWM_FAULT_RANGE        the IOVA lies outside what the configuration
 *                          translates (beyond the AMD mode, the VT-d AGAW,
 *                          ARM ias; x86 non-canonical).
 */
#ifndef IOPGT_TESTS_HWMODEL_H
#define IOPGT_TESTS_HWMODEL_H

#include <stdio.h>
#include <iopgt/env.h>
#include <iopgt/iopgt.h>

#define HWM_READ	1u
#define HWM_WRITE	2u

#define HWM_FAULT_NOT_PRESENT	(-1001)
#define HWM_FAULT_PERM		(-1002)
#define HWM_FAULT_ACCESS	(-1003)
#define HWM_FAULT_BAD_ENTRY	(-1004)
#define HWM_FAULT_RANGE		(-1005)

/* Most levels any format walks (AMD v1 mode 6). */
#define HWM_MAX_LEVELS	6

struct hwm;

/**
 * struct hwm_cfg - what the model's IOMMU is programmed with
 * @format: the page-table format
 * @info: as iopgt_hw_info() fills it. Used: @info.root_pa, @info.levels,
 *        @info.ias, @info.oas (0: 52) and @info.pgsize_bitmap (0: every
 *        optional superpage supported; otherwise VT-d 2M/1G superpages
 *        exist only if their bit is set), plus per format
 *        amdv1.mode (or @info.levels), vtd.aw (vtd_sl, or @info.levels),
 *        vtd.flpm (vtd_fl, or @info.levels), for ARM tsz (or @info.ias),
 *        tg0, start_level, concat (0: derive it) and ds, and for RISC-V
 *        riscv.mode (or @info.levels), riscv.gstage (must match the
 *        format) and riscv.ppn (0, or root_pa >> 12); RISC-V Svnapot
 *        runs exist if @info.pgsize_bitmap is 0 or has 64K. Fields given
 *        twice must agree.
 * @dirty_enabled: hardware dirty update on (AMD DTE.HAD, VT-d SSADE, ARM
 *                 HD, RISC-V DC.tc.SADE/GADE). vtd_fl updates A/D whatever
 *                 this says. RISC-V without it: A=0 is HWM_FAULT_ACCESS
 *                 and a write to a D=0 leaf HWM_FAULT_PERM.
 * @iotlb_entries: IOTLB size; 0: 64
 * @pwc_entries: paging-structure cache size; 0: 32
 * @phys_to_virt: CPU address of table memory at a physical address (not
 *                only a table's start), or NULL where there is none (the
 *                walk then reports HWM_FAULT_BAD_ENTRY). Called from any
 *                thread. NULL: the physical address is the CPU address.
 *                Same shape as struct iopgt_ops.phys_to_virt.
 * @ctx: passed to @phys_to_virt
 */
struct hwm_cfg {
	enum iopgt_format format;
	struct iopgt_hw_info info;
	bool dirty_enabled;
	bool vtd_snoop_ctl;	/* VT-d ECAP.SC: else SNP is a reserved bit */
	unsigned int iotlb_entries;
	unsigned int pwc_entries;
	void *(*phys_to_virt)(void *ctx, u64 pa);
	void *ctx;
};

/**
 * struct hwm_walk - what an uncached walk found
 * @iova: the IOVA walked
 * @oa: its output address
 * @leaf_iova: first IOVA of the leaf
 * @leaf_oa: output address of @leaf_iova
 * @size_lg2: size of the leaf, counting every slot it fills (AMD
 *            NextLevel=7 replicas, ARM contiguous run)
 * @level: level of the leaf entry
 * @readable: a read would be allowed (permissions ANDed down the walk)
 * @writable: a write would be allowed, possibly after a dirty update (ARM
 *            DBM with @dirty_enabled)
 * @dirty: per format: AMD D (any replica), VT-d SL D bit 9, x86 D bit 6,
 *         ARM stage 1 DBM && !AP[2], stage 2 DBM && S2AP[1] (any slot of a
 *         contiguous run)
 * @accessed: AMD A / VT-d SL A / x86 A / ARM AF (any replica or slot)
 * @pte_pa: address of the leaf entry the walk used
 * @pte: its value
 * @replicas: number of slots the leaf fills (1 for a plain leaf)
 * @replica_mismatch: the slots of a multi-slot leaf disagree (different
 *                    OA or attributes beyond accessed/dirty state)
 * @nt: ARM block with nT (bit 16) set: translated, never cached
 * @depth: number of entries in @path
 * @path: every entry read, top first; on a fault the last one is the
 *        faulting entry
 */
struct hwm_walk {
	u64 iova;
	u64 oa;
	u64 leaf_iova;
	u64 leaf_oa;
	unsigned int size_lg2;
	unsigned int level;
	bool readable;
	bool writable;
	bool dirty;
	bool accessed;
	u64 pte_pa;
	u64 pte;
	unsigned int replicas;
	bool replica_mismatch;
	bool nt;
	unsigned int depth;
	struct {
		unsigned int level;
		u64 pte_pa;
		u64 pte;
	} path[HWM_MAX_LEVELS];
};

/**
 * struct hwm_stats - counters since hwm_create()
 * @iotlb_hits: translations served by the IOTLB
 * @iotlb_misses: translations that needed a walk
 * @walks: walks started (a translation may restart its walk)
 * @pwc_hits: walks that started from a cached table pointer
 * @faults: translations that faulted
 * @dirty_updates: entries the model made dirty (D set, AP[2] cleared,
 *                 S2AP[1] set), from a walk or from an IOTLB write hit
 * @accessed_updates: entries the model set A on without making them dirty
 * @invalidations: calls of hwm_invalidate() and hwm_invalidate_all()
 */
struct hwm_stats {
	u64 iotlb_hits;
	u64 iotlb_misses;
	u64 walks;
	u64 pwc_hits;
	u64 faults;
	u64 dirty_updates;
	u64 accessed_updates;
	u64 invalidations;
};

/**
 * hwm_create() - make a software IOMMU for one page table
 * @out: set to the new model
 * @cfg: its programming (copied)
 *
 * Return: 0; -EINVAL for a configuration the model cannot model (unknown
 * format, levels/mode/aw/flpm out of range or disagreeing, ARM granule,
 * ias, start level or concatenation inconsistent, oas outside 12..52 (RISC-V 12..56), root
 * PA zero, misaligned, beyond oas or not memory); -ENOMEM.
 */
int hwm_create(struct hwm **out, const struct hwm_cfg *cfg);

/**
 * hwm_destroy() - free a model
 * @hw: the model, or NULL
 *
 * Context: no translation may be running.
 */
void hwm_destroy(struct hwm *hw);

/**
 * hwm_set_dirty_enabled() - turn hardware dirty update on or off
 * @hw: the model
 * @on: the new state
 *
 * As a driver reprogramming DTE.HAD / SSADE / HD: cached translations keep
 * the dirty state they were cached with until invalidated.
 */
void hwm_set_dirty_enabled(struct hwm *hw, bool on);

/**
 * hwm_translate() - translate one access as the device's IOMMU would
 * @hw: the model
 * @iova: the IOVA
 * @access: HWM_READ and/or HWM_WRITE
 * @pa: set to the output address on success
 *
 * Looks up the IOTLB first. A read hit returns the cached translation even
 * if the table has changed since. A write hit on an entry cached dirty
 * touches no memory; on an entry cached clean it makes the cached entry
 * dirty with a compare-exchange loop, provided it is still the same
 * present, writable leaf (same OA and size); if not, the IOTLB entry is
 * dropped and the access walks again. A hit whose cached permissions deny
 * the access also drops the entry and walks again.
 * A walk starts from the deepest table pointer the paging-structure cache
 * holds for @iova (else from the root), caches every table pointer it
 * follows, sets accessed state where the format has it (AMD A on the leaf;
 * VT-d SL A on every level with @dirty_enabled; x86 A on every level),
 * checks permissions, makes the leaf dirty for a write (AMD/VT-d SL with
 * @dirty_enabled; x86 always; ARM through DBM with @dirty_enabled: only the
 * one slot the IOVA indexes for a multi-slot leaf), and fills the IOTLB.
 *
 * Context: takes the model's mutex for the whole translation, so a
 * concurrent hwm_invalidate() returns only once no walk can still use what
 * it dropped (the completion wait of a real invalidation).
 * Return: 0; a negative HWM_FAULT_* code (see the top of this file), with
 * nothing cached; -EINVAL for an @access without READ or WRITE or with
 * unknown bits.
 */
int hwm_translate(struct hwm *hw, u64 iova, unsigned int access, u64 *pa);

/**
 * hwm_walk() - walk from the root without caches or side effects
 * @hw: the model
 * @iova: the IOVA
 * @res: filled with what the walk found (see struct hwm_walk); on a fault
 *       @res->path still shows the entries read
 *
 * Does not look at or fill the caches and never writes table memory, so
 * it shows what the hardware would see after a full invalidation.
 *
 * Context: lock-free; may run alongside anything.
 * Return: 0; a negative HWM_FAULT_* code. HWM_FAULT_ACCESS comes with the
 * leaf fields filled.
 */
int hwm_walk(struct hwm *hw, u64 iova, struct hwm_walk *res);

/**
 * hwm_invalidate() - drop cached translations of a range
 * @hw: the model
 * @iova: first IOVA
 * @last: last IOVA (inclusive); nothing happens if @last < @iova
 * @tables: also drop paging-structure cache entries whose table covers
 *          IOVA that intersects the range
 *
 * Drops every IOTLB entry whose leaf intersects [@iova, @last].
 *
 * Context: any thread; returns after in-flight translations finish.
 */
void hwm_invalidate(struct hwm *hw, u64 iova, u64 last, bool tables);

/**
 * hwm_invalidate_all() - drop every IOTLB and paging-structure cache entry
 * @hw: the model
 */
void hwm_invalidate_all(struct hwm *hw);

/**
 * hwm_stats() - read the counters
 * @hw: the model
 * @st: filled in
 */
void hwm_stats(struct hwm *hw, struct hwm_stats *st);

/**
 * hwm_fault_name() - a short name for a hwm_translate()/hwm_walk() result
 * @ret: 0, a HWM_FAULT_* code or a negative errno
 *
 * Return: a static string.
 */
const char *hwm_fault_name(int ret);

/**
 * hwm_dump_walk() - print an uncached walk of one IOVA, one line per entry
 * @hw: the model
 * @iova: the IOVA
 * @out: where to print
 *
 * For test failure messages: shows each entry read, how it was decoded,
 * and the result.
 */
void hwm_dump_walk(struct hwm *hw, u64 iova, FILE *out);

#endif /* IOPGT_TESTS_HWMODEL_H */
