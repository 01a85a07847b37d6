/*
 * x86_64 kernel virtual layout at boot. The image is linked at
 * KERNEL_VMA_BASE + 1 MiB (the top 2 GiB, as -mcmodel=kernel requires), and
 * boot.asm maps physical [0, EARLY_MAP_SIZE) at KERNEL_VMA_BASE with 2 MiB
 * pages. Mirrored in layout.inc and kernel.ld.
 */
#ifndef MACHINE_VMPARAM_H
#define MACHINE_VMPARAM_H

#define KERNEL_VMA_BASE		0xffffffff80000000UL
#define KERNEL_LOAD_PHYS	0x100000UL
#define EARLY_MAP_SIZE		0x40000000ULL

#define VM_PAGING_MODE		"4-level (48-bit VA), 2 MiB boot pages"

#endif
