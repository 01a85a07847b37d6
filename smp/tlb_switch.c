/*
 * Which address space each CPU has loaded, how far it has flushed it, and
 * the flush decisions that depend on that: activation (with the lazy
 * catch-up), the receiving side of a request, and the initiator's own
 * bookkeeping. Both halves of the ordering pairing of <smp/tlb.h> are in
 * this file: tlb_gen_bump + tlb_targets, and publish_loaded + the
 * generation read in tlb_switch_to.
 *
 * No ASIDs yet: every user space is tagged 0, so loading a different
 * user root always flushes (mmu_root_activate with flush=true), and a CPU
 * that switched away holds nothing of the space it left.
 */
#include <kern/arch.h>
#include <kern/compiler.h>
#include <mm/mmu.h>
#include <mm/page.h>
#include <mm/pmap.h>
#include <mm/tlb_batch.h>
#include <smp/cpu.h>
#include <smp/tlb.h>
#include <smp/tlb_stats.h>

#include "tlb_internal.h"

#define TLB_LAZY	((uintptr_t)1)	/* low bit of tlb_cpu.state */
#define CACHE_LINE	64

struct tlb_cpu {
	/* (uintptr_t)user pmap whose root is loaded | TLB_LAZY, or 0 when
	 * only the kernel root is. Written by this CPU with interrupts off,
	 * read by initiators. */
	uintptr_t state;
	/* Generation of the loaded pmap this CPU's TLB is clean up to.
	 * Only this CPU reads or writes it, with interrupts off. */
	uint64_t flushed_gen __aligned(8);
} __aligned(CACHE_LINE);

static struct tlb_cpu tlb_cpus[MAX_CPUS];

static struct tlb_cpu *me(void)
{
	return &tlb_cpus[arch_cpu_id()];
}

static struct pmap *loaded_of(uintptr_t state)
{
	return (struct pmap *)(state & ~TLB_LAZY);
}

static void publish_loaded(struct tlb_cpu *c, uintptr_t state)
{
	__atomic_store_n(&c->state, state, __ATOMIC_RELAXED);
}

static uint64_t gen_of(const struct pmap *pm)
{
	return __atomic_load_n(&pm->tlb.gen, __ATOMIC_ACQUIRE);
}

uint64_t tlb_gen_bump(struct pmap *pm)
{
	return __atomic_add_fetch(&pm->tlb.gen, 1, __ATOMIC_SEQ_CST);
}

void tlb_targets(const struct pmap *pm, bool with_lazy, struct cpuset *out)
{
	unsigned int self = arch_cpu_id(), i, lazy = 0;
	struct cpuset online;

	cpuset_zero(out);
	/* Pairs with the fence in tlb_switch_to: the entry stores and the
	 * generation bump come before these loads. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	online = cpus_online;
	for_each_cpu_in(i, &online) {
		uintptr_t st;

		if (i == self)
			continue;
		if (pm->kernel) {
			cpuset_set(out, i);
			continue;
		}
		st = __atomic_load_n(&tlb_cpus[i].state, __ATOMIC_RELAXED);
		if (loaded_of(st) != pm)
			continue;
		if ((st & TLB_LAZY) && !with_lazy) {
			lazy++;
			continue;
		}
		cpuset_set(out, i);
	}
	if (lazy)
		tlb_stat_add(TLB_STAT_LAZY_SKIPPED, lazy);
}

/* Flush the whole of @pm here (the tag, or everything for the kernel). */
static void flush_space(const struct pmap *pm)
{
	if (pm->kernel) {
		mmu_tlb_flush_all_local();
		tlb_stat_add(TLB_STAT_FULL_FLUSH, 1);
	} else {
		mmu_tlb_flush_asid_local(pm->asid);
		tlb_stat_add(TLB_STAT_ASID_FLUSH, 1);
	}
}

void tlb_flush_for(const struct pmap *pm, const struct tlb_batch *b)
{
	if (!b || b->full || b->npages > tlb_ceiling()) {
		flush_space(pm);
		return;
	}
	for (unsigned int i = 0; i < b->nranges; i++) {
		const struct tlb_range *r = &b->ranges[i];

		for (vaddr_t va = r->start;; va += PAGE_SIZE) {
			mmu_tlb_flush_page_local(pm->asid, va);
			if (va == r->last)
				break;
		}
	}
	tlb_stat_add(TLB_STAT_PAGE_FLUSH, b->npages);
}

/* A CPU holding a dying space's root while it runs kernel code (lazy,
 * or tlb.lazy=0): load the kernel root. No thread of the space runs. */
static void run_unload(struct tlb_cpu *c, const struct tlb_req *r)
{
	if (loaded_of(c->state) != r->pm)
		return;
	mmu_root_deactivate();
	publish_loaded(c, 0);
	tlb_stat_add(TLB_STAT_UNLOADS, 1);
}

/*
 * The receiving side, Linux flush_tlb_func's three generations: a request
 * this CPU's flushed generation covers is skipped; the next one in order
 * may flush by VA; after a gap (an earlier request still in flight, or
 * missed while lazy) only a flush of the whole tag is safe, and it covers
 * everything up to the generation read before it.
 */
void tlb_cpu_run_request(const struct tlb_req *r)
{
	struct tlb_cpu *c = me();
	uint64_t now;

	tlb_stat_add(TLB_STAT_HANDLED, 1);
	if (r->unload) {
		run_unload(c, r);
		return;
	}
	if (r->pm->kernel) {
		tlb_flush_for(r->pm, r->batch);
		return;
	}
	/* Switched away since: the switch flushed (untagged roots). */
	if (loaded_of(c->state) != r->pm || r->gen <= c->flushed_gen) {
		tlb_stat_add(TLB_STAT_SKIPPED, 1);
		return;
	}
	if (r->gen == c->flushed_gen + 1 && r->batch) {
		tlb_flush_for(r->pm, r->batch);
		c->flushed_gen = r->gen;
		return;
	}
	now = gen_of(r->pm);
	flush_space(r->pm);
	c->flushed_gen = now;
}

void tlb_local_done(struct pmap *pm, uint64_t gen)
{
	unsigned long irq = arch_irq_save();
	struct tlb_cpu *c = me();

	if (!pm->kernel && loaded_of(c->state) == pm &&
	    c->flushed_gen + 1 == gen)
		c->flushed_gen = gen;
	arch_irq_restore(irq);
}

/* Load @pm's root (a different space from the one loaded): publish, fence,
 * read the generation, then switch, which flushes tag 0. */
static void activate(struct tlb_cpu *c, struct pmap *pm)
{
	publish_loaded(c, (uintptr_t)pm);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	c->flushed_gen = gen_of(pm);
	mmu_root_activate(pm->root_pa, pm->asid, true);
}

/* Back from lazy mode to the space still loaded: flush it if a change
 * went by while this CPU got no IPIs. */
static void catch_up(struct tlb_cpu *c, struct pmap *pm)
{
	uint64_t now;

	publish_loaded(c, (uintptr_t)pm);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	now = gen_of(pm);
	if (now == c->flushed_gen)
		return;
	mmu_tlb_flush_asid_local(pm->asid);
	c->flushed_gen = now;
	tlb_stat_add(TLB_STAT_CATCHUP, 1);
}

void tlb_switch_to_kernel_root(void)
{
	struct tlb_cpu *c = me();

	if (!c->state)
		return;
	mmu_root_deactivate();
	publish_loaded(c, 0);
}

/* Kernel code only from now on: keep the user root (no CR3/TTBR0 write,
 * no flush), lazily unless tlb.lazy=0. */
static void enter_kernel_mode(struct tlb_cpu *c)
{
	if (c->state && !(c->state & TLB_LAZY) && tlb_lazy_enabled)
		publish_loaded(c, c->state | TLB_LAZY);
}

void tlb_switch_to(struct pmap *pm)
{
	struct tlb_cpu *c = me();

	if (pm->kernel)
		enter_kernel_mode(c);
	else if (loaded_of(c->state) != pm)
		activate(c, pm);
	else if (c->state & TLB_LAZY)
		catch_up(c, pm);
}

/* The other online CPUs with @pm loaded at all (lazy or not). */
static void cpus_holding(const struct pmap *pm, struct cpuset *out)
{
	unsigned int self = arch_cpu_id(), i;
	struct cpuset online = cpus_online;

	cpuset_zero(out);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for_each_cpu_in(i, &online)
		if (i != self && loaded_of(__atomic_load_n(&tlb_cpus[i].state,
						       __ATOMIC_RELAXED)) == pm)
			cpuset_set(out, i);
}

void tlb_space_fini(struct pmap *pm)
{
	struct tlb_req req = { .pm = pm, .unload = true };
	struct cpuset holders;
	unsigned long irq = arch_irq_save();

	if (loaded_of(me()->state) == pm)
		tlb_switch_to_kernel_root();
	arch_irq_restore(irq);
	cpus_holding(pm, &holders);
	if (cpuset_empty(&holders))
		return;
	tlb_queue_post(&holders, &req, true);
	tlb_queue_wait(&req);
}
