/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The table pool and the prepare/commit driver: what a call that may need
 * new tables (map, split) allocates before it changes anything, and the
 * order it takes them in.
 *
 * Part of the algorithm template: included once per format by
 * pgtable/iopgt_template.h, after the format's codecs.
 */

/*
 * Tables allocated ahead of a commit pass, linked through their first word
 * (the second holds the PA): nothing can see them until they are installed.
 */
struct tpl_pool {
	const struct iopgt *pt;
	iopgt_gfp_t gfp;	/* the caller's allocation context */
	u64 *head, *tail;
};

/* Tables taken in the order they were allocated (ascending, usually). */
static u64 *tpl_pool_take(struct tpl_pool *p, u64 *pa)
{
	u64 *table = p->head;

	if (IOPGT_WARN_ON(!table))
		return NULL;
	p->head = (u64 *)(uintptr_t)table[0];
	if (!p->head)
		p->tail = NULL;
	*pa = table[1];
	table[0] = 0;
	table[1] = 0;
	return table;
}

/* Put back at the front: the next take gets it again. */
static void tpl_pool_put(struct tpl_pool *p, u64 *table, u64 pa)
{
	table[0] = (u64)(uintptr_t)p->head;
	table[1] = pa;
	p->head = table;
	if (!p->tail)
		p->tail = table;
}

static void tpl_pool_append(struct tpl_pool *p, u64 *table, u64 pa)
{
	table[0] = 0;
	table[1] = pa;
	if (p->tail)
		p->tail[0] = (u64)(uintptr_t)table;
	else
		p->head = table;
	p->tail = table;
}

static void tpl_pool_free(struct tpl_pool *p)
{
	const struct iopgt *pt = p->pt;
	u64 *table;
	u64 pa;

	while (p->head) {
		table = tpl_pool_take(p, &pa);
		pt->cfg.ops->free_table(pt->cfg.ctx, table, pt->granule_lg2);
	}
}

/* Allocate @n tables; on failure free them all and return -ENOMEM. */
static int tpl_pool_fill(struct tpl_pool *p, u64 n)
{
	const struct iopgt *pt = p->pt;
	u64 *table, pa;

	while (n--) {
		table = pt->cfg.ops->alloc_table(pt->cfg.ctx, pt->granule_lg2,
						 p->gfp, &pa);
		if (!table) {
			tpl_pool_free(p);
			return -ENOMEM;
		}
		tpl_pool_append(p, table, pa);
	}
	return 0;
}

/*
 * Prepare, allocate, commit: the shape of every call that may need new
 * tables (map, split). @prepare walks [@iova, @last] from the root and
 * changes nothing: it finds what would fail and counts into *@need the
 * tables the call needs. Those are allocated into @pool, so that @commit,
 * which walks the range again and changes it, cannot fail for want of
 * memory, and a failure anywhere leaves the table as it was. What @commit
 * did not use goes back to the allocator.
 */
static int tpl_two_pass(struct iopgt *pt, struct tpl_pool *pool,
			const u64 *need, int (*prepare)(void *, struct tpl_it *),
			int (*commit)(void *, struct tpl_it *), void *ctx,
			u64 iova, u64 last)
{
	struct tpl_it it;
	int ret;

	tpl_it_init(&it, pt, pt->root, pt->levels - 1, iova, last);
	ret = prepare(ctx, &it);
	if (ret)
		return ret;
	ret = tpl_pool_fill(pool, *need);
	if (ret)
		return ret;
	tpl_it_init(&it, pt, pt->root, pt->levels - 1, iova, last);
	ret = commit(ctx, &it);
	tpl_pool_free(pool);
	return ret;
}
