/*
 * The ASID layer's front (see <smp/asid.h>): the mode chosen at boot, the
 * per-CPU slot tables both allocators keep their records in, and the
 * dispatch to the allocator in force.
 */
#include <kern/compiler.h>
#include <smp/asid.h>
#include <smp/cpuset.h>
#include <smp/tlb.h>
#include <smp/tlb_stats.h>

#include "asid_internal.h"

struct asid_cpu asid_cpus[MAX_CPUS];

static enum asid_mode mode = ASID_UNTAGGED;
static unsigned int width;

bool asid_bug_no_rollover_flush;
bool asid_bug_no_evict_flush;

/* Smallest width whose 2^bits - 1 usable tags (0 is never handed out)
 * cover one reserved tag per CPU and one free: see asid_global.c. */
static unsigned int global_min_bits(unsigned int ncpus)
{
	unsigned int bits = 1;

	while ((1UL << bits) < (unsigned long)ncpus + 2)
		bits++;
	return bits;
}

unsigned int asid_setup(enum asid_mode m, unsigned int bits,
			unsigned int ncpus, const char **why)
{
	unsigned int need;

	*why = NULL;
	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++)
		asid_cpus[cpu] = (struct asid_cpu){ 0 };
	mode = m;
	switch (m) {
	case ASID_UNTAGGED:
		width = 0;
		asid_percpu_setup(1, 0);
		break;
	case ASID_PER_CPU:
		/* Tag 0 stays the kernel root's (x86: PCID 0). */
		width = bits;
		asid_percpu_setup(MIN(ASID_SLOTS, (1u << bits) - 1), 1);
		break;
	case ASID_GLOBAL:
		need = global_min_bits(ncpus);
		if (bits < need) {
			*why = "too few tags for one reserved tag per CPU "
			       "and one free (2^bits >= CPUs + 2)";
			bits = need;
		}
		width = bits;
		asid_global_setup(bits, ncpus);
		break;
	}
	return width;
}

enum asid_mode asid_mode(void)
{
	return mode;
}

const char *asid_mode_name(void)
{
	static const char *const names[] = {
		[ASID_UNTAGGED] = "untagged",
		[ASID_PER_CPU] = "per-CPU",
		[ASID_GLOBAL] = "global",
	};

	return names[mode];
}

unsigned int asid_bits(void)
{
	return width;
}

void asid_activate(unsigned int cpu, struct tlb_space *sp,
		   struct asid_pick *out)
{
	*out = (struct asid_pick){ 0 };
	if (mode == ASID_GLOBAL)
		asid_global_activate(cpu, sp, out);
	else
		asid_percpu_activate(cpu, sp, out);
	out->slot->used = ++asid_cpus[cpu].clock;
}

unsigned int asid_tag_here(unsigned int cpu, const struct tlb_space *sp)
{
	const struct asid_slot *s;

	if (mode == ASID_GLOBAL)
		return asid_global_tag(sp);
	s = asid_slot_find(cpu, sp->id);
	return s ? s->tag : 0;
}

/* --- Slot tables (both allocators) ----------------------------------- */

struct asid_slot *asid_slot_find(unsigned int cpu, uint64_t space)
{
	struct asid_cpu *c = &asid_cpus[cpu];

	for (unsigned int i = 0; i < c->nslots; i++)
		if (c->slot[i].space == space)
			return &c->slot[i];
	return NULL;
}

struct asid_slot *asid_slot_lru(unsigned int cpu)
{
	struct asid_cpu *c = &asid_cpus[cpu];
	struct asid_slot *best = &c->slot[0];

	for (unsigned int i = 0; i < c->nslots; i++) {
		struct asid_slot *s = &c->slot[i];

		if (!s->space)
			return s;
		/* Unsigned distance from now: wraps correctly. */
		if (c->clock - s->used > c->clock - best->used)
			best = s;
	}
	if (mode != ASID_UNTAGGED)
		tlb_stat_add(TLB_STAT_SLOT_EVICT, 1);
	return best;
}

void asid_slots_clear(unsigned int cpu)
{
	struct asid_cpu *c = &asid_cpus[cpu];

	for (unsigned int i = 0; i < c->nslots; i++)
		c->slot[i].space = 0;
}
