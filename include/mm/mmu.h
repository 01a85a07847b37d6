/*
 * The machine-dependent MMU contract, pmap style: everything the MI page
 * table walker (mm/pmap.c) needs from an architecture, and nothing more.
 *
 * Levels are numbered from the bottom: level 0 tables hold 4 KiB page
 * entries, level MMU_LEVELS - 1 is the root. An entry at level l maps or
 * points at 1 << mmu_level_shift(l) bytes of VA.
 *
 * Three parts:
 *   - geometry constants from <machine/mmu.h>, checked once below;
 *   - the PTE codec: pure C per arch (arch/x86_shared/pte.c serves x86_64
 *     and i686 PAE, arch/aarch64/pte.c the 4 KiB granule), host-testable;
 *   - the operations that need instructions (entry stores, barriers, root
 *     switches, TLB invalidation), implemented by each arch port in asm or
 *     inline asm, and by tests/host/sim for the host build.
 *
 * Setting up a new root is MI (pmap_create) and follows the geometry:
 * MMU_SEPARATE_KERNEL_ROOT says whether user roots carry the kernel half,
 * MMU_ROOT_PREALLOC whether every root slot must hold a table from the start.
 */
#ifndef MM_MMU_H
#define MM_MMU_H

#include <kern/types.h>
#include <machine/mmu.h>

typedef uint64_t mmu_pte_t;		/* one entry, 64-bit on every arch */

/* MI mapping flags: what pmap callers ask for, never hardware bits. */
#define VM_READ			0x01u
#define VM_WRITE		0x02u
#define VM_EXEC			0x04u
#define VM_USER			0x08u	/* accessible from user mode */
#define VM_GLOBAL		0x10u	/* same in every address space (kernel) */
#define VM_CACHE_MASK		0x60u
#define VM_CACHE_WB		0x00u	/* normal memory, write-back */
#define VM_CACHE_UC		0x20u	/* normal memory, uncached */
#define VM_CACHE_DEVICE		0x40u	/* device registers: no merging or speculation */
#define VM_PROT_MASK		(VM_READ | VM_WRITE | VM_EXEC)

#define MMU_PTE_INVALID		((mmu_pte_t)0)	/* invalid on every arch */

/*
 * The first pages of the kernel mapping window belong to ktest suites
 * (fixed VAs they map and unmap); allocators start after them. In use:
 * 0 tlb_stale, 1 shootdown, 15 tlbi_broadcast (aarch64).
 */
#define MMU_KMAP_TEST_PAGES	16
#define MMU_PTES_PER_TABLE	(1u << MMU_LEVEL_BITS)

/* --- Geometry checks: the one place that validates <machine/mmu.h> ---- */

_Static_assert(MMU_PAGE_SHIFT == 12, "pmm and pmap assume 4 KiB pages");
_Static_assert(MMU_KMAP_BASE >= MMU_KERNEL_VA_BASE &&
	       MMU_KMAP_BASE - 1 + MMU_KMAP_SIZE <= MMU_KERNEL_VA_LAST &&
	       MMU_KMAP_SIZE % (1UL << MMU_PAGE_SHIFT) == 0 &&
	       MMU_KMAP_SIZE >> MMU_PAGE_SHIFT > MMU_KMAP_TEST_PAGES,
	       "the kernel mapping window lies in the kernel half");
_Static_assert(MMU_LEVEL_BITS == MMU_PAGE_SHIFT - 3,
	       "a table is one page of 64-bit entries");
_Static_assert(MMU_LEVELS >= 2 && MMU_LEVELS <= 4,
	       "the walker sizes its per-level arrays for at most 4 levels");
_Static_assert(MMU_VA_BITS > MMU_PAGE_SHIFT + (MMU_LEVELS - 1) * MMU_LEVEL_BITS &&
	       MMU_VA_BITS <= MMU_PAGE_SHIFT + MMU_LEVELS * MMU_LEVEL_BITS,
	       "the root level must translate at least one VA bit");
_Static_assert(MMU_VA_BITS <= 8 * sizeof(vaddr_t), "VA wider than vaddr_t");
_Static_assert((MMU_LEAF_LEVELS & 1u) && MMU_LEAF_LEVELS < (1u << MMU_LEVELS),
	       "4 KiB leaves must exist and the root cannot map memory");
_Static_assert(MMU_USER_VA_END <= MMU_KERNEL_VA_BASE &&
	       MMU_KERNEL_VA_BASE < MMU_KERNEL_VA_LAST,
	       "user and kernel halves must not overlap");
_Static_assert(MMU_SEPARATE_KERNEL_ROOT ||
	       (MMU_KERNEL_VA_BASE & ((1ULL << (MMU_PAGE_SHIFT + (MMU_LEVELS - 1) *
					       MMU_LEVEL_BITS)) - 1)) == 0,
	       "a shared kernel half must start on a root-slot boundary");
_Static_assert((MMU_SEPARATE_KERNEL_ROOT | MMU_ROOT_PREALLOC | MMU_BBM_REQUIRED |
		MMU_HAS_BROADCAST_TLBI | MMU_ASID_PER_CPU |
		MMU_UPGRADE_LOCAL_ONLY | MMU_PTE_LOAD_ATOMIC) <= 1,
	       "geometry switches are 0 or 1");
_Static_assert(!MMU_ROOT_PREALLOC ||
	       MMU_VA_BITS - MMU_PAGE_SHIFT -
	       (MMU_LEVELS - 1) * MMU_LEVEL_BITS <= 2,
	       "root preallocation is meant for PAE's four PDPTEs");
_Static_assert(!MMU_HAS_BROADCAST_TLBI || !MMU_ASID_PER_CPU,
	       "broadcast invalidation by ASID needs global ASID names");
_Static_assert(MMU_ASID_BITS_MAX <= 16, "ASIDs are at most 16 bits");

/* VA bits below an entry at @level: 12, 21, 30, 39. */
static inline unsigned int mmu_level_shift(unsigned int level)
{
	return MMU_PAGE_SHIFT + level * MMU_LEVEL_BITS;
}

/* Entries in a table of @level (the root may be smaller: PAE has 4). */
static inline unsigned int mmu_level_entries(unsigned int level)
{
	unsigned int bits = MMU_VA_BITS - mmu_level_shift(level);

	return bits >= MMU_LEVEL_BITS ? MMU_PTES_PER_TABLE : 1u << bits;
}

/* Index of @va in a table of @level. Upper (sign) bits are ignored. */
static inline unsigned int mmu_level_index(vaddr_t va, unsigned int level)
{
	return (unsigned int)(va >> mmu_level_shift(level)) &
	       (mmu_level_entries(level) - 1);
}

/* --- PTE codec: pure functions, per arch ---------------------------- */

/* An entry at @level (>= 1) pointing at the table at @table_pa. */
mmu_pte_t mmu_pte_make_table(paddr_t table_pa, unsigned int level);

/*
 * The table entry @pte (at @level >= 1, below the root) with writes to
 * every page under it allowed or forbidden, whatever the leaves say
 * (x86 RW, arm64 APTable[1]). Page-table sharing write-protects the
 * entry above a shared table so the first write in its span faults.
 */
mmu_pte_t mmu_pte_table_protect(mmu_pte_t pte, unsigned int level,
				bool writable);

/* Does the table entry @pte (at @level >= 1) let writes through? */
bool mmu_pte_table_writable(mmu_pte_t pte, unsigned int level);

/*
 * A leaf at @level mapping @pa (aligned to the level's size) with MI
 * @flags. Requires MMU_LEAF_LEVELS bit @level; VM_READ is implied: no
 * supported MMU has write-only or execute-only user pages.
 */
mmu_pte_t mmu_pte_make_leaf(paddr_t pa, unsigned int flags, unsigned int level);

/* Does @pte, found at @level, take part in translation? */
bool mmu_pte_is_valid(mmu_pte_t pte, unsigned int level);

/* Is @pte a valid page / block mapping (rather than a table pointer)? */
bool mmu_pte_is_leaf(mmu_pte_t pte, unsigned int level);

/* Output address of a leaf or the address of the next table. */
paddr_t mmu_pte_paddr(mmu_pte_t pte, unsigned int level);

/* MI flags of a valid leaf (VM_READ always set). */
unsigned int mmu_pte_flags(mmu_pte_t pte, unsigned int level);

/* --- Entry stores and barriers (arch asm; host: tests/host/sim) ------ */

/*
 * Write @pte to @slot as one single-copy-atomic 64-bit store, so a hardware
 * walker on any CPU sees the old or the new entry, never half of each
 * (i686 PAE included: cmpxchg8b or an SSE/x87 64-bit store).
 * Locking: the caller holds the owning pmap's lock.
 * TLB: none; the caller invalidates what the old entry may have cached.
 */
void mmu_pte_store(mmu_pte_t *slot, mmu_pte_t pte);

/*
 * Order every earlier entry store before whatever follows, as seen by the
 * hardware walkers of all CPUs: `dsb ishst; isb` on arm64 (the DSB before
 * a TLBI or before linking a freshly filled table; the ISB so the next
 * access cannot fault spuriously on a new mapping), a compiler barrier on
 * x86 (TSO).
 */
void mmu_pte_publish(void);

/* --- Roots ------------------------------------------------------------ */

/*
 * Switch this CPU's user translation to the root at @root_pa tagged @asid
 * (CR3 with PCID / TTBR0_EL1 with ASID). With @flush, entries tagged @asid
 * are invalidated first, for a tag reused from another address space.
 * Every memory access before the call is complete (visible to all CPUs)
 * before the first walk of the new root: the scheduler publishes which
 * root a CPU runs just before, and shootdowns rely on that order (x86: a
 * CR3 write is serialising; arm64: DSB ISH).
 * Locking: interrupts off (the CPU must not migrate halfway).
 * TLB: flushes locally if @flush (untagged CPUs flush on every switch).
 */
void mmu_root_activate(paddr_t root_pa, unsigned int asid, bool flush);

/*
 * Drop the user translation: x86 loads the kernel pmap's root, arm64 stops
 * TTBR0 walks. Used before a user pmap is destroyed while this CPU ran it.
 * Locking: interrupts off. TLB: no flush needed (nothing new is cached).
 */
void mmu_root_deactivate(void);

/* --- CPU-local TLB invalidation -------------------------------------- */

/*
 * Invalidate this CPU's entries for the page at @va tagged @asid, and any
 * global entry for @va (and the walk-cache entries that lead to @va: arm64
 * uses TLBI VAE1, not VALE1, because pmap frees emptied tables after a
 * by-VA flush). Completes before returning (dsb nsh + isb on arm64).
 * Locking: none. TLB: flushes locally.
 */
void mmu_tlb_flush_page_local(unsigned int asid, vaddr_t va);

/* Invalidate this CPU's non-global entries tagged @asid.
 * TLB: flushes locally. */
void mmu_tlb_flush_asid_local(unsigned int asid);

/* Invalidate every entry of this CPU, global ones included.
 * TLB: flushes locally. */
void mmu_tlb_flush_all_local(void);

#if MMU_HAS_BROADCAST_TLBI
/*
 * The same three, reaching every CPU of the inner-shareable domain (arm64
 * TLBI ...IS + DSB ISH). Declared only where the hardware has them; used
 * by the SMP layer's tlb=broadcast policy. TLB: flushes on every CPU.
 */
void mmu_tlb_flush_page_broadcast(unsigned int asid, vaddr_t va);
void mmu_tlb_flush_asid_broadcast(unsigned int asid);
void mmu_tlb_flush_all_broadcast(void);
#endif

/*
 * Width of the ASID/PCID tags this CPU honours: arm64 8 or 16, x86_64 12
 * with PCID (never under TCG), else 0 (untagged: every switch flushes).
 */
unsigned int mmu_asid_bits(void);

#endif
