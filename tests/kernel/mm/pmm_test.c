/*
 * Suite pmm: the buddy allocator, its per-CPU caches and the frame
 * metadata. Every case ends with pmm_free_count() where it started.
 * Runs on the boot CPU while other CPUs idle (their caches stay as they
 * are, and the checks only look at this CPU's).
 */
#include <kern/arch.h>
#include <kern/string.h>
#include <ktest/ktest.h>
#include <ktest/ktest_mm.h>
#include <mm/pmm.h>

static unsigned long this_cpu_cached(void)
{
	return pmm_pcpu_count(arch_cpu_id());
}

static void all_orders(struct ktest *t)
{
	unsigned long before = pmm_free_count();

	for (unsigned int order = 0; order <= PMM_MAX_ORDER; order++) {
		struct page *pg = pmm_alloc(order, 0);
		paddr_t pa;

		KASSERT_NOT_NULL(t, pg);
		pa = page_to_phys(pg);
		KEXPECT_EQ(t, pa & ((PAGE_SIZE << order) - 1), 0);
		KEXPECT_EQ(t, pg->refcount, 1);
		KEXPECT_EQ(t, pg->order, order);
		KEXPECT_PTR_EQ(t, page_from_phys(pa), pg);
		KEXPECT_PTR_EQ(t, page_from_phys(pa + (PAGE_SIZE << order) - 1),
			       pg + (1UL << order) - 1);
		KEXPECT_EQ(t, pmm_free_count(), before - (1UL << order));
		pmm_free(pg, order);
	}
	KEXPECT_EQ(t, pmm_free_count(), before);
	KEXPECT_NULL(t, pmm_alloc(PMM_MAX_ORDER + 1, 0));
}

/* Take every free frame, largest blocks first; returns the block count.
 * Blocks are chained through page->next (ours while allocated). */
static unsigned long take_everything(struct page **list)
{
	unsigned long n = 0;

	for (int order = PMM_MAX_ORDER; order >= 0; order--) {
		struct page *pg;

		while ((pg = pmm_alloc((unsigned int)order, 0)) != NULL) {
			pg->next = *list;
			*list = pg;
			n++;
		}
	}
	return n;
}

static void give_back(struct page *list)
{
	while (list) {
		struct page *next = list->next;

		list->next = NULL;
		pmm_free(list, list->order);
		list = next;
	}
}

static void snapshot_blocks(struct pmm_zone_stats *st)
{
	pmm_drain_local();
	for (unsigned int z = 0; z < PMM_NR_ZONES; z++)
		pmm_zone_stats(z, &st[z]);
}

/* Take every free order-1 block and one more, so a larger block must be
 * split; freeing them must merge everything back into exactly the blocks
 * there were. */
static void split_and_coalesce(struct ktest *t)
{
	struct pmm_zone_stats before[PMM_NR_ZONES], after[PMM_NR_ZONES];
	unsigned long free_before = pmm_free_count();
	struct page *list = NULL, *pg = NULL;

	snapshot_blocks(before);
	for (unsigned long i = 0; i <= before[PMM_ZONE_DIRECT].blocks[1]; i++) {
		pg = pmm_alloc(1, PMM_DIRECT);
		if (!pg)
			break;
		pg->next = list;
		list = pg;
	}
	KEXPECT_NOT_NULL(t, pg);
	KEXPECT_EQ(t, pmm_free_count(), free_before - 2 *
		   (before[PMM_ZONE_DIRECT].blocks[1] + 1));
	give_back(list);
	snapshot_blocks(after);
	for (unsigned int k = 0; k <= PMM_MAX_ORDER; k++)
		KEXPECT_EQ(t, after[PMM_ZONE_DIRECT].blocks[k],
			   before[PMM_ZONE_DIRECT].blocks[k]);
	KEXPECT_EQ(t, pmm_free_count(), free_before);
}

/* Exhaust memory, check the allocator says so cleanly, give it all back
 * and check the buddy lists coalesced into exactly the blocks they held. */
static void exhaustion_and_recovery(struct ktest *t)
{
	struct pmm_zone_stats before[PMM_NR_ZONES], after[PMM_NR_ZONES];
	unsigned long free_before = pmm_free_count();
	struct page *list = NULL;
	unsigned long blocks;

	snapshot_blocks(before);
	blocks = take_everything(&list);
	KEXPECT_GT(t, blocks, 0);
	KEXPECT_NULL(t, pmm_alloc(0, 0));
	KEXPECT_NULL(t, pmm_alloc(0, PMM_DIRECT));
	KEXPECT_EQ(t, this_cpu_cached(), 0);
	give_back(list);
	KEXPECT_EQ(t, pmm_free_count(), free_before);
	snapshot_blocks(after);
	for (unsigned int z = 0; z < PMM_NR_ZONES; z++) {
		KEXPECT_EQ(t, after[z].buddy_free, before[z].buddy_free);
		for (unsigned int k = 0; k <= PMM_MAX_ORDER; k++)
			KEXPECT_EQ(t, after[z].blocks[k], before[z].blocks[k]);
	}
	list = pmm_alloc(PMM_MAX_ORDER, 0);
	KEXPECT_NOT_NULL(t, list);
	if (list)
		pmm_free(list, PMM_MAX_ORDER);
	KEXPECT_EQ(t, pmm_free_count(), free_before);
}

/* The per-CPU cache moves whole batches at its exact thresholds and
 * never loses a page. */
static void pcpu_cache_exact(struct ktest *t)
{
	struct page *pages[PMM_PCPU_HIGH + 1];
	const unsigned int n = ARRAY_SIZE(pages);
	unsigned long before = pmm_free_count(), buddy;
	struct pmm_zone_stats st;

	pmm_drain_local();
	pmm_zone_stats(PMM_ZONE_DIRECT, &st);
	buddy = st.buddy_free;
	pages[0] = pmm_alloc(0, PMM_DIRECT);
	KASSERT_NOT_NULL(t, pages[0]);
	KEXPECT_EQ(t, this_cpu_cached(), PMM_PCPU_BATCH - 1);
	pmm_zone_stats(PMM_ZONE_DIRECT, &st);
	KEXPECT_EQ(t, st.buddy_free, buddy - PMM_PCPU_BATCH);
	for (unsigned int i = 1; i < n; i++) {
		pages[i] = pmm_alloc(0, PMM_DIRECT);
		KASSERT_NOT_NULL(t, pages[i]);
	}
	pmm_drain_local();
	KEXPECT_EQ(t, pmm_free_count(), before - n);
	for (unsigned int i = 0; i < n - 1; i++)
		pmm_free(pages[i], 0);
	KEXPECT_EQ(t, this_cpu_cached(), PMM_PCPU_HIGH);
	pmm_free(pages[n - 1], 0);	/* crosses PMM_PCPU_HIGH: one batch */
	KEXPECT_EQ(t, this_cpu_cached(), PMM_PCPU_HIGH + 1 - PMM_PCPU_BATCH);
	KEXPECT_EQ(t, pmm_free_count(), before);
	pmm_drain_local();
	KEXPECT_EQ(t, this_cpu_cached(), 0);
	pmm_zone_stats(PMM_ZONE_DIRECT, &st);
	KEXPECT_EQ(t, st.buddy_free, buddy);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

static void metadata_and_direct_map(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	struct page *pg = pmm_alloc(1, PMM_ZERO);
	unsigned char *va;
	bool zero = true;

	KASSERT_NOT_NULL(t, pg);
	va = page_to_virt(pg);
	KASSERT_NOT_NULL(t, va);
	KEXPECT_EQ(t, pmm_virt_to_phys(va), page_to_phys(pg));
	KEXPECT_PTR_EQ(t, page_from_virt(va + PAGE_SIZE + 5), pg + 1);
	for (size_t i = 0; i < 2 * PAGE_SIZE; i++)
		zero &= va[i] == 0;
	KEXPECT_TRUE(t, zero);
	KEXPECT_EQ(t, pg->mapcount, 0);
	page_ref_get(pg);
	KEXPECT_FALSE(t, page_ref_put(pg));
	KEXPECT_TRUE(t, page_ref_put(pg));
	pmm_free(pg, 1);
	KEXPECT_NULL(t, page_from_phys(0xfffffffff000ULL));
	KEXPECT_EQ(t, pmm_free_count(), before);
}

static void fault_injection(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	struct page *a, *b, *c, *d;

	pmm_fault_inject_nth(3);
	a = pmm_alloc(0, 0);
	b = pmm_alloc(2, 0);
	KEXPECT_FALSE(t, pmm_fault_inject_fired());
	c = pmm_alloc(0, 0);
	KEXPECT_TRUE(t, pmm_fault_inject_fired());
	d = pmm_alloc(0, 0);
	KEXPECT_NOT_NULL(t, a);
	KEXPECT_NOT_NULL(t, b);
	KEXPECT_NULL(t, c);
	KEXPECT_NOT_NULL(t, d);
	pmm_fault_inject_nth(0);
	if (a)
		pmm_free(a, 0);
	if (b)
		pmm_free(b, 2);
	if (d)
		pmm_free(d, 0);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* i686: frames above the direct map exist, have no kernel address, and
 * are preferred for requests that do not need one. */
static void zones(struct ktest *t)
{
	struct pmm_zone_stats high;
	unsigned long before = pmm_free_count();
	struct page *any, *direct;

	pmm_zone_stats(PMM_ZONE_HIGH, &high);
	if (high.managed == 0) {
		ktest_skip(t, "no memory above the direct map");
		return;
	}
	any = pmm_alloc(0, 0);
	direct = pmm_alloc(0, PMM_DIRECT);
	KASSERT_NOT_NULL(t, any);
	KASSERT_NOT_NULL(t, direct);
	KEXPECT_NULL(t, page_to_virt(any));
	KEXPECT_FALSE(t, pmm_phys_is_direct(page_to_phys(any)));
	KEXPECT_NOT_NULL(t, page_to_virt(direct));
	pmm_free(any, 0);
	pmm_free(direct, 0);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

KTEST_SUITE_SKIP_IF(pmm, ktest_skip_unless_pmm,
		    KTEST_CASE(all_orders),
		    KTEST_CASE(split_and_coalesce),
		    KTEST_CASE(exhaustion_and_recovery),
		    KTEST_CASE(pcpu_cache_exact),
		    KTEST_CASE(metadata_and_direct_map),
		    KTEST_CASE(fault_injection),
		    KTEST_CASE(zones));
