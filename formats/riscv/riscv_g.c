// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* RISC-V IOMMU G-stage (Sv39x4/48x4/57x4): the core, with riscv.h. */
#define IOPGT_RISCV_STAGE	2
#include "riscv.h"

#define IOPGT_FMT_OPS_NAME	iopgt_fmt_riscv_g
#define IOPGT_FMT_ID		IOPGT_FMT_RISCV_G
#include "../../pgtable/iopgt_template.h"
