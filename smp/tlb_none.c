/*
 * tlb=none, tests only: the local flush and nothing else. No generation
 * is bumped, so not even a lazy catch-up hides a missing shootdown: the
 * coherence tests must fail under it (the *-selfcheck-tlbnone targets).
 */
#include <mm/tlb_batch.h>

#include "tlb_internal.h"

static void none_shootdown(struct tlb_batch *b)
{
	tlb_batch_flush_local(b);
}

const struct tlb_policy tlb_policy_none = {
	.name = "none",
	.summary = "NO remote invalidation, tests only",
	.shootdown = none_shootdown,
};
