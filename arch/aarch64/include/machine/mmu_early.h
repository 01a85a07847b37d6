/*
 * Boot page tables: the TTBR1 direct map (VA = PA + KERNEL_VOFFSET) built
 * before the MMU is on, and extended once the DTB has been read.
 */
#ifndef MACHINE_MMU_EARLY_H
#define MACHINE_MMU_EARLY_H

#include <kern/compiler.h>
#include <kern/types.h>

/* Boot page tables (in BSS, so inside the image's reserved range). */
#define EARLY_PT_POOL	16

/*
 * Build the boot tables with the MMU off and program MAIR/TCR/TTBR0/TTBR1
 * for head.S to turn the MMU on. Maps the kernel image W^X (4 KiB pages
 * over .text and .rodata), its BSS and the DTB window as Normal WB
 * read/write never-executable blocks, the default PL011 as Device-nGnRnE.
 * @entry_x0 is x0 at kernel entry (the DTB's physical address, 0 for a
 * bare ELF).
 * Runs at physical addresses: see the rules at the top of mmu_early.c.
 */
void mmu_early_build(uint64_t entry_x0);

/* Bytes of the DTB mapped from its first byte (0 if none could be). */
uint64_t mmu_early_dtb_window(void);

/* Physical address of the TTBR1 root (level 0 table) the kernel pmap
 * adopts, and how many of the EARLY_PT_POOL tables are in use. */
paddr_t mmu_early_root(void);
unsigned int mmu_early_tables_used(void);

/*
 * Add RAM (Normal WB, read/write, never executable, rounded inward to
 * 2 MiB) or a device window (Device-nGnRnE, rounded outward) to the
 * direct map. Returns 0, -ENOMEM when the boot table pool is used up, or
 * -ERANGE above 512 GiB.
 * Locking: boot CPU only. TLB: only fills invalid entries; no flush needed.
 */
int mmu_early_map_ram(paddr_t base, uint64_t size);
int mmu_early_map_device(paddr_t base, uint64_t size);

/* Stop in head.S's pre-console failure loop, printing @msg on the PL011. */
__noreturn void early_fail(const char *msg);

#endif
