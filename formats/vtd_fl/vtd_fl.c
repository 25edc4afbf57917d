// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Intel VT-d first-level (x86-64 paging, AMD v2): the core, with vtd_fl.h. */
#include "vtd_fl.h"

#define IOPGT_FMT_OPS_NAME	iopgt_fmt_vtd_fl
#define IOPGT_FMT_ID		IOPGT_FMT_VTD_FL
#include "../../pgtable/iopgt_template.h"
