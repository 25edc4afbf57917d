// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * iopgt_qemu_iommu: the tests. Load with iommu=vtd or iommu=amd (x86), or
 * iommu=smmu (arm64), in a QEMU guest booted with the kernel's IOMMU
 * drivers off; results are printed as KTAP.
 *
 * edu (QEMU's teaching PCI device) copies between RAM and a 4 KiB buffer
 * of its own at 0x40000, from DMA addresses below 2^28. Every check moves
 * a fresh random pattern RAM -> edu -> RAM through the IOMMU, so a wrong
 * read shows as much as a wrong write, and looks only at memory this
 * module owns.
 */
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#ifdef CONFIG_X86
#include <asm/cacheflush.h>
#endif
#include "qiommu.h"

static char *iommu = "";
module_param(iommu, charp, 0444);
MODULE_PARM_DESC(iommu,
		 "unit under test: vtd, amd or smmu (expected, not guessed)");

#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8
#define EDU_ID		0x00
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_CMD_RUN	BIT(0)
#define EDU_CMD_TO_RAM	BIT(1)	/* 0: RAM to edu, 1: edu to RAM */
#define EDU_BUF		0x40000
#define EDU_DMA_LIMIT	(1ull << 28)

/* bytes per transfer: well short of the end of edu's buffer */
#define XFER		64
#define CANARY		0x5a

/*
 * The 2 MiB blocks mappings point into: every one that order-9
 * allocations find in [1G, 1G + 256M) (arm64: [2G, 2G + 256M), as
 * QEMU's virt machine has its RAM from 1G up and the kernel at its
 * start), so that a leaf's IOVA (below 2^28) differs from its PA at
 * every size, and so that for most sizes some block lies in the upper
 * half of its leaf (a walker that took the leaf for a smaller one would
 * send the DMA elsewhere).
 */
#ifdef CONFIG_ARM64
#define BAND_BASE	SZ_2G
#else
#define BAND_BASE	SZ_1G
#endif
#define BAND_LEN	SZ_256M
#define BLOCK_ORDER	9
#define MAX_BLOCKS	(BAND_LEN / SZ_2M)

static struct qi qi_ctx;
static struct page *blocks[MAX_BLOCKS];	/* owned, 2 MiB, 2 MiB aligned */
static unsigned int nblocks;
static struct page *low_page;	/* owned, below 2^28: never mapped */
static unsigned int ntest;	/* results printed in the current subtest */
static unsigned int nfailed;
const char *qi_indent = "";

/* ---- KTAP ------------------------------------------------------------ */

static void ktap_result(bool ok, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_info("%s%sok %u %pV\n", qi_indent, ok ? "" : "not ", ++ntest,
		&vaf);
	va_end(args);
	if (!ok)
		nfailed++;
}

/* Evaluate @cond; on failure say where and what, and fail the case. */
#define CHECK(ok, cond, fmt, ...)					\
	do {								\
		if (!(cond)) {						\
			qi_diag("FAIL %s:%d: %s: " fmt, __func__, __LINE__,\
				#cond, ##__VA_ARGS__);			\
			(ok) = false;					\
		}							\
	} while (0)

/* ---- table memory for iopgt ------------------------------------------ */

/*
 * Tables are whole pages (the smallest asked for is 64 bytes, a page
 * keeps them aligned to their size); the core's bookkeeping for each
 * lives in a small allocation hung off the page's private word.
 */
static void *qi_alloc_table(void *ctx, unsigned int size_lg2, gfp_t gfp,
			    u64 *pa)
{
	struct qi *q = ctx;
	unsigned int order = size_lg2 > PAGE_SHIFT ? size_lg2 - PAGE_SHIFT : 0;
	struct iopgt_table_meta *meta;
	struct page *page;

	meta = kzalloc(sizeof(*meta), gfp);
	if (!meta)
		return NULL;
	page = alloc_pages(gfp | __GFP_ZERO, order);
	if (!page) {
		kfree(meta);
		return NULL;
	}
	set_page_private(page, (unsigned long)meta);
	atomic_inc(&q->tables);
	*pa = page_to_phys(page);
	return page_address(page);
}

static void qi_free_table(void *ctx, void *table, unsigned int size_lg2)
{
	struct qi *q = ctx;
	unsigned int order = size_lg2 > PAGE_SHIFT ? size_lg2 - PAGE_SHIFT : 0;
	struct page *page = virt_to_page(table);

	kfree((void *)page_private(page));
	set_page_private(page, 0);
	__free_pages(page, order);
	atomic_dec(&q->tables);
}

static struct iopgt_table_meta *qi_table_meta(void *ctx, void *table)
{
	return (struct iopgt_table_meta *)page_private(virt_to_page(table));
}

static void *qi_phys_to_virt(void *ctx, u64 pa)
{
	return phys_to_virt(pa);
}

#ifdef CONFIG_X86
static void qi_cache_clean(void *ctx, void *va, size_t len)
{
	clflush_cache_range(va, len);
}
#else
/* the SMMU unit refuses a walker that does not snoop: never needed */
#define qi_cache_clean	NULL
#endif

static const struct iopgt_ops qi_ops = {
	.alloc_table = qi_alloc_table,
	.free_table = qi_free_table,
	.table_meta = qi_table_meta,
	.phys_to_virt = qi_phys_to_virt,
	.cache_clean = qi_cache_clean,
};

/* ---- edu DMA ---------------------------------------------------------- */

static int edu_dma(struct qi *q, u64 src, u64 dst, bool to_ram)
{
	void __iomem *r = q->edu_regs;
	int i;

	writeq(src, r + EDU_DMA_SRC);
	writeq(dst, r + EDU_DMA_DST);
	writeq(XFER, r + EDU_DMA_CNT);
	writeq(EDU_CMD_RUN | (to_ram ? EDU_CMD_TO_RAM : 0), r + EDU_DMA_CMD);
	/*
	 * edu starts a transfer 100 ms (virtual time) after the command.
	 * Sleep, not spin, meanwhile: an idle vCPU leaves the host CPU to
	 * the other guest the runner boots at the same time.
	 */
	for (i = 0; i < 3000; i++) {
		if (!(readq(r + EDU_DMA_CMD) & EDU_CMD_RUN))
			return 0;
		usleep_range(1000, 2000);
	}
	qi_diag("edu: DMA %#llx -> %#llx did not finish", src, dst);
	return -ETIMEDOUT;
}

/*
 * Copy a fresh pattern from @src_va (seen by the device at @src_iova)
 * into edu, then from edu to @dst_iova, and check it arrived at @dst_va
 * with the bytes around it untouched. Both addresses must be mapped; the
 * memory behind both VAs is this module's.
 */
static bool dma_roundtrip(struct qi *q, u64 src_iova, u8 *src_va,
			  u64 dst_iova, u8 *dst_va)
{
	u8 pattern[XFER];
	bool ok = true;
	int i;

	get_random_bytes(pattern, sizeof(pattern));
	memcpy(src_va, pattern, XFER);
	memset(dst_va - XFER, CANARY, 3 * XFER);
	mb();
	CHECK(ok, !edu_dma(q, src_iova, EDU_BUF + 0x100, false), "read");
	CHECK(ok, !edu_dma(q, EDU_BUF + 0x100, dst_iova, true), "write");
	mb();
	CHECK(ok, !memcmp(dst_va, pattern, XFER),
	      "%#llx -> %#llx: pattern not at the mapped PA %#llx", src_iova,
	      dst_iova, (u64)virt_to_phys(dst_va));
	for (i = 0; i < XFER; i++) {
		if (dst_va[i - XFER] != CANARY || dst_va[i + XFER] != CANARY) {
			qi_diag("FAIL bytes beside %#llx changed", dst_iova);
			ok = false;
			break;
		}
	}
	return ok;
}

/*
 * A write by edu to @iova must not happen: the IOMMU must refuse it and
 * leave @watch_va (where a translation would have put it: the PA it had,
 * or the PA equal to the IOVA) untouched, and say so if it reports
 * faults. The bytes sent come from a part of edu's buffer no transfer
 * ever fills: zeros, never the canary.
 */
static bool dma_refused(struct qi *q, u64 iova, u8 *watch_va)
{
	enum qi_fault f;
	bool ok = true;
	int i;

	memset(watch_va, CANARY, XFER);
	mb();
	q->iommu->fault_clear(q);
	CHECK(ok, !edu_dma(q, EDU_BUF + 0x800, iova, true), "write");
	mb();
	for (i = 0; i < XFER; i++) {
		if (watch_va[i] != CANARY) {
			qi_diag("FAIL DMA to %#llx reached PA %#llx", iova,
				(u64)virt_to_phys(watch_va));
			ok = false;
			break;
		}
	}
	f = q->iommu->fault_seen(q, iova, true);
	CHECK(ok, f == QI_FAULT_MATCH || f == QI_FAULT_UNREPORTED,
	      "DMA to %#llx: fault %d, not a write fault for edu there", iova,
	      f);
	q->iommu->fault_clear(q);
	return ok;
}

/* Invalidate what @g names, then let iopgt finish and free. */
static bool flush_gather(struct qi *q, struct iopgt_gather *g)
{
	bool ok = true;

	if (g->start <= g->last)
		CHECK(ok, !q->iommu->invalidate(q, g->start, g->last,
						g->flags & IOPGT_GATHER_TABLES),
		      "invalidate [%#llx, %#llx]", g->start, g->last);
	iopgt_gather_release(&q->pt, g, NULL);
	return ok;
}

/* ---- one mapping's geometry ----------------------------------------- */

/*
 * A leaf of 2^@lg2 bytes whose PA range holds one of the blocks: up to
 * 2M, the first block itself; larger, the leaf around the block that
 * lies deepest into it while its IOVA stays below 2^28. The leaf's IOVA
 * is its size while that leaves room below 2^28, else 0.
 */
struct qi_leaf {
	u64 iova, pa, len;
	struct page *blk;
	u64 blk_iova;	/* the IOVA of the block's first byte */
};

static void leaf_for(unsigned int lg2, struct qi_leaf *l)
{
	u64 best = 0, off;
	unsigned int i;

	l->len = 1ull << lg2;
	l->iova = l->len <= EDU_DMA_LIMIT / 2 ? l->len : 0;
	l->blk = blocks[0];
	for (i = 0; l->len > SZ_2M && i < nblocks; i++) {
		off = page_to_phys(blocks[i]) & (l->len - 1);
		if (off >= best && l->iova + off + SZ_2M <= EDU_DMA_LIMIT) {
			best = off;
			l->blk = blocks[i];
		}
	}
	l->pa = page_to_phys(l->blk) & ~(l->len - 1);
	l->blk_iova = l->iova + (page_to_phys(l->blk) - l->pa);
}

static u8 *blk_va(const struct qi_leaf *l, u64 off)
{
	return (u8 *)page_address(l->blk) + off;
}

/* Where DMA goes in the block: near its start, and near the end of the
 * block or of a smaller leaf. */
#define SPOT_FIRST	XFER

static u64 spot_last(u64 len)
{
	return min_t(u64, len, SZ_2M) - 4 * XFER;
}

/*
 * One round trip through the leaf: edu reads the block's first spot and
 * writes its last (each transfer costs 100 ms of edu's timer, so one).
 */
static bool leaf_lands(struct qi *q, const struct qi_leaf *l)
{
	u64 a = SPOT_FIRST, b = spot_last(l->len);

	return dma_roundtrip(q, l->blk_iova + a, blk_va(l, a), l->blk_iova + b,
			     blk_va(l, b));
}

static bool leaf_map(struct qi *q, const struct qi_leaf *l)
{
	u64 mapped = 0, pa = 0;
	bool ok = true;
	int ret;

	ret = iopgt_map(&q->pt, l->iova, l->pa, l->len,
			IOPGT_READ | IOPGT_WRITE, GFP_KERNEL, &mapped);
	CHECK(ok, !ret && mapped == l->len, "map %#llx -> %#llx len %#llx: %d",
	      l->iova, l->pa, l->len, ret);
	ret = iopgt_iova_to_phys(&q->pt, l->blk_iova + 8, &pa);
	CHECK(ok, !ret && pa == page_to_phys(l->blk) + 8, "iova_to_phys %d",
	      ret);
	return ok;
}

/* Unmap [@iova, +@len); true if exactly @expect bytes of leaves went. */
static bool unmap_flush(struct qi *q, u64 iova, u64 len, u64 expect)
{
	struct iopgt_gather g;
	u64 unmapped = 0;
	bool ok = true;
	int ret;

	iopgt_gather_init(&g);
	ret = iopgt_unmap(&q->pt, iova, len, 0, &g, &unmapped);
	CHECK(ok, !ret && unmapped == expect,
	      "unmap %#llx len %#llx: %d, %#llx unmapped", iova, len, ret,
	      unmapped);
	ok &= flush_gather(q, &g);
	return ok;
}

/*
 * Whatever a failed case left mapped in the leaf's range goes, so that
 * the next case starts from an empty table.
 */
static void leaf_clear(struct qi *q, const struct qi_leaf *l)
{
	struct iopgt_gather g;

	iopgt_gather_init(&g);
	if (!iopgt_unmap(&q->pt, l->iova, l->len, 0, &g, NULL))
		qi_diag("cleared what the case left at %#llx", l->iova);
	flush_gather(q, &g);
}

static bool table_sound(struct qi *q)
{
	struct iopgt_validate_err err = { 0 };
	bool ok = true;

	CHECK(ok, !iopgt_validate(&q->pt, &err), "%s at %#llx level %u %#llx",
	      err.what ? err.what : "?", err.iova, err.level, err.pte);
	return ok;
}

/* ---- the cases ------------------------------------------------------- */

/*
 * Nothing mapped: a write is refused, also where the IOVA equals a PA,
 * and so is a read (which only a unit that reports faults can show).
 * On arm64 no RAM lies below edu's 2^28 (virt's starts at 1G): there
 * the IOVA is the page's PA modulo 2^28, and the unit's fault record
 * is what shows the refusal.
 */
static bool test_never_mapped(struct qi *q)
{
	u64 iova = (page_to_phys(low_page) & (EDU_DMA_LIMIT - 1)) + 2 * XFER;
	enum qi_fault f;
	bool ok;

	ok = dma_refused(q, iova, page_address(low_page) + 2 * XFER);
	q->iommu->fault_clear(q);
	CHECK(ok, !edu_dma(q, iova, EDU_BUF + 0xc00, false), "read");
	f = q->iommu->fault_seen(q, iova, false);
	CHECK(ok, f == QI_FAULT_MATCH || f == QI_FAULT_UNREPORTED,
	      "read from %#llx: fault %d, not a read fault for edu there",
	      iova, f);
	q->iommu->fault_clear(q);
	return ok;
}

/*
 * A leaf of one size: DMA lands at the PA iopgt mapped, both ways, at
 * both ends of the block; after unmap and the invalidation the gather
 * names, the old IOVA is refused. Whether the IOMMU still used the old
 * translation before that invalidation is reported for 4K, 2M and 1G
 * (it caches, so it should: that is what makes the invalidation
 * matter).
 */
static bool test_pgsize(struct qi *q, unsigned int lg2)
{
	struct iopgt_gather g;
	struct qi_leaf l;
	u64 unmapped = 0, pa, s = spot_last(1ull << lg2);
	bool ok, stale;
	u8 *va;

	leaf_for(lg2, &l);
	va = blk_va(&l, s);
	qi_diag("leaf 2^%u: iova %#llx -> pa %#llx, block at iova %#llx",
		lg2, l.iova, l.pa, l.blk_iova);
	ok = leaf_map(q, &l);
	ok &= table_sound(q);
	ok &= leaf_lands(q, &l);

	iopgt_gather_init(&g);
	CHECK(ok, !iopgt_unmap(&q->pt, l.iova, l.len, 0, &g, &unmapped) &&
	      unmapped == l.len, "unmap: %#llx", unmapped);
	/*
	 * Only informative, and the same at every size of one level: ask
	 * at the sizes a level holds natively, where a transfer (100 ms of
	 * edu's timer) tells something new.
	 */
	if (lg2 == 12 || lg2 == 21 || lg2 == 30) {
		memset(va, CANARY, XFER);
		mb();
		edu_dma(q, EDU_BUF + 0x800, l.blk_iova + s, true);
		mb();
		stale = va[0] != CANARY;
		q->iommu->fault_clear(q);
		qi_diag("unmapped, not yet invalidated: the old translation %s",
			stale ? "was still used" : "was not used");
	}
	ok &= flush_gather(q, &g);
	ok &= dma_refused(q, l.blk_iova + s, va);
	CHECK(ok, iopgt_iova_to_phys(&q->pt, l.blk_iova, &pa) == -ENOENT,
	      "still mapped");
	leaf_clear(q, &l);
	return ok;
}

/*
 * Split a leaf to 4K and merge it back, DMA landing right before the
 * invalidation (old or new entries cached), after it, and after the
 * release; in between, one 4K page unmapped alone is refused while its
 * neighbour still lands (the walker sees the 4K leaves), and after the
 * merge a 4K unmap takes the whole leaf (it is one leaf again).
 */
static bool test_split_merge(struct qi *q, unsigned int lg2)
{
	u64 hole = 100 * SZ_4K, next = hole + SZ_4K, pa = 0;
	struct iopgt_gather g;
	struct qi_leaf l;
	u64 a = SPOT_FIRST;
	bool ok;
	int ret;

	leaf_for(lg2, &l);
	ok = leaf_map(q, &l);
	ok &= leaf_lands(q, &l);

	iopgt_gather_init(&g);
	ret = iopgt_split(&q->pt, l.iova, l.len, 12, 0, GFP_KERNEL, &g);
	CHECK(ok, !ret, "split: %d", ret);
	ok &= leaf_lands(q, &l);
	ok &= flush_gather(q, &g);
	ok &= leaf_lands(q, &l);
	ok &= table_sound(q);
	ret = iopgt_iova_to_phys(&q->pt, l.blk_iova + hole + 8, &pa);
	CHECK(ok, !ret && pa == page_to_phys(l.blk) + hole + 8, "split pa");

	ok &= unmap_flush(q, l.blk_iova + hole, SZ_4K, SZ_4K);
	ok &= dma_refused(q, l.blk_iova + hole + XFER, blk_va(&l, hole + XFER));
	ok &= dma_roundtrip(q, l.blk_iova + a, blk_va(&l, a),
			    l.blk_iova + next + XFER, blk_va(&l, next + XFER));
	ret = iopgt_map(&q->pt, l.blk_iova + hole, page_to_phys(l.blk) + hole,
			SZ_4K, IOPGT_READ | IOPGT_WRITE, GFP_KERNEL, NULL);
	CHECK(ok, !ret, "remap the hole: %d", ret);
	ok &= dma_roundtrip(q, l.blk_iova + a, blk_va(&l, a),
			    l.blk_iova + hole + XFER, blk_va(&l, hole + XFER));

	iopgt_gather_init(&g);
	ret = iopgt_merge(&q->pt, l.iova, l.len, 0, &g);
	CHECK(ok, !ret, "merge: %d", ret);
	ok &= leaf_lands(q, &l);
	ok &= flush_gather(q, &g);
	ok &= leaf_lands(q, &l);
	ok &= table_sound(q);

	ok &= unmap_flush(q, l.blk_iova + hole, SZ_4K, l.len);
	ok &= dma_refused(q, l.blk_iova + a, blk_va(&l, a));
	leaf_clear(q, &l);
	return ok;
}

/* ---- setup and teardown ---------------------------------------------- */

static int edu_setup(struct qi *q)
{
	u32 id;
	int ret;

	q->edu = pci_get_device(EDU_VENDOR, EDU_DEVICE, NULL);
	if (!q->edu)
		return -ENODEV;
	ret = pci_enable_device_mem(q->edu);
	if (ret)
		return ret;
	pci_set_master(q->edu);
	q->edu_regs = pci_iomap(q->edu, 0, 0);
	if (!q->edu_regs)
		return -ENOMEM;
	q->devid = pci_dev_id(q->edu);
	id = readl(q->edu_regs + EDU_ID);
	qi_diag("edu at %s (requester ID %#x), id %#x", pci_name(q->edu),
		q->devid, id);
	return (id & 0xff) == 0xed ? 0 : -ENODEV;
}

/*
 * Keep every block an order-9 allocation returns in the band; the buddy
 * allocator hands them out roughly in address order, so stop a while
 * after the band is passed.
 */
static int blocks_alloc(void)
{
	unsigned int n = 0, max = 2048, above = 0, i;
	struct page **tried;

	tried = kcalloc(max, sizeof(*tried), GFP_KERNEL);
	if (!tried)
		return -ENOMEM;
	while (n < max && nblocks < MAX_BLOCKS && above < 64) {
		struct page *p = alloc_pages(GFP_KERNEL | __GFP_NOWARN |
					     __GFP_NORETRY, BLOCK_ORDER);
		u64 pa;

		if (!p)
			break;
		pa = page_to_phys(p);
		if (pa >= BAND_BASE && pa < BAND_BASE + BAND_LEN) {
			blocks[nblocks++] = p;
			continue;
		}
		above += pa >= BAND_BASE + BAND_LEN;
		tried[n++] = p;
	}
	for (i = 0; i < n; i++)
		__free_pages(tried[i], BLOCK_ORDER);
	kfree(tried);
	qi_diag("%u blocks of 2M in [%#llx, %#llx) (%u others tried)",
		nblocks, (u64)BAND_BASE, (u64)BAND_BASE + BAND_LEN, n);
	if (!nblocks)
		return -ENOMEM;
	/* x86: below 16M, a PA that an IOVA under 2^28 can equal */
	low_page = alloc_page(GFP_KERNEL | GFP_DMA | __GFP_ZERO);
	return low_page ? 0 : -ENOMEM;
}

/* The units this architecture's QEMU emulates. */
static const struct qi_iommu *const qi_units[] = {
#ifdef CONFIG_X86
	&qi_vtd,
	&qi_amd,
#endif
#ifdef CONFIG_ARM64
	&qi_smmu,
#endif
};

static int qi_setup(struct qi *q)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(qi_units); i++) {
		if (!strcmp(iommu, qi_units[i]->name))
			q->iommu = qi_units[i];
	}
	if (!q->iommu)
		return -EINVAL;
	q->domain = 7;
	ret = edu_setup(q);
	if (!ret)
		ret = blocks_alloc();
	if (!ret)
		ret = q->iommu->probe(q);
	return ret;
}

static void qi_teardown(struct qi *q)
{
	/* both units' probes map their registers at q->regs */
	if (q->regs)
		iounmap(q->regs);
	q->regs = NULL;
	if (q->edu_regs)
		pci_iounmap(q->edu, q->edu_regs);
	if (q->edu) {
		pci_clear_master(q->edu);
		pci_disable_device(q->edu);
		pci_dev_put(q->edu);
	}
	while (nblocks)
		__free_pages(blocks[--nblocks], BLOCK_ORDER);
	if (low_page)
		__free_page(low_page);
}

/* A table of @levels for the unit, handed to it; 0 or a negative errno. */
static int table_setup(struct qi *q, unsigned int levels)
{
	struct iopgt_cfg cfg = q->cfg;
	struct iopgt_hw_info info;
	int ret;

	/* ARM derives the levels from the IOVA width: ask for that width */
	if (cfg.format == IOPGT_FMT_ARM_S1)
		cfg.ias = cfg.granule_lg2 + (cfg.granule_lg2 - 3) * levels;
	else
		cfg.levels = levels;
	cfg.ops = &qi_ops;
	cfg.ctx = q;
	ret = iopgt_init(&q->pt, &cfg);
	if (ret)
		return ret;
	iopgt_hw_info(&q->pt, &info);
	qi_diag("iopgt %s: root %#llx levels %u pgsizes %#llx quirks %#x",
		iopgt_format_name(cfg.format), info.root_pa, info.levels,
		info.pgsize_bitmap, q->pt.cfg.quirks);
	ret = q->iommu->enable(q, &info);
	if (ret) {
		q->iommu->disable(q);
		iopgt_destroy(&q->pt);
	}
	return ret;
}

/*
 * The page sizes to test: all the table offers up to 1G on the first
 * depth, the natural ones (4K, 2M, 1G) on the next (what changes there
 * is where the walk starts).
 */
static u64 sizes_tested(struct qi *q, bool all)
{
	u64 sizes = q->pt.pgsize_bitmap & (2ull * SZ_1G - 1);

	return all ? sizes : sizes & (SZ_4K | SZ_2M | SZ_1G);
}

static void run_cases(struct qi *q, u64 sizes)
{
	unsigned int lg2, nsplit = !!(sizes & SZ_2M) + !!(sizes & SZ_1G);

	pr_info("%s1..%u\n", qi_indent,
		4 + (unsigned int)hweight64(sizes) + nsplit);
	ktap_result(true, "setup");
	ktap_result(test_never_mapped(q), "never_mapped_iova_is_refused");
	for_each_set_bit(lg2, (unsigned long *)&sizes, 64)
		ktap_result(test_pgsize(q, lg2),
			    "pgsize_%u_dma_lands_then_unmap_invalidate_refuses",
			    lg2);
	if (sizes & SZ_2M)
		ktap_result(test_split_merge(q, 21),
			    "split_merge_21_keeps_dma_landing");
	if (sizes & SZ_1G)
		ktap_result(test_split_merge(q, 30),
			    "split_merge_30_keeps_dma_landing");
	ktap_result(!q->iommu->errors(q), "iommu_logged_no_error");
}

/* One table depth as a KTAP subtest; true if every case passed. */
static bool run_depth(struct qi *q, unsigned int levels, bool all)
{
	int ret, left;

	qi_indent = "    ";
	ntest = nfailed = 0;
	pr_info("%sKTAP version 1\n", qi_indent);
	pr_info("%s# Subtest: %s_levels_%u\n", qi_indent, q->iommu->name,
		levels);
	ret = table_setup(q, levels);
	if (ret) {
		qi_diag("table setup failed: %d", ret);
		pr_info("%s1..1\n", qi_indent);
		ktap_result(false, "setup");
	} else {
		run_cases(q, sizes_tested(q, all));
		q->iommu->disable(q);
		iopgt_destroy(&q->pt);
		left = atomic_read(&q->tables);
		if (left)
			qi_diag("FAIL %d tables not freed", left);
		ktap_result(!left, "teardown_frees_every_table");
	}
	qi_indent = "";
	return !nfailed;
}

static int __init qi_init(void)
{
	struct qi *q = &qi_ctx;
	unsigned int i, n, levels, failed = 0;
	bool ok;

	atomic_set(&q->tables, 0);
	pr_info("KTAP version 1\n");
	qi_diag("iopgt_qemu_iommu: iommu=%s", iommu);
	if (qi_setup(q)) {
		qi_diag("setup failed");
		pr_info("1..1\n");
		pr_info("not ok 1 setup\n");
		qi_teardown(q);
		return 0;
	}
	for (n = 0; q->iommu->levels(q, n); n++)
		;
	pr_info("1..%u\n", n);
	for (i = 0; i < n; i++) {
		levels = q->iommu->levels(q, i);
		ok = run_depth(q, levels, i == 0);
		failed += !ok;
		pr_info("%sok %u %s_levels_%u\n", ok ? "" : "not ", i + 1,
			q->iommu->name, levels);
	}
	qi_teardown(q);
	qi_diag("iopgt_qemu_iommu: done, %u of %u failed", failed, n);
	return 0;
}

static void __exit qi_exit(void)
{
}

module_init(qi_init);
module_exit(qi_exit);
MODULE_DESCRIPTION("iopgt tables walked by QEMU's VT-d, AMD-Vi and SMMUv3");
MODULE_LICENSE("Dual BSD/GPL");
