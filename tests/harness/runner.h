/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Run it_case bodies over every configuration as one Check suite. */
#ifndef IOPGT_TESTS_RUNNER_H
#define IOPGT_TESTS_RUNNER_H

#include "it.h"

struct it_case_list {
	const struct it_case *cases;
	const unsigned int *n;
};

/*
 * One TCase per body, looped over it_configs (loop index = body x
 * config), in Check's fork mode. Returns the process exit status.
 */
int it_run_check(const char *suite, const struct it_case_list *lists,
		 unsigned int nlists, unsigned int timeout_s);

#endif /* IOPGT_TESTS_RUNNER_H */
