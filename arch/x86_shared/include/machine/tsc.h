/*
 * The time-stamp counter as the kernel clock (tsc.c): arch_clock_ns() of
 * <kern/thread_md.h>. Every CPU this kernel boots on has a TSC: PAE, which
 * boot.asm requires, arrived with the Pentium Pro, after the TSC.
 */
#ifndef MACHINE_TSC_H
#define MACHINE_TSC_H

#include <kern/types.h>

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/*
 * Measure the TSC frequency against the PIT and start the clock at 0.
 * Boot CPU, once, before any secondary starts and before the first
 * arch_clock_ns() that should not read 0.
 */
void x86_tsc_init(void);

#endif
