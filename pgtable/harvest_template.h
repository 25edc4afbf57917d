/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Dirty harvest (read_dirty) and switching dirty tracking on and off.
 *
 * Part of the algorithm template: included once per format by
 * pgtable/iopgt_template.h, after the format's codecs.
 */

/*
 * Clean a leaf slot that was read dirty as @pte. A plain store is enough
 * when the hardware has nothing left to set in the entry; otherwise the
 * hardware may set A or D between our read and our write, and only a
 * compare-exchange keeps that update.
 */
static void tpl_clean(const struct iopgt *pt, u64 *ptep, u64 pte)
{
	u64 cur;

	if (fmt_leaf_settled(pt, pte)) {
		iopgt_pte_set(ptep, fmt_leaf_mkclean(pt, pte));
		return;
	}
	for (;;) {
		cur = iopgt_pte_cmpxchg(ptep, pte, fmt_leaf_mkclean(pt, pte));
		if (cur == pte)
			return;
		pte = cur;
		if (!fmt_leaf_dirty(pt, pte))
			return;
	}
}

struct tpl_harvest {
	const struct iopgt *pt;
	struct iopgt_gather *gather;
	struct tpl_report rep;
	bool report;
	bool fast;		/* a word bitmap, one bit per leaf-level entry */
	bool clear;
	u64 first, last;
	u64 clean_first, clean_last;
	bool cleaned;
};

/*
 * One leaf (all its replicas) found at slot @idx of @table: dirty if any
 * replica is, and each replica read dirty is cleaned. A leaf only partly
 * inside the request is reported (clipped) but left dirty, because
 * cleaning it would lose the state of its part outside the request.
 * Returns the slot after the leaf.
 */
static unsigned int tpl_harvest_leaf(struct tpl_harvest *h, u64 *table,
				     unsigned int idx, unsigned int level,
				     unsigned int size_lg2, u64 iova)
{
	const struct iopgt *pt = h->pt;
	unsigned int n = 1u << (size_lg2 - iopgt_item_lg2(pt, level));
	unsigned int g = idx & ~(n - 1), i;
	u64 leaf_first = iova & ~iopgt_lg2_mask(size_lg2);
	u64 leaf_last = leaf_first | iopgt_lg2_mask(size_lg2);
	bool whole = leaf_first >= h->first && leaf_last <= h->last;
	bool dirty = false;
	u64 pte;

	for (i = 0; i < n; i++) {
		pte = iopgt_pte_get(&table[g + i]);
		if (!fmt_leaf_dirty(pt, pte))
			continue;
		dirty = true;
		if (h->clear && whole)
			tpl_clean(pt, &table[g + i], pte);
	}
	if (!dirty)
		return g + n;
	if (h->report)
		tpl_report(&h->rep, tpl_max(leaf_first, h->first),
			   tpl_min(leaf_last, h->last));
	if (h->clear && whole) {
		if (!h->cleaned) {
			h->clean_first = leaf_first;
			h->cleaned = true;
		}
		h->clean_last = leaf_last;
	}
	return g + n;
}

/*
 * A leaf of one slot (@ptep, read as @pte, translating [@e_first,
 * @e_last]) that passed the dirty filter: what tpl_harvest_leaf() does,
 * without its work for several slots.
 */
static inline void tpl_harvest_one(struct tpl_harvest *h, u64 *ptep, u64 pte,
				   u64 e_first, u64 e_last)
{
	const struct iopgt *pt = h->pt;
	bool whole = e_first >= h->first && e_last <= h->last;

	if (!fmt_leaf_dirty(pt, pte))
		return;
	if (h->report)
		tpl_report(&h->rep, likely(whole) ? e_first :
						     tpl_max(e_first, h->first),
			   likely(whole) ? e_last : tpl_min(e_last, h->last));
	if (!h->clear || !whole)
		return;
	tpl_clean(pt, ptep, pte);
	if (!h->cleaned) {
		h->clean_first = e_first;
		h->cleaned = true;
	}
	h->clean_last = e_last;
}

/*
 * Might an entry of the cache line at @line pass the dirty filter? A test
 * of the whole line at once: an entry passes only if it has every bit the
 * filter wants set and none it wants clear, so the OR of the line must
 * have the first and the AND of the line must lack the second. A line
 * that passes this may still hold no candidate (its bits came from
 * different entries): the entries are then tested one by one.
 */
static inline bool tpl_line_any(const struct iopgt *pt, const u64 *line)
{
	const u64 set = FMT_DIRTY_MASK(pt) & FMT_DIRTY_VAL(pt);
	const u64 clear = FMT_DIRTY_MASK(pt) & ~FMT_DIRTY_VAL(pt);
	u64 or_v = 0, and_v = ~0ull, v;
	unsigned int j;

	IOPGT_UNROLL8
	for (j = 0; j < 8; j++) {
		v = iopgt_pte_get(&line[j]);
		or_v |= v;
		and_v &= v;
	}
	return (or_v & set) == set && !(and_v & clear);
}



/*
 * The common case at full speed: a whole leaf table inside the request,
 * one bitmap bit per entry, the table starting on a bitmap word. Each
 * cache line is tested with one filter, the next table is prefetched line
 * by line as this one is scanned (tables are scattered pages, which the
 * hardware prefetcher does not follow), and the bits of 64 entries are
 * built in a register and reported as one word. Returns the first entry
 * it did not handle: the table's size when done, or the first slot of a
 * leaf larger than an entry, which the general loop then takes.
 */
/* Entries @first..@last of the leaf table at @table_iova were cleaned. */
static inline void tpl_harvest_cleaned(struct tpl_harvest *h, u64 table_iova,
				       unsigned int item_lg2,
				       unsigned int first, unsigned int last)
{
	if (first > last)
		return;
	if (!h->cleaned) {
		h->clean_first = table_iova + ((u64)first << item_lg2);
		h->cleaned = true;
	}
	h->clean_last = table_iova + ((u64)(last + 1) << item_lg2) - 1;
}

static unsigned int tpl_harvest_table_fast(struct tpl_harvest *h, u64 *table,
					   const u64 *next, u64 table_iova)
{
	const struct iopgt *pt = h->pt;
	const u64 mask = FMT_DIRTY_MASK(pt), val = FMT_DIRTY_VAL(pt);
	const unsigned int item_lg2 = iopgt_item_lg2(pt, 0);
	const unsigned int n = 1u << iopgt_table_lg2(pt, 0);
	const u64 bit0 = (table_iova - h->rep.bm->base) >> h->rep.bm->pgshift;
	const bool clear = h->clear;
	/* locals, not h's fields: stores to the table may alias those */
	unsigned int i, j, m, sz, first = n, last = 0;
	u64 bits = 0, v[8], and_v, or_v;

	for (i = 0; i < n; i += 8) {
		if (next)
			iopgt_prefetch(&next[i]);
		if (likely(!tpl_line_any(pt, &table[i])))
			goto next_line;
		m = 0;
		and_v = ~0ull;
		or_v = 0;
		IOPGT_UNROLL8
		for (j = 0; j < 8; j++) {
			v[j] = iopgt_pte_get(&table[i + j]);
			m |= (unsigned int)((v[j] & mask) == val) << j;
			and_v &= v[j];
			or_v |= v[j];
		}
#ifdef FMT_PLAIN_MASK
		/*
		 * The common dirty case: eight plain leaves (one entry's size,
		 * dirty, nothing left for the hardware to set), told by one
		 * test of the AND and the OR of the line, cleaned with plain
		 * stores. A format that can say what a plain leaf looks like
		 * defines FMT_PLAIN_MASK/VAL (pgtable/format.h).
		 */
		if ((and_v & FMT_PLAIN_MASK(pt)) == FMT_PLAIN_VAL(pt) &&
		    !(or_v & FMT_PLAIN_MASK(pt) & ~FMT_PLAIN_VAL(pt))) {
			if (clear) {
				IOPGT_UNROLL8
				for (j = 0; j < 8; j++)
					iopgt_pte_set(&table[i + j],
						   fmt_leaf_mkclean(pt, v[j]));
				if (first == n)
					first = i;
				last = i + 7;
			}
			bits |= 0xffull << (i & 63);
			goto next_line;
		}
#else
		(void)and_v;
		(void)or_v;
#endif
		while (m) {
			j = iopgt_ffs64(m) - 1;
			m &= m - 1;
			if (fmt_classify(pt, 0, v[j], &sz) != IOPGT_E_LEAF)
				continue;
			if (unlikely(sz != item_lg2)) {
				/* report what is done, let the caller go on */
				tpl_report_word(&h->rep, (bit0 + (i & ~63u)) /
						64, bits);
				tpl_harvest_cleaned(h, table_iova, item_lg2,
						    first, last);
				return i + j;
			}
			bits |= 1ull << ((i + j) & 63);
			if (clear) {
				tpl_clean(pt, &table[i + j], v[j]);
				if (first == n)
					first = i + j;
				last = i + j;
			}
		}
next_line:
		if ((i & 63) == 56 && bits) {
			tpl_report_word(&h->rep, (bit0 + i) / 64, bits);
			bits = 0;
		}
	}
	tpl_harvest_cleaned(h, table_iova, item_lg2, first, last);
	return n;
}

/*
 * The leaf level: the hot loop. A cache line of entries with no dirty
 * candidate is skipped with one test and never written.
 */
static void tpl_harvest_level0(struct tpl_harvest *h, u64 *table,
			       const u64 *next, u64 iova, u64 last)
{
	const struct iopgt *pt = h->pt;
	const u64 mask = FMT_DIRTY_MASK(pt), val = FMT_DIRTY_VAL(pt);
	unsigned int item_lg2 = iopgt_item_lg2(pt, 0);
	unsigned int idx = iopgt_index(pt, 0, iova);
	unsigned int end = idx + (unsigned int)((last - iova) >> item_lg2);
	u64 base = iova - ((u64)idx << item_lg2);
	unsigned int i = idx, size_lg2;
	u64 pte;

	unsigned int tail = 0, tail_size = 0;

	if (h->fast && idx == 0 && end == (1u << iopgt_table_lg2(pt, 0)) - 1 &&
	    base >= h->rep.bm->base &&
	    !(((base - h->rep.bm->base) >> item_lg2) & 63) &&
	    ((last - h->rep.bm->base) >> item_lg2) < h->rep.bm->nbits)
		i = tpl_harvest_table_fast(h, table, next, base);
	else if (next)
		iopgt_prefetch(next);

	/*
	 * A leaf spread over several slots that straddles either end of the
	 * range may have its dirty slot outside it, where the filter below
	 * never looks: such groups are looked at whole.
	 */
	if (i <= end) {
		pte = iopgt_pte_get(&table[i]);
		if (fmt_classify(pt, 0, pte, &size_lg2) == IOPGT_E_LEAF &&
		    size_lg2 > item_lg2)
			i = tpl_harvest_leaf(h, table, i, 0, size_lg2,
					     base + ((u64)i << item_lg2));
	}
	if (i <= end) {
		pte = iopgt_pte_get(&table[end]);
		if (fmt_classify(pt, 0, pte, &size_lg2) == IOPGT_E_LEAF &&
		    size_lg2 > item_lg2) {
			tail = end & ~((1u << (size_lg2 - item_lg2)) - 1);
			tail_size = size_lg2;
			if (tail < i)
				tail_size = 0;	/* already done whole */
			else
				end = tail - 1;
		}
	}

	while (i <= end && (!tail_size || i < tail)) {
		if (!(i & 7) && i + 7 <= end) {
			if (!tpl_line_any(pt, &table[i])) {
				i += 8;
				continue;
			}
		}
		pte = iopgt_pte_get(&table[i]);
		if ((pte & mask) != val ||
		    fmt_classify(pt, 0, pte, &size_lg2) != IOPGT_E_LEAF) {
			i++;
			continue;
		}
		i = tpl_harvest_leaf(h, table, i, 0, size_lg2,
				     base + ((u64)i << item_lg2));
	}
	if (tail_size)
		tpl_harvest_leaf(h, table, tail, 0, tail_size,
				 base + ((u64)tail << item_lg2));
}

/*
 * Does an entry at @level need a look: a dirty candidate (the format's
 * filter) or a table to go down into?
 */
static inline bool tpl_entry_busy(const struct iopgt *pt, unsigned int level,
				  u64 pte)
{
	return ((pte & FMT_DIRTY_MASK(pt)) == FMT_DIRTY_VAL(pt)) ||
	       fmt_is_table(pt, level, pte);
}

static inline bool tpl_line_busy(const struct iopgt *pt, unsigned int level,
				 const u64 *line)
{
	unsigned int j, busy = 0;

	IOPGT_UNROLL8
	for (j = 0; j < 8; j++)
		busy |= tpl_entry_busy(pt, level, iopgt_pte_get(&line[j]));
	return busy;
}

/*
 * A table above the leaf level, over [@iova, @last]: clean lines of large
 * leaves are skipped with one test each, as at the leaf level. A leaf
 * filling several slots that straddles either end of the range may have
 * its dirty slot outside it, where the filter never looks: such leaves
 * are looked at whole first.
 */
static void tpl_harvest_down(struct tpl_harvest *h, u64 *table,
			     unsigned int level, u64 first, u64 last);

static void tpl_harvest_walk(struct tpl_harvest *h, struct tpl_it *it)
{
	const struct iopgt *pt = h->pt;
	unsigned int level = it->level, item_lg2 = it->item_lg2;
	unsigned int i = it->idx, end = it->end, sz;
	unsigned int tail = 0, tail_lg2 = 0;
	u64 *table = it->table, base = it->base, iova = it->first;
	u64 last = it->last;
	const u64 item_mask = iopgt_lg2_mask(item_lg2);
	u64 e_first, pte, next_pte;
	const u64 *next;

	/* the walk is on raw slot numbers from here: the scan is hot */
	pte = iopgt_pte_get(&table[i]);
	if (fmt_classify(pt, level, pte, &sz) == IOPGT_E_LEAF &&
	    sz > item_lg2)
		i = tpl_harvest_leaf(h, table, i, level, sz, iova);
	if (i > end)
		return;
	pte = iopgt_pte_get(&table[end]);
	if (fmt_classify(pt, level, pte, &sz) == IOPGT_E_LEAF &&
	    sz > item_lg2) {
		tail = end & ~((1u << (sz - item_lg2)) - 1);
		if (tail <= i) {
			/*
			 * Only where entries disagree about a run (the head
			 * took any run starting at i): what is left lies
			 * inside this one leaf, read whole, and end never
			 * falls below i.
			 */
			tpl_harvest_leaf(h, table, end, level, sz,
					 base + ((u64)end << item_lg2));
			return;
		}
		tail_lg2 = sz;
		end = tail - 1;
	}
	while (i <= end) {
		if (!(i & 7) && i + 7 <= end &&
		    !tpl_line_busy(pt, level, &table[i])) {
			i += 8;
			continue;
		}
		pte = iopgt_pte_get(&table[i]);
		e_first = base + ((u64)i << item_lg2);
		switch (fmt_classify(pt, level, pte, &sz)) {
		case IOPGT_E_LEAF:
			if (sz == item_lg2) {
				if ((pte & FMT_DIRTY_MASK(pt)) ==
				    FMT_DIRTY_VAL(pt))
					tpl_harvest_one(h, &table[i], pte,
							e_first,
							e_first + item_mask);
				i++;
				break;
			}
			i = tpl_harvest_leaf(h, table, i, level, sz,
					     tpl_max(e_first, iova));
			break;
		case IOPGT_E_TABLE:
			if (level > 1) {
				tpl_harvest_down(h, tpl_child(pt, level, pte),
						 level - 1,
						 tpl_max(e_first, iova),
						 tpl_min(e_first | item_mask,
							 last));
				i++;
				break;
			}
			/* the table after this one, to prefetch */
			next = NULL;
			if (i < end) {
				next_pte = iopgt_pte_get(&table[i + 1]);
				if (fmt_classify(pt, level, next_pte, &sz) ==
				    IOPGT_E_TABLE)
					next = tpl_child(pt, level, next_pte);
			}
			tpl_harvest_level0(h, tpl_child(pt, level, pte), next,
					   tpl_max(e_first, iova),
					   tpl_min(e_first |
						   iopgt_lg2_mask(item_lg2),
						   last));
			i++;
			break;
		default:
			i++;
			break;
		}
	}
	if (tail_lg2)
		tpl_harvest_leaf(h, table, tail, level, tail_lg2,
				 base + ((u64)tail << item_lg2));
}

/* The walk of a table below, started apart to keep the scan's frame small. */
static void tpl_harvest_down(struct tpl_harvest *h, u64 *table,
			     unsigned int level, u64 first, u64 last)
{
	struct tpl_it it;

	tpl_it_init(&it, h->pt, table, level, first, last);
	tpl_harvest_walk(h, &it);
}

static int tpl_read_dirty(struct iopgt *pt, u64 iova, u64 last, u32 flags,
			  const struct iopgt_bitmap *bitmap,
			  struct iopgt_gather *gather)
{
	struct tpl_harvest h = {
		.pt = pt,
		.gather = gather,
		.report = bitmap != NULL,
		.clear = !(flags & IOPGT_DIRTY_NO_CLEAR),
		.first = iova,
		.last = last,
	};

	if (h.report) {
		tpl_report_init(&h.rep, bitmap, iova, last);
		h.fast = !bitmap->record &&
			 bitmap->pgshift == iopgt_item_lg2(pt, 0);
	}
	if (pt->levels == 1) {
		tpl_harvest_level0(&h, pt->root, NULL, iova, last);
	} else {
		tpl_harvest_down(&h, pt->root, pt->levels - 1, iova, last);
	}
	if (h.report)
		tpl_report_flush(&h.rep);
	if (h.cleaned)
		iopgt_gather_add(gather, h.clean_first, h.clean_last);
	return 0;
}

