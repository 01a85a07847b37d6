/*
 * Page faults of anonymous memory: demand-zero and copy-on-write.
 *
 * A missing page read (or executed) maps the shared zero page read-only;
 * a missing page written gets a zeroed frame of its own. A write to a
 * present read-only page of a writable VMA is copy-on-write: the zero
 * page is replaced by a zeroed frame, a frame this space alone references
 * is made writable in place, and a shared one is copied. The old frame's
 * reference drops only after the flush, so the other sharer cannot reuse
 * it in place while this space's TLBs still reach it.
 *
 * A span whose page table fork shared (vm.fork=share) is read-only at the
 * table level: its first write or new page makes the table private first
 * (fault_unshare), after which the rules above apply page by page.
 *
 * Shared mappings never see the zero page or a copy: any first touch
 * allocates the frame every sharer will map, and a write to a read-only
 * entry (after mprotect) only grants write permission again.
 */
#include <kern/errno.h>
#include <kern/prof.h>
#include <kern/string.h>
#include <mm/pmap.h>
#include <mm/pmm.h>
#include <mm/tlb_batch.h>
#include <mm/vm.h>

/* Entry permissions of a page this space may write. */
static unsigned int prot_writable(unsigned int prot)
{
	return (prot & VM_PROT_MASK) | VM_READ;
}

/* May a VMA with @prot be accessed as @access? Reads need any permission:
 * no supported MMU has write-only or execute-only user pages. */
static bool access_ok(unsigned int prot, unsigned int access)
{
	return access == VM_READ ? prot != 0 : (prot & access) != 0;
}

/*
 * A frame for the fault: *@spare if the fault reserved one (zeroed here
 * if @zero), else a new one (NULL when none is left). Frames of address
 * spaces are direct-mapped: vm allocates them so.
 */
static struct page *frame_get(struct page **spare, bool zero)
{
	struct page *pg = *spare;

	if (!pg)
		return pmm_alloc(0, zero ? PMM_ZERO : PMM_DIRECT);
	*spare = NULL;
	if (zero)
		page_zero(page_to_virt(pg));
	return pg;
}

static int fault_missing(struct vm_space *vs, const struct vma *v,
			 vaddr_t va, unsigned int access, struct page **spare,
			 enum prof_phase *kind)
{
	struct page *pg;
	int err;

	bool shared = v->flags & VMA_SHARED;

	*kind = PROF_FAULT_ANON;
	if (access != VM_WRITE && !shared) {
		*kind = PROF_FAULT_ZERO;
		return pmap_enter(vs->pmap, va, page_to_phys(vm_zero_page()),
				  vm_prot_read_only(v->prot), NULL);
	}
	pg = frame_get(spare, true);
	if (!pg)
		return -ENOMEM;
	err = pmap_enter(vs->pmap, va, page_to_phys(pg), prot_writable(v->prot),
			 NULL);
	if (err)
		pmm_free(pg, 0);
	return err;
}

/* A frame with the contents of @old (zeroes for the zero page), or NULL. */
static struct page *copy_frame(struct page *old, struct page **spare)
{
	struct page *pg;

	if (old == vm_zero_page())
		return frame_get(spare, true);
	pg = frame_get(spare, false);
	if (pg)
		page_copy(page_to_virt(pg), page_to_virt(old));
	return pg;
}

/* Write to the read-only entry for frame @old at @va. */
static int fault_cow(struct vm_space *vs, const struct vma *v, vaddr_t va,
		     struct page *old, struct page **spare,
		     enum prof_phase *kind)
{
	bool shared = !(v->flags & VMA_SHARED) &&
		(old == vm_zero_page() ||
		 __atomic_load_n(&old->refcount, __ATOMIC_ACQUIRE) != 1);
	struct page *pg = shared ? copy_frame(old, spare) : old;
	struct tlb_batch b;
	int err;

	*kind = shared ? PROF_FAULT_COW_COPY : PROF_FAULT_COW_REUSE;
	/* Refcount 1 cannot rise under us: only a fork of a space mapping
	 * the frame adds references, and this space is locked. A frame of
	 * a shared mapping is written in place whatever its refcount. */
	if (!pg)
		return -ENOMEM;
	tlb_batch_begin(&b, vs->pmap);
	/* Replaces a valid leaf: no table is allocated, so it cannot fail
	 * for want of memory. In place, only rights are added: on x86 that
	 * is one local flush and no shootdown (pmap_upgrade). */
	if (shared)
		err = pmap_enter(vs->pmap, va, page_to_phys(pg),
				 prot_writable(v->prot), &b);
	else
		err = pmap_upgrade(vs->pmap, va, prot_writable(v->prot), &b);
	tlb_batch_end(&b);
	if (err) {
		if (shared)
			pmm_free(pg, 0);
		return err;
	}
	if (shared && old != vm_zero_page() && page_ref_put(old))
		pmm_free(old, 0);
	return 0;
}

/*
 * The page at @va lies in a span whose page table fork shared (or shared
 * once): make it this space's own before anything there changes. One
 * flush; the copy's frames are one reference higher, so the fault below
 * decides about copy-on-write from counts that are true for this space.
 * The frame the fault may need is reserved in *@spare first: once the
 * table is copied nothing may fail, so -ENOMEM still changes nothing.
 */
static int fault_unshare(struct vm_space *vs, vaddr_t va, struct page **spare)
{
	uint64_t t0 = prof_start();
	struct tlb_batch b;
	int err;

	*spare = pmm_alloc(0, PMM_DIRECT);
	if (!*spare)
		return -ENOMEM;
	tlb_batch_begin(&b, vs->pmap);
	err = pmap_unshare(vs->pmap, va, PAGE_SIZE, false, &b);
	tlb_batch_end(&b);
	if (!err)
		prof_end(PROF_FAULT_UNSHARE, t0);
	return err;
}

int vm_fault(struct vm_space *vs, vaddr_t va, unsigned int access)
{
	enum prof_phase kind = PROF_NPHASES;
	uint64_t t0 = prof_start();
	struct page *spare = NULL;
	const struct vma *v;
	unsigned int cur;
	bool present;
	paddr_t pa;
	int err = -EFAULT;

	if (access != VM_READ && access != VM_WRITE && access != VM_EXEC)
		return -EINVAL;
	va = ALIGN_DOWN(va, PAGE_SIZE);
	spin_lock(&vs->lock);
	v = vm_find_vma(vs, va);
	if (!v || !access_ok(v->prot, access))
		goto out;
	present = pmap_extract(vs->pmap, va, &pa, &cur) == 0;
	if ((cur & PMAP_PROT_COW_TABLE) && (!present || access == VM_WRITE)) {
		err = fault_unshare(vs, va, &spare);
		if (err)
			goto out;
		present = pmap_extract(vs->pmap, va, &pa, &cur) == 0;
	}
	if (!present) {
		err = fault_missing(vs, v, va, access, &spare, &kind);
	} else if (access == VM_WRITE && !(cur & VM_WRITE)) {
		err = fault_cow(vs, v, va,
				page_from_phys(pa & ~(paddr_t)PAGE_MASK), &spare,
				&kind);
	} else {
		err = 0;
	}
out:
	spin_unlock(&vs->lock);
	if (spare)
		pmm_free(spare, 0);
	if (!err && kind != PROF_NPHASES)
		prof_end(kind, t0);
	return err;
}
