/*
 * Suite mmu_codec: the arch's PTE codec against the MI contract of
 * <mm/mmu.h>. Pure functions, so it runs the same on every guest and in
 * each host build (x86_64, i686 PAE and aarch64 codecs).
 */
#include <mm/mmu.h>
#include <ktest/ktest.h>
#include <ktest/ktest_mm.h>

#define TOP	(MMU_LEVELS - 1)

static const unsigned int prot_cases[] = {
	VM_READ,
	VM_READ | VM_WRITE,
	VM_READ | VM_EXEC,
	VM_READ | VM_WRITE | VM_EXEC,
	VM_READ | VM_USER,
	VM_READ | VM_WRITE | VM_USER,
	VM_READ | VM_EXEC | VM_USER,
	VM_READ | VM_WRITE | VM_EXEC | VM_USER,
	VM_READ | VM_GLOBAL,
	VM_READ | VM_WRITE | VM_EXEC | VM_GLOBAL,
	VM_READ | VM_WRITE | VM_CACHE_UC,
	VM_READ | VM_WRITE | VM_CACHE_DEVICE,
	VM_READ | VM_USER | VM_CACHE_UC,
	VM_READ | VM_WRITE | VM_GLOBAL | VM_CACHE_DEVICE,
};

/* Physical addresses at every alignment the levels need, up to 40 bits
 * (inside both x86's 52-bit and arm64's 48-bit output range). */
static const paddr_t pa_cases[] = {
	0, 0x40000000ULL, 0xffc0000000ULL, 0x80000000ULL, 0x123400000ULL,
};

static bool leaf_level(unsigned int level)
{
	return (MMU_LEAF_LEVELS >> level) & 1u;
}

static void leaf_round_trip(struct ktest *t)
{
	for (unsigned int level = 0; level < MMU_LEVELS; level++) {
		paddr_t align = (paddr_t)1 << mmu_level_shift(level);

		if (!leaf_level(level))
			continue;
		for (unsigned int i = 0; i < ARRAY_SIZE(pa_cases); i++) {
			paddr_t pa = pa_cases[i] & ~(align - 1);

			for (unsigned int j = 0; j < ARRAY_SIZE(prot_cases); j++) {
				unsigned int f = prot_cases[j];
				mmu_pte_t pte = mmu_pte_make_leaf(pa, f, level);

				KEXPECT_TRUE(t, mmu_pte_is_valid(pte, level));
				KEXPECT_TRUE(t, mmu_pte_is_leaf(pte, level));
				KEXPECT_EQ(t, mmu_pte_paddr(pte, level), pa);
				KEXPECT_EQ(t, mmu_pte_flags(pte, level),
					    ktest_flags_as_mapped(f));
			}
		}
	}
}

static void read_is_implied(struct ktest *t)
{
	mmu_pte_t pte = mmu_pte_make_leaf(0x5000, VM_WRITE, 0);

	KEXPECT_EQ(t, mmu_pte_flags(pte, 0),
		    ktest_flags_as_mapped(VM_READ | VM_WRITE));
}

static void table_round_trip(struct ktest *t)
{
	for (unsigned int level = 1; level < MMU_LEVELS; level++) {
		for (unsigned int i = 0; i < ARRAY_SIZE(pa_cases); i++) {
			paddr_t pa = pa_cases[i] | 0x7000;
			mmu_pte_t pte = mmu_pte_make_table(pa, level);

			KEXPECT_TRUE(t, mmu_pte_is_valid(pte, level));
			KEXPECT_FALSE(t, mmu_pte_is_leaf(pte, level));
			KEXPECT_EQ(t, mmu_pte_paddr(pte, level), pa);
		}
	}
}

static void invalid_entries(struct ktest *t)
{
	for (unsigned int level = 0; level < MMU_LEVELS; level++) {
		KEXPECT_FALSE(t, mmu_pte_is_valid(MMU_PTE_INVALID, level));
		KEXPECT_FALSE(t, mmu_pte_is_leaf(MMU_PTE_INVALID, level));
	}
}

/* A 4 KiB leaf read one level up is a table pointer, never a block: the
 * walker relies on levels being decoded with their own rules. */
static void levels_decode_apart(struct ktest *t)
{
	mmu_pte_t pte = mmu_pte_make_leaf(0x200000, VM_READ | VM_WRITE, 0);

	KEXPECT_FALSE(t, mmu_pte_is_leaf(pte, 1));
}

static void geometry(struct ktest *t)
{
	unsigned int root_bits = MMU_VA_BITS - mmu_level_shift(TOP);

	KEXPECT_EQ(t, mmu_level_shift(0), MMU_PAGE_SHIFT);
	KEXPECT_EQ(t, mmu_level_entries(0), MMU_PTES_PER_TABLE);
	KEXPECT_EQ(t, mmu_level_entries(TOP), 1u << root_bits);
	KEXPECT_EQ(t, mmu_level_index(MMU_USER_VA_END - 1, 0),
		   MMU_PTES_PER_TABLE - 1);
	KEXPECT_EQ(t, mmu_level_index(MMU_KERNEL_VA_LAST, TOP),
		   mmu_level_entries(TOP) - 1);
	KEXPECT_LT(t, mmu_level_index(MMU_USER_VA_END - 1, TOP),
		   mmu_level_entries(TOP));
	KEXPECT_LE(t, mmu_asid_bits(), MMU_ASID_BITS_MAX);
}

KTEST_SUITE(mmu_codec,
	    KTEST_CASE(leaf_round_trip),
	    KTEST_CASE(read_is_implied),
	    KTEST_CASE(table_round_trip),
	    KTEST_CASE(invalid_entries),
	    KTEST_CASE(levels_decode_apart),
	    KTEST_CASE(geometry));
