/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
#include <stdlib.h>

#include "support/writelog.h"

/* The first log allocation; then it doubles. */
#define WRITELOG_FIRST_CAP	(1u << 16)

void writelog_init(struct writelog *log, size_t max)
{
	log->rec = NULL;
	log->n = 0;
	log->cap = 0;
	log->max = max;
}

bool writelog_add(struct writelog *log, u64 iova, u64 before, u64 after)
{
	struct writelog_rec *rec;
	size_t cap;

	if (log->n == log->cap) {
		if (log->cap >= log->max)
			return false;
		cap = log->cap ? log->cap * 2 : WRITELOG_FIRST_CAP;
		if (cap > log->max)
			cap = log->max;
		rec = realloc(log->rec, cap * sizeof(*rec));
		if (!rec)
			return false;
		log->rec = rec;
		log->cap = cap;
	}
	log->rec[log->n] = (struct writelog_rec){ iova, before, after };
	/* others only watch the count until they join this thread */
	__atomic_store_n(&log->n, log->n + 1, __ATOMIC_RELAXED);
	return true;
}

size_t writelog_count(const struct writelog *log)
{
	return __atomic_load_n(&log->n, __ATOMIC_RELAXED);
}

void writelog_free(struct writelog *log)
{
	free(log->rec);
	writelog_init(log, log->max);
}

/* The round running at event @seq: the first to end after it (or @n). */
static unsigned int writelog_round_at(const u64 *end_seq, unsigned int n,
				      u64 seq)
{
	unsigned int lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (end_seq[mid] > seq)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

bool writelog_window(const u64 *end_seq, unsigned int last,
		     const struct writelog_rec *w, unsigned int *from,
		     unsigned int *to)
{
	*from = writelog_round_at(end_seq, last + 1, w->before);
	*to = writelog_round_at(end_seq, last + 1, w->after);
	if (*to > last) {
		*to = last;
		return false;
	}
	if (*to < last)
		(*to)++;
	return true;
}

enum writelog_verdict writelog_check(const struct writelog_rounds *wr,
				     unsigned int last,
				     const struct writelog_rec *w,
				     unsigned int *from, unsigned int *to)
{
	u64 bit = (w->iova - wr->base) >> wr->pgshift;
	const u64 *map;
	unsigned int k;

	if (!writelog_window(wr->end_seq, last, w, from, to))
		return WRITELOG_UNENDED;
	if (*from + wr->nmaps <= last)
		return WRITELOG_FORGOTTEN;
	for (k = *from; k <= *to; k++) {
		map = wr->maps[k % wr->nmaps];
		if (map[bit / 64] & (1ull << (bit % 64)))
			return WRITELOG_REPORTED;
	}
	return WRITELOG_LOST;
}

enum writelog_verdict writelog_verify(const struct writelog_rounds *wr,
				      unsigned int last,
				      const struct writelog *log, size_t *bad,
				      unsigned int *from, unsigned int *to)
{
	enum writelog_verdict v;
	size_t i;

	for (i = 0; i < log->n; i++) {
		v = writelog_check(wr, last, &log->rec[i], from, to);
		if (v != WRITELOG_REPORTED) {
			*bad = i;
			return v;
		}
	}
	return WRITELOG_REPORTED;
}
