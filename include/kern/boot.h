/*
 * What the arch boot code hands to kmain(): the firmware's view of the machine,
 * already translated out of Multiboot / DTB form so MI code never parses either.
 */
#ifndef KERN_BOOT_H
#define KERN_BOOT_H

#include <kern/types.h>

#define BOOT_MEM_MAX		32
#define BOOT_RESERVED_MAX	16

struct boot_mem_range {
	paddr_t base;
	uint64_t size;
};

struct boot_info {
	/* How we got here, for the boot log: "multiboot", "elf", "uboot", ... */
	const char *boot_path;
	/* Kernel parameters only (no image path); never NULL, may be "". */
	const char *cmdline;
	/* Usable RAM as the firmware reports it, unsorted, not yet trimmed. */
	struct boot_mem_range mem[BOOT_MEM_MAX];
	unsigned int mem_count;
	/*
	 * Ranges inside mem[] already in use and never to be handed out:
	 * the kernel image, boot page tables, DTB, initrd, firmware tables.
	 * May overlap each other; ranges outside mem[] are harmless.
	 */
	struct boot_mem_range reserved[BOOT_RESERVED_MAX];
	unsigned int reserved_count;
	/*
	 * The direct map the arch built: physical [dmap_pa, dmap_pa +
	 * dmap_size) at virtual dmap_va, read-write, never executable, except
	 * where it covers the kernel image (reserved), which keeps its own
	 * W^X rights. Frames outside it (i686 high memory) are managed but
	 * have no kernel VA.
	 * dmap_size 0: no memory management (the mm suites then skip).
	 */
	paddr_t dmap_pa;
	vaddr_t dmap_va;
	uint64_t dmap_size;
	/* Physical address of the kernel root page table the arch built; the
	 * kernel pmap adopts it and its tables. */
	paddr_t kernel_root_pa;
	/* Initial ramdisk, physical; size 0 when there is none. */
	paddr_t initrd_base;
	uint64_t initrd_size;
};

#endif
