// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Intel VT-d, driven by hand: legacy-mode root and context tables for edu,
 * register-based invalidation, fault recording registers. Register layout
 * from the VT-d specification (chapter 11); only what the tests use.
 */
#include <linux/acpi.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <asm/cacheflush.h>
#include "qiommu.h"

#define VTD_CAP		0x08
#define VTD_ECAP	0x10
#define VTD_GCMD	0x18
#define VTD_GSTS	0x1c
#define VTD_RTADDR	0x20
#define VTD_CCMD	0x28
#define VTD_FSTS	0x34
#define VTD_FECTL	0x38

/* GCMD commands and their GSTS status bits share positions */
#define VTD_G_TE	BIT(31)
#define VTD_G_SRTP	BIT(30)
#define VTD_G_QIE	BIT(26)
#define VTD_G_IRE	BIT(25)
#define VTD_G_CFI	BIT(23)
/* what a GCMD write must repeat so as not to turn it off */
#define VTD_G_KEEP	(VTD_G_TE | VTD_G_QIE | VTD_G_IRE | VTD_G_CFI)

#define VTD_CCMD_ICC		BIT_ULL(63)
#define VTD_CCMD_GLOBAL		(1ull << 61)
#define VTD_IOTLB_IVT		BIT_ULL(63)
#define VTD_IOTLB_GLOBAL	(1ull << 60)
#define VTD_IOTLB_DOMAIN	(2ull << 60)
#define VTD_IOTLB_PAGE		(3ull << 60)
#define VTD_IVA_IH		BIT_ULL(6)

#define VTD_FSTS_PFO	BIT(0)
#define VTD_FSTS_PPF	BIT(1)
#define VTD_FECTL_IM	BIT(31)
#define VTD_FRCD_F	BIT_ULL(63)
#define VTD_FRCD_READ	BIT_ULL(62)	/* type: 1 read, 0 write */

/* fault reasons (VT-d 7.1.3): no write / no read permission */
#define VTD_FR_WRITE	0x5
#define VTD_FR_READ	0x6

#define VTD_CAP_SAGAW(c)	(((c) >> 8) & 0x1f)
#define VTD_CAP_FRO(c)		(((c) >> 24) & 0x3ff)
#define VTD_CAP_SLLPS(c)	(((c) >> 34) & 0xf)
#define VTD_CAP_PSI(c)		(((c) >> 39) & 1)
#define VTD_CAP_NFR(c)		((((c) >> 40) & 0xff) + 1)
#define VTD_CAP_MAMV(c)		(((c) >> 48) & 0x3f)
#define VTD_ECAP_C(e)		((e) & 1)
#define VTD_ECAP_SC(e)		(((e) >> 7) & 1)
#define VTD_ECAP_IRO(e)		(((e) >> 8) & 0x3ff)

static u64 vtd_find_base(void)
{
	struct acpi_table_header *hdr;
	struct acpi_dmar_header *rs;
	u64 base = 0;
	u8 *p, *end;

	if (ACPI_FAILURE(acpi_get_table(ACPI_SIG_DMAR, 0, &hdr)))
		return 0;
	p = (u8 *)hdr + sizeof(struct acpi_table_dmar);
	end = (u8 *)hdr + hdr->length;
	for (; p + sizeof(*rs) <= end; p += rs->length) {
		rs = (struct acpi_dmar_header *)p;
		if (rs->length < sizeof(*rs))
			break;
		if (rs->type == ACPI_DMAR_TYPE_HARDWARE_UNIT) {
			base = ((struct acpi_dmar_hardware_unit *)rs)->address;
			break;
		}
	}
	acpi_put_table(hdr);
	return base;
}

static int vtd_probe(struct qi *q)
{
	struct qi_vtd *v = &q->vtd;
	unsigned int sllps;

	q->reg_base = vtd_find_base();
	if (!q->reg_base)
		return -ENODEV;
	q->regs = ioremap(q->reg_base, PAGE_SIZE);
	if (!q->regs)
		return -ENOMEM;
	v->cap = readq(q->regs + VTD_CAP);
	v->ecap = readq(q->regs + VTD_ECAP);
	v->iotlb_off = VTD_ECAP_IRO(v->ecap) * 16;
	v->frcd_off = VTD_CAP_FRO(v->cap) * 16;
	v->nfr = VTD_CAP_NFR(v->cap);
	sllps = VTD_CAP_SLLPS(v->cap);
	qi_diag("vtd: DMAR unit at %#llx cap %#llx ecap %#llx", q->reg_base,
		v->cap, v->ecap);
	qi_diag("vtd: SAGAW %#llx SLLPS %#x C %llu SC %llu PSI %llu MAMV %llu "
		"NFR %u", VTD_CAP_SAGAW(v->cap), sllps, VTD_ECAP_C(v->ecap),
		VTD_ECAP_SC(v->ecap), VTD_CAP_PSI(v->cap),
		VTD_CAP_MAMV(v->cap), v->nfr);
	if (v->frcd_off + v->nfr * 16 > PAGE_SIZE ||
	    v->iotlb_off + 16 > PAGE_SIZE)
		return -ENODEV;

	q->cfg.format = IOPGT_FMT_VTD_SL;
	q->cfg.pgsize_bitmap = SZ_4K | (sllps & 1 ? SZ_2M : 0) |
			       (sllps & 2 ? SZ_1G : 0);
	/* a walker that does not snoop needs every entry written back */
	if (!VTD_ECAP_C(v->ecap))
		q->cfg.quirks |= IOPGT_QUIRK_NON_COHERENT;
	return 0;
}

/* 4 levels (AW 2, 48 bits), then 3 (AW 1, 39 bits), as SAGAW has them */
static unsigned int vtd_levels(struct qi *q, unsigned int i)
{
	unsigned int sagaw = VTD_CAP_SAGAW(q->vtd.cap), levels;

	for (levels = 4; levels >= 3; levels--) {
		if (sagaw & BIT(levels - 2) && !i--)
			return levels;
	}
	return 0;
}

static void vtd_flush(struct qi *q, void *va, size_t len)
{
	if (!VTD_ECAP_C(q->vtd.ecap))
		clflush_cache_range(va, len);
}

static int vtd_gcmd(struct qi *q, u32 cmd, u32 status, bool on)
{
	u32 keep = readl(q->regs + VTD_GSTS) & VTD_G_KEEP;

	writel(on ? keep | cmd : keep & ~cmd, q->regs + VTD_GCMD);
	if (!qi_wait(!!(readl(q->regs + VTD_GSTS) & status) == on, 1000))
		return -ETIMEDOUT;
	return 0;
}

static int vtd_iotlb(struct qi *q, u64 cmd)
{
	void __iomem *reg = q->regs + q->vtd.iotlb_off + 8;

	writeq(VTD_IOTLB_IVT | cmd, reg);
	if (!qi_wait(!(readq(reg) & VTD_IOTLB_IVT), 1000))
		return -ETIMEDOUT;
	return 0;
}

static int vtd_enable(struct qi *q, const struct iopgt_hw_info *info)
{
	struct qi_vtd *v = &q->vtd;
	u64 *root, *ctx;
	int ret;

	if (!(VTD_CAP_SAGAW(v->cap) & BIT(info->vtd.aw)))
		return -EOPNOTSUPP;
	v->root = alloc_page(GFP_KERNEL | __GFP_ZERO);
	v->ctx = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!v->root || !v->ctx)
		return -ENOMEM;
	root = page_address(v->root);
	ctx = page_address(v->ctx);

	/*
	 * Legacy mode: the root table is indexed by bus, each entry (16
	 * bytes) points at a context table indexed by devfn. Translation
	 * type 0 (untranslated requests only, through the second-level
	 * table), AW from the table's geometry, domain in bits 23:8 of the
	 * upper half.
	 */
	ctx[2 * (q->devid & 0xff) + 1] = info->vtd.aw | (u64)q->domain << 8;
	ctx[2 * (q->devid & 0xff)] = info->root_pa | 1;
	root[2 * (q->devid >> 8)] = page_to_phys(v->ctx) | 1;
	vtd_flush(q, ctx, PAGE_SIZE);
	vtd_flush(q, root, PAGE_SIZE);

	/* fault events are read from the registers, never interrupted */
	writel(VTD_FECTL_IM, q->regs + VTD_FECTL);
	writeq(page_to_phys(v->root), q->regs + VTD_RTADDR);
	ret = vtd_gcmd(q, VTD_G_SRTP, VTD_G_SRTP, true);
	if (ret)
		return ret;
	writeq(VTD_CCMD_ICC | VTD_CCMD_GLOBAL, q->regs + VTD_CCMD);
	if (!qi_wait(!(readq(q->regs + VTD_CCMD) & VTD_CCMD_ICC), 1000))
		return -ETIMEDOUT;
	ret = vtd_iotlb(q, VTD_IOTLB_GLOBAL);
	if (ret)
		return ret;
	q->iommu->fault_clear(q);
	return vtd_gcmd(q, VTD_G_TE, VTD_G_TE, true);
}

/*
 * Page-selective invalidation covers 2^AM pages aligned to their size:
 * the smallest such block holding the range, or the whole domain when
 * that is more than MAMV allows (or PSI is missing). IH (leaf entries
 * only changed) may keep cached table pointers; not when tables changed.
 */
static int vtd_invalidate(struct qi *q, u64 first, u64 last, bool tables)
{
	u64 cap = q->vtd.cap, iva;
	unsigned int lg2 = max(12u, (unsigned int)fls64(first ^ last));

	if (!VTD_CAP_PSI(cap) || lg2 - 12 > VTD_CAP_MAMV(cap))
		return vtd_iotlb(q, VTD_IOTLB_DOMAIN | (u64)q->domain << 32);
	iva = (first & ~((1ull << lg2) - 1)) | (lg2 - 12);
	if (!tables)
		iva |= VTD_IVA_IH;
	writeq(iva, q->regs + q->vtd.iotlb_off);
	return vtd_iotlb(q, VTD_IOTLB_PAGE | (u64)q->domain << 32);
}

static void vtd_fault_clear(struct qi *q)
{
	u32 i;

	for (i = 0; i < q->vtd.nfr; i++)
		writel(BIT(31), q->regs + q->vtd.frcd_off + i * 16 + 12);
	writel(readl(q->regs + VTD_FSTS), q->regs + VTD_FSTS);
}

static enum qi_fault vtd_fault_seen(struct qi *q, u64 iova, bool write)
{
	enum qi_fault seen = QI_FAULT_NONE;
	u32 fsts = readl(q->regs + VTD_FSTS), i;

	if (!(fsts & (VTD_FSTS_PPF | VTD_FSTS_PFO)))
		return QI_FAULT_NONE;
	for (i = 0; i < q->vtd.nfr; i++) {
		void __iomem *rec = q->regs + q->vtd.frcd_off + i * 16;
		u64 hi = readq(rec + 8), fi = readq(rec) & PAGE_MASK;
		unsigned int fr = (hi >> 32) & 0xff;

		if (!(hi & VTD_FRCD_F))
			continue;
		qi_diag("vtd: fault record %u: sid %#llx reason %#x %s at "
			"%#llx", i, hi & 0xffff, fr,
			hi & VTD_FRCD_READ ? "read" : "write", fi);
		if ((hi & 0xffff) == q->devid && fi == (iova & PAGE_MASK) &&
		    fr == (write ? VTD_FR_WRITE : VTD_FR_READ) &&
		    !(hi & VTD_FRCD_READ) == write)
			seen = QI_FAULT_MATCH;
		else if (seen == QI_FAULT_NONE)
			seen = QI_FAULT_OTHER;
	}
	if (seen == QI_FAULT_NONE)
		qi_diag("vtd: FSTS %#x with no record", fsts);
	return seen;
}

static int vtd_errors(struct qi *q)
{
	u32 fsts = readl(q->regs + VTD_FSTS);

	/* faults are provoked and cleared by the tests; anything else is not */
	if (fsts & ~(VTD_FSTS_PFO | VTD_FSTS_PPF | 0xff00)) {
		qi_diag("vtd: FSTS %#x", fsts);
		return 1;
	}
	return 0;
}

static void vtd_disable(struct qi *q)
{
	struct qi_vtd *v = &q->vtd;

	if (q->regs) {
		vtd_gcmd(q, VTD_G_TE, VTD_G_TE, false);
		vtd_fault_clear(q);
	}
	if (v->root)
		__free_page(v->root);
	if (v->ctx)
		__free_page(v->ctx);
	v->root = v->ctx = NULL;
}

const struct qi_iommu qi_vtd = {
	.name = "vtd",
	.probe = vtd_probe,
	.levels = vtd_levels,
	.enable = vtd_enable,
	.invalidate = vtd_invalidate,
	.fault_clear = vtd_fault_clear,
	.fault_seen = vtd_fault_seen,
	.errors = vtd_errors,
	.disable = vtd_disable,
};
