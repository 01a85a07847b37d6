/* aarch64 inlines every MI file may use through <kern/arch.h>. */
#ifndef MACHINE_ARCH_H
#define MACHINE_ARCH_H

#define ARCH_NAME	"aarch64"
/* The ELF executables this arch runs (values from <kern/elf.h>). */
#define ARCH_ELF_MACHINE	EM_AARCH64
#define ARCH_ELF_CLASS		ELFCLASS64

/*
 * Spin-wait hint: YIELD tells the PE (and QEMU's TCG scheduler) that this
 * thread is busy-waiting, like x86 PAUSE.
 */
static inline void arch_cpu_relax(void)
{
	__asm__ __volatile__("yield" ::: "memory");
}

#endif
