/*
 * VMSAv8-64 stage-1 descriptors, 4 KiB granule (Arm ARM DDI 0487, D8.3):
 * what the MI codec in arch/aarch64/pte.c encodes. MI level l is Arm
 * level 3 - l (MI level 0 holds page descriptors). MI code uses <mm/mmu.h>.
 */
#ifndef MACHINE_PTE_H
#define MACHINE_PTE_H

#define A64_DESC_VALID		(1ULL << 0)
#define A64_DESC_TABLE		(1ULL << 1)	/* 0b11: table; page at MI level 0 */
#define A64_DESC_TYPE_MASK	0x3ULL
#define A64_DESC_BLOCK		0x1ULL		/* 0b01: block, MI levels 1-2 */
#define A64_DESC_PAGE		0x3ULL		/* 0b11 at MI level 0 */
#define A64_ATTRIDX_SHIFT	2		/* AttrIndx[2:0]: MAIR_EL1 slot */
#define A64_ATTRIDX_MASK	(0x7ULL << A64_ATTRIDX_SHIFT)
#define A64_AP_EL0		(1ULL << 6)	/* AP[1]: EL0 may access */
#define A64_AP_RO		(1ULL << 7)	/* AP[2]: read-only at every EL */
#define A64_SH_INNER		(3ULL << 8)	/* Inner Shareable */
#define A64_AF			(1ULL << 10)	/* access flag (no AF faults) */
#define A64_NG			(1ULL << 11)	/* not global: tagged by ASID */
#define A64_PXN			(1ULL << 53)	/* no execution at EL1 */
#define A64_UXN			(1ULL << 54)	/* no execution at EL0 */
/* APTable[1] of a table descriptor: no writes below it, at any EL
 * (hierarchical permissions; TCR_EL1.HPD0 stays 0). */
#define A64_APTABLE_RO		(1ULL << 62)
/* Output address [47:12] of a table or page; blocks use [47:21] / [47:30]. */
#define A64_DESC_ADDR		0x0000fffffffff000ULL

/* MAIR_EL1 slots the codec uses; the boot code programs MAIR_EL1_VALUE
 * (<machine/vmsa.h>) and arch/aarch64/pte.c checks the two agree. */
#define A64_ATTR_DEVICE		0	/* Device-nGnRnE */
#define A64_ATTR_NORMAL		1	/* Normal Inner/Outer Write-Back */
#define A64_ATTR_NORMAL_NC	2	/* Normal Non-cacheable */

#endif
