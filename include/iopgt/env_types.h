/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The public half of the environment seam: the types iopgt.h is written
 * in, and nothing else. Userspace gets them from the C library (C and
 * C++), a kernel from linux/types.h. Including this defines no name that
 * is not the C library's, the kernel's or iopgt's.
 *
 *   types     uint8_t .. uint64_t, int64_t, size_t, bool
 *   alloc     iopgt_gfp_t, IOPGT_GFP_KERNEL, IOPGT_GFP_ATOMIC
 */
#ifndef IOPGT_ENV_TYPES_H
#define IOPGT_ENV_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/gfp.h>
#else
#include <stdint.h>
#include <stddef.h>
#ifndef __cplusplus
#include <stdbool.h>
#endif
#endif

/*
 * The allocation context of a call that may allocate tables (map, split,
 * unmap with a cut), passed unchanged to iopgt_ops.alloc_table: in a
 * kernel a gfp_t (GFP_KERNEL, or GFP_ATOMIC where the caller may not
 * sleep); in userspace whatever the allocator wants to know (0 if
 * nothing). IOPGT_GFP_KERNEL is what iopgt_init() allocates the top table
 * with, and IOPGT_GFP_ATOMIC what a cut allocates with (unmap never
 * sleeps).
 */
#ifdef __KERNEL__
typedef gfp_t iopgt_gfp_t;
#define IOPGT_GFP_KERNEL	GFP_KERNEL
#define IOPGT_GFP_ATOMIC	GFP_ATOMIC
#else
typedef unsigned int iopgt_gfp_t;
#define IOPGT_GFP_KERNEL	0u
#define IOPGT_GFP_ATOMIC	1u
#endif

#endif /* IOPGT_ENV_TYPES_H */
