// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The conformance suite: every body in tests/conformance on every format x
 * config. Fork mode is Check's default, so an abort in the engine fails one
 * test, not the runner.
 */
#include "conformance/cases.h"
#include "harness/runner.h"

static const struct it_case_list lists[] = {
	{ it_cases_map, &it_ncases_map },
	{ it_cases_dirty, &it_ncases_dirty },
	{ it_cases_split, &it_ncases_split },
	{ it_cases_cut, &it_ncases_cut },
	{ it_cases_grow, &it_ncases_grow },
	{ it_cases_random, &it_ncases_random },
	{ it_cases_edges, &it_ncases_edges },
	{ it_cases_arm_decode, &it_ncases_arm_decode },
	{ it_cases_caps, &it_ncases_caps },
	{ it_cases_coverage, &it_ncases_coverage },
};

int main(void)
{
	return it_run_check("conformance", lists,
			    sizeof(lists) / sizeof(lists[0]), 600);
}
