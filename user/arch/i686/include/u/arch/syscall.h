/*
 * i686 system-call entry: `int $0x80` with the number in eax and arguments
 * in ebx, ecx, edx, esi, edi, ebp; the result (or -errno) comes back in eax.
 * ebp is the frame pointer here, so the six-argument form is out of line
 * (syscall6.S) where it can be saved by hand.
 */
#ifndef U_ARCH_SYSCALL_H
#define U_ARCH_SYSCALL_H

#include <u/arch/sysnum.h>

static inline long syscall0(long n)
{
	long r;

	__asm__ volatile("int $0x80" : "=a"(r) : "a"(n) : "memory");
	return r;
}

static inline long syscall1(long n, long a)
{
	long r;

	__asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a) : "memory");
	return r;
}

static inline long syscall2(long n, long a, long b)
{
	long r;

	__asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b)
			 : "memory");
	return r;
}

static inline long syscall3(long n, long a, long b, long c)
{
	long r;

	__asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c)
			 : "memory");
	return r;
}

static inline long syscall4(long n, long a, long b, long c, long d)
{
	long r;

	__asm__ volatile("int $0x80" : "=a"(r)
			 : "a"(n), "b"(a), "c"(b), "d"(c), "S"(d)
			 : "memory");
	return r;
}

static inline long syscall5(long n, long a, long b, long c, long d, long e)
{
	long r;

	__asm__ volatile("int $0x80" : "=a"(r)
			 : "a"(n), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e)
			 : "memory");
	return r;
}

/* Six arguments: see syscall6.S. Returns the result or -errno. */
long syscall6(long n, long a, long b, long c, long d, long e, long f);

#endif
