// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The benchmarks' C shim; shim.h says what it offers, this file is how.
 *
 * Tables come from talloc with physical address == CPU address, so a table
 * entry's output address is a pointer the device model below may follow.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SHIM_X86 1
#else
#define SHIM_X86 0
#endif

#include <iopgt/env.h>
#include <iopgt/iopgt.h>

#include "support/talloc.h"
#include "shim.h"

/* Every format runs with 4 KiB tables (ARM: the 4K granule). */
#define SHIM_GRANULE_LG2	12
#define SHIM_BPL		9	/* index bits per level at 4 KiB */
/* The bitmap has one bit per 4 KiB, as iommufd's usually does. */
#define SHIM_BITMAP_SHIFT	12
/* Without clflush, evict by streaming this much: 4 x this machine's L3. */
#define SHIM_EVICT_BYTES	(128ull << 20)
#define SHIM_HUGE		(2ull << 20)

#ifdef TALLOC_HUGEPAGE
#define SHIM_TALLOC_FLAGS	TALLOC_HUGEPAGE
#else
#define SHIM_TALLOC_FLAGS	0
#endif

static u64 shim_min(u64 a, u64 b)
{
	return a < b ? a : b;
}

/* ---- formats ------------------------------------------------------------- */

int shim_format_count(void)
{
	return IOPGT_FMT_COUNT;
}

bool shim_format_available(int fmt)
{
	return fmt > IOPGT_FMT_NONE && fmt < IOPGT_FMT_COUNT &&
	       iopgt_format_available((enum iopgt_format)fmt);
}

const char *shim_format_name(int fmt)
{
	return iopgt_format_name((enum iopgt_format)fmt);
}

/*
 * The variants past the formats (shim.h). The LPA2 ones keep the plain ARM
 * tables' 48-bit IOVA, and so their four levels, and take the 52-bit OA
 * that LPA2 is for: only the descriptor encoding differs from the plain
 * format's (the address field to bit 49, PA[51:50] in bits 9:8, no SH).
 * amdv1+grow starts at one level (DTE mode 1, 2 MiB of IOVA) and grows its
 * top as maps reach further, up to the plain table's 48 bits: the first
 * map from 1 GiB up grows it twice, to mode 3.
 */
struct shim_variant {
	const char *name;
	enum iopgt_format format;
	u32 quirks;		/* added to what the table is made with */
	u8 ias, oas;		/* 0: the format's default */
	u8 levels;		/* 0: the format's default */
};

static const struct shim_variant shim_variants[] = {
	{ "arm_s1+lpa2", IOPGT_FMT_ARM_S1, IOPGT_QUIRK_ARM_LPA2, 48, 52, 0 },
	{ "arm_s2+lpa2", IOPGT_FMT_ARM_S2, IOPGT_QUIRK_ARM_LPA2, 48, 52, 0 },
	{ "amdv1+grow", IOPGT_FMT_AMDV1, IOPGT_QUIRK_AMD_GROW_TOP, 48, 0, 1 },
};

#define SHIM_NVARIANTS	(sizeof(shim_variants) / sizeof(shim_variants[0]))

int shim_variant_count(void)
{
	return IOPGT_FMT_COUNT + (int)SHIM_NVARIANTS;
}

/* @variant as a variant: a format number is its own plain variant. */
static struct shim_variant shim_variant_of(int variant)
{
	struct shim_variant v = { 0 };

	if (variant >= IOPGT_FMT_COUNT &&
	    variant < IOPGT_FMT_COUNT + (int)SHIM_NVARIANTS)
		return shim_variants[variant - IOPGT_FMT_COUNT];
	v.format = (enum iopgt_format)variant;
	v.name = variant > IOPGT_FMT_NONE && variant < IOPGT_FMT_COUNT ?
		 iopgt_format_name(v.format) : NULL;
	return v;
}

bool shim_variant_available(int variant)
{
	struct shim_variant v = shim_variant_of(variant);

	return v.name && shim_format_available(v.format);
}

const char *shim_variant_name(int variant)
{
	return shim_variant_of(variant).name;
}

const char *shim_strerror(int err)
{
	if (err == -EIO)
		return "the table disagrees with the benchmark's device model";
	return iopgt_strerror(err);
}

/* ---- time --------------------------------------------------------------- */

uint64_t shim_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}

/* ---- buffers and cache flushes ------------------------------------------- */

void *shim_buf_alloc(uint64_t bytes)
{
	size_t len = (bytes + SHIM_HUGE - 1) & ~(SHIM_HUGE - 1);
	void *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* The same page size policy as the table arena; only a hint. */
	madvise(p, len, MADV_HUGEPAGE);
	memset(p, 0, len);
	return p;
}

void shim_buf_free(void *buf, uint64_t bytes)
{
	if (buf)
		munmap(buf, (bytes + SHIM_HUGE - 1) & ~(SHIM_HUGE - 1));
}

#if SHIM_X86
/* CPUID.(EAX=7,ECX=0):EBX bit 23 */
static bool shim_has_clflushopt(void)
{
	unsigned int a = 7, b = 0, c = 0, d = 0;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return b & (1u << 23);
}

/*
 * CLFLUSHOPT is CLFLUSH without the ordering between flushes, several
 * times faster over a large range; the fence orders the lot before what
 * the caller times next.
 */
__attribute__((target("clflushopt")))
static void shim_flush_opt(uintptr_t p, uintptr_t end)
{
	for (; p < end; p += 64)
		_mm_clflushopt((void *)p);
	_mm_mfence();
}

static void shim_flush_plain(uintptr_t p, uintptr_t end)
{
	for (; p < end; p += 64)
		_mm_clflush((void *)p);
	_mm_mfence();
}

void shim_flush(const void *p, uint64_t bytes)
{
	static int opt = -1;
	uintptr_t start = (uintptr_t)p & ~(uintptr_t)63;
	uintptr_t end = (uintptr_t)p + bytes;

	if (!bytes)
		return;
	if (opt < 0)
		opt = shim_has_clflushopt();
	if (opt)
		shim_flush_opt(start, end);
	else
		shim_flush_plain(start, end);
}
#else
/*
 * No portable flush instruction: stream through a buffer several times
 * the last-level cache instead, which leaves [@p, @p + @bytes) (almost
 * certainly) out of every cache.
 */
void shim_flush(const void *p, uint64_t bytes)
{
	static u64 *evict;
	volatile u64 sink = 0;
	u64 i, s = 0;

	(void)p;
	(void)bytes;
	if (!evict)
		evict = shim_buf_alloc(SHIM_EVICT_BYTES);
	if (!evict)
		return;
	for (i = 0; i < SHIM_EVICT_BYTES / sizeof(u64); i += 8)
		s += evict[i];
	sink = s;
	(void)sink;
}
#endif

void shim_memset(void *buf, uint64_t bytes)
{
	memset(buf, 0, bytes);
}

/* ---- waiting ------------------------------------------------------------ */

/*
 * A pause at first, so a hand-over between two spinning threads costs well
 * under a microsecond; after a while a sched_yield() instead, so that a
 * waiting thread gives way when both threads share a CPU (a machine busy
 * with something else).
 */
#define SHIM_SPINS_BEFORE_YIELD	256

void shim_spin_wait(unsigned int *spins)
{
	if (*spins < SHIM_SPINS_BEFORE_YIELD) {
		(*spins)++;
#if SHIM_X86
		_mm_pause();
#elif defined(__aarch64__)
		__asm__ volatile("yield" ::: "memory");
#endif
		return;
	}
	sched_yield();
}

/* [*@first, *@first + *@n) of @total items: part @part of @nparts. */
static void shim_part(u64 total, unsigned int part, unsigned int nparts,
		      u64 *first, u64 *n)
{
	u64 each = total / nparts;

	*first = each * part;
	*n = part + 1 == nparts ? total - *first : each;
}

/* ---- baselines ----------------------------------------------------------- */

struct shim_stream {
	u64 *words;
	u64 n;
	u64 sum;
	bool rmw;
};

/* Four sums, so the loop is bound by memory and not by one add chain. */
static void shim_stream_run(void *arg)
{
	struct shim_stream *s = arg;
	const u64 *w = s->words;
	u64 s0 = 0, s1 = 0, s2 = 0, s3 = 0, i;

	if (s->rmw) {
		for (i = 0; i < s->n; i++)
			s->words[i] &= ~(1ull << 6);
		return;
	}
	for (i = 0; i + 4 <= s->n; i += 4) {
		s0 += w[i];
		s1 += w[i + 1];
		s2 += w[i + 2];
		s3 += w[i + 3];
	}
	for (; i < s->n; i++)
		s0 += w[i];
	s->sum = s0 + s1 + s2 + s3;
}

uint64_t shim_stream_read(const void *buf, uint64_t bytes,
			  unsigned int part, unsigned int nparts)
{
	struct shim_stream st = { 0 };
	u64 first;

	shim_part(bytes / sizeof(u64), part, nparts, &first, &st.n);
	st.words = (u64 *)buf + first;
	shim_stream_run(&st);
	return st.sum;
}

void shim_stream_rmw(void *buf, uint64_t bytes, unsigned int part,
		     unsigned int nparts)
{
	struct shim_stream st = { .rmw = true };
	u64 first;

	shim_part(bytes / sizeof(u64), part, nparts, &first, &st.n);
	st.words = (u64 *)buf + first;
	shim_stream_run(&st);
}

/* ---- page tables --------------------------------------------------------- */

/*
 * talloc's ops, wrapped to remember the extent of the arena that ever held
 * a table: that is what shim_pt_flush() evicts. talloc carves its arena
 * from the bottom, so the extent has no large holes. @ops_hook, when set,
 * brackets each call into talloc (shim_pt_set_ops_hook()).
 */
struct shim_pt {
	struct iopgt pt;
	struct talloc *ta;
	const struct iopgt_ops *ta_ops;
	struct iopgt_ops ops;
	uintptr_t lo, hi;
	void (*ops_hook)(bool enter);
};

static void shim_ops_hook(const struct shim_pt *spt, bool enter)
{
	if (spt->ops_hook)
		spt->ops_hook(enter);
}

static void *shim_alloc_table(void *ctx, unsigned int size_lg2,
			      iopgt_gfp_t gfp, u64 *pa)
{
	struct shim_pt *spt = ctx;
	uintptr_t va;

	shim_ops_hook(spt, true);
	va = (uintptr_t)spt->ta_ops->alloc_table(spt->ta, size_lg2, gfp,
							    pa);
	if (va) {
		if (!spt->lo || va < spt->lo)
			spt->lo = va;
		if (va + (1ull << size_lg2) > spt->hi)
			spt->hi = va + (1ull << size_lg2);
	}
	shim_ops_hook(spt, false);
	return (void *)va;
}

static void shim_free_table(void *ctx, void *table, unsigned int size_lg2)
{
	struct shim_pt *spt = ctx;

	shim_ops_hook(spt, true);
	spt->ta_ops->free_table(spt->ta, table, size_lg2);
	shim_ops_hook(spt, false);
}

static struct iopgt_table_meta *shim_table_meta(void *ctx, void *table)
{
	struct shim_pt *spt = ctx;
	struct iopgt_table_meta *meta;

	shim_ops_hook(spt, true);
	meta = spt->ta_ops->table_meta(spt->ta, table);
	shim_ops_hook(spt, false);
	return meta;
}

/*
 * A table of @variant allowing exactly the page sizes of @pgsize_bitmap
 * (non-zero): -EOPNOTSUPP if the format lacks any of them.
 */
static struct shim_pt *shim_pt_new(int variant, u64 pgsize_bitmap,
				   u32 quirks, u64 arena_bytes, int *err)
{
	struct shim_variant v = shim_variant_of(variant);
	struct iopgt_cfg cfg = {
		.format = v.format,
		.ias = v.ias,
		.oas = v.oas,
		.levels = v.levels,
		.granule_lg2 = SHIM_GRANULE_LG2,
		.pgsize_bitmap = pgsize_bitmap,
		.quirks = quirks | v.quirks,
	};
	struct shim_pt *spt;
	int ret;

	*err = -EOPNOTSUPP;
	if (!shim_variant_available(variant))
		return NULL;
	*err = -ENOMEM;
	spt = calloc(1, sizeof(*spt));
	if (!spt)
		return NULL;
	spt->ta = talloc_create(arena_bytes, SHIM_TALLOC_FLAGS);
	if (!spt->ta) {
		free(spt);
		return NULL;
	}
	spt->ta_ops = talloc_ops();
	spt->ops = (struct iopgt_ops){
		.alloc_table = shim_alloc_table,
		.free_table = shim_free_table,
		.table_meta = shim_table_meta,
	};
	cfg.ops = &spt->ops;
	cfg.ctx = spt;
	ret = iopgt_init(&spt->pt, &cfg);
	/* A format without this page size refuses the config outright. */
	if (!ret && spt->pt.pgsize_bitmap != cfg.pgsize_bitmap) {
		iopgt_destroy(&spt->pt);
		ret = -EOPNOTSUPP;
	}
	if (ret) {
		talloc_destroy(spt->ta);
		free(spt);
		*err = ret == -EINVAL ? -EOPNOTSUPP : ret;
		return NULL;
	}
	*err = 0;
	return spt;
}

struct shim_pt *shim_pt_create(int fmt, unsigned int pgsize_lg2,
			       uint64_t arena_bytes, bool dirty_tracking,
			       int *err)
{
	if (pgsize_lg2 >= 64) {
		*err = -EINVAL;
		return NULL;
	}
	return shim_pt_new(fmt, 1ull << pgsize_lg2,
			   dirty_tracking ? IOPGT_QUIRK_DIRTY_TRACKING : 0,
			   arena_bytes, err);
}

/*
 * The sizes split, merge and cut work with: 4K, 2M, 1G with 4 KiB tables.
 * A table allows those up to the size mapped, and nothing larger: merging
 * a whole aligned 1 GiB of 2M leaves would otherwise make one 1G leaf of
 * them.
 */
#define SHIM_SPLIT_PGSIZES	((1ull << 12) | (1ull << 21) | (1ull << 30))

static bool shim_format_is_arm(int variant)
{
	enum iopgt_format fmt = shim_variant_of(variant).format;

	return fmt == IOPGT_FMT_ARM_S1 || fmt == IOPGT_FMT_ARM_S2;
}

struct shim_pt *shim_pt_create_splittable(int fmt, unsigned int pgsize_lg2,
					  uint64_t arena_bytes, int *err)
{
	u32 quirks = shim_format_is_arm(fmt) ? IOPGT_QUIRK_ARM_BBML2 : 0;

	if (pgsize_lg2 >= 64 ||
	    !(SHIM_SPLIT_PGSIZES & (1ull << pgsize_lg2))) {
		*err = -EINVAL;
		return NULL;
	}
	return shim_pt_new(fmt,
			   SHIM_SPLIT_PGSIZES & ((2ull << pgsize_lg2) - 1),
			   quirks, arena_bytes, err);
}

void shim_pt_destroy(struct shim_pt *spt)
{
	if (!spt)
		return;
	iopgt_destroy(&spt->pt);
	talloc_destroy(spt->ta);
	free(spt);
}

int shim_map(struct shim_pt *spt, uint64_t iova, uint64_t len)
{
	return iopgt_map(&spt->pt, iova, iova, len, IOPGT_READ | IOPGT_WRITE, 0,
			 NULL);
}

int shim_unmap(struct shim_pt *spt, uint64_t iova, uint64_t len)
{
	struct iopgt_gather gather;
	u64 unmapped = 0;
	int ret;

	iopgt_gather_init(&gather);
	ret = iopgt_unmap(&spt->pt, iova, len, 0, &gather, &unmapped);
	iopgt_gather_release(&spt->pt, &gather, NULL);
	if (!ret && unmapped != len)
		ret = -EIO;
	return ret;
}

void shim_pt_flush(const struct shim_pt *spt)
{
	if (spt->hi > spt->lo)
		shim_flush((const void *)spt->lo, spt->hi - spt->lo);
}

struct iopgt *shim_pt_iopgt(struct shim_pt *spt)
{
	return &spt->pt;
}

void shim_pt_set_ops_hook(struct shim_pt *spt, void (*hook)(bool enter))
{
	spt->ops_hook = hook;
}

/* ---- the device model ---------------------------------------------------- */

/*
 * How an IOMMU of each format walks a table and marks a leaf it writes
 * through, written from FORMATS.md and not through iopgt's codecs, so a
 * harvest that disagrees with the "hardware" shows up: the benchmarks
 * check that the bitmap holds exactly the pages marked. Benchmark-only; it
 * reads and writes entries with plain accesses because nothing else runs
 * while it does.
 *
 * It knows these formats, with 4 KiB tables:
 *   amdv1   leaf D bit 6 (A bit 5); a table entry has NextLevel 1..6
 *   vtd_sl  leaf D bit 9 (A bit 8); PS (bit 7) ends the walk above level 0
 *   vtd_fl  leaf D bit 6 (A bit 5); PS as vtd_sl
 *   arm_s1  DBM (bit 51) leaves: a write clears AP[2] (bit 7)
 *   arm_s2  DBM (bit 51) leaves: a write sets S2AP[1] (bit 7)
 *           (with LPA2 too: the tables' addresses are below 2^48, where
 *           bits 47:12 hold all of them and bits 49:48 and 9:8 are 0)
 *   riscv, riscv_g  leaf D bit 7 (A bit 6); R=W=X=0 (bits 3:1) is a table
 *           entry, whose child's PPN is bits 53:10 (@child_pa)
 * and nothing else (-EOPNOTSUPP): a format of the list without an entry
 * here runs every benchmark but those that need a device, which report
 * it not applicable. Every leaf is taken to have its level's natural size,
 * as every leaf the benchmarks map has. A leaf is dirty when (pte &
 * dirty_mask) == dirty_val; a device write needs every bit of @need
 * (present and writable), sets @write_set and clears @write_clear; the
 * naive harvester's test-and-clear undoes the dirty part of that.
 */
struct shim_dev {
	bool (*present)(u64 pte);
	bool (*is_table)(u64 pte);	/* asked only above level 0 */
	u64 oa_mask;			/* a table entry's child address */
	u64 (*child_pa)(u64 pte);	/* instead, where it is not a mask */
	u64 dirty_mask, dirty_val;
	u64 need;
	u64 write_set, write_clear;
	u64 clean_set, clean_clear;
};

static bool shim_bit0_present(u64 pte)
{
	return pte & 1;
}

static bool shim_vtd_sl_present(u64 pte)
{
	return pte & 3;			/* R or W */
}

static bool shim_amdv1_is_table(u64 pte)
{
	u64 nl = (pte >> 9) & 7;	/* NextLevel: 0 and 7 are leaves */

	return nl != 0 && nl != 7;
}

static bool shim_ps_is_table(u64 pte)
{
	return !(pte & (1ull << 7));
}

static bool shim_arm_is_table(u64 pte)
{
	return pte & 2;
}

static bool shim_riscv_is_table(u64 pte)
{
	return !(pte & 0xe);		/* R, W, X all clear */
}

static u64 shim_riscv_child_pa(u64 pte)
{
	return ((pte >> 10) & ((1ull << 44) - 1)) << 12;
}

#define SHIM_BIT(n)	(1ull << (n))
#define SHIM_OA_51_12	0x000ffffffffff000ull
#define SHIM_OA_47_12	0x0000fffffffff000ull

static const struct shim_dev shim_devs[IOPGT_FMT_COUNT] = {
	[IOPGT_FMT_AMDV1] = {
		.present = shim_bit0_present,
		.is_table = shim_amdv1_is_table,
		.oa_mask = SHIM_OA_51_12,
		.dirty_mask = SHIM_BIT(0) | SHIM_BIT(6),
		.dirty_val = SHIM_BIT(0) | SHIM_BIT(6),
		.need = SHIM_BIT(0) | SHIM_BIT(62),		/* PR, IW */
		.write_set = SHIM_BIT(5) | SHIM_BIT(6),
		.clean_clear = SHIM_BIT(6),
	},
	[IOPGT_FMT_VTD_SL] = {
		.present = shim_vtd_sl_present,
		.is_table = shim_ps_is_table,
		.oa_mask = SHIM_OA_51_12,
		.dirty_mask = SHIM_BIT(9),
		.dirty_val = SHIM_BIT(9),
		.need = SHIM_BIT(1),				/* W */
		.write_set = SHIM_BIT(8) | SHIM_BIT(9),
		.clean_clear = SHIM_BIT(9),
	},
	[IOPGT_FMT_VTD_FL] = {
		.present = shim_bit0_present,
		.is_table = shim_ps_is_table,
		.oa_mask = SHIM_OA_51_12,
		.dirty_mask = SHIM_BIT(0) | SHIM_BIT(6),
		.dirty_val = SHIM_BIT(0) | SHIM_BIT(6),
		.need = SHIM_BIT(0) | SHIM_BIT(1),		/* P, RW */
		.write_set = SHIM_BIT(5) | SHIM_BIT(6),
		.clean_clear = SHIM_BIT(6),
	},
	[IOPGT_FMT_ARM_S1] = {
		.present = shim_bit0_present,
		.is_table = shim_arm_is_table,
		.oa_mask = SHIM_OA_47_12,
		.dirty_mask = SHIM_BIT(0) | SHIM_BIT(7) | SHIM_BIT(51),
		.dirty_val = SHIM_BIT(0) | SHIM_BIT(51),
		.need = SHIM_BIT(0) | SHIM_BIT(51),	/* valid, DBM */
		.write_set = SHIM_BIT(10),			/* AF */
		.write_clear = SHIM_BIT(7),
		.clean_set = SHIM_BIT(7),
	},
	[IOPGT_FMT_ARM_S2] = {
		.present = shim_bit0_present,
		.is_table = shim_arm_is_table,
		.oa_mask = SHIM_OA_47_12,
		.dirty_mask = SHIM_BIT(0) | SHIM_BIT(7) | SHIM_BIT(51),
		.dirty_val = SHIM_BIT(0) | SHIM_BIT(7) | SHIM_BIT(51),
		.need = SHIM_BIT(0) | SHIM_BIT(51),	/* valid, DBM */
		/* S2AP[1], AF */
		.write_set = SHIM_BIT(7) | SHIM_BIT(10),
		.clean_clear = SHIM_BIT(7),
	},
#define SHIM_RISCV_DEV {						\
		.present = shim_bit0_present,				\
		.is_table = shim_riscv_is_table,			\
		.child_pa = shim_riscv_child_pa,			\
		.dirty_mask = SHIM_BIT(0) | SHIM_BIT(7),		\
		.dirty_val = SHIM_BIT(0) | SHIM_BIT(7),			\
		.need = SHIM_BIT(0) | SHIM_BIT(2),	/* V, W */	\
		.write_set = SHIM_BIT(6) | SHIM_BIT(7),	/* A, D */	\
		.clean_clear = SHIM_BIT(7),				\
	}
	[IOPGT_FMT_RISCV] = SHIM_RISCV_DEV,
	[IOPGT_FMT_RISCV_G] = SHIM_RISCV_DEV,
#undef SHIM_RISCV_DEV
};

/* The device of @variant's format (a variant's tables walk the same way) */
static const struct shim_dev *shim_dev_of(int variant)
{
	int fmt = (int)shim_variant_of(variant).format;

	if (fmt <= IOPGT_FMT_NONE || fmt >= IOPGT_FMT_COUNT ||
	    !shim_devs[fmt].present)
		return NULL;
	return &shim_devs[fmt];
}

bool shim_format_has_device(int fmt)
{
	return shim_dev_of(fmt) != NULL;
}

static u64 *shim_dev_child(const struct shim_dev *dev, u64 pte)
{
	if (dev->child_pa)
		return (u64 *)(uintptr_t)dev->child_pa(pte);
	return (u64 *)(uintptr_t)(pte & dev->oa_mask);
}

static unsigned int shim_item_lg2(unsigned int level)
{
	return SHIM_GRANULE_LG2 + SHIM_BPL * level;
}

/* ---- the harvest fixture ------------------------------------------------- */

struct shim_hv {
	struct shim_pt *spt;
	const struct shim_dev *dev;
	u64 len;
	unsigned int pgsize_lg2;
	u64 *words;
	u64 words_bytes;
	struct iopgt_bitmap bm;
};

struct shim_hv *shim_hv_create(int fmt, unsigned int pgsize_lg2, uint64_t len,
			       int *err)
{
	struct shim_hv *hv;
	u64 leaves, arena;

	*err = -EINVAL;
	if (pgsize_lg2 < SHIM_GRANULE_LG2 || pgsize_lg2 >= 64 || !len ||
	    (len & ((1ull << pgsize_lg2) - 1)) ||
	    (len & ((64ull << SHIM_BITMAP_SHIFT) - 1)))
		return NULL;
	*err = -ENOMEM;
	hv = calloc(1, sizeof(*hv));
	if (!hv)
		return NULL;
	hv->dev = shim_dev_of(fmt);
	hv->len = len;
	hv->pgsize_lg2 = pgsize_lg2;

	/* Leaf tables, the levels above them (1/512 as much), and slack */
	leaves = len >> pgsize_lg2;
	arena = 2 * leaves * sizeof(u64) + (64ull << 20);
	hv->spt = shim_pt_create(fmt, pgsize_lg2, arena, true, err);
	if (!hv->spt)
		goto fail;
	*err = shim_map(hv->spt, 0, len);
	if (*err)
		goto fail;

	*err = -ENOMEM;
	hv->words_bytes = (len >> SHIM_BITMAP_SHIFT) / 8;
	hv->words = shim_buf_alloc(hv->words_bytes);
	if (!hv->words)
		goto fail;
	hv->bm = (struct iopgt_bitmap){
		.base = 0,
		.pgshift = SHIM_BITMAP_SHIFT,
		.words = hv->words,
		.nbits = len >> SHIM_BITMAP_SHIFT,
	};
	*err = 0;
	return hv;

fail:
	shim_hv_destroy(hv);
	return NULL;
}

void shim_hv_destroy(struct shim_hv *hv)
{
	if (!hv)
		return;
	shim_buf_free(hv->words, hv->words_bytes);
	shim_pt_destroy(hv->spt);
	free(hv);
}

uint64_t shim_hv_leaves(const struct shim_hv *hv)
{
	return hv->len >> hv->pgsize_lg2;
}

uint64_t shim_hv_entry_bytes(const struct shim_hv *hv)
{
	return shim_hv_leaves(hv) * sizeof(u64);
}

/* A fixed hash of the page number: which leaves a (seed, share) marks. */
static u64 shim_mix(u64 x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

struct shim_mark {
	const struct shim_dev *dev;
	u64 seed;
	u64 threshold;		/* marked iff mix < threshold */
	bool all;
	u64 pages;
	int err;
};

static void shim_mark_walk(struct shim_mark *m, u64 *table, unsigned int level,
			   unsigned int n_lg2, u64 iova)
{
	const struct shim_dev *dev = m->dev;
	unsigned int item_lg2 = shim_item_lg2(level);
	u64 i, n = 1ull << n_lg2, pte, leaf_iova;

	for (i = 0; i < n; i++) {
		pte = table[i];
		if (!dev->present(pte))
			continue;
		leaf_iova = iova + (i << item_lg2);
		if (level && dev->is_table(pte)) {
			shim_mark_walk(m, shim_dev_child(dev, pte), level - 1,
				       SHIM_BPL, leaf_iova);
			continue;
		}
		if (!m->all && shim_mix(m->seed ^ (leaf_iova >> 12)) >=
			       m->threshold)
			continue;
		if ((pte & dev->need) != dev->need) {
			m->err = -EIO;
			continue;
		}
		table[i] = (pte | dev->write_set) & ~dev->write_clear;
		m->pages += 1ull << (item_lg2 - SHIM_BITMAP_SHIFT);
	}
}

/* Mark what @m selects among every leaf of @pt's table. */
static int shim_mark(struct shim_mark *m, const struct iopgt *pt,
		     uint64_t *pages)
{
	if (!m->dev)
		return -EOPNOTSUPP;
	if (m->all || m->threshold)
		shim_mark_walk(m, pt->root, pt->levels - 1, pt->top_lg2, 0);
	if (pages)
		*pages = m->pages;
	return m->err;
}

int shim_hv_mark(struct shim_hv *hv, unsigned int dirty_pct, uint64_t seed,
		 uint64_t *pages)
{
	struct shim_mark m = {
		.dev = hv->dev,
		.seed = seed,
		.threshold = (u64)dirty_pct * (UINT64_MAX / 100),
		.all = dirty_pct >= 100,
	};

	return shim_mark(&m, &hv->spt->pt, pages);
}

int shim_pt_mark_all(struct shim_pt *spt, uint64_t *pages)
{
	struct shim_mark m = {
		.dev = shim_dev_of(spt->pt.cfg.format),
		.all = true,
	};

	return shim_mark(&m, &spt->pt, pages);
}

void shim_hv_make_cold(struct shim_hv *hv)
{
	memset(hv->words, 0, hv->words_bytes);
	shim_pt_flush(hv->spt);
	shim_flush(hv->words, hv->words_bytes);
}

uint64_t shim_hv_bitmap_weight(const struct shim_hv *hv)
{
	u64 i, n = hv->words_bytes / sizeof(u64), w = 0;

	for (i = 0; i < n; i++)
		w += (u64)__builtin_popcountll(hv->words[i]);
	return w;
}

struct shim_hv_job {
	struct shim_hv *hv;
	u64 iova, len;
	const struct iopgt_bitmap *bm;
	int ret;
};

static void shim_harvest_run(void *arg)
{
	struct shim_hv_job *j = arg;
	struct iopgt *pt = &j->hv->spt->pt;
	struct iopgt_gather gather;

	iopgt_gather_init(&gather);
	j->ret = iopgt_read_dirty(pt, j->iova, j->len, 0, j->bm, &gather);
	iopgt_gather_release(pt, &gather, NULL);
}

/*
 * The naive harvester: what a driver without a range walk does. Each leaf
 * costs a walk from the root; a dirty one is cleaned with an atomic
 * test-and-clear (a clean one only read, as Linux's drivers do) and its
 * bits are set one at a time. It reads each slot as a leaf of its level's
 * size, which is what every leaf the benchmarks map is. Always inlined
 * into one copy per format, so that, like a driver's, its entry tests are
 * inline code and not calls through the device table.
 */
static inline __attribute__((always_inline)) void
shim_naive_walk(struct shim_hv_job *j, const struct shim_dev *dev)
{
	const struct iopgt *pt = &j->hv->spt->pt;
	u64 *words = j->hv->words, iova = j->iova, last = j->iova + j->len - 1;
	u64 *table, *ptep, pte, old, bit, last_bit, step;
	unsigned int level, n_lg2, shift;

	while (iova <= last) {
		table = pt->root;
		level = pt->levels - 1;
		n_lg2 = pt->top_lg2;
		for (;;) {
			shift = shim_item_lg2(level);
			ptep = &table[(iova >> shift) &
				      ((1ull << n_lg2) - 1)];
			pte = __atomic_load_n(ptep, __ATOMIC_RELAXED);
			if (dev->present(pte) && level &&
			    dev->is_table(pte)) {
				table = shim_dev_child(dev, pte);
				level--;
				n_lg2 = SHIM_BPL;
				continue;
			}
			break;
		}
		step = 1ull << shift;
		if (dev->present(pte) &&
		    (pte & dev->dirty_mask) == dev->dirty_val) {
			if (dev->clean_clear)
				old = __atomic_fetch_and(ptep,
							 ~dev->clean_clear,
							 __ATOMIC_SEQ_CST);
			else
				old = __atomic_fetch_or(ptep, dev->clean_set,
							__ATOMIC_SEQ_CST);
			if ((old & dev->dirty_mask) == dev->dirty_val) {
				bit = (iova & ~(step - 1)) >> SHIM_BITMAP_SHIFT;
				last_bit = shim_min(iova | (step - 1), last) >>
					   SHIM_BITMAP_SHIFT;
				for (; bit <= last_bit; bit++)
					words[bit / 64] |= 1ull << (bit % 64);
			}
		}
		iova = (iova & ~(step - 1)) + step;
		if (!iova)
			break;
	}
	j->ret = 0;
}

/*
 * One case per format of the list. Only reached with a device model
 * (shim_hv_harvest_naive() checks), so a format without one costs an
 * unused copy.
 */
#define SHIM_NAIVE_CASE(ENUM, name, FOLDER)				\
	case IOPGT_FMT_##ENUM:						\
		shim_naive_walk(j, &shim_devs[IOPGT_FMT_##ENUM]);	\
		break;

static void shim_naive_run(void *arg)
{
	struct shim_hv_job *j = arg;

	switch (j->hv->spt->pt.cfg.format) {
	IOPGT_FORMAT_LIST(SHIM_NAIVE_CASE)
	default:
		j->ret = -EOPNOTSUPP;
		break;
	}
}

/* Run @fn on part @part of @nparts of the range, in whole leaves. */
static int shim_hv_run(struct shim_hv *hv, unsigned int part,
		       unsigned int nparts, void (*fn)(void *))
{
	struct shim_hv_job job = { .hv = hv, .bm = &hv->bm };
	u64 first, n;

	if (!nparts || part >= nparts)
		return -EINVAL;
	/* Each part must hold whole leaves, or no part could clean them. */
	shim_part(hv->len >> hv->pgsize_lg2, part, nparts, &first, &n);
	if (!n)
		return -EINVAL;
	job.iova = first << hv->pgsize_lg2;
	job.len = n << hv->pgsize_lg2;
	fn(&job);
	return job.ret;
}

int shim_hv_harvest(struct shim_hv *hv, unsigned int part,
		    unsigned int nparts)
{
	return shim_hv_run(hv, part, nparts, shim_harvest_run);
}

int shim_hv_harvest_naive(struct shim_hv *hv, unsigned int part,
			  unsigned int nparts)
{
	if (!hv->dev)
		return -EOPNOTSUPP;
	return shim_hv_run(hv, part, nparts, shim_naive_run);
}

int shim_hv_clean_all(struct shim_hv *hv)
{
	struct shim_hv_job job = { .hv = hv, .iova = 0, .len = hv->len };

	shim_harvest_run(&job);
	return job.ret;
}

/* ---- the split and merge fixture ----------------------------------------- */

/* The sizes split and merge fixtures work with (shim_pt_create_splittable) */
#define SHIM_SM_PGSIZES	SHIM_SPLIT_PGSIZES

struct shim_sm {
	struct shim_pt *spt;
	const struct shim_dev *dev;	/* NULL: no leaf count in the check */
	u64 len;
	unsigned int from_lg2, to_lg2;
	u64 live_mapped;		/* tables holding the @from_lg2 leaves */
};

/* The level whose items are 2^@size_lg2 bytes (a size in SHIM_SM_PGSIZES) */
static unsigned int shim_size_level(unsigned int size_lg2)
{
	return (size_lg2 - SHIM_GRANULE_LG2) / SHIM_BPL;
}

uint64_t shim_sm_small_leaves(const struct shim_sm *sm)
{
	return sm->len >> sm->to_lg2;
}

uint64_t shim_sm_slots(const struct shim_sm *sm)
{
	return sm->len >> sm->from_lg2;
}

/* Tables at every level from the target's up to below the large leaves' */
static u64 shim_sm_tables(const struct shim_sm *sm)
{
	unsigned int level, from_level = shim_size_level(sm->from_lg2);
	u64 n = 0;

	for (level = shim_size_level(sm->to_lg2); level < from_level; level++)
		n += sm->len >> (shim_item_lg2(level) + SHIM_BPL);
	return n;
}

uint64_t shim_sm_table_entries(const struct shim_sm *sm)
{
	return shim_sm_tables(sm) << SHIM_BPL;
}

struct shim_sm *shim_sm_create(int fmt, unsigned int from_lg2,
			       unsigned int to_lg2, uint64_t len, int *err)
{
	struct shim_sm *sm;
	u64 arena;

	*err = -EINVAL;
	if (from_lg2 >= 64 || to_lg2 >= from_lg2 ||
	    !(SHIM_SM_PGSIZES & SHIM_BIT(from_lg2)) ||
	    !(SHIM_SM_PGSIZES & SHIM_BIT(to_lg2)) || !len ||
	    (len & ((1ull << from_lg2) - 1)))
		return NULL;
	*err = -ENOMEM;
	sm = calloc(1, sizeof(*sm));
	if (!sm)
		return NULL;
	sm->dev = shim_dev_of(fmt);
	sm->len = len;
	sm->from_lg2 = from_lg2;
	sm->to_lg2 = to_lg2;

	/* The split's tables, the levels above them, and slack */
	arena = 2 * shim_sm_table_entries(sm) * sizeof(u64) + (64ull << 20);
	sm->spt = shim_pt_create_splittable(fmt, from_lg2, arena, err);
	if (!sm->spt)
		goto fail;
	*err = shim_map(sm->spt, 0, len);
	if (*err)
		goto fail;
	sm->live_mapped = talloc_live(sm->spt->ta);
	*err = 0;
	return sm;

fail:
	shim_sm_destroy(sm);
	return NULL;
}

void shim_sm_destroy(struct shim_sm *sm)
{
	if (!sm)
		return;
	shim_pt_destroy(sm->spt);
	free(sm);
}

int shim_sm_split(struct shim_sm *sm)
{
	struct iopgt *pt = &sm->spt->pt;
	struct iopgt_gather gather;
	int ret;

	iopgt_gather_init(&gather);
	ret = iopgt_split(pt, 0, sm->len, sm->to_lg2, 0, 0, &gather);
	iopgt_gather_release(pt, &gather, NULL);
	return ret;
}

int shim_sm_merge(struct shim_sm *sm)
{
	struct iopgt *pt = &sm->spt->pt;
	struct iopgt_gather gather;
	int ret;

	iopgt_gather_init(&gather);
	ret = iopgt_merge(pt, 0, sm->len, 0, &gather);
	iopgt_gather_release(pt, &gather, NULL);
	return ret;
}

/*
 * Count the leaves at @leaf_level (in *@good) and anywhere else (in *@bad),
 * walking as the device model does.
 */
static void shim_census_walk(const struct shim_dev *dev, const u64 *table,
			     unsigned int level, unsigned int n_lg2,
			     unsigned int leaf_level, u64 *good, u64 *bad)
{
	u64 i, pte;

	for (i = 0; i < 1ull << n_lg2; i++) {
		pte = table[i];
		if (!dev->present(pte))
			continue;
		if (level && dev->is_table(pte))
			shim_census_walk(dev, shim_dev_child(dev, pte),
					 level - 1, SHIM_BPL, leaf_level, good,
					 bad);
		else if (level == leaf_level)
			(*good)++;
		else
			(*bad)++;
	}
}

int shim_sm_check(const struct shim_sm *sm, unsigned int leaf_lg2)
{
	const struct iopgt *pt = &sm->spt->pt;
	u64 live = sm->live_mapped, good = 0, bad = 0;

	if (leaf_lg2 != sm->from_lg2 && leaf_lg2 != sm->to_lg2)
		return -EINVAL;
	if (leaf_lg2 == sm->to_lg2)
		live += shim_sm_tables(sm);
	if (talloc_live(sm->spt->ta) != live)
		return -EIO;
	if (!sm->dev)
		return 0;
	shim_census_walk(sm->dev, pt->root, pt->levels - 1, pt->top_lg2,
			 shim_size_level(leaf_lg2), &good, &bad);
	return !bad && good == sm->len >> leaf_lg2 ? 0 : -EIO;
}

/* The ragged passes' fixture: 2M leaves, cut down to 4K ones */
static bool shim_sm_ragged_ok(const struct shim_sm *sm)
{
	return sm->from_lg2 == 21 && sm->to_lg2 == 12;
}

uint64_t shim_sm_ragged_calls(const struct shim_sm *sm)
{
	return shim_sm_ragged_ok(sm) ? sm->len >> (sm->from_lg2 + 1) : 0;
}

static u64 shim_sm_ragged_iova(const struct shim_sm *sm, u64 k)
{
	return (2 * k << sm->from_lg2) + SHIM_CUT_HEAD;
}

static u64 shim_sm_ragged_len(const struct shim_sm *sm)
{
	return (1ull << sm->from_lg2) - SHIM_CUT_HEAD + SHIM_CUT_TAIL;
}

int shim_sm_ragged(struct shim_sm *sm, bool cut)
{
	struct iopgt *pt = &sm->spt->pt;
	u64 k, calls = shim_sm_ragged_calls(sm), len = shim_sm_ragged_len(sm);
	u64 want = cut ? len : 2ull << sm->from_lg2, unmapped;
	struct iopgt_gather gather;
	int ret = 0;

	if (!calls)
		return -EINVAL;
	for (k = 0; k < calls && !ret; k++) {
		unmapped = 0;
		iopgt_gather_init(&gather);
		ret = iopgt_unmap(pt, shim_sm_ragged_iova(sm, k), len,
				  cut ? IOPGT_UNMAP_CUT : 0, &gather,
				  &unmapped);
		iopgt_gather_release(pt, &gather, NULL);
		if (!ret && unmapped != want)
			ret = -EIO;
	}
	return ret;
}

/* Does @iova translate to itself (*@mapped) or not at all? */
static int shim_translates(struct iopgt *pt, u64 iova, bool *mapped)
{
	u64 pa;
	int ret = iopgt_iova_to_phys(pt, iova, &pa);

	*mapped = !ret;
	if (ret == -ENOENT)
		return 0;
	return !ret && pa != iova ? -EIO : ret;
}

int shim_sm_ragged_check(const struct shim_sm *sm, bool cut)
{
	struct iopgt *pt = &sm->spt->pt;
	u64 k, calls = shim_sm_ragged_calls(sm), len = shim_sm_ragged_len(sm);
	u64 iova, good = 0, bad = 0, kept;
	bool out0, in0, in1, out1;
	int ret = 0;

	if (!calls)
		return -EINVAL;
	for (k = 0; k < calls && !ret; k++) {
		iova = shim_sm_ragged_iova(sm, k);
		ret = shim_translates(pt, iova - SHIM_BIT(12), &out0);
		if (!ret)
			ret = shim_translates(pt, iova, &in0);
		if (!ret)
			ret = shim_translates(pt, iova + len - SHIM_BIT(12),
					      &in1);
		if (!ret)
			ret = shim_translates(pt, iova + len, &out1);
		if (!ret && (in0 || in1 || out0 != cut || out1 != cut))
			ret = -EIO;
	}
	if (ret)
		return -EIO;
	/* a cut makes one leaf table per 2M leaf, holding what it keeps */
	if (cut && talloc_live(sm->spt->ta) != sm->live_mapped + 2 * calls)
		return -EIO;
	if (!sm->dev)
		return 0;
	kept = cut ? calls * ((2ull << sm->from_lg2) - len) >> 12 : 0;
	shim_census_walk(sm->dev, pt->root, pt->levels - 1, pt->top_lg2, 0,
			 &good, &bad);
	return !bad && good == kept ? 0 : -EIO;
}

int shim_sm_remap(struct shim_sm *sm)
{
	struct iopgt *pt = &sm->spt->pt;
	struct iopgt_gather gather;
	int ret;

	iopgt_gather_init(&gather);
	ret = iopgt_unmap(pt, 0, sm->len, 0, &gather, NULL);
	iopgt_gather_release(pt, &gather, NULL);
	if (ret && ret != -ENOENT)
		return ret;
	ret = shim_map(sm->spt, 0, sm->len);
	return ret ? ret : shim_sm_check(sm, sm->from_lg2);
}

int shim_sm_validate(struct shim_sm *sm)
{
	return iopgt_validate(&sm->spt->pt, NULL) ? -EIO : 0;
}
