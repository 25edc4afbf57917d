// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "fixture.h"
#include "support/prot.h"

/* Reserved, not committed; a kernel build of the suite may ask for less. */
#ifndef FX_ARENA
#define FX_ARENA (8ull << 30)
#endif

/*
 * A non-coherent walker sees only what the CPU cleaned to memory. The
 * shadow holds, per 4 KiB page of table memory, the bytes as last
 * cleaned (zero before any clean); the hwmodel reads and updates the
 * shadow through its phys_to_virt hook, and every ops->cache_clean copies
 * the cleaned bytes in. An entry written but not cleaned is invisible to
 * the hwmodel, so a missing clean is a failing translation.
 */
#define FX_SHADOW_SLOTS (1u << 16)

struct fx_shadow {
	pthread_mutex_t lock;
	struct {
		u64 page;
		u8 *copy;
	} slot[FX_SHADOW_SLOTS];
};

static u8 *fx_shadow_page(struct fx_shadow *sh, u64 page)
{
	unsigned int h = (unsigned int)((page >> 12) * 0x9e3779b1u) %
			 FX_SHADOW_SLOTS;

	while (sh->slot[h].copy && sh->slot[h].page != page)
		h = (h + 1) % FX_SHADOW_SLOTS;
	if (!sh->slot[h].copy) {
		sh->slot[h].copy = calloc(1, 4096);
		if (!sh->slot[h].copy)
			abort();
		sh->slot[h].page = page;
	}
	return sh->slot[h].copy;
}

static void fx_shadow_clean(void *arg, void *va, size_t len)
{
	struct fx_shadow *sh = arg;
	u64 at = test_pa(va), end = at + len, n;

	pthread_mutex_lock(&sh->lock);
	while (at < end) {
		n = 4096 - (at & 4095);
		if (n > end - at)
			n = end - at;
		memcpy(fx_shadow_page(sh, at & ~4095ull) + (at & 4095),
		       test_va(at), n);
		at += n;
	}
	pthread_mutex_unlock(&sh->lock);
}

static void *fx_shadow_virt(void *ctx, u64 pa)
{
	struct fx_shadow *sh = ctx;
	u8 *p;

	pthread_mutex_lock(&sh->lock);
	p = fx_shadow_page(sh, pa & ~4095ull) + (pa & 4095);
	pthread_mutex_unlock(&sh->lock);
	return p;
}

static void fx_shadow_free(struct fx_shadow *sh)
{
	unsigned int i;

	if (!sh)
		return;
	for (i = 0; i < FX_SHADOW_SLOTS; i++)
		free(sh->slot[i].copy);
	pthread_mutex_destroy(&sh->lock);
	free(sh);
}

unsigned int fx_item_lg2(const struct fx *fx, unsigned int level)
{
	return fx->pt.granule_lg2 + level * (fx->pt.granule_lg2 - 3u);
}

unsigned int fx_ias(const struct fx *fx)
{
	return fx->pt.cfg.ias;
}

bool fx_size_ok(const struct fx *fx, unsigned int size_lg2)
{
	return size_lg2 < 64 && (fx->pt.pgsize_bitmap & (1ull << size_lg2));
}

static bool fx_hwm_create(struct fx *fx, struct hwm **hw);

bool fx_setup(struct it *t, struct fx *fx, u32 quirks)
{
	struct iopgt_cfg cfg = t->config->cfg;
	int ret;

	memset(fx, 0, sizeof(*fx));
	fx->t = t;
	fx->ta = talloc_create(FX_ARENA, 0);
	if (!fx->ta) {
		IT_FAIL(t, "talloc_create failed");
		return false;
	}
	cfg.ops = talloc_ops();
	cfg.ctx = fx->ta;
	cfg.quirks |= quirks;
	if (cfg.quirks & IOPGT_QUIRK_NON_COHERENT) {
		fx->shadow = calloc(1, sizeof(*fx->shadow));
		if (!fx->shadow) {
			IT_FAIL(t, "out of memory");
			return false;
		}
		pthread_mutex_init(&fx->shadow->lock, NULL);
		talloc_set_on_clean(fx->ta, fx_shadow_clean, fx->shadow);
	}
	ret = iopgt_init(&fx->pt, &cfg);
	if (ret) {
		IT_FAIL(t, "iopgt_init: %s", test_errname(ret));
		return false;
	}
	fx->m = model_create(fx->pt.pgsize_bitmap, fx->pt.cfg.ias,
			     fx->pt.cfg.oas);
	if (!fx->m) {
		IT_FAIL(t, "model_create failed");
		return false;
	}
	model_set_geometry(fx->m, fx->pt.granule_lg2, fx->pt.levels);
	model_set_reclaim(fx->m,
			  !(fx->pt.cfg.quirks & IOPGT_QUIRK_KEEP_TABLES));
	if (fx->pt.cfg.quirks & IOPGT_QUIRK_AMD_GROW_TOP)
		model_set_grow(fx->m);
	return fx_hwm_create(fx, &fx->hw);
}

/* A software IOMMU programmed from what iopgt_hw_info() says now. */
static bool fx_hwm_create(struct fx *fx, struct hwm **hw)
{
	struct it *t = fx->t;
	struct iopgt_hw_info info;
	struct hwm_cfg hcfg = { 0 };
	int ret;

	iopgt_hw_info(&fx->pt, &info);
	hcfg.format = fx->pt.cfg.format;
	hcfg.info = info;
	if (fx->shadow) {
		hcfg.phys_to_virt = fx_shadow_virt;
		hcfg.ctx = fx->shadow;
	}
	hcfg.dirty_enabled = fx->pt.dirty_tracking;
	hcfg.vtd_snoop_ctl = fx->pt.cfg.caps & IOPGT_CAP_VTD_SNOOP;
	ret = hwm_create(hw, &hcfg);
	if (ret) {
		IT_FAIL(t, "hwm_create from iopgt_hw_info: %d", ret);
		return false;
	}
	return true;
}

bool fx_setup_dirty(struct it *t, struct fx *fx)
{
	struct iopgt_gather g;
	u64 words[1] = { 0 };
	struct iopgt_bitmap bm = { .pgshift = 12, .words = words, .nbits = 64 };
	int ret;

	if (!(t->config->cfg.quirks & IOPGT_QUIRK_NON_COHERENT)) {
		if (!fx_setup(t, fx, IOPGT_QUIRK_DIRTY_TRACKING))
			return false;
		fx->check_dirty = true;
		return true;
	}
	/* hardware dirty management needs a walker that snoops */
	if (!fx_setup(t, fx, 0))
		return false;
	iopgt_gather_init(&g);
	ret = iopgt_set_dirty_tracking(&fx->pt, true, &g);
	if (ret != -EOPNOTSUPP)
		IT_FAIL(t, "dirty tracking on a non-coherent walker: %s",
			test_errname(ret));
	ret = iopgt_read_dirty(&fx->pt, 0, 1ull << fx->pt.granule_lg2, 0, &bm,
			       &g);
	if (!t->failed && ret != -EOPNOTSUPP)
		IT_FAIL(t, "read_dirty on a non-coherent walker: %s",
			test_errname(ret));
	if (!t->failed && fx->pt.dirty_tracking)
		IT_FAIL(t, "tracking state changed by a refused call");
	fx_teardown(fx);
	if (!t->failed) {
		struct iopgt pt;
		struct iopgt_cfg cfg = t->config->cfg;
		struct talloc *ta = talloc_create(1ull << 24, 0);

		cfg.ops = talloc_ops();
		cfg.ctx = ta;
		cfg.quirks |= IOPGT_QUIRK_DIRTY_TRACKING;
		ret = ta ? iopgt_init(&pt, &cfg) : -ENOMEM;
		if (ret != -EOPNOTSUPP)
			IT_FAIL(t, "init with tracking, non-coherent: %s",
				test_errname(ret));
		if (!ret)
			iopgt_destroy(&pt);
		talloc_destroy(ta);
	}
	return false;
}

bool fx_teardown(struct fx *fx)
{
	struct it *t = fx->t;
	u64 live;

	if (fx->hw)
		hwm_destroy(fx->hw);
	if (fx->pt.root)
		iopgt_destroy(&fx->pt);
	model_destroy(fx->m);
	live = fx->ta ? talloc_live(fx->ta) : 0;
	if (fx->ta)
		talloc_destroy(fx->ta);
	fx_shadow_free(fx->shadow);
	memset(fx, 0, sizeof(*fx));
	fx->t = t;
	if (live) {
		IT_FAIL(t, "%llu tables leaked", (unsigned long long)live);
		return false;
	}
	return true;
}

/* Beyond what the table translates before its top grows further? */
static bool fx_beyond_reach(struct fx *fx, u64 iova)
{
	struct iopgt_hw_info info;

	iopgt_hw_info(&fx->pt, &info);
	return (fx->pt.cfg.quirks & IOPGT_QUIRK_AMD_GROW_TOP) &&
	       info.ias < 64 && (iova >> info.ias);
}

struct fx_old_ctx {
	struct fx *fx;
	struct hwm *old;
	u64 reach_last;
	bool ok;
};

/* A leaf the old root reaches must still translate through it. */
static int fx_old_leaf(void *ctx, const struct model_leaf *leaf)
{
	struct fx_old_ctx *c = ctx;
	u64 last = leaf->iova + ((1ull << leaf->size_lg2) - 1), pa = 0;
	int ret;

	if (last > c->reach_last)
		return 1;
	ret = hwm_translate(c->old, leaf->iova, HWM_READ, &pa);
	if (ret || pa != leaf->oa) {
		IT_FAIL(c->fx->t, "after the top grew, the old root gives %s 0x%llx for 0x%llx (want 0x%llx)",
			hwm_fault_name(ret), (unsigned long long)pa,
			(unsigned long long)leaf->iova,
			(unsigned long long)leaf->oa);
		c->ok = false;
		return 1;
	}
	return 0;
}

/*
 * The map grew the top: the model learns it; the software IOMMU, still
 * on the old root and mode (the driver has not switched the DTE yet),
 * must translate everything the old root reached; then it is programmed
 * with the new root and mode, as the driver would.
 */
bool fx_grew(struct fx *fx, unsigned int old_ias)
{
	struct fx_old_ctx c = { .fx = fx, .old = fx->hw, .ok = true,
				.reach_last = old_ias >= 64 ? ~0ull :
					      (1ull << old_ias) - 1 };
	struct hwm *hw;
	int ret;

	ret = model_grow(fx->m, fx->pt.levels);
	if (ret) {
		IT_FAIL(fx->t, "model_grow to %u levels: %s", fx->pt.levels,
			test_errname(ret));
		return false;
	}
	model_foreach(fx->m, fx_old_leaf, &c);
	if (!c.ok || !fx_hwm_create(fx, &hw))
		return false;
	hwm_destroy(fx->hw);
	fx->hw = hw;
	return true;
}

bool fx_map(struct fx *fx, u64 iova, u64 pa, u64 len, u32 prot, int want,
	    int *ret)
{
	struct it *t = fx->t;
	u64 mapped = 0x5a5a;
	u32 gen = fx->pt.top_gen;
	struct iopgt_hw_info info;
	int re, rm;

	iopgt_hw_info(&fx->pt, &info);
	re = iopgt_map(&fx->pt, iova, pa, len, prot, 0, &mapped);
	rm = model_map(fx->m, iova, pa, len, prot);
	if (fx->pt.top_gen != gen && !fx_grew(fx, info.ias))
		return false;
	if (ret)
		*ret = re;
	if (re != rm) {
		IT_FAIL(t, "map 0x%llx+0x%llx -> 0x%llx: iopgt %s, model %s",
			(unsigned long long)iova, (unsigned long long)len,
			(unsigned long long)pa, test_errname(re),
			test_errname(rm));
		return false;
	}
	if (want != FX_ANY && re != want) {
		IT_FAIL(t, "map 0x%llx+0x%llx: %s, want %s",
			(unsigned long long)iova, (unsigned long long)len,
			test_errname(re), test_errname(want));
		return false;
	}
	if (mapped != (re ? 0 : len)) {
		IT_FAIL(t, "map reported 0x%llx mapped", (unsigned long long)mapped);
		return false;
	}
	return true;
}

void fx_flush(struct fx *fx, struct iopgt_gather *g,
	      const struct iopgt_bitmap *bitmap)
{
	if (g->start <= g->last)
		hwm_invalidate(fx->hw, g->start, g->last,
			       g->flags & IOPGT_GATHER_TABLES);
	iopgt_gather_release(&fx->pt, g, bitmap);
}

static void fx_add_probe(struct fx *fx, u64 iova)
{
	fx->probe[fx->nprobe++ % FX_NPROBE] = iova;
}

static int fx_probe_leaf(void *ctx, const struct model_leaf *leaf)
{
	struct fx *fx = ctx;

	fx_add_probe(fx, leaf->iova);
	fx_add_probe(fx, leaf->iova + ((1ull << leaf->size_lg2) - 1) -
			 ((1ull << 12) - 1));
	return 0;
}

bool fx_unmap(struct fx *fx, u64 iova, u64 len, int want, int *ret)
{
	struct it *t = fx->t;
	struct iopgt_gather g;
	u64 ue = 0x5a5a, um = 0, s0, s1;
	int re, rm;

	if (len && len - 1 <= ~0ull - iova)
		model_foreach_range(fx->m, iova, len, fx_probe_leaf, fx);
	iopgt_gather_init(&g);
	re = iopgt_unmap(&fx->pt, iova, len, 0, &g, &ue);
	rm = model_unmap(fx->m, iova, len, &um);
	if (ret)
		*ret = re;
	if (re != rm) {
		IT_FAIL(t, "unmap 0x%llx+0x%llx: iopgt %s, model %s",
			(unsigned long long)iova, (unsigned long long)len,
			test_errname(re), test_errname(rm));
		return false;
	}
	if (want != FX_ANY && re != want) {
		IT_FAIL(t, "unmap 0x%llx+0x%llx: %s, want %s",
			(unsigned long long)iova, (unsigned long long)len,
			test_errname(re), test_errname(want));
		return false;
	}
	if (ue != um) {
		IT_FAIL(t, "unmap 0x%llx+0x%llx: unmapped 0x%llx, model 0x%llx",
			(unsigned long long)iova, (unsigned long long)len,
			(unsigned long long)ue, (unsigned long long)um);
		return false;
	}
	if (!re && model_last_span(fx->m, &s0, &s1) &&
	    (g.start > s0 || g.last < s1)) {
		IT_FAIL(t, "gather 0x%llx-0x%llx misses removed 0x%llx-0x%llx",
			(unsigned long long)g.start, (unsigned long long)g.last,
			(unsigned long long)s0, (unsigned long long)s1);
		return false;
	}
	if (re && (g.start <= g.last || g.detached)) {
		/* -ENOENT may only detach tables that held no leaf */
		if (re != -ENOENT || g.start > g.last) {
			IT_FAIL(t, "failed unmap left work in the gather");
			return false;
		}
	}
	fx_flush(fx, &g, NULL);
	if (g.detached || g.start <= g.last) {
		IT_FAIL(t, "gather not empty after release");
		return false;
	}
	return true;
}

struct fx_walk_ctx {
	struct fx *fx;
	struct model *into;
	bool ok;
};

/*
 * Enumerate the table through the hwmodel's own walker, leaf by leaf,
 * skipping empty entries a whole entry at a time, into a model.
 */
static bool fx_enumerate(struct fx *fx, struct model *into)
{
	struct it *t = fx->t;
	unsigned int ias = fx_ias(fx);
	u64 end_last = ias >= 64 ? ~0ull : (1ull << ias) - 1;
	struct model_leaf leaf;
	struct hwm_walk w;
	u64 iova = 0, next;
	unsigned int lvl;
	int ret;

	for (;;) {
		memset(&w, 0, sizeof(w));
		ret = hwm_walk(fx->hw, iova, &w);
		if (ret == 0) {
			if (w.replica_mismatch) {
				IT_FAIL(t, "replicas of 0x%llx disagree",
					(unsigned long long)iova);
				return false;
			}
			leaf.iova = w.leaf_iova;
			leaf.oa = w.leaf_oa;
			leaf.size_lg2 = w.size_lg2;
			leaf.prot = (w.readable ? IOPGT_READ : 0) |
				    (w.writable ? IOPGT_WRITE : 0);
			leaf.dirty = w.dirty;
			if (model_add_leaf(into, &leaf)) {
				IT_FAIL(t, "hwmodel leaf 0x%llx 2^%u overlaps",
					(unsigned long long)leaf.iova,
					leaf.size_lg2);
				return false;
			}
			next = w.leaf_iova + (1ull << w.size_lg2);
		} else if (ret == HWM_FAULT_NOT_PRESENT && w.depth) {
			lvl = w.path[w.depth - 1].level;
			next = (iova | ((1ull << fx_item_lg2(fx, lvl)) - 1)) + 1;
		} else if (ret == HWM_FAULT_RANGE && fx_beyond_reach(fx, iova)) {
			/* a top that may grow: nothing is mapped beyond */
			return true;
		} else {
			IT_FAIL(t, "hwmodel walk of 0x%llx: %s",
				(unsigned long long)iova, hwm_fault_name(ret));
			return false;
		}
		if (next == 0 || next - 1 >= end_last)
			return true;
		iova = next;
	}
}

struct model *fx_snapshot(struct fx *fx)
{
	struct model *s = model_create(fx->pt.pgsize_bitmap, fx->pt.cfg.ias,
				       fx->pt.cfg.oas);

	if (!s) {
		IT_FAIL(fx->t, "model_create failed");
		return NULL;
	}
	if (!fx_enumerate(fx, s)) {
		model_destroy(s);
		return NULL;
	}
	return s;
}

bool fx_same(struct fx *fx, struct model *a, struct model *b,
	     const char *what)
{
	struct model_diff d;
	unsigned int flags = MODEL_CMP_IGNORE_PROT;

	if (!fx->check_dirty)
		flags |= MODEL_CMP_IGNORE_DIRTY;
	if (model_equal(a, b, flags, &d))
		return true;
	IT_FAIL(fx->t,
		"%s: at 0x%llx: %s 0x%llx 2^%u -> 0x%llx d%d vs %s 0x%llx 2^%u -> 0x%llx d%d",
		what, (unsigned long long)d.iova, d.has_a ? "leaf" : "none",
		(unsigned long long)d.a.iova, d.a.size_lg2,
		(unsigned long long)d.a.oa, d.a.dirty,
		d.has_b ? "leaf" : "none", (unsigned long long)d.b.iova,
		d.b.size_lg2, (unsigned long long)d.b.oa, d.b.dirty);
	return false;
}

bool fx_unchanged(struct fx *fx, struct model *before, const char *what)
{
	struct model *now = fx_snapshot(fx);
	bool same = now && fx_same(fx, before, now, what);

	model_destroy(now);
	return same;
}

struct fx_cmp {
	struct fx *fx;
	bool ok;
};

/* Per model leaf: permissions, iova_to_phys, and a cached translation. */
static int fx_check_leaf(void *ctx, const struct model_leaf *leaf)
{
	struct fx_cmp *c = ctx;
	struct fx *fx = c->fx;
	struct it *t = fx->t;
	u64 last = leaf->iova + ((1ull << leaf->size_lg2) - 1);
	u32 prot = test_prot_effective(fx->pt.cfg.format, leaf->prot);
	u64 pa = 0;
	struct hwm_walk w;
	int ret;

	memset(&w, 0, sizeof(w));
	ret = hwm_walk(fx->hw, leaf->iova, &w);
	if (ret || w.readable != !!(prot & IOPGT_READ) ||
	    w.writable != !!(leaf->prot & IOPGT_WRITE)) {
		IT_FAIL(t, "leaf 0x%llx: hwmodel %s r%d w%d, model prot 0x%x",
			(unsigned long long)leaf->iova, hwm_fault_name(ret),
			w.readable, w.writable, leaf->prot);
		return 1;
	}
	ret = iopgt_iova_to_phys(&fx->pt, last, &pa);
	if (ret || pa != leaf->oa + (last - leaf->iova)) {
		IT_FAIL(t, "iova_to_phys(0x%llx) = %s 0x%llx, model 0x%llx",
			(unsigned long long)last, test_errname(ret),
			(unsigned long long)pa,
			(unsigned long long)(leaf->oa + (last - leaf->iova)));
		return 1;
	}
	if (prot & IOPGT_READ) {
		ret = hwm_translate(fx->hw, leaf->iova, HWM_READ, &pa);
		if (ret || pa != leaf->oa) {
			IT_FAIL(t, "device read at 0x%llx: %s 0x%llx, model 0x%llx",
				(unsigned long long)leaf->iova,
				hwm_fault_name(ret), (unsigned long long)pa,
				(unsigned long long)leaf->oa);
			return 1;
		}
	}
	return 0;
}

bool fx_check(struct fx *fx)
{
	struct it *t = fx->t;
	enum iopgt_format format = fx->pt.cfg.format;
	struct iopgt_validate_err err = { 0 };
	struct fx_cmp c = { .fx = fx, .ok = true };
	struct model *seen;
	unsigned int i, n;
	u64 pa, want;
	bool same;
	int ret;

	ret = iopgt_validate(&fx->pt, &err);
	if (ret) {
		IT_FAIL(t, "iopgt_validate: %s at 0x%llx level %u pte 0x%llx",
			err.what, (unsigned long long)err.iova, err.level,
			(unsigned long long)err.pte);
		return false;
	}
	seen = fx_snapshot(fx);
	if (!seen)
		return false;
	same = fx_same(fx, seen, fx->m, "hardware view vs model");
	model_destroy(seen);
	if (!same)
		return false;
	if (model_foreach(fx->m, fx_check_leaf, &c))
		return false;

	/* What was unmapped must not translate through a stale IOTLB entry */
	n = fx->nprobe < FX_NPROBE ? fx->nprobe : FX_NPROBE;
	for (i = 0; i < n; i++) {
		struct model_leaf leaf;
		u64 iova = fx->probe[i];

		ret = hwm_translate(fx->hw, iova, HWM_READ, &pa);
		if (model_lookup(fx->m, iova, &leaf)) {
			if (!(test_prot_effective(format, leaf.prot) &
			      IOPGT_READ))
				continue;
			want = leaf.oa + (iova - leaf.iova);
			if (ret || pa != want) {
				IT_FAIL(t, "probe 0x%llx: %s 0x%llx, model 0x%llx",
					(unsigned long long)iova,
					hwm_fault_name(ret),
					(unsigned long long)pa,
					(unsigned long long)want);
				return false;
			}
		} else if (ret != HWM_FAULT_NOT_PRESENT) {
			IT_FAIL(t, "unmapped 0x%llx still translates (%s -> 0x%llx): stale IOTLB, the gather was too small",
				(unsigned long long)iova, hwm_fault_name(ret),
				(unsigned long long)pa);
			return false;
		}
	}
	return true;
}

bool fx_dma_write(struct fx *fx, u64 iova)
{
	struct it *t = fx->t;
	struct model_leaf leaf;
	bool can;
	u64 pa;
	int ret;

	can = model_lookup(fx->m, iova, &leaf) && (leaf.prot & IOPGT_WRITE);
	ret = hwm_translate(fx->hw, iova, HWM_WRITE, &pa);
	if (can != !ret) {
		IT_FAIL(t, "device write at 0x%llx: %s, model %s",
			(unsigned long long)iova, hwm_fault_name(ret),
			can ? "writable" : "not writable");
		return false;
	}
	if (can && pa != leaf.oa + (iova - leaf.iova)) {
		IT_FAIL(t, "device write at 0x%llx went to 0x%llx, model 0x%llx",
			(unsigned long long)iova, (unsigned long long)pa,
			(unsigned long long)(leaf.oa + (iova - leaf.iova)));
		return false;
	}
	if (can)
		model_set_dirty(fx->m, iova);
	return true;
}

static u64 *fx_bitmap_words(u64 iova, u64 len, u64 base, unsigned int pgshift,
			    u64 *nbits)
{
	u64 last = iova + (len - 1);

	/* 64 bits of slack beyond the range: they must stay clear */
	*nbits = ((last - base) >> pgshift) + 1 + 64;
	return calloc((*nbits + 63) / 64, sizeof(u64));
}

static bool fx_same_bits(struct fx *fx, const u64 *a, const u64 *b, u64 nbits,
			 u64 base, unsigned int pgshift, const char *what)
{
	u64 i;

	for (i = 0; i < (nbits + 63) / 64; i++) {
		if (a[i] == b[i])
			continue;
		IT_FAIL(fx->t,
			"%s: bitmap word %llu (IOVA 0x%llx, pgshift %u): iopgt 0x%016llx, model 0x%016llx",
			what, (unsigned long long)i,
			(unsigned long long)(base + ((i * 64) << pgshift)),
			pgshift, (unsigned long long)a[i],
			(unsigned long long)b[i]);
		return false;
	}
	return true;
}

bool fx_read_dirty(struct fx *fx, u64 iova, u64 len, u32 flags, u64 base,
		   unsigned int pgshift)
{
	struct it *t = fx->t;
	struct iopgt_bitmap bm = { .base = base, .pgshift = pgshift };
	struct iopgt_gather g;
	u64 nbits, *got, *want, s0, s1;
	bool clear = !(flags & IOPGT_DIRTY_NO_CLEAR), ok = false;
	int re, rm;

	got = fx_bitmap_words(iova, len, base, pgshift, &nbits);
	want = fx_bitmap_words(iova, len, base, pgshift, &nbits);
	if (!got || !want) {
		IT_FAIL(t, "out of memory");
		goto out;
	}
	bm.words = got;
	bm.nbits = nbits;
	iopgt_gather_init(&g);
	re = iopgt_read_dirty(&fx->pt, iova, len, flags, &bm, &g);
	rm = model_read_dirty(fx->m, iova, len, clear, base, pgshift, want,
			      nbits);
	if (re || rm) {
		IT_FAIL(t, "read_dirty 0x%llx+0x%llx: iopgt %s, model %s",
			(unsigned long long)iova, (unsigned long long)len,
			test_errname(re), test_errname(rm));
		goto out;
	}
	if (!fx_same_bits(fx, got, want, nbits, base, pgshift, "read_dirty"))
		goto out;
	if (clear && model_last_span(fx->m, &s0, &s1) &&
	    (g.start > s0 || g.last < s1)) {
		IT_FAIL(t, "gather 0x%llx-0x%llx misses cleaned 0x%llx-0x%llx",
			(unsigned long long)g.start, (unsigned long long)g.last,
			(unsigned long long)s0, (unsigned long long)s1);
		goto out;
	}
	if (!clear && g.start <= g.last) {
		IT_FAIL(t, "NO_CLEAR read asked for an invalidation");
		goto out;
	}
	fx_flush(fx, &g, NULL);
	ok = true;
out:
	free(got);
	free(want);
	return ok;
}

bool fx_unmap_read_dirty(struct fx *fx, u64 iova, u64 len, u64 base,
			 unsigned int pgshift, int want)
{
	struct it *t = fx->t;
	struct iopgt_bitmap bm = { .base = base, .pgshift = pgshift };
	struct iopgt_gather g;
	u64 nbits, *got, *exp, ue = 0, um = 0, first, span;
	bool ok = false;
	int re, rm;

	/* the whole leaves the range touches go, so may their dirty bits */
	first = iova;
	span = len;
	got = fx_bitmap_words(first, span, base, pgshift, &nbits);
	exp = calloc((nbits + 63) / 64 + 64, sizeof(u64));
	if (!got || !exp) {
		IT_FAIL(t, "out of memory");
		goto out;
	}
	bm.words = got;
	bm.nbits = nbits;
	model_mark_dirty_leaves(fx->m, iova, len, base, pgshift, exp, nbits);
	model_foreach_range(fx->m, iova, len, fx_probe_leaf, fx);

	iopgt_gather_init(&g);
	re = iopgt_unmap_read_dirty(&fx->pt, iova, len, 0, &bm, &g, &ue);
	rm = model_unmap(fx->m, iova, len, &um);
	if (re != rm || (want != FX_ANY && re != want) || ue != um) {
		IT_FAIL(t, "unmap_read_dirty 0x%llx+0x%llx: iopgt %s 0x%llx, model %s 0x%llx",
			(unsigned long long)iova, (unsigned long long)len,
			test_errname(re), (unsigned long long)ue,
			test_errname(rm), (unsigned long long)um);
		goto out;
	}
	fx_flush(fx, &g, &bm);
	if (!fx_same_bits(fx, got, exp, nbits, base, pgshift,
			  "unmap_read_dirty"))
		goto out;
	ok = true;
out:
	free(got);
	free(exp);
	return ok;
}

bool fx_bbm_blocked(const struct fx *fx)
{
	enum iopgt_format f = fx->pt.cfg.format;

	return (f == IOPGT_FMT_ARM_S1 || f == IOPGT_FMT_ARM_S2) &&
	       !(fx->pt.cfg.quirks & (IOPGT_QUIRK_ARM_BBML2 |
				      IOPGT_QUIRK_ARM_BBML1));
}

static bool fx_edit_done(struct fx *fx, const char *what, u64 iova, u64 len,
			 int re, int rm, int want, struct iopgt_gather *g)
{
	struct it *t = fx->t;
	u64 s0, s1;

	if (fx_bbm_blocked(fx)) {
		if (re != -EBUSY) {
			IT_FAIL(t, "%s without BBML2: %s, want -EBUSY", what,
				test_errname(re));
			return false;
		}
		if (g->start <= g->last || g->detached) {
			IT_FAIL(t, "%s refused but left work in the gather",
				what);
			return false;
		}
		return true;
	}
	if (re != rm || (want != FX_ANY && re != want)) {
		IT_FAIL(t, "%s 0x%llx+0x%llx: iopgt %s, model %s", what,
			(unsigned long long)iova, (unsigned long long)len,
			test_errname(re), test_errname(rm));
		return false;
	}
	if (!re && model_last_span(fx->m, &s0, &s1) &&
	    (g->start > s0 || g->last < s1)) {
		IT_FAIL(t, "%s: gather 0x%llx-0x%llx misses 0x%llx-0x%llx",
			what, (unsigned long long)g->start,
			(unsigned long long)g->last, (unsigned long long)s0,
			(unsigned long long)s1);
		return false;
	}
	fx_flush(fx, g, NULL);
	return true;
}

bool fx_split(struct fx *fx, u64 iova, u64 len, unsigned int lg2, int want)
{
	struct iopgt_gather g;
	int re, rm = -EBUSY;

	if (len && len - 1 <= ~0ull - iova)
		model_foreach_range(fx->m, iova, len, fx_probe_leaf, fx);
	iopgt_gather_init(&g);
	re = iopgt_split(&fx->pt, iova, len, lg2, 0, 0, &g);
	if (!fx_bbm_blocked(fx))
		rm = model_split(fx->m, iova, len, lg2);
	return fx_edit_done(fx, "split", iova, len, re, rm, want, &g);
}

bool fx_merge(struct fx *fx, u64 iova, u64 len, int want)
{
	struct iopgt_gather g;
	int re, rm = -EBUSY;

	if (len && len - 1 <= ~0ull - iova)
		model_foreach_range(fx->m, iova, len, fx_probe_leaf, fx);
	iopgt_gather_init(&g);
	re = iopgt_merge(&fx->pt, iova, len, 0, &g);
	if (!fx_bbm_blocked(fx))
		rm = model_merge(fx->m, iova, len, 0);
	return fx_edit_done(fx, "merge", iova, len, re, rm, want, &g);
}

/* ARM without BBML2 cannot turn a block into a table in one step. */
bool fx_cut_blocked(const struct fx *fx)
{
	enum iopgt_format f = fx->pt.cfg.format;

	return (f == IOPGT_FMT_ARM_S1 || f == IOPGT_FMT_ARM_S2) &&
	       !(fx->pt.cfg.quirks & IOPGT_QUIRK_ARM_BBML2);
}

struct fx_clip_ctx {
	u64 first, last, base, nbits, *words;
	unsigned int pgshift;
};

/* A cut reports the dirty part of the range only. */
static int fx_mark_clipped(void *ctx, const struct model_leaf *leaf)
{
	struct fx_clip_ctx *c = ctx;
	u64 lf = leaf->iova, ll = lf + ((1ull << leaf->size_lg2) - 1);

	if (leaf->dirty)
		model_bitmap_set(c->words, c->nbits, c->base, c->pgshift,
				 lf > c->first ? lf : c->first,
				 ll < c->last ? ll : c->last);
	return 0;
}

bool fx_cut(struct fx *fx, u64 iova, u64 len, bool read_dirty, u64 base,
	    unsigned int pgshift, int want, int *ret)
{
	struct it *t = fx->t;
	struct iopgt_bitmap bm = { .base = base, .pgshift = pgshift };
	struct fx_clip_ctx c = { .first = iova, .last = iova + (len - 1),
				 .base = base, .pgshift = pgshift };
	struct iopgt_gather g;
	u64 nbits = 0, *got = NULL, *exp = NULL, ue = 0x5a5a, um = 0, s0, s1;
	bool ok = false;
	int re, rm;

	if (read_dirty) {
		got = fx_bitmap_words(iova, len, base, pgshift, &nbits);
		exp = fx_bitmap_words(iova, len, base, pgshift, &nbits);
		if (!got || !exp) {
			IT_FAIL(t, "out of memory");
			goto out;
		}
		bm.words = got;
		bm.nbits = nbits;
		c.words = exp;
		c.nbits = nbits;
		model_foreach_range(fx->m, iova, len, fx_mark_clipped, &c);
	}
	/* the pages at both ends must not stay reachable through the IOTLB */
	fx_add_probe(fx, iova);
	fx_add_probe(fx, iova + len - (1ull << 12));
	iopgt_gather_init(&g);
	re = read_dirty ? iopgt_unmap_read_dirty(&fx->pt, iova, len,
						 IOPGT_UNMAP_CUT, &bm, &g,
						 &ue) :
			  iopgt_unmap(&fx->pt, iova, len, IOPGT_UNMAP_CUT, &g,
				      &ue);
	rm = model_cut(fx->m, iova, len, !fx_cut_blocked(fx), &um);
	if (ret)
		*ret = re;
	if (re != rm || (want != FX_ANY && re != want) || ue != um) {
		IT_FAIL(t, "cut 0x%llx+0x%llx: iopgt %s 0x%llx, model %s 0x%llx",
			(unsigned long long)iova, (unsigned long long)len,
			test_errname(re), (unsigned long long)ue,
			test_errname(rm), (unsigned long long)um);
		goto out;
	}
	if (!re && model_last_span(fx->m, &s0, &s1) &&
	    (g.start > s0 || g.last < s1)) {
		IT_FAIL(t, "gather 0x%llx-0x%llx misses cut 0x%llx-0x%llx",
			(unsigned long long)g.start, (unsigned long long)g.last,
			(unsigned long long)s0, (unsigned long long)s1);
		goto out;
	}
	if (re && re != -ENOENT && (g.start <= g.last || g.detached)) {
		IT_FAIL(t, "failed cut left work in the gather");
		goto out;
	}
	/* a refused cut reports nothing */
	if (re && exp)
		memset(exp, 0, (nbits + 63) / 64 * sizeof(u64));
	fx_flush(fx, &g, read_dirty ? &bm : NULL);
	if (read_dirty && !fx_same_bits(fx, got, exp, nbits, base, pgshift,
					"cut read_dirty"))
		goto out;
	ok = true;
out:
	free(got);
	free(exp);
	return ok;
}
