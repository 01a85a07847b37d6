/*
 * tlb=broadcast (aarch64): TLBI ...IS reaches every CPU of the inner
 * shareable domain and DSB ISH waits for all of them, so no IPI and no
 * generation is needed (a CPU not running the space loses its entries
 * too). Above tlb.ceiling pages one by-ASID TLBI replaces the by-VA ones.
 * Every user space shares tag 0 today, so a by-ASID flush also drops
 * other spaces' entries on other CPUs: over-invalidation, never stale.
 */
#include <kern/arch.h>
#include <kern/thread_md.h>
#include <mm/mmu.h>
#include <mm/page.h>
#include <mm/pmap.h>
#include <mm/tlb_batch.h>
#include <smp/tlb.h>
#include <smp/tlb_stats.h>

#include "tlb_internal.h"

#if MMU_HAS_BROADCAST_TLBI
static void broadcast_space(const struct pmap *pm)
{
	if (pm->kernel)
		mmu_tlb_flush_all_broadcast();
	else
		mmu_tlb_flush_asid_broadcast(pm->asid);
	tlb_stat_add(TLB_STAT_BROADCAST, 1);
}

static void broadcast_shootdown(struct tlb_batch *b)
{
	uint64_t start = arch_clock_ns();

	tlb_stat_add(TLB_STAT_SHOOTDOWNS, 1);
	if (b->full || b->npages > tlb_ceiling()) {
		broadcast_space(b->pmap);
	} else {
		for (unsigned int i = 0; i < b->nranges; i++) {
			const struct tlb_range *r = &b->ranges[i];

			for (vaddr_t va = r->start;; va += PAGE_SIZE) {
				mmu_tlb_flush_page_broadcast(b->pmap->asid, va);
				if (va == r->last)
					break;
			}
		}
		tlb_stat_add(TLB_STAT_BROADCAST, b->npages);
	}
	tlb_stat_latency(arch_clock_ns() - start);
}

static bool broadcast_available(void)
{
	return true;
}
#else
static void broadcast_shootdown(struct tlb_batch *b)
{
	tlb_batch_flush_local(b);	/* never chosen: not available */
}

static bool broadcast_available(void)
{
	return false;
}
#endif

const struct tlb_policy tlb_policy_broadcast = {
	.name = "broadcast",
	.summary = "TLBI IS + DSB ISH, no IPIs",
	.available = broadcast_available,
	.shootdown = broadcast_shootdown,
};
