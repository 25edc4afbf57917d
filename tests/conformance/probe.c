// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
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
 *
 * Configs that refuse split and merge (ARM without BBML) check the -EBUSY
 * and run the rest.
 *
 * Userspace only (pthreads); run in the plain suite and under TSan.
 */
#define _GNU_SOURCE	/* pthread_setaffinity_np */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "harness/fixture.h"
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
	return fx_ias(fx) - 1 < 30 ? fx_ias(fx) - 1 : 30;
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
static void merge_probe(struct it *t, bool via_walk_cache)
{
	struct fx fx;
	struct iopgt_gather g;
	struct hwm_walk w;
	enum pr_path path[MERGE_PROBES];
	u64 page[MERGE_PROBES], unit, big, pa, *words, g_start, g_last;
	unsigned int ul, big_lg2, i, merged_lg2, merged_level;
	bool blocked, g_tables;
	int ret;

	IT_CHECK(t, fx_setup_dirty(t, &fx));
	blocked = fx_bbm_blocked(&fx);
	ul = unit_lg2(&fx);
	unit = sz(ul);
	big_lg2 = largest_lg2(&fx, cap_lg2(&fx));
	if (big_lg2 == ul)
		big_lg2 = ul + 4;	/* one page size: nothing merges */
	big = sz(big_lg2);
	IT_ASSERT_RET(t, iopgt_map(&fx.pt, 0, 0, big, PR_RW, NULL), 0);

	iopgt_gather_init(&g);
	ret = iopgt_split(&fx.pt, 0, big, ul, 0, &g);
	/* no BBML: split and merge are refused and the rest still runs */
	IT_ASSERT_RET(t, ret, blocked ? -EBUSY : 0);
	IT_ASSERT(t, !blocked || (g.start > g.last && !g.detached));
	fx_flush(&fx, &g, NULL);
	memset(&w, 0, sizeof(w));
	IT_ASSERT_RET(t, hwm_walk(fx.hw, big / 2, &w), 0);
	if (!blocked && w.size_lg2 != ul)
		IT_FAIL(t, "split of 0x0+0x%llx to 2^%u left a 2^%u leaf at 0x%llx",
			(unsigned long long)big, ul, w.size_lg2,
			(unsigned long long)(big / 2));
	IT_CHECK(t, !t->failed);

	words = calloc(((big >> ul) + 63) / 64, sizeof(u64));
	IT_ASSERT(t, words);
	ret = harvest_into(&fx, 0, big, 0, words);
	if (ret || !all_clean(&fx, big, "after a clearing harvest")) {
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
		ret = hwm_translate(fx.hw, page[i], HWM_READ, &pa);
		if (ret || pa != page[i]) {
			IT_FAIL(t, "probe read at 0x%llx: %s -> 0x%llx",
				(unsigned long long)page[i],
				hwm_fault_name(ret), (unsigned long long)pa);
			free(words);
			return;
		}
		/* keep the table pointers, drop the translation */
		if (via_walk_cache)
			hwm_invalidate(fx.hw, page[i], page[i] + unit - 1,
				       false);
	}

	iopgt_gather_init(&g);
	ret = iopgt_merge(&fx.pt, 0, big, 0, &g);
	if (ret != (blocked ? -EBUSY : 0)) {
		IT_FAIL(t, "merge of 0x0+0x%llx: %s", (unsigned long long)big,
			test_errname(ret));
		fx_flush(&fx, &g, NULL);
		free(words);
		return;
	}
	memset(&w, 0, sizeof(w));
	hwm_walk(fx.hw, 0, &w);
	merged_lg2 = w.size_lg2;
	merged_level = w.level;
	for (i = 0; i < MERGE_PROBES && !t->failed; i++) {
		ret = probe_access(fx.hw, page[i], HWM_WRITE, &pa, &path[i]);
		if (ret || pa != page[i])
			IT_FAIL(t, "probe write at 0x%llx right after the merge of 0x0+0x%llx: %s -> 0x%llx",
				(unsigned long long)page[i],
				(unsigned long long)big, hwm_fault_name(ret),
				(unsigned long long)pa);
	}
	g_start = g.start;
	g_last = g.last;
	g_tables = g.flags & IOPGT_GATHER_TABLES;
	fx_flush(&fx, &g, NULL);
	if (t->failed) {
		free(words);
		return;
	}

	memset(words, 0, ((big >> ul) + 63) / 64 * sizeof(u64));
	ret = harvest_into(&fx, 0, big, 0, words);
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
	IT_CHECK(t, !t->failed);
	IT_ASSERT_RET(t, iopgt_validate(&fx.pt, NULL), 0);
	IT_CHECK(t, fx_teardown(&fx));
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
	SPLIT_RACE,	/* a clean entry, and its first write races the split */
	SPLIT_NMODES,
};

static const char *const split_mode_name[SPLIT_NMODES] = {
	"cached dirty in the IOTLB",
	"cached clean in the IOTLB",
	"its table pointers cached",
	"cached clean, first write racing the split",
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

	ret = iopgt_map(&fx->pt, 0, 0, len, PR_RW, NULL);
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
	if (mode == SPLIT_RACE) {
		/* the split starts as the racer's wait does */
		racer->iova = page[0];
		__atomic_store_n(&racer->started, false, __ATOMIC_RELAXED);
		__atomic_store_n(&racer->done, false, __ATOMIC_RELAXED);
		__atomic_store_n(&racer->go, 1, __ATOMIC_RELEASE);
		for (i = 0; !__atomic_load_n(&racer->started,
					     __ATOMIC_ACQUIRE); i++)
			if (i % 1024 == 1023)
				sched_yield();
	}
	split_t[0] = now_ns();
	ret = iopgt_split(&fx->pt, 0, len, ul, 0, &g);
	split_t[1] = now_ns();
	if (mode == SPLIT_RACE) {
		while (!__atomic_load_n(&racer->done, __ATOMIC_ACQUIRE))
			sched_yield();
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
	ret = iopgt_unmap(&fx->pt, 0, len, &g, NULL);
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

/*
 * Every leaf size above the smallest, up to 1 GiB, each way the device
 * can hold it. Racing writes go many times over on multi-slot leaves and
 * on the others up to 16 level-1 items: the racer's delays spread its
 * write over the time a split of that size takes (timed on the same leaf
 * just before), so it lands before, inside and after the stretch where a
 * multi-slot leaf is rewritten slot by slot; tries go on until enough
 * writes landed while the split ran (or eight times as many tries).
 */
static void split_keeps_writes_through_stale_leaf(struct it *t)
{
	struct fx fx;
	struct racer racer = { 0 };
	pthread_t tid;
	cpu_set_t cpus;
	unsigned int s, tries, k, landed, race_max_lg2, bpl;
	enum split_mode mode;
	u64 rnd = t->seed, split_t[2] = { 0, 0 }, spin_ns, spin_max;
	bool pinned;

	IT_CHECK(t, fx_setup_dirty(t, &fx));
	racer.hw = fx.hw;
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
	race_max_lg2 = fx_item_lg2(&fx, fx.pt.levels > 1 ? 1 : 0) + 4;
	bpl = fx.pt.granule_lg2 - 3;
	/*
	 * Largest first: unmapping a leaf leaves the tables above it, and a
	 * larger leaf would not fit under them.
	 */
	for (s = cap_lg2(&fx); s > unit_lg2(&fx) && !t->failed; s--) {
		if (!fx_size_ok(&fx, s))
			continue;
		for (mode = 0; mode < SPLIT_NMODES && !t->failed; mode++) {
			/* multi-slot: not a whole number of levels */
			if (mode == SPLIT_RACE && s > race_max_lg2 &&
			    !((s - unit_lg2(&fx)) % bpl))
				continue;
			/* from no wait to a bit longer than a split */
			spin_max = (split_t[1] - split_t[0] + 500) * 1024 /
					   spin_ns + 1;
			landed = 0;
			for (k = 0; !t->failed &&
				    (mode != SPLIT_RACE ? k < 1 :
				     landed < tries && k < 8 * tries);
			     k++) {
				racer.spin = (unsigned int)it_rand_below(&rnd,
									 spin_max);
				split_probe_one(&fx, s, mode, &racer, split_t);
				landed += mode == SPLIT_RACE &&
					  racer.t0 < split_t[1] &&
					  racer.t1 > split_t[0];
			}
		}
	}
	__atomic_store_n(&racer.go, 2, __ATOMIC_RELEASE);
	pthread_join(tid, NULL);
	if (pinned)
		pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
	IT_CHECK(t, !t->failed);
	IT_ASSERT_RET(t, iopgt_validate(&fx.pt, NULL), 0);
	IT_CHECK(t, fx_teardown(&fx));
}

const struct it_case it_cases_probe[] = {
	{ "multi_level_merge_keeps_write_through_stale_iotlb",
	  multi_level_merge_keeps_write_through_stale_iotlb },
	{ "multi_level_merge_keeps_write_through_stale_walk_cache",
	  multi_level_merge_keeps_write_through_stale_walk_cache },
	{ "split_keeps_writes_through_stale_leaf",
	  split_keeps_writes_through_stale_leaf },
};

const unsigned int it_ncases_probe = sizeof(it_cases_probe) /
				     sizeof(it_cases_probe[0]);
