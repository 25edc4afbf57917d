/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* What the suite's runner and its C library share. */
#ifndef IOPGT_KSUITE_H
#define IOPGT_KSUITE_H

#include <linux/printk.h>

/* A KTAP diagnostic line at the depth of the result being reported. */
void ksuite_diag(const char *fmt, ...) __printf(1, 2);

/* Free every mmap reservation the test code left (kcompat.c). */
void kc_release_all(void);

#endif /* IOPGT_KSUITE_H */
