/*
 * fork of an address space: the child gets a copy of the VMA list and
 * maps every frame the parent maps, read-only, with one more reference;
 * then the parent's writable entries become read-only too, so the first
 * write on either side faults into copy-on-write (mm/vm_fault.c).
 *
 * vm.fork=share goes one level up: the child links the parent's
 * last-level tables themselves (pmap_share), and the entries above them
 * are write-protected on both sides, so a fork costs one step per 2 MiB
 * span, not per page. A span holding a shared VMA cannot be shared that
 * way (its writes must reach the other side) and is copied as above.
 *
 * The child is built completely before the parent changes at all: if a
 * VMA node or a page table cannot be had, destroying the half-built child
 * undoes everything, and the parent never noticed.
 */
#include <kern/cmdline.h>
#include <kern/errno.h>
#include <kern/printk.h>
#include <kern/prof.h>
#include <kern/string.h>
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

CMDLINE_PARAM(vm_fork, "vm.fork",
	      "share (default): fork shares last-level page tables "
	      "copy-on-write, one step per 2 MiB span; copy: fork enters "
	      "every mapped page in the child");

static enum vm_fork_mode fork_mode = VM_FORK_SHARE;

void vm_fork_configure(const char *value)
{
	fork_mode = VM_FORK_SHARE;
	if (!value || !strcmp(value, "share"))
		return;
	if (!strcmp(value, "copy"))
		fork_mode = VM_FORK_COPY;
	else
		printk("cmdline: vm.fork=%s is not a mode (copy, share); "
		       "using share\n", value);
}

void vm_fork_set_mode(enum vm_fork_mode mode)
{
	WRITE_ONCE(fork_mode, mode);
}

enum vm_fork_mode vm_fork_mode(void)
{
	return READ_ONCE(fork_mode);
}

/* A private range, copy mode's way: each mapped page entered read-only. */
static int copy_private(struct vm_space *parent, struct vm_space *child,
			vaddr_t s, vaddr_t e)
{
	if (s >= e)
		return 0;
	return pmap_copy(child->pmap, parent->pmap, s, e - s, true, take_ref,
			 vm_zero_page());
}

/* May the table of the span at @s be shared: no shared VMA in it? */
static bool span_shareable(struct vm_space *vs, vaddr_t s)
{
	return !vm_any_shared(vs, s, s + PMAP_SHARE_SPAN);
}

/*
 * Share mode: the spans of the private VMA @v whose tables can be shared,
 * [*lo, *hi) (empty if *lo >= *hi). Only the first and the last span can
 * hold another VMA, so only they are checked.
 */
static void shareable_spans(struct vm_space *vs, const struct vma *v,
			    vaddr_t *lo, vaddr_t *hi)
{
	vaddr_t first = ALIGN_DOWN(v->start, PMAP_SHARE_SPAN);
	vaddr_t last = ALIGN_UP(v->end, PMAP_SHARE_SPAN) - PMAP_SHARE_SPAN;

	*lo = span_shareable(vs, first) ? first : first + PMAP_SHARE_SPAN;
	*hi = span_shareable(vs, last) ? last + PMAP_SHARE_SPAN : last;
}

/* Share mode's fork of a private VMA: shared tables where it can, copied
 * pages in the spans at its ends that hold a shared VMA. */
static int fork_private_shared(struct vm_space *parent,
			       struct vm_space *child, const struct vma *v)
{
	vaddr_t lo, hi;
	int err;

	shareable_spans(parent, v, &lo, &hi);
	if (lo >= hi)
		return copy_private(parent, child, v->start, v->end);
	err = copy_private(parent, child, v->start, lo);
	if (!err)
		err = pmap_share(child->pmap, parent->pmap, lo, hi - lo);
	if (!err)
		err = copy_private(parent, child, hi, v->end);
	return err;
}

/*
 * Map in @child each page @parent maps in @v, taking a reference per
 * frame (or per shared table): read-only for copy-on-write, or as the
 * parent maps it in a shared VMA. On -ENOMEM the references and shares
 * taken so far belong to the child's mappings, which
 * vm_space_destroy(child) drops.
 */
static int share_vma(struct vm_space *parent, struct vm_space *child,
		     const struct vma *v, bool share)
{
	if (v->flags & VMA_SHARED)
		return share_shared_vma(parent, child, v);
	if (share)
		return fork_private_shared(parent, child, v);
	return copy_private(parent, child, v->start, v->end);
}

/*
 * Share mode, before anything else: the parent's tables in spans holding
 * a shared VMA must be its own, as fork enters pages there
 * (populate_shared) and write-protects page by page.
 */
static int unshare_shared_spans(struct vm_space *vs, struct tlb_batch *b)
{
	struct vma *v;

	vm_space_for_each_vma(vs, v) {
		vaddr_t s = ALIGN_DOWN(v->start, PMAP_SHARE_SPAN);
		vaddr_t e = ALIGN_UP(v->end, PMAP_SHARE_SPAN);
		int err;

		if (!(v->flags & VMA_SHARED))
			continue;
		err = pmap_unshare(vs->pmap, s, e - s, false, b);
		if (err)
			return err;
	}
	return 0;
}

/* Make @vs's private VMAs read-only for copy-on-write, into @b, the
 * fork's one batch (building the child enters into empty slots of a new
 * pmap, which needs none): in share mode the entries above the shared
 * tables (whatever the VMA's protection: no page may be added there
 * either), page by page elsewhere. Cannot fail. */
static void write_protect(struct vm_space *vs, bool share,
			  struct tlb_batch *b)
{
	struct vma *v;

	vm_space_for_each_vma(vs, v) {
		/* [lo, hi): the shared spans; the pages outside are copies. */
		vaddr_t lo = v->end, hi = v->end;
		unsigned int ro = vm_prot_read_only(v->prot);

		if (v->flags & VMA_SHARED)
			continue;
		if (share)
			shareable_spans(vs, v, &lo, &hi);
		if (lo < hi)
			pmap_share_protect(vs->pmap, lo, hi - lo, b);
		else
			lo = hi = v->end;
		if (!(v->prot & VM_WRITE))
			continue;
		if (v->start < lo)
			pmap_protect(vs->pmap, v->start, lo - v->start, ro, b);
		if (hi < v->end)
			pmap_protect(vs->pmap, hi, v->end - hi, ro, b);
	}
}

int vm_fork(struct vm_space *parent, struct vm_space **out)
{
	bool share = vm_fork_mode() == VM_FORK_SHARE;
	uint64_t t = prof_start();
	struct vm_space *child = vm_space_create();
	struct tlb_batch b;
	struct vma *v;
	int err;

	if (!child)
		return -ENOMEM;
	prof_end(PROF_FORK_VM_CREATE, t);
	spin_lock(&parent->lock);
	tlb_batch_begin(&b, parent->pmap);
	t = prof_start();
	err = vm_copy_vmas(child, parent);
	prof_end(PROF_FORK_VMAS, t);
	t = prof_start();
	if (!err && share)
		err = unshare_shared_spans(parent, &b);
	if (!err) {
		vm_space_for_each_vma(parent, v) {
			err = share_vma(parent, child, v, share);
			if (err)
				break;
		}
	}
	prof_end(PROF_FORK_PTES, t);
	t = prof_start();
	if (!err)
		write_protect(parent, share, &b);
	tlb_batch_end(&b);
	if (!err)
		prof_end(PROF_FORK_WRPROTECT, t);
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
