/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Walking: what every operation's walk is made of. The entry helpers
 * (child table, the last IOVA of an entry, the fault-window marker), the
 * table pool a call fills before it changes anything, the iterator over
 * the slots of one table that translate a range (struct tpl_it), the
 * walks down one path (tpl_path, tpl_slot_from), the one compare-exchange
 * update helper that keeps what the hardware sets (tpl_replace_leaf), and
 * freeing a detached tree.
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
#ifndef fmt_table_stray_dirty
#define fmt_table_stray_dirty(pt, level, pte) ((void)(pt), (void)(level), \
					       (void)(pte), false)
#define fmt_table_clear_stray(pt, level, pte) (pte)
#endif

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
 * Tables allocated ahead of a commit pass, linked through their first word
 * (the second holds the PA): nothing can see them until they are installed.
 */
struct tpl_pool {
	const struct iopgt *pt;
	u64 *head, *tail;
};

static void tpl_free_tree(struct iopgt *pt, u64 *table, unsigned int level);

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
						 &pa);
		if (!table) {
			tpl_pool_free(p);
			return -ENOMEM;
		}
		tpl_pool_append(p, table, pa);
	}
	return 0;
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
		pte = READ_ONCE(*slots[n]);
		if (fmt_classify(pt, l, pte, &sz) != IOPGT_E_TABLE)
			break;
		table = tpl_child(pt, l, pte);
		tables[n++] = table;
	}
	return n;
}

/*
 * The entry at @level translating @iova, reached through tables from
 * @table (at level @l); NULL if the path stops above @level.
 */
static u64 *tpl_slot_from(const struct iopgt *pt, u64 *table, unsigned int l,
			  u64 iova, unsigned int level)
{
	unsigned int sz;
	u64 pte;

	for (;; l--) {
		if (l == level)
			return &table[iopgt_index(pt, l, iova)];
		pte = READ_ONCE(table[iopgt_index(pt, l, iova)]);
		if (!l || fmt_classify(pt, l, pte, &sz) != IOPGT_E_TABLE)
			return NULL;
		table = tpl_child(pt, l, pte);
	}
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
	unsigned int n = 1u << iopgt_table_lg2(pt, level), i, sz;
	u64 pte;

	for (i = 0; i < n; i++) {
		pte = table[i];
		if (fmt_classify(pt, level, pte, &sz) == IOPGT_E_TABLE)
			tpl_mark_private_dirty(pt, tpl_child(pt, level, pte),
					       level - 1);
		else if (fmt_classify(pt, level, pte, &sz) == IOPGT_E_LEAF)
			table[i] = fmt_leaf_mkdirty(pt, pte);
	}
	iopgt_sync(pt, table, sizeof(u64) << iopgt_table_lg2(pt, level));
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
	u64 hw = fmt_hw_bits(pt, level), cur;

	for (;;) {
		if (!new_dirty && fmt_leaf_dirty(pt, old)) {
			new_dirty = true;
			if (private)
				tpl_mark_private_dirty(pt, private,
						       private_level);
			else
				new = fmt_leaf_mkdirty(pt, new);
		}
		cur = iopgt_cmpxchg64(ptep, old, new);
		if (cur == old)
			break;
		if ((cur ^ old) & ~hw)
			return false;
		old = cur;
	}
	iopgt_sync(pt, ptep, sizeof(u64));
	return true;
}

static void tpl_free_tree(struct iopgt *pt, u64 *table, unsigned int level)
{
	unsigned int n = 1u << iopgt_table_lg2(pt, level);
	unsigned int i, sz;
	u64 pte;

	for (i = 0; level && i < n; i++) {
		pte = READ_ONCE(table[i]);
		if (fmt_classify(pt, level, pte, &sz) == IOPGT_E_TABLE)
			tpl_free_tree(pt, tpl_child(pt, level, pte), level - 1);
	}
	pt->cfg.ops->free_table(pt->cfg.ctx, table,
				level == pt->levels - 1u ? pt->top_alloc_lg2 :
							   pt->granule_lg2);
}
