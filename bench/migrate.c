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
#define DEF_LINK_GBS	64.0	/* GB/s */
#define DEF_SEED	1

/*
 * Pre-copy converges once a round reports at most one page in
 * CONVERGE_DIVISOR of the guest (4096 pages at 16 GiB, 65536 at 256 GiB).
 * A fixed count cannot serve every size: what a round reports is at least
 * what the device writes while the round harvests, and the harvest grows
 * with the guest.
 */
#define CONVERGE_DIVISOR 1024

/* The bounds of the options whose values feed arithmetic. */
/* 64 TiB: PA_BASE + guest stays below 2^48 */
#define MAX_SIZE_GIB	65536.0
#define MAX_DMA_RATE	1000000.0	/* writes per ms: 1e9 a second */
#define MIN_LINK_GBS	0.001
#define MAX_LINK_GBS	1000000.0
#define MAX_ARENA_MIB	(1ull << 20)	/* 1 TiB */

/*
 * The exit status. A run that could not get what it needed (memory, a
 * table, a thread) has its own code: it says nothing about the engine.
 */
#define EXIT_VERIFIED	0
#define EXIT_FAILED	1
#define EXIT_USAGE	2
#define EXIT_RESOURCE	3

/* Progress during one long step: at most one line per PROGRESS_NS. */
#define PROGRESS_NS	500000000ull

/* Map, split and merge work on pieces this large (or a page, if larger),
 * so that a long step can say how far it got. */
#define CHUNK_BYTES	(8ull << 30)

/* The JSON layout's version (the unversioned layout before it was 1). */
#define JSON_SCHEMA	2

struct opts {
	u64 guest_len;
	u64 pgsize[MAX_PGSIZES];	/* largest first */
	unsigned int npgsize;
	const char *pages;
	unsigned int formats;		/* bit per enum iopgt_format */
	double dma_rate;
	unsigned int rounds;
	u64 converge;
	bool converge_given;		/* --converge, not the size rule */
	double link_gbs;
	u64 seed;
	u64 arena_bytes;		/* --arena; 0: sized from the guest */
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

/* One pre-copy round. */
struct round_stat {
	u64 pages;			/* dirty pages reported */
	u64 harvest_ns;
	u64 send_ns;			/* simulated time sending them */
	u64 end_event;			/* the writelog event closing it */
};

/* What one format's run found. Times in ns. */
struct result {
	const char *name;
	const char *label;
	const char *skipped;		/* why, or NULL */
	bool failed;			/* a wrong result */
	bool resource;			/* no memory, tables or thread */
	char msg[256];			/* first failure */

	bool split_ran;
	int split_ret;			/* 0, or why the guest stayed large */
	u64 split_ns;
	unsigned int rounds;
	struct round_stat *per_round;	/* rounds of them */
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

	bool fm_split_ran;		/* the failed-migration table */
	int fm_split_ret;
	u64 fm_split_ns;
	bool merge_ran;
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

/*
 * Record the first failure of a run; later ones only go to stderr. A
 * resource failure (@resource) is kept apart from a wrong result: it
 * stops the run but says nothing about what the engine did.
 */
static void vfail(struct result *res, bool resource, const char *fmt,
		  va_list ap)
{
	char buf[256];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	fprintf(stderr, "%s: %s: %s\n", res->name,
		resource ? "OUT OF RESOURCES" : "FAILED", buf);
	if (!res->failed && !res->resource)
		snprintf(res->msg, sizeof(res->msg), "%s", buf);
	if (resource)
		res->resource = true;
	else
		res->failed = true;
}

static void fail(struct result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(res, false, fmt, ap);
	va_end(ap);
}

/* Out of memory, threads or the like: the run stops, nothing is judged. */
static void lack(struct result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(res, true, fmt, ap);
	va_end(ap);
}

/* A failed iopgt call: -ENOMEM is a resource failure, the rest wrong. */
static void fail_ret(struct result *res, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(res, ret == -ENOMEM, fmt, ap);
	va_end(ap);
}

/* "16 GiB", "1 TiB", "1.5 GiB", "512 MiB": a byte count as people say it */
static const char *bytes_str(u64 bytes, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB",
					    "PiB", "EiB" };
	unsigned int k = 0;

	while (k + 1 < sizeof(unit) / sizeof(unit[0]) &&
	       bytes >= (1ull << (10 * (k + 1))))
		k++;
	if (!(bytes & ((1ull << (10 * k)) - 1)))
		snprintf(buf, len, "%" PRIu64 " %s", bytes >> (10 * k),
			 unit[k]);
	else
		snprintf(buf, len, "%.4g %s",
			 (double)bytes / (double)(1ull << (10 * k)), unit[k]);
	return buf;
}

/*
 * Progress of one long step (map, split, merge, a walk of every leaf) on
 * stderr, at most one line per PROGRESS_NS, none for a step shorter.
 */
struct meter {
	const char *name;
	const char *what;
	u64 total;		/* bytes of IOVA */
	u64 t0;
	u64 last;
};

static void meter_start(struct meter *mt, const char *name, const char *what,
			u64 total)
{
	mt->name = name;
	mt->what = what;
	mt->total = total;
	mt->t0 = now_ns();
	mt->last = mt->t0;
}

static void meter_tick(struct meter *mt, u64 done)
{
	char a[32], b[32];
	u64 t = now_ns();

	if (!progress || t - mt->last < PROGRESS_NS)
		return;
	mt->last = t;
	fprintf(stderr, "%s: %s: %s of %s (%.0f%%), %.1f s\n", mt->name,
		mt->what, bytes_str(done, a, sizeof(a)),
		bytes_str(mt->total, b, sizeof(b)),
		100.0 * (double)done / (double)mt->total,
		(double)(t - mt->t0) / 1e9);
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
	arena = o->arena_bytes ? o->arena_bytes :
				 lay->len / 256 + (64ull << 20);
	t->ta = talloc_create(arena, TALLOC_HUGEPAGE);
	if (!t->ta) {
		lack(res, "talloc_create of %" PRIu64 " MiB failed",
		     arena >> 20);
		return -1;
	}
	cfg.ops = talloc_ops();
	cfg.ctx = t->ta;
	cfg.pgsize_bitmap = want;
	ret = iopgt_init(&t->pt, &cfg);
	if (ret) {
		fail_ret(res, ret, "iopgt_init: %s", iopgt_strerror(ret));
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
		fail_ret(res, ret, "hwm_create from iopgt_hw_info: %s",
			 ret == -ENOMEM ? iopgt_strerror(ret) :
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

/* A piece of the guest for one call: CHUNK_BYTES, or @align if larger. */
static u64 chunk_len(u64 at, u64 end, u64 align)
{
	u64 len = CHUNK_BYTES > align ? CHUNK_BYTES : align;

	return end - at < len ? end - at : len;
}

static int table_map_guest(struct table *t, const struct layout *lay,
			   struct result *res)
{
	struct meter mt;
	unsigned int k;
	u64 at, len;
	int ret;

	meter_start(&mt, res->name, "map", lay->len);
	for (k = 0; k < lay->n; k++) {
		const struct region *r = &lay->r[k];
		const u64 end = r->iova + r->len;

		for (at = r->iova; at < end; at += len) {
			len = chunk_len(at, end, 1ull << r->pgsize_lg2);
			ret = iopgt_map(&t->pt, at, at + r->delta, len,
					IOPGT_READ | IOPGT_WRITE, 0, NULL);
			if (ret) {
				fail_ret(res, ret, "map 0x%" PRIx64 "+0x%"
					 PRIx64 ": %s", at, len,
					 iopgt_strerror(ret));
				return ret;
			}
			meter_tick(&mt, at + len);
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
	struct meter mt;
	u64 iova = 0, n = 0;
	char what[64];
	int ret;

	snprintf(what, sizeof(what), "walk %s", when);
	meter_start(&mt, res->name, what, lay->len);
	memset(count, 0, 64 * sizeof(u64));
	while (iova < lay->len) {
		if (!(++n & 0xffff))
			meter_tick(&mt, iova);
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

/*
 * Split (or merge) the whole guest, invalidate, release; time it all. The
 * work goes in pieces aligned to the largest page, each invalidated and
 * released before the next, so that progress can be shown; a piece that
 * fails stops the rest (what was done stays done: a half-split guest is
 * still a valid one).
 */
static int table_split(struct table *t, const struct layout *lay, bool merge,
		       const char *name, u64 *ns)
{
	const u64 align = 1ull << lay->r[0].pgsize_lg2;
	struct iopgt_gather g;
	struct meter mt;
	u64 t0 = now_ns(), at, len;
	int ret = 0;

	meter_start(&mt, name, merge ? "merge" : "split", lay->len);
	for (at = 0; at < lay->len && !ret; at += len) {
		len = chunk_len(at, lay->len, align);
		iopgt_gather_init(&g);
		if (merge)
			ret = iopgt_merge(&t->pt, at, len, 0, &g);
		else
			ret = iopgt_split(&t->pt, at, len, PAGE_LG2, 0, 0,
					  &g);
		table_flush(t, &g, NULL);
		meter_tick(&mt, at + len);
	}
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
	char desc[128], size[32];
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
	note("%s: mapped %s: %s", res->name,
	     bytes_str(lay->len, size, sizeof(size)), desc);

	hwm_set_dirty_enabled(m->t.hw, true);
	iopgt_gather_init(&g);
	ret = iopgt_set_dirty_tracking(&m->t.pt, true, &g);
	table_flush(&m->t, &g, NULL);
	if (ret) {
		fail_ret(res, ret, "set_dirty_tracking: %s",
			 iopgt_strerror(ret));
		return -1;
	}

	res->split_ran = true;
	res->split_ret = table_split(&m->t, lay, false, res->name,
				     &res->split_ns);
	if (not_available(res->split_ret)) {
		note("%s: split not available (%s): harvesting large pages, "
		     "the bitmap reports them whole", res->name,
		     iopgt_strerror(res->split_ret));
	} else if (res->split_ret) {
		fail_ret(res, res->split_ret, "split: %s",
			 iopgt_strerror(res->split_ret));
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
		char size[32];

		note("%s: bulk copy of %s (%" PRIu64 " pages), %.1f ms",
		     res->name, bytes_str(lay->len, size, sizeof(size)),
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
			fail_ret(res, ret, "read_dirty: %s",
				 iopgt_strerror(ret));
			return ret;
		}
		res->harvest_ns += (t1 - t0) + (t3 - t2);
		res->harvested += lay->len;
		pages = bitmap_weight(bm.words, m->nwords);
		res->pages_sent += pages;
		res->rounds = r + 1;
		res->per_round[r] = (struct round_stat){
			.pages = pages, .harvest_ns = (t1 - t0) + (t3 - t2),
			.end_event = m->end_seq[r] };
		note("%s round %u: %" PRIu64 " pages dirty, %.2f ms harvest",
		     res->name, r + 1, pages, ms((t1 - t0) + (t3 - t2)));
		if (pages <= o->converge) {
			res->converged = true;
			break;
		}
		res->per_round[r].send_ns = link_ns(o, pages << PAGE_LG2);
		sleep_ns(res->per_round[r].send_ns);
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
		fail_ret(res, ret, "unmap_read_dirty: %s, 0x%" PRIx64 " of 0x%"
			 PRIx64 " bytes", iopgt_strerror(ret), unmapped,
			 lay->len);
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
	res->per_round = calloc(nmaps, sizeof(*res->per_round));
	if (!m.maps || !m.end_seq || !res->per_round) {
		lack(res, "out of memory");
		goto out;
	}
	for (r = 0; r < nmaps; r++) {
		m.maps[r] = malloc(m.nwords * sizeof(u64));
		if (!m.maps[r]) {
			lack(res, "out of memory for %u bitmaps of %" PRIu64
			     " bytes", nmaps, m.nwords * 8);
			goto out;
		}
		/* fault the bitmaps in now, not in a timed harvest */
		memset(m.maps[r], 0, m.nwords * sizeof(u64));
	}
	ret = migration_prepare(&m, fc, o, lay, res);
	if (ret)
		goto out;

	device_init(&m.d, &m.t, lay, o);
	ret = pthread_create(&m.tid, NULL, device_thread, &m.d);
	if (ret) {
		lack(res, "pthread_create: %s", strerror(ret));
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

	res->fm_split_ran = true;
	res->fm_split_ret = table_split(&t, lay, false, res->name,
				       &res->fm_split_ns);
	if (not_available(res->fm_split_ret)) {
		note("%s: split not available (%s): no failed-migration path",
		     res->name, iopgt_strerror(res->fm_split_ret));
		goto out;
	}
	if (res->fm_split_ret) {
		fail_ret(res, res->fm_split_ret, "split: %s",
			 iopgt_strerror(res->fm_split_ret));
		goto out;
	}
	if (!table_check_leaves(&t, lay, PAGE_LG2, count, res, "after split"))
		goto out;
	note("%s: failed migration: split to %" PRIu64 " x 4K in %.1f ms",
	     res->name, count[PAGE_LG2], ms(res->fm_split_ns));

	res->merge_ran = true;
	res->merge_ret = table_split(&t, lay, true, res->name,
				     &res->merge_ns);
	if (not_available(res->merge_ret)) {
		note("%s: merge not available (%s)", res->name,
		     iopgt_strerror(res->merge_ret));
		goto out;
	}
	if (res->merge_ret) {
		fail_ret(res, res->merge_ret, "merge: %s",
			 iopgt_strerror(res->merge_ret));
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
	if (res->resource)
		return "OUT-OF-RESOURCES";
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

		if (!r->label)
			continue;	/* not asked for */
		if (r->skipped) {
			printf("%-7s %-10s skipped: %s\n", r->name, r->label,
			       r->skipped);
			continue;
		}
		printf("%-7s %-10s %6u %4s %10" PRIu64 " %8" PRIu64
		       " %9.1f %8s %8s %9" PRIu64 "  %s\n", r->name, r->label,
		       r->rounds, r->converged ? "yes" : "no", r->pages_sent,
		       r->final_pages, harvest_gibs(r),
		       ms_or_na(r->split_ran && !r->split_ret, r->split_ns, a,
				sizeof(a)),
		       ms_or_na(r->merge_checked, r->merge_ns, b, sizeof(b)),
		       r->writes, verdict(r));
		if (r->failed || r->resource)
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

/* null when the call was not made, "ok", or its error */
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

static void json_rounds(const struct result *r)
{
	unsigned int k;

	printf(", \"per_round\": [");
	for (k = 0; k < r->rounds; k++) {
		const struct round_stat *rs = &r->per_round[k];

		printf("%s{\"round\": %u, \"pages\": %" PRIu64
		       ", \"harvest_ms\": %.3f, \"send_ms\": %.3f, "
		       "\"end_event\": %" PRIu64 "}", k ? ", " : "", k + 1,
		       rs->pages, ms(rs->harvest_ns), ms(rs->send_ns),
		       rs->end_event);
	}
	printf("]");
}

static void json_format(const struct result *r)
{
	printf("{\"format\": ");
	json_string(r->name);
	printf(", \"config\": ");
	if (r->label)
		json_string(r->label);
	else
		printf("null");
	printf(", \"result\": ");
	json_string(verdict(r));
	if (r->skipped) {
		printf(", \"reason\": ");
		json_string(r->skipped);
		printf("}");
		return;
	}
	printf(", \"error\": ");
	if (r->failed || r->resource)
		json_string(r->msg);
	else
		printf("null");
	json_ret("split", r->split_ret, r->split_ran);
	json_ms("split_ms", r->split_ran && !r->split_ret, r->split_ns);
	printf(", \"rounds\": %u, \"converged\": %s, \"pages_sent\": %" PRIu64
	       ", \"final_pages\": %" PRIu64 ", \"harvest_ms\": %.3f, "
	       "\"harvest_GiBps\": %.3f, \"final_ms\": %.3f, "
	       "\"writes\": %" PRIu64 ", \"faults\": %" PRIu64
	       ", \"log_full\": %s, \"verified\": %s", r->rounds,
	       r->converged ? "true" : "false", r->pages_sent, r->final_pages,
	       ms(r->harvest_ns), harvest_gibs(r), ms(r->final_ns), r->writes,
	       r->faults, r->log_full ? "true" : "false",
	       r->verified ? "true" : "false");
	json_rounds(r);
	json_ret("failed_split", r->fm_split_ret, r->fm_split_ran);
	json_ms("failed_split_ms", r->fm_split_ran && !r->fm_split_ret,
		r->fm_split_ns);
	json_ret("merge", r->merge_ret, r->merge_ran);
	json_ms("merge_ms", r->merge_ran && !r->merge_ret, r->merge_ns);
	printf(", \"merge_restored\": %s}",
	       r->merge_checked ? "true" : "false");
}

static void print_json(const struct opts *o, const struct result *res,
		       unsigned int n, int status)
{
	char size[32];
	unsigned int i;

	printf("{\"schema_version\": %d, \"exit_status\": %d, "
	       "\"guest_bytes\": %" PRIu64 ", \"guest_size\": ", JSON_SCHEMA,
	       status, o->guest_len);
	json_string(bytes_str(o->guest_len, size, sizeof(size)));
	printf(", \"pages\": ");
	json_string(o->pages);
	printf(", \"dma_rate_per_ms\": %g, \"max_rounds\": %u, "
	       "\"converge_pages\": %" PRIu64 ", \"converge_rule\": \"%s\", "
	       "\"link_GBps\": %g, \"seed\": %" PRIu64 ", \"arena_bytes\": ",
	       o->dma_rate, o->rounds, o->converge,
	       o->converge_given ? "--converge" : "guest pages / 1024",
	       o->link_gbs, o->seed);
	if (o->arena_bytes)
		printf("%" PRIu64, o->arena_bytes);
	else
		printf("null");
	printf(",\n \"formats\": [");
	for (i = 0; i < n; i++) {
		printf("%s\n  ", i ? "," : "");
		json_format(&res[i]);
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
"  --size GIB        guest memory in GiB, above 0 and at most %.0f (64 TiB),\n"
"                    a multiple of the smallest page size (default %g)\n"
"  --formats LIST    comma-separated: ", MAX_SIZE_GIB, DEF_SIZE_GIB);
	for (f = IOPGT_FMT_NONE + 1; f < IOPGT_FMT_COUNT; f++)
		fprintf(out, "%s%s", f > IOPGT_FMT_NONE + 1 ? "," : "",
			iopgt_format_name(f));
	fprintf(out, "\n"
"                    (default: all)\n"
"  --pages LIST      page sizes the guest is mapped with, largest first;\n"
"                    each but the last gets 3/4 of what is left\n"
"                    (default %s)\n"
"  --dma-rate N      device writes per ms, 0 to %.0f; 0: as fast as it can\n"
"                    (default %g)\n"
"  --rounds N        most pre-copy rounds (default %u)\n"
"  --converge N      pre-copy ends once a round reports at most N pages\n"
"                    (default: one page in %u of the guest)\n"
"  --link GBPS       simulated link speed in GB/s, %g to %.0f: each round\n"
"                    waits while its pages are sent; 0: no wait\n"
"                    (default %g)\n"
"  --seed N          device seed (default %u)\n"
"  --arena MIB       table memory per table, 1 to %llu MiB (default: the\n"
"                    guest's size / 256 + 64 MiB); a run that runs out\n"
"                    ends OUT-OF-RESOURCES\n"
"  --json            machine-readable results on stdout\n"
"  --quiet           no progress on stderr\n"
"  --help            this text\n"
"\n"
"Exit status: 0 when every run verified, 1 when one failed, 2 on a bad\n"
"option, 3 when a run ran out of resources (memory, tables, a thread)\n"
"and none failed.\n",
		DEF_PAGES, MAX_DMA_RATE, DEF_DMA_RATE, DEF_ROUNDS,
		CONVERGE_DIVISOR, MIN_LINK_GBS, MAX_LINK_GBS, DEF_LINK_GBS,
		DEF_SEED, MAX_ARENA_MIB);
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
	OPT_CONVERGE, OPT_LINK, OPT_SEED, OPT_ARENA, OPT_JSON, OPT_QUIET,
	OPT_HELP,
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
	{ "arena", required_argument, NULL, OPT_ARENA },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "help", no_argument, NULL, OPT_HELP },
	{ 0 },
};

/* A number option out of its range: say which range, and fail. */
static int out_of_range(const char *opt, const char *arg, const char *want)
{
	fprintf(stderr, "migrate: --%s %s: want %s\n", opt, arg, want);
	return -1;
}

/* The checks that need the whole command line: the guest's size. */
static int check_size(struct opts *o, const char *arg, double size_gib)
{
	char a[32], b[32];
	u64 min = o->pgsize[o->npgsize - 1];

	o->guest_len = (u64)(size_gib * SZ_1G);
	if (o->guest_len < min || o->guest_len & (min - 1)) {
		fprintf(stderr, "migrate: --size %s (%s) is not a multiple of "
			"%s, the smallest page size of --pages %s\n", arg,
			bytes_str(o->guest_len, a, sizeof(a)),
			bytes_str(min, b, sizeof(b)), o->pages);
		return -1;
	}
	if (!o->converge_given)
		o->converge = (o->guest_len >> PAGE_LG2) / CONVERGE_DIVISOR;
	return 0;
}

/* The value of a numeric option, checked against its range. */
static int parse_number(int c, const char *arg, struct opts *o,
			double *size_gib)
{
	double d;
	u64 v;

	switch (c) {
	case OPT_SIZE:
		if (!parse_double(arg, size_gib) || !*size_gib ||
		    *size_gib > MAX_SIZE_GIB)
			return out_of_range("size", arg, "a size in GiB above "
					    "0 and at most 65536 (64 TiB)");
		return 0;
	case OPT_DMA_RATE:
		if (!parse_double(arg, &d) || d > MAX_DMA_RATE)
			return out_of_range("dma-rate", arg, "0 (as fast as "
					    "it can) to 1000000 writes per ms");
		o->dma_rate = d;
		return 0;
	case OPT_LINK:
		if (!parse_double(arg, &d) || d > MAX_LINK_GBS ||
		    (d && d < MIN_LINK_GBS))
			return out_of_range("link", arg, "0 (no wait), or "
					    "0.001 to 1000000 GB/s");
		o->link_gbs = d;
		return 0;
	case OPT_ROUNDS:
		if (!parse_u64(arg, &v) || !v || v > 100000)
			return out_of_range("rounds", arg, "1 to 100000");
		o->rounds = (unsigned int)v;
		return 0;
	case OPT_CONVERGE:
		if (!parse_u64(arg, &o->converge))
			return out_of_range("converge", arg, "a page count");
		o->converge_given = true;
		return 0;
	case OPT_SEED:
		if (!parse_u64(arg, &o->seed))
			return out_of_range("seed", arg, "an integer >= 0");
		return 0;
	case OPT_ARENA:
		if (!parse_u64(arg, &v) || !v || v > MAX_ARENA_MIB)
			return out_of_range("arena", arg,
					    "1 to 1048576 MiB");
		o->arena_bytes = v << 20;
		return 0;
	}
	return -1;
}

/* Return 0, 1 for --help, or -1 with a message printed. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	double size_gib = DEF_SIZE_GIB;
	const char *size_arg = "16";
	int c;

	*o = (struct opts){ .pages = DEF_PAGES, .formats = ~0u,
			    .dma_rate = DEF_DMA_RATE, .rounds = DEF_ROUNDS,
			    .link_gbs = DEF_LINK_GBS, .seed = DEF_SEED };
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_FORMATS:
			if (!parse_formats(optarg, o)) {
				fprintf(stderr, "migrate: bad value for "
					"--formats: '%s'\n", optarg);
				return -1;
			}
			break;
		case OPT_PAGES:
			o->pages = optarg;
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
		case OPT_SIZE:
			size_arg = optarg;
			/* fall through */
		case OPT_DMA_RATE: case OPT_LINK: case OPT_ROUNDS:
		case OPT_CONVERGE: case OPT_SEED: case OPT_ARENA:
			if (parse_number(c, optarg, o, &size_gib))
				return -1;
			break;
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
	return check_size(o, size_arg, size_gib);
}

/* One format's run, from the migration to the failed-migration path. */
static void run_format(enum iopgt_format f, const struct opts *o,
		       const struct layout *lay, struct result *r)
{
	const struct fmt_cfg fc = fmt_cfg_of(f);

	r->name = iopgt_format_name(f);
	if (!(o->formats & (1u << f))) {
		r->skipped = "not selected (--formats)";
		return;
	}
	r->label = fc.label;
	if (!iopgt_format_available(f)) {
		r->skipped = "not built into this iopgt";
		note("%s: %s, skipped", r->name, r->skipped);
		return;
	}
	run_migration(&fc, o, lay, r);
	if (r->skipped) {
		note("%s: %s, skipped", r->name, r->skipped);
		return;
	}
	if (!r->failed && !r->resource)
		run_failed_migration(&fc, o, lay, r);
}

int main(int argc, char **argv)
{
	struct result res[IOPGT_FMT_COUNT];
	struct layout lay;
	struct opts o;
	unsigned int f, n = 0;
	bool failed = false, lacked = false;
	int ret, status;

	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret > 0 ? EXIT_VERIFIED : EXIT_USAGE;
	if (layout_make(&lay, &o)) {
		char size[32];

		fprintf(stderr, "migrate: cannot lay out %s in pages of %s\n",
			bytes_str(o.guest_len, size, sizeof(size)), o.pages);
		return EXIT_USAGE;
	}
	memset(res, 0, sizeof(res));
	for (f = IOPGT_FMT_NONE + 1; f < IOPGT_FMT_COUNT; f++) {
		struct result *r = &res[n++];

		run_format(f, &o, &lay, r);
		failed |= r->failed;
		lacked |= r->resource;
	}
	status = failed ? EXIT_FAILED : lacked ? EXIT_RESOURCE : EXIT_VERIFIED;
	if (o.json)
		print_json(&o, res, n, status);
	else
		print_table(res, n);
	for (f = 0; f < n; f++)
		free(res[f].per_round);
	return status;
}
