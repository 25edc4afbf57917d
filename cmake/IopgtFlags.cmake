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

# IOPGT_FUZZ: libFuzzer coverage on every object (the core is what the
# fuzzers should steer by); the libFuzzer binaries alone link its main().
if(IOPGT_FUZZ)
	if(NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
		message(FATAL_ERROR "IOPGT_FUZZ=ON needs clang (libFuzzer): "
			"use the `fuzz` preset or -DCMAKE_C_COMPILER=clang")
	endif()
	add_compile_options(-fsanitize=fuzzer-no-link)
	add_link_options(-fsanitize=fuzzer-no-link)
endif()

# Flags that undo the above for objects that must look like a kernel build:
# no sanitizer or coverage calls, no stack protector (Debian's gcc does not
# enable it by default, other distributions' do), no _chk fortify variants.
set(IOPGT_FREESTANDING_FLAGS -O2 -fno-sanitize=all -fno-stack-protector
	-U_FORTIFY_SOURCE)
