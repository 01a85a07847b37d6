/*
 * Which address space each CPU has loaded, how far it has flushed it, and
 * the flush decisions that depend on that: activation (with the lazy
 * catch-up), the receiving side of a request, and the initiator's own
 * bookkeeping. Both halves of the ordering pairing of <smp/tlb.h> are in
 * this file: tlb_gen_bump + tlb_targets, and publish_loaded + the
 * generation read in tlb_switch_to.
 *
 * Tags come from <smp/asid.h>: a CPU may still hold entries of a space it
 * switched away from (under that space's tag), and its slot for the space
 * records the generation they are clean up to; activating the space again
 * flushes the tag only if the slot is behind (or new). Untagged CPUs have
 * one slot, so every switch to another space flushes, as before ASIDs.
 */
#include <kern/arch.h>
#include <kern/compiler.h>
#include <mm/mmu.h>
#include <mm/page.h>
#include <mm/pmap.h>
#include <mm/tlb_batch.h>
#include <smp/asid.h>
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
	/* The loaded pmap's ASID slot: its tag, and the generation this
	 * CPU's TLB is clean up to. Only this CPU reads or writes it, with
	 * interrupts off; valid while state names a pmap. */
	struct asid_slot *slot;
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

/* Release, and initiators read it with acquire: besides the seq_cst
 * fences of the pairing (<smp/tlb.h>), this orders the accesses a CPU
 * made through a space before an initiator that sees it gone frees the
 * frames (free on arm64's stlr/ldar, and what TSan, blind to fences,
 * can check in the host simulation). */
static void publish_loaded(struct tlb_cpu *c, uintptr_t state)
{
	__atomic_store_n(&c->state, state, __ATOMIC_RELEASE);
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
		st = __atomic_load_n(&tlb_cpus[i].state, __ATOMIC_ACQUIRE);
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

bool tlb_loaded_here(const struct pmap *pm)
{
	return loaded_of(me()->state) == pm;
}

unsigned int tlb_tag_here(const struct pmap *pm)
{
	struct tlb_cpu *c = me();

	if (pm->kernel)
		return 0;
	if (loaded_of(c->state) == pm)
		return c->slot->tag;
	return asid_tag_here(arch_cpu_id(), &pm->tlb);
}

/* Flush the whole of @pm here (the tag, or everything for the kernel). */
static void flush_space(const struct pmap *pm)
{
	if (pm->kernel) {
		mmu_tlb_flush_all_local();
		tlb_stat_add(TLB_STAT_FULL_FLUSH, 1);
	} else {
		mmu_tlb_flush_asid_local(tlb_tag_here(pm));
		tlb_stat_add(TLB_STAT_ASID_FLUSH, 1);
	}
}

void tlb_flush_for(const struct pmap *pm, const struct tlb_batch *b)
{
	unsigned int tag;

	if (!b || b->full || b->npages > tlb_ceiling()) {
		flush_space(pm);
		return;
	}
	tag = tlb_tag_here(pm);
	tlb_batch_each_page(b, tag, mmu_tlb_flush_page_local);
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
	/* Switched away since: its slot stays behind, so the next
	 * activation of the space here flushes the tag. */
	if (loaded_of(c->state) != r->pm || r->gen <= c->slot->flushed_gen) {
		tlb_stat_add(TLB_STAT_SKIPPED, 1);
		return;
	}
	if (r->gen == c->slot->flushed_gen + 1 && r->batch) {
		tlb_flush_for(r->pm, r->batch);
		c->slot->flushed_gen = r->gen;
		return;
	}
	now = gen_of(r->pm);
	flush_space(r->pm);
	c->slot->flushed_gen = now;
}

/*
 * Do the requests for @pm among @r[0..n) that this CPU's slot does not
 * cover add up to more than tlb.ceiling pages, over more than one request?
 * (A single full or above-ceiling request flushes the tag by itself.)
 */
static bool together_above_ceiling(const struct tlb_cpu *c,
				   const struct pmap *pm,
				   const struct tlb_req *const *r, unsigned int n)
{
	unsigned long pages = 0;
	unsigned int count = 0;

	for (unsigned int i = 0; i < n; i++) {
		if (r[i]->pm != pm || r[i]->unload ||
		    r[i]->gen <= c->slot->flushed_gen)
			continue;
		if (!r[i]->batch || r[i]->batch->full)
			return false;
		pages += r[i]->batch->npages;
		count++;
	}
	return count > 1 && pages > tlb_ceiling();
}

void tlb_cpu_run_requests(const struct tlb_req *const *r, unsigned int n)
{
	struct tlb_cpu *c = me();

	for (unsigned int i = 0; i < n; i++) {
		const struct pmap *pm = r[i]->pm;

		/* Several initiators' ranges for the space this CPU runs,
		 * queued together, merge: above the ceiling, one flush of
		 * the tag covers them all, and each request then finds its
		 * generation covered. */
		if (!r[i]->unload && !pm->kernel && loaded_of(c->state) == pm &&
		    together_above_ceiling(c, pm, r + i, n - i)) {
			uint64_t now = gen_of(pm);

			flush_space(pm);
			c->slot->flushed_gen = now;
			tlb_stat_add(TLB_STAT_MERGED, 1);
		}
		tlb_cpu_run_request(r[i]);
	}
}

void tlb_local_done(struct pmap *pm, uint64_t gen)
{
	unsigned long irq = arch_irq_save();
	struct tlb_cpu *c = me();

	if (!pm->kernel && loaded_of(c->state) == pm &&
	    c->slot->flushed_gen + 1 == gen)
		c->slot->flushed_gen = gen;
	arch_irq_restore(irq);
}

/*
 * Load @pm's root (a different space from the one loaded): publish, fence,
 * read the generation, choose the tag, then switch, flushing the tag if
 * this CPU's slot for @pm is new or behind the generation read.
 */
static void activate(struct tlb_cpu *c, struct pmap *pm)
{
	struct asid_pick pick;
	uint64_t now;
	bool behind, flush;

	publish_loaded(c, (uintptr_t)pm);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	now = gen_of(pm);
	asid_activate(arch_cpu_id(), &pm->tlb, &pick);
	if (pick.flush_all) {
		/* A rollover: no tag of the new generation is loaded before
		 * every entry of the old one is gone from this CPU. */
		mmu_tlb_flush_all_local();
		tlb_stat_add(TLB_STAT_FULL_FLUSH, 1);
	}
	behind = pick.slot->flushed_gen < now;
	if (behind && !pick.flush_tag) {
		if (tlb_bug_skip_catchup)
			behind = false;		/* self-check only */
		else
			tlb_stat_add(TLB_STAT_CATCHUP, 1);
	}
	flush = pick.flush_tag || behind;
	pick.slot->flushed_gen = now;
	c->slot = pick.slot;
	mmu_root_activate(pm->root_pa, pick.slot->tag,
			  flush || asid_mode() == ASID_UNTAGGED);
}

/* Back from lazy mode to the space still loaded: flush it if a change
 * went by while this CPU got no IPIs. */
static void catch_up(struct tlb_cpu *c, struct pmap *pm)
{
	uint64_t now;

	publish_loaded(c, (uintptr_t)pm);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	now = gen_of(pm);
	if (now == c->slot->flushed_gen || tlb_bug_skip_catchup)
		return;
	mmu_tlb_flush_asid_local(c->slot->tag);
	c->slot->flushed_gen = now;
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
						       __ATOMIC_ACQUIRE)) == pm)
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
