/*
 * x86 paging-structure entries (Intel SDM vol. 3A 4.5): the 64-bit format
 * shared by 4-level paging (x86_64) and PAE (i686). The MI codec over these
 * bits is arch/x86_shared/pte.c; MI code uses <mm/mmu.h> instead.
 */
#ifndef MACHINE_PTE_H
#define MACHINE_PTE_H

#include <kern/types.h>

#define X86_PTE_P	(1ULL << 0)	/* present */
#define X86_PTE_RW	(1ULL << 1)	/* writable */
#define X86_PTE_US	(1ULL << 2)	/* user accessible */
#define X86_PTE_PWT	(1ULL << 3)	/* write-through (PAT index bit 0) */
#define X86_PTE_PCD	(1ULL << 4)	/* cache disable (PAT index bit 1) */
#define X86_PTE_A	(1ULL << 5)	/* accessed */
#define X86_PTE_D	(1ULL << 6)	/* dirty (leaves only) */
#define X86_PTE_PS	(1ULL << 7)	/* large page, levels 1-2; PAT at level 0 */
#define X86_PTE_G	(1ULL << 8)	/* global: survives CR3 loads */
#define X86_PTE_NX	(1ULL << 63)	/* no execute, when EFER.NXE = 1 */
/* Address bits 12..51 (MAXPHYADDR <= 52); large leaves use fewer. */
#define X86_PTE_ADDR	0x000ffffffffff000ULL

/*
 * Tell the codec whether EFER.NXE is on. Without it bit 63 is reserved and
 * a set bit faults with PF_ERR_RSVD, so leaves are then made executable.
 * Default: on (every x86_64 CPU; i686 boot code clears it when CPUID lacks
 * NX). Locking: boot CPU, before the first pmap_enter.
 */
void x86_pte_set_nx(bool supported);

#endif
