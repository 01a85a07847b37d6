/*
 * i686 trap frame as vectors.asm leaves it on the stack, lowest address
 * first: PUSHAD's registers, the data segment registers, the vector, the
 * error code (the CPU's, or 0 from the stub), then the CPU's interrupt
 * frame. ESP and SS are pushed by the CPU only on entry from CPL 3.
 */
#ifndef MACHINE_TRAPFRAME_H
#define MACHINE_TRAPFRAME_H

#include <kern/types.h>

struct trapframe {
	uint32_t edi, esi, ebp, esp_pushad, ebx, edx, ecx, eax;
	uint32_t gs, fs, es, ds;	/* low 16 bits valid (SDM "PUSH") */
	uint32_t vector;
	uint32_t error;
	uint32_t eip, cs, eflags;
	uint32_t esp, ss;		/* only when entered from user mode */
};

/* tf->vector of a system call: INT 0x80, the Linux i386 ABI. */
#define TF_VECTOR_SYSCALL	0x80

/* Registers thread_switch.asm pushes below its return address. */
#define SWITCH_SAVED_REGS	4

/* The interrupted code runs in 32-bit mode (no REX, 4-byte moffs). */
#define TRAPFRAME_LONG_MODE	false

static inline uintptr_t trapframe_pc(const struct trapframe *tf)
{
	return tf->eip;
}

/* The interrupted code's frame pointer, where a backtrace starts. */
static inline uintptr_t trapframe_fp(const struct trapframe *tf)
{
	return tf->ebp;
}

static inline void trapframe_set_pc(struct trapframe *tf, uintptr_t pc)
{
	tf->eip = pc;
}

static inline unsigned long trapframe_flags(const struct trapframe *tf)
{
	return tf->eflags;
}

static inline bool trapframe_from_user(const struct trapframe *tf)
{
	return (tf->cs & 3) != 0;
}

/* Stack pointer of the interrupted code: a kernel trap pushed no ESP. */
static inline uintptr_t trapframe_sp(const struct trapframe *tf)
{
	return trapframe_from_user(tf) ? tf->esp : (uintptr_t)&tf->esp;
}

/* A kernel-mode #DB to ignore: none on i686, where INT 0x80 clears TF
 * before the handler's first instruction. */
static inline bool trapframe_stray_debug(const struct trapframe *tf)
{
	return false;
}

#endif
