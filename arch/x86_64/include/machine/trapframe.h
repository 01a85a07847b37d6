/*
 * x86_64 trap frame as vectors.asm leaves it on the stack, lowest address
 * first: the general registers it pushed, the vector number, the error code
 * (the CPU's, or 0 from the stub), then the CPU's interrupt frame.
 */
#ifndef MACHINE_TRAPFRAME_H
#define MACHINE_TRAPFRAME_H

#include <kern/types.h>

struct trapframe {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error;
	/* Pushed by the CPU; in long mode always including RSP and SS. */
	uint64_t rip, cs, rflags, rsp, ss;
};

_Static_assert(sizeof(struct trapframe) == 22 * 8,
	       "trapframe layout must match vectors.asm");

/* tf->vector of a SYSCALL entry: above every IDT vector. Mirrored in
 * trapframe.inc. */
#define TF_VECTOR_SYSCALL	0x100

/* Registers thread_switch.asm pushes below its return address. */
#define SWITCH_SAVED_REGS	6

/* The interrupted code runs in 64-bit mode (REX, 8-byte moffs). */
#define TRAPFRAME_LONG_MODE	true

static inline uintptr_t trapframe_pc(const struct trapframe *tf)
{
	return tf->rip;
}

/* The interrupted code's frame pointer, where a backtrace starts. */
static inline uintptr_t trapframe_fp(const struct trapframe *tf)
{
	return tf->rbp;
}

static inline void trapframe_set_pc(struct trapframe *tf, uintptr_t pc)
{
	tf->rip = pc;
}

static inline unsigned long trapframe_flags(const struct trapframe *tf)
{
	return tf->rflags;
}

static inline bool trapframe_from_user(const struct trapframe *tf)
{
	return (tf->cs & 3) != 0;
}

/* The SYSCALL entry (syscall_entry.asm). */
void x86_syscall_entry(void);

/*
 * Is @tf a kernel-mode #DB to ignore? A SYSCALL executed with TF set
 * single-steps into the kernel: the #DB is delivered at the first
 * instruction of the entry, after FMASK cleared TF (SDM vol. 3A
 * 17.3.1.4). Nothing is wrong there; the entry just resumes.
 */
static inline bool trapframe_stray_debug(const struct trapframe *tf)
{
	return tf->vector == 1 && tf->rip == (uintptr_t)x86_syscall_entry;
}

#endif
