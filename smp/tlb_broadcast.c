/*
 * tlb=broadcast (aarch64): TLBI ...IS reaches every CPU of the inner
 * shareable domain and DSB ISH waits for all of them, so no IPI and no
 * generation is needed (a CPU not running the space loses its entries
 * too). Above tlb.ceiling pages one by-ASID TLBI replaces the by-VA ones.
 * Tags are global names here (asid_global.c), so a TLBI by the space's
 * ASID means that space on every CPU; with tlb.asid=0 every space is tag
 * 0 and a by-ASID flush drops other spaces' entries too: over-
 * invalidation, never stale.
 */
#include <kern/arch.h>
#include <kern/thread_md.h>
#include <mm/mmu.h>
#include <mm/page.h>
#include <mm/pmap.h>
#include <mm/tlb_batch.h>
#include <smp/asid.h>
#include <smp/tlb.h>
#include <smp/tlb_stats.h>

#include "tlb_internal.h"

#if MMU_HAS_BROADCAST_TLBI
static void broadcast_space(const struct pmap *pm, unsigned int tag)
{
	if (pm->kernel)
		mmu_tlb_flush_all_broadcast();
	else
		mmu_tlb_flush_asid_broadcast(tag);
	tlb_stat_add(TLB_STAT_BROADCAST, 1);
}

/* The TLBIs, with the space's tag held still (see asid_global_hold). */
static void broadcast_tlbi(struct tlb_batch *b)
{
	unsigned long irq = arch_irq_save();
	bool hold = !b->pmap->kernel && asid_mode() == ASID_GLOBAL &&
		    !tlb_loaded_here(b->pmap);
	unsigned int tag;

	if (hold)
		asid_global_hold();
	tag = tlb_tag_here(b->pmap);
	if (b->full || b->npages > tlb_ceiling()) {
		broadcast_space(b->pmap, tag);
	} else {
		tlb_batch_each_page(b, tag, mmu_tlb_flush_page_broadcast);
		tlb_stat_add(TLB_STAT_BROADCAST, b->npages);
	}
	if (hold)
		asid_global_release();
	arch_irq_restore(irq);
}

static void broadcast_shootdown(struct tlb_batch *b)
{
	uint64_t start = arch_clock_ns();

	tlb_stat_add(TLB_STAT_SHOOTDOWNS, 1);
	broadcast_tlbi(b);
	tlb_stat_latency(arch_clock_ns() - start);
}

/* A TLBI by ASID needs global tag names. */
static bool broadcast_available(void)
{
	return asid_mode() != ASID_PER_CPU;
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
