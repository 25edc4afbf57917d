/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Map, and the software walk of one IOVA (iova_to_phys).
 *
 * Part of the algorithm template: included once per format by
 * pgtable/iopgt_template.h, after the format's codecs.
 */

/*
 * iopgt_map() prepares, then commits. Preparing changes nothing: it finds
 * overlaps and counts the tables the range needs, at a cost per table, not
 * per leaf: a stretch of leaves going into an existing table is checked a
 * cache line at a time, and the part of the range that has no tables yet
 * is counted from its geometry without being walked. Those tables are then
 * allocated up front, so committing cannot fail for want of memory and a
 * failure anywhere leaves the tree as it was. Committing picks the page
 * size once per stretch and writes its leaves in a tight loop. The count
 * is an upper bound: a concurrent map of a disjoint range may install a
 * shared table first, and the spare is freed at the end.
 */
struct tpl_map {
	struct iopgt *pt;
	u64 pa_delta;		/* pa = iova + pa_delta (mod 2^64) */
	u64 attrs;
	u64 need;		/* prepare: tables to allocate */
	bool careful;		/* prepare met a table under a leaf's slots */
	struct tpl_pool pool;	/* commit: the tables allocated for it */
};

/*
 * The largest allowed size that @iova and @pa are both aligned to and that
 * fits in [@iova, @last]; never larger than an entry of the level above.
 */
static inline unsigned int tpl_pick_size(const struct iopgt *pt,
					 unsigned int level, u64 iova, u64 pa,
					 u64 last)
{
	u64 sizes = pt->pgsize_bitmap;
	u64 align = iova | pa;
	u64 len_m1 = last - iova;

	if (align)
		sizes &= ((align & -align) << 1) - 1;
	if (len_m1 != ~0ull)
		sizes &= iopgt_lg2_mask(iopgt_fls64(len_m1 + 1));
	if (level + 1u < pt->levels)
		sizes &= iopgt_lg2_mask(iopgt_item_lg2(pt, level + 1));
	return iopgt_fls64(sizes) - 1;
}

/*
 * How many leaves of 2^@size_lg2 from @iova (at @level, slot @idx) keep
 * the size tpl_pick_size() chose for the first: until the range ends, the
 * table ends, or IOVA and PA both reach the alignment of a larger size.
 */
static inline u64 tpl_stretch(const struct iopgt *pt, unsigned int level,
			      unsigned int idx, unsigned int size_lg2,
			      u64 iova, u64 pa_delta, u64 last)
{
	unsigned int k = size_lg2 - iopgt_item_lg2(pt, level);
	u64 n, bound, larger = pt->pgsize_bitmap & ~iopgt_lg2_mask(size_lg2 + 1);

	n = last - iova == ~0ull ? 1ull << (64 - size_lg2) :
				   (last - iova + 1) >> size_lg2;
	if (level + 1u < pt->levels)
		larger &= iopgt_lg2_mask(iopgt_item_lg2(pt, level + 1));
	if (pa_delta)
		larger &= ((pa_delta & -pa_delta) << 1) - 1;
	if (larger) {
		bound = (((iova | iopgt_lg2_mask(iopgt_ffs64(larger) - 1)) -
			  iova) >> size_lg2) + 1;
		n = tpl_min(n, bound);
	}
	bound = ((1ull << iopgt_table_lg2(pt, level)) - idx) >> k;
	return tpl_min(n, bound);
}

/*
 * Write @n leaves of 2^@size_lg2 from slot @idx, translating from @pa,
 * dirty if @dirty (split and cut carry a leaf's dirty state; map passes
 * false, which folds away).
 */
static inline void tpl_write_leaves(const struct iopgt *pt, u64 *table,
				    unsigned int idx, unsigned int level,
				    u64 pa, unsigned int size_lg2, u64 n,
				    u64 attrs, bool dirty)
{
	unsigned int item_lg2 = iopgt_item_lg2(pt, level);
	u64 *p = &table[idx], *end, pte, step, slots = n << (size_lg2 - item_lg2);

	if (size_lg2 == item_lg2 &&
	    FMT_OA_LINEAR(pt, pa, pa + (n << size_lg2) - 1)) {
		/* one entry a leaf: the next one is this one's OA plus a step */
		pte = fmt_make_leaf(pt, level, pa, size_lg2, attrs);
		if (dirty)
			pte = fmt_leaf_mkdirty(pt, pte);
		step = FMT_OA_STEP(pt, size_lg2);
		for (end = p + n; p < end; p++, pte += step)
			iopgt_pte_set(p, pte);
	} else {
		for (end = p + slots; p < end; p++, pa += 1ull << item_lg2) {
			pte = fmt_make_leaf(pt, level, pa, size_lg2, attrs);
			if (dirty)
				pte = fmt_leaf_mkdirty(pt, pte);
			iopgt_pte_set(p, pte);
		}
	}
	iopgt_sync(pt, &table[idx], slots * sizeof(u64));
}

/* Are the @n slots from @idx all zero? A cache line at a time. */
static inline bool tpl_slots_clear(const u64 *table, unsigned int idx, u64 n)
{
	const u64 *p = &table[idx], *end = p + n;
	u64 any = 0;

	/* Raw loads: whether an entry is zero does not depend on byte order. */
	for (; p < end && ((uintptr_t)p & 63); p++)
		any |= iopgt_load64(p);
	for (; p + 8 <= end && !any; p += 8)
		any = iopgt_load64(&p[0]) | iopgt_load64(&p[1]) |
		      iopgt_load64(&p[2]) | iopgt_load64(&p[3]) |
		      iopgt_load64(&p[4]) | iopgt_load64(&p[5]) |
		      iopgt_load64(&p[6]) | iopgt_load64(&p[7]);
	for (; p < end && !any; p++)
		any |= iopgt_load64(p);
	return !any;
}

/* Does any of the @n slots from @idx hold a table? */
static inline bool tpl_slots_have_table(const struct iopgt *pt, u64 *table,
					unsigned int level, unsigned int idx,
					unsigned int n)
{
	unsigned int i, sz;

	for (i = 0; i < n; i++)
		if (fmt_classify(pt, level, iopgt_pte_get(&table[idx + i]),
				 &sz) == IOPGT_E_TABLE)
			return true;
	return false;
}

/*
 * The size for the leaf at slot @idx when a slot it would fill may hold a
 * table (left by an unmap that could not reclaim it): such a table is kept
 * and filled with smaller leaves, since replacing it by a leaf would need
 * an invalidation, which map does not ask for.
 */
static unsigned int tpl_pick_careful(const struct iopgt *pt, u64 *table,
				     unsigned int level, unsigned int idx,
				     unsigned int size_lg2)
{
	unsigned int item_lg2 = iopgt_item_lg2(pt, level);

	while (size_lg2 >= item_lg2 &&
	       tpl_slots_have_table(pt, table, level, idx,
				    1u << (size_lg2 - item_lg2)))
		size_lg2 = iopgt_fls64(pt->pgsize_bitmap &
				       iopgt_lg2_mask(size_lg2)) - 1;
	return size_lg2;
}

/* Tables a map of [@iova, @last] needs under a new table at @level. */
static u64 tpl_map_count(struct tpl_map *m, unsigned int level, u64 iova,
			 u64 last)
{
	const struct iopgt *pt = m->pt;
	unsigned int item_lg2 = iopgt_item_lg2(pt, level), size_lg2;
	u64 n = 1, this_last;

	if (!level)
		return 1;
	for (;;) {
		size_lg2 = tpl_pick_size(pt, level, iova, iova + m->pa_delta,
					 last);
		if (size_lg2 >= item_lg2) {
			this_last = iova + ((tpl_stretch(pt, level,
					iopgt_index(pt, level, iova), size_lg2,
					iova, m->pa_delta, last) << size_lg2) -
					    1);
		} else {
			this_last = tpl_min(tpl_entry_last(pt, level, iova),
					    last);
			n += tpl_map_count(m, level - 1, iova, this_last);
		}
		if (this_last >= last)
			return n;
		iova = this_last + 1;
	}
}

/* Prepare [@iova, @last] under the live @table at @level. */
static int tpl_map_check(struct tpl_map *m, struct tpl_it *it)
{
	const struct iopgt *pt = m->pt;
	unsigned int size_lg2;
	struct tpl_it sub;
	u64 iova, slots;
	int ret;

	while (tpl_it_more(it)) {
		iova = tpl_it_from(it);
		size_lg2 = tpl_pick_size(pt, it->level, iova,
					 iova + m->pa_delta, it->last);
		if (size_lg2 >= it->item_lg2) {
			slots = tpl_stretch(pt, it->level, it->idx, size_lg2,
					    iova, m->pa_delta, it->last) <<
				(size_lg2 - it->item_lg2);
			if (likely(tpl_slots_clear(it->table, it->idx,
						   slots))) {
				it->idx += slots;
				continue;
			}
			/* something there: one leaf at a time */
			m->careful = true;
			size_lg2 = tpl_pick_careful(pt, it->table, it->level,
						    it->idx, size_lg2);
			if (size_lg2 >= it->item_lg2) {
				slots = 1u << (size_lg2 - it->item_lg2);
				if (!tpl_slots_clear(it->table, it->idx, slots))
					return -EEXIST;
				it->idx += slots;
				continue;
			}
		}
		/* smaller leaves: a table below this entry */
		switch (tpl_it_load(it)) {
		case IOPGT_E_TABLE:
			tpl_it_down(it, &sub);
			ret = tpl_map_check(m, &sub);
			if (ret)
				return ret;
			break;
		case IOPGT_E_EMPTY:
			if (!tpl_is_marker(pt, it->level, it->pte)) {
				m->need += tpl_map_count(m, it->level - 1,
							 tpl_it_from(it),
							 tpl_it_to(it));
				break;
			}
			iopgt_fallthrough;
		default:
			return -EEXIST;
		}
		tpl_it_next(it);
	}
	return 0;
}

/*
 * Install a new empty table in the empty entry @ptep (which held @old).
 * The compare-exchange publishes the table; it is a full barrier, so the
 * zeroed (and, for a non-coherent walker, cleaned) table is visible first.
 * If a concurrent map of a disjoint range installed one first, use theirs.
 */
static int tpl_install_table(struct tpl_map *m, u64 *ptep, unsigned int level,
			     u64 old, u64 **child)
{
	const struct iopgt *pt = m->pt;
	unsigned int size_lg2;
	u64 *table, pa, pte, cur;

	table = tpl_pool_take(&m->pool, &pa);
	if (!table)
		return -ENOMEM;
	iopgt_sync(pt, table, 1ull << pt->granule_lg2);
	pte = fmt_make_table(pt, level, pa);
	cur = iopgt_pte_cmpxchg(ptep, old, pte);
	if (cur == old) {
		iopgt_sync(pt, ptep, sizeof(*ptep));
		*child = table;
		return 0;
	}
	tpl_pool_put(&m->pool, table, pa);
	if (fmt_classify(pt, level, cur, &size_lg2) != IOPGT_E_TABLE)
		return -EEXIST;
	*child = tpl_child(pt, level, cur);
	return 0;
}

/* Commit [@iova, @last] under @table at @level: it cannot fail now. */
static int tpl_map_fill(struct tpl_map *m, struct tpl_it *it)
{
	const struct iopgt *pt = m->pt;
	unsigned int size_lg2;
	struct tpl_it sub;
	u64 iova, pa, n, *child;
	int ret;

	while (tpl_it_more(it)) {
		iova = tpl_it_from(it);
		pa = iova + m->pa_delta;
		size_lg2 = tpl_pick_size(pt, it->level, iova, pa, it->last);
		if (unlikely(m->careful))
			size_lg2 = tpl_pick_careful(pt, it->table, it->level,
						    it->idx, size_lg2);
		if (size_lg2 >= it->item_lg2) {
			n = m->careful ? 1 :
				tpl_stretch(pt, it->level, it->idx, size_lg2,
					    iova, m->pa_delta, it->last);
			tpl_write_leaves(pt, it->table, it->idx, it->level, pa,
					 size_lg2, n, m->attrs, false);
			it->idx += n << (size_lg2 - it->item_lg2);
			continue;
		}
		/* smaller leaves: a table below this entry */
		if (tpl_it_load(it) == IOPGT_E_TABLE) {
			child = tpl_it_child(it);
		} else {
			ret = tpl_install_table(m, tpl_it_ptep(it), it->level,
						it->pte, &child);
			if (ret)
				return ret;
		}
		tpl_it_init(&sub, pt, child, it->level - 1, iova,
			    tpl_it_to(it));
		ret = tpl_map_fill(m, &sub);
		if (ret)
			return ret;
		tpl_it_next(it);
	}
	return 0;
}

static int tpl_map_prepare(void *ctx, struct tpl_it *it)
{
	return tpl_map_check(ctx, it);
}

static int tpl_map_commit(void *ctx, struct tpl_it *it)
{
	return tpl_map_fill(ctx, it);
}

static int tpl_map(struct iopgt *pt, u64 iova, u64 pa, u64 len, u32 prot,
		   iopgt_gfp_t gfp)
{
	struct tpl_map m = {
		.pt = pt,
		.pa_delta = pa - iova,
		.pool = { .pt = pt, .gfp = gfp },
	};
	u64 last = iova + len - 1;
	int ret;

	ret = fmt_prot_attrs(pt, prot, &m.attrs);
	if (ret)
		return ret;
	return tpl_two_pass(pt, &m.pool, &m.need, tpl_map_prepare,
			    tpl_map_commit, &m, iova, last);
}

static int tpl_iova_to_phys(struct iopgt *pt, u64 iova, u64 *pa)
{
	unsigned int level = pt->levels - 1, size_lg2;
	u64 pte = iopgt_pte_get(tpl_descend(pt, pt->root, &level, iova, 0));

	if (fmt_classify(pt, level, pte, &size_lg2) != IOPGT_E_LEAF)
		return -ENOENT;
	*pa = fmt_leaf_oa(pt, level, pte, size_lg2) +
	      (iova & iopgt_lg2_mask(size_lg2));
	return 0;
}
