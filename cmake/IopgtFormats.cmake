# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# The format list, read from where it is kept: IOPGT_FORMAT_LIST in
# include/iopgt/formats.h, one X(ENUM, name, FOLDER) per line.

set(IOPGT_FORMAT_LIST_H "${PROJECT_SOURCE_DIR}/include/iopgt/formats.h")
# A new line there reconfigures, as a new folder would.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
	"${IOPGT_FORMAT_LIST_H}")

# iopgt_format_folders(<var>): the folders (formats/<folder>/, lower case)
# of the list, each once, in list order.
function(iopgt_format_folders var)
	# Read whole: file(STRINGS) would keep each line's continuation
	# backslash, which escapes the list separator after it.
	file(READ "${IOPGT_FORMAT_LIST_H}" text)
	set(sp "[ \t]*")
	set(x_re "\n${sp}X\\(${sp}[A-Z0-9_]+${sp},${sp}[a-z0-9_]+${sp},")
	string(APPEND x_re "${sp}([A-Z0-9_]+)${sp}\\)")
	string(REGEX MATCHALL "${x_re}" lines "${text}")
	set(folders)
	foreach(line IN LISTS lines)
		string(REGEX MATCH "${x_re}" _ "${line}")
		string(TOLOWER "${CMAKE_MATCH_1}" folder)
		list(APPEND folders "${folder}")
	endforeach()
	list(REMOVE_DUPLICATES folders)
	if(NOT folders)
		message(FATAL_ERROR "no X(ENUM, name, FOLDER) lines in "
			"${IOPGT_FORMAT_LIST_H}")
	endif()
	set(${var} ${folders} PARENT_SCOPE)
endfunction()
