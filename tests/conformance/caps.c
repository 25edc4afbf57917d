// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * What the caller tells the core about its world reaches the right place:
 * the allocation context of each call reaches alloc_table, and a leaf uses
 * only the optional entry bits the IOMMU has (IOPGT_CAP_*), which the
 * software IOMMU treats as reserved otherwise.
 */
#include "harness/fixture.h"
#include "hwmodel/hwmodel.h"
#include "support/le.h"
#include "support/talloc.h"
#include "cases.h"

/* Distinct contexts, none equal to IOPGT_GFP_KERNEL. */
#define CAPS_GFP_MAP	0x5a5u
#define CAPS_GFP_SPLIT	0xa5au

/*
 * The smallest size of the config at a level above its smallest size's,
 * 0 if none: splitting such a leaf needs a new table (a multi-slot leaf
 * of the same level splits in place).
 */
static unsigned int caps_big_lg2(const struct iopgt *pt)
{
	unsigned int small = (unsigned int)__builtin_ctzll(pt->pgsize_bitmap);
	u64 above = pt->pgsize_bitmap &
		    ~((1ull << (small + pt->granule_lg2 - 3)) - 1);

	return above ? (unsigned int)__builtin_ctzll(above) : 0;
}

/*
 * Map, split and init each hand their own context to every table they
 * allocate: a kernel caller in atomic context says GFP_ATOMIC through
 * map and split, and init allocates the top with IOPGT_GFP_KERNEL.
 */
static void alloc_context_reaches_alloc_table(struct it *t)
{
	struct iopgt_cfg cfg = t->config->cfg;
	struct iopgt pt, pt2;
	struct iopgt_gather g;
	struct talloc *ta = talloc_create(64ull << 20, 0);
	unsigned int small, big;
	u64 allocs, mapped;
	int ret;

	IT_ASSERT(t, ta);
	cfg.ops = talloc_ops();
	cfg.ctx = ta;
	IT_ASSERT_RET(t, iopgt_init(&pt, &cfg), 0);
	small = (unsigned int)__builtin_ctzll(pt.pgsize_bitmap);
	big = caps_big_lg2(&pt);

	/* A leaf below the top needs new tables, allocated with map's gfp */
	allocs = talloc_allocs(ta);
	IT_ASSERT_RET(t, iopgt_map(&pt, 0, 0, 1ull << small, IOPGT_READ,
				   CAPS_GFP_MAP, &mapped), 0);
	IT_ASSERT(t, talloc_allocs(ta) > allocs);
	IT_ASSERT_EQ(t, talloc_last_gfp(ta), CAPS_GFP_MAP);

	if (big && big + 1 < pt.cfg.ias && big < pt.cfg.oas) {
		u64 iova = 1ull << (big + 1);

		IT_ASSERT_RET(t, iopgt_map(&pt, iova, 0, 1ull << big,
					   IOPGT_READ, CAPS_GFP_MAP, &mapped),
			      0);
		iopgt_gather_init(&g);
		allocs = talloc_allocs(ta);
		ret = iopgt_split(&pt, iova, 1ull << big, small, 0,
				  CAPS_GFP_SPLIT, &g);
		if (ret == -EBUSY)	/* ARM without BBML: a fault window */
			ret = iopgt_split(&pt, iova, 1ull << big, small,
					  IOPGT_SPLIT_ALLOW_FAULT,
					  CAPS_GFP_SPLIT, &g);
		IT_ASSERT_RET(t, ret, 0);
		IT_ASSERT(t, talloc_allocs(ta) > allocs);
		IT_ASSERT_EQ(t, talloc_last_gfp(ta), CAPS_GFP_SPLIT);
		iopgt_gather_release(&pt, &g, NULL);
	}

	IT_ASSERT_RET(t, iopgt_init(&pt2, &cfg), 0);
	IT_ASSERT_EQ(t, talloc_last_gfp(ta), IOPGT_GFP_KERNEL);
	iopgt_destroy(&pt2);
	iopgt_destroy(&pt);
	IT_ASSERT_EQ(t, talloc_live(ta), 0);
	talloc_destroy(ta);
}

/*
 * A CACHE leaf works on the IOMMU the config describes: the software
 * IOMMU faults on an entry bit that is reserved there (VT-d SNP without
 * snoop control), and SNP is set exactly when the config has it.
 */
static void cache_leaf_uses_only_bits_the_iommu_has(struct it *t)
{
	struct fx fx;
	struct hwm_walk w;
	u64 pa, unit;

	IT_CHECK(t, fx_setup(t, &fx, 0));
	unit = 1ull << __builtin_ctzll(fx.pt.pgsize_bitmap);
	IT_CHECK(t, fx_map(&fx, 4 * unit, 8 * unit, unit,
			   IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE, 0, NULL));
	IT_ASSERT_RET(t, hwm_translate(fx.hw, 4 * unit + 8, HWM_WRITE, &pa),
		      0);
	IT_ASSERT_EQ(t, pa, 8 * unit + 8);
	IT_ASSERT_RET(t, hwm_walk(fx.hw, 4 * unit, &w), 0);
	if (fx.pt.cfg.format == IOPGT_FMT_VTD_SL)
		IT_ASSERT_EQ(t, !!(w.pte & (1ull << 11)),
			     !!(fx.pt.cfg.caps & IOPGT_CAP_VTD_SNOOP));
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_teardown(&fx));
}

/*
 * iopgt_validate() judges a leaf by the IOMMU the config describes: SNP
 * put into a VT-d leaf by hand is accepted with snoop control and refused
 * without it, where the IOMMU faults on the reserved bit.
 */
static void validate_refuses_bits_reserved_on_the_iommu(struct it *t)
{
	const struct iopgt_ops *ops;
	struct iopgt_validate_err err;
	struct fx fx;
	struct hwm_walk w;
	u64 unit, *ptep, pte;

	if (t->config->cfg.format != IOPGT_FMT_VTD_SL)
		return;		/* the only format with such a capability */
	IT_CHECK(t, fx_setup(t, &fx, 0));
	unit = 1ull << __builtin_ctzll(fx.pt.pgsize_bitmap);
	IT_CHECK(t, fx_map(&fx, 4 * unit, 8 * unit, unit,
			   IOPGT_READ | IOPGT_WRITE, 0, NULL));
	IT_ASSERT_RET(t, hwm_walk(fx.hw, 4 * unit, &w), 0);
	ops = fx.pt.cfg.ops;
	ptep = ops->phys_to_virt ? ops->phys_to_virt(fx.pt.cfg.ctx, w.pte_pa) :
				   test_va(w.pte_pa);
	pte = *ptep;
	*ptep = pte | tle_raw(1ull << 11);
	IT_ASSERT_RET(t, iopgt_validate(&fx.pt, &err),
		      fx.pt.cfg.caps & IOPGT_CAP_VTD_SNOOP ? 0 : -EINVAL);
	*ptep = pte;
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_teardown(&fx));
}

/* Unknown capability bits are refused. */
static void init_refuses_unknown_caps(struct it *t)
{
	struct iopgt_cfg cfg = t->config->cfg;
	struct iopgt pt;
	struct talloc *ta = talloc_create(1ull << 20, 0);

	IT_ASSERT(t, ta);
	cfg.ops = talloc_ops();
	cfg.ctx = ta;
	cfg.caps |= ~IOPGT_CAP_ALL;
	IT_ASSERT_RET(t, iopgt_init(&pt, &cfg), -EINVAL);
	IT_ASSERT_EQ(t, talloc_live(ta), 0);
	talloc_destroy(ta);
}

const struct it_case it_cases_caps[] = {
	{ "alloc_context_reaches_alloc_table",
	  alloc_context_reaches_alloc_table },
	{ "cache_leaf_uses_only_bits_the_iommu_has",
	  cache_leaf_uses_only_bits_the_iommu_has },
	{ "init_refuses_unknown_caps", init_refuses_unknown_caps },
	{ "validate_refuses_bits_reserved_on_the_iommu",
	  validate_refuses_bits_reserved_on_the_iommu },
};

const unsigned int it_ncases_caps = sizeof(it_cases_caps) /
				    sizeof(it_cases_caps[0]);
