/*
 * Building the kernel page tables at boot (kernel_pt.c), before the page
 * allocator exists: tables come from a pool in the image's BSS (reserved
 * with the image) and are filled while no CPU uses them, so plain stores
 * suffice. The kernel pmap adopts the result (pmap_bootstrap).
 */
#ifndef MACHINE_KERNEL_PT_H
#define MACHINE_KERNEL_PT_H

#include <kern/types.h>

/*
 * Start an empty root. @leaf_1g: 1 GiB leaves may be used where the
 * geometry has them (CPUID Page1GB). Returns 0 or -ENOMEM.
 */
int kpt_init(bool leaf_1g);

/*
 * Map [va, va + size) to [pa, ...) with MI @flags, using the largest
 * leaves up to level @max_level that alignment allows. First mapping
 * wins: a range already mapped is left as it is, so mapping the image
 * first keeps its W^X pages. Returns 0, or -ENOMEM when the pool is used
 * up (the part mapped so far stays).
 */
int kpt_map(vaddr_t va, paddr_t pa, uint64_t size, unsigned int flags,
	    unsigned int max_level);

/*
 * Map the kernel image's frames at @va_of_pa0 + pa: 4 KiB pages over the
 * 2 MiB blocks holding .text and .rodata (.text read-only, executable if
 * @exec; .rodata read-only; the rest read-write), read-write 2 MiB leaves
 * from there to the 2 MiB boundary after the BSS. Never executable except
 * .text. Returns 0 or -ENOMEM.
 */
int kpt_map_image(vaddr_t va_of_pa0, bool exec);

paddr_t kpt_root_pa(void);
unsigned int kpt_tables_used(void);

#endif
