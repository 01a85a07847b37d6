/*
 * What the files of the coherence layer share (smp/tlb*.c only): the
 * request that travels to other CPUs, the policy ops table, and the
 * per-CPU loaded state that initiators read.
 */
#ifndef SMP_TLB_INTERNAL_H
#define SMP_TLB_INTERNAL_H

#include <kern/types.h>
#include <smp/cpuset.h>

struct pmap;
struct tlb_batch;

/*
 * One shootdown request, on the initiator's stack until every target has
 * acknowledged it (pending reaches 0). Targets read @batch's ranges, so
 * the batch must not change until then.
 */
struct tlb_req {
	struct pmap *pm;
	uint64_t gen;			/* pm's generation after this change */
	const struct tlb_batch *batch;	/* the ranges; NULL: flush all of pm */
	bool unload;			/* tlb_space_fini: drop a lazy root */
	unsigned int pending;		/* targets that have not finished */
};

/* A policy: how one batch reaches the other CPUs. */
struct tlb_policy {
	const char *name;
	const char *summary;		/* for the boot log line */
	bool (*available)(void);	/* NULL: on every arch */
	void (*shootdown)(struct tlb_batch *b);
};

extern const struct tlb_policy tlb_policy_naive;
extern const struct tlb_policy tlb_policy_batched;
extern const struct tlb_policy tlb_policy_broadcast;
extern const struct tlb_policy tlb_policy_none;

/* tlb.lazy (tlb.c). */
extern bool tlb_lazy_enabled;

/* tlb.bug=skip_catchup (tlb.c), self-checks only: a CPU activating a
 * space its slot is behind on does not flush the tag. */
extern bool tlb_bug_skip_catchup;

/* tlb.bug=drop_coalesced: a request that finds a non-empty queue is
 * dropped (counted as coalesced, never run). Self-checks only. */
extern bool tlb_bug_drop_coalesced;

/* tlb.bug=skip_lazy_tables: batched leaves lazy CPUs out even when page
 * tables were freed. Self-checks only. */
extern bool tlb_bug_skip_lazy_tables;

/* --- tlb_switch.c: per-CPU loaded state and the flush decisions ------- */

/*
 * Bump @pm's generation after its entry stores and return the new one.
 * Its seq_cst order against the loaded-state reads that follow is half
 * of the pairing with tlb_switch_to.
 */
uint64_t tlb_gen_bump(struct pmap *pm);

/*
 * The online CPUs other than the caller that may cache @pm: every one for
 * the kernel pmap; for a user pmap those that have it loaded, lazy ones
 * only if @with_lazy (the others are counted as lazy_skipped).
 * Call after tlb_gen_bump.
 */
void tlb_targets(const struct pmap *pm, bool with_lazy, struct cpuset *out);

/* Run @r on this CPU: flush by VA, by tag or nothing, by generation.
 * Interrupts off. */
void tlb_cpu_run_request(const struct tlb_req *r);

/* Run the requests @r[0..n) (sorted by generation) on this CPU, merging
 * those for one space whose pages together exceed the ceiling into one
 * flush of its tag. Interrupts off. */
void tlb_cpu_run_requests(const struct tlb_req *const *r, unsigned int n);

/* The initiator flushed @pm's changes up to @gen locally: advance this
 * CPU's flushed generation if no earlier change can still be in flight. */
void tlb_local_done(struct pmap *pm, uint64_t gen);

/* Does this CPU have @pm's root loaded (active or lazy)? Interrupts off. */
bool tlb_loaded_here(const struct pmap *pm);

/* Flush this CPU's entries of @pm per @b (by VA up to the ceiling, else
 * the tag; all for the kernel), counting into the request counters. */
void tlb_flush_for(const struct pmap *pm, const struct tlb_batch *b);

/* --- tlb_queue.c: per-CPU request queues ------------------------------ */

/*
 * Put @r on the queue of every CPU in @targets (not the caller) and send
 * an IPI to those whose queue was empty, or to every one unless
 * @coalesce (tlb=naive: one IPI per request); sets r->pending.
 */
void tlb_queue_post(const struct cpuset *targets, struct tlb_req *r,
		    bool coalesce);

/* Wait until every target acknowledged @r, serving this CPU's own queue
 * and cross-call inbox meanwhile (two initiators never deadlock). */
void tlb_queue_wait(struct tlb_req *r);

#endif
