// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Stand-in driver for scripts/kbuild-check. It only has to pull the core
 * into a module: the point is that the core compiles without a warning at
 * W=1 and that modpost finds every symbol it needs among the kernel's
 * exports. Nothing loads it.
 */
#include <linux/module.h>
#include <iopgt/env.h>
#include <iopgt/iopgt.h>

/* A reference from the driver, as a real one would make. */
static int (*const kbuild_check_iopgt_init)(struct iopgt *pt,
					    const struct iopgt_cfg *cfg)
	__used = iopgt_init;

static int __init kbuild_check_init(void)
{
	return 0;
}

static void __exit kbuild_check_exit(void)
{
}

module_init(kbuild_check_init);
module_exit(kbuild_check_exit);
MODULE_DESCRIPTION("iopgt Kbuild check: the vendored core, built as a module");
MODULE_LICENSE("Dual BSD/GPL");
