/*
 * TLB coherence: the one header mm/ and core/ include to keep every CPU's
 * TLB consistent with the page tables. mm/ records what changed (a
 * struct tlb_batch); core/ says "this CPU now runs that address space" or
 * "this CPU now runs kernel code only"; everything else is decided here.
 *
 * Vocabulary. A CPU is ACTIVE on an address space while a thread of it
 * runs there, LAZY while it runs kernel threads or idles with that space's
 * root still loaded (tlb.lazy=1), INACTIVE otherwise. Every user space
 * has a 64-bit generation (tlb_space.gen) that each invalidating change
 * bumps after its entry stores; each CPU records the generation it has
 * flushed the space it has loaded up to (tlb_cpu.flushed_gen).
 *
 * Invalidation table (who does what after a batch of changes to space S,
 * made on CPU I; "pages" means by-VA flushes up to tlb.ceiling pages,
 * else one flush of S's whole tag; the kernel space's entries are global
 * and are flushed by VA or entirely, on every online CPU, always):
 *
 *   policy     local (I)  ACTIVE CPU           LAZY CPU                INACTIVE CPU
 *   naive      pages      IPI, full flush      IPI, full flush         nothing [1]
 *   batched    pages      queue + IPI, pages   nothing [2]; queue +    nothing [1]
 *                         or full by gen       IPI if tables freed
 *   broadcast  TLBI IS pages or ASIDE1IS + DSB ISH reaches every CPU; no IPI, no gen
 *   none       pages      nothing (tests only: stale entries survive)
 *
 *   [1] It may still hold S's entries under S's tag, but its ASID slot
 *       for S is behind S's generation, so activating S flushes the tag
 *       first (<smp/asid.h>; untagged CPUs flush on every switch anyway).
 *   [2] Its catch-up on return to S flushes S's tag if flushed_gen is
 *       behind S's generation; when it switches elsewhere instead, the
 *       switch flushes. Freed page tables cannot wait: a speculative walk
 *       through the loaded root could reach them, so lazy CPUs get the IPI.
 *       tlb.lazy=0 turns lazy mode off: kernel threads keep the root
 *       loaded but count as ACTIVE, so they get every request.
 *
 * Ordering (the pairing lives here, both halves): an initiator stores the
 * entries, bumps S's generation (seq_cst) and then reads each CPU's loaded
 * state; a switching CPU publishes its loaded state, fences (seq_cst) and
 * then reads S's generation. So either the initiator sees the CPU and
 * sends it the request, or the CPU sees the new generation and catches up.
 */
#ifndef SMP_TLB_H
#define SMP_TLB_H

#include <kern/compiler.h>
#include <kern/types.h>

struct pmap;
struct tlb_batch;

/* The coherence state of one address space, embedded in struct pmap. */
struct tlb_space {
	/* 8-byte aligned on i686 too: both are 64-bit atomics. */
	uint64_t id __aligned(8);	/* never reused; 0: the kernel's */
	uint64_t gen __aligned(8);	/* bumped by each invalidating change */
	/* Global ASID mode: generation | tag (smp/asid_global.c); 0 until
	 * the space first runs. Unused by the other modes. */
	uint64_t asid __aligned(8);
};

/*
 * Read the tlb= and tlb.* boot parameters (a bad value prints what was
 * wrong and the default) and print the policy in force in one line.
 * Boot CPU, after cmdline_init, before other CPUs start.
 */
void tlb_init(void);

/* Name of the policy in force ("batched", "naive", ...). */
const char *tlb_policy_name(void);

/* Is lazy TLB mode on (tlb.lazy)? */
bool tlb_lazy(void);

/* Pages above which a flush covers the whole tag instead (tlb.ceiling). */
unsigned long tlb_ceiling(void);

/*
 * Give a new address space its identity. Locking: none (the space is not
 * visible yet). TLB: none.
 */
void tlb_space_init(struct tlb_space *sp, bool kernel);

/*
 * Make sure no CPU still has @pm loaded (lazy CPUs switch to the kernel
 * root; the caller's CPU too), so its tables may be freed. No thread of
 * @pm may be running. Locking: no spinlocks held (it waits for other
 * CPUs). TLB: remote unload, then the caller flushes @pm's tag.
 */
void tlb_space_fini(struct pmap *pm);

/*
 * Invalidate what @b recorded on every CPU that may cache it, under the
 * policy in force, and return once that is done everywhere (so the
 * caller may then free the frames and tables @b deferred). Called by
 * tlb_batch_flush after the entry stores were published.
 * Locking: may hold @b's pmap lock (break-before-make), never a lock that
 * a CPU takes with interrupts off (that CPU could not answer).
 * TLB: flushes locally and remotely.
 */
void tlb_shootdown(struct tlb_batch *b);

/*
 * This CPU is about to run a thread of @pm (a user pmap), or, for
 * pmap_kernel(), only kernel code. Loads @pm's root unless it is loaded
 * already, catching up by generation; for pmap_kernel(), keeps the user
 * root loaded: in lazy mode (no IPIs unless tables are freed), or with
 * tlb.lazy=0 as if still running it.
 * Locking: interrupts off. TLB: may flush locally.
 */
void tlb_switch_to(struct pmap *pm);

/*
 * Load the kernel root now, lazy or not (before the caller destroys the
 * address space it ran). Locking: interrupts off. TLB: none needed.
 */
void tlb_switch_to_kernel_root(void);

/*
 * The tag under which this CPU may hold entries of @pm (its slot's, the
 * space's global ASID, or 0 for the kernel and untagged CPUs), for a local
 * flush. Locking: interrupts off; the answer holds until the next switch
 * on this CPU. TLB: none.
 */
unsigned int tlb_tag_here(const struct pmap *pm);

/*
 * Print one line of totals over the online CPUs ("tlb: totals: NAME N,
 * ..." for the main counters), e.g. after init exited, so a run's log
 * says what the coherence layer did. Locking: none (racy sums). TLB: none.
 */
void tlb_report(void);

/* tlb.bug=early_free (self-checks only): tlb_batch_end frees the frames
 * it deferred before the shootdown instead of after it. */
extern bool tlb_bug_early_free;

/* Run this CPU's shootdown queue. From the arch IPI handler for IPI_TLB
 * with interrupts off. */
void tlb_handle_ipi(void);

/*
 * Run this CPU's shootdown queue from a wait loop. Every loop that waits
 * for another CPU (cross-call and shootdown waits alike) calls it, since
 * it may run with interrupts off while that CPU waits for its answer.
 * Locking: any context. TLB: flushes locally what was asked.
 */
void tlb_poll(void);

#endif
