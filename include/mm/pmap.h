/*
 * The MI physical map: one page-table walker for every arch, over the PTE
 * codec of <mm/mmu.h>. A pmap is a root table plus the tables below it;
 * each table page's struct page counts its valid entries (page->count) so
 * tables that empty are unhooked and freed.
 *
 * TLB rules: entering into an empty slot needs no invalidation. Removing
 * or changing a valid entry never flushes by itself: the caller passes a
 * tlb_batch, which records the VAs and defers freeing the frames and page
 * tables until tlb_batch_end() has invalidated every TLB that may hold them.
 *
 * Addresses: @va ranges are page aligned and lie in the pmap's half (user
 * pmaps [0, MMU_USER_VA_END), the kernel pmap [MMU_KERNEL_VA_BASE, top]).
 */
#ifndef MM_PMAP_H
#define MM_PMAP_H

#include <kern/spinlock.h>
#include <kern/types.h>
#include <mm/mmu.h>
#include <smp/tlb.h>

struct page;
struct tlb_batch;

struct pmap {
	struct spinlock lock;	/* protects the tables and counters */
	mmu_pte_t *root;	/* direct-map address of the root table */
	paddr_t root_pa;
	bool kernel;		/* the kernel pmap: leaves are global */
	struct tlb_space tlb;	/* id, generation, ASID (smp/tlb.h) */
	unsigned long resident;	/* valid leaf entries */
	unsigned long tables;	/* page-table pages, the root included */
};

/*
 * Set up the kernel pmap on the boot CPU, after pmm_init. @root_pa is the
 * root the boot code built (its tables are adopted: counted, and pinned so
 * they are never freed), or 0 to start from an empty root. Without a
 * separate kernel root, every kernel-half root slot then gets a table, so
 * user roots can share the kernel half by copying those slots once.
 * Returns 0 or -ENOMEM. Locking: boot CPU only. TLB: no flush needed.
 */
int pmap_bootstrap(paddr_t root_pa);

/* The kernel pmap (valid after pmap_bootstrap). */
struct pmap *pmap_kernel(void);
bool pmap_kernel_ready(void);

/*
 * A new user pmap with an empty user half (and, where roots share it, the
 * kernel half); on PAE every root slot already holds its page directory.
 * Returns NULL when memory runs out, having freed what it took.
 * Locking: none needed. TLB: no flush needed.
 */
struct pmap *pmap_create(void);

/*
 * Free @pm with every page table it holds. Frames it still maps are not
 * freed (their owners do that) but lose the mapping. The pmap must not be
 * active on any CPU (a CPU that keeps it loaded lazily is made to drop it,
 * tlb_space_fini). Locking: takes @pm->lock, then the pmm's; no spinlock
 * held by the caller (it may wait for other CPUs).
 * TLB: flushes @pm's whole ASID (the tag may be handed to another pmap)
 * before the tables go back to the pmm, through a tlb_batch.
 */
void pmap_destroy(struct pmap *pm);

/*
 * pmap_destroy for a pmap whose mapped frames each hold one reference
 * for it (an address space's): the frames still mapped are released as
 * by pmap_remove_release, in the same batch as the tables, so tearing
 * down the whole space is one flush. The pmap must not be active on any
 * CPU. Locking: takes @pm->lock, then the pmm's (the batch may allocate).
 * TLB: one batch flushes @pm's whole ASID before any frame or table is
 * freed (earlier too, only if the batch finds no memory for references).
 */
void pmap_destroy_release(struct pmap *pm);

/*
 * Map the page at @va to frame @pa with MI flags @prot (at least one of
 * VM_READ/VM_WRITE/VM_EXEC, plus a cache mode; device memory may not be
 * executable). The pmap sets VM_USER (user pmaps) or VM_GLOBAL (the kernel
 * pmap) itself. A managed frame's mapcount counts the mapping. Missing
 * tables are allocated first and linked only once all exist, so on failure
 * (-ENOMEM) the pmap is unchanged and nothing leaked. -EINVAL for bad
 * arguments, -EEXIST if @va lies inside a block mapping, or if a valid
 * leaf is there and @batch is NULL.
 * Locking: takes @pm->lock, then the pmm's.
 * TLB: no flush needed into an empty slot; replacing a valid leaf adds it
 * to @batch; with MMU_BBM_REQUIRED and a new frame or memory type, the
 * old entry is cleared and flushed (tlb_batch_flush) before the new one
 * is written. Re-entering an identical leaf changes nothing.
 */
int pmap_enter(struct pmap *pm, vaddr_t va, paddr_t pa, unsigned int prot,
	       struct tlb_batch *batch);

/*
 * Unmap every page in [va, va + len). Tables left empty are unhooked and
 * handed to @batch for freeing after the flush. Mapped frames are not
 * freed; their mapcount drops.
 * Locking: takes @pm->lock. TLB: adds to batch (never flushes).
 */
void pmap_remove(struct pmap *pm, vaddr_t va, size_t len,
		 struct tlb_batch *batch);

/*
 * pmap_remove for pages whose frames each hold one reference for @pm (an
 * address space's): every managed frame unmapped (one with a struct page,
 * except the shared zero page of vm_zero_page(), which is never counted)
 * hands that reference to @batch (tlb_batch_defer_put), and tlb_batch_end
 * drops it after the flush, freeing the frame with its last reference.
 * Visits only present entries: empty subtrees are skipped whole.
 * Locking: takes @pm->lock, then the pmm's (the batch may allocate).
 * TLB: adds to batch; flushes early only when the batch finds no memory
 * for the references (see tlb_batch_defer_put).
 */
void pmap_remove_release(struct pmap *pm, vaddr_t va, size_t len,
			 struct tlb_batch *batch);

/*
 * Change the protection of every mapped page in [va, va + len) to @prot
 * (VM_READ/VM_WRITE/VM_EXEC; the user/global/cache bits of each page are
 * kept). A @prot without any of them removes the pages.
 * Locking: takes @pm->lock. TLB: adds to batch (never flushes).
 */
void pmap_protect(struct pmap *pm, vaddr_t va, size_t len, unsigned int prot,
		  struct tlb_batch *batch);

/*
 * Grant the present 4 KiB leaf at @va the permissions @prot (at least
 * those it has; VM_READ implied), keeping its frame and memory type: a
 * copy-on-write frame reused in place, a shared page written again.
 * Returns 0; -ENOENT if nothing is mapped; -EINVAL for a kernel pmap, a
 * @prot taking rights away, or a leaf under a write-protected (shared)
 * table, which needs pmap_unshare first.
 * Locking: takes @pm->lock.
 * TLB: with MMU_UPGRADE_LOCAL_ONLY (x86: a page fault drops the stale
 * entry it hit, so another CPU's stale read-only entry costs it one
 * spurious fault that vm_fault answers "done") only this CPU's entry is
 * flushed, no shootdown; elsewhere (arm64) @va goes to @batch.
 */
int pmap_upgrade(struct pmap *pm, vaddr_t va, unsigned int prot,
		 struct tlb_batch *batch);

/*
 * Fork's copy of page tables: enter in @dst every 4 KiB page that @src
 * maps in [va, va + len), at the same VA and with the same protection and
 * memory type, made read-only (and readable) if @read_only; call
 * @entered(pa, @arg) for each page entered (NULL: no call), where the
 * caller takes its own reference on the frame. Visits only present
 * entries: an empty subtree costs one read, so an empty 8 MiB stack costs
 * a few reads, not 2048 lookups. @dst must be a user pmap that no CPU has
 * loaded and no other thread can reach (a fork's new child: its lock is
 * not taken, as two pmap locks are never held at once) and that maps
 * nothing in the range. Returns 0; -EINVAL for bad arguments; -ENOMEM
 * when a table cannot be allocated, with the pages entered so far left in
 * @dst (and reported to @entered), for the caller's teardown of @dst.
 * Locking: takes @src->lock, then the pmm's.
 * TLB: no flush needed: @dst's slots were empty, @src is not changed.
 */
int pmap_copy(struct pmap *dst, struct pmap *src, vaddr_t va, size_t len,
	      bool read_only, void (*entered)(paddr_t pa, void *arg),
	      void *arg);

/* --- Page-table sharing (fork under vm.fork=share: mm/pmap_share.c) ---
 *
 * A last-level table can be linked by several user pmaps at once: its
 * struct page's refcount counts them, and each entry pointing at it is
 * write-protected (x86 RW clear, arm64 APTable[1]), so the first write
 * in its span faults whatever the leaves say. Its frames hold one
 * reference for the table, not one per pmap. The first change of the
 * span in one pmap (a write or a missing page: vm_fault; mprotect,
 * munmap, madvise of part of it) gives that pmap a private copy first:
 * pmap_unshare. Removing the whole span drops the share; the last pmap
 * to drop it frees the table and releases its frames.
 */

/* Bytes of VA one last-level table maps: sharing works in these spans. */
#define PMAP_SHARE_SPAN		((vaddr_t)1 << mmu_level_shift(1))

/* pmap_extract's *prot bit: @va is reached through a write-protected
 * table entry, so writes fault, and neither a write nor a new page may
 * go there before pmap_unshare. */
#define PMAP_PROT_COW_TABLE	0x100u

/*
 * Fork: link into @dst every last-level table @src has in [va, va + len)
 * (span aligned), write-protected in @dst, one more share each; the
 * frames are not touched. @dst is a fork's new child (unreachable: its
 * lock is not taken) and maps nothing there, or the same tables already
 * (a span two VMAs share is offered twice). @src's entries stay as they
 * were until pmap_share_protect; the caller holds @src's address-space
 * lock from here to there. Returns 0; -EINVAL for bad arguments;
 * -ENOMEM when a table of @dst cannot be had, with the shares made so
 * far left in @dst for its teardown to drop.
 * Locking: takes @src->lock, then the pmm's. TLB: none needed (@dst is
 * new, @src unchanged).
 */
int pmap_share(struct pmap *dst, struct pmap *src, vaddr_t va, size_t len);

/*
 * Fork, second half: write-protect @pm's entries above the last-level
 * tables in [va, va + len) (span aligned) that pmap_share shared.
 * Locking: takes @pm->lock. TLB: adds each span it changes to @batch.
 */
void pmap_share_protect(struct pmap *pm, vaddr_t va, size_t len,
			struct tlb_batch *batch);

/*
 * Make every last-level table of @pm that maps part of [va, va + len)
 * (page aligned) private to @pm, ready for changes: a table still shared
 * is copied (the copy and the original both map every frame read-only,
 * each frame one more reference), one no longer shared gets its entry
 * made writable again. With @removing, a table whose whole span lies in
 * the range is left as it is: the caller removes all of the range next,
 * which drops the share without a copy. All copies are allocated before
 * any is made: -ENOMEM changes nothing. -EINVAL for bad arguments.
 * Locking: takes @pm->lock, then the pmm's.
 * TLB: adds every span it changes to @batch, and the table a copy
 * replaced has its share dropped only after the batch's flush; with
 * MMU_BBM_REQUIRED the old entry is flushed (tlb_batch_flush) before the
 * copy is linked.
 */
int pmap_unshare(struct pmap *pm, vaddr_t va, size_t len, bool removing,
		 struct tlb_batch *batch);

/*
 * The last share of the table @table was dropped (tlb_batch_end, after
 * the flush): release every frame it maps (one reference and one
 * mapcount each, freeing the frames whose last it was) and free it.
 * Returns the frames freed. Locking: no pmm lock held. TLB: no flush
 * needed (every pmap that linked it flushed before dropping its share).
 */
unsigned long pmap_table_release(struct page *table);

/*
 * Look up @va: 0 with *@pa (including the offset in the page) and *@prot
 * (MI flags, as the walk allows: no VM_WRITE below a write-protected
 * table, which PMAP_PROT_COW_TABLE then reports), or -ENOENT if nothing
 * is mapped, with *@prot set to PMAP_PROT_COW_TABLE or 0 (either pointer
 * may be NULL). Locking: takes @pm->lock. TLB: none.
 */
int pmap_extract(struct pmap *pm, vaddr_t va, paddr_t *pa, unsigned int *prot);

/*
 * Map / unmap kernel pages (global, in every address space). pmap_kenter
 * never replaces a different leaf (-EEXIST); errors as pmap_enter.
 * Locking: the kernel pmap's lock. TLB: kenter needs no flush; kremove
 * adds to @batch, which must be a batch of pmap_kernel().
 */
int pmap_kenter(vaddr_t va, paddr_t pa, unsigned int prot);
void pmap_kremove(vaddr_t va, size_t len, struct tlb_batch *batch);

/*
 * Make @pm this CPU's user address space through the coherence layer
 * (tlb_switch_to: publish, catch up by generation); for pmap_kernel(),
 * load the kernel root now (no lazy mode: callers of this mean it).
 * The tag comes from the ASID layer (<smp/asid.h>).
 * Locking: none (disables interrupts itself). TLB: flushes locally.
 */
void pmap_activate(struct pmap *pm);

#endif
