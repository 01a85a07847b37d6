/* Power-off: semihosting carries the status out of QEMU; PSCI is the fallback. */

#include <kern/arch.h>
#include <kern/printk.h>
#include <machine/psci.h>
#include <machine/semihost.h>

/*
 * Power off carrying @status out (include/kern/arch.h: QEMU exits
 * (poweroff_exit_value(status) << 1) | 1, the same code as on x86).
 * Locking: none; any CPU, any context.
 */
__noreturn void arch_poweroff(int status)
{
	semihost_exit((poweroff_exit_value(status) << 1) | 1);
	/* Still here: QEMU runs without -semihosting. */
	printk("poweroff: no semihosting; PSCI SYSTEM_OFF (QEMU then exits 0, status %d is lost)\n",
	       status);
	psci_system_off();
	printk("poweroff: PSCI SYSTEM_OFF unavailable, halting\n");
	arch_halt();
}
