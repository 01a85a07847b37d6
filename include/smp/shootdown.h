/*
 * TLB shootdown: the remote half of tlb_batch_end(). The policy is a boot
 * parameter so one kernel compares strategies on one workload:
 *   tlb=naive  synchronous cross-call to every other online CPU, which
 *              flushes the whole ASID (or everything, for the kernel pmap)
 *              and answers; the baseline, and the default today;
 *   tlb=none   test only: no remote invalidation at all, so coherence
 *              tests can prove they see stale translations.
 */
#ifndef SMP_SHOOTDOWN_H
#define SMP_SHOOTDOWN_H

#include <kern/types.h>

struct shootdown_stats {
	unsigned long requests;		/* remote flushes this CPU started */
	unsigned long ipis;		/* target CPUs it asked */
	unsigned long flushes;		/* flushes this CPU did for others */
};

/* Read the tlb= boot parameter (bad values: message, default). Boot CPU,
 * after cmdline_init. */
void shootdown_init(void);

/* Copy CPU @cpu's counters. Locking: none (a racy snapshot). */
void shootdown_stats(unsigned int cpu, struct shootdown_stats *out);

#endif
