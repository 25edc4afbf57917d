// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * AMD-Vi, driven by hand: a device table covering every device ID, a
 * command buffer for invalidations and completion waits, and an event log
 * read for errors. Register and command layouts from the AMD I/O
 * Virtualization Technology (IOMMU) specification, chapters 2 and 3.
 */
#include <linux/acpi.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include "qiommu.h"

#define AMD_DEVTAB	0x0000
#define AMD_CMDBUF	0x0008
#define AMD_EVTLOG	0x0010
#define AMD_CONTROL	0x0018
#define AMD_CMD_HEAD	0x2000
#define AMD_CMD_TAIL	0x2008
#define AMD_EVT_HEAD	0x2010
#define AMD_EVT_TAIL	0x2018
#define AMD_STATUS	0x2020
#define AMD_MMIO_SIZE	0x4000

#define AMD_CTL_EN	BIT_ULL(0)
#define AMD_CTL_EVTLOG	BIT_ULL(2)
#define AMD_CTL_CMDBUF	BIT_ULL(12)

/* 4 KiB rings of 16-byte entries: 256 of them, length field 8 (log2) */
#define AMD_RING_LEN	(8ull << 56)
#define AMD_RING_BYTES	PAGE_SIZE
/* 65536 device IDs x 32 bytes: size field 0x1ff (512 pages, minus 1) */
#define AMD_DEVTAB_ORDER 9
#define AMD_DEVTAB_SIZE	0x1ffull

#define AMD_DTE_V	BIT_ULL(0)
#define AMD_DTE_TV	BIT_ULL(1)
#define AMD_DTE_MODE_SHIFT 9
#define AMD_DTE_IR	BIT_ULL(61)
#define AMD_DTE_IW	BIT_ULL(62)

#define AMD_CMD_COMPLETION_WAIT		1ull
#define AMD_CMD_INV_DEVTAB_ENTRY	2ull
#define AMD_CMD_INV_IOMMU_PAGES		3ull
#define AMD_CMD_OP(op)			((op) << 60)
#define AMD_CW_STORE			BIT_ULL(0)
#define AMD_INV_S			BIT_ULL(0)
#define AMD_INV_PDE			BIT_ULL(1)
/* S=1 with every address bit set: the whole address space */
#define AMD_INV_ALL_ADDR		0x7ffffffffffff000ull

static u64 amd_find_base(void)
{
	struct acpi_table_header *hdr;
	struct acpi_ivrs_header *blk;
	u64 base = 0;
	u8 *p, *end;

	if (ACPI_FAILURE(acpi_get_table(ACPI_SIG_IVRS, 0, &hdr)))
		return 0;
	p = (u8 *)hdr + sizeof(struct acpi_table_ivrs);
	end = (u8 *)hdr + hdr->length;
	for (; p + sizeof(*blk) <= end; p += blk->length) {
		blk = (struct acpi_ivrs_header *)p;
		if (blk->length < sizeof(*blk))
			break;
		/* IVHD types 10h, 11h and 40h all keep the base here */
		if (blk->type == 0x10 || blk->type == 0x11 ||
		    blk->type == 0x40) {
			struct acpi_ivrs_hardware_10 *ivhd = (void *)blk;

			base = ivhd->base_address;
			break;
		}
	}
	acpi_put_table(hdr);
	return base;
}

static int amd_probe(struct qi *q)
{
	q->reg_base = amd_find_base();
	if (!q->reg_base)
		return -ENODEV;
	q->regs = ioremap(q->reg_base, AMD_MMIO_SIZE);
	if (!q->regs)
		return -ENOMEM;
	qi_diag("amd: IOMMU at %#llx control %#llx status %#llx", q->reg_base,
		readq(q->regs + AMD_CONTROL), readq(q->regs + AMD_STATUS));
	q->cfg.format = IOPGT_FMT_AMDV1;
	return 0;
}

/* DTE mode 3 (39 bits, leaves up to 256G), then 4 (48 bits) */
static unsigned int amd_levels(struct qi *q, unsigned int i)
{
	return i < 2 ? 3 + i : 0;
}

/*
 * Queue one command, then a completion wait that stores a new sequence
 * number, and wait for the store: the IOMMU has then finished the first.
 */
static int amd_cmd(struct qi *q, u64 lo, u64 hi)
{
	struct qi_amd *a = &q->amd;
	u64 *ring = page_address(a->cmdbuf);
	u64 *sem = page_address(a->sem);
	u64 seq = ++a->sem_seq;
	unsigned int i;
	u64 cmds[4] = {
		lo, hi,
		page_to_phys(a->sem) | AMD_CW_STORE |
			AMD_CMD_OP(AMD_CMD_COMPLETION_WAIT),
		seq,
	};

	for (i = 0; i < 4; i += 2) {
		ring[a->cmd_tail / 8] = cmds[i];
		ring[a->cmd_tail / 8 + 1] = cmds[i + 1];
		a->cmd_tail = (a->cmd_tail + 16) % AMD_RING_BYTES;
	}
	/* the entries are in memory before the IOMMU reads the new tail */
	wmb();
	writeq(a->cmd_tail, q->regs + AMD_CMD_TAIL);
	if (!qi_wait(READ_ONCE(*sem) == seq, 1000)) {
		qi_diag("amd: completion wait %llu timed out (head %#llx)",
			seq, readq(q->regs + AMD_CMD_HEAD));
		return -ETIMEDOUT;
	}
	return 0;
}

static int amd_enable(struct qi *q, const struct iopgt_hw_info *info)
{
	struct qi_amd *a = &q->amd;
	u64 *dte;

	if (!a->devtab)
		a->devtab = alloc_pages(GFP_KERNEL | __GFP_ZERO,
					AMD_DEVTAB_ORDER);
	a->cmdbuf = alloc_page(GFP_KERNEL | __GFP_ZERO);
	a->evtlog = alloc_page(GFP_KERNEL | __GFP_ZERO);
	a->sem = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!a->devtab || !a->cmdbuf || !a->evtlog || !a->sem)
		return -ENOMEM;

	/*
	 * Every other device ID keeps an all-zero entry (V=0: its DMA and
	 * interrupts pass untranslated), so the system keeps working. edu's
	 * entry: translation valid, the mode and root from hw_info, read and
	 * write allowed at the top (the leaves decide), its domain.
	 */
	dte = (u64 *)page_address(a->devtab) + 4 * q->devid;
	dte[1] = q->domain;
	dte[0] = AMD_DTE_V | AMD_DTE_TV | AMD_DTE_IR | AMD_DTE_IW |
		 (u64)info->amdv1.mode << AMD_DTE_MODE_SHIFT | info->root_pa;

	writeq(page_to_phys(a->devtab) | AMD_DEVTAB_SIZE,
	       q->regs + AMD_DEVTAB);
	writeq(page_to_phys(a->cmdbuf) | AMD_RING_LEN, q->regs + AMD_CMDBUF);
	writeq(page_to_phys(a->evtlog) | AMD_RING_LEN, q->regs + AMD_EVTLOG);
	writeq(0, q->regs + AMD_CMD_HEAD);
	writeq(0, q->regs + AMD_CMD_TAIL);
	writeq(0, q->regs + AMD_EVT_HEAD);
	writeq(0, q->regs + AMD_EVT_TAIL);
	a->cmd_tail = 0;
	writeq(AMD_CTL_EN | AMD_CTL_EVTLOG | AMD_CTL_CMDBUF,
	       q->regs + AMD_CONTROL);
	/* a new table for the domain: nothing cached from an old one */
	return amd_cmd(q, AMD_CMD_OP(AMD_CMD_INV_DEVTAB_ENTRY) | q->devid, 0) ?:
	       amd_cmd(q, AMD_CMD_OP(AMD_CMD_INV_IOMMU_PAGES) |
			  (u64)q->domain << 32,
			  AMD_INV_ALL_ADDR | AMD_INV_S | AMD_INV_PDE);
}

/*
 * INVALIDATE_IOMMU_PAGES with S=1 names an aligned power-of-two block:
 * the address bits below its size are all ones but the top one (spec
 * 2.4.3), so the smallest block holding the range is encoded; PDE asks
 * for cached table entries to go too.
 */
static int amd_invalidate(struct qi *q, u64 first, u64 last, bool tables)
{
	unsigned int lg2 = max(12u, (unsigned int)fls64(first ^ last));
	u64 addr, hi;

	if (lg2 >= 52) {
		addr = AMD_INV_ALL_ADDR;
	} else {
		addr = first & ~((1ull << lg2) - 1);
		if (lg2 > 12)
			addr |= ((1ull << (lg2 - 1)) - 1) & PAGE_MASK;
	}
	hi = addr | (lg2 > 12 ? AMD_INV_S : 0) | (tables ? AMD_INV_PDE : 0);
	return amd_cmd(q, AMD_CMD_OP(AMD_CMD_INV_IOMMU_PAGES) |
			  (u64)q->domain << 32, hi);
}

static void amd_fault_clear(struct qi *q)
{
}

/*
 * A DMA the table does not allow is refused, but QEMU's AMD-Vi logs
 * no event for a walk that ends at an empty entry: the tests check that
 * memory stayed untouched instead.
 */
static enum qi_fault amd_fault_seen(struct qi *q, u64 iova, bool write)
{
	return QI_FAULT_UNREPORTED;
}

/* Every event the log holds is an error: no test provokes one it sees. */
static int amd_errors(struct qi *q)
{
	u64 *log = page_address(q->amd.evtlog);
	unsigned int i;
	int n = 0;

	for (i = 0; i < AMD_RING_BYTES / 8; i += 2) {
		if (!log[i] && !log[i + 1])
			continue;
		qi_diag("amd: event %u: %016llx %016llx (code %llu)", i / 2,
			log[i], log[i + 1], log[i] >> 60);
		n++;
	}
	return n;
}

/*
 * Translation off, and edu's entry cleared. The device table itself is
 * never freed (the next enable reuses it): QEMU's AMD-Vi keeps reading it
 * for interrupts from every device even when disabled (a freed and reused
 * table turns the system's interrupts into remapping failures), and no
 * register setting makes it stop. The guest powers off after the test.
 */
static void amd_disable(struct qi *q)
{
	struct qi_amd *a = &q->amd;

	if (q->regs)
		writeq(0, q->regs + AMD_CONTROL);
	if (a->devtab)
		memset((u64 *)page_address(a->devtab) + 4 * q->devid, 0, 32);
	if (a->cmdbuf)
		__free_page(a->cmdbuf);
	if (a->evtlog)
		__free_page(a->evtlog);
	if (a->sem)
		__free_page(a->sem);
	a->cmdbuf = a->evtlog = a->sem = NULL;
	a->cmd_tail = 0;
	a->sem_seq = 0;
}

const struct qi_iommu qi_amd = {
	.name = "amd",
	.probe = amd_probe,
	.levels = amd_levels,
	.enable = amd_enable,
	.invalidate = amd_invalidate,
	.fault_clear = amd_fault_clear,
	.fault_seen = amd_fault_seen,
	.errors = amd_errors,
	.disable = amd_disable,
};
