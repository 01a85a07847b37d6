/*
 * Memory management bring-up: the arch has built a direct map and the
 * kernel's page tables and recorded them in struct boot_info; this turns
 * them into a running page allocator and kernel pmap.
 */
#include <kern/boot.h>
#include <kern/cmdline.h>
#include <kern/errno.h>
#include <kern/printk.h>
#include <mm/mm.h>
#include <mm/page.h>
#include <mm/pmap.h>
#include <mm/pmm.h>
#include <mm/vm.h>

int mm_init(const struct boot_info *bi)
{
	int err;

	if (bi->dmap_size == 0) {
		printk("mm: the arch set up no direct map: no memory "
		       "management\n");
		return -ENODEV;
	}
	pmm_direct_map_init(bi->dmap_pa, bi->dmap_va, bi->dmap_size);
	printk("mm: direct map phys [%#llx-%#llx) at %#lx\n",
	       (unsigned long long)bi->dmap_pa,
	       (unsigned long long)(bi->dmap_pa + bi->dmap_size),
	       (unsigned long)bi->dmap_va);
	err = pmm_init(bi->mem, bi->mem_count, bi->reserved,
		       bi->reserved_count);
	if (err) {
		printk("mm: pmm_init failed: error %d\n", err);
		return err;
	}
	pmm_dump();
	err = pmap_bootstrap(bi->kernel_root_pa);
	if (err) {
		printk("mm: pmap_bootstrap failed: error %d\n", err);
		return err;
	}
	/* Take the shared zero page now, before anything measures
	 * pmm_free_count(). */
	err = vm_init();
	if (err) {
		printk("mm: no zero page: error %d\n", err);
		return err;
	}
	vm_fork_configure(cmdline_get("vm.fork"));
	printk("mm: %lu pages free after the kernel pmap and the zero page\n",
	       pmm_free_count());
	return 0;
}
