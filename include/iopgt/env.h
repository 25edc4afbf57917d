/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * iopgt environment seam.
 *
 * This is the only header the portable core (pgtable/, formats/) includes
 * besides its own. Everything the core may use from the outside world is
 * listed here, and nothing else:
 *
 *   types     u8 u16 u32 u64 s64 size_t uintptr_t bool true false NULL
 *   memory    memset memcpy
 *   atomics   READ_ONCE WRITE_ONCE (for values the CPUs alone share; a
 *             u64 one may tear on a 32-bit kernel)
 *             iopgt_load64 iopgt_store64 (single-copy atomic on every
 *             kernel: what a walker or another CPU may see half of)
 *             iopgt_cmpxchg64 iopgt_xchg64 (full barrier on success)
 *   order     iopgt_cpu_to_le64 iopgt_le64_to_cpu (table entries are
 *             little-endian in memory; no-ops on a little-endian CPU)
 *   barriers  iopgt_smp_mb iopgt_smp_wmb iopgt_dma_wmb
 *   hints     likely unlikely IOPGT_STATIC_ASSERT iopgt_fallthrough
 *             iopgt_prefetch (read prefetch of one cache line)
 *             IOPGT_UNROLL8 (unroll the next loop, of 8 iterations)
 *             iopgt_cpu_relax (in a loop that waits for another CPU)
 *   checks    IOPGT_WARN_ON(cond): evaluates to cond; WARN_ON in the
 *             kernel, abort() when IOPGT_WARN_ABORT is defined (tests and
 *             fuzzers), silent in a release userspace build
 *   bits      iopgt_fls64 (1-based index of the highest set bit, 0 for 0)
 *             iopgt_ffs64 (1-based index of the lowest set bit, 0 for 0)
 *   errno     EINVAL ERANGE EOVERFLOW ENOMEM EEXIST ENOENT EOPNOTSUPP EBUSY
 *
 * The userspace branch maps these onto GCC/Clang builtins and libc headers;
 * the kernel branch (__KERNEL__) onto the linux/ headers. Per-table runtime services
 * (allocation, cache maintenance) come through struct iopgt_ops, never
 * through link-time hooks, so two drivers in one kernel may vendor iopgt.
 */
#ifndef IOPGT_ENV_H
#define IOPGT_ENV_H

/* The public half: fixed-width types, bool, size_t, iopgt_gfp_t. */
#include <iopgt/env_types.h>

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <linux/compiler.h>
#include <linux/build_bug.h>
#include <linux/bug.h>
#include <linux/bitops.h>
#include <linux/atomic.h>
#include <linux/prefetch.h>
#include <linux/processor.h>
#include <asm/barrier.h>
#include <asm/byteorder.h>

#define iopgt_cmpxchg64(ptr, old, val) cmpxchg64(ptr, old, val)

#if BITS_PER_LONG == 64
#define iopgt_xchg64(ptr, val) xchg(ptr, val)
#define iopgt_load64(ptr) READ_ONCE(*(ptr))
#define iopgt_store64(ptr, val) WRITE_ONCE(*(ptr), val)
#else
/*
 * A 32-bit kernel has no 64-bit xchg (x86-32 stops the build with
 * __xchg_wrong_size, ARM links to the undefined __bad_xchg), and a u64
 * READ_ONCE or WRITE_ONCE is two 32-bit accesses there: a walker or
 * another CPU could see one half of an entry updated. cmpxchg64 (cmpxchg8b,
 * ldrexd/strexd) is the one 64-bit atomic every such kernel has, so loads,
 * stores and exchanges go through it. The cost is a locked
 * read-modify-write for every entry read, which a harvest pays per entry;
 * 64-bit kernels use plain single-copy-atomic accesses.
 */
static inline u64 iopgt_xchg64(u64 *ptr, u64 val)
{
	u64 old = READ_ONCE(*ptr), cur;

	while ((cur = cmpxchg64(ptr, old, val)) != old)
		old = cur;
	return old;
}

/* Compare with 0 and store 0 back: the value never changes. */
static inline u64 iopgt_load64(const u64 *ptr)
{
	return cmpxchg64((u64 *)ptr, 0ull, 0ull);
}

static inline void iopgt_store64(u64 *ptr, u64 val)
{
	iopgt_xchg64(ptr, val);
}
#endif

/* Entries are stored as u64 that hold little-endian bytes. */
#define iopgt_cpu_to_le64(x) ((__force u64)cpu_to_le64(x))
#define iopgt_le64_to_cpu(x) le64_to_cpu((__force __le64)(x))
#define iopgt_smp_mb() smp_mb()
#define iopgt_smp_wmb() smp_wmb()
#define iopgt_dma_wmb() dma_wmb()
#define IOPGT_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#define IOPGT_WARN_ON(cond) WARN_ON(cond)
#define iopgt_fallthrough fallthrough
#define iopgt_prefetch(p) prefetch(p)
#define IOPGT_UNROLL8 _Pragma("GCC unroll 8")
#define iopgt_cpu_relax() cpu_relax()

static inline unsigned int iopgt_fls64(u64 x)
{
	return fls64(x);
}

static inline unsigned int iopgt_ffs64(u64 x)
{
	return x ? __ffs64(x) + 1 : 0;
}

#else /* !__KERNEL__ */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#ifdef IOPGT_WARN_ABORT
#include <stdlib.h>
#endif

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

/*
 * Atomics rather than volatile accesses: the hardware model in the tests
 * updates entries with atomics from another thread, and a volatile access
 * would be a data race to ThreadSanitizer (and to C11). Loads acquire: a
 * walk that reads a table entry another thread just installed (with a
 * compare-exchange, a full barrier) and follows it must see the table's
 * contents. The kernel gets the same from READ_ONCE's address dependency
 * ordering; on x86 an acquire load is a plain load.
 */
#define READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

/* Return the value found; @val was stored iff it equals @old. */
static inline u64 iopgt_cmpxchg64(u64 *ptr, u64 old, u64 val)
{
	__atomic_compare_exchange_n(ptr, &old, val, false, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
	return old;
}

static inline u64 iopgt_xchg64(u64 *ptr, u64 val)
{
	return __atomic_exchange_n(ptr, val, __ATOMIC_SEQ_CST);
}

#define iopgt_load64(ptr) READ_ONCE(*(ptr))
#define iopgt_store64(ptr, val) WRITE_ONCE(*(ptr), val)

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define iopgt_cpu_to_le64(x) ((u64)(x))
#define iopgt_le64_to_cpu(x) ((u64)(x))
#elif __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define iopgt_cpu_to_le64(x) __builtin_bswap64(x)
#define iopgt_le64_to_cpu(x) __builtin_bswap64(x)
#else
#error "iopgt: unknown byte order"
#endif

#define iopgt_smp_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define iopgt_smp_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#define iopgt_dma_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)

#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

#define IOPGT_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#define iopgt_fallthrough __attribute__((__fallthrough__))
#define iopgt_prefetch(p) __builtin_prefetch(p, 0, 3)
#define IOPGT_UNROLL8 _Pragma("GCC unroll 8")
#if defined(__x86_64__) || defined(__i386__)
#define iopgt_cpu_relax() __builtin_ia32_pause()
#else
#define iopgt_cpu_relax() __atomic_signal_fence(__ATOMIC_SEQ_CST)
#endif

#ifdef IOPGT_WARN_ABORT
#define IOPGT_WARN_ON(cond) ({ bool __c = !!(cond); if (__c) abort(); __c; })
#else
#define IOPGT_WARN_ON(cond) unlikely(!!(cond))
#endif

static inline unsigned int iopgt_fls64(u64 x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}

static inline unsigned int iopgt_ffs64(u64 x)
{
	return x ? __builtin_ctzll(x) + 1 : 0;
}

#endif /* __KERNEL__ */

#endif /* IOPGT_ENV_H */
