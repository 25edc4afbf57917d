// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Every format x configuration the conformance suite runs on. Adding a
 * format adds its lines here; the bodies run on it unchanged.
 */
#include "it.h"

#define SZ_4K	(1ull << 12)
#define SZ_2M	(1ull << 21)
#define SZ_1G	(1ull << 30)

const struct it_config it_configs[] = {
	{ "amdv1/mode3", { .format = IOPGT_FMT_AMDV1, .levels = 3 } },
	{ "amdv1/mode4", { .format = IOPGT_FMT_AMDV1, .levels = 4 } },
	{ "amdv1/mode6", { .format = IOPGT_FMT_AMDV1, .levels = 6 } },
	{ "amdv1/mode2-ias28", {
		.format = IOPGT_FMT_AMDV1, .levels = 2, .ias = 28 } },
	{ "amdv1/mode4-4k2m1g", {
		.format = IOPGT_FMT_AMDV1, .levels = 4,
		.pgsize_bitmap = SZ_4K | SZ_2M | SZ_1G } },
};

const unsigned int it_nconfigs = sizeof(it_configs) / sizeof(it_configs[0]);
