/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The reference model: what an iopgt table should contain, kept as the
 * list of leaves the engine is expected to create, and nothing about how a
 * format lays them out. Tests apply every operation to both and compare.
 *
 * Each call mirrors the iopgt call of the same verb: the same argument
 * checks in the same order, returning the same codes, and the same leaves
 * as the result. Deliberately simple: a sorted array (with a movable gap,
 * so runs of edits near one place are cheap) searched by bisection.
 *
 * A model is not thread safe; tests that drive iopgt from several threads
 * keep one model per thread's range, or lock.
 */
#ifndef IOPGT_TESTS_MODEL_H
#define IOPGT_TESTS_MODEL_H

#include <stdio.h>

#include <iopgt/env.h>
#include <iopgt/iopgt.h>

/**
 * struct model_leaf - one leaf the table should hold
 * @iova: first IOVA, aligned to 2^@size_lg2
 * @oa: first output address, aligned to 2^@size_lg2
 * @prot: the IOPGT_* prot the leaf was mapped with
 * @size_lg2: its size
 * @dirty: written since it was mapped or last cleaned
 */
struct model_leaf {
	u64 iova;
	u64 oa;
	u32 prot;
	u8 size_lg2;
	bool dirty;
};

struct model;

#define MODEL_MAX_LEVELS 6

/**
 * model_create() - an empty model
 * @pgsize_bitmap: page sizes map may use, bit n for 2^n bytes (as
 *                 struct iopgt's pgsize_bitmap); not 0
 * @ias: IOVA bits, 1..64
 * @oas: output address bits, 1..64
 *
 * Return: the model, or NULL for bad arguments or no memory.
 */
struct model *model_create(u64 pgsize_bitmap, unsigned int ias,
			   unsigned int oas);

/**
 * model_set_geometry() - know where tables are, as iopgt keeps them
 * @m: the model
 * @granule_lg2: log2 of a table's size (12, 14, 16); each level adds
 *               @granule_lg2 - 3 IOVA bits
 * @levels: number of levels; 0 to ignore tables
 *
 * iopgt never replaces a table by a leaf inside map (that would need an
 * invalidation map does not ask for). Unmap frees the tables that lie
 * wholly inside its range and, with no other call in flight (always so
 * for a model's single thread), the tables it leaves holding nothing. With
 * geometry the model tracks which entries point to tables and maps
 * smaller leaves where a table still sits, exactly as iopgt_map() does.
 */
void model_set_geometry(struct model *m, unsigned int granule_lg2,
			unsigned int levels);

/**
 * model_set_reclaim() - whether unmap gives back the tables it empties
 * @m: the model
 * @on: true (the default) as iopgt does; false for a table configured with
 *      IOPGT_QUIRK_KEEP_TABLES, which keeps them
 */
void model_set_reclaim(struct model *m, bool on);

/**
 * model_set_grow() - the table's top may grow (IOPGT_QUIRK_AMD_GROW_TOP)
 * @m: the model, its geometry set with the levels the table starts with
 *
 * The tops a grow leaves below the new one (at IOVA 0, from the starting
 * level count up) are never freed: not by an unmap, a reclaim or a merge.
 */
void model_set_grow(struct model *m);

/**
 * model_grow() - what a map that grew the top to @levels did
 * @m: the model, after model_set_grow()
 * @levels: the new level count
 *
 * Return: 0; -EINVAL for fewer levels or a model that does not grow;
 * -ENOMEM.
 */
int model_grow(struct model *m, unsigned int levels);

/**
 * model_clone() - a copy, for comparing before and after
 * @m: the model
 *
 * Return: the copy (empty last span), or NULL for no memory.
 */
struct model *model_clone(const struct model *m);

/**
 * model_destroy() - free a model
 * @m: the model, or NULL
 */
void model_destroy(struct model *m);

/**
 * model_clear() - remove every leaf
 * @m: the model
 */
void model_clear(struct model *m);

/**
 * model_pgsize_bitmap() - the page sizes the model was created with
 * @m: the model
 */
u64 model_pgsize_bitmap(const struct model *m);

/**
 * model_count() - the number of leaves
 * @m: the model
 */
size_t model_count(const struct model *m);

/**
 * model_mapped_bytes() - the total size of the leaves
 * @m: the model
 */
u64 model_mapped_bytes(const struct model *m);

/**
 * model_map() - what iopgt_map() does
 * @m: the model
 * @iova: first IOVA
 * @pa: first physical address
 * @len: bytes
 * @prot: IOPGT_* prot
 *
 * From the start, each leaf is the largest allowed size that both the IOVA
 * and the PA at that point are aligned to and that fits in what remains.
 * New leaves are clean. Nothing changes on failure.
 *
 * Return: 0; checked in this order: -EINVAL for zero @len or @iova, @pa,
 * @len not a multiple of the smallest page; -EINVAL for @prot without
 * READ and WRITE or with bits outside IOPGT_PROT_ALL; -EOVERFLOW if the
 * IOVA or PA range wraps past 2^64; -ERANGE if it reaches 2^ias or 2^oas;
 * -EEXIST if a leaf intersects the range; -ENOMEM.
 */
int model_map(struct model *m, u64 iova, u64 pa, u64 len, u32 prot);

/**
 * model_unmap() - what iopgt_unmap() does
 * @m: the model
 * @iova: first IOVA
 * @len: bytes
 * @unmapped: if not NULL, set to the total size of the leaves removed
 *
 * Every leaf intersecting [@iova, @iova + @len) is removed whole. The
 * extent of the removed leaves is the last span (model_last_span()).
 *
 * Return: 0; -EINVAL for zero @len or misaligned @iova or @len; -EOVERFLOW
 * if the range wraps; -ERANGE if it reaches 2^ias; -ENOENT if no leaf
 * intersects it.
 */
int model_unmap(struct model *m, u64 iova, u64 len, u64 *unmapped);

/**
 * model_last_span() - what the last successful editing call changed
 * @m: the model
 * @start: set to the first IOVA of the changed leaves
 * @last: set to the last IOVA of the changed leaves (inclusive)
 *
 * Set by model_map() (the mapped range), model_unmap() (the removed
 * leaves, whole), model_read_dirty() with clear (the leaves cleaned),
 * model_split() (the leaves split) and model_merge() (the merged blocks).
 * A gather must cover at least this.
 *
 * Return: false if that call changed no leaf (or none was made since
 * creation, clone or clear).
 */
bool model_last_span(const struct model *m, u64 *start, u64 *last);

/**
 * model_lookup() - the leaf containing an IOVA
 * @m: the model
 * @iova: any IOVA
 * @out: if not NULL, set to the leaf
 *
 * Return: true if a leaf contains @iova.
 */
bool model_lookup(const struct model *m, u64 iova, struct model_leaf *out);

/**
 * model_translate() - what iopgt_iova_to_phys() does
 * @m: the model
 * @iova: any IOVA
 * @pa: set to the output address of @iova
 *
 * Return: 0; -ERANGE if @iova is at or beyond 2^ias; -ENOENT if unmapped.
 */
int model_translate(const struct model *m, u64 iova, u64 *pa);

/**
 * model_set_dirty() - record a device write at @iova
 * @m: the model
 * @iova: the IOVA written
 *
 * Marks the whole leaf containing @iova dirty, whatever its prot: the
 * caller decides whether the write was allowed.
 *
 * Return: true if a leaf contains @iova.
 */
bool model_set_dirty(struct model *m, u64 iova);

/**
 * model_set_dirty_range() - record device writes over a range
 * @m: the model
 * @iova: first IOVA
 * @len: bytes (0 marks nothing)
 *
 * Return: the number of leaves marked (each leaf intersecting the range).
 */
size_t model_set_dirty_range(struct model *m, u64 iova, u64 len);

/**
 * model_read_dirty() - the bitmap iopgt_read_dirty() should produce
 * @m: the model
 * @iova: first IOVA of the range
 * @len: bytes
 * @clear: clean the dirty leaves reported (not IOPGT_DIRTY_NO_CLEAR)
 * @base: IOVA of bit 0
 * @pgshift: bit i stands for [@base + (i << @pgshift), + 2^@pgshift)
 * @words: bits are set here (never cleared); may be NULL to only clean
 * @nbits: bits in @words; pages beyond are not reported
 *
 * Every dirty leaf intersecting the range sets each bit whose page
 * intersects the part of the leaf inside the range. With @clear, the
 * leaves wholly inside the range become clean, and their extent is the
 * last span; a leaf only partly inside stays dirty, since cleaning it would
 * lose the state of its part outside the range.
 *
 * Return: 0; -EINVAL for zero @len, misaligned @iova or @len, @pgshift
 * outside 12..63, or NULL @words with @nbits; -EOVERFLOW if the range
 * wraps; -ERANGE if it reaches 2^ias.
 */
int model_read_dirty(struct model *m, u64 iova, u64 len, bool clear,
		     u64 base, unsigned int pgshift, u64 *words, u64 nbits);

/**
 * model_mark_dirty_leaves() - the bits iopgt_unmap_read_dirty() should set
 * @m: the model, before model_unmap() of the range
 * @iova: first IOVA of the range
 * @len: bytes (0 marks nothing; a range past 2^64 is cut there)
 * @base: IOVA of bit 0
 * @pgshift: bit i stands for [@base + (i << @pgshift), + 2^@pgshift)
 * @words: bits are set here (never cleared)
 * @nbits: bits in @words; pages beyond are not reported
 *
 * Unmap removes every leaf intersecting the range whole, so each dirty one
 * sets the bit of every page it covers, inside the range or not (unlike
 * model_read_dirty(), which reports only the part inside). Pages below
 * @base are not reported. Neither the leaves nor their state change; no
 * argument is checked.
 *
 * Return: the number of dirty leaves marked.
 */
size_t model_mark_dirty_leaves(const struct model *m, u64 iova, u64 len,
			       u64 base, unsigned int pgshift, u64 *words,
			       u64 nbits);

/**
 * model_bitmap_set() - set the bit of every page a range touches
 * @words: the bitmap
 * @nbits: bits in @words; pages beyond are not set
 * @base: IOVA of bit 0; pages below it are not set
 * @pgshift: bit i stands for [@base + (i << @pgshift), + 2^@pgshift)
 * @start: first IOVA of the range
 * @last: last IOVA of the range (inclusive, >= @start)
 *
 * What the model's bitmaps are made of, for tests that build an expected
 * bitmap from leaves of their own.
 */
void model_bitmap_set(u64 *words, u64 nbits, u64 base, unsigned int pgshift,
		      u64 start, u64 last);

/**
 * model_split() - what iopgt_split() does
 * @m: the model
 * @iova: first IOVA
 * @len: bytes
 * @size_lg2: the target size
 *
 * Every leaf intersecting the range and larger than 2^@size_lg2 becomes
 * leaves of exactly that size, with the same OA progression, prot and
 * dirty state. The split leaves' extent is the last span.
 *
 * Return: 0; -EINVAL for zero @len, misaligned @iova or @len, or a
 * @size_lg2 not in the page sizes; -EOVERFLOW; -ERANGE; -ENOMEM.
 */
int model_split(struct model *m, u64 iova, u64 len, unsigned int size_lg2);

/**
 * model_cut() - what iopgt_unmap() does with IOPGT_UNMAP_CUT
 * @m: the model, with geometry (model_set_geometry())
 * @iova: first IOVA
 * @len: bytes
 * @can_split: false if the table may not split a leaf (ARM without
 *             BBML2): then a cut that needs one is -EBUSY
 * @unmapped: set to the bytes of the range that were mapped
 *
 * A leaf reaching past either end of the range is first replaced by the
 * largest leaves that fit on each side of the end: naturally aligned, of
 * an entry's size at a level below the leaf's (at the leaf's own level for
 * a leaf filling several slots), one of the page sizes; each keeps the
 * leaf's OA progression, prot and dirty state, and the entries above them
 * become tables. Then exactly the range is unmapped, as model_unmap().
 *
 * Return: as model_unmap(); -EBUSY (nothing changed) as said above.
 */
int model_cut(struct model *m, u64 iova, u64 len, bool can_split,
	      u64 *unmapped);

/**
 * model_merge() - what iopgt_merge() does
 * @m: the model
 * @iova: first IOVA
 * @len: bytes
 * @allowed_bitmap: sizes a merge may produce; 0 for the model's page
 *                  sizes (it is intersected with them anyway)
 *
 * Considering only leaves wholly inside the range: each naturally aligned
 * block of an allowed size, wholly inside the range, that smaller leaves
 * exactly cover, with contiguous OA from a block-aligned start and equal
 * prot, becomes one leaf whose dirty state is the OR of theirs. The
 * largest such block wins. The merged blocks' extent is the last span.
 *
 * Return: 0; -EINVAL for zero @len, misaligned @iova or @len; -EOVERFLOW;
 * -ERANGE.
 */
int model_merge(struct model *m, u64 iova, u64 len, u64 allowed_bitmap);

/**
 * model_add_leaf() - insert one leaf as is
 * @m: the model
 * @leaf: the leaf
 *
 * For building a model from what a walk of a real table finds, to compare
 * with model_equal(). The size need not be one of the page sizes.
 *
 * Return: 0; -EINVAL for a size below the smallest page or above 2^63, or
 * an IOVA or OA not aligned to it; -ERANGE beyond ias or oas; -EEXIST if
 * it intersects a leaf; -ENOMEM.
 */
int model_add_leaf(struct model *m, const struct model_leaf *leaf);

/**
 * model_foreach() - call @cb on every leaf in IOVA order
 * @m: the model
 * @cb: return non-zero to stop
 * @ctx: passed to @cb
 *
 * @cb must not change @m.
 *
 * Return: 0, or the first non-zero value @cb returned.
 */
int model_foreach(const struct model *m,
		  int (*cb)(void *ctx, const struct model_leaf *leaf),
		  void *ctx);

/**
 * model_foreach_range() - model_foreach() over the leaves intersecting a
 *                         range
 * @m: the model
 * @iova: first IOVA
 * @len: bytes (0: none)
 * @cb: as model_foreach()
 * @ctx: passed to @cb
 *
 * Return: as model_foreach().
 */
int model_foreach_range(const struct model *m, u64 iova, u64 len,
			int (*cb)(void *ctx, const struct model_leaf *leaf),
			void *ctx);

/* Flags of model_equal(). */
#define MODEL_CMP_IGNORE_DIRTY	(1u << 0)
#define MODEL_CMP_IGNORE_PROT	(1u << 1)

/**
 * struct model_diff - the first difference model_equal() found
 * @iova: the lowest IOVA where the models differ
 * @has_a: @a holds the leaf of the first model at @iova
 * @has_b: @b holds the leaf of the second model at @iova
 * @a: that leaf
 * @b: that leaf
 */
struct model_diff {
	u64 iova;
	bool has_a;
	bool has_b;
	struct model_leaf a;
	struct model_leaf b;
};

/**
 * model_equal() - whether two models hold the same leaves
 * @a: a model
 * @b: another model
 * @flags: MODEL_CMP_*
 * @diff: if not NULL, filled with the first difference
 *
 * Leaves must match exactly (iova, size, oa, and unless told otherwise
 * prot and dirty). The page sizes, ias and oas are not compared.
 *
 * Return: true if no difference was found.
 */
bool model_equal(const struct model *a, const struct model *b,
		 unsigned int flags, struct model_diff *diff);

/**
 * model_same_translation() - whether two models translate alike
 * @a: a model
 * @b: another model
 * @iova: if not NULL, set to the first IOVA that differs
 *
 * Ignores how translations are cut into leaves and their dirty state:
 * every IOVA must be mapped in both or in neither, to the same OA with the
 * same prot. What split and merge must preserve.
 *
 * Return: true if they translate alike.
 */
bool model_same_translation(const struct model *a, const struct model *b,
			    u64 *iova);

/**
 * model_leaf_dump() - print one leaf on one line
 * @leaf: the leaf
 * @f: where
 */
void model_leaf_dump(const struct model_leaf *leaf, FILE *f);

/**
 * model_dump() - print every leaf, one per line
 * @m: the model
 * @f: where
 */
void model_dump(const struct model *m, FILE *f);

#endif /* IOPGT_TESTS_MODEL_H */
