// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Every format x configuration the conformance suite runs on. A format
 * brings its lines in configs/<fmt>.inc; the bodies run on it unchanged.
 */
#include "it.h"

#define SZ_4K	(1ull << 12)
#define SZ_2M	(1ull << 21)
#define SZ_1G	(1ull << 30)

const struct it_config it_configs[] = {
#ifdef IOPGT_HAVE_FMT_AMDV1
#include "configs/amdv1.inc"
#endif
#ifdef IOPGT_HAVE_FMT_VTD_SL
#include "configs/vtd_sl.inc"
#endif
#ifdef IOPGT_HAVE_FMT_VTD_FL
#include "configs/vtd_fl.inc"
#endif
#ifdef IOPGT_HAVE_FMT_ARM
#include "configs/arm.inc"
#endif
};

const unsigned int it_nconfigs = sizeof(it_configs) / sizeof(it_configs[0]);
