/*
 * aarch64 per-CPU state: struct arch_cpu (inside the MI struct cpu) and
 * the per-CPU register. TPIDR_EL1 holds the address of the CPU's struct
 * cpu; the kernel owns it (EL0 cannot read it, Arm ARM D17.2.140), so
 * this_cpu() is one MRS and needs no lock and no CPU number. The CPU's
 * MPIDR affinity is the MI cpu->hw_id.
 */
#ifndef MACHINE_CPU_H
#define MACHINE_CPU_H

#include <kern/types.h>

struct cpu;

/* What the interrupt controller needs per CPU (gic.c). */
struct arch_cpu {
	/* GICv3: this CPU's redistributor (RD_base, virtual), found by
	 * arch_smp_discover() from GICR_TYPER's affinity. */
	volatile uint8_t *gicr;
	/* GICv2: this CPU interface's bit in SGI target lists, read on the
	 * CPU itself from the banked GICD_ITARGETSR0. */
	uint8_t gicv2_target;
};

/*
 * The calling CPU's struct cpu. Volatile: arch_set_this_cpu() changes the
 * answer, and thread migration will, so it must not be cached across calls.
 */
static inline struct cpu *arch_this_cpu(void)
{
	struct cpu *c;

	__asm__ __volatile__("mrs %0, tpidr_el1" : "=r"(c));
	return c;
}

#endif
