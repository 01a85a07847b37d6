/*
 * Exception handling shared by both x86 modes. Each mode's vectors.asm
 * builds a struct trapframe (<machine/trapframe.h>, per mode) for every one
 * of the 256 IDT vectors and calls x86_trap().
 */
#ifndef MACHINE_X86_TRAP_H
#define MACHINE_X86_TRAP_H

#include <kern/types.h>
#include <machine/trapframe.h>

#define X86_NVECTORS		256
#define X86_NEXCEPTIONS		32

#define T_DE	0	/* divide error */
#define T_DB	1	/* debug */
#define T_NMI	2
#define T_BP	3	/* breakpoint (int3) */
#define T_OF	4	/* overflow (into) */
#define T_UD	6	/* invalid opcode */
#define T_DF	8	/* double fault */
#define T_GP	13	/* general protection */
#define T_PF	14	/* page fault */
#define T_MC	18	/* machine check */

/* Entry points of the 256 stubs in vectors.asm, indexed by vector. */
extern const uintptr_t x86_trap_stubs[X86_NVECTORS];

/*
 * Handle the trap described by @tf: pass an interrupt to x86_interrupt(),
 * resume if trap_expected() claims it, else print the full report and
 * panic. Called from vectors.asm only.
 */
void x86_trap(struct trapframe *tf);

/*
 * Handle a trap @tf taken in user mode (@fault_addr: CR2 of a #PF):
 * system call, page fault, other exception or interrupt, each through its
 * MI handler, then user_return(). Returns false, having done nothing, for
 * what is no fault of the program (NMI, #DF, #MC, an unknown interrupt):
 * x86_trap() then reports it and panics. Interrupts off.
 */
bool x86_user_trap(struct trapframe *tf, uintptr_t fault_addr);

/*
 * A kernel-mode #PF at @fault_addr: offer it to uaccess_fault() with
 * interrupts as in the interrupted code. True if it was a fault of
 * arch_copy_user, now resolved or redirected to the copy's fault exit.
 */
bool x86_kernel_uaccess_fault(struct trapframe *tf, uintptr_t fault_addr);

/* MI access type (VM_READ / VM_WRITE / VM_EXEC) of #PF error code @error. */
unsigned int x86_pf_access(unsigned long error);

/*
 * Handle interrupt @vector (>= 32) if it is one of ours: the APIC tick,
 * the IPIs, APIC errors and spurious vectors, stray legacy-PIC vectors.
 * Returns false for any other vector (x86_trap() then reports it).
 * Interrupt context, interrupts off.
 */
bool x86_interrupt(unsigned long vector);

/* Short name of exception @vector ("#PF page fault"), "interrupt" above 31. */
const char *x86_vector_name(unsigned long vector);

/* Print the error code of exception @vector, decoded where it has fields. */
void x86_print_error_code(unsigned long vector, unsigned long error);

/*
 * Per mode: print every general register, PC, SP, flags, segment and
 * control registers of @tf (the headline is x86_trap()'s).
 */
void trapframe_print(const struct trapframe *tf);

/*
 * Length in bytes of the memory-access instruction at @ip, or -EINVAL if it
 * is not one of the load/store forms the decoder knows. Used to step over
 * an expected page fault. @long_mode selects REX and 64-bit addressing.
 */
int x86_insn_length(const uint8_t *ip, bool long_mode);

#ifdef __i386__
/* A segment fault restoring a user frame: kill the process (tls.c). */
bool i686_return_fault(struct trapframe *tf);
#endif

#endif
