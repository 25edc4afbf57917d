#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# test-exit.sh BM_HARVEST: a benchmark program's exit status follows its
# result checks. A few small harvests must exit 0; the same with
# IOPGT_BENCH_WRONG_CHECK=1 (every check expects one page more) must exit
# 1 and name the failed runs, with the console reporter and with only
# aggregates reported (where no failed run reaches a reporter). Run by
# ctest as bench_exit_status.
set -uo pipefail

bm=$1
args=(--benchmark_min_time=0 --benchmark_filter='vtd_sl/21/1/dirty_pct:1/')
err=$(mktemp)
trap 'rm -f "$err"' EXIT
fails=0 passes=0

check() { # check NAME WANT-STATUS [ENV...] -- ARGS...
	local name=$1 want=$2 got
	shift 2
	local envs=()
	while [[ $1 != -- ]]; do
		envs+=("$1")
		shift
	done
	shift
	env "${envs[@]}" "$bm" "$@" >/dev/null 2>"$err"
	got=$?
	if ((got != want)); then
		echo "FAIL $name: exit $got, want $want"
		tail -3 "$err"
		fails=$((fails + 1))
	elif ((want)) && ! grep -q 'benchmark run(s) failed' "$err"; then
		echo "FAIL $name: no failure named on stderr"
		fails=$((fails + 1))
	else
		passes=$((passes + 1))
	fi
}

check right 0 -- "${args[@]}"
check wrong 1 IOPGT_BENCH_WRONG_CHECK=1 -- "${args[@]}"
check wrong_aggregates 1 IOPGT_BENCH_WRONG_CHECK=1 -- "${args[@]}" \
	--benchmark_repetitions=2 --benchmark_report_aggregates_only=true
check wrong_json 1 IOPGT_BENCH_WRONG_CHECK=1 -- "${args[@]}" \
	--benchmark_format=json

echo "$passes passed, $fails failed"
((fails == 0))
