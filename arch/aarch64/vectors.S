/*
 * The EL1 exception vector table (Arm ARM D1.10.2): 16 slots of 0x80
 * bytes, the table 2 KiB aligned. Every slot saves a full struct
 * trap_frame on the EL1 stack and calls trap_handle(), which either returns
 * (the frame, possibly edited, is restored and eret resumes it) or panics.
 */

#include <machine/trapframe.h>

.macro vector_slot n
	.balign	0x80
	sub	sp, sp, #TF_SIZE
	stp	x0, x1, [sp, #TF_X0]
	mov	x0, #\n
	b	trap_entry
.endm

	.text
	.balign	2048
	.globl	exception_vectors
exception_vectors:
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	vector_slot \n
	.endr

/* x0 = slot number; x0/x1 of the interrupted context are already saved. */
	.type	trap_entry, %function
trap_entry:
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

	/* Only the EL1h slots interrupted code running on SP_EL1. */
	add	x1, sp, #TF_SIZE
	mrs	x2, sp_el0
	sub	x3, x0, #VEC_EL1H_FIRST
	cmp	x3, #(VEC_LOWER_FIRST - VEC_EL1H_FIRST)
	csel	x1, x1, x2, lo
	str	x1, [sp, #TF_SP]

	mrs	x1, elr_el1
	mrs	x2, spsr_el1
	stp	x1, x2, [sp, #TF_ELR]
	mrs	x1, esr_el1
	mrs	x2, far_el1
	stp	x1, x2, [sp, #TF_ESR]

	/* The saved {x29, x30} pair is the interrupted context's frame record. */
	add	x29, sp, #(TF_X30 - 8)
	mov	x0, sp
	bl	trap_handle

	ldp	x1, x2, [sp, #TF_ELR]
	msr	elr_el1, x1
	msr	spsr_el1, x2
	ldr	x0, [sp, #TF_VECTOR]
	sub	x0, x0, #VEC_EL1H_FIRST
	cmp	x0, #(VEC_LOWER_FIRST - VEC_EL1H_FIRST)
	b.lo	1f
	ldr	x1, [sp, #TF_SP]
	msr	sp_el0, x1
1:
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
	.size	trap_entry, . - trap_entry
