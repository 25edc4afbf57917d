# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Kernel-side checks besides `kbuild` and the symbol checks.
#
# core_kernel_doc: the kernel's kernel-doc -v over pgtable/, formats/ and
# env.h/prefix.h warns about nothing (scripts/kernel-doc-check).
#
# Opt-in checks on other architectures (-DIOPGT_CROSS_TESTS=ON, after
# `bash scripts/deps --cross`). Off by default: on the 2-core CI machine
# they add about 9 minutes (the four kernel builds) plus the one-time
# download of Debian's foreign kernel headers, and the qemu-user run of
# the conformance suite takes longer still.
#   kbuild_cross   scripts/kbuild-check --sparse against Debian's arm64,
#                  armmp (32-bit ARM), s390x (big-endian) and 686-pae
#                  (32-bit x86) headers
#   cross_s390x    the conformance bodies, model and software IOMMU built
#                  for s390x and run under qemu-s390x (scripts/cross-test)
#   qemu_iommu_smmu  the QEMU IOMMU cases under Arm's SMMUv3, in an arm64
#                  guest (cmake/IopgtQemuIommu.cmake)

option(IOPGT_CROSS_TESTS
	"register the cross-architecture kernel builds and the s390x run" OFF)

if(IOPGT_CROSS_TESTS)
	iopgt_add_test(NAME kbuild_cross COMMAND bash -c
		"for a in arm64 armmp s390x 686-pae; do \
			bash \"$0\" --sparse --arch $a || exit 1; done"
		"${src}/scripts/kbuild-check"
		LABELS kernel cross TIMEOUT 2400)
	iopgt_add_test(NAME cross_s390x
		COMMAND bash "${src}/scripts/cross-test" --arch s390x
		LABELS cross TIMEOUT 3600)
endif()

# The Check-free runner that cross-test uses, built natively too so that
# it keeps compiling (no ctest test: the conformance suite runs the same
# bodies through Check).
if(TARGET iopgt_testharness)
	add_executable(plain_conformance
		"${src}/tests/plain/plain_conformance.c")
	target_link_libraries(plain_conformance PRIVATE iopgt_checkdeps)
	target_include_directories(plain_conformance PRIVATE "${src}/tests")
	iopgt_warnings(plain_conformance)
endif()

iopgt_add_test(NAME core_kernel_doc
	COMMAND bash "${src}/scripts/kernel-doc-check"
	LABELS kernel TIMEOUT 60)
