# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# qemu_iommu: iopgt's tables walked by QEMU's emulated VT-d and AMD-Vi
# (tests/kernel/iommu/run: builds the test module against Debian's kernel
# headers, boots that kernel twice under qemu-system-x86_64 with edu doing
# DMA through the tables, reads the KTAP). About 26 s of CPU time
# (user+sys) and 37 s of wall time on the shared 2-core development
# machine: the two guests run at once, and most of their time is edu's
# 100 ms DMA timer.
#
# Registered once, in the unsanitized build: the module is built by
# Kbuild, not by this tree's compiler flags, so the sanitizer presets
# would only run the same boots again.
if(NOT IOPGT_SANITIZE)
	iopgt_add_test(NAME qemu_iommu
		COMMAND bash "${PROJECT_SOURCE_DIR}/tests/kernel/iommu/run"
		LABELS kernel TIMEOUT 600)
endif()

# qemu_iommu_smmu: the same cases under Arm's SMMUv3 (qemu-system-aarch64
# -machine virt,iommu=smmuv3), the module cross-built against Debian's
# arm64 headers, booting Debian's arm64 kernel (scripts/kernel-headers
# --guest fetches both). Opt-in with the other cross-architecture checks
# (-DIOPGT_CROSS_TESTS=ON after `bash scripts/deps --cross`): 25-27 s of
# wall time on the idle 2-core development machine (41-48 s beside a CI
# run), plus about 40 s for the first download of the headers, kernel
# and busybox.
if(NOT IOPGT_SANITIZE AND IOPGT_CROSS_TESTS)
	iopgt_add_test(NAME qemu_iommu_smmu
		COMMAND bash "${PROJECT_SOURCE_DIR}/tests/kernel/iommu/run"
			--iommu smmu
		LABELS kernel cross TIMEOUT 900)
endif()
