/*
 * The machine-dependent SMP contract: CPU discovery and start-up, per-CPU
 * registers, local interrupt controller, IPIs, the per-CPU tick and idle.
 * Each arch implements these in arch/$ARCH/; smp/ calls nothing else.
 */
#ifndef SMP_SMP_MD_H
#define SMP_SMP_MD_H

#include <kern/compiler.h>
#include <kern/types.h>

struct cpu;
struct cpuset;

enum ipi_kind {
	IPI_XCALL,		/* run this CPU's cross-call inbox */
	IPI_WAKE,		/* no work: only ends arch_idle() */
	IPI_TLB,		/* run this CPU's TLB shootdown queue */
	IPI_NKINDS,
};

/* --- Provided by MI code, called by the arch ------------------------- */

/* C entry of a secondary CPU, on c->stack_top with this_cpu() == c and
 * interrupts off. Never returns. */
__noreturn void smp_secondary_entry(struct cpu *c);

/* From the arch interrupt handler, interrupts off. */
void smp_handle_ipi(enum ipi_kind kind);
void smp_handle_tick(void);

/* --- Provided by each arch -------------------------------------------- */

/*
 * Enumerate the CPUs from firmware tables (ACPI MADT / DTB /cpus): fill
 * cpus[i].hw_id and state = CPU_OFFLINE for i < return value, with the
 * boot CPU as index 0. At most @max; more are reported and ignored.
 * Returns at least 1 (the boot CPU) even if the tables are missing or bad.
 */
unsigned int arch_smp_discover(struct cpu *cpus, unsigned int max);

/*
 * Make @c the calling CPU's struct cpu: set c->self = c, then load the
 * per-CPU register. The arch calls it with &cpus[0] at the very start of
 * its C init, before the first printk (which asks arch_cpu_id(), itself
 * this_cpu()->id); smp_init() and each secondary's entry path call it again.
 */
void arch_set_this_cpu(struct cpu *c);

/*
 * Start secondary CPU @c: it must run smp_secondary_entry(c) on
 * c->stack_top with the kernel page tables, this_cpu() == c and interrupts
 * off. Sets c->start_method. Returns 0 once the CPU was told to start (MI
 * waits for it to come online), or a negative errno.
 */
int arch_cpu_start(struct cpu *c);

/* Per-CPU interrupt-controller and trap setup, on the CPU itself, boot CPU
 * included. Interrupts stay off. */
void arch_cpu_init_local(struct cpu *c);

/* Send IPI @kind to one CPU / to every CPU in @set except the caller. */
void arch_ipi_send(const struct cpu *target, enum ipi_kind kind);
void arch_ipi_send_mask(const struct cpuset *set, enum ipi_kind kind);

/* "xAPIC", "x2APIC", "GICv2" or "GICv3", for the boot log. */
const char *arch_ipi_path(void);

/* Start this CPU's periodic tick at @hz (calls smp_handle_tick()). Returns
 * the timer's input frequency in Hz, for the boot log. */
uint64_t arch_timer_start(unsigned int hz);

/* Unmask / mask interrupts on the calling CPU. Locking: per-CPU state. */
void arch_irq_enable(void);
void arch_irq_disable(void);

/* Enable interrupts and wait for one, atomically (sti; hlt / wfi), then
 * return with interrupts disabled again. Never spins. */
void arch_idle(void);

#endif
