// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Random operation sequences with fixed seeds, checked after every step
 * against the model, the hwmodel's walk and iopgt_validate().
 */
#include "harness/fixture.h"
#include "cases.h"

static u64 sz(unsigned int lg2)
{
	return 1ull << lg2;
}

/* A random page size of the config no larger than 2^max_lg2. */
static unsigned int rand_size(const struct fx *fx, u64 *rnd,
			      unsigned int max_lg2)
{
	u64 sizes = fx->pt.pgsize_bitmap & (sz(max_lg2 + 1) - 1);
	unsigned int n = __builtin_popcountll(sizes), k;

	k = (unsigned int)it_rand_below(rnd, n);
	while (k--)
		sizes &= sizes - 1;
	return __builtin_ctzll(sizes);
}

static void random_map_unmap_split_merge_match_model(struct it *t)
{
	struct fx fx;
	u64 rnd = t->seed, unit, window, base, iova, pa, len;
	unsigned int i, steps, s, max_lg2, leaf_lg2;
	u32 prot;

	IT_CHECK(t, fx_setup(t, &fx, 0));
	unit = 1ull << __builtin_ctzll(fx.pt.pgsize_bitmap);
	/*
	 * A window over a few level-1 entries (a few tables of each lower
	 * level and a boundary above), placed at a random aligned spot of
	 * the IOVA space so high indices of the top table get their turn.
	 */
	max_lg2 = fx.pt.levels > 1 ? fx_item_lg2(&fx, 1) + 3 :
				     fx_ias(&fx) - 1;
	if (max_lg2 >= fx_ias(&fx))
		max_lg2 = fx_ias(&fx) - 1;
	window = sz(max_lg2);
	/* leaves and split targets up to a quarter of the window */
	leaf_lg2 = max_lg2 - 2;
	if (t->span_lg2 &&
	    leaf_lg2 > it_max_leaf_lg2(t, __builtin_ctzll(unit)))
		leaf_lg2 = it_max_leaf_lg2(t, __builtin_ctzll(unit));
	base = it_rand_below(&rnd, sz(fx_ias(&fx) - max_lg2)) << max_lg2;
	steps = it_scaled(t, 500);
	for (i = 0; i < steps; i++) {
		unsigned int op = (unsigned int)it_rand_below(&rnd, 10);

		s = rand_size(&fx, &rnd, leaf_lg2);
		iova = it_rand_below(&rnd, window >> s) << s;
		if (it_rand_below(&rnd, 4) == 0)
			iova += it_rand_below(&rnd, 16) * unit;
		len = (it_rand_below(&rnd, 4) + 1) << s;
		if (it_rand_below(&rnd, 3) == 0)
			len += it_rand_below(&rnd, 8) * unit;
		if (iova >= window)
			iova = window - unit;
		if (len > window - iova)
			len = window - iova;
		if (op < 5) {
			pa = (iova & (sz(s) - 1)) |
			     (it_rand_below(&rnd, 1u << 12) << s);
			if (it_rand_below(&rnd, 4) == 0)
				pa ^= it_rand_below(&rnd, 8) * unit;
			pa &= (sz(fx.pt.cfg.oas > 40 ? 40 : fx.pt.cfg.oas) - 1) &
			      ~(unit - 1);
			prot = (u32)it_rand_below(&rnd, 3) + 1;
			if (it_rand_below(&rnd, 2))
				prot |= IOPGT_CACHE;
			IT_CHECK(t, fx_map(&fx, base + iova, pa, len, prot,
					   FX_ANY, NULL));
		} else if (op < 8) {
			IT_CHECK(t, fx_unmap(&fx, base + iova, len, FX_ANY,
					     NULL));
		} else if (op == 8) {
			IT_CHECK(t, fx_split(&fx, base + iova, len,
					     rand_size(&fx, &rnd, leaf_lg2),
					     FX_ANY));
		} else {
			IT_CHECK(t, fx_merge(&fx, base + iova, len, FX_ANY));
		}
		IT_CHECK(t, fx_check(&fx));
	}
	IT_CHECK(t, fx_unmap(&fx, base, window, FX_ANY, NULL));
	IT_CHECK(t, fx_check(&fx));
	IT_ASSERT_EQ(t, model_count(fx.m), 0);
	IT_CHECK(t, fx_teardown(&fx));
}

const struct it_case it_cases_random[] = {
	{ "random_map_unmap_split_merge_match_model",
	  random_map_unmap_split_merge_match_model },
};

const unsigned int it_ncases_random = sizeof(it_cases_random) /
				      sizeof(it_cases_random[0]);
