/*
 * The machine-dependent contract for threads and user mode: kernel
 * context switch, entering and leaving user mode, the user register frame,
 * copying to and from user memory, and the clock. Each arch implements the
 * arch_* functions in arch/$ARCH/ and calls the MI entry points below;
 * core/ calls nothing else of the arch for processes.
 *
 * Every user-mode entry (system call, exception, interrupt) saves the user
 * registers in a struct trapframe at the top of the running thread's
 * kernel stack, arch_thread_trapframe(t), and restores them from there:
 * the MI code reads and edits a thread's user registers only through it.
 *
 * Return to user mode, every path: with interrupts disabled, call
 * user_return(tf), then restore @tf and return (iret / sysret / eret).
 */
#ifndef KERN_THREAD_MD_H
#define KERN_THREAD_MD_H

#include <kern/compiler.h>
#include <kern/types.h>
#include <machine/thread.h>	/* struct arch_thread */
#include <machine/trapframe.h>	/* struct trapframe, trapframe_pc/set_pc */

struct thread;

/* --- Provided by MI code, called by the arch ------------------------- */

/*
 * A system call from user mode: @tf holds the caller's registers. Reads
 * the number and arguments with arch_tf_syscall_nr/arg and stores the
 * result with arch_tf_set_retval (or replaces @tf wholesale, as exit does
 * by never returning). Call with interrupts enabled, then user_return().
 */
void syscall_handle(struct trapframe *tf);

/*
 * A page fault taken in user mode at @addr for @access (VM_READ, VM_WRITE
 * or VM_EXEC): resolves it through vm_fault, or marks the process killed
 * with a one-line message. Returns either way; the arch then calls
 * user_return(), which ends a killed thread. Interrupts enabled.
 */
void user_page_fault(struct trapframe *tf, vaddr_t addr, unsigned int access);

/*
 * Any other exception taken in user mode (invalid opcode, general
 * protection, alignment, breakpoint, ...): kills the process with a
 * one-line message naming @cause and @addr (the faulting address, or the
 * pc). Returns; the arch then calls user_return(). Interrupts enabled.
 */
void user_exception(struct trapframe *tf, const char *cause, vaddr_t addr);

/*
 * As user_exception(), for an instruction user mode may not execute (an
 * undefined opcode, a trapped system-register access): the wait status
 * is SIGILL's, as Linux's. @pc is the instruction's address.
 */
void user_illegal_instruction(struct trapframe *tf, const char *cause,
			      vaddr_t pc);

/*
 * Last step of every return to user mode, interrupts disabled: runs the
 * scheduler if this CPU should switch, ends the thread if its process is
 * being killed or has exited. Returns with interrupts disabled, ready to
 * restore @tf, unless the thread ended.
 */
void user_return(struct trapframe *tf);

/*
 * A kernel-mode page fault at @addr for @access. If the faulting
 * instruction is inside arch_copy_user and @addr is a user address, it
 * first tries vm_fault (true: retry the instruction), else redirects @tf
 * to the copy's fault exit (true). False: not a user access, a kernel bug
 * the arch reports as before. Interrupts as in the interrupted code.
 */
bool uaccess_fault(struct trapframe *tf, vaddr_t addr, unsigned int access);

/* --- Provided by each arch ------------------------------------------- */

/*
 * Prepare a new thread @t whose t->kstack_top is set: the first
 * arch_thread_switch() to @t calls @fn(@arg) on @t's stack with interrupts
 * disabled; @fn never returns. Its user FP/SIMD state starts clean (x87
 * control word 0x37f / MXCSR 0x1f80; aarch64 FPCR 0 and all registers 0).
 */
void arch_thread_init(struct thread *t, void (*fn)(void *), void *arg);

/*
 * Give @child a copy of the calling thread's user state that the trap
 * frame does not hold: the live FP/SIMD registers (the callee-saved
 * vector registers of the C ABI survive fork and clone on both sides) and
 * the thread-pointer base where the arch keeps it outside the frame
 * (x86_64 FS base).
 */
void arch_thread_copy_user_state(struct thread *child);

/*
 * Set the user thread pointer of @t (CLONE_SETTLS, x86_64 arch_prctl):
 * x86_64 FS base, aarch64 TPIDR_EL0. Takes effect now if @t is the caller.
 * Returns 0 or -EPERM for a base outside the user half. On i686 @base is
 * a user struct user_desc * naming a GDT TLS slot (set_thread_area):
 * 0, -EFAULT or -EINVAL.
 */
int arch_thread_set_tls(struct thread *t, uintptr_t base);

/*
 * Save the calling context (callee-saved registers, stack pointer, user
 * FP/SIMD state) in prev->arch and resume @next where it last switched
 * away (or in its arch_thread_init function). Points this CPU's user-entry
 * stack (x86 TSS rsp0/esp0, the x86_64 SYSCALL stack) at next->kstack_top.
 * Returns when some CPU switches back to @prev.
 * Locking: interrupts disabled; the MI scheduler holds no spinlock across
 * the call except as its own protocol documents.
 */
void arch_thread_switch(struct thread *prev, struct thread *next);

/* The user register frame of @t: the top of its kernel stack. */
struct trapframe *arch_thread_trapframe(struct thread *t);

/*
 * Enter user mode with the registers in @tf, which is
 * arch_thread_trapframe() of the calling thread. Interrupts disabled on
 * entry; user mode runs with them enabled. Never returns.
 */
__noreturn void arch_user_enter(struct trapframe *tf);

/* A clean user register set: all general registers 0, user code and data
 * segments (x86) or EL0t (aarch64), interrupts enabled, at @pc with stack
 * pointer @sp. */
void arch_tf_init_user(struct trapframe *tf, uintptr_t pc, uintptr_t sp);

/* System-call number and argument @i (0..5) as the arch's Linux ABI
 * passes them (x86_64 rax; rdi rsi rdx r10 r8 r9 / i686 eax; ebx ecx edx
 * esi edi ebp / aarch64 x8; x0..x5). */
unsigned long arch_tf_syscall_nr(const struct trapframe *tf);
unsigned long arch_tf_syscall_arg(const struct trapframe *tf, unsigned int i);

/* Set the system-call return value (rax / eax / x0). */
void arch_tf_set_retval(struct trapframe *tf, unsigned long v);

/* Set the user stack pointer (clone with a new stack). */
void arch_tf_set_sp(struct trapframe *tf, uintptr_t sp);

/* The user pc and stack pointer, for kill messages. */
uintptr_t arch_tf_user_pc(const struct trapframe *tf);

/*
 * Copy @n bytes from @src to @dst, where either side (not both) may be a
 * user address; faults on it go through uaccess_fault(). Returns the
 * number of bytes NOT copied: 0 on success. Interrupts enabled or not.
 * The MI wrappers (copy_from_user / copy_to_user) check the range first.
 */
size_t arch_copy_user(void *dst, const void *src, size_t n);

/*
 * If @tf's pc is an instruction of arch_copy_user that may fault on a user
 * address, make @tf resume at its fault exit (which returns the count of
 * bytes not copied) and return true; otherwise false. It changes only the
 * pc (trapframe_pc / trapframe_set_pc, inline in <machine/trapframe.h>).
 */
bool arch_uaccess_fixup(struct trapframe *tf);

/*
 * Nanoseconds since an arbitrary point at boot, monotonic and consistent
 * across CPUs (x86 TSC calibrated at boot; aarch64 CNTVCT_EL0 / CNTFRQ).
 * Callable from any context.
 */
uint64_t arch_clock_ns(void);

#endif
