#!/bin/bash -eu
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# build.sh: the fuzz targets built the way OSS-Fuzz builds a project.
#
#   CC=clang CFLAGS="-fsanitize=address,fuzzer-no-link" \
#   LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/out \
#	tests/fuzz/oss-fuzz/build.sh
#
# Reads the variables OSS-Fuzz's build environment sets:
#   CC, CFLAGS           compiler and every compile flag (sanitizers and
#                        the engine's instrumentation: nothing is added)
#   LIB_FUZZING_ENGINE   what gives a target its main() at link time
#   OUT                  where the results go (required)
#   WORK                 scratch space for the build tree (a temporary
#                        directory when unset, removed afterwards)
#   SRC                  where OSS-Fuzz checked the project out; the
#                        sources are taken from $SRC/iopgt when this
#                        script is not inside a checkout
# and writes into $OUT, for each target tests/fuzz/<target>.c (a file that
# defines LLVMFuzzerTestOneInput): the fuzzer <target>, its seed corpus
# <target>_seed_corpus.zip (tests/fuzz/corpus/<target>/), its dictionary
# <target>.dict and its <target>.options.
#
# The build goes through CMake with IOPGT_TESTS=OFF: the targets need the
# core, the reference model and the software IOMMU, not Check.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
if [[ ! -f $root/include/iopgt/iopgt.h && -n ${SRC:-} ]]; then
	root=$SRC/iopgt
	here=$root/tests/fuzz/oss-fuzz
fi
if [[ ! -f $root/include/iopgt/iopgt.h ]]; then
	echo "build.sh: no iopgt checkout at $root" >&2
	exit 1
fi
if [[ -z ${OUT:-} ]]; then
	echo "build.sh: set OUT to the directory the fuzzers go to" >&2
	exit 1
fi
CC=${CC:-clang}
CFLAGS=${CFLAGS:-}
LIB_FUZZING_ENGINE=${LIB_FUZZING_ENGINE:--fsanitize=fuzzer}

if [[ -n ${WORK:-} ]]; then
	build=$WORK/iopgt-build
else
	build=$(mktemp -d)
	trap 'rm -rf "$build"' EXIT
fi
mkdir -p "$OUT" "$build"

targets=()
for file in "$root"/tests/fuzz/*.c; do
	if grep -q '^[^/]*LLVMFuzzerTestOneInput[[:space:]]*(' "$file"; then
		targets+=("$(basename "$file" .c)")
	fi
done
if ((${#targets[@]} == 0)); then
	echo "build.sh: no fuzz targets in tests/fuzz" >&2
	exit 1
fi

# A build type of its own, so that CMake adds no optimisation or debug
# flags to the ones OSS-Fuzz chose; warnings are not errors with a
# compiler and flags the project does not test with.
cmake -S "$root" -B "$build" \
	-DCMAKE_C_COMPILER="$CC" \
	-DCMAKE_C_FLAGS="$CFLAGS" \
	-DCMAKE_BUILD_TYPE=OssFuzz \
	-DIOPGT_TESTS=OFF \
	-DIOPGT_FUZZ=ON \
	-DIOPGT_FUZZ_INSTRUMENT= \
	-DIOPGT_FUZZ_ENGINE="$LIB_FUZZING_ENGINE" \
	-DIOPGT_BENCH=OFF \
	-DIOPGT_WERROR=OFF
cmake --build "$build" --target "${targets[@]}" -j "$(nproc)"

zip_dir() { # zip_dir ZIP DIR: DIR's files, flat, in ZIP
	local zip=$1 dir=$2 files
	rm -f "$zip"
	files=("$dir"/*)
	[[ -e ${files[0]} ]] || return 0
	if command -v zip >/dev/null; then
		zip -q -j "$zip" "${files[@]}"
	else
		python3 -m zipfile -c "$zip" "${files[@]}"
	fi
}

for t in "${targets[@]}"; do
	cp "$build/$t" "$OUT/$t"
	if [[ -d $root/tests/fuzz/corpus/$t ]]; then
		zip_dir "$OUT/${t}_seed_corpus.zip" "$root/tests/fuzz/corpus/$t"
	fi
	for ext in dict options; do
		if [[ -f $here/$t.$ext ]]; then
			cp "$here/$t.$ext" "$OUT/$t.$ext"
		fi
	done
	echo "build.sh: $OUT/$t"
done
