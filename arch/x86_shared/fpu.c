/*
 * x87/SSE enablement and the per-thread state images. The kernel is built
 * without FP/SIMD code, so this unit holds nothing but user state: the
 * context switch saves it eagerly, and no lazy #NM trapping is needed.
 */
#include <kern/string.h>
#include <machine/cpufunc.h>
#include <machine/fpu.h>
#include <machine/thread.h>
#include <smp/cpu.h>

#define CR0_MP		(1UL << 1)	/* WAIT honours TS */
#define CR0_EM		(1UL << 2)	/* emulate x87: every FP insn #NM */
#define CR0_TS		(1UL << 3)	/* task switched: FP insns #NM */
#define CR0_NE		(1UL << 5)	/* x87 errors as #MF, not IRQ 13 */
#define CR4_OSFXSR	(1UL << 9)	/* FXSAVE saves SSE; SSE insns legal */
#define CR4_OSXMMEXCPT	(1UL << 10)	/* unmasked SIMD errors raise #XM */
#define CPUID_1_EDX_FXSR (1u << 24)
#define CPUID_1_EDX_SSE	(1u << 25)

#define FCW_INIT	0x037f	/* FNINIT control word (SDM vol. 1 8.1.5) */
#define MXCSR_INIT	0x1f80	/* reset MXCSR (SDM vol. 1 10.2.3.1) */
#define FTW_ALL_EMPTY	0xffff	/* full tag word of FNSAVE: all empty */

/* Byte offsets in the FXSAVE image (SDM vol. 2A "FXSAVE", table 3-53)
 * and the 32-bit protected-mode FNSAVE image (SDM vol. 1 figure 8-9). */
#define FX_FCW		0
#define FX_MXCSR	24
#define FN_FCW		0
#define FN_FTW		8

uint32_t x86_fpu_fxsr;

/*
 * SDM vol. 3A 13.1.3 / 13.1.4: CR4.OSFXSR is what makes SSE instructions
 * legal and FXSAVE include the XMM registers; OSXMMEXCPT only exists with
 * SSE. AVX stays off (no CR4.OSXSAVE): its instructions raise #UD, so
 * state FXSAVE does not cover can never become live.
 */
void x86_fpu_cpu_init(void)
{
	uint32_t edx = cpuid(1, 0).edx;
	unsigned long cr0 = read_cr0();

	cr0 &= ~(CR0_EM | CR0_TS);
	write_cr0(cr0 | CR0_MP | CR0_NE);
	if (edx & CPUID_1_EDX_FXSR) {
		unsigned long cr4 = read_cr4() | CR4_OSFXSR;

		if (edx & CPUID_1_EDX_SSE)
			cr4 |= CR4_OSXMMEXCPT;
		write_cr4(cr4);
	}
	__asm__ __volatile__("fninit" ::: "memory");
	if (this_cpu()->id == 0)
		x86_fpu_fxsr = (edx & CPUID_1_EDX_FXSR) != 0;
}

void x86_fpu_state_init(uint8_t *area)
{
	uint16_t fcw = FCW_INIT, ftw = FTW_ALL_EMPTY;
	uint32_t mxcsr = MXCSR_INIT;

	memset(area, 0, X86_FPU_AREA_SIZE);
	if (x86_fpu_fxsr) {
		/* The abridged tag byte is 0 for an empty stack. */
		memcpy(area + FX_FCW, &fcw, sizeof(fcw));
		memcpy(area + FX_MXCSR, &mxcsr, sizeof(mxcsr));
	} else {
		memcpy(area + FN_FCW, &fcw, sizeof(fcw));
		memcpy(area + FN_FTW, &ftw, sizeof(ftw));
	}
}
