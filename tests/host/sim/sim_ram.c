/*
 * Simulated RAM and the boot steps an arch port performs before kmain:
 * describe memory, set up the direct map, hand RAM to the pmm and build
 * the kernel pmap.
 *
 * Layout (SIM_RAM_MIB at SIM_RAM_BASE): [0, 1 MiB) "kernel image"
 * (reserved), a firmware hole at [7, 8) MiB, a two-page "initrd" at an
 * unaligned address near 9 MiB (reserved). The direct map covers the first
 * SIM_DIRECT_MAP_MIB; the i686 build sets it below SIM_RAM_MIB so the high
 * zone (frames with no kernel address) exists on the host too.
 *
 * Libc side: built without host_rename.h, like host_arch.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mm/pmap.h>
#include <mm/pmm.h>
#include <sim/sim.h>

#ifndef SIM_DIRECT_MAP_MIB
#define SIM_DIRECT_MAP_MIB SIM_RAM_MIB
#endif

#define MIB		(1ULL << 20)
#define INITRD_BASE	(SIM_RAM_BASE + 9 * MIB + 0x123)

/* Reachable until exit, so LeakSanitizer does not report it. */
static unsigned char *sim_ram;

void *sim_ram_ptr(paddr_t pa)
{
	if (pa < SIM_RAM_BASE || pa - SIM_RAM_BASE >= SIM_RAM_SIZE)
		return NULL;
	return sim_ram + (pa - SIM_RAM_BASE);
}

/* Is the word @word on the command line @cmdline? (The kernel's parser
 * runs later, in kmain; the machine is built before that.) */
static bool has_word(const char *cmdline, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = strstr(cmdline, word); p; p = strstr(p + 1, word))
		if ((p == cmdline || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return true;
	return false;
}

static void fail(const char *what, int err)
{
	fprintf(stderr, "sim_machine_boot: %s failed (%d)\n", what, err);
	exit(2);
}

void sim_machine_boot(struct boot_info *bi)
{
	int err;

	sim_ram = aligned_alloc(4096, SIM_RAM_SIZE);
	if (!sim_ram)
		fail("aligned_alloc", 0);
	/* Firmware RAM is not zero: make stale reads of it recognisable. */
	for (uint64_t i = 0; i < SIM_RAM_SIZE; i++)
		sim_ram[i] = 0xa5;
	bi->mem[0] = (struct boot_mem_range){ SIM_RAM_BASE, 7 * MIB };
	bi->mem[1] = (struct boot_mem_range){ SIM_RAM_BASE + 8 * MIB,
					      SIM_RAM_SIZE - 8 * MIB };
	bi->mem_count = 2;
	bi->reserved[0] = (struct boot_mem_range){ SIM_RAM_BASE, 1 * MIB };
	bi->reserved[1] = (struct boot_mem_range){ INITRD_BASE, 2 * 4096 };
	bi->reserved_count = 2;
	bi->initrd_base = INITRD_BASE;
	bi->initrd_size = 2 * 4096;
	pmm_direct_map_init(SIM_RAM_BASE, (uintptr_t)sim_ram,
			    (uint64_t)SIM_DIRECT_MAP_MIB * MIB);
	err = pmm_init(bi->mem, bi->mem_count, bi->reserved,
		       bi->reserved_count);
	if (err)
		fail("pmm_init", err);
	err = pmap_bootstrap(0);
	if (err)
		fail("pmap_bootstrap", err);
	sim_mmu_set_kernel_root(pmap_kernel()->root_pa);
	if (has_word(bi->cmdline, "sim.tlb=none"))
		sim_mmu_ignore_flushes();
}
