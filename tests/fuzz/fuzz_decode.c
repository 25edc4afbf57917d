// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * fuzz_decode: the engine's decoders on raw table memory.
 *
 * A table is initialised, then its memory is written from the input: the
 * root table and up to DEC_MAX_CHILDREN more, level by level, in runs of
 * entries of a few kinds (raw 64-bit values, zero, well-formed leaves of
 * any size with random permissions and accessed/dirty state, such leaves
 * with one bit flipped or one byte replaced, copies of the entry before,
 * and table entries pointing at a new table, attribute bits scrambled).
 * Then iopgt_validate(), iopgt_dump(), iopgt_iova_to_phys() on IOVAs
 * inside what was written and at random, and iopgt_read_dirty() with
 * IOPGT_DIRTY_NO_CLEAR run over it: none may crash, hang, trip a WARN_ON
 * (the core is built to abort on one) or write table memory. When
 * validate() passes, the hwmodel (which decodes entries from FORMATS.md on
 * its own) must agree with it: no entry the hardware would reject, no
 * disagreeing replicas, the same translation as iova_to_phys() for every
 * IOVA probed, and the same dirty bitmap as read_dirty() over a range.
 *
 * Never following a pointer outside the tables allocated here: after
 * everything is written, one pass classifies every entry of every table
 * with the engine's own codec (codec.h), which is what every walk of the
 * engine uses to decide whether to descend. A table entry is kept only if
 * it is the one slot a table allocated here was created for, at the
 * level above that table's, and its address field (the bits the engine's
 * make_table puts an address in: ARM's RES0 bits below a 16K or 64K
 * granule are not among them) still holds that table's address; any
 * other table entry (a raw value, a copy, a flipped bit) is cleared. So
 * every table reachable from the root is one allocated here, reached
 * through exactly one entry: no walk leaves the allocation, and none can
 * revisit a table (no cycle and no sharing, so the walks stay linear in
 * the tables' size). No format treats a level-0 entry as a table; the pass
 * clears one if a format ever does. The pass does not ask the engine's
 * table_pa decoder: the bits outside the address field are scrambled in
 * some table entries, and that decoder must find the table through them.
 * With ARM LPA2, every table PA and leaf OA gets the input's choice of
 * PA[51:50] (descriptor bits 9:8), so high addresses are decoded too.
 * The engine's phys_to_virt translates only the first byte of a table
 * allocated here and aborts on any other address (the middle of a table,
 * which a walk would then read past, or no table at all); the hwmodel's
 * translates any address inside these tables, and nothing else.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "fuzz_common.h"
#include "producer.h"
#include "support/le.h"

#define DEC_MAX_CHILDREN	8
#define DEC_MAX_PROBES		256
#define DEC_MAX_RUNS		12
#define DEC_MAX_BITS		(1u << 16)

/* IOPGT_FUZZ_VERBOSE=1: what was built and what validate said. */
static bool dec_verbose;

struct dec_table {
	u64 *va;
	u64 pa;
	unsigned int level;
	unsigned int alloc_lg2;
	unsigned int nent;
	u64 iova;		/* first IOVA the table translates */
	int parent;		/* index in dec_fz.t, -1 for the root */
	unsigned int slot;	/* entry of the parent that points here */
};

struct dec_fz {
	struct producer *p;
	struct fz_table fz;
	const struct fz_codec *c;
	const struct iopgt_ops *tops;	/* talloc's own services */
	struct iopgt_ops ops;		/* those, strict phys_to_virt */
	struct dec_table t[1 + DEC_MAX_CHILDREN];
	unsigned int nt;
	u64 probe[DEC_MAX_PROBES];
	unsigned int nprobe;
	int validated;			/* iopgt_validate()'s answer */
	u64 pa_high;			/* ORed into table PAs and leaf OAs */
};

static void dec_fail(struct dec_fz *f, u64 iova, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

/* The table is dumped only if validate passes it. */
static void dec_fail(struct dec_fz *f, u64 iova, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fz_vfail(&f->fz, iova, !f->validated,
		 f->validated ? ", validate refuses" : ", validate passes",
		 fmt, ap);
}

/* ---- table memory: talloc, translated strictly ------------------------ */

/* The hwmodel's view: any byte of a table allocated here. */
static void *dec_p2v(void *ctx, u64 pa)
{
	struct dec_fz *f = ctx;
	unsigned int i;

	for (i = 0; i < f->nt; i++)
		if (pa >= f->t[i].pa &&
		    pa - f->t[i].pa < (1ull << f->t[i].alloc_lg2))
			return (u8 *)f->t[i].va + (pa - f->t[i].pa);
	return NULL;
}

/*
 * The engine's view: it asks for tables, so only a table's first byte is
 * one. Anything else means a walk decoded a table entry to an address the
 * entry does not hold (no dump here: it would walk the same way).
 */
static void *dec_table_p2v(void *ctx, u64 pa)
{
	struct dec_fz *f = ctx;
	unsigned int i;

	for (i = 0; i < f->nt; i++)
		if (pa == f->t[i].pa)
			return f->t[i].va;
	fz_die("fuzz_decode: %s: a walk of the engine followed a table entry to 0x%llx, %s",
	       f->fz.config->name, (unsigned long long)pa,
	       dec_p2v(f, pa) ? "inside a table, not at its start" :
				"outside every table");
}

/*
 * Tables get @pa_high added to the allocator's (low) PA: nothing but the
 * two translations above reads table memory by PA.
 */
static void *dec_alloc(void *ctx, unsigned int size_lg2, iopgt_gfp_t gfp,
		       u64 *pa)
{
	struct dec_fz *f = ctx;
	void *va = f->tops->alloc_table(f->fz.ta, size_lg2, gfp, pa);

	if (va)
		*pa |= f->pa_high;
	return va;
}

static void dec_free(void *ctx, void *table, unsigned int size_lg2)
{
	struct dec_fz *f = ctx;

	f->tops->free_table(f->fz.ta, table, size_lg2);
}

static struct iopgt_table_meta *dec_meta(void *ctx, void *table)
{
	struct dec_fz *f = ctx;

	return f->tops->table_meta(f->fz.ta, table);
}

static void dec_clean(void *ctx, void *va, size_t len)
{
	struct dec_fz *f = ctx;

	f->tops->cache_clean(f->fz.ta, va, len);
}

/* ---- writing the tables ------------------------------------------------ */

static void add_probe(struct dec_fz *f, u64 iova)
{
	if (f->nprobe < DEC_MAX_PROBES)
		f->probe[f->nprobe++] = iova;
}

/* A new table for slot @slot of table @parent; -1 if none is left. */
static int new_child(struct dec_fz *f, int parent, unsigned int slot)
{
	struct dec_table *pt = &f->t[parent], *c;
	u64 pa;
	void *va;

	if (f->nt >= 1 + DEC_MAX_CHILDREN || !pt->level)
		return -1;
	va = dec_alloc(f, f->fz.pt.granule_lg2, 0, &pa);
	if (!va)
		fz_die("table allocation failed");
	c = &f->t[f->nt];
	c->va = va;
	c->pa = pa;
	c->level = pt->level - 1;
	c->alloc_lg2 = f->fz.pt.granule_lg2;
	c->nent = 1u << (f->fz.pt.granule_lg2 - 3);
	c->iova = pt->iova + ((u64)slot << fz_item_lg2(&f->fz.pt, pt->level));
	c->parent = parent;
	c->slot = slot;
	return (int)f->nt++;
}

/*
 * The bits of a table entry at @level that hold a table's address, as the
 * engine's encoder lays a granule-aligned address out (beyond oas too, so
 * that an address there is no match for a table's).
 */
static u64 table_addr_bits(struct dec_fz *f, unsigned int level)
{
	u64 all = ~fz_lg2_mask(f->fz.pt.granule_lg2);

	return f->c->make_table(&f->fz.pt, level, all) ^
	       f->c->make_table(&f->fz.pt, level, 0);
}

/* Does table entry @v at @level name the table at @pa? */
static bool names_table(struct dec_fz *f, unsigned int level, u64 v, u64 pa)
{
	u64 addr = table_addr_bits(f, level);

	return (v & addr) == (f->c->make_table(&f->fz.pt, level, pa) & addr);
}

/* A table entry at slot @slot of table @ti, pointing at a new table. */
static void put_table(struct dec_fz *f, int ti, unsigned int slot)
{
	struct dec_table *t = &f->t[ti];
	unsigned int sz;
	int ci = new_child(f, ti, slot);
	u64 v, noisy;

	if (ci < 0) {
		t->va[slot] = 0;
		return;
	}
	v = f->c->make_table(&f->fz.pt, t->level, f->t[ci].pa);
	if (producer_chance(f->p, 4)) {
		/*
		 * Scramble every bit but the address field (ARM: its RES0
		 * bits below the granule too). Whether the engine's decoder
		 * still finds the table is what the walks then test.
		 */
		noisy = v ^ (producer_u64(f->p, 0, ~0ull) &
			     ~table_addr_bits(f, t->level));
		if (f->c->classify(&f->fz.pt, t->level, noisy, &sz) ==
		    FZ_E_TABLE)
			v = noisy;
	}
	t->va[slot] = tle_raw(v);
}

/* A page size for a leaf at @level: usually one the config has there. */
static unsigned int leaf_size(struct dec_fz *f, unsigned int level)
{
	unsigned int lo = fz_item_lg2(&f->fz.pt, level);
	unsigned int hi = lo + f->fz.pt.granule_lg2 - 4;
	u64 sizes;

	if (hi > 63)
		hi = 63;
	if (lo > hi)
		lo = hi;
	sizes = f->fz.pt.pgsize_bitmap & fz_lg2_mask(hi + 1) & ~fz_lg2_mask(lo);
	if (!sizes || producer_chance(f->p, 8))
		return producer_u32(f->p, lo, hi);
	return producer_pick(f->p, sizes);
}

/*
 * A well-formed leaf (all its replicas) at @slot: returns the number of
 * slots written from @slot on. @flip: one bit of one replica flipped, or
 * one byte replaced.
 */
static unsigned int put_leaf(struct dec_fz *f, struct dec_table *t,
			     unsigned int slot, unsigned int flip)
{
	unsigned int level = t->level, ilg2 = fz_item_lg2(&f->fz.pt, level);
	unsigned int size = leaf_size(f, level), reps, first, i, k;
	unsigned int oa_bits = f->fz.pt.cfg.oas < 52 ? f->fz.pt.cfg.oas : 52;
	u64 oa, attrs = 0, hw = f->c->hw_bits(&f->fz.pt, level), noise, v;
	u32 prot;

	reps = size - ilg2 < 20 ? 1u << (size - ilg2) : 1u << 20;
	if (reps > t->nent)
		reps = t->nent;
	first = slot & ~(reps - 1);
	oa = (producer_u64(f->p, 0, 0xfffff) << size) & fz_lg2_mask(oa_bits);
	if (producer_chance(f->p, 8))
		oa |= producer_u64(f->p, 0, 0xff) << 12;
	oa |= f->pa_high;
	prot = producer_u32(f->p, 1, 3) | (producer_u32(f->p, 0, 7) << 2);
	if (f->c->prot_attrs(&f->fz.pt, prot, &attrs))
		attrs = 0;
	noise = producer_u64(f->p, 0, 3) ? producer_u64(f->p, 0, ~0ull) : 0;
	for (i = 0; i < reps; i++) {
		v = f->c->make_leaf(&f->fz.pt, level, oa + ((u64)i << ilg2),
				    size, attrs);
		/* Accessed/dirty state, per replica as the hardware sets it */
		if (noise)
			v ^= (noise >> (i % 8)) & hw;
		t->va[first + i] = tle_raw(v);
	}
	if (flip) {
		k = first + producer_u32(f->p, 0, reps - 1);
		if (flip == 1) {
			t->va[k] ^= 1ull << producer_u32(f->p, 0, 63);
		} else {
			i = producer_u32(f->p, 0, 7) * 8;
			t->va[k] = (t->va[k] & ~(0xffull << i)) |
				   ((u64)producer_u32(f->p, 0, 255) << i);
		}
	}
	return first + reps - slot;
}

enum dec_kind {
	KIND_RAW,
	KIND_LEAF,
	KIND_LEAF_FLIP,
	KIND_LEAF_BYTE,
	KIND_TABLE,
	KIND_COPY,
	KIND_ZERO,
	KIND_LEAF2,
};

/* Runs of entries into table @ti; probes inside what was written. */
static void fill(struct dec_fz *f, int ti)
{
	struct dec_table *t = &f->t[ti];
	unsigned int runs = producer_u32(f->p, 0, DEC_MAX_RUNS), r, slot,
		     count, j, ilg2 = fz_item_lg2(&f->fz.pt, t->level), first;
	enum dec_kind kind;

	for (r = 0; r < runs && !producer_empty(f->p); r++) {
		slot = producer_u32(f->p, 0, t->nent - 1);
		count = producer_u32(f->p, 1, 32);
		kind = producer_u32(f->p, 0, 7);
		first = slot;
		if (dec_verbose)
			fprintf(stderr,
				"fuzz_decode: table %d (level %u) run %u: slot %u count %u kind %u\n",
				ti, t->level, r, slot, count, kind);
		for (j = 0; j < count && slot < t->nent; j++) {
			switch (kind) {
			case KIND_RAW:
				t->va[slot++] = producer_u64(f->p, 0, ~0ull);
				break;
			case KIND_LEAF:
			case KIND_LEAF2:
				slot += put_leaf(f, t, slot, 0);
				break;
			case KIND_LEAF_FLIP:
				slot += put_leaf(f, t, slot, 1);
				break;
			case KIND_LEAF_BYTE:
				slot += put_leaf(f, t, slot, 2);
				break;
			case KIND_TABLE:
				put_table(f, ti, slot++);
				break;
			case KIND_COPY:
				t->va[slot] = slot ? t->va[slot - 1] : 0;
				slot++;
				break;
			case KIND_ZERO:
				t->va[slot++] = 0;
				break;
			}
		}
		add_probe(f, t->iova + ((u64)first << ilg2));
		add_probe(f, t->iova + ((u64)first << ilg2) +
			     (producer_u64(f->p, 0, fz_lg2_mask(ilg2)) &
			      ~fz_lg2_mask(12)));
		if (slot > first + 1)
			add_probe(f, t->iova + ((u64)(slot - 1) << ilg2) +
				     fz_lg2_mask(ilg2 < 64 ? ilg2 : 63));
	}
}

/*
 * The safety pass (see the top of this file): every table entry left is
 * the one pointer to a table allocated here, one level down.
 */
static void keep_only_own_tables(struct dec_fz *f)
{
	unsigned int i, j, k, sz;
	struct dec_table *t;
	u64 v;

	for (i = 0; i < f->nt; i++) {
		t = &f->t[i];
		for (j = 0; j < t->nent; j++) {
			v = tle_value(t->va[j]);
			if (f->c->classify(&f->fz.pt, t->level, v, &sz) !=
			    FZ_E_TABLE)
				continue;
			/* A slot may have had several tables: the last counts */
			for (k = 1; k < f->nt; k++)
				if (f->t[k].parent == (int)i &&
				    f->t[k].slot == j && t->level &&
				    names_table(f, t->level, v, f->t[k].pa))
					break;
			if (k == f->nt)
				t->va[j] = 0;
		}
	}
}

/* A hash of every table's memory: the decoders must not write. */
static u64 tables_hash(struct dec_fz *f)
{
	u64 h = 0x9e3779b97f4a7c15ull;
	unsigned int i, j;

	for (i = 0; i < f->nt; i++)
		for (j = 0; j < (1u << (f->t[i].alloc_lg2 - 3)); j++)
			h = (h ^ f->t[i].va[j]) * 0x100000001b3ull;
	return h;
}

/* ---- the decoders ------------------------------------------------------ */

struct dump_ctx {
	unsigned long lines;
};

static void dump_line(void *ctx, const char *line)
{
	struct dump_ctx *d = ctx;

	/* The core builds lines in a 160-byte buffer */
	if (strnlen(line, 160) >= 160)
		fz_die("iopgt_dump line not terminated within 160 bytes");
	d->lines++;
}

/* The raw slots of a multi-slot leaf, for a failure message. */
static void print_slots(struct dec_fz *f, const struct hwm_walk *w)
{
	u64 bytes = (u64)w->replicas * sizeof(u64), pa;
	const u64 *slot;

	if (!w->replicas || (w->replicas & (w->replicas - 1)) ||
	    w->replicas > 512)
		return;
	fprintf(stderr, "  slots of the leaf:");
	for (pa = w->pte_pa & ~(bytes - 1); pa < (w->pte_pa | (bytes - 1));
	     pa += sizeof(u64)) {
		slot = dec_p2v(f, pa);
		if (slot)
			fprintf(stderr, " %llx", (unsigned long long)*slot);
	}
	fprintf(stderr, "\n");
}

/* iova_to_phys against the hwmodel's walk of the same IOVA. */
static void probe(struct dec_fz *f, u64 iova)
{
	struct hwm_walk w;
	u64 pa = 0x5a5a;
	int re, rh;

	re = iopgt_iova_to_phys(&f->fz.pt, iova, &pa);
	if (re && re != -ENOENT && re != -ERANGE)
		dec_fail(f, iova, "iova_to_phys(0x%llx) returned %s",
			 (unsigned long long)iova, test_errname(re));
	if (f->fz.pt.cfg.ias < 64 && (iova >> f->fz.pt.cfg.ias) &&
	    re != -ERANGE)
		dec_fail(f, iova, "iova_to_phys(0x%llx) beyond ias: %s",
			 (unsigned long long)iova, test_errname(re));
	memset(&w, 0, sizeof(w));
	rh = hwm_walk(f->fz.hw, iova, &w);
	if (f->validated || re == -ERANGE)
		return;
	if (rh == HWM_FAULT_BAD_ENTRY)
		dec_fail(f, iova,
			 "validate passes a table the hardware rejects at 0x%llx",
			 (unsigned long long)iova);
	/* iopgt sets AF in every leaf: it never expects the fault */
	if (rh == HWM_FAULT_ACCESS)
		dec_fail(f, iova,
			 "validate passes a leaf the hardware takes an access flag fault on at 0x%llx",
			 (unsigned long long)iova);
	if (rh == 0 && w.replica_mismatch) {
		print_slots(f, &w);
		dec_fail(f, iova,
			 "validate passes a leaf whose replicas disagree at 0x%llx",
			 (unsigned long long)iova);
	}
	if (re == -ENOENT && rh != HWM_FAULT_NOT_PRESENT)
		dec_fail(f, iova,
			 "iova_to_phys(0x%llx) finds nothing, the hwmodel: %s 0x%llx",
			 (unsigned long long)iova, hwm_fault_name(rh),
			 (unsigned long long)w.oa);
	if (!re && rh != 0)
		dec_fail(f, iova,
			 "iova_to_phys(0x%llx) = 0x%llx, the hwmodel: %s",
			 (unsigned long long)iova, (unsigned long long)pa,
			 hwm_fault_name(rh));
	if (!re && w.oa != pa)
		dec_fail(f, iova,
			 "iova_to_phys(0x%llx) = 0x%llx, the hwmodel 0x%llx",
			 (unsigned long long)iova, (unsigned long long)pa,
			 (unsigned long long)w.oa);
}

/*
 * The bitmap read_dirty should give over [first, last], from the hwmodel:
 * each dirty leaf sets the bits of its part inside the range.
 */
static void expect_dirty(struct dec_fz *f, u64 first, u64 last, u64 base,
			 unsigned int pgshift, u64 *words, u64 nbits)
{
	u64 iova = first, next, lo, hi, bit;
	struct hwm_walk w;
	unsigned int lvl;
	int rh;

	for (;;) {
		memset(&w, 0, sizeof(w));
		rh = hwm_walk(f->fz.hw, iova, &w);
		if (rh == 0) {
			next = w.leaf_iova + (1ull << w.size_lg2);
			if (w.dirty) {
				lo = w.leaf_iova > first ? w.leaf_iova : first;
				hi = next - 1 < last ? next - 1 : last;
				for (bit = (lo - base) >> pgshift;
				     bit <= (hi - base) >> pgshift &&
				     bit < nbits; bit++)
					words[bit / 64] |= 1ull << (bit % 64);
			}
		} else if (rh == HWM_FAULT_NOT_PRESENT && w.depth) {
			lvl = w.path[w.depth - 1].level;
			next = iova | fz_lg2_mask(fz_item_lg2(&f->fz.pt, lvl));
			next++;
		} else {
			dec_fail(f, iova, "hwmodel walk of 0x%llx: %s",
				 (unsigned long long)iova, hwm_fault_name(rh));
		}
		if (!next || next - 1 >= last)
			return;
		iova = next;
	}
}

static void read_dirty(struct dec_fz *f)
{
	unsigned int ias = f->fz.pt.cfg.ias < 64 ? f->fz.pt.cfg.ias : 64;
	unsigned int len_lg2, pgshift;
	struct iopgt_bitmap bm = { 0 };
	struct iopgt_gather g;
	u64 iova, len, last, nbits, *got, *want, i;
	int ret;

	/* A range around one of the probes, or anywhere */
	len_lg2 = producer_u32(f->p, f->fz.min_lg2, ias < 64 ? ias : 63);
	if (f->nprobe && !producer_chance(f->p, 4))
		iova = f->probe[producer_u32(f->p, 0, f->nprobe - 1)];
	else
		iova = producer_u64(f->p, 0, fz_lg2_mask(ias));
	iova &= fz_lg2_mask(ias) & ~fz_lg2_mask(len_lg2);
	len = 1ull << len_lg2;
	last = iova + (len - 1);
	pgshift = producer_u32(f->p, 12, 21);
	while (((last >> pgshift) - (iova >> pgshift)) >= DEC_MAX_BITS)
		pgshift++;
	bm.base = iova & ~fz_lg2_mask(pgshift);
	bm.pgshift = pgshift;
	nbits = ((last - bm.base) >> pgshift) + 1 + 64;
	got = calloc((nbits + 63) / 64, sizeof(u64));
	want = calloc((nbits + 63) / 64, sizeof(u64));
	if (!got || !want)
		fz_die("out of memory");
	bm.words = got;
	bm.nbits = nbits;
	iopgt_gather_init(&g);
	ret = iopgt_read_dirty(&f->fz.pt, iova, len, IOPGT_DIRTY_NO_CLEAR, &bm,
			       &g);
	if (ret)
		dec_fail(f, iova, "read_dirty 0x%llx+0x%llx: %s",
			 (unsigned long long)iova, (unsigned long long)len,
			 test_errname(ret));
	if (g.start <= g.last || g.detached)
		dec_fail(f, iova, "NO_CLEAR read_dirty asked for an invalidation");
	iopgt_gather_release(&f->fz.pt, &g, NULL);
	if (!f->validated) {
		expect_dirty(f, iova, last, bm.base, pgshift, want, nbits);
		for (i = 0; i < (nbits + 63) / 64; i++)
			if (got[i] != want[i])
				dec_fail(f, bm.base + ((i * 64) << pgshift),
					 "read_dirty 0x%llx+0x%llx pgshift %u: word %llu is 0x%016llx, the hwmodel's leaves say 0x%016llx",
					 (unsigned long long)iova,
					 (unsigned long long)len, pgshift,
					 (unsigned long long)i,
					 (unsigned long long)got[i],
					 (unsigned long long)want[i]);
	}
	free(got);
	free(want);
}

/* ---- the target ------------------------------------------------------- */

static void setup(struct dec_fz *f, struct producer *p)
{
	struct iopgt_cfg cfg;
	unsigned int flags;

	memset(f, 0, sizeof(*f));
	f->p = p;
	fz_begin(&f->fz, "fuzz_decode", p);
	flags = producer_u32(p, 0, 3);
	/*
	 * LPA2 puts PA[51:50] in descriptor bits 9:8: those configurations
	 * (and they alone, so older inputs keep their meaning) draw those two
	 * bits for every table and leaf address.
	 */
	if ((f->fz.config->cfg.quirks & IOPGT_QUIRK_ARM_LPA2) &&
	    f->fz.config->cfg.oas >= 52)
		f->pa_high = (u64)producer_u32(p, 0, 3) << 50;
	f->c = fz_codec(f->fz.config->cfg.format);
	if (!f->c)
		fz_die("no codecs for %s", f->fz.config->name);
	fz_talloc(&f->fz, 16ull << 20, TALLOC_LOW_PA);
	f->tops = talloc_ops_for(f->fz.ta);
	f->ops.alloc_table = dec_alloc;
	f->ops.free_table = dec_free;
	f->ops.table_meta = dec_meta;
	f->ops.phys_to_virt = dec_table_p2v;
	f->ops.cache_clean = dec_clean;
	cfg = f->fz.config->cfg;
	cfg.ops = &f->ops;
	cfg.ctx = f;
	if (flags & 1)
		cfg.quirks |= IOPGT_QUIRK_DIRTY_TRACKING;
	if ((flags & 2) && (cfg.format == IOPGT_FMT_ARM_S1 ||
			    cfg.format == IOPGT_FMT_ARM_S2))
		cfg.quirks |= IOPGT_QUIRK_ARM_BBML2;
	fz_table_init(&f->fz, &cfg);
	f->t[0].va = f->fz.pt.root;
	f->t[0].pa = f->fz.pt.root_pa;
	f->t[0].level = f->fz.pt.levels - 1;
	f->t[0].alloc_lg2 = f->fz.pt.top_alloc_lg2;
	f->t[0].nent = 1u << f->fz.pt.top_lg2;
	f->t[0].iova = 0;
	f->t[0].parent = -1;
	f->nt = 1;
	fz_hwm_create(&f->fz, f->fz.pt.dirty_tracking, dec_p2v, f);
}

static void teardown(struct dec_fz *f)
{
	unsigned int i;

	/* Empty every table so that destroy frees the root alone */
	for (i = 0; i < f->nt; i++)
		memset(f->t[i].va, 0, 1ull << f->t[i].alloc_lg2);
	for (i = 1; i < f->nt; i++)
		dec_free(f, f->t[i].va, f->t[i].alloc_lg2);
	fz_table_destroy(&f->fz);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	dec_verbose = fz_env_flag("IOPGT_FUZZ_VERBOSE", false);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iopgt_validate_err err = { 0 };
	struct dump_ctx d = { 0 };
	struct producer p;
	struct dec_fz f;
	unsigned int i, extra;
	u64 h, ias_mask;

	producer_init(&p, data, size);
	setup(&f, &p);
	/* Tables are filled in the order they were made: top down */
	for (i = 0; i < f.nt; i++)
		fill(&f, (int)i);
	keep_only_own_tables(&f);

	h = tables_hash(&f);
	f.validated = iopgt_validate(&f.fz.pt, &err);
	if (f.validated && f.validated != -EINVAL)
		dec_fail(&f, ~0ull, "iopgt_validate returned %s",
			 test_errname(f.validated));
	if (f.validated && !err.what)
		dec_fail(&f, ~0ull, "iopgt_validate failed without saying why");
	iopgt_dump(&f.fz.pt, dump_line, &d);
	if (!d.lines)
		dec_fail(&f, ~0ull, "iopgt_dump printed nothing");
	if (dec_verbose) {
		fprintf(stderr, "fuzz_decode: %s, %u tables, validate: %s",
			f.fz.config->name, f.nt,
			f.validated ? err.what : "passes");
		if (f.validated)
			fprintf(stderr, " (0x%llx level %u pte 0x%llx)",
				(unsigned long long)err.iova, err.level,
				(unsigned long long)err.pte);
		fprintf(stderr, "\n");
		fz_dump(&f.fz.pt, stderr, 40);
	}

	ias_mask = fz_lg2_mask(f.fz.pt.cfg.ias);
	extra = producer_u32(&p, 0, 16);
	for (i = 0; i < extra; i++)
		add_probe(&f, producer_u64(&p, 0, ~0ull) &
			      (producer_chance(&p, 8) ? ~0ull : ias_mask));
	for (i = 0; i < f.nprobe; i++)
		probe(&f, f.probe[i]);
	read_dirty(&f);
	if (tables_hash(&f) != h)
		dec_fail(&f, ~0ull,
			 "validate, dump, iova_to_phys or NO_CLEAR read_dirty wrote table memory");
	teardown(&f);
	return 0;
}
