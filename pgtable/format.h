/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The contract a format implements.
 *
 * A format is a header of static inline codecs, formats/<fmt>/<fmt>.h, that
 * defines the functions below under its own prefix and maps them onto these
 * generic names with #define. formats/<fmt>/<fmt>.c then defines
 * IOPGT_FMT_OPS_NAME (the struct iopgt_fmt_ops the dispatcher picks) and
 * includes pgtable/iopgt_template.h, which turns the codecs into map,
 * unmap, walk and harvest with no indirect call per entry.
 *
 * Geometry lives in struct iopgt, filled by fmt_init(): levels,
 * granule_lg2 (a non-top table is 2^granule_lg2 bytes and each level adds
 * granule_lg2 - 3 IOVA bits), top_lg2 and top_alloc_lg2 (the top table may
 * be smaller, as with AMD mode 6 or ARM, or larger, as with ARM stage-2
 * concatenation), and pgsize_bitmap. A leaf of 2^s bytes lives at the level
 * iopgt_size_level(s); if s is larger than that level's item it fills
 * 2^(s - item_lg2) aligned consecutive slots ("replicas").
 *
 * Codecs never fail loudly: they return a value, a bool or an enum. The
 * template owns every error code.
 *
 * Required, all static inline, all pure functions of their arguments:
 *
 * int fmt_init(struct iopgt *pt)
 *	Check pt->cfg (defaults already zero where the caller left them),
 *	fill in cfg.ias, cfg.oas, levels, granule_lg2, top_lg2,
 *	top_alloc_lg2 and pgsize_bitmap (the format's sizes intersected with
 *	cfg.pgsize_bitmap when that is not 0). Return 0, -EINVAL for a config
 *	the format does not have, -EOPNOTSUPP for a combination it refuses.
 *
 * enum iopgt_etype fmt_classify(const struct iopgt *pt, unsigned int level,
 *				 u64 pte, unsigned int *size_lg2)
 *	Empty, table, or leaf (then *size_lg2 is the leaf's size). Must be
 *	cheap: every walk calls it once per entry it looks at.
 *
 * u64 fmt_table_pa(const struct iopgt *pt, unsigned int level, u64 pte)
 *	Physical address of the table a table entry at @level points to.
 *
 * u64 fmt_make_table(const struct iopgt *pt, unsigned int level, u64 pa)
 *	A table entry at @level pointing to the table at @pa.
 *
 * u64 fmt_leaf_oa(const struct iopgt *pt, unsigned int level, u64 pte,
 *		   unsigned int size_lg2)
 *	The leaf's first output address (aligned to its size), whichever of
 *	its replica slots @pte was read from.
 *
 * u64 fmt_make_leaf(const struct iopgt *pt, unsigned int level, u64 oa,
 *		     unsigned int size_lg2, u64 attrs)
 *	The entry for the replica slot translating @oa (leaf base plus the
 *	slot's offset) of a leaf of 2^@size_lg2 at @level, with @attrs from
 *	fmt_prot_attrs() or fmt_leaf_attrs(). Dirty tracking state is taken
 *	from pt->dirty_tracking: a new writable leaf is clean.
 *
 * int fmt_prot_attrs(const struct iopgt *pt, u32 prot, u64 *attrs)
 *	Translate IOPGT_* prot into attribute bits. 0 or -EOPNOTSUPP.
 *
 * u64 fmt_leaf_attrs(const struct iopgt *pt, unsigned int level, u64 pte)
 *	The attribute bits of a leaf, as fmt_prot_attrs() made them: the same
 *	for two leaves exactly when they grant the same access the same way.
 *
 * u32 fmt_leaf_prot(const struct iopgt *pt, u64 pte)
 *	The IOPGT_* prot a leaf grants (for dump and tests).
 *
 * u64 fmt_hw_bits(const struct iopgt *pt, unsigned int level)
 *	Bits of an entry at @level the hardware may change (A, D, AP[2]...).
 *	Replicas of one leaf agree outside these bits.
 *
 * bool fmt_leaf_dirty(const struct iopgt *pt, u64 pte)
 *	The leaf was written since it was last cleaned.
 *
 * u64 fmt_leaf_mkclean(const struct iopgt *pt, u64 pte)
 * u64 fmt_leaf_mkdirty(const struct iopgt *pt, u64 pte)
 *	The entry with its dirty state cleaned, or set.
 *
 * bool fmt_leaf_settled(const struct iopgt *pt, u64 pte)
 *	Nothing is left for the hardware to set in this leaf, so a plain
 *	store of a value derived from it cannot undo a hardware update.
 *
 * FMT_DIRTY_MASK(pt), FMT_DIRTY_VAL(pt)
 *	A cheap filter: a dirty leaf satisfies (pte & MASK) == VAL. Harvest
 *	uses it to skip clean cache lines; candidates are then classified.
 *
 * u64 fmt_leaf_set_tracking(const struct iopgt *pt, u64 pte, bool on)
 *	Convert a leaf when dirty tracking is switched (ARM DBM, x86 D);
 *	the identity for formats that only record the state.
 *
 * const char *fmt_check_entry(const struct iopgt *pt, unsigned int level,
 *			       u64 pte)
 *	For iopgt_validate(): NULL, or what is wrong with a non-empty entry
 *	beyond what the template checks (alignment, sizes, replicas).
 *
 * void fmt_hw_info(const struct iopgt *pt, struct iopgt_hw_info *info)
 *	Fill in the format's register fields.
 *
 * Optional (the template supplies a default when they are not defined):
 *
 * FMT_PLAIN_MASK(pt), FMT_PLAIN_VAL(pt)
 *	A plain dirty leaf (a leaf of one entry's size at level 0, dirty,
 *	nothing left for the hardware to set, so a plain store may clean it)
 *	satisfies (pte & MASK) == VAL, and nothing else does. Lets harvest
 *	clean a whole cache line of them after one test. Default: none.
 *
 * FMT_NEEDS_BBM
 *	1 if replacing a live leaf by a table or back needs break-before-make
 *	unless the config says otherwise (ARM: IOPGT_QUIRK_ARM_BBML2).
 *
 * bool fmt_table_stray_dirty(pt, level, pte)
 * u64 fmt_table_clear_stray(pt, level, pte)
 *	Whether a table entry carries the mark a hardware dirty update leaves
 *	when it lands on an entry that split turned from a leaf into a table
 *	(a write through a stale cached translation), and the entry without
 *	it. Default: undetectable (false), which is right for formats whose
 *	walkers re-walk rather than update an entry that changed.
 *
 * u64 fmt_leaf_set_nt(pt, pte), u64 fmt_leaf_clear_nt(pt, pte)
 *	The leaf with ARM's nT bit set or clear (BBML1). Default: unchanged.
 *
 * u64 fmt_leaf_mkinvalid(pt, pte), u64 fmt_leaf_mkvalid(pt, pte)
 *	Required when FMT_NEEDS_BBM: the leaf as an entry the hardware treats
 *	as invalid (the fault-window marker) and back.
 *
 * FMT_OA_LINEAR(pt, oa, last)
 *	1 when, for OAs from @oa to @last, a one-slot leaf's entry for the
 *	next OA is this entry plus FMT_OA_STEP(pt, size_lg2) (map writes
 *	stretches that way). A format whose high address bits sit apart
 *	from the rest is linear within a stretch that keeps them. Default: 1.
 *
 * FMT_OA_STEP(pt, size_lg2)
 *	What the entry of a one-slot leaf of 2^size_lg2 grows by from one OA
 *	to the next, when FMT_OA_LINEAR. Default: 2^size_lg2 (the OA field
 *	holds the address in place; RISC-V's PPN at bit 10 makes it a
 *	quarter of that).
 *
 * bool fmt_is_table(pt, level, pte)
 *	At @level > 0: fmt_classify() would say IOPGT_E_TABLE, told with as
 *	few branches as the format can (harvest tests eight at a time).
 *	Default: through fmt_classify().
 *
 * This header is the contract as code as well. Included by the template
 * (IOPGT_FMT_OPS_NAME defined), it stops the build with #error for each
 * required definition a format left out, supplies the optional defaults
 * (pgtable/format_defaults.h), and has the compiler check every codec
 * against the prototype above through a wrapper of that exact type.
 * Included alone it only documents.
 */
#ifndef IOPGT_FORMAT_H
#define IOPGT_FORMAT_H

#include "iopgt_internal.h"

#endif /* IOPGT_FORMAT_H */

/*
 * The checks, once, when the template includes this header again after
 * the format's codecs (a format's own header includes it first).
 */
#if defined(IOPGT_FMT_OPS_NAME) && !defined(IOPGT_FORMAT_CHECKED)
#define IOPGT_FORMAT_CHECKED

#ifndef IOPGT_FMT_ID
#error "a format defines IOPGT_FMT_ID (its enum iopgt_format value)"
#endif
#ifndef fmt_init
#error "a format defines fmt_init"
#endif
#ifndef fmt_classify
#error "a format defines fmt_classify"
#endif
#ifndef fmt_table_pa
#error "a format defines fmt_table_pa"
#endif
#ifndef fmt_make_table
#error "a format defines fmt_make_table"
#endif
#ifndef fmt_leaf_oa
#error "a format defines fmt_leaf_oa"
#endif
#ifndef fmt_make_leaf
#error "a format defines fmt_make_leaf"
#endif
#ifndef fmt_prot_attrs
#error "a format defines fmt_prot_attrs"
#endif
#ifndef fmt_leaf_attrs
#error "a format defines fmt_leaf_attrs"
#endif
#ifndef fmt_leaf_prot
#error "a format defines fmt_leaf_prot"
#endif
#ifndef fmt_hw_bits
#error "a format defines fmt_hw_bits"
#endif
#ifndef fmt_leaf_dirty
#error "a format defines fmt_leaf_dirty"
#endif
#ifndef fmt_leaf_mkclean
#error "a format defines fmt_leaf_mkclean"
#endif
#ifndef fmt_leaf_mkdirty
#error "a format defines fmt_leaf_mkdirty"
#endif
#ifndef fmt_leaf_settled
#error "a format defines fmt_leaf_settled"
#endif
#ifndef fmt_leaf_set_tracking
#error "a format defines fmt_leaf_set_tracking"
#endif
#ifndef fmt_check_entry
#error "a format defines fmt_check_entry"
#endif
#ifndef fmt_hw_info
#error "a format defines fmt_hw_info"
#endif
#if !defined(FMT_DIRTY_MASK) || !defined(FMT_DIRTY_VAL)
#error "a format defines FMT_DIRTY_MASK and FMT_DIRTY_VAL"
#endif
#ifndef FMT_TRACKING_ENCODED
#error "a format defines FMT_TRACKING_ENCODED (0 or 1)"
#endif
#if defined(FMT_PLAIN_MASK) != defined(FMT_PLAIN_VAL)
#error "a format defines both FMT_PLAIN_MASK and FMT_PLAIN_VAL, or neither"
#endif

#include "format_defaults.h"

/*
 * The prototypes, checked: each wrapper has the contract's type and calls
 * the format's codec, so a codec of another shape does not compile. They
 * are never called.
 */
static inline int fmt_contract_init(struct iopgt *pt)
{
	return fmt_init(pt);
}

static inline enum iopgt_etype
fmt_contract_classify(const struct iopgt *pt, unsigned int level, u64 pte,
		      unsigned int *size_lg2)
{
	return fmt_classify(pt, level, pte, size_lg2);
}

static inline u64 fmt_contract_table_pa(const struct iopgt *pt,
					unsigned int level, u64 pte)
{
	return fmt_table_pa(pt, level, pte);
}

static inline u64 fmt_contract_make_table(const struct iopgt *pt,
					  unsigned int level, u64 pa)
{
	return fmt_make_table(pt, level, pa);
}

static inline u64 fmt_contract_leaf_oa(const struct iopgt *pt,
				       unsigned int level, u64 pte,
				       unsigned int size_lg2)
{
	return fmt_leaf_oa(pt, level, pte, size_lg2);
}

static inline u64 fmt_contract_make_leaf(const struct iopgt *pt,
					 unsigned int level, u64 oa,
					 unsigned int size_lg2, u64 attrs)
{
	return fmt_make_leaf(pt, level, oa, size_lg2, attrs);
}

static inline int fmt_contract_prot_attrs(const struct iopgt *pt, u32 prot,
					  u64 *attrs)
{
	return fmt_prot_attrs(pt, prot, attrs);
}

static inline u64 fmt_contract_leaf_attrs(const struct iopgt *pt,
					  unsigned int level, u64 pte)
{
	return fmt_leaf_attrs(pt, level, pte);
}

static inline u32 fmt_contract_leaf_prot(const struct iopgt *pt, u64 pte)
{
	return fmt_leaf_prot(pt, pte);
}

static inline u64 fmt_contract_hw_bits(const struct iopgt *pt,
				       unsigned int level)
{
	return fmt_hw_bits(pt, level);
}

static inline bool fmt_contract_leaf_dirty(const struct iopgt *pt, u64 pte)
{
	return fmt_leaf_dirty(pt, pte);
}

static inline u64 fmt_contract_leaf_mkclean(const struct iopgt *pt, u64 pte)
{
	return fmt_leaf_mkclean(pt, pte);
}

static inline u64 fmt_contract_leaf_mkdirty(const struct iopgt *pt, u64 pte)
{
	return fmt_leaf_mkdirty(pt, pte);
}

static inline bool fmt_contract_leaf_settled(const struct iopgt *pt, u64 pte)
{
	return fmt_leaf_settled(pt, pte);
}

static inline u64 fmt_contract_leaf_set_tracking(const struct iopgt *pt,
						 u64 pte, bool on)
{
	return fmt_leaf_set_tracking(pt, pte, on);
}

static inline const char *fmt_contract_check_entry(const struct iopgt *pt,
						   unsigned int level, u64 pte)
{
	return fmt_check_entry(pt, level, pte);
}

static inline void fmt_contract_hw_info(const struct iopgt *pt,
					struct iopgt_hw_info *info)
{
	fmt_hw_info(pt, info);
}

static inline u64 fmt_contract_leaf_set_nt(const struct iopgt *pt, u64 pte)
{
	return fmt_leaf_set_nt(pt, pte) + fmt_leaf_clear_nt(pt, pte);
}

static inline u64 fmt_contract_leaf_mkinvalid(const struct iopgt *pt, u64 pte)
{
	return fmt_leaf_mkinvalid(pt, pte) + fmt_leaf_mkvalid(pt, pte);
}

static inline bool fmt_contract_is_table(const struct iopgt *pt,
					 unsigned int level, u64 pte)
{
	return fmt_is_table(pt, level, pte);
}

static inline bool fmt_contract_table_stray(const struct iopgt *pt,
					    unsigned int level, u64 pte)
{
	return fmt_table_stray_dirty(pt, level, pte) &&
	       fmt_table_clear_stray(pt, level, pte) != pte;
}

static inline u64 fmt_contract_masks(const struct iopgt *pt)
{
	return FMT_DIRTY_MASK(pt) + FMT_DIRTY_VAL(pt) +
	       FMT_OA_LINEAR(pt, 0, 0) +
	       FMT_OA_STEP(pt, 12) +
	       FMT_TRACKING_ENCODED + FMT_NEEDS_BBM;
}

#endif /* IOPGT_FMT_OPS_NAME && !IOPGT_FORMAT_CHECKED */
