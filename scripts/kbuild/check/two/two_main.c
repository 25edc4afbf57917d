// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Stand-in for one of two built-in drivers that each vendor iopgt with
 * their own IOPGT_PREFIX. Built-in code has no init_module, so this file
 * defines no module entry points: its only global is a prefixed function
 * that calls the core the way a driver does, by the plain iopgt_ names.
 */
#include <linux/module.h>
#include <iopgt/iopgt.h>

int IOPGT_SYM(kbuild_check_probe)(struct iopgt *pt,
				  const struct iopgt_cfg *cfg);

int IOPGT_SYM(kbuild_check_probe)(struct iopgt *pt,
				  const struct iopgt_cfg *cfg)
{
	int ret = iopgt_init(pt, cfg);

	if (!ret)
		iopgt_destroy(pt);
	return ret;
}

MODULE_DESCRIPTION("iopgt Kbuild check: one of two prefixed copies");
MODULE_LICENSE("Dual BSD/GPL");
