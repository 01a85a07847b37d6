/*
 * Traps taken in user mode, both x86 modes: the system call, page faults,
 * every other exception, and interrupts. Each goes to its MI handler
 * (<kern/thread_md.h>) and ends in user_return(); none panics, whatever
 * the user program did. Also the kernel's own faults on user memory.
 */
#include <kern/thread_md.h>
#include <machine/cpufunc.h>
#include <machine/x86_trap.h>
#include <mm/mmu.h>

unsigned int x86_pf_access(unsigned long error)
{
	if (error & PF_ERR_I)
		return VM_EXEC;
	return error & PF_ERR_W ? VM_WRITE : VM_READ;
}

/* Not the program's doing: the machine's, reported like a kernel trap. */
static bool machine_fault(unsigned long vector)
{
	return vector == T_NMI || vector == T_DF || vector == T_MC;
}

/* The address a kill message names: the faulting instruction. INT3
 * (the one-byte form) is a trap, so the saved pc is already past it. */
static uintptr_t exception_pc(const struct trapframe *tf)
{
	return trapframe_pc(tf) - (tf->vector == T_BP ? 1 : 0);
}

/*
 * The MI handlers may block (spin on locks, wait for TLB shootdowns, which
 * need this CPU to answer cross-calls) and fault on user memory, so they
 * run with interrupts on (every gate, and SYSCALL through FMASK, turned
 * them off); user_return() wants them off again.
 */
bool x86_user_trap(struct trapframe *tf, uintptr_t fault_addr)
{
	unsigned long vector = tf->vector;

	if (vector == TF_VECTOR_SYSCALL) {
		sti();
		syscall_handle(tf);
	} else if (vector == T_PF) {
		sti();
		user_page_fault(tf, fault_addr, x86_pf_access(tf->error));
	} else if (vector < X86_NEXCEPTIONS) {
		if (machine_fault(vector))
			return false;
		sti();
		user_exception(tf, x86_vector_name(vector), exception_pc(tf));
	} else if (!x86_interrupt(vector)) {
		return false;
	}
	cli();
	user_return(tf);
	return true;
}

/* Interrupts as in the interrupted code, per the uaccess_fault()
 * contract: a copy from user memory may run with them on, and vm_fault
 * spins on locks and waits for shootdowns. */
bool x86_kernel_uaccess_fault(struct trapframe *tf, uintptr_t fault_addr)
{
	bool handled;

	if (trapframe_flags(tf) & EFLAGS_IF)
		sti();
	handled = uaccess_fault(tf, fault_addr, x86_pf_access(tf->error));
	cli();
	return handled;
}

extern const char x86_copy_user_insn[], x86_copy_user_fault[];

/* Only the REP MOVSB of copy_user.asm touches user memory. */
bool arch_uaccess_fixup(struct trapframe *tf)
{
	if (trapframe_pc(tf) != (uintptr_t)x86_copy_user_insn)
		return false;
	trapframe_set_pc(tf, (uintptr_t)x86_copy_user_fault);
	return true;
}
