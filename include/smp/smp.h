/* SMP bring-up, machine-independent part (smp/smp.c). */
#ifndef SMP_SMP_H
#define SMP_SMP_H

#define SMP_TICK_HZ	100

/*
 * Discover every CPU, start the secondaries and the tick on all of them.
 * A CPU that fails to start is reported and left out of cpus_online; the
 * others go on. Returns on the boot CPU with interrupts enabled: kernel
 * code runs with them on, so a CPU spinning on a lock can still answer a
 * cross-call (a TLB flush) from the lock's holder. Secondaries idle in
 * arch_idle() and serve cross-calls and ticks from there.
 * Locking: boot CPU, once, before anything else uses cpus_online.
 */
void smp_init(void);

#endif
