/* Power-off: semihosting carries the status out of QEMU; PSCI is the fallback. */

#include <kern/arch.h>
#include <kern/printk.h>
#include <machine/psci.h>
#include <machine/semihost.h>

__noreturn void arch_poweroff(int status)
{
	semihost_exit(((uint32_t)status << 1) | 1);
	/* Still here: QEMU runs without -semihosting. */
	printk("poweroff: no semihosting; PSCI SYSTEM_OFF (QEMU then exits 0, status %d is lost)\n",
	       status);
	psci_system_off();
	printk("poweroff: PSCI SYSTEM_OFF unavailable, halting\n");
	arch_halt();
}
