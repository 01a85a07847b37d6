/* Per-CPU basics of the MD contract: identity, interrupt mask, idle, halt. */

#include <kern/arch.h>
#include <machine/sysreg.h>
#include <smp/cpu.h>
#include <smp/smp_md.h>

unsigned int arch_cpu_id(void)
{
	return this_cpu()->id;
}

void arch_set_this_cpu(struct cpu *c)
{
	c->self = c;
	/* No ISB needed: direct reads and writes of one System register
	 * on a PE are in program order (Arm ARM, "Synchronization
	 * requirements for AArch64 System registers"). */
	write_sysreg(tpidr_el1, c);
}

unsigned long arch_irq_save(void)
{
	unsigned long flags = read_sysreg(daif);

	/* Mask IRQ and FIQ; debug and SError masking are left as they are. */
	__asm__ __volatile__("msr daifset, #3" ::: "memory");
	return flags;
}

void arch_irq_restore(unsigned long flags)
{
	write_sysreg(daif, flags);
}

/* IRQ only: the GIC is set up to signal nothing as FIQ, so FIQ stays
 * masked and a stray one cannot be taken. */
void arch_irq_enable(void)
{
	__asm__ __volatile__("msr daifclr, #2" ::: "memory");
}

void arch_irq_disable(void)
{
	__asm__ __volatile__("msr daifset, #2" ::: "memory");
}

/*
 * WFI with IRQs still masked, then a window with them unmasked. WFI wakes
 * on a pending IRQ even while PSTATE.I masks it (Arm ARM, "Wait For
 * Interrupt": masking does not stop an interrupt being a WFI wake-up
 * event), so an interrupt that arrived after the caller's last check is
 * not slept through: WFI returns at once. It is then taken inside the
 * window: after the unmask, the ISB (a context synchronization event)
 * guarantees a pending, unmasked interrupt is taken before the re-mask.
 * The other order, unmask then WFI, would take an already-pending
 * interrupt first and then sleep until the next one: up to a tick late
 * for a wake-up IPI. The DSB completes earlier stores before the core may
 * stop, as Linux's cpu_do_idle does.
 */
void arch_idle(void)
{
	__asm__ __volatile__(
		"dsb	sy\n\t"
		"wfi\n\t"
		"msr	daifclr, #2\n\t"
		"isb\n\t"
		"msr	daifset, #2"
		::: "memory");
}

__noreturn void arch_halt(void)
{
	__asm__ __volatile__("msr daifset, #0xf" ::: "memory");
	for (;;)
		__asm__ __volatile__("wfi" ::: "memory");
}
