/*
 * aarch64 C entry on the boot CPU: head.S has dropped to EL1, moved the
 * image to its link address, turned the MMU on and installed the vectors.
 * Here the DTB is read, the direct map completed, the boot log printed,
 * the GIC distributor and the timer's interrupt set up (each CPU's own part
 * comes with smp_init()) and struct boot_info handed to kmain(), with the
 * direct map and the TTBR1 root for the memory manager.
 *
 * Boot path, from what the loaders leave behind:
 *   "elf"   x0 == 0 at entry: only QEMU's ELF loader passes no DTB pointer
 *           (the DTB is then at the RAM base, PLATFORM.md);
 *   "uboot" the DTB's /chosen has "u-boot,version", which U-Boot's
 *           fdt_chosen() adds to every DTB it boots a kernel with;
 *   "image" otherwise: a raw Image that QEMU loaded and passed the DTB to.
 */

#include <kern/arch.h>
#include <kern/boot.h>
#include <kern/cmdline.h>
#include <kern/printk.h>
#include <kern/string.h>
#include <machine/gic.h>
#include <machine/memlayout.h>
#include <machine/mmu_early.h>
#include <machine/pl011.h>
#include <machine/platform.h>
#include <machine/psci.h>
#include <machine/semihost.h>
#include <machine/thread.h>
#include <machine/timer.h>
#include <machine/vmsa.h>
#include <mm/mmu.h>
#include <smp/cpu.h>
#include <smp/smp_md.h>

void arch_boot(uint64_t entry_x0, paddr_t load_pa, unsigned int entry_el);

extern char _text[], _etext[], _erodata[], _end[];

static struct platform platform;
static struct boot_info boot_info;
static char boot_cmdline[CMDLINE_MAX_LEN];
/* The part of each platform.mem[] range the direct map covers (size 0:
 * none could be mapped). */
static struct boot_mem_range ram_mapped[BOOT_MEM_MAX];

const struct platform *boot_platform(void)
{
	return &platform;
}

static const char *boot_path(uint64_t entry_x0, const struct platform *p)
{
	if (entry_x0 == 0)
		return "elf";
	return p->uboot_version ? "uboot" : "image";
}

/* Complete the direct map with RAM and move the console if the DTB says so. */
static void map_platform(struct platform *p)
{
	unsigned int i;
	int err;

	for (i = 0; i < p->mem_count; i++) {
		/* mmu_early_map_ram() rounds inward to 2 MiB blocks too. */
		paddr_t start = ALIGN_UP(p->mem[i].base, PT_BLOCK_2M);
		paddr_t end = ALIGN_DOWN(p->mem[i].base + p->mem[i].size,
					 PT_BLOCK_2M);

		err = mmu_early_map_ram(p->mem[i].base, p->mem[i].size);
		if (err)
			printk("mmu: RAM %#lx+%#lx not fully direct-mapped (error %d)\n",
			       p->mem[i].base, p->mem[i].size, err);
		else if (end > start)
			ram_mapped[i] = (struct boot_mem_range){ start, end - start };
	}
	if (p->gic_version &&
	    (mmu_early_map_device(p->gic_dist, p->gic_dist_size) != 0 ||
	     mmu_early_map_device(p->gic_cpu, p->gic_cpu_size) != 0)) {
		printk("mmu: cannot map the GIC: ignoring it\n");
		p->gic_version = 0;
	}
	if (p->uart_base != VIRT_UART_BASE) {
		if (mmu_early_map_device(p->uart_base, 0x1000) == 0)
			pl011_set_base(p->uart_base);
		else
			printk("mmu: cannot map the UART at %#lx: staying on %#lx\n",
			       p->uart_base, VIRT_UART_BASE);
	}
}

static void reserve(struct boot_info *bi, paddr_t base, uint64_t size)
{
	if (size == 0)
		return;
	if (bi->reserved_count == BOOT_RESERVED_MAX) {
		printk("boot: more than %d reserved ranges: %#lx+%#lx not reserved\n",
		       BOOT_RESERVED_MAX, base, size);
		return;
	}
	bi->reserved[bi->reserved_count].base = base;
	bi->reserved[bi->reserved_count].size = size;
	bi->reserved_count++;
}

/* The kernel image with its BSS (boot stack, the boot page tables of
 * mmu_early.c, the secondaries' identity map in smp.c), the DTB
 * (arch_smp_discover() reads it after kmain starts) and the initrd. */
static void reserve_boot_ranges(struct boot_info *bi, const struct platform *p)
{
	reserve(bi, KERNEL_LOAD_PA, virt_to_phys(_end) - KERNEL_LOAD_PA);
	if (p->dtb_valid)
		reserve(bi, p->dtb_pa, p->dtb_size);
	if (p->initrd_end > p->initrd_start)
		reserve(bi, p->initrd_start, p->initrd_end - p->initrd_start);
}

/*
 * The direct map handed to the memory manager: the mapped RAM range
 * holding the kernel, grown by every mapped range that overlaps or
 * touches it. RAM outside it stays managed, without a kernel address
 * (pmm_init's high zone). None when the image is not all inside: the
 * kernel pmap reaches the boot tables, in BSS, through the direct map.
 */
static void fill_direct_map(struct boot_info *bi, unsigned int n)
{
	paddr_t lo = KERNEL_LOAD_PA, hi = KERNEL_LOAD_PA;
	bool grew = true;
	unsigned int i;

	while (grew) {
		grew = false;
		for (i = 0; i < n; i++) {
			paddr_t s = ram_mapped[i].base, e = s + ram_mapped[i].size;

			if (ram_mapped[i].size == 0 || s > hi || e < lo ||
			    (s >= lo && e <= hi))
				continue;
			lo = MIN(lo, s);
			hi = MAX(hi, e);
			grew = true;
		}
	}
	if (hi < virt_to_phys(_end)) {
		printk("mmu: the kernel image is not in direct-mapped RAM: "
		       "no memory management\n");
		return;
	}
	bi->dmap_pa = lo;
	bi->dmap_va = (vaddr_t)phys_to_virt(lo);
	bi->dmap_size = hi - lo;
	bi->kernel_root_pa = mmu_early_root();
}

static void fill_boot_info(struct boot_info *bi, const struct platform *p,
			   uint64_t entry_x0)
{
	unsigned int i;

	bi->boot_path = boot_path(entry_x0, p);
	if (p->bootargs &&
	    strlcpy(boot_cmdline, p->bootargs, sizeof(boot_cmdline)) >=
	    sizeof(boot_cmdline))
		printk("boot: bootargs longer than %zu bytes, truncated\n",
		       sizeof(boot_cmdline) - 1);
	bi->cmdline = boot_cmdline;
	for (i = 0; i < p->mem_count; i++)
		bi->mem[i] = p->mem[i];
	bi->mem_count = p->mem_count;
	if (p->initrd_end > p->initrd_start) {
		bi->initrd_base = p->initrd_start;
		bi->initrd_size = p->initrd_end - p->initrd_start;
	}
	reserve_boot_ranges(bi, p);
	fill_direct_map(bi, p->mem_count);
}

/* The kernel's half of the address space as mmu_early.c built it. */
static void log_kernel_map(const struct boot_info *bi)
{
	printk("mmu: text   %#lx-%#lx r-x (4 KiB pages)\n",
	       (uintptr_t)_text, (uintptr_t)_etext - 1);
	printk("mmu: rodata %#lx-%#lx r-- (4 KiB pages)\n",
	       (uintptr_t)_etext, (uintptr_t)_erodata - 1);
	printk("mmu: data   %#lx-%#lx rw- (data, BSS, boot stack and tables)\n",
	       (uintptr_t)_erodata, (uintptr_t)_end - 1);
	if (bi->dmap_size)
		printk("mmu: direct map %#lx-%#lx = phys %#lx-%#lx rw- "
		       "(2 MiB/1 GiB blocks; the image keeps the rights above)\n",
		       bi->dmap_va, bi->dmap_va + bi->dmap_size - 1,
		       bi->dmap_pa, bi->dmap_pa + bi->dmap_size - 1);
	printk("mmu: devices (UART, GIC) Device-nGnRnE rw-\n");
	printk("mmu: kmap window %#lx-%#lx (kernel pmap, 4 KiB pages)\n",
	       MMU_KMAP_BASE, MMU_KMAP_BASE + MMU_KMAP_SIZE - 1);
	printk("mmu: TTBR1 root at phys %#lx, %u of %u boot tables; "
	       "%u-bit ASIDs in TTBR0\n", mmu_early_root(),
	       mmu_early_tables_used(), EARLY_PT_POOL, mmu_asid_bits());
}

static void log_platform(const struct platform *p)
{
	unsigned int i;

	for (i = 0; i < p->mem_count; i++)
		printk("boot: memory %#lx-%#lx (%lu MiB)\n", p->mem[i].base,
		       p->mem[i].base + p->mem[i].size - 1, p->mem[i].size >> 20);
	if (p->initrd_end > p->initrd_start)
		printk("boot: initrd %#lx-%#lx\n", p->initrd_start,
		       p->initrd_end - 1);
	printk("boot: UART PL011 at %#lx (%s)\n", p->uart_base,
	       p->uart_from_dtb ? "from the DTB" : "QEMU virt default");
	if (psci_version())
		printk("boot: PSCI %u.%u via %s\n", psci_version() >> 16,
		       psci_version() & 0xffff, psci_conduit_name());
	else
		printk("boot: PSCI none\n");
	if (p->gic_version == 3)
		printk("boot: GICv3 distributor %#lx, redistributors %#lx (+%#lx)\n",
		       p->gic_dist, p->gic_cpu, p->gic_cpu_size);
	else if (p->gic_version == 2)
		printk("boot: GICv2 distributor %#lx, CPU interface %#lx\n",
		       p->gic_dist, p->gic_cpu);
	else
		printk("boot: GIC none found\n");
	printk("boot: semihosting %s\n",
	       semihost_available() ? "available" : "unavailable");
}

/* Called by head.S with the MMU on; never returns. */
void arch_boot(uint64_t entry_x0, paddr_t load_pa, unsigned int entry_el)
{
	struct platform *p = &platform;
	paddr_t dtb_pa = entry_x0 ? entry_x0 : VIRT_RAM_BASE;

	/* First: printk asks this_cpu() for the CPU number, and TPIDR_EL1
	 * is UNKNOWN until written. */
	arch_set_this_cpu(&cpus[0]);
	fpsimd_cpu_init();
	timer_cpu_init();
	printk("boot: %s kernel, entered at EL%u%s, loaded at %#lx, running at %#lx\n",
	       ARCH_NAME, entry_el, entry_el == 2 ? " (dropped to EL1)" : "",
	       load_pa, KERNEL_LOAD_PA);
	if (platform_probe(p, dtb_pa, mmu_early_dtb_window()) == 0)
		printk("boot: DTB at %#lx, %u bytes\n", dtb_pa, p->dtb_size);
	map_platform(p);
	psci_init(p->psci_method, entry_el);
	fill_boot_info(&boot_info, p, entry_x0);
	printk("boot: path %s%s%s\n", boot_info.boot_path,
	       p->uboot_version ? ", " : "",
	       p->uboot_version ? p->uboot_version : "");
	log_platform(p);
	log_kernel_map(&boot_info);
	printk("boot: cmdline \"%s\"\n", boot_info.cmdline);
	gic_init(p);
	timer_init(p);
	kmain(&boot_info);
}
