// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* ARM LPAE stage 2: the core, instantiated with the stage-2 codecs of arm.h. */
#define IOPGT_ARM_STAGE		2
#include "arm.h"

#define IOPGT_FMT_OPS_NAME	iopgt_fmt_arm_s2
#define IOPGT_FMT_ID		IOPGT_FMT_ARM_S2
#include "../../pgtable/iopgt_template.h"
