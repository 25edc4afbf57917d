/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * driver_glue: a sketch of how an IOMMU driver puts iopgt under its
 * iommu_domain_ops, written as userspace C so that it compiles and runs
 * here (driver_glue_demo.c drives it).
 *
 * What stands in for what:
 *   struct xdrv_pool     the kernel's page allocator: table memory at
 *                        "physical" addresses that are not the CPU's, and
 *                        a descriptor per page (struct page) that carries
 *                        iopgt's struct iopgt_table_meta
 *   struct xdrv_domain   a driver's domain, wrapping struct iopgt
 *   xdrv_flush_ops       the IOTLB and paging-structure cache invalidation
 *                        the hardware needs, as a callback
 *   xdrv_map_pages ...   the iommu_domain_ops the IOMMU core calls
 */
#ifndef XDRV_DRIVER_GLUE_H
#define XDRV_DRIVER_GLUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iopgt/iopgt.h>

#define XDRV_PAGE_SHIFT	12
#define XDRV_MAX_ORDER	8	/* iopgt tables are at most 1 MiB */

/* The IOMMU core's prot bits (the values Linux's IOMMU_* have). */
#define XDRV_READ	(1 << 0)
#define XDRV_WRITE	(1 << 1)
#define XDRV_CACHE	(1 << 2)
#define XDRV_NOEXEC	(1 << 3)
#define XDRV_MMIO	(1 << 4)

/* read_and_clear_dirty flags: report, leave the dirty state as it is. */
#define XDRV_DIRTY_NO_CLEAR	(1 << 0)

/**
 * struct xdrv_page - what the allocator knows about one page of the pool
 * @meta: iopgt's bookkeeping for the table starting in this page (in a
 *        kernel, an overlay on the struct page of the table's first page)
 * @next: the next free block of the same order
 * @order: log2 of the pages in the block starting here
 * @in_use: the block is a live table
 */
struct xdrv_page {
	struct iopgt_table_meta meta;
	struct xdrv_page *next;
	unsigned int order;
	bool in_use;
};

/**
 * struct xdrv_pool - table memory
 * @mem: CPU address of page 0
 * @phys_base: the physical address page 0 has
 * @pages: one descriptor per page
 * @npages: pages in the pool
 * @bump: first page never handed out yet
 * @free: free blocks, by order
 * @in_use: pages in live tables
 * @lock: the pool is shared by every domain and every CPU
 */
struct xdrv_pool {
	uint8_t *mem;
	uint64_t phys_base;
	struct xdrv_page *pages;
	size_t npages;
	size_t bump;
	struct xdrv_page *free[XDRV_MAX_ORDER + 1];
	size_t in_use;
	pthread_mutex_t lock;
};

/**
 * struct xdrv_flush_ops - the invalidation the hardware needs
 * @flush_range: drop cached translations of [@start, @last]; with
 *               @tables, cached table pointers (paging-structure caches)
 *               of that range too
 */
struct xdrv_flush_ops {
	void (*flush_range)(void *priv, uint64_t start, uint64_t last,
			    bool tables);
};

/**
 * struct xdrv_domain - one translation domain
 * @pt: the page table
 * @pool: where its tables come from
 * @flush: how to invalidate
 * @flush_priv: passed to @flush
 */
struct xdrv_domain {
	struct iopgt pt;
	struct xdrv_pool *pool;
	const struct xdrv_flush_ops *flush;
	void *flush_priv;
};

/**
 * struct xdrv_iotlb_gather - what unmap and harvest leave to iotlb_sync
 * @pt: iopgt's gather: the range to invalidate, the tables to free after
 */
struct xdrv_iotlb_gather {
	struct iopgt_gather pt;
};

/**
 * struct xdrv_dirty_bitmap - where read_and_clear_dirty reports
 * @record: called with each dirty stretch [@iova, @iova + @len)
 * @ctx: passed to @record
 * @gather: collects what the harvest cleaned, for iotlb_sync
 */
struct xdrv_dirty_bitmap {
	void (*record)(void *ctx, uint64_t iova, uint64_t len);
	void *ctx;
	struct xdrv_iotlb_gather *gather;
};

int xdrv_pool_init(struct xdrv_pool *pool, size_t npages, uint64_t phys_base);
void xdrv_pool_fini(struct xdrv_pool *pool);

int xdrv_domain_init(struct xdrv_domain *dom, struct xdrv_pool *pool,
		     const struct iopgt_cfg *cfg,
		     const struct xdrv_flush_ops *flush, void *flush_priv);
void xdrv_domain_fini(struct xdrv_domain *dom);

void xdrv_iotlb_gather_init(struct xdrv_iotlb_gather *gather);
void xdrv_iotlb_sync(struct xdrv_domain *dom,
		     struct xdrv_iotlb_gather *gather);

int xdrv_map_pages(struct xdrv_domain *dom, uint64_t iova, uint64_t paddr,
		   size_t pgsize, size_t pgcount, int prot, iopgt_gfp_t gfp,
		   size_t *mapped);
size_t xdrv_unmap_pages(struct xdrv_domain *dom, uint64_t iova,
			size_t pgsize, size_t pgcount,
			struct xdrv_iotlb_gather *gather);
uint64_t xdrv_iova_to_phys(struct xdrv_domain *dom, uint64_t iova);
int xdrv_set_dirty_tracking(struct xdrv_domain *dom, bool enable);
int xdrv_read_and_clear_dirty(struct xdrv_domain *dom, uint64_t iova,
			      size_t size, unsigned long flags,
			      struct xdrv_dirty_bitmap *dirty);

#endif /* XDRV_DRIVER_GLUE_H */
