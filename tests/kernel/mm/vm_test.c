/*
 * Suite vm: address spaces on the real page tables of every arch, never
 * activated (the user programs of tests/user do that): the VMA list after each change,
 * demand-zero and copy-on-write seen through pmap_extract and the direct
 * map. The simulated-MMU suite (tests/host/suites/sim_vm_test.c) adds
 * accesses through a TLB and fault injection.
 */
#include <kern/errno.h>
#include <ktest/ktest.h>
#include <ktest/ktest_mm.h>
#include <mm/pmap.h>
#include <mm/pmm.h>
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

/* fork shares the frame; the first writer copies, the last reuses. */
static void fork_copy_on_write(struct ktest *t)
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
	KEXPECT_EQ(t, vm_fork(parent, &child), 0);
	KASSERT_NOT_NULL(t, child);
	KEXPECT_EQ(t, pa_of(child, BASE, NULL), shared);
	KEXPECT_EQ(t, page_from_phys(shared)->refcount, 2);
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

KTEST_SUITE_SKIP_IF(vm, ktest_skip_unless_pmap,
		    KTEST_CASE(protect_splits_and_merges),
		    KTEST_CASE(demand_zero),
		    KTEST_CASE(fork_copy_on_write),
		    KTEST_CASE(fork_shared),
		    KTEST_CASE(discard_pages));
