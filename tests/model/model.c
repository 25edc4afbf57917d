/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The reference model. See model.h for what each call means.
 *
 * Storage: the leaves, sorted by IOVA and never overlapping, sit in one
 * array with a gap (a run of unused slots) somewhere in it. Logical index i
 * is physical slot i before the gap and i + gap_len after it. An edit moves
 * the gap to where it inserts or removes, so a test that maps or unmaps in
 * ascending order moves nothing, and a test that jumps around pays one
 * memmove of the distance.
 *
 * Because leaves are sorted and disjoint, their last IOVAs are sorted too,
 * which is what the two searches below rely on.
 */
#include <stdlib.h>
#include <string.h>

#include "model/model.h"

struct model {
	struct model_leaf *buf;
	size_t cap;		/* slots in buf */
	size_t gap;		/* logical index and physical slot of gap */
	size_t gap_len;		/* unused slots at the gap */
	u64 pgsize_bitmap;
	unsigned int min_lg2;
	unsigned int ias;
	unsigned int oas;
	bool span_valid;
	bool keep_tables;	/* no reclaim of emptied tables */
	unsigned int grow_from;	/* levels a growing top started with */
	u64 span_start;
	u64 span_last;
	/*
	 * Table geometry (model_set_geometry()); levels == 0 leaves it out.
	 * tabs[L] lists, sorted, the first IOVA of every entry at level L
	 * that points to a table.
	 */
	unsigned int granule_lg2;
	unsigned int levels;
	u64 *tabs[MODEL_MAX_LEVELS];
	size_t ntabs[MODEL_MAX_LEVELS];
	size_t captabs[MODEL_MAX_LEVELS];
};

static size_t model_n(const struct model *m)
{
	return m->cap - m->gap_len;
}

static struct model_leaf *model_at(const struct model *m, size_t i)
{
	return &m->buf[i < m->gap ? i : i + m->gap_len];
}

static u64 leaf_len(const struct model_leaf *leaf)
{
	return 1ull << leaf->size_lg2;
}

static u64 leaf_last(const struct model_leaf *leaf)
{
	return leaf->iova + (leaf_len(leaf) - 1);
}

static unsigned int lg2_floor(u64 v)
{
	return 63 - __builtin_clzll(v);
}

/* Whether @last (an inclusive end) is at or beyond 2^@bits. */
static bool model_beyond(u64 last, unsigned int bits)
{
	return bits < 64 && (last >> bits);
}

/* The first leaf whose last IOVA is >= @iova (model_n() if none). */
static size_t model_first_ending_from(const struct model *m, u64 iova)
{
	size_t lo = 0, hi = model_n(m), mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (leaf_last(model_at(m, mid)) < iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The first leaf whose first IOVA is > @iova (model_n() if none). */
static size_t model_first_starting_after(const struct model *m, u64 iova)
{
	size_t lo = 0, hi = model_n(m), mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (model_at(m, mid)->iova <= iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The leaves intersecting [@iova, @last]: [*@lo, *@hi). */
static void model_leaves_in(const struct model *m, u64 iova, u64 last,
			    size_t *lo, size_t *hi)
{
	*lo = model_first_ending_from(m, iova);
	*hi = model_first_starting_after(m, last);
}

/* The last IOVA of @len bytes from @iova (not 0), cut where it wraps. */
static u64 model_clip_last(u64 iova, u64 len)
{
	u64 last = iova + (len - 1);

	return last < iova ? ~0ull : last;
}

static void model_move_gap(struct model *m, size_t pos)
{
	size_t sz = sizeof(*m->buf);

	if (m->gap_len && pos < m->gap)
		memmove(m->buf + pos + m->gap_len, m->buf + pos,
			(m->gap - pos) * sz);
	else if (m->gap_len && pos > m->gap)
		memmove(m->buf + m->gap, m->buf + m->gap + m->gap_len,
			(pos - m->gap) * sz);
	m->gap = pos;
}

/* Make the gap at least @more slots long; it stays where it is. */
static int model_reserve(struct model *m, u64 more)
{
	size_t n = model_n(m), cap, tail;
	struct model_leaf *buf;

	if (m->gap_len >= more)
		return 0;
	if (more > (SIZE_MAX / sizeof(*buf)) / 4 - n)
		return -ENOMEM;
	cap = m->cap * 2;
	if (cap < n + more + 64)
		cap = n + more + 64;
	buf = realloc(m->buf, cap * sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	tail = m->cap - m->gap - m->gap_len;
	memmove(buf + cap - tail, buf + m->gap + m->gap_len,
		tail * sizeof(*buf));
	m->buf = buf;
	m->gap_len += cap - m->cap;
	m->cap = cap;
	return 0;
}

/* @k slots at logical @pos, to be filled in; model_reserve(@k) first. */
static struct model_leaf *model_insert(struct model *m, size_t pos, size_t k)
{
	struct model_leaf *dst;

	model_move_gap(m, pos);
	dst = m->buf + m->gap;
	m->gap += k;
	m->gap_len -= k;
	return dst;
}

static void model_remove(struct model *m, size_t pos, size_t k)
{
	model_move_gap(m, pos);
	m->gap_len += k;
}

static void model_span_add(struct model *m, u64 start, u64 last)
{
	if (!m->span_valid) {
		m->span_valid = true;
		m->span_start = start;
		m->span_last = last;
		return;
	}
	if (start < m->span_start)
		m->span_start = start;
	if (last > m->span_last)
		m->span_last = last;
}

/* The checks every range call shares, after its own -EINVAL checks. */
static int model_check_bounds(const struct model *m, u64 iova, u64 len,
			      u64 *last)
{
	if (iova + (len - 1) < iova)
		return -EOVERFLOW;
	*last = iova + (len - 1);
	if (model_beyond(*last, m->ias))
		return -ERANGE;
	return 0;
}

static bool model_misaligned(const struct model *m, u64 iova, u64 len)
{
	return !len || ((iova | len) & ((1ull << m->min_lg2) - 1));
}

static int model_check_range(const struct model *m, u64 iova, u64 len,
			     u64 *last)
{
	if (model_misaligned(m, iova, len))
		return -EINVAL;
	return model_check_bounds(m, iova, len, last);
}

struct model *model_create(u64 pgsize_bitmap, unsigned int ias,
			   unsigned int oas)
{
	struct model *m;

	if (!pgsize_bitmap || !ias || ias > 64 || !oas || oas > 64)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->pgsize_bitmap = pgsize_bitmap;
	m->min_lg2 = __builtin_ctzll(pgsize_bitmap);
	m->ias = ias;
	m->oas = oas;
	return m;
}

static unsigned int model_item_lg2(const struct model *m, unsigned int level)
{
	return m->granule_lg2 + level * (m->granule_lg2 - 3);
}

/* Index of the first table base >= @iova at @level. */
static size_t model_tab_find(const struct model *m, unsigned int level,
			     u64 iova)
{
	size_t lo = 0, hi = m->ntabs[level], mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (m->tabs[level][mid] < iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool model_tab_has(const struct model *m, unsigned int level, u64 base)
{
	size_t i = model_tab_find(m, level, base);

	return i < m->ntabs[level] && m->tabs[level][i] == base;
}

static int model_tab_add(struct model *m, unsigned int level, u64 base)
{
	size_t i = model_tab_find(m, level, base);
	u64 *n;

	if (i < m->ntabs[level] && m->tabs[level][i] == base)
		return 0;
	if (m->ntabs[level] == m->captabs[level]) {
		size_t cap = m->captabs[level] ? 2 * m->captabs[level] : 64;

		n = realloc(m->tabs[level], cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		m->tabs[level] = n;
		m->captabs[level] = cap;
	}
	memmove(&m->tabs[level][i + 1], &m->tabs[level][i],
		(m->ntabs[level] - i) * sizeof(u64));
	m->tabs[level][i] = base;
	m->ntabs[level]++;
	return 0;
}

/* An old top of a grown table: never freed (iopgt_keeps_table). */
static bool model_tab_kept(const struct model *m, unsigned int level, u64 b)
{
	return m->grow_from && !b && level >= m->grow_from;
}

/* Forget the tables whose entries lie wholly inside [@iova, @last]. */
static void model_tab_remove_inside(struct model *m, u64 iova, u64 last)
{
	unsigned int level;
	size_t i, out;
	u64 b, mask;

	for (level = 1; level < m->levels; level++) {
		if (!m->ntabs[level])
			continue;
		mask = (1ull << model_item_lg2(m, level)) - 1;
		out = model_tab_find(m, level, iova);
		for (i = out; i < m->ntabs[level]; i++) {
			b = m->tabs[level][i];
			if (b > last)
				break;
			if (b + mask > last || model_tab_kept(m, level, b))
				m->tabs[level][out++] = b;
		}
		memmove(&m->tabs[level][out], &m->tabs[level][i],
			(m->ntabs[level] - i) * sizeof(u64));
		m->ntabs[level] -= i - out;
	}
}

/* Does any leaf or lower table lie in [@first, @last]? */
static bool model_span_used(const struct model *m, unsigned int level,
			    u64 first, u64 last)
{
	size_t i = model_first_ending_from(m, first);
	unsigned int l;

	if (i < model_n(m) && model_at(m, i)->iova <= last)
		return true;
	for (l = 1; l < level; l++) {
		i = model_tab_find(m, l, first);
		if (i < m->ntabs[l] && m->tabs[l][i] <= last)
			return true;
	}
	return false;
}

/*
 * After an unmap of [@iova, @last]: forget the tables on the paths to its
 * two ends that now hold nothing, lowest first (iopgt's unmap reclaim).
 */
static void model_tab_drop_empty(struct model *m, u64 iova, u64 last)
{
	unsigned int level, e;
	u64 ends[2] = { iova, last }, b, mask;
	size_t i;

	for (level = 1; level < m->levels; level++) {
		mask = (1ull << model_item_lg2(m, level)) - 1;
		for (e = 0; e < 2; e++) {
			b = ends[e] & ~mask;
			i = model_tab_find(m, level, b);
			if (i >= m->ntabs[level] || m->tabs[level][i] != b ||
			    model_tab_kept(m, level, b) ||
			    model_span_used(m, level, b, b + mask))
				continue;
			memmove(&m->tabs[level][i], &m->tabs[level][i + 1],
				(m->ntabs[level] - i - 1) * sizeof(u64));
			m->ntabs[level]--;
		}
	}
}

void model_set_reclaim(struct model *m, bool on)
{
	m->keep_tables = !on;
}

void model_set_grow(struct model *m)
{
	m->grow_from = m->levels;
}

int model_grow(struct model *m, unsigned int levels)
{
	int ret;

	if (levels > MODEL_MAX_LEVELS || levels < m->levels || !m->grow_from)
		return -EINVAL;
	for (; m->levels < levels; m->levels++) {
		ret = model_tab_add(m, m->levels, 0);
		if (ret)
			return ret;
	}
	return 0;
}

void model_set_geometry(struct model *m, unsigned int granule_lg2,
			unsigned int levels)
{
	if (levels > MODEL_MAX_LEVELS || granule_lg2 < 12)
		levels = 0;
	m->granule_lg2 = granule_lg2;
	m->levels = levels;
}

struct model *model_clone(const struct model *m)
{
	size_t i, n = model_n(m);
	struct model *c;

	c = model_create(m->pgsize_bitmap, m->ias, m->oas);
	if (!c)
		return NULL;
	model_set_geometry(c, m->granule_lg2, m->levels);
	c->keep_tables = m->keep_tables;
	c->grow_from = m->grow_from;
	for (i = 0; i < MODEL_MAX_LEVELS; i++) {
		size_t k;

		for (k = 0; k < m->ntabs[i]; k++)
			if (model_tab_add(c, i, m->tabs[i][k])) {
				model_destroy(c);
				return NULL;
			}
	}
	if (!n)
		return c;
	c->buf = malloc(n * sizeof(*c->buf));
	if (!c->buf) {
		free(c);
		return NULL;
	}
	for (i = 0; i < n; i++)
		c->buf[i] = *model_at(m, i);
	c->cap = n;
	c->gap = n;
	return c;
}

void model_destroy(struct model *m)
{
	unsigned int i;

	if (!m)
		return;
	for (i = 0; i < MODEL_MAX_LEVELS; i++)
		free(m->tabs[i]);
	free(m->buf);
	free(m);
}

void model_clear(struct model *m)
{
	unsigned int i;

	for (i = 0; i < MODEL_MAX_LEVELS; i++)
		m->ntabs[i] = 0;
	m->gap = 0;
	m->gap_len = m->cap;
	m->span_valid = false;
}

u64 model_pgsize_bitmap(const struct model *m)
{
	return m->pgsize_bitmap;
}

size_t model_count(const struct model *m)
{
	return model_n(m);
}

u64 model_mapped_bytes(const struct model *m)
{
	size_t i, n = model_n(m);
	u64 sum = 0;

	for (i = 0; i < n; i++)
		sum += leaf_len(model_at(m, i));
	return sum;
}

bool model_last_span(const struct model *m, u64 *start, u64 *last)
{
	if (!m->span_valid)
		return false;
	*start = m->span_start;
	*last = m->span_last;
	return true;
}

/*
 * The leaf size map uses at @iova -> @pa with @rem bytes left: the largest
 * allowed size that both addresses are aligned to and that fits.
 */
static unsigned int model_pick(const struct model *m, u64 iova, u64 pa,
			       u64 rem)
{
	u64 cand = m->pgsize_bitmap, align = iova | pa;
	unsigned int fit = lg2_floor(rem);

	/* Sizes up to the lowest set bit; all of them if both are 0. */
	if (align)
		cand &= ((align & -align) << 1) - 1;
	if (fit < 63)
		cand &= (2ull << fit) - 1;
	return lg2_floor(cand);
}

/*
 * With table geometry: a leaf's slots must not hold a table (an unmap that
 * did not cover a whole table leaves it in place, possibly empty, and map
 * fills it with smaller leaves); fall back to smaller sizes until none does.
 */
static unsigned int model_pick_tables(const struct model *m, u64 iova, u64 pa,
				      u64 rem)
{
	unsigned int lg2 = model_pick(m, iova, pa, rem), level, item, j;
	bool blocked;

	if (!m->levels)
		return lg2;
	for (;;) {
		level = (lg2 - m->granule_lg2) / (m->granule_lg2 - 3);
		item = model_item_lg2(m, level);
		blocked = false;
		for (j = 0; level && j < 1u << (lg2 - item) && !blocked; j++)
			blocked = model_tab_has(m, level,
						iova + ((u64)j << item));
		if (!blocked)
			return lg2;
		lg2 = lg2_floor(m->pgsize_bitmap & ((1ull << lg2) - 1));
	}
}

/* The tables on the path to a leaf of 2^@lg2 at @iova. */
static int model_add_path(struct model *m, u64 iova, unsigned int lg2)
{
	unsigned int level;
	int ret;

	if (!m->levels)
		return 0;
	level = (lg2 - m->granule_lg2) / (m->granule_lg2 - 3);
	for (level++; level < m->levels; level++) {
		ret = model_tab_add(m, level, iova &
				    ~((1ull << model_item_lg2(m, level)) - 1));
		if (ret)
			return ret;
	}
	return 0;
}

int model_map(struct model *m, u64 iova, u64 pa, u64 len, u32 prot)
{
	u64 last, cur, pa_cur, rem, count = 0;
	struct model_leaf *dst;
	unsigned int lg2;
	size_t pos;
	int ret;

	m->span_valid = false;
	if (model_misaligned(m, iova, len) ||
	    (pa & ((1ull << m->min_lg2) - 1)))
		return -EINVAL;
	if (!(prot & (IOPGT_READ | IOPGT_WRITE)) || (prot & ~IOPGT_PROT_ALL))
		return -EINVAL;
	if (iova + (len - 1) < iova || pa + (len - 1) < pa)
		return -EOVERFLOW;
	last = iova + (len - 1);
	if (model_beyond(last, m->ias) || model_beyond(pa + (len - 1), m->oas))
		return -ERANGE;

	pos = model_first_ending_from(m, iova);
	if (pos < model_n(m) && model_at(m, pos)->iova <= last)
		return -EEXIST;

	for (cur = iova, pa_cur = pa, rem = len; rem; count++) {
		lg2 = model_pick_tables(m, cur, pa_cur, rem);
		cur += 1ull << lg2;
		pa_cur += 1ull << lg2;
		rem -= 1ull << lg2;
	}
	ret = model_reserve(m, count);
	if (ret)
		return ret;

	dst = model_insert(m, pos, count);
	for (cur = iova, pa_cur = pa, rem = len; rem; dst++) {
		lg2 = model_pick_tables(m, cur, pa_cur, rem);
		if (model_add_path(m, cur, lg2))
			abort();
		dst->iova = cur;
		dst->oa = pa_cur;
		dst->prot = prot;
		dst->size_lg2 = lg2;
		dst->dirty = false;
		cur += 1ull << lg2;
		pa_cur += 1ull << lg2;
		rem -= 1ull << lg2;
	}
	model_span_add(m, iova, last);
	return 0;
}

int model_unmap(struct model *m, u64 iova, u64 len, u64 *unmapped)
{
	size_t lo, hi, i;
	u64 last, sum = 0;
	int ret;

	m->span_valid = false;
	if (unmapped)
		*unmapped = 0;
	ret = model_check_range(m, iova, len, &last);
	if (ret)
		return ret;

	model_leaves_in(m, iova, last, &lo, &hi);
	/* tables wholly inside the range go even if they held no leaf */
	if (m->levels)
		model_tab_remove_inside(m, iova, last);
	if (lo >= hi)
		return -ENOENT;
	for (i = lo; i < hi; i++)
		sum += leaf_len(model_at(m, i));
	model_span_add(m, model_at(m, lo)->iova,
		       leaf_last(model_at(m, hi - 1)));
	model_remove(m, lo, hi - lo);
	if (m->levels && !m->keep_tables)
		model_tab_drop_empty(m, iova, last);
	if (unmapped)
		*unmapped = sum;
	return 0;
}

bool model_lookup(const struct model *m, u64 iova, struct model_leaf *out)
{
	size_t i = model_first_ending_from(m, iova);
	const struct model_leaf *leaf;

	if (i >= model_n(m))
		return false;
	leaf = model_at(m, i);
	if (leaf->iova > iova)
		return false;
	if (out)
		*out = *leaf;
	return true;
}

int model_translate(const struct model *m, u64 iova, u64 *pa)
{
	struct model_leaf leaf;

	if (model_beyond(iova, m->ias))
		return -ERANGE;
	if (!model_lookup(m, iova, &leaf))
		return -ENOENT;
	*pa = leaf.oa + (iova - leaf.iova);
	return 0;
}

bool model_set_dirty(struct model *m, u64 iova)
{
	size_t i = model_first_ending_from(m, iova);
	struct model_leaf *leaf;

	if (i >= model_n(m))
		return false;
	leaf = model_at(m, i);
	if (leaf->iova > iova)
		return false;
	leaf->dirty = true;
	return true;
}

size_t model_set_dirty_range(struct model *m, u64 iova, u64 len)
{
	size_t lo, hi, i;

	if (!len)
		return 0;
	model_leaves_in(m, iova, model_clip_last(iova, len), &lo, &hi);
	for (i = lo; i < hi; i++)
		model_at(m, i)->dirty = true;
	return hi > lo ? hi - lo : 0;
}

void model_bitmap_set(u64 *words, u64 nbits, u64 base, unsigned int pgshift,
		      u64 start, u64 last)
{
	u64 first_bit, last_bit, nb, mask;

	if (!nbits || last < base)
		return;
	if (start < base)
		start = base;
	first_bit = (start - base) >> pgshift;
	last_bit = (last - base) >> pgshift;
	if (first_bit >= nbits)
		return;
	if (last_bit >= nbits)
		last_bit = nbits - 1;
	while (first_bit <= last_bit) {
		nb = 64 - first_bit % 64;
		if (nb > last_bit - first_bit + 1)
			nb = last_bit - first_bit + 1;
		mask = nb == 64 ? ~0ull :
			((1ull << nb) - 1) << (first_bit % 64);
		words[first_bit / 64] |= mask;
		first_bit += nb;
	}
}

int model_read_dirty(struct model *m, u64 iova, u64 len, bool clear,
		     u64 base, unsigned int pgshift, u64 *words, u64 nbits)
{
	struct model_leaf *leaf;
	u64 last, start, end;
	size_t lo, hi, i;
	int ret;

	m->span_valid = false;
	if (pgshift < 12 || pgshift > 63 || (!words && nbits))
		return -EINVAL;
	ret = model_check_range(m, iova, len, &last);
	if (ret)
		return ret;

	model_leaves_in(m, iova, last, &lo, &hi);
	for (i = lo; i < hi; i++) {
		leaf = model_at(m, i);
		if (!leaf->dirty)
			continue;
		start = leaf->iova > iova ? leaf->iova : iova;
		end = leaf_last(leaf) < last ? leaf_last(leaf) : last;
		if (words)
			model_bitmap_set(words, nbits, base, pgshift, start,
					 end);
		/* a leaf only partly inside keeps its state for the rest */
		if (clear && leaf->iova >= iova && leaf_last(leaf) <= last) {
			leaf->dirty = false;
			model_span_add(m, leaf->iova, leaf_last(leaf));
		}
	}
	return 0;
}

size_t model_mark_dirty_leaves(const struct model *m, u64 iova, u64 len,
			       u64 base, unsigned int pgshift, u64 *words,
			       u64 nbits)
{
	const struct model_leaf *leaf;
	size_t lo, hi, i, n = 0;

	if (!len)
		return 0;
	model_leaves_in(m, iova, model_clip_last(iova, len), &lo, &hi);
	for (i = lo; i < hi; i++) {
		leaf = model_at(m, i);
		if (!leaf->dirty)
			continue;
		model_bitmap_set(words, nbits, base, pgshift, leaf->iova,
				 leaf_last(leaf));
		n++;
	}
	return n;
}

static unsigned int model_level_of(const struct model *m, unsigned int lg2)
{
	return (lg2 - m->granule_lg2) / (m->granule_lg2 - 3);
}

/*
 * Splitting @leaf into 2^@size_lg2 leaves at a lower level puts a table
 * under every entry between the two levels inside the leaf.
 */
static int model_split_tables(struct model *m, const struct model_leaf *leaf,
			      unsigned int size_lg2)
{
	unsigned int from, to, level;
	u64 b, step;
	int ret;

	if (!m->levels)
		return 0;
	from = model_level_of(m, leaf->size_lg2);
	to = model_level_of(m, size_lg2);
	for (level = to + 1; level <= from; level++) {
		step = 1ull << model_item_lg2(m, level);
		for (b = leaf->iova; b - leaf->iova < leaf_len(leaf); b += step) {
			ret = model_tab_add(m, level, b);
			if (ret)
				return ret;
		}
	}
	return 0;
}

int model_split(struct model *m, u64 iova, u64 len, unsigned int size_lg2)
{
	struct model_leaf leaf;
	u64 last, extra = 0, j, cnt;
	size_t lo, hi, r, out;
	int ret;

	m->span_valid = false;
	if (size_lg2 > 63 || !(m->pgsize_bitmap & (1ull << size_lg2)))
		return -EINVAL;
	ret = model_check_range(m, iova, len, &last);
	if (ret)
		return ret;

	model_leaves_in(m, iova, last, &lo, &hi);
	for (r = lo; r < hi; r++) {
		leaf = *model_at(m, r);
		if (leaf.size_lg2 <= size_lg2)
			continue;
		if (leaf.size_lg2 - size_lg2 >= 48)
			return -ENOMEM;
		extra += (1ull << (leaf.size_lg2 - size_lg2)) - 1;
	}
	if (!extra)
		return 0;
	ret = model_reserve(m, extra);
	if (ret)
		return ret;

	/*
	 * With the gap at hi, leaves [lo, hi) and the first @extra gap slots
	 * are one physical run. Fill it from the back so that no leaf is
	 * overwritten before it is read: leaf r's children end at or after
	 * slot r + 1.
	 */
	model_move_gap(m, hi);
	out = hi + extra;
	for (r = hi; r-- > lo;) {
		leaf = m->buf[r];
		if (leaf.size_lg2 <= size_lg2) {
			m->buf[--out] = leaf;
			continue;
		}
		cnt = 1ull << (leaf.size_lg2 - size_lg2);
		if (model_split_tables(m, &leaf, size_lg2))
			return -ENOMEM;
		for (j = cnt; j-- > 0;) {
			out--;
			m->buf[out] = leaf;
			m->buf[out].iova = leaf.iova + (j << size_lg2);
			m->buf[out].oa = leaf.oa + (j << size_lg2);
			m->buf[out].size_lg2 = size_lg2;
		}
		model_span_add(m, leaf.iova, leaf_last(&leaf));
	}
	m->gap = hi + extra;
	m->gap_len -= extra;
	return 0;
}

/* The leaf reaching from below @b to @b or past it, if any. */
static bool model_straddles(const struct model *m, u64 b,
			    struct model_leaf *out)
{
	return model_lookup(m, b, out) && out->iova < b;
}

/*
 * The largest size a cut of @leaf may leave at @p: an entry's size below
 * the leaf's level (or at it, for a leaf filling several slots), a page
 * size, aligned at @p, not reaching past the leaf or across an end in
 * @b[@nb].
 */
static unsigned int model_cut_size(const struct model *m,
				   const struct model_leaf *leaf, u64 p,
				   const u64 *b, unsigned int nb)
{
	unsigned int level = model_level_of(m, leaf->size_lg2), s, i, l;
	u64 last;

	if (model_item_lg2(m, level) == leaf->size_lg2)
		level--;
	for (l = level + 1; l-- > 0;) {
		s = model_item_lg2(m, l);
		if (l && !(m->pgsize_bitmap & (1ull << s)))
			continue;
		if (p & ((1ull << s) - 1))
			continue;
		last = p + ((1ull << s) - 1);
		for (i = 0; i < nb; i++)
			if (p < b[i] && b[i] <= last)
				break;
		if (i == nb)
			return s;
	}
	return model_item_lg2(m, 0);
}

/* Replace @leaf by the pieces a cut at the ends @b[@nb] leaves. */
static int model_cut_leaf(struct model *m, const struct model_leaf *leaf,
			  const u64 *b, unsigned int nb)
{
	unsigned int top = model_level_of(m, leaf->size_lg2), l;
	struct model_leaf piece = *leaf;
	size_t lo, hi;
	u64 p;
	int ret;

	model_leaves_in(m, leaf->iova, leaf_last(leaf), &lo, &hi);
	model_remove(m, lo, hi - lo);
	for (p = leaf->iova; p - leaf->iova < leaf_len(leaf);
	     p += 1ull << piece.size_lg2) {
		piece.size_lg2 = model_cut_size(m, leaf, p, b, nb);
		piece.iova = p;
		piece.oa = leaf->oa + (p - leaf->iova);
		ret = model_add_leaf(m, &piece);
		for (l = model_level_of(m, piece.size_lg2) + 1;
		     !ret && l <= top; l++)
			ret = model_tab_add(m, l,
					    p & ~((1ull << model_item_lg2(m, l)) -
						  1));
		if (ret)
			return ret;
	}
	return 0;
}

int model_cut(struct model *m, u64 iova, u64 len, bool can_split,
	      u64 *unmapped)
{
	struct model_leaf leaf[2];
	unsigned int nb = 1, i, n = 0;
	u64 last, b[2];
	int ret;

	m->span_valid = false;
	if (unmapped)
		*unmapped = 0;
	ret = model_check_range(m, iova, len, &last);
	if (ret)
		return ret;
	if (!m->levels)
		return -EINVAL;
	b[0] = iova;
	if (last != ~0ull && !model_beyond(last + 1, m->ias))
		b[nb++] = last + 1;
	for (i = 0; i < nb; i++)
		if (model_straddles(m, b[i], &leaf[n]) &&
		    (!n || leaf[0].iova != leaf[n].iova))
			n++;
	if (n && !can_split)
		return -EBUSY;
	for (i = 0; i < n; i++) {
		ret = model_cut_leaf(m, &leaf[i], b, nb);
		if (ret)
			return ret;
	}
	ret = model_unmap(m, iova, len, unmapped);
	/* the span covers the leaves cut as well as those removed */
	for (i = 0; i < n; i++)
		model_span_add(m, leaf[i].iova, leaf_last(&leaf[i]));
	return ret;
}

/*
 * One merge pass at block size 2^@lg2 over physical slots [@lo, @hi),
 * which all lie wholly inside the range ending at @last. Compacts in place
 * and returns the new end.
 */
static size_t model_merge_pass(struct model *m, size_t lo, size_t hi,
			       u64 last, unsigned int lg2)
{
	u64 bsize = 1ull << lg2, covered;
	struct model_leaf *buf = m->buf;
	size_t r = lo, w = lo, j;
	bool dirty;

	while (r < hi) {
		struct model_leaf head = buf[r];

		if (head.size_lg2 >= lg2 ||
		    (m->levels && !head.iova &&
		     model_tab_kept(m, model_level_of(m, lg2), 0)) ||
		    ((head.iova | head.oa) & (bsize - 1)) ||
		    head.iova + (bsize - 1) > last)
			goto keep;
		/*
		 * Leaves are naturally aligned and smaller than the block, so
		 * a contiguous run from its start cannot overshoot its end.
		 */
		covered = 0;
		dirty = false;
		for (j = r; j < hi && covered < bsize; j++) {
			if (buf[j].iova != head.iova + covered ||
			    buf[j].oa != head.oa + covered ||
			    buf[j].prot != head.prot)
				break;
			covered += leaf_len(&buf[j]);
			dirty |= buf[j].dirty;
		}
		if (covered != bsize)
			goto keep;
		head.size_lg2 = lg2;
		head.dirty = dirty;
		buf[w++] = head;
		r = j;
		model_span_add(m, head.iova, head.iova + (bsize - 1));
		/* the tables the merged leaf replaces */
		if (m->levels)
			model_tab_remove_inside(m, head.iova,
						head.iova + (bsize - 1));
		continue;
keep:
		buf[w++] = buf[r++];
	}
	return w;
}

int model_merge(struct model *m, u64 iova, u64 len, u64 allowed_bitmap)
{
	u64 last, allowed;
	size_t lo, hi, new_hi;
	unsigned int lg2;
	int ret;

	m->span_valid = false;
	ret = model_check_range(m, iova, len, &last);
	if (ret)
		return ret;
	allowed = allowed_bitmap ? allowed_bitmap : m->pgsize_bitmap;
	allowed &= m->pgsize_bitmap;

	/* Only leaves wholly inside the range take part. */
	lo = model_first_ending_from(m, iova);
	if (lo < model_n(m) && model_at(m, lo)->iova < iova)
		lo++;
	hi = model_first_starting_after(m, last);
	if (hi > lo && leaf_last(model_at(m, hi - 1)) > last)
		hi--;
	if (lo >= hi)
		return 0;

	/*
	 * Smallest blocks first; a larger block then sees the merged pieces.
	 * Going the other way gives the same result, as a block merges iff
	 * its leaves are contiguous, whatever they were cut into.
	 */
	model_move_gap(m, hi);
	new_hi = hi;
	for (lg2 = m->min_lg2 + 1; lg2 < 64; lg2++)
		if (allowed & (1ull << lg2))
			new_hi = model_merge_pass(m, lo, new_hi, last, lg2);
	m->gap = new_hi;
	m->gap_len += hi - new_hi;
	return 0;
}

int model_add_leaf(struct model *m, const struct model_leaf *leaf)
{
	size_t pos;
	int ret;

	if (leaf->size_lg2 < m->min_lg2 || leaf->size_lg2 > 63 ||
	    ((leaf->iova | leaf->oa) & (leaf_len(leaf) - 1)))
		return -EINVAL;
	if (model_beyond(leaf_last(leaf), m->ias) ||
	    model_beyond(leaf->oa + (leaf_len(leaf) - 1), m->oas))
		return -ERANGE;
	pos = model_first_ending_from(m, leaf->iova);
	if (pos < model_n(m) && model_at(m, pos)->iova <= leaf_last(leaf))
		return -EEXIST;
	ret = model_reserve(m, 1);
	if (ret)
		return ret;
	*model_insert(m, pos, 1) = *leaf;
	return 0;
}

int model_foreach(const struct model *m,
		  int (*cb)(void *ctx, const struct model_leaf *leaf),
		  void *ctx)
{
	size_t i, n = model_n(m);
	int ret;

	for (i = 0; i < n; i++) {
		ret = cb(ctx, model_at(m, i));
		if (ret)
			return ret;
	}
	return 0;
}

int model_foreach_range(const struct model *m, u64 iova, u64 len,
			int (*cb)(void *ctx, const struct model_leaf *leaf),
			void *ctx)
{
	size_t lo, hi, i;
	int ret;

	if (!len)
		return 0;
	model_leaves_in(m, iova, model_clip_last(iova, len), &lo, &hi);
	for (i = lo; i < hi; i++) {
		ret = cb(ctx, model_at(m, i));
		if (ret)
			return ret;
	}
	return 0;
}

static bool model_leaf_same(const struct model_leaf *a,
			    const struct model_leaf *b, unsigned int flags)
{
	return a->iova == b->iova && a->size_lg2 == b->size_lg2 &&
	       a->oa == b->oa &&
	       ((flags & MODEL_CMP_IGNORE_PROT) || a->prot == b->prot) &&
	       ((flags & MODEL_CMP_IGNORE_DIRTY) || a->dirty == b->dirty);
}

bool model_equal(const struct model *a, const struct model *b,
		 unsigned int flags, struct model_diff *diff)
{
	size_t i, na = model_n(a), nb = model_n(b);
	const struct model_leaf *la, *lb;
	u64 iova;

	for (i = 0; i < na && i < nb; i++) {
		la = model_at(a, i);
		lb = model_at(b, i);
		if (!model_leaf_same(la, lb, flags))
			break;
	}
	if (i == na && i == nb)
		return true;
	if (!diff)
		return false;
	if (i == na)
		iova = model_at(b, i)->iova;
	else if (i == nb)
		iova = model_at(a, i)->iova;
	else if (model_at(a, i)->iova < model_at(b, i)->iova)
		iova = model_at(a, i)->iova;
	else
		iova = model_at(b, i)->iova;
	memset(diff, 0, sizeof(*diff));
	diff->iova = iova;
	diff->has_a = model_lookup(a, iova, &diff->a);
	diff->has_b = model_lookup(b, iova, &diff->b);
	return false;
}

bool model_same_translation(const struct model *a, const struct model *b,
			    u64 *iova)
{
	size_t i = 0, j = 0, na = model_n(a), nb = model_n(b);
	const struct model_leaf *la, *lb;
	u64 cur = 0, sa, sb, ea, eb, end;

	while (i < na || j < nb) {
		la = i < na ? model_at(a, i) : NULL;
		lb = j < nb ? model_at(b, j) : NULL;
		/* Where each one's next translated stretch starts. */
		sa = la ? (la->iova > cur ? la->iova : cur) : ~0ull;
		sb = lb ? (lb->iova > cur ? lb->iova : cur) : ~0ull;
		if (!la || !lb || sa != sb) {
			if (iova)
				*iova = sa < sb ? sa : sb;
			return false;
		}
		if (la->prot != lb->prot ||
		    la->oa + (sa - la->iova) != lb->oa + (sb - lb->iova)) {
			if (iova)
				*iova = sa;
			return false;
		}
		ea = leaf_last(la);
		eb = leaf_last(lb);
		end = ea < eb ? ea : eb;
		if (ea == end)
			i++;
		if (eb == end)
			j++;
		if (end == ~0ull)
			break;
		cur = end + 1;
	}
	return true;
}

void model_leaf_dump(const struct model_leaf *leaf, FILE *f)
{
	fprintf(f, "iova 0x%016llx size_lg2 %2u oa 0x%016llx prot 0x%02x%s\n",
		(unsigned long long)leaf->iova, leaf->size_lg2,
		(unsigned long long)leaf->oa, leaf->prot,
		leaf->dirty ? " dirty" : "");
}

void model_dump(const struct model *m, FILE *f)
{
	size_t i, n = model_n(m);

	fprintf(f, "model: %zu leaves, pgsize_bitmap 0x%llx ias %u oas %u\n",
		n, (unsigned long long)m->pgsize_bitmap, m->ias, m->oas);
	for (i = 0; i < n; i++)
		model_leaf_dump(model_at(m, i), f);
}
