/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Internals shared by the dispatcher (iopgt.c) and every format's
 * instantiation of the algorithm template (iopgt_template.h).
 */
#ifndef IOPGT_INTERNAL_H
#define IOPGT_INTERNAL_H

#include <iopgt/env.h>
#include <iopgt/iopgt.h>

#define IOPGT_MAX_LEVELS 6

/* Flags in struct iopgt_table_meta for a detached table. */
#define IOPGT_META_READ_DIRTY	(1u << 0) /* report its dirty leaves */
#define IOPGT_META_MERGE_DIRTY	(1u << 1) /* dirty children: mark the merged leaf */
#define IOPGT_META_MERGE_NT	(1u << 2) /* then clear nT in the merged leaf */
#define IOPGT_META_MERGE_INSTALL (1u << 3) /* then install the merged leaf */

/* What an entry is, as a format's classify codec sees it. */
enum iopgt_etype {
	IOPGT_E_EMPTY = 0,
	IOPGT_E_TABLE,
	IOPGT_E_LEAF,
};

/*
 * One instantiation of the core per format, chosen at iopgt_init(). The
 * dispatcher in iopgt.c checks every argument before calling these, so the
 * template's functions only ever see aligned, in-range, non-wrapping input.
 */
struct iopgt_fmt_ops {
	enum iopgt_format format;
	int (*init)(struct iopgt *pt);
	void (*hw_info)(const struct iopgt *pt, struct iopgt_hw_info *info);
	int (*map)(struct iopgt *pt, u64 iova, u64 pa, u64 len, u32 prot,
		   iopgt_gfp_t gfp);
	int (*unmap)(struct iopgt *pt, u64 iova, u64 last, u32 flags,
		     const struct iopgt_bitmap *bitmap, bool read_dirty,
		     struct iopgt_gather *gather, u64 *unmapped);
	int (*iova_to_phys)(struct iopgt *pt, u64 iova, u64 *pa);
	int (*read_dirty)(struct iopgt *pt, u64 iova, u64 last, u32 flags,
			  const struct iopgt_bitmap *bitmap,
			  struct iopgt_gather *gather);
	int (*set_dirty_tracking)(struct iopgt *pt, bool on,
				  struct iopgt_gather *gather);
	int (*grow)(struct iopgt *pt, u64 last, iopgt_gfp_t gfp);
	int (*split)(struct iopgt *pt, u64 iova, u64 last,
		     unsigned int pgsize_lg2, u32 flags, iopgt_gfp_t gfp,
		     struct iopgt_gather *gather);
	int (*merge)(struct iopgt *pt, u64 iova, u64 last, u32 flags,
		     struct iopgt_gather *gather);
	void (*release_table)(struct iopgt *pt, u64 *table,
			      const struct iopgt_table_meta *meta,
			      const struct iopgt_bitmap *bitmap);
	void (*gather_finish)(struct iopgt *pt, struct iopgt_gather *gather,
			      const struct iopgt_bitmap *bitmap);
	void (*free_tree)(struct iopgt *pt, u64 *table, unsigned int level);
	int (*validate)(struct iopgt *pt, struct iopgt_validate_err *err);
	void (*dump)(struct iopgt *pt,
		     void (*print)(void *ctx, const char *line), void *ctx);
};

/*
 * The link-level name of a global the core defines: @name itself, or
 * IOPGT_PREFIX's value, '_', @name when a vendoring driver sets a prefix
 * (<iopgt/prefix.h>).
 */
#ifndef IOPGT_PREFIX
#define IOPGT_SYM(name)	name
#endif

/*
 * Each format's instantiation, iopgt_fmt_<name>, defined by
 * formats/<folder>/ (its IOPGT_FMT_OPS_NAME). Declared for every format
 * in the list; only the dispatch table in iopgt.c refers to them, and only
 * to those of the folders built.
 */
#define IOPGT_FMT_OPS_DECL_(ENUM, name, FOLDER)				\
	extern const struct iopgt_fmt_ops IOPGT_SYM(iopgt_fmt_##name);
IOPGT_FORMAT_LIST(IOPGT_FMT_OPS_DECL_)
#undef IOPGT_FMT_OPS_DECL_

/* Bits per level (table index width) below the top. */
static inline unsigned int iopgt_bpl(const struct iopgt *pt)
{
	return pt->granule_lg2 - 3;
}

/* log2 of the bytes one entry at @level translates. */
static inline unsigned int iopgt_item_lg2(const struct iopgt *pt,
					  unsigned int level)
{
	return pt->granule_lg2 + level * iopgt_bpl(pt);
}

/* log2 of the number of entries a table at @level has. */
static inline unsigned int iopgt_table_lg2(const struct iopgt *pt,
					   unsigned int level)
{
	return level == pt->levels - 1u ? pt->top_lg2 : iopgt_bpl(pt);
}

/* Index of the entry translating @iova in a table at @level. */
static inline unsigned int iopgt_index(const struct iopgt *pt,
				       unsigned int level, u64 iova)
{
	return (iova >> iopgt_item_lg2(pt, level)) &
	       ((1ull << iopgt_table_lg2(pt, level)) - 1);
}

/* The level a leaf of 2^@size_lg2 bytes lives at. */
static inline unsigned int iopgt_size_level(const struct iopgt *pt,
					    unsigned int size_lg2)
{
	return (size_lg2 - pt->granule_lg2) / iopgt_bpl(pt);
}

/*
 * Does the table as it is now translate @last? Always within ias, but for
 * a table that may grow its top (IOPGT_QUIRK_AMD_GROW_TOP).
 */
static inline bool iopgt_reaches(const struct iopgt *pt, u64 last)
{
	unsigned int lg2 = iopgt_item_lg2(pt, pt->levels - 1) + pt->top_lg2;

	return lg2 >= 64 || !(last >> lg2);
}

/* Smallest page size in use, log2. */
static inline unsigned int iopgt_min_lg2(const struct iopgt *pt)
{
	return iopgt_ffs64(pt->pgsize_bitmap) - 1;
}

/* Mask of the low @lg2 bits; @lg2 may be 64. */
static inline u64 iopgt_lg2_mask(unsigned int lg2)
{
	return lg2 >= 64 ? ~0ull : (1ull << lg2) - 1;
}

/*
 * A table whose top may grow translates less than ias until it does, and
 * nothing is mapped beyond what it translates. Clips *@last to that; false
 * if nothing of the range is in reach. Called between enter and exit, with
 * the level count stable.
 */
static inline bool iopgt_clip_reach(const struct iopgt *pt, u64 iova,
				    u64 *last)
{
	unsigned int lg2 = iopgt_item_lg2(pt, pt->levels - 1) + pt->top_lg2;

	if (iopgt_reaches(pt, *last))
		return true;
	if (iova >> lg2)
		return false;
	*last = iopgt_lg2_mask(lg2);
	return true;
}

/*
 * Every load, store and atomic update of a table entry goes through these
 * four: table memory holds each entry little-endian, the byte order every
 * supported walker reads (AMD, VT-d and x86 paging by definition; ARM
 * SMMUs as the driver programs them, see iopgt_hw_info()), while the
 * format codecs and the algorithms work on CPU-order values. On a
 * little-endian CPU the conversions compile to nothing. The accesses are
 * single-copy atomic on every kernel (env.h), since the hardware walks
 * and updates entries while the core edits them.
 */
static inline u64 iopgt_pte_get(const u64 *ptep)
{
	return iopgt_le64_to_cpu(iopgt_load64(ptep));
}

static inline void iopgt_pte_set(u64 *ptep, u64 pte)
{
	iopgt_store64(ptep, iopgt_cpu_to_le64(pte));
}

/* Return the entry found (CPU order); @pte was stored iff it equals @old. */
static inline u64 iopgt_pte_cmpxchg(u64 *ptep, u64 old, u64 pte)
{
	return iopgt_le64_to_cpu(iopgt_cmpxchg64(ptep, iopgt_cpu_to_le64(old),
						 iopgt_cpu_to_le64(pte)));
}

static inline u64 iopgt_pte_xchg(u64 *ptep, u64 pte)
{
	return iopgt_le64_to_cpu(iopgt_xchg64(ptep, iopgt_cpu_to_le64(pte)));
}

static inline void *iopgt_table_va(const struct iopgt *pt, u64 pa)
{
	if (pt->cfg.ops->phys_to_virt)
		return pt->cfg.ops->phys_to_virt(pt->cfg.ctx, pa);
	return (void *)(uintptr_t)pa;
}

/*
 * Make @len bytes of entries at @va visible to a walker that does not snoop
 * the CPU caches. Every entry write is followed by this before anything
 * that lets the hardware reach it (installing the parent, returning).
 */
static inline void iopgt_sync(const struct iopgt *pt, const void *va,
			      size_t len)
{
	if (unlikely(pt->cfg.quirks & IOPGT_QUIRK_NON_COHERENT))
		pt->cfg.ops->cache_clean(pt->cfg.ctx, (void *)va, len);
}

/* Widen @gather to cover [@iova, @last]. */
static inline void iopgt_gather_add(struct iopgt_gather *gather, u64 iova,
				    u64 last)
{
	if (gather->start > gather->last) {
		gather->start = iova;
		gather->last = last;
		return;
	}
	if (iova < gather->start)
		gather->start = iova;
	if (last > gather->last)
		gather->last = last;
}

/* Put a detached table on @gather; freed by iopgt_gather_release(). */
void iopgt_gather_detach(struct iopgt *pt, struct iopgt_gather *gather,
			 u64 *table, unsigned int level, u64 iova, u32 flags);

/*
 * The reclaim gate (iopgt.c): true if the caller, itself a counted call,
 * is now the only call walking the tree and no other may start until
 * iopgt_reclaim_end(); false (nothing held) otherwise.
 */
bool iopgt_reclaim_begin(struct iopgt *pt);
void iopgt_reclaim_end(struct iopgt *pt);

/*
 * The same gate held against every call, for a caller that is not itself
 * counted (growing the top, before map counts itself): waits until no
 * other call is inside and keeps new ones out until iopgt_gate_open().
 */
static inline void iopgt_gate_close(struct iopgt *pt)
{
	while (iopgt_cmpxchg64(&pt->reclaim, 0, 1) != 0)
		iopgt_cpu_relax();
	/* calls that counted themselves before the gate closed finish */
	while (READ_ONCE(pt->active))
		iopgt_cpu_relax();
}

static inline void iopgt_gate_open(struct iopgt *pt)
{
	iopgt_reclaim_end(pt);
}

/*
 * Tables a grown top must keep: the old tops, at IOVA 0 from the level
 * the table started with (cfg.levels) up. A device may still walk from
 * the old DTE, so they are never detached by an unmap, a reclaim or a
 * merge.
 */
static inline bool iopgt_keeps_table(const struct iopgt *pt,
				     unsigned int level, u64 iova)
{
	return (pt->cfg.quirks & IOPGT_QUIRK_AMD_GROW_TOP) && !iova &&
	       level + 1u >= pt->cfg.levels;
}

/* Report the dirty stretch [@iova, @last] into @bitmap (already clipped). */
void iopgt_bitmap_record(const struct iopgt_bitmap *bitmap, u64 iova,
			 u64 last);

/* Append helpers for iopgt_dump(), which has no printf to lean on. */
struct iopgt_line {
	char buf[160];
	unsigned int len;
};

void iopgt_line_str(struct iopgt_line *line, const char *s);
void iopgt_line_hex(struct iopgt_line *line, u64 v, unsigned int digits);
void iopgt_line_dec(struct iopgt_line *line, u64 v);

#endif /* IOPGT_INTERNAL_H */
