/*
 * tlb=naive, the baseline: a synchronous IPI per change to every other
 * CPU that has the address space loaded (lazy ones too; every online CPU
 * for the kernel's), each of which flushes the whole space, and a wait.
 * It uses the shootdown queues only as mailboxes: no coalescing, no
 * by-VA flushes remotely, no overlap of the local flush with the IPIs.
 */
#include <kern/arch.h>
#include <kern/thread_md.h>
#include <mm/pmap.h>
#include <mm/tlb_batch.h>
#include <smp/tlb.h>
#include <smp/tlb_stats.h>

#include "tlb_internal.h"

static void naive_shootdown(struct tlb_batch *b)
{
	/* No ranges: every target flushes all of the space. */
	struct tlb_req req = { .pm = b->pmap, .batch = NULL };
	uint64_t start = arch_clock_ns();
	struct cpuset targets;

	tlb_batch_flush_local(b);
	req.gen = b->pmap->kernel ? 0 : tlb_gen_bump(b->pmap);
	tlb_local_done(b->pmap, req.gen);
	tlb_targets(b->pmap, true, &targets);
	tlb_stat_add(TLB_STAT_SHOOTDOWNS, 1);
	if (cpuset_empty(&targets))
		return;
	tlb_queue_post(&targets, &req, false);
	tlb_queue_wait(&req);
	tlb_stat_latency(arch_clock_ns() - start);
}

const struct tlb_policy tlb_policy_naive = {
	.name = "naive",
	.summary = "an IPI per change, full flush, wait",
	.shootdown = naive_shootdown,
};
