// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* IOPGT_CTEST_LABELS: stress tsan */
/*
 * Probing devices (tests/conformance/probe.c): no write lost when the
 * device holds stale cached translations across harvest, split, merge and
 * unmap_read_dirty, on every format x config, with a device thread doing
 * DMA meanwhile. The short run is part of the plain suite and of the TSan
 * one (sized by IOPGT_TEST_SCALE).
 *
 * The random body takes IOPGT_PROBE_WRITES, the device writes it makes
 * per config, and prints per-config counts. By hand, e.g. with another
 * seed:
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
