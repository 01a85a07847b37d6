/*
 * i686 kernel virtual layout at boot: the 3G/1G split. The image is linked
 * at KERNEL_VMA_BASE + 1 MiB, and boot.asm maps physical
 * [0, EARLY_MAP_SIZE) at EARLY_MAP_BASE == KERNEL_VMA_BASE with 2 MiB PAE
 * pages: the direct map of low memory. Above it, 64 MiB for the kernel
 * mapping window (MMU_KMAP_BASE in <machine/mmu.h>), then the device
 * window, the top 64 MiB (DEVICE_WINDOW_BASE up), unmapped at boot:
 * early_map_device() maps firmware tables above the direct map and device
 * registers there.
 * Mirrored in layout.inc, kernel.ld.
 */
#ifndef MACHINE_VMPARAM_H
#define MACHINE_VMPARAM_H

#define KERNEL_VMA_BASE		0xc0000000UL
#define KERNEL_LOAD_PHYS	0x100000UL
#define EARLY_MAP_BASE		KERNEL_VMA_BASE
#define EARLY_MAP_SIZE		0x38000000ULL
#define DEVICE_WINDOW_BASE	0xfc000000UL
#define DEVICE_WINDOW_SIZE	0x04000000UL

#define VM_PAGING_MODE		"PAE 3-level (3G/1G split), 2 MiB boot pages"

/* Physical address of a kernel-image symbol (text, data, BSS). */
static inline unsigned long kernel_image_phys(const void *p)
{
	return (unsigned long)p - KERNEL_VMA_BASE;
}

#endif
