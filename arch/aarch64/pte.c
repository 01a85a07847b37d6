/*
 * The aarch64 PTE codec: MI flags <-> VMSAv8-64 stage-1 descriptors with a
 * 4 KiB granule. Pure C: no instructions, so the host test bed links it
 * unchanged.
 *
 * Permissions: AP[2] clear = writable, AP[1] set = EL0 may access. A user
 * leaf is never executable at EL1 (PXN) and a kernel leaf never at EL0
 * (UXN). Kernel leaves are global (nG = 0); user leaves carry the ASID.
 */
#include <mm/mmu.h>
#include <machine/pte.h>
#include <machine/vmsa.h>

#define MAIR_SLOT(idx)	((MAIR_EL1_VALUE >> (8 * (idx))) & 0xff)
_Static_assert(MAIR_SLOT(A64_ATTR_DEVICE) == 0x00 &&
	       MAIR_SLOT(A64_ATTR_NORMAL) == 0xff &&
	       MAIR_SLOT(A64_ATTR_NORMAL_NC) == 0x44,
	       "AttrIndx slots disagree with the boot code's MAIR_EL1");

mmu_pte_t mmu_pte_make_table(paddr_t table_pa, unsigned int level)
{
	/* APTable / XNTable stay 0: the leaf alone decides permissions. */
	return (table_pa & A64_DESC_ADDR) | A64_DESC_VALID | A64_DESC_TABLE;
}

mmu_pte_t mmu_pte_table_protect(mmu_pte_t pte, unsigned int level,
				bool writable)
{
	return writable ? pte & ~A64_APTABLE_RO : pte | A64_APTABLE_RO;
}

bool mmu_pte_table_writable(mmu_pte_t pte, unsigned int level)
{
	return !(pte & A64_APTABLE_RO);
}

static mmu_pte_t attr_bits(unsigned int flags)
{
	switch (flags & VM_CACHE_MASK) {
	case VM_CACHE_UC:
		return (mmu_pte_t)A64_ATTR_NORMAL_NC << A64_ATTRIDX_SHIFT;
	case VM_CACHE_DEVICE:
		return (mmu_pte_t)A64_ATTR_DEVICE << A64_ATTRIDX_SHIFT;
	default:
		return (mmu_pte_t)A64_ATTR_NORMAL << A64_ATTRIDX_SHIFT;
	}
}

mmu_pte_t mmu_pte_make_leaf(paddr_t pa, unsigned int flags, unsigned int level)
{
	mmu_pte_t pte = (pa & A64_DESC_ADDR) | attr_bits(flags) |
			A64_SH_INNER | A64_AF;

	pte |= level == 0 ? A64_DESC_PAGE : A64_DESC_BLOCK;
	if (!(flags & VM_WRITE))
		pte |= A64_AP_RO;
	if (!(flags & VM_GLOBAL))
		pte |= A64_NG;
	if (flags & VM_USER)
		pte |= A64_AP_EL0 | A64_PXN | ((flags & VM_EXEC) ? 0 : A64_UXN);
	else
		pte |= A64_UXN | ((flags & VM_EXEC) ? 0 : A64_PXN);
	return pte;
}

bool mmu_pte_is_valid(mmu_pte_t pte, unsigned int level)
{
	/* 0b01 is reserved at Arm level 3 (MI 0) and at Arm level 0 (MI 3,
	 * no 512 GiB blocks): the hardware treats it as a translation fault. */
	if (level == 0 || !(MMU_LEAF_LEVELS >> level & 1u))
		return (pte & A64_DESC_TYPE_MASK) == A64_DESC_PAGE;
	return (pte & A64_DESC_VALID) != 0;
}

bool mmu_pte_is_leaf(mmu_pte_t pte, unsigned int level)
{
	if (!mmu_pte_is_valid(pte, level))
		return false;
	return level == 0 || (pte & A64_DESC_TYPE_MASK) == A64_DESC_BLOCK;
}

paddr_t mmu_pte_paddr(mmu_pte_t pte, unsigned int level)
{
	mmu_pte_t addr = pte & A64_DESC_ADDR;

	if (level > 0 && mmu_pte_is_leaf(pte, level))
		addr &= ~((1ULL << mmu_level_shift(level)) - 1);
	return addr;
}

unsigned int mmu_pte_flags(mmu_pte_t pte, unsigned int level)
{
	unsigned int flags = VM_READ;
	bool user = (pte & A64_AP_EL0) != 0;

	if (!(pte & A64_AP_RO))
		flags |= VM_WRITE;
	if (user)
		flags |= VM_USER;
	if (!(pte & A64_NG))
		flags |= VM_GLOBAL;
	if (!(pte & (user ? A64_UXN : A64_PXN)))
		flags |= VM_EXEC;
	switch ((pte & A64_ATTRIDX_MASK) >> A64_ATTRIDX_SHIFT) {
	case A64_ATTR_NORMAL_NC:
		flags |= VM_CACHE_UC;
		break;
	case A64_ATTR_DEVICE:
		flags |= VM_CACHE_DEVICE;
		break;
	default:
		break;
	}
	return flags;
}
