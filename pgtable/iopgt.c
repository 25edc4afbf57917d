// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The public entry points: argument checks shared by every format, then one
 * indirect call into the format's instantiation of the template.
 */
#include "iopgt_internal.h"

/*
 * The formats built in, by enum iopgt_format; NULL for the rest. A format
 * whose folder is not built is left out before the compiler sees its name,
 * so the core's objects never refer to an instantiation not linked in.
 */
#define IOPGT_FMT_OPS_(ENUM, name, FOLDER)				\
	IOPGT_IF_FMT_BUILT(FOLDER,					\
			   [IOPGT_FMT_##ENUM] = &IOPGT_SYM(iopgt_fmt_##name),)
static const struct iopgt_fmt_ops *const iopgt_fmts[IOPGT_FMT_COUNT] = {
	IOPGT_FORMAT_LIST(IOPGT_FMT_OPS_)
};
#undef IOPGT_FMT_OPS_

bool iopgt_format_available(enum iopgt_format format)
{
	return (unsigned int)format < IOPGT_FMT_COUNT && iopgt_fmts[format];
}

int iopgt_init(struct iopgt *pt, const struct iopgt_cfg *cfg)
{
	const struct iopgt_ops *ops;
	int ret;

	memset(pt, 0, sizeof(*pt));
	if (!cfg || !cfg->ops)
		return -EINVAL;
	ops = cfg->ops;
	if (!ops->alloc_table || !ops->free_table || !ops->table_meta)
		return -EINVAL;
	if (cfg->caps & ~IOPGT_CAP_ALL)
		return -EINVAL;
	if (cfg->quirks & ~IOPGT_QUIRK_ALL)
		return -EINVAL;
	if ((cfg->quirks & IOPGT_QUIRK_NON_COHERENT) && !ops->cache_clean)
		return -EINVAL;
	if (cfg->format <= IOPGT_FMT_NONE || cfg->format >= IOPGT_FMT_COUNT)
		return -EINVAL;
	/* The RISC-V extensions mean nothing to another format */
	if ((cfg->quirks & (IOPGT_QUIRK_RISCV_SVNAPOT |
			    IOPGT_QUIRK_RISCV_SVPBMT)) &&
	    cfg->format != IOPGT_FMT_RISCV && cfg->format != IOPGT_FMT_RISCV_G)
		return -EINVAL;
	if ((cfg->quirks & IOPGT_QUIRK_ARM_LPA2) &&
	    cfg->format != IOPGT_FMT_ARM_S1 && cfg->format != IOPGT_FMT_ARM_S2)
		return -EINVAL;
	if (!iopgt_fmts[cfg->format])
		return -EOPNOTSUPP;
	/* growing needs the gate, which KEEP_TABLES does without */
	if ((cfg->quirks & IOPGT_QUIRK_AMD_GROW_TOP) &&
	    (cfg->format != IOPGT_FMT_AMDV1 ||
	     (cfg->quirks & IOPGT_QUIRK_KEEP_TABLES)))
		return -EINVAL;
	/* Hardware dirty management needs a walker that snoops */
	if ((cfg->quirks & IOPGT_QUIRK_DIRTY_TRACKING) &&
	    (cfg->quirks & IOPGT_QUIRK_NON_COHERENT))
		return -EOPNOTSUPP;

	pt->cfg = *cfg;
	pt->fops = iopgt_fmts[cfg->format];
	ret = pt->fops->init(pt);
	if (ret)
		goto err;
	if (!pt->pgsize_bitmap || pt->levels < 1 ||
	    pt->levels > IOPGT_MAX_LEVELS) {
		ret = -EINVAL;
		goto err;
	}
	pt->dirty_tracking = cfg->quirks & IOPGT_QUIRK_DIRTY_TRACKING;
	pt->root = ops->alloc_table(cfg->ctx, pt->top_alloc_lg2, IOPGT_GFP_KERNEL,
				    &pt->root_pa);
	if (!pt->root) {
		ret = -ENOMEM;
		goto err;
	}
	iopgt_sync(pt, pt->root, 1ull << pt->top_alloc_lg2);
	return 0;
err:
	memset(pt, 0, sizeof(*pt));
	return ret;
}

void iopgt_destroy(struct iopgt *pt)
{
	if (!pt->root)
		return;
	pt->fops->free_tree(pt, pt->root, pt->levels - 1);
	memset(pt, 0, sizeof(*pt));
}

void iopgt_hw_info(const struct iopgt *pt, struct iopgt_hw_info *info)
{
	pt->fops->hw_info(pt, info);
}

/*
 * The reclaim gate. An unmap that leaves tables empty beyond its own range
 * may detach them only while no other call can hold a pointer into them:
 * a call on a disjoint range may be about to map into such a table, or to
 * read it. So every call that walks the tree counts itself in @active for
 * its duration, and a reclaim goes ahead only when its own call is the one
 * counted. A call that starts while a reclaim runs waits for it (a few
 * table scans). Entering (count, then look at the gate) and reclaiming
 * (close the gate, then look at the count) each order their two steps
 * with a full barrier, so of two that race at least one sees the other.
 */
static void iopgt_count(struct iopgt *pt, s64 delta)
{
	u64 old = iopgt_load64(&pt->active), cur;

	while ((cur = iopgt_cmpxchg64(&pt->active, old, old + delta)) != old)
		old = cur;
}

static void iopgt_enter(struct iopgt *pt)
{
	if (pt->cfg.quirks & IOPGT_QUIRK_KEEP_TABLES)
		return;
	for (;;) {
		iopgt_count(pt, 1);
		if (likely(!iopgt_load64(&pt->reclaim)))
			return;
		iopgt_count(pt, -1);
		while (iopgt_load64(&pt->reclaim))
			iopgt_cpu_relax();
	}
}

static void iopgt_exit(struct iopgt *pt)
{
	if (!(pt->cfg.quirks & IOPGT_QUIRK_KEEP_TABLES))
		iopgt_count(pt, -1);
}

bool iopgt_reclaim_begin(struct iopgt *pt)
{
	if ((pt->cfg.quirks & IOPGT_QUIRK_KEEP_TABLES) ||
	    iopgt_cmpxchg64(&pt->reclaim, 0, 1) != 0)
		return false;
	if (iopgt_load64(&pt->active) == 1)
		return true;
	iopgt_reclaim_end(pt);
	return false;
}

void iopgt_reclaim_end(struct iopgt *pt)
{
	/* what the reclaim wrote is seen by the calls it let in */
	iopgt_xchg64(&pt->reclaim, 0);
}

/* Checks shared by every range argument; sets *@last. */
static int iopgt_check_range(const struct iopgt *pt, u64 iova, u64 len,
			     u64 *last)
{
	u64 mask = iopgt_lg2_mask(iopgt_min_lg2(pt));

	if (!len || ((iova | len) & mask))
		return -EINVAL;
	if (len - 1 > ~0ull - iova)
		return -EOVERFLOW;
	*last = iova + (len - 1);
	if (pt->cfg.ias < 64 && (*last >> pt->cfg.ias))
		return -ERANGE;
	return 0;
}

static int iopgt_check_bitmap(const struct iopgt_bitmap *bitmap)
{
	if (!bitmap)
		return 0;
	if (bitmap->pgshift < 12 || bitmap->pgshift > 63)
		return -EINVAL;
	if (!bitmap->words && !bitmap->record)
		return -EINVAL;
	if (bitmap->base & iopgt_lg2_mask(bitmap->pgshift))
		return -EINVAL;
	return 0;
}

/*
 * A bitmap that a cleaning call reports into must reach over the whole of
 * [@iova, @last]: dirty state cleaned and not reported is a lost write. A
 * record callback takes any IOVA.
 */
static int iopgt_check_bitmap_covers(const struct iopgt_bitmap *bitmap,
				     u64 iova, u64 last)
{
	if (!bitmap || bitmap->record)
		return 0;
	if (iova < bitmap->base ||
	    ((last - bitmap->base) >> bitmap->pgshift) >= bitmap->nbits)
		return -EINVAL;
	return 0;
}

/* The range, then the bitmap that reports it, as the dirty calls check them. */
static int iopgt_check_range_bitmap(const struct iopgt *pt, u64 iova, u64 len,
				    const struct iopgt_bitmap *bitmap,
				    u64 *last)
{
	int ret = iopgt_check_range(pt, iova, len, last);

	if (!ret)
		ret = iopgt_check_bitmap(bitmap);
	if (!ret)
		ret = iopgt_check_bitmap_covers(bitmap, iova, *last);
	return ret;
}

static bool iopgt_same_bitmap(const struct iopgt_bitmap *a,
			      const struct iopgt_bitmap *b)
{
	return a->base == b->base && a->pgshift == b->pgshift &&
	       a->words == b->words && a->nbits == b->nbits &&
	       a->record == b->record && a->ctx == b->ctx;
}

int iopgt_map(struct iopgt *pt, u64 iova, u64 pa, u64 len, u32 prot,
	      iopgt_gfp_t gfp, u64 *mapped)
{
	u64 mask = iopgt_lg2_mask(iopgt_min_lg2(pt));
	u64 last;
	int ret;

	if (mapped)
		*mapped = 0;
	if (!len || ((iova | pa | len) & mask))
		return -EINVAL;
	if ((prot & ~IOPGT_PROT_ALL) || !(prot & (IOPGT_READ | IOPGT_WRITE)))
		return -EINVAL;
	if (len - 1 > ~0ull - iova || len - 1 > ~0ull - pa)
		return -EOVERFLOW;
	ret = iopgt_check_range(pt, iova, len, &last);
	if (ret)
		return ret;
	if (pt->cfg.oas < 64 && ((pa + (len - 1)) >> pt->cfg.oas))
		return -ERANGE;
	iopgt_enter(pt);
	/*
	 * Past the reach, or a leaf as large as it: a top that grows grows,
	 * uncounted (the grow waits for every counted call to leave).
	 */
	if ((pt->cfg.quirks & IOPGT_QUIRK_AMD_GROW_TOP) &&
	    !iopgt_reaches(pt, last > len ? last : len)) {
		iopgt_exit(pt);
		ret = pt->fops->grow(pt, last > len ? last : len, gfp);
		if (ret)
			return ret;
		iopgt_enter(pt);
	}
	ret = pt->fops->map(pt, iova, pa, len, prot, gfp);
	iopgt_exit(pt);
	if (!ret && mapped)
		*mapped = len;
	return ret;
}

static int iopgt_do_unmap(struct iopgt *pt, u64 iova, u64 len, u32 flags,
			  const struct iopgt_bitmap *bitmap, bool read_dirty,
			  struct iopgt_gather *gather, u64 *unmapped)
{
	u64 last, done = 0;
	int ret;

	if (unmapped)
		*unmapped = 0;
	if (!gather || (flags & ~IOPGT_UNMAP_CUT))
		return -EINVAL;
	ret = iopgt_check_range_bitmap(pt, iova, len, bitmap, &last);
	if (ret)
		return ret;
	if (read_dirty && bitmap) {
		/* what detached tables owe goes where this call reports */
		if (gather->flags & IOPGT_GATHER_BITMAP) {
			if (!iopgt_same_bitmap(&gather->bitmap, bitmap))
				return -EINVAL;
		} else {
			gather->bitmap = *bitmap;
			gather->flags |= IOPGT_GATHER_BITMAP;
		}
	}
	iopgt_enter(pt);
	ret = !iopgt_clip_reach(pt, iova, &last) ? -ENOENT :
	      pt->fops->unmap(pt, iova, last, flags, bitmap, read_dirty,
			      gather, &done);
	iopgt_exit(pt);
	if (unmapped)
		*unmapped = done;
	return ret;
}

int iopgt_unmap(struct iopgt *pt, u64 iova, u64 len, u32 flags,
		struct iopgt_gather *gather, u64 *unmapped)
{
	return iopgt_do_unmap(pt, iova, len, flags, NULL, false, gather,
			      unmapped);
}

int iopgt_unmap_read_dirty(struct iopgt *pt, u64 iova, u64 len, u32 flags,
			   const struct iopgt_bitmap *bitmap,
			   struct iopgt_gather *gather, u64 *unmapped)
{
	return iopgt_do_unmap(pt, iova, len, flags, bitmap, true, gather,
			      unmapped);
}

int iopgt_iova_to_phys(struct iopgt *pt, u64 iova, u64 *pa)
{
	int ret;

	if (pt->cfg.ias < 64 && (iova >> pt->cfg.ias))
		return -ERANGE;
	iopgt_enter(pt);
	ret = !iopgt_reaches(pt, iova) ? -ENOENT :
	      pt->fops->iova_to_phys(pt, iova, pa);
	iopgt_exit(pt);
	return ret;
}

int iopgt_set_dirty_tracking(struct iopgt *pt, bool on,
			     struct iopgt_gather *gather)
{
	if (!gather)
		return -EINVAL;
	int ret;

	if (on && (pt->cfg.quirks & IOPGT_QUIRK_NON_COHERENT))
		return -EOPNOTSUPP;
	iopgt_enter(pt);
	ret = pt->fops->set_dirty_tracking(pt, on, gather);
	iopgt_exit(pt);
	return ret;
}

int iopgt_read_dirty(struct iopgt *pt, u64 iova, u64 len, u32 flags,
		     const struct iopgt_bitmap *bitmap,
		     struct iopgt_gather *gather)
{
	u64 last;
	int ret;

	if (!gather || (flags & ~IOPGT_DIRTY_NO_CLEAR))
		return -EINVAL;
	ret = iopgt_check_range_bitmap(pt, iova, len, bitmap, &last);
	if (ret)
		return ret;
	if (pt->cfg.quirks & IOPGT_QUIRK_NON_COHERENT)
		return -EOPNOTSUPP;
	iopgt_enter(pt);
	ret = !iopgt_clip_reach(pt, iova, &last) ? 0 :
	      pt->fops->read_dirty(pt, iova, last, flags, bitmap, gather);
	iopgt_exit(pt);
	return ret;
}

int iopgt_split(struct iopgt *pt, u64 iova, u64 len, unsigned int pgsize_lg2,
		u32 flags, iopgt_gfp_t gfp, struct iopgt_gather *gather)
{
	u64 last;
	int ret;

	if (!gather || (flags & ~IOPGT_SPLIT_ALLOW_FAULT))
		return -EINVAL;
	if (pgsize_lg2 >= 64 || !(pt->pgsize_bitmap & (1ull << pgsize_lg2)))
		return -EINVAL;
	ret = iopgt_check_range(pt, iova, len, &last);
	if (ret)
		return ret;
	iopgt_enter(pt);
	ret = !iopgt_clip_reach(pt, iova, &last) ? 0 :
	      pt->fops->split(pt, iova, last, pgsize_lg2, flags, gfp, gather);
	iopgt_exit(pt);
	return ret;
}

int iopgt_merge(struct iopgt *pt, u64 iova, u64 len, u32 flags,
		struct iopgt_gather *gather)
{
	u64 last;
	int ret;

	if (!gather || (flags & ~IOPGT_SPLIT_ALLOW_FAULT))
		return -EINVAL;
	ret = iopgt_check_range(pt, iova, len, &last);
	if (ret)
		return ret;
	iopgt_enter(pt);
	ret = !iopgt_clip_reach(pt, iova, &last) ? 0 :
	      pt->fops->merge(pt, iova, last, flags, gather);
	iopgt_exit(pt);
	return ret;
}

void iopgt_gather_init(struct iopgt_gather *gather)
{
	gather->start = ~0ull;
	gather->last = 0;
	gather->flags = 0;
	gather->detached = NULL;
	gather->ndetached = 0;
	gather->pending = NULL;
	gather->npending = 0;
	gather->nruns = 0;
	memset(&gather->bitmap, 0, sizeof(gather->bitmap));
}

void iopgt_gather_detach(struct iopgt *pt, struct iopgt_gather *gather,
			 u64 *table, unsigned int level, u64 iova, u32 flags)
{
	struct iopgt_table_meta *meta;

	meta = pt->cfg.ops->table_meta(pt->cfg.ctx, table);
	meta->next = gather->detached;
	meta->iova = iova;
	meta->level = level;
	meta->flags = flags;
	meta->up = NULL;
	meta->expect = 0;
	gather->detached = table;
	gather->ndetached++;
	gather->flags |= IOPGT_GATHER_TABLES;
}

/* Reverse a list linked through the tables' meta, in place. */
static void *iopgt_list_reverse(struct iopgt *pt, void *head)
{
	struct iopgt_table_meta *meta;
	void *prev = NULL, *next;

	while (head) {
		meta = pt->cfg.ops->table_meta(pt->cfg.ctx, head);
		next = meta->next;
		meta->next = prev;
		prev = head;
		head = next;
	}
	return prev;
}

void iopgt_gather_release(struct iopgt *pt, struct iopgt_gather *gather,
			  const struct iopgt_bitmap *bitmap)
{
	struct iopgt_table_meta *meta;
	void *table, *next;

	if (!bitmap || iopgt_check_bitmap(bitmap))
		bitmap = gather->flags & IOPGT_GATHER_BITMAP ?
				 &gather->bitmap : NULL;
	iopgt_enter(pt);
	gather->pending = iopgt_list_reverse(pt, gather->pending);
	pt->fops->gather_finish(pt, gather, bitmap);
	/*
	 * In the order the tables were detached: a merge that collapsed
	 * several levels detached the lower tables first, and their dirty
	 * state must reach the leaves of the upper ones before those are
	 * read in turn (struct iopgt_table_meta, @up).
	 */
	for (table = iopgt_list_reverse(pt, gather->detached); table;
	     table = next) {
		meta = pt->cfg.ops->table_meta(pt->cfg.ctx, table);
		next = meta->next;
		pt->fops->release_table(pt, table, meta, bitmap);
	}
	iopgt_exit(pt);
	iopgt_gather_init(gather);
}

int iopgt_validate(struct iopgt *pt, struct iopgt_validate_err *err)
{
	int ret;

	iopgt_enter(pt);
	ret = pt->fops->validate(pt, err);
	iopgt_exit(pt);
	return ret;
}

void iopgt_dump(struct iopgt *pt, void (*print)(void *ctx, const char *line),
		void *ctx)
{
	iopgt_enter(pt);
	pt->fops->dump(pt, print, ctx);
	iopgt_exit(pt);
}
