/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* The name of an iopgt return code, for test and fuzz messages. */
#ifndef IOPGT_TESTS_ERRNAME_H
#define IOPGT_TESTS_ERRNAME_H

/**
 * test_errname() - "0", "-EINVAL", ... for a code iopgt returns
 * @err: 0 or a negative errno
 *
 * Return: a static string; "(unexpected code)" outside iopgt's list.
 */
const char *test_errname(int err);

#endif /* IOPGT_TESTS_ERRNAME_H */
