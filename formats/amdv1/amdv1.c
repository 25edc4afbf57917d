// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* AMD IOMMU v1: the core, instantiated with the codecs of amdv1.h. */
#include "amdv1.h"

#define IOPGT_FMT_OPS_NAME	iopgt_fmt_amdv1
#define IOPGT_FMT_ID		IOPGT_FMT_AMDV1
#include "../../pgtable/iopgt_template.h"
