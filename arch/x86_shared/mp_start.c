/*
 * Starting the secondary CPUs (APs) with INIT-SIPI-SIPI, as the boot CPU
 * does it in Intel's MP initialisation protocol (SDM vol. 3A 8.4.4.1,
 * MultiProcessor Specification 1.4 appendix B.4): the trampoline page
 * below 1 MiB, its parameters, the IPI sequence and its delays, and the
 * AP's first C code.
 *
 * One start at a time, but nothing here depends on it: an AP finds its
 * struct cpu (and so its stack) by its own APIC ID, not through a
 * parameter that the next start would overwrite, and one that starts
 * after the MI code gave up on it parks itself.
 */
#include <kern/arch.h>
#include <kern/boot.h>
#include <kern/errno.h>
#include <kern/panic.h>
#include <kern/printk.h>
#include <kern/string.h>
#include <machine/cpufunc.h>
#include <machine/early_map.h>
#include <machine/fpu.h>
#include <machine/lapic.h>
#include <machine/multiboot.h>
#include <machine/pit.h>
#include <machine/x86_boot.h>
#include <machine/x86_mmu.h>
#include <machine/x86_smp.h>
#include <smp/cpu.h>
#include <smp/smp_md.h>

#define PAGE_4K			4096u
#define SIPI_PAGE_LIMIT		0x100000u	/* SIPI vectors name pages < 1 MiB */
#define SIPI_RESERVED_LO	0xa0		/* vectors A0H-BFH are reserved */
#define SIPI_RESERVED_HI	0xbf		/* (SDM vol. 3A 10.6.1) */
#define INIT_DELAY_US		10000		/* 8.4.4.1: 10 ms after INIT */
#define SIPI_DELAY_US		200		/* and 200 us after each SIPI */

_Static_assert(offsetof(struct ap_trampoline_params, efer) == 4 &&
	       offsetof(struct ap_trampoline_params, entry) == 8,
	       "TP_* offsets in ap_trampoline.inc");
_Static_assert(offsetof(struct x86_ap_boot, stack_offset) ==
	       5 * sizeof(uintptr_t), "AB_* offsets in ap_trampoline.inc");

struct x86_ap_boot x86_ap_boot;

/* Physical address of the trampoline page; 0: none was found. */
static paddr_t ap_page;

static bool overlaps_any(paddr_t pa, const struct boot_mem_range *r,
			 unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (pa < r[i].base + r[i].size && r[i].base < pa + PAGE_4K)
			return true;
	return false;
}

static bool inside_ram(const struct boot_info *bi, paddr_t pa)
{
	for (unsigned int i = 0; i < bi->mem_count; i++)
		if (pa >= bi->mem[i].base &&
		    pa + PAGE_4K <= bi->mem[i].base + bi->mem[i].size)
			return true;
	return false;
}

/* Is [pa, pa + 4 KiB) free RAM that a SIPI vector can name? Page 0 is
 * excluded by the caller: it holds the real-mode IVT and BIOS data. */
static bool ap_page_fits(const struct boot_info *bi, paddr_t pa,
			 const struct boot_mem_range *loader, unsigned int n)
{
	unsigned int vector = (unsigned int)(pa / PAGE_4K);

	return (vector < SIPI_RESERVED_LO || vector > SIPI_RESERVED_HI) &&
	       inside_ram(bi, pa) && !overlaps_any(pa, loader, n) &&
	       !overlaps_any(pa, bi->reserved, bi->reserved_count);
}

void x86_ap_page_reserve(struct boot_info *bi, uint32_t mbi_phys)
{
	struct boot_mem_range loader[MB_LOADER_RANGES_MAX];
	unsigned int n = multiboot_loader_ranges(mbi_phys, loader);

	/* Highest first: low pages are where loaders and firmware put
	 * things; the top of conventional memory is usually free. */
	for (paddr_t pa = SIPI_PAGE_LIMIT - PAGE_4K; pa >= PAGE_4K;
	     pa -= PAGE_4K) {
		if (!ap_page_fits(bi, pa, loader, n))
			continue;
		if (x86_boot_reserve(bi, pa, PAGE_4K) != 0)
			break;
		ap_page = pa;
		printk("smp: AP trampoline page %#llx (SIPI vector %#llx), "
		       "reserved\n", (unsigned long long)pa,
		       (unsigned long long)(pa / PAGE_4K));
		return;
	}
	printk("smp: no free page below 1 MiB for the AP trampoline: "
	       "secondary CPUs will not start\n");
}

/*
 * Copy the trampoline into its page and fill in both parameter blocks
 * for the current kernel root. Done before every start: it is cheap, and
 * a root that changed since the last start is picked up.
 */
static int ap_trampoline_install(void)
{
	size_t size = (size_t)(ap_trampoline_end - ap_trampoline_start);
	size_t params_off = (size_t)((const uint8_t *)&ap_trampoline_params -
				     ap_trampoline_start);
	struct ap_trampoline_params *tp;
	uint8_t *page;
	uint32_t root;

	BUG_ON(size > PAGE_4K);
	if (ap_page == 0)
		return -ENOMEM;
	page = early_map_device(ap_page, PAGE_4K, false);
	root = x86_ap_switch_root();
	if (page == NULL || root == 0)
		return -ENOMEM;
	memcpy(page, ap_trampoline_start, size);
	tp = (struct ap_trampoline_params *)(page + params_off);
	tp->cr3 = root;
	tp->efer = cpu_has_efer() ?
		   (uint32_t)(rdmsr(MSR_EFER) & (EFER_LME | EFER_NXE)) : 0;
	tp->entry = (uintptr_t)x86_ap_entry;
	x86_ap_boot = (struct x86_ap_boot){
		/* The kernel root, never a user pmap's the boot CPU runs. */
		.kernel_cr3 = x86_mmu_kernel_root() ? x86_mmu_kernel_root() :
						      read_cr3(),
		.cpus = (uintptr_t)cpus,
		.cpu_size = sizeof(struct cpu),
		.ncpus = ncpus,
		.hw_id_offset = offsetof(struct cpu, hw_id),
		.stack_offset = offsetof(struct cpu, stack_top),
	};
	return 0;
}

/*
 * INIT, wait 10 ms, SIPI, wait 200 us, SIPI, wait 200 us: the sequence of
 * SDM vol. 3A 8.4.4.1. The second SIPI is for CPUs that miss the first;
 * one already running ignores it (a SIPI is only accepted in the
 * wait-for-SIPI state, 8.4.2). Delays are timed by the PIT.
 */
int arch_cpu_start(struct cpu *c)
{
	uint32_t dest = (uint32_t)c->hw_id;
	int err = ap_trampoline_install();

	if (err)
		return err;
	c->start_method = lapic_x2apic_mode() ? "INIT-SIPI-SIPI (x2APIC)" :
						"INIT-SIPI-SIPI (xAPIC)";
	err = lapic_send_ipi(dest, ICR_DM_INIT | ICR_LEVEL_ASSERT);
	if (err == 0)
		err = pit_delay_us(INIT_DELAY_US);
	for (int i = 0; i < 2 && err == 0; i++) {
		err = lapic_send_ipi(dest, ICR_DM_STARTUP | ICR_LEVEL_ASSERT |
					   (uint32_t)(ap_page / PAGE_4K));
		if (err == 0)
			err = pit_delay_us(SIPI_DELAY_US);
	}
	return err;
}

__noreturn void x86_ap_main(struct cpu *c)
{
	/* CR4.PGE (and PCIDE) as on the boot CPU; the trampoline set only
	 * CR4.PAE, and EFER.NXE from the boot CPU's EFER. */
	x86_mmu_cpu_init();
	x86_cpu_tables_init(c);
	x86_fpu_cpu_init();
	/* The MI code marks a CPU it gave up on CPU_FAILED: too late now. */
	if (__atomic_load_n(&c->state, __ATOMIC_ACQUIRE) != CPU_STARTING) {
		printk("smp: cpu%u (APIC ID %#llx) arrived after it was given "
		       "up; parked\n", c->id, (unsigned long long)c->hw_id);
		arch_halt();
	}
	smp_secondary_entry(c);
}
