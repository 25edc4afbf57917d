/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * What the fuzz targets share besides the data producer: the format x
 * configuration list they choose from, the software IOMMU programmed from
 * iopgt_hw_info(), and failure reporting. A fuzz target reports a failure
 * by printing what it saw and calling abort(): libFuzzer then saves the
 * input, and the replay driver fails its ctest test.
 */
#ifndef IOPGT_FUZZ_COMMON_H
#define IOPGT_FUZZ_COMMON_H

#include <stdio.h>

#include <iopgt/iopgt.h>
#include "support/errname.h"

#include "hwmodel/hwmodel.h"
#include "support/talloc.h"

/**
 * struct fz_config - one configuration a fuzz input may pick
 * @name: "amdv1/mode4", ... (as the conformance suite names its own)
 * @cfg: the configuration; ops, ctx and quirks are filled by the target
 */
struct fz_config {
	const char *name;
	struct iopgt_cfg cfg;
};

/**
 * fz_configs() - the configurations of the formats built in
 * @out: set to the array, in a fixed order
 *
 * The order is part of the corpus format: an input's first byte picks an
 * index into it. New configurations go at the end.
 *
 * Return: the number of entries.
 */
unsigned int fz_configs(const struct fz_config *const **out);

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
 * fz_hwm_create() - a software IOMMU for @pt, programmed from hw_info
 * @pt: the table
 * @dirty: hardware dirty update on
 * @phys_to_virt: as struct hwm_cfg (NULL: PA is the CPU address)
 * @ctx: passed to @phys_to_virt
 *
 * Return: the model; aborts if the model refuses what iopgt_hw_info()
 * says (that is a finding too).
 */
struct hwm *fz_hwm_create(struct iopgt *pt, bool dirty,
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
