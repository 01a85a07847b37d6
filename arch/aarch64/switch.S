/*
 * Kernel context switch and the user FP/SIMD registers (struct
 * arch_thread, <machine/thread.h>).
 *
 * The FP/SIMD state is switched eagerly: the kernel never uses the vector
 * registers (-mgeneral-regs-only), so at every switch the live ones are
 * the outgoing thread's user values. Lazy switching (trap on first use
 * with CPACR_EL1.FPEN) would save the stores for threads that never use
 * them, but the user runtime's memcpy does, so it would trap on almost
 * every switch anyway.
 */

#include <machine/thread.h>

/* Store q0-q31, FPCR and FPSR at \base (a struct fpsimd_state); \t1 and
 * \t2 are the numbers of two scratch registers. */
.macro fpsimd_store base, t1, t2
	stp	q0, q1, [\base, #FPS_V0 + 16 * 0]
	stp	q2, q3, [\base, #FPS_V0 + 16 * 2]
	stp	q4, q5, [\base, #FPS_V0 + 16 * 4]
	stp	q6, q7, [\base, #FPS_V0 + 16 * 6]
	stp	q8, q9, [\base, #FPS_V0 + 16 * 8]
	stp	q10, q11, [\base, #FPS_V0 + 16 * 10]
	stp	q12, q13, [\base, #FPS_V0 + 16 * 12]
	stp	q14, q15, [\base, #FPS_V0 + 16 * 14]
	stp	q16, q17, [\base, #FPS_V0 + 16 * 16]
	stp	q18, q19, [\base, #FPS_V0 + 16 * 18]
	stp	q20, q21, [\base, #FPS_V0 + 16 * 20]
	stp	q22, q23, [\base, #FPS_V0 + 16 * 22]
	stp	q24, q25, [\base, #FPS_V0 + 16 * 24]
	stp	q26, q27, [\base, #FPS_V0 + 16 * 26]
	stp	q28, q29, [\base, #FPS_V0 + 16 * 28]
	stp	q30, q31, [\base, #FPS_V0 + 16 * 30]
	mrs	x\t1, fpcr
	mrs	x\t2, fpsr
	str	w\t1, [\base, #FPS_FPCR]
	str	w\t2, [\base, #FPS_FPSR]
.endm

/* Load them back from \base. */
.macro fpsimd_restore base, t1, t2
	ldp	q0, q1, [\base, #FPS_V0 + 16 * 0]
	ldp	q2, q3, [\base, #FPS_V0 + 16 * 2]
	ldp	q4, q5, [\base, #FPS_V0 + 16 * 4]
	ldp	q6, q7, [\base, #FPS_V0 + 16 * 6]
	ldp	q8, q9, [\base, #FPS_V0 + 16 * 8]
	ldp	q10, q11, [\base, #FPS_V0 + 16 * 10]
	ldp	q12, q13, [\base, #FPS_V0 + 16 * 12]
	ldp	q14, q15, [\base, #FPS_V0 + 16 * 14]
	ldp	q16, q17, [\base, #FPS_V0 + 16 * 16]
	ldp	q18, q19, [\base, #FPS_V0 + 16 * 18]
	ldp	q20, q21, [\base, #FPS_V0 + 16 * 20]
	ldp	q22, q23, [\base, #FPS_V0 + 16 * 22]
	ldp	q24, q25, [\base, #FPS_V0 + 16 * 24]
	ldp	q26, q27, [\base, #FPS_V0 + 16 * 26]
	ldp	q28, q29, [\base, #FPS_V0 + 16 * 28]
	ldp	q30, q31, [\base, #FPS_V0 + 16 * 30]
	ldr	w\t1, [\base, #FPS_FPCR]
	ldr	w\t2, [\base, #FPS_FPSR]
	msr	fpcr, x\t1
	msr	fpsr, x\t2
.endm

	.text

/*
 * void arch_thread_switch(struct thread *prev, struct thread *next)
 * struct thread begins with its struct arch_thread (thread.c checks), so
 * x0 / x1 address prev->arch / next->arch. Called with IRQs masked.
 * Nothing per CPU to repoint for user entries: SP_EL1 is the thread's own
 * stack pointer, which this switch changes, and it is back at kstack_top
 * whenever EL0 runs (vectors.S).
 */
	.globl	arch_thread_switch
	.type	arch_thread_switch, %function
arch_thread_switch:
	stp	x19, x20, [x0, #CTX_X19 + 0]
	stp	x21, x22, [x0, #CTX_X19 + 16]
	stp	x23, x24, [x0, #CTX_X19 + 32]
	stp	x25, x26, [x0, #CTX_X19 + 48]
	stp	x27, x28, [x0, #CTX_X19 + 64]
	stp	x29, x30, [x0, #CTX_X29]
	mov	x9, sp
	str	x9, [x0, #CTX_SP]
	add	x9, x0, #CTX_FPSIMD
	fpsimd_store x9, 10, 11

	add	x9, x1, #CTX_FPSIMD
	fpsimd_restore x9, 10, 11
	ldp	x19, x20, [x1, #CTX_X19 + 0]
	ldp	x21, x22, [x1, #CTX_X19 + 16]
	ldp	x23, x24, [x1, #CTX_X19 + 32]
	ldp	x25, x26, [x1, #CTX_X19 + 48]
	ldp	x27, x28, [x1, #CTX_X19 + 64]
	ldp	x29, x30, [x1, #CTX_X29]
	ldr	x9, [x1, #CTX_SP]
	mov	sp, x9
	ret
	.size	arch_thread_switch, . - arch_thread_switch

/*
 * First code of a thread made by arch_thread_init(): its saved x30 points
 * here, x19 = fn, x20 = arg, x29 = 0 (the outermost frame). fn must not
 * return.
 */
	.globl	thread_start
	.type	thread_start, %function
thread_start:
	mov	x0, x20
	blr	x19
	mov	x1, x19
	adrp	x0, msg_returned
	add	x0, x0, :lo12:msg_returned
	bl	panic
	.size	thread_start, . - thread_start

	.section .rodata.str1.1, "aMS", %progbits, 1
msg_returned:
	.asciz	"thread_start: thread function %p returned"
	.text

/* void fpsimd_save(struct fpsimd_state *st) */
	.globl	fpsimd_save
	.type	fpsimd_save, %function
fpsimd_save:
	fpsimd_store x0, 10, 11
	ret
	.size	fpsimd_save, . - fpsimd_save

/* void fpsimd_load(const struct fpsimd_state *st) */
	.globl	fpsimd_load
	.type	fpsimd_load, %function
fpsimd_load:
	fpsimd_restore x0, 10, 11
	ret
	.size	fpsimd_load, . - fpsimd_load
