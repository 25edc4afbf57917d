/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Deferred work: what iopgt_gather_release() finishes after the caller's
 * invalidation of the gather's range, kind by kind, in the order of enum
 * tpl_defer. Each kind says which stale cached translation it covers and
 * what it checks again before it acts.
 *
 * Part of the algorithm template: included once per format by
 * pgtable/iopgt_template.h, after the format's codecs.
 */

enum tpl_defer {
	/*
	 * A subtree a split built for a break-before-make slot (the gather's
	 * pending list): installed only if the slot still holds what the
	 * first step left (the leaf with nT, whose dirty state the hardware
	 * may have changed meanwhile: carried over; or the marker); freed,
	 * never installed, if the range was unmapped or edited since.
	 */
	TPL_DEFER_INSTALL,
	/*
	 * Table entries a split installed over a leaf a device held cached
	 * (IOPGT_GATHER_SPLIT): a write through that entry may have set the
	 * leaf's dirty mark in what is now a table entry (AMD v1); the
	 * subtree below is made dirty. The write may have gone to a part a
	 * cut removed since, so the former leaf's span is reported to the
	 * release's bitmap too, when it has one.
	 */
	TPL_DEFER_SPLIT_CHECK,
	/*
	 * Leaves filling several slots that a split rewrote slot by slot
	 * (gather->runs): a device may hold the whole leaf cached as dirty
	 * with its update in one slot only; a former run with any dirty part
	 * is made dirty whole.
	 */
	TPL_DEFER_RUNS,
	/*
	 * The children of a merged leaf (IOPGT_META_MERGE_DIRTY, with _NT or
	 * _INSTALL under break-before-make): writes through their cached
	 * entries mark them, not the leaf. Any dirty child makes the leaf
	 * dirty; the leaf is found through the table meta's @up, never by a
	 * walk that would stop at a larger leaf of the same merge. The second
	 * step clears nT or turns the marker into the leaf, only if the slot
	 * still holds what the merge left; if it does not, the dirty state
	 * goes to the bitmap.
	 */
	TPL_DEFER_MERGE,
	/*
	 * A table unmap_read_dirty detached whole (IOPGT_META_READ_DIRTY): a
	 * device may have written through a cached walk into it until the
	 * invalidation; its leaves' dirty state goes to the bitmap.
	 */
	TPL_DEFER_READ_DIRTY,
	/* Every detached table, last: nothing can reach it any more. */
	TPL_DEFER_FREE,
};

/* Which kind of deferred work a detached table carries. */
static inline enum tpl_defer tpl_defer_kind(const struct iopgt_table_meta *meta)
{
	if (meta->flags & IOPGT_META_MERGE_DIRTY)
		return TPL_DEFER_MERGE;
	if (meta->flags & IOPGT_META_READ_DIRTY)
		return TPL_DEFER_READ_DIRTY;
	return TPL_DEFER_FREE;
}

/* TPL_DEFER_SPLIT_CHECK over the tables @it walks; @rep may be NULL. */
static void tpl_split_check(struct tpl_it *it, struct tpl_report *rep)
{
	struct tpl_it sub;
	u64 cur, *ptep;

	for (; it->level && tpl_it_more(it); tpl_it_next(it)) {
		if (tpl_it_load(it) != IOPGT_E_TABLE)
			continue;
		if (fmt_table_stray_dirty(it->pt, it->level, it->pte)) {
			if (rep)
				tpl_report(rep, tpl_it_e_first(it),
					   tpl_it_e_last(it));
			tpl_it_down_whole(it, &sub);
			tpl_tree_dirty(&sub, true);
			ptep = tpl_it_ptep(it);
			while ((cur = iopgt_pte_cmpxchg(ptep, it->pte,
					fmt_table_clear_stray(it->pt, it->level,
							      it->pte))) !=
			       it->pte)
				it->pte = cur;
			iopgt_sync(it->pt, tpl_it_ptep(it), sizeof(u64));
		}
		tpl_it_down(it, &sub);
		tpl_split_check(&sub, rep);
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

/*
 * TPL_DEFER_MERGE: a merged leaf's children, read once more after the
 * invalidation: any dirty child makes the leaf that replaced them dirty.
 * Under break-before-make this is also the second step: clear nT (BBML1),
 * or turn the marker into the leaf (BBML0). If the slot no longer holds
 * what the merge left there (the range was unmapped or edited since), the
 * second step is not taken and the children's dirty state goes to
 * @bitmap, since no leaf is left to carry it.
 */
static void tpl_merge_release(struct iopgt *pt, u64 *children,
			      const struct iopgt_table_meta *meta,
			      const struct iopgt_bitmap *bitmap)
{
	unsigned int level = meta->level + 1;
	u64 *ptep, pte, cur, new;
	struct tpl_report rep;
	struct tpl_it it;
	bool dirty;

	tpl_it_whole(&it, pt, children, meta->level, meta->iova);
	dirty = tpl_tree_dirty(&it, false);
	ptep = tpl_owner_slot(pt, meta);
	pte = ptep ? iopgt_pte_get(ptep) : 0;
	if (!ptep || !tpl_merge_kept(pt, level, meta->iova, pte, meta->expect,
				     meta->flags)) {
		if (dirty && bitmap) {
			tpl_report_init(&rep, bitmap, 1, 0);
			tpl_it_whole(&it, pt, children, meta->level,
				     meta->iova);
			tpl_report_tree(&rep, &it);
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
		cur = iopgt_pte_cmpxchg(ptep, pte, new);
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

/* TPL_DEFER_INSTALL: the second step of a break-before-make split. */
static void tpl_install_pending(struct iopgt *pt, u64 *sub,
				const struct iopgt_table_meta *meta)
{
	unsigned int level = meta->level + 1;
	u64 *ptep = tpl_owner_slot(pt, meta), pte, new;
	bool marked = false;

	new = fmt_make_table(pt, level, meta->pa);
	pte = ptep ? iopgt_pte_get(ptep) : 0;
	for (;;) {
		if (!ptep || !tpl_slot_unchanged(pt, level, pte, meta->expect)) {
			tpl_free_tree(pt, sub, meta->level);
			return;
		}
		if (!marked && fmt_leaf_dirty(pt, pte)) {
			tpl_mark_private_dirty(pt, sub, meta->level);
			marked = true;
		}
		switch (tpl_cas(pt, level, ptep, &pte, new)) {
		case TPL_CAS_DONE:
			return;
		case TPL_CAS_LOST:
			pte = iopgt_pte_get(ptep); /* checked again above */
			break;
		default:
			break;
		}
	}
}

/*
 * TPL_DEFER_RUNS: each former leaf of the stretches the splits noted
 * (tpl_note_run) with any dirty part becomes dirty whole.
 */
static void tpl_runs_recheck(struct iopgt *pt, struct iopgt_gather *gather)
{
	const struct iopgt_gather_run *r;
	u64 first, last;

	for (r = gather->runs; r < gather->runs + gather->nruns; r++) {
		for (first = r->first; first <= r->last; first = last + 1) {
			last = first | iopgt_lg2_mask(r->lg2);
			tpl_dirty_whole(pt, first, last);
			if (last >= r->last)
				break;
		}
	}
}

/* The kinds that belong to the gather rather than to a detached table. */
static void tpl_gather_finish(struct iopgt *pt, struct iopgt_gather *gather,
			      const struct iopgt_bitmap *bitmap)
{
	struct iopgt_table_meta *meta;
	struct tpl_report rep;
	struct tpl_it it;
	void *sub, *next;

	for (sub = gather->pending; sub; sub = next) {
		meta = pt->cfg.ops->table_meta(pt->cfg.ctx, sub);
		next = meta->next;
		tpl_install_pending(pt, sub, meta);
	}
	gather->pending = NULL;
	gather->npending = 0;
	if ((gather->flags & IOPGT_GATHER_SPLIT) &&
	    gather->start <= gather->last) {
		tpl_it_init(&it, pt, pt->root, pt->levels - 1, gather->start,
			    gather->last);
		if (bitmap)
			tpl_report_init(&rep, bitmap, 1, 0);
		tpl_split_check(&it, bitmap ? &rep : NULL);
		if (bitmap)
			tpl_report_flush(&rep);
	}
	if (gather->nruns)
		tpl_runs_recheck(pt, gather);
}

/* The kinds a detached table carries, then TPL_DEFER_FREE. */
static void tpl_release_table(struct iopgt *pt, u64 *table,
			      const struct iopgt_table_meta *meta,
			      const struct iopgt_bitmap *bitmap)
{
	unsigned int level = meta->level;
	struct tpl_report rep;
	struct tpl_it it;

	switch (tpl_defer_kind(meta)) {
	case TPL_DEFER_MERGE:
		tpl_merge_release(pt, table, meta, bitmap);
		break;
	case TPL_DEFER_READ_DIRTY:
		if (!bitmap)
			break;
		tpl_report_init(&rep, bitmap, 1, 0);
		tpl_it_whole(&it, pt, table, level, meta->iova);
		tpl_report_tree(&rep, &it);
		tpl_report_flush(&rep);
		break;
	default:
		break;
	}
	tpl_free_tree(pt, table, level);
}
