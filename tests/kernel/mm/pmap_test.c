/*
 * Suite pmap: the MI walker on user pmaps that are never activated, so it
 * runs on any CPU of any guest. The test range straddles a root-slot
 * boundary, so it crosses a table boundary at every level. Every case
 * ends with pmm_free_count() where it started.
 */
#include <kern/errno.h>
#include <ktest/ktest.h>
#include <ktest/ktest_mm.h>
#include <mm/kheap.h>
#include <mm/pmap.h>
#include <mm/pmm.h>
#include <mm/tlb_batch.h>

#define TOP		(MMU_LEVELS - 1)
#define NPAGES		16
/* Tables a fresh pmap holds: the root, plus PAE's page directories. */
#define BASE_TABLES	(1 + (MMU_ROOT_PREALLOC ? \
			 (MMU_USER_VA_END >> mmu_level_shift(TOP)) : 0))
/* Tables one new leaf far from others needs: one per level below the
 * root, except PAE's preallocated directories. */
#define PATH_TABLES	(TOP - MMU_ROOT_PREALLOC)

/* First page of the range: NPAGES / 2 pages below the second root slot. */
static vaddr_t range_base(void)
{
	return ((vaddr_t)1 << mmu_level_shift(TOP)) - NPAGES / 2 * PAGE_SIZE;
}

static vaddr_t page_va(unsigned int i)
{
	return range_base() + i * PAGE_SIZE;
}

static unsigned int prot_of(unsigned int i)
{
	return (i & 1) ? VM_READ : VM_READ | VM_WRITE;
}

/* Runs of consecutive pages whose entry changes when protected to @prot
 * (what a batch records); *@changed gets the number of such pages. */
static unsigned int protect_runs(unsigned int prot, unsigned int *changed)
{
	unsigned int runs = 0;
	bool prev = false;

	*changed = 0;
	for (unsigned int i = 0; i < NPAGES; i++) {
		bool c = ktest_flags_as_mapped(prot_of(i) | VM_USER) !=
			 ktest_flags_as_mapped(prot | VM_USER);

		*changed += c;
		runs += c && !prev;
		prev = c;
	}
	return runs;
}

static bool alloc_frames(struct page **f, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		f[i] = pmm_alloc(0, 0);
		if (!f[i]) {
			while (i-- > 0)
				pmm_free(f[i], 0);
			return false;
		}
	}
	return true;
}

static void free_frames(struct page **f, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		pmm_free(f[i], 0);
}

static void create_destroy(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	struct pmap *pm = pmap_create();

	KASSERT_NOT_NULL(t, pm);
	KEXPECT_EQ(t, pm->tables, BASE_TABLES);
	KEXPECT_EQ(t, pm->resident, 0);
	KEXPECT_EQ(t, pmap_extract(pm, page_va(0), NULL, NULL), -ENOENT);
	pmap_destroy(pm);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* Map, extract, protect, remove across every level boundary; tables are
 * reclaimed as they empty, and only after the batch ends. */
static void round_trip(struct ktest *t)
{
	unsigned long before = pmm_free_count(), before_end;
	struct page *f[NPAGES];
	struct tlb_batch b;
	struct pmap *pm;
	unsigned int prot, changed;
	paddr_t pa;

	KASSERT_TRUE(t, alloc_frames(f, NPAGES));
	pm = pmap_create();
	KASSERT_NOT_NULL(t, pm);
	for (unsigned int i = 0; i < NPAGES; i++)
		KEXPECT_EQ(t, pmap_enter(pm, page_va(i), page_to_phys(f[i]),
					 prot_of(i), NULL), 0);
	KEXPECT_EQ(t, pm->resident, NPAGES);
	KEXPECT_EQ(t, pm->tables, BASE_TABLES + 2 * PATH_TABLES);
	for (unsigned int i = 0; i < NPAGES; i++) {
		KEXPECT_EQ(t, pmap_extract(pm, page_va(i) + 0x123, &pa, &prot), 0);
		KEXPECT_EQ(t, pa, page_to_phys(f[i]) + 0x123);
		KEXPECT_EQ(t, prot, ktest_flags_as_mapped(prot_of(i) | VM_USER));
		KEXPECT_EQ(t, f[i]->mapcount, 1);
	}
	tlb_batch_begin(&b, pm);
	pmap_protect(pm, page_va(0), NPAGES * PAGE_SIZE, VM_READ | VM_EXEC, &b);
	/* Only entries that change are batched (all, where the MMU has
	 * no-execute; every other page otherwise). */
	KEXPECT_EQ(t, b.nranges, protect_runs(VM_READ | VM_EXEC, &changed));
	KEXPECT_EQ(t, b.npages, changed);
	tlb_batch_end(&b);
	for (unsigned int i = 0; i < NPAGES; i++) {
		KEXPECT_EQ(t, pmap_extract(pm, page_va(i), NULL, &prot), 0);
		KEXPECT_EQ(t, prot, VM_READ | VM_EXEC | VM_USER);
	}
	tlb_batch_begin(&b, pm);
	pmap_remove(pm, page_va(0), NPAGES * PAGE_SIZE, &b);
	KEXPECT_EQ(t, pm->resident, 0);
	KEXPECT_EQ(t, pm->tables, BASE_TABLES);
	before_end = pmm_free_count();
	tlb_batch_end(&b);
	KEXPECT_EQ(t, pmm_free_count(), before_end + 2 * PATH_TABLES);
	for (unsigned int i = 0; i < NPAGES; i++) {
		KEXPECT_EQ(t, pmap_extract(pm, page_va(i), NULL, NULL), -ENOENT);
		KEXPECT_EQ(t, f[i]->mapcount, 0);
	}
	pmap_destroy(pm);
	free_frames(f, NPAGES);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* Removing half the range frees exactly the tables of that half. */
static void partial_remove(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	struct page *f[NPAGES];
	struct tlb_batch b;
	struct pmap *pm;

	KASSERT_TRUE(t, alloc_frames(f, NPAGES));
	pm = pmap_create();
	KASSERT_NOT_NULL(t, pm);
	for (unsigned int i = 0; i < NPAGES; i++)
		KEXPECT_EQ(t, pmap_enter(pm, page_va(i), page_to_phys(f[i]),
					 VM_READ, NULL), 0);
	tlb_batch_begin(&b, pm);
	/* Leave one page in the lower half: its tables stay. */
	pmap_remove(pm, page_va(1), (NPAGES - 1) * PAGE_SIZE, &b);
	tlb_batch_end(&b);
	KEXPECT_EQ(t, pm->tables, BASE_TABLES + PATH_TABLES);
	KEXPECT_EQ(t, pmap_extract(pm, page_va(0), NULL, NULL), 0);
	KEXPECT_EQ(t, pmap_extract(pm, page_va(1), NULL, NULL), -ENOENT);
	pmap_destroy(pm);
	KEXPECT_EQ(t, f[0]->mapcount, 0);
	free_frames(f, NPAGES);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

static void bad_arguments(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	struct pmap *pm = pmap_create();
	struct tlb_batch b;
	paddr_t pa = 0x100000;

	KASSERT_NOT_NULL(t, pm);
	KEXPECT_EQ(t, pmap_enter(pm, page_va(0) + 8, pa, VM_READ, NULL), -EINVAL);
	KEXPECT_EQ(t, pmap_enter(pm, page_va(0), pa + 8, VM_READ, NULL), -EINVAL);
	KEXPECT_EQ(t, pmap_enter(pm, MMU_USER_VA_END, pa, VM_READ, NULL), -EINVAL);
	KEXPECT_EQ(t, pmap_enter(pm, page_va(0), pa, 0, NULL), -EINVAL);
	KEXPECT_EQ(t, pmap_enter(pm, page_va(0), pa,
				 VM_READ | VM_EXEC | VM_CACHE_DEVICE, NULL),
		   -EINVAL);
	tlb_batch_begin(&b, pmap_kernel());
	KEXPECT_EQ(t, pmap_enter(pm, page_va(0), pa, VM_READ, &b), -EINVAL);
	tlb_batch_end(&b);
	KEXPECT_EQ(t, pm->tables, BASE_TABLES);
	pmap_destroy(pm);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* A valid leaf is only replaced through a batch; mapcounts follow. */
static void replace_mapping(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	struct page *f[2];
	struct tlb_batch b;
	struct pmap *pm;
	paddr_t pa;

	KASSERT_TRUE(t, alloc_frames(f, 2));
	pm = pmap_create();
	KASSERT_NOT_NULL(t, pm);
	KEXPECT_EQ(t, pmap_enter(pm, page_va(3), page_to_phys(f[0]), VM_READ,
				 NULL), 0);
	KEXPECT_EQ(t, pmap_enter(pm, page_va(3), page_to_phys(f[1]), VM_READ,
				 NULL), -EEXIST);
	tlb_batch_begin(&b, pm);
	KEXPECT_EQ(t, pmap_enter(pm, page_va(3), page_to_phys(f[1]),
				 VM_READ | VM_WRITE, &b), 0);
	tlb_batch_end(&b);
	KEXPECT_EQ(t, pmap_extract(pm, page_va(3), &pa, NULL), 0);
	KEXPECT_EQ(t, pa, page_to_phys(f[1]));
	KEXPECT_EQ(t, f[0]->mapcount, 0);
	KEXPECT_EQ(t, f[1]->mapcount, 1);
	KEXPECT_EQ(t, pm->resident, 1);
	pmap_destroy(pm);
	free_frames(f, 2);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* Fail the n-th page-table allocation of a pmap_enter for every n: each
 * failure returns -ENOMEM with the pmap and the pmm exactly as before. */
static void enter_fault_injection(struct ktest *t)
{
	unsigned long before = pmm_free_count(), mid;
	unsigned int failures = 0;
	struct page *f[2];
	struct tlb_batch b;
	struct pmap *pm;
	paddr_t pa;

	KASSERT_TRUE(t, alloc_frames(f, 2));
	pm = pmap_create();
	KASSERT_NOT_NULL(t, pm);
	KEXPECT_EQ(t, pmap_enter(pm, page_va(0), page_to_phys(f[0]), VM_READ,
				 NULL), 0);
	mid = pmm_free_count();
	for (unsigned int n = 1; n <= MMU_LEVELS + 1; n++) {
		int err;

		pmm_fault_inject_nth(n);
		err = pmap_enter(pm, page_va(NPAGES - 1), page_to_phys(f[1]),
				 VM_READ, NULL);
		if (!pmm_fault_inject_fired()) {
			KEXPECT_EQ(t, err, 0);
			break;
		}
		failures++;
		KEXPECT_EQ(t, err, -ENOMEM);
		KEXPECT_EQ(t, pmm_free_count(), mid);
		KEXPECT_EQ(t, pm->tables, BASE_TABLES + PATH_TABLES);
		KEXPECT_EQ(t, pm->resident, 1);
		KEXPECT_EQ(t, f[1]->mapcount, 0);
		KEXPECT_EQ(t, pmap_extract(pm, page_va(NPAGES - 1), NULL, NULL),
			   -ENOENT);
		KEXPECT_EQ(t, pmap_extract(pm, page_va(0), &pa, NULL), 0);
		KEXPECT_EQ(t, pa, page_to_phys(f[0]));
	}
	pmm_fault_inject_nth(0);
	KEXPECT_EQ(t, failures, PATH_TABLES);
	KEXPECT_EQ(t, pmap_extract(pm, page_va(NPAGES - 1), &pa, NULL), 0);
	tlb_batch_begin(&b, pm);
	pmap_remove(pm, page_va(0), NPAGES * PAGE_SIZE, &b);
	tlb_batch_end(&b);
	pmap_destroy(pm);
	free_frames(f, 2);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* pmap_copy's callback in these cases: count the frames reported. */
static void count_entered(paddr_t pa, void *arg)
{
	(void)pa;
	(*(unsigned int *)arg)++;
}

/* Map pages 0, 1 and NPAGES - 1 of the range in @pm (across every table
 * boundary, with empty stretches between), with prot_of(i). */
static void map_sparse(struct ktest *t, struct pmap *pm, struct page **f)
{
	static const unsigned int at[3] = { 0, 1, NPAGES - 1 };

	for (unsigned int k = 0; k < 3; k++)
		KEXPECT_EQ(t, pmap_enter(pm, page_va(at[k]),
					 page_to_phys(f[k]), prot_of(at[k]),
					 NULL), 0);
}

static void unmap_all(struct pmap *pm)
{
	struct tlb_batch b;

	tlb_batch_begin(&b, pm);
	pmap_remove(pm, page_va(0), NPAGES * PAGE_SIZE, &b);
	tlb_batch_end(&b);
}

/* pmap_copy copies exactly what is mapped, read-only on request, reports
 * each frame once, and leaves the source untouched. */
static void copy_sparse(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	struct pmap *src, *dst;
	unsigned int entered = 0, prot;
	struct page *f[3];
	paddr_t pa;

	KASSERT_TRUE(t, alloc_frames(f, 3));
	src = pmap_create();
	dst = pmap_create();
	KASSERT_TRUE(t, src && dst);
	map_sparse(t, src, f);
	KEXPECT_EQ(t, pmap_copy(dst, src, page_va(0), NPAGES * PAGE_SIZE, true,
				count_entered, &entered), 0);
	KEXPECT_EQ(t, entered, 3);
	KEXPECT_EQ(t, dst->resident, 3);
	KEXPECT_EQ(t, dst->tables, src->tables);
	KEXPECT_EQ(t, f[0]->mapcount, 2);
	KEXPECT_EQ(t, pmap_extract(dst, page_va(2), NULL, NULL), -ENOENT);
	KEXPECT_EQ(t, pmap_extract(dst, page_va(NPAGES - 1), &pa, &prot), 0);
	KEXPECT_EQ(t, pa, page_to_phys(f[2]));
	/* Page 0 was writable in the source: read-only in the copy only. */
	KEXPECT_EQ(t, pmap_extract(dst, page_va(0), NULL, &prot), 0);
	KEXPECT_EQ(t, prot & VM_PROT_MASK,
		   ktest_flags_as_mapped(VM_READ | VM_USER) & VM_PROT_MASK);
	KEXPECT_EQ(t, pmap_extract(src, page_va(0), NULL, &prot), 0);
	KEXPECT_TRUE(t, prot & VM_WRITE);
	/* Bad arguments change nothing. */
	KEXPECT_EQ(t, pmap_copy(dst, dst, page_va(0), PAGE_SIZE, true, NULL,
				NULL), -EINVAL);
	KEXPECT_EQ(t, pmap_copy(dst, pmap_kernel(), page_va(0), PAGE_SIZE,
				true, NULL, NULL), -EINVAL);
	KEXPECT_EQ(t, pmap_copy(dst, src, page_va(0) + 1, PAGE_SIZE, true,
				NULL, NULL), -EINVAL);
	KEXPECT_EQ(t, dst->resident, 3);
	unmap_all(dst);
	unmap_all(src);
	pmap_destroy(dst);
	pmap_destroy(src);
	free_frames(f, 3);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* Under every table allocation failure, pmap_copy returns -ENOMEM with the
 * pages it entered reported and mapped, and pmap teardown frees it all. */
static void copy_fault_injection(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	unsigned int failures = 0;
	struct pmap *src, *dst;
	struct page *f[3];

	KASSERT_TRUE(t, alloc_frames(f, 3));
	src = pmap_create();
	KASSERT_NOT_NULL(t, src);
	map_sparse(t, src, f);
	for (unsigned int n = 1; n < 64; n++) {
		unsigned int entered = 0;
		int err;

		dst = pmap_create();
		KASSERT_NOT_NULL(t, dst);
		pmm_fault_inject_nth(n);
		err = pmap_copy(dst, src, page_va(0), NPAGES * PAGE_SIZE, true,
				count_entered, &entered);
		if (!pmm_fault_inject_fired()) {
			pmm_fault_inject_nth(0);
			KEXPECT_EQ(t, err, 0);
			KEXPECT_EQ(t, entered, 3);
			unmap_all(dst);
			pmap_destroy(dst);
			break;
		}
		pmm_fault_inject_nth(0);
		failures++;
		KEXPECT_EQ(t, err, -ENOMEM);
		KEXPECT_EQ(t, dst->resident, entered);
		KEXPECT_TRUE(t, entered < 3);
		unmap_all(dst);
		pmap_destroy(dst);
	}
	KEXPECT_TRUE(t, failures >= PATH_TABLES);
	KEXPECT_EQ(t, f[0]->mapcount, 1);
	unmap_all(src);
	pmap_destroy(src);
	free_frames(f, 3);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* pmap_create under every pmm failure and a kheap failure: NULL, no leak. */
static void create_fault_injection(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	unsigned int failures = 0;
	struct pmap *pm = NULL;

	for (unsigned int n = 1; n <= 8 && !pm; n++) {
		pmm_fault_inject_nth(n);
		pm = pmap_create();
		if (pmm_fault_inject_fired()) {
			failures++;
			KEXPECT_NULL(t, pm);
			KEXPECT_EQ(t, pmm_free_count(), before);
		}
	}
	pmm_fault_inject_nth(0);
	KEXPECT_GE(t, failures, BASE_TABLES);
	KASSERT_NOT_NULL(t, pm);
	pmap_destroy(pm);
	kheap_fault_inject_nth(1);
	KEXPECT_NULL(t, pmap_create());
	KEXPECT_TRUE(t, kheap_fault_inject_fired());
	kheap_fault_inject_nth(0);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

KTEST_SUITE_SKIP_IF(pmap, ktest_skip_unless_pmap,
		    KTEST_CASE(create_destroy),
		    KTEST_CASE(round_trip),
		    KTEST_CASE(partial_remove),
		    KTEST_CASE(bad_arguments),
		    KTEST_CASE(replace_mapping),
		    KTEST_CASE(enter_fault_injection),
		    KTEST_CASE(create_fault_injection),
		    KTEST_CASE(copy_sparse),
		    KTEST_CASE(copy_fault_injection));
