/*
 * VMSAv8-64 constants for the boot page tables: descriptor bits, MAIR,
 * TCR, TTBR and SCTLR values (Arm ARM DDI 0487, chapter D8 and D17).
 * Shared by assembly and C.
 */
#ifndef MACHINE_VMSA_H
#define MACHINE_VMSA_H

#include <machine/memlayout.h>

/* 4 KiB granule, 48-bit VA: four levels, 9 bits each above the page offset. */
#define PT_ENTRIES		512
#define PT_L1_SHIFT		30	/* a level 1 block maps 1 GiB */
#define PT_L2_SHIFT		21	/* a level 2 block maps 2 MiB */
#define PT_L0_SHIFT		39
#define PT_BLOCK_2M		(UL_(1) << PT_L2_SHIFT)
#define PT_BLOCK_1G		(UL_(1) << PT_L1_SHIFT)

/* Descriptor bits (D8.3): bits[1:0] 0b11 = table (L0-L2) or page (L3),
 * 0b01 = block (L1-L2). */
#define PTE_TABLE		UL_(0x3)
#define PTE_BLOCK		UL_(0x1)
#define PTE_PAGE		UL_(0x3)
#define PTE_TYPE_MASK		UL_(0x3)
#define PTE_ATTRIDX(n)		(UL_(n) << 2)	/* index into MAIR_EL1 */
#define PTE_RDONLY		(UL_(1) << 7)	/* AP[2]: read-only at every EL */
#define PTE_SH_INNER		(UL_(3) << 8)	/* Inner Shareable */
#define PTE_AF			(UL_(1) << 10)	/* Access flag: no AF fault */
#define PTE_PXN			(UL_(1) << 53)	/* no execution at EL1 */
#define PTE_UXN			(UL_(1) << 54)	/* no execution at EL0 */
/* Output address bits [47:12] of a table or page descriptor. */
#define PTE_ADDR_MASK		UL_(0x0000fffffffff000)

/* MAIR_EL1 attribute slots (D17.2.97). */
#define MAIR_IDX_DEVICE		0	/* 0x00: Device-nGnRnE */
#define MAIR_IDX_NORMAL		1	/* 0xff: Normal, Inner/Outer WB RW-allocate */
#define MAIR_IDX_NORMAL_NC	2	/* 0x44: Normal, Inner/Outer Non-cacheable */
#define MAIR_EL1_VALUE		UL_(0x000000000044ff00)

/*
 * Attributes of the boot mappings, without the descriptor type (block or
 * page is added where the entry is made). EL0 has no access to any of
 * them (AP[1] = 0) and all are global (nG = 0). W^X: nothing is both
 * writable and executable at EL1.
 */
#define PTE_KERNEL_NORMAL	(PTE_ATTRIDX(MAIR_IDX_NORMAL) | PTE_SH_INNER | \
				 PTE_AF | PTE_UXN)
/* Kernel .text: read-only, executable at EL1. */
#define PTE_KERNEL_TEXT		(PTE_KERNEL_NORMAL | PTE_RDONLY)
/* Kernel .rodata: read-only, never executable. */
#define PTE_KERNEL_RODATA	(PTE_KERNEL_NORMAL | PTE_RDONLY | PTE_PXN)
/* Kernel .data/.bss and the direct map of RAM: read/write, never executable. */
#define PTE_KERNEL_DATA		(PTE_KERNEL_NORMAL | PTE_PXN)
/* Device MMIO: never executable (speculative fetches must not touch it). */
#define PTE_KERNEL_DEVICE	(PTE_ATTRIDX(MAIR_IDX_DEVICE) | PTE_AF | \
				 PTE_PXN | PTE_UXN)

/*
 * TCR_EL1 (D17.2.131):
 *   T0SZ = T1SZ = 16     48-bit VA in both halves
 *   IRGN/ORGN = 0b01     walks are Normal Write-Back Write-Allocate
 *   SH = 0b11            walks are Inner Shareable
 *   TG0 = 0b00, TG1 = 0b10   4 KiB granule in TTBR0 and TTBR1
 *   A1 = 0               the ASID comes from TTBR0_EL1
 *   AS                   16-bit ASIDs, set at boot where
 *                        ID_AA64MMFR0_EL1.ASIDBits says the CPU has them
 *   IPS                  filled in at boot from ID_AA64MMFR0_EL1.PARange
 *   EPD0                 set once the identity map in TTBR0 is dropped;
 *                        cleared while a user root is active (mmu.c)
 */
#define TCR_T0SZ(n)		(UL_(n) << 0)
#define TCR_EPD0		(UL_(1) << 7)
#define TCR_IRGN0_WBWA		(UL_(1) << 8)
#define TCR_ORGN0_WBWA		(UL_(1) << 10)
#define TCR_SH0_INNER		(UL_(3) << 12)
#define TCR_TG0_4K		(UL_(0) << 14)
#define TCR_T1SZ(n)		(UL_(n) << 16)
#define TCR_IRGN1_WBWA		(UL_(1) << 24)
#define TCR_ORGN1_WBWA		(UL_(1) << 26)
#define TCR_SH1_INNER		(UL_(3) << 28)
#define TCR_TG1_4K		(UL_(2) << 30)
#define TCR_IPS_SHIFT		32
#define TCR_IPS_48BIT		UL_(5)
#define TCR_AS			(UL_(1) << 36)
#define TCR_EL1_BOOT		(TCR_T0SZ(16) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | \
				 TCR_SH0_INNER | TCR_TG0_4K | TCR_T1SZ(16) | \
				 TCR_IRGN1_WBWA | TCR_ORGN1_WBWA | TCR_SH1_INNER | \
				 TCR_TG1_4K)

/* TTBR0_EL1 (D17.2): ASID [63:48], table base [47:1], CnP [0] = 0. */
#define TTBR_ASID_SHIFT		48
#define TTBR_BADDR_MASK		UL_(0x0000fffffffffffe)

/* ID_AA64MMFR0_EL1 (D17.2.61) fields used by the MMU setup. */
#define MMFR0_PARANGE_MASK	UL_(0xf)
#define MMFR0_ASIDBITS_SHIFT	4
#define MMFR0_ASIDBITS_16	UL_(2)
#define MMFR0_TGRAN4_SHIFT	28
#define MMFR0_TGRAN4_NONE	UL_(0xf)

/*
 * SCTLR_EL1 (D17.2.118). RES1 bits of Armv8.0 that later extensions
 * define with a safe value at 1: EOS(11), TSCXT(20), EIS(22), SPAN(23),
 * nTLSMD(28), LSMAOE(29). Little-endian at EL1 and EL0 (EE = E0E = 0),
 * no pointer authentication, BTI, MTE or WXN.
 */
#define SCTLR_M			(UL_(1) << 0)	/* stage 1 MMU on */
#define SCTLR_C			(UL_(1) << 2)	/* data caches on */
#define SCTLR_SA		(UL_(1) << 3)	/* SP alignment check at EL1 */
#define SCTLR_SA0		(UL_(1) << 4)	/* SP alignment check at EL0 */
#define SCTLR_I			(UL_(1) << 12)	/* instruction caches on */
#define SCTLR_EL1_RES1		UL_(0x30d00800)
#define SCTLR_EL1_MMU_OFF	SCTLR_EL1_RES1
#define SCTLR_EL1_MMU_ON	(SCTLR_EL1_RES1 | SCTLR_M | SCTLR_C | \
				 SCTLR_SA | SCTLR_SA0 | SCTLR_I)

#endif
