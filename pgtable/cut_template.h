/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Cut: an unmap (IOPGT_UNMAP_CUT) that removes exactly its range. A leaf
 * that reaches past either end is first split, the way iopgt_split()
 * splits (built off to the side, installed with one compare-exchange per
 * slot, dirty state carried), into the largest leaves that fit on each
 * side of the end; then the ordinary unmap runs and finds only leaves
 * wholly inside. The split is prepared and allocated before anything
 * changes, so -ENOMEM or -EBUSY leaves the table as it was.
 *
 * Part of the algorithm template: included once per format by
 * pgtable/iopgt_template.h, after split_template.h.
 */

struct tpl_cut {
	struct iopgt *pt;
	struct iopgt_gather *gather;
	enum tpl_bbm bbm;
	u64 bound[2];		/* the first IOVAs kept past each end */
	unsigned int nbound;
	bool commit;
	u64 need;
	struct tpl_pool pool;
	u64 attrs;		/* of the leaf being cut */
	bool dirty;
};

/*
 * Does the slot at @level translating from @first need a table below it
 * rather than one leaf of its item size: an end of the range falls
 * strictly inside it, or the config has no leaf of that size.
 */
static bool tpl_cut_deep(const struct tpl_cut *c, unsigned int level,
			 u64 first)
{
	unsigned int item_lg2 = iopgt_item_lg2(c->pt, level);
	u64 last = first | iopgt_lg2_mask(item_lg2);
	unsigned int i;

	if (!level)
		return false;
	for (i = 0; i < c->nbound; i++)
		if (first < c->bound[i] && c->bound[i] <= last)
			return true;
	return !(c->pt->pgsize_bitmap & (1ull << item_lg2));
}

/*
 * The slots of the table at @level translating from @first that go
 * deeper, into @deep (at most one per end, in order); returns how many.
 * Where the config has a leaf of the item size, only a slot an end falls
 * strictly inside does, so the ends are looked up rather than every slot
 * tested; without one (and above level 0) every slot does: returns ~0u.
 */
static unsigned int tpl_cut_deep_slots(const struct tpl_cut *c,
				       unsigned int level, u64 first,
				       unsigned int deep[2])
{
	const struct iopgt *pt = c->pt;
	unsigned int item_lg2 = iopgt_item_lg2(pt, level), nd = 0, i, k;
	u64 last = first + ((u64)(1u << iopgt_table_lg2(pt, level)) <<
			    item_lg2) - 1;

	if (!level)
		return 0;
	if (!(pt->pgsize_bitmap & (1ull << item_lg2)))
		return ~0u;
	for (k = 0; k < c->nbound; k++) {
		if (c->bound[k] <= first || c->bound[k] > last)
			continue;
		i = (unsigned int)((c->bound[k] - first) >> item_lg2);
		if ((!nd || deep[nd - 1] != i) &&
		    tpl_cut_deep(c, level, first + ((u64)i << item_lg2)))
			deep[nd++] = i;
	}
	return nd;
}

/* Tables the subtree below a deep slot (@level, from @first) takes. */
static u64 tpl_cut_count(const struct tpl_cut *c, unsigned int level,
			 u64 first)
{
	unsigned int item_lg2 = iopgt_item_lg2(c->pt, level - 1);
	unsigned int deep[2], nd, i;
	u64 need = 1;

	nd = tpl_cut_deep_slots(c, level - 1, first, deep);
	if (nd == ~0u) {
		for (i = 0; i < 1u << iopgt_bpl(c->pt); i++)
			need += tpl_cut_count(c, level - 1,
					      first + ((u64)i << item_lg2));
		return need;
	}
	for (i = 0; i < nd; i++)
		need += tpl_cut_count(c, level - 1,
				      first + ((u64)deep[i] << item_lg2));
	return need;
}

static u64 *tpl_cut_build(struct tpl_cut *c, unsigned int level, u64 first,
			  u64 oa, u64 *pa);

/* Slot @i of @table (at @level, from @first to @oa) as a built subtree. */
static bool tpl_cut_build_slot(struct tpl_cut *c, u64 *table,
			       unsigned int level, unsigned int i, u64 first,
			       u64 oa)
{
	unsigned int item_lg2 = iopgt_item_lg2(c->pt, level);
	u64 *child, cpa;

	child = tpl_cut_build(c, level - 1, first + ((u64)i << item_lg2),
			      oa + ((u64)i << item_lg2), &cpa);
	if (!child)
		return false;
	iopgt_pte_set(&table[i], fmt_make_table(c->pt, level, cpa));
	iopgt_sync(c->pt, &table[i], sizeof(u64));
	return true;
}

/*
 * Build, off to the side, the table at @level that replaces a deep slot
 * translating @first to @oa: leaves of the item size wherever no end falls
 * inside (written as map writes a stretch), tables further down where one
 * does.
 */
static u64 *tpl_cut_build(struct tpl_cut *c, unsigned int level, u64 first,
			  u64 oa, u64 *pa)
{
	const struct iopgt *pt = c->pt;
	unsigned int n = 1u << iopgt_table_lg2(pt, level), from = 0, i, nd;
	unsigned int item_lg2 = iopgt_item_lg2(pt, level), deep[2];
	u64 *table;

	table = tpl_pool_take(&c->pool, pa);
	if (!table)
		return NULL;
	nd = tpl_cut_deep_slots(c, level, first, deep);
	if (nd == ~0u) {
		for (i = 0; i < n; i++)
			if (!tpl_cut_build_slot(c, table, level, i, first, oa))
				return NULL;
		return table;
	}
	for (i = 0; i <= nd; i++) {
		unsigned int to = i < nd ? deep[i] : n;

		if (to > from)
			tpl_write_leaves(pt, table, from, level,
					 oa + ((u64)from << item_lg2),
					 item_lg2, to - from, c->attrs,
					 c->dirty);
		if (i < nd &&
		    !tpl_cut_build_slot(c, table, level, to, first, oa))
			return NULL;
		from = to + 1;
	}
	return table;
}

/*
 * Replace the leaf (2^@size_lg2 bytes from @leaf_first, at @level, its
 * slots from @g in @table) slot by slot: a deep slot by a subtree, the
 * others (of a leaf filling several slots) by one-slot leaves in place.
 */
static int tpl_cut_commit_leaf(struct tpl_cut *c, u64 *table, unsigned int g,
			       unsigned int level, unsigned int size_lg2,
			       u64 leaf_first)
{
	const struct iopgt *pt = c->pt;
	unsigned int item_lg2 = iopgt_item_lg2(pt, level);
	unsigned int n = 1u << (size_lg2 - item_lg2), j;
	u64 orig, pte, oa, slot_first, new, *sub, spa;
	bool any_sub = false;

	c->dirty = false;
	for (j = 0; j < n; j++)
		c->dirty |= fmt_leaf_dirty(pt, iopgt_pte_get(&table[g + j]));
	oa = fmt_leaf_oa(pt, level, iopgt_pte_get(&table[g]), size_lg2);
	for (j = 0; j < n; j++) {
		orig = pte = iopgt_pte_get(&table[g + j]);
		if (c->dirty)
			pte = fmt_leaf_mkdirty(pt, pte);
		c->attrs = fmt_leaf_attrs(pt, level, pte);
		slot_first = leaf_first + ((u64)j << item_lg2);
		sub = NULL;
		if (tpl_cut_deep(c, level, slot_first)) {
			sub = tpl_cut_build(c, level - 1, slot_first,
					    oa + ((u64)j << item_lg2), &spa);
			if (!sub)
				return -ENOMEM;
			new = fmt_make_table(pt, level, spa);
			any_sub = true;
		} else {
			new = fmt_make_leaf(pt, level,
					    oa + ((u64)j << item_lg2),
					    item_lg2, c->attrs);
			if (c->dirty)
				new = fmt_leaf_mkdirty(pt, new);
		}
		if (tpl_replace_leaf(pt, level, &table[g + j], orig, new,
				     c->dirty, sub, level - 1))
			continue;
		/* a concurrent edit of this range: not ours to undo */
		if (sub)
			tpl_free_tree(c->pt, sub, level - 1);
		return -EEXIST;
	}
	iopgt_gather_add(c->gather, leaf_first,
			 leaf_first | iopgt_lg2_mask(size_lg2));
	/*
	 * A slot the hardware made dirty after the first read above took
	 * its dirty state along (tpl_replace_leaf), but parts rewritten
	 * before it did not, and the device may now hold the whole leaf
	 * cached as dirty. Split leaves that to gather release
	 * (tpl_note_run); a cut cannot wait, since the unmap that follows
	 * reads and removes the parts in its range now.
	 */
	if (n > 1)
		tpl_dirty_whole(pt, leaf_first,
				leaf_first | iopgt_lg2_mask(size_lg2));
	if (any_sub)
		c->gather->flags |= IOPGT_GATHER_SPLIT;
	return 0;
}

/*
 * The leaf holding the end @b, if it reaches below @b: prepare counts what
 * cutting it takes (or says -EBUSY), commit cuts it. *@leaf_last is set to
 * the last IOVA of a leaf that was found to need the cut.
 */
static int tpl_cut_end(struct tpl_cut *c, u64 b, u64 *leaf_last)
{
	struct iopgt *pt = c->pt;
	unsigned int level = pt->levels - 1, sz, item_lg2, n, g, j;
	u64 *slot = tpl_descend(pt, pt->root, &level, b, 0), *table;
	u64 pte = iopgt_pte_get(slot), leaf_first;

	if (fmt_classify(pt, level, pte, &sz) != IOPGT_E_LEAF)
		return 0;
	leaf_first = b & ~iopgt_lg2_mask(sz);
	if (leaf_first == b)
		return 0;
	*leaf_last = leaf_first | iopgt_lg2_mask(sz);
	item_lg2 = iopgt_item_lg2(pt, level);
	n = 1u << (sz - item_lg2);
	table = slot - iopgt_index(pt, level, b);
	g = iopgt_index(pt, level, b) & ~(n - 1);
	if (c->commit)
		return tpl_cut_commit_leaf(c, table, g, level, sz, leaf_first);
	if (c->bbm != TPL_BBM_DIRECT)
		return -EBUSY;
	for (j = 0; j < n; j++)
		if (tpl_cut_deep(c, level, leaf_first + ((u64)j << item_lg2)))
			c->need += tpl_cut_count(c, level,
						 leaf_first +
							 ((u64)j << item_lg2));
	return 0;
}

/* One pass over both ends; a leaf holding both is cut once. */
static int tpl_cut_pass(struct tpl_cut *c)
{
	u64 leaf_last = 0;
	bool first_cut;
	int ret;

	ret = tpl_cut_end(c, c->bound[0], &leaf_last);
	if (ret || c->nbound < 2)
		return ret;
	first_cut = leaf_last != 0;
	if (first_cut && c->bound[1] <= leaf_last && !c->commit)
		return 0;
	return tpl_cut_end(c, c->bound[1], &leaf_last);
}

/*
 * Split what reaches past the ends of [@iova, @last]. Allocation is
 * atomic: the caller of an unmap may not sleep.
 */
static int tpl_cut(struct iopgt *pt, u64 iova, u64 last,
		   struct iopgt_gather *gather)
{
	unsigned int top_lg2 = iopgt_item_lg2(pt, pt->levels - 1) + pt->top_lg2;
	struct tpl_cut c = {
		.pt = pt,
		.gather = gather,
		.pool = { .pt = pt, .gfp = IOPGT_GFP_ATOMIC },
	};
	int ret;

	/* without BBML2, a block cannot become a table in one step */
	if (tpl_bbm_mode(pt, 0, &c.bbm))
		c.bbm = TPL_BBM_FAULT;
	c.bound[c.nbound++] = iova;
	if (last != ~0ull && (top_lg2 >= 64 || !((last + 1) >> top_lg2)))
		c.bound[c.nbound++] = last + 1;
	ret = tpl_cut_pass(&c);
	if (ret)
		return ret;
	ret = tpl_pool_fill(&c.pool, c.need);
	if (ret)
		return ret;
	c.commit = true;
	ret = tpl_cut_pass(&c);
	tpl_pool_free(&c.pool);
	return ret;
}

/* The unmap entry point: a cut first when asked for. */
static int tpl_unmap_flags(struct iopgt *pt, u64 iova, u64 last, u32 flags,
			   const struct iopgt_bitmap *bitmap, bool read_dirty,
			   struct iopgt_gather *gather, u64 *unmapped)
{
	int ret;

	if (flags & IOPGT_UNMAP_CUT) {
		ret = tpl_cut(pt, iova, last, gather);
		if (ret) {
			*unmapped = 0;
			return ret;
		}
	}
	return tpl_unmap(pt, iova, last, bitmap, read_dirty, gather,
			 unmapped);
}
