/*
 * Suite tlb_batch: range bookkeeping, the page-vs-ASID threshold, and
 * deferred frees that wait for the flush. The pmaps used are never active,
 * so the local invalidations it triggers are harmless on a guest; what
 * they asked of the TLB is read back from the per-CPU tlb_batch_stats.
 */
#include <kern/arch.h>
#include <kern/string.h>
#include <ktest/ktest.h>
#include <ktest/ktest_mm.h>
#include <mm/pmap.h>
#include <mm/pmm.h>
#include <mm/tlb_batch.h>
#include <smp/tlb.h>

#define VA	((vaddr_t)0x400000)			/* user */
#define KVA	((vaddr_t)MMU_KERNEL_VA_BASE + 0x400000)	/* kernel */

static void stats_now(struct tlb_batch_stats *st)
{
	tlb_batch_stats(arch_cpu_id(), st);
}

static void ranges_merge(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	struct pmap *pm = pmap_kernel();
	struct tlb_batch b;

	tlb_batch_begin(&b, pm);
	tlb_batch_add(&b, KVA + PAGE_SIZE, PAGE_SIZE);
	tlb_batch_add(&b, KVA + 2 * PAGE_SIZE, PAGE_SIZE);
	tlb_batch_add(&b, KVA, PAGE_SIZE + 1);	/* rounds out to 2 pages */
	KEXPECT_EQ(t, b.nranges, 1);
	KEXPECT_EQ(t, b.npages, 3);
	tlb_batch_add(&b, KVA + 10 * PAGE_SIZE, 2 * PAGE_SIZE);
	KEXPECT_EQ(t, b.nranges, 2);
	KEXPECT_EQ(t, b.npages, 5);
	tlb_batch_add(&b, KVA + 11 * PAGE_SIZE, 3 * PAGE_SIZE);	/* overlaps */
	KEXPECT_EQ(t, b.nranges, 2);
	KEXPECT_EQ(t, b.npages, 7);
	tlb_batch_add(&b, KVA, 0);
	KEXPECT_EQ(t, b.npages, 7);
	KEXPECT_FALSE(t, b.full);
	tlb_batch_end(&b);
	KEXPECT_EQ(t, b.nranges, 0);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

static void threshold_and_overflow(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	struct tlb_batch b;

	/* Many pages in one range stay a range: the flush applies the
	 * ceiling (tlb.ceiling), not the batch. */
	tlb_batch_begin(&b, pmap_kernel());
	tlb_batch_add(&b, KVA, 4096 * PAGE_SIZE);
	KEXPECT_FALSE(t, b.full);
	KEXPECT_EQ(t, b.npages, 4096);
	tlb_batch_end(&b);
	KEXPECT_FALSE(t, b.full);
	tlb_batch_begin(&b, pmap_kernel());
	for (unsigned int i = 0; i <= TLB_BATCH_MAX_RANGES; i++)
		tlb_batch_add(&b, KVA + 2 * i * PAGE_SIZE, PAGE_SIZE);
	KEXPECT_TRUE(t, b.full);
	KEXPECT_EQ(t, b.nranges, TLB_BATCH_MAX_RANGES);
	tlb_batch_end(&b);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* The last page of the address space is a range like any other. */
static void top_page(struct ktest *t)
{
	vaddr_t top = MMU_KERNEL_VA_LAST & ~(vaddr_t)PAGE_MASK;
	unsigned long before = pmm_free_count();
	struct tlb_batch b;

	tlb_batch_begin(&b, pmap_kernel());
	tlb_batch_add(&b, top - PAGE_SIZE, 2 * PAGE_SIZE);
	KEXPECT_EQ(t, b.nranges, 1);
	KEXPECT_EQ(t, b.npages, 2);
	KEXPECT_EQ(t, b.ranges[0].last, top);
	tlb_batch_add(&b, top, PAGE_SIZE);
	KEXPECT_EQ(t, b.npages, 2);
	tlb_batch_end(&b);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* tlb=broadcast invalidates with TLBI IS instead of the local flushes
 * these counters count (smp/tlb_broadcast.c counts its own). */
static bool local_flushes_counted(void)
{
	return strcmp(tlb_policy_name(), "broadcast") != 0;
}

/* Pages up to the threshold flush one by one, more flush the ASID. */
static void flush_kinds(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	struct tlb_batch_stats s0, s1;
	unsigned long few = MIN(3UL, tlb_ceiling());	/* tlb.ceiling=1 too */
	struct pmap *pm;
	struct tlb_batch b;

	if (!local_flushes_counted()) {
		ktest_skip(t, "tlb=broadcast does no local batch flushes");
		return;
	}
	pm = pmap_create();
	KASSERT_NOT_NULL(t, pm);
	stats_now(&s0);
	tlb_batch_begin(&b, pm);
	tlb_batch_add(&b, VA, few * PAGE_SIZE);
	tlb_batch_end(&b);
	stats_now(&s1);
	KEXPECT_EQ(t, s1.page_flushes - s0.page_flushes, few);
	KEXPECT_EQ(t, s1.asid_flushes - s0.asid_flushes, 0);
	KEXPECT_EQ(t, s1.batches - s0.batches, 1);
	tlb_batch_begin(&b, pm);
	tlb_batch_add(&b, VA, (tlb_ceiling() + 1) * PAGE_SIZE);
	tlb_batch_end(&b);
	stats_now(&s0);
	KEXPECT_EQ(t, s0.page_flushes - s1.page_flushes, 0);
	KEXPECT_EQ(t, s0.asid_flushes - s1.asid_flushes, 1);
	tlb_batch_begin(&b, pm);
	tlb_batch_end(&b);	/* nothing recorded: nothing flushed */
	stats_now(&s1);
	KEXPECT_EQ(t, s1.batches, s0.batches);
	KEXPECT_EQ(t, s1.page_flushes + s1.asid_flushes + s1.full_flushes,
		   s0.page_flushes + s0.asid_flushes + s0.full_flushes);
	pmap_destroy(pm);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* Deferred frames stay allocated through tlb_batch_flush and return to
 * the pmm only in tlb_batch_end, after the flush. */
static void deferred_frees(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	struct tlb_batch_stats s0, s1;
	struct page *f[3];
	struct tlb_batch b;

	for (unsigned int i = 0; i < 3; i++) {
		f[i] = pmm_alloc(i, 0);
		KASSERT_NOT_NULL(t, f[i]);
	}
	stats_now(&s0);
	tlb_batch_begin(&b, pmap_kernel());
	for (unsigned int i = 0; i < 3; i++)
		tlb_batch_defer_free(&b, f[i]);
	KEXPECT_FALSE(t, b.freed_tables);
	tlb_batch_add(&b, MMU_KERNEL_VA_BASE, PAGE_SIZE);
	tlb_batch_flush(&b);
	KEXPECT_EQ(t, pmm_free_count(), before - 7);
	tlb_batch_end(&b);
	stats_now(&s1);
	KEXPECT_EQ(t, pmm_free_count(), before);
	KEXPECT_EQ(t, s1.frames_freed - s0.frames_freed, 3);
	KEXPECT_EQ(t, s1.page_flushes - s0.page_flushes,
		   local_flushes_counted() ? 1 : 0);
	KEXPECT_NULL(t, b.deferred);
}

/*
 * Deferred references: inline, then chunks on the deferred list. Each
 * drops only in tlb_batch_end (a frame also held elsewhere survives it);
 * with the first chunk's allocation failed (@inject) the batch flushes
 * early and drops its inline references then, and still frees each frame
 * exactly once.
 */
static void puts_once(struct ktest *t, unsigned long inject)
{
	enum { N = 1100 };	/* inline + more than one chunk everywhere */
	static struct page *f[N];
	unsigned long before = pmm_free_count(), held = 0;
	struct tlb_batch_stats s0, s1;
	struct tlb_batch b;

	for (unsigned int i = 0; i < N; i++) {
		f[i] = pmm_alloc(0, 0);
		KASSERT_NOT_NULL(t, f[i]);
		if (i % 2 == 0) {
			page_ref_get(f[i]);
			held++;
		}
	}
	stats_now(&s0);
	tlb_batch_begin(&b, pmap_kernel());
	tlb_batch_add(&b, MMU_KERNEL_VA_BASE, PAGE_SIZE);
	pmm_fault_inject_nth(inject);
	for (unsigned int i = 0; i < N; i++)
		tlb_batch_defer_put(&b, f[i]);
	KEXPECT_EQ(t, pmm_fault_inject_fired(), inject != 0);
	pmm_fault_inject_nth(0);
	stats_now(&s1);
	/* Without a failure nothing was flushed or dropped yet; with one,
	 * the early round freed the inline frames nobody else holds. */
	KEXPECT_EQ(t, s1.page_flushes - s0.page_flushes,
		   inject && local_flushes_counted() ? 1 : 0);
	KEXPECT_EQ(t, s1.frames_freed - s0.frames_freed,
		   inject ? TLB_BATCH_INLINE_PUTS / 2 : 0);
	KEXPECT_EQ(t, f[1]->refcount, inject ? 0 : 1);
	/* More changes after the early round: the end flushes again. */
	tlb_batch_add(&b, MMU_KERNEL_VA_BASE + PAGE_SIZE, PAGE_SIZE);
	tlb_batch_end(&b);
	stats_now(&s1);
	KEXPECT_EQ(t, s1.batches - s0.batches, 1);
	KEXPECT_EQ(t, s1.frames_freed - s0.frames_freed, N - held);
	KEXPECT_NULL(t, b.deferred);
	KEXPECT_NULL(t, b.put_chunk);
	KEXPECT_EQ(t, b.nput, 0);
	for (unsigned int i = 0; i < N; i += 2) {
		KEXPECT_EQ(t, f[i]->refcount, 1);
		pmm_free(f[i], 0);
	}
	KEXPECT_EQ(t, pmm_free_count(), before);
}

static void deferred_puts(struct ktest *t)
{
	puts_once(t, 0);
	puts_once(t, 1);
}

KTEST_SUITE_SKIP_IF(tlb_batch, ktest_skip_unless_pmap,
		    KTEST_CASE(ranges_merge),
		    KTEST_CASE(threshold_and_overflow),
		    KTEST_CASE(top_page),
		    KTEST_CASE(flush_kinds),
		    KTEST_CASE(deferred_frees),
		    KTEST_CASE(deferred_puts));
