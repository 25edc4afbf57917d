/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* What the suite's runner and its C library share. */
#ifndef IOPGT_KSUITE_H
#define IOPGT_KSUITE_H

#include <linux/printk.h>

/* A KTAP diagnostic line at the depth of the result being reported. */
void ksuite_diag(const char *fmt, ...) __printf(1, 2);

/*
 * Take back the mmap reservations a body left mapped (one that failed
 * returns without its teardown); return how many. Only between bodies:
 * nothing may use them any more.
 */
unsigned int kc_reclaim_maps(void);

/* Free every mmap reservation (kcompat.c), at the end of the run. */
void kc_release_all(void);

#endif /* IOPGT_KSUITE_H */
