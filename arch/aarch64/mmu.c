/*
 * The aarch64 half of the MMU contract (<mm/mmu.h>): descriptor stores, the
 * barrier that publishes them to the table walkers, user roots in
 * TTBR0_EL1, and TLB maintenance.
 *
 * Two roots share the EL1&0 translation regime. TTBR1_EL1 holds the
 * kernel's (the boot tables, adopted by the kernel pmap, never switched);
 * its leaves are global (nG = 0): they match every ASID and survive a
 * by-ASID invalidation. TTBR0_EL1 holds the running user pmap's root, its
 * leaves tagged with the ASID in TTBR0_EL1[63:48] (TCR_EL1.A1 = 0), 8 or
 * 16 bits wide as TCR_EL1.AS says (set at boot, mmu_early.c). When no user
 * pmap runs, TCR_EL1.EPD0 = 1: a TLB miss below the kernel half faults
 * instead of walking TTBR0.
 *
 * Ordering rules used below (Arm ARM DDI 0487, B2.3 "Definition of the
 * Armv8 memory model" and D8 "TLB maintenance requirements"; Linux's
 * arch/arm64/include/asm/tlbflush.h follows the same ones):
 *  - a table walker is a separate observer: a descriptor store reaches it
 *    only once a DSB has completed the store. DMB is not enough: it orders
 *    memory accesses against each other, and TLBI is not a memory access;
 *  - a TLBI is complete, on this PE (plain form) or on every PE of the
 *    Inner Shareable domain (the IS form), only after a later DSB of that
 *    scope, NSH or ISH, completes;
 *  - an ISB then discards instructions already fetched (and translated)
 *    with the old entries, and makes a TTBR0/TCR write take effect.
 */
#include <kern/compiler.h>
#include <mm/mmu.h>
#include <machine/sysreg.h>
#include <machine/vmsa.h>

/* TLBI operand for the by-VA forms: VA[55:12] in bits [43:0] (bit 55
 * picks TTBR0 or TTBR1), ASID in [63:48]. */
static uint64_t tlbi_va(unsigned int asid, vaddr_t va)
{
	return ((va >> 12) & ((1ULL << 44) - 1)) |
	       (uint64_t)asid << TTBR_ASID_SHIFT;
}

#define tlbi(op)	__asm__ __volatile__("tlbi " #op ::: "memory")
#define tlbi_x(op, x)	__asm__ __volatile__("tlbi " #op ", %0" :: \
					     "r"(x) : "memory")

/*
 * A 64-bit STR to an aligned address is single-copy atomic (Arm ARM
 * B2.2.1), and every walker reads a descriptor with one single-copy-atomic
 * 64-bit load: it sees the old or the new entry, never a mix. Written in
 * asm so the compiler cannot split or merge the store.
 */
void mmu_pte_store(mmu_pte_t *slot, mmu_pte_t pte)
{
	__asm__ __volatile__("str %1, %0" : "=Q"(*slot) : "r"(pte) : "memory");
}

/*
 * DSB ISHST: every earlier store, descriptors included, is complete for
 * all observers of the Inner Shareable domain, every CPU's walker among
 * them, before any later instruction (a TLBI, the store that links a new
 * table, the cross-call that tells another CPU to invalidate) executes.
 * Stores suffice: walkers only read tables, and earlier loads need no
 * ordering against them. The ISB makes this CPU refetch the instructions
 * after it, so an access right after mapping a new kernel page cannot
 * use a translation looked up before the store was visible and take a
 * spurious translation fault (Linux's __set_pte does the same).
 */
void mmu_pte_publish(void)
{
	dsb(ishst);
	isb();
}

/*
 * Set or clear TCR_EL1.EPD0 (TTBR0 walks off / on), synchronised: after
 * the ISB no walk of this CPU uses the old value.
 */
static void ttbr0_walks(bool on)
{
	uint64_t tcr = read_sysreg(tcr_el1);
	uint64_t want = on ? tcr & ~TCR_EPD0 : tcr | TCR_EPD0;

	if (want == tcr)
		return;
	write_sysreg(tcr_el1, want);
	isb();
}

/*
 * With @flush, walks are stopped before the invalidation: if @asid is the
 * tag TTBR0 already carries (the previous pmap had it), a walk of the old
 * root between the TLBI and the TTBR0 write would refill @asid with the
 * old address space's entries. The new TTBR0 value is synchronised (ISB)
 * before walks resume, so no walk pairs the new tag with the old root.
 */
void mmu_root_activate(paddr_t root_pa, unsigned int asid, bool flush)
{
	bool walking = !(read_sysreg(tcr_el1) & TCR_EPD0);

	/* The contract's ordering: a DMB would not order the walks below
	 * after earlier stores (the scheduler's note of the new root). */
	dsb(ish);

	if (flush) {
		ttbr0_walks(false);
		mmu_tlb_flush_asid_local(asid);
	}
	write_sysreg(ttbr0_el1, (root_pa & TTBR_BADDR_MASK) |
		     (uint64_t)asid << TTBR_ASID_SHIFT);
	isb();
	if (flush || !walking)
		ttbr0_walks(true);
}

/*
 * TTBR0 keeps the old root and ASID: with walks off nothing new is cached
 * under it. Entries already cached for that ASID may still hit until it
 * is flushed, which pmap_destroy does before the tables are freed; only
 * the kernel runs here and it does not touch user addresses without a
 * pmap. (Loading a reserved ASID would hide them, but no ASID is reserved
 * yet, and QEMU flushes its whole TLB on any ASID change: PLATFORM.md.)
 */
void mmu_root_deactivate(void)
{
	ttbr0_walks(false);
}

/*
 * TLBI VAE1, not VALE1: the "last level" forms may keep walk-cache
 * entries for the tables above the page, and the pmap frees emptied
 * tables after this flush (tlb_batch_end), so walks must not be able to
 * reach them through a cached pointer afterwards. VAE1 also removes
 * global entries for @va, whatever @asid, which kernel mappings need.
 */
void mmu_tlb_flush_page_local(unsigned int asid, vaddr_t va)
{
	tlbi_x(vae1, tlbi_va(asid, va));
	dsb(nsh);
	isb();
}

void mmu_tlb_flush_asid_local(unsigned int asid)
{
	tlbi_x(aside1, (uint64_t)asid << TTBR_ASID_SHIFT);
	dsb(nsh);
	isb();
}

/* TLBI VMALLE1: every stage 1 EL1&0 entry of this CPU, global or not,
 * walk caches included. */
void mmu_tlb_flush_all_local(void)
{
	tlbi(vmalle1);
	dsb(nsh);
	isb();
}

/*
 * The IS forms are performed on every PE of the Inner Shareable domain
 * (all CPUs of this machine) and complete for all of them at this CPU's
 * DSB ISH: nothing else to wait for, no IPI. The caller has published
 * its table stores (mmu_pte_publish) so no other CPU's walker can refill
 * the old entry after the invalidation.
 */
void mmu_tlb_flush_page_broadcast(unsigned int asid, vaddr_t va)
{
	tlbi_x(vae1is, tlbi_va(asid, va));
	dsb(ish);
	isb();
}

void mmu_tlb_flush_asid_broadcast(unsigned int asid)
{
	tlbi_x(aside1is, (uint64_t)asid << TTBR_ASID_SHIFT);
	dsb(ish);
	isb();
}

void mmu_tlb_flush_all_broadcast(void)
{
	tlbi(vmalle1is);
	dsb(ish);
	isb();
}

/* What TCR_EL1.AS selected at boot, which ID_AA64MMFR0_EL1.ASIDBits
 * allowed: the width every CPU uses (they all copy the boot TCR). */
unsigned int mmu_asid_bits(void)
{
	return (read_sysreg(tcr_el1) & TCR_AS) ? 16 : 8;
}
