// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Split and merge of large leaves, each beside a baseline timed in the same
 * iterations:
 *
 *   BM_split/<fmt>/<from_lg2>/<to_lg2>/<GiB>/pg:<from>_to_<to>
 *   BM_merge/<fmt>/<from_lg2>/<to_lg2>/<GiB>/pg:<from>_to_<to>
 *
 * (the library appends /manual_time)
 * for 1 GiB of 2M leaves split to 4K (512 new leaf tables) and 64 GiB of
 * 1G leaves split to 2M (64 new tables), and merged back. The table allows
 * the 4K, 2M and 1G sizes up to <from> and no other, so the merge rebuilds
 * exactly the leaves that were mapped; ARM formats run with BBML2 (direct
 * block <-> table replacement), without which split and merge refuse with
 * -EBUSY.
 *
 * One iteration starts from the range mapped with <from> leaves and:
 *   1. splits it to <to> and releases the gather (timed: BM_split);
 *   2. merges it back and releases the gather (timed: BM_merge);
 *   3. memsets the entry bytes the split writes: every entry of the new
 *      tables plus the large-leaf slots that become table entries (timed);
 *   4. reads the children's entry bytes, which the merge reads while it
 *      writes only the slots (a streaming read, timed);
 * and ends where it started. BM_split reports 1 against 3, BM_merge 2
 * against 4. No device, so no invalidation between an operation and its
 * gather release; the release is timed with it (after a split it re-reads
 * the new table entries, after a merge the detached children, which it
 * then frees). Between the steps, untimed, the shim checks the leaves and
 * the live table count against what the step must leave.
 *
 * And the cut, an unmap with IOPGT_UNMAP_CUT that splits the leaves it
 * starts and ends in and removes exactly its range:
 *
 *   BM_cut/<fmt>/21/12/1/pg:2M_to_4K
 *
 * over 1 GiB of 2M leaves (the 2M-to-4K table above), 256 calls each
 * removing [2k 2M + 17 4K, (2k + 1) 2M + 300 4K). One iteration:
 *   1. the 256 cuts, each with its gather release (timed: BM_cut);
 *   2. the same 256 unmaps without the flag, which remove the two leaves
 *      each reaches into whole, as Linux's unmap does (timed);
 *   3. memset of the entry bytes the cuts' splits write: two new leaf
 *      tables per call and the two slots that become table entries, as
 *      step 3 above counts them (timed);
 * each pass checked after it and the table mapped again with 2M leaves,
 * untimed. BM_cut reports 1 against 3 and against 2. ARM formats have
 * BBML2 here too; without it a cut that must split returns -EBUSY.
 *
 * Not flushed, like bm_map: every table and buffer here fits in the L3,
 * and each is touched by the previous iteration. bench/README.md describes
 * the counters.
 */
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "bm_common.h"
#include "shim.h"

namespace
{

struct SizePair {
	unsigned int from_lg2;
	unsigned int to_lg2;
	uint64_t gib;
};

constexpr SizePair kPairs[] = {
	{21, 12, 1},
	{30, 21, 64},
};

/* --benchmark_min_time unless given: an iteration runs both operations,
 * their checks and both baselines, several times the one timed. */
constexpr char kMinTime[] = "0.05";

enum class Op {
	split,
	merge
};

struct SplitCase {
	Op op;
	int fmt;
	SizePair sz;
};

bm::Buffer baseline_buf;

/* Sums of the timed regions over a run, in nanoseconds. */
struct Totals {
	uint64_t split = 0, merge = 0, memset = 0, read = 0;
};

/* Split, check, merge, check: the table ends as it started. */
int round_trip(shim_sm *sm, const SizePair &sz, Totals *tot)
{
	uint64_t t0, t1;
	int err;

	t0 = shim_now_ns();
	err = shim_sm_split(sm);
	t1 = shim_now_ns();
	if (!err)
		err = shim_sm_check(sm, sz.to_lg2);
	if (err)
		return err;
	tot->split += t1 - t0;

	t0 = shim_now_ns();
	err = shim_sm_merge(sm);
	t1 = shim_now_ns();
	if (!err)
		err = shim_sm_check(sm, sz.from_lg2);
	tot->merge += t1 - t0;
	return err;
}

void bm_split(benchmark::State &st, SplitCase c)
{
	const SizePair &sz = c.sz;
	uint64_t write_bytes, read_bytes;
	Totals tot;
	shim_sm *sm;
	char *buf;
	int err;

	sm = shim_sm_create(c.fmt, sz.from_lg2, sz.to_lg2, sz.gib << 30, &err);
	if (!sm) {
		bm::skip_on_error(st, err);
		return;
	}
	write_bytes = (shim_sm_table_entries(sm) + shim_sm_slots(sm)) * 8;
	read_bytes = shim_sm_table_entries(sm) * 8;
	buf = baseline_buf.get(std::max(write_bytes, read_bytes));
	/*
	 * One round before timing, checked in full: it faults the tables in
	 * and leaves them on the allocator's free lists, as in a
	 * long-running system.
	 */
	err = shim_sm_check(sm, sz.from_lg2);
	if (!err)
		err = shim_sm_validate(sm);
	if (!err)
		err = shim_sm_split(sm);
	if (!err)
		err = shim_sm_validate(sm);
	if (!err)
		err = shim_sm_merge(sm);
	if (!err)
		err = shim_sm_validate(sm);
	if (!buf || err) {
		bm::fail(st, buf ? shim_strerror(err) : "out of memory");
		shim_sm_destroy(sm);
		return;
	}

	for (auto _ : st) {
		uint64_t before = c.op == Op::split ? tot.split : tot.merge;
		uint64_t t0, t1;

		err = round_trip(sm, sz, &tot);
		if (err) {
			bm::fail(st, shim_strerror(err));
			break;
		}

		t0 = shim_now_ns();
		shim_memset(buf, write_bytes);
		t1 = shim_now_ns();
		tot.memset += t1 - t0;

		t0 = shim_now_ns();
		benchmark::DoNotOptimize(
			shim_stream_read(buf, read_bytes, 0, 1));
		t1 = shim_now_ns();
		tot.read += t1 - t0;

		st.SetIterationTime(
			((c.op == Op::split ? tot.split : tot.merge) - before) *
			1e-9);
	}
	if (!err)
		err = shim_sm_validate(sm);
	if (err && !st.error_occurred())
		bm::fail(st, shim_strerror(err));
	const uint64_t leaves = shim_sm_small_leaves(sm);
	shim_sm_destroy(sm);
	const uint64_t op_ns = c.op == Op::split ? tot.split : tot.merge;
	if (err || !op_ns)
		return;

	const uint64_t base_ns = c.op == Op::split ? tot.memset : tot.read;

	st.SetItemsProcessed(int64_t(st.iterations() * leaves));
	st.SetBytesProcessed(int64_t(st.iterations() * (sz.gib << 30)));
	st.counters[c.op == Op::split ? "ratio_vs_memset" : "ratio_vs_read"] =
		double(base_ns) / op_ns;
	/* the library divides by the iterations */
	st.counters["baseline_us"] = benchmark::Counter(
		base_ns * 1e-3, benchmark::Counter::kAvgIterations);
}

/* The cut's three timed passes, in nanoseconds. */
struct CutTotals {
	uint64_t cut = 0, unmap = 0, memset = 0;
};

/* A ragged pass (cut or not), its check, and the table mapped again. */
int ragged_pass(shim_sm *sm, bool cut, uint64_t *ns)
{
	uint64_t t0, t1;
	int err;

	t0 = shim_now_ns();
	err = shim_sm_ragged(sm, cut);
	t1 = shim_now_ns();
	if (!err)
		err = shim_sm_ragged_check(sm, cut);
	if (!err)
		err = shim_sm_remap(sm);
	*ns += t1 - t0;
	return err;
}

void bm_cut(benchmark::State &st, int fmt)
{
	constexpr SizePair sz = {21, 12, 1};
	uint64_t calls, write_bytes;
	CutTotals tot;
	shim_sm *sm;
	char *buf;
	int err;

	sm = shim_sm_create(fmt, sz.from_lg2, sz.to_lg2, sz.gib << 30, &err);
	if (!sm) {
		bm::skip_on_error(st, err);
		return;
	}
	calls = shim_sm_ragged_calls(sm);
	/* per call: two new leaf tables, two slots rewritten */
	write_bytes = calls * 2 * (shim_sm_table_entries(sm) /
				   shim_sm_slots(sm) + 1) * 8;
	buf = baseline_buf.get(write_bytes);
	/* One of each pass before timing, as bm_split's warm-up round */
	err = shim_sm_validate(sm);
	if (!err)
		err = ragged_pass(sm, true, &tot.cut);
	if (!err)
		err = shim_sm_validate(sm);
	if (!err)
		err = ragged_pass(sm, false, &tot.unmap);
	if (!err)
		err = shim_sm_validate(sm);
	if (!buf || err) {
		bm::fail(st, buf ? shim_strerror(err) : "out of memory");
		shim_sm_destroy(sm);
		return;
	}
	tot = CutTotals();

	for (auto _ : st) {
		uint64_t before = tot.cut, t0, t1;

		err = ragged_pass(sm, true, &tot.cut);
		if (!err)
			err = ragged_pass(sm, false, &tot.unmap);
		if (err) {
			bm::fail(st, shim_strerror(err));
			break;
		}

		t0 = shim_now_ns();
		shim_memset(buf, write_bytes);
		t1 = shim_now_ns();
		tot.memset += t1 - t0;

		st.SetIterationTime((tot.cut - before) * 1e-9);
	}
	if (!err)
		err = shim_sm_validate(sm);
	if (err && !st.error_occurred())
		bm::fail(st, shim_strerror(err));
	const uint64_t leaves = shim_sm_slots(sm);
	shim_sm_destroy(sm);
	if (err || !tot.cut)
		return;

	/* the 2M leaves cut, and the bytes the cuts removed */
	st.SetItemsProcessed(int64_t(st.iterations() * leaves));
	st.SetBytesProcessed(int64_t(
		st.iterations() * calls *
		((1ull << sz.from_lg2) - SHIM_CUT_HEAD + SHIM_CUT_TAIL)));
	st.counters["ratio_vs_memset"] = double(tot.memset) / tot.cut;
	st.counters["ratio_vs_unmap"] = double(tot.unmap) / tot.cut;
	st.counters["baseline_us"] = benchmark::Counter(
		tot.memset * 1e-3, benchmark::Counter::kAvgIterations);
	st.counters["unmap_us"] = benchmark::Counter(
		tot.unmap * 1e-3, benchmark::Counter::kAvgIterations);
}

std::string split_name(const SplitCase &c)
{
	const SizePair &sz = c.sz;

	return std::string(c.op == Op::split ? "BM_split/" : "BM_merge/") +
	       shim_format_name(c.fmt) + "/" + std::to_string(sz.from_lg2) +
	       "/" + std::to_string(sz.to_lg2) + "/" + std::to_string(sz.gib) +
	       "/pg:" + bm::pg_label(sz.from_lg2) + "_to_" +
	       bm::pg_label(sz.to_lg2);
}

void register_all()
{
	for (int fmt = 1; fmt < shim_format_count(); fmt++) {
		if (!shim_format_available(fmt))
			continue;
		for (Op op : {Op::split, Op::merge}) {
			for (const SizePair &sz : kPairs) {
				const SplitCase c = {op, fmt, sz};

				benchmark::RegisterBenchmark(
					split_name(c).c_str(), bm_split, c)
					->UseManualTime()
					->Unit(benchmark::kMicrosecond);
			}
		}
		benchmark::RegisterBenchmark(
			(std::string("BM_cut/") + shim_format_name(fmt) +
			 "/21/12/1/pg:2M_to_4K").c_str(),
			bm_cut, fmt)
			->UseManualTime()
			->Unit(benchmark::kMicrosecond);
	}
}

} // namespace

int main(int argc, char **argv)
{
	return bm::main(argc, argv, register_all, kMinTime);
}
