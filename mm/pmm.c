/*
 * The buddy allocator. A free block of 2^k frames is naturally aligned in
 * physical address and lies inside one segment; its head page carries
 * PAGE_BUDDY and order k and sits on its zone's free[k] list. Freeing
 * merges a block with its buddy (address XOR 2^k pages) while the buddy is
 * a free block of the same order.
 *
 * Order-0 requests go through a per-CPU cache first: with interrupts off
 * nothing else runs on this CPU, so the cache needs no lock; only a refill
 * or a drain of PMM_PCPU_BATCH pages takes the zone lock.
 *
 * Lock order: a zone lock is innermost (pmap and kheap locks come first).
 */
#include <kern/arch.h>
#include <kern/cmdline.h>
#include <kern/panic.h>
#include <kern/printk.h>
#include <kern/string.h>
#include <mm/fault_inject.h>
#include <mm/lock_rank.h>
#include <mm/pmm_internal.h>

struct pmm_zone pmm_zones[PMM_NR_ZONES] = {
	[PMM_ZONE_DIRECT] = {
		.lock = SPINLOCK_INIT_ORDERED("pmm.direct", MM_LOCK_RANK_PMM),
		.name = "direct",
	},
	[PMM_ZONE_HIGH] = {
		.lock = SPINLOCK_INIT_ORDERED("pmm.high", MM_LOCK_RANK_PMM),
		.name = "high",
	},
};

static struct fault_inject pmm_fault;
static unsigned long alloc_failures;

/* This CPU's slot in the per-CPU caches (arch_cpu_id(), checked). */
static unsigned int pcpu_index(void)
{
	unsigned int cpu = arch_cpu_id();

	if (cpu >= MAX_CPUS)
		panic("pmm: cpu%u >= MAX_CPUS (%u)", cpu, MAX_CPUS);
	return cpu;
}

/* The buddy of the order-@order block at @pg, if it lies in the segment. */
static struct page *buddy_of(struct page *pg, unsigned int order)
{
	const struct pmm_seg *seg = &pmm_segs[pg->seg];
	paddr_t base_pfn = seg->base >> PAGE_SHIFT;
	paddr_t pfn = base_pfn + (paddr_t)(pg - seg->pages);
	paddr_t buddy = pfn ^ ((paddr_t)1 << order);

	/* A free buddy block is wholly inside the segment by construction, so
	 * checking its head is enough. */
	if (buddy < base_pfn || buddy >= seg->end >> PAGE_SHIFT)
		return NULL;
	return &seg->pages[(size_t)(buddy - base_pfn)];
}

/* Locking: @z->lock held. */
static void buddy_free_locked(struct pmm_zone *z, struct page *pg,
			      unsigned int order)
{
	z->buddy_free += 1UL << order;
	while (order < PMM_MAX_ORDER) {
		struct page *buddy = buddy_of(pg, order);

		if (!buddy || !(page_flags(buddy) & PAGE_BUDDY) ||
		    buddy->order != order)
			break;
		page_list_remove(&z->free[order], buddy);
		page_flags_clear(buddy, PAGE_BUDDY);
		if (buddy < pg)
			pg = buddy;
		order++;
	}
	page_flags_set(pg, PAGE_BUDDY);
	pg->order = (uint8_t)order;
	page_list_push(&z->free[order], pg);
}

/* Locking: @z->lock held. */
static struct page *buddy_alloc_locked(struct pmm_zone *z, unsigned int order)
{
	unsigned int k = order;
	struct page *pg;

	while (k <= PMM_MAX_ORDER && !z->free[k].head)
		k++;
	if (k > PMM_MAX_ORDER)
		return NULL;
	pg = page_list_pop(&z->free[k]);
	page_flags_clear(pg, PAGE_BUDDY);
	/* Split: keep the lower half, give the upper half back each time. */
	while (k > order) {
		struct page *upper;

		k--;
		upper = pg + (1UL << k);
		page_flags_set(upper, PAGE_BUDDY);
		upper->order = (uint8_t)k;
		page_list_push(&z->free[k], upper);
	}
	pg->order = (uint8_t)order;
	z->buddy_free -= 1UL << order;
	return pg;
}

void pmm_seed_range(struct pmm_seg *seg, paddr_t base, paddr_t end)
{
	struct pmm_zone *z = &pmm_zones[seg->zone];
	paddr_t pfn = base >> PAGE_SHIFT, end_pfn = end >> PAGE_SHIFT;

	for (paddr_t p = pfn; p < end_pfn; p++)
		seg->pages[(size_t)(p - (seg->base >> PAGE_SHIFT))].flags &=
			~PAGE_RESERVED;
	z->managed += (unsigned long)(end_pfn - pfn);
	/* Largest aligned blocks first; coalescing joins neighbours. */
	while (pfn < end_pfn) {
		unsigned int order = 0;

		while (order < PMM_MAX_ORDER &&
		       !(pfn & (((paddr_t)2 << order) - 1)) &&
		       pfn + ((paddr_t)2 << order) <= end_pfn)
			order++;
		buddy_free_locked(z, &seg->pages[(size_t)(pfn -
				  (seg->base >> PAGE_SHIFT))], order);
		pfn += (paddr_t)1 << order;
	}
}

/* Move up to @n pages from the zone to this CPU's cache. Returns how many.
 * Locking: interrupts off; takes @z->lock. */
static unsigned int pcpu_refill(struct pmm_zone *z, struct pmm_pcpu *pc,
				unsigned int n)
{
	unsigned int got = 0;

	spin_lock(&z->lock);
	for (; got < n; got++) {
		struct page *pg = buddy_alloc_locked(z, 0);

		if (!pg)
			break;
		page_flags_set(pg, PAGE_PCPU);
		page_list_push(&pc->list, pg);
	}
	spin_unlock(&z->lock);
	return got;
}

/* Move up to @n pages from this CPU's cache back to the buddy lists.
 * Locking: interrupts off; takes @z->lock. */
static void pcpu_drain(struct pmm_zone *z, struct pmm_pcpu *pc, unsigned long n)
{
	spin_lock(&z->lock);
	while (n-- > 0 && pc->list.head) {
		struct page *pg = page_list_pop(&pc->list);

		page_flags_clear(pg, PAGE_PCPU);
		buddy_free_locked(z, pg, 0);
	}
	spin_unlock(&z->lock);
}

static struct page *pcpu_alloc(struct pmm_zone *z)
{
	unsigned long irq = arch_irq_save();
	struct pmm_pcpu *pc = &z->pcpu[pcpu_index()];
	struct page *pg = NULL;

	if (pc->list.head || pcpu_refill(z, pc, PMM_PCPU_BATCH)) {
		pg = page_list_pop(&pc->list);
		page_flags_clear(pg, PAGE_PCPU);
	}
	arch_irq_restore(irq);
	return pg;
}

static void pcpu_free(struct pmm_zone *z, struct page *pg)
{
	unsigned long irq = arch_irq_save();
	struct pmm_pcpu *pc = &z->pcpu[pcpu_index()];

	page_flags_set(pg, PAGE_PCPU);
	page_list_push(&pc->list, pg);
	if (pc->list.count > PMM_PCPU_HIGH)
		pcpu_drain(z, pc, PMM_PCPU_BATCH);
	arch_irq_restore(irq);
}

static struct page *zone_alloc(struct pmm_zone *z, unsigned int order)
{
	unsigned long irq;
	struct page *pg;

	if (!z->managed)
		return NULL;
	if (order == 0)
		return pcpu_alloc(z);
	irq = spin_lock_irqsave(&z->lock);
	pg = buddy_alloc_locked(z, order);
	spin_unlock_irqrestore(&z->lock, irq);
	return pg;
}

static struct page *alloc_from_zones(unsigned int order, unsigned int flags)
{
	struct page *pg = NULL;

	if (!(flags & PMM_DIRECT))
		pg = zone_alloc(&pmm_zones[PMM_ZONE_HIGH], order);
	if (!pg)
		pg = zone_alloc(&pmm_zones[PMM_ZONE_DIRECT], order);
	return pg;
}

struct page *pmm_alloc(unsigned int order, unsigned int flags)
{
	struct page *pg;

	if (order > PMM_MAX_ORDER)
		return NULL;
	if (fault_inject_hit(&pmm_fault))
		return NULL;
	if (flags & PMM_ZERO)
		flags |= PMM_DIRECT;
	pg = alloc_from_zones(order, flags);
	if (!pg && order > 0) {
		/* Cached single pages may be what keeps a block from forming. */
		pmm_drain_local();
		pg = alloc_from_zones(order, flags);
	}
	if (!pg) {
		__atomic_fetch_add(&alloc_failures, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	pg->refcount = 1;
	pg->mapcount = 0;
	pg->count = 0;
	pg->next = pg->prev = NULL;
	if (flags & PMM_ZERO) {
		char *va = page_to_virt(pg);

		for (unsigned long i = 0; i < (1UL << order); i++)
			page_zero(va + i * PAGE_SIZE);
	}
	return pg;
}

CMDLINE_PARAM(pmm_poison, "pmm.poison",
	      "1: fill every freed frame with 0x6b bytes, so a stale "
	      "translation to a freed frame reads poison (Linux's page "
	      "poisoning; a debugging aid, it costs a page write per free)");

#define PMM_POISON	0x6b

bool pmm_poison_frees;

/* Frames above the direct map (i686 high memory) stay as they were. */
static void poison(struct page *pg, unsigned int order)
{
	void *va = page_to_virt(pg);

	if (va)
		memset(va, PMM_POISON, (size_t)PAGE_SIZE << order);
}

void pmm_free(struct page *pg, unsigned int order)
{
	struct pmm_zone *z = page_zone(pg);
	unsigned long irq;

	if (pg->flags & (PAGE_BUDDY | PAGE_PCPU | PAGE_RESERVED))
		panic("pmm_free: frame %#llx is free or reserved (flags %#x)",
		      (unsigned long long)page_to_phys(pg), pg->flags);
	if (pg->order != order)
		panic("pmm_free: frame %#llx has order %u, freed as %u",
		      (unsigned long long)page_to_phys(pg), pg->order, order);
	if (pg->mapcount != 0)
		panic("pmm_free: frame %#llx still has %d mappings",
		      (unsigned long long)page_to_phys(pg), (int)pg->mapcount);
	/* Owner flags (page table, slab, ...) end with the allocation. */
	__atomic_store_n(&pg->flags, 0, __ATOMIC_RELAXED);
	if (pmm_poison_frees)
		poison(pg, order);
	if (order == 0) {
		pcpu_free(z, pg);
		return;
	}
	irq = spin_lock_irqsave(&z->lock);
	buddy_free_locked(z, pg, order);
	spin_unlock_irqrestore(&z->lock, irq);
}

void pmm_drain_local(void)
{
	unsigned long irq = arch_irq_save();
	unsigned int cpu = pcpu_index();

	for (unsigned int i = 0; i < PMM_NR_ZONES; i++) {
		struct pmm_pcpu *pc = &pmm_zones[i].pcpu[cpu];

		pcpu_drain(&pmm_zones[i], pc, pc->list.count);
	}
	arch_irq_restore(irq);
}

/* Frames in every CPU's cache of @z: each count is read once, racily. */
static unsigned long zone_cached(const struct pmm_zone *z)
{
	unsigned long n = 0;

	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++)
		n += READ_ONCE(z->pcpu[cpu].list.count);
	return n;
}

void pmm_zone_stats(enum pmm_zone_id zone, struct pmm_zone_stats *out)
{
	struct pmm_zone *z = &pmm_zones[zone];
	unsigned long irq;

	irq = spin_lock_irqsave(&z->lock);
	out->managed = z->managed;
	out->buddy_free = z->buddy_free;
	for (unsigned int k = 0; k <= PMM_MAX_ORDER; k++)
		out->blocks[k] = z->free[k].count;
	spin_unlock_irqrestore(&z->lock, irq);
	out->cached = zone_cached(z);
}

unsigned long pmm_pcpu_count(unsigned int cpu)
{
	unsigned long n = 0;

	for (unsigned int i = 0; i < PMM_NR_ZONES && cpu < MAX_CPUS; i++)
		n += READ_ONCE(pmm_zones[i].pcpu[cpu].list.count);
	return n;
}

unsigned long pmm_free_count(void)
{
	unsigned long n = 0;

	for (unsigned int i = 0; i < PMM_NR_ZONES; i++) {
		struct pmm_zone_stats st;

		pmm_zone_stats(i, &st);
		n += st.buddy_free + st.cached;
	}
	return n;
}

void pmm_dump(void)
{
	for (unsigned int i = 0; i < pmm_nsegs; i++)
		printk("pmm: seg %u [%#llx, %#llx) zone %s\n", i,
		       (unsigned long long)pmm_segs[i].base,
		       (unsigned long long)pmm_segs[i].end,
		       pmm_zones[pmm_segs[i].zone].name);
	for (unsigned int i = 0; i < PMM_NR_ZONES; i++) {
		struct pmm_zone_stats st;

		pmm_zone_stats(i, &st);
		printk("pmm: zone %-6s managed %lu free %lu cached %lu\n",
		       pmm_zones[i].name, st.managed, st.buddy_free, st.cached);
	}
	printk("pmm: %lu failed allocations\n", READ_ONCE(alloc_failures));
}

void pmm_fault_inject_nth(unsigned long n)
{
	fault_inject_arm(&pmm_fault, n);
}

bool pmm_fault_inject_fired(void)
{
	return READ_ONCE(pmm_fault.fired);
}
