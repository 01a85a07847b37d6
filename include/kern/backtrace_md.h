/*
 * Helpers for the arch implementations of arch_stack_bounds()
 * (<kern/backtrace.h>): the stacks the MI thread and CPU records name.
 * Guest only (the host build has no threads).
 */
#ifndef KERN_BACKTRACE_MD_H
#define KERN_BACKTRACE_MD_H

#include <kern/backtrace.h>
#include <kern/thread.h>
#include <mm/kstack.h>
#include <smp/cpu.h>

/* Append [lo, hi) to @r (holding *@n of @max) if there is room and it is
 * not empty. */
static inline void stack_range_add(struct stack_range *r, unsigned int *n,
				   unsigned int max, uintptr_t lo, uintptr_t hi)
{
	if (*n < max && lo < hi)
		r[(*n)++] = (struct stack_range){ lo, hi };
}

/*
 * The current thread's kernel stack and this CPU's own stack (a
 * secondary runs on it before its idle thread exists; the boot CPU has
 * none: it runs on the boot stack, which the arch adds). Both come from
 * kstack_alloc(): KSTACK_SIZE bytes mapped below the top.
 */
static inline void stack_ranges_thread_cpu(struct stack_range *r,
					   unsigned int *n, unsigned int max)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->sched.current;

	if (t && t->kstack_top && t->kstack_top != c->stack_top)
		stack_range_add(r, n, max, kstack_bottom(t->kstack_top),
				(uintptr_t)t->kstack_top);
	if (c->stack_top)
		stack_range_add(r, n, max, kstack_bottom(c->stack_top),
				(uintptr_t)c->stack_top);
}

#endif
