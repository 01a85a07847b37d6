/*
 * Address spaces: a user pmap plus a sorted list of VMAs (virtual memory
 * areas), each a page-aligned range [start, end) with one protection.
 * Only anonymous memory exists: pages appear on demand (vm_fault). In
 * private mappings reads share one zero page and fork shares frames
 * copy-on-write; shared mappings (MAP_SHARED | MAP_ANONYMOUS) get a frame
 * on any first touch and fork maps the same frames in the child.
 *
 * Rules every operation follows:
 *  - Atomic under allocation failure: everything an operation needs (VMA
 *    nodes for splits, frames, page tables) is reserved before anything
 *    changes, so -ENOMEM leaves the VMAs, the page tables and the free
 *    frame count exactly as they were.
 *  - Page-table changes go through a tlb_batch, and a frame's reference is
 *    dropped only after tlb_batch_end: a frame is never reused (by the pmm,
 *    or in place by a copy-on-write fault in another space) while a TLB may
 *    still translate to it.
 *  - One batch per operation: munmap, mprotect, madvise, a fixed mmap over
 *    pages, fork's write-protect and the teardown each end in exactly one
 *    tlb_batch_end, however many pages and VMAs they cover (the frames'
 *    references are deferred in that batch); how many shootdown rounds
 *    that costs is the TLB policy's business. The exception: out of memory
 *    for the batch's reference chunks, it flushes early (tlb_batch_defer_put).
 *  - Each mapped frame holds one reference per page table that maps it
 *    (struct page refcount): one per address space, except that a table
 *    shared by fork (vm.fork=share) holds one for all its sharers. The
 *    zero page is never counted.
 *  - Before a change to a range whose page tables fork shared, the
 *    operation makes them private (pmap_unshare), inside its reservation:
 *    so -ENOMEM from there still changes nothing.
 *
 * Errors follow Linux's mmap/munmap/mprotect (see each function).
 */
#ifndef MM_VM_H
#define MM_VM_H

#include <kern/compiler.h>
#include <kern/spinlock.h>
#include <kern/types.h>
#include <mm/mmu.h>

struct pmap;

/* vm_map flags: Linux's MAP_* values (x86 and the generic ABI). */
#define VM_MAP_SHARED		0x01u
#define VM_MAP_PRIVATE		0x02u
#define VM_MAP_FIXED		0x10u
#define VM_MAP_ANONYMOUS	0x20u

/* VMA flags */
#define VMA_ANON		0x1u	/* backed by zero-filled frames */
#define VMA_PRIVATE		0x2u	/* copy-on-write across fork */
#define VMA_SHARED		0x4u	/* the same frames after fork */

/* Lowest address vm_map hands out or accepts (Linux's mmap_min_addr). */
#define VM_MAP_MIN		0x10000UL
/* Where the search for a free range starts (the legacy TASK_SIZE / 3). */
#define VM_MAP_BASE		ALIGN_DOWN(MMU_USER_VA_END / 3, 1UL << 21)

struct vma {
	struct vma *next;	/* circular, sorted by start, through the */
	struct vma *prev;	/* vm_space's sentinel */
	vaddr_t start;		/* first byte, page aligned */
	vaddr_t end;		/* one past the last byte, page aligned */
	unsigned int prot;	/* VM_READ | VM_WRITE | VM_EXEC, maybe none */
	unsigned int flags;	/* VMA_ANON | VMA_PRIVATE */
};

struct vm_space {
	struct spinlock lock;	/* the VMA list and every change to pmap */
	struct pmap *pmap;
	struct vma vmas;	/* sentinel: vmas.next is the lowest VMA */
	unsigned long nvmas;
};

/* Walk @vs's VMAs in address order. The caller holds @vs->lock, or owns
 * @vs outright (tests, a space being built or torn down). */
#define vm_space_for_each_vma(vs, v)					\
	for ((v) = (vs)->vmas.next; (v) != &(vs)->vmas; (v) = (v)->next)

/*
 * Allocate the zero page shared by every read fault. Idempotent; vm_space
 * creation calls it too, so boot code only calls it to take the frame
 * before anything measures pmm_free_count(). Returns 0 or -ENOMEM.
 * Locking: none (a compare-and-swap publishes the frame). TLB: none.
 */
int vm_init(void);

/* The zero page's frame (NULL before vm_init succeeded). */
struct page *vm_zero_page(void);

/*
 * A new, empty address space with its own pmap, or NULL when memory runs
 * out (having freed what it took). Locking: none. TLB: no flush needed.
 */
struct vm_space *vm_space_create(void);

/*
 * Unmap every VMA, drop the frames' references (freeing the last ones
 * after the flush), free the VMA nodes, the page tables and @vs. The
 * space must not be active on any CPU nor reachable by anyone else.
 * Locking: none of @vs's (the caller owns it); takes pmap and pmm locks.
 * TLB: one batch (pmap_destroy_release) flushes @vs's whole ASID before
 * any frame or table is freed.
 */
void vm_space_destroy(struct vm_space *vs);

/*
 * mmap for anonymous memory, private or shared: map @len bytes (rounded up to pages)
 * with @prot, at @addr exactly with VM_MAP_FIXED (replacing whatever is
 * there, as an unmap would), else at @addr if that range is free, else at
 * the first free range from VM_MAP_BASE (then from VM_MAP_MIN). Pages
 * appear on first touch. Adjacent VMAs with equal prot and flags merge.
 * On success *@out is the start. Errors: -EINVAL for a zero @len, unknown
 * @prot or @flags bits, flags without VM_MAP_ANONYMOUS or without exactly
 * one of VM_MAP_PRIVATE and VM_MAP_SHARED,
 * or an unaligned fixed @addr; -EPERM for a fixed range below VM_MAP_MIN;
 * -ENOMEM when the range leaves the user half, no free range is large
 * enough, or memory runs out (then nothing changed).
 * Locking: takes @vs->lock. TLB: a fixed map over pages adds them to one
 * batch and flushes it before their frames are released.
 */
int vm_map(struct vm_space *vs, vaddr_t addr, size_t len, unsigned int prot,
	   unsigned int flags, vaddr_t *out);

/*
 * munmap: remove [addr, addr + len) (len rounded up to pages) from every
 * VMA it touches, splitting those that stick out. Unmapped parts are not
 * an error. Errors: -EINVAL for an unaligned @addr, a zero @len or a range
 * outside the user half; -ENOMEM if a split finds no memory (nothing
 * changed). Locking: takes @vs->lock. TLB: adds every VMA's pages to one
 * batch, flushes it, then drops the frames' references.
 */
int vm_unmap(struct vm_space *vs, vaddr_t addr, size_t len);

/*
 * mprotect: set @prot on [addr, addr + len) (len rounded up to pages),
 * splitting and merging VMAs. Stricter than Linux: with a hole anywhere in
 * the range nothing changes (Linux changes the part before the hole).
 * Mapped pages keep their frames; write permission is granted again by a
 * write fault, which is where copy-on-write is decided. Removing every
 * permission (prot 0) drops the pages (limitation: the pmap has no
 * inaccessible-but-present entries), so their contents read back as zero.
 * Errors: -EINVAL for an unaligned @addr or unknown @prot bits; -ENOMEM
 * for a range leaving the user half or containing unmapped pages, or when
 * memory runs out (nothing changed). A zero @len succeeds doing nothing.
 * Locking: takes @vs->lock. TLB: adds every VMA's pages to one batch and
 * flushes it (then drops the references of pages prot 0 removed).
 */
int vm_protect(struct vm_space *vs, vaddr_t addr, size_t len,
	       unsigned int prot);

/*
 * madvise(MADV_DONTNEED): drop the pages of [addr, addr + len) (len
 * rounded up to pages), so the next access sees zero-filled memory; the
 * VMAs stay. Errors: -EINVAL for an unaligned @addr, a range outside the
 * user half, or one touching a shared mapping (there is no object behind
 * it to fault the contents back from, as Linux would), -ENOMEM if part of the range is not mapped (nothing changed).
 * A zero @len succeeds doing nothing. Nothing is allocated.
 * Locking: takes @vs->lock. TLB: adds to one batch and flushes it before
 * the frames' references are dropped.
 */
int vm_discard(struct vm_space *vs, vaddr_t addr, size_t len);

/*
 * Resolve a fault at @va for @access (one of VM_READ, VM_WRITE, VM_EXEC):
 * demand-zero (the zero page read-only for reads and execution, a zeroed
 * frame for writes), or copy-on-write (the frame reused in place when this
 * space holds its only reference, else copied). Returns 0 (also when the
 * entry already allows @access: another CPU resolved the fault first),
 * -EFAULT when no VMA covers @va or its prot forbids @access (the caller
 * kills the process), -EINVAL for any other @access, -ENOMEM when no frame
 * or page table is available (nothing changed).
 * Locking: takes @vs->lock. TLB: replacing an entry adds it to a batch
 * that is flushed before the old frame's reference is dropped.
 */
int vm_fault(struct vm_space *vs, vaddr_t va, unsigned int access);

/*
 * fork: a new space with a copy of @parent's VMAs, sharing every mapped
 * private frame copy-on-write. vm.fork=copy: one more reference each,
 * both sides' entries read-only. vm.fork=share: each last-level table
 * whose span holds no shared VMA is linked by both sides, write-protected
 * above (pmap_share); spans with a shared VMA are copied as in copy mode,
 * after the parent's tables there are made private (pmap_unshare). On
 * -ENOMEM @parent maps and sees exactly what it did and nothing leaked;
 * the one trace: tables of spans holding a shared VMA may have become
 * private copies (the same entries, freed with the space).
 * Locking: takes @parent->lock. TLB: one batch for the whole fork (the
 * parent's write-protect and any unsharing), flushed before returning;
 * the child's pmap is new (no flush).
 */
int vm_fork(struct vm_space *parent, struct vm_space **child);

/* How fork builds the child's page tables (boot parameter vm.fork). */
enum vm_fork_mode {
	VM_FORK_COPY,		/* enter every mapped page: O(resident pages) */
	VM_FORK_SHARE,		/* share last-level tables copy-on-write:
				 * O(tables); pmap.h "Page-table sharing" */
};

/*
 * Choose fork's mode from the vm.fork boot parameter's value @value
 * ("copy" or "share"; NULL: the default, share). A bad value prints what
 * was wrong and keeps the default. Locking: boot CPU, before any fork.
 * TLB: none.
 */
void vm_fork_configure(const char *value);

/* Set / read the mode (tests switch it around their forks). Spaces
 * forked under either mode work under both. Locking: none. TLB: none. */
void vm_fork_set_mode(enum vm_fork_mode mode);
enum vm_fork_mode vm_fork_mode(void);

/* --- Shared by mm/vm*.c only ------------------------------------------ */

/* Does a shared VMA overlap [s, e)? Locking: caller holds @vs->lock. */
bool vm_any_shared(struct vm_space *vs, vaddr_t s, vaddr_t e);

/* The VMA of @vs containing @va, or NULL. Locking: caller holds the lock. */
struct vma *vm_find_vma(struct vm_space *vs, vaddr_t va);

/* Entry permissions that make the first write fault: @prot without
 * VM_WRITE, readable at least (a leaf needs some permission). */
unsigned int vm_prot_read_only(unsigned int prot);

/* Append a copy of each of @src's VMAs to the empty @dst; -ENOMEM leaves
 * the copies made so far for vm_space_destroy(@dst) to free.
 * Locking: caller holds @src->lock and owns @dst. */
int vm_copy_vmas(struct vm_space *dst, struct vm_space *src);

#endif
