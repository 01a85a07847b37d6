/*
 * The machine-dependent contract for boot, console, traps and power.
 * Each arch implements every arch_* function below in arch/$ARCH/; MI code
 * calls nothing else of the arch except through the other MD headers
 * (mm/mmu.h and friends, added as the layers grow).
 *
 * Boot flow: arch entry (asm) -> arch C init (console, traps, boot_info)
 * -> kmain(&boot_info), which never returns.
 */
#ifndef KERN_ARCH_H
#define KERN_ARCH_H

#include <kern/compiler.h>
#include <kern/types.h>
#include <machine/arch.h>	/* ARCH_NAME, arch_cpu_relax() and other inlines */

struct boot_info;

/* --- Provided by MI code, called by the arch -------------------------- */

/* MI kernel entry on the boot CPU with the console and trap vectors up. */
__noreturn void kmain(const struct boot_info *bi);

/* --- Provided by each arch -------------------------------------------- */

/*
 * Write one byte to the boot console (serial). Must work from any context,
 * including a trap handler and panic, without allocating.
 * Locking: none; printk serialises callers.
 */
void arch_console_putc(char c);

/* Index of the calling CPU (0 = boot CPU), small and dense. */
unsigned int arch_cpu_id(void);

/*
 * The guest's power-off status as QEMU reports it: the exit code is
 * (poweroff_exit_value(status) << 1) | 1 on every arch (x86 isa-debug-exit
 * shifts the value itself; aarch64 semihosting is handed the whole code).
 * The value is min(status + 1, 127), so status 0 (pass) exits 3, status 1
 * (fail) exits 5 and statuses above POWEROFF_STATUS_MAX all exit 255.
 * Why the + 1: QEMU's own exit codes are 0 (a power-off without a status:
 * PSCI SYSTEM_OFF, ACPI S5, a triple fault with -no-reboot) and 1 (it did
 * not start: a bad option, a missing file, a port in use); a guest verdict
 * must never read as one of those.
 */
#define POWEROFF_STATUS_MAX	126

static inline uint32_t poweroff_exit_value(int status)
{
	if (status < 0 || status > POWEROFF_STATUS_MAX)
		status = POWEROFF_STATUS_MAX;
	return (uint32_t)status + 1;
}

/*
 * Power the machine off and carry @status out of the emulator (encoded as
 * above: QEMU exits 3 for status 0, 5 for status 1).
 * Locking: none; any CPU, any context.
 */
__noreturn void arch_poweroff(int status);

/* Disable interrupts on this CPU and stop it for good (HLT / WFI loop). */
__noreturn void arch_halt(void);

/* Interrupt mask save / restore for this CPU. */
unsigned long arch_irq_save(void);
void arch_irq_restore(unsigned long flags);

/*
 * Execute one breakpoint instruction (x86 int3, arm64 brk) / one
 * architecturally undefined instruction (x86 ud2, arm64 udf). Each returns
 * normally only if the trap handler asked trap_expected() and got true, in
 * which case the handler resumes after the instruction.
 */
void arch_trap_breakpoint(void);
void arch_trap_undefined(void);

#endif
