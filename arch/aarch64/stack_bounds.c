/*
 * arch_stack_bounds() for aarch64: exceptions taken at EL1 stay on SP_EL1,
 * the stack the kernel was running on (vectors.S), so there are no
 * exception or IRQ stacks: the current thread's, this CPU's and the boot
 * stack (head.S) are all.
 */
#include <kern/backtrace_md.h>

extern char boot_stack[], boot_stack_top[];

unsigned int arch_stack_bounds(struct stack_range *r, unsigned int max)
{
	unsigned int n = 0;

	stack_ranges_thread_cpu(r, &n, max);
	stack_range_add(r, &n, max, (uintptr_t)boot_stack,
			(uintptr_t)boot_stack_top);
	return n;
}
