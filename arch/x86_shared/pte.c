/*
 * The x86 PTE codec: MI flags <-> 64-bit paging-structure entries, for
 * 4-level paging (x86_64) and PAE (i686). Pure C: no instructions, so the
 * host test bed links it unchanged.
 *
 * Cache modes use the power-on PAT (IA32_PAT = 0x0007040600070406):
 * PWT|PCD = 00 WB, 10 UC- (normal memory, uncached), 11 UC (device).
 * Bit 7 is PS above level 0 and PAT at level 0; leaves never set PAT.
 */
#include <mm/mmu.h>
#include <machine/pte.h>

/* PAE PDPTEs (the root of 3-level paging) allow only P, PWT, PCD and the
 * address: RW/US/A/NX there are reserved and fault at CR3 load. */
#define X86_PDPTE_ONLY	(MMU_LEVELS == 3)

static mmu_pte_t x86_nx_bit = X86_PTE_NX;

void x86_pte_set_nx(bool supported)
{
	x86_nx_bit = supported ? X86_PTE_NX : 0;
}

static bool is_pae_root(unsigned int level)
{
	return X86_PDPTE_ONLY && level == MMU_LEVELS - 1;
}

mmu_pte_t mmu_pte_make_table(paddr_t table_pa, unsigned int level)
{
	if (is_pae_root(level))
		return (table_pa & X86_PTE_ADDR) | X86_PTE_P;
	/* Tables grant everything; the leaf alone decides (the CPU ANDs the
	 * RW/US bits and ORs NX along the walk). */
	return (table_pa & X86_PTE_ADDR) | X86_PTE_P | X86_PTE_RW | X86_PTE_US |
	       X86_PTE_A;
}

/* RW of a PDE / PDPTE / PML4E: the CPU ANDs it along the walk, so a
 * read-only table entry makes every page below it read-only (CR0.WP
 * makes that hold for the kernel too). Never a PAE root entry. */
mmu_pte_t mmu_pte_table_protect(mmu_pte_t pte, unsigned int level,
				bool writable)
{
	return writable ? pte | X86_PTE_RW : pte & ~X86_PTE_RW;
}

bool mmu_pte_table_writable(mmu_pte_t pte, unsigned int level)
{
	return is_pae_root(level) || (pte & X86_PTE_RW) != 0;
}

static mmu_pte_t cache_bits(unsigned int flags)
{
	switch (flags & VM_CACHE_MASK) {
	case VM_CACHE_UC:
		return X86_PTE_PCD;
	case VM_CACHE_DEVICE:
		return X86_PTE_PCD | X86_PTE_PWT;
	default:
		return 0;
	}
}

mmu_pte_t mmu_pte_make_leaf(paddr_t pa, unsigned int flags, unsigned int level)
{
	mmu_pte_t pte = (pa & X86_PTE_ADDR) | X86_PTE_P | cache_bits(flags);

	/* A and D preset: the CPU would otherwise set them with a locked
	 * read-modify-write of the entry on first access. */
	pte |= X86_PTE_A;
	if (flags & VM_WRITE)
		pte |= X86_PTE_RW | X86_PTE_D;
	if (flags & VM_USER)
		pte |= X86_PTE_US;
	if (flags & VM_GLOBAL)
		pte |= X86_PTE_G;
	if (!(flags & VM_EXEC))
		pte |= x86_nx_bit;
	if (level > 0)
		pte |= X86_PTE_PS;
	return pte;
}

bool mmu_pte_is_valid(mmu_pte_t pte, unsigned int level)
{
	return (pte & X86_PTE_P) != 0;
}

bool mmu_pte_is_leaf(mmu_pte_t pte, unsigned int level)
{
	if (!(pte & X86_PTE_P))
		return false;
	/* PS is reserved where no leaf may sit (PML4E, PAE PDPTE). */
	return level == 0 ||
	       ((MMU_LEAF_LEVELS >> level & 1u) && (pte & X86_PTE_PS));
}

paddr_t mmu_pte_paddr(mmu_pte_t pte, unsigned int level)
{
	mmu_pte_t addr = pte & X86_PTE_ADDR;

	/* A large leaf's bit 12 is its PAT bit, not an address bit. */
	if (level > 0 && mmu_pte_is_leaf(pte, level))
		addr &= ~((1ULL << mmu_level_shift(level)) - 1);
	return addr;
}

unsigned int mmu_pte_flags(mmu_pte_t pte, unsigned int level)
{
	unsigned int flags = VM_READ;

	if (pte & X86_PTE_RW)
		flags |= VM_WRITE;
	if (pte & X86_PTE_US)
		flags |= VM_USER;
	if (pte & X86_PTE_G)
		flags |= VM_GLOBAL;
	if (!(pte & x86_nx_bit))	/* no NX support: all executable */
		flags |= VM_EXEC;
	if ((pte & (X86_PTE_PCD | X86_PTE_PWT)) == (X86_PTE_PCD | X86_PTE_PWT))
		flags |= VM_CACHE_DEVICE;
	else if (pte & X86_PTE_PCD)
		flags |= VM_CACHE_UC;
	return flags;
}
