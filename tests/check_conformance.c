// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The conformance suite: every body in tests/conformance on every format x
 * config. Fork mode is Check's default, so an abort in the engine fails one
 * test, not the runner.
 */
#include "conformance/cases.h"
#include "harness/runner.h"

static const struct it_case_list lists[] = {
	IT_CASE_LISTS(IT_CASE_ENTRY)
};

int main(void)
{
	return it_run_check("conformance", lists,
			    sizeof(lists) / sizeof(lists[0]), 600);
}
