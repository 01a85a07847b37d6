/*
 * The early direct map built by each mode's boot.asm: physical memory
 * [0, EARLY_MAP_SIZE) appears at KERNEL_VMA_BASE (both in <machine/vmparam.h>).
 * Firmware structures are read only through it, after checking that the
 * whole object lies inside.
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
	return (const void *)(uintptr_t)(KERNEL_VMA_BASE + pa);
}

/* Bytes from @pa to the end of the early map (0 if @pa is outside it). */
static inline size_t early_map_room(paddr_t pa)
{
	return pa < EARLY_MAP_SIZE ? (size_t)(EARLY_MAP_SIZE - pa) : 0;
}

#endif
