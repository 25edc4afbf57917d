// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "it.h"
#include "support/le.h"
#include "support/prot.h"

/*
 * The configurations an input picks from, by index: its first byte, drawn
 * modulo their number.
 *
 * They are the conformance suite's (it_configs[], tests/harness/configs.c),
 * as shapes: the quirks an input decides (FZ_INPUT_QUIRKS) are cleared, so
 * configurations that differ in those alone are one here. First come the
 * ones fz_pinned[] names, in its order: the committed corpus and
 * tests/fuzz/make-seeds.py (its CONFIGS) pick them by index. Then every
 * other shape of the conformance list, in that list's order: the index of
 * one of those changes when the list does. So an input kept in the corpus
 * picks a pinned configuration (pin its configuration first, at the end of
 * fz_pinned[]) with a first byte below the number pinned: configurations
 * added to the conformance list then leave its meaning alone.
 */
static const char *const fz_pinned[] = {
	"amdv1/mode3",
	"amdv1/mode4",
	"amdv1/mode6",
	"amdv1/mode2-ias28",
	"amdv1/mode4-4k2m1g",
	"vtd_sl/3lvl",
	"vtd_sl/4lvl",
	"vtd_sl/5lvl",
	"vtd_sl/4lvl-4konly",
	"vtd_sl/ias35",
	"vtd_fl/4lvl",
	"vtd_fl/5lvl",
	"vtd_fl/4lvl-no1g",
	"vtd_fl/ias44",
	"arm_s1/4k-48",
	"arm_s1/4k-39",
	"arm_s1/16k-47",
	"arm_s1/64k-52",
	"arm_s1/4k-48-bbml2-4k2m1g",
	"arm_s2/4k-40-concat",
	"arm_s2/16k-48",
	"arm_s2/64k-42",
	"arm_s2/64k-46-concat16",
	"amdv1/mode1",
	"arm_s1/4k-32",
	"riscv/sv39",
	"riscv/sv48",
	"riscv/sv57",
	"riscv_g/sv39x4",
	"riscv_g/sv48x4",
	"riscv_g/sv57x4",
	"riscv/sv39-napot-pbmt",
	"riscv_g/sv48x4-napot",
	"arm_s1/4k-52-lpa2-bbml2",
	"arm_s2/4k-52-lpa2-concat16",
	"arm_s2/16k-52-lpa2",
	"arm_s1/16k-36-lpa2-bbml2",
};

/*
 * Shapes the conformance suite does not run, fuzzed all the same: a
 * one-level AMD v1 table (ias 21), and an ARM stage-1 table whose top
 * table holds four entries, with a 40-bit oas.
 */
static const struct fz_config fz_only[] = {
	{ "amdv1/mode1", { .format = IOPGT_FMT_AMDV1, .levels = 1 } },
	{ "arm_s1/4k-32",
	  { .format = IOPGT_FMT_ARM_S1, .granule_lg2 = 12, .ias = 32,
	    .oas = 40 } },
};

/* One byte of input picks the configuration: at most 256 of them. */
#define FZ_MAX_CONFIGS	256

static struct fz_config fz_list[FZ_MAX_CONFIGS];
static unsigned int fz_nconfigs;

/* The same table, whatever the quirks an input decides */
static bool fz_same_shape(const struct iopgt_cfg *a, const struct iopgt_cfg *b)
{
	return a->format == b->format && a->ias == b->ias &&
	       a->oas == b->oas && a->granule_lg2 == b->granule_lg2 &&
	       a->levels == b->levels && a->pgsize_bitmap == b->pgsize_bitmap &&
	       !((a->quirks ^ b->quirks) & ~FZ_INPUT_QUIRKS);
}

static void fz_add(const char *name, const struct iopgt_cfg *cfg)
{
	struct fz_config *c;

	if (fz_nconfigs == FZ_MAX_CONFIGS)
		fz_die("more than %u configurations: one byte picks one",
		       FZ_MAX_CONFIGS);
	c = &fz_list[fz_nconfigs++];
	c->name = name;
	c->cfg = *cfg;
	c->cfg.quirks &= ~FZ_INPUT_QUIRKS;
	c->cfg.ops = NULL;
	c->cfg.ctx = NULL;
}

/* A configuration by name, NULL if its format is not built in. */
static const struct iopgt_cfg *fz_lookup(const char *name)
{
	unsigned int i;

	for (i = 0; i < it_nconfigs; i++)
		if (!strcmp(it_configs[i].name, name))
			return &it_configs[i].cfg;
	for (i = 0; i < sizeof(fz_only) / sizeof(fz_only[0]); i++)
		if (!strcmp(fz_only[i].name, name) &&
		    iopgt_format_available(fz_only[i].cfg.format))
			return &fz_only[i].cfg;
	return NULL;
}

/* Does the conformance list run the format of @name ("<format>/...")? */
static bool fz_format_listed(const char *name)
{
	size_t len = strcspn(name, "/");
	unsigned int i;

	for (i = 0; i < it_nconfigs; i++)
		if (!strncmp(it_configs[i].name, name, len) &&
		    it_configs[i].name[len] == '/')
			return true;
	return false;
}

static void fz_make_configs(void)
{
	const struct iopgt_cfg *cfg;
	unsigned int i, j;

	for (i = 0; i < sizeof(fz_pinned) / sizeof(fz_pinned[0]); i++) {
		cfg = fz_lookup(fz_pinned[i]);
		if (cfg)
			fz_add(fz_pinned[i], cfg);
		else if (fz_format_listed(fz_pinned[i]))
			fz_die("configuration %s, pinned for the corpus, is gone from the conformance list: keep it in fz_only[]",
			       fz_pinned[i]);
	}
	for (i = 0; i < it_nconfigs; i++) {
		cfg = &it_configs[i].cfg;
		/*
		 * Not yet: a growing top changes the root under the
		 * software IOMMU, which the targets program once.
		 */
		if (cfg->quirks & IOPGT_QUIRK_AMD_GROW_TOP)
			continue;
		for (j = 0; j < fz_nconfigs; j++)
			if (fz_same_shape(&fz_list[j].cfg, cfg))
				break;
		if (j == fz_nconfigs)
			fz_add(it_configs[i].name, cfg);
	}
	if (!fz_nconfigs)
		fz_die("no format is built in");
}

void fz_begin(struct fz_table *t, const char *target, struct producer *p)
{
	if (!fz_nconfigs)
		fz_make_configs();
	t->target = target;
	t->config = &fz_list[producer_u32(p, 0, fz_nconfigs - 1)];
}

void fz_talloc(struct fz_table *t, u64 arena_bytes, unsigned int flags)
{
	t->ta = talloc_create(arena_bytes, flags);
	if (!t->ta)
		fz_die("talloc_create failed");
}

void fz_table_init(struct fz_table *t, const struct iopgt_cfg *cfg)
{
	int ret = iopgt_init(&t->pt, cfg);

	if (ret)
		fz_die("iopgt_init(%s): %s", t->config->name,
		       test_errname(ret));
	t->min_lg2 = __builtin_ctzll(t->pt.pgsize_bitmap);
}

void fz_table_destroy(struct fz_table *t)
{
	hwm_destroy(t->hw);
	t->hw = NULL;
	iopgt_destroy(&t->pt);
	if (talloc_live(t->ta))
		fz_die("%s: %s: %llu tables leaked", t->target, t->config->name,
		       (unsigned long long)talloc_live(t->ta));
	talloc_destroy(t->ta);
	t->ta = NULL;
}

const char *fz_table_flags(const struct fz_table *t)
{
	static char buf[64];
	u32 q = t->pt.cfg.quirks;
	const char *bbm = "";

	if ((t->pt.cfg.format == IOPGT_FMT_ARM_S1 ||
	     t->pt.cfg.format == IOPGT_FMT_ARM_S2) &&
	    !(q & IOPGT_QUIRK_ARM_BBML2))
		bbm = (q & IOPGT_QUIRK_ARM_BBML1) ? ", BBML1" : ", no BBML";
	snprintf(buf, sizeof(buf), "%s%s%s",
		 t->pt.dirty_tracking ? ", dirty tracking" : "",
		 (q & IOPGT_QUIRK_NON_COHERENT) ? ", non-coherent" : "", bbm);
	return buf;
}

void fz_vfail(struct fz_table *t, u64 iova, bool dump, const char *state,
	      const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr,
		"%s: %s (levels %u, ias %u, oas %u, pgsizes 0x%llx%s)%s\n",
		t->target, t->config->name, t->pt.levels, t->pt.cfg.ias,
		t->pt.cfg.oas, (unsigned long long)t->pt.pgsize_bitmap,
		fz_table_flags(t), state);
	if (t->hw && iova != ~0ull) {
		fprintf(stderr, "  hwmodel walk of 0x%llx:\n",
			(unsigned long long)iova);
		hwm_dump_walk(t->hw, iova, stderr);
	}
	if (dump) {
		fprintf(stderr, "  table:\n");
		fz_dump(&t->pt, stderr, 200);
	}
	fz_die("%s", msg);
}

bool fz_env_flag(const char *name, bool unset)
{
	const char *v = getenv(name);

	return v && *v ? *v != '0' : unset;
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

void fz_hwm_create(struct fz_table *t, bool dirty,
		   void *(*phys_to_virt)(void *ctx, u64 pa), void *ctx)
{
	struct iopgt *pt = &t->pt;
	struct hwm_cfg hcfg = { 0 };
	int ret;

	hcfg.format = pt->cfg.format;
	iopgt_hw_info(pt, &hcfg.info);
	hcfg.dirty_enabled = dirty;
	hcfg.vtd_snoop_ctl = pt->cfg.caps & IOPGT_CAP_VTD_SNOOP;
	hcfg.phys_to_virt = phys_to_virt;
	hcfg.ctx = ctx;
	ret = hwm_create(&t->hw, &hcfg);
	if (ret)
		fz_die("hwm_create refuses what iopgt_hw_info() says for %s levels %u ias %u oas %u root 0x%llx: %d",
		       iopgt_format_name(pt->cfg.format), pt->levels,
		       pt->cfg.ias, pt->cfg.oas,
		       (unsigned long long)pt->root_pa, ret);
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
	case IOPGT_FMT_RISCV:
	case IOPGT_FMT_RISCV_G:
		/* WRITE brings READ; MMIO/CACHE only with Svpbmt (ignored) */
		if (prot & IOPGT_WRITE)
			prot |= IOPGT_READ;
		return prot;
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

u32 fz_prot_canonical_cfg(const struct iopgt_cfg *cfg, u32 prot)
{
	prot = fz_prot_canonical(cfg->format, prot);
	if (cfg->format != IOPGT_FMT_RISCV && cfg->format != IOPGT_FMT_RISCV_G)
		return prot;
	/* Without Svpbmt no memory type is encoded; with it IO wins */
	if (!(cfg->quirks & IOPGT_QUIRK_RISCV_SVPBMT))
		return prot & ~(IOPGT_MMIO | IOPGT_CACHE);
	if (prot & IOPGT_MMIO)
		prot &= ~IOPGT_CACHE;
	return prot;
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
	u64 pte = tle_load(ptep), new;

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
		if (new == pte || tle_cmpxchg(ptep, &pte, new))
			return true;
	}
}
