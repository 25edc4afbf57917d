// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* IOPGT_CTEST_LABELS: stress tsan */
/*
 * Probing devices (tests/conformance/probe.c): no write lost when the
 * device holds stale cached translations across harvest, split, merge and
 * unmap_read_dirty, on every format x config, with a device thread doing
 * DMA meanwhile. The short run is part of the plain suite and of the TSan
 * one (sized by IOPGT_TEST_SCALE).
 *
 * The long run sets IOPGT_PROBE_WRITES, the device writes the random body
 * makes per config, and prints per-config counts; CMake registers it as
 * the ctest test probe_threads_long (label long), disabled unless
 * configured with -DIOPGT_LONG_TESTS=ON:
 *	cmake --preset release -DIOPGT_LONG_TESTS=ON
 *	cmake --build --preset release
 *	ctest --preset release -L long --output-on-failure -V
 * or by hand, e.g. with another seed:
 *	IOPGT_PROBE_WRITES=10000000 IOPGT_PROBE_SEED=7 \
 *	CK_RUN_CASE=random_probed_edits_lose_no_write_under_dma \
 *	build/release/check_probe_threads
 */
#include <stdlib.h>

#include "conformance/cases.h"
#include "harness/runner.h"

static const struct it_case_list lists[] = {
	{ it_cases_probe, &it_ncases_probe },
};

int main(void)
{
	/* the long run takes minutes per config, not seconds */
	return it_run_check("probe", lists, 1,
			    getenv("IOPGT_PROBE_WRITES") ? 36000 : 900);
}
