/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* What a format makes of a prot, for tests and fuzzers to predict it. */
#ifndef IOPGT_TESTS_PROT_H
#define IOPGT_TESTS_PROT_H

#include <iopgt/env.h>
#include <iopgt/iopgt.h>

/**
 * test_prot_effective() - what a leaf mapped with @prot grants
 * @format: the format
 * @prot: IOPGT_* prot
 *
 * x86 first-level and ARM stage-1 entries cannot deny reads: a writable
 * leaf is readable too (as those formats document). Every other format
 * grants what was asked.
 *
 * Return: @prot, with IOPGT_READ added where the format adds it.
 */
u32 test_prot_effective(enum iopgt_format format, u32 prot);

#endif /* IOPGT_TESTS_PROT_H */
