/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The checks of the self-test programs (tests/<part>/<part>_selftest.c):
 * plain programs rather than Check suites, so that the oracles are tested
 * without the harness built on them. ctest runs each; exit status 0 means
 * every check passed.
 *
 * main() runs each test with SELFTEST_RUN(), which names it for the
 * messages, and returns selftest_exit_status(). A failed check prints
 * "file:line: test: what" and, as later checks usually build on earlier
 * ones, ends the program with status 1. A program whose checks stand
 * alone sets selftest_keep_going: then failures are counted and the run
 * goes on, so one run reports them all.
 *
 * The state is static: one translation unit per program. Checks may run
 * on several threads (the failure count is atomic; passing checks are not
 * counted, which would cost an atomic add in the hot loops of some tests);
 * SELFTEST_RUN() only on one.
 */
#ifndef IOPGT_TESTS_SELFTEST_H
#define IOPGT_TESTS_SELFTEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/* The test running now, for the messages. */
static const char *selftest_test = "(no test)";
/* Count failures and carry on, rather than exit at the first. */
static bool selftest_keep_going;
static unsigned int selftest_failures;	/* atomic */

/* Run the test function @fn, named after it in failure messages. */
#define SELFTEST_RUN(fn)						\
	do {								\
		selftest_test = #fn;					\
		fn();							\
	} while (0)

/* Print a failure, as one write so that threads do not interleave. */
static inline void __attribute__((format(printf, 3, 4)))
selftest_report(const char *file, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s:%d: %s: %s\n", file, line, selftest_test, msg);
}

/* Count a failure already reported; exit unless told to keep going. */
static inline void selftest_failed(void)
{
	__atomic_fetch_add(&selftest_failures, 1, __ATOMIC_RELAXED);
	if (!selftest_keep_going)
		exit(1);
}

/* Report a failure found some other way than a check, and count it. */
#define SELFTEST_FAIL(...)						\
	do {								\
		selftest_report(__FILE__, __LINE__, __VA_ARGS__);	\
		selftest_failed();					\
	} while (0)

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			selftest_report(__FILE__, __LINE__,		\
					"check failed: %s", #cond);	\
			selftest_failed();				\
		}							\
	} while (0)

#define CHECK_EQ(a, b)							\
	do {								\
		unsigned long long __a = (a), __b = (b);		\
		if (__a != __b) {					\
			selftest_report(__FILE__, __LINE__,		\
					"%s == 0x%llx, expected %s == 0x%llx",\
					#a, __a, #b, __b);		\
			selftest_failed();				\
		}							\
	} while (0)

/* What main() returns, after saying how it went as "@prog: ...". */
static inline int selftest_exit_status(const char *prog)
{
	unsigned int failures;

	failures = __atomic_load_n(&selftest_failures, __ATOMIC_RELAXED);
	if (failures)
		printf("%s: %u checks failed\n", prog, failures);
	else
		printf("%s: ok\n", prog);
	return failures ? 1 : 0;
}

#endif /* IOPGT_TESTS_SELFTEST_H */
