/*
 * Per-CPU tags (x86 PCID style, and the untagged mode as its one-slot
 * case): a tag names a slot of one CPU, not an address space, so two CPUs
 * may run one space under different tags and nothing global is shared.
 * A space without a slot here takes the least recently used one and its
 * tag, which may still hold the evicted space's entries: it is loaded
 * with a flush (x86: CR3 bit 63 clear). No rollover, no IPIs.
 */
#include <kern/compiler.h>
#include <smp/asid.h>
#include <smp/tlb.h>
#include <smp/tlb_stats.h>

#include "asid_internal.h"

/* Slot i is tag first_tag + i: 1 with PCIDs (PCID 0 is the kernel
 * root's), 0 untagged. */
static unsigned int first_tag;

void asid_percpu_setup(unsigned int nslots, unsigned int first)
{
	first_tag = first;
	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++)
		asid_cpus[cpu].nslots = nslots;
}

void asid_percpu_activate(unsigned int cpu, struct tlb_space *sp,
			  struct asid_pick *out)
{
	struct asid_slot *s = asid_slot_find(cpu, sp->id);
	bool reused;

	if (s) {
		out->slot = s;
		return;
	}
	s = asid_slot_lru(cpu);
	reused = s->space != 0;
	s->space = sp->id;
	s->tag = first_tag + (unsigned int)(s - asid_cpus[cpu].slot);
	s->flushed_gen = 0;
	out->slot = s;
	out->flush_tag = true;
	if (asid_mode() == ASID_UNTAGGED)
		return;
	tlb_stat_add(TLB_STAT_ASID_ALLOC, 1);
	if (reused && asid_bug_no_evict_flush) {
		/* Self-check: pretend the evicted space's entries are ours. */
		out->flush_tag = false;
		s->flushed_gen = UINT64_MAX;
	}
}
