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
 * each tag mode: untagged, per-CPU slots (2-bit PCIDs: 3 slots for 8
 * spaces, LRU evictions) and global tags at 3 bits (rollovers); and one
 * space shared by all CPUs, where the two remappers' requests coalesce. The tlb.bug=
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
#define NPAGES1		16	/* region 1: single pages remapped */
#define NPAGES2		4	/* region 2: rebuilt whole, tables and all */
#define NPAGES		(NPAGES1 + NPAGES2)
#define REMAPS		5000	/* per remapping CPU */
#define BASE_VA		((vaddr_t)0x10000000)
/* Alone in its 1 GiB: removing its pages frees its last two tables. */
#define BASE2_VA	((vaddr_t)0x40000000)
#define PROT		(VM_READ | VM_WRITE | VM_USER)
#define SCRATCH		8	/* byte offset of the word writes go to */

#define MARK(s, p, v)	(0x80000000u | (s) << 24 | (p) << 16 | (v))
#define MARK_S(m)	(((m) >> 24) & 0x7f)
#define MARK_P(m)	(((m) >> 16) & 0xff)
#define MARK_V(m)	((m) & 0xffff)

struct world {
	struct pmap *pm[NSPACES];
	struct page *frame[NSPACES][NPAGES];	/* owner CPU only */
	unsigned int version[NSPACES][NPAGES];	/* owner CPU only */
	unsigned int done[NSPACES][NPAGES];	/* atomic: published */
	/* atomic: odd while the page is write-protected (CPU 1's odd pages
	 * of region 1), bumped after the protect returned, before an
	 * unprotect or a remap makes it writable again. */
	unsigned int ro[NSPACES][NPAGES];
	bool one_space;				/* all CPUs in space 0 */
	unsigned int running;			/* atomic: remappers left */
	unsigned int lazy_in[NCPUS];		/* atomic: space + 1 if lazy */
	unsigned long rounds[NCPUS];		/* atomic: run_space calls */
	unsigned long reads, stale, faults, remaps, nomem;	/* atomic */
	unsigned long protects, writes;				/* atomic */
	char first[128];			/* the first stale read */
	unsigned int first_taken;		/* atomic */
};

static struct world world;

static vaddr_t va_of(unsigned int p)
{
	if (p >= NPAGES1)
		return BASE2_VA + (vaddr_t)(p - NPAGES1) * PAGE_SIZE;
	return BASE_VA + (vaddr_t)p * PAGE_SIZE;
}

static bool world_setup(struct world *w)
{
	memset(w, 0, sizeof(*w));
	for (unsigned int s = 0; s < NSPACES; s++) {
		w->pm[s] = pmap_create();
		if (!w->pm[s])
			return false;
		for (unsigned int p = 0; p < NPAGES; p++) {
			w->frame[s][p] = sim_frame_with(MARK(s, p, 0));
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

/* After the shootdown that unmapped page @p of space @s: every TLB is
 * clean of its old frame, so from here on no read may see an older
 * version. */
static void unmapped(struct world *w, unsigned int s, unsigned int p)
{
	unsigned int v = w->version[s][p] + 1;

	__atomic_store_n(&w->done[s][p], v, __ATOMIC_RELEASE);
	w->version[s][p] = v;
	w->frame[s][p] = NULL;
}

/* Page @p of space @s is about to become writable: say so first. */
static void writable_from_now(struct world *w, unsigned int s, unsigned int p)
{
	if (__atomic_load_n(&w->ro[s][p], __ATOMIC_RELAXED) & 1)
		__atomic_add_fetch(&w->ro[s][p], 1, __ATOMIC_RELEASE);
}

/* Map page @p of space @s again, a fresh frame with the version that
 * unmapped() published. */
static void map_next(struct world *w, unsigned int s, unsigned int p)
{
	unsigned int v = w->version[s][p];
	struct page *pg = sim_frame_with(MARK(s, p, v));

	writable_from_now(w, s, p);
	if (!pg || pmap_enter(w->pm[s], va_of(p), page_to_phys(pg), PROT,
			      NULL) != 0) {
		if (pg)
			pmm_free(pg, 0);
		sim_add(&w->nomem, 1);
		return;
	}
	w->frame[s][p] = pg;
	sim_add(&w->remaps, 1);
}

/* Owner CPU: page @p of region 1 of space @s to a fresh frame. */
static void remap(struct world *w, unsigned int s, unsigned int p)
{
	struct tlb_batch b;

	tlb_batch_begin(&b, w->pm[s]);
	pmap_remove(w->pm[s], va_of(p), PAGE_SIZE, &b);
	if (w->frame[s][p])
		tlb_batch_defer_free(&b, w->frame[s][p]);
	tlb_batch_end(&b);
	unmapped(w, s, p);
	map_next(w, s, p);
}

/*
 * CPU 1, fork-style: every odd page of region 1 of space @s write-protected
 * in one batch (one shootdown), or, if they are, made writable again (an
 * upgrade: no flush needed, and none asked).
 */
static void toggle_protect(struct world *w, unsigned int s)
{
	bool protect = !(__atomic_load_n(&w->ro[s][1], __ATOMIC_RELAXED) & 1);
	struct tlb_batch b;

	tlb_batch_begin(&b, w->pm[s]);
	for (unsigned int p = 1; p < NPAGES1; p += 2) {
		if (!protect)
			writable_from_now(w, s, p);
		pmap_protect(w->pm[s], va_of(p), PAGE_SIZE,
			     protect ? VM_READ : VM_READ | VM_WRITE, &b);
	}
	tlb_batch_end(&b);
	if (protect)
		for (unsigned int p = 1; p < NPAGES1; p += 2)
			if (!(__atomic_load_n(&w->ro[s][p], __ATOMIC_RELAXED) & 1))
				__atomic_add_fetch(&w->ro[s][p], 1,
						   __ATOMIC_RELEASE);
	sim_add(&w->protects, 1);
}

/* CPU 0: all of region 2 of space @s unmapped at once, which empties and
 * frees its tables (the batch's freed_tables: lazy CPUs are asked too).
 * It is mapped again on new tables only at CPU 0's next step, so the
 * freed (poisoned) tables stay free for a while. */
static void take_down_region2(struct world *w, unsigned int s)
{
	struct tlb_batch b;

	tlb_batch_begin(&b, w->pm[s]);
	pmap_remove(w->pm[s], BASE2_VA, NPAGES2 * PAGE_SIZE, &b);
	for (unsigned int p = NPAGES1; p < NPAGES; p++)
		if (w->frame[s][p])
			tlb_batch_defer_free(&b, w->frame[s][p]);
	tlb_batch_end(&b);
	for (unsigned int p = NPAGES1; p < NPAGES; p++)
		unmapped(w, s, p);
}

static void bring_up_region2(struct world *w, unsigned int s)
{
	for (unsigned int p = NPAGES1; p < NPAGES; p++)
		map_next(w, s, p);
}

static void note_stale(struct world *w, unsigned int cpu, unsigned int s,
		       unsigned int p, uint32_t got, unsigned int want)
{
	sim_add(&w->stale, 1);
	if (__atomic_exchange_n(&w->first_taken, 1, __ATOMIC_RELAXED))
		return;
	snprintf(w->first, sizeof(w->first),
		 "cpu %u, space %u page %u, done version %u: read space %u "
		 "page %u version %u", cpu, s, p, want, MARK_S(got),
		 MARK_P(got), MARK_V(got));
}

/*
 * A write to page @p of space @s (its scratch word, not the marker) while
 * it is write-protected must fault; one that goes through while the page
 * stayed protected from before the write to after it used a stale
 * writable entry.
 */
static void try_write(struct world *w, unsigned int cpu, unsigned int s,
		      unsigned int p)
{
	unsigned int e = __atomic_load_n(&w->ro[s][p], __ATOMIC_ACQUIRE);

	if (!(e & 1))
		return;
	sim_add(&w->writes, 1);
	if (sim_store32(va_of(p) + SCRATCH, SIM_ACCESS_USER, cpu) == 0 &&
	    __atomic_load_n(&w->ro[s][p], __ATOMIC_ACQUIRE) == e)
		note_stale(w, cpu, s, p, MARK(s, p, 0), e);
}

/* One read of page @p of space @s, running it. */
static void check_read(struct world *w, unsigned int cpu, unsigned int s,
		       unsigned int p)
{
	unsigned int want = __atomic_load_n(&w->done[s][p], __ATOMIC_ACQUIRE);
	uint32_t got;

	sim_add(&w->reads, 1);
	if (sim_load32(va_of(p), SIM_ACCESS_USER, &got) != 0) {
		sim_add(&w->faults, 1);
		return;
	}
	if (MARK_S(got) != s || MARK_P(got) != p || MARK_V(got) < want) {
		note_stale(w, cpu, s, p, got, want);
		return;
	}
	try_write(w, cpu, s, p);
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
		check_read(w, cpu, s, sim_rnd(seed) % NPAGES);
	}
	__atomic_add_fetch(&w->rounds[cpu], 1, __ATOMIC_RELEASE);
	/* Let the other CPUs' threads run: the host may have fewer cores. */
	arch_cpu_relax();
}

/*
 * One-space mode, after a remap: wait (answering IPIs) until the readers
 * (CPUs 2, 3) have each read the space for a few rounds, so a request
 * lost on its way is not hidden by the next one's flush, however the
 * host schedules the threads.
 */
static void let_readers_read(struct world *w)
{
	unsigned long want[NCPUS];

	for (unsigned int cpu = 2; cpu < NCPUS; cpu++)
		want[cpu] = __atomic_load_n(&w->rounds[cpu],
					    __ATOMIC_ACQUIRE) + 2;
	for (unsigned int cpu = 2; cpu < NCPUS; cpu++)
		while (__atomic_load_n(&w->rounds[cpu], __ATOMIC_ACQUIRE) <
		       want[cpu]) {
			sim_ipi_poll();
			arch_cpu_relax();
		}
}

/* A walk next to region 2: an unmapped page misses in the TLB, so the
 * walk runs, from whatever table the walk cache holds for region 2. */
static void speculate_region2(uint32_t *seed)
{
	sim_speculate(BASE2_VA + (NPAGES2 + sim_rnd(seed) % 64) * PAGE_SIZE);
}

/* Kernel code only for a while: lazy in space @s, still answering IPIs,
 * while the hardware may walk anything under the root still loaded
 * (speculation). CPU 0 rebuilds the region 2 of a lazy CPU's space by
 * preference: freed tables are what lazy CPUs must hear about. */
static void idle_a_while(struct world *w, unsigned int cpu, unsigned int s,
			 uint32_t *seed)
{
	speculate_region2(seed);	/* the walk cache knows region 2 */
	tlb_switch_to(pmap_kernel());
	__atomic_store_n(&w->lazy_in[cpu], s + 1, __ATOMIC_RELAXED);
	for (unsigned int i = sim_rnd(seed) % 32; i > 0; i--) {
		sim_ipi_poll();
		speculate_region2(seed);
		sim_speculate(va_of(sim_rnd(seed) % NPAGES));
		arch_cpu_relax();	/* idle is long next to a remap */
	}
	__atomic_store_n(&w->lazy_in[cpu], 0, __ATOMIC_RELAXED);
}

/* The space CPU 0 rebuilds region 2 of: a lazy CPU's, else any. */
static unsigned int rebuild_target(struct world *w, uint32_t *seed)
{
	for (unsigned int cpu = 1; cpu < NCPUS; cpu++) {
		unsigned int s = __atomic_load_n(&w->lazy_in[cpu],
						 __ATOMIC_RELAXED);

		if (s)
			return s - 1;
	}
	return sim_rnd(seed) % NSPACES;
}

static void cpu_work(unsigned int cpu, void *arg)
{
	struct world *w = arg;
	uint32_t seed = 0x9e3779b9u * (cpu + 1);
	unsigned int s = cpu % NSPACES, done = 0, down = 0;
	bool remapper = cpu < 2;

	while (remapper ? done < REMAPS :
	       __atomic_load_n(&w->running, __ATOMIC_ACQUIRE) != 0) {
		uint32_t r = sim_rnd(&seed) % 16;

		if (w->one_space) {
			/* Both remappers aim at the space every CPU runs:
			 * their requests meet in the readers' queues. */
			if (remapper && r < 4) {
				remap(w, 0, (sim_rnd(&seed) % (NPAGES1 / 2)) * 2 +
					    cpu);
				done++;
				let_readers_read(w);
			}
			run_space(w, cpu, 0, &seed);
			continue;
		}
		if (down) {
			bring_up_region2(w, down - 1);
			down = 0;
		}
		if (remapper && r < 4) {
			/* Own pages: even for CPU 0, odd for CPU 1; region 2
			 * is CPU 0's, rebuilt one time in four. */
			if (cpu == 0 && sim_rnd(&seed) % 4 == 0) {
				down = rebuild_target(w, &seed) + 1;
				take_down_region2(w, down - 1);
			} else if (cpu == 1 && sim_rnd(&seed) % 4 == 0)
				toggle_protect(w, sim_rnd(&seed) % NSPACES);
			else
				remap(w, sim_rnd(&seed) % NSPACES,
				      (sim_rnd(&seed) % (NPAGES1 / 2)) * 2 + cpu);
			done++;
		} else if (r < 7) {
			idle_a_while(w, cpu, s, &seed);	/* then back to s */
		} else if (r < 9) {
			s = sim_rnd(&seed) % NSPACES;
		}
		run_space(w, cpu, s, &seed);
	}
	if (down)
		bring_up_region2(w, down - 1);
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

static void walk(struct ktest *t, enum asid_mode mode, unsigned int bits,
		 bool one_space)
{
	struct world *w = &world;
	unsigned long before = pmm_free_count();
	uint64_t rolls, evicts, ipis, coal, merged;
	unsigned long walks0 = sim_poison_walks();
	const char *why;

	sim_smp_start(NCPUS, mode, bits);
	if (!world_setup(w)) {
		ktest_check(t, false, __FILE__, __LINE__, "out of memory");
		world_teardown(w);
		return;
	}
	rolls = total(TLB_STAT_ASID_ROLLOVER);
	evicts = total(TLB_STAT_SLOT_EVICT);
	ipis = total(TLB_STAT_IPI_SENT);
	coal = total(TLB_STAT_COALESCED);
	merged = total(TLB_STAT_MERGED);
	w->one_space = one_space;
	w->running = 2;
	sim_run_cpus(NCPUS, cpu_work, w);
	rolls = total(TLB_STAT_ASID_ROLLOVER) - rolls;
	evicts = total(TLB_STAT_SLOT_EVICT) - evicts;
	ipis = total(TLB_STAT_IPI_SENT) - ipis;
	coal = total(TLB_STAT_COALESCED) - coal;
	merged = total(TLB_STAT_MERGED) - merged;
	ktest_diag(t, "%lu write-protect rounds, %lu writes to protected "
		   "pages tried", w->protects, w->writes);
	ktest_diag(t, "tlb=%s, asid %s: %lu reads, %lu remaps, %lu faults "
		   "(between unmap and map), %llu IPIs, %llu coalesced, %llu "
		   "merged, %llu rollovers, %llu slot evictions, %lu stale, "
		   "%lu freed-table walks",
		   tlb_policy_name(), asid_mode_name(), w->reads, w->remaps,
		   w->faults, (unsigned long long)ipis,
		   (unsigned long long)coal, (unsigned long long)merged,
		   (unsigned long long)rolls,
		   (unsigned long long)evicts, w->stale,
		   sim_poison_walks() - walks0);
	if (mode == ASID_GLOBAL)
		KEXPECT_GT(t, rolls, 0);
	if (mode == ASID_PER_CPU)
		KEXPECT_GT(t, evicts, 0);
	if (one_space && strcmp(tlb_policy_name(), "naive") &&
	    strcmp(tlb_policy_name(), "none"))
		KEXPECT_GT(t, coal, 0);
	if (w->stale)
		ktest_diag(t, "first stale read: %s", w->first);
	KEXPECT_EQ(t, w->stale, 0);
	KEXPECT_EQ(t, sim_poison_walks() - walks0, 0);
	KEXPECT_EQ(t, w->nomem, 0);
	KEXPECT_GE(t, w->remaps, 2 * REMAPS);
	world_teardown(w);
	asid_setup(ASID_UNTAGGED, 0, NCPUS, &why);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

static void untagged(struct ktest *t)
{
	walk(t, ASID_UNTAGGED, 0, false);
}

/* 2-bit PCIDs: 3 slots per CPU for 8 spaces, so a slot is taken from a
 * space that ran a moment ago and may still have entries in the TLB. */
static void per_cpu_tags(struct ktest *t)
{
	walk(t, ASID_PER_CPU, 2, false);
}

static void global_tags_rolling_over(struct ktest *t)
{
	walk(t, ASID_GLOBAL, 3, false);
}

/* Every CPU in one space, both remappers on it: coalescing all the time
 * (the queues of the readers see two initiators at once). */
static void one_space_contended(struct ktest *t)
{
	walk(t, ASID_UNTAGGED, 0, true);
}

KTEST_SUITE(sim_coherence,
	    KTEST_CASE(untagged),
	    KTEST_CASE(per_cpu_tags),
	    KTEST_CASE(global_tags_rolling_over),
	    KTEST_CASE(one_space_contended));
