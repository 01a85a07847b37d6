/*
 * The EL1 exception vector table (Arm ARM D1.10.2): 16 slots of 0x80
 * bytes, the table 2 KiB aligned. Every slot saves a full struct
 * trapframe on the EL1 stack and calls C:
 *
 * - Slots 0-7, exceptions taken from EL1 (the kernel), go to
 *   trap_handle(), which either returns (the frame, possibly edited, is
 *   restored and eret resumes it) or panics.
 * - Slots 8-15, exceptions taken from EL0, go to trap_el0(). SP_EL1 is
 *   the running thread's kstack_top whenever EL0 runs (user_exit leaves
 *   it so), so the frame lands at arch_thread_trapframe() of the thread:
 *   the one place the MI code reads and edits user registers.
 *   trap_el0() ends with user_return(), which may run other threads
 *   before it returns; user_exit then restores the same frame.
 */

#include <machine/trapframe.h>

.macro kernel_slot n
	.balign	0x80
	sub	sp, sp, #TF_SIZE
	stp	x0, x1, [sp, #TF_X0]
	mov	x0, #\n
	b	kernel_entry
.endm

.macro user_slot n
	.balign	0x80
	sub	sp, sp, #TF_SIZE
	stp	x0, x1, [sp, #TF_X0]
	mov	x0, #\n
	b	user_entry
.endm

/* x0 = slot number; x0/x1 of the interrupted context are already saved. */
.macro save_regs
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	str	x30, [sp, #TF_X30]
	str	x0, [sp, #TF_VECTOR]
	mrs	x1, elr_el1
	mrs	x2, spsr_el1
	stp	x1, x2, [sp, #TF_ELR]
	mrs	x1, esr_el1
	mrs	x2, far_el1
	stp	x1, x2, [sp, #TF_ESR]
.endm

/* Restore x0..x30 from the frame at sp, pop it and return. */
.macro restore_regs_eret
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #TF_X30]
	add	sp, sp, #TF_SIZE
	eret
.endm

	.text
	.balign	2048
	.globl	exception_vectors
exception_vectors:
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7
	kernel_slot \n
	.endr
	.irp	n, 8, 9, 10, 11, 12, 13, 14, 15
	user_slot \n
	.endr

	.type	kernel_entry, %function
kernel_entry:
	save_regs
	/* Only the EL1h slots interrupted code running on SP_EL1. */
	add	x1, sp, #TF_SIZE
	mrs	x2, sp_el0
	sub	x3, x0, #VEC_EL1H_FIRST
	cmp	x3, #(VEC_LOWER_FIRST - VEC_EL1H_FIRST)
	csel	x1, x1, x2, lo
	str	x1, [sp, #TF_SP]

	/* The saved {x29, x30} pair is the interrupted context's frame record. */
	add	x29, sp, #(TF_X30 - 8)
	mov	x0, sp
	bl	trap_handle

	ldp	x1, x2, [sp, #TF_ELR]
	msr	elr_el1, x1
	msr	spsr_el1, x2
	ldr	x0, [sp, #TF_VECTOR]
	cmp	x0, #VEC_EL1H_FIRST
	b.hs	1f
	ldr	x1, [sp, #TF_SP]
	msr	sp_el0, x1
1:
	restore_regs_eret
	.size	kernel_entry, . - kernel_entry

	.type	user_entry, %function
user_entry:
	save_regs
	mrs	x1, sp_el0
	str	x1, [sp, #TF_SP]
	mrs	x1, tpidr_el0
	str	x1, [sp, #TF_TPIDR]
	/* Kernel backtraces end here: the user's x29 is no kernel frame. */
	mov	x29, xzr
	mov	x0, sp
	bl	trap_el0
	b	user_exit
	.size	user_entry, . - user_entry

/*
 * Return to EL0 with the frame at sp, which lies just below the thread's
 * kstack_top, and leave SP_EL1 = kstack_top for the next entry from EL0.
 * The SPSR written is forced to EL0t (M[4:0] = 0) with DAIF clear,
 * whatever the frame says (Arm ARM, SPSR_EL1): a frame edited by the MI
 * code can never eret into EL1 or run EL0 with interrupts masked.
 */
	.type	user_exit, %function
user_exit:
	ldp	x1, x2, [sp, #TF_ELR]
	bic	x2, x2, #SPSR_EL0_CLEAR
	msr	elr_el1, x1
	msr	spsr_el1, x2
	ldr	x1, [sp, #TF_SP]
	msr	sp_el0, x1
	ldr	x1, [sp, #TF_TPIDR]
	msr	tpidr_el0, x1
	restore_regs_eret
	.size	user_exit, . - user_exit

/*
 * void arch_user_enter(struct trapframe *tf): tf is the calling thread's
 * arch_thread_trapframe(), so popping it leaves SP_EL1 at kstack_top.
 * Whatever the caller had on the stack below it is abandoned. IRQs are
 * masked (the caller's contract) until the eret unmasks them for EL0.
 */
	.globl	arch_user_enter
	.type	arch_user_enter, %function
arch_user_enter:
	mov	sp, x0
	b	user_exit
	.size	arch_user_enter, . - arch_user_enter
