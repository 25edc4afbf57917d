/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Reporting dirty state into a struct iopgt_bitmap, a word at a time, or
 * through its record callback.
 *
 * Part of the algorithm template: included once per format by
 * pgtable/iopgt_template.h, after the format's codecs.
 */

/*
 * Dirty state is reported through this accumulator so that the bitmap is written a
 * word at a time: bits for the word being filled collect in @acc and go out
 * when the walk moves past it. A word whose whole IOVA span lies inside the
 * request belongs to this call alone and is written with a plain OR; edge
 * words may be shared with a concurrent harvest of the neighbouring range
 * and are ORed in with a compare-exchange. With a record callback instead of
 * words, adjacent stretches are merged into one call.
 */
struct tpl_report {
	const struct iopgt_bitmap *bm;
	u64 req_first, req_last;
	u64 word;		/* index of the word in acc */
	u64 acc;
	u64 run_first, run_last; /* the pending stretch */
	bool run;
};

static void tpl_report_init(struct tpl_report *r,
			    const struct iopgt_bitmap *bm, u64 first, u64 last)
{
	r->bm = bm;
	r->req_first = first;
	r->req_last = last;
	r->acc = 0;
	r->word = 0;
	r->run = false;
}

/* Write the accumulated word out. */
static void tpl_report_acc_out(struct tpl_report *r)
{
	const struct iopgt_bitmap *bm = r->bm;
	u64 span_first, span_last, old, cur, *wp;
	unsigned int word_lg2;

	if (!r->acc)
		return;
	wp = &bm->words[r->word];
	word_lg2 = bm->pgshift + 6;
	span_first = bm->base + (r->word << word_lg2);
	span_last = span_first + iopgt_lg2_mask(word_lg2);
	if (word_lg2 < 64 && span_first >= r->req_first &&
	    span_last <= r->req_last && span_last >= span_first) {
		WRITE_ONCE(*wp, READ_ONCE(*wp) | r->acc);
	} else {
		old = READ_ONCE(*wp);
		while ((cur = iopgt_cmpxchg64(wp, old, old | r->acc)) != old)
			old = cur;
	}
	r->acc = 0;
}

/* Put bits of one bitmap word into the accumulator. */
static inline void tpl_report_word(struct tpl_report *r, u64 word, u64 bits)
{
	if (word != r->word) {
		tpl_report_acc_out(r);
		r->word = word;
	}
	r->acc |= bits;
}

/*
 * Set the bits of [@first, @last]. A partial first or last word collects
 * in the accumulator (it may be shared with a neighbouring request); whole
 * words lie inside this stretch alone and are written directly.
 */
static void tpl_report_bits(struct tpl_report *r, u64 first, u64 last)
{
	const struct iopgt_bitmap *bm = r->bm;
	u64 bit, last_bit, word, *wp, *end;

	if (last < bm->base)
		return;
	first = tpl_max(first, bm->base);
	bit = (first - bm->base) >> bm->pgshift;
	last_bit = (last - bm->base) >> bm->pgshift;
	if (bit >= bm->nbits)
		return;
	if (last_bit >= bm->nbits)
		last_bit = bm->nbits - 1;
	word = bit / 64;
	if (last_bit / 64 == word) {
		tpl_report_word(r, word, (~0ull << (bit % 64)) &
				(~0ull >> (63 - last_bit % 64)));
		return;
	}
	if (bit % 64) {
		tpl_report_word(r, word, ~0ull << (bit % 64));
		word++;
	}
	wp = &bm->words[word];
	end = &bm->words[last_bit / 64];
	if (last_bit % 64 == 63)
		end++;
	else
		tpl_report_word(r, last_bit / 64,
				~0ull >> (63 - last_bit % 64));
	for (; end - wp >= 8; wp += 8) {
		WRITE_ONCE(wp[0], ~0ull);
		WRITE_ONCE(wp[1], ~0ull);
		WRITE_ONCE(wp[2], ~0ull);
		WRITE_ONCE(wp[3], ~0ull);
		WRITE_ONCE(wp[4], ~0ull);
		WRITE_ONCE(wp[5], ~0ull);
		WRITE_ONCE(wp[6], ~0ull);
		WRITE_ONCE(wp[7], ~0ull);
	}
	for (; wp < end; wp++)
		WRITE_ONCE(*wp, ~0ull);
}

/* Report the pending stretch. */
static void tpl_report_run_out(struct tpl_report *r)
{
	const struct iopgt_bitmap *bm = r->bm;

	if (!r->run)
		return;
	r->run = false;
	if (bm->record)
		bm->record(bm->ctx, r->run_first,
			   r->run_last - r->run_first + 1);
	else
		tpl_report_bits(r, r->run_first, r->run_last);
}

/* Everything reported so far reaches the bitmap. */
static void tpl_report_flush(struct tpl_report *r)
{
	tpl_report_run_out(r);
	tpl_report_acc_out(r);
}

/*
 * Report [@first, @last], already clipped to what the caller wants.
 * Stretches that follow each other are joined and reported as one, so a
 * run of dirty large leaves costs its bitmap words and little more.
 */
static inline void tpl_report(struct tpl_report *r, u64 first, u64 last)
{
	if (r->run && first == r->run_last + 1) {
		r->run_last = last;
		return;
	}
	tpl_report_run_out(r);
	r->run = true;
	r->run_first = first;
	r->run_last = last;
}

/* Report every dirty leaf under a detached table, whole. */
static void tpl_report_tree(struct tpl_report *rep, struct tpl_it *it)
{
	const struct iopgt *pt = it->pt;
	unsigned int j, span;
	struct tpl_it sub;
	bool dirty;

	while (tpl_it_more(it)) {
		switch (tpl_it_load(it)) {
		case IOPGT_E_LEAF:
			/* dirty as a whole if any slot is */
			span = tpl_it_span(it);
			dirty = false;
			for (j = 0; j < span && it->idx + j <= it->end; j++)
				dirty |= fmt_leaf_dirty(pt,
					iopgt_pte_get(&it->table[it->idx + j]));
			if (dirty)
				tpl_report(rep, tpl_it_e_first(it),
					   tpl_it_e_first(it) |
					   iopgt_lg2_mask(it->size_lg2));
			it->idx += span;
			continue;
		case IOPGT_E_TABLE:
			tpl_it_down_whole(it, &sub);
			tpl_report_tree(rep, &sub);
			break;
		default:
			break;
		}
		tpl_it_next(it);
	}
}
