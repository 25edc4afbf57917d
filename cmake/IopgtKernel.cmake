# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# The conformance suite in a booted kernel: scripts/kernel-test builds
# tests/kernel/suite as a module against the installed kernel headers,
# boots the matching kernel under QEMU (TCG) and reads the module's KTAP.
# ctest test kernel_suite, label kernel; registered in unsanitized builds
# only (the module does not depend on the build type, and the sanitizer
# presets would only run it again). It takes both CPUs of a -j2 run
# (PROCESSORS 2): the guest has two, and the time limit is what it is
# measured against. It costs about 42 s of CPU time (user+sys: the
# module's W=1 build, about 15, and the guest); 59 s of wall time on the
# 2-core development machine shared with other builds (load 7). The
# timeout leaves room for a busier machine. -DIOPGT_KERNEL_SUITE=OFF leaves it out.

option(IOPGT_KERNEL_SUITE
	"Register kernel_suite (needs kernel headers, image, QEMU)" ON)

if(IOPGT_KERNEL_SUITE AND NOT IOPGT_SANITIZE)
	iopgt_add_test(NAME kernel_suite
		COMMAND bash "${PROJECT_SOURCE_DIR}/scripts/kernel-test"
		LABELS kernel TIMEOUT 420)
	set_tests_properties(kernel_suite PROPERTIES PROCESSORS 2)
endif()
