// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include <stdarg.h>
#include <stdlib.h>

#include "fuzz_common.h"
#include "support/prot.h"

#define FZ_4K	(1ull << 12)
#define FZ_2M	(1ull << 21)
#define FZ_1G	(1ull << 30)

/*
 * Every format at its common shapes plus the corners: fewest and most
 * levels, an ias below the level span, a top table smaller or larger than
 * a granule (ARM; stage-2 concatenation), restricted page sizes. Append
 * only: inputs in the corpus name entries by index.
 */
static const struct fz_config fz_all_configs[] = {
	{ "amdv1/mode3", { .format = IOPGT_FMT_AMDV1, .levels = 3 } },
	{ "amdv1/mode4", { .format = IOPGT_FMT_AMDV1, .levels = 4 } },
	{ "amdv1/mode6", { .format = IOPGT_FMT_AMDV1, .levels = 6 } },
	{ "amdv1/mode2-ias28",
	  { .format = IOPGT_FMT_AMDV1, .levels = 2, .ias = 28 } },
	{ "amdv1/mode4-4k2m1g",
	  { .format = IOPGT_FMT_AMDV1, .levels = 4,
	    .pgsize_bitmap = FZ_4K | FZ_2M | FZ_1G } },
	{ "vtd_sl/3lvl", { .format = IOPGT_FMT_VTD_SL, .levels = 3 } },
	{ "vtd_sl/4lvl", { .format = IOPGT_FMT_VTD_SL, .levels = 4 } },
	{ "vtd_sl/5lvl", { .format = IOPGT_FMT_VTD_SL, .levels = 5 } },
	{ "vtd_sl/4lvl-4konly",
	  { .format = IOPGT_FMT_VTD_SL, .levels = 4, .pgsize_bitmap = FZ_4K } },
	{ "vtd_sl/ias35", { .format = IOPGT_FMT_VTD_SL, .ias = 35 } },
	{ "vtd_fl/4lvl", { .format = IOPGT_FMT_VTD_FL, .levels = 4 } },
	{ "vtd_fl/5lvl", { .format = IOPGT_FMT_VTD_FL, .levels = 5 } },
	{ "vtd_fl/4lvl-no1g",
	  { .format = IOPGT_FMT_VTD_FL, .levels = 4,
	    .pgsize_bitmap = FZ_4K | FZ_2M } },
	{ "vtd_fl/ias44", { .format = IOPGT_FMT_VTD_FL, .ias = 44 } },
	{ "arm_s1/4k-48",
	  { .format = IOPGT_FMT_ARM_S1, .granule_lg2 = 12, .ias = 48,
	    .oas = 48 } },
	{ "arm_s1/4k-39",
	  { .format = IOPGT_FMT_ARM_S1, .granule_lg2 = 12, .ias = 39,
	    .oas = 48 } },
	{ "arm_s1/16k-47",
	  { .format = IOPGT_FMT_ARM_S1, .granule_lg2 = 14, .ias = 47,
	    .oas = 48 } },
	{ "arm_s1/64k-52",
	  { .format = IOPGT_FMT_ARM_S1, .granule_lg2 = 16, .ias = 52,
	    .oas = 52 } },
	{ "arm_s1/4k-48-4k2m1g",
	  { .format = IOPGT_FMT_ARM_S1, .granule_lg2 = 12, .ias = 48,
	    .oas = 48, .pgsize_bitmap = FZ_4K | FZ_2M | FZ_1G } },
	{ "arm_s2/4k-40-concat",
	  { .format = IOPGT_FMT_ARM_S2, .granule_lg2 = 12, .ias = 40,
	    .oas = 48 } },
	{ "arm_s2/16k-48",
	  { .format = IOPGT_FMT_ARM_S2, .granule_lg2 = 14, .ias = 48,
	    .oas = 48 } },
	{ "arm_s2/64k-42",
	  { .format = IOPGT_FMT_ARM_S2, .granule_lg2 = 16, .ias = 42,
	    .oas = 48 } },
	{ "arm_s2/64k-46-concat16",
	  { .format = IOPGT_FMT_ARM_S2, .granule_lg2 = 16, .ias = 46,
	    .oas = 48 } },
	{ "amdv1/mode1", { .format = IOPGT_FMT_AMDV1, .levels = 1 } },
	{ "arm_s1/4k-32",
	  { .format = IOPGT_FMT_ARM_S1, .granule_lg2 = 12, .ias = 32,
	    .oas = 40 } },
};

#define FZ_NCONFIGS (sizeof(fz_all_configs) / sizeof(fz_all_configs[0]))

unsigned int fz_configs(const struct fz_config *const **out)
{
	static const struct fz_config *avail[FZ_NCONFIGS];
	static unsigned int n;
	unsigned int i;

	if (!n) {
		for (i = 0; i < FZ_NCONFIGS; i++) {
			const struct fz_config *c = &fz_all_configs[i];

			if (iopgt_format_available(c->cfg.format))
				avail[n++] = c;
		}
		if (!n)
			fz_die("no format is built in");
	}
	*out = avail;
	return n;
}

void fz_die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("iopgt fuzz: FAILED: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	abort();
}

struct fz_dump_ctx {
	FILE *f;
	unsigned int lines, max;
};

static void fz_dump_line(void *ctx, const char *line)
{
	struct fz_dump_ctx *d = ctx;

	if (d->lines < d->max)
		fprintf(d->f, "  %s\n", line);
	else if (d->lines == d->max)
		fprintf(d->f, "  ...\n");
	d->lines++;
}

void fz_dump(struct iopgt *pt, FILE *f, unsigned int max_lines)
{
	struct fz_dump_ctx d = { .f = f, .max = max_lines };

	iopgt_dump(pt, fz_dump_line, &d);
}

void *fz_talloc_p2v(void *ctx, u64 pa)
{
	return talloc_phys_to_virt(ctx, pa);
}

struct hwm *fz_hwm_create(struct iopgt *pt, bool dirty,
			  void *(*phys_to_virt)(void *ctx, u64 pa), void *ctx)
{
	struct hwm_cfg hcfg = { 0 };
	struct hwm *hw;
	int ret;

	hcfg.format = pt->cfg.format;
	iopgt_hw_info(pt, &hcfg.info);
	hcfg.dirty_enabled = dirty;
	hcfg.phys_to_virt = phys_to_virt;
	hcfg.ctx = ctx;
	ret = hwm_create(&hw, &hcfg);
	if (ret)
		fz_die("hwm_create refuses what iopgt_hw_info() says for %s levels %u ias %u oas %u root 0x%llx: %d",
		       iopgt_format_name(pt->cfg.format), pt->levels,
		       pt->cfg.ias, pt->cfg.oas,
		       (unsigned long long)pt->root_pa, ret);
	return hw;
}

u32 fz_prot_canonical(enum iopgt_format format, u32 prot)
{
	switch (format) {
	case IOPGT_FMT_AMDV1:
	case IOPGT_FMT_VTD_SL:
		return prot & (IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE);
	case IOPGT_FMT_VTD_FL:
		return (prot & (IOPGT_WRITE | IOPGT_NOEXEC | IOPGT_MMIO)) |
		       IOPGT_READ;
	case IOPGT_FMT_ARM_S1:
	case IOPGT_FMT_ARM_S2:
		if (format == IOPGT_FMT_ARM_S1 && (prot & IOPGT_WRITE))
			prot |= IOPGT_READ;
		if (prot & IOPGT_MMIO)
			prot &= ~IOPGT_CACHE;
		return prot;
	default:
		return prot;
	}
}

u32 fz_prot_effective(enum iopgt_format format, u32 prot)
{
	return test_prot_effective(format, prot);
}

/* FORMATS.md bit positions, for fz_cached_mkdirty() */
#define FZ_AMD_PR	(1ull << 0)
#define FZ_AMD_A	(1ull << 5)
#define FZ_AMD_D	(1ull << 6)
#define FZ_ARM_TYPE	3ull
#define FZ_ARM_PAGE	3ull	/* at the leaf level */
#define FZ_ARM_BLOCK	1ull	/* above it */
#define FZ_ARM_DIRTY	(1ull << 7)	/* stage 1 AP[2], stage 2 S2AP[1] */
#define FZ_ARM_AF	(1ull << 10)
#define FZ_ARM_DBM	(1ull << 51)

bool fz_cached_mkdirty(enum iopgt_format format, unsigned int level,
		       u64 *ptep)
{
	u64 pte = __atomic_load_n(ptep, __ATOMIC_ACQUIRE), new;

	for (;;) {
		switch (format) {
		case IOPGT_FMT_AMDV1:
			if (!(pte & FZ_AMD_PR))
				return false;
			new = pte | FZ_AMD_A | FZ_AMD_D;
			break;
		case IOPGT_FMT_ARM_S1:
		case IOPGT_FMT_ARM_S2:
			if ((pte & FZ_ARM_TYPE) !=
			    (level ? FZ_ARM_BLOCK : FZ_ARM_PAGE) ||
			    !(pte & FZ_ARM_DBM) || !(pte & FZ_ARM_AF))
				return false;
			if (format == IOPGT_FMT_ARM_S1)
				new = pte & ~FZ_ARM_DIRTY;
			else
				new = pte | FZ_ARM_DIRTY;
			break;
		default:
			return false;
		}
		if (new == pte ||
		    __atomic_compare_exchange_n(ptep, &pte, new, false,
						__ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return true;
	}
}
