/*
 * Whole-page zero and copy for arm64: DC ZVA zeroes one block (the size
 * DCZID_EL0.BS gives, 64 bytes on most cores) per instruction without
 * reading it; the copy moves 64 bytes per iteration through pairs of
 * general registers (the kernel uses no FP/SIMD registers).
 */
#include <kern/types.h>
#include <mm/page.h>

#define DCZID_DZP	(1u << 4)	/* DC ZVA prohibited */
#define DCZID_BS_MASK	0xfu		/* log2 of the block in 4-byte words */

/* Bytes one DC ZVA zeroes, or 0 where it may not be used. */
static unsigned long zva_block(void)
{
	static unsigned long block = ~0UL;
	unsigned long dczid;

	if (block != ~0UL)
		return block;
	__asm__ volatile("mrs %0, dczid_el0" : "=r"(dczid));
	/* Racing CPUs compute the same value: a plain store is enough. */
	if (dczid & DCZID_DZP)
		block = 0;
	else
		block = 4UL << (dczid & DCZID_BS_MASK);
	if (block > PAGE_SIZE)
		block = 0;
	return block;
}

void page_zero(void *va)
{
	unsigned long block = zva_block();
	char *p = va, *end = p + PAGE_SIZE;

	if (block) {
		for (; p < end; p += block)
			__asm__ volatile("dc zva, %0" : : "r"(p) : "memory");
		return;
	}
	for (; p < end; p += 16)
		__asm__ volatile("stp xzr, xzr, [%0]" : : "r"(p) : "memory");
}

void page_copy(void *dst, const void *src)
{
	char *d = dst;
	const char *s = src, *end = s + PAGE_SIZE;

	for (; s < end; s += 64, d += 64)
		__asm__ volatile("ldp x2, x3, [%1]\n\t"
				 "ldp x4, x5, [%1, #16]\n\t"
				 "ldp x6, x7, [%1, #32]\n\t"
				 "ldp x8, x9, [%1, #48]\n\t"
				 "stp x2, x3, [%0]\n\t"
				 "stp x4, x5, [%0, #16]\n\t"
				 "stp x6, x7, [%0, #32]\n\t"
				 "stp x8, x9, [%0, #48]"
				 : : "r"(d), "r"(s)
				 : "x2", "x3", "x4", "x5", "x6", "x7", "x8",
				   "x9", "memory");
}
