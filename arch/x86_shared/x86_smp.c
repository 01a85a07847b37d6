/*
 * The x86 side of <smp/smp_md.h> that is not start-up (mp_start.c), the
 * tick (lapic_timer.c) or interrupt flags (intr.c): finding the CPUs in
 * the ACPI MADT, per-CPU APIC setup, and IPIs.
 */
#include <kern/cmdline.h>
#include <kern/panic.h>
#include <kern/printk.h>
#include <machine/acpi.h>
#include <machine/lapic.h>
#include <smp/cpu.h>
#include <smp/smp_md.h>

CMDLINE_PARAM(lapic_x2apic, "lapic.x2apic",
	      "0: keep the local APICs in xAPIC mode even if CPUID offers "
	      "x2APIC (default 1)");

#define APIC_ID_LOG_MAX	32	/* IDs listed in the boot log */

static const uint8_t ipi_vector[IPI_NKINDS] = {
	[IPI_XCALL] = LAPIC_VEC_IPI_XCALL,
	[IPI_WAKE] = LAPIC_VEC_IPI_WAKE,
	[IPI_TLB] = LAPIC_VEC_IPI_TLB,
};

static void log_apic_ids(const struct cpu *cpus, unsigned int n)
{
	char line[APIC_ID_LOG_MAX * 11 + 8];
	size_t len = 0;

	for (unsigned int i = 0; i < n && i < APIC_ID_LOG_MAX; i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %llu",
				       (unsigned long long)cpus[i].hw_id);
	printk("smp: %u CPU(s), APIC IDs:%s%s (boot CPU first)\n", n, line,
	       n > APIC_ID_LOG_MAX ? " ..." : "");
}

/* Append the MADT's CPUs other than the boot CPU to @cpus[1..]. */
static unsigned int add_madt_cpus(struct cpu *cpus, unsigned int max,
				  const uint32_t *ids, unsigned int n)
{
	unsigned int count = 1, unreachable = 0, dropped = 0;
	bool boot_listed = false;

	for (unsigned int i = 0; i < n; i++) {
		if (ids[i] == cpus[0].hw_id) {
			boot_listed = true;
		} else if (ids[i] > lapic_max_dest_id()) {
			unreachable++;
		} else if (count == max) {
			dropped++;
		} else {
			cpus[count].hw_id = ids[i];
			cpus[count++].state = CPU_OFFLINE;
		}
	}
	if (!boot_listed)
		printk("smp: the boot CPU's APIC ID %#llx is not in the MADT\n",
		       (unsigned long long)cpus[0].hw_id);
	if (unreachable)
		printk("smp: %u CPU(s) with APIC IDs above %#x cannot be "
		       "reached in xAPIC mode; ignored\n", unreachable,
		       lapic_max_dest_id());
	if (dropped)
		printk("smp: %u CPU(s) beyond the limit of %u ignored\n",
		       dropped, max);
	return count;
}

/*
 * The boot CPU is index 0 with the ID its APIC reports; the MADT supplies
 * the rest. A missing or bad MADT leaves the boot CPU alone.
 */
unsigned int arch_smp_discover(struct cpu *cpus, unsigned int max)
{
	static uint32_t ids[MAX_CPUS];
	bool x2apic_ok = cmdline_get_ulong("lapic.x2apic", 1, 0, 1) != 0;
	unsigned int count = 1;
	int n;

	if (lapic_init_boot(x2apic_ok) != 0)
		panic("x86: no usable local APIC, so no tick and no IPIs");
	cpus[0].hw_id = lapic_id();
	cpus[0].state = CPU_OFFLINE;
	n = acpi_madt_apic_ids(ids, ARRAY_SIZE(ids));
	if (n < 0)
		printk("smp: no CPU list from ACPI: running on the boot CPU "
		       "only\n");
	else
		count = add_madt_cpus(cpus, max, ids,
				      MIN((unsigned int)n, ARRAY_SIZE(ids)));
	if (n > (int)ARRAY_SIZE(ids))
		printk("smp: the MADT lists %d CPUs; only the first %zu "
		       "were read\n", n, ARRAY_SIZE(ids));
	log_apic_ids(cpus, count);
	return count;
}

/* Bring up the calling CPU's local APIC; the tick starts separately. */
void arch_cpu_init_local(struct cpu *c)
{
	lapic_init_local();
	/* The AP found @c by its CPUID initial APIC ID; firmware may have
	 * renumbered the APIC since (the ID register is writable on some
	 * CPUs), and IPIs go by the register. */
	if (lapic_id() != c->hw_id)
		printk("smp: cpu%u: APIC ID register %#x, but firmware said "
		       "%#llx: IPIs to it will miss\n", c->id, lapic_id(),
		       (unsigned long long)c->hw_id);
}

/* Locking: any CPU, any context. A wedged APIC is a fatal error: an IPI
 * that never leaves would hang its sender later, with no message. */
void arch_ipi_send(const struct cpu *target, enum ipi_kind kind)
{
	int err = lapic_send_ipi((uint32_t)target->hw_id,
				 ICR_DM_FIXED | ICR_LEVEL_ASSERT |
				 ipi_vector[kind]);

	if (err)
		panic("arch_ipi_send: IPI to cpu%u not delivered (%d)",
		      target->id, err);
}

/* One IPI per target: no logical destinations or broadcast shorthands,
 * which would reach offline or unlisted CPUs too. */
void arch_ipi_send_mask(const struct cpuset *set, enum ipi_kind kind)
{
	unsigned int self = this_cpu()->id, cpu;

	for_each_cpu_in(cpu, set)
		if (cpu != self)
			arch_ipi_send(&cpus[cpu], kind);
}

const char *arch_ipi_path(void)
{
	return lapic_x2apic_mode() ? "x2APIC" : "xAPIC";
}
