/*
 * Suite sim_pmap: the walker checked from the hardware's side. The
 * simulated MMU translates through the tables pmap built, and
 * sim_table_fingerprint() hashes every table reachable from a root, so
 * "nothing changed" means no entry anywhere changed.
 */
#include <kern/errno.h>
#include <ktest/ktest.h>
#include <mm/pmap.h>
#include <mm/pmm.h>
#include <mm/tlb_batch.h>
#include <mm/vm.h>
#include <smp/tlb.h>
#include <sim/sim.h>

#define TOP		(MMU_LEVELS - 1)
#define NPAGES		16
#define MARK(i)		(0x7e000000u + (i))
#define USER		SIM_ACCESS_USER
#define PATH_TABLES	(TOP - MMU_ROOT_PREALLOC)

/* NPAGES straddling the second root slot: every level changes table. */
static vaddr_t va_of(unsigned int i)
{
	return ((vaddr_t)1 << mmu_level_shift(TOP)) +
	       ((vaddr_t)i - NPAGES / 2) * PAGE_SIZE;
}

static unsigned int prot_of(unsigned int i)
{
	static const unsigned int p[] = {
		VM_READ, VM_READ | VM_WRITE, VM_READ | VM_EXEC,
		VM_READ | VM_WRITE | VM_EXEC,
	};

	return p[i % ARRAY_SIZE(p)];
}

static bool map_marked(struct pmap *pm, struct page **f, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		f[i] = pmm_alloc(0, 0);
		if (!f[i])
			return false;
		*(uint32_t *)sim_ram_ptr(page_to_phys(f[i])) = MARK(i);
		if (pmap_enter(pm, va_of(i), page_to_phys(f[i]), prot_of(i), NULL))
			return false;
	}
	return true;
}

static void unmap_and_free(struct pmap *pm, struct page **f, unsigned int n)
{
	struct tlb_batch b;

	tlb_batch_begin(&b, pm);
	pmap_remove(pm, va_of(0), n * PAGE_SIZE, &b);
	for (unsigned int i = 0; i < n; i++)
		if (f[i])
			tlb_batch_defer_free(&b, f[i]);
	tlb_batch_end(&b);
}

/* The MMU finds every page through the tables pmap built and enforces
 * the permissions the codec encoded. */
static void translations(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	struct page *f[NPAGES] = { NULL };
	struct pmap *pm = pmap_create();
	uint32_t v;

	KASSERT_NOT_NULL(t, pm);
	host_cpu_set(0);
	sim_tlb_reset();
	pmap_activate(pm);
	KASSERT_TRUE(t, map_marked(pm, f, NPAGES));
	for (unsigned int i = 0; i < NPAGES; i++) {
		unsigned int prot = prot_of(i);

		KEXPECT_EQ(t, sim_load32(va_of(i) + 8, USER, &v), 0);
		KEXPECT_EQ(t, v, *(uint32_t *)((char *)sim_ram_ptr(
					page_to_phys(f[i])) + 8));
		KEXPECT_EQ(t, sim_load32(va_of(i), USER, &v), 0);
		KEXPECT_EQ(t, v, MARK(i));
		KEXPECT_EQ(t, sim_store32(va_of(i) + 4, USER, 1) == 0,
			   (prot & VM_WRITE) != 0);
		KEXPECT_EQ(t, sim_load32(va_of(i), USER | SIM_ACCESS_EXEC, &v) == 0,
			   (prot & VM_EXEC) != 0);
	}
	KEXPECT_NE(t, sim_load32(va_of(NPAGES), USER, &v), 0);
	pmap_activate(pmap_kernel());
	unmap_and_free(pm, f, NPAGES);
	pmap_destroy(pm);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* Map and unmap: the tables come back bit for bit to the empty pmap's. */
static void reclaim_restores_tables(struct ktest *t)
{
	enum { BIG = 600 };	/* spans two level-0 tables */
	unsigned long before = pmm_free_count();
	struct page *f[NPAGES] = { NULL };
	struct pmap *pm = pmap_create();
	struct page *frame = pmm_alloc(0, 0);
	struct tlb_batch b;
	uint64_t empty;

	KASSERT_NOT_NULL(t, pm);
	KASSERT_NOT_NULL(t, frame);
	empty = sim_table_fingerprint(pm->root_pa);
	KASSERT_TRUE(t, map_marked(pm, f, NPAGES));
	for (unsigned int i = 0; i < BIG; i++)
		KEXPECT_EQ(t, pmap_enter(pm, 0x200000 + (vaddr_t)i * PAGE_SIZE,
					 page_to_phys(frame), VM_READ, NULL), 0);
	KEXPECT_EQ(t, frame->mapcount, BIG);
	KEXPECT_NE(t, sim_table_fingerprint(pm->root_pa), empty);
	unmap_and_free(pm, f, NPAGES);
	tlb_batch_begin(&b, pm);
	pmap_remove(pm, 0x200000, BIG * PAGE_SIZE, &b);
	tlb_batch_end(&b);
	KEXPECT_EQ(t, sim_table_fingerprint(pm->root_pa), empty);
	KEXPECT_EQ(t, frame->mapcount, 0);
	pmm_free(frame, 0);
	pmap_destroy(pm);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* Fail the n-th table allocation for every n, in a user pmap and in the
 * kernel pmap: -ENOMEM, identical tables, identical free count. */
static void fault_injection_leaves_tables_identical(struct ktest *t)
{
	/* Halfway up the kernel half: nothing is mapped around it yet. */
	const vaddr_t kva = (MMU_KERNEL_VA_BASE + (MMU_KERNEL_VA_LAST -
			     MMU_KERNEL_VA_BASE) / 2) & ~(vaddr_t)0x1fffff;
	unsigned long before = pmm_free_count();
	struct pmap *pm = pmap_create();
	struct page *frame = pmm_alloc(0, 0);
	struct pmap *targets[2] = { pm, pmap_kernel() };
	vaddr_t vas[2] = { va_of(0), kva };

	KASSERT_NOT_NULL(t, pm);
	KASSERT_NOT_NULL(t, frame);
	for (unsigned int k = 0; k < 2; k++) {
		struct pmap *p = targets[k];
		uint64_t fp = sim_table_fingerprint(p->root_pa);
		unsigned long free = pmm_free_count();
		unsigned int failures = 0;
		struct tlb_batch b;
		int err = -ENOMEM;

		for (unsigned int n = 1; err == -ENOMEM && n <= MMU_LEVELS; n++) {
			pmm_fault_inject_nth(n);
			err = pmap_enter(p, vas[k], page_to_phys(frame), VM_READ,
					 NULL);
			if (!pmm_fault_inject_fired())
				break;
			failures++;
			KEXPECT_EQ(t, err, -ENOMEM);
			KEXPECT_EQ(t, sim_table_fingerprint(p->root_pa), fp);
			KEXPECT_EQ(t, pmm_free_count(), free);
		}
		pmm_fault_inject_nth(0);
		KEXPECT_EQ(t, err, 0);
		KEXPECT_GT(t, failures, 0);
		tlb_batch_begin(&b, p);
		pmap_remove(p, vas[k], PAGE_SIZE, &b);
		tlb_batch_end(&b);
		KEXPECT_EQ(t, sim_table_fingerprint(p->root_pa), fp);
	}
	pmm_free(frame, 0);
	pmap_destroy(pm);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* Destroying a pmap that still maps pages flushes its whole ASID. */
static void destroy_flushes_asid(struct ktest *t)
{
	const struct sim_counters *c = sim_counters(0);
	unsigned long before = pmm_free_count();
	struct page *f[4] = { NULL };
	struct pmap *pm = pmap_create();
	uint32_t v;

	KASSERT_NOT_NULL(t, pm);
	host_cpu_set(0);
	sim_tlb_reset();
	pmap_activate(pm);
	KASSERT_TRUE(t, map_marked(pm, f, 4));
	KEXPECT_EQ(t, sim_load32(va_of(0), USER, &v), 0);
	pmap_activate(pmap_kernel());
	sim_counters_reset();
	pmap_destroy(pm);
	KEXPECT_EQ(t, c->asid_flushes, 1);
	KEXPECT_EQ(t, c->page_flushes, 0);
	for (unsigned int i = 0; i < 4; i++) {
		KEXPECT_EQ(t, f[i]->mapcount, 0);
		pmm_free(f[i], 0);
	}
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* The last page below the user limit maps and unmaps like any other. */
static void user_top_page(struct ktest *t)
{
	const vaddr_t top = MMU_USER_VA_END - PAGE_SIZE;
	unsigned long before = pmm_free_count();
	struct pmap *pm = pmap_create();
	struct page *frame = pmm_alloc(0, 0);
	struct tlb_batch b;
	paddr_t pa;

	KASSERT_NOT_NULL(t, pm);
	KASSERT_NOT_NULL(t, frame);
	KEXPECT_EQ(t, pmap_enter(pm, top, page_to_phys(frame), VM_READ, NULL), 0);
	KEXPECT_EQ(t, pmap_extract(pm, top + PAGE_SIZE - 1, &pa, NULL), 0);
	KEXPECT_EQ(t, pa, page_to_phys(frame) + PAGE_SIZE - 1);
	tlb_batch_begin(&b, pm);
	pmap_remove(pm, top - PAGE_SIZE, 2 * PAGE_SIZE, &b);
	tlb_batch_end(&b);
	KEXPECT_EQ(t, pmap_extract(pm, top, NULL, NULL), -ENOENT);
	pmm_free(frame, 0);
	pmap_destroy(pm);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* i686: user frames may live above the direct map; only the tables must
 * be direct-mapped. */
static void high_frames(struct ktest *t)
{
	struct pmm_zone_stats high;
	unsigned long before = pmm_free_count();
	struct page *f[1] = { NULL };
	struct pmap *pm;
	uint32_t v;

	pmm_zone_stats(PMM_ZONE_HIGH, &high);
	if (high.managed == 0) {
		ktest_skip(t, "no memory above the direct map");
		return;
	}
	pm = pmap_create();
	KASSERT_NOT_NULL(t, pm);
	host_cpu_set(0);
	pmap_activate(pm);
	KASSERT_TRUE(t, map_marked(pm, f, 1));
	KEXPECT_FALSE(t, pmm_phys_is_direct(page_to_phys(f[0])));
	KEXPECT_EQ(t, sim_load32(va_of(0), USER, &v), 0);
	KEXPECT_EQ(t, v, MARK(0));
	pmap_activate(pmap_kernel());
	unmap_and_free(pm, f, 1);
	pmap_destroy(pm);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* The table at @level on the path to @va (which must exist). */
static mmu_pte_t *table_at(struct pmap *pm, vaddr_t va, unsigned int level)
{
	mmu_pte_t *table = pm->root;

	for (unsigned int l = TOP; l > level; l--)
		table = pmm_phys_to_virt(mmu_pte_paddr(
				table[mmu_level_index(va, l)], l));
	return table;
}

/* A 2 MiB block (as boot code builds them; pmap_enter makes none) is
 * extracted, translated, protected and removed whole, as one range. */
static void block_leaves(struct ktest *t)
{
	const vaddr_t page_va = 0x40000000, block_va = page_va + 0x200000;
	const struct sim_counters *c = sim_counters(0);
	unsigned long before = pmm_free_count();
	struct pmap *pm = pmap_create();
	struct page *blk = pmm_alloc(9, 0), *frame = pmm_alloc(0, 0);
	struct tlb_batch b;
	mmu_pte_t *pd;
	unsigned int prot;
	paddr_t pa;
	uint32_t v;

	KASSERT_NOT_NULL(t, pm);
	KASSERT_TRUE(t, blk && frame);
	KEXPECT_EQ(t, pmap_enter(pm, page_va, page_to_phys(frame), VM_READ,
				 NULL), 0);
	pd = table_at(pm, block_va, 1);
	mmu_pte_store(&pd[mmu_level_index(block_va, 1)],
		      mmu_pte_make_leaf(page_to_phys(blk), VM_READ | VM_WRITE |
					VM_USER, 1));
	page_from_virt(pd)->count++;	/* what the boot-table adoption counts */
	pm->resident++;
	*(uint32_t *)sim_ram_ptr(page_to_phys(blk) + 0x12340) = 0xb10c;
	KEXPECT_EQ(t, pmap_extract(pm, block_va + 0x12345, &pa, &prot), 0);
	KEXPECT_EQ(t, pa, page_to_phys(blk) + 0x12345);
	KEXPECT_EQ(t, prot, VM_READ | VM_WRITE | VM_USER);
	host_cpu_set(0);
	sim_tlb_reset();
	pmap_activate(pm);
	KEXPECT_EQ(t, sim_load32(block_va + 0x12340, USER, &v), 0);
	KEXPECT_EQ(t, v, 0xb10c);
	sim_counters_reset();
	tlb_batch_begin(&b, pm);
	pmap_protect(pm, block_va, 0x200000, VM_READ, &b);
	KEXPECT_GT(t, b.npages, tlb_ceiling());	/* 512: one tag flush */
	tlb_batch_end(&b);
	KEXPECT_EQ(t, c->asid_flushes, 1);
	KEXPECT_NE(t, sim_store32(block_va + 0x12340, USER, 1), 0);
	tlb_batch_begin(&b, pm);
	pmap_remove(pm, page_va, 0x400000, &b);
	tlb_batch_end(&b);
	KEXPECT_EQ(t, pm->resident, 0);
	KEXPECT_EQ(t, pm->tables, 1 + (MMU_ROOT_PREALLOC ? 3 : 0));
	KEXPECT_NE(t, sim_load32(block_va + 0x12340, USER, &v), 0);
	pmap_activate(pmap_kernel());
	pmap_destroy(pm);
	pmm_free(blk, 9);
	pmm_free(frame, 0);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/*
 * pmap_remove_release: each managed frame's reference goes through the
 * batch and drops after the flush; a frame someone else also holds keeps
 * that reference, the zero page keeps its own. @inject fails the batch's
 * @inject-th chunk allocation (0: none): it must flush early, never drop
 * a reference whose entry is still in a TLB, and still end in one batch.
 */
static void release_once(struct ktest *t, unsigned long inject)
{
	enum { N = 700, BASE_VA = 0x200000 };	/* > inline + one chunk */
	static struct page *f[N];
	const struct sim_counters *c = sim_counters(0);
	unsigned long before = pmm_free_count(), held = 0;
	struct page *zero = vm_zero_page();
	struct tlb_batch_stats s0, s1;
	int32_t zero_refs = zero->refcount, zero_maps = zero->mapcount;
	struct pmap *pm = pmap_create();
	struct tlb_batch b;
	uint32_t v;

	KASSERT_NOT_NULL(t, pm);
	host_cpu_set(0);
	sim_tlb_reset();
	pmap_activate(pm);
	for (unsigned int i = 0; i < N; i++) {
		f[i] = pmm_alloc(0, 0);
		KASSERT_NOT_NULL(t, f[i]);
		KASSERT_EQ(t, pmap_enter(pm, BASE_VA + (vaddr_t)i * PAGE_SIZE,
					 page_to_phys(f[i]), VM_READ, NULL), 0);
		if (i % 3 == 0) {
			page_ref_get(f[i]);	/* another space's */
			held++;
		}
	}
	/* Downwards: the TLB (SIM_TLB_ENTRIES) ends up holding the lowest
	 * pages, whose references are the ones an early flush drops. */
	for (unsigned int i = N; i-- > 0;)
		KEXPECT_EQ(t, sim_load32(BASE_VA + (vaddr_t)i * PAGE_SIZE,
					 USER, &v), 0);
	KEXPECT_TRUE(t, sim_tlb_holds(0, (unsigned int)pm->tlb.asid, BASE_VA));
	KASSERT_EQ(t, pmap_enter(pm, BASE_VA + (vaddr_t)N * PAGE_SIZE,
				 page_to_phys(zero), VM_READ, NULL), 0);
	tlb_batch_stats(0, &s0);
	sim_counters_reset();
	pmm_fault_inject_nth(inject);
	tlb_batch_begin(&b, pm);
	pmap_remove_release(pm, BASE_VA, (N + 1) * PAGE_SIZE, &b);
	KEXPECT_EQ(t, pmm_fault_inject_fired(), inject != 0);
	pmm_fault_inject_nth(0);
	tlb_batch_stats(0, &s1);
	if (inject) {
		/* The early round flushed, then freed some frames. */
		KEXPECT_GT(t, c->asid_flushes + c->page_flushes, 0);
		KEXPECT_GT(t, s1.frames_freed, s0.frames_freed);
	} else {
		KEXPECT_EQ(t, c->asid_flushes + c->page_flushes, 0);
		KEXPECT_EQ(t, s1.frames_freed, s0.frames_freed);
	}
	/* Nothing dropped yet is still reachable through a TLB. */
	for (unsigned int i = 0; i < N; i++)
		if (f[i]->refcount == 0 || (i % 3 == 0 && f[i]->refcount == 1))
			KEXPECT_FALSE(t, sim_tlb_holds(0, (unsigned int)pm->tlb.asid,
					BASE_VA + (vaddr_t)i * PAGE_SIZE));
	tlb_batch_end(&b);
	tlb_batch_stats(0, &s1);
	KEXPECT_EQ(t, s1.batches - s0.batches, 1);
	KEXPECT_EQ(t, (s1.frames_freed - s1.tables_freed) -
		   (s0.frames_freed - s0.tables_freed), N - held);
	KEXPECT_EQ(t, zero->refcount, zero_refs);
	KEXPECT_EQ(t, zero->mapcount, zero_maps);
	for (unsigned int i = 0; i < N; i += 3) {
		KEXPECT_EQ(t, f[i]->refcount, 1);
		KEXPECT_EQ(t, f[i]->mapcount, 0);
		pmm_free(f[i], 0);
	}
	KEXPECT_EQ(t, pm->resident, 0);
	pmap_activate(pmap_kernel());
	pmap_destroy(pm);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

static void remove_release(struct ktest *t)
{
	KASSERT_EQ(t, vm_init(), 0);
	for (unsigned long n = 0; n <= 2; n++)
		release_once(t, n);
}

KTEST_SUITE(sim_pmap,
	    KTEST_CASE(translations),
	    KTEST_CASE(reclaim_restores_tables),
	    KTEST_CASE(fault_injection_leaves_tables_identical),
	    KTEST_CASE(destroy_flushes_asid),
	    KTEST_CASE(user_top_page),
	    KTEST_CASE(block_leaves),
	    KTEST_CASE(high_frames),
	    KTEST_CASE(remove_release));
