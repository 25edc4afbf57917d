#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# test-plot.sh BUILD-DIR SOURCE-DIR: a short run of each benchmark program
# on one format, as scripts/bench runs them (repetitions, aggregates only,
# JSON out), then scripts/plot on the JSON: every chart must come out as a
# PNG, and the tables must have their rows. Run by ctest as bench_plot.
set -euo pipefail

build=$1 src=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

run() { # run PROGRAM FILTER
	"$build/$1" --benchmark_filter="$2" --benchmark_min_time=0 \
		--benchmark_repetitions=2 \
		--benchmark_report_aggregates_only=true \
		--benchmark_out_format=json --benchmark_out="$dir/$1.json" \
		>/dev/null
}
run bm_harvest 'vtd_sl/(12|21)/1/'
run bm_map 'vtd_sl/.*/1/'
run bm_split 'vtd_sl/'

"$src/scripts/plot" --tables -o "$dir/png" "$dir"/*.json >"$dir/tables.md"

status=0
for png in harvest_4K harvest_2M map_unmap split_merge; do
	f=$dir/png/$png.png
	if [[ ! -s $f ]] || [[ $(head -c 8 "$f" | od -An -tx1 | tr -d ' \n') != \
		89504e470d0a1a0a ]]; then
		echo "FAIL: $png.png missing or not a PNG"
		status=1
	fi
done
for row in '| vtd_sl | ' '| map, 1 GiB' '| unmap, 1 GiB' \
	'split 2M to 4K' 'cut vs memset'; do
	if ! grep -qF -- "$row" "$dir/tables.md"; then
		echo "FAIL: no '$row' in the tables:"
		cat "$dir/tables.md"
		status=1
	fi
done
((status)) || echo "bench_plot: 4 charts and the tables made"
exit "$status"
