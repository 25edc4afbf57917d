// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Map and unmap throughput for 4K, 2M and 1G pages over 1 to 64 GiB, each
 * beside a memset of the same number of entry bytes timed in the same
 * iterations.
 *
 *   BM_map/<fmt>/<pgsize_lg2>/<GiB>/pg:<4K|2M|1G>
 *   BM_unmap/<fmt>/<pgsize_lg2>/<GiB>/pg:<4K|2M|1G>
 *
 * (the library appends /manual_time).
 * One iteration maps the range, unmaps it (releasing the gather: freeing
 * the tables is part of unmap's cost) and memsets (GiB >> pgsize_lg2) * 8
 * bytes; BM_map reports the first, BM_unmap the second, both against the
 * third. The table allows one page size, so every leaf has that size.
 *
 * A range of few entries (1G pages, or 2M pages over 1 GiB) takes well
 * under a microsecond, below what one clock read resolves: such a timed
 * region is a batch of calls on consecutive ranges, at least kMinEntries
 * entries in all, and the time reported is per call (per <GiB> range);
 * the memset is batched the same way, one call per range.
 *
 * Not flushed: map writes fresh tables and unmap reads them back, both
 * with whatever the caches hold from the iteration before, as memset does;
 * from 16 GiB of 4K pages on (32 MiB of leaf tables) they exceed the L3.
 * bench/README.md describes the counters.
 */
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "bm_common.h"
#include "shim.h"

namespace
{

constexpr unsigned int kPgsizes[] = {12, 21, 30};
constexpr uint64_t kGiBs[] = {1, 4, 16, 64};
constexpr uint64_t kMinEntries = 8192;
/* --benchmark_min_time unless given: an iteration also runs the other op
 * and the memset, about three times the one timed. */
constexpr char kMinTime[] = "0.02";

enum class Op {
	map,
	unmap
};

struct MapCase {
	Op op;
	int fmt;
	unsigned int pgsize_lg2;
	uint64_t gib;
};

bm::Buffer memset_buf;

int map_batch(shim_pt *spt, uint64_t len, uint64_t batch)
{
	for (uint64_t b = 0; b < batch; b++) {
		int err = shim_map(spt, b * len, len);

		if (err)
			return err;
	}
	return 0;
}

int unmap_batch(shim_pt *spt, uint64_t len, uint64_t batch)
{
	for (uint64_t b = 0; b < batch; b++) {
		int err = shim_unmap(spt, b * len, len);

		if (err)
			return err;
	}
	return 0;
}

void bm_map(benchmark::State &st, MapCase c)
{
	const uint64_t len = c.gib << 30;
	const uint64_t entries = len >> c.pgsize_lg2;
	const uint64_t batch = entries >= kMinEntries ? 1 :
							kMinEntries / entries;
	const uint64_t entry_bytes = entries * 8;
	uint64_t op_ns = 0, memset_ns = 0;
	shim_pt *spt;
	char *buf;
	int err;

	/* Leaf tables, the levels above them, and the slack of the arena */
	spt = shim_pt_create(c.fmt, c.pgsize_lg2,
			     2 * batch * entry_bytes + (64ull << 20), false,
			     &err);
	if (!spt) {
		bm::skip_on_error(st, err);
		return;
	}
	buf = memset_buf.get(batch * entry_bytes);
	/*
	 * One round before timing, so that the tables are faulted in and
	 * wait on the allocator's free lists, as in a long-running system.
	 */
	err = map_batch(spt, len, batch);
	if (!err)
		err = unmap_batch(spt, len, batch);
	if (!buf || err) {
		bm::fail(st, buf ? shim_strerror(err) : "out of memory");
		shim_pt_destroy(spt);
		return;
	}

	/*
	 * One pass of the loop is @batch calls, and the library counts it
	 * as that many iterations: Time is per call, and --benchmark_min_time
	 * sees the whole batch's time.
	 */
	while (st.KeepRunningBatch(int64_t(batch))) {
		uint64_t t0, t1, t2, t3, ns;

		t0 = shim_now_ns();
		err = map_batch(spt, len, batch);
		t1 = shim_now_ns();
		if (!err)
			err = unmap_batch(spt, len, batch);
		t2 = shim_now_ns();
		for (uint64_t b = 0; b < batch; b++)
			shim_memset(buf + b * entry_bytes, entry_bytes);
		t3 = shim_now_ns();
		if (err) {
			bm::fail(st, shim_strerror(err));
			break;
		}
		ns = c.op == Op::map ? t1 - t0 : t2 - t1;
		op_ns += ns;
		memset_ns += t3 - t2;
		st.SetIterationTime(ns * 1e-9);
	}
	shim_pt_destroy(spt);
	if (err || !op_ns)
		return;

	/* iterations() counts calls */
	st.SetItemsProcessed(int64_t(st.iterations() * entries));
	st.SetBytesProcessed(int64_t(st.iterations() * len));
	st.counters["ratio_vs_memset"] = double(memset_ns) / op_ns;
}

void add_map(const MapCase &c)
{
	const std::string name =
		std::string(c.op == Op::map ? "BM_map/" : "BM_unmap/") +
		shim_format_name(c.fmt) + "/" + std::to_string(c.pgsize_lg2) +
		"/" + std::to_string(c.gib) +
		"/pg:" + bm::pg_label(c.pgsize_lg2);

	benchmark::RegisterBenchmark(name.c_str(), bm_map, c)
		->UseManualTime()
		->Unit(benchmark::kMicrosecond);
}

void register_all()
{
	for (int fmt = 1; fmt < shim_format_count(); fmt++) {
		if (!shim_format_available(fmt))
			continue;
		for (Op op : {Op::map, Op::unmap}) {
			for (unsigned int pg : kPgsizes) {
				for (uint64_t gib : kGiBs)
					add_map({op, fmt, pg, gib});
			}
		}
	}
}

} // namespace

int main(int argc, char **argv)
{
	return bm::main(argc, argv, register_all, kMinTime);
}
