/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Merge: aligned, fully populated runs of leaves back into large leaves.
 *
 * Part of the algorithm template: included once per format by
 * pgtable/iopgt_template.h, after the format's codecs.
 */

/*
 * Merge: bottom up, a table whose entries are all leaves with contiguous
 * OA from an aligned base and equal attributes becomes one leaf of the
 * entry's size, if the config has that size; then, at each level, aligned
 * runs of such leaves become replicated leaves of the largest size the
 * config has. The leaf replaces the table with one compare-exchange; the
 * children table is detached onto the gather and read once more in gather
 * release, so a write through a cached child translation before the
 * invalidation still marks the merged leaf dirty.
 */
struct tpl_merge {
	struct iopgt *pt;
	struct iopgt_gather *gather;
	enum tpl_bbm bbm;
	u64 first, last;
};

/*
 * Is the subtree under @table (at @level) one run of leaves translating
 * from @oa with attributes *@attrs (taken from the first leaf when
 * *@have is false)? ORs the leaves' dirty state into *@dirty.
 */
static bool tpl_run_from(const struct iopgt *pt, u64 *table, unsigned int level,
			 u64 oa, u64 *attrs, bool *have, bool *dirty)
{
	struct tpl_it it;
	u64 e_oa, slot_oa;

	for (tpl_it_whole(&it, pt, table, level, 0); tpl_it_more(&it);
	     tpl_it_next(&it)) {
		e_oa = oa + tpl_it_e_first(&it);
		switch (tpl_it_load(&it)) {
		case IOPGT_E_LEAF:
			slot_oa = fmt_leaf_oa(pt, level, it.pte, it.size_lg2) +
				  (tpl_it_e_first(&it) &
				   iopgt_lg2_mask(it.size_lg2));
			if (slot_oa != e_oa)
				return false;
			if (!*have) {
				*attrs = fmt_leaf_attrs(pt, level, it.pte);
				*have = true;
			} else if (fmt_leaf_attrs(pt, level, it.pte) != *attrs) {
				return false;
			}
			*dirty |= fmt_leaf_dirty(pt, it.pte);
			break;
		case IOPGT_E_TABLE:
			if (!level || !tpl_run_from(pt, tpl_it_child(&it),
						    level - 1, e_oa, attrs, have,
						    dirty))
				return false;
			break;
		default:
			return false;
		}
	}
	return true;
}

/*
 * Is @table (at @level), with everything under it, one run of leaves with
 * contiguous OA from a base aligned to the entry above it, and equal
 * attributes? Fills the base OA, the attributes and whether any is dirty.
 */
static bool tpl_table_uniform(const struct iopgt *pt, u64 *table,
			      unsigned int level, u64 *oa, u64 *attrs,
			      bool *dirty)
{
	unsigned int l = level, sz;
	u64 *t = table, pte;
	bool have = false;

	/* the base: the first leaf, down the first entries */
	for (;;) {
		pte = iopgt_pte_get(&t[0]);
		switch (fmt_classify(pt, l, pte, &sz)) {
		case IOPGT_E_LEAF:
			*oa = fmt_leaf_oa(pt, l, pte, sz);
			break;
		case IOPGT_E_TABLE:
			if (!l)
				return false;
			t = tpl_child(pt, l, pte);
			l--;
			continue;
		default:
			return false;
		}
		break;
	}
	if (*oa & iopgt_lg2_mask(iopgt_item_lg2(pt, level) + iopgt_bpl(pt)))
		return false;
	*dirty = false;
	return tpl_run_from(pt, table, level, *oa, attrs, &have, dirty);
}

/* Collapse the table under entry @idx (at @level) into one leaf. */
static bool tpl_merge_collapse(struct tpl_merge *mg, u64 *table,
			       unsigned int idx, unsigned int level, u64 e_first)
{
	struct iopgt *pt = mg->pt;
	unsigned int size_lg2 = iopgt_item_lg2(pt, level), sz;
	u64 pte = iopgt_pte_get(&table[idx]), cur, new, oa = 0, attrs = 0;
	u64 *child;
	bool dirty;

	if (!(pt->pgsize_bitmap & (1ull << size_lg2)) ||
	    iopgt_keeps_table(pt, level - 1, e_first))
		return false;
	child = tpl_child(pt, level, pte);
	if (!tpl_table_uniform(pt, child, level - 1, &oa, &attrs, &dirty))
		return false;
	new = fmt_make_leaf(pt, level, oa, size_lg2, attrs);
	if (dirty)
		new = fmt_leaf_mkdirty(pt, new);
	/* under break-before-make: the leaf with nT first, or a marker */
	if (mg->bbm == TPL_BBM_NT)
		new = fmt_leaf_set_nt(pt, new);
	else if (mg->bbm == TPL_BBM_FAULT)
		new = fmt_leaf_mkinvalid(pt, new);
	for (;;) {
		cur = iopgt_pte_cmpxchg(&table[idx], pte, new);
		if (cur == pte)
			break;
		/* the hardware set A in the table entry: same table? */
		if (fmt_classify(pt, level, cur, &sz) != IOPGT_E_TABLE ||
		    tpl_child(pt, level, cur) != child)
			return false;
		pte = cur;
	}
	iopgt_sync(pt, &table[idx], sizeof(u64));
	iopgt_gather_detach(pt, mg->gather, child, level - 1, e_first,
			    IOPGT_META_MERGE_DIRTY |
			    (mg->bbm == TPL_BBM_NT ? IOPGT_META_MERGE_NT : 0) |
			    (mg->bbm == TPL_BBM_FAULT ? IOPGT_META_MERGE_INSTALL :
							 0));
	pt->cfg.ops->table_meta(pt->cfg.ctx, child)->expect = new;
	iopgt_gather_add(mg->gather, e_first,
			 e_first | iopgt_lg2_mask(size_lg2));
	return true;
}

/*
 * @child was just detached by a collapse. The tables this merge detached
 * while walking under it (those put on the gather after @mark) whose
 * merged leaf was in the live tree now have it inside @child: point them
 * there, so that release finds the leaf where the dirty state must go
 * instead of re-walking a path that now ends at a larger leaf.
 */
static void tpl_merge_adopt(struct iopgt *pt, struct iopgt_gather *gather,
			    void *mark)
{
	void *child = gather->detached, *t;
	struct iopgt_table_meta *meta;

	meta = pt->cfg.ops->table_meta(pt->cfg.ctx, child);
	for (t = meta->next; t && t != mark; t = meta->next) {
		meta = pt->cfg.ops->table_meta(pt->cfg.ctx, t);
		if (!meta->up)
			meta->up = child;
	}
}

/*
 * At @level, turn aligned runs of leaves inside [@iova, @last] into
 * replicated leaves, largest allowed size first; a run must lie wholly
 * inside the range, as a merged table must. Each slot is rewritten on
 * its own (the old and the new entry translate the slot alike) and keeps
 * its own dirty state: the new leaf is dirty if any slot is.
 */
static void tpl_merge_runs(struct tpl_merge *mg, u64 *table,
			   unsigned int level, u64 iova, u64 last)
{
	const struct iopgt *pt = mg->pt;
	unsigned int item_lg2 = iopgt_item_lg2(pt, level);
	unsigned int tbl_lg2 = iopgt_table_lg2(pt, level);
	unsigned int first_idx = iopgt_index(pt, level, iova);
	unsigned int last_idx = iopgt_index(pt, level, last);
	unsigned int k, g, j, n, sz;
	u64 table_iova = iova & ~iopgt_lg2_mask(item_lg2 + tbl_lg2);
	u64 oa = 0, attrs = 0, pte, slot_oa, new;

	/* only slots wholly inside the range: a leaf partly outside stays */
	if (iova & iopgt_lg2_mask(item_lg2))
		first_idx++;
	if (~last & iopgt_lg2_mask(item_lg2)) {
		if (!last_idx)
			return;
		last_idx--;
	}
	for (k = tbl_lg2 - 1; k >= 1; k--) {
		unsigned int size_lg2 = item_lg2 + k;

		if (!(pt->pgsize_bitmap & (1ull << size_lg2)))
			continue;
		n = 1u << k;
		for (g = (first_idx + n - 1) & ~(n - 1);
		     g + n - 1 <= last_idx && g + n - 1 >= g; g += n) {
			bool ok = true;

			for (j = 0; j < n && ok; j++) {
				pte = iopgt_pte_get(&table[g + j]);
				if (fmt_classify(pt, level, pte, &sz) !=
				    IOPGT_E_LEAF || sz >= size_lg2) {
					ok = false;
					break;
				}
				slot_oa = fmt_leaf_oa(pt, level, pte, sz) +
					  (((u64)(g + j) << item_lg2) &
					   iopgt_lg2_mask(sz));
				if (!j) {
					oa = slot_oa;
					attrs = fmt_leaf_attrs(pt, level, pte);
					ok = !(oa & iopgt_lg2_mask(size_lg2));
				} else {
					ok = slot_oa ==
						oa + ((u64)j << item_lg2) &&
					     fmt_leaf_attrs(pt, level, pte) ==
						attrs;
				}
			}
			if (!ok)
				continue;
			for (j = 0; j < n; j++) {
				pte = iopgt_pte_get(&table[g + j]);
				new = fmt_make_leaf(pt, level,
						    oa + ((u64)j << item_lg2),
						    size_lg2, attrs);
				if (fmt_leaf_dirty(pt, pte))
					new = fmt_leaf_mkdirty(pt, new);
				if (!tpl_replace_leaf(pt, level, &table[g + j],
						      pte, new,
						      fmt_leaf_dirty(pt, pte),
						      NULL, 0))
					break;
			}
			iopgt_gather_add(mg->gather,
					 table_iova + ((u64)g << item_lg2),
					 table_iova + ((u64)(g + n) << item_lg2) -
						 1);
		}
		if (k == 1)
			break;
	}
}

static void tpl_merge_walk(struct tpl_merge *mg, struct tpl_it *it)
{
	u64 first = it->first, last = it->last;
	struct tpl_it sub;
	bool inside;
	void *mark;

	for (; tpl_it_more(it); tpl_it_next(it)) {
		if (tpl_it_load(it) != IOPGT_E_TABLE)
			continue;
		inside = tpl_it_covers(it);
		/*
		 * Bottom up, so that each level's leaves are in place for the
		 * next; but with a fault window a collapsed entry stays empty
		 * until release, so there the largest collapse is tried first,
		 * over the subtree.
		 */
		if (inside && mg->bbm == TPL_BBM_FAULT &&
		    tpl_merge_collapse(mg, it->table, it->idx, it->level,
				       tpl_it_e_first(it)))
			continue;
		mark = mg->gather->detached;
		tpl_it_down(it, &sub);
		tpl_merge_walk(mg, &sub);
		if (inside && mg->bbm != TPL_BBM_FAULT &&
		    tpl_merge_collapse(mg, it->table, it->idx, it->level,
				       tpl_it_e_first(it)))
			tpl_merge_adopt(mg->pt, mg->gather, mark);
	}
	/* contiguous runs change in place: only without BBM */
	if (mg->bbm == TPL_BBM_DIRECT)
		tpl_merge_runs(mg, it->table, it->level, first, last);
}

static int tpl_merge(struct iopgt *pt, u64 iova, u64 last, u32 flags,
		     struct iopgt_gather *gather)
{
	struct tpl_merge mg = {
		.pt = pt,
		.gather = gather,
		.first = iova,
		.last = last,
	};
	struct tpl_it it;
	int ret;

	ret = tpl_bbm_mode(pt, flags, &mg.bbm);
	if (ret)
		return ret;
	tpl_it_init(&it, pt, pt->root, pt->levels - 1, iova, last);
	tpl_merge_walk(&mg, &it);
	return 0;
}
