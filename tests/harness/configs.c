// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Every format x configuration the conformance suite runs on. A format
 * brings its lines in configs/<folder>.inc; the build includes that file
 * for each format folder it builds (it_configs.inc, generated from the
 * list in <iopgt/formats.h>), and the bodies run on it unchanged.
 */
#include "it.h"

#define SZ_4K	(1ull << 12)
#define SZ_2M	(1ull << 21)
#define SZ_1G	(1ull << 30)

const struct it_config it_configs[] = {
#include "it_configs.inc"
};

const unsigned int it_nconfigs = sizeof(it_configs) / sizeof(it_configs[0]);
