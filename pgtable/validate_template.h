/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * iopgt_validate() and iopgt_dump(): whole-tree walks for tests, fuzzers
 * and bug reports, and hw_info.
 *
 * Part of the algorithm template: included once per format by
 * pgtable/iopgt_template.h, after the format's codecs.
 */

static int tpl_validate_fail(struct iopgt_validate_err *err, u64 iova,
			     unsigned int level, u64 pte, const char *what)
{
	if (err) {
		err->iova = iova;
		err->level = level;
		err->pte = pte;
		err->what = what;
	}
	return -EINVAL;
}

static int tpl_validate_walk(struct tpl_it *it, struct iopgt_validate_err *err)
{
	const struct iopgt *pt = it->pt;
	unsigned int level = it->level, item_lg2 = it->item_lg2;
	unsigned int n = it->end + 1, i, j, size_lg2, reps, sz;
	u64 *table = it->table, pte, e_first, oa, pa, attrs, expect, hw;
	struct tpl_it sub;
	const char *why;
	int ret;

	while (tpl_it_more(it)) {
		i = it->idx;
		e_first = tpl_it_e_first(it);
		tpl_it_load(it);
		pte = it->pte;
		size_lg2 = it->size_lg2;
		switch (it->type) {
		case IOPGT_E_EMPTY:
			tpl_it_next(it);
			continue;
		case IOPGT_E_TABLE:
			why = fmt_check_entry(pt, level, pte);
			if (why)
				return tpl_validate_fail(err, e_first, level,
							 pte, why);
			if (level == 0)
				return tpl_validate_fail(err, e_first, level,
							 pte, "table at level 0");
			pa = fmt_table_pa(pt, level, pte);
			if (pa & iopgt_lg2_mask(pt->granule_lg2))
				return tpl_validate_fail(err, e_first, level,
							 pte, "table misaligned");
			tpl_it_down_whole(it, &sub);
			ret = tpl_validate_walk(&sub, err);
			if (ret)
				return ret;
			tpl_it_next(it);
			continue;
		case IOPGT_E_LEAF:
			break;
		}
		why = fmt_check_entry(pt, level, pte);
		if (why)
			return tpl_validate_fail(err, e_first, level, pte, why);
		if (pt->cfg.ias < 64 && (e_first >> pt->cfg.ias))
			return tpl_validate_fail(err, e_first, level, pte,
						 "leaf beyond ias");
		if (size_lg2 >= 64 || !(pt->pgsize_bitmap & (1ull << size_lg2)))
			return tpl_validate_fail(err, e_first, level, pte,
						 "leaf size not in use");
		if (iopgt_size_level(pt, size_lg2) != level)
			return tpl_validate_fail(err, e_first, level, pte,
						 "leaf at the wrong level");
		reps = 1u << (size_lg2 - item_lg2);
		if ((i & (reps - 1)) || i + reps > n)
			return tpl_validate_fail(err, e_first, level, pte,
						 "replicas misaligned");
		oa = fmt_leaf_oa(pt, level, pte, size_lg2);
		if (oa & iopgt_lg2_mask(size_lg2))
			return tpl_validate_fail(err, e_first, level, pte,
						 "leaf OA misaligned");
		if (pt->cfg.oas < 64 &&
		    ((oa + iopgt_lg2_mask(size_lg2)) >> pt->cfg.oas))
			return tpl_validate_fail(err, e_first, level, pte,
						 "leaf beyond oas");
		attrs = fmt_leaf_attrs(pt, level, pte);
		hw = fmt_hw_bits(pt, level);
		for (j = 0; j < reps; j++) {
			u64 v = iopgt_pte_get(&table[i + j]);

			if (fmt_classify(pt, level, v, &sz) != IOPGT_E_LEAF ||
			    sz != size_lg2)
				return tpl_validate_fail(err,
					e_first + ((u64)j << item_lg2), level,
					v, "replica missing");
			why = fmt_check_entry(pt, level, v);
			if (why)
				return tpl_validate_fail(err,
					e_first + ((u64)j << item_lg2), level,
					v, why);
			expect = fmt_make_leaf(pt, level,
					       oa + ((u64)j << item_lg2),
					       size_lg2, attrs);
			if ((v ^ expect) & ~hw)
				return tpl_validate_fail(err,
					e_first + ((u64)j << item_lg2), level,
					v, "replica differs");
		}
		it->idx += reps;
	}
	return 0;
}

static int tpl_validate(struct iopgt *pt, struct iopgt_validate_err *err)
{
	struct tpl_it it;

	if (!pt->root || (pt->root_pa & iopgt_lg2_mask(pt->top_alloc_lg2)))
		return tpl_validate_fail(err, 0, pt->levels - 1, pt->root_pa,
					 "root misaligned");
	tpl_it_whole(&it, pt, pt->root, pt->levels - 1, 0);
	return tpl_validate_walk(&it, err);
}

/*
 * One line buffer for the whole dump, not one per level of the recursive
 * walk: a line is printed before the walk descends, and the frames stay
 * small (the recursion is as deep as the table has levels).
 */
struct tpl_dump {
	struct iopgt *pt;
	void (*print)(void *ctx, const char *line);
	void *ctx;
	struct iopgt_line line;
};

static void tpl_dump_prot(struct iopgt_line *line, u32 prot)
{
	char p[4] = "---";

	if (prot & IOPGT_READ)
		p[0] = 'r';
	if (prot & IOPGT_WRITE)
		p[1] = 'w';
	if (!(prot & IOPGT_NOEXEC))
		p[2] = 'x';
	iopgt_line_str(line, p);
	if (prot & IOPGT_CACHE)
		iopgt_line_str(line, " cache");
	if (prot & IOPGT_MMIO)
		iopgt_line_str(line, " mmio");
}

static void tpl_dump_walk(struct tpl_dump *d, struct tpl_it *it)
{
	struct iopgt *pt = d->pt;
	unsigned int level = it->level, item_lg2 = it->item_lg2;
	unsigned int i, size_lg2, reps, depth;
	struct iopgt_line *line = &d->line;
	u64 pte, e_first, e_last;
	enum iopgt_etype type;
	struct tpl_it sub;

	while (tpl_it_more(it)) {
		i = it->idx;
		type = tpl_it_load(it);
		pte = it->pte;
		size_lg2 = it->size_lg2;
		if (type == IOPGT_E_EMPTY) {
			tpl_it_next(it);
			continue;
		}
		reps = type == IOPGT_E_LEAF && size_lg2 > item_lg2 ?
			       1u << (size_lg2 - item_lg2) : 1;
		e_first = tpl_it_e_first(it);
		e_last = e_first + (((u64)reps << item_lg2) - 1);
		line->len = 0;
		for (depth = level; depth + 1u < pt->levels; depth++)
			iopgt_line_str(line, "  ");
		iopgt_line_str(line, "L");
		iopgt_line_dec(line, level);
		iopgt_line_str(line, " [");
		iopgt_line_dec(line, i);
		iopgt_line_str(line, "] 0x");
		iopgt_line_hex(line, e_first, 16);
		iopgt_line_str(line, "-0x");
		iopgt_line_hex(line, e_last, 16);
		iopgt_line_str(line, " pte 0x");
		iopgt_line_hex(line, pte, 16);
		if (type == IOPGT_E_TABLE) {
			iopgt_line_str(line, " table 0x");
			iopgt_line_hex(line, fmt_table_pa(pt, level, pte), 0);
			d->print(d->ctx, line->buf);
			tpl_it_down_whole(it, &sub);
			tpl_dump_walk(d, &sub);
			tpl_it_next(it);
			continue;
		}
		iopgt_line_str(line, " leaf 2^");
		iopgt_line_dec(line, size_lg2);
		iopgt_line_str(line, " -> 0x");
		iopgt_line_hex(line, fmt_leaf_oa(pt, level, pte, size_lg2), 0);
		iopgt_line_str(line, " ");
		tpl_dump_prot(line, fmt_leaf_prot(pt, pte));
		if (fmt_leaf_dirty(pt, pte))
			iopgt_line_str(line, " dirty");
		if (reps > 1) {
			iopgt_line_str(line, " x");
			iopgt_line_dec(line, reps);
		}
		d->print(d->ctx, line->buf);
		it->idx += reps;
	}
}

static void tpl_dump(struct iopgt *pt,
		     void (*print)(void *ctx, const char *line), void *ctx)
{
	struct tpl_dump d = { .pt = pt, .print = print, .ctx = ctx };
	struct iopgt_line *line = &d.line;
	struct tpl_it it;

	iopgt_line_str(line, iopgt_format_name(pt->cfg.format));
	iopgt_line_str(line, " levels ");
	iopgt_line_dec(line, pt->levels);
	iopgt_line_str(line, " ias ");
	iopgt_line_dec(line, pt->cfg.ias);
	iopgt_line_str(line, " oas ");
	iopgt_line_dec(line, pt->cfg.oas);
	iopgt_line_str(line, " root 0x");
	iopgt_line_hex(line, pt->root_pa, 0);
	print(ctx, line->buf);
	tpl_it_whole(&it, pt, pt->root, pt->levels - 1, 0);
	tpl_dump_walk(&d, &it);
}

static void tpl_hw_info(const struct iopgt *pt, struct iopgt_hw_info *info)
{
	memset(info, 0, sizeof(*info));
	info->root_pa = pt->root_pa;
	info->levels = pt->levels;
	info->ias = pt->cfg.ias;
	/* a top that may grow translates what its levels reach, for now */
	if (!iopgt_reaches(pt, iopgt_lg2_mask(info->ias)))
		info->ias = (u8)(iopgt_item_lg2(pt, pt->levels - 1) +
				 pt->top_lg2);
	info->oas = pt->cfg.oas;
	info->pgsize_bitmap = pt->pgsize_bitmap;
	fmt_hw_info(pt, info);
}
