/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * A program with names of its own that the kernel's style also uses, then
 * iopgt's public header. It builds only if the header defines nothing but
 * iopgt's names: a typedef or macro of its own for any of these would
 * clash (a different type for u64, a macro expanding likely() or
 * READ_ONCE() below). Built as C (gnu11 and c11 -pedantic) and as C++.
 */
typedef struct {
	int hi, lo;
} u64;
typedef double u32;
typedef char u8;
typedef short u16;
typedef float s64;

static int likely(int x)
{
	return x;
}

static int unlikely(int x)
{
	return !x;
}

static int READ_ONCE(int x)
{
	return x + 1;
}

static int WRITE_ONCE(int x)
{
	return x - 1;
}

#include <iopgt/iopgt.h>

int main(void)
{
	u64 own = { 1, 2 };
	u32 f = 0.5;
	u8 c = 'x';
	u16 h = 3;
	s64 g = 1.0f;
	uint64_t pa = 0;
	struct iopgt_hw_info info;
	int bad = 0;

	(void)info;
	bad |= own.hi + own.lo != 3;
	bad |= f != 0.5 || c != 'x' || h != 3 || g != 1.0f;
	bad |= likely(0) != 0 || unlikely(0) != 1;
	bad |= READ_ONCE(1) != 2 || WRITE_ONCE(1) != 0;
	bad |= iopgt_version() != IOPGT_VERSION;
	bad |= iopgt_format_name(IOPGT_FMT_AMDV1)[0] == '?';
	bad |= pa != 0 || sizeof(struct iopgt_gather) == 0;
	return bad;
}
