/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * What the Google Benchmark programs share: page size labels, a buffer
 * kept for the whole process, a barrier for the two-thread runs, how a
 * benchmark reports a failure, and the body of main(), whose exit status
 * says whether every benchmark ran and found what it checks.
 *
 * A benchmark fails through bm::fail(): a shim error, or a result its
 * checks reject (a bitmap that differs from the pages the device marked,
 * a table in the wrong state). One that cannot run at all on a format or
 * page size (the shim says -EOPNOTSUPP, or the device model does not know
 * the format) is skipped through bm::not_applicable(), which is shown the
 * same way but does not fail the program. Any failure makes main() return
 * 1: bm::fail() counts it, whatever runs a reporter is handed (with
 * repetitions and aggregates only, say), and the reporter names it.
 *
 * Like the bm_*.cc files, this header sees iopgt only through shim.h.
 */
#ifndef IOPGT_BENCH_BM_COMMON_H
#define IOPGT_BENCH_BM_COMMON_H

#include <benchmark/benchmark.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "shim.h"

namespace bm
{

/* "4K", "2M", "1G": the page size as benchmark names spell it. */
inline std::string pg_label(unsigned int lg2)
{
	if (lg2 >= 30)
		return std::to_string(1ull << (lg2 - 30)) + "G";
	if (lg2 >= 20)
		return std::to_string(1ull << (lg2 - 20)) + "M";
	return std::to_string(1ull << (lg2 - 10)) + "K";
}

/*
 * A baseline's buffer (memset target, streaming read), kept for the whole
 * process and grown on demand; shim_buf_alloc() has touched every page.
 */
class Buffer {
public:
	Buffer() = default;
	Buffer(const Buffer &) = delete;
	Buffer &operator=(const Buffer &) = delete;
	~Buffer()
	{
		shim_buf_free(p_, bytes_);
	}

	/* At least @want bytes, or nullptr if they cannot be had. */
	char *get(uint64_t want)
	{
		if (want > bytes_) {
			shim_buf_free(p_, bytes_);
			p_ = shim_buf_alloc(want);
			bytes_ = p_ ? want : 0;
		}
		return static_cast<char *>(p_);
	}

private:
	void *p_ = nullptr;
	uint64_t bytes_ = 0;
};

/*
 * A barrier for the threads of one multi-threaded run: every thread of
 * the run calls wait() the same number of times. The waiters spin (the
 * library's own barrier sleeps on a condition variable, whose wake-up
 * would land in the timed regions), yielding once a wait is long.
 */
class SpinBarrier {
public:
	explicit SpinBarrier(int threads) : threads_(threads)
	{
	}

	void wait()
	{
		const unsigned int gen = gen_.load(std::memory_order_acquire);
		unsigned int spins = 0;

		if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 ==
		    threads_) {
			arrived_.store(0, std::memory_order_relaxed);
			gen_.store(gen + 1, std::memory_order_release);
			return;
		}
		while (gen_.load(std::memory_order_acquire) == gen)
			shim_spin_wait(&spins);
	}

private:
	const int threads_;
	std::atomic<int> arrived_{0};
	std::atomic<unsigned int> gen_{0};
};

/* Failures seen by bm::fail(), over the whole process. */
inline std::atomic<unsigned int> &failures()
{
	static std::atomic<unsigned int> count{0};

	return count;
}

/* Stop @st as failed: a shim error or a result the checks reject. */
inline void fail(benchmark::State &st, const char *why)
{
	failures().fetch_add(1, std::memory_order_relaxed);
	st.SkipWithError(why);
}

/*
 * 1 when IOPGT_BENCH_WRONG_CHECK=1 is in the environment, else 0: the
 * result checks then expect that much more than is right, so that every
 * run fails. bench/test-exit.sh (ctest bench_exit_status) runs so, to see
 * that a wrong result makes the program exit non-zero.
 */
inline uint64_t check_skew()
{
	static const char *v = std::getenv("IOPGT_BENCH_WRONG_CHECK");

	return v && !std::strcmp(v, "1") ? 1 : 0;
}

/* The start of every "does not apply here" message (not a failure). */
constexpr char kNotApplicable[] = "not applicable: ";

inline void not_applicable(benchmark::State &st, const char *why)
{
	st.SkipWithError((std::string(kNotApplicable) + why).c_str());
}

/*
 * Stop @st on the shim error @err: a failure, except -EOPNOTSUPP (the
 * format or page size cannot do this), which only skips.
 */
inline void skip_on_error(benchmark::State &st, int err)
{
	if (err == -EOPNOTSUPP)
		not_applicable(st, shim_strerror(err));
	else
		fail(st, shim_strerror(err));
}

/*
 * The display reporter the command line asks for, wrapped to count the
 * runs that failed: every run reported with an error that is not a
 * "not applicable" skip.
 */
class FailureCounter : public benchmark::BenchmarkReporter {
public:
	explicit FailureCounter(benchmark::BenchmarkReporter *display)
		: display_(display)
	{
	}

	bool ReportContext(const Context &context) override
	{
		return display_->ReportContext(context);
	}

	void ReportRuns(const std::vector<Run> &runs) override
	{
		for (const Run &run : runs) {
			if (run.error_occurred &&
			    run.error_message.rfind(kNotApplicable, 0) != 0)
				failed_.push_back(run.benchmark_name());
		}
		display_->ReportRuns(runs);
	}

	void Finalize() override
	{
		display_->Finalize();
	}

	const std::vector<std::string> &failed() const
	{
		return failed_;
	}

private:
	std::unique_ptr<benchmark::BenchmarkReporter> display_;
	std::vector<std::string> failed_;
};

/*
 * The body of every bm_*.cc main(): register the benchmarks, run what the
 * command line selects. @min_time is the program's --benchmark_min_time
 * when the command line (or BENCHMARK_MIN_TIME) gives none: every
 * iteration here also does untimed work (re-dirtying, cache flushes,
 * baselines), often several times the timed one, which the library's
 * default of 0.5 s of timed work would multiply into minutes per case.
 * Return: 0 if every benchmark that ran succeeded (or did not apply), 1
 * if any failed or an argument was not understood.
 */
inline int main(int argc, char **argv, void (*register_all)(),
		const char *min_time)
{
	static const char flag[] = "--benchmark_min_time";
	std::vector<char *> args(argv, argv + argc);
	std::string dflt = std::string(flag) + "=" + min_time;
	bool given = std::getenv("BENCHMARK_MIN_TIME") != nullptr;

	for (int i = 1; i < argc; i++)
		given |= !std::strncmp(argv[i], flag, sizeof(flag) - 1);
	if (!given)
		args.insert(args.begin() + 1, &dflt[0]);
	args.push_back(nullptr);
	argc = int(args.size()) - 1;

	register_all();
	benchmark::Initialize(&argc, args.data());
	if (benchmark::ReportUnrecognizedArguments(argc, args.data()))
		return 1;

	/* after Initialize(): the reporter follows --benchmark_format */
	FailureCounter reporter(benchmark::CreateDefaultDisplayReporter());

	benchmark::RunSpecifiedBenchmarks(&reporter);
	benchmark::Shutdown();
	for (const std::string &name : reporter.failed())
		std::fprintf(stderr, "FAILED: %s\n", name.c_str());
	if (!reporter.failed().empty() || failures().load()) {
		std::fprintf(stderr, "%u benchmark run(s) failed\n",
			     failures().load());
		return 1;
	}
	return 0;
}

} /* namespace bm */

#endif /* IOPGT_BENCH_BM_COMMON_H */
