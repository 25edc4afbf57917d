# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Compiler flags shared by every iopgt target: warnings, sanitizers, and the
# kernel-parity warnings that only the portable core gets.

# Warnings for every target of the project (core, tests, benches, tools).
function(iopgt_warnings target)
	target_compile_options(${target} PRIVATE -Wall -Wextra
		$<$<BOOL:${IOPGT_WERROR}>:-Werror>)
endfunction()

# The portable core also gets the warnings the kernel's own build (and W=1)
# turns on, so that what the `kbuild` test would reject shows up in the
# everyday build first. -Wframe-larger-than is the core's own stack budget
# (512 bytes a frame, as in the `kbuild` test, tighter than any Debian
# kernel's CONFIG_FRAME_WARN); sanitizers and unoptimized (Debug) builds
# inflate frames, so it is left out there.
function(iopgt_core_warnings target)
	iopgt_warnings(${target})
	target_compile_options(${target} PRIVATE
		-Wmissing-prototypes -Wmissing-declarations -Wstrict-prototypes
		-Wold-style-definition -Wundef -Wvla -Wimplicit-fallthrough
		-Wmissing-include-dirs -Wunused -Wno-unused-parameter)
	if(NOT IOPGT_SANITIZE)
		target_compile_options(${target} PRIVATE
			$<$<NOT:$<CONFIG:Debug>>:-Wframe-larger-than=512>)
	endif()
endfunction()

# IOPGT_SANITIZE: "" | "address" | "undefined" | "address,undefined" |
# "thread". Applied to every target through the global flags so that the
# core, the test oracles and the test programs agree; the symbol-check
# objects opt out with -fno-sanitize=all.
set(_iopgt_sanitize_ok "" address undefined "address,undefined"
	"undefined,address" thread)
if(NOT IOPGT_SANITIZE IN_LIST _iopgt_sanitize_ok)
	message(FATAL_ERROR "IOPGT_SANITIZE='${IOPGT_SANITIZE}': use one of "
		"\"\", \"address,undefined\", \"thread\"")
endif()
if(IOPGT_SANITIZE)
	set(IOPGT_SANITIZE_FLAGS -fsanitize=${IOPGT_SANITIZE}
		-fno-omit-frame-pointer)
	if(IOPGT_SANITIZE MATCHES "undefined")
		list(APPEND IOPGT_SANITIZE_FLAGS -fno-sanitize-recover=all)
	endif()
	add_compile_options(${IOPGT_SANITIZE_FLAGS})
	add_link_options(${IOPGT_SANITIZE_FLAGS})
endif()

# IOPGT_FUZZ: fuzzer coverage on every object (the core is what the
# fuzzers should steer by); the fuzz binaries alone link the engine's
# main(). Both are settings so that other engines fit: OSS-Fuzz's build
# (tests/fuzz/oss-fuzz/build.sh) puts the instrumentation in CFLAGS and
# passes its $LIB_FUZZING_ENGINE; AFL++'s afl-clang-fast instruments by
# itself and turns -fsanitize=fuzzer into its own driver.
set(IOPGT_FUZZ_INSTRUMENT "-fsanitize=fuzzer-no-link" CACHE STRING
	"Fuzz coverage flags for every object (empty: CFLAGS carry them)")
set(IOPGT_FUZZ_ENGINE "-fsanitize=fuzzer" CACHE STRING
	"Link flags that give the fuzz targets their main()")
if(IOPGT_FUZZ)
	if(NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
		message(FATAL_ERROR "IOPGT_FUZZ=ON needs clang (libFuzzer): "
			"use the `fuzz` preset or -DCMAKE_C_COMPILER=clang")
	endif()
	separate_arguments(_iopgt_fuzz_instr UNIX_COMMAND
		"${IOPGT_FUZZ_INSTRUMENT}")
	add_compile_options(${_iopgt_fuzz_instr})
	add_link_options(${_iopgt_fuzz_instr})
endif()

# Flags that undo the above for objects that must look like a kernel build:
# no sanitizer or coverage calls, no stack protector (Debian's gcc does not
# enable it by default, other distributions' do), no _chk fortify variants.
# The coverage preset's -fprofile-arcs -ftest-coverage would make every
# object call __gcov_*: -fno-profile-arcs -fno-test-coverage take them back
# out. (gcc's driver puts what --coverage stands for after every other
# option, where nothing can undo it: the preset spells the two out.)
set(IOPGT_FREESTANDING_FLAGS -O2 -fno-sanitize=all -fno-stack-protector
	-U_FORTIFY_SOURCE -fno-profile-arcs -fno-test-coverage)
# clang's source-based coverage (the coverage-llvm preset) likewise.
if(CMAKE_C_COMPILER_ID MATCHES "Clang")
	list(APPEND IOPGT_FREESTANDING_FLAGS -fno-profile-instr-generate
		-fno-coverage-mapping)
endif()
