/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Walking: what every operation's walk is made of. The entry helpers
 * (child table, the last IOVA of an entry, the fault-window marker), the
 * iterator over the slots of one table that translate a range (struct
 * tpl_it), the walks down one path (tpl_descend, tpl_path,
 * tpl_slot_from), the one compare-exchange update helper that keeps what
 * the hardware sets (tpl_cas, and tpl_replace_leaf on it), and freeing a
 * detached tree. The table pool is in pool_template.h.
 *
 * Part of the algorithm template: included once per format by
 * pgtable/iopgt_template.h, after the format's codecs.
 */

/*
 * A break-before-make edit with a fault window (BBML0) leaves in the slot,
 * until gather release, the leaf it stands for with the valid bit clear:
 * the hardware sees nothing there, and software still knows which leaf
 * the slot is promised to. Map refuses such a slot and unmap clears it,
 * so the second step, which only ever replaces that exact value, cannot
 * bring back a translation the caller has unmapped.
 */
static inline bool tpl_is_marker(const struct iopgt *pt, unsigned int level,
				 u64 pte)
{
	unsigned int sz;

	return FMT_NEEDS_BBM && pte &&
	       fmt_classify(pt, level, pte, &sz) == IOPGT_E_EMPTY;
}

static inline u64 *tpl_child(const struct iopgt *pt, unsigned int level,
			     u64 pte)
{
	return iopgt_table_va(pt, fmt_table_pa(pt, level, pte));
}

static inline u64 tpl_min(u64 a, u64 b)
{
	return a < b ? a : b;
}

static inline u64 tpl_max(u64 a, u64 b)
{
	return a > b ? a : b;
}

/* Last IOVA of the entry at @level that translates @iova. */
static inline u64 tpl_entry_last(const struct iopgt *pt, unsigned int level,
				 u64 iova)
{
	return iova | iopgt_lg2_mask(iopgt_item_lg2(pt, level));
}

/*
 * struct tpl_it - the iterator every walk is written on: where a walk is
 * in one table. It visits, in order, the slots of @table (a table at
 * @level) that translate [@first, @last], the walk's range clipped to the
 * table. tpl_it_load() reads the current slot once into @pte and says what
 * it is (@type, and @size_lg2 for a leaf); a leaf may fill several
 * aligned slots (AMD v1 replicas, ARM contiguous runs: tpl_it_span()),
 * and tpl_it_down() starts the walk of the table below a table entry over
 * the part of the range that entry translates. A walk carries what it
 * found on the way down in its own frames; nothing is re-found from the
 * root.
 */
struct tpl_it {
	const struct iopgt *pt;
	u64 *table;
	unsigned int level;
	unsigned int item_lg2;
	unsigned int idx;	/* the current slot */
	unsigned int end;	/* the last slot in range */
	u64 base;		/* IOVA slot 0 translates */
	u64 first, last;	/* the range, within this table */
	u64 pte;
	enum iopgt_etype type;
	unsigned int size_lg2;
};

static inline void tpl_it_init(struct tpl_it *it, const struct iopgt *pt,
			       u64 *table, unsigned int level, u64 first,
			       u64 last)
{
	unsigned int span_lg2 = iopgt_item_lg2(pt, level) +
				iopgt_table_lg2(pt, level);

	it->pt = pt;
	it->table = table;
	it->level = level;
	it->item_lg2 = iopgt_item_lg2(pt, level);
	it->base = first & ~iopgt_lg2_mask(span_lg2);
	it->first = first;
	it->last = tpl_min(last, it->base | iopgt_lg2_mask(span_lg2));
	it->idx = iopgt_index(pt, level, first);
	it->end = iopgt_index(pt, level, it->last);
}

/* Every slot of @table, whose slot 0 translates @base. */
static inline void tpl_it_whole(struct tpl_it *it, const struct iopgt *pt,
				u64 *table, unsigned int level, u64 base)
{
	tpl_it_init(it, pt, table, level, base,
		    base | iopgt_lg2_mask(iopgt_item_lg2(pt, level) +
					  iopgt_table_lg2(pt, level)));
}

static inline bool tpl_it_more(const struct tpl_it *it)
{
	return it->idx <= it->end;
}

static inline enum iopgt_etype tpl_it_load(struct tpl_it *it)
{
	it->pte = iopgt_pte_get(&it->table[it->idx]);
	it->type = fmt_classify(it->pt, it->level, it->pte, &it->size_lg2);
	return it->type;
}

static inline u64 *tpl_it_ptep(const struct tpl_it *it)
{
	return &it->table[it->idx];
}

/* The IOVA the current slot translates, whole. */
static inline u64 tpl_it_e_first(const struct tpl_it *it)
{
	return it->base + ((u64)it->idx << it->item_lg2);
}

static inline u64 tpl_it_e_last(const struct tpl_it *it)
{
	return tpl_it_e_first(it) | iopgt_lg2_mask(it->item_lg2);
}

/* The part of the range the current slot translates. */
static inline u64 tpl_it_from(const struct tpl_it *it)
{
	return tpl_max(tpl_it_e_first(it), it->first);
}

static inline u64 tpl_it_to(const struct tpl_it *it)
{
	return tpl_min(tpl_it_e_last(it), it->last);
}

/* Does the range cover the current slot whole? */
static inline bool tpl_it_covers(const struct tpl_it *it)
{
	return tpl_it_e_first(it) >= it->first &&
	       tpl_it_e_last(it) <= it->last;
}

/* Slots the current leaf fills, and the first of them. */
static inline unsigned int tpl_it_span(const struct tpl_it *it)
{
	return 1u << (it->size_lg2 - it->item_lg2);
}

static inline unsigned int tpl_it_group(const struct tpl_it *it)
{
	return it->idx & ~(tpl_it_span(it) - 1);
}

static inline void tpl_it_next(struct tpl_it *it)
{
	it->idx++;
}

/* Past every slot of the current leaf. */
static inline void tpl_it_skip_leaf(struct tpl_it *it)
{
	it->idx = tpl_it_group(it) + tpl_it_span(it);
}

static inline u64 *tpl_it_child(const struct tpl_it *it)
{
	return tpl_child(it->pt, it->level, it->pte);
}

/* The walk of the table below the current (table) entry. */
static inline void tpl_it_down(const struct tpl_it *it, struct tpl_it *child)
{
	tpl_it_init(child, it->pt, tpl_it_child(it), it->level - 1,
		    tpl_it_from(it), tpl_it_to(it));
}

/* The whole table below the current (table) entry. */
static inline void tpl_it_down_whole(const struct tpl_it *it,
				     struct tpl_it *child)
{
	tpl_it_whole(child, it->pt, tpl_it_child(it), it->level - 1,
		     tpl_it_e_first(it));
}

/*
 * The tables on the path to @iova below the root, top first: their slots
 * and levels. Returns how many.
 */
static unsigned int tpl_path(const struct iopgt *pt, u64 iova,
			     u64 **slots, u64 **tables)
{
	unsigned int l = pt->levels - 1, n = 0, sz;
	u64 *table = pt->root, pte;

	for (; l; l--) {
		slots[n] = &table[iopgt_index(pt, l, iova)];
		pte = iopgt_pte_get(slots[n]);
		if (fmt_classify(pt, l, pte, &sz) != IOPGT_E_TABLE)
			break;
		table = tpl_child(pt, l, pte);
		tables[n++] = table;
	}
	return n;
}

/*
 * The one descent down a single path: from @table, a table at *@level,
 * toward @iova through table entries, to the slot at level @stop or the
 * first slot on the way that holds no table. Returns that slot; *@level
 * is its level.
 */
static u64 *tpl_descend(const struct iopgt *pt, u64 *table,
			unsigned int *level, u64 iova, unsigned int stop)
{
	unsigned int sz;
	u64 *slot, pte;

	for (;;) {
		slot = &table[iopgt_index(pt, *level, iova)];
		if (*level == stop)
			return slot;
		pte = iopgt_pte_get(slot);
		if (!*level ||
		    fmt_classify(pt, *level, pte, &sz) != IOPGT_E_TABLE)
			return slot;
		table = tpl_child(pt, *level, pte);
		(*level)--;
	}
}

/*
 * The entry at @level translating @iova, reached through tables from
 * @table (at level @l); NULL if the path stops above @level.
 */
static u64 *tpl_slot_from(const struct iopgt *pt, u64 *table, unsigned int l,
			  u64 iova, unsigned int level)
{
	u64 *slot = tpl_descend(pt, table, &l, iova, level);

	return l == level ? slot : NULL;
}

/* Does @pte still hold what the first step of an edit left (@expect)? */
static inline bool tpl_slot_unchanged(const struct iopgt *pt,
				      unsigned int level, u64 pte, u64 expect)
{
	return !((pte ^ expect) & ~fmt_hw_bits(pt, level));
}

/* Mark every leaf under a private (not yet installed) table dirty. */
static void tpl_mark_private_dirty(const struct iopgt *pt, u64 *table,
				   unsigned int level)
{
	struct tpl_it it;

	for (tpl_it_whole(&it, pt, table, level, 0); tpl_it_more(&it);
	     tpl_it_next(&it)) {
		if (tpl_it_load(&it) == IOPGT_E_TABLE)
			tpl_mark_private_dirty(pt, tpl_it_child(&it),
					       level - 1);
		else if (it.type == IOPGT_E_LEAF)
			iopgt_pte_set(tpl_it_ptep(&it),
				      fmt_leaf_mkdirty(pt, it.pte));
	}
	iopgt_sync(pt, table, sizeof(u64) << iopgt_table_lg2(pt, level));
}

/* Make the leaf at @ptep, read as @pte, dirty; keep what the hardware sets. */
static void tpl_leaf_make_dirty(const struct iopgt *pt, u64 *ptep, u64 pte)
{
	u64 cur;

	while (!fmt_leaf_dirty(pt, pte)) {
		cur = iopgt_pte_cmpxchg(ptep, pte, fmt_leaf_mkdirty(pt, pte));
		if (cur == pte) {
			iopgt_sync(pt, ptep, sizeof(u64));
			return;
		}
		pte = cur;
	}
}

/*
 * The leaves under what @it walks, tables included: with @mark make each
 * writable one dirty (and say false: a device cannot have written a
 * read-only leaf, so marking one would only report it for nothing);
 * without, say whether any is.
 */
static bool tpl_tree_dirty(struct tpl_it *it, bool mark)
{
	struct tpl_it sub;

	for (; tpl_it_more(it); tpl_it_next(it)) {
		switch (tpl_it_load(it)) {
		case IOPGT_E_LEAF:
			if (mark) {
				if (fmt_leaf_prot(it->pt, it->pte) &
				    IOPGT_WRITE)
					tpl_leaf_make_dirty(it->pt,
							    tpl_it_ptep(it),
							    it->pte);
			} else if (fmt_leaf_dirty(it->pt, it->pte))
				return true;
			break;
		case IOPGT_E_TABLE:
			if (!it->level)
				break;
			tpl_it_down(it, &sub);
			if (tpl_tree_dirty(&sub, mark) && !mark)
				return true;
			break;
		default:
			break;
		}
	}
	return false;
}

/*
 * [@first, @last] was one leaf and is now several: if any part of it is
 * dirty, make every writable part dirty. The hardware set the dirty state
 * in one slot and may hold the whole former leaf cached as dirty, so
 * nothing in memory says which parts it wrote.
 */
static void tpl_dirty_whole(const struct iopgt *pt, u64 first, u64 last)
{
	struct tpl_it it;

	tpl_it_init(&it, pt, pt->root, pt->levels - 1, first, last);
	if (!tpl_tree_dirty(&it, false))
		return;
	tpl_it_init(&it, pt, pt->root, pt->levels - 1, first, last);
	tpl_tree_dirty(&it, true);
}

/* What one compare-exchange of a live entry came to (tpl_cas). */
enum tpl_cas {
	TPL_CAS_DONE,	/* written */
	TPL_CAS_RETRY,	/* the hardware changed it: *old is what is there */
	TPL_CAS_LOST,	/* someone else changed it: nothing written */
};

/*
 * The update helper every edit of a live entry goes through: replace
 * *@ptep, read as *@old, by @new. The hardware may set accessed or dirty
 * state (or clear AP[2]) at any moment; a change in those bits alone
 * asks the caller to make @new again from the value now there and retry,
 * so no hardware update is ever written over. Any other change means a
 * concurrent edit of the same range, which the caller owns.
 */
static inline enum tpl_cas tpl_cas(const struct iopgt *pt, unsigned int level,
				   u64 *ptep, u64 *old, u64 new)
{
	u64 cur = iopgt_pte_cmpxchg(ptep, *old, new);

	if (cur == *old) {
		iopgt_sync(pt, ptep, sizeof(u64));
		return TPL_CAS_DONE;
	}
	if ((cur ^ *old) & ~fmt_hw_bits(pt, level))
		return TPL_CAS_LOST;
	*old = cur;
	return TPL_CAS_RETRY;
}

/*
 * Replace the leaf slot @ptep, read as @old when @new was made from it, by
 * @new (which carries dirty state iff @new_dirty). The hardware may set
 * accessed/dirty state in the slot meanwhile: a dirty state @new lacks is
 * carried over (into the private subtree @private at @private_level when
 * @new is a table entry) before the compare-exchange is tried again.
 * Returns false if the slot changed beyond that (a concurrent edit of the
 * same range, which the caller owns): nothing is written then.
 */
static bool tpl_replace_leaf(const struct iopgt *pt, unsigned int level,
			     u64 *ptep, u64 old, u64 new, bool new_dirty,
			     u64 *private, unsigned int private_level)
{
	for (;;) {
		if (!new_dirty && fmt_leaf_dirty(pt, old)) {
			new_dirty = true;
			if (private)
				tpl_mark_private_dirty(pt, private,
						       private_level);
			else
				new = fmt_leaf_mkdirty(pt, new);
		}
		switch (tpl_cas(pt, level, ptep, &old, new)) {
		case TPL_CAS_DONE:
			return true;
		case TPL_CAS_LOST:
			return false;
		default:
			break;
		}
	}
}

static void tpl_free_tree(struct iopgt *pt, u64 *table, unsigned int level)
{
	struct tpl_it it;

	for (tpl_it_whole(&it, pt, table, level, 0); level && tpl_it_more(&it);
	     tpl_it_next(&it))
		if (tpl_it_load(&it) == IOPGT_E_TABLE)
			tpl_free_tree(pt, tpl_it_child(&it), level - 1);
	pt->cfg.ops->free_table(pt->cfg.ctx, table,
				level == pt->levels - 1u ? pt->top_alloc_lg2 :
							   pt->granule_lg2);
}
