/*
 * Kernel stacks in the mapping window. The window past the ktest pages is
 * cut into slots of one guard page plus the stack; slots are handed out
 * in order and recycled through a free list threaded through an index
 * array, so the window is never fragmented and a slot's guard stays
 * unmapped for the slot's whole life.
 */
#include <kern/errno.h>
#include <kern/spinlock.h>
#include <kern/string.h>
#include <mm/kstack.h>
#include <mm/mmu.h>
#include <mm/page.h>
#include <mm/pmap.h>
#include <mm/pmm.h>
#include <mm/tlb_batch.h>

#define KSTACK_PAGES	(KSTACK_SIZE / PAGE_SIZE)
#define SLOT_PAGES	(KSTACK_PAGES + 1)		/* guard + stack */
#define SLOT_BASE	(MMU_KMAP_BASE + MMU_KMAP_TEST_PAGES * PAGE_SIZE)
#define KSTACK_SLOTS	1024				/* stacks alive at once */
#define SLOT_NONE	UINT32_MAX

_Static_assert(KSTACK_SIZE % PAGE_SIZE == 0, "whole pages");
_Static_assert((MMU_KMAP_TEST_PAGES + KSTACK_SLOTS * SLOT_PAGES) * PAGE_SIZE
	       <= MMU_KMAP_SIZE, "the stack slots fit in the mapping window");

static struct spinlock kstack_lock = SPINLOCK_INIT("kstack");
static uint32_t next_unused;			/* slots below it were used */
static uint32_t free_head = SLOT_NONE;		/* recycled slots */
static uint32_t free_next[KSTACK_SLOTS];

static vaddr_t slot_stack_base(uint32_t slot)
{
	return SLOT_BASE + ((vaddr_t)slot * SLOT_PAGES + 1) * PAGE_SIZE;
}

static uint32_t slot_get(void)
{
	unsigned long flags = spin_lock_irqsave(&kstack_lock);
	uint32_t slot = SLOT_NONE;

	if (free_head != SLOT_NONE) {
		slot = free_head;
		free_head = free_next[slot];
	} else if (next_unused < KSTACK_SLOTS) {
		slot = next_unused++;
	}
	spin_unlock_irqrestore(&kstack_lock, flags);
	return slot;
}

static void slot_put(uint32_t slot)
{
	unsigned long flags = spin_lock_irqsave(&kstack_lock);

	free_next[slot] = free_head;
	free_head = slot;
	spin_unlock_irqrestore(&kstack_lock, flags);
}

/* Unmap the first @mapped pages at @base and free their frames after the
 * flush (another CPU may have touched the stack). */
static void unmap_pages(vaddr_t base, unsigned int mapped)
{
	struct tlb_batch b;

	tlb_batch_begin(&b, pmap_kernel());
	for (unsigned int i = 0; i < mapped; i++) {
		vaddr_t va = base + (vaddr_t)i * PAGE_SIZE;
		paddr_t pa;

		if (pmap_extract(pmap_kernel(), va, &pa, NULL) == 0) {
			pmap_kremove(va, PAGE_SIZE, &b);
			tlb_batch_defer_free(&b, page_from_phys(pa));
		}
	}
	tlb_batch_end(&b);
}

/* Back every page of the stack at @base; returns -ENOMEM after undoing. */
static int map_pages(vaddr_t base)
{
	for (unsigned int i = 0; i < KSTACK_PAGES; i++) {
		struct page *pg = pmm_alloc(0, PMM_DIRECT | PMM_ZERO);
		vaddr_t va = base + (vaddr_t)i * PAGE_SIZE;

		if (!pg || pmap_kenter(va, page_to_phys(pg),
				       VM_READ | VM_WRITE) != 0) {
			if (pg)
				pmm_free(pg, 0);
			unmap_pages(base, i);
			return -ENOMEM;
		}
	}
	return 0;
}

void *kstack_alloc(void)
{
	uint32_t slot = slot_get();
	vaddr_t base;

	if (slot == SLOT_NONE)
		return NULL;
	base = slot_stack_base(slot);
	if (map_pages(base) != 0) {
		slot_put(slot);
		return NULL;
	}
	return (void *)(base + KSTACK_SIZE);
}

void kstack_free(void *top)
{
	vaddr_t base = kstack_bottom(top);
	uint32_t slot = (uint32_t)((base - SLOT_BASE) / PAGE_SIZE / SLOT_PAGES);

	unmap_pages(base, KSTACK_PAGES);
	slot_put(slot);
}
