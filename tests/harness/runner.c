// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include <check.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>

#include "runner.h"

static const struct it_case_list *run_lists;
static unsigned int run_nlists;

static const struct it_case *case_at(unsigned int idx)
{
	unsigned int l;

	for (l = 0; l < run_nlists; l++) {
		if (idx < *run_lists[l].n)
			return &run_lists[l].cases[idx];
		idx -= *run_lists[l].n;
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

/*
 * IOPGT_TEST_SHARD=K/N: run the configs whose index is K modulo N (every
 * case on each), so N processes share one suite; unset: all of them.
 * Returns false (and says why) for a value that names no shard.
 */
static bool test_shard(unsigned int *k, unsigned int *n)
{
	const char *s = getenv("IOPGT_TEST_SHARD");

	*k = 0;
	*n = 1;
	if (!s)
		return true;
	if (sscanf(s, "%u/%u", k, n) != 2 || !*n || *k >= *n) {
		fprintf(stderr, "IOPGT_TEST_SHARD=%s: want K/N, K < N\n", s);
		return false;
	}
	return true;
}

int it_run_check(const char *suite, const struct it_case_list *lists,
		 unsigned int nlists, unsigned int timeout_s)
{
	Suite *s = suite_create(suite);
	const struct it_case *c;
	unsigned int i, cfg, k, n;
	SRunner *sr;
	int failed;

	if (!test_shard(&k, &n))
		return EXIT_FAILURE;
	run_lists = lists;
	run_nlists = nlists;
	for (i = 0; (c = case_at(i)); i++) {
		TCase *tc = tcase_create(c->name);

		tcase_set_timeout(tc, timeout_s);
		for (cfg = k; cfg < it_nconfigs; cfg += n)
			tcase_add_loop_test(tc, run_case, i * it_nconfigs + cfg,
					    i * it_nconfigs + cfg + 1);
		suite_add_tcase(s, tc);
	}
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
