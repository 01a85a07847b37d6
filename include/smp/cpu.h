/*
 * struct cpu: everything the kernel keeps per CPU, reached in O(1) from the
 * CPU itself through an arch register (x86_64 GS base, i686 FS base,
 * aarch64 TPIDR_EL1) that points at its struct cpu.
 */
#ifndef SMP_CPU_H
#define SMP_CPU_H

#include <kern/compiler.h>
#include <kern/sched.h>
#include <kern/types.h>
#include <machine/cpu.h>	/* struct arch_cpu, arch_this_cpu() */
#include <smp/cpuset.h>
#include <smp/xcall.h>

enum cpu_state {
	CPU_ABSENT,		/* no such CPU */
	CPU_OFFLINE,		/* discovered, not started */
	CPU_STARTING,		/* arch_cpu_start() returned 0, not yet online */
	CPU_ONLINE,
	CPU_FAILED,		/* did not come up; the rest go on without it */
};

struct cpu {
	/* Must stay first: x86 reads it as %gs:0 / %fs:0. */
	struct cpu *self;
	unsigned int id;		/* dense index, 0 = boot CPU */
	uint64_t hw_id;			/* APIC ID or MPIDR affinity */
	enum cpu_state state;
	const char *start_method;	/* for the boot log */
	void *stack_top;		/* this CPU's kernel stack */
	uint64_t ticks;			/* timer interrupts taken */
	struct xcall_inbox xcall;
	struct sched_cpu sched;
	struct arch_cpu arch;
};

extern struct cpu cpus[MAX_CPUS];
extern unsigned int ncpus;		/* discovered CPUs (online or not) */
extern struct cpuset cpus_online;

/* The calling CPU's struct cpu. Callable with interrupts on: the result is
 * stable until the thread blocks or returns to user mode (the kernel is not
 * preemptible; a thread changes CPU only when woken on another or re-pinned
 * on its way back to user mode). */
static inline struct cpu *this_cpu(void)
{
	return arch_this_cpu();
}

#endif
