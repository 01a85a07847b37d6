/*
 * The MI page-table walker. Every hardware detail goes through the codec
 * and geometry of <mm/mmu.h>; this file only knows that a table is a page
 * of 64-bit entries, that level 0 holds 4 KiB leaves, and the rules:
 *
 *  - A table page's struct page counts its valid entries (->count). When
 *    a removal empties a table it is unhooked from its parent and freed
 *    through the caller's tlb_batch, after the flush. Tables flagged
 *    PAGE_PINNED (PAE page directories, the kernel half shared by all
 *    roots, tables adopted from the boot code) are never reclaimed.
 *  - New tables are built while invisible and linked by one store after
 *    mmu_pte_publish(), so no walker ever sees a half-built subtree.
 *  - pmap_enter allocates everything it needs before changing anything.
 *  - A last-level table may be shared by several pmaps (fork under
 *    vm.fork=share, mm/pmap_share.c): its struct page's refcount counts
 *    them, and every entry pointing at it is write-protected. Walks read
 *    through it; a removal of its whole span drops one share; any other
 *    change needs pmap_unshare first.
 *
 * Lock order: pmap lock, then pmm zone locks. Entries are read under the
 * pmap lock with pte_read (<mm/pmap_internal.h>): concurrently, only the
 * hardware (x86 A/D bits) and a sharer making a shared table read-only
 * write them, both in the low word, so even a torn 32-bit read on i686
 * yields a usable entry.
 */
#include <kern/arch.h>
#include <kern/errno.h>
#include <kern/panic.h>
#include <kern/prof.h>
#include <mm/kheap.h>
#include <mm/lock_rank.h>
#include <mm/pmap.h>
#include <mm/pmap_internal.h>
#include <mm/pmm.h>
#include <mm/tlb_batch.h>
#include <mm/vm.h>
#include <smp/tlb.h>

#define TOP_LEVEL	PMAP_TOP_LEVEL
#define ROOT_PREALLOC_MAX 4	/* PAE: four PDPTEs */

static struct pmap kernel_pmap = {
	.lock = SPINLOCK_INIT_ORDERED("pmap.kernel", MM_LOCK_RANK_PMAP),
	.kernel = true,
};
static bool kernel_ready;

/* Per-walk state of pmap_remove / pmap_protect. */
struct walk {
	struct pmap *pm;
	struct tlb_batch *batch;
	unsigned int prot;	/* protect: new VM_PROT_MASK bits */
	bool remove;
	bool release;		/* remove: hand the frames' references over */
	struct page *zero;	/* release: the frame never counted */
};

mmu_pte_t *pmap_table_va(paddr_t pa)
{
	mmu_pte_t *t = pmm_phys_to_virt(pa);

	if (!t)
		panic("pmap: page table %#llx is outside the direct map",
		      (unsigned long long)pa);
	return t;
}

static vaddr_t half_first(const struct pmap *pm)
{
	return pm->kernel ? MMU_KERNEL_VA_BASE : 0;
}

static vaddr_t half_last(const struct pmap *pm)
{
	return pm->kernel ? MMU_KERNEL_VA_LAST : MMU_USER_VA_END - 1;
}

bool pmap_range_ok(const struct pmap *pm, vaddr_t va, size_t len)
{
	if (((va | len) & PAGE_MASK) || len == 0)
		return false;
	return va >= half_first(pm) && va <= half_last(pm) &&
	       len - 1 <= half_last(pm) - va;
}

/* --- pmap_enter ------------------------------------------------------- */

static bool enter_args_ok(const struct pmap *pm, vaddr_t va, paddr_t pa,
			  unsigned int prot)
{
	unsigned int cache = prot & VM_CACHE_MASK;

	if (!pmap_range_ok(pm, va, PAGE_SIZE) || (pa & PAGE_MASK))
		return false;
	if (!(prot & VM_PROT_MASK) || cache == VM_CACHE_MASK)
		return false;
	/* Speculative instruction fetch must never reach device registers. */
	return !(cache == VM_CACHE_DEVICE && (prot & VM_EXEC));
}

/*
 * Fill the tables @fresh[target..level-1] (fresh[l] becomes a table of
 * level l) with the path to @entry, which goes into fresh[target]; then
 * link the top one into @slot of the existing table @tpg. Cannot fail.
 */
static void link_new_tables(struct pmap *pm, struct page **fresh,
			    unsigned int target, unsigned int level,
			    mmu_pte_t *slot, struct page *tpg, vaddr_t va,
			    mmu_pte_t entry)
{
	mmu_pte_t *t = page_to_virt(fresh[target]);

	mmu_pte_store(&t[mmu_level_index(va, target)], entry);
	for (unsigned int l = target; l < level; l++) {
		table_account(pm, fresh[l], 0);
		fresh[l]->count = 1;
		if (l + 1 < level) {
			t = page_to_virt(fresh[l + 1]);
			mmu_pte_store(&t[mmu_level_index(va, l + 1)],
				      mmu_pte_make_table(page_to_phys(fresh[l]),
							 l + 1));
		}
	}
	/* The zeroed tables and their entries must be visible to every
	 * walker before the one store that makes them reachable. */
	mmu_pte_publish();
	mmu_pte_store(slot, mmu_pte_make_table(page_to_phys(fresh[level - 1]),
					       level));
	table_count(tpg, +1);
}

/* Put @entry at level @target for @va below the invalid @slot (in a
 * table of @level): reserve the missing tables first, so failure changes
 * nothing. */
static int enter_new_path(struct pmap *pm, mmu_pte_t *slot, struct page *tpg,
			  unsigned int target, unsigned int level, vaddr_t va,
			  mmu_pte_t entry)
{
	struct page *fresh[MMU_LEVELS];

	for (unsigned int l = target; l < level; l++) {
		fresh[l] = table_alloc();
		if (!fresh[l]) {
			while (l-- > target)
				pmm_free(fresh[l], 0);
			return -ENOMEM;
		}
	}
	link_new_tables(pm, fresh, target, level, slot, tpg, va, entry);
	return 0;
}

/* Replace the valid leaf @old in @slot by @leaf. */
static void replace_leaf(mmu_pte_t *slot, mmu_pte_t old, mmu_pte_t leaf,
			 vaddr_t va, struct tlb_batch *batch)
{
	bool moved = mmu_pte_paddr(old, 0) != mmu_pte_paddr(leaf, 0);
	bool retyped = ((mmu_pte_flags(old, 0) ^ mmu_pte_flags(leaf, 0)) &
			VM_CACHE_MASK) != 0;

	tlb_batch_add(batch, va, PAGE_SIZE);
	if (MMU_BBM_REQUIRED && (moved || retyped)) {
		/* Break-before-make: a TLB may hold the old and the new entry
		 * at once (a TLB conflict abort, or mismatched attributes), so
		 * clear, flush everywhere, then make. */
		mmu_pte_store(slot, MMU_PTE_INVALID);
		tlb_batch_flush(batch);
	}
	mmu_pte_store(slot, leaf);
	if (moved) {
		mapcount_add(mmu_pte_paddr(old, 0), -1);
		mapcount_add(mmu_pte_paddr(leaf, 0), +1);
	}
}

static void leaf_added(struct pmap *pm, mmu_pte_t leaf)
{
	pm->resident++;
	mapcount_add(mmu_pte_paddr(leaf, 0), +1);
}

int pmap_enter_entry(struct pmap *pm, vaddr_t va, unsigned int target,
		     mmu_pte_t entry, mmu_pte_t **slotp, struct page **tpgp)
{
	mmu_pte_t *table = pm->root, *slot;
	paddr_t table_pa = pm->root_pa;
	struct page *tpg;

	for (unsigned int level = TOP_LEVEL; level > target; level--) {
		mmu_pte_t old;

		slot = &table[mmu_level_index(va, level)];
		old = pte_read(slot);
		if (!mmu_pte_is_valid(old, level)) {
			int err = enter_new_path(pm, slot,
						 page_from_phys(table_pa),
						 target, level, va, entry);

			return err ? err : 1;
		}
		if (mmu_pte_is_leaf(old, level))
			return -EEXIST;
		/* The struct page only of the table the walk stops in. */
		table_pa = mmu_pte_paddr(old, level);
		table = pmap_table_va(table_pa);
	}
	tpg = page_from_phys(table_pa);
	/* Another pmap reads this table: a new or changed page here would
	 * appear there too. */
	if (target == 0 && table_shared(tpg))
		panic("pmap: entering %#lx into a shared page table (callers "
		      "pmap_unshare first)", (unsigned long)va);
	*slotp = &table[mmu_level_index(va, target)];
	*tpgp = tpg;
	return 0;
}

static int enter_locked(struct pmap *pm, vaddr_t va, mmu_pte_t leaf,
			struct tlb_batch *batch)
{
	mmu_pte_t *slot, old;
	struct page *tpg;
	int placed = pmap_enter_entry(pm, va, 0, leaf, &slot, &tpg);

	if (placed < 0)
		return placed;
	if (placed) {
		leaf_added(pm, leaf);
		return 0;
	}
	old = pte_read(slot);
	if (mmu_pte_is_valid(old, 0)) {
		if (old == leaf)
			return 0;
		if (!batch)
			return -EEXIST;
		replace_leaf(slot, old, leaf, va, batch);
		return 0;
	}
	/* An empty slot: no TLB can hold a translation for it. */
	mmu_pte_store(slot, leaf);
	table_count(tpg, +1);
	leaf_added(pm, leaf);
	return 0;
}

int pmap_enter(struct pmap *pm, vaddr_t va, paddr_t pa, unsigned int prot,
	       struct tlb_batch *batch)
{
	mmu_pte_t leaf;
	int err;

	if (!enter_args_ok(pm, va, pa, prot) || (batch && batch->pmap != pm))
		return -EINVAL;
	/* The pmap decides who may use the page: user pmaps map user pages,
	 * the kernel pmap global ones. */
	prot &= ~(VM_USER | VM_GLOBAL);
	prot |= pm->kernel ? VM_GLOBAL : VM_USER;
	leaf = mmu_pte_make_leaf(pa, prot, 0);
	spin_lock(&pm->lock);
	err = enter_locked(pm, va, leaf, batch);
	/* Let this CPU's next walk see the entry without a spurious fault. */
	if (!err)
		mmu_pte_publish();
	spin_unlock(&pm->lock);
	return err;
}

/* --- pmap_remove / pmap_protect ---------------------------------------- */

static void walk_range(struct walk *w, mmu_pte_t *table, struct page *tpg,
		       unsigned int level, vaddr_t va, vaddr_t last);

/* Clear the leaf in @slot; the managed frame it mapped (4 KiB leaves
 * only), or NULL. */
static struct page *leaf_remove(struct walk *w, mmu_pte_t *slot,
				struct page *tpg, unsigned int level)
{
	paddr_t pa = mmu_pte_paddr(pte_read(slot), level);
	struct page *pg;

	mmu_pte_store(slot, MMU_PTE_INVALID);
	table_count(tpg, -1);
	w->pm->resident--;
	/* Only 4 KiB leaves count as mappings (pmap_enter makes no blocks). */
	if (level != 0)
		return NULL;
	pg = page_from_phys(pa);
	/* Atomic: other pmaps map the same frame under their own locks. */
	if (pg)
		__atomic_fetch_add(&pg->mapcount, -1, __ATOMIC_RELAXED);
	return pg;
}

/* Rewrite the leaf in @slot with w->prot; false if nothing changed. */
static bool leaf_protect(struct walk *w, mmu_pte_t *slot, unsigned int level)
{
	mmu_pte_t old = pte_read(slot), leaf;
	unsigned int flags = (mmu_pte_flags(old, level) & ~VM_PROT_MASK) |
			     w->prot;

	/* Device memory stays non-executable, as pmap_enter demands. */
	if ((flags & VM_CACHE_MASK) == VM_CACHE_DEVICE)
		flags &= ~VM_EXEC;
	leaf = mmu_pte_make_leaf(mmu_pte_paddr(old, level), flags, level);
	if (leaf == old)
		return false;
	mmu_pte_store(slot, leaf);
	return true;
}

/* Remove or re-protect the leaf in @slot, which maps [va, last]. */
static void visit_leaf(struct walk *w, mmu_pte_t *slot, struct page *tpg,
		       unsigned int level, vaddr_t va, vaddr_t last)
{
	vaddr_t size_mask = ((vaddr_t)1 << mmu_level_shift(level)) - 1;
	struct page *pg = NULL;

	if ((va & size_mask) || last - va != size_mask)
		panic("pmap: range [%#lx, %#lx] splits a level-%u block",
		      (unsigned long)va, (unsigned long)last, level);
	if (w->remove)
		pg = leaf_remove(w, slot, tpg, level);
	else if (!leaf_protect(w, slot, level))
		return;
	tlb_batch_add(w->batch, va, last - va + 1);
	/* After the add: if the batch must flush early for want of memory,
	 * that flush covers this entry too. */
	if (w->release && pg && pg != w->zero)
		tlb_batch_defer_put(w->batch, pg);
}

/* Walk the table under @slot for [va, last], then reclaim it if emptied. */
static void visit_table(struct walk *w, mmu_pte_t *slot, struct page *tpg,
			unsigned int level, vaddr_t va, vaddr_t last)
{
	paddr_t child_pa = mmu_pte_paddr(pte_read(slot), level);
	struct page *child = page_from_phys(child_pa);

	if (level == 1 && table_shared(child)) {
		pmap_share_drop(w->pm, slot, tpg, child, va, last, w->remove,
				w->batch);
		return;
	}
	walk_range(w, pmap_table_va(child_pa), child, level - 1, va, last);
	if (!w->remove || !child || child->count != 0 ||
	    (child->flags & PAGE_PINNED))
		return;
	mmu_pte_store(slot, MMU_PTE_INVALID);
	table_count(tpg, -1);
	w->pm->tables--;
	/* Freed after the flush: walk caches may still point into it. The
	 * removal that emptied it put a VA under it into the batch, and a
	 * by-VA (or whole-ASID) invalidation drops the walk-cache entries
	 * on the path to that VA too. */
	tlb_batch_defer_free(w->batch, child);
}

/* First VA of the table of @level that holds @va's entry. */
static vaddr_t table_base(vaddr_t va, unsigned int level)
{
	unsigned int span = mmu_level_shift(level) + MMU_LEVEL_BITS;

	if (span >= 8 * sizeof(vaddr_t))
		return 0;
	return va & ~(((vaddr_t)1 << span) - 1);
}

static void walk_range(struct walk *w, mmu_pte_t *table, struct page *tpg,
		       unsigned int level, vaddr_t va, vaddr_t last)
{
	unsigned int shift = mmu_level_shift(level);
	unsigned int i = mmu_level_index(va, level);
	unsigned int end = mmu_level_index(last, level);
	vaddr_t base = table_base(va, level);
	vaddr_t span_mask = ((vaddr_t)1 << shift) - 1;
	/* A walk of the whole table may stop once it has met every valid
	 * entry the table counts: exit walks every table it reaches, and
	 * most are nearly empty. */
	unsigned int left = tpg && i == 0 && end == mmu_level_entries(level) - 1
			    ? tpg->count : ~0u;

	for (; i <= end && left; i++) {
		mmu_pte_t *slot = &table[i];
		mmu_pte_t pte = pte_read(slot);
		vaddr_t first, sub_last;

		bool leaf;

		/* Most slots of a user table are empty: skip them without
		 * asking the codec. */
		if (pte == MMU_PTE_INVALID)
			continue;
		leaf = mmu_pte_is_leaf(pte, level);
		if (!leaf && !mmu_pte_is_valid(pte, level))
			continue;
		left--;
		first = MAX(va, base + ((vaddr_t)i << shift));
		/* Inclusive bounds: the top page of the VA space has no end. */
		sub_last = MIN(last, first | span_mask);
		if (leaf)
			visit_leaf(w, slot, tpg, level, first, sub_last);
		else
			visit_table(w, slot, tpg, level, first, sub_last);
	}
}

static void walk_locked(struct walk *w, vaddr_t va, size_t len,
			const char *who)
{
	struct pmap *pm = w->pm;

	if (!pmap_range_ok(pm, va, len) || w->batch->pmap != pm)
		panic("%s: bad range [%#lx, +%#lx) or batch of another pmap",
		      who, (unsigned long)va, (unsigned long)len);
	spin_lock(&pm->lock);
	walk_range(w, pm->root, page_from_phys(pm->root_pa), TOP_LEVEL, va,
		   va + len - 1);
	spin_unlock(&pm->lock);
}

void pmap_remove(struct pmap *pm, vaddr_t va, size_t len,
		 struct tlb_batch *batch)
{
	struct walk w = { .pm = pm, .batch = batch, .remove = true };

	walk_locked(&w, va, len, "pmap_remove");
}

void pmap_remove_release(struct pmap *pm, vaddr_t va, size_t len,
			 struct tlb_batch *batch)
{
	struct walk w = { .pm = pm, .batch = batch, .remove = true,
			  .release = true, .zero = vm_zero_page() };

	walk_locked(&w, va, len, "pmap_remove_release");
}

void pmap_protect(struct pmap *pm, vaddr_t va, size_t len, unsigned int prot,
		  struct tlb_batch *batch)
{
	struct walk w = { .pm = pm, .batch = batch, .prot = prot & VM_PROT_MASK };

	w.remove = w.prot == 0;
	walk_locked(&w, va, len, "pmap_protect");
}

/* --- pmap_upgrade ------------------------------------------------------ */

/* The 4 KiB leaf slot for @va, or NULL; *@ro_table: reached through a
 * write-protected table entry. Locking: @pm->lock held. */
static mmu_pte_t *leaf_slot(struct pmap *pm, vaddr_t va, bool *ro_table)
{
	mmu_pte_t *table = pm->root;

	*ro_table = false;
	for (unsigned int level = TOP_LEVEL; level > 0; level--) {
		mmu_pte_t pte = pte_read(&table[mmu_level_index(va, level)]);

		if (!mmu_pte_is_valid(pte, level) || mmu_pte_is_leaf(pte, level))
			return NULL;
		if (!mmu_pte_table_writable(pte, level))
			*ro_table = true;
		table = pmap_table_va(mmu_pte_paddr(pte, level));
	}
	return &table[mmu_level_index(va, 0)];
}

/* Store the upgraded @leaf for @va and make it visible (pmap_upgrade's
 * TLB rule). */
static void upgrade_store(struct pmap *pm, mmu_pte_t *slot, mmu_pte_t leaf,
			  vaddr_t va, struct tlb_batch *batch)
{
	unsigned long irq;

	mmu_pte_store(slot, leaf);
	mmu_pte_publish();
	if (!MMU_UPGRADE_LOCAL_ONLY) {
		tlb_batch_add(batch, va, PAGE_SIZE);
		return;
	}
	irq = arch_irq_save();
	mmu_tlb_flush_page_local(tlb_tag_here(pm), va);
	arch_irq_restore(irq);
}

int pmap_upgrade(struct pmap *pm, vaddr_t va, unsigned int prot,
		 struct tlb_batch *batch)
{
	unsigned int flags, want = (prot & VM_PROT_MASK) | VM_READ;
	mmu_pte_t *slot, old, leaf;
	bool ro_table;
	int err = 0;

	if (pm->kernel || !pmap_range_ok(pm, va, PAGE_SIZE) ||
	    batch->pmap != pm)
		return -EINVAL;
	spin_lock(&pm->lock);
	slot = leaf_slot(pm, va, &ro_table);
	old = slot ? pte_read(slot) : MMU_PTE_INVALID;
	flags = mmu_pte_flags(old, 0);
	leaf = mmu_pte_make_leaf(mmu_pte_paddr(old, 0),
				 (flags & ~VM_PROT_MASK) | want, 0);
	if (!mmu_pte_is_valid(old, 0))
		err = -ENOENT;
	/* Rights as the hardware reads them: without NX all execute. */
	else if (ro_table || (flags & VM_PROT_MASK & ~mmu_pte_flags(leaf, 0)))
		err = -EINVAL;	/* a shared table, or rights taken away */
	else if (leaf != old)
		upgrade_store(pm, slot, leaf, va, batch);
	spin_unlock(&pm->lock);
	return err;
}

/* --- pmap_copy ---------------------------------------------------------- */

struct copy {
	struct pmap *dst;
	bool read_only;
	void (*entered)(paddr_t pa, void *arg);
	void *arg;
	int err;
};

/* Enter @src_leaf, the 4 KiB leaf of the source at @va, in c->dst. */
static void copy_leaf(struct copy *c, vaddr_t va, mmu_pte_t src_leaf)
{
	paddr_t pa = mmu_pte_paddr(src_leaf, 0);
	unsigned int flags = mmu_pte_flags(src_leaf, 0);
	unsigned int prot = flags & VM_PROT_MASK;

	if (c->read_only)
		prot = vm_prot_read_only(prot);
	/* pmap_copy takes user pmaps only: the copy is a user page. */
	flags = prot | (flags & VM_CACHE_MASK) | VM_USER;
	c->err = enter_locked(c->dst, va, mmu_pte_make_leaf(pa, flags, 0),
			      NULL);
	if (!c->err && c->entered)
		c->entered(pa, c->arg);
}

/* Copy the present leaves of @table (at @level) in [va, last]: empty
 * entries, and so whole empty subtrees, cost one read each. */
static void copy_range(struct copy *c, mmu_pte_t *table, unsigned int level,
		       vaddr_t va, vaddr_t last)
{
	vaddr_t span_mask = ((vaddr_t)1 << mmu_level_shift(level)) - 1;

	while (!c->err) {
		vaddr_t sub_last = MIN(va | span_mask, last);
		mmu_pte_t pte = pte_read(&table[mmu_level_index(va, level)]);

		if (pte == MMU_PTE_INVALID)
			;	/* the common case: skipped without the codec */
		else if (mmu_pte_is_leaf(pte, level)) {
			if (level != 0)
				panic("pmap_copy: a level-%u block at %#lx (user "
				      "pmaps have none)", level,
				      (unsigned long)va);
			copy_leaf(c, va, pte);
		} else if (mmu_pte_is_valid(pte, level)) {
			copy_range(c, pmap_table_va(mmu_pte_paddr(pte, level)),
				   level - 1, va, sub_last);
		}
		if (sub_last == last)
			return;
		va = sub_last + 1;
	}
}

int pmap_copy(struct pmap *dst, struct pmap *src, vaddr_t va, size_t len,
	      bool read_only, void (*entered)(paddr_t pa, void *arg),
	      void *arg)
{
	struct copy c = { .dst = dst, .read_only = read_only,
			  .entered = entered, .arg = arg };

	if (len == 0)
		return 0;
	if (!pmap_range_ok(src, va, len) || !pmap_range_ok(dst, va, len) ||
	    src->kernel || dst->kernel || dst == src)
		return -EINVAL;
	spin_lock(&src->lock);
	copy_range(&c, src->root, TOP_LEVEL, va, va + len - 1);
	spin_unlock(&src->lock);
	/* As pmap_enter: the new entries are visible to any CPU's walker
	 * before @dst can be loaded anywhere. */
	mmu_pte_publish();
	return c.err;
}

/* --- Lookups ------------------------------------------------------------ */

int pmap_extract(struct pmap *pm, vaddr_t va, paddr_t *pa, unsigned int *prot)
{
	mmu_pte_t *table = pm->root;
	unsigned int cow = 0;
	int err = -ENOENT;

	if (prot)
		*prot = 0;
	if (va < half_first(pm) || va > half_last(pm))
		return -ENOENT;
	spin_lock(&pm->lock);
	for (unsigned int level = TOP_LEVEL;; level--) {
		mmu_pte_t pte = pte_read(&table[mmu_level_index(va, level)]);
		vaddr_t off = va & (((vaddr_t)1 << mmu_level_shift(level)) - 1);

		if (!mmu_pte_is_valid(pte, level))
			break;
		if (mmu_pte_is_leaf(pte, level)) {
			if (pa)
				*pa = mmu_pte_paddr(pte, level) + off;
			if (prot)
				*prot = mmu_pte_flags(pte, level);
			err = 0;
			break;
		}
		/* Only sharing write-protects a table entry, and only the
		 * entries above last-level tables. */
		if (level == 1 && !mmu_pte_table_writable(pte, level))
			cow = PMAP_PROT_COW_TABLE;
		table = pmap_table_va(mmu_pte_paddr(pte, level));
	}
	spin_unlock(&pm->lock);
	/* What the walk allows: the hardware ANDs write permission. */
	if (prot && cow)
		*prot = (*prot & ~VM_WRITE) | cow;
	return err;
}

/* --- Roots ---------------------------------------------------------------- */

static unsigned int user_root_slots(void)
{
	return mmu_level_index(MMU_USER_VA_END - 1, TOP_LEVEL) + 1;
}

/* Root slots covering the kernel half when roots share it. */
static unsigned int kernel_first_slot(void)
{
	return mmu_level_index(MMU_KERNEL_VA_BASE, TOP_LEVEL);
}

static unsigned int kernel_last_slot(void)
{
	return mmu_level_index(MMU_KERNEL_VA_LAST, TOP_LEVEL);
}

/* Link @child under root slot @slot of @pm. Locking: @pm not yet shared. */
static void root_link(struct pmap *pm, unsigned int slot, struct page *child)
{
	table_account(pm, child, PAGE_PINNED);
	mmu_pte_store(&pm->root[slot],
		      mmu_pte_make_table(page_to_phys(child), TOP_LEVEL));
	table_count(page_from_phys(pm->root_pa), +1);
}

/* Fill a new user root from @pages: [0] is the root, then (PAE) one
 * pinned table per user root slot. Shares the kernel half by copying the
 * kernel root's slots, which pmap_bootstrap made permanent. */
static void root_init(struct pmap *pm, struct page **pages, unsigned int n)
{
	table_account(pm, pages[0], 0);
	pm->root_pa = page_to_phys(pages[0]);
	pm->root = page_to_virt(pages[0]);
	for (unsigned int i = 1; i < n; i++)
		root_link(pm, i - 1, pages[i]);
	if (!MMU_SEPARATE_KERNEL_ROOT) {
		for (unsigned int s = kernel_first_slot(); s <= kernel_last_slot();
		     s++) {
			mmu_pte_store(&pm->root[s], pte_read(&kernel_pmap.root[s]));
			table_count(pages[0], +1);
		}
	}
	/* Visible to walkers before any CPU loads this root. */
	mmu_pte_publish();
}

struct pmap *pmap_create(void)
{
	struct page *pages[1 + ROOT_PREALLOC_MAX];
	unsigned int n = 1 + (MMU_ROOT_PREALLOC ? user_root_slots() : 0);
	struct pmap *pm;

	if (!kernel_ready || n > ARRAY_SIZE(pages))
		panic("pmap_create: no kernel pmap, or too many root slots");
	pm = kzalloc(sizeof(*pm));
	if (!pm)
		return NULL;
	for (unsigned int i = 0; i < n; i++) {
		pages[i] = table_alloc();
		if (!pages[i]) {
			while (i-- > 0)
				pmm_free(pages[i], 0);
			kfree(pm);
			return NULL;
		}
	}
	pm->lock = (struct spinlock)SPINLOCK_INIT_ORDERED("pmap",
							  MM_LOCK_RANK_PMAP);
	root_init(pm, pages, n);
	tlb_space_init(&pm->tlb, false);
	return pm;
}

/* Unhook and defer the pinned tables of the user root slots (PAE). */
static void unlink_user_slots(struct pmap *pm, struct tlb_batch *batch)
{
	struct page *root = page_from_phys(pm->root_pa);

	for (unsigned int s = 0; s < user_root_slots(); s++) {
		mmu_pte_t pte = pte_read(&pm->root[s]);
		struct page *child;

		if (!mmu_pte_is_valid(pte, TOP_LEVEL))
			continue;
		child = page_from_phys(mmu_pte_paddr(pte, TOP_LEVEL));
		mmu_pte_store(&pm->root[s], MMU_PTE_INVALID);
		table_count(root, -1);
		page_flags_clear(child, PAGE_PINNED);
		pm->tables--;
		tlb_batch_defer_free(batch, child);
	}
}

static void destroy(struct pmap *pm, bool release)
{
	struct tlb_batch batch;
	struct walk w = { .pm = pm, .batch = &batch, .remove = true,
			  .release = release,
			  .zero = release ? vm_zero_page() : NULL };

	uint64_t t;

	if (pm->kernel)
		panic("pmap_destroy: the kernel pmap");
	/* No CPU may keep the root loaded (lazily) once its tables go. */
	tlb_space_fini(pm);
	tlb_batch_begin(&batch, pm);
	/* This CPU's entries under the space's tag go now; another CPU's go
	 * before the tag serves anyone else there (a fresh ASID slot flushes
	 * its tag, a rollover everything: <smp/asid.h>). */
	tlb_batch_add(&batch, 0, MMU_USER_VA_END);
	t = prof_start();
	spin_lock(&pm->lock);
	walk_range(&w, pm->root, page_from_phys(pm->root_pa), TOP_LEVEL, 0,
		   MMU_USER_VA_END - 1);
	unlink_user_slots(pm, &batch);
	pm->tables--;
	tlb_batch_defer_free(&batch, page_from_phys(pm->root_pa));
	spin_unlock(&pm->lock);
	if (release)
		prof_end(PROF_EXIT_VM_WALK, t);
	t = prof_start();
	tlb_batch_end(&batch);
	if (release)
		prof_end(PROF_EXIT_VM_FLUSH, t);
	kfree(pm);
}

void pmap_destroy(struct pmap *pm)
{
	destroy(pm, false);
}

void pmap_destroy_release(struct pmap *pm)
{
	destroy(pm, true);
}

/* --- The kernel pmap ------------------------------------------------------ */

/* Count and pin the boot code's tables from @table (at @level) down. */
static void adopt_boot_tables(paddr_t table_pa, unsigned int level)
{
	mmu_pte_t *table = pmap_table_va(table_pa);
	struct page *tpg = page_from_phys(table_pa);
	unsigned int valid = 0;

	for (unsigned int i = 0; i < mmu_level_entries(level); i++) {
		mmu_pte_t pte = pte_read(&table[i]);

		if (!mmu_pte_is_valid(pte, level))
			continue;
		valid++;
		if (mmu_pte_is_leaf(pte, level))
			kernel_pmap.resident++;
		else
			adopt_boot_tables(mmu_pte_paddr(pte, level), level - 1);
	}
	kernel_pmap.tables++;
	if (tpg) {
		page_flags_set(tpg, PAGE_PTABLE | PAGE_PINNED);
		tpg->count = (uint16_t)valid;
	}
}

/* Give every kernel root slot a permanent table, so the kernel half that
 * user roots copy at creation never changes afterwards. */
static int fill_kernel_slots(void)
{
	for (unsigned int s = kernel_first_slot(); s <= kernel_last_slot(); s++) {
		struct page *pg;

		if (mmu_pte_is_valid(pte_read(&kernel_pmap.root[s]), TOP_LEVEL))
			continue;
		pg = table_alloc();
		if (!pg)
			return -ENOMEM;
		root_link(&kernel_pmap, s, pg);
	}
	return 0;
}

int pmap_bootstrap(paddr_t root_pa)
{
	struct page *root;
	int err = 0;

	if (kernel_ready)
		return -EBUSY;
	if (root_pa) {
		kernel_pmap.root_pa = root_pa;
		kernel_pmap.root = pmap_table_va(root_pa);
		adopt_boot_tables(root_pa, TOP_LEVEL);
	} else {
		root = table_alloc();
		if (!root)
			return -ENOMEM;
		table_account(&kernel_pmap, root, PAGE_PINNED);
		kernel_pmap.root_pa = page_to_phys(root);
		kernel_pmap.root = page_to_virt(root);
	}
	if (!MMU_SEPARATE_KERNEL_ROOT)
		err = fill_kernel_slots();
	mmu_pte_publish();
	kernel_ready = !err;
	return err;
}

struct pmap *pmap_kernel(void)
{
	return &kernel_pmap;
}

bool pmap_kernel_ready(void)
{
	return kernel_ready;
}

int pmap_kenter(vaddr_t va, paddr_t pa, unsigned int prot)
{
	if (!kernel_ready)
		panic("pmap_kenter: before pmap_bootstrap");
	return pmap_enter(&kernel_pmap, va, pa, prot, NULL);
}

void pmap_kremove(vaddr_t va, size_t len, struct tlb_batch *batch)
{
	pmap_remove(&kernel_pmap, va, len, batch);
}

void pmap_activate(struct pmap *pm)
{
	unsigned long irq = arch_irq_save();

	/* The kernel pmap has no user half of its own to load. */
	if (pm->kernel)
		tlb_switch_to_kernel_root();
	else
		tlb_switch_to(pm);
	arch_irq_restore(irq);
}

