/*
 * Per-CPU counts of the interrupts a CPU received, by what they asked it
 * to do: the numbers /proc/interrupts shows (core/fs_synth.c). Each CPU
 * counts only its own events, with interrupts off or from its own thread,
 * so a plain relaxed increment suffices; readers on other CPUs see values
 * that may be a few events old, as Linux's /proc/interrupts does.
 */
#ifndef SMP_IPI_STATS_H
#define SMP_IPI_STATS_H

#include <kern/types.h>

enum ipi_stat {
	IPI_STAT_TLB,		/* TLB shootdown requests run (from another CPU) */
	IPI_STAT_XCALL,		/* cross-call requests run (shootdowns are not) */
	IPI_STAT_RESCHED,	/* IPI_WAKE: wake up / reschedule */
	IPI_STAT_NKINDS,
};

/*
 * Count one @kind event on the calling CPU.
 * Locking: none; call with interrupts off or from the CPU's own thread
 * (the counter belongs to this CPU). TLB: none.
 */
void ipi_stats_inc(enum ipi_stat kind);

/* The count of @kind events on CPU @cpu (0 for an index out of range).
 * Locking: none (a relaxed load of another CPU's counter). */
uint64_t ipi_stats_get(unsigned int cpu, enum ipi_stat kind);

#endif
