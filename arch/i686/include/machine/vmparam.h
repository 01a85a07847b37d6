/*
 * i686 kernel virtual layout at boot: the 3G/1G split. The image is linked
 * at KERNEL_VMA_BASE + 1 MiB, and boot.asm maps physical
 * [0, EARLY_MAP_SIZE) at KERNEL_VMA_BASE with 2 MiB PAE pages: the direct
 * map of low memory. The top 128 MiB of the kernel GiB stay unmapped for
 * mappings of high memory and devices. Mirrored in layout.inc, kernel.ld.
 */
#ifndef MACHINE_VMPARAM_H
#define MACHINE_VMPARAM_H

#define KERNEL_VMA_BASE		0xc0000000UL
#define KERNEL_LOAD_PHYS	0x100000UL
#define EARLY_MAP_SIZE		0x38000000ULL

#define VM_PAGING_MODE		"PAE 3-level (3G/1G split), 2 MiB boot pages"

#endif
