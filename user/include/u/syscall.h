/*
 * Raw Linux system calls: syscall0(n) .. syscall6(n, a, b, c, d, e, f),
 * inline asm per arch in <u/arch/syscall.h>, numbers SYS_* in
 * <u/arch/sysnum.h>. The kernel's result is returned untouched: a value in
 * [-4095, -1] is -errno, anything else is success (mmap addresses on i686
 * may be "negative" as longs, hence sys_err()).
 */
#ifndef U_SYSCALL_H
#define U_SYSCALL_H

#include <stdbool.h>
#include <u/arch/syscall.h>

/* Does raw result @r encode an error (-4095..-1)? */
static inline bool sys_err(long r)
{
	return (unsigned long)r >= -4095UL;
}

#endif
