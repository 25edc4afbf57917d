// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Stand-in driver for the library-module build of iopgt: modpost must
 * resolve its calls to iopgt.ko's exports, and refuses them unless the
 * module imports the IOPGT namespace.
 */
#include <linux/module.h>
#include <linux/version.h>
#include <iopgt/iopgt.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
MODULE_IMPORT_NS("IOPGT");
#else
MODULE_IMPORT_NS(IOPGT);
#endif

static int (*const libuser_init)(struct iopgt *pt,
				 const struct iopgt_cfg *cfg) __used =
	iopgt_init;
static int (*const libuser_map)(struct iopgt *pt, uint64_t iova,
				uint64_t pa, uint64_t len, uint32_t prot,
				iopgt_gfp_t gfp, uint64_t *mapped) __used =
	iopgt_map;

static int __init libuser_mod_init(void)
{
	return 0;
}

static void __exit libuser_mod_exit(void)
{
}

module_init(libuser_mod_init);
module_exit(libuser_mod_exit);
MODULE_DESCRIPTION("iopgt Kbuild check: a user of the library module");
MODULE_LICENSE("Dual BSD/GPL");
