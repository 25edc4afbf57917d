/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Deferred work: what iopgt_gather_release() finishes after the caller's
 * invalidation of the gather's range. Each kind says which stale cached
 * translation it covers and what it checks again first:
 *
 *   TPL_DEFER_READ_DIRTY    (table meta IOPGT_META_READ_DIRTY) a table
 *	unmap_read_dirty detached whole: a device may have written through
 *	a cached walk into it until the invalidation; its leaves' dirty
 *	state goes to the bitmap, then it is freed.
 *   TPL_DEFER_MERGE         (IOPGT_META_MERGE_DIRTY, with _NT or _INSTALL
 *	under break-before-make) the children of a merged leaf: writes
 *	through their cached entries mark them, not the leaf; any dirty
 *	child makes the leaf dirty (found through @up, never re-walked past
 *	a larger leaf), and the second step clears nT or turns the marker
 *	into the leaf, only if the slot still holds what the merge left.
 *   TPL_DEFER_INSTALL       (gather->pending) a subtree a split built for
 *	a break-before-make slot: installed only if the slot still holds
 *	what the first step left, carrying dirty state the hardware set
 *	meanwhile through nT; freed otherwise.
 *   TPL_DEFER_SPLIT_CHECK   (IOPGT_GATHER_SPLIT) table entries a split
 *	installed over a leaf a device held cached: a write through that
 *	entry may set the leaf's dirty mark in what is now a table entry
 *	(AMD v1); the subtree below such an entry is made dirty.
 *   TPL_DEFER_RUNS          (gather->runs_*) leaves filling several slots
 *	that a split rewrote slot by slot: a device may hold the whole leaf
 *	cached as dirty with its update in one slot only; a former run with
 *	any dirty part is made dirty whole.
 *   TPL_DEFER_FREE          (every detached table) freed last.
 *
 * Part of the algorithm template: included once per format by
 * pgtable/iopgt_template.h, after the format's codecs.
 */

/*
 * After the invalidation of a split: a write through a stale cached
 * translation of the old leaf may have set dirty state in what is now the
 * table entry (hardware that updates the entry it cached). Find such marks
 * in [@iova, @last], mark the whole subtree dirty, and clear the mark.
 */
static void tpl_mark_tree_dirty(const struct iopgt *pt, u64 *table,
				unsigned int level)
{
	unsigned int n = 1u << iopgt_table_lg2(pt, level), i, sz;
	u64 pte, cur;

	for (i = 0; i < n; i++) {
		pte = READ_ONCE(table[i]);
		switch (fmt_classify(pt, level, pte, &sz)) {
		case IOPGT_E_TABLE:
			tpl_mark_tree_dirty(pt, tpl_child(pt, level, pte),
					    level - 1);
			break;
		case IOPGT_E_LEAF:
			while (!fmt_leaf_dirty(pt, pte)) {
				cur = iopgt_cmpxchg64(&table[i], pte,
						fmt_leaf_mkdirty(pt, pte));
				if (cur == pte) {
					iopgt_sync(pt, &table[i], sizeof(u64));
					break;
				}
				pte = cur;
			}
			break;
		default:
			break;
		}
	}
}

static void tpl_split_check(struct iopgt *pt, u64 *table, unsigned int level,
			    u64 iova, u64 last)
{
	unsigned int idx = iopgt_index(pt, level, iova), sz;
	u64 this_last, pte, cur;

	if (!level)
		return;
	for (;;) {
		this_last = tpl_min(tpl_entry_last(pt, level, iova), last);
		pte = READ_ONCE(table[idx]);
		if (fmt_classify(pt, level, pte, &sz) == IOPGT_E_TABLE) {
			if (fmt_table_stray_dirty(pt, level, pte)) {
				tpl_mark_tree_dirty(pt,
						    tpl_child(pt, level, pte),
						    level - 1);
				for (;;) {
					cur = iopgt_cmpxchg64(&table[idx], pte,
						fmt_table_clear_stray(pt, level,
								      pte));
					if (cur == pte)
						break;
					pte = cur;
				}
				iopgt_sync(pt, &table[idx], sizeof(u64));
			}
			tpl_split_check(pt, tpl_child(pt, level, pte),
					level - 1, iova, this_last);
		}
		idx++;
		if (this_last >= last)
			return;
		iova = this_last + 1;
	}
}

/*
 * The slot whose entry the table of @meta hung from: in the table @up
 * names when a later collapse of the same merge detached it, else in the
 * live tree. A live slot is found from the root again, never through a
 * pointer kept since the edit: another gather released before this one may
 * have freed the table that held it, while a walk from the root only ever
 * reaches live tables.
 */
static u64 *tpl_owner_slot(const struct iopgt *pt,
			   const struct iopgt_table_meta *meta)
{
	const struct iopgt_table_meta *up;

	if (meta->up) {
		up = pt->cfg.ops->table_meta(pt->cfg.ctx, meta->up);
		return tpl_slot_from(pt, meta->up, up->level, meta->iova,
				     meta->level + 1);
	}
	return tpl_slot_from(pt, pt->root, pt->levels - 1, meta->iova,
			     meta->level + 1);
}

/* Is any leaf under @table (at @level) dirty? */
static bool tpl_tree_dirty(const struct iopgt *pt, u64 *table,
			   unsigned int level)
{
	unsigned int n = 1u << iopgt_table_lg2(pt, level), i, sz;
	u64 pte;

	for (i = 0; i < n; i++) {
		pte = READ_ONCE(table[i]);
		switch (fmt_classify(pt, level, pte, &sz)) {
		case IOPGT_E_LEAF:
			if (fmt_leaf_dirty(pt, pte))
				return true;
			break;
		case IOPGT_E_TABLE:
			if (level && tpl_tree_dirty(pt, tpl_child(pt, level, pte),
						    level - 1))
				return true;
			break;
		default:
			break;
		}
	}
	return false;
}

/*
 * A merged leaf's children, read once more after the invalidation: any
 * dirty child makes the leaf that replaced them dirty. Under
 * break-before-make this is also the second step: clear nT (BBML1), or
 * turn the marker into the leaf (BBML0). If the slot no longer holds what
 * the merge left there (the range was unmapped or edited since), the
 * second step is not taken and the children's dirty state goes to
 * @bitmap, since no leaf is left to carry it.
 */
/*
 * Does the slot (first IOVA @iova, at @level), holding @pte, still carry
 * the leaf a merge left there as @expect? The same value, but for the
 * bits the hardware sets; or, after a direct merge, any leaf translating
 * the slot the same way (a later run merge of the same call may have
 * rewritten it as one slot of a larger leaf).
 */
static bool tpl_merge_kept(const struct iopgt *pt, unsigned int level,
			   u64 iova, u64 pte, u64 expect, u32 flags)
{
	unsigned int sz, esz;

	if (tpl_slot_unchanged(pt, level, pte, expect))
		return true;
	if (flags & (IOPGT_META_MERGE_NT | IOPGT_META_MERGE_INSTALL) ||
	    fmt_classify(pt, level, pte, &sz) != IOPGT_E_LEAF ||
	    fmt_classify(pt, level, expect, &esz) != IOPGT_E_LEAF)
		return false;
	return fmt_leaf_oa(pt, level, pte, sz) + (iova & iopgt_lg2_mask(sz)) ==
	       fmt_leaf_oa(pt, level, expect, esz) +
		       (iova & iopgt_lg2_mask(esz)) &&
	       fmt_leaf_attrs(pt, level, pte) ==
		       fmt_leaf_attrs(pt, level, expect);
}

static void tpl_merge_release(struct iopgt *pt, u64 *children,
			      const struct iopgt_table_meta *meta,
			      const struct iopgt_bitmap *bitmap)
{
	unsigned int level = meta->level + 1;
	u64 *ptep, pte, cur, new;
	struct tpl_report rep;
	bool dirty;

	dirty = tpl_tree_dirty(pt, children, meta->level);
	ptep = tpl_owner_slot(pt, meta);
	pte = ptep ? READ_ONCE(*ptep) : 0;
	if (!ptep || !tpl_merge_kept(pt, level, meta->iova, pte, meta->expect,
				     meta->flags)) {
		if (dirty && bitmap) {
			tpl_report_init(&rep, bitmap, 1, 0);
			tpl_report_tree(pt, &rep, children, meta->level,
					meta->iova);
			tpl_report_flush(&rep);
		}
		return;
	}
	for (;;) {
		new = pte;
		if (meta->flags & IOPGT_META_MERGE_INSTALL)
			new = fmt_leaf_mkvalid(pt, new);
		if (meta->flags & IOPGT_META_MERGE_NT)
			new = fmt_leaf_clear_nt(pt, new);
		if (dirty)
			new = fmt_leaf_mkdirty(pt, new);
		if (new == pte)
			return;
		cur = iopgt_cmpxchg64(ptep, pte, new);
		if (cur == pte)
			break;
		/* only the hardware may have changed it meanwhile */
		if (!tpl_merge_kept(pt, level, meta->iova, cur, meta->expect,
				    meta->flags))
			return;
		pte = cur;
	}
	iopgt_sync(pt, ptep, sizeof(u64));
}

/*
 * The second step of a split under break-before-make: install the subtree
 * in its slot, provided the slot still holds what the first step left
 * (the old leaf with nT, whose dirty state the hardware may have changed:
 * carry it over; or the marker). If it holds anything else, the range was
 * unmapped or edited since: the subtree is freed, never installed.
 */
static void tpl_install_pending(struct iopgt *pt, u64 *sub,
				const struct iopgt_table_meta *meta)
{
	unsigned int level = meta->level + 1;
	u64 *ptep = tpl_owner_slot(pt, meta), pte, cur, new;
	bool marked = false;

	new = fmt_make_table(pt, level, meta->pa);
	pte = ptep ? READ_ONCE(*ptep) : 0;
	for (;;) {
		if (!ptep || !tpl_slot_unchanged(pt, level, pte, meta->expect)) {
			tpl_free_tree(pt, sub, meta->level);
			return;
		}
		if (!marked && fmt_leaf_dirty(pt, pte)) {
			tpl_mark_private_dirty(pt, sub, meta->level);
			marked = true;
		}
		cur = iopgt_cmpxchg64(ptep, pte, new);
		if (cur == pte)
			break;
		pte = cur;
	}
	iopgt_sync(pt, ptep, sizeof(u64));
}

/*
 * Leaves under [@iova, @last] (in @table at @level): with @mark, make each
 * dirty; without, say whether any is.
 */
static bool tpl_range_dirty(const struct iopgt *pt, u64 *table,
			    unsigned int level, u64 iova, u64 last, bool mark)
{
	unsigned int idx = iopgt_index(pt, level, iova), sz;
	u64 this_last, pte, cur;
	bool any = false;

	for (;;) {
		this_last = tpl_min(tpl_entry_last(pt, level, iova), last);
		pte = READ_ONCE(table[idx]);
		switch (fmt_classify(pt, level, pte, &sz)) {
		case IOPGT_E_LEAF:
			while (mark && !fmt_leaf_dirty(pt, pte)) {
				cur = iopgt_cmpxchg64(&table[idx], pte,
						fmt_leaf_mkdirty(pt, pte));
				if (cur == pte) {
					iopgt_sync(pt, &table[idx],
						   sizeof(u64));
					break;
				}
				pte = cur;
			}
			if (!mark && fmt_leaf_dirty(pt, pte))
				return true;
			break;
		case IOPGT_E_TABLE:
			if (level)
				any |= tpl_range_dirty(pt,
						tpl_child(pt, level, pte),
						level - 1, iova, this_last,
						mark);
			if (any && !mark)
				return true;
			break;
		default:
			break;
		}
		idx++;
		if (this_last >= last)
			return any;
		iova = this_last + 1;
	}
}

/*
 * After the invalidation of a split that rewrote leaves filling several
 * slots (tpl_note_run): each aligned 2^runs_lg2 stretch of the noted range
 * with any dirty part becomes dirty whole. Stretches that were never one
 * leaf may be marked too: reporting more than was written is allowed,
 * losing a write is not.
 */
static void tpl_runs_recheck(struct iopgt *pt, struct iopgt_gather *gather)
{
	u64 size = 1ull << gather->runs_lg2, first, last;

	for (first = gather->runs_first; first <= gather->runs_last;
	     first = last + 1) {
		last = first + (size - 1);
		if (tpl_range_dirty(pt, pt->root, pt->levels - 1, first, last,
				    false))
			tpl_range_dirty(pt, pt->root, pt->levels - 1, first,
					last, true);
		if (last >= gather->runs_last)
			break;
	}
}

static void tpl_gather_finish(struct iopgt *pt, struct iopgt_gather *gather)
{
	struct iopgt_table_meta *meta;
	void *sub, *next;

	for (sub = gather->pending; sub; sub = next) {
		meta = pt->cfg.ops->table_meta(pt->cfg.ctx, sub);
		next = meta->next;
		tpl_install_pending(pt, sub, meta);
	}
	gather->pending = NULL;
	gather->npending = 0;
	if ((gather->flags & IOPGT_GATHER_SPLIT) &&
	    gather->start <= gather->last)
		tpl_split_check(pt, pt->root, pt->levels - 1, gather->start,
				gather->last);
	if (gather->runs_first <= gather->runs_last)
		tpl_runs_recheck(pt, gather);
}

static void tpl_release_table(struct iopgt *pt, u64 *table,
			      const struct iopgt_table_meta *meta,
			      const struct iopgt_bitmap *bitmap)
{
	unsigned int level = meta->level;
	struct tpl_report rep;

	if (meta->flags & IOPGT_META_MERGE_DIRTY)
		tpl_merge_release(pt, table, meta, bitmap);
	if ((meta->flags & IOPGT_META_READ_DIRTY) && bitmap) {
		tpl_report_init(&rep, bitmap, 1, 0);
		tpl_report_tree(pt, &rep, table, level, meta->iova);
		tpl_report_flush(&rep);
	}
	tpl_free_tree(pt, table, level);
}
