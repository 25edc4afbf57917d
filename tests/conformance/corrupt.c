// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * iopgt_validate() against entries broken by hand, one way at a time: a
 * bit the hardware reserves or iopgt never writes, an encoding the
 * format forbids at that level, a table entry without the permissions
 * every table entry carries. Each is described with the bit positions of
 * FORMATS.md, not through the format's codecs, and put into a mapped 4K
 * leaf or into the table entry above it; validate must refuse the table
 * (-EINVAL, naming the level and the entry), and accept it again once the
 * entry is restored. The fuzz target fuzz_decode meets such entries at
 * random; here each is met on every config, every run.
 */
#include <string.h>

#include "harness/fixture.h"
#include "hwmodel/hwmodel.h"
#include "support/le.h"
#include "cases.h"

#define B(n)	(1ull << (n))

/*
 * One way to break an entry: clear @clear, then set @set, in the leaf
 * (@table false) or in the table entry pointing at the leaf's table.
 * @when: only on configs where it is a fault (0: always).
 */
struct corruption {
	const char *what;
	bool table;
	u64 clear;
	u64 set;
	unsigned int when;
};

enum {
	ANY = 0,
	S1,		/* ARM stage 1 */
	S2,		/* ARM stage 2 */
	NO_TRACKING,	/* dirty tracking off */
	OAS_BELOW_52,	/* an address bit above the oas exists */
};

static const struct corruption amdv1_bad[] = {
	{ "U (bit 59) in a leaf", false, 0, B(59), ANY },
	{ "bit 63 in a leaf", false, 0, B(63), ANY },
	{ "NextLevel 3 at level 0", false, 7ull << 9, 3ull << 9, ANY },
	{ "table entry without IW", true, B(62), 0, ANY },
	{ "FC in a table entry", true, 0, B(60), ANY },
	{ "table entry NextLevel not its child's", true, 7ull << 9,
	  5ull << 9, ANY },
};

static const struct corruption vtd_sl_bad[] = {
	{ "PS in a 4K leaf", false, 0, B(7), ANY },
	{ "software bit 10 in a leaf", false, 0, B(10), ANY },
	{ "table entry without W", true, B(1), 0, ANY },
	{ "D in a table entry", true, 0, B(9), ANY },
	{ "table address beyond the oas", true, 0, B(51), OAS_BELOW_52 },
};

static const struct corruption vtd_fl_bad[] = {
	{ "PS (PAT) in a 4K leaf", false, 0, B(7), ANY },
	{ "leaf without US", false, B(2), 0, ANY },
	{ "PCD without PWT", false, B(3), B(4), ANY },
	{ "D on a read-only leaf", false, B(1), B(6), ANY },
	{ "ignored bit 9 in a leaf", false, 0, B(9), ANY },
	{ "table entry without US", true, B(2), 0, ANY },
	{ "D in a table entry", true, 0, B(6), ANY },
};

static const struct corruption arm_bad[] = {
	{ "0b01 at the leaf level", false, B(1), 0, ANY },
	{ "leaf without AF", false, B(10), 0, ANY },
	{ "software bit 58 in a leaf", false, 0, B(58), ANY },
	{ "DBM with tracking off", false, 0, B(51), NO_TRACKING },
	{ "stage-1 leaf without AP[1]", false, B(6), 0, S1 },
	{ "stage-1 PXN without XN", false, B(54), B(53), S1 },
	{ "stage-2 MemAttr 0", false, 0xfull << 2, 0, S2 },
	{ "stage-2 XN 0b01", false, 3ull << 53, B(53), S2 },
	{ "NSTable in a table descriptor", true, 0, B(63), ANY },
};

static const struct corruption riscv_bad[] = {
	{ "reserved bit 54 in a leaf", false, 0, B(54), ANY },
	{ "PBMT 3 in a leaf", false, 0, 3ull << 61, ANY },
	{ "RSW (bit 8) in a leaf", false, 0, B(8), ANY },
	{ "leaf without A", false, B(6), 0, ANY },
	{ "G in a leaf", false, 0, B(5), ANY },
	{ "D on a read-only leaf", false, B(2), B(7), ANY },
	{ "W without R", false, B(1), B(2), ANY },
	{ "U in a table pointer", true, 0, B(4), ANY },
	{ "table pointer beyond the oas", true, 0, B(53), OAS_BELOW_52 },
};

static bool applies(const struct fx *fx, unsigned int when)
{
	switch (when) {
	case S1:
		return fx->pt.cfg.format == IOPGT_FMT_ARM_S1;
	case S2:
		return fx->pt.cfg.format == IOPGT_FMT_ARM_S2;
	case NO_TRACKING:
		return !fx->pt.dirty_tracking;
	case OAS_BELOW_52:
		return fx->pt.cfg.oas < 52;
	default:
		return true;
	}
}

static const struct corruption *bad_list(const struct fx *fx, unsigned int *n)
{
#define LIST(a)	(*n = sizeof(a) / sizeof((a)[0]), (a))
	switch (fx->pt.cfg.format) {
	case IOPGT_FMT_AMDV1:
		return LIST(amdv1_bad);
	case IOPGT_FMT_VTD_SL:
		return LIST(vtd_sl_bad);
	case IOPGT_FMT_VTD_FL:
		return LIST(vtd_fl_bad);
	case IOPGT_FMT_ARM_S1:
	case IOPGT_FMT_ARM_S2:
		return LIST(arm_bad);
	case IOPGT_FMT_RISCV:
	case IOPGT_FMT_RISCV_G:
		return LIST(riscv_bad);
	default:
		*n = 0;
		return NULL;
	}
#undef LIST
}

static u64 *entry_va(struct fx *fx, u64 pa)
{
	const struct iopgt_ops *ops = fx->pt.cfg.ops;

	if (ops->phys_to_virt)
		return ops->phys_to_virt(fx->pt.cfg.ctx, pa);
	return test_va(pa);
}

/*
 * A readable, writable 4K leaf (an 8K-aligned PA: no address bit of
 * interest is set), then each corruption that applies to the config, in
 * the leaf or the table entry above it: validate says -EINVAL, names the
 * level and the broken entry, and accepts the table once it is restored.
 */
static void validate_refuses_each_broken_entry(struct it *t)
{
	struct iopgt_validate_err err;
	const struct corruption *bad;
	unsigned int n, i, level, tested = 0;
	struct hwm_walk w;
	struct fx fx;
	u64 iova, *ptep, good, broken;

	IT_CHECK(t, fx_setup(t, &fx, 0));
	bad = bad_list(&fx, &n);
	if (!(fx.pt.pgsize_bitmap & B(12)) || fx.pt.levels < 2) {
		IT_CHECK(t, fx_teardown(&fx));
		return;
	}
	iova = 6 * B(12);
	IT_CHECK(t, fx_map(&fx, iova, 10 * B(12), B(12),
			   IOPGT_READ | IOPGT_WRITE, 0, NULL));
	IT_ASSERT_RET(t, hwm_walk(fx.hw, iova, &w), 0);
	IT_ASSERT(t, w.depth >= 2 && w.level == 0);
	for (i = 0; i < n; i++) {
		if (!applies(&fx, bad[i].when))
			continue;
		level = bad[i].table ? 1 : 0;
		ptep = entry_va(&fx, bad[i].table ? w.path[w.depth - 2].pte_pa :
						   w.pte_pa);
		good = tle_load(ptep);
		broken = (good & ~bad[i].clear) | bad[i].set;
		IT_ASSERT(t, broken != good);
		tle_store(ptep, broken);
		memset(&err, 0, sizeof(err));
		if (iopgt_validate(&fx.pt, &err) != -EINVAL || !err.what ||
		    err.level != level || err.pte != broken) {
			tle_store(ptep, good);
			IT_FAIL(t, "%s: validate accepted it or named another entry (level %u, pte 0x%llx: %s)",
				bad[i].what, err.level,
				(unsigned long long)err.pte,
				err.what ? err.what : "none");
			break;
		}
		tle_store(ptep, good);
		IT_ASSERT_RET(t, iopgt_validate(&fx.pt, &err), 0);
		tested++;
	}
	IT_ASSERT(t, t->failed || tested || !n);
	IT_CHECK(t, fx_check(&fx));
	IT_CHECK(t, fx_teardown(&fx));
}

const struct it_case it_cases_corrupt[] = {
	{ "validate_refuses_each_broken_entry",
	  validate_refuses_each_broken_entry },
};

const unsigned int it_ncases_corrupt = sizeof(it_cases_corrupt) /
				       sizeof(it_cases_corrupt[0]);
