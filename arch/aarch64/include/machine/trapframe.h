/*
 * The register state saved by vectors.S on every exception: all general
 * registers, the interrupted SP, and the exception syndrome registers.
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
#define TF_SIZE		304	/* a multiple of 16: SP stays aligned */

/* Vector table slots (Arm ARM D1.10.2): four groups of four. */
#define VEC_EL1T_FIRST	0	/* current EL, SP_EL0 */
#define VEC_EL1H_FIRST	4	/* current EL, SP_EL1: the kernel */
#define VEC_LOWER_FIRST	8	/* EL0, AArch64 then AArch32 */

#ifndef __ASSEMBLY__
#include <kern/types.h>

struct trap_frame {
	uint64_t x[31];
	uint64_t sp;		/* SP of the interrupted context */
	uint64_t elr;		/* return address; handlers may advance it */
	uint64_t spsr;
	uint64_t esr;
	uint64_t far;
	uint64_t vector;	/* 0..15: the vector table slot taken */
	uint64_t pad;
};

_Static_assert(sizeof(struct trap_frame) == TF_SIZE, "trap frame size");
_Static_assert(__builtin_offsetof(struct trap_frame, x[30]) == TF_X30, "TF_X30");
_Static_assert(__builtin_offsetof(struct trap_frame, sp) == TF_SP, "TF_SP");
_Static_assert(__builtin_offsetof(struct trap_frame, elr) == TF_ELR, "TF_ELR");
_Static_assert(__builtin_offsetof(struct trap_frame, spsr) == TF_SPSR, "TF_SPSR");
_Static_assert(__builtin_offsetof(struct trap_frame, esr) == TF_ESR, "TF_ESR");
_Static_assert(__builtin_offsetof(struct trap_frame, far) == TF_FAR, "TF_FAR");
_Static_assert(__builtin_offsetof(struct trap_frame, vector) == TF_VECTOR, "TF_VECTOR");

/* C side of every vector: decode, report, fix up or panic. */
void trap_handle(struct trap_frame *tf);
#endif

#endif
