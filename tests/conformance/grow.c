// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * A top that grows (IOPGT_QUIRK_AMD_GROW_TOP): a map beyond the mode the
 * table has grows it level by level up to its ias; translations are the
 * same before and after, the old root keeps translating what it reached
 * (fx_map checks that through the software IOMMU still programmed with
 * it), hw_info gives the new root and mode, the old tops are never freed,
 * and a failed allocation changes nothing. Other formats refuse the quirk;
 * AMD v1 without it refuses a map beyond the mode with -ERANGE.
 */
#include "harness/fixture.h"
#include "cases.h"

static bool grows(const struct it *t)
{
	return t->config->cfg.quirks & IOPGT_QUIRK_AMD_GROW_TOP;
}

/* What the current mode reaches, log2. */
static unsigned int reach_lg2(const struct fx *fx)
{
	unsigned int lg2 = 12 + 9 * fx->pt.levels;

	return lg2 > 64 ? 64 : lg2;
}

/* Without the quirk: refused by other formats, -ERANGE beyond the mode. */
static void grow_refused_without_the_quirk(struct it *t)
{
	struct iopgt_cfg cfg = t->config->cfg;
	struct talloc *ta = talloc_create(1ull << 20, 0);
	struct iopgt pt;
	struct fx fx;
	int ret;

	IT_ASSERT(t, ta);
	cfg.ops = talloc_ops();
	cfg.ctx = ta;
	cfg.quirks |= IOPGT_QUIRK_AMD_GROW_TOP;
	ret = iopgt_init(&pt, &cfg);
	if (!ret)
		iopgt_destroy(&pt);
	talloc_destroy(ta);
	if (cfg.format != IOPGT_FMT_AMDV1 ||
	    (cfg.quirks & IOPGT_QUIRK_KEEP_TABLES)) {
		IT_ASSERT_RET(t, ret, -EINVAL);
		return;
	}
	IT_ASSERT_RET(t, ret, 0);
	IT_CHECK(t, fx_setup(t, &fx, 0));
	if (reach_lg2(&fx) < 64)
		IT_CHECK(t, fx_map(&fx, 1ull << reach_lg2(&fx), 0, 1ull << 12,
				   IOPGT_READ, -ERANGE, NULL));
	IT_ASSERT_EQ(t, fx.pt.top_gen, 0);
	IT_CHECK(t, fx_teardown(&fx));
}

static void grow_levels(struct it *t)
{
	struct iopgt_hw_info info, before;
	struct fx fx;
	u64 *old_roots[8], iova, unit = 1ull << 12;
	unsigned int nold = 0, i, gen;

	IT_CHECK(t, fx_setup_dirty(t, &fx));
	fx.check_dirty = true;
	/* something at both ends of what the starting mode reaches */
	IT_CHECK(t, fx_map(&fx, 0, 0, 4 * unit, IOPGT_READ | IOPGT_WRITE, 0,
			   NULL));
	IT_CHECK(t, fx_map(&fx, (1ull << reach_lg2(&fx)) - unit, unit, unit,
			   IOPGT_READ | IOPGT_WRITE, 0, NULL));
	IT_CHECK(t, fx_dma_write(&fx, unit));
	while (reach_lg2(&fx) < fx.pt.cfg.ias && !t->failed) {
		iopgt_hw_info(&fx.pt, &before);
		gen = fx.pt.top_gen;
		old_roots[nold++] = fx.pt.root;
		iova = 1ull << reach_lg2(&fx);
		/* just beyond the reach: one more level */
		IT_CHECK(t, fx_map(&fx, iova, 2 * unit, unit,
				   IOPGT_READ | IOPGT_WRITE, 0, NULL));
		iopgt_hw_info(&fx.pt, &info);
		IT_ASSERT_EQ(t, fx.pt.top_gen, gen + 1);
		IT_ASSERT_EQ(t, info.amdv1.mode, before.amdv1.mode + 1);
		IT_ASSERT_EQ(t, info.levels, before.levels + 1);
		IT_ASSERT(t, info.root_pa != before.root_pa);
		IT_ASSERT(t, info.ias > before.ias);
		/* the new top's entry 0 is the old top */
		IT_ASSERT_EQ(t, fx.pt.root[0] & 0x000ffffffffff000ull,
			     before.root_pa);
		IT_CHECK(t, fx_check(&fx));
		IT_CHECK(t, fx_dma_write(&fx, iova));
	}
	IT_ASSERT_EQ(t, reach_lg2(&fx) >= fx.pt.cfg.ias, 1);
	/* beyond ias: -ERANGE, no growth */
	if (fx.pt.cfg.ias < 64)
		IT_CHECK(t, fx_map(&fx, 1ull << fx.pt.cfg.ias, 0, unit,
				   IOPGT_READ, -ERANGE, NULL));
	IT_CHECK(t, fx_read_dirty(&fx, 0, 8 * unit, 0, 0, 12));
	/* an unmap of everything keeps the old tops: a DTE may hold one */
	IT_CHECK(t, fx_unmap(&fx, 0, fx.pt.cfg.ias >= 64 ? ~0ull - 0xfff :
			      1ull << fx.pt.cfg.ias, 0, NULL));
	for (i = 0; i < nold; i++)
		IT_ASSERT(t, talloc_is_live(fx.ta, old_roots[i], NULL));
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_teardown(&fx));
}

/* From the config's mode, then from mode 1, up to the config's ias. */
static void grow_through_each_level_keeps_translations(struct it *t)
{
	const struct it_config *config = t->config;
	struct it_config from1 = *config;

	if (!grows(t)) {
		grow_refused_without_the_quirk(t);
		return;
	}
	grow_levels(t);
	from1.cfg.levels = 1;
	t->config = &from1;
	if (!t->failed)
		grow_levels(t);
	t->config = config;
}

static void grow_alloc_failure_leaves_table_unchanged(struct it *t)
{
	struct fx fx;
	struct model *before;
	u64 live, iova, root_pa, unit = 1ull << 12;
	unsigned int n, levels, failures = 0, grow_tables, old_ias;
	struct iopgt_hw_info info;
	int ret;

	if (!grows(t)) {
		grow_refused_without_the_quirk(t);
		return;
	}
	IT_CHECK(t, fx_setup(t, &fx, 0));
	IT_CHECK(t, fx_map(&fx, 0, 0, 4 * unit, IOPGT_READ, 0, NULL));
	before = fx_snapshot(&fx);
	IT_ASSERT(t, before);
	live = talloc_live(fx.ta);
	levels = fx.pt.levels;
	root_pa = fx.pt.root_pa;
	/* as far as the config allows: every level at once */
	iova = fx.pt.cfg.ias >= 64 ? 1ull << 63 : 1ull << (fx.pt.cfg.ias - 1);
	iopgt_hw_info(&fx.pt, &info);
	old_ias = info.ias;
	grow_tables = (fx.pt.cfg.ias >= 64 ? 6 : (fx.pt.cfg.ias - 12 + 8) / 9) -
		      levels;
	for (n = 0;; n++) {
		talloc_fail_after(fx.ta, n);
		ret = iopgt_map(&fx.pt, iova, 0, unit, IOPGT_READ, 0, NULL);
		talloc_fail_after(fx.ta, -1);
		if (ret != -ENOMEM)
			break;
		failures++;
		/*
		 * The grow's own tables come first: failing one of those
		 * changes nothing. A map that fails after its grow keeps
		 * the grown top (translating exactly as before).
		 */
		if (n < grow_tables) {
			IT_ASSERT_EQ(t, fx.pt.levels, levels);
			IT_ASSERT_EQ(t, fx.pt.root_pa, root_pa);
			IT_ASSERT_EQ(t, fx.pt.top_gen, 0);
			IT_ASSERT_EQ(t, talloc_live(fx.ta), live);
		} else {
			IT_ASSERT_EQ(t, fx.pt.levels, levels + grow_tables);
			IT_ASSERT_EQ(t, fx.pt.top_gen, 1);
			if (n == grow_tables)
				IT_CHECK(t, fx_grew(&fx, old_ias));
		}
		if (!fx_unchanged(&fx, before, "after a failed grow"))
			break;
	}
	model_destroy(before);
	IT_CHECK(t, !t->failed);
	IT_ASSERT_RET(t, ret, 0);
	IT_ASSERT(t, failures > grow_tables);
	IT_ASSERT(t, fx.pt.levels > levels);
	IT_ASSERT_RET(t, model_map(fx.m, iova, 0, unit, IOPGT_READ), 0);
	IT_ASSERT_RET(t, model_grow(fx.m, fx.pt.levels), 0);
	{
		struct iopgt_gather g;
		u64 got = 0;

		/* the software IOMMU learns the new root, as fx_map would */
		iopgt_gather_init(&g);
		IT_ASSERT_RET(t, iopgt_unmap(&fx.pt, iova, unit, 0, &g, &got),
			      0);
		IT_ASSERT_EQ(t, got, unit);
		iopgt_gather_release(&fx.pt, &g, NULL);
		IT_ASSERT_RET(t, model_unmap(fx.m, iova, unit, &got), 0);
	}
	IT_CHECK(t, fx_teardown(&fx));
}

const struct it_case it_cases_grow[] = {
	{ "grow_through_each_level_keeps_translations",
	  grow_through_each_level_keeps_translations },
	{ "grow_alloc_failure_leaves_table_unchanged",
	  grow_alloc_failure_leaves_table_unchanged },
};

const unsigned int it_ncases_grow = sizeof(it_cases_grow) /
				    sizeof(it_cases_grow[0]);
