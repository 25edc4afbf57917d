// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * fuzz_ops: operation sequences against the reference model and the
 * software IOMMU.
 *
 * The input, as the data producer reads it:
 *   config   the configuration, by index (fz_begin(), fuzz_common.c)
 *   setup    bit 0 table PA != CPU address (talloc low-PA mode); bit 1
 *            dirty tracking off; bit 2 non-coherent walker (tracking off,
 *            read_dirty refused); bit 3 ARM without BBML2, then bit 7
 *            BBML1 (split and merge through nT) or else neither (split and
 *            merge refused with -EBUSY unless a fault window is allowed);
 *            bit 4 large window; bits 5-6 where the window sits; then
 *            the window's index if it sits anywhere, the PA of its start
 *            for maps whose PA follows the IOVA, and with ARM LPA2 only
 *            PA[51:50] of every PA drawn
 *   steps    until the input runs out (at most OPS_MAX_STEPS): an opcode
 *            byte (low 4 bits the operation, bits 4-5 how its arguments
 *            are drawn, bit 6 allocation failure injected before it,
 *            bit 7 the PA follows the IOVA for a map,
 *            IOPGT_SPLIT_ALLOW_FAULT for a split or merge, and
 *            IOPGT_UNMAP_CUT for an unmap or unmap_read_dirty) and the
 *            operation's arguments
 *
 * Besides single calls, three operations are sequences: a merge that
 * collapses several levels in one call and a split of a (mostly
 * multi-slot) leaf, each while the device holds translations of the range
 * across the edit and writes through them before the invalidation, then a
 * harvest (see "edits under DMA" below); and dirty tracking turned on or
 * off.
 *
 * Every operation goes to iopgt and, where it has one, to the model; the
 * return codes must be equal. After each step the table is checked through
 * three independent views: iopgt_validate(), the hwmodel's uncached walk of
 * every leaf and hole of the whole window (leaf for leaf equal to the
 * model: IOVA, size, OA, permissions and, with tracking on, dirty state)
 * and iopgt_iova_to_phys() at every entry of the window and every page the
 * step touched (see check_step()). Invalidation is exactly what each
 * gather names, so a gather too small shows up as a stale translation in
 * the hwmodel's IOTLB. An injected allocation failure must give -ENOMEM
 * and a table unchanged (no table more or less, the model unchanged), or
 * success. Any difference: a description on stderr and abort().
 *
 * The window is 1024 smallest pages placed at an interesting boundary
 * (IOVA 0, a top-level entry boundary, the top of ias, or anywhere), or
 * in large mode two level-2 entries wide (at most 2048 units) with units
 * the size of a level-1 entry, so that the biggest leaves take part while
 * the leaf count stays small.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "model/model.h"
#include "producer.h"

#define OPS_MAX_STEPS	64
#define OPS_NPROBE	32
/* iova_to_phys is tried page by page up to this many pages per step */
#define OPS_PAGE_CHECKS	1024
/*
 * A large window holds at most 2^this units: every check walks each empty
 * entry of the window's lowest tables, so this bounds a step's cost.
 */
#define OPS_LARGE_UNITS_LG2	11
/* iova_to_phys is tried at most at this many slots of one leaf */
#define OPS_SLOT_CHECKS_LG2	8
#define OPS_SLOT_CHECKS		(1u << OPS_SLOT_CHECKS_LG2)
/* Most bits a dirty bitmap of one call has */
#define OPS_MAX_BITS	(1u << 16)

enum ops_op {
	OP_MAP,
	OP_MAP2,
	OP_DEEP_MERGE,
	OP_UNMAP,
	OP_SPLIT_STALE,
	OP_READ_DIRTY,
	OP_UNMAP_READ_DIRTY,
	OP_SPLIT,
	OP_MERGE,
	OP_WRITE,
	OP_TRACKING,
	OP_READ,
	OP_WRITE_RUN,
	OP_CHECK_ALL,
	OP_SPLIT_MERGE,
	OP_CLEAR_ALL,
};

/* Bits 4-5 of the opcode: how arguments are drawn. */
enum ops_args {
	ARGS_PLAIN,		/* aligned to the size drawn */
	ARGS_PLAIN2,
	ARGS_JITTER,		/* shifted by whole units */
	ARGS_HOSTILE,		/* an invalid argument */
};

#define OPC_INJECT	(1u << 6)
#define OPC_PA_FOLLOWS	(1u << 7)	/* map */
#define OPC_ALLOW_FAULT	(1u << 7)	/* split, merge */
#define OPC_CUT		(1u << 7)	/* unmap, unmap_read_dirty */

struct ops_fz {
	struct producer *p;
	struct fz_table fz;
	struct model *m;
	enum iopgt_format format;
	u64 base;		/* first IOVA of the window */
	u64 wlast;		/* last IOVA of the window */
	unsigned int window_lg2;
	unsigned int unit_lg2;	/* granularity of the ranges drawn */
	u64 pa_base;		/* PA of base if the PA follows the IOVA */
	u64 pa_high;		/* ORed into every PA drawn (LPA2) */
	bool dirty;		/* dirty state and bitmaps are compared */
	bool noncoherent;
	bool bbm_blocked;	/* ARM, neither BBML2 nor BBML1 */
	bool cut_blocked;	/* ARM without BBML2: a cut may not split */
	unsigned int step;
	char op[200];		/* what the current step does */
	int ret;		/* and what iopgt said */
	u64 probe[OPS_NPROBE];	/* IOVAs recently unmapped or changed */
	unsigned int nprobe;
	u64 touched_first, touched_last; /* what this step changed */
};

/* IOPGT_FUZZ_VERBOSE=1: one line per step on stderr (seed writing). */
static bool ops_verbose;
/*
 * Writes drawn "blind" go through fz_cached_mkdirty(), an IOMMU that
 * dirties the entry it cached as it finds it. On by default;
 * IOPGT_FUZZ_BLIND_IOTLB=0 turns it off (every write then re-reads, as the
 * software IOMMU does). The draw is made either way, so an input means the
 * same.
 */
static bool ops_blind_iotlb = true;

static void ops_fail(struct ops_fz *f, u64 iova, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

static void ops_fail(struct ops_fz *f, u64 iova, const char *fmt, ...)
{
	char state[sizeof(f->op) + 80];
	va_list ap;

	snprintf(state, sizeof(state), "\n  window 0x%llx-0x%llx, step %u: %s",
		 (unsigned long long)f->base, (unsigned long long)f->wlast,
		 f->step, f->op);
	va_start(ap, fmt);
	fz_vfail(&f->fz, iova, true, state, fmt, ap);
}

static void set_op(struct ops_fz *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_op(struct ops_fz *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->op, sizeof(f->op), fmt, ap);
	va_end(ap);
}

static void touch(struct ops_fz *f, u64 first, u64 last)
{
	if (first > last)
		return;
	if (f->touched_first > f->touched_last) {
		f->touched_first = first;
		f->touched_last = last;
		return;
	}
	if (first < f->touched_first)
		f->touched_first = first;
	if (last > f->touched_last)
		f->touched_last = last;
}

/* Touch [iova, iova + len) if it is a valid range. */
static void touch_range(struct ops_fz *f, u64 iova, u64 len)
{
	if (len && len - 1 <= ~0ull - iova)
		touch(f, iova, iova + (len - 1));
}

static void add_probe(struct ops_fz *f, u64 iova)
{
	f->probe[f->nprobe++ % OPS_NPROBE] = iova;
}

static int probe_leaf(void *ctx, const struct model_leaf *leaf)
{
	struct ops_fz *f = ctx;
	u64 last = leaf->iova + fz_lg2_mask(leaf->size_lg2);

	add_probe(f, leaf->iova);
	add_probe(f, last & ~fz_lg2_mask(f->fz.min_lg2));
	touch(f, leaf->iova, last);
	return 0;
}

/* Remember the leaves [iova, iova + len) touches before they change. */
static void probe_range(struct ops_fz *f, u64 iova, u64 len)
{
	if (len && len - 1 <= ~0ull - iova)
		model_foreach_range(f->m, iova, len, probe_leaf, f);
}

/* ---- checks ------------------------------------------------------------ */

static void check_validate(struct ops_fz *f)
{
	struct iopgt_validate_err err = { 0 };

	if (iopgt_validate(&f->fz.pt, &err))
		ops_fail(f, err.iova,
			 "iopgt_validate: %s at 0x%llx level %u pte 0x%llx",
			 err.what ? err.what : "?",
			 (unsigned long long)err.iova, err.level,
			 (unsigned long long)err.pte);
}

static int count_leaf(void *ctx, const struct model_leaf *leaf)
{
	(void)leaf;
	(*(u64 *)ctx)++;
	return 0;
}

/* One hwmodel leaf against the model and iova_to_phys. */
static void check_leaf(struct ops_fz *f, const struct hwm_walk *w)
{
	struct model_leaf leaf;
	u64 pa, iova, step, n, i;
	u32 prot;
	int ret;

	if (w->replica_mismatch)
		ops_fail(f, w->iova, "the slots of the leaf at 0x%llx disagree",
			 (unsigned long long)w->leaf_iova);
	if (!model_lookup(f->m, w->iova, &leaf))
		ops_fail(f, w->iova,
			 "hwmodel translates 0x%llx (leaf 0x%llx 2^%u -> 0x%llx), the model has nothing there",
			 (unsigned long long)w->iova,
			 (unsigned long long)w->leaf_iova, w->size_lg2,
			 (unsigned long long)w->leaf_oa);
	if (leaf.iova != w->leaf_iova || leaf.size_lg2 != w->size_lg2 ||
	    leaf.oa != w->leaf_oa)
		ops_fail(f, w->iova,
			 "at 0x%llx hwmodel leaf 0x%llx 2^%u -> 0x%llx, model leaf 0x%llx 2^%u -> 0x%llx",
			 (unsigned long long)w->iova,
			 (unsigned long long)w->leaf_iova, w->size_lg2,
			 (unsigned long long)w->leaf_oa,
			 (unsigned long long)leaf.iova, leaf.size_lg2,
			 (unsigned long long)leaf.oa);
	prot = fz_prot_effective(f->format, leaf.prot);
	if (w->readable != !!(prot & IOPGT_READ) ||
	    w->writable != !!(prot & IOPGT_WRITE))
		ops_fail(f, w->iova,
			 "leaf 0x%llx: hwmodel r%d w%d, model prot 0x%x",
			 (unsigned long long)leaf.iova, w->readable,
			 w->writable, leaf.prot);
	if (f->dirty && w->dirty != leaf.dirty)
		ops_fail(f, w->iova, "leaf 0x%llx: hwmodel dirty %d, model %d",
			 (unsigned long long)leaf.iova, w->dirty, leaf.dirty);
	/*
	 * The last page and the first page of every slot the leaf fills
	 * (each slot is an entry of its own), up to OPS_SLOT_CHECKS of
	 * them: every other page shares an entry with one of those.
	 */
	step = 1ull << (w->size_lg2 - __builtin_ctz(w->replicas));
	if (w->replicas > OPS_SLOT_CHECKS)
		step = 1ull << (w->size_lg2 - OPS_SLOT_CHECKS_LG2);
	n = (1ull << w->size_lg2) / step;
	for (i = 0; i <= n; i++) {
		iova = i < n ? leaf.iova + i * step :
			       leaf.iova + (fz_lg2_mask(leaf.size_lg2) &
					    ~fz_lg2_mask(12));
		pa = 0;
		ret = iopgt_iova_to_phys(&f->fz.pt, iova, &pa);
		if (ret || pa != leaf.oa + (iova - leaf.iova))
			ops_fail(f, iova,
				 "iova_to_phys(0x%llx) = %s 0x%llx, model 0x%llx",
				 (unsigned long long)iova, test_errname(ret),
				 (unsigned long long)pa,
				 (unsigned long long)(leaf.oa +
						      (iova - leaf.iova)));
	}
}

static u64 *table_va(struct ops_fz *f, u64 pa)
{
	if (f->fz.pt.cfg.ops->phys_to_virt)
		return f->fz.pt.cfg.ops->phys_to_virt(f->fz.pt.cfg.ctx, pa);
	return (u64 *)(uintptr_t)pa;
}

/*
 * The end of the hole at @iova, whose empty entry @w found: the entry's
 * end, stretched over the zero entries after it in the same table (zero
 * is empty in every format) up to @last. Top tables are not scanned: their
 * size is the format's business.
 */
static u64 hole_end(struct ops_fz *f, const struct hwm_walk *w, u64 iova,
		    u64 last)
{
	const struct iopgt *pt = &f->fz.pt;
	unsigned int lvl = w->path[w->depth - 1].level;
	u64 pte_pa = w->path[w->depth - 1].pte_pa, n, idx, *table;
	u64 item = 1ull << fz_item_lg2(pt, lvl), next = (iova | (item - 1)) + 1;

	if (lvl + 1u >= pt->levels)
		return next;
	n = 1ull << (pt->granule_lg2 - 3);
	idx = (pte_pa >> 3) & (n - 1);
	table = table_va(f, pte_pa & ~fz_lg2_mask(pt->granule_lg2));
	while (++idx < n && next && next <= last &&
	       !__atomic_load_n(&table[idx], __ATOMIC_ACQUIRE))
		next += item;
	return next;
}

static void check_hole_pa(struct ops_fz *f, u64 iova)
{
	u64 pa = 0;
	int ret = iopgt_iova_to_phys(&f->fz.pt, iova, &pa);

	if (ret != -ENOENT)
		ops_fail(f, iova, "iova_to_phys(0x%llx) = %s 0x%llx in a hole",
			 (unsigned long long)iova, test_errname(ret),
			 (unsigned long long)pa);
}

/*
 * Walk [first, last] with the hwmodel, a leaf or a hole (empty entries,
 * whole) at a time: every leaf must be the model's, every hole empty in
 * the model and in iova_to_phys.
 */
static void check_walk(struct ops_fz *f, u64 first, u64 last)
{
	struct hwm_walk w;
	u64 iova = first & ~fz_lg2_mask(f->fz.min_lg2), next, n;
	unsigned int lvl;
	int ret;

	for (;;) {
		memset(&w, 0, sizeof(w));
		ret = hwm_walk(f->fz.hw, iova, &w);
		if (!ret) {
			check_leaf(f, &w);
			next = w.leaf_iova + (1ull << w.size_lg2);
		} else if (ret == HWM_FAULT_NOT_PRESENT && w.depth) {
			lvl = w.path[w.depth - 1].level;
			next = hole_end(f, &w, iova, last);
			n = 0;
			model_foreach_range(f->m, iova, next ? next - iova :
					    0 - iova, count_leaf, &n);
			if (n)
				ops_fail(f, iova,
					 "hwmodel finds 0x%llx-0x%llx empty (level %u), the model maps it",
					 (unsigned long long)iova,
					 (unsigned long long)(next - 1), lvl);
			check_hole_pa(f, iova);
			check_hole_pa(f, (next - 1) &
					 ~fz_lg2_mask(f->fz.min_lg2));
		} else {
			ops_fail(f, iova, "hwmodel walk of 0x%llx: %s",
				 (unsigned long long)iova, hwm_fault_name(ret));
		}
		if (!next || next - 1 >= last)
			return;
		iova = next;
	}
}

/* iova_to_phys page by page against the model. */
static void check_pages(struct ops_fz *f, u64 first, u64 last)
{
	u64 page = 1ull << f->fz.min_lg2, iova, pa, want;
	unsigned int n = 0;
	int re, rm;

	for (iova = first & ~(page - 1); n < OPS_PAGE_CHECKS; iova += page) {
		pa = want = 0;
		re = iopgt_iova_to_phys(&f->fz.pt, iova, &pa);
		rm = model_translate(f->m, iova, &want);
		if (re != rm || (!re && pa != want))
			ops_fail(f, iova,
				 "iova_to_phys(0x%llx) = %s 0x%llx, model %s 0x%llx",
				 (unsigned long long)iova, test_errname(re),
				 (unsigned long long)pa, test_errname(rm),
				 (unsigned long long)want);
		n++;
		if (iova >= last - (page - 1) || iova + page < iova)
			break;
	}
}

/* Nothing unmapped may still translate through a stale IOTLB entry. */
static void check_probes(struct ops_fz *f)
{
	unsigned int i, n = f->nprobe < OPS_NPROBE ? f->nprobe : OPS_NPROBE;
	struct model_leaf leaf;
	u64 iova, pa, want;
	int ret;

	for (i = 0; i < n; i++) {
		iova = f->probe[i];
		pa = 0;
		ret = hwm_translate(f->fz.hw, iova, HWM_READ, &pa);
		if (model_lookup(f->m, iova, &leaf)) {
			if (!(fz_prot_effective(f->format, leaf.prot) &
			      IOPGT_READ))
				continue;
			want = leaf.oa + (iova - leaf.iova);
			if (ret || pa != want)
				ops_fail(f, iova,
					 "device read at 0x%llx: %s 0x%llx, model 0x%llx",
					 (unsigned long long)iova,
					 hwm_fault_name(ret),
					 (unsigned long long)pa,
					 (unsigned long long)want);
		} else if (ret != HWM_FAULT_NOT_PRESENT) {
			ops_fail(f, iova,
				 "unmapped 0x%llx still translates (%s -> 0x%llx): stale IOTLB, a gather was too small",
				 (unsigned long long)iova, hwm_fault_name(ret),
				 (unsigned long long)pa);
		}
	}
}

/*
 * After every step: validate; the whole window walked leaf by leaf and
 * hole by hole, the hwmodel's uncached walk, the model and iova_to_phys
 * compared at every entry (check_walk(), check_leaf()); the part of the
 * window the step touched (its range, the gather's, the leaves it changed)
 * also page by page through iova_to_phys, up to OPS_PAGE_CHECKS pages; and
 * the probes through the hwmodel's caches.
 */
static void check_step(struct ops_fz *f, bool all)
{
	u64 first, last;

	check_validate(f);
	check_walk(f, f->base, f->wlast);
	if (all) {
		first = f->base;
		last = f->wlast;
	} else {
		if (f->touched_first > f->touched_last)
			goto probes;
		first = f->touched_first > f->base ? f->touched_first : f->base;
		last = f->touched_last < f->wlast ? f->touched_last : f->wlast;
		if (first > last)
			goto probes;
	}
	check_pages(f, first, last);
probes:
	check_probes(f);
}

/* ---- gathers ------------------------------------------------------------- */

static bool gather_empty(const struct iopgt_gather *g)
{
	return g->start > g->last && !g->detached;
}

/* The gather must cover what the model says the call changed. */
static void check_gather_covers(struct ops_fz *f, const struct iopgt_gather *g,
				const char *what)
{
	u64 s0, s1;

	if (!model_last_span(f->m, &s0, &s1))
		return;
	if (g->start > s0 || g->last < s1)
		ops_fail(f, s0,
			 "%s: gather 0x%llx-0x%llx misses the changed 0x%llx-0x%llx",
			 what, (unsigned long long)g->start,
			 (unsigned long long)g->last, (unsigned long long)s0,
			 (unsigned long long)s1);
}

/* Invalidate exactly what @g names, then release it. */
static void model_take_table_dirty(struct ops_fz *f, u64 first, u64 last,
				   bool clean_too);

static void flush(struct ops_fz *f, struct iopgt_gather *g,
		  const struct iopgt_bitmap *bitmap)
{
	bool widened = g->nruns == IOPGT_GATHER_RUNS;
	u64 first = g->start, last = g->last;

	if (g->start <= g->last) {
		hwm_invalidate(f->fz.hw, g->start, g->last,
			       g->flags & IOPGT_GATHER_TABLES);
		touch(f, g->start, g->last);
	}
	iopgt_gather_release(&f->fz.pt, g, bitmap);
	if (!gather_empty(g))
		ops_fail(f, ~0ull, "gather not empty after release");
	/*
	 * With its record of split runs full, release may have made more
	 * than one former leaf dirty (iopgt.h, struct iopgt_gather): an
	 * over-report the contract allows, in the gather's range only.
	 */
	if (widened && first <= last)
		model_take_table_dirty(f, first, last, false);
}

/* ---- argument drawing -------------------------------------------------- */

/* A page size at least a unit and at most half the window. */
static unsigned int draw_size(struct ops_fz *f)
{
	u64 sizes = f->fz.pt.pgsize_bitmap & ~fz_lg2_mask(f->unit_lg2) &
		    fz_lg2_mask(f->window_lg2);

	if (!sizes)
		return f->unit_lg2;
	return producer_pick(f->p, sizes);
}

struct range {
	u64 iova;
	u64 len;
};

/*
 * A range of one to four pages of 2^@s inside the window, or (JITTER)
 * shifted and stretched by whole units, or (HOSTILE) one invalid argument
 * of the kinds every call checks.
 */
static struct range draw_range(struct ops_fz *f, enum ops_args args,
			       unsigned int s)
{
	u64 win = 1ull << f->window_lg2, unit = 1ull << f->unit_lg2;
	u64 page = 1ull << f->fz.min_lg2;
	struct range r;

	r.iova = producer_u64(f->p, 0, (win >> s) - 1) << s;
	r.len = (u64)producer_u32(f->p, 1, 4) << s;
	if (args == ARGS_JITTER) {
		r.iova += producer_u32(f->p, 0, 15) * unit;
		r.len += producer_u32(f->p, 0, 15) * unit;
		if (producer_bool(f->p) && r.len > unit)
			r.len -= unit;
	}
	if (r.iova >= win)
		r.iova = win - unit;
	if (r.len > win - r.iova)
		r.len = win - r.iova;
	r.iova += f->base;
	if (args != ARGS_HOSTILE)
		return r;
	switch (producer_u32(f->p, 0, 5)) {
	case 0:
		r.len = 0;
		break;
	case 1:
		r.iova += producer_u64(f->p, 1, page - 1);
		break;
	case 2:
		r.len += producer_u64(f->p, 1, page - 1);
		break;
	case 3:
		/* Across the end of ias (or of the IOVA space) */
		if (f->fz.pt.cfg.ias < 64) {
			r.iova = (1ull << f->fz.pt.cfg.ias) -
				 producer_u32(f->p, 1, 4) * page;
			r.len = 8 * page;
			break;
		}
		/* fall through */
	case 4:
		r.iova = 0 - producer_u32(f->p, 1, 4) * page;
		r.len = 8 * page;
		break;
	default:
		r.len = ~fz_lg2_mask(f->fz.min_lg2);
		break;
	}
	return r;
}

static u32 draw_prot(struct ops_fz *f, bool random)
{
	if (!random)
		return IOPGT_READ | IOPGT_WRITE;
	/* Mostly valid: READ and/or WRITE with the other flags at random */
	if (producer_chance(f->p, 16))
		return producer_u32(f->p, 0, 63);
	return producer_u32(f->p, 1, 3) |
	       (producer_u32(f->p, 0, 7) << 2);
}

/* ---- operations -------------------------------------------------------- */

/*
 * The model's map of what iopgt answered @re to: the same answer. A valid
 * @prot goes to the model as the format can express it; an invalid one as
 * it is, for the model to refuse alike.
 */
static void map_check(struct ops_fz *f, u64 iova, u64 pa, u64 len, u32 prot,
		      int re)
{
	u32 mprot = prot;
	int rm;

	if ((prot & (IOPGT_READ | IOPGT_WRITE)) && !(prot & ~IOPGT_PROT_ALL))
		mprot = fz_prot_canonical_cfg(&f->fz.pt.cfg, prot);
	rm = model_map(f->m, iova, pa, len, mprot);
	if (re != rm)
		ops_fail(f, iova, "iopgt %s, model %s", test_errname(re),
			 test_errname(rm));
}

static void op_map(struct ops_fz *f, unsigned int opc, bool inject)
{
	enum ops_args args = (opc >> 4) & 3;
	unsigned int s = draw_size(f);
	struct range r = draw_range(f, args, s);
	u64 live = talloc_live(f->fz.ta), mapped = 0x5a5a, pa, pa_bits;
	unsigned int oas = f->fz.pt.cfg.oas;
	bool pa_follows = opc & OPC_PA_FOLLOWS;
	u32 prot;
	int re;

	pa_bits = oas < 44 ? oas : 44;
	if (pa_follows)
		pa = f->pa_base + (r.iova - f->base);
	else
		pa = ((producer_u64(f->p, 0, 0xffff) << s) &
		      fz_lg2_mask(pa_bits)) | f->pa_high;
	if (args == ARGS_JITTER)
		pa += (u64)producer_u32(f->p, 0, 15) << f->unit_lg2;
	prot = draw_prot(f, producer_bool(f->p));
	if (args == ARGS_HOSTILE) {
		switch (producer_u32(f->p, 0, 3)) {
		case 1:
			pa += producer_u64(f->p, 1, fz_lg2_mask(f->fz.min_lg2));
			break;
		case 2:
			/* Across the end of oas, or of the PA space */
			pa = (oas < 64 ? 1ull << oas : 0) -
			     (1ull << f->fz.min_lg2);
			break;
		case 3:
			prot = producer_bool(f->p) ? 0 : prot | (1u << 5);
			break;
		default:
			break;
		}
	}
	set_op(f, "map 0x%llx+0x%llx -> 0x%llx prot 0x%x%s",
	       (unsigned long long)r.iova, (unsigned long long)r.len,
	       (unsigned long long)pa, prot, inject ? " (allocation fails)" :
						      "");
	re = iopgt_map(&f->fz.pt, r.iova, pa, r.len, prot, 0, &mapped);
	f->ret = re;
	talloc_fail_after(f->fz.ta, -1);
	if (inject && re == -ENOMEM) {
		if (talloc_live(f->fz.ta) != live)
			ops_fail(f, r.iova,
				 "map failed with -ENOMEM but live tables went from %llu to %llu",
				 (unsigned long long)live,
				 (unsigned long long)talloc_live(f->fz.ta));
		if (mapped)
			ops_fail(f, r.iova, "failed map reported 0x%llx mapped",
				 (unsigned long long)mapped);
		touch_range(f, r.iova, r.len);
		return;
	}
	map_check(f, r.iova, pa, r.len, prot, re);
	if (mapped != (re ? 0 : r.len))
		ops_fail(f, r.iova, "map reported 0x%llx mapped",
			 (unsigned long long)mapped);
	if (!re)
		touch_range(f, r.iova, r.len);
}

struct mapped_ctx {
	u64 first, last, bytes;
};

static int count_mapped(void *ctx, const struct model_leaf *leaf)
{
	struct mapped_ctx *c = ctx;
	u64 lf = leaf->iova, ll = lf + fz_lg2_mask(leaf->size_lg2);

	lf = lf > c->first ? lf : c->first;
	ll = ll < c->last ? ll : c->last;
	c->bytes += ll - lf + 1;
	return 0;
}

/*
 * The bytes of [@iova, @iova + @len) the model maps: what a cut must say
 * it unmapped, counted apart from model_cut()'s own answer.
 */
static u64 mapped_inside(struct ops_fz *f, u64 iova, u64 len)
{
	struct mapped_ctx c = { .first = iova, .last = iova + (len - 1) };

	if (len && len - 1 <= ~0ull - iova)
		model_foreach_range(f->m, iova, len, count_mapped, &c);
	return c.bytes;
}

/*
 * A cut that failed to allocate (an injected failure): nothing may have
 * changed, and the model, which never runs out, must have done the cut.
 */
static void cut_enomem_check(struct ops_fz *f, u64 iova, u64 len, u64 live,
			     u64 ue, const struct iopgt_gather *g)
{
	struct model *m = model_clone(f->m);
	int rm;

	if (!m)
		fz_die("out of memory");
	rm = model_cut(m, iova, len, !f->cut_blocked, NULL);
	model_destroy(m);
	if (rm)
		ops_fail(f, iova, "cut: iopgt -ENOMEM, model %s",
			 test_errname(rm));
	if (talloc_live(f->fz.ta) != live)
		ops_fail(f, iova,
			 "cut failed with -ENOMEM but live tables went from %llu to %llu",
			 (unsigned long long)live,
			 (unsigned long long)talloc_live(f->fz.ta));
	if (ue)
		ops_fail(f, iova, "failed cut reported 0x%llx unmapped",
			 (unsigned long long)ue);
	if (!gather_empty(g))
		ops_fail(f, iova, "cut failed with -ENOMEM but left work in the gather");
}

/*
 * iopgt_unmap() of [@iova, @iova + @len) (with @bm, iopgt_unmap_read_dirty())
 * and the model's unmap: the same answer and the same length unmapped; the
 * gather covers what changed, or after a failure holds no work, but for
 * -ENOENT: emptied tables may have been detached, then with a range to
 * invalidate. The gather is flushed (dirty state released into @bm).
 *
 * With IOPGT_UNMAP_CUT in @flags, the model cuts too (model_cut(): a leaf
 * reaching past an end is split first, and refused with -EBUSY on ARM
 * without BBML2, as the engine's cut refuses any break-before-make), and
 * a success must report exactly the bytes of the range the model mapped
 * (the whole length when it had no hole). @inject: an allocation failure
 * is armed; a cut may then fail with -ENOMEM and nothing changed.
 *
 * Return: iopgt's answer.
 */
static int unmap_checked(struct ops_fz *f, u64 iova, u64 len,
			 struct iopgt_bitmap *bm, u32 flags, bool inject)
{
	const char *what = bm ? "unmap_read_dirty" : "unmap";
	bool cut = flags & IOPGT_UNMAP_CUT;
	u64 ue = 0x5a5a, um = 0, want = 0, live = talloc_live(f->fz.ta);
	struct iopgt_gather g;
	int re, rm;

	probe_range(f, iova, len);
	if (cut) {
		want = mapped_inside(f, iova, len);
		/*
		 * The pages at the ends, inside the range, must go; probed
		 * only in the window (a hostile range may leave ias).
		 */
		if (len && len - 1 <= ~0ull - iova && iova >= f->base &&
		    iova + (len - 1) <= f->wlast) {
			add_probe(f, iova & ~fz_lg2_mask(f->fz.min_lg2));
			add_probe(f, (iova + (len - 1)) &
					     ~fz_lg2_mask(f->fz.min_lg2));
		}
	}
	iopgt_gather_init(&g);
	if (bm)
		re = iopgt_unmap_read_dirty(&f->fz.pt, iova, len, flags, bm,
					    &g, &ue);
	else
		re = iopgt_unmap(&f->fz.pt, iova, len, flags, &g, &ue);
	f->ret = re;
	talloc_fail_after(f->fz.ta, -1);
	if (cut && inject && re == -ENOMEM) {
		cut_enomem_check(f, iova, len, live, ue, &g);
		flush(f, &g, bm);
		return re;
	}
	if (cut)
		rm = model_cut(f->m, iova, len, !f->cut_blocked, &um);
	else
		rm = model_unmap(f->m, iova, len, &um);
	if (re != rm)
		ops_fail(f, iova, "iopgt %s, model %s", test_errname(re),
			 test_errname(rm));
	if (ue != um)
		ops_fail(f, iova, "unmapped 0x%llx, model 0x%llx",
			 (unsigned long long)ue, (unsigned long long)um);
	if (cut && !re && ue != want)
		ops_fail(f, iova,
			 "cut unmapped 0x%llx, the range held 0x%llx mapped",
			 (unsigned long long)ue, (unsigned long long)want);
	if (!re)
		check_gather_covers(f, &g, what);
	else if (re != -ENOENT && !gather_empty(&g))
		ops_fail(f, iova, "failed %s left work in the gather", what);
	else if (re == -ENOENT && g.detached && g.start > g.last)
		ops_fail(f, iova,
			 "%s detached tables without a range to invalidate",
			 what);
	flush(f, &g, bm);
	return re;
}

static void op_unmap(struct ops_fz *f, unsigned int opc, bool inject)
{
	struct range r = draw_range(f, (opc >> 4) & 3, draw_size(f));
	u32 flags = (opc & OPC_CUT) ? IOPGT_UNMAP_CUT : 0;

	set_op(f, "unmap 0x%llx+0x%llx%s%s", (unsigned long long)r.iova,
	       (unsigned long long)r.len, flags ? " CUT" : "",
	       flags && inject ? " (allocation fails)" : "");
	unmap_checked(f, r.iova, r.len, NULL, flags, inject);
}

/* A bitmap over [base, last of range] plus 64 bits that must stay clear. */
static u64 *bitmap_words(u64 iova, u64 len, u64 base, unsigned int pgshift,
			 u64 *nbits)
{
	u64 last = iova + (len - 1);
	u64 *words;

	*nbits = ((last - base) >> pgshift) + 1 + 64;
	words = calloc((*nbits + 63) / 64, sizeof(u64));
	if (!words)
		fz_die("out of memory");
	return words;
}

/*
 * A pgshift from 12 to 21, raised as far as needed to keep a bitmap over
 * [@iova, @iova + @len) within OPS_MAX_BITS (large windows).
 */
static unsigned int draw_pgshift(struct ops_fz *f, u64 iova, u64 len)
{
	unsigned int pgshift = producer_u32(f->p, 12, 21);

	if (!len || len - 1 > ~0ull - iova)
		return pgshift;
	while (pgshift < 63 &&
	       ((iova + (len - 1)) >> pgshift) - (iova >> pgshift) >=
		       OPS_MAX_BITS)
		pgshift++;
	return pgshift;
}

static void same_bits(struct ops_fz *f, const u64 *got, const u64 *want,
		      u64 nbits, u64 base, unsigned int pgshift)
{
	u64 i, iova;

	for (i = 0; i < (nbits + 63) / 64; i++) {
		if (got[i] == want[i])
			continue;
		iova = base + ((i * 64) << pgshift);
		ops_fail(f, iova,
			 "bitmap word %llu (IOVA 0x%llx, pgshift %u): iopgt 0x%016llx, model 0x%016llx",
			 (unsigned long long)i, (unsigned long long)iova,
			 pgshift, (unsigned long long)got[i],
			 (unsigned long long)want[i]);
	}
}

/* The @record callback: stretches into bits, and within the request. */
struct record_ctx {
	struct ops_fz *f;
	u64 *words, nbits, base, first, last;
	unsigned int pgshift;
};

static void record_stretch(void *ctx, u64 iova, u64 len)
{
	struct record_ctx *c = ctx;
	u64 last = iova + (len - 1), bit;

	if (!len || last < iova || iova < c->first || last > c->last)
		ops_fail(c->f, iova,
			 "record(0x%llx, 0x%llx) outside the request 0x%llx-0x%llx",
			 (unsigned long long)iova, (unsigned long long)len,
			 (unsigned long long)c->first,
			 (unsigned long long)c->last);
	for (bit = (iova - c->base) >> c->pgshift;
	     bit <= (last - c->base) >> c->pgshift && bit < c->nbits; bit++)
		c->words[bit / 64] |= 1ull << (bit % 64);
}

static void op_read_dirty(struct ops_fz *f, unsigned int opc)
{
	enum ops_args args = (opc >> 4) & 3;
	struct range r = draw_range(f, args, draw_size(f));
	unsigned int pgshift = draw_pgshift(f, r.iova, r.len);
	bool no_clear = producer_bool(f->p), record = producer_chance(f->p, 4);
	bool short_bits = producer_chance(f->p, 8);
	bool no_bitmap = producer_chance(f->p, 8);
	struct iopgt_bitmap bm = { .pgshift = pgshift };
	struct record_ctx rc = { .f = f };
	struct iopgt_gather g;
	u64 nbits = 0, *got = NULL, *want = NULL, base, back;
	int re, rm;

	set_op(f, "read_dirty 0x%llx+0x%llx pgshift %u%s%s%s%s",
	       (unsigned long long)r.iova, (unsigned long long)r.len, pgshift,
	       no_clear ? " NO_CLEAR" : "", record ? " (record)" : "",
	       short_bits ? " (short bitmap)" : "",
	       no_bitmap ? " (no bitmap)" : "");
	base = r.iova & ~fz_lg2_mask(pgshift);
	back = (u64)producer_u32(f->p, 0, 2) << pgshift;
	if (base >= f->base + back)
		base -= back;
	if (!no_bitmap && r.len && r.len - 1 <= ~0ull - r.iova) {
		got = bitmap_words(r.iova, r.len, base, pgshift, &nbits);
		want = bitmap_words(r.iova, r.len, base, pgshift, &nbits);
		if (short_bits)
			nbits = producer_u64(f->p, 1, nbits);
	}
	bm.base = base;
	if (record) {
		rc.words = got;
		rc.nbits = nbits;
		rc.base = base;
		rc.pgshift = pgshift;
		rc.first = r.iova;
		rc.last = r.iova + (r.len - 1);
		bm.record = record_stretch;
		bm.ctx = &rc;
	} else {
		bm.words = got;
		bm.nbits = nbits;
	}
	iopgt_gather_init(&g);
	re = iopgt_read_dirty(&f->fz.pt, r.iova, r.len,
			      no_clear ? IOPGT_DIRTY_NO_CLEAR : 0,
			      got ? &bm : NULL, &g);
	f->ret = re;
	if (got && !record &&
	    ((r.iova + (r.len - 1) - base) >> pgshift) >= nbits &&
	    !(rm = model_read_dirty(f->m, r.iova, r.len, false, base, pgshift,
				    NULL, 0)))
		rm = -EINVAL;	/* a bitmap short of a valid range: refused */
	else if (got)
		rm = model_read_dirty(f->m, r.iova, r.len, !no_clear, base,
				      pgshift, want, nbits);
	else
		rm = model_read_dirty(f->m, r.iova, r.len, !no_clear, base,
				      pgshift, NULL, 0);
	if (!rm && f->noncoherent)
		rm = -EOPNOTSUPP;
	if (re != rm)
		ops_fail(f, r.iova, "iopgt %s, model %s", test_errname(re),
			 test_errname(rm));
	if (!re && f->dirty) {
		if (got)
			same_bits(f, got, want, nbits, base, pgshift);
		if (!no_clear)
			check_gather_covers(f, &g, "read_dirty");
	}
	if ((re || no_clear) && !gather_empty(&g))
		ops_fail(f, r.iova, "%s read_dirty asked for an invalidation",
			 re ? "failed" : "NO_CLEAR");
	flush(f, &g, NULL);
	free(got);
	free(want);
}

struct clip_ctx {
	u64 first, last, base, nbits, *words;
	unsigned int pgshift;
};

static int mark_clipped(void *ctx, const struct model_leaf *leaf)
{
	struct clip_ctx *c = ctx;
	u64 lf = leaf->iova, ll = lf + fz_lg2_mask(leaf->size_lg2);

	if (leaf->dirty)
		model_bitmap_set(c->words, c->nbits, c->base, c->pgshift,
				 lf > c->first ? lf : c->first,
				 ll < c->last ? ll : c->last);
	return 0;
}

/*
 * With IOPGT_UNMAP_CUT (bit 7 of the opcode) exactly the range goes, so
 * the bits expected are those of the model's dirty leaves clipped to the
 * range; the parts kept stay dirty, which check_step() compares leaf by
 * leaf.
 */
static void op_unmap_read_dirty(struct ops_fz *f, unsigned int opc,
				bool inject)
{
	struct range r = draw_range(f, (opc >> 4) & 3, draw_size(f));
	unsigned int pgshift = draw_pgshift(f, r.iova, r.len);
	struct iopgt_bitmap bm = { .pgshift = pgshift };
	u32 flags = (opc & OPC_CUT) ? IOPGT_UNMAP_CUT : 0;
	u64 nbits = 0, *got = NULL, *want = NULL;
	bool valid = r.len && r.len - 1 <= ~0ull - r.iova;
	struct clip_ctx c;
	int re;

	set_op(f, "unmap_read_dirty 0x%llx+0x%llx pgshift %u%s%s",
	       (unsigned long long)r.iova, (unsigned long long)r.len, pgshift,
	       flags ? " CUT" : "",
	       flags && inject ? " (allocation fails)" : "");
	bm.base = r.iova & ~fz_lg2_mask(pgshift);
	if (valid) {
		got = bitmap_words(r.iova, r.len, bm.base, pgshift, &nbits);
		want = bitmap_words(r.iova, r.len, bm.base, pgshift, &nbits);
	} else {
		/* The range is refused before the bitmap is looked at */
		got = calloc(1, sizeof(u64));
		if (!got)
			fz_die("out of memory");
		nbits = 64;
	}
	bm.words = got;
	bm.nbits = nbits;
	if (valid && flags) {
		c.first = r.iova;
		c.last = r.iova + (r.len - 1);
		c.base = bm.base;
		c.nbits = nbits;
		c.words = want;
		c.pgshift = pgshift;
		model_foreach_range(f->m, r.iova, r.len, mark_clipped, &c);
	} else if (valid) {
		model_mark_dirty_leaves(f->m, r.iova, r.len, bm.base, pgshift,
					want, nbits);
	}
	re = unmap_checked(f, r.iova, r.len, &bm, flags, inject);
	/* A refused call reports nothing */
	if (re && valid)
		memset(want, 0, (nbits + 63) / 64 * sizeof(u64));
	if (f->dirty && valid)
		same_bits(f, got, want, nbits, bm.base, pgshift);
	free(got);
	free(want);
}

/*
 * Split or merge: with ARM break-before-make refused (neither BBML level,
 * no fault window allowed), iopgt answers -EBUSY to any valid request and
 * the model is left alone (its answer, on a copy, gives the argument
 * errors that come first). With BBML1 or a fault window, the change
 * completes in gather release, which flush() calls before any check.
 */
static int model_edit(struct ops_fz *f, bool split, u64 iova, u64 len,
		      unsigned int lg2, u32 flags)
{
	bool blocked = f->bbm_blocked && !(flags & IOPGT_SPLIT_ALLOW_FAULT);
	struct model *m = f->m;
	int ret;

	if (blocked) {
		m = model_clone(f->m);
		if (!m)
			fz_die("out of memory");
	}
	ret = split ? model_split(m, iova, len, lg2) :
		      model_merge(m, iova, len, 0);
	if (blocked) {
		model_destroy(m);
		if (!ret)
			ret = -EBUSY;
	}
	return ret;
}

/*
 * The model's answer to the split (@split) or merge iopgt answered @re to
 * must be the same; @g must cover what changed, or hold no work after a
 * failure.
 */
static void edit_check(struct ops_fz *f, bool split, u64 iova, u64 len,
		       unsigned int lg2, u32 flags, int re,
		       const struct iopgt_gather *g)
{
	const char *what = split ? "split" : "merge";
	int rm = model_edit(f, split, iova, len, lg2, flags);

	if (re != rm)
		ops_fail(f, iova, "%s: iopgt %s, model %s", what,
			 test_errname(re), test_errname(rm));
	if (!re)
		check_gather_covers(f, g, what);
	else if (!gather_empty(g))
		ops_fail(f, iova, "failed %s left work in the gather", what);
}

/*
 * A split to 2^@lg2 (@split) or a merge of [@iova, @iova + @len), checked
 * against the model. The caller flushes @g.
 */
static void edit_start(struct ops_fz *f, bool split, u64 iova, u64 len,
		       unsigned int lg2, u32 flags, struct iopgt_gather *g)
{
	int re;

	probe_range(f, iova, len);
	iopgt_gather_init(g);
	if (split)
		re = iopgt_split(&f->fz.pt, iova, len, lg2, flags, 0, g);
	else
		re = iopgt_merge(&f->fz.pt, iova, len, flags, g);
	f->ret = re;
	edit_check(f, split, iova, len, lg2, flags, re, g);
}

static void op_split(struct ops_fz *f, unsigned int opc, bool inject)
{
	enum ops_args args = (opc >> 4) & 3;
	struct range r = draw_range(f, args, draw_size(f));
	unsigned int lg2 = draw_size(f);
	u32 flags = (opc & OPC_ALLOW_FAULT) ? IOPGT_SPLIT_ALLOW_FAULT : 0;
	u64 live = talloc_live(f->fz.ta);
	struct iopgt_gather g;
	int re;

	if (args == ARGS_HOSTILE && producer_chance(f->p, 4))
		lg2 = producer_u32(f->p, 0, 70);
	set_op(f, "split 0x%llx+0x%llx to 2^%u%s%s",
	       (unsigned long long)r.iova, (unsigned long long)r.len, lg2,
	       flags ? " ALLOW_FAULT" : "",
	       inject ? " (allocation fails)" : "");
	probe_range(f, r.iova, r.len);
	iopgt_gather_init(&g);
	re = iopgt_split(&f->fz.pt, r.iova, r.len, lg2, flags, 0, &g);
	f->ret = re;
	talloc_fail_after(f->fz.ta, -1);
	if (inject && re == -ENOMEM) {
		if (!gather_empty(&g))
			ops_fail(f, r.iova, "split failed with -ENOMEM but left work in the gather");
		if (talloc_live(f->fz.ta) != live)
			ops_fail(f, r.iova,
				 "split failed with -ENOMEM but live tables went from %llu to %llu",
				 (unsigned long long)live,
				 (unsigned long long)talloc_live(f->fz.ta));
		return;
	}
	edit_check(f, true, r.iova, r.len, lg2, flags, re, &g);
	flush(f, &g, NULL);
}

static void op_merge(struct ops_fz *f, unsigned int opc)
{
	struct range r = draw_range(f, (opc >> 4) & 3, draw_size(f));
	u32 flags = (opc & OPC_ALLOW_FAULT) ? IOPGT_SPLIT_ALLOW_FAULT : 0;
	struct iopgt_gather g;

	set_op(f, "merge 0x%llx+0x%llx%s", (unsigned long long)r.iova,
	       (unsigned long long)r.len, flags ? " ALLOW_FAULT" : "");
	edit_start(f, false, r.iova, r.len, 0, flags, &g);
	flush(f, &g, NULL);
}

/* The device reads or writes one IOVA through the hwmodel. */
static void dma(struct ops_fz *f, u64 iova, bool write)
{
	struct model_leaf leaf;
	bool can;
	u64 pa = 0;
	int ret;

	can = model_lookup(f->m, iova, &leaf) &&
	      (fz_prot_effective(f->format, leaf.prot) &
	       (write ? IOPGT_WRITE : IOPGT_READ));
	ret = hwm_translate(f->fz.hw, iova, write ? HWM_WRITE : HWM_READ, &pa);
	if (can != !ret)
		ops_fail(f, iova, "device %s at 0x%llx: %s, model: %s",
			 write ? "write" : "read", (unsigned long long)iova,
			 hwm_fault_name(ret), can ? "allowed" : "not allowed");
	if (can && pa != leaf.oa + (iova - leaf.iova))
		ops_fail(f, iova, "device access at 0x%llx went to 0x%llx, model 0x%llx",
			 (unsigned long long)iova, (unsigned long long)pa,
			 (unsigned long long)(leaf.oa + (iova - leaf.iova)));
	if (can && write) {
		model_set_dirty(f->m, iova);
		touch(f, leaf.iova, leaf.iova + fz_lg2_mask(leaf.size_lg2));
	}
}

static u64 draw_iova(struct ops_fz *f)
{
	u64 pages = (u64)1 << (f->window_lg2 - 12);

	return f->base + (producer_u64(f->p, 0, pages - 1) << 12);
}

static void op_dma(struct ops_fz *f, bool write, unsigned int count)
{
	u64 iova = draw_iova(f), stride;
	unsigned int i;

	stride = 1ull << producer_u32(f->p, 12, f->window_lg2 - 4 > 12 ?
					      f->window_lg2 - 4 : 12);
	set_op(f, "device %s at 0x%llx x%u stride 0x%llx",
	       write ? "write" : "read", (unsigned long long)iova, count,
	       (unsigned long long)stride);
	for (i = 0; i < count && iova <= f->wlast; i++, iova += stride) {
		dma(f, iova, write);
		if (iova + stride < iova)
			break;
	}
}

/* Split then merge back: the same translation, the same leaves. */
static void op_split_merge(struct ops_fz *f)
{
	struct range r = draw_range(f, ARGS_PLAIN, draw_size(f));
	unsigned int lg2 = f->fz.min_lg2 > f->unit_lg2 ? f->fz.min_lg2 :
						      f->unit_lg2;
	struct iopgt_gather g;
	int re;

	set_op(f, "split 0x%llx+0x%llx to 2^%u, then merge",
	       (unsigned long long)r.iova, (unsigned long long)r.len, lg2);
	edit_start(f, true, r.iova, r.len, lg2, 0, &g);
	flush(f, &g, NULL);
	check_validate(f);
	/* Not edit_start(): the probes stay on the leaves before the split */
	iopgt_gather_init(&g);
	re = iopgt_merge(&f->fz.pt, r.iova, r.len, 0, &g);
	f->ret = re;
	edit_check(f, false, r.iova, r.len, 0, 0, re, &g);
	flush(f, &g, NULL);
}

/* Unmap the whole window: everything must go, and say so. */
static void op_clear_all(struct ops_fz *f)
{
	set_op(f, "unmap the window");
	unmap_checked(f, f->base, f->wlast - f->base + 1, NULL, 0, false);
	if (model_count(f->m))
		ops_fail(f, f->base, "model not empty after unmapping all");
	touch(f, f->base, f->wlast);
}

/* ---- edits under DMA --------------------------------------------------- */

/*
 * The operations below edit a range while the device holds translations
 * of it in the hwmodel's IOTLB and paging-structure cache: it reads and
 * writes before the edit, reads and writes again after it but before the
 * gather's range is invalidated (through the stale entries), then exactly
 * the gather's range is invalidated, the gather released, and a harvest
 * must report every write the model saw complete (the model marks the
 * leaf that translates the IOVA once the edit is done). Over-reporting is
 * allowed: dirty state the table shows beyond the model's in the harvested
 * range is taken into the model before the harvest is compared, so the
 * harvest must match the table exactly and cover every write.
 *
 * With "blind" drawn and IOPGT_FUZZ_BLIND_IOTLB set, a write through a
 * translation the device cached before the edit goes to
 * fz_cached_mkdirty() (an IOMMU that updates the entry it cached without
 * looking again) where the format allows that, and to the hwmodel
 * otherwise.
 */
#define OPS_NSTALE		16
#define OPS_NSPOTS		8
/* Splits made to set up an edit make at most 2^this leaves of one */
#define OPS_SPLIT_SPAN		10
/* Most bits the harvest after an edit under DMA reports at the page size */
#define OPS_HARVEST_BITS_LG2	18

struct stale_ent {
	u64 leaf_iova;
	u64 leaf_oa;
	u64 pte_pa;
	unsigned int size_lg2;
	unsigned int level;
};

struct stale {
	const char *name;	/* the operation, for set_phase() */
	bool blind;
	unsigned int n;
	struct stale_ent ent[OPS_NSTALE];	/* what the device cached */
	unsigned int nspots;
	struct range spot[OPS_NSPOTS];	/* where its accesses go */
};

static void set_phase(struct ops_fz *f, const struct stale *s,
		      const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* set_op() for one phase of an operation; traced with IOPGT_FUZZ_VERBOSE */
static void set_phase(struct ops_fz *f, const struct stale *s,
		      const char *fmt, ...)
{
	char what[120];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	set_op(f, "%s: %s", s->name, what);
	if (ops_verbose)
		fprintf(stderr, "fuzz_ops: step %u:   %s\n", f->step, f->op);
}

/* Sizes the config offers in [2^@lo, 2^@hi) */
static u64 sizes_between(const struct ops_fz *f, int lo, unsigned int hi)
{
	return f->fz.pt.pgsize_bitmap & fz_lg2_mask(hi) &
	       ~fz_lg2_mask(lo > 0 ? (unsigned int)lo : 0);
}

static void stale_add_spot(struct stale *s, u64 iova, u64 len)
{
	if (s->nspots < OPS_NSPOTS) {
		s->spot[s->nspots].iova = iova;
		s->spot[s->nspots].len = len;
		s->nspots++;
	}
}

/* A 4K-aligned IOVA in one of the spots */
static u64 stale_draw_iova(struct ops_fz *f, const struct stale *s)
{
	const struct range *r = &s->spot[producer_u32(f->p, 0,
						      s->nspots - 1)];

	return r->iova + (producer_u64(f->p, 0, (r->len >> 12) - 1) << 12);
}

/* The device touched @iova: remember the entry its IOMMU cached. */
static void stale_remember(struct ops_fz *f, struct stale *s, u64 iova)
{
	struct stale_ent *e;
	struct hwm_walk w;

	memset(&w, 0, sizeof(w));
	if (s->n >= OPS_NSTALE || hwm_walk(f->fz.hw, iova, &w))
		return;
	e = &s->ent[s->n++];
	e->leaf_iova = w.leaf_iova;
	e->leaf_oa = w.leaf_oa;
	e->pte_pa = w.pte_pa;
	e->size_lg2 = w.size_lg2;
	e->level = w.level;
}

/*
 * A write at @iova through @e, cached before the edit, by an IOMMU that
 * updates the entry it cached. False if it would walk again instead.
 */
static bool stale_blind_write(struct ops_fz *f, const struct stale_ent *e,
			      u64 iova)
{
	u64 pa = e->leaf_oa + (iova - e->leaf_iova);
	struct model_leaf leaf;

	if (!f->dirty || !model_lookup(f->m, iova, &leaf) ||
	    !(fz_prot_effective(f->format, leaf.prot) & IOPGT_WRITE))
		return false;
	/* split and merge never change a translation */
	if (pa != leaf.oa + (iova - leaf.iova))
		ops_fail(f, iova,
			 "0x%llx translated to 0x%llx before the edit, the model has 0x%llx",
			 (unsigned long long)iova, (unsigned long long)pa,
			 (unsigned long long)(leaf.oa + (iova - leaf.iova)));
	if (!fz_cached_mkdirty(f->format, e->level, table_va(f, e->pte_pa)))
		return false;
	model_set_dirty(f->m, iova);
	touch(f, leaf.iova, leaf.iova + fz_lg2_mask(leaf.size_lg2));
	return true;
}

/* Device reads and writes before the edit: they fill the caches. */
static void stale_prime(struct ops_fz *f, struct stale *s)
{
	unsigned int i, n = producer_u32(f->p, 0, 8);
	bool write;
	u64 iova;

	for (i = 0; i < n; i++) {
		iova = stale_draw_iova(f, s);
		write = producer_chance(f->p, 4);
		if (ops_verbose)
			fprintf(stderr, "fuzz_ops:     device %s at 0x%llx\n",
				write ? "write" : "read",
				(unsigned long long)iova);
		dma(f, iova, write);
		stale_remember(f, s, iova);
	}
}

/*
 * Device accesses after the edit, before the invalidation: at an IOVA a
 * cached translation covers (through the IOTLB) or anywhere in the spots
 * (through cached table pointers, or a fresh walk).
 */
static void stale_after(struct ops_fz *f, struct stale *s)
{
	unsigned int i, n = producer_u32(f->p, 0, 16);
	const struct stale_ent *e;
	bool write;
	u64 iova;

	for (i = 0; i < n; i++) {
		write = !producer_chance(f->p, 4);
		e = NULL;
		if (s->n && producer_bool(f->p)) {
			e = &s->ent[producer_u32(f->p, 0, s->n - 1)];
			iova = e->leaf_iova +
			       (producer_u64(f->p, 0,
					     fz_lg2_mask(e->size_lg2 - 12))
				<< 12);
		} else {
			iova = stale_draw_iova(f, s);
		}
		if (ops_verbose && e)
			fprintf(stderr,
				"fuzz_ops:     device %s at 0x%llx, cached as 0x%llx+2^%u\n",
				write ? "write" : "read",
				(unsigned long long)iova,
				(unsigned long long)e->leaf_iova, e->size_lg2);
		else if (ops_verbose)
			fprintf(stderr, "fuzz_ops:     device %s at 0x%llx\n",
				write ? "write" : "read",
				(unsigned long long)iova);
		if (write && s->blind && e && stale_blind_write(f, e, iova))
			continue;
		dma(f, iova, write);
	}
}

struct leaf_list {
	struct model_leaf *v;
	size_t n, cap;
};

static int collect_leaf(void *ctx, const struct model_leaf *leaf)
{
	struct leaf_list *l = ctx;
	struct model_leaf *grown;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		grown = realloc(l->v, l->cap * sizeof(*l->v));
		if (!grown)
			fz_die("out of memory");
		l->v = grown;
	}
	l->v[l->n++] = *leaf;
	return 0;
}

/*
 * Take the table's dirty state into the model for the leaves intersecting
 * [@first, @last]: where the table is dirty and the model is not (an
 * over-report, which is allowed), and with @clean_too also where the table
 * is clean (the model's state is not the table's to keep: tracking was
 * off). A leaf the model has dirty and the table clean is left alone
 * otherwise: the harvest that follows reports the write lost.
 */
static void model_take_table_dirty(struct ops_fz *f, u64 first, u64 last,
				   bool clean_too)
{
	struct leaf_list l = { 0 };
	struct hwm_walk w;
	size_t i;

	model_foreach_range(f->m, first, last - first + 1, collect_leaf, &l);
	for (i = 0; i < l.n; i++) {
		memset(&w, 0, sizeof(w));
		/* anything else is check_walk()'s to report */
		if (hwm_walk(f->fz.hw, l.v[i].iova, &w) ||
		    w.leaf_iova != l.v[i].iova || w.size_lg2 != l.v[i].size_lg2)
			continue;
		if (w.dirty && !l.v[i].dirty)
			model_set_dirty(f->m, l.v[i].iova);
		else if (clean_too && !w.dirty && l.v[i].dirty)
			model_read_dirty(f->m, l.v[i].iova,
					 1ull << l.v[i].size_lg2, true,
					 l.v[i].iova, 12, NULL, 0);
	}
	free(l.v);
}

/*
 * After the invalidation and release: a harvest of [@first, @last] at the
 * smallest page size (coarser only beyond 2^OPS_HARVEST_BITS_LG2 bits)
 * must report every page the model has dirty.
 */
static void harvest_check(struct ops_fz *f, struct stale *s, u64 first,
			  u64 last)
{
	bool clear = producer_bool(f->p);
	unsigned int pgshift = f->fz.min_lg2;
	u64 len = last - first + 1, nbits, *got, *want, base, i, bit, miss;
	struct iopgt_bitmap bm = { 0 };
	struct iopgt_gather g;
	struct model_leaf leaf;
	u64 iova;
	int re, rm;

	while (((last >> pgshift) - (first >> pgshift)) >>
	       OPS_HARVEST_BITS_LG2)
		pgshift++;
	set_phase(f, s, "harvest 0x%llx-0x%llx pgshift %u%s",
		  (unsigned long long)first, (unsigned long long)last, pgshift,
		  clear ? "" : " NO_CLEAR");
	if (f->dirty)
		model_take_table_dirty(f, first, last, false);
	base = first & ~fz_lg2_mask(pgshift);
	got = bitmap_words(first, len, base, pgshift, &nbits);
	want = bitmap_words(first, len, base, pgshift, &nbits);
	bm.base = base;
	bm.pgshift = pgshift;
	bm.words = got;
	bm.nbits = nbits;
	iopgt_gather_init(&g);
	re = iopgt_read_dirty(&f->fz.pt, first, len,
			      clear ? 0 : IOPGT_DIRTY_NO_CLEAR, &bm, &g);
	f->ret = re;
	rm = model_read_dirty(f->m, first, len, clear, base, pgshift, want,
			      nbits);
	if (!rm && f->noncoherent)
		rm = -EOPNOTSUPP;
	if (re != rm)
		ops_fail(f, first, "iopgt %s, model %s", test_errname(re),
			 test_errname(rm));
	for (i = 0; !re && f->dirty && i < (nbits + 63) / 64; i++) {
		miss = want[i] & ~got[i];
		if (!miss)
			continue;
		bit = i * 64 + __builtin_ctzll(miss);
		iova = base + (bit << pgshift);
		if (iova < first)
			iova = first;
		memset(&leaf, 0, sizeof(leaf));
		model_lookup(f->m, iova, &leaf);
		ops_fail(f, iova,
			 "the harvest after the invalidation misses 0x%llx, of the model's leaf 0x%llx+2^%u the device wrote to (bitmap word %llu: iopgt 0x%016llx, model 0x%016llx)",
			 (unsigned long long)iova,
			 (unsigned long long)leaf.iova, leaf.size_lg2,
			 (unsigned long long)i, (unsigned long long)got[i],
			 (unsigned long long)want[i]);
	}
	if (!re && f->dirty) {
		same_bits(f, got, want, nbits, base, pgshift);
		if (clear)
			check_gather_covers(f, &g, "read_dirty");
	}
	flush(f, &g, NULL);
	free(got);
	free(want);
}

/* A split with nothing cached across it, to set up an edit under DMA. */
static void split_now(struct ops_fz *f, struct stale *s, u64 iova,
		      unsigned int from_lg2, unsigned int lg2)
{
	struct iopgt_gather g;

	set_phase(f, s, "split 0x%llx+0x%llx to 2^%u",
		  (unsigned long long)iova,
		  (unsigned long long)1ull << from_lg2, lg2);
	edit_start(f, true, iova, 1ull << from_lg2, lg2, 0, &g);
	flush(f, &g, NULL);
}

/* The edit of [@iova, @iova + @len) under DMA; see the top of this part. */
static void stale_edit(struct ops_fz *f, struct stale *s, bool split,
		       u64 iova, u64 len, unsigned int lg2)
{
	u64 first = iova, last = iova + (len - 1);
	struct iopgt_gather g;

	s->blind = producer_bool(f->p) && ops_blind_iotlb;
	set_phase(f, s, "device access before the edit%s",
		  s->blind ? " (blind IOTLB)" : "");
	probe_range(f, iova, len);
	stale_prime(f, s);
	if (split)
		set_phase(f, s, "split 0x%llx+0x%llx to 2^%u",
			  (unsigned long long)iova, (unsigned long long)len,
			  lg2);
	else
		set_phase(f, s, "merge 0x%llx+0x%llx",
			  (unsigned long long)iova, (unsigned long long)len);
	edit_start(f, split, iova, len, lg2, 0, &g);
	set_phase(f, s, "device access after the %s, before the invalidation",
		  split ? "split" : "merge");
	stale_after(f, s);
	if (g.start <= g.last) {
		if (g.start < first)
			first = g.start;
		if (g.last > last)
			last = g.last;
	}
	set_phase(f, s, "invalidate 0x%llx-0x%llx, release",
		  (unsigned long long)g.start, (unsigned long long)g.last);
	flush(f, &g, NULL);
	s->n = 0;
	if (first < f->base)
		first = f->base;
	if (last > f->wlast)
		last = f->wlast;
	harvest_check(f, s, first, last);
}

/*
 * Empty [@iova, @iova + 2^@lg2) and map it whole, mostly read-write.
 * Return: whether the map worked.
 */
static bool fresh_region(struct ops_fz *f, struct stale *s, u64 iova,
			 unsigned int lg2)
{
	unsigned int pa_bits = f->fz.pt.cfg.oas < 44 ? f->fz.pt.cfg.oas : 44;
	u64 len = 1ull << lg2, n = 0, pa, mapped = 0;
	u32 prot;
	int re;

	prot = producer_chance(f->p, 8) ? draw_prot(f, true) :
					  IOPGT_READ | IOPGT_WRITE;
	if (producer_bool(f->p))
		pa = f->pa_base + (iova - f->base);
	else
		pa = ((producer_u64(f->p, 0, 0xffff) << lg2) &
		      fz_lg2_mask(pa_bits)) | f->pa_high;
	model_foreach_range(f->m, iova, len, count_leaf, &n);
	if (n) {
		set_phase(f, s, "unmap 0x%llx+0x%llx",
			  (unsigned long long)iova, (unsigned long long)len);
		unmap_checked(f, iova, len, NULL, 0, false);
	}
	set_phase(f, s, "map 0x%llx+0x%llx -> 0x%llx prot 0x%x",
		  (unsigned long long)iova, (unsigned long long)len,
		  (unsigned long long)pa, prot);
	re = iopgt_map(&f->fz.pt, iova, pa, len, prot, 0, &mapped);
	f->ret = re;
	map_check(f, iova, pa, len, prot, re);
	touch_range(f, iova, len);
	return !re;
}

/*
 * A merge that collapses several levels in one call: an entry-sized
 * region (2M, 1G, ...) mapped whole, split to a smaller size (at most
 * 2^OPS_SPLIT_SPAN leaves), up to three of those leaves split further,
 * each maybe with one of its pieces split to the smallest page, then
 * merged back in one call while the device has those leaves cached.
 */
static void op_deep_merge(struct ops_fz *f)
{
	u64 win = 1ull << f->window_lg2, sizes = 0, region, sub, m;
	unsigned int l, big, s1, s2, i, nsub;
	struct stale s = { 0 };
	char name[80];

	s.name = name;
	for (l = 1; l < f->fz.pt.levels; l++) {
		big = fz_item_lg2(&f->fz.pt, l);
		if (big < f->window_lg2 && (f->fz.pt.pgsize_bitmap >> big) & 1)
			sizes |= 1ull << big;
	}
	if (!sizes) {
		set_op(f, "deep merge: no entry-sized leaf fits the window");
		return;
	}
	big = producer_pick(f->p, sizes);
	region = f->base + (producer_u64(f->p, 0, (win >> big) - 1) << big);
	snprintf(name, sizeof(name), "deep merge 0x%llx+0x%llx",
		 (unsigned long long)region, (unsigned long long)1ull << big);
	if (!fresh_region(f, &s, region, big))
		return;
	m = sizes_between(f, (int)big - OPS_SPLIT_SPAN, big);
	if (m) {
		s1 = producer_pick(f->p, m);
		split_now(f, &s, region, big, s1);
		nsub = producer_u32(f->p, 0, 3);
		for (i = 0; i < nsub; i++) {
			sub = region +
			      (producer_u64(f->p, 0, fz_lg2_mask(big - s1))
			       << s1);
			m = sizes_between(f, (int)s1 - OPS_SPLIT_SPAN, s1);
			if (!m)
				break;
			s2 = producer_pick(f->p, m);
			split_now(f, &s, sub, s1, s2);
			if (s2 > f->fz.min_lg2 &&
			    s2 - f->fz.min_lg2 <= OPS_SPLIT_SPAN &&
			    producer_bool(f->p)) {
				sub += producer_u64(f->p, 0,
						    fz_lg2_mask(s1 - s2)) << s2;
				split_now(f, &s, sub, s2, f->fz.min_lg2);
				stale_add_spot(&s, sub, 1ull << s2);
			} else {
				stale_add_spot(&s, sub, 1ull << s1);
			}
		}
	}
	stale_add_spot(&s, region, 1ull << big);
	stale_edit(f, &s, false, region, 1ull << big, 0);
}

/*
 * A split while the device has the leaf cached, mostly of a leaf that
 * fills several slots (AMD v1 replicated sizes, ARM contiguous runs),
 * in place or down a level.
 */
static void op_split_stale(struct ops_fz *f)
{
	u64 win = 1ull << f->window_lg2, natural = 0, cand, multi, region, m;
	struct stale s = { 0 };
	unsigned int l, big, lg2;
	char name[80];
	bool use_multi;

	s.name = name;
	for (l = 0; l < f->fz.pt.levels; l++)
		natural |= 1ull << fz_item_lg2(&f->fz.pt, l);
	cand = f->fz.pt.pgsize_bitmap & fz_lg2_mask(f->window_lg2) &
	       ~fz_lg2_mask(f->fz.min_lg2 + 1);
	if (!cand) {
		set_op(f, "split under DMA: no size to split fits the window");
		return;
	}
	multi = cand & ~natural;
	use_multi = !producer_chance(f->p, 4);
	big = producer_pick(f->p, use_multi && multi ? multi : cand);
	region = f->base + (producer_u64(f->p, 0, (win >> big) - 1) << big);
	snprintf(name, sizeof(name), "split under DMA 0x%llx+0x%llx",
		 (unsigned long long)region, (unsigned long long)1ull << big);
	if (!fresh_region(f, &s, region, big))
		return;
	m = sizes_between(f, (int)big - OPS_SPLIT_SPAN, big);
	if (m)
		lg2 = producer_pick(f->p, m);
	else
		lg2 = 63 - __builtin_clzll(f->fz.pt.pgsize_bitmap &
					   fz_lg2_mask(big));
	stale_add_spot(&s, region, 1ull << big);
	stale_edit(f, &s, true, region, 1ull << big, lg2);
}

/*
 * Dirty tracking on or off, as a driver does it: on, the IOMMU's dirty
 * update is enabled (DTE.HAD, PASID SSADE, CD/STE HD) and its caches
 * flushed before the table is converted; off, after. Entries cached while
 * tracking was off may say "no update needed" for writes; the flush drops
 * them. Writes made with tracking off need not be reported: turning it on
 * takes the table's dirty state as the model's.
 */
static void op_tracking(struct ops_fz *f)
{
	bool on = producer_bool(f->p), was = f->dirty;
	struct iopgt_gather g;
	int re, want;

	set_op(f, "dirty tracking %s", on ? "on" : "off");
	if (on && !f->noncoherent) {
		hwm_set_dirty_enabled(f->fz.hw, true);
		hwm_invalidate_all(f->fz.hw);
	}
	iopgt_gather_init(&g);
	re = iopgt_set_dirty_tracking(&f->fz.pt, on, &g);
	f->ret = re;
	want = on && f->noncoherent ? -EOPNOTSUPP : 0;
	if (re != want)
		ops_fail(f, ~0ull, "iopgt %s, expected %s", test_errname(re),
			 test_errname(want));
	if (re && !gather_empty(&g))
		ops_fail(f, ~0ull, "failed set_dirty_tracking left work in the gather");
	flush(f, &g, NULL);
	if (re)
		return;
	if (!on)
		hwm_set_dirty_enabled(f->fz.hw, false);
	if (f->fz.pt.dirty_tracking != on)
		ops_fail(f, ~0ull, "dirty_tracking reads %d",
			 f->fz.pt.dirty_tracking);
	f->dirty = on;
	if (on && !was)
		model_take_table_dirty(f, f->base, f->wlast, true);
	touch(f, f->base, f->wlast);
}

/* Operations an injected allocation failure is drawn for */
static bool ops_may_inject(unsigned int op)
{
	switch (op) {
	case OP_SPLIT_MERGE:	/* expects both halves to work */
	case OP_DEEP_MERGE:
	case OP_SPLIT_STALE:
	case OP_TRACKING:
		return false;
	default:
		return true;
	}
}

/* ---- setup ------------------------------------------------------------- */

static void setup(struct ops_fz *f, struct producer *p)
{
	struct iopgt *pt = &f->fz.pt;
	unsigned int flags, pos, top, l;
	struct iopgt_cfg cfg;
	u64 large, span;

	memset(f, 0, sizeof(*f));
	f->p = p;
	f->touched_first = ~0ull;
	fz_begin(&f->fz, "fuzz_ops", p);
	flags = producer_u32(p, 0, 255);
	cfg = f->fz.config->cfg;
	f->format = cfg.format;
	/* CPU addresses need 47 bits: a smaller oas needs low PAs */
	if (cfg.oas && cfg.oas < 48)
		flags |= 1;
	fz_talloc(&f->fz, 64ull << 30, (flags & 1) ? TALLOC_LOW_PA : 0);
	cfg.ops = talloc_ops_for(f->fz.ta);
	cfg.ctx = f->fz.ta;
	f->noncoherent = flags & 4;
	if (f->noncoherent)
		cfg.quirks |= IOPGT_QUIRK_NON_COHERENT;
	else if (!(flags & 2))
		cfg.quirks |= IOPGT_QUIRK_DIRTY_TRACKING;
	if (cfg.format == IOPGT_FMT_ARM_S1 || cfg.format == IOPGT_FMT_ARM_S2) {
		if (!(flags & 8))
			cfg.quirks |= IOPGT_QUIRK_ARM_BBML2;
		else if (flags & 128)
			cfg.quirks |= IOPGT_QUIRK_ARM_BBML1;
		else
			f->bbm_blocked = true;
		/*
		 * A cut splits inside an unmap, which cannot wait for the
		 * invalidation a two-step (BBML1 or fault window) split needs.
		 */
		f->cut_blocked = flags & 8;
	}
	fz_table_init(&f->fz, &cfg);
	f->dirty = pt->dirty_tracking;
	f->m = model_create(pt->pgsize_bitmap, pt->cfg.ias, pt->cfg.oas);
	if (!f->m)
		fz_die("model_create failed");
	model_set_geometry(f->m, pt->granule_lg2, pt->levels);
	fz_hwm_create(&f->fz, f->dirty, (flags & 1) ? fz_talloc_p2v : NULL,
		      f->fz.ta);

	/* The window: 1024 pages, or about two level-2 entries of units */
	f->unit_lg2 = f->fz.min_lg2;
	f->window_lg2 = f->fz.min_lg2 + 10;
	if ((flags & 16) && pt->levels > 1) {
		large = pt->pgsize_bitmap & ~fz_lg2_mask(fz_item_lg2(pt, 1));
		if (large)
			f->unit_lg2 = __builtin_ctzll(large);
		l = pt->levels > 2 ? 2 : 1;
		f->window_lg2 = fz_item_lg2(pt, l) + 1;
		if (f->window_lg2 > f->unit_lg2 + OPS_LARGE_UNITS_LG2)
			f->window_lg2 = f->unit_lg2 + OPS_LARGE_UNITS_LG2;
	}
	if (f->window_lg2 > pt->cfg.ias)
		f->window_lg2 = pt->cfg.ias;
	if (f->window_lg2 < f->unit_lg2 + 1)
		f->unit_lg2 = f->window_lg2 - 1;
	span = pt->cfg.ias >= 64 ? 0 : 1ull << pt->cfg.ias;
	pos = (flags >> 5) & 3;
	top = fz_item_lg2(pt, pt->levels - 1);
	switch (pos) {
	case 0:
		f->base = 0;
		break;
	case 1:
		/* Across the boundary of two top-level entries */
		if (top < pt->cfg.ias && top >= f->window_lg2)
			f->base = (1ull << top) - (1ull << (f->window_lg2 - 1));
		break;
	case 2:
		/* At the top of ias */
		f->base = span - (1ull << f->window_lg2);
		break;
	default:
		f->base = producer_u64(p, 0, fz_lg2_mask(pt->cfg.ias -
							 f->window_lg2))
			  << f->window_lg2;
		break;
	}
	f->wlast = f->base + fz_lg2_mask(f->window_lg2);
	f->pa_base = (producer_u64(p, 0, 0xff) << f->window_lg2) &
		     fz_lg2_mask(pt->cfg.oas < 44 ? pt->cfg.oas : 44);
	if (f->pa_base + fz_lg2_mask(f->window_lg2) >
	    fz_lg2_mask(pt->cfg.oas < 64 ? pt->cfg.oas : 64))
		f->pa_base = 0;
	/*
	 * PAs are drawn below 2^44; LPA2 keeps PA[51:50] in descriptor bits
	 * 9:8, so those configurations (and they alone: older inputs keep
	 * their meaning) draw those two bits for every PA as well.
	 */
	if ((pt->cfg.quirks & IOPGT_QUIRK_ARM_LPA2) && pt->cfg.oas >= 52)
		f->pa_high = (u64)producer_u32(p, 0, 3) << 50;
	f->pa_base |= f->pa_high;
}

static void teardown(struct ops_fz *f)
{
	set_op(f, "teardown");
	op_clear_all(f);
	check_step(f, true);
	fz_table_destroy(&f->fz);
	model_destroy(f->m);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	ops_verbose = fz_env_flag("IOPGT_FUZZ_VERBOSE", false);
	ops_blind_iotlb = fz_env_flag("IOPGT_FUZZ_BLIND_IOTLB", true);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct producer p;
	struct ops_fz f;
	unsigned int opc;
	bool inject;

	producer_init(&p, data, size);
	setup(&f, &p);
	if (ops_verbose)
		fprintf(stderr,
			"fuzz_ops: %s, window 0x%llx-0x%llx, unit 2^%u%s%s\n",
			f.fz.config->name, (unsigned long long)f.base,
			(unsigned long long)f.wlast, f.unit_lg2,
			fz_table_flags(&f.fz),
			f.fz.pt.cfg.ops->phys_to_virt ? ", low PA" : "");
	check_validate(&f);
	for (f.step = 0; f.step < OPS_MAX_STEPS && !producer_empty(&p);
	     f.step++) {
		opc = producer_u32(&p, 0, 255);
		f.ret = 0;
		inject = (opc & OPC_INJECT) && ops_may_inject(opc & 15);
		f.touched_first = ~0ull;
		f.touched_last = 0;
		if (inject)
			talloc_fail_after(f.fz.ta, producer_u32(&p, 0, 7));
		switch ((enum ops_op)(opc & 15)) {
		case OP_MAP:
		case OP_MAP2:
			op_map(&f, opc, inject);
			break;
		case OP_DEEP_MERGE:
			op_deep_merge(&f);
			break;
		case OP_UNMAP:
			op_unmap(&f, opc, inject);
			break;
		case OP_SPLIT_STALE:
			op_split_stale(&f);
			break;
		case OP_READ_DIRTY:
			op_read_dirty(&f, opc);
			break;
		case OP_UNMAP_READ_DIRTY:
			op_unmap_read_dirty(&f, opc, inject);
			break;
		case OP_SPLIT:
			op_split(&f, opc, inject);
			break;
		case OP_MERGE:
			op_merge(&f, opc);
			break;
		case OP_WRITE:
			op_dma(&f, true, 1);
			break;
		case OP_TRACKING:
			op_tracking(&f);
			break;
		case OP_READ:
			op_dma(&f, false, producer_u32(&p, 1, 8));
			break;
		case OP_WRITE_RUN:
			op_dma(&f, true, producer_u32(&p, 1, 32));
			break;
		case OP_CHECK_ALL:
			set_op(&f, "check");
			touch(&f, f.base, f.wlast);
			break;
		case OP_SPLIT_MERGE:
			op_split_merge(&f);
			break;
		case OP_CLEAR_ALL:
			op_clear_all(&f);
			break;
		}
		/* Operations that never allocate must not see the failure */
		talloc_fail_after(f.fz.ta, -1);
		if (ops_verbose)
			fprintf(stderr, "fuzz_ops: step %u: %s: %s\n", f.step,
				f.op, test_errname(f.ret));
		check_step(&f, false);
	}
	teardown(&f);
	return 0;
}
