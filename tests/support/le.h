/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Table memory as the hardware reads it: every entry is a little-endian
 * 64-bit word (FORMATS.md). The tests' walkers and every test that looks
 * at or plants an entry go through these, which put the value together
 * byte by byte instead of trusting the CPU's byte order, so that on a
 * big-endian machine an entry the core stored in CPU order reads wrong
 * here and a test fails. They do not use the core's own conversion.
 */
#ifndef IOPGT_TESTS_SUPPORT_LE_H
#define IOPGT_TESTS_SUPPORT_LE_H

#include <string.h>
#include <iopgt/env.h>

/* The value of an entry whose memory holds @raw (as loaded by the CPU). */
static inline u64 tle_value(u64 raw)
{
	unsigned char b[8];
	u64 v = 0;
	int i;

	memcpy(b, &raw, sizeof(b));
	for (i = 7; i >= 0; i--)
		v = (v << 8) | b[i];
	return v;
}

/* What memory must hold (as the CPU stores it) for entry value @v. */
static inline u64 tle_raw(u64 v)
{
	unsigned char b[8];
	u64 raw;
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	memcpy(&raw, b, sizeof(raw));
	return raw;
}

/* Atomic, as a walker reads: acquire pairs with the core's publication. */
static inline u64 tle_load(const u64 *ptep)
{
	return tle_value(__atomic_load_n(ptep, __ATOMIC_ACQUIRE));
}

static inline void tle_store(u64 *ptep, u64 v)
{
	__atomic_store_n(ptep, tle_raw(v), __ATOMIC_SEQ_CST);
}

/* On failure *@old gets the value found. */
static inline bool tle_cmpxchg(u64 *ptep, u64 *old, u64 v)
{
	u64 raw_old = tle_raw(*old);
	bool ok = __atomic_compare_exchange_n(ptep, &raw_old, tle_raw(v),
					      false, __ATOMIC_SEQ_CST,
					      __ATOMIC_SEQ_CST);

	if (!ok)
		*old = tle_value(raw_old);
	return ok;
}

#endif /* IOPGT_TESTS_SUPPORT_LE_H */
