// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * minimal: iopgt from userspace, start to end.
 *
 * An Intel VT-d first-level table (x86-64 paging) with table memory from a
 * small allocator of this file: map a 2 MiB page and sixteen 4 KiB ones,
 * translate, turn dirty tracking on, harvest into a bitmap, split the
 * large page to 4 KiB and merge it back, clean part of the range, and end
 * with an unmap that reports what was still dirty. Each step checks what
 * iopgt did; the program exits 1 at the first surprise.
 *
 * There is no device here, so nothing writes. What is dirty comes from the
 * format: on x86 first-level (and ARM), turning tracking on leaves the
 * writable pages mapped before it dirty, so the first harvest reports
 * every one of them, as iommufd expects of a first round.
 *
 * Build against an installed iopgt:
 *	cc minimal.c $(pkg-config --cflags --libs iopgt)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iopgt/iopgt.h>

#define SZ_4K	0x1000ull
#define SZ_2M	0x200000ull

/* The IOVA layout: a 2 MiB page, then 16 pages of 4 KiB right after it. */
#define BIG_IOVA	SZ_2M
#define BIG_PA		0x40000000ull
#define SMALL_IOVA	(BIG_IOVA + SZ_2M)
#define SMALL_PA	0x50000000ull
#define SMALL_LEN	(16 * SZ_4K)
#define SPAN		(4 * SZ_2M)		/* what the bitmap covers */
#define SPAN_BITS	(SPAN / SZ_4K)

/*
 * Table memory. iopgt wants zeroed tables aligned to their size, and a
 * struct iopgt_table_meta per table that is not in table memory (that
 * belongs to the hardware). With no phys_to_virt the CPU address is the
 * physical address, which is all a userspace program has. A list is
 * enough for a handful of tables; a real allocator indexes by address.
 */
struct table {
	struct table *next;
	void *mem;
	struct iopgt_table_meta meta;
};

struct allocator {
	struct table *tables;
	unsigned int count;
};

static void *alloc_table(void *ctx, unsigned int size_lg2, iopgt_gfp_t gfp,
			 uint64_t *pa)
{
	struct allocator *a = ctx;
	size_t size = (size_t)1 << size_lg2;
	struct table *t;

	(void)gfp;	/* nothing to choose between in userspace */
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	if (posix_memalign(&t->mem, size, size)) {
		free(t);
		return NULL;
	}
	memset(t->mem, 0, size);
	t->next = a->tables;
	a->tables = t;
	a->count++;
	*pa = (uintptr_t)t->mem;
	return t->mem;
}

static struct table **find_table(struct allocator *a, void *mem)
{
	struct table **pos;

	for (pos = &a->tables; *pos; pos = &(*pos)->next)
		if ((*pos)->mem == mem)
			return pos;
	return NULL;
}

static void free_table(void *ctx, void *mem, unsigned int size_lg2)
{
	struct allocator *a = ctx;
	struct table **pos = find_table(a, mem);
	struct table *t;

	(void)size_lg2;
	if (!pos) {
		fprintf(stderr, "minimal: free of an unknown table %p\n", mem);
		abort();
	}
	t = *pos;
	*pos = t->next;
	a->count--;
	free(t->mem);
	free(t);
}

static struct iopgt_table_meta *table_meta(void *ctx, void *mem)
{
	struct table **pos = find_table(ctx, mem);

	return pos ? &(*pos)->meta : NULL;
}

static const struct iopgt_ops ops = {
	.alloc_table = alloc_table,
	.free_table = free_table,
	.table_meta = table_meta,
	/* .phys_to_virt NULL: PA == CPU address; coherent: no cache_clean */
};

static int failures;

/* check: report a step, and whether it did what it should. */
static void check(int ok, const char *what)
{
	printf("%-4s %s\n", ok ? "ok" : "FAIL", what);
	if (!ok)
		failures++;
}

static int call(int ret, const char *what)
{
	if (ret) {
		printf("FAIL %s: %d (%s)\n", what, ret, iopgt_strerror(ret));
		exit(1);
	}
	return ret;
}

/*
 * What a driver does with a gather: invalidate its range in the IOTLB
 * (there is none here), then let iopgt finish and free what waited.
 */
static void flush(struct iopgt *pt, struct iopgt_gather *g,
		  const struct iopgt_bitmap *bm)
{
	if (g->start <= g->last)
		printf("     invalidate [%#llx, %#llx]%s\n",
		       (unsigned long long)g->start,
		       (unsigned long long)g->last,
		       g->flags & IOPGT_GATHER_TABLES ? " and table caches" :
		       "");
	iopgt_gather_release(pt, g, bm);
	iopgt_gather_init(g);
}

static uint64_t words[SPAN_BITS / 64];

static unsigned int bits_set(void)
{
	unsigned int n = 0, i;

	for (i = 0; i < SPAN_BITS / 64; i++)
		n += (unsigned int)__builtin_popcountll(words[i]);
	return n;
}

/* harvest: read_dirty of [iova, iova + len) into a cleared bitmap. */
static unsigned int harvest(struct iopgt *pt, uint64_t iova, uint64_t len,
			    uint32_t flags, const struct iopgt_bitmap *bm,
			    struct iopgt_gather *g)
{
	memset(words, 0, sizeof(words));
	call(iopgt_read_dirty(pt, iova, len, flags, bm, g), "read_dirty");
	flush(pt, g, NULL);
	return bits_set();
}

static int translates(struct iopgt *pt, uint64_t iova, uint64_t pa)
{
	uint64_t got = 0;

	return iopgt_iova_to_phys(pt, iova, &got) == 0 && got == pa;
}

static void map_and_translate(struct iopgt *pt, struct allocator *a)
{
	uint64_t mapped = 0;

	call(iopgt_map(pt, BIG_IOVA, BIG_PA, SZ_2M, IOPGT_READ | IOPGT_WRITE,
		       0, &mapped), "map 2M");
	check(mapped == SZ_2M, "map: a 2 MiB page");
	call(iopgt_map(pt, SMALL_IOVA, SMALL_PA, SMALL_LEN,
		       IOPGT_READ | IOPGT_WRITE, 0, &mapped), "map 64K");
	check(mapped == SMALL_LEN, "map: sixteen 4 KiB pages");
	check(iopgt_map(pt, BIG_IOVA, BIG_PA, SZ_4K, IOPGT_READ, 0, NULL) ==
	      -EEXIST, "map over a mapping: -EEXIST");
	check(translates(pt, BIG_IOVA + 0x12345, BIG_PA + 0x12345) &&
	      translates(pt, SMALL_IOVA + SMALL_LEN - 1,
			 SMALL_PA + SMALL_LEN - 1),
	      "iova_to_phys inside both mappings");
	check(iopgt_validate(pt, NULL) == 0, "validate");
	printf("     %u tables in use\n", a->count);
}

static void split_and_merge(struct iopgt *pt, struct allocator *a,
			    const struct iopgt_bitmap *bm,
			    struct iopgt_gather *g)
{
	unsigned int before = a->count;

	call(iopgt_split(pt, BIG_IOVA, SZ_2M, 12, 0, 0, g), "split");
	flush(pt, g, NULL);
	check(a->count == before + 1,
	      "split: the 2 MiB page became a table of 512 4 KiB pages");
	check(translates(pt, BIG_IOVA + 0x12345, BIG_PA + 0x12345) &&
	      iopgt_validate(pt, NULL) == 0,
	      "split: same translation, table valid");
	check(harvest(pt, 0, SPAN, IOPGT_DIRTY_NO_CLEAR, bm, g) == 512 + 16,
	      "split: every 4 KiB page of it still dirty");

	call(iopgt_merge(pt, BIG_IOVA, SZ_2M, 0, g), "merge");
	flush(pt, g, NULL);
	check(a->count == before,
	      "merge: one 2 MiB page again, its table freed");
	check(translates(pt, BIG_IOVA + 0x12345, BIG_PA + 0x12345) &&
	      iopgt_validate(pt, NULL) == 0,
	      "merge: same translation, table valid");
	check(harvest(pt, 0, SPAN, IOPGT_DIRTY_NO_CLEAR, bm, g) == 512 + 16,
	      "merge: the 2 MiB page dirty, as its pages were");
}

int main(void)
{
	struct allocator a = { 0 };
	struct iopgt_cfg cfg = {
		.format = IOPGT_FMT_VTD_FL,
		.levels = 4,
		.ops = &ops,
		.ctx = &a,
	};
	struct iopgt_bitmap bm = {
		.base = 0, .pgshift = 12, .words = words, .nbits = SPAN_BITS,
	};
	struct iopgt_gather g;
	struct iopgt pt;
	uint64_t unmapped = 0;

	printf("iopgt %u.%u.%u (header %d.%d.%d)\n", iopgt_version() >> 16,
	       (iopgt_version() >> 8) & 0xff, iopgt_version() & 0xff,
	       IOPGT_VERSION_MAJOR, IOPGT_VERSION_MINOR, IOPGT_VERSION_PATCH);
	check(iopgt_version() == IOPGT_VERSION,
	      "the library is the header's version");
	if (!iopgt_format_available(cfg.format)) {
		printf("FAIL %s is not built into this iopgt\n",
		       iopgt_format_name(cfg.format));
		return 1;
	}
	call(iopgt_init(&pt, &cfg), "init");
	iopgt_gather_init(&g);
	map_and_translate(&pt, &a);

	call(iopgt_set_dirty_tracking(&pt, true, &g), "dirty tracking on");
	flush(&pt, &g, NULL);
	check(harvest(&pt, 0, SPAN, IOPGT_DIRTY_NO_CLEAR, &bm, &g) == 512 + 16,
	      "harvest (no clear): every page mapped before tracking");

	split_and_merge(&pt, &a, &bm, &g);

	check(harvest(&pt, SMALL_IOVA, SMALL_LEN, 0, &bm, &g) == 16,
	      "harvest the 4 KiB pages: reported and cleaned");
	check(harvest(&pt, SMALL_IOVA, SMALL_LEN, 0, &bm, &g) == 0,
	      "harvest them again: nothing");
	check(harvest(&pt, 0, SPAN, IOPGT_DIRTY_NO_CLEAR, &bm, &g) == 512,
	      "harvest (no clear): the 2 MiB page still dirty");

	memset(words, 0, sizeof(words));
	call(iopgt_unmap_read_dirty(&pt, 0, SPAN, 0, &bm, &g, &unmapped),
	     "unmap_read_dirty");
	flush(&pt, &g, &bm);
	check(unmapped == SZ_2M + SMALL_LEN && bits_set() == 512 &&
	      words[BIG_IOVA / SZ_4K / 64] == ~0ull &&
	      words[SMALL_IOVA / SZ_4K / 64] == 0,
	      "unmap_read_dirty: all unmapped, the 2 MiB page reported");
	check(iopgt_iova_to_phys(&pt, BIG_IOVA, &unmapped) == -ENOENT,
	      "iova_to_phys after unmap: -ENOENT");

	iopgt_destroy(&pt);
	check(a.count == 0, "destroy: every table freed");
	printf("%s\n", failures ? "minimal: FAILED" : "minimal: OK");
	return failures ? 1 : 0;
}
