/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * talloc: the table allocator of the tests, benchmarks and fuzzers.
 *
 * It implements struct iopgt_ops over one arena of anonymous memory that is
 * reserved (not committed) at creation, so benchmarks may ask for hundreds
 * of GiB of address space and pay only for the tables they touch.
 *
 * Layout. The arena is cut into 1 MiB chunks. A chunk is handed to one size
 * class (2^6 .. 2^20 bytes) the first time that class runs dry and stays
 * with it; the class carves it into naturally aligned tables. Freed tables
 * go on their class's free list (LIFO) and are zeroed again when reused.
 * Every table slot has a record in a side array: the struct iopgt_table_meta
 * the core owns while the table is live, and the slot's state, which is
 * what catches a double free or a free of something never allocated.
 *
 * Use-after-free. A freed table is filled with TALLOC_POISON_BYTE when
 * asked (TALLOC_POISON), and the fill is checked when the table is handed
 * out again, so a stale write in between is reported. With
 * TALLOC_QUARANTINE, freed tables wait in a FIFO before they can be reused,
 * so a hardware model that walks a stale table pointer reads poison rather
 * than a new owner's entries. Built with AddressSanitizer, every freed table
 * is also poisoned for ASan (any access is an ASan error), and the
 * quarantine is on by default, because a table reused at once would hide
 * the stale access from ASan.
 *
 * Addresses. By default a table's physical address is its CPU address. With
 * TALLOC_LOW_PA, the physical address is the table's offset in the arena
 * plus TALLOC_LOW_PA_BASE instead: small enough for 32-bit output address
 * sizes, and different from the CPU address, so a core that confuses the
 * two breaks. That mode needs the ops from talloc_ops_for().
 *
 * Thread safety: every function may be called from any thread, except
 * talloc_create(), talloc_destroy() and talloc_set_on_clean(), which the
 * caller orders against everything else.
 */
#ifndef IOPGT_TESTS_TALLOC_H
#define IOPGT_TESTS_TALLOC_H

#include <stdbool.h>
#include <stddef.h>

#include <iopgt/env.h>
#include <iopgt/iopgt.h>
#include "support/testpa.h"

/* Flags of talloc_create(). */
#define TALLOC_POISON		(1u << 0) /* fill freed, check on reuse */
#define TALLOC_QUARANTINE	(1u << 1) /* delay reuse; implies POISON */
#define TALLOC_LOW_PA		(1u << 2) /* pa = offset + LOW_PA_BASE */
#define TALLOC_NO_QUARANTINE	(1u << 3) /* ASan builds: no quarantine */
#define TALLOC_HUGEPAGE		(1u << 4) /* advise THP on the arena */
#define TALLOC_FLAGS_ALL	0x1fu

#define TALLOC_DEFAULT_ARENA	(1ull << 30)
#define TALLOC_MIN_LG2		6
#define TALLOC_MAX_LG2		20
#define TALLOC_POISON_BYTE	0xa5
#define TALLOC_LOW_PA_BASE	(1ull << 30)
#define TALLOC_QUARANTINE_DEPTH	1024

/* True when built with AddressSanitizer (GCC or Clang). */
#if defined(__SANITIZE_ADDRESS__)
#define TALLOC_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TALLOC_ASAN 1
#endif
#endif
#ifndef TALLOC_ASAN
#define TALLOC_ASAN 0
#endif

struct talloc;

/**
 * talloc_create() - reserve an arena and set up an allocator over it
 * @arena_bytes: address space to reserve, rounded up to 1 MiB; 0 for
 *               TALLOC_DEFAULT_ARENA. Only touched tables use memory.
 * @flags: TALLOC_* flags
 *
 * Return: the allocator, to pass as the ctx of the ops; NULL if @flags has
 * unknown bits or the address space cannot be reserved.
 */
struct talloc *talloc_create(u64 arena_bytes, unsigned int flags);

/**
 * talloc_destroy() - release the arena and everything in it
 * @t: the allocator, or NULL
 *
 * Live tables are released too; nothing may touch them afterwards.
 */
void talloc_destroy(struct talloc *t);

/**
 * talloc_ops() - the ops of an allocator whose physical address is the CPU
 *                address (no phys_to_virt; the default)
 *
 * Return: static ops; pass the struct talloc * as the ctx.
 */
const struct iopgt_ops *talloc_ops(void);

/**
 * talloc_ops_for() - the ops that suit @t's flags
 * @t: the allocator
 *
 * Return: talloc_ops(), or with TALLOC_LOW_PA ops whose phys_to_virt maps
 * physical addresses back into the arena.
 */
const struct iopgt_ops *talloc_ops_for(const struct talloc *t);

/**
 * talloc_phys_to_virt() - CPU address of table memory at a physical address
 * @t: the allocator
 * @pa: physical address (need not be a table's start)
 *
 * For hardware models walking the table. Never aborts.
 *
 * Return: the CPU address, or NULL if @pa is outside the arena.
 */
void *talloc_phys_to_virt(const struct talloc *t, u64 pa);

/**
 * talloc_virt_to_phys() - physical address of table memory
 * @t: the allocator
 * @va: CPU address inside the arena
 *
 * Return: the physical address, or 0 if @va is outside the arena.
 */
u64 talloc_virt_to_phys(const struct talloc *t, const void *va);

/**
 * talloc_is_live() - whether @va is the start of a table allocated and not
 *                    freed
 * @t: the allocator
 * @va: any address
 * @size_lg2: if not NULL, set to the table's size when it is live
 *
 * Lets a hardware model assert that it never walks a freed table, in
 * builds without ASan too.
 */
bool talloc_is_live(const struct talloc *t, const void *va,
		    unsigned int *size_lg2);

/*
 * Counters. Each is read with one relaxed atomic load: exact when no
 * other thread is using the allocator, a recent value otherwise.
 */

/**
 * talloc_live() - tables allocated and not yet freed
 * @t: the allocator
 */
u64 talloc_live(const struct talloc *t);

/**
 * talloc_live_bytes() - bytes of the tables talloc_live() counts
 * @t: the allocator
 */
u64 talloc_live_bytes(const struct talloc *t);

/**
 * talloc_allocs() - allocations that succeeded since creation
 * @t: the allocator
 */
u64 talloc_allocs(const struct talloc *t);

/**
 * talloc_last_gfp() - the allocation context of the last alloc_table call
 * @t: the allocator
 */
unsigned int talloc_last_gfp(const struct talloc *t);

/**
 * talloc_frees() - tables freed since creation
 * @t: the allocator
 */
u64 talloc_frees(const struct talloc *t);

/**
 * talloc_failures() - allocations that returned NULL, injected or not
 * @t: the allocator
 */
u64 talloc_failures(const struct talloc *t);

/**
 * talloc_peak() - the highest talloc_live() seen
 * @t: the allocator
 */
u64 talloc_peak(const struct talloc *t);

/**
 * talloc_peak_bytes() - the highest talloc_live_bytes() seen
 * @t: the allocator
 */
u64 talloc_peak_bytes(const struct talloc *t);

/**
 * talloc_cleans() - cache_clean calls since creation
 * @t: the allocator
 */
u64 talloc_cleans(const struct talloc *t);

/**
 * talloc_clean_bytes() - bytes passed to cache_clean since creation
 * @t: the allocator
 */
u64 talloc_clean_bytes(const struct talloc *t);

/**
 * talloc_fail_after() - inject one allocation failure
 * @t: the allocator
 * @n: the (@n + 1)-th allocation from now fails (0: the next one); later
 *     ones succeed again. Negative: no injected failure.
 */
void talloc_fail_after(struct talloc *t, long n);

/**
 * talloc_fail_all() - make every allocation fail, or stop doing so
 * @t: the allocator
 * @on: fail every allocation while true
 */
void talloc_fail_all(struct talloc *t, bool on);

/**
 * talloc_set_quarantine() - how many freed tables wait before reuse
 * @t: the allocator
 * @depth: tables held in the FIFO; 0 turns the quarantine off (what it
 *         holds goes back to the free lists)
 *
 * Freed tables are poisoned from then on, as with TALLOC_POISON, when
 * @depth is not 0.
 */
void talloc_set_quarantine(struct talloc *t, u64 depth);

/**
 * talloc_quarantine_flush() - make every quarantined table reusable
 * @t: the allocator
 */
void talloc_quarantine_flush(struct talloc *t);

/**
 * talloc_set_on_clean() - observe cache_clean calls
 * @t: the allocator
 * @on_clean: called after each cache_clean is counted, or NULL
 * @arg: passed to @on_clean
 *
 * Context: not concurrently with allocator use (set it up first).
 */
void talloc_set_on_clean(struct talloc *t,
			 void (*on_clean)(void *arg, void *va, size_t len),
			 void *arg);

#endif /* IOPGT_TESTS_TALLOC_H */
