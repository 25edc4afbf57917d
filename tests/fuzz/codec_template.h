/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * One format's struct fz_codec. Included by codec_<fmt>.c after the
 * format's header (which maps the generic fmt_* names onto its codecs)
 * and after defining FZ_CODEC_NAME.
 */
#ifndef FZ_CODEC_NAME
#error "define FZ_CODEC_NAME and include a format header first"
#endif

#include "codec.h"

static enum fz_etype fzc_classify(const struct iopgt *pt, unsigned int level,
				  u64 pte, unsigned int *size_lg2)
{
	switch (fmt_classify(pt, level, pte, size_lg2)) {
	case IOPGT_E_TABLE:
		return FZ_E_TABLE;
	case IOPGT_E_LEAF:
		return FZ_E_LEAF;
	default:
		return FZ_E_EMPTY;
	}
}

static u64 fzc_make_table(const struct iopgt *pt, unsigned int level, u64 pa)
{
	return fmt_make_table(pt, level, pa);
}

static u64 fzc_make_leaf(const struct iopgt *pt, unsigned int level, u64 oa,
			 unsigned int size_lg2, u64 attrs)
{
	return fmt_make_leaf(pt, level, oa, size_lg2, attrs);
}

static int fzc_prot_attrs(const struct iopgt *pt, u32 prot, u64 *attrs)
{
	return fmt_prot_attrs(pt, prot, attrs);
}

static u64 fzc_hw_bits(const struct iopgt *pt, unsigned int level)
{
	return fmt_hw_bits(pt, level);
}

extern const struct fz_codec FZ_CODEC_NAME;

const struct fz_codec FZ_CODEC_NAME = {
	.classify = fzc_classify,
	.make_table = fzc_make_table,
	.make_leaf = fzc_make_leaf,
	.prot_attrs = fzc_prot_attrs,
	.hw_bits = fzc_hw_bits,
};
