// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* IOPGT_CTEST_LABELS: stress tsan */
/*
 * Probing devices (tests/conformance/probe.c): no write lost when the
 * device holds stale cached translations across harvest, split, merge and
 * unmap_read_dirty, on every format x config. Part of the plain suite and
 * of the TSan one (sized by IOPGT_TEST_SCALE).
 */
#include "conformance/cases.h"
#include "harness/runner.h"

static const struct it_case_list lists[] = {
	{ it_cases_probe, &it_ncases_probe },
};

int main(void)
{
	return it_run_check("probe", lists, 1, 900);
}
