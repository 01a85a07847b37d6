/*
 * Boot page tables: the TTBR1 direct map (VA = PA + KERNEL_VOFFSET) built
 * before the MMU is on, and extended once the DTB has been read.
 */
#ifndef MACHINE_MMU_EARLY_H
#define MACHINE_MMU_EARLY_H

#include <kern/compiler.h>
#include <kern/types.h>

/*
 * Build the boot tables with the MMU off and program MAIR/TCR/TTBR0/TTBR1
 * for head.S to turn the MMU on. Maps the kernel image and BSS and the DTB
 * window as Normal WB, the default PL011 as Device-nGnRnE. @entry_x0 is x0
 * at kernel entry (the DTB's physical address, 0 for a bare ELF).
 * Runs at physical addresses: see the rules at the top of mmu_early.c.
 */
void mmu_early_build(uint64_t entry_x0);

/* Bytes of the DTB mapped from its first byte (0 if none could be). */
uint64_t mmu_early_dtb_window(void);

/*
 * Add RAM (Normal WB, rounded inward to 2 MiB) or a device window
 * (Device-nGnRnE, rounded outward) to the direct map. Returns 0, -ENOMEM
 * when the boot table pool is used up, or -ERANGE above 512 GiB.
 * Locking: boot CPU only. TLB: only fills invalid entries; no flush needed.
 */
int mmu_early_map_ram(paddr_t base, uint64_t size);
int mmu_early_map_device(paddr_t base, uint64_t size);

/* Stop in head.S's pre-console failure loop, printing @msg on the PL011. */
__noreturn void early_fail(const char *msg);

#endif
