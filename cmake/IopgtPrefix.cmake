# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# The core built with a vendoring driver's symbol prefix (IOPGT_PREFIX,
# include/iopgt/prefix.h), compiled as a kernel would be: every global it
# defines must carry the prefix (ctest core_symbols_prefixed). The kernel
# side of the same promise, two prefixed copies linked into one object, is
# the `kbuild` test.

iopgt_core_target(iopgt_symcheck_prefixed OBJECT)
target_compile_definitions(iopgt_symcheck_prefixed PRIVATE
	IOPGT_PREFIX=iopgtpfx)
target_compile_options(iopgt_symcheck_prefixed PRIVATE
	${IOPGT_FREESTANDING_FLAGS})
set(_iopgt_pfx_list "${PROJECT_BINARY_DIR}/iopgt_symcheck_prefixed.txt")
file(GENERATE OUTPUT "${_iopgt_pfx_list}" CONTENT
	"$<JOIN:$<TARGET_OBJECTS:iopgt_symcheck_prefixed>,\n>\n")
iopgt_add_test(NAME core_symbols_prefixed
	COMMAND bash "${src}/scripts/check-symbols" --nm "${CMAKE_NM}"
	--prefix iopgtpfx --objects-from "${_iopgt_pfx_list}"
	LABELS kernel TIMEOUT 60)
