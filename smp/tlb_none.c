/*
 * tlb=none, tests only: user address spaces get the local flush and
 * nothing else. No generation is bumped, so not even a lazy catch-up
 * hides a missing shootdown: the coherence tests must fail under it (the
 * *-selfcheck-tlbnone targets). The kernel's own mappings are still shot
 * down as under batched: with them stale too, a CPU would run on a
 * recycled kernel stack through its old translation and the kernel, not
 * the test, would fail.
 */
#include <mm/pmap.h>
#include <mm/tlb_batch.h>

#include "tlb_internal.h"

static void none_shootdown(struct tlb_batch *b)
{
	if (b->pmap->kernel)
		tlb_policy_batched.shootdown(b);
	else
		tlb_batch_flush_local(b);
}

const struct tlb_policy tlb_policy_none = {
	.name = "none",
	.summary = "NO remote invalidation, tests only",
	.shootdown = none_shootdown,
};
