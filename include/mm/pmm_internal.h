/*
 * The pmm's own data, shared by mm/pmm.c (allocator), mm/pmm_init.c (boot
 * memory map) and mm/page.c (metadata lookups). Nothing outside mm/ may
 * include this.
 */
#ifndef MM_PMM_INTERNAL_H
#define MM_PMM_INTERNAL_H

#include <kern/spinlock.h>
#include <mm/pmm.h>

/* A run of RAM in one zone with its own struct page array. Segments are
 * sorted by address and never change after pmm_init. */
struct pmm_seg {
	paddr_t base;		/* page aligned */
	paddr_t end;		/* exclusive, page aligned */
	struct page *pages;	/* pages[i] describes base + i * PAGE_SIZE */
	enum pmm_zone_id zone;
};

/* One CPU's order-0 cache: touched only by its CPU with interrupts off,
 * except @list.count, which pmm_free_count() reads from anywhere. */
struct pmm_pcpu {
	struct page_list list;
} __aligned(64);

struct pmm_zone {
	struct spinlock lock;	/* protects @free and @buddy_free */
	const char *name;
	struct page_list free[PMM_MAX_ORDER + 1];
	unsigned long buddy_free;	/* frames on @free */
	unsigned long managed;		/* frames ever given to the allocator */
	struct pmm_pcpu pcpu[MAX_CPUS];
};

extern struct pmm_seg pmm_segs[PMM_MAX_SEGS];
extern unsigned int pmm_nsegs;
/* pmm.poison=1: pmm_free fills each freed frame with PMM_POISON bytes. */
extern bool pmm_poison_frees;
extern struct pmm_zone pmm_zones[PMM_NR_ZONES];

static inline struct pmm_zone *page_zone(const struct page *pg)
{
	return &pmm_zones[pmm_segs[pg->seg].zone];
}

/*
 * Give frames [base, end) of @seg (page aligned, all PAGE_RESERVED) to the
 * buddy allocator. Locking: boot CPU only (pmm_init).
 */
void pmm_seed_range(struct pmm_seg *seg, paddr_t base, paddr_t end);

#endif
