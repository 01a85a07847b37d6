/*
 * The x86 half of <machine/arch.h>, common to both modes. Each mode's own
 * <machine/arch.h> defines ARCH_NAME and includes this.
 */
#ifndef MACHINE_X86_ARCH_H
#define MACHINE_X86_ARCH_H

/* Spin-wait hint: PAUSE frees pipeline resources for the sibling thread. */
static inline void arch_cpu_relax(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}

#endif
