/*
 * Kernel virtual memory layout on aarch64.
 *
 * TTBR1 holds a direct map: VA = PA + KERNEL_VOFFSET for all RAM, the kernel
 * image and the device windows in use. The kernel is linked at
 * KERNEL_VOFFSET + KERNEL_LOAD_PA and always runs from physical
 * KERNEL_LOAD_PA (head.S moves it there when a loader put it elsewhere).
 */
#ifndef MACHINE_MEMLAYOUT_H
#define MACHINE_MEMLAYOUT_H

#ifdef __ASSEMBLY__
#define UL_(x)		x
#else
#define UL_(x)		x##UL
#endif

/* Bottom of the TTBR1 half for a 48-bit VA (TCR_EL1.T1SZ = 16). */
#define KERNEL_VOFFSET	UL_(0xffff000000000000)

/* QEMU virt: RAM base, where QEMU puts the DTB for a bare ELF kernel. */
#define VIRT_RAM_BASE	UL_(0x40000000)
/* QEMU virt: PL011 UART, the console until the DTB says otherwise. */
#define VIRT_UART_BASE	UL_(0x09000000)

/*
 * Physical link address. The 2 MiB below it stay free for the DTB that
 * QEMU places at VIRT_RAM_BASE for an ELF kernel (its blob is 1 MiB;
 * QEMU silently drops a DTB that would overlap the kernel), and it is
 * where QEMU loads a raw Image with text_offset 0.
 */
#define KERNEL_LOAD_PA	UL_(0x40200000)

/* Linux arm64 boot protocol: the DTB is at most 2 MiB. */
#define FDT_MAX_SIZE	UL_(0x200000)

#ifndef __ASSEMBLY__
#include <kern/types.h>

static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)(pa + KERNEL_VOFFSET);
}

static inline paddr_t virt_to_phys(const void *va)
{
	return (paddr_t)((uintptr_t)va - KERNEL_VOFFSET);
}
#endif

#endif
