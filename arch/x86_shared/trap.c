/*
 * The C side of every x86 exception and interrupt vector, both modes:
 * pass user-mode traps to x86_user_trap() and interrupts to
 * x86_interrupt(), resume expected kernel traps (trap_expected()), report
 * everything else with the full register state and panic.
 */
#include <kern/panic.h>
#include <kern/printk.h>
#include <kern/trap.h>
#include <machine/cpufunc.h>
#include <machine/x86_trap.h>

static const char *const exception_names[X86_NEXCEPTIONS] = {
	[0] = "#DE divide error",	[1] = "#DB debug",
	[2] = "NMI",			[3] = "#BP breakpoint",
	[4] = "#OF overflow",		[5] = "#BR bound range",
	[6] = "#UD invalid opcode",	[7] = "#NM device not available",
	[8] = "#DF double fault",	[9] = "coprocessor overrun",
	[10] = "#TS invalid TSS",	[11] = "#NP segment not present",
	[12] = "#SS stack fault",	[13] = "#GP general protection",
	[14] = "#PF page fault",	[16] = "#MF x87 error",
	[17] = "#AC alignment check",	[18] = "#MC machine check",
	[19] = "#XM SIMD error",	[20] = "#VE virtualization",
	[21] = "#CP control protection", [28] = "#HV hypervisor injection",
	[29] = "#VC VMM communication",	[30] = "#SX security",
};

/* Short name of @vector for reports. */
const char *x86_vector_name(unsigned long vector)
{
	if (vector >= X86_NEXCEPTIONS)
		return "interrupt";
	return exception_names[vector] ? exception_names[vector] : "reserved";
}

/* Print the error code of exception @vector, decoded where it has fields. */
void x86_print_error_code(unsigned long vector, unsigned long error)
{
	if (vector == T_PF) {
		printk("error %#lx: %s %s, %s mode%s\n", error,
		       error & PF_ERR_P ? "protection violation" :
		       "not present",
		       error & PF_ERR_I ? "fetch" :
		       error & PF_ERR_W ? "write" : "read",
		       error & PF_ERR_U ? "user" : "kernel",
		       error & PF_ERR_RSVD ? ", reserved bit set" : "");
	} else if (vector >= 10 && vector <= 13 && error != 0) {
		/* Selector error code (SDM vol. 3A 6.13): EXT, IDT, TI. */
		printk("error %#lx: %s index %lu%s\n", error,
		       error & 2 ? "IDT" : error & 4 ? "LDT" : "GDT",
		       error >> 3, error & 1 ? ", external event" : "");
	} else {
		printk("error %#lx\n", error);
	}
}

static enum trap_kind trap_kind_of(unsigned long vector)
{
	switch (vector) {
	case T_BP:
		return TRAP_BREAKPOINT;
	case T_UD:
		return TRAP_UNDEFINED;
	case T_PF:
		return TRAP_PAGE_FAULT;
	default:
		return TRAP_OTHER;
	}
}

static bool vector_has_error_code(unsigned long vector)
{
	return vector == T_DF || (vector >= 10 && vector <= 14) ||
	       vector == 17 || vector == 21 || vector == 29 || vector == 30;
}

/* int3 is a trap: the saved PC is already past its one byte. */
static uintptr_t trap_insn_pc(const struct trapframe *tf, enum trap_kind kind)
{
	return trapframe_pc(tf) - (kind == TRAP_BREAKPOINT ? 1 : 0);
}

/*
 * Where an expected instruction-fetch fault resumes: a RET. Such a fault
 * comes from a test calling into a page that must not be executable; it
 * is raised at the call target, before anything there ran, so the return
 * address is on top of the interrupted stack. Resuming at a RET with that
 * stack pops it, as if the target had returned at once. (A kernel-mode
 * IRET cannot change ESP on i686, so popping in the frame is no option.)
 */
__asm__(".pushsection .text\n"
	"x86_fetch_fault_ret:\n\t"
	"ret\n"
	".popsection");
extern const char x86_fetch_fault_ret[];

/*
 * Step over the instruction that raised an expected trap. Returns false if
 * its length is unknown (then the trap is reported). A fetch fault has no
 * instruction to skip: it resumes at the caller's return address, but
 * only if the fault is at the PC (a fetch from the call target).
 */
static bool trap_skip_insn(struct trapframe *tf, enum trap_kind kind,
			   uintptr_t fault_addr)
{
	const uint8_t *ip = (const uint8_t *)trapframe_pc(tf);
	int len;

	switch (kind) {
	case TRAP_BREAKPOINT:
		return true;
	case TRAP_UNDEFINED:
		if (ip[0] != 0x0f || ip[1] != 0x0b)
			return false;
		len = 2;
		break;
	case TRAP_PAGE_FAULT:
		if (tf->error & PF_ERR_I) {
			if (fault_addr != (uintptr_t)ip)
				return false;
			trapframe_set_pc(tf, (uintptr_t)x86_fetch_fault_ret);
			return true;
		}
		if (fault_addr - (uintptr_t)ip < 16)
			return false;
		len = x86_insn_length(ip, TRAPFRAME_LONG_MODE);
		if (len < 0)
			return false;
		break;
	default:
		return false;
	}
	trapframe_set_pc(tf, (uintptr_t)ip + (unsigned int)len);
	return true;
}

/*
 * Kernel-mode traps that are part of normal operation: interrupts, a
 * fault of arch_copy_user on user memory, a stray single-step #DB.
 */
static bool kernel_trap_handled(struct trapframe *tf, uintptr_t fault_addr)
{
	if (tf->vector >= X86_NEXCEPTIONS)
		return x86_interrupt(tf->vector);
	if (tf->vector == T_PF)
		return x86_kernel_uaccess_fault(tf, fault_addr);
#ifdef __i386__
	if (i686_return_fault(tf))
		return true;
#endif
	return trapframe_stray_debug(tf);
}

/*
 * Handle the trap described by @tf (called from vectors.asm, or the
 * x86_64 SYSCALL entry, with interrupts off). Returns after a trap from
 * user mode, a known interrupt, or to resume an expected kernel trap.
 */
void x86_trap(struct trapframe *tf)
{
	/* Before any printk: a nested fault would overwrite CR2. */
	uintptr_t fault_addr = tf->vector == T_PF ? read_cr2() : 0;
	enum trap_kind kind = trap_kind_of(tf->vector);
	uintptr_t pc = trap_insn_pc(tf, kind);
	const char *name = x86_vector_name(tf->vector);

	if (trapframe_from_user(tf) ? x86_user_trap(tf, fault_addr) :
	    kernel_trap_handled(tf, fault_addr))
		return;
	if (kind != TRAP_OTHER && !trapframe_from_user(tf) &&
	    trap_expected(kind)) {
		if (trap_skip_insn(tf, kind, fault_addr))
			return;
		printk("trap: cannot step over the expected %s at %#lx\n",
		       name, (unsigned long)pc);
	}
	printk("trap: %s (vector %lu) in %s mode at pc %#lx\n", name,
	       (unsigned long)tf->vector,
	       trapframe_from_user(tf) ? "user" : "kernel", (unsigned long)pc);
	if (vector_has_error_code(tf->vector))
		x86_print_error_code(tf->vector, tf->error);
	if (tf->vector == T_PF)
		printk("fault address (cr2) %#lx\n", (unsigned long)fault_addr);
	trapframe_print(tf);
	/* The trace starts in the trapped code, not in this handler. */
	panic_at(pc, trapframe_fp(tf), "unhandled %s at %#lx", name,
		 (unsigned long)pc);
}
