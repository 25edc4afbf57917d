/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * What the fuzz targets share besides the data producer: the format x
 * configuration an input picks (the conformance suite's list), the table
 * under test on the test allocator, the software IOMMU programmed from
 * iopgt_hw_info(), and failure reporting. A fuzz target reports a failure
 * by printing what it saw and calling abort(): libFuzzer then saves the
 * input, and the replay driver fails its ctest test.
 */
#ifndef IOPGT_FUZZ_COMMON_H
#define IOPGT_FUZZ_COMMON_H

#include <stdarg.h>
#include <stdio.h>

#include <iopgt/env.h>
#include <iopgt/iopgt.h>
#include "support/errname.h"

#include "hwmodel/hwmodel.h"
#include "producer.h"
#include "support/talloc.h"

/*
 * The quirks an input decides (its setup bits), whatever the configuration
 * it picked says: the rest of a configuration is the table's shape.
 */
#define FZ_INPUT_QUIRKS	(IOPGT_QUIRK_NON_COHERENT |			\
			 IOPGT_QUIRK_DIRTY_TRACKING |			\
			 IOPGT_QUIRK_ARM_BBML1 | IOPGT_QUIRK_ARM_BBML2)

/**
 * struct fz_config - one configuration a fuzz input may pick
 * @name: the conformance suite's name for it ("amdv1/mode4", ...), or a
 *        fuzz-only one's
 * @cfg: the configuration without FZ_INPUT_QUIRKS; ops, ctx and those
 *       quirks are filled by the target
 */
struct fz_config {
	const char *name;
	struct iopgt_cfg cfg;
};

/**
 * struct fz_table - the table one input runs on
 * @target: the fuzz target ("fuzz_ops", ...), for messages
 * @config: the configuration the input picked
 * @ta: the allocator the table lives on
 * @pt: the table
 * @hw: the software IOMMU walking it (NULL: none yet, or no more)
 * @min_lg2: the smallest page size
 */
struct fz_table {
	const char *target;
	const struct fz_config *config;
	struct talloc *ta;
	struct iopgt pt;
	struct hwm *hw;
	unsigned int min_lg2;
};

/* 2^@lg2 - 1; every bit from 64 on */
static inline u64 fz_lg2_mask(unsigned int lg2)
{
	return lg2 >= 64 ? ~0ull : (1ull << lg2) - 1;
}

/* log2 of the IOVA span of one entry at @level of @pt */
static inline unsigned int fz_item_lg2(const struct iopgt *pt,
				       unsigned int level)
{
	return pt->granule_lg2 + level * (pt->granule_lg2 - 3u);
}

/**
 * fz_begin() - the first draw of every input: its configuration
 * @t: zero filled; gets @target and the configuration
 * @target: the fuzz target's name
 * @p: the input, not drawn from yet
 *
 * The input's first byte picks an index into the configurations of the
 * formats built in, in a fixed order (see fuzz_common.c): a corpus file
 * means the same thing as long as every format is built and no file in
 * the corpus picks an index past the pinned ones.
 */
void fz_begin(struct fz_table *t, const char *target, struct producer *p);

/**
 * fz_talloc() - the test allocator the table is to live on
 * @t: the table, its configuration drawn
 * @arena_bytes: as talloc_create()
 * @flags: TALLOC_*
 */
void fz_talloc(struct fz_table *t, u64 arena_bytes, unsigned int flags);

/**
 * fz_table_init() - iopgt_init() of the table; aborts if it fails
 * @t: the table, its allocator made
 * @cfg: the configuration, completed by the target
 */
void fz_table_init(struct fz_table *t, const struct iopgt_cfg *cfg);

/**
 * fz_table_destroy() - destroy the software IOMMU, the table and its
 *                      allocator; aborts if a table is left allocated
 * @t: the table
 */
void fz_table_destroy(struct fz_table *t);

/**
 * fz_vfail() - report a failure on a table and abort()
 * @t: the table
 * @iova: the IOVA the failure is about, whose hwmodel walk is printed
 *        (~0ull: none)
 * @dump: print the table too
 * @state: the target's state, printed after the configuration
 * @fmt: printf format of what failed
 * @ap: its arguments
 *
 * The first line names the target, the configuration and what the table
 * was made with (levels, ias, oas, page sizes, quirks).
 */
void fz_vfail(struct fz_table *t, u64 iova, bool dump, const char *state,
	      const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0), noreturn));

/**
 * fz_table_flags() - the quirks @t's table has, for a message
 * @t: the table
 *
 * Return: ", dirty tracking", ", non-coherent", ARM's ", no BBML" or
 * ", BBML1" (BBML2 says nothing), each if it applies: a static buffer.
 */
const char *fz_table_flags(const struct fz_table *t);

/**
 * fz_env_flag() - a yes/no setting from the environment
 * @name: the variable
 * @unset: the answer when it is unset or empty
 *
 * Return: false if it starts with '0', true if it starts with anything
 * else.
 */
bool fz_env_flag(const char *name, bool unset);

/**
 * fz_die() - report a failure and abort()
 * @fmt: printf format of the message
 */
void fz_die(const char *fmt, ...) __attribute__((format(printf, 1, 2),
						 noreturn));


/**
 * fz_dump() - iopgt_dump() to a stream, at most @max_lines lines
 * @pt: the table
 * @f: where
 * @max_lines: lines to print before "..."
 */
void fz_dump(struct iopgt *pt, FILE *f, unsigned int max_lines);

/**
 * fz_hwm_create() - the software IOMMU for @t's table, programmed from
 *                   iopgt_hw_info(), in @t->hw
 * @t: the table
 * @dirty: hardware dirty update on
 * @phys_to_virt: as struct hwm_cfg (NULL: PA is the CPU address)
 * @ctx: passed to @phys_to_virt
 *
 * Aborts if the model refuses what iopgt_hw_info() says (that is a
 * finding too).
 */
void fz_hwm_create(struct fz_table *t, bool dirty,
		   void *(*phys_to_virt)(void *ctx, u64 pa), void *ctx);

/**
 * fz_talloc_p2v() - talloc_phys_to_virt() in the shape of a phys_to_virt
 * @ctx: the struct talloc
 * @pa: physical address
 */
void *fz_talloc_p2v(void *ctx, u64 pa);

/**
 * fz_prot_effective() - what a leaf mapped with @prot grants for reads
 * @format: the format
 * @prot: IOPGT_* prot
 *
 * x86 first-level and ARM stage-1 entries cannot deny reads: a writable
 * leaf is readable too (as those formats document).
 */
u32 fz_prot_effective(enum iopgt_format format, u32 prot);

/**
 * fz_prot_canonical() - @prot as the format can express it
 * @format: the format
 * @prot: a valid IOPGT_* prot (READ and/or WRITE, known bits)
 *
 * The flags a format has no encoding for dropped, and those it folds
 * into another made that one: AMD v1 and VT-d second-level have no
 * execute permission and no device memory type; x86 first-level always
 * grants reads and has no cacheability bit (IOPGT_CACHE is the default);
 * ARM cannot deny reads at stage 1, and device memory wins over
 * cacheable. Two leaves whose prot differs only in such flags are the
 * same to the hardware, and iopgt merges them: the model, which compares
 * prot as given, is fed the canonical prot so that it does too.
 */
u32 fz_prot_canonical(enum iopgt_format format, u32 prot);

/**
 * fz_prot_canonical_cfg() - @prot as the configuration can express it
 * @cfg: the table's configuration
 * @prot: IOPGT_* flags as given to iopgt_map()
 *
 * fz_prot_canonical(), and then what the configuration's options decide
 * (RISC-V: MMIO and CACHE exist only with IOPGT_QUIRK_RISCV_SVPBMT).
 */
u32 fz_prot_canonical_cfg(const struct iopgt_cfg *cfg, u32 prot);

/**
 * fz_cached_mkdirty() - a write through a stale IOTLB entry, as an IOMMU
 *                       that updates the entry it cached
 * @format: the format
 * @level: the level the translation was cached from
 * @ptep: CPU address of the entry it was cached from
 *
 * The software IOMMU (hwmodel) re-reads the entry a clean IOTLB entry
 * came from and walks again unless it still holds the same leaf. An IOMMU
 * may instead update that entry as it finds it, whatever it has become
 * since; the engine is written to cope with that for the formats where it
 * is plausible, and this plays such an IOMMU:
 *   AMD v1: D and A are ORed into the entry if PR is set, a leaf of any
 *   size or a table entry alike (amdv1.h: stray D in a table entry).
 *   ARM: a page or block descriptor with DBM and AF set is made dirty
 *   (stage 1 AP[2] cleared, stage 2 S2AP[1] set) whatever its contiguous
 *   bit and address now say; a table or invalid descriptor is not.
 *   VT-d: never (vtd_sl.h and vtd_fl.h assume the re-read, as the
 *   hwmodel does).
 * Bit positions are FORMATS.md's, not the engine's codecs.
 *
 * Context: the hardware's dirty update must be enabled (the caller checks).
 * Return: true if the entry was updated or already dirty; false if such
 * an IOMMU would not update it (the access then walks again).
 */
bool fz_cached_mkdirty(enum iopgt_format format, unsigned int level,
		       u64 *ptep);

#endif /* IOPGT_FUZZ_COMMON_H */
