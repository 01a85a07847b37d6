/*
 * Suite tlb: the coherence layer's protocol, asserted through its exact
 * counters (smp/tlb_stats.c). Other CPUs load a user pmap from their IPI
 * handlers (pmap_activate / tlb_switch_to run there as in a switch), the
 * boot CPU changes it, and each CPU's counters say who was asked, who
 * flushed what, who was skipped as lazy and who caught up.
 *
 * Cases branch on the policy in force (tlb=), so the same suite runs under
 * each; the harness runs it under batched, naive, broadcast and tlb.lazy=0.
 */
#include <kern/arch.h>
#include <kern/string.h>
#include <ktest/ktest.h>
#include <ktest/ktest_smp.h>
#include <mm/mmu.h>
#include <mm/page.h>
#include <mm/pmap.h>
#include <mm/pmm.h>
#include <mm/tlb_batch.h>
#include <smp/cpu.h>
#include <smp/tlb.h>
#include <smp/tlb_stats.h>
#include <smp/xcall.h>

#define UVA		((vaddr_t)0x20000000)	/* in a pmap of its own */
#define NPAGES		64	/* above the default ceiling of 33 */
#define FEW		8	/* below it */
#define PROT_RW		(VM_READ | VM_WRITE)
#define MARK_A		0x0a0a0a0au
#define MARK_B		0x0b0b0b0bu
#define CONCURRENT_ROUNDS 100
#define KVA		(MMU_KMAP_BASE + 2 * PAGE_SIZE)	/* test page 2 */

static bool policy_is(const char *name)
{
	return !strcmp(tlb_policy_name(), name);
}

static uint64_t stat(unsigned int cpu, enum tlb_stat k)
{
	return tlb_stat_get(cpu, k);
}

/* Snapshot of one counter on every CPU. */
static void snap(uint64_t *out, enum tlb_stat k)
{
	unsigned int cpu;

	for_each_cpu_in(cpu, &cpus_online)
		out[cpu] = stat(cpu, k);
}

/* Other CPUs whose counter @k moved by exactly @delta since @before. */
static unsigned int others_moved_by(const uint64_t *before, enum tlb_stat k,
				    uint64_t delta)
{
	unsigned int cpu, n = 0;

	for_each_cpu_in(cpu, &cpus_online)
		n += cpu != this_cpu()->id && stat(cpu, k) - before[cpu] == delta;
	return n;
}

static uint32_t seen[MAX_CPUS];

/* Read UVA through this CPU's TLB (the user half is readable from the
 * kernel: no SMAP/PAN yet). */
static void read_uva(void *arg)
{
	(void)arg;
	seen[this_cpu()->id] = *(volatile uint32_t *)UVA;
}

static unsigned int others_seeing(uint32_t want)
{
	unsigned int cpu, n = 0;

	for_each_cpu_in(cpu, &cpus_online)
		n += cpu != this_cpu()->id && seen[cpu] == want;
	return n;
}

static void load_pmap(void *arg)
{
	pmap_activate(arg);
}

static void load_kernel_root(void *arg)
{
	(void)arg;
	pmap_activate(pmap_kernel());
}

/* As the scheduler does when a CPU goes idle: lazy mode (tlb.lazy=1). */
static void go_idle(void *arg)
{
	(void)arg;
	tlb_switch_to(pmap_kernel());
}

/* As the scheduler does when the CPU's next thread is of @arg again. */
static void come_back(void *arg)
{
	tlb_switch_to(arg);
}

/* A user pmap with @n pages at UVA, all mapping @frame. */
static struct pmap *pmap_with(struct page *frame, unsigned int n)
{
	struct pmap *pm = pmap_create();

	if (!pm)
		return NULL;
	for (unsigned int i = 0; i < n; i++)
		if (pmap_enter(pm, UVA + i * PAGE_SIZE, page_to_phys(frame),
			       PROT_RW, NULL)) {
			pmap_destroy(pm);
			return NULL;
		}
	return pm;
}

static void remove_pages(struct pmap *pm, vaddr_t va, unsigned int n)
{
	struct tlb_batch b;

	tlb_batch_begin(&b, pm);
	pmap_remove(pm, va, (size_t)n * PAGE_SIZE, &b);
	tlb_batch_end(&b);
}

/* IPIs the boot CPU must send for one change seen by @others CPUs. */
static uint64_t ipis_expected(unsigned int others)
{
	if (policy_is("broadcast") || policy_is("none"))
		return 0;
	return others;
}

/*
 * A munmap of 64 pages that 3 other CPUs have loaded costs one IPI per
 * other CPU (batched: one request each, flushed as one whole-tag flush
 * above the ceiling; naive: one cross-call each), none under broadcast.
 */
static void one_ipi_per_cpu(struct ktest *t)
{
	static uint64_t sent0[MAX_CPUS], handled0[MAX_CPUS], asid0[MAX_CPUS],
		page0[MAX_CPUS];
	unsigned int self = this_cpu()->id;
	unsigned int others = cpuset_count(&cpus_online) - 1;
	unsigned long before = pmm_free_count();
	struct page *frame = pmm_alloc(0, PMM_ZERO);
	struct pmap *pm;

	KASSERT_NOT_NULL(t, frame);
	pm = pmap_with(frame, NPAGES + FEW);
	KASSERT_NOT_NULL(t, pm);
	ktest_run_on_others(load_pmap, pm);

	snap(sent0, TLB_STAT_IPI_SENT);
	snap(handled0, TLB_STAT_HANDLED);
	snap(asid0, TLB_STAT_ASID_FLUSH);
	snap(page0, TLB_STAT_PAGE_FLUSH);
	remove_pages(pm, UVA, NPAGES);
	KEXPECT_EQ(t, stat(self, TLB_STAT_IPI_SENT) - sent0[self],
		   ipis_expected(others));
	if (policy_is("batched") || policy_is("naive"))
		KEXPECT_EQ(t, others_moved_by(handled0, TLB_STAT_HANDLED, 1),
			   others);
	/* Naive always flushes the whole tag; batched above the ceiling. */
	if (policy_is("naive") ||
	    (policy_is("batched") && NPAGES > tlb_ceiling()))
		KEXPECT_EQ(t, others_moved_by(asid0, TLB_STAT_ASID_FLUSH, 1),
			   others);
	else if (policy_is("batched"))
		KEXPECT_EQ(t, others_moved_by(page0, TLB_STAT_PAGE_FLUSH,
					      NPAGES), others);

	/* Below the ceiling, batched flushes by VA: FEW pages each. */
	snap(page0, TLB_STAT_PAGE_FLUSH);
	snap(asid0, TLB_STAT_ASID_FLUSH);
	snap(sent0, TLB_STAT_IPI_SENT);
	remove_pages(pm, UVA + NPAGES * PAGE_SIZE, FEW);
	KEXPECT_EQ(t, stat(self, TLB_STAT_IPI_SENT) - sent0[self],
		   ipis_expected(others));
	if (policy_is("batched") && FEW <= tlb_ceiling())
		KEXPECT_EQ(t, others_moved_by(page0, TLB_STAT_PAGE_FLUSH, FEW),
			   others);
	else if (policy_is("batched"))
		KEXPECT_EQ(t, others_moved_by(asid0, TLB_STAT_ASID_FLUSH, 1),
			   others);

	ktest_run_on_others(load_kernel_root, NULL);
	pmap_destroy(pm);
	pmm_free(frame, 0);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/*
 * A CPU that went idle on a space gets no IPI for a change that frees no
 * table (tlb.lazy=1) and catches up when it comes back; with tlb.lazy=0
 * it is asked like a running CPU and has nothing to catch up. Freeing a
 * table reaches it either way.
 */
static void lazy_cpu(struct ktest *t)
{
	static uint64_t handled0[MAX_CPUS], catchup0[MAX_CPUS];
	unsigned int self = this_cpu()->id;
	unsigned int others = cpuset_count(&cpus_online) - 1;
	unsigned long before = pmm_free_count();
	struct page *frame;
	struct pmap *pm;
	uint64_t lazy0;

	if (!policy_is("batched")) {
		ktest_skip(t, "lazy skipping is the batched policy's");
		return;
	}
	frame = pmm_alloc(0, PMM_ZERO);
	KASSERT_NOT_NULL(t, frame);
	pm = pmap_with(frame, 2);	/* two pages in one last-level table */
	KASSERT_NOT_NULL(t, pm);
	ktest_run_on_others(load_pmap, pm);
	ktest_run_on_others(go_idle, NULL);

	snap(handled0, TLB_STAT_HANDLED);
	lazy0 = stat(self, TLB_STAT_LAZY_SKIPPED);
	remove_pages(pm, UVA, 1);	/* the table stays */
	if (tlb_lazy()) {
		KEXPECT_EQ(t, stat(self, TLB_STAT_LAZY_SKIPPED) - lazy0, others);
		KEXPECT_EQ(t, others_moved_by(handled0, TLB_STAT_HANDLED, 0),
			   others);
	} else {
		KEXPECT_EQ(t, stat(self, TLB_STAT_LAZY_SKIPPED) - lazy0, 0);
		KEXPECT_EQ(t, others_moved_by(handled0, TLB_STAT_HANDLED, 1),
			   others);
	}

	/* Back on the space: one catch-up flush each with lazy on. */
	snap(catchup0, TLB_STAT_CATCHUP);
	ktest_run_on_others(come_back, pm);
	KEXPECT_EQ(t, others_moved_by(catchup0, TLB_STAT_CATCHUP,
				      tlb_lazy() ? 1 : 0), others);

	/* Idle again; now the last page goes and its table is freed. */
	ktest_run_on_others(go_idle, NULL);
	snap(handled0, TLB_STAT_HANDLED);
	remove_pages(pm, UVA + PAGE_SIZE, 1);
	KEXPECT_EQ(t, others_moved_by(handled0, TLB_STAT_HANDLED, 1), others);

	ktest_run_on_others(load_kernel_root, NULL);
	pmap_destroy(pm);
	pmm_free(frame, 0);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/*
 * The catch-up is what keeps a lazy CPU correct: it cached UVA -> A, went
 * idle, missed the remap to B (no IPI), and must read B once back. With
 * tlb.bug=skip_catchup it reads A (the *-selfcheck-tlbcatchup targets).
 */
static void lazy_catch_up_reads_new_frame(struct ktest *t)
{
	unsigned int others = cpuset_count(&cpus_online) - 1;
	unsigned long before = pmm_free_count();
	struct tlb_batch batch;
	struct page *a, *b;
	struct pmap *pm;

	if (!policy_is("batched") || !tlb_lazy()) {
		ktest_skip(t, "needs tlb=batched with tlb.lazy=1");
		return;
	}
	a = ktest_frame_with(MARK_A);
	b = ktest_frame_with(MARK_B);
	KASSERT_NOT_NULL(t, a);
	KASSERT_NOT_NULL(t, b);
	pm = pmap_with(a, 2);	/* the second page keeps the table */
	KASSERT_NOT_NULL(t, pm);
	ktest_run_on_others(load_pmap, pm);
	ktest_run_on_others(read_uva, NULL);
	KEXPECT_EQ(t, others_seeing(MARK_A), others);	/* cached */
	ktest_run_on_others(go_idle, NULL);
	tlb_batch_begin(&batch, pm);
	KASSERT_EQ(t, pmap_enter(pm, UVA, page_to_phys(b), PROT_RW, &batch), 0);
	tlb_batch_end(&batch);
	ktest_run_on_others(come_back, pm);
	ktest_run_on_others(read_uva, NULL);
	KEXPECT_EQ(t, others_seeing(MARK_B), others);
	if (others_seeing(MARK_A))
		ktest_diag(t, "%u CPU(s) back from lazy mode read the old frame",
			   others_seeing(MARK_A));
	ktest_run_on_others(load_kernel_root, NULL);
	pmap_destroy(pm);
	pmm_free(a, 0);
	pmm_free(b, 0);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/*
 * Destroying a space that other CPUs keep loaded lazily makes each drop
 * it (one unload each) before its tables are freed.
 */
static void destroy_unloads_lazy(struct ktest *t)
{
	static uint64_t unload0[MAX_CPUS];
	unsigned int others = cpuset_count(&cpus_online) - 1;
	unsigned long before = pmm_free_count();
	struct page *frame = pmm_alloc(0, PMM_ZERO);
	struct pmap *pm;

	KASSERT_NOT_NULL(t, frame);
	pm = pmap_with(frame, 1);
	KASSERT_NOT_NULL(t, pm);
	ktest_run_on_others(load_pmap, pm);
	ktest_run_on_others(go_idle, NULL);
	snap(unload0, TLB_STAT_UNLOADS);
	pmap_destroy(pm);
	KEXPECT_EQ(t, others_moved_by(unload0, TLB_STAT_UNLOADS, 1), others);
	pmm_free(frame, 0);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* Every CPU shoots at every other at once, from its IPI handler. */
static void shoot_many(void *arg)
{
	(void)arg;
	for (unsigned int i = 0; i < CONCURRENT_ROUNDS; i++) {
		struct tlb_batch b;

		tlb_batch_begin(&b, pmap_kernel());
		tlb_batch_add(&b, KVA, PAGE_SIZE);
		tlb_batch_end(&b);
	}
}

static void concurrent_initiators(struct ktest *t)
{
	static uint64_t rounds0[MAX_CPUS], coal0[MAX_CPUS], sent0[MAX_CPUS];
	uint64_t coalesced = 0, sent = 0;
	unsigned int cpu, done = 0;

	snap(rounds0, TLB_STAT_SHOOTDOWNS);
	snap(coal0, TLB_STAT_COALESCED);
	snap(sent0, TLB_STAT_IPI_SENT);
	KASSERT_EQ(t, xcall_run(&cpus_online, shoot_many, NULL), 0);
	for_each_cpu_in(cpu, &cpus_online) {
		done += stat(cpu, TLB_STAT_SHOOTDOWNS) - rounds0[cpu] >=
			CONCURRENT_ROUNDS;
		coalesced += stat(cpu, TLB_STAT_COALESCED) - coal0[cpu];
		sent += stat(cpu, TLB_STAT_IPI_SENT) - sent0[cpu];
	}
	/* Reaching here is the no-deadlock proof; the counters say all
	 * rounds ran, and that queues were found non-empty. */
	KEXPECT_EQ(t, done, cpuset_count(&cpus_online));
	ktest_diag(t, "%llu IPIs sent, %llu requests coalesced",
		   (unsigned long long)sent, (unsigned long long)coalesced);
	/* Coalescing needs two initiators posting to one queue: each waits
	 * for its own request, so with one other CPU a queue holds one. */
	if (policy_is("batched") && cpuset_count(&cpus_online) >= 3)
		KEXPECT_GT(t, coalesced, 0);
}

KTEST_SUITE_SKIP_IF(tlb, ktest_skip_unless_pmap_smp,
		    KTEST_CASE(one_ipi_per_cpu),
		    KTEST_CASE(lazy_cpu),
		    KTEST_CASE(lazy_catch_up_reads_new_frame),
		    KTEST_CASE(destroy_unloads_lazy),
		    KTEST_CASE(concurrent_initiators));
