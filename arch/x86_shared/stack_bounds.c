/*
 * arch_stack_bounds() for both x86 modes: the current thread's and this
 * CPU's kernel stacks, the boot stack (boot.asm), and the stacks the CPU
 * switches to by itself for a double fault (x86_64 IST, i686 task gate)
 * and, on x86_64, an NMI (gdt.c: x86_exception_stacks()).
 */
#include <kern/backtrace_md.h>
#include <machine/gdt.h>

extern char boot_stack[], boot_stack_top[];

unsigned int arch_stack_bounds(struct stack_range *r, unsigned int max)
{
	unsigned int n = 0;

	stack_ranges_thread_cpu(r, &n, max);
	stack_range_add(r, &n, max, (uintptr_t)boot_stack,
			(uintptr_t)boot_stack_top);
	if (n < max)
		n += x86_exception_stacks(r + n, max - n);
	return n;
}
