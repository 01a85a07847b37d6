/*
 * aarch64 system-call entry: `svc #0` with the number in x8 and arguments
 * in x0..x5; the result (or -errno) comes back in x0. Nothing else is
 * clobbered.
 */
#ifndef U_ARCH_SYSCALL_H
#define U_ARCH_SYSCALL_H

#include <u/arch/sysnum.h>

/*
 * One form for every arity: unused argument registers carry zero, which
 * the kernel ignores, and the code stays a single audited asm statement.
 */
static inline long syscall6(long n, long a, long b, long c, long d, long e,
			    long f)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;

	__asm__ volatile("svc #0" : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	return x0;
}

static inline long syscall0(long n)
{
	return syscall6(n, 0, 0, 0, 0, 0, 0);
}

static inline long syscall1(long n, long a)
{
	return syscall6(n, a, 0, 0, 0, 0, 0);
}

static inline long syscall2(long n, long a, long b)
{
	return syscall6(n, a, b, 0, 0, 0, 0);
}

static inline long syscall3(long n, long a, long b, long c)
{
	return syscall6(n, a, b, c, 0, 0, 0);
}

static inline long syscall4(long n, long a, long b, long c, long d)
{
	return syscall6(n, a, b, c, d, 0, 0);
}

static inline long syscall5(long n, long a, long b, long c, long d, long e)
{
	return syscall6(n, a, b, c, d, e, 0);
}

#endif
