/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Self-test of the software IOMMU: page tables built by hand as raw u64
 * arrays, entry bits written from FORMATS.md, so the model is checked
 * without the engine.
 *
 * Build and run:
 *   cc -std=gnu11 -Wall -Wextra -Iinclude -Itests \
 *      tests/hwmodel/hwmodel*.c -lpthread -o hwm_selftest && ./hwm_selftest
 * Exit status 0 when every check passed.
 */
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "hwmodel.h"
#include "support/selftest.h"

#define BIT(n)		(1ULL << (n))
#define GENMASK(h, l)	((~0ULL >> (63 - (h))) & (~0ULL << (l)))
#define SZ_4K		0x1000ULL
#define SZ_2M		0x200000ULL
#define SZ_1G		0x40000000ULL

/* Translation result: 0 and the PA, or the fault */
#define CHECK_XL(hw, iova, acc, want_pa)				\
	do {								\
		u64 __pa = 0;						\
		int __r = hwm_translate(hw, iova, acc, &__pa);		\
		if (__r || __pa != (u64)(want_pa)) {			\
			selftest_report(__FILE__, __LINE__,		\
				"translate %#" PRIx64 " -> %s %#" PRIx64 \
				", expected %#" PRIx64, (u64)(iova),	\
				hwm_fault_name(__r), __pa,		\
				(u64)(want_pa));			\
			hwm_dump_walk(hw, iova, stderr);		\
			selftest_failed();				\
		}							\
	} while (0)

#define CHECK_FAULT(hw, iova, acc, want)				\
	do {								\
		u64 __pa = 0;						\
		int __r = hwm_translate(hw, iova, acc, &__pa);		\
		if (__r != (want)) {					\
			selftest_report(__FILE__, __LINE__,		\
				"translate %#" PRIx64 " -> %s, expected %s",\
				(u64)(iova), hwm_fault_name(__r),	\
				hwm_fault_name(want));			\
			hwm_dump_walk(hw, iova, stderr);		\
			selftest_failed();				\
		}							\
	} while (0)

#define RD	HWM_READ
#define WR	HWM_WRITE

/* Table memory: every table of a test, freed at its end */
static void *tables[64];
static unsigned int ntables;

static u64 *table_alloc(size_t bytes)
{
	void *p = aligned_alloc(bytes, bytes);

	if (!p || ntables == sizeof(tables) / sizeof(tables[0]))
		abort();
	memset(p, 0, bytes);
	tables[ntables++] = p;
	return p;
}

static u64 *tbl(void)
{
	return table_alloc(SZ_4K);
}

static void tables_free(void)
{
	while (ntables)
		free(tables[--ntables]);
}

static u64 pa_of(const void *p)
{
	return (u64)(uintptr_t)p;
}

/* The test plays the CPU side: stores and loads as the engine does */
static void set(u64 *t, unsigned int i, u64 v)
{
	__atomic_store_n(&t[i], v, __ATOMIC_RELAXED);
}

static u64 get(u64 *t, unsigned int i)
{
	return __atomic_load_n(&t[i], __ATOMIC_RELAXED);
}

static struct hwm *mk(enum iopgt_format fmt, const struct iopgt_hw_info *info,
		      bool dirty)
{
	struct hwm_cfg cfg = {
		.format = fmt,
		.info = *info,
		.dirty_enabled = dirty,
	};
	struct hwm *hw = NULL;
	int ret = hwm_create(&hw, &cfg);

	if (ret) {
		fprintf(stderr, "hwm_create: %d\n", ret);
		abort();
	}
	return hw;
}

static int try_create(enum iopgt_format fmt, const struct iopgt_hw_info *info)
{
	struct hwm_cfg cfg = { .format = fmt, .info = *info };
	struct hwm *hw = NULL;
	int ret = hwm_create(&hw, &cfg);

	hwm_destroy(hw);
	return ret;
}

static u64 idx(u64 iova, unsigned int shift, unsigned int bits)
{
	return (iova >> shift) & (BIT(bits) - 1);
}

/* ---- AMD v1 ---- */

#define AMD_PR		BIT(0)
#define AMD_A		BIT(5)
#define AMD_D		BIT(6)
#define AMD_IR		BIT(61)
#define AMD_IW		BIT(62)
#define AMD_RW		(AMD_IR | AMD_IW)

static u64 amd_pde(const u64 *child, unsigned int next_level)
{
	return AMD_PR | ((u64)next_level << 9) | pa_of(child) | AMD_RW;
}

static u64 amd_pte(u64 oa, u64 perm)
{
	return AMD_PR | oa | perm;
}

/* NextLevel=7 leaf of 2^n bytes: OA bits 12..n-2 set, bit n-1 clear */
static u64 amd_rep(u64 oa, unsigned int n, u64 perm)
{
	u64 enc = n >= 14 ? GENMASK(n - 2, 12) : 0;

	return AMD_PR | (7ULL << 9) | oa | enc | perm;
}

static struct iopgt_hw_info amd_info(const u64 *root, unsigned int mode)
{
	struct iopgt_hw_info info = {
		.root_pa = pa_of(root),
		.levels = mode,
		.oas = 52,
	};

	info.amdv1.mode = mode;
	return info;
}

/* Three levels: root (L2) -> l1 -> l0, a 4K leaf at each index 1 */
static void test_amdv1_translate_sets_a_then_d(void)
{
	u64 *root = tbl(), *l1 = tbl(), *l0 = tbl();
	struct iopgt_hw_info info = amd_info(root, 3);
	u64 iova = SZ_1G + SZ_2M + SZ_4K;
	struct hwm_walk w;
	struct hwm_stats st;
	struct hwm *hw;

	set(root, 1, amd_pde(l1, 2));
	set(l1, 1, amd_pde(l0, 1));
	set(l0, 1, amd_pte(0x12345000, AMD_RW));
	hw = mk(IOPGT_FMT_AMDV1, &info, true);

	CHECK_XL(hw, iova + 0xabc, RD, 0x12345abc);
	CHECK(get(l0, 1) & AMD_A);
	CHECK(!(get(l0, 1) & AMD_D));
	/* A only on the leaf */
	CHECK(!(get(l1, 1) & AMD_A));

	/* Write hits the entry cached clean: D lands on the cached pte */
	CHECK_XL(hw, iova + 0x10, WR, 0x12345010);
	CHECK(get(l0, 1) & AMD_D);
	hwm_stats(hw, &st);
	CHECK_EQ(st.iotlb_hits, 1);
	CHECK_EQ(st.iotlb_misses, 1);
	CHECK_EQ(st.dirty_updates, 1);

	CHECK_EQ(hwm_walk(hw, iova, &w), 0);
	CHECK_EQ(w.oa, 0x12345000);
	CHECK_EQ(w.level, 0);
	CHECK_EQ(w.size_lg2, 12);
	CHECK_EQ(w.pte_pa, pa_of(&l0[1]));
	CHECK_EQ(w.depth, 3);
	CHECK(w.readable && w.writable && w.dirty && w.accessed);
	CHECK_EQ(w.replicas, 1);

	CHECK_FAULT(hw, iova + SZ_4K, RD, HWM_FAULT_NOT_PRESENT);
	CHECK_FAULT(hw, BIT(39), RD, HWM_FAULT_RANGE);
	CHECK_FAULT(hw, iova, 0, -EINVAL);
	hwm_stats(hw, &st);
	CHECK_EQ(st.faults, 2);
	hwm_destroy(hw);
	tables_free();
}

static void test_amdv1_permissions_and_down_the_walk(void)
{
	u64 *root = tbl(), *l1 = tbl(), *l0 = tbl(), *l0b = tbl();
	struct iopgt_hw_info info = amd_info(root, 3);
	struct hwm *hw;

	set(root, 0, amd_pde(l1, 2));
	set(l1, 0, amd_pde(l0, 1));
	set(l0, 1, amd_pte(0x5000, AMD_IR));
	set(l0, 2, amd_pte(0x6000, AMD_IW));
	set(l0, 3, amd_pte(0x7000, 0));
	/* Table entry grants read only: IW is ANDed down the walk */
	set(l1, 1, amd_pde(l0b, 1) & ~AMD_IW);
	set(l0b, 0, amd_pte(0x8000, AMD_RW));
	hw = mk(IOPGT_FMT_AMDV1, &info, true);

	CHECK_XL(hw, 0x1000, RD, 0x5000);
	CHECK_FAULT(hw, 0x1000, WR, HWM_FAULT_PERM);
	CHECK(!(get(l0, 1) & AMD_D));
	CHECK_FAULT(hw, 0x2000, RD, HWM_FAULT_PERM);
	CHECK_XL(hw, 0x2000, WR, 0x6000);
	CHECK_FAULT(hw, 0x3000, RD, HWM_FAULT_PERM);
	CHECK_XL(hw, SZ_2M, RD, 0x8000);
	CHECK_FAULT(hw, SZ_2M, WR, HWM_FAULT_PERM);
	CHECK(!(get(l0b, 0) & AMD_D));
	hwm_destroy(hw);
	tables_free();
}

static void test_amdv1_natural_leaves_and_bad_entries(void)
{
	u64 *root = tbl(), *l1 = tbl(), *l0 = tbl(), *x = tbl();
	struct iopgt_hw_info info = amd_info(root, 3);
	struct hwm_walk w;
	struct hwm *hw;

	set(root, 0, amd_pde(l1, 2));
	set(l1, 0, amd_pde(l0, 1));
	/* 2M natural leaf at level 1, 1G at level 2 */
	set(l1, 3, amd_pte(0x40000000, AMD_RW));
	set(root, 1, amd_pte(0x80000000, AMD_RW));
	/* Misaligned 2M leaf */
	set(l1, 4, amd_pte(0x40001000, AMD_RW));
	/* NextLevel not the child's level: above, and a skip */
	set(root, 2, amd_pde(x, 3));
	set(root, 3, amd_pde(x, 1));
	/* NextLevel 1..6 at level 0 */
	set(l0, 3, amd_pte(0x9000, AMD_RW) | (1ULL << 9));
	/* PR=0 with stray bits is simply empty */
	set(l0, 4, 0x9000 | AMD_RW | (1ULL << 9));
	/* NextLevel=7 size too small for level 1 */
	set(l1, 5, amd_rep(0x1000000, 16, AMD_RW));
	/* OA beyond oas 48 (table pointers are userspace addresses) */
	set(l0, 5, amd_pte(BIT(48), AMD_RW));
	info.oas = 48;
	hw = mk(IOPGT_FMT_AMDV1, &info, true);

	CHECK_XL(hw, 3 * SZ_2M + 0x1234, RD, 0x40001234);
	CHECK_EQ(hwm_walk(hw, 3 * SZ_2M, &w), 0);
	CHECK_EQ(w.size_lg2, 21);
	CHECK_EQ(w.level, 1);
	CHECK_XL(hw, SZ_1G + 0x123456, WR, 0x80123456);
	CHECK(get(root, 1) & AMD_D);
	CHECK_FAULT(hw, 4 * SZ_2M, RD, HWM_FAULT_BAD_ENTRY);
	CHECK_FAULT(hw, 2 * SZ_1G, RD, HWM_FAULT_BAD_ENTRY);
	CHECK_FAULT(hw, 3 * SZ_1G, RD, HWM_FAULT_BAD_ENTRY);
	CHECK_FAULT(hw, 3 * SZ_4K, RD, HWM_FAULT_BAD_ENTRY);
	CHECK_FAULT(hw, 4 * SZ_4K, RD, HWM_FAULT_NOT_PRESENT);
	CHECK_FAULT(hw, 5 * SZ_2M, RD, HWM_FAULT_BAD_ENTRY);
	CHECK_FAULT(hw, 5 * SZ_4K, RD, HWM_FAULT_BAD_ENTRY);
	hwm_destroy(hw);
	tables_free();
}

static void test_amdv1_replicated_leaf_dirty_in_one_slot(void)
{
	u64 *root = tbl(), *l1 = tbl(), *l0 = tbl();
	struct iopgt_hw_info info = amd_info(root, 3);
	struct hwm_walk w;
	struct hwm_stats st;
	unsigned int i;
	struct hwm *hw;

	set(root, 0, amd_pde(l1, 2));
	set(l1, 0, amd_pde(l0, 1));
	/* 64K: 16 slots of level 0, iova 0x10000..0x1ffff */
	for (i = 16; i < 32; i++)
		set(l0, i, amd_rep(0x7770000, 16, AMD_RW));
	/* 4M: 2 slots of level 1, iova 0x800000..0xbfffff */
	set(l1, 4, amd_rep(0xc00000, 22, AMD_RW));
	set(l1, 5, amd_rep(0xc00000, 22, AMD_RW));
	hw = mk(IOPGT_FMT_AMDV1, &info, true);

	CHECK_XL(hw, 0x15123, WR, 0x7775123);
	for (i = 16; i < 32; i++)
		CHECK_EQ(!!(get(l0, i) & AMD_D), i == 21);

	CHECK_EQ(hwm_walk(hw, 0x13000, &w), 0);
	CHECK_EQ(w.pte_pa, pa_of(&l0[19]));
	CHECK_EQ(w.size_lg2, 16);
	CHECK_EQ(w.replicas, 16);
	CHECK_EQ(w.leaf_iova, 0x10000);
	CHECK_EQ(w.leaf_oa, 0x7770000);
	CHECK(w.dirty);
	CHECK(!w.replica_mismatch);

	/* The IOTLB entry covers the whole 64K */
	CHECK_XL(hw, 0x1f008, RD, 0x777f008);
	hwm_stats(hw, &st);
	CHECK_EQ(st.iotlb_hits, 1);
	CHECK(!(get(l0, 31) & AMD_A));

	CHECK_XL(hw, 0xa01234, RD, 0xe01234);
	CHECK_EQ(hwm_walk(hw, 0xa01234, &w), 0);
	CHECK_EQ(w.size_lg2, 22);
	CHECK_EQ(w.level, 1);
	CHECK_EQ(w.replicas, 2);
	CHECK(!w.dirty);

	set(l0, 25, amd_rep(0x7780000, 16, AMD_RW));
	CHECK_EQ(hwm_walk(hw, 0x10000, &w), 0);
	CHECK(w.replica_mismatch);
	hwm_destroy(hw);
	tables_free();
}

static void test_amdv1_mode6_and_512g_erratum(void)
{
	u64 *root = tbl(), *t4 = tbl(), *t3 = tbl(), *t2 = tbl();
	u64 *r4 = tbl();
	struct iopgt_hw_info info = amd_info(root, 6);
	struct iopgt_hw_info info4 = amd_info(r4, 4);
	u64 iova = 0xff00000040000000ULL;
	struct hwm *hw;

	/* Mode 6: top table of 128 entries indexed by bits 63:57 */
	set(root, idx(iova, 57, 7), amd_pde(t4, 5));
	set(t4, idx(iova, 48, 9), amd_pde(t3, 4));
	set(t3, idx(iova, 39, 9), amd_pde(t2, 3));
	set(t2, idx(iova, 30, 9), amd_pte(0x80000000, AMD_RW));
	/* No leaf in the top table of mode 6 */
	set(root, 0, amd_pte(0, AMD_RW));
	hw = mk(IOPGT_FMT_AMDV1, &info, true);
	CHECK_XL(hw, iova + 0x1234, RD, 0x80001234);
	CHECK_FAULT(hw, 0x1000, RD, HWM_FAULT_BAD_ENTRY);
	hwm_destroy(hw);

	set(r4, 0, amd_pte(0, AMD_RW));
	hw = mk(IOPGT_FMT_AMDV1, &info4, true);
	CHECK_FAULT(hw, 0x1000, RD, HWM_FAULT_BAD_ENTRY);
	hwm_destroy(hw);
	tables_free();
}

static void test_amdv1_no_dirty_without_had(void)
{
	u64 *root = tbl(), *l1 = tbl(), *l0 = tbl();
	struct iopgt_hw_info info = amd_info(root, 3);
	struct hwm *hw;

	set(root, 0, amd_pde(l1, 2));
	set(l1, 0, amd_pde(l0, 1));
	set(l0, 0, amd_pte(0x3000, AMD_RW));
	hw = mk(IOPGT_FMT_AMDV1, &info, false);
	CHECK_XL(hw, 0x10, WR, 0x3010);
	CHECK_EQ(get(l0, 0), amd_pte(0x3000, AMD_RW) | AMD_A);

	/* Turning HAD on does not change what the IOTLB holds */
	hwm_set_dirty_enabled(hw, true);
	CHECK_XL(hw, 0x10, WR, 0x3010);
	CHECK(!(get(l0, 0) & AMD_D));
	hwm_invalidate(hw, 0, 0xfff, false);
	CHECK_XL(hw, 0x10, WR, 0x3010);
	CHECK(get(l0, 0) & AMD_D);
	hwm_destroy(hw);
	tables_free();
}

static void test_iotlb_stale_until_invalidated(void)
{
	u64 *root = tbl(), *l1 = tbl(), *l0 = tbl();
	struct iopgt_hw_info info = amd_info(root, 3);
	struct hwm_walk w;
	struct hwm *hw;

	set(root, 0, amd_pde(l1, 2));
	set(l1, 0, amd_pde(l0, 1));
	set(l0, 5, amd_pte(0xa000, AMD_RW));
	hw = mk(IOPGT_FMT_AMDV1, &info, true);

	CHECK_XL(hw, 0x5004, RD, 0xa004);
	set(l0, 5, amd_pte(0xb000, AMD_RW));
	CHECK_XL(hw, 0x5004, RD, 0xa004);
	CHECK_EQ(hwm_walk(hw, 0x5004, &w), 0);
	CHECK_EQ(w.oa, 0xb004);
	/* A range next to it, or an empty one, does not help */
	hwm_invalidate(hw, 0x6000, 0x6fff, true);
	hwm_invalidate(hw, 0x5fff, 0x5000, true);
	CHECK_XL(hw, 0x5004, RD, 0xa004);
	hwm_invalidate(hw, 0x5fff, 0x5fff, false);
	CHECK_XL(hw, 0x5004, RD, 0xb004);

	/* Unmapped but cached: still translates until invalidated */
	set(l0, 5, 0);
	CHECK_XL(hw, 0x5000, RD, 0xb000);
	hwm_invalidate_all(hw);
	CHECK_FAULT(hw, 0x5000, RD, HWM_FAULT_NOT_PRESENT);
	hwm_destroy(hw);
	tables_free();
}

static void test_iotlb_write_hit_dirty_rules(void)
{
	u64 *root = tbl(), *l1 = tbl(), *l0 = tbl();
	struct iopgt_hw_info info = amd_info(root, 3);
	struct hwm_stats st;
	struct hwm *hw;
	u64 v;

	set(root, 0, amd_pde(l1, 2));
	set(l1, 0, amd_pde(l0, 1));
	set(l0, 7, amd_pte(0xc000, AMD_RW));
	hw = mk(IOPGT_FMT_AMDV1, &info, true);

	CHECK_XL(hw, 0x7000, WR, 0xc000);
	CHECK(get(l0, 7) & AMD_D);
	/* Software cleans D but does not invalidate: the write is lost */
	v = get(l0, 7);
	CHECK(__atomic_compare_exchange_n(&l0[7], &v, v & ~AMD_D, false,
					  __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	CHECK_XL(hw, 0x7000, WR, 0xc000);
	CHECK(!(get(l0, 7) & AMD_D));
	hwm_stats(hw, &st);
	CHECK_EQ(st.dirty_updates, 1);
	hwm_invalidate(hw, 0x7000, 0x7fff, false);
	CHECK_XL(hw, 0x7000, WR, 0xc000);
	CHECK(get(l0, 7) & AMD_D);

	/* Cached clean, then the leaf changes: the write walks again */
	hwm_invalidate(hw, 0x7000, 0x7fff, false);
	set(l0, 7, amd_pte(0xc000, AMD_RW));
	CHECK_XL(hw, 0x7000, RD, 0xc000);
	set(l0, 7, amd_pte(0xd000, AMD_RW));
	CHECK_XL(hw, 0x7008, WR, 0xd008);
	CHECK(get(l0, 7) & AMD_D);
	hwm_stats(hw, &st);
	CHECK_EQ(st.dirty_updates, 3);

	/* Cached clean, leaf made read-only: the new walk faults */
	hwm_invalidate(hw, 0x7000, 0x7fff, false);
	set(l0, 7, amd_pte(0xd000, AMD_RW));
	CHECK_XL(hw, 0x7000, RD, 0xd000);
	set(l0, 7, amd_pte(0xd000, AMD_IR));
	CHECK_FAULT(hw, 0x7000, WR, HWM_FAULT_PERM);
	CHECK(!(get(l0, 7) & AMD_D));
	hwm_destroy(hw);
	tables_free();
}

static void test_pwc_walks_detached_table_until_invalidated(void)
{
	u64 *root = tbl(), *l1 = tbl(), *l0 = tbl(), *l0new = tbl();
	struct iopgt_hw_info info = amd_info(root, 3);
	struct hwm_stats st;
	struct hwm *hw;

	set(root, 0, amd_pde(l1, 2));
	set(l1, 0, amd_pde(l0, 1));
	set(l0, 1, amd_pte(0x11000, AMD_RW));
	set(l0, 2, amd_pte(0x12000, AMD_RW));
	set(l0new, 2, amd_pte(0x22000, AMD_RW));
	set(l0new, 3, amd_pte(0x23000, AMD_RW));
	hw = mk(IOPGT_FMT_AMDV1, &info, true);

	CHECK_XL(hw, 0x1000, RD, 0x11000);
	/* Replace the level-0 table: the cached pointer still leads to it */
	set(l1, 0, amd_pde(l0new, 1));
	CHECK_XL(hw, 0x2000, RD, 0x12000);
	hwm_stats(hw, &st);
	CHECK_EQ(st.pwc_hits, 1);
	CHECK_EQ(st.walks, 2);
	/* The old table is what got A */
	CHECK(get(l0, 2) & AMD_A);
	CHECK(!(get(l0new, 2) & AMD_A));

	/* Leaf-only invalidation keeps the table pointer */
	hwm_invalidate(hw, 0, SZ_2M - 1, false);
	CHECK_XL(hw, 0x2000, RD, 0x12000);
	hwm_invalidate(hw, 0x2000, 0x2fff, true);
	CHECK_XL(hw, 0x2000, RD, 0x22000);
	hwm_stats(hw, &st);
	CHECK_EQ(st.pwc_hits, 2);
	/* That walk went from the root and cached l0new */
	CHECK_XL(hw, 0x3008, RD, 0x23008);
	hwm_stats(hw, &st);
	CHECK_EQ(st.pwc_hits, 3);
	hwm_destroy(hw);
	tables_free();
}

/* ---- VT-d second level ---- */

#define SL_R	BIT(0)
#define SL_W	BIT(1)
#define SL_RW	(SL_R | SL_W)
#define SL_PS	BIT(7)
#define SL_A	BIT(8)
#define SL_D	BIT(9)

static struct iopgt_hw_info sl_info(const u64 *root, unsigned int aw)
{
	struct iopgt_hw_info info = {
		.root_pa = pa_of(root),
		.levels = aw + 2,
		.oas = 52,
	};

	info.vtd.aw = aw;
	return info;
}

static void test_vtd_sl_a_on_every_level_with_ssade(void)
{
	u64 *root = tbl(), *l1 = tbl(), *l0 = tbl();
	struct iopgt_hw_info info = sl_info(root, 1);
	u64 iova = SZ_1G + SZ_2M + SZ_4K;
	struct hwm_walk w;
	struct hwm *hw;

	set(root, 1, pa_of(l1) | SL_RW);
	set(l1, 1, pa_of(l0) | SL_RW);
	set(l0, 1, 0x777000 | SL_RW);

	/* SSADE off: no A/D at all */
	hw = mk(IOPGT_FMT_VTD_SL, &info, false);
	CHECK_XL(hw, iova + 8, WR, 0x777008);
	CHECK_EQ(get(root, 1), pa_of(l1) | SL_RW);
	CHECK_EQ(get(l0, 1), 0x777000 | SL_RW);
	hwm_destroy(hw);

	hw = mk(IOPGT_FMT_VTD_SL, &info, true);
	CHECK_XL(hw, iova + 8, RD, 0x777008);
	CHECK(get(root, 1) & SL_A);
	CHECK(get(l1, 1) & SL_A);
	CHECK(get(l0, 1) & SL_A);
	CHECK(!(get(l0, 1) & SL_D));
	CHECK_XL(hw, iova + 8, WR, 0x777008);
	CHECK(get(l0, 1) & SL_D);
	CHECK_EQ(hwm_walk(hw, iova, &w), 0);
	CHECK(w.dirty && w.accessed);
	CHECK_FAULT(hw, BIT(39), RD, HWM_FAULT_RANGE);
	hwm_destroy(hw);
	tables_free();
}

static void test_vtd_sl_permissions_and_superpages(void)
{
	u64 *root = tbl(), *l1 = tbl(), *l0 = tbl(), *l0b = tbl();
	struct iopgt_hw_info info = sl_info(root, 1);
	struct hwm_walk w;
	struct hwm *hw;

	set(root, 0, pa_of(l1) | SL_RW);
	set(l1, 0, pa_of(l0) | SL_RW);
	set(l0, 1, 0x1000 | SL_R);
	set(l0, 2, 0x2000 | SL_W);
	/* Neither R nor W: not present, whatever else is set */
	set(l0, 3, 0x3000 | SL_A | SL_D);
	set(l0, 4, 0x4000 | SL_RW | SL_PS);
	/* Table entry without W */
	set(l1, 1, pa_of(l0b) | SL_R);
	set(l0b, 0, 0x5000 | SL_RW);
	/* 2M superpage, misaligned one, 1G superpage */
	set(l1, 2, 0x40000000 | SL_RW | SL_PS);
	set(l1, 3, 0x40001000 | SL_RW | SL_PS);
	set(root, 1, 0x80000000 | SL_RW | SL_PS);
	hw = mk(IOPGT_FMT_VTD_SL, &info, true);

	CHECK_XL(hw, 0x1000, RD, 0x1000);
	CHECK_FAULT(hw, 0x1000, WR, HWM_FAULT_PERM);
	CHECK_FAULT(hw, 0x2000, RD, HWM_FAULT_PERM);
	CHECK_XL(hw, 0x2000, WR, 0x2000);
	CHECK_FAULT(hw, 0x3000, RD, HWM_FAULT_NOT_PRESENT);
	CHECK_FAULT(hw, 0x4000, RD, HWM_FAULT_BAD_ENTRY);
	CHECK_XL(hw, SZ_2M, RD, 0x5000);
	CHECK_FAULT(hw, SZ_2M, WR, HWM_FAULT_PERM);
	CHECK_XL(hw, 2 * SZ_2M + 0x12345, WR, 0x40012345);
	CHECK(get(l1, 2) & SL_D);
	CHECK_FAULT(hw, 3 * SZ_2M, RD, HWM_FAULT_BAD_ENTRY);
	CHECK_XL(hw, SZ_1G + 0x1234567, RD, 0x81234567);
	CHECK_EQ(hwm_walk(hw, SZ_1G, &w), 0);
	CHECK_EQ(w.size_lg2, 30);
	hwm_destroy(hw);

	/* Without 1G in the capabilities, PS at level 2 is malformed */
	info.pgsize_bitmap = BIT(12) | BIT(21);
	hw = mk(IOPGT_FMT_VTD_SL, &info, true);
	CHECK_FAULT(hw, SZ_1G, RD, HWM_FAULT_BAD_ENTRY);
	CHECK_XL(hw, 2 * SZ_2M, RD, 0x40000000);
	hwm_destroy(hw);
	tables_free();
}

static void test_vtd_sl_ps_at_level_3_is_bad(void)
{
	u64 *root = tbl();
	struct iopgt_hw_info info = sl_info(root, 2);
	struct hwm *hw;

	set(root, 0, SL_RW | SL_PS);
	hw = mk(IOPGT_FMT_VTD_SL, &info, true);
	CHECK_FAULT(hw, 0, RD, HWM_FAULT_BAD_ENTRY);
	CHECK_FAULT(hw, BIT(48), RD, HWM_FAULT_RANGE);
	hwm_destroy(hw);
	tables_free();
}

/* ---- VT-d first level (x86-64 paging) ---- */

#define FL_P	BIT(0)
#define FL_RW	BIT(1)
#define FL_US	BIT(2)
#define FL_A	BIT(5)
#define FL_D	BIT(6)
#define FL_PS	BIT(7)

static struct iopgt_hw_info fl_info(const u64 *root, unsigned int levels)
{
	struct iopgt_hw_info info = {
		.root_pa = pa_of(root),
		.levels = levels,
		.oas = 52,
	};

	info.vtd.flpm = levels - 4;
	return info;
}

static void test_vtd_fl_sets_a_and_d_always(void)
{
	u64 *l3 = tbl(), *l2 = tbl(), *l1 = tbl(), *l0 = tbl();
	struct iopgt_hw_info info = fl_info(l3, 4);
	u64 iova = BIT(39) + SZ_1G + SZ_2M + SZ_4K;
	u64 tbl_bits = FL_P | FL_RW | FL_US;
	struct hwm_walk w;
	struct hwm *hw;

	set(l3, 1, pa_of(l2) | tbl_bits);
	set(l2, 1, pa_of(l1) | tbl_bits);
	set(l1, 1, pa_of(l0) | tbl_bits);
	set(l0, 1, 0xabc000 | FL_P | FL_RW);
	/* dirty_enabled off: x86 paging updates A/D regardless */
	hw = mk(IOPGT_FMT_VTD_FL, &info, false);

	CHECK_XL(hw, iova + 0x10, RD, 0xabc010);
	CHECK(get(l3, 1) & FL_A);
	CHECK(get(l2, 1) & FL_A);
	CHECK(get(l1, 1) & FL_A);
	CHECK(get(l0, 1) & FL_A);
	CHECK(!(get(l0, 1) & FL_D));
	CHECK(!(get(l1, 1) & FL_D));
	CHECK_XL(hw, iova + 0x10, WR, 0xabc010);
	CHECK(get(l0, 1) & FL_D);
	CHECK_EQ(hwm_walk(hw, iova, &w), 0);
	CHECK(w.dirty && w.accessed && w.readable && w.writable);
	CHECK_EQ(w.depth, 4);
	hwm_destroy(hw);
	tables_free();
}

static void test_vtd_fl_permissions_large_pages_canonical(void)
{
	u64 *l3 = tbl(), *l2 = tbl(), *l1 = tbl(), *l0 = tbl(), *l1b = tbl();
	u64 *hi = tbl();
	struct iopgt_hw_info info = fl_info(l3, 4);
	u64 upper = 0xffff800000000000ULL;
	struct hwm *hw;

	set(l3, 0, pa_of(l2) | FL_P | FL_RW);
	set(l2, 0, pa_of(l1) | FL_P | FL_RW);
	set(l1, 0, pa_of(l0) | FL_P | FL_RW);
	set(l0, 1, 0x1000 | FL_P);
	/* Bit 7 at level 0 is PAT, not PS */
	set(l0, 2, 0x2000 | FL_P | FL_RW | FL_PS);
	/* Table entry without RW: the whole subtree is read-only */
	set(l2, 1, pa_of(l1b) | FL_P);
	set(l1b, 0, 0x40000000 | FL_P | FL_RW | FL_PS);
	/* 2M page with PAT (bit 12) set: not part of the OA */
	set(l1, 1, 0x40000000 | BIT(12) | FL_P | FL_RW | FL_PS);
	set(l1, 2, 0x40002000 | FL_P | FL_RW | FL_PS);
	/* PS at level 3 */
	set(l3, 2, FL_P | FL_RW | FL_PS);
	/* 1G page */
	set(l2, 2, 0x80000000 | FL_P | FL_RW | FL_PS);
	/* Upper canonical half: root index 256 */
	set(l3, 256, pa_of(hi) | FL_P | FL_RW);
	set(hi, 0, 0xc0000000 | FL_P | FL_RW | FL_PS);
	hw = mk(IOPGT_FMT_VTD_FL, &info, false);

	CHECK_XL(hw, 0x1000, RD, 0x1000);
	CHECK_FAULT(hw, 0x1000, WR, HWM_FAULT_PERM);
	CHECK_XL(hw, 0x2000, WR, 0x2000);
	CHECK_XL(hw, SZ_1G, RD, 0x40000000);
	CHECK_FAULT(hw, SZ_1G, WR, HWM_FAULT_PERM);
	CHECK_XL(hw, SZ_2M + 0x1234, WR, 0x40001234);
	CHECK(get(l1, 1) & FL_D);
	CHECK_FAULT(hw, 2 * SZ_2M, RD, HWM_FAULT_BAD_ENTRY);
	CHECK_FAULT(hw, 2 * BIT(39), RD, HWM_FAULT_BAD_ENTRY);
	CHECK_XL(hw, 2 * SZ_1G + 0x123, RD, 0x80000123);
	CHECK_FAULT(hw, BIT(47), RD, HWM_FAULT_RANGE);
	CHECK_XL(hw, upper + 0x5678, RD, 0xc0005678);
	hwm_destroy(hw);

	info.pgsize_bitmap = BIT(12) | BIT(21);
	hw = mk(IOPGT_FMT_VTD_FL, &info, false);
	CHECK_FAULT(hw, 2 * SZ_1G, RD, HWM_FAULT_BAD_ENTRY);
	hwm_destroy(hw);
	tables_free();
}

/* ---- ARM ---- */

#define ARM_TABLE	3ULL
#define ARM_PAGE	3ULL
#define ARM_BLOCK	1ULL
#define ARM_AP2		BIT(7)
#define ARM_S2AP_R	BIT(6)
#define ARM_S2AP_W	BIT(7)
#define ARM_AF		BIT(10)
#define ARM_DBM		BIT(51)
#define ARM_CONT	BIT(52)

static struct iopgt_hw_info arm_info(const u64 *root, unsigned int tg0,
				     unsigned int ias, unsigned int oas,
				     unsigned int start_level,
				     unsigned int concat)
{
	struct iopgt_hw_info info = {
		.root_pa = pa_of(root),
		.levels = 4 - start_level,
		.ias = ias,
		.oas = oas,
	};

	info.arm.tsz = 64 - ias;
	info.arm.tg0 = tg0;
	info.arm.start_level = start_level;
	info.arm.concat = concat;
	return info;
}

/* 4K granule, ias 39: ARM levels 1..3, a page at index 1 of each */
static void test_arm_s1_af_ap_dbm(void)
{
	u64 *root = tbl(), *l2 = tbl(), *l3 = tbl();
	struct iopgt_hw_info info = arm_info(root, 0, 39, 48, 1, 1);
	u64 iova = SZ_1G + SZ_2M;
	struct hwm_walk w;
	struct hwm *hw, *hw_nohd;

	set(root, 1, pa_of(l2) | ARM_TABLE);
	set(l2, 1, pa_of(l3) | ARM_TABLE);
	set(l3, 1, 0x9000 | ARM_PAGE | ARM_AF);
	set(l3, 2, 0xa000 | ARM_PAGE);
	set(l3, 3, 0xb000 | ARM_PAGE | ARM_AF | ARM_AP2);
	set(l3, 4, 0xc000 | ARM_PAGE | ARM_AF | ARM_AP2 | ARM_DBM);
	set(l3, 5, 0xd000 | ARM_BLOCK | ARM_AF);
	hw = mk(IOPGT_FMT_ARM_S1, &info, true);
	hw_nohd = mk(IOPGT_FMT_ARM_S1, &info, false);

	CHECK_XL(hw, iova + 0x1008, WR, 0x9008);
	CHECK_EQ(get(l3, 1), 0x9000 | ARM_PAGE | ARM_AF);
	CHECK_FAULT(hw, iova + 0x2000, RD, HWM_FAULT_ACCESS);
	CHECK_FAULT(hw, iova + 0x2000, WR, HWM_FAULT_ACCESS);
	CHECK(!(get(l3, 2) & ARM_AF));
	CHECK_EQ(hwm_walk(hw, iova + 0x2000, &w), HWM_FAULT_ACCESS);
	CHECK_EQ(w.oa, 0xa000);
	CHECK_XL(hw, iova + 0x3000, RD, 0xb000);
	CHECK_FAULT(hw, iova + 0x3000, WR, HWM_FAULT_PERM);

	/* Writable-clean: a read leaves it, a write clears AP[2] */
	CHECK_XL(hw, iova + 0x4000, RD, 0xc000);
	CHECK(get(l3, 4) & ARM_AP2);
	CHECK_EQ(hwm_walk(hw, iova + 0x4000, &w), 0);
	CHECK(w.writable && !w.dirty);
	CHECK_FAULT(hw_nohd, iova + 0x4000, WR, HWM_FAULT_PERM);
	CHECK_XL(hw, iova + 0x4000, WR, 0xc000);
	CHECK(!(get(l3, 4) & ARM_AP2));
	CHECK_EQ(hwm_walk(hw, iova + 0x4000, &w), 0);
	CHECK(w.dirty);

	CHECK_FAULT(hw, iova + 0x5000, RD, HWM_FAULT_BAD_ENTRY);
	CHECK_FAULT(hw, BIT(39), RD, HWM_FAULT_RANGE);
	hwm_destroy(hw);
	hwm_destroy(hw_nohd);
	tables_free();
}

static void test_arm_s1_blocks_and_contiguous_run(void)
{
	u64 *root = tbl(), *l2 = tbl(), *l3 = tbl();
	struct iopgt_hw_info info = arm_info(root, 0, 39, 48, 1, 1);
	u64 leaf = ARM_PAGE | ARM_AF | ARM_AP2 | ARM_DBM | ARM_CONT;
	struct hwm_walk w;
	struct hwm_stats st;
	unsigned int i;
	struct hwm *hw;

	set(root, 0, pa_of(l2) | ARM_TABLE);
	set(root, 2, 0x80000000 | ARM_BLOCK | ARM_AF);
	set(l2, 0, pa_of(l3) | ARM_TABLE);
	set(l2, 2, 0x40000000 | ARM_BLOCK | ARM_AF);
	set(l2, 3, 0x40001000 | ARM_BLOCK | ARM_AF);
	/* 64K contiguous run: 16 pages at slots 16..31 */
	for (i = 0; i < 16; i++)
		set(l3, 16 + i, (0x200000 + i * SZ_4K) | leaf);
	hw = mk(IOPGT_FMT_ARM_S1, &info, true);

	CHECK_XL(hw, 2 * SZ_1G + 0x1234567, RD, 0x81234567);
	CHECK_XL(hw, 2 * SZ_2M + 0x12345, RD, 0x40012345);
	CHECK_EQ(hwm_walk(hw, 2 * SZ_2M, &w), 0);
	CHECK_EQ(w.size_lg2, 21);
	CHECK_FAULT(hw, 3 * SZ_2M, RD, HWM_FAULT_BAD_ENTRY);

	CHECK_XL(hw, 0x14008, WR, 0x204008);
	for (i = 0; i < 16; i++)
		CHECK_EQ(!(get(l3, 16 + i) & ARM_AP2), i == 4);
	CHECK_EQ(hwm_walk(hw, 0x11000, &w), 0);
	CHECK_EQ(w.size_lg2, 16);
	CHECK_EQ(w.replicas, 16);
	CHECK_EQ(w.leaf_iova, 0x10000);
	CHECK_EQ(w.leaf_oa, 0x200000);
	CHECK_EQ(w.oa, 0x201000);
	CHECK(w.dirty);
	CHECK(!w.replica_mismatch);
	/* One IOTLB entry covers the run */
	hwm_stats(hw, &st);
	CHECK_XL(hw, 0x1e010, RD, 0x20e010);
	{
		struct hwm_stats st2;

		hwm_stats(hw, &st2);
		CHECK_EQ(st2.iotlb_hits, st.iotlb_hits + 1);
	}
	set(l3, 25, 0x300000 | leaf);
	CHECK_EQ(hwm_walk(hw, 0x10000, &w), 0);
	CHECK(w.replica_mismatch);
	/* That slot's own OA is not aligned to the run */
	CHECK_EQ(hwm_walk(hw, 0x19000, &w), HWM_FAULT_BAD_ENTRY);
	hwm_destroy(hw);
	tables_free();
}

/* A 512G block at ARM level 0 (4K) exists only with LPA2 descriptors */
static void test_arm_level0_block_needs_ds(void)
{
	u64 *root = tbl();
	struct iopgt_hw_info info = arm_info(root, 0, 48, 48, 0, 1);
	struct hwm *hw;

	set(root, 1, BIT(39) | ARM_BLOCK | ARM_AF);
	hw = mk(IOPGT_FMT_ARM_S1, &info, true);
	CHECK_FAULT(hw, BIT(39) + 5, RD, HWM_FAULT_BAD_ENTRY);
	hwm_destroy(hw);
	info.arm.ds = 1;
	hw = mk(IOPGT_FMT_ARM_S1, &info, true);
	CHECK_XL(hw, BIT(39) + 5, RD, BIT(39) + 5);
	hwm_destroy(hw);
	tables_free();
}

/*
 * LPA2 (DS = 1), 4K granule, ias 52: five levels from ARM level -1 (16
 * entries). Addresses are bits 49:12 with PA[51:50] in bits 9:8, in table
 * descriptors as in pages; without DS, bits 9:8 are SH and a 52-bit IA
 * or a 5-level walk is refused.
 */
static void test_arm_lpa2_5_levels_and_pa_51_50(void)
{
	u64 *root = table_alloc(0x80), *l0 = tbl(), *l1 = tbl(), *l2 = tbl();
	u64 *l3 = tbl();
	struct iopgt_hw_info info = arm_info(root, 0, 52, 52, 0, 1);
	u64 page = 0x000e000123456000ULL, block = 0x0009000000000000ULL;
	u64 iova = BIT(48) * 3 + BIT(39) + BIT(30) + BIT(21) + BIT(12);
	struct hwm_walk w;
	struct hwm *hw;

	info.arm.start_level = -1;
	info.levels = 5;
	info.arm.ds = 1;
	set(root, 3, pa_of(l0) | ARM_TABLE);
	set(l0, 1, pa_of(l1) | ARM_TABLE);
	set(l1, 1, pa_of(l2) | ARM_TABLE);
	set(l2, 1, pa_of(l3) | ARM_TABLE);
	set(l3, 1, (page & GENMASK(49, 12)) | ((page >> 50) << 8) |
		   ARM_PAGE | ARM_AF);
	set(l0, 2, (block & GENMASK(49, 12)) | ((block >> 50) << 8) |
		   ARM_BLOCK | ARM_AF);
	hw = mk(IOPGT_FMT_ARM_S1, &info, true);
	CHECK_XL(hw, iova + 0xff8, RD, page + 0xff8);
	CHECK_XL(hw, BIT(48) * 3 + 2 * BIT(39) + 0x12345678ULL, WR,
		 block + 0x12345678ULL);
	CHECK_EQ(hwm_walk(hw, BIT(48) * 3 + 2 * BIT(39), &w), 0);
	CHECK_EQ(w.size_lg2, 39);
	CHECK_EQ(w.level, 3);
	hwm_destroy(hw);

	/* no DS: neither a 52-bit IA at 4K nor a start at level -1 */
	info.arm.ds = 0;
	CHECK(hwm_create(&hw, &(struct hwm_cfg){ .format = IOPGT_FMT_ARM_S1,
						.info = info }) == -EINVAL);
	tables_free();
}

/* LPA2, 16K granule: a 64G block at ARM level 1 */
static void test_arm_lpa2_16k_64g_block(void)
{
	u64 *root = table_alloc(0x4000);
	struct iopgt_hw_info info = arm_info(root, 2, 47, 52, 1, 1);
	u64 block = 0x000c001000000000ULL;
	struct hwm *hw;

	info.arm.ds = 1;
	set(root, 1, (block & GENMASK(49, 14)) | ((block >> 50) << 8) |
		     ARM_BLOCK | ARM_AF);
	hw = mk(IOPGT_FMT_ARM_S1, &info, true);
	CHECK_XL(hw, BIT(36) + 0x876543210ULL, RD, block + 0x876543210ULL);
	hwm_destroy(hw);
	info.arm.ds = 0;
	info.oas = 48;
	hw = mk(IOPGT_FMT_ARM_S1, &info, true);
	CHECK_FAULT(hw, BIT(36), RD, HWM_FAULT_BAD_ENTRY);
	hwm_destroy(hw);
	tables_free();
}

/* 16K granule, ias 47: ARM levels 1..3 (item 64G, 32M, 16K) */
static void test_arm_16k_granule(void)
{
	u64 *root = table_alloc(0x4000), *l2 = table_alloc(0x4000);
	u64 *l3 = table_alloc(0x4000);
	struct iopgt_hw_info info = arm_info(root, 2, 47, 48, 1, 1);
	u64 iova = BIT(36) + BIT(25) + BIT(14);
	struct hwm_walk w;
	struct hwm *hw;

	set(root, 1, pa_of(l2) | ARM_TABLE);
	set(l2, 1, pa_of(l3) | ARM_TABLE);
	set(l3, 1, 0x7c000 | ARM_PAGE | ARM_AF);
	set(l2, 2, 0x4000000 | ARM_BLOCK | ARM_AF);
	/* Table address must be 16K aligned */
	set(l2, 3, (pa_of(l3) + 0x1000) | ARM_TABLE);
	set(root, 2, ARM_BLOCK | ARM_AF);
	hw = mk(IOPGT_FMT_ARM_S1, &info, true);
	CHECK_XL(hw, iova + 0x3fff, RD, 0x7ffff);
	CHECK_XL(hw, BIT(36) + 2 * BIT(25) + 0x123456, RD, 0x4123456);
	CHECK_EQ(hwm_walk(hw, BIT(36) + 2 * BIT(25), &w), 0);
	CHECK_EQ(w.size_lg2, 25);
	CHECK_FAULT(hw, BIT(36) + 3 * BIT(25), RD, HWM_FAULT_BAD_ENTRY);
	/* 64G block needs 52-bit */
	CHECK_FAULT(hw, 2 * BIT(36), RD, HWM_FAULT_BAD_ENTRY);
	hwm_destroy(hw);
	tables_free();
}

/* 64K granule, ias 48, oas 52: ARM levels 1..3 (item 4T, 512M, 64K) */
static void test_arm_64k_granule_52bit_oa(void)
{
	u64 *root = table_alloc(0x10000), *l2 = table_alloc(0x10000);
	u64 *l3 = table_alloc(0x10000);
	struct iopgt_hw_info info = arm_info(root, 1, 48, 52, 1, 1);
	u64 page = 0x000a000123450000ULL, block = 0x000b000000000000ULL;
	u64 iova = BIT(29) + BIT(16);
	struct hwm_walk w;
	struct hwm *hw;

	set(root, 0, pa_of(l2) | ARM_TABLE);
	set(l2, 1, pa_of(l3) | ARM_TABLE);
	set(l3, 1, (page & GENMASK(47, 16)) | ((page >> 48) << 12) |
		   ARM_PAGE | ARM_AF);
	set(root, 1, (block & GENMASK(47, 16)) | ((block >> 48) << 12) |
		     ARM_BLOCK | ARM_AF);
	hw = mk(IOPGT_FMT_ARM_S1, &info, true);
	CHECK_XL(hw, iova + 0xfff8, RD, page + 0xfff8);
	CHECK_XL(hw, BIT(42) + 0x123456789ULL, WR, block + 0x123456789ULL);
	CHECK_EQ(hwm_walk(hw, BIT(42), &w), 0);
	CHECK_EQ(w.size_lg2, 42);
	CHECK_EQ(w.level, 2);
	hwm_destroy(hw);

	/* 48-bit OA: bits 15:12 are not address bits, blocks stop at 512M */
	info.oas = 48;
	hw = mk(IOPGT_FMT_ARM_S1, &info, true);
	CHECK_FAULT(hw, iova, RD, HWM_FAULT_BAD_ENTRY);
	CHECK_FAULT(hw, BIT(42), RD, HWM_FAULT_BAD_ENTRY);
	hwm_destroy(hw);
	tables_free();
}

/* 4K granule, ias 40: start at ARM level 1 with two concatenated tables */
static void test_arm_s2_concatenated_top_and_s2ap(void)
{
	u64 *root = table_alloc(0x2000), *l2 = tbl(), *l3 = tbl();
	struct iopgt_hw_info info = arm_info(root, 0, 40, 48, 1, 2);
	u64 base = BIT(39) + SZ_1G;
	struct hwm_walk w;
	struct hwm *hw;

	set(root, 513, pa_of(l2) | ARM_TABLE);
	set(l2, 0, pa_of(l3) | ARM_TABLE);
	set(l3, 1, 0x1000 | ARM_PAGE | ARM_AF | ARM_S2AP_R | ARM_S2AP_W);
	set(l3, 2, 0x2000 | ARM_PAGE | ARM_AF | ARM_S2AP_R);
	set(l3, 3, 0x3000 | ARM_PAGE | ARM_AF | ARM_S2AP_W);
	set(l3, 4, 0x4000 | ARM_PAGE | ARM_AF | ARM_S2AP_R | ARM_DBM);
	set(l3, 5, 0x5000 | ARM_PAGE | ARM_S2AP_R | ARM_S2AP_W);
	hw = mk(IOPGT_FMT_ARM_S2, &info, true);

	CHECK_XL(hw, base + 0x1010, WR, 0x1010);
	CHECK_XL(hw, base + 0x2010, RD, 0x2010);
	CHECK_FAULT(hw, base + 0x2010, WR, HWM_FAULT_PERM);
	CHECK_FAULT(hw, base + 0x3010, RD, HWM_FAULT_PERM);
	CHECK_XL(hw, base + 0x3010, WR, 0x3010);
	CHECK_XL(hw, base + 0x4010, RD, 0x4010);
	CHECK(!(get(l3, 4) & ARM_S2AP_W));
	CHECK_XL(hw, base + 0x4010, WR, 0x4010);
	CHECK(get(l3, 4) & ARM_S2AP_W);
	CHECK_EQ(hwm_walk(hw, base + 0x4000, &w), 0);
	CHECK(w.dirty && w.writable);
	CHECK_FAULT(hw, base + 0x5000, RD, HWM_FAULT_ACCESS);
	CHECK_FAULT(hw, BIT(40), RD, HWM_FAULT_RANGE);
	hwm_destroy(hw);

	/* Without HD, DBM does not make it writable */
	set(l3, 4, 0x4000 | ARM_PAGE | ARM_AF | ARM_S2AP_R | ARM_DBM);
	hw = mk(IOPGT_FMT_ARM_S2, &info, false);
	CHECK_FAULT(hw, base + 0x4010, WR, HWM_FAULT_PERM);
	hwm_destroy(hw);

	/* Concatenation is stage 2 only and must match the geometry */
	info.arm.concat = 4;
	CHECK_EQ(try_create(IOPGT_FMT_ARM_S2, &info), -EINVAL);
	info.arm.concat = 2;
	CHECK_EQ(try_create(IOPGT_FMT_ARM_S1, &info), -EINVAL);
	info.arm.concat = 0;
	CHECK_EQ(try_create(IOPGT_FMT_ARM_S2, &info), 0);
	tables_free();
}

/*
 * A test world where physical addresses are not CPU addresses: table i of
 * the test lives at PA (i + 1) * 1M, below a 32-bit oas.
 */
static void *low_pa_to_virt(void *ctx, u64 pa)
{
	unsigned int i = (unsigned int)(pa >> 20);

	(void)ctx;
	if (!i || i > ntables || (pa & (SZ_2M / 2 - 1)) >= SZ_4K)
		return NULL;
	return (char *)tables[i - 1] + (pa & (SZ_4K - 1));
}

static u64 low_pa(unsigned int table)
{
	return (u64)(table + 1) << 20;
}

static void test_phys_to_virt_hook_low_pa(void)
{
	u64 *root = tbl(), *l2 = tbl(), *l3 = tbl();
	struct iopgt_hw_info info = arm_info(NULL, 0, 32, 32, 1, 1);
	struct hwm_cfg cfg = {
		.format = IOPGT_FMT_ARM_S1,
		.phys_to_virt = low_pa_to_virt,
	};
	struct hwm_walk w;
	struct hwm *hw = NULL;

	info.root_pa = low_pa(0);
	set(root, 1, low_pa(1) | ARM_TABLE);
	set(l2, 2, low_pa(2) | ARM_TABLE);
	set(l3, 3, 0x7000 | ARM_PAGE | ARM_AF | ARM_AP2 | ARM_DBM);
	/* A table pointer to no memory */
	set(root, 2, low_pa(9) | ARM_TABLE);
	cfg.info = info;
	cfg.dirty_enabled = true;
	CHECK_EQ(hwm_create(&hw, &cfg), 0);

	CHECK_XL(hw, SZ_1G + 2 * SZ_2M + 3 * SZ_4K + 4, WR, 0x7004);
	CHECK(!(get(l3, 3) & ARM_AP2));
	CHECK_EQ(hwm_walk(hw, SZ_1G + 2 * SZ_2M + 3 * SZ_4K, &w), 0);
	CHECK_EQ(w.pte_pa, low_pa(2) + 3 * 8);
	CHECK(w.dirty);
	CHECK_FAULT(hw, 2 * SZ_1G, RD, HWM_FAULT_BAD_ENTRY);
	hwm_destroy(hw);

	/* A root the hook does not know */
	cfg.info.root_pa = low_pa(7);
	CHECK_EQ(hwm_create(&hw, &cfg), -EINVAL);
	tables_free();
}

static void test_create_rejects_what_it_cannot_model(void)
{
	u64 *root = tbl();
	struct iopgt_hw_info info;

	info = amd_info(root, 7);
	CHECK_EQ(try_create(IOPGT_FMT_AMDV1, &info), -EINVAL);
	info = amd_info(root, 3);
	info.levels = 4;
	CHECK_EQ(try_create(IOPGT_FMT_AMDV1, &info), -EINVAL);
	info = amd_info(root, 3);
	info.root_pa += 8;
	CHECK_EQ(try_create(IOPGT_FMT_AMDV1, &info), -EINVAL);
	info.root_pa = 0;
	CHECK_EQ(try_create(IOPGT_FMT_AMDV1, &info), -EINVAL);
	info = sl_info(root, 4);
	CHECK_EQ(try_create(IOPGT_FMT_VTD_SL, &info), -EINVAL);
	info = fl_info(root, 4);
	info.vtd.flpm = 1;
	CHECK_EQ(try_create(IOPGT_FMT_VTD_FL, &info), -EINVAL);
	info = arm_info(root, 3, 39, 48, 1, 1);
	CHECK_EQ(try_create(IOPGT_FMT_ARM_S1, &info), -EINVAL);
	/* ias 39 with 4K needs start level 1, not 2 */
	info = arm_info(root, 0, 39, 48, 2, 1);
	CHECK_EQ(try_create(IOPGT_FMT_ARM_S1, &info), -EINVAL);
	info = arm_info(root, 0, 39, 48, 1, 1);
	info.arm.tsz = 20;
	CHECK_EQ(try_create(IOPGT_FMT_ARM_S1, &info), -EINVAL);
	info = arm_info(root, 0, 39, 48, 1, 1);
	CHECK_EQ(try_create(IOPGT_FMT_NONE, &info), -EINVAL);
	CHECK_EQ(try_create(IOPGT_FMT_ARM_S1, &info), 0);
	tables_free();
}

/*
 * A device thread translates while the main thread cleans dirty state,
 * remaps leaves, replaces a whole table and frees the old one after the
 * invalidation. ThreadSanitizer checks the races, AddressSanitizer that no
 * walk reaches the freed table after hwm_invalidate() returned.
 */
#define RACE_PAGES	32
#define RACE_ROUNDS	200

struct race {
	struct hwm *hw;
	bool stop;
	u64 iova_base;
	u64 errors;
	u64 progress;
};

static void *race_device(void *arg)
{
	struct race *r = arg;
	u64 n = 0;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		u64 iova = r->iova_base + (n % RACE_PAGES) * SZ_4K + 8;
		unsigned int acc = (n & 1) ? HWM_WRITE : HWM_READ;
		u64 pa = 0;
		int ret = hwm_translate(r->hw, iova, acc, &pa);

		/* Every mapping sends page i to 0x100000 + i*4K, or none */
		if (ret == 0 ? pa != 0x100000 + (n % RACE_PAGES) * SZ_4K + 8 :
			       ret != HWM_FAULT_NOT_PRESENT)
			__atomic_fetch_add(&r->errors, 1, __ATOMIC_RELAXED);
		n++;
		__atomic_store_n(&r->progress, n, __ATOMIC_RELEASE);
	}
	return NULL;
}

static u64 race_leaf(enum iopgt_format fmt, unsigned int i)
{
	u64 oa = 0x100000 + i * SZ_4K;

	if (fmt == IOPGT_FMT_AMDV1)
		return amd_pte(oa, AMD_RW);
	return oa | ARM_PAGE | ARM_AF | ARM_AP2 | ARM_DBM;
}

static bool race_dirty(enum iopgt_format fmt, u64 v)
{
	if (fmt == IOPGT_FMT_AMDV1)
		return v & AMD_D;
	return !(v & ARM_AP2);
}

static u64 race_clean(enum iopgt_format fmt, u64 v)
{
	if (fmt == IOPGT_FMT_AMDV1)
		return v & ~AMD_D;
	return v | ARM_AP2;
}

static u64 *race_new_l0(enum iopgt_format fmt)
{
	u64 *t = aligned_alloc(SZ_4K, SZ_4K);
	unsigned int i;

	if (!t)
		abort();
	memset(t, 0, SZ_4K);
	for (i = 0; i < RACE_PAGES; i++)
		t[i] = race_leaf(fmt, i);
	return t;
}

static void race_one(enum iopgt_format fmt)
{
	u64 *root = tbl(), *l1 = tbl(), *l0;
	struct iopgt_hw_info info = fmt == IOPGT_FMT_AMDV1 ?
				    amd_info(root, 3) :
				    arm_info(root, 0, 39, 48, 1, 1);
	struct race r = { 0 };
	struct hwm_stats st;
	pthread_t dev;
	unsigned int round, i;
	u64 link = 0;

	l0 = race_new_l0(fmt);
	if (fmt == IOPGT_FMT_AMDV1) {
		set(root, 0, amd_pde(l1, 2));
		link = amd_pde(l0, 1);
	} else {
		set(root, 0, pa_of(l1) | ARM_TABLE);
		link = pa_of(l0) | ARM_TABLE;
	}
	set(l1, 0, link);
	r.hw = mk(fmt, &info, true);
	if (pthread_create(&dev, NULL, race_device, &r))
		abort();

	for (round = 0; round < RACE_ROUNDS; round++) {
		/* Let the device run between the steps of each round */
		while (__atomic_load_n(&r.progress, __ATOMIC_ACQUIRE) <
		       (u64)round * 8)
			sched_yield();

		/* Harvest: clean what is dirty with a compare-exchange */
		for (i = 0; i < RACE_PAGES; i++) {
			u64 v = __atomic_load_n(&l0[i], __ATOMIC_RELAXED);

			if (race_dirty(fmt, v))
				__atomic_compare_exchange_n(&l0[i], &v,
					race_clean(fmt, v), false,
					__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
		}
		hwm_invalidate(r.hw, 0, RACE_PAGES * SZ_4K - 1, false);

		/* Unmap and remap one page */
		i = round % RACE_PAGES;
		__atomic_exchange_n(&l0[i], 0, __ATOMIC_SEQ_CST);
		hwm_invalidate(r.hw, i * SZ_4K, i * SZ_4K + SZ_4K - 1, false);
		__atomic_store_n(&l0[i], race_leaf(fmt, i), __ATOMIC_RELAXED);

		/* Every so often swap the whole table and free the old one */
		if (round % 16 == 15) {
			u64 *old = l0;

			l0 = race_new_l0(fmt);
			link = fmt == IOPGT_FMT_AMDV1 ? amd_pde(l0, 1) :
			       pa_of(l0) | ARM_TABLE;
			__atomic_exchange_n(&l1[0], link, __ATOMIC_SEQ_CST);
			hwm_invalidate(r.hw, 0, SZ_2M - 1, true);
			free(old);
		}
	}
	__atomic_store_n(&r.stop, true, __ATOMIC_RELEASE);
	pthread_join(dev, NULL);

	CHECK_EQ(r.errors, 0);
	CHECK(r.progress >= RACE_ROUNDS * 8 - 8);
	hwm_stats(r.hw, &st);
	CHECK(st.walks > 0);

	/* Quiet now: a clean page written after an invalidation is dirty */
	for (i = 0; i < RACE_PAGES; i++)
		l0[i] = race_clean(fmt, l0[i]);
	hwm_invalidate_all(r.hw);
	CHECK_XL(r.hw, 3 * SZ_4K, WR, 0x100000 + 3 * SZ_4K);
	CHECK(race_dirty(fmt, l0[3]));
	CHECK(!race_dirty(fmt, l0[4]));

	hwm_destroy(r.hw);
	free(l0);
	tables_free();
}

static void test_concurrent_device_and_invalidation(void)
{
	race_one(IOPGT_FMT_AMDV1);
	race_one(IOPGT_FMT_ARM_S1);
}

/* ---- RISC-V ---- */

#define RV_V		BIT(0)
#define RV_R		BIT(1)
#define RV_W		BIT(2)
#define RV_X		BIT(3)
#define RV_U		BIT(4)
#define RV_A		BIT(6)
#define RV_D		BIT(7)
#define RV_N		BIT(63)
#define RV_LEAF		(RV_V | RV_R | RV_U | RV_A)

/* A PTE's PPN field (bits 53:10) for a physical address */
static u64 rv_ppn(u64 pa)
{
	return (pa >> 12) << 10;
}

static u64 rv_table(const u64 *child)
{
	return RV_V | rv_ppn(pa_of(child));
}

static struct iopgt_hw_info rv_info(const u64 *root, unsigned int mode,
				    bool g)
{
	struct iopgt_hw_info info = {
		.root_pa = pa_of(root),
		.oas = 56,
	};

	info.riscv.mode = mode;
	info.riscv.gstage = g;
	info.riscv.ppn = pa_of(root) >> 12;
	return info;
}

/*
 * Sv39 with hardware A/D updating: leaves at every level, superpage
 * alignment, W without R, U, malformed pointers, sign-extended IOVAs.
 */
static void test_riscv_sv39_walk_permissions_superpages(void)
{
	u64 *l2 = tbl(), *l1 = tbl(), *l0 = tbl(), *hi = tbl();
	struct iopgt_hw_info info = rv_info(l2, 8, false);
	u64 upper = 0xffffffc000000000ULL;	/* bit 38 and above set */
	struct hwm_walk w;
	struct hwm *hw;

	set(l2, 0, rv_table(l1));
	set(l1, 0, rv_table(l0));
	set(l0, 1, rv_ppn(0xabc000) | RV_V | RV_R | RV_W | RV_X | RV_U);
	set(l0, 2, rv_ppn(0x2000) | RV_LEAF);
	set(l0, 3, rv_ppn(0x3000) | RV_V | RV_W | RV_U | RV_A);
	set(l0, 4, rv_ppn(0x4000) | RV_V | RV_R | RV_W | RV_A);
	set(l0, 5, rv_ppn(0x5000) | RV_V);	/* a pointer at level 0 */
	set(l1, 1, rv_ppn(0x40200000) | RV_LEAF | RV_W);
	set(l1, 2, rv_ppn(0x40201000) | RV_LEAF | RV_W);
	set(l1, 3, rv_table(tbl()) | RV_A);	/* A in a pointer */
	set(l2, 1, rv_ppn(0x80000000) | RV_LEAF | RV_D | RV_W);
	set(l2, 256, rv_table(hi));
	set(hi, 0, rv_ppn(0xc0000000) | RV_LEAF);
	hw = mk(IOPGT_FMT_RISCV, &info, true);

	/* A and D set by the walk, on the leaf only */
	CHECK_XL(hw, 0x1000 + 0x10, RD, 0xabc010);
	CHECK(get(l0, 1) & RV_A);
	CHECK(!(get(l0, 1) & RV_D));
	CHECK(!(get(l1, 0) & RV_A));
	CHECK_XL(hw, 0x1000 + 0x20, WR, 0xabc020);
	CHECK(get(l0, 1) & RV_D);
	CHECK_FAULT(hw, 0x2000, WR, HWM_FAULT_PERM);
	CHECK_XL(hw, 0x2000, RD, 0x2000);
	CHECK_FAULT(hw, 0x3000, RD, HWM_FAULT_BAD_ENTRY);
	/* device requests are user-mode: no U, no access */
	CHECK_FAULT(hw, 0x4000, RD, HWM_FAULT_PERM);
	CHECK_FAULT(hw, 0x5000, RD, HWM_FAULT_BAD_ENTRY);
	CHECK_XL(hw, SZ_2M + 0x1234, WR, 0x40201234);
	CHECK(get(l1, 1) & RV_D);
	CHECK_FAULT(hw, 2 * SZ_2M, RD, HWM_FAULT_BAD_ENTRY);
	CHECK_FAULT(hw, 3 * SZ_2M, RD, HWM_FAULT_BAD_ENTRY);
	CHECK_XL(hw, SZ_1G + 0x5678, WR, 0x80005678);
	CHECK_EQ(hwm_walk(hw, SZ_1G, &w), 0);
	CHECK(w.dirty && w.size_lg2 == 30 && w.level == 2);
	/* bits 63:39 must copy bit 38 */
	CHECK_FAULT(hw, BIT(38), RD, HWM_FAULT_RANGE);
	CHECK_FAULT(hw, BIT(39), RD, HWM_FAULT_RANGE);
	CHECK_XL(hw, upper + 0x9876, RD, 0xc0009876);
	hwm_destroy(hw);
	tables_free();
}

/* Without hardware A/D updating, A=0 and a write to D=0 fault. */
static void test_riscv_no_hw_ad_faults(void)
{
	u64 *l2 = tbl(), *l1 = tbl(), *l0 = tbl();
	struct iopgt_hw_info info = rv_info(l2, 8, false);
	struct hwm *hw;

	set(l2, 0, rv_table(l1));
	set(l1, 0, rv_table(l0));
	set(l0, 1, rv_ppn(0x1000) | RV_V | RV_R | RV_W | RV_U);
	set(l0, 2, rv_ppn(0x2000) | RV_LEAF | RV_W);
	set(l0, 3, rv_ppn(0x3000) | RV_LEAF | RV_W | RV_D);
	hw = mk(IOPGT_FMT_RISCV, &info, false);

	CHECK_FAULT(hw, 0x1000, RD, HWM_FAULT_ACCESS);
	CHECK_EQ(get(l0, 1), rv_ppn(0x1000) | RV_V | RV_R | RV_W | RV_U);
	CHECK_XL(hw, 0x2000, RD, 0x2000);
	CHECK_FAULT(hw, 0x2000, WR, HWM_FAULT_PERM);
	CHECK(!(get(l0, 2) & RV_D));
	CHECK_XL(hw, 0x3000, WR, 0x3000);
	CHECK_EQ(get(l0, 3), rv_ppn(0x3000) | RV_LEAF | RV_W | RV_D);

	/* the driver enables GADE/SADE: the same walks now update */
	hwm_set_dirty_enabled(hw, true);
	hwm_invalidate_all(hw);
	CHECK_XL(hw, 0x1000, WR, 0x1000);
	CHECK(get(l0, 1) & RV_A);
	CHECK(get(l0, 1) & RV_D);
	hwm_destroy(hw);
	tables_free();
}

/*
 * Svnapot: 16 level-0 slots, N=1, PPN[3:0] = 0b1000. The walk updates
 * the one slot it read; the run is dirty if any slot is.
 */
static void test_riscv_napot_run(void)
{
	u64 *l2 = tbl(), *l1 = tbl(), *l0 = tbl();
	struct iopgt_hw_info info = rv_info(l2, 8, false);
	u64 run = RV_N | rv_ppn(0x100000) | (8ULL << 10) | RV_LEAF | RV_W;
	struct hwm_walk w;
	struct hwm *hw;
	unsigned int i;

	set(l2, 0, rv_table(l1));
	set(l1, 0, rv_table(l0));
	for (i = 16; i < 32; i++)
		set(l0, i, run);
	/* a run encoded 0b0100: no such size */
	set(l0, 32, RV_N | rv_ppn(0x200000) | (4ULL << 10) | RV_LEAF);
	/* N above level 0 */
	set(l1, 1, RV_N | rv_ppn(0x400000) | (8ULL << 10) | RV_LEAF);
	hw = mk(IOPGT_FMT_RISCV, &info, true);

	CHECK_XL(hw, 16 * SZ_4K + 5 * SZ_4K + 0x10, WR, 0x105010);
	CHECK(get(l0, 21) & RV_D);
	CHECK(!(get(l0, 20) & RV_D));
	CHECK_XL(hw, 16 * SZ_4K + 0xf123, RD, 0x10f123);
	CHECK_EQ(hwm_walk(hw, 16 * SZ_4K, &w), 0);
	CHECK(w.dirty && w.replicas == 16 && w.size_lg2 == 16);
	CHECK(!w.replica_mismatch);
	CHECK_FAULT(hw, 32 * SZ_4K, RD, HWM_FAULT_BAD_ENTRY);
	CHECK_FAULT(hw, SZ_2M, RD, HWM_FAULT_BAD_ENTRY);
	/* a slot whose permission bits differ: the run is inconsistent */
	set(l0, 30, run & ~RV_W);
	CHECK_EQ(hwm_walk(hw, 16 * SZ_4K, &w), 0);
	CHECK(w.replica_mismatch);
	hwm_destroy(hw);

	/* an IOMMU without Svnapot (no 64K in its sizes) rejects N */
	info.pgsize_bitmap = BIT(12) | BIT(21) | BIT(30);
	hw = mk(IOPGT_FMT_RISCV, &info, true);
	CHECK_FAULT(hw, 16 * SZ_4K, RD, HWM_FAULT_BAD_ENTRY);
	hwm_destroy(hw);
	tables_free();
}

/*
 * G-stage Sv39x4: a 16 KiB root of 2048 entries, 41-bit IOVA with the
 * bits above zero, leaves without U denied.
 */
static void test_riscv_g_stage_root_and_u(void)
{
	u64 *root = table_alloc(4 * SZ_4K), *l1 = tbl(), *l0 = tbl();
	struct iopgt_hw_info info = rv_info(root, 8, true);
	u64 iova = BIT(40) + SZ_1G + SZ_4K;
	struct hwm *hw;

	set(root, 1024 + 1, rv_table(l1));
	set(l1, 0, rv_table(l0));
	set(l0, 1, rv_ppn(0x7000) | RV_LEAF | RV_W);
	set(l0, 2, rv_ppn(0x8000) | RV_V | RV_R | RV_W | RV_A);
	set(root, 2047, rv_ppn(0x1c0000000ULL) | RV_LEAF);
	hw = mk(IOPGT_FMT_RISCV_G, &info, true);

	CHECK_XL(hw, iova + 0x44, WR, 0x7044);
	CHECK(get(l0, 1) & RV_D);
	CHECK_FAULT(hw, iova + SZ_4K, RD, HWM_FAULT_PERM);
	CHECK_XL(hw, BIT(41) - SZ_1G + 0x10, RD, 0x1c0000010ULL);
	CHECK_FAULT(hw, BIT(41), RD, HWM_FAULT_RANGE);
	CHECK_FAULT(hw, ~0ULL, RD, HWM_FAULT_RANGE);
	hwm_destroy(hw);

	/* what the model refuses to be programmed with */
	CHECK_EQ(try_create(IOPGT_FMT_RISCV, &info), -EINVAL);
	info.riscv.gstage = 1;
	info.riscv.mode = 11;
	CHECK_EQ(try_create(IOPGT_FMT_RISCV_G, &info), -EINVAL);
	info.riscv.mode = 8;
	info.levels = 4;
	CHECK_EQ(try_create(IOPGT_FMT_RISCV_G, &info), -EINVAL);
	info.levels = 0;
	info.oas = 57;
	CHECK_EQ(try_create(IOPGT_FMT_RISCV_G, &info), -EINVAL);
	info.oas = 56;
	/* the G-stage root must be 16 KiB aligned */
	info.root_pa += SZ_4K;
	info.riscv.ppn = info.root_pa >> 12;
	CHECK_EQ(try_create(IOPGT_FMT_RISCV_G, &info), -EINVAL);
	info.root_pa -= SZ_4K;
	info.riscv.ppn = 0;
	CHECK_EQ(try_create(IOPGT_FMT_RISCV_G, &info), 0);
	tables_free();
}

int main(void)
{
	/* the checks stand alone: report every failure of a run */
	selftest_keep_going = true;
	SELFTEST_RUN(test_amdv1_translate_sets_a_then_d);
	SELFTEST_RUN(test_amdv1_permissions_and_down_the_walk);
	SELFTEST_RUN(test_amdv1_natural_leaves_and_bad_entries);
	SELFTEST_RUN(test_amdv1_replicated_leaf_dirty_in_one_slot);
	SELFTEST_RUN(test_amdv1_mode6_and_512g_erratum);
	SELFTEST_RUN(test_amdv1_no_dirty_without_had);
	SELFTEST_RUN(test_iotlb_stale_until_invalidated);
	SELFTEST_RUN(test_iotlb_write_hit_dirty_rules);
	SELFTEST_RUN(test_pwc_walks_detached_table_until_invalidated);
	SELFTEST_RUN(test_vtd_sl_a_on_every_level_with_ssade);
	SELFTEST_RUN(test_vtd_sl_permissions_and_superpages);
	SELFTEST_RUN(test_vtd_sl_ps_at_level_3_is_bad);
	SELFTEST_RUN(test_vtd_fl_sets_a_and_d_always);
	SELFTEST_RUN(test_vtd_fl_permissions_large_pages_canonical);
	SELFTEST_RUN(test_arm_s1_af_ap_dbm);
	SELFTEST_RUN(test_arm_s1_blocks_and_contiguous_run);
	SELFTEST_RUN(test_arm_level0_block_needs_ds);
	SELFTEST_RUN(test_arm_lpa2_5_levels_and_pa_51_50);
	SELFTEST_RUN(test_arm_lpa2_16k_64g_block);
	SELFTEST_RUN(test_arm_16k_granule);
	SELFTEST_RUN(test_arm_64k_granule_52bit_oa);
	SELFTEST_RUN(test_arm_s2_concatenated_top_and_s2ap);
	SELFTEST_RUN(test_riscv_sv39_walk_permissions_superpages);
	SELFTEST_RUN(test_riscv_no_hw_ad_faults);
	SELFTEST_RUN(test_riscv_napot_run);
	SELFTEST_RUN(test_riscv_g_stage_root_and_u);
	SELFTEST_RUN(test_phys_to_virt_hook_low_pa);
	SELFTEST_RUN(test_create_rejects_what_it_cannot_model);
	SELFTEST_RUN(test_concurrent_device_and_invalidation);
	return selftest_exit_status("hwmodel_selftest");
}
