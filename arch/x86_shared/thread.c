/*
 * Kernel threads on x86, both modes: the first stack frame of a new
 * thread, the context switch (thread_switch.asm does the registers), and
 * where a thread's user frame lives.
 */
#include <kern/thread.h>
#include <machine/fpu.h>
#include <machine/gdt.h>
#include <machine/thread.h>

_Static_assert(offsetof(struct arch_thread, sp) == AT_SP &&
	       offsetof(struct arch_thread, fpu) == AT_FPU,
	       "AT_* offsets in thread.inc");

void x86_thread_switch(struct arch_thread *prev, struct arch_thread *next);
void x86_thread_start(void);

struct trapframe *arch_thread_trapframe(struct thread *t)
{
	return (struct trapframe *)t->kstack_top - 1;
}

/*
 * The stack arch_thread_switch() resumes a new thread on, below its user
 * frame (which fn fills in before it enters user mode), lowest address
 * first: SWITCH_SAVED_REGS zeroed callee-saved registers, the return
 * address x86_thread_start, then fn and arg for it to pop.
 */
void arch_thread_init(struct thread *t, void (*fn)(void *), void *arg)
{
	uintptr_t top = ALIGN_DOWN((uintptr_t)arch_thread_trapframe(t), 16);
	uintptr_t *frame = (uintptr_t *)top - (SWITCH_SAVED_REGS + 3);

	for (unsigned int i = 0; i < SWITCH_SAVED_REGS; i++)
		frame[i] = 0;
	frame[SWITCH_SAVED_REGS] = (uintptr_t)x86_thread_start;
	frame[SWITCH_SAVED_REGS + 1] = (uintptr_t)fn;
	frame[SWITCH_SAVED_REGS + 2] = (uintptr_t)arg;
	t->arch.sp = (uintptr_t)frame;
	x86_fpu_state_init(t->arch.fpu);
}

/* The caller's live registers are its user state: the kernel never
 * changes them. */
void arch_thread_copy_user_state(struct thread *child)
{
	x86_fpu_state_save(child->arch.fpu);
	x86_tls_copy(child);
}

/*
 * The TSS stack is what the CPU switches to on the next entry from user
 * mode (and the x86_64 SYSCALL entry reads it): it must be @next's before
 * @next can return to user mode, so it is set before the switch.
 */
void arch_thread_switch(struct thread *prev, struct thread *next)
{
	x86_tss_set_kernel_stack(next->kstack_top);
	x86_tls_switch(prev, next);
	x86_thread_switch(&prev->arch, &next->arch);
}
