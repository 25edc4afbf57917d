/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * iopgt_qemu_iommu: iopgt's tables walked by an IOMMU nobody here wrote.
 *
 * The module takes over QEMU's emulated VT-d or AMD-Vi (the kernel's own
 * drivers are off), points it at tables iopgt built for the edu PCI
 * device, and drives edu's DMA engine through them. Everything the tests
 * check is what the emulated walker did: where the bytes landed, which
 * faults it recorded, what it still translated after an invalidation.
 *
 * The IOMMU-specific half is struct qi_iommu (qiommu_vtd.c,
 * qiommu_amd.c on x86; qiommu_smmu.c, Arm's SMMUv3, on arm64); the tests
 * (qiommu_main.c) only see that interface.
 */
#ifndef IOPGT_QIOMMU_H
#define IOPGT_QIOMMU_H

#include <linux/types.h>
#include <linux/pci.h>
#include <iopgt/iopgt.h>

struct qi;

/* Results of qi_iommu.fault_seen(). */
enum qi_fault {
	QI_FAULT_NONE = 0,	/* nothing recorded */
	QI_FAULT_MATCH,		/* edu's, at this IOVA, this access */
	QI_FAULT_OTHER,		/* a record, but not the one expected */
	QI_FAULT_UNREPORTED,	/* the IOMMU does not report this fault */
};

/**
 * struct qi_iommu - one emulated IOMMU, as the tests drive it
 * @name: "vtd", "amd" or "smmu": what the runner passes as iommu=
 * @probe: find the unit in its ACPI table (device tree on arm64), map
 *         its registers, read its capabilities and fill in @q->cfg
 *         (format, page sizes, quirks); 0 or a negative errno
 * @levels: the @i-th table depth to test (0, 1, ...): AMD DTE mode or
 *          VT-d levels the unit takes; 0 when there are no more
 * @enable: give edu the table whose hw_info is @info, then turn
 *          translation on
 * @invalidate: make the IOMMU forget cached translations of
 *              [@first, @last] (and cached table pointers if @tables),
 *              and wait until it has
 * @fault_clear: forget every fault recorded so far
 * @fault_seen: what the IOMMU recorded since @fault_clear about a DMA by
 *              edu to @iova (@write: device to memory)
 * @errors: errors the IOMMU logged that no test provoked (bad commands,
 *          bad device table entries); printed and counted
 * @disable: translation off, what @enable allocated freed (the unit may
 *           be enabled again with another table)
 */
struct qi_iommu {
	const char *name;
	int (*probe)(struct qi *q);
	unsigned int (*levels)(struct qi *q, unsigned int i);
	int (*enable)(struct qi *q, const struct iopgt_hw_info *info);
	int (*invalidate)(struct qi *q, u64 first, u64 last, bool tables);
	void (*fault_clear)(struct qi *q);
	enum qi_fault (*fault_seen)(struct qi *q, u64 iova, bool write);
	int (*errors)(struct qi *q);
	void (*disable)(struct qi *q);
};

extern const struct qi_iommu qi_vtd;
extern const struct qi_iommu qi_amd;
extern const struct qi_iommu qi_smmu;

/* IOMMU state; each unit uses its own part. */
struct qi_vtd {
	u64 cap, ecap;
	u32 iotlb_off;		/* ECAP.IRO * 16 */
	u32 frcd_off;		/* CAP.FRO * 16 */
	u32 nfr;		/* fault recording registers */
	struct page *root, *ctx;
};

struct qi_amd {
	struct page *devtab;	/* 2 MiB: every device ID */
	struct page *cmdbuf, *evtlog, *sem;
	u32 cmd_tail;
	u64 sem_seq;
};

struct qi_smmu {
	u32 idr0, idr1, idr3, idr5;
	struct page *strtab, *cd, *cmdq, *evtq;
	unsigned int strtab_order;
	u32 cmd_prod;
	unsigned int unexpected;	/* events no test provoked */
};

/**
 * struct qi - the test context
 * @iommu: the unit under test
 * @edu: the edu device; @edu_regs its BAR0; @devid its requester ID
 * @regs: the IOMMU's registers; @reg_base their physical address
 * @cfg: the page-table config the IOMMU asked for
 * @pt: the table
 * @tables: tables allocated and not yet freed (a leak shows here)
 * @domain: the domain ID the IOMMU tags the table with
 */
struct qi {
	const struct qi_iommu *iommu;
	struct pci_dev *edu;
	void __iomem *edu_regs;
	u16 devid;
	void __iomem *regs;
	u64 reg_base;
	struct iopgt_cfg cfg;
	struct iopgt pt;
	atomic_t tables;
	u16 domain;
	union {
		struct qi_vtd vtd;
		struct qi_amd amd;
		struct qi_smmu smmu;
	};
};

/* Indentation of the KTAP lines printed now: "" or a subtest's. */
extern const char *qi_indent;

/* A KTAP diagnostic line ("# ..."). */
#define qi_diag(fmt, ...) pr_info("%s# " fmt "\n", qi_indent, ##__VA_ARGS__)

/* Poll @cond every few microseconds for up to @ms; true if it held. */
#define qi_wait(cond, ms)						\
	({								\
		unsigned long __end = jiffies + msecs_to_jiffies(ms);	\
		bool __ok;						\
		while (!(__ok = (cond)) && time_before(jiffies, __end))	\
			udelay(5);					\
		__ok || (cond);						\
	})

#endif /* IOPGT_QIOMMU_H */
