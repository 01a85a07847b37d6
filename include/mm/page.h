/*
 * Frame metadata: one struct page per managed physical frame, kept by the
 * pmm in per-segment arrays (mm/pmm_init.c), and the direct map that gives
 * a frame a kernel address.
 *
 * Ownership of the fields: @next/@prev, @order and the PAGE_BUDDY/PCPU
 * flags belong to the pmm while the frame is free; once allocated, @next and
 * @prev belong to the allocation's owner (kheap slab lists, tlb_batch's
 * deferred list). @refcount and @mapcount are the basis of copy-on-write.
 */
#ifndef MM_PAGE_H
#define MM_PAGE_H

#include <kern/compiler.h>
#include <kern/types.h>
#include <mm/mmu.h>

#define PAGE_SHIFT	MMU_PAGE_SHIFT
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_MASK	(PAGE_SIZE - 1)

/* struct page flags */
#define PAGE_RESERVED	0x0001u	/* never handed out (firmware, kernel, memmap) */
#define PAGE_BUDDY	0x0002u	/* heads a free block on a buddy list */
#define PAGE_PCPU	0x0004u	/* free, in a per-CPU order-0 cache */
#define PAGE_PTABLE	0x0008u	/* a page-table page of some pmap */
#define PAGE_PINNED	0x0010u	/* page table that is never reclaimed */
#define PAGE_SLAB	0x0020u	/* a kheap slab */
#define PAGE_KHEAP_BIG	0x0040u	/* heads a large kmalloc block */

struct kheap_cache;

struct page {
	struct page *next;
	struct page *prev;
	uint16_t flags;
	uint8_t order;		/* block order: free head, or allocation head */
	uint8_t seg;		/* index of the pmm segment holding the frame */
	/* Valid entries in a PAGE_PTABLE page; objects in use in a slab. */
	uint16_t count;
	int32_t refcount;
	int32_t mapcount;	/* leaf mappings pointing at the frame */
	struct kheap_cache *slab_cache;	/* PAGE_SLAB: owning size class */
	void *slab_free;	/* PAGE_SLAB: first free object */
};

/*
 * Changing and testing flags. The buddy allocator tests a neighbour's
 * PAGE_BUDDY under its zone lock while the neighbour's owner (another
 * CPU, without that lock) may be changing its other flags: relaxed
 * atomics, so the test reads a whole value and the race is a defined one.
 * Locking: none. TLB: none.
 */
static inline uint16_t page_flags(const struct page *pg)
{
	return __atomic_load_n(&pg->flags, __ATOMIC_RELAXED);
}

static inline void page_flags_set(struct page *pg, uint16_t f)
{
	__atomic_fetch_or(&pg->flags, f, __ATOMIC_RELAXED);
}

static inline void page_flags_clear(struct page *pg, uint16_t f)
{
	__atomic_fetch_and(&pg->flags, (uint16_t)~f, __ATOMIC_RELAXED);
}

/*
 * Physical address of @pg, and the struct page of the frame holding @pa
 * (NULL if no managed frame holds it: MMIO, holes, unmanaged RAM).
 * Locking: none; the metadata arrays never move after pmm_init.
 */
paddr_t page_to_phys(const struct page *pg);
struct page *page_from_phys(paddr_t pa);

/* --- The direct map ---------------------------------------------------- */

struct pmm_direct_map {
	paddr_t pa_base;
	paddr_t pa_end;		/* exclusive; 0 before pmm_direct_map_init */
	uintptr_t va_base;
};

extern struct pmm_direct_map pmm_direct_map;

/*
 * Arch hook, called once at boot before pmm_init: physical
 * [pa_base, pa_base + size) is mapped at @va_base (all RAM on x86_64 and
 * aarch64; low memory only on i686, whose frames above get no kernel VA).
 * Locking: boot CPU only.
 */
void pmm_direct_map_init(paddr_t pa_base, uintptr_t va_base, uint64_t size);

static inline bool pmm_phys_is_direct(paddr_t pa)
{
	return pa >= pmm_direct_map.pa_base && pa < pmm_direct_map.pa_end;
}

/* Kernel address of physical @pa, or NULL if the direct map misses it. */
static inline void *pmm_phys_to_virt(paddr_t pa)
{
	if (!pmm_phys_is_direct(pa))
		return NULL;
	return (void *)(pmm_direct_map.va_base +
			(uintptr_t)(pa - pmm_direct_map.pa_base));
}

/* Physical address of a direct-map address @va (a kernel bug otherwise). */
paddr_t pmm_virt_to_phys(const void *va);

/* Kernel address of @pg's frame, NULL for a frame above the direct map. */
static inline void *page_to_virt(const struct page *pg)
{
	return pmm_phys_to_virt(page_to_phys(pg));
}

/* struct page of the direct-mapped address @va, NULL if not managed. */
struct page *page_from_virt(const void *va);

/* --- Whole pages (per arch: x86 rep stos/movs, arm64 DC ZVA, ldp/stp) --- */

/*
 * Zero / copy one page through kernel addresses, both page aligned and
 * of Normal memory (direct-mapped frames), with the arch's fastest
 * method. Locking: none. TLB: none.
 */
void page_zero(void *va);
void page_copy(void *dst, const void *src);

/* --- Reference counts ------------------------------------------------- */

/* Take / drop a reference. page_ref_put returns true on the last one.
 * Locking: atomic; callable from any context. */
static inline void page_ref_get(struct page *pg)
{
	__atomic_fetch_add(&pg->refcount, 1, __ATOMIC_RELAXED);
}

static inline bool page_ref_put(struct page *pg)
{
	/* Release and acquire: every earlier use of the frame (its
	 * mapcount's updates included) happens before whoever frees it.
	 * One acq_rel operation rather than release plus an acquire fence
	 * on the last drop: the same order, and ThreadSanitizer, which does
	 * not model fences, sees it too. */
	return __atomic_fetch_sub(&pg->refcount, 1, __ATOMIC_ACQ_REL) == 1;
}

/* --- Intrusive lists of pages (through @next / @prev) ------------------ */

struct page_list {
	struct page *head;
	unsigned long count;
};

static inline void page_list_push(struct page_list *l, struct page *pg)
{
	pg->prev = NULL;
	pg->next = l->head;
	if (l->head)
		l->head->prev = pg;
	l->head = pg;
	l->count++;
}

static inline void page_list_remove(struct page_list *l, struct page *pg)
{
	if (pg->prev)
		pg->prev->next = pg->next;
	else
		l->head = pg->next;
	if (pg->next)
		pg->next->prev = pg->prev;
	pg->next = pg->prev = NULL;
	l->count--;
}

static inline struct page *page_list_pop(struct page_list *l)
{
	struct page *pg = l->head;

	if (pg)
		page_list_remove(l, pg);
	return pg;
}

#endif
