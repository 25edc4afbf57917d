// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Dirty harvest throughput, the project's headline:
 *
 *   BM_harvest/<fmt>/<pgsize_lg2>/<GiB>/dirty_pct:<d>/threads:<t>/pg:<4K|2M|1G>
 *
 * A table maps [0, GiB) with leaves of one size; a device model marks a
 * fixed pseudo-random d% of the leaves written (accessed and dirty); one
 * timed iteration is one full harvest of the range as migration does it:
 * iopgt_read_dirty() with clear into a bitmap of 4 KiB bits, then
 * iopgt_gather_release(). With two threads, each harvests one half into
 * the same bitmap.
 *
 * Every iteration also times, on the same number of entry bytes
 * (leaves * 8) and with the same number of threads:
 *   - a streaming read of a plain buffer (the sum of its u64 words);
 *   - a streaming read-modify-write of it (bit 6 cleared in every word);
 *   - a naive harvester: a walk from the root per leaf, an atomic
 *     test-and-clear per dirty entry, bitmap bits set one at a time.
 * Each is cold: the tables, the bitmap or the buffer are evicted from the
 * caches (clflush) right before it is timed. Re-dirtying, flushing and
 * checking are outside the timed regions (manual timing, so no pause and
 * resume of the library's clock either). After every harvest the bitmap
 * must hold exactly the pages the device marked, or the run fails.
 *
 * The table of each (format, page size, GiB) is built once per process and
 * kept. Sizes 1, 4 and 16 GiB run by default; IOPGT_BENCH_LARGE=1 in the
 * environment adds 64 and 256 GiB (512 MiB of 4K leaf tables, about a GiB
 * of memory with the baseline buffer). bench/README.md describes the
 * counters.
 */
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <map>
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

/* Mark the fixed dirty set, then make the table and the bitmap cold. */
int prepare(shim_hv *hv, unsigned int dirty_pct, uint64_t *pages)
{
	int err = shim_hv_mark(hv, dirty_pct, kSeed, pages);

	shim_hv_make_cold(hv);
	return err;
}

/* One iteration of everything; the harvest's time is returned in *ns. */
const char *iterate(shim_hv *hv, const HarvestCase &c, shim_pool *pool,
		    void *buf, Totals *tot, uint64_t *ns)
{
	const uint64_t bytes = shim_hv_entry_bytes(hv);
	uint64_t pages, t0, t1;
	int err;

	err = prepare(hv, c.dirty_pct, &pages);
	if (err)
		return shim_strerror(err);
	shim_pool_warm(pool);
	t0 = shim_now_ns();
	err = shim_hv_harvest(hv, pool);
	t1 = shim_now_ns();
	if (err)
		return shim_strerror(err);
	if (shim_hv_bitmap_weight(hv) != pages)
		return "harvest: bitmap differs from the pages marked dirty";
	*ns = t1 - t0;
	tot->harvest += *ns;

	err = prepare(hv, c.dirty_pct, &pages);
	if (err)
		return shim_strerror(err);
	shim_pool_warm(pool);
	t0 = shim_now_ns();
	err = shim_hv_harvest_naive(hv, pool);
	t1 = shim_now_ns();
	if (err)
		return shim_strerror(err);
	if (shim_hv_bitmap_weight(hv) != pages)
		return "naive: bitmap differs from the pages marked dirty";
	tot->naive += t1 - t0;

	shim_flush(buf, bytes);
	shim_pool_warm(pool);
	t0 = shim_now_ns();
	benchmark::DoNotOptimize(shim_stream_read(pool, buf, bytes));
	t1 = shim_now_ns();
	tot->read += t1 - t0;

	shim_flush(buf, bytes);
	shim_pool_warm(pool);
	t0 = shim_now_ns();
	shim_stream_rmw(pool, buf, bytes);
	t1 = shim_now_ns();
	tot->rmw += t1 - t0;
	return nullptr;
}

void bm_harvest(benchmark::State &st, HarvestCase c)
{
	const char *fail = nullptr;
	shim_pool *pool = nullptr;
	Totals tot;
	shim_hv *hv;
	void *buf;
	int err;

	if (!shim_format_has_device(c.fmt)) {
		bm::not_applicable(st, "no device model for this format in "
				   "shim.c");
		return;
	}
	hv = table_cache.get(c.fmt, c.pgsize_lg2, c.gib, &err);
	if (!hv) {
		bm::skip_on_error(st, err);
		return;
	}
	buf = baseline_buf.get(shim_hv_entry_bytes(hv));
	if (c.threads == 2)
		pool = shim_pool_start();
	err = shim_hv_clean_all(hv);
	if (!buf || (c.threads == 2 && !pool) || err) {
		st.SkipWithError(err ? shim_strerror(err) : "out of memory");
		shim_pool_stop(pool);
		return;
	}

	for (auto _ : st) {
		uint64_t ns = 0;

		fail = iterate(hv, c, pool, buf, &tot, &ns);
		if (fail) {
			st.SkipWithError(fail);
			break;
		}
		st.SetIterationTime(ns * 1e-9);
	}
	shim_pool_stop(pool);
	if (fail || !tot.harvest)
		return;

	const double iters = double(st.iterations());
	const double s = tot.harvest * 1e-9;
	const double h = double(tot.harvest);

	st.counters["iova_GiBps"] = iters * c.gib / s;
	st.counters["entries_ps"] = iters * shim_hv_leaves(hv) / s;
	st.counters["ratio_vs_read"] = tot.read / h;
	st.counters["ratio_vs_rmw"] = tot.rmw / h;
	st.counters["speedup_vs_naive"] = tot.naive / h;
}

/*
 * Fixed counts: each iteration also re-dirties, flushes and runs the
 * baselines, several times the cost of the harvest it times.
 */
uint64_t harvest_iterations(uint64_t leaves)
{
	if (leaves >= (16ull << 20))
		return shim_iterations(3);
	if (leaves >= (1ull << 20))
		return shim_iterations(20);
	if (leaves >= (64ull << 10))
		return shim_iterations(50);
	if (leaves >= 4096)
		return shim_iterations(300);
	return shim_iterations(1000);
}

std::string harvest_name(const HarvestCase &c)
{
	return "BM_harvest/" + std::string(shim_format_name(c.fmt)) + "/" +
	       std::to_string(c.pgsize_lg2) + "/" + std::to_string(c.gib) +
	       "/dirty_pct:" + std::to_string(c.dirty_pct) +
	       "/threads:" + std::to_string(c.threads) +
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
		->Iterations(harvest_iterations(leaves));
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
	return bm::main(argc, argv, register_all);
}
