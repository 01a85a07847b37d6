/*
 * Suite sim_vm: address spaces on the simulated machine. User accesses go
 * through the simulated MMU and its ASID-tagged TLB, and a failed access
 * is handed to vm_fault as the trap handler will, so copy-on-write and the
 * write-protect at fork are checked from the hardware's side (a missing
 * flush shows up as a store that should have faulted).
 *
 * Every case ends with pmm_free_count() where it started; the fault
 * injection case also proves each operation changes nothing at all (VMA
 * list, tables, free frames, heap objects) when any allocation fails.
 */
#include <kern/errno.h>
#include <ktest/ktest.h>
#include <mm/kheap.h>
#include <mm/pmap.h>
#include <mm/pmm.h>
#include <mm/vm.h>
#include <sim/sim.h>

#define P		PAGE_SIZE
#define BASE		((vaddr_t)0x10000000)
/* A different 1 GiB region: a fault there needs new page tables. */
#define FAR		(BASE + ((vaddr_t)1 << mmu_level_shift(2)))
#define RW		(VM_READ | VM_WRITE)
#define ANON		(VM_MAP_PRIVATE | VM_MAP_ANONYMOUS)
#define FIXED		(ANON | VM_MAP_FIXED)
#define USER		SIM_ACCESS_USER
#define MAX_VMAS	16
#define WINDOW		10	/* pages from BASE that snapshots record */

struct exp_vma {
	vaddr_t start, end;
	unsigned int prot;
};

/* Does @vs hold exactly the VMAs @e[0..n-1]? Reports the first mismatch. */
static bool vmas_are(struct ktest *t, struct vm_space *vs,
		     const struct exp_vma *e, unsigned int n)
{
	const struct vma *v;
	unsigned int i = 0;

	vm_space_for_each_vma(vs, v) {
		if (i >= n || v->start != e[i].start || v->end != e[i].end ||
		    v->prot != e[i].prot) {
			ktest_diag(t, "VMA %u is [%#lx, %#lx) prot %u", i,
				   (unsigned long)v->start,
				   (unsigned long)v->end, v->prot);
			return false;
		}
		i++;
	}
	return i == n && vs->nvmas == n;
}

#define EXPECT_VMAS(t, vs, ...)						\
	do {								\
		const struct exp_vma e_[] = { __VA_ARGS__ };		\
		KEXPECT_TRUE(t, vmas_are(t, vs, e_, ARRAY_SIZE(e_)));	\
	} while (0)

static int map_fixed(struct vm_space *vs, vaddr_t a, size_t len,
		     unsigned int prot)
{
	vaddr_t out = 0;
	int err = vm_map(vs, a, len, prot, FIXED, &out);

	return err ? err : (out == a ? 0 : -EIO);
}

/* A user store / load at @va on CPU 0, faulting into @vs as a trap
 * handler would: at most one fault, then the access must succeed. */
static int user_store(struct vm_space *vs, vaddr_t va, uint32_t val)
{
	int err;

	if (sim_store32(va, USER, val) == 0)
		return 0;
	err = vm_fault(vs, va, VM_WRITE);
	return err ? err : sim_store32(va, USER, val);
}

static int user_load(struct vm_space *vs, vaddr_t va, uint32_t *val)
{
	int err;

	if (sim_load32(va, USER, val) == 0)
		return 0;
	err = vm_fault(vs, va, VM_READ);
	return err ? err : sim_load32(va, USER, val);
}

/* Run CPU 0 in @vs (NULL: the kernel). Switching flushes ASID 0, the
 * only tag in use, as pmap_activate does until ASIDs are handed out. */
static void run_on(struct vm_space *vs)
{
	host_cpu_set(0);
	pmap_activate(vs ? vs->pmap : pmap_kernel());
}

static paddr_t pa_of(struct vm_space *vs, vaddr_t va)
{
	paddr_t pa = 0;

	return pmap_extract(vs->pmap, va, &pa, NULL) == 0 ? pa : 0;
}

/* mmap, mprotect and munmap across several VMAs: the exact list after
 * each step, and the pages follow the VMAs. */
static void split_and_merge(struct ktest *t)
{
	unsigned long before;
	struct vm_space *vs;
	uint32_t v;

	sim_tlb_reset();	/* nothing left over from earlier cases */
	KASSERT_EQ(t, vm_init(), 0);
	before = pmm_free_count();
	vs = vm_space_create();
	KASSERT_NOT_NULL(t, vs);
	run_on(vs);
	KEXPECT_EQ(t, map_fixed(vs, BASE, 4 * P, RW), 0);
	KEXPECT_EQ(t, map_fixed(vs, BASE + 4 * P, 4 * P, RW), 0);
	EXPECT_VMAS(t, vs, { BASE, BASE + 8 * P, RW });
	KEXPECT_EQ(t, map_fixed(vs, BASE + 8 * P, 2 * P, VM_READ), 0);
	for (unsigned int i = 0; i < 8; i++)
		KEXPECT_EQ(t, user_store(vs, BASE + i * P, 0x100 + i), 0);
	KEXPECT_EQ(t, vm_protect(vs, BASE + 2 * P, 7 * P, VM_READ), 0);
	EXPECT_VMAS(t, vs, { BASE, BASE + 2 * P, RW },
		    { BASE + 2 * P, BASE + 10 * P, VM_READ });
	KEXPECT_NE(t, sim_store32(BASE + 3 * P, USER, 1), 0);
	KEXPECT_EQ(t, vm_fault(vs, BASE + 3 * P, VM_WRITE), -EFAULT);
	KEXPECT_EQ(t, user_load(vs, BASE + 3 * P, &v), 0);
	KEXPECT_EQ(t, v, 0x103);
	KEXPECT_EQ(t, vm_protect(vs, BASE + 4 * P, P, RW | VM_EXEC), 0);
	EXPECT_VMAS(t, vs, { BASE, BASE + 2 * P, RW },
		    { BASE + 2 * P, BASE + 4 * P, VM_READ },
		    { BASE + 4 * P, BASE + 5 * P, RW | VM_EXEC },
		    { BASE + 5 * P, BASE + 10 * P, VM_READ });
	/* The write permission comes back through a fault, in place. */
	KEXPECT_EQ(t, user_store(vs, BASE + 4 * P, 0x204), 0);
	KEXPECT_EQ(t, vm_unmap(vs, BASE + 3 * P, 3 * P), 0);
	EXPECT_VMAS(t, vs, { BASE, BASE + 2 * P, RW },
		    { BASE + 2 * P, BASE + 3 * P, VM_READ },
		    { BASE + 6 * P, BASE + 10 * P, VM_READ });
	KEXPECT_EQ(t, pa_of(vs, BASE + 4 * P), 0);
	KEXPECT_NE(t, sim_load32(BASE + 4 * P, USER, &v), 0);
	KEXPECT_EQ(t, map_fixed(vs, BASE + P, 6 * P, RW), 0);
	EXPECT_VMAS(t, vs, { BASE, BASE + 7 * P, RW },
		    { BASE + 7 * P, BASE + 10 * P, VM_READ });
	/* Replaced pages read back as fresh zeroes, kept ones as written. */
	KEXPECT_EQ(t, user_load(vs, BASE + P, &v), 0);
	KEXPECT_EQ(t, v, 0);
	KEXPECT_EQ(t, user_load(vs, BASE, &v), 0);
	KEXPECT_EQ(t, v, 0x100);
	/* prot 0 drops the pages (no inaccessible entries in the pmap). */
	KEXPECT_EQ(t, vm_protect(vs, BASE, P, 0), 0);
	KEXPECT_EQ(t, pa_of(vs, BASE), 0);
	KEXPECT_EQ(t, vm_fault(vs, BASE, VM_READ), -EFAULT);
	KEXPECT_EQ(t, vm_unmap(vs, BASE, 10 * P), 0);
	KEXPECT_EQ(t, vs->nvmas, 0);
	KEXPECT_EQ(t, vs->pmap->resident, 0);
	run_on(NULL);
	vm_space_destroy(vs);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* Every error of mmap / munmap / mprotect / fault, and that none of them
 * changed anything. */
static void error_cases(struct ktest *t)
{
	const vaddr_t top = MMU_USER_VA_END;
	unsigned long before;
	struct vm_space *vs;
	vaddr_t out = 0;

	KASSERT_EQ(t, vm_init(), 0);
	before = pmm_free_count();
	vs = vm_space_create();
	KASSERT_NOT_NULL(t, vs);
	KEXPECT_EQ(t, map_fixed(vs, BASE, 2 * P, VM_READ), 0);
	KEXPECT_EQ(t, map_fixed(vs, BASE + 4 * P, 2 * P, 0), 0);
	KEXPECT_EQ(t, vm_map(vs, BASE, 0, RW, FIXED, &out), -EINVAL);
	KEXPECT_EQ(t, vm_map(vs, 0, P, 0x8, ANON, &out), -EINVAL);
	KEXPECT_EQ(t, vm_map(vs, 0, P, RW, VM_MAP_PRIVATE, &out), -EINVAL);
	KEXPECT_EQ(t, vm_map(vs, 0, P, RW, VM_MAP_ANONYMOUS, &out), -EINVAL);
	KEXPECT_EQ(t, vm_map(vs, 0, P, RW, ANON | 0x1, &out), -EINVAL);
	KEXPECT_EQ(t, vm_map(vs, BASE + 1, P, RW, FIXED, &out), -EINVAL);
	KEXPECT_EQ(t, vm_map(vs, top - P, 2 * P, RW, FIXED, &out), -ENOMEM);
	KEXPECT_EQ(t, vm_map(vs, top, P, RW, FIXED, &out), -ENOMEM);
	KEXPECT_EQ(t, vm_map(vs, 0, (size_t)top + 1, RW, ANON, &out), -ENOMEM);
	KEXPECT_EQ(t, vm_map(vs, 0, (size_t)top, RW, ANON, &out), -ENOMEM);
	KEXPECT_EQ(t, vm_map(vs, 0, P, RW, FIXED, &out), -EPERM);
	KEXPECT_EQ(t, vm_unmap(vs, BASE + 1, P), -EINVAL);
	KEXPECT_EQ(t, vm_unmap(vs, BASE, 0), -EINVAL);
	KEXPECT_EQ(t, vm_unmap(vs, top, P), -EINVAL);
	KEXPECT_EQ(t, vm_unmap(vs, top - P, 2 * P), -EINVAL);
	KEXPECT_EQ(t, vm_protect(vs, BASE + 1, P, RW), -EINVAL);
	KEXPECT_EQ(t, vm_protect(vs, BASE, P, 0x10), -EINVAL);
	KEXPECT_EQ(t, vm_protect(vs, BASE, 0, RW), 0);
	KEXPECT_EQ(t, vm_protect(vs, BASE, 6 * P, RW), -ENOMEM);	/* hole */
	KEXPECT_EQ(t, vm_protect(vs, BASE + 5 * P, 2 * P, RW), -ENOMEM);
	KEXPECT_EQ(t, vm_protect(vs, top - P, 2 * P, RW), -ENOMEM);
	KEXPECT_EQ(t, vm_fault(vs, BASE + 2 * P, VM_READ), -EFAULT);
	KEXPECT_EQ(t, vm_fault(vs, BASE, VM_WRITE), -EFAULT);
	KEXPECT_EQ(t, vm_fault(vs, BASE, VM_EXEC), -EFAULT);
	KEXPECT_EQ(t, vm_fault(vs, BASE + 4 * P, VM_READ), -EFAULT);
	KEXPECT_EQ(t, vm_fault(vs, BASE, RW), -EINVAL);
	KEXPECT_EQ(t, vm_fault(vs, top, VM_READ), -EFAULT);
	EXPECT_VMAS(t, vs, { BASE, BASE + 2 * P, VM_READ },
		    { BASE + 4 * P, BASE + 6 * P, 0 });
	KEXPECT_EQ(t, vs->pmap->resident, 0);
	/* Not errors: unmapping nothing, and a length rounded up. */
	KEXPECT_EQ(t, vm_unmap(vs, BASE + 2 * P, 2 * P), 0);
	KEXPECT_EQ(t, vm_map(vs, BASE + 2 * P, 1, VM_READ, ANON, &out), 0);
	KEXPECT_EQ(t, out, BASE + 2 * P);
	KEXPECT_EQ(t, vm_map(vs, BASE + 2 * P, P, VM_READ, ANON, &out), 0);
	KEXPECT_EQ(t, out, VM_MAP_BASE);
	EXPECT_VMAS(t, vs, { BASE, BASE + 3 * P, VM_READ },
		    { BASE + 4 * P, BASE + 6 * P, 0 },
		    { VM_MAP_BASE, VM_MAP_BASE + P, VM_READ });
	vm_space_destroy(vs);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* Read faults share the one zero page; a write gets a frame of its own. */
static void zero_page(struct ktest *t)
{
	struct page *zero;
	unsigned long before;
	struct vm_space *vs;
	int32_t maps;
	uint32_t v = 1;

	sim_tlb_reset();	/* nothing left over from earlier cases */
	KASSERT_EQ(t, vm_init(), 0);
	zero = vm_zero_page();
	before = pmm_free_count();
	maps = zero->mapcount;
	vs = vm_space_create();
	KASSERT_NOT_NULL(t, vs);
	run_on(vs);
	KEXPECT_EQ(t, map_fixed(vs, BASE, 2 * P, RW), 0);
	KEXPECT_EQ(t, user_load(vs, BASE, &v), 0);
	KEXPECT_EQ(t, v, 0);
	KEXPECT_EQ(t, user_load(vs, BASE + P + 8, &v), 0);
	KEXPECT_EQ(t, pa_of(vs, BASE), page_to_phys(zero));
	KEXPECT_EQ(t, pa_of(vs, BASE + P), page_to_phys(zero));
	KEXPECT_EQ(t, zero->mapcount, maps + 2);
	KEXPECT_EQ(t, zero->refcount, 1);
	KEXPECT_NE(t, sim_store32(BASE, USER, 7), 0);
	KEXPECT_EQ(t, user_store(vs, BASE, 7), 0);
	KEXPECT_NE(t, pa_of(vs, BASE), page_to_phys(zero));
	KEXPECT_NE(t, pa_of(vs, BASE), 0);
	KEXPECT_EQ(t, user_load(vs, BASE + P, &v), 0);
	KEXPECT_EQ(t, v, 0);
	KEXPECT_EQ(t, *(uint32_t *)page_to_virt(zero), 0);
	KEXPECT_EQ(t, zero->mapcount, maps + 1);
	run_on(NULL);
	vm_space_destroy(vs);
	KEXPECT_EQ(t, zero->mapcount, maps);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* fork shares frames; each side sees its own writes; the last sharer
 * writes in place. The parent's stale writable TLB entry must be gone. */
static void copy_on_write_in(struct ktest *t, enum vm_fork_mode mode)
{
	struct vm_space *parent, *child = NULL;
	unsigned long before;
	paddr_t p0, p1, c1;
	uint32_t v;

	sim_tlb_reset();	/* nothing left over from earlier cases */
	KASSERT_EQ(t, vm_init(), 0);
	before = pmm_free_count();
	parent = vm_space_create();
	KASSERT_NOT_NULL(t, parent);
	run_on(parent);
	KEXPECT_EQ(t, map_fixed(parent, BASE, 2 * P, RW), 0);
	KEXPECT_EQ(t, user_store(parent, BASE, 0x1111), 0);
	KEXPECT_EQ(t, user_store(parent, BASE + P, 0x1112), 0);
	p0 = pa_of(parent, BASE);
	p1 = pa_of(parent, BASE + P);
	vm_fork_set_mode(mode);
	KEXPECT_EQ(t, vm_fork(parent, &child), 0);
	KASSERT_NOT_NULL(t, child);
	/* Shared tables: one reference and one mapping, the table's. */
	KEXPECT_EQ(t, page_from_phys(p0)->refcount, mode == VM_FORK_COPY ? 2 : 1);
	KEXPECT_EQ(t, page_from_phys(p0)->mapcount, mode == VM_FORK_COPY ? 2 : 1);
	KEXPECT_NE(t, sim_store32(BASE, USER, 0xbad), 0);	/* flushed */
	run_on(child);
	KEXPECT_EQ(t, user_load(child, BASE, &v), 0);
	KEXPECT_EQ(t, v, 0x1111);
	KEXPECT_EQ(t, user_store(child, BASE, 0x2222), 0);
	KEXPECT_NE(t, pa_of(child, BASE), p0);
	KEXPECT_EQ(t, page_from_phys(p0)->refcount, 1);
	run_on(parent);
	KEXPECT_EQ(t, user_load(parent, BASE, &v), 0);
	KEXPECT_EQ(t, v, 0x1111);
	KEXPECT_EQ(t, user_store(parent, BASE, 0x3333), 0);
	KEXPECT_EQ(t, pa_of(parent, BASE), p0);		/* reused in place */
	/* Second page: the parent copies first, the child then reuses. */
	KEXPECT_EQ(t, user_store(parent, BASE + P, 0x3334), 0);
	KEXPECT_NE(t, pa_of(parent, BASE + P), p1);
	c1 = pa_of(child, BASE + P);
	KEXPECT_EQ(t, c1, p1);
	run_on(child);
	KEXPECT_EQ(t, user_store(child, BASE + P, 0x2223), 0);
	KEXPECT_EQ(t, pa_of(child, BASE + P), c1);
	KEXPECT_EQ(t, user_load(child, BASE, &v), 0);
	KEXPECT_EQ(t, v, 0x2222);
	run_on(parent);
	KEXPECT_EQ(t, user_load(parent, BASE + P, &v), 0);
	KEXPECT_EQ(t, v, 0x3334);
	run_on(NULL);
	vm_space_destroy(parent);
	vm_space_destroy(child);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

static void copy_on_write(struct ktest *t)
{
	copy_on_write_in(t, VM_FORK_COPY);
	copy_on_write_in(t, VM_FORK_SHARE);
}

/* Three generations with zero-page, private and shared frames, torn down
 * parent first: every frame and table comes back. */
static void fork_then_exit_frees_all_in(struct ktest *t,
					enum vm_fork_mode mode)
{
	struct vm_space *a, *b = NULL, *c = NULL;
	struct kheap_stats h0, h1;
	unsigned long before;
	uint32_t v;

	sim_tlb_reset();	/* nothing left over from earlier cases */
	KASSERT_EQ(t, vm_init(), 0);
	vm_fork_set_mode(mode);
	before = pmm_free_count();
	kheap_stats(&h0);
	a = vm_space_create();
	KASSERT_NOT_NULL(t, a);
	run_on(a);
	KEXPECT_EQ(t, map_fixed(a, BASE, 8 * P, RW), 0);
	KEXPECT_EQ(t, map_fixed(a, FAR, 2 * P, VM_READ), 0);
	for (unsigned int i = 0; i < 8; i += 2)
		KEXPECT_EQ(t, user_store(a, BASE + i * P, i), 0);
	KEXPECT_EQ(t, user_load(a, BASE + P, &v), 0);
	KEXPECT_EQ(t, user_load(a, FAR, &v), 0);
	KEXPECT_EQ(t, vm_fork(a, &b), 0);
	KASSERT_NOT_NULL(t, b);
	run_on(b);
	KEXPECT_EQ(t, user_store(b, BASE + 2 * P, 0xb), 0);
	KEXPECT_EQ(t, vm_fork(b, &c), 0);
	KASSERT_NOT_NULL(t, c);
	run_on(c);
	KEXPECT_EQ(t, user_store(c, BASE + 3 * P, 0xc), 0);
	KEXPECT_EQ(t, user_load(c, BASE + 4 * P, &v), 0);
	KEXPECT_EQ(t, v, 4);
	KEXPECT_EQ(t, page_from_phys(pa_of(c, BASE + 4 * P))->refcount, 3);
	run_on(NULL);
	vm_space_destroy(a);
	KEXPECT_EQ(t, page_from_phys(pa_of(c, BASE + 4 * P))->refcount, 2);
	vm_space_destroy(c);
	vm_space_destroy(b);
	kheap_stats(&h1);
	KEXPECT_EQ(t, h1.objects, h0.objects);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* Under both modes the refcounts agree here: in share mode b and c each
 * copied the table when they first wrote, so three tables map the page. */
static void fork_then_exit_frees_all(struct ktest *t)
{
	fork_then_exit_frees_all_in(t, VM_FORK_COPY);
	fork_then_exit_frees_all_in(t, VM_FORK_SHARE);
}

/*
 * A 1 MiB munmap in a forked parent, with the batch's first chunk
 * allocation failing (so it flushes early, the one extra round): no TLB
 * of the parent still reaches a page, and the child, now the only holder
 * of each frame, writes every one in place.
 */
static void big_unmap_cow_partner(struct ktest *t)
{
	enum { N = 256 };
	static paddr_t pa[N];
	struct vm_space *parent, *child = NULL;
	unsigned long before;
	uint32_t v;

	sim_tlb_reset();
	KASSERT_EQ(t, vm_init(), 0);
	/* Per-page references (the batch's chunk is the first allocation);
	 * share_partial_changes covers the shared-table version. */
	vm_fork_set_mode(VM_FORK_COPY);
	before = pmm_free_count();
	parent = vm_space_create();
	KASSERT_NOT_NULL(t, parent);
	run_on(parent);
	KEXPECT_EQ(t, map_fixed(parent, BASE, N * P, RW), 0);
	for (unsigned int i = 0; i < N; i++)
		KEXPECT_EQ(t, user_store(parent, BASE + i * P, i), 0);
	KEXPECT_EQ(t, vm_fork(parent, &child), 0);
	KASSERT_NOT_NULL(t, child);
	/* Downwards, so the TLB holds the pages an early flush drops. */
	for (unsigned int i = N; i-- > 0;) {
		KEXPECT_EQ(t, user_load(parent, BASE + i * P, &v), 0);
		pa[i] = pa_of(child, BASE + i * P);
	}
	pmm_fault_inject_nth(1);
	KEXPECT_EQ(t, vm_unmap(parent, BASE, N * P), 0);
	KEXPECT_TRUE(t, pmm_fault_inject_fired());
	pmm_fault_inject_nth(0);
	for (unsigned int i = 0; i < N; i++)
		KEXPECT_NE(t, sim_load32(BASE + i * P, USER, &v), 0);
	run_on(child);
	for (unsigned int i = 0; i < N; i++) {
		KEXPECT_EQ(t, page_from_phys(pa[i])->refcount, 1);
		KEXPECT_EQ(t, page_from_phys(pa[i])->mapcount, 1);
		KEXPECT_EQ(t, user_load(child, BASE + i * P, &v), 0);
		KEXPECT_EQ(t, v, i);
		KEXPECT_EQ(t, user_store(child, BASE + i * P, 0x5000 + i), 0);
		KEXPECT_EQ(t, pa_of(child, BASE + i * P), pa[i]);
	}
	run_on(NULL);
	vm_space_destroy(parent);
	vm_space_destroy(child);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* --- Fault injection ------------------------------------------------------ */

struct snap {
	unsigned long free, heap_objects;
	uint64_t tables;
	unsigned int nvmas;
	struct exp_vma vma[MAX_VMAS];
	paddr_t pa[WINDOW + 1];
	unsigned int prot[WINDOW + 1];
};

static void snap_take(struct vm_space *vs, struct snap *s)
{
	struct kheap_stats h;
	const struct vma *v;

	*s = (struct snap){ .free = pmm_free_count() };
	kheap_stats(&h);
	s->heap_objects = h.objects;
	s->tables = sim_table_fingerprint(vs->pmap->root_pa);
	vm_space_for_each_vma(vs, v)
		if (s->nvmas < MAX_VMAS)
			s->vma[s->nvmas++] = (struct exp_vma){ v->start, v->end,
							       v->prot };
	for (unsigned int i = 0; i <= WINDOW; i++) {
		vaddr_t va = i < WINDOW ? BASE + i * P : FAR;

		if (pmap_extract(vs->pmap, va, &s->pa[i], &s->prot[i]) != 0)
			s->pa[i] = s->prot[i] = 0;
	}
}

static bool snap_equal(struct ktest *t, const struct snap *a,
		       const struct snap *b)
{
	bool same = a->free == b->free && a->heap_objects == b->heap_objects &&
		    a->tables == b->tables && a->nvmas == b->nvmas;

	for (unsigned int i = 0; same && i < a->nvmas; i++)
		same = a->vma[i].start == b->vma[i].start &&
		       a->vma[i].end == b->vma[i].end &&
		       a->vma[i].prot == b->vma[i].prot;
	for (unsigned int i = 0; same && i <= WINDOW; i++)
		same = a->pa[i] == b->pa[i] && a->prot[i] == b->prot[i];
	if (!same)
		ktest_diag(t, "free %lu -> %lu, heap %lu -> %lu, VMAs %u -> %u",
			   a->free, b->free, a->heap_objects, b->heap_objects,
			   a->nvmas, b->nvmas);
	return same;
}

/* A parent with written, zero-page and untouched pages, and a child
 * sharing them; FAR is mapped but untouched, under no table yet. */
struct fi_env {
	struct vm_space *vs, *child, *forked;
};

static bool fi_setup(struct fi_env *e)
{
	*e = (struct fi_env){ .vs = vm_space_create() };
	if (!e->vs || map_fixed(e->vs, BASE, 8 * P, RW) ||
	    map_fixed(e->vs, FAR, P, RW))
		return false;
	for (unsigned int i = 0; i < 5; i++)
		if (vm_fault(e->vs, BASE + i * P, VM_WRITE))
			return false;
	return vm_fault(e->vs, BASE + 5 * P, VM_READ) == 0 &&
	       vm_fork(e->vs, &e->child) == 0;
}

static void fi_teardown(struct fi_env *e)
{
	struct vm_space *s[] = { e->vs, e->child, e->forked };

	for (unsigned int i = 0; i < ARRAY_SIZE(s); i++)
		if (s[i])
			vm_space_destroy(s[i]);
}

static int op_map_fixed(struct fi_env *e)
{
	return map_fixed(e->vs, BASE + 2 * P, 3 * P, VM_READ);
}

static int op_map_any(struct fi_env *e)
{
	vaddr_t out;

	return vm_map(e->vs, 0, 4 * P, RW, ANON, &out);
}

static int op_unmap(struct fi_env *e)
{
	return vm_unmap(e->vs, BASE + 3 * P, 2 * P);
}

static int op_protect(struct fi_env *e)
{
	return vm_protect(e->vs, BASE + 3 * P, 2 * P, VM_READ);
}

static int op_fault_cow(struct fi_env *e)
{
	return vm_fault(e->vs, BASE + P, VM_WRITE);
}

static int op_fault_zero(struct fi_env *e)
{
	return vm_fault(e->vs, BASE + 5 * P, VM_WRITE);
}

static int op_fault_fresh(struct fi_env *e)
{
	return vm_fault(e->vs, FAR, VM_WRITE);
}

static int op_discard(struct fi_env *e)
{
	return vm_discard(e->vs, BASE + 2 * P, 2 * P);
}

static int op_fork(struct fi_env *e)
{
	return vm_fork(e->vs, &e->forked);
}

static void arm(bool heap, unsigned long n)
{
	if (heap)
		kheap_fault_inject_nth(n);
	else
		pmm_fault_inject_nth(n);
}

/* Fail the n-th allocation of one allocator for n = 1, 2, ... until @op
 * succeeds; each failure must be -ENOMEM with nothing changed. Counts the
 * failed attempts in *@failures. */
static void inject(struct ktest *t, int (*op)(struct fi_env *), bool heap,
		   unsigned int *failures)
{
	unsigned long before = pmm_free_count();
	struct snap s0, s1;
	struct fi_env e;
	int err = -ENOMEM;

	if (!fi_setup(&e)) {
		KEXPECT_TRUE(t, false);
		fi_teardown(&e);
		return;
	}
	snap_take(e.vs, &s0);
	for (unsigned long n = 1; n < 64 && err == -ENOMEM; n++) {
		bool fired;

		arm(heap, n);
		err = op(&e);
		fired = heap ? kheap_fault_inject_fired() : pmm_fault_inject_fired();
		arm(heap, 0);
		if (!fired)
			break;
		(*failures)++;
		KEXPECT_EQ(t, err, -ENOMEM);
		snap_take(e.vs, &s1);
		KEXPECT_TRUE(t, snap_equal(t, &s0, &s1));
	}
	KEXPECT_EQ(t, err, 0);
	fi_teardown(&e);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

static void fault_injection_in(struct ktest *t, enum vm_fork_mode mode)
{
	static const struct {
		const char *name;
		int (*op)(struct fi_env *);
		bool pmm_must_fail, heap_must_fail;
	} ops[] = {
		{ "map_fixed", op_map_fixed, false, true },
		{ "map_any", op_map_any, false, true },
		{ "unmap", op_unmap, false, true },
		{ "protect", op_protect, false, true },
		{ "fault_cow", op_fault_cow, true, false },
		{ "fault_zero", op_fault_zero, true, false },
		{ "fault_fresh", op_fault_fresh, true, false },
		{ "discard", op_discard, false, false },
		{ "fork", op_fork, true, true },
	};

	KASSERT_EQ(t, vm_init(), 0);
	vm_fork_set_mode(mode);
	for (unsigned int i = 0; i < ARRAY_SIZE(ops); i++) {
		unsigned int fp = 0, fh = 0;

		inject(t, ops[i].op, false, &fp);
		inject(t, ops[i].op, true, &fh);

		ktest_diag(t, "vm.fork=%s %s: %u pmm and %u heap failures, "
			   "all clean", mode == VM_FORK_COPY ? "copy" : "share",
			   ops[i].name, fp, fh);
		if (ops[i].pmm_must_fail)
			KEXPECT_GT(t, fp, 0);
		if (ops[i].heap_must_fail)
			KEXPECT_GT(t, fh, 0);
		/* The frame, then each missing table: a level-1 and a
		 * level-0 one, of which PAE preallocates the first. */
		if (ops[i].op == op_fault_fresh)
			KEXPECT_EQ(t, fp, 1 + 2 - MMU_ROOT_PREALLOC);
	}
}

static void fault_injection(struct ktest *t)
{
	fault_injection_in(t, VM_FORK_COPY);
	fault_injection_in(t, VM_FORK_SHARE);
}

/* --- vm.fork=share: page tables shared copy-on-write -------------------- */

#define SPAN		PMAP_SHARE_SPAN

/* The last-level table holding @va in @vs, or NULL. */
static struct page *table_of(struct vm_space *vs, vaddr_t va)
{
	mmu_pte_t *table = vs->pmap->root;

	for (unsigned int level = MMU_LEVELS - 1; level > 0; level--) {
		mmu_pte_t pte = table[mmu_level_index(va, level)];

		if (!mmu_pte_is_valid(pte, level) || mmu_pte_is_leaf(pte, level))
			return NULL;
		if (level == 1)
			return page_from_phys(mmu_pte_paddr(pte, level));
		table = pmm_phys_to_virt(mmu_pte_paddr(pte, level));
	}
	return NULL;
}

static bool reads(struct vm_space *vs, vaddr_t va, uint32_t want)
{
	uint32_t v = ~want;

	run_on(vs);
	return user_load(vs, va, &v) == 0 && v == want;
}

/* @n pages from @va in @vs hold @base + i? */
static bool reads_seq(struct vm_space *vs, vaddr_t va, unsigned int n,
		      uint32_t base)
{
	for (unsigned int i = 0; i < n; i++)
		if (!reads(vs, va + i * P, base + i))
			return false;
	return true;
}

static bool writes_seq(struct vm_space *vs, vaddr_t va, unsigned int n,
		       uint32_t base)
{
	run_on(vs);
	for (unsigned int i = 0; i < n; i++)
		if (user_store(vs, va + i * P, base + i) != 0)
			return false;
	return true;
}

/*
 * fork links the parent's table: one table, two sharers, frames counted
 * once, both sides read-only at the table level (the parent's stale
 * writable TLB entries flushed). Then each side's first write copies the
 * table once for itself, and page-by-page copy-on-write takes over.
 */
static void share_fork_and_write(struct ktest *t)
{
	struct vm_space *parent, *child = NULL;
	unsigned long before, tables;
	unsigned int prot;
	struct page *tp;
	paddr_t p0, p1;

	sim_tlb_reset();
	KASSERT_EQ(t, vm_init(), 0);
	vm_fork_set_mode(VM_FORK_SHARE);
	before = pmm_free_count();
	parent = vm_space_create();
	KASSERT_NOT_NULL(t, parent);
	KEXPECT_EQ(t, map_fixed(parent, BASE, 16 * P, RW), 0);
	KEXPECT_TRUE(t, writes_seq(parent, BASE, 16, 100));
	p0 = pa_of(parent, BASE);
	p1 = pa_of(parent, BASE + P);
	tp = table_of(parent, BASE);
	KASSERT_NOT_NULL(t, tp);
	KEXPECT_EQ(t, vm_fork(parent, &child), 0);
	KASSERT_NOT_NULL(t, child);
	KEXPECT_TRUE(t, table_of(child, BASE) == tp);
	KEXPECT_EQ(t, tp->refcount, 2);
	KEXPECT_EQ(t, page_from_phys(p0)->refcount, 1);
	KEXPECT_EQ(t, page_from_phys(p0)->mapcount, 1);
	KEXPECT_EQ(t, child->pmap->resident, 16);
	KEXPECT_EQ(t, pmap_extract(parent->pmap, BASE, NULL, &prot), 0);
	KEXPECT_EQ(t, prot & (VM_WRITE | PMAP_PROT_COW_TABLE),
		   PMAP_PROT_COW_TABLE);
	/* The parent's TLB held BASE writable: the fork's flush dropped it. */
	KEXPECT_NE(t, sim_store32(BASE, USER, 0xbad), 0);
	KEXPECT_TRUE(t, reads_seq(child, BASE, 16, 100));
	/* The child's first write: its own copy of the table. */
	tables = child->pmap->tables;
	KEXPECT_TRUE(t, writes_seq(child, BASE, 1, 200));
	KEXPECT_TRUE(t, table_of(child, BASE) != tp);
	KEXPECT_EQ(t, child->pmap->tables, tables);
	KEXPECT_EQ(t, tp->refcount, 1);
	KEXPECT_NE(t, pa_of(child, BASE), p0);
	KEXPECT_EQ(t, page_from_phys(p1)->refcount, 2);	/* two tables */
	KEXPECT_EQ(t, page_from_phys(p1)->mapcount, 2);
	KEXPECT_EQ(t, page_from_phys(p0)->refcount, 1);
	/* The parent: its table is its own again, without a copy, and the
	 * frame only it maps now is written in place. */
	KEXPECT_TRUE(t, writes_seq(parent, BASE, 1, 300));
	KEXPECT_TRUE(t, table_of(parent, BASE) == tp);
	KEXPECT_EQ(t, pa_of(parent, BASE), p0);
	KEXPECT_TRUE(t, writes_seq(parent, BASE + P, 1, 301));
	KEXPECT_NE(t, pa_of(parent, BASE + P), p1);
	KEXPECT_TRUE(t, reads_seq(child, BASE, 1, 200));
	KEXPECT_TRUE(t, reads_seq(child, BASE + P, 15, 101));
	KEXPECT_TRUE(t, reads_seq(parent, BASE, 2, 300));
	KEXPECT_TRUE(t, reads_seq(parent, BASE + 2 * P, 14, 102));
	run_on(NULL);
	vm_space_destroy(parent);
	vm_space_destroy(child);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* Three generations on one table; each writes the same page in turn and
 * sees only its own value; any teardown order frees everything. */
static void share_three_generations(struct ktest *t)
{
	struct vm_space *a, *b = NULL, *c = NULL;
	unsigned long before;
	struct page *tp;

	sim_tlb_reset();
	KASSERT_EQ(t, vm_init(), 0);
	vm_fork_set_mode(VM_FORK_SHARE);
	before = pmm_free_count();
	a = vm_space_create();
	KASSERT_NOT_NULL(t, a);
	KEXPECT_EQ(t, map_fixed(a, BASE, 4 * P, RW), 0);
	KEXPECT_TRUE(t, writes_seq(a, BASE, 4, 10));
	KEXPECT_EQ(t, vm_fork(a, &b), 0);
	KASSERT_NOT_NULL(t, b);
	run_on(b);
	KEXPECT_EQ(t, vm_fork(b, &c), 0);
	KASSERT_NOT_NULL(t, c);
	tp = table_of(a, BASE);
	KASSERT_NOT_NULL(t, tp);
	KEXPECT_TRUE(t, table_of(b, BASE) == tp && table_of(c, BASE) == tp);
	KEXPECT_EQ(t, tp->refcount, 3);
	KEXPECT_TRUE(t, writes_seq(a, BASE, 1, 0xa));
	KEXPECT_TRUE(t, writes_seq(b, BASE, 1, 0xb));
	KEXPECT_TRUE(t, writes_seq(c, BASE, 1, 0xc));
	KEXPECT_TRUE(t, reads(a, BASE, 0xa) && reads(b, BASE, 0xb) &&
			reads(c, BASE, 0xc));
	KEXPECT_TRUE(t, reads_seq(a, BASE + P, 3, 11) &&
			reads_seq(b, BASE + P, 3, 11) &&
			reads_seq(c, BASE + P, 3, 11));
	/* Two copies were made; the last writer kept the original. */
	KEXPECT_EQ(t, tp->refcount, 1);
	run_on(NULL);
	vm_space_destroy(b);
	vm_space_destroy(a);
	vm_space_destroy(c);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/*
 * munmap, mprotect and MADV_DONTNEED of part of a shared table, in the
 * parent and in the child: each copies the table first, the other side
 * keeps every page. A munmap of a whole span drops the share without a
 * copy. A partial munmap whose copy cannot be had fails changing nothing.
 */
static void share_partial_changes(struct ktest *t)
{
	struct vm_space *parent, *child = NULL;
	unsigned long before, free0;
	struct page *span2;
	uint32_t v;

	sim_tlb_reset();
	KASSERT_EQ(t, vm_init(), 0);
	vm_fork_set_mode(VM_FORK_SHARE);
	before = pmm_free_count();
	parent = vm_space_create();
	KASSERT_NOT_NULL(t, parent);
	KEXPECT_EQ(t, map_fixed(parent, BASE, 32 * P, RW), 0);
	KEXPECT_EQ(t, map_fixed(parent, BASE + SPAN, SPAN, RW), 0);
	KEXPECT_TRUE(t, writes_seq(parent, BASE, 32, 0));
	KEXPECT_TRUE(t, writes_seq(parent, BASE + SPAN, 8, 1000));
	KEXPECT_EQ(t, vm_fork(parent, &child), 0);
	KASSERT_NOT_NULL(t, child);

	/* Out of memory for the copy: -ENOMEM, both sides unchanged. */
	free0 = pmm_free_count();
	pmm_fault_inject_nth(1);
	KEXPECT_EQ(t, vm_unmap(parent, BASE + 4 * P, 2 * P), -ENOMEM);
	pmm_fault_inject_nth(0);
	KEXPECT_EQ(t, pmm_free_count(), free0);
	KEXPECT_EQ(t, table_of(parent, BASE)->refcount, 2);
	KEXPECT_TRUE(t, reads_seq(parent, BASE, 32, 0));

	KEXPECT_EQ(t, vm_unmap(parent, BASE + 4 * P, 2 * P), 0);
	KEXPECT_TRUE(t, table_of(parent, BASE) != table_of(child, BASE));
	run_on(parent);
	KEXPECT_EQ(t, vm_fault(parent, BASE + 4 * P, VM_READ), -EFAULT);
	KEXPECT_TRUE(t, reads_seq(child, BASE, 32, 0));

	/* The child: read-only pages it cannot write, the parent can. */
	KEXPECT_EQ(t, vm_protect(child, BASE + 8 * P, 2 * P, VM_READ), 0);
	run_on(child);
	KEXPECT_EQ(t, user_store(child, BASE + 8 * P, 1), -EFAULT);
	KEXPECT_TRUE(t, writes_seq(parent, BASE + 8 * P, 2, 500));
	KEXPECT_TRUE(t, reads_seq(child, BASE + 8 * P, 2, 8));

	/* MADV_DONTNEED in the parent: zeroes there, the child keeps its. */
	KEXPECT_EQ(t, vm_discard(parent, BASE + 16 * P, 4 * P), 0);
	KEXPECT_TRUE(t, reads(parent, BASE + 16 * P, 0));
	KEXPECT_TRUE(t, reads_seq(child, BASE + 16 * P, 4, 16));

	/* A whole span: the child's munmap drops its share, copying nothing
	 * and freeing nothing (the parent still maps every frame). */
	span2 = table_of(parent, BASE + SPAN);
	KASSERT_NOT_NULL(t, span2);
	KEXPECT_EQ(t, span2->refcount, 2);
	free0 = pmm_free_count();
	KEXPECT_EQ(t, vm_unmap(child, BASE + SPAN, SPAN), 0);
	KEXPECT_EQ(t, pmm_free_count(), free0);
	KEXPECT_EQ(t, span2->refcount, 1);
	KEXPECT_TRUE(t, table_of(child, BASE + SPAN) == NULL);
	KEXPECT_TRUE(t, reads_seq(parent, BASE + SPAN, 8, 1000));
	run_on(child);
	KEXPECT_NE(t, sim_load32(BASE + SPAN, USER, &v), 0);
	KEXPECT_EQ(t, vm_fault(child, BASE + SPAN, VM_READ), -EFAULT);
	run_on(NULL);
	vm_space_destroy(child);
	vm_space_destroy(parent);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* A span with a shared VMA is never shared: the MAP_SHARED page stays
 * common to both sides, the private one beside it is copy-on-write. */
static void share_mixed_span(struct ktest *t)
{
	struct vm_space *parent, *child = NULL;
	unsigned long before;
	vaddr_t out;

	sim_tlb_reset();
	KASSERT_EQ(t, vm_init(), 0);
	vm_fork_set_mode(VM_FORK_SHARE);
	before = pmm_free_count();
	parent = vm_space_create();
	KASSERT_NOT_NULL(t, parent);
	KEXPECT_EQ(t, map_fixed(parent, BASE, 4 * P, RW), 0);
	KEXPECT_TRUE(t, writes_seq(parent, BASE, 4, 40));
	/* First a fork that shares the table, then a shared VMA appears in
	 * its span: the next fork must make the parent's table private. */
	KEXPECT_EQ(t, vm_fork(parent, &child), 0);
	KASSERT_NOT_NULL(t, child);
	KEXPECT_EQ(t, vm_map(parent, BASE + 8 * P, P, RW,
			     VM_MAP_SHARED | VM_MAP_ANONYMOUS | VM_MAP_FIXED,
			     &out), 0);
	vm_space_destroy(child);
	child = NULL;
	KEXPECT_EQ(t, vm_fork(parent, &child), 0);
	KASSERT_NOT_NULL(t, child);
	KEXPECT_TRUE(t, table_of(child, BASE) != table_of(parent, BASE));
	KEXPECT_TRUE(t, writes_seq(child, BASE + 8 * P, 1, 0x5a));
	KEXPECT_TRUE(t, reads(parent, BASE + 8 * P, 0x5a));
	KEXPECT_TRUE(t, writes_seq(child, BASE, 1, 0x77));
	KEXPECT_TRUE(t, reads(parent, BASE, 40));
	run_on(NULL);
	vm_space_destroy(child);
	vm_space_destroy(parent);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

KTEST_SUITE(sim_vm,
	    KTEST_CASE(split_and_merge),
	    KTEST_CASE(error_cases),
	    KTEST_CASE(zero_page),
	    KTEST_CASE(copy_on_write),
	    KTEST_CASE(fork_then_exit_frees_all),
	    KTEST_CASE(big_unmap_cow_partner),
	    KTEST_CASE(fault_injection),
	    KTEST_CASE(share_fork_and_write),
	    KTEST_CASE(share_three_generations),
	    KTEST_CASE(share_partial_changes),
	    KTEST_CASE(share_mixed_span));
