/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
#include "support/prot.h"

u32 test_prot_effective(enum iopgt_format format, u32 prot)
{
	if ((format == IOPGT_FMT_VTD_FL || format == IOPGT_FMT_ARM_S1 ||
	     format == IOPGT_FMT_RISCV || format == IOPGT_FMT_RISCV_G) &&
	    (prot & IOPGT_WRITE))
		prot |= IOPGT_READ;
	return prot;
}
