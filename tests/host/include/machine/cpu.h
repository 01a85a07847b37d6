/*
 * The host's per-CPU state for struct cpu (smp/cpu.h): nothing arch-
 * specific, and arch_this_cpu() is &cpus[arch_cpu_id()] (the simulated
 * CPU the calling thread runs as; tests/host/smp/sim_smp.c).
 */
#ifndef MACHINE_CPU_H
#define MACHINE_CPU_H

struct cpu;

struct arch_cpu {
	int unused;
};

struct cpu *arch_this_cpu(void);

#endif
