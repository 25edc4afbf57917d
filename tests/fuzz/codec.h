/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The engine's own entry codecs (formats/<fmt>/<fmt>.h), reached through
 * function pointers so that one fuzz target can use every format's.
 *
 * fuzz_decode needs them for one thing the oracles cannot give: to know,
 * exactly as the engine will, which raw values are table entries, and
 * where the engine's encoder puts a table's address in one, so that every
 * table entry it leaves in memory points at a table it allocated. It
 * does not use the engine's decoder of that address: whether the decoder
 * finds the table through whatever else the entry holds is under test.
 * It also uses them to write well-formed leaves among the raw bytes so
 * that validate() passes often enough for the comparison with the hwmodel
 * (which decodes entries on its own, from FORMATS.md) to mean something.
 * The checks themselves never trust these codecs.
 */
#ifndef IOPGT_FUZZ_CODEC_H
#define IOPGT_FUZZ_CODEC_H

#include <iopgt/env.h>
#include <iopgt/iopgt.h>

/* What an entry is (the engine's enum iopgt_etype, which is internal). */
enum fz_etype {
	FZ_E_EMPTY,
	FZ_E_TABLE,
	FZ_E_LEAF,
};

/**
 * struct fz_codec - one format's codecs, as pgtable/format.h names them
 * @classify: fmt_classify(), as an enum fz_etype
 * @make_table: fmt_make_table()
 * @make_leaf: fmt_make_leaf()
 * @prot_attrs: fmt_prot_attrs()
 * @hw_bits: fmt_hw_bits()
 */
struct fz_codec {
	enum fz_etype (*classify)(const struct iopgt *pt, unsigned int level,
				  u64 pte, unsigned int *size_lg2);
	u64 (*make_table)(const struct iopgt *pt, unsigned int level, u64 pa);
	u64 (*make_leaf)(const struct iopgt *pt, unsigned int level, u64 oa,
			 unsigned int size_lg2, u64 attrs);
	int (*prot_attrs)(const struct iopgt *pt, u32 prot, u64 *attrs);
	u64 (*hw_bits)(const struct iopgt *pt, unsigned int level);
};

/**
 * fz_codec() - the codecs of a format
 * @format: the format
 *
 * Return: the codecs, or NULL if @format is not built in.
 */
const struct fz_codec *fz_codec(enum iopgt_format format);

#endif /* IOPGT_FUZZ_CODEC_H */
