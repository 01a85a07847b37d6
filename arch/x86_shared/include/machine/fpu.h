/*
 * The x87/SSE unit as user threads see it (fpu.c): enabled on every CPU,
 * saved and restored per thread by the context switch (thread_switch.asm
 * of each mode) with FXSAVE/FXRSTOR, or FNSAVE/FRSTOR on a CPU without
 * FXSR.
 */
#ifndef MACHINE_FPU_H
#define MACHINE_FPU_H

#include <kern/types.h>

/* Nonzero if the CPUs have FXSAVE/FXRSTOR. Written once by the boot CPU
 * (x86_fpu_cpu_init()) before any secondary starts; read by the context
 * switch in assembly, hence a plain 32-bit word. */
extern uint32_t x86_fpu_fxsr;

/*
 * Let user code use the x87, MMX and SSE registers on the calling CPU
 * without faulting (CR0.EM/TS clear, CR4.OSFXSR/OSXMMEXCPT), with x87
 * errors reported as #MF rather than through the legacy IRQ 13 (CR0.NE),
 * and reset the unit. Every CPU, once, interrupts off; the boot CPU first.
 */
void x86_fpu_cpu_init(void);

/*
 * Fill @area (X86_FPU_AREA_SIZE bytes, 16-aligned) with the state after
 * FNINIT plus the MXCSR reset value: control word 0x37f (all exceptions
 * masked, 64-bit precision, round to nearest), empty stack, MXCSR 0x1f80.
 */
void x86_fpu_state_init(uint8_t *area);

/*
 * Per mode (thread_switch.asm): save the calling CPU's live FP/SIMD
 * registers into @area and leave them loaded. Interrupts off, or at least
 * no context switch between this and the use of @area.
 */
void x86_fpu_state_save(uint8_t *area);

#endif
