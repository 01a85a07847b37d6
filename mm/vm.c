/*
 * Address spaces and their VMA lists: create/destroy, mmap, munmap and
 * mprotect. Faults and fork are in mm/vm_fault.c and mm/vm_fork.c.
 *
 * Every list change is planned before it is made: the operation counts
 * the VMA nodes its splits will take, allocates them into a pool, and
 * only then splits, links and unlinks, which cannot fail. Merging and
 * unlinking give nodes back, which cannot fail either.
 *
 * Every operation puts all its page-table changes into one tlb_batch and
 * ends it once, so the shootdown rounds a call costs are the TLB
 * policy's to decide, not the number of VMAs or pages: the frames'
 * references are deferred in that batch (pmap_remove_release), never
 * dropped before the flush. Deferring cannot fail (the batch flushes
 * early instead), so the allocation-failure rule above still holds.
 */
#include <kern/errno.h>
#include <kern/panic.h>
#include <mm/kheap.h>
#include <mm/lock_rank.h>
#include <mm/pmap.h>
#include <mm/pmm.h>
#include <mm/tlb_batch.h>
#include <mm/vm.h>

/* Taken before the pmap's lock, whose tables every operation changes. */

/* Most nodes one operation needs: a fixed map inside one VMA splits it
 * twice and adds its own. */
#define POOL_MAX	3

struct vma_pool {
	unsigned int n;
	struct vma *node[POOL_MAX];
};

static struct page *zero_page;

/* --- The zero page ------------------------------------------------------ */

int vm_init(void)
{
	struct page *pg, *expected = NULL;

	if (__atomic_load_n(&zero_page, __ATOMIC_ACQUIRE))
		return 0;
	pg = pmm_alloc(0, PMM_ZERO);
	if (!pg)
		return -ENOMEM;
	/* Release: the zeroes are visible before anyone maps the frame. */
	if (!__atomic_compare_exchange_n(&zero_page, &expected, pg, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		pmm_free(pg, 0);
	return 0;
}

struct page *vm_zero_page(void)
{
	return __atomic_load_n(&zero_page, __ATOMIC_ACQUIRE);
}

unsigned int vm_prot_read_only(unsigned int prot)
{
	return (prot & ~VM_WRITE & VM_PROT_MASK) | VM_READ;
}

/* --- Node pools ----------------------------------------------------------- */

/* Fill @pool with @n nodes, or leave it empty and return -ENOMEM. */
static int pool_fill(struct vma_pool *pool, unsigned int n)
{
	pool->n = 0;
	while (pool->n < n) {
		struct vma *v = kmalloc(sizeof(*v));

		if (!v) {
			while (pool->n > 0)
				kfree(pool->node[--pool->n]);
			return -ENOMEM;
		}
		pool->node[pool->n++] = v;
	}
	return 0;
}

static struct vma *pool_take(struct vma_pool *pool)
{
	if (pool->n == 0)
		panic("vm: VMA pool ran dry (a miscounted reservation)");
	return pool->node[--pool->n];
}

static void pool_drain(struct vma_pool *pool)
{
	while (pool->n > 0)
		kfree(pool->node[--pool->n]);
}

/* --- The sorted VMA list ---------------------------------------------------- */

static void vma_link_after(struct vm_space *vs, struct vma *pos, struct vma *v)
{
	v->prev = pos;
	v->next = pos->next;
	pos->next->prev = v;
	pos->next = v;
	vs->nvmas++;
}

static void vma_unlink(struct vm_space *vs, struct vma *v)
{
	v->prev->next = v->next;
	v->next->prev = v->prev;
	vs->nvmas--;
	kfree(v);
}

struct vma *vm_find_vma(struct vm_space *vs, vaddr_t va)
{
	struct vma *v;

	vm_space_for_each_vma(vs, v) {
		if (va < v->start)
			return NULL;
		if (va < v->end)
			return v;
	}
	return NULL;
}

/* The first VMA ending above @va (the one containing it, or the next),
 * or the sentinel. */
static struct vma *vma_from(struct vm_space *vs, vaddr_t va)
{
	struct vma *v;

	vm_space_for_each_vma(vs, v)
		if (v->end > va)
			break;
	return v;
}

int vm_copy_vmas(struct vm_space *dst, struct vm_space *src)
{
	struct vma *v;

	vm_space_for_each_vma(src, v) {
		struct vma *copy = kmalloc(sizeof(*copy));

		if (!copy)
			return -ENOMEM;
		*copy = *v;
		vma_link_after(dst, dst->vmas.prev, copy);
	}
	return 0;
}

/* Does @va fall strictly inside a VMA, so a change there must split it? */
static bool splits_at(struct vm_space *vs, vaddr_t va)
{
	struct vma *v = vma_from(vs, va);

	return v != &vs->vmas && v->start < va;
}

static unsigned int splits_needed(struct vm_space *vs, vaddr_t s, vaddr_t e)
{
	return (unsigned int)splits_at(vs, s) + (unsigned int)splits_at(vs, e);
}

/* Cut the VMA containing @va in two at @va, if @va is strictly inside. */
static void split_at(struct vm_space *vs, vaddr_t va, struct vma_pool *pool)
{
	struct vma *v = vma_from(vs, va), *upper;

	if (v == &vs->vmas || v->start >= va)
		return;
	upper = pool_take(pool);
	*upper = *v;
	upper->start = va;
	v->end = va;
	vma_link_after(vs, v, upper);
}

static bool mergeable(const struct vma *a, const struct vma *b)
{
	return a->end == b->start && a->prot == b->prot && a->flags == b->flags;
}

/* Merge every mergeable pair from the VMA before @first through the one
 * starting at @end (the neighbours of a changed run). */
static void merge_around(struct vm_space *vs, struct vma *first, vaddr_t end)
{
	struct vma *v = first->prev != &vs->vmas ? first->prev : first;

	while (v != &vs->vmas && v->next != &vs->vmas && v->start <= end) {
		struct vma *n = v->next;

		if (!mergeable(v, n)) {
			v = n;
			continue;
		}
		v->end = n->end;
		vma_unlink(vs, n);
	}
}

/* --- Releasing pages ---------------------------------------------------- */

/*
 * Unmap [start, end) into @b, which drops the frames' references after
 * its flush. One pmap walk over the range, visiting only what is mapped;
 * the caller ends @b once for the whole system call.
 */
static void release_range(struct vm_space *vs, vaddr_t start, vaddr_t end,
			  struct tlb_batch *b)
{
	pmap_remove_release(vs->pmap, start, end - start, b);
}

/* Split at the edges of [s, e), unmap all of it into @b (one walk, holes
 * between VMAs map nothing), then unlink every VMA inside. */
static void unmap_locked(struct vm_space *vs, vaddr_t s, vaddr_t e,
			 struct vma_pool *pool, struct tlb_batch *b)
{
	struct vma *v;

	split_at(vs, s, pool);
	split_at(vs, e, pool);
	release_range(vs, s, e, b);
	v = vma_from(vs, s);
	while (v != &vs->vmas && v->start < e) {
		struct vma *next = v->next;

		vma_unlink(vs, v);
		v = next;
	}
}

/* --- Spaces ----------------------------------------------------------------- */

struct vm_space *vm_space_create(void)
{
	struct vm_space *vs;

	if (vm_init() != 0)
		return NULL;
	vs = kzalloc(sizeof(*vs));
	if (!vs)
		return NULL;
	vs->pmap = pmap_create();
	if (!vs->pmap) {
		kfree(vs);
		return NULL;
	}
	vs->lock = (struct spinlock)SPINLOCK_INIT_ORDERED("vm_space",
							  MM_LOCK_RANK_VM);
	vs->vmas.next = vs->vmas.prev = &vs->vmas;
	return vs;
}

void vm_space_destroy(struct vm_space *vs)
{
	/* No lock: the caller owns @vs outright, so nothing can race. */
	while (vs->vmas.next != &vs->vmas)
		vma_unlink(vs, vs->vmas.next);
	/* Every frame mapped lies in a VMA: one walk over what is mapped
	 * drops them all, with the tables, in one batch. */
	pmap_destroy_release(vs->pmap);
	kfree(vs);
}

/* --- mmap ------------------------------------------------------------------- */

static bool range_free(struct vm_space *vs, vaddr_t s, size_t len)
{
	struct vma *v = vma_from(vs, s);

	return v == &vs->vmas || (v->start >= s && v->start - s >= len);
}

/* First free [a, a + len) with @from <= a and a + len <= @limit, or 0. */
static vaddr_t first_fit(struct vm_space *vs, vaddr_t from, vaddr_t limit,
			 size_t len)
{
	vaddr_t a = from;
	struct vma *v;

	vm_space_for_each_vma(vs, v) {
		if (v->end <= a)
			continue;
		if (v->start >= a && v->start - a >= len)
			break;
		a = v->end;
	}
	return a < limit && limit - a >= len ? a : 0;
}

/* Where a non-fixed map of @len goes, honouring a usable @hint; 0 if none. */
static vaddr_t choose_addr(struct vm_space *vs, vaddr_t hint, size_t len)
{
	vaddr_t a;

	hint = ALIGN_DOWN(hint, PAGE_SIZE);
	if (hint >= VM_MAP_MIN && hint < MMU_USER_VA_END &&
	    MMU_USER_VA_END - hint >= len && range_free(vs, hint, len))
		return hint;
	a = first_fit(vs, VM_MAP_BASE, MMU_USER_VA_END, len);
	return a ? a : first_fit(vs, VM_MAP_MIN, VM_MAP_BASE, len);
}

static int map_args(vaddr_t addr, size_t *len, unsigned int prot,
		    unsigned int flags)
{
	const unsigned int known = VM_MAP_PRIVATE | VM_MAP_SHARED |
		VM_MAP_ANONYMOUS | VM_MAP_FIXED;
	unsigned int sharing = flags & (VM_MAP_PRIVATE | VM_MAP_SHARED);

	if ((prot & ~VM_PROT_MASK) || (flags & ~known) ||
	    !(flags & VM_MAP_ANONYMOUS) ||
	    (sharing != VM_MAP_PRIVATE && sharing != VM_MAP_SHARED) ||
	    *len == 0)
		return -EINVAL;
	if (*len > MMU_USER_VA_END)
		return -ENOMEM;
	*len = ALIGN_UP(*len, PAGE_SIZE);
	if (!(flags & VM_MAP_FIXED))
		return 0;
	if (addr & PAGE_MASK)
		return -EINVAL;
	if (addr >= MMU_USER_VA_END || *len > MMU_USER_VA_END - addr)
		return -ENOMEM;
	return addr < VM_MAP_MIN ? -EPERM : 0;
}

/* Link a new VMA for [s, s + len) from @pool into the free gap at @s. */
static void insert_vma(struct vm_space *vs, vaddr_t s, size_t len,
		       unsigned int prot, unsigned int flags,
		       struct vma_pool *pool)
{
	struct vma *v = pool_take(pool), *pos = vma_from(vs, s)->prev;

	v->start = s;
	v->end = s + len;
	v->prot = prot;
	v->flags = VMA_ANON |
		(flags & VM_MAP_SHARED ? VMA_SHARED : VMA_PRIVATE);
	vma_link_after(vs, pos, v);
	merge_around(vs, v, v->end);
}

/* A fixed map's unmap of what was there: -ENOMEM (nothing changed) if
 * shared page tables cannot be made private. */
static int unmap_fixed(struct vm_space *vs, vaddr_t addr, size_t len,
		       struct vma_pool *pool)
{
	struct tlb_batch b;
	int err;

	tlb_batch_begin(&b, vs->pmap);
	err = pmap_unshare(vs->pmap, addr, len, true, &b);
	if (!err)
		unmap_locked(vs, addr, addr + len, pool, &b);
	tlb_batch_end(&b);
	return err;
}

int vm_map(struct vm_space *vs, vaddr_t addr, size_t len, unsigned int prot,
	   unsigned int flags, vaddr_t *out)
{
	bool fixed = flags & VM_MAP_FIXED;
	struct vma_pool pool;
	int err = map_args(addr, &len, prot, flags);

	if (err)
		return err;
	spin_lock(&vs->lock);
	if (!fixed)
		addr = choose_addr(vs, addr, len);
	if (!addr)
		err = -ENOMEM;
	else
		err = pool_fill(&pool, 1 + (fixed ? splits_needed(
					    vs, addr, addr + len) : 0));
	if (!err && fixed)
		err = unmap_fixed(vs, addr, len, &pool);
	if (!err) {
		insert_vma(vs, addr, len, prot, flags, &pool);
		*out = addr;
	}
	if (addr)
		pool_drain(&pool);
	spin_unlock(&vs->lock);
	return err;
}

/* --- munmap ----------------------------------------------------------------- */

int vm_unmap(struct vm_space *vs, vaddr_t addr, size_t len)
{
	struct vma_pool pool;
	struct tlb_batch b;
	int err;

	if ((addr & PAGE_MASK) || len == 0 || addr >= MMU_USER_VA_END ||
	    len > MMU_USER_VA_END - addr)
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	spin_lock(&vs->lock);
	err = pool_fill(&pool, splits_needed(vs, addr, addr + len));
	if (!err) {
		/* One batch for every VMA of the range: one shootdown round. */
		tlb_batch_begin(&b, vs->pmap);
		err = pmap_unshare(vs->pmap, addr, len, true, &b);
		if (!err)
			unmap_locked(vs, addr, addr + len, &pool, &b);
		tlb_batch_end(&b);
		pool_drain(&pool);
	}
	spin_unlock(&vs->lock);
	return err;
}

/* --- mprotect --------------------------------------------------------------- */

/* Is every page of [s, e) inside some VMA? */
static bool covered(struct vm_space *vs, vaddr_t s, vaddr_t e)
{
	struct vma *v = vma_from(vs, s);

	for (vaddr_t a = s; a < e; v = v->next) {
		if (v == &vs->vmas || v->start > a)
			return false;
		a = v->end;
	}
	return true;
}

/* Give the (already split) VMAs of [s, e) @prot; entries lose write
 * permission so the next write fault decides about copy-on-write. */
static void protect_locked(struct vm_space *vs, vaddr_t s, vaddr_t e,
			   unsigned int prot, struct tlb_batch *b)
{
	struct vma *first = vma_from(vs, s);

	for (struct vma *v = first; v != &vs->vmas && v->start < e; v = v->next) {
		if (v->prot == prot)
			continue;
		v->prot = prot;
		if (prot == 0)
			release_range(vs, v->start, v->end, b);
		else
			pmap_protect(vs->pmap, v->start, v->end - v->start,
				     vm_prot_read_only(prot), b);
	}
	merge_around(vs, first, e);
}

int vm_protect(struct vm_space *vs, vaddr_t addr, size_t len,
	       unsigned int prot)
{
	struct vma_pool pool;
	struct tlb_batch b;
	int err;

	if ((addr & PAGE_MASK) || (prot & ~VM_PROT_MASK))
		return -EINVAL;
	if (len == 0)
		return 0;
	if (addr >= MMU_USER_VA_END || len > MMU_USER_VA_END - addr)
		return -ENOMEM;
	len = ALIGN_UP(len, PAGE_SIZE);
	spin_lock(&vs->lock);
	err = covered(vs, addr, addr + len) ? 0 : -ENOMEM;
	if (!err)
		err = pool_fill(&pool, splits_needed(vs, addr, addr + len));
	if (!err) {
		tlb_batch_begin(&b, vs->pmap);
		/* Protection changes entries in place: every shared table of
		 * the range is copied, even one covered whole. */
		err = pmap_unshare(vs->pmap, addr, len, false, &b);
		if (!err) {
			split_at(vs, addr, &pool);
			split_at(vs, addr + len, &pool);
			protect_locked(vs, addr, addr + len, prot, &b);
		}
		tlb_batch_end(&b);
		pool_drain(&pool);
	}
	spin_unlock(&vs->lock);
	return err;
}

/* --- madvise(MADV_DONTNEED) --------------------------------------------------- */

bool vm_any_shared(struct vm_space *vs, vaddr_t s, vaddr_t e)
{
	for (struct vma *v = vma_from(vs, s); v != &vs->vmas && v->start < e;
	     v = v->next)
		if (v->flags & VMA_SHARED)
			return true;
	return false;
}

int vm_discard(struct vm_space *vs, vaddr_t addr, size_t len)
{
	struct tlb_batch b;
	int err = 0;

	if (addr & PAGE_MASK)
		return -EINVAL;
	if (len == 0)
		return 0;
	if (addr >= MMU_USER_VA_END || len > MMU_USER_VA_END - addr)
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	spin_lock(&vs->lock);
	if (!covered(vs, addr, addr + len))
		err = -ENOMEM;
	else if (vm_any_shared(vs, addr, addr + len))
		err = -EINVAL;
	else {
		tlb_batch_begin(&b, vs->pmap);
		err = pmap_unshare(vs->pmap, addr, len, true, &b);
		if (!err)
			release_range(vs, addr, addr + len, &b);
		tlb_batch_end(&b);
	}
	spin_unlock(&vs->lock);
	return err;
}
