/* The "host" arch: MI kernel code compiled natively for tests/host. */
#ifndef MACHINE_ARCH_H
#define MACHINE_ARCH_H

#define ARCH_NAME "host"

static inline void arch_cpu_relax(void)
{
	__asm__ __volatile__("" ::: "memory");
}

#endif
