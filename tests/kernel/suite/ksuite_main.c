// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The conformance suite in a kernel: every body of tests/conformance on
 * every format x config of tests/harness/configs, with the reference model
 * and the software IOMMU beside the table, printed as KTAP: one subtest
 * per body, one result per config inside it, then an end marker that
 * scripts/kernel-test waits for.
 *
 * The whole run happens in module_init, in insmod's process; threaded
 * bodies start kthreads (kcompat.c). Parameters:
 *	scale=N    thousandths of the bodies' default sizes (it_scaled)
 *	span=N     largest leaf a body maps: 2^N smallest pages at most
 *	           (it_max_leaf_lg2; 0: the bodies' own limit, 2^30)
 *	filter=S   run only bodies whose name contains S
 *	config=S   run only configs whose name contains S
 */
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "conformance/cases.h"
#include "support/testpa.h"
#include "ksuite.h"

static unsigned int scale = 1000;
module_param(scale, uint, 0444);
MODULE_PARM_DESC(scale, "bodies' sizes in thousandths of their default");
static unsigned int span;
module_param(span, uint, 0444);
MODULE_PARM_DESC(span, "largest leaf a body maps, in smallest pages, log2");
static char *filter;
module_param(filter, charp, 0444);
MODULE_PARM_DESC(filter, "run only bodies whose name contains this");
static char *config;
module_param(config, charp, 0444);
MODULE_PARM_DESC(config, "run only configs whose name contains this");

struct ksuite_list {
	const struct it_case *cases;
	const unsigned int *n;
};

static const struct ksuite_list ksuite_lists[] = {
	IT_CASE_LISTS(IT_CASE_ENTRY)
	IT_CASE_ENTRY(threads)
	IT_CASE_ENTRY(probe)
};

/* Diagnostics go at the depth of the subtest being run. */
static const char *ksuite_indent = "";

void ksuite_diag(const char *fmt, ...)
{
	struct va_format vaf;
	va_list ap;

	va_start(ap, fmt);
	vaf.fmt = fmt;
	vaf.va = &ap;
	pr_info("%s# %pV\n", ksuite_indent, &vaf);
	va_end(ap);
}

struct ksuite_counts {
	unsigned int passed, failed, skipped;
};

static bool ksuite_wanted(const char *name, const char *want)
{
	return !want || !*want || strstr(name, want);
}

/* Run @c on every config as one subtest; return whether all passed. */
static bool ksuite_run_case(const struct it_case *c, unsigned int case_no,
			    struct ksuite_counts *n)
{
	unsigned int i, left, failed = 0;
	u64 start = ktime_get_ns();

	pr_info("    KTAP version 1\n");
	pr_info("    # Subtest: %s\n", c->name);
	pr_info("    1..%u\n", it_nconfigs);
	for (i = 0; i < it_nconfigs; i++) {
		const struct it_config *cfg = &it_configs[i];
		struct it *t;

		if (!ksuite_wanted(cfg->name, config)) {
			pr_info("    ok %u %s # SKIP not selected (config=%s)\n",
				i + 1, cfg->name, config);
			n->skipped++;
			continue;
		}
		/* struct it carries a 1 KiB message: not on a kernel stack */
		t = kzalloc(sizeof(*t), GFP_KERNEL);
		if (!t) {
			pr_info("    not ok %u %s # no memory for the run\n",
				i + 1, cfg->name);
			failed++;
			continue;
		}
		t->config = cfg;
		/* a seed of its own per body x config, as runner.c gives */
		t->seed = 0x10b9700 + (u64)case_no * it_nconfigs + i;
		t->scale_milli = scale;
		t->span_lg2 = span;
		ksuite_indent = "    ";
		c->fn(t);
		left = kc_reclaim_maps();
		/* a body that passes tears its fixture down */
		if (left && !t->failed)
			IT_FAIL(t, "%u table arenas left mapped", left);
		if (t->failed) {
			ksuite_diag("%s on %s: %s", c->name, cfg->name,
				    t->msg);
			pr_info("    not ok %u %s\n", i + 1, cfg->name);
			failed++;
		} else {
			pr_info("    ok %u %s\n", i + 1, cfg->name);
		}
		ksuite_indent = "";
		kfree(t);
		cond_resched();
	}
	n->failed += failed;
	n->passed += it_nconfigs - failed;
	pr_info("    # %s: %llu ms\n", c->name,
		(ktime_get_ns() - start) / NSEC_PER_MSEC);
	return !failed;
}

static int __init ksuite_init(void)
{
	struct ksuite_counts n = { 0 };
	unsigned int l, i, total = 0, no = 0, case_no = 0;
	u64 start = ktime_get_ns();

	for (l = 0; l < ARRAY_SIZE(ksuite_lists); l++)
		total += *ksuite_lists[l].n;
	pr_info("KTAP version 1\n");
	/*
	 * Table memory's test physical address is its CPU address less the
	 * top half's start (testpa.h): that fits the configs' output sizes
	 * only with 4-level paging's kernel half.
	 */
	if ((uintptr_t)PAGE_OFFSET < TEST_PA_OFFSET) {
		pr_info("Bail out! kernel addresses below 0x%llx (5-level paging?): table addresses would not fit the configs\n",
			TEST_PA_OFFSET);
		return -EINVAL;
	}
	pr_info("# iopgt conformance suite: %u bodies x %u configs, scale %u/1000, span %u\n",
		total, it_nconfigs, scale, span);
	pr_info("1..%u\n", total);
	for (l = 0; l < ARRAY_SIZE(ksuite_lists); l++) {
		for (i = 0; i < *ksuite_lists[l].n; i++, case_no++) {
			const struct it_case *c = &ksuite_lists[l].cases[i];

			no++;
			if (!ksuite_wanted(c->name, filter)) {
				pr_info("ok %u %s # SKIP not selected (filter=%s)\n",
					no, c->name, filter);
				continue;
			}
			pr_info("%sok %u %s\n",
				ksuite_run_case(c, case_no, &n) ? "" : "not ",
				no, c->name);
		}
	}
	kc_release_all();
	pr_info("# iopgt-ksuite: done in %llu ms: %u passed, %u failed, %u skipped\n",
		(ktime_get_ns() - start) / NSEC_PER_MSEC, n.passed, n.failed,
		n.skipped);
	return 0;
}

static void __exit ksuite_exit(void)
{
}

module_init(ksuite_init);
module_exit(ksuite_exit);
MODULE_DESCRIPTION("iopgt conformance suite, run in the kernel, KTAP output");
MODULE_LICENSE("Dual BSD/GPL");
