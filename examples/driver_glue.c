// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * driver_glue: iommu_domain_ops over iopgt (see driver_glue.h for what
 * stands in for what). In a kernel the pool is alloc_pages()/free_pages(),
 * virt_to_page() and phys_to_virt(); everything else keeps its shape.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "driver_glue.h"

/* ---- the page allocator ------------------------------------------- */

int xdrv_pool_init(struct xdrv_pool *pool, size_t npages, uint64_t phys_base)
{
	size_t bytes = npages << XDRV_PAGE_SHIFT;
	size_t align = (size_t)1 << (XDRV_PAGE_SHIFT + XDRV_MAX_ORDER);
	void *mem;

	memset(pool, 0, sizeof(*pool));
	/* Blocks are aligned to their size, as alloc_pages() gives them. */
	if (phys_base & (align - 1) || posix_memalign(&mem, align, bytes))
		return -EINVAL;
	pool->pages = calloc(npages, sizeof(*pool->pages));
	if (!pool->pages) {
		free(mem);
		return -ENOMEM;
	}
	pool->mem = mem;
	pool->npages = npages;
	pool->phys_base = phys_base;
	pthread_mutex_init(&pool->lock, NULL);
	return 0;
}

void xdrv_pool_fini(struct xdrv_pool *pool)
{
	pthread_mutex_destroy(&pool->lock);
	free(pool->pages);
	free(pool->mem);
}

static struct xdrv_page *pool_take(struct xdrv_pool *pool, unsigned int order)
{
	size_t n = (size_t)1 << order;
	struct xdrv_page *page = pool->free[order];
	size_t first;

	if (page) {
		pool->free[order] = page->next;
		return page;
	}
	/* Never handed out yet: carve it, aligned, off the untouched end. */
	first = (pool->bump + n - 1) & ~(n - 1);
	if (first + n > pool->npages)
		return NULL;
	pool->bump = first + n;
	page = &pool->pages[first];
	page->order = order;
	return page;
}

static void *pool_alloc_table(void *ctx, unsigned int size_lg2,
			      iopgt_gfp_t gfp, uint64_t *pa)
{
	struct xdrv_pool *pool = ctx;
	unsigned int order = 0;
	struct xdrv_page *page;
	size_t index;
	void *va;

	/*
	 * Tables smaller than a page still get a page of their own: the
	 * table_meta of a table lives in its first page's descriptor.
	 * A kernel would pass gfp on to alloc_pages() (GFP_ATOMIC when the
	 * caller may not sleep); this pool never sleeps.
	 */
	(void)gfp;
	if (size_lg2 > XDRV_PAGE_SHIFT)
		order = size_lg2 - XDRV_PAGE_SHIFT;
	if (order > XDRV_MAX_ORDER)
		return NULL;

	pthread_mutex_lock(&pool->lock);
	page = pool_take(pool, order);
	if (page) {
		page->in_use = true;
		pool->in_use += (size_t)1 << order;
	}
	pthread_mutex_unlock(&pool->lock);
	if (!page)
		return NULL;

	index = (size_t)(page - pool->pages);
	va = pool->mem + (index << XDRV_PAGE_SHIFT);
	memset(va, 0, (size_t)1 << (order + XDRV_PAGE_SHIFT));
	memset(&page->meta, 0, sizeof(page->meta));
	*pa = pool->phys_base + ((uint64_t)index << XDRV_PAGE_SHIFT);
	return va;
}

static struct xdrv_page *pool_page(struct xdrv_pool *pool, void *va)
{
	size_t offset = (size_t)((uint8_t *)va - pool->mem);

	return &pool->pages[offset >> XDRV_PAGE_SHIFT];
}

static void pool_free_table(void *ctx, void *table, unsigned int size_lg2)
{
	struct xdrv_pool *pool = ctx;
	struct xdrv_page *page = pool_page(pool, table);

	(void)size_lg2;		/* the descriptor knows the order */
	pthread_mutex_lock(&pool->lock);
	page->in_use = false;
	pool->in_use -= (size_t)1 << page->order;
	page->next = pool->free[page->order];
	pool->free[page->order] = page;
	pthread_mutex_unlock(&pool->lock);
}

static struct iopgt_table_meta *pool_table_meta(void *ctx, void *table)
{
	return &pool_page(ctx, table)->meta;
}

static void *pool_phys_to_virt(void *ctx, uint64_t pa)
{
	struct xdrv_pool *pool = ctx;

	return pool->mem + (pa - pool->phys_base);
}

static const struct iopgt_ops xdrv_pool_ops = {
	.alloc_table = pool_alloc_table,
	.free_table = pool_free_table,
	.table_meta = pool_table_meta,
	.phys_to_virt = pool_phys_to_virt,
	/* a coherent walker: no .cache_clean */
};

/* ---- the domain ---------------------------------------------------- */

int xdrv_domain_init(struct xdrv_domain *dom, struct xdrv_pool *pool,
		     const struct iopgt_cfg *cfg,
		     const struct xdrv_flush_ops *flush, void *flush_priv)
{
	struct iopgt_cfg c = *cfg;

	c.ops = &xdrv_pool_ops;
	c.ctx = pool;
	dom->pool = pool;
	dom->flush = flush;
	dom->flush_priv = flush_priv;
	/*
	 * Next a driver would program iopgt_hw_info()'s root PA, levels
	 * and format fields into its device table or context entry.
	 */
	return iopgt_init(&dom->pt, &c);
}

void xdrv_domain_fini(struct xdrv_domain *dom)
{
	iopgt_destroy(&dom->pt);
}

void xdrv_iotlb_gather_init(struct xdrv_iotlb_gather *gather)
{
	iopgt_gather_init(&gather->pt);
}

/*
 * iotlb_sync: invalidate what the gather names, and only then let iopgt
 * free the tables it detached (the hardware may walk them until the
 * invalidation) and finish the dirty bookkeeping it deferred.
 */
void xdrv_iotlb_sync(struct xdrv_domain *dom, struct xdrv_iotlb_gather *gather)
{
	struct iopgt_gather *g = &gather->pt;

	if (g->start <= g->last)
		dom->flush->flush_range(dom->flush_priv, g->start, g->last,
					g->flags & IOPGT_GATHER_TABLES);
	iopgt_gather_release(&dom->pt, g, NULL);
}

static uint32_t xdrv_prot(int prot)
{
	uint32_t out = 0;

	if (prot & XDRV_READ)
		out |= IOPGT_READ;
	if (prot & XDRV_WRITE)
		out |= IOPGT_WRITE;
	if (prot & XDRV_CACHE)
		out |= IOPGT_CACHE;
	if (prot & XDRV_NOEXEC)
		out |= IOPGT_NOEXEC;
	if (prot & XDRV_MMIO)
		out |= IOPGT_MMIO;
	return out;
}

/*
 * map_pages: iopgt picks the page sizes itself from the alignment of the
 * whole stretch, so pgsize * pgcount is all it needs. On failure nothing
 * was mapped, which is what the IOMMU core hopes for.
 */
int xdrv_map_pages(struct xdrv_domain *dom, uint64_t iova, uint64_t paddr,
		   size_t pgsize, size_t pgcount, int prot, iopgt_gfp_t gfp,
		   size_t *mapped)
{
	uint64_t done = 0;
	int ret;

	ret = iopgt_map(&dom->pt, iova, paddr, (uint64_t)pgsize * pgcount,
			xdrv_prot(prot), gfp, &done);
	*mapped = (size_t)done;
	return ret;
}

/* unmap_pages: the bytes removed (a large page partly inside goes whole). */
size_t xdrv_unmap_pages(struct xdrv_domain *dom, uint64_t iova,
			size_t pgsize, size_t pgcount,
			struct xdrv_iotlb_gather *gather)
{
	uint64_t unmapped = 0;

	if (iopgt_unmap(&dom->pt, iova, (uint64_t)pgsize * pgcount, 0,
			&gather->pt, &unmapped))
		return 0;
	return (size_t)unmapped;
}

/* iova_to_phys: 0 for an IOVA that does not translate, as the core expects */
uint64_t xdrv_iova_to_phys(struct xdrv_domain *dom, uint64_t iova)
{
	uint64_t pa;

	return iopgt_iova_to_phys(&dom->pt, iova, &pa) ? 0 : pa;
}

int xdrv_set_dirty_tracking(struct xdrv_domain *dom, bool enable)
{
	struct xdrv_iotlb_gather gather;
	int ret;

	/*
	 * The driver also turns the hardware's dirty updates on or off in
	 * the device table (AMD DTE.HAD) or PASID entry (VT-d SSADE); the
	 * table's part is below. Leaves it rewrote must be invalidated.
	 */
	xdrv_iotlb_gather_init(&gather);
	ret = iopgt_set_dirty_tracking(&dom->pt, enable, &gather.pt);
	xdrv_iotlb_sync(dom, &gather);
	return ret;
}

/*
 * read_and_clear_dirty: report into the caller's bitmap through its record
 * callback (iommufd's iova_bitmap), and leave what was cleaned on the
 * gather: the caller's iotlb_sync makes the next round see new writes.
 */
int xdrv_read_and_clear_dirty(struct xdrv_domain *dom, uint64_t iova,
			      size_t size, unsigned long flags,
			      struct xdrv_dirty_bitmap *dirty)
{
	struct iopgt_bitmap bm = {
		.base = iova,
		.pgshift = XDRV_PAGE_SHIFT,
		.record = dirty->record,
		.ctx = dirty->ctx,
	};
	uint32_t pt_flags = 0;

	if (flags & XDRV_DIRTY_NO_CLEAR)
		pt_flags |= IOPGT_DIRTY_NO_CLEAR;
	return iopgt_read_dirty(&dom->pt, iova, size, pt_flags, &bm,
				&dirty->gather->pt);
}
