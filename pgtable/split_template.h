/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Split: large leaves into smaller ones, with the same translation and
 * dirty state, while the device keeps translating. Also the
 * break-before-make modes split and merge share.
 *
 * Part of the algorithm template: included once per format by
 * pgtable/iopgt_template.h, after the format's codecs.
 */

/*
 * How a live leaf may become a table or back (ARM break-before-make):
 * directly (every other format, and ARM with BBML2); in two steps through
 * an entry with nT set (BBML1); or in two steps through an invalid entry,
 * a window in which the device faults (BBML0, only if the caller allows
 * it). The second step happens in gather release, after the caller has
 * invalidated the first.
 */
enum tpl_bbm {
	TPL_BBM_DIRECT,
	TPL_BBM_NT,
	TPL_BBM_FAULT,
};

static int tpl_bbm_mode(const struct iopgt *pt, u32 flags, enum tpl_bbm *mode)
{
	*mode = TPL_BBM_DIRECT;
	if (!FMT_NEEDS_BBM || (pt->cfg.quirks & IOPGT_QUIRK_ARM_BBML2))
		return 0;
	if (pt->cfg.quirks & IOPGT_QUIRK_ARM_BBML1) {
		*mode = TPL_BBM_NT;
		return 0;
	}
	if (flags & IOPGT_SPLIT_ALLOW_FAULT) {
		*mode = TPL_BBM_FAULT;
		return 0;
	}
	return -EBUSY;
}

/* Queue a built subtree for installation at gather release. */
static void tpl_pend_install(struct iopgt *pt, struct iopgt_gather *gather,
			     u64 *table, u64 pa, unsigned int level, u64 iova,
			     u64 expect)
{
	struct iopgt_table_meta *meta = pt->cfg.ops->table_meta(pt->cfg.ctx,
								table);

	meta->next = gather->pending;
	meta->iova = iova;
	meta->level = level;
	meta->flags = 0;
	meta->pa = pa;
	meta->up = NULL;
	meta->expect = expect;
	gather->pending = table;
	gather->npending++;
}

/*
 * Split: every leaf in the range larger than the target becomes leaves of
 * the target size with the same OA, attributes and dirty state. Like map,
 * it prepares (counts the tables every split needs) and allocates before it
 * changes anything. A leaf whose target size lives at its own level (AMD
 * replicas, ARM contiguous runs) is rewritten slot by slot; otherwise each
 * slot's subtree is built off to the side and installed with one
 * compare-exchange, so a walker sees the old leaf or the new subtree,
 * never a hole. If the hardware marks the old leaf dirty meanwhile, the
 * compare-exchange fails and the subtree is marked dirty before the retry.
 */
struct tpl_split {
	struct iopgt *pt;
	struct iopgt_gather *gather;
	enum tpl_bbm bbm;
	unsigned int target_lg2;
	bool commit;
	u64 need;
	struct tpl_pool pool;
};

/* Tables one slot of a leaf at @level needs to reach the target level. */
static u64 tpl_split_tables(const struct iopgt *pt, unsigned int level,
			    unsigned int target_level)
{
	u64 n = 0, per = 1;
	unsigned int l;

	for (l = level; l > target_level; l--) {
		n += per;
		per <<= iopgt_bpl(pt);
	}
	return n;
}

/*
 * Build, off to the side, the subtree replacing one slot (a table at
 * @level translating from @oa) made of target-size leaves like @leaf.
 */
static u64 *tpl_split_build(struct tpl_split *sp, unsigned int level, u64 oa,
			    u64 leaf, u64 *pa)
{
	const struct iopgt *pt = sp->pt;
	unsigned int n = 1u << iopgt_table_lg2(pt, level);
	unsigned int item_lg2 = iopgt_item_lg2(pt, level);
	unsigned int target_level = iopgt_size_level(pt, sp->target_lg2);
	u64 attrs = fmt_leaf_attrs(pt, level + 1, leaf);
	bool dirty = fmt_leaf_dirty(pt, leaf);
	u64 *table, *child, cpa, e_oa, e;
	unsigned int i;

	table = tpl_pool_take(&sp->pool, pa);
	if (!table)
		return NULL;
	if (level == target_level) {
		tpl_write_leaves(pt, table, 0, level, oa, sp->target_lg2,
				 n >> (sp->target_lg2 - item_lg2), attrs, dirty);
		return table;
	}
	for (i = 0; i < n; i++) {
		e_oa = oa + ((u64)i << item_lg2);
		child = tpl_split_build(sp, level - 1, e_oa, leaf, &cpa);
		if (!child)
			return NULL;
		e = fmt_make_table(pt, level, cpa);
		iopgt_pte_set(&table[i], e);
	}
	iopgt_sync(pt, table, sizeof(u64) * n);
	return table;
}

/*
 * The first step of a split under break-before-make: the slot, read as
 * @old, gets the old leaf with nT set (BBML1) or its marker (BBML0); the
 * subtree waits on the gather for the caller's invalidation. Dirty state
 * the old leaf has (or gets meanwhile, through nT) is carried into the
 * subtree. Returns false, writing nothing, if the slot changed beyond
 * what the hardware sets.
 */
static bool tpl_split_break(struct tpl_split *sp, u64 *ptep, unsigned int level,
			    u64 old, u64 *sub, u64 spa, u64 slot_iova,
			    bool dirty)
{
	const struct iopgt *pt = sp->pt;
	enum tpl_cas done;
	u64 mid;

	do {
		mid = sp->bbm == TPL_BBM_NT ? fmt_leaf_set_nt(pt, old) :
					      fmt_leaf_mkinvalid(pt, old);
	} while ((done = tpl_cas(pt, level, ptep, &old, mid)) ==
		 TPL_CAS_RETRY);
	if (done == TPL_CAS_LOST)
		return false;
	if (!dirty && fmt_leaf_dirty(pt, old))
		tpl_mark_private_dirty(pt, sub, level - 1);
	tpl_pend_install(sp->pt, sp->gather, sub, spa, level - 1, slot_iova,
			 mid);
	return true;
}

/*
 * Note a leaf filling several slots that split rewrites slot by slot. The
 * hardware sets dirty state in one slot of such a leaf and may hold the
 * whole leaf cached as dirty until the invalidation: writes through that
 * entry to the leaf's other parts touch no entry at all. Gather release
 * therefore looks at each such leaf once more and, if any part is dirty,
 * makes every part dirty (tpl_runs_recheck).
 */
static void tpl_note_run(struct iopgt_gather *gather, u64 first, u64 last,
			 unsigned int size_lg2)
{
	struct iopgt_gather_run *r = gather->nruns ?
		&gather->runs[gather->nruns - 1] : NULL;

	if (r && r->lg2 == size_lg2 && first == r->last + 1) {
		r->last = last;
		return;
	}
	if (gather->nruns < IOPGT_GATHER_RUNS) {
		r = &gather->runs[gather->nruns++];
		r->first = first;
		r->last = last;
		r->lg2 = size_lg2;
		return;
	}
	/*
	 * Full: a stretch of the same size widens over the gap (release then
	 * also looks at the gap's groups of that size: a dirty one is made
	 * dirty whole), or else the last one widens and takes the larger
	 * size. Either way release may mark more than was one leaf: reporting
	 * more, never losing a write.
	 */
	for (r = gather->runs; r < gather->runs + IOPGT_GATHER_RUNS; r++)
		if (r->lg2 == size_lg2)
			break;
	if (r == gather->runs + IOPGT_GATHER_RUNS)
		r = &gather->runs[IOPGT_GATHER_RUNS - 1];
	r->first = tpl_min(r->first, first);
	r->last = tpl_max(r->last, last);
	r->lg2 = size_lg2 > r->lg2 ? size_lg2 : r->lg2;
}

static int tpl_split_leaf(struct tpl_split *sp, u64 *table, unsigned int idx,
			  unsigned int level, unsigned int size_lg2, u64 iova)
{
	const struct iopgt *pt = sp->pt;
	unsigned int item_lg2 = iopgt_item_lg2(pt, level);
	unsigned int n = 1u << (size_lg2 - item_lg2), g = idx & ~(n - 1), j;
	unsigned int target_level = iopgt_size_level(pt, sp->target_lg2);
	u64 leaf_first = iova & ~iopgt_lg2_mask(size_lg2);
	u64 pte, orig, oa, slot_oa, new, *sub, spa;
	bool dirty = false;

	if (!sp->commit) {
		/* contiguous runs change in place: only without BBM */
		if (target_level == level && sp->bbm != TPL_BBM_DIRECT)
			return -EBUSY;
		if (target_level < level)
			sp->need += n * tpl_split_tables(pt, level,
							 target_level);
		return 0;
	}
	/* the leaf is dirty if any slot is: every new leaf inherits it */
	for (j = 0; j < n; j++)
		dirty |= fmt_leaf_dirty(pt, iopgt_pte_get(&table[g + j]));
	oa = fmt_leaf_oa(pt, level, iopgt_pte_get(&table[g]), size_lg2);
	for (j = 0; j < n; j++) {
		orig = pte = iopgt_pte_get(&table[g + j]);
		slot_oa = oa + ((u64)j << item_lg2);
		if (dirty)
			pte = fmt_leaf_mkdirty(pt, pte);
		if (target_level == level) {
			new = fmt_make_leaf(pt, level, slot_oa, sp->target_lg2,
					    fmt_leaf_attrs(pt, level, pte));
			if (dirty)
				new = fmt_leaf_mkdirty(pt, new);
			sub = NULL;
		} else {
			sub = tpl_split_build(sp, level - 1, slot_oa, pte,
					      &spa);
			if (!sub)
				return -ENOMEM;
			new = fmt_make_table(pt, level, spa);
		}
		if (sub && sp->bbm != TPL_BBM_DIRECT) {
			if (tpl_split_break(sp, &table[g + j], level, orig,
					    sub, spa,
					    leaf_first + ((u64)j << item_lg2),
					    dirty))
				continue;
		} else if (tpl_replace_leaf(pt, level, &table[g + j], orig,
					    new, dirty, sub, level - 1)) {
			continue;
		}
		/* a concurrent edit of this range: not ours to undo */
		if (sub)
			tpl_free_tree(sp->pt, sub, level - 1);
		return -EEXIST;
	}
	iopgt_gather_add(sp->gather, leaf_first,
			 leaf_first | iopgt_lg2_mask(size_lg2));
	if (n > 1)
		tpl_note_run(sp->gather, leaf_first,
			     leaf_first | iopgt_lg2_mask(size_lg2), size_lg2);
	if (target_level < level)
		sp->gather->flags |= IOPGT_GATHER_SPLIT;
	return 0;
}

static int tpl_split_walk(struct tpl_split *sp, struct tpl_it *it)
{
	const struct iopgt *pt = sp->pt;
	struct tpl_it sub;
	int ret;

	while (tpl_it_more(it)) {
		switch (tpl_it_load(it)) {
		case IOPGT_E_LEAF:
			if (it->size_lg2 > sp->target_lg2) {
				ret = tpl_split_leaf(sp, it->table, it->idx,
						     it->level, it->size_lg2,
						     tpl_it_from(it));
				if (ret)
					return ret;
			}
			tpl_it_skip_leaf(it);
			continue;
		case IOPGT_E_TABLE:
			/* only where leaves below can be larger than the target */
			if (it->level > 0 && iopgt_item_lg2(pt, it->level - 1) +
					     iopgt_bpl(pt) > sp->target_lg2) {
				tpl_it_down(it, &sub);
				ret = tpl_split_walk(sp, &sub);
				if (ret)
					return ret;
			}
			break;
		default:
			break;
		}
		tpl_it_next(it);
	}
	return 0;
}

static int tpl_split_prepare(void *ctx, struct tpl_it *it)
{
	return tpl_split_walk(ctx, it);
}

static int tpl_split_commit(void *ctx, struct tpl_it *it)
{
	struct tpl_split *sp = ctx;

	sp->commit = true;
	return tpl_split_walk(sp, it);
}

static int tpl_split(struct iopgt *pt, u64 iova, u64 last,
		     unsigned int pgsize_lg2, u32 flags, iopgt_gfp_t gfp,
		     struct iopgt_gather *gather)
{
	struct tpl_split sp = {
		.pt = pt,
		.gather = gather,
		.target_lg2 = pgsize_lg2,
		.pool = { .pt = pt, .gfp = gfp },
	};
	int ret;

	ret = tpl_bbm_mode(pt, flags, &sp.bbm);
	if (ret)
		return ret;
	return tpl_two_pass(pt, &sp.pool, &sp.need, tpl_split_prepare,
			    tpl_split_commit, &sp, iova, last);
}
