/*
 * The remote half of every TLB batch: tlb_batch_flush_remote, declared in
 * mm/ and defined only here (every kernel is built with SMP).
 *
 * tlb=naive: the initiator has already flushed locally; it cross-calls
 * every other CPU that has the address space loaded (every other online
 * CPU for the kernel pmap) and waits until each has flushed. Targets
 * flush the whole ASID, or everything for the kernel pmap (its entries
 * are global and survive a by-ASID flush).
 *
 * A CPU that switched to another address space needs nothing: loading a
 * user root flushes the one ASID every user pmap shares (pmap_activate),
 * and x86 without PCIDs flushes on every root switch anyway, so it holds
 * no entry of this one by the time it runs user code again; in between it
 * runs only kernel code, which touches no user address.
 */
#include <kern/cmdline.h>
#include <kern/printk.h>
#include <kern/string.h>
#include <mm/mmu.h>
#include <mm/pmap.h>
#include <mm/tlb_batch.h>
#include <smp/cpu.h>
#include <smp/ipi_stats.h>
#include <smp/shootdown.h>
#include <smp/xcall.h>

CMDLINE_PARAM(tlb_policy, "tlb",
	      "remote TLB invalidation: naive (default) | none (tests only)");

enum tlb_policy {
	TLB_POLICY_NAIVE,
	TLB_POLICY_NONE,
};

static enum tlb_policy policy = TLB_POLICY_NAIVE;
static struct shootdown_stats stats[MAX_CPUS];

void shootdown_init(void)
{
	const char *p = cmdline_get("tlb");

	if (!p || !strcmp(p, "naive"))
		policy = TLB_POLICY_NAIVE;
	else if (!strcmp(p, "none"))
		policy = TLB_POLICY_NONE;
	else
		printk("cmdline: tlb=%s is not a policy (naive, none); "
		       "using naive\n", p);
	if (policy == TLB_POLICY_NONE)
		printk("tlb: policy none: NO remote invalidation; stale "
		       "translations will survive (tests only)\n");
	else
		printk("tlb: policy naive: cross-call the other CPUs running "
		       "the address space, full flush, wait\n");
}

void shootdown_stats(unsigned int cpu, struct shootdown_stats *out)
{
	*out = stats[cpu % MAX_CPUS];
}

static void flush_for_remote(void *arg)
{
	const struct tlb_batch *b = arg;

	if (b->pmap->kernel)
		mmu_tlb_flush_all_local();
	else
		mmu_tlb_flush_asid_local(b->pmap->asid);
	stats[this_cpu()->id].flushes++;
	ipi_stats_inc(IPI_STAT_TLB);
}

/*
 * The other online CPUs that have @pm loaded (sched_cpu.pmap). The fence
 * pairs with the scheduler's (load_pmap): the caller's page-table stores
 * come before these loads, so a CPU this misses walks the new tables.
 */
static void cpus_running(const struct pmap *pm, unsigned int self,
			 struct cpuset *out)
{
	unsigned int i;

	cpuset_zero(out);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for_each_cpu_in(i, &cpus_online)
		if (i != self && (pm->kernel ||
		    __atomic_load_n(&cpus[i].sched.pmap, __ATOMIC_RELAXED) ==
		    pm))
			cpuset_set(out, i);
}

/*
 * Locking: may run with the pmap lock held (break-before-make), so every
 * CPU must take pmap locks with interrupts enabled: a CPU spinning on one
 * with interrupts off could not answer, and this would wait forever.
 * TLB: flushes on every other CPU running the batch's address space (all
 * for the kernel's) and waits for all of them.
 */
void tlb_batch_flush_remote(const struct tlb_batch *b)
{
	struct cpuset targets;
	unsigned int self = this_cpu()->id;

	cpus_running(b->pmap, self, &targets);
	if (policy == TLB_POLICY_NONE || cpuset_empty(&targets))
		return;
	stats[self].requests++;
	stats[self].ipis += cpuset_count(&targets);
	/* The batch outlives the call: xcall_run waits for every target. */
	xcall_run(&targets, flush_for_remote, (void *)b);
}
