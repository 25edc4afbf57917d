/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The C shim under the Google Benchmark programs.
 *
 * The benchmark files are C++ and include only this header: every call into
 * iopgt and into the table allocator (tests/support/talloc) is made here, in
 * C, so the C++ side never sees the core's headers. What the shim offers:
 *
 *   - formats: which ones this copy of iopgt has (iterate 1 .. count - 1),
 *     and variants: a format with other quirks or address sizes;
 *   - a page table over a private talloc arena whose physical address is
 *     its CPU address, restricted to one page size, with map and unmap
 *     (the gather is released inside: freeing tables is part of unmap);
 *   - a harvest fixture: a table mapping one range, a bitmap of 4 KiB bits
 *     over it, a "device" that marks leaves dirty the way the IOMMU would,
 *     iopgt's harvest and a naive harvester to compare it with;
 *   - a split and merge fixture: a table of large leaves that split and
 *     merge take to a smaller size and back, with a check of the state,
 *     and ragged unmaps over it with and without IOPGT_UNMAP_CUT;
 *   - baselines over plain buffers (memset, streaming read, streaming
 *     read-modify-write) and the cache flush that makes a run cold;
 *   - a spin wait for the benchmarks' own barrier between threads.
 *
 * Nothing here is thread safe unless it says so: the two-thread harvests
 * run each part (shim_hv_harvest() and the baselines) on its own thread,
 * and everything else on one thread while the other waits.
 *
 * Errors are 0 or a negative errno, as iopgt's; shim_strerror() names them.
 */
#ifndef IOPGT_BENCH_SHIM_H
#define IOPGT_BENCH_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct iopgt;

/* ---- formats ------------------------------------------------------------- */

/* One past the largest format number; format numbers start at 1. */
int shim_format_count(void);
/* Whether iopgt was built with @fmt. */
bool shim_format_available(int fmt);
/* Short name ("amdv1", ...), used in benchmark names. */
const char *shim_format_name(int fmt);
/* Whether the device model below can mark @fmt's leaves dirty. */
bool shim_format_has_device(int fmt);

/*
 * Variants: a format with more quirks or other address sizes, the same
 * format's tables with a different configuration. Variant numbers go on
 * where format numbers stop: 1 .. shim_format_count() - 1 are the formats
 * themselves, configured as every benchmark configures them, and
 * shim_format_count() .. shim_variant_count() - 1 the others, named
 * "<format>+<what>" ("arm_s1+lpa2"). So a format number is a variant
 * number too, and every function below that creates a table takes either;
 * the benchmarks that iterate formats see no variant.
 */
int shim_variant_count(void);
/* Whether iopgt was built with @variant's format. */
bool shim_variant_available(int variant);
/* The format's name, or "<format>+<what>" */
const char *shim_variant_name(int variant);

/* iopgt's description of an error code (or of a shim one). */
const char *shim_strerror(int err);

/* ---- time and threads -------------------------------------------------- */

/* Monotonic time in nanoseconds: what the benchmarks' manual timing uses. */
uint64_t shim_now_ns(void);

/*
 * One round of a wait loop of a thread spinning for another (*@spins
 * starts at 0): a CPU pause while the wait is short, sched_yield() once it
 * is long, so that two threads sharing one CPU still make progress.
 */
void shim_spin_wait(unsigned int *spins);

/* ---- page tables --------------------------------------------------------- */

struct shim_pt;

/**
 * shim_pt_create() - a table of one format and one page size
 * @fmt: the format, or a variant (see above)
 * @pgsize_lg2: the only page size map may use
 * @arena_bytes: address space to reserve for tables (only what is touched
 *               costs memory); rounded up to 1 MiB
 * @dirty_tracking: create with dirty tracking on (the harvest needs it for
 *                  formats whose clean state is an entry encoding)
 * @err: set to 0 or the negative errno of the failure
 *
 * Tables come from a private talloc arena (transparent huge pages advised,
 * like the baseline buffers, so both see the same TLB reach).
 *
 * Return: the table, or NULL.
 */
struct shim_pt *shim_pt_create(int fmt, unsigned int pgsize_lg2,
			       uint64_t arena_bytes, bool dirty_tracking,
			       int *err);
/**
 * shim_pt_create_splittable() - a table whose large leaves can be split
 * @fmt: the format, or a variant
 * @pgsize_lg2: the largest page size allowed: 12, 21 or 30
 * @arena_bytes: as shim_pt_create()
 * @err: set to 0 or the negative errno of the failure
 *
 * The configuration the split and merge fixture uses (shim_sm_create()):
 * the 4K, 2M and 1G sizes up to @pgsize_lg2 allowed and no other, ARM
 * with IOPGT_QUIRK_ARM_BBML2, dirty tracking off. It is what a cut
 * (iopgt_unmap() with IOPGT_UNMAP_CUT) of a large leaf needs: the smaller
 * sizes to split into, and on ARM the direct block-to-table replacement.
 *
 * Return: the table, or NULL (-EOPNOTSUPP: the format lacks a size).
 */
struct shim_pt *shim_pt_create_splittable(int fmt, unsigned int pgsize_lg2,
					  uint64_t arena_bytes, int *err);
void shim_pt_destroy(struct shim_pt *spt);

/*
 * Map [@iova, @iova + @len) read-write to the same physical addresses.
 * Return: 0 or iopgt_map()'s error.
 */
int shim_map(struct shim_pt *spt, uint64_t iova, uint64_t len);

/*
 * Unmap [@iova, @iova + @len), then release the gather (freeing the
 * detached tables); the invalidation a driver would do in between is
 * nothing here. Return: 0, iopgt_unmap()'s error, or -EIO if fewer bytes
 * than @len were unmapped.
 */
int shim_unmap(struct shim_pt *spt, uint64_t iova, uint64_t len);

/* Evict every table the arena ever handed out from the CPU caches. */
void shim_pt_flush(const struct shim_pt *spt);

/*
 * The iopgt table itself, for C callers that drive the public API
 * directly (bench/icount.c); the C++ benchmarks never need it.
 */
struct iopgt *shim_pt_iopgt(struct shim_pt *spt);

/*
 * Have @hook called with true right before and with false right after
 * every call the table makes into its allocator (iopgt's table-memory
 * callbacks: allocate, free, per-table bookkeeping). NULL: no hook.
 * bench/icount.c uses it to leave the allocator's instructions out of
 * iopgt's count.
 */
void shim_pt_set_ops_hook(struct shim_pt *spt, void (*hook)(bool enter));

/*
 * The device writes through every leaf of the table, marking each
 * accessed and dirty as shim_hv_mark() does (the table must have been
 * made with dirty tracking on). @pages, if not NULL, is set to the 4 KiB
 * pages the leaves cover. Return: as shim_hv_mark().
 */
int shim_pt_mark_all(struct shim_pt *spt, uint64_t *pages);

/* ---- the harvest fixture ------------------------------------------------- */

struct shim_hv;

/**
 * shim_hv_create() - a table mapping [0, @len) with pages of one size
 * @fmt: the format
 * @pgsize_lg2: the page size
 * @len: bytes, a multiple of the page size
 * @err: set to 0 or the negative errno of the failure
 *
 * The table is made with dirty tracking on, and a bitmap with one bit per
 * 4 KiB of the range (iommufd's layout) comes with it.
 *
 * Return: the fixture, or NULL.
 */
struct shim_hv *shim_hv_create(int fmt, unsigned int pgsize_lg2, uint64_t len,
			       int *err);
void shim_hv_destroy(struct shim_hv *hv);

/* Leaves mapped, and bytes of leaf entries (leaves * 8). */
uint64_t shim_hv_leaves(const struct shim_hv *hv);
uint64_t shim_hv_entry_bytes(const struct shim_hv *hv);

/**
 * shim_hv_mark() - the device: write to a fixed pseudo-random set of pages
 * @hv: the fixture
 * @dirty_pct: the share of leaves written, 0..100
 * @seed: which set; the same seed and share always give the same set
 * @pages: if not NULL, set to the 4 KiB bits the set covers (what a
 *         harvest of the whole range must report)
 *
 * Marks each chosen leaf the way the IOMMU does on a DMA write (accessed
 * and dirty). See the device model in shim.c for the formats it knows.
 *
 * Return: 0; -EOPNOTSUPP for a format the device model does not know;
 * -EIO if a leaf the harvest should see could not be marked.
 */
int shim_hv_mark(struct shim_hv *hv, unsigned int dirty_pct, uint64_t seed,
		 uint64_t *pages);

/* Zero the bitmap, then evict the tables and the bitmap from the caches. */
void shim_hv_make_cold(struct shim_hv *hv);

/*
 * Harvest part @part of @nparts of the range (whole leaves, in order; the
 * last part takes the remainder) the way migration does:
 * iopgt_read_dirty() with clear into the bitmap, then
 * iopgt_gather_release(), with a gather of its own. Threads may harvest
 * different parts at once, into the same bitmap. Return: 0 or iopgt's
 * error; -EINVAL if the part holds no leaf.
 */
int shim_hv_harvest(struct shim_hv *hv, unsigned int part,
		    unsigned int nparts);

/*
 * The naive harvester, for comparison: for each leaf of the part, a walk
 * from the root, an atomic test-and-clear of a dirty entry, and the
 * bitmap bits it covers set one at a time. Parts as above.
 * Return: 0; -EOPNOTSUPP for a format the device model does not know.
 */
int shim_hv_harvest_naive(struct shim_hv *hv, unsigned int part,
			  unsigned int nparts);

/* Bits set in the bitmap. */
uint64_t shim_hv_bitmap_weight(const struct shim_hv *hv);

/* Clean every leaf (no bitmap, untimed set-up). Return: as harvest. */
int shim_hv_clean_all(struct shim_hv *hv);

/* ---- the split and merge fixture ----------------------------------------- */

struct shim_sm;

/**
 * shim_sm_create() - a table mapping [0, @len) with leaves of @from_lg2
 * @fmt: the format
 * @from_lg2: the size of the leaves mapped, and the size merge rebuilds
 * @to_lg2: the size split makes, smaller than @from_lg2
 * @len: bytes, a multiple of 2^@from_lg2
 * @err: set to 0 or the negative errno of the failure
 *
 * Both sizes must be among 4K, 2M and 1G. The table allows exactly those
 * of the three up to @from_lg2, whatever else the format offers, so that
 * a merge rebuilds leaves of @from_lg2 and nothing larger (AMD v1 would
 * otherwise merge 2M leaves into replicated 4M..512M ones, and any format
 * a whole aligned 1 GiB of 2M leaves into a 1G leaf). ARM formats get
 * IOPGT_QUIRK_ARM_BBML2: without it, split and merge need break-before-make
 * and return -EBUSY. Dirty tracking is off.
 *
 * Return: the fixture, or NULL (-EOPNOTSUPP: the format lacks a size).
 */
struct shim_sm *shim_sm_create(int fmt, unsigned int from_lg2,
			       unsigned int to_lg2, uint64_t len, int *err);
void shim_sm_destroy(struct shim_sm *sm);

/*
 * Split every leaf of the range to @to_lg2, then release the gather (with
 * no invalidation in between: there is no device). The release is part of
 * the split's work: it re-reads the new table entries for dirty state a
 * stale translation may have left. Return: 0 or iopgt_split()'s error.
 */
int shim_sm_split(struct shim_sm *sm);

/*
 * Merge the range back to @from_lg2 leaves, then release the gather (no
 * invalidation in between), which re-reads the detached children for
 * dirty state and frees them. Return: 0 or iopgt_merge()'s error.
 */
int shim_sm_merge(struct shim_sm *sm);

/*
 * Check that the range is mapped by leaves of exactly @leaf_lg2 (which
 * must be @from_lg2 or @to_lg2) covering it whole, and that the table
 * holds exactly the tables that state needs (none leaked, none missing).
 * The leaves are counted by the device model's walk, not through iopgt;
 * a format it does not know is checked on the table count alone.
 * Return: 0, or -EIO if the table is not in that state.
 */
int shim_sm_check(const struct shim_sm *sm, unsigned int leaf_lg2);

/* iopgt_validate() on the table. Return: 0 or -EIO. */
int shim_sm_validate(struct shim_sm *sm);

/*
 * Ragged unmaps, the cut's benchmark, on a fixture of 2M leaves split to
 * 4K (other pairs: -EINVAL). Call k removes
 *	[2k 2M + SHIM_CUT_HEAD, (2k + 1) 2M + SHIM_CUT_TAIL)
 * so each range starts and ends inside a 2M leaf, and the pairs of leaves
 * of two calls are disjoint: one call per two leaves of the range.
 */
#define SHIM_CUT_HEAD	(17ull << 12)
#define SHIM_CUT_TAIL	(300ull << 12)

/* The calls a ragged pass makes: one per two 2M leaves. */
uint64_t shim_sm_ragged_calls(const struct shim_sm *sm);

/*
 * Every call of a ragged pass, each iopgt_unmap() followed by its
 * iopgt_gather_release(). With @cut, IOPGT_UNMAP_CUT: each call splits
 * the two leaves it starts and ends in and removes exactly its range;
 * without, it removes both leaves whole. Return: 0, iopgt_unmap()'s
 * error, or -EIO if a call unmapped other than its range (@cut) or its
 * two leaves (not @cut).
 */
int shim_sm_ragged(struct shim_sm *sm, bool cut);

/*
 * Check what a ragged pass must leave: through iopgt_iova_to_phys(), the
 * first and last page of every range gone and the pages just outside it
 * still translating to themselves (@cut) or gone (not @cut); through the
 * device model's walk (when it knows the format), exactly the 4K leaves
 * kept and no other leaf; with @cut, exactly the tables that needs.
 * Return: 0, or -EIO.
 */
int shim_sm_ragged_check(const struct shim_sm *sm, bool cut);

/*
 * Back to the fixture's start after a ragged pass: unmap what is left of
 * the range and map it again with 2M leaves. Return: 0, iopgt's error, or
 * -EIO if shim_sm_check() then disagrees.
 */
int shim_sm_remap(struct shim_sm *sm);

/*
 * What the operations touch, in entries (8 bytes each):
 *   small leaves: the leaves split makes and merge consumes (len >> to);
 *   table entries: every entry of the tables split allocates and merge
 *     frees (the small leaves, plus the table entries between them when
 *     @to_lg2 is more than one level below @from_lg2);
 *   slots: the entries split and merge rewrite in place (len >> from:
 *     each large leaf becomes a table entry, and back).
 */
uint64_t shim_sm_small_leaves(const struct shim_sm *sm);
uint64_t shim_sm_table_entries(const struct shim_sm *sm);
uint64_t shim_sm_slots(const struct shim_sm *sm);

/* ---- plain buffers and baselines ----------------------------------------- */

/*
 * An anonymous buffer with transparent huge pages advised, every page
 * already touched (so no page fault lands in a timed region). NULL on
 * failure. Free with shim_buf_free() and the same @bytes.
 */
void *shim_buf_alloc(uint64_t bytes);
void shim_buf_free(void *buf, uint64_t bytes);

/* Evict [@p, @p + @bytes) from every CPU cache. */
void shim_flush(const void *p, uint64_t bytes);

/* memset(@buf, 0, @bytes), through a call the compiler cannot drop. */
void shim_memset(void *buf, uint64_t bytes);

/*
 * Streaming read: the sum of the u64 words of part @part of @nparts of
 * [@buf, @buf + @bytes) (in words, the last part taking the remainder).
 */
uint64_t shim_stream_read(const void *buf, uint64_t bytes, unsigned int part,
			  unsigned int nparts);

/*
 * Streaming read-modify-write: clear bit 6 (a dirty bit) of every u64 of
 * the part, each word stored back. Parts as above.
 */
void shim_stream_rmw(void *buf, uint64_t bytes, unsigned int part,
		     unsigned int nparts);

#ifdef __cplusplus
}
#endif

#endif /* IOPGT_BENCH_SHIM_H */
