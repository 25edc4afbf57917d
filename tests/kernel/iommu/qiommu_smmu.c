// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Arm SMMUv3, driven by hand: a linear stream table whose entry for edu
 * selects one stage-1 context descriptor, a command queue for the
 * configuration and TLB invalidations, an event queue for the faults.
 * Register, table and command layouts from the SMMUv3 architecture
 * specification (chapters 5 to 7); only what the tests use.
 */
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include "qiommu.h"

#define SMMU_IDR0		0x00
#define SMMU_IDR1		0x04
#define SMMU_IDR3		0x0c
#define SMMU_IDR5		0x14
#define SMMU_CR0		0x20
#define SMMU_CR0ACK		0x24
#define SMMU_CR1		0x28
#define SMMU_CR2		0x2c
#define SMMU_GERROR		0x60
#define SMMU_GERRORN		0x64
#define SMMU_STRTAB_BASE	0x80
#define SMMU_STRTAB_BASE_CFG	0x88
#define SMMU_CMDQ_BASE		0x90
#define SMMU_CMDQ_PROD		0x98
#define SMMU_CMDQ_CONS		0x9c
#define SMMU_EVENTQ_BASE	0xa0
/* the event queue's indices live in the second 64 KiB page */
#define SMMU_EVENTQ_PROD	0x100a8
#define SMMU_EVENTQ_CONS	0x100ac
#define SMMU_REGS_SIZE		0x20000

#define IDR0_S1P		BIT(1)
#define IDR0_TTF_AA64		BIT(3)
#define IDR0_COHACC		BIT(4)
#define IDR0_TTENDIAN(r)	(((r) >> 21) & 3)	/* 3: big-endian only */
#define IDR1_SIDSIZE(r)		((r) & 0x3f)
#define IDR1_EVENTQS(r)		(((r) >> 16) & 0x1f)
#define IDR1_CMDQS(r)		(((r) >> 21) & 0x1f)
#define IDR3_BBML(r)		(((r) >> 11) & 3)
#define IDR5_OAS(r)		((r) & 7)
#define IDR5_GRAN4K		BIT(4)

#define CR0_SMMUEN		BIT(0)
#define CR0_EVENTQEN		BIT(2)
#define CR0_CMDQEN		BIT(3)
/* CR1: queues and tables inner/outer write-back, inner shareable */
#define CR1_WB_ISH		(1 << 0 | 1 << 2 | 3 << 4 | 1 << 6 | 1 << 8 | \
				 3 << 10)
#define CR2_RECINVSID		BIT(1)
#define CR2_PTM			BIT(2)	/* only the queue's invalidations */

#define Q_RA_WA			BIT_ULL(62)	/* read- or write-allocate */
#define Q_ADDR			GENMASK_ULL(51, 5)
#define CONS_ERR(r)		(((r) >> 24) & 0x7f)

/* queue sizes here: 2^8 commands and 2^7 events, a page each */
#define CMDQ_LG2		8
#define EVTQ_LG2		7
/* stream table: 2^8 entries of 64 bytes, every requester on bus 0 */
#define STRTAB_LG2		8

/* STE, word 0 and 1 (5.2) */
#define STE_V			BIT_ULL(0)
#define STE_CFG_S1		(5ull << 1)	/* stage 1 translate, S2 bypass */
#define STE_S1CTXPTR		GENMASK_ULL(51, 6)
#define STE1_S1C_WB_ISH		(1ull << 2 | 1ull << 4 | 3ull << 6)

/* CD, word 0 (5.4) */
#define CD_T0SZ(v)		((u64)(v) & 0x3f)
#define CD_TG0(v)		((u64)(v) << 6)
#define CD_WB_ISH		(1ull << 8 | 1ull << 10 | 3ull << 12)
#define CD_EPD1			BIT_ULL(30)	/* no TTB1 walks */
#define CD_V			BIT_ULL(31)
#define CD_IPS(v)		((u64)(v) << 32)
#define CD_AA64			BIT_ULL(41)
#define CD_R			BIT_ULL(45)	/* record faults */
#define CD_A			BIT_ULL(46)	/* abort, not stall, on fault */
#define CD_ASID(v)		((u64)(v) << 48)
#define CD_TTB			GENMASK_ULL(51, 4)

/* commands (4.1 to 4.7) */
#define CMD_CFGI_STE		0x03
#define CMD_CFGI_ALL		0x04
#define CMD_TLBI_NH_ASID	0x11
#define CMD_TLBI_NH_VA		0x12
#define CMD_TLBI_NSNH_ALL	0x30
#define CMD_SYNC		0x46
#define CMD_LEAF		BIT_ULL(0)	/* NH_VA: leaf entries only */

/* events (7.3) */
#define EVT_F_TRANSLATION	0x10
#define EVT_RNW			BIT_ULL(35)	/* word 1: 1 read, 0 write */

/* invalidate page by page up to this many pages, else the whole ASID */
#define INV_PAGES_MAX		32

static u32 smmu_rd(struct qi *q, u32 off)
{
	return readl(q->regs + off);
}

static void smmu_wr(struct qi *q, u32 off, u32 val)
{
	writel(val, q->regs + off);
}

/* IDR5.OAS encodings (7 is reserved: taken as the largest) */
static const u8 smmu_oas_bits[8] = { 32, 36, 40, 42, 44, 48, 52, 52 };

static int smmu_probe(struct qi *q)
{
	struct qi_smmu *s = &q->smmu;
	struct device_node *np;
	struct resource res;
	int ret;

	np = of_find_compatible_node(NULL, NULL, "arm,smmu-v3");
	if (!np)
		return -ENODEV;
	ret = of_address_to_resource(np, 0, &res);
	of_node_put(np);
	if (ret)
		return ret;
	if (resource_size(&res) < SMMU_REGS_SIZE)
		return -ENODEV;
	q->reg_base = res.start;
	q->regs = ioremap(q->reg_base, SMMU_REGS_SIZE);
	if (!q->regs)
		return -ENOMEM;
	s->idr0 = smmu_rd(q, SMMU_IDR0);
	s->idr1 = smmu_rd(q, SMMU_IDR1);
	s->idr3 = smmu_rd(q, SMMU_IDR3);
	s->idr5 = smmu_rd(q, SMMU_IDR5);
	qi_diag("smmu: SMMUv3 at %#llx IDR0 %#x IDR1 %#x IDR3 %#x IDR5 %#x",
		q->reg_base, s->idr0, s->idr1, s->idr3, s->idr5);
	qi_diag("smmu: S1P %d AArch64 %d COHACC %d BBML %u OAS %u 4K %d "
		"SIDSIZE %u", !!(s->idr0 & IDR0_S1P),
		!!(s->idr0 & IDR0_TTF_AA64), !!(s->idr0 & IDR0_COHACC),
		IDR3_BBML(s->idr3), IDR5_OAS(s->idr5),
		!!(s->idr5 & IDR5_GRAN4K), IDR1_SIDSIZE(s->idr1));
	/*
	 * What this driver needs: stage 1 AArch64 tables in little-endian
	 * (what iopgt writes), the 4K granule, queues and a stream table
	 * of the sizes used here, and coherent table walks (a module has
	 * no exported way to clean the data cache to the point of
	 * coherency).
	 */
	if (!(s->idr0 & IDR0_S1P) || !(s->idr0 & IDR0_TTF_AA64) ||
	    IDR0_TTENDIAN(s->idr0) == 3 || !(s->idr0 & IDR0_COHACC) ||
	    !(s->idr5 & IDR5_GRAN4K) || IDR1_CMDQS(s->idr1) < CMDQ_LG2 ||
	    IDR1_EVENTQS(s->idr1) < EVTQ_LG2 ||
	    IDR1_SIDSIZE(s->idr1) < STRTAB_LG2 || q->devid >> STRTAB_LG2)
		return -EOPNOTSUPP;

	q->cfg.format = IOPGT_FMT_ARM_S1;
	q->cfg.granule_lg2 = 12;
	q->cfg.oas = smmu_oas_bits[IDR5_OAS(s->idr5)];
	/* a split or merge replaces live blocks: what IDR3.BBML allows */
	if (IDR3_BBML(s->idr3) == 1)
		q->cfg.quirks |= IOPGT_QUIRK_ARM_BBML1;
	else if (IDR3_BBML(s->idr3) == 2)
		q->cfg.quirks |= IOPGT_QUIRK_ARM_BBML2;
	return 0;
}

/* 4 levels (48-bit IOVA, walk from level 0), then 3 (39 bits, level 1) */
static unsigned int smmu_levels(struct qi *q, unsigned int i)
{
	return i < 2 ? 4 - i : 0;
}

static int smmu_cr0(struct qi *q, u32 val)
{
	smmu_wr(q, SMMU_CR0, val);
	if (!qi_wait(smmu_rd(q, SMMU_CR0ACK) == val, 1000))
		return -ETIMEDOUT;
	return 0;
}

/*
 * Queue indices carry a wrap bit above their 2^lg2 slots; kept masked to
 * those bits, a queue is empty exactly when its two indices are equal.
 */
static u32 q_mask(unsigned int lg2)
{
	return (2u << lg2) - 1;
}

static u32 q_slot(u32 v, unsigned int lg2)
{
	return v & ((1u << lg2) - 1);
}

/* Queue one command; smmu_cmd_sync() hands it to the SMMU. */
static void smmu_cmd_add(struct qi *q, u64 w0, u64 w1)
{
	struct qi_smmu *s = &q->smmu;
	u64 *cmd = (u64 *)page_address(s->cmdq) +
		   2 * q_slot(s->cmd_prod, CMDQ_LG2);

	cmd[0] = cpu_to_le64(w0);
	cmd[1] = cpu_to_le64(w1);
	s->cmd_prod = (s->cmd_prod + 1) & q_mask(CMDQ_LG2);
}

/* The SMMU consumed every command given, or stopped at a bad one. */
static bool smmu_cmdq_done(struct qi *q)
{
	u32 cons = smmu_rd(q, SMMU_CMDQ_CONS);

	return CONS_ERR(cons) ||
	       (cons & q_mask(CMDQ_LG2)) == q->smmu.cmd_prod;
}

/*
 * Queue a CMD_SYNC behind the commands added, hand them all over and
 * wait until the SMMU has consumed them (a SYNC completes only when
 * every command before it has taken effect). Callers add fewer commands
 * than the queue holds between two syncs.
 */
static int smmu_cmd_sync(struct qi *q)
{
	u32 cons;

	smmu_cmd_add(q, CMD_SYNC, 0);
	/* the commands reach memory before the SMMU is told of them */
	wmb();
	smmu_wr(q, SMMU_CMDQ_PROD, q->smmu.cmd_prod);
	if (!qi_wait(smmu_cmdq_done(q), 1000))
		return -ETIMEDOUT;
	cons = smmu_rd(q, SMMU_CMDQ_CONS);
	if (CONS_ERR(cons)) {
		qi_diag("smmu: a command was refused, CMDQ_CONS %#x", cons);
		return -EIO;
	}
	return 0;
}

static void smmu_free(struct qi *q)
{
	struct qi_smmu *s = &q->smmu;

	if (s->strtab)
		__free_pages(s->strtab, s->strtab_order);
	if (s->cd)
		__free_page(s->cd);
	if (s->cmdq)
		__free_page(s->cmdq);
	if (s->evtq)
		__free_page(s->evtq);
	s->strtab = s->cd = s->cmdq = s->evtq = NULL;
}

static int smmu_enable(struct qi *q, const struct iopgt_hw_info *info)
{
	struct qi_smmu *s = &q->smmu;
	u64 *ste, *cd;
	int ret;

	if (info->arm.start_level < 0 || info->arm.ds)
		return -EOPNOTSUPP;
	s->strtab_order = get_order(64u << STRTAB_LG2);
	s->strtab = alloc_pages(GFP_KERNEL | __GFP_ZERO, s->strtab_order);
	s->cd = alloc_page(GFP_KERNEL | __GFP_ZERO);
	s->cmdq = alloc_page(GFP_KERNEL | __GFP_ZERO);
	s->evtq = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!s->strtab || !s->cd || !s->cmdq || !s->evtq)
		return -ENOMEM;

	ret = smmu_cr0(q, 0);
	if (ret)
		return ret;
	/* acknowledge whatever global error an earlier user left */
	smmu_wr(q, SMMU_GERRORN, smmu_rd(q, SMMU_GERROR));
	smmu_wr(q, SMMU_CR1, CR1_WB_ISH);
	smmu_wr(q, SMMU_CR2, CR2_RECINVSID | CR2_PTM);
	writeq(page_to_phys(s->strtab) | Q_RA_WA,
	       q->regs + SMMU_STRTAB_BASE);
	smmu_wr(q, SMMU_STRTAB_BASE_CFG, STRTAB_LG2);	/* linear */
	writeq(Q_RA_WA | (page_to_phys(s->cmdq) & Q_ADDR) | CMDQ_LG2,
	       q->regs + SMMU_CMDQ_BASE);
	smmu_wr(q, SMMU_CMDQ_PROD, 0);
	smmu_wr(q, SMMU_CMDQ_CONS, 0);
	s->cmd_prod = 0;
	writeq(Q_RA_WA | (page_to_phys(s->evtq) & Q_ADDR) | EVTQ_LG2,
	       q->regs + SMMU_EVENTQ_BASE);
	smmu_wr(q, SMMU_EVENTQ_PROD, 0);
	smmu_wr(q, SMMU_EVENTQ_CONS, 0);
	s->unexpected = 0;

	/*
	 * One context descriptor, from the table's hw_info: T0SZ, TG0, IPS
	 * and MAIR as iopgt says; TTB1 walks off; walks write-back inner
	 * shareable; faults recorded and the transaction aborted; ASID =
	 * the domain. ENDI stays 0: little-endian walks, what iopgt writes.
	 */
	cd = page_address(s->cd);
	cd[1] = cpu_to_le64(info->root_pa & CD_TTB);
	cd[3] = cpu_to_le64(info->arm.mair);
	cd[0] = cpu_to_le64(CD_T0SZ(info->arm.tsz) | CD_TG0(info->arm.tg0) |
			    CD_WB_ISH | CD_EPD1 | CD_V | CD_IPS(info->arm.ps) |
			    CD_AA64 | CD_R | CD_A | CD_ASID(q->domain));
	/* edu's stream table entry: stage 1 through that one CD */
	ste = (u64 *)page_address(s->strtab) + 8 * q->devid;
	ste[1] = cpu_to_le64(STE1_S1C_WB_ISH);
	ste[0] = cpu_to_le64(STE_V | STE_CFG_S1 |
			     (page_to_phys(s->cd) & STE_S1CTXPTR));
	wmb();

	ret = smmu_cr0(q, CR0_CMDQEN | CR0_EVENTQEN);
	if (ret)
		return ret;
	smmu_cmd_add(q, CMD_CFGI_ALL, 31);	/* Range 31: every stream */
	smmu_cmd_add(q, CMD_TLBI_NSNH_ALL, 0);
	ret = smmu_cmd_sync(q);
	if (!ret)
		ret = smmu_cr0(q, CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN);
	return ret;
}

/*
 * By VA, page by page, for a short range (Leaf clear when tables
 * changed, so cached walks above the leaves go too); otherwise the
 * whole ASID, which drops every cached walk of the table.
 */
static int smmu_invalidate(struct qi *q, u64 first, u64 last, bool tables)
{
	u64 asid = (u64)q->domain << 48, va;

	if ((last >> 12) - (first >> 12) >= INV_PAGES_MAX)
		smmu_cmd_add(q, CMD_TLBI_NH_ASID | asid, 0);
	else
		for (va = first & PAGE_MASK; va <= last; va += SZ_4K)
			smmu_cmd_add(q, CMD_TLBI_NH_VA | asid,
				     va | (tables ? 0 : CMD_LEAF));
	return smmu_cmd_sync(q);
}

/*
 * The events recorded since the last call, for @fn to look at; consumed
 * only with @consume.
 */
static void smmu_events(struct qi *q, bool consume,
			void (*fn)(struct qi *q, const u64 *evt, void *arg),
			void *arg)
{
	const u64 *evtq = page_address(q->smmu.evtq);
	u32 prod = smmu_rd(q, SMMU_EVENTQ_PROD) & q_mask(EVTQ_LG2);
	u32 cons = smmu_rd(q, SMMU_EVENTQ_CONS) & q_mask(EVTQ_LG2);
	const u64 *slot;
	u64 evt[4];
	int i;

	rmb();
	for (; cons != prod; cons = (cons + 1) & q_mask(EVTQ_LG2)) {
		slot = evtq + 4 * q_slot(cons, EVTQ_LG2);
		for (i = 0; i < 4; i++)
			evt[i] = le64_to_cpu(slot[i]);
		fn(q, evt, arg);
	}
	if (consume)
		smmu_wr(q, SMMU_EVENTQ_CONS, cons);
}

static void smmu_event_print(const u64 *evt)
{
	qi_diag("smmu: event %#llx sid %#llx %s input %#llx",
		evt[0] & 0xff, evt[0] >> 32, evt[1] & EVT_RNW ? "read" : "write",
		evt[2]);
}

/* A translation fault for edu is what the tests provoke; not the rest. */
static void smmu_event_cleared(struct qi *q, const u64 *evt, void *arg)
{
	if ((evt[0] & 0xff) == EVT_F_TRANSLATION && evt[0] >> 32 == q->devid)
		return;
	smmu_event_print(evt);
	q->smmu.unexpected++;
}

static void smmu_fault_clear(struct qi *q)
{
	smmu_events(q, true, smmu_event_cleared, NULL);
}

/*
 * edu moves a transfer 4 bytes at a time: a refused one leaves an event
 * per access. The look counts them and prints the first.
 */
struct smmu_fault_look {
	u64 iova;
	bool write;
	unsigned int events;
	enum qi_fault seen;
};

static void smmu_event_seen(struct qi *q, const u64 *evt, void *arg)
{
	struct smmu_fault_look *l = arg;
	bool match;

	match = (evt[0] & 0xff) == EVT_F_TRANSLATION &&
		evt[0] >> 32 == q->devid &&
		(evt[2] & PAGE_MASK) == (l->iova & PAGE_MASK) &&
		!(evt[1] & EVT_RNW) == l->write;
	if (!l->events++ || !match)
		smmu_event_print(evt);
	if (match)
		l->seen = QI_FAULT_MATCH;
	else if (l->seen == QI_FAULT_NONE)
		l->seen = QI_FAULT_OTHER;
}

static enum qi_fault smmu_fault_seen(struct qi *q, u64 iova, bool write)
{
	struct smmu_fault_look l = { .iova = iova, .write = write };

	smmu_events(q, false, smmu_event_seen, &l);
	if (l.events > 1)
		qi_diag("smmu: %u events in all", l.events);
	return l.seen;
}

/* Global errors, refused commands, and events no test provoked. */
static int smmu_errors(struct qi *q)
{
	u32 gerror = smmu_rd(q, SMMU_GERROR) ^ smmu_rd(q, SMMU_GERRORN);
	u32 cons = smmu_rd(q, SMMU_CMDQ_CONS);
	int n;

	smmu_fault_clear(q);
	n = q->smmu.unexpected + !!gerror + !!CONS_ERR(cons);
	if (n)
		qi_diag("smmu: GERROR %#x, CMDQ_CONS %#x, %u unexpected "
			"events", gerror, cons, q->smmu.unexpected);
	return n;
}

static void smmu_disable(struct qi *q)
{
	if (q->regs && smmu_cr0(q, 0))
		qi_diag("smmu: did not turn off");
	smmu_free(q);
}

const struct qi_iommu qi_smmu = {
	.name = "smmu",
	.probe = smmu_probe,
	.levels = smmu_levels,
	.enable = smmu_enable,
	.invalidate = smmu_invalidate,
	.fault_clear = smmu_fault_clear,
	.fault_seen = smmu_fault_seen,
	.errors = smmu_errors,
	.disable = smmu_disable,
};
