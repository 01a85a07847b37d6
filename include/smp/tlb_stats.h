/*
 * Per-CPU counters of the coherence layer, one cache-line-aligned block
 * per CPU (a counter shared between CPUs would bounce its line and
 * perturb the very numbers it reports). Each CPU writes only its own
 * block; readers take a racy snapshot.
 */
#ifndef SMP_TLB_STATS_H
#define SMP_TLB_STATS_H

#include <kern/types.h>

#define TLB_LAT_BUCKETS	24	/* bucket i: latency in [2^i, 2^(i+1)) ns */

enum tlb_stat {
	TLB_STAT_SHOOTDOWNS,	/* rounds this CPU started (tlb_shootdown) */
	TLB_STAT_IPI_SENT,	/* IPIs this CPU sent for TLB requests */
	TLB_STAT_IPI_RECV,	/* IPI_TLB interrupts this CPU took */
	TLB_STAT_QUEUED,	/* requests this CPU put on other CPUs' queues */
	TLB_STAT_COALESCED,	/* of which found a non-empty queue: no IPI */
	TLB_STAT_HANDLED,	/* requests this CPU ran for other CPUs */
	TLB_STAT_SKIPPED,	/* of which its flushed generation covered */
	TLB_STAT_PAGE_FLUSH,	/* by-VA invalidations done for requests */
	TLB_STAT_ASID_FLUSH,	/* whole-tag invalidations done for requests */
	TLB_STAT_FULL_FLUSH,	/* flush-everything done for requests */
	TLB_STAT_LAZY_SKIPPED,	/* lazy CPUs an initiator sent nothing */
	TLB_STAT_CATCHUP,	/* switches that flushed a tag behind its gen */
	TLB_STAT_BROADCAST,	/* broadcast TLBI instructions issued */
	TLB_STAT_UNLOADS,	/* lazy roots dropped for a dying space */
	TLB_STAT_ASID_ALLOC,	/* ASIDs handed out (0: untagged) */
	TLB_STAT_ASID_ROLLOVER,	/* ASID generation rollovers */
	TLB_STAT_SLOT_EVICT,	/* per-CPU ASID slots evicted */
	TLB_STAT_MERGED,	/* queued requests merged into one tag flush */
	TLB_STAT_NKINDS,
};

/* Names as /proc/tlbk/shootdown prints them, indexed by enum tlb_stat. */
extern const char *const tlb_stat_names[TLB_STAT_NKINDS];

/* Count @n @kind events on the calling CPU. Locking: interrupts off, or
 * the CPU's own thread (never two writers of one block). */
void tlb_stat_add(enum tlb_stat kind, unsigned long n);

/* CPU @cpu's count of @kind (0 out of range). Locking: none (racy). */
uint64_t tlb_stat_get(unsigned int cpu, enum tlb_stat kind);

/* Record one shootdown round of @ns nanoseconds (initiator's view,
 * arch_clock_ns). Locking: as tlb_stat_add. */
void tlb_stat_latency(uint64_t ns);

/* CPU @cpu's count in latency bucket @b. Locking: none (racy). */
uint64_t tlb_stat_latency_get(unsigned int cpu, unsigned int b);

#endif
