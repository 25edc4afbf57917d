/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The algorithm template. formats/<fmt>/<fmt>.c includes it once, after the
 * format's codecs (pgtable/format.h) and after defining IOPGT_FMT_OPS_NAME
 * and IOPGT_FMT_ID. Everything here is static: each format gets its own
 * copy of map, unmap, walk and harvest with its codecs inlined, and the
 * only indirect call is the one per API call in iopgt.c.
 *
 * Walks are recursive over levels (at most IOPGT_MAX_LEVELS deep) and
 * iterate each table over the part of [iova, last] it translates. "last"
 * is inclusive throughout, so a range may end at 2^64 - 1.
 */
#ifndef IOPGT_FMT_OPS_NAME
#error "define IOPGT_FMT_OPS_NAME and the codecs of pgtable/format.h first"
#endif

#include "format.h"

/* Optional codecs: a format that has them defines them first. */
#ifndef fmt_leaf_set_nt
#define fmt_leaf_set_nt(pt, pte) (pte)
#define fmt_leaf_clear_nt(pt, pte) (pte)
#endif
#ifndef FMT_NEEDS_BBM
#define FMT_NEEDS_BBM 0
#endif
#ifndef FMT_OA_LINEAR
#define FMT_OA_LINEAR(pt) 1
#endif
#if FMT_NEEDS_BBM
#ifndef fmt_leaf_mkinvalid
#error "a format that needs break-before-make defines fmt_leaf_mkinvalid"
#endif
#else
#define fmt_leaf_mkinvalid(pt, pte) ((void)(pt), (void)(pte), 0ull)
#define fmt_leaf_mkvalid(pt, pte) ((void)(pt), (pte))
#endif

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

/* ---- map ---------------------------------------------------------------- */

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

/* Write @n leaves of 2^@size_lg2 from slot @idx, translating from @pa. */
static inline void tpl_write_leaves(const struct iopgt *pt, u64 *table,
				    unsigned int idx, unsigned int level,
				    u64 pa, unsigned int size_lg2, u64 n,
				    u64 attrs)
{
	unsigned int item_lg2 = iopgt_item_lg2(pt, level);
	u64 *p = &table[idx], *end, pte, step, slots = n << (size_lg2 - item_lg2);

	if (size_lg2 == item_lg2 && FMT_OA_LINEAR(pt)) {
		/* one entry a leaf: the next one is this one's OA plus a step */
		pte = fmt_make_leaf(pt, level, pa, size_lg2, attrs);
		step = 1ull << size_lg2;
		for (end = p + n; p < end; p++, pte += step)
			WRITE_ONCE(*p, pte);
	} else {
		for (end = p + slots; p < end; p++, pa += 1ull << item_lg2)
			WRITE_ONCE(*p, fmt_make_leaf(pt, level, pa, size_lg2,
						     attrs));
	}
	iopgt_sync(pt, &table[idx], slots * sizeof(u64));
}

/* Are the @n slots from @idx all zero? A cache line at a time. */
static inline bool tpl_slots_clear(const u64 *table, unsigned int idx, u64 n)
{
	const u64 *p = &table[idx], *end = p + n;
	u64 any = 0;

	for (; p < end && ((uintptr_t)p & 63); p++)
		any |= READ_ONCE(*p);
	for (; p + 8 <= end && !any; p += 8)
		any = READ_ONCE(p[0]) | READ_ONCE(p[1]) | READ_ONCE(p[2]) |
		      READ_ONCE(p[3]) | READ_ONCE(p[4]) | READ_ONCE(p[5]) |
		      READ_ONCE(p[6]) | READ_ONCE(p[7]);
	for (; p < end && !any; p++)
		any |= READ_ONCE(*p);
	return !any;
}

/* Does any of the @n slots from @idx hold a table? */
static inline bool tpl_slots_have_table(const struct iopgt *pt, u64 *table,
					unsigned int level, unsigned int idx,
					unsigned int n)
{
	unsigned int i, sz;

	for (i = 0; i < n; i++)
		if (fmt_classify(pt, level, READ_ONCE(table[idx + i]), &sz) ==
		    IOPGT_E_TABLE)
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
static int tpl_map_check(struct tpl_map *m, u64 *table, unsigned int level,
			 u64 iova, u64 last)
{
	const struct iopgt *pt = m->pt;
	unsigned int item_lg2 = iopgt_item_lg2(pt, level);
	unsigned int idx = iopgt_index(pt, level, iova), size_lg2, sz;
	u64 this_last, pte, n;
	int ret;

	for (;;) {
		size_lg2 = tpl_pick_size(pt, level, iova, iova + m->pa_delta,
					 last);
		if (size_lg2 >= item_lg2) {
			n = tpl_stretch(pt, level, idx, size_lg2, iova,
					m->pa_delta, last);
			if (likely(tpl_slots_clear(table, idx,
						   n << (size_lg2 -
							 item_lg2)))) {
				this_last = iova + ((n << size_lg2) - 1);
				idx += n << (size_lg2 - item_lg2);
				goto next;
			}
			/* something there: one leaf at a time */
			m->careful = true;
			size_lg2 = tpl_pick_careful(pt, table, level, idx,
						    size_lg2);
		}
		if (size_lg2 >= item_lg2) {
			this_last = iova + iopgt_lg2_mask(size_lg2);
			if (!tpl_slots_clear(table, idx,
					     1u << (size_lg2 - item_lg2)))
				return -EEXIST;
			idx += 1u << (size_lg2 - item_lg2);
			goto next;
		}
		/* smaller leaves: a table below this entry */
		this_last = tpl_min(tpl_entry_last(pt, level, iova), last);
		pte = READ_ONCE(table[idx]);
		switch (fmt_classify(pt, level, pte, &sz)) {
		case IOPGT_E_TABLE:
			ret = tpl_map_check(m, tpl_child(pt, level, pte),
					    level - 1, iova, this_last);
			if (ret)
				return ret;
			break;
		case IOPGT_E_EMPTY:
			if (!tpl_is_marker(pt, level, pte)) {
				m->need += tpl_map_count(m, level - 1, iova,
							 this_last);
				break;
			}
			iopgt_fallthrough;
		default:
			return -EEXIST;
		}
		idx++;
next:
		if (this_last >= last)
			return 0;
		iova = this_last + 1;
	}
}

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
	cur = iopgt_cmpxchg64(ptep, old, pte);
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
static int tpl_map_fill(struct tpl_map *m, u64 *table, unsigned int level,
			u64 iova, u64 last)
{
	const struct iopgt *pt = m->pt;
	unsigned int item_lg2 = iopgt_item_lg2(pt, level);
	unsigned int idx = iopgt_index(pt, level, iova), size_lg2, sz;
	u64 this_last, pa, pte, n, *child;
	int ret;

	for (;;) {
		pa = iova + m->pa_delta;
		size_lg2 = tpl_pick_size(pt, level, iova, pa, last);
		if (unlikely(m->careful))
			size_lg2 = tpl_pick_careful(pt, table, level, idx,
						    size_lg2);
		if (size_lg2 >= item_lg2) {
			n = m->careful ? 1 :
				tpl_stretch(pt, level, idx, size_lg2, iova,
					    m->pa_delta, last);
			tpl_write_leaves(pt, table, idx, level, pa, size_lg2, n,
					 m->attrs);
			this_last = iova + ((n << size_lg2) - 1);
			idx += n << (size_lg2 - item_lg2);
		} else {
			/* smaller leaves: a table below this entry */
			this_last = tpl_min(tpl_entry_last(pt, level, iova),
					    last);
			pte = READ_ONCE(table[idx]);
			if (fmt_classify(pt, level, pte, &sz) ==
			    IOPGT_E_TABLE) {
				child = tpl_child(pt, level, pte);
			} else {
				ret = tpl_install_table(m, &table[idx], level,
							pte, &child);
				if (ret)
					return ret;
			}
			ret = tpl_map_fill(m, child, level - 1, iova,
					   this_last);
			if (ret)
				return ret;
			idx++;
		}
		if (this_last >= last)
			return 0;
		iova = this_last + 1;
	}
}

static int tpl_map(struct iopgt *pt, u64 iova, u64 pa, u64 len, u32 prot)
{
	struct tpl_map m = {
		.pt = pt,
		.pa_delta = pa - iova,
		.pool = { .pt = pt },
	};
	u64 last = iova + len - 1;
	int ret;

	ret = fmt_prot_attrs(pt, prot, &m.attrs);
	if (ret)
		return ret;
	ret = tpl_map_check(&m, pt->root, pt->levels - 1, iova, last);
	if (ret)
		return ret;
	ret = tpl_pool_fill(&m.pool, m.need);
	if (ret)
		return ret;
	ret = tpl_map_fill(&m, pt->root, pt->levels - 1, iova, last);
	tpl_pool_free(&m.pool);
	return ret;
}

/* ---- dirty reporting ------------------------------------------------------ */

/*
 * Dirty state is reported through this accumulator so that the bitmap is written a
 * word at a time: bits for the word being filled collect in @acc and go out
 * when the walk moves past it. A word whose whole IOVA span lies inside the
 * request belongs to this call alone and is written with a plain OR; edge
 * words may be shared with a concurrent harvest of the neighbouring range
 * and are ORed in with a compare-exchange. With a record callback instead of
 * words, adjacent stretches are merged into one call.
 */
struct tpl_report {
	const struct iopgt_bitmap *bm;
	u64 req_first, req_last;
	u64 word;		/* index of the word in acc */
	u64 acc;
	u64 run_first, run_last; /* the pending stretch */
	bool run;
};

static void tpl_report_init(struct tpl_report *r,
			    const struct iopgt_bitmap *bm, u64 first, u64 last)
{
	r->bm = bm;
	r->req_first = first;
	r->req_last = last;
	r->acc = 0;
	r->word = 0;
	r->run = false;
}

/* Write the accumulated word out. */
static void tpl_report_acc_out(struct tpl_report *r)
{
	const struct iopgt_bitmap *bm = r->bm;
	u64 span_first, span_last, old, cur, *wp;
	unsigned int word_lg2;

	if (!r->acc)
		return;
	wp = &bm->words[r->word];
	word_lg2 = bm->pgshift + 6;
	span_first = bm->base + (r->word << word_lg2);
	span_last = span_first + iopgt_lg2_mask(word_lg2);
	if (word_lg2 < 64 && span_first >= r->req_first &&
	    span_last <= r->req_last && span_last >= span_first) {
		WRITE_ONCE(*wp, READ_ONCE(*wp) | r->acc);
	} else {
		old = READ_ONCE(*wp);
		while ((cur = iopgt_cmpxchg64(wp, old, old | r->acc)) != old)
			old = cur;
	}
	r->acc = 0;
}

/* Put bits of one bitmap word into the accumulator. */
static inline void tpl_report_word(struct tpl_report *r, u64 word, u64 bits)
{
	if (word != r->word) {
		tpl_report_acc_out(r);
		r->word = word;
	}
	r->acc |= bits;
}

/*
 * Set the bits of [@first, @last]. A partial first or last word collects
 * in the accumulator (it may be shared with a neighbouring request); whole
 * words lie inside this stretch alone and are written directly.
 */
static void tpl_report_bits(struct tpl_report *r, u64 first, u64 last)
{
	const struct iopgt_bitmap *bm = r->bm;
	u64 bit, last_bit, word, *wp, *end;

	if (last < bm->base)
		return;
	first = tpl_max(first, bm->base);
	bit = (first - bm->base) >> bm->pgshift;
	last_bit = (last - bm->base) >> bm->pgshift;
	if (bit >= bm->nbits)
		return;
	if (last_bit >= bm->nbits)
		last_bit = bm->nbits - 1;
	word = bit / 64;
	if (last_bit / 64 == word) {
		tpl_report_word(r, word, (~0ull << (bit % 64)) &
				(~0ull >> (63 - last_bit % 64)));
		return;
	}
	if (bit % 64) {
		tpl_report_word(r, word, ~0ull << (bit % 64));
		word++;
	}
	wp = &bm->words[word];
	end = &bm->words[last_bit / 64];
	if (last_bit % 64 == 63)
		end++;
	else
		tpl_report_word(r, last_bit / 64,
				~0ull >> (63 - last_bit % 64));
	for (; end - wp >= 8; wp += 8) {
		WRITE_ONCE(wp[0], ~0ull);
		WRITE_ONCE(wp[1], ~0ull);
		WRITE_ONCE(wp[2], ~0ull);
		WRITE_ONCE(wp[3], ~0ull);
		WRITE_ONCE(wp[4], ~0ull);
		WRITE_ONCE(wp[5], ~0ull);
		WRITE_ONCE(wp[6], ~0ull);
		WRITE_ONCE(wp[7], ~0ull);
	}
	for (; wp < end; wp++)
		WRITE_ONCE(*wp, ~0ull);
}

/* Report the pending stretch. */
static void tpl_report_run_out(struct tpl_report *r)
{
	const struct iopgt_bitmap *bm = r->bm;

	if (!r->run)
		return;
	r->run = false;
	if (bm->record)
		bm->record(bm->ctx, r->run_first,
			   r->run_last - r->run_first + 1);
	else
		tpl_report_bits(r, r->run_first, r->run_last);
}

/* Everything reported so far reaches the bitmap. */
static void tpl_report_flush(struct tpl_report *r)
{
	tpl_report_run_out(r);
	tpl_report_acc_out(r);
}

/*
 * Report [@first, @last], already clipped to what the caller wants.
 * Stretches that follow each other are joined and reported as one, so a
 * run of dirty large leaves costs its bitmap words and little more.
 */
static inline void tpl_report(struct tpl_report *r, u64 first, u64 last)
{
	if (r->run && first == r->run_last + 1) {
		r->run_last = last;
		return;
	}
	tpl_report_run_out(r);
	r->run = true;
	r->run_first = first;
	r->run_last = last;
}

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
		WRITE_ONCE(*ptep, fmt_leaf_mkclean(pt, pte));
		return;
	}
	for (;;) {
		cur = iopgt_cmpxchg64(ptep, pte, fmt_leaf_mkclean(pt, pte));
		if (cur == pte)
			return;
		pte = cur;
		if (!fmt_leaf_dirty(pt, pte))
			return;
	}
}

/* ---- unmap ---------------------------------------------------------------- */

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
			total += fmt_classify(pt, 0, READ_ONCE(table[i]),
					      &sz) != IOPGT_E_EMPTY;
		return total << item_lg2;
	}
	for (i = 0; i < n; i++) {
		pte = READ_ONCE(table[i]);
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
	u64 old = iopgt_xchg64(ptep, 0);

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
	WRITE_ONCE(table[idx], 0);
	if (!level) {
		/* the common case, with the level known to the compiler */
		u64 *p = &table[idx + 1], *stop = &table[end];

		for (; p <= stop; p++) {
			pte = READ_ONCE(*p);
			if (fmt_classify(pt, 0, pte, &sz) != IOPGT_E_LEAF ||
			    sz != item_lg2)
				break;
			WRITE_ONCE(*p, 0);
		}
		return (unsigned int)(p - &table[idx]);
	}
	for (i = idx + 1; i <= end; i++) {
		pte = READ_ONCE(table[i]);
		if (fmt_classify(pt, level, pte, &sz) != IOPGT_E_LEAF ||
		    sz != item_lg2)
			break;
		WRITE_ONCE(table[i], 0);
	}
	return i - idx;
}

static void tpl_unmap_walk(struct tpl_unmap *u, u64 *table,
			   unsigned int level, u64 iova, u64 last)
{
	const struct iopgt *pt = u->pt;
	unsigned int item_lg2 = iopgt_item_lg2(pt, level);
	unsigned int idx = iopgt_index(pt, level, iova);
	unsigned int size_lg2, i, n, g;
	u64 this_last, e_first, pte, old, leaf_first, leaf_last, *child;
	bool dirty;

	for (;;) {
		e_first = iova & ~iopgt_lg2_mask(item_lg2);
		this_last = tpl_min(tpl_entry_last(pt, level, iova), last);
		pte = READ_ONCE(table[idx]);
		switch (fmt_classify(pt, level, pte, &size_lg2)) {
		case IOPGT_E_LEAF:
			if (size_lg2 == item_lg2 && !u->read_dirty) {
				/* a run of one-slot leaves, cleared in a loop */
				n = tpl_unmap_run(pt, table, level, idx, last,
						  e_first);
				iopgt_sync(pt, &table[idx], n * sizeof(u64));
				this_last = e_first +
					    (((u64)n << item_lg2) - 1);
				iopgt_gather_add(u->gather, e_first,
						 this_last);
				u->unmapped += (u64)n << item_lg2;
				u->found = true;
				idx += n;
				break;
			}
			/* The whole leaf goes, all its replicas */
			n = 1u << (size_lg2 - item_lg2);
			g = idx & ~(n - 1);
			leaf_first = iova & ~iopgt_lg2_mask(size_lg2);
			leaf_last = leaf_first | iopgt_lg2_mask(size_lg2);
			dirty = false;
			for (i = 0; i < n; i++) {
				if (u->read_dirty) {
					old = iopgt_xchg64(&table[g + i], 0);
					dirty |= fmt_leaf_dirty(pt, old);
				} else {
					WRITE_ONCE(table[g + i], 0);
				}
			}
			iopgt_sync(pt, &table[g], n * sizeof(u64));
			if (dirty && u->report)
				tpl_report(&u->rep, leaf_first, leaf_last);
			iopgt_gather_add(u->gather, leaf_first, leaf_last);
			u->unmapped += 1ull << size_lg2;
			u->found = true;
			idx = g + n;
			this_last = leaf_last;
			break;
		case IOPGT_E_TABLE:
			child = tpl_child(pt, level, pte);
			if (e_first >= u->first &&
			    tpl_entry_last(pt, level, iova) <= u->last) {
				/*
				 * The whole table lies in the range: detach it.
				 * Its leaves' dirty state is read after the
				 * caller's invalidation, in gather release.
				 */
				iopgt_xchg64(&table[idx], 0);
				iopgt_sync(pt, &table[idx], sizeof(u64));
				old = tpl_count_leaves(pt, child, level - 1);
				u->unmapped += old;
				u->found |= old != 0;
				iopgt_gather_detach(u->pt, u->gather, child,
						    level - 1, e_first,
						    u->report ?
						    IOPGT_META_READ_DIRTY : 0);
				iopgt_gather_add(u->gather, e_first, this_last);
			} else {
				tpl_unmap_walk(u, child, level - 1, iova,
					       this_last);
			}
			idx++;
			break;
		default:
			if (tpl_is_marker(pt, level, pte))
				tpl_unmap_marker(u, &table[idx], level,
						 e_first);
			idx++;
			break;
		}
		if (this_last >= last)
			return;
		iova = this_last + 1;
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
		    !(READ_ONCE(table[i]) | READ_ONCE(table[i + 1]) |
		      READ_ONCE(table[i + 2]) | READ_ONCE(table[i + 3]) |
		      READ_ONCE(table[i + 4]) | READ_ONCE(table[i + 5]) |
		      READ_ONCE(table[i + 6]) | READ_ONCE(table[i + 7]))) {
			i += 7;
			continue;
		}
		/* stray bits in an entry the hardware ignores are nothing */
		pte = READ_ONCE(table[i]);
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
		if (!tpl_table_empty(pt, tables[n], level, iova, ufirst,
				     ulast))
			return;
		iopgt_xchg64(slots[n], 0);
		iopgt_sync(pt, slots[n], sizeof(u64));
		first = iova & ~iopgt_lg2_mask(iopgt_item_lg2(pt, level + 1));
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

	if (pt->levels < 2 ||
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

	/*
	 * Leaves only partly inside the range go whole, so their dirty state
	 * is reported whole too (clipped only to the bitmap): nothing else
	 * will ever report it.
	 */
	if (u.report)
		tpl_report_init(&u.rep, bitmap, 1, 0);
	tpl_unmap_walk(&u, pt->root, pt->levels - 1, iova, last);
	if (u.report)
		tpl_report_flush(&u.rep);
	if (u.found)
		tpl_unmap_reclaim(pt, gather, iova, last);
	*unmapped = u.unmapped;
	return u.found ? 0 : -ENOENT;
}

/* ---- walk ------------------------------------------------------------------- */

static int tpl_iova_to_phys(struct iopgt *pt, u64 iova, u64 *pa)
{
	unsigned int level = pt->levels - 1;
	u64 *table = pt->root;
	unsigned int size_lg2;
	u64 pte;

	for (;;) {
		pte = READ_ONCE(table[iopgt_index(pt, level, iova)]);
		switch (fmt_classify(pt, level, pte, &size_lg2)) {
		case IOPGT_E_LEAF:
			*pa = fmt_leaf_oa(pt, level, pte, size_lg2) +
			      (iova & iopgt_lg2_mask(size_lg2));
			return 0;
		case IOPGT_E_TABLE:
			if (IOPGT_WARN_ON(level == 0))
				return -ENOENT;
			table = tpl_child(pt, level, pte);
			level--;
			break;
		default:
			return -ENOENT;
		}
	}
}

/* ---- harvest ------------------------------------------------------------------ */

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
		pte = READ_ONCE(table[g + i]);
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

/* Does any entry of the cache line at @line pass the dirty filter? */
static inline bool tpl_line_any(const struct iopgt *pt, const u64 *line)
{
	const u64 mask = FMT_DIRTY_MASK(pt), val = FMT_DIRTY_VAL(pt);

	/* unrolled by hand: eight independent loads, one branch */
	return ((unsigned int)((READ_ONCE(line[0]) & mask) == val) |
		(unsigned int)((READ_ONCE(line[1]) & mask) == val) |
		(unsigned int)((READ_ONCE(line[2]) & mask) == val) |
		(unsigned int)((READ_ONCE(line[3]) & mask) == val) |
		(unsigned int)((READ_ONCE(line[4]) & mask) == val) |
		(unsigned int)((READ_ONCE(line[5]) & mask) == val) |
		(unsigned int)((READ_ONCE(line[6]) & mask) == val) |
		(unsigned int)((READ_ONCE(line[7]) & mask) == val)) != 0;
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
			v[j] = READ_ONCE(table[i + j]);
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
					WRITE_ONCE(table[i + j],
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
		pte = READ_ONCE(table[i]);
		if (fmt_classify(pt, 0, pte, &size_lg2) == IOPGT_E_LEAF &&
		    size_lg2 > item_lg2)
			i = tpl_harvest_leaf(h, table, i, 0, size_lg2,
					     base + ((u64)i << item_lg2));
	}
	if (i <= end) {
		pte = READ_ONCE(table[end]);
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
		pte = READ_ONCE(table[i]);
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
	unsigned int sz;

	return (pte & FMT_DIRTY_MASK(pt)) == FMT_DIRTY_VAL(pt) ||
	       fmt_classify(pt, level, pte, &sz) == IOPGT_E_TABLE;
}

static inline bool tpl_line_busy(const struct iopgt *pt, unsigned int level,
				 const u64 *line)
{
	unsigned int j, busy = 0;

	IOPGT_UNROLL8
	for (j = 0; j < 8; j++)
		busy |= tpl_entry_busy(pt, level, READ_ONCE(line[j]));
	return busy;
}

/*
 * A table above the leaf level, over [@iova, @last]: clean lines of large
 * leaves are skipped with one test each, as at the leaf level. A leaf
 * filling several slots that straddles either end of the range may have
 * its dirty slot outside it, where the filter never looks: such leaves
 * are looked at whole first.
 */
static void tpl_harvest_walk(struct tpl_harvest *h, u64 *table,
			     unsigned int level, u64 iova, u64 last)
{
	const struct iopgt *pt = h->pt;
	unsigned int item_lg2 = iopgt_item_lg2(pt, level);
	unsigned int tbl_lg2 = iopgt_table_lg2(pt, level);
	unsigned int i = iopgt_index(pt, level, iova), end, sz;
	unsigned int tail = 0, tail_lg2 = 0;
	u64 base = iova & ~iopgt_lg2_mask(item_lg2 + tbl_lg2);
	const u64 item_mask = iopgt_lg2_mask(item_lg2);
	u64 e_first, pte, next_pte;
	const u64 *next;

	end = last < (base | iopgt_lg2_mask(item_lg2 + tbl_lg2)) ?
		      iopgt_index(pt, level, last) : (1u << tbl_lg2) - 1;
	pte = READ_ONCE(table[i]);
	if (fmt_classify(pt, level, pte, &sz) == IOPGT_E_LEAF &&
	    sz > item_lg2 && (i & ((1u << (sz - item_lg2)) - 1)))
		i = tpl_harvest_leaf(h, table, i, level, sz, iova);
	if (i > end)
		return;
	pte = READ_ONCE(table[end]);
	if (fmt_classify(pt, level, pte, &sz) == IOPGT_E_LEAF &&
	    sz > item_lg2 && (end & ~((1u << (sz - item_lg2)) - 1)) > i) {
		tail = end & ~((1u << (sz - item_lg2)) - 1);
		tail_lg2 = sz;
		end = tail - 1;
	}
	while (i <= end) {
		if (!(i & 7) && i + 7 <= end &&
		    !tpl_line_busy(pt, level, &table[i])) {
			i += 8;
			continue;
		}
		pte = READ_ONCE(table[i]);
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
				tpl_harvest_walk(h, tpl_child(pt, level, pte),
						 level - 1,
						 tpl_max(e_first, iova),
						 tpl_min(e_first |
							 iopgt_lg2_mask(item_lg2),
							 last));
				i++;
				break;
			}
			/* the table after this one, to prefetch */
			next = NULL;
			if (i < end) {
				next_pte = READ_ONCE(table[i + 1]);
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
	if (pt->levels == 1)
		tpl_harvest_level0(&h, pt->root, NULL, iova, last);
	else
		tpl_harvest_walk(&h, pt->root, pt->levels - 1, iova, last);
	if (h.report)
		tpl_report_flush(&h.rep);
	if (h.cleaned)
		iopgt_gather_add(gather, h.clean_first, h.clean_last);
	return 0;
}

/* Report every dirty leaf under a detached table, whole. */
static void tpl_report_tree(const struct iopgt *pt, struct tpl_report *rep,
			    u64 *table, unsigned int level, u64 iova)
{
	unsigned int n = 1u << iopgt_table_lg2(pt, level);
	unsigned int item_lg2 = iopgt_item_lg2(pt, level);
	unsigned int i, j, reps, size_lg2;
	u64 pte, e_first;
	bool dirty;

	for (i = 0; i < n;) {
		pte = READ_ONCE(table[i]);
		e_first = iova + ((u64)i << item_lg2);
		switch (fmt_classify(pt, level, pte, &size_lg2)) {
		case IOPGT_E_LEAF:
			/* dirty as a whole if any replica is */
			reps = 1u << (size_lg2 - item_lg2);
			dirty = false;
			for (j = 0; j < reps && i + j < n; j++)
				dirty |= fmt_leaf_dirty(pt,
						READ_ONCE(table[i + j]));
			if (dirty)
				tpl_report(rep, e_first,
					   e_first | iopgt_lg2_mask(size_lg2));
			i += reps;
			break;
		case IOPGT_E_TABLE:
			tpl_report_tree(pt, rep, tpl_child(pt, level, pte),
					level - 1, e_first);
			i++;
			break;
		default:
			i++;
			break;
		}
	}
}

/* ---- dirty tracking --------------------------------------------------------- */

static void tpl_tracking_walk(struct iopgt *pt, u64 *table, unsigned int level,
			      u64 iova, bool on, struct iopgt_gather *gather)
{
	unsigned int n = 1u << iopgt_table_lg2(pt, level);
	unsigned int item_lg2 = iopgt_item_lg2(pt, level);
	unsigned int i, sz;
	u64 pte, new, cur, e_first;

	for (i = 0; i < n; i++) {
		pte = READ_ONCE(table[i]);
		e_first = iova + ((u64)i << item_lg2);
		switch (fmt_classify(pt, level, pte, &sz)) {
		case IOPGT_E_LEAF:
			for (;;) {
				new = fmt_leaf_set_tracking(pt, pte, on);
				if (new == pte)
					break;
				cur = iopgt_cmpxchg64(&table[i], pte, new);
				if (cur == pte) {
					iopgt_sync(pt, &table[i], sizeof(u64));
					iopgt_gather_add(gather, e_first,
						e_first | iopgt_lg2_mask(item_lg2));
					break;
				}
				pte = cur;
			}
			break;
		case IOPGT_E_TABLE:
			tpl_tracking_walk(pt, tpl_child(pt, level, pte),
					  level - 1, e_first, on, gather);
			break;
		default:
			break;
		}
	}
}

static int tpl_set_dirty_tracking(struct iopgt *pt, bool on,
				  struct iopgt_gather *gather)
{
	if (pt->dirty_tracking == on)
		return 0;
	pt->dirty_tracking = on;
	if (FMT_TRACKING_ENCODED)
		tpl_tracking_walk(pt, pt->root, pt->levels - 1, 0, on, gather);
	return 0;
}

/* ---- split and merge ----------------------------------------------------- */

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
	u64 *table, *child, cpa, e_oa;
	unsigned int i;

	table = tpl_pool_take(&sp->pool, pa);
	if (!table)
		return NULL;
	for (i = 0; i < n; i++) {
		e_oa = oa + ((u64)i << item_lg2);
		if (level == target_level) {
			table[i] = fmt_make_leaf(pt, level, e_oa,
						 sp->target_lg2, attrs);
			if (dirty)
				table[i] = fmt_leaf_mkdirty(pt, table[i]);
		} else {
			child = tpl_split_build(sp, level - 1, e_oa, leaf, &cpa);
			if (!child)
				return NULL;
			table[i] = fmt_make_table(pt, level, cpa);
		}
	}
	iopgt_sync(pt, table, sizeof(u64) * n);
	return table;
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
	u64 hw = fmt_hw_bits(pt, level), mid, cur;

	for (;;) {
		mid = sp->bbm == TPL_BBM_NT ? fmt_leaf_set_nt(pt, old) :
					      fmt_leaf_mkinvalid(pt, old);
		cur = iopgt_cmpxchg64(ptep, old, mid);
		if (cur == old)
			break;
		if ((cur ^ old) & ~hw)
			return false;
		old = cur;
	}
	iopgt_sync(pt, ptep, sizeof(u64));
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
	if (gather->runs_first > gather->runs_last) {
		gather->runs_first = first;
		gather->runs_last = last;
	} else {
		gather->runs_first = tpl_min(gather->runs_first, first);
		gather->runs_last = tpl_max(gather->runs_last, last);
	}
	if (size_lg2 > gather->runs_lg2)
		gather->runs_lg2 = size_lg2;
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
		dirty |= fmt_leaf_dirty(pt, READ_ONCE(table[g + j]));
	oa = fmt_leaf_oa(pt, level, READ_ONCE(table[g]), size_lg2);
	for (j = 0; j < n; j++) {
		orig = pte = READ_ONCE(table[g + j]);
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

static int tpl_split_walk(struct tpl_split *sp, u64 *table, unsigned int level,
			  u64 iova, u64 last)
{
	const struct iopgt *pt = sp->pt;
	unsigned int item_lg2 = iopgt_item_lg2(pt, level);
	unsigned int idx = iopgt_index(pt, level, iova);
	unsigned int size_lg2, n;
	u64 this_last, pte;
	int ret;

	for (;;) {
		this_last = tpl_min(tpl_entry_last(pt, level, iova), last);
		pte = READ_ONCE(table[idx]);
		switch (fmt_classify(pt, level, pte, &size_lg2)) {
		case IOPGT_E_LEAF:
			n = 1u << (size_lg2 - item_lg2);
			this_last = tpl_min(iova | iopgt_lg2_mask(size_lg2),
					    last);
			if (size_lg2 > sp->target_lg2) {
				ret = tpl_split_leaf(sp, table, idx, level,
						     size_lg2, iova);
				if (ret)
					return ret;
			}
			idx = (idx & ~(n - 1)) + n;
			break;
		case IOPGT_E_TABLE:
			if (level > 0 && iopgt_item_lg2(pt, level - 1) +
				    iopgt_bpl(pt) > sp->target_lg2) {
				ret = tpl_split_walk(sp,
						     tpl_child(pt, level, pte),
						     level - 1, iova, this_last);
				if (ret)
					return ret;
			}
			idx++;
			break;
		default:
			idx++;
			break;
		}
		if (this_last >= last)
			return 0;
		iova = this_last + 1;
	}
}

static int tpl_split(struct iopgt *pt, u64 iova, u64 last,
		     unsigned int pgsize_lg2, u32 flags,
		     struct iopgt_gather *gather)
{
	struct tpl_split sp = {
		.pt = pt,
		.gather = gather,
		.target_lg2 = pgsize_lg2,
		.pool = { .pt = pt },
	};
	int ret;

	ret = tpl_bbm_mode(pt, flags, &sp.bbm);
	if (ret)
		return ret;
	ret = tpl_split_walk(&sp, pt->root, pt->levels - 1, iova, last);
	if (ret)
		return ret;
	ret = tpl_pool_fill(&sp.pool, sp.need);
	if (ret)
		return ret;
	sp.commit = true;
	ret = tpl_split_walk(&sp, pt->root, pt->levels - 1, iova, last);
	tpl_pool_free(&sp.pool);
	return ret;
}

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
	unsigned int n = 1u << iopgt_table_lg2(pt, level);
	unsigned int item_lg2 = iopgt_item_lg2(pt, level);
	unsigned int i, sz;
	u64 pte, e_oa, slot_oa;

	for (i = 0; i < n; i++) {
		pte = READ_ONCE(table[i]);
		e_oa = oa + ((u64)i << item_lg2);
		switch (fmt_classify(pt, level, pte, &sz)) {
		case IOPGT_E_LEAF:
			slot_oa = fmt_leaf_oa(pt, level, pte, sz) +
				  (((u64)i << item_lg2) & iopgt_lg2_mask(sz));
			if (slot_oa != e_oa)
				return false;
			if (!*have) {
				*attrs = fmt_leaf_attrs(pt, level, pte);
				*have = true;
			} else if (fmt_leaf_attrs(pt, level, pte) != *attrs) {
				return false;
			}
			*dirty |= fmt_leaf_dirty(pt, pte);
			break;
		case IOPGT_E_TABLE:
			if (!level || !tpl_run_from(pt, tpl_child(pt, level, pte),
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
		pte = READ_ONCE(t[0]);
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
	u64 pte = READ_ONCE(table[idx]), cur, new, oa = 0, attrs = 0, *child;
	bool dirty;

	if (!(pt->pgsize_bitmap & (1ull << size_lg2)))
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
		cur = iopgt_cmpxchg64(&table[idx], pte, new);
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
 * replicated leaves, largest allowed size first. Each slot is rewritten on
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

	for (k = tbl_lg2 - 1; k >= 1; k--) {
		unsigned int size_lg2 = item_lg2 + k;

		if (!(pt->pgsize_bitmap & (1ull << size_lg2)))
			continue;
		n = 1u << k;
		for (g = (first_idx + n - 1) & ~(n - 1);
		     g + n - 1 <= last_idx && g + n - 1 >= g; g += n) {
			bool ok = true;

			for (j = 0; j < n && ok; j++) {
				pte = READ_ONCE(table[g + j]);
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
				pte = READ_ONCE(table[g + j]);
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

static void tpl_merge_walk(struct tpl_merge *mg, u64 *table,
			   unsigned int level, u64 iova, u64 last)
{
	const struct iopgt *pt = mg->pt;
	unsigned int idx = iopgt_index(pt, level, iova);
	unsigned int size_lg2;
	u64 this_last, e_first, pte, run_iova = iova;

	for (;;) {
		e_first = iova & ~iopgt_lg2_mask(iopgt_item_lg2(pt, level));
		this_last = tpl_min(tpl_entry_last(pt, level, iova), last);
		pte = READ_ONCE(table[idx]);
		if (fmt_classify(pt, level, pte, &size_lg2) == IOPGT_E_TABLE) {
			bool inside = e_first >= mg->first &&
				      tpl_entry_last(pt, level, iova) <= mg->last;

			/*
			 * Bottom up, so that each level's leaves are in place
			 * for the next; but with a fault window a collapsed
			 * entry stays empty until release, so there the
			 * largest collapse is tried first, over the subtree.
			 */
			if (!(inside && mg->bbm == TPL_BBM_FAULT &&
			      tpl_merge_collapse(mg, table, idx, level,
						 e_first))) {
				void *mark = mg->gather->detached;
				u64 *child = tpl_child(pt, level, pte);

				tpl_merge_walk(mg, child, level - 1, iova,
					       this_last);
				if (inside && mg->bbm != TPL_BBM_FAULT &&
				    tpl_merge_collapse(mg, table, idx, level,
						       e_first))
					tpl_merge_adopt(mg->pt, mg->gather,
							mark);
			}
		}
		idx++;
		if (this_last >= last)
			break;
		iova = this_last + 1;
	}
	/* contiguous runs change in place: only without BBM */
	if (mg->bbm == TPL_BBM_DIRECT)
		tpl_merge_runs(mg, table, level, run_iova, last);
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
	int ret;

	ret = tpl_bbm_mode(pt, flags, &mg.bbm);
	if (ret)
		return ret;
	tpl_merge_walk(&mg, pt->root, pt->levels - 1, iova, last);
	return 0;
}

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

/* Does @pte still hold what the first step of an edit left (@expect)? */
static inline bool tpl_slot_unchanged(const struct iopgt *pt,
				      unsigned int level, u64 pte, u64 expect)
{
	return !((pte ^ expect) & ~fmt_hw_bits(pt, level));
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

/* ---- freeing ------------------------------------------------------------- */

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

/* ---- validate and dump ------------------------------------------------------ */

static int tpl_validate_fail(struct iopgt_validate_err *err, u64 iova,
			     unsigned int level, u64 pte, const char *what)
{
	if (err) {
		err->iova = iova;
		err->level = level;
		err->pte = pte;
		err->what = what;
	}
	return -EINVAL;
}

static int tpl_validate_walk(struct iopgt *pt, u64 *table, unsigned int level,
			     u64 iova, struct iopgt_validate_err *err)
{
	unsigned int n = 1u << iopgt_table_lg2(pt, level);
	unsigned int item_lg2 = iopgt_item_lg2(pt, level);
	unsigned int i, j, size_lg2, reps, sz;
	u64 pte, e_first, oa, pa, attrs, expect, hw;
	const char *why;
	int ret;

	for (i = 0; i < n;) {
		pte = READ_ONCE(table[i]);
		e_first = iova + ((u64)i << item_lg2);
		switch (fmt_classify(pt, level, pte, &size_lg2)) {
		case IOPGT_E_EMPTY:
			i++;
			continue;
		case IOPGT_E_TABLE:
			why = fmt_check_entry(pt, level, pte);
			if (why)
				return tpl_validate_fail(err, e_first, level,
							 pte, why);
			if (level == 0)
				return tpl_validate_fail(err, e_first, level,
							 pte, "table at level 0");
			pa = fmt_table_pa(pt, level, pte);
			if (pa & iopgt_lg2_mask(pt->granule_lg2))
				return tpl_validate_fail(err, e_first, level,
							 pte, "table misaligned");
			ret = tpl_validate_walk(pt, tpl_child(pt, level, pte),
						level - 1, e_first, err);
			if (ret)
				return ret;
			i++;
			continue;
		case IOPGT_E_LEAF:
			break;
		}
		why = fmt_check_entry(pt, level, pte);
		if (why)
			return tpl_validate_fail(err, e_first, level, pte, why);
		if (pt->cfg.ias < 64 && (e_first >> pt->cfg.ias))
			return tpl_validate_fail(err, e_first, level, pte,
						 "leaf beyond ias");
		if (size_lg2 >= 64 || !(pt->pgsize_bitmap & (1ull << size_lg2)))
			return tpl_validate_fail(err, e_first, level, pte,
						 "leaf size not in use");
		if (iopgt_size_level(pt, size_lg2) != level)
			return tpl_validate_fail(err, e_first, level, pte,
						 "leaf at the wrong level");
		reps = 1u << (size_lg2 - item_lg2);
		if ((i & (reps - 1)) || i + reps > n)
			return tpl_validate_fail(err, e_first, level, pte,
						 "replicas misaligned");
		oa = fmt_leaf_oa(pt, level, pte, size_lg2);
		if (oa & iopgt_lg2_mask(size_lg2))
			return tpl_validate_fail(err, e_first, level, pte,
						 "leaf OA misaligned");
		if (pt->cfg.oas < 64 &&
		    ((oa + iopgt_lg2_mask(size_lg2)) >> pt->cfg.oas))
			return tpl_validate_fail(err, e_first, level, pte,
						 "leaf beyond oas");
		attrs = fmt_leaf_attrs(pt, level, pte);
		hw = fmt_hw_bits(pt, level);
		for (j = 0; j < reps; j++) {
			u64 v = READ_ONCE(table[i + j]);

			if (fmt_classify(pt, level, v, &sz) != IOPGT_E_LEAF ||
			    sz != size_lg2)
				return tpl_validate_fail(err,
					e_first + ((u64)j << item_lg2), level,
					v, "replica missing");
			why = fmt_check_entry(pt, level, v);
			if (why)
				return tpl_validate_fail(err,
					e_first + ((u64)j << item_lg2), level,
					v, why);
			expect = fmt_make_leaf(pt, level,
					       oa + ((u64)j << item_lg2),
					       size_lg2, attrs);
			if ((v ^ expect) & ~hw)
				return tpl_validate_fail(err,
					e_first + ((u64)j << item_lg2), level,
					v, "replica differs");
		}
		i += reps;
	}
	return 0;
}

static int tpl_validate(struct iopgt *pt, struct iopgt_validate_err *err)
{
	if (!pt->root || (pt->root_pa & iopgt_lg2_mask(pt->top_alloc_lg2)))
		return tpl_validate_fail(err, 0, pt->levels - 1, pt->root_pa,
					 "root misaligned");
	return tpl_validate_walk(pt, pt->root, pt->levels - 1, 0, err);
}

struct tpl_dump {
	struct iopgt *pt;
	void (*print)(void *ctx, const char *line);
	void *ctx;
};

static void tpl_dump_prot(struct iopgt_line *line, u32 prot)
{
	char p[4] = "---";

	if (prot & IOPGT_READ)
		p[0] = 'r';
	if (prot & IOPGT_WRITE)
		p[1] = 'w';
	if (!(prot & IOPGT_NOEXEC))
		p[2] = 'x';
	iopgt_line_str(line, p);
	if (prot & IOPGT_CACHE)
		iopgt_line_str(line, " cache");
	if (prot & IOPGT_MMIO)
		iopgt_line_str(line, " mmio");
}

static void tpl_dump_walk(struct tpl_dump *d, u64 *table, unsigned int level,
			  u64 iova)
{
	struct iopgt *pt = d->pt;
	unsigned int n = 1u << iopgt_table_lg2(pt, level);
	unsigned int item_lg2 = iopgt_item_lg2(pt, level);
	unsigned int i, size_lg2, reps, depth;
	struct iopgt_line line;
	u64 pte, e_first, e_last;
	enum iopgt_etype type;

	for (i = 0; i < n;) {
		pte = READ_ONCE(table[i]);
		type = fmt_classify(pt, level, pte, &size_lg2);
		if (type == IOPGT_E_EMPTY) {
			i++;
			continue;
		}
		reps = type == IOPGT_E_LEAF && size_lg2 > item_lg2 ?
			       1u << (size_lg2 - item_lg2) : 1;
		e_first = iova + ((u64)i << item_lg2);
		e_last = e_first + (((u64)reps << item_lg2) - 1);
		line.len = 0;
		for (depth = level; depth + 1u < pt->levels; depth++)
			iopgt_line_str(&line, "  ");
		iopgt_line_str(&line, "L");
		iopgt_line_dec(&line, level);
		iopgt_line_str(&line, " [");
		iopgt_line_dec(&line, i);
		iopgt_line_str(&line, "] 0x");
		iopgt_line_hex(&line, e_first, 16);
		iopgt_line_str(&line, "-0x");
		iopgt_line_hex(&line, e_last, 16);
		iopgt_line_str(&line, " pte 0x");
		iopgt_line_hex(&line, pte, 16);
		if (type == IOPGT_E_TABLE) {
			iopgt_line_str(&line, " table 0x");
			iopgt_line_hex(&line, fmt_table_pa(pt, level, pte), 0);
			d->print(d->ctx, line.buf);
			tpl_dump_walk(d, tpl_child(pt, level, pte), level - 1,
				      e_first);
			i++;
			continue;
		}
		iopgt_line_str(&line, " leaf 2^");
		iopgt_line_dec(&line, size_lg2);
		iopgt_line_str(&line, " -> 0x");
		iopgt_line_hex(&line, fmt_leaf_oa(pt, level, pte, size_lg2), 0);
		iopgt_line_str(&line, " ");
		tpl_dump_prot(&line, fmt_leaf_prot(pt, pte));
		if (fmt_leaf_dirty(pt, pte))
			iopgt_line_str(&line, " dirty");
		if (reps > 1) {
			iopgt_line_str(&line, " x");
			iopgt_line_dec(&line, reps);
		}
		d->print(d->ctx, line.buf);
		i += reps;
	}
}

static void tpl_dump(struct iopgt *pt,
		     void (*print)(void *ctx, const char *line), void *ctx)
{
	struct tpl_dump d = { .pt = pt, .print = print, .ctx = ctx };
	struct iopgt_line line = { .len = 0 };

	iopgt_line_str(&line, iopgt_format_name(pt->cfg.format));
	iopgt_line_str(&line, " levels ");
	iopgt_line_dec(&line, pt->levels);
	iopgt_line_str(&line, " ias ");
	iopgt_line_dec(&line, pt->cfg.ias);
	iopgt_line_str(&line, " oas ");
	iopgt_line_dec(&line, pt->cfg.oas);
	iopgt_line_str(&line, " root 0x");
	iopgt_line_hex(&line, pt->root_pa, 0);
	print(ctx, line.buf);
	tpl_dump_walk(&d, pt->root, pt->levels - 1, 0);
}

static void tpl_hw_info(const struct iopgt *pt, struct iopgt_hw_info *info)
{
	memset(info, 0, sizeof(*info));
	info->root_pa = pt->root_pa;
	info->levels = pt->levels;
	info->ias = pt->cfg.ias;
	info->oas = pt->cfg.oas;
	info->pgsize_bitmap = pt->pgsize_bitmap;
	fmt_hw_info(pt, info);
}

const struct iopgt_fmt_ops IOPGT_FMT_OPS_NAME = {
	.format = IOPGT_FMT_ID,
	.init = fmt_init,
	.hw_info = tpl_hw_info,
	.map = tpl_map,
	.unmap = tpl_unmap,
	.iova_to_phys = tpl_iova_to_phys,
	.read_dirty = tpl_read_dirty,
	.set_dirty_tracking = tpl_set_dirty_tracking,
	.split = tpl_split,
	.merge = tpl_merge,
	.release_table = tpl_release_table,
	.gather_finish = tpl_gather_finish,
	.free_tree = tpl_free_tree,
	.validate = tpl_validate,
	.dump = tpl_dump,
};
