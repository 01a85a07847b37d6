/*
 * fork of an address space: the child gets a copy of the VMA list and
 * maps every frame the parent maps, read-only, with one more reference;
 * then the parent's writable entries become read-only too, so the first
 * write on either side faults into copy-on-write (mm/vm_fault.c).
 *
 * The child is built completely before the parent changes at all: if a
 * VMA node or a page table cannot be had, destroying the half-built child
 * undoes everything, and the parent never noticed.
 */
#include <kern/errno.h>
#include <kern/prof.h>
#include <mm/pmap.h>
#include <mm/pmm.h>
#include <mm/tlb_batch.h>
#include <mm/vm.h>

/*
 * A shared anonymous page no one has touched has no frame, and nothing
 * (no backing object) would let the two sides find a common one later:
 * give it its zeroed frame in @parent now, so the child maps the same.
 * The parent sees only zeroes it would have seen anyway, so a fork that
 * fails later leaves it correct. A PROT_NONE shared VMA is left alone
 * (a later mprotect then faults per side: not shared, a known limit).
 * Adding a mapping where none was needs no TLB invalidation.
 * Locking: @parent's vm lock held (vm_fork).
 */
static int populate_shared(struct vm_space *parent, const struct vma *v,
			   vaddr_t va)
{
	struct page *pg = pmm_alloc(0, PMM_ZERO);
	int err;

	if (!pg)
		return -ENOMEM;
	err = pmap_enter(parent->pmap, va, page_to_phys(pg),
			 v->prot & VM_PROT_MASK, NULL);
	if (err)
		pmm_free(pg, 0);
	return err;
}

/* pmap_copy's callback: the child's reference on the frame at @pa (the
 * zero page, @zero, is never counted). */
static void take_ref(paddr_t pa, void *zero)
{
	struct page *pg = page_from_phys(pa);

	if (pg && pg != zero)
		page_ref_get(pg);
}

/* A shared VMA, page by page: a page @parent has not touched yet gets its
 * frame now (populate_shared), so both sides map the same one. */
static int share_shared_vma(struct vm_space *parent, struct vm_space *child,
			    const struct vma *v)
{
	for (vaddr_t va = v->start; va < v->end; va += PAGE_SIZE) {
		unsigned int prot;
		paddr_t pa;
		int err;

		if (pmap_extract(parent->pmap, va, &pa, &prot) != 0) {
			if (!(v->prot & VM_PROT_MASK))
				continue;
			err = populate_shared(parent, v, va);
			if (err)
				return err;
			if (pmap_extract(parent->pmap, va, &pa, &prot) != 0)
				continue;
		}
		err = pmap_enter(child->pmap, va, pa, prot & VM_PROT_MASK,
				 NULL);
		if (err)
			return err;
		take_ref(pa, vm_zero_page());
	}
	return 0;
}

/*
 * Map in @child each page @parent maps in @v, taking a reference per
 * frame: read-only for copy-on-write, or as the parent maps it in a
 * shared VMA. A private VMA is one pmap_copy, which visits only what is
 * mapped. On -ENOMEM the references taken so far belong to the child's
 * mappings, which vm_space_destroy(child) drops.
 */
static int share_vma(struct vm_space *parent, struct vm_space *child,
		     const struct vma *v)
{
	if (v->flags & VMA_SHARED)
		return share_shared_vma(parent, child, v);
	return pmap_copy(child->pmap, parent->pmap, v->start,
			 v->end - v->start, true, take_ref, vm_zero_page());
}

/* Make @vs's writable private VMAs read-only in the page tables: every
 * VMA in one batch, the fork's only one (building the child enters into
 * empty slots of a new pmap, which needs none). Cannot fail. */
static void write_protect(struct vm_space *vs)
{
	struct tlb_batch b;
	struct vma *v;

	tlb_batch_begin(&b, vs->pmap);
	vm_space_for_each_vma(vs, v)
		if ((v->prot & VM_WRITE) && !(v->flags & VMA_SHARED))
			pmap_protect(vs->pmap, v->start, v->end - v->start,
				     vm_prot_read_only(v->prot), &b);
	tlb_batch_end(&b);
}

int vm_fork(struct vm_space *parent, struct vm_space **out)
{
	uint64_t t = prof_start();
	struct vm_space *child = vm_space_create();
	struct vma *v;
	int err;

	if (!child)
		return -ENOMEM;
	prof_end(PROF_FORK_VM_CREATE, t);
	spin_lock(&parent->lock);
	t = prof_start();
	err = vm_copy_vmas(child, parent);
	prof_end(PROF_FORK_VMAS, t);
	t = prof_start();
	if (!err) {
		vm_space_for_each_vma(parent, v) {
			err = share_vma(parent, child, v);
			if (err)
				break;
		}
	}
	prof_end(PROF_FORK_PTES, t);
	if (!err) {
		t = prof_start();
		write_protect(parent);
		prof_end(PROF_FORK_WRPROTECT, t);
	}
	spin_unlock(&parent->lock);
	if (err) {
		/* Never active anywhere: its pages go without any TLB having
		 * seen them, and the parent's references are untouched. */
		vm_space_destroy(child);
		return err;
	}
	*out = child;
	return 0;
}
