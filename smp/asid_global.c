/*
 * Global tags (arm64 style): a tag names one address space on every CPU,
 * which a broadcast TLBI by ASID needs. Each space's id word holds
 * generation | tag, the generation counting in units of 2^bits, so an id
 * is current when its bits above the tag equal the allocator's.
 *
 * Tags come from a bitmap. When it is full the generation rolls over:
 * the bitmap is cleared except for the tag each CPU runs now (taken from
 * its active word, or, if a previous rollover already took that, from
 * its reserved word), and every CPU is marked flush-pending. A CPU loads
 * no tag of the new generation before it flushed its whole TLB, so the
 * entries of a tag handed to a new space died everywhere first, and no
 * IPI is needed. A space running at the rollover keeps its tag (its
 * reservation), so a CPU running it need not stop.
 *
 * Fast path, without the lock: the space's id is current and the CPU's
 * active word is non-zero (no rollover since its last switch); a
 * compare-and-swap installs the id, so a rollover racing with it either
 * sees the new id (and reserves it) or makes the swap fail (slow path).
 *
 * Either of two flushes keeps a tag handed to a new space clean: the
 * rollover's (every CPU, before its first tag of the new generation) and
 * the fresh slot's (a CPU's first load of a space under a tag it has no
 * record of flushes that tag). The second alone would do; the first is
 * arm64's rule and keeps a CPU from carrying a whole generation's entries.
 * tlb.bug=no_rollover_flush (sim.bug on the host) skips both.
 *
 * Tags are not released when a space dies: its tag is reclaimed by the
 * next rollover, as on Linux arm64. The width rule of asid_setup (2^bits
 * >= CPUs + 2) guarantees a free tag after a rollover.
 */
#include <kern/compiler.h>
#include <kern/spinlock.h>
#include <smp/asid.h>
#include <smp/tlb.h>
#include <smp/tlb_stats.h>

#include "asid_internal.h"

#define MAX_TAGS	(1u << 16)
#define WORD_BITS	64

static struct spinlock lock = SPINLOCK_INIT("asid_global");
static unsigned int bits;
static unsigned int nr_cpus;
static uint64_t generation __aligned(8);	/* atomic; a multiple of 2^bits */
static uint64_t map[MAX_TAGS / WORD_BITS];	/* under lock */
static unsigned int next_tag;			/* under lock */

static uint64_t tag_mask(void)
{
	return (1ULL << bits) - 1;
}

static bool is_current(uint64_t id)
{
	return (id & ~tag_mask()) ==
	       __atomic_load_n(&generation, __ATOMIC_RELAXED);
}

static bool test_and_set(unsigned int tag)
{
	uint64_t m = 1ULL << (tag % WORD_BITS);
	bool was = map[tag / WORD_BITS] & m;

	map[tag / WORD_BITS] |= m;
	return was;
}

void asid_global_setup(unsigned int width, unsigned int ncpus)
{
	bits = width;
	nr_cpus = MIN(ncpus, MAX_CPUS);
	__atomic_store_n(&generation, 1ULL << bits, __ATOMIC_RELAXED);
	for (unsigned int i = 0; i < ARRAY_SIZE(map); i++)
		map[i] = 0;
	map[0] = 1;	/* tag 0: loaded by no user space */
	next_tag = 1;
	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++)
		asid_cpus[cpu].nslots = ASID_SLOTS;
}

/* A free tag from next_tag on, wrapping once; 0 if there is none. */
static unsigned int find_free(void)
{
	unsigned int n = 1u << bits;

	for (unsigned int i = 0; i < n; i++) {
		unsigned int tag = (next_tag + i) & (n - 1);

		if (tag && !test_and_set(tag))
			return tag;
	}
	return 0;
}

/* New generation; see the top of the file. Under lock. */
static void rollover(void)
{
	uint64_t gen = __atomic_load_n(&generation, __ATOMIC_RELAXED);

	__atomic_store_n(&generation, gen + (1ULL << bits), __ATOMIC_RELAXED);
	for (unsigned int i = 0; i < ARRAY_SIZE(map); i++)
		map[i] = 0;
	map[0] = 1;
	for (unsigned int cpu = 0; cpu < nr_cpus; cpu++) {
		struct asid_cpu *c = &asid_cpus[cpu];
		uint64_t id = __atomic_exchange_n(&c->active, 0,
						  __ATOMIC_RELAXED);

		if (!id)
			id = c->reserved;
		c->reserved = id;
		if (id)
			test_and_set((unsigned int)(id & tag_mask()));
		c->flush_pending = !asid_bug_no_rollover_flush;
	}
	next_tag = 1;
	tlb_stat_add(TLB_STAT_ASID_ROLLOVER, 1);
}

/* If some CPU runs @id (it reserved it at a rollover), move every such
 * reservation to @newid and say so. Under lock. */
static bool keep_reserved(uint64_t id, uint64_t newid)
{
	bool hit = false;

	for (unsigned int cpu = 0; cpu < nr_cpus; cpu++) {
		if (asid_cpus[cpu].reserved == id) {
			asid_cpus[cpu].reserved = newid;
			hit = true;
		}
	}
	return hit;
}

/* A current id for a space whose id is @id (0: never had one). Under lock. */
static uint64_t new_id(uint64_t id)
{
	uint64_t gen = __atomic_load_n(&generation, __ATOMIC_RELAXED);
	unsigned int tag;

	if (id) {
		uint64_t again = gen | (id & tag_mask());

		/* Its tag was reserved across the rollover, or is still
		 * free in this generation: keep it. */
		if (keep_reserved(id, again) ||
		    !test_and_set((unsigned int)(id & tag_mask())))
			return again;
	}
	tag = find_free();
	if (!tag) {
		rollover();
		gen = __atomic_load_n(&generation, __ATOMIC_RELAXED);
		tag = find_free();	/* the width rule: never 0 */
	}
	next_tag = tag + 1;
	tlb_stat_add(TLB_STAT_ASID_ALLOC, 1);
	return gen | tag;
}

/* @sp's slot on @cpu under tag @tag, a fresh one (flush the tag) if the
 * CPU has no record of it. */
static void pick_slot(unsigned int cpu, struct tlb_space *sp, unsigned int tag,
		      struct asid_pick *out)
{
	struct asid_slot *s = asid_slot_find(cpu, sp->id);

	if (s && s->tag == tag) {
		out->slot = s;
		return;
	}
	if (!s)
		s = asid_slot_lru(cpu);
	s->space = sp->id;
	s->tag = tag;
	s->flushed_gen = 0;
	out->slot = s;
	out->flush_tag = true;
	if (asid_bug_no_rollover_flush) {
		/* Self-check: trust whatever the tag holds here. */
		out->flush_tag = false;
		s->flushed_gen = UINT64_MAX;
	}
}

void asid_global_activate(unsigned int cpu, struct tlb_space *sp,
			  struct asid_pick *out)
{
	struct asid_cpu *c = &asid_cpus[cpu];
	uint64_t id = __atomic_load_n(&sp->asid, __ATOMIC_RELAXED);
	uint64_t old = __atomic_load_n(&c->active, __ATOMIC_RELAXED);

	if (old && is_current(id) &&
	    __atomic_compare_exchange_n(&c->active, &old, id, false,
					__ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
		pick_slot(cpu, sp, (unsigned int)(id & tag_mask()), out);
		return;
	}
	spin_lock(&lock);
	id = __atomic_load_n(&sp->asid, __ATOMIC_RELAXED);
	if (!is_current(id)) {
		id = new_id(id);
		__atomic_store_n(&sp->asid, id, __ATOMIC_RELAXED);
	}
	if (c->flush_pending) {
		c->flush_pending = false;
		out->flush_all = true;
		asid_slots_clear(cpu);
	}
	__atomic_store_n(&c->active, id, __ATOMIC_RELAXED);
	spin_unlock(&lock);
	pick_slot(cpu, sp, (unsigned int)(id & tag_mask()), out);
}

void asid_global_hold(void)
{
	spin_lock(&lock);
}

void asid_global_release(void)
{
	spin_unlock(&lock);
}

unsigned int asid_global_tag(const struct tlb_space *sp)
{
	return (unsigned int)(__atomic_load_n(&sp->asid, __ATOMIC_RELAXED) &
			      tag_mask());
}
