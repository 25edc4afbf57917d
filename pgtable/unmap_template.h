/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Unmap and unmap-and-get-dirty, and the reclaim of the tables an unmap
 * leaves empty.
 *
 * Part of the algorithm template: included once per format by
 * pgtable/iopgt_template.h, after the format's codecs.
 */

struct tpl_unmap {
	struct iopgt *pt;
	struct iopgt_gather *gather;
	bool read_dirty;
	struct tpl_report rep;
	bool report;
	u64 first, last;
	u64 unmapped;
	bool found;
};

/* Bytes of leaves under @table (a table at @level). */
static u64 tpl_count_leaves(const struct iopgt *pt, u64 *table,
			    unsigned int level)
{
	unsigned int n = 1u << iopgt_table_lg2(pt, level);
	unsigned int item_lg2 = iopgt_item_lg2(pt, level);
	unsigned int i, sz;
	u64 total = 0, pte;

	if (!level) {
		/* the leaf level: a leaf is whatever is not empty */
		for (i = 0; i < n; i++)
			total += fmt_classify(pt, 0, iopgt_pte_get(&table[i]),
					      &sz) != IOPGT_E_EMPTY;
		return total << item_lg2;
	}
	for (i = 0; i < n; i++) {
		pte = iopgt_pte_get(&table[i]);
		switch (fmt_classify(pt, level, pte, &sz)) {
		case IOPGT_E_LEAF:
			/* each replica slot counts its share */
			total += 1ull << item_lg2;
			break;
		case IOPGT_E_TABLE:
			total += tpl_count_leaves(pt, tpl_child(pt, level, pte),
						  level - 1);
			break;
		default:
			break;
		}
	}
	return total;
}

/*
 * A slot in the fault window of a break-before-make edit still stands for
 * the leaf it was promised (tpl_is_marker): unmapping it cancels the
 * edit's second step, and it counts and reports as that leaf's slot.
 */
static void tpl_unmap_marker(struct tpl_unmap *u, u64 *ptep,
			     unsigned int level, u64 e_first)
{
	const struct iopgt *pt = u->pt;
	u64 e_last = e_first | iopgt_lg2_mask(iopgt_item_lg2(pt, level));
	u64 old = iopgt_pte_xchg(ptep, 0);

	iopgt_sync(pt, ptep, sizeof(*ptep));
	if (!old)
		return;
	if (u->report && fmt_leaf_dirty(pt, fmt_leaf_mkvalid(pt, old)))
		tpl_report(&u->rep, e_first, e_last);
	iopgt_gather_add(u->gather, e_first, e_last);
	u->unmapped += e_last - e_first + 1;
	u->found = true;
}

/*
 * Clear the one-slot leaves from slot @idx (whose item starts at @e_first,
 * the first known to be one) up to the end of the table or of the range
 * at @last; stop at the first slot that holds anything else. Returns how
 * many were cleared.
 */
static unsigned int tpl_unmap_run(const struct iopgt *pt, u64 *table,
				  unsigned int level, unsigned int idx,
				  u64 last, u64 e_first)
{
	unsigned int item_lg2 = iopgt_item_lg2(pt, level);
	unsigned int tbl_lg2 = iopgt_table_lg2(pt, level);
	unsigned int end = (1u << tbl_lg2) - 1, i, sz;
	u64 span_last = e_first | iopgt_lg2_mask(item_lg2 + tbl_lg2), pte;

	/* the last slot of the table the range reaches */
	if (last < span_last)
		end = iopgt_index(pt, level, last);
	iopgt_pte_set(&table[idx], 0);
	if (!level) {
		/* the common case, with the level known to the compiler */
		u64 *p = &table[idx + 1], *stop = &table[end];

		for (; p <= stop; p++) {
			pte = iopgt_pte_get(p);
			if (fmt_classify(pt, 0, pte, &sz) != IOPGT_E_LEAF ||
			    sz != item_lg2)
				break;
			iopgt_pte_set(p, 0);
		}
		return (unsigned int)(p - &table[idx]);
	}
	for (i = idx + 1; i <= end; i++) {
		pte = iopgt_pte_get(&table[i]);
		if (fmt_classify(pt, level, pte, &sz) != IOPGT_E_LEAF ||
		    sz != item_lg2)
			break;
		iopgt_pte_set(&table[i], 0);
	}
	return i - idx;
}

/* A leaf of several slots, or any leaf with its dirty state read: whole. */
static void tpl_unmap_leaf(struct tpl_unmap *u, struct tpl_it *it)
{
	const struct iopgt *pt = u->pt;
	unsigned int n = tpl_it_span(it), g = tpl_it_group(it), i;
	u64 leaf_first = tpl_it_from(it) & ~iopgt_lg2_mask(it->size_lg2);
	u64 leaf_last = leaf_first | iopgt_lg2_mask(it->size_lg2), old;
	bool dirty = false;

	for (i = 0; i < n; i++) {
		if (u->read_dirty) {
			old = iopgt_pte_xchg(&it->table[g + i], 0);
			dirty |= fmt_leaf_dirty(pt, old);
		} else {
			iopgt_pte_set(&it->table[g + i], 0);
		}
	}
	iopgt_sync(pt, &it->table[g], n * sizeof(u64));
	if (dirty && u->report)
		tpl_report(&u->rep, leaf_first, leaf_last);
	iopgt_gather_add(u->gather, leaf_first, leaf_last);
	u->unmapped += 1ull << it->size_lg2;
	u->found = true;
	it->idx = g + n;
}

/*
 * The whole table below the current entry lies in the range: detach it.
 * Its leaves' dirty state is read after the caller's invalidation, in
 * gather release.
 */
static void tpl_unmap_table(struct tpl_unmap *u, struct tpl_it *it)
{
	u64 *child = tpl_it_child(it), bytes;

	iopgt_pte_xchg(tpl_it_ptep(it), 0);
	iopgt_sync(u->pt, tpl_it_ptep(it), sizeof(u64));
	bytes = tpl_count_leaves(u->pt, child, it->level - 1);
	u->unmapped += bytes;
	u->found |= bytes != 0;
	iopgt_gather_detach(u->pt, u->gather, child, it->level - 1,
			    tpl_it_e_first(it),
			    u->report ? IOPGT_META_READ_DIRTY : 0);
	iopgt_gather_add(u->gather, tpl_it_e_first(it), tpl_it_e_last(it));
}

static void tpl_unmap_walk(struct tpl_unmap *u, struct tpl_it *it)
{
	const struct iopgt *pt = u->pt;
	struct tpl_it sub;
	unsigned int n;
	u64 e_first;

	while (tpl_it_more(it)) {
		switch (tpl_it_load(it)) {
		case IOPGT_E_LEAF:
			if (it->size_lg2 != it->item_lg2 || u->read_dirty) {
				tpl_unmap_leaf(u, it);
				continue;
			}
			/* a run of one-slot leaves, cleared in a loop */
			e_first = tpl_it_e_first(it);
			n = tpl_unmap_run(pt, it->table, it->level, it->idx,
					  it->last, e_first);
			iopgt_sync(pt, tpl_it_ptep(it), n * sizeof(u64));
			iopgt_gather_add(u->gather, e_first,
					 e_first + (((u64)n << it->item_lg2) -
						    1));
			u->unmapped += (u64)n << it->item_lg2;
			u->found = true;
			it->idx += n;
			continue;
		case IOPGT_E_TABLE:
			if (tpl_it_covers(it) &&
			    !iopgt_keeps_table(pt, it->level - 1,
					       tpl_it_e_first(it))) {
				tpl_unmap_table(u, it);
			} else {
				tpl_it_down(it, &sub);
				tpl_unmap_walk(u, &sub);
			}
			break;
		default:
			if (tpl_is_marker(pt, it->level, it->pte))
				tpl_unmap_marker(u, tpl_it_ptep(it), it->level,
						 tpl_it_e_first(it));
			break;
		}
		tpl_it_next(it);
	}
}

/* Do slots [@from, @to) of @table hold nothing, not even a marker? */
static bool tpl_slots_empty(const struct iopgt *pt, const u64 *table,
			    unsigned int level, unsigned int from,
			    unsigned int to)
{
	unsigned int i, sz;
	u64 pte;

	for (i = from; i < to; i++) {
		if (!(i & 7) && i + 8 <= to &&
		    !(iopgt_load64(&table[i]) | iopgt_load64(&table[i + 1]) |
		      iopgt_load64(&table[i + 2]) |
		      iopgt_load64(&table[i + 3]) |
		      iopgt_load64(&table[i + 4]) |
		      iopgt_load64(&table[i + 5]) |
		      iopgt_load64(&table[i + 6]) |
		      iopgt_load64(&table[i + 7]))) {
			i += 7;
			continue;
		}
		/* stray bits in an entry the hardware ignores are nothing */
		pte = iopgt_pte_get(&table[i]);
		if (pte && (FMT_NEEDS_BBM ||
			    fmt_classify(pt, level, pte, &sz) != IOPGT_E_EMPTY))
			return false;
	}
	return true;
}

/*
 * Does the table at @level on the path to @iova hold nothing, after an
 * unmap of [@first, @last]? Its slots whose whole item lies in that range
 * were just cleared (leaves removed, tables detached, markers cleared) and
 * are not read again.
 */
static bool tpl_table_empty(const struct iopgt *pt, const u64 *table,
			    unsigned int level, u64 iova, u64 first, u64 last)
{
	unsigned int item_lg2 = iopgt_item_lg2(pt, level);
	unsigned int tbl_lg2 = iopgt_table_lg2(pt, level);
	unsigned int n = 1u << tbl_lg2, lo = n, hi = n;
	u64 base = iova & ~iopgt_lg2_mask(item_lg2 + tbl_lg2);
	u64 span_last = base | iopgt_lg2_mask(item_lg2 + tbl_lg2);
	u64 lo_iova, hi_end;

	if (first <= span_last && last >= base) {
		/* the slots whose items lie wholly inside [first, last] */
		lo_iova = first <= base ? base :
			  ((first - 1) | iopgt_lg2_mask(item_lg2)) + 1;
		hi_end = last >= span_last ? span_last + 1 - base :
			 ((last + 1) & ~iopgt_lg2_mask(item_lg2)) - base;
		if (lo_iova <= span_last) {
			lo = (lo_iova - base) >> item_lg2;
			hi = (unsigned int)(hi_end >> item_lg2);
			if (hi < lo)
				hi = lo;
		}
	}
	return tpl_slots_empty(pt, table, level, 0, lo) &&
	       tpl_slots_empty(pt, table, level, hi, n);
}

/*
 * Detach, deepest first, the tables on the path to @iova that hold
 * nothing, stopping at the first that holds something. Only under the
 * reclaim gate: no other call can be inside them.
 */
static void tpl_reclaim_path(struct iopgt *pt, struct iopgt_gather *gather,
			     u64 iova, u64 ufirst, u64 ulast)
{
	u64 *slots[IOPGT_MAX_LEVELS], *tables[IOPGT_MAX_LEVELS], first;
	unsigned int n = tpl_path(pt, iova, slots, tables), level;

	while (n--) {
		level = pt->levels - 2 - n;
		first = iova & ~iopgt_lg2_mask(iopgt_item_lg2(pt, level + 1));
		if (iopgt_keeps_table(pt, level, first) ||
		    !tpl_table_empty(pt, tables[n], level, iova, ufirst,
				     ulast))
			return;
		iopgt_pte_xchg(slots[n], 0);
		iopgt_sync(pt, slots[n], sizeof(u64));
		iopgt_gather_detach(pt, gather, tables[n], level, first, 0);
		iopgt_gather_add(gather, first,
				 tpl_entry_last(pt, level + 1, iova));
	}
}

/*
 * Is the deepest table on the path to @iova empty, other than @skip? (A
 * hint, taken with no gate held: a table above a non-empty one is not
 * empty either.)
 */
static bool tpl_path_has_empty(const struct iopgt *pt, u64 iova, u64 first,
			       u64 last, const u64 *skip, u64 **deepest)
{
	u64 *slots[IOPGT_MAX_LEVELS], *tables[IOPGT_MAX_LEVELS];
	unsigned int n = tpl_path(pt, iova, slots, tables);

	*deepest = n ? tables[n - 1] : NULL;
	return n && tables[n - 1] != skip &&
	       tpl_table_empty(pt, tables[n - 1], pt->levels - 1 - n, iova,
			       first, last);
}

/*
 * An unmap that took leaves out of tables its range does not cover whole
 * (at most the two on each level that hold its ends) may have left them
 * empty. Such a table goes onto the gather like one inside the range, so
 * its memory comes back and a later map of its span gets the large leaf
 * the span allows. Other calls may be working beside the range inside such
 * a table, so this needs the reclaim gate; when other calls are in flight
 * the tables stay, and map fills them with smaller leaves instead.
 */
static void tpl_unmap_reclaim(struct iopgt *pt, struct iopgt_gather *gather,
			      u64 iova, u64 last)
{
	u64 *first_table, *last_table;

	if (pt->levels < 2 || (pt->cfg.quirks & IOPGT_QUIRK_KEEP_TABLES) ||
	    (!tpl_path_has_empty(pt, iova, iova, last, NULL, &first_table) &&
	     !tpl_path_has_empty(pt, last, iova, last, first_table,
				 &last_table)))
		return;
	if (!iopgt_reclaim_begin(pt))
		return;
	tpl_reclaim_path(pt, gather, iova, iova, last);
	tpl_reclaim_path(pt, gather, last, iova, last);
	iopgt_reclaim_end(pt);
}

static int tpl_unmap(struct iopgt *pt, u64 iova, u64 last,
		     const struct iopgt_bitmap *bitmap, bool read_dirty,
		     struct iopgt_gather *gather, u64 *unmapped)
{
	struct tpl_unmap u = {
		.pt = pt,
		.gather = gather,
		.read_dirty = read_dirty,
		.report = read_dirty && bitmap,
		.first = iova,
		.last = last,
	};
	struct tpl_it it;

	/*
	 * Leaves only partly inside the range go whole, so their dirty state
	 * is reported whole too (clipped only to the bitmap): nothing else
	 * will ever report it.
	 */
	if (u.report)
		tpl_report_init(&u.rep, bitmap, 1, 0);
	tpl_it_init(&it, pt, pt->root, pt->levels - 1, iova, last);
	tpl_unmap_walk(&u, &it);
	if (u.report)
		tpl_report_flush(&u.rep);
	if (u.found)
		tpl_unmap_reclaim(pt, gather, iova, last);
	*unmapped = u.unmapped;
	return u.found ? 0 : -ENOENT;
}
