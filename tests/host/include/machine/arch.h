/* The "host" arch: MI kernel code compiled natively for tests/host. */
#ifndef MACHINE_ARCH_H
#define MACHINE_ARCH_H

#define ARCH_NAME "host"
/* Host suites parse ELF images as the x86_64 kernel would. */
#define ARCH_ELF_MACHINE 62	/* EM_X86_64 */
#define ARCH_ELF_CLASS 2	/* ELFCLASS64 */

/* sched_yield (host_arch.c): simulated CPUs are threads that may share
 * one host core, and a spinning one must let the one it waits for run. */
void host_cpu_relax(void);

static inline void arch_cpu_relax(void)
{
	__asm__ __volatile__("" ::: "memory");
	host_cpu_relax();
}

#endif
