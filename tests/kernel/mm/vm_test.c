/*
 * Suite vm: address spaces on the real page tables of every arch, never
 * activated (the user programs of tests/user do that): the VMA list after each change,
 * demand-zero and copy-on-write seen through pmap_extract and the direct
 * map. The simulated-MMU suite (tests/host/suites/sim_vm_test.c) adds
 * accesses through a TLB and fault injection.
 */
#include <kern/arch.h>
#include <kern/errno.h>
#include <ktest/ktest.h>
#include <ktest/ktest_mm.h>
#include <mm/pmap.h>
#include <mm/pmm.h>
#include <mm/tlb_batch.h>
#include <mm/vm.h>

#define P		PAGE_SIZE
#define BASE		((vaddr_t)0x10000000)
#define RW		(VM_READ | VM_WRITE)
#define FIXED		(VM_MAP_PRIVATE | VM_MAP_ANONYMOUS | VM_MAP_FIXED)

static paddr_t pa_of(struct vm_space *vs, vaddr_t va, unsigned int *prot)
{
	paddr_t pa = 0;

	return pmap_extract(vs->pmap, va, &pa, prot) == 0 ? pa : 0;
}

static uint32_t *word_at(struct vm_space *vs, vaddr_t va)
{
	return pmm_phys_to_virt(pa_of(vs, va, NULL));
}

/* Three pieces from one VMA, merged back into one. */
static void protect_splits_and_merges(struct ktest *t)
{
	unsigned long before;
	struct vm_space *vs;
	struct vma *v;
	vaddr_t out;

	KASSERT_EQ(t, vm_init(), 0);
	before = pmm_free_count();
	vs = vm_space_create();
	KASSERT_NOT_NULL(t, vs);
	KEXPECT_EQ(t, vm_map(vs, BASE, 6 * P, RW, FIXED, &out), 0);
	KEXPECT_EQ(t, vm_protect(vs, BASE + 2 * P, 2 * P, VM_READ), 0);
	KEXPECT_EQ(t, vs->nvmas, 3);
	v = vm_find_vma(vs, BASE + 2 * P);
	KASSERT_NOT_NULL(t, v);
	KEXPECT_EQ(t, v->start, BASE + 2 * P);
	KEXPECT_EQ(t, v->end, BASE + 4 * P);
	KEXPECT_EQ(t, v->prot, VM_READ);
	KEXPECT_EQ(t, vm_protect(vs, BASE, 6 * P, RW), 0);
	KEXPECT_EQ(t, vs->nvmas, 1);
	KEXPECT_EQ(t, vs->vmas.next->end, BASE + 6 * P);
	KEXPECT_EQ(t, vm_unmap(vs, BASE + P, 4 * P), 0);
	KEXPECT_EQ(t, vs->nvmas, 2);
	KEXPECT_EQ(t, vm_protect(vs, BASE, 6 * P, VM_READ), -ENOMEM);
	vm_space_destroy(vs);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* Reads map the zero page read-only; a write gets a zeroed frame. */
static void demand_zero(struct ktest *t)
{
	unsigned long before;
	struct vm_space *vs;
	unsigned int prot = 0;
	vaddr_t out;

	KASSERT_EQ(t, vm_init(), 0);
	before = pmm_free_count();
	vs = vm_space_create();
	KASSERT_NOT_NULL(t, vs);
	KEXPECT_EQ(t, vm_map(vs, BASE, 2 * P, RW, FIXED, &out), 0);
	KEXPECT_EQ(t, vm_fault(vs, BASE, VM_READ), 0);
	KEXPECT_EQ(t, vm_fault(vs, BASE + P, VM_READ), 0);
	KEXPECT_EQ(t, pa_of(vs, BASE, &prot), page_to_phys(vm_zero_page()));
	KEXPECT_EQ(t, pa_of(vs, BASE + P, NULL), page_to_phys(vm_zero_page()));
	KEXPECT_EQ(t, prot & VM_WRITE, 0);
	KEXPECT_EQ(t, vm_fault(vs, BASE, VM_WRITE), 0);
	KEXPECT_NE(t, pa_of(vs, BASE, &prot), page_to_phys(vm_zero_page()));
	KEXPECT_EQ(t, prot & VM_WRITE, VM_WRITE);
	KASSERT_NOT_NULL(t, word_at(vs, BASE));
	KEXPECT_EQ(t, *word_at(vs, BASE), 0);
	KEXPECT_EQ(t, vm_fault(vs, BASE + 2 * P, VM_READ), -EFAULT);
	vm_space_destroy(vs);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* fork shares the frame; the first writer copies, the last reuses.
 * Under vm.fork=share the frame's one reference is its shared table's. */
static void fork_copy_on_write_in(struct ktest *t, enum vm_fork_mode mode)
{
	struct vm_space *parent, *child = NULL;
	unsigned long before;
	paddr_t shared;
	vaddr_t out;

	KASSERT_EQ(t, vm_init(), 0);
	before = pmm_free_count();
	parent = vm_space_create();
	KASSERT_NOT_NULL(t, parent);
	KEXPECT_EQ(t, vm_map(parent, BASE, P, RW, FIXED, &out), 0);
	KEXPECT_EQ(t, vm_fault(parent, BASE, VM_WRITE), 0);
	KASSERT_NOT_NULL(t, word_at(parent, BASE));
	*word_at(parent, BASE) = 0x1111;
	shared = pa_of(parent, BASE, NULL);
	vm_fork_set_mode(mode);
	KEXPECT_EQ(t, vm_fork(parent, &child), 0);
	KASSERT_NOT_NULL(t, child);
	KEXPECT_EQ(t, pa_of(child, BASE, NULL), shared);
	KEXPECT_EQ(t, page_from_phys(shared)->refcount,
		   mode == VM_FORK_COPY ? 2 : 1);
	KEXPECT_EQ(t, vm_fault(child, BASE, VM_WRITE), 0);
	KEXPECT_NE(t, pa_of(child, BASE, NULL), shared);
	KEXPECT_EQ(t, *word_at(child, BASE), 0x1111);
	KEXPECT_EQ(t, vm_fault(parent, BASE, VM_WRITE), 0);
	KEXPECT_EQ(t, pa_of(parent, BASE, NULL), shared);
	KEXPECT_EQ(t, page_from_phys(shared)->refcount, 1);
	vm_space_destroy(child);
	vm_space_destroy(parent);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

static void fork_copy_on_write(struct ktest *t)
{
	fork_copy_on_write_in(t, VM_FORK_COPY);
	fork_copy_on_write_in(t, VM_FORK_SHARE);
}

/* A shared mapping: a read gets a real frame, fork maps that same frame
 * writable in the child, and writes stay in place on both sides. */
static void fork_shared(struct ktest *t)
{
	const unsigned int shared_flags = VM_MAP_SHARED | VM_MAP_ANONYMOUS |
		VM_MAP_FIXED;
	struct vm_space *parent, *child = NULL;
	unsigned long before;
	unsigned int prot = 0;
	paddr_t pa;
	vaddr_t out;

	KASSERT_EQ(t, vm_init(), 0);
	before = pmm_free_count();
	parent = vm_space_create();
	KASSERT_NOT_NULL(t, parent);
	KEXPECT_EQ(t, vm_map(parent, BASE, P, RW, VM_MAP_SHARED |
			     VM_MAP_PRIVATE | VM_MAP_ANONYMOUS, &out), -EINVAL);
	KEXPECT_EQ(t, vm_map(parent, BASE, P, RW, VM_MAP_ANONYMOUS, &out),
		   -EINVAL);
	KEXPECT_EQ(t, vm_map(parent, BASE, P, RW, shared_flags, &out), 0);
	KEXPECT_EQ(t, vm_fault(parent, BASE, VM_READ), 0);
	pa = pa_of(parent, BASE, &prot);
	KEXPECT_NE(t, pa, page_to_phys(vm_zero_page()));
	KEXPECT_EQ(t, prot & VM_WRITE, VM_WRITE);
	KEXPECT_EQ(t, vm_fork(parent, &child), 0);
	KASSERT_NOT_NULL(t, child);
	KEXPECT_EQ(t, pa_of(child, BASE, &prot), pa);
	KEXPECT_EQ(t, prot & VM_WRITE, VM_WRITE);
	KEXPECT_EQ(t, pa_of(parent, BASE, &prot), pa);
	KEXPECT_EQ(t, prot & VM_WRITE, VM_WRITE);
	KEXPECT_EQ(t, page_from_phys(pa)->refcount, 2);
	/* Read-only and back: the write fault keeps the frame. */
	KEXPECT_EQ(t, vm_protect(child, BASE, P, VM_READ), 0);
	KEXPECT_EQ(t, vm_protect(child, BASE, P, RW), 0);
	KEXPECT_EQ(t, vm_fault(child, BASE, VM_WRITE), 0);
	KEXPECT_EQ(t, pa_of(child, BASE, NULL), pa);
	KEXPECT_EQ(t, vm_discard(child, BASE, P), -EINVAL);
	vm_space_destroy(child);
	KEXPECT_EQ(t, page_from_phys(pa)->refcount, 1);
	vm_space_destroy(parent);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* madvise(MADV_DONTNEED): the pages go, the VMA stays, reads see zero. */
static void discard_pages(struct ktest *t)
{
	unsigned long before;
	struct vm_space *vs;
	vaddr_t out;

	KASSERT_EQ(t, vm_init(), 0);
	before = pmm_free_count();
	vs = vm_space_create();
	KASSERT_NOT_NULL(t, vs);
	KEXPECT_EQ(t, vm_map(vs, BASE, 2 * P, RW, FIXED, &out), 0);
	KEXPECT_EQ(t, vm_fault(vs, BASE, VM_WRITE), 0);
	KASSERT_NOT_NULL(t, word_at(vs, BASE));
	*word_at(vs, BASE) = 0x2222;
	KEXPECT_EQ(t, vm_discard(vs, BASE + 1, P), -EINVAL);
	KEXPECT_EQ(t, vm_discard(vs, BASE, 3 * P), -ENOMEM);
	KEXPECT_EQ(t, *word_at(vs, BASE), 0x2222);
	KEXPECT_EQ(t, vm_discard(vs, BASE, 2 * P), 0);
	KEXPECT_EQ(t, pa_of(vs, BASE, NULL), 0);
	KEXPECT_EQ(t, vs->nvmas, 1);
	KEXPECT_EQ(t, vm_fault(vs, BASE, VM_READ), 0);
	KEXPECT_EQ(t, pa_of(vs, BASE, NULL), page_to_phys(vm_zero_page()));
	vm_space_destroy(vs);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* --- One shootdown round per call ----------------------------------------- */

#define MIB		((vaddr_t)1 << 20)
#define MIB_PAGES	(MIB / P)
#define RWX		(VM_READ | VM_WRITE | VM_EXEC)

/*
 * [BASE, BASE + 512 KiB) read-write and [BASE + 512 KiB, BASE + 1 MiB)
 * read-write-execute (two VMAs that cannot merge), plus one guard page
 * after them in the same leaf table (BASE is 2 MiB aligned), so emptying
 * the 1 MiB frees no table. Every page is written: 257 frames of their own.
 */
static struct vm_space *two_vmas_touched(void)
{
	struct vm_space *vs = vm_space_create();
	vaddr_t out;

	if (!vs)
		return NULL;
	if (vm_map(vs, BASE, MIB / 2, RW, FIXED, &out) != 0 ||
	    vm_map(vs, BASE + MIB / 2, MIB / 2, RWX, FIXED, &out) != 0 ||
	    vm_map(vs, BASE + MIB, P, RW, FIXED, &out) != 0 ||
	    vs->nvmas != 3)
		goto fail;
	for (vaddr_t va = BASE; va <= BASE + MIB; va += P)
		if (vm_fault(vs, va, VM_WRITE) != 0)
			goto fail;
	return vs;
fail:
	vm_space_destroy(vs);
	return NULL;
}

struct stats_delta {
	struct tlb_batch_stats s0;
};

static void stats_start(struct stats_delta *d)
{
	tlb_batch_stats(arch_cpu_id(), &d->s0);
}

/* The local CPU's counters moved by: batches ended that flushed, frames
 * (not tables) freed, tables freed, local flush calls. */
static void stats_since(struct stats_delta *d, unsigned long *batches,
			unsigned long *frames, unsigned long *tables,
			unsigned long *flushes)
{
	struct tlb_batch_stats s1;

	tlb_batch_stats(arch_cpu_id(), &s1);
	*batches = s1.batches - d->s0.batches;
	*tables = s1.tables_freed - d->s0.tables_freed;
	*frames = s1.frames_freed - d->s0.frames_freed - *tables;
	*flushes = (s1.page_flushes - d->s0.page_flushes ? 1 : 0) +
		(s1.asid_flushes - d->s0.asid_flushes) +
		(s1.full_flushes - d->s0.full_flushes);
}

#define EXPECT_ROUND(t, d, nbatches, nframes)				\
	do {								\
		unsigned long b_, f_, tb_, fl_;				\
									\
		stats_since(d, &b_, &f_, &tb_, &fl_);			\
		KEXPECT_EQ(t, b_, (unsigned long)(nbatches));		\
		KEXPECT_EQ(t, f_, (unsigned long)(nframes));		\
		KEXPECT_EQ(t, tb_, 0UL);				\
	} while (0)

/* munmap of 1 MiB over two VMAs: one batch, 256 frames, whatever the size. */
static void unmap_one_batch(struct ktest *t)
{
	struct stats_delta d;
	unsigned long before;
	struct vm_space *vs;

	KASSERT_EQ(t, vm_init(), 0);
	before = pmm_free_count();
	vs = two_vmas_touched();
	KASSERT_NOT_NULL(t, vs);
	stats_start(&d);
	KEXPECT_EQ(t, vm_unmap(vs, BASE, MIB), 0);
	EXPECT_ROUND(t, &d, 1, MIB_PAGES);
	KEXPECT_EQ(t, vs->nvmas, 1);
	KEXPECT_EQ(t, pa_of(vs, BASE, NULL), 0);
	KEXPECT_EQ(t, pa_of(vs, BASE + MIB - P, NULL), 0);
	KEXPECT_NE(t, pa_of(vs, BASE + MIB, NULL), 0);
	/* The teardown is one batch too: the guard frame and the tables. */
	stats_start(&d);
	vm_space_destroy(vs);
	{
		unsigned long b, f, tb, fl;

		stats_since(&d, &b, &f, &tb, &fl);
		KEXPECT_EQ(t, b, 1UL);
		KEXPECT_EQ(t, f, 1UL);
	}
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* mprotect over two VMAs: read-only is one batch freeing nothing; no
 * access drops the pages in one batch. */
static void protect_one_batch(struct ktest *t)
{
	struct stats_delta d;
	unsigned long before;
	struct vm_space *vs;

	KASSERT_EQ(t, vm_init(), 0);
	before = pmm_free_count();
	vs = two_vmas_touched();
	KASSERT_NOT_NULL(t, vs);
	stats_start(&d);
	KEXPECT_EQ(t, vm_protect(vs, BASE, MIB, VM_READ), 0);
	EXPECT_ROUND(t, &d, 1, 0);
	KEXPECT_EQ(t, vs->nvmas, 2);
	stats_start(&d);
	KEXPECT_EQ(t, vm_protect(vs, BASE, MIB / 2, RW), 0);
	KEXPECT_EQ(t, vs->nvmas, 3);
	KEXPECT_EQ(t, vm_protect(vs, BASE, MIB, 0), 0);
	EXPECT_ROUND(t, &d, 1, MIB_PAGES);
	KEXPECT_EQ(t, pa_of(vs, BASE, NULL), 0);
	KEXPECT_EQ(t, pa_of(vs, BASE + MIB - P, NULL), 0);
	KEXPECT_NE(t, pa_of(vs, BASE + MIB, NULL), 0);
	vm_space_destroy(vs);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* MADV_DONTNEED over two VMAs: one batch. */
static void discard_one_batch(struct ktest *t)
{
	struct stats_delta d;
	unsigned long before;
	struct vm_space *vs;

	KASSERT_EQ(t, vm_init(), 0);
	before = pmm_free_count();
	vs = two_vmas_touched();
	KASSERT_NOT_NULL(t, vs);
	stats_start(&d);
	KEXPECT_EQ(t, vm_discard(vs, BASE, MIB), 0);
	EXPECT_ROUND(t, &d, 1, MIB_PAGES);
	KEXPECT_EQ(t, vs->nvmas, 3);
	KEXPECT_EQ(t, pa_of(vs, BASE + MIB / 2, NULL), 0);
	vm_space_destroy(vs);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* fork write-protects the parent in one batch; the child's exit and the
 * parent's munmap free only what each last referenced. */
static void fork_one_batch_in(struct ktest *t, enum vm_fork_mode mode)
{
	struct vm_space *child = NULL;
	struct stats_delta d;
	unsigned long before;
	struct vm_space *vs;

	KASSERT_EQ(t, vm_init(), 0);
	before = pmm_free_count();
	vs = two_vmas_touched();
	KASSERT_NOT_NULL(t, vs);
	vm_fork_set_mode(mode);
	stats_start(&d);
	KEXPECT_EQ(t, vm_fork(vs, &child), 0);
	EXPECT_ROUND(t, &d, 1, 0);
	KASSERT_NOT_NULL(t, child);
	KEXPECT_EQ(t, page_from_phys(pa_of(vs, BASE, NULL))->refcount,
		   mode == VM_FORK_COPY ? 2 : 1);
	/* The parent's unmap drops its references: nothing is freed yet. */
	stats_start(&d);
	KEXPECT_EQ(t, vm_unmap(vs, BASE, MIB), 0);
	EXPECT_ROUND(t, &d, 1, 0);
	KEXPECT_EQ(t, page_from_phys(pa_of(child, BASE, NULL))->refcount, 1);
	KEXPECT_EQ(t, page_from_phys(pa_of(child, BASE, NULL))->mapcount, 1);
	stats_start(&d);
	KEXPECT_EQ(t, vm_unmap(child, BASE, MIB), 0);
	EXPECT_ROUND(t, &d, 1, MIB_PAGES);
	vm_space_destroy(child);
	vm_space_destroy(vs);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

static void fork_one_batch(struct ktest *t)
{
	fork_one_batch_in(t, VM_FORK_COPY);
	fork_one_batch_in(t, VM_FORK_SHARE);
}

/*
 * The one case with more than one round: the batch cannot get a page to
 * hold more frame references, so it flushes what it has and drops those
 * references early. Still one tlb_batch_end, every frame freed once.
 */
static void unmap_early_flush(struct ktest *t)
{
	unsigned long b, f, tb, fl;
	struct stats_delta d;
	unsigned long before;
	struct vm_space *vs;

	KASSERT_EQ(t, vm_init(), 0);
	before = pmm_free_count();
	vs = two_vmas_touched();
	KASSERT_NOT_NULL(t, vs);
	stats_start(&d);
	/* No split: the first allocation of this munmap is the batch's. */
	pmm_fault_inject_nth(1);
	KEXPECT_EQ(t, vm_unmap(vs, BASE, MIB), 0);
	KEXPECT_TRUE(t, pmm_fault_inject_fired());
	pmm_fault_inject_nth(0);
	stats_since(&d, &b, &f, &tb, &fl);
	KEXPECT_EQ(t, b, 1UL);
	KEXPECT_EQ(t, f, MIB_PAGES);
	KEXPECT_GE(t, fl, 2UL);
	KEXPECT_EQ(t, pa_of(vs, BASE + MIB - P, NULL), 0);
	vm_space_destroy(vs);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

KTEST_SUITE_SKIP_IF(vm, ktest_skip_unless_pmap,
		    KTEST_CASE(protect_splits_and_merges),
		    KTEST_CASE(demand_zero),
		    KTEST_CASE(fork_copy_on_write),
		    KTEST_CASE(fork_shared),
		    KTEST_CASE(discard_pages),
		    KTEST_CASE(unmap_one_batch),
		    KTEST_CASE(protect_one_batch),
		    KTEST_CASE(discard_one_batch),
		    KTEST_CASE(fork_one_batch),
		    KTEST_CASE(unmap_early_flush));
