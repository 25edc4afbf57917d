// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Check runner for the conformance bodies: one TCase per body, looped over
 * every configuration (loop index = body x config). Fork mode is Check's
 * default, so an abort in the engine fails one test, not the runner.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "conformance/cases.h"

struct case_list {
	const struct it_case *cases;
	const unsigned int *n;
};

static const struct case_list lists[] = {
	{ it_cases_map, &it_ncases_map },
	{ it_cases_dirty, &it_ncases_dirty },
	{ it_cases_random, &it_ncases_random },
};

static const struct it_case *case_at(unsigned int idx)
{
	unsigned int l;

	for (l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
		if (idx < *lists[l].n)
			return &lists[l].cases[idx];
		idx -= *lists[l].n;
	}
	return NULL;
}

static double test_scale(void)
{
	const char *s = getenv("IOPGT_TEST_SCALE");
	double v = s ? strtod(s, NULL) : 1;

	return v > 0 ? v : 1;
}

START_TEST(run_case)
{
	const struct it_case *c = case_at(_i / it_nconfigs);
	struct it t = {
		.config = &it_configs[_i % it_nconfigs],
		.seed = 0x10b9700 + (u64)_i,
		.scale = test_scale(),
	};

	ck_assert_ptr_nonnull(c);
	c->fn(&t);
	if (t.failed)
		ck_abort_msg("%s on %s: %s", c->name, t.config->name, t.msg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("conformance");
	const struct it_case *c;
	SRunner *sr;
	unsigned int i;
	int failed;

	for (i = 0; (c = case_at(i)); i++) {
		TCase *tc = tcase_create(c->name);

		tcase_set_timeout(tc, 600);
		tcase_add_loop_test(tc, run_case, i * it_nconfigs,
				    (i + 1) * it_nconfigs);
		suite_add_tcase(s, tc);
	}
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
