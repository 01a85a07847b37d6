/*
 * Shared C init of both x86 modes: console, CPU tables, boot log, Multiboot
 * information, then kmain().
 */
#include <kern/arch.h>
#include <kern/boot.h>
#include <kern/printk.h>
#include <machine/acpi.h>
#include <machine/cpufunc.h>
#include <machine/fpu.h>
#include <machine/multiboot.h>
#include <machine/pte.h>
#include <machine/tsc.h>
#include <machine/uart16550.h>
#include <machine/vmparam.h>
#include <machine/x86_boot.h>
#include <machine/x86_mmu.h>
#include <machine/x86_smp.h>
#include <smp/cpu.h>

/* Handed to kmain(), which keeps the pointer: static storage. */
static struct boot_info boot_info;

/* The 12-byte vendor string of CPUID leaf 0 ("GenuineIntel", ...). */
static void cpu_vendor(char vendor[13])
{
	struct cpuid_regs r = cpuid(0, 0);
	uint32_t words[3] = { r.ebx, r.edx, r.ecx };
	unsigned int i;

	for (i = 0; i < 12; i++)
		vendor[i] = (char)(words[i / 4] >> (8 * (i % 4)));
	vendor[12] = '\0';
}

static void log_cpu_and_paging(void)
{
	char vendor[13];

	cpu_vendor(vendor);
	printk("cpu: %s, NX %s, paging %s, CR0 %#lx CR4 %#lx\n", vendor,
	       x86_nx_enabled() ? "on" : "off", VM_PAGING_MODE, read_cr0(),
	       read_cr4());
	printk("kernel: [%p-%p) at physical %#lx, early map phys "
	       "[0-%#llx) at %#lx\n", (void *)__kernel_start,
	       (void *)__kernel_end, kernel_image_phys(__kernel_start),
	       (unsigned long long)EARLY_MAP_SIZE,
	       (unsigned long)EARLY_MAP_BASE);
}

/* Real-mode IVT, BIOS data, EBDA, video memory and option ROMs. */
#define FIRMWARE_AREA_END	0x100000u

/*
 * What the frame allocator must never hand out: the kernel image (its BSS
 * holds every boot page table, the final kernel tables included, and the
 * stacks), the Multiboot structures, the initrd, and the ACPI tables the
 * SMP layer reads later (QEMU puts them in firmware-reserved memory,
 * other firmware may not). The firmware area below 1 MiB is reserved as
 * a whole afterwards, once the AP trampoline has found its page there.
 */
static void reserve_boot_ranges(struct boot_info *bi, uint32_t mbi_phys)
{
	struct boot_mem_range r[MB_LOADER_RANGES_MAX];
	unsigned int n = multiboot_loader_ranges(mbi_phys, r);
	paddr_t start = kernel_image_phys(__kernel_start);
	paddr_t end = kernel_image_phys(__kernel_end);
	int err;

	err = x86_boot_reserve(bi, start, end - start);
	for (unsigned int i = 0; i < n && !err; i++)
		err = x86_boot_reserve(bi, r[i].base, r[i].size);
	if (!err && bi->initrd_size)
		err = x86_boot_reserve(bi, bi->initrd_base, bi->initrd_size);
	if (!err)
		err = acpi_reserve(bi);
	if (err)
		printk("boot: reserved-range table full\n");
}

/*
 * Replace the boot page tables by the W^X kernel tables the kernel pmap
 * adopts. Without them (printed), the boot tables stay and mm is off.
 */
static void kernel_tables_switch(struct boot_info *bi)
{
	paddr_t root;

	x86_pte_set_nx(x86_nx_enabled());
	root = x86_kernel_map_build(bi);
	if (root == 0) {
		bi->dmap_size = 0;
		return;
	}
	x86_mmu_kernel_root_set(root);
	bi->kernel_root_pa = root;
}

/*
 * C entry from boot.asm on the boot CPU (paging on, BSS clear, interrupts
 * off). Never returns: ends in kmain().
 */
__noreturn void x86_boot_main(uint32_t mbi_phys)
{
	/* First: printk asks this_cpu() for the CPU number. */
	x86_cpu_tables_init(&cpus[0]);
	uart16550_init();
	x86_mmu_cpu_init();
	x86_fpu_cpu_init();
	printk("%s: boot path multiboot, entered in 32-bit protected mode\n",
	       ARCH_NAME);
	log_cpu_and_paging();
	x86_tsc_init();
	multiboot_parse(&boot_info, mbi_phys);
	reserve_boot_ranges(&boot_info, mbi_phys);
	x86_ap_page_reserve(&boot_info, mbi_phys);
	if (x86_boot_reserve(&boot_info, 0, FIRMWARE_AREA_END) != 0)
		printk("boot: reserved-range table full\n");
	kernel_tables_switch(&boot_info);
	printk("cmdline: \"%s\"\n", boot_info.cmdline);
	if (boot_info.initrd_size == 0)
		printk("initrd: none\n");
	kmain(&boot_info);
}
