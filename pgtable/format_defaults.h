/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The defaults of the format contract's optional definitions
 * (pgtable/format.h): what a format gets for what it leaves out.
 */
#ifndef IOPGT_FORMAT_DEFAULTS_H
#define IOPGT_FORMAT_DEFAULTS_H

/* No nT bit: a break-before-make split or merge never goes through one. */
#ifndef fmt_leaf_set_nt
#define fmt_leaf_set_nt(pt, pte) ((void)(pt), (pte))
#define fmt_leaf_clear_nt(pt, pte) ((void)(pt), (pte))
#endif

/* A live leaf becomes a table, or back, with one compare-exchange. */
#ifndef FMT_NEEDS_BBM
#define FMT_NEEDS_BBM 0
#endif

/* The OA field is linear: the next leaf's entry is this one plus a step. */
#ifndef FMT_OA_LINEAR
#define FMT_OA_LINEAR(pt, oa, last) ((void)(pt), (void)(oa), (void)(last), 1)
#endif

/* The OA field holds the address in place: the step is the leaf's size. */
#ifndef FMT_OA_STEP
#define FMT_OA_STEP(pt, size_lg2) ((void)(pt), 1ull << (size_lg2))
#endif

#if FMT_NEEDS_BBM
#ifndef fmt_leaf_mkinvalid
#error "a format that needs break-before-make defines fmt_leaf_mkinvalid"
#endif
#else
/* Never called: without break-before-make there is no fault window. */
#define fmt_leaf_mkinvalid(pt, pte) ((void)(pt), (void)(pte), 0ull)
#define fmt_leaf_mkvalid(pt, pte) ((void)(pt), (pte))
#endif

/* Is @pte, at a level above the leaves, a table entry? */
#ifndef fmt_is_table
#define fmt_is_table(pt, level, pte)					\
	({ unsigned int __sz;						\
	   fmt_classify(pt, level, pte, &__sz) == IOPGT_E_TABLE; })
#endif

/* Walkers that re-walk an entry that changed leave no stray mark. */
#ifndef fmt_table_stray_dirty
#define fmt_table_stray_dirty(pt, level, pte)				\
	((void)(pt), (void)(level), (void)(pte), false)
#define fmt_table_clear_stray(pt, level, pte) ((void)(pt), (void)(level), (pte))
#endif

#endif /* IOPGT_FORMAT_DEFAULTS_H */
