# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# The version is written once, in include/iopgt/iopgt.h
# (IOPGT_VERSION_MAJOR/MINOR/PATCH); project() takes it from there, and so
# do the shared library's file names, the CMake package and iopgt.pc.
# Included before project(), so only plain CMake here.

set(_iopgt_header "${CMAKE_CURRENT_LIST_DIR}/../include/iopgt/iopgt.h")
file(STRINGS "${_iopgt_header}" _iopgt_version_lines
	REGEX "^#define[ \t]+IOPGT_VERSION_(MAJOR|MINOR|PATCH)[ \t]")
set(IOPGT_HEADER_VERSION "")
foreach(_part MAJOR MINOR PATCH)
	set(_value "")
	foreach(_line IN LISTS _iopgt_version_lines)
		if(_line MATCHES
		   "^#define[ \t]+IOPGT_VERSION_${_part}[ \t]+([0-9]+)[ \t]*$")
			set(_value "${CMAKE_MATCH_1}")
		endif()
	endforeach()
	if(_value STREQUAL "")
		message(FATAL_ERROR "include/iopgt/iopgt.h: no plain number "
			"in #define IOPGT_VERSION_${_part}")
	endif()
	list(APPEND IOPGT_HEADER_VERSION "${_value}")
endforeach()
list(JOIN IOPGT_HEADER_VERSION "." IOPGT_HEADER_VERSION)
unset(_iopgt_header)
unset(_iopgt_version_lines)
unset(_part)
unset(_value)
unset(_line)
