/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * ARM tables on strict table memory services, for the bodies about ARM
 * descriptors as the architecture reads them (arm_decode.c has the
 * services and the bodies about RES0 bits; arm_oa52.c the ones about
 * output addresses above 48 bits).
 */
#ifndef IOPGT_TESTS_ARM_DECODE_H
#define IOPGT_TESTS_ARM_DECODE_H

#include "harness/it.h"
#include "hwmodel/hwmodel.h"

#define AD_ARENA	(64ull << 20)
#define AD_TRAP_BYTES	(1u << 16)	/* the largest granule */

/**
 * struct ad - one ARM table on strict table memory services
 * @t: the body run
 * @ta: where tables live
 * @ops: the services given to the engine
 * @pt: the table
 * @hw: the software IOMMU walking it
 * @pa_hi: added to a table's CPU address to make its physical address
 * @strays: table addresses the engine asked for that are no table's start
 * @stray_pa: the first of them
 * @trap: what the engine gets for such an address: empty entries
 */
struct ad {
	struct it *t;
	struct talloc *ta;
	struct iopgt_ops ops;
	struct iopgt pt;
	struct hwm *hw;
	u64 pa_hi;
	unsigned long strays;
	u64 stray_pa;
	u64 *trap;
};

u64 ad_mask(unsigned int hi, unsigned int lo);
bool ad_is_arm(const struct it *t);
bool ad_lpa2(const struct ad *a);
unsigned int ad_item_lg2(const struct ad *a, unsigned int level);
struct ad *ad_setup(struct it *t, u64 pa_hi);
void ad_teardown(struct ad *a);
u64 ad_table_pa(const struct ad *a, u64 desc);
u64 *ad_entry(struct ad *a, u64 iova, unsigned int level);
bool ad_hw_translates(struct ad *a, u64 iova, u64 pa, bool may_reject);
bool ad_no_stray(struct ad *a, const char *what);

#endif /* IOPGT_TESTS_ARM_DECODE_H */
