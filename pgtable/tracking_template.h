/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Switching dirty tracking on and off: formats whose clean state is an
 * entry encoding (ARM DBM, x86-64 D) convert their writable leaves.
 *
 * Part of the algorithm template: included once per format by
 * pgtable/iopgt_template.h, after the format's codecs.
 */

static void tpl_tracking_walk(struct tpl_it *it, bool on,
			      struct iopgt_gather *gather)
{
	const struct iopgt *pt = it->pt;
	struct tpl_it sub;
	u64 new, cur;

	for (; tpl_it_more(it); tpl_it_next(it)) {
		switch (tpl_it_load(it)) {
		case IOPGT_E_LEAF:
			for (;;) {
				new = fmt_leaf_set_tracking(pt, it->pte, on);
				if (new == it->pte)
					break;
				cur = iopgt_pte_cmpxchg(tpl_it_ptep(it),
							it->pte, new);
				if (cur == it->pte) {
					iopgt_sync(pt, tpl_it_ptep(it),
						   sizeof(u64));
					iopgt_gather_add(gather,
							 tpl_it_e_first(it),
							 tpl_it_e_last(it));
					break;
				}
				it->pte = cur;
			}
			break;
		case IOPGT_E_TABLE:
			tpl_it_down_whole(it, &sub);
			tpl_tracking_walk(&sub, on, gather);
			break;
		default:
			break;
		}
	}
}

static int tpl_set_dirty_tracking(struct iopgt *pt, bool on,
				  struct iopgt_gather *gather)
{
	struct tpl_it it;

	if (pt->dirty_tracking == on)
		return 0;
	pt->dirty_tracking = on;
	if (FMT_TRACKING_ENCODED) {
		tpl_it_whole(&it, pt, pt->root, pt->levels - 1, 0);
		tpl_tracking_walk(&it, on, gather);
	}
	return 0;
}
