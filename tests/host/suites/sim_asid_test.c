/*
 * Suite sim_asid: the real ASID allocators (smp/asid*.c) against the
 * simulated TLB, which keeps every entry under the tag it was filled with
 * until a flush drops it, as hardware does and QEMU does not.
 *
 * Many address spaces map the same virtual page to frames of their own.
 * A seeded random walk switches the simulated CPUs between them, doing
 * what tlb_switch.c's activate does with the allocator's answer (flush
 * everything on a rollover, load the tag, flushing it if told), then
 * reads the page through the TLB: reading another space's frame means a
 * tag was reused while it still held that space's entries.
 *
 * Each mode runs: untagged, per-CPU slots (more spaces than slots: LRU
 * evictions) and global tags at 3 bits on 4 CPUs (rollover after
 * rollover). sim.bug=no_evict_flush and sim.bug=no_rollover_flush break
 * the rule each mode depends on, and the suite must then report stale
 * reads (the host-selfcheck-asid-* targets).
 */
#include <kern/cmdline.h>
#include <kern/printk.h>
#include <kern/string.h>
#include <ktest/ktest.h>
#include <mm/pmap.h>
#include <mm/pmm.h>
#include <smp/asid.h>
#include <smp/tlb_stats.h>
#include <sim/sim.h>

#define NSPACES		12	/* twice the per-CPU slots */
#define STEPS		6000
#define PAGE_VA		((vaddr_t)0x10000000)
#define MARK(i)		(0x7a000000u + (i))
#define GLOBAL_BITS	3	/* 7 tags for 4 CPUs and 12 spaces */

struct walk {
	struct pmap *pm[NSPACES];
	struct page *frame[NSPACES];
	unsigned int stale;	/* reads of another space's frame */
	unsigned int faults;	/* reads that did not translate at all */
	char first[96];		/* the first stale read, for the diagnostic */
};

static uint32_t rnd_state;

static uint32_t rnd(void)
{
	/* xorshift32: the same walk for the same seed on every host. */
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static uint64_t total(enum tlb_stat k)
{
	uint64_t n = 0;

	for (unsigned int cpu = 0; cpu < SIM_CPUS; cpu++)
		n += tlb_stat_get(cpu, k);
	return n;
}

static bool walk_setup(struct walk *w)
{
	memset(w, 0, sizeof(*w));
	sim_tlb_reset();
	for (unsigned int i = 0; i < NSPACES; i++) {
		w->frame[i] = pmm_alloc(0, 0);
		w->pm[i] = pmap_create();
		if (!w->frame[i] || !w->pm[i])
			return false;
		*(uint32_t *)sim_ram_ptr(page_to_phys(w->frame[i])) = MARK(i);
		if (pmap_enter(w->pm[i], PAGE_VA, page_to_phys(w->frame[i]),
			       VM_READ | VM_USER, NULL) != 0)
			return false;
	}
	return true;
}

static void walk_teardown(struct walk *w)
{
	for (unsigned int cpu = 0; cpu < SIM_CPUS; cpu++) {
		host_cpu_set(cpu);
		mmu_root_deactivate();
	}
	host_cpu_set(0);
	for (unsigned int i = 0; i < NSPACES; i++) {
		if (w->pm[i])
			pmap_destroy(w->pm[i]);
		if (w->frame[i])
			pmm_free(w->frame[i], 0);
	}
	sim_tlb_reset();
}

/* What tlb_switch.c's activate does with the allocator's answer. */
static void switch_to(unsigned int cpu, struct pmap *pm)
{
	struct asid_pick pick;

	asid_activate(cpu, &pm->tlb, &pick);
	if (pick.flush_all)
		mmu_tlb_flush_all_local();
	mmu_root_activate(pm->root_pa, pick.slot->tag, pick.flush_tag);
	pick.slot->flushed_gen = 0;	/* no generations in this walk */
}

static void walk_run(struct walk *w, uint32_t seed)
{
	rnd_state = seed;
	for (unsigned int step = 0; step < STEPS; step++) {
		unsigned int cpu = rnd() % SIM_CPUS, s = rnd() % NSPACES;
		uint32_t v = 0;

		host_cpu_set(cpu);
		switch_to(cpu, w->pm[s]);
		if (sim_load32(PAGE_VA, SIM_ACCESS_USER, &v) != 0) {
			w->faults++;
			continue;
		}
		if (v != MARK(s) && w->stale++ == 0)
			snprintf(w->first, sizeof(w->first),
				 "step %u: cpu %u in space %u read space %u's "
				 "page", step, cpu, s, v - MARK(0));
	}
	host_cpu_set(0);
}

/* Set the allocator up for @mode, run the walk, restore untagged. */
static void run_mode(struct ktest *t, enum asid_mode mode, unsigned int bits,
		     uint32_t seed, struct walk *w)
{
	unsigned long before = pmm_free_count();
	const char *why;

	asid_setup(mode, bits, SIM_CPUS, &why);
	KEXPECT_NULL(t, why);
	if (!walk_setup(w)) {
		ktest_check(t, false, __FILE__, __LINE__, "out of memory");
		walk_teardown(w);
		return;
	}
	walk_run(w, seed);
	walk_teardown(w);
	asid_setup(ASID_UNTAGGED, 0, SIM_CPUS, &why);
	if (w->stale)
		ktest_diag(t, "%u stale reads; first at %s", w->stale,
			   w->first);
	KEXPECT_EQ(t, w->faults, 0);
	KEXPECT_EQ(t, w->stale, 0);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

static void apply_bug(void)
{
	const char *bug = cmdline_get("sim.bug");

	asid_bug_no_evict_flush = bug && !strcmp(bug, "no_evict_flush");
	asid_bug_no_rollover_flush = bug && !strcmp(bug, "no_rollover_flush");
}

static void untagged_walk(struct ktest *t)
{
	static struct walk w;

	apply_bug();
	run_mode(t, ASID_UNTAGGED, 0, 0x1234567u, &w);
}

/* Twice as many spaces as slots: evictions all the time. */
static void percpu_walk_evicts(struct ktest *t)
{
	static struct walk w;
	uint64_t ev0 = total(TLB_STAT_SLOT_EVICT);

	apply_bug();
	run_mode(t, ASID_PER_CPU, 12, 0x2345678u, &w);
	KEXPECT_GT(t, total(TLB_STAT_SLOT_EVICT) - ev0, STEPS / 4);
}

/* 7 tags, 12 spaces, 4 CPUs: rollover after rollover. */
static void global_walk_rolls_over(struct ktest *t)
{
	static struct walk w;
	uint64_t r0 = total(TLB_STAT_ASID_ROLLOVER);

	apply_bug();
	run_mode(t, ASID_GLOBAL, GLOBAL_BITS, 0x3456789u, &w);
	KEXPECT_GT(t, total(TLB_STAT_ASID_ROLLOVER) - r0, STEPS / 20);
}

/* The width rule: 2 bits cannot serve 4 CPUs, so it is raised to 3. */
static void global_width_raised_for_cpus(struct ktest *t)
{
	const char *why;

	KEXPECT_EQ(t, asid_setup(ASID_GLOBAL, 2, 4, &why), 3);
	KEXPECT_NOT_NULL(t, why);
	KEXPECT_EQ(t, asid_setup(ASID_GLOBAL, 2, 2, &why), 2);
	KEXPECT_NULL(t, why);
	KEXPECT_EQ(t, asid_setup(ASID_GLOBAL, 1, 8, &why), 4);
	asid_setup(ASID_UNTAGGED, 0, SIM_CPUS, &why);
}

KTEST_SUITE(sim_asid,
	    KTEST_CASE(untagged_walk),
	    KTEST_CASE(percpu_walk_evicts),
	    KTEST_CASE(global_walk_rolls_over),
	    KTEST_CASE(global_width_raised_for_cpus));
