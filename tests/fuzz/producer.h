/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The data producer the fuzz targets share: it turns the fuzzer's input
 * into bounded integers, front to back, so that one byte of input is one
 * decision and a mutation changes what a human reading the input expects.
 *
 * Every draw takes as few whole bytes as the range needs (none for a range
 * of one value) and reduces them modulo the range, little-endian. Once
 * the input is used up every draw returns the lowest value of its range,
 * so a short input is a valid input: the targets make "lowest" mean the
 * plain, default choice.
 */
#ifndef IOPGT_FUZZ_PRODUCER_H
#define IOPGT_FUZZ_PRODUCER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct producer {
	const uint8_t *data;
	size_t size;
	size_t pos;
};

/**
 * producer_init() - start drawing from an input
 * @p: the producer
 * @data: the input (not copied; must outlive @p)
 * @size: its length in bytes
 */
void producer_init(struct producer *p, const uint8_t *data, size_t size);

/**
 * producer_remaining() - bytes not drawn yet
 * @p: the producer
 */
size_t producer_remaining(const struct producer *p);

/**
 * producer_empty() - whether the input is used up
 * @p: the producer
 */
bool producer_empty(const struct producer *p);

/**
 * producer_u64() - an integer in [@min, @max]
 * @p: the producer
 * @min: lowest value
 * @max: highest value (>= @min)
 *
 * Return: the value; @min once the input is used up.
 */
uint64_t producer_u64(struct producer *p, uint64_t min, uint64_t max);

/**
 * producer_u32() - producer_u64() for 32-bit ranges
 * @p: the producer
 * @min: lowest value
 * @max: highest value (>= @min)
 */
uint32_t producer_u32(struct producer *p, uint32_t min, uint32_t max);

/**
 * producer_bool() - one decision, false once the input is used up
 * @p: the producer
 */
bool producer_bool(struct producer *p);

/**
 * producer_chance() - true with probability about 1/@n
 * @p: the producer
 * @n: 1 or more
 *
 * Draws one value in [0, @n - 1] and answers whether it was @n - 1, so
 * the used-up input (and the all-zero byte) answers false.
 */
bool producer_chance(struct producer *p, uint32_t n);

/**
 * producer_pick() - the index of one set bit of @mask
 * @p: the producer
 * @mask: not 0
 *
 * Return: the bit number of the chosen set bit; the lowest once the input
 * is used up.
 */
unsigned int producer_pick(struct producer *p, uint64_t mask);

/**
 * producer_bytes() - raw bytes
 * @p: the producer
 * @out: where to copy them
 * @n: how many; zeros fill in once the input is used up
 */
void producer_bytes(struct producer *p, void *out, size_t n);

#endif /* IOPGT_FUZZ_PRODUCER_H */
