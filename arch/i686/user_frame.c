/*
 * The i686 user register frame as the MI code sees it (<kern/thread_md.h>):
 * the Linux INT 0x80 registers (eax; ebx ecx edx esi edi ebp) and the
 * initial state of a new program.
 */
#include <kern/errno.h>
#include <kern/string.h>
#include <kern/thread_md.h>
#include <machine/cpufunc.h>
#include <machine/gdt.h>

/* FS and GS start null, as on Linux: there is no user TLS segment. */
void arch_tf_init_user(struct trapframe *tf, uintptr_t pc, uintptr_t sp)
{
	memset(tf, 0, sizeof(*tf));
	tf->eip = pc;
	tf->esp = sp;
	tf->cs = GDT_USER_CS | 3;
	tf->ss = tf->ds = tf->es = GDT_USER_DS | 3;
	tf->eflags = EFLAGS_IF | EFLAGS_FIXED;
}

unsigned long arch_tf_syscall_nr(const struct trapframe *tf)
{
	return tf->eax;
}

unsigned long arch_tf_syscall_arg(const struct trapframe *tf, unsigned int i)
{
	switch (i) {
	case 0: return tf->ebx;
	case 1: return tf->ecx;
	case 2: return tf->edx;
	case 3: return tf->esi;
	case 4: return tf->edi;
	case 5: return tf->ebp;
	default: return 0;
	}
}

void arch_tf_set_retval(struct trapframe *tf, unsigned long v)
{
	tf->eax = v;
}

void arch_tf_set_sp(struct trapframe *tf, uintptr_t sp)
{
	tf->esp = sp;
}

uintptr_t arch_tf_user_pc(const struct trapframe *tf)
{
	return tf->eip;
}
