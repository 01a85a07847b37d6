/* SMP bring-up, machine-independent part (smp/smp.c). */
#ifndef SMP_SMP_H
#define SMP_SMP_H

#define SMP_TICK_HZ	100

/*
 * Discover every CPU, start the secondaries and the tick on all of them.
 * A CPU that fails to start is reported and left out of cpus_online; the
 * others go on. Until there is a scheduler, every CPU runs with interrupts
 * off and takes them only inside arch_idle(): secondaries idle forever and
 * serve cross-calls and ticks from there.
 * Locking: boot CPU, once, before anything else uses cpus_online.
 */
void smp_init(void);

#endif
