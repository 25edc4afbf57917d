// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Behaviours the other bodies do not reach: a dirty update that lands
 * between a split's build and its install, a stray dirty mark that a
 * write through a stale cached leaf leaves in what is now a table entry,
 * a map that loses a table install to a concurrent map, dirty tracking
 * switched on and off over live leaves, and the error names.
 *
 * The races are staged from the cache-clean callback of a non-coherent
 * config, the one call the core makes between reading an entry and
 * compare-exchanging it (as edges.c does for a split that loses its slot).
 * These bodies check the table through the software IOMMU's own walk and
 * raw harvests, not through the reference model, which does not know of
 * the staged updates.
 */
#include <string.h>

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

/* The CPU address of table memory at @pa, as iopgt reaches it. */
static u64 *table_va(struct fx *fx, u64 pa)
{
	const struct iopgt_ops *ops = fx->pt.cfg.ops;

	if (ops->phys_to_virt)
		return ops->phys_to_virt(fx->pt.cfg.ctx, pa);
	return (u64 *)(uintptr_t)pa;
}

/*
 * A raw harvest of [@iova, @iova + @len) at @pgshift, cleaning nothing:
 * the number of bits set, or -1 (and a failed test) if the call failed.
 */
static long dirty_bits(struct it *t, struct fx *fx, u64 iova, u64 len,
		       unsigned int pgshift)
{
	u64 words[16] = { 0 };
	struct iopgt_bitmap bm = {
		.base = iova, .pgshift = pgshift, .words = words,
		.nbits = len >> pgshift,
	};
	struct iopgt_gather g;
	long n = 0;
	unsigned int i;
	int ret;

	if (bm.nbits > 64 * 16) {
		IT_FAIL(t, "dirty_bits: range too long for the test bitmap");
		return -1;
	}
	iopgt_gather_init(&g);
	ret = iopgt_read_dirty(&fx->pt, iova, len, IOPGT_DIRTY_NO_CLEAR, &bm,
			       &g);
	fx_flush(fx, &g, NULL);
	if (ret) {
		IT_FAIL(t, "read_dirty 0x%llx+0x%llx: %s",
			(unsigned long long)iova, (unsigned long long)len,
			test_errname(ret));
		return -1;
	}
	for (i = 0; i < 16; i++)
		n += __builtin_popcountll(words[i]);
	return n;
}

/* Every leaf of @unit_lg2 in [@iova, @iova + @len) is dirty (or clean). */
static bool leaves_dirty(struct it *t, struct fx *fx, u64 iova, u64 len,
			 unsigned int unit_lg2, bool dirty)
{
	struct hwm_walk w;
	u64 at;
	int ret;

	for (at = iova; at < iova + len; at += sz(unit_lg2)) {
		ret = hwm_walk(fx->hw, at, &w);
		if (ret) {
			IT_FAIL(t, "walk 0x%llx: %s", (unsigned long long)at,
				hwm_fault_name(ret));
			return false;
		}
		if (w.size_lg2 != unit_lg2 || w.dirty != dirty) {
			IT_FAIL(t, "0x%llx: leaf 2^%u %s, want 2^%u %s",
				(unsigned long long)at, w.size_lg2,
				w.dirty ? "dirty" : "clean", unit_lg2,
				dirty ? "dirty" : "clean");
			return false;
		}
	}
	return true;
}

#ifndef __KERNEL__
/*
 * Every code the API documents has its own text; anything else (a
 * positive errno included: the codes are negative) is "unknown".
 */
static void strerror_names_every_error_code(struct it *t)
{
	static const int codes[] = {
		0, -EINVAL, -ERANGE, -EOVERFLOW, -ENOMEM, -EEXIST, -ENOENT,
		-EOPNOTSUPP, -EBUSY,
	};
	const unsigned int n = sizeof(codes) / sizeof(codes[0]);
	const char *unknown = iopgt_strerror(-EIO), *s[sizeof(codes) /
							 sizeof(codes[0])];
	unsigned int i, j;

	IT_ASSERT(t, unknown && *unknown);
	IT_ASSERT(t, !strcmp(iopgt_strerror(EINVAL), unknown));
	IT_ASSERT(t, !strcmp(iopgt_strerror(-4096), unknown));
	for (i = 0; i < n; i++) {
		s[i] = iopgt_strerror(codes[i]);
		if (!s[i] || !*s[i] || !strcmp(s[i], unknown))
			IT_FAIL(t, "%s has no text of its own",
				test_errname(codes[i]));
		for (j = 0; j < i && !t->failed; j++)
			if (!strcmp(s[i], s[j]))
				IT_FAIL(t, "%s and %s share \"%s\"",
					test_errname(codes[i]),
					test_errname(codes[j]), s[i]);
		IT_CHECK(t, !t->failed);
	}
}
#endif

/* Formats whose clean state is an entry encoding (FORMATS.md). */
/* Formats whose leaves get D preset while tracking is off (x86, RISC-V). */
static bool tracking_presets_d(const struct fx *fx)
{
	return fx->pt.cfg.format == IOPGT_FMT_VTD_FL ||
	       fx->pt.cfg.format == IOPGT_FMT_RISCV ||
	       fx->pt.cfg.format == IOPGT_FMT_RISCV_G;
}

static bool tracking_encoded(const struct fx *fx)
{
	return tracking_presets_d(fx) ||
	       fx->pt.cfg.format == IOPGT_FMT_ARM_S1 ||
	       fx->pt.cfg.format == IOPGT_FMT_ARM_S2;
}

/*
 * Dirty tracking switched off and on over live leaves. Where the clean
 * state is an encoding (x86 and RISC-V D, ARM DBM), off makes every
 * writable leaf plainly writable (x86, RISC-V: D preset, so the hardware never has to write
 * it; ARM: no DBM and write permission in the entry itself), and on
 * brings DBM back with the leaves left dirty, so the next harvest reports
 * them; read-only leaves never change, and the gather names exactly the
 * leaves converted. Elsewhere (AMD v1, VT-d SL: the enable is the
 * driver's) no entry changes and the gather stays empty.
 */
static void tracking_switch_converts_writable_leaves_where_encoded(
	struct it *t)
{
	struct fx fx;
	struct iopgt_gather g;
	struct hwm_walk w;
	unsigned int u;
	u64 unit, base, ro_pte, pte[4], at;
	bool enc;

	IT_CHECK(t, fx_setup_dirty(t, &fx));
	enc = tracking_encoded(&fx);
	u = min_lg2(&fx);
	unit = sz(u);
	base = 8 * unit;
	/* one call per page: four leaves of the smallest size */
	for (at = 0; at < 4; at++)
		IT_CHECK(t, fx_map(&fx, base + at * unit, base + at * unit,
				   unit, IOPGT_READ | IOPGT_WRITE, 0, NULL));
	IT_CHECK(t, fx_map(&fx, base + 4 * unit, base + 4 * unit, unit,
			   IOPGT_READ, 0, NULL));
	IT_CHECK(t, leaves_dirty(t, &fx, base, 5 * unit, u, false));
	IT_ASSERT_RET(t, hwm_walk(fx.hw, base + 4 * unit, &w), 0);
	ro_pte = w.pte;
	for (at = 0; at < 4; at++) {
		IT_ASSERT_RET(t, hwm_walk(fx.hw, base + at * unit, &w), 0);
		pte[at] = w.pte;
	}

	/* Off: the hardware no longer manages dirty state */
	hwm_set_dirty_enabled(fx.hw, false);
	iopgt_gather_init(&g);
	IT_ASSERT_RET(t, iopgt_set_dirty_tracking(&fx.pt, false, &g), 0);
	IT_ASSERT(t, !fx.pt.dirty_tracking);
	if (enc) {
		IT_ASSERT(t, g.start == base && g.last == base + 4 * unit - 1);
	} else {
		IT_ASSERT(t, g.start > g.last);
	}
	fx_flush(&fx, &g, NULL);
	for (at = 0; at < 4; at++) {
		IT_ASSERT_RET(t, hwm_walk(fx.hw, base + at * unit, &w), 0);
		IT_ASSERT(t, w.writable);
		if (!enc)
			IT_ASSERT_EQ(t, w.pte, pte[at]);
		else if (tracking_presets_d(&fx))
			IT_ASSERT(t, w.dirty);
		else
			IT_ASSERT(t, !w.dirty && w.pte != pte[at]);
	}
	IT_ASSERT_RET(t, hwm_walk(fx.hw, base + 4 * unit, &w), 0);
	IT_ASSERT_EQ(t, w.pte, ro_pte);
	IT_ASSERT(t, !w.writable);

	/* Off again: nothing to do */
	iopgt_gather_init(&g);
	IT_ASSERT_RET(t, iopgt_set_dirty_tracking(&fx.pt, false, &g), 0);
	IT_ASSERT(t, g.start > g.last);

	/* On: what was plainly writable is reported dirty once */
	hwm_set_dirty_enabled(fx.hw, true);
	iopgt_gather_init(&g);
	IT_ASSERT_RET(t, iopgt_set_dirty_tracking(&fx.pt, true, &g), 0);
	IT_ASSERT(t, fx.pt.dirty_tracking);
	if (fx.pt.cfg.format == IOPGT_FMT_ARM_S1 ||
	    fx.pt.cfg.format == IOPGT_FMT_ARM_S2)
		IT_ASSERT(t, g.start == base && g.last == base + 4 * unit - 1);
	else
		IT_ASSERT(t, g.start > g.last);
	fx_flush(&fx, &g, NULL);
	IT_CHECK(t, leaves_dirty(t, &fx, base, 4 * unit, u, enc));
	IT_CHECK(t, leaves_dirty(t, &fx, base + 4 * unit, unit, u, false));
	IT_ASSERT_EQ(t, dirty_bits(t, &fx, base, 5 * unit, u), enc ? 4 : 0);
	IT_ASSERT_RET(t, iopgt_validate(&fx.pt, NULL), 0);
	IT_CHECK(t, fx_teardown(&fx));
}

/*
 * A cache-clean callback that, once armed, runs @fn the first time iopgt
 * cleans table memory: between a walk's read of an entry and the
 * compare-exchange that replaces it.
 */
struct staged_ops {
	struct iopgt_ops ops;
	const struct iopgt_ops *inner;
	void (*fn)(void);
	bool armed;
	bool fired;
};

static struct staged_ops staged;

static void staged_clean(void *ctx, void *va, size_t len)
{
	staged.inner->cache_clean(ctx, va, len);
	if (staged.armed) {
		staged.armed = false;
		staged.fired = true;
		staged.fn();
	}
}

static void staged_arm(struct fx *fx, void (*fn)(void))
{
	staged.inner = fx->pt.cfg.ops;
	staged.ops = *fx->pt.cfg.ops;
	staged.ops.cache_clean = staged_clean;
	staged.fn = fn;
	staged.armed = true;
	staged.fired = false;
	fx->pt.cfg.ops = &staged.ops;
}

static void staged_disarm(struct fx *fx)
{
	staged.armed = false;
	fx->pt.cfg.ops = staged.inner;
}

/* What the staged callbacks below act on. */
static struct {
	struct fx *fx;
	u64 *ptep;
	u64 bits;
	u64 iova, pa, len;
	int ret;
} stage;

/* The hardware sets its dirty bit in a leaf entry (atomically, as it does) */
static void stage_set_bits(void)
{
	__atomic_fetch_or(stage.ptep, stage.bits, __ATOMIC_SEQ_CST);
	staged.inner->cache_clean(stage.fx->pt.cfg.ctx, stage.ptep,
				  sizeof(u64));
}

/* A concurrent map of a disjoint range, through the same table */
static void stage_map(void)
{
	stage.ret = iopgt_map(&stage.fx->pt, stage.iova, stage.pa, stage.len,
			      IOPGT_READ | IOPGT_WRITE, 0, NULL);
}

/*
 * A split builds the subtree of a large leaf from the leaf as it read it,
 * clean; the hardware marks the old leaf dirty before the install. The
 * compare-exchange then fails on the dirty bit alone, and the subtree
 * must be made dirty before the retry installs it: every new leaf dirty,
 * and cleaned for the walker. A second leaf split without the update
 * stays clean, so the state came from the update. VT-d SL's non-coherent
 * config only: the one config with both a hook between the read and the
 * install and a dirty bit the hardware sets (D, bit 9) in the leaf.
 */
static void split_carries_a_dirty_update_before_the_install(struct it *t)
{
	struct fx fx;
	struct iopgt_gather g;
	struct hwm_walk w;
	unsigned int u;
	u64 big;

	if (!(t->config->cfg.quirks & IOPGT_QUIRK_NON_COHERENT) ||
	    t->config->cfg.format != IOPGT_FMT_VTD_SL)
		return;
	IT_CHECK(t, fx_setup(t, &fx, 0));
	u = min_lg2(&fx);
	if (fx.pt.levels < 2 || !fx_size_ok(&fx, fx_item_lg2(&fx, 1))) {
		IT_CHECK(t, fx_teardown(&fx));
		return;
	}
	big = sz(fx_item_lg2(&fx, 1));
	IT_CHECK(t, fx_map(&fx, big, big, 2 * big, IOPGT_READ | IOPGT_WRITE,
			   0, NULL));
	IT_CHECK(t, leaves_dirty(t, &fx, big, 2 * big, fx_item_lg2(&fx, 1),
				 false));
	IT_ASSERT_RET(t, hwm_walk(fx.hw, big, &w), 0);

	stage.fx = &fx;
	stage.ptep = table_va(&fx, w.pte_pa);
	stage.bits = 1ull << 9;
	staged_arm(&fx, stage_set_bits);
	iopgt_gather_init(&g);
	IT_ASSERT_RET(t, iopgt_split(&fx.pt, big, 2 * big, u, 0, 0, &g), 0);
	IT_ASSERT(t, staged.fired);
	staged_disarm(&fx);
	fx_flush(&fx, &g, NULL);

	IT_CHECK(t, leaves_dirty(t, &fx, big, big, u, true));
	IT_CHECK(t, leaves_dirty(t, &fx, 2 * big, big, u, false));
	IT_ASSERT_RET(t, iopgt_validate(&fx.pt, NULL), 0);
	IT_CHECK(t, fx_teardown(&fx));
}

/*
 * An IOMMU that writes back the entry it cached may set D (AMD v1 bit 6)
 * in a slot that a split has turned into a table entry, for a write
 * through its stale cached leaf. Gather release, after the invalidation,
 * must find that stray mark, make the whole subtree below dirty and clear
 * the mark; a subtree split beside it without one stays clean. AMD v1
 * only: the other formats' walkers re-walk an entry that changed, and
 * leave no such mark (pgtable/format_defaults.h).
 */
static void release_turns_a_stray_table_dirty_mark_into_dirty_leaves(
	struct it *t)
{
	struct fx fx;
	struct iopgt_gather g;
	struct hwm_walk w;
	unsigned int u;
	u64 big, *ptep;

	if (t->config->cfg.format != IOPGT_FMT_AMDV1)
		return;
	IT_CHECK(t, fx_setup_dirty(t, &fx));
	u = min_lg2(&fx);
	if (fx.pt.levels < 2 || !fx_size_ok(&fx, fx_item_lg2(&fx, 1)) ||
	    u + 9 != fx_item_lg2(&fx, 1)) {
		IT_CHECK(t, fx_teardown(&fx));
		return;
	}
	big = sz(fx_item_lg2(&fx, 1));
	IT_CHECK(t, fx_map(&fx, big, big, 2 * big, IOPGT_READ | IOPGT_WRITE,
			   0, NULL));
	IT_ASSERT_RET(t, hwm_walk(fx.hw, big, &w), 0);
	ptep = table_va(&fx, w.pte_pa);

	iopgt_gather_init(&g);
	IT_ASSERT_RET(t, iopgt_split(&fx.pt, big, 2 * big, u, 0, 0, &g), 0);
	IT_ASSERT(t, g.flags & IOPGT_GATHER_SPLIT);
	/* before the invalidation: the stale leaf's write lands in the PDE */
	__atomic_fetch_or(ptep, 1ull << 6, __ATOMIC_SEQ_CST);
	fx_flush(&fx, &g, NULL);

	IT_ASSERT(t, !(*ptep & (1ull << 6)));
	IT_CHECK(t, leaves_dirty(t, &fx, big, big, u, true));
	IT_CHECK(t, leaves_dirty(t, &fx, 2 * big, big, u, false));
	IT_ASSERT_EQ(t, dirty_bits(t, &fx, big, 2 * big, fx_item_lg2(&fx, 1)),
		     1);
	IT_ASSERT_RET(t, iopgt_validate(&fx.pt, NULL), 0);
	IT_CHECK(t, fx_teardown(&fx));
}

/*
 * A map that finds, at its compare-exchange, a table another map of a
 * disjoint range installed since it looked uses that table: it puts its
 * own back (and frees it at the end: no leak), and both mappings
 * translate. Non-coherent configs only: the race is staged from the
 * clean of the new table, just before its install.
 */
static void map_that_loses_a_table_install_uses_the_winners_table(
	struct it *t)
{
	struct fx fx;
	struct hwm_walk w;
	struct iopgt_gather g;
	u64 unit, a, b, live, mapped = 0, pa;

	if (!(t->config->cfg.quirks & IOPGT_QUIRK_NON_COHERENT))
		return;
	IT_CHECK(t, fx_setup(t, &fx, 0));
	if (fx.pt.levels < 2) {
		IT_CHECK(t, fx_teardown(&fx));
		return;
	}
	unit = sz(min_lg2(&fx));
	a = 4 * unit;
	b = 9 * unit;
	live = talloc_live(fx.ta);

	stage.fx = &fx;
	stage.iova = b;
	stage.pa = 0x40 * unit;
	stage.len = unit;
	stage.ret = 1;
	staged_arm(&fx, stage_map);
	IT_ASSERT_RET(t, iopgt_map(&fx.pt, a, 0x20 * unit, unit,
				   IOPGT_READ | IOPGT_WRITE, 0, &mapped), 0);
	IT_ASSERT(t, staged.fired);
	staged_disarm(&fx);
	IT_ASSERT_RET(t, stage.ret, 0);
	IT_ASSERT_EQ(t, mapped, unit);

	/* one path of tables below the root, shared; nothing left over */
	IT_ASSERT_EQ(t, talloc_live(fx.ta), live + fx.pt.levels - 1);
	IT_ASSERT_RET(t, iopgt_validate(&fx.pt, NULL), 0);
	IT_ASSERT_RET(t, hwm_walk(fx.hw, a, &w), 0);
	IT_ASSERT_EQ(t, w.oa, 0x20 * unit);
	IT_ASSERT_RET(t, hwm_walk(fx.hw, b, &w), 0);
	IT_ASSERT_EQ(t, w.oa, 0x40 * unit);
	IT_ASSERT_RET(t, iopgt_iova_to_phys(&fx.pt, a + 8, &pa), 0);
	IT_ASSERT_EQ(t, pa, 0x20 * unit + 8);

	iopgt_gather_init(&g);
	IT_ASSERT_RET(t, iopgt_unmap(&fx.pt, 0, 16 * unit, 0, &g, &mapped),
		      0);
	IT_ASSERT_EQ(t, mapped, 2 * unit);
	fx_flush(&fx, &g, NULL);
	IT_CHECK(t, fx_teardown(&fx));
}

static bool format_is_arm(enum iopgt_format format)
{
	return format == IOPGT_FMT_ARM_S1 || format == IOPGT_FMT_ARM_S2;
}

/*
 * What iopgt_init() documents as refused, beyond map.c's list: no config,
 * each missing op, the ARM-only BBML quirks elsewhere, an ias beyond what
 * the given levels translate, an ias or oas below one page, and a top
 * table that cannot be allocated (-ENOMEM). Each refusal leaves the
 * struct zeroed (iopgt_destroy() on it does nothing) and nothing
 * allocated.
 */
static void init_refuses_what_the_format_cannot_build(struct it *t)
{
	struct talloc *ta = talloc_create(1ull << 24, 0);
	struct iopgt_cfg good, c;
	struct iopgt_ops ops;
	struct iopgt pt;
	unsigned int i, max_ias;

	IT_ASSERT(t, ta);
	good = t->config->cfg;
	good.ops = talloc_ops();
	good.ctx = ta;
	memset(&pt, 0xa5, sizeof(pt));
	IT_ASSERT_RET(t, iopgt_init(&pt, NULL), -EINVAL);
	IT_ASSERT(t, !pt.root && !pt.fops);
	iopgt_destroy(&pt);
	for (i = 0; i < 3; i++) {
		ops = *talloc_ops();
		if (i == 0)
			ops.alloc_table = NULL;
		else if (i == 1)
			ops.free_table = NULL;
		else
			ops.table_meta = NULL;
		c = good;
		c.ops = &ops;
		IT_ASSERT_RET(t, iopgt_init(&pt, &c), -EINVAL);
	}
	if (!format_is_arm(good.format)) {
		c = good;
		c.quirks |= IOPGT_QUIRK_ARM_BBML2;
		IT_ASSERT_RET(t, iopgt_init(&pt, &c), -EINVAL);
		c = good;
		c.quirks |= IOPGT_QUIRK_ARM_BBML1;
		IT_ASSERT_RET(t, iopgt_init(&pt, &c), -EINVAL);
	}
	if (good.levels) {
		/* the widest ias these levels take, then one bit more */
		c = good;
		c.ias = 0;
		IT_ASSERT_RET(t, iopgt_init(&pt, &c), 0);
		max_ias = pt.cfg.ias;
		iopgt_destroy(&pt);
		if (max_ias < 64) {
			c.ias = (u8)(max_ias + 1);
			IT_ASSERT_RET(t, iopgt_init(&pt, &c), -EINVAL);
		}
	}
	c = good;
	c.ias = 12;
	IT_ASSERT_RET(t, iopgt_init(&pt, &c), -EINVAL);
	c = good;
	c.oas = 12;
	IT_ASSERT_RET(t, iopgt_init(&pt, &c), -EINVAL);

	talloc_fail_all(ta, true);
	IT_ASSERT_RET(t, iopgt_init(&pt, &good), -ENOMEM);
	talloc_fail_all(ta, false);
	IT_ASSERT(t, !pt.root);
	iopgt_destroy(&pt);
	IT_ASSERT_EQ(t, talloc_live(ta), 0);

	IT_ASSERT(t, iopgt_format_available(good.format));
	IT_ASSERT(t, !iopgt_format_available(IOPGT_FMT_NONE));
	IT_ASSERT(t, !iopgt_format_available(IOPGT_FMT_COUNT));
	IT_ASSERT(t, !strcmp(iopgt_format_name(IOPGT_FMT_COUNT), "?"));
	talloc_destroy(ta);
}

/*
 * One gather carries one bitmap for what its detached tables owe: a
 * second unmap_read_dirty onto the same gather with a bitmap that differs
 * in any field is refused with -EINVAL and unmaps nothing; one with an
 * equal bitmap (a copy) goes ahead. Turning tracking on or off without a
 * gather is -EINVAL too.
 */
static void gather_keeps_one_bitmap_and_refuses_another(struct it *t)
{
	struct fx fx;
	struct iopgt_gather g;
	u64 words[4] = { 0 }, other[4] = { 0 }, unit, done, pa;
	struct iopgt_bitmap bm, diff;
	unsigned int i;

	IT_CHECK(t, fx_setup_dirty(t, &fx));
	unit = sz(min_lg2(&fx));
	bm = (struct iopgt_bitmap){
		.base = 0, .pgshift = min_lg2(&fx), .words = words,
		.nbits = 256,
	};
	for (i = 0; i < 8; i++)
		IT_CHECK(t, fx_map(&fx, i * unit, i * unit, unit,
				   IOPGT_READ | IOPGT_WRITE, 0, NULL));
	iopgt_gather_init(&g);
	IT_ASSERT_RET(t, iopgt_set_dirty_tracking(&fx.pt, false, NULL),
		      -EINVAL);
	IT_ASSERT_RET(t, iopgt_unmap_read_dirty(&fx.pt, 0, unit, 0, &bm, &g,
						&done), 0);
	IT_ASSERT_EQ(t, done, unit);
	for (i = 0; i < 5; i++) {
		diff = bm;
		switch (i) {
		case 0: diff.words = other; break;
		case 1: diff.nbits = 128; break;
		case 2: diff.pgshift = bm.pgshift + 1; break;
		case 3: diff.base = unit; break;
		case 4: diff.ctx = &fx; break;
		}
		IT_ASSERT_RET(t, iopgt_unmap_read_dirty(&fx.pt, unit, unit, 0,
							&diff, &g, &done),
			      -EINVAL);
		IT_ASSERT_EQ(t, done, 0);
		IT_ASSERT_RET(t, iopgt_iova_to_phys(&fx.pt, unit, &pa), 0);
	}
	diff = bm;
	IT_ASSERT_RET(t, iopgt_unmap_read_dirty(&fx.pt, unit, unit, 0, &diff,
						&g, &done), 0);
	IT_ASSERT_EQ(t, done, unit);
	IT_ASSERT_RET(t, iopgt_iova_to_phys(&fx.pt, unit, &pa), -ENOENT);
	fx_flush(&fx, &g, NULL);
	iopgt_gather_init(&g);
	IT_ASSERT_RET(t, iopgt_unmap(&fx.pt, 2 * unit, 6 * unit, 0, &g, &done),
		      0);
	fx_flush(&fx, &g, NULL);
	IT_CHECK(t, fx_teardown(&fx));
}

/*
 * iopgt_validate() finds a large leaf whose address is not aligned to
 * its size and a leaf beyond the oas,
 * names the IOVA, level and entry, and changes nothing; with the entry
 * put back it passes again.
 */
static void validate_names_a_misaligned_or_out_of_range_leaf(struct it *t)
{
	struct iopgt_validate_err err;
	struct fx fx;
	struct hwm_walk w;
	u64 big, *ptep, orig, bad[2];
	unsigned int i, n = 1, sh;

	IT_CHECK(t, fx_setup(t, &fx, 0));
	if (fx.pt.levels < 2 || !fx_size_ok(&fx, fx_item_lg2(&fx, 1))) {
		IT_CHECK(t, fx_teardown(&fx));
		return;
	}
	big = sz(fx_item_lg2(&fx, 1));
	IT_CHECK(t, fx_map(&fx, big, big, big, IOPGT_READ | IOPGT_WRITE, 0,
			   NULL));
	IT_ASSERT_RET(t, hwm_walk(fx.hw, big, &w), 0);
	IT_ASSERT_EQ(t, w.size_lg2, fx_item_lg2(&fx, 1));
	IT_ASSERT_EQ(t, w.level, 1);
	ptep = table_va(&fx, w.pte_pa);
	orig = *ptep;
	IT_ASSERT_EQ(t, orig, w.pte);
	/*
	 * The address bit just below the leaf's size (not ARM's nT, 16),
	 * and the first beyond the oas. RISC-V keeps address bit k in entry
	 * bit k - 2 (PPN at bit 10), every other format in bit k.
	 */
	sh = fx.pt.cfg.format == IOPGT_FMT_RISCV ||
	     fx.pt.cfg.format == IOPGT_FMT_RISCV_G ? 2 : 0;
	bad[0] = orig | sz(fx_item_lg2(&fx, 1) - 1 - sh);
	if (fx.pt.cfg.oas < 48)
		bad[n++] = orig | sz(fx.pt.cfg.oas - sh);
	for (i = 0; i < n; i++) {
		*ptep = bad[i];
		memset(&err, 0, sizeof(err));
		IT_ASSERT_RET(t, iopgt_validate(&fx.pt, &err), -EINVAL);
		IT_ASSERT(t, err.what && *err.what);
		IT_ASSERT_EQ(t, err.iova, big);
		IT_ASSERT_EQ(t, err.level, 1);
		IT_ASSERT_EQ(t, err.pte, bad[i]);
		IT_ASSERT_EQ(t, *ptep, bad[i]);
	}
	*ptep = orig;
	IT_ASSERT_RET(t, iopgt_validate(&fx.pt, NULL), 0);
	IT_CHECK(t, fx_teardown(&fx));
}

/*
 * Every walk over holes: two single pages far apart (under different top
 * level entries where the ias allows), and between them nothing. A
 * harvest of the whole span reports nothing (no write happened), a split
 * or merge of it changes nothing (nothing larger, nothing to combine),
 * an unmap or a lookup of the hole alone finds nothing (-ENOENT); no
 * table is allocated or freed by any of them, and both pages still
 * translate.
 */
static void walks_over_holes_change_nothing(struct it *t)
{
	struct fx fx;
	struct iopgt_gather g;
	u64 words[4], unit, far, done, pa, live;
	struct iopgt_bitmap bm;
	unsigned int far_lg2, shift;
	int ret;

	IT_CHECK(t, fx_setup_dirty(t, &fx));
	unit = sz(min_lg2(&fx));
	far_lg2 = fx_item_lg2(&fx, fx.pt.levels - 1);
	if (far_lg2 >= fx_ias(&fx))
		far_lg2 = fx_item_lg2(&fx, fx.pt.levels > 1 ?
					   fx.pt.levels - 2 : 0);
	if (far_lg2 >= fx_ias(&fx) || sz(far_lg2) <= unit) {
		IT_CHECK(t, fx_teardown(&fx));
		return;
	}
	far = sz(far_lg2);
	IT_CHECK(t, fx_map(&fx, 0, 0, unit, IOPGT_READ | IOPGT_WRITE, 0,
			   NULL));
	IT_CHECK(t, fx_map(&fx, far, unit, unit, IOPGT_READ | IOPGT_WRITE, 0,
			   NULL));
	live = talloc_live(fx.ta);

	/* the whole span in a few bits: one per top-level item or so */
	shift = far_lg2 > 12 ? far_lg2 - 1 : 12;
	memset(words, 0, sizeof(words));
	bm = (struct iopgt_bitmap){
		.base = 0, .pgshift = shift, .words = words, .nbits = 256,
	};
	iopgt_gather_init(&g);
	IT_ASSERT_RET(t, iopgt_read_dirty(&fx.pt, 0, far + unit, 0, &bm, &g),
		      0);
	fx_flush(&fx, &g, NULL);
	IT_ASSERT(t, !words[0] && !words[1] && !words[2] && !words[3]);

	iopgt_gather_init(&g);
	IT_ASSERT_RET(t, iopgt_split(&fx.pt, 0, far + unit, min_lg2(&fx),
				     IOPGT_SPLIT_ALLOW_FAULT, 0, &g), 0);
	IT_ASSERT(t, g.start > g.last && !g.detached && !g.pending);
	IT_ASSERT_RET(t, iopgt_merge(&fx.pt, 0, far + unit,
				     IOPGT_SPLIT_ALLOW_FAULT, &g), 0);
	IT_ASSERT(t, g.start > g.last && !g.detached && !g.pending);
	ret = iopgt_unmap(&fx.pt, unit, far - unit, 0, &g, &done);
	IT_ASSERT_RET(t, ret, -ENOENT);
	IT_ASSERT_EQ(t, done, 0);
	IT_ASSERT(t, g.start > g.last && !g.detached);
	fx_flush(&fx, &g, NULL);
	IT_ASSERT_RET(t, iopgt_iova_to_phys(&fx.pt, far - unit, &pa),
		      -ENOENT);
	IT_ASSERT_RET(t, iopgt_iova_to_phys(&fx.pt, unit, &pa), -ENOENT);

	IT_ASSERT_EQ(t, talloc_live(fx.ta), live);
	IT_ASSERT_RET(t, iopgt_iova_to_phys(&fx.pt, far + 8, &pa), 0);
	IT_ASSERT_EQ(t, pa, unit + 8);
	IT_ASSERT_RET(t, iopgt_iova_to_phys(&fx.pt, 8, &pa), 0);
	IT_ASSERT_EQ(t, pa, 8);
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_teardown(&fx));
}

const struct it_case it_cases_coverage[] = {
#ifndef __KERNEL__
	{ "strerror_names_every_error_code",
	  strerror_names_every_error_code },
#endif
	{ "tracking_switch_converts_writable_leaves_where_encoded",
	  tracking_switch_converts_writable_leaves_where_encoded },
	{ "split_carries_a_dirty_update_before_the_install",
	  split_carries_a_dirty_update_before_the_install },
	{ "release_turns_a_stray_table_dirty_mark_into_dirty_leaves",
	  release_turns_a_stray_table_dirty_mark_into_dirty_leaves },
	{ "map_that_loses_a_table_install_uses_the_winners_table",
	  map_that_loses_a_table_install_uses_the_winners_table },
	{ "init_refuses_what_the_format_cannot_build",
	  init_refuses_what_the_format_cannot_build },
	{ "gather_keeps_one_bitmap_and_refuses_another",
	  gather_keeps_one_bitmap_and_refuses_another },
	{ "validate_names_a_misaligned_or_out_of_range_leaf",
	  validate_names_a_misaligned_or_out_of_range_leaf },
	{ "walks_over_holes_change_nothing", walks_over_holes_change_nothing },
};

const unsigned int it_ncases_coverage = sizeof(it_cases_coverage) /
					sizeof(it_cases_coverage[0]);
