// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * ARM descriptors as the architecture reads them (FORMATS.md, ARM LPAE).
 *
 * The address in a table, page or block descriptor is granule-aligned:
 * bits 47:12 (4K), 47:14 (16K), 47:16 (64K), and with the 64K granule and
 * a 52-bit OA, PA[51:48] sit in bits 15:12. The bits below the granule are
 * not address bits (RES0): a decoder masks them off. These bodies
 * corrupt descriptors in place and check that every walk of the engine
 * still lands on a table's first entry, never inside it: an address read
 * with those bits kept points up to 60K into a table, and a walk from
 * there reads past the table's end. The software IOMMU may instead
 * reject such an entry (its stricter reading); it must not translate
 * through it to anything else.
 *
 * The engine runs on its own table memory services here: table memory
 * comes from talloc, and phys_to_virt hands out a table only for the
 * first byte of a live table. Any other address is recorded and given a
 * zeroed stand-in, so a walk that would stray fails the body by name
 * rather than reading whatever lies past the table. With @pa_hi, every
 * table's physical address is its CPU address plus @pa_hi, which puts
 * tables above 2^48 for the 52-bit OA configs.
 *
 * One body checks the granule of the config itself: ARM has no default.
 *
 * Bodies that do not apply to a config (another format, a 4K granule,
 * where no address bits lie below the granule) return at once.
 */
#include <stdlib.h>
#include <string.h>

#include "harness/it.h"
#include "support/le.h"
#include "support/talloc.h"
#include "arm_decode.h"
#include "cases.h"

u64 ad_mask(unsigned int hi, unsigned int lo)
{
	return (~0ull >> (63 - hi)) & (~0ull << lo);
}

bool ad_is_arm(const struct it *t)
{
	return t->config->cfg.format == IOPGT_FMT_ARM_S1 ||
	       t->config->cfg.format == IOPGT_FMT_ARM_S2;
}

/* A 52-bit OA on the 64K granule: PA[51:48] in descriptor bits 15:12. */
static bool ad_oa52(const struct ad *a)
{
	return a->pt.granule_lg2 == 16 && a->pt.cfg.oas > 48;
}

bool ad_lpa2(const struct ad *a)
{
	return a->pt.cfg.quirks & IOPGT_QUIRK_ARM_LPA2;
}

/* Descriptor bits 47:12 that are not address bits: the RES0 ones. */
static u64 ad_below_granule(const struct ad *a)
{
	if (a->pt.granule_lg2 == 12 || ad_oa52(a))
		return 0;
	return ad_mask(a->pt.granule_lg2 - 1, 12);
}

unsigned int ad_item_lg2(const struct ad *a, unsigned int level)
{
	return a->pt.granule_lg2 + level * (a->pt.granule_lg2 - 3u);
}

static void *ad_alloc(void *ctx, unsigned int size_lg2, iopgt_gfp_t gfp,
		      u64 *pa)
{
	struct ad *a = ctx;
	void *va = talloc_ops()->alloc_table(a->ta, size_lg2, gfp, pa);

	if (va)
		*pa += a->pa_hi;
	return va;
}

static void ad_free(void *ctx, void *table, unsigned int size_lg2)
{
	struct ad *a = ctx;

	talloc_ops()->free_table(a->ta, table, size_lg2);
}

static struct iopgt_table_meta *ad_meta(void *ctx, void *table)
{
	struct ad *a = ctx;

	return talloc_ops()->table_meta(a->ta, table);
}

static void ad_clean(void *ctx, void *va, size_t len)
{
	struct ad *a = ctx;

	talloc_ops()->cache_clean(a->ta, va, len);
}

/* The engine's view: the first byte of a live table, nothing else. */
static void *ad_table_virt(void *ctx, u64 pa)
{
	struct ad *a = ctx;
	void *va = test_va(pa - a->pa_hi);

	if (pa >= a->pa_hi && talloc_is_live(a->ta, va, NULL))
		return va;
	if (!a->strays++)
		a->stray_pa = pa;
	return a->trap;
}

/* The hardware's view: any byte of table memory. */
static void *ad_hw_virt(void *ctx, u64 pa)
{
	struct ad *a = ctx;

	if (pa < a->pa_hi)
		return NULL;
	return talloc_phys_to_virt(a->ta, pa - a->pa_hi);
}

/* Fails the body if a walk asked for a table where there is none. */
bool ad_no_stray(struct ad *a, const char *what)
{
	if (!a->strays)
		return true;
	IT_FAIL(a->t,
		"%s followed a table address into no table's start: 0x%llx (%lu times)",
		what, (unsigned long long)a->stray_pa, a->strays);
	return false;
}

void ad_teardown(struct ad *a)
{
	u64 live;

	if (!a)
		return;
	hwm_destroy(a->hw);
	if (a->pt.root)
		iopgt_destroy(&a->pt);
	live = talloc_live(a->ta);
	if (live && !a->t->failed)
		IT_FAIL(a->t, "%llu tables leaked", (unsigned long long)live);
	talloc_destroy(a->ta);
	free(a->trap);
	free(a);
}

/*
 * The config's table, with dirty tracking on where the walker allows it,
 * and the software IOMMU programmed from iopgt_hw_info(). NULL (and the
 * body failed) if anything is refused.
 */
struct ad *ad_setup(struct it *t, u64 pa_hi)
{
	struct iopgt_cfg cfg = t->config->cfg;
	struct hwm_cfg hcfg = { 0 };
	struct ad *a = calloc(1, sizeof(*a));
	int ret;

	if (!a) {
		IT_FAIL(t, "out of memory");
		return NULL;
	}
	a->t = t;
	a->pa_hi = pa_hi;
	a->trap = calloc(1, AD_TRAP_BYTES);
	a->ta = talloc_create(AD_ARENA, 0);
	if (!a->trap || !a->ta) {
		IT_FAIL(t, "out of memory");
		free(a->trap);
		talloc_destroy(a->ta);
		free(a);
		return NULL;
	}
	a->ops.alloc_table = ad_alloc;
	a->ops.free_table = ad_free;
	a->ops.table_meta = ad_meta;
	a->ops.phys_to_virt = ad_table_virt;
	a->ops.cache_clean = ad_clean;
	cfg.ops = &a->ops;
	cfg.ctx = a;
	/* hardware dirty management needs a walker that snoops */
	if (!(cfg.quirks & IOPGT_QUIRK_NON_COHERENT))
		cfg.quirks |= IOPGT_QUIRK_DIRTY_TRACKING;
	ret = iopgt_init(&a->pt, &cfg);
	if (ret) {
		IT_FAIL(t, "iopgt_init: %s", test_errname(ret));
		ad_teardown(a);
		return NULL;
	}
	hcfg.format = cfg.format;
	iopgt_hw_info(&a->pt, &hcfg.info);
	hcfg.dirty_enabled = a->pt.dirty_tracking;
	hcfg.phys_to_virt = ad_hw_virt;
	hcfg.ctx = a;
	ret = hwm_create(&a->hw, &hcfg);
	if (ret) {
		IT_FAIL(t, "hwm_create from iopgt_hw_info: %d", ret);
		ad_teardown(a);
		return NULL;
	}
	return a;
}

/*
 * ad_setup() for a body about the descriptor bits below the granule that
 * are RES0 (ad_below_granule()), into *@stray. NULL when the config has
 * none (or is not ARM): the body has nothing to do; or when ad_setup()
 * failed, which said why.
 */
static struct ad *ad_setup_stray(struct it *t, u64 *stray)
{
	struct ad *a;

	if (!ad_is_arm(t))
		return NULL;
	a = ad_setup(t, 0);
	if (!a)
		return NULL;
	*stray = ad_below_granule(a);
	if (!*stray) {
		ad_teardown(a);
		return NULL;
	}
	return a;
}

/*
 * The address a table (or page, block) descriptor holds, as FORMATS.md
 * places it: with LPA2, bits 49:g and PA[51:50] in bits 9:8.
 */
u64 ad_table_pa(const struct ad *a, u64 desc)
{
	if (ad_lpa2(a))
		return (desc & ad_mask(49, a->pt.granule_lg2)) |
		       (desc & ad_mask(9, 8)) << 42;
	if (ad_oa52(a))
		return (desc & ad_mask(47, a->pt.granule_lg2)) |
		       (desc & ad_mask(15, 12)) << 36;
	return desc & ad_mask(47, a->pt.granule_lg2);
}

/*
 * The descriptor at @level on the walk of @iova, found from the root
 * through the table descriptors above it (the body made them).
 */
u64 *ad_entry(struct ad *a, u64 iova, unsigned int level)
{
	unsigned int l = a->pt.levels - 1u, entries_lg2 = a->pt.top_lg2;
	u64 *table = a->pt.root, *e;

	for (;;) {
		e = &table[(iova >> ad_item_lg2(a, l)) &
			   ((1ull << entries_lg2) - 1)];
		if (l == level)
			return e;
		table = test_va(ad_table_pa(a, tle_load(e)) - a->pa_hi);
		entries_lg2 = a->pt.granule_lg2 - 3u;
		l--;
	}
}

/*
 * The software IOMMU's uncached walk of @iova must give @pa; with
 * @may_reject, it may instead reject an entry on the way (it faults on
 * RES0 address bits rather than mask them: the stricter reading).
 */
bool ad_hw_translates(struct ad *a, u64 iova, u64 pa, bool may_reject)
{
	struct hwm_walk w;
	int ret;

	hwm_invalidate_all(a->hw);
	memset(&w, 0, sizeof(w));
	ret = hwm_walk(a->hw, iova, &w);
	if (may_reject && ret == HWM_FAULT_BAD_ENTRY)
		return true;
	if (ret || w.oa != pa) {
		IT_FAIL(a->t,
			"the software IOMMU walks 0x%llx to %s 0x%llx, not 0x%llx",
			(unsigned long long)iova, hwm_fault_name(ret),
			(unsigned long long)w.oa, (unsigned long long)pa);
		return false;
	}
	return true;
}

struct ad_dump {
	unsigned long lines;
	unsigned long leaves;
};

static void ad_dump_line(void *ctx, const char *line)
{
	struct ad_dump *d = ctx;

	d->lines++;
	if (strstr(line, " leaf "))
		d->leaves++;
}

/*
 * RES0 bits below the granule in the table descriptor above a level-0
 * table: decoding masks them off and the walk reads the table from its
 * first entry. iova_to_phys, dump and read_dirty must all do so, never
 * reading the table from inside it (and then past its end: the page sits
 * in its last slot), and validate must report the bits, which iopgt
 * never writes.
 */
static void corrupt_table_descriptor_never_reads_outside_a_table(struct it *t)
{
	struct iopgt_validate_err err = { 0 };
	struct iopgt_bitmap bm = { 0 };
	struct ad_dump d = { 0 };
	struct iopgt_gather g;
	struct ad *a;
	u64 stray, nent, iova, pa, got = 0, *desc, good, unmapped;
	unsigned int g_lg2;
	int ret;

	a = ad_setup_stray(t, &stray);
	if (!a)
		return;
	g_lg2 = a->pt.granule_lg2;
	nent = 1ull << (g_lg2 - 3);
	iova = (nent - 1) << g_lg2;
	pa = 0x123ull << 28;
	IT_ASSERT_RET(t, iopgt_map(&a->pt, iova, pa, 1ull << g_lg2,
				   IOPGT_READ | IOPGT_WRITE, 0, &got), 0);
	/* the device writes: the page is dirty where tracking is on */
	if (a->pt.dirty_tracking) {
		IT_ASSERT_RET(t, hwm_translate(a->hw, iova, HWM_WRITE, &got),
			      0);
		IT_ASSERT_EQ(t, got, pa);
	}

	desc = ad_entry(a, iova, 1);
	good = tle_load(desc);
	IT_ASSERT_EQ(t, ad_table_pa(a, good) & stray, 0);
	tle_store(desc, good | stray);

	got = 0;
	ret = iopgt_iova_to_phys(&a->pt, iova, &got);
	IT_CHECK(t, ad_no_stray(a, "iova_to_phys"));
	IT_ASSERT_RET(t, ret, 0);
	IT_ASSERT_EQ(t, got, pa);
	IT_CHECK(t, ad_hw_translates(a, iova, pa, true));

	iopgt_dump(&a->pt, ad_dump_line, &d);
	IT_CHECK(t, ad_no_stray(a, "dump"));
	IT_ASSERT_EQ(t, d.leaves, 1);

	bm.pgshift = g_lg2;
	bm.nbits = nent;
	bm.words = calloc(nent / 64, sizeof(u64));
	IT_ASSERT(t, bm.words);
	iopgt_gather_init(&g);
	ret = iopgt_read_dirty(&a->pt, 0, 1ull << ad_item_lg2(a, 1),
			       IOPGT_DIRTY_NO_CLEAR, &bm, &g);
	iopgt_gather_release(&a->pt, &g, NULL);
	got = bm.words[nent / 64 - 1];
	free(bm.words);
	IT_CHECK(t, ad_no_stray(a, "read_dirty"));
	/* no dirty tracking at all on a walker that does not snoop */
	IT_ASSERT_RET(t, ret, a->pt.dirty_tracking ? 0 : -EOPNOTSUPP);
	IT_ASSERT_EQ(t, got, a->pt.dirty_tracking ? 1ull << 63 : 0);

	IT_ASSERT_RET(t, iopgt_validate(&a->pt, &err), -EINVAL);
	IT_CHECK(t, ad_no_stray(a, "validate"));
	IT_ASSERT(t, err.what);
	IT_ASSERT_EQ(t, err.level, 1);
	IT_ASSERT_EQ(t, err.pte, good | stray);

	tle_store(desc, good);
	IT_ASSERT_RET(t, iopgt_validate(&a->pt, &err), 0);
	iopgt_gather_init(&g);
	IT_ASSERT_RET(t, iopgt_unmap(&a->pt, iova, 1ull << g_lg2, 0, &g,
				     &unmapped), 0);
	hwm_invalidate_all(a->hw);
	iopgt_gather_release(&a->pt, &g, NULL);
	IT_CHECK(t, ad_no_stray(a, "unmap"));
	ad_teardown(a);
}

/*
 * The same RES0 bits in a page descriptor: the page's address is what the
 * bits above them say, and validate reports them.
 */
static void leaf_bits_below_the_granule_do_not_move_a_translation(
	struct it *t)
{
	struct iopgt_validate_err err = { 0 };
	struct ad *a;
	u64 stray, iova, pa, got = 0, *leaf, good;
	unsigned int g_lg2;

	a = ad_setup_stray(t, &stray);
	if (!a)
		return;
	g_lg2 = a->pt.granule_lg2;
	iova = 5ull << g_lg2;
	pa = 0x321ull << 28;
	IT_ASSERT_RET(t, iopgt_map(&a->pt, iova, pa, 1ull << g_lg2,
				   IOPGT_READ, 0, &got), 0);
	leaf = ad_entry(a, iova, 0);
	good = tle_load(leaf);
	tle_store(leaf, good | stray);
	IT_ASSERT_RET(t, iopgt_iova_to_phys(&a->pt, iova + 8, &got), 0);
	IT_ASSERT_EQ(t, got, pa + 8);
	IT_ASSERT_RET(t, iopgt_validate(&a->pt, &err), -EINVAL);
	IT_ASSERT_EQ(t, err.level, 0);
	IT_ASSERT_EQ(t, err.pte, good | stray);
	tle_store(leaf, good);
	IT_ASSERT_RET(t, iopgt_validate(&a->pt, &err), 0);
	IT_CHECK(t, ad_no_stray(a, "a walk"));
	ad_teardown(a);
}

/*
 * The granule is part of an ARM config: struct iopgt_cfg takes 12, 14 or
 * 16 and nothing else, 0 included (no format default stands in for it).
 * The refusal is clean: nothing allocated, no table left behind.
 */
static void init_refuses_arm_config_without_a_granule(struct it *t)
{
	struct iopgt_cfg cfg = t->config->cfg;
	struct talloc *ta;
	struct iopgt pt;
	u64 live;
	int ret;

	if (!ad_is_arm(t))
		return;
	ta = talloc_create(1ull << 24, 0);
	IT_ASSERT(t, ta);
	cfg.ops = talloc_ops();
	cfg.ctx = ta;
	cfg.granule_lg2 = 0;
	memset(&pt, 0, sizeof(pt));
	ret = iopgt_init(&pt, &cfg);
	if (!ret)
		iopgt_destroy(&pt);
	live = talloc_live(ta);
	talloc_destroy(ta);
	IT_ASSERT_RET(t, ret, -EINVAL);
	IT_ASSERT(t, !pt.root);
	IT_ASSERT_EQ(t, live, 0);
}

/*
 * Stage 1 leaves name their memory type by AttrIndx (bits 4:2), an index
 * into the MAIR the driver programs; iopgt_hw_info gives that MAIR. Read
 * back through it, each leaf has the type its map asked for, in the
 * architecture's MAIR encodings: 0xff Normal inner/outer write-back
 * (IOPGT_CACHE), 0x04 Device-nGnRE (IOPGT_MMIO, which wins over
 * IOPGT_CACHE), 0x44 Normal inner/outer non-cacheable (neither). Stage 2
 * leaves hold the type themselves: no MAIR.
 */
static void s1_mair_gives_each_leaf_the_memory_type_it_was_mapped_with(
	struct it *t)
{
	static const struct {
		u32 prot;
		u8 attr;
	} want[] = {
		{ IOPGT_READ | IOPGT_CACHE, 0xff },
		{ IOPGT_READ | IOPGT_MMIO, 0x04 },
		{ IOPGT_READ | IOPGT_MMIO | IOPGT_CACHE, 0x04 },
		{ IOPGT_READ | IOPGT_WRITE, 0x44 },
	};
	struct iopgt_hw_info info;
	struct ad *a;
	u64 iova, got = 0;
	unsigned int g_lg2, i, idx;

	if (!ad_is_arm(t))
		return;
	a = ad_setup(t, 0);
	IT_CHECK(t, a);
	iopgt_hw_info(&a->pt, &info);
	if (a->pt.cfg.format == IOPGT_FMT_ARM_S2) {
		IT_ASSERT_EQ(t, info.arm.mair, 0);
		ad_teardown(a);
		return;
	}
	g_lg2 = a->pt.granule_lg2;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		iova = (u64)(i + 1) << g_lg2;
		IT_ASSERT_RET(t, iopgt_map(&a->pt, iova, iova << 4,
					   1ull << g_lg2, want[i].prot, 0,
					   &got), 0);
		idx = (tle_load(ad_entry(a, iova, 0)) >> 2) & 7;
		IT_ASSERT_EQ(t, (info.arm.mair >> (8 * idx)) & 0xff,
			     want[i].attr);
	}
	IT_CHECK(t, ad_no_stray(a, "map"));
	ad_teardown(a);
}

const struct it_case it_cases_arm_decode[] = {
	{ "corrupt_table_descriptor_never_reads_outside_a_table",
	  corrupt_table_descriptor_never_reads_outside_a_table },
	{ "leaf_bits_below_the_granule_do_not_move_a_translation",
	  leaf_bits_below_the_granule_do_not_move_a_translation },
	{ "init_refuses_arm_config_without_a_granule",
	  init_refuses_arm_config_without_a_granule },
	{ "s1_mair_gives_each_leaf_the_memory_type_it_was_mapped_with",
	  s1_mair_gives_each_leaf_the_memory_type_it_was_mapped_with },
};

const unsigned int it_ncases_arm_decode = sizeof(it_cases_arm_decode) /
					  sizeof(it_cases_arm_decode[0]);
