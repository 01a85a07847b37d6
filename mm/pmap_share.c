/*
 * Page-table sharing: fork in O(tables), not O(pages) (vm.fork=share).
 *
 * The idea is On-demand-fork's (Zhao et al., EuroSys 2021): at fork the
 * child links the parent's last-level tables instead of copying their
 * entries, and both sides write-protect the entry above each one, so
 * the hardware refuses every write in the table's span (2 MiB) whatever
 * the leaves say. The first change in a span, in either space, copies
 * that one table (pmap_unshare); from then on the span is ordinary
 * copy-on-write, page by page.
 *
 * Counting:
 *  - A shared table's struct page refcount is the number of pmaps that
 *    link it (pmm_alloc's 1 is the first). Forks add to it under the
 *    forking space's lock; drops are atomic and deferred to the dropping
 *    pmap's tlb_batch, so a table stays alive until every TLB of every
 *    pmap that linked it has been flushed.
 *  - The frames of a shared table hold one reference and one mapcount
 *    for the table, not per pmap. A copy takes one more of each per
 *    frame; the last drop of the table releases its own.
 *  - Only a pmap holding the sole share changes a table's entries. A
 *    sharer may only make them read-only (unshare does, before its copy
 *    is linked), which changes nothing another sharer can see: its walks
 *    are read-only there already.
 *
 * So the copy-on-write rule of vm_fault holds unchanged: a frame with
 * refcount 1 is reachable from one table, linked by one pmap, and no
 * other space can raise that count while this one is locked.
 */
#include <kern/errno.h>
#include <kern/panic.h>
#include <mm/pmap.h>
#include <mm/pmap_internal.h>
#include <mm/pmm.h>
#include <mm/tlb_batch.h>
#include <mm/vm.h>

#define SPAN_MASK	(PMAP_SHARE_SPAN - 1)

/* Called for each valid level-1 entry of a walk: @slot in the level-1
 * table @tpg, covering [va, last] of its span. Non-zero stops the walk. */
typedef int (*span_fn)(void *arg, mmu_pte_t *slot, struct page *tpg,
		       vaddr_t va, vaddr_t last);

static bool covers_span(vaddr_t va, vaddr_t last)
{
	return (va & SPAN_MASK) == 0 && last - va == SPAN_MASK;
}

static int each_span(mmu_pte_t *table, struct page *tpg, unsigned int level,
		     vaddr_t va, vaddr_t last, span_fn fn, void *arg)
{
	vaddr_t span_mask = ((vaddr_t)1 << mmu_level_shift(level)) - 1;

	for (;;) {
		vaddr_t sub_last = MIN(va | span_mask, last);
		mmu_pte_t *slot = &table[mmu_level_index(va, level)];
		mmu_pte_t pte = pte_read(slot);
		int err = 0;

		if (pte != MMU_PTE_INVALID && mmu_pte_is_valid(pte, level)) {
			paddr_t pa = mmu_pte_paddr(pte, level);

			if (mmu_pte_is_leaf(pte, level))
				panic("pmap: a level-%u block at %#lx (user "
				      "pmaps have none)", level,
				      (unsigned long)va);
			if (level == 1)
				err = fn(arg, slot, tpg, va, sub_last);
			else
				err = each_span(pmap_table_va(pa),
						page_from_phys(pa), level - 1,
						va, sub_last, fn, arg);
		}
		if (err || sub_last == last)
			return err;
		va = sub_last + 1;
	}
}

static int walk_spans(struct pmap *pm, vaddr_t va, size_t len, span_fn fn,
		      void *arg)
{
	return each_span(pm->root, page_from_phys(pm->root_pa),
			 PMAP_TOP_LEVEL, va, va + len - 1, fn, arg);
}

static struct page *slot_table(mmu_pte_t pte)
{
	struct page *t = page_from_phys(mmu_pte_paddr(pte, 1));

	if (!t)
		panic("pmap: user page table %#llx has no struct page",
		      (unsigned long long)mmu_pte_paddr(pte, 1));
	return t;
}

/* --- Fork ----------------------------------------------------------- */

/* Link the table under @src_slot into the child, write-protected. */
static int share_one(void *dst_pm, mmu_pte_t *src_slot, struct page *src_tpg,
		     vaddr_t va, vaddr_t last)
{
	struct pmap *dst = dst_pm;
	mmu_pte_t pte = pte_read(src_slot), *slot;
	paddr_t table_pa = mmu_pte_paddr(pte, 1);
	struct page *table = slot_table(pte), *tpg;
	mmu_pte_t entry = mmu_pte_table_protect(mmu_pte_make_table(table_pa, 1),
						1, false);
	int placed;

	(void)src_tpg;
	if (!covers_span(va, last))
		panic("pmap_share: [%#lx, %#lx] is not a whole span",
		      (unsigned long)va, (unsigned long)last);
	placed = pmap_enter_entry(dst, va, 1, entry, &slot, &tpg);
	if (placed < 0)
		return placed;
	if (!placed) {
		mmu_pte_t old = pte_read(slot);

		/* Offered again for the next VMA in the same span. */
		if (old != MMU_PTE_INVALID &&
		    mmu_pte_paddr(old, 1) == table_pa)
			return 0;
		if (old != MMU_PTE_INVALID)
			panic("pmap_share: the child maps %#lx already",
			      (unsigned long)va);
		mmu_pte_store(slot, entry);
		table_count(tpg, +1);
	}
	page_ref_get(table);
	dst->tables++;
	dst->resident += table->count;
	return 0;
}

int pmap_share(struct pmap *dst, struct pmap *src, vaddr_t va, size_t len)
{
	int err;

	if (len == 0)
		return 0;
	if (((va | len) & SPAN_MASK) || !pmap_range_ok(src, va, len) ||
	    !pmap_range_ok(dst, va, len) || src->kernel || dst->kernel ||
	    dst == src)
		return -EINVAL;
	spin_lock(&src->lock);
	err = walk_spans(src, va, len, share_one, dst);
	spin_unlock(&src->lock);
	/* The new entries are visible to any walker before @dst is loaded. */
	mmu_pte_publish();
	return err;
}

static int protect_one(void *batch, mmu_pte_t *slot, struct page *tpg,
		       vaddr_t va, vaddr_t last)
{
	mmu_pte_t pte = pte_read(slot);

	(void)tpg;
	if (!mmu_pte_table_writable(pte, 1))
		return 0;	/* shared before: nothing cached is writable */
	mmu_pte_store(slot, mmu_pte_table_protect(pte, 1, false));
	tlb_batch_add(batch, va, last - va + 1);
	return 0;
}

void pmap_share_protect(struct pmap *pm, vaddr_t va, size_t len,
			struct tlb_batch *batch)
{
	if (len == 0)
		return;
	if (((va | len) & SPAN_MASK) || !pmap_range_ok(pm, va, len) ||
	    pm->kernel || batch->pmap != pm)
		panic("pmap_share_protect: bad range [%#lx, +%#lx) or batch",
		      (unsigned long)va, (unsigned long)len);
	spin_lock(&pm->lock);
	walk_spans(pm, va, len, protect_one, batch);
	spin_unlock(&pm->lock);
}

/* --- Unsharing --------------------------------------------------------- */

struct unshare {
	struct pmap *pm;
	struct tlb_batch *batch;
	bool removing;
	unsigned long need;	/* copies the range needs */
	struct page_list spare;	/* tables reserved for them */
	struct page *zero;
};

/* Does the span of @slot need a private copy (rather than being left
 * for the caller's removal)? */
static bool wants_copy(const struct unshare *u, mmu_pte_t *slot,
		       vaddr_t va, vaddr_t last)
{
	if (u->removing && covers_span(va, last))
		return false;
	return table_shared(slot_table(pte_read(slot)));
}

static int count_one(void *arg, mmu_pte_t *slot, struct page *tpg,
		     vaddr_t va, vaddr_t last)
{
	struct unshare *u = arg;

	(void)tpg;
	if (wants_copy(u, slot, va, last))
		u->need++;
	return 0;
}

/*
 * Copy the shared @from into the fresh @to: every page read-only in both
 * (the frames are now mapped by two tables), one more reference and
 * mapcount per frame (the zero page is never referenced).
 */
static void copy_entries(struct unshare *u, struct page *from,
			 struct page *to)
{
	mmu_pte_t *src = page_to_virt(from), *dst = page_to_virt(to);

	for (unsigned int i = 0; i < MMU_PTES_PER_TABLE; i++) {
		mmu_pte_t pte = pte_read(&src[i]);
		unsigned int flags;
		struct page *pg;
		paddr_t pa;

		if (pte == MMU_PTE_INVALID)
			continue;
		pa = mmu_pte_paddr(pte, 0);
		flags = mmu_pte_flags(pte, 0);
		if (flags & VM_WRITE) {
			/* Other sharers' walks are read-only here already. */
			pte = mmu_pte_make_leaf(pa, flags & ~VM_WRITE, 0);
			mmu_pte_store(&src[i], pte);
		}
		mmu_pte_store(&dst[i], pte);
		mapcount_add(pa, +1);
		pg = page_from_phys(pa);
		if (pg && pg != u->zero)
			page_ref_get(pg);
	}
	to->count = from->count;
}

/* Replace the shared table under @slot by a private copy in @to. */
static void replace_shared(struct unshare *u, mmu_pte_t *slot, vaddr_t va,
			   struct page *to)
{
	struct page *from = slot_table(pte_read(slot));
	vaddr_t span = ALIGN_DOWN(va, PMAP_SHARE_SPAN);

	copy_entries(u, from, to);
	table_account(u->pm, to, 0);
	u->pm->tables--;	/* @from is no longer this pmap's */
	/* The copy's entries reach every walker before it is linked. */
	mmu_pte_publish();
	tlb_batch_add(u->batch, span, PMAP_SHARE_SPAN);
	if (MMU_BBM_REQUIRED) {
		/* A new table address under a valid entry: break, flush,
		 * then make, so no walk cache holds both. */
		mmu_pte_store(slot, MMU_PTE_INVALID);
		tlb_batch_flush(u->batch);
		tlb_batch_add(u->batch, span, PMAP_SHARE_SPAN);
	}
	mmu_pte_store(slot, mmu_pte_make_table(page_to_phys(to), 1));
	/* This pmap's TLBs may still walk @from: its share goes only after
	 * the batch's flush, so no other sharer may change @from before. */
	tlb_batch_defer_put(u->batch, from);
}

static int unshare_one(void *arg, mmu_pte_t *slot, struct page *tpg,
		       vaddr_t va, vaddr_t last)
{
	struct unshare *u = arg;
	mmu_pte_t pte = pte_read(slot);

	(void)tpg;
	if (u->removing && covers_span(va, last))
		return 0;	/* the removal drops it, shared or not */
	if (wants_copy(u, slot, va, last)) {
		struct page *to = page_list_pop(&u->spare);

		if (!to)
			panic("pmap_unshare: a shared table appeared under "
			      "the lock at %#lx", (unsigned long)va);
		replace_shared(u, slot, va, to);
	} else if (!mmu_pte_table_writable(pte, 1)) {
		/* The other sharers left: the table is this pmap's alone.
		 * Writable again; flushed, as arm64 may cache the read-only
		 * walk and fault on it forever. */
		mmu_pte_store(slot, mmu_pte_table_protect(pte, 1, true));
		tlb_batch_add(u->batch, ALIGN_DOWN(va, PMAP_SHARE_SPAN),
			      PMAP_SHARE_SPAN);
	}
	return 0;
}

static void spare_free(struct page_list *l)
{
	struct page *pg;

	while ((pg = page_list_pop(l)) != NULL)
		pmm_free(pg, 0);
}

/* Reserve @n zeroed tables on @l, or none (-ENOMEM). */
static int spare_fill(struct page_list *l, unsigned long n)
{
	while (l->count < n) {
		struct page *pg = table_alloc();

		if (!pg) {
			spare_free(l);
			return -ENOMEM;
		}
		page_list_push(l, pg);
	}
	return 0;
}

int pmap_unshare(struct pmap *pm, vaddr_t va, size_t len, bool removing,
		 struct tlb_batch *batch)
{
	struct unshare u = { .pm = pm, .batch = batch, .removing = removing,
			     .zero = vm_zero_page() };
	int err;

	if (len == 0)
		return 0;
	if (!pmap_range_ok(pm, va, len) || pm->kernel || batch->pmap != pm)
		return -EINVAL;
	spin_lock(&pm->lock);
	/* Shares only drop while this pmap is locked (a fork of it, the one
	 * way to add one, holds its space's lock): the count is enough. */
	walk_spans(pm, va, len, count_one, &u);
	err = spare_fill(&u.spare, u.need);
	if (!err)
		walk_spans(pm, va, len, unshare_one, &u);
	spin_unlock(&pm->lock);
	spare_free(&u.spare);
	return err;
}

/* --- Dropping a share ---------------------------------------------------- */

void pmap_share_drop(struct pmap *pm, mmu_pte_t *slot, struct page *tpg,
		     struct page *shared, vaddr_t va, vaddr_t last,
		     bool remove, struct tlb_batch *batch)
{
	if (!remove || !covers_span(va, last))
		panic("pmap: %s of [%#lx, %#lx] inside a shared page table "
		      "(callers pmap_unshare first)",
		      remove ? "removal" : "protection", (unsigned long)va,
		      (unsigned long)last);
	mmu_pte_store(slot, MMU_PTE_INVALID);
	table_count(tpg, -1);
	pm->tables--;
	pm->resident -= shared->count;
	tlb_batch_add(batch, va, PMAP_SHARE_SPAN);
	tlb_batch_defer_put(batch, shared);
}

unsigned long pmap_table_release(struct page *table)
{
	mmu_pte_t *t = page_to_virt(table);
	struct page *zero = vm_zero_page();
	unsigned long freed = 0;

	for (unsigned int i = 0; i < MMU_PTES_PER_TABLE; i++) {
		mmu_pte_t pte = pte_read(&t[i]);
		struct page *pg;
		paddr_t pa;

		if (pte == MMU_PTE_INVALID)
			continue;
		pa = mmu_pte_paddr(pte, 0);
		mapcount_add(pa, -1);
		pg = page_from_phys(pa);
		if (pg && pg != zero && page_ref_put(pg)) {
			pmm_free(pg, 0);
			freed++;
		}
	}
	table->count = 0;
	pmm_free(table, 0);
	return freed;
}
