/* The simulated SMP fabric of ktest-host-smp (tests/host/smp/sim_smp.c). */
#ifndef SIM_SMP_H
#define SIM_SMP_H

/* CPUs 0..@n-1 online (n <= SIM_CPUS), no IPI pending. */
void sim_smp_init(unsigned int n);

/* Take the IPIs pending for the calling thread's CPU ("interrupts on"). */
void sim_ipi_poll(void);

#endif
