/*
 * Shared C init of both x86 modes: console, CPU tables, boot log, Multiboot
 * information, then kmain().
 */
#include <kern/arch.h>
#include <kern/boot.h>
#include <kern/printk.h>
#include <machine/cpufunc.h>
#include <machine/multiboot.h>
#include <machine/uart16550.h>
#include <machine/vmparam.h>
#include <machine/x86_boot.h>
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

/* NX is on only if boot.asm found it in CPUID and set EFER.NXE. */
static bool nx_enabled(void)
{
	if (!cpuid_has_ext_leaf(CPUID_EXT_FEATURES) ||
	    !(cpuid(CPUID_EXT_FEATURES, 0).edx & CPUID_EXT_EDX_NX))
		return false;
	return (rdmsr(MSR_EFER) & EFER_NXE) != 0;
}

static void log_cpu_and_paging(void)
{
	char vendor[13];

	cpu_vendor(vendor);
	printk("cpu: %s, NX %s, paging %s, CR0 %#lx CR4 %#lx\n", vendor,
	       nx_enabled() ? "on" : "off", VM_PAGING_MODE, read_cr0(),
	       read_cr4());
	printk("kernel: [%p-%p) at physical %#lx, early map phys "
	       "[0-%#llx) at %#lx\n", (void *)__kernel_start,
	       (void *)__kernel_end, kernel_image_phys(__kernel_start),
	       (unsigned long long)EARLY_MAP_SIZE,
	       (unsigned long)EARLY_MAP_BASE);
}

/*
 * What the frame allocator must never hand out: the kernel image (its BSS
 * holds the boot page tables and stacks) and the initrd. The MADT and
 * other ACPI tables live in firmware-reserved memory already.
 */
static void reserve_boot_ranges(struct boot_info *bi)
{
	paddr_t start = kernel_image_phys(__kernel_start);
	paddr_t end = kernel_image_phys(__kernel_end);

	if (x86_boot_reserve(bi, start, end - start) != 0 ||
	    (bi->initrd_size &&
	     x86_boot_reserve(bi, bi->initrd_base, bi->initrd_size) != 0))
		printk("boot: reserved-range table full\n");
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
	printk("%s: boot path multiboot, entered in 32-bit protected mode\n",
	       ARCH_NAME);
	log_cpu_and_paging();
	multiboot_parse(&boot_info, mbi_phys);
	reserve_boot_ranges(&boot_info);
	x86_ap_page_reserve(&boot_info, mbi_phys);
	printk("cmdline: \"%s\"\n", boot_info.cmdline);
	if (boot_info.initrd_size == 0)
		printk("initrd: none\n");
	kmain(&boot_info);
}
