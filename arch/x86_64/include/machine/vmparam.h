/*
 * x86_64 kernel virtual layout at boot. The image is linked at
 * KERNEL_VMA_BASE + 1 MiB (the top 2 GiB, as -mcmodel=kernel requires) and
 * boot.asm maps physical [0, 1 GiB) there. The early map, physical
 * [0, EARLY_MAP_SIZE) at EARLY_MAP_BASE with 2 MiB pages, reaches firmware
 * tables and the local APIC; its last GiB (EARLY_MAP_UC_BASE up) is
 * uncached. Mirrored in layout.inc and kernel.ld.
 */
#ifndef MACHINE_VMPARAM_H
#define MACHINE_VMPARAM_H

#define KERNEL_VMA_BASE		0xffffffff80000000UL
#define KERNEL_LOAD_PHYS	0x100000UL
#define EARLY_MAP_BASE		0xffff800000000000UL
#define EARLY_MAP_SIZE		0x100000000ULL
#define EARLY_MAP_UC_BASE	0xc0000000ULL

#define VM_PAGING_MODE		"4-level (48-bit VA), 2 MiB boot pages"

/* Physical address of a kernel-image symbol (text, data, BSS). */
static inline unsigned long kernel_image_phys(const void *p)
{
	return (unsigned long)p - KERNEL_VMA_BASE;
}

#endif
