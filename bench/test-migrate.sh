#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# test-migrate.sh MIGRATE: the command-line contract of bench/migrate.c
# (bench/MIGRATE.md): bad options exit 2 naming the range or the page size,
# a run out of table memory exits 3 and reads OUT-OF-RESOURCES, not a
# failure, and the JSON carries its schema, a per-round array and a result
# for every format. Run by ctest as migrate_cli.
set -uo pipefail

migrate=$1
fails=0 passes=0
# every format of the list has a result, skipped or not
IOPGT_NFORMATS=$(grep -cE '^[[:space:]]*X\(' \
	"$(dirname "${BASH_SOURCE[0]}")/../include/iopgt/formats.h")
export IOPGT_NFORMATS
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

# expect NAME STATUS STDERR-REGEX -- ARGS...: exit status and a message
expect() {
	local name=$1 want=$2 re=$3 got
	shift 4
	"$migrate" "$@" >"$out" 2>"$err"
	got=$?
	if ((got != want)); then
		echo "FAIL $name: exit $got, want $want ($*)"
		sed 's/^/  | /' "$err" | tail -5
		fails=$((fails + 1))
	elif [[ -n $re ]] && ! grep -Eq -- "$re" "$err"; then
		echo "FAIL $name: stderr lacks /$re/:"
		sed 's/^/  | /' "$err" | tail -5
		fails=$((fails + 1))
	else
		passes=$((passes + 1))
	fi
}

expect dma_rate_huge 2 'dma-rate 1e20: want 0 .* to 1000000 writes per ms' \
	-- --dma-rate 1e20
expect dma_rate_negative 2 'dma-rate -1: want' -- --dma-rate -1
expect dma_rate_nan 2 'dma-rate nan: want' -- --dma-rate nan
expect link_tiny 2 'link 1e-9: want 0 \(no wait\), or 0.001' -- --link 1e-9
expect size_limit 2 'size 100000: want .* at most 65536 \(64 TiB\)' \
	-- --size 100000
expect size_zero 2 'size 0: want' -- --size 0
small='2 MiB, the smallest page size of --pages 1G,2M'
expect size_not_multiple 2 \
	"size 0.3 \\(307.2 MiB\\) is not a multiple of $small" -- --size 0.3
expect size_not_multiple_4k 2 'not a multiple of 4 KiB' \
	-- --size 0.0000001 --pages 4K
expect arena_zero 2 'arena 0: want 1 to' -- --arena 0

# One MiB of table memory cannot hold a 1 GiB guest split to 4K.
expect out_of_tables 3 'amdv1: OUT OF RESOURCES' \
	-- --size 1 --formats amdv1 --arena 1 --quiet
if ! grep -q 'OUT-OF-RESOURCES' "$out" || grep -q 'FAILED' "$out"; then
	echo "FAIL out_of_tables: the table does not say OUT-OF-RESOURCES"
	sed 's/^/  | /' "$out"
	fails=$((fails + 1))
fi

# The JSON of a resource failure, then of a real run.
check_json() { # check_json NAME PYTHON-ASSERTIONS
	if python3 - "$out" "$2" <<'PY'; then
import json, os, sys
doc = json.load(open(sys.argv[1]))
fmts = {f["format"]: f for f in doc["formats"]}
exec(sys.argv[2])
PY
		passes=$((passes + 1))
	else
		echo "FAIL $1"
		fails=$((fails + 1))
	fi
}

expect json_out_of_tables 3 '' -- --size 1 --formats amdv1 --arena 1 \
	--quiet --json
check_json json_out_of_tables '
a = fmts["amdv1"]
assert doc["schema_version"] == 2 and doc["exit_status"] == 3
assert a["result"] == "OUT-OF-RESOURCES", a
assert a["split"] != "ok" and a["verified"] is False, a
assert a["error"], a
'

expect json_run 0 '' -- --size 1 --formats vtd_sl,arm_s2 --quiet --json
check_json json_run '
assert doc["schema_version"] == 2 and doc["exit_status"] == 0
assert doc["guest_size"] == "1 GiB" and doc["guest_bytes"] == 1 << 30
assert doc["converge_pages"] == 256
assert doc["converge_rule"] == "guest pages / 1024"
assert len(doc["formats"]) == int(os.environ["IOPGT_NFORMATS"]), list(fmts)
for f in doc["formats"]:
    assert f["result"] in ("VERIFIED", "skipped"), f
    if f["result"] == "skipped":
        assert f["reason"], f
for name in ("vtd_sl", "arm_s2"):
    f = fmts[name]
    assert f["result"] == "VERIFIED" and f["split"] == "ok", f
    rounds = f["per_round"]
    assert len(rounds) == f["rounds"] >= 1, f
    assert [r["round"] for r in rounds] == list(range(1, len(rounds) + 1))
    assert sum(r["pages"] for r in rounds) == f["pages_sent"], f
    assert f["converged"] == (rounds[-1]["pages"] <= 256), f
assert fmts["amdv1"]["reason"] == "not selected (--formats)"
'

expect converge_given 0 '' -- --size 1 --formats amdv1 --quiet --json \
	--converge 100
check_json converge_given '
assert doc["converge_pages"] == 100 and doc["converge_rule"] == "--converge"
'

# Progress lines name sizes as sizes, never as 1.02e+03 GiB.
expect sizes 0 'amdv1: mapped 512 MiB: 256 x 2M' -- --size 0.5 \
	--formats amdv1 --pages 2M
if grep -q 'e+' "$err"; then
	echo "FAIL sizes: a size in exponent notation"
	fails=$((fails + 1))
fi

# The usage names every range in plain numbers.
expect help 0 '' -- --help
if grep -q 'e+' "$out" || ! grep -q '0 to 1000000; 0: as fast' "$out"; then
	echo "FAIL help: a range in exponent notation, or missing"
	fails=$((fails + 1))
fi

echo "$passes passed, $fails failed"
((fails == 0))
