// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * driver_glue_demo: the calls an IOMMU core and iommufd make, through the
 * driver glue of driver_glue.c, on one domain of each format built in.
 *
 * Per format: map 2 MiB and 4 KiB pages, translate, turn dirty tracking
 * on, two rounds of read_and_clear_dirty, unmap part and then the rest,
 * and check that every invalidation asked for came before the tables it
 * covers went back to the pool, and that the pool ends empty. Exits 1 at
 * the first thing that is not as expected.
 */
#include <stdio.h>
#include <stdlib.h>

#include "driver_glue.h"

#define SZ_4K	0x1000ull
#define SZ_2M	0x200000ull

#define BIG_IOVA	0x40000000ull	/* two 2 MiB pages */
#define BIG_PA		0x80000000ull
/*
 * Sixteen 4 KiB pages. Their PA is aligned to 4 KiB only, so every format
 * maps them as 4 KiB leaves (AMD v1 would otherwise make one 64 KiB leaf,
 * and an unmap of part of it would remove it whole).
 */
#define SMALL_IOVA	0x50000000ull
#define SMALL_PA	0x90001000ull

/* Table memory sits at a physical address of its own, not the CPU's. */
#define POOL_PHYS	0x100000000ull
#define POOL_PAGES	1024

struct demo_cfg {
	const char *what;
	struct iopgt_cfg cfg;
	/*
	 * Where tracking is an entry encoding (x86 first-level D, ARM DBM),
	 * turning it on leaves writable leaves dirty: the first round
	 * reports every page mapped before.
	 */
	bool starts_dirty;
};

static const struct demo_cfg demo_cfgs[] = {
	{ "amdv1 mode 4", { .format = IOPGT_FMT_AMDV1, .levels = 4 }, false },
	{ "vtd_sl 4 levels", { .format = IOPGT_FMT_VTD_SL, .levels = 4 },
	  false },
	{ "vtd_fl 4 levels", { .format = IOPGT_FMT_VTD_FL, .levels = 4 },
	  true },
	{ "arm_s1 4K ias 48", { .format = IOPGT_FMT_ARM_S1, .ias = 48,
				.granule_lg2 = 12 }, true },
	/* two concatenated top tables: an 8 KiB block from the pool */
	{ "arm_s2 4K ias 40", { .format = IOPGT_FMT_ARM_S2, .ias = 40,
				.granule_lg2 = 12 }, true },
};

/* The stand-in IOTLB: what was invalidated, and how often. */
struct iotlb {
	unsigned int flushes;
	unsigned int table_flushes;
	uint64_t last_start, last_last;
};

static void flush_range(void *priv, uint64_t start, uint64_t last,
			bool tables)
{
	struct iotlb *tlb = priv;

	tlb->flushes++;
	tlb->table_flushes += tables;
	tlb->last_start = start;
	tlb->last_last = last;
}

static const struct xdrv_flush_ops flush_ops = {
	.flush_range = flush_range,
};

static void record(void *ctx, uint64_t iova, uint64_t len)
{
	uint64_t *bytes = ctx;

	(void)iova;
	*bytes += len;
}

static int failed;

static bool expect(bool ok, const char *cfg, const char *what)
{
	if (!ok) {
		printf("FAIL %s: %s\n", cfg, what);
		failed = 1;
	}
	return ok;
}

/* One round of harvest over both mappings: the bytes reported dirty. */
static uint64_t harvest(struct xdrv_domain *dom, const char *name)
{
	struct xdrv_iotlb_gather gather;
	uint64_t bytes = 0;
	struct xdrv_dirty_bitmap dirty = {
		.record = record, .ctx = &bytes, .gather = &gather,
	};

	xdrv_iotlb_gather_init(&gather);
	expect(!xdrv_read_and_clear_dirty(dom, BIG_IOVA, 2 * SZ_2M, 0,
					  &dirty) &&
	       !xdrv_read_and_clear_dirty(dom, SMALL_IOVA, 16 * SZ_4K, 0,
					  &dirty),
	       name, "read_and_clear_dirty");
	xdrv_iotlb_sync(dom, &gather);
	return bytes;
}

static void map_and_translate(struct xdrv_domain *dom, const char *name)
{
	int prot = XDRV_READ | XDRV_WRITE | XDRV_CACHE;
	size_t mapped;

	expect(!xdrv_map_pages(dom, BIG_IOVA, BIG_PA, SZ_2M, 2, prot, 0,
			       &mapped) && mapped == 2 * SZ_2M,
	       name, "map_pages 2 x 2 MiB");
	expect(!xdrv_map_pages(dom, SMALL_IOVA, SMALL_PA, SZ_4K, 16, prot, 0,
			       &mapped) && mapped == 16 * SZ_4K,
	       name, "map_pages 16 x 4 KiB");
	expect(xdrv_iova_to_phys(dom, BIG_IOVA + SZ_2M + 0x1234) ==
	       BIG_PA + SZ_2M + 0x1234, name, "iova_to_phys, 2 MiB page");
	expect(xdrv_iova_to_phys(dom, SMALL_IOVA + 15 * SZ_4K + 8) ==
	       SMALL_PA + 15 * SZ_4K + 8, name, "iova_to_phys, 4 KiB page");
	expect(xdrv_iova_to_phys(dom, SMALL_IOVA + 16 * SZ_4K) == 0,
	       name, "iova_to_phys past the mapping is 0");
}

static void unmap_all(struct xdrv_domain *dom, struct iotlb *tlb,
		      const char *name)
{
	struct xdrv_iotlb_gather gather;
	unsigned int flushes = tlb->flushes;
	size_t unmapped;

	xdrv_iotlb_gather_init(&gather);
	unmapped = xdrv_unmap_pages(dom, SMALL_IOVA, SZ_4K, 8, &gather);
	expect(unmapped == 8 * SZ_4K, name, "unmap_pages 8 x 4 KiB");
	xdrv_iotlb_sync(dom, &gather);
	expect(tlb->flushes == flushes + 1 && tlb->last_start <= SMALL_IOVA &&
	       tlb->last_last >= SMALL_IOVA + 8 * SZ_4K - 1,
	       name, "iotlb_sync invalidates the unmapped range");
	expect(xdrv_iova_to_phys(dom, SMALL_IOVA) == 0 &&
	       xdrv_iova_to_phys(dom, SMALL_IOVA + 8 * SZ_4K) ==
	       SMALL_PA + 8 * SZ_4K, name, "half of the 4 KiB pages left");

	unmapped = xdrv_unmap_pages(dom, BIG_IOVA, SZ_2M, 2, &gather) +
		   xdrv_unmap_pages(dom, SMALL_IOVA, SZ_4K, 16, &gather);
	xdrv_iotlb_sync(dom, &gather);
	expect(unmapped == 2 * SZ_2M + 8 * SZ_4K, name,
	       "unmap_pages of the rest");
}

static void run(const struct demo_cfg *dc, struct xdrv_pool *pool)
{
	struct iotlb tlb = { 0 };
	struct xdrv_domain dom;
	struct iopgt_hw_info info;
	uint64_t first, second;
	size_t pages;
	int ret;

	ret = xdrv_domain_init(&dom, pool, &dc->cfg, &flush_ops, &tlb);
	if (!expect(ret == 0, dc->what, iopgt_strerror(ret)))
		return;
	iopgt_hw_info(&dom.pt, &info);
	expect(info.root_pa >= POOL_PHYS &&
	       info.root_pa < POOL_PHYS + POOL_PAGES * SZ_4K,
	       dc->what, "root table at a pool physical address");

	map_and_translate(&dom, dc->what);
	pages = pool->in_use;
	expect(!xdrv_set_dirty_tracking(&dom, true), dc->what,
	       "set_dirty_tracking");
	first = harvest(&dom, dc->what);
	second = harvest(&dom, dc->what);
	expect(first == (dc->starts_dirty ? 2 * SZ_2M + 16 * SZ_4K : 0),
	       dc->what, "first harvest: what tracking found dirty");
	expect(second == 0, dc->what, "second harvest: nothing new");
	unmap_all(&dom, &tlb, dc->what);

	printf("%-18s root %#llx, %u levels, %zu pool pages; dirty %llu KiB "
	       "then %llu; %u invalidations\n", dc->what,
	       (unsigned long long)info.root_pa, info.levels, pages,
	       (unsigned long long)first >> 10,
	       (unsigned long long)second >> 10, tlb.flushes);
	xdrv_domain_fini(&dom);
	expect(pool->in_use == 0, dc->what, "every table back in the pool");
}

int main(void)
{
	struct xdrv_pool pool;
	unsigned int i, ran = 0;

	if (xdrv_pool_init(&pool, POOL_PAGES, POOL_PHYS)) {
		printf("FAIL pool\n");
		return 1;
	}
	for (i = 0; i < sizeof(demo_cfgs) / sizeof(demo_cfgs[0]); i++) {
		if (!iopgt_format_available(demo_cfgs[i].cfg.format))
			continue;
		run(&demo_cfgs[i], &pool);
		ran++;
	}
	xdrv_pool_fini(&pool);
	expect(ran > 0, "demo", "no format built in");
	printf("driver_glue_demo: %s (%u formats)\n", failed ? "FAILED" : "OK",
	       ran);
	return failed;
}
