/*
 * The register state saved by vectors.S on every exception: all general
 * registers, the interrupted SP, the exception syndrome registers and,
 * for entries from EL0, the user's thread pointer.
 *
 * An entry from EL0 saves it at the top of the thread's kernel stack
 * (SP_EL1 is the thread's kstack_top whenever EL0 runs), which is where
 * arch_thread_trapframe() finds it: struct trapframe of the MD contract
 * (<kern/thread_md.h>).
 */
#ifndef MACHINE_TRAPFRAME_H
#define MACHINE_TRAPFRAME_H

#define TF_X0		0
#define TF_X30		240
#define TF_SP		248
#define TF_ELR		256
#define TF_SPSR		264
#define TF_ESR		272
#define TF_FAR		280
#define TF_VECTOR	288
#define TF_TPIDR	296
#define TF_SIZE		304	/* a multiple of 16: SP stays aligned */

/* Vector table slots (Arm ARM D1.10.2): four groups of four. */
#define VEC_EL1T_FIRST	0	/* current EL, SP_EL0 */
#define VEC_EL1H_FIRST	4	/* current EL, SP_EL1: the kernel */
#define VEC_LOWER_FIRST	8	/* EL0, AArch64 then AArch32 */
#define VEC_LOWER_A32_FIRST 12
/* Within a group: the exception type. */
#define VEC_SYNC	0
#define VEC_IRQ		1
#define VEC_FIQ		2
#define VEC_SERROR	3

/*
 * SPSR_EL1 (Arm ARM, SPSR_EL1): M[4] = 0 is AArch64, M[3:0] = 0b0000
 * EL0t; bit 5 is RES0 in AArch64 state; D, A, I, F are bits 9:6. Clearing
 * SPSR_EL0_CLEAR gives EL0t with nothing masked.
 */
#define SPSR_MODE_EL0T	0x0
#define SPSR_I		(1 << 7)
#define SPSR_EL0_CLEAR	0x3ff

#ifndef __ASSEMBLY__
#include <kern/types.h>

struct trapframe {
	uint64_t x[31];
	uint64_t sp;		/* SP of the interrupted context (SP_EL0 from EL0) */
	uint64_t elr;		/* return address; handlers may advance it */
	uint64_t spsr;
	uint64_t esr;
	uint64_t far;
	uint64_t vector;	/* 0..15: the vector table slot taken */
	/*
	 * TPIDR_EL0, EL0's thread pointer (TLS). EL0 writes it with MSR, so
	 * it is user register state like x0..x30: saved and restored on
	 * entries from EL0 only, copied with the frame by fork and cleared
	 * by arch_tf_init_user for a new program, as on Linux.
	 */
	uint64_t tpidr_el0;
};

_Static_assert(sizeof(struct trapframe) == TF_SIZE, "trap frame size");
_Static_assert(__builtin_offsetof(struct trapframe, x[30]) == TF_X30, "TF_X30");
_Static_assert(__builtin_offsetof(struct trapframe, sp) == TF_SP, "TF_SP");
_Static_assert(__builtin_offsetof(struct trapframe, elr) == TF_ELR, "TF_ELR");
_Static_assert(__builtin_offsetof(struct trapframe, spsr) == TF_SPSR, "TF_SPSR");
_Static_assert(__builtin_offsetof(struct trapframe, esr) == TF_ESR, "TF_ESR");
_Static_assert(__builtin_offsetof(struct trapframe, far) == TF_FAR, "TF_FAR");
_Static_assert(__builtin_offsetof(struct trapframe, vector) == TF_VECTOR, "TF_VECTOR");
_Static_assert(__builtin_offsetof(struct trapframe, tpidr_el0) == TF_TPIDR, "TF_TPIDR");

/* The interrupted pc, as every arch names it for MI code. */
static inline uintptr_t trapframe_pc(const struct trapframe *tf)
{
	return tf->elr;
}

static inline void trapframe_set_pc(struct trapframe *tf, uintptr_t pc)
{
	tf->elr = pc;
}

/* C side of the kernel's own vectors (EL1t, EL1h): decode, report, fix
 * up or panic. */
void trap_handle(struct trapframe *tf);

/* C side of the EL0 vectors (el0_trap.c): system calls, user faults and
 * interrupts taken in user mode; ends with user_return(). */
void trap_el0(struct trapframe *tf);
#endif

#endif
