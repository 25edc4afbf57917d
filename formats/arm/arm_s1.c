// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* ARM LPAE stage 1: the core, instantiated with the stage-1 codecs of arm.h. */
#define IOPGT_ARM_STAGE		1
#include "arm.h"

#define IOPGT_FMT_OPS_NAME	iopgt_fmt_arm_s1
#define IOPGT_FMT_ID		IOPGT_FMT_ARM_S1
#include "../../pgtable/iopgt_template.h"
