/*
 * The x86_64 user register frame as the MI code sees it (<kern/thread_md.h>):
 * the Linux system-call registers (rax; rdi rsi rdx r10 r8 r9) and the
 * initial state of a new program.
 */
#include <kern/string.h>
#include <kern/thread_md.h>
#include <machine/cpufunc.h>
#include <machine/gdt.h>

void arch_tf_init_user(struct trapframe *tf, uintptr_t pc, uintptr_t sp)
{
	memset(tf, 0, sizeof(*tf));
	tf->rip = pc;
	tf->rsp = sp;
	tf->cs = GDT_USER_CS | 3;
	tf->ss = GDT_USER_DS | 3;
	tf->rflags = EFLAGS_IF | EFLAGS_FIXED;
}

unsigned long arch_tf_syscall_nr(const struct trapframe *tf)
{
	return tf->rax;
}

unsigned long arch_tf_syscall_arg(const struct trapframe *tf, unsigned int i)
{
	switch (i) {
	case 0: return tf->rdi;
	case 1: return tf->rsi;
	case 2: return tf->rdx;
	case 3: return tf->r10;
	case 4: return tf->r8;
	case 5: return tf->r9;
	default: return 0;
	}
}

void arch_tf_set_retval(struct trapframe *tf, unsigned long v)
{
	tf->rax = v;
}

void arch_tf_set_sp(struct trapframe *tf, uintptr_t sp)
{
	tf->rsp = sp;
}

uintptr_t arch_tf_user_pc(const struct trapframe *tf)
{
	return tf->rip;
}
