// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Map, unmap, translate, errors, allocation failure: written once, run on
 * every format x config (tests/harness/configs.c).
 */
#include <stdlib.h>

#include "harness/fixture.h"
#include "cases.h"

static u64 sz(unsigned int lg2)
{
	return 1ull << lg2;
}

/* Smallest and, if any, second smallest page size of the config. */
static unsigned int min_lg2(const struct fx *fx)
{
	return __builtin_ctzll(fx->pt.pgsize_bitmap);
}

/* Largest page size below @below_lg2, or 0 if none. */
static unsigned int size_below(const struct fx *fx, unsigned int below_lg2)
{
	u64 s = fx->pt.pgsize_bitmap & (below_lg2 >= 64 ? ~0ull :
					 sz(below_lg2) - 1);

	return s ? 63 - __builtin_clzll(s) : 0;
}

/* A PA for a leaf of 2^lg2 that fits the oas: 2^lg2 * k for small k. */
static u64 pa_for(const struct fx *fx, unsigned int lg2, u64 k)
{
	unsigned int oas = fx->pt.cfg.oas;

	while (k && lg2 + 64 - __builtin_clzll(k) > oas)
		k >>= 1;
	return k << lg2;
}

static void map_each_page_size_translates(struct it *t)
{
	struct fx fx;
	unsigned int s;

	IT_CHECK(t, fx_setup(t, &fx, 0));
	for (s = 12; s < 64; s++) {
		u64 iova;

		if (!fx_size_ok(&fx, s) || s + 1 > fx.pt.cfg.oas)
			continue;
		iova = s + 1 < fx_ias(&fx) ? sz(s) : 0;
		IT_CHECK(t, fx_map(&fx, iova, pa_for(&fx, s, 1), sz(s),
				   IOPGT_READ | IOPGT_WRITE, 0, NULL));
		IT_CHECK(t, fx_check(&fx));
		IT_CHECK(t, fx_unmap(&fx, iova, sz(s), 0, NULL));
		IT_CHECK(t, fx_check(&fx));
	}
	IT_CHECK(t, fx_teardown(&fx));
}

/*
 * Ranges whose IOVA and PA are aligned differently must get, stretch by
 * stretch, the largest size both allow; the model predicts each leaf.
 */
static void map_picks_largest_size_each_stretch(struct it *t)
{
	struct fx fx;
	u64 rnd = t->seed, window, iova, pa, len, unit;
	unsigned int i, top;

	IT_CHECK(t, fx_setup(t, &fx, 0));
	unit = sz(min_lg2(&fx));
	top = size_below(&fx, 23);
	window = sz(top) * 8;
	if (fx_ias(&fx) < 64 && window > sz(fx_ias(&fx)))
		window = sz(fx_ias(&fx));
	for (i = 0; i < it_scaled(t, 40); i++) {
		unsigned int a = (unsigned int)it_rand_below(&rnd, top + 1 - 12) +
				 12;

		/* IOVA and PA share low bits up to a random alignment */
		iova = it_rand_below(&rnd, window / unit / 2) * unit;
		pa = (iova & (sz(a) - 1)) +
		     (it_rand_below(&rnd, 64) << a);
		pa = pa & ((fx.pt.cfg.oas >= 64 ? ~0ull : sz(fx.pt.cfg.oas)) -
			   1) & ~(unit - 1);
		len = (it_rand_below(&rnd, window / unit / 2) + 1) * unit;
		IT_CHECK(t, fx_map(&fx, iova, pa, len, IOPGT_READ, 0, NULL));
		IT_CHECK(t, fx_check(&fx));
		IT_CHECK(t, fx_unmap(&fx, iova, len, 0, NULL));
	}
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_teardown(&fx));
}

static void map_over_a_mapping_is_eexist_and_changes_nothing(struct it *t)
{
	struct fx fx;
	struct model *before;
	u64 unit, big, live;
	unsigned int big_lg2;
	bool same;

	IT_CHECK(t, fx_setup(t, &fx, 0));
	unit = sz(min_lg2(&fx));
	big_lg2 = size_below(&fx, 22);
	big = sz(big_lg2);
	IT_CHECK(t, fx_map(&fx, 4 * big, 4 * big, big, IOPGT_READ, 0, NULL));
	IT_CHECK(t, fx_map(&fx, 6 * big + unit, unit, unit, IOPGT_WRITE, 0,
			   NULL));
	IT_CHECK(t, fx_check(&fx));
	before = fx_snapshot(&fx);
	IT_ASSERT(t, before);
	live = talloc_live(fx.ta);

	/* the same range; one starting before; one ending inside */
	IT_CHECK(t, fx_map(&fx, 4 * big, 0, big, IOPGT_READ, -EEXIST, NULL));
	IT_CHECK(t, fx_map(&fx, 2 * big, 0, 2 * big + unit, IOPGT_READ,
			   -EEXIST, NULL));
	IT_CHECK(t, fx_map(&fx, 5 * big - unit, 0, 2 * unit, IOPGT_READ,
			   -EEXIST, NULL));
	if (big > unit) {
		/* a large leaf where a table holds a small one */
		IT_CHECK(t, fx_map(&fx, 6 * big, 0, big, IOPGT_READ, -EEXIST,
				   NULL));
		/* a small leaf inside a large one: a table where a leaf is */
		IT_CHECK(t, fx_map(&fx, 4 * big + unit, unit, unit,
				   IOPGT_READ, -EEXIST, NULL));
	}

	same = fx_unchanged(&fx, before, "after refused maps");
	model_destroy(before);
	IT_ASSERT(t, same);
	IT_ASSERT_EQ(t, talloc_live(fx.ta), live);
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_teardown(&fx));
}

static void unmap_partial_large_leaf_removes_it_whole(struct it *t)
{
	struct fx fx;
	unsigned int s, small;
	u64 unmapped_before;

	IT_CHECK(t, fx_setup(t, &fx, 0));
	small = min_lg2(&fx);
	for (s = small + 1; s < 40 && s + 2 < fx_ias(&fx); s++) {
		struct iopgt_gather g;
		u64 unmapped = 0;

		if (!fx_size_ok(&fx, s) || s + 2 > fx.pt.cfg.oas)
			continue;
		IT_CHECK(t, fx_map(&fx, 2 * sz(s), sz(s), sz(s),
				   IOPGT_READ | IOPGT_WRITE, 0, NULL));
		IT_CHECK(t, fx_check(&fx));
		/* one small page in the middle takes the whole leaf */
		iopgt_gather_init(&g);
		unmapped_before = model_mapped_bytes(fx.m);
		IT_CHECK(t, fx_unmap(&fx, 2 * sz(s) + sz(s) / 2, sz(small), 0,
				     NULL));
		IT_ASSERT_EQ(t, unmapped_before - model_mapped_bytes(fx.m),
			     sz(s));
		(void)unmapped;
		IT_CHECK(t, fx_check(&fx));
	}
	IT_CHECK(t, fx_teardown(&fx));
}

static void unmap_detaches_tables_inside_the_range(struct it *t)
{
	struct fx fx;
	struct iopgt_gather g;
	u64 unit, span, base, live_full, live_empty, unmapped;
	unsigned int lvl1;

	IT_CHECK(t, fx_setup(t, &fx, 0));
	unit = sz(min_lg2(&fx));
	if (fx.pt.levels < 2)
		goto out;
	lvl1 = fx_item_lg2(&fx, 1);
	span = sz(lvl1);
	base = 2 * span;
	/* smallest pages only (PA misaligned), over two level-0 tables */
	IT_CHECK(t, fx_map(&fx, base, unit, 2 * span, IOPGT_READ, 0, NULL));
	IT_CHECK(t, fx_check(&fx));
	live_full = talloc_live(fx.ta);

	iopgt_gather_init(&g);
	IT_ASSERT_RET(t, iopgt_unmap(&fx.pt, base, 2 * span, 0, &g, &unmapped), 0);
	IT_ASSERT_EQ(t, unmapped, 2 * span);
	IT_ASSERT(t, g.ndetached >= 1);
	IT_ASSERT(t, g.flags & IOPGT_GATHER_TABLES);
	IT_ASSERT(t, g.start <= base && g.last >= base + 2 * span - 1);
	/* nothing is freed before the caller's invalidation */
	IT_ASSERT_EQ(t, talloc_live(fx.ta), live_full);
	IT_ASSERT_RET(t, model_unmap(fx.m, base, 2 * span, NULL), 0);
	fx_flush(&fx, &g, NULL);
	live_empty = talloc_live(fx.ta);
	IT_ASSERT(t, live_empty + 2 <= live_full);
	IT_CHECK(t, fx_check(&fx));
out:
	IT_CHECK(t, fx_teardown(&fx));
}

static void unmap_of_nothing_is_enoent_and_changes_nothing(struct it *t)
{
	struct fx fx;
	u64 unit;

	IT_CHECK(t, fx_setup(t, &fx, 0));
	unit = sz(min_lg2(&fx));
	IT_CHECK(t, fx_unmap(&fx, 0, unit, -ENOENT, NULL));
	IT_CHECK(t, fx_map(&fx, 8 * unit, 8 * unit, 4 * unit, IOPGT_READ, 0,
			   NULL));
	IT_CHECK(t, fx_unmap(&fx, 12 * unit, 4 * unit, -ENOENT, NULL));
	IT_CHECK(t, fx_unmap(&fx, 0, 8 * unit, -ENOENT, NULL));
	IT_CHECK(t, fx_check(&fx));
	/* a range with holes unmaps what is there */
	IT_CHECK(t, fx_unmap(&fx, 0, 64 * unit, 0, NULL));
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_teardown(&fx));
}

static void bad_input_gets_a_clear_code_and_changes_nothing(struct it *t)
{
	struct fx fx;
	struct model *before;
	struct iopgt_gather g;
	u64 unit, top, live, pa, oas_end, u;
	unsigned int ias, oas;
	bool same;

	IT_CHECK(t, fx_setup(t, &fx, 0));
	unit = sz(min_lg2(&fx));
	ias = fx_ias(&fx);
	oas = fx.pt.cfg.oas;
	IT_CHECK(t, fx_map(&fx, 16 * unit, 0, 16 * unit, IOPGT_READ, 0, NULL));
	before = fx_snapshot(&fx);
	IT_ASSERT(t, before);
	live = talloc_live(fx.ta);

	/* -EINVAL: zero, misaligned, bad prot */
	IT_CHECK(t, fx_map(&fx, 0, 0, 0, IOPGT_READ, -EINVAL, NULL));
	IT_CHECK(t, fx_map(&fx, unit / 2, 0, unit, IOPGT_READ, -EINVAL, NULL));
	IT_CHECK(t, fx_map(&fx, 0, unit / 2, unit, IOPGT_READ, -EINVAL, NULL));
	IT_CHECK(t, fx_map(&fx, 0, 0, unit + 1, IOPGT_READ, -EINVAL, NULL));
	IT_CHECK(t, fx_map(&fx, 0, 0, unit, 0, -EINVAL, NULL));
	IT_CHECK(t, fx_map(&fx, 0, 0, unit, IOPGT_NOEXEC | IOPGT_CACHE,
			   -EINVAL, NULL));
	IT_CHECK(t, fx_map(&fx, 0, 0, unit, IOPGT_READ | 0x100, -EINVAL,
			   NULL));
	/* -EOVERFLOW: IOVA or PA wraps */
	top = ~0ull & ~(unit - 1);
	IT_CHECK(t, fx_map(&fx, top, 0, 2 * unit, IOPGT_READ, -EOVERFLOW,
			   NULL));
	IT_CHECK(t, fx_map(&fx, 0, top, 2 * unit, IOPGT_READ, -EOVERFLOW,
			   NULL));
	/* -ERANGE: beyond ias or oas */
	if (ias < 64) {
		IT_CHECK(t, fx_map(&fx, sz(ias), 0, unit, IOPGT_READ, -ERANGE,
				   NULL));
		IT_CHECK(t, fx_map(&fx, sz(ias) - unit, 0, 2 * unit,
				   IOPGT_READ, -ERANGE, NULL));
		IT_ASSERT_RET(t, iopgt_iova_to_phys(&fx.pt, sz(ias), &pa),
			      -ERANGE);
	}
	oas_end = oas < 64 ? sz(oas) : 0;
	if (oas < 64)
		IT_CHECK(t, fx_map(&fx, 0, oas_end - unit, 2 * unit,
				   IOPGT_READ, -ERANGE, NULL));
	/* unmap */
	IT_CHECK(t, fx_unmap(&fx, 0, 0, -EINVAL, NULL));
	IT_CHECK(t, fx_unmap(&fx, unit / 2, unit, -EINVAL, NULL));
	IT_CHECK(t, fx_unmap(&fx, 0, unit / 2, -EINVAL, NULL));
	IT_CHECK(t, fx_unmap(&fx, top, 2 * unit, -EOVERFLOW, NULL));
	if (ias < 64)
		IT_CHECK(t, fx_unmap(&fx, sz(ias) - unit, 2 * unit, -ERANGE,
				     NULL));
	iopgt_gather_init(&g);
	IT_ASSERT_RET(t, iopgt_unmap(&fx.pt, 0, unit, 0, NULL, &u), -EINVAL);
	IT_ASSERT_RET(t, iopgt_iova_to_phys(&fx.pt, 0, &pa), -ENOENT);

	same = fx_unchanged(&fx, before, "after bad input");
	model_destroy(before);
	IT_ASSERT(t, same);
	IT_ASSERT_EQ(t, talloc_live(fx.ta), live);
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_teardown(&fx));
}

/*
 * Fail the 1st, 2nd, ... table allocation of a map that needs several:
 * each failure is -ENOMEM with the table exactly as it was.
 */
static void alloc_failure_sweep_leaves_table_unchanged(struct it *t)
{
	struct fx fx;
	struct model *before;
	u64 unit, iova, len, live, mapped;
	unsigned int n, top_item, failures = 0;
	int ret;

	IT_CHECK(t, fx_setup(t, &fx, 0));
	unit = sz(min_lg2(&fx));
	top_item = fx_item_lg2(&fx, fx.pt.levels - 1);
	/* straddle the first boundary of the top table: a table chain on
	 * each side; the PA is misaligned so only small pages fit */
	iova = top_item < fx_ias(&fx) ? sz(top_item) - 4 * unit :
					sz(fx_ias(&fx) - 1);
	len = 8 * unit;
	IT_CHECK(t, fx_map(&fx, sz(top_item) * 0 + 64 * unit, unit, unit,
			   IOPGT_READ, 0, NULL));
	before = fx_snapshot(&fx);
	IT_ASSERT(t, before);
	live = talloc_live(fx.ta);
	for (n = 0;; n++) {
		talloc_fail_after(fx.ta, n);
		ret = iopgt_map(&fx.pt, iova, unit * 3, len, IOPGT_READ, 0,
				&mapped);
		talloc_fail_after(fx.ta, -1);
		if (ret != -ENOMEM)
			break;
		failures++;
		IT_ASSERT_EQ(t, mapped, 0);
		IT_ASSERT_EQ(t, talloc_live(fx.ta), live);
		if (!fx_unchanged(&fx, before, "after failed allocation"))
			break;
		IT_CHECK(t, fx_check(&fx));
	}
	model_destroy(before);
	IT_CHECK(t, !t->failed);
	IT_ASSERT_RET(t, ret, 0);
	IT_ASSERT(t, failures >= 1);
	IT_ASSERT_RET(t, model_map(fx.m, iova, unit * 3, len, IOPGT_READ), 0);
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_teardown(&fx));
}

static void hw_info_describes_the_table(struct it *t)
{
	struct fx fx;
	struct iopgt_hw_info info;

	IT_CHECK(t, fx_setup(t, &fx, 0));
	iopgt_hw_info(&fx.pt, &info);
	IT_ASSERT_EQ(t, info.root_pa, fx.pt.root_pa);
	IT_ASSERT_EQ(t, info.levels, fx.pt.levels);
	/* a top that may grow translates what its mode reaches, for now */
	if (fx.pt.cfg.quirks & IOPGT_QUIRK_AMD_GROW_TOP)
		IT_ASSERT_EQ(t, info.ias,
			     12 + 9 * info.levels < fx.pt.cfg.ias ?
				     12 + 9 * info.levels : fx.pt.cfg.ias);
	else
		IT_ASSERT_EQ(t, info.ias, fx.pt.cfg.ias);
	IT_ASSERT_EQ(t, info.oas, fx.pt.cfg.oas);
	IT_ASSERT_EQ(t, info.pgsize_bitmap, fx.pt.pgsize_bitmap);
	IT_ASSERT(t, info.pgsize_bitmap & sz(min_lg2(&fx)));
	if (t->config->cfg.pgsize_bitmap)
		IT_ASSERT_EQ(t, info.pgsize_bitmap &
				~t->config->cfg.pgsize_bitmap, 0);
	if (fx.pt.cfg.format == IOPGT_FMT_AMDV1)
		IT_ASSERT_EQ(t, info.amdv1.mode, fx.pt.levels);
	if (fx.pt.cfg.format == IOPGT_FMT_RISCV ||
	    fx.pt.cfg.format == IOPGT_FMT_RISCV_G) {
		/* iosatp/iohgatp MODE: Sv39(x4) 8, Sv48(x4) 9, Sv57(x4) 10 */
		IT_ASSERT_EQ(t, info.riscv.mode, fx.pt.levels + 5u);
		IT_ASSERT_EQ(t, info.riscv.ppn, fx.pt.root_pa >> 12);
		IT_ASSERT_EQ(t, info.riscv.gstage,
			     fx.pt.cfg.format == IOPGT_FMT_RISCV_G);
	}
	IT_CHECK(t, fx_teardown(&fx));
}

struct dump_count {
	unsigned int lines, leaves;
};

static void dump_count_line(void *ctx, const char *line)
{
	struct dump_count *c = ctx;

	c->lines++;
	if (strstr(line, " leaf "))
		c->leaves++;
}

static void dump_shows_every_leaf(struct it *t)
{
	struct fx fx;
	struct dump_count c = { 0 };
	u64 unit;

	IT_CHECK(t, fx_setup(t, &fx, 0));
	unit = sz(min_lg2(&fx));
	IT_CHECK(t, fx_map(&fx, 0, unit, 5 * unit, IOPGT_READ, 0, NULL));
	IT_CHECK(t, fx_map(&fx, 64 * unit, 64 * unit, 64 * unit,
			   IOPGT_READ | IOPGT_WRITE, 0, NULL));
	iopgt_dump(&fx.pt, dump_count_line, &c);
	IT_ASSERT_EQ(t, c.leaves, model_count(fx.m));
	IT_ASSERT(t, c.lines > c.leaves);
	IT_CHECK(t, fx_teardown(&fx));
}

static void destroy_frees_every_table(struct it *t)
{
	struct fx fx;
	u64 unit, rnd = t->seed;
	unsigned int i;

	IT_CHECK(t, fx_setup(t, &fx, 0));
	unit = sz(min_lg2(&fx));
	for (i = 0; i < 32; i++) {
		u64 iova = (it_rand_below(&rnd, 1u << 20) * unit) &
			   ((fx_ias(&fx) < 64 ? sz(fx_ias(&fx)) : 0) - 1);

		fx_map(&fx, iova, iova, unit, IOPGT_READ, FX_ANY, NULL);
		IT_CHECK(t, !t->failed);
	}
	IT_ASSERT(t, talloc_live(fx.ta) > 1);
	IT_CHECK(t, fx_teardown(&fx));
}

/* A config the format does not have is refused with -EINVAL, cleanly. */
static void init_refuses_bad_configs(struct it *t)
{
	struct talloc *ta = talloc_create(1ull << 24, 0);
	struct iopgt_ops no_clean;
	struct iopgt_cfg good, c;
	struct iopgt pt;
	unsigned int i;
	static const struct {
		const char *what;
		int field;
		u64 value;
	} bad[] = {
		{ "levels 7", 0, 7 },
		{ "ias 65", 1, 65 },
		{ "oas 65", 2, 65 },
		{ "granule 13", 3, 13 },
		{ "no page size the format has", 4, 1ull << 5 },
		{ "unknown quirk", 5, 1u << 30 },
		{ "format 0", 6, 0 },
		{ "format out of range", 6, IOPGT_FMT_COUNT },
	};

	IT_ASSERT(t, ta);
	good = t->config->cfg;
	good.ops = talloc_ops();
	good.ctx = ta;
	IT_ASSERT_RET(t, iopgt_init(&pt, &good), 0);
	iopgt_destroy(&pt);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = good;
		switch (bad[i].field) {
		case 0: c.levels = (u8)bad[i].value; break;
		case 1: c.ias = (u8)bad[i].value; break;
		case 2: c.oas = (u8)bad[i].value; break;
		case 3: c.granule_lg2 = (u8)bad[i].value; break;
		case 4: c.pgsize_bitmap = bad[i].value; break;
		case 5: c.quirks |= (u32)bad[i].value; break;
		case 6: c.format = (enum iopgt_format)bad[i].value; break;
		}
		if (iopgt_init(&pt, &c) != -EINVAL) {
			IT_FAIL(t, "init with %s was not refused with -EINVAL",
				bad[i].what);
			break;
		}
		IT_ASSERT(t, !pt.root);
	}
	/*
	 * RISC-V: an ias past what the mode translates (the first stage's
	 * upper half included), a PA wider than the 44-bit PPN, ARM quirks.
	 */
	if (!t->failed && (good.format == IOPGT_FMT_RISCV ||
			   good.format == IOPGT_FMT_RISCV_G)) {
		bool g = good.format == IOPGT_FMT_RISCV_G;

		c = good;
		c.levels = 3;
		c.ias = g ? 42 : 39;
		IT_ASSERT_RET(t, iopgt_init(&pt, &c), -EINVAL);
		c.ias = g ? 41 : 38;
		IT_ASSERT_RET(t, iopgt_init(&pt, &c), 0);
		iopgt_destroy(&pt);
		c = good;
		c.oas = 57;
		IT_ASSERT_RET(t, iopgt_init(&pt, &c), -EINVAL);
		c = good;
		c.quirks |= IOPGT_QUIRK_ARM_BBML2;
		IT_ASSERT_RET(t, iopgt_init(&pt, &c), -EINVAL);
	} else if (!t->failed) {
		/* and the RISC-V extensions on any other format */
		c = good;
		c.quirks |= IOPGT_QUIRK_RISCV_SVNAPOT;
		IT_ASSERT_RET(t, iopgt_init(&pt, &c), -EINVAL);
		c = good;
		c.quirks |= IOPGT_QUIRK_RISCV_SVPBMT;
		IT_ASSERT_RET(t, iopgt_init(&pt, &c), -EINVAL);
	}
	/* no ops, or a non-coherent walker without a cache_clean hook */
	c = good;
	c.ops = NULL;
	if (!t->failed)
		IT_ASSERT_RET(t, iopgt_init(&pt, &c), -EINVAL);
	no_clean = *talloc_ops();
	no_clean.cache_clean = NULL;
	c = good;
	c.ops = &no_clean;
	c.quirks |= IOPGT_QUIRK_NON_COHERENT;
	if (!t->failed)
		IT_ASSERT_RET(t, iopgt_init(&pt, &c), -EINVAL);
	/* nothing allocated by any refused init */
	IT_ASSERT_EQ(t, talloc_live(ta), 0);
	talloc_destroy(ta);
}

/*
 * One map into an empty region takes the tables it needs from its pool in
 * the order they were allocated, as it walks: with an allocator that hands
 * out ascending addresses (talloc, from a fresh arena), the leaf tables of
 * consecutive IOVA lie at ascending addresses, so a cold walk streams.
 */
static void map_lays_out_new_tables_in_address_order(struct it *t)
{
	struct fx fx;
	struct hwm_walk w;
	unsigned int unit_lg2, span_lg2, i;
	u64 unit, span, prev = 0, table_pa;

	IT_CHECK(t, fx_setup(t, &fx, 0));
	unit_lg2 = __builtin_ctzll(fx.pt.pgsize_bitmap);
	unit = 1ull << unit_lg2;
	span_lg2 = fx_item_lg2(&fx, 1);
	span = 1ull << span_lg2;
	if (fx.pt.levels < 3 || span_lg2 + 5 >= fx_ias(&fx) ||
	    16 * span > (1ull << 31)) {
		IT_CHECK(t, fx_teardown(&fx));
		return;
	}
	/* the PA a page off, so only the smallest pages fit */
	IT_CHECK(t, fx_map(&fx, 16 * span, 16 * span + unit, 16 * span,
			   IOPGT_READ, 0, NULL));
	for (i = 0; i < 16; i++) {
		IT_ASSERT_RET(t, hwm_walk(fx.hw, (16 + i) * span, &w), 0);
		IT_ASSERT_EQ(t, w.level, 0);
		table_pa = w.pte_pa & ~((1ull << fx.pt.granule_lg2) - 1);
		if (i && table_pa <= prev)
			IT_FAIL(t, "leaf table of 0x%llx at 0x%llx, not above the one before it at 0x%llx",
				(unsigned long long)((16 + i) * span),
				(unsigned long long)table_pa,
				(unsigned long long)prev);
		IT_CHECK(t, !t->failed);
		prev = table_pa;
	}
	IT_CHECK(t, fx_teardown(&fx));
}

const struct it_case it_cases_map[] = {
	{ "map_lays_out_new_tables_in_address_order",
	  map_lays_out_new_tables_in_address_order },
	{ "init_refuses_bad_configs", init_refuses_bad_configs },
	{ "map_each_page_size_translates", map_each_page_size_translates },
	{ "map_picks_largest_size_each_stretch",
	  map_picks_largest_size_each_stretch },
	{ "map_over_a_mapping_is_eexist_and_changes_nothing",
	  map_over_a_mapping_is_eexist_and_changes_nothing },
	{ "unmap_partial_large_leaf_removes_it_whole",
	  unmap_partial_large_leaf_removes_it_whole },
	{ "unmap_detaches_tables_inside_the_range",
	  unmap_detaches_tables_inside_the_range },
	{ "unmap_of_nothing_is_enoent_and_changes_nothing",
	  unmap_of_nothing_is_enoent_and_changes_nothing },
	{ "bad_input_gets_a_clear_code_and_changes_nothing",
	  bad_input_gets_a_clear_code_and_changes_nothing },
	{ "alloc_failure_sweep_leaves_table_unchanged",
	  alloc_failure_sweep_leaves_table_unchanged },
	{ "hw_info_describes_the_table", hw_info_describes_the_table },
	{ "dump_shows_every_leaf", dump_shows_every_leaf },
	{ "destroy_frees_every_table", destroy_frees_every_table },
};

const unsigned int it_ncases_map = sizeof(it_cases_map) /
				   sizeof(it_cases_map[0]);
