# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# The API reference: scripts/docs turns the kernel-doc comments of
# include/iopgt/iopgt.h and pgtable/format.h into HTML, and fails on any
# warning (kernel-doc -v, an undocumented public function or struct,
# docutils). `cmake --build --preset release --target docs` writes it to
# <build>/docs/index.html; the test `api_docs` builds it there too.
# Built once, from the plain build: instrumented trees leave it out.

if(IOPGT_SANITIZE OR IOPGT_FUZZ)
	return()
endif()

# Without python3 the library still builds; api_docs then fails to start
# (a failed test, not a skipped one).
find_program(IOPGT_PYTHON3 NAMES python3)
if(NOT IOPGT_PYTHON3)
	message(STATUS "no python3: scripts/docs cannot run")
	set(IOPGT_PYTHON3 python3)
endif()
set(iopgt_docs_cmd "${IOPGT_PYTHON3}" "${src}/scripts/docs"
	"${PROJECT_BINARY_DIR}/docs")
add_custom_target(docs COMMAND ${iopgt_docs_cmd} VERBATIM)
iopgt_add_test(NAME api_docs COMMAND ${iopgt_docs_cmd} LABELS docs
	TIMEOUT 60)
