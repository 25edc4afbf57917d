// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include <string.h>

#include "producer.h"

void producer_init(struct producer *p, const uint8_t *data, size_t size)
{
	p->data = data;
	p->size = data ? size : 0;
	p->pos = 0;
}

size_t producer_remaining(const struct producer *p)
{
	return p->size - p->pos;
}

bool producer_empty(const struct producer *p)
{
	return p->pos >= p->size;
}

uint64_t producer_u64(struct producer *p, uint64_t min, uint64_t max)
{
	uint64_t range = max - min, raw = 0;
	unsigned int shift = 0;

	if (max <= min)
		return min;
	/* One byte per 8 bits of the range, while input lasts */
	while (shift < 64 && (range >> shift) && p->pos < p->size) {
		raw |= (uint64_t)p->data[p->pos++] << shift;
		shift += 8;
	}
	if (range == UINT64_MAX)
		return min + raw;
	return min + raw % (range + 1);
}

uint32_t producer_u32(struct producer *p, uint32_t min, uint32_t max)
{
	return (uint32_t)producer_u64(p, min, max);
}

bool producer_bool(struct producer *p)
{
	return producer_u64(p, 0, 1);
}

bool producer_chance(struct producer *p, uint32_t n)
{
	return n && producer_u64(p, 0, n - 1) == n - 1;
}

unsigned int producer_pick(struct producer *p, uint64_t mask)
{
	unsigned int n = (unsigned int)__builtin_popcountll(mask), k;

	if (!mask)
		return 0;
	k = (unsigned int)producer_u64(p, 0, n - 1);
	while (k--)
		mask &= mask - 1;
	return (unsigned int)__builtin_ctzll(mask);
}

void producer_bytes(struct producer *p, void *out, size_t n)
{
	size_t have = producer_remaining(p);

	if (have > n)
		have = n;
	if (have) {
		memcpy(out, p->data + p->pos, have);
		p->pos += have;
	}
	memset((uint8_t *)out + have, 0, n - have);
}
