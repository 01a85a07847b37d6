/* Power-off and halt for QEMU's x86 "pc" machine. */
#include <kern/arch.h>
#include <machine/cpufunc.h>
#include <machine/io.h>

/*
 * QEMU's isa-debug-exit device (iobase=0xf4, iosize=4): a write of v makes
 * QEMU exit with status (v << 1) | 1.
 */
#define QEMU_DEBUG_EXIT_PORT	0xf4

/*
 * Without that device, PIIX4 ACPI PM1a_CNT (SeaBIOS puts the PM block at
 * 0x600): SLP_EN with SLP_TYP 0, which QEMU's DSDT defines as S5. QEMU then
 * exits 0, which the harness rightly treats as "no status".
 */
#define PIIX4_PM1A_CNT		0x604
#define PM1_CNT_SLP_EN		0x2000

/*
 * Power off carrying @status out: QEMU exits
 * (poweroff_exit_value(status) << 1) | 1 (include/kern/arch.h).
 * Locking: none; any CPU, any context.
 */
__noreturn void arch_poweroff(int status)
{
	cli();
	outl(QEMU_DEBUG_EXIT_PORT, poweroff_exit_value(status));
	outw(PIIX4_PM1A_CNT, PM1_CNT_SLP_EN);
	arch_halt();
}

/* Stop this CPU for good; NMIs that wake it go straight back to HLT. */
__noreturn void arch_halt(void)
{
	for (;;) {
		cli();
		hlt();
	}
}
