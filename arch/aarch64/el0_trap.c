/*
 * Exceptions taken from EL0 (vectors.S slots 8-15): system calls, user
 * page faults, every other synchronous exception a user program can
 * cause, and interrupts that arrive while it runs. Whatever user code
 * does ends here in syscall_handle(), user_page_fault() or
 * user_exception(), never in a kernel panic; then user_return().
 */

#include <kern/thread_md.h>
#include <machine/esr.h>
#include <machine/gic.h>
#include <machine/trapframe.h>
#include <mm/mmu.h>
#include <smp/smp_md.h>

/*
 * An instruction or data abort. FAR_EL1 holds the address unless ISS.FnV
 * says otherwise (Arm ARM, ESR_EL1 ISS encoding for a Data Abort). An
 * access to the kernel half (TTBR1) is a permission fault (kernel leaves
 * are not EL0-accessible: AP[1] = 0, UXN) or a translation fault, and an
 * address in neither half a level 0 translation fault: all reach
 * user_page_fault() with an address outside every VMA, which kills.
 */
static void user_abort(struct trapframe *tf, unsigned int ec)
{
	unsigned int iss = ESR_ISS(tf->esr);
	unsigned int access;

	if (iss & ISS_FNV) {
		user_exception(tf, "abort without a fault address", tf->elr);
		return;
	}
	if (!esr_fault_is_vm(iss)) {
		user_exception(tf, esr_fault_name(ISS_FSC(iss)), tf->far);
		return;
	}
	if (ec == EC_IABT_LOWER)
		access = VM_EXEC;
	else
		access = esr_dabt_is_write(iss) ? VM_WRITE : VM_READ;
	user_page_fault(tf, tf->far, access);
}

/*
 * A synchronous exception from EL0 AArch64. Only SVC and aborts are
 * served; the rest (UNDEFINED instructions, BRK, SP or PC misalignment,
 * trapped system register accesses, illegal execution state, ...) kill
 * the process with the exception class as the cause.
 */
static void user_sync(struct trapframe *tf)
{
	unsigned int ec = ESR_EC(tf->esr);

	switch (ec) {
	case EC_SVC64:
		/* ELR_EL1 is already the instruction after the SVC. */
		syscall_handle(tf);
		break;
	case EC_IABT_LOWER:
	case EC_DABT_LOWER:
		user_abort(tf, ec);
		break;
	case EC_UNKNOWN:
	case EC_SYS64:
		/* What Linux answers with SIGILL: an UNDEFINED instruction, or
		 * a system register EL0 may not touch (CNTPCT_EL0, the timer
		 * registers: timer_cpu_init()). */
		user_illegal_instruction(tf, esr_class_name(ec), tf->elr);
		break;
	case EC_PC_ALIGN:
		user_exception(tf, esr_class_name(ec), tf->far);
		break;
	default:
		user_exception(tf, esr_class_name(ec), tf->elr);
		break;
	}
}

/*
 * Entered with every exception masked. IRQs are taken by the GIC driver
 * as from the kernel, still masked; everything else runs with IRQs
 * unmasked, as the MI handlers expect, and masks them again for
 * user_return(). FIQs are never routed here (gic.c), so one is a kernel
 * bug and trap_handle() reports it.
 */
void trap_el0(struct trapframe *tf)
{
	unsigned int type = tf->vector % 4;

	if (type == VEC_IRQ) {
		gic_handle_irq();
	} else if (type == VEC_FIQ) {
		trap_handle(tf);
	} else {
		arch_irq_enable();
		if (tf->vector >= VEC_LOWER_A32_FIRST)
			user_exception(tf, "exception from AArch32", tf->elr);
		else if (type == VEC_SYNC)
			user_sync(tf);
		else
			user_exception(tf, "SError interrupt", tf->elr);
		arch_irq_disable();
	}
	user_return(tf);
}
