// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Intel VT-d second-level: the core, instantiated with vtd_sl.h. */
#include "vtd_sl.h"

#define IOPGT_FMT_OPS_NAME	iopgt_fmt_vtd_sl
#define IOPGT_FMT_ID		IOPGT_FMT_VTD_SL
#include "../../pgtable/iopgt_template.h"
