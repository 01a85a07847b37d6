/*
 * Per-CPU shootdown queues. An initiator puts a pointer to its request on
 * each target's queue and sends an IPI only when that queue was empty: a
 * non-empty queue has an IPI on its way or a drain running that looks
 * again before it stops, so the request is seen either way (coalescing).
 * The receiver takes everything queued, runs it in generation order (so
 * a by-VA flush is never mistaken for covering a later change), then
 * acknowledges each request.
 */
#include <kern/arch.h>
#include <kern/compiler.h>
#include <kern/spinlock.h>
#include <smp/cpu.h>
#include <smp/ipi_stats.h>
#include <smp/smp_md.h>
#include <smp/tlb.h>
#include <smp/tlb_stats.h>
#include <smp/xcall.h>

#include "tlb_internal.h"

/* Requests one CPU can have waiting: one per initiating CPU is the
 * steady state (each waits for its own), so 16 is rarely full; a full
 * queue only makes the initiator serve its own queue and retry. */
#define TLB_QUEUE_SLOTS	16
#define CACHE_LINE	64

struct tlb_queue {
	struct spinlock lock;
	unsigned int head, tail;	/* free-running; equal: empty */
	struct tlb_req *ring[TLB_QUEUE_SLOTS];
} __aligned(CACHE_LINE);

static struct tlb_queue queues[MAX_CPUS] = {
	[0 ... MAX_CPUS - 1] = { .lock = SPINLOCK_INIT("tlb_queue") },
};

/* Self-check tlb.bug=drop_coalesced: is @q non-empty right now? */
static bool queue_busy(struct tlb_queue *q)
{
	unsigned long flags = spin_lock_irqsave(&q->lock);
	bool busy = q->head != q->tail;

	spin_unlock_irqrestore(&q->lock, flags);
	return busy;
}

/* Returns false if @q is full; sets *was_empty otherwise. */
static bool queue_push(struct tlb_queue *q, struct tlb_req *r,
		       bool *was_empty)
{
	unsigned long flags = spin_lock_irqsave(&q->lock);
	bool ok = q->tail - q->head < TLB_QUEUE_SLOTS;

	if (ok) {
		*was_empty = q->head == q->tail;
		q->ring[q->tail++ % TLB_QUEUE_SLOTS] = r;
	}
	spin_unlock_irqrestore(&q->lock, flags);
	return ok;
}

/* Move everything queued into @out; returns how many. */
static unsigned int queue_take(struct tlb_queue *q, struct tlb_req **out)
{
	unsigned long flags = spin_lock_irqsave(&q->lock);
	unsigned int n = 0;

	while (q->head != q->tail)
		out[n++] = q->ring[q->head++ % TLB_QUEUE_SLOTS];
	spin_unlock_irqrestore(&q->lock, flags);
	return n;
}

/* Insertion sort by generation: at most TLB_QUEUE_SLOTS entries. */
static void sort_by_gen(struct tlb_req **r, unsigned int n)
{
	for (unsigned int i = 1; i < n; i++) {
		struct tlb_req *x = r[i];
		unsigned int j = i;

		for (; j > 0 && r[j - 1]->gen > x->gen; j--)
			r[j] = r[j - 1];
		r[j] = x;
	}
}

/* Drain this CPU's queue until it stays empty. Interrupts off. */
static void drain(void)
{
	struct tlb_queue *q = &queues[arch_cpu_id()];
	struct tlb_req *batch[TLB_QUEUE_SLOTS];
	unsigned int n;

	while ((n = queue_take(q, batch)) != 0) {
		sort_by_gen(batch, n);
		tlb_cpu_run_requests((const struct tlb_req *const *)batch, n);
		for (unsigned int i = 0; i < n; i++)
			if (!batch[i]->unload)
				ipi_stats_inc(IPI_STAT_TLB);
		/* Release: the flushes are complete (the mmu_tlb_* calls
		 * return after them) before the initiator frees anything. */
		for (unsigned int i = 0; i < n; i++)
			__atomic_fetch_sub(&batch[i]->pending, 1,
					   __ATOMIC_RELEASE);
	}
}

void tlb_handle_ipi(void)
{
	tlb_stat_add(TLB_STAT_IPI_RECV, 1);
	drain();
}

void tlb_poll(void)
{
	unsigned long irq = arch_irq_save();

	drain();
	arch_irq_restore(irq);
}

static void serve_own(void)
{
	tlb_poll();
	xcall_handle_ipi();
}

void tlb_queue_post(const struct cpuset *targets, struct tlb_req *r,
		    bool coalesce)
{
	unsigned int cpu;

	r->pending = cpuset_count(targets);
	/* Publish the request before any target can pop it. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	for_each_cpu_in(cpu, targets) {
		bool was_empty;

		if (tlb_bug_drop_coalesced && coalesce &&
		    queue_busy(&queues[cpu])) {
			__atomic_fetch_sub(&r->pending, 1, __ATOMIC_RELEASE);
			tlb_stat_add(TLB_STAT_COALESCED, 1);
			continue;
		}
		while (!queue_push(&queues[cpu], r, &was_empty)) {
			serve_own();
			arch_cpu_relax();
		}
		tlb_stat_add(TLB_STAT_QUEUED, 1);
		if (was_empty || !coalesce) {
			arch_ipi_send(&cpus[cpu], IPI_TLB);
			tlb_stat_add(TLB_STAT_IPI_SENT, 1);
		} else {
			tlb_stat_add(TLB_STAT_COALESCED, 1);
		}
	}
}

void tlb_queue_wait(struct tlb_req *r)
{
	while (__atomic_load_n(&r->pending, __ATOMIC_ACQUIRE) != 0) {
		serve_own();
		arch_cpu_relax();
	}
}
