/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * writelog: device writes ordered against harvest rounds, and the check
 * that no write was lost. The no-lost-write tests (tests/conformance
 * threads.c and probe.c) and the migration simulation (bench/migrate.c)
 * share it.
 *
 * One counter orders every event. A device thread takes a number just
 * before and just after each write (writelog_event()) and logs the write
 * that went through with both; the harvesting thread takes one at the end
 * of each round, after the round's gather was released. Round r reports
 * into a bitmap of its own. Every logged write must be in the bitmap of a
 * round from the one running when it began to the one after the one
 * running when it ended: a write that lands after a harvest read its entry
 * either sets the entry dirty again (the next round reports it) or hits an
 * IOTLB entry already known dirty, whose page the running round reports.
 * Over-reporting is allowed; losing a write is not.
 */
#ifndef IOPGT_TESTS_WRITELOG_H
#define IOPGT_TESTS_WRITELOG_H

#include <stdbool.h>
#include <stddef.h>

#include <iopgt/env.h>
#include <iopgt/iopgt.h>

/**
 * struct writelog_rec - one write that went through
 * @iova: the IOVA written
 * @before: the event taken just before the write
 * @after: the event taken just after it
 */
struct writelog_rec {
	u64 iova;
	u64 before;
	u64 after;
};

/**
 * struct writelog - the writes one device thread made, in order
 * @rec: the records
 * @n: how many (atomic: other threads may watch it)
 * @cap: records allocated
 * @max: the most it takes
 *
 * One thread adds; others may only read the count (writelog_count()) until
 * it has stopped and been joined.
 */
struct writelog {
	struct writelog_rec *rec;
	size_t n;
	size_t cap;
	size_t max;
};

/* Take the next event number from the counter @seq. */
static inline u64 writelog_event(u64 *seq)
{
	return __atomic_fetch_add(seq, 1, __ATOMIC_SEQ_CST);
}

/**
 * writelog_init() - an empty log
 * @log: the log
 * @max: the most records it takes (it grows up to that)
 */
void writelog_init(struct writelog *log, size_t max);

/**
 * writelog_add() - log a write
 * @log: the log
 * @iova: the IOVA written
 * @before: the event taken just before the write
 * @after: the event taken just after it
 *
 * Context: the logging thread only.
 * Return: false, logging nothing, if the log is full (@max records) or
 * there is no memory to grow it.
 */
bool writelog_add(struct writelog *log, u64 iova, u64 before, u64 after);

/**
 * writelog_count() - the records logged so far
 * @log: the log
 *
 * Context: any thread.
 */
size_t writelog_count(const struct writelog *log);

/**
 * writelog_free() - free the records
 * @log: the log; empty afterwards
 */
void writelog_free(struct writelog *log);

/**
 * struct writelog_rounds - what the harvest rounds reported
 * @end_seq: the event that ended each round, increasing
 * @maps: round r reported into @maps[r % @nmaps]
 * @nmaps: bitmaps kept: the rounds a write's check may reach back
 * @base: IOVA of bit 0 of each bitmap
 * @pgshift: bit i stands for the page at @base + (i << @pgshift)
 */
struct writelog_rounds {
	const u64 *end_seq;
	u64 *const *maps;
	unsigned int nmaps;
	u64 base;
	unsigned int pgshift;
};

/* What writelog_check() found. */
enum writelog_verdict {
	WRITELOG_REPORTED,	/* in the bitmap of a round it may be in */
	WRITELOG_LOST,		/* in none of them */
	WRITELOG_UNENDED,	/* it ended after the last round did */
	WRITELOG_FORGOTTEN,	/* its rounds' bitmaps are no longer kept */
};

/**
 * writelog_window() - the rounds that must report a write
 * @end_seq: the event that ended each round 0..@last, increasing
 * @last: the last round that has ended
 * @w: the write
 * @from: set to the round running when @w began
 * @to: set to the round after the one running when @w ended, or @last
 *      if that is later
 *
 * Return: false if @w ended after round @last did, so that the rounds
 * which must report it are not all over yet.
 */
bool writelog_window(const u64 *end_seq, unsigned int last,
		     const struct writelog_rec *w, unsigned int *from,
		     unsigned int *to);

/**
 * writelog_check() - whether the rounds reported a write
 * @wr: the rounds
 * @last: the last round that has ended
 * @w: the write
 * @from: set to the first round that may report it
 * @to: set to the last round that may report it
 *
 * Return: the verdict; WRITELOG_UNENDED when writelog_window() says the
 * rounds are not over, WRITELOG_FORGOTTEN when the bitmap of round @from
 * was already reused.
 */
enum writelog_verdict writelog_check(const struct writelog_rounds *wr,
				     unsigned int last,
				     const struct writelog_rec *w,
				     unsigned int *from, unsigned int *to);

/**
 * writelog_verify() - writelog_check() every write of a log
 * @wr: the rounds
 * @last: the last round; it ended after the device stopped
 * @log: the writes
 * @bad: set to the index of the first write not reported
 * @from: set as writelog_check() for that write
 * @to: set as writelog_check() for that write
 *
 * Return: WRITELOG_REPORTED if every write was reported, else the first
 * other verdict.
 */
enum writelog_verdict writelog_verify(const struct writelog_rounds *wr,
				      unsigned int last,
				      const struct writelog *log, size_t *bad,
				      unsigned int *from, unsigned int *to);

#endif /* IOPGT_TESTS_WRITELOG_H */
