/*
 * SMP bring-up, aarch64 half: which CPUs exist (DTB /cpus, filtered by
 * what PSCI and the GIC can serve), starting one with PSCI CPU_ON, and
 * the secondary's first C code. See secondary.S for the MMU switch.
 */

#include <kern/arch.h>
#include <kern/errno.h>
#include <kern/printk.h>
#include <kern/string.h>
#include <machine/cpu_dt.h>
#include <machine/gic.h>
#include <machine/memlayout.h>
#include <machine/platform.h>
#include <machine/psci.h>
#include <machine/smp_boot.h>
#include <machine/sysreg.h>
#include <machine/thread.h>
#include <machine/timer.h>
#include <machine/vmsa.h>
#include <smp/cpu.h>
#include <smp/smp_md.h>

#define CPU_LIST_LOG_LEN	160

/* One cache line: the secondary reads it with its caches off. */
struct smp_boot_params smp_boot_params __aligned(64);

/* TTBR0 identity map for secondary.S: one L0, L1 and L2 table, mapping
 * the 2 MiB block(s) holding its code read-only and executable (an alias
 * of the image must not be a writable, executable window either). Built
 * once, never changed; in BSS, so inside the image's reserved range. */
static uint64_t idmap[3][PT_ENTRIES] __aligned(4096);
static bool idmap_built;

__noreturn void secondary_start(struct cpu *c);
__noreturn void secondary_main(struct cpu *c);

/* Write back [p, p + len) to the Point of Coherency, for an observer
 * that reads memory with its caches off (Arm ARM, DC CVAC). */
static void dcache_clean_poc(const void *p, size_t len)
{
	uintptr_t line = 4UL << ((read_sysreg(ctr_el0) >> 16) & 0xf);
	uintptr_t a = ALIGN_DOWN((uintptr_t)p, line);

	for (; a < (uintptr_t)p + len; a += line)
		__asm__ __volatile__("dc cvac, %0" :: "r"(a) : "memory");
	dsb(sy);
}

static int idmap_build(void)
{
	paddr_t start = virt_to_phys(secondary_entry);
	paddr_t end = virt_to_phys(secondary_entry_end);
	paddr_t b;

	/* One L1 slot: secondary.S is a few hundred bytes in the image. */
	if (start >> PT_L1_SHIFT != (end - 1) >> PT_L1_SHIFT) {
		printk("smp: secondary entry %#lx-%#lx crosses a 1 GiB "
		       "boundary\n", start, end);
		return -ERANGE;
	}
	idmap[0][(start >> PT_L0_SHIFT) % PT_ENTRIES] =
		virt_to_phys(idmap[1]) | PTE_TABLE;
	idmap[1][(start >> PT_L1_SHIFT) % PT_ENTRIES] =
		virt_to_phys(idmap[2]) | PTE_TABLE;
	for (b = ALIGN_DOWN(start, PT_BLOCK_2M); b < end; b += PT_BLOCK_2M)
		idmap[2][(b >> PT_L2_SHIFT) % PT_ENTRIES] =
			b | PTE_BLOCK | PTE_KERNEL_TEXT;
	/* The secondary's walks are cacheable (TCR_EL1.IRGN0/ORGN0) once
	 * SCTLR.C is on, which the same write as SCTLR.M does; cleaning to
	 * the PoC keeps the tables valid for a walker that is not. */
	dcache_clean_poc(idmap, sizeof(idmap));
	idmap_built = true;
	return 0;
}

/*
 * The boot CPU's current translation regime, for the next secondary.
 * Read afresh on each start, so a later change of root or TCR (ASID
 * width) by the MMU code reaches CPUs started after it.
 */
static void boot_params_fill(void)
{
	struct smp_boot_params *sbp = &smp_boot_params;
	uint64_t tcr = read_sysreg(tcr_el1);

	sbp->mair = read_sysreg(mair_el1);
	sbp->tcr_idmap = tcr & ~TCR_EPD0;
	sbp->ttbr0_idmap = virt_to_phys(idmap[0]);
	sbp->ttbr1 = read_sysreg(ttbr1_el1);
	sbp->sctlr = read_sysreg(sctlr_el1);
	/* A new CPU runs no user address space: TTBR0 walks stay off
	 * until the MMU code activates one there. */
	sbp->tcr = tcr | TCR_EPD0;
	dcache_clean_poc(sbp, sizeof(*sbp));
}

int arch_cpu_start(struct cpu *c)
{
	int err;

	if (!psci_version())
		return -ENOSYS;
	if (!idmap_built && (err = idmap_build()) != 0)
		return err;
	boot_params_fill();
	c->start_method = strcmp(psci_conduit_name(), "smc") == 0 ?
			  "PSCI CPU_ON (smc)" : "PSCI CPU_ON (hvc)";
	/* c's fields (stack, id) are read with the MMU on, through the
	 * coherent cache; the DSB in dcache_clean_poc() orders them before
	 * the firmware call. */
	return psci_cpu_on(c->hw_id, virt_to_phys(secondary_entry),
			   virt_to_phys(c));
}

void arch_cpu_init_local(struct cpu *c)
{
	/* A DTB naming the wrong MPIDR would send this CPU's IPIs, and on
	 * GICv3 its redistributor setup, to another CPU. */
	if (mpidr_affinity() != c->hw_id)
		printk("smp: cpu%u has MPIDR %#lx, the DTB said %#lx\n", c->id,
		       mpidr_affinity(), c->hw_id);
	gic_cpu_init(c);
}

/*
 * From secondary.S, at the link address with x0 = c and no stack yet:
 * take c->stack_top (an offset only the compiler knows) and continue in C.
 */
__attribute__((naked)) void secondary_start(struct cpu *c)
{
	__asm__("ldr	x9, [x0, %0]\n\t"
		"mov	sp, x9\n\t"
		"b	secondary_main"
		:: "i"(offsetof(struct cpu, stack_top)));
}

/* The secondary's first C code, on its own stack, interrupts masked. */
void secondary_main(struct cpu *c)
{
	arch_set_this_cpu(c);
	fpsimd_cpu_init();
	timer_cpu_init();
	smp_secondary_entry(c);
}

static void log_cpus(const struct cpu *cpus, unsigned int n)
{
	char buf[CPU_LIST_LOG_LEN];
	size_t len = 0;
	unsigned int i;

	for (i = 0; i < n && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%#lx",
					i ? ", " : "", cpus[i].hw_id);
	printk("smp: %u CPU(s) to run, MPIDR %s%s\n", n, buf,
	       len >= sizeof(buf) ? "..." : "");
}

unsigned int arch_smp_discover(struct cpu *cpus, unsigned int max)
{
	static uint64_t mpidr[MAX_CPUS];	/* boot CPU only */
	const struct platform *p = boot_platform();
	unsigned int n = 1, i, count = 0;

	mpidr[0] = mpidr_affinity();
	if (p->dtb_valid)
		n = cpu_dt_parse(&p->fdt, mpidr[0], mpidr, MIN(max, MAX_CPUS));
	else
		printk("smp: no valid DTB: the boot CPU only\n");
	if (n > 1 && (!psci_version() || !gic_present())) {
		printk("smp: no %s: %u secondary CPU(s) stay parked\n",
		       psci_version() ? "interrupt controller" : "PSCI", n - 1);
		n = 1;
	}
	for (i = 0; i < n; i++) {
		cpus[count].hw_id = mpidr[i];
		/* The boot CPU runs regardless; without its GIC link it
		 * only loses interrupts (the reason is printed). */
		if (gic_cpu_probe(&cpus[count]) != 0 && i > 0)
			continue;
		cpus[count++].state = CPU_OFFLINE;
	}
	log_cpus(cpus, count);
	return count;
}
