/* The simulated SMP fabric of ktest-host-smp (tests/host/smp/sim_smp.c). */
#ifndef SIM_SMP_H
#define SIM_SMP_H

#include <kern/types.h>
#include <smp/asid.h>

struct page;

/* CPUs 0..@n-1 online (n <= SIM_CPUS), no IPI pending. */
void sim_smp_init(unsigned int n);

/* sim_smp_init(@n), then the coherence layer from scratch: tlb_init,
 * tags in @mode (@bits wide), every simulated TLB empty. */
void sim_smp_start(unsigned int n, enum asid_mode mode, unsigned int bits);

/* Take the IPIs pending for the calling thread's CPU ("interrupts on"). */
void sim_ipi_poll(void);

/* --- Helpers of the suites' workloads ---------------------------------- */

/* A counter many CPUs bump: relaxed, read once the CPUs are done. */
static inline void sim_add(unsigned long *n, unsigned long v)
{
	__atomic_fetch_add(n, v, __ATOMIC_RELAXED);
}

/* xorshift32, one state per CPU: a run is the same walk per CPU. */
static inline uint32_t sim_rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* A fresh frame whose first word is @mark, or NULL. */
struct page *sim_frame_with(uint32_t mark);

#endif
