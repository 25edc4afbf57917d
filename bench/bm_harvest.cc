// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Dirty harvest throughput, the project's headline:
 *
 *   BM_harvest/<fmt>/<pgsize_lg2>/<GiB>/dirty_pct:<d>/pg:<4K|2M|1G>
 *
 * (the library appends /manual_time/threads:<1|2>). A table maps [0, GiB)
 * with leaves of one size; a device model marks a fixed pseudo-random d%
 * of the leaves written (accessed and dirty); one timed iteration is one
 * full harvest of the range as migration does it: iopgt_read_dirty() with
 * clear into a bitmap of 4 KiB bits, then iopgt_gather_release(). With
 * two threads (the library's, ->Threads(2)), each harvests one half into
 * the same bitmap, and the time is the wall time from the moment both
 * start to the moment the last one is done.
 *
 * Every iteration also times, on the same number of entry bytes
 * (leaves * 8) and with the same number of threads:
 *   - a streaming read of a plain buffer (the sum of its u64 words);
 *   - a streaming read-modify-write of it (bit 6 cleared in every word);
 *   - a naive harvester: a walk from the root per leaf, an atomic
 *     test-and-clear per dirty entry, bitmap bits set one at a time.
 * Each is cold: the tables, the bitmap or the buffer are evicted from the
 * caches (clflush) right before it is timed. Re-dirtying, flushing and
 * checking are done by thread 0 outside the timed regions, the other
 * thread waiting at a spin barrier (manual timing, so no pause and resume
 * of the library's clock either). After every harvest the bitmap must
 * hold exactly the pages the device marked, or the run fails.
 *
 * The table of each (format, page size, GiB) is built once per process and
 * kept. Sizes 1, 4 and 16 GiB run by default; IOPGT_BENCH_LARGE=1 in the
 * environment adds 64 and 256 GiB (512 MiB of 4K leaf tables, about a GiB
 * of memory with the baseline buffer). bench/README.md describes the
 * counters.
 */
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "bm_common.h"
#include "shim.h"

namespace
{

constexpr unsigned int kPgsizes[] = {12, 21, 30};
constexpr unsigned int kDirtyPct[] = {0, 1, 50, 100};
constexpr uint64_t kGiBs[] = {1, 4, 16};
constexpr uint64_t kLargeGiBs[] = {64, 256};
/* Which pages are dirty: the same set in every iteration and every run */
constexpr uint64_t kSeed = 0x696f706774ull;
/*
 * --benchmark_min_time unless given: timed harvest per case. Marking,
 * flushing and the three baselines (the naive one sets a dirty 1G leaf's
 * 262144 bits one at a time) make an iteration 10 to 100 times longer
 * than its harvest; steadier figures come from repetitions
 * (scripts/bench) rather than from longer runs.
 */
constexpr char kMinTime[] = "0.005";

struct HarvestCase {
	int fmt;
	unsigned int pgsize_lg2;
	uint64_t gib;
	unsigned int dirty_pct;
	unsigned int threads;
};

/* Tables built once per process, keyed by (format, page size, GiB). */
struct TableCache {
	std::map<std::tuple<int, unsigned int, uint64_t>, shim_hv *> tables;

	shim_hv *get(int fmt, unsigned int pgsize_lg2, uint64_t gib, int *err)
	{
		auto key = std::make_tuple(fmt, pgsize_lg2, gib);
		auto it = tables.find(key);

		*err = 0;
		if (it != tables.end())
			return it->second;
		shim_hv *hv = shim_hv_create(fmt, pgsize_lg2, gib << 30, err);
		if (hv)
			tables[key] = hv;
		return hv;
	}
	~TableCache()
	{
		for (auto &kv : tables)
			shim_hv_destroy(kv.second);
	}
};

TableCache table_cache;
bm::Buffer baseline_buf;

/* Sums of the timed regions over a run, in nanoseconds. */
struct Totals {
	uint64_t harvest = 0, naive = 0, read = 0, rmw = 0;
};

/*
 * What the threads of one run share. Thread 0 does every untimed step and
 * decides; the others only run their part of each timed region. Thread 0
 * publishes an iteration's verdict (@fail) just before the iteration's
 * last barrier and every thread reads it just after, so all leave the loop
 * at the same point; the next write comes only after the next iteration's
 * first barrier, which no thread passes before it has read.
 */
struct Run {
	explicit Run(int threads) : bar(threads), threads(threads)
	{
	}

	bm::SpinBarrier bar;
	const int threads;
	shim_hv *hv = nullptr;
	void *buf = nullptr;
	const char *setup_fail = nullptr;	/* before the loop */
	const char *fail = nullptr;	/* set by thread 0 only */
	uint64_t start[2] = {}, end[2] = {};
	int err[2] = {};
	Totals tot;
};

/* The run the threads of the current benchmark share. */
std::unique_ptr<Run> current_run;

enum class Region {
	harvest,
	naive,
	read,
	rmw
};

/* Thread @t's part of @what, its start and end times noted. */
void run_part(Run *run, Region what, int t)
{
	const uint64_t bytes = shim_hv_entry_bytes(run->hv);
	const unsigned int part = unsigned(t), n = unsigned(run->threads);
	int err = 0;

	run->start[t] = shim_now_ns();
	switch (what) {
	case Region::harvest:
		err = shim_hv_harvest(run->hv, part, n);
		break;
	case Region::naive:
		err = shim_hv_harvest_naive(run->hv, part, n);
		break;
	case Region::read:
		benchmark::DoNotOptimize(
			shim_stream_read(run->buf, bytes, part, n));
		break;
	case Region::rmw:
		shim_stream_rmw(run->buf, bytes, part, n);
		break;
	}
	run->end[t] = shim_now_ns();
	run->err[t] = err;
}

/*
 * One timed region on every thread: all start together (the barrier), and
 * its time is from the first start to the last end. Thread 0 returns it.
 */
uint64_t timed(Run *run, Region what, int t, int *err)
{
	uint64_t first = UINT64_MAX, last = 0;

	if (run->threads > 1)
		run->bar.wait();
	run_part(run, what, t);
	if (run->threads > 1)
		run->bar.wait();
	*err = 0;
	for (int i = 0; i < run->threads; i++) {
		first = std::min(first, run->start[i]);
		last = std::max(last, run->end[i]);
		if (run->err[i] && !*err)
			*err = run->err[i];
	}
	return last - first;
}

/* Thread 0: mark the fixed dirty set, then make the table and bitmap cold. */
const char *prepare(Run *run, unsigned int dirty_pct, uint64_t *pages)
{
	int err = shim_hv_mark(run->hv, dirty_pct, kSeed, pages);

	shim_hv_make_cold(run->hv);
	return err ? shim_strerror(err) : nullptr;
}

/*
 * One iteration of everything on thread @t; the harvest's time is
 * returned. run->fail says, after it, whether the run must stop.
 */
uint64_t iterate(Run *run, unsigned int dirty_pct, int t)
{
	const uint64_t bytes = shim_hv_entry_bytes(run->hv);
	uint64_t pages = 0, ns, harvest_ns;
	const char *fail = nullptr;
	int err;

	if (t == 0)
		fail = prepare(run, dirty_pct, &pages);
	harvest_ns = timed(run, Region::harvest, t, &err);
	if (t == 0 && !fail) {
		if (err)
			fail = shim_strerror(err);
		else if (shim_hv_bitmap_weight(run->hv) !=
			 pages + bm::check_skew())
			fail = "harvest: bitmap differs from the pages marked "
			       "dirty";
		run->tot.harvest += harvest_ns;
		if (!fail)
			fail = prepare(run, dirty_pct, &pages);
	}
	ns = timed(run, Region::naive, t, &err);
	if (t == 0 && !fail) {
		if (err)
			fail = shim_strerror(err);
		else if (shim_hv_bitmap_weight(run->hv) != pages)
			fail = "naive: bitmap differs from the pages marked "
			       "dirty";
		run->tot.naive += ns;
	}
	if (t == 0)
		shim_flush(run->buf, bytes);
	ns = timed(run, Region::read, t, &err);
	if (t == 0) {
		run->tot.read += ns;
		shim_flush(run->buf, bytes);
	}
	ns = timed(run, Region::rmw, t, &err);
	if (t == 0) {
		run->tot.rmw += ns;
		run->fail = fail;
	}
	/* thread 0's verdict on this iteration, for every thread */
	if (run->threads > 1)
		run->bar.wait();
	return harvest_ns;
}

/* Thread 0: the table, the buffer, every leaf clean. nullptr: all set. */
const char *set_up(Run *run, const HarvestCase &c, benchmark::State &st)
{
	int err;

	run->hv = table_cache.get(c.fmt, c.pgsize_lg2, c.gib, &err);
	if (!run->hv) {
		bm::skip_on_error(st, err);
		return "";
	}
	run->buf = baseline_buf.get(shim_hv_entry_bytes(run->hv));
	err = shim_hv_clean_all(run->hv);
	if (!run->buf || err) {
		bm::fail(st, err ? shim_strerror(err) : "out of memory");
		return "";
	}
	return nullptr;
}

void bm_harvest(benchmark::State &st, HarvestCase c)
{
	const int t = st.thread_index();
	Run *run;

	if (!shim_format_has_device(c.fmt)) {
		bm::not_applicable(st, "no device model for this format in "
				   "shim.c");
		return;
	}
	/*
	 * Thread 0 sets the run up before the loop; the library starts the
	 * loop on every thread together, so the others see it there.
	 */
	if (t == 0) {
		current_run.reset(new Run(st.threads()));
		current_run->setup_fail = set_up(current_run.get(), c, st);
	}
	for (auto _ : st) {
		run = current_run.get();
		if (run->setup_fail) {
			/* set-up failed: thread 0 has said why */
			if (t != 0)
				st.SkipWithError("set-up failed on thread 0");
			break;
		}
		const uint64_t ns = iterate(run, c.dirty_pct, t);

		if (run->fail) {
			if (t == 0)
				bm::fail(st, run->fail);
			else
				st.SkipWithError(run->fail);
			break;
		}
		st.SetIterationTime(ns * 1e-9);
	}
	run = current_run.get();
	if (run->setup_fail || run->fail || !run->tot.harvest)
		return;

	/*
	 * The library adds a rate counter up over the threads and divides it
	 * by the manual time added up over the threads. Every thread reported
	 * the whole harvest's wall time, so every thread counts every leaf:
	 * the rate is then the leaves (IOVA bytes) of a harvest per second of
	 * its wall time, whatever the thread count.
	 */
	const uint64_t leaves = shim_hv_leaves(run->hv);

	st.SetItemsProcessed(int64_t(st.iterations() * leaves));
	st.SetBytesProcessed(int64_t(st.iterations() * (c.gib << 30)));
	if (t != 0)
		return;
	/* Ratios of same-run totals: on thread 0 only (counters add up). */
	const double h = double(run->tot.harvest);

	st.counters["ratio_vs_read"] = run->tot.read / h;
	st.counters["ratio_vs_rmw"] = run->tot.rmw / h;
	st.counters["speedup_vs_naive"] = run->tot.naive / h;
}

std::string harvest_name(const HarvestCase &c)
{
	return "BM_harvest/" + std::string(shim_format_name(c.fmt)) + "/" +
	       std::to_string(c.pgsize_lg2) + "/" + std::to_string(c.gib) +
	       "/dirty_pct:" + std::to_string(c.dirty_pct) +
	       "/pg:" + bm::pg_label(c.pgsize_lg2);
}

void add_harvest(const HarvestCase &c)
{
	const uint64_t leaves = (c.gib << 30) >> c.pgsize_lg2;

	/* Each thread's half must hold whole leaves. */
	if (c.threads > leaves)
		return;
	benchmark::RegisterBenchmark(harvest_name(c).c_str(), bm_harvest, c)
		->UseManualTime()
		->Unit(benchmark::kMicrosecond)
		->Threads(int(c.threads));
}

void register_all()
{
	std::vector<uint64_t> gibs(std::begin(kGiBs), std::end(kGiBs));
	const char *large = std::getenv("IOPGT_BENCH_LARGE");

	if (large && std::string(large) == "1")
		gibs.insert(gibs.end(), std::begin(kLargeGiBs),
			    std::end(kLargeGiBs));
	for (int fmt = 1; fmt < shim_format_count(); fmt++) {
		if (!shim_format_available(fmt))
			continue;
		for (unsigned int pg : kPgsizes) {
			for (uint64_t gib : gibs) {
				for (unsigned int pct : kDirtyPct) {
					for (unsigned int thr : {1u, 2u})
						add_harvest({fmt, pg, gib, pct,
							     thr});
				}
			}
		}
	}
}

} // namespace

int main(int argc, char **argv)
{
	return bm::main(argc, argv, register_all, kMinTime);
}
