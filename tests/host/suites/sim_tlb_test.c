/*
 * Suite sim_tlb: TLB coherence of pmap changes on the simulated MMU.
 * Translations go through the real page tables and the real codec into a
 * per-CPU software TLB that only the mmu_tlb_* operations empty, so these
 * cases see exactly what hardware would: stale translations until the
 * batch ends, and which invalidations were asked for.
 */
#include <kern/errno.h>
#include <ktest/ktest.h>
#include <mm/pmap.h>
#include <mm/pmm.h>
#include <mm/tlb_batch.h>
#include <sim/sim.h>

#define MAXPAGES	40
#define BASE_VA		((vaddr_t)0x10000000)
#define MARK(i)		(0x5a000000u + (i))
#define USER		SIM_ACCESS_USER

struct env {
	struct pmap *pm;
	struct page *f[MAXPAGES];
	unsigned int n;
	unsigned int asid;
	unsigned long free_before;
};

static vaddr_t va_of(unsigned int i)
{
	return BASE_VA + i * PAGE_SIZE;
}

static unsigned int tag(unsigned int want)
{
	return mmu_asid_bits() ? want : 0;
}

/* A frame whose first word says which one it is. */
static struct page *marked_frame(uint32_t mark)
{
	struct page *pg = pmm_alloc(0, 0);

	if (pg)
		*(uint32_t *)sim_ram_ptr(page_to_phys(pg)) = mark;
	return pg;
}

/* A user pmap tagged @asid, active on CPU 0, with @n marked pages. */
static bool env_setup(struct env *e, unsigned int n, unsigned int asid)
{
	e->free_before = pmm_free_count();
	e->n = 0;
	e->asid = tag(asid);
	host_cpu_set(0);
	sim_tlb_reset();
	e->pm = pmap_create();
	if (!e->pm)
		return false;
	e->pm->tlb.asid = e->asid;
	pmap_activate(e->pm);
	for (; e->n < n; e->n++) {
		e->f[e->n] = marked_frame(MARK(e->n));
		if (!e->f[e->n] ||
		    pmap_enter(e->pm, va_of(e->n), page_to_phys(e->f[e->n]),
			       VM_READ | VM_WRITE, NULL))
			return false;
	}
	sim_counters_reset();
	return true;
}

static void env_teardown(struct ktest *t, struct env *e)
{
	host_cpu_set(0);
	pmap_activate(pmap_kernel());
	if (e->pm)
		pmap_destroy(e->pm);
	for (unsigned int i = 0; i < e->n; i++)
		if (e->f[i])
			pmm_free(e->f[i], 0);
	KEXPECT_EQ(t, pmm_free_count(), e->free_before);
}

static bool reads(vaddr_t va, uint32_t expect)
{
	uint32_t v;

	return sim_load32(va, USER, &v) == 0 && v == expect;
}

static void stale_until_batch_end_remove(struct ktest *t)
{
	const struct sim_counters *c = sim_counters(0);
	struct tlb_batch b;
	struct env e;

	KASSERT_TRUE(t, env_setup(&e, 1, 5));
	KEXPECT_TRUE(t, reads(va_of(0), MARK(0)));
	tlb_batch_begin(&b, e.pm);
	pmap_remove(e.pm, va_of(0), PAGE_SIZE, &b);
	/* Unmapped in the tables, still translated by the TLB. */
	KEXPECT_EQ(t, pmap_extract(e.pm, va_of(0), NULL, NULL), -ENOENT);
	KEXPECT_TRUE(t, sim_tlb_holds(0, e.asid, va_of(0)));
	KEXPECT_TRUE(t, reads(va_of(0), MARK(0)));
	KEXPECT_EQ(t, c->page_flushes, 0);
	tlb_batch_end(&b);
	KEXPECT_FALSE(t, reads(va_of(0), MARK(0)));
	KEXPECT_FALSE(t, sim_tlb_holds(0, e.asid, va_of(0)));
	KEXPECT_EQ(t, c->page_flushes, 1);
	KEXPECT_EQ(t, c->nlog, 1);
	KEXPECT_EQ(t, c->log[0].asid, e.asid);
	KEXPECT_EQ(t, c->log[0].va, va_of(0));
	KEXPECT_EQ(t, c->asid_flushes + c->all_flushes, 0);
	env_teardown(t, &e);
}

static void stale_until_batch_end_protect(struct ktest *t)
{
	const struct sim_counters *c = sim_counters(0);
	struct tlb_batch b;
	struct env e;

	KASSERT_TRUE(t, env_setup(&e, 1, 5));
	KEXPECT_EQ(t, sim_store32(va_of(0), USER, 1), 0);
	tlb_batch_begin(&b, e.pm);
	pmap_protect(e.pm, va_of(0), PAGE_SIZE, VM_READ, &b);
	KEXPECT_EQ(t, sim_store32(va_of(0), USER, 2), 0);	/* stale RW */
	tlb_batch_end(&b);
	KEXPECT_EQ(t, sim_store32(va_of(0), USER, 3), -EFAULT);
	KEXPECT_TRUE(t, reads(va_of(0), 2));
	KEXPECT_EQ(t, c->page_flushes, 1);
	KEXPECT_EQ(t, c->asid_flushes, 0);
	env_teardown(t, &e);
}

/* Page flushes for exactly the pages that were mapped, in order; a big
 * removal becomes one ASID flush; an empty one flushes nothing. */
static void exact_invalidations(struct ktest *t)
{
	static const unsigned int flushed[] = { 2, 3, 4, 9, 10, 11 };
	const struct sim_counters *c = sim_counters(0);
	struct tlb_batch b;
	struct env e;

	KASSERT_TRUE(t, env_setup(&e, MAXPAGES, 7));
	for (unsigned int i = 0; i < MAXPAGES; i++)
		KEXPECT_TRUE(t, reads(va_of(i), MARK(i)));
	tlb_batch_begin(&b, e.pm);
	pmap_remove(e.pm, va_of(2), 3 * PAGE_SIZE, &b);
	pmap_remove(e.pm, va_of(9), 3 * PAGE_SIZE, &b);
	pmap_remove(e.pm, va_of(9), PAGE_SIZE, &b);	/* already gone */
	tlb_batch_end(&b);
	KEXPECT_EQ(t, c->page_flushes, ARRAY_SIZE(flushed));
	KASSERT_EQ(t, c->nlog, ARRAY_SIZE(flushed));
	for (unsigned int i = 0; i < ARRAY_SIZE(flushed); i++) {
		KEXPECT_EQ(t, c->log[i].va, va_of(flushed[i]));
		KEXPECT_EQ(t, c->log[i].asid, e.asid);
	}
	KEXPECT_FALSE(t, reads(va_of(3), MARK(3)));
	KEXPECT_FALSE(t, reads(va_of(11), MARK(11)));
	KEXPECT_TRUE(t, reads(va_of(12), MARK(12)));
	sim_counters_reset();
	tlb_batch_begin(&b, e.pm);
	pmap_remove(e.pm, va_of(0), MAXPAGES * PAGE_SIZE, &b);
	tlb_batch_end(&b);
	KEXPECT_EQ(t, c->page_flushes, 0);
	KEXPECT_EQ(t, c->asid_flushes, 1);
	KEXPECT_FALSE(t, reads(va_of(0), MARK(0)));
	sim_counters_reset();
	tlb_batch_begin(&b, e.pm);
	pmap_remove(e.pm, va_of(0), MAXPAGES * PAGE_SIZE, &b);
	tlb_batch_end(&b);
	KEXPECT_EQ(t, c->page_flushes + c->asid_flushes + c->all_flushes, 0);
	env_teardown(t, &e);
}

/* Kernel leaves are global: they hit under any ASID, and a big kernel
 * removal must flush everything, not one ASID. */
static void kernel_global(struct ktest *t)
{
	const vaddr_t kwin = MMU_KERNEL_VA_LAST & ~(vaddr_t)((16u << 20) - 1);
	const vaddr_t top = MMU_KERNEL_VA_LAST & ~(vaddr_t)PAGE_MASK;
	const struct sim_counters *c = sim_counters(0);
	unsigned long tables = pmap_kernel()->tables;
	struct tlb_batch b;
	struct env e;
	uint32_t v;

	KASSERT_TRUE(t, env_setup(&e, 0, 3));
	for (unsigned int i = 0; i < MAXPAGES; i++) {
		e.f[i] = marked_frame(MARK(i));
		KASSERT_NOT_NULL(t, e.f[i]);
		e.n++;
		KEXPECT_EQ(t, pmap_kenter(kwin + i * PAGE_SIZE,
					  page_to_phys(e.f[i]), VM_READ), 0);
	}
	KEXPECT_EQ(t, pmap_kenter(top, page_to_phys(e.f[0]), VM_READ), 0);
	KEXPECT_EQ(t, sim_load32(top, 0, &v), 0);
	KEXPECT_EQ(t, v, MARK(0));
	KEXPECT_EQ(t, sim_load32(kwin, USER, &v), -EFAULT);
	KEXPECT_EQ(t, sim_load32(kwin, 0, &v), 0);
	KEXPECT_TRUE(t, sim_tlb_holds(0, tag(9), kwin));	/* any ASID */
	sim_counters_reset();
	tlb_batch_begin(&b, pmap_kernel());
	pmap_kremove(top, PAGE_SIZE, &b);
	tlb_batch_end(&b);
	KEXPECT_EQ(t, c->page_flushes, 1);
	KEXPECT_EQ(t, c->log[0].va, top);
	KEXPECT_NE(t, sim_load32(top, 0, &v), 0);
	tlb_batch_begin(&b, pmap_kernel());
	pmap_kremove(kwin, MAXPAGES * PAGE_SIZE, &b);
	tlb_batch_end(&b);
	KEXPECT_EQ(t, c->all_flushes, 1);
	KEXPECT_EQ(t, c->asid_flushes, 0);
	KEXPECT_FALSE(t, sim_tlb_holds(0, tag(9), kwin));
	KEXPECT_EQ(t, pmap_kernel()->tables, tables);
	env_teardown(t, &e);
}

/* Tagged TLBs keep each address space's entries apart: removing from one
 * flushes its tag only, and switching back without a flush still hits. */
static void asid_tagging(struct ktest *t)
{
	const struct sim_counters *c = sim_counters(0);
	struct page *other;
	struct pmap *pm2;
	struct tlb_batch b;
	struct env e;

	if (mmu_asid_bits() == 0) {
		ktest_skip(t, "this MMU has no ASIDs");
		return;
	}
	KASSERT_TRUE(t, env_setup(&e, 1, 1));
	KEXPECT_TRUE(t, reads(va_of(0), MARK(0)));
	pm2 = pmap_create();
	other = marked_frame(0xbbbb);
	KASSERT_NOT_NULL(t, pm2);
	KASSERT_NOT_NULL(t, other);
	pm2->tlb.asid = 2;
	KEXPECT_EQ(t, pmap_enter(pm2, va_of(0), page_to_phys(other), VM_READ,
				 NULL), 0);
	pmap_activate(pm2);
	KEXPECT_TRUE(t, reads(va_of(0), 0xbbbb));
	KEXPECT_TRUE(t, sim_tlb_holds(0, 1, va_of(0)));
	KEXPECT_TRUE(t, sim_tlb_holds(0, 2, va_of(0)));
	tlb_batch_begin(&b, pm2);
	pmap_remove(pm2, va_of(0), PAGE_SIZE, &b);
	tlb_batch_end(&b);
	KEXPECT_EQ(t, c->log[0].asid, 2);
	KEXPECT_FALSE(t, sim_tlb_holds(0, 2, va_of(0)));
	KEXPECT_TRUE(t, sim_tlb_holds(0, 1, va_of(0)));
	/* What the ASID layer does for a tag that is still current. */
	mmu_root_activate(e.pm->root_pa, e.asid, false);
	sim_counters_reset();
	KEXPECT_TRUE(t, reads(va_of(0), MARK(0)));
	KEXPECT_EQ(t, c->walks, 0);
	pmap_activate(pmap_kernel());
	pmap_destroy(pm2);
	pmm_free(other, 0);
	env_teardown(t, &e);
}

/* A new frame under a live leaf: arm64 breaks, flushes, then makes (the
 * new frame is visible at once); x86 rewrites in place and the old frame
 * stays reachable until the batch ends. */
static void replace_live_leaf(struct ktest *t)
{
	const struct sim_counters *c = sim_counters(0);
	struct page *newf;
	struct tlb_batch b;
	struct env e;

	KASSERT_TRUE(t, env_setup(&e, 1, 4));
	newf = marked_frame(0xcccc);
	KASSERT_NOT_NULL(t, newf);
	e.f[e.n++] = newf;	/* freed by env_teardown */
	KEXPECT_TRUE(t, reads(va_of(0), MARK(0)));
	tlb_batch_begin(&b, e.pm);
	KEXPECT_EQ(t, pmap_enter(e.pm, va_of(0), page_to_phys(newf),
				 VM_READ, &b), 0);
	if (MMU_BBM_REQUIRED) {
		KEXPECT_EQ(t, c->page_flushes, 1);
		KEXPECT_TRUE(t, reads(va_of(0), 0xcccc));
	} else {
		KEXPECT_EQ(t, c->page_flushes, 0);
		KEXPECT_TRUE(t, reads(va_of(0), MARK(0)));
	}
	tlb_batch_end(&b);
	KEXPECT_TRUE(t, reads(va_of(0), 0xcccc));
	KEXPECT_EQ(t, c->page_flushes, 1);
	KEXPECT_EQ(t, c->bbm_violations, 0);
	KEXPECT_EQ(t, e.f[0]->mapcount, 0);
	KEXPECT_EQ(t, newf->mapcount, 1);
	env_teardown(t, &e);
}

/* Same frame, new memory type: arm64 breaks before making here too. */
static void retype_live_leaf(struct ktest *t)
{
	const struct sim_counters *c = sim_counters(0);
	struct tlb_batch b;
	unsigned int prot;
	struct env e;

	KASSERT_TRUE(t, env_setup(&e, 1, 4));
	KEXPECT_TRUE(t, reads(va_of(0), MARK(0)));
	tlb_batch_begin(&b, e.pm);
	KEXPECT_EQ(t, pmap_enter(e.pm, va_of(0), page_to_phys(e.f[0]),
				 VM_READ | VM_WRITE | VM_CACHE_UC, &b), 0);
	KEXPECT_EQ(t, c->page_flushes, MMU_BBM_REQUIRED ? 1 : 0);
	tlb_batch_end(&b);
	KEXPECT_EQ(t, c->page_flushes, 1);
	KEXPECT_EQ(t, pmap_extract(e.pm, va_of(0), NULL, &prot), 0);
	KEXPECT_EQ(t, prot & VM_CACHE_MASK, VM_CACHE_UC);
	KEXPECT_EQ(t, e.f[0]->mapcount, 1);
	env_teardown(t, &e);
}

/* The simulator's own break-before-make check notices a direct
 * valid -> valid rewrite to another frame. */
static void bbm_checker(struct ktest *t)
{
	const struct sim_counters *c = sim_counters(0);
	unsigned long before = pmm_free_count();
	struct page *pg;
	mmu_pte_t *slot;

	if (!MMU_BBM_REQUIRED) {
		ktest_skip(t, "this MMU does not need break-before-make");
		return;
	}
	pg = pmm_alloc(0, PMM_ZERO);
	KASSERT_NOT_NULL(t, pg);
	slot = page_to_virt(pg);
	sim_counters_reset();
	mmu_pte_store(slot, mmu_pte_make_leaf(0x1000, VM_READ, 0));
	mmu_pte_store(slot, mmu_pte_make_leaf(0x1000, VM_READ | VM_WRITE, 0));
	KEXPECT_EQ(t, c->bbm_violations, 0);
	mmu_pte_store(slot, mmu_pte_make_leaf(0x2000, VM_READ, 0));
	KEXPECT_EQ(t, c->bbm_violations, 1);
	mmu_pte_store(slot, MMU_PTE_INVALID);
	mmu_pte_store(slot, mmu_pte_make_leaf(0x3000, VM_READ, 0));
	KEXPECT_EQ(t, c->bbm_violations, 1);
	pmm_free(pg, 0);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* Local invalidation is local: another CPU's TLB keeps its entry (what
 * tlb_shootdown in smp/ exists for). */
static void flushes_are_cpu_local(struct ktest *t)
{
	struct env e;

	KASSERT_TRUE(t, env_setup(&e, 1, 6));
	KEXPECT_TRUE(t, reads(va_of(0), MARK(0)));
	host_cpu_set(1);
	pmap_activate(e.pm);
	KEXPECT_TRUE(t, reads(va_of(0), MARK(0)));
	host_cpu_set(0);
	mmu_tlb_flush_page_local(e.asid, va_of(0));
	KEXPECT_FALSE(t, sim_tlb_holds(0, e.asid, va_of(0)));
	KEXPECT_TRUE(t, sim_tlb_holds(1, e.asid, va_of(0)));
	host_cpu_set(1);
	pmap_activate(pmap_kernel());
	env_teardown(t, &e);
}

KTEST_SUITE(sim_tlb,
	    KTEST_CASE(stale_until_batch_end_remove),
	    KTEST_CASE(stale_until_batch_end_protect),
	    KTEST_CASE(exact_invalidations),
	    KTEST_CASE(kernel_global),
	    KTEST_CASE(asid_tagging),
	    KTEST_CASE(replace_live_leaf),
	    KTEST_CASE(retype_live_leaf),
	    KTEST_CASE(bbm_checker),
	    KTEST_CASE(flushes_are_cpu_local));
