// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * icount: the instructions iopgt executes per leaf, counted by callgrind.
 *
 * Run under `valgrind --tool=callgrind --instr-atstart=no
 * --collect-atstart=no`, this program turns collection on around exactly
 * the iopgt calls a row measures (callgrind's client requests), so the
 * output file's total is the instruction count of those calls and of
 * nothing else: no set-up, no checks, no device model. Instruction counts
 * do not depend on what else the machine runs. scripts/icount runs one
 * row and format per process and prints the table; bench/README.md lists
 * the rows, the figures and the targets.
 *
 * Every row builds its own table with 4 KiB tables (ARM: the 4K granule)
 * that allows exactly the row's page size (the ragged rows: 4K and 2M, and
 * on ARM BBML2, the configuration split uses), through the benchmarks'
 * shim, and calls iopgt's public API directly. The ragged rows count per
 * 2M leaf touched, two per call. The columns are the shim's variants:
 * every format, then formats with other quirks ("arm_s1+lpa2"):
 *
 *   map_4k            iopgt_map() of 64 MiB of 4K pages, one call
 *   map_2m            iopgt_map() of 1 GiB of 2M pages, one call
 *   map_256x4k        64 iopgt_map() calls of 256 4K pages (1 MiB) each,
 *                     into leaf tables that exist already
 *   unmap_4k          iopgt_unmap() of 64 MiB of 4K pages, one call, and
 *                     its iopgt_gather_release()
 *   unmap_256x4k      64 iopgt_unmap() calls of 256 4K pages each, each
 *                     with its iopgt_gather_release(); the tables stay
 *   harvest_2m_clean  iopgt_read_dirty() (clearing, into a bitmap of 4 KiB
 *   harvest_2m_dirty  bits) over 1 GiB of 2M leaves, none or all dirty,
 *                     and its iopgt_gather_release()
 *   harvest_4k_clean  the same over 64 MiB of 4K leaves
 *   harvest_4k_dirty
 *   cut_2m_ragged     256 iopgt_unmap() calls with IOPGT_UNMAP_CUT over
 *                     1 GiB of 2M leaves, call k removing [2k 2M + 17 4K,
 *                     (2k + 1) 2M + 300 4K): each splits the two 2M
 *                     leaves it starts and ends in and removes exactly
 *                     the range; each with its iopgt_gather_release()
 *   unmap_2m_ragged   the same calls without the flag, which remove the
 *                     two leaves whole: what cutting adds shows beside it
 *
 * "Pre-faulted" (the 256 x 4K rows): each call works in the first half of
 * its own 2 MiB region, whose last 4K page stays mapped throughout. Unmap
 * gives back the tables it empties, so without that page the leaf table
 * would go with every unmap and come back with every map. The range is
 * also mapped and unmapped once before the counted calls.
 *
 * Every row first runs its operation once uncounted, so the counted calls
 * find the table and its allocator as in a long-running system (freed
 * tables waiting for reuse), and checks every counted call's result: the
 * bytes mapped or unmapped, the bits a harvest reports, for the
 * 256 x 4K rows that no table came or went, and for the ragged rows that
 * the pages beside each range translate as they must. The table's calls
 * into its allocator (talloc, through iopgt's ops) are left out of the
 * count unless --with-alloc is given: a kernel pays for those in its own
 * page allocator. The program is linked with -z now, so no lazy symbol binding
 * lands in a counted call.
 *
 * Without valgrind the client requests do nothing, and the program is a
 * quick check that every row runs and checks out (the ctest smoke test).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <valgrind/callgrind.h>

#include <iopgt/env.h>
#include <iopgt/iopgt.h>

#include "shim.h"

#define SZ_4K		(1ull << 12)
#define SZ_1M		(1ull << 20)
#define SZ_2M		(1ull << 21)
#define SZ_64M		(64ull << 20)
#define SZ_1G		(1ull << 30)

/* The 256 x 4K rows: this many calls, one per 2 MiB region. */
#define CHUNK_CALLS	64
#define CHUNK_LEN	SZ_1M

/* Where the mapping starts: not 0, so IOVA 0 is not special. */
#define BASE_IOVA	SZ_1G

/*
 * The ragged rows: call k removes [2k 2M + head, (2k + 1) 2M + tail) of
 * 1 GiB of 2M leaves, neither end on a 2M boundary, so each call splits
 * two leaves when it cuts; the pairs of leaves are disjoint.
 */
#define RAGGED_HEAD	SHIM_CUT_HEAD	/* 17 4K pages, as BM_cut */
#define RAGGED_TAIL	SHIM_CUT_TAIL	/* 300 */
#define RAGGED_CALLS	256
#define RAGGED_LEN	(SZ_2M - RAGGED_HEAD + RAGGED_TAIL)
/*
 * A cut of a 2M leaf makes its 512 4K leaves and unmaps those inside the
 * range: it should cost no more than mapping 512 4K leaves and unmapping
 * them, at the targets of the map 4K (15) and unmap 4K (10) rows.
 */
#define CUT_TARGET	(512 * (15 + 10))

enum row_kind {
	ROW_MAP,
	ROW_UNMAP,
	ROW_HARVEST,
	ROW_RAGGED,
};

struct row {
	const char *name;
	const char *title;	/* for the table */
	enum row_kind kind;
	unsigned int pgsize_lg2;
	uint64_t len;		/* one call's bytes */
	unsigned int calls;	/* > 1: one per 2 MiB region, pre-faulted */
	bool dirty;		/* harvest: every leaf dirty, or none */
	double target;		/* instructions per leaf the core aims at;
				 * 0: none, the row is there for comparison */
	uint32_t unmap_flags;	/* ragged: iopgt_unmap()'s flags */
};

static const struct row rows[] = {
	{ "map_4k", "map 4K", ROW_MAP, 12, SZ_64M, 1, false, 15, 0 },
	{ "map_2m", "map 2M", ROW_MAP, 21, SZ_1G, 1, false, 15, 0 },
	{ "map_256x4k", "map 256 x 4K", ROW_MAP, 12, CHUNK_LEN, CHUNK_CALLS,
	  false, 25, 0 },
	{ "unmap_4k", "unmap 4K", ROW_UNMAP, 12, SZ_64M, 1, false, 10, 0 },
	{ "unmap_256x4k", "unmap 256 x 4K", ROW_UNMAP, 12, CHUNK_LEN,
	  CHUNK_CALLS, false, 25, 0 },
	{ "harvest_2m_clean", "harvest 2M clean", ROW_HARVEST, 21, SZ_1G, 1,
	  false, 20, 0 },
	{ "harvest_2m_dirty", "harvest 2M all dirty", ROW_HARVEST, 21, SZ_1G,
	  1, true, 100, 0 },
	{ "harvest_4k_clean", "harvest 4K clean", ROW_HARVEST, 12, SZ_64M, 1,
	  false, 7, 0 },
	{ "harvest_4k_dirty", "harvest 4K all dirty", ROW_HARVEST, 12, SZ_64M,
	  1, true, 20, 0 },
	{ "cut_2m_ragged", "cut 2M ragged (per 2M leaf)", ROW_RAGGED, 21,
	  RAGGED_LEN, RAGGED_CALLS, false, CUT_TARGET, IOPGT_UNMAP_CUT },
	{ "unmap_2m_ragged", "unmap 2M ragged (per 2M leaf)", ROW_RAGGED, 21,
	  RAGGED_LEN, RAGGED_CALLS, false, 0, 0 },
};

#define NROWS	(sizeof(rows) / sizeof(rows[0]))

/* main() keeps the rows and formats named on the command line in bits */
_Static_assert(NROWS <= 32, "too many rows for a uint32_t set");
/* (and the variants in a uint64_t set, which main() checks at run time) */

/* ---- counting ------------------------------------------------------------ */

/*
 * Collection is on only between count_begin() and count_end(), and off
 * again inside the allocator while counting, unless --with-alloc.
 * Instrumentation (valgrind's, which makes collection possible at all) is
 * on for the whole counted phase of a row; the set-up before it runs at
 * near native speed.
 */
static bool counting;
static bool with_alloc;
/* Calls into the allocator while counting (entries into ops_hook()) */
static uint64_t counted_callbacks;

static void count_begin(void)
{
	CALLGRIND_TOGGLE_COLLECT;
	counting = true;
}

static void count_end(void)
{
	counting = false;
	CALLGRIND_TOGGLE_COLLECT;
}

static void ops_hook(bool enter)
{
	if (!counting)
		return;
	if (enter)
		counted_callbacks++;
	if (!with_alloc)
		CALLGRIND_TOGGLE_COLLECT;
}

/* ---- one row ------------------------------------------------------------- */

struct run {
	const struct row *row;
	struct shim_pt *spt;
	struct iopgt *pt;
	uint64_t *words;	/* harvest bitmap, one bit per 4 KiB */
	struct iopgt_bitmap bm;
};

/* Several calls, one per 2 MiB region, with the region pre-faulted */
static bool chunked(const struct row *row)
{
	return row->kind != ROW_RAGGED && row->calls > 1;
}

/* The IOVA of call @i of the row */
static uint64_t call_iova(const struct run *r, unsigned int i)
{
	if (r->row->kind == ROW_RAGGED)
		return BASE_IOVA + i * 2 * SZ_2M + RAGGED_HEAD;
	return BASE_IOVA + i * (chunked(r->row) ? SZ_2M : r->row->len);
}

/* The IOVA the row maps, from BASE_IOVA */
static uint64_t span(const struct run *r)
{
	if (r->row->kind == ROW_RAGGED)
		return SZ_1G;
	return chunked(r->row) ? r->row->calls * SZ_2M : r->row->len;
}

static int map(struct run *r, uint64_t iova, uint64_t len, bool counted)
{
	uint64_t mapped = 0;
	int ret;

	if (counted)
		count_begin();
	ret = iopgt_map(r->pt, iova, iova, len, IOPGT_READ | IOPGT_WRITE, 0,
			&mapped);
	if (counted)
		count_end();
	if (!ret && mapped != len)
		ret = -EIO;
	return ret;
}

static int unmap(struct run *r, uint64_t iova, uint64_t len, bool counted)
{
	struct iopgt_gather gather;
	uint64_t unmapped = 0;
	int ret;

	iopgt_gather_init(&gather);
	if (counted)
		count_begin();
	ret = iopgt_unmap(r->pt, iova, len, 0, &gather, &unmapped);
	iopgt_gather_release(r->pt, &gather, NULL);
	if (counted)
		count_end();
	if (!ret && unmapped != len)
		ret = -EIO;
	return ret;
}

/*
 * One ragged call: the whole range when it cuts, the two 2M leaves it
 * reaches into when it does not.
 */
static int ragged(struct run *r, unsigned int i, bool counted)
{
	uint32_t flags = r->row->unmap_flags;
	uint64_t iova = call_iova(r, i), unmapped = 0;
	struct iopgt_gather gather;
	int ret;

	iopgt_gather_init(&gather);
	if (counted)
		count_begin();
	ret = iopgt_unmap(r->pt, iova, r->row->len, flags, &gather,
			  &unmapped);
	iopgt_gather_release(r->pt, &gather, NULL);
	if (counted)
		count_end();
	if (!ret && unmapped != (flags & IOPGT_UNMAP_CUT ? r->row->len :
				 2 * SZ_2M))
		ret = -EIO;
	return ret;
}

static int ragged_calls(struct run *r, bool counted)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < r->row->calls && !ret; i++)
		ret = ragged(r, i, counted);
	return ret;
}

/* The whole range unmapped (what the ragged calls left of it), then 2M */
static int ragged_remap(struct run *r)
{
	struct iopgt_gather gather;
	int ret;

	iopgt_gather_init(&gather);
	ret = iopgt_unmap(r->pt, BASE_IOVA, SZ_1G, 0, &gather, NULL);
	iopgt_gather_release(r->pt, &gather, NULL);
	if (ret == -ENOENT)
		ret = 0;
	return ret ? ret : map(r, BASE_IOVA, SZ_1G, false);
}

/* Does @iova translate to itself (true), or not at all (false)? */
static int translates(struct run *r, uint64_t iova, bool *mapped)
{
	uint64_t pa;
	int ret = iopgt_iova_to_phys(r->pt, iova, &pa);

	*mapped = !ret;
	if (ret == -ENOENT)
		return 0;
	return !ret && pa != iova ? -EIO : ret;
}

/*
 * After the counted ragged calls: the first and last page of each range
 * gone, and the pages just outside it kept by a cut, gone without one.
 */
static int ragged_check(struct run *r)
{
	bool cut = r->row->unmap_flags & IOPGT_UNMAP_CUT;
	uint64_t iova, end;
	bool in0, in1, out0, out1;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < r->row->calls && !ret; i++) {
		iova = call_iova(r, i);
		end = iova + r->row->len;
		ret = translates(r, iova - SZ_4K, &out0);
		if (!ret)
			ret = translates(r, iova, &in0);
		if (!ret)
			ret = translates(r, end - SZ_4K, &in1);
		if (!ret)
			ret = translates(r, end, &out1);
		if (!ret && (in0 || in1 || out0 != cut || out1 != cut))
			ret = -EIO;
	}
	return ret;
}

static int harvest(struct run *r, bool counted)
{
	struct iopgt_gather gather;
	int ret;

	memset(r->words, 0, r->bm.nbits / 8);
	iopgt_gather_init(&gather);
	if (counted)
		count_begin();
	ret = iopgt_read_dirty(r->pt, BASE_IOVA, r->row->len, 0, &r->bm,
			       &gather);
	iopgt_gather_release(r->pt, &gather, NULL);
	if (counted)
		count_end();
	return ret;
}

/* Every call of the row, counted or not. */
static int map_calls(struct run *r, bool counted)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < r->row->calls && !ret; i++)
		ret = map(r, call_iova(r, i), r->row->len, counted);
	return ret;
}

static int unmap_calls(struct run *r, bool counted)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < r->row->calls && !ret; i++)
		ret = unmap(r, call_iova(r, i), r->row->len, counted);
	return ret;
}

/* Keep the last 4K page of every 2 MiB region mapped (pre-faulting). */
static int prefault(struct run *r)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < r->row->calls && !ret; i++)
		ret = map(r, call_iova(r, i) + SZ_2M - SZ_4K, SZ_4K, false);
	return ret;
}

/*
 * After the counted calls of a 256 x 4K row: the last page of every
 * region still mapped, the first mapped after a map and not after an
 * unmap, and no table allocated or freed by the counted calls.
 */
static int chunked_check(struct run *r)
{
	bool want_first = r->row->kind == ROW_MAP;
	uint64_t iova, pa;
	unsigned int i;

	if (counted_callbacks)
		return -EIO;
	for (i = 0; i < r->row->calls; i++) {
		iova = call_iova(r, i);
		if (iopgt_iova_to_phys(r->pt, iova + SZ_2M - SZ_4K, &pa) ||
		    !iopgt_iova_to_phys(r->pt, iova, &pa) != want_first)
			return -EIO;
	}
	return 0;
}

static uint64_t bitmap_weight(const struct run *r)
{
	uint64_t i, w = 0;

	for (i = 0; i < r->bm.nbits / 64; i++)
		w += (uint64_t)__builtin_popcountll(r->words[i]);
	return w;
}

/* The harvest's table: the range mapped, and all dirty or all clean. */
static int harvest_setup(struct run *r)
{
	uint64_t pages = r->row->len / SZ_4K;
	uint64_t marked = 0;
	int ret;

	r->words = calloc(pages / 64, sizeof(uint64_t));
	if (!r->words)
		return -ENOMEM;
	r->bm = (struct iopgt_bitmap){
		.base = BASE_IOVA,
		.pgshift = 12,
		.words = r->words,
		.nbits = pages,
	};
	ret = map(r, BASE_IOVA, r->row->len, false);
	/* one uncounted harvest: every leaf clean, the paths warm */
	if (!ret)
		ret = harvest(r, false);
	if (!ret && r->row->dirty)
		ret = shim_pt_mark_all(r->spt, &marked);
	if (!ret && marked != (r->row->dirty ? pages : 0))
		ret = -EIO;
	return ret;
}

static int harvest_check(const struct run *r)
{
	uint64_t want = r->row->dirty ? r->row->len / SZ_4K : 0;

	return bitmap_weight(r) == want ? 0 : -EIO;
}

/*
 * Set the row up, run it once uncounted, then counted; *@leaves is the
 * number of leaves the counted calls handled.
 */
static int run_row(struct run *r, uint64_t *leaves)
{
	const struct row *row = r->row;
	int ret = 0;

	if (chunked(row))
		ret = prefault(r);
	switch (row->kind) {
	case ROW_MAP:
		if (!ret)
			ret = map_calls(r, false);
		if (!ret)
			ret = unmap_calls(r, false);
		CALLGRIND_START_INSTRUMENTATION;
		if (!ret)
			ret = map_calls(r, true);
		CALLGRIND_STOP_INSTRUMENTATION;
		break;
	case ROW_UNMAP:
		if (!ret)
			ret = map_calls(r, false);
		if (!ret)
			ret = unmap_calls(r, false);
		if (!ret)
			ret = map_calls(r, false);
		CALLGRIND_START_INSTRUMENTATION;
		if (!ret)
			ret = unmap_calls(r, true);
		CALLGRIND_STOP_INSTRUMENTATION;
		break;
	case ROW_HARVEST:
		ret = harvest_setup(r);
		CALLGRIND_START_INSTRUMENTATION;
		if (!ret)
			ret = harvest(r, true);
		CALLGRIND_STOP_INSTRUMENTATION;
		if (!ret)
			ret = harvest_check(r);
		break;
	case ROW_RAGGED:
		/* once uncounted: a cut's tables then come off free lists */
		ret = map(r, BASE_IOVA, SZ_1G, false);
		if (!ret)
			ret = ragged_calls(r, false);
		if (!ret)
			ret = ragged_remap(r);
		CALLGRIND_START_INSTRUMENTATION;
		if (!ret)
			ret = ragged_calls(r, true);
		CALLGRIND_STOP_INSTRUMENTATION;
		if (!ret)
			ret = ragged_check(r);
		/* two 2M leaves touched per call */
		*leaves = 2ull * row->calls;
		return ret;
	}
	if (!ret && chunked(row))
		ret = chunked_check(r);
	*leaves = (uint64_t)row->calls * (row->len >> row->pgsize_lg2);
	return ret;
}

static int run_one(const struct row *row, int fmt)
{
	struct run r = { .row = row };
	uint64_t leaves = 0, arena;
	int ret;

	/* Leaf tables, the levels above them, and slack */
	arena = 2 * (span(&r) >> row->pgsize_lg2) * sizeof(uint64_t) + SZ_64M;
	if (row->kind == ROW_RAGGED)
		r.spt = shim_pt_create_splittable(fmt, row->pgsize_lg2, arena,
						  &ret);
	else
		r.spt = shim_pt_create(fmt, row->pgsize_lg2, arena,
				       row->kind == ROW_HARVEST, &ret);
	if (!r.spt) {
		fprintf(stderr, "icount: %s %s: %s\n", row->name,
			shim_variant_name(fmt), shim_strerror(ret));
		return ret;
	}
	r.pt = shim_pt_iopgt(r.spt);
	shim_pt_set_ops_hook(r.spt, ops_hook);
	counted_callbacks = 0;
	ret = run_row(&r, &leaves);
	if (ret)
		fprintf(stderr, "icount: %s %s: %s\n", row->name,
			shim_variant_name(fmt), shim_strerror(ret));
	else
		printf("%s %s leaves=%" PRIu64 " calls=%u callbacks=%" PRIu64
		       "\n", row->name, shim_variant_name(fmt), leaves,
		       row->calls, counted_callbacks);
	free(r.words);
	shim_pt_destroy(r.spt);
	return ret;
}

/* ---- command line -------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: icount [--row NAME]... [--format NAME]... "
		"[--with-alloc]\n"
		"       icount --list\n"
		"\n"
		"Runs the rows named (default: all) on the formats named\n"
		"(default: all built, then the variants such as\n"
		"arm_s1+lpa2), printing one line per pair:\n"
		"  <row> <format> leaves=<n> calls=<n> callbacks=<n>\n"
		"(callbacks: calls into the table allocator while counting).\n"
		"Under valgrind --tool=callgrind --instr-atstart=no\n"
		"--collect-atstart=no, the output file's total is the\n"
		"instruction count of the counted calls (scripts/icount).\n"
		"--list prints each row's name, target (instructions per\n"
		"leaf, - for none) and title.\n");
}

/* Index of the row called @name, or -1. */
static int find_row(const char *name)
{
	unsigned int i;

	for (i = 0; i < NROWS; i++)
		if (!strcmp(rows[i].name, name))
			return i;
	return -1;
}

static int find_format(const char *name)
{
	int fmt;

	for (fmt = 1; fmt < shim_variant_count(); fmt++)
		if (shim_variant_available(fmt) &&
		    !strcmp(shim_variant_name(fmt), name))
			return fmt;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "row", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ "with-alloc", no_argument, NULL, 'a' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	/* the rows and formats named (bit per index); none: all */
	uint32_t row_set = 0;
	uint64_t fmt_set = 0;
	int c, fmt, row, failed = 0;
	unsigned int i;

	if (shim_variant_count() > 64) {
		fprintf(stderr, "icount: too many variants for a set\n");
		return 2;
	}
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			row = find_row(optarg);
			if (row < 0) {
				fprintf(stderr, "icount: no row %s\n", optarg);
				return 2;
			}
			row_set |= 1u << row;
			break;
		case 'f':
			fmt = find_format(optarg);
			if (!fmt) {
				fprintf(stderr, "icount: no format %s\n",
					optarg);
				return 2;
			}
			fmt_set |= 1ull << fmt;
			break;
		case 'a':
			with_alloc = true;
			break;
		case 'l':
			for (i = 0; i < NROWS; i++) {
				if (rows[i].target)
					printf("%s %g %s\n", rows[i].name,
					       rows[i].target, rows[i].title);
				else
					printf("%s - %s\n", rows[i].name,
					       rows[i].title);
			}
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}

	for (i = 0; i < NROWS; i++) {
		if (row_set && !(row_set & (1u << i)))
			continue;
		for (fmt = 1; fmt < shim_variant_count(); fmt++) {
			if (!shim_variant_available(fmt) ||
			    (fmt_set && !(fmt_set & (1ull << fmt))))
				continue;
			if (run_one(&rows[i], fmt))
				failed++;
		}
	}
	return failed ? 1 : 0;
}
