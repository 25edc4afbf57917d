/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Growing the top (IOPGT_QUIRK_AMD_GROW_TOP): a map that reaches beyond
 * the levels the table has puts new top tables above the old top, each
 * with its entry 0 pointing at the one below, so the new top covers
 * everything the old one did and the old top stays valid for a device
 * still walking from it (its DTE not yet switched). The old tops are
 * never detached afterwards (tpl_keeps_table), so nothing a device may
 * still reach from an old DTE is ever freed.
 *
 * Part of the algorithm template: included once per format by
 * pgtable/iopgt_template.h.
 */

/* The fewest levels from @levels up whose reach covers @last; 0: none. */
static unsigned int tpl_levels_for(const struct iopgt *pt,
				   unsigned int levels, u64 last)
{
	unsigned int reach_lg2;

	for (; levels <= IOPGT_MAX_LEVELS; levels++) {
		reach_lg2 = iopgt_item_lg2(pt, levels - 1) + iopgt_bpl(pt);
		if (reach_lg2 >= 64 || !(last >> reach_lg2))
			return levels;
	}
	return 0;
}

/*
 * Make the table reach @last. The new tables are allocated first (a
 * failure changes nothing); they are linked and published with every
 * other call held off by the reclaim gate (iopgt_gate_close), since every
 * call reads the root and the level count as one pair. Another map may
 * have grown the table meanwhile: the tables it made unneeded are freed.
 */
static int tpl_grow(struct iopgt *pt, u64 last, iopgt_gfp_t gfp)
{
	u64 *tables[IOPGT_MAX_LEVELS], pas[IOPGT_MAX_LEVELS], *top, top_pa;
	/* another grow may be publishing: only the gate orders the rest */
	unsigned int have = READ_ONCE(pt->levels), n, i = 0;
	unsigned int want = tpl_levels_for(pt, have, last);
	const struct iopgt_ops *ops = pt->cfg.ops;

	if (!want)
		return -ERANGE;
	for (n = 0; n + have < want; n++) {
		tables[n] = ops->alloc_table(pt->cfg.ctx, pt->granule_lg2, gfp,
					     &pas[n]);
		if (!tables[n])
			goto out;
	}
	iopgt_gate_close(pt);
	have = pt->levels;
	top = pt->root;
	top_pa = pt->root_pa;
	for (; have < want && i < n; have++, i++) {
		/* entry 0 of the new table at level @have: the old top */
		iopgt_pte_set(&tables[i][0], fmt_make_table(pt, have, top_pa));
		iopgt_sync(pt, tables[i], sizeof(u64));
		top = tables[i];
		top_pa = pas[i];
	}
	if (top != pt->root) {
		pt->root = top;
		pt->root_pa = top_pa;
		pt->top_lg2 = (u8)tpl_min(iopgt_bpl(pt),
					  64 - iopgt_item_lg2(pt, have - 1));
		WRITE_ONCE(pt->levels, (u8)have);
		pt->top_gen++;
	}
	iopgt_gate_open(pt);
out:
	while (n > i) {
		n--;
		ops->free_table(pt->cfg.ctx, tables[n], pt->granule_lg2);
	}
	return iopgt_reaches(pt, last) ? 0 : -ENOMEM;
}
