/*
 * Threads on aarch64: a new thread's first switch, its user FP/SIMD
 * registers, and the user register frame the MI code reads and edits
 * (<kern/thread_md.h>). The switch itself is in switch.S, the entries
 * from and returns to EL0 in vectors.S.
 */

#include <kern/errno.h>
#include <kern/string.h>
#include <kern/thread.h>
#include <machine/sysreg.h>
#include <mm/mmu.h>
#include <machine/thread.h>
#include <machine/trapframe.h>

/* switch.S reaches prev->arch / next->arch at the thread pointers. */
_Static_assert(__builtin_offsetof(struct thread, arch) == 0,
	       "struct thread must begin with struct arch_thread");

/* CPACR_EL1.FPEN [21:20] (Arm ARM, CPACR_EL1): 0b11 traps nothing. */
#define CPACR_FPEN_NONE		(3UL << 20)

/* A new thread's saved x30 (switch.S). */
void thread_start(void);

/*
 * Both ELs may use FP/SIMD: EL0 for the user's own code (the AAPCS64
 * passes floating-point values in v0-v7 and clang's memcpy uses q
 * registers), EL1 only for switch.S. The reset value of FPEN is UNKNOWN
 * on a real CPU, so every CPU sets it before its first switch.
 */
void fpsimd_cpu_init(void)
{
	write_sysreg(cpacr_el1, read_sysreg(cpacr_el1) | CPACR_FPEN_NONE);
	/* The new FPEN must be in effect before the next FP instruction
	 * (an ISB is the context synchronization event it needs). */
	isb();
}

/*
 * The initial SP leaves the top TF_SIZE bytes free: they are the thread's
 * trapframe, which the MI code fills (fork, a new program) before the
 * thread first runs and which its frames must not overwrite.
 */
void arch_thread_init(struct thread *t, void (*fn)(void *), void *arg)
{
	struct arch_thread *a = &t->arch;

	memset(a, 0, sizeof(*a));	/* FPCR 0: round to nearest, no traps */
	a->x19_x28[0] = (uintptr_t)fn;
	a->x19_x28[1] = (uintptr_t)arg;
	a->x30 = (uintptr_t)thread_start;
	a->sp = (uintptr_t)arch_thread_trapframe(t);
}

/* The calling thread's registers are live: the kernel does not use them
 * (-mgeneral-regs-only), so they hold its user values. */
void arch_thread_copy_user_state(struct thread *child)
{
	fpsimd_save(&child->arch.fpsimd);
}

/* TPIDR_EL0 is saved and restored with the trap frame on every entry
 * from EL0, so the frame is where the thread pointer lives. */
int arch_thread_set_tls(struct thread *t, uintptr_t base)
{
	if (base >= MMU_USER_VA_END)
		return -EPERM;
	arch_thread_trapframe(t)->tpidr_el0 = base;
	return 0;
}

struct trapframe *arch_thread_trapframe(struct thread *t)
{
	return (struct trapframe *)t->kstack_top - 1;
}

/*
 * TPIDR_EL0 0, as Linux's exec leaves it; SPSR 0 is EL0t, DAIF clear.
 * When @tf is the caller's own frame (exec), its live FP/SIMD registers
 * still hold the old program's values: they start clean too. Another
 * thread's frame (a new thread) got clean ones from arch_thread_init,
 * and the caller's own must then stay as they are.
 */
void arch_tf_init_user(struct trapframe *tf, uintptr_t pc, uintptr_t sp)
{
	static const struct fpsimd_state clean;
	struct thread *self = thread_current();

	memset(tf, 0, sizeof(*tf));
	tf->elr = pc;
	tf->sp = sp;
	tf->spsr = SPSR_MODE_EL0T;
	if (self && tf == arch_thread_trapframe(self))
		fpsimd_load(&clean);
}

/* Linux arm64 ABI: svc #0 with the number in x8, arguments in x0-x5,
 * the result in x0. */
unsigned long arch_tf_syscall_nr(const struct trapframe *tf)
{
	return tf->x[8];
}

unsigned long arch_tf_syscall_arg(const struct trapframe *tf, unsigned int i)
{
	return i < 6 ? tf->x[i] : 0;
}

void arch_tf_set_retval(struct trapframe *tf, unsigned long v)
{
	tf->x[0] = v;
}

void arch_tf_set_sp(struct trapframe *tf, uintptr_t sp)
{
	tf->sp = sp;
}

uintptr_t arch_tf_user_pc(const struct trapframe *tf)
{
	return tf->elr;
}
