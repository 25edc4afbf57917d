# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Registering ctest tests.
#
# Labels: "unit" by default; "conformance" for names containing conformance;
# "stress" and "tsan" for names containing stress, concurren, race or thread.
# A source file can state its own with a line anywhere in it such as
#	/* IOPGT_CTEST_LABELS: stress tsan */
# and its own timeout in seconds (before the sanitizer factor) with
#	/* IOPGT_CTEST_TIMEOUT: 900 */
#
# Environment of every test: IOPGT_TEST_SCALE and the rest of ctest's own
# environment pass through unchanged; Check runs in fork mode with its
# per-test timeouts stretched under sanitizers (but for the conformance
# suite under AddressSanitizer: see CMakeLists.txt); sanitizers abort on
# the first report.

set(IOPGT_TEST_TIMEOUT_FACTOR 1)
set(IOPGT_CK_TIMEOUT_MULTIPLIER 1)
if(IOPGT_SANITIZE STREQUAL "thread")
	set(IOPGT_TEST_TIMEOUT_FACTOR 4)
	set(IOPGT_CK_TIMEOUT_MULTIPLIER 10)
elseif(IOPGT_SANITIZE)
	set(IOPGT_TEST_TIMEOUT_FACTOR 3)
	set(IOPGT_CK_TIMEOUT_MULTIPLIER 5)
endif()

set(IOPGT_TEST_ENV
	"CK_FORK=set:yes"
	"CK_TIMEOUT_MULTIPLIER=set:${IOPGT_CK_TIMEOUT_MULTIPLIER}"
	"ASAN_OPTIONS=set:detect_leaks=1:strict_string_checks=1"
	"UBSAN_OPTIONS=set:print_stacktrace=1:halt_on_error=1"
	"TSAN_OPTIONS=set:halt_on_error=1:second_deadlock_stack=1")

# Default labels and timeout (seconds, before the sanitizer factor) for a
# test called <name>.
function(iopgt_test_defaults out_labels out_timeout name)
	if(name MATCHES "conformance")
		set(${out_labels} conformance PARENT_SCOPE)
		set(${out_timeout} 300 PARENT_SCOPE)
	elseif(name MATCHES "stress|concurren|race|thread")
		set(${out_labels} stress tsan PARENT_SCOPE)
		set(${out_timeout} 600 PARENT_SCOPE)
	else()
		set(${out_labels} unit PARENT_SCOPE)
		set(${out_timeout} 120 PARENT_SCOPE)
	endif()
endfunction()

# iopgt_add_test(NAME <name> COMMAND <cmd...> [SOURCE <file>]
#		 [LABELS <labels...>] [TIMEOUT <s>])
# Precedence: markers in SOURCE, then LABELS/TIMEOUT, then the defaults.
function(iopgt_add_test)
	cmake_parse_arguments(PARSE_ARGV 0 arg "" "NAME;SOURCE;TIMEOUT"
		"COMMAND;LABELS")
	iopgt_test_defaults(labels timeout "${arg_NAME}")
	if(arg_LABELS)
		set(labels ${arg_LABELS})
	endif()
	if(arg_TIMEOUT)
		set(timeout ${arg_TIMEOUT})
	endif()
	if(arg_SOURCE AND EXISTS "${arg_SOURCE}")
		file(STRINGS "${arg_SOURCE}" marks
			REGEX "IOPGT_CTEST_LABELS:")
		if(marks)
			list(GET marks 0 mark)
			string(REGEX REPLACE ".*IOPGT_CTEST_LABELS:[ \t]*" ""
				mark "${mark}")
			string(REGEX REPLACE "\\*/.*" "" mark "${mark}")
			string(REGEX MATCHALL "[A-Za-z0-9_-]+" labels "${mark}")
		endif()
		file(STRINGS "${arg_SOURCE}" marks
			REGEX "IOPGT_CTEST_TIMEOUT:[ \t]*[0-9]+")
		if(marks)
			list(GET marks 0 mark)
			string(REGEX REPLACE
				".*IOPGT_CTEST_TIMEOUT:[ \t]*([0-9]+).*" "\\1"
				timeout "${mark}")
		endif()
	endif()
	math(EXPR timeout "${timeout} * ${IOPGT_TEST_TIMEOUT_FACTOR}")
	add_test(NAME ${arg_NAME} COMMAND ${arg_COMMAND})
	set_tests_properties(${arg_NAME} PROPERTIES
		LABELS "${labels}"
		TIMEOUT ${timeout}
		ENVIRONMENT_MODIFICATION "${IOPGT_TEST_ENV}")
endfunction()
