/*
 * i686 MMU geometry for the MI pmap (checked in <mm/mmu.h>): PAE paging,
 * 3 levels of 64-bit entries over a 32-bit VA, 3G/1G split. The four PDPTEs
 * are latched by the CPU when CR3 is loaded, so every root gets all four
 * page directories at creation (MMU_ROOT_PREALLOC) and keeps them.
 */
#ifndef MACHINE_MMU_H
#define MACHINE_MMU_H

#define MMU_PAGE_SHIFT		12
#define MMU_LEVELS		3	/* PT(0), PD(1), PDPT(2): 4 entries */
#define MMU_LEVEL_BITS		9
#define MMU_VA_BITS		32
/* 4 KiB and 2 MiB pages; a PDPTE cannot map memory. */
#define MMU_LEAF_LEVELS		0x3u

#define MMU_USER_VA_END		0xc0000000UL
#define MMU_KERNEL_VA_BASE	0xc0000000UL
#define MMU_KERNEL_VA_LAST	0xffffffffUL

#define MMU_SEPARATE_KERNEL_ROOT 0
#define MMU_ROOT_PREALLOC	1
#define MMU_BBM_REQUIRED	0
#define MMU_HAS_BROADCAST_TLBI	0
/* A 64-bit entry is two 32-bit loads (an atomic one: locked cmpxchg8b). */
#define MMU_PTE_LOAD_ATOMIC	0
/* A page fault drops the stale entry it hit (as x86_64). */
#define MMU_UPGRADE_LOCAL_ONLY	1
#define MMU_ASID_PER_CPU	1
/* No PCID in 32-bit paging modes: every CR3 load flushes. */
#define MMU_ASID_BITS_MAX	0

/* Kernel mapping window for dynamic kernel mappings (kernel stacks with
 * guard pages, test mappings): 64 MiB of the top 128 MiB left out of the 896 MiB direct map; the rest (0xfc000000 up) is for fixed device mappings. */
#define MMU_KMAP_BASE		0xf8000000UL
#define MMU_KMAP_SIZE		0x04000000UL

#endif
