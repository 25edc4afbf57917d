/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The algorithm template. formats/<fmt>/<fmt>.c includes it once, after the
 * format's codecs (pgtable/format.h) and after defining IOPGT_FMT_OPS_NAME
 * and IOPGT_FMT_ID. Everything here is static: each format gets its own
 * copy of map, unmap, walk and harvest with its codecs inlined, and the
 * only indirect call is the one per API call in iopgt.c.
 *
 * Walks are recursive over levels and iterate each table over the part of
 * [iova, last] it translates. "last" is inclusive throughout, so a range
 * may end at 2^64 - 1.
 *
 * Stack bound. The recursive functions (tpl_map_count, tpl_map_check,
 * tpl_map_fill, tpl_unmap_walk, tpl_count_leaves, tpl_report_tree,
 * tpl_tracking_walk, tpl_split_build, tpl_split_walk, tpl_split_check,
 * tpl_merge_walk, tpl_run_from, tpl_tree_dirty, tpl_mark_private_dirty,
 * tpl_free_tree, tpl_validate_walk, tpl_dump_walk) each call themselves
 * only for the table one level down (level - 1, or an iterator made by
 * tpl_it_down*() from a table entry, which the format decodes only above
 * level 0), so a chain is at most pt->levels <= IOPGT_MAX_LEVELS (6)
 * frames deep, whatever the table holds: a corrupt entry cannot make a
 * walk deeper, only wrong. No frame is over 512 bytes (-Wframe-larger-
 * than=512 in the build and in the `kbuild` test), so a walk's chain
 * takes at most 6 x 512 bytes and in practice under 2 KiB (largest
 * recursive frames: 200-400 bytes, scripts/kbuild-check --keep with
 * -fstack-usage shows them).
 */
#ifndef IOPGT_FMT_OPS_NAME
#error "define IOPGT_FMT_OPS_NAME and the codecs of pgtable/format.h first"
#endif

#include "format.h"

/* One file per operation family; the order is the order of use. */
#include "iter_template.h"
#include "pool_template.h"
#include "map_template.h"
#include "report_template.h"
#include "unmap_template.h"
#include "harvest_template.h"
#include "tracking_template.h"
#include "split_template.h"
#include "cut_template.h"
#include "grow_template.h"
#include "merge_template.h"
#include "deferred_template.h"
#include "validate_template.h"

const struct iopgt_fmt_ops IOPGT_SYM(IOPGT_FMT_OPS_NAME) = {
	.format = IOPGT_FMT_ID,
	.init = fmt_init,
	.hw_info = tpl_hw_info,
	.map = tpl_map,
	.unmap = tpl_unmap_flags,
	.iova_to_phys = tpl_iova_to_phys,
	.read_dirty = tpl_read_dirty,
	.set_dirty_tracking = tpl_set_dirty_tracking,
	.grow = tpl_grow,
	.split = tpl_split,
	.merge = tpl_merge,
	.release_table = tpl_release_table,
	.gather_finish = tpl_gather_finish,
	.free_tree = tpl_free_tree,
	.validate = tpl_validate,
	.dump = tpl_dump,
};
