# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# The public header in users' programs: tests/header/user_names.c defines
# u64, likely, READ_ONCE... of its own, includes <iopgt/iopgt.h> and links
# the library. Built as gnu11, as c11 with -pedantic, and (when a C++
# compiler is there) as C++11 and C++17, every warning an error; each
# runs as a ctest test. A header that leaks a name fails the build.

set(iopgt_header_use_flags -Wall -Wextra -Werror)

function(iopgt_header_use name source)
	add_executable(${name} "${source}")
	target_link_libraries(${name} PRIVATE iopgt)
	target_compile_options(${name} PRIVATE ${iopgt_header_use_flags}
		${ARGN})
	iopgt_add_test(NAME ${name} COMMAND ${name} LABELS unit TIMEOUT 30)
endfunction()

set(iopgt_user_c "${PROJECT_SOURCE_DIR}/tests/header/user_names.c")
iopgt_header_use(header_use_gnu11 "${iopgt_user_c}")
set_target_properties(header_use_gnu11 PROPERTIES C_STANDARD 11
	C_EXTENSIONS ON)
iopgt_header_use(header_use_c11 "${iopgt_user_c}" -pedantic)
set_target_properties(header_use_c11 PROPERTIES C_STANDARD 11
	C_EXTENSIONS OFF)

check_language(CXX)
if(CMAKE_CXX_COMPILER)
	enable_language(CXX)
	set(iopgt_user_cc "${PROJECT_SOURCE_DIR}/tests/header/user_names.cc")
	foreach(std 11 17)
		iopgt_header_use(header_use_cxx${std} "${iopgt_user_cc}"
			-pedantic)
		target_include_directories(header_use_cxx${std} PRIVATE
			"${PROJECT_SOURCE_DIR}/tests/header")
		set_target_properties(header_use_cxx${std} PROPERTIES
			CXX_STANDARD ${std} CXX_EXTENSIONS OFF)
	endforeach()
else()
	message(STATUS "no C++ compiler: the header's C++ use is not built")
endif()

# The other compiler family sees what this one lets pass (clang flags a
# type declared inside an anonymous union in C++, g++ does not): when the
# build compiler is not clang and clang is installed, the same sources are
# checked with it too (syntax only).
if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
	find_program(IOPGT_CLANG clang)
	find_program(IOPGT_CLANGXX clang++)
endif()
set(iopgt_header_other_flags -fsyntax-only -Wall -Wextra -Werror -pedantic
	-I${PROJECT_SOURCE_DIR}/include -I${PROJECT_SOURCE_DIR}/tests/header)
if(IOPGT_CLANG)
	iopgt_add_test(NAME header_use_clang_c11 COMMAND ${IOPGT_CLANG}
		-std=c11 ${iopgt_header_other_flags} "${iopgt_user_c}"
		LABELS unit TIMEOUT 60)
endif()
if(IOPGT_CLANGXX)
	foreach(std 11 17)
		iopgt_add_test(NAME header_use_clang_cxx${std}
			COMMAND ${IOPGT_CLANGXX} -std=c++${std}
			${iopgt_header_other_flags}
			"${PROJECT_SOURCE_DIR}/tests/header/user_names.cc"
			LABELS unit TIMEOUT 60)
	endforeach()
endif()
