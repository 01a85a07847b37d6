/*
 * Suite sim_coherence: the real coherence layer (smp/tlb*.c and
 * smp/asid*.c, linked into ktest-host-smp) on four simulated CPUs that
 * are host threads, over the simulated TLB that keeps every entry under
 * its tag until a flush drops it.
 *
 * NSPACES address spaces of NPAGES pages each; every page maps a frame
 * holding a marker {space, page, version}. CPUs 0 and 1 remap pages they
 * own (even / odd): a fresh frame with the next version, the old one
 * unmapped and handed to the batch (freed after the shootdown), and once
 * tlb_batch_end returned, the page's done version is published. Every CPU
 * meanwhile runs spaces (tlb_switch_to), reads random pages through its
 * TLB, goes lazy (tlb_switch_to(kernel)) and comes back, or moves to
 * another space, taking its IPIs between accesses.
 *
 * The check, on every read: a read that started after a remap returned
 * must not see an older version, nor another page's marker (a freed frame
 * reused, or a tag that still held another space's entry). A fault is
 * fine (the page is between its unmap and its new map).
 *
 * Cases run the walk under the policy of the command line (tlb=) with
 * each tag mode: untagged, per-CPU slots (8 spaces for 6 slots: LRU
 * evictions) and global tags at 3 bits (rollovers). The tlb.bug=
 * switches each break one rule and must then produce stale reads
 * (host-smp-selfcheck-* targets).
 */
#include <kern/arch.h>
#include <kern/printk.h>
#include <kern/string.h>
#include <ktest/ktest.h>
#include <mm/pmap.h>
#include <mm/pmm.h>
#include <mm/tlb_batch.h>
#include <smp/asid.h>
#include <smp/cpu.h>
#include <smp/tlb.h>
#include <smp/tlb_stats.h>
#include <sim/sim.h>

#include "sim_smp.h"

#define NCPUS		4
#define NSPACES		8
#define NPAGES		16
#define REMAPS		5000	/* per remapping CPU */
#define BASE_VA		((vaddr_t)0x10000000)
#define PROT		(VM_READ | VM_USER)

#define MARK(s, p, v)	(0x80000000u | (s) << 24 | (p) << 16 | (v))
#define MARK_S(m)	(((m) >> 24) & 0x7f)
#define MARK_P(m)	(((m) >> 16) & 0xff)
#define MARK_V(m)	((m) & 0xffff)

struct world {
	struct pmap *pm[NSPACES];
	struct page *frame[NSPACES][NPAGES];	/* owner CPU only */
	unsigned int version[NSPACES][NPAGES];	/* owner CPU only */
	unsigned int done[NSPACES][NPAGES];	/* atomic: published */
	unsigned int running;			/* atomic: remappers left */
	unsigned long reads, stale, faults, remaps, nomem;	/* atomic */
	char first[128];			/* the first stale read */
	unsigned int first_taken;		/* atomic */
};

static struct world world;

static vaddr_t va_of(unsigned int p)
{
	return BASE_VA + (vaddr_t)p * PAGE_SIZE;
}

static void add(unsigned long *n, unsigned long v)
{
	__atomic_fetch_add(n, v, __ATOMIC_RELAXED);
}

/* xorshift32, one state per CPU: a run is the same walk per CPU. */
static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static struct page *frame_with(uint32_t mark)
{
	struct page *pg = pmm_alloc(0, 0);

	if (pg)
		*(volatile uint32_t *)sim_ram_ptr(page_to_phys(pg)) = mark;
	return pg;
}

static bool world_setup(struct world *w)
{
	memset(w, 0, sizeof(*w));
	for (unsigned int s = 0; s < NSPACES; s++) {
		w->pm[s] = pmap_create();
		if (!w->pm[s])
			return false;
		for (unsigned int p = 0; p < NPAGES; p++) {
			w->frame[s][p] = frame_with(MARK(s, p, 0));
			if (!w->frame[s][p] ||
			    pmap_enter(w->pm[s], va_of(p),
				       page_to_phys(w->frame[s][p]), PROT,
				       NULL) != 0)
				return false;
		}
	}
	return true;
}

static void world_teardown(struct world *w)
{
	for (unsigned int s = 0; s < NSPACES; s++) {
		if (w->pm[s])
			pmap_destroy(w->pm[s]);
		for (unsigned int p = 0; p < NPAGES; p++)
			if (w->frame[s][p])
				pmm_free(w->frame[s][p], 0);
	}
}

/* Owner CPU: page @p of space @s to a fresh frame, the next version. */
static void remap(struct world *w, unsigned int s, unsigned int p)
{
	unsigned int v = w->version[s][p] + 1;
	struct page *old = w->frame[s][p], *pg = frame_with(MARK(s, p, v));
	struct tlb_batch b;

	if (!pg) {
		add(&w->nomem, 1);
		return;
	}
	tlb_batch_begin(&b, w->pm[s]);
	pmap_remove(w->pm[s], va_of(p), PAGE_SIZE, &b);
	tlb_batch_defer_free(&b, old);
	tlb_batch_end(&b);
	/* Every TLB is clean of the old frame now: from here on no read
	 * may see version v - 1. */
	__atomic_store_n(&w->done[s][p], v, __ATOMIC_RELEASE);
	if (pmap_enter(w->pm[s], va_of(p), page_to_phys(pg), PROT, NULL)) {
		pmm_free(pg, 0);
		w->frame[s][p] = NULL;
		add(&w->nomem, 1);
		return;
	}
	w->frame[s][p] = pg;
	w->version[s][p] = v;
	add(&w->remaps, 1);
}

static void note_stale(struct world *w, unsigned int cpu, unsigned int s,
		       unsigned int p, uint32_t got, unsigned int want)
{
	add(&w->stale, 1);
	if (__atomic_exchange_n(&w->first_taken, 1, __ATOMIC_RELAXED))
		return;
	snprintf(w->first, sizeof(w->first),
		 "cpu %u, space %u page %u, done version %u: read space %u "
		 "page %u version %u", cpu, s, p, want, MARK_S(got),
		 MARK_P(got), MARK_V(got));
}

/* One read of page @p of space @s, running it. */
static void check_read(struct world *w, unsigned int cpu, unsigned int s,
		       unsigned int p)
{
	unsigned int want = __atomic_load_n(&w->done[s][p], __ATOMIC_ACQUIRE);
	uint32_t got;

	add(&w->reads, 1);
	if (sim_load32(va_of(p), SIM_ACCESS_USER, &got) != 0) {
		add(&w->faults, 1);
		return;
	}
	if (MARK_S(got) != s || MARK_P(got) != p || MARK_V(got) < want)
		note_stale(w, cpu, s, p, got, want);
}

/* Run space @s for a few reads, taking IPIs every few reads (so they
 * arrive with some latency, as they do, and queues fill up). */
static void run_space(struct world *w, unsigned int cpu, unsigned int s,
		      uint32_t *seed)
{
	tlb_switch_to(w->pm[s]);
	for (unsigned int i = 0; i < 32; i++) {
		if (i % 4 == 0)
			sim_ipi_poll();
		check_read(w, cpu, s, rnd(seed) % NPAGES);
	}
	/* Let the other CPUs' threads run: the host may have fewer cores. */
	arch_cpu_relax();
}

/* Kernel code only for a moment: lazy, still answering IPIs. */
static void idle_a_while(uint32_t *seed)
{
	tlb_switch_to(pmap_kernel());
	for (unsigned int i = rnd(seed) % 4; i > 0; i--)
		sim_ipi_poll();
}

static void cpu_work(unsigned int cpu, void *arg)
{
	struct world *w = arg;
	uint32_t seed = 0x9e3779b9u * (cpu + 1);
	unsigned int s = cpu % NSPACES, done = 0;
	bool remapper = cpu < 2;

	while (remapper ? done < REMAPS :
	       __atomic_load_n(&w->running, __ATOMIC_ACQUIRE) != 0) {
		uint32_t r = rnd(&seed) % 16;

		if (remapper && r < 4) {
			/* Own pages: even for CPU 0, odd for CPU 1. */
			remap(w, rnd(&seed) % NSPACES,
			      (rnd(&seed) % (NPAGES / 2)) * 2 + cpu);
			done++;
		} else if (r < 7) {
			idle_a_while(&seed);	/* then back to s */
		} else if (r < 9) {
			s = rnd(&seed) % NSPACES;
		}
		run_space(w, cpu, s, &seed);
	}
	if (remapper)
		__atomic_fetch_sub(&w->running, 1, __ATOMIC_RELEASE);
	/* Drain what is still coming, then leave every space. */
	while (__atomic_load_n(&w->running, __ATOMIC_ACQUIRE) != 0) {
		sim_ipi_poll();
		arch_cpu_relax();
	}
	tlb_switch_to_kernel_root();
	sim_ipi_poll();
}

static uint64_t total(enum tlb_stat k)
{
	uint64_t n = 0;

	for (unsigned int cpu = 0; cpu < NCPUS; cpu++)
		n += tlb_stat_get(cpu, k);
	return n;
}

static void walk(struct ktest *t, enum asid_mode mode, unsigned int bits)
{
	struct world *w = &world;
	unsigned long before = pmm_free_count();
	uint64_t rolls, evicts, ipis, coal;
	const char *why;

	sim_smp_init(NCPUS);
	tlb_init();
	asid_setup(mode, bits, NCPUS, &why);
	sim_tlb_reset();
	if (!world_setup(w)) {
		ktest_check(t, false, __FILE__, __LINE__, "out of memory");
		world_teardown(w);
		return;
	}
	rolls = total(TLB_STAT_ASID_ROLLOVER);
	evicts = total(TLB_STAT_SLOT_EVICT);
	ipis = total(TLB_STAT_IPI_SENT);
	coal = total(TLB_STAT_COALESCED);
	w->running = 2;
	sim_run_cpus(NCPUS, cpu_work, w);
	rolls = total(TLB_STAT_ASID_ROLLOVER) - rolls;
	evicts = total(TLB_STAT_SLOT_EVICT) - evicts;
	ipis = total(TLB_STAT_IPI_SENT) - ipis;
	coal = total(TLB_STAT_COALESCED) - coal;
	ktest_diag(t, "tlb=%s, asid %s: %lu reads, %lu remaps, %lu faults "
		   "(between unmap and map), %llu IPIs, %llu coalesced, %llu "
		   "rollovers, %llu slot evictions, %lu stale",
		   tlb_policy_name(), asid_mode_name(), w->reads, w->remaps,
		   w->faults, (unsigned long long)ipis,
		   (unsigned long long)coal, (unsigned long long)rolls,
		   (unsigned long long)evicts, w->stale);
	if (mode == ASID_GLOBAL)
		KEXPECT_GT(t, rolls, 0);
	if (mode == ASID_PER_CPU)
		KEXPECT_GT(t, evicts, 0);
	if (w->stale)
		ktest_diag(t, "first stale read: %s", w->first);
	KEXPECT_EQ(t, w->stale, 0);
	KEXPECT_EQ(t, w->nomem, 0);
	KEXPECT_EQ(t, w->remaps, 2 * REMAPS);
	world_teardown(w);
	asid_setup(ASID_UNTAGGED, 0, NCPUS, &why);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

static void untagged(struct ktest *t)
{
	walk(t, ASID_UNTAGGED, 0);
}

static void per_cpu_tags(struct ktest *t)
{
	walk(t, ASID_PER_CPU, 12);
}

static void global_tags_rolling_over(struct ktest *t)
{
	walk(t, ASID_GLOBAL, 3);
}

KTEST_SUITE(sim_coherence,
	    KTEST_CASE(untagged),
	    KTEST_CASE(per_cpu_tags),
	    KTEST_CASE(global_tags_rolling_over));
