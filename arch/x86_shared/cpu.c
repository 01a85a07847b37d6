/* Small per-CPU primitives of the MD contract (include/kern/arch.h). */
#include <kern/arch.h>
#include <machine/cpufunc.h>
#include <smp/cpu.h>

/* The dense index of the calling CPU, through the per-CPU register. */
unsigned int arch_cpu_id(void)
{
	return this_cpu()->id;
}

/* Disable interrupts; returns the previous EFLAGS for arch_irq_restore(). */
unsigned long arch_irq_save(void)
{
	unsigned long flags = read_flags();

	cli();
	return flags;
}

/* Re-enable interrupts only if they were on when @flags was saved. */
void arch_irq_restore(unsigned long flags)
{
	if (flags & EFLAGS_IF)
		sti();
}

/* int3 is a one-byte trap: the saved PC already points past it. */
void arch_trap_breakpoint(void)
{
	__asm__ __volatile__("int3" ::: "memory");
}

/* ud2 (0f 0b) is the architecturally guaranteed #UD; the handler skips 2. */
void arch_trap_undefined(void)
{
	__asm__ __volatile__("ud2" ::: "memory");
}
