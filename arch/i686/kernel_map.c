/*
 * i686 kernel page tables (see kernel_pt.c for how they are built): a PAE
 * PDPT whose only entry is the kernel GiB (slot 3; user roots get their
 * own three page directories from pmap_create), holding
 *   [0xc0000000, +896 MiB)  the direct map of low memory, which is also
 *                           where the image runs: read-write, never
 *                           executable where the CPU has NX, global,
 *                           with the image's frames W^X;
 *   [MMU_KMAP_BASE, +64 MiB) the kernel mapping window, left empty for
 *                           the kernel pmap (no boot leaf covers it);
 *   [DEVICE_WINDOW_BASE, 4 GiB) the device window (early_map.c).
 * RAM above the 896 MiB limit has no kernel address: the page allocator
 * manages it as the HIGH zone.
 */
#include <kern/boot.h>
#include <kern/compiler.h>
#include <kern/printk.h>
#include <mm/mmu.h>
#include <machine/early_map.h>
#include <machine/kernel_pt.h>
#include <machine/vmparam.h>
#include <machine/x86_mmu.h>

_Static_assert(EARLY_MAP_BASE + EARLY_MAP_SIZE <= MMU_KMAP_BASE &&
	       MMU_KMAP_BASE + MMU_KMAP_SIZE <= DEVICE_WINDOW_BASE,
	       "direct map, mapping window and device window are disjoint");

/* Bytes of usable RAM at or above @limit. */
static uint64_t ram_above(const struct boot_info *bi, paddr_t limit)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < bi->mem_count; i++) {
		paddr_t end = bi->mem[i].base + bi->mem[i].size;

		if (end > limit)
			n += end - MAX(bi->mem[i].base, limit);
	}
	return n;
}

paddr_t x86_kernel_map_build(struct boot_info *bi)
{
	if (kpt_init(false) != 0 || kpt_map_image(KERNEL_VMA_BASE, true) != 0 ||
	    kpt_map(EARLY_MAP_BASE, 0, EARLY_MAP_SIZE,
		    VM_READ | VM_WRITE | VM_GLOBAL, 1) != 0 ||
	    early_map_window_rebuild() != 0) {
		printk("mmu: kernel page-table pool (%u pages) too small\n",
		       kpt_tables_used());
		return 0;
	}
	bi->dmap_pa = 0;
	bi->dmap_va = EARLY_MAP_BASE;
	bi->dmap_size = EARLY_MAP_SIZE;
	printk("mmu: direct map phys [0-%#llx) at %#lx: low-memory limit "
	       "%llu MiB, %llu MiB of RAM above it (HIGH zone); %u boot "
	       "tables\n", (unsigned long long)EARLY_MAP_SIZE,
	       (unsigned long)EARLY_MAP_BASE,
	       (unsigned long long)(EARLY_MAP_SIZE >> 20),
	       (unsigned long long)(ram_above(bi, EARLY_MAP_SIZE) >> 20),
	       kpt_tables_used());
	return kpt_root_pa();
}
