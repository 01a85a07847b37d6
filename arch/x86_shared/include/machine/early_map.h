/*
 * The early map built by each mode's boot.asm: physical memory
 * [0, EARLY_MAP_SIZE) appears at EARLY_MAP_BASE (both in
 * <machine/vmparam.h>): 4 GiB on x86_64, the 896 MiB low-memory direct map
 * on i686. Firmware structures are read only through it, after checking
 * that the whole object lies inside; early_map_device() reaches the rest.
 */
#ifndef MACHINE_EARLY_MAP_H
#define MACHINE_EARLY_MAP_H

#include <kern/types.h>
#include <machine/vmparam.h>

/* Kernel pointer to physical [pa, pa + len), or NULL if not entirely mapped. */
static inline const void *early_map(paddr_t pa, size_t len)
{
	if (pa >= EARLY_MAP_SIZE || len > EARLY_MAP_SIZE - pa)
		return NULL;
	return (const void *)(uintptr_t)(EARLY_MAP_BASE + pa);
}

/* Bytes from @pa to the end of the early map (0 if @pa is outside it). */
static inline size_t early_map_room(paddr_t pa)
{
	return pa < EARLY_MAP_SIZE ? (size_t)(EARLY_MAP_SIZE - pa) : 0;
}

/*
 * Kernel pointer to physical [pa, pa + len): firmware tables (@uncached
 * false, write-back) or device registers (@uncached true: PCD|PWT, so
 * never cached, combined or read speculatively). Per mode: x86_64 serves
 * both from the early map (uncached only in its last GiB); i686 maps 2 MiB
 * slots of the device window at the top of the kernel GiB. Returns NULL, with a
 * message, if the range cannot be mapped. Mappings are never removed.
 * Locking: boot CPU, before secondaries start (no shootdown is ever needed).
 */
void *early_map_device(paddr_t pa, size_t len, bool uncached);

/*
 * i686 only: enter the device-window slots mapped so far into the kernel
 * page tables being built (kernel_pt.h), which replace boot.asm's.
 * Returns 0 or -ENOMEM. Locking: boot CPU, before the switch.
 */
int early_map_window_rebuild(void);

#endif
