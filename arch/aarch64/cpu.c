/* Per-CPU basics of the MD contract: identity, interrupt mask, halt. */

#include <kern/arch.h>
#include <machine/sysreg.h>

unsigned int arch_cpu_id(void)
{
	/* Only the boot CPU runs until SMP bring-up assigns dense ids. */
	return 0;
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

__noreturn void arch_halt(void)
{
	__asm__ __volatile__("msr daifset, #0xf" ::: "memory");
	for (;;)
		__asm__ __volatile__("wfi" ::: "memory");
}
