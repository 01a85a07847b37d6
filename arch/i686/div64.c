/*
 * 64-bit division for 32-bit code. i386 has no 64/64 divide instruction,
 * so clang lowers `u64 / u64` (and %, and the signed forms) to calls of
 * __udivdi3, __umoddi3, __divdi3 and __moddi3, normally from libgcc or
 * compiler-rt. Neither is linked into this freestanding kernel (and no
 * 32-bit libgcc is installed), so the kernel provides them. Semantics
 * follow the libgcc ABI: C division, truncating toward zero.
 *
 * Nothing in this file may itself divide 64-bit values with '/' or '%':
 * clang would call back into these functions.
 */
#include <kern/types.h>

uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
int64_t __divdi3(int64_t n, int64_t d);
int64_t __moddi3(int64_t n, int64_t d);

/*
 * A 32-bit divisor, the common case (printing in base 10 or 16): two
 * DIVL steps, high word then (remainder:low word). The second cannot
 * overflow because the remainder is below the divisor. A zero divisor
 * raises #DE, as a hardware divide would.
 */
static uint64_t udivmod64_by32(uint64_t n, uint32_t d, uint64_t *rem)
{
	uint32_t hi = (uint32_t)(n >> 32), lo = (uint32_t)n;
	uint32_t q_hi = hi / d, r = hi % d, q_lo;

	__asm__("divl %[d]" : "=a"(q_lo), "=d"(r)
		: "a"(lo), "d"(r), [d] "rm"(d));
	*rem = r;
	return ((uint64_t)q_hi << 32) | q_lo;
}

/*
 * Shift-subtract (restoring) long division, for divisors of 2^32 and up:
 * the quotient then fits in 32 bits, so at most 32 rounds. Line the
 * divisor's top bit up with the dividend's, then subtract where it fits.
 */
static uint64_t udivmod64(uint64_t n, uint64_t d, uint64_t *rem)
{
	uint64_t q = 0;
	int shift;

	if ((d >> 32) == 0)
		return udivmod64_by32(n, (uint32_t)d, rem);
	if (n < d) {
		*rem = n;
		return 0;
	}
	shift = __builtin_clzll(d) - __builtin_clzll(n);
	d <<= shift;
	for (; shift >= 0; shift--) {
		q <<= 1;
		if (n >= d) {
			n -= d;
			q |= 1;
		}
		d >>= 1;
	}
	*rem = n;
	return q;
}

/* |v| as unsigned; well defined for INT64_MIN too. */
static uint64_t uabs64(int64_t v)
{
	return v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
}

/* Unsigned quotient n / d. */
uint64_t __udivdi3(uint64_t n, uint64_t d)
{
	uint64_t r;

	return udivmod64(n, d, &r);
}

/* Unsigned remainder n % d. */
uint64_t __umoddi3(uint64_t n, uint64_t d)
{
	uint64_t r;

	udivmod64(n, d, &r);
	return r;
}

/* Signed quotient, truncated toward zero: negative iff the signs differ. */
int64_t __divdi3(int64_t n, int64_t d)
{
	uint64_t r, q = udivmod64(uabs64(n), uabs64(d), &r);

	return (int64_t)((n < 0) != (d < 0) ? 0 - q : q);
}

/* Signed remainder: takes the sign of the dividend. */
int64_t __moddi3(int64_t n, int64_t d)
{
	uint64_t r;

	udivmod64(uabs64(n), uabs64(d), &r);
	return (int64_t)(n < 0 ? 0 - r : r);
}
