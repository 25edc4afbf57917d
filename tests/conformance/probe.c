/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Probing devices: no write is lost when the device holds stale cached
 * translations across an edit.
 *
 * A device that only ever walks fresh tables proves little (STYLE.md): the
 * dangerous writes go through an IOTLB entry or a cached table pointer
 * taken before the edit and used after it, before the caller's
 * invalidation. So every edit here is probed: right before it the device
 * reads (sometimes writes) a window of the range, filling its IOTLB and
 * paging-structure cache, large and multi-slot leaves included; right
 * after it, before the gather's range is invalidated, the device writes
 * through what it cached. Then exactly what the gather names is
 * invalidated and the gather released. Every write the software IOMMU
 * completed must be reported by a later harvest, or by the bitmap of the
 * unmap_read_dirty (and its gather release) that took the page away.
 * Over-reporting is allowed; losing a write is not.
 *
 * Bodies:
 *  - multi_level_merge_keeps_write_through_stale_iotlb and
 *    ..._through_stale_walk_cache: one merge collapsing as many levels as
 *    the config has below 1 GiB, the device holding a smallest-page
 *    translation in its IOTLB, or only the table pointers on the way to it.
 *  - split_keeps_writes_through_stale_leaf: every leaf size above the
 *    smallest (AMD v1 replicas, ARM contiguous runs, plain blocks) split to
 *    the smallest page while the device holds it dirty in its IOTLB (it
 *    wrote once), clean, only through table pointers, or while its first
 *    write races the split; then written elsewhere in the former leaf
 *    through the stale entry.
 *  - cut_keeps_writes_through_stale_leaf: every leaf size above four
 *    pages has its second quarter cut out while the device holds it as
 *    for split (its first write racing the cut included); it then writes
 *    beside both ends and at the leaf's edges, before the invalidation,
 *    without a fault, and into the removed quarter, and no write is lost.
 *  - random_probed_edits_lose_no_write_under_dma: random split, merge,
 *    unmap_read_dirty (plain or cutting) + remap and harvest (some rounds NO_CLEAR) of random
 *    sub-ranges of two halves while a device thread reads and writes the
 *    first through the software IOMMU, every edit probed by a second
 *    device behind its own IOMMU. In the quiet second half the probes'
 *    writes are the only ones, so over-reporting cannot hide a lost one.
 *
 * Configs that refuse split and merge (ARM without BBML) check the -EBUSY
 * and run the rest. IOPGT_PROBE_WRITES sets the device writes the random
 * body makes per config (the long run, see tests/check_probe_threads.c),
 * IOPGT_PROBE_ROUNDS the least number of rounds, IOPGT_PROBE_SEED varies
 * its seed.
 *
 * Userspace only (pthreads); run in the plain suite and under TSan.
 */
#define _GNU_SOURCE	/* pthread_setaffinity_np */
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "harness/fixture.h"
#include "support/writelog.h"
#include "cases.h"

#define PR_RW	(IOPGT_READ | IOPGT_WRITE)

static u64 sz(unsigned int lg2)
{
	return 1ull << lg2;
}

static unsigned int unit_lg2(const struct fx *fx)
{
	return __builtin_ctzll(fx->pt.pgsize_bitmap);
}

/* The largest page size of the config up to 2^@max_lg2. */
static unsigned int largest_lg2(const struct fx *fx, unsigned int max_lg2)
{
	unsigned int s;

	for (s = max_lg2; s > unit_lg2(fx); s--)
		if (fx_size_ok(fx, s))
			return s;
	return unit_lg2(fx);
}

/* 1 GiB, or less where the config's ias is smaller. */
static unsigned int cap_lg2(const struct fx *fx)
{
	unsigned int max = it_max_leaf_lg2(fx->t, unit_lg2(fx));

	return fx_ias(fx) - 1 < max ? fx_ias(fx) - 1 : max;
}

static bool bit_test(const u64 *words, u64 bit)
{
	return words[bit / 64] & (1ull << (bit % 64));
}

/* How a device access was served, from the IOMMU's counters. */
enum pr_path {
	PR_PATH_FAULT,
	PR_PATH_IOTLB,
	PR_PATH_PWC,
	PR_PATH_ROOT,
	PR_NPATHS,
};

static const char *const pr_path_name[PR_NPATHS] = {
	"faulting",
	"through its stale IOTLB entry",
	"walking from a cached table pointer",
	"walking from the root",
};

static int probe_access(struct hwm *hw, u64 iova, unsigned int access,
			u64 *pa, enum pr_path *path)
{
	struct hwm_stats a, b;
	int ret;

	hwm_stats(hw, &a);
	ret = hwm_translate(hw, iova, access, pa);
	hwm_stats(hw, &b);
	if (ret)
		*path = PR_PATH_FAULT;
	else if (b.iotlb_hits > a.iotlb_hits)
		*path = PR_PATH_IOTLB;
	else if (b.pwc_hits > a.pwc_hits)
		*path = PR_PATH_PWC;
	else
		*path = PR_PATH_ROOT;
	return ret;
}

/*
 * read_dirty of [@iova, @iova + @len) into @words (bit i: page i of the
 * range), then invalidate exactly what the gather names and release it.
 */
static int harvest_into(struct fx *fx, u64 iova, u64 len, u32 flags,
			u64 *words)
{
	unsigned int ul = unit_lg2(fx);
	struct iopgt_bitmap bm = { .base = iova, .pgshift = ul,
				   .words = words, .nbits = len >> ul };
	struct iopgt_gather g;
	int ret;

	iopgt_gather_init(&g);
	ret = iopgt_read_dirty(&fx->pt, iova, len, flags, &bm, &g);
	fx_flush(fx, &g, NULL);
	return ret;
}

/* Fails the test unless nothing in [0, @len) reads dirty. */
static bool all_clean(struct fx *fx, u64 len, const char *when)
{
	unsigned int ul = unit_lg2(fx);
	u64 nwords = ((len >> ul) + 63) / 64, i;
	u64 *words = calloc(nwords, sizeof(u64));
	int ret;

	if (!words) {
		IT_FAIL(fx->t, "out of memory");
		return false;
	}
	ret = harvest_into(fx, 0, len, IOPGT_DIRTY_NO_CLEAR, words);
	for (i = 0; !ret && i < nwords && !words[i]; i++)
		;
	if (ret)
		IT_FAIL(fx->t, "NO_CLEAR read_dirty %s: %s", when,
			test_errname(ret));
	else if (i < nwords)
		IT_FAIL(fx->t, "precondition: 0x%llx reads dirty %s, before any device write",
			(unsigned long long)((i * 64 + __builtin_ctzll(words[i]))
					     << ul), when);
	free(words);
	return !ret && i == nwords;
}

/* ---- merges collapsing several levels ---------------------------------- */

#define MERGE_PROBES 4

/*
 * Map the largest leaf up to 1 GiB, split it to the smallest pages, clean
 * everything, let the device read a few pages in different tables, merge
 * the whole range in one call (4K -> 2M -> 1G where the config has both),
 * let the device write the same pages before the invalidation, invalidate
 * the gather, release it, harvest: every page written must be reported.
 * @via_walk_cache: the device keeps only the table pointers it walked
 * through (its IOTLB entries for the pages are dropped before the merge).
 */
static void merge_probe_run(struct fx *fx, bool via_walk_cache)
{
	struct it *t = fx->t;
	struct iopgt_gather g;
	struct hwm_walk w;
	enum pr_path path[MERGE_PROBES];
	u64 page[MERGE_PROBES], unit, big, pa, *words, g_start, g_last;
	unsigned int ul, big_lg2, i, merged_lg2, merged_level;
	bool blocked, g_tables;
	int ret;

	blocked = fx_bbm_blocked(fx);
	ul = unit_lg2(fx);
	unit = sz(ul);
	big_lg2 = largest_lg2(fx, cap_lg2(fx));
	if (big_lg2 == ul)
		big_lg2 = ul + 4;	/* one page size: nothing merges */
	big = sz(big_lg2);
	IT_ASSERT_RET(t, iopgt_map(&fx->pt, 0, 0, big, PR_RW, 0, NULL), 0);

	iopgt_gather_init(&g);
	ret = iopgt_split(&fx->pt, 0, big, ul, 0, 0, &g);
	/* no BBML: split and merge are refused and the rest still runs */
	IT_ASSERT_RET(t, ret, blocked ? -EBUSY : 0);
	IT_ASSERT(t, !blocked || (g.start > g.last && !g.detached));
	fx_flush(fx, &g, NULL);
	memset(&w, 0, sizeof(w));
	IT_ASSERT_RET(t, hwm_walk(fx->hw, big / 2, &w), 0);
	if (!blocked && w.size_lg2 != ul)
		IT_FAIL(t, "split of 0x0+0x%llx to 2^%u left a 2^%u leaf at 0x%llx",
			(unsigned long long)big, ul, w.size_lg2,
			(unsigned long long)(big / 2));
	IT_CHECK(t, !t->failed);

	words = calloc(((big >> ul) + 63) / 64, sizeof(u64));
	IT_ASSERT(t, words);
	ret = harvest_into(fx, 0, big, 0, words);
	if (ret || !all_clean(fx, big, "after a clearing harvest")) {
		free(words);
		IT_ASSERT_RET(t, ret, 0);
		return;
	}

	/* pages in different tables of every level below the merge */
	page[0] = 0;
	page[1] = (big / 3) & ~(unit - 1);
	page[2] = big / 2 + 5 * unit;
	page[3] = big - unit;
	for (i = 0; i < MERGE_PROBES; i++) {
		ret = hwm_translate(fx->hw, page[i], HWM_READ, &pa);
		if (ret || pa != page[i]) {
			IT_FAIL(t, "probe read at 0x%llx: %s -> 0x%llx",
				(unsigned long long)page[i],
				hwm_fault_name(ret), (unsigned long long)pa);
			free(words);
			return;
		}
		/* keep the table pointers, drop the translation */
		if (via_walk_cache)
			hwm_invalidate(fx->hw, page[i], page[i] + unit - 1,
				       false);
	}

	iopgt_gather_init(&g);
	ret = iopgt_merge(&fx->pt, 0, big, 0, &g);
	if (ret != (blocked ? -EBUSY : 0)) {
		IT_FAIL(t, "merge of 0x0+0x%llx: %s", (unsigned long long)big,
			test_errname(ret));
		fx_flush(fx, &g, NULL);
		free(words);
		return;
	}
	memset(&w, 0, sizeof(w));
	hwm_walk(fx->hw, 0, &w);
	merged_lg2 = w.size_lg2;
	merged_level = w.level;
	for (i = 0; i < MERGE_PROBES && !t->failed; i++) {
		ret = probe_access(fx->hw, page[i], HWM_WRITE, &pa, &path[i]);
		if (ret || pa != page[i])
			IT_FAIL(t, "probe write at 0x%llx right after the merge of 0x0+0x%llx: %s -> 0x%llx",
				(unsigned long long)page[i],
				(unsigned long long)big, hwm_fault_name(ret),
				(unsigned long long)pa);
	}
	g_start = g.start;
	g_last = g.last;
	g_tables = g.flags & IOPGT_GATHER_TABLES;
	fx_flush(fx, &g, NULL);
	if (t->failed) {
		free(words);
		return;
	}

	memset(words, 0, ((big >> ul) + 63) / 64 * sizeof(u64));
	ret = harvest_into(fx, 0, big, 0, words);
	for (i = 0; !ret && i < MERGE_PROBES && !t->failed; i++) {
		if (bit_test(words, page[i] >> ul))
			continue;
		IT_FAIL(t, "lost write: IOVA 0x%llx written %s after merge 0x0+0x%llx (2^%u-byte pages -> one 2^%u leaf at level %u) and before invalidating 0x%llx-0x%llx%s; the harvest after release does not report it",
			(unsigned long long)page[i], pr_path_name[path[i]],
			(unsigned long long)big, ul, merged_lg2, merged_level,
			(unsigned long long)g_start,
			(unsigned long long)g_last,
			g_tables ? " (tables too)" : "");
	}
	free(words);
	IT_ASSERT_RET(t, ret, 0);
}

static void merge_probe(struct it *t, bool via_walk_cache)
{
	struct fx fx;

	IT_CHECK(t, fx_setup_dirty(t, &fx));
	merge_probe_run(&fx, via_walk_cache);
	if (!t->failed && iopgt_validate(&fx.pt, NULL))
		IT_FAIL(t, "iopgt_validate failed after the merge");
	fx_teardown(&fx);
}

static void multi_level_merge_keeps_write_through_stale_iotlb(struct it *t)
{
	merge_probe(t, false);
}

static void multi_level_merge_keeps_write_through_stale_walk_cache(struct it *t)
{
	merge_probe(t, true);
}

/* ---- splits of large and multi-slot leaves ----------------------------- */

#define SPLIT_PROBES 4

/* What the device holds of the leaf when it is split. */
enum split_mode {
	SPLIT_DIRTY,	/* its IOTLB entry, dirty: it wrote one page */
	SPLIT_CLEAN,	/* its IOTLB entry, clean: it read one page */
	SPLIT_WALK,	/* only the table pointers above the leaf */
	SPLIT_RACE,	/* a clean entry, and its first write races the edit */
	SPLIT_NMODES,
};

static const char *const split_mode_name[SPLIT_NMODES] = {
	"cached dirty in the IOTLB",
	"cached clean in the IOTLB",
	"its table pointers cached",
	"cached clean, first write racing the edit",
};

/*
 * The racing device: once told to go, waits a chosen while and writes one
 * page, so that over many tries the write lands at every point of a split
 * that rewrites a multi-slot leaf slot by slot.
 */
struct racer {
	struct hwm *hw;
	u64 iova;
	unsigned int spin;
	int go;			/* atomic: 1 write once, 2 quit */
	bool started;		/* atomic: it saw go, its wait begins */
	bool done;		/* atomic */
	u64 t0, t1;		/* when its write started and ended */
	int ret;
	u64 pa;
	enum pr_path path;
};

static void racer_spin(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}

static void *racer_thread(void *arg)
{
	struct racer *r = arg;
	unsigned int i;
	int go;

	for (;;) {
		/* idle without a CPU: the split waits until it has started */
		for (i = 0; !(go = __atomic_load_n(&r->go, __ATOMIC_ACQUIRE));
		     i++) {
			if (i < 1024)
				sched_yield();
			else
				nanosleep(&(struct timespec){ .tv_nsec = 20000 },
					  NULL);
		}
		if (go == 2)
			return NULL;
		__atomic_store_n(&r->started, true, __ATOMIC_RELEASE);
		racer_spin(r->spin);
		r->t0 = now_ns();
		r->ret = probe_access(r->hw, r->iova, HWM_WRITE, &r->pa,
				      &r->path);
		r->t1 = now_ns();
		__atomic_store_n(&r->go, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&r->done, true, __ATOMIC_RELEASE);
	}
}

/* Tell the racer to write at @iova; returns as its wait begins. */
static void racer_start(struct racer *r, u64 iova)
{
	unsigned int i;

	r->iova = iova;
	__atomic_store_n(&r->started, false, __ATOMIC_RELAXED);
	__atomic_store_n(&r->done, false, __ATOMIC_RELAXED);
	__atomic_store_n(&r->go, 1, __ATOMIC_RELEASE);
	for (i = 0; !__atomic_load_n(&r->started, __ATOMIC_ACQUIRE); i++)
		if (i % 1024 == 1023)
			sched_yield();
}

static void racer_wait(struct racer *r)
{
	while (!__atomic_load_n(&r->done, __ATOMIC_ACQUIRE))
		sched_yield();
}

/*
 * One leaf of 2^@s at IOVA 0, split to the smallest page while the device
 * holds it as @mode says; before the invalidation the device writes pages
 * in other slots through what it cached (a dirty IOTLB entry touches no
 * entry in memory). After invalidation and release the harvest must
 * report every page written; and where the device held the leaf dirty,
 * the whole former leaf, since nothing in memory says which of its pages
 * were written.
 */
static bool split_probe_one(struct fx *fx, unsigned int s,
			    enum split_mode mode, struct racer *racer,
			    u64 *split_t)
{
	struct it *t = fx->t;
	unsigned int ul = unit_lg2(fx), i, replicas, first_after;
	u64 unit = sz(ul), len = sz(s), pa, g_start = 1, g_last = 0, *words;
	/* the first in the last slot, the others spread over the leaf */
	u64 page[SPLIT_PROBES] = { len - unit, 0, len / 2, unit };
	enum pr_path path[SPLIT_PROBES] = { PR_PATH_ROOT };
	struct iopgt_gather g;
	struct hwm_walk w;
	bool blocked = fx_bbm_blocked(fx);
	u64 bit;
	int ret;

	ret = iopgt_map(&fx->pt, 0, 0, len, PR_RW, 0, NULL);
	if (ret) {
		IT_FAIL(t, "map 0x0+0x%llx: %s", (unsigned long long)len,
			test_errname(ret));
		return false;
	}
	memset(&w, 0, sizeof(w));
	ret = hwm_walk(fx->hw, 0, &w);
	if (ret || w.size_lg2 != s) {
		IT_FAIL(t, "map 0x0+0x%llx: hwmodel sees %s, a 2^%u leaf",
			(unsigned long long)len, hwm_fault_name(ret),
			w.size_lg2);
		return false;
	}
	replicas = w.replicas;
	words = calloc(((len >> ul) + 63) / 64, sizeof(u64));
	if (!words) {
		IT_FAIL(t, "out of memory");
		return false;
	}

	first_after = mode == SPLIT_DIRTY || mode == SPLIT_RACE;
	ret = probe_access(fx->hw, page[0],
			   mode == SPLIT_DIRTY ? HWM_WRITE : HWM_READ, &pa,
			   &path[0]);
	if (ret || pa != page[0]) {
		IT_FAIL(t, "access at 0x%llx through a 2^%u leaf: %s",
			(unsigned long long)page[0], s, hwm_fault_name(ret));
		goto out;
	}
	if (mode == SPLIT_WALK)
		hwm_invalidate(fx->hw, 0, len - 1, false);
	iopgt_gather_init(&g);
	if (mode == SPLIT_RACE)
		racer_start(racer, page[0]);
	split_t[0] = now_ns();
	ret = iopgt_split(&fx->pt, 0, len, ul, 0, 0, &g);
	split_t[1] = now_ns();
	if (mode == SPLIT_RACE) {
		racer_wait(racer);
		path[0] = racer->path;
		if (racer->ret || racer->pa != page[0]) {
			IT_FAIL(t, "write at 0x%llx racing the split of the 2^%u leaf at 0x0: %s -> 0x%llx",
				(unsigned long long)page[0], s,
				hwm_fault_name(racer->ret),
				(unsigned long long)racer->pa);
			fx_flush(fx, &g, NULL);
			goto out;
		}
	}
	if (ret != (blocked ? -EBUSY : 0)) {
		IT_FAIL(t, "split of the 2^%u leaf at 0x0 (%u slots) to 2^%u: %s",
			s, replicas, ul, test_errname(ret));
		fx_flush(fx, &g, NULL);
		goto out;
	}
	for (i = first_after; i < SPLIT_PROBES; i++) {
		ret = probe_access(fx->hw, page[i], HWM_WRITE, &pa, &path[i]);
		if (ret || pa != page[i]) {
			IT_FAIL(t, "write at 0x%llx right after splitting the 2^%u leaf at 0x0 (%s): %s -> 0x%llx",
				(unsigned long long)page[i], s,
				split_mode_name[mode], hwm_fault_name(ret),
				(unsigned long long)pa);
			fx_flush(fx, &g, NULL);
			goto out;
		}
	}
	g_start = g.start;
	g_last = g.last;
	fx_flush(fx, &g, NULL);

	ret = harvest_into(fx, 0, len, 0, words);
	if (ret) {
		IT_FAIL(t, "read_dirty after the split: %s",
			test_errname(ret));
		goto out;
	}
	for (i = 0; i < SPLIT_PROBES; i++) {
		if (bit_test(words, page[i] >> ul))
			continue;
		IT_FAIL(t, "lost write: IOVA 0x%llx written %s %s the split of the 2^%u leaf at 0x0 (%u slots, %s) to 2^%u, invalidation 0x%llx-0x%llx; not reported by the harvest after release",
			(unsigned long long)page[i], pr_path_name[path[i]],
			i >= first_after ? "after" :
			mode == SPLIT_RACE ? "during" : "before", s, replicas,
			split_mode_name[mode], ul,
			(unsigned long long)g_start,
			(unsigned long long)g_last);
		goto out;
	}
	for (bit = 0; mode == SPLIT_DIRTY && bit < len >> ul; bit++) {
		if (bit_test(words, bit))
			continue;
		IT_FAIL(t, "split of the 2^%u leaf at 0x0 (%u slots) the device held dirty: 0x%llx reported clean, but a write through the stale entry may have landed there; the whole former leaf must be reported",
			s, replicas, (unsigned long long)(bit << ul));
		goto out;
	}
out:
	free(words);
	iopgt_gather_init(&g);
	ret = iopgt_unmap(&fx->pt, 0, len, 0, &g, NULL);
	fx_flush(fx, &g, NULL);
	if (ret)
		IT_FAIL(t, "unmap 0x0+0x%llx: %s", (unsigned long long)len,
			test_errname(ret));
	return !t->failed;
}

/*
 * Run the racer and this thread on two different CPUs where there are two,
 * so the racing write can land inside the split even on a busy machine.
 * @saved gets this thread's CPUs back; false if nothing was changed.
 */
static bool pin_apart(pthread_t racer, cpu_set_t *saved)
{
	cpu_set_t one;
	int cpu, a = -1, b = -1;

	if (sched_getaffinity(0, sizeof(*saved), saved) ||
	    CPU_COUNT(saved) < 2)
		return false;
	for (cpu = 0; cpu < CPU_SETSIZE && b < 0; cpu++) {
		if (!CPU_ISSET(cpu, saved))
			continue;
		if (a < 0)
			a = cpu;
		else
			b = cpu;
	}
	CPU_ZERO(&one);
	CPU_SET(b, &one);
	if (pthread_setaffinity_np(racer, sizeof(one), &one))
		return false;
	CPU_ZERO(&one);
	CPU_SET(a, &one);
	return !pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
}

/* One probe of a 2^@s leaf at 0 held as @mode, timing its edit in @edit_t. */
typedef bool (*probe_one_fn)(struct fx *fx, unsigned int s,
			     enum split_mode mode, struct racer *racer,
			     u64 *edit_t);

/*
 * Every leaf size from 2^@min_lg2 up to 1 GiB, each way the device can
 * hold it, edited by @one. Racing writes go many times over on
 * multi-slot leaves and on the others up to 16 level-1 items: the racer's
 * delays spread its write over the time an edit of that size takes (timed
 * on the same leaf just before), so it lands before, inside and after the
 * stretch where a multi-slot leaf is rewritten slot by slot; tries go on
 * until enough writes landed while the edit ran (or eight times as many
 * tries).
 */
static void probe_each_leaf(struct fx *fx, unsigned int min_lg2,
			    probe_one_fn one)
{
	struct it *t = fx->t;
	struct racer racer = { 0 };
	pthread_t tid;
	cpu_set_t cpus;
	unsigned int s, tries, k, landed, race_max_lg2, bpl;
	enum split_mode mode;
	u64 rnd = t->seed, edit_t[2] = { 0, 0 }, spin_ns, spin_max;
	bool pinned;

	racer.hw = fx->hw;
	if (pthread_create(&tid, NULL, racer_thread, &racer)) {
		IT_FAIL(t, "pthread_create failed");
		return;
	}
	pinned = pin_apart(tid, &cpus);
	/* what the racer's wait costs, in ns per 1024 turns */
	spin_ns = now_ns();
	racer_spin(1u << 20);
	spin_ns = (now_ns() - spin_ns) >> 10;
	if (!spin_ns)
		spin_ns = 1;
	tries = it_scaled(t, 32);
	race_max_lg2 = fx_item_lg2(fx, fx->pt.levels > 1 ? 1 : 0) + 4;
	bpl = fx->pt.granule_lg2 - 3;
	/*
	 * Largest first: unmapping a leaf leaves the tables above it, and a
	 * larger leaf would not fit under them.
	 */
	for (s = cap_lg2(fx); s >= min_lg2 && !t->failed; s--) {
		if (!fx_size_ok(fx, s))
			continue;
		for (mode = 0; mode < SPLIT_NMODES && !t->failed; mode++) {
			/* multi-slot: not a whole number of levels */
			if (mode == SPLIT_RACE && s > race_max_lg2 &&
			    !((s - unit_lg2(fx)) % bpl))
				continue;
			/* from no wait to a bit longer than an edit */
			spin_max = (edit_t[1] - edit_t[0] + 500) * 1024 /
					   spin_ns + 1;
			landed = 0;
			for (k = 0; !t->failed &&
				    (mode != SPLIT_RACE ? k < 1 :
				     landed < tries && k < 8 * tries);
			     k++) {
				racer.spin = (unsigned int)it_rand_below(&rnd,
									 spin_max);
				one(fx, s, mode, &racer, edit_t);
				landed += mode == SPLIT_RACE &&
					  racer.t0 < edit_t[1] &&
					  racer.t1 > edit_t[0];
			}
		}
	}
	__atomic_store_n(&racer.go, 2, __ATOMIC_RELEASE);
	pthread_join(tid, NULL);
	if (pinned)
		pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
}

static void split_keeps_writes_through_stale_leaf(struct it *t)
{
	struct fx fx;

	IT_CHECK(t, fx_setup_dirty(t, &fx));
	probe_each_leaf(&fx, unit_lg2(&fx) + 1, split_probe_one);
	if (!t->failed && iopgt_validate(&fx.pt, NULL))
		IT_FAIL(t, "iopgt_validate failed after the splits");
	fx_teardown(&fx);
}

/* ---- cuts of a leaf the device holds ----------------------------------- */

#define CUT_PROBES 4

/*
 * Map one 2^@s leaf at 0, let the device hold it (@mode, as for split),
 * cut [len/4, len/2) out of it with unmap_read_dirty, then write, before
 * the invalidation, the pages either side of both ends and the leaf's
 * edges: none may fault or go astray. Then write the first removed page
 * too: through a leaf the device holds dirty that lands; held clean, or
 * through table pointers only, the device must walk again to set the
 * dirty state and may fault. After the release, a harvest must
 * report each kept page written, and with the leaf held dirty the whole
 * rest of it; the cut's bitmap must report the removed part if the leaf
 * was dirty, and the removed page if the write landed. Racing, the
 * device's first write (to the last page: the slot a multi-slot leaf has
 * rewritten last) lands while the cut runs; if it made the entry the
 * device holds dirty, the write to the removed page lands without a walk,
 * and only the cut's bitmap can still report it.
 */
static bool cut_probe_one(struct fx *fx, unsigned int s, enum split_mode mode,
			  struct racer *racer, u64 *cut_t)
{
	struct it *t = fx->t;
	unsigned int ul = unit_lg2(fx), i;
	u64 unit = sz(ul), len = sz(s), pa, *words, *cut_words, bit, got = 0;
	u64 page[CUT_PROBES] = { len - unit, 0, len / 4 - unit, len / 2 };
	bool removed_written = false, race = mode == SPLIT_RACE;
	struct iopgt_bitmap bm = { .base = 0, .pgshift = ul };
	enum pr_path path;
	struct iopgt_gather g;
	int ret;

	ret = iopgt_map(&fx->pt, 0, 0, len, PR_RW, 0, NULL);
	if (ret) {
		IT_FAIL(t, "map 0x0+0x%llx: %s", (unsigned long long)len,
			test_errname(ret));
		return false;
	}
	words = calloc(((len >> ul) + 63) / 64, sizeof(u64));
	cut_words = calloc(((len >> ul) + 63) / 64, sizeof(u64));
	if (!words || !cut_words) {
		IT_FAIL(t, "out of memory");
		goto out;
	}
	bm.words = cut_words;
	bm.nbits = len >> ul;
	ret = probe_access(fx->hw, page[0],
			   mode == SPLIT_DIRTY ? HWM_WRITE : HWM_READ, &pa,
			   &path);
	if (ret || pa != page[0]) {
		IT_FAIL(t, "access at 0x%llx through a 2^%u leaf: %s",
			(unsigned long long)page[0], s, hwm_fault_name(ret));
		goto out;
	}
	if (mode == SPLIT_WALK)
		hwm_invalidate(fx->hw, 0, len - 1, false);
	iopgt_gather_init(&g);
	if (race)
		racer_start(racer, page[0]);
	cut_t[0] = now_ns();
	ret = iopgt_unmap_read_dirty(&fx->pt, len / 4, len / 4,
				     IOPGT_UNMAP_CUT, &bm, &g, &got);
	cut_t[1] = now_ns();
	if (race) {
		racer_wait(racer);
		if (racer->ret || racer->pa != page[0]) {
			IT_FAIL(t, "write at 0x%llx racing the cut of 0x%llx+0x%llx from the 2^%u leaf at 0x0: %s -> 0x%llx",
				(unsigned long long)page[0],
				(unsigned long long)(len / 4),
				(unsigned long long)(len / 4), s,
				hwm_fault_name(racer->ret),
				(unsigned long long)racer->pa);
			fx_flush(fx, &g, &bm);
			goto out;
		}
	}
	if (ret || got != len / 4) {
		IT_FAIL(t, "cut of 0x%llx+0x%llx from the 2^%u leaf at 0x0: %s, 0x%llx unmapped",
			(unsigned long long)(len / 4),
			(unsigned long long)(len / 4), s, test_errname(ret),
			(unsigned long long)got);
		fx_flush(fx, &g, &bm);
		goto out;
	}
	for (i = race; i < CUT_PROBES; i++) {
		ret = probe_access(fx->hw, page[i], HWM_WRITE, &pa, &path);
		if (ret || pa != page[i]) {
			IT_FAIL(t, "write at 0x%llx right after cutting 0x%llx+0x%llx from the 2^%u leaf (%s): %s -> 0x%llx",
				(unsigned long long)page[i],
				(unsigned long long)(len / 4),
				(unsigned long long)(len / 4), s,
				split_mode_name[mode], hwm_fault_name(ret),
				(unsigned long long)pa);
			fx_flush(fx, &g, &bm);
			goto out;
		}
	}
	/* a write through the stale leaf into what the cut removed */
	ret = probe_access(fx->hw, len / 4, HWM_WRITE, &pa, &path);
	if (!ret && pa == len / 4) {
		removed_written = true;
	} else if (mode == SPLIT_DIRTY || !ret) {
		IT_FAIL(t, "write at 0x%llx, cut from the 2^%u leaf (%s), before the invalidation: %s -> 0x%llx",
			(unsigned long long)(len / 4), s, split_mode_name[mode],
			hwm_fault_name(ret), (unsigned long long)pa);
		fx_flush(fx, &g, &bm);
		goto out;
	}
	fx_flush(fx, &g, &bm);
	ret = harvest_into(fx, 0, len, 0, words);
	for (bit = 0; !ret && bit < len >> ul; bit++) {
		u64 iova = bit << ul;
		bool removed = iova >= len / 4 && iova < len / 2;
		bool probed = false;

		for (i = 0; i < CUT_PROBES; i++)
			probed |= page[i] == iova;
		if (removed ? (!(mode == SPLIT_DIRTY ||
				 (removed_written && iova == len / 4)) ||
			       bit_test(cut_words, bit)) :
			      (!(probed || mode == SPLIT_DIRTY) ||
			       bit_test(words, bit)))
			continue;
		IT_FAIL(t, "cut of the 2^%u leaf at 0x0 (%s): 0x%llx (%s) reported clean",
			s, split_mode_name[mode], (unsigned long long)iova,
			removed ? "removed, by the cut" :
				  "kept, by the harvest after it");
		goto out;
	}
	if (ret)
		IT_FAIL(t, "read_dirty after the cut: %s", test_errname(ret));
out:
	free(words);
	free(cut_words);
	iopgt_gather_init(&g);
	ret = iopgt_unmap(&fx->pt, 0, len, 0, &g, NULL);
	fx_flush(fx, &g, NULL);
	if (ret)
		IT_FAIL(t, "unmap 0x0+0x%llx: %s", (unsigned long long)len,
			test_errname(ret));
	return !t->failed;
}

static void cut_keeps_writes_through_stale_leaf(struct it *t)
{
	struct fx fx;

	IT_CHECK(t, fx_setup_dirty(t, &fx));
	if (fx_cut_blocked(&fx)) {
		fx_teardown(&fx);
		return;
	}
	/* a leaf of at least 4 pages */
	probe_each_leaf(&fx, unit_lg2(&fx) + 2, cut_probe_one);
	if (!t->failed && iopgt_validate(&fx.pt, NULL))
		IT_FAIL(t, "iopgt_validate failed after the cuts");
	fx_teardown(&fx);
}

/* ---- random probed edits under DMA ------------------------------------- */

#define PR_NMAPS	16		/* rounds whose bitmaps are kept */
#define PR_RING		(1u << 18)	/* device accesses awaiting a check */
#define PR_NEDITS	1024		/* edits kept for messages */
#define PR_WIN		6		/* probe points per edit */
#define PR_WAIT		32		/* device accesses between rounds */
#define PR_WRONG_PA	(-1)		/* a record's fault: wrong output */

enum pr_kind {
	PR_HARVEST,
	PR_HARVEST_NC,
	PR_SPLIT,
	PR_MERGE,
	PR_UNMAP,
	PR_CUT,
	PR_NKINDS,
};

static const char *const pr_kind_name[PR_NKINDS] = {
	"harvest", "NO_CLEAR harvest", "split", "merge", "unmap_read_dirty",
	"cutting unmap_read_dirty",
};

/* Edits that take translations away: only there may the device fault. */
static bool pr_removes(enum pr_kind kind)
{
	return kind == PR_UNMAP || kind == PR_CUT;
}

/*
 * One edit: what was asked; [first, last], what it changed (the leaves an
 * unmap took, else the range asked widened to the gather's); the events
 * around it (from before the probe reads to after the release, and for an
 * unmap after the remap).
 */
struct pr_edit {
	enum pr_kind kind;
	unsigned int round;
	unsigned int target_lg2;
	u64 iova, len;
	u64 first, last;
	u64 seq_begin, seq_end;
};

/* One access the device made, between events @before and @after. */
struct pr_rec {
	u64 iova;
	u64 pa;
	u64 before, after;
	bool write;		/* else a read */
	int fault;		/* 0, HWM_FAULT_* or PR_WRONG_PA */
	enum pr_path path;	/* probe writes: how it was served */
	u64 edit;		/* probe writes: the edit they probed */
	bool after_edit;	/* probe writes: after it (else before) */
};

struct pr_dev {
	struct hwm *hw;
	u64 base, len, unit;
	u64 rnd;
	u64 *seq;		/* atomic: the event counter */
	bool stop;		/* atomic */
	u64 hot_first, hot_len;	/* atomic: where the main thread edits */
	struct pr_rec *ring;
	u64 head;		/* atomic: records the device published */
	u64 tail;		/* atomic: records the main thread checked */
};

/*
 * The device thread: accesses random pages of the busy half of the region
 * (@len from @base), half of them where the main thread is editing, and
 * publishes each access (fault or not) with the events it happened
 * between. A quarter are reads, so that its IOTLB also holds clean
 * entries, which a later write makes dirty in place.
 */
static void *pr_device(void *arg)
{
	struct pr_dev *d = arg;
	u64 head = 0, npages = d->len / d->unit, off, lo, hi, pa;
	struct pr_rec *rec;
	int ret;

	while (!__atomic_load_n(&d->stop, __ATOMIC_ACQUIRE)) {
		if (head - __atomic_load_n(&d->tail, __ATOMIC_ACQUIRE) >=
		    PR_RING) {
			sched_yield();
			continue;
		}
		/* first and len may be read mid-update: clip them */
		lo = __atomic_load_n(&d->hot_first, __ATOMIC_RELAXED) - d->base;
		hi = lo + __atomic_load_n(&d->hot_len, __ATOMIC_RELAXED);
		if (hi > d->len)
			hi = d->len;
		if (lo + d->unit <= hi && (it_rand(&d->rnd) & 1))
			off = lo + it_rand_below(&d->rnd, (hi - lo) / d->unit) *
					   d->unit;
		else
			off = it_rand_below(&d->rnd, npages) * d->unit;
		rec = &d->ring[head % PR_RING];
		rec->iova = d->base + off;
		rec->write = it_rand_below(&d->rnd, 4) != 0;
		pa = 0;
		rec->before = writelog_event(d->seq);
		ret = hwm_translate(d->hw, rec->iova,
				    rec->write ? HWM_WRITE : HWM_READ, &pa);
		rec->after = writelog_event(d->seq);
		rec->pa = pa;
		rec->fault = ret ? ret : pa != rec->iova ? PR_WRONG_PA : 0;
		__atomic_store_n(&d->head, ++head, __ATOMIC_RELEASE);
	}
	return NULL;
}

struct pr_window {
	unsigned int n;
	u64 iova[PR_WIN];
	u64 sib[PR_WIN];	/* another page of the same leaf */
};

struct pr_run {
	struct it *t;
	struct fx fx;
	struct hwm *probe;	/* the probing device's own IOMMU */
	struct pr_dev dev;
	u64 seq;		/* atomic: the event counter */
	u64 rnd;
	u64 base, len, unit;
	unsigned int ul, top_level;
	bool blocked;
	bool cut_blocked;	/* ARM without BBML2: no cut */
	u64 nbits;
	u64 *maps[PR_NMAPS];	/* round r reports into maps[r % PR_NMAPS] */
	u64 *end_seq;		/* the event ending each round */
	unsigned int cap_end, round;
	u64 dtail;		/* device records checked */
	struct pr_edit edits[PR_NEDITS];
	u64 nedits;
	struct pr_rec *plog;	/* the probing device's writes */
	u64 nplog, pdone, capplog;
	/* for the summary */
	u64 writes, reads, faults, probe_writes, via[PR_NPATHS], multi_slot;
	u64 kinds[PR_NKINDS];
	u64 lost, bad;
	char note[768];
};

static u64 pr_event(struct pr_run *p)
{
	return writelog_event(&p->seq);
}

static struct pr_edit *pr_edit_at(struct pr_run *p, u64 idx)
{
	return &p->edits[idx % PR_NEDITS];
}

static void pr_edit_str(const struct pr_edit *e, char *buf, size_t n)
{
	if (e->kind == PR_SPLIT)
		snprintf(buf, n, "%s of 0x%llx+0x%llx to 2^%u in round %u",
			 pr_kind_name[e->kind], (unsigned long long)e->iova,
			 (unsigned long long)e->len, e->target_lg2, e->round);
	else
		snprintf(buf, n, "%s of 0x%llx+0x%llx in round %u",
			 pr_kind_name[e->kind], (unsigned long long)e->iova,
			 (unsigned long long)e->len, e->round);
}

/*
 * The edits of rounds @from..@to over @w's page, newest first, for
 * messages; those running while @w was under way are marked so.
 */
static void pr_edits_over(struct pr_run *p, const struct pr_rec *w,
			  unsigned int from, unsigned int to, char *buf,
			  size_t n)
{
	size_t at = 0;
	unsigned int k = 0;
	bool meanwhile;
	char one[160];
	u64 i;

	buf[0] = 0;
	for (i = p->nedits; i-- > 0 && p->nedits - i <= PR_NEDITS && k < 4;) {
		const struct pr_edit *e = pr_edit_at(p, i);

		if (e->round < from)
			break;
		if (e->round > to || w->iova < e->first || w->iova > e->last)
			continue;
		meanwhile = e->seq_begin < w->after && w->before < e->seq_end;
		pr_edit_str(e, one, sizeof(one));
		at += snprintf(buf + at, n - at, "%s%s%s", k++ ? "; " : "", one,
			       meanwhile ? " (running meanwhile)" : "");
		if (at >= n)
			return;
	}
	if (!k)
		snprintf(buf, n, "none");
}

static void pr_note(struct pr_run *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Keep the first problem's description; the rest are only counted. */
static void pr_note(struct pr_run *p, const char *fmt, ...)
{
	va_list ap;

	if (p->note[0])
		return;
	va_start(ap, fmt);
	vsnprintf(p->note, sizeof(p->note), fmt, ap);
	va_end(ap);
}

/* A device fault is fine only inside an unmap's leaves while it ran. */
static void pr_check_fault(struct pr_run *p, const struct pr_rec *w,
			   unsigned int from, unsigned int to)
{
	char edits[400];
	u64 i;

	for (i = p->nedits; w->fault != PR_WRONG_PA && i-- > 0 &&
			    p->nedits - i <= PR_NEDITS;) {
		const struct pr_edit *e = pr_edit_at(p, i);

		if (e->seq_end < w->before)
			break;
		if (pr_removes(e->kind) && e->first <= w->iova &&
		    w->iova <= e->last && e->seq_begin <= w->after)
			return;
	}
	p->bad++;
	pr_edits_over(p, w, from, to, edits, sizeof(edits));
	if (w->fault == PR_WRONG_PA)
		pr_note(p, "device %s at 0x%llx went to 0x%llx (events %llu..%llu, rounds %u..%u); edits over it: %s",
			w->write ? "write" : "read",
			(unsigned long long)w->iova,
			(unsigned long long)w->pa,
			(unsigned long long)w->before,
			(unsigned long long)w->after, from, to, edits);
	else
		pr_note(p, "device %s at 0x%llx faulted (%s) with no unmap of it running (events %llu..%llu, rounds %u..%u); edits over it: %s",
			w->write ? "write" : "read",
			(unsigned long long)w->iova, hwm_fault_name(w->fault),
			(unsigned long long)w->before,
			(unsigned long long)w->after, from, to, edits);
}

/*
 * A write that went through must be reported in a round from the one
 * running when it began to the one after the one running when it ended
 * (tests/support/writelog.h); edits keep or report dirty state. Rounds up
 * to @done are complete; with @final, @done is the last one.
 */
static void pr_check(struct pr_run *p, const struct pr_rec *w, bool probe,
		     unsigned int done)
{
	const struct writelog_rec rec = { w->iova, w->before, w->after };
	const struct writelog_rounds wr = {
		.end_seq = p->end_seq, .maps = p->maps, .nmaps = PR_NMAPS,
		.base = p->base, .pgshift = p->ul,
	};
	unsigned int from, hi;
	char edits[400], what[200];

	if (w->fault) {
		/* the probing device's faults were judged as they happened */
		if (!probe) {
			writelog_window(p->end_seq, done, &rec, &from, &hi);
			pr_check_fault(p, w, from, hi);
		}
		return;
	}
	if (!w->write)
		return;
	switch (writelog_check(&wr, done, &rec, &from, &hi)) {
	case WRITELOG_REPORTED:
		return;
	case WRITELOG_LOST:
		break;
	case WRITELOG_UNENDED:
		p->bad++;
		pr_note(p, "test: write at 0x%llx (events %llu..%llu) checked before round %u ended",
			(unsigned long long)w->iova,
			(unsigned long long)w->before,
			(unsigned long long)w->after, done + 1);
		return;
	case WRITELOG_FORGOTTEN:
		p->bad++;
		pr_note(p, "test: write at 0x%llx spans rounds %u..%u, older than the %u bitmaps kept",
			(unsigned long long)w->iova, from, hi, PR_NMAPS);
		return;
	}
	p->lost++;
	if (p->note[0])
		return;
	pr_edits_over(p, w, from, hi, edits, sizeof(edits));
	if (probe) {
		pr_edit_str(pr_edit_at(p, w->edit), what, sizeof(what));
		pr_note(p, "lost write: IOVA 0x%llx written by the probing device %s %s the %s (events %llu..%llu), not reported in rounds %u..%u; edits over it: %s",
			(unsigned long long)w->iova, pr_path_name[w->path],
			w->after_edit ? "right after, before the invalidation of," :
					"right before",
			what, (unsigned long long)w->before,
			(unsigned long long)w->after, from, hi, edits);
	} else {
		pr_note(p, "lost write: IOVA 0x%llx written by the device thread (events %llu..%llu), not reported in rounds %u..%u; edits over it: %s",
			(unsigned long long)w->iova,
			(unsigned long long)w->before,
			(unsigned long long)w->after, from, hi, edits);
	}
}

/*
 * Check every access whose window of rounds is complete once round @done
 * is: those that ended before round @done - 1 did, or all with @final.
 */
static void pr_consume(struct pr_run *p, unsigned int done, bool final)
{
	u64 limit, head;
	struct pr_rec *w;

	if (!final && done == 0)
		return;
	limit = final ? ~0ull : p->end_seq[done - 1];
	head = __atomic_load_n(&p->dev.head, __ATOMIC_ACQUIRE);
	while (p->dtail < head) {
		w = &p->dev.ring[p->dtail % PR_RING];
		if (w->after >= limit)
			break;
		if (w->fault)
			p->faults++;
		else if (w->write)
			p->writes++;
		else
			p->reads++;
		pr_check(p, w, false, done);
		p->dtail++;
	}
	__atomic_store_n(&p->dev.tail, p->dtail, __ATOMIC_RELEASE);
	while (p->pdone < p->nplog) {
		w = &p->plog[p->pdone];
		if (w->after >= limit)
			break;
		pr_check(p, w, true, done);
		p->pdone++;
	}
}

static struct pr_rec *pr_plog_push(struct pr_run *p)
{
	struct pr_rec *n;

	if (p->nplog == p->capplog && p->pdone) {
		memmove(p->plog, p->plog + p->pdone,
			(p->nplog - p->pdone) * sizeof(*p->plog));
		p->nplog -= p->pdone;
		p->pdone = 0;
	}
	if (p->nplog == p->capplog) {
		n = realloc(p->plog, (p->capplog * 2 + 1024) * sizeof(*n));
		if (!n)
			return NULL;
		p->plog = n;
		p->capplog = p->capplog * 2 + 1024;
	}
	return &p->plog[p->nplog++];
}

/*
 * The probing device writes @iova: logged like the device thread's
 * writes. It may fault only where an unmap took the page away.
 */
static bool pr_probe_write(struct pr_run *p, u64 iova, u64 idx,
			   bool after_edit)
{
	const struct pr_edit *e = pr_edit_at(p, idx);
	struct pr_rec *w = pr_plog_push(p);
	char what[200];
	int ret;

	if (!w) {
		IT_FAIL(p->t, "out of memory");
		return false;
	}
	w->iova = iova;
	w->pa = 0;
	w->write = true;
	w->edit = idx;
	w->after_edit = after_edit;
	w->before = pr_event(p);
	ret = probe_access(p->probe, iova, HWM_WRITE, &w->pa, &w->path);
	w->after = pr_event(p);
	w->fault = ret ? ret : w->pa != iova ? PR_WRONG_PA : 0;
	p->via[w->path]++;
	if (!w->fault) {
		p->probe_writes++;
		return true;
	}
	if (ret && pr_removes(e->kind) && e->first <= iova && iova <= e->last)
		return true;
	pr_edit_str(e, what, sizeof(what));
	IT_FAIL(p->t, "probe write at 0x%llx %s the %s: %s -> 0x%llx",
		(unsigned long long)iova,
		after_edit ? "right after, before the invalidation of," :
			     "right before",
		what, hwm_fault_name(ret),
		(unsigned long long)w->pa);
	return false;
}

/*
 * Right before edit @idx: the probing device reads the first and last page
 * of its range and a few pages between, caching their leaves, whatever
 * their size, and the tables above them. Before a third of the edits it
 * writes half of these pages instead, so it holds them dirty; the others
 * leave the quiet half clean, where a lost write cannot hide behind
 * another one.
 */
static bool pr_window_before(struct pr_run *p, struct pr_window *win,
			     u64 idx)
{
	const struct pr_edit *e = pr_edit_at(p, idx);
	bool writes = it_rand_below(&p->rnd, 3) == 0;
	struct hwm_walk w;
	u64 iova, pa;
	unsigned int i;
	int ret;

	win->n = PR_WIN;
	for (i = 0; i < PR_WIN; i++) {
		if (i == 0)
			iova = e->iova;
		else if (i == 1)
			iova = e->iova + e->len - p->unit;
		else
			iova = e->iova + it_rand_below(&p->rnd,
						       e->len / p->unit) *
						 p->unit;
		win->iova[i] = iova;
		memset(&w, 0, sizeof(w));
		ret = hwm_walk(p->probe, iova, &w);
		if (ret) {
			IT_FAIL(p->t, "0x%llx not mapped before a %s (round %u): %s",
				(unsigned long long)iova,
				pr_kind_name[e->kind], e->round,
				hwm_fault_name(ret));
			return false;
		}
		if (w.replicas > 1)
			p->multi_slot++;
		win->sib[i] = w.leaf_iova +
			      it_rand_below(&p->rnd, sz(w.size_lg2 - p->ul)) *
				      p->unit;
		if (writes && it_rand_below(&p->rnd, 2)) {
			if (!pr_probe_write(p, iova, idx, false))
				return false;
			continue;
		}
		ret = hwm_translate(p->probe, iova, HWM_READ, &pa);
		if (ret || pa != iova) {
			IT_FAIL(p->t, "probe read at 0x%llx before a %s (round %u): %s -> 0x%llx",
				(unsigned long long)iova,
				pr_kind_name[e->kind], e->round,
				hwm_fault_name(ret), (unsigned long long)pa);
			return false;
		}
	}
	return true;
}

/* Right after the edit, before its invalidation: write what was cached. */
static bool pr_window_after(struct pr_run *p, const struct pr_window *win,
			    u64 idx)
{
	unsigned int i;

	for (i = 0; i < win->n; i++)
		if (!pr_probe_write(p, win->iova[i], idx, true) ||
		    !pr_probe_write(p, win->sib[i], idx, true))
			return false;
	return true;
}

static u64 pr_edit_begin(struct pr_run *p, enum pr_kind kind, u64 iova,
			 u64 len)
{
	u64 idx = p->nedits++;
	struct pr_edit *e = pr_edit_at(p, idx);

	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->round = p->round;
	e->iova = iova;
	e->len = len;
	e->first = iova;
	e->last = iova + len - 1;
	e->seq_begin = pr_event(p);
	p->kinds[kind]++;
	/* the device thread aims half its writes here meanwhile */
	__atomic_store_n(&p->dev.hot_first, iova, __ATOMIC_RELAXED);
	__atomic_store_n(&p->dev.hot_len, len, __ATOMIC_RELAXED);
	return idx;
}

static void pr_edit_end(struct pr_run *p, u64 idx)
{
	pr_edit_at(p, idx)->seq_end = pr_event(p);
}

/* Invalidate exactly what @g names in both IOMMUs, then release it. */
static void pr_flush(struct pr_run *p, struct iopgt_gather *g,
		     const struct iopgt_bitmap *bm, u64 idx)
{
	struct pr_edit *e = pr_edit_at(p, idx);
	bool tables = g->flags & IOPGT_GATHER_TABLES;

	if (g->start <= g->last) {
		hwm_invalidate(p->fx.hw, g->start, g->last, tables);
		hwm_invalidate(p->probe, g->start, g->last, tables);
		if (!pr_removes(e->kind) && g->start < e->first)
			e->first = g->start;
		if (!pr_removes(e->kind) && g->last > e->last)
			e->last = g->last;
	}
	iopgt_gather_release(&p->fx.pt, g, bm);
}

static struct iopgt_bitmap pr_bitmap(struct pr_run *p)
{
	return (struct iopgt_bitmap){ .base = p->base, .pgshift = p->ul,
				      .words = p->maps[p->round % PR_NMAPS],
				      .nbits = p->nbits };
}

/*
 * Map [@iova, @iova + @len) to the same PA: in one call (the largest
 * pages that fit), or in pieces of one random size the range is aligned
 * to (at most 512 pieces), which leaves AMD v1 replicated and ARM
 * contiguous runs where the config has them.
 */
static int pr_map(struct pr_run *p, u64 iova, u64 len)
{
	unsigned int align = __builtin_ctzll(iova | len), n = 0, k, s;
	u64 sizes = 0, a;
	int ret;

	for (s = p->ul; s <= align && s < 64; s++)
		if (fx_size_ok(&p->fx, s) && (len >> s) <= 512)
			sizes |= sz(s);
	if (sizes)
		n = __builtin_popcountll(sizes);
	if (!n || it_rand_below(&p->rnd, 2))
		return iopgt_map(&p->fx.pt, iova, iova, len, PR_RW, 0, NULL);
	k = (unsigned int)it_rand_below(&p->rnd, n);
	while (k--)
		sizes &= sizes - 1;
	s = __builtin_ctzll(sizes);
	for (a = iova; a < iova + len; a += sz(s)) {
		ret = iopgt_map(&p->fx.pt, a, a, sz(s), PR_RW, 0, NULL);
		if (ret)
			return ret;
	}
	return 0;
}

/* A random range: whole items of a random level, or any pages. */
static void pr_pick_range(struct pr_run *p, u64 *iova, u64 *len)
{
	unsigned int lvl;
	u64 item, n, count, max;

	if (it_rand_below(&p->rnd, 4) == 0) {
		max = 2 * sz(fx_item_lg2(&p->fx, p->top_level ? 1 : 0));
		if (max > p->len)
			max = p->len;
		*len = (1 + it_rand_below(&p->rnd, max / p->unit)) * p->unit;
		*iova = p->base + it_rand_below(&p->rnd,
						(p->len - *len) / p->unit + 1) *
					  p->unit;
		return;
	}
	lvl = (unsigned int)it_rand_below(&p->rnd, p->top_level + 1);
	item = sz(fx_item_lg2(&p->fx, lvl));
	n = p->len / item;
	count = 1 + it_rand_below(&p->rnd, n < 3 ? n : 3);
	*len = count * item;
	*iova = p->base + it_rand_below(&p->rnd, n - count + 1) * item;
}

static void pr_harvest(struct pr_run *p, u64 iova, u64 len, bool no_clear,
		       bool probe)
{
	u64 idx = pr_edit_begin(p, no_clear ? PR_HARVEST_NC : PR_HARVEST,
				iova, len);
	struct iopgt_bitmap bm = pr_bitmap(p);
	struct iopgt_gather g;
	struct pr_window win;
	char what[200];
	int ret;

	if (probe && !pr_window_before(p, &win, idx))
		return;
	iopgt_gather_init(&g);
	ret = iopgt_read_dirty(&p->fx.pt, iova, len,
			       no_clear ? IOPGT_DIRTY_NO_CLEAR : 0, &bm, &g);
	if (ret || (no_clear && g.start <= g.last)) {
		pr_edit_str(pr_edit_at(p, idx), what, sizeof(what));
		IT_FAIL(p->t, "%s: %s%s", what, test_errname(ret),
			ret ? "" : ", and it asked for an invalidation");
	}
	if (!p->t->failed && probe)
		pr_window_after(p, &win, idx);
	pr_flush(p, &g, NULL, idx);
	pr_edit_end(p, idx);
}

static void pr_split_or_merge(struct pr_run *p, bool split)
{
	struct iopgt_gather g;
	struct pr_window win;
	u64 iova, len, idx, sizes;
	unsigned int target = p->ul, k;
	char what[200];
	int ret;

	pr_pick_range(p, &iova, &len);
	if (split && it_rand_below(&p->rnd, 2)) {
		/* a random size of the config, not only the smallest */
		sizes = p->fx.pt.pgsize_bitmap &
			(sz(fx_item_lg2(&p->fx, p->top_level)) * 2 - 1);
		k = (unsigned int)it_rand_below(&p->rnd,
						__builtin_popcountll(sizes));
		while (k--)
			sizes &= sizes - 1;
		target = __builtin_ctzll(sizes);
	}
	idx = pr_edit_begin(p, split ? PR_SPLIT : PR_MERGE, iova, len);
	pr_edit_at(p, idx)->target_lg2 = target;
	if (!pr_window_before(p, &win, idx))
		return;
	iopgt_gather_init(&g);
	if (split)
		ret = iopgt_split(&p->fx.pt, iova, len, target, 0, 0, &g);
	else
		ret = iopgt_merge(&p->fx.pt, iova, len, 0, &g);
	if (ret) {
		pr_edit_str(pr_edit_at(p, idx), what, sizeof(what));
		IT_FAIL(p->t, "%s: %s", what, test_errname(ret));
	} else {
		pr_window_after(p, &win, idx);
	}
	pr_flush(p, &g, NULL, idx);
	pr_edit_end(p, idx);
}

/* The leaves an unmap of [@iova, @iova + @len) takes: whole ones. */
static bool pr_unmap_extent(struct pr_run *p, u64 iova, u64 len, u64 *first,
			    u64 *last)
{
	struct hwm_walk w;
	int ret;

	memset(&w, 0, sizeof(w));
	ret = hwm_walk(p->probe, iova, &w);
	*first = w.leaf_iova;
	if (!ret) {
		memset(&w, 0, sizeof(w));
		ret = hwm_walk(p->probe, iova + len - p->unit, &w);
		*last = w.leaf_iova + (sz(w.size_lg2) - 1);
	}
	if (ret)
		IT_FAIL(p->t, "region not mapped before unmapping 0x%llx+0x%llx: %s",
			(unsigned long long)iova, (unsigned long long)len,
			hwm_fault_name(ret));
	return !ret;
}

/*
 * unmap_read_dirty of a random range into this round's bitmap (the
 * gather release adds detached tables' leaves to it), then the leaves it
 * took are mapped again. Where the config can cut, half of them cut
 * (IOPGT_UNMAP_CUT): exactly the range goes, and the device must never
 * fault beside it, stale IOTLB entries of the leaves cut included.
 */
static void pr_unmap_remap(struct pr_run *p)
{
	struct iopgt_bitmap bm = pr_bitmap(p);
	bool cut = !p->cut_blocked && it_rand_below(&p->rnd, 2);
	struct iopgt_gather g;
	struct pr_window win;
	struct pr_edit *e;
	u64 iova, len, idx, unmapped = 0, first, last;
	char what[200];
	int ret;

	pr_pick_range(p, &iova, &len);
	if (!pr_unmap_extent(p, iova, len, &first, &last))
		return;
	if (cut) {
		first = iova;
		last = iova + (len - 1);
	}
	idx = pr_edit_begin(p, cut ? PR_CUT : PR_UNMAP, iova, len);
	e = pr_edit_at(p, idx);
	e->first = first;
	e->last = last;
	if (!pr_window_before(p, &win, idx))
		return;
	iopgt_gather_init(&g);
	ret = iopgt_unmap_read_dirty(&p->fx.pt, iova, len,
				     cut ? IOPGT_UNMAP_CUT : 0, &bm, &g,
				     &unmapped);
	pr_edit_str(e, what, sizeof(what));
	if (ret || unmapped != last - first + 1)
		IT_FAIL(p->t, "%s: %s, 0x%llx unmapped, leaves 0x%llx-0x%llx",
			what, test_errname(ret), (unsigned long long)unmapped,
			(unsigned long long)first, (unsigned long long)last);
	else
		pr_window_after(p, &win, idx);
	pr_flush(p, &g, &bm, idx);
	if (!p->t->failed) {
		ret = pr_map(p, first, last - first + 1);
		if (ret)
			IT_FAIL(p->t, "remap after the %s: %s", what,
				test_errname(ret));
	}
	pr_edit_end(p, idx);
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * One round: a harvest of the whole region in 1 to 4 random pieces, then
 * 1 to 3 random edits. Half the rounds probe the harvest (a third of
 * those NO_CLEAR); the others leave the quiet half clean after their
 * harvest, so that the first edit there starts from clean leaves and a
 * write its probe loses cannot hide behind an earlier one in the same
 * large leaf. The last round, with the device stopped, is one clearing
 * harvest.
 */
static void pr_round(struct pr_run *p, bool last)
{
	bool probe_harvest = !last && it_rand_below(&p->rnd, 2);
	bool no_clear = probe_harvest && it_rand_below(&p->rnd, 3) == 0;
	unsigned int i, n, k;
	u64 cut[5];

	if (p->round >= p->cap_end) {
		u64 *n_end = realloc(p->end_seq,
				     (p->cap_end * 2 + 64) * sizeof(u64));

		if (!n_end) {
			IT_FAIL(p->t, "out of memory");
			return;
		}
		p->end_seq = n_end;
		p->cap_end = p->cap_end * 2 + 64;
	}
	memset(p->maps[p->round % PR_NMAPS], 0,
	       (p->nbits + 63) / 64 * sizeof(u64));
	n = last ? 1 : 1 + (unsigned int)it_rand_below(&p->rnd, 4);
	cut[0] = 0;
	cut[n] = p->len;
	for (i = 1; i < n; i++)
		cut[i] = it_rand_below(&p->rnd, p->len / p->unit) * p->unit;
	qsort(cut + 1, n - 1, sizeof(u64), cmp_u64);
	for (i = 0; i < n && !p->t->failed; i++)
		if (cut[i + 1] > cut[i])
			pr_harvest(p, p->base + cut[i], cut[i + 1] - cut[i],
				   no_clear, probe_harvest);
	n = last ? 0 : 1 + (unsigned int)it_rand_below(&p->rnd, 3);
	for (i = 0; i < n && !p->t->failed; i++) {
		/* split and merge only where the config allows them */
		k = (unsigned int)it_rand_below(&p->rnd, p->blocked ? 1 : 3);
		if (k == 0)
			pr_unmap_remap(p);
		else
			pr_split_or_merge(p, k == 1);
	}
	p->end_seq[p->round] = pr_event(p);
}

/* Split and merge refused: say so, and check they changed nothing. */
static bool pr_check_refusal(struct pr_run *p)
{
	struct iopgt_gather g;
	int rs, rm;

	iopgt_gather_init(&g);
	rs = iopgt_split(&p->fx.pt, p->base, p->len, p->ul, 0, 0, &g);
	rm = iopgt_merge(&p->fx.pt, p->base, p->len, 0, &g);
	if (rs != -EBUSY || rm != -EBUSY || g.start <= g.last || g.detached) {
		IT_FAIL(p->t, "no BBML: split %s, merge %s, want -EBUSY and nothing to invalidate",
			test_errname(rs), test_errname(rm));
		return false;
	}
	return true;
}

static u64 pr_env_u64(const char *name, u64 dflt)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : dflt;
}

static bool pr_setup(struct it *t, struct pr_run *p)
{
	struct hwm_cfg hc = { 0 };
	unsigned int i, half_lg2 = cap_lg2(&p->fx);
	u64 item, a;
	int ret;

	p->t = t;
	p->rnd = t->seed ^ pr_env_u64("IOPGT_PROBE_SEED", 0);
	p->blocked = fx_bbm_blocked(&p->fx);
	p->cut_blocked = fx_cut_blocked(&p->fx);
	p->ul = unit_lg2(&p->fx);
	p->unit = sz(p->ul);
	/* two halves of up to 1 GiB: the device thread's, and a quiet one */
	if (half_lg2 > fx_ias(&p->fx) - 2)
		half_lg2 = fx_ias(&p->fx) - 2;
	p->base = 0;
	p->len = 2 * sz(half_lg2);
	for (p->top_level = p->fx.pt.levels - 1;
	     p->top_level && fx_item_lg2(&p->fx, p->top_level) > half_lg2;
	     p->top_level--)
		;
	p->nbits = p->len >> p->ul;
	for (i = 0; i < PR_NMAPS; i++) {
		p->maps[i] = calloc((p->nbits + 63) / 64, sizeof(u64));
		if (!p->maps[i]) {
			IT_FAIL(t, "out of memory");
			return false;
		}
	}
	/* the probing device: its own IOMMU on the same table */
	iopgt_hw_info(&p->fx.pt, &hc.info);
	hc.format = p->fx.pt.cfg.format;
	hc.dirty_enabled = p->fx.pt.dirty_tracking;
	ret = hwm_create(&p->probe, &hc);
	if (ret) {
		IT_FAIL(t, "hwm_create for the probing device: %d", ret);
		return false;
	}
	item = sz(fx_item_lg2(&p->fx, p->top_level));
	for (a = 0; a < p->len; a += item) {
		ret = pr_map(p, p->base + a, item);
		if (ret) {
			IT_FAIL(t, "map 0x%llx+0x%llx: %s",
				(unsigned long long)(p->base + a),
				(unsigned long long)item, test_errname(ret));
			return false;
		}
	}
	if (p->blocked && !pr_check_refusal(p))
		return false;
	p->dev.ring = malloc(PR_RING * sizeof(*p->dev.ring));
	if (!p->dev.ring) {
		IT_FAIL(t, "out of memory");
		return false;
	}
	p->dev.hw = p->fx.hw;
	p->dev.base = p->base;
	p->dev.len = p->len / 2;
	p->dev.unit = p->unit;
	p->dev.rnd = p->rnd ^ 0x5eed;
	p->dev.seq = &p->seq;
	return true;
}

static void pr_summary(struct pr_run *p)
{
	printf("probe %s: %llu device writes, %llu reads, %llu faulted accesses; %llu probe writes (%llu via stale IOTLB entries, %llu via cached table pointers; %llu multi-slot leaves probed), %u rounds, edits: %llu harvest (%llu NO_CLEAR), %llu split, %llu merge, %llu unmap_read_dirty, %llu cut%s; %llu lost writes\n",
	       p->t->config->name, (unsigned long long)p->writes,
	       (unsigned long long)p->reads, (unsigned long long)p->faults,
	       (unsigned long long)p->probe_writes,
	       (unsigned long long)p->via[PR_PATH_IOTLB],
	       (unsigned long long)p->via[PR_PATH_PWC],
	       (unsigned long long)p->multi_slot, p->round,
	       (unsigned long long)(p->kinds[PR_HARVEST] +
				    p->kinds[PR_HARVEST_NC]),
	       (unsigned long long)p->kinds[PR_HARVEST_NC],
	       (unsigned long long)p->kinds[PR_SPLIT],
	       (unsigned long long)p->kinds[PR_MERGE],
	       (unsigned long long)p->kinds[PR_UNMAP],
	       (unsigned long long)p->kinds[PR_CUT],
	       p->blocked ? " (split and merge refused: -EBUSY)" : "",
	       (unsigned long long)p->lost);
	fflush(stdout);
}

static void pr_free(struct pr_run *p)
{
	unsigned int i;

	for (i = 0; i < PR_NMAPS; i++)
		free(p->maps[i]);
	free(p->end_seq);
	free(p->plog);
	free(p->dev.ring);
	if (p->probe)
		hwm_destroy(p->probe);
	p->probe = NULL;
}

static void random_probed_edits_lose_no_write_under_dma(struct it *t)
{
	struct pr_run *p = calloc(1, sizeof(*p));
	u64 target, mark = 0, head;
	unsigned int rounds;
	pthread_t tid;
	bool running = false, last = false;

	IT_ASSERT(t, p);
	if (!fx_setup_dirty(t, &p->fx)) {
		if (!t->failed)
			printf("probe %s: no dirty tracking on a walker that does not snoop: skipped\n",
			       t->config->name);
		free(p);
		return;
	}
	if (!pr_setup(t, p))
		goto out;
	/* the long run: as many device writes (and rounds) as asked for */
	target = pr_env_u64("IOPGT_PROBE_WRITES", 0);
	rounds = (unsigned int)pr_env_u64("IOPGT_PROBE_ROUNDS",
					  it_scaled(t, 40));
	if (pthread_create(&tid, NULL, pr_device, &p->dev)) {
		IT_FAIL(t, "pthread_create failed");
		goto out;
	}
	running = true;
	while (!last) {
		last = target ? p->writes >= target && p->round >= rounds :
				p->round == rounds;
		if (last) {
			/* the last round runs with the device stopped */
			__atomic_store_n(&p->dev.stop, true,
					 __ATOMIC_RELEASE);
			pthread_join(tid, NULL);
			running = false;
		}
		/* let the device make progress in every round */
		while (!last) {
			head = __atomic_load_n(&p->dev.head, __ATOMIC_ACQUIRE);
			if (head >= mark + PR_WAIT ||
			    head - p->dtail >= PR_RING)
				break;
			sched_yield();
		}
		pr_round(p, last);
		if (t->failed)
			break;
		pr_consume(p, p->round, last);
		p->round++;
		mark = __atomic_load_n(&p->dev.head, __ATOMIC_ACQUIRE);
		if (p->lost || p->bad)
			break;
	}
	if (running) {
		__atomic_store_n(&p->dev.stop, true, __ATOMIC_RELEASE);
		pthread_join(tid, NULL);
	}
	pr_summary(p);
	if (!t->failed && (p->lost || p->bad))
		IT_FAIL(t, "%llu lost writes and %llu other problems by round %u; first: %s",
			(unsigned long long)p->lost,
			(unsigned long long)p->bad, p->round - 1, p->note);
	if (!t->failed && p->writes == 0)
		IT_FAIL(t, "the device thread wrote nothing");
	if (!t->failed && iopgt_validate(&p->fx.pt, NULL))
		IT_FAIL(t, "iopgt_validate failed after the run");
out:
	pr_free(p);
	fx_teardown(&p->fx);
	free(p);
}

const struct it_case it_cases_probe[] = {
	{ "multi_level_merge_keeps_write_through_stale_iotlb",
	  multi_level_merge_keeps_write_through_stale_iotlb },
	{ "multi_level_merge_keeps_write_through_stale_walk_cache",
	  multi_level_merge_keeps_write_through_stale_walk_cache },
	{ "split_keeps_writes_through_stale_leaf",
	  split_keeps_writes_through_stale_leaf },
	{ "cut_keeps_writes_through_stale_leaf",
	  cut_keeps_writes_through_stale_leaf },
	{ "random_probed_edits_lose_no_write_under_dma",
	  random_probed_edits_lose_no_write_under_dma },
};

const unsigned int it_ncases_probe = sizeof(it_cases_probe) /
				     sizeof(it_cases_probe[0]);
