#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# check-build.sh: build the fuzzers as OSS-Fuzz would (build.sh with clang,
# ASan and libFuzzer) into a fresh $OUT, check that $OUT holds what
# OSS-Fuzz expects of each target, and run each fuzzer there the way
# OSS-Fuzz runs it: seed corpus unpacked, dictionary and options applied.
# The run is a fixed number of inputs from a fixed seed, so a test run
# always tries the same inputs: a failure here reproduces, and finding
# new bugs is the work of long fuzzing runs, not of the test suite. The
# ctest test oss_fuzz_build.
#
#   check-build.sh [RUNS [SEED]]	(default 2000 inputs per fuzzer, seed 1)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
runs=${1:-2000}
seed=${2:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

export CC=${IOPGT_OSS_FUZZ_CC:-clang}
export CFLAGS="-O1 -g -fsanitize=address,fuzzer-no-link"
export LIB_FUZZING_ENGINE=-fsanitize=fuzzer
export OUT=$tmp/out WORK=$tmp/work
mkdir -p "$OUT" "$WORK"
# The outer test environment's sanitizer settings are for the programs
# ctest runs, not for the compilers and build tools run here.
unset ASAN_OPTIONS UBSAN_OPTIONS

bash "$here/build.sh" >"$tmp/build.log" 2>&1 || {
	cat "$tmp/build.log"
	echo "check-build: build.sh failed" >&2
	exit 1
}

status=0
fail() {
	echo "check-build: $*" >&2
	status=1
}

targets=$(sed -n 's|^build.sh: .*/||p' "$tmp/build.log")
[[ -n $targets ]] || fail "build.sh named no fuzzer"
for t in $targets; do
	for f in "$t" "${t}_seed_corpus.zip" "$t.dict" "$t.options"; do
		[[ -s $OUT/$f ]] || fail "$t: \$OUT/$f missing or empty"
	done
	[[ -x $OUT/$t ]] || fail "$t: not executable"
	((status == 0)) || continue

	# OSS-Fuzz passes the [libfuzzer] section of <target>.options as
	# -key=value flags, and <target>.dict as -dict.
	flags=()
	section=
	sp='[[:space:]]*'
	key_value="^$sp([a-z_]+)$sp=$sp([^[:space:]]+)"
	while IFS= read -r line; do
		line=${line%%#*}
		[[ $line =~ ^\[(.*)\] ]] && section=${BASH_REMATCH[1]} &&
			continue
		if [[ $section == libfuzzer && $line =~ $key_value ]]; then
			flags+=("-${BASH_REMATCH[1]}=${BASH_REMATCH[2]}")
		fi
	done <"$OUT/$t.options"
	((${#flags[@]})) || fail "$t: no [libfuzzer] flags in $t.options"

	corpus=$tmp/corpus-$t
	mkdir -p "$corpus"
	unzip -q "$OUT/${t}_seed_corpus.zip" -d "$corpus"
	nseeds=$(find "$corpus" -type f | wc -l)
	((nseeds > 0)) || fail "$t: empty seed corpus"

	echo "check-build: $t: $nseeds seeds, ${flags[*]}, $runs runs," \
		"seed $seed"
	if ! "$OUT/$t" "${flags[@]}" -dict="$OUT/$t.dict" \
		-runs="$runs" -seed="$seed" -print_final_stats=1 \
		"$corpus" >"$tmp/$t.log" 2>&1; then
		tail -n 60 "$tmp/$t.log"
		fail "$t: the fuzzer failed"
		continue
	fi
	# A dictionary libFuzzer could not parse is an error it stops on; one
	# it read says how many entries it took.
	grep -q "Dictionary: [1-9][0-9]* entries" "$tmp/$t.log" ||
		fail "$t: libFuzzer did not load $t.dict"
	grep -E "stat::number_of_executed_units|INITED|DONE" "$tmp/$t.log" |
		sed "s/^/  $t: /"
done
if ((status == 0)); then
	echo "check-build: OK: $(echo $targets) built and ran"
fi
exit "$status"
