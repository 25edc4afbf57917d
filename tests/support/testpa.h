/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The physical address the tests give table memory at a CPU address, and
 * back. In userspace it is the CPU address itself: user addresses fit in
 * 47 bits, below every output address size the configs use. In a kernel
 * (tests/kernel/suite) CPU addresses lie in the top half of the address
 * space, beyond any output size; there the physical address is the CPU
 * address less the start of that half (4-level paging: 47 bits again).
 * The software IOMMU and the allocator agree through these two only.
 */
#ifndef IOPGT_TESTS_TESTPA_H
#define IOPGT_TESTS_TESTPA_H

#include <iopgt/env.h>

#ifdef __KERNEL__
#define TEST_PA_OFFSET 0xffff800000000000ull
#else
#define TEST_PA_OFFSET 0ull
#endif

static inline u64 test_pa(const void *va)
{
	return (u64)(uintptr_t)va - TEST_PA_OFFSET;
}

static inline void *test_va(u64 pa)
{
	return (void *)(uintptr_t)(pa + TEST_PA_OFFSET);
}

#endif /* IOPGT_TESTS_TESTPA_H */
