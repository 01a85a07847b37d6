/*
 * struct arch_thread, the aarch64 part of struct thread (<kern/thread.h>):
 * what arch_thread_switch() saves and restores (switch.S).
 *
 * Kernel context: the AAPCS64 callee-saved registers x19-x28, the frame
 * pointer x29, the return address x30 and SP; everything else is dead
 * across the call to arch_thread_switch().
 *
 * User FP/SIMD state: q0-q31, FPCR and FPSR, saved eagerly on every
 * switch. The kernel is built with -mgeneral-regs-only, so between two
 * switches the live vector registers always hold the running thread's
 * user values; only switch.S touches them.
 *
 * Shared by assembly and C; the offsets are checked below.
 */
#ifndef MACHINE_THREAD_H
#define MACHINE_THREAD_H

#define CTX_X19		0	/* x19..x28, then x29, x30 */
#define CTX_X29		80
#define CTX_SP		96
#define CTX_FPSIMD	112	/* struct fpsimd_state, 16-byte aligned */

#define FPS_V0		0	/* q0..q31, 16 bytes each */
#define FPS_FPCR	512
#define FPS_FPSR	516
#define FPS_SIZE	528

#ifndef __ASSEMBLY__
#include <kern/compiler.h>
#include <kern/types.h>

/* The user FP/SIMD registers (Arm ARM: the SIMD&FP register file, FPCR, FPSR). */
struct fpsimd_state {
	uint64_t v[32][2] __aligned(16);	/* q0..q31, low half first */
	uint32_t fpcr;
	uint32_t fpsr;
	uint64_t pad;
};

struct arch_thread {
	uint64_t x19_x28[10];
	uint64_t x29;		/* frame pointer */
	uint64_t x30;		/* where arch_thread_switch() returns */
	uint64_t sp;
	uint64_t pad;
	struct fpsimd_state fpsimd;
};

#define CTX_CHECK(field, off)						\
	_Static_assert(__builtin_offsetof(struct arch_thread, field) == (off), \
		       #off)
CTX_CHECK(x19_x28, CTX_X19);
CTX_CHECK(x29, CTX_X29);
CTX_CHECK(sp, CTX_SP);
CTX_CHECK(fpsimd, CTX_FPSIMD);
_Static_assert(__builtin_offsetof(struct fpsimd_state, fpcr) == FPS_FPCR,
	       "FPS_FPCR");
_Static_assert(__builtin_offsetof(struct fpsimd_state, fpsr) == FPS_FPSR,
	       "FPS_FPSR");
_Static_assert(sizeof(struct fpsimd_state) == FPS_SIZE, "FPS_SIZE");

/* Store / load this CPU's live FP/SIMD registers (switch.S). */
void fpsimd_save(struct fpsimd_state *st);
void fpsimd_load(const struct fpsimd_state *st);

/* Let EL0 and EL1 use FP/SIMD on this CPU (CPACR_EL1.FPEN); every CPU,
 * before its first thread switch (thread.c). */
void fpsimd_cpu_init(void);
#endif

#endif
