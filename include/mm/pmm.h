/*
 * Physical memory manager: a buddy allocator of 2^order-page blocks over the
 * firmware's usable RAM, in two zones (direct-mapped, and on i686 the high
 * frames without a kernel address), with per-CPU caches of single pages so
 * the fault path takes no global lock.
 *
 * Allocation never panics: it returns NULL and the caller handles it.
 * Every frame's struct page lives in <mm/page.h>.
 */
#ifndef MM_PMM_H
#define MM_PMM_H

#include <kern/boot.h>
#include <kern/types.h>
#include <mm/page.h>
#include <smp/cpuset.h>		/* MAX_CPUS */

#define PMM_MAX_ORDER		10	/* largest block: 4 MiB */
#define PMM_MAX_SEGS		32	/* RAM ranges after splitting at zones */
#define PMM_PCPU_BATCH		16	/* pages moved per refill / drain */
#define PMM_PCPU_HIGH		64	/* a cache above this drains one batch */

/* pmm_alloc flags */
#define PMM_DIRECT	0x1u	/* the frame must have a kernel address */
#define PMM_ZERO	0x2u	/* zero it (implies PMM_DIRECT) */

enum pmm_zone_id {
	PMM_ZONE_DIRECT,	/* inside the direct map */
	PMM_ZONE_HIGH,		/* above it (i686 only); user frames */
	PMM_NR_ZONES,
};

/*
 * Take over RAM: @usable ranges (any order, may overlap, unaligned) minus
 * @reserved ranges (kernel image, boot tables, initrd, DTB, ...). The frame
 * metadata arrays are carved out of the usable direct-mapped RAM. Needs
 * pmm_direct_map_init() first. Returns 0, -ENOMEM if no direct-mapped range
 * can hold the metadata, -EINVAL if there is no usable RAM, -EBUSY if
 * already initialised.
 * Locking: boot CPU only, before any other CPU allocates.
 */
int pmm_init(const struct boot_mem_range *usable, unsigned int n_usable,
	     const struct boot_mem_range *reserved, unsigned int n_reserved);

/* Has pmm_init() succeeded? */
bool pmm_ready(void);

/*
 * Allocate 2^@order contiguous, naturally aligned frames. Without
 * PMM_DIRECT the high zone is tried first, to save direct-mapped frames
 * for page tables and the kernel heap. The head page's refcount is 1.
 * Returns NULL when no block fits (or when fault injection says so).
 * Locking: takes a zone lock with interrupts off; order 0 usually only
 * disables interrupts and uses this CPU's cache. Any context.
 */
struct page *pmm_alloc(unsigned int order, unsigned int flags);

/*
 * Free a block from pmm_alloc(@order). Panics on a double free, an order
 * mismatch, or a frame still mapped somewhere (mapcount != 0).
 * Locking: as pmm_alloc.
 */
void pmm_free(struct page *pg, unsigned int order);

/*
 * Free frames in total: buddy lists of every zone plus every CPU's cache.
 * Exact whenever no other CPU is inside pmm_alloc / pmm_free; each suite
 * compares it before and after to prove it leaked nothing.
 * Locking: takes each zone lock in turn.
 */
unsigned long pmm_free_count(void);

/* Return this CPU's cached pages to the buddy lists (so they coalesce).
 * Locking: interrupts off, then the zone lock per batch. */
void pmm_drain_local(void);

struct pmm_zone_stats {
	unsigned long managed;		/* frames it owns, allocated or free */
	unsigned long buddy_free;	/* frames on its buddy lists */
	unsigned long blocks[PMM_MAX_ORDER + 1];	/* free blocks per order */
	unsigned long cached;		/* frames in all CPUs' caches */
};

/* Snapshot of zone @zone's counters (same exactness as pmm_free_count).
 * Locking: takes the zone lock. */
void pmm_zone_stats(enum pmm_zone_id zone, struct pmm_zone_stats *out);

/* Frames in CPU @cpu's caches, all zones. Locking: none (a snapshot). */
unsigned long pmm_pcpu_count(unsigned int cpu);

/* Print zones, segments and free lists to the console. */
void pmm_dump(void);

/*
 * Fault injection, compiled in always: make the @n-th pmm_alloc() from now
 * (1 = the next one) return NULL, once; 0 disarms. pmm_fault_inject_fired()
 * reports whether the armed failure happened. When disarmed the allocator
 * pays one well-predicted load and branch.
 * Locking: atomic; tests arm it from one CPU.
 */
void pmm_fault_inject_nth(unsigned long n);
bool pmm_fault_inject_fired(void);

#endif
