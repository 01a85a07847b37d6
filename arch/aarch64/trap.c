/*
 * Exceptions taken from EL1 (the kernel itself): IRQs go to the GIC
 * driver; for synchronous exceptions decode ESR_EL1 (Arm ARM D17.2.37),
 * let faults on user memory in arch_copy_user, expected kernel traps and
 * recoverable firmware calls resume, report and panic on everything else.
 * Nothing is routed to FIQ and SError stays masked, so an FIQ or SError
 * here is reported like any unexpected trap. Exceptions from EL0 are
 * el0_trap.c's.
 */

#include <kern/arch.h>
#include <kern/panic.h>
#include <kern/printk.h>
#include <kern/thread_md.h>
#include <kern/trap.h>
#include <machine/esr.h>
#include <machine/fwcall.h>
#include <machine/gic.h>
#include <machine/trapframe.h>
#include <mm/mmu.h>
#include <smp/smp_md.h>

#define VEC_EL1H_SYNC	(VEC_EL1H_FIRST + VEC_SYNC)
#define VEC_EL1H_IRQ	(VEC_EL1H_FIRST + VEC_IRQ)

static const char *const ec_names[64] = {
	[0x00] = "unknown reason (undefined instruction)",
	[0x01] = "WFI/WFE trapped",
	[0x07] = "SVE/SIMD/FP access trapped",
	[0x0d] = "branch target exception",
	[0x0e] = "illegal execution state",
	[0x15] = "SVC from AArch64",
	[0x16] = "HVC from AArch64",
	[0x17] = "SMC from AArch64",
	[0x18] = "MSR/MRS/system instruction trapped",
	[0x19] = "SVE access trapped",
	[0x1c] = "pointer authentication failure",
	[0x20] = "instruction abort from a lower EL",
	[0x21] = "instruction abort at EL1",
	[0x22] = "PC alignment fault",
	[0x24] = "data abort from a lower EL",
	[0x25] = "data abort at EL1",
	[0x26] = "SP alignment fault",
	[0x2c] = "floating-point exception",
	[0x2f] = "SError interrupt",
	[0x30] = "breakpoint from a lower EL",
	[0x31] = "breakpoint at EL1",
	[0x32] = "software step from a lower EL",
	[0x33] = "software step at EL1",
	[0x34] = "watchpoint from a lower EL",
	[0x35] = "watchpoint at EL1",
	[0x3c] = "BRK instruction",
};

static const char *const vector_names[16] = {
	"EL1t sync", "EL1t IRQ", "EL1t FIQ", "EL1t SError",
	"EL1h sync", "EL1h IRQ", "EL1h FIQ", "EL1h SError",
	"EL0/A64 sync", "EL0/A64 IRQ", "EL0/A64 FIQ", "EL0/A64 SError",
	"EL0/A32 sync", "EL0/A32 IRQ", "EL0/A32 FIQ", "EL0/A32 SError",
};

const char *esr_class_name(unsigned int ec)
{
	return ec_names[ec] ? ec_names[ec] : "reserved/unlisted class";
}

/* Abort fault status codes, 4 KiB granule (ISS.DFSC / IFSC). */
const char *esr_fault_name(unsigned int fsc)
{
	switch (fsc & 0x3c) {
	case 0x00:
		return "address size fault";
	case 0x04:
		return "translation fault";
	case 0x08:
		return "access flag fault";
	case 0x0c:
		return "permission fault";
	}
	if (fsc == 0x10)
		return "synchronous external abort";
	if (fsc == 0x21)
		return "alignment fault";
	if (fsc == 0x30)
		return "TLB conflict abort";
	return "other fault";
}

static bool is_abort(unsigned int ec)
{
	return ec == EC_IABT_LOWER || ec == EC_IABT_CUR ||
	       ec == EC_DABT_LOWER || ec == EC_DABT_CUR;
}

/* Whether FAR_EL1 holds the faulting address for this class. */
static bool far_is_valid(unsigned int ec)
{
	return is_abort(ec) || ec == EC_PC_ALIGN ||
	       ec == EC_WATCH_LOWER || ec == EC_WATCH_CUR;
}

static enum trap_kind trap_kind_of(unsigned int ec)
{
	switch (ec) {
	case EC_BRK64:
		return TRAP_BREAKPOINT;
	case EC_UNKNOWN:
		return TRAP_UNDEFINED;
	case EC_IABT_CUR:
	case EC_DABT_CUR:
		return TRAP_PAGE_FAULT;
	default:
		return TRAP_OTHER;
	}
}

static void report_syndrome(const struct trapframe *tf)
{
	unsigned int ec = ESR_EC(tf->esr);
	unsigned int iss = ESR_ISS(tf->esr);

	printk("trap: %s, vector %lu (%s)\n", esr_class_name(ec), tf->vector,
	       vector_names[tf->vector % 16]);
	printk("trap: ESR_EL1 %#010lx: EC %#04x, IL %lu, ISS %#09x\n",
	       tf->esr, ec, ESR_IL(tf->esr), iss);
	if (is_abort(ec))
		printk("trap: FAR_EL1 %#018lx: %s%s, level %u, FSC %#04x\n",
		       tf->far, esr_fault_name(ISS_FSC(iss)),
		       ec == EC_DABT_CUR || ec == EC_DABT_LOWER ?
		       (iss & ISS_WNR ? " on write" : " on read") : " on fetch",
		       iss & 0x3, ISS_FSC(iss));
	else
		printk("trap: FAR_EL1 %#018lx%s\n", tf->far,
		       far_is_valid(ec) ? "" : " (not valid for this class)");
}

static void report_registers(const struct trapframe *tf)
{
	unsigned int i;

	for (i = 0; i < 30; i += 3)
		printk("trap: x%-2u %016lx  x%-2u %016lx  x%-2u %016lx\n",
		       i, tf->x[i], i + 1, tf->x[i + 1], i + 2, tf->x[i + 2]);
	printk("trap: x30 %016lx  sp  %016lx  elr %016lx\n",
	       tf->x[30], tf->sp, tf->elr);
	printk("trap: spsr %016lx (EL%lu%c, DAIF %c%c%c%c)  esr %016lx  far %016lx\n",
	       tf->spsr, (tf->spsr >> 2) & 3, (tf->spsr & 1) ? 'h' : 't',
	       (tf->spsr & (1 << 9)) ? 'D' : '-', (tf->spsr & (1 << 8)) ? 'A' : '-',
	       (tf->spsr & (1 << 7)) ? 'I' : '-', (tf->spsr & (1 << 6)) ? 'F' : '-',
	       tf->esr, tf->far);
}

/*
 * Where an expected kernel trap resumes. BRK, UDF and a faulting load or
 * store are 4 bytes: skip them. An instruction abort has no instruction
 * to skip: ELR is the address that could not be fetched. Tests reach it
 * with BLR (a call into a page that must not be executable), so resume
 * at the link register, as if the call had returned at once.
 */
static uint64_t resume_pc(const struct trapframe *tf)
{
	if (ESR_EC(tf->esr) == EC_IABT_CUR)
		return tf->x[30];
	return tf->elr + 4;
}

/*
 * A data abort in the kernel may be arch_copy_user touching user memory:
 * the MI uaccess_fault() resolves it with vm_fault or sends the copy to
 * its fault exit. It runs with IRQs as the interrupted code had them (the
 * contract), so a fault taken with IRQs on does not hold them off while
 * vm_fault allocates or waits for a shootdown; ELR_EL1 / SPSR_EL1 are in
 * @tf already, so a nested interrupt cannot lose them.
 */
static bool kernel_uaccess_fault(struct trapframe *tf)
{
	unsigned int iss = ESR_ISS(tf->esr);
	unsigned int access;
	bool fixed;

	if (ESR_EC(tf->esr) != EC_DABT_CUR || (iss & ISS_FNV) ||
	    !esr_fault_is_vm(iss))
		return false;
	access = esr_dabt_is_write(iss) ? VM_WRITE : VM_READ;
	if (!(tf->spsr & SPSR_I))
		arch_irq_enable();
	fixed = uaccess_fault(tf, tf->far, access);
	arch_irq_disable();
	return fixed;
}

void trap_handle(struct trapframe *tf)
{
	unsigned int ec = ESR_EC(tf->esr);
	enum trap_kind kind = trap_kind_of(ec);

	if (tf->vector == VEC_EL1H_IRQ) {
		gic_handle_irq();
		return;
	}
	if (tf->vector == VEC_EL1H_SYNC) {
		if (kernel_uaccess_fault(tf))
			return;
		if (ec == EC_UNKNOWN && fwcall_fixup(tf))
			return;
		if (kind != TRAP_OTHER && trap_expected(kind)) {
			tf->elr = resume_pc(tf);
			return;
		}
	}
	/* A trap inside printk must not deadlock on the console lock. */
	console_break_lock();
	report_syndrome(tf);
	report_registers(tf);
	/* The trace starts in the trapped code (ELR, x29), not here. */
	panic_at(tf->elr, tf->x[29], "unhandled %s (%s) at %#lx",
		 vector_names[tf->vector % 16],
		 kind == TRAP_OTHER ? esr_class_name(ec) : trap_kind_name(kind),
		 tf->elr);
}

void arch_trap_breakpoint(void)
{
	__asm__ __volatile__("brk #0x1" ::: "memory");
}

void arch_trap_undefined(void)
{
	__asm__ __volatile__("udf #0" ::: "memory");
}
