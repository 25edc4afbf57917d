/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* The conformance bodies, for the runners (Check here, KTAP in a kernel). */
#ifndef IOPGT_TESTS_CASES_H
#define IOPGT_TESTS_CASES_H

#include "harness/it.h"

extern const struct it_case it_cases_map[];
extern const unsigned int it_ncases_map;
extern const struct it_case it_cases_dirty[];
extern const unsigned int it_ncases_dirty;
extern const struct it_case it_cases_split[];
extern const unsigned int it_ncases_split;
extern const struct it_case it_cases_random[];
extern const unsigned int it_ncases_random;
extern const struct it_case it_cases_edges[];
extern const unsigned int it_ncases_edges;
extern const struct it_case it_cases_cut[];
extern const unsigned int it_ncases_cut;
extern const struct it_case it_cases_grow[];
extern const unsigned int it_ncases_grow;
extern const struct it_case it_cases_arm_decode[];
extern const unsigned int it_ncases_arm_decode;
extern const struct it_case it_cases_arm_oa52[];
extern const unsigned int it_ncases_arm_oa52;
extern const struct it_case it_cases_corrupt[];
extern const unsigned int it_ncases_corrupt;
extern const struct it_case it_cases_caps[];
extern const unsigned int it_ncases_caps;
extern const struct it_case it_cases_coverage[];
extern const unsigned int it_ncases_coverage;

/*
 * The single-threaded lists every runner takes, in order, as
 * IT_CASE_LIST(X): X(map) ... expands to { it_cases_map, &it_ncases_map },
 * ... through IT_CASE_ENTRY.
 */
#define IT_CASE_ENTRY(name)	{ it_cases_##name, &it_ncases_##name },
#define IT_CASE_LISTS(X)						\
	X(map) X(dirty) X(split) X(cut) X(grow) X(random) X(edges)	\
	X(arm_decode) X(arm_oa52) X(corrupt) X(caps) X(coverage)

/* These start threads (pthreads in userspace, kthreads in a kernel). */
extern const struct it_case it_cases_threads[];
extern const unsigned int it_ncases_threads;
extern const struct it_case it_cases_probe[];
extern const unsigned int it_ncases_probe;

#endif /* IOPGT_TESTS_CASES_H */
