/*
 * x86_64 kernel page tables (see kernel_pt.c for how they are built):
 *   PML4[256..]  the direct map at EARLY_MAP_BASE: physical [0, 4 GiB)
 *                as the boot map had it (write-back below
 *                EARLY_MAP_UC_BASE, uncached above: the pc machine's MMIO
 *                hole, where the local APIC lives), then all RAM above
 *                4 GiB; read-write, never executable, global. The image's
 *                frames keep their W^X rights there (read-only .text and
 *                .rodata), so no alias makes the kernel writable;
 *   PML4[511]    the image at KERNEL_VMA_BASE (-2 GiB), W^X.
 * Nothing else: the kernel mapping window (MMU_KMAP_BASE, PML4[384]) is
 * left to the kernel pmap, so no boot leaf covers it.
 */
#include <kern/boot.h>
#include <kern/compiler.h>
#include <kern/printk.h>
#include <mm/mmu.h>
#include <machine/cpufunc.h>
#include <machine/kernel_pt.h>
#include <machine/vmparam.h>
#include <machine/x86_mmu.h>

#define DMAP_FLAGS	(VM_READ | VM_WRITE | VM_GLOBAL)
#define LARGE_PAGE	(1ULL << 21)

static bool cpu_has_1g_pages(void)
{
	return cpuid_has_ext_leaf(CPUID_EXT_FEATURES) &&
	       (cpuid(CPUID_EXT_FEATURES, 0).edx & CPUID_EXT_EDX_PAGE1GB);
}

static paddr_t ram_top(const struct boot_info *bi)
{
	paddr_t top = 0;

	for (unsigned int i = 0; i < bi->mem_count; i++)
		top = MAX(top, bi->mem[i].base + bi->mem[i].size);
	return top;
}

/* The direct map: [0, 4 GiB) as the early map, then RAM above it. */
static int map_direct(uint64_t size)
{
	int err;

	err = kpt_map(EARLY_MAP_BASE, 0, EARLY_MAP_UC_BASE, DMAP_FLAGS, 2);
	if (!err)
		err = kpt_map(EARLY_MAP_BASE + EARLY_MAP_UC_BASE,
			      EARLY_MAP_UC_BASE,
			      EARLY_MAP_SIZE - EARLY_MAP_UC_BASE,
			      DMAP_FLAGS | VM_CACHE_DEVICE, 2);
	if (!err && size > EARLY_MAP_SIZE)
		err = kpt_map(EARLY_MAP_BASE + EARLY_MAP_SIZE, EARLY_MAP_SIZE,
			      size - EARLY_MAP_SIZE, DMAP_FLAGS, 2);
	return err;
}

paddr_t x86_kernel_map_build(struct boot_info *bi)
{
	bool big = cpu_has_1g_pages();
	uint64_t size = MAX((uint64_t)EARLY_MAP_SIZE,
			    ALIGN_UP(ram_top(bi), LARGE_PAGE));

	/* The image first: its 4 KiB W^X pages win over the large leaves
	 * of the direct map around them. */
	if (kpt_init(big) != 0 || kpt_map_image(KERNEL_VMA_BASE, true) != 0 ||
	    kpt_map_image(EARLY_MAP_BASE, false) != 0 ||
	    map_direct(size) != 0) {
		printk("mmu: kernel page-table pool (%u pages) too small\n",
		       kpt_tables_used());
		return 0;
	}
	bi->dmap_pa = 0;
	bi->dmap_va = EARLY_MAP_BASE;
	bi->dmap_size = size;
	printk("mmu: direct map phys [0-%#llx) at %#lx (%s leaves), image "
	       "W^X at %#lx, %u boot tables\n", (unsigned long long)size,
	       (unsigned long)EARLY_MAP_BASE, big ? "1 GiB" : "2 MiB",
	       (unsigned long)KERNEL_VMA_BASE, kpt_tables_used());
	return kpt_root_pa();
}
