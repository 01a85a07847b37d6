/*
 * aarch64 MMU geometry for the MI pmap (checked in <mm/mmu.h>): 4 KiB
 * granule, 4 levels, 48-bit VAs in each half. User roots go in TTBR0, the
 * kernel's own root in TTBR1, so user roots hold no kernel entries.
 */
#ifndef MACHINE_MMU_H
#define MACHINE_MMU_H

#define MMU_PAGE_SHIFT		12
#define MMU_LEVELS		4	/* MI level l is Arm level 3 - l */
#define MMU_LEVEL_BITS		9
#define MMU_VA_BITS		48
/* Pages at level 0, 2 MiB blocks at level 1, 1 GiB blocks at level 2. */
#define MMU_LEAF_LEVELS		0x7u

#define MMU_USER_VA_END		0x0001000000000000UL
#define MMU_KERNEL_VA_BASE	0xffff000000000000UL
#define MMU_KERNEL_VA_LAST	0xffffffffffffffffUL

#define MMU_SEPARATE_KERNEL_ROOT 1
#define MMU_ROOT_PREALLOC	0
/* Changing a valid entry's output address or memory type needs
 * break-before-make (Arm ARM D8.14): invalid, TLBI + DSB, then the new
 * entry. */
#define MMU_BBM_REQUIRED	1
/* A permission fault need not drop the entry that caused it: granting
 * more (read-only to writable) must be flushed everywhere, as Linux's
 * ptep_set_access_flags does. */
#define MMU_UPGRADE_LOCAL_ONLY	0
/* A 64-bit entry loads in one instruction (ldr). */
#define MMU_PTE_LOAD_ATOMIC	1
/* TLBI ...IS reaches every PE in the Inner Shareable domain. */
#define MMU_HAS_BROADCAST_TLBI	1
/* ASIDs are global names: a broadcast TLBI by ASID must mean the same
 * address space on every CPU. */
#define MMU_ASID_PER_CPU	0
/* 16 with TCR_EL1.AS = 1 when ID_AA64MMFR0_EL1.ASIDBits says so, else 8. */
#define MMU_ASID_BITS_MAX	16

/* Kernel mapping window for dynamic kernel mappings (kernel stacks with
 * guard pages, test mappings): 1 TiB above the direct map (VA = PA + 0xffff0000_00000000, up to 512 GiB of PA). */
#define MMU_KMAP_BASE		0xffff800000000000UL
#define MMU_KMAP_SIZE		0x0000010000000000UL

#endif
