// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* IOPGT_CTEST_LABELS: stress tsan */
/*
 * The threaded suite: a device thread doing DMA through the software IOMMU
 * while iopgt harvests, unmaps and remaps; two threads editing disjoint
 * ranges without a lock. Runs in the plain suite and under TSan.
 */
#include "conformance/cases.h"
#include "harness/runner.h"

static const struct it_case_list lists[] = {
	{ it_cases_threads, &it_ncases_threads },
};

int main(void)
{
	return it_run_check("threads", lists, 1, 900);
}
