// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Cut (IOPGT_UNMAP_CUT): exactly the range goes, whatever leaves it starts
 * or ends in; what lies outside keeps translating as before, with its
 * dirty state; a failed allocation changes nothing. ARM without BBML2
 * refuses with -EBUSY when a leaf must be split (fx_cut checks that
 * against the model).
 */
#include <stdlib.h>

#include "harness/fixture.h"
#include "cases.h"

static u64 sz(unsigned int lg2)
{
	return 1ull << lg2;
}

static unsigned int min_lg2(const struct fx *fx)
{
	return __builtin_ctzll(fx->pt.pgsize_bitmap);
}

/* The largest page size up to 2^30 that leaves room in the IOVA space. */
static unsigned int big_lg2(const struct fx *fx)
{
	unsigned int s, best = min_lg2(fx);

	for (s = best; s <= 30 && s + 2 < fx_ias(fx); s++)
		if (fx_size_ok(fx, s))
			best = s;
	return best;
}

/*
 * Map a run of the smallest pages, then one leaf of every larger size up
 * to 2^30, each at an IOVA aligned to it; returns the end.
 */
static u64 map_ladder(struct fx *fx, u64 base, u32 prot)
{
	u64 iova = base, unit = sz(min_lg2(fx));
	unsigned int s;

	if (!fx_map(fx, iova, iova + 3 * unit, 16 * unit, prot, 0, NULL))
		return 0;
	iova += 16 * unit;
	for (s = min_lg2(fx) + 1; s <= 30 && s + 2 < fx_ias(fx); s++) {
		if (!fx_size_ok(fx, s))
			continue;
		iova = (iova + sz(s) - 1) & ~(sz(s) - 1);
		if (!fx_map(fx, iova, iova + sz(s), sz(s), prot, 0, NULL))
			return 0;
		iova += sz(s);
	}
	return iova;
}

/*
 * Everything @before translated outside [@iova, @iova + @len) still
 * translates the same, and nothing inside does: looked up through iopgt
 * and through the software IOMMU's walk (fx_check compares the rest).
 */
struct kept_ctx {
	struct fx *fx;
	u64 first, last;
	bool ok;
};

static bool kept_probe(struct kept_ctx *c, const struct model_leaf *leaf,
		       u64 iova)
{
	bool inside = iova >= c->first && iova <= c->last;
	u64 pa = 0;
	int ret = iopgt_iova_to_phys(&c->fx->pt, iova, &pa);

	if (inside ? ret != -ENOENT :
		     ret || pa != leaf->oa + (iova - leaf->iova)) {
		IT_FAIL(c->fx->t, "after cut 0x%llx-0x%llx: 0x%llx gives %d 0x%llx",
			(unsigned long long)c->first,
			(unsigned long long)c->last,
			(unsigned long long)iova, ret, (unsigned long long)pa);
		c->ok = false;
	}
	return c->ok;
}

static int kept_leaf(void *ctx, const struct model_leaf *leaf)
{
	struct kept_ctx *c = ctx;
	u64 last = leaf->iova + (sz(leaf->size_lg2) - 1), unit = sz(12);

	/* both edges of the leaf, and both sides of each end of the cut */
	if (!kept_probe(c, leaf, leaf->iova) ||
	    !kept_probe(c, leaf, last & ~(unit - 1)))
		return 1;
	if (c->first > leaf->iova && c->first <= last &&
	    (!kept_probe(c, leaf, c->first - unit) ||
	     !kept_probe(c, leaf, c->first)))
		return 1;
	if (c->last >= leaf->iova && c->last < last &&
	    (!kept_probe(c, leaf, c->last + 1) ||
	     !kept_probe(c, leaf, (c->last + 1) - unit)))
		return 1;
	return 0;
}

static bool cut_checked(struct fx *fx, u64 iova, u64 len, bool read_dirty)
{
	struct model *before = fx_snapshot(fx);
	struct kept_ctx c = { .fx = fx, .first = iova,
			      .last = iova + (len - 1), .ok = true };
	bool ok;
	int ret = 0;

	if (!before)
		return false;
	ok = fx_cut(fx, iova, len, read_dirty, iova & ~(sz(30) - 1), 12,
		    FX_ANY, &ret) && fx_check(fx);
	if (ok && !ret) {
		model_foreach(before, kept_leaf, &c);
		ok = c.ok;
	}
	model_destroy(before);
	return ok;
}

struct ladder {
	u64 iova[64];
	unsigned int lg2[64];
	unsigned int n;
	unsigned int min_lg2;
};

static int ladder_leaf(void *ctx, const struct model_leaf *leaf)
{
	struct ladder *l = ctx;

	if (leaf->size_lg2 > l->min_lg2 && l->n < 64) {
		l->iova[l->n] = leaf->iova;
		l->lg2[l->n++] = leaf->size_lg2;
	}
	return 0;
}

static void cut_ragged_both_ends(struct it *t)
{
	struct ladder l = { .n = 0 };
	struct fx fx;
	u64 end, unit;
	unsigned int i;

	IT_CHECK(t, fx_setup(t, &fx, 0));
	unit = sz(min_lg2(&fx));
	end = map_ladder(&fx, 0, IOPGT_READ | IOPGT_WRITE);
	IT_ASSERT(t, end);
	l.min_lg2 = min_lg2(&fx);
	model_foreach(fx.m, ladder_leaf, &l);
	/* in every large leaf: a ragged piece from just below its middle */
	for (i = 0; i < l.n && !t->failed; i++)
		IT_CHECK(t, cut_checked(&fx, l.iova[i] + sz(l.lg2[i]) / 2 -
						     unit,
					(sz(l.lg2[i]) / 4 & ~(unit - 1)) +
						unit,
					false));
	/* across the whole ladder, both ends ragged */
	IT_CHECK(t, cut_checked(&fx, unit, end - 2 * unit, false));
	IT_CHECK(t, fx_unmap(&fx, 0, end, FX_ANY, NULL));
	IT_ASSERT_EQ(t, model_count(fx.m), 0);
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_teardown(&fx));
}

static void cut_inside_one_large_leaf(struct it *t)
{
	struct fx fx;
	unsigned int s;
	u64 unit, base, ret_len = 0;
	int ret;

	IT_CHECK(t, fx_setup(t, &fx, 0));
	unit = sz(min_lg2(&fx));
	s = big_lg2(&fx);
	/* with only one page size, a run of pages stands in */
	if (s < min_lg2(&fx) + 6)
		s = min_lg2(&fx) + 6;
	base = sz(s);
	IT_CHECK(t, fx_map(&fx, base, 2 * base, sz(s),
			   IOPGT_READ | IOPGT_WRITE, 0, NULL));
	/* one page in the middle, then a ragged stretch further on */
	IT_CHECK(t, cut_checked(&fx, base + sz(s) / 2 + unit, unit, false));
	IT_CHECK(t, cut_checked(&fx, base + sz(s) / 4 - 3 * unit,
				sz(s) / 8 + 5 * unit, false));
	/* unmapped is exactly the length */
	IT_CHECK(t, fx_cut(&fx, base + 5 * unit, 2 * unit, false, base, 12,
			   FX_ANY, &ret));
	if (!ret) {
		IT_ASSERT(t, !iopgt_iova_to_phys(&fx.pt, base + 4 * unit,
						 &ret_len));
		IT_ASSERT_EQ(t, ret_len, 2 * base + 4 * unit);
	}
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_unmap(&fx, base, sz(s), FX_ANY, NULL));
	IT_CHECK(t, fx_teardown(&fx));
}

static void cut_across_many_leaves_and_holes(struct it *t)
{
	struct fx fx;
	u64 end, unit, mid;
	int ret;

	IT_CHECK(t, fx_setup(t, &fx, 0));
	unit = sz(min_lg2(&fx));
	end = map_ladder(&fx, 0, IOPGT_READ | IOPGT_WRITE);
	IT_ASSERT(t, end);
	/* holes: a page off the small run, a quarter of the ladder */
	IT_CHECK(t, fx_cut(&fx, 5 * unit, unit, false, 0, 12, 0, NULL));
	mid = (end / 2) & ~(unit - 1);
	IT_CHECK(t, cut_checked(&fx, mid, end / 4 & ~(unit - 1), false));
	/* a cut over holes reports only what was mapped inside */
	IT_CHECK(t, cut_checked(&fx, 3 * unit, mid + end / 8, false));
	/* a cut of nothing is -ENOENT and changes nothing */
	IT_CHECK(t, fx_cut(&fx, 5 * unit, unit, false, 0, 12, -ENOENT,
			   &ret));
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_unmap(&fx, 0, end, FX_ANY, NULL));
	IT_CHECK(t, fx_teardown(&fx));
}

static void cut_keeps_dirty_state_on_both_sides(struct it *t)
{
	struct fx fx;
	u64 end, unit, i;
	unsigned int s;

	IT_CHECK(t, fx_setup_dirty(t, &fx));
	fx.check_dirty = true;
	unit = sz(min_lg2(&fx));
	end = map_ladder(&fx, 0, IOPGT_READ | IOPGT_WRITE);
	IT_ASSERT(t, end);
	/* one write in every other leaf-sized stretch */
	for (i = 0, s = 0; i < end; i += end / 16, s++)
		if (s & 1)
			IT_CHECK(t, fx_dma_write(&fx, i & ~(unit - 1)));
	IT_CHECK(t, fx_check(&fx));
	/* the removed part reports its dirty state, the rest keeps it */
	IT_CHECK(t, cut_checked(&fx, unit, end / 3 & ~(unit - 1), true));
	IT_CHECK(t, cut_checked(&fx, (end / 2 + 3 * unit) & ~(unit - 1),
				end / 5 & ~(unit - 1), true));
	IT_CHECK(t, fx_read_dirty(&fx, 0, end, IOPGT_DIRTY_NO_CLEAR, 0, 12));
	IT_CHECK(t, fx_read_dirty(&fx, 0, end, 0, 0, 12));
	IT_CHECK(t, fx_unmap(&fx, 0, end, FX_ANY, NULL));
	IT_CHECK(t, fx_teardown(&fx));
}

static void cut_alloc_failure_leaves_table_unchanged(struct it *t)
{
	struct fx fx;
	struct model *before;
	struct iopgt_gather g;
	u64 end, live, unit, iova, len, got = 0;
	unsigned int n, failures = 0;
	int ret;

	IT_CHECK(t, fx_setup(t, &fx, 0));
	unit = sz(min_lg2(&fx));
	end = map_ladder(&fx, 0, IOPGT_READ | IOPGT_WRITE);
	IT_ASSERT(t, end);
	iova = (end / 3) & ~(unit - 1);
	len = (end / 3 + unit) & ~(unit - 1);
	before = fx_snapshot(&fx);
	IT_ASSERT(t, before);
	live = talloc_live(fx.ta);
	for (n = 0;; n++) {
		iopgt_gather_init(&g);
		talloc_fail_after(fx.ta, n);
		ret = iopgt_unmap(&fx.pt, iova, len, IOPGT_UNMAP_CUT, &g,
				  &got);
		talloc_fail_after(fx.ta, -1);
		if (ret != -ENOMEM)
			break;
		failures++;
		IT_ASSERT(t, g.start > g.last && !g.detached);
		IT_ASSERT_EQ(t, got, 0);
		IT_ASSERT_EQ(t, talloc_live(fx.ta), live);
		if (!fx_unchanged(&fx, before, "after failed cut"))
			break;
	}
	model_destroy(before);
	IT_CHECK(t, !t->failed);
	if (fx_cut_blocked(&fx)) {
		IT_ASSERT_RET(t, ret, -EBUSY);
	} else {
		u64 um;

		IT_ASSERT_RET(t, ret, 0);
		/* one page size: nothing to split, nothing to allocate */
		IT_ASSERT(t, failures >= 1 || big_lg2(&fx) == min_lg2(&fx));
		IT_ASSERT_RET(t, model_cut(fx.m, iova, len, true, &um), 0);
		IT_ASSERT_EQ(t, got, um);
		fx_flush(&fx, &g, NULL);
	}
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_unmap(&fx, 0, end, FX_ANY, NULL));
	IT_CHECK(t, fx_teardown(&fx));
}

/* Random maps and cuts over a small window, the model checking each. */
static void cut_random_matches_model(struct it *t)
{
	struct fx fx;
	u64 rnd = t->seed, unit, window, iova, len;
	unsigned int i, s, top;

	IT_CHECK(t, fx_setup(t, &fx, 0));
	unit = sz(min_lg2(&fx));
	top = big_lg2(&fx) < 22 ? big_lg2(&fx) : 22;
	window = 4 * sz(top);
	for (i = 0; i < it_scaled(t, 200) && !t->failed; i++) {
		s = min_lg2(&fx) + (unsigned int)it_rand_below(
			&rnd, top - min_lg2(&fx) + 1);
		while (!fx_size_ok(&fx, s))
			s--;
		iova = it_rand_below(&rnd, window >> s) << s;
		len = (it_rand_below(&rnd, 2) + 1) << s;
		if (len > window - iova)
			len = window - iova;
		if (it_rand_below(&rnd, 2)) {
			IT_CHECK(t, fx_map(&fx, iova, iova + window, len,
					   IOPGT_READ | IOPGT_WRITE, FX_ANY,
					   NULL));
		} else {
			iova = it_rand_below(&rnd, window / unit) * unit;
			len = (it_rand_below(&rnd, (window - iova) / unit) + 1) *
			      unit;
			if (len > sz(top))
				len = (len & (sz(top) - 1)) + unit;
			IT_CHECK(t, fx_cut(&fx, iova, len, false, 0, 12,
					   FX_ANY, NULL));
		}
		IT_CHECK(t, fx_check(&fx));
	}
	IT_CHECK(t, fx_unmap(&fx, 0, window, FX_ANY, NULL));
	IT_ASSERT_EQ(t, model_count(fx.m), 0);
	IT_CHECK(t, fx_teardown(&fx));
}

static void cut_bad_flags_are_refused(struct it *t)
{
	struct fx fx;
	struct iopgt_gather g;
	u64 unit, got = 1;

	IT_CHECK(t, fx_setup(t, &fx, 0));
	unit = sz(min_lg2(&fx));
	IT_CHECK(t, fx_map(&fx, 0, 0, 4 * unit, IOPGT_READ, 0, NULL));
	iopgt_gather_init(&g);
	IT_ASSERT_RET(t, iopgt_unmap(&fx.pt, 0, unit, IOPGT_UNMAP_CUT << 1,
				     &g, &got), -EINVAL);
	IT_ASSERT_EQ(t, got, 0);
	IT_ASSERT_RET(t, iopgt_unmap_read_dirty(&fx.pt, 0, unit, ~0u, NULL,
						&g, &got), -EINVAL);
	IT_ASSERT(t, g.start > g.last);
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_unmap(&fx, 0, 4 * unit, 0, NULL));
	IT_CHECK(t, fx_teardown(&fx));
}

const struct it_case it_cases_cut[] = {
	{ "cut_ragged_both_ends", cut_ragged_both_ends },
	{ "cut_inside_one_large_leaf", cut_inside_one_large_leaf },
	{ "cut_across_many_leaves_and_holes",
	  cut_across_many_leaves_and_holes },
	{ "cut_keeps_dirty_state_on_both_sides",
	  cut_keeps_dirty_state_on_both_sides },
	{ "cut_alloc_failure_leaves_table_unchanged",
	  cut_alloc_failure_leaves_table_unchanged },
	{ "cut_random_matches_model", cut_random_matches_model },
	{ "cut_bad_flags_are_refused", cut_bad_flags_are_refused },
};

const unsigned int it_ncases_cut = sizeof(it_cases_cut) /
				   sizeof(it_cases_cut[0]);
