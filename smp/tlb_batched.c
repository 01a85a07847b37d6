/*
 * tlb=batched, the default: generations, per-CPU queues with coalesced
 * IPIs, lazy CPUs skipped unless page tables were freed. The initiator
 * sends first, flushes its own TLB while the IPIs are in flight, then
 * waits (serving its own queue) until every target acknowledged.
 */
#include <kern/arch.h>
#include <kern/thread_md.h>
#include <mm/pmap.h>
#include <mm/tlb_batch.h>
#include <smp/tlb.h>
#include <smp/tlb_stats.h>

#include "tlb_internal.h"

static void batched_shootdown(struct tlb_batch *b)
{
	struct tlb_req req = { .pm = b->pmap, .batch = b };
	uint64_t start = arch_clock_ns();
	struct cpuset targets;

	req.gen = b->pmap->kernel ? 0 : tlb_gen_bump(b->pmap);
	tlb_targets(b->pmap, (b->freed_tables && !tlb_bug_skip_lazy_tables) ||
			     !tlb_lazy_enabled, &targets);
	tlb_stat_add(TLB_STAT_SHOOTDOWNS, 1);
	if (!cpuset_empty(&targets))
		tlb_queue_post(&targets, &req, true);
	tlb_batch_flush_local(b);
	tlb_local_done(b->pmap, req.gen);
	if (!cpuset_empty(&targets))
		tlb_queue_wait(&req);
	tlb_stat_latency(arch_clock_ns() - start);
}

const struct tlb_policy tlb_policy_batched = {
	.name = "batched",
	.summary = "per-CPU queues, coalesced IPIs, generations",
	.shootdown = batched_shootdown,
};
