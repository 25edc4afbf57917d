// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * iopgt as one kernel library module: the exported tree, built as its own
 * Kbuild directory, links the core into iopgt.ko and exports the public
 * API in the IOPGT symbol namespace. Drivers that use it import the
 * namespace (MODULE_IMPORT_NS(IOPGT)) instead of linking a copy each, and
 * modpost refuses one that forgets.
 *
 * The format instantiations and the core's other globals stay unexported:
 * only the calls of <iopgt/iopgt.h> cross the module boundary.
 */
#include <linux/module.h>
#include <linux/version.h>
#include <iopgt/iopgt.h>

/* 6.13 turned the namespace argument into a string literal. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define IOPGT_EXPORT(sym)	EXPORT_SYMBOL_NS_GPL(sym, "IOPGT")
#else
#define IOPGT_EXPORT(sym)	EXPORT_SYMBOL_NS_GPL(sym, IOPGT)
#endif

IOPGT_EXPORT(iopgt_version);
IOPGT_EXPORT(iopgt_init);
IOPGT_EXPORT(iopgt_destroy);
IOPGT_EXPORT(iopgt_hw_info);
IOPGT_EXPORT(iopgt_map);
IOPGT_EXPORT(iopgt_unmap);
IOPGT_EXPORT(iopgt_iova_to_phys);
IOPGT_EXPORT(iopgt_set_dirty_tracking);
IOPGT_EXPORT(iopgt_read_dirty);
IOPGT_EXPORT(iopgt_unmap_read_dirty);
IOPGT_EXPORT(iopgt_split);
IOPGT_EXPORT(iopgt_merge);
IOPGT_EXPORT(iopgt_gather_init);
IOPGT_EXPORT(iopgt_gather_release);
IOPGT_EXPORT(iopgt_validate);
IOPGT_EXPORT(iopgt_dump);
IOPGT_EXPORT(iopgt_format_name);
IOPGT_EXPORT(iopgt_format_available);

MODULE_DESCRIPTION("iopgt: IOMMU page tables in AMD, VT-d, x86 and ARM formats");
MODULE_LICENSE("Dual BSD/GPL");
