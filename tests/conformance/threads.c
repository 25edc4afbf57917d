/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * No lost write, with real threads: a device thread writes through the
 * software IOMMU and logs each write that went through with a sequence
 * number, while this thread runs harvest rounds (read_dirty, invalidate
 * exactly the gather's range, release) and, every few rounds,
 * unmap_read_dirty of a part of the range (every other time a cut of a
 * ragged range inside it) followed by a remap. At the end
 * every logged write must appear in a round from the one running when it
 * began to the one after the one running when it ended (the rule and its
 * check: tests/support/writelog.h).
 *
 * Userspace only (pthreads); run in the plain suite and under TSan.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include "harness/fixture.h"
#include "support/writelog.h"
#include "cases.h"

struct dev {
	struct hwm *hw;
	u64 base, len, unit;
	u64 rnd;
	u64 seq;		/* atomic: the event counter */
	bool stop;		/* atomic */
	struct writelog log;
	u64 faults;
};

static void *device_thread(void *arg)
{
	struct dev *d = arg;
	u64 iova, pa, before;

	while (!__atomic_load_n(&d->stop, __ATOMIC_ACQUIRE)) {
		iova = d->base + it_rand_below(&d->rnd, d->len / d->unit) *
					 d->unit;
		before = writelog_event(&d->seq);
		if (hwm_translate(d->hw, iova, HWM_WRITE, &pa)) {
			d->faults++;
			continue;
		}
		if (!writelog_add(&d->log, iova, before,
				  writelog_event(&d->seq))) {
			/* log full: the main thread stops waiting for more */
			__atomic_store_n(&d->stop, true, __ATOMIC_RELEASE);
			break;
		}
	}
	return NULL;
}

static void no_lost_write_under_dma(struct it *t)
{
	struct fx fx;
	struct dev d = { 0 };
	struct iopgt_gather g;
	struct iopgt_bitmap bm;
	struct writelog_rounds wr;
	enum writelog_verdict v;
	pthread_t tid;
	u64 unit, big, len, nbits, words, **maps, *end_seq, part, k, pa_off;
	bool split_blocked, cut_blocked, cut;
	unsigned int rounds, r, big_lg2, from, to;
	size_t i;
	int ret;

	IT_CHECK(t, fx_setup_dirty(t, &fx));
	split_blocked = fx_bbm_blocked(&fx);
	cut_blocked = fx_cut_blocked(&fx);
	unit = 1ull << __builtin_ctzll(fx.pt.pgsize_bitmap);
	/* half in the smallest pages (PA off by one page), half in large */
	big_lg2 = fx_item_lg2(&fx, fx.pt.levels > 1 ? 1 : 0);
	big = 1ull << big_lg2;
	len = 8 * big;
	pa_off = unit;
	IT_ASSERT_RET(t, iopgt_map(&fx.pt, 0, pa_off, len / 2,
				   IOPGT_READ | IOPGT_WRITE, 0, NULL), 0);
	/* leaves no larger than a piece, so a piece unmaps exactly */
	for (k = len / 2; k < len; k += big)
		IT_ASSERT_RET(t, iopgt_map(&fx.pt, k, k, big,
					   IOPGT_READ | IOPGT_WRITE, 0, NULL), 0);

	rounds = it_scaled(t, 120);
	nbits = len / unit;
	words = (nbits + 63) / 64;
	maps = calloc(rounds + 1, sizeof(*maps));
	end_seq = calloc(rounds + 1, sizeof(*end_seq));
	IT_ASSERT(t, maps && end_seq);
	for (r = 0; r <= rounds; r++) {
		maps[r] = calloc(words, sizeof(u64));
		IT_ASSERT(t, maps[r]);
	}
	d.hw = fx.hw;
	d.base = 0;
	d.len = len;
	d.unit = unit;
	d.rnd = t->seed;
	writelog_init(&d.log, 4u << 20);
	IT_ASSERT_EQ(t, pthread_create(&tid, NULL, device_thread, &d), 0);

	for (r = 0; r <= rounds; r++) {
		/* let the device write something in every round */
		while (r < rounds &&
		       !__atomic_load_n(&d.stop, __ATOMIC_ACQUIRE) &&
		       __atomic_load_n(&d.seq, __ATOMIC_SEQ_CST) <
		       (r ? end_seq[r - 1] : 0) + 48)
			sched_yield();
		if (r == rounds) {
			/* the last round runs with the device stopped */
			__atomic_store_n(&d.stop, true, __ATOMIC_RELEASE);
			pthread_join(tid, NULL);
		}
		bm = (struct iopgt_bitmap){ .base = 0, .pgshift =
			__builtin_ctzll(unit), .words = maps[r],
			.nbits = nbits };
		iopgt_gather_init(&g);
		ret = iopgt_read_dirty(&fx.pt, 0, len, 0, &bm, &g);
		fx_flush(&fx, &g, NULL);
		if (ret)
			break;
		/* split a piece to the smallest pages, merge another back */
		if (r % 4 == 0 && r != rounds && !split_blocked) {
			k = ((r / 4) * 3) % 8;
			iopgt_gather_init(&g);
			ret = iopgt_split(&fx.pt, k * big, big,
					  __builtin_ctzll(unit), 0, 0, &g);
			fx_flush(&fx, &g, NULL);
			if (ret)
				break;
		}
		if (r % 4 == 1 && r != rounds && !split_blocked) {
			k = ((r / 4) * 5) % 8;
			iopgt_gather_init(&g);
			ret = iopgt_merge(&fx.pt, k * big, big, 0, &g);
			fx_flush(&fx, &g, NULL);
			if (ret)
				break;
		}
		if (r % 4 == 2 && r != rounds) {
			/*
			 * Take a piece away while the device writes to it;
			 * every other time cut a ragged range out of it, the
			 * device writing on both sides meanwhile.
			 */
			k = (r / 4) % 8;
			part = k * big;
			cut = !cut_blocked && (r / 4) % 2;
			if (cut)
				part += unit;
			iopgt_gather_init(&g);
			ret = iopgt_unmap_read_dirty(&fx.pt, part,
						     big - 3 * cut * unit,
						     cut ? IOPGT_UNMAP_CUT : 0,
						     &bm, &g, NULL);
			fx_flush(&fx, &g, &bm);
			if (ret)
				break;
			ret = iopgt_map(&fx.pt, part,
					part < len / 2 ? part + pa_off : part,
					big - 3 * cut * unit,
					IOPGT_READ | IOPGT_WRITE, 0, NULL);
			if (ret)
				break;
		}
		end_seq[r] = writelog_event(&d.seq);
	}
	if (r < rounds) {
		__atomic_store_n(&d.stop, true, __ATOMIC_RELEASE);
		pthread_join(tid, NULL);
	}
	IT_ASSERT_RET(t, ret, 0);
	IT_ASSERT(t, d.log.n > 0);

	wr = (struct writelog_rounds){ .end_seq = end_seq, .maps = maps,
				       .nmaps = rounds + 1, .base = d.base,
				       .pgshift = __builtin_ctzll(unit) };
	v = writelog_verify(&wr, rounds, &d.log, &i, &from, &to);
	if (v == WRITELOG_UNENDED)
		IT_FAIL(t, "write %zu logged after the last round", i);
	else if (v != WRITELOG_REPORTED)
		IT_FAIL(t, "lost write: IOVA 0x%llx events %llu..%llu (rounds %u..%u of %u, %zu writes, %llu faults)",
			(unsigned long long)d.log.rec[i].iova,
			(unsigned long long)d.log.rec[i].before,
			(unsigned long long)d.log.rec[i].after, from, to,
			rounds, d.log.n, (unsigned long long)d.faults);
	for (r = 0; r <= rounds; r++)
		free(maps[r]);
	free(maps);
	free(end_seq);
	writelog_free(&d.log);
	IT_CHECK(t, !t->failed);
	IT_ASSERT_RET(t, iopgt_validate(&fx.pt, NULL), 0);
	IT_CHECK(t, fx_teardown(&fx));
}

/*
 * Split and merge while the device keeps translating: every access,
 * through the IOTLB or a fresh walk, must succeed and reach the right OA.
 */
struct reader {
	struct hwm *hw;
	u64 len, unit, pa_off;
	u64 rnd;
	u64 hole, hole_len;	/* never accessed (a cut takes it away) */
	bool stop;		/* atomic */
	u64 done, bad;
	u64 bad_iova;
	int bad_ret;
};

static void *reader_thread(void *arg)
{
	struct reader *rd = arg;
	u64 iova, pa;
	int ret;

	while (!__atomic_load_n(&rd->stop, __ATOMIC_ACQUIRE)) {
		iova = it_rand_below(&rd->rnd, rd->len / rd->unit) * rd->unit;
		if (iova - rd->hole < rd->hole_len)
			continue;
		ret = hwm_translate(rd->hw, iova,
				    rd->done & 1 ? HWM_WRITE : HWM_READ, &pa);
		if ((ret || pa != iova + rd->pa_off) && !rd->bad++) {
			rd->bad_iova = iova;
			rd->bad_ret = ret;
		}
		/* the main thread watches the count until it joins */
		__atomic_store_n(&rd->done, rd->done + 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/*
 * Stop the reader and judge the run: the edits (last result @ret)
 * succeeded, every access the device made went right, and the table
 * is valid; then tear the fixture down.
 */
static void reader_finish(struct it *t, struct fx *fx, struct reader *rd,
			  pthread_t tid, int ret)
{
	__atomic_store_n(&rd->stop, true, __ATOMIC_RELEASE);
	pthread_join(tid, NULL);
	IT_ASSERT_RET(t, ret, 0);
	if (rd->bad)
		IT_FAIL(t, "%llu of %llu accesses went wrong, first at 0x%llx (%s)",
			(unsigned long long)rd->bad,
			(unsigned long long)rd->done,
			(unsigned long long)rd->bad_iova,
			hwm_fault_name(rd->bad_ret));
	IT_CHECK(t, !t->failed);
	IT_ASSERT(t, rd->done > 0);
	IT_ASSERT_RET(t, iopgt_validate(&fx->pt, NULL), 0);
	IT_CHECK(t, fx_teardown(fx));
}

static void split_and_merge_are_hitless_under_dma(struct it *t)
{
	struct fx fx;
	struct reader rd = { 0 };
	struct iopgt_gather g;
	pthread_t tid;
	unsigned int i, iters, big_lg2;
	int ret = 0;

	IT_CHECK(t, fx_setup_dirty(t, &fx));
	if (fx_bbm_blocked(&fx)) {
		/* break-before-make without BBML2: refused, see fx_split */
		IT_CHECK(t, fx_teardown(&fx));
		return;
	}
	big_lg2 = fx_item_lg2(&fx, fx.pt.levels > 2 ? 2 : fx.pt.levels - 1);
	rd.unit = 1ull << __builtin_ctzll(fx.pt.pgsize_bitmap);
	/* two of the largest items below the top, at most 1 GiB in all */
	rd.len = 2ull << big_lg2;
	if (rd.len > (1ull << 30))
		rd.len = 1ull << 30;
	if (fx_ias(&fx) < 64 && rd.len > (1ull << (fx_ias(&fx) - 1)))
		rd.len = 1ull << (fx_ias(&fx) - 1);
	rd.pa_off = rd.len;
	rd.hw = fx.hw;
	rd.rnd = t->seed;
	IT_ASSERT_RET(t, iopgt_map(&fx.pt, 0, rd.pa_off, rd.len,
				   IOPGT_READ | IOPGT_WRITE, 0, NULL), 0);
	IT_ASSERT_EQ(t, pthread_create(&tid, NULL, reader_thread, &rd), 0);
	iters = it_scaled(t, 40);
	for (i = 0; i < iters && !ret; i++) {
		iopgt_gather_init(&g);
		ret = iopgt_split(&fx.pt, 0, rd.len, __builtin_ctzll(rd.unit),
				  0, 0, &g);
		fx_flush(&fx, &g, NULL);
		if (ret)
			break;
		while (__atomic_load_n(&rd.stop, __ATOMIC_RELAXED) == false &&
		       i == 0 && !__atomic_load_n(&rd.done, __ATOMIC_RELAXED))
			sched_yield();
		iopgt_gather_init(&g);
		ret = iopgt_merge(&fx.pt, 0, rd.len, 0, &g);
		fx_flush(&fx, &g, NULL);
	}
	reader_finish(t, &fx, &rd, tid, ret);
}

/*
 * Cut a ragged range out of large leaves while the device keeps reading
 * and writing everywhere else: no access beside the range may fault or go
 * astray, through its IOTLB or a fresh walk. The range is mapped again
 * and merged back before the next cut.
 */
static void cut_is_hitless_beside_the_range_under_dma(struct it *t)
{
	struct fx fx;
	struct reader rd = { 0 };
	struct iopgt_gather g;
	pthread_t tid;
	unsigned int i, iters, big_lg2;
	u64 got;
	int ret = 0;

	IT_CHECK(t, fx_setup_dirty(t, &fx));
	if (fx_cut_blocked(&fx)) {
		/* a cut needs a split: refused, see fx_cut */
		IT_CHECK(t, fx_teardown(&fx));
		return;
	}
	big_lg2 = fx_item_lg2(&fx, fx.pt.levels > 2 ? 2 : fx.pt.levels - 1);
	rd.unit = 1ull << __builtin_ctzll(fx.pt.pgsize_bitmap);
	rd.len = 2ull << big_lg2;
	if (rd.len > (1ull << 30))
		rd.len = 1ull << 30;
	if (fx_ias(&fx) < 64 && rd.len > (1ull << (fx_ias(&fx) - 1)))
		rd.len = 1ull << (fx_ias(&fx) - 1);
	/* both ends inside leaves of every size the range holds */
	rd.hole = rd.len / 2 - 3 * rd.unit;
	rd.hole_len = rd.len / 8 + 5 * rd.unit;
	rd.pa_off = rd.len;
	rd.hw = fx.hw;
	rd.rnd = t->seed;
	IT_ASSERT_RET(t, iopgt_map(&fx.pt, 0, rd.pa_off, rd.len,
				   IOPGT_READ | IOPGT_WRITE, 0, NULL), 0);
	IT_ASSERT_EQ(t, pthread_create(&tid, NULL, reader_thread, &rd), 0);
	iters = it_scaled(t, 40);
	for (i = 0; i < iters && !ret; i++) {
		iopgt_gather_init(&g);
		ret = iopgt_unmap(&fx.pt, rd.hole, rd.hole_len, IOPGT_UNMAP_CUT,
				  &g, &got);
		fx_flush(&fx, &g, NULL);
		if (ret || got != rd.hole_len) {
			IT_FAIL(t, "cut: %d, 0x%llx unmapped", ret,
				(unsigned long long)got);
			break;
		}
		while (__atomic_load_n(&rd.stop, __ATOMIC_RELAXED) == false &&
		       i == 0 && !__atomic_load_n(&rd.done, __ATOMIC_RELAXED))
			sched_yield();
		ret = iopgt_map(&fx.pt, rd.hole, rd.hole + rd.pa_off,
				rd.hole_len, IOPGT_READ | IOPGT_WRITE, 0, NULL);
		if (ret)
			break;
		iopgt_gather_init(&g);
		ret = iopgt_merge(&fx.pt, 0, rd.len, 0, &g);
		fx_flush(&fx, &g, NULL);
	}
	reader_finish(t, &fx, &rd, tid, ret);
}

/*
 * A top that grows (IOPGT_QUIRK_AMD_GROW_TOP) while other calls run: two
 * threads map far beyond the reach at once (each may grow the top), while
 * a third looks up a page below it through iopgt and a device translates
 * it through the old root. Every lookup and access must succeed, both maps
 * must land, and the table must come out whole.
 */
struct grower {
	struct iopgt *pt;
	u64 iova;
	int ret;
};

static void *grower_thread(void *arg)
{
	struct grower *g = arg;

	g->ret = iopgt_map(g->pt, g->iova, 0, 1ull << 12, IOPGT_READ, 0,
			   NULL);
	return NULL;
}

struct looker {
	struct iopgt *pt;
	struct hwm *hw;
	bool stop;		/* atomic */
	u64 done, bad;
};

static void *looker_thread(void *arg)
{
	struct looker *l = arg;
	u64 pa;

	while (!__atomic_load_n(&l->stop, __ATOMIC_ACQUIRE)) {
		if (iopgt_iova_to_phys(l->pt, 0x5000, &pa) || pa != 0x5000)
			l->bad++;
		if (hwm_translate(l->hw, 0x5000, HWM_READ, &pa) ||
		    pa != 0x5000)
			l->bad++;
		__atomic_store_n(&l->done, l->done + 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void grow_races_maps_and_lookups(struct it *t)
{
	struct fx fx;
	struct grower g[2];
	struct looker l = { 0 };
	pthread_t tg[2], tl;
	struct iopgt_hw_info info;
	unsigned int i, reach;
	u64 pa;

	if (!(t->config->cfg.quirks & IOPGT_QUIRK_AMD_GROW_TOP))
		return;
	IT_CHECK(t, fx_setup(t, &fx, 0));
	IT_CHECK(t, fx_map(&fx, 0, 0, 16ull << 12, IOPGT_READ, 0, NULL));
	iopgt_hw_info(&fx.pt, &info);
	reach = info.ias;
	l.pt = &fx.pt;
	l.hw = fx.hw;
	for (i = 0; i < 2; i++) {
		g[i].pt = &fx.pt;
		/* the highest IOVAs the config has, apart */
		g[i].iova = fx.pt.cfg.ias >= 64 ?
			(~0ull << 12) - ((u64)i << 40) :
			(1ull << fx.pt.cfg.ias) - ((u64)(i + 1) << 12);
	}
	IT_ASSERT_EQ(t, pthread_create(&tl, NULL, looker_thread, &l), 0);
	while (!__atomic_load_n(&l.done, __ATOMIC_RELAXED))
		sched_yield();
	for (i = 0; i < 2; i++)
		IT_ASSERT_EQ(t, pthread_create(&tg[i], NULL, grower_thread,
					       &g[i]), 0);
	for (i = 0; i < 2; i++)
		pthread_join(tg[i], NULL);
	__atomic_store_n(&l.stop, true, __ATOMIC_RELEASE);
	pthread_join(tl, NULL);
	for (i = 0; i < 2; i++) {
		IT_ASSERT_RET(t, g[i].ret, 0);
		IT_ASSERT_RET(t, iopgt_iova_to_phys(&fx.pt, g[i].iova, &pa), 0);
		IT_ASSERT_EQ(t, pa, 0);
	}
	IT_ASSERT(t, 12u + 9u * fx.pt.levels > reach);
	IT_ASSERT_EQ(t, l.bad, 0);
	IT_ASSERT(t, l.done > 0);
	IT_ASSERT_RET(t, iopgt_validate(&fx.pt, NULL), 0);
	/* the model and the software IOMMU learn the grow and the maps */
	IT_CHECK(t, fx_grew(&fx, reach));
	for (i = 0; i < 2; i++)
		IT_ASSERT_RET(t, model_map(fx.m, g[i].iova, 0, 1ull << 12,
					   IOPGT_READ), 0);
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_teardown(&fx));
}

/* Two threads map and unmap disjoint ranges that share upper tables. */
struct mapper {
	struct iopgt *pt;
	u64 base, len, unit;
	unsigned int iters;
	int ret;
};

static void *mapper_thread(void *arg)
{
	struct mapper *m = arg;
	struct iopgt_gather g;
	unsigned int i;
	u64 unmapped;

	for (i = 0; i < m->iters && !m->ret; i++) {
		m->ret = iopgt_map(m->pt, m->base, m->base + m->unit, m->len,
				   IOPGT_READ, 0, NULL);
		if (m->ret)
			break;
		iopgt_gather_init(&g);
		m->ret = iopgt_unmap(m->pt, m->base, m->len, 0, &g, &unmapped);
		if (!m->ret && unmapped != m->len)
			m->ret = -EIO;
		/* a test has no IOTLB to flush here: no device runs */
		iopgt_gather_release(m->pt, &g, NULL);
	}
	return NULL;
}

static void disjoint_maps_race_without_a_lock(struct it *t)
{
	struct fx fx;
	struct mapper m[2];
	pthread_t tid[2];
	u64 unit, span;
	unsigned int i;

	IT_CHECK(t, fx_setup(t, &fx, 0));
	unit = 1ull << __builtin_ctzll(fx.pt.pgsize_bitmap);
	span = 1ull << fx_item_lg2(&fx, fx.pt.levels > 1 ? 1 : 0);
	for (i = 0; i < 2; i++) {
		/* neighbours inside one level-1 table, and one level-0
		 * table they share at the boundary */
		m[i] = (struct mapper){ .pt = &fx.pt, .unit = unit,
					.base = span * 4 + i * (span / 2),
					.len = span / 2,
					.iters = it_scaled(t, 200) };
		IT_ASSERT_EQ(t, pthread_create(&tid[i], NULL, mapper_thread,
					       &m[i]), 0);
	}
	for (i = 0; i < 2; i++)
		pthread_join(tid[i], NULL);
	IT_ASSERT_RET(t, m[0].ret, 0);
	IT_ASSERT_RET(t, m[1].ret, 0);
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_teardown(&fx));
}

const struct it_case it_cases_threads[] = {
	{ "no_lost_write_under_dma", no_lost_write_under_dma },
	{ "disjoint_maps_race_without_a_lock",
	  disjoint_maps_race_without_a_lock },
	{ "split_and_merge_are_hitless_under_dma",
	  split_and_merge_are_hitless_under_dma },
	{ "cut_is_hitless_beside_the_range_under_dma",
	  cut_is_hitless_beside_the_range_under_dma },
	{ "grow_races_maps_and_lookups", grow_races_maps_and_lookups },
};

const unsigned int it_ncases_threads = sizeof(it_cases_threads) /
				       sizeof(it_cases_threads[0]);
