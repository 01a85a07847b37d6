/*
 * Suite sim_ptshare: fork's shared page tables (mm/pmap_share.c) under
 * the real coherence layer, on four simulated CPUs that are host threads.
 *
 * One parent pmap maps NPAGES pages of one 2 MiB span, each frame holding
 * a marker {owner, page, version}. Each round, CPU 0 forks it twice
 * (pmap_share into two new pmaps, then pmap_share_protect in one batch),
 * as vm_fork does, and then writes pages of the parent copy-on-write: the
 * table made private (pmap_unshare: copied while a child still shares
 * it, else made writable again), a fresh frame with the next version, the
 * old frame's reference handed to the batch. CPU 1 runs the parent at the
 * same time and reads it. CPUs 2 and 3 each run one child: read it, write
 * some of its pages the same way, and tear it down (pmap_destroy_release)
 * either after writing or without ever unsharing, so the drops of a share
 * race the parent's copies and each other.
 *
 * The checks: a parent read that started after a write returned sees
 * that version or a later one; a child reads the parent's pages as they
 * were at its fork, or its own writes; no walk reads a freed table or
 * frame (pmm.poison=1: sim_poison_walks); at the end every frame and
 * table is back (the free count) and every frame's mapcount is 0 (the
 * pmm panics otherwise). tlb=none must break the parent's reader.
 */
#include <kern/arch.h>
#include <kern/printk.h>
#include <kern/string.h>
#include <ktest/ktest.h>
#include <mm/pmap.h>
#include <mm/pmm.h>
#include <mm/tlb_batch.h>
#include <smp/asid.h>
#include <smp/tlb.h>
#include <sim/sim.h>

#include "sim_smp.h"

#define NCPUS		4
#define NCHILDREN	2	/* on CPUs 2 and 3 */
#define NPAGES		24
#define ROUNDS		1000
#define BASE_VA		((vaddr_t)0x10000000)	/* a span of its own */
#define PROT		(VM_READ | VM_WRITE)
#define PARENT		0x7fu

#define MARK(o, p, v)	(0x80000000u | (o) << 24 | (p) << 16 | (v))
#define MARK_O(m)	(((m) >> 24) & 0x7f)
#define MARK_P(m)	(((m) >> 16) & 0xff)
#define MARK_V(m)	((m) & 0xffff)

struct share_world {
	struct pmap *parent;
	struct pmap *child[NCHILDREN];
	unsigned int version[NPAGES];	/* CPU 0's: the parent's latest */
	unsigned int done[NPAGES];	/* atomic: published after the flush */
	unsigned int snap[NPAGES];	/* the parent's versions at the fork */
	unsigned int round;		/* atomic: the round the children run */
	unsigned int finished;		/* atomic: children torn down */
	unsigned int stop;		/* atomic: CPU 0 is done */
	unsigned long reads, stale, nomem, copies, drops;	/* atomic */
	char first[128];
	unsigned int first_taken;	/* atomic */
};

static struct share_world sworld;

static vaddr_t va_of(unsigned int p)
{
	return BASE_VA + (vaddr_t)p * PAGE_SIZE;
}

static void note_stale(struct share_world *w, const char *who,
		       unsigned int p, uint32_t got, uint32_t want)
{
	sim_add(&w->stale, 1);
	if (__atomic_exchange_n(&w->first_taken, 1, __ATOMIC_ACQ_REL))
		return;
	snprintf(w->first, sizeof(w->first),
		 "cpu%u (%s) page %u: read %#x, wanted %#x", arch_cpu_id(),
		 who, p, got, want);
}

/*
 * Write page @p of @pm copy-on-write, as vm_fault does: make its table
 * private, map a fresh frame with @mark in place of the old one, whose
 * reference is dropped after the flush. False if memory ran out.
 */
static bool cow_write(struct share_world *w, struct pmap *pm, unsigned int p,
		      uint32_t mark)
{
	struct page *pg = sim_frame_with(mark), *old;
	struct tlb_batch b;
	unsigned int cur;
	paddr_t pa;
	bool ok;

	if (!pg)
		return false;
	tlb_batch_begin(&b, pm);
	if (pmap_extract(pm, va_of(p), NULL, &cur) == 0 &&
	    (cur & PMAP_PROT_COW_TABLE))
		sim_add(&w->copies, 1);
	ok = pmap_unshare(pm, va_of(p), PAGE_SIZE, false, &b) == 0 &&
	     pmap_extract(pm, va_of(p), &pa, NULL) == 0 &&
	     pmap_enter(pm, va_of(p), page_to_phys(pg), PROT, &b) == 0;
	if (ok) {
		old = page_from_phys(pa & ~(paddr_t)PAGE_MASK);
		tlb_batch_defer_put(&b, old);
	}
	tlb_batch_end(&b);
	if (!ok)
		pmm_free(pg, 0);
	return ok;
}

/* --- CPU 0: forks and writes the parent ------------------------------- */

static bool fork_children(struct share_world *w)
{
	struct tlb_batch b;

	for (unsigned int c = 0; c < NCHILDREN; c++) {
		w->child[c] = pmap_create();
		if (!w->child[c] ||
		    pmap_share(w->child[c], w->parent, BASE_VA,
			       PMAP_SHARE_SPAN) != 0)
			return false;
	}
	memcpy(w->snap, w->version, sizeof(w->snap));
	tlb_batch_begin(&b, w->parent);
	pmap_share_protect(w->parent, BASE_VA, PMAP_SHARE_SPAN, &b);
	tlb_batch_end(&b);
	return true;
}

static void parent_write(struct share_world *w, unsigned int p)
{
	unsigned int v = w->version[p] + 1;

	if (!cow_write(w, w->parent, p, MARK(PARENT, p, v))) {
		sim_add(&w->nomem, 1);
		return;
	}
	w->version[p] = v;
	/* Every TLB of the parent is clean of the old frame now. */
	__atomic_store_n(&w->done[p], v, __ATOMIC_RELEASE);
}

static void forker(struct share_world *w)
{
	uint32_t seed = 0x1234567u;

	tlb_switch_to(w->parent);
	for (unsigned int r = 1; r <= ROUNDS; r++) {
		if (!fork_children(w)) {
			sim_add(&w->nomem, 1);
			break;
		}
		__atomic_store_n(&w->round, r, __ATOMIC_RELEASE);
		while (__atomic_load_n(&w->finished, __ATOMIC_ACQUIRE) <
		       r * NCHILDREN) {
			sim_ipi_poll();
			if (sim_rnd(&seed) % 8 == 0)
				parent_write(w, sim_rnd(&seed) % NPAGES);
			arch_cpu_relax();
		}
	}
	__atomic_store_n(&w->stop, 1, __ATOMIC_RELEASE);
}

/* --- CPU 1: reads the parent -------------------------------------------- */

static void parent_reader(struct share_world *w)
{
	uint32_t seed = 0x7654321u;

	tlb_switch_to(w->parent);
	while (!__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE)) {
		unsigned int p = sim_rnd(&seed) % NPAGES;
		unsigned int want = __atomic_load_n(&w->done[p],
						    __ATOMIC_ACQUIRE);
		uint32_t got;

		sim_ipi_poll();
		sim_add(&w->reads, 1);
		if (sim_load32(va_of(p), SIM_ACCESS_USER, &got) != 0)
			continue;	/* between a break and a make */
		if (MARK_O(got) != PARENT || MARK_P(got) != p ||
		    MARK_V(got) < want)
			note_stale(w, "parent", p, got, MARK(PARENT, p, want));
	}
}

/* --- CPUs 2, 3: one child each per round ---------------------------------- */

static void child_round(struct share_world *w, struct pmap *pm,
			unsigned int c, uint32_t *seed)
{
	unsigned int mine[NPAGES] = { 0 };	/* version + 1 if written */
	bool writes = sim_rnd(seed) % 2;

	tlb_switch_to(pm);
	for (unsigned int i = 0; i < 24; i++) {
		unsigned int p = sim_rnd(seed) % NPAGES;
		uint32_t got, want = mine[p] ?
			MARK(c, p, mine[p] - 1) : MARK(PARENT, p, w->snap[p]);

		sim_ipi_poll();
		if (writes && sim_rnd(seed) % 4 == 0) {
			if (cow_write(w, pm, p, MARK(c, p, i)))
				mine[p] = i + 1;
			else
				sim_add(&w->nomem, 1);
			continue;
		}
		sim_add(&w->reads, 1);
		if (sim_load32(va_of(p), SIM_ACCESS_USER, &got) != 0 ||
		    got != want)
			note_stale(w, "child", p, got, want);
	}
	tlb_switch_to_kernel_root();
	sim_ipi_poll();
	if (!writes)
		sim_add(&w->drops, 1);
	/* The exit: one batch drops the share, or the copy's pages. */
	pmap_destroy_release(pm);
}

static void child_cpu(struct share_world *w, unsigned int cpu)
{
	unsigned int c = cpu - 2;
	uint32_t seed = 0x9e3779b9u * cpu;

	for (unsigned int r = 1; r <= ROUNDS; r++) {
		while (__atomic_load_n(&w->round, __ATOMIC_ACQUIRE) < r) {
			if (__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE))
				return;
			sim_ipi_poll();
			arch_cpu_relax();
		}
		child_round(w, w->child[c], c, &seed);
		w->child[c] = NULL;
		__atomic_fetch_add(&w->finished, 1, __ATOMIC_RELEASE);
	}
}

static void share_cpu(unsigned int cpu, void *arg)
{
	struct share_world *w = arg;

	if (cpu == 0)
		forker(w);
	else if (cpu == 1)
		parent_reader(w);
	else
		child_cpu(w, cpu);
	tlb_switch_to_kernel_root();
	/* Answer the last requests before leaving. */
	for (unsigned int i = 0; i < 1000; i++) {
		sim_ipi_poll();
		arch_cpu_relax();
	}
}

static bool parent_setup(struct share_world *w)
{
	memset(w, 0, sizeof(*w));
	w->parent = pmap_create();
	if (!w->parent)
		return false;
	for (unsigned int p = 0; p < NPAGES; p++) {
		struct page *pg = sim_frame_with(MARK(PARENT, p, 0));

		if (!pg || pmap_enter(w->parent, va_of(p), page_to_phys(pg),
				      PROT, NULL) != 0) {
			if (pg)
				pmm_free(pg, 0);
			return false;
		}
	}
	return true;
}

static void run(struct ktest *t, enum asid_mode mode, unsigned int bits)
{
	struct share_world *w = &sworld;
	unsigned long before = pmm_free_count();
	unsigned long walks0 = sim_poison_walks();
	const char *why;

	sim_smp_start(NCPUS, mode, bits);
	KASSERT_TRUE(t, parent_setup(w));
	sim_run_cpus(NCPUS, share_cpu, w);
	for (unsigned int c = 0; c < NCHILDREN; c++)
		if (w->child[c])
			pmap_destroy_release(w->child[c]);
	pmap_destroy_release(w->parent);
	ktest_diag(t, "tlb=%s, asid %s: %u rounds, %lu reads, %lu table "
		   "copies, %lu children torn down unshared, %lu stale, %lu "
		   "freed-table walks", tlb_policy_name(), asid_mode_name(),
		   __atomic_load_n(&w->round, __ATOMIC_RELAXED), w->reads,
		   w->copies, w->drops, w->stale,
		   sim_poison_walks() - walks0);
	if (w->stale)
		ktest_diag(t, "first stale read: %s", w->first);
	KEXPECT_EQ(t, w->round, ROUNDS);
	KEXPECT_EQ(t, w->stale, 0);
	KEXPECT_EQ(t, w->nomem, 0);
	KEXPECT_GT(t, w->copies, 0);
	KEXPECT_GT(t, w->drops, 0);
	KEXPECT_EQ(t, sim_poison_walks() - walks0, 0);
	asid_setup(ASID_UNTAGGED, 0, NCPUS, &why);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

static void untagged(struct ktest *t)
{
	run(t, ASID_UNTAGGED, 0);
}

static void global_tags(struct ktest *t)
{
	run(t, ASID_GLOBAL, 3);
}

KTEST_SUITE(sim_ptshare,
	    KTEST_CASE(untagged),
	    KTEST_CASE(global_tags));
