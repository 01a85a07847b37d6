/*
 * Helpers shared by the suites that need the memory layer. Static inline:
 * the header is only included by suites built together with mm/.
 */
#ifndef KTEST_KTEST_MM_H
#define KTEST_KTEST_MM_H

#include <mm/mmu.h>
#include <mm/page.h>
#include <mm/pmap.h>
#include <mm/pmm.h>
#include <mm/tlb_batch.h>

/* skip_if hooks: the suite needs the page allocator / the kernel pmap. */
static inline const char *ktest_skip_unless_pmm(void)
{
	return pmm_ready() ? NULL : "pmm not initialised by this boot";
}

static inline const char *ktest_skip_unless_pmap(void)
{
	return pmap_kernel_ready() ? NULL : "kernel pmap not bootstrapped";
}

/*
 * The flags a leaf made with @f reads back: on an MMU that cannot forbid
 * execution (x86 without NX) every leaf is executable, and the codec says
 * so. Derived from the codec itself, so it follows x86_pte_set_nx().
 */
static inline unsigned int ktest_flags_as_mapped(unsigned int f)
{
	mmu_pte_t probe = mmu_pte_make_leaf(0, VM_READ, 0);

	return f | (mmu_pte_flags(probe, 0) & VM_EXEC);
}

/* A direct-mapped frame whose first word is @mark, or NULL. */
static inline struct page *ktest_frame_with(uint32_t mark)
{
	struct page *pg = pmm_alloc(0, PMM_DIRECT | PMM_ZERO);

	if (pg)
		*(volatile uint32_t *)page_to_virt(pg) = mark;
	return pg;
}

/* The first word of @pg, read through the direct map. */
static inline uint32_t ktest_frame_word(struct page *pg)
{
	return *(volatile uint32_t *)page_to_virt(pg);
}

/* Unmap the kernel page at @va and flush it everywhere. */
static inline void ktest_kunmap(vaddr_t va)
{
	struct tlb_batch b;

	tlb_batch_begin(&b, pmap_kernel());
	pmap_kremove(va, PAGE_SIZE, &b);
	tlb_batch_end(&b);
}

#endif
