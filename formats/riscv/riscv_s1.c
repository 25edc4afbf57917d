// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* RISC-V IOMMU first stage (Sv39/48/57): the core, with riscv.h. */
#define IOPGT_RISCV_STAGE	1
#include "riscv.h"

#define IOPGT_FMT_OPS_NAME	iopgt_fmt_riscv
#define IOPGT_FMT_ID		IOPGT_FMT_RISCV
#include "../../pgtable/iopgt_template.h"
