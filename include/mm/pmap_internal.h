/*
 * The MI walker's own helpers, shared by mm/pmap.c (enter, remove,
 * protect, copy, roots) and mm/pmap_share.c (fork's page-table sharing).
 * Nothing outside those two files may include this.
 *
 * Locking: every function here expects the pmap's lock held, or a pmap
 * no one else can reach yet (a fork's child).
 */
#ifndef MM_PMAP_INTERNAL_H
#define MM_PMAP_INTERNAL_H

#include <kern/compiler.h>
#include <mm/page.h>
#include <mm/pmap.h>
#include <mm/pmm.h>

#define PMAP_TOP_LEVEL	(MMU_LEVELS - 1)

/*
 * Entries change under a reader in two ways only: the hardware sets x86
 * A/D bits, and a pmap sharing a table makes its entries read-only
 * (mm/pmap_share.c), both in the low word, so even a torn read of i686
 * yields a usable entry. Where a 64-bit load is one instruction
 * (MMU_PTE_LOAD_ATOMIC) it is a relaxed atomic, a plain load that race
 * checkers can see; i686 keeps the volatile load (an atomic one would be
 * a locked cmpxchg8b).
 */
static inline mmu_pte_t pte_read(const mmu_pte_t *slot)
{
	if (MMU_PTE_LOAD_ATOMIC)
		return __atomic_load_n(slot, __ATOMIC_RELAXED);
	return READ_ONCE(*slot);
}

/* Entry-count bookkeeping; boot tables outside managed RAM have no page. */
static inline void table_count(struct page *tpg, int delta)
{
	if (tpg)
		tpg->count = (uint16_t)(tpg->count + delta);
}

static inline void mapcount_add(paddr_t pa, int delta)
{
	struct page *pg = page_from_phys(pa);

	/* Atomic: other pmaps map the same frame under their own locks. */
	if (pg)
		__atomic_fetch_add(&pg->mapcount, delta, __ATOMIC_RELAXED);
}

/* A zeroed page for a table: direct-mapped, as the walker reaches every
 * table through the direct map (PMM_ZERO implies PMM_DIRECT). */
static inline struct page *table_alloc(void)
{
	return pmm_alloc(0, PMM_ZERO);
}

static inline void table_account(struct pmap *pm, struct page *pg,
				 uint16_t flags)
{
	page_flags_set(pg, PAGE_PTABLE | flags);
	pm->tables++;
}

/*
 * Is the last-level table @tpg linked by more than one pmap? Its
 * refcount counts the pmaps linking it (pmm_alloc's 1 for the first);
 * tables adopted from the boot code may have 0.
 */
static inline bool table_shared(const struct page *tpg)
{
	return tpg && __atomic_load_n(&tpg->refcount, __ATOMIC_ACQUIRE) >= 2;
}

/* Direct-map address of the table at @pa (panics outside the map). */
mmu_pte_t *pmap_table_va(paddr_t pa);

/* Is [va, va + len) page aligned, non-empty and inside @pm's half? */
bool pmap_range_ok(const struct pmap *pm, vaddr_t va, size_t len);

/*
 * Find @va's slot in @pm's table of level @target, building the tables
 * missing above it. If some were missing, @entry is written into the new
 * table of @target before the path is linked by one store, and 1 is
 * returned. Otherwise 0, with *@slotp / *@tpgp the slot (valid or not)
 * and its table's page. -ENOMEM (nothing changed), -EEXIST (a block on
 * the path). Entering a page (target 0) into a shared table panics:
 * callers unshare first (pmap_unshare).
 */
int pmap_enter_entry(struct pmap *pm, vaddr_t va, unsigned int target,
		     mmu_pte_t entry, mmu_pte_t **slotp, struct page **tpgp);

/*
 * A removal or protection walk of @pm over [va, last] reached the
 * level-1 @slot (in the table @tpg) pointing at the shared table @shared.
 * A removal of its whole span drops this pmap's share (the table's
 * reference goes to @batch, dropped after the flush); anything else is a
 * caller's bug (it must pmap_unshare first) and panics.
 */
void pmap_share_drop(struct pmap *pm, mmu_pte_t *slot, struct page *tpg,
		     struct page *shared, vaddr_t va, vaddr_t last,
		     bool remove, struct tlb_batch *batch);

#endif
