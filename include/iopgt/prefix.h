/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * One prefix for every global symbol of the core, so that two drivers
 * built into one kernel can each vendor their own copy.
 *
 * A driver that defines IOPGT_PREFIX (for all of its objects, the vendored
 * core's included: `IOPGT_PREFIX := mydrv` before including the exported
 * Kbuild does that) gets mydrv_iopgt_init() and so on at link level, while
 * its source keeps calling iopgt_init(): <iopgt/iopgt.h> includes this
 * header when the macro is set. Without IOPGT_PREFIX nothing changes.
 *
 * The list below is every global the core defines besides the format
 * instantiations (iopgt_fmt_<name>, which pgtable/iopgt_internal.h renames
 * through IOPGT_SYM() so that a new format needs no line here). The
 * `kbuild` test links two copies with different prefixes and fails on any
 * global that lacks its prefix, and `core_symbols_prefixed` checks the
 * userspace build the same way: a new global must be added here.
 */
#ifndef IOPGT_PREFIX_H
#define IOPGT_PREFIX_H

#ifdef IOPGT_PREFIX

/* Two levels, so that IOPGT_PREFIX and @name are expanded first. */
#define IOPGT_SYM_PASTE_(prefix, name)	prefix##_##name
#define IOPGT_SYM_PASTE(prefix, name)	IOPGT_SYM_PASTE_(prefix, name)
#define IOPGT_SYM(name)			IOPGT_SYM_PASTE(IOPGT_PREFIX, name)

/* The public API (iopgt.h). */
#define iopgt_version			IOPGT_SYM(iopgt_version)
#define iopgt_init			IOPGT_SYM(iopgt_init)
#define iopgt_destroy			IOPGT_SYM(iopgt_destroy)
#define iopgt_hw_info			IOPGT_SYM(iopgt_hw_info)
#define iopgt_map			IOPGT_SYM(iopgt_map)
#define iopgt_unmap			IOPGT_SYM(iopgt_unmap)
#define iopgt_iova_to_phys		IOPGT_SYM(iopgt_iova_to_phys)
#define iopgt_set_dirty_tracking	IOPGT_SYM(iopgt_set_dirty_tracking)
#define iopgt_read_dirty		IOPGT_SYM(iopgt_read_dirty)
#define iopgt_unmap_read_dirty		IOPGT_SYM(iopgt_unmap_read_dirty)
#define iopgt_split			IOPGT_SYM(iopgt_split)
#define iopgt_merge			IOPGT_SYM(iopgt_merge)
#define iopgt_gather_init		IOPGT_SYM(iopgt_gather_init)
#define iopgt_gather_release		IOPGT_SYM(iopgt_gather_release)
#define iopgt_validate			IOPGT_SYM(iopgt_validate)
#define iopgt_dump			IOPGT_SYM(iopgt_dump)
#define iopgt_format_name		IOPGT_SYM(iopgt_format_name)
#define iopgt_format_available		IOPGT_SYM(iopgt_format_available)
#define iopgt_strerror			IOPGT_SYM(iopgt_strerror)

/* Globals shared inside the core (pgtable/iopgt_internal.h). */
#define iopgt_gather_detach		IOPGT_SYM(iopgt_gather_detach)
#define iopgt_reclaim_begin		IOPGT_SYM(iopgt_reclaim_begin)
#define iopgt_reclaim_end		IOPGT_SYM(iopgt_reclaim_end)
#define iopgt_line_str			IOPGT_SYM(iopgt_line_str)
#define iopgt_line_hex			IOPGT_SYM(iopgt_line_hex)
#define iopgt_line_dec			IOPGT_SYM(iopgt_line_dec)

#endif /* IOPGT_PREFIX */

#endif /* IOPGT_PREFIX_H */
