/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The fixture the conformance bodies share: an iopgt table on the test
 * allocator, the reference model beside it, and the software IOMMU
 * programmed from iopgt_hw_info(). Every editing helper applies the
 * operation to both the table and the model and compares what they say;
 * fx_check() compares everything else through independent eyes.
 */
#ifndef IOPGT_TESTS_FIXTURE_H
#define IOPGT_TESTS_FIXTURE_H

#include "it.h"
#include "model/model.h"
#include "hwmodel/hwmodel.h"
#include "support/talloc.h"

/* fx_map() and friends: accept whatever the model says. */
#define FX_ANY 1

#define FX_NPROBE 64

struct fx_shadow;

struct fx {
	struct it *t;
	struct talloc *ta;
	struct iopgt pt;
	struct model *m;
	struct hwm *hw;
	bool check_dirty;
	/* non-coherent walker: what the hwmodel sees, memory as cleaned */
	struct fx_shadow *shadow;
	/* IOVAs recently unmapped: fx_check() makes sure nothing is stale */
	u64 probe[FX_NPROBE];
	unsigned int nprobe;
};

/* Set up with the config's cfg plus @quirks; false (failed) if not. */
bool fx_setup(struct it *t, struct fx *fx, u32 quirks);

/*
 * Set up with dirty tracking on. On a config whose walker does not snoop
 * (IOPGT_QUIRK_NON_COHERENT) dirty tracking must be refused: this checks
 * that every way to ask for it gets -EOPNOTSUPP and returns false without
 * failing, so the body stops there having tested that.
 */
bool fx_setup_dirty(struct it *t, struct fx *fx);

/* Destroy everything; fails the test if a table leaked. */
bool fx_teardown(struct fx *fx);

bool fx_size_ok(const struct fx *fx, unsigned int size_lg2);

/* log2 of the bytes an entry at @level translates. */
unsigned int fx_item_lg2(const struct fx *fx, unsigned int level);

/* Largest usable IOVA + 1 as a log2 (the config's ias). */
unsigned int fx_ias(const struct fx *fx);

/* Map in both; the return codes must agree (and equal @want unless
 * FX_ANY). *@ret (may be NULL) gets the code. */
bool fx_map(struct fx *fx, u64 iova, u64 pa, u64 len, u32 prot, int want,
	    int *ret);

/* Unmap in both, invalidate exactly the gather's range, release. */
bool fx_unmap(struct fx *fx, u64 iova, u64 len, int want, int *ret);

/* Invalidate exactly what @g names in the hwmodel, then release it. */
void fx_flush(struct fx *fx, struct iopgt_gather *g,
	      const struct iopgt_bitmap *bitmap);

/* The device writes @iova through the software IOMMU; the model marks
 * the page dirty. Fails the test if the model says the write must work
 * and the hwmodel faults, or the other way round. */
bool fx_dma_write(struct fx *fx, u64 iova);

/* iopgt_read_dirty() and the model on the same bitmap geometry (bits
 * from @base up to the end of the range, plus slack that must stay
 * clear); the bitmaps must match and the gather must cover every leaf
 * cleaned. Invalidates the gather's range, then releases it. */
bool fx_read_dirty(struct fx *fx, u64 iova, u64 len, u32 flags, u64 base,
		   unsigned int pgshift);

/* iopgt_unmap_read_dirty() against the model: the bitmap (with what
 * gather release adds) must equal the model's dirty leaves removed. */
bool fx_unmap_read_dirty(struct fx *fx, u64 iova, u64 len, u64 base,
			 unsigned int pgshift, int want);

/* Split / merge in both; codes must agree (a config that needs
 * break-before-make it does not allow expects -EBUSY from iopgt alone);
 * the gather must cover what changed; then invalidate and release. */
bool fx_split(struct fx *fx, u64 iova, u64 len, unsigned int lg2, int want);
bool fx_merge(struct fx *fx, u64 iova, u64 len, int want);

/*
 * iopgt_unmap() (or, with @read_dirty, iopgt_unmap_read_dirty() on a
 * bitmap from @base at @pgshift) with IOPGT_UNMAP_CUT, against
 * model_cut(): codes and unmapped bytes must agree (and the code equal
 * @want unless FX_ANY), the gather must cover what changed, and the bits
 * must be the model's dirty leaves clipped to the range. Then invalidate
 * and release.
 */
bool fx_cut(struct fx *fx, u64 iova, u64 len, bool read_dirty, u64 base,
	    unsigned int pgshift, int want, int *ret);

/*
 * The top grew (IOPGT_QUIRK_AMD_GROW_TOP) under a call the fixture did not
 * make: the model learns it, the software IOMMU (on the old root, which
 * reached @old_ias bits) must still translate what the old root reached,
 * then it is programmed with the new root and mode. fx_map() does this.
 */
bool fx_grew(struct fx *fx, unsigned int old_ias);

/* Whether a cut that must split is refused (-EBUSY) for this config. */
bool fx_cut_blocked(const struct fx *fx);

/* Whether split and merge are refused (-EBUSY) for this config. */
bool fx_bbm_blocked(const struct fx *fx);

/* Everything agrees: validate, the hardware's view equals the model,
 * iova_to_phys agrees, the IOTLB holds nothing stale. */
bool fx_check(struct fx *fx);

/* The hardware's view of the table, as a model (for before/after). */
struct model *fx_snapshot(struct fx *fx);

/* Fails the test unless @a and @b hold the same leaves. */
bool fx_same(struct fx *fx, struct model *a, struct model *b,
	     const char *what);

/* Fails the test unless the hardware's view now holds the leaves of
 * @before (an fx_snapshot()); @what names the moment in the message. */
bool fx_unchanged(struct fx *fx, struct model *before, const char *what);

#endif /* IOPGT_TESTS_FIXTURE_H */
