/*
 * Whole-page zero and copy for x86: one string instruction each (rep
 * stos / rep movs of machine words), which the CPU runs as its fastest
 * block fill and copy (ERMSB / fast-string microcode) and TCG as one
 * helper loop, instead of the byte loops of core/string.c.
 */
#include <kern/types.h>
#include <mm/page.h>

#ifdef __x86_64__
#define WORD_SUFFIX	"q"
#else
#define WORD_SUFFIX	"l"
#endif

#define PAGE_WORDS	(PAGE_SIZE / sizeof(long))

void page_zero(void *va)
{
	unsigned long n = PAGE_WORDS;
	void *d = va;

	/* cld: the string direction must be up whatever a trap left. */
	__asm__ volatile("cld; rep stos" WORD_SUFFIX
			 : "+D"(d), "+c"(n) : "a"(0UL) : "memory", "cc");
}

void page_copy(void *dst, const void *src)
{
	unsigned long n = PAGE_WORDS;
	void *d = dst;
	const void *s = src;

	__asm__ volatile("cld; rep movs" WORD_SUFFIX
			 : "+D"(d), "+S"(s), "+c"(n) : : "memory", "cc");
}
