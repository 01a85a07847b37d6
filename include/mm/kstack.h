/*
 * Kernel stacks with guard pages: KSTACK_SIZE bytes mapped in the kernel
 * mapping window (MMU_KMAP_BASE) with an unmapped page below each, so an
 * overflow faults instead of silently overwriting a neighbour.
 */
#ifndef MM_KSTACK_H
#define MM_KSTACK_H

#include <kern/types.h>

#define KSTACK_SIZE	16384

/*
 * Map a fresh, zeroed kernel stack and return its top (highest address,
 * exclusive). Returns NULL if frames or window space ran out; then nothing
 * is left mapped or allocated.
 * Locking: takes the kstack lock and the pmap lock; interrupts enabled or
 * disabled. TLB: no flush needed (only empty slots are filled).
 */
void *kstack_alloc(void);

/*
 * Unmap and free the stack whose top kstack_alloc() returned. Must not be
 * the stack the caller runs on.
 * Locking: as kstack_alloc. TLB: flushes the stack's pages everywhere
 * (tlb_batch_end) before its frames are freed.
 */
void kstack_free(void *top);

/* Lowest mapped address of the stack with top @top; the guard page is the
 * page just below it. */
static inline vaddr_t kstack_bottom(const void *top)
{
	return (vaddr_t)top - KSTACK_SIZE;
}

#endif
