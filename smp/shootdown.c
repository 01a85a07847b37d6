/*
 * The remote half of every TLB batch (the strong definition of
 * tlb_batch_flush_remote; mm/ has a weak one for kernels without SMP).
 *
 * tlb=naive: the initiator has already flushed locally; it cross-calls
 * every other online CPU and waits until each has flushed. Targets flush
 * the whole ASID, or everything for the kernel pmap (its entries are
 * global and survive a by-ASID flush). No pmap tracks where it runs yet,
 * so every online CPU is a target: a superset, hence correct.
 */
#include <kern/cmdline.h>
#include <kern/printk.h>
#include <kern/string.h>
#include <mm/mmu.h>
#include <mm/pmap.h>
#include <mm/tlb_batch.h>
#include <smp/cpu.h>
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
		printk("tlb: policy naive: cross-call every other CPU, full "
		       "flush, wait\n");
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
}

/*
 * Locking: may run with the pmap lock held (break-before-make), so every
 * CPU must take pmap locks with interrupts enabled: a CPU spinning on one
 * with interrupts off could not answer, and this would wait forever.
 * TLB: flushes on every other online CPU and waits for all of them.
 */
void tlb_batch_flush_remote(const struct tlb_batch *b)
{
	struct cpuset targets = cpus_online;
	unsigned int self = this_cpu()->id;

	cpuset_clear(&targets, self);
	if (policy == TLB_POLICY_NONE || cpuset_empty(&targets))
		return;
	stats[self].requests++;
	stats[self].ipis += cpuset_count(&targets);
	/* The batch outlives the call: xcall_run waits for every target. */
	xcall_run(&targets, flush_for_remote, (void *)b);
}
