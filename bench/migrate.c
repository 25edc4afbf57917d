/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * migrate: a live migration of a guest's IO page table, simulated.
 *
 * For each format: map a guest with large pages (IOVA = guest physical),
 * turn dirty tracking on, split everything to 4K so the bitmap is exact,
 * start a device thread that writes through the software IOMMU (hwmodel)
 * with a hot set, run pre-copy rounds of harvest (read_dirty over the whole
 * guest, invalidate exactly what the gather names, release) until the dirty
 * set is small, stop the device and unmap-and-read-dirty the whole guest.
 * Then check that no write the device made was lost: every logged write
 * must be in a round from the one running when it began to the one after
 * the one running when it ended, or in the final bitmap (the rule and the
 * check of tests/support/writelog.h, which the no-lost-write tests use
 * too). Last, the failed-migration path: a fresh
 * table split to 4K and merged back must have its large pages again.
 *
 * bench/MIGRATE.md describes the model, the flags and the output.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <iopgt/env.h>
#include <iopgt/iopgt.h>

#include "support/talloc.h"
#include "support/writelog.h"
#include "hwmodel/hwmodel.h"

#define PAGE_LG2	12
#define PAGE_SIZE	(1ull << PAGE_LG2)
#define SZ_1G		(1ull << 30)

/* Where guest memory sits in the output address space: far from 0, so an
 * IOVA passed off as a PA shows. Aligned to every page size there is. */
#define PA_BASE		(1ull << 40)

/* The device: HOT_WRITE_PCT of its writes go to HOT_PERMILLE of memory. */
#define HOT_WRITE_PCT	90
#define HOT_PERMILLE	10

/* The device stops writing (and says so) after this many logged writes. */
#define MAX_LOG		(16u << 20)

#define MAX_PGSIZES	8

/* Defaults: a run of every format in a few seconds on two cores. */
#define DEF_SIZE_GIB	16.0
#define DEF_PAGES	"1G,2M"
#define DEF_DMA_RATE	200.0	/* writes per ms */
#define DEF_ROUNDS	8
#define DEF_CONVERGE	4096	/* pages */
#define DEF_LINK_GBS	64.0	/* GB/s */
#define DEF_SEED	1

struct opts {
	u64 guest_len;
	u64 pgsize[MAX_PGSIZES];	/* largest first */
	unsigned int npgsize;
	const char *pages;
	unsigned int formats;		/* bit per enum iopgt_format */
	double dma_rate;
	unsigned int rounds;
	u64 converge;
	double link_gbs;
	u64 seed;
	bool json;
};

/* One stretch of the guest, mapped with one page size. */
struct region {
	u64 iova;
	u64 len;
	u64 delta;	/* pa - iova */
	unsigned int pgsize_lg2;
};

struct layout {
	struct region r[MAX_PGSIZES];
	unsigned int n;
	u64 len;
	u64 pa_end;
};

_Static_assert(IOPGT_FMT_COUNT <= 32, "too many formats for opts.formats");

/* The configuration the simulation runs for one format. */
struct fmt_cfg {
	const char *label;
	struct iopgt_cfg cfg;
};

/*
 * The shapes a driver would pick, for the formats that have a choice worth
 * making. Every format of the list runs: one not named here runs with its
 * defaults (fmt_cfg_of()). ARM: split and merge replace blocks by tables and
 * back while the device translates, which needs BBML2 (a direct
 * replacement, SMMUv3.2) to be free of break-before-make; the
 * migration-capable SMMUs have it.
 */
static const struct fmt_cfg fmt_cfgs[IOPGT_FMT_COUNT] = {
	[IOPGT_FMT_AMDV1] = { "mode 4", { .levels = 4 } },
	[IOPGT_FMT_VTD_SL] = { "4 levels", { .levels = 4 } },
	[IOPGT_FMT_VTD_FL] = { "4 levels", { .levels = 4 } },
	[IOPGT_FMT_ARM_S1] = { "4K ias 48", {
		.granule_lg2 = 12, .ias = 48,
		.quirks = IOPGT_QUIRK_ARM_BBML2 } },
	[IOPGT_FMT_ARM_S2] = { "4K ias 40", {
		.granule_lg2 = 12, .ias = 40,
		.quirks = IOPGT_QUIRK_ARM_BBML2 } },
	[IOPGT_FMT_RISCV] = { "Sv48", { .levels = 4 } },
	[IOPGT_FMT_RISCV_G] = { "Sv48x4", { .levels = 4 } },
};

/* @format's entry of fmt_cfgs, or else its defaults with 4 KiB tables. */
static struct fmt_cfg fmt_cfg_of(enum iopgt_format format)
{
	struct fmt_cfg fc = fmt_cfgs[format];

	if (!fc.label) {
		fc.label = "defaults";
		fc.cfg.granule_lg2 = PAGE_LG2;
	}
	fc.cfg.format = format;
	return fc;
}

/* What one format's run found. Times in ns. */
struct result {
	const char *name;
	const char *label;
	const char *skipped;		/* why, or NULL */
	bool failed;
	char msg[256];			/* first failure */

	int split_ret;			/* 0, or why the guest stayed large */
	u64 split_ns;
	unsigned int rounds;
	bool converged;
	u64 pages_sent;			/* over the pre-copy rounds */
	u64 harvest_ns;
	u64 harvested;			/* bytes of IOVA harvested */
	u64 final_pages;
	u64 final_ns;
	u64 writes;
	u64 faults;
	bool log_full;
	bool verified;

	int fm_split_ret;		/* the failed-migration table */
	u64 fm_split_ns;
	int merge_ret;
	u64 merge_ns;
	bool merge_checked;		/* structure back as it was */
};

static bool progress = true;

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}

static void sleep_ns(u64 ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000ull,
			       .tv_nsec = ns % 1000000000ull };

	while (nanosleep(&ts, &ts))
		;
}

static double ms(u64 ns)
{
	return ns / 1e6;
}

static void note(const char *fmt, ...)
{
	va_list ap;

	if (!progress)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Record the first failure of a run; later ones only go to stderr. */
static void fail(struct result *res, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: FAILED: %s\n", res->name, buf);
	if (!res->failed)
		snprintf(res->msg, sizeof(res->msg), "%s", buf);
	res->failed = true;
}

/* splitmix64: small, fast, and good enough to pick pages */
static u64 rand_next(u64 *state)
{
	u64 z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static u64 rand_below(u64 *state, u64 n)
{
	return (u64)(((unsigned __int128)rand_next(state) * n) >> 64);
}

static u64 gcd(u64 a, u64 b)
{
	while (b) {
		u64 t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* ---- the guest ----------------------------------------------------------- */

/*
 * Cut the guest into one region per page size, largest first: each size
 * but the last gets three quarters of what is left (12 GiB of 1G and 4 GiB
 * of 2M for 16 GiB). The PA of a region is offset from its IOVA by an odd
 * multiple of its page size, so no larger page fits anywhere in it, and
 * map uses exactly that size (and merge can rebuild nothing larger).
 */
static int layout_make(struct layout *lay, const struct opts *o)
{
	u64 iova = 0, left = o->guest_len, delta = PA_BASE, part;
	unsigned int k;

	memset(lay, 0, sizeof(*lay));
	lay->len = o->guest_len;
	for (k = 0; k < o->npgsize && left; k++) {
		u64 size = o->pgsize[k];

		if (k + 1 == o->npgsize)
			part = left;
		else
			part = (left / 4 * 3) & ~(size - 1);
		if (!part)
			continue;
		if (part & (size - 1))
			return -1;
		if (k)
			delta += size;
		lay->r[lay->n++] = (struct region){
			.iova = iova, .len = part, .delta = delta,
			.pgsize_lg2 = (unsigned int)__builtin_ctzll(size) };
		iova += part;
		left -= part;
	}
	lay->pa_end = iova + delta;
	return left ? -1 : 0;
}

static const struct region *layout_find(const struct layout *lay, u64 iova)
{
	unsigned int k;

	for (k = 0; k < lay->n; k++)
		if (iova - lay->r[k].iova < lay->r[k].len)
			return &lay->r[k];
	return NULL;
}

/* ---- one table and its IOMMU -------------------------------------------- */

struct table {
	struct talloc *ta;
	struct iopgt pt;
	struct hwm *hw;
	bool have_pt;
};

static void table_destroy(struct table *t)
{
	hwm_destroy(t->hw);
	if (t->have_pt)
		iopgt_destroy(&t->pt);
	talloc_destroy(t->ta);
	memset(t, 0, sizeof(*t));
}

/*
 * Set up a table for @fc over the guest, with page sizes 4K plus the
 * guest's, and an IOMMU programmed from iopgt_hw_info(). Return 0, or 1
 * with *@why set when the format cannot hold this guest, or -1 on error.
 */
static int table_create(struct table *t, const struct fmt_cfg *fc,
			const struct opts *o, const struct layout *lay,
			struct result *res, const char **why)
{
	struct iopgt_cfg cfg = fc->cfg;
	struct iopgt_hw_info info;
	struct hwm_cfg hcfg = { 0 };
	u64 want = PAGE_SIZE, arena;
	unsigned int k;
	int ret;

	memset(t, 0, sizeof(*t));
	for (k = 0; k < o->npgsize; k++)
		want |= o->pgsize[k];
	/* 4K leaf tables of the whole guest (len / 512), twice over while
	 * split or merge builds beside what it replaces, and the rest */
	arena = lay->len / 256 + (64ull << 20);
	t->ta = talloc_create(arena, TALLOC_HUGEPAGE);
	if (!t->ta) {
		fail(res, "talloc_create of %" PRIu64 " MiB failed",
		     arena >> 20);
		return -1;
	}
	cfg.ops = talloc_ops();
	cfg.ctx = t->ta;
	cfg.pgsize_bitmap = want;
	ret = iopgt_init(&t->pt, &cfg);
	if (ret) {
		fail(res, "iopgt_init: %s", iopgt_strerror(ret));
		return -1;
	}
	t->have_pt = true;
	if ((t->pt.pgsize_bitmap & want) != want) {
		*why = "does not offer every page size asked for";
		return 1;
	}
	if (t->pt.cfg.ias < 64 && lay->len > (1ull << t->pt.cfg.ias)) {
		*why = "guest larger than the IOVA space";
		return 1;
	}
	if (t->pt.cfg.oas < 64 && lay->pa_end > (1ull << t->pt.cfg.oas)) {
		*why = "guest PA beyond the output address size";
		return 1;
	}
	iopgt_hw_info(&t->pt, &info);
	hcfg.format = cfg.format;
	hcfg.info = info;
	hcfg.dirty_enabled = t->pt.dirty_tracking;
	ret = hwm_create(&t->hw, &hcfg);
	if (ret) {
		fail(res, "hwm_create from iopgt_hw_info: %s",
		     hwm_fault_name(ret));
		return -1;
	}
	return 0;
}

/* Invalidate exactly what @g names, then release it. */
static void table_flush(struct table *t, struct iopgt_gather *g,
			const struct iopgt_bitmap *bitmap)
{
	if (g->start <= g->last)
		hwm_invalidate(t->hw, g->start, g->last,
			       g->flags & IOPGT_GATHER_TABLES);
	iopgt_gather_release(&t->pt, g, bitmap);
}

static int table_map_guest(struct table *t, const struct layout *lay,
			   struct result *res)
{
	unsigned int k;
	int ret;

	for (k = 0; k < lay->n; k++) {
		const struct region *r = &lay->r[k];

		ret = iopgt_map(&t->pt, r->iova, r->iova + r->delta, r->len,
				IOPGT_READ | IOPGT_WRITE, 0, NULL);
		if (ret) {
			fail(res, "map 0x%" PRIx64 "+0x%" PRIx64 ": %s",
			     r->iova, r->len, iopgt_strerror(ret));
			return ret;
		}
	}
	return 0;
}

/*
 * Walk the whole guest through the IOMMU's own walker, leaf by leaf, and
 * check that every leaf translates to the guest's PA with the size wanted:
 * 2^@want_lg2, or the page size of its region when @want_lg2 is 0. Count
 * leaves by size into @count.
 */
static bool table_check_leaves(struct table *t, const struct layout *lay,
			       unsigned int want_lg2, u64 count[64],
			       struct result *res, const char *when)
{
	const struct region *r;
	struct hwm_walk w;
	u64 iova = 0;
	int ret;

	memset(count, 0, 64 * sizeof(u64));
	while (iova < lay->len) {
		ret = hwm_walk(t->hw, iova, &w);
		if (ret) {
			fail(res, "%s: walk of 0x%" PRIx64 ": %s", when, iova,
			     hwm_fault_name(ret));
			return false;
		}
		r = layout_find(lay, iova);
		if (w.leaf_iova != iova ||
		    w.size_lg2 != (want_lg2 ? want_lg2 : r->pgsize_lg2) ||
		    w.leaf_oa != iova + r->delta || !w.writable) {
			fail(res, "%s: leaf 0x%" PRIx64 " 2^%u -> 0x%" PRIx64
			     "%s, want 0x%" PRIx64 " 2^%u -> 0x%" PRIx64, when,
			     w.leaf_iova, w.size_lg2, w.leaf_oa,
			     w.writable ? "" : " read-only", iova,
			     want_lg2 ? want_lg2 : r->pgsize_lg2,
			     iova + r->delta);
			return false;
		}
		count[w.size_lg2]++;
		iova += 1ull << w.size_lg2;
	}
	return true;
}

static const char *size_name(unsigned int lg2, char *buf, size_t len)
{
	static const char unit[] = "KMGTPE";

	snprintf(buf, len, "%llu%c", 1ull << (lg2 % 10),
		 unit[lg2 / 10 - 1]);
	return buf;
}

/* "12 x 1G, 2048 x 2M" */
static void describe_count(const u64 count[64], char *buf, size_t len)
{
	char name[16];
	size_t at = 0;
	int lg2;

	buf[0] = 0;
	for (lg2 = 63; lg2 >= 10 && at < len; lg2--) {
		if (!count[lg2])
			continue;
		at += (size_t)snprintf(buf + at, len - at, "%s%" PRIu64 " x %s",
				       at ? ", " : "", count[lg2],
				       size_name((unsigned int)lg2, name,
						 sizeof(name)));
	}
}

/* Split (or merge) the whole guest, invalidate, release; time it all. */
static int table_split(struct table *t, const struct layout *lay, bool merge,
		       u64 *ns)
{
	struct iopgt_gather g;
	u64 t0 = now_ns();
	int ret;

	iopgt_gather_init(&g);
	if (merge)
		ret = iopgt_merge(&t->pt, 0, lay->len, 0, &g);
	else
		ret = iopgt_split(&t->pt, 0, lay->len, PAGE_LG2, 0, 0, &g);
	table_flush(t, &g, NULL);
	*ns = now_ns() - t0;
	return ret;
}

/* Split or merge refused for a reason the run carries on after. */
static bool not_available(int ret)
{
	return ret == -EOPNOTSUPP || ret == -EBUSY;
}

/* ---- the device ---------------------------------------------------------- */

struct device {
	struct hwm *hw;
	const struct layout *lay;
	u64 npages;
	u64 nhot;
	u64 hot_base;
	u64 hot_stride;
	double rate;		/* writes per ms; 0: as fast as it can */
	u64 rnd;
	u64 seq;		/* atomic: the event counter */
	bool stop;		/* atomic */
	struct writelog log;
	bool log_full;
	u64 faults;
	int fault;		/* the first fault */
	u64 fault_iova;
	u64 misrouted;		/* writes that went to the wrong PA */
	u64 misrouted_iova;
};

/*
 * The hot set is HOT_PERMILLE of the pages, spread over the whole guest:
 * page (base + k * stride) mod npages for k below nhot, stride coprime to
 * npages so the pages differ.
 */
static void device_init(struct device *d, struct table *t,
			const struct layout *lay, const struct opts *o)
{
	memset(d, 0, sizeof(*d));
	d->hw = t->hw;
	d->lay = lay;
	d->npages = lay->len >> PAGE_LG2;
	d->nhot = d->npages * HOT_PERMILLE / 1000;
	if (!d->nhot)
		d->nhot = 1;
	d->rnd = o->seed;
	d->hot_base = rand_below(&d->rnd, d->npages);
	d->hot_stride = 2654435761ull;
	while (gcd(d->hot_stride, d->npages) != 1)
		d->hot_stride += 2;
	d->rate = o->dma_rate;
	writelog_init(&d->log, MAX_LOG);
}

static u64 device_pick(struct device *d)
{
	u64 k;

	if (rand_below(&d->rnd, 100) < HOT_WRITE_PCT) {
		k = rand_below(&d->rnd, d->nhot);
		k = (u64)((unsigned __int128)k * d->hot_stride % d->npages);
		return (d->hot_base + k) % d->npages;
	}
	return rand_below(&d->rnd, d->npages);
}

static void *device_thread(void *arg)
{
	struct device *d = arg;
	const struct region *r;
	u64 start = now_ns(), done = 0, due, iova, pa, before, after;
	int ret;

	while (!__atomic_load_n(&d->stop, __ATOMIC_ACQUIRE)) {
		if (d->rate > 0) {
			due = (u64)((double)(now_ns() - start) * d->rate / 1e6);
			if (done >= due) {
				sleep_ns(20000);
				continue;
			}
		}
		iova = device_pick(d) << PAGE_LG2;
		before = writelog_event(&d->seq);
		ret = hwm_translate(d->hw, iova, HWM_WRITE, &pa);
		after = writelog_event(&d->seq);
		done++;
		if (ret) {
			if (!d->faults++) {
				d->fault = ret;
				d->fault_iova = iova;
			}
			continue;
		}
		r = layout_find(d->lay, iova);
		if (pa != iova + r->delta && !d->misrouted++)
			d->misrouted_iova = iova;
		if (!writelog_add(&d->log, iova, before, after)) {
			d->log_full = true;
			break;
		}
	}
	return NULL;
}

/* ---- the migration ------------------------------------------------------- */

static u64 bitmap_weight(const u64 *words, u64 nwords)
{
	u64 i, n = 0;

	for (i = 0; i < nwords; i++)
		n += (u64)__builtin_popcountll(words[i]);
	return n;
}

/* Simulated time to send @bytes over the link. */
static u64 link_ns(const struct opts *o, u64 bytes)
{
	if (o->link_gbs <= 0)
		return 0;
	return (u64)((double)bytes / o->link_gbs);
}

/*
 * Every logged write appears in a round from the one running when it began
 * to the one after the one running when it ended. Bitmap @last is the
 * final unmap's, taken with the device stopped.
 */
static bool verify(struct device *d, u64 **maps, const u64 *end_seq,
		   unsigned int last, struct result *res)
{
	struct writelog_rounds wr = { .end_seq = end_seq, .maps = maps,
				      .nmaps = last + 1, .base = 0,
				      .pgshift = PAGE_LG2 };
	const struct writelog_rec *l;
	unsigned int from, to;
	size_t i;

	switch (writelog_verify(&wr, last, &d->log, &i, &from, &to)) {
	case WRITELOG_REPORTED:
		return true;
	case WRITELOG_UNENDED:
		fail(res, "write %zu logged after the last round", i);
		return false;
	default:
		l = &d->log.rec[i];
		fail(res, "lost write: IOVA 0x%" PRIx64 " (events %" PRIu64
		     "..%" PRIu64 ") in none of rounds %u..%u", l->iova,
		     l->before, l->after, from + 1, to + 1);
		return false;
	}
}

struct migration {
	struct table t;
	struct device d;
	pthread_t tid;
	bool running;
	u64 **maps;		/* one bitmap per round, the final one last */
	u64 *end_seq;		/* the event that ended each round */
	u64 nbits;
	u64 nwords;
};

static void device_stop(struct migration *m)
{
	if (!m->running)
		return;
	__atomic_store_n(&m->d.stop, true, __ATOMIC_RELEASE);
	pthread_join(m->tid, NULL);
	m->running = false;
}

static void migration_free(struct migration *m, unsigned int nmaps)
{
	unsigned int r;

	device_stop(m);
	if (m->maps)
		for (r = 0; r < nmaps; r++)
			free(m->maps[r]);
	free(m->maps);
	free(m->end_seq);
	writelog_free(&m->d.log);
	table_destroy(&m->t);
}

/* Map, track, split: the guest as migration starts. */
static int migration_prepare(struct migration *m, const struct fmt_cfg *fc,
			     const struct opts *o, const struct layout *lay,
			     struct result *res)
{
	struct iopgt_gather g;
	const char *why = NULL;
	char desc[128];
	u64 count[64];
	int ret;

	ret = table_create(&m->t, fc, o, lay, res, &why);
	if (ret) {
		res->skipped = why;
		return ret;
	}
	if (table_map_guest(&m->t, lay, res) ||
	    !table_check_leaves(&m->t, lay, 0, count, res, "after map"))
		return -1;
	describe_count(count, desc, sizeof(desc));
	note("%s: mapped %.3g GiB: %s", res->name, (double)lay->len / SZ_1G,
	     desc);

	hwm_set_dirty_enabled(m->t.hw, true);
	iopgt_gather_init(&g);
	ret = iopgt_set_dirty_tracking(&m->t.pt, true, &g);
	table_flush(&m->t, &g, NULL);
	if (ret) {
		fail(res, "set_dirty_tracking: %s", iopgt_strerror(ret));
		return -1;
	}

	res->split_ret = table_split(&m->t, lay, false, &res->split_ns);
	if (not_available(res->split_ret)) {
		note("%s: split not available (%s): harvesting large pages, "
		     "the bitmap reports them whole", res->name,
		     iopgt_strerror(res->split_ret));
	} else if (res->split_ret) {
		fail(res, "split: %s", iopgt_strerror(res->split_ret));
		return -1;
	} else {
		note("%s: split to 4K in %.1f ms", res->name,
		     ms(res->split_ns));
	}
	return 0;
}

/* Pre-copy: harvest rounds until the dirty set is small. */
static int migration_precopy(struct migration *m, const struct opts *o,
			     const struct layout *lay, struct result *res)
{
	struct iopgt_bitmap bm = { .base = 0, .pgshift = PAGE_LG2,
				   .nbits = m->nbits };
	struct iopgt_gather g;
	u64 t0, t1, t2, t3, pages, wait;
	unsigned int r;
	int ret;

	/* the first pass sends all of memory while the device runs */
	wait = link_ns(o, lay->len);
	if (wait) {
		note("%s: bulk copy of %" PRIu64 " pages, %.1f ms", res->name,
		     m->nbits, ms(wait));
		sleep_ns(wait);
	}
	/* a round ahead of the device's first write would verify nothing */
	t0 = now_ns();
	while (__atomic_load_n(&m->d.seq, __ATOMIC_SEQ_CST) < 2 &&
	       now_ns() - t0 < 5000000000ull)
		sleep_ns(10000);
	for (r = 0; r < o->rounds; r++) {
		bm.words = m->maps[r];
		iopgt_gather_init(&g);
		t0 = now_ns();
		ret = iopgt_read_dirty(&m->t.pt, 0, lay->len, 0, &bm, &g);
		t1 = now_ns();
		if (g.start <= g.last)
			hwm_invalidate(m->t.hw, g.start, g.last,
				       g.flags & IOPGT_GATHER_TABLES);
		t2 = now_ns();
		iopgt_gather_release(&m->t.pt, &g, NULL);
		t3 = now_ns();
		m->end_seq[r] = writelog_event(&m->d.seq);
		if (ret) {
			fail(res, "read_dirty: %s", iopgt_strerror(ret));
			return ret;
		}
		res->harvest_ns += (t1 - t0) + (t3 - t2);
		res->harvested += lay->len;
		pages = bitmap_weight(bm.words, m->nwords);
		res->pages_sent += pages;
		res->rounds = r + 1;
		note("%s round %u: %" PRIu64 " pages dirty, %.2f ms harvest",
		     res->name, r + 1, pages, ms((t1 - t0) + (t3 - t2)));
		if (pages <= o->converge) {
			res->converged = true;
			break;
		}
		sleep_ns(link_ns(o, pages << PAGE_LG2));
	}
	return 0;
}

/* Stop the device, unmap the guest reading what is dirty, and check. */
static int migration_finish(struct migration *m, const struct layout *lay,
			    struct result *res)
{
	unsigned int last = res->rounds;
	struct iopgt_bitmap bm = { .base = 0, .pgshift = PAGE_LG2,
				   .words = m->maps[last], .nbits = m->nbits };
	struct iopgt_gather g;
	u64 t0, unmapped = 0;
	int ret;

	device_stop(m);
	iopgt_gather_init(&g);
	t0 = now_ns();
	ret = iopgt_unmap_read_dirty(&m->t.pt, 0, lay->len, 0, &bm, &g,
				     &unmapped);
	table_flush(&m->t, &g, &bm);
	res->final_ns = now_ns() - t0;
	m->end_seq[last] = writelog_event(&m->d.seq);
	if (ret || unmapped != lay->len) {
		fail(res, "unmap_read_dirty: %s, 0x%" PRIx64 " of 0x%" PRIx64
		     " bytes", iopgt_strerror(ret), unmapped, lay->len);
		return -1;
	}
	res->final_pages = bitmap_weight(bm.words, m->nwords);
	res->writes = m->d.log.n;
	res->faults = m->d.faults;
	res->log_full = m->d.log_full;
	note("%s stop-and-copy: %" PRIu64 " pages dirty, %.2f ms unmap; %"
	     PRIu64 " device writes", res->name, res->final_pages,
	     ms(res->final_ns), res->writes);
	if (m->d.log_full)
		note("%s: the device stopped at %zu writes (log full)",
		     res->name, m->d.log.n);

	if (m->d.faults) {
		fail(res, "%" PRIu64 " DMA faults, first at 0x%" PRIx64 ": %s",
		     m->d.faults, m->d.fault_iova, hwm_fault_name(m->d.fault));
		return -1;
	}
	if (m->d.misrouted) {
		fail(res, "%" PRIu64 " DMA writes misrouted, first at 0x%"
		     PRIx64, m->d.misrouted, m->d.misrouted_iova);
		return -1;
	}
	if (!m->d.log.n) {
		fail(res, "the device wrote nothing");
		return -1;
	}
	if (!verify(&m->d, m->maps, m->end_seq, last, res))
		return -1;
	res->verified = true;
	return 0;
}

static void run_migration(const struct fmt_cfg *fc, const struct opts *o,
			  const struct layout *lay, struct result *res)
{
	struct migration m = { 0 };
	unsigned int r, nmaps = o->rounds + 1;
	int ret;

	m.nbits = lay->len >> PAGE_LG2;
	m.nwords = (m.nbits + 63) / 64;
	m.maps = calloc(nmaps, sizeof(*m.maps));
	m.end_seq = calloc(nmaps, sizeof(*m.end_seq));
	if (!m.maps || !m.end_seq) {
		fail(res, "out of memory");
		goto out;
	}
	for (r = 0; r < nmaps; r++) {
		m.maps[r] = malloc(m.nwords * sizeof(u64));
		if (!m.maps[r]) {
			fail(res, "out of memory for %u bitmaps", nmaps);
			goto out;
		}
		/* fault the bitmaps in now, not in a timed harvest */
		memset(m.maps[r], 0, m.nwords * sizeof(u64));
	}
	ret = migration_prepare(&m, fc, o, lay, res);
	if (ret)
		goto out;

	device_init(&m.d, &m.t, lay, o);
	if (pthread_create(&m.tid, NULL, device_thread, &m.d)) {
		fail(res, "pthread_create failed");
		goto out;
	}
	m.running = true;
	if (migration_precopy(&m, o, lay, res))
		goto out;
	if (migration_finish(&m, lay, res))
		goto out;
	note("%s: VERIFIED: %" PRIu64 " writes, each in its round or the next",
	     res->name, res->writes);

	iopgt_destroy(&m.t.pt);
	m.t.have_pt = false;
	if (talloc_live(m.t.ta))
		fail(res, "%" PRIu64 " tables leaked", talloc_live(m.t.ta));
out:
	migration_free(&m, nmaps);
}

/* The failed migration: split a fresh guest to 4K, merge it back. */
static void run_failed_migration(const struct fmt_cfg *fc,
				 const struct opts *o,
				 const struct layout *lay, struct result *res)
{
	struct iopgt_validate_err err = { 0 };
	struct table t;
	const char *why = NULL;
	u64 before[64], count[64];
	char desc[128];
	int ret;

	ret = table_create(&t, fc, o, lay, res, &why);
	if (ret || table_map_guest(&t, lay, res) ||
	    !table_check_leaves(&t, lay, 0, before, res, "after map"))
		goto out;

	res->fm_split_ret = table_split(&t, lay, false, &res->fm_split_ns);
	if (not_available(res->fm_split_ret)) {
		note("%s: split not available (%s): no failed-migration path",
		     res->name, iopgt_strerror(res->fm_split_ret));
		goto out;
	}
	if (res->fm_split_ret) {
		fail(res, "split: %s", iopgt_strerror(res->fm_split_ret));
		goto out;
	}
	if (!table_check_leaves(&t, lay, PAGE_LG2, count, res, "after split"))
		goto out;
	note("%s: failed migration: split to %" PRIu64 " x 4K in %.1f ms",
	     res->name, count[PAGE_LG2], ms(res->fm_split_ns));

	res->merge_ret = table_split(&t, lay, true, &res->merge_ns);
	if (not_available(res->merge_ret)) {
		note("%s: merge not available (%s)", res->name,
		     iopgt_strerror(res->merge_ret));
		goto out;
	}
	if (res->merge_ret) {
		fail(res, "merge: %s", iopgt_strerror(res->merge_ret));
		goto out;
	}
	if (!table_check_leaves(&t, lay, 0, count, res, "after merge"))
		goto out;
	if (memcmp(before, count, sizeof(count))) {
		fail(res, "merge did not restore the large pages");
		goto out;
	}
	ret = iopgt_validate(&t.pt, &err);
	if (ret) {
		fail(res, "validate after merge: %s at 0x%" PRIx64 " level %u",
		     err.what, err.iova, err.level);
		goto out;
	}
	res->merge_checked = true;
	describe_count(count, desc, sizeof(desc));
	note("%s: failed migration: merged back in %.1f ms: %s", res->name,
	     ms(res->merge_ns), desc);
out:
	table_destroy(&t);
}

/* ---- output -------------------------------------------------------------- */

static double harvest_gibs(const struct result *res)
{
	if (!res->harvest_ns)
		return 0;
	return (double)res->harvested / SZ_1G / (res->harvest_ns / 1e9);
}

static const char *verdict(const struct result *res)
{
	if (res->skipped)
		return "skipped";
	if (res->failed)
		return "FAILED";
	return "VERIFIED";
}

/* "12.3" or "n/a" when the operation did not run */
static const char *ms_or_na(bool ran, u64 ns, char *buf, size_t len)
{
	if (!ran)
		return "n/a";
	snprintf(buf, len, "%.1f", ms(ns));
	return buf;
}

static void print_table(const struct result *res, unsigned int n)
{
	char a[32], b[32];
	unsigned int i;

	printf("%-7s %-10s %6s %4s %10s %8s %9s %8s %8s %9s  %s\n", "format",
	       "config", "rounds", "conv", "pages", "final", "GiB/s",
	       "split-ms", "merge-ms", "writes", "result");
	for (i = 0; i < n; i++) {
		const struct result *r = &res[i];

		if (r->skipped) {
			printf("%-7s %-10s skipped: %s\n", r->name, r->label,
			       r->skipped);
			continue;
		}
		printf("%-7s %-10s %6u %4s %10" PRIu64 " %8" PRIu64
		       " %9.1f %8s %8s %9" PRIu64 "  %s\n", r->name, r->label,
		       r->rounds, r->converged ? "yes" : "no", r->pages_sent,
		       r->final_pages, harvest_gibs(r),
		       ms_or_na(!r->split_ret && r->split_ns, r->split_ns, a,
				sizeof(a)),
		       ms_or_na(r->merge_checked, r->merge_ns, b, sizeof(b)),
		       r->writes, verdict(r));
		if (r->failed)
			printf("        %s\n", r->msg);
	}
}

static void json_string(const char *s)
{
	putchar('"');
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void json_ret(const char *key, int ret, bool ran)
{
	printf(", \"%s\": ", key);
	if (!ran)
		printf("null");
	else if (!ret)
		printf("\"ok\"");
	else
		json_string(iopgt_strerror(ret));
}

static void json_ms(const char *key, bool ran, u64 ns)
{
	if (ran)
		printf(", \"%s\": %.3f", key, ms(ns));
	else
		printf(", \"%s\": null", key);
}

static void print_json(const struct opts *o, const struct result *res,
		       unsigned int n)
{
	unsigned int i;

	printf("{\"guest_bytes\": %" PRIu64 ", \"pages\": ", o->guest_len);
	json_string(o->pages);
	printf(", \"dma_rate_per_ms\": %g, \"max_rounds\": %u, "
	       "\"converge_pages\": %" PRIu64 ", \"link_GBps\": %g, "
	       "\"seed\": %" PRIu64 ",\n \"formats\": [", o->dma_rate,
	       o->rounds, o->converge, o->link_gbs, o->seed);
	for (i = 0; i < n; i++) {
		const struct result *r = &res[i];

		printf("%s\n  {\"format\": ", i ? "," : "");
		json_string(r->name);
		printf(", \"config\": ");
		json_string(r->label);
		if (r->skipped) {
			printf(", \"skipped\": ");
			json_string(r->skipped);
			printf("}");
			continue;
		}
		printf(", \"result\": ");
		json_string(verdict(r));
		if (r->failed) {
			printf(", \"error\": ");
			json_string(r->msg);
		}
		json_ret("split", r->split_ret, true);
		json_ms("split_ms", !r->split_ret, r->split_ns);
		printf(", \"rounds\": %u, "
		       "\"converged\": %s, \"pages_sent\": %" PRIu64
		       ", \"final_pages\": %" PRIu64 ", \"harvest_ms\": %.3f, "
		       "\"harvest_GiBps\": %.3f, \"final_ms\": %.3f, "
		       "\"writes\": %" PRIu64 ", \"faults\": %" PRIu64
		       ", \"log_full\": %s, \"verified\": %s",
		       r->rounds,
		       r->converged ? "true" : "false", r->pages_sent,
		       r->final_pages, ms(r->harvest_ns), harvest_gibs(r),
		       ms(r->final_ns), r->writes, r->faults,
		       r->log_full ? "true" : "false",
		       r->verified ? "true" : "false");
		json_ret("failed_split", r->fm_split_ret,
			 r->fm_split_ns != 0);
		json_ms("failed_split_ms", r->fm_split_ns && !r->fm_split_ret,
			r->fm_split_ns);
		json_ret("merge", r->merge_ret, r->merge_ns != 0);
		json_ms("merge_ms", r->merge_ns && !r->merge_ret, r->merge_ns);
		printf(", \"merge_restored\": %s}",
		       r->merge_checked ? "true" : "false");
	}
	printf("\n]}\n");
}

/* ---- options ------------------------------------------------------------- */

static void usage(FILE *out)
{
	unsigned int f;

	fprintf(out,
"usage: migrate [options]\n"
"Simulate a live migration of a guest's IO page table in every format.\n"
"\n"
"  --size GIB        guest memory in GiB (default %g)\n"
"  --formats LIST    comma-separated: ", DEF_SIZE_GIB);
	for (f = IOPGT_FMT_NONE + 1; f < IOPGT_FMT_COUNT; f++)
		fprintf(out, "%s%s", f > IOPGT_FMT_NONE + 1 ? "," : "",
			iopgt_format_name(f));
	fprintf(out, "\n"
"                    (default: all)\n"
"  --pages LIST      page sizes the guest is mapped with, largest first;\n"
"                    each but the last gets 3/4 of what is left\n"
"                    (default %s)\n"
"  --dma-rate N      device writes per ms; 0: as fast as it can\n"
"                    (default %g)\n"
"  --rounds N        most pre-copy rounds (default %u)\n"
"  --converge N      pre-copy ends once a round reports at most N pages\n"
"                    (default %u)\n"
"  --link GBPS       simulated link speed in GB/s: each round waits while\n"
"                    its pages are sent; 0: no wait (default %g)\n"
"  --seed N          device seed (default %u)\n"
"  --json            machine-readable results on stdout\n"
"  --quiet           no progress on stderr\n"
"  --help            this text\n"
"\n"
"Exit status: 0 when every run verified, 1 when one failed, 2 on a bad\n"
"option.\n",
		DEF_PAGES, DEF_DMA_RATE, DEF_ROUNDS,
		DEF_CONVERGE, DEF_LINK_GBS, DEF_SEED);
}

static bool parse_u64(const char *s, u64 *out)
{
	char *end;

	if (!*s || *s == '-')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return !errno && !*end;
}

static bool parse_double(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return *s && !errno && !*end && isfinite(*out) && *out >= 0;
}

/* "1G,2M": powers of two from 4K, strictly decreasing */
static bool parse_pages(const char *s, struct opts *o)
{
	unsigned long long v;
	char *end;

	o->npgsize = 0;
	for (;;) {
		errno = 0;
		v = strtoull(s, &end, 10);
		if (errno || end == s || o->npgsize == MAX_PGSIZES)
			return false;
		switch (*end) {
		case 'K': case 'k':
			v <<= 10;
			end++;
			break;
		case 'M': case 'm':
			v <<= 20;
			end++;
			break;
		case 'G': case 'g':
			v <<= 30;
			end++;
			break;
		case 'T': case 't':
			v <<= 40;
			end++;
			break;
		}
		if (v < PAGE_SIZE || (v & (v - 1)) ||
		    (o->npgsize && v >= o->pgsize[o->npgsize - 1]))
			return false;
		o->pgsize[o->npgsize++] = v;
		if (!*end)
			return true;
		if (*end != ',')
			return false;
		s = end + 1;
	}
}

static bool parse_formats(const char *s, struct opts *o)
{
	char *copy = strdup(s), *tok, *save = NULL;
	unsigned int f;
	bool ok = copy != NULL;

	o->formats = 0;
	for (tok = copy ? strtok_r(copy, ",", &save) : NULL; tok && ok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (f = IOPGT_FMT_NONE + 1; f < IOPGT_FMT_COUNT; f++)
			if (!strcmp(tok, iopgt_format_name(f)))
				break;
		if (f == IOPGT_FMT_COUNT)
			ok = false;
		else
			o->formats |= 1u << f;
	}
	free(copy);
	return ok && o->formats;
}

enum {
	OPT_SIZE = 256, OPT_FORMATS, OPT_PAGES, OPT_DMA_RATE, OPT_ROUNDS,
	OPT_CONVERGE, OPT_LINK, OPT_SEED, OPT_JSON, OPT_QUIET, OPT_HELP,
};

static const struct option long_opts[] = {
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "formats", required_argument, NULL, OPT_FORMATS },
	{ "pages", required_argument, NULL, OPT_PAGES },
	{ "dma-rate", required_argument, NULL, OPT_DMA_RATE },
	{ "rounds", required_argument, NULL, OPT_ROUNDS },
	{ "converge", required_argument, NULL, OPT_CONVERGE },
	{ "link", required_argument, NULL, OPT_LINK },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "help", no_argument, NULL, OPT_HELP },
	{ 0 },
};

/* Return 0, 1 for --help, or -1 with a message printed. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	double size_gib = DEF_SIZE_GIB;
	u64 v;
	int c;

	*o = (struct opts){ .pages = DEF_PAGES, .formats = ~0u,
			    .dma_rate = DEF_DMA_RATE, .rounds = DEF_ROUNDS,
			    .converge = DEF_CONVERGE,
			    .link_gbs = DEF_LINK_GBS, .seed = DEF_SEED };
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_SIZE:
			if (!parse_double(optarg, &size_gib) || !size_gib ||
			    size_gib > 65536)
				goto bad;
			break;
		case OPT_FORMATS:
			if (!parse_formats(optarg, o))
				goto bad;
			break;
		case OPT_PAGES:
			o->pages = optarg;
			break;
		case OPT_DMA_RATE:
			if (!parse_double(optarg, &o->dma_rate))
				goto bad;
			break;
		case OPT_ROUNDS:
			if (!parse_u64(optarg, &v) || !v || v > 100000)
				goto bad;
			o->rounds = (unsigned int)v;
			break;
		case OPT_CONVERGE:
			if (!parse_u64(optarg, &o->converge))
				goto bad;
			break;
		case OPT_LINK:
			if (!parse_double(optarg, &o->link_gbs))
				goto bad;
			break;
		case OPT_SEED:
			if (!parse_u64(optarg, &o->seed))
				goto bad;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_QUIET:
			progress = false;
			break;
		case 'h':
		case OPT_HELP:
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "migrate: unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}
	if (!parse_pages(o->pages, o)) {
		fprintf(stderr, "migrate: --pages '%s': want powers of two "
			"from 4K, largest first, like 1G,2M\n", o->pages);
		return -1;
	}
	o->guest_len = (u64)(size_gib * SZ_1G);
	if (o->guest_len & (o->pgsize[o->npgsize - 1] - 1)) {
		fprintf(stderr, "migrate: --size %g GiB is not a multiple of "
			"the smallest page size\n", size_gib);
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, "migrate: bad value for --%s: '%s'\n",
		long_opts[c - OPT_SIZE].name, optarg);
	return -1;
}

int main(int argc, char **argv)
{
	struct result res[IOPGT_FMT_COUNT];
	struct layout lay;
	struct opts o;
	unsigned int f, n = 0;
	bool ok = true;
	int ret;

	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret > 0 ? 0 : 2;
	if (layout_make(&lay, &o)) {
		fprintf(stderr, "migrate: cannot lay out %" PRIu64 " bytes "
			"in pages of %s\n", o.guest_len, o.pages);
		return 2;
	}
	memset(res, 0, sizeof(res));
	for (f = IOPGT_FMT_NONE + 1; f < IOPGT_FMT_COUNT; f++) {
		const struct fmt_cfg fc = fmt_cfg_of(f);
		struct result *r = &res[n];

		if (!(o.formats & (1u << f)))
			continue;
		n++;
		r->name = iopgt_format_name(f);
		r->label = fc.label;
		if (!iopgt_format_available(f)) {
			r->skipped = "not built into this iopgt";
			note("%s: %s, skipped", r->name, r->skipped);
			continue;
		}
		run_migration(&fc, &o, &lay, r);
		if (r->skipped) {
			note("%s: %s, skipped", r->name, r->skipped);
			continue;
		}
		if (!r->failed)
			run_failed_migration(&fc, &o, &lay, r);
		ok &= !r->failed;
	}
	if (o.json)
		print_json(&o, res, n);
	else
		print_table(res, n);
	return ok ? 0 : 1;
}
