/*
 * Slab-style kernel heap. A slab is one direct-mapped page cut into objects
 * of its class size; its struct page holds the class, the first free object
 * (free objects link through their first word) and the count in use. A
 * class keeps only slabs with free objects on its partial list; full slabs
 * are found again through their struct page when an object is freed.
 *
 * Requests above KHEAP_MAX_SLAB_SIZE take a whole buddy block flagged
 * PAGE_KHEAP_BIG, whose order the pmm already records in the head page.
 */
#include <kern/panic.h>
#include <kern/printk.h>
#include <kern/spinlock.h>
#include <kern/string.h>
#include <mm/fault_inject.h>
#include <mm/kheap.h>
#include <mm/lock_rank.h>
#include <mm/pmm.h>

struct kheap_cache {
	struct spinlock lock;	/* protects everything below */
	unsigned int size;
	struct page_list partial;	/* slabs with a free object */
	unsigned long slabs;
	unsigned long in_use;
	unsigned long allocs;
	unsigned long frees;
};

#define KHEAP_CLASS(sz)							\
	{ .lock = SPINLOCK_INIT_ORDERED("kheap." #sz, MM_LOCK_RANK_KHEAP),	\
	  .size = (sz) }

static struct kheap_cache classes[KHEAP_NR_CLASSES] = {
	KHEAP_CLASS(16), KHEAP_CLASS(32), KHEAP_CLASS(64), KHEAP_CLASS(128),
	KHEAP_CLASS(256), KHEAP_CLASS(512), KHEAP_CLASS(1024),
	KHEAP_CLASS(2048),
};

_Static_assert(KHEAP_MIN_SIZE << (KHEAP_NR_CLASSES - 1) == KHEAP_MAX_SLAB_SIZE,
	       "the class table covers 16 .. KHEAP_MAX_SLAB_SIZE");
_Static_assert(KHEAP_MAX_SLAB_SIZE * 2 <= PAGE_SIZE,
	       "a slab holds at least two objects");

/* Large blocks: counted with atomics, no lock to take. */
static unsigned long large_blocks, large_pages, kmalloc_failures;
static struct fault_inject kheap_fault;

static struct kheap_cache *class_for(size_t size)
{
	unsigned int i = 0;

	while ((size_t)KHEAP_MIN_SIZE << i < size)
		i++;
	return &classes[i];
}

/* A new slab with every object on its free list, or NULL. */
static struct page *slab_create(struct kheap_cache *c)
{
	struct page *pg = pmm_alloc(0, PMM_DIRECT);
	char *base;
	void *free = NULL;

	if (!pg)
		return NULL;
	base = page_to_virt(pg);
	/* Thread from the top down so the list hands out ascending addresses. */
	for (size_t off = PAGE_SIZE; off >= c->size; off -= c->size) {
		void **obj = (void **)(base + off - c->size);

		*obj = free;
		free = obj;
	}
	page_flags_set(pg, PAGE_SLAB);
	pg->slab_cache = c;
	pg->slab_free = free;
	pg->count = 0;
	return pg;
}

static void *slab_alloc(struct kheap_cache *c)
{
	unsigned long irq = spin_lock_irqsave(&c->lock);
	struct page *pg = c->partial.head;
	void *obj;

	if (!pg) {
		/* Allocate the page without the class lock: the pmm may have
		 * to drain caches; a racing CPU at worst adds a second slab. */
		spin_unlock_irqrestore(&c->lock, irq);
		pg = slab_create(c);
		if (!pg)
			return NULL;
		irq = spin_lock_irqsave(&c->lock);
		page_list_push(&c->partial, pg);
		c->slabs++;
	}
	obj = pg->slab_free;
	pg->slab_free = *(void **)obj;
	pg->count++;
	if (!pg->slab_free)
		page_list_remove(&c->partial, pg);
	c->in_use++;
	c->allocs++;
	spin_unlock_irqrestore(&c->lock, irq);
	return obj;
}

static void slab_free(struct page *pg, void *p)
{
	struct kheap_cache *c = pg->slab_cache;
	unsigned long irq;
	bool was_full;

	if (((uintptr_t)p & PAGE_MASK & (c->size - 1)) != 0)
		panic("kfree: %p is inside a %u-byte object", p, c->size);
	irq = spin_lock_irqsave(&c->lock);
	if (p == pg->slab_free)
		panic("kfree: double free of %p", p);
	was_full = !pg->slab_free;
	*(void **)p = pg->slab_free;
	pg->slab_free = p;
	pg->count--;
	c->in_use--;
	c->frees++;
	if (pg->count == 0) {
		if (!was_full)
			page_list_remove(&c->partial, pg);
		c->slabs--;
		spin_unlock_irqrestore(&c->lock, irq);
		pmm_free(pg, 0);
		return;
	}
	if (was_full)
		page_list_push(&c->partial, pg);
	spin_unlock_irqrestore(&c->lock, irq);
}

static void *large_alloc(size_t size)
{
	unsigned int order = 0;
	struct page *pg;

	while ((PAGE_SIZE << order) < size)
		order++;
	pg = pmm_alloc(order, PMM_DIRECT);
	if (!pg)
		return NULL;
	page_flags_set(pg, PAGE_KHEAP_BIG);
	__atomic_fetch_add(&large_blocks, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&large_pages, 1UL << order, __ATOMIC_RELAXED);
	return page_to_virt(pg);
}

void *kmalloc(size_t size)
{
	void *p = NULL;

	/* Impossible sizes count as failures too: callers see one rule. */
	if (size != 0 && size <= (PAGE_SIZE << PMM_MAX_ORDER) &&
	    !fault_inject_hit(&kheap_fault))
		p = size <= KHEAP_MAX_SLAB_SIZE ? slab_alloc(class_for(size))
						: large_alloc(size);
	if (!p)
		__atomic_fetch_add(&kmalloc_failures, 1, __ATOMIC_RELAXED);
	return p;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

/* The struct page heading @p's allocation; panics if it is not one. */
static struct page *kheap_page(const void *p)
{
	struct page *pg = page_from_virt(p);	/* panics outside the direct map */

	if (!pg || !(pg->flags & (PAGE_SLAB | PAGE_KHEAP_BIG)) ||
	    ((pg->flags & PAGE_KHEAP_BIG) && ((uintptr_t)p & PAGE_MASK)))
		panic("kfree: %p was not allocated by kmalloc", p);
	return pg;
}

void kfree(void *p)
{
	struct page *pg;

	if (!p)
		return;
	pg = kheap_page(p);
	if (pg->flags & PAGE_SLAB) {
		slab_free(pg, p);
		return;
	}
	__atomic_fetch_sub(&large_blocks, 1, __ATOMIC_RELAXED);
	__atomic_fetch_sub(&large_pages, 1UL << pg->order, __ATOMIC_RELAXED);
	page_flags_clear(pg, PAGE_KHEAP_BIG);
	pmm_free(pg, pg->order);
}

size_t kheap_size(const void *p)
{
	const struct page *pg = kheap_page(p);

	if (pg->flags & PAGE_SLAB)
		return pg->slab_cache->size;
	return PAGE_SIZE << pg->order;
}

void kheap_stats(struct kheap_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned int i = 0; i < KHEAP_NR_CLASSES; i++) {
		struct kheap_cache *c = &classes[i];
		unsigned long irq = spin_lock_irqsave(&c->lock);

		out->objects += c->in_use;
		out->slabs += c->slabs;
		spin_unlock_irqrestore(&c->lock, irq);
	}
	out->large_blocks = __atomic_load_n(&large_blocks, __ATOMIC_RELAXED);
	out->large_pages = __atomic_load_n(&large_pages, __ATOMIC_RELAXED);
	out->failures = __atomic_load_n(&kmalloc_failures, __ATOMIC_RELAXED);
}

void kheap_dump_stats(void)
{
	struct kheap_stats st;

	printk("kheap: class   slabs  in-use    allocs     frees\n");
	for (unsigned int i = 0; i < KHEAP_NR_CLASSES; i++) {
		struct kheap_cache *c = &classes[i];
		unsigned long irq = spin_lock_irqsave(&c->lock);
		unsigned long slabs = c->slabs, in_use = c->in_use;
		unsigned long allocs = c->allocs, frees = c->frees;

		spin_unlock_irqrestore(&c->lock, irq);
		printk("kheap: %5u %7lu %7lu %9lu %9lu\n", c->size, slabs,
		       in_use, allocs, frees);
	}
	kheap_stats(&st);
	printk("kheap: large blocks %lu (%lu pages), failed kmallocs %lu\n",
	       st.large_blocks, st.large_pages, st.failures);
}

void kheap_fault_inject_nth(unsigned long n)
{
	fault_inject_arm(&kheap_fault, n);
}

bool kheap_fault_inject_fired(void)
{
	return READ_ONCE(kheap_fault.fired);
}
