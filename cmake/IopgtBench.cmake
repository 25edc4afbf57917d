# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Tests of the benchmark tooling, included after the bench targets exist:
#   migrate_cli  bench/test-migrate.sh: migrate's options, exit codes and
#                JSON schema (bench/MIGRATE.md)
#   bench_exit_status  bench/test-exit.sh: a wrong result makes bm_harvest
#                exit 1, also with only aggregates reported
#   bench_plot   bench/test-plot.sh: short runs of the bm_* programs, then
#                scripts/plot must make every chart and table; only when
#                matplotlib is there (scripts/deps installs it)

find_program(IOPGT_BASH bash)
find_program(IOPGT_PYTHON3 python3)

if(TARGET migrate AND IOPGT_BASH AND IOPGT_PYTHON3)
	iopgt_add_test(NAME migrate_cli COMMAND "${IOPGT_BASH}"
		"${src}/bench/test-migrate.sh" $<TARGET_FILE:migrate>
		LABELS bench TIMEOUT 300)
endif()

if(TARGET bm_harvest AND IOPGT_BASH)
	iopgt_add_test(NAME bench_exit_status COMMAND "${IOPGT_BASH}"
		"${src}/bench/test-exit.sh" $<TARGET_FILE:bm_harvest>
		LABELS bench TIMEOUT 300)
endif()

if(TARGET bm_harvest AND TARGET bm_map AND TARGET bm_split AND IOPGT_BASH
   AND IOPGT_PYTHON3)
	execute_process(COMMAND "${src}/scripts/plot" --check
		RESULT_VARIABLE plot_check OUTPUT_QUIET ERROR_QUIET)
	if(plot_check EQUAL 0)
		iopgt_add_test(NAME bench_plot COMMAND "${IOPGT_BASH}"
			"${src}/bench/test-plot.sh" "${CMAKE_BINARY_DIR}"
			"${src}" LABELS bench TIMEOUT 300)
	else()
		message(STATUS "matplotlib not found: no bench_plot test "
			"(scripts/deps installs python3-matplotlib)")
	endif()
endif()
