/*
 * long thread_clone(unsigned long flags, void *stack_top, int *ptid,
 *                   int *ctid, int (*fn)(void *), void *arg)
 *
 * clone(2) whose child starts on @stack_top, calls fn(arg) and leaves with
 * exit(fn's result), ending only its own thread. Returns the child's tid,
 * or -errno, in the parent. The child cannot return through C: its stack
 * holds none of the caller's frames, so all of its code is here. fn and
 * arg travel on the new stack because the child sees only the registers
 * clone keeps.
 */
#include <u/arch/sysnum.h>

	.text
	.global	thread_clone
	.type	thread_clone, %function
thread_clone:
	and	x1, x1, #~15
	stp	x4, x5, [x1, #-16]!	/* fn, arg */
	mov	x4, x3			/* ctid goes fifth: CLONE_BACKWARDS */
	mov	x3, #0			/* tls: unused, no CLONE_SETTLS */
	mov	x8, #SYS_clone
	svc	#0
	cbnz	x0, 1f			/* the child's tid, or -errno */
	ldp	x1, x0, [sp], #16	/* child: sp back to 16-aligned top */
	mov	x29, #0			/* outermost frame */
	mov	x30, #0
	blr	x1			/* fn(arg) */
	mov	x8, #SYS_exit		/* this thread only, not exit_group */
	svc	#0
	udf	#0
1:	ret
	.size	thread_clone, . - thread_clone

	.section .note.GNU-stack, "", %progbits
