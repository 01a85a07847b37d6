/*
 * The coherence layer's entry points for the single-threaded host
 * binaries (ktest-host*). The simulated CPUs there are switched by one
 * test that invalidates their TLBs itself (sim_tlb suites), so a
 * shootdown is the local flush alone, and a switch is the root switch
 * alone, under the tag the test put in pm->tlb.asid (flushed on every
 * switch, as the guest's untagged path does). ktest-host-smp links the
 * real smp/tlb*.c instead (tests/host/smp).
 */
#include <mm/mmu.h>
#include <mm/pmap.h>
#include <mm/tlb_batch.h>
#include <smp/tlb.h>

void tlb_shootdown(struct tlb_batch *b)
{
	tlb_batch_flush_local(b);
}

void tlb_space_init(struct tlb_space *sp, bool kernel)
{
	static uint64_t next_id = 1;

	sp->id = kernel ? 0 : next_id++;
	sp->gen = 0;
	sp->asid = 0;
}

unsigned int tlb_tag_here(const struct pmap *pm)
{
	return pm->kernel ? 0 : (unsigned int)pm->tlb.asid;
}

void tlb_space_fini(struct pmap *pm)
{
	(void)pm;
}

void tlb_switch_to(struct pmap *pm)
{
	if (pm->kernel)
		mmu_root_deactivate();
	else
		mmu_root_activate(pm->root_pa, tlb_tag_here(pm), true);
}

void tlb_switch_to_kernel_root(void)
{
	mmu_root_deactivate();
}

unsigned long tlb_ceiling(void)
{
	return 33;
}

const char *tlb_policy_name(void)
{
	return "host";
}

/* No self-check switches here: the sim suites break rules themselves. */
bool tlb_bug_early_free;
