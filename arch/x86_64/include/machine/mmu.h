/*
 * x86_64 MMU geometry for the MI pmap (checked in <mm/mmu.h>): 4-level
 * paging, 48-bit canonical VAs, one root per address space whose upper half
 * (PML4 slots 256..511) is shared with the kernel pmap.
 */
#ifndef MACHINE_MMU_H
#define MACHINE_MMU_H

#define MMU_PAGE_SHIFT		12
#define MMU_LEVELS		4	/* PT(0), PD(1), PDPT(2), PML4(3) */
#define MMU_LEVEL_BITS		9
#define MMU_VA_BITS		48
/* Bit l set: a leaf may sit at level l (4 KiB, 2 MiB, 1 GiB pages). */
#define MMU_LEAF_LEVELS		0x7u

#define MMU_USER_VA_END		0x0000800000000000UL
#define MMU_KERNEL_VA_BASE	0xffff800000000000UL
#define MMU_KERNEL_VA_LAST	0xffffffffffffffffUL

/* The kernel half lives in every root (no TTBR1-style second root). */
#define MMU_SEPARATE_KERNEL_ROOT 0
/* Root entries are walked on demand; nothing is latched at CR3 load. */
#define MMU_ROOT_PREALLOC	0
/* A valid leaf may be rewritten in place; the old entry is flushed later. */
#define MMU_BBM_REQUIRED	0
/* A page fault drops the faulting address's TLB and paging-structure
 * cache entries (SDM vol. 3A 4.10.4.1): a stale entry granting less than
 * the page table only costs a spurious fault, which re-walks. */
#define MMU_UPGRADE_LOCAL_ONLY	1
/* A 64-bit entry loads in one instruction (a plain mov). */
#define MMU_PTE_LOAD_ATOMIC	1
/* invlpg / INVPCID reach only the executing CPU. */
#define MMU_HAS_BROADCAST_TLBI	0
/* PCIDs name TLB contexts per CPU: one address space may hold a
 * different PCID on each CPU. */
#define MMU_ASID_PER_CPU	1
/* With CR4.PCIDE; mmu_asid_bits() says whether this CPU has it. */
#define MMU_ASID_BITS_MAX	12

/* Kernel mapping window for dynamic kernel mappings (kernel stacks with
 * guard pages, test mappings): 1 TiB above the direct map (0xffff8000_00000000, 64 TiB), below the image at -2 GiB. */
#define MMU_KMAP_BASE		0xffffc00000000000UL
#define MMU_KMAP_SIZE		0x0000010000000000UL

#endif
